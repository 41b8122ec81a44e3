/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: job queues (one scheduler entity each) and their history.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_QUEUE_H_
#define _QACCEL_QUEUE_H_

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <drm/gpu_scheduler.h>

#include "qaccel_limits.h"

struct dma_fence;
struct qaccel_device;
struct qaccel_file;
struct qaccel_uring_order;

/**
 * struct qaccel_queue - a user queue: one scheduler entity
 * @ref: the file's queue table and every job of the queue hold one
 * @qdev: the device
 * @id: the queue's id in its file
 * @entity: the scheduler entity; jobs of one queue run in order
 * @lock: protects @dead, @seqno and @history, and orders submissions:
 *	sequence numbers are handed out in the order jobs are pushed
 * @dead: destroyed: no job may be pushed any more
 * @seqno: sequence number of the last submission (the first gets 1)
 * @history: fences of the last QACCEL_JOB_HISTORY submissions (the
 *	finished fence of an ioctl job, the command fence of an io_uring
 *	command), indexed by seqno % QACCEL_JOB_HISTORY
 * @queued: jobs pushed to @entity that have not reached the engine yet
 * @uring_order: the queue's io_uring state (a reference): the order in
 *	which completions of its commands are posted, and its open job
 * @cmd_context: fence context of its io_uring commands' fences
 */
struct qaccel_queue {
	struct kref ref;
	struct qaccel_device *qdev;
	u32 id;
	struct drm_sched_entity entity;
	/* Protects dead, seqno and history; orders submissions. */
	struct mutex lock;
	bool dead;
	u64 seqno;
	struct dma_fence *history[QACCEL_JOB_HISTORY];
	atomic_t queued;
	struct qaccel_uring_order *uring_order;
	u64 cmd_context;
};

int qaccel_queues_init(struct qaccel_file *qfile);
void qaccel_queues_fini(struct qaccel_file *qfile);
struct qaccel_queue *qaccel_queue_lookup(struct qaccel_file *qfile, u32 id);
void qaccel_queue_put(struct qaccel_queue *queue);
s32 qaccel_job_status(struct dma_fence *fence);

#endif /* _QACCEL_QUEUE_H_ */
