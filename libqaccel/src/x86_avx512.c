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

/*
 * mr x np micro tile over the whole K: rows r0.., panels p.. (np <= NR).
 * The accumulators are named variables (c<row><panel>), not an array, so
 * that the compiler keeps all of them in registers; mr and np are
 * compile-time constants once inlined, and the unused ones disappear.
 */
#define A5_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define A5_DECL(r)							\
	__m512i c##r##0 = _mm512_setzero_si512();			\
	__m512i c##r##1 = _mm512_setzero_si512();			\
	__m512i c##r##2 = _mm512_setzero_si512();
/*
 * VPDPBUSD through a one-instruction asm: GCC 12 keeps the intrinsic's
 * accumulators in spill slots inside the loop; the asm, which updates its
 * operand in place, lets them stay in registers.
 */
#define A5_DPBUSD(acc, u, s)						\
	__asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s))
/* Row r of A at the current k: two moving bases, rows 0-3 and 4-7. */
#define A5_ROW(r) ((r) < 4 ? alo + ((r) & 3) * lda : ahi + ((r) & 3) * lda)
#define A5_DP(acc, av, wv)						\
	do {								\
		if (sgn)						\
			A5_DPBUSD(acc, wv, av);				\
		else							\
			A5_DPBUSD(acc, av, wv);				\
	} while (0)
#define A5_STEP(r)							\
	if (r < mr) {							\
		__m512i av = _mm512_set1_epi32(qa_ld32(A5_ROW(r)));	\
		A5_DP(c##r##0, av, w0);					\
		if (np > 1)						\
			A5_DP(c##r##1, av, w1);				\
		if (np > 2)						\
			A5_DP(c##r##2, av, w2);				\
	}
#define A5_TAIL(r)							\
	if (r < mr) {							\
		__m512i av = _mm512_set1_epi32((int32_t)qa_tail4_at(A5_ROW(r), ga)); \
		A5_DP(c##r##0, av, w0);					\
		if (np > 1)						\
			A5_DP(c##r##1, av, w1);				\
		if (np > 2)						\
			A5_DP(c##r##2, av, w2);				\
	}
#define A5_OUT(r)							\
	if (r < mr) {							\
		_mm512_store_si512(&out[r * NR + 0], c##r##0);		\
		if (np > 1)						\
			_mm512_store_si512(&out[r * NR + 1], c##r##1);	\
		if (np > 2)						\
			_mm512_store_si512(&out[r * NR + 2], c##r##2);	\
	}

static ALWAYS_INLINE void a5_load_w(const uint8_t *w, uint64_t ps, uint64_t off, const int np,
				    const bool sgn, __m512i *w0, __m512i *w1, __m512i *w2)
{
	const __m512i flip = _mm512_set1_epi8((char)0x80);

	*w0 = _mm512_loadu_si512(w + off);
	if (np > 1)
		*w1 = _mm512_loadu_si512(w + ps + off);
	if (np > 2)
		*w2 = _mm512_loadu_si512(w + 2 * ps + off);
	if (sgn) {
		*w0 = _mm512_xor_si512(*w0, flip);
		if (np > 1)
			*w1 = _mm512_xor_si512(*w1, flip);
		if (np > 2)
			*w2 = _mm512_xor_si512(*w2, flip);
	}
}

static ALWAYS_INLINE void a5_micro(const struct qa_gemm_args *ga, const int mr, const int np,
				   const bool sgn, uint32_t r0, uint32_t p, __m512i *out)
{
	const struct qa1e_gemm *g = &ga->g;
	const uint8_t *w = ga->packed + (uint64_t)p * ga->pstride;
	const uint8_t *a = ga->a + (uint64_t)r0 * g->lda;
	const size_t lda = g->lda;
	const uint64_t ps = ga->pstride;
	const uint32_t kf = ga->kfull;
	__m512i w0, w1 = _mm512_setzero_si512(), w2 = _mm512_setzero_si512();

	const uint8_t *alo = a, *ahi = a + (mr > 4 ? 4 * lda : 0);
	const uint8_t *wend = w + (uint64_t)kf * 16u;

	A5_ROWS(A5_DECL)
	for (; w < wend; w += 64, alo += 4, ahi += 4) {
		a5_load_w(w, ps, 0, np, sgn, &w0, &w1, &w2);
		A5_ROWS(A5_STEP)
	}
	if (kf < g->k) {
		a5_load_w(w, ps, 0, np, sgn, &w0, &w1, &w2);
		A5_ROWS(A5_TAIL)
	}
	A5_ROWS(A5_OUT)
}

#define A5_MICRO_CASES(NP, SGN)							\
	switch (mr) {								\
	case 1: a5_micro(ga, 1, NP, SGN, r0, p, out); break;			\
	case 2: a5_micro(ga, 2, NP, SGN, r0, p, out); break;			\
	case 3: a5_micro(ga, 3, NP, SGN, r0, p, out); break;			\
	case 4: a5_micro(ga, 4, NP, SGN, r0, p, out); break;			\
	case 5: a5_micro(ga, 5, NP, SGN, r0, p, out); break;			\
	case 6: a5_micro(ga, 6, NP, SGN, r0, p, out); break;			\
	case 7: a5_micro(ga, 7, NP, SGN, r0, p, out); break;			\
	default: a5_micro(ga, 8, NP, SGN, r0, p, out); break;			\
	}

/* Accumulate an mr x np micro tile into out[r * NR + j]. */
static void a5_acc_u8(const struct qa_gemm_args *ga, int mr, int np, uint32_t r0,
		      uint32_t p, __m512i *out)
{
	if (np == 3) {
		A5_MICRO_CASES(3, false);
	} else if (np == 2) {
		A5_MICRO_CASES(2, false);
	} else {
		A5_MICRO_CASES(1, false);
	}
}

static void a5_acc_s8(const struct qa_gemm_args *ga, int mr, int np, uint32_t r0,
		      uint32_t p, __m512i *out)
{
	if (np == 3) {
		A5_MICRO_CASES(3, true);
	} else if (np == 2) {
		A5_MICRO_CASES(2, true);
	} else {
		A5_MICRO_CASES(1, true);
	}
}

static void a5_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
		    uint32_t p0, uint32_t p1)
{
	const struct qa1e_gemm *g = &ga->g;
	const bool sgn = g->a_signed != 0;
	struct a5_panel pp[NR];
	__m512i acc[MR * NR];
	int32_t rs_buf[256];
	int32_t *rs = rs_buf;
	uint32_t p, r;
	int j, np;

	/* Tiles have at most 256 rows (gemm tiling guarantees it). */
	for (r = m0; r < m1; r++)
		rs[r - m0] = qa_rowsum(ga->a + (uint64_t)r * g->lda, g->k, sgn);

	for (p = p0; p < p1; p += (uint32_t)np) {
		np = p1 - p < NR ? (int)(p1 - p) : NR;
		for (j = 0; j < np; j++)
			a5_panel_init(ga, p + (uint32_t)j, &pp[j]);
		for (r = m0; r < m1; r += MR) {
			int mr = m1 - r < MR ? (int)(m1 - r) : MR;

			int rr, jj;

			if (sgn)
				a5_acc_s8(ga, mr, np, r, p, acc);
			else
				a5_acc_u8(ga, mr, np, r, p, acc);
			for (rr = 0; rr < mr; rr++)
				for (jj = 0; jj < np; jj++)
					a5_finish(ga, &pp[jj], acc[rr * NR + jj], rs[r - m0 + (uint32_t)rr],
						  ga->c + (uint64_t)(r + (uint32_t)rr) * g->ldc, sgn);
		}
	}
}

const struct qa_gemm_kernel qa_gemm_avx512 = {
	.tile = a5_tile,
	.mr = MR,
	.nr = NR,
};
