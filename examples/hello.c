// SPDX-License-Identifier: MIT
/*
 * hello: the smallest complete libqaccel program. It opens a context on the
 * default backend, quantizes a float input, quantizes and packs a linear
 * layer, runs it, and compares the int8 result with float arithmetic.
 *
 *   cc hello.c $(pkg-config --cflags --libs libqaccel) -o hello
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <qaccel.h>

#define IN	8
#define OUT	4
#define ROWS	2

static int fail(const char *what, int err)
{
	fprintf(stderr, "hello: %s: %s\n", what, qaccel_strerror(err));
	return 1;
}

int main(void)
{
	static const float x[ROWS][IN] = {
		{ 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f },
		{ 3.5f, 3.0f, 2.5f, 2.0f, 1.5f, 1.0f, 0.5f, 0.0f },
	};
	static const float w[OUT][IN] = {	/* [out][in], as PyTorch stores it */
		{ 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f },
		{ -0.5f, 0.5f, -0.5f, 0.5f, -0.5f, 0.5f, -0.5f, 0.5f },
		{ 0.25f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, -0.25f },
		{ 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f },
	};
	static const float bias[OUT] = { 0.1f, -0.2f, 0.0f, 0.3f };
	struct qaccel_linear_desc desc;
	struct qaccel_buffer *in = NULL, *out = NULL;
	struct qaccel_linear *layer = NULL;
	struct qaccel_ctx *ctx = NULL;
	float in_scale, out_scale, y[ROWS][OUT], worst = 0.0f;
	int32_t in_zp, out_zp;
	int8_t *q;
	int err, r, o, i;

	err = qaccel_open(&ctx, NULL);
	if (err)
		return fail("qaccel_open", err);
	printf("libqaccel %s, backend: %s", qaccel_version(),
	       qaccel_backend_kind_name(qaccel_ctx_backend(ctx)));
	if (qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU)
		printf(" (isa %s, %u threads)", qaccel_isa_name(qaccel_ctx_isa(ctx)),
		       qaccel_ctx_threads(ctx));
	printf("\n");

	/* Activations: u8 over [0, 3.5]; outputs: s8 over [-10, 10]. */
	err = qaccel_qparams_from_range(0.0f, 3.5f, QACCEL_DTYPE_U8, 0, &in_scale, &in_zp);
	if (!err)
		err = qaccel_qparams_from_range(-10.0f, 10.0f, QACCEL_DTYPE_S8, 0, &out_scale,
						&out_zp);
	if (err)
		return fail("qaccel_qparams_from_range", err);

	memset(&desc, 0, sizeof(desc));
	desc.in_features = IN;
	desc.out_features = OUT;
	desc.weight = &w[0][0];
	desc.bias = bias;
	desc.in_type = QACCEL_DTYPE_U8;
	desc.in_scale = in_scale;
	desc.in_zero_point = in_zp;
	desc.out_type = QACCEL_DTYPE_S8;
	desc.out_scale = out_scale;
	desc.out_zero_point = out_zp;
	err = qaccel_linear_create(ctx, &desc, &layer);
	if (err)
		return fail("qaccel_linear_create", err);

	err = qaccel_buffer_alloc(ctx, ROWS * IN, 0, &in);
	if (!err)
		err = qaccel_buffer_alloc(ctx, ROWS * OUT, 0, &out);
	if (err)
		return fail("qaccel_buffer_alloc", err);
	err = qaccel_quantize(ctx, &x[0][0], qaccel_buffer_ptr(in), 1, 1, ROWS * IN,
			      &in_scale, &in_zp, QACCEL_DTYPE_U8);
	if (err)
		return fail("qaccel_quantize", err);

	err = qaccel_linear_forward(layer, in, 0, ROWS, out, 0);
	if (err)
		return fail("qaccel_linear_forward", err);
	err = qaccel_dequantize(ctx, qaccel_buffer_ptr(out), &y[0][0], 1, 1, ROWS * OUT,
				&out_scale, &out_zp, QACCEL_DTYPE_S8);
	if (err)
		return fail("qaccel_dequantize", err);

	q = qaccel_buffer_ptr(out);
	for (r = 0; r < ROWS; r++) {
		for (o = 0; o < OUT; o++) {
			float ref = bias[o];

			for (i = 0; i < IN; i++)
				ref += w[o][i] * x[r][i];
			printf("y[%d][%d] = %7.4f (int8 %4d), float %7.4f\n", r, o, y[r][o],
			       q[r * OUT + o], ref);
			if (fabsf(y[r][o] - ref) > worst)
				worst = fabsf(y[r][o] - ref);
		}
	}
	printf("largest difference %.4f (output step %.4f)\n", worst, out_scale);

	qaccel_buffer_free(in);
	qaccel_buffer_free(out);
	qaccel_linear_destroy(layer);
	qaccel_close(ctx);
	return worst <= 2.0f * out_scale ? 0 : 1;
}
