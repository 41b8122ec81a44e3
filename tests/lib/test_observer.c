// SPDX-License-Identifier: MIT
/*
 * Calibration observers on distributions whose right answer is known:
 * uniform, Gaussian with outliers, one-sided ReLU outputs, constant
 * tensors; streaming over batches (exact for min/max, deterministic for the
 * histograms, histogram growth with late outliers); NaN/Inf rejection;
 * moving average arithmetic; bad options.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "testutil.h"

#define NS 400000
static float data[NS];

static const char *const kname[] = { "", "minmax", "moving-minmax", "percentile", "entropy", "mse" };

static struct qaccel_observer *mk(enum qaccel_observer_kind k)
{
	struct qaccel_observer_opts o;
	struct qaccel_observer *ob = NULL;

	memset(&o, 0, sizeof(o));
	o.kind = k;
	if (qaccel_observer_create(&o, &ob))
		return NULL;
	return ob;
}

/* Feed data in `batches` batches, return the range. */
static int observe(enum qaccel_observer_kind k, const float *x, size_t n, int batches,
		   float *lo, float *hi)
{
	struct qaccel_observer *ob = mk(k);
	size_t per = n / (size_t)batches, i;
	int err = 0;

	for (i = 0; i < (size_t)batches && !err; i++)
		err = qaccel_observer_update(ob, x + i * per, i + 1 == (size_t)batches ? n - i * per : per);
	if (!err)
		err = qaccel_observer_range(ob, lo, hi);
	qaccel_observer_destroy(ob);
	return err;
}

static void check(enum qaccel_observer_kind k, const char *dist, int batches,
		  float lo_min, float lo_max, float hi_min, float hi_max)
{
	float lo = NAN, hi = NAN;
	int err = observe(k, data, NS, batches, &lo, &hi);

	tap_ok(!err && lo >= lo_min && lo <= lo_max && hi >= hi_min && hi <= hi_max,
	       "%s on %s: [%g, %g] within [%g..%g, %g..%g]", kname[k], dist, lo, hi, lo_min,
	       lo_max, hi_min, hi_max);
}

int main(void)
{
	struct rng r = { 42 };
	float lo, hi, lo2, hi2, scale;
	int32_t zp;
	int k, i, ok;

	tap_plan(5 + 6 + 5 + 5 + 3 + 1 + 3 + 3 + 3);

	/* uniform [-1, 1]: clipping never pays */
	for (i = 0; i < NS; i++)
		data[i] = (float)(rng_unit(&r) * 2.0 - 1.0);
	check(QACCEL_OBSERVER_MINMAX, "uniform", 10, -1.0f, -0.9999f, 0.9999f, 1.0f);
	check(QACCEL_OBSERVER_MOVING_MINMAX, "uniform", 10, -1.0f, -0.999f, 0.999f, 1.0f);
	check(QACCEL_OBSERVER_PERCENTILE, "uniform", 10, -1.0f, -0.997f, 0.997f, 1.0f);
	check(QACCEL_OBSERVER_ENTROPY, "uniform", 10, -1.0f, -0.85f, 0.85f, 1.0f);
	check(QACCEL_OBSERVER_MSE, "uniform", 10, -1.0f, -0.9f, 0.9f, 1.0f);

	/* Gaussian sigma 1 plus 40 outliers at +-60: clipping pays */
	for (i = 0; i < NS; i++)
		data[i] = (float)rng_gauss(&r);
	for (i = 0; i < 40; i++)
		data[(size_t)i * 9973] = i & 1 ? 60.0f : -60.0f;
	check(QACCEL_OBSERVER_MINMAX, "gauss+outliers", 8, -60.0f, -60.0f, 60.0f, 60.0f);
	check(QACCEL_OBSERVER_MOVING_MINMAX, "gauss+outliers", 8, -60.0f, -4.0f, 4.0f, 60.0f);
	check(QACCEL_OBSERVER_PERCENTILE, "gauss+outliers", 8, -4.5f, -3.2f, 3.2f, 4.5f);
	check(QACCEL_OBSERVER_ENTROPY, "gauss+outliers", 8, -12.0f, -2.0f, 2.0f, 12.0f);
	/*
	 * L2: 40 outliers among 400000 values still cost more clipped than the
	 * coarser step costs the bulk (n_out * R^2 > N * (2R / 255)^2 / 12), so
	 * the MSE answer keeps about their range.
	 */
	check(QACCEL_OBSERVER_MSE, "gauss+outliers", 8, -60.0f, -45.0f, 45.0f, 60.0f);
	for (i = 0; i < 40; i++)
		data[(size_t)i * 9973] = 0.0f;
	check(QACCEL_OBSERVER_MSE, "gauss", 8, -5.5f, -2.5f, 2.5f, 5.5f);

	/* ReLU outputs: half zeros, one-sided */
	for (i = 0; i < NS; i++)
		data[i] = (float)fmax(0.0, rng_gauss(&r));
	check(QACCEL_OBSERVER_MINMAX, "relu", 5, 0.0f, 0.0f, 3.5f, 6.0f);
	check(QACCEL_OBSERVER_MOVING_MINMAX, "relu", 5, 0.0f, 0.0f, 3.5f, 6.0f);
	check(QACCEL_OBSERVER_PERCENTILE, "relu", 5, 0.0f, 1e-4f, 3.0f, 4.5f);
	check(QACCEL_OBSERVER_ENTROPY, "relu", 5, 0.0f, 0.0f, 1.5f, 6.0f);
	check(QACCEL_OBSERVER_MSE, "relu", 5, 0.0f, 0.0f, 1.5f, 6.0f);

	/* constant tensor */
	for (i = 0; i < NS; i++)
		data[i] = 3.0f;
	for (k = QACCEL_OBSERVER_MINMAX; k <= QACCEL_OBSERVER_MSE; k++) {
		struct qaccel_observer *ob = mk((enum qaccel_observer_kind)k);

		qaccel_observer_update(ob, data, 1000);
		qaccel_observer_update(ob, data, 1000);
		tap_ok(!qaccel_observer_range(ob, &lo, &hi) && lo == 3.0f && hi == 3.0f &&
		       !qaccel_observer_qparams(ob, QACCEL_DTYPE_U8, 0, &scale, &zp) &&
		       scale == 3.0f / 255.0f && zp == 0,
		       "%s on a constant tensor: [3, 3], u8 scale 3/255", kname[k]);
		qaccel_observer_destroy(ob);
	}

	/* streaming: exact min/max, histogram growth, determinism */
	for (i = 0; i < NS; i++)
		data[i] = (float)rng_gauss(&r) * (i < NS / 2 ? 0.01f : 5.0f);
	for (k = QACCEL_OBSERVER_PERCENTILE; k <= QACCEL_OBSERVER_MSE; k++) {
		observe((enum qaccel_observer_kind)k, data, NS, 50, &lo, &hi);
		observe((enum qaccel_observer_kind)k, data, NS, 50, &lo2, &hi2);
		tap_ok(lo == lo2 && hi == hi2 && hi > 1.0f,
		       "%s: histogram grows with late wide batches, same input same answer [%g, %g]",
		       kname[k], lo, hi);
	}
	observe(QACCEL_OBSERVER_MINMAX, data, NS, 1, &lo, &hi);
	observe(QACCEL_OBSERVER_MINMAX, data, NS, 97, &lo2, &hi2);
	tap_ok(lo == lo2 && hi == hi2, "minmax over 97 batches equals one batch");
	{
		struct qaccel_observer *ob = mk(QACCEL_OBSERVER_PERCENTILE);
		uint64_t before;

		for (i = 0; i < 2000; i++)
			qaccel_observer_update(ob, data + (i % 100) * 1000, 1000);
		tap_ok(qaccel_observer_count(ob) == 2000000, "2000 batches observed (memory is the fixed histogram)");
		qaccel_observer_range(ob, &lo, &hi);
		before = qaccel_observer_count(ob);
		data[5] = NAN;
		tap_ok(qaccel_observer_update(ob, data, 100) == -EDOM &&
		       qaccel_observer_count(ob) == before &&
		       !qaccel_observer_range(ob, &lo2, &hi2) && lo2 == lo && hi2 == hi,
		       "NaN batch rejected with -EDOM, observer unchanged");
		data[5] = 0.0f;
		data[7] = INFINITY;
		tap_ok(qaccel_observer_update(ob, data, 100) == -EDOM, "infinity rejected with -EDOM");
		data[7] = 0.0f;
		qaccel_observer_destroy(ob);
	}

	/* moving average arithmetic */
	{
		struct qaccel_observer_opts o;
		struct qaccel_observer *ob;
		float b1[2] = { 0.0f, 10.0f }, b2[2] = { -10.0f, 20.0f };

		memset(&o, 0, sizeof(o));
		o.kind = QACCEL_OBSERVER_MOVING_MINMAX;
		o.averaging_constant = 0.5f;
		qaccel_observer_create(&o, &ob);
		qaccel_observer_update(ob, b1, 2);
		qaccel_observer_update(ob, b2, 2);
		tap_ok(!qaccel_observer_range(ob, &lo, &hi) && lo == -5.0f && hi == 15.0f,
		       "moving average: [0,10] then [-10,20] with c = 0.5 gives [-5, 15]");
		qaccel_observer_reset(ob);
		tap_ok(qaccel_observer_range(ob, &lo, &hi) == -ENODATA &&
		       qaccel_observer_qparams(ob, QACCEL_DTYPE_S8, 0, &scale, &zp) == -ENODATA,
		       "no data: -ENODATA (also after reset)");
		tap_ok(qaccel_observer_update(ob, b1, 0) == 0 && qaccel_observer_count(ob) == 0,
		       "empty batch changes nothing");
		qaccel_observer_destroy(ob);
	}

	/* bad options and arguments */
	{
		struct qaccel_observer_opts o;
		struct qaccel_observer *ob = NULL;

		ok = 1;
		memset(&o, 0, sizeof(o));
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.kind = (enum qaccel_observer_kind)6;
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.kind = QACCEL_OBSERVER_ENTROPY;
		o.bins = 100;
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.bins = 256;
		o.target_bins = 512;
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.target_bins = 0;
		o.percentile = 40.0;
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.percentile = 0.0;
		o.averaging_constant = 1.5f;
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.averaging_constant = 0.0f;
		o.reserved[0] = 1;
		ok &= qaccel_observer_create(&o, &ob) == -EINVAL;
		o.reserved[0] = 0;
		ok &= qaccel_observer_create(NULL, &ob) == -EINVAL &&
		      qaccel_observer_create(&o, NULL) == -EINVAL && !ob;
		tap_ok(ok, "observer: bad options rejected");
		qaccel_observer_create(&o, &ob);
		tap_ok(qaccel_observer_update(NULL, data, 1) == -EINVAL &&
		       qaccel_observer_update(ob, NULL, 1) == -EINVAL &&
		       qaccel_observer_range(ob, NULL, &hi) == -EINVAL &&
		       qaccel_observer_reset(NULL) == -EINVAL && qaccel_observer_count(NULL) == 0,
		       "observer: NULL arguments rejected");
		qaccel_observer_update(ob, data, 1000);
		tap_ok(qaccel_observer_qparams(ob, QACCEL_DTYPE_F32, 0, &scale, &zp) == -EINVAL,
		       "observer: bad qparams type rejected");
		qaccel_observer_destroy(ob);
		qaccel_observer_destroy(NULL);
	}
	return tap_done();
}
