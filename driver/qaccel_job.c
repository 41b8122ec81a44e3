// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: jobs and DRM_IOCTL_QACCEL_SUBMIT.
 *
 * A submission is one scheduler job on one queue: its GEMMs become
 * descriptors that run one after another. The io_uring commands of one
 * batch may share a job instead (qaccel_job_merge()): then each descriptor
 * is a submission of its own, with a command fence for its own status.
 * Both submission paths build jobs here: the ioctl adds the BOs it lists
 * by handle, an io_uring command (qaccel_uring.c) the BOs holding its
 * operands' VAs; then
 * qaccel_job_submit() validates, looks up the syncobjs and queues the job
 * for both, so every check applies to both. Everything is checked before
 * anything is queued (arguments, every job, every BO, every syncobj): a
 * rejected submission consumes no sequence number, installs no fence and
 * keeps no reference. Then the job takes its dependencies (the in-syncobjs
 * and, implicitly, the fences in the reservation objects of the BOs it
 * uses), adds its finished fence to those reservation objects (write fence
 * for the write list, read fence for the read list) and to the out-syncobj,
 * and is pushed to the queue's scheduler entity.
 *
 * A job holds references to its queue, its address space and the mappings
 * of its BOs (so the page tables it runs with stay valid until the engine
 * is done, even if the file closes), the DRM device and a runtime PM
 * reference. They are dropped in process context by a work item once the
 * scheduler frees the job.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/dma-resv.h>
#include <linux/llist.h>
#include <linux/overflow.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/qaccel_accel.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_gem.h"
#include "qaccel_ioctl.h"
#include "qaccel_job.h"
#include "qaccel_limits.h"
#include "qaccel_queue.h"
#include "qaccel_ring.h"
#include "qaccel_uring.h"
#include "qaccel_validate.h"
#include "qaccel_vm.h"

/* Jobs of up to this many BOs keep their per-BO scratch arrays on the stack. */
#define QACCEL_JOB_STACK_BOS	4

/* Frees jobs in process context; drained at module unload. */
static struct workqueue_struct *qaccel_job_wq;

/* Jobs the scheduler is done with, waiting for qaccel_job_free_item. */
static LLIST_HEAD(qaccel_job_free_list);
static void qaccel_job_free_work(struct work_struct *work);
static DECLARE_WORK(qaccel_job_free_item, qaccel_job_free_work);

/**
 * qaccel_job_module_init - create the module's job workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int qaccel_job_module_init(void)
{
	qaccel_job_wq = alloc_workqueue("qaccel-job", WQ_UNBOUND, 0);
	return qaccel_job_wq ? 0 : -ENOMEM;
}

/**
 * qaccel_job_module_exit - wait for every job release and free the queue
 */
void qaccel_job_module_exit(void)
{
	destroy_workqueue(qaccel_job_wq);
}

/**
 * struct qaccel_cmd_fence - the fence of one io_uring command's submission
 * @base: the fence: seqno is the submission's on its queue; signalled,
 *	with the command's own status, when its job is over
 * @lock: the fence's lock
 * @job: seqno of the first command of the job that runs it
 *
 * The queue's history holds it, so DRM_IOCTL_QACCEL_JOB_WAIT reports the
 * command's own status even when its job ran other commands too. Freed by
 * dma_fence_free() (@base comes first).
 */
struct qaccel_cmd_fence {
	struct dma_fence base;
	/* Protects base. */
	spinlock_t lock;
	u64 job;
};

/**
 * qaccel_cmd_fence_job - which job ran an io_uring command
 * @fence: the command's fence
 *
 * Return: the seqno of the first command of its job: commands that share
 * it ran as one job.
 */
u64 qaccel_cmd_fence_job(struct dma_fence *fence)
{
	return container_of(fence, struct qaccel_cmd_fence, base)->job;
}

static const char *qaccel_cmd_fence_driver_name(struct dma_fence *fence)
{
	return "qaccel";
}

static const char *qaccel_cmd_fence_timeline_name(struct dma_fence *fence)
{
	return "qaccel-queue";
}

static const struct dma_fence_ops qaccel_cmd_fence_ops = {
	.get_driver_name = qaccel_cmd_fence_driver_name,
	.get_timeline_name = qaccel_cmd_fence_timeline_name,
};

/* Initialise the command fence of descriptor i, armed with its seqno. */
static void qaccel_job_cmd_arm(struct qaccel_job *job, u32 i, u64 seqno)
{
	struct qaccel_cmd_fence *cf = container_of(job->cmds[i], struct qaccel_cmd_fence, base);

	spin_lock_init(&cf->lock);
	dma_fence_init(&cf->base, &qaccel_cmd_fence_ops, &cf->lock,
		       job->queue->cmd_context, seqno);
	cf->job = i ? job->cmds[0]->seqno : seqno;
	job->cmds_live = i + 1;
}

/**
 * qaccel_job_set_error - record why a job failed
 * @job: the job, not yet signalled
 * @error: negative errno
 *
 * The error goes on the hardware fence and on the scheduler's finished
 * fence (which userspace sees through syncobjs, reservation objects and
 * DRM_IOCTL_QACCEL_JOB_WAIT).
 */
void qaccel_job_set_error(struct qaccel_job *job, int error)
{
	struct dma_fence *finished = &job->base.s_fence->finished;

	if (job->hw_fence_live && !dma_fence_is_signaled(job->hw_fence))
		dma_fence_set_error(job->hw_fence, error);
	if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &finished->flags))
		dma_fence_set_error(finished, error);
}

/**
 * qaccel_job_free - release a job and everything it holds
 * @job: the job; if it was armed, the scheduler is done with it
 *
 * Process context.
 */
void qaccel_job_free(struct qaccel_job *job)
{
	struct qaccel_device *qdev = job->qdev;
	unsigned long flags;
	unsigned int i;

	/* An interrupt handler signalling the hardware fence is done with it. */
	spin_lock_irqsave(&qdev->ring.lock, flags);
	spin_unlock_irqrestore(&qdev->ring.lock, flags);

	if (job->base.s_fence)
		drm_sched_job_cleanup(&job->base);

	if (job->hw_fence_live)
		dma_fence_put(job->hw_fence);
	else
		qaccel_hw_fence_free_unused(job->hw_fence);

	for (i = 0; job->cmds && i < job->max_desc; i++) {
		if (i < job->cmds_live)
			dma_fence_put(job->cmds[i]);
		else
			kfree(job->cmds[i]);
	}

	for (i = 0; i < job->nbos; i++)
		qaccel_mapping_put(job->bos[i].map);

	if (job->vm)
		qaccel_vm_put(job->vm);
	if (job->queue)
		qaccel_queue_put(job->queue);
	if (job->pm_ref) {
		pm_runtime_mark_last_busy(qdev->drm.dev);
		pm_runtime_put_autosuspend(qdev->drm.dev);
	}

	kvfree(job);
	if (atomic_dec_and_test(&qdev->jobs_alive))
		wake_up_all(&qdev->jobs_wq);
	drm_dev_put(&qdev->drm);
}

/* Release the jobs on qaccel_job_free_list, oldest first. */
static void qaccel_job_free_work(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&qaccel_job_free_list));
	struct qaccel_job *job, *next;

	llist_for_each_entry_safe(job, next, list, free_node)
		qaccel_job_free(job);
}

/**
 * qaccel_job_release - hand a job the scheduler is done with to the
 *	release work
 * @job: the job
 *
 * The scheduler may free jobs in atomic context; the release sleeps.
 */
void qaccel_job_release(struct qaccel_job *job)
{
	/* One work item releases every job queued until it runs. */
	if (llist_add(&job->free_node, &qaccel_job_free_list))
		queue_work(qaccel_job_wq, &qaccel_job_free_item);
}

/*
 * One allocation holds the job, room for max_desc descriptors, for max_bos
 * entries of its BO list and, for a job of io_uring commands, for
 * max_desc command fences.
 */
static struct qaccel_job *qaccel_job_alloc(struct qaccel_device *qdev, u32 ndesc,
					   u32 max_desc, u32 max_bos, bool cmds)
{
	struct qaccel_job *job;
	size_t bos_off, cmds_off;

	bos_off = ALIGN(struct_size(job, desc, max_desc), __alignof__(struct qaccel_job_bo));
	cmds_off = ALIGN(size_add(bos_off, array_size(max_bos, sizeof(*job->bos))),
			 __alignof__(struct dma_fence *));
	job = kvzalloc(size_add(cmds_off, cmds ? array_size(max_desc, sizeof(*job->cmds)) : 0),
		       GFP_KERNEL);
	if (!job)
		return NULL;

	job->hw_fence = qaccel_hw_fence_alloc();
	if (!job->hw_fence) {
		kvfree(job);
		return NULL;
	}

	job->qdev = qdev;
	job->ndesc = ndesc;
	job->max_desc = max_desc;
	job->bos = (struct qaccel_job_bo *)((u8 *)job + bos_off);
	job->max_bos = max_bos;
	if (cmds)
		job->cmds = (struct dma_fence **)((u8 *)job + cmds_off);
	INIT_LIST_HEAD(&job->inflight_link);
	drm_dev_get(&qdev->drm);
	atomic_inc(&qdev->jobs_alive);

	return job;
}

static struct qaccel_job *qaccel_job_create(struct drm_file *file, u32 queue_id, u32 ndesc,
					    u32 max_desc, u32 max_bos, bool cmds)
{
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct qaccel_job *job;

	job = qaccel_job_alloc(qfile->qdev, ndesc, max_desc, max_bos, cmds);
	if (!job)
		return ERR_PTR(-ENOMEM);

	job->queue = qaccel_queue_lookup(qfile, queue_id);
	if (!job->queue) {
		qaccel_job_free(job);
		return ERR_PTR(-ENOENT);
	}
	job->vm = qaccel_vm_get(qfile->vm);

	return job;
}

/**
 * qaccel_job_new - start building a job of a file
 * @file: the submitting file
 * @queue_id: the queue it goes to (0 for the file's default queue)
 * @ndesc: number of descriptors (GEMMs), at least 1
 * @max_bos: the most BOs the caller will add to it
 *
 * The caller adds the job's BOs (qaccel_job_add_bo_handle() or
 * qaccel_job_add_bo_va()) and hands it to qaccel_job_submit(), or frees it
 * with qaccel_job_free().
 *
 * Return: the job, or ERR_PTR(-ENOMEM), or ERR_PTR(-ENOENT) for a queue
 * the file does not have.
 */
struct qaccel_job *qaccel_job_new(struct drm_file *file, u32 queue_id, u32 ndesc,
				  u32 max_bos)
{
	return qaccel_job_create(file, queue_id, ndesc, ndesc, max_bos, false);
}

/**
 * qaccel_job_new_cmd - start building the job of one io_uring command
 * @file: the submitting file
 * @queue_id: the queue it goes to (0 for the file's default queue)
 * @max_desc: 1, or room for more commands to join the job before it is
 *	pushed (QACCEL_MAX_JOBS at most)
 *
 * The job has one descriptor and a command fence of its own; the caller
 * adds the BOs of the command's operands and hands it to
 * qaccel_job_submit(), which may instead merge it into the open job of the
 * queue.
 *
 * Return: the job, or ERR_PTR(-ENOMEM), or ERR_PTR(-ENOENT) for a queue
 * the file does not have.
 */
struct qaccel_job *qaccel_job_new_cmd(struct drm_file *file, u32 queue_id, u32 max_desc)
{
	struct qaccel_cmd_fence *cf;
	struct qaccel_job *job;

	job = qaccel_job_create(file, queue_id, 1, max_desc, max_desc * QACCEL_CMD_BOS, true);
	if (IS_ERR(job))
		return job;
	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf) {
		qaccel_job_free(job);
		return ERR_PTR(-ENOMEM);
	}
	job->cmds[0] = &cf->base;
	return job;
}

/*
 * The job is over, however it ended: the commands of an io_uring job
 * complete in order, each with its own status (those the ring did not
 * finish take the job's); then the counters.
 */
static void qaccel_job_done_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct qaccel_job *job = container_of(cb, struct qaccel_job, done_cb);
	u32 failed = fence->error ? job->ndesc : 0;
	u32 i;

	if (job->cmds) {
		failed = 0;
		for (i = 0; i < job->ndesc; i++) {
			struct dma_fence *cmd = job->cmds[i];

			if (fence->error && i >= job->desc_start && !cmd->error)
				dma_fence_set_error(cmd, fence->error);
			if (cmd->error)
				failed++;
			dma_fence_signal(cmd);
		}
	}
	atomic64_add(failed, &job->qdev->counters.jobs_failed);
	atomic64_add(job->ndesc - failed, &job->qdev->counters.jobs_completed);
}

/* Copy the jobs array, check each element's type and flags, keep the GEMMs. */
static int qaccel_submit_copy_jobs(const struct drm_qaccel_submit *args,
				   struct drm_qaccel_gemm *gemms)
{
	struct drm_qaccel_job job;
	u32 i;
	int ret;

	for (i = 0; i < args->job_count; i++) {
		u64 addr;

		if (check_add_overflow(args->jobs, (u64)i * args->job_size, &addr))
			return -EFAULT;
		/* A larger element with non-zero unknown bytes: -E2BIG. */
		ret = copy_struct_from_user(&job, sizeof(job), u64_to_user_ptr(addr),
					    args->job_size);
		if (ret)
			return ret;
		if (job.type != DRM_QACCEL_JOB_GEMM || job.flags)
			return -EINVAL;
		gemms[i] = job.gemm;
	}

	return 0;
}

static u32 *qaccel_copy_handles(u64 uptr, u32 count)
{
	u32 *handles;

	handles = kvmalloc_array(count ? count : 1, sizeof(*handles), GFP_KERNEL);
	if (!handles)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(handles, u64_to_user_ptr(uptr), (size_t)count * sizeof(*handles))) {
		kvfree(handles);
		return ERR_PTR(-EFAULT);
	}

	return handles;
}

/**
 * qaccel_job_add_bo_handle - add a BO the submitter lists by handle
 * @job: the job being built
 * @file: the submitting file
 * @handle: the BO's GEM handle in @file
 * @write: the job may write the BO
 *
 * A BO listed twice is added once (writable if either listing is).
 *
 * Return: 0; -ENOENT for a handle that is not a BO of this file; -EACCES
 * for a DRM_QACCEL_BO_DEVICE_READONLY BO listed for writing.
 */
int qaccel_job_add_bo_handle(struct qaccel_job *job, struct drm_file *file, u32 handle,
			     bool write)
{
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct qaccel_mapping *map;
	struct drm_gem_object *obj;
	struct qaccel_bo *bo;
	unsigned int i;
	int ret = 0;

	obj = drm_gem_object_lookup(file, handle);
	if (!obj)
		return -ENOENT;
	if (!qaccel_gem_is_qaccel_bo(obj)) {
		ret = -ENOENT;
		goto out_put;
	}
	bo = to_qaccel_bo(obj);

	if (write && (bo->flags & DRM_QACCEL_BO_DEVICE_READONLY)) {
		ret = -EACCES;
		goto out_put;
	}

	for (i = 0; i < job->nbos; i++) {
		if (job->bos[i].map->bo == bo) {
			job->bos[i].write |= write;
			goto out_put;
		}
	}

	if (job->nbos >= job->max_bos) {
		ret = -EINVAL;
		goto out_put;
	}
	map = qaccel_bo_find_mapping(bo, qfile->vm);
	if (!map) {
		ret = -ENOENT;
		goto out_put;
	}
	job->bos[job->nbos].map = map;
	job->bos[job->nbos].write = write;
	job->nbos++;

out_put:
	drm_gem_object_put(obj);
	return ret;
}

/**
 * qaccel_job_add_bos_va - add the BOs whose mappings hold device VAs
 * @job: the job being built
 * @vas: device VAs in the job's address space
 * @write: for each VA, whether the job may write its BO (whether it can is
 *	checked at validation)
 * @count: number of entries in @vas and @write
 *
 * Nothing is added for a VA no BO of the address space holds: validation
 * then rejects the operand, as one outside every listed BO. A BO found
 * twice is added once (writable if either is).
 *
 * Return: 0, or -EINVAL when the job has no room left.
 */
int qaccel_job_add_bos_va(struct qaccel_job *job, const u64 *vas, const bool *write,
			  unsigned int count)
{
	struct qaccel_mapping *maps[QACCEL_JOB_STACK_BOS];
	unsigned int i, j;
	int ret = 0;

	if (count > ARRAY_SIZE(maps))
		return -EINVAL;
	qaccel_vm_lookup_vas(job->vm, vas, count, maps);

	for (i = 0; i < count; i++) {
		if (!maps[i])
			continue;
		for (j = 0; j < job->nbos; j++) {
			if (job->bos[j].map == maps[i])
				break;
		}
		if (j < job->nbos) {
			job->bos[j].write |= write[i];
			qaccel_mapping_put(maps[i]);
		} else if (job->nbos < job->max_bos) {
			job->bos[job->nbos].map = maps[i];
			job->bos[job->nbos].write = write[i];
			job->nbos++;
		} else {
			qaccel_mapping_put(maps[i]);
			ret = -EINVAL;
		}
	}

	return ret;
}

static int qaccel_job_add_bos(struct qaccel_job *job, struct drm_file *file,
			      const struct drm_qaccel_submit *args)
{
	u32 *handles;
	u32 i;
	int ret;

	handles = qaccel_copy_handles(args->write_handles, args->write_count);
	if (IS_ERR(handles))
		return PTR_ERR(handles);
	for (i = 0, ret = 0; i < args->write_count && !ret; i++)
		ret = qaccel_job_add_bo_handle(job, file, handles[i], true);
	kvfree(handles);
	if (ret)
		return ret;

	handles = qaccel_copy_handles(args->read_handles, args->read_count);
	if (IS_ERR(handles))
		return PTR_ERR(handles);
	for (i = 0, ret = 0; i < args->read_count && !ret; i++)
		ret = qaccel_job_add_bo_handle(job, file, handles[i], false);
	kvfree(handles);

	return ret;
}

/* Check every GEMM against the job's BOs and encode its descriptor. */
static int qaccel_job_validate(struct qaccel_job *job, const struct drm_qaccel_gemm *gemms)
{
	struct qaccel_va_range stack_ranges[QACCEL_JOB_STACK_BOS];
	struct qaccel_va_range *ranges = stack_ranges;
	unsigned int i;
	int ret = 0;

	if (job->nbos > QACCEL_JOB_STACK_BOS) {
		ranges = kvcalloc(job->nbos, sizeof(*ranges), GFP_KERNEL);
		if (!ranges)
			return -ENOMEM;
	}

	for (i = 0; i < job->nbos; i++) {
		struct qaccel_mapping *map = job->bos[i].map;

		ranges[i].start = qaccel_mapping_va(map);
		ranges[i].size = map->bo->base.base.size;
		ranges[i].writable = job->bos[i].write &&
				     !(map->bo->flags & DRM_QACCEL_BO_DEVICE_READONLY);
	}

	for (i = 0; i < job->ndesc && !ret; i++) {
		ret = qaccel_validate_gemm(&job->qdev->hw, &gemms[i], ranges, job->nbos);
		if (!ret)
			qaccel_gemm_encode(&gemms[i], job->desc[i]);
	}

	if (ranges != stack_ranges)
		kvfree(ranges);
	return ret;
}

/*
 * The fences of count syncobjs, one reference each, in fences[]. On error
 * none is kept.
 */
static int qaccel_job_find_fences(struct drm_file *file, const u32 *handles, u32 count,
				  struct dma_fence **fences)
{
	u32 i;
	int ret;

	for (i = 0; i < count; i++) {
		/* -ENOENT: no such syncobj; -EINVAL: it has no fence. */
		ret = drm_syncobj_find_fence(file, handles[i], 0, 0, &fences[i]);
		if (ret) {
			while (i--)
				dma_fence_put(fences[i]);
			return ret;
		}
	}

	return 0;
}

static void qaccel_put_fences(struct dma_fence **fences, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		dma_fence_put(fences[i]);
}

/* Header checks, before anything is looked up. */
static int qaccel_submit_check_args(const struct drm_qaccel_submit *args)
{
	if (args->flags)
		return -EINVAL;
	if (!args->job_count)
		return -EINVAL;
	if (args->job_count > QACCEL_MAX_JOBS)
		return -E2BIG;
	if (args->job_size < DRM_QACCEL_JOB_SIZE_V1 || !IS_ALIGNED(args->job_size, 8))
		return -EINVAL;
	if (args->read_count > QACCEL_MAX_HANDLES ||
	    args->write_count > QACCEL_MAX_HANDLES ||
	    args->in_syncobj_count > QACCEL_MAX_HANDLES)
		return -E2BIG;

	return 0;
}

/*
 * Lock the reservation objects of @objs (distinct BOs), as
 * drm_gem_lock_reservations() does, waiting interruptibly or not. On
 * -EDEADLK (an older context holds one) everything is dropped, the
 * contended lock taken first with the slow path, and the rest again.
 */
static int qaccel_job_lock_resvs(struct drm_gem_object **objs, unsigned int count,
				 struct ww_acquire_ctx *ctx, bool intr)
{
	int contended = -1, i, j, ret;

	ww_acquire_init(ctx, &reservation_ww_class);
retry:
	if (contended != -1) {
		struct dma_resv *resv = objs[contended]->resv;

		if (intr) {
			ret = dma_resv_lock_slow_interruptible(resv, ctx);
			if (ret) {
				ww_acquire_fini(ctx);
				return ret;
			}
		} else {
			dma_resv_lock_slow(resv, ctx);
		}
	}

	for (i = 0; i < (int)count; i++) {
		if (i == contended)
			continue;
		ret = intr ? dma_resv_lock_interruptible(objs[i]->resv, ctx) :
			     dma_resv_lock(objs[i]->resv, ctx);
		if (!ret)
			continue;

		for (j = 0; j < i; j++)
			dma_resv_unlock(objs[j]->resv);
		if (contended > i)
			dma_resv_unlock(objs[contended]->resv);
		if (ret == -EDEADLK) {
			contended = i;
			goto retry;
		}
		ww_acquire_fini(ctx);
		return ret;
	}
	ww_acquire_done(ctx);

	return 0;
}

/**
 * qaccel_job_push_armed - hand an armed job to its queue's entity
 * @job: the job, armed and not pushed yet; complete (no command joins it
 *	any more)
 *
 * Jobs of a queue are pushed in the order they were armed: the caller
 * holds the queue's lock, or pushes the queue's open job under the lock of
 * its io_uring state. Does not sleep (it may run as a task goes to sleep).
 */
void qaccel_job_push_armed(struct qaccel_job *job)
{
	qaccel_sched_job_set_credits(&job->base, job->ndesc);
	drm_sched_entity_push_job(&job->base);
}

/* The submission's fence: its command's, or the job's finished fence. */
static struct dma_fence *qaccel_job_sub_fence(struct qaccel_job *job, u32 i)
{
	return job->cmds ? job->cmds[i] : &job->base.s_fence->finished;
}

/* Give a submission its seqno and remember its fence. Queue lock held. */
static u64 qaccel_job_take_seqno(struct qaccel_job *job, u32 i)
{
	struct qaccel_queue *queue = job->queue;
	u64 seqno = ++queue->seqno;
	struct dma_fence **slot = &queue->history[seqno % QACCEL_JOB_HISTORY];

	if (job->cmds)
		qaccel_job_cmd_arm(job, i, seqno);
	dma_fence_put(*slot);
	*slot = dma_fence_get(qaccel_job_sub_fence(job, i));
	return seqno;
}

/*
 * Take the dependencies and push the job (or, for an io_uring command the
 * task batches, leave it open for the next commands: qaccel_uring.c).
 * Nothing can fail once the job is armed. Returns the submission's seqno
 * through @seqno; @cb, when not NULL, is added to the submission's fence
 * before the next job of the queue can be pushed.
 */
static int qaccel_job_push(struct qaccel_job *job, struct drm_gem_object **objs,
			   struct dma_fence **in_fences, u32 in_count,
			   struct drm_syncobj *out_syncobj, u64 *seqno,
			   struct dma_fence_cb *cb, dma_fence_func_t cb_func)
{
	struct qaccel_queue *queue = job->queue;
	/* Once the job is pushed (by anyone, if held open) it may be freed. */
	unsigned int i, nbos = job->nbos;
	struct ww_acquire_ctx ctx;
	struct dma_fence *finished;
	int ret;

	for (i = 0; i < in_count; i++) {
		/* Consumes the reference, also on error. */
		ret = drm_sched_job_add_dependency(&job->base, in_fences[i]);
		in_fences[i] = NULL;
		if (ret)
			return ret;
	}

	ret = qaccel_job_lock_resvs(objs, nbos, &ctx, !job->lock_nointr);
	if (ret)
		return ret;

	for (i = 0; i < nbos; i++) {
		ret = dma_resv_reserve_fences(objs[i]->resv, 1);
		if (ret)
			goto out_unlock_resv;
		ret = drm_sched_job_add_implicit_dependencies(&job->base, objs[i],
							      job->bos[i].write);
		if (ret)
			goto out_unlock_resv;
	}

	mutex_lock(&queue->lock);
	if (queue->dead) {
		mutex_unlock(&queue->lock);
		ret = -ENOENT;
		goto out_unlock_resv;
	}

	/* The queue's open io_uring job was armed before this one. */
	qaccel_uring_flush(queue->uring_order);

	/* The point of no return. */
	drm_sched_job_arm(&job->base);
	finished = dma_fence_get(&job->base.s_fence->finished);
	*seqno = qaccel_job_take_seqno(job, 0);
	for (i = 0; i < job->nbos; i++)
		dma_resv_add_fence(objs[i]->resv, finished,
				   job->bos[i].write ? DMA_RESV_USAGE_WRITE :
						       DMA_RESV_USAGE_READ);
	dma_fence_add_callback(finished, &job->done_cb, qaccel_job_done_cb);
	/* The job is not pushed yet: its fences cannot have signalled. */
	if (cb)
		dma_fence_add_callback(qaccel_job_sub_fence(job, 0), cb, cb_func);
	/* An injection armed in debugfs targets the next submission. */
	job->inject = atomic_xchg(&job->qdev->inject_next, 0);
	atomic64_add(job->ndesc, &job->qdev->counters.jobs_submitted);
	atomic_inc(&queue->queued);
	if (job->max_desc == job->ndesc || !qaccel_uring_hold(queue->uring_order, job))
		qaccel_job_push_armed(job);
	mutex_unlock(&queue->lock);

	drm_gem_unlock_reservations(objs, nbos, &ctx);
	if (out_syncobj)
		drm_syncobj_replace_fence(out_syncobj, finished);
	dma_fence_put(finished);

	return 0;

out_unlock_resv:
	drm_gem_unlock_reservations(objs, nbos, &ctx);
	return ret;
}

/*
 * Whether running after the queue's earlier jobs is enough for @fence:
 * it is one of the queue's own (the scheduler runs them in order) or has
 * signalled.
 */
static bool qaccel_job_fence_ordered(struct qaccel_queue *queue, struct dma_fence *fence)
{
	return fence->context == queue->entity.fence_context + 1 ||
	       dma_fence_is_signaled(fence);
}

/*
 * Move the validated command of @cand into @open, which has room. Locks
 * held. Mappings @open already holds are left in @cand for the caller to
 * release once the locks are dropped.
 */
static void qaccel_job_merge_locked(struct qaccel_job *open, struct qaccel_job *cand,
				    struct drm_gem_object **objs)
{
	unsigned int keep = 0;

	struct dma_fence *finished = &open->base.s_fence->finished;
	u32 i = open->ndesc, b, j;

	memcpy(open->desc[i], cand->desc[0], sizeof(open->desc[i]));
	open->cmds[i] = cand->cmds[0];
	cand->cmds[0] = NULL;

	for (b = 0; b < cand->nbos; b++) {
		struct qaccel_job_bo *bo = &cand->bos[b];

		dma_resv_add_fence(objs[b]->resv, finished,
				   bo->write ? DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
		for (j = 0; j < open->nbos; j++) {
			if (open->bos[j].map == bo->map)
				break;
		}
		if (j < open->nbos) {
			open->bos[j].write |= bo->write;
			cand->bos[keep++] = *bo;
		} else {
			open->bos[open->nbos++] = *bo;
		}
	}
	cand->nbos = keep;
	open->ndesc++;
}

/*
 * Join the job of an io_uring command (validated, its BOs populated) to
 * its queue's open job, which the task pushes once it has issued its
 * batch of commands. Only a command that needs nothing the open job does
 * not already wait for joins: every fence it would depend on is one of the
 * queue's own or has signalled. So a job never waits, through a later
 * command, for a job that waits for it.
 *
 * Return: 0 when @cand's command joined (@cand is a shell then, holding
 * only mappings the open job holds too), -EAGAIN when it cannot (no open
 * job, no room, a dependency), or another negative errno.
 */
static int qaccel_job_merge(struct qaccel_job *cand, struct drm_gem_object **objs,
			    struct dma_fence *in_fence, u64 *seqno,
			    struct dma_fence_cb *cb, dma_fence_func_t cb_func)
{
	struct qaccel_queue *queue = cand->queue;
	struct qaccel_uring_order *order = queue->uring_order;
	struct dma_resv_iter cursor;
	struct ww_acquire_ctx ctx;
	struct dma_fence *fence;
	unsigned int i, nbos = cand->nbos;
	struct qaccel_job *open;
	int ret;

	if (!qaccel_uring_has_open(order))
		return -EAGAIN;
	if (in_fence && !qaccel_job_fence_ordered(queue, in_fence))
		return -EAGAIN;

	ret = qaccel_job_lock_resvs(objs, nbos, &ctx, false);
	if (ret)
		return ret;

	for (i = 0; i < nbos; i++) {
		ret = dma_resv_reserve_fences(objs[i]->resv, 1);
		if (ret)
			goto out_unlock_resv;
		dma_resv_for_each_fence(&cursor, objs[i]->resv,
					dma_resv_usage_rw(cand->bos[i].write), fence) {
			if (!qaccel_job_fence_ordered(queue, fence)) {
				ret = -EAGAIN;
				goto out_unlock_resv;
			}
		}
	}

	mutex_lock(&queue->lock);
	ret = -ENOENT;
	if (queue->dead)
		goto out_unlock_queue;

	open = qaccel_uring_open_lock(order);
	ret = -EAGAIN;
	if (open && open->ndesc < open->max_desc && open->nbos + cand->nbos <= open->max_bos) {
		qaccel_job_merge_locked(open, cand, objs);
		*seqno = qaccel_job_take_seqno(open, open->ndesc - 1);
		/* The open job is not pushed yet: the fence cannot have signalled. */
		if (cb)
			dma_fence_add_callback(open->cmds[open->ndesc - 1], cb, cb_func);
		atomic64_inc(&open->qdev->counters.jobs_submitted);
		atomic64_inc(&open->qdev->counters.jobs_merged);
		ret = 0;
	}
	qaccel_uring_open_unlock(order);

out_unlock_queue:
	mutex_unlock(&queue->lock);
out_unlock_resv:
	/* A merged command's BOs moved to the open job. */
	drm_gem_unlock_reservations(objs, nbos, &ctx);
	return ret;
}

/*
 * The command of a one-command job, moved to a new job with room for the
 * next commands of the task's batch to join. Return: the new job, or NULL
 * (then @job stays as it was).
 */
static struct qaccel_job *qaccel_job_grow(struct qaccel_job *job)
{
	struct qaccel_job *big;

	big = qaccel_job_alloc(job->qdev, 1, QACCEL_MAX_JOBS, QACCEL_MAX_JOBS * QACCEL_CMD_BOS,
			       true);
	if (!big)
		return NULL;
	kref_get(&job->queue->ref);
	big->queue = job->queue;
	big->vm = qaccel_vm_get(job->vm);
	big->lock_nointr = job->lock_nointr;
	memcpy(big->desc[0], job->desc[0], sizeof(big->desc[0]));
	big->cmds[0] = job->cmds[0];
	job->cmds[0] = NULL;
	memcpy(big->bos, job->bos, job->nbos * sizeof(*job->bos));
	big->nbos = job->nbos;
	job->nbos = 0;
	return big;
}

/**
 * qaccel_job_submit - validate a built job and queue it
 * @job: the job, its BOs added; consumed (freed on failure, the
 *	scheduler's on success)
 * @file: the submitting file
 * @gemms: the job's @job->ndesc GEMMs, as userspace gave them
 * @in_syncobjs: syncobj handles of @file the job waits for
 * @in_count: number of entries in @in_syncobjs
 * @out_syncobj: syncobj handle that receives the job's finished fence, or 0
 * @seqno: out, the submission's sequence number on its queue, set before
 *	@cb can run
 * @cb: callback to add to the submission's fence (the job's finished
 *	fence, or the command fence of a job of an io_uring command), or
 *	NULL; it is added before any later job of the queue is pushed, so the
 *	callbacks of a queue's submissions run in the order of their seqnos
 * @cb_func: the function of @cb
 *
 * Every submission path goes through here: each GEMM is checked by
 * qaccel_validate_gemm() against the job's BOs, the syncobjs are looked up,
 * then the job of an io_uring command may join the queue's open job
 * (qaccel_job_merge()); otherwise the job takes its dependencies and is pushed to its queue.
 *
 * Return: 0, or a negative errno (see the uAPI header) with nothing queued
 * and no reference kept.
 */
int qaccel_job_submit(struct qaccel_job *job, struct drm_file *file,
		      const struct drm_qaccel_gemm *gemms, const u32 *in_syncobjs,
		      u32 in_count, u32 out_syncobj, u64 *seqno,
		      struct dma_fence_cb *cb, dma_fence_func_t cb_func)
{
	struct drm_gem_object *stack_objs[QACCEL_JOB_STACK_BOS];
	struct drm_gem_object **objs = stack_objs;
	struct qaccel_file *qfile = to_qaccel_file(file);
	struct drm_device *drm = &job->qdev->drm;
	struct dma_fence *stack_fence, **in_fences = &stack_fence;
	struct drm_syncobj *out = NULL;
	unsigned int i, nobjs = 0;
	int ret;

	ret = qaccel_job_validate(job, gemms);
	if (ret)
		goto out_free_job;

	if (in_count > 1) {
		in_fences = kvcalloc(in_count, sizeof(*in_fences), GFP_KERNEL);
		if (!in_fences) {
			ret = -ENOMEM;
			goto out_free_job;
		}
	}
	ret = qaccel_job_find_fences(file, in_syncobjs, in_count, in_fences);
	if (ret)
		goto out_free_fences;

	if (out_syncobj) {
		out = drm_syncobj_find(file, out_syncobj);
		if (!out) {
			ret = -ENOENT;
			goto out_put_fences;
		}
	}

	/* Pin the pages and fill the page tables of BOs not used before. */
	for (i = 0; i < job->nbos; i++) {
		ret = qaccel_mapping_populate(job->bos[i].map);
		if (ret)
			goto out_put_syncobj;
	}

	if (job->nbos > QACCEL_JOB_STACK_BOS) {
		objs = kvmalloc_array(job->nbos, sizeof(*objs), GFP_KERNEL);
		if (!objs) {
			ret = -ENOMEM;
			goto out_put_syncobj;
		}
	}
	/*
	 * The caller's own references: the job's may go with the job as soon
	 * as it is pushed, while the reservation locks are still held.
	 */
	nobjs = job->nbos;
	for (i = 0; i < nobjs; i++) {
		objs[i] = &job->bos[i].map->bo->base.base;
		drm_gem_object_get(objs[i]);
	}

	/* A one-command job of an io_uring command may join the open job. */
	if (job->cmds && job->max_desc == 1) {
		struct qaccel_job *big;

		ret = qaccel_job_merge(job, objs, in_count ? in_fences[0] : NULL, seqno,
				       cb, cb_func);
		if (ret != -EAGAIN)
			goto out_free_objs;
		/* It starts a job: one the next commands of the batch can join. */
		big = qaccel_uring_can_hold() ? qaccel_job_grow(job) : NULL;
		if (big) {
			qaccel_job_free(job);
			job = big;
		}
	}

	ret = pm_runtime_resume_and_get(drm->dev);
	if (ret)
		goto out_free_objs;
	job->pm_ref = true;

	ret = qaccel_sched_job_init(&job->base, &job->queue->entity, job->ndesc,
				    job->queue, qfile->client_id);
	if (ret)
		goto out_free_objs;

	ret = qaccel_job_push(job, objs, in_fences, in_count, out, seqno, cb, cb_func);
	if (ret)
		goto out_free_objs;

	/* The scheduler owns the job now (or its command joined the open job). */
	job = NULL;

out_free_objs:
	for (i = 0; i < nobjs; i++)
		drm_gem_object_put(objs[i]);
	if (objs != stack_objs)
		kvfree(objs);
out_put_syncobj:
	if (out)
		drm_syncobj_put(out);
out_put_fences:
	/* The entries qaccel_job_push() consumed are NULL. */
	qaccel_put_fences(in_fences, in_count);
out_free_fences:
	if (in_fences != &stack_fence)
		kvfree(in_fences);
out_free_job:
	if (job)
		qaccel_job_free(job);
	return ret;
}

/**
 * qaccel_ioctl_submit - DRM_IOCTL_QACCEL_SUBMIT
 * @drm: the device
 * @data: &struct drm_qaccel_submit
 * @file: the caller's file
 *
 * Return: 0 and the submission's seqno, or a negative errno (see the uAPI
 * header) with nothing queued.
 */
int qaccel_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_qaccel_submit *args = data;
	struct drm_qaccel_gemm *gemms;
	struct qaccel_job *job;
	u32 *in_handles;
	u64 seqno;
	int ret, idx;

	ret = qaccel_submit_check_args(args);
	if (ret)
		return ret;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	job = qaccel_job_new(file, args->queue_id, args->job_count,
			     args->read_count + args->write_count);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out_exit;
	}

	gemms = kvmalloc_array(args->job_count, sizeof(*gemms), GFP_KERNEL);
	if (!gemms) {
		ret = -ENOMEM;
		goto out_free_job;
	}
	ret = qaccel_submit_copy_jobs(args, gemms);
	if (ret)
		goto out_free_gemms;

	ret = qaccel_job_add_bos(job, file, args);
	if (ret)
		goto out_free_gemms;

	in_handles = qaccel_copy_handles(args->in_syncobjs, args->in_syncobj_count);
	if (IS_ERR(in_handles)) {
		ret = PTR_ERR(in_handles);
		goto out_free_gemms;
	}

	/* Consumes the job. */
	ret = qaccel_job_submit(job, file, gemms, in_handles, args->in_syncobj_count,
				args->out_syncobj, &seqno, NULL, NULL);
	job = NULL;
	if (!ret)
		args->seqno = seqno;

	kvfree(in_handles);
out_free_gemms:
	kvfree(gemms);
out_free_job:
	if (job)
		qaccel_job_free(job);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
