/* SPDX-License-Identifier: MIT */
/*
 * IDX files (the MNIST / Fashion-MNIST container): images idx3-ubyte and
 * labels idx1-ubyte, plain or gzip-compressed.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TOOLS_IDX_H
#define QACCEL_TOOLS_IDX_H

#include <stddef.h>
#include <stdint.h>

/* Images: count rows of rows * cols u8 pixels, row major. */
struct idx_images {
	uint32_t count, rows, cols;
	uint8_t *pixels;	/* count * rows * cols */
	uint8_t *raw;		/* the file, owning pixels */
};

struct idx_labels {
	uint32_t count;
	uint8_t *labels;
	uint8_t *raw;
};

/*
 * Load an idx3-ubyte image file / idx1-ubyte label file. On failure return
 * -errno and write a one-line reason into why (e.g. "bad magic 0x..., not
 * an idx3-ubyte image file", "truncated: 1000 data bytes, header says 7840000").
 */
int idx_load_images(const char *path, struct idx_images *img, char *why, size_t why_size);
int idx_load_labels(const char *path, struct idx_labels *lab, char *why, size_t why_size);
void idx_free_images(struct idx_images *img);
void idx_free_labels(struct idx_labels *lab);

/*
 * Find "<dir>/<name>" or "<dir>/<name>.gz" (name e.g.
 * "t10k-images-idx3-ubyte"); writes the path found into out. Returns 0 or
 * -ENOENT.
 */
int idx_find(const char *dir, const char *name, char *out, size_t out_size);

#endif /* QACCEL_TOOLS_IDX_H */
