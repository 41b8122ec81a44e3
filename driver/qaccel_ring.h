/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: the QA1 command ring and its hardware fences.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_RING_H_
#define _QACCEL_RING_H_

#include <linux/dma-fence.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct qaccel_device;
struct qaccel_job;

/**
 * struct qaccel_ring - the command ring the driver feeds
 * @lock: protects every field below except the constant ones (@desc,
 *	@desc_dma, @fence_word, @fence_dma, @entries, @fence_context), the
 *	ring memory and the fence word; it is also the lock of every hardware
 *	fence. Taken with interrupts disabled: the interrupt handler signals
 *	fences.
 * @desc: the descriptors (@entries of QA1_DESC_SIZE bytes), coherent memory
 * @desc_dma: bus address of @desc
 * @fence_word: the completion fence word the engine writes
 * @fence_dma: bus address of @fence_word
 * @entries: ring size, a power of two
 * @fence_context: dma-fence context of the hardware fences
 * @running: the engine is programmed and enabled (false while runtime
 *	suspended, during a reset and after removal)
 * @tail: index of the next descriptor to write (the TAIL register)
 * @used: descriptors written and not yet completed
 * @next_seqno: seqno of the next descriptor (64 bits; the engine sees the
 *	low 32)
 * @completed_seqno: seqno of the last completed descriptor
 * @inflight: jobs whose descriptors are in the ring, in ring order
 * @head_start: when the job at the head of @inflight started on the engine
 * @hc_progress: PROGRESS register at the last hang-check sample
 * @hc_head: RING_HEAD register at the last sample
 * @hc_seqno: @completed_seqno at the last sample
 * @hc_stamp: jiffies of the last sample that showed forward progress
 * @idle_wq: woken when @inflight becomes empty
 * @delay_us: the INJECT_DELAY_US value last programmed
 * @hold_job: a job with a fault injection whose doorbell waits until the
 *	engine has finished the jobs before it; the jobs after it wait too
 * @hold_inject: the QA1_INJECT_* bits to program then
 */
struct qaccel_ring {
	/* Protects the ring state; the lock of the hardware fences. */
	spinlock_t lock;
	__le32 *desc;
	dma_addr_t desc_dma;
	__le32 *fence_word;
	dma_addr_t fence_dma;
	u32 entries;
	u64 fence_context;
	bool running;
	u32 tail;
	u32 used;
	u64 next_seqno;
	u64 completed_seqno;
	struct list_head inflight;
	ktime_t head_start;
	u32 hc_progress;
	u32 hc_head;
	u64 hc_seqno;
	unsigned long hc_stamp;
	wait_queue_head_t idle_wq;
	u32 delay_us;
	struct qaccel_job *hold_job;
	u32 hold_inject;
};

int qaccel_ring_init(struct qaccel_device *qdev);
void qaccel_ring_hw_start(struct qaccel_device *qdev);
void qaccel_ring_hw_stop(struct qaccel_device *qdev);
struct dma_fence *qaccel_ring_job_fence(struct qaccel_device *qdev, struct qaccel_job *job);
struct dma_fence *qaccel_ring_submit(struct qaccel_device *qdev, struct qaccel_job *job);
void qaccel_ring_irq(struct qaccel_device *qdev, u32 pending);
void qaccel_ring_process_locked(struct qaccel_device *qdev);
bool qaccel_ring_progressed(struct qaccel_device *qdev, unsigned long timeout);
struct qaccel_job *qaccel_ring_reset_inflight(struct qaccel_device *qdev, int error,
					      u64 *seqno);
void qaccel_ring_cancel_all(struct qaccel_device *qdev, int error);
bool qaccel_ring_idle(struct qaccel_device *qdev);
u32 qaccel_ring_inject(struct qaccel_device *qdev, bool clear);
struct dma_fence *qaccel_hw_fence_alloc(void);
void qaccel_hw_fence_free_unused(struct dma_fence *fence);

#endif /* _QACCEL_RING_H_ */
