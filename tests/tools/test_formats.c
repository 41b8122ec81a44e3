// SPDX-License-Identifier: MIT
/*
 * File format tests of the tools and the model files: the safetensors
 * reader, the IDX reader, the float MLP loader, and qaccel model files
 * (round trip, execution, and every kind of damage: truncation, bit
 * flips, foreign magic, future versions, inconsistent contents with a
 * valid checksum). Built with ASan and UBSan. Prints TAP.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "qaccel.h"
#include "model_format.h"
#include "idx.h"
#include "mlp.h"
#include "safetensors.h"
#include "util.h"

static int t_count, t_failed;
static char tmpdir[256];

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	t_count++;
	printf("%sok %d ", cond ? "" : "not ", t_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		t_failed++;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

/* ---------------------------------------------------------------------- */
/* safetensors */

struct tbuf {
	uint8_t *p;
	size_t n;
};

/* Build a safetensors image from a header text and a data blob. */
static struct tbuf st_image(const char *header, const void *data, size_t dlen)
{
	size_t hl = strlen(header);
	struct tbuf b;
	size_t i;

	b.n = 8 + hl + dlen;
	b.p = malloc(b.n + 1);
	for (i = 0; i < 8; i++)
		b.p[i] = (uint8_t)((uint64_t)hl >> (8 * i));
	memcpy(b.p + 8, header, hl);
	if (dlen)
		memcpy(b.p + 8 + hl, data, dlen);
	return b;
}

static int st_try(const char *header, const void *data, size_t dlen, struct safetensors *st)
{
	struct tbuf b = st_image(header, data, dlen);
	char why[256] = "";
	int err = st_parse(b.p, b.n, st, why, sizeof(why));

	if (err && !why[0])
		err = -12345;	/* every error must explain itself */
	if (!err)
		st_free(st);
	free(b.p);
	return err;
}

static void test_safetensors(void)
{
	static const char good[] =
		"{\"__metadata__\":{\"format\":\"x\",\"k\\u00e9y\":\"v\\n\"},"
		"\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
		"\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
		"\"c\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[20,22]},"
		"\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[22,30]},"
		"\"e\":{\"dtype\":\"I8\",\"shape\":[],\"data_offsets\":[30,31]}}   ";
	uint8_t data[31];
	float f4[4] = { 1.0f, -2.5f, 3.25f, 1e-3f }, out[4];
	double d = -0.125;
	struct safetensors st;
	struct tbuf b;
	char why[256];
	const struct st_tensor *t;
	int err, bad = 0;
	size_t n, i;

	memcpy(data, f4, 16);
	data[16] = 0x00; data[17] = 0x3c;	/* F16 1.0 */
	data[18] = 0x00; data[19] = 0xc0;	/* F16 -2.0 */
	data[20] = 0xc0; data[21] = 0x3f;	/* BF16 1.5 */
	memcpy(data + 22, &d, 8);
	data[30] = 7;
	b = st_image(good, data, sizeof(data));
	err = st_parse(b.p, b.n, &st, why, sizeof(why));
	ok(!err && st.count == 5 && st.nmeta == 2, "safetensors: valid file parses (%s)",
	   err ? why : "5 tensors");
	if (!err) {
		t = st_find(&st, "a");
		ok(t && t->ndim == 2 && t->numel == 4 && !st_to_f32(t, out) &&
		   !memcmp(out, f4, 16), "safetensors: F32 values");
		t = st_find(&st, "b");
		ok(t && !st_to_f32(t, out) && out[0] == 1.0f && out[1] == -2.0f,
		   "safetensors: F16 conversion");
		t = st_find(&st, "c");
		ok(t && !st_to_f32(t, out) && out[0] == 1.5f, "safetensors: BF16 conversion");
		t = st_find(&st, "d");
		ok(t && !st_to_f32(t, out) && out[0] == -0.125f, "safetensors: F64 conversion");
		t = st_find(&st, "e");
		ok(t && t->ndim == 0 && t->numel == 1 && st_to_f32(t, out) == -EOPNOTSUPP,
		   "safetensors: scalar I8 tensor, not convertible to float");
		ok(st_meta_get(&st, "k\xc3\xa9y") && !strcmp(st_meta_get(&st, "k\xc3\xa9y"), "v\n"),
		   "safetensors: metadata with \\u escapes");
		st_free(&st);
	}

	/* Every truncation fails cleanly. */
	for (n = 0; n < b.n; n++) {
		if (!st_parse(b.p, n, &st, why, sizeof(why))) {
			st_free(&st);
			bad++;
		}
	}
	ok(!bad, "safetensors: all %zu truncations rejected", b.n);

	/* Random damage never crashes (ASan watches). */
	for (i = 0; i < 3000; i++) {
		uint8_t *p = malloc(b.n);
		unsigned int flips = 1 + rnd() % 4, f;

		memcpy(p, b.p, b.n);
		for (f = 0; f < flips; f++)
			p[rnd() % b.n] ^= (uint8_t)(1u << (rnd() % 8));
		if (!st_parse(p, b.n, &st, why, sizeof(why)))
			st_free(&st);
		free(p);
	}
	ok(true, "safetensors: 3000 damaged images parsed without a crash");
	free(b.p);

	ok(st_try("{}", NULL, 0, &st) == 0, "safetensors: empty header accepted");
	b = st_image("{}", NULL, 0);
	b.p[7] = 0x40;
	ok(st_parse(b.p, b.n, &st, why, sizeof(why)) == -ENOEXEC,
	   "safetensors: absurd header length is a foreign file (%s)", why);
	free(b.p);
	b = st_image("\x89PNG\r\n", NULL, 0);
	ok(st_parse(b.p, b.n, &st, why, sizeof(why)) == -ENOEXEC,
	   "safetensors: PNG-like start is a foreign file");
	free(b.p);
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data, 4,
		  &st) == -EBADMSG, "safetensors: data past the end rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data, 8,
		  &st) == -EBADMSG, "safetensors: size/shape mismatch rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		  "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", data, 6,
		  &st) == -EBADMSG, "safetensors: overlapping tensors rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data, 8,
		  &st) == -EBADMSG, "safetensors: hole in the data rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data, 8,
		  &st) == -EBADMSG, "safetensors: trailing data rejected");
	ok(st_try("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", data, 1,
		  &st) == -EBADMSG, "safetensors: unknown dtype rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data, 4,
		  &st) == -EBADMSG, "safetensors: negative dimension rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", data, 4,
		  &st) == -EBADMSG, "safetensors: fractional dimension rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", data, 4,
		  &st) == -EBADMSG, "safetensors: leading zero rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}",
		  data, 4, &st) == -EBADMSG, "safetensors: unknown field rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		  "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data, 8,
		  &st) == -EBADMSG, "safetensors: duplicate name rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],"
		  "\"data_offsets\":[0,4]}}", data, 4, &st) == -EBADMSG,
	   "safetensors: huge dimension rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],"
		  "\"data_offsets\":[0,4]}}", data, 4, &st) == -EBADMSG,
	   "safetensors: element count overflow rejected");
	ok(st_try("{\"__metadata__\":{\"k\":1}}", NULL, 0, &st) == -EBADMSG,
	   "safetensors: non-string metadata rejected");
	ok(st_try("{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]}", NULL, 0, &st) ==
	   -EBADMSG, "safetensors: deep nesting rejected");
	ok(st_try("{\"a\\ud800\":1}", NULL, 0, &st) == -EBADMSG,
	   "safetensors: lone surrogate rejected");
	ok(st_try("{\"a\\u0000\":1}", NULL, 0, &st) == -EBADMSG,
	   "safetensors: NUL escape rejected");
	ok(st_try("{\"a\":{} ,}", NULL, 0, &st) == -EBADMSG,
	   "safetensors: trailing comma rejected");
	ok(st_try("{\"a\":\"x\tz\"}", NULL, 0, &st) == -EBADMSG,
	   "safetensors: raw control character rejected");
	ok(st_try("{} x", NULL, 0, &st) == -EBADMSG,
	   "safetensors: text after the object rejected");
	ok(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
		  "\x00\x00\xc0\x7f", 4, &st) == 0, "safetensors: NaN data parses");
	{
		struct tbuf nb = st_image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
					  "\"data_offsets\":[0,4]}}", "\x00\x00\xc0\x7f", 4);

		err = st_parse(nb.p, nb.n, &st, why, sizeof(why));
		ok(!err && st_to_f32(st_find(&st, "a"), out) == -EDOM,
		   "safetensors: NaN refused on conversion");
		if (!err)
			st_free(&st);
		free(nb.p);
	}
}

/* ---------------------------------------------------------------------- */
/* IDX */

static void test_idx(void)
{
	uint8_t img[16 + 2 * 3 * 4], lab[8 + 2];
	struct idx_images im;
	struct idx_labels lb;
	char path[512], why[256];
	size_t i;
	gzFile gz;
	int err, bad = 0;

	memset(img, 0, sizeof(img));
	img[2] = 0x08; img[3] = 0x03;
	img[7] = 2; img[11] = 3; img[15] = 4;
	for (i = 16; i < sizeof(img); i++)
		img[i] = (uint8_t)i;
	memset(lab, 0, sizeof(lab));
	lab[2] = 0x08; lab[3] = 0x01; lab[7] = 2; lab[8] = 5; lab[9] = 9;

	snprintf(path, sizeof(path), "%s/img", tmpdir);
	write_bytes(path, img, sizeof(img));
	err = idx_load_images(path, &im, why, sizeof(why));
	ok(!err && im.count == 2 && im.rows == 3 && im.cols == 4 && im.pixels[0] == 16,
	   "idx: images load");
	idx_free_images(&im);
	snprintf(path, sizeof(path), "%s/lab", tmpdir);
	write_bytes(path, lab, sizeof(lab));
	err = idx_load_labels(path, &lb, why, sizeof(why));
	ok(!err && lb.count == 2 && lb.labels[1] == 9, "idx: labels load");
	idx_free_labels(&lb);
	ok(idx_load_images(path, &im, why, sizeof(why)) == -ENOEXEC,
	   "idx: a label file is not an image file (%s)", why);

	snprintf(path, sizeof(path), "%s/img.gz", tmpdir);
	gz = gzopen(path, "wb");
	gzwrite(gz, img, sizeof(img));
	gzclose(gz);
	err = idx_load_images(path, &im, why, sizeof(why));
	ok(!err && im.count == 2 && im.pixels[23] == 39, "idx: gzip-compressed images load");
	idx_free_images(&im);
	{
		uint8_t *raw;
		size_t size;
		const char *reason;

		read_file(path, 1 << 20, &raw, &size, &reason);
		for (i = 0; i + 1 < size; i++) {
			char p2[512];

			snprintf(p2, sizeof(p2), "%s/cut.gz", tmpdir);
			write_bytes(p2, raw, i);
			if (!idx_load_images(p2, &im, why, sizeof(why))) {
				idx_free_images(&im);
				bad++;
			}
		}
		free(raw);
		ok(!bad, "idx: every truncated gzip file rejected (%zu)", size - 1);
	}
	bad = 0;
	for (i = 0; i < sizeof(img); i++) {
		snprintf(path, sizeof(path), "%s/cut", tmpdir);
		write_bytes(path, img, i);
		if (!idx_load_images(path, &im, why, sizeof(why))) {
			idx_free_images(&im);
			bad++;
		}
	}
	ok(!bad, "idx: every truncated image file rejected");
	img[7] = 0;
	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_bytes(path, img, 16);
	ok(idx_load_images(path, &im, why, sizeof(why)) == -EBADMSG, "idx: empty set rejected");
	snprintf(path, sizeof(path), "%s/nonexistent", tmpdir);
	ok(idx_load_images(path, &im, why, sizeof(why)) == -ENOENT, "idx: missing file");
	ok(idx_load_images(tmpdir, &im, why, sizeof(why)) == -EISDIR, "idx: a directory");
	ok(idx_find(tmpdir, "img", path, sizeof(path)) == 0 &&
	   idx_find(tmpdir, "nothing", path, sizeof(path)) == -ENOENT, "idx: idx_find()");
}

/* ---------------------------------------------------------------------- */
/* float MLP loader */

static void test_mlp(void)
{
	float w1[3 * 2] = { 1, 2, 3, 4, 5, 6 }, b1[3] = { 0.5f, -1, 0 }, w2[2 * 3] = { 1, -1, 0, 0, 1, 1 };
	uint8_t data[64];
	char path[512], why[256];
	struct tbuf b;
	struct mlp m;
	float x[2] = { 1, 1 }, h[3], y[2], *outs[2] = { h, y };
	int err;

	memcpy(data, w1, 24);
	memcpy(data + 24, b1, 12);
	memcpy(data + 36, w2, 24);
	b = st_image("{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
		     "\"fc1.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]},"
		     "\"fc2.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[36,60]}}",
		     data, 60);
	snprintf(path, sizeof(path), "%s/m.safetensors", tmpdir);
	write_bytes(path, b.p, b.n);
	free(b.p);
	err = mlp_load(path, &m, why, sizeof(why));
	ok(!err && m.nlayers == 2 && m.in[0] == 2 && m.out[0] == 3 && m.out[1] == 2 &&
	   m.b[1] && m.b[1][0] == 0.0f, "mlp: two layers, missing bias is zero (%s)",
	   err ? why : "ok");
	if (!err) {
		/* h = relu([3.5, 6, 11]); y = [3.5 - 6, 6 + 11] */
		mlp_forward(&m, x, 1, outs);
		ok(h[0] == 3.5f && h[1] == 6.0f && h[2] == 11.0f && y[0] == -2.5f && y[1] == 17.0f,
		   "mlp: forward pass");
		mlp_free(&m);
	}
	b = st_image("{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
		     "\"fc2.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]}}",
		     data, 40);
	write_bytes(path, b.p, b.n);
	free(b.p);
	ok(mlp_load(path, &m, why, sizeof(why)) == -EBADMSG, "mlp: mismatched chain (%s)", why);
	b = st_image("{\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
		     "\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[24,40]}}",
		     data, 40);
	write_bytes(path, b.p, b.n);
	free(b.p);
	ok(mlp_load(path, &m, why, sizeof(why)) == -EBADMSG, "mlp: foreign tensor (%s)", why);
	b = st_image("{\"fc1.weight\":{\"dtype\":\"I32\",\"shape\":[3,2],\"data_offsets\":[0,24]}}",
		     data, 24);
	write_bytes(path, b.p, b.n);
	free(b.p);
	ok(mlp_load(path, &m, why, sizeof(why)) == -EOPNOTSUPP, "mlp: integer weights (%s)", why);
	b = st_image("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data, 4);
	write_bytes(path, b.p, b.n);
	free(b.p);
	ok(mlp_load(path, &m, why, sizeof(why)) == -EBADMSG, "mlp: no fc1.weight (%s)", why);
}

/* ---------------------------------------------------------------------- */
/* model files */

#define K0 37
#define N0 20
#define N1 7

static float W0[N0 * K0], B0[N0], W1[N1 * N0], B1[N1];

static void model_desc(struct qaccel_model_desc *d, struct qaccel_model_layer_desc *l,
		       enum qaccel_dtype last)
{
	unsigned int i;

	for (i = 0; i < N0 * K0; i++)
		W0[i] = ((float)(rnd() % 2001) - 1000.0f) / 1000.0f;
	for (i = 0; i < N0; i++)
		B0[i] = ((float)(rnd() % 201) - 100.0f) / 100.0f;
	for (i = 0; i < N1 * N0; i++)
		W1[i] = ((float)(rnd() % 2001) - 1000.0f) / 2000.0f;
	for (i = 0; i < N1; i++)
		B1[i] = ((float)(rnd() % 201) - 100.0f) / 50.0f;
	memset(d, 0, sizeof(*d));
	memset(l, 0, 2 * sizeof(*l));
	l[0].in_features = K0;
	l[0].out_features = N0;
	l[0].weight = W0;
	l[0].bias = B0;
	l[0].out_type = QACCEL_DTYPE_U8;
	l[0].out_scale = 0.05f;
	l[0].activation = QACCEL_ACT_RELU;
	l[0].out_max = 12.75f;
	l[1].in_features = N0;
	l[1].out_features = N1;
	l[1].weight = W1;
	l[1].bias = B1;
	l[1].out_type = last;
	l[1].out_scale = last == QACCEL_DTYPE_S32 ? 0.0f : 0.1f;
	l[1].out_zero_point = last == QACCEL_DTYPE_S8 ? -3 : 0;
	d->layer_count = 2;
	d->layers = l;
	d->in_type = QACCEL_DTYPE_U8;
	d->in_scale = 1.0f / 255.0f;
	d->info = "unit test\tmodel";
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0L, p, (uInt)n);
}

/* Fix the stored CRC after editing an image. */
static void fix_crc(uint8_t *p, size_t n)
{
	uint32_t c = crc32_of(p, n - 4);

	p[n - 4] = (uint8_t)c;
	p[n - 3] = (uint8_t)(c >> 8);
	p[n - 2] = (uint8_t)(c >> 16);
	p[n - 1] = (uint8_t)(c >> 24);
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int try_load(struct qaccel_ctx *ctx, const uint8_t *p, size_t n, char *why,
		    size_t why_size)
{
	struct qaccel_model_load_opts o = { .errbuf = why, .errbuf_size = why_size };
	struct qaccel_model *m = NULL;
	int err;

	why[0] = '\0';
	err = qaccel_model_load_mem(ctx, p, n, &o, &m);
	qaccel_model_destroy(m);
	if (err && !why[0])
		return -12345;
	return err;
}

/* Edit a copy of the image, fix its CRC, and expect err. */
static void expect_edit(struct qaccel_ctx *ctx, const uint8_t *img, size_t n, size_t off,
			uint32_t value, int want, const char *what)
{
	uint8_t *p = malloc(n);
	char why[256];
	int err;

	memcpy(p, img, n);
	put32le(p + off, value);
	fix_crc(p, n);
	err = try_load(ctx, p, n, why, sizeof(why));
	ok(err == want, "model: %s -> %d (%s)", what, err, why);
	free(p);
}

static void test_model(void)
{
	struct qaccel_model_layer_desc l[2];
	struct qaccel_model_desc d;
	struct qaccel_model_info info;
	struct qaccel_model_layer_info li;
	struct qaccel_model_load_opts lo;
	struct qaccel_open_opts oo = { .backend = QACCEL_BACKEND_CPU };
	struct qaccel_ctx *ctx;
	struct qaccel_model *m = NULL;
	uint8_t *img, *p, in[5 * K0];
	size_t n, i, e1 = QAM_HEADER_SIZE + QAM_ENTRY_SIZE;
	char why[256], path[512];
	void *data;
	int err, bad;

	if (qaccel_open(&ctx, &oo)) {
		ok(false, "model: open a CPU context");
		return;
	}
	model_desc(&d, l, QACCEL_DTYPE_S32);
	err = qaccel_model_serialize(&d, &data, &n);
	ok(!err, "model: serialize a 2-layer model (%zu bytes)", n);
	if (err)
		return;
	img = data;
	ok(!memcmp(img, "\x89QAM\r\n\x1a\n", 8) && crc32_of(img, n - 4) ==
	   ((uint32_t)img[n - 4] | (uint32_t)img[n - 3] << 8 | (uint32_t)img[n - 2] << 16 |
	    (uint32_t)img[n - 1] << 24), "model: magic and zlib-compatible CRC-32");

	memset(&lo, 0, sizeof(lo));
	lo.errbuf = why;
	lo.errbuf_size = sizeof(why);
	err = qaccel_model_load_mem(ctx, img, n, &lo, &m);
	ok(!err, "model: load from memory (%s)", err ? why : "ok");
	if (err)
		return;
	qaccel_model_info(m, &info);
	ok(info.layer_count == 2 && info.in_features == K0 && info.out_features == N1 &&
	   info.out_type == QACCEL_DTYPE_S32 && info.file_size == n &&
	   !strcmp(info.info, "unit test\tmodel") && info.version_major == 1,
	   "model: info matches the description");
	ok(!qaccel_model_layer_info(m, 1, &li) && li.in_type == QACCEL_DTYPE_U8 &&
	   li.in_scale == 0.05f && li.act_min == 0 && li.act_max == 0 && li.w_scales &&
	   qaccel_model_layer_info(m, 2, &li) == -EINVAL, "model: layer info");
	{
		struct qaccel_model_layer_info l0;

		qaccel_model_layer_info(m, 0, &l0);
		ok(l0.act_min == 0 && l0.act_max == 255 && l0.out_scale == 0.05f &&
		   l0.out_max == 12.75f, "model: ReLU fused as clamp [0, 255]");
	}

	/* Execution: qaccel_model_run() equals the chained layer jobs, and the
	 * dequantized output is close to the float network. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)rnd();
	{
		int32_t out[5 * N1], out2[5 * N1];
		float y[5 * N1], ref[5 * N1], h[N0];
		struct qaccel_buffer *b0, *b1, *b2;
		struct qaccel_gemm_job jobs[2];
		double sig = 0, noise = 0;
		unsigned int r, j, k;

		err = qaccel_model_run(m, in, 5, out);
		ok(!err, "model: qaccel_model_run()");
		qaccel_buffer_alloc(ctx, sizeof(in), 0, &b0);
		qaccel_buffer_alloc(ctx, 5 * N0, 0, &b1);
		qaccel_buffer_alloc(ctx, sizeof(out2), 0, &b2);
		memcpy(qaccel_buffer_ptr(b0), in, sizeof(in));
		qaccel_model_layer_job(m, 0, b0, 0, 5, b1, 0, &jobs[0]);
		qaccel_model_layer_job(m, 1, b1, 0, 5, b2, 0, &jobs[1]);
		err = qaccel_run(ctx, jobs, 2);
		memcpy(out2, qaccel_buffer_ptr(b2), sizeof(out2));
		ok(!err && !memcmp(out, out2, sizeof(out)), "model: layer jobs give the same");
		qaccel_buffer_free(b0);
		qaccel_buffer_free(b1);
		qaccel_buffer_free(b2);
		qaccel_model_dequantize(m, out, 5, y);
		for (r = 0; r < 5; r++) {
			for (j = 0; j < N0; j++) {
				float s = B0[j];

				for (k = 0; k < K0; k++)
					s += W0[j * K0 + k] * in[r * K0 + k] / 255.0f;
				h[j] = s > 0 ? s : 0;
			}
			for (j = 0; j < N1; j++) {
				float s = B1[j];

				for (k = 0; k < N0; k++)
					s += W1[j * N0 + k] * h[k];
				ref[r * N1 + j] = s;
			}
		}
		for (i = 0; i < 5 * N1; i++) {
			sig += (double)ref[i] * ref[i];
			noise += ((double)ref[i] - y[i]) * ((double)ref[i] - y[i]);
		}
		ok(noise * 300 < sig, "model: int8 output close to float (SQNR %.1f dB)",
		   10 * log10(sig / noise));
	}
	ok(qaccel_model_run(m, in, 0, in) == -EINVAL && qaccel_model_run(NULL, in, 1, in) ==
	   -EINVAL, "model: qaccel_model_run() argument checks");
	qaccel_model_destroy(m);

	/* Damage. */
	bad = 0;
	for (i = 0; i < n; i++) {
		err = try_load(ctx, img, i, why, sizeof(why));
		if (err != -ENODATA)
			bad++;
	}
	ok(!bad, "model: all %zu truncations -> -ENODATA", n);
	bad = 0;
	p = malloc(n + 1);
	for (i = 8 * 12; i < 8 * n; i += 1 + rnd() % 7) {
		memcpy(p, img, n);
		p[i / 8] ^= (uint8_t)(1u << (i % 8));
		err = try_load(ctx, p, n, why, sizeof(why));
		/* A damaged size field reads as truncated or trailing data. */
		if (i / 8 >= QAM_HDR_FILE_SIZE && i / 8 < QAM_HDR_FILE_SIZE + 8) {
			if (err != -ENODATA && err != -EPROTO)
				bad++;
		} else if (err != -EBADMSG) {
			bad++;
		}
	}
	ok(!bad, "model: single bit flips after the version -> -EBADMSG");
	memcpy(p, img, n);
	p[1] = 'X';
	ok(try_load(ctx, p, n, why, sizeof(why)) == -ENOEXEC, "model: foreign magic (%s)", why);
	ok(try_load(ctx, (const uint8_t *)"PK\3\4", 4, why, sizeof(why)) == -ENOEXEC,
	   "model: short foreign file");
	memcpy(p, img, n);
	p[8] = 2;
	ok(try_load(ctx, p, n, why, sizeof(why)) == -EPROTONOSUPPORT,
	   "model: future major version (%s)", why);
	memcpy(p, img, n);
	p[n] = 0;
	ok(try_load(ctx, p, n + 1, why, sizeof(why)) == -EPROTO, "model: trailing byte (%s)",
	   why);
	free(p);

	expect_edit(ctx, img, n, QAM_HDR_VERSION_MAJOR, 1 | 7u << 16, 0, "newer minor version loads");
	expect_edit(ctx, img, n, QAM_HDR_FLAGS, 1, -EPROTONOSUPPORT, "unknown feature flag");
	expect_edit(ctx, img, n, QAM_HDR_LAYER_COUNT, 0, -EPROTO, "zero layers");
	expect_edit(ctx, img, n, QAM_HDR_LAYER_COUNT, 65, -EPROTO, "65 layers");
	expect_edit(ctx, img, n, QAM_HDR_LAYER_COUNT, 3, -EPROTO, "layer count past the table");
	expect_edit(ctx, img, n, QAM_HDR_ENTRY_SIZE, 100, -EPROTO, "short layer entries");
	expect_edit(ctx, img, n, QAM_HDR_TABLE_OFFSET, 0xfffffff0u, -EPROTO, "table outside");
	expect_edit(ctx, img, n, QAM_HDR_INFO_SIZE, 5000, -EPROTO, "info too long");
	expect_edit(ctx, img, n, QAM_HDR_IN_TYPE, 3, -EPROTO, "s32 model input");
	expect_edit(ctx, img, n, QAM_HDR_IN_SCALE, 0x7fc00000u, -EPROTO, "NaN input scale");
	expect_edit(ctx, img, n, QAM_HDR_IN_ZP, 256, -EPROTO, "input zero point out of range");
	expect_edit(ctx, img, n, e1 + QAM_L_IN_FEATURES, 21, -EPROTO, "layer sizes do not chain");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_OUT_TYPE, 3, -EPROTO,
		    "s32 output before the last layer");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_OUT_TYPE, 9, -EPROTO, "unknown type");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_ACTIVATION, 3, -EPROTO,
		    "unknown activation");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_ACT_MAX, 200, -EPROTO,
		    "clamp does not match the activation");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_OUT_SCALE, 0, -EPROTO, "zero scale");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_OUT_MIN, 0x7f800000u, -EPROTO,
		    "infinite calibrated range");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_FLAGS, 1, -EPROTO, "layer flags");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_RESERVED1 + 8, 1, -EPROTO,
		    "reserved bytes");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_PACKED_OFFSET, (uint32_t)n, -EPROTO,
		    "packed block outside the file");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_PACKED_OFFSET, 65, -EPROTO,
		    "misaligned packed block");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_PACKED_SIZE, 64, -EPROTO,
		    "packed block of the wrong size");
	expect_edit(ctx, img, n, QAM_HEADER_SIZE + QAM_L_SCALES_SIZE, 4, -EPROTO,
		    "weight scales of the wrong size");
	{
		/* Inside the packed block: a weight, a shift, a scale. */
		const uint8_t *e = img + QAM_HEADER_SIZE;
		uint64_t poff = (uint64_t)e[QAM_L_PACKED_OFFSET] | (uint64_t)e[QAM_L_PACKED_OFFSET + 1] << 8 |
				(uint64_t)e[QAM_L_PACKED_OFFSET + 2] << 16;
		uint64_t soff = (uint64_t)e[QAM_L_SCALES_OFFSET] | (uint64_t)e[QAM_L_SCALES_OFFSET + 1] << 8 |
				(uint64_t)e[QAM_L_SCALES_OFFSET + 2] << 16;
		uint32_t n16 = 32, k4 = (K0 + 3) / 4;
		uint64_t shift_off = poff + (uint64_t)n16 * k4 * 4 + 4ull * 4 * n16;

		p = malloc(n);
		memcpy(p, img, n);
		p[poff] ^= 0x01;
		fix_crc(p, n);
		ok(try_load(ctx, p, n, why, sizeof(why)) == -EPROTO,
		   "model: weights that do not match the column sums (%s)", why);
		free(p);
		expect_edit(ctx, img, n, shift_off, 31, -EPROTO, "shift out of range");
		expect_edit(ctx, img, n, soff, 0xbf800000u, -EPROTO, "negative weight scale");
	}

	/* Files. */
	snprintf(path, sizeof(path), "%s/m.qaccel", tmpdir);
	ok(!qaccel_model_save(&d, path), "model: qaccel_model_save()");
	lo.errbuf = why;
	err = qaccel_model_load(ctx, path, &lo, &m);
	ok(!err, "model: qaccel_model_load() of the saved file (%s)", err ? why : "ok");
	qaccel_model_destroy(m);
	m = NULL;
	snprintf(path, sizeof(path), "%s/none.qaccel", tmpdir);
	ok(qaccel_model_load(ctx, path, &lo, &m) == -ENOENT && strstr(why, "none.qaccel"),
	   "model: missing file -> -ENOENT (%s)", why);
	ok(qaccel_model_load(ctx, tmpdir, &lo, &m) == -EISDIR, "model: a directory -> -EISDIR");
	snprintf(path, sizeof(path), "%s/no/such/dir/m.qaccel", tmpdir);
	ok(qaccel_model_save(&d, path) == -ENOENT, "model: save into a missing directory");
	free(data);

	/* s8 logits round trip, and invalid descriptions. */
	model_desc(&d, l, QACCEL_DTYPE_S8);
	err = qaccel_model_serialize(&d, &data, &n);
	if (!err) {
		err = qaccel_model_load_mem(ctx, data, n, &lo, &m);
		free(data);
	}
	ok(!err, "model: s8 logits");
	if (!err) {
		int8_t o8[N1];
		float y[N1];

		ok(!qaccel_model_run(m, in, 1, o8) && !qaccel_model_dequantize(m, o8, 1, y) &&
		   fabsf(y[0] - (o8[0] + 3) * 0.1f) < 1e-6f, "model: s8 output dequantized");
		qaccel_model_destroy(m);
	}
	l[0].out_type = QACCEL_DTYPE_S32;
	ok(qaccel_model_serialize(&d, &data, &n) == -EINVAL, "model: s32 inside -> -EINVAL");
	l[0].out_type = QACCEL_DTYPE_U8;
	l[1].in_features = 19;
	ok(qaccel_model_serialize(&d, &data, &n) == -EINVAL, "model: broken chain -> -EINVAL");
	l[1].in_features = N0;
	W0[3] = NAN;
	ok(qaccel_model_serialize(&d, &data, &n) == -EINVAL, "model: NaN weight -> -EINVAL");
	W0[3] = 0;
	d.info = "bad\x01info";
	ok(qaccel_model_serialize(&d, &data, &n) == -EINVAL, "model: control character in info");
	d.info = NULL;
	d.reserved[0] = 1;
	ok(qaccel_model_serialize(&d, &data, &n) == -EINVAL, "model: reserved field");
	d.reserved[0] = 0;
	d.layer_count = 0;
	ok(qaccel_model_serialize(&d, &data, &n) == -EINVAL, "model: no layer");
	lo.flags = 1;
	ok(qaccel_model_load_mem(ctx, img, 0, &lo, &m) == -EINVAL, "model: unknown load flag");
	qaccel_close(ctx);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/qaccel-test-formats-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("TAP version 13\n");
	test_safetensors();
	test_idx();
	test_mlp();
	test_model();
	printf("1..%d\n", t_count);
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return t_failed ? 1 : 0;
}
