// SPDX-License-Identifier: MIT
/*
 * Model files: a chain of quantized fully connected layers with their
 * packed QA1 weights, in a versioned, checksummed container
 * (Documentation/model-format.rst, model_format.h). Only the public API of
 * the library is used here.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qaccel.h"
#include "model_format.h"

/* Rows per block in qaccel_model_run(). */
#define QAM_RUN_ROWS	1024u

struct qa_model_layer {
	uint32_t k, n;
	enum qaccel_dtype in_type, out_type;
	float in_scale, out_scale;
	int32_t in_zp, out_zp;
	enum qaccel_activation act;
	int32_t act_min, act_max;
	float out_min, out_max;
	float *w_scales;
	uint64_t packed_size;
	const uint8_t *src_scales;	/* only while loading */
	const uint8_t *src_packed;
	struct qaccel_buffer *packed;
};

struct qaccel_model {
	struct qaccel_ctx *ctx;
	uint32_t nlayers;
	struct qa_model_layer *layers;
	struct qaccel_model_info info;
	pthread_mutex_t lock;		/* qaccel_model_run() scratch */
	struct qaccel_buffer *scratch[2];
	size_t row_bytes;		/* widest row of any activation */
};

/* ---------------------------------------------------------------------- */
/* little-endian helpers and CRC-32 */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int32_t gets32(const uint8_t *p)
{
	uint32_t v = get32(p);
	int32_t s;

	memcpy(&s, &v, sizeof(s));
	return s;
}

static float getf32(const uint8_t *p)
{
	uint32_t v = get32(p);
	float f;

	memcpy(&f, &v, sizeof(f));
	return f;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void puts32(uint8_t *p, int32_t v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof(u));
	put32(p, u);
}

static void putf32(uint8_t *p, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	put32(p, u);
}

static uint32_t qam_crc_table[256];
static pthread_once_t qam_crc_once = PTHREAD_ONCE_INIT;

static void qam_crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		qam_crc_table[i] = c;
	}
}

/* CRC-32 of IEEE 802.3 (reflected 0xedb88320, init and final xor ~0), as zlib. */
static uint32_t qam_crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	pthread_once(&qam_crc_once, qam_crc_init);
	while (len--)
		crc = qam_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

/* ---------------------------------------------------------------------- */
/* shared rules */

static bool type8(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_U8 || t == QACCEL_DTYPE_S8;
}

static int32_t type_min(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_U8 ? 0 : -128;
}

static int32_t type_max(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_U8 ? 255 : 127;
}

static bool zp_ok(enum qaccel_dtype t, int32_t zp)
{
	return type8(t) && zp >= type_min(t) && zp <= type_max(t);
}

static bool scale_ok(float s)
{
	return isfinite(s) && s > 0.0f;
}

static size_t elem_size(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_S32 ? 4 : 1;
}

/* Clamp bounds of an 8-bit output with a fused activation (as linear.c). */
static void act_bounds(enum qaccel_dtype t, float scale, int32_t zp,
		       enum qaccel_activation act, int32_t *lo, int32_t *hi)
{
	*lo = type_min(t);
	*hi = type_max(t);
	if (act != QACCEL_ACT_NONE)
		*lo = zp;
	if (act == QACCEL_ACT_RELU6) {
		double six = (double)zp + nearbyint(6.0 / (double)scale);

		if (six < *hi)
			*hi = (int32_t)six;
	}
}

static uint64_t align64(uint64_t v)
{
	return (v + 63) & ~(uint64_t)63;
}

/* ---------------------------------------------------------------------- */
/* writer */

static int check_desc(const struct qaccel_model_desc *d)
{
	uint32_t i, j, prev_n = 0;
	size_t sz, len;

	if (!d || !d->layers || d->layer_count < 1 ||
	    d->layer_count > QACCEL_MODEL_MAX_LAYERS)
		return -EINVAL;
	for (i = 0; i < sizeof(d->reserved) / sizeof(d->reserved[0]); i++)
		if (d->reserved[i])
			return -EINVAL;
	if (!zp_ok(d->in_type, d->in_zero_point) || !scale_ok(d->in_scale))
		return -EINVAL;
	if (d->info) {
		len = strnlen(d->info, QACCEL_MODEL_INFO_MAX);
		if (len >= QACCEL_MODEL_INFO_MAX)
			return -EINVAL;
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)d->info[i];

			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				return -EINVAL;
		}
	}
	for (i = 0; i < d->layer_count; i++) {
		const struct qaccel_model_layer_desc *l = &d->layers[i];
		bool last = i + 1 == d->layer_count;

		for (j = 0; j < sizeof(l->reserved) / sizeof(l->reserved[0]); j++)
			if (l->reserved[j])
				return -EINVAL;
		if (!l->weight || qaccel_packed_size(l->out_features, l->in_features, &sz))
			return -EINVAL;
		if (i && l->in_features != prev_n)
			return -EINVAL;
		if ((unsigned int)l->activation > QACCEL_ACT_RELU6)
			return -EINVAL;
		if (!isfinite(l->out_min) || !isfinite(l->out_max))
			return -EINVAL;
		if (l->out_type == QACCEL_DTYPE_S32) {
			if (!last || l->activation != QACCEL_ACT_NONE || l->out_zero_point)
				return -EINVAL;
		} else if (!zp_ok(l->out_type, l->out_zero_point) || !scale_ok(l->out_scale)) {
			return -EINVAL;
		}
		prev_n = l->out_features;
	}
	return 0;
}

QACCEL_API int qaccel_model_serialize(const struct qaccel_model_desc *d, void **data,
				      size_t *size)
{
	uint64_t off, total, scales_off[QACCEL_MODEL_MAX_LAYERS], packed_off[QACCEL_MODEL_MAX_LAYERS];
	size_t psize[QACCEL_MODEL_MAX_LAYERS];
	size_t info_len;
	float in_scale;
	uint8_t *buf;
	uint32_t i, j;
	int err;

	if (!data || !size)
		return -EINVAL;
	err = check_desc(d);
	if (err)
		return err;
	info_len = d->info ? strlen(d->info) : 0;

	off = QAM_HEADER_SIZE + (uint64_t)QAM_ENTRY_SIZE * d->layer_count + info_len;
	for (i = 0; i < d->layer_count; i++) {
		const struct qaccel_model_layer_desc *l = &d->layers[i];

		qaccel_packed_size(l->out_features, l->in_features, &psize[i]);
		off = align64(off);
		scales_off[i] = off;
		off = align64(off + 4ull * l->out_features);
		packed_off[i] = off;
		off += psize[i];
	}
	total = off + QAM_CRC_SIZE;
	if (total > QACCEL_MODEL_MAX_FILE || total > SIZE_MAX)
		return -EFBIG;

	buf = calloc(1, (size_t)total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + QAM_HDR_MAGIC, QAM_MAGIC, QAM_MAGIC_LEN);
	put16(buf + QAM_HDR_VERSION_MAJOR, QACCEL_MODEL_VERSION_MAJOR);
	put16(buf + QAM_HDR_VERSION_MINOR, QACCEL_MODEL_VERSION_MINOR);
	put32(buf + QAM_HDR_HEADER_SIZE, QAM_HEADER_SIZE);
	put32(buf + QAM_HDR_FLAGS, 0);
	put32(buf + QAM_HDR_LAYER_COUNT, d->layer_count);
	put64(buf + QAM_HDR_FILE_SIZE, total);
	put32(buf + QAM_HDR_TABLE_OFFSET, QAM_HEADER_SIZE);
	put32(buf + QAM_HDR_ENTRY_SIZE, QAM_ENTRY_SIZE);
	put32(buf + QAM_HDR_IN_TYPE, (uint32_t)d->in_type);
	putf32(buf + QAM_HDR_IN_SCALE, d->in_scale);
	puts32(buf + QAM_HDR_IN_ZP, d->in_zero_point);
	put32(buf + QAM_HDR_INFO_OFFSET,
	      (uint32_t)(QAM_HEADER_SIZE + QAM_ENTRY_SIZE * d->layer_count));
	put32(buf + QAM_HDR_INFO_SIZE, (uint32_t)info_len);
	if (info_len)
		memcpy(buf + QAM_HEADER_SIZE + QAM_ENTRY_SIZE * d->layer_count, d->info,
		       info_len);

	in_scale = d->in_scale;
	for (i = 0; i < d->layer_count; i++) {
		const struct qaccel_model_layer_desc *l = &d->layers[i];
		uint8_t *e = buf + QAM_HEADER_SIZE + (size_t)QAM_ENTRY_SIZE * i;
		struct qaccel_pack_desc pd;
		int32_t lo = 0, hi = 0;
		float *ws;

		ws = malloc(sizeof(float) * l->out_features);
		if (!ws) {
			free(buf);
			return -ENOMEM;
		}
		memset(&pd, 0, sizeof(pd));
		pd.n = l->out_features;
		pd.k = l->in_features;
		pd.layout = QACCEL_LAYOUT_NK;
		pd.w_type = QACCEL_DTYPE_F32;
		pd.weights = l->weight;
		pd.w_scales = ws;
		pd.a_scale = in_scale;
		pd.out_scale = l->out_type == QACCEL_DTYPE_S32 ? 0.0f : l->out_scale;
		pd.bias_f32 = l->bias;
		err = qaccel_pack_weights(&pd, buf + packed_off[i], psize[i]);
		if (err) {
			free(ws);
			free(buf);
			return err;
		}
		for (j = 0; j < l->out_features; j++)
			putf32(buf + scales_off[i] + 4ull * j, ws[j]);
		free(ws);

		if (l->out_type != QACCEL_DTYPE_S32)
			act_bounds(l->out_type, l->out_scale, l->out_zero_point, l->activation,
				   &lo, &hi);
		put32(e + QAM_L_IN_FEATURES, l->in_features);
		put32(e + QAM_L_OUT_FEATURES, l->out_features);
		put32(e + QAM_L_OUT_TYPE, (uint32_t)l->out_type);
		put32(e + QAM_L_ACTIVATION, (uint32_t)l->activation);
		putf32(e + QAM_L_OUT_SCALE, l->out_type == QACCEL_DTYPE_S32 ? 0.0f : l->out_scale);
		puts32(e + QAM_L_OUT_ZP, l->out_zero_point);
		puts32(e + QAM_L_ACT_MIN, lo);
		puts32(e + QAM_L_ACT_MAX, hi);
		putf32(e + QAM_L_OUT_MIN, l->out_min);
		putf32(e + QAM_L_OUT_MAX, l->out_max);
		put64(e + QAM_L_SCALES_OFFSET, scales_off[i]);
		put64(e + QAM_L_SCALES_SIZE, 4ull * l->out_features);
		put64(e + QAM_L_PACKED_OFFSET, packed_off[i]);
		put64(e + QAM_L_PACKED_SIZE, psize[i]);
		in_scale = l->out_scale;
	}
	put32(buf + total - QAM_CRC_SIZE, qam_crc32(buf, (size_t)total - QAM_CRC_SIZE));
	*data = buf;
	*size = (size_t)total;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

QACCEL_API int qaccel_model_save(const struct qaccel_model_desc *desc, const char *path)
{
	char *tmp;
	void *data;
	size_t size;
	int err, fd;

	if (!path || !*path)
		return -EINVAL;
	err = qaccel_model_serialize(desc, &data, &size);
	if (err)
		return err;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		free(data);
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = write_all(fd, data, size);
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	free(data);
	return err;
}

/* ---------------------------------------------------------------------- */
/* reader */

__attribute__((format(printf, 3, 4)))
static int fail(const struct qaccel_model_load_opts *o, int err, const char *fmt, ...)
{
	va_list ap;

	if (o && o->errbuf && o->errbuf_size) {
		va_start(ap, fmt);
		vsnprintf(o->errbuf, o->errbuf_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Is [off, off + len) inside the payload [0, end)? */
static bool in_file(uint64_t off, uint64_t len, uint64_t end)
{
	return off <= end && len <= end - off;
}

static int check_packed(const struct qaccel_model_load_opts *o, uint32_t idx,
			const struct qa_model_layer *l, const uint8_t *p)
{
	uint32_t n16 = (l->n + 15) & ~15u, k4 = l->k / 4 + (l->k % 4 != 0);
	uint64_t wbytes = (uint64_t)n16 * k4 * 4;
	const uint8_t *colsum = p + wbytes + 4ull * n16;
	const uint8_t *wzp = colsum + 4ull * n16;
	const uint8_t *mult = wzp + 4ull * n16;
	const uint8_t *shift = mult + 4ull * n16;
	uint32_t n, k;

	for (n = 0; n < l->n; n++) {
		int32_t z = gets32(wzp + 4ull * n), m = gets32(mult + 4ull * n);
		int32_t s = gets32(shift + 4ull * n);
		uint32_t sum = 0;

		if (z < -128 || z > 127)
			return fail(o, -EPROTO, "layer %u channel %u: weight zero point %d "
				    "outside s8", idx, n, z);
		if (l->out_type != QACCEL_DTYPE_S32 && (m < 0 || s < -31 || s > 30))
			return fail(o, -EPROTO, "layer %u channel %u: requantization "
				    "multiplier %d / shift %d out of range", idx, n, m, s);
		for (k = 0; k < l->k; k++) {
			uint64_t off = ((uint64_t)(n / 16) * k4 + k / 4) * 64 + (n % 16) * 4 + k % 4;

			sum += (uint32_t)(int32_t)(int8_t)p[off];
		}
		if (sum != get32(colsum + 4ull * n))
			return fail(o, -EPROTO, "layer %u channel %u: column sum does not "
				    "match the weights", idx, n);
	}
	return 0;
}

/* Parse and verify an image; fills m->layers (without buffers) and m->info. */
static int parse(const uint8_t *p, size_t size, const struct qaccel_model_load_opts *o,
		 struct qaccel_model *m)
{
	uint32_t major, minor, hsize, flags, count, toff, esize, ioff, isize, crc, i, j;
	enum qaccel_dtype in_type;
	uint64_t fsize, end, packed_total = 0;
	float in_scale;
	int32_t in_zp;
	int err;

	if (size < QAM_MAGIC_LEN) {
		if (memcmp(p, QAM_MAGIC, size))
			return fail(o, -ENOEXEC, "not a qaccel model file (bad magic)");
		return fail(o, -ENODATA, "truncated: %zu bytes, not even a header", size);
	}
	if (memcmp(p, QAM_MAGIC, QAM_MAGIC_LEN))
		return fail(o, -ENOEXEC, "not a qaccel model file (bad magic)");
	if (size < 12)
		return fail(o, -ENODATA, "truncated: %zu bytes, not even a header", size);
	major = get16(p + QAM_HDR_VERSION_MAJOR);
	minor = get16(p + QAM_HDR_VERSION_MINOR);
	if (major != QACCEL_MODEL_VERSION_MAJOR)
		return fail(o, -EPROTONOSUPPORT, "format version %u.%u is not supported "
			    "(this library reads %u.x)", major, minor,
			    QACCEL_MODEL_VERSION_MAJOR);
	if (size < QAM_HEADER_SIZE)
		return fail(o, -ENODATA, "truncated: %zu bytes, the header alone has %u",
			    size, QAM_HEADER_SIZE);
	fsize = get64(p + QAM_HDR_FILE_SIZE);
	if (fsize > size)
		return fail(o, -ENODATA, "truncated: %zu bytes, the header says %llu",
			    size, (unsigned long long)fsize);
	if (fsize < size)
		return fail(o, -EPROTO, "%llu bytes of trailing data after the model",
			    (unsigned long long)(size - fsize));
	if (fsize < QAM_HEADER_SIZE + QAM_CRC_SIZE)
		return fail(o, -EPROTO, "file size %llu in the header is too small",
			    (unsigned long long)fsize);
	end = fsize - QAM_CRC_SIZE;
	crc = qam_crc32(p, (size_t)end);
	if (crc != get32(p + end))
		return fail(o, -EBADMSG, "corrupt: CRC-32 is 0x%08x, the file says 0x%08x",
			    crc, get32(p + end));
	flags = get32(p + QAM_HDR_FLAGS);
	if (flags)
		return fail(o, -EPROTONOSUPPORT, "unknown feature flags 0x%x (version %u.%u)",
			    flags, major, minor);

	hsize = get32(p + QAM_HDR_HEADER_SIZE);
	count = get32(p + QAM_HDR_LAYER_COUNT);
	toff = get32(p + QAM_HDR_TABLE_OFFSET);
	esize = get32(p + QAM_HDR_ENTRY_SIZE);
	in_type = (enum qaccel_dtype)get32(p + QAM_HDR_IN_TYPE);
	in_scale = getf32(p + QAM_HDR_IN_SCALE);
	in_zp = gets32(p + QAM_HDR_IN_ZP);
	ioff = get32(p + QAM_HDR_INFO_OFFSET);
	isize = get32(p + QAM_HDR_INFO_SIZE);

	if (hsize < QAM_HEADER_SIZE || hsize > end)
		return fail(o, -EPROTO, "bad header size %u", hsize);
	if (count < 1 || count > QACCEL_MODEL_MAX_LAYERS)
		return fail(o, -EPROTO, "bad layer count %u (1 to %u)", count,
			    QACCEL_MODEL_MAX_LAYERS);
	if (esize < QAM_ENTRY_SIZE || esize % 8)
		return fail(o, -EPROTO, "bad layer entry size %u", esize);
	if (toff < hsize || !in_file(toff, (uint64_t)esize * count, end))
		return fail(o, -EPROTO, "layer table [%u, +%u x %u) outside the file",
			    toff, count, esize);
	if (isize >= QACCEL_MODEL_INFO_MAX || !in_file(ioff, isize, end))
		return fail(o, -EPROTO, "info text [%u, +%u) outside the file or too long",
			    ioff, isize);
	for (i = 0; i < isize; i++) {
		unsigned char c = p[ioff + i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return fail(o, -EPROTO, "info text holds control character 0x%02x", c);
	}
	if (!zp_ok(in_type, in_zp) || !scale_ok(in_scale))
		return fail(o, -EPROTO, "bad input quantization (type %u, scale %g, zero "
			    "point %d)", (unsigned int)in_type, (double)in_scale, in_zp);

	m->layers = calloc(count, sizeof(*m->layers));
	if (!m->layers)
		return -ENOMEM;
	m->nlayers = count;
	for (i = 0; i < count; i++) {
		const uint8_t *e = p + toff + (size_t)esize * i;
		struct qa_model_layer *l = &m->layers[i];
		uint64_t soff, ssize, poff, psize;
		int32_t lo, hi;
		size_t want;

		l->k = get32(e + QAM_L_IN_FEATURES);
		l->n = get32(e + QAM_L_OUT_FEATURES);
		l->out_type = (enum qaccel_dtype)get32(e + QAM_L_OUT_TYPE);
		l->act = (enum qaccel_activation)get32(e + QAM_L_ACTIVATION);
		l->out_scale = getf32(e + QAM_L_OUT_SCALE);
		l->out_zp = gets32(e + QAM_L_OUT_ZP);
		l->act_min = gets32(e + QAM_L_ACT_MIN);
		l->act_max = gets32(e + QAM_L_ACT_MAX);
		l->out_min = getf32(e + QAM_L_OUT_MIN);
		l->out_max = getf32(e + QAM_L_OUT_MAX);
		soff = get64(e + QAM_L_SCALES_OFFSET);
		ssize = get64(e + QAM_L_SCALES_SIZE);
		poff = get64(e + QAM_L_PACKED_OFFSET);
		psize = get64(e + QAM_L_PACKED_SIZE);
		l->in_type = in_type;
		l->in_scale = in_scale;
		l->in_zp = in_zp;

		if (get32(e + QAM_L_FLAGS) || get32(e + QAM_L_RESERVED0))
			return fail(o, -EPROTO, "layer %u: non-zero flags or reserved field", i);
		for (j = QAM_L_RESERVED1; j < QAM_ENTRY_SIZE; j++)
			if (e[j])
				return fail(o, -EPROTO, "layer %u: non-zero reserved bytes", i);
		if (qaccel_packed_size(l->n, l->k, &want))
			return fail(o, -EPROTO, "layer %u: bad size %u x %u", i, l->k, l->n);
		if (i && l->k != m->layers[i - 1].n)
			return fail(o, -EPROTO, "layer %u takes %u inputs but layer %u gives %u",
				    i, l->k, i - 1, m->layers[i - 1].n);
		if ((unsigned int)l->act > QACCEL_ACT_RELU6)
			return fail(o, -EPROTO, "layer %u: unknown activation %u", i,
				    (unsigned int)l->act);
		if (l->out_type == QACCEL_DTYPE_S32) {
			if (i + 1 != count || l->act != QACCEL_ACT_NONE || l->out_zp ||
			    l->act_min || l->act_max || l->out_scale != 0.0f)
				return fail(o, -EPROTO, "layer %u: s32 output only for the last "
					    "layer, without activation or quantization", i);
		} else if (type8(l->out_type)) {
			if (!zp_ok(l->out_type, l->out_zp) || !scale_ok(l->out_scale))
				return fail(o, -EPROTO, "layer %u: bad output quantization "
					    "(scale %g, zero point %d)", i,
					    (double)l->out_scale, l->out_zp);
			act_bounds(l->out_type, l->out_scale, l->out_zp, l->act, &lo, &hi);
			if (l->act_min != lo || l->act_max != hi)
				return fail(o, -EPROTO, "layer %u: clamp [%d, %d] does not match "
					    "the activation (expected [%d, %d])", i,
					    l->act_min, l->act_max, lo, hi);
		} else {
			return fail(o, -EPROTO, "layer %u: unknown output type %u", i,
				    (unsigned int)l->out_type);
		}
		if (!isfinite(l->out_min) || !isfinite(l->out_max))
			return fail(o, -EPROTO, "layer %u: non-finite calibrated range", i);
		if (ssize != 4ull * l->n || soff % 4 || soff < hsize || !in_file(soff, ssize, end))
			return fail(o, -EPROTO, "layer %u: weight scales [%llu, +%llu) invalid",
				    i, (unsigned long long)soff, (unsigned long long)ssize);
		if (psize != want || poff % 64 || poff < hsize || !in_file(poff, psize, end))
			return fail(o, -EPROTO, "layer %u: packed block [%llu, +%llu) invalid "
				    "(expected %zu bytes, 64-byte aligned)", i,
				    (unsigned long long)poff, (unsigned long long)psize, want);
		for (j = 0; j < l->n; j++)
			if (!scale_ok(getf32(p + soff + 4ull * j)))
				return fail(o, -EPROTO, "layer %u channel %u: bad weight scale",
					    i, j);
		err = check_packed(o, i, l, p + poff);
		if (err)
			return err;
		l->packed_size = psize;
		l->src_scales = p + soff;
		l->src_packed = p + poff;
		packed_total += psize;
		in_type = l->out_type;
		in_scale = l->out_scale;
		in_zp = l->out_zp;
	}

	m->info.version_major = major;
	m->info.version_minor = minor;
	m->info.layer_count = count;
	m->info.in_features = m->layers[0].k;
	m->info.out_features = m->layers[count - 1].n;
	m->info.in_type = m->layers[0].in_type;
	m->info.out_type = m->layers[count - 1].out_type;
	m->info.in_scale = m->layers[0].in_scale;
	m->info.in_zero_point = m->layers[0].in_zp;
	m->info.crc32 = crc;
	m->info.file_size = fsize;
	m->info.packed_bytes = packed_total;
	memcpy(m->info.info, p + ioff, isize);
	m->info.info[isize] = '\0';
	return 0;
}

static void model_free(struct qaccel_model *m)
{
	uint32_t i;

	if (!m)
		return;
	qaccel_buffer_free(m->scratch[0]);
	qaccel_buffer_free(m->scratch[1]);
	for (i = 0; m->layers && i < m->nlayers; i++) {
		qaccel_buffer_free(m->layers[i].packed);
		free(m->layers[i].w_scales);
	}
	free(m->layers);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static int check_opts(const struct qaccel_model_load_opts *o)
{
	unsigned int i;

	if (!o)
		return 0;
	if (o->flags || (o->errbuf_size && !o->errbuf))
		return -EINVAL;
	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return -EINVAL;
	return 0;
}

QACCEL_API int qaccel_model_load_mem(struct qaccel_ctx *ctx, const void *data, size_t size,
				     const struct qaccel_model_load_opts *o,
				     struct qaccel_model **out)
{
	struct qaccel_model *m;
	uint32_t i, j;
	size_t row = 0;
	int err;

	if (check_opts(o))
		return -EINVAL;
	if (o && o->errbuf_size)
		o->errbuf[0] = '\0';
	if (!ctx || !out || (!data && size))
		return fail(o, -EINVAL, "invalid argument");
	if (size > QACCEL_MODEL_MAX_FILE)
		return fail(o, -EFBIG, "%zu bytes: larger than the %llu a model may have",
			    size, (unsigned long long)QACCEL_MODEL_MAX_FILE);
	m = calloc(1, sizeof(*m));
	if (!m)
		return fail(o, -ENOMEM, "out of memory");
	pthread_mutex_init(&m->lock, NULL);
	err = parse(data ? data : "", size, o, m);
	if (err) {
		if (err == -ENOMEM)
			fail(o, err, "out of memory");
		model_free(m);
		return err;
	}
	for (i = 0; i < m->nlayers; i++) {
		struct qa_model_layer *l = &m->layers[i];
		size_t w;

		l->w_scales = malloc(sizeof(float) * l->n);
		if (!l->w_scales) {
			err = -ENOMEM;
			goto fail_alloc;
		}
		for (j = 0; j < l->n; j++)
			l->w_scales[j] = getf32(l->src_scales + 4ull * j);
		err = qaccel_buffer_alloc(ctx, (size_t)l->packed_size,
					  QACCEL_BUFFER_DEVICE_READONLY, &l->packed);
		if (err)
			goto fail_alloc;
		memcpy(qaccel_buffer_ptr(l->packed), l->src_packed, (size_t)l->packed_size);
		l->src_packed = NULL;
		l->src_scales = NULL;
		if (l->k > row)
			row = l->k;
		w = (size_t)l->n * elem_size(l->out_type);
		if (w > row)
			row = w;
	}
	m->row_bytes = (row + 63) & ~(size_t)63;
	m->ctx = ctx;
	*out = m;
	return 0;
fail_alloc:
	fail(o, err, "allocating the layers: %s", qaccel_strerror(err));
	model_free(m);
	return err;
}

QACCEL_API int qaccel_model_load(struct qaccel_ctx *ctx, const char *path,
				 const struct qaccel_model_load_opts *o,
				 struct qaccel_model **out)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, err;

	if (check_opts(o))
		return -EINVAL;
	if (!ctx || !path || !out)
		return fail(o, -EINVAL, "invalid argument");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return fail(o, err, "%s: %s", path, strerror(-err));
	}
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return fail(o, err, "%s: %s", path, strerror(-err));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return fail(o, -EISDIR, "%s: is a directory", path);
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > QACCEL_MODEL_MAX_FILE) {
		close(fd);
		return fail(o, -EFBIG, "%s: %lld bytes: larger than a model may be", path,
			    (long long)st.st_size);
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : (S_ISREG(st.st_mode) && st.st_size > 0 ?
						       (size_t)st.st_size + 1 : 65536);
			uint8_t *nb;

			if (cap > QACCEL_MODEL_MAX_FILE) {
				free(buf);
				close(fd);
				return fail(o, -EFBIG, "%s: larger than a model may be", path);
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				close(fd);
				return fail(o, -ENOMEM, "%s: out of memory", path);
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			free(buf);
			close(fd);
			return fail(o, err, "%s: %s", path, strerror(-err));
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	err = qaccel_model_load_mem(ctx, buf, len, o, out);
	free(buf);
	if (err && o && o->errbuf && o->errbuf_size) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", o->errbuf);
		snprintf(o->errbuf, o->errbuf_size, "%s: %s", path, msg);
	}
	return err;
}

QACCEL_API void qaccel_model_destroy(struct qaccel_model *m)
{
	model_free(m);
}

QACCEL_API int qaccel_model_info(const struct qaccel_model *m, struct qaccel_model_info *info)
{
	if (!m || !info)
		return -EINVAL;
	*info = m->info;
	return 0;
}

QACCEL_API int qaccel_model_layer_info(const struct qaccel_model *m, unsigned int idx,
				       struct qaccel_model_layer_info *info)
{
	const struct qa_model_layer *l;

	if (!m || !info || idx >= m->nlayers)
		return -EINVAL;
	l = &m->layers[idx];
	memset(info, 0, sizeof(*info));
	info->in_features = l->k;
	info->out_features = l->n;
	info->in_type = l->in_type;
	info->out_type = l->out_type;
	info->in_scale = l->in_scale;
	info->in_zero_point = l->in_zp;
	info->out_scale = l->out_scale;
	info->out_zero_point = l->out_zp;
	info->activation = l->act;
	info->act_min = l->act_min;
	info->act_max = l->act_max;
	info->out_min = l->out_min;
	info->out_max = l->out_max;
	info->w_scales = l->w_scales;
	info->packed_size = l->packed_size;
	return 0;
}

QACCEL_API int qaccel_model_layer_job(const struct qaccel_model *m, unsigned int idx,
				      struct qaccel_buffer *in, uint64_t in_offset, uint32_t rows,
				      struct qaccel_buffer *out, uint64_t out_offset,
				      struct qaccel_gemm_job *job)
{
	const struct qa_model_layer *l;

	if (!m || idx >= m->nlayers || !in || !out || !job || !rows)
		return -EINVAL;
	l = &m->layers[idx];
	memset(job, 0, sizeof(*job));
	job->a = in;
	job->a_offset = in_offset;
	job->w = l->packed;
	job->c = out;
	job->c_offset = out_offset;
	job->m = rows;
	job->n = l->n;
	job->k = l->k;
	job->lda = l->k;
	job->ldc = (uint32_t)(l->n * elem_size(l->out_type));
	job->a_type = l->in_type;
	job->out_type = l->out_type;
	job->a_zp = l->in_zp;
	job->out_zp = l->out_zp;
	job->act_min = l->act_min;
	job->act_max = l->act_max;
	return 0;
}

QACCEL_API int qaccel_model_run(struct qaccel_model *m, const void *input, uint32_t rows,
				void *output)
{
	struct qaccel_gemm_job jobs[QACCEL_MODEL_MAX_LAYERS];
	const uint8_t *src = input;
	uint8_t *dst = output;
	size_t in_row, out_row;
	uint32_t done, i;
	int err = 0;

	if (!m || !input || !output || !rows)
		return -EINVAL;
	in_row = m->layers[0].k;
	out_row = (size_t)m->layers[m->nlayers - 1].n *
		  elem_size(m->layers[m->nlayers - 1].out_type);

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < 2; i++) {
		if (m->scratch[i])
			continue;
		err = qaccel_buffer_alloc(m->ctx, m->row_bytes * QAM_RUN_ROWS, 0,
					  &m->scratch[i]);
		if (err)
			goto out;
	}
	for (done = 0; done < rows; ) {
		uint32_t n = rows - done < QAM_RUN_ROWS ? rows - done : QAM_RUN_ROWS;

		memcpy(qaccel_buffer_ptr(m->scratch[0]), src + (size_t)done * in_row,
		       (size_t)n * in_row);
		for (i = 0; i < m->nlayers; i++)
			qaccel_model_layer_job(m, i, m->scratch[i % 2], 0, n,
					       m->scratch[(i + 1) % 2], 0, &jobs[i]);
		err = qaccel_run(m->ctx, jobs, m->nlayers);
		if (err)
			goto out;
		memcpy(dst + (size_t)done * out_row,
		       qaccel_buffer_ptr(m->scratch[m->nlayers % 2]), (size_t)n * out_row);
		done += n;
	}
out:
	pthread_mutex_unlock(&m->lock);
	return err;
}

QACCEL_API int qaccel_model_dequantize(const struct qaccel_model *m, const void *output,
				       uint32_t rows, float *y)
{
	const struct qa_model_layer *l;
	const uint8_t *p = output;
	size_t r, n;

	if (!m || !output || !y)
		return -EINVAL;
	l = &m->layers[m->nlayers - 1];
	for (r = 0; r < rows; r++) {
		for (n = 0; n < l->n; n++) {
			size_t i = r * l->n + n;

			switch (l->out_type) {
			case QACCEL_DTYPE_S32:
				y[i] = (float)gets32(p + 4 * i) * l->in_scale * l->w_scales[n];
				break;
			case QACCEL_DTYPE_S8:
				y[i] = (float)((int32_t)(int8_t)p[i] - l->out_zp) * l->out_scale;
				break;
			default:
				y[i] = (float)((int32_t)p[i] - l->out_zp) * l->out_scale;
				break;
			}
		}
	}
	return 0;
}
