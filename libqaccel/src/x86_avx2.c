// SPDX-License-Identifier: MIT
/*
 * AVX2 kernels: quantization and the exact GEMM tile.
 *
 * GEMM without VNNI: VPMADDUBSW would saturate its 16-bit pair sums
 * (255 * 127 * 2 > 32767), so both operands are widened to 16 bits and
 * multiplied with VPMADDWD, whose 32-bit pair sums are exact. Each 16-byte
 * quarter of a packed block (4 channels x 4 k) widens to one ymm; the A
 * row's 4 values, widened, are broadcast to every channel; two partial sums
 * per channel are added at the end.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include "x86_avx2_epi.h"

/* ---- quantization ---- */

static ALWAYS_INLINE __m256i q256(__m256 x, __m256 s, __m256 zp, __m256 qmin, __m256 qmax)
{
	__m256 v = _mm256_div_ps(x, s);
	__m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
	__m256 f = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);

	f = _mm256_add_ps(f, zp);
	f = _mm256_max_ps(f, qmin);
	f = _mm256_min_ps(f, qmax);
	f = _mm256_blendv_ps(f, zp, nan);
	return _mm256_cvtps_epi32(f);
}

/* 32 lanes holding values within the output type to 32 bytes, in order. */
static ALWAYS_INLINE __m256i pack32(__m256i a, __m256i b, __m256i c, __m256i d, bool sgn)
{
	__m256i ab = _mm256_packs_epi32(a, b);
	__m256i cd = _mm256_packs_epi32(c, d);
	__m256i v = sgn ? _mm256_packs_epi16(ab, cd) : _mm256_packus_epi16(ab, cd);

	return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

static void a2_quant(const float *x, uint8_t *y, size_t n, float scale, float zp,
		     float qmin, float qmax)
{
	const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zp);
	const __m256 lo = _mm256_set1_ps(qmin), hi = _mm256_set1_ps(qmax);
	const bool sgn = qmin < 0.0f;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		__m256i q0 = q256(_mm256_loadu_ps(x + i), s, z, lo, hi);
		__m256i q1 = q256(_mm256_loadu_ps(x + i + 8), s, z, lo, hi);
		__m256i q2 = q256(_mm256_loadu_ps(x + i + 16), s, z, lo, hi);
		__m256i q3 = q256(_mm256_loadu_ps(x + i + 24), s, z, lo, hi);

		_mm256_storeu_si256((__m256i *)(y + i),
				    sgn ? pack32(q0, q1, q2, q3, true) :
				    pack32(q0, q1, q2, q3, false));
	}
	for (; i < n; i++)
		y[i] = (uint8_t)qa_quant1(x[i], scale, zp, qmin, qmax);
}

static void a2_quant_vec(const float *x, uint8_t *y, size_t n, const float *scale,
			 const int32_t *zp, float qmin, float qmax)
{
	const __m256 lo = _mm256_set1_ps(qmin), hi = _mm256_set1_ps(qmax);
	const bool sgn = qmin < 0.0f;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		__m256i q[4];
		int j;

		for (j = 0; j < 4; j++) {
			__m256 z = zp ? _mm256_cvtepi32_ps(_mm256_loadu_si256(
						(const __m256i *)(zp + i + 8 * j))) :
				_mm256_setzero_ps();

			q[j] = q256(_mm256_loadu_ps(x + i + 8 * j),
				    _mm256_loadu_ps(scale + i + 8 * j), z, lo, hi);
		}
		_mm256_storeu_si256((__m256i *)(y + i),
				    sgn ? pack32(q[0], q[1], q[2], q[3], true) :
				    pack32(q[0], q[1], q[2], q[3], false));
	}
	for (; i < n; i++)
		y[i] = (uint8_t)qa_quant1(x[i], scale[i], zp ? (float)zp[i] : 0.0f, qmin, qmax);
}

static ALWAYS_INLINE __m256i widen256(const uint8_t *p, bool sgn)
{
	__m128i b = _mm_loadl_epi64((const __m128i *)p);

	return sgn ? _mm256_cvtepi8_epi32(b) : _mm256_cvtepu8_epi32(b);
}

static void a2_dequant(const uint8_t *x, float *y, size_t n, float scale, int32_t zp,
		       bool sgn)
{
	const __m256 s = _mm256_set1_ps(scale);
	const __m256i z = _mm256_set1_epi32(zp);
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m256i v = _mm256_sub_epi32(widen256(x + i, sgn), z);

		_mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_cvtepi32_ps(v), s));
	}
	for (; i < n; i++)
		y[i] = (float)((sgn ? (int32_t)(int8_t)x[i] : (int32_t)x[i]) - zp) * scale;
}

static void a2_dequant_vec(const uint8_t *x, float *y, size_t n, const float *scale,
			   const int32_t *zp, bool sgn)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m256i v = widen256(x + i, sgn);

		if (zp)
			v = _mm256_sub_epi32(v, _mm256_loadu_si256((const __m256i *)(zp + i)));
		_mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_cvtepi32_ps(v),
						      _mm256_loadu_ps(scale + i)));
	}
	for (; i < n; i++)
		y[i] = (float)((sgn ? (int32_t)(int8_t)x[i] : (int32_t)x[i]) -
			       (zp ? zp[i] : 0)) * scale[i];
}

static bool a2_minmax(const float *x, size_t n, float *mn, float *mx)
{
	__m256 lo = _mm256_set1_ps(__builtin_inff()), hi = _mm256_set1_ps(-__builtin_inff());
	__m256 bad = _mm256_setzero_ps();
	const __m256 zero = _mm256_setzero_ps();
	float l[8], h[8], rl, rh;
	size_t i = 0;
	int j;

	for (; i + 8 <= n; i += 8) {
		__m256 v = _mm256_loadu_ps(x + i);

		/* v * 0 is 0 exactly when v is finite */
		bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_mul_ps(v, zero), zero, _CMP_NEQ_UQ));
		lo = _mm256_min_ps(lo, v);
		hi = _mm256_max_ps(hi, v);
	}
	if (_mm256_movemask_ps(bad))
		return false;
	_mm256_storeu_ps(l, lo);
	_mm256_storeu_ps(h, hi);
	rl = l[0];
	rh = h[0];
	for (j = 1; j < 8; j++) {
		rl = l[j] < rl ? l[j] : rl;
		rh = h[j] > rh ? h[j] : rh;
	}
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

const struct qa_quant_ops qa_quant_avx2 = {
	.quant = a2_quant,
	.quant_vec = a2_quant_vec,
	.dequant = a2_dequant,
	.dequant_vec = a2_dequant_vec,
	.minmax = a2_minmax,
};

/* ---- GEMM ---- */

#define MR 2

static ALWAYS_INLINE __m256i a4w(uint32_t a4, bool sgn)
{
	__m128i b = _mm_cvtsi32_si128((int)a4);

	b = sgn ? _mm_cvtepi8_epi16(b) : _mm_cvtepu8_epi16(b);
	return _mm256_broadcastq_epi64(b);
}

/* Sum the two partial sums per channel: 4 accumulators -> 16 channels. */
static ALWAYS_INLINE __m256i pairsum(__m256i x, __m256i y)
{
	return _mm256_permute4x64_epi64(_mm256_hadd_epi32(x, y), 0xd8);
}

static ALWAYS_INLINE void a2_micro(const struct qa_gemm_args *ga, const int mr, const bool sgn,
				   uint32_t r0, uint32_t p, const struct a2_panel *pp,
				   const int32_t *rowsum)
{
	const struct qa1e_gemm *g = &ga->g;
	const uint8_t *w = ga->packed + (uint64_t)p * ga->pstride;
	const uint8_t *a = ga->a + (uint64_t)r0 * g->lda;
	const size_t lda = g->lda;
	const uint32_t kf4 = ga->kfull / 4u;
	__m256i acc[MR][4];
	uint32_t kk;
	int r, q;

	for (r = 0; r < mr; r++)
		for (q = 0; q < 4; q++)
			acc[r][q] = _mm256_setzero_si256();

	for (kk = 0; kk <= kf4; kk++) {
		__m256i av[MR];

		if (kk == kf4) {
			if (ga->kfull == g->k)
				break;
			for (r = 0; r < mr; r++)
				av[r] = a4w(qa_tail4(a + r * lda, ga), sgn);
		} else {
			for (r = 0; r < mr; r++)
				av[r] = a4w((uint32_t)qa_ld32(a + r * lda + 4u * kk), sgn);
		}
#pragma GCC unroll 4
		for (q = 0; q < 4; q++) {
			__m256i wq = _mm256_cvtepi8_epi16(_mm_loadu_si128(
					(const __m128i *)(w + 64u * kk + 16u * (uint32_t)q)));

			for (r = 0; r < mr; r++)
				acc[r][q] = _mm256_add_epi32(acc[r][q], _mm256_madd_epi16(wq, av[r]));
		}
	}
	for (r = 0; r < mr; r++)
		a2_finish(ga, pp, pairsum(acc[r][0], acc[r][1]), pairsum(acc[r][2], acc[r][3]),
			  rowsum[r], ga->c + (uint64_t)(r0 + r) * g->ldc);
}

static void a2_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
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
			bool two = m1 - r >= 2;

			if (sgn) {
				if (two)
					a2_micro(ga, 2, true, r, p, &pp, rs + (r - m0));
				else
					a2_micro(ga, 1, true, r, p, &pp, rs + (r - m0));
			} else {
				if (two)
					a2_micro(ga, 2, false, r, p, &pp, rs + (r - m0));
				else
					a2_micro(ga, 1, false, r, p, &pp, rs + (r - m0));
			}
		}
	}
}

const struct qa_gemm_kernel qa_gemm_avx2 = {
	.tile = a2_tile,
	.mr = MR,
	.nr = 1,
};
