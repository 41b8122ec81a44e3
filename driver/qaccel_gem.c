// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: buffer objects.
 *
 * A BO is a GEM shmem object: zero-filled pages from shmem, CPU mmap
 * through the shmem helpers, dma-buf export through the GEM PRIME helpers,
 * and import of foreign dma-bufs as shmem objects around the exporter's
 * scatter list. Each file that has a handle on a BO gets its own mapping of
 * it in its device address space (the GEM open/close hooks), so a BO shared
 * by PRIME between two files of one device has a VA in each.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>
#include <drm/qaccel_accel.h>

#include "qaccel_device.h"
#include "qaccel_gem.h"
#include "qaccel_ioctl.h"
#include "qaccel_limits.h"
#include "qaccel_vm.h"

static const struct drm_gem_object_funcs qaccel_bo_funcs;

/**
 * qaccel_gem_is_qaccel_bo - tell whether a GEM object is a qaccel BO
 * @obj: the object
 *
 * Return: true when @obj was created or imported by qaccel.
 */
bool qaccel_gem_is_qaccel_bo(const struct drm_gem_object *obj)
{
	return obj->funcs == &qaccel_bo_funcs;
}

/**
 * qaccel_bo_find_mapping - the mapping of a BO in an address space
 * @bo: the buffer object
 * @vm: the address space
 *
 * Return: the mapping with a new reference, or NULL.
 */
struct qaccel_mapping *qaccel_bo_find_mapping(struct qaccel_bo *bo,
					      struct qaccel_vm *vm)
{
	struct qaccel_mapping *map, *found = NULL;

	mutex_lock(&bo->maps_lock);
	list_for_each_entry(map, &bo->mappings, bo_link) {
		if (map->vm == vm && map->handles && kref_get_unless_zero(&map->ref)) {
			found = map;
			break;
		}
	}
	mutex_unlock(&bo->maps_lock);

	return found;
}

/*
 * A file got a handle on the BO: map it into the file's address space, or
 * count the handle when it is already mapped there.
 */
static int qaccel_bo_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct qaccel_vm *vm = to_qaccel_file(file)->vm;
	struct qaccel_bo *bo = to_qaccel_bo(obj);
	struct qaccel_mapping *map, *extra = NULL;
	int ret = 0;

	mutex_lock(&bo->maps_lock);
	list_for_each_entry(map, &bo->mappings, bo_link) {
		if (map->vm != vm || !kref_get_unless_zero(&map->ref))
			continue;
		/* A mapping jobs kept alive becomes the file's again. */
		if (map->handles++)
			extra = map;
		goto out_unlock;
	}

	map = qaccel_mapping_create(vm, bo);
	if (IS_ERR(map)) {
		ret = PTR_ERR(map);
		goto out_unlock;
	}
	map->handles = 1;
	list_add_tail(&map->bo_link, &bo->mappings);

out_unlock:
	mutex_unlock(&bo->maps_lock);
	/* The file already held its reference: drop the one just taken. */
	if (extra)
		qaccel_mapping_put(extra);
	return ret;
}

/* A file dropped a handle on the BO. */
static void qaccel_bo_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct qaccel_vm *vm = to_qaccel_file(file)->vm;
	struct qaccel_bo *bo = to_qaccel_bo(obj);
	struct qaccel_mapping *map, *last = NULL;

	mutex_lock(&bo->maps_lock);
	list_for_each_entry(map, &bo->mappings, bo_link) {
		if (map->vm != vm || !map->handles)
			continue;
		if (!--map->handles)
			last = map;
		break;
	}
	mutex_unlock(&bo->maps_lock);

	/* Unmapped now, or when the last job using it is done. */
	if (last)
		qaccel_mapping_put(last);
}

static void qaccel_bo_free(struct drm_gem_object *obj)
{
	struct qaccel_device *qdev = to_qaccel_device(obj->dev);
	struct qaccel_bo *bo = to_qaccel_bo(obj);

	atomic64_dec(&qdev->counters.live_bos);
	atomic64_sub(obj->size, &qdev->counters.live_bo_bytes);
	mutex_destroy(&bo->maps_lock);
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs qaccel_bo_funcs = {
	.free = qaccel_bo_free,
	.open = qaccel_bo_open,
	.close = qaccel_bo_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * qaccel_gem_create_object - allocate a qaccel BO for the shmem helpers
 * @drm: the device
 * @size: size of the object
 *
 * &drm_driver.gem_create_object: the shmem helpers call it for objects
 * they create and for imported ones.
 *
 * Return: the embedded GEM object or an ERR_PTR().
 */
struct drm_gem_object *qaccel_gem_create_object(struct drm_device *drm, size_t size)
{
	struct qaccel_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	mutex_init(&bo->maps_lock);
	INIT_LIST_HEAD(&bo->mappings);
	bo->base.base.funcs = &qaccel_bo_funcs;

	return &bo->base.base;
}

static void qaccel_bo_count(struct qaccel_device *qdev, struct drm_gem_object *obj)
{
	atomic64_inc(&qdev->counters.live_bos);
	atomic64_add(obj->size, &qdev->counters.live_bo_bytes);
}

/**
 * qaccel_gem_prime_import_sg_table - wrap a foreign dma-buf in a BO
 * @drm: the device
 * @attach: our attachment to the dma-buf
 * @sgt: the exporter's scatter list, mapped for this device
 *
 * &drm_driver.gem_prime_import_sg_table. The BO gets a mapping in the
 * importing file's address space when the file gets its handle.
 *
 * Return: the GEM object or an ERR_PTR().
 */
struct drm_gem_object *qaccel_gem_prime_import_sg_table(struct drm_device *drm,
							struct dma_buf_attachment *attach,
							struct sg_table *sgt)
{
	struct drm_gem_object *obj;

	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj))
		return obj;

	qaccel_bo_count(to_qaccel_device(drm), obj);
	return obj;
}

/* Fill the address-space dependent fields of a BO's description. */
static int qaccel_bo_describe(struct drm_gem_object *obj, struct qaccel_vm *vm,
			      u64 *va, u64 *mmap_offset)
{
	struct qaccel_mapping *map;
	int ret;

	map = qaccel_bo_find_mapping(to_qaccel_bo(obj), vm);
	if (!map)
		return -ENOENT;
	*va = qaccel_mapping_va(map);
	qaccel_mapping_put(map);

	/* Imported objects get their mmap offset on demand. */
	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		return ret;
	*mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);

	return 0;
}

/**
 * qaccel_ioctl_bo_create - DRM_IOCTL_QACCEL_BO_CREATE
 * @drm: the device
 * @data: &struct drm_qaccel_bo_create
 * @file: the caller's file
 *
 * Return: 0 or a negative errno (see the uAPI header).
 */
int qaccel_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct qaccel_device *qdev = to_qaccel_device(drm);
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct drm_qaccel_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	u64 va, mmap_offset;
	u32 handle;
	int ret;

	if (args->flags & ~DRM_QACCEL_BO_FLAGS)
		return -EINVAL;
	if (!args->size)
		return -EINVAL;
	if (args->size > QACCEL_MAX_BO_SIZE)
		return -E2BIG;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	to_qaccel_bo(&shmem->base)->flags = args->flags;
	qaccel_bo_count(qdev, &shmem->base);

	/* The handle maps the BO into the file's address space. */
	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (ret)
		goto out_put;

	ret = qaccel_bo_describe(&shmem->base, qfile->vm, &va, &mmap_offset);
	if (ret) {
		drm_gem_handle_delete(file, handle);
		goto out_put;
	}

	args->handle = handle;
	args->va = va;
	args->mmap_offset = mmap_offset;

out_put:
	/* The handle holds the object now (or nothing does). */
	drm_gem_object_put(&shmem->base);
	return ret;
}

/**
 * qaccel_ioctl_bo_info - DRM_IOCTL_QACCEL_BO_INFO
 * @drm: the device
 * @data: &struct drm_qaccel_bo_info
 * @file: the caller's file
 *
 * Return: 0, or -ENOENT for a handle this file does not have.
 */
int qaccel_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct drm_qaccel_bo_info *args = data;
	struct drm_gem_object *obj;
	u64 va, mmap_offset;
	int ret;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	if (!qaccel_gem_is_qaccel_bo(obj)) {
		ret = -ENOENT;
		goto out_put;
	}

	ret = qaccel_bo_describe(obj, qfile->vm, &va, &mmap_offset);
	if (ret)
		goto out_put;

	args->flags = to_qaccel_bo(obj)->flags;
	args->size = obj->size;
	args->va = va;
	args->mmap_offset = mmap_offset;

out_put:
	drm_gem_object_put(obj);
	return ret;
}

/**
 * qaccel_timeout_to_jiffies - convert a relative uAPI timeout
 * @timeout_ns: nanoseconds, at least 0
 *
 * Return: the timeout in jiffies, rounded up, at most MAX_SCHEDULE_TIMEOUT.
 */
long qaccel_timeout_to_jiffies(s64 timeout_ns)
{
	u64 j = nsecs_to_jiffies64(timeout_ns);

	if (j >= MAX_SCHEDULE_TIMEOUT - 1)
		return MAX_SCHEDULE_TIMEOUT;
	return j + 1;
}

/**
 * qaccel_ioctl_bo_wait - DRM_IOCTL_QACCEL_BO_WAIT
 * @drm: the device
 * @data: &struct drm_qaccel_bo_wait
 * @file: the caller's file
 *
 * Waits for every fence in the BO's reservation object: the jobs that read
 * or write it.
 *
 * Return: 0, -ETIME when jobs still use the BO at the deadline, or another
 * negative errno.
 */
int qaccel_ioctl_bo_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_qaccel_bo_wait *args = data;
	struct drm_gem_object *obj;
	long ret;

	if (args->pad || args->timeout_ns < 0)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	if (!args->timeout_ns) {
		ret = dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_READ) ? 0 : -ETIME;
	} else {
		ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_READ, true,
					    qaccel_timeout_to_jiffies(args->timeout_ns));
		if (!ret)
			ret = -ETIME;
		else if (ret > 0)
			ret = 0;
	}

	drm_gem_object_put(obj);
	return ret;
}
