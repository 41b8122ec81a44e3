// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: job submission through io_uring commands.
 *
 * An IORING_OP_URING_CMD on the device fd carries one GEMM job inline in
 * its 128-byte SQE (struct drm_qaccel_uring_gemm). The payload is copied
 * out of the SQE once; the job is then built, validated and queued by the
 * same code as DRM_IOCTL_QACCEL_SUBMIT (qaccel_job_submit()), its operands
 * found through the submitter's device address space. A job rejected
 * before it is queued completes the command at once with the errno the
 * ioctl would return, leaving nothing queued or referenced.
 *
 * A queued job completes its command when it is over, not when it is
 * queued: a callback on the job's finished fence (which may run in an
 * interrupt handler) schedules task work on the ring, and the task work
 * posts the CQE with the job's status (the one DRM_IOCTL_QACCEL_JOB_WAIT
 * reports) and the submission's seqno as the first extra word of a 32-byte
 * CQE. io_uring does not always run task work in the order it was queued,
 * so each queue hands its finished commands to task work one at a time, in
 * the order its jobs finished (struct qaccel_uring_order): the CQEs of a
 * queue are posted in submission order.
 *
 * Where io_uring supports cancelable commands, a command is marked so once
 * its job is queued: when its ring or task goes away, io_uring calls back
 * with IO_URING_F_CANCEL and the command completes at once with
 * -ECANCELED, while the job stays queued and runs (or is cancelled with its
 * queue) on its own references. The per-command state is a small
 * allocation whose state word decides, by compare-and-exchange, which of
 * the command's turn to post and its cancellation completes the command;
 * the state is freed by the task work that posts, or, for a cancelled
 * command, when its turn comes.
 * Elsewhere a ring's teardown waits for the commands' completions, which
 * the job timeout bounds.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/dma-fence.h>
#include <linux/errno.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/qaccel_accel.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_job.h"
#include "qaccel_queue.h"
#include "qaccel_uring.h"

static_assert(sizeof(struct drm_qaccel_uring_gemm) == 80);

/* The BOs a GEMM names: A, W and C, at most three distinct. */
#define QACCEL_URING_MAX_BOS	3

/**
 * struct qaccel_uring_order - the order in which the completions of one
 *	queue's commands are posted
 * @ref: the queue and every command of the queue whose state exists hold
 *	one; freed (in any context) with the last
 * @lock: protects @done and @posting
 * @done: commands whose job finished, in the order the jobs finished,
 *	waiting for their turn
 * @posting: one command's completion is in task work: the next waits
 *	until it has been posted
 *
 * io_uring may run task work in another order than it was queued in, so
 * the completions of a queue's commands go to task work one at a time, in
 * the order the jobs finished (the queue's order), whatever ring each
 * command came from.
 */
struct qaccel_uring_order {
	struct kref ref;
	/* Protects done and posting. */
	spinlock_t lock;
	struct list_head done;
	bool posting;
};

/*
 * enum qaccel_uring_state - who completes a command
 * @QACCEL_URING_PENDING: its completion is not posted nor on its way, and
 *	it is not cancelled
 * @QACCEL_URING_POSTING: its job finished and its turn came: task work
 *	posts the completion, then frees the state
 * @QACCEL_URING_CANCELLED: the command was cancelled first and has
 *	completed; the state is freed when its turn comes
 */
enum qaccel_uring_state {
	QACCEL_URING_PENDING,
	QACCEL_URING_POSTING,
	QACCEL_URING_CANCELLED,
};

/**
 * struct qaccel_uring_req - state of one command whose job is queued
 * @cb: callback on the job's finished fence
 * @cmd: the command; valid until it completes
 * @order: its queue's completion order (a reference)
 * @link: entry in &qaccel_uring_order.done, under its lock
 * @seqno: the submission's sequence number on its queue
 * @res: the job's status, set by the fence callback
 * @state: &enum qaccel_uring_state, changed by compare-and-exchange only
 */
struct qaccel_uring_req {
	struct dma_fence_cb cb;
	struct io_uring_cmd *cmd;
	struct qaccel_uring_order *order;
	struct list_head link;
	u64 seqno;
	int res;
	atomic_t state;
};

/* What the command keeps in its io_uring_cmd. */
struct qaccel_uring_pdu {
	struct qaccel_uring_req *req;
};

static struct qaccel_uring_pdu *qaccel_uring_pdu(struct io_uring_cmd *cmd)
{
	static_assert(sizeof(struct qaccel_uring_pdu) <= sizeof_field(struct io_uring_cmd, pdu));
	return (struct qaccel_uring_pdu *)cmd->pdu;
}

/**
 * qaccel_uring_order_create - the completion order of a new queue
 *
 * Return: the order with one reference, or NULL.
 */
struct qaccel_uring_order *qaccel_uring_order_create(void)
{
	struct qaccel_uring_order *order;

	order = kzalloc(sizeof(*order), GFP_KERNEL);
	if (!order)
		return NULL;
	kref_init(&order->ref);
	spin_lock_init(&order->lock);
	INIT_LIST_HEAD(&order->done);
	return order;
}

static void qaccel_uring_order_release(struct kref *ref)
{
	kfree(container_of(ref, struct qaccel_uring_order, ref));
}

/**
 * qaccel_uring_order_put - drop a reference to a completion order
 * @order: the order
 *
 * Any context.
 */
void qaccel_uring_order_put(struct qaccel_uring_order *order)
{
	kref_put(&order->ref, qaccel_uring_order_release);
}

static void qaccel_uring_req_free(struct qaccel_uring_req *req)
{
	qaccel_uring_order_put(req->order);
	kfree(req);
}

static void qaccel_uring_complete_tw_flags(struct io_uring_cmd *cmd, unsigned int issue_flags);

#ifdef QACCEL_HAVE_IO_URING_CMD_TW_ISSUE_FLAGS
static void qaccel_uring_complete_tw(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	qaccel_uring_complete_tw_flags(cmd, issue_flags);
}
#else
static void qaccel_uring_complete_tw(struct io_uring_cmd *cmd)
{
	qaccel_uring_complete_tw_flags(cmd, 0);
}
#endif

/*
 * Give the next finished command of the order its turn, unless one is in
 * task work already (@posted: the caller's command was, and is posted
 * now). Cancelled commands are skipped and freed. Any context.
 */
static void qaccel_uring_post_next(struct qaccel_uring_order *order, bool posted)
{
	struct qaccel_uring_req *req;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&order->lock, flags);
		if (posted)
			order->posting = false;
		req = NULL;
		if (!order->posting && !list_empty(&order->done)) {
			req = list_first_entry(&order->done, struct qaccel_uring_req, link);
			list_del(&req->link);
			order->posting = true;
		}
		spin_unlock_irqrestore(&order->lock, flags);
		if (!req)
			return;

		/*
		 * Not the lazy form of task work: with one command in task work
		 * at a time, a waiter for several CQEs would never be woken.
		 */
		if (atomic_cmpxchg(&req->state, QACCEL_URING_PENDING,
				   QACCEL_URING_POSTING) == QACCEL_URING_PENDING) {
			io_uring_cmd_complete_in_task(req->cmd, qaccel_uring_complete_tw);
			return;
		}
		/* Cancelled and completed already: nobody else uses it. */
		qaccel_uring_req_free(req);
		posted = true;
	}
}

/* Task work: post the completion of a command whose turn came. */
static void qaccel_uring_complete_tw_flags(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct qaccel_uring_req *req = qaccel_uring_pdu(cmd)->req;
	struct qaccel_uring_order *order = req->order;
	u64 seqno = req->seqno;
	int res = req->res;

	/*
	 * Complete first, free after: completing takes the command off the
	 * ring's cancel list under the ring's lock, so a cancellation running
	 * meanwhile (where task work may run without that lock) still finds
	 * req alive, loses the compare-and-exchange and leaves it alone. The
	 * order stays referenced until the next command had its turn.
	 */
	qaccel_uring_cmd_done(cmd, res, seqno, issue_flags);
	kfree(req);
	qaccel_uring_post_next(order, true);
	qaccel_uring_order_put(order);
}

/* The job finished (any context): queue the command for its turn. */
static void qaccel_uring_fence_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct qaccel_uring_req *req = container_of(cb, struct qaccel_uring_req, cb);
	struct qaccel_uring_order *order = req->order;
	unsigned long flags;

	req->res = qaccel_job_status(fence);
	/* req may be freed by the time post_next returns. */
	kref_get(&order->ref);
	spin_lock_irqsave(&order->lock, flags);
	list_add_tail(&req->link, &order->done);
	spin_unlock_irqrestore(&order->lock, flags);
	qaccel_uring_post_next(order, false);
	qaccel_uring_order_put(order);
}

#if QACCEL_URING_CANCELABLE
/*
 * The ring or its task is going away: complete the command now unless its
 * turn came first (then the scheduled task work completes it). Called with
 * the ring's lock held for a command still on the ring's cancel list; the
 * task work takes it off that list (io_uring_cmd_done(), under the same
 * lock) before it frees req, so req is alive here whatever the task work
 * does meanwhile.
 */
static void qaccel_uring_cancel(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct qaccel_uring_req *req = qaccel_uring_pdu(cmd)->req;
	u64 seqno = req->seqno;

	/* On success req belongs to the order: do not touch it again. */
	if (atomic_cmpxchg(&req->state, QACCEL_URING_PENDING,
			   QACCEL_URING_CANCELLED) == QACCEL_URING_PENDING)
		qaccel_uring_cmd_done(cmd, -ECANCELED, seqno, issue_flags);
}
#endif

/*
 * Build, validate and queue the job of an inline GEMM, with req's callback
 * on its finished fence. Return: 0 with the seqno and a reference to the
 * queue's completion order in @req, or a negative errno with nothing
 * queued.
 */
static int qaccel_uring_submit(struct drm_file *file, const struct drm_qaccel_uring_gemm *args,
			       struct qaccel_uring_req *req)
{
	const struct drm_qaccel_gemm *g = &args->gemm;
	const u64 vas[QACCEL_URING_MAX_BOS] = { g->c_va, g->a_va, g->w_va };
	static const bool write[QACCEL_URING_MAX_BOS] = { true, false, false };
	struct qaccel_uring_order *order;
	struct qaccel_job *job;
	int ret;

	job = qaccel_job_new(file, args->queue_id, 1, QACCEL_URING_MAX_BOS);
	if (IS_ERR(job))
		return PTR_ERR(job);
	order = job->queue->uring_order;
	/*
	 * Completions of earlier commands pending as task work make a signal
	 * look pending: an interruptible wait for a contended BO would fail
	 * with -EINTR although nothing interrupted the submitter.
	 */
	job->lock_nointr = true;

	/* Each operand must lie in one BO of the file's address space. */
	ret = qaccel_job_add_bos_va(job, vas, write, QACCEL_URING_MAX_BOS);
	if (ret) {
		qaccel_job_free(job);
		return ret;
	}

	/* Before the callback can run. */
	kref_get(&order->ref);
	req->order = order;
	/* Consumes the job. */
	ret = qaccel_job_submit(job, file, g, &args->in_syncobj, args->in_syncobj ? 1 : 0,
				0, &req->seqno, &req->cb, qaccel_uring_fence_cb);
	if (ret) {
		req->order = NULL;
		qaccel_uring_order_put(order);
	}
	return ret;
}

/**
 * qaccel_uring_cmd - &file_operations.uring_cmd of the device node
 * @cmd: the command
 * @issue_flags: IO_URING_F_* flags of this call
 *
 * A command rejected before anything was queued completes at once with
 * the errno: returned here, or, for a command already marked cancelable,
 * posted with io_uring_cmd_done().
 *
 * Return: -EIOCBQUEUED when the completion is posted separately (once the
 * job is over), or the negative errno of a rejected command. Never -EAGAIN:
 * io_uring would retry the command from a worker, out of order.
 */
int qaccel_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct drm_file *file = cmd->file->private_data;
	struct drm_qaccel_uring_gemm args;
	struct qaccel_uring_req *req;
	int ret, idx;

#if QACCEL_URING_CANCELABLE
	if (issue_flags & IO_URING_F_CANCEL) {
		qaccel_uring_cancel(cmd, issue_flags);
		return 0;
	}
#endif

	/* Without 128-byte SQEs the payload does not fit. */
	if (!(issue_flags & IO_URING_F_SQE128))
		return -EINVAL;
	if (cmd->cmd_op != DRM_QACCEL_URING_CMD_GEMM)
		return -EINVAL;

	/* Userspace may still write the SQE: read it once. */
	memcpy(&args, qaccel_uring_cmd_payload(cmd), sizeof(args));
	if (args.flags || args.pad)
		return -EINVAL;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->cmd = cmd;
	atomic_set(&req->state, QACCEL_URING_PENDING);
	qaccel_uring_pdu(cmd)->req = req;
#if QACCEL_URING_CANCELABLE
	/* Before the job exists, so its completion cannot come first. */
	io_uring_cmd_mark_cancelable(cmd, issue_flags);
#endif

	if (drm_dev_enter(file->minor->dev, &idx)) {
		ret = qaccel_uring_submit(file, &args, req);
		drm_dev_exit(idx);
	} else {
		ret = -ENODEV;
	}
	if (!ret)
		return -EIOCBQUEUED;

	/* Interrupted waits are not restarted; -EAGAIN would be retried. */
	if (ret == -ERESTARTSYS)
		ret = -EINTR;
	else if (ret == -EAGAIN)
		ret = -EBUSY;
#if QACCEL_URING_CANCELABLE
	/*
	 * A cancelable command completes through io_uring_cmd_done() only
	 * (which also unlists it), unless a cancellation completed it first.
	 */
	if (atomic_cmpxchg(&req->state, QACCEL_URING_PENDING,
			   QACCEL_URING_CANCELLED) == QACCEL_URING_PENDING)
		qaccel_uring_cmd_done(cmd, ret, 0, issue_flags);
	ret = -EIOCBQUEUED;
#endif
	kfree(req);
	return ret;
}
