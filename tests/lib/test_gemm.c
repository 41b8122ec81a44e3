// SPDX-License-Identifier: MIT
/*
 * CPU backend GEMM: every ISA path the machine supports, with 1, 2 and 3
 * worker threads, bit-exact with the reference engine qa1e_gemm() on
 * randomized shapes, strides, types, zero points, clamp ranges and packed
 * blocks (arbitrary column sums, zero points, multipliers including
 * negative ones, shifts outside [-31, 30]); wrapping accumulation forced
 * with extreme data; bytes outside C untouched. With
 * QACCEL_TEST_BACKEND=device the same cases run once on the device
 * (testutil.h), K kept within the device's limit.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <stdlib.h>

#include "qaccel_engine.h"
#include "tap.h"
#include "testutil.h"

struct shape {
	uint32_t m, n, k;
};

static void fill(struct rng *r, uint8_t *p, size_t n, int extreme)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (extreme == 1)
			p[i] = (rng_u32(r) & 1) ? 0xff : 0x80;
		else if (extreme == 2)
			p[i] = (rng_u32(r) & 1) ? 0x7f : 0x80;
		else
			p[i] = (uint8_t)rng_u32(r);
	}
}

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

/* Randomize the per-channel arrays of a packed block. */
static void fill_arrays(struct rng *r, uint8_t *pk, uint32_t n, uint32_t k, int mode)
{
	uint32_t n16 = qa1e_n16(n), i;

	for (i = 0; i < n16; i++) {
		int32_t shift, mult;

		put32(pk + qa1e_off_bias(n, k) + 4 * i, (int32_t)rng_u32(r));
		put32(pk + qa1e_off_colsum(n, k) + 4 * i, (int32_t)rng_u32(r));
		put32(pk + qa1e_off_wzp(n, k) + 4 * i,
		      mode ? (int32_t)rng_u32(r) : (int32_t)rng_range(r, -3, 3));
		mult = (int32_t)rng_range(r, 1 << 30, INT32_MAX);
		if (rng_u32(r) % 16 == 0)
			mult = (int32_t)rng_u32(r);	/* negative, INT32_MIN, ... */
		shift = (int32_t)rng_range(r, -20, 2);
		if (rng_u32(r) % 8 == 0)
			shift = (int32_t)rng_range(r, -40, 40);
		put32(pk + qa1e_off_mult(n, k) + 4 * i, mult);
		put32(pk + qa1e_off_shift(n, k) + 4 * i, shift);
	}
}

/*
 * One random job against the reference; returns 0 when identical.
 * extreme: 0 random, 1 data at the type extremes (wrapping sums).
 */
static int one_case(struct qaccel_ctx *ctx, struct rng *r, struct shape s, int extreme,
		    char *why, size_t whylen)
{
	struct qaccel_buffer *ab = NULL, *wb = NULL, *cb = NULL;
	struct qaccel_gemm_job job;
	struct qa1e_gemm g;
	uint32_t lda = s.k + (uint32_t)rng_range(r, 0, 5);
	int ot = (int)rng_range(r, 0, 2);
	uint32_t esize = ot == 2 ? 4 : 1;
	uint32_t ldc = s.n * esize + (uint32_t)rng_range(r, 0, 9);
	size_t asz = (size_t)s.m * lda, csz = (size_t)s.m * ldc, wsz;
	uint8_t *cref;
	int asgn = (int)rng_range(r, 0, 1), err, bad = 0;
	int32_t lo, hi;

	qaccel_packed_size(s.n, s.k, &wsz);
	if (qaccel_buffer_alloc(ctx, asz, 0, &ab) ||
	    qaccel_buffer_alloc(ctx, wsz, 0, &wb) ||
	    qaccel_buffer_alloc(ctx, csz, 0, &cb)) {
		snprintf(why, whylen, "buffer alloc failed");
		return 1;
	}
	fill(r, qaccel_buffer_ptr(ab), asz, extreme ? (asgn ? 2 : 1) : 0);
	fill(r, qaccel_buffer_ptr(wb), (size_t)qa1e_weight_bytes(s.n, s.k), extreme ? 2 : 0);
	fill_arrays(r, qaccel_buffer_ptr(wb), s.n, s.k, extreme);
	fill(r, qaccel_buffer_ptr(cb), csz, 0);
	cref = malloc(csz);
	memcpy(cref, qaccel_buffer_ptr(cb), csz);

	memset(&g, 0, sizeof(g));
	g.m = s.m;
	g.n = s.n;
	g.k = s.k;
	g.lda = lda;
	g.ldc = ldc;
	g.a_signed = (uint32_t)asgn;
	g.out_type = ot == 0 ? QA1E_OUT_S8 : ot == 1 ? QA1E_OUT_U8 : QA1E_OUT_S32;
	g.a_zp = asgn ? (int32_t)rng_range(r, -128, 127) : (int32_t)rng_range(r, 0, 255);
	lo = ot == 0 ? -128 : 0;
	hi = ot == 0 ? 127 : 255;
	if (ot != 2) {
		g.out_zp = (int32_t)rng_range(r, lo, hi);
		g.act_min = (int32_t)rng_range(r, lo, hi);
		g.act_max = (int32_t)rng_range(r, g.act_min, hi);
		if (rng_u32(r) & 1) {
			g.act_min = lo;
			g.act_max = hi;
		}
	}
	if (ot != 2 && (rng_u32(r) & 1)) {
		/*
		 * Realistic requantization: true column sums, small bias and
		 * weight zero points, and per-channel multipliers that map the
		 * channel's largest accumulator to about 100, so that most
		 * outputs land inside the clamp range and the rounding matters.
		 */
		struct qa1e_gemm g32 = g;
		uint8_t *pk = qaccel_buffer_ptr(wb);
		uint32_t i, kk, row;
		int32_t *acc = malloc((size_t)s.m * s.n * 4);

		for (i = 0; i < s.n; i++) {
			int32_t sum = 0;

			for (kk = 0; kk < s.k; kk++)
				sum += (int8_t)pk[qa1e_w_offset(s.k, kk, i)];
			put32(pk + qa1e_off_colsum(s.n, s.k) + 4 * i, sum);
			put32(pk + qa1e_off_bias(s.n, s.k) + 4 * i, (int32_t)rng_range(r, -5000, 5000));
			put32(pk + qa1e_off_wzp(s.n, s.k) + 4 * i, (int32_t)rng_range(r, -2, 2));
		}
		g32.out_type = QA1E_OUT_S32;
		g32.ldc = s.n * 4;
		g32.out_zp = g32.act_min = g32.act_max = 0;
		qa1e_gemm(&g32, qaccel_buffer_ptr(ab), pk, (uint8_t *)acc);
		for (i = 0; i < s.n; i++) {
			double amax = 1.0;
			int32_t mult, shift;

			for (row = 0; row < s.m; row++)
				amax = fmax(amax, fabs((double)acc[row * s.n + i]));
			qaccel_requant_params(100.0 / amax * (0.5 + rng_unit(r)), &mult, &shift);
			put32(pk + qa1e_off_mult(s.n, s.k) + 4 * i, mult);
			put32(pk + qa1e_off_shift(s.n, s.k) + 4 * i, shift);
		}
		free(acc);
	}
	qa1e_gemm(&g, qaccel_buffer_ptr(ab), qaccel_buffer_ptr(wb), cref);

	memset(&job, 0, sizeof(job));
	job.a = ab;
	job.w = wb;
	job.c = cb;
	job.m = s.m;
	job.n = s.n;
	job.k = s.k;
	job.lda = lda;
	job.ldc = ldc;
	job.a_type = asgn ? QACCEL_DTYPE_S8 : QACCEL_DTYPE_U8;
	job.out_type = ot == 0 ? QACCEL_DTYPE_S8 : ot == 1 ? QACCEL_DTYPE_U8 : QACCEL_DTYPE_S32;
	job.a_zp = g.a_zp;
	job.out_zp = g.out_zp;
	job.act_min = g.act_min;
	job.act_max = g.act_max;
	err = qaccel_run(ctx, &job, 1);
	if (err) {
		snprintf(why, whylen, "run failed: %d", err);
		bad = 1;
	} else if (memcmp(cref, qaccel_buffer_ptr(cb), csz)) {
		size_t i;

		for (i = 0; i < csz && cref[i] == ((uint8_t *)qaccel_buffer_ptr(cb))[i]; i++)
			;
		snprintf(why, whylen,
			 "m=%u n=%u k=%u lda=%u ldc=%u a_s8=%d out=%d azp=%d: first diff at byte %zu (row %zu) ref %u got %u",
			 s.m, s.n, s.k, lda, ldc, asgn, ot, g.a_zp, i, i / ldc, cref[i],
			 ((uint8_t *)qaccel_buffer_ptr(cb))[i]);
		bad = 1;
	}
	free(cref);
	qaccel_buffer_free(ab);
	qaccel_buffer_free(wb);
	qaccel_buffer_free(cb);
	return bad;
}

static void run_isa(enum qaccel_isa isa, unsigned int threads, struct rng *r)
{
	struct qaccel_backend_info info;
	struct qaccel_ctx *ctx = NULL;
	char why[256] = "", name[64];
	int i, fails = 0, extreme, j;
	uint32_t kmax;

	if (test_on_device())
		snprintf(name, sizeof(name), "device");
	else
		snprintf(name, sizeof(name), "%s x%u", qaccel_isa_name(isa), threads);
	if (open_test(&ctx, isa, threads)) {
		for (j = 0; j < 3; j++)
			tap_ok(0, "%s: open", name);
		return;
	}
	qaccel_ctx_info(ctx, &info);
	kmax = info.max_k < 70000 ? info.max_k : 70000;
	for (i = 0; i < 150 && fails < 3; i++) {
		struct shape s = {
			(uint32_t)rng_range(r, 1, 40), (uint32_t)rng_range(r, 1, 70),
			(uint32_t)rng_range(r, 1, 150),
		};

		fails += one_case(ctx, r, s, 0, why, sizeof(why));
	}
	tap_ok(!fails, "%s: 150 small random GEMMs bit-exact%s%s", name,
	       fails ? ": " : "", fails ? why : "");

	fails = 0;
	for (i = 0; i < 12 && fails < 3; i++) {
		struct shape s = {
			(uint32_t)rng_range(r, 1, 130), (uint32_t)rng_range(r, 1, 260),
			(uint32_t)rng_range(r, 200, 1100),
		};

		if (i < 3)
			s.m = (uint32_t)i + 1;	/* M = 1..3: panel-split tiling */
		fails += one_case(ctx, r, s, 0, why, sizeof(why));
	}
	tap_ok(!fails, "%s: 12 larger GEMMs (multi-tile) bit-exact%s%s",
	       name, fails ? ": " : "", fails ? why : "");

	fails = 0;
	for (extreme = 0; extreme < 10 && fails < 3; extreme++) {
		struct shape s = {
			(uint32_t)rng_range(r, 1, 20), (uint32_t)rng_range(r, 1, 40),
			(uint32_t)rng_range(r, kmax * 4 / 7, kmax),
		};

		if (extreme < 2)
			s.m += 16;	/* whole 16-row blocks too (AMX tiles) */
		fails += one_case(ctx, r, s, 1, why, sizeof(why));
	}
	tap_ok(!fails, "%s: extreme data, K up to %u (wrapping int32) bit-exact%s%s",
	       name, kmax, fails ? ": " : "", fails ? why : "");
	qaccel_close(ctx);
}

int main(void)
{
	static const unsigned int threads[] = { 1, 2, 3 };
	unsigned int mask = qaccel_cpu_isa_mask(), t;
	struct rng r = { 0x51a1 };
	int isa;

	test_backend_gate("test_gemm");
	if (test_on_device()) {
		tap_plan(3);
		run_isa(QACCEL_ISA_AUTO, 0, &r);
		return tap_done();
	}
	tap_plan((QACCEL_ISA_COUNT - 1) * 3 * 3);
	for (isa = QACCEL_ISA_SCALAR; isa < QACCEL_ISA_COUNT; isa++) {
		for (t = 0; t < 3; t++) {
			if (!(mask & (1u << isa))) {
				char name[64];
				int j;

				snprintf(name, sizeof(name), "%s x%u", qaccel_isa_name(isa), threads[t]);
				for (j = 0; j < 3; j++)
					tap_skip(name, "ISA not available on this machine or build");
				continue;
			}
			run_isa((enum qaccel_isa)isa, threads[t], &r);
		}
	}
	return tap_done();
}
