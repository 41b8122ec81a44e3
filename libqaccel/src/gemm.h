/* SPDX-License-Identifier: MIT */
/*
 * CPU backend GEMM: shared definitions of the per-ISA tile functions.
 *
 * A job is cut into tiles of rows [m0, m1) x 16-channel panels [p0, p1);
 * each ISA file computes a tile completely: dot products, the zero-point
 * expansion, bias, requantization and the stores, bit-exact with
 * qa1e_gemm(). The packed block's arrays are little-endian, which is the
 * host order on every architecture the backend compiles for.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_GEMM_H
#define QACCEL_GEMM_H

#include <string.h>

#include "internal.h"
#include "qaccel_engine.h"

struct qa_gemm_args {
	struct qa1e_gemm g;
	const uint8_t *a;
	const uint8_t *packed;
	uint8_t *c;
	/* The per-channel arrays inside the packed block (may be unaligned). */
	const uint8_t *bias, *colsum, *wzp, *mult, *shift;
	uint32_t k4;		/* ceil(K / 4) */
	uint32_t kfull;		/* K rounded down to 4 */
	uint64_t pstride;	/* bytes between panels */
};

typedef void (*qa_tile_fn)(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
			   uint32_t p0, uint32_t p1);

struct qa_gemm_kernel {
	qa_tile_fn tile;
	uint32_t mr;		/* rows per micro tile */
	uint32_t nr;		/* panels per micro tile */
};

extern const struct qa_gemm_kernel qa_gemm_scalar;
extern const struct qa_gemm_kernel qa_gemm_avx2;
extern const struct qa_gemm_kernel qa_gemm_avxvnni;
extern const struct qa_gemm_kernel qa_gemm_avx512;
extern const struct qa_gemm_kernel qa_gemm_neon;
extern const struct qa_gemm_kernel qa_gemm_amx;

#ifdef QACCEL_X86_SIMD
/* x86_avx512.c, shared with the AMX tile */
int32_t qa_a5_rowsum(const uint8_t *a, uint32_t k, bool sgn);
void qa_a5_epilogue(const struct qa_gemm_args *ga, uint32_t r0, uint32_t nrows,
		    uint32_t p, uint32_t np, const int32_t *acc, uint32_t ld,
		    const int32_t *rs);
#endif

const struct qa_gemm_kernel *qa_gemm_kernel_for(enum qaccel_isa isa);
void qa_gemm_args_init(struct qa_gemm_args *ga, const struct qa1e_gemm *g,
		       const uint8_t *a, const uint8_t *packed, uint8_t *c);

static inline int32_t qa_ld32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Sum of one row of A as the engine computes it (exact, then mod 2^32). */
static inline int32_t qa_rowsum(const uint8_t *a, uint32_t k, bool sgn)
{
	int64_t s = 0;
	uint32_t i;

	if (sgn) {
		for (i = 0; i < k; i++)
			s += (int8_t)a[i];
	} else {
		for (i = 0; i < k; i++)
			s += a[i];
	}
	return (int32_t)(uint32_t)(uint64_t)s;
}

/* The last, partial group of 4 at p (k - kfull bytes, zero padded). */
static inline uint32_t qa_tail4_at(const uint8_t *p, const struct qa_gemm_args *ga)
{
	uint8_t t[4] = { 0, 0, 0, 0 };

	memcpy(t, p, ga->g.k - ga->kfull);
	return (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
	       (uint32_t)t[3] << 24;
}

/* The last, partial group of 4 of a row (zero padded), as a dword. */
static inline uint32_t qa_tail4(const uint8_t *a_row, const struct qa_gemm_args *ga)
{
	uint8_t t[4] = { 0, 0, 0, 0 };

	memcpy(t, a_row + ga->kfull, ga->g.k - ga->kfull);
	return (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
	       (uint32_t)t[3] << 24;
}

#endif /* QACCEL_GEMM_H */
