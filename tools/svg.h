/* SPDX-License-Identifier: MIT */
/*
 * A small SVG writer for activation histograms: bars on a logarithmic
 * count axis, the calibrated clip range shaded with its bounds marked.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TOOLS_SVG_H
#define QACCEL_TOOLS_SVG_H

#include <stdint.h>

struct svg_hist {
	const char *title;		/* first line, e.g. "fc1 output" */
	const char *subtitle;		/* second line, e.g. observer and scale */
	double lo, hi;			/* value range of the bins (lo < hi) */
	const uint64_t *counts;		/* bins counters */
	unsigned int bins;
	double clip_lo, clip_hi;	/* the range chosen by the observer */
};

/* Write the histogram to path. Returns 0 or -errno. */
int svg_write_histogram(const char *path, const struct svg_hist *h);

#endif /* QACCEL_TOOLS_SVG_H */
