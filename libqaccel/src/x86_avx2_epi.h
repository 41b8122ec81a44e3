/* SPDX-License-Identifier: MIT */
/*
 * AVX2 output stage shared by the AVX2 and AVX-VNNI GEMM tiles: the
 * zero-point expansion, bias and requantization on 8 lanes, bit-exact with
 * qa1e_panel_acc() and qa1e_requant(). Included by x86_avx2.c and
 * x86_avxvnni.c only (needs AVX2 code generation).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_X86_AVX2_EPI_H
#define QACCEL_X86_AVX2_EPI_H

#include <immintrin.h>

#include "gemm.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE __m256i rq256(__m256i acc, __m256i mult, __m256i shift,
				   __m256i lo, __m256i hi, __m256i zp)
{
	const __m256i imax = _mm256_set1_epi32(INT32_MAX), imin = _mm256_set1_epi32(INT32_MIN);
	const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
	__m256i left, right, x, ev, od, res, mask, rem, thr, q, sat;

	shift = _mm256_max_epi32(_mm256_min_epi32(shift, _mm256_set1_epi32(30)),
				 _mm256_set1_epi32(-31));
	left = _mm256_max_epi32(shift, zero);
	right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);

	x = _mm256_sllv_epi32(acc, left);
	x = _mm256_blendv_epi8(x, imax, _mm256_cmpgt_epi32(acc, _mm256_srav_epi32(imax, left)));
	x = _mm256_blendv_epi8(x, imin, _mm256_cmpgt_epi32(_mm256_srav_epi32(imin, left), acc));

	ev = _mm256_add_epi64(_mm256_mul_epi32(x, mult), _mm256_set1_epi64x(1ll << 30));
	od = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32),
					       _mm256_srli_epi64(mult, 32)),
			      _mm256_set1_epi64x(1ll << 30));
	ev = _mm256_srli_epi64(ev, 31);
	od = _mm256_slli_epi64(od, 1);
	res = _mm256_blend_epi32(ev, od, 0xaa);
	sat = _mm256_and_si256(_mm256_cmpeq_epi32(x, imin), _mm256_cmpeq_epi32(mult, imin));
	res = _mm256_blendv_epi8(res, imax, sat);

	mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
	rem = _mm256_and_si256(res, mask);
	thr = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), _mm256_srai_epi32(res, 31));
	q = _mm256_srav_epi32(res, right);
	q = _mm256_sub_epi32(q, _mm256_cmpgt_epi32(rem, thr));

	q = _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
	return _mm256_add_epi32(q, zp);
}

/* Per-panel constants for 16 channels as two halves of 8. */
struct a2_panel {
	__m256i cterm[2];	/* bias - a_zp * colsum + K * a_zp * wzp */
	__m256i wzp[2];
	__m256i mult[2];
	__m256i shift[2];
	uint32_t n0;
	uint32_t count;		/* channels < N in this panel */
};

static ALWAYS_INLINE void a2_panel_init(const struct qa_gemm_args *ga, uint32_t p,
				       struct a2_panel *pp)
{
	const struct qa1e_gemm *g = &ga->g;
	const __m256i azp = _mm256_set1_epi32(g->a_zp);
	const __m256i kazp = _mm256_set1_epi32((int32_t)(g->k * (uint32_t)g->a_zp));
	int h;

	for (h = 0; h < 2; h++) {
		uint32_t off = 64u * p + 32u * (uint32_t)h;
		__m256i bias = _mm256_loadu_si256((const __m256i *)(ga->bias + off));
		__m256i colsum = _mm256_loadu_si256((const __m256i *)(ga->colsum + off));

		pp->wzp[h] = _mm256_loadu_si256((const __m256i *)(ga->wzp + off));
		pp->mult[h] = _mm256_loadu_si256((const __m256i *)(ga->mult + off));
		pp->shift[h] = _mm256_loadu_si256((const __m256i *)(ga->shift + off));
		pp->cterm[h] = _mm256_add_epi32(_mm256_sub_epi32(bias,
								 _mm256_mullo_epi32(azp, colsum)),
						_mm256_mullo_epi32(kazp, pp->wzp[h]));
	}
	pp->n0 = p * 16u;
	pp->count = g->n - pp->n0 < 16u ? g->n - pp->n0 : 16u;
}

/*
 * Finish 16 channels of one row: dot products in d[0] (channels 0-7) and
 * d[1] (8-15), already exact (any signedness correction done).
 */
static ALWAYS_INLINE void a2_finish(const struct qa_gemm_args *ga, const struct a2_panel *pp,
				    __m256i d0, __m256i d1, int32_t rowsum, uint8_t *c_row)
{
	const struct qa1e_gemm *g = &ga->g;
	const __m256i rsv = _mm256_set1_epi32(rowsum);
	__m256i v[2];
	int h;

	v[0] = d0;
	v[1] = d1;
	for (h = 0; h < 2; h++) {
		v[h] = _mm256_add_epi32(v[h], pp->cterm[h]);
		v[h] = _mm256_sub_epi32(v[h], _mm256_mullo_epi32(pp->wzp[h], rsv));
	}
	if (g->out_type == QA1E_OUT_S32) {
		if (pp->count == 16) {
			_mm256_storeu_si256((__m256i *)(c_row + 4u * pp->n0), v[0]);
			_mm256_storeu_si256((__m256i *)(c_row + 4u * pp->n0 + 32u), v[1]);
		} else {
			int32_t t[16];

			_mm256_storeu_si256((__m256i *)t, v[0]);
			_mm256_storeu_si256((__m256i *)(t + 8), v[1]);
			memcpy(c_row + 4u * pp->n0, t, 4u * pp->count);
		}
	} else {
		const __m256i lo = _mm256_set1_epi32(g->act_min - g->out_zp);
		const __m256i hi = _mm256_set1_epi32(g->act_max - g->out_zp);
		const __m256i zp = _mm256_set1_epi32(g->out_zp);
		__m256i q0 = rq256(v[0], pp->mult[0], pp->shift[0], lo, hi, zp);
		__m256i q1 = rq256(v[1], pp->mult[1], pp->shift[1], lo, hi, zp);
		/* Low byte of each lane (values are within -128..255). */
		const __m256i pick = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1,
						      -1, -1, -1, -1, -1, -1, -1, -1,
						      0, 4, 8, 12, -1, -1, -1, -1,
						      -1, -1, -1, -1, -1, -1, -1, -1);
		__m256i b0 = _mm256_shuffle_epi8(q0, pick);
		__m256i b1 = _mm256_shuffle_epi8(q1, pick);
		__m128i lo8 = _mm_unpacklo_epi32(_mm256_castsi256_si128(b0),
						 _mm256_extracti128_si256(b0, 1));
		__m128i hi8 = _mm_unpacklo_epi32(_mm256_castsi256_si128(b1),
						 _mm256_extracti128_si256(b1, 1));
		__m128i all = _mm_unpacklo_epi64(lo8, hi8);

		if (pp->count == 16) {
			_mm_storeu_si128((__m128i *)(c_row + pp->n0), all);
		} else {
			uint8_t t[16];

			_mm_storeu_si128((__m128i *)t, all);
			memcpy(c_row + pp->n0, t, pp->count);
		}
	}
}

#endif /* QACCEL_X86_AVX2_EPI_H */
