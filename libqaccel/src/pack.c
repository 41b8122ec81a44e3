// SPDX-License-Identifier: MIT
/*
 * Requantization parameters and weight packing into the QA1 layout.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "qaccel_engine.h"

#define QA_MAX_DIM (1u << 24)

QACCEL_API int qaccel_requant_params(double multiplier, int32_t *mult, int32_t *shift)
{
	int64_t q;
	double f;
	int e;

	if (!mult || !shift || !isfinite(multiplier) || multiplier < 0.0)
		return -EINVAL;
	if (multiplier == 0.0) {
		*mult = 0;
		*shift = 0;
		return 0;
	}
	if (multiplier >= 1073741824.0)	/* 2^30 */
		return -ERANGE;
	f = frexp(multiplier, &e);	/* multiplier = f * 2^e, f in [0.5, 1) */
	q = llround(f * 2147483648.0);	/* ties away from zero */
	if (q == 2147483648LL) {
		q = 1073741824LL;
		e++;
	}
	if (e > QA1E_SHIFT_MAX)
		return -ERANGE;
	if (e < QA1E_SHIFT_MIN) {
		*mult = 0;
		*shift = 0;
		return 0;
	}
	*mult = (int32_t)q;
	*shift = e;
	return 0;
}

QACCEL_API int32_t qaccel_requant_apply(int32_t acc, int32_t mult, int32_t shift,
					int32_t out_zp, int32_t act_min, int32_t act_max)
{
	return qa1e_requant(acc, mult, shift, out_zp, act_min, act_max);
}

QACCEL_API int qaccel_packed_size(uint32_t n, uint32_t k, size_t *size)
{
	if (!size || !n || !k || n > QA_MAX_DIM || k > QA_MAX_DIM)
		return -EINVAL;
	*size = (size_t)qa1e_packed_bytes(n, k);
	return 0;
}

static double qa_round_even_d(double v)
{
	double f = floor(v), d = v - f;

	if (d > 0.5)
		return f + 1.0;
	if (d < 0.5)
		return f;
	return fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

/* w[k][n] of the source, as a float or an integer per its type. */
static size_t qa_src_index(const struct qaccel_pack_desc *d, uint32_t k, uint32_t n)
{
	return d->layout == QACCEL_LAYOUT_KN ? (size_t)k * d->n + n : (size_t)n * d->k + k;
}

static void qa_put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

QACCEL_API int qaccel_pack_weights(const struct qaccel_pack_desc *d, void *dst,
				   size_t dst_size)
{
	uint32_t n, k, n16, i, kk;
	int32_t *arr = NULL, *bias, *colsum, *wzp, *mult, *shift;
	float *scales = NULL;
	bool is_float, need_scales;
	uint8_t *out = dst;
	size_t total, nk;
	int err = -EINVAL;

	if (!d || !dst)
		return -EINVAL;
	n = d->n;
	k = d->k;
	for (i = 0; i < QA_ARRAY_SIZE(d->reserved); i++)
		if (d->reserved[i])
			return -EINVAL;
	if (!n || !k || n > QA_MAX_DIM || k > QA_MAX_DIM || !d->weights ||
	    (d->layout != QACCEL_LAYOUT_KN && d->layout != QACCEL_LAYOUT_NK) ||
	    (d->flags & ~QACCEL_PACK_FLAGS))
		return -EINVAL;
	if (d->w_type != QACCEL_DTYPE_F32 && d->w_type != QACCEL_DTYPE_S8 &&
	    d->w_type != QACCEL_DTYPE_U8)
		return -EINVAL;
	is_float = d->w_type == QACCEL_DTYPE_F32;
	if (is_float && d->w_zero_points)
		return -EINVAL;
	if (d->bias_f32 && d->bias_s32)
		return -EINVAL;
	if (!!d->mult != !!d->shift)
		return -EINVAL;
	if (!isfinite(d->out_scale) || d->out_scale < 0.0f || (d->out_scale > 0.0f && d->mult))
		return -EINVAL;
	need_scales = d->bias_f32 || d->out_scale > 0.0f;
	if (need_scales && (!(d->a_scale > 0.0f) || !isfinite(d->a_scale)))
		return -EINVAL;
	if (need_scales && !is_float && !d->w_scales)
		return -EINVAL;
	total = (size_t)qa1e_packed_bytes(n, k);
	if (dst_size < total)
		return -ENOSPC;

	n16 = qa1e_n16(n);
	nk = (size_t)n * k;
	arr = calloc((size_t)n16 * 5u, sizeof(*arr));
	scales = calloc(n, sizeof(*scales));
	if (!arr || !scales) {
		err = -ENOMEM;
		goto out;
	}
	bias = arr;
	colsum = arr + n16;
	wzp = arr + 2u * n16;
	mult = arr + 3u * n16;
	shift = arr + 4u * n16;

	/* Validate and derive everything before writing dst. */
	if (is_float) {
		const float *w = d->weights;
		size_t j;

		for (j = 0; j < nk; j++)
			if (!isfinite(w[j]))
				goto out;
		for (i = 0; i < n; i++) {
			float amax = 0.0f;
			int32_t zp;

			for (kk = 0; kk < k; kk++) {
				float v = fabsf(w[qa_src_index(d, kk, i)]);

				if (v > amax)
					amax = v;
			}
			err = qaccel_qparams_from_range(-amax, amax, QACCEL_DTYPE_S8,
							(d->flags & QACCEL_PACK_NARROW) ?
							QACCEL_QPARAMS_NARROW :
							QACCEL_QPARAMS_SYMMETRIC,
							&scales[i], &zp);
			if (err)
				goto out;
		}
	} else {
		int32_t lo = d->w_type == QACCEL_DTYPE_U8 ? 0 : -128;
		int32_t hi = d->w_type == QACCEL_DTYPE_U8 ? 255 : 127;

		err = -EINVAL;
		for (i = 0; i < n; i++) {
			int32_t z = d->w_zero_points ? d->w_zero_points[i] : 0;

			if (z < lo || z > hi)
				goto out;
			wzp[i] = d->w_type == QACCEL_DTYPE_U8 ? z - 128 : z;
			if (d->w_scales) {
				if (!(d->w_scales[i] > 0.0f) || !isfinite(d->w_scales[i]))
					goto out;
				scales[i] = d->w_scales[i];
			}
		}
	}

	err = -EINVAL;
	if (d->bias_s32) {
		memcpy(bias, d->bias_s32, (size_t)n * sizeof(*bias));
	} else if (d->bias_f32) {
		for (i = 0; i < n; i++) {
			float prod = d->a_scale * scales[i];
			double q;

			if (!isfinite(d->bias_f32[i]) || !(prod > 0.0f) || !isfinite(prod))
				goto out;
			q = qa_round_even_d((double)d->bias_f32[i] / (double)prod);
			if (q > 2147483647.0)
				q = 2147483647.0;
			if (q < -2147483648.0)
				q = -2147483648.0;
			bias[i] = (int32_t)q;
		}
	}
	if (d->mult) {
		for (i = 0; i < n; i++) {
			if (d->mult[i] < 0 || d->shift[i] < QA1E_SHIFT_MIN ||
			    d->shift[i] > QA1E_SHIFT_MAX)
				goto out;
			mult[i] = d->mult[i];
			shift[i] = d->shift[i];
		}
	} else if (d->out_scale > 0.0f) {
		for (i = 0; i < n; i++) {
			double m = (double)d->a_scale * (double)scales[i] / (double)d->out_scale;

			err = qaccel_requant_params(m, &mult[i], &shift[i]);
			if (err)
				goto out;
		}
	}

	/* Weights: stored s8 in blocks of 16 channels x 4 k, zero padded. */
	memset(out, 0, (size_t)qa1e_weight_bytes(n, k));
	for (i = 0; i < n; i++) {
		int64_t sum = 0;

		for (kk = 0; kk < k; kk++) {
			size_t s = qa_src_index(d, kk, i);
			int8_t v;

			if (is_float)
				v = (int8_t)qa_quant1(((const float *)d->weights)[s], scales[i],
						      0.0f, -128.0f, 127.0f);
			else if (d->w_type == QACCEL_DTYPE_U8)
				v = (int8_t)((int32_t)((const uint8_t *)d->weights)[s] - 128);
			else
				v = ((const int8_t *)d->weights)[s];
			out[qa1e_w_offset(k, kk, i)] = (uint8_t)v;
			sum += v;
		}
		colsum[i] = (int32_t)sum;	/* |sum| < 2^31 for K <= 2^24 */
	}
	for (i = 0; i < n16; i++) {
		qa_put32(out + qa1e_off_bias(n, k) + 4u * i, bias[i]);
		qa_put32(out + qa1e_off_colsum(n, k) + 4u * i, colsum[i]);
		qa_put32(out + qa1e_off_wzp(n, k) + 4u * i, wzp[i]);
		qa_put32(out + qa1e_off_mult(n, k) + 4u * i, mult[i]);
		qa_put32(out + qa1e_off_shift(n, k) + 4u * i, shift[i]);
	}
	if (is_float && d->w_scales)
		memcpy(d->w_scales, scales, (size_t)n * sizeof(*scales));
	err = 0;
out:
	free(arr);
	free(scales);
	return err;
}

static void qa_get_arr(int32_t *dst, const uint8_t *src, uint32_t n)
{
	if (dst)
		memcpy(dst, src, (size_t)n * 4u);
}

QACCEL_API int qaccel_unpack_weights(const void *packed, size_t size, uint32_t n,
				     uint32_t k, const struct qaccel_unpacked *o)
{
	const uint8_t *p = packed;
	uint32_t i, kk;

	if (!packed || !o || !n || !k || n > QA_MAX_DIM || k > QA_MAX_DIM)
		return -EINVAL;
	for (i = 0; i < QA_ARRAY_SIZE(o->reserved); i++)
		if (o->reserved[i])
			return -EINVAL;
	if (o->weights && o->layout != QACCEL_LAYOUT_KN && o->layout != QACCEL_LAYOUT_NK)
		return -EINVAL;
	if (size < qa1e_packed_bytes(n, k))
		return -ENOSPC;
	if (o->weights) {
		for (i = 0; i < n; i++)
			for (kk = 0; kk < k; kk++)
				o->weights[o->layout == QACCEL_LAYOUT_KN ?
					   (size_t)kk * n + i : (size_t)i * k + kk] =
					(int8_t)p[qa1e_w_offset(k, kk, i)];
	}
	qa_get_arr(o->bias, p + qa1e_off_bias(n, k), n);
	qa_get_arr(o->colsum, p + qa1e_off_colsum(n, k), n);
	qa_get_arr(o->w_zero_points, p + qa1e_off_wzp(n, k), n);
	qa_get_arr(o->mult, p + qa1e_off_mult(n, k), n);
	qa_get_arr(o->shift, p + qa1e_off_shift(n, k), n);
	return 0;
}
