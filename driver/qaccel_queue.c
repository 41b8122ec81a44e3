// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: job queues.
 *
 * Each queue of a file is one drm_sched entity on the device's scheduler,
 * with the queue's priority: jobs of one queue run in submission order,
 * queues run independently. Queue 0 exists from open to close with normal
 * priority; others are created and destroyed by ioctl.
 *
 * A queue remembers the fences of its last QACCEL_JOB_HISTORY submissions
 * (a job's finished fence, or an io_uring command's own fence), so that
 * DRM_IOCTL_QACCEL_JOB_WAIT can tell how a submission ended (the fence's
 * error), not only that it did.
 *
 * Destroying a queue waits until its queued jobs have reached the engine
 * (however long their dependencies take; a fatal signal cuts it short),
 * then tears the entity down. Closing the file waits a bounded time only:
 * jobs still waiting for their dependencies then are cancelled. Jobs
 * already on the engine run to completion; they hold references to what
 * they use.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/capability.h>
#include <linux/dma-fence.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>
#include <drm/qaccel_accel.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_ioctl.h"
#include "qaccel_queue.h"
#include "qaccel_uring.h"

/* The shortest time a queue teardown waits for its queued jobs. */
#define QACCEL_QUEUE_FLUSH_MIN_MS	1000

static enum drm_sched_priority qaccel_queue_sched_priority(u32 priority)
{
	switch (priority) {
	case DRM_QACCEL_PRIORITY_LOW:
		return QACCEL_SCHED_PRIORITY_LOW;
	case DRM_QACCEL_PRIORITY_HIGH:
		return DRM_SCHED_PRIORITY_HIGH;
	default:
		return DRM_SCHED_PRIORITY_NORMAL;
	}
}

static struct qaccel_queue *qaccel_queue_create(struct qaccel_device *qdev, u32 priority)
{
	struct drm_gpu_scheduler *sched = &qdev->sched;
	struct qaccel_queue *queue;
	int ret;

	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue)
		return ERR_PTR(-ENOMEM);

	queue->uring_order = qaccel_uring_order_create();
	if (!queue->uring_order) {
		ret = -ENOMEM;
		goto err_free_queue;
	}

	ret = drm_sched_entity_init(&queue->entity, qaccel_queue_sched_priority(priority),
				    &sched, 1, NULL);
	if (ret)
		goto err_put_order;

	kref_init(&queue->ref);
	mutex_init(&queue->lock);
	queue->cmd_context = dma_fence_context_alloc(1);
	atomic_set(&queue->queued, 0);
	queue->qdev = qdev;

	return queue;

err_put_order:
	qaccel_uring_order_put(queue->uring_order);
err_free_queue:
	kfree(queue);
	return ERR_PTR(ret);
}

static void qaccel_queue_release(struct kref *ref)
{
	struct qaccel_queue *queue = container_of(ref, struct qaccel_queue, ref);
	unsigned int i;

	for (i = 0; i < QACCEL_JOB_HISTORY; i++)
		dma_fence_put(queue->history[i]);
	qaccel_uring_order_put(queue->uring_order);
	mutex_destroy(&queue->lock);
	kfree(queue);
}

/**
 * qaccel_queue_put - drop a reference to a queue
 * @queue: the queue
 */
void qaccel_queue_put(struct qaccel_queue *queue)
{
	kref_put(&queue->ref, qaccel_queue_release);
}

/*
 * Stop a queue: no more submissions; wait until its queued jobs reached the
 * engine; tear the entity down, cancelling what is left; drop the caller's
 * reference.
 *
 * @drain (QUEUE_DESTROY): wait for as long as the jobs' dependencies take,
 * which dma-fence rules bound; only a fatal signal cuts the wait short.
 * Otherwise (file close) wait a bounded time, and not at all for a killed
 * process.
 */
static void qaccel_queue_kill(struct qaccel_queue *queue, bool drain)
{
	struct qaccel_device *qdev = queue->qdev;
	long timeout;

	mutex_lock(&queue->lock);
	queue->dead = true;
	/* An io_uring job still open goes to the entity before it is torn down. */
	qaccel_uring_flush(queue->uring_order);
	mutex_unlock(&queue->lock);

	if (drain) {
		/* Interrupted by a fatal signal: cancel what is left. */
		if (wait_event_killable(qdev->queue_wq, !atomic_read(&queue->queued)))
			drm_dbg(&qdev->drm, "queue %u destroyed by a killed task\n", queue->id);
	} else {
		timeout = msecs_to_jiffies(max_t(unsigned int, QACCEL_QUEUE_FLUSH_MIN_MS,
						 qaccel_job_timeout_ms()));
		if (fatal_signal_pending(current) ||
		    ((current->flags & PF_EXITING) && current->exit_code == SIGKILL))
			timeout = 0;
		if (timeout)
			wait_event_timeout(qdev->queue_wq, !atomic_read(&queue->queued), timeout);
	}

	drm_sched_entity_fini(&queue->entity);
	qaccel_queue_put(queue);
}

/**
 * qaccel_queues_init - give a new file its queue 0
 * @qfile: the file
 *
 * Return: 0 or a negative errno.
 */
int qaccel_queues_init(struct qaccel_file *qfile)
{
	struct qaccel_queue *queue;

	mutex_init(&qfile->queues_lock);
	xa_init_flags(&qfile->queues, XA_FLAGS_ALLOC1);

	queue = qaccel_queue_create(qfile->qdev, DRM_QACCEL_PRIORITY_NORMAL);
	if (IS_ERR(queue)) {
		xa_destroy(&qfile->queues);
		mutex_destroy(&qfile->queues_lock);
		return PTR_ERR(queue);
	}
	qfile->queue0 = queue;
	qfile->nr_queues = 1;

	return 0;
}

/**
 * qaccel_queues_fini - destroy every queue of a closing file
 * @qfile: the file
 */
void qaccel_queues_fini(struct qaccel_file *qfile)
{
	struct qaccel_queue *queue;
	unsigned long id;

	xa_for_each(&qfile->queues, id, queue) {
		xa_erase(&qfile->queues, id);
		qaccel_queue_kill(queue, false);
	}
	qaccel_queue_kill(qfile->queue0, false);
	qfile->queue0 = NULL;
	xa_destroy(&qfile->queues);
	mutex_destroy(&qfile->queues_lock);
}

/**
 * qaccel_queue_lookup - find a queue of a file
 * @qfile: the file
 * @id: the queue id, 0 for the default queue
 *
 * Return: the queue with a new reference, or NULL.
 */
struct qaccel_queue *qaccel_queue_lookup(struct qaccel_file *qfile, u32 id)
{
	struct qaccel_queue *queue;

	if (!id) {
		kref_get(&qfile->queue0->ref);
		return qfile->queue0;
	}

	xa_lock(&qfile->queues);
	queue = xa_load(&qfile->queues, id);
	if (queue)
		kref_get(&queue->ref);
	xa_unlock(&qfile->queues);

	return queue;
}

/**
 * qaccel_ioctl_queue_create - DRM_IOCTL_QACCEL_QUEUE_CREATE
 * @drm: the device
 * @data: &struct drm_qaccel_queue_create
 * @file: the caller's file
 *
 * Return: 0; -EINVAL for a bad priority, flags or padding; -EPERM for a
 * high-priority queue without CAP_SYS_NICE; -ENOSPC when the file has
 * QACCEL_MAX_QUEUES queues.
 */
int qaccel_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct drm_qaccel_queue_create *args = data;
	struct qaccel_queue *queue;
	u32 id;
	int ret;

	if (args->flags || args->pad)
		return -EINVAL;
	if (args->priority > DRM_QACCEL_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == DRM_QACCEL_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EPERM;

	mutex_lock(&qfile->queues_lock);
	if (qfile->nr_queues >= QACCEL_MAX_QUEUES) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	queue = qaccel_queue_create(qfile->qdev, args->priority);
	if (IS_ERR(queue)) {
		ret = PTR_ERR(queue);
		goto out_unlock;
	}

	ret = xa_alloc_cyclic(&qfile->queues, &id, queue, XA_LIMIT(1, U32_MAX),
			      &qfile->next_queue_id, GFP_KERNEL);
	if (ret < 0) {
		drm_sched_entity_fini(&queue->entity);
		qaccel_queue_put(queue);
		goto out_unlock;
	}
	ret = 0;
	queue->id = id;
	qfile->nr_queues++;
	args->queue_id = id;

out_unlock:
	mutex_unlock(&qfile->queues_lock);
	return ret;
}

/**
 * qaccel_ioctl_queue_destroy - DRM_IOCTL_QACCEL_QUEUE_DESTROY
 * @drm: the device
 * @data: &struct drm_qaccel_queue_destroy
 * @file: the caller's file
 *
 * Return: 0; -EINVAL for queue 0 or non-zero padding; -ENOENT for a queue
 * the file does not have.
 */
int qaccel_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct drm_qaccel_queue_destroy *args = data;
	struct qaccel_queue *queue;

	if (args->pad || !args->queue_id)
		return -EINVAL;

	mutex_lock(&qfile->queues_lock);
	queue = xa_erase(&qfile->queues, args->queue_id);
	if (queue)
		qfile->nr_queues--;
	mutex_unlock(&qfile->queues_lock);
	if (!queue)
		return -ENOENT;

	qaccel_queue_kill(queue, true);
	return 0;
}

/**
 * qaccel_job_status - the uAPI status of a finished submission
 * @fence: the submission's signalled fence (its job's finished fence, or
 *	its command fence)
 *
 * What DRM_IOCTL_QACCEL_JOB_WAIT reports and what an io_uring command
 * completes with.
 *
 * Return: 0, -ETIMEDOUT (hung), -EIO (faulted) or -ECANCELED (never ran).
 */
s32 qaccel_job_status(struct dma_fence *fence)
{
	int error = fence->error;

	switch (error) {
	case 0:
	case -ETIMEDOUT:
	case -EIO:
		return error;
	default:
		/* Cancelled before it ran: dependency, queue or device gone. */
		return -ECANCELED;
	}
}

/**
 * qaccel_ioctl_job_wait - DRM_IOCTL_QACCEL_JOB_WAIT
 * @drm: the device
 * @data: &struct drm_qaccel_job_wait
 * @file: the caller's file
 *
 * Return: 0 with the status in @data; -ETIME when the submission is still
 * running at the deadline; -EINVAL for a seqno the queue has not handed
 * out, flags, padding or a negative timeout; -ENOENT for an unknown queue.
 */
int qaccel_ioctl_job_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct drm_qaccel_job_wait *args = data;
	struct dma_fence *fence = NULL;
	struct qaccel_queue *queue;
	bool forgotten = false;
	s32 status = 0;
	long ret = 0;

	if (args->flags || args->pad || args->timeout_ns < 0)
		return -EINVAL;

	queue = qaccel_queue_lookup(qfile, args->queue_id);
	if (!queue)
		return -ENOENT;

	mutex_lock(&queue->lock);
	if (!args->seqno || args->seqno > queue->seqno) {
		ret = -EINVAL;
	} else if (queue->seqno - args->seqno >= QACCEL_JOB_HISTORY) {
		/*
		 * Its status is forgotten, but a queue completes in order: it
		 * has completed once the oldest remembered submission has.
		 */
		forgotten = true;
		fence = dma_fence_get(queue->history[(queue->seqno + 1) % QACCEL_JOB_HISTORY]);
	} else {
		fence = dma_fence_get(queue->history[args->seqno % QACCEL_JOB_HISTORY]);
	}
	mutex_unlock(&queue->lock);

	if (fence) {
		if (!args->timeout_ns) {
			if (!dma_fence_is_signaled(fence))
				ret = -ETIME;
		} else {
			ret = dma_fence_wait_timeout(fence, true,
						     qaccel_timeout_to_jiffies(args->timeout_ns));
			if (!ret)
				ret = -ETIME;
			else if (ret > 0)
				ret = 0;
		}
		if (!ret)
			status = forgotten ? -ENODATA : qaccel_job_status(fence);
		dma_fence_put(fence);
	}

	qaccel_queue_put(queue);
	if (!ret)
		args->status = status;
	return ret;
}
