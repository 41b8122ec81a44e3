// SPDX-License-Identifier: GPL-2.0-only
/*
 * enum drm_sched_priority names its lowest level DRM_SCHED_PRIORITY_LOW;
 * older kernels call it DRM_SCHED_PRIORITY_MIN.
 */
#include <drm/gpu_scheduler.h>

const enum drm_sched_priority qaccel_conftest = DRM_SCHED_PRIORITY_LOW;
