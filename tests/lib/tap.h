/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP/KTAP output for the library's unit tests.
 *
 *   tap_plan(n);  tap_ok(cond, "name %d", i);  tap_skip("name", "reason");
 *   return tap_done();   (non-zero exit when a test failed or the count
 *                         does not match the plan)
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TESTS_TAP_H
#define QACCEL_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_planned, tap_count, tap_failed;

static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline void tap_skip(const char *name, const char *reason)
{
	tap_count++;
	printf("ok %d %s # SKIP %s\n", tap_count, name, reason);
	fflush(stdout);
}

static inline int tap_done(void)
{
	if (tap_count != tap_planned) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_count);
		return 1;
	}
	if (tap_failed)
		printf("# %d of %d tests failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

/* Expect an exact integer; prints both values on failure. */
#define TAP_EQ(got, want, ...) ({					\
	long long __g = (long long)(got), __w = (long long)(want);	\
	if (__g != __w)							\
		tap_diag("%s = %lld, expected %lld", #got, __g, __w);	\
	tap_ok(__g == __w, __VA_ARGS__);				\
})

#endif /* QACCEL_TESTS_TAP_H */
