// SPDX-License-Identifier: MIT
/*
 * Intel AMX-INT8 GEMM tile (x86-64 only). Compiled with AVX-512 and AMX
 * code generation; only called after run-time detection, which also asked
 * Linux for the process's permission to use the tile data (isa.c).
 *
 * The packed layout already is the AMX B operand: a panel's 16 consecutive
 * 64-byte blocks (16 channels x 4 k each) are one 16-row x 64-byte tile
 * with a 64-byte stride, row q holding k 4q..4q+3 of the 16 channels, which
 * is what TDPBUSD/TDPBSSD expect (C[m][n] += sum over j of A[m][4q + j] *
 * B[q][4n + j]). TDPBUSD takes A unsigned and TDPBSSD signed, both with
 * s8 weights, so the dot product is exact for both types of A, and it wraps
 * modulo 2^32 like the engine. The row sums and the output stage (zero
 * points, bias, requantization, stores) are the AVX-512 kernel's own
 * (qa_a5_rowsum(), qa_a5_epilogue()), so the output is the same bit for bit.
 *
 * Blocking: 32 rows x 2 panels at a time, in the eight tiles: C in tmm0-3
 * (rows 16r.., panel j in tmm(2r + j)), A in tmm4/5, B in tmm6/7; every K
 * step is 2 + 2 loads for 4 TDPB* of 16 x 16 x 64. A last block of 16 rows
 * or a last single panel uses the same code with the tiles it needs.
 *
 * The 32 rows of A are first copied, once for all the panels of the tile,
 * into a heap buffer of K blocks of 32 rows x 64 bytes, so that A tiles
 * load 1 KiB of consecutive bytes (stride 64) instead of 16 rows lda
 * apart, and K is walked in chunks of 8 blocks (512 bytes, 16 KiB of the
 * copy, which stays in L1 while all the tile's panels pass by); each pair
 * of panels keeps its accumulators in a 4 KiB slot of the same buffer
 * between chunks (TILESTORED / TILELOADD). Reading the weights is then the
 * only stream from L2. The copy of the last block is zero padded beyond K
 * (including a partial group of 4), and so is a copy of each panel's last
 * weight block, so no load goes past the end of A or of the weights. Rows
 * of the tile beyond a multiple of 16 (M tails, small M) go to the AVX-512
 * tile, which gives the same results, and so does the whole tile if the
 * buffer cannot be allocated.
 *
 * Tile state: every call configures the tiles (LDTILECFG, all eight 16 x
 * 64 bytes) and releases them (TILERELEASE) before it returns, so worker
 * threads and the caller's thread never keep AMX state between tiles and
 * need no per-thread flag.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <immintrin.h>
#include <stdlib.h>

#include "gemm.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * The tile instructions in asm with a memory clobber: GCC 12's intrinsics
 * tell the compiler neither that TILELOADD reads memory nor that LDTILECFG
 * reads all 64 bytes of the configuration.
 */
#define AMX_LOAD(t, base, stride)					\
	__asm__ volatile("tileloadd (%0,%1,1), %%tmm" #t		\
			 : : "r"(base), "r"((long)(stride)) : "memory")
#define AMX_STORE(t, base, stride)					\
	__asm__ volatile("tilestored %%tmm" #t ", (%0,%1,1)"		\
			 : : "r"(base), "r"((long)(stride)) : "memory")
#define AMX_ZERO(t) __asm__ volatile("tilezero %%tmm" #t ::: "memory")
#define AMX_DP(sgn, c, a, b)						\
	do {								\
		if (sgn)						\
			__asm__ volatile("tdpbssd %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::: "memory"); \
		else							\
			__asm__ volatile("tdpbusd %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::: "memory"); \
	} while (0)

struct amx_cfg {
	uint8_t palette;
	uint8_t start_row;
	uint8_t reserved[14];
	uint16_t colsb[16];
	uint8_t rows[16];
};

_Static_assert(sizeof(struct amx_cfg) == 64, "tile configuration is 64 bytes");

static void amx_config(void)
{
	struct amx_cfg cfg __attribute__((aligned(64)));
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.palette = 1;
	for (i = 0; i < 8; i++) {
		cfg.colsb[i] = 64;
		cfg.rows[i] = 16;
	}
	__asm__ volatile("ldtilecfg %0" : : "m"(cfg) : "memory");
}

static void amx_release(void)
{
	__asm__ volatile("tilerelease" ::: "memory");
}

/* The staged K tail of 2 panels of B, zero padded. */
struct amx_tail {
	uint8_t b[2 * 1024] __attribute__((aligned(64)));
};

/* A K chunk: the whole blocks [kb0, kb1), then the tail block if tail. */
struct amx_chunk {
	uint32_t kb0, kb1;
	bool tail;	/* the zero-padded last block (kb1 is its index) */
	bool first;	/* start from zero, else from acc */
};

/*
 * The 16 * NA rows of the copy pa by NB panels from p over the chunk c into
 * acc[32 x 32] (row r, channel 16j + n at acc[32r + 16j + n]), adding to
 * acc unless it is the first chunk. The weight blocks come straight from
 * the packed block, the tail from t.
 */
static ALWAYS_INLINE void amx_block(const struct qa_gemm_args *ga, int na, int nb, bool sgn,
				    const uint8_t *pa, uint32_t p, const struct amx_chunk *c,
				    const struct amx_tail *t, int32_t *acc)
{
	const uint64_t ps = ga->pstride;
	const uint8_t *a = pa + 2048u * (uint64_t)c->kb0;
	const uint8_t *w = ga->packed + (uint64_t)p * ps + 1024u * (uint64_t)c->kb0;
	uint32_t kb;

	if (c->first) {
		AMX_ZERO(0);
		if (nb > 1)
			AMX_ZERO(1);
		if (na > 1) {
			AMX_ZERO(2);
			if (nb > 1)
				AMX_ZERO(3);
		}
	} else {
		AMX_LOAD(0, acc, 128);
		if (nb > 1)
			AMX_LOAD(1, acc + 16, 128);
		if (na > 1) {
			AMX_LOAD(2, acc + 512, 128);
			if (nb > 1)
				AMX_LOAD(3, acc + 528, 128);
		}
	}
	for (kb = c->kb0; kb < c->kb1; kb++) {
		AMX_LOAD(4, a, 64);
		AMX_LOAD(6, w, 64);
		AMX_DP(sgn, 0, 4, 6);
		if (nb > 1) {
			AMX_LOAD(7, w + ps, 64);
			AMX_DP(sgn, 1, 4, 7);
		}
		if (na > 1) {
			AMX_LOAD(5, a + 1024, 64);
			AMX_DP(sgn, 2, 5, 6);
			if (nb > 1)
				AMX_DP(sgn, 3, 5, 7);
		}
		a += 2048;
		w += 1024;
	}
	if (c->tail) {
		AMX_LOAD(4, a, 64);
		AMX_LOAD(6, t->b, 64);
		AMX_DP(sgn, 0, 4, 6);
		if (nb > 1) {
			AMX_LOAD(7, t->b + 1024, 64);
			AMX_DP(sgn, 1, 4, 7);
		}
		if (na > 1) {
			AMX_LOAD(5, a + 1024, 64);
			AMX_DP(sgn, 2, 5, 6);
			if (nb > 1)
				AMX_DP(sgn, 3, 5, 7);
		}
	}
	AMX_STORE(0, acc, 128);
	if (nb > 1)
		AMX_STORE(1, acc + 16, 128);
	if (na > 1) {
		AMX_STORE(2, acc + 512, 128);
		if (nb > 1)
			AMX_STORE(3, acc + 528, 128);
	}
}

static void amx_block_u8(const struct qa_gemm_args *ga, int na, int nb, const uint8_t *pa,
			 uint32_t p, const struct amx_chunk *c, const struct amx_tail *t,
			 int32_t *acc)
{
	if (na > 1 && nb > 1)
		amx_block(ga, 2, 2, false, pa, p, c, t, acc);
	else if (na > 1)
		amx_block(ga, 2, 1, false, pa, p, c, t, acc);
	else if (nb > 1)
		amx_block(ga, 1, 2, false, pa, p, c, t, acc);
	else
		amx_block(ga, 1, 1, false, pa, p, c, t, acc);
}

static void amx_block_s8(const struct qa_gemm_args *ga, int na, int nb, const uint8_t *pa,
			 uint32_t p, const struct amx_chunk *c, const struct amx_tail *t,
			 int32_t *acc)
{
	if (na > 1 && nb > 1)
		amx_block(ga, 2, 2, true, pa, p, c, t, acc);
	else if (na > 1)
		amx_block(ga, 2, 1, true, pa, p, c, t, acc);
	else if (nb > 1)
		amx_block(ga, 1, 2, true, pa, p, c, t, acc);
	else
		amx_block(ga, 1, 1, true, pa, p, c, t, acc);
}

/*
 * Copy nrows (16 or 32) rows of A from row r into pa: block kb (64 bytes of
 * K) of row i at pa[2048 kb + 64 i], the last block zero padded beyond K.
 */
static void amx_pack_a(const struct qa_gemm_args *ga, uint32_t r, uint32_t nrows,
		       uint32_t kf, uint32_t krem, uint8_t *pa)
{
	uint32_t i, kb;

	for (i = 0; i < nrows; i++) {
		const uint8_t *src = ga->a + (uint64_t)(r + i) * ga->g.lda;
		uint8_t *dst = pa + 64u * i;

		for (kb = 0; kb < kf; kb++)
			_mm512_store_si512(dst + 2048u * kb, _mm512_loadu_si512(src + 64u * kb));
		if (krem) {
			__mmask64 m = ((__mmask64)1 << krem) - 1;

			_mm512_store_si512(dst + 2048u * kf,
					   _mm512_maskz_loadu_epi8(m, src + 64u * kf));
		}
	}
}

/*
 * K chunks of AMX_KCB blocks (32 rows x 512 bytes of the copy of A, 16 KiB,
 * stay in L1 while all the panels of the tile pass by); the accumulators
 * of each pair of panels wait in their own 4 KiB slot between chunks.
 */
#ifndef AMX_KCB
#define AMX_KCB 8u
#endif

static void amx_tile(const struct qa_gemm_args *ga, uint32_t m0, uint32_t m1,
		     uint32_t p0, uint32_t p1)
{
	const struct qa1e_gemm *g = &ga->g;
	const bool sgn = g->a_signed != 0;
	const uint32_t kf = g->k / 64u, krem = g->k % 64u, npairs = (p1 - p0 + 1u) / 2u;
	uint32_t mamx = m0 + (m1 - m0) / 16u * 16u;
	int32_t rs[32];
	struct amx_tail t;
	struct amx_chunk c;
	uint8_t *pa = NULL;
	int32_t *accs;
	uint32_t r, p, i, kb;

	/* the copy of A, then the accumulator slots */
	if (mamx > m0)
		pa = aligned_alloc(64, (size_t)(kf + 1u) * 2048u + (size_t)npairs * 4096u);
	if (!pa)
		mamx = m0;
	accs = (int32_t *)(void *)(pa + (size_t)(kf + 1u) * 2048u);
	if (mamx > m0) {
		amx_config();
		for (r = m0; r < mamx; r += 32u) {
			uint32_t nrows = mamx - r < 32u ? 16u : 32u;
			int na = (int)(nrows / 16u);

			for (i = 0; i < nrows; i++)
				rs[i] = qa_a5_rowsum(ga->a + (uint64_t)(r + i) * g->lda, g->k, sgn);
			amx_pack_a(ga, r, nrows, kf, krem, pa);
			for (kb = 0; kb < kf || (kb == kf && krem); kb = c.kb1 + c.tail) {
				c.kb0 = kb;
				c.kb1 = kf - kb < AMX_KCB ? kf : kb + AMX_KCB;
				c.tail = c.kb1 == kf && krem;
				c.first = kb == 0;
				for (p = p0; p < p1; p += 2u) {
					int32_t *acc = accs + 1024u * ((p - p0) / 2u);
					int nb = p1 - p < 2u ? 1 : 2;
					int j;

					if (c.tail) {
						/* groups of 4 [16 kf, k4) of each panel, zero padded */
						size_t bytes = (size_t)(ga->k4 - 16u * kf) * 64u;

						for (j = 0; j < nb; j++) {
							const uint8_t *src = ga->packed +
								(uint64_t)(p + (uint32_t)j) * ga->pstride +
								(uint64_t)kf * 1024u;

							memcpy(t.b + 1024 * j, src, bytes);
							memset(t.b + 1024 * j + bytes, 0, 1024 - bytes);
						}
					}
					if (sgn)
						amx_block_s8(ga, na, nb, pa, p, &c, &t, acc);
					else
						amx_block_u8(ga, na, nb, pa, p, &c, &t, acc);
				}
			}
			for (p = p0; p < p1; p += 2u)
				qa_a5_epilogue(ga, r, nrows, p, p1 - p < 2u ? 1u : 2u,
					       accs + 1024u * ((p - p0) / 2u), 32, rs);
		}
		amx_release();
	}
	free(pa);
	if (mamx < m1)
		qa_gemm_avx512.tile(ga, mamx, m1, p0, p1);
}

const struct qa_gemm_kernel qa_gemm_amx = {
	.tile = amx_tile,
	.mr = 32,
	.nr = 2,
};
