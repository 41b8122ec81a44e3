// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * QA1 reference engine: the executable specification of the QA1 GEMM.
 *
 * Freestanding C: integer arithmetic only, no library calls, no allocation,
 * no floating point. Every operation is defined for every input: signed
 * values that may leave the int32 range are computed as u32 (wrapping
 * modulo 2^32, which is the contract of the accumulator) or in 64 bits, and
 * conversions back to s32 go through qa1e_s32(), so the code has neither
 * undefined nor implementation-defined behaviour.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include "qaccel_engine.h"
#include "qaccel_hw.h"

#if QA1E_OUT_S8 != QA1_OUT_S8 || QA1E_OUT_U8 != QA1_OUT_U8 || \
	QA1E_OUT_S32 != QA1_OUT_S32
#error "QA1E_OUT_* must equal QA1_OUT_*"
#endif
#if QA1E_FAULT_DESCRIPTOR != QA1_FAULT_DESCRIPTOR
#error "QA1E_FAULT_DESCRIPTOR must equal QA1_FAULT_DESCRIPTOR"
#endif

#define QA1E_S32_MAX	0x7fffffff
#define QA1E_S32_MIN	(-QA1E_S32_MAX - 1)

/* The s32 congruent to v modulo 2^32 (two's complement reinterpretation). */
static inline s32 qa1e_s32(u32 v)
{
	if (v <= (u32)QA1E_S32_MAX)
		return (s32)v;
	return -(s32)~v - 1;
}

/* Value of a signed byte stored as u8. */
static inline s32 qa1e_sbyte(u8 b)
{
	return (s32)(b ^ 0x80u) - 128;
}

/* Value of an element of A. */
static inline s32 qa1e_aval(u32 a_signed, u8 b)
{
	return a_signed ? qa1e_sbyte(b) : (s32)b;
}

static inline s32 qa1e_get_le32(const u8 *p)
{
	return qa1e_s32((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
			(u32)p[3] << 24);
}

static inline void qa1e_put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

/* floor(x / 2^e) for 0 <= e <= 31, an arithmetic shift right. */
static inline s32 qa1e_floor_pot(s32 x, int e)
{
	if (x >= 0)
		return x >> e;
	return -1 - ((-1 - x) >> e);
}

s32 qa1e_srdhm(s32 a, s32 b)
{
	s64 ab, v;

	if (a == QA1E_S32_MIN && b == QA1E_S32_MIN)
		return QA1E_S32_MAX;
	ab = (s64)a * b;
	/* Nudge, then divide by 2^31 truncating towards zero. */
	v = ab + (ab >= 0 ? (1 << 30) : 1 - (1 << 30));
	/* |v| < 2^62 and the quotient lies in [-2^31 + 1, 2^31 - 1]. */
	if (v >= 0)
		return (s32)(v >> 31);
	return -(s32)((-v) >> 31);
}

s32 qa1e_rdivpot(s32 x, int exponent)
{
	u32 mask, remainder, threshold;

	if (exponent <= 0)
		return x;
	if (exponent > 31)
		exponent = 31;
	mask = 0xffffffffu >> (32 - exponent);
	remainder = (u32)x & mask;
	threshold = (mask >> 1) + (x < 0 ? 1u : 0u);
	/* The floor quotient is at most 2^30 - 1, so adding 1 cannot overflow. */
	return qa1e_floor_pot(x, exponent) + (remainder > threshold ? 1 : 0);
}

s32 qa1e_requant_scale(s32 acc, s32 mult, s32 shift)
{
	int left, right;
	s64 x;

	if (shift > QA1E_SHIFT_MAX)
		shift = QA1E_SHIFT_MAX;
	if (shift < QA1E_SHIFT_MIN)
		shift = QA1E_SHIFT_MIN;
	left = shift > 0 ? shift : 0;
	right = shift > 0 ? 0 : -shift;

	/* acc * 2^left in 64 bits (|x| <= 2^61), saturated to int32. */
	x = (s64)acc * ((s64)1 << left);
	if (x > QA1E_S32_MAX)
		x = QA1E_S32_MAX;
	if (x < QA1E_S32_MIN)
		x = QA1E_S32_MIN;

	return qa1e_rdivpot(qa1e_srdhm((s32)x, mult), right);
}

s32 qa1e_requant(s32 acc, s32 mult, s32 shift, s32 out_zp, s32 act_min, s32 act_max)
{
	s64 v = (s64)out_zp + qa1e_requant_scale(acc, mult, shift);

	if (v < act_min)
		v = act_min;
	if (v > act_max)
		v = act_max;
	return (s32)v;
}

int qa1e_gemm_check(const struct qa1e_gemm *g)
{
	s32 a_lo, a_hi, lo, hi;
	u32 esize;

	if (!g->m || !g->n || !g->k || g->n > QA1E_N_LIMIT)
		return QA1E_FAULT_DESCRIPTOR;
	if (g->lda < g->k)
		return QA1E_FAULT_DESCRIPTOR;

	switch (g->out_type) {
	case QA1E_OUT_S8:
		lo = -128;
		hi = 127;
		break;
	case QA1E_OUT_U8:
		lo = 0;
		hi = 255;
		break;
	case QA1E_OUT_S32:
		/* Raw accumulators: the output stage parameters must be 0. */
		lo = 0;
		hi = 0;
		break;
	default:
		return QA1E_FAULT_DESCRIPTOR;
	}
	esize = qa1e_out_size(g->out_type);
	if ((u64)g->ldc < (u64)g->n * esize)
		return QA1E_FAULT_DESCRIPTOR;

	a_lo = g->a_signed ? -128 : 0;
	a_hi = g->a_signed ? 127 : 255;
	if (g->a_zp < a_lo || g->a_zp > a_hi)
		return QA1E_FAULT_DESCRIPTOR;

	if (g->out_zp < lo || g->out_zp > hi ||
	    g->act_min < lo || g->act_min > hi ||
	    g->act_max < lo || g->act_max > hi ||
	    g->act_min > g->act_max)
		return QA1E_FAULT_DESCRIPTOR;

	return 0;
}

s32 qa1e_row_sum(const struct qa1e_gemm *g, const u8 *a_row)
{
	u32 sum = 0;
	u32 kk;

	for (kk = 0; kk < g->k; kk++)
		sum += (u32)qa1e_aval(g->a_signed, a_row[kk]);
	return qa1e_s32(sum);
}

void qa1e_panel_acc(const struct qa1e_gemm *g, const u8 *a_row, s32 a_rowsum,
		    const u8 *panel, const s32 *colsum, const s32 *wzp,
		    const s32 *bias, s32 acc[16])
{
	const u32 k = g->k;
	const u32 kfull = k & ~3u;
	u32 dot[16];
	u32 a_zp, rowsum, k_azp;
	u32 kk;
	int j, i;

	for (j = 0; j < 16; j++)
		dot[j] = 0;

	/*
	 * Whole groups of 4: one 64-byte block holds w[kk + i][j] at 4 * j + i.
	 * Each 4-term partial sum is below 2^18 in magnitude, so it is exact in
	 * s32; the running sums wrap modulo 2^32.
	 */
	for (kk = 0; kk < kfull; kk += 4) {
		const u8 *blk = panel + (u64)(kk / 4u) * 64u;
		s32 a0 = qa1e_aval(g->a_signed, a_row[kk]);
		s32 a1 = qa1e_aval(g->a_signed, a_row[kk + 1]);
		s32 a2 = qa1e_aval(g->a_signed, a_row[kk + 2]);
		s32 a3 = qa1e_aval(g->a_signed, a_row[kk + 3]);

		for (j = 0; j < 16; j++) {
			const u8 *w = blk + 4 * j;
			s32 p = a0 * qa1e_sbyte(w[0]) + a1 * qa1e_sbyte(w[1]) +
				a2 * qa1e_sbyte(w[2]) + a3 * qa1e_sbyte(w[3]);

			dot[j] += (u32)p;
		}
	}

	/* The last, partial group: only k < K is read. */
	if (kfull < k) {
		const u8 *blk = panel + (u64)(kfull / 4u) * 64u;

		for (i = 0; kfull + (u32)i < k; i++) {
			s32 a = qa1e_aval(g->a_signed, a_row[kfull + (u32)i]);

			for (j = 0; j < 16; j++)
				dot[j] += (u32)(a * qa1e_sbyte(blk[4 * j + i]));
		}
	}

	/* Expanded zero-point form, modulo 2^32. */
	a_zp = (u32)g->a_zp;
	rowsum = (u32)a_rowsum;
	k_azp = k * a_zp;
	for (j = 0; j < 16; j++) {
		u32 v = dot[j];

		v -= a_zp * (u32)colsum[j];
		v -= (u32)wzp[j] * rowsum;
		v += k_azp * (u32)wzp[j];
		v += (u32)bias[j];
		acc[j] = qa1e_s32(v);
	}
}

void qa1e_store(const struct qa1e_gemm *g, const s32 *acc, u32 n0, u32 count,
		const s32 *mult, const s32 *shift, u8 *c_row)
{
	u32 i;

	for (i = 0; i < count; i++) {
		u64 n = (u64)n0 + i;
		s32 q;

		switch (g->out_type) {
		case QA1E_OUT_S32:
			qa1e_put_le32(c_row + n * 4u, (u32)acc[i]);
			break;
		case QA1E_OUT_S8:
		case QA1E_OUT_U8:
			q = qa1e_requant(acc[i], mult[i], shift[i], g->out_zp,
					 g->act_min, g->act_max);
			c_row[n] = (u8)q;
			break;
		default:
			break;
		}
	}
}

void qa1e_gemm(const struct qa1e_gemm *g, const u8 *a, const u8 *packed, u8 *c)
{
	const u32 n = g->n, k = g->k;
	const u32 nblk = qa1e_n16(n) / 16u;
	const u8 *bias_p = packed + qa1e_off_bias(n, k);
	const u8 *colsum_p = packed + qa1e_off_colsum(n, k);
	const u8 *wzp_p = packed + qa1e_off_wzp(n, k);
	const u8 *mult_p = packed + qa1e_off_mult(n, k);
	const u8 *shift_p = packed + qa1e_off_shift(n, k);
	s32 bias[16], colsum[16], wzp[16], mult[16], shift[16], acc[16];
	u32 row, blk;
	int j;

	for (row = 0; row < g->m; row++) {
		const u8 *a_row = a + (u64)row * g->lda;
		u8 *c_row = c + (u64)row * g->ldc;
		s32 rowsum = qa1e_row_sum(g, a_row);

		for (blk = 0; blk < nblk; blk++) {
			u64 off = (u64)blk * 64u;	/* 16 entries of 4 bytes */
			u32 n0 = blk * 16u;
			u32 count = n - n0 < 16u ? n - n0 : 16u;

			for (j = 0; j < 16; j++) {
				bias[j] = qa1e_get_le32(bias_p + off + 4 * j);
				colsum[j] = qa1e_get_le32(colsum_p + off + 4 * j);
				wzp[j] = qa1e_get_le32(wzp_p + off + 4 * j);
				mult[j] = qa1e_get_le32(mult_p + off + 4 * j);
				shift[j] = qa1e_get_le32(shift_p + off + 4 * j);
			}
			qa1e_panel_acc(g, a_row, rowsum,
				       packed + qa1e_panel_offset(k, blk),
				       colsum, wzp, bias, acc);
			qa1e_store(g, acc, n0, count, mult, shift, c_row);
		}
	}
}
