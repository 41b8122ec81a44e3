// SPDX-License-Identifier: MIT
/*
 * Parsing of option strings (environment variables) and small helpers.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

void qa_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

int qa_parse_backend(const char *s, enum qaccel_backend_kind *kind)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "auto") || !*s)
		*kind = QACCEL_BACKEND_AUTO;
	else if (!strcmp(s, "cpu"))
		*kind = QACCEL_BACKEND_CPU;
	else if (!strcmp(s, "device"))
		*kind = QACCEL_BACKEND_DEVICE;
	else
		return -EINVAL;
	return 0;
}

int qa_parse_submit_mode(const char *s, enum qaccel_submit_mode *mode)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "auto") || !*s)
		*mode = QACCEL_SUBMIT_AUTO;
	else if (!strcmp(s, "uring"))
		*mode = QACCEL_SUBMIT_URING;
	else if (!strcmp(s, "ioctl"))
		*mode = QACCEL_SUBMIT_IOCTL;
	else
		return -EINVAL;
	return 0;
}

QACCEL_API const char *qaccel_submit_mode_name(enum qaccel_submit_mode mode)
{
	switch (mode) {
	case QACCEL_SUBMIT_AUTO:
		return "auto";
	case QACCEL_SUBMIT_URING:
		return "uring";
	case QACCEL_SUBMIT_IOCTL:
		return "ioctl";
	}
	return NULL;
}

/* Strict decimal parse: digits only, no sign, no trailing garbage. */
int qa_parse_uint(const char *s, unsigned int min, unsigned int max,
		  unsigned int *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	if (v < min)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

unsigned int qa_default_threads(void)
{
	long n;

	if (QACCEL_DEFAULT_THREADS > 0)
		return QACCEL_DEFAULT_THREADS > QACCEL_MAX_THREADS ?
			QACCEL_MAX_THREADS : QACCEL_DEFAULT_THREADS;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > QACCEL_MAX_THREADS)
		n = QACCEL_MAX_THREADS;
	return (unsigned int)n;
}

QACCEL_API const char *qaccel_backend_kind_name(enum qaccel_backend_kind kind)
{
	switch (kind) {
	case QACCEL_BACKEND_AUTO:
		return "auto";
	case QACCEL_BACKEND_CPU:
		return "cpu";
	case QACCEL_BACKEND_DEVICE:
		return "device";
	}
	return NULL;
}
