// SPDX-License-Identifier: MIT
/*
 * onnx_ops.c - ONNX quantization and integer matmul operators on top of
 * libqaccel's public API (see onnx_ops.h).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_ops.h"

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool is_q8(enum onnx_dtype t)
{
	return t == ONNX_UINT8 || t == ONNX_INT8;
}

static enum qaccel_dtype to_qaccel(enum onnx_dtype t)
{
	switch (t) {
	case ONNX_UINT8:
		return QACCEL_DTYPE_U8;
	case ONNX_INT8:
		return QACCEL_DTYPE_S8;
	case ONNX_INT32:
		return QACCEL_DTYPE_S32;
	case ONNX_FLOAT:
		break;
	}
	return QACCEL_DTYPE_F32;
}

/* Element i of an 8-bit tensor as an integer. */
static int32_t q8_at(const struct onnx_tensor *t, size_t i)
{
	if (t->dtype == ONNX_UINT8)
		return ((const uint8_t *)t->data)[i];
	return ((const int8_t *)t->data)[i];
}

static bool is_scalar(const struct onnx_tensor *t)
{
	return t->ndim == 0 || (t->ndim == 1 && t->count == 1);
}

static int tensor_new(struct onnx_tensor *t, enum onnx_dtype dt, unsigned int ndim,
		      const size_t *dims, char *err, size_t errlen)
{
	size_t count = 1;
	unsigned int i;

	if (ndim > ONNX_MAX_DIMS)
		return fail(err, errlen, -EOPNOTSUPP, "output of rank %u", ndim);
	for (i = 0; i < ndim; i++) {
		if (dims[i] && count > ONNX_MAX_ELEMS / dims[i])
			return fail(err, errlen, -EOVERFLOW, "output too large");
		count *= dims[i];
	}
	memset(t, 0, sizeof(*t));
	t->data = calloc(count * onnx_dtype_size(dt) + 1, 1);
	if (!t->data)
		return fail(err, errlen, -ENOMEM, "out of memory");
	t->dtype = dt;
	t->ndim = ndim;
	if (ndim)
		memcpy(t->dims, dims, ndim * sizeof(dims[0]));
	t->count = count;
	return 0;
}

static int check_scales(const struct onnx_tensor *s, const char *name, char *err,
			size_t errlen)
{
	size_t i;

	if (s->dtype != ONNX_FLOAT)
		return fail(err, errlen, -EINVAL, "%s must be FLOAT, got %s", name,
			    onnx_dtype_name(s->dtype));
	for (i = 0; i < s->count; i++) {
		float v = ((const float *)s->data)[i];

		if (!(v > 0.0f) || !isfinite(v))
			return fail(err, errlen, -EINVAL, "%s[%zu] = %g is not a positive finite scale",
				    name, i, (double)v);
	}
	return 0;
}

/*
 * Per-tensor or per-axis parameters of QuantizeLinear / DequantizeLinear:
 * the [outer][channels][inner] view of @x, the scales and the zero points
 * (NULL when the zero point input is omitted).
 */
struct linear_qparams {
	size_t outer, channels, inner;
	const float *scales;
	int32_t *zps;
};

static int linear_qparams(const struct onnx_node *node, const struct onnx_tensor *x,
			  const struct onnx_tensor *scale, const struct onnx_tensor *zp,
			  struct linear_qparams *p, char *err, size_t errlen)
{
	int64_t axis = onnx_node_attr(node, "axis", 1);
	size_t i;
	int ret;

	ret = check_scales(scale, "scale", err, errlen);
	if (ret)
		return ret;
	if (scale->ndim == 0 || (scale->ndim == 1 && scale->count == 1)) {
		/*
		 * A scalar, or a one-element vector: per tensor (for the latter
		 * this is what any valid per-axis reading gives too, the axis
		 * then having extent 1).
		 */
		p->outer = 1;
		p->channels = 1;
		p->inner = x->count;
	} else if (scale->ndim == 1) {
		if (node->opset < 13)
			return fail(err, errlen, -EINVAL,
				    "1-D scale: per-axis quantization needs operator set 13, model has %lld",
				    (long long)node->opset);
		if (x->ndim == 0)
			return fail(err, errlen, -EINVAL, "1-D scale for a scalar input");
		if (axis < -(int64_t)x->ndim || axis >= (int64_t)x->ndim)
			return fail(err, errlen, -EINVAL, "axis %lld out of range for rank %u",
				    (long long)axis, x->ndim);
		ret = qaccel_axis_split(x->dims, x->ndim, (int)axis, &p->outer, &p->channels,
					&p->inner);
		if (ret)
			return fail(err, errlen, ret, "qaccel_axis_split: %s",
				    qaccel_strerror(ret));
		if (p->channels != scale->count)
			return fail(err, errlen, -EINVAL,
				    "%zu scales for axis %lld of extent %zu", scale->count,
				    (long long)axis, p->channels);
	} else {
		return fail(err, errlen, -EINVAL, "scale of rank %u (scalar or 1-D expected)",
			    scale->ndim);
	}
	p->scales = scale->data;
	p->zps = NULL;
	if (!zp)
		return 0;
	if (!is_q8(zp->dtype))
		return fail(err, errlen, -EINVAL, "zero point of type %s (UINT8 or INT8 expected)",
			    onnx_dtype_name(zp->dtype));
	if (zp->ndim != scale->ndim || zp->count != scale->count)
		return fail(err, errlen, -EINVAL, "zero point shape differs from the scale's");
	p->zps = malloc(zp->count * sizeof(int32_t));
	if (!p->zps)
		return fail(err, errlen, -ENOMEM, "out of memory");
	for (i = 0; i < zp->count; i++)
		p->zps[i] = q8_at(zp, i);
	return 0;
}

static int op_quantize(struct qaccel_ctx *ctx, const struct onnx_node *node,
		       const struct onnx_tensor *const *in, struct onnx_tensor *out, char *err,
		       size_t errlen)
{
	const struct onnx_tensor *x = in[0], *zp = node->n_inputs > 2 ? in[2] : NULL;
	enum onnx_dtype yt = zp ? zp->dtype : ONNX_UINT8;
	struct linear_qparams p;
	int ret;

	if (!x || node->n_inputs < 2 || !in[1])
		return fail(err, errlen, -EINVAL, "QuantizeLinear needs x and y_scale");
	if (x->dtype != ONNX_FLOAT)
		return fail(err, errlen, x->dtype == ONNX_INT32 ? -EOPNOTSUPP : -EINVAL,
			    "QuantizeLinear: x of type %s (FLOAT supported)",
			    onnx_dtype_name(x->dtype));
	ret = linear_qparams(node, x, in[1], zp, &p, err, errlen);
	if (ret)
		return ret;
	ret = tensor_new(&out[0], yt, x->ndim, x->dims, err, errlen);
	if (!ret && x->count) {
		ret = qaccel_quantize(ctx, x->data, out[0].data, p.outer, p.channels, p.inner,
				      p.scales, p.zps, to_qaccel(yt));
		if (ret) {
			onnx_tensor_release(&out[0]);
			ret = fail(err, errlen, ret, "qaccel_quantize: %s", qaccel_strerror(ret));
		}
	}
	free(p.zps);
	return ret;
}

static int op_dequantize(struct qaccel_ctx *ctx, const struct onnx_node *node,
			 const struct onnx_tensor *const *in, struct onnx_tensor *out, char *err,
			 size_t errlen)
{
	const struct onnx_tensor *x = in[0], *zp = node->n_inputs > 2 ? in[2] : NULL;
	struct linear_qparams p;
	int ret;

	if (!x || node->n_inputs < 2 || !in[1])
		return fail(err, errlen, -EINVAL, "DequantizeLinear needs x and x_scale");
	if (!is_q8(x->dtype))
		return fail(err, errlen, x->dtype == ONNX_INT32 ? -EOPNOTSUPP : -EINVAL,
			    "DequantizeLinear: x of type %s (UINT8, INT8 supported)",
			    onnx_dtype_name(x->dtype));
	if (zp && zp->dtype != x->dtype)
		return fail(err, errlen, -EINVAL, "x_zero_point is %s but x is %s",
			    onnx_dtype_name(zp->dtype), onnx_dtype_name(x->dtype));
	ret = linear_qparams(node, x, in[1], zp, &p, err, errlen);
	if (ret)
		return ret;
	ret = tensor_new(&out[0], ONNX_FLOAT, x->ndim, x->dims, err, errlen);
	if (!ret && x->count) {
		ret = qaccel_dequantize(ctx, x->data, out[0].data, p.outer, p.channels, p.inner,
					p.scales, p.zps, to_qaccel(x->dtype));
		if (ret) {
			onnx_tensor_release(&out[0]);
			ret = fail(err, errlen, ret, "qaccel_dequantize: %s",
				   qaccel_strerror(ret));
		}
	}
	free(p.zps);
	return ret;
}

static int op_dynamic_quantize(struct qaccel_ctx *ctx, const struct onnx_node *node,
			       const struct onnx_tensor *const *in, struct onnx_tensor *out,
			       char *err, size_t errlen)
{
	const struct onnx_tensor *x = in[0];
	int32_t zp;
	float scale;
	int ret;

	if (!x || node->n_outputs != 3)
		return fail(err, errlen, -EINVAL, "DynamicQuantizeLinear: 1 input, 3 outputs");
	if (x->dtype != ONNX_FLOAT)
		return fail(err, errlen, -EINVAL, "DynamicQuantizeLinear: x of type %s",
			    onnx_dtype_name(x->dtype));
	if (!x->count)
		return fail(err, errlen, -EOPNOTSUPP, "DynamicQuantizeLinear of an empty tensor");
	ret = tensor_new(&out[0], ONNX_UINT8, x->ndim, x->dims, err, errlen);
	if (ret)
		return ret;
	ret = qaccel_dynamic_quantize(ctx, x->data, x->count, out[0].data, QACCEL_DTYPE_U8,
				      &scale, &zp);
	if (ret) {
		onnx_tensor_release(&out[0]);
		return fail(err, errlen, ret, "qaccel_dynamic_quantize: %s",
			    qaccel_strerror(ret));
	}
	ret = tensor_new(&out[1], ONNX_FLOAT, 0, NULL, err, errlen);
	if (!ret) {
		ret = tensor_new(&out[2], ONNX_UINT8, 0, NULL, err, errlen);
		if (ret)
			onnx_tensor_release(&out[1]);
	}
	if (ret) {
		onnx_tensor_release(&out[0]);
		return ret;
	}
	*(float *)out[1].data = scale;
	*(uint8_t *)out[2].data = (uint8_t)zp;
	return 0;
}

/*
 * ONNX MatMul shapes (numpy matmul): A [..., M, K] x B [..., K, N] with
 * the batch dimensions broadcast; a 1-D A is [1, K] and a 1-D B is [K, 1],
 * their unit dimension removed from the output.
 */
struct mm_plan {
	size_t m, k, n;
	size_t batches;		/* output batches */
	size_t b_batches;	/* distinct B matrices */
	unsigned int out_ndim;
	size_t out_dims[ONNX_MAX_DIMS];
	size_t *a_idx, *b_idx;	/* per output batch: batch index of A and of B */
};

static int mm_plan(const struct onnx_tensor *a, const struct onnx_tensor *b, struct mm_plan *p,
		   char *err, size_t errlen)
{
	unsigned int ra, rb, r, i;
	size_t bdims[ONNX_MAX_DIMS], o;

	memset(p, 0, sizeof(*p));
	if (a->ndim < 1 || b->ndim < 1)
		return fail(err, errlen, -EINVAL, "matmul of a scalar");
	ra = a->ndim >= 2 ? a->ndim - 2 : 0;
	rb = b->ndim >= 2 ? b->ndim - 2 : 0;
	r = ra > rb ? ra : rb;
	p->m = a->ndim >= 2 ? a->dims[a->ndim - 2] : 1;
	p->k = a->dims[a->ndim - 1];
	p->n = b->ndim >= 2 ? b->dims[b->ndim - 1] : 1;
	if ((b->ndim >= 2 ? b->dims[b->ndim - 2] : b->dims[0]) != p->k)
		return fail(err, errlen, -EINVAL, "inner dimensions differ: A has K = %zu, B %zu",
			    p->k, b->ndim >= 2 ? b->dims[b->ndim - 2] : b->dims[0]);
	p->batches = 1;
	p->b_batches = 1;
	for (i = 0; i < r; i++) {
		size_t da = i + ra >= r ? a->dims[i + ra - r] : 1;
		size_t db = i + rb >= r ? b->dims[i + rb - r] : 1;

		if (da != db && da != 1 && db != 1)
			return fail(err, errlen, -EINVAL,
				    "batch dimensions %zu and %zu do not broadcast", da, db);
		bdims[i] = da == 1 ? db : da;
		p->batches *= bdims[i];
		p->b_batches *= db;
	}
	p->out_ndim = r;
	memcpy(p->out_dims, bdims, r * sizeof(bdims[0]));
	if (a->ndim >= 2)
		p->out_dims[p->out_ndim++] = p->m;
	if (b->ndim >= 2)
		p->out_dims[p->out_ndim++] = p->n;

	p->a_idx = calloc(p->batches ? p->batches : 1, sizeof(size_t));
	p->b_idx = calloc(p->batches ? p->batches : 1, sizeof(size_t));
	if (!p->a_idx || !p->b_idx) {
		free(p->a_idx);
		free(p->b_idx);
		return fail(err, errlen, -ENOMEM, "out of memory");
	}
	for (o = 0; o < p->batches; o++) {
		size_t rem = o, ai = 0, bi = 0, sa = 1, sb = 1;

		/* unravel o over bdims (last fastest), ravel into A's and B's */
		for (i = r; i-- > 0;) {
			size_t c = rem % bdims[i];
			size_t da = i + ra >= r ? a->dims[i + ra - r] : 1;
			size_t db = i + rb >= r ? b->dims[i + rb - r] : 1;

			rem /= bdims[i];
			ai += (da == 1 ? 0 : c) * sa;
			bi += (db == 1 ? 0 : c) * sb;
			sa *= da;
			sb *= db;
		}
		p->a_idx[o] = ai;
		p->b_idx[o] = bi;
	}
	return 0;
}

static void mm_plan_free(struct mm_plan *p)
{
	free(p->a_idx);
	free(p->b_idx);
}

/*
 * The GEMMs of a matmul node on the engine path: every B matrix packed once
 * (u8/s8 weights with per-column zero points, optional Q31 requantization
 * arrays), A copied into a buffer, one job per output batch, all submitted
 * together and reaped.
 */
struct mm_args {
	const struct onnx_tensor *a, *b;
	int32_t a_zp;
	const int32_t *w_zp;	/* N entries */
	const int32_t *mult;	/* N entries, NULL for s32 output */
	const int32_t *shift;
	enum onnx_dtype out_type;
	int32_t out_zp;
};

static int mm_run(struct qaccel_ctx *ctx, const struct mm_plan *p, const struct mm_args *args,
		  void *c_out, char *err, size_t errlen)
{
	size_t psize, pstride, esize = onnx_dtype_size(args->out_type);
	size_t a_mat = p->m * p->k, c_mat = p->m * p->n * esize, i;
	struct qaccel_buffer *abuf = NULL, *wbuf = NULL, *cbuf = NULL;
	struct qaccel_gemm_job *jobs = NULL;
	struct qaccel_completion *done = NULL;
	unsigned char *seen = NULL;
	size_t a_bytes = args->a->count ? args->a->count : 1;
	int ret;

	if (p->m > UINT32_MAX || p->n > UINT32_MAX || p->k > UINT32_MAX)
		return fail(err, errlen, -E2BIG, "matmul dimensions too large");
	ret = qaccel_packed_size((uint32_t)p->n, (uint32_t)p->k, &psize);
	if (ret)
		return fail(err, errlen, ret, "qaccel_packed_size(%zu, %zu): %s", p->n, p->k,
			    qaccel_strerror(ret));
	pstride = (psize + 63) & ~(size_t)63;

	ret = qaccel_buffer_alloc(ctx, pstride * p->b_batches, QACCEL_BUFFER_DEVICE_READONLY,
				  &wbuf);
	if (!ret)
		ret = qaccel_buffer_alloc(ctx, a_bytes, 0, &abuf);
	if (!ret)
		ret = qaccel_buffer_alloc(ctx, c_mat * p->batches, 0, &cbuf);
	if (ret) {
		fail(err, errlen, ret, "qaccel_buffer_alloc: %s", qaccel_strerror(ret));
		goto out;
	}
	memcpy(qaccel_buffer_ptr(abuf), args->a->data, args->a->count);

	for (i = 0; i < p->b_batches; i++) {
		struct qaccel_pack_desc d = {
			.n = (uint32_t)p->n,
			.k = (uint32_t)p->k,
			.layout = QACCEL_LAYOUT_KN,
			.w_type = to_qaccel(args->b->dtype),
			.weights = (const uint8_t *)args->b->data + i * p->k * p->n,
			.w_zero_points = args->w_zp,
			.mult = args->mult,
			.shift = args->shift,
		};

		ret = qaccel_pack_weights(&d, (char *)qaccel_buffer_ptr(wbuf) + i * pstride,
					  psize);
		if (ret) {
			fail(err, errlen, ret, "qaccel_pack_weights: %s", qaccel_strerror(ret));
			goto out;
		}
	}

	jobs = calloc(p->batches, sizeof(*jobs));
	done = calloc(p->batches, sizeof(*done));
	seen = calloc(p->batches, 1);
	if (!jobs || !done || !seen) {
		ret = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < p->batches; i++) {
		struct qaccel_gemm_job *j = &jobs[i];

		j->a = abuf;
		j->a_offset = p->a_idx[i] * a_mat;
		j->w = wbuf;
		j->w_offset = p->b_idx[i] * pstride;
		j->c = cbuf;
		j->c_offset = i * c_mat;
		j->m = (uint32_t)p->m;
		j->n = (uint32_t)p->n;
		j->k = (uint32_t)p->k;
		j->lda = (uint32_t)p->k;
		j->ldc = (uint32_t)(p->n * esize);
		j->a_type = to_qaccel(args->a->dtype);
		j->out_type = to_qaccel(args->out_type);
		j->a_zp = args->a_zp;
		if (args->out_type != ONNX_INT32) {
			j->out_zp = args->out_zp;
			j->act_min = args->out_type == ONNX_UINT8 ? 0 : -128;
			j->act_max = args->out_type == ONNX_UINT8 ? 255 : 127;
		}
		j->user_data = 0x6f6e6e78000000ull + i;
	}

	/* submit in batches of at most the queue depth, reap everything */
	for (i = 0; i < p->batches;) {
		size_t chunk = p->batches - i, got = 0;

		if (chunk > QACCEL_QUEUE_DEPTH)
			chunk = QACCEL_QUEUE_DEPTH;
		ret = qaccel_submit(ctx, jobs + i, (unsigned int)chunk);
		if (ret) {
			fail(err, errlen, ret, "qaccel_submit(%zu jobs): %s", chunk,
			     qaccel_strerror(ret));
			goto out;
		}
		while (got < chunk) {
			int n = qaccel_reap(ctx, done, (unsigned int)(chunk - got),
					    (unsigned int)(chunk - got), -1);
			int c;

			if (n <= 0) {
				ret = n ? n : -EIO;
				fail(err, errlen, ret, "qaccel_reap: %s", qaccel_strerror(ret));
				goto out;
			}
			for (c = 0; c < n; c++) {
				uint64_t idx = done[c].user_data - 0x6f6e6e78000000ull;

				if (idx < i || idx >= i + chunk || seen[idx]) {
					ret = fail(err, errlen, -EIO,
						   "completion with unexpected user_data %#llx",
						   (unsigned long long)done[c].user_data);
					goto out;
				}
				seen[idx] = 1;
				if (done[c].result) {
					ret = done[c].result;
					fail(err, errlen, ret, "job %llu failed: %s",
					     (unsigned long long)idx, qaccel_strerror(ret));
					goto out;
				}
			}
			got += (size_t)n;
		}
		i += chunk;
	}
	memcpy(c_out, qaccel_buffer_ptr(cbuf), c_mat * p->batches);
	ret = 0;
out:
	/*
	 * After a reap or job failure other jobs of the batch may still use
	 * the buffers: qaccel_buffer_free() then refuses (-EBUSY) and
	 * qaccel_close() releases them.
	 */
	qaccel_buffer_free(cbuf);
	qaccel_buffer_free(abuf);
	qaccel_buffer_free(wbuf);
	free(seen);
	free(done);
	free(jobs);
	return ret;
}

/*
 * A per-tensor or per-column parameter (zero point or scale) of the B
 * operand: 1 value, or N values in a 1-D tensor.
 */
static int per_column(const struct onnx_tensor *t, size_t n, const char *name, char *err,
		      size_t errlen)
{
	if (is_scalar(t))
		return 0;
	if (t->ndim == 1 && t->count == n)
		return 0;
	return fail(err, errlen, -EINVAL, "%s: %zu values for %zu columns (scalar or 1-D of N)",
		    name, t->count, n);
}

static int op_matmul_integer(struct qaccel_ctx *ctx, const struct onnx_node *node,
			     const struct onnx_tensor *const *in, struct onnx_tensor *out,
			     char *err, size_t errlen)
{
	const struct onnx_tensor *a = in[0], *b = node->n_inputs > 1 ? in[1] : NULL;
	const struct onnx_tensor *azp = node->n_inputs > 2 ? in[2] : NULL;
	const struct onnx_tensor *bzp = node->n_inputs > 3 ? in[3] : NULL;
	struct mm_args args = { .a = a, .b = b, .out_type = ONNX_INT32 };
	int32_t *w_zp = NULL;
	struct mm_plan p;
	size_t i;
	int ret;

	if (!a || !b)
		return fail(err, errlen, -EINVAL, "MatMulInteger needs A and B");
	if (!is_q8(a->dtype) || !is_q8(b->dtype))
		return fail(err, errlen, -EINVAL, "MatMulInteger: A %s, B %s (UINT8 or INT8)",
			    onnx_dtype_name(a->dtype), onnx_dtype_name(b->dtype));
	ret = mm_plan(a, b, &p, err, errlen);
	if (ret)
		return ret;
	if (azp) {
		if (azp->dtype != a->dtype) {
			ret = fail(err, errlen, -EINVAL, "a_zero_point is %s but A is %s",
				   onnx_dtype_name(azp->dtype), onnx_dtype_name(a->dtype));
			goto out;
		}
		if (!is_scalar(azp)) {
			/* valid ONNX (one zero point per row of A), not an engine feature */
			ret = fail(err, errlen, -EOPNOTSUPP,
				   "per-row a_zero_point (%zu values): the engine has one a_zp per GEMM",
				   azp->count);
			goto out;
		}
		args.a_zp = q8_at(azp, 0);
	}
	if (bzp) {
		if (bzp->dtype != b->dtype) {
			ret = fail(err, errlen, -EINVAL, "b_zero_point is %s but B is %s",
				   onnx_dtype_name(bzp->dtype), onnx_dtype_name(b->dtype));
			goto out;
		}
		ret = per_column(bzp, p.n, "b_zero_point", err, errlen);
		if (ret)
			goto out;
	}
	ret = tensor_new(&out[0], ONNX_INT32, p.out_ndim, p.out_dims, err, errlen);
	if (ret)
		goto out;
	if (!out[0].count)
		goto out;
	if (!p.k) {
		ret = fail(err, errlen, -EOPNOTSUPP, "matmul with K = 0");
		goto out_release;
	}
	w_zp = calloc(p.n, sizeof(*w_zp));
	if (!w_zp) {
		ret = fail(err, errlen, -ENOMEM, "out of memory");
		goto out_release;
	}
	for (i = 0; bzp && i < p.n; i++)
		w_zp[i] = q8_at(bzp, is_scalar(bzp) ? 0 : i);
	args.w_zp = w_zp;
	ret = mm_run(ctx, &p, &args, out[0].data, err, errlen);
out_release:
	if (ret)
		onnx_tensor_release(&out[0]);
out:
	free(w_zp);
	mm_plan_free(&p);
	return ret;
}

/* Real requantization multiplier of column n. */
static double qmm_multiplier(const struct onnx_tensor *const *in, size_t n)
{
	const struct onnx_tensor *bs = in[4];
	double as = *(const float *)in[1]->data, ys = *(const float *)in[6]->data;
	double b = ((const float *)bs->data)[is_scalar(bs) ? 0 : n];

	/*
	 * The product of two floats is exact in double; the quotient is the
	 * closest double to the real multiplier, well inside Q31's precision.
	 */
	return as * b / ys;
}

static int qmm_check(const struct onnx_tensor *const *in, struct mm_plan *p, char *err,
		     size_t errlen)
{
	static const char *const names[8] = {
		"a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale",
		"y_zero_point",
	};
	int i, ret;

	for (i = 0; i < 8; i++)
		if (!in[i])
			return fail(err, errlen, -EINVAL, "QLinearMatMul: input %s missing",
				    names[i]);
	if (!is_q8(in[0]->dtype) || !is_q8(in[3]->dtype) || !is_q8(in[7]->dtype))
		return fail(err, errlen, -EINVAL, "QLinearMatMul: a %s, b %s, y %s (UINT8 or INT8)",
			    onnx_dtype_name(in[0]->dtype), onnx_dtype_name(in[3]->dtype),
			    onnx_dtype_name(in[7]->dtype));
	if (in[2]->dtype != in[0]->dtype || in[5]->dtype != in[3]->dtype)
		return fail(err, errlen, -EINVAL,
			    "QLinearMatMul: zero point types differ from a / b");
	for (i = 1; i <= 6; i += 5) {
		ret = check_scales(in[i], names[i], err, errlen);
		if (ret)
			return ret;
		if (!is_scalar(in[i]))
			return fail(err, errlen, -EINVAL, "%s must be a scalar", names[i]);
	}
	ret = check_scales(in[4], names[4], err, errlen);
	if (ret)
		return ret;
	if (!is_scalar(in[2]) || !is_scalar(in[7]))
		return fail(err, errlen, -EINVAL, "a_zero_point and y_zero_point must be scalars");
	ret = mm_plan(in[0], in[3], p, err, errlen);
	if (ret)
		return ret;
	ret = per_column(in[4], p->n, "b_scale", err, errlen);
	if (!ret)
		ret = per_column(in[5], p->n, "b_zero_point", err, errlen);
	if (ret)
		mm_plan_free(p);
	return ret;
}

static int op_qlinear_matmul(struct qaccel_ctx *ctx, const struct onnx_node *node,
			     const struct onnx_tensor *const *in, struct onnx_tensor *out,
			     char *err, size_t errlen)
{
	const struct onnx_tensor *bzp;
	int32_t *w_zp = NULL, *mult = NULL, *shift = NULL;
	struct mm_args args;
	struct mm_plan p;
	size_t i;
	int ret;

	if (node->n_inputs != 8)
		return fail(err, errlen, -EINVAL, "QLinearMatMul has 8 inputs, node has %u",
			    node->n_inputs);
	ret = qmm_check(in, &p, err, errlen);
	if (ret)
		return ret;
	bzp = in[5];
	ret = tensor_new(&out[0], in[7]->dtype, p.out_ndim, p.out_dims, err, errlen);
	if (ret || !out[0].count)
		goto out;
	if (!p.k) {
		ret = fail(err, errlen, -EOPNOTSUPP, "matmul with K = 0");
		goto out_release;
	}
	w_zp = calloc(p.n, sizeof(*w_zp));
	mult = calloc(p.n, sizeof(*mult));
	shift = calloc(p.n, sizeof(*shift));
	if (!w_zp || !mult || !shift) {
		ret = fail(err, errlen, -ENOMEM, "out of memory");
		goto out_release;
	}
	for (i = 0; i < p.n; i++) {
		double real = qmm_multiplier(in, i);

		w_zp[i] = q8_at(bzp, is_scalar(bzp) ? 0 : i);
		ret = qaccel_requant_params(real, &mult[i], &shift[i]);
		if (ret) {
			fail(err, errlen, ret, "qaccel_requant_params(%.17g): %s", real,
			     qaccel_strerror(ret));
			goto out_release;
		}
	}
	args = (struct mm_args){
		.a = in[0], .b = in[3], .a_zp = q8_at(in[2], 0), .w_zp = w_zp,
		.mult = mult, .shift = shift, .out_type = in[7]->dtype,
		.out_zp = q8_at(in[7], 0),
	};
	ret = mm_run(ctx, &p, &args, out[0].data, err, errlen);
out_release:
	if (ret)
		onnx_tensor_release(&out[0]);
out:
	free(w_zp);
	free(mult);
	free(shift);
	mm_plan_free(&p);
	return ret;
}

int onnx_qlinearmatmul_detail(const struct onnx_tensor *const *in, size_t idx,
			      struct onnx_qmm_detail *d, char *err, size_t errlen)
{
	const struct onnx_tensor *a = in[0], *b = in[3], *bzp = in[5];
	size_t batch, row, col, kk, ai, bi;
	int32_t azp, yzp, lo, hi, w;
	uint32_t acc = 0;
	struct mm_plan p;
	double r;
	int ret;

	ret = qmm_check(in, &p, err, errlen);
	if (ret)
		return ret;
	if (idx >= p.batches * p.m * p.n) {
		mm_plan_free(&p);
		return fail(err, errlen, -EINVAL, "element %zu out of range", idx);
	}
	batch = idx / (p.m * p.n);
	row = idx / p.n % p.m;
	col = idx % p.n;
	ai = p.a_idx[batch];
	bi = p.b_idx[batch];
	mm_plan_free(&p);

	azp = q8_at(in[2], 0);
	yzp = q8_at(in[7], 0);
	w = q8_at(bzp, is_scalar(bzp) ? 0 : col);
	lo = in[7]->dtype == ONNX_UINT8 ? 0 : -128;
	hi = in[7]->dtype == ONNX_UINT8 ? 255 : 127;
	/* independent of the engine: a plain wrapping int32 dot product */
	for (kk = 0; kk < p.k; kk++) {
		int32_t x = q8_at(a, (ai * p.m + row) * p.k + kk) - azp;
		int32_t y = q8_at(b, (bi * p.k + kk) * p.n + col) - w;

		acc += (uint32_t)(x * y);
	}
	memset(d, 0, sizeof(*d));
	d->acc = (int32_t)acc;
	d->multiplier = qmm_multiplier(in, col);
	ret = qaccel_requant_params(d->multiplier, &d->mult, &d->shift);
	if (ret)
		return fail(err, errlen, ret, "qaccel_requant_params: %s", qaccel_strerror(ret));
	d->engine = qaccel_requant_apply(d->acc, d->mult, d->shift, yzp, lo, hi);
	d->exact = d->acc * d->multiplier;
	r = nearbyint(d->exact) + yzp;	/* default rounding: half to even */
	d->reference = (int32_t)(r < lo ? lo : r > hi ? hi : r);
	return 0;
}

/*
 * Attributes an operator may carry here: an attribute this code does not
 * know would change the semantics, so it is refused rather than ignored.
 */
static int check_attrs(const struct onnx_node *node, char *err, size_t errlen)
{
	bool axis_ok = !strcmp(node->op_type, "QuantizeLinear") ||
		       !strcmp(node->op_type, "DequantizeLinear");
	unsigned int i;

	for (i = 0; i < node->n_attrs; i++)
		if (!axis_ok || strcmp(node->attr_name[i], "axis"))
			return fail(err, errlen, -EOPNOTSUPP, "%s: attribute '%s' not supported",
				    node->op_type, node->attr_name[i]);
	return 0;
}

int onnx_run_node(struct qaccel_ctx *ctx, const struct onnx_node *node,
		  const struct onnx_tensor *const *in, struct onnx_tensor *out, char *err,
		  size_t errlen)
{
	int ret;

	if (!ctx || !node || !in || !out)
		return fail(err, errlen, -EINVAL, "invalid arguments");
	ret = check_attrs(node, err, errlen);
	if (ret)
		return ret;
	if (node->n_inputs < 1 || !in[0])
		return fail(err, errlen, -EINVAL, "%s: first input missing", node->op_type);
	if (!strcmp(node->op_type, "QuantizeLinear"))
		return op_quantize(ctx, node, in, out, err, errlen);
	if (!strcmp(node->op_type, "DequantizeLinear"))
		return op_dequantize(ctx, node, in, out, err, errlen);
	if (!strcmp(node->op_type, "DynamicQuantizeLinear"))
		return op_dynamic_quantize(ctx, node, in, out, err, errlen);
	if (!strcmp(node->op_type, "MatMulInteger"))
		return op_matmul_integer(ctx, node, in, out, err, errlen);
	if (!strcmp(node->op_type, "QLinearMatMul"))
		return op_qlinear_matmul(ctx, node, in, out, err, errlen);
	return fail(err, errlen, -EOPNOTSUPP, "operator %s not supported", node->op_type);
}
