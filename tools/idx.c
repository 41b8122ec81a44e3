// SPDX-License-Identifier: MIT
/*
 * IDX file reader (MNIST-style datasets), robust against truncated and
 * foreign files.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"
#include "util.h"

/* Largest dataset file accepted (decompressed). */
#define IDX_MAX_FILE	(1ull << 31)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read the file and check magic (u8 data, ndim dims); fill dims. */
static int idx_load(const char *path, unsigned int ndim, uint32_t *dims, uint8_t **raw,
		    const uint8_t **data, char *why, size_t why_size)
{
	const char *reason;
	uint8_t *buf;
	uint64_t count = 1;
	size_t size, hdr = 4 + 4 * (size_t)ndim;
	unsigned int i;
	uint32_t magic;
	int err;

	err = read_file(path, IDX_MAX_FILE, &buf, &size, &reason);
	if (err) {
		snprintf(why, why_size, "%s", reason ? reason : strerror(-err));
		return err;
	}
	if (size < 4) {
		snprintf(why, why_size, "truncated: %zu bytes, no IDX header", size);
		free(buf);
		return -EBADMSG;
	}
	magic = be32(buf);
	if (magic != (0x0800u | ndim)) {
		snprintf(why, why_size, "bad magic 0x%08x, not an idx%u-ubyte %s file", magic,
			 ndim, ndim == 3 ? "image" : "label");
		free(buf);
		return -ENOEXEC;
	}
	if (size < hdr) {
		snprintf(why, why_size, "truncated: %zu bytes, the header has %zu", size, hdr);
		free(buf);
		return -EBADMSG;
	}
	for (i = 0; i < ndim; i++) {
		dims[i] = be32(buf + 4 + 4 * i);
		count *= dims[i];
		if (count > IDX_MAX_FILE) {
			snprintf(why, why_size, "dimensions too large");
			free(buf);
			return -EBADMSG;
		}
	}
	if (size - hdr != count) {
		snprintf(why, why_size, "%s: %zu data bytes, the header says %llu",
			 size - hdr < count ? "truncated" : "trailing data", size - hdr,
			 (unsigned long long)count);
		free(buf);
		return -EBADMSG;
	}
	*raw = buf;
	*data = buf + hdr;
	return 0;
}

int idx_load_images(const char *path, struct idx_images *img, char *why, size_t why_size)
{
	const uint8_t *data;
	uint32_t dims[3];
	uint8_t *raw;
	int err;

	memset(img, 0, sizeof(*img));
	err = idx_load(path, 3, dims, &raw, &data, why, why_size);
	if (err)
		return err;
	if (!dims[0] || !dims[1] || !dims[2]) {
		snprintf(why, why_size, "empty image set (%u x %u x %u)", dims[0], dims[1],
			 dims[2]);
		free(raw);
		return -EBADMSG;
	}
	img->count = dims[0];
	img->rows = dims[1];
	img->cols = dims[2];
	img->raw = raw;
	img->pixels = (uint8_t *)data;
	return 0;
}

int idx_load_labels(const char *path, struct idx_labels *lab, char *why, size_t why_size)
{
	const uint8_t *data;
	uint32_t dims[1];
	uint8_t *raw;
	int err;

	memset(lab, 0, sizeof(*lab));
	err = idx_load(path, 1, dims, &raw, &data, why, why_size);
	if (err)
		return err;
	if (!dims[0]) {
		snprintf(why, why_size, "empty label set");
		free(raw);
		return -EBADMSG;
	}
	lab->count = dims[0];
	lab->raw = raw;
	lab->labels = (uint8_t *)data;
	return 0;
}

void idx_free_images(struct idx_images *img)
{
	free(img->raw);
	memset(img, 0, sizeof(*img));
}

void idx_free_labels(struct idx_labels *lab)
{
	free(lab->raw);
	memset(lab, 0, sizeof(*lab));
}

int idx_find(const char *dir, const char *name, char *out, size_t out_size)
{
	snprintf(out, out_size, "%s/%s", dir, name);
	if (!access(out, F_OK))
		return 0;
	snprintf(out, out_size, "%s/%s.gz", dir, name);
	if (!access(out, F_OK))
		return 0;
	snprintf(out, out_size, "%s/%s[.gz]", dir, name);
	return -ENOENT;
}
