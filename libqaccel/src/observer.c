// SPDX-License-Identifier: MIT
/*
 * Calibration observers: streaming range estimation with bounded memory.
 * See qaccel.h for the algorithms.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define QA_OBS_BINS		2048u
#define QA_OBS_TARGET		128u
#define QA_OBS_AVG		0.01f
#define QA_OBS_PCT		99.99
#define QA_OBS_MSE_LEVELS	255.0	/* 8-bit: 256 levels, 255 steps */

struct qa_hist {
	bool init;
	double lo, width;		/* bins cover [lo, lo + nbins * width) */
	uint64_t *counts;
	uint64_t *tmp;			/* scratch for merging, allocated with counts */
	/* Before the histogram has a non-empty range: all values equal cval. */
	uint64_t ccount;
	double cval;
};

struct qaccel_observer {
	struct qaccel_observer_opts o;
	uint64_t count;
	double min, max;		/* exact */
	double mv_min, mv_max;		/* moving average */
	struct qa_hist h;
};

static bool qa_uses_hist(enum qaccel_observer_kind k)
{
	return k == QACCEL_OBSERVER_PERCENTILE || k == QACCEL_OBSERVER_ENTROPY ||
	       k == QACCEL_OBSERVER_MSE;
}

QACCEL_API int qaccel_observer_create(const struct qaccel_observer_opts *opts,
				      struct qaccel_observer **obs)
{
	struct qaccel_observer *ob;
	struct qaccel_observer_opts o;
	unsigned int i;

	if (!opts || !obs)
		return -EINVAL;
	o = *opts;
	for (i = 0; i < QA_ARRAY_SIZE(o.reserved); i++)
		if (o.reserved[i])
			return -EINVAL;
	if (o.kind < QACCEL_OBSERVER_MINMAX || o.kind > QACCEL_OBSERVER_MSE)
		return -EINVAL;
	if (!o.bins)
		o.bins = QA_OBS_BINS;
	if (!o.target_bins)
		o.target_bins = QA_OBS_TARGET;
	if (o.averaging_constant == 0.0f)
		o.averaging_constant = QA_OBS_AVG;
	if (o.percentile == 0.0)
		o.percentile = QA_OBS_PCT;
	if (o.bins < 128 || o.bins > 65536 || o.target_bins < 2 || o.target_bins > o.bins ||
	    !(o.averaging_constant > 0.0f && o.averaging_constant <= 1.0f) ||
	    !(o.percentile > 50.0 && o.percentile <= 100.0))
		return -EINVAL;
	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	ob->o = o;
	if (qa_uses_hist(o.kind)) {
		ob->h.counts = calloc(o.bins, sizeof(uint64_t));
		ob->h.tmp = calloc(o.bins, sizeof(uint64_t));
		if (!ob->h.counts || !ob->h.tmp) {
			free(ob->h.counts);
			free(ob->h.tmp);
			free(ob);
			return -ENOMEM;
		}
	}
	*obs = ob;
	return 0;
}

QACCEL_API void qaccel_observer_destroy(struct qaccel_observer *obs)
{
	if (!obs)
		return;
	free(obs->h.counts);
	free(obs->h.tmp);
	free(obs);
}

QACCEL_API int qaccel_observer_reset(struct qaccel_observer *obs)
{
	uint64_t *c, *t;

	if (!obs)
		return -EINVAL;
	c = obs->h.counts;
	t = obs->h.tmp;
	if (c)
		memset(c, 0, obs->o.bins * sizeof(*c));
	memset(&obs->h, 0, sizeof(obs->h));
	obs->h.counts = c;
	obs->h.tmp = t;
	obs->count = 0;
	return 0;
}

QACCEL_API uint64_t qaccel_observer_count(const struct qaccel_observer *obs)
{
	return obs ? obs->count : 0;
}

/* ---- histogram ---- */

static uint32_t qa_hist_index(const struct qa_hist *h, uint32_t nb, double v)
{
	double f = (v - h->lo) / h->width;

	if (!(f > 0.0))
		return 0;
	if (f >= (double)nb)
		return nb - 1;
	return (uint32_t)f;
}

static void qa_hist_setup(struct qa_hist *h, uint32_t nb, double lo, double hi)
{
	h->init = true;
	h->lo = lo;
	h->width = (hi - lo) / nb;
	if (h->ccount) {
		h->counts[qa_hist_index(h, nb, h->cval)] += h->ccount;
		h->ccount = 0;
	}
}

/* Grow the covered range to include [lo, hi] by merging whole bins. */
static void qa_hist_grow(struct qa_hist *h, uint32_t nb, double lo, double hi)
{
	double top = h->lo + h->width * nb;
	uint64_t left = 0, right = 0, total, f, i;

	if (lo < h->lo)
		left = (uint64_t)ceil((h->lo - lo) / h->width);
	if (hi > top)
		right = (uint64_t)ceil((hi - top) / h->width);
	if (!left && !right)
		return;
	total = left + nb + right;
	f = (total + nb - 1) / nb;
	memset(h->tmp, 0, nb * sizeof(*h->tmp));
	for (i = 0; i < nb; i++)
		h->tmp[(i + left) / f] += h->counts[i];
	memcpy(h->counts, h->tmp, nb * sizeof(*h->counts));
	h->lo -= (double)left * h->width;
	h->width *= (double)f;
}

static void qa_hist_add(struct qa_hist *h, uint32_t nb, const float *x, size_t n,
			double bmin, double bmax, bool absval)
{
	size_t i;

	if (!h->init) {
		if (bmin == bmax && (!h->ccount || h->cval == bmin)) {
			h->cval = bmin;
			h->ccount += n;
			return;
		}
		if (h->ccount) {
			bmin = fmin(bmin, h->cval);
			bmax = fmax(bmax, h->cval);
		}
		qa_hist_setup(h, nb, bmin, bmax);
	} else {
		qa_hist_grow(h, nb, bmin, bmax);
	}
	for (i = 0; i < n; i++) {
		double v = absval ? fabs((double)x[i]) : (double)x[i];

		h->counts[qa_hist_index(h, nb, v)]++;
	}
}

/* ---- update ---- */

QACCEL_API int qaccel_observer_update(struct qaccel_observer *obs, const float *x,
				      size_t count)
{
	const struct qa_quant_ops *ops = qa_quant_ops_for(QACCEL_ISA_AUTO);
	float fmn, fmx;
	double bmin, bmax;

	if (!obs || !x)
		return -EINVAL;
	if (!count)
		return 0;
	if (!ops->minmax(x, count, &fmn, &fmx))
		return -EDOM;
	bmin = fmn;
	bmax = fmx;
	if (!obs->count) {
		obs->min = bmin;
		obs->max = bmax;
		obs->mv_min = bmin;
		obs->mv_max = bmax;
	} else {
		double c = obs->o.averaging_constant;

		obs->min = fmin(obs->min, bmin);
		obs->max = fmax(obs->max, bmax);
		obs->mv_min += c * (bmin - obs->mv_min);
		obs->mv_max += c * (bmax - obs->mv_max);
	}
	obs->count += count;
	if (obs->o.kind == QACCEL_OBSERVER_ENTROPY)
		qa_hist_add(&obs->h, obs->o.bins, x, count, 0.0,
			    fmax(fabs(bmin), fabs(bmax)), true);
	else if (qa_uses_hist(obs->o.kind))
		qa_hist_add(&obs->h, obs->o.bins, x, count, bmin, bmax, false);
	return 0;
}

/* ---- range computation ---- */

/* Value below which a fraction q of the histogram's mass lies. */
static double qa_hist_quantile(const struct qa_hist *h, uint32_t nb, uint64_t total, double q)
{
	double target = q * (double)total, acc = 0.0;
	uint32_t i;

	for (i = 0; i < nb; i++) {
		double c = (double)h->counts[i];

		if (c > 0.0 && acc + c >= target) {
			double frac = (target - acc) / c;

			if (frac < 0.0)
				frac = 0.0;
			return h->lo + h->width * ((double)i + frac);
		}
		acc += c;
	}
	return h->lo + h->width * nb;
}

static void qa_range_percentile(const struct qaccel_observer *obs, double *lo, double *hi)
{
	const struct qa_hist *h = &obs->h;
	double p = obs->o.percentile / 100.0;

	*lo = qa_hist_quantile(h, obs->o.bins, obs->count, 1.0 - p);
	*hi = qa_hist_quantile(h, obs->o.bins, obs->count, p);
}

/* TensorRT-style KL search on the |x| histogram (origin at 0). */
static int qa_range_entropy(const struct qaccel_observer *obs, double *lo, double *hi)
{
	const struct qa_hist *h = &obs->h;
	uint32_t nb = obs->o.bins, tb = obs->o.target_bins, i, j, k;
	double *p = malloc(nb * sizeof(double)), *q = malloc(nb * sizeof(double));
	double best = INFINITY, t = h->lo + h->width * nb, outliers;
	uint64_t total = 0;

	if (!p || !q) {
		free(p);
		free(q);
		return -ENOMEM;
	}
	for (i = 0; i < nb; i++)
		total += h->counts[i];
	outliers = (double)total;
	for (i = 0; i < tb; i++)
		outliers -= (double)h->counts[i];
	for (i = tb; i <= nb; i++) {
		double psum = 0.0, qsum, kl = 0.0;

		/* P: bins [0, i), the mass beyond folded into bin i - 1 */
		for (k = 0; k < i; k++)
			p[k] = (double)h->counts[k];
		p[i - 1] += outliers;
		if (i < nb)
			outliers -= (double)h->counts[i];
		/*
		 * Q: the histogram's bins [0, i) without the outliers, merged
		 * into tb groups and spread over P's non-empty bins, so that
		 * clipping shows as the mass P has in its last bin and Q lacks.
		 */
		qsum = 0.0;
		for (j = 0; j < tb; j++) {
			uint32_t start = (uint32_t)((uint64_t)j * i / tb);
			uint32_t stop = (uint32_t)((uint64_t)(j + 1) * i / tb);
			double sum = 0.0;
			uint32_t nz = 0;

			for (k = start; k < stop; k++) {
				sum += (double)h->counts[k];
				nz += p[k] > 0.0;
			}
			for (k = start; k < stop; k++)
				q[k] = p[k] > 0.0 ? sum / nz : 0.0;
			qsum += sum;
		}
		for (k = 0; k < i; k++)
			psum += p[k];
		if (psum <= 0.0 || qsum <= 0.0)
			continue;
		for (k = 0; k < i; k++) {
			if (p[k] > 0.0) {
				/* a bin Q left empty gets a tiny share (smoothing) */
				double qk = q[k] > 0.0 ? q[k] / qsum : 1e-9;

				kl += p[k] / psum * log(p[k] / psum / qk);
			}
		}
		if (kl < best) {
			best = kl;
			t = h->lo + h->width * i;
		}
	}
	free(p);
	free(q);
	*lo = fmax(obs->min, -t);
	*hi = fmin(obs->max, t);
	return 0;
}

/* Integral over u in [0, x] of (u - round(u))^2, x in grid steps (x >= 0). */
static double qa_round_err(double x)
{
	double n, t;

	if (x < 0.5)
		return x * x * x / 3.0;
	n = floor(x + 0.5);
	t = x - n;
	return 1.0 / 24.0 + (n - 1.0) / 12.0 + (t * t * t + 0.125) / 3.0;
}

/* Expected squared error of quantizing the histogram over [A, B]. */
static double qa_mse(const struct qa_hist *h, uint32_t nb, double A, double B)
{
	double step = (B - A) / QA_OBS_MSE_LEVELS, err = 0.0;
	uint32_t i;

	for (i = 0; i < nb; i++) {
		double c = (double)h->counts[i], a, b, d, lo, hi;

		if (c == 0.0)
			continue;
		a = h->lo + h->width * i;
		b = a + h->width;
		d = c / h->width;
		if (a < A) {
			double e = fmin(b, A);

			err += d * ((A - a) * (A - a) * (A - a) - (A - e) * (A - e) * (A - e)) / 3.0;
		}
		if (b > B) {
			double s = fmax(a, B);

			err += d * ((b - B) * (b - B) * (b - B) - (s - B) * (s - B) * (s - B)) / 3.0;
		}
		lo = fmax(a, A);
		hi = fmin(b, B);
		if (hi > lo && step > 0.0)
			err += d * step * step * step *
			       (qa_round_err((hi - A) / step) - qa_round_err((lo - A) / step));
	}
	return err;
}

static void qa_range_mse(const struct qaccel_observer *obs, double *lo, double *hi)
{
	const struct qa_hist *h = &obs->h;
	uint32_t nb = obs->o.bins, l = 0, r = nb, bl = 0, br = nb, minspan = nb / 64;
	double best = qa_mse(h, nb, h->lo, h->lo + h->width * nb);

	while (r - l > minspan) {
		double e;

		if (h->counts[l] <= h->counts[r - 1])
			l++;
		else
			r--;
		e = qa_mse(h, nb, h->lo + h->width * l, h->lo + h->width * r);
		if (e < best) {
			best = e;
			bl = l;
			br = r;
		}
	}
	*lo = fmax(obs->min, h->lo + h->width * bl);
	*hi = fmin(obs->max, h->lo + h->width * br);
}

static int qa_observer_range_d(const struct qaccel_observer *obs, double *lo, double *hi)
{
	if (!obs->count)
		return -ENODATA;
	*lo = obs->min;
	*hi = obs->max;
	switch (obs->o.kind) {
	case QACCEL_OBSERVER_MOVING_MINMAX:
		*lo = obs->mv_min;
		*hi = obs->mv_max;
		break;
	case QACCEL_OBSERVER_PERCENTILE:
		if (obs->h.init)
			qa_range_percentile(obs, lo, hi);
		break;
	case QACCEL_OBSERVER_ENTROPY:
		if (obs->h.init && qa_range_entropy(obs, lo, hi))
			return -ENOMEM;
		break;
	case QACCEL_OBSERVER_MSE:
		if (obs->h.init)
			qa_range_mse(obs, lo, hi);
		break;
	default:
		break;
	}
	/* never outside what was seen, never inverted */
	*lo = fmin(fmax(*lo, obs->min), obs->max);
	*hi = fmax(fmin(*hi, obs->max), *lo);
	return 0;
}

QACCEL_API int qaccel_observer_range(const struct qaccel_observer *obs, float *min,
				     float *max)
{
	double lo, hi;
	int err;

	if (!obs || !min || !max)
		return -EINVAL;
	err = qa_observer_range_d(obs, &lo, &hi);
	if (err)
		return err;
	*min = (float)lo;
	*max = (float)hi;
	return 0;
}

QACCEL_API int qaccel_observer_qparams(const struct qaccel_observer *obs,
				       enum qaccel_dtype type, unsigned int flags,
				       float *scale, int32_t *zero_point)
{
	float lo, hi;
	int err;

	if (!obs || !scale || !zero_point)
		return -EINVAL;
	err = qaccel_observer_range(obs, &lo, &hi);
	if (err)
		return err;
	return qaccel_qparams_from_range(lo, hi, type, flags, scale, zero_point);
}
