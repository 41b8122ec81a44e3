// SPDX-License-Identifier: MIT
/*
 * CPU backend GEMM: kernel selection, the scalar tile (built on the
 * reference engine's own panel routines) and the job tiling.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include "gemm.h"

void qa_gemm_args_init(struct qa_gemm_args *ga, const struct qa1e_gemm *g,
		       const uint8_t *a, const uint8_t *packed, uint8_t *c)
{
	ga->g = *g;
	ga->a = a;
	ga->packed = packed;
	ga->c = c;
	ga->bias = packed + qa1e_off_bias(g->n, g->k);
	ga->colsum = packed + qa1e_off_colsum(g->n, g->k);
	ga->wzp = packed + qa1e_off_wzp(g->n, g->k);
	ga->mult = packed + qa1e_off_mult(g->n, g->k);
	ga->shift = packed + qa1e_off_shift(g->n, g->k);
	ga->k4 = qa1e_k4(g->k);
	ga->kfull = g->k & ~3u;
	ga->pstride = (uint64_t)ga->k4 * 64u;
}

static void qa_load16(int32_t *dst, const uint8_t *src)
{
	memcpy(dst, src, 64);
}

static void sc_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
		    uint32_t p0, uint32_t p1)
{
	const struct qa1e_gemm *g = &ga->g;
	int32_t bias[16], colsum[16], wzp[16], mult[16], shift[16], acc[16];
	uint32_t p, r;

	for (p = p0; p < p1; p++) {
		uint32_t n0 = p * 16u;
		uint32_t count = g->n - n0 < 16u ? g->n - n0 : 16u;

		qa_load16(bias, ga->bias + 64u * p);
		qa_load16(colsum, ga->colsum + 64u * p);
		qa_load16(wzp, ga->wzp + 64u * p);
		qa_load16(mult, ga->mult + 64u * p);
		qa_load16(shift, ga->shift + 64u * p);
		for (r = m0; r < m1; r++) {
			const uint8_t *a_row = ga->a + (uint64_t)r * g->lda;

			qa1e_panel_acc(g, a_row, qa1e_row_sum(g, a_row),
				       ga->packed + qa1e_panel_offset(g->k, p),
				       colsum, wzp, bias, acc);
			qa1e_store(g, acc, n0, count, mult, shift,
				   ga->c + (uint64_t)r * g->ldc);
		}
	}
}

const struct qa_gemm_kernel qa_gemm_scalar = {
	.tile = sc_tile,
	.mr = 1,
	.nr = 1,
};

const struct qa_gemm_kernel *qa_gemm_kernel_for(enum qaccel_isa isa)
{
	switch (isa) {
#ifdef QACCEL_X86_AMX
	case QACCEL_ISA_AMX_INT8:
		return &qa_gemm_amx;
#endif
#ifdef QACCEL_X86_SIMD
	case QACCEL_ISA_AVX512_VNNI:
		return &qa_gemm_avx512;
	case QACCEL_ISA_AVX_VNNI:
		return &qa_gemm_avxvnni;
	case QACCEL_ISA_AVX2:
		return &qa_gemm_avx2;
#endif
#ifdef QACCEL_NEON
	case QACCEL_ISA_NEON_DOTPROD:
		return &qa_gemm_neon;
#endif
	default:
		return &qa_gemm_scalar;
	}
}
