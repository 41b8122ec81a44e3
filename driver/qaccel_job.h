/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: jobs (one submission of GEMMs on one queue).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_JOB_H_
#define _QACCEL_JOB_H_

#include <linux/dma-fence.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <drm/gpu_scheduler.h>

#include "qaccel_hw.h"

struct drm_file;
struct drm_qaccel_gemm;
struct qaccel_device;
struct qaccel_mapping;
struct qaccel_queue;
struct qaccel_vm;

/* The BOs an io_uring command's GEMM names: A, W and C, at most three. */
#define QACCEL_CMD_BOS	3

/**
 * struct qaccel_job_bo - a buffer object a job uses
 * @map: its mapping in the job's address space (a reference)
 * @write: the job writes it (its fence goes in as a write fence)
 */
struct qaccel_job_bo {
	struct qaccel_mapping *map;
	bool write;
};

/**
 * struct qaccel_job - one submission: descriptors that run one after
 *	another on the engine, as one scheduler job
 * @base: the scheduler job
 * @qdev: the device (a reference on its DRM device)
 * @queue: the queue it was submitted to (a reference)
 * @vm: the address space its descriptors run in (a reference)
 * @bos: the buffer objects it uses (deduplicated), in the job's own
 *	allocation
 * @nbos: number of entries in @bos
 * @max_bos: room in @bos
 * @hw_fence: signalled when the engine completed the last descriptor, or
 *	when the job failed; initialised when the job first reaches the ring
 * @hw_fence_live: @hw_fence is initialised (a dma_fence, refcounted)
 * @done_cb: callback on the scheduler's finished fence, for the counters
 * @seq_first: sequence number of the first descriptor
 * @seq_last: sequence number of the last descriptor (@hw_fence's seqno)
 * @inflight_link: entry in &qaccel_ring.inflight, under the ring lock
 * @engine_ns: engine time the job took, set when it left the ring
 * @free_node: entry in the list of jobs waiting to be released in process
 *	context
 * @inject: QA1_INJECT_* bits armed in debugfs when it was submitted, for
 *	the engine to apply to the next descriptor it starts once this job
 *	reaches the ring
 * @ran: run_job has been called for it at least once
 * @pm_ref: it holds a runtime PM reference on the device
 * @lock_nointr: take the BOs' reservation locks without an interruptible
 *	wait: the submitter (an io_uring command) cannot report -EINTR,
 *	since pending io_uring task work makes a signal look pending
 * @cmds: for a job of io_uring commands, one command fence per descriptor
 *	(each command is a submission of its own, with its own seqno and
 *	status), in the job's own allocation; NULL for an ioctl job
 * @cmds_live: entries of @cmds initialised (the others, when not NULL,
 *	are allocated only)
 * @desc_start: descriptors before this one are over (completed, or failed
 *	on their own after a reset): the ring runs the job from here
 * @ring_ndesc: descriptors of the job the ring holds since run_job
 * @cmd_error: error of the first command that failed on its own (the job
 *	ran again after it): the job's fences carry it once the job is over,
 *	so implicit-sync waiters see that the job had a failure
 * @max_desc: room in @desc (io_uring commands join an open job while it
 *	has room)
 * @ndesc: number of descriptors
 * @desc: the descriptors (host order), SEQNO and PGD filled at submission
 *	to the ring
 */
struct qaccel_job {
	struct drm_sched_job base;
	struct qaccel_device *qdev;
	struct qaccel_queue *queue;
	struct qaccel_vm *vm;
	struct qaccel_job_bo *bos;
	unsigned int nbos;
	unsigned int max_bos;
	struct dma_fence *hw_fence;
	bool hw_fence_live;
	struct dma_fence_cb done_cb;
	u64 seq_first;
	u64 seq_last;
	struct list_head inflight_link;
	u64 engine_ns;
	struct llist_node free_node;
	u32 inject;
	bool ran;
	bool pm_ref;
	bool lock_nointr;
	struct dma_fence **cmds;
	u32 cmds_live;
	u32 desc_start;
	u32 ring_ndesc;
	int cmd_error;
	u32 max_desc;
	u32 ndesc;
	u32 desc[][QA1_DESC_WORDS];
};

static inline struct qaccel_job *to_qaccel_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct qaccel_job, base);
}

struct qaccel_job *qaccel_job_new(struct drm_file *file, u32 queue_id, u32 ndesc,
				  u32 max_bos);
struct qaccel_job *qaccel_job_new_cmd(struct drm_file *file, u32 queue_id, u32 max_desc);
void qaccel_job_push_armed(struct qaccel_job *job);
u64 qaccel_cmd_fence_job(struct dma_fence *fence);
int qaccel_job_add_bo_handle(struct qaccel_job *job, struct drm_file *file, u32 handle,
			     bool write);
int qaccel_job_add_bos_va(struct qaccel_job *job, const u64 *vas, const bool *write,
			  unsigned int count);
int qaccel_job_submit(struct qaccel_job *job, struct drm_file *file,
		      const struct drm_qaccel_gemm *gemms, const u32 *in_syncobjs,
		      u32 in_count, u32 out_syncobj, u64 *seqno,
		      struct dma_fence_cb *cb, dma_fence_func_t cb_func);
void qaccel_job_set_error(struct qaccel_job *job, int error);
void qaccel_job_free(struct qaccel_job *job);
void qaccel_job_release(struct qaccel_job *job);
int qaccel_job_module_init(void);
void qaccel_job_module_exit(void);

#endif /* _QACCEL_JOB_H_ */
