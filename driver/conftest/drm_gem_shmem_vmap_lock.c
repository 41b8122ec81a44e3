// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct drm_gem_shmem_object has its own vmap_lock: the shmem helpers take
 * their own locks. Without it, callers of the vmap/pages helpers must hold
 * the object's reservation lock.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <drm/drm_gem_shmem_helper.h>

static_assert(sizeof(((struct drm_gem_shmem_object *)NULL)->vmap_lock));
