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
 * The commands of one queue that one io_uring_enter() issues (a batch)
 * share a scheduler job when they can: io_uring plugs the task while it
 * issues several SQEs, and the queue's job stays open, for the next
 * commands of the batch to join, until the plug is flushed (at the end of
 * the batch, or when the task is about to sleep) or another job of the
 * queue is armed (qaccel_job_merge() says which commands may join). Each
 * command keeps its own seqno and status, through its command fence.
 *
 * A queued command completes when it is over, not when it is queued: a
 * callback on its command fence (which may run in an interrupt handler)
 * schedules task work on the ring, and the task work posts the CQE with
 * the command's status (the one DRM_IOCTL_QACCEL_JOB_WAIT reports) and its
 * seqno as the first extra word of a 32-byte CQE. io_uring does not always
 * run task work in the order it was queued, so each queue hands its
 * finished commands to task work one turn at a time, in the order its jobs
 * finished (struct qaccel_uring_order): the CQEs of a queue are posted in
 * submission order. A turn is the finished commands of one job waiting
 * together; they come from one batch, so from one ring, and one task work
 * of that ring posts them all.
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
#include <linux/blkdev.h>
#include <linux/build_bug.h>
#include <linux/dma-fence.h>
#include <linux/errno.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/sched.h>
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

/**
 * struct qaccel_uring_order - the io_uring state of one queue: the order
 *	in which the completions of its commands are posted, and its open job
 * @ref: the queue, every command of the queue whose state exists and every
 *	task plug holding its open job hold one; freed (in any context) with
 *	the last
 * @lock: protects @done and @posting
 * @done: commands whose job finished, in the order the jobs finished,
 *	waiting for their turn
 * @posting: one turn's completions are in task work: the next turn waits
 *	until they have been posted
 * @open_lock: protects @open_job and @open_plug; never taken in
 *	interrupt context; taken under the queue's lock by submitters, and
 *	alone as a task's batch ends
 * @open_job: a job of io_uring commands armed but not pushed yet, which
 *	the next commands of the same batch may join; pushed when the batch
 *	of the task that opened it ends (or that task sleeps), or before any
 *	other job of the queue is armed
 * @open_plug: the plug of the batch that opened @open_job, only compared:
 *	the commands of a job all come from one batch, so from one ring (a
 *	plug is io_uring's, started for one ring's io_submit_sqes() and
 *	finished at its end; a task in an io_uring_enter() holds no other)
 *
 * io_uring may run task work in another order than it was queued in, so
 * the completions of a queue's commands go to task work one turn at a
 * time, in the order the jobs finished (the queue's order), whatever ring
 * each command came from.
 */
struct qaccel_uring_order {
	struct kref ref;
	/* Protects done and posting. */
	spinlock_t lock;
	struct list_head done;
	bool posting;
	/* Protects open_job and open_plug. */
	spinlock_t open_lock;
	struct qaccel_job *open_job;
	void *open_plug;
};

/**
 * struct qaccel_uring_plug - an open job waiting for the end of its
 *	task's batch of commands
 * @cb: the callback on the task's plug, which io_uring holds while it
 *	issues a batch of SQEs and flushes when the batch is issued or the
 *	task is about to sleep
 * @order: the queue's io_uring state (a reference)
 */
struct qaccel_uring_plug {
	struct blk_plug_cb cb;
	struct qaccel_uring_order *order;
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
 * @cb: callback on the command fence
 * @cmd: the command; valid until it completes
 * @order: its queue's completion order (a reference)
 * @link: entry in &qaccel_uring_order.done, under its lock
 * @group: the commands of its job whose turn came with it, posted by the
 *	same task work (the first one's)
 * @seqno: the submission's sequence number on its queue
 * @job: the seqno of the first command of its job, set by the fence
 *	callback
 * @res: the command's status, set by the fence callback
 * @state: &enum qaccel_uring_state, changed by compare-and-exchange only
 */
struct qaccel_uring_req {
	struct dma_fence_cb cb;
	struct io_uring_cmd *cmd;
	struct qaccel_uring_order *order;
	struct list_head link;
	struct list_head group;
	u64 seqno;
	u64 job;
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
	spin_lock_init(&order->open_lock);
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

/* The current batch of commands (its task's plug), NULL outside one. */
static void *qaccel_uring_plug_id(void)
{
#ifdef CONFIG_BLOCK
	return current->plug;
#else
	return NULL;
#endif
}

/**
 * qaccel_uring_flush - push the queue's open job, if it has one
 * @order: the queue's io_uring state
 *
 * Called with the queue's lock held before another job of the queue is
 * armed (jobs of a queue are pushed in the order they were armed), and as
 * the batch of the task that opened the job ends. Does not sleep.
 */
void qaccel_uring_flush(struct qaccel_uring_order *order)
{
	spin_lock(&order->open_lock);
	if (order->open_job) {
		qaccel_job_push_armed(order->open_job);
		WRITE_ONCE(order->open_job, NULL);
	}
	spin_unlock(&order->open_lock);
}

/**
 * qaccel_uring_has_open - whether the queue has an open job now
 * @order: the queue's io_uring state
 *
 * A hint, read without the lock.
 *
 * Return: true when a command may find an open job to join.
 */
bool qaccel_uring_has_open(struct qaccel_uring_order *order)
{
	return READ_ONCE(order->open_job) && READ_ONCE(order->open_plug) == qaccel_uring_plug_id();
}

/**
 * qaccel_uring_open_lock - lock the queue's open job
 * @order: the queue's io_uring state
 *
 * The caller holds the queue's lock; until qaccel_uring_open_unlock() it
 * may add commands to the job, and must not sleep.
 *
 * Return: the open job if the current batch opened it, or NULL.
 */
struct qaccel_job *qaccel_uring_open_lock(struct qaccel_uring_order *order)
	__acquires(&order->open_lock)
{
	spin_lock(&order->open_lock);
	return order->open_plug == qaccel_uring_plug_id() ? order->open_job : NULL;
}

/**
 * qaccel_uring_open_unlock - unlock the queue's open job
 * @order: the queue's io_uring state
 */
void qaccel_uring_open_unlock(struct qaccel_uring_order *order)
	__releases(&order->open_lock)
{
	spin_unlock(&order->open_lock);
}

#ifdef CONFIG_BLOCK
/* The task's batch of commands is issued, or it is about to sleep. */
static void qaccel_uring_unplug(struct blk_plug_cb *cb, bool from_schedule)
{
	struct qaccel_uring_plug *plug = container_of(cb, struct qaccel_uring_plug, cb);

	qaccel_uring_flush(plug->order);
	qaccel_uring_order_put(plug->order);
	kfree(plug);
}
#endif

/**
 * qaccel_uring_can_hold - whether the current task batches its commands
 *
 * io_uring plugs the task while it issues several SQEs in one go.
 *
 * Return: true when a job made now may stay open for later commands.
 */
bool qaccel_uring_can_hold(void)
{
	return qaccel_uring_plug_id();
}

/**
 * qaccel_uring_hold - keep a queue's new job open until the task's batch
 *	of commands is issued
 * @order: the queue's io_uring state; it has no open job (the caller
 *	holds the queue's lock and flushed it before arming @job)
 * @job: the job, armed, with room for more commands
 *
 * Return: true when the job is open (the task's plug pushes it), false
 * when the caller pushes it now.
 */
bool qaccel_uring_hold(struct qaccel_uring_order *order, struct qaccel_job *job)
{
#ifdef CONFIG_BLOCK
	struct qaccel_uring_plug *plug;
	struct blk_plug_cb *cb;

	cb = blk_check_plugged(qaccel_uring_unplug, order, sizeof(*plug));
	if (!cb)
		return false;
	plug = container_of(cb, struct qaccel_uring_plug, cb);
	if (!plug->order) {
		kref_get(&order->ref);
		plug->order = order;
	}
	spin_lock(&order->open_lock);
	WRITE_ONCE(order->open_job, job);
	WRITE_ONCE(order->open_plug, current->plug);
	spin_unlock(&order->open_lock);
	return true;
#else
	return false;
#endif
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
 * Give the next finished command of the order its turn, with the finished
 * commands of the same job behind it (one batch of one ring), unless a
 * turn is in task work already (@posted: the caller's was, and is posted
 * now). Cancelled commands are skipped and freed. Any context.
 */
static void qaccel_uring_post_next(struct qaccel_uring_order *order, bool posted)
{
	struct qaccel_uring_req *req, *r, *tmp, *first;
	LIST_HEAD(turn);
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&order->lock, flags);
		if (posted)
			order->posting = false;
		req = NULL;
		if (!order->posting && !list_empty(&order->done)) {
			req = list_first_entry(&order->done, struct qaccel_uring_req, link);
			r = req;
			list_for_each_entry_safe_from(r, tmp, &order->done, link) {
				if (r->job != req->job)
					break;
				list_move_tail(&r->link, &turn);
			}
			order->posting = true;
		}
		spin_unlock_irqrestore(&order->lock, flags);
		if (!req)
			return;

		/*
		 * Not the lazy form of task work: with one turn in task work
		 * at a time, a waiter for several CQEs would never be woken.
		 */
		first = NULL;
		list_for_each_entry_safe(r, tmp, &turn, link) {
			list_del(&r->link);
			if (atomic_cmpxchg(&r->state, QACCEL_URING_PENDING,
					   QACCEL_URING_POSTING) != QACCEL_URING_PENDING) {
				/* Cancelled and completed already: nobody else uses it. */
				qaccel_uring_req_free(r);
			} else if (!first) {
				first = r;
				INIT_LIST_HEAD(&first->group);
			} else {
				list_add_tail(&r->group, &first->group);
			}
		}
		if (first) {
			io_uring_cmd_complete_in_task(first->cmd, qaccel_uring_complete_tw);
			return;
		}
		posted = true;
	}
}

/*
 * Task work: post the completions of a turn, in order: the command's and
 * those of its group (commands of one job, so of this ring).
 */
static void qaccel_uring_complete_tw_flags(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct qaccel_uring_req *req = qaccel_uring_pdu(cmd)->req, *r, *tmp;
	struct qaccel_uring_order *order = req->order;

	/*
	 * Complete first, free after: completing takes a command off the
	 * ring's cancel list under the ring's lock, so a cancellation running
	 * meanwhile (where task work may run without that lock) still finds
	 * its req alive, loses the compare-and-exchange and leaves it alone.
	 * The order stays referenced until the next turn came.
	 */
	kref_get(&order->ref);
	qaccel_uring_cmd_done(cmd, req->res, req->seqno, issue_flags);
	list_for_each_entry_safe(r, tmp, &req->group, group) {
		qaccel_uring_cmd_done(r->cmd, r->res, r->seqno, issue_flags);
		qaccel_uring_req_free(r);
	}
	/* Last: it holds the group's list. */
	qaccel_uring_req_free(req);
	qaccel_uring_post_next(order, true);
	qaccel_uring_order_put(order);
}

/* The command's submission is over (any context): queue it for its turn. */
static void qaccel_uring_fence_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct qaccel_uring_req *req = container_of(cb, struct qaccel_uring_req, cb);
	struct qaccel_uring_order *order = req->order;
	unsigned long flags;

	req->res = qaccel_job_status(fence);
	req->job = qaccel_cmd_fence_job(fence);
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
 * Room for commands to join the job of a new command: none when the task
 * issues no batch, or when the queue has an open job the command is
 * expected to join.
 */
static u32 qaccel_uring_merge_room(struct drm_file *file, u32 queue_id)
{
	struct qaccel_queue *queue;
	u32 room = 1;

	if (!qaccel_uring_can_hold())
		return 1;
	queue = qaccel_queue_lookup(to_qaccel_file(file), queue_id);
	if (!queue)
		return 1;
	if (!qaccel_uring_has_open(queue->uring_order))
		room = QACCEL_MAX_JOBS;
	qaccel_queue_put(queue);
	return room;
}

/*
 * Build, validate and queue the job of an inline GEMM (or join it to the
 * queue's open job), with req's callback on its command fence. Return: 0
 * with the seqno and a reference to the queue's completion order in @req,
 * or a negative errno with nothing queued.
 */
static int qaccel_uring_submit(struct drm_file *file, const struct drm_qaccel_uring_gemm *args,
			       struct qaccel_uring_req *req)
{
	const struct drm_qaccel_gemm *g = &args->gemm;
	const u64 vas[QACCEL_CMD_BOS] = { g->c_va, g->a_va, g->w_va };
	static const bool write[QACCEL_CMD_BOS] = { true, false, false };
	struct qaccel_uring_order *order;
	struct qaccel_job *job;
	int ret;

	job = qaccel_job_new_cmd(file, args->queue_id,
				 qaccel_uring_merge_room(file, args->queue_id));
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
	ret = qaccel_job_add_bos_va(job, vas, write, QACCEL_CMD_BOS);
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
