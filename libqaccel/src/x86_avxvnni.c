// SPDX-License-Identifier: MIT
/*
 * AVX-VNNI GEMM tile: the VEX-encoded VPDPBUSD on 256 bits. A 64-byte
 * packed block is two ymm operands (channels 0-7 and 8-15). Signedness is
 * handled as in the AVX-512 tile: u8 A is the unsigned operand; for s8 A the
 * weights are made unsigned (w + 128) and 128 * rowsum is subtracted.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include "x86_avx2_epi.h"

#define MR 6

static ALWAYS_INLINE __m256i dp(__m256i acc, __m256i u, __m256i s)
{
	return _mm256_dpbusd_avx_epi32(acc, u, s);
}

static ALWAYS_INLINE void av_micro(const struct qa_gemm_args *ga, const int mr, const bool sgn,
				   uint32_t r0, uint32_t p, const struct a2_panel *pp,
				   const int32_t *rowsum)
{
	const struct qa1e_gemm *g = &ga->g;
	const uint8_t *w = ga->packed + (uint64_t)p * ga->pstride;
	const uint8_t *a = ga->a + (uint64_t)r0 * g->lda;
	const size_t lda = g->lda;
	const uint32_t kf4 = ga->kfull / 4u;
	const __m256i flip = _mm256_set1_epi8((char)0x80);
	__m256i acc[MR][2];
	uint32_t kk;
	int r;

#pragma GCC unroll 6
	for (r = 0; r < mr; r++)
		acc[r][0] = acc[r][1] = _mm256_setzero_si256();

	for (kk = 0; kk < kf4; kk++) {
		__m256i w0 = _mm256_loadu_si256((const __m256i *)(w + 64u * kk));
		__m256i w1 = _mm256_loadu_si256((const __m256i *)(w + 64u * kk + 32u));

		if (sgn) {
			w0 = _mm256_xor_si256(w0, flip);
			w1 = _mm256_xor_si256(w1, flip);
		}
#pragma GCC unroll 6
		for (r = 0; r < mr; r++) {
			__m256i av = _mm256_set1_epi32(qa_ld32(a + r * lda + 4u * kk));

			if (sgn) {
				acc[r][0] = dp(acc[r][0], w0, av);
				acc[r][1] = dp(acc[r][1], w1, av);
			} else {
				acc[r][0] = dp(acc[r][0], av, w0);
				acc[r][1] = dp(acc[r][1], av, w1);
			}
		}
	}
	if (ga->kfull < g->k) {
		__m256i w0 = _mm256_loadu_si256((const __m256i *)(w + 64u * kf4));
		__m256i w1 = _mm256_loadu_si256((const __m256i *)(w + 64u * kf4 + 32u));

		if (sgn) {
			w0 = _mm256_xor_si256(w0, flip);
			w1 = _mm256_xor_si256(w1, flip);
		}
#pragma GCC unroll 6
		for (r = 0; r < mr; r++) {
			__m256i av = _mm256_set1_epi32((int32_t)qa_tail4(a + r * lda, ga));

			if (sgn) {
				acc[r][0] = dp(acc[r][0], w0, av);
				acc[r][1] = dp(acc[r][1], w1, av);
			} else {
				acc[r][0] = dp(acc[r][0], av, w0);
				acc[r][1] = dp(acc[r][1], av, w1);
			}
		}
	}
#pragma GCC unroll 6
	for (r = 0; r < mr; r++) {
		if (sgn) {
			__m256i corr = _mm256_set1_epi32((int32_t)((uint32_t)rowsum[r] << 7));

			acc[r][0] = _mm256_sub_epi32(acc[r][0], corr);
			acc[r][1] = _mm256_sub_epi32(acc[r][1], corr);
		}
		a2_finish(ga, pp, acc[r][0], acc[r][1], rowsum[r],
			  ga->c + (uint64_t)(r0 + r) * g->ldc);
	}
}

#define AV_CASES(SGN)								\
	switch (mr) {								\
	case 1: av_micro(ga, 1, SGN, r, p, &pp, rs + (r - m0)); break;		\
	case 2: av_micro(ga, 2, SGN, r, p, &pp, rs + (r - m0)); break;		\
	case 3: av_micro(ga, 3, SGN, r, p, &pp, rs + (r - m0)); break;		\
	case 4: av_micro(ga, 4, SGN, r, p, &pp, rs + (r - m0)); break;		\
	case 5: av_micro(ga, 5, SGN, r, p, &pp, rs + (r - m0)); break;		\
	default: av_micro(ga, 6, SGN, r, p, &pp, rs + (r - m0)); break;		\
	}

static void av_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
		    uint32_t p0, uint32_t p1)
{
	const struct qa1e_gemm *g = &ga->g;
	const bool sgn = g->a_signed != 0;
	struct a2_panel pp;
	int32_t rs[256];
	uint32_t p, r;

	for (r = m0; r < m1; r++)
		rs[r - m0] = qa_rowsum(ga->a + (uint64_t)r * g->lda, g->k, sgn);
	for (p = p0; p < p1; p++) {
		a2_panel_init(ga, p, &pp);
		for (r = m0; r < m1; r += MR) {
			int mr = m1 - r < MR ? (int)(m1 - r) : MR;

			if (sgn) {
				AV_CASES(true);
			} else {
				AV_CASES(false);
			}
		}
	}
}

const struct qa_gemm_kernel qa_gemm_avxvnni = {
	.tile = av_tile,
	.mr = MR,
	.nr = 1,
};
