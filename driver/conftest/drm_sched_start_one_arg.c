// SPDX-License-Identifier: GPL-2.0-only
/* drm_sched_start(sched) takes only the scheduler. */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(__builtin_types_compatible_p(typeof(drm_sched_start),
					   void (struct drm_gpu_scheduler *)));
