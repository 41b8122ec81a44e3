// SPDX-License-Identifier: MIT
/*
 * Layer helper: a fully connected layer as one packed GEMM with bias,
 * requantization and a fused activation.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct qaccel_linear {
	struct qaccel_ctx *ctx;
	struct qaccel_buffer *packed;
	float *w_scales;
	uint32_t k, n;
	enum qaccel_dtype in_type, out_type;
	int32_t in_zp, out_zp, act_min, act_max;
};

static bool qa_zp_ok(enum qaccel_dtype t, int32_t zp)
{
	if (t == QACCEL_DTYPE_U8)
		return zp >= 0 && zp <= 255;
	if (t == QACCEL_DTYPE_S8)
		return zp >= -128 && zp <= 127;
	return false;
}

QACCEL_API int qaccel_linear_create(struct qaccel_ctx *ctx,
				    const struct qaccel_linear_desc *d,
				    struct qaccel_linear **out)
{
	struct qaccel_pack_desc pd;
	struct qaccel_linear *l;
	int32_t qmin, qmax;
	size_t size;
	unsigned int i;
	int err;

	if (!ctx || !d || !out || !d->weight)
		return -EINVAL;
	for (i = 0; i < QA_ARRAY_SIZE(d->reserved); i++)
		if (d->reserved[i])
			return -EINVAL;
	if (!qa_zp_ok(d->in_type, d->in_zero_point) || !qa_zp_ok(d->out_type, d->out_zero_point) ||
	    !(d->in_scale > 0.0f) || !isfinite(d->in_scale) ||
	    !(d->out_scale > 0.0f) || !isfinite(d->out_scale) ||
	    (unsigned int)d->activation > QACCEL_ACT_RELU6)
		return -EINVAL;
	err = qaccel_packed_size(d->out_features, d->in_features, &size);
	if (err)
		return err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->w_scales = calloc(d->out_features, sizeof(float));
	if (!l->w_scales) {
		free(l);
		return -ENOMEM;
	}
	err = qaccel_buffer_alloc(ctx, size, QACCEL_BUFFER_DEVICE_READONLY, &l->packed);
	if (err)
		goto fail;
	memset(&pd, 0, sizeof(pd));
	pd.n = d->out_features;
	pd.k = d->in_features;
	pd.layout = QACCEL_LAYOUT_NK;
	pd.w_type = QACCEL_DTYPE_F32;
	pd.weights = d->weight;
	pd.w_scales = l->w_scales;
	pd.a_scale = d->in_scale;
	pd.out_scale = d->out_scale;
	pd.bias_f32 = d->bias;
	err = qaccel_pack_weights(&pd, qaccel_buffer_ptr(l->packed), size);
	if (err)
		goto fail;

	qmin = d->out_type == QACCEL_DTYPE_U8 ? 0 : -128;
	qmax = d->out_type == QACCEL_DTYPE_U8 ? 255 : 127;
	l->act_min = qmin;
	l->act_max = qmax;
	if (d->activation != QACCEL_ACT_NONE)
		l->act_min = d->out_zero_point;
	if (d->activation == QACCEL_ACT_RELU6) {
		double six = (double)d->out_zero_point + nearbyint(6.0 / (double)d->out_scale);

		l->act_max = six > qmax ? qmax : (int32_t)six;
	}
	l->ctx = ctx;
	l->k = d->in_features;
	l->n = d->out_features;
	l->in_type = d->in_type;
	l->out_type = d->out_type;
	l->in_zp = d->in_zero_point;
	l->out_zp = d->out_zero_point;
	*out = l;
	return 0;
fail:
	qaccel_buffer_free(l->packed);
	free(l->w_scales);
	free(l);
	return err;
}

QACCEL_API int qaccel_linear_job(const struct qaccel_linear *l, struct qaccel_buffer *in,
				 uint64_t in_offset, uint32_t m, struct qaccel_buffer *out,
				 uint64_t out_offset, struct qaccel_gemm_job *job)
{
	if (!l || !in || !out || !job || !m)
		return -EINVAL;
	memset(job, 0, sizeof(*job));
	job->a = in;
	job->a_offset = in_offset;
	job->w = l->packed;
	job->c = out;
	job->c_offset = out_offset;
	job->m = m;
	job->n = l->n;
	job->k = l->k;
	job->lda = l->k;
	job->ldc = l->n;
	job->a_type = l->in_type;
	job->out_type = l->out_type;
	job->a_zp = l->in_zp;
	job->out_zp = l->out_zp;
	job->act_min = l->act_min;
	job->act_max = l->act_max;
	return 0;
}

QACCEL_API int qaccel_linear_forward(struct qaccel_linear *l, struct qaccel_buffer *in,
				     uint64_t in_offset, uint32_t m, struct qaccel_buffer *out,
				     uint64_t out_offset)
{
	struct qaccel_gemm_job job;
	int err = qaccel_linear_job(l, in, in_offset, m, out, out_offset, &job);

	if (err)
		return err;
	return qaccel_run(l->ctx, &job, 1);
}

QACCEL_API const float *qaccel_linear_weight_scales(const struct qaccel_linear *l)
{
	return l ? l->w_scales : NULL;
}

QACCEL_API void qaccel_linear_destroy(struct qaccel_linear *l)
{
	if (!l)
		return;
	qaccel_buffer_free(l->packed);
	free(l->w_scales);
	free(l);
}
