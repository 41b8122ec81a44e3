/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: buffer objects (GEM shmem objects mapped into device address
 * spaces).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_GEM_H_
#define _QACCEL_GEM_H_

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <drm/drm_gem_shmem_helper.h>

struct dma_buf_attachment;
struct drm_device;
struct qaccel_mapping;
struct qaccel_vm;
struct sg_table;

/**
 * struct qaccel_bo - a qaccel buffer object
 * @base: the shmem GEM object (created by qaccel or imported)
 * @flags: DRM_QACCEL_BO_* flags given at creation (0 when imported)
 * @maps_lock: protects @mappings and the handle counts of its entries
 * @mappings: &struct qaccel_mapping of every address space the BO is
 *	mapped in (one per file that has a handle on it, plus mappings that
 *	jobs still use)
 */
struct qaccel_bo {
	struct drm_gem_shmem_object base;
	u32 flags;
	/* Protects mappings and their handle counts. */
	struct mutex maps_lock;
	struct list_head mappings;
};

static inline struct qaccel_bo *to_qaccel_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct qaccel_bo, base);
}

struct drm_gem_object *qaccel_gem_create_object(struct drm_device *drm, size_t size);
struct drm_gem_object *qaccel_gem_prime_import_sg_table(struct drm_device *drm,
							struct dma_buf_attachment *attach,
							struct sg_table *sgt);
bool qaccel_gem_is_qaccel_bo(const struct drm_gem_object *obj);
struct qaccel_mapping *qaccel_bo_find_mapping(struct qaccel_bo *bo,
					      struct qaccel_vm *vm);

#endif /* _QACCEL_GEM_H_ */
