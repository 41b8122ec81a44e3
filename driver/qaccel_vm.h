/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: per-file device address spaces (VA allocator and QA1 page tables)
 * and the mappings of buffer objects into them.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_VM_H_
#define _QACCEL_VM_H_

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <drm/drm_mm.h>

#include "qaccel_hw.h"

struct qaccel_bo;
struct qaccel_device;

/**
 * struct qaccel_pt - one QA1 page table (1024 entries, 8 KiB aligned)
 * @cpu: kernel address of the entries, little-endian
 * @dma: bus address the engine reads the table at
 */
struct qaccel_pt {
	__le64 *cpu;
	dma_addr_t dma;
};

/**
 * struct qaccel_vm - the device address space of one open file
 * @ref: the file and every mapping and job hold a reference
 * @qdev: the device
 * @lock: protects @mm, @l2 and the contents of every page table of this
 *	address space (and &qaccel_mapping.populated)
 * @mm: VA allocator over [QACCEL_VA_START, QACCEL_VA_END)
 * @l1: the level-1 table, whose bus address goes into every descriptor
 * @l2: level-2 tables, allocated when the first page of their 4 MiB is
 *	mapped, freed with the address space
 * @engine_ns: engine time of the jobs that ran in this address space (the
 *	file's drm-engine-qa1 fdinfo key)
 *
 * The address space outlives its file while jobs still use it: they hold
 * references, so the page tables stay valid until the engine is done.
 */
struct qaccel_vm {
	struct kref ref;
	struct qaccel_device *qdev;
	/* Protects mm, l2 and the page-table contents. */
	struct mutex lock;
	struct drm_mm mm;
	struct qaccel_pt l1;
	struct qaccel_pt l2[QA1_PT_ENTRIES];
	atomic64_t engine_ns;
};

/**
 * struct qaccel_mapping - a buffer object mapped into one address space
 * @ref: held while the file has a handle on the BO and by every job that
 *	uses the mapping
 * @vm: the address space (a reference)
 * @bo: the buffer object (a reference)
 * @node: the VA range: the BO's pages followed by one unmapped guard page
 * @bo_link: entry in the BO's list of mappings, under its maps_lock
 * @handles: number of handles the file has on the BO, under the BO's
 *	maps_lock; the file's reference on the mapping exists while it is
 *	non-zero
 * @populated: the pages are pinned and entered in the page tables; set
 *	under &qaccel_vm.lock, and read without it (acquire) by
 *	qaccel_mapping_populate(), since it is never cleared while the
 *	mapping lives
 *
 * The VA is reserved when the file gets its first handle; the pages are
 * allocated and entered in the page tables when a job first uses the BO
 * (qaccel_mapping_populate()), and removed, with a TLB invalidation, when
 * the last reference goes.
 */
struct qaccel_mapping {
	struct kref ref;
	struct qaccel_vm *vm;
	struct qaccel_bo *bo;
	struct drm_mm_node node;
	struct list_head bo_link;
	unsigned int handles;
	bool populated;
};

static inline u64 qaccel_mapping_va(const struct qaccel_mapping *map)
{
	return map->node.start;
}

struct qaccel_vm *qaccel_vm_create(struct qaccel_device *qdev);
void qaccel_vm_put(struct qaccel_vm *vm);

static inline struct qaccel_vm *qaccel_vm_get(struct qaccel_vm *vm)
{
	kref_get(&vm->ref);
	return vm;
}

struct qaccel_mapping *qaccel_mapping_create(struct qaccel_vm *vm,
					     struct qaccel_bo *bo);
int qaccel_mapping_populate(struct qaccel_mapping *map);
void qaccel_mapping_put(struct qaccel_mapping *map);

static inline struct qaccel_mapping *qaccel_mapping_get(struct qaccel_mapping *map)
{
	kref_get(&map->ref);
	return map;
}

void qaccel_vm_lookup_vas(struct qaccel_vm *vm, const u64 *vas, unsigned int count,
			  struct qaccel_mapping **maps);

#endif /* _QACCEL_VM_H_ */
