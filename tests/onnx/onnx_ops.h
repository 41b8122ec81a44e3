/* SPDX-License-Identifier: MIT */
/*
 * onnx_ops.h - the ONNX operators of the conformance suite, executed with
 * libqaccel's public API:
 *
 *   QuantizeLinear, DequantizeLinear   qaccel_quantize() / qaccel_dequantize()
 *                                      (per tensor, or per axis through
 *                                      qaccel_axis_split())
 *   DynamicQuantizeLinear              qaccel_dynamic_quantize()
 *   MatMulInteger                      B packed with qaccel_pack_weights()
 *                                      (w_zp = b_zero_point), one s32 GEMM
 *                                      job per (broadcast) batch
 *   QLinearMatMul                      the same with Q31 multipliers from
 *                                      qaccel_requant_params(a_scale *
 *                                      b_scale / y_scale) and u8/s8 output
 *                                      with y_zero_point
 *
 * Jobs are submitted together (qaccel_submit()) and reaped
 * (qaccel_reap()) on the given CPU context.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_ONNX_OPS_H
#define QACCEL_ONNX_OPS_H

#include "onnx_reader.h"
#include "qaccel.h"

/**
 * onnx_run_node() - execute a node
 * @ctx: CPU context
 * @node: the node (op_type, attributes)
 * @in: one tensor per node input, NULL for an omitted optional input
 * @out: receives the node's outputs (release with onnx_tensor_release())
 * @err: one-line explanation of a failure
 * @errlen: size of @err
 *
 * Return: 0; -EINVAL for inputs that break the operator's contract (types,
 * shapes, zero-point or scale values); -EOPNOTSUPP for valid ONNX that the
 * engine cannot express (e.g. a per-row a_zero_point); or a libqaccel
 * error.
 */
int onnx_run_node(struct qaccel_ctx *ctx, const struct onnx_node *node,
		  const struct onnx_tensor *const *in, struct onnx_tensor *out, char *err,
		  size_t errlen);

/**
 * struct onnx_qmm_detail - how QLinearMatMul computed one output element
 * @acc: the int32 accumulator sum (a - a_zp) * (b - b_zp).
 * @multiplier: a_scale * b_scale / y_scale as used (double).
 * @mult: Q31 multiplier from qaccel_requant_params().
 * @shift: its shift.
 * @engine: clamp(y_zp + MBQM(acc, mult, shift)) (qaccel_requant_apply()).
 * @exact: acc * multiplier in double, before rounding.
 * @reference: saturate(round_half_even(acc * multiplier) + y_zp), the
 *	real-arithmetic formula of the operator.
 */
struct onnx_qmm_detail {
	int32_t acc;
	double multiplier;
	int32_t mult, shift;
	int32_t engine;
	double exact;
	int32_t reference;
};

/**
 * onnx_qlinearmatmul_detail() - recompute output element @idx of a
 * QLinearMatMul node (inputs as for onnx_run_node()) without the engine:
 * a plain C dot product, then the engine's output stage on that one value
 * (qaccel_requant_apply()) and the real-arithmetic formula, for
 * diagnostics and as the reference of the synthetic tests
 *
 * Return: 0 or a negative errno (see onnx_run_node()).
 */
int onnx_qlinearmatmul_detail(const struct onnx_tensor *const *in, size_t idx,
			      struct onnx_qmm_detail *d, char *err, size_t errlen);

#endif /* QACCEL_ONNX_OPS_H */
