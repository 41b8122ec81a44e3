// SPDX-License-Identifier: GPL-2.0-only
/* drm_sched_init() takes a const struct drm_sched_init_args pointer. */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(__builtin_types_compatible_p(typeof(drm_sched_init),
					   int (struct drm_gpu_scheduler *,
						const struct drm_sched_init_args *)));
