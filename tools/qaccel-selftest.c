// SPDX-License-Identifier: MIT
/*
 * qaccel-selftest: self-test of a qaccel backend for board bring-up.
 *
 * Identification and parameter sanity, known-answer GEMMs covering the
 * edge cases of the QA1 contract (expected outputs computed by hand and
 * written below), random GEMMs against the reference engine (qa1e_gemm(),
 * compiled in from driver/qaccel_engine.c), completion ordering, a
 * throughput figure and, where the device offers fault injection, fault
 * recovery. Output is KTAP; exit status 0 (pass), 1 (a test failed),
 * 2 (bad usage), 4 (every test skipped).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "qaccel.h"
#include "qaccel_engine.h"
#include "util.h"

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

struct st {
	struct qaccel_ctx *ctx;
	struct qaccel_backend_info info;
	bool jobs_ok;			/* the context runs jobs */
	char no_jobs[160];		/* why not */
	uint64_t rng;
	unsigned long random_cases;
	double tput_time;
	bool verbose;
};

/* ---------------------------------------------------------------------- */
/* KTAP */

static unsigned int t_num, t_pass, t_fail, t_skip;

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void result(const char *name, int res, const char *skip_reason)
{
	t_num++;
	if (res == KSFT_SKIP) {
		printf("ok %u %s # SKIP %s\n", t_num, name, skip_reason);
		t_skip++;
	} else if (res == KSFT_PASS) {
		printf("ok %u %s\n", t_num, name);
		t_pass++;
	} else {
		printf("not ok %u %s\n", t_num, name);
		t_fail++;
	}
	fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* helpers */

static uint32_t rnd(struct st *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (uint32_t)(s->rng >> 16);
}

static int32_t rnd_range(struct st *s, int32_t lo, int32_t hi)
{
	return lo + (int32_t)(rnd(s) % (uint32_t)(hi - lo + 1));
}

struct gemm {
	uint32_t m, n, k, lda, ldc;
	enum qaccel_dtype a_type, out_type;
	int32_t a_zp, out_zp, act_min, act_max;
	const uint8_t *a;		/* m rows, lda apart */
	const int8_t *w;		/* [k][n] s8 */
	const int32_t *w_zp, *bias, *mult, *shift;	/* n each, may be NULL */
};

static size_t out_size(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_S32 ? 4 : 1;
}

/* Pack g's weights (s8, KN layout) with explicit requantization arrays. */
static int pack(const struct gemm *g, uint8_t **packed, size_t *size)
{
	struct qaccel_pack_desc pd;
	int32_t *zm = NULL, *zs = NULL;
	int err;

	err = qaccel_packed_size(g->n, g->k, size);
	if (err)
		return err;
	*packed = calloc(1, *size);
	if (!*packed)
		return -ENOMEM;
	memset(&pd, 0, sizeof(pd));
	pd.n = g->n;
	pd.k = g->k;
	pd.layout = QACCEL_LAYOUT_KN;
	pd.w_type = QACCEL_DTYPE_S8;
	pd.weights = g->w;
	pd.w_zero_points = g->w_zp;
	pd.bias_s32 = g->bias;
	if (g->out_type != QACCEL_DTYPE_S32) {
		if (!g->mult) {
			zm = calloc(g->n, sizeof(int32_t));
			zs = calloc(g->n, sizeof(int32_t));
			if (!zm || !zs) {
				err = -ENOMEM;
				goto out;
			}
		}
		pd.mult = g->mult ? g->mult : zm;
		pd.shift = g->shift ? g->shift : zs;
	}
	err = qaccel_pack_weights(&pd, *packed, *size);
out:
	free(zm);
	free(zs);
	if (err) {
		free(*packed);
		*packed = NULL;
	}
	return err;
}

/*
 * Run g on the context. c receives m rows of ldc bytes (initialised by the
 * caller: bytes the job must not write are compared too).
 */
static int run_ctx(struct st *s, const struct gemm *g, const uint8_t *packed, size_t psize,
		   uint8_t *c)
{
	struct qaccel_buffer *ba = NULL, *bw = NULL, *bc = NULL;
	size_t asize = (size_t)g->lda * g->m, csize = (size_t)g->ldc * g->m;
	struct qaccel_gemm_job j;
	int err;

	err = qaccel_buffer_alloc(s->ctx, asize, 0, &ba);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, psize, QACCEL_BUFFER_DEVICE_READONLY, &bw);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, csize, 0, &bc);
	if (err)
		goto out;
	memcpy(qaccel_buffer_ptr(ba), g->a, asize);
	memcpy(qaccel_buffer_ptr(bw), packed, psize);
	memcpy(qaccel_buffer_ptr(bc), c, csize);
	memset(&j, 0, sizeof(j));
	j.a = ba;
	j.w = bw;
	j.c = bc;
	j.m = g->m;
	j.n = g->n;
	j.k = g->k;
	j.lda = g->lda;
	j.ldc = g->ldc;
	j.a_type = g->a_type;
	j.out_type = g->out_type;
	j.a_zp = g->a_zp;
	j.out_zp = g->out_zp;
	j.act_min = g->act_min;
	j.act_max = g->act_max;
	err = qaccel_run(s->ctx, &j, 1);
	if (!err)
		memcpy(c, qaccel_buffer_ptr(bc), csize);
out:
	qaccel_buffer_free(ba);
	qaccel_buffer_free(bw);
	qaccel_buffer_free(bc);
	return err;
}

/* The reference engine on the same packed block. */
static void run_ref(const struct gemm *g, const uint8_t *packed, uint8_t *c)
{
	struct qa1e_gemm e = {
		.m = g->m, .n = g->n, .k = g->k, .lda = g->lda, .ldc = g->ldc,
		.a_signed = g->a_type == QACCEL_DTYPE_S8,
		.out_type = g->out_type == QACCEL_DTYPE_S8 ? QA1E_OUT_S8 :
			    g->out_type == QACCEL_DTYPE_U8 ? QA1E_OUT_U8 : QA1E_OUT_S32,
		.a_zp = g->a_zp, .out_zp = g->out_zp,
		.act_min = g->act_min, .act_max = g->act_max,
	};

	qa1e_gemm(&e, g->a, packed, c);
}

static int32_t out_value(const struct gemm *g, const uint8_t *c, uint32_t row, uint32_t col)
{
	const uint8_t *p = c + (size_t)row * g->ldc + (size_t)col * out_size(g->out_type);
	int32_t v;

	switch (g->out_type) {
	case QACCEL_DTYPE_S32:
		v = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			      (uint32_t)p[3] << 24);
		return v;
	case QACCEL_DTYPE_S8:
		return (int8_t)p[0];
	default:
		return p[0];
	}
}

/* ---------------------------------------------------------------------- */
/* identification */

static int test_identify(struct st *s)
{
	struct qaccel_backend_info *list, *me = NULL;
	struct qaccel_backend_info *b = &s->info;
	unsigned int count = 0, i;
	int fails = 0;

#define CHECK(cond, ...) do {						\
		if (!(cond)) {						\
			diag("identify: " __VA_ARGS__);			\
			fails++;					\
		}							\
	} while (0)

	CHECK(b->kind == qaccel_ctx_backend(s->ctx), "kind %d != context backend %d",
	      b->kind, qaccel_ctx_backend(s->ctx));
	CHECK(b->max_m >= 1 && b->max_n >= 1 && b->max_k >= 1, "limits M %u N %u K %u",
	      b->max_m, b->max_n, b->max_k);
	CHECK((b->caps & (QACCEL_CAP_A_U8 | QACCEL_CAP_A_S8)) != 0, "no input type in caps 0x%x",
	      b->caps);
	CHECK((b->caps & (QACCEL_CAP_OUT_S8 | QACCEL_CAP_OUT_U8 | QACCEL_CAP_OUT_S32)) != 0,
	      "no output type in caps 0x%x", b->caps);
	if (b->kind == QACCEL_BACKEND_CPU) {
		CHECK(b->isa != QACCEL_ISA_AUTO && (b->isa_mask & (1u << b->isa)),
		      "isa %s not in the mask 0x%x", qaccel_isa_name(b->isa), b->isa_mask);
		CHECK(b->isa_mask & (1u << QACCEL_ISA_SCALAR), "scalar missing from the mask");
		CHECK(b->threads >= 1 && b->threads <= QACCEL_MAX_THREADS, "threads %u",
		      b->threads);
		CHECK(qaccel_ctx_isa(s->ctx) == b->isa, "ctx isa %d != info isa %d",
		      qaccel_ctx_isa(s->ctx), b->isa);
	} else {
		CHECK(!strcmp(b->name, "qaccel"), "driver name \"%s\"", b->name);
		CHECK(b->uapi_version >= 1, "uapi version %u", b->uapi_version);
		CHECK(b->device_id != 0, "engine id register reads 0");
		CHECK(b->page_size >= 4096 && !(b->page_size & (b->page_size - 1)),
		      "page size %u", b->page_size);
		CHECK(b->va_bits >= 20 && b->va_bits <= 64, "va bits %u", b->va_bits);
		CHECK(b->va_start < b->va_end, "va range [0x%llx, 0x%llx)",
		      (unsigned long long)b->va_start, (unsigned long long)b->va_end);
		CHECK(b->va_bits == 64 || b->va_end <= (1ull << b->va_bits),
		      "va end 0x%llx beyond %u bits", (unsigned long long)b->va_end, b->va_bits);
		CHECK(b->ring_entries >= 2 && !(b->ring_entries & (b->ring_entries - 1)),
		      "ring entries %u", b->ring_entries);
		CHECK(b->max_jobs >= 1, "max jobs %u", b->max_jobs);
		CHECK(b->max_queues >= 1, "max queues %u", b->max_queues);
		CHECK(b->max_bo_size >= b->page_size, "max bo size %llu",
		      (unsigned long long)b->max_bo_size);
		CHECK(b->caps & QACCEL_CAP_MMU, "no MMU capability");
	}
	/* The listing must describe the same backend the same way. */
	if (qaccel_list_backends(NULL, 0, &count) || !count) {
		diag("identify: qaccel_list_backends() failed");
		fails++;
	} else {
		list = calloc(count, sizeof(*list));
		if (list && !qaccel_list_backends(list, count, &count)) {
			for (i = 0; i < count; i++)
				if (list[i].kind == b->kind &&
				    (b->kind == QACCEL_BACKEND_CPU || !strcmp(list[i].path, b->path)))
					me = &list[i];
			if (!me) {
				diag("identify: the backend is missing from qaccel_list_backends()");
				fails++;
			} else {
				CHECK(me->caps == b->caps && me->max_m == b->max_m &&
				      me->max_n == b->max_n && me->max_k == b->max_k &&
				      me->uapi_version == b->uapi_version &&
				      me->device_id == b->device_id &&
				      me->hw_version == b->hw_version,
				      "qaccel_list_backends() and qaccel_ctx_info() disagree");
			}
		}
		free(list);
	}
#undef CHECK
	if (b->kind == QACCEL_BACKEND_CPU)
		diag("cpu backend: isa %s, %u threads, caps 0x%x, limits %u/%u/%u",
		     qaccel_isa_name(b->isa), b->threads, b->caps, b->max_m, b->max_n, b->max_k);
	else
		diag("device %s: driver %u.%u.%u, uapi %u, engine 0x%08x v%u.%u.%u%s, caps 0x%x",
		     b->path, b->drv_major, b->drv_minor, b->drv_patch, b->uapi_version,
		     b->device_id, b->hw_version >> 16, (b->hw_version >> 8) & 0xff,
		     b->hw_version & 0xff, b->emulated ? " (emulated)" : "", b->caps);
	return fails ? KSFT_FAIL : KSFT_PASS;
}

/* ---------------------------------------------------------------------- */
/* known-answer GEMMs */

/*
 * One known answer: the GEMM, the expected outputs (row major, m x n) and
 * the bytes outside the outputs that must keep their fill value.
 */
static int kat(struct st *s, const char *name, const struct gemm *g, const int32_t *expect)
{
	size_t csize = (size_t)g->ldc * g->m, psize;
	uint8_t *packed, *c, *ref;
	uint32_t r, col;
	int err, bad = 0;
	size_t i;

	err = pack(g, &packed, &psize);
	if (err) {
		diag("%s: packing: %s", name, qaccel_strerror(err));
		return KSFT_FAIL;
	}
	c = malloc(csize);
	ref = malloc(csize);
	if (!c || !ref) {
		free(packed);
		free(c);
		free(ref);
		return KSFT_FAIL;
	}
	memset(c, 0xa5, csize);
	memset(ref, 0xa5, csize);
	err = run_ctx(s, g, packed, psize, c);
	if (err) {
		diag("%s: job failed: %s", name, qaccel_strerror(err));
		bad++;
	} else {
		run_ref(g, packed, ref);
		for (r = 0; r < g->m; r++) {
			for (col = 0; col < g->n; col++) {
				int32_t got = out_value(g, c, r, col);
				int32_t want = expect[r * g->n + col];
				int32_t rv = out_value(g, ref, r, col);

				if (got != want || rv != want) {
					if (bad < 8)
						diag("%s: C[%u][%u] = %d, reference engine %d, "
						     "expected %d", name, r, col, got, rv, want);
					bad++;
				}
			}
		}
		/* Bytes between rows (ldc padding) stay untouched. */
		for (i = 0; i < csize; i++) {
			size_t inrow = i % g->ldc;

			if (inrow >= (size_t)g->n * out_size(g->out_type) && c[i] != 0xa5) {
				if (bad < 8)
					diag("%s: padding byte %zu written", name, i);
				bad++;
			}
		}
	}
	free(packed);
	free(c);
	free(ref);
	return bad ? KSFT_FAIL : KSFT_PASS;
}

/* 1 x 4 by 4 x 1, no zero points: 1 + 2 + 3 + 4 = 10. */
static int kat_dot(struct st *s)
{
	static const uint8_t a[4] = { 1, 2, 3, 4 };
	static const int8_t w[4] = { 1, 1, 1, 1 };
	static const int32_t want[1] = { 10 };
	struct gemm g = { .m = 1, .n = 1, .k = 4, .lda = 4, .ldc = 4,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S32, .a = a, .w = w };

	return kat(s, "kat_dot", &g, want);
}

/*
 * Zero points and bias: a (u8, zp 128) = 130 126 128 200 -> 2 -2 0 72;
 * w (s8, zp 1) = 3 -1 5 1 -> 2 -2 4 0; sum 4 + 4 + 0 + 0 = 8; bias 5 -> 13.
 * Second channel w = 0 0 0 0 with zp -2 -> 2 2 2 2: 4 - 4 + 0 + 144 = 144;
 * bias -100 -> 44.
 */
static int kat_zero_points(struct st *s)
{
	static const uint8_t a[4] = { 130, 126, 128, 200 };
	static const int8_t w[8] = { 3, 0, -1, 0, 5, 0, 1, 0 };	/* [k][n] */
	static const int32_t wzp[2] = { 1, -2 }, bias[2] = { 5, -100 };
	static const int32_t want[2] = { 13, 44 };
	struct gemm g = { .m = 1, .n = 2, .k = 4, .lda = 4, .ldc = 8,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S32, .a_zp = 128,
			  .a = a, .w = w, .w_zp = wzp, .bias = bias };

	return kat(s, "kat_zero_points", &g, want);
}

/*
 * Signed A with a zero point: a (s8, zp -3) = -128 127 -> -125 130;
 * w = 1 1 -> -125 + 130 = 5; w = -128 127 -> 16000 + 16510 = 32510.
 */
static int kat_signed_a(struct st *s)
{
	static const uint8_t a[2] = { 0x80, 0x7f };
	static const int8_t w[4] = { 1, -128, 1, 127 };
	static const int32_t want[2] = { 5, 32510 };
	struct gemm g = { .m = 1, .n = 2, .k = 2, .lda = 2, .ldc = 8,
			  .a_type = QACCEL_DTYPE_S8, .out_type = QACCEL_DTYPE_S32, .a_zp = -3,
			  .a = a, .w = w };

	return kat(s, "kat_signed_a", &g, want);
}

/*
 * Wrapping accumulation, two ways.
 * Bias: a = 255 x 4, w = -128 x 4 (sum -130560) plus bias -2^31 + 100 gives
 * -2147614108, below -2^31; modulo 2^32 that is 2147353188.
 * Long K (when the backend allows K = 65800): 65800 products 255 x -128 =
 * -32640 sum to -2147712000; modulo 2^32 that is 2147255296.
 */
static int kat_wrap(struct st *s)
{
	enum { K = 65800 };
	static const uint8_t a4[4] = { 255, 255, 255, 255 };
	static const int8_t w4[4] = { -128, -128, -128, -128 };
	static const int32_t bias[1] = { -2147483647 - 1 + 100 };
	static const int32_t want_bias[1] = { 2147353188 };
	static const int32_t want_long[1] = { 2147255296 };
	struct gemm g = { .m = 1, .n = 1, .k = 4, .lda = 4, .ldc = 4,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S32, .a = a4, .w = w4,
			  .bias = bias };
	uint8_t *a;
	int8_t *w;
	int r;

	r = kat(s, "kat_wrap (bias)", &g, want_bias);
	if (r != KSFT_PASS)
		return r;
	if (s->info.max_k < K) {
		diag("kat_wrap: long-K case skipped: the backend allows K <= %u", s->info.max_k);
		return r;
	}
	a = malloc(K);
	w = malloc(K);
	if (!a || !w) {
		free(a);
		free(w);
		return KSFT_FAIL;
	}
	memset(a, 255, K);
	memset(w, 0x80, K);
	memset(&g, 0, sizeof(g));
	g.m = 1;
	g.n = 1;
	g.k = K;
	g.lda = K;
	g.ldc = 4;
	g.a_type = QACCEL_DTYPE_U8;
	g.out_type = QACCEL_DTYPE_S32;
	g.a = a;
	g.w = w;
	r = kat(s, "kat_wrap (long K)", &g, want_long);
	free(a);
	free(w);
	return r;
}

/*
 * Requantization rounding (gemmlowp double rounding). Accumulators
 * 5 -5 6 -6 (a = 1, w = 5 -5 6 -6).
 * Channels 0, 1: mult 2^30, shift 0 (x 0.5): SaturatingRoundingDoublingHighMul
 * rounds ties towards +infinity: 2.5 -> 3, -2.5 -> -2.
 * Channels 2, 3: mult 2^30, shift -1 (x 0.25): high mul 6 -> 3, -6 -> -3,
 * then RoundingDivideByPOT by 2 rounds ties away from zero: 1.5 -> 2,
 * -1.5 -> -2. Output s8, zero point 0.
 */
static int kat_requant_rounding(struct st *s)
{
	static const uint8_t a[1] = { 1 };
	static const int8_t w[4] = { 5, -5, 6, -6 };
	static const int32_t mult[4] = { 1 << 30, 1 << 30, 1 << 30, 1 << 30 };
	static const int32_t shift[4] = { 0, 0, -1, -1 };
	static const int32_t want[4] = { 3, -2, 2, -2 };
	struct gemm g = { .m = 1, .n = 4, .k = 1, .lda = 1, .ldc = 4,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S8,
			  .act_min = -128, .act_max = 127, .a = a, .w = w, .mult = mult,
			  .shift = shift };

	return kat(s, "kat_requant_rounding", &g, want);
}

/*
 * Left shift, zero point, fused ReLU-style clamp and saturation, u8 output:
 * accumulators 100 -100 3 40 (a = 1); mult 2^30 (0.5), shift 1 (x 2): x 1.0.
 * out_zp 10, clamp [10, 60]: 110 -> 60, -90 -> 10, 13 -> 13, 50 -> 50.
 */
static int kat_clamp(struct st *s)
{
	static const uint8_t a[1] = { 1 };
	static const int8_t w[4] = { 100, -100, 3, 40 };
	static const int32_t mult[4] = { 1 << 30, 1 << 30, 1 << 30, 1 << 30 };
	static const int32_t shift[4] = { 1, 1, 1, 1 };
	static const int32_t want[4] = { 60, 10, 13, 50 };
	struct gemm g = { .m = 1, .n = 4, .k = 1, .lda = 1, .ldc = 4,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_U8, .out_zp = 10,
			  .act_min = 10, .act_max = 60, .a = a, .w = w, .mult = mult,
			  .shift = shift };

	return kat(s, "kat_clamp", &g, want);
}

/*
 * Saturation: accumulators 64770 and -64770 (a = 255 255, w = 127 127 and
 * -127 -127) shifted left by 30 saturate to 2^31 - 1 and -2^31 before the
 * multiplication by mult 2^31 - 1 (about x 1.0); the s8 output then clamps
 * to 127 and -128.
 */
static int kat_saturate(struct st *s)
{
	static const uint8_t a[2] = { 255, 255 };
	static const int8_t w[4] = { 127, -127, 127, -127 };
	static const int32_t mult[2] = { 0x7fffffff, 0x7fffffff };
	static const int32_t shift[2] = { 30, 30 };
	static const int32_t want[2] = { 127, -128 };
	struct gemm g = { .m = 1, .n = 2, .k = 2, .lda = 2, .ldc = 2,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S8,
			  .act_min = -128, .act_max = 127, .a = a, .w = w, .mult = mult,
			  .shift = shift };

	return kat(s, "kat_saturate", &g, want);
}

/*
 * Padding and strides: M = 3, K = 5, N = 17 (neither a multiple of the
 * 4 x 16 block), lda 8, ldc 80 (s32, 68 bytes used). a[r][k] = r + 1,
 * w[k][n] = 1 for n < 16 and 2 for n = 16, so C[r][n] = 5 (r + 1), and
 * 10 (r + 1) in the last channel; the padding bytes of C stay unwritten.
 */
static int kat_padding(struct st *s)
{
	uint8_t a[3 * 8];
	int8_t w[5 * 17];
	int32_t want[3 * 17];
	struct gemm g = { .m = 3, .n = 17, .k = 5, .lda = 8, .ldc = 80,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S32, .a = a, .w = w };
	unsigned int r, k, n;

	memset(a, 0xee, sizeof(a));	/* the stride gap must not be read */
	for (r = 0; r < 3; r++)
		for (k = 0; k < 5; k++)
			a[r * 8 + k] = (uint8_t)(r + 1);
	for (k = 0; k < 5; k++)
		for (n = 0; n < 17; n++)
			w[k * 17 + n] = n < 16 ? 1 : 2;
	for (r = 0; r < 3; r++)
		for (n = 0; n < 17; n++)
			want[r * 17 + n] = (int32_t)(5 * (r + 1) * (n < 16 ? 1 : 2));
	return kat(s, "kat_padding_strides", &g, want);
}

/* ---------------------------------------------------------------------- */
/* random GEMMs against the reference engine */

static int test_random(struct st *s)
{
	unsigned long i;
	int fails = 0;

	for (i = 0; i < s->random_cases && fails < 4; i++) {
		struct gemm g = { 0 };
		uint8_t *a, *packed, *c, *ref;
		int8_t *w;
		int32_t *wzp, *bias, *mult, *shift;
		size_t psize, csize, j;
		uint32_t big = i % 16 == 15;
		int32_t lo, hi;
		int err;

		g.m = 1 + rnd(s) % (big ? 200 : 40);
		g.n = 1 + rnd(s) % (big ? 300 : 70);
		g.k = 1 + rnd(s) % (big ? 1500 : 300);
		g.lda = g.k + rnd(s) % 3 * (rnd(s) % 9);
		g.a_type = rnd(s) & 1 ? QACCEL_DTYPE_S8 : QACCEL_DTYPE_U8;
		g.out_type = (enum qaccel_dtype)(QACCEL_DTYPE_U8 + rnd(s) % 3);
		g.ldc = g.n * (uint32_t)out_size(g.out_type) + rnd(s) % 2 * (rnd(s) % 17);
		g.a_zp = g.a_type == QACCEL_DTYPE_U8 ? rnd_range(s, 0, 255) : rnd_range(s, -128, 127);
		if (g.out_type != QACCEL_DTYPE_S32) {
			lo = g.out_type == QACCEL_DTYPE_U8 ? 0 : -128;
			hi = g.out_type == QACCEL_DTYPE_U8 ? 255 : 127;
			g.out_zp = rnd_range(s, lo, hi);
			g.act_min = rnd_range(s, lo, hi);
			g.act_max = rnd_range(s, g.act_min, hi);
		}
		a = malloc((size_t)g.lda * g.m);
		w = malloc((size_t)g.k * g.n);
		wzp = malloc(sizeof(int32_t) * g.n);
		bias = malloc(sizeof(int32_t) * g.n);
		mult = malloc(sizeof(int32_t) * g.n);
		shift = malloc(sizeof(int32_t) * g.n);
		if (!a || !w || !wzp || !bias || !mult || !shift)
			die("out of memory");
		for (j = 0; j < (size_t)g.lda * g.m; j++)
			a[j] = (uint8_t)rnd(s);
		for (j = 0; j < (size_t)g.k * g.n; j++)
			w[j] = (int8_t)rnd(s);
		for (j = 0; j < g.n; j++) {
			wzp[j] = rnd(s) % 4 ? 0 : rnd_range(s, -128, 127);
			bias[j] = (int32_t)rnd(s) >> (rnd(s) % 32);
			mult[j] = rnd(s) % 8 ? rnd_range(s, 1 << 30, 0x7fffffff) :
					       (int32_t)(rnd(s) >> 1);
			shift[j] = rnd_range(s, -31, 30);
			if (rnd(s) % 2)
				shift[j] = rnd_range(s, -24, -4);	/* the usual range */
		}
		g.a = a;
		g.w = w;
		g.w_zp = wzp;
		g.bias = bias;
		g.mult = mult;
		g.shift = shift;

		err = pack(&g, &packed, &psize);
		if (err)
			die("random case %lu: packing: %s", i, qaccel_strerror(err));
		csize = (size_t)g.ldc * g.m;
		c = malloc(csize);
		ref = malloc(csize);
		if (!c || !ref)
			die("out of memory");
		memset(c, 0x5a, csize);
		memset(ref, 0x5a, csize);
		err = run_ctx(s, &g, packed, psize, c);
		run_ref(&g, packed, ref);
		if (err) {
			diag("random case %lu: job failed: %s", i, qaccel_strerror(err));
			fails++;
		} else if (memcmp(c, ref, csize)) {
			for (j = 0; j < csize && c[j] == ref[j]; j++)
				;
			diag("random case %lu (M %u N %u K %u lda %u ldc %u a %s out %s a_zp %d): "
			     "first difference at byte %zu (row %zu): %u, reference %u", i, g.m,
			     g.n, g.k, g.lda, g.ldc, g.a_type == QACCEL_DTYPE_S8 ? "s8" : "u8",
			     g.out_type == QACCEL_DTYPE_S32 ? "s32" :
			     g.out_type == QACCEL_DTYPE_S8 ? "s8" : "u8", g.a_zp, j, j / g.ldc,
			     c[j], ref[j]);
			fails++;
		}
		free(a);
		free(w);
		free(wzp);
		free(bias);
		free(mult);
		free(shift);
		free(packed);
		free(c);
		free(ref);
	}
	diag("random GEMMs: %lu cases, %d mismatches (seed 0x%llx)", i, fails,
	     (unsigned long long)s->rng);
	return fails ? KSFT_FAIL : KSFT_PASS;
}

/* ---------------------------------------------------------------------- */
/* completion ordering */

/*
 * A chain of 96 dependent jobs over three batches: job i reads the output
 * of job i - 1 (u8 in, u8 out, C = A + 1 through an identity weight and a
 * bias of 1 with multiplier 1.0), so the final value counts the jobs that
 * ran in order; completions must come back in submission order.
 */
static int test_ordering(struct st *s)
{
	enum { JOBS = 96, N = 16, K = 16, M = 4 };
	struct qaccel_buffer *bw = NULL, *act[2] = { NULL, NULL };
	struct qaccel_gemm_job jobs[JOBS];
	struct qaccel_completion comps[JOBS];
	int8_t w[K * N];
	int32_t bias[N], mult[N], shift[N];
	uint8_t *packed;
	size_t psize, i;
	unsigned int got = 0, b;
	int err, fails = 0, n;
	struct gemm g = { .m = M, .n = N, .k = K, .lda = K, .ldc = N,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_U8,
			  .act_min = 0, .act_max = 255, .w = w, .bias = bias, .mult = mult,
			  .shift = shift };

	memset(w, 0, sizeof(w));
	for (i = 0; i < N; i++) {
		w[i * N + i] = 1;
		bias[i] = 1;
		mult[i] = 1 << 30;	/* 0.5 x 2^1 = 1.0 */
		shift[i] = 1;
	}
	err = pack(&g, &packed, &psize);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, psize, QACCEL_BUFFER_DEVICE_READONLY, &bw);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, M * K, 0, &act[0]);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, M * K, 0, &act[1]);
	if (err) {
		diag("ordering: setup: %s", qaccel_strerror(err));
		fails++;
		goto out;
	}
	memcpy(qaccel_buffer_ptr(bw), packed, psize);
	for (i = 0; i < JOBS; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].a = act[i % 2];
		jobs[i].w = bw;
		jobs[i].c = act[(i + 1) % 2];
		jobs[i].m = M;
		jobs[i].n = N;
		jobs[i].k = K;
		jobs[i].lda = K;
		jobs[i].ldc = N;
		jobs[i].a_type = QACCEL_DTYPE_U8;
		jobs[i].out_type = QACCEL_DTYPE_U8;
		jobs[i].act_max = 255;
		jobs[i].user_data = 1000 + i;
	}
	for (b = 0; b < 3; b++) {
		err = qaccel_submit(s->ctx, jobs + b * (JOBS / 3), JOBS / 3);
		if (err) {
			diag("ordering: qaccel_submit: %s", qaccel_strerror(err));
			fails++;
			goto out;
		}
	}
	n = qaccel_inflight(s->ctx);
	if (n < 0 || n > JOBS) {
		diag("ordering: qaccel_inflight() = %d after %d submissions", n, JOBS);
		fails++;
	}
	while (got < JOBS) {
		n = qaccel_reap(s->ctx, comps + got, JOBS - got, 1, 10ll * 1000000000);
		if (n < 0) {
			diag("ordering: qaccel_reap: %s", qaccel_strerror(n));
			fails++;
			goto out;
		}
		got += (unsigned int)n;
	}
	for (i = 0; i < JOBS; i++) {
		if (comps[i].user_data != 1000 + i || comps[i].result) {
			diag("ordering: completion %zu is job %llu (result %d), expected job %zu",
			     i, (unsigned long long)comps[i].user_data - 1000, comps[i].result, i);
			fails++;
			break;
		}
	}
	if (qaccel_inflight(s->ctx) != 0) {
		diag("ordering: %d jobs still in flight after reaping all", qaccel_inflight(s->ctx));
		fails++;
	}
	/* Every job added one, in order: the buffer JOBS % 2 holds JOBS. */
	for (i = 0; i < M * N; i++) {
		uint8_t v = ((uint8_t *)qaccel_buffer_ptr(act[JOBS % 2]))[i];

		if (v != JOBS) {
			diag("ordering: element %zu is %u after the chain, expected %d", i, v, JOBS);
			fails++;
			break;
		}
	}
out:
	free(packed);
	qaccel_buffer_free(bw);
	qaccel_buffer_free(act[0]);
	qaccel_buffer_free(act[1]);
	return fails ? KSFT_FAIL : KSFT_PASS;
}

/* ---------------------------------------------------------------------- */
/* throughput */

static int test_throughput(struct st *s)
{
	enum { M = 256, N = 1024, K = 1024 };
	struct gemm g = { .m = M, .n = N, .k = K, .lda = K, .ldc = N * 4,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S32 };
	struct qaccel_buffer *ba = NULL, *bw = NULL, *bc = NULL;
	struct qaccel_gemm_job j;
	uint8_t *a, *packed, *ref;
	int8_t *w;
	double t0, best = 1e30, t, start;
	unsigned int runs = 0;
	size_t psize, i;
	int err, res = KSFT_PASS;

	a = malloc((size_t)M * K);
	w = malloc((size_t)K * N);
	ref = malloc((size_t)M * N * 4);
	if (!a || !w || !ref)
		die("out of memory");
	for (i = 0; i < (size_t)M * K; i++)
		a[i] = (uint8_t)rnd(s);
	for (i = 0; i < (size_t)K * N; i++)
		w[i] = (int8_t)rnd(s);
	g.a = a;
	g.w = w;
	err = pack(&g, &packed, &psize);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, (size_t)M * K, 0, &ba);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, psize, QACCEL_BUFFER_DEVICE_READONLY, &bw);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, (size_t)M * N * 4, 0, &bc);
	if (err) {
		diag("throughput: setup: %s", qaccel_strerror(err));
		res = KSFT_FAIL;
		goto out;
	}
	memcpy(qaccel_buffer_ptr(ba), a, (size_t)M * K);
	memcpy(qaccel_buffer_ptr(bw), packed, psize);
	memset(&j, 0, sizeof(j));
	j.a = ba;
	j.w = bw;
	j.c = bc;
	j.m = M;
	j.n = N;
	j.k = K;
	j.lda = K;
	j.ldc = N * 4;
	j.a_type = QACCEL_DTYPE_U8;
	j.out_type = QACCEL_DTYPE_S32;
	start = now_sec();
	do {
		t0 = now_sec();
		err = qaccel_run(s->ctx, &j, 1);
		t = now_sec() - t0;
		if (err) {
			diag("throughput: job failed: %s", qaccel_strerror(err));
			res = KSFT_FAIL;
			goto out;
		}
		if (t < best)
			best = t;
		runs++;
	} while (now_sec() - start < s->tput_time || runs < 2);
	run_ref(&g, packed, ref);
	if (memcmp(ref, qaccel_buffer_ptr(bc), (size_t)M * N * 4)) {
		diag("throughput: the result differs from the reference engine");
		res = KSFT_FAIL;
	}
	diag("throughput: %ux%ux%u u8 x s8 -> s32: %.1f GOPS (best of %u runs, %.3f ms)",
	     M, N, K, 2.0 * M * N * K / best * 1e-9, runs, best * 1e3);
out:
	qaccel_buffer_free(ba);
	qaccel_buffer_free(bw);
	qaccel_buffer_free(bc);
	free(a);
	free(w);
	free(ref);
	free(packed);
	return res;
}

/* ---------------------------------------------------------------------- */
/* fault recovery (devices with fault injection) */

/* Write a command to the node's debugfs "inject" file. */
static int inject(const char *path, const char *cmd)
{
	size_t len = strlen(cmd);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, len) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Arm a fault (debugfs inject: "the next job submitted faults"), submit one
 * 1 x 4 x 1 job (kat_dot), then two more in a second submission queued
 * behind it, and reap them: the first must complete with -EIO, the two
 * others (innocent, run after the engine's reset) with 0 and the right
 * result; then a fresh job must run normally.
 */
static int test_fault(struct st *s, char *why, size_t why_size)
{
	static const uint8_t a[4] = { 1, 2, 3, 4 };
	static const int8_t w[4] = { 1, 1, 1, 1 };
	struct gemm g = { .m = 1, .n = 1, .k = 4, .lda = 4, .ldc = 4,
			  .a_type = QACCEL_DTYPE_U8, .out_type = QACCEL_DTYPE_S32, .a = a, .w = w };
	struct qaccel_buffer *ba = NULL, *bw = NULL, *bc[3] = { NULL, NULL, NULL };
	struct qaccel_gemm_job jobs[3];
	struct qaccel_completion comps[3];
	char path[128];
	uint8_t *packed = NULL, c[4];
	struct stat st;
	unsigned int got = 0, i;
	size_t psize;
	int err, n, res = KSFT_PASS;

	if (stat(s->info.path, &st) || !S_ISCHR(st.st_mode)) {
		snprintf(why, why_size, "cannot stat %s", s->info.path);
		return KSFT_SKIP;
	}
	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%u/inject",
		 strncmp(s->info.path, "/dev/accel/", 11) ? "dri" : "accel", minor(st.st_rdev));
	if (access(path, W_OK)) {
		snprintf(why, why_size, "%s: %s (needs root and debugfs)", path, strerror(errno));
		return KSFT_SKIP;
	}
	err = pack(&g, &packed, &psize);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, 4, 0, &ba);
	if (!err)
		err = qaccel_buffer_alloc(s->ctx, psize, QACCEL_BUFFER_DEVICE_READONLY, &bw);
	for (i = 0; !err && i < 3; i++)
		err = qaccel_buffer_alloc(s->ctx, 4, 0, &bc[i]);
	if (err) {
		diag("fault_recovery: setup: %s", qaccel_strerror(err));
		res = KSFT_FAIL;
		goto out;
	}
	memcpy(qaccel_buffer_ptr(ba), a, 4);
	memcpy(qaccel_buffer_ptr(bw), packed, psize);
	for (i = 0; i < 3; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].a = ba;
		jobs[i].w = bw;
		jobs[i].c = bc[i];
		jobs[i].m = 1;
		jobs[i].n = 1;
		jobs[i].k = 4;
		jobs[i].lda = 4;
		jobs[i].ldc = 4;
		jobs[i].a_type = QACCEL_DTYPE_U8;
		jobs[i].out_type = QACCEL_DTYPE_S32;
		jobs[i].user_data = i;
	}
	err = inject(path, "fault");
	if (err) {
		diag("fault_recovery: arming %s: %s", path, strerror(-err));
		res = KSFT_FAIL;
		goto out;
	}
	err = qaccel_submit(s->ctx, jobs, 1);
	if (!err)
		err = qaccel_submit(s->ctx, jobs + 1, 2);
	if (err) {
		diag("fault_recovery: qaccel_submit: %s", qaccel_strerror(err));
		res = KSFT_FAIL;
		goto out;
	}
	while (got < 3) {
		n = qaccel_reap(s->ctx, comps + got, 3 - got, 1, 60ll * 1000000000);
		if (n < 0) {
			diag("fault_recovery: qaccel_reap: %s", qaccel_strerror(n));
			res = KSFT_FAIL;
			goto out;
		}
		got += (unsigned int)n;
	}
	for (i = 0; i < 3; i++) {
		int want = i ? 0 : -EIO;

		if (comps[i].user_data != i || comps[i].result != want) {
			diag("fault_recovery: completion %u: job %llu result %d, expected job %u "
			     "result %d", i, (unsigned long long)comps[i].user_data,
			     comps[i].result, i, want);
			res = KSFT_FAIL;
		} else if (i && out_value(&g, qaccel_buffer_ptr(bc[i]), 0, 0) != 10) {
			diag("fault_recovery: innocent job %u computed %d, expected 10", i,
			     out_value(&g, qaccel_buffer_ptr(bc[i]), 0, 0));
			res = KSFT_FAIL;
		}
	}
	memset(c, 0, sizeof(c));
	err = run_ctx(s, &g, packed, psize, c);
	if (err || out_value(&g, c, 0, 0) != 10) {
		diag("fault_recovery: a job after the recovery: %s, %d",
		     qaccel_strerror(err), out_value(&g, c, 0, 0));
		res = KSFT_FAIL;
	}
out:
	inject(path, "none");
	qaccel_buffer_free(ba);
	qaccel_buffer_free(bw);
	for (i = 0; i < 3; i++)
		qaccel_buffer_free(bc[i]);
	free(packed);
	return res;
}

/* ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qaccel-selftest [--backend auto|cpu|device] [--device PATH]\n"
		"                       [--seed N] [--random N] [--time SEC] [--list]\n"
		"Self-test of a qaccel backend (board bring-up): identification, known-answer\n"
		"GEMMs, random GEMMs against the reference engine, completion ordering,\n"
		"throughput and fault recovery. Prints KTAP.\n\n"
		"  --backend B   backend to test (default auto: what qaccel_open() picks)\n"
		"  --device PATH device node to test (implies --backend device)\n"
		"  --seed N      seed of the random GEMMs (default 1)\n"
		"  --random N    number of random GEMMs (default 200)\n"
		"  --time SEC    seconds for the throughput figure (default 0.3)\n"
		"  --list        list the tests and exit\n"
		"  --help        this text\n\n"
		"Exit status: 0 every test passed (some may be skipped), 1 a test failed\n"
		"or the --device given cannot be opened, 2 bad usage, 4 every test was\n"
		"skipped (for example --backend device on a machine without a device).\n");
}

static const char *const test_names[] = {
	"identify", "kat_dot", "kat_zero_points", "kat_signed_a", "kat_wrap",
	"kat_requant_rounding", "kat_clamp", "kat_saturate", "kat_padding_strides",
	"random_gemm", "completion_order", "throughput", "fault_recovery",
};

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "random", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int (*const kats[])(struct st *) = {
		kat_dot, kat_zero_points, kat_signed_a, kat_wrap, kat_requant_rounding,
		kat_clamp, kat_saturate, kat_padding,
	};
	struct qaccel_open_opts oo;
	struct qaccel_buffer *probe = NULL;
	unsigned long seed = 1;
	char errbuf[256];
	struct st s;
	size_t i;
	int c, err, r;

	prog = "qaccel-selftest";
	memset(&s, 0, sizeof(s));
	memset(&oo, 0, sizeof(oo));
	s.random_cases = 200;
	s.tput_time = 0.3;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!strcmp(optarg, "auto"))
				oo.backend = QACCEL_BACKEND_AUTO;
			else if (!strcmp(optarg, "cpu"))
				oo.backend = QACCEL_BACKEND_CPU;
			else if (!strcmp(optarg, "device"))
				oo.backend = QACCEL_BACKEND_DEVICE;
			else
				die_status(2, "--backend: '%s' is not auto, cpu or device", optarg);
			break;
		case 'd':
			oo.device = optarg;
			break;
		case 's':
			if (parse_ulong(optarg, 0, ~0ul, &seed))
				die_status(2, "--seed: '%s' is not a number", optarg);
			break;
		case 'r':
			if (parse_ulong(optarg, 0, 1000000, &s.random_cases))
				die_status(2, "--random: '%s' is not a count from 0 to 1000000",
					   optarg);
			break;
		case 't':
			if (parse_double(optarg, 0.0, 600.0, &s.tput_time))
				die_status(2, "--time: '%s' is not a number of seconds (0 to 600)",
					   optarg);
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(test_names); i++)
				printf("%s\n", test_names[i]);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			err_msg("option '%s' needs an argument or is unknown", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		die_status(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (oo.device && oo.backend == QACCEL_BACKEND_CPU)
		die_status(2, "--device and --backend cpu contradict each other");
	s.rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed * 0xbf58476d1ce4e5b9ull);
	if (!s.rng)
		s.rng = 1;

	oo.errbuf = errbuf;
	oo.errbuf_size = sizeof(errbuf);
	err = qaccel_open(&s.ctx, &oo);
	printf("KTAP version 1\n");
	if (err) {
		err_msg("qaccel_open: %s (%s)", errbuf, qaccel_strerror(err));
		/* No device at all is a skip; a named device that fails is a failure. */
		if (!oo.device && (err == -ENOENT || err == -ENODEV)) {
			printf("1..0 # SKIP cannot open a backend: %s\n", errbuf);
			return KSFT_SKIP;
		}
		printf("1..1\nnot ok 1 open %s\n# %s\n", oo.device ? oo.device : "backend",
		       errbuf);
		return KSFT_FAIL;
	}
	qaccel_ctx_info(s.ctx, &s.info);
	diag("qaccel-selftest: libqaccel %s, %s backend: %s", qaccel_version(),
	     qaccel_backend_kind_name(qaccel_ctx_backend(s.ctx)), qaccel_ctx_reason(s.ctx));
	printf("1..%zu\n", ARRAY_SIZE(test_names));

	/* Can this context run jobs at all? */
	err = qaccel_buffer_alloc(s.ctx, 64, 0, &probe);
	qaccel_buffer_free(probe);
	s.jobs_ok = !err;
	if (err == -EOPNOTSUPP)
		snprintf(s.no_jobs, sizeof(s.no_jobs), "the %s backend does not run jobs yet "
			 "(-EOPNOTSUPP)", qaccel_backend_kind_name(s.info.kind));
	else if (err)
		snprintf(s.no_jobs, sizeof(s.no_jobs), "cannot allocate a buffer: %s",
			 qaccel_strerror(err));

	r = test_identify(&s);
	result(test_names[0], r, NULL);
	for (i = 0; i < ARRAY_SIZE(kats); i++)
		result(test_names[1 + i], s.jobs_ok ? kats[i](&s) : KSFT_SKIP, s.no_jobs);
	if (s.jobs_ok) {
		result("random_gemm", test_random(&s), NULL);
		result("completion_order", test_ordering(&s), NULL);
		result("throughput", test_throughput(&s), NULL);
	} else {
		result("random_gemm", KSFT_SKIP, s.no_jobs);
		result("completion_order", KSFT_SKIP, s.no_jobs);
		result("throughput", KSFT_SKIP, s.no_jobs);
	}
	if (s.info.kind == QACCEL_BACKEND_CPU) {
		result("fault_recovery", KSFT_SKIP, "the CPU backend cannot fault");
	} else if (!(s.info.caps & QACCEL_CAP_FAULT_INJECT)) {
		result("fault_recovery", KSFT_SKIP, "the device offers no fault injection");
	} else if (!s.jobs_ok) {
		result("fault_recovery", KSFT_SKIP, s.no_jobs);
	} else {
		char why[256] = "";

		r = test_fault(&s, why, sizeof(why));
		result("fault_recovery", r, why);
	}

	printf("# totals: pass:%u fail:%u skip:%u\n", t_pass, t_fail, t_skip);
	qaccel_close(s.ctx);
	if (t_fail)
		return KSFT_FAIL;
	return t_pass ? KSFT_PASS : KSFT_SKIP;
}
