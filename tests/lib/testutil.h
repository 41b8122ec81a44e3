/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the unit tests: a deterministic random generator and
 * context opening per ISA.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TESTS_UTIL_H
#define QACCEL_TESTS_UTIL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "qaccel.h"

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t rng_u32(struct rng *r)
{
	return (uint32_t)(rng_next(r) >> 32);
}

/* Uniform integer in [lo, hi]. */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Uniform float in [0, 1). */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double rng_gauss(struct rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Open a CPU context on a given ISA and thread count (environment ignored). */
static inline int open_cpu(struct qaccel_ctx **ctx, enum qaccel_isa isa, unsigned int threads)
{
	struct qaccel_open_opts o;

	memset(&o, 0, sizeof(o));
	o.backend = QACCEL_BACKEND_CPU;
	o.isa = isa;
	o.threads = threads;
	o.flags = QACCEL_OPEN_IGNORE_ENV;
	return qaccel_open(ctx, &o);
}

#endif /* QACCEL_TESTS_UTIL_H */
