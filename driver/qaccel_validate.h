/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: validation of GEMM jobs before they are queued, shared by every
 * submission path.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_VALIDATE_H_
#define _QACCEL_VALIDATE_H_

#include <linux/types.h>

#include "qaccel_hw.h"

struct drm_qaccel_gemm;
struct qaccel_hw_info;

/**
 * struct qaccel_va_range - a device VA range a job may access
 * @start: first device VA
 * @size: size in bytes
 * @writable: the job may write it: it is listed for writing and its BO is
 *	not DRM_QACCEL_BO_DEVICE_READONLY
 */
struct qaccel_va_range {
	u64 start;
	u64 size;
	bool writable;
};

int qaccel_validate_gemm(const struct qaccel_hw_info *hw,
			 const struct drm_qaccel_gemm *g,
			 const struct qaccel_va_range *ranges, unsigned int count);
void qaccel_gemm_encode(const struct drm_qaccel_gemm *g, u32 desc[QA1_DESC_WORDS]);

#endif /* _QACCEL_VALIDATE_H_ */
