/* SPDX-License-Identifier: MIT */
/*
 * The float multi-layer perceptron the demo and qaccel-quant start from: a
 * chain of fully connected layers fc1, fc2, ... read from safetensors,
 * with a ReLU after every layer but the last, evaluated with OpenBLAS; and
 * the steps from it to a qaccel model (calibration, model description).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TOOLS_MLP_H
#define QACCEL_TOOLS_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "qaccel.h"

#define MLP_MAX_LAYERS	16
#define MLP_MAX_FEATURES	65536

struct mlp {
	unsigned int nlayers;
	uint32_t in[MLP_MAX_LAYERS], out[MLP_MAX_LAYERS];
	float *w[MLP_MAX_LAYERS];	/* [out][in] */
	float *b[MLP_MAX_LAYERS];	/* [out], zeros when the file has none */
	uint64_t file_bytes;		/* size of the safetensors file */
	uint64_t param_bytes;		/* float32 bytes of weights and biases */
};

/*
 * Read fcN.weight [out][in] and fcN.bias [out] (optional) for N = 1, 2, ...
 * until fcN.weight is missing. Float dtypes F32, F16, BF16 and F64 are
 * accepted. Returns 0 or -errno with a reason in why.
 */
int mlp_load(const char *path, struct mlp *m, char *why, size_t why_size);
void mlp_free(struct mlp *m);

/* "784-256-128-10" into buf. */
const char *mlp_arch(const struct mlp *m, char *buf, size_t size);

/* Convert rows of u8 pixels to the network input: pixel / 255. */
void mlp_input(const uint8_t *pix, size_t count, float *x);

/*
 * Float forward pass of rows inputs x (rows x in[0]). outs[l] receives the
 * output of layer l (rows x out[l], after its ReLU); every outs[l] must be
 * given.
 */
void mlp_forward(const struct mlp *m, const float *x, uint32_t rows, float **outs);

/* Per-layer callback of mlp_observe(): layer l's float output, n values. */
typedef int (*mlp_observe_fn)(void *arg, unsigned int layer, const float *x, size_t n);

/*
 * Run count images (rows of in[0] u8 pixels) through the float network in
 * batches and hand every layer's output to fn. progress (may be NULL)
 * receives the number of images done after each batch.
 */
int mlp_observe(const struct mlp *m, const uint8_t *pix, uint32_t count, uint32_t batch,
		mlp_observe_fn fn, void *arg,
		void (*progress)(void *parg, uint64_t done), void *parg);

/* Argmax of each row of a rows x n matrix. */
void argmax_rows(const float *y, uint32_t rows, uint32_t n, uint8_t *pred);

/*
 * The qaccel model description of the network: u8 input with scale 1/255
 * (the pixels as they are), u8 hidden activations with the given ranges
 * (range_min/range_max of layer l's output, ReLU fused), and a last layer
 * with raw s32 output (logits8 == 0) or s8 output over its range.
 * layers must have room for m->nlayers entries.
 */
void mlp_model_desc(const struct mlp *m, const float *range_min, const float *range_max,
		    int logits8, const char *info, struct qaccel_model_layer_desc *layers,
		    struct qaccel_model_desc *desc);

/* Observer names: minmax, ema, percentile, entropy, mse. */
int observer_from_name(const char *name, enum qaccel_observer_kind *kind);
const char *observer_name(enum qaccel_observer_kind kind);

#endif /* QACCEL_TOOLS_MLP_H */
