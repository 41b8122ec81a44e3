// SPDX-License-Identifier: MIT
/*
 * Quantization parameters, quantize / dequantize (ONNX semantics) and
 * dynamic quantization. The scalar kernels here are the reference the SIMD
 * kernels (x86_avx2.c, x86_avx512.c, neon.c) must match bit for bit.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <math.h>
#include <string.h>

#include "internal.h"

/* ---- scalar kernels ---- */

static void sc_quant(const float *x, uint8_t *y, size_t n, float scale, float zp,
		     float qmin, float qmax)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = (uint8_t)qa_quant1(x[i], scale, zp, qmin, qmax);
}

static void sc_quant_vec(const float *x, uint8_t *y, size_t n, const float *scale,
			 const int32_t *zp, float qmin, float qmax)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = (uint8_t)qa_quant1(x[i], scale[i], zp ? (float)zp[i] : 0.0f,
					  qmin, qmax);
}

static inline int32_t qa_qval(uint8_t b, bool is_signed)
{
	return is_signed ? (int32_t)(int8_t)b : (int32_t)b;
}

static void sc_dequant(const uint8_t *x, float *y, size_t n, float scale, int32_t zp,
		       bool is_signed)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = (float)(qa_qval(x[i], is_signed) - zp) * scale;
}

static void sc_dequant_vec(const uint8_t *x, float *y, size_t n, const float *scale,
			   const int32_t *zp, bool is_signed)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] = (float)(qa_qval(x[i], is_signed) - (zp ? zp[i] : 0)) * scale[i];
}

static bool sc_minmax(const float *x, size_t n, float *mn, float *mx)
{
	float lo = INFINITY, hi = -INFINITY;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			return false;
		if (x[i] < lo)
			lo = x[i];
		if (x[i] > hi)
			hi = x[i];
	}
	*mn = lo;
	*mx = hi;
	return true;
}

const struct qa_quant_ops qa_quant_scalar = {
	.quant = sc_quant,
	.quant_vec = sc_quant_vec,
	.dequant = sc_dequant,
	.dequant_vec = sc_dequant_vec,
	.minmax = sc_minmax,
};

const struct qa_quant_ops *qa_quant_ops_for(enum qaccel_isa isa)
{
	if (isa == QACCEL_ISA_AUTO)
		isa = qaccel_cpu_isa_best();
	switch (isa) {
#ifdef QACCEL_X86_SIMD
	case QACCEL_ISA_AMX_INT8:
	case QACCEL_ISA_AVX512_VNNI:
		return &qa_quant_avx512;
	case QACCEL_ISA_AVX_VNNI:
	case QACCEL_ISA_AVX2:
		return &qa_quant_avx2;
#endif
#ifdef QACCEL_NEON
	case QACCEL_ISA_NEON_DOTPROD:
		return &qa_quant_neon;
#endif
	default:
		return &qa_quant_scalar;
	}
}

static const struct qa_quant_ops *qa_ops_ctx(const struct qaccel_ctx *ctx)
{
	return qa_quant_ops_for(ctx ? ctx->isa : QACCEL_ISA_AUTO);
}

/* ---- parameters ---- */

static int qa_qrange(enum qaccel_dtype type, int32_t *qmin, int32_t *qmax)
{
	switch (type) {
	case QACCEL_DTYPE_U8:
		*qmin = 0;
		*qmax = 255;
		return 0;
	case QACCEL_DTYPE_S8:
		*qmin = -128;
		*qmax = 127;
		return 0;
	default:
		return -EINVAL;
	}
}

QACCEL_API int qaccel_qparams_from_range(float min, float max, enum qaccel_dtype type,
					 unsigned int flags, float *scale,
					 int32_t *zero_point)
{
	int32_t qmin, qmax, zp;
	float lo, hi, s;

	if (!scale || !zero_point || (flags & ~QACCEL_QPARAMS_FLAGS) ||
	    qa_qrange(type, &qmin, &qmax) || !isfinite(min) || !isfinite(max) ||
	    min > max)
		return -EINVAL;
	lo = min < 0.0f ? min : 0.0f;
	hi = max > 0.0f ? max : 0.0f;
	if (flags & (QACCEL_QPARAMS_SYMMETRIC | QACCEL_QPARAMS_NARROW)) {
		float amax = -lo > hi ? -lo : hi;

		s = (flags & QACCEL_QPARAMS_NARROW) ? amax / 127.0f :
			amax / ((float)(qmax - qmin) / 2.0f);
		zp = type == QACCEL_DTYPE_U8 ? 128 : 0;
	} else {
		float z;

		s = (hi - lo) / (float)(qmax - qmin);
		if (!(s >= QACCEL_MIN_SCALE))
			s = QACCEL_MIN_SCALE;
		z = (float)qmin - qa_round_even(lo / s);
		if (z < (float)qmin)
			z = (float)qmin;
		if (z > (float)qmax)
			z = (float)qmax;
		zp = (int32_t)z;
	}
	if (!(s >= QACCEL_MIN_SCALE))
		s = QACCEL_MIN_SCALE;
	if (!isfinite(s))
		return -EINVAL;	/* range overflowed single precision */
	*scale = s;
	*zero_point = zp;
	return 0;
}

QACCEL_API int qaccel_axis_split(const size_t *dims, unsigned int ndim, int axis,
				 size_t *outer, size_t *channels, size_t *inner)
{
	size_t o = 1, in = 1;
	unsigned int i, ax;

	if (!dims || !outer || !channels || !inner || ndim < 1 || ndim > 16 ||
	    axis < -(int)ndim || axis >= (int)ndim)
		return -EINVAL;
	ax = axis < 0 ? (unsigned int)(axis + (int)ndim) : (unsigned int)axis;
	for (i = 0; i < ndim; i++)
		if (!dims[i])
			return -EINVAL;
	for (i = 0; i < ax; i++) {
		if (o > SIZE_MAX / dims[i])
			return -EOVERFLOW;
		o *= dims[i];
	}
	for (i = ax + 1; i < ndim; i++) {
		if (in > SIZE_MAX / dims[i])
			return -EOVERFLOW;
		in *= dims[i];
	}
	if (o > SIZE_MAX / dims[ax] || o * dims[ax] > SIZE_MAX / in ||
	    o * dims[ax] * in > SIZE_MAX / sizeof(float))
		return -EOVERFLOW;
	*outer = o;
	*channels = dims[ax];
	*inner = in;
	return 0;
}

static int qa_check_tensor(size_t outer, size_t channels, size_t inner,
			   const float *scales, const int32_t *zps, enum qaccel_dtype type,
			   int32_t *qmin, int32_t *qmax)
{
	size_t c;

	if (!outer || !channels || !inner || !scales || qa_qrange(type, qmin, qmax))
		return -EINVAL;
	if (outer > SIZE_MAX / channels || outer * channels > SIZE_MAX / inner ||
	    outer * channels * inner > SIZE_MAX / sizeof(float))
		return -EOVERFLOW;
	for (c = 0; c < channels; c++) {
		if (!(scales[c] > 0.0f) || !isfinite(scales[c]))
			return -EINVAL;
		if (zps && (zps[c] < *qmin || zps[c] > *qmax))
			return -EINVAL;
	}
	return 0;
}

QACCEL_API int qaccel_quantize(const struct qaccel_ctx *ctx, const float *x, void *y,
			       size_t outer, size_t channels, size_t inner,
			       const float *scales, const int32_t *zero_points,
			       enum qaccel_dtype type)
{
	const struct qa_quant_ops *ops = qa_ops_ctx(ctx);
	int32_t qmin, qmax;
	uint8_t *out = y;
	size_t o, c;
	int err;

	if (!x || !y)
		return -EINVAL;
	err = qa_check_tensor(outer, channels, inner, scales, zero_points, type, &qmin, &qmax);
	if (err)
		return err;
	for (o = 0; o < outer; o++) {
		const float *xo = x + o * channels * inner;
		uint8_t *yo = out + o * channels * inner;

		if (inner == 1 && channels > 1) {
			ops->quant_vec(xo, yo, channels, scales, zero_points,
				       (float)qmin, (float)qmax);
			continue;
		}
		for (c = 0; c < channels; c++)
			ops->quant(xo + c * inner, yo + c * inner, inner, scales[c],
				   zero_points ? (float)zero_points[c] : 0.0f,
				   (float)qmin, (float)qmax);
	}
	return 0;
}

QACCEL_API int qaccel_dequantize(const struct qaccel_ctx *ctx, const void *x, float *y,
				 size_t outer, size_t channels, size_t inner,
				 const float *scales, const int32_t *zero_points,
				 enum qaccel_dtype type)
{
	const struct qa_quant_ops *ops = qa_ops_ctx(ctx);
	const uint8_t *in = x;
	int32_t qmin, qmax;
	bool sgn = type == QACCEL_DTYPE_S8;
	size_t o, c;
	int err;

	if (!x || !y)
		return -EINVAL;
	err = qa_check_tensor(outer, channels, inner, scales, zero_points, type, &qmin, &qmax);
	if (err)
		return err;
	for (o = 0; o < outer; o++) {
		const uint8_t *xo = in + o * channels * inner;
		float *yo = y + o * channels * inner;

		if (inner == 1 && channels > 1) {
			ops->dequant_vec(xo, yo, channels, scales, zero_points, sgn);
			continue;
		}
		for (c = 0; c < channels; c++)
			ops->dequant(xo + c * inner, yo + c * inner, inner, scales[c],
				     zero_points ? zero_points[c] : 0, sgn);
	}
	return 0;
}

QACCEL_API int qaccel_dynamic_quantize(const struct qaccel_ctx *ctx, const float *x,
				       size_t count, void *y, enum qaccel_dtype type,
				       float *scale, int32_t *zero_point)
{
	const struct qa_quant_ops *ops = qa_ops_ctx(ctx);
	float mn, mx, lo, hi, s, z;
	int32_t qmin, qmax, zp;

	if (!x || !y || !count || !scale || !zero_point || qa_qrange(type, &qmin, &qmax) ||
	    count > SIZE_MAX / sizeof(float))
		return -EINVAL;
	if (!ops->minmax(x, count, &mn, &mx))
		return -EDOM;
	lo = mn < 0.0f ? mn : 0.0f;
	hi = mx > 0.0f ? mx : 0.0f;
	s = hi == lo ? 1.0f : (hi - lo) / 255.0f;
	if (!isfinite(s) || !(s > 0.0f))
		return -EDOM;	/* range overflows single precision */
	z = (float)qmin - lo / s;
	if (z < (float)qmin)
		z = (float)qmin;
	if (z > (float)qmax)
		z = (float)qmax;
	zp = (int32_t)qa_round_even(z);
	ops->quant(x, y, count, s, (float)zp, (float)qmin, (float)qmax);
	*scale = s;
	*zero_point = zp;
	return 0;
}
