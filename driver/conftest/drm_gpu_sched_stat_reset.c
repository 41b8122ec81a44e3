// SPDX-License-Identifier: GPL-2.0-only
/* enum drm_gpu_sched_stat has DRM_GPU_SCHED_STAT_RESET. */
#include <drm/gpu_scheduler.h>

const enum drm_gpu_sched_stat qaccel_conftest = DRM_GPU_SCHED_STAT_RESET;
