// SPDX-License-Identifier: GPL-2.0-only
/* drm_sched_job_add_resv_dependencies(job, resv, usage) exists. */
#include <linux/build_bug.h>
#include <linux/dma-resv.h>
#include <drm/gpu_scheduler.h>

static_assert(sizeof(drm_sched_job_add_resv_dependencies((struct drm_sched_job *)NULL,
							 (struct dma_resv *)NULL,
							 DMA_RESV_USAGE_WRITE)));
