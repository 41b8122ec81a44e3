// SPDX-License-Identifier: MIT
/*
 * Unit tests of the QA1 reference engine (driver/qaccel_engine.c).
 *
 * The engine is checked against formulas written here independently of it:
 *  - a naive triple loop over unpacked matrices, in exact (64/128-bit)
 *    integer arithmetic, reduced modulo 2^32 only at the end;
 *  - a naive MBQM written from the definition (exact products, floor
 *    divisions), not from gemmlowp's nudge/mask formulation;
 *  - a packer written from the byte-offset formula of the specification.
 * Plus known-answer vectors worked by hand.
 *
 * Output: KTAP (TAP version 13). The PRNG seed is fixed and printed; set
 * QA1_TEST_SEED in the environment to try another one.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qaccel_engine.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define DEFAULT_SEED	0x5141312026000001ull
#define MAX_REPORTS	8

/* ------------------------------------------------------------------------ */
/* Infrastructure                                                            */

static uint64_t rng_state;
static int failures;		/* failures in the current test */

static uint64_t rnd64(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;

	if (span == 0)
		return (int64_t)rnd64();
	return lo + (int64_t)(rnd64() % span);
}

static int32_t rnd_s32(void)
{
	return (int32_t)rnd_range(INT32_MIN, INT32_MAX);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ >= MAX_REPORTS)
		return;
	printf("# FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK_EQ(got, want, ...)					\
	do {								\
		int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);	\
		if (g_ != w_) {						\
			fail(__VA_ARGS__);				\
			if (failures <= MAX_REPORTS)			\
				printf("#   got %" PRId64 " want %" PRId64 "\n", \
				       g_, w_);				\
		}							\
	} while (0)

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(2);
	}
	return p;
}

/* The int32 congruent to v modulo 2^32. */
static int32_t wrap32(i128 v)
{
	uint32_t u = (uint32_t)(u128)v;

	return u < 0x80000000u ? (int32_t)u : -(int32_t)~u - 1;
}

/* floor(p / d) for d > 0 */
static i128 floor_div(i128 p, i128 d)
{
	i128 q = p / d;

	if (p % d != 0 && p < 0)
		q--;
	return q;
}

/* ------------------------------------------------------------------------ */
/* Reference MBQM, written from the definition                               */

/*
 * SaturatingRoundingDoublingHighMul(a, b) = the integer nearest to
 * 2ab / 2^32 = ab / 2^31, ties towards +infinity, i.e.
 * floor((ab + 2^30) / 2^31); the single case a = b = INT32_MIN (result 2^31)
 * saturates to INT32_MAX.
 */
static int32_t ref_srdhm(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	return (int32_t)floor_div((i128)a * b + ((i128)1 << 30), (i128)1 << 31);
}

/*
 * RoundingDivideByPOT(x, e) = x / 2^e rounded to nearest, ties away from
 * zero: sign(x) * floor((|x| + 2^(e-1)) / 2^e) for e >= 1.
 */
static int32_t ref_rdivpot(int32_t x, int e)
{
	int64_t mag = x < 0 ? -(int64_t)x : x;
	int64_t q;

	if (e == 0)
		return x;
	q = (mag + ((int64_t)1 << (e - 1))) >> e;
	return (int32_t)(x < 0 ? -q : q);
}

/* MBQM with the contract's clamped shift and saturated left shift. */
static int32_t ref_mbqm(int32_t acc, int32_t mult, int32_t shift)
{
	int left, right;
	i128 x;

	if (shift > 30)
		shift = 30;
	if (shift < -31)
		shift = -31;
	left = shift > 0 ? shift : 0;
	right = shift > 0 ? 0 : -shift;
	x = (i128)acc * ((i128)1 << left);
	if (x > INT32_MAX)
		x = INT32_MAX;
	if (x < INT32_MIN)
		x = INT32_MIN;
	return ref_rdivpot(ref_srdhm((int32_t)x, mult), right);
}

static int32_t ref_requant(int32_t acc, int32_t mult, int32_t shift,
			   int32_t out_zp, int32_t act_min, int32_t act_max)
{
	int64_t v = (int64_t)out_zp + ref_mbqm(acc, mult, shift);

	if (v < act_min)
		v = act_min;
	if (v > act_max)
		v = act_max;
	return (int32_t)v;
}

/* ------------------------------------------------------------------------ */
/* Unpacked GEMM model, independent packer and naive reference              */

struct model {
	uint32_t m, n, k, lda, ldc;
	uint32_t a_signed, out_type;
	int32_t a_zp, out_zp, act_min, act_max;
	uint8_t *a;		/* (m - 1) * lda + k bytes */
	int8_t *w;		/* w[kk * n + nn] */
	int32_t *bias, *wzp, *mult, *shift;	/* n each */
};

static struct qa1e_gemm model_gemm(const struct model *md)
{
	struct qa1e_gemm g = {
		.m = md->m, .n = md->n, .k = md->k,
		.lda = md->lda, .ldc = md->ldc,
		.a_signed = md->a_signed, .out_type = md->out_type,
		.a_zp = md->a_zp, .out_zp = md->out_zp,
		.act_min = md->act_min, .act_max = md->act_max,
	};
	return g;
}

static uint32_t esize_of(uint32_t out_type)
{
	return out_type == QA1E_OUT_S32 ? 4 : 1;
}

static size_t a_size(const struct model *md)
{
	return (size_t)(md->m - 1) * md->lda + md->k;
}

static size_t c_size(const struct model *md)
{
	return (size_t)(md->m - 1) * md->ldc + (size_t)md->n * esize_of(md->out_type);
}

static void model_alloc(struct model *md)
{
	md->a = xmalloc(a_size(md));
	md->w = xmalloc((size_t)md->k * md->n);
	md->bias = xmalloc(sizeof(int32_t) * md->n);
	md->wzp = xmalloc(sizeof(int32_t) * md->n);
	md->mult = xmalloc(sizeof(int32_t) * md->n);
	md->shift = xmalloc(sizeof(int32_t) * md->n);
	memset(md->a, 0x5a, a_size(md));	/* row padding: junk */
	memset(md->w, 0, (size_t)md->k * md->n);
	memset(md->bias, 0, sizeof(int32_t) * md->n);
	memset(md->wzp, 0, sizeof(int32_t) * md->n);
	memset(md->mult, 0, sizeof(int32_t) * md->n);
	memset(md->shift, 0, sizeof(int32_t) * md->n);
}

static void model_free(struct model *md)
{
	free(md->a);
	free(md->w);
	free(md->bias);
	free(md->wzp);
	free(md->mult);
	free(md->shift);
}

static int32_t a_value(const struct model *md, uint32_t r, uint32_t kk)
{
	uint8_t b = md->a[(size_t)r * md->lda + kk];

	return md->a_signed ? (int32_t)(int8_t)b : (int32_t)b;
}

static void set_a(struct model *md, uint32_t r, uint32_t kk, int32_t v)
{
	md->a[(size_t)r * md->lda + kk] = (uint8_t)v;
}

/* Exact column sum of W, reduced to int32. */
static int32_t ref_colsum(const struct model *md, uint32_t nn)
{
	i128 s = 0;

	for (uint32_t kk = 0; kk < md->k; kk++)
		s += md->w[(size_t)kk * md->n + nn];
	return wrap32(s);
}

/* acc[r][nn] = sum_k (a - a_zp) * (w - w_zp) + bias, exactly, then mod 2^32 */
static int32_t ref_acc(const struct model *md, uint32_t r, uint32_t nn)
{
	i128 s = md->bias[nn];

	for (uint32_t kk = 0; kk < md->k; kk++) {
		int64_t da = (int64_t)a_value(md, r, kk) - md->a_zp;
		int64_t dw = (int64_t)md->w[(size_t)kk * md->n + nn] - md->wzp[nn];

		s += (i128)(da * dw);
	}
	return wrap32(s);
}

/* Reference output element, as the value the engine must store. */
static int32_t ref_out(const struct model *md, uint32_t r, uint32_t nn)
{
	int32_t acc = ref_acc(md, r, nn);

	if (md->out_type == QA1E_OUT_S32)
		return acc;
	return ref_requant(acc, md->mult[nn], md->shift[nn], md->out_zp,
			   md->act_min, md->act_max);
}

/* Independent geometry, straight from the specification. */
static size_t spec_n16(uint32_t n) { return ((size_t)n + 15) / 16 * 16; }
static size_t spec_k4(uint32_t k) { return ((size_t)k + 3) / 4; }
static size_t spec_wbytes(uint32_t n, uint32_t k) { return spec_n16(n) * spec_k4(k) * 4; }
static size_t spec_packed(uint32_t n, uint32_t k) { return spec_wbytes(n, k) + 5 * 4 * spec_n16(n); }
/* array: 0 bias, 1 colsum, 2 w_zp, 3 mult, 4 shift */
static size_t spec_arr(uint32_t n, uint32_t k, int array, uint32_t nn)
{
	return spec_wbytes(n, k) + ((size_t)array * spec_n16(n) + nn) * 4;
}

static size_t spec_woff(uint32_t k, uint32_t kk, uint32_t nn)
{
	return ((size_t)(nn / 16) * spec_k4(k) + kk / 4) * 64 + (nn % 16) * 4 + kk % 4;
}

static void put_le32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

static int32_t get_le32(const uint8_t *p)
{
	uint32_t u = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return wrap32(u);
}

/*
 * Pack md into a block of exactly spec_packed() bytes. junk_padding fills
 * the padding (K and N) with random bytes instead of zeros: the engine must
 * not let padding affect any output.
 */
static uint8_t *pack(const struct model *md, int junk_padding)
{
	size_t size = spec_packed(md->n, md->k);
	uint8_t *p = xmalloc(size);

	for (size_t i = 0; i < size; i++)
		p[i] = junk_padding ? (uint8_t)rnd64() : 0;
	/* Every non-padding byte is written below. */
	for (uint32_t kk = 0; kk < md->k; kk++)
		for (uint32_t nn = 0; nn < md->n; nn++)
			p[spec_woff(md->k, kk, nn)] = (uint8_t)md->w[(size_t)kk * md->n + nn];
	for (uint32_t nn = 0; nn < md->n; nn++) {
		put_le32(p + spec_arr(md->n, md->k, 0, nn), md->bias[nn]);
		put_le32(p + spec_arr(md->n, md->k, 1, nn), ref_colsum(md, nn));
		put_le32(p + spec_arr(md->n, md->k, 2, nn), md->wzp[nn]);
		put_le32(p + spec_arr(md->n, md->k, 3, nn), md->mult[nn]);
		put_le32(p + spec_arr(md->n, md->k, 4, nn), md->shift[nn]);
	}
	return p;
}

#define C_SENTINEL	0xa5

static int32_t c_elem(const struct model *md, const uint8_t *c, uint32_t r, uint32_t nn)
{
	const uint8_t *p = c + (size_t)r * md->ldc;

	switch (md->out_type) {
	case QA1E_OUT_S8:
		return (int8_t)p[nn];
	case QA1E_OUT_U8:
		return p[nn];
	default:
		return get_le32(p + (size_t)nn * 4);
	}
}

/*
 * Check C (from the engine) against the reference, and check that the
 * bytes between rows were not written.
 */
static void check_c(const struct model *md, const uint8_t *c, const char *what)
{
	size_t row_bytes = (size_t)md->n * esize_of(md->out_type);

	for (uint32_t r = 0; r < md->m; r++) {
		for (uint32_t nn = 0; nn < md->n; nn++)
			CHECK_EQ(c_elem(md, c, r, nn), ref_out(md, r, nn),
				 "%s: C[%u][%u] (m=%u n=%u k=%u)", what, r, nn,
				 md->m, md->n, md->k);
		if (r + 1 < md->m)
			for (size_t i = row_bytes; i < md->ldc; i++)
				CHECK_EQ(c[(size_t)r * md->ldc + i], C_SENTINEL,
					 "%s: row %u padding byte %zu written", what, r, i);
	}
}

/* Run the whole product through qa1e_gemm() and check it. */
static void run_gemm(const struct model *md, int junk_padding, const char *what)
{
	struct qa1e_gemm g = model_gemm(md);
	uint8_t *packed = pack(md, junk_padding);
	uint8_t *c = xmalloc(c_size(md));

	CHECK_EQ(qa1e_gemm_check(&g), 0, "%s: gemm_check rejects a valid GEMM", what);
	memset(c, C_SENTINEL, c_size(md));
	qa1e_gemm(&g, md->a, packed, c);
	check_c(md, c, what);
	free(c);
	free(packed);
}

static int32_t ilog2_u32(uint32_t v)
{
	int32_t l = 0;

	while (v >>= 1)
		l++;
	return l;
}

/* Random in-range requantization parameters that give non-trivial outputs. */
static void random_requant(struct model *md, uint32_t nn)
{
	switch (rnd_range(0, 5)) {
	case 0:		/* anything valid */
		md->mult[nn] = (int32_t)rnd_range(0, INT32_MAX);
		md->shift[nn] = (int32_t)rnd_range(-31, 30);
		break;
	case 1:		/* identity-ish */
		md->mult[nn] = (int32_t)rnd_range(1 << 30, INT32_MAX);
		md->shift[nn] = (int32_t)rnd_range(-2, 1);
		break;
	default: {
		/*
		 * Scale the channel's largest |acc| to about 2^6..2^7 so that
		 * most outputs land inside the 8-bit range.
		 */
		uint32_t big = 1;

		for (uint32_t r = 0; r < md->m; r++) {
			int32_t acc = ref_acc(md, r, nn);
			uint32_t mag = acc < 0 ? 0u - (uint32_t)acc : (uint32_t)acc;

			if (mag > big)
				big = mag;
		}
		md->mult[nn] = (int32_t)rnd_range(1 << 30, INT32_MAX);
		md->shift[nn] = 6 - ilog2_u32(big) + (int32_t)rnd_range(-1, 1);
		if (md->shift[nn] > 30)
			md->shift[nn] = 30;
		if (md->shift[nn] < -31)
			md->shift[nn] = -31;
		break;
	}
	}
}

/* Fill md (already sized) with random contents of its types. */
static void random_contents(struct model *md)
{
	for (uint32_t r = 0; r < md->m; r++)
		for (uint32_t kk = 0; kk < md->k; kk++)
			set_a(md, r, kk, (int32_t)rnd_range(0, 255));
	for (size_t i = 0; i < (size_t)md->k * md->n; i++)
		md->w[i] = (int8_t)rnd_range(-128, 127);
	for (uint32_t nn = 0; nn < md->n; nn++) {
		md->bias[nn] = rnd_range(0, 3) ? (int32_t)rnd_range(-100000, 100000) : rnd_s32();
		md->wzp[nn] = rnd_range(0, 1) ? 0 : (int32_t)rnd_range(-128, 127);
	}
	for (uint32_t nn = 0; nn < md->n; nn++)
		random_requant(md, nn);
}

static void random_types(struct model *md)
{
	md->a_signed = (uint32_t)rnd_range(0, 1);
	md->a_zp = md->a_signed ? (int32_t)rnd_range(-128, 127) : (int32_t)rnd_range(0, 255);
	md->out_type = (uint32_t)rnd_range(0, 2);
	if (md->out_type == QA1E_OUT_S32) {
		md->out_zp = md->act_min = md->act_max = 0;
	} else {
		int32_t lo = md->out_type == QA1E_OUT_S8 ? -128 : 0;
		int32_t hi = lo + 255;

		md->out_zp = rnd_range(0, 2) ? (int32_t)rnd_range(lo + 64, hi - 64) :
			(int32_t)rnd_range(lo, hi);
		md->act_min = rnd_range(0, 2) ? lo : (int32_t)rnd_range(lo, hi);
		md->act_max = rnd_range(0, 2) ? hi : (int32_t)rnd_range(md->act_min, hi);
	}
}

/* A random model with the given shape (0: random) and minimal strides. */
static void random_model(struct model *md, uint32_t m, uint32_t n, uint32_t k, int pad_strides)
{
	memset(md, 0, sizeof(*md));
	md->m = m ? m : (uint32_t)rnd_range(1, 24);
	md->n = n ? n : (uint32_t)rnd_range(1, 70);
	md->k = k ? k : (uint32_t)rnd_range(1, 90);
	random_types(md);
	md->lda = md->k + (pad_strides ? (uint32_t)rnd_range(0, 37) : 0);
	md->ldc = md->n * esize_of(md->out_type) + (pad_strides ? (uint32_t)rnd_range(0, 19) : 0);
	model_alloc(md);
	random_contents(md);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */

static void test_layout_helpers(void)
{
	static const uint32_t ks[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 63, 64, 65, 1000, 4097 };
	static const uint32_t ns[] = { 1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 4096, 4097 };

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		for (size_t j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
			uint32_t k = ks[i], n = ns[j];

			CHECK_EQ(qa1e_k4(k), spec_k4(k), "k4(%u)", k);
			CHECK_EQ(qa1e_n16(n), spec_n16(n), "n16(%u)", n);
			CHECK_EQ(qa1e_weight_bytes(n, k), spec_wbytes(n, k), "wbytes");
			CHECK_EQ(qa1e_off_bias(n, k), spec_arr(n, k, 0, 0), "bias");
			CHECK_EQ(qa1e_off_colsum(n, k), spec_arr(n, k, 1, 0), "colsum");
			CHECK_EQ(qa1e_off_wzp(n, k), spec_arr(n, k, 2, 0), "wzp");
			CHECK_EQ(qa1e_off_mult(n, k), spec_arr(n, k, 3, 0), "mult");
			CHECK_EQ(qa1e_off_shift(n, k), spec_arr(n, k, 4, 0), "shift");
			CHECK_EQ(qa1e_packed_bytes(n, k), spec_packed(n, k), "packed");
			for (uint32_t t = 0; t < 50; t++) {
				uint32_t kk = (uint32_t)rnd_range(0, k - 1);
				uint32_t nn = (uint32_t)rnd_range(0, n - 1);

				CHECK_EQ(qa1e_w_offset(k, kk, nn), spec_woff(k, kk, nn),
					 "w_offset(%u, %u, %u)", k, kk, nn);
				CHECK_EQ(qa1e_panel_offset(k, nn / 16) + (kk / 4) * 64 +
					 (nn % 16) * 4 + kk % 4, spec_woff(k, kk, nn),
					 "panel_offset");
			}
		}
	}
	/* The worked example of the specification: K = 6, N = 3. */
	CHECK_EQ(qa1e_w_offset(6, 0, 0), 0, "W[0][0]");
	CHECK_EQ(qa1e_w_offset(6, 3, 0), 3, "W[3][0]");
	CHECK_EQ(qa1e_w_offset(6, 4, 0), 64, "W[4][0]");
	CHECK_EQ(qa1e_w_offset(6, 5, 2), 73, "W[5][2]");
	CHECK_EQ(qa1e_w_offset(6, 2, 1), 6, "W[2][1]");
	CHECK_EQ(qa1e_off_bias(3, 6), 128, "bias(3, 6)");
	CHECK_EQ(qa1e_off_shift(3, 6), 384, "shift(3, 6)");
	CHECK_EQ(qa1e_packed_bytes(3, 6), 448, "packed(3, 6)");
	/* ... and its N = 20 variant: W[5][17] in panel 1. */
	CHECK_EQ(qa1e_w_offset(6, 5, 17), 197, "W[5][17]");
	CHECK_EQ(qa1e_packed_bytes(20, 6), 256 + 5 * 128, "packed(20, 6)");
	/* Extremes stay exact in 64 bits. */
	CHECK_EQ(qa1e_k4(0xffffffffu), 0x40000000u, "k4(2^32-1)");
	CHECK_EQ(qa1e_n16(QA1E_N_LIMIT), QA1E_N_LIMIT, "n16(limit)");
	if (qa1e_weight_bytes(QA1E_N_LIMIT, 0xffffffffu) !=
	    (uint64_t)QA1E_N_LIMIT * 0x40000000ull * 4)
		fail("wbytes(limit) not exact in 64 bits");
	CHECK_EQ(qa1e_out_size(QA1E_OUT_S8), 1, "out_size s8");
	CHECK_EQ(qa1e_out_size(QA1E_OUT_U8), 1, "out_size u8");
	CHECK_EQ(qa1e_out_size(QA1E_OUT_S32), 4, "out_size s32");
	CHECK_EQ(qa1e_out_size(3), 0, "out_size 3");
	{
		struct qa1e_gemm g = { .m = 3, .n = 5, .k = 7, .lda = 9, .ldc = 21,
				       .out_type = QA1E_OUT_S32 };

		CHECK_EQ(qa1e_a_bytes(&g), 2 * 9 + 7, "a_bytes");
		CHECK_EQ(qa1e_c_bytes(&g), 2 * 21 + 20, "c_bytes");
	}
}

/*
 * SRDHM known answers. srdhm(a, b) = round(a * b / 2^31), ties to +inf.
 */
static void test_srdhm_known(void)
{
	/* 2^30 * 2^30 / 2^31 = 2^29 exactly. */
	CHECK_EQ(qa1e_srdhm(1 << 30, 1 << 30), 1 << 29, "srdhm(2^30, 2^30)");
	/* (-2^31)^2 / 2^31 = 2^31 does not fit: saturates to INT32_MAX. */
	CHECK_EQ(qa1e_srdhm(INT32_MIN, INT32_MIN), INT32_MAX, "srdhm(min, min)");
	/*
	 * -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly:
	 * ab + nudge = -2^62 + 2^31 + 1 - 2^30, / 2^31 = -2^31 + 0.5 + 2^-31,
	 * truncated towards zero: -2147483647.
	 */
	CHECK_EQ(qa1e_srdhm(INT32_MIN, INT32_MAX), -2147483647, "srdhm(min, max)");
	CHECK_EQ(qa1e_srdhm(INT32_MAX, INT32_MIN), -2147483647, "srdhm(max, min)");
	/*
	 * (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31, rounds to 2147483646.
	 */
	CHECK_EQ(qa1e_srdhm(INT32_MAX, INT32_MAX), 2147483646, "srdhm(max, max)");
	/* 1 * 2^30 / 2^31 = 0.5: tie, rounds up to 1. */
	CHECK_EQ(qa1e_srdhm(1, 1 << 30), 1, "srdhm(1, 2^30)");
	/*
	 * -1 * 2^30 / 2^31 = -0.5: tie, rounds towards +inf to 0
	 * ((-2^30 + 1 - 2^30) / 2^31 = -0.99..., truncated: 0).
	 */
	CHECK_EQ(qa1e_srdhm(-1, 1 << 30), 0, "srdhm(-1, 2^30)");
	/* 3 * 0.5 = 1.5 -> 2; -3 * 0.5 = -1.5 -> -1 (ties to +inf). */
	CHECK_EQ(qa1e_srdhm(3, 1 << 30), 2, "srdhm(3, 2^30)");
	CHECK_EQ(qa1e_srdhm(-3, 1 << 30), -1, "srdhm(-3, 2^30)");
	/* 100 * 0.5 = 50; 1000 * 0.75 = 750 exactly. */
	CHECK_EQ(qa1e_srdhm(100, 1 << 30), 50, "srdhm(100, 2^30)");
	CHECK_EQ(qa1e_srdhm(1000, 3 << 29), 750, "srdhm(1000, 0.75)");
	/* Anything times 0 is 0. */
	CHECK_EQ(qa1e_srdhm(INT32_MIN, 0), 0, "srdhm(min, 0)");
	CHECK_EQ(qa1e_srdhm(0, INT32_MIN), 0, "srdhm(0, min)");
	/* 1 * (2^31 - 1) / 2^31 = 0.99999... -> 1; -1 * the same -> -1. */
	CHECK_EQ(qa1e_srdhm(1, INT32_MAX), 1, "srdhm(1, max)");
	CHECK_EQ(qa1e_srdhm(-1, INT32_MAX), -1, "srdhm(-1, max)");
	/* 2^31 - 1 times 1: (2^31 - 1) / 2^31 -> 1. */
	CHECK_EQ(qa1e_srdhm(INT32_MAX, 1), 1, "srdhm(max, 1)");
	/* -2^31 * 1 / 2^31 = -1 exactly. */
	CHECK_EQ(qa1e_srdhm(INT32_MIN, 1), -1, "srdhm(min, 1)");
	/* -2^31 * -1 / 2^31 = 1 exactly. */
	CHECK_EQ(qa1e_srdhm(INT32_MIN, -1), 1, "srdhm(min, -1)");
}

/*
 * RoundingDivideByPOT known answers: x / 2^e, ties away from zero.
 */
static void test_rdivpot_known(void)
{
	CHECK_EQ(qa1e_rdivpot(5, 0), 5, "5 / 1");
	CHECK_EQ(qa1e_rdivpot(-5, 0), -5, "-5 / 1");
	CHECK_EQ(qa1e_rdivpot(4, 1), 2, "4 / 2 = 2");
	CHECK_EQ(qa1e_rdivpot(5, 1), 3, "5 / 2 = 2.5 -> 3");
	CHECK_EQ(qa1e_rdivpot(-5, 1), -3, "-5 / 2 = -2.5 -> -3");
	CHECK_EQ(qa1e_rdivpot(-6, 2), -2, "-6 / 4 = -1.5 -> -2");
	CHECK_EQ(qa1e_rdivpot(-5, 2), -1, "-5 / 4 = -1.25 -> -1");
	CHECK_EQ(qa1e_rdivpot(-7, 2), -2, "-7 / 4 = -1.75 -> -2");
	CHECK_EQ(qa1e_rdivpot(6, 2), 2, "6 / 4 = 1.5 -> 2");
	CHECK_EQ(qa1e_rdivpot(-1, 1), -1, "-1 / 2 = -0.5 -> -1");
	CHECK_EQ(qa1e_rdivpot(1, 1), 1, "1 / 2 = 0.5 -> 1");
	CHECK_EQ(qa1e_rdivpot(1, 2), 0, "1 / 4 = 0.25 -> 0");
	CHECK_EQ(qa1e_rdivpot(-1, 2), 0, "-1 / 4 = -0.25 -> 0");
	/* -2^31 / 2^31 = -1 exactly. */
	CHECK_EQ(qa1e_rdivpot(INT32_MIN, 31), -1, "min / 2^31");
	/* (2^31 - 1) / 2^31 = 0.99... -> 1. */
	CHECK_EQ(qa1e_rdivpot(INT32_MAX, 31), 1, "max / 2^31");
	/* 2^30 / 2^31 = 0.5 -> 1; -2^30 / 2^31 = -0.5 -> -1. */
	CHECK_EQ(qa1e_rdivpot(1 << 30, 31), 1, "2^30 / 2^31");
	CHECK_EQ(qa1e_rdivpot(-(1 << 30), 31), -1, "-2^30 / 2^31");
	/* (2^30 - 1) / 2^31 just below 0.5 -> 0. */
	CHECK_EQ(qa1e_rdivpot((1 << 30) - 1, 31), 0, "(2^30-1) / 2^31");
	CHECK_EQ(qa1e_rdivpot(-(1 << 30) + 1, 31), 0, "-(2^30-1) / 2^31");
	/* -2^31 / 2 = -2^30 exactly; -2^31 / 2^30 = -2. */
	CHECK_EQ(qa1e_rdivpot(INT32_MIN, 1), -(1 << 30), "min / 2");
	CHECK_EQ(qa1e_rdivpot(INT32_MIN, 30), -2, "min / 2^30");
	/* Out-of-range exponents are clamped into [0, 31]. */
	CHECK_EQ(qa1e_rdivpot(12345, -3), 12345, "exponent -3 acts as 0");
	CHECK_EQ(qa1e_rdivpot(INT32_MIN, 40), -1, "exponent 40 acts as 31");
}

/*
 * MBQM known answers, worked from the definition:
 *   x = sat32(acc * 2^left); y = srdhm(x, mult); out = rdivpot(y, right).
 */
static void test_mbqm_known(void)
{
	/* 100 * 0.5: srdhm(100, 2^30) = 50; shift 0 -> 50. */
	CHECK_EQ(qa1e_requant_scale(100, 1 << 30, 0), 50, "100 * 0.5");
	/* 100 * 0.5 / 2: 50 / 2 = 25. */
	CHECK_EQ(qa1e_requant_scale(100, 1 << 30, -1), 25, "100 * 0.5 / 2");
	/* -100 * 0.5 / 8 = -6.25: srdhm = -50, -50 / 8 = -6.25 -> -6. */
	CHECK_EQ(qa1e_requant_scale(-100, 1 << 30, -3), -6, "-100 * 0.5 / 8");
	/*
	 * Double rounding: 3 * 0.5 / 4 = 0.375 exactly would round to 0, but
	 * srdhm(3, 2^30) = 1.5 -> 2, then 2 / 4 = 0.5 -> 1.
	 */
	CHECK_EQ(qa1e_requant_scale(3, 1 << 30, -2), 1, "double rounding 3*0.5/4");
	/* 5 * 0.5 / 4 = 0.625: srdhm = 2.5 -> 3; 3 / 4 = 0.75 -> 1. */
	CHECK_EQ(qa1e_requant_scale(5, 1 << 30, -2), 1, "5*0.5/4");
	/* Left shift: 3 * 2^2 = 12, * 0.75 = 9. */
	CHECK_EQ(qa1e_requant_scale(3, 3 << 29, 2), 9, "3*4*0.75");
	/* shift 30: 1 * 2^30 = 2^30; srdhm(2^30, 2^30) = 2^29. */
	CHECK_EQ(qa1e_requant_scale(1, 1 << 30, 30), 1 << 29, "shift 30");
	/*
	 * shift 30, acc 2: 2^31 saturates to 2^31 - 1 before the multiply;
	 * srdhm(2^31 - 1, 2^30) = (2^31 - 1) / 2 = 2^30 - 0.5 -> 2^30 (tie up).
	 */
	CHECK_EQ(qa1e_requant_scale(2, 1 << 30, 30), 1 << 30, "shift 30 saturating");
	/*
	 * acc = 2^30, shift 1: 2^31 saturates to INT32_MAX;
	 * srdhm(INT32_MAX, INT32_MAX) = 2147483646 (not 2^31 - 1, which a
	 * wider intermediate would give).
	 */
	CHECK_EQ(qa1e_requant_scale(1 << 30, INT32_MAX, 1), 2147483646, "left sat high");
	/* acc = -2^31, shift 30: saturates to INT32_MIN; srdhm(min, max). */
	CHECK_EQ(qa1e_requant_scale(INT32_MIN, INT32_MAX, 30), -2147483647, "left sat low");
	/* acc = -2^31, mult = 2^31 - 1, shift 0: same. */
	CHECK_EQ(qa1e_requant_scale(INT32_MIN, INT32_MAX, 0), -2147483647, "min * max");
	/* shift -31: srdhm(max, max) = 2147483646; / 2^31 = 0.99... -> 1. */
	CHECK_EQ(qa1e_requant_scale(INT32_MAX, INT32_MAX, -31), 1, "shift -31");
	/* shift -31: -2^31 * 0.99... = -2147483647, / 2^31 -> -1. */
	CHECK_EQ(qa1e_requant_scale(INT32_MIN, INT32_MAX, -31), -1, "shift -31 neg");
	/* shift -31, small: 1000 * 1 / 2^31 -> 0. */
	CHECK_EQ(qa1e_requant_scale(1000, INT32_MAX, -31), 0, "shift -31 small");
	/* mult 0 gives 0 whatever the rest. */
	CHECK_EQ(qa1e_requant_scale(INT32_MAX, 0, 30), 0, "mult 0");
	CHECK_EQ(qa1e_requant_scale(INT32_MIN, 0, -31), 0, "mult 0 neg");
	/* mult 2^31 - 1 (~1.0): 12345 * (1 - 2^-31) = 12344.99999 -> 12345. */
	CHECK_EQ(qa1e_requant_scale(12345, INT32_MAX, 0), 12345, "mult max");
	CHECK_EQ(qa1e_requant_scale(-12345, INT32_MAX, 0), -12345, "mult max neg");
	/* Out-of-range shifts are clamped: 40 acts as 30, -40 as -31. */
	CHECK_EQ(qa1e_requant_scale(1, 1 << 30, 40), 1 << 29, "shift 40 -> 30");
	CHECK_EQ(qa1e_requant_scale(INT32_MAX, INT32_MAX, -40), 1, "shift -40 -> -31");
	/* A negative mult is used as is: 100 * -0.5 = -50. */
	CHECK_EQ(qa1e_requant_scale(100, -(1 << 30), 0), -50, "negative mult");
	/* mult INT32_MIN (-1.0) with acc INT32_MIN: the saturating case. */
	CHECK_EQ(qa1e_requant_scale(INT32_MIN, INT32_MIN, 0), INT32_MAX, "mult min");
}

/* Full output stage known answers. */
static void test_requant_known(void)
{
	/* 1000 * 0.5 = 500, + (-10) = 490, clamped to 127. */
	CHECK_EQ(qa1e_requant(1000, 1 << 30, 0, -10, -128, 127), 127, "s8 high");
	/* -1000 * 0.5 = -500, + 5 -> -495 -> -128. */
	CHECK_EQ(qa1e_requant(-1000, 1 << 30, 0, 5, -128, 127), -128, "s8 low");
	/* 40 * 0.5 = 20, + 100 = 120. */
	CHECK_EQ(qa1e_requant(40, 1 << 30, 0, 100, 0, 255), 120, "u8 mid");
	/* ReLU6-like: 40 * 0.5 + 100 = 120 clamped to [100, 106]. */
	CHECK_EQ(qa1e_requant(40, 1 << 30, 0, 100, 100, 106), 106, "relu6 high");
	CHECK_EQ(qa1e_requant(-40, 1 << 30, 0, 100, 100, 106), 100, "relu low");
	/* out_zp + scaled must not overflow: INT32_MAX + 127 in 64 bits. */
	CHECK_EQ(qa1e_requant(INT32_MAX, INT32_MAX, 30, 127, -128, 127), 127, "no wrap high");
	CHECK_EQ(qa1e_requant(INT32_MIN, INT32_MAX, 30, -128, -128, 127), -128, "no wrap low");
	CHECK_EQ(qa1e_requant(INT32_MAX, INT32_MAX, 30, INT32_MAX, INT32_MIN, INT32_MAX),
		 INT32_MAX, "64-bit sum");
	/* Reversed range (not accepted by gemm_check): act_max wins. */
	CHECK_EQ(qa1e_requant(0, 0, 0, 0, 10, 5), 5, "reversed range");
}

static const int32_t edge_s32[] = {
	INT32_MIN, INT32_MIN + 1, -(1 << 30) - 1, -(1 << 30), -(1 << 30) + 1,
	-65536, -257, -256, -255, -128, -3, -2, -1, 0, 1, 2, 3, 127, 128,
	255, 256, 65535, (1 << 30) - 1, 1 << 30, (1 << 30) + 1,
	INT32_MAX - 1, INT32_MAX,
};
#define N_EDGE (sizeof(edge_s32) / sizeof(edge_s32[0]))

static void test_srdhm_vs_definition(void)
{
	for (size_t i = 0; i < N_EDGE; i++)
		for (size_t j = 0; j < N_EDGE; j++)
			CHECK_EQ(qa1e_srdhm(edge_s32[i], edge_s32[j]),
				 ref_srdhm(edge_s32[i], edge_s32[j]),
				 "srdhm(%d, %d)", edge_s32[i], edge_s32[j]);
	for (int t = 0; t < 200000; t++) {
		int32_t a = rnd_s32(), b = rnd_s32();

		if (t & 1)	/* products near ties */
			a = (int32_t)rnd_range(-70000, 70000);
		CHECK_EQ(qa1e_srdhm(a, b), ref_srdhm(a, b), "srdhm(%d, %d)", a, b);
	}
}

static void test_rdivpot_vs_definition(void)
{
	for (int e = 0; e <= 31; e++) {
		for (size_t i = 0; i < N_EDGE; i++)
			CHECK_EQ(qa1e_rdivpot(edge_s32[i], e), ref_rdivpot(edge_s32[i], e),
				 "rdivpot(%d, %d)", edge_s32[i], e);
		for (int t = 0; t < 5000; t++) {
			int32_t x = t & 1 ? rnd_s32() : (int32_t)rnd_range(-5000, 5000);
			/* Exact ties: odd multiples of 2^(e-1). */
			if (e > 0 && t % 3 == 0) {
				int64_t v = (rnd_range(-1000, 1000) * 2 + 1) * ((int64_t)1 << (e - 1));

				if (v >= INT32_MIN && v <= INT32_MAX)
					x = (int32_t)v;
			}

			CHECK_EQ(qa1e_rdivpot(x, e), ref_rdivpot(x, e), "rdivpot(%d, %d)", x, e);
		}
	}
}

static void test_mbqm_vs_definition(void)
{
	static const int32_t mults[] = { 0, 1, 1 << 30, (1 << 30) + 1, 0x5a5a5a5a, INT32_MAX - 1, INT32_MAX };

	for (int32_t shift = -31; shift <= 30; shift++) {
		for (size_t i = 0; i < N_EDGE; i++)
			for (size_t j = 0; j < sizeof(mults) / sizeof(mults[0]); j++)
				CHECK_EQ(qa1e_requant_scale(edge_s32[i], mults[j], shift),
					 ref_mbqm(edge_s32[i], mults[j], shift),
					 "mbqm(%d, %d, %d)", edge_s32[i], mults[j], shift);
		for (int t = 0; t < 3000; t++) {
			int32_t acc = t & 1 ? rnd_s32() : (int32_t)rnd_range(-100000, 100000);
			int32_t mult = (int32_t)rnd_range(0, INT32_MAX);

			CHECK_EQ(qa1e_requant_scale(acc, mult, shift), ref_mbqm(acc, mult, shift),
				 "mbqm(%d, %d, %d)", acc, mult, shift);
		}
	}
	/* Full output stage with random zero points and clamps. */
	for (int t = 0; t < 100000; t++) {
		int32_t acc = rnd_s32() >> (int)rnd_range(0, 31);
		int32_t mult = (int32_t)rnd_range(0, INT32_MAX);
		int32_t shift = (int32_t)rnd_range(-31, 30);
		int32_t zp = (int32_t)rnd_range(-128, 255);
		int32_t lo = (int32_t)rnd_range(-128, 255);
		int32_t hi = (int32_t)rnd_range(lo, 255);

		CHECK_EQ(qa1e_requant(acc, mult, shift, zp, lo, hi),
			 ref_requant(acc, mult, shift, zp, lo, hi),
			 "requant(%d, %d, %d, %d, %d, %d)", acc, mult, shift, zp, lo, hi);
	}
}

/* Data errors the engine cannot reject: defined, deterministic results. */
static void test_out_of_range_params(void)
{
	for (int t = 0; t < 20000; t++) {
		int32_t acc = rnd_s32();
		int32_t mult = rnd_s32();	/* negative half the time */
		int32_t shift = rnd_s32() >> (int)rnd_range(0, 31);
		int32_t cl = shift > 30 ? 30 : shift < -31 ? -31 : shift;

		CHECK_EQ(qa1e_requant_scale(acc, mult, shift), qa1e_requant_scale(acc, mult, cl),
			 "shift %d must act as %d", shift, cl);
		CHECK_EQ(qa1e_requant_scale(acc, mult, shift), ref_mbqm(acc, mult, shift),
			 "mbqm(%d, %d, %d)", acc, mult, shift);
	}
}

static void test_gemm_m1(void)
{
	for (int t = 0; t < 40; t++) {
		struct model md;

		random_model(&md, 1, 0, 0, t & 1);
		run_gemm(&md, 0, "m=1");
		model_free(&md);
	}
}

static void test_gemm_k_tails(void)
{
	for (uint32_t k = 1; k <= 19; k++) {
		struct model md;

		random_model(&md, 0, 0, k, 0);
		run_gemm(&md, 0, "k tail");
		model_free(&md);
	}
	for (int t = 0; t < 10; t++) {
		struct model md;

		random_model(&md, 0, 0, (uint32_t)rnd_range(1, 150) * 4 + (uint32_t)rnd_range(1, 3), 1);
		run_gemm(&md, 0, "k tail");
		model_free(&md);
	}
}

static void test_gemm_n_tails(void)
{
	static const uint32_t ns[] = { 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 65, 100 };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct model md;

		random_model(&md, 0, ns[i], 0, (int)(i & 1));
		run_gemm(&md, 0, "n tail");
		model_free(&md);
	}
}

/* Run one model per combination of a_signed x a_zp list x out type. */
static void gemm_with_zps(uint32_t a_signed, const int32_t *zps, size_t nzp,
			  const int32_t *wzps, size_t nwzp, const char *what)
{
	for (size_t i = 0; i < nzp; i++) {
		for (uint32_t ot = 0; ot <= 2; ot++) {
			struct model md;

			random_model(&md, 0, 0, 0, 1);
			md.a_signed = a_signed;
			md.a_zp = zps[i];
			md.out_type = ot;
			md.ldc = md.n * esize_of(ot) + (uint32_t)rnd_range(0, 5);
			if (ot == QA1E_OUT_S32) {
				md.out_zp = md.act_min = md.act_max = 0;
			} else {
				md.out_zp = ot == QA1E_OUT_S8 ? (int32_t)rnd_range(-128, 127) :
					(int32_t)rnd_range(0, 255);
				md.act_min = ot == QA1E_OUT_S8 ? -128 : 0;
				md.act_max = md.act_min + 255;
			}
			free(md.a);
			md.a = xmalloc(a_size(&md));
			/* Rows of extreme values too. */
			for (uint32_t r = 0; r < md.m; r++)
				for (uint32_t kk = 0; kk < md.k; kk++)
					set_a(&md, r, kk, r % 3 == 0 ? (a_signed ? -128 : 255) :
					      r % 3 == 1 ? (a_signed ? 127 : 0) :
					      (int32_t)rnd_range(0, 255));
			for (uint32_t nn = 0; nn < md.n; nn++)
				md.wzp[nn] = wzps[(nn + i) % nwzp];
			run_gemm(&md, 0, what);
			model_free(&md);
		}
	}
}

static void test_gemm_a_zp_u8(void)
{
	static const int32_t zps[] = { 0, 255, 128, 1 };
	static const int32_t wzps[] = { 0 };

	gemm_with_zps(0, zps, 4, wzps, 1, "u8 a_zp extremes");
}

static void test_gemm_a_zp_s8(void)
{
	static const int32_t zps[] = { -128, 127, 0, -1 };
	static const int32_t wzps[] = { 0 };

	gemm_with_zps(1, zps, 4, wzps, 1, "s8 a_zp extremes");
}

static void test_gemm_w_zp(void)
{
	static const int32_t u8zps[] = { 0, 255 };
	static const int32_t s8zps[] = { -128, 127 };
	static const int32_t wzps[] = { -128, 127, 0, -1, 1 };

	gemm_with_zps(0, u8zps, 2, wzps, 5, "w_zp extremes (u8 A)");
	gemm_with_zps(1, s8zps, 2, wzps, 5, "w_zp extremes (s8 A)");
}

/* Build an M=1, N=1 or small model with constant contents. */
static void const_model(struct model *md, uint32_t n, uint32_t k, uint32_t a_signed,
			int32_t a, int32_t a_zp, int32_t w, int32_t wzp, int32_t bias,
			uint32_t out_type)
{
	memset(md, 0, sizeof(*md));
	md->m = 1;
	md->n = n;
	md->k = k;
	md->lda = k;
	md->a_signed = a_signed;
	md->a_zp = a_zp;
	md->out_type = out_type;
	md->ldc = n * esize_of(out_type);
	if (out_type == QA1E_OUT_S8) {
		md->act_min = -128;
		md->act_max = 127;
	} else if (out_type == QA1E_OUT_U8) {
		md->act_max = 255;
	}
	model_alloc(md);
	for (uint32_t kk = 0; kk < k; kk++)
		set_a(md, 0, kk, a);
	for (size_t i = 0; i < (size_t)k * n; i++)
		md->w[i] = (int8_t)w;
	for (uint32_t nn = 0; nn < n; nn++) {
		md->bias[nn] = bias;
		md->wzp[nn] = wzp;
		md->mult[nn] = 1 << 30;
		md->shift[nn] = 0;
	}
}

/* Engine's raw accumulator of C[0][0] for a model with s32 output. */
static int32_t engine_acc00(const struct model *md)
{
	struct qa1e_gemm g = model_gemm(md);
	uint8_t *packed = pack(md, 0);
	uint8_t *c = xmalloc(c_size(md));
	int32_t v;

	qa1e_gemm(&g, md->a, packed, c);
	v = get_le32(c);
	free(c);
	free(packed);
	return v;
}

static void test_wrap_bias(void)
{
	struct model md;

	/*
	 * bias = 2^31 - 1, K = 4, a = 255, w = 127: 4 * 32385 = 129540;
	 * 2147483647 + 129540 = 2147613187 = 2^32 - 2147354109, so the
	 * wrapped accumulator is -2147354109.
	 */
	const_model(&md, 1, 4, 0, 255, 0, 127, 0, INT32_MAX, QA1E_OUT_S32);
	CHECK_EQ(engine_acc00(&md), -2147354109, "bias wrap");
	CHECK_EQ(ref_acc(&md, 0, 0), -2147354109, "bias wrap (reference)");
	run_gemm(&md, 0, "bias wrap");
	model_free(&md);

	/*
	 * bias = -2^31, K = 4, a = 255, w = -128: 4 * -32640 = -130560;
	 * -2147483648 - 130560 + 2^32 = 2147353088.
	 */
	const_model(&md, 1, 4, 0, 255, 0, -128, 0, INT32_MIN, QA1E_OUT_S32);
	CHECK_EQ(engine_acc00(&md), 2147353088, "negative bias wrap");
	run_gemm(&md, 0, "negative bias wrap");
	model_free(&md);

	/* The wrapped accumulators through requantization, 17 channels. */
	const_model(&md, 17, 4, 0, 255, 0, 127, 0, INT32_MAX, QA1E_OUT_U8);
	for (uint32_t nn = 0; nn < 17; nn++) {
		md.bias[nn] = INT32_MAX - (int32_t)nn * 20000;
		md.mult[nn] = INT32_MAX;
		md.shift[nn] = -24;
		md.out_zp = 128;
	}
	run_gemm(&md, 0, "bias wrap requantized");
	model_free(&md);
}

static void test_wrap_long_k(void)
{
	struct model md;

	/*
	 * K = 70000, a = 255, w = 127, no zero points: the dot product alone is
	 * 70000 * 32385 = 2266950000 > 2^31 - 1; wrapped:
	 * 2266950000 - 4294967296 = -2028017296.
	 */
	const_model(&md, 1, 70000, 0, 255, 0, 127, 0, 0, QA1E_OUT_S32);
	CHECK_EQ(engine_acc00(&md), -2028017296, "long K wrap");
	CHECK_EQ(ref_acc(&md, 0, 0), -2028017296, "long K wrap (reference)");
	model_free(&md);

	/*
	 * s8 A = -128, a_zp = 127, w = -128, w_zp = 127: each term is
	 * (-255) * (-255) = 65025; K = 70000: 4551750000 - 2^32 = 256782704.
	 */
	const_model(&md, 1, 70000, 1, -128, 127, -128, 127, 0, QA1E_OUT_S32);
	CHECK_EQ(engine_acc00(&md), 256782704, "zero-point wrap");
	CHECK_EQ(ref_acc(&md, 0, 0), 256782704, "zero-point wrap (reference)");
	model_free(&md);

	/* Random long rows. */
	for (int t = 0; t < 3; t++) {
		random_model(&md, 2, 20, 70001 + (uint32_t)t, 0);
		for (uint32_t nn = 0; nn < md.n; nn++)
			md.wzp[nn] = (int32_t)rnd_range(-128, 127);
		run_gemm(&md, 0, "long K random");
		model_free(&md);
	}
}

static void test_wrap_zp_terms(void)
{
	/* Weight zero points far outside s8 make every term wrap. */
	for (int t = 0; t < 20; t++) {
		struct model md;

		random_model(&md, 0, 0, 0, 1);
		for (uint32_t nn = 0; nn < md.n; nn++) {
			md.wzp[nn] = nn % 3 == 0 ? INT32_MAX : nn % 3 == 1 ? INT32_MIN : rnd_s32();
			md.bias[nn] = rnd_s32();
		}
		run_gemm(&md, 0, "zero-point term wrap");
		model_free(&md);
	}
}

static void test_gemm_shift_extremes(void)
{
	for (int t = 0; t < 12; t++) {
		struct model md;

		random_model(&md, 0, 0, 0, 1);
		if (md.out_type == QA1E_OUT_S32) {
			md.out_type = QA1E_OUT_S8;
			md.ldc = md.n;
			md.act_min = -128;
			md.act_max = 127;
		}
		for (uint32_t nn = 0; nn < md.n; nn++) {
			md.shift[nn] = nn & 1 ? 30 : -31;
			if (t & 1)	/* small accumulators so shift 30 is not all saturation */
				md.bias[nn] = (int32_t)rnd_range(-3, 3);
			md.mult[nn] = (int32_t)rnd_range(0, INT32_MAX);
		}
		if (t & 1)
			for (size_t i = 0; i < (size_t)md.k * md.n; i++)
				md.w[i] = 0;
		run_gemm(&md, 0, "shift -31 / 30");
		model_free(&md);
	}
}

static void test_gemm_mult_extremes(void)
{
	for (int t = 0; t < 12; t++) {
		struct model md;

		random_model(&md, 0, 0, 0, 1);
		if (md.out_type == QA1E_OUT_S32) {
			md.out_type = QA1E_OUT_U8;
			md.ldc = md.n;
			md.out_zp = 77;
			md.act_min = 0;
			md.act_max = 255;
		}
		for (uint32_t nn = 0; nn < md.n; nn++) {
			md.mult[nn] = nn & 1 ? INT32_MAX : 0;
			md.shift[nn] = -(int32_t)rnd_range(6, 16);
		}
		run_gemm(&md, 0, "mult 0 / 2^31-1");
		model_free(&md);
	}
}

/* Check that both output limits are reached and respected. */
static void saturation_case(uint32_t out_type, const char *what)
{
	struct model md;
	int seen_lo = 0, seen_hi = 0;
	struct qa1e_gemm g;
	uint8_t *packed, *c;
	int32_t lo = out_type == QA1E_OUT_S8 ? -128 : 0, hi = lo + 255;

	random_model(&md, 16, 33, 40, 1);
	md.out_type = out_type;
	md.ldc = md.n + 3;
	md.out_zp = out_type == QA1E_OUT_S8 ? 0 : 128;
	md.act_min = lo;
	md.act_max = hi;
	for (uint32_t nn = 0; nn < md.n; nn++) {
		md.mult[nn] = INT32_MAX;
		md.shift[nn] = nn % 3 == 0 ? 4 : -2;	/* large gains saturate */
		md.bias[nn] = nn & 1 ? 3000000 : -3000000;
	}
	g = model_gemm(&md);
	packed = pack(&md, 0);
	c = xmalloc(c_size(&md));
	memset(c, C_SENTINEL, c_size(&md));
	qa1e_gemm(&g, md.a, packed, c);
	check_c(&md, c, what);
	for (uint32_t r = 0; r < md.m; r++)
		for (uint32_t nn = 0; nn < md.n; nn++) {
			int32_t v = c_elem(&md, c, r, nn);

			seen_lo += v == lo;
			seen_hi += v == hi;
		}
	if (!seen_lo || !seen_hi)
		fail("%s: limits not reached (lo %d, hi %d)", what, seen_lo, seen_hi);
	free(c);
	free(packed);
	model_free(&md);
}

static void test_sat_s8(void)
{
	saturation_case(QA1E_OUT_S8, "s8 saturation");
}

static void test_sat_u8(void)
{
	saturation_case(QA1E_OUT_U8, "u8 saturation");
}

static void test_s32_output(void)
{
	for (int t = 0; t < 20; t++) {
		struct model md;

		random_model(&md, 0, 0, 0, t & 1);
		md.out_type = QA1E_OUT_S32;
		md.ldc = md.n * 4 + (t & 1 ? 12 : 0);
		md.out_zp = md.act_min = md.act_max = 0;
		/* requant arrays are ignored: make them garbage */
		for (uint32_t nn = 0; nn < md.n; nn++) {
			md.mult[nn] = rnd_s32();
			md.shift[nn] = rnd_s32();
		}
		run_gemm(&md, 0, "s32 output");
		model_free(&md);
	}
	{
		/* Byte order: acc = 0x01020304 -> bytes 04 03 02 01. */
		struct model md;
		struct qa1e_gemm g;
		uint8_t *packed, c[4];

		const_model(&md, 1, 1, 0, 0, 0, 0, 0, 0x01020304, QA1E_OUT_S32);
		g = model_gemm(&md);
		packed = pack(&md, 0);
		qa1e_gemm(&g, md.a, packed, c);
		CHECK_EQ(c[0], 4, "le byte 0");
		CHECK_EQ(c[1], 3, "le byte 1");
		CHECK_EQ(c[2], 2, "le byte 2");
		CHECK_EQ(c[3], 1, "le byte 3");
		free(packed);
		model_free(&md);
	}
}

static void test_strides(void)
{
	for (int t = 0; t < 30; t++) {
		struct model md;

		random_model(&md, (uint32_t)rnd_range(2, 12), 0, 0, 1);
		md.lda += (uint32_t)rnd_range(1, 100);
		md.ldc += (uint32_t)rnd_range(1, 50);
		free(md.a);
		md.a = xmalloc(a_size(&md));
		memset(md.a, 0xc3, a_size(&md));
		for (uint32_t r = 0; r < md.m; r++)
			for (uint32_t kk = 0; kk < md.k; kk++)
				set_a(&md, r, kk, (int32_t)rnd_range(0, 255));
		run_gemm(&md, 0, "lda/ldc > minimal");
		model_free(&md);
	}
}

static void test_act_clamps(void)
{
	for (int t = 0; t < 24; t++) {
		struct model md;
		int32_t zp;

		random_model(&md, 0, 0, 0, 1);
		md.out_type = t & 1 ? QA1E_OUT_U8 : QA1E_OUT_S8;
		md.ldc = md.n;
		zp = md.out_type == QA1E_OUT_U8 ? (int32_t)rnd_range(0, 60) : (int32_t)rnd_range(-128, -60);
		md.out_zp = zp;
		switch (t % 3) {
		case 0:		/* ReLU: [zp, max] */
			md.act_min = zp;
			md.act_max = md.out_type == QA1E_OUT_U8 ? 255 : 127;
			break;
		case 1:		/* ReLU6 with scale 6/64: [zp, zp + 64] */
			md.act_min = zp;
			md.act_max = zp + 64;
			break;
		default:	/* a single value */
			md.act_min = md.act_max = zp + 5;
			break;
		}
		run_gemm(&md, 0, "act clamps");
		model_free(&md);
	}
}

static void test_padding_ignored(void)
{
	for (int t = 0; t < 30; t++) {
		struct model md;

		random_model(&md, 0, 0, 0, t & 1);
		run_gemm(&md, 1, "junk in padding");
		model_free(&md);
	}
}

/* The stored colsum is what the engine uses (expanded form). */
static void test_colsum_used(void)
{
	for (int t = 0; t < 10; t++) {
		struct model md;
		struct qa1e_gemm g;
		uint8_t *packed, *c;

		random_model(&md, 0, 0, 0, 0);
		md.out_type = QA1E_OUT_S32;
		md.ldc = md.n * 4;
		md.out_zp = md.act_min = md.act_max = 0;
		if (md.a_zp == 0)
			md.a_zp = md.a_signed ? -7 : 7;
		g = model_gemm(&md);
		packed = pack(&md, 0);
		c = xmalloc(c_size(&md));
		/* colsum[n] += n + 1: acc changes by -a_zp * (n + 1). */
		for (uint32_t nn = 0; nn < md.n; nn++) {
			uint8_t *p = packed + spec_arr(md.n, md.k, 1, nn);

			put_le32(p, (int32_t)((uint32_t)get_le32(p) + nn + 1));
		}
		qa1e_gemm(&g, md.a, packed, c);
		for (uint32_t r = 0; r < md.m; r++)
			for (uint32_t nn = 0; nn < md.n; nn++)
				CHECK_EQ(c_elem(&md, c, r, nn),
					 wrap32((i128)ref_acc(&md, r, nn) - (i128)md.a_zp * (nn + 1)),
					 "colsum delta C[%u][%u]", r, nn);
		free(c);
		free(packed);
		model_free(&md);
	}
}

/*
 * The emulator's path: one row and one 16-channel panel at a time, with the
 * panel copied out of the block (as an MMU gather would) and the arrays
 * decoded by the caller.
 */
static void test_building_blocks(void)
{
	for (int t = 0; t < 40; t++) {
		struct model md;
		struct qa1e_gemm g;
		uint8_t *packed, *row;
		size_t row_bytes;

		random_model(&md, 0, 0, 0, 1);
		g = model_gemm(&md);
		packed = pack(&md, 1);
		row_bytes = (size_t)md.n * esize_of(md.out_type);
		row = xmalloc(row_bytes);
		for (uint32_t r = 0; r < md.m; r++) {
			const uint8_t *a_row = md.a + (size_t)r * md.lda;
			i128 rs = 0;
			int32_t rowsum = qa1e_row_sum(&g, a_row);

			for (uint32_t kk = 0; kk < md.k; kk++)
				rs += a_value(&md, r, kk);
			CHECK_EQ(rowsum, wrap32(rs), "row_sum row %u", r);
			memset(row, C_SENTINEL, row_bytes);
			for (uint32_t blk = 0; blk * 16 < md.n; blk++) {
				size_t plen = spec_k4(md.k) * 64;
				uint8_t *panel = xmalloc(plen);
				int32_t bias[16], colsum[16], wzp[16], mult[16], shift[16], acc[16];
				uint32_t count = md.n - blk * 16 < 16 ? md.n - blk * 16 : 16;

				memcpy(panel, packed + (size_t)blk * plen, plen);
				for (uint32_t j = 0; j < 16; j++) {
					uint32_t nn = blk * 16 + j;

					bias[j] = get_le32(packed + spec_arr(md.n, md.k, 0, nn));
					colsum[j] = get_le32(packed + spec_arr(md.n, md.k, 1, nn));
					wzp[j] = get_le32(packed + spec_arr(md.n, md.k, 2, nn));
					mult[j] = get_le32(packed + spec_arr(md.n, md.k, 3, nn));
					shift[j] = get_le32(packed + spec_arr(md.n, md.k, 4, nn));
				}
				qa1e_panel_acc(&g, a_row, rowsum, panel, colsum, wzp, bias, acc);
				for (uint32_t j = 0; j < count; j++)
					CHECK_EQ(acc[j], ref_acc(&md, r, blk * 16 + j),
						 "panel_acc row %u channel %u", r, blk * 16 + j);
				qa1e_store(&g, acc, blk * 16, count, mult, shift, row);
				free(panel);
			}
			for (uint32_t nn = 0; nn < md.n; nn++) {
				int32_t v = md.out_type == QA1E_OUT_S32 ? get_le32(row + 4 * (size_t)nn) :
					md.out_type == QA1E_OUT_S8 ? (int8_t)row[nn] : row[nn];

				CHECK_EQ(v, ref_out(&md, r, nn), "store row %u channel %u", r, nn);
			}
		}
		free(row);
		free(packed);
		model_free(&md);
	}
	{
		/* qa1e_store writes exactly [n0, n0 + count). */
		struct qa1e_gemm g = { .m = 1, .n = 40, .k = 1, .lda = 1, .ldc = 40,
				       .out_type = QA1E_OUT_U8, .act_max = 255 };
		int32_t acc[16], mult[16], shift[16];
		uint8_t row[40];

		for (int j = 0; j < 16; j++) {
			acc[j] = 2 * j + 2;
			mult[j] = 1 << 30;	/* 0.5 */
			shift[j] = 0;
		}
		memset(row, C_SENTINEL, sizeof(row));
		qa1e_store(&g, acc, 16, 5, mult, shift, row);
		for (int i = 0; i < 40; i++)
			CHECK_EQ(row[i], i >= 16 && i < 21 ? i - 15 : C_SENTINEL, "store byte %d", i);

		/*
		 * n0 need not be a multiple of 16, and mult[i] / shift[i] go
		 * with acc[i]: acc 100, mult 0.5, shift -i gives 50 >> i,
		 * rounded: 50, 25, 13 (12.5), 6 (6.25), 3 (3.125).
		 */
		for (int j = 0; j < 16; j++) {
			acc[j] = 100;
			shift[j] = -j;
		}
		memset(row, C_SENTINEL, sizeof(row));
		qa1e_store(&g, acc, 3, 5, mult, shift, row);
		for (int i = 0; i < 40; i++) {
			static const int want[5] = { 50, 25, 13, 6, 3 };

			CHECK_EQ(row[i], i >= 3 && i < 8 ? want[i - 3] : C_SENTINEL,
				 "store at n0 = 3, byte %d", i);
		}
	}
}

/*
 * Run every row of md against every panel through qa1e_panel_acc() and
 * qa1e_panel_acc_pairs(), on a panel copied out of the block with junk in
 * its padding, and check both against the naive accumulator.
 */
static void check_panels(const struct model *md, const char *what)
{
	struct qa1e_gemm g = model_gemm(md);
	uint8_t *packed = pack(md, 1);
	size_t plen = spec_k4(md->k) * 64;
	uint8_t *panel = xmalloc(plen);

	for (uint32_t blk = 0; blk * 16 < md->n; blk++) {
		int32_t bias[16], colsum[16], wzp[16], acc[16], acc2[16];
		uint32_t count = md->n - blk * 16 < 16 ? md->n - blk * 16 : 16;

		memcpy(panel, packed + (size_t)blk * plen, plen);
		for (uint32_t j = 0; j < 16; j++) {
			uint32_t nn = blk * 16 + j;

			bias[j] = get_le32(packed + spec_arr(md->n, md->k, 0, nn));
			colsum[j] = get_le32(packed + spec_arr(md->n, md->k, 1, nn));
			wzp[j] = get_le32(packed + spec_arr(md->n, md->k, 2, nn));
		}
		for (uint32_t r = 0; r < md->m; r++) {
			const uint8_t *a_row = md->a + (size_t)r * md->lda;
			int32_t rowsum = qa1e_row_sum(&g, a_row);

			qa1e_panel_acc(&g, a_row, rowsum, panel, colsum, wzp, bias, acc);
			qa1e_panel_acc_pairs(&g, a_row, rowsum, panel, colsum, wzp, bias, acc2);
			for (uint32_t j = 0; j < 16; j++) {
				/* Padding channels too: both forms agree on them. */
				CHECK_EQ(acc2[j], acc[j], "%s: pairs vs panel_acc row %u channel %u (k=%u)",
					 what, r, blk * 16 + j, md->k);
				if (j < count)
					CHECK_EQ(acc2[j], ref_acc(md, r, blk * 16 + j),
						 "%s: pairs row %u channel %u (k=%u)", what, r,
						 blk * 16 + j, md->k);
			}
		}
	}
	free(panel);
	free(packed);
}

/*
 * qa1e_panel_acc_pairs() folds its two-channel accumulators every 32768 k
 * and takes the 4-k groups eight bytes at a time: random contents, every
 * short K (tails of 1 to 3), the largest products of each sign in every
 * channel for K around the fold, and long random rows.
 */
static void test_panel_acc_pairs(void)
{
	static const uint32_t fold_ks[] = {
		32764, 32767, 32768, 32769, 32771, 32772, 65536, 65539, 98307,
	};
	static const int32_t w_extremes[] = { -128, 127, -1, 0 };
	struct model md;

	for (int t = 0; t < 60; t++) {
		random_model(&md, 0, 0, t < 20 ? (uint32_t)t + 1 : 0, 1);
		for (uint32_t nn = 0; nn < md.n; nn++)
			md.wzp[nn] = (int32_t)rnd_range(-128, 127);
		check_panels(&md, "random");
		model_free(&md);
	}

	for (size_t i = 0; i < sizeof(fold_ks) / sizeof(fold_ks[0]); i++) {
		for (uint32_t as = 0; as <= 1; as++) {
			/*
			 * Row 0: the A value of the largest |a * (w + 128)|;
			 * row 1: the other extreme; row 2: random. Channel j
			 * holds one of the extreme weights, or random ones.
			 */
			random_model(&md, 3, 20, fold_ks[i], 0);
			md.a_signed = as;
			md.a_zp = as ? (int32_t)rnd_range(-128, 127) : (int32_t)rnd_range(0, 255);
			for (uint32_t kk = 0; kk < md.k; kk++) {
				set_a(&md, 0, kk, as ? -128 : 255);
				set_a(&md, 1, kk, as ? 127 : 0);
			}
			for (uint32_t kk = 0; kk < md.k; kk++)
				for (uint32_t nn = 0; nn < md.n; nn++)
					if (nn % 5 < 4)
						md.w[(size_t)kk * md.n + nn] = (int8_t)w_extremes[nn % 5];
			check_panels(&md, as ? "fold, s8 A" : "fold, u8 A");
			model_free(&md);
		}
	}
}

/* An int32 that is often at or next to an edge of its range. */
static int32_t rnd_edgy_s32(void)
{
	static const int32_t edges[] = {
		INT32_MIN, INT32_MIN + 1, -(1 << 30), -65536, -129, -128, -1, 0, 1,
		127, 128, 255, 256, 1 << 30, INT32_MAX - 1, INT32_MAX,
	};

	switch (rnd_range(0, 3)) {
	case 0:
		return edges[rnd_range(0, sizeof(edges) / sizeof(edges[0]) - 1)];
	case 1:
		return (int32_t)rnd_range(-300, 300);
	default:
		return rnd_s32();
	}
}

/*
 * qa1e_store_fast() writes what qa1e_store() writes, byte for byte and
 * nothing else: every output type, every shift from -40 to 40 (clamped
 * ones included), accumulators and multipliers at the edges of int32
 * (negative multipliers too), random zero points and clamp ranges, and
 * n0 / count anywhere in the row.
 */
static void test_store_fast(void)
{
	uint8_t want[64 * 4 + 8], got[64 * 4 + 8];

	for (int t = 0; t < 20000; t++) {
		struct qa1e_gemm g = { .m = 1, .k = 1, .lda = 1 };
		int32_t acc[16], mult[16], shift[16];
		uint32_t n0 = (uint32_t)rnd_range(0, 48), count = (uint32_t)rnd_range(0, 16);

		g.out_type = (uint32_t)rnd_range(0, 2);
		g.n = 64;
		g.ldc = 64 * esize_of(g.out_type);
		if (g.out_type != QA1E_OUT_S32) {
			int32_t lo = g.out_type == QA1E_OUT_S8 ? -128 : 0;

			g.out_zp = (int32_t)rnd_range(lo, lo + 255);
			g.act_min = (int32_t)rnd_range(lo, lo + 255);
			g.act_max = (int32_t)rnd_range(g.act_min, lo + 255);
		}
		for (int j = 0; j < 16; j++) {
			acc[j] = rnd_edgy_s32();
			mult[j] = rnd_range(0, 3) ? (int32_t)rnd_range(1 << 30, INT32_MAX) :
				rnd_edgy_s32();
			shift[j] = (int32_t)rnd_range(-40, 40);
		}
		memset(want, C_SENTINEL, sizeof(want));
		memset(got, C_SENTINEL, sizeof(got));
		qa1e_store(&g, acc, n0, count, mult, shift, want);
		qa1e_store_fast(&g, acc, n0, count, mult, shift, got);
		for (size_t i = 0; i < sizeof(want); i++)
			CHECK_EQ(got[i], want[i], "store_fast byte %zu (out %u, n0 %u, count %u)",
				 i, g.out_type, n0, count);
	}
	{
		/* An unknown output type writes nothing in either form. */
		struct qa1e_gemm g = { .m = 1, .n = 16, .k = 1, .lda = 1, .ldc = 64,
				       .out_type = 3 };
		int32_t acc[16] = { 0 }, mult[16] = { 0 }, shift[16] = { 0 };

		memset(got, C_SENTINEL, sizeof(got));
		qa1e_store_fast(&g, acc, 0, 16, mult, shift, got);
		for (size_t i = 0; i < sizeof(got); i++)
			CHECK_EQ(got[i], C_SENTINEL, "unknown out type: byte %zu written", i);
	}
}

static struct qa1e_gemm valid_gemm(uint32_t a_signed, uint32_t out_type)
{
	struct qa1e_gemm g = {
		.m = 4, .n = 20, .k = 9, .lda = 9, .ldc = 20 * esize_of(out_type),
		.a_signed = a_signed, .out_type = out_type,
	};

	if (out_type == QA1E_OUT_S8) {
		g.act_min = -128;
		g.act_max = 127;
	} else if (out_type == QA1E_OUT_U8) {
		g.act_max = 255;
	}
	return g;
}

#define EXPECT_REJECT(g, ...)						\
	CHECK_EQ(qa1e_gemm_check(&(g)), QA1E_FAULT_DESCRIPTOR, __VA_ARGS__)
#define EXPECT_ACCEPT(g, ...)						\
	CHECK_EQ(qa1e_gemm_check(&(g)), 0, __VA_ARGS__)

static void test_check_accepts(void)
{
	for (uint32_t as = 0; as <= 1; as++) {
		for (uint32_t ot = 0; ot <= 2; ot++) {
			struct qa1e_gemm g = valid_gemm(as, ot);

			EXPECT_ACCEPT(g, "valid a_signed=%u out=%u", as, ot);
			g.a_zp = as ? -128 : 0;
			EXPECT_ACCEPT(g, "a_zp low");
			g.a_zp = as ? 127 : 255;
			EXPECT_ACCEPT(g, "a_zp high");
			g.m = g.n = g.k = 1;
			g.lda = 1;
			g.ldc = esize_of(ot);
			EXPECT_ACCEPT(g, "1x1x1");
			if (ot != QA1E_OUT_S32) {
				g.act_min = g.act_max = g.out_zp = ot == QA1E_OUT_S8 ? 127 : 255;
				EXPECT_ACCEPT(g, "single-value range at the top");
				g.act_min = g.act_max = g.out_zp = ot == QA1E_OUT_S8 ? -128 : 0;
				EXPECT_ACCEPT(g, "single-value range at the bottom");
			}
		}
	}
	{
		/* Any non-zero a_signed means s8. */
		struct qa1e_gemm g = valid_gemm(0x100, QA1E_OUT_S8);

		g.a_zp = -5;
		EXPECT_ACCEPT(g, "a_signed = 0x100 is s8");
	}
}

static void test_check_rejects_shape(void)
{
	for (uint32_t ot = 0; ot <= 2; ot++) {
		struct qa1e_gemm g;

		g = valid_gemm(0, ot), g.m = 0;
		EXPECT_REJECT(g, "m = 0");
		g = valid_gemm(0, ot), g.n = 0;
		EXPECT_REJECT(g, "n = 0");
		g = valid_gemm(0, ot), g.k = 0, g.lda = 0;
		EXPECT_REJECT(g, "k = 0");
		g = valid_gemm(0, ot), g.lda = g.k - 1;
		EXPECT_REJECT(g, "lda < k");
		g = valid_gemm(0, ot), g.ldc = g.n * esize_of(ot) - 1;
		EXPECT_REJECT(g, "ldc < n * esize (out %u)", ot);
		g = valid_gemm(0, ot), g.n = QA1E_N_LIMIT + 1, g.ldc = 0xffffffffu;
		EXPECT_REJECT(g, "n beyond the layout limit");
	}
	{
		/* s32: ldc = n is too small, n * 4 overflows 32 bits. */
		struct qa1e_gemm g = valid_gemm(0, QA1E_OUT_S32);

		g.ldc = g.n;
		EXPECT_REJECT(g, "s32 ldc = n");
		g.n = 0x40000001u;
		g.ldc = 4;	/* n * 4 mod 2^32 */
		EXPECT_REJECT(g, "s32 n * 4 overflow");
	}
}

static void test_check_rejects_types(void)
{
	static const uint32_t bad_types[] = { 3, 4, 0x80000000u, 0xffffffffu };

	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		struct qa1e_gemm g = valid_gemm(0, QA1E_OUT_U8);

		g.out_type = bad_types[i];
		g.ldc = 0xffffffffu;
		EXPECT_REJECT(g, "out_type %u", bad_types[i]);
	}
}

static void test_check_rejects_zero_points(void)
{
	struct qa1e_gemm g;

	g = valid_gemm(0, QA1E_OUT_U8), g.a_zp = -1;
	EXPECT_REJECT(g, "u8 a_zp -1");
	g = valid_gemm(0, QA1E_OUT_U8), g.a_zp = 256;
	EXPECT_REJECT(g, "u8 a_zp 256");
	g = valid_gemm(1, QA1E_OUT_U8), g.a_zp = -129;
	EXPECT_REJECT(g, "s8 a_zp -129");
	g = valid_gemm(1, QA1E_OUT_U8), g.a_zp = 128;
	EXPECT_REJECT(g, "s8 a_zp 128");
	g = valid_gemm(1, QA1E_OUT_U8), g.a_zp = INT32_MIN;
	EXPECT_REJECT(g, "s8 a_zp INT32_MIN");
	g = valid_gemm(0, QA1E_OUT_S8), g.out_zp = 128;
	EXPECT_REJECT(g, "s8 out_zp 128");
	g = valid_gemm(0, QA1E_OUT_S8), g.out_zp = -129;
	EXPECT_REJECT(g, "s8 out_zp -129");
	g = valid_gemm(0, QA1E_OUT_U8), g.out_zp = -1;
	EXPECT_REJECT(g, "u8 out_zp -1");
	g = valid_gemm(0, QA1E_OUT_U8), g.out_zp = 256;
	EXPECT_REJECT(g, "u8 out_zp 256");
	g = valid_gemm(0, QA1E_OUT_S32), g.out_zp = 1;
	EXPECT_REJECT(g, "s32 out_zp 1");
}

static void test_check_rejects_clamps(void)
{
	struct qa1e_gemm g;

	g = valid_gemm(0, QA1E_OUT_S8), g.act_min = -129;
	EXPECT_REJECT(g, "s8 act_min -129");
	g = valid_gemm(0, QA1E_OUT_S8), g.act_max = 128;
	EXPECT_REJECT(g, "s8 act_max 128");
	g = valid_gemm(0, QA1E_OUT_U8), g.act_min = -1;
	EXPECT_REJECT(g, "u8 act_min -1");
	g = valid_gemm(0, QA1E_OUT_U8), g.act_max = 256;
	EXPECT_REJECT(g, "u8 act_max 256");
	g = valid_gemm(0, QA1E_OUT_U8), g.act_min = 11, g.act_max = 10;
	EXPECT_REJECT(g, "act_min > act_max");
	g = valid_gemm(0, QA1E_OUT_S8), g.act_min = 0, g.act_max = -1;
	EXPECT_REJECT(g, "s8 act_min > act_max");
	g = valid_gemm(0, QA1E_OUT_S32), g.act_min = -1;
	EXPECT_REJECT(g, "s32 act_min -1");
	g = valid_gemm(0, QA1E_OUT_S32), g.act_max = 1;
	EXPECT_REJECT(g, "s32 act_max 1");
}

static void test_random_shapes(void)
{
	uint64_t inside = 0, total = 0;

	for (int t = 0; t < 400; t++) {
		struct model md;

		random_model(&md, 0, 0, 0, (int)rnd_range(0, 1));
		run_gemm(&md, (int)rnd_range(0, 1), "random");
		/* How many 8-bit outputs are not clamped (test quality). */
		if (md.out_type != QA1E_OUT_S32) {
			for (uint32_t r = 0; r < md.m; r++) {
				for (uint32_t nn = 0; nn < md.n; nn++) {
					int32_t v = ref_out(&md, r, nn);

					inside += v > md.act_min && v < md.act_max;
					total++;
				}
			}
		}
		model_free(&md);
	}
	printf("# random: %" PRIu64 " of %" PRIu64 " 8-bit outputs strictly inside the clamp range\n",
	       inside, total);
	if (inside * 3 < total)
		fail("random cases saturate too often to be useful");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_large(void)
{
	struct model md;
	struct qa1e_gemm g;
	uint8_t *packed, *c;
	double t0, t1;

	random_model(&md, 256, 256, 256, 0);
	md.a_signed = 0;
	md.a_zp = 128;
	md.out_type = QA1E_OUT_S8;
	md.ldc = 256;
	md.out_zp = 0;
	md.act_min = -128;
	md.act_max = 127;
	g = model_gemm(&md);
	packed = pack(&md, 0);
	c = xmalloc(c_size(&md));
	t0 = now_s();
	qa1e_gemm(&g, md.a, packed, c);
	t1 = now_s();
	printf("# 256x256x256 qa1e_gemm: %.3f ms\n", (t1 - t0) * 1e3);
	check_c(&md, c, "256^3");
	free(c);
	free(packed);
	model_free(&md);
}

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
	{ "layout_helpers_match_spec_formula", test_layout_helpers },
	{ "srdhm_known_answers", test_srdhm_known },
	{ "rdivpot_known_answers", test_rdivpot_known },
	{ "mbqm_known_answers", test_mbqm_known },
	{ "requant_known_answers", test_requant_known },
	{ "srdhm_matches_definition", test_srdhm_vs_definition },
	{ "rdivpot_matches_definition", test_rdivpot_vs_definition },
	{ "mbqm_matches_definition", test_mbqm_vs_definition },
	{ "out_of_range_shift_and_negative_mult_defined", test_out_of_range_params },
	{ "gemm_m1", test_gemm_m1 },
	{ "gemm_k_not_multiple_of_4", test_gemm_k_tails },
	{ "gemm_n_not_multiple_of_16", test_gemm_n_tails },
	{ "gemm_u8_a_zp_extremes", test_gemm_a_zp_u8 },
	{ "gemm_s8_a_zp_extremes", test_gemm_a_zp_s8 },
	{ "gemm_w_zp_extremes", test_gemm_w_zp },
	{ "acc_wrap_bias", test_wrap_bias },
	{ "acc_wrap_long_k", test_wrap_long_k },
	{ "acc_wrap_zero_point_terms", test_wrap_zp_terms },
	{ "gemm_shift_minus31_and_30", test_gemm_shift_extremes },
	{ "gemm_mult_0_and_max", test_gemm_mult_extremes },
	{ "s8_output_saturation", test_sat_s8 },
	{ "u8_output_saturation", test_sat_u8 },
	{ "s32_output_raw_le", test_s32_output },
	{ "lda_ldc_larger_than_minimal", test_strides },
	{ "act_min_max_clamps", test_act_clamps },
	{ "packed_padding_ignored", test_padding_ignored },
	{ "stored_colsum_is_used", test_colsum_used },
	{ "building_blocks_match_reference", test_building_blocks },
	{ "panel_acc_pairs_matches_reference", test_panel_acc_pairs },
	{ "store_fast_matches_reference", test_store_fast },
	{ "gemm_check_accepts_valid", test_check_accepts },
	{ "gemm_check_rejects_shape_and_strides", test_check_rejects_shape },
	{ "gemm_check_rejects_out_type", test_check_rejects_types },
	{ "gemm_check_rejects_zero_points", test_check_rejects_zero_points },
	{ "gemm_check_rejects_clamp_range", test_check_rejects_clamps },
	{ "gemm_random_shapes", test_random_shapes },
	{ "gemm_256x256x256", test_large },
};

int main(void)
{
	const size_t n = sizeof(tests) / sizeof(tests[0]);
	const char *env = getenv("QA1_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : DEFAULT_SEED;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	printf("1..%zu\n", n);
	printf("# test_engine: QA1 reference engine, seed 0x%016" PRIx64 "\n", seed);
	for (size_t i = 0; i < n; i++) {
		/* Each test gets its own stream, so tests are independent. */
		rng_state = seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
		failures = 0;
		tests[i].fn();
		if (failures > MAX_REPORTS)
			printf("# ... %d failures in all\n", failures);
		printf("%s %zu %s\n", failures ? "not ok" : "ok", i + 1, tests[i].name);
		failed += failures != 0;
	}
	printf("# %d of %zu tests failed\n", failed, n);
	return failed ? 1 : 0;
}
