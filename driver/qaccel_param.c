// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: DRM_IOCTL_QACCEL_GET_PARAM, the device and driver parameters.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/qaccel_accel.h>

#include "qaccel_device.h"
#include "qaccel_ioctl.h"
#include "qaccel_limits.h"

/* The capability bits of the uapi are the engine's CAPS register bits. */
static_assert(DRM_QACCEL_CAP_A_U8 == QA1_CAP_A_U8);
static_assert(DRM_QACCEL_CAP_A_S8 == QA1_CAP_A_S8);
static_assert(DRM_QACCEL_CAP_OUT_S8 == QA1_CAP_OUT_S8);
static_assert(DRM_QACCEL_CAP_OUT_U8 == QA1_CAP_OUT_U8);
static_assert(DRM_QACCEL_CAP_OUT_S32 == QA1_CAP_OUT_S32);
static_assert(DRM_QACCEL_CAP_MMU == QA1_CAP_MMU);
static_assert(DRM_QACCEL_CAP_PROGRESS == QA1_CAP_PROGRESS);
static_assert(DRM_QACCEL_CAP_FAULT_INJECT == QA1_CAP_FAULT_INJECT);

/* Capabilities this driver knows; other CAPS bits are not reported. */
#define QACCEL_KNOWN_CAPS	(DRM_QACCEL_CAP_A_U8 | DRM_QACCEL_CAP_A_S8 | \
				 DRM_QACCEL_CAP_OUT_S8 | DRM_QACCEL_CAP_OUT_U8 | \
				 DRM_QACCEL_CAP_OUT_S32 | DRM_QACCEL_CAP_MMU | \
				 DRM_QACCEL_CAP_PROGRESS | \
				 DRM_QACCEL_CAP_FAULT_INJECT)

/**
 * qaccel_ioctl_get_param - answer one &enum drm_qaccel_param
 * @drm: the device
 * @data: &struct drm_qaccel_get_param
 * @file: the caller's file
 *
 * Engine parameters come from the identification registers read at probe,
 * driver parameters from qaccel_limits.h. On error @data->value is left as
 * the caller passed it.
 *
 * Return: 0, or -EINVAL for an unknown parameter or non-zero padding.
 */
int qaccel_ioctl_get_param(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct qaccel_device *qdev = to_qaccel_device(drm);
	struct drm_qaccel_get_param *args = data;
	const struct qaccel_hw_info *hw = &qdev->hw;
	u64 value;

	if (args->pad)
		return -EINVAL;

	switch (args->param) {
	case DRM_QACCEL_PARAM_UAPI_VERSION:
		value = DRM_QACCEL_UAPI_VERSION;
		break;
	case DRM_QACCEL_PARAM_DEVICE_ID:
		value = hw->id;
		break;
	case DRM_QACCEL_PARAM_HW_VERSION:
		value = hw->version;
		break;
	case DRM_QACCEL_PARAM_CAPABILITIES:
		value = hw->caps & QACCEL_KNOWN_CAPS;
		break;
	case DRM_QACCEL_PARAM_MAX_M:
		value = hw->max_m;
		break;
	case DRM_QACCEL_PARAM_MAX_N:
		value = hw->max_n;
		break;
	case DRM_QACCEL_PARAM_MAX_K:
		value = hw->max_k;
		break;
	case DRM_QACCEL_PARAM_VA_BITS:
		value = hw->va_bits;
		break;
	case DRM_QACCEL_PARAM_VA_START:
		value = QACCEL_VA_START;
		break;
	case DRM_QACCEL_PARAM_VA_END:
		value = QACCEL_VA_END;
		break;
	case DRM_QACCEL_PARAM_PAGE_SIZE:
		value = QA1_PAGE_SIZE;
		break;
	case DRM_QACCEL_PARAM_RING_ENTRIES:
		value = qdev->ring_entries;
		break;
	case DRM_QACCEL_PARAM_MAX_JOBS:
		value = QACCEL_MAX_JOBS;
		break;
	case DRM_QACCEL_PARAM_EMULATED:
		value = qaccel_is_emulated(qdev);
		break;
	case DRM_QACCEL_PARAM_MAX_BO_SIZE:
		value = QACCEL_MAX_BO_SIZE;
		break;
	case DRM_QACCEL_PARAM_MAX_QUEUES:
		value = QACCEL_MAX_QUEUES;
		break;
	case DRM_QACCEL_PARAM_JOB_HISTORY:
		value = QACCEL_JOB_HISTORY;
		break;
	case DRM_QACCEL_PARAM_URING_CMD:
		/* qaccel_uring_cmd() is in the node's file operations. */
		value = IS_ENABLED(CONFIG_IO_URING);
		break;
	default:
		return -EINVAL;
	}

	args->value = value;

	return 0;
}
