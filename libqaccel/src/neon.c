// SPDX-License-Identifier: MIT
/*
 * AArch64 Advanced SIMD kernels: quantization and the GEMM tile with the
 * dot-product instructions (SDOT/UDOT, Armv8.2 DotProd).
 *
 * GEMM: a 64-byte packed block is four q registers of 4 channels x 4 k.
 * A s8: SDOT(w, a) directly. A u8: the weights are made unsigned (w + 128,
 * a XOR of the top bit) and UDOT(w + 128, a) = sum a*w + 128 * rowsum(a),
 * so 128 * rowsum is subtracted, modulo 2^32. The padding of the last group
 * of 4 is zero in A, so padding weights never contribute.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <arm_neon.h>

#include "gemm.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* ---- quantization ---- */

static ALWAYS_INLINE int32x4_t qn(float32x4_t x, float32x4_t s, float32x4_t zp,
				  float32x4_t qmin, float32x4_t qmax)
{
	float32x4_t v = vdivq_f32(x, s);
	uint32x4_t ok = vceqq_f32(v, v);		/* false for NaN */
	float32x4_t f = vaddq_f32(vrndnq_f32(v), zp);	/* round half to even */

	f = vminq_f32(vmaxq_f32(f, qmin), qmax);
	f = vbslq_f32(ok, f, zp);
	return vcvtq_s32_f32(f);
}

/* 16 lanes holding values within the output type to 16 bytes. */
static ALWAYS_INLINE uint8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d)
{
	int16x8_t lo = vcombine_s16(vmovn_s32(a), vmovn_s32(b));
	int16x8_t hi = vcombine_s16(vmovn_s32(c), vmovn_s32(d));

	return vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(lo), vmovn_s16(hi)));
}

static void nq_quant(const float *x, uint8_t *y, size_t n, float scale, float zp,
		     float qmin, float qmax)
{
	const float32x4_t s = vdupq_n_f32(scale), z = vdupq_n_f32(zp);
	const float32x4_t lo = vdupq_n_f32(qmin), hi = vdupq_n_f32(qmax);
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		vst1q_u8(y + i, narrow16(qn(vld1q_f32(x + i), s, z, lo, hi),
					 qn(vld1q_f32(x + i + 4), s, z, lo, hi),
					 qn(vld1q_f32(x + i + 8), s, z, lo, hi),
					 qn(vld1q_f32(x + i + 12), s, z, lo, hi)));
	for (; i < n; i++)
		y[i] = (uint8_t)qa_quant1(x[i], scale, zp, qmin, qmax);
}

static void nq_quant_vec(const float *x, uint8_t *y, size_t n, const float *scale,
			 const int32_t *zp, float qmin, float qmax)
{
	const float32x4_t lo = vdupq_n_f32(qmin), hi = vdupq_n_f32(qmax);
	size_t i = 0;
	int32x4_t q[4];
	int j;

	for (; i + 16 <= n; i += 16) {
		for (j = 0; j < 4; j++) {
			float32x4_t z = zp ? vcvtq_f32_s32(vld1q_s32(zp + i + 4 * j)) :
				vdupq_n_f32(0.0f);

			q[j] = qn(vld1q_f32(x + i + 4 * j), vld1q_f32(scale + i + 4 * j), z, lo, hi);
		}
		vst1q_u8(y + i, narrow16(q[0], q[1], q[2], q[3]));
	}
	for (; i < n; i++)
		y[i] = (uint8_t)qa_quant1(x[i], scale[i], zp ? (float)zp[i] : 0.0f, qmin, qmax);
}

static ALWAYS_INLINE void widen16(const uint8_t *p, bool sgn, int32x4_t v[4])
{
	uint8x16_t b = vld1q_u8(p);
	int16x8_t lo, hi;

	if (sgn) {
		lo = vmovl_s8(vget_low_s8(vreinterpretq_s8_u8(b)));
		hi = vmovl_s8(vget_high_s8(vreinterpretq_s8_u8(b)));
	} else {
		lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(b)));
		hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(b)));
	}
	v[0] = vmovl_s16(vget_low_s16(lo));
	v[1] = vmovl_s16(vget_high_s16(lo));
	v[2] = vmovl_s16(vget_low_s16(hi));
	v[3] = vmovl_s16(vget_high_s16(hi));
}

static void nq_dequant(const uint8_t *x, float *y, size_t n, float scale, int32_t zp,
		       bool sgn)
{
	const float32x4_t s = vdupq_n_f32(scale);
	const int32x4_t z = vdupq_n_s32(zp);
	size_t i = 0;
	int32x4_t v[4];
	int j;

	for (; i + 16 <= n; i += 16) {
		widen16(x + i, sgn, v);
		for (j = 0; j < 4; j++)
			vst1q_f32(y + i + 4 * j, vmulq_f32(vcvtq_f32_s32(vsubq_s32(v[j], z)), s));
	}
	for (; i < n; i++)
		y[i] = (float)((sgn ? (int32_t)(int8_t)x[i] : (int32_t)x[i]) - zp) * scale;
}

static void nq_dequant_vec(const uint8_t *x, float *y, size_t n, const float *scale,
			   const int32_t *zp, bool sgn)
{
	size_t i = 0;
	int32x4_t v[4];
	int j;

	for (; i + 16 <= n; i += 16) {
		widen16(x + i, sgn, v);
		for (j = 0; j < 4; j++) {
			int32x4_t d = zp ? vsubq_s32(v[j], vld1q_s32(zp + i + 4 * j)) : v[j];

			vst1q_f32(y + i + 4 * j, vmulq_f32(vcvtq_f32_s32(d),
							   vld1q_f32(scale + i + 4 * j)));
		}
	}
	for (; i < n; i++)
		y[i] = (float)((sgn ? (int32_t)(int8_t)x[i] : (int32_t)x[i]) -
			       (zp ? zp[i] : 0)) * scale[i];
}

static bool nq_minmax(const float *x, size_t n, float *mn, float *mx)
{
	float32x4_t lo = vdupq_n_f32(__builtin_inff()), hi = vdupq_n_f32(-__builtin_inff());
	const float32x4_t zero = vdupq_n_f32(0.0f);
	uint32x4_t good = vdupq_n_u32(~0u);
	float rl, rh;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		float32x4_t v = vld1q_f32(x + i);

		/* v * 0 == 0 exactly when v is finite */
		good = vandq_u32(good, vceqq_f32(vmulq_f32(v, zero), zero));
		lo = vminq_f32(lo, v);
		hi = vmaxq_f32(hi, v);
	}
	if (vminvq_u32(good) == 0)
		return false;
	rl = vminvq_f32(lo);
	rh = vmaxvq_f32(hi);
	for (; i < n; i++) {
		if (!__builtin_isfinite(x[i]))
			return false;
		rl = x[i] < rl ? x[i] : rl;
		rh = x[i] > rh ? x[i] : rh;
	}
	*mn = rl;
	*mx = rh;
	return true;
}

const struct qa_quant_ops qa_quant_neon = {
	.quant = nq_quant,
	.quant_vec = nq_quant_vec,
	.dequant = nq_dequant,
	.dequant_vec = nq_dequant_vec,
	.minmax = nq_minmax,
};

/* ---- GEMM ---- */

#define MR 4

/* The QA1 output stage on 4 lanes (see qa1e_requant()). */
static ALWAYS_INLINE int32x4_t rqn(int32x4_t acc, int32x4_t mult, int32x4_t shift,
				   int32x4_t lo, int32x4_t hi, int32x4_t zp)
{
	const int32x4_t zero = vdupq_n_s32(0), one = vdupq_n_s32(1);
	int32x4_t left, right, x, res, mask, rem, thr, q;

	shift = vmaxq_s32(vminq_s32(shift, vdupq_n_s32(30)), vdupq_n_s32(-31));
	left = vmaxq_s32(shift, zero);
	right = vmaxq_s32(vnegq_s32(shift), zero);
	x = vqshlq_s32(acc, left);		/* saturating acc * 2^left */
	res = vqrdmulhq_s32(x, mult);		/* SaturatingRoundingDoublingHighMul */
	mask = vsubq_s32(vshlq_s32(one, right), one);
	rem = vandq_s32(res, mask);
	thr = vsubq_s32(vshrq_n_s32(mask, 1), vshrq_n_s32(res, 31));
	q = vshlq_s32(res, vnegq_s32(right));	/* arithmetic shift right */
	q = vsubq_s32(q, vreinterpretq_s32_u32(vcgtq_s32(rem, thr)));
	q = vminq_s32(vmaxq_s32(q, lo), hi);
	return vaddq_s32(q, zp);
}

static ALWAYS_INLINE void n_finish(const struct qa_gemm_args *ga, uint32_t p, int32x4_t d[4],
				   int32_t rowsum, uint8_t *c_row)
{
	const struct qa1e_gemm *g = &ga->g;
	const int32x4_t azp = vdupq_n_s32(g->a_zp);
	const int32x4_t kazp = vdupq_n_s32((int32_t)(g->k * (uint32_t)g->a_zp));
	const int32x4_t rs = vdupq_n_s32(rowsum);
	uint32_t n0 = p * 16u, count = g->n - n0 < 16u ? g->n - n0 : 16u;
	int32_t out32[16];
	uint8_t out8[16];
	int h;

	for (h = 0; h < 4; h++) {
		uint32_t off = 64u * p + 16u * (uint32_t)h;
		int32x4_t bias = vld1q_s32((const int32_t *)(const void *)(ga->bias + off));
		int32x4_t colsum = vld1q_s32((const int32_t *)(const void *)(ga->colsum + off));
		int32x4_t wzp = vld1q_s32((const int32_t *)(const void *)(ga->wzp + off));
		int32x4_t v = d[h];

		v = vaddq_s32(v, vsubq_s32(bias, vmulq_s32(azp, colsum)));
		v = vaddq_s32(v, vmulq_s32(kazp, wzp));
		v = vsubq_s32(v, vmulq_s32(wzp, rs));
		if (g->out_type == QA1E_OUT_S32) {
			vst1q_s32(out32 + 4 * h, v);
		} else {
			int32x4_t mult = vld1q_s32((const int32_t *)(const void *)(ga->mult + off));
			int32x4_t shift = vld1q_s32((const int32_t *)(const void *)(ga->shift + off));

			vst1q_s32(out32 + 4 * h,
				  rqn(v, mult, shift, vdupq_n_s32(g->act_min - g->out_zp),
				      vdupq_n_s32(g->act_max - g->out_zp), vdupq_n_s32(g->out_zp)));
		}
	}
	if (g->out_type == QA1E_OUT_S32) {
		memcpy(c_row + 4u * n0, out32, 4u * count);
	} else {
		for (h = 0; h < 16; h++)
			out8[h] = (uint8_t)out32[h];
		memcpy(c_row + n0, out8, count);
	}
}

static ALWAYS_INLINE void n_micro(const struct qa_gemm_args *ga, const int mr, const bool sgn,
				  uint32_t r0, uint32_t p, const int32_t *rowsum)
{
	const struct qa1e_gemm *g = &ga->g;
	const uint8_t *w = ga->packed + (uint64_t)p * ga->pstride;
	const uint8_t *a = ga->a + (uint64_t)r0 * g->lda;
	const size_t lda = g->lda;
	const uint32_t kf4 = ga->kfull / 4u;
	const uint8x16_t flip = vdupq_n_u8(0x80);
	int32x4_t acc[MR][4];
	uint32_t kk;
	int r, q;

	for (r = 0; r < mr; r++)
		for (q = 0; q < 4; q++)
			acc[r][q] = vdupq_n_s32(0);
	for (kk = 0; kk <= kf4; kk++) {
		uint8x16_t wq[4];

		if (kk == kf4 && ga->kfull == g->k)
			break;
		for (q = 0; q < 4; q++) {
			wq[q] = vld1q_u8(w + 64u * kk + 16u * (uint32_t)q);
			if (!sgn)
				wq[q] = veorq_u8(wq[q], flip);
		}
		for (r = 0; r < mr; r++) {
			uint32_t a4 = kk == kf4 ? qa_tail4(a + r * lda, ga) :
				(uint32_t)qa_ld32(a + r * lda + 4u * kk);
			uint8x16_t av = vreinterpretq_u8_u32(vdupq_n_u32(a4));

			for (q = 0; q < 4; q++) {
				if (sgn)
					acc[r][q] = vdotq_s32(acc[r][q], vreinterpretq_s8_u8(wq[q]),
							      vreinterpretq_s8_u8(av));
				else
					acc[r][q] = vreinterpretq_s32_u32(
						vdotq_u32(vreinterpretq_u32_s32(acc[r][q]), wq[q], av));
			}
		}
	}
	for (r = 0; r < mr; r++) {
		if (!sgn) {
			int32x4_t corr = vdupq_n_s32((int32_t)((uint32_t)rowsum[r] << 7));

			for (q = 0; q < 4; q++)
				acc[r][q] = vsubq_s32(acc[r][q], corr);
		}
		n_finish(ga, p, acc[r], rowsum[r], ga->c + (uint64_t)(r0 + r) * g->ldc);
	}
}

static void n_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1, uint32_t p0,
		   uint32_t p1)
{
	const struct qa1e_gemm *g = &ga->g;
	const bool sgn = g->a_signed != 0;
	int32_t rs[256];
	uint32_t p, r;

	for (r = m0; r < m1; r++)
		rs[r - m0] = qa_rowsum(ga->a + (uint64_t)r * g->lda, g->k, sgn);
	for (p = p0; p < p1; p++) {
		for (r = m0; r < m1; r += MR) {
			uint32_t mr = m1 - r < MR ? m1 - r : MR;

			if (sgn) {
				if (mr == 4)
					n_micro(ga, 4, true, r, p, rs + (r - m0));
				else if (mr == 3)
					n_micro(ga, 3, true, r, p, rs + (r - m0));
				else if (mr == 2)
					n_micro(ga, 2, true, r, p, rs + (r - m0));
				else
					n_micro(ga, 1, true, r, p, rs + (r - m0));
			} else {
				if (mr == 4)
					n_micro(ga, 4, false, r, p, rs + (r - m0));
				else if (mr == 3)
					n_micro(ga, 3, false, r, p, rs + (r - m0));
				else if (mr == 2)
					n_micro(ga, 2, false, r, p, rs + (r - m0));
				else
					n_micro(ga, 1, false, r, p, rs + (r - m0));
			}
		}
	}
}

const struct qa_gemm_kernel qa_gemm_neon = {
	.tile = n_tile,
	.mr = MR,
	.nr = 1,
};
