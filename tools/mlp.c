// SPDX-License-Identifier: MIT
/*
 * Float MLP (safetensors weights, OpenBLAS forward pass) and the steps to a
 * qaccel model.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "safetensors.h"
#include "util.h"

/* Largest float model file read. */
#define MLP_MAX_FILE	(1ull << 30)

void mlp_free(struct mlp *m)
{
	unsigned int i;

	for (i = 0; i < MLP_MAX_LAYERS; i++) {
		free(m->w[i]);
		free(m->b[i]);
	}
	memset(m, 0, sizeof(*m));
}

/*
 * Subnormal values (0 < |x| < FLT_MIN) are stored as zero. Training leaves
 * thousands of them in the demo model's weights; they change no result
 * (each is below 1.2e-38), but on x86 every product that takes one in
 * goes through a microcode assist about a hundred times slower than a
 * normal one, which made the float baseline several times slower than
 * OpenBLAS really is. Inference frameworks flush them the same way.
 */
static void flush_subnormals(float *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fpclassify(x[i]) == FP_SUBNORMAL)
			x[i] = 0.0f;
}

static int load_f32(const struct st_tensor *t, float **out, char *why, size_t why_size)
{
	int err;

	*out = malloc(sizeof(float) * (t->numel ? t->numel : 1));
	if (!*out)
		return -ENOMEM;
	err = st_to_f32(t, *out);
	if (!err)
		flush_subnormals(*out, t->numel);
	if (err == -EOPNOTSUPP)
		snprintf(why, why_size, "tensor \"%s\": dtype %s is not a float type", t->name,
			 st_dtype_name(t->dtype));
	else if (err)
		snprintf(why, why_size, "tensor \"%s\": holds NaN or infinite values", t->name);
	return err;
}

int mlp_load(const char *path, struct mlp *m, char *why, size_t why_size)
{
	struct safetensors st;
	unsigned int l, used = 0;
	char name[32];
	int err;

	memset(m, 0, sizeof(*m));
	err = st_load(path, MLP_MAX_FILE, &st, why, why_size);
	if (err)
		return err;
	m->file_bytes = st.size;
	for (l = 0; l < MLP_MAX_LAYERS + 1; l++) {
		const struct st_tensor *w, *b;

		snprintf(name, sizeof(name), "fc%u.weight", l + 1);
		w = st_find(&st, name);
		if (!w)
			break;
		if (l == MLP_MAX_LAYERS) {
			snprintf(why, why_size, "more than %u layers", MLP_MAX_LAYERS);
			err = -E2BIG;
			goto fail;
		}
		used++;
		if (w->ndim != 2 || !w->shape[0] || !w->shape[1] ||
		    w->shape[0] > MLP_MAX_FEATURES || w->shape[1] > MLP_MAX_FEATURES) {
			snprintf(why, why_size, "%s: shape must be [out][in], each 1 to %u", name,
				 MLP_MAX_FEATURES);
			err = -EBADMSG;
			goto fail;
		}
		m->out[l] = (uint32_t)w->shape[0];
		m->in[l] = (uint32_t)w->shape[1];
		if (l && m->in[l] != m->out[l - 1]) {
			snprintf(why, why_size, "%s takes %u inputs but fc%u gives %u", name,
				 m->in[l], l, m->out[l - 1]);
			err = -EBADMSG;
			goto fail;
		}
		err = load_f32(w, &m->w[l], why, why_size);
		if (err)
			goto fail;
		snprintf(name, sizeof(name), "fc%u.bias", l + 1);
		b = st_find(&st, name);
		if (b) {
			used++;
			if (b->ndim != 1 || b->shape[0] != m->out[l]) {
				snprintf(why, why_size, "%s: shape must be [%u]", name, m->out[l]);
				err = -EBADMSG;
				goto fail;
			}
			err = load_f32(b, &m->b[l], why, why_size);
			if (err)
				goto fail;
		} else {
			m->b[l] = calloc(m->out[l], sizeof(float));
			if (!m->b[l]) {
				err = -ENOMEM;
				goto fail;
			}
		}
		m->param_bytes += 4ull * m->out[l] * (m->in[l] + 1ull);
		m->nlayers++;
	}
	if (!m->nlayers) {
		snprintf(why, why_size, "no layer: the file has no tensor \"fc1.weight\"");
		err = -EBADMSG;
		goto fail;
	}
	if (used != st.count) {
		/* Tensors beyond fc1..fcN: not a plain MLP of this convention. */
		for (l = 0; l < st.count; l++) {
			const char *n = st.tensors[l].name;
			unsigned int idx;
			char tail[16];

			if (sscanf(n, "fc%u.%15s", &idx, tail) != 2 || idx < 1 ||
			    idx > m->nlayers || (strcmp(tail, "weight") && strcmp(tail, "bias"))) {
				snprintf(why, why_size, "unexpected tensor \"%.64s\" (expected "
					 "fc1.weight, fc1.bias, fc2.weight, ...)", n);
				err = -EBADMSG;
				goto fail;
			}
		}
	}
	st_free(&st);
	return 0;
fail:
	if (err == -ENOMEM)
		snprintf(why, why_size, "out of memory");
	st_free(&st);
	mlp_free(m);
	return err;
}

const char *mlp_arch(const struct mlp *m, char *buf, size_t size)
{
	size_t len;
	unsigned int l;

	snprintf(buf, size, "%u", m->nlayers ? m->in[0] : 0);
	for (l = 0; l < m->nlayers; l++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "-%u", m->out[l]);
	}
	return buf;
}

void mlp_input(const uint8_t *pix, size_t count, float *x)
{
	size_t i;

	for (i = 0; i < count; i++)
		x[i] = (float)pix[i] / 255.0f;
}

void mlp_forward(const struct mlp *m, const float *x, uint32_t rows, float **outs)
{
	const float *in = x;
	unsigned int l;
	size_t r, n;

	for (l = 0; l < m->nlayers; l++) {
		float *y = outs[l];

		for (r = 0; r < rows; r++)
			memcpy(y + r * m->out[l], m->b[l], sizeof(float) * m->out[l]);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)m->out[l],
			    (int)m->in[l], 1.0f, in, (int)m->in[l], m->w[l], (int)m->in[l], 1.0f,
			    y, (int)m->out[l]);
		if (l + 1 < m->nlayers)
			for (n = 0; n < (size_t)rows * m->out[l]; n++)
				y[n] = y[n] > 0.0f ? y[n] : 0.0f;
		in = y;
	}
}

int mlp_observe(const struct mlp *m, const uint8_t *pix, uint32_t count, uint32_t batch,
		mlp_observe_fn fn, void *arg,
		void (*progress)(void *parg, uint64_t done), void *parg)
{
	float *x, *outs[MLP_MAX_LAYERS] = { 0 };
	uint32_t done, n;
	unsigned int l;
	int err = 0;

	x = malloc(sizeof(float) * batch * m->in[0]);
	for (l = 0; l < m->nlayers; l++)
		outs[l] = malloc(sizeof(float) * batch * m->out[l]);
	for (l = 0; l < m->nlayers; l++)
		if (!outs[l])
			err = -ENOMEM;
	if (!x || err) {
		err = -ENOMEM;
		goto out;
	}
	for (done = 0; done < count; done += n) {
		n = count - done < batch ? count - done : batch;
		mlp_input(pix + (size_t)done * m->in[0], (size_t)n * m->in[0], x);
		mlp_forward(m, x, n, outs);
		for (l = 0; l < m->nlayers; l++) {
			err = fn(arg, l, outs[l], (size_t)n * m->out[l]);
			if (err)
				goto out;
		}
		if (progress)
			progress(parg, done + n);
	}
out:
	free(x);
	for (l = 0; l < m->nlayers; l++)
		free(outs[l]);
	return err;
}

void argmax_rows(const float *y, uint32_t rows, uint32_t n, uint8_t *pred)
{
	uint32_t r, i, best;

	for (r = 0; r < rows; r++) {
		const float *row = y + (size_t)r * n;

		best = 0;
		for (i = 1; i < n; i++)
			if (row[i] > row[best])
				best = i;
		pred[r] = (uint8_t)best;
	}
}

void mlp_model_desc(const struct mlp *m, const float *range_min, const float *range_max,
		    int logits8, const char *info, struct qaccel_model_layer_desc *layers,
		    struct qaccel_model_desc *desc)
{
	unsigned int l;

	memset(desc, 0, sizeof(*desc));
	desc->layer_count = m->nlayers;
	desc->layers = layers;
	desc->in_type = QACCEL_DTYPE_U8;
	desc->in_scale = 1.0f / 255.0f;
	desc->in_zero_point = 0;
	desc->info = info;
	for (l = 0; l < m->nlayers; l++) {
		struct qaccel_model_layer_desc *d = &layers[l];
		bool last = l + 1 == m->nlayers;

		memset(d, 0, sizeof(*d));
		d->in_features = m->in[l];
		d->out_features = m->out[l];
		d->weight = m->w[l];
		d->bias = m->b[l];
		d->out_min = range_min[l];
		d->out_max = range_max[l];
		if (last && !logits8) {
			d->out_type = QACCEL_DTYPE_S32;
			d->activation = QACCEL_ACT_NONE;
			continue;
		}
		d->out_type = last ? QACCEL_DTYPE_S8 : QACCEL_DTYPE_U8;
		d->activation = last ? QACCEL_ACT_NONE : QACCEL_ACT_RELU;
		if (qaccel_qparams_from_range(last ? range_min[l] : 0.0f, range_max[l],
					      d->out_type, 0, &d->out_scale,
					      &d->out_zero_point)) {
			d->out_scale = 1.0f;
			d->out_zero_point = 0;
		}
	}
}

static const struct {
	const char *name;
	enum qaccel_observer_kind kind;
} observers[] = {
	{ "minmax", QACCEL_OBSERVER_MINMAX },
	{ "ema", QACCEL_OBSERVER_MOVING_MINMAX },
	{ "percentile", QACCEL_OBSERVER_PERCENTILE },
	{ "entropy", QACCEL_OBSERVER_ENTROPY },
	{ "mse", QACCEL_OBSERVER_MSE },
};

int observer_from_name(const char *name, enum qaccel_observer_kind *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(observers); i++) {
		if (!strcmp(name, observers[i].name)) {
			*kind = observers[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

const char *observer_name(enum qaccel_observer_kind kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(observers); i++)
		if (observers[i].kind == kind)
			return observers[i].name;
	return "?";
}
