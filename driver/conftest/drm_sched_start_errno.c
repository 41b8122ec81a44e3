// SPDX-License-Identifier: GPL-2.0-only
/*
 * drm_sched_start(sched, errno) takes the error code for the jobs it
 * cancels, instead of the older bool full_recovery.
 */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(__builtin_types_compatible_p(typeof(drm_sched_start),
					   void (struct drm_gpu_scheduler *, int)));
