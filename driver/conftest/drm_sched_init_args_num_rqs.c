// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct drm_sched_init_args has a num_rqs member (the number of run queues,
 * one per priority), which must then be set.
 */
#include <linux/build_bug.h>
#include <drm/gpu_scheduler.h>

static_assert(sizeof(((struct drm_sched_init_args *)NULL)->num_rqs));
