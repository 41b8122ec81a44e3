// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: scheduling and hang recovery.
 *
 * One drm_sched scheduler per engine feeds the command ring; every user
 * queue is an entity on it. run_job writes the job's descriptors into the
 * ring (qaccel_ring.c) and returns its hardware fence.
 *
 * Hangs: while jobs are on the engine, a hang check runs every
 * QACCEL_HANG_TICK_MS (at most); it compares the engine's PROGRESS and
 * RING_HEAD registers and the completed seqno with the previous sample:
 * any change is progress (a long job that still advances is not hung). When
 * nothing moved for job_timeout_ms, or on a FAULT interrupt, it fires the
 * scheduler's timeout handler (the scheduler's own timer is off), which:
 *
 *  1. stops the scheduler (no run_job, no free_job);
 *  2. looks again: only if the engine is halted or still without progress
 *     does it go on, capturing the registers for a devcoredump;
 *  3. soft-resets the engine, which then stops touching memory;
 *  4. signals the jobs the engine completed, fails the first incomplete one
 *     (the one it hung or faulted on) with -ETIMEDOUT (hang) or -EIO
 *     (fault), and takes the others out of the ring; in a job of io_uring
 *     commands only the command it stopped on fails, and the job's later
 *     commands run again with the innocent jobs;
 *  5. programs the ring again from index 0;
 *  6. hands the scheduler's jobs back to run_job, which writes the innocent
 *     ones again, in order, with their old sequence numbers (when there was
 *     no hang after all, nothing is written again), and restarts the
 *     scheduler; a devcoredump holds the capture.
 *
 * Jobs of other processes only run a little later: their fences never see
 * the reset.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/pm_runtime.h>
#include <linux/workqueue.h>
#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include "qaccel_compat.h"
#include "qaccel_coredump.h"
#include "qaccel_device.h"
#include "qaccel_job.h"
#include "qaccel_limits.h"
#include "qaccel_queue.h"
#include "qaccel_ring.h"
#include "qaccel_sched.h"

/* Longest period of the hang check while the engine has work. */
#define QACCEL_HANG_TICK_MS	250

static unsigned int job_timeout_ms = QACCEL_JOB_TIMEOUT_MS;
module_param(job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "A job on an engine whose progress counter has not moved for this long is hung (ms, default 2000)");

/**
 * qaccel_job_timeout_ms - the hang timeout currently in force
 *
 * Return: job_timeout_ms, at least QACCEL_JOB_TIMEOUT_MIN_MS.
 */
unsigned int qaccel_job_timeout_ms(void)
{
	return max_t(unsigned int, READ_ONCE(job_timeout_ms), QACCEL_JOB_TIMEOUT_MIN_MS);
}

static struct dma_fence *qaccel_sched_run_job(struct drm_sched_job *sched_job)
{
	struct qaccel_job *job = to_qaccel_job(sched_job);
	struct qaccel_device *qdev = job->qdev;
	struct dma_fence *fence;
	unsigned long flags;
	int error, idx;

	if (!job->ran) {
		job->ran = true;
		atomic_dec(&job->queue->queued);
		wake_up_all(&qdev->queue_wq);
	}

	/* Handed over again after a timeout: done, failed, or still running. */
	fence = qaccel_ring_job_fence(qdev, job);
	if (fence)
		return fence;

	error = job->base.s_fence->finished.error;
	if (!error && drm_dev_enter(&qdev->drm, &idx)) {
		fence = qaccel_ring_submit(qdev, job);
		drm_dev_exit(idx);
		return fence;
	}

	/* Cancelled, or the device is gone. */
	if (!error)
		error = -ENODEV;
	if (job->hw_fence_live) {
		spin_lock_irqsave(&qdev->ring.lock, flags);
		qaccel_job_set_error(job, error);
		dma_fence_signal_locked(job->hw_fence);
		spin_unlock_irqrestore(&qdev->ring.lock, flags);
	}
	return ERR_PTR(error);
}

/* Reset the engine and fail the job it hung or faulted on. */
static void qaccel_sched_reset(struct qaccel_device *qdev, int error)
{
	struct qaccel_coredump *dump;
	struct qaccel_job *guilty;
	u64 seqno = 0;

	dump = qaccel_coredump_capture(qdev, error);

	qaccel_ring_hw_stop(qdev);
	if (qaccel_device_reset(qdev))
		drm_err(&qdev->drm, "engine did not come out of reset\n");
	qaccel_device_sync_irq(qdev);
	atomic64_inc(&qdev->counters.resets);

	guilty = qaccel_ring_reset_inflight(qdev, error, &seqno);
	qaccel_coredump_add_job(dump, guilty, seqno);
	if (guilty)
		dev_warn_ratelimited(qdev->drm.dev, "job %llu-%llu %s at %llu, engine reset\n",
				     guilty->seq_first, guilty->seq_last,
				     error == -EIO ? "faulted" : "hung", seqno);

	qaccel_ring_hw_start(qdev);
	qaccel_coredump_emit(qdev, dump);
}

/*
 * The hang check (or a FAULT interrupt) fired the scheduler's timeout
 * handler. With the scheduler stopped, look again: a halted engine or one
 * without progress for the hang timeout is reset; the scheduler then hands
 * every job it has on the engine back to run_job, which writes those a
 * reset took out of the ring and only returns the fence of the others.
 */
static enum drm_gpu_sched_stat qaccel_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct qaccel_job *job = to_qaccel_job(sched_job);
	struct qaccel_device *qdev = job->qdev;
	bool halted;
	int idx;

	drm_sched_stop(&qdev->sched, sched_job);

	if (drm_dev_enter(&qdev->drm, &idx)) {
		halted = qaccel_reg_read(qdev, QA1_REG_STATUS) & QA1_STATUS_HALTED;
		if (halted ||
		    !qaccel_ring_progressed(qdev, msecs_to_jiffies(qaccel_job_timeout_ms())))
			qaccel_sched_reset(qdev, halted ? -EIO : -ETIMEDOUT);
		drm_dev_exit(idx);
	}

	drm_sched_resubmit_jobs(&qdev->sched);
	qaccel_compat_sched_start(&qdev->sched);

	return QACCEL_SCHED_STAT_OK;
}

static unsigned long qaccel_sched_hangcheck_period(void)
{
	return msecs_to_jiffies(clamp_t(unsigned int, qaccel_job_timeout_ms() / 4,
					QACCEL_JOB_TIMEOUT_MIN_MS, QACCEL_HANG_TICK_MS));
}

/*
 * Runs while the engine has jobs: no forward progress for the hang timeout
 * hands over to the scheduler's timeout handler.
 */
static void qaccel_sched_hangcheck_work(struct work_struct *work)
{
	struct qaccel_device *qdev = container_of(to_delayed_work(work),
						  struct qaccel_device, hang_work);
	int idx;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return;
	if (!qaccel_ring_idle(qdev)) {
		if (!qaccel_ring_progressed(qdev, msecs_to_jiffies(qaccel_job_timeout_ms())))
			drm_sched_fault(&qdev->sched);
		queue_delayed_work(system_wq, &qdev->hang_work, qaccel_sched_hangcheck_period());
	}
	drm_dev_exit(idx);
}

/**
 * qaccel_sched_hangcheck_arm - start the hang check when the engine gets work
 * @qdev: the device
 *
 * Any context.
 */
void qaccel_sched_hangcheck_arm(struct qaccel_device *qdev)
{
	queue_delayed_work(system_wq, &qdev->hang_work, qaccel_sched_hangcheck_period());
}

static void qaccel_sched_free_job(struct drm_sched_job *sched_job)
{
	qaccel_job_release(to_qaccel_job(sched_job));
}

static const struct drm_sched_backend_ops qaccel_sched_ops = {
	.run_job = qaccel_sched_run_job,
	.timedout_job = qaccel_sched_timedout_job,
	.free_job = qaccel_sched_free_job,
};

/* Runs when the DRM device is released: every file and job is gone. */
static void qaccel_sched_fini(struct drm_device *drm, void *data)
{
	struct qaccel_device *qdev = data;

	drm_sched_fini(&qdev->sched);
}

/**
 * qaccel_sched_init - create the engine's scheduler
 * @qdev: the device, with its ring allocated
 *
 * The scheduler lives as long as the DRM device: entities of files that
 * stay open after the engine is removed still refer to it.
 *
 * Return: 0 or a negative errno.
 */
int qaccel_sched_init(struct qaccel_device *qdev)
{
	u32 credits;
	int ret;

	snprintf(qdev->sched_name, sizeof(qdev->sched_name), "qaccel-%s",
		 dev_name(qdev->drm.dev));

	/* Descriptors on kernels with job credits, else whole jobs. */
	credits = qdev->ring_entries - 1;
	if (!QACCEL_SCHED_HAS_CREDITS)
		credits = max(credits / QACCEL_MAX_JOBS, 1u);

	INIT_DELAYED_WORK(&qdev->hang_work, qaccel_sched_hangcheck_work);

	/* No timer of its own: the hang check calls drm_sched_fault(). */
	ret = qaccel_compat_sched_init(&qdev->sched, &qaccel_sched_ops, credits,
				       MAX_SCHEDULE_TIMEOUT, qdev->sched_name,
				       qdev->drm.dev);
	if (ret)
		return ret;

	return drmm_add_action_or_reset(&qdev->drm, qaccel_sched_fini, qdev);
}

/**
 * qaccel_sched_quiesce - stop the engine for good when it is removed
 * @qdev: the device, unplugged (no ioctl, run_job or reset runs any more)
 *
 * Lets the engine finish what is in the ring (for at most the hang
 * timeout), resets it, fails whatever is left with -ENODEV and waits until
 * the scheduler has released the jobs that reached the engine.
 */
void qaccel_sched_quiesce(struct qaccel_device *qdev)
{
	long timeout = msecs_to_jiffies(qaccel_job_timeout_ms());

	wait_event_timeout(qdev->ring.idle_wq, qaccel_ring_idle(qdev), timeout);
	cancel_delayed_work_sync(&qdev->hang_work);
	qaccel_ring_hw_stop(qdev);
	qaccel_device_reset(qdev);
	qaccel_device_sync_irq(qdev);
	qaccel_ring_cancel_all(qdev, -ENODEV);

	/*
	 * Jobs still queued behind dependencies fail in run_job when they
	 * get there; those of closed files are released now. Wait for them,
	 * bounded: a file kept open can keep its own jobs waiting.
	 */
	if (!wait_event_timeout(qdev->jobs_wq, !atomic_read(&qdev->jobs_alive),
				timeout + 5 * HZ))
		drm_dbg(&qdev->drm, "%d jobs outlive the engine\n",
			atomic_read(&qdev->jobs_alive));
}
