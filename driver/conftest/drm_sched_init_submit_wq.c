// SPDX-License-Identifier: GPL-2.0-only
/*
 * drm_sched_init() takes separate arguments including a submit workqueue and
 * a run-queue count (sched, ops, submit_wq, num_rqs, credit_limit,
 * hang_limit, timeout, timeout_wq, score, name, dev).
 */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(sizeof(drm_sched_init((struct drm_gpu_scheduler *)NULL,
				    (const struct drm_sched_backend_ops *)NULL,
				    (struct workqueue_struct *)NULL,
				    DRM_SCHED_PRIORITY_COUNT, 1, 0,
				    MAX_SCHEDULE_TIMEOUT,
				    (struct workqueue_struct *)NULL,
				    (atomic_t *)NULL, "q",
				    (struct device *)NULL)));
