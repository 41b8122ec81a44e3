/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the unit tests: a deterministic random generator,
 * context opening per ISA, and the choice of the backend the job tests run
 * on.
 *
 * QACCEL_TEST_BACKEND=cpu (default) or device selects it. With device, the
 * job tests open a device context honouring QACCEL_DEVICE and
 * QACCEL_SUBMIT (scripts/vm-lib.sh runs them so in the VM, once per
 * submission mode; tests/lib/Makefile runs them on the host against the
 * fake device of fakedev.h). QACCEL_TEST_OPTIONAL=1 turns a device that
 * cannot be opened with -EOPNOTSUPP (e.g. io_uring requested from a driver
 * without it) into a skip of the whole program instead of a failure.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TESTS_UTIL_H
#define QACCEL_TESTS_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Do the job tests run on the device backend? */
static inline bool test_on_device(void)
{
	const char *s = getenv("QACCEL_TEST_BACKEND");

	return s && !strcmp(s, "device");
}

/*
 * Open the context the job tests use: the CPU backend with this ISA and
 * thread count, or (QACCEL_TEST_BACKEND=device) the device the environment
 * names, ISA and threads ignored. errbuf may be NULL.
 */
static inline int open_test_ex(struct qaccel_ctx **ctx, enum qaccel_isa isa,
			       unsigned int threads, char *errbuf, size_t errbuf_size)
{
	struct qaccel_open_opts o;

	if (!test_on_device())
		return open_cpu(ctx, isa, threads);
	memset(&o, 0, sizeof(o));
	o.backend = QACCEL_BACKEND_DEVICE;
	o.errbuf = errbuf;
	o.errbuf_size = errbuf ? errbuf_size : 0;
	return qaccel_open(ctx, &o);
}

static inline int open_test(struct qaccel_ctx **ctx, enum qaccel_isa isa, unsigned int threads)
{
	return open_test_ex(ctx, isa, threads, NULL, 0);
}

/*
 * Call first in main(): says which backend the tests run on, and when the
 * device backend was asked for but cannot be opened, ends the program with
 * a one-test plan: a skip (QACCEL_TEST_OPTIONAL=1 and -EOPNOTSUPP) or a
 * failure, with the library's explanation.
 */
static inline void test_backend_gate(const char *prog)
{
	struct qaccel_ctx *ctx = NULL;
	const char *opt = getenv("QACCEL_TEST_OPTIONAL");
	char why[256] = "";
	int err;

	if (!test_on_device()) {
		printf("# %s: CPU backend\n", prog);
		return;
	}
	err = open_test_ex(&ctx, QACCEL_ISA_AUTO, 0, why, sizeof(why));
	if (err) {
		bool skip = err == -EOPNOTSUPP && opt && !strcmp(opt, "1");

		printf("TAP version 13\n1..1\n%s 1 %s: device backend # %s%s (%s)\n",
		       skip ? "ok" : "not ok", prog, skip ? "SKIP " : "", why,
		       qaccel_strerror(err));
		exit(skip ? 0 : 1);
	}
	printf("# %s: device backend, submission %s: %s\n", prog,
	       qaccel_submit_mode_name(qaccel_ctx_submit_mode(ctx)), qaccel_ctx_reason(ctx));
	qaccel_close(ctx);
}

#endif /* QACCEL_TESTS_UTIL_H */
