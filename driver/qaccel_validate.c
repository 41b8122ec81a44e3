// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: validation of GEMM jobs.
 *
 * Every submission path (the SUBMIT ioctl, the io_uring command) calls
 * qaccel_validate_gemm() for every GEMM before anything is queued, with the
 * set of device VA ranges the job may touch: the BOs it lists (ioctl) or the
 * BOs of the file's address space that hold its operands (io_uring). The
 * checks are those of the engine's descriptor validation, against the
 * capabilities and limits the engine reports, plus the address rules: each
 * operand lies entirely inside one range, C inside a writable one. The
 * engine's MMU is the second line of defence. All sizes are computed in 64
 * bits with overflow checks.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/errno.h>
#include <linux/overflow.h>
#include <drm/qaccel_accel.h>

#include "qaccel_device.h"
#include "qaccel_engine.h"
#include "qaccel_validate.h"

#define QACCEL_GEMM_OUT_FLAGS	(DRM_QACCEL_GEMM_OUT_S8 | DRM_QACCEL_GEMM_OUT_U8 | \
				 DRM_QACCEL_GEMM_OUT_S32)

/* Output type (QA1E_OUT_*) of the flags, or -EINVAL. */
static int qaccel_gemm_out_type(const struct qaccel_hw_info *hw, u32 flags)
{
	u32 cap, type;

	switch (flags & QACCEL_GEMM_OUT_FLAGS) {
	case DRM_QACCEL_GEMM_OUT_S8:
		type = QA1E_OUT_S8;
		cap = QA1_CAP_OUT_S8;
		break;
	case DRM_QACCEL_GEMM_OUT_U8:
		type = QA1E_OUT_U8;
		cap = QA1_CAP_OUT_U8;
		break;
	case DRM_QACCEL_GEMM_OUT_S32:
		type = QA1E_OUT_S32;
		cap = QA1_CAP_OUT_S32;
		break;
	default:
		/* None, or more than one. */
		return -EINVAL;
	}
	if (!(hw->caps & cap))
		return -EINVAL;

	return type;
}

/* The range holding all of [va, va + len), or NULL. */
static const struct qaccel_va_range *
qaccel_find_range(const struct qaccel_va_range *ranges, unsigned int count, u64 va, u64 len)
{
	unsigned int i;
	u64 end;

	if (check_add_overflow(va, len, &end))
		return NULL;

	for (i = 0; i < count; i++) {
		const struct qaccel_va_range *r = &ranges[i];

		if (va >= r->start && end <= r->start + r->size)
			return r;
	}

	return NULL;
}

/* (rows - 1) * stride + row bytes, or false on overflow. */
static bool qaccel_extent(u32 rows, u32 stride, u64 row_bytes, u64 *out)
{
	u64 v;

	return !check_mul_overflow((u64)rows - 1, (u64)stride, &v) &&
	       !check_add_overflow(v, row_bytes, out);
}

/**
 * qaccel_validate_gemm - check one GEMM before it is queued
 * @hw: the engine's identification (capabilities and limits)
 * @g: the GEMM, as userspace gave it
 * @ranges: the VA ranges the job may access
 * @count: number of entries in @ranges
 *
 * Return: 0 when the engine can run @g within @ranges; -EINVAL for unknown
 * or inconsistent flags, zero dimensions, strides, zero points or clamp
 * ranges outside the types, or an operand that does not lie inside one
 * range; -E2BIG for a dimension above the engine's limits; -EACCES when C
 * lies in a range that is not writable.
 */
int qaccel_validate_gemm(const struct qaccel_hw_info *hw,
			 const struct drm_qaccel_gemm *g,
			 const struct qaccel_va_range *ranges, unsigned int count)
{
	const struct qaccel_va_range *c_range;
	struct qa1e_gemm e;
	u64 a_len, c_len;
	int out_type;

	if (g->flags & ~DRM_QACCEL_GEMM_FLAGS)
		return -EINVAL;
	out_type = qaccel_gemm_out_type(hw, g->flags);
	if (out_type < 0)
		return out_type;
	if (!(hw->caps & (g->flags & DRM_QACCEL_GEMM_A_S8 ? QA1_CAP_A_S8 : QA1_CAP_A_U8)))
		return -EINVAL;

	if (!g->m || !g->n || !g->k)
		return -EINVAL;
	if (g->m > hw->max_m || g->n > hw->max_n || g->k > hw->max_k ||
	    g->n > QA1E_N_LIMIT)
		return -E2BIG;

	e.m = g->m;
	e.n = g->n;
	e.k = g->k;
	e.lda = g->lda;
	e.ldc = g->ldc;
	e.a_signed = !!(g->flags & DRM_QACCEL_GEMM_A_S8);
	e.out_type = out_type;
	e.a_zp = g->a_zp;
	e.out_zp = g->out_zp;
	e.act_min = g->act_min;
	e.act_max = g->act_max;
	/* Strides, zero points and clamp range against the types. */
	if (qa1e_gemm_check(&e))
		return -EINVAL;

	if (!qaccel_extent(g->m, g->lda, g->k, &a_len) ||
	    !qaccel_extent(g->m, g->ldc, (u64)g->n * qa1e_out_size(out_type), &c_len))
		return -EINVAL;

	if (!qaccel_find_range(ranges, count, g->a_va, a_len) ||
	    !qaccel_find_range(ranges, count, g->w_va, qa1e_packed_bytes(g->n, g->k)))
		return -EINVAL;
	c_range = qaccel_find_range(ranges, count, g->c_va, c_len);
	if (!c_range)
		return -EINVAL;
	if (!c_range->writable)
		return -EACCES;

	return 0;
}

/**
 * qaccel_gemm_encode - the QA1 descriptor of a validated GEMM
 * @g: the GEMM, which passed qaccel_validate_gemm()
 * @desc: the descriptor words (host order); SEQNO and PGD are left 0 for
 *	the ring to fill
 */
void qaccel_gemm_encode(const struct drm_qaccel_gemm *g, u32 desc[QA1_DESC_WORDS])
{
	u32 ctrl = QA1_OP_GEMM;

	if (g->flags & DRM_QACCEL_GEMM_A_S8)
		ctrl |= QA1_CTRL_A_S8;
	if (g->flags & DRM_QACCEL_GEMM_OUT_U8)
		ctrl |= QA1_OUT_U8 << QA1_CTRL_OUT_SHIFT;
	else if (g->flags & DRM_QACCEL_GEMM_OUT_S32)
		ctrl |= QA1_OUT_S32 << QA1_CTRL_OUT_SHIFT;
	else
		ctrl |= QA1_OUT_S8 << QA1_CTRL_OUT_SHIFT;

	desc[QA1_DESC_CTRL] = ctrl;
	desc[QA1_DESC_SEQNO] = 0;
	desc[QA1_DESC_PGD_LO] = 0;
	desc[QA1_DESC_PGD_HI] = 0;
	/* Validated ranges lie below 2^32. */
	desc[QA1_DESC_A_ADDR] = lower_32_bits(g->a_va);
	desc[QA1_DESC_W_ADDR] = lower_32_bits(g->w_va);
	desc[QA1_DESC_C_ADDR] = lower_32_bits(g->c_va);
	desc[QA1_DESC_M] = g->m;
	desc[QA1_DESC_N] = g->n;
	desc[QA1_DESC_K] = g->k;
	desc[QA1_DESC_LDA] = g->lda;
	desc[QA1_DESC_LDC] = g->ldc;
	desc[QA1_DESC_A_ZP] = (u32)g->a_zp;
	desc[QA1_DESC_OUT_ZP] = (u32)g->out_zp;
	desc[QA1_DESC_ACT_MIN] = (u32)g->act_min;
	desc[QA1_DESC_ACT_MAX] = (u32)g->act_max;
}
