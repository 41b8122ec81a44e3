// SPDX-License-Identifier: GPL-2.0-only
/* drm_sched_job_add_syncobj_dependency(job, file, handle, point) exists. */
#include <linux/build_bug.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>

static_assert(sizeof(drm_sched_job_add_syncobj_dependency((struct drm_sched_job *)NULL,
							  (struct drm_file *)NULL,
							  1, 0)));
