/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * QA1 reference engine: the executable specification of the GEMM semantics
 * and the packed weight layout. Freestanding: integer arithmetic only, no
 * kernel or libc headers, no allocation. qaccel_engine.c is compiled into
 * the kernel module (the emulated QA1 runs it) and into libqaccel (where it
 * is the reference every fast path is tested against).
 *
 * Documentation/accel/qaccel/qa1.rst is the prose form of this contract.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_ENGINE_H_
#define _QACCEL_ENGINE_H_

#ifdef __KERNEL__
#include <linux/types.h>
#else
/*
 * Userspace: the kernel's fixed-width type names, taken from the compiler's
 * predefined macros (the types <stdint.h> uses for its intN_t) so that this
 * header needs no libc header at all.
 */
typedef __UINT8_TYPE__ u8;
typedef __INT8_TYPE__ s8;
typedef __UINT32_TYPE__ u32;
typedef __INT32_TYPE__ s32;
typedef __UINT64_TYPE__ u64;
typedef __INT64_TYPE__ s64;
#endif

/* Output element types (the QA1_CTRL_OUT field, same values as QA1_OUT_*). */
#define QA1E_OUT_S8		0
#define QA1E_OUT_U8		1
#define QA1E_OUT_S32		2

/* Fault cause returned by qa1e_gemm_check(); equals QA1_FAULT_DESCRIPTOR. */
#define QA1E_FAULT_DESCRIPTOR	4

/* Largest N the layout helpers handle (N16 must fit in a u32). */
#define QA1E_N_LIMIT		0xfffffff0u

/* Valid range of the per-channel shift; out-of-range shifts are clamped. */
#define QA1E_SHIFT_MIN		(-31)
#define QA1E_SHIFT_MAX		30

/**
 * struct qa1e_gemm - one GEMM, as the engine sees a descriptor
 * @m: rows of A and C
 * @n: output channels
 * @k: reduction length
 * @lda: bytes between rows of A
 * @ldc: bytes between rows of C
 * @a_signed: non-zero: A holds s8; zero: A holds u8
 * @out_type: QA1E_OUT_*
 * @a_zp: zero point of A
 * @out_zp: zero point of the output
 * @act_min: lowest output value
 * @act_max: highest output value
 */
struct qa1e_gemm {
	u32 m, n, k;
	u32 lda, ldc;
	u32 a_signed;
	u32 out_type;
	s32 a_zp, out_zp;
	s32 act_min, act_max;
};

/* Packed layout geometry: N rounded up to 16 (n <= QA1E_N_LIMIT). */
static inline u32 qa1e_n16(u32 n)
{
	return (n + 15u) & ~15u;
}

/* Number of 4-deep groups of K: ceil(K / 4), without overflow. */
static inline u32 qa1e_k4(u32 k)
{
	return k / 4u + (k % 4u != 0);
}

/*
 * Byte offsets inside a packed weight block for K x N:
 *   weights  [0, wbytes)                 s8, QA1 blocked layout
 *   bias     s32[N16]  at qa1e_off_bias()
 *   colsum   s32[N16]  at qa1e_off_colsum()   sum over k < K of w[k][n]
 *   w_zp     s32[N16]  at qa1e_off_wzp()
 *   mult     s32[N16]  at qa1e_off_mult()     Q31 multiplier, >= 0
 *   shift    s32[N16]  at qa1e_off_shift()    in [-31, 30], > 0 is left
 * All arrays little-endian; padded channels and padded K are zero when a
 * packer writes them, and the engine never lets them affect an output.
 */
static inline u64 qa1e_weight_bytes(u32 n, u32 k)
{
	return (u64)qa1e_n16(n) * qa1e_k4(k) * 4u;
}

static inline u64 qa1e_off_bias(u32 n, u32 k)
{
	return qa1e_weight_bytes(n, k);
}

static inline u64 qa1e_off_colsum(u32 n, u32 k)
{
	return qa1e_off_bias(n, k) + 4ull * qa1e_n16(n);
}

static inline u64 qa1e_off_wzp(u32 n, u32 k)
{
	return qa1e_off_colsum(n, k) + 4ull * qa1e_n16(n);
}

static inline u64 qa1e_off_mult(u32 n, u32 k)
{
	return qa1e_off_wzp(n, k) + 4ull * qa1e_n16(n);
}

static inline u64 qa1e_off_shift(u32 n, u32 k)
{
	return qa1e_off_mult(n, k) + 4ull * qa1e_n16(n);
}

static inline u64 qa1e_packed_bytes(u32 n, u32 k)
{
	return qa1e_off_shift(n, k) + 4ull * qa1e_n16(n);
}

/*
 * Byte offset of W[kk][nn] inside the weights part of the packed block of a
 * GEMM with reduction length k:
 *   ((nn / 16) * K4 + kk / 4) * 64 + (nn % 16) * 4 + kk % 4
 */
static inline u64 qa1e_w_offset(u32 k, u32 kk, u32 nn)
{
	return ((u64)(nn / 16u) * qa1e_k4(k) + kk / 4u) * 64u +
	       (nn % 16u) * 4u + kk % 4u;
}

/*
 * Offset of the panel holding output channels 16 * blk .. 16 * blk + 15:
 * K4 consecutive 64-byte blocks, one per group of 4 k.
 */
static inline u64 qa1e_panel_offset(u32 k, u32 blk)
{
	return (u64)blk * qa1e_k4(k) * 64u;
}

/* Size in bytes of one output element (0 for an invalid type). */
static inline u32 qa1e_out_size(u32 out_type)
{
	if (out_type == QA1E_OUT_S8 || out_type == QA1E_OUT_U8)
		return 1;
	if (out_type == QA1E_OUT_S32)
		return 4;
	return 0;
}

/*
 * Extent of the bytes the engine reads from A and writes to C, counted from
 * the first byte: (M - 1) * stride + the length of one row. Needs m >= 1.
 */
static inline u64 qa1e_a_bytes(const struct qa1e_gemm *g)
{
	return (u64)(g->m - 1) * g->lda + g->k;
}

static inline u64 qa1e_c_bytes(const struct qa1e_gemm *g)
{
	return (u64)(g->m - 1) * g->ldc + (u64)g->n * qa1e_out_size(g->out_type);
}

/*
 * gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31) with ties
 * towards +infinity; a == b == INT32_MIN gives INT32_MAX. Total.
 */
s32 qa1e_srdhm(s32 a, s32 b);
/*
 * gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away
 * from zero. Defined for 0 <= exponent <= 31; an exponent below 0 is taken
 * as 0 and one above 31 as 31.
 */
s32 qa1e_rdivpot(s32 x, int exponent);
/*
 * MBQM: multiply the accumulator by mult * 2^shift with double rounding.
 * shift is first clamped into [QA1E_SHIFT_MIN, QA1E_SHIFT_MAX]; a left
 * shift saturates to int32 before the multiplication; mult is used as is
 * (negative values are data errors but give a defined result).
 */
s32 qa1e_requant_scale(s32 acc, s32 mult, s32 shift);
/*
 * Full output stage: clamp(out_zp + MBQM(acc), act_min, act_max), the sum
 * computed in 64 bits. The clamp applies act_min first, then act_max, so a
 * reversed range yields act_max.
 */
s32 qa1e_requant(s32 acc, s32 mult, s32 shift, s32 out_zp, s32 act_min, s32 act_max);

/*
 * Check a GEMM's parameters for internal consistency (m, n, k >= 1, types,
 * zero points and clamp range within the types, strides large enough).
 * Returns 0 or a positive QA1 fault cause (QA1E_FAULT_DESCRIPTOR). Device
 * limits (MAX_M, MAX_N, MAX_K) and addresses are the caller's business.
 */
int qa1e_gemm_check(const struct qa1e_gemm *g);

/*
 * Compute the accumulators of one row of A against one panel of 16 output
 * channels: acc[j] for channels 16*blk + j, j < 16 (channels past N are
 * computed from the zero padding and must be ignored by the caller).
 *   a_row:  K bytes of A (the row)
 *   panel:  K4 * 64 bytes, the panel at qa1e_panel_offset(k, blk)
 *   colsum, wzp, bias: the 16 entries of those arrays for this panel, in
 *           host byte order
 *   a_rowsum: qa1e_row_sum() of a_row
 * Wrapping int32 arithmetic throughout:
 *   acc[j] = sum_k a[k] * w[k][j] - a_zp * colsum[j] - wzp[j] * a_rowsum
 *            + K * a_zp * wzp[j] + bias[j]   (mod 2^32)
 * Weight bytes of the padding (k >= K) are not read.
 */
void qa1e_panel_acc(const struct qa1e_gemm *g, const u8 *a_row, s32 a_rowsum,
		    const u8 *panel, const s32 *colsum, const s32 *wzp,
		    const s32 *bias, s32 acc[16]);

/*
 * qa1e_panel_acc() computed another way, for speed where there is no SIMD
 * (the emulated QA1 runs in kernel context): two channels per 64-bit
 * multiply, weights read eight bytes at a time. Same arguments, same
 * result for every input, provided @a_rowsum is qa1e_row_sum() of @a_row
 * (this form relies on it; the reference only uses it for the weight zero
 * point term); tests/unit checks the two against each other.
 */
void qa1e_panel_acc_pairs(const struct qa1e_gemm *g, const u8 *a_row, s32 a_rowsum,
			  const u8 *panel, const s32 *colsum, const s32 *wzp,
			  const s32 *bias, s32 acc[16]);

/* Sum of a row of A, as the engine computes it (wrapping). */
s32 qa1e_row_sum(const struct qa1e_gemm *g, const u8 *a_row);

/*
 * Write the outputs for channels [n0, n0 + count) of one row: requantize
 * (or store raw for QA1E_OUT_S32) acc[0..count) into c_row, where c_row
 * points at the row's first element (channel 0). mult[i] and shift[i]
 * (host byte order) belong to acc[i], i.e. to channel n0 + i; they are not
 * read for QA1E_OUT_S32. s32 outputs are stored little-endian; 8-bit
 * outputs are the low 8 bits of qa1e_requant(), which is within the type
 * when the GEMM passed qa1e_gemm_check().
 */
void qa1e_store(const struct qa1e_gemm *g, const s32 *acc, u32 n0, u32 count,
		const s32 *mult, const s32 *shift, u8 *c_row);

/*
 * qa1e_store() without branches per element, for the emulated QA1: same
 * arguments, same bytes written for every input (tests/unit checks them
 * against each other).
 */
void qa1e_store_fast(const struct qa1e_gemm *g, const s32 *acc, u32 n0, u32 count,
		     const s32 *mult, const s32 *shift, u8 *c_row);

/*
 * The whole product on contiguous buffers: a (M rows, lda apart), packed
 * (qa1e_packed_bytes(n, k) bytes), c (M rows, ldc apart; bytes between the
 * end of a row's N elements and the next row are not written). The caller
 * has validated g with qa1e_gemm_check().
 */
void qa1e_gemm(const struct qa1e_gemm *g, const u8 *a, const u8 *packed, u8 *c);

#endif /* _QACCEL_ENGINE_H_ */
