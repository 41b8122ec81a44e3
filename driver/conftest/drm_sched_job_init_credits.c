// SPDX-License-Identifier: GPL-2.0-only
/* drm_sched_job_init(job, entity, credits, owner): four arguments. */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(sizeof(drm_sched_job_init((struct drm_sched_job *)NULL,
					(struct drm_sched_entity *)NULL,
					1, NULL)));
