// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: the command ring and the hardware fences.
 *
 * The driver keeps one ring of QA1 descriptors per engine in coherent
 * memory. The scheduler's run_job callback writes a job's descriptors at the
 * tail, each with its own sequence number, the last one with QA1_CTRL_IRQ,
 * and rings the doorbell. The job's hardware fence carries the seqno of its
 * last descriptor; the interrupt handler reads the fence word the engine
 * writes after every descriptor and signals, in ring order, the fence of
 * every job it covers. Sequence numbers are 64 bits in the driver; the
 * engine sees their low 32 bits, extended back against the last completed
 * one.
 *
 * After a reset (qaccel_sched.c) the jobs that were in the ring are written
 * again from index 0 with the sequence numbers they had: only the guilty
 * job's are skipped (in a job of io_uring commands, only the guilty
 * command's and those before it).
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include "qaccel_device.h"
#include "qaccel_job.h"
#include "qaccel_ring.h"
#include "qaccel_sched.h"
#include "qaccel_vm.h"

static const char *qaccel_hw_fence_driver_name(struct dma_fence *fence)
{
	return "qaccel";
}

static const char *qaccel_hw_fence_timeline_name(struct dma_fence *fence)
{
	return "qa1-ring";
}

static const struct dma_fence_ops qaccel_hw_fence_ops = {
	.get_driver_name = qaccel_hw_fence_driver_name,
	.get_timeline_name = qaccel_hw_fence_timeline_name,
};

/**
 * qaccel_hw_fence_alloc - allocate a job's hardware fence
 *
 * The fence is initialised when the job first reaches the ring; until then
 * it is freed with qaccel_hw_fence_free_unused().
 *
 * Return: the fence or NULL.
 */
struct dma_fence *qaccel_hw_fence_alloc(void)
{
	return kzalloc(sizeof(struct dma_fence), GFP_KERNEL);
}

/**
 * qaccel_hw_fence_free_unused - free a hardware fence never initialised
 * @fence: the fence
 */
void qaccel_hw_fence_free_unused(struct dma_fence *fence)
{
	kfree(fence);
}

/**
 * qaccel_ring_init - allocate the ring and the fence word
 * @qdev: the device, identified
 *
 * Device-managed memory: it is freed when the device unbinds, after the
 * engine has been reset.
 *
 * Return: 0 or -ENOMEM.
 */
int qaccel_ring_init(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;
	size_t size = (size_t)qdev->ring_entries * QA1_DESC_SIZE;

	spin_lock_init(&ring->lock);
	INIT_LIST_HEAD(&ring->inflight);
	init_waitqueue_head(&ring->idle_wq);
	ring->entries = qdev->ring_entries;
	ring->fence_context = dma_fence_context_alloc(1);
	ring->next_seqno = 1;

	/* The fence word lives in the 64 bytes after the descriptors. */
	ring->desc = dmam_alloc_coherent(qdev->drm.dev, size + QA1_DESC_SIZE,
					 &ring->desc_dma, GFP_KERNEL);
	if (!ring->desc)
		return -ENOMEM;
	ring->fence_word = ring->desc + size / sizeof(*ring->desc);
	ring->fence_dma = ring->desc_dma + size;

	return 0;
}

/**
 * qaccel_ring_hw_start - program the ring into a freshly reset engine and
 *	enable it
 * @qdev: the device
 *
 * The ring starts empty at index 0; jobs that must run again are written by
 * the caller afterwards. Process context.
 */
void qaccel_ring_hw_start(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	ring->tail = 0;
	ring->used = 0;
	ring->hold_job = NULL;
	ring->hold_inject = 0;
	WRITE_ONCE(*ring->fence_word, cpu_to_le32(lower_32_bits(ring->completed_seqno)));
	ring->hc_stamp = jiffies;
	ring->hc_progress = 0;
	ring->hc_head = 0;
	ring->hc_seqno = ring->completed_seqno;
	ring->head_start = ktime_get();

	qaccel_reg_write(qdev, QA1_REG_RING_BASE_LO, lower_32_bits(ring->desc_dma));
	qaccel_reg_write(qdev, QA1_REG_RING_BASE_HI, upper_32_bits(ring->desc_dma));
	qaccel_reg_write(qdev, QA1_REG_RING_SIZE, ring->entries);
	qaccel_reg_write(qdev, QA1_REG_RING_TAIL, 0);
	qaccel_reg_write(qdev, QA1_REG_FENCE_ADDR_LO, lower_32_bits(ring->fence_dma));
	qaccel_reg_write(qdev, QA1_REG_FENCE_ADDR_HI, upper_32_bits(ring->fence_dma));
	if (qdev->hw.caps & QA1_CAP_FAULT_INJECT) {
		ring->delay_us = READ_ONCE(qdev->inject_delay_us);
		qaccel_reg_write(qdev, QA1_REG_INJECT_DELAY_US, ring->delay_us);
	}
	qaccel_reg_write(qdev, QA1_REG_IRQ_CLEAR, QA1_IRQ_ALL);
	WRITE_ONCE(ring->running, true);
	qaccel_reg_write(qdev, QA1_REG_IRQ_MASK, QA1_IRQ_ALL);
	qaccel_reg_write(qdev, QA1_REG_CONTROL, QA1_CONTROL_ENABLE);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/**
 * qaccel_ring_hw_stop - stop feeding the engine (before a reset)
 * @qdev: the device
 *
 * Masks the interrupts and marks the ring stopped; the caller resets the
 * engine next.
 */
void qaccel_ring_hw_stop(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	WRITE_ONCE(ring->running, false);
	qaccel_reg_write(qdev, QA1_REG_IRQ_MASK, 0);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* Take a hang-check sample at the current state: forward progress now. */
static void qaccel_ring_sample_locked(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;

	ring->hc_progress = qaccel_reg_read(qdev, QA1_REG_PROGRESS);
	ring->hc_head = qaccel_reg_read(qdev, QA1_REG_RING_HEAD);
	ring->hc_seqno = ring->completed_seqno;
	ring->hc_stamp = jiffies;
}

/* Hand the engine every descriptor written so far. */
static void qaccel_ring_doorbell_locked(struct qaccel_device *qdev)
{
	/* Descriptors before the doorbell. */
	wmb();
	qaccel_reg_write(qdev, QA1_REG_RING_TAIL, qdev->ring.tail);
}

/* The engine is done with the jobs before the held one: inject and go. */
static void qaccel_ring_release_hold_locked(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;

	qaccel_reg_write(qdev, QA1_REG_INJECT, ring->hold_inject);
	ring->hold_job = NULL;
	ring->hold_inject = 0;
	qaccel_ring_doorbell_locked(qdev);
}

/**
 * qaccel_ring_job_fence - the hardware fence of a job that needs no writing
 * @qdev: the device
 * @job: a job that reached the ring before
 *
 * A job the scheduler hands over again after a timeout handler found no
 * hang is still in the ring, or has completed since: it must not be
 * written again.
 *
 * Return: a new reference to its hardware fence when it has completed or
 * failed, or is still in the ring; NULL when a reset took it out.
 */
struct dma_fence *qaccel_ring_job_fence(struct qaccel_device *qdev, struct qaccel_job *job)
{
	struct qaccel_ring *ring = &qdev->ring;
	struct dma_fence *fence = NULL;
	unsigned long flags;

	if (!job->hw_fence_live)
		return NULL;

	spin_lock_irqsave(&ring->lock, flags);
	if (dma_fence_is_signaled_locked(job->hw_fence) || !list_empty(&job->inflight_link))
		fence = dma_fence_get(job->hw_fence);
	spin_unlock_irqrestore(&ring->lock, flags);

	return fence;
}

/**
 * qaccel_ring_submit - write a job's descriptors and ring the doorbell
 * @qdev: the device
 * @job: the job, not in the ring; its first submission gives it its sequence
 *	numbers and initialises its hardware fence, a submission after a reset
 *	reuses them
 *
 * Called by the scheduler only (run_job), which never runs it concurrently
 * with itself or with a reset.
 *
 * Return: a new reference to the job's hardware fence, or an ERR_PTR().
 */
struct dma_fence *qaccel_ring_submit(struct qaccel_device *qdev, struct qaccel_job *job)
{
	struct qaccel_ring *ring = &qdev->ring;
	u64 pgd = job->vm->l1.dma;
	unsigned long flags;
	u32 delay, i, n, w;
	bool idle;

	spin_lock_irqsave(&ring->lock, flags);
	n = job->ndesc - job->desc_start;
	if (!ring->running || ring->used + n > ring->entries - 1) {
		spin_unlock_irqrestore(&ring->lock, flags);
		drm_err(&qdev->drm, "command ring not ready for a job of %u descriptors\n", n);
		return ERR_PTR(-EIO);
	}

	if (!job->hw_fence_live) {
		job->seq_first = ring->next_seqno;
		job->seq_last = ring->next_seqno + job->ndesc - 1;
		ring->next_seqno += job->ndesc;
		dma_fence_init(job->hw_fence, &qaccel_hw_fence_ops, &ring->lock,
			       ring->fence_context, job->seq_last);
		job->hw_fence_live = true;
	}

	/* After a reset, the descriptors the ring did not finish. */
	for (i = job->desc_start; i < job->ndesc; i++) {
		__le32 *d = ring->desc + (size_t)ring->tail * (QA1_DESC_SIZE / 4);
		u32 ctrl = job->desc[i][QA1_DESC_CTRL];

		if (i == job->ndesc - 1)
			ctrl |= QA1_CTRL_IRQ;
		for (w = 0; w < QA1_DESC_WORDS; w++) {
			u32 v = job->desc[i][w];

			switch (w) {
			case QA1_DESC_CTRL:
				v = ctrl;
				break;
			case QA1_DESC_SEQNO:
				v = lower_32_bits(job->seq_first + i);
				break;
			case QA1_DESC_PGD_LO:
				v = lower_32_bits(pgd);
				break;
			case QA1_DESC_PGD_HI:
				v = upper_32_bits(pgd);
				break;
			}
			WRITE_ONCE(d[w], cpu_to_le32(v));
		}
		ring->tail = (ring->tail + 1) & (ring->entries - 1);
	}
	job->ring_ndesc = n;
	ring->used += n;

	idle = list_empty(&ring->inflight);
	if (idle) {
		ring->head_start = ktime_get();
		qaccel_ring_sample_locked(qdev);
		qaccel_sched_hangcheck_arm(qdev);
	}
	list_add_tail(&job->inflight_link, &ring->inflight);

	/* Page-table entries removed since the last job must not be cached. */
	qaccel_device_tlb_flush_stale(qdev);

	if (qdev->hw.caps & QA1_CAP_FAULT_INJECT) {
		delay = READ_ONCE(qdev->inject_delay_us);
		if (delay != ring->delay_us) {
			qaccel_reg_write(qdev, QA1_REG_INJECT_DELAY_US, delay);
			ring->delay_us = delay;
		}
		/*
		 * INJECT applies to the next descriptor the engine starts: for
		 * it to hit this job, the doorbell waits until the engine has
		 * finished the jobs before it (qaccel_ring_process_locked()).
		 */
		if (job->inject && !ring->hold_job) {
			ring->hold_job = job;
			ring->hold_inject = job->inject;
		}
		job->inject = 0;
	}

	if (!ring->hold_job)
		qaccel_ring_doorbell_locked(qdev);
	else if (idle)
		qaccel_ring_release_hold_locked(qdev);
	spin_unlock_irqrestore(&ring->lock, flags);

	return dma_fence_get(job->hw_fence);
}

/* A job left the ring: account its engine time. */
static void qaccel_ring_job_done_locked(struct qaccel_device *qdev,
					struct qaccel_job *job, ktime_t now)
{
	struct qaccel_ring *ring = &qdev->ring;
	s64 ns = ktime_to_ns(ktime_sub(now, ring->head_start));

	if (ns < 0)
		ns = 0;
	job->engine_ns = ns;
	atomic64_add(ns, &qdev->counters.busy_ns);
	atomic64_add(ns, &job->vm->engine_ns);
	ring->head_start = now;
	ring->used -= job->ring_ndesc;
	list_del_init(&job->inflight_link);
}

/**
 * qaccel_ring_process_locked - signal the fences of completed jobs
 * @qdev: the device, with the ring lock held
 */
void qaccel_ring_process_locked(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;
	struct qaccel_job *job, *tmp;
	u32 word, ahead;
	ktime_t now;
	u64 done;

	lockdep_assert_held(&ring->lock);

	word = le32_to_cpu(READ_ONCE(*ring->fence_word));
	ahead = word - lower_32_bits(ring->completed_seqno);
	/* Ignore a value outside what was issued (never seen by a sane engine). */
	if (!ahead || ahead >= ring->next_seqno - ring->completed_seqno)
		return;
	done = ring->completed_seqno + ahead;
	ring->completed_seqno = done;

	now = ktime_get();
	list_for_each_entry_safe(job, tmp, &ring->inflight, inflight_link) {
		if (job->seq_last > done)
			break;
		qaccel_ring_job_done_locked(qdev, job, now);
		job->desc_start = job->ndesc;
		if (job->cmd_error)
			qaccel_job_set_error(job, job->cmd_error);
		dma_fence_signal_locked(job->hw_fence);
	}

	if (ring->running) {
		qaccel_ring_sample_locked(qdev);
		if (ring->hold_job &&
		    list_first_entry(&ring->inflight, struct qaccel_job,
				     inflight_link) == ring->hold_job)
			qaccel_ring_release_hold_locked(qdev);
	}
	if (list_empty(&ring->inflight))
		wake_up_all(&ring->idle_wq);
}

/**
 * qaccel_ring_irq - handle the engine's interrupt
 * @qdev: the device
 * @pending: the acknowledged QA1_IRQ_* bits
 *
 * Hard interrupt context: signals fences, and hands a fault to the
 * scheduler's timeout handler, which resets the engine.
 */
void qaccel_ring_irq(struct qaccel_device *qdev, u32 pending)
{
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	qaccel_ring_process_locked(qdev);
	spin_unlock_irqrestore(&ring->lock, flags);

	if (pending & QA1_IRQ_FAULT)
		drm_sched_fault(&qdev->sched);
}

/**
 * qaccel_ring_progressed - hang check
 * @qdev: the device
 * @timeout: jiffies without forward progress that make a hang
 *
 * Compares PROGRESS, RING_HEAD and the completed seqno with the previous
 * sample: any change is forward progress (a long job that still advances
 * is not hung).
 *
 * Return: true unless the engine made no progress for @timeout.
 */
bool qaccel_ring_progressed(struct qaccel_device *qdev, unsigned long timeout)
{
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;
	u32 progress, head;
	bool alive;

	spin_lock_irqsave(&ring->lock, flags);
	qaccel_ring_process_locked(qdev);
	progress = qaccel_reg_read(qdev, QA1_REG_PROGRESS);
	head = qaccel_reg_read(qdev, QA1_REG_RING_HEAD);
	if (progress != ring->hc_progress || head != ring->hc_head ||
	    ring->completed_seqno != ring->hc_seqno) {
		qaccel_ring_sample_locked(qdev);
		alive = true;
	} else {
		alive = time_before(jiffies, ring->hc_stamp + timeout);
	}
	spin_unlock_irqrestore(&ring->lock, flags);

	return alive;
}

/*
 * A job's descriptors before the one the engine was on when it stopped
 * have completed: the job goes on from there. Returns that descriptor.
 */
static u32 qaccel_ring_job_progress_locked(struct qaccel_ring *ring, struct qaccel_job *job)
{
	if (ring->completed_seqno >= job->seq_first)
		job->desc_start = max_t(u32, job->desc_start,
					ring->completed_seqno - job->seq_first + 1);
	return job->desc_start;
}

/**
 * qaccel_ring_reset_inflight - take the jobs out of a reset engine's ring
 * @qdev: the device; the engine has been reset, the scheduler is stopped
 * @error: error of the guilty job (-ETIMEDOUT or -EIO)
 * @seqno: out, the sequence number of the descriptor the engine hung or
 *	faulted on
 *
 * Signals the fences of jobs the engine completed before it stopped, then
 * fails the first incomplete job (the one the engine hung or faulted on)
 * with @error. The other jobs leave the ring; the scheduler writes them
 * again after qaccel_ring_hw_start().
 *
 * The descriptors of a job of io_uring commands are submissions of their
 * own: the command the engine stopped on fails alone, and the job stays,
 * to run its later commands again with the innocent jobs; only a failure
 * on its last command ends it with @error (its earlier commands keep the
 * status they had). Either way the job's own fences end with the error of
 * its first failed command.
 *
 * Return: the guilty job, or NULL when the ring held none.
 */
struct qaccel_job *qaccel_ring_reset_inflight(struct qaccel_device *qdev, int error,
					      u64 *seqno)
{
	struct qaccel_ring *ring = &qdev->ring;
	struct qaccel_job *job, *guilty;
	unsigned long flags;
	u32 at;

	spin_lock_irqsave(&ring->lock, flags);
	qaccel_ring_process_locked(qdev);

	guilty = list_first_entry_or_null(&ring->inflight, struct qaccel_job, inflight_link);
	if (guilty) {
		at = qaccel_ring_job_progress_locked(ring, guilty);
		*seqno = guilty->seq_first + at;
		qaccel_ring_job_done_locked(qdev, guilty, ktime_get());
		if (guilty->cmds && at + 1 < guilty->ndesc) {
			/* The command fails; the job runs again from the next one. */
			dma_fence_set_error(guilty->cmds[at], error);
			if (!guilty->cmd_error)
				guilty->cmd_error = error;
			guilty->desc_start = at + 1;
			ring->completed_seqno = *seqno;
		} else {
			if (guilty->seq_last > ring->completed_seqno)
				ring->completed_seqno = guilty->seq_last;
			if (guilty->cmds)
				dma_fence_set_error(guilty->cmds[at], error);
			qaccel_job_set_error(guilty, guilty->cmd_error ? guilty->cmd_error : error);
			dma_fence_signal_locked(guilty->hw_fence);
		}
	}

	/* The innocent ones run again, with the same sequence numbers. */
	while ((job = list_first_entry_or_null(&ring->inflight, struct qaccel_job,
					       inflight_link)))
		list_del_init(&job->inflight_link);
	ring->used = 0;
	wake_up_all(&ring->idle_wq);
	spin_unlock_irqrestore(&ring->lock, flags);

	return guilty;
}

/**
 * qaccel_ring_cancel_all - fail every job in the ring
 * @qdev: the device; the engine has been reset and stays stopped
 * @error: their error
 */
void qaccel_ring_cancel_all(struct qaccel_device *qdev, int error)
{
	struct qaccel_ring *ring = &qdev->ring;
	struct qaccel_job *job;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	qaccel_ring_process_locked(qdev);
	WRITE_ONCE(ring->running, false);
	while ((job = list_first_entry_or_null(&ring->inflight, struct qaccel_job,
					       inflight_link))) {
		/* Commands the engine completed keep their success. */
		qaccel_ring_job_progress_locked(ring, job);
		qaccel_ring_job_done_locked(qdev, job, ktime_get());
		if (job->seq_last > ring->completed_seqno)
			ring->completed_seqno = job->seq_last;
		qaccel_job_set_error(job, error);
		dma_fence_signal_locked(job->hw_fence);
	}
	ring->used = 0;
	wake_up_all(&ring->idle_wq);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/**
 * qaccel_ring_inject - update the engine's fault-injection registers
 * @qdev: the device
 * @clear: disarm an injection the engine has not latched yet
 *
 * Programs &qaccel_device.inject_delay_us now when the engine is running
 * (else it is programmed when it is started), and with @clear zeroes INJECT.
 *
 * Return: the INJECT bits armed in the engine (before a clear), 0 when it
 * is not running.
 */
u32 qaccel_ring_inject(struct qaccel_device *qdev, bool clear)
{
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;
	u32 armed = 0;

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->running && (qdev->hw.caps & QA1_CAP_FAULT_INJECT)) {
		ring->delay_us = READ_ONCE(qdev->inject_delay_us);
		qaccel_reg_write(qdev, QA1_REG_INJECT_DELAY_US, ring->delay_us);
		armed = qaccel_reg_read(qdev, QA1_REG_INJECT) | ring->hold_inject;
		if (clear) {
			qaccel_reg_write(qdev, QA1_REG_INJECT, 0);
			ring->hold_inject = 0;
		}
	}
	spin_unlock_irqrestore(&ring->lock, flags);

	return armed;
}

/**
 * qaccel_ring_idle - tell whether no job is in the ring
 * @qdev: the device
 *
 * Return: true when the ring holds no job.
 */
bool qaccel_ring_idle(struct qaccel_device *qdev)
{
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&ring->lock, flags);
	idle = list_empty(&ring->inflight);
	spin_unlock_irqrestore(&ring->lock, flags);

	return idle;
}
