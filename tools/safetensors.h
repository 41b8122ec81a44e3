/* SPDX-License-Identifier: MIT */
/*
 * safetensors reader: an 8-byte little-endian header length, a JSON header
 * mapping tensor names to {"dtype", "shape", "data_offsets"} (plus an
 * optional "__metadata__" object of strings), then the raw little-endian
 * tensor bytes. Every field is checked: a truncated, corrupt or foreign
 * file gives an error with a reason, never a crash.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TOOLS_SAFETENSORS_H
#define QACCEL_TOOLS_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#define ST_MAX_DIMS	8
/* The format's own limit on the JSON header. */
#define ST_MAX_HEADER	(100u << 20)

enum st_dtype {
	ST_BOOL, ST_U8, ST_I8, ST_F8_E4M3, ST_F8_E5M2, ST_U16, ST_I16, ST_F16, ST_BF16,
	ST_U32, ST_I32, ST_F32, ST_U64, ST_I64, ST_F64,
	ST_DTYPE_COUNT
};

struct st_tensor {
	char *name;
	enum st_dtype dtype;
	unsigned int ndim;
	uint64_t shape[ST_MAX_DIMS];
	uint64_t numel;
	uint64_t begin, end;	/* data_offsets, relative to the byte buffer */
	const uint8_t *data;
};

struct st_meta {
	char *key;
	char *value;
};

struct safetensors {
	uint8_t *raw;		/* owned copy of the file (st_load()) */
	size_t size;
	struct st_tensor *tensors;
	unsigned int count;
	struct st_meta *meta;
	unsigned int nmeta;
};

/* Parse a file image (not copied: it must outlive st). Return 0 or -errno. */
int st_parse(const uint8_t *buf, size_t size, struct safetensors *st, char *why,
	     size_t why_size);
/* Read and parse a file (at most max_size bytes). */
int st_load(const char *path, size_t max_size, struct safetensors *st, char *why,
	    size_t why_size);
void st_free(struct safetensors *st);

const struct st_tensor *st_find(const struct safetensors *st, const char *name);
const char *st_meta_get(const struct safetensors *st, const char *key);
const char *st_dtype_name(enum st_dtype t);

/*
 * Convert a floating-point tensor (F32, F64, F16, BF16) to float32 into out
 * (numel floats). Return 0, -EOPNOTSUPP for other dtypes, -EDOM when a value
 * is NaN or infinite (or out of float range).
 */
int st_to_f32(const struct st_tensor *t, float *out);

#endif /* QACCEL_TOOLS_SAFETENSORS_H */
