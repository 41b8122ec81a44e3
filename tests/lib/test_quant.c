// SPDX-License-Identifier: MIT
/*
 * Quantization: requantization parameters, quantization parameters from a
 * range, quantize / dequantize (ONNX vectors, ties, saturation, NaN and
 * infinities, per-tensor and per-channel on every axis), dynamic
 * quantization (ONNX DynamicQuantizeLinear vectors), every ISA path
 * identical to the scalar one, and bad input.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <float.h>
#include <stdlib.h>

#include "qaccel_engine.h"
#include "tap.h"
#include "testutil.h"

static struct qaccel_ctx *isa_ctx[QACCEL_ISA_COUNT];

static void test_requant_params(void)
{
	int32_t m = 7, s = 7;
	struct rng r = { 99 };
	int i, ok = 1, ok2 = 1;

	tap_ok(!qaccel_requant_params(0.0, &m, &s) && m == 0 && s == 0, "requant: 0 -> (0, 0)");
	tap_ok(!qaccel_requant_params(0.5, &m, &s) && m == 1 << 30 && s == 0,
	       "requant: 0.5 -> (2^30, 0)");
	tap_ok(!qaccel_requant_params(1.0, &m, &s) && m == 1 << 30 && s == 1,
	       "requant: 1.0 -> (2^30, 1), multipliers >= 1 use a left shift");
	tap_ok(!qaccel_requant_params(1000.0, &m, &s) && s == 10 &&
	       m == (int32_t)llround(1000.0 / 1024.0 * 2147483648.0),
	       "requant: 1000 -> shift 10");
	tap_ok(!qaccel_requant_params(1.0 - ldexp(1.0, -40), &m, &s) && m == 1 << 30 && s == 1,
	       "requant: fraction rounding up to 2^31 becomes 2^30 with shift + 1");
	tap_ok(!qaccel_requant_params(ldexp(1.0, -32), &m, &s) && m == 1 << 30 && s == -31,
	       "requant: 2^-32 is the smallest representable (shift -31)");
	tap_ok(!qaccel_requant_params(ldexp(1.0, -33), &m, &s) && m == 0 && s == 0,
	       "requant: below 2^-32 flushes to zero");
	tap_ok(!qaccel_requant_params(5e-300, &m, &s) && m == 0 && s == 0,
	       "requant: tiny multiplier flushes to zero");
	m = s = 7;
	tap_ok(qaccel_requant_params(ldexp(1.0, 30), &m, &s) == -ERANGE &&
	       qaccel_requant_params(ldexp(1.0, 30) - 1e-6, &m, &s) == -ERANGE && m == 7 && s == 7,
	       "requant: >= 2^30 (also by rounding up) is -ERANGE, outputs untouched");
	tap_ok(qaccel_requant_params(-1.0, &m, &s) == -EINVAL &&
	       qaccel_requant_params(NAN, &m, &s) == -EINVAL &&
	       qaccel_requant_params(INFINITY, &m, &s) == -EINVAL &&
	       qaccel_requant_params(1.0, NULL, &s) == -EINVAL &&
	       qaccel_requant_params(1.0, &m, NULL) == -EINVAL && m == 7,
	       "requant: negative, NaN, infinite, NULL rejected");

	for (i = 0; i < 20000; i++) {
		double mul = exp(rng_unit(&r) * 30.0 - 20.0);
		int32_t acc = (int32_t)rng_range(&r, -2000000, 2000000);
		double exact = mul * acc, got;

		if (qaccel_requant_params(mul, &m, &s)) {
			ok = 0;
			break;
		}
		/* relative error of the Q31 form is at most 2^-31 */
		if (fabs(ldexp((double)m, s - 31) - mul) > mul * ldexp(1.0, -30) ||
		    m < (1 << 30))
			ok = 0;
		got = qaccel_requant_apply(acc, m, s, 0, INT32_MIN, INT32_MAX);
		if (fabs(exact) < 1e9 && fabs(got - exact) > 1.0 + fabs(exact) * 1e-6)
			ok2 = 0;
	}
	tap_ok(ok, "requant: 20000 random multipliers within 2^-30 relative");
	tap_ok(ok2, "requant: apply(acc) within 1 of acc * multiplier");
	tap_ok(qaccel_requant_apply(100, 1 << 30, 0, 5, -128, 127) == 55 &&
	       qaccel_requant_apply(-3, 1 << 30, 0, 0, -128, 127) == -1 &&
	       qaccel_requant_apply(1000, 1 << 30, 1, 0, -128, 127) == 127,
	       "requant: apply rounds, adds the zero point and clamps");
}

static void test_qparams(void)
{
	float s = -1.0f;
	int32_t z = 99;

	tap_ok(!qaccel_qparams_from_range(-1.0f, 1.0f, QACCEL_DTYPE_S8, 0, &s, &z) &&
	       s == 2.0f / 255.0f && (z == 0 || z == -1),
	       "qparams: [-1, 1] s8 asymmetric: scale 2/255, zp by float rounding");
	tap_ok(!qaccel_qparams_from_range(0.0f, 6.0f, QACCEL_DTYPE_U8, 0, &s, &z) &&
	       s == 6.0f / 255.0f && z == 0, "qparams: [0, 6] u8");
	tap_ok(!qaccel_qparams_from_range(1.0f, 6.0f, QACCEL_DTYPE_U8, 0, &s, &z) &&
	       s == 6.0f / 255.0f && z == 0, "qparams: range widened to include 0");
	tap_ok(!qaccel_qparams_from_range(-3.0f, -1.0f, QACCEL_DTYPE_U8, 0, &s, &z) &&
	       s == 3.0f / 255.0f && z == 255, "qparams: negative range, zp at the top");
	tap_ok(!qaccel_qparams_from_range(-1.0f, 3.0f, QACCEL_DTYPE_U8, 0, &s, &z) &&
	       z == 64 && fabsf(-1.0f - (0 - z) * s) < 0.5f * s,
	       "qparams: zero point rounds and 0.0 is exact");
	tap_ok(!qaccel_qparams_from_range(-2.0f, 1.0f, QACCEL_DTYPE_S8, QACCEL_QPARAMS_SYMMETRIC,
					  &s, &z) && s == 2.0f / 127.5f && z == 0,
	       "qparams: symmetric s8");
	tap_ok(!qaccel_qparams_from_range(-2.0f, 1.0f, QACCEL_DTYPE_S8, QACCEL_QPARAMS_NARROW,
					  &s, &z) && s == 2.0f / 127.0f && z == 0,
	       "qparams: narrow s8 (amax / 127)");
	tap_ok(!qaccel_qparams_from_range(-2.0f, 1.0f, QACCEL_DTYPE_U8, QACCEL_QPARAMS_SYMMETRIC,
					  &s, &z) && z == 128, "qparams: symmetric u8 zp 128");
	tap_ok(!qaccel_qparams_from_range(0.0f, 0.0f, QACCEL_DTYPE_S8, 0, &s, &z) &&
	       s == QACCEL_MIN_SCALE && z == -128 &&
	       !qaccel_qparams_from_range(0.0f, 1e-12f, QACCEL_DTYPE_U8, 0, &s, &z) &&
	       s == QACCEL_MIN_SCALE,
	       "qparams: zero or tiny range floors the scale at QACCEL_MIN_SCALE");
	s = 5.0f;
	z = 5;
	tap_ok(qaccel_qparams_from_range(NAN, 1.0f, QACCEL_DTYPE_S8, 0, &s, &z) == -EINVAL &&
	       qaccel_qparams_from_range(0.0f, INFINITY, QACCEL_DTYPE_S8, 0, &s, &z) == -EINVAL &&
	       qaccel_qparams_from_range(2.0f, 1.0f, QACCEL_DTYPE_S8, 0, &s, &z) == -EINVAL &&
	       qaccel_qparams_from_range(0.0f, 1.0f, QACCEL_DTYPE_S32, 0, &s, &z) == -EINVAL &&
	       qaccel_qparams_from_range(0.0f, 1.0f, QACCEL_DTYPE_S8, 8, &s, &z) == -EINVAL &&
	       qaccel_qparams_from_range(0.0f, 1.0f, QACCEL_DTYPE_S8, 0, NULL, &z) == -EINVAL &&
	       qaccel_qparams_from_range(-FLT_MAX, FLT_MAX, QACCEL_DTYPE_S8, 0, &s, &z) == -EINVAL &&
	       s == 5.0f && z == 5,
	       "qparams: NaN, infinity, min > max, bad type/flags, NULL, overflow rejected");
}

static void test_axis_split(void)
{
	size_t d[4] = { 2, 3, 4, 5 }, o = 0, c = 0, i = 0;
	size_t big[2] = { SIZE_MAX / 2, 4 };

	tap_ok(!qaccel_axis_split(d, 4, 1, &o, &c, &i) && o == 2 && c == 3 && i == 20,
	       "axis_split: axis 1");
	tap_ok(!qaccel_axis_split(d, 4, -1, &o, &c, &i) && o == 24 && c == 5 && i == 1,
	       "axis_split: axis -1 (last)");
	tap_ok(!qaccel_axis_split(d, 4, 0, &o, &c, &i) && o == 1 && c == 2 && i == 60,
	       "axis_split: axis 0");
	tap_ok(qaccel_axis_split(d, 4, 4, &o, &c, &i) == -EINVAL &&
	       qaccel_axis_split(d, 4, -5, &o, &c, &i) == -EINVAL &&
	       qaccel_axis_split(d, 0, 0, &o, &c, &i) == -EINVAL &&
	       qaccel_axis_split(NULL, 4, 0, &o, &c, &i) == -EINVAL &&
	       qaccel_axis_split(big, 2, 0, &o, &c, &i) == -EOVERFLOW,
	       "axis_split: bad axis, ndim, NULL, overflow");
}

static const float onnx_q_x[] = { 0, 2, 3, 1000, -254, -1000 };
static const uint8_t onnx_q_y[] = { 128, 129, 130, 255, 1, 0 };
static const float onnx_qa_x[] = { -162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44,
				   245, -485, -960, -270, -375, -470 };
static const float onnx_qa_s[] = { 2, 4, 5 };
static const int32_t onnx_qa_z[] = { 84, 24, 196 };
static const uint8_t onnx_qa_y[] = { 3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99,
				     4, 142, 121, 102 };

static void test_onnx_vectors(void)
{
	unsigned int isa;

	for (isa = QACCEL_ISA_SCALAR; isa < QACCEL_ISA_COUNT; isa++) {
		struct qaccel_ctx *ctx = isa_ctx[isa];
		uint8_t y[18];
		float x[18], s = 2.0f, sc;
		int32_t z = 128, zp;
		int ok = 1;
		static const float dq1[] = { 0, 2, -3, -2.5f, 1.34f, 0.5f };
		static const uint8_t dq1y[] = { 153, 255, 0, 26, 221, 179 };
		static const float dq2[] = { -1, -2.1f, -1.3f, -2.5f, -3.34f, -4 };
		static const uint8_t dq2y[] = { 191, 121, 172, 96, 42, 0 };
		static const float dq3[] = { 1, 2.1f, 1.3f, 2.5f, 3.34f, 4, 1.5f, 2.6f, 3.9f, 4, 3,
					     2.345f };
		static const uint8_t dq3y[] = { 64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191,
						149 };

		if (!ctx) {
			tap_skip(qaccel_isa_name((enum qaccel_isa)isa), "ISA not available");
			tap_skip(qaccel_isa_name((enum qaccel_isa)isa), "ISA not available");
			continue;
		}
		ok &= !qaccel_quantize(ctx, onnx_q_x, y, 1, 1, 6, &s, &z, QACCEL_DTYPE_U8) &&
		      !memcmp(y, onnx_q_y, 6);
		ok &= !qaccel_quantize(ctx, onnx_qa_x, y, 1, 3, 6, onnx_qa_s, onnx_qa_z,
				       QACCEL_DTYPE_U8) && !memcmp(y, onnx_qa_y, 18);
		ok &= !qaccel_dequantize(ctx, onnx_qa_y, x, 1, 3, 6, onnx_qa_s, onnx_qa_z,
					 QACCEL_DTYPE_U8) && !memcmp(x, onnx_qa_x, sizeof(x));
		tap_ok(ok, "%s: ONNX QuantizeLinear / DequantizeLinear (axis) vectors",
		       qaccel_isa_name((enum qaccel_isa)isa));
		ok = !qaccel_dynamic_quantize(ctx, dq1, 6, y, QACCEL_DTYPE_U8, &sc, &zp) &&
		     !memcmp(y, dq1y, 6) && sc == 0x1.414142p-6f && zp == 153;
		ok &= !qaccel_dynamic_quantize(ctx, dq2, 6, y, QACCEL_DTYPE_U8, &sc, &zp) &&
		      !memcmp(y, dq2y, 6) && zp == 255 && sc == 0.01568627543747425f;
		ok &= !qaccel_dynamic_quantize(ctx, dq3, 12, y, QACCEL_DTYPE_U8, &sc, &zp) &&
		      !memcmp(y, dq3y, 12) && zp == 0 && sc == 0.01568627543747425f;
		tap_ok(ok, "%s: ONNX DynamicQuantizeLinear vectors (plain, max/min adjusted)",
		       qaccel_isa_name((enum qaccel_isa)isa));
	}
}

/* Independent reference: float division, nearbyintf, zero point, clamp. */
static uint8_t ref_q(float x, float s, int32_t z, bool sgn)
{
	float v = x / s, r;
	int32_t lo = sgn ? -128 : 0, hi = sgn ? 127 : 255;

	if (isnan(v))
		return (uint8_t)z;
	r = nearbyintf(v) + (float)z;
	if (r < lo)
		r = (float)lo;
	if (r > hi)
		r = (float)hi;
	return (uint8_t)(int32_t)r;
}

static float special(struct rng *r, float s)
{
	switch (rng_u32(r) % 12) {
	case 0:
		return ((float)rng_range(r, -300, 300) + 0.5f) * s;	/* exact ties */
	case 1:
		return NAN;
	case 2:
		return rng_u32(r) & 1 ? INFINITY : -INFINITY;
	case 3:
		return (float)rng_gauss(r) * 1e30f;
	case 4:
		return -0.0f;
	default:
		return (float)rng_gauss(r) * 100.0f * s;
	}
}

static void test_paths_identical(void)
{
	struct rng r = { 2024 };
	size_t dims[3];
	int t, isa, fails_q = 0, fails_ref = 0, fails_dq = 0, cases = 0;

	for (t = 0; t < 60; t++) {
		size_t outer, ch, inner, n, i, c;
		int axis = (int)rng_range(&r, -1, 2);
		bool sgn = rng_u32(&r) & 1, use_zp = rng_u32(&r) % 3 != 0;
		enum qaccel_dtype ty = sgn ? QACCEL_DTYPE_S8 : QACCEL_DTYPE_U8;
		float *x, *sc, *xd, *xd2;
		int32_t *zp;
		uint8_t *y0, *y1;

		dims[0] = (size_t)rng_range(&r, 1, 7);
		dims[1] = (size_t)rng_range(&r, 1, 40);
		dims[2] = (size_t)rng_range(&r, 1, 150);
		if (t % 10 == 0)
			dims[2] = 4099;
		if (qaccel_axis_split(dims, 3, axis, &outer, &ch, &inner))
			continue;
		if (t % 7 == 0) {	/* per tensor */
			inner *= ch;
			ch = 1;
		}
		n = outer * ch * inner;
		x = malloc(n * sizeof(float));
		xd = malloc(n * sizeof(float));
		xd2 = malloc(n * sizeof(float));
		y0 = malloc(n);
		y1 = malloc(n);
		sc = malloc(ch * sizeof(float));
		zp = malloc(ch * sizeof(int32_t));
		for (c = 0; c < ch; c++) {
			sc[c] = (float)exp(rng_unit(&r) * 10.0 - 7.0);
			zp[c] = sgn ? (int32_t)rng_range(&r, -128, 127) : (int32_t)rng_range(&r, 0, 255);
		}
		for (i = 0; i < n; i++)
			x[i] = special(&r, sc[(i / inner) % ch]);
		qaccel_quantize(isa_ctx[QACCEL_ISA_SCALAR], x, y0, outer, ch, inner, sc,
				use_zp ? zp : NULL, ty);
		qaccel_dequantize(isa_ctx[QACCEL_ISA_SCALAR], y0, xd, outer, ch, inner, sc,
				  use_zp ? zp : NULL, ty);
		for (i = 0; i < n; i++) {
			c = (i / inner) % ch;
			if (y0[i] != ref_q(x[i], sc[c], use_zp ? zp[c] : 0, sgn))
				fails_ref++;
		}
		for (isa = QACCEL_ISA_AVX2; isa < QACCEL_ISA_COUNT; isa++) {
			if (!isa_ctx[isa])
				continue;
			memset(y1, 0xcd, n);
			qaccel_quantize(isa_ctx[isa], x, y1, outer, ch, inner, sc,
					use_zp ? zp : NULL, ty);
			if (memcmp(y0, y1, n))
				fails_q++;
			qaccel_dequantize(isa_ctx[isa], y0, xd2, outer, ch, inner, sc,
					  use_zp ? zp : NULL, ty);
			if (memcmp(xd, xd2, n * sizeof(float)))
				fails_dq++;
		}
		cases++;
		free(x);
		free(xd);
		free(xd2);
		free(y0);
		free(y1);
		free(sc);
		free(zp);
	}
	tap_ok(!fails_ref, "scalar quantize matches an independent ONNX reference (%d cases, %d bad elements)",
	       cases, fails_ref);
	tap_ok(!fails_q, "every ISA quantizes identically to scalar (axes, per-tensor/channel, ties, NaN, inf)");
	tap_ok(!fails_dq, "every ISA dequantizes identically to scalar");
}

static void test_dynamic(void)
{
	struct rng r = { 5 };
	float x[1000], s0, s1;
	int32_t z0, z1;
	uint8_t y0[1000], y1[1000];
	int isa, i, ok = 1;

	for (i = 0; i < 1000; i++)
		x[i] = (float)rng_gauss(&r) * 3.0f + 1.0f;
	qaccel_dynamic_quantize(isa_ctx[QACCEL_ISA_SCALAR], x, 1000, y0, QACCEL_DTYPE_U8, &s0, &z0);
	for (isa = QACCEL_ISA_AVX2; isa < QACCEL_ISA_COUNT; isa++) {
		if (!isa_ctx[isa])
			continue;
		if (qaccel_dynamic_quantize(isa_ctx[isa], x, 1000, y1, QACCEL_DTYPE_U8, &s1, &z1) ||
		    s1 != s0 || z1 != z0 || memcmp(y0, y1, 1000))
			ok = 0;
	}
	tap_ok(ok, "dynamic quantize identical on every ISA");
	memset(x, 0, sizeof(x));
	tap_ok(!qaccel_dynamic_quantize(NULL, x, 1000, y0, QACCEL_DTYPE_U8, &s0, &z0) &&
	       s0 == 1.0f && z0 == 0 && y0[0] == 0, "dynamic: all zeros give scale 1, zp 0");
	tap_ok(!qaccel_dynamic_quantize(NULL, x, 10, y0, QACCEL_DTYPE_S8, &s0, &z0) && z0 == -128,
	       "dynamic: s8 variant uses qmin -128");
	for (isa = QACCEL_ISA_SCALAR; isa < QACCEL_ISA_COUNT; isa++) {
		if (!isa_ctx[isa])
			continue;
		memset(y0, 0x77, sizeof(y0));
		s0 = 9.0f;
		z0 = 9;
		x[999] = NAN;
		if (qaccel_dynamic_quantize(isa_ctx[isa], x, 1000, y0, QACCEL_DTYPE_U8, &s0, &z0) != -EDOM)
			ok = 0;
		x[999] = 0.0f;
		x[17] = -INFINITY;
		if (qaccel_dynamic_quantize(isa_ctx[isa], x, 1000, y0, QACCEL_DTYPE_U8, &s0, &z0) != -EDOM)
			ok = 0;
		x[17] = 0.0f;
		if (y0[0] != 0x77 || s0 != 9.0f || z0 != 9)
			ok = 0;
	}
	tap_ok(ok, "dynamic: NaN / infinity rejected with -EDOM on every ISA, nothing written");
	tap_ok(qaccel_dynamic_quantize(NULL, NULL, 10, y0, QACCEL_DTYPE_U8, &s0, &z0) == -EINVAL &&
	       qaccel_dynamic_quantize(NULL, x, 0, y0, QACCEL_DTYPE_U8, &s0, &z0) == -EINVAL &&
	       qaccel_dynamic_quantize(NULL, x, 10, y0, QACCEL_DTYPE_F32, &s0, &z0) == -EINVAL &&
	       qaccel_dynamic_quantize(NULL, x, 10, y0, QACCEL_DTYPE_U8, NULL, &z0) == -EINVAL,
	       "dynamic: bad arguments rejected");
}

static void test_bad_input(void)
{
	float x[4] = { 1, 2, 3, 4 }, s = 1.0f, s0 = 0.0f, sn = NAN, f[4];
	int32_t z = 0, zbad = 300, zneg = -1;
	uint8_t y[4] = { 9, 9, 9, 9 };

	tap_ok(qaccel_quantize(NULL, NULL, y, 1, 1, 4, &s, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, NULL, 1, 1, 4, &s, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 4, NULL, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 0, 1, 4, &s, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 0, 4, &s, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 0, &s, &z, QACCEL_DTYPE_U8) == -EINVAL,
	       "quantize: NULL pointers and zero extents rejected");
	tap_ok(qaccel_quantize(NULL, x, y, 1, 1, 4, &s0, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 4, &sn, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 4, &s, &zbad, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 4, &s, &zneg, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 4, &s, &zbad, QACCEL_DTYPE_S8) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, 1, 1, 4, &s, &z, QACCEL_DTYPE_S32) == -EINVAL &&
	       qaccel_quantize(NULL, x, y, SIZE_MAX, 2, 4, &s, &z, QACCEL_DTYPE_U8) == -EOVERFLOW,
	       "quantize: zero/NaN scale, zero point out of range, bad type, overflow rejected");
	tap_ok(y[0] == 9 && y[3] == 9, "quantize: nothing written on error");
	tap_ok(qaccel_dequantize(NULL, y, f, 1, 1, 4, &s0, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_dequantize(NULL, NULL, f, 1, 1, 4, &s, &z, QACCEL_DTYPE_U8) == -EINVAL &&
	       qaccel_dequantize(NULL, y, f, 1, 1, 4, &s, &zbad, QACCEL_DTYPE_S8) == -EINVAL,
	       "dequantize: bad input rejected");
}

int main(void)
{
	unsigned int isa;

	for (isa = QACCEL_ISA_SCALAR; isa < QACCEL_ISA_COUNT; isa++)
		if (qaccel_cpu_isa_mask() & (1u << isa))
			open_cpu(&isa_ctx[isa], (enum qaccel_isa)isa, 1);
	tap_plan(13 + 10 + 4 + 2 * (QACCEL_ISA_COUNT - 1) + 3 + 5 + 4);
	test_requant_params();
	test_qparams();
	test_axis_split();
	test_onnx_vectors();
	test_paths_identical();
	test_dynamic();
	test_bad_input();
	for (isa = 0; isa < QACCEL_ISA_COUNT; isa++)
		qaccel_close(isa_ctx[isa]);
	return tap_done();
}
