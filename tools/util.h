/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the qaccel tools: messages, strict number
 * parsing, clocks, whole-file reading (plain or gzip), a progress bar.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TOOLS_UTIL_H
#define QACCEL_TOOLS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The program name used in messages (set by the tool's main()). */
extern const char *prog;

/* "prog: message\n" on stderr. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* err_msg(), then exit(status). */
void die_status(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
#define die(...) die_status(1, __VA_ARGS__)

/* Strict parsers: the whole string, within [min, max]. Return 0 or -EINVAL. */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
int parse_double(const char *s, double min, double max, double *out);

/* Monotonic seconds. */
double now_sec(void);

/*
 * Read a whole file into memory (malloc'd, with one extra NUL byte after
 * the data). Files ending in ".gz" or starting with the gzip magic are
 * decompressed. At most max_size bytes (decompressed) are accepted.
 * Return 0 or -errno (-EFBIG over the limit, -EBADMSG for a corrupt gzip
 * stream); *why receives a short static explanation on failure.
 */
int read_file(const char *path, size_t max_size, uint8_t **data, size_t *size,
	      const char **why);

/* Human-readable byte count ("918.8 KiB") into buf. */
const char *fmt_bytes(double bytes, char *buf, size_t size);

/*
 * Progress reporting: a redrawn bar when stream is a terminal, otherwise
 * plain lines at 0%, every 25% and 100%.
 */
struct progress {
	FILE *f;
	const char *label;
	uint64_t total;
	int last;		/* last percentage (or quarter) printed */
	bool tty;
	double t0;
};

void progress_start(struct progress *p, FILE *f, const char *label, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);

#endif /* QACCEL_TOOLS_UTIL_H */
