// SPDX-License-Identifier: GPL-2.0-only
/*
 * drm_sched_init() takes the original separate arguments (sched, ops,
 * hw_submission, hang_limit, timeout, timeout_wq, score, name, dev).
 */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(sizeof(drm_sched_init((struct drm_gpu_scheduler *)NULL,
				    (const struct drm_sched_backend_ops *)NULL,
				    1, 0, MAX_SCHEDULE_TIMEOUT,
				    (struct workqueue_struct *)NULL,
				    (atomic_t *)NULL, "q",
				    (struct device *)NULL)));
