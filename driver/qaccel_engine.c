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

/*
 * The last, partial group of 4 k of a panel: adds a * (w + w_bias) for the
 * k < K it holds to each channel's running sum; only those k are read.
 */
static void qa1e_dot_tail(const struct qa1e_gemm *g, const u8 *a_row,
			  const u8 *panel, s32 w_bias, u32 dot[16])
{
	const u32 kfull = g->k & ~3u;
	const u8 *blk = panel + (u64)(kfull / 4u) * 64u;
	u32 i;
	int j;

	for (i = 0; kfull + i < g->k; i++) {
		s32 a = qa1e_aval(g->a_signed, a_row[kfull + i]);

		for (j = 0; j < 16; j++)
			dot[j] += (u32)(a * (qa1e_sbyte(blk[4 * j + i]) + w_bias));
	}
}

/*
 * Accumulators from the running sums dot[j] = sum a * (w + w_bias), in the
 * expanded zero-point form, modulo 2^32.
 */
static void qa1e_dot_finish(const struct qa1e_gemm *g, const u32 dot[16], s32 a_rowsum,
			    s32 w_bias, const s32 *colsum, const s32 *wzp,
			    const s32 *bias, s32 acc[16])
{
	const u32 a_zp = (u32)g->a_zp;
	const u32 rowsum = (u32)a_rowsum;
	const u32 k_azp = g->k * a_zp;
	int j;

	for (j = 0; j < 16; j++) {
		u32 v = dot[j] - (u32)w_bias * rowsum;

		v -= a_zp * (u32)colsum[j];
		v -= (u32)wzp[j] * rowsum;
		v += k_azp * (u32)wzp[j];
		v += (u32)bias[j];
		acc[j] = qa1e_s32(v);
	}
}

void qa1e_panel_acc(const struct qa1e_gemm *g, const u8 *a_row, s32 a_rowsum,
		    const u8 *panel, const s32 *colsum, const s32 *wzp,
		    const s32 *bias, s32 acc[16])
{
	const u32 kfull = g->k & ~3u;
	u32 dot[16];
	u32 kk;
	int j;

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

	qa1e_dot_tail(g, a_row, panel, 0, dot);
	qa1e_dot_finish(g, dot, a_rowsum, 0, colsum, wzp, bias, acc);
}

/*
 * Eight bytes of a 64-byte weight block: channels j and j + 1 for the four
 * k of the group (byte 4 * c + i holds w[kk + i][j + c]), as a host integer
 * whose byte b is the block's byte b whatever the host's byte order.
 */
static inline u64 qa1e_get_8(const u8 *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/*
 * Groups of 4 k per pass of qa1e_panel_acc_pairs() before its 64-bit
 * accumulators are folded: 32768 terms of at most 255 * 255 in magnitude
 * keep each channel's partial sum below 2^31.
 */
#define QA1E_PAIRS_GROUPS	8192u

/* One group of 4 k into the accumulator of channels 2i and 2i + 1. */
#define QA1E_PAIR(s, i) do {						\
	u64 x = qa1e_get_8(blk + 8 * (i)) ^ flip;			\
									\
	(s) += a0 * (x & lo) + a1 * ((x >> 8) & lo) +			\
	       a2 * ((x >> 16) & lo) + a3 * ((x >> 24) & lo);		\
} while (0)

/* Split a two-channel accumulator into the running sums of its channels. */
static inline void qa1e_pair_fold(u64 s, u32 *dot)
{
	u32 l0 = (u32)s;

	dot[0] += l0;
	dot[1] += (u32)((s - (u64)(s64)qa1e_s32(l0)) >> 32);
}

/*
 * Each 64-bit accumulator holds two channels: with v = w + 128 (0..255,
 * the weight byte with its top bit flipped), a * (v0 + v1 * 2^32) adds
 * a * v0 + a * v1 * 2^32, exactly, in two's complement. After at most
 * QA1E_PAIRS_GROUPS groups, L0 = sum a * v0 is the sign-extended low half
 * (|L0| < 2^31) and L1 = (acc - L0) / 2^32. Then
 * sum a * w = sum a * v - 128 * sum a, with sum a = a_rowsum (mod 2^32).
 */
void qa1e_panel_acc_pairs(const struct qa1e_gemm *g, const u8 *a_row, s32 a_rowsum,
			  const u8 *panel, const s32 *colsum, const s32 *wzp,
			  const s32 *bias, s32 acc[16])
{
	const u64 lo = 0x000000ff000000ffull;
	const u64 flip = 0x8080808080808080ull;
	const u32 groups = g->k / 4u;
	u32 dot[16];
	u32 grp, end;
	int j;

	for (j = 0; j < 16; j++)
		dot[j] = 0;

	for (grp = 0; grp < groups; grp = end) {
		u64 s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;

		end = groups - grp > QA1E_PAIRS_GROUPS ? grp + QA1E_PAIRS_GROUPS : groups;
		for (; grp < end; grp++) {
			const u8 *blk = panel + (u64)grp * 64u;
			const u8 *ar = a_row + (u64)grp * 4u;
			u64 a0 = (u64)qa1e_aval(g->a_signed, ar[0]);
			u64 a1 = (u64)qa1e_aval(g->a_signed, ar[1]);
			u64 a2 = (u64)qa1e_aval(g->a_signed, ar[2]);
			u64 a3 = (u64)qa1e_aval(g->a_signed, ar[3]);

			QA1E_PAIR(s0, 0);
			QA1E_PAIR(s1, 1);
			QA1E_PAIR(s2, 2);
			QA1E_PAIR(s3, 3);
			QA1E_PAIR(s4, 4);
			QA1E_PAIR(s5, 5);
			QA1E_PAIR(s6, 6);
			QA1E_PAIR(s7, 7);
		}
		qa1e_pair_fold(s0, dot + 0);
		qa1e_pair_fold(s1, dot + 2);
		qa1e_pair_fold(s2, dot + 4);
		qa1e_pair_fold(s3, dot + 6);
		qa1e_pair_fold(s4, dot + 8);
		qa1e_pair_fold(s5, dot + 10);
		qa1e_pair_fold(s6, dot + 12);
		qa1e_pair_fold(s7, dot + 14);
	}
	qa1e_dot_tail(g, a_row, panel, 128, dot);
	qa1e_dot_finish(g, dot, a_rowsum, 128, colsum, wzp, bias, acc);
}

#undef QA1E_PAIR

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

/*
 * qa1e_requant() as selects rather than branches, for qa1e_store_fast().
 * Negative values are never shifted: truncation and floor division of
 * negative numbers go through their (non-negative) negations.
 */
static inline s32 qa1e_requant_fast(s32 acc, s32 mult, s32 shift, s32 out_zp,
				    s32 act_min, s32 act_max)
{
	s32 sh = shift > QA1E_SHIFT_MAX ? QA1E_SHIFT_MAX :
		 shift < QA1E_SHIFT_MIN ? QA1E_SHIFT_MIN : shift;
	int left = sh > 0 ? sh : 0;
	int right = sh > 0 ? 0 : -sh;
	u32 mask = (u32)(((u64)1 << right) - 1);
	s64 x = (s64)acc * ((s64)1 << left);
	s64 ab, q;
	u32 thr;
	s32 y, r;

	x = x > QA1E_S32_MAX ? QA1E_S32_MAX : x < QA1E_S32_MIN ? QA1E_S32_MIN : x;
	/* srdhm: nudge, truncate towards zero; only -2^31 * -2^31 exceeds. */
	ab = x * mult;
	ab += ab >= 0 ? (1 << 30) : 1 - (1 << 30);
	q = ab >= 0 ? ab >> 31 : -((-ab) >> 31);
	y = (s32)(q > QA1E_S32_MAX ? QA1E_S32_MAX : q);
	/* rdivpot: floor, plus one when the remainder passes the threshold. */
	thr = (mask >> 1) + (y < 0 ? 1u : 0u);
	r = (y >= 0 ? y >> right : -1 - ((-1 - y) >> right)) +
	    (((u32)y & mask) > thr ? 1 : 0);
	/* |r| < 2^31 and |out_zp| <= 255: no overflow in 64 bits. */
	x = (s64)out_zp + r;
	return (s32)(x < act_min ? act_min : x > act_max ? act_max : x);
}

void qa1e_store_fast(const struct qa1e_gemm *g, const s32 *acc, u32 n0, u32 count,
		     const s32 *mult, const s32 *shift, u8 *c_row)
{
	u8 *p = c_row + (u64)n0 * qa1e_out_size(g->out_type);
	u32 i;

	if (g->out_type == QA1E_OUT_S32) {
		for (i = 0; i < count; i++)
			qa1e_put_le32(p + 4u * i, (u32)acc[i]);
		return;
	}
	if (g->out_type != QA1E_OUT_S8 && g->out_type != QA1E_OUT_U8)
		return;
	for (i = 0; i < count; i++)
		p[i] = (u8)qa1e_requant_fast(acc[i], mult[i], shift[i], g->out_zp,
					     g->act_min, g->act_max);
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
