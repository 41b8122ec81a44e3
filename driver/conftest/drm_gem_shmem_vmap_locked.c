// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shmem helper's vmap is drm_gem_shmem_vmap_locked(shmem, map), called
 * with the reservation lock held.
 */
#include <linux/build_bug.h>
#include <linux/iosys-map.h>
#include <drm/drm_gem_shmem_helper.h>

static_assert(__builtin_types_compatible_p(typeof(drm_gem_shmem_vmap_locked),
					   int (struct drm_gem_shmem_object *,
						struct iosys_map *)));
