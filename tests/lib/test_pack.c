// SPDX-License-Identifier: MIT
/*
 * Weight packing: the QA1 layout from s8, u8 and float weights stored K x N
 * or N x K, column sums, zero points, float and integer bias, requantization
 * arrays, unpacking, sizes, errors; the layer helper end to end against a
 * float reference.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <stdlib.h>

#include "qaccel_engine.h"
#include "tap.h"
#include "testutil.h"

#define N 37
#define K 45

static void test_sizes(void)
{
	size_t sz = 0;

	tap_ok(!qaccel_packed_size(1, 1, &sz) && sz == 64 + 5 * 64, "packed size 1 x 1 = 384");
	tap_ok(!qaccel_packed_size(N, K, &sz) && sz == qa1e_packed_bytes(N, K),
	       "packed size matches the engine layout (%zu)", sz);
	sz = 7;
	tap_ok(qaccel_packed_size(0, 1, &sz) == -EINVAL && qaccel_packed_size(1, 0, &sz) == -EINVAL &&
	       qaccel_packed_size((1u << 24) + 1, 1, &sz) == -EINVAL &&
	       qaccel_packed_size(1, 1, NULL) == -EINVAL && sz == 7, "packed size bad input");
}

static void test_int_layouts(void)
{
	struct rng r = { 3 };
	int8_t wkn[K * N], wnk[N * K], back[K * N];
	int32_t bias[N], zp[N], mult[N], shift[N], b2[N], cs[N], z2[N], m2[N], s2[N];
	struct qaccel_pack_desc d;
	struct qaccel_unpacked u;
	size_t sz;
	uint8_t *p1, *p2;
	int i, j, ok = 1;

	qaccel_packed_size(N, K, &sz);
	p1 = malloc(sz);
	p2 = malloc(sz);
	memset(p1, 0xee, sz);
	memset(p2, 0xdd, sz);
	for (i = 0; i < K; i++)
		for (j = 0; j < N; j++)
			wnk[j * K + i] = wkn[i * N + j] = (int8_t)rng_u32(&r);
	for (j = 0; j < N; j++) {
		bias[j] = (int32_t)rng_u32(&r);
		zp[j] = (int32_t)rng_range(&r, -128, 127);
		mult[j] = (int32_t)rng_range(&r, 1 << 30, INT32_MAX);
		shift[j] = (int32_t)rng_range(&r, -31, 30);
	}
	memset(&d, 0, sizeof(d));
	d.n = N;
	d.k = K;
	d.layout = QACCEL_LAYOUT_KN;
	d.w_type = QACCEL_DTYPE_S8;
	d.weights = wkn;
	d.w_zero_points = zp;
	d.bias_s32 = bias;
	d.mult = mult;
	d.shift = shift;
	tap_ok(!qaccel_pack_weights(&d, p1, sz), "pack s8 K x N");
	d.layout = QACCEL_LAYOUT_NK;
	d.weights = wnk;
	tap_ok(!qaccel_pack_weights(&d, p2, sz) && !memcmp(p1, p2, sz),
	       "pack s8 N x K gives the same block");
	for (i = 0; i < K; i++)
		for (j = 0; j < N; j++)
			if ((int8_t)p1[qa1e_w_offset(K, (uint32_t)i, (uint32_t)j)] != wkn[i * N + j])
				ok = 0;
	for (j = N; j < (int)qa1e_n16(N); j++)
		for (i = 0; i < (int)qa1e_k4(K) * 4; i++)
			if (p1[qa1e_w_offset(K, (uint32_t)i, (uint32_t)j)])
				ok = 0;
	for (j = 0; j < N; j++)
		for (i = K; i < (int)qa1e_k4(K) * 4; i++)
			if (p1[qa1e_w_offset(K, (uint32_t)i, (uint32_t)j)])
				ok = 0;
	tap_ok(ok, "weights at the documented offsets, padding zero");
	memset(&u, 0, sizeof(u));
	u.weights = back;
	u.layout = QACCEL_LAYOUT_KN;
	u.bias = b2;
	u.colsum = cs;
	u.w_zero_points = z2;
	u.mult = m2;
	u.shift = s2;
	ok = !qaccel_unpack_weights(p1, sz, N, K, &u) && !memcmp(back, wkn, sizeof(wkn)) &&
	     !memcmp(b2, bias, sizeof(bias)) && !memcmp(z2, zp, sizeof(zp)) &&
	     !memcmp(m2, mult, sizeof(mult)) && !memcmp(s2, shift, sizeof(shift));
	for (j = 0; j < N; j++) {
		int32_t sum = 0;

		for (i = 0; i < K; i++)
			sum += wkn[i * N + j];
		if (cs[j] != sum)
			ok = 0;
	}
	tap_ok(ok, "unpack round-trips weights, bias, zero points, mult, shift; colsum = column sums");
	ok = 1;
	for (j = N; j < (int)qa1e_n16(N); j++) {
		int32_t v;

		memcpy(&v, p1 + qa1e_off_mult(N, K) + 4 * j, 4);
		if (v)
			ok = 0;
		memcpy(&v, p1 + qa1e_off_bias(N, K) + 4 * j, 4);
		if (v)
			ok = 0;
	}
	tap_ok(ok, "padded channels of the arrays are zero");
	u.layout = QACCEL_LAYOUT_NK;
	tap_ok(!qaccel_unpack_weights(p1, sz, N, K, &u) && !memcmp(back, wnk, sizeof(wnk)),
	       "unpack to N x K");
	tap_ok(qaccel_unpack_weights(p1, sz - 1, N, K, &u) == -ENOSPC &&
	       qaccel_unpack_weights(NULL, sz, N, K, &u) == -EINVAL &&
	       qaccel_unpack_weights(p1, sz, 0, K, &u) == -EINVAL,
	       "unpack bad input");
	free(p1);
	free(p2);
}

/* u8 weights: stored as w - 128, zero point - 128; GEMM semantics unchanged. */
static void test_u8_weights(void)
{
	struct rng r = { 11 };
	struct qaccel_ctx *ctx;
	struct qaccel_buffer *ab, *wb, *cb;
	struct qaccel_pack_desc d;
	struct qaccel_gemm_job job;
	uint8_t w[K * N], a[5 * K];
	int32_t zp[N], *c;
	size_t sz;
	int i, j, kk, ok = 1;

	if (open_test(&ctx, QACCEL_ISA_AUTO, 2))
		exit(1);
	for (i = 0; i < K * N; i++)
		w[i] = (uint8_t)rng_u32(&r);
	for (i = 0; i < 5 * K; i++)
		a[i] = (uint8_t)rng_u32(&r);
	for (j = 0; j < N; j++)
		zp[j] = (int32_t)rng_range(&r, 0, 255);
	qaccel_packed_size(N, K, &sz);
	qaccel_buffer_alloc(ctx, sz, 0, &wb);
	qaccel_buffer_alloc(ctx, sizeof(a), 0, &ab);
	memcpy(qaccel_buffer_ptr(ab), a, sizeof(a));
	qaccel_buffer_alloc(ctx, 5 * N * 4, 0, &cb);
	memset(&d, 0, sizeof(d));
	d.n = N;
	d.k = K;
	d.layout = QACCEL_LAYOUT_KN;
	d.w_type = QACCEL_DTYPE_U8;
	d.weights = w;
	d.w_zero_points = zp;
	tap_ok(!qaccel_pack_weights(&d, qaccel_buffer_ptr(wb), sz), "pack u8 weights");
	memset(&job, 0, sizeof(job));
	job.a = ab;
	job.w = wb;
	job.c = cb;
	job.m = 5;
	job.n = N;
	job.k = K;
	job.lda = K;
	job.ldc = N * 4;
	job.a_type = QACCEL_DTYPE_U8;
	job.out_type = QACCEL_DTYPE_S32;
	job.a_zp = 77;
	tap_ok(!qaccel_run(ctx, &job, 1), "GEMM with u8 weights runs");
	c = qaccel_buffer_ptr(cb);
	for (i = 0; i < 5; i++)
		for (j = 0; j < N; j++) {
			int64_t s = 0;

			for (kk = 0; kk < K; kk++)
				s += (int64_t)(a[i * K + kk] - 77) * (w[kk * N + j] - zp[j]);
			if (c[i * N + j] != (int32_t)s)
				ok = 0;
		}
	tap_ok(ok, "u8 weights: C = sum (a - a_zp) * (w - w_zp) exactly");
	qaccel_close(ctx);
}

static void test_float_weights(void)
{
	struct rng r = { 12 };
	float w[N * K], bias[N], sc[N], sc2[N];
	int8_t q[N * K];
	int32_t b[N], m[N], s[N];
	struct qaccel_pack_desc d;
	struct qaccel_unpacked u;
	size_t sz;
	uint8_t *p;
	int i, j, ok = 1, ok2 = 1, ok3 = 1;

	for (i = 0; i < N * K; i++)
		w[i] = (float)rng_gauss(&r) * (float)(1 + i / K);
	for (j = 0; j < N; j++)
		bias[j] = (float)rng_gauss(&r);
	qaccel_packed_size(N, K, &sz);
	p = malloc(sz);
	memset(&d, 0, sizeof(d));
	d.n = N;
	d.k = K;
	d.layout = QACCEL_LAYOUT_NK;
	d.w_type = QACCEL_DTYPE_F32;
	d.weights = w;
	d.w_scales = sc;
	d.a_scale = 0.05f;
	d.out_scale = 0.2f;
	d.bias_f32 = bias;
	tap_ok(!qaccel_pack_weights(&d, p, sz), "pack float weights (N x K, per channel)");
	memset(&u, 0, sizeof(u));
	u.weights = q;
	u.layout = QACCEL_LAYOUT_NK;
	u.bias = b;
	u.mult = m;
	u.shift = s;
	qaccel_unpack_weights(p, sz, N, K, &u);
	for (j = 0; j < N; j++) {
		float amax = 0.0f;
		int32_t em, es;

		for (i = 0; i < K; i++)
			amax = fmaxf(amax, fabsf(w[j * K + i]));
		if (sc[j] != amax / 127.5f)
			ok = 0;
		for (i = 0; i < K; i++)
			if (fabsf(q[j * K + i] * sc[j] - w[j * K + i]) > sc[j] * 0.5001f &&
			    !(q[j * K + i] == 127 && w[j * K + i] > 0))
				ok = 0;
		if (b[j] != (int32_t)nearbyint((double)bias[j] / (double)(0.05f * sc[j])))
			ok2 = 0;
		qaccel_requant_params((double)0.05f * sc[j] / 0.2f, &em, &es);
		if (m[j] != em || s[j] != es)
			ok3 = 0;
	}
	tap_ok(ok, "per-channel scales amax / 127.5, weights within half a step");
	tap_ok(ok2, "float bias quantized with a_scale * w_scale");
	tap_ok(ok3, "mult / shift from a_scale * w_scale / out_scale");
	d.flags = QACCEL_PACK_NARROW;
	d.w_scales = sc2;
	qaccel_pack_weights(&d, p, sz);
	qaccel_unpack_weights(p, sz, N, K, &u);
	ok = 1;
	for (i = 0; i < N * K; i++)
		if (q[i] == -128)
			ok = 0;
	for (j = 0; j < N; j++)
		if (!(sc2[j] > sc[j]))
			ok = 0;
	tap_ok(ok, "QACCEL_PACK_NARROW: amax / 127, -128 never used");
	free(p);
}

static void test_pack_errors(void)
{
	int8_t w[N * K] = { 0 };
	float fw[N * K] = { 0 }, sc[N], fb[N] = { 0 };
	int32_t zp[N], bias[N] = { 0 }, mult[N], shift[N];
	struct qaccel_pack_desc d, base;
	size_t sz;
	uint8_t *p;
	int j, ok = 1;

	for (j = 0; j < N; j++) {
		sc[j] = 0.1f;
		zp[j] = 0;
		mult[j] = 1 << 30;
		shift[j] = 0;
	}
	qaccel_packed_size(N, K, &sz);
	p = malloc(sz);
	memset(p, 0x5a, sz);
	memset(&base, 0, sizeof(base));
	base.n = N;
	base.k = K;
	base.layout = QACCEL_LAYOUT_KN;
	base.w_type = QACCEL_DTYPE_S8;
	base.weights = w;

#define EXPECT(err, what, stmt) do {						\
		d = base;							\
		stmt;								\
		if (qaccel_pack_weights(&d, p, sz) != (err)) {			\
			tap_diag("pack: %s not rejected", what);		\
			ok = 0;							\
		}								\
	} while (0)
	EXPECT(-EINVAL, "n = 0", d.n = 0);
	EXPECT(-EINVAL, "k too large", d.k = (1u << 24) + 1);
	EXPECT(-EINVAL, "bad layout", d.layout = (enum qaccel_weight_layout)0);
	EXPECT(-EINVAL, "bad type", d.w_type = QACCEL_DTYPE_S32);
	EXPECT(-EINVAL, "NULL weights", d.weights = NULL);
	EXPECT(-EINVAL, "unknown flag", d.flags = 0x100);
	EXPECT(-EINVAL, "reserved", d.reserved[2] = 1);
	EXPECT(-EINVAL, "zp out of range", zp[3] = 200; d.w_zero_points = zp);
	zp[3] = 0;
	EXPECT(-EINVAL, "both biases", d.bias_f32 = fb; d.bias_s32 = bias; d.a_scale = 1;
	       d.w_scales = sc);
	EXPECT(-EINVAL, "mult without shift", d.mult = mult);
	EXPECT(-EINVAL, "mult with out_scale", d.mult = mult; d.shift = shift; d.out_scale = 1;
	       d.a_scale = 1; d.w_scales = sc);
	EXPECT(-EINVAL, "shift out of range", shift[1] = 31; d.mult = mult; d.shift = shift);
	shift[1] = 0;
	EXPECT(-EINVAL, "negative mult", mult[1] = -5; d.mult = mult; d.shift = shift);
	mult[1] = 1 << 30;
	EXPECT(-EINVAL, "float bias without a_scale", d.bias_f32 = fb; d.w_scales = sc);
	EXPECT(-EINVAL, "out_scale without w_scales", d.out_scale = 1; d.a_scale = 1);
	EXPECT(-EINVAL, "negative out_scale", d.out_scale = -1);
	EXPECT(-EINVAL, "NaN out_scale", d.out_scale = NAN);
	EXPECT(-EINVAL, "zero weight scale", sc[4] = 0; d.w_scales = sc);
	sc[4] = 0.1f;
	EXPECT(-EINVAL, "zp with float weights", d.w_type = QACCEL_DTYPE_F32; d.weights = fw;
	       d.w_zero_points = zp);
	fw[7] = NAN;
	EXPECT(-EINVAL, "NaN float weight", d.w_type = QACCEL_DTYPE_F32; d.weights = fw);
	fw[7] = 0;
	fb[2] = INFINITY;
	EXPECT(-EINVAL, "infinite bias", d.bias_f32 = fb; d.a_scale = 1; d.w_scales = sc);
	fb[2] = 0;
	EXPECT(-ERANGE, "multiplier >= 2^30", d.out_scale = 1e-12f; d.a_scale = 1000;
	       d.w_scales = sc);
	EXPECT(-ENOSPC, "dst too small", (void)0; sz--);
	sz++;
#undef EXPECT
	tap_ok(ok, "pack: 23 invalid descriptions rejected with the documented errors");
	for (j = 0; j < (int)sz && p[j] == 0x5a; j++)
		;
	tap_ok(j == (int)sz, "pack: nothing written on error");
	tap_ok(qaccel_pack_weights(NULL, p, sz) == -EINVAL &&
	       qaccel_pack_weights(&base, NULL, sz) == -EINVAL, "pack: NULL rejected");
	free(p);
}

static void test_linear(void)
{
	struct rng r = { 77 };
	enum { IN = 300, OUT = 70, M = 9 };
	static float w[OUT * IN], x[M * IN], yref[M * OUT];
	float bias[OUT], in_scale, out_scale = 0.25f, maxerr = 0.0f;
	struct qaccel_linear_desc d;
	struct qaccel_linear *l = NULL;
	struct qaccel_ctx *ctx;
	struct qaccel_buffer *ib, *ob;
	struct qaccel_gemm_job job;
	int32_t in_zp;
	int i, j, kk, ok = 1;
	uint8_t *y, *y2;

	if (open_test(&ctx, QACCEL_ISA_AUTO, 2))
		exit(1);
	for (i = 0; i < OUT * IN; i++)
		w[i] = (float)rng_gauss(&r) * 0.1f;
	for (i = 0; i < OUT; i++)
		bias[i] = (float)rng_gauss(&r);
	for (i = 0; i < M * IN; i++)
		x[i] = (float)rng_unit(&r) * 4.0f - 1.0f;
	qaccel_qparams_from_range(-1.0f, 3.0f, QACCEL_DTYPE_U8, 0, &in_scale, &in_zp);
	memset(&d, 0, sizeof(d));
	d.in_features = IN;
	d.out_features = OUT;
	d.weight = w;
	d.bias = bias;
	d.in_type = QACCEL_DTYPE_U8;
	d.in_scale = in_scale;
	d.in_zero_point = in_zp;
	d.out_type = QACCEL_DTYPE_S8;
	d.out_scale = out_scale;
	d.out_zero_point = 3;
	d.activation = QACCEL_ACT_RELU;
	tap_ok(!qaccel_linear_create(ctx, &d, &l) && qaccel_linear_weight_scales(l),
	       "linear: create");
	qaccel_buffer_alloc(ctx, M * IN, 0, &ib);
	qaccel_buffer_alloc(ctx, 2 * M * OUT, 0, &ob);
	qaccel_quantize(ctx, x, qaccel_buffer_ptr(ib), 1, 1, M * IN, &in_scale, &in_zp,
			QACCEL_DTYPE_U8);
	tap_ok(!qaccel_linear_forward(l, ib, 0, M, ob, 0), "linear: forward");
	y = qaccel_buffer_ptr(ob);
	for (i = 0; i < M; i++)
		for (j = 0; j < OUT; j++) {
			double s = bias[j];
			float got;

			for (kk = 0; kk < IN; kk++)
				s += (double)w[j * IN + kk] * x[i * IN + kk];
			yref[i * OUT + j] = (float)fmax(s, 0.0);
			got = ((int8_t)y[i * OUT + j] - 3) * out_scale;
			if (got < 0.0f)
				ok = 0;
			maxerr = fmaxf(maxerr, fabsf(got - fminf(yref[i * OUT + j], (127 - 3) * out_scale)));
		}
	tap_ok(ok && maxerr < 2.0f * out_scale,
	       "linear: matches the float layer with ReLU (max error %.3f, step %.3f)", maxerr,
	       out_scale);
	tap_ok(!qaccel_linear_job(l, ib, 0, M, ob, M * OUT, &job) && !qaccel_submit(ctx, &job, 1),
	       "linear: job submitted asynchronously");
	{
		struct qaccel_completion cpl;

		tap_ok(qaccel_reap(ctx, &cpl, 1, 1, -1) == 1 && cpl.result == 0, "linear: reaped");
	}
	y2 = y + M * OUT;
	tap_ok(!memcmp(y, y2, M * OUT), "linear: async result identical");
	d.activation = (enum qaccel_activation)9;
	tap_ok(qaccel_linear_create(ctx, &d, &l) == -EINVAL, "linear: bad activation rejected");
	d.activation = QACCEL_ACT_NONE;
	d.in_zero_point = 300;
	tap_ok(qaccel_linear_create(ctx, &d, &l) == -EINVAL &&
	       qaccel_linear_create(NULL, &d, &l) == -EINVAL &&
	       qaccel_linear_job(NULL, ib, 0, 1, ob, 0, &job) == -EINVAL &&
	       qaccel_linear_weight_scales(NULL) == NULL,
	       "linear: bad zero point, NULL rejected");
	qaccel_linear_destroy(l);
	qaccel_linear_destroy(NULL);
	qaccel_close(ctx);
}

int main(void)
{
	test_backend_gate("test_pack");
	tap_plan(3 + 7 + 3 + 5 + 3 + 8);
	test_sizes();
	test_int_layouts();
	test_u8_weights();
	test_float_weights();
	test_pack_errors();
	test_linear();
	return tap_done();
}
