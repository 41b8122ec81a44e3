// SPDX-License-Identifier: MIT
/*
 * SVG histogram writer.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

#define W		800.0
#define H		400.0
#define LEFT		70.0
#define RIGHT		20.0
#define TOP		60.0
#define BOTTOM		50.0

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

static double xpos(const struct svg_hist *h, double v)
{
	double t = (v - h->lo) / (h->hi - h->lo);

	if (t < 0.0)
		t = 0.0;
	if (t > 1.0)
		t = 1.0;
	return LEFT + t * (W - LEFT - RIGHT);
}

int svg_write_histogram(const char *path, const struct svg_hist *h)
{
	double plot_h = H - TOP - BOTTOM, bw, ymax, x0, x1;
	uint64_t maxc = 0;
	unsigned int i, d, decades;
	FILE *f;
	int err = 0;

	if (!h->bins || !(h->hi > h->lo) || !h->counts)
		return -EINVAL;
	for (i = 0; i < h->bins; i++)
		if (h->counts[i] > maxc)
			maxc = h->counts[i];
	decades = (unsigned int)ceil(log10((double)maxc + 1.0));
	if (decades < 1)
		decades = 1;
	ymax = (double)decades;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%.0f\" y=\"22\" font-size=\"16\" font-weight=\"bold\">", LEFT);
	xml_text(f, h->title);
	fprintf(f, "</text>\n<text x=\"%.0f\" y=\"42\" fill=\"#444\">", LEFT);
	xml_text(f, h->subtitle);
	fprintf(f, "</text>\n");

	/* The kept range, shaded. */
	x0 = xpos(h, h->clip_lo);
	x1 = xpos(h, h->clip_hi);
	fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" "
		"fill=\"#e8f4e8\"/>\n", x0, TOP, x1 - x0 > 0 ? x1 - x0 : 0, plot_h);

	/* Bars, height log10(count + 1). */
	bw = (W - LEFT - RIGHT) / h->bins;
	for (i = 0; i < h->bins; i++) {
		double bh, c = (double)h->counts[i];
		double center = h->lo + (i + 0.5) * (h->hi - h->lo) / h->bins;
		bool outside = center < h->clip_lo || center > h->clip_hi;

		if (!h->counts[i])
			continue;
		bh = log10(c + 1.0) / ymax * plot_h;
		fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			"fill=\"%s\"/>\n", LEFT + i * bw, TOP + plot_h - bh, bw, bh,
			outside ? "#d62728" : "#1f77b4");
	}

	/* Clip bounds. */
	fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#2ca02c\" "
		"stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n", x0, TOP, x0, TOP + plot_h);
	fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#2ca02c\" "
		"stroke-width=\"2\" stroke-dasharray=\"6,3\"/>\n", x1, TOP, x1, TOP + plot_h);

	/* Axes and ticks. */
	fprintf(f, "<g stroke=\"black\">\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n"
		"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n</g>\n",
		LEFT, TOP + plot_h, W - RIGHT, TOP + plot_h, LEFT, TOP, LEFT, TOP + plot_h);
	for (d = 0; d <= decades; d++) {
		double y = TOP + plot_h - d / ymax * plot_h;

		fprintf(f, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" stroke=\"black\"/>"
			"<text x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\">%s%.0f</text>\n",
			LEFT - 5, y, LEFT, y, LEFT - 8, y + 4, d ? "1e" : "", d ? (double)d : 0.0);
	}
	for (i = 0; i <= 4; i++) {
		double v = h->lo + i * (h->hi - h->lo) / 4, x = xpos(h, v);

		fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"black\"/>"
			"<text x=\"%.2f\" y=\"%.0f\" text-anchor=\"middle\">%.4g</text>\n",
			x, TOP + plot_h, x, TOP + plot_h + 5, x, TOP + plot_h + 18, v);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">value</text>\n",
		LEFT + (W - LEFT - RIGHT) / 2, H - 10);
	fprintf(f, "<text x=\"16\" y=\"%.0f\" text-anchor=\"middle\" "
		"transform=\"rotate(-90 16 %.0f)\">count (log scale)</text>\n",
		TOP + plot_h / 2, TOP + plot_h / 2);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" fill=\"#2ca02c\" text-anchor=\"end\">"
		"clip range [%.4g, %.4g]</text>\n", W - RIGHT, TOP - 4, h->clip_lo, h->clip_hi);
	fprintf(f, "</svg>\n");

	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
