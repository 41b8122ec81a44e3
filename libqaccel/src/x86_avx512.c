// SPDX-License-Identifier: MIT
/*
 * AVX-512 (F/BW/VL/DQ + VNNI) kernels: quantization and the GEMM tile.
 * Compiled with AVX-512 code generation; only called after run-time
 * detection (isa.c).
 *
 * GEMM: one 64-byte block of the packed layout (16 channels x 4 k) is one
 * zmm operand of VPDPBUSD (unsigned bytes x signed bytes, 4-term sums added
 * to 16 dwords). A u8: dpbusd(acc, broadcast(a[k..k+3]), w). A s8: the
 * weights are made unsigned (w + 128, a XOR of the top bit) and A is the
 * signed operand: dpbusd(acc, w + 128, a) = sum a*w + 128 * rowsum(a), so
 * the exact dot product is that minus 128 * rowsum, all modulo 2^32. The
 * padding of the last group of 4 is zero in A, so padding weights never
 * contribute.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <immintrin.h>

#include "gemm.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* ---- quantization ---- */

static ALWAYS_INLINE __m512i q512(__m512 x, __m512 s, __m512 zp, __m512 qmin, __m512 qmax)
{
	__m512 v = _mm512_div_ps(x, s);
	__mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
	__m512 f = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);

	f = _mm512_add_ps(f, zp);
	f = _mm512_max_ps(f, qmin);
	f = _mm512_min_ps(f, qmax);
	f = _mm512_mask_blend_ps(nan, f, zp);
	return _mm512_cvtps_epi32(f);
}

static void a5_quant(const float *x, uint8_t *y, size_t n, float scale, float zp,
		     float qmin, float qmax)
{
	const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zp);
	const __m512 lo = _mm512_set1_ps(qmin), hi = _mm512_set1_ps(qmax);
	size_t i = 0;

	for (; i + 64 <= n; i += 64) {
		__m512i q0 = q512(_mm512_loadu_ps(x + i), s, z, lo, hi);
		__m512i q1 = q512(_mm512_loadu_ps(x + i + 16), s, z, lo, hi);
		__m512i q2 = q512(_mm512_loadu_ps(x + i + 32), s, z, lo, hi);
		__m512i q3 = q512(_mm512_loadu_ps(x + i + 48), s, z, lo, hi);

		_mm_storeu_si128((__m128i *)(y + i), _mm512_cvtepi32_epi8(q0));
		_mm_storeu_si128((__m128i *)(y + i + 16), _mm512_cvtepi32_epi8(q1));
		_mm_storeu_si128((__m128i *)(y + i + 32), _mm512_cvtepi32_epi8(q2));
		_mm_storeu_si128((__m128i *)(y + i + 48), _mm512_cvtepi32_epi8(q3));
	}
	for (; i < n; i += 16) {
		size_t rem = n - i < 16 ? n - i : 16;
		__mmask16 m = (__mmask16)((1u << rem) - 1u);
		__m512i q = q512(_mm512_maskz_loadu_ps(m, x + i), s, z, lo, hi);

		_mm_mask_storeu_epi8(y + i, m, _mm512_cvtepi32_epi8(q));
	}
}

static void a5_quant_vec(const float *x, uint8_t *y, size_t n, const float *scale,
			 const int32_t *zp, float qmin, float qmax)
{
	const __m512 lo = _mm512_set1_ps(qmin), hi = _mm512_set1_ps(qmax);
	size_t i;

	for (i = 0; i < n; i += 16) {
		size_t rem = n - i < 16 ? n - i : 16;
		__mmask16 m = (__mmask16)((1u << rem) - 1u);
		__m512 s = _mm512_mask_loadu_ps(_mm512_set1_ps(1.0f), m, scale + i);
		__m512 z = zp ? _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(m, zp + i)) :
			_mm512_setzero_ps();
		__m512i q = q512(_mm512_maskz_loadu_ps(m, x + i), s, z, lo, hi);

		_mm_mask_storeu_epi8(y + i, m, _mm512_cvtepi32_epi8(q));
	}
}

static ALWAYS_INLINE __m512i widen512(__m128i b, bool sgn)
{
	return sgn ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b);
}

static void a5_dequant(const uint8_t *x, float *y, size_t n, float scale, int32_t zp,
		       bool sgn)
{
	const __m512 s = _mm512_set1_ps(scale);
	const __m512i z = _mm512_set1_epi32(zp);
	size_t i;

	for (i = 0; i < n; i += 16) {
		size_t rem = n - i < 16 ? n - i : 16;
		__mmask16 m = (__mmask16)((1u << rem) - 1u);
		__m512i v = widen512(_mm_maskz_loadu_epi8(m, x + i), sgn);

		v = _mm512_sub_epi32(v, z);
		_mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_cvtepi32_ps(v), s));
	}
}

static void a5_dequant_vec(const uint8_t *x, float *y, size_t n, const float *scale,
			   const int32_t *zp, bool sgn)
{
	size_t i;

	for (i = 0; i < n; i += 16) {
		size_t rem = n - i < 16 ? n - i : 16;
		__mmask16 m = (__mmask16)((1u << rem) - 1u);
		__m512i v = widen512(_mm_maskz_loadu_epi8(m, x + i), sgn);
		__m512 s = _mm512_maskz_loadu_ps(m, scale + i);

		if (zp)
			v = _mm512_sub_epi32(v, _mm512_maskz_loadu_epi32(m, zp + i));
		_mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_cvtepi32_ps(v), s));
	}
}

static bool a5_minmax(const float *x, size_t n, float *mn, float *mx)
{
	__m512 lo = _mm512_set1_ps(__builtin_inff()), hi = _mm512_set1_ps(-__builtin_inff());
	__mmask16 bad = 0;
	size_t i;

	for (i = 0; i < n; i += 16) {
		size_t rem = n - i < 16 ? n - i : 16;
		__mmask16 m = (__mmask16)((1u << rem) - 1u);
		__m512 v = _mm512_maskz_loadu_ps(m, x + i);

		/* QNaN, SNaN, +Inf, -Inf */
		bad |= _mm512_mask_fpclass_ps_mask(m, v, 0x99);
		lo = _mm512_mask_min_ps(lo, m, lo, v);
		hi = _mm512_mask_max_ps(hi, m, hi, v);
	}
	if (bad)
		return false;
	*mn = _mm512_reduce_min_ps(lo);
	*mx = _mm512_reduce_max_ps(hi);
	return true;
}

const struct qa_quant_ops qa_quant_avx512 = {
	.quant = a5_quant,
	.quant_vec = a5_quant_vec,
	.dequant = a5_dequant,
	.dequant_vec = a5_dequant_vec,
	.minmax = a5_minmax,
};

/* ---- GEMM ---- */

#define MR 8
#define NR 3

/* The QA1 output stage on 16 lanes (see qa1e_requant()). */
static ALWAYS_INLINE __m512i rq512(__m512i acc, __m512i mult, __m512i shift,
				   __m512i lo, __m512i hi, __m512i zp)
{
	const __m512i imax = _mm512_set1_epi32(INT32_MAX), imin = _mm512_set1_epi32(INT32_MIN);
	const __m512i zero = _mm512_setzero_si512();
	__m512i left, right, x, ev, od, res, mask, rem, thr, q;
	__mmask16 sat;

	shift = _mm512_max_epi32(_mm512_min_epi32(shift, _mm512_set1_epi32(30)),
				 _mm512_set1_epi32(-31));
	left = _mm512_max_epi32(shift, zero);
	right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);

	/* acc * 2^left saturated to int32 */
	x = _mm512_sllv_epi32(acc, left);
	x = _mm512_mask_blend_epi32(_mm512_cmpgt_epi32_mask(acc, _mm512_srav_epi32(imax, left)),
				    x, imax);
	x = _mm512_mask_blend_epi32(_mm512_cmpgt_epi32_mask(_mm512_srav_epi32(imin, left), acc),
				    x, imin);

	/* SaturatingRoundingDoublingHighMul: floor((x * mult + 2^30) / 2^31) */
	ev = _mm512_add_epi64(_mm512_mul_epi32(x, mult), _mm512_set1_epi64(1ll << 30));
	od = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32),
					       _mm512_srli_epi64(mult, 32)),
			      _mm512_set1_epi64(1ll << 30));
	ev = _mm512_srli_epi64(ev, 31);
	od = _mm512_slli_epi64(od, 1);
	res = _mm512_mask_blend_epi32(0xaaaa, ev, od);
	sat = _mm512_cmpeq_epi32_mask(x, imin) & _mm512_cmpeq_epi32_mask(mult, imin);
	res = _mm512_mask_blend_epi32(sat, res, imax);

	/* RoundingDivideByPOT */
	mask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), right),
				_mm512_set1_epi32(1));
	rem = _mm512_and_si512(res, mask);
	thr = _mm512_sub_epi32(_mm512_srli_epi32(mask, 1), _mm512_srai_epi32(res, 31));
	q = _mm512_srav_epi32(res, right);
	q = _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, thr), q,
				  _mm512_set1_epi32(1));

	/* clamp(out_zp + q, act_min, act_max), with bounds pre-shifted by out_zp */
	q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
	return _mm512_add_epi32(q, zp);
}

/*
 * qa_rowsum() with VPSADBW: 64 bytes per step into 8 qword sums. s8 rows
 * are summed as unsigned a + 128 (a XOR of the top bit), then 128 * K is
 * taken off; everything modulo 2^32, as the engine computes it.
 */
static int32_t a5_rowsum(const uint8_t *a, uint32_t k, bool sgn)
{
	const __m512i zero = _mm512_setzero_si512(), flip = _mm512_set1_epi8((char)0x80);
	__m512i s0 = zero, s1 = zero;
	uint32_t i = 0;
	uint64_t t;

	for (; i + 128 <= k; i += 128) {
		__m512i v0 = _mm512_loadu_si512(a + i), v1 = _mm512_loadu_si512(a + i + 64);

		if (sgn) {
			v0 = _mm512_xor_si512(v0, flip);
			v1 = _mm512_xor_si512(v1, flip);
		}
		s0 = _mm512_add_epi64(s0, _mm512_sad_epu8(v0, zero));
		s1 = _mm512_add_epi64(s1, _mm512_sad_epu8(v1, zero));
	}
	for (; i < k; i += 64) {
		uint32_t rem = k - i < 64 ? k - i : 64;
		__mmask64 m = rem == 64 ? ~(__mmask64)0 : ((__mmask64)1 << rem) - 1;
		__m512i v = _mm512_maskz_loadu_epi8(m, a + i);

		if (sgn)
			v = _mm512_maskz_mov_epi8(m, _mm512_xor_si512(v, flip));
		s0 = _mm512_add_epi64(s0, _mm512_sad_epu8(v, zero));
	}
	t = (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(s0, s1));
	if (sgn)
		t -= 128u * (uint64_t)k;
	return (int32_t)(uint32_t)t;
}

struct a5_panel {
	__m512i cterm;	/* bias - a_zp * colsum + K * a_zp * wzp */
	__m512i wzp;
	__m512i mult;
	__m512i shift;
	__mmask16 store;	/* channels < N */
	uint32_t n0;
};

static ALWAYS_INLINE void a5_panel_init(const struct qa_gemm_args *ga, uint32_t p,
				       struct a5_panel *pp)
{
	const struct qa1e_gemm *g = &ga->g;
	__m512i bias = _mm512_loadu_si512(ga->bias + 64u * p);
	__m512i colsum = _mm512_loadu_si512(ga->colsum + 64u * p);
	__m512i azp = _mm512_set1_epi32(g->a_zp);
	__m512i kazp = _mm512_set1_epi32((int32_t)(g->k * (uint32_t)g->a_zp));
	uint32_t cnt;

	pp->wzp = _mm512_loadu_si512(ga->wzp + 64u * p);
	pp->mult = _mm512_loadu_si512(ga->mult + 64u * p);
	pp->shift = _mm512_loadu_si512(ga->shift + 64u * p);
	pp->cterm = _mm512_add_epi32(_mm512_sub_epi32(bias, _mm512_mullo_epi32(azp, colsum)),
				     _mm512_mullo_epi32(kazp, pp->wzp));
	pp->n0 = p * 16u;
	cnt = g->n - pp->n0 < 16u ? g->n - pp->n0 : 16u;
	pp->store = (__mmask16)((1u << cnt) - 1u);
}

static ALWAYS_INLINE void a5_finish(const struct qa_gemm_args *ga, const struct a5_panel *pp,
				    __m512i acc, int32_t rowsum, uint8_t *c_row, bool sgn)
{
	const struct qa1e_gemm *g = &ga->g;

	if (sgn)
		acc = _mm512_sub_epi32(acc, _mm512_set1_epi32((int32_t)((uint32_t)rowsum << 7)));
	acc = _mm512_add_epi32(acc, pp->cterm);
	acc = _mm512_sub_epi32(acc, _mm512_mullo_epi32(pp->wzp, _mm512_set1_epi32(rowsum)));
	if (g->out_type == QA1E_OUT_S32) {
		_mm512_mask_storeu_epi32(c_row + 4u * pp->n0, pp->store, acc);
	} else {
		__m512i q = rq512(acc, pp->mult, pp->shift,
				  _mm512_set1_epi32(g->act_min - g->out_zp),
				  _mm512_set1_epi32(g->act_max - g->out_zp),
				  _mm512_set1_epi32(g->out_zp));

		_mm_mask_storeu_epi8(c_row + pp->n0, pp->store, _mm512_cvtepi32_epi8(q));
	}
}

#if defined(__x86_64__) && !defined(A5_NO_ASM)
/*
 * The mr x np micro tile (mr <= MR rows from r0, np <= NR panels from p)
 * over the groups of 4 [q0, q1), in one asm block: GCC 12 does not keep 24
 * accumulators in registers through the loop on its own (it spills them or
 * copies them around every VPDPBUSD). Fixed registers: accumulator of row
 * r, panel j in zmm(3r + j), the weights in zmm24-26, the broadcast A
 * dwords in zmm27/28, the s8 bias-flip constant in zmm31. The assembler
 * drops the rows and panels beyond mr and np (.if on the constants). The
 * K loop is unrolled twice; the last, partial group of 4 comes from tb[]
 * (zero padded in C).
 */
#define A5_VPDP(b, acc, wreg)						\
	".if %c[sgn]\n\tvpdpbusd %%zmm" b ", %%zmm" wreg ", %%zmm" acc "\n\t" \
	".else\n\tvpdpbusd %%zmm" wreg ", %%zmm" b ", %%zmm" acc "\n\t.endif\n\t"
#define A5_ROW(r, addr, b, acc0, acc1, acc2)				\
	".if %c[mr] > " #r "\n\t"					\
	"vpbroadcastd " addr ", %%zmm" b "\n\t"				\
	A5_VPDP(b, acc0, "24")						\
	".if %c[np] > 1\n\t" A5_VPDP(b, acc1, "25") ".endif\n\t"	\
	".if %c[np] > 2\n\t" A5_VPDP(b, acc2, "26") ".endif\n\t"	\
	".endif\n\t"
#define A5_FLIP								\
	".if %c[sgn]\n\t"						\
	"vpxord %%zmm31, %%zmm24, %%zmm24\n\t"				\
	".if %c[np] > 1\n\tvpxord %%zmm31, %%zmm25, %%zmm25\n\t.endif\n\t" \
	".if %c[np] > 2\n\tvpxord %%zmm31, %%zmm26, %%zmm26\n\t.endif\n\t" \
	".endif\n\t"
#define A5_STEP0 \
	"vmovdqu64 0(%[w]), %%zmm24\n\t" \
	".if %c[np] > 1\n\tvmovdqu64 0(%[w],%[ps],1), %%zmm25\n\t.endif\n\t" \
	".if %c[np] > 2\n\tvmovdqu64 0(%[w],%[ps],2), %%zmm26\n\t.endif\n\t" \
	A5_FLIP \
	A5_ROW(0, "0(%[alo])", "27", "0", "1", "2") \
	A5_ROW(1, "0(%[alo],%[lda],1)", "28", "3", "4", "5") \
	A5_ROW(2, "0(%[alo],%[lda],2)", "27", "6", "7", "8") \
	A5_ROW(3, "0(%[alo],%[l3],1)", "28", "9", "10", "11") \
	A5_ROW(4, "0(%[ahi])", "27", "12", "13", "14") \
	A5_ROW(5, "0(%[ahi],%[lda],1)", "28", "15", "16", "17") \
	A5_ROW(6, "0(%[ahi],%[lda],2)", "27", "18", "19", "20") \
	A5_ROW(7, "0(%[ahi],%[l3],1)", "28", "21", "22", "23")
#define A5_STEP1 \
	"vmovdqu64 64(%[w]), %%zmm24\n\t" \
	".if %c[np] > 1\n\tvmovdqu64 64(%[w],%[ps],1), %%zmm25\n\t.endif\n\t" \
	".if %c[np] > 2\n\tvmovdqu64 64(%[w],%[ps],2), %%zmm26\n\t.endif\n\t" \
	A5_FLIP \
	A5_ROW(0, "4(%[alo])", "27", "0", "1", "2") \
	A5_ROW(1, "4(%[alo],%[lda],1)", "28", "3", "4", "5") \
	A5_ROW(2, "4(%[alo],%[lda],2)", "27", "6", "7", "8") \
	A5_ROW(3, "4(%[alo],%[l3],1)", "28", "9", "10", "11") \
	A5_ROW(4, "4(%[ahi])", "27", "12", "13", "14") \
	A5_ROW(5, "4(%[ahi],%[lda],1)", "28", "15", "16", "17") \
	A5_ROW(6, "4(%[ahi],%[lda],2)", "27", "18", "19", "20") \
	A5_ROW(7, "4(%[ahi],%[l3],1)", "28", "21", "22", "23")
#define A5_STEPT \
	"vmovdqu64 0(%[w]), %%zmm24\n\t" \
	".if %c[np] > 1\n\tvmovdqu64 0(%[w],%[ps],1), %%zmm25\n\t.endif\n\t" \
	".if %c[np] > 2\n\tvmovdqu64 0(%[w],%[ps],2), %%zmm26\n\t.endif\n\t" \
	A5_FLIP \
	A5_ROW(0, "0(%[tb])", "27", "0", "1", "2") \
	A5_ROW(1, "4(%[tb])", "28", "3", "4", "5") \
	A5_ROW(2, "8(%[tb])", "27", "6", "7", "8") \
	A5_ROW(3, "12(%[tb])", "28", "9", "10", "11") \
	A5_ROW(4, "16(%[tb])", "27", "12", "13", "14") \
	A5_ROW(5, "20(%[tb])", "28", "15", "16", "17") \
	A5_ROW(6, "24(%[tb])", "27", "18", "19", "20") \
	A5_ROW(7, "28(%[tb])", "28", "21", "22", "23")
/* Accumulator i (row i / 3, panel i % 3) to or from out[]. */
#define A5_ACC(i, insn)							\
	".if (" #i " / 3 < %c[mr]) && (" #i " %% 3 < %c[np])\n\t"		\
	insn "\n\t.endif\n\t"
#define A5_ACCS(X)							\
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)	\
	X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define A5_ZERO(i) A5_ACC(i, "vpxord %%xmm" #i ", %%xmm" #i ", %%xmm" #i)
#define A5_LOAD(i) A5_ACC(i, "vmovdqa64 " #i "*64(%[out]), %%zmm" #i)
#define A5_STORE(i) A5_ACC(i, "vmovdqa64 %%zmm" #i ", " #i "*64(%[out])")

static const uint32_t a5_flip_word = 0x80808080u;

#define A5_MICRO(MR_, NP_, SGN_)					\
	do {								\
		const struct qa1e_gemm *g_ = &ga->g;			\
		const uint64_t lda_ = g_->lda, l3_ = 3 * lda_;		\
		const uint64_t ps_ = ga->pstride;			\
		const uint32_t qf_ = ga->kfull / 4u;			\
		const uint32_t qe_ = q1 < qf_ ? q1 : qf_;		\
		const uint8_t *w_ = ga->packed + (uint64_t)p * ps_ + (uint64_t)q0 * 64u; \
		const uint8_t *alo_ = ga->a + (uint64_t)r0 * lda_ + 4u * q0; \
		const uint8_t *ahi_ = alo_ + ((MR_) > 4 ? 4 * lda_ : 0); \
		uint64_t pairs_ = (qe_ - q0) / 2u;			\
		uint64_t odd_ = (qe_ - q0) & 1u;			\
		uint64_t fl_ = (uint64_t)first | (uint64_t)(q1 > qf_) << 1; \
		uint32_t tb_[8];					\
		int i_;							\
									\
		if (q1 > qf_)						\
			for (i_ = 0; i_ < (MR_); i_++)			\
				tb_[i_] = qa_tail4(ga->a + (uint64_t)(r0 + (uint32_t)i_) * lda_, ga); \
		__asm__ volatile(					\
			".if %c[sgn]\n\tvpbroadcastd %[flip], %%zmm31\n\t.endif\n\t" \
			"test $1, %[fl]\n\t"				\
			"jz 1f\n\t"					\
			A5_ACCS(A5_ZERO)				\
			"jmp 2f\n"					\
			"1:\n\t"					\
			A5_ACCS(A5_LOAD)				\
			"2:\n\t"					\
			"test %[pairs], %[pairs]\n\t"			\
			"jz 4f\n"					\
			".p2align 5\n"					\
			"3:\n\t"					\
			A5_STEP0					\
			A5_STEP1					\
			"add $128, %[w]\n\t"				\
			"add $8, %[alo]\n\t"				\
			"add $8, %[ahi]\n\t"				\
			"dec %[pairs]\n\t"				\
			"jnz 3b\n"					\
			"4:\n\t"					\
			"test %[odd], %[odd]\n\t"			\
			"jz 5f\n\t"					\
			A5_STEP0					\
			"add $64, %[w]\n"				\
			"5:\n\t"					\
			"test $2, %[fl]\n\t"				\
			"jz 6f\n\t"					\
			A5_STEPT					\
			"6:\n\t"					\
			A5_ACCS(A5_STORE)				\
			: [w] "+r"(w_), [alo] "+r"(alo_), [ahi] "+r"(ahi_), \
			  [pairs] "+r"(pairs_)				\
			: [ps] "r"(ps_), [lda] "r"(lda_), [l3] "r"(l3_), \
			  [odd] "r"(odd_), [fl] "r"(fl_), [tb] "r"(tb_),	\
			  [out] "r"(out), [flip] "m"(a5_flip_word),	\
			  [mr] "i"(MR_), [np] "i"(NP_), [sgn] "i"(SGN_)	\
			: "memory", "cc",				\
			  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
			  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", \
			  "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", \
			  "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", \
			  "xmm31");					\
	} while (0)

#else /* 32-bit x86: no zmm16-31, too few registers for the asm block */

/* The same micro tile in plain intrinsics, one accumulator at a time. */
#define A5_MICRO(MR_, NP_, SGN_)					\
	a5_micro_c(ga, MR_, NP_, SGN_, r0, p, q0, q1, first, out)

static ALWAYS_INLINE void a5_micro_c(const struct qa_gemm_args *ga, int mr, int np, bool sgn,
				     uint32_t r0, uint32_t p, uint32_t q0, uint32_t q1,
				     bool first, __m512i *out)
{
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	const uint32_t qf = ga->kfull / 4u, qe = q1 < qf ? q1 : qf;
	int r, j;

	for (r = 0; r < mr; r++) {
		const uint8_t *a_row = ga->a + (uint64_t)(r0 + (uint32_t)r) * ga->g.lda;

		for (j = 0; j < np; j++) {
			const uint8_t *w = ga->packed + (uint64_t)(p + (uint32_t)j) * ga->pstride;
			__m512i acc = first ? _mm512_setzero_si512() : out[r * NR + j];
			uint32_t q;

			for (q = q0; q < q1; q++) {
				__m512i wv = _mm512_loadu_si512(w + (uint64_t)q * 64u);
				__m512i av = _mm512_set1_epi32(q < qe ? qa_ld32(a_row + 4u * q) :
							       (int32_t)qa_tail4(a_row, ga));

				if (sgn)
					acc = _mm512_dpbusd_epi32(acc, _mm512_xor_si512(wv, flip), av);
				else
					acc = _mm512_dpbusd_epi32(acc, av, wv);
			}
			out[r * NR + j] = acc;
		}
	}
}

#endif

#define A5_MICRO_CASES(NP, SGN)						\
	switch (mr) {							\
	case 1: A5_MICRO(1, NP, SGN); break;				\
	case 2: A5_MICRO(2, NP, SGN); break;				\
	case 3: A5_MICRO(3, NP, SGN); break;				\
	case 4: A5_MICRO(4, NP, SGN); break;				\
	case 5: A5_MICRO(5, NP, SGN); break;				\
	case 6: A5_MICRO(6, NP, SGN); break;				\
	case 7: A5_MICRO(7, NP, SGN); break;				\
	default: A5_MICRO(8, NP, SGN); break;				\
	}

/*
 * Accumulate an mr x np micro tile over the groups of 4 [q0, q1) into
 * out[r * NR + j], starting from zero when first, else from out.
 */
static void a5_acc_u8(const struct qa_gemm_args *ga, int mr, int np, uint32_t r0,
		      uint32_t p, uint32_t q0, uint32_t q1, bool first, __m512i *out)
{
	if (np == 3) {
		A5_MICRO_CASES(3, 0);
	} else if (np == 2) {
		A5_MICRO_CASES(2, 0);
	} else {
		A5_MICRO_CASES(1, 0);
	}
}

static void a5_acc_s8(const struct qa_gemm_args *ga, int mr, int np, uint32_t r0,
		      uint32_t p, uint32_t q0, uint32_t q1, bool first, __m512i *out)
{
	if (np == 3) {
		A5_MICRO_CASES(3, 1);
	} else if (np == 2) {
		A5_MICRO_CASES(2, 1);
	} else {
		A5_MICRO_CASES(1, 1);
	}
}

/*
 * Blocking inside a tile: rows in blocks of RB, then NR panels at a time,
 * then K in blocks of at most KC (groups of 4 spread evenly), then the
 * micro tiles of the row block. The NR x KC block of weights (48 KiB) is
 * fetched once for all the micro tiles of the row block, which then find it
 * in L1/L2; without K blocks, a large K (3 panels of K x 16 bytes beyond
 * L2) would fetch it from memory once per micro tile. The partial sums
 * wait in acc between K blocks.
 */
#define RB 64
#ifndef A5_KC
#define A5_KC 1024
#endif

static void a5_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
		    uint32_t p0, uint32_t p1)
{
	const struct qa1e_gemm *g = &ga->g;
	const bool sgn = g->a_signed != 0;
	struct a5_panel pp[NR];
	__m512i acc[RB * NR];
	int32_t rs_buf[256];
	int32_t *rs = rs_buf;
	uint32_t p, r, rb, kb, nkb = (ga->k4 + A5_KC / 4 - 1) / (A5_KC / 4);
	int j, np;

	if (!nkb)
		nkb = 1;
	/* Tiles have at most 256 rows (gemm tiling guarantees it). */
	for (r = m0; r < m1; r++)
		rs[r - m0] = a5_rowsum(ga->a + (uint64_t)r * g->lda, g->k, sgn);

	for (rb = m0; rb < m1; rb += RB) {
		uint32_t rb1 = m1 - rb < RB ? m1 : rb + RB;

		for (p = p0; p < p1; p += (uint32_t)np) {
			np = p1 - p < NR ? (int)(p1 - p) : NR;
			for (kb = 0; kb < nkb; kb++) {
				uint32_t q0 = (uint32_t)((uint64_t)ga->k4 * kb / nkb);
				uint32_t q1 = (uint32_t)((uint64_t)ga->k4 * (kb + 1) / nkb);

				for (r = rb; r < rb1; r += MR) {
					int mr = rb1 - r < MR ? (int)(rb1 - r) : MR;
					__m512i *out = &acc[(r - rb) * NR];

					if (sgn)
						a5_acc_s8(ga, mr, np, r, p, q0, q1, kb == 0, out);
					else
						a5_acc_u8(ga, mr, np, r, p, q0, q1, kb == 0, out);
				}
			}
			for (j = 0; j < np; j++)
				a5_panel_init(ga, p + (uint32_t)j, &pp[j]);
			for (r = rb; r < rb1; r++)
				for (j = 0; j < np; j++)
					a5_finish(ga, &pp[j], acc[(r - rb) * NR + (uint32_t)j],
						  rs[r - m0], ga->c + (uint64_t)r * g->ldc, sgn);
		}
	}
}

/*
 * For the AMX tile (x86_amx.c), which computes exact int32 dot products
 * (no s8 correction) and leaves the rest to this file: the row sums, and
 * the output stage of nrows x np panels of accumulators, row r and panel j
 * at acc[r * ld + 16 * j].
 */
int32_t qa_a5_rowsum(const uint8_t *a, uint32_t k, bool sgn)
{
	return a5_rowsum(a, k, sgn);
}

void qa_a5_epilogue(const struct qa_gemm_args *ga, uint32_t r0, uint32_t nrows,
		    uint32_t p, uint32_t np, const int32_t *acc, uint32_t ld,
		    const int32_t *rs)
{
	struct a5_panel pp[NR];
	uint32_t r, j;

	for (j = 0; j < np; j++)
		a5_panel_init(ga, p + j, &pp[j]);
	for (r = 0; r < nrows; r++)
		for (j = 0; j < np; j++)
			a5_finish(ga, &pp[j], _mm512_loadu_si512(acc + r * ld + 16u * j),
				  rs[r], ga->c + (uint64_t)(r0 + r) * ga->g.ldc, false);
}

const struct qa_gemm_kernel qa_gemm_avx512 = {
	.tile = a5_tile,
	.mr = MR,
	.nr = NR,
};
