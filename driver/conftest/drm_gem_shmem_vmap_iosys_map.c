// SPDX-License-Identifier: GPL-2.0-only
/* int drm_gem_shmem_vmap(struct drm_gem_shmem_object *, struct iosys_map *) */
#include <linux/build_bug.h>
#include <linux/iosys-map.h>
#include <drm/drm_gem_shmem_helper.h>

static_assert(__builtin_types_compatible_p(typeof(drm_gem_shmem_vmap),
					   int (struct drm_gem_shmem_object *,
						struct iosys_map *)));
