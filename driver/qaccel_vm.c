// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: device address spaces.
 *
 * Every open file has its own 32-bit device address space: a drm_mm VA
 * allocator over [QACCEL_VA_START, QACCEL_VA_END) and a two-level QA1 page
 * table (Documentation/accel/qaccel/qa1.rst, "MMU"). A buffer object gets a
 * VA range in a file's address space when the file gets its first handle on
 * it (creation, PRIME import); its pages are pinned and entered in the page
 * table when a job first uses it, and removed, followed by a TLB
 * invalidation, when the last reference to the mapping goes: the file's
 * handle and every job that uses the BO hold one.
 *
 * Each range is followed by an unmapped guard page, so that an access that
 * runs off the end of a BO faults instead of reaching its neighbour.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/qaccel_accel.h>

#include "qaccel_device.h"
#include "qaccel_gem.h"
#include "qaccel_limits.h"
#include "qaccel_vm.h"

/* VA alignment of a BO: the larger of the CPU and the QA1 page. */
#define QACCEL_VA_ALIGN		max_t(u64, PAGE_SIZE, QA1_PAGE_SIZE)

static inline u32 qaccel_va_l1(u64 va)
{
	return (va >> QA1_L1_SHIFT) & QA1_PT_INDEX_MASK;
}

static inline u32 qaccel_va_l2(u64 va)
{
	return (va >> QA1_L2_SHIFT) & QA1_PT_INDEX_MASK;
}

static int qaccel_pt_alloc(struct qaccel_device *qdev, struct qaccel_pt *pt)
{
	struct device *dev = qdev->drm.dev;

	/*
	 * The DMA API aligns a coherent allocation to its size rounded up to
	 * a power of two pages, which gives the 8 KiB alignment the engine
	 * needs. The memory comes back zeroed: every entry invalid.
	 */
	pt->cpu = dma_alloc_coherent(dev, QA1_PT_SIZE, &pt->dma, GFP_KERNEL);
	if (!pt->cpu)
		return -ENOMEM;
	if (!IS_ALIGNED(pt->dma, QA1_PT_SIZE) || (pt->dma & ~QA1_PTE_ADDR_MASK)) {
		drm_err(&qdev->drm, "page table at unusable bus address %pad\n", &pt->dma);
		dma_free_coherent(dev, QA1_PT_SIZE, pt->cpu, pt->dma);
		pt->cpu = NULL;
		return -ENOMEM;
	}

	return 0;
}

static void qaccel_pt_free(struct qaccel_device *qdev, struct qaccel_pt *pt)
{
	if (!pt->cpu)
		return;
	dma_free_coherent(qdev->drm.dev, QA1_PT_SIZE, pt->cpu, pt->dma);
	pt->cpu = NULL;
}

/**
 * qaccel_vm_create - create the device address space of a file
 * @qdev: the device
 *
 * Return: the address space with one reference, or an ERR_PTR().
 */
struct qaccel_vm *qaccel_vm_create(struct qaccel_device *qdev)
{
	struct qaccel_vm *vm;
	int ret;

	vm = kvzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);

	ret = qaccel_pt_alloc(qdev, &vm->l1);
	if (ret)
		goto err_free_vm;

	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, QACCEL_VA_START, QACCEL_VA_END - QACCEL_VA_START);
	atomic64_set(&vm->engine_ns, 0);
	vm->qdev = qdev;
	drm_dev_get(&qdev->drm);

	return vm;

err_free_vm:
	kvfree(vm);
	return ERR_PTR(ret);
}

static void qaccel_vm_release(struct kref *ref)
{
	struct qaccel_vm *vm = container_of(ref, struct qaccel_vm, ref);
	struct qaccel_device *qdev = vm->qdev;
	unsigned int i;

	/* Every mapping holds a reference, so the allocator is empty. */
	drm_mm_takedown(&vm->mm);
	for (i = 0; i < QA1_PT_ENTRIES; i++)
		qaccel_pt_free(qdev, &vm->l2[i]);
	qaccel_pt_free(qdev, &vm->l1);
	mutex_destroy(&vm->lock);
	kvfree(vm);

	/*
	 * The table pages may come back as the tables of another address
	 * space: translations the engine cached for this one must go.
	 */
	qaccel_device_tlb_invalidate(qdev);
	drm_dev_put(&qdev->drm);
}

/**
 * qaccel_vm_put - drop a reference to an address space
 * @vm: the address space
 *
 * May sleep.
 */
void qaccel_vm_put(struct qaccel_vm *vm)
{
	kref_put(&vm->ref, qaccel_vm_release);
}

/* Level-2 table covering @va, allocated and linked on first use. */
static __le64 *qaccel_vm_l2_table(struct qaccel_vm *vm, u64 va, bool alloc)
{
	u32 i1 = qaccel_va_l1(va);
	struct qaccel_pt *l2 = &vm->l2[i1];

	lockdep_assert_held(&vm->lock);

	if (!l2->cpu) {
		if (!alloc || qaccel_pt_alloc(vm->qdev, l2))
			return NULL;
		WRITE_ONCE(vm->l1.cpu[i1],
			   cpu_to_le64((l2->dma & QA1_PTE_ADDR_MASK) | QA1_PTE_VALID));
	}

	return l2->cpu;
}

static void qaccel_vm_clear(struct qaccel_vm *vm, u64 va, u64 size)
{
	u64 end = va + size;
	__le64 *l2;

	for (; va < end; va += QA1_PAGE_SIZE) {
		l2 = qaccel_vm_l2_table(vm, va, false);
		if (l2)
			WRITE_ONCE(l2[qaccel_va_l2(va)], 0);
	}
}

/*
 * Enter the pages of @sgt (DMA-mapped for the engine) at [va, va + size)
 * with the permission bits @perm. On error some entries may have been
 * written: the caller clears the range.
 */
static int qaccel_vm_fill(struct qaccel_vm *vm, u64 va, u64 size,
			  struct sg_table *sgt, u64 perm)
{
	u64 end = va + size;
	struct scatterlist *sg;
	unsigned int i;
	__le64 *l2;

	lockdep_assert_held(&vm->lock);

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u64 len = sg_dma_len(sg);
		u64 off;

		if (!IS_ALIGNED(addr, QA1_PAGE_SIZE) || !IS_ALIGNED(len, QA1_PAGE_SIZE))
			return -EINVAL;

		for (off = 0; off < len && va < end; off += QA1_PAGE_SIZE) {
			u64 pa = addr + off;

			if (pa & ~QA1_PTE_ADDR_MASK)
				return -EINVAL;
			l2 = qaccel_vm_l2_table(vm, va, true);
			if (!l2)
				return -ENOMEM;
			WRITE_ONCE(l2[qaccel_va_l2(va)], cpu_to_le64(pa | perm));
			va += QA1_PAGE_SIZE;
		}
		if (va >= end)
			return 0;
	}

	/* The scatter list is shorter than the object. */
	return va < end ? -EINVAL : 0;
}

static u64 qaccel_mapping_size(const struct qaccel_mapping *map)
{
	return ALIGN((u64)map->bo->base.base.size, QACCEL_VA_ALIGN);
}

/**
 * qaccel_mapping_create - reserve a VA range for a BO in an address space
 * @vm: the address space
 * @bo: the buffer object
 *
 * The caller puts the mapping on the BO's list. Nothing is entered in the
 * page tables yet (see qaccel_mapping_populate()).
 *
 * Return: the mapping with one reference, or an ERR_PTR(): -ENOSPC when
 * the address space has no room for the BO.
 */
struct qaccel_mapping *qaccel_mapping_create(struct qaccel_vm *vm,
					     struct qaccel_bo *bo)
{
	u64 size = ALIGN((u64)bo->base.base.size, QACCEL_VA_ALIGN);
	struct qaccel_mapping *map;
	int ret;

	if (!size || size > QACCEL_VA_END - QACCEL_VA_START - QA1_PAGE_SIZE)
		return ERR_PTR(-ENOSPC);

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&vm->lock);
	ret = drm_mm_insert_node_in_range(&vm->mm, &map->node,
					  size + QA1_PAGE_SIZE, QACCEL_VA_ALIGN, 0,
					  QACCEL_VA_START, QACCEL_VA_END,
					  DRM_MM_INSERT_BEST);
	mutex_unlock(&vm->lock);
	if (ret) {
		kfree(map);
		return ERR_PTR(ret == -ENOSPC ? -ENOSPC : ret);
	}

	kref_init(&map->ref);
	INIT_LIST_HEAD(&map->bo_link);
	map->vm = qaccel_vm_get(vm);
	map->bo = bo;
	drm_gem_object_get(&bo->base.base);

	return map;
}

/**
 * qaccel_mapping_populate - pin a mapped BO's pages and enter them in the
 *	page tables
 * @map: the mapping
 *
 * Does nothing when already done. The entries allow reads, and writes
 * unless the BO is DRM_QACCEL_BO_DEVICE_READONLY. May sleep.
 *
 * Return: 0 or a negative errno.
 */
int qaccel_mapping_populate(struct qaccel_mapping *map)
{
	struct qaccel_vm *vm = map->vm;
	struct qaccel_bo *bo = map->bo;
	struct sg_table *sgt;
	u64 perm;
	int ret = 0;

	/* Once set, populated stays set while the mapping lives. */
	if (smp_load_acquire(&map->populated))
		return 0;

	mutex_lock(&vm->lock);
	if (map->populated)
		goto out_unlock;

	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_unlock;
	}

	perm = QA1_PTE_VALID | QA1_PTE_READ;
	if (!(bo->flags & DRM_QACCEL_BO_DEVICE_READONLY))
		perm |= QA1_PTE_WRITE;

	ret = qaccel_vm_fill(vm, map->node.start, qaccel_mapping_size(map), sgt, perm);
	if (ret) {
		/* Entries that were never valid need no invalidation. */
		qaccel_vm_clear(vm, map->node.start, qaccel_mapping_size(map));
		goto out_unlock;
	}
	/* The page table entries are written before populated reads true. */
	smp_store_release(&map->populated, true);

out_unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

static void qaccel_mapping_release(struct kref *ref)
{
	struct qaccel_mapping *map = container_of(ref, struct qaccel_mapping, ref);
	struct qaccel_vm *vm = map->vm;
	struct qaccel_bo *bo = map->bo;
	bool populated;

	mutex_lock(&vm->lock);
	populated = map->populated;
	if (populated)
		qaccel_vm_clear(vm, map->node.start, qaccel_mapping_size(map));
	drm_mm_remove_node(&map->node);
	mutex_unlock(&vm->lock);

	/* No job uses the range any more; the engine may still cache it. */
	if (populated)
		qaccel_device_tlb_invalidate(vm->qdev);

	mutex_lock(&bo->maps_lock);
	list_del_init(&map->bo_link);
	mutex_unlock(&bo->maps_lock);

	drm_gem_object_put(&bo->base.base);
	qaccel_vm_put(vm);
	kfree(map);
}

/**
 * qaccel_mapping_put - drop a reference to a mapping
 * @map: the mapping
 *
 * The last reference unmaps the BO and frees its VA range. May sleep.
 */
void qaccel_mapping_put(struct qaccel_mapping *map)
{
	kref_put(&map->ref, qaccel_mapping_release);
}

/* The mapping holding va, with a new reference, or NULL. Under vm->lock. */
static struct qaccel_mapping *qaccel_vm_find_va(struct qaccel_vm *vm, u64 va)
{
	struct drm_mm_node *node;

	lockdep_assert_held(&vm->lock);
	if (va < QACCEL_VA_START || va >= QACCEL_VA_END)
		return NULL;

	drm_mm_for_each_node_in_range(node, &vm->mm, va, va + 1) {
		struct qaccel_mapping *map = container_of(node, struct qaccel_mapping, node);

		/*
		 * Only a BO the file still has a handle on: a mapping kept
		 * alive by running jobs after its last handle was closed is
		 * not the file's any more (SUBMIT would answer -ENOENT). The
		 * count changes under the BO's maps_lock: a close racing with
		 * the submission may go either way, as for SUBMIT.
		 */
		if (va - node->start < map->bo->base.base.size &&
		    READ_ONCE(map->handles) && kref_get_unless_zero(&map->ref))
			return map;
		break;
	}

	return NULL;
}

/**
 * qaccel_vm_lookup_vas - find the mappings whose BOs contain device VAs
 * @vm: the address space
 * @vas: the device VAs
 * @count: number of entries in @vas
 * @maps: out, for each VA the mapping of the BO whose range holds it, with
 *	a new reference, or NULL when it lies in no BO's range (guard pages
 *	included)
 *
 * The address space is locked once for all of them.
 */
void qaccel_vm_lookup_vas(struct qaccel_vm *vm, const u64 *vas, unsigned int count,
			  struct qaccel_mapping **maps)
{
	unsigned int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < count; i++)
		maps[i] = qaccel_vm_find_va(vm, vas[i]);
	mutex_unlock(&vm->lock);
}
