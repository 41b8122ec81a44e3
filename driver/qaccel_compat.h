/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: kernel API differences between the supported kernels, decided by
 * the feature probes in conftest/ (QACCEL_HAVE_* in qaccel_conftest.h),
 * never by version numbers.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_COMPAT_H_
#define _QACCEL_COMPAT_H_

#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>

#include "qaccel_conftest.h"

#ifdef QACCEL_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

#ifdef QACCEL_HAVE_DRM_ACCEL
#include <drm/drm_accel.h>

/* A compute accelerator node: /dev/accel/accelN. */
#define QACCEL_DRIVER_FEATURES	(DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ)
#define QACCEL_DRM_FOPS		DRM_ACCEL_FOPS
#define QACCEL_NODE_KIND	"accel"
#else
/* No accel core: a render node, /dev/dri/renderDN. */
#define QACCEL_DRIVER_FEATURES	(DRIVER_RENDER | DRIVER_GEM | DRIVER_SYNCOBJ)
#define QACCEL_DRM_FOPS		DRM_GEM_FOPS
#define QACCEL_NODE_KIND	"render"
#endif

#ifndef QACCEL_HAVE_DEVM_DRM_DEV_ALLOC
#error "qaccel needs devm_drm_dev_alloc()"
#endif

/*
 * QACCEL_PLATFORM_REMOVE(fn) - initialise the void remove callback of a
 * struct platform_driver with fn.
 */
#if defined(QACCEL_HAVE_PLATFORM_REMOVE_VOID)
#define QACCEL_PLATFORM_REMOVE(fn)	.remove = (fn)
#elif defined(QACCEL_HAVE_PLATFORM_REMOVE_NEW)
#define QACCEL_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#else
#error "qaccel needs a platform_driver remove callback returning void"
#endif

/*
 * QACCEL_MODULE_IMPORT_NS(ns) - import symbol namespace ns, given as a bare
 * token (QACCEL_MODULE_IMPORT_NS(DMA_BUF)) whatever form the kernel takes.
 */
#ifdef QACCEL_HAVE_MODULE_IMPORT_NS_TOKEN
#define QACCEL_MODULE_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#else
#define QACCEL_MODULE_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#endif

/*
 * drm_sched: exactly one form of each function must have been detected; a
 * kernel with yet another form needs a new probe in conftest/.
 */
#if !defined(QACCEL_HAVE_DRM_SCHED_INIT_ARGS) && \
	!defined(QACCEL_HAVE_DRM_SCHED_INIT_SUBMIT_WQ) && \
	!defined(QACCEL_HAVE_DRM_SCHED_INIT_HW_SUBMISSION)
#error "unknown form of drm_sched_init()"
#endif
#if !defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID) && \
	!defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CREDITS) && \
	!defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_OWNER)
#error "unknown form of drm_sched_job_init()"
#endif
#if !defined(QACCEL_HAVE_DRM_SCHED_START_ERRNO) && \
	!defined(QACCEL_HAVE_DRM_SCHED_START_FULL_RECOVERY) && \
	!defined(QACCEL_HAVE_DRM_SCHED_START_ONE_ARG)
#error "unknown form of drm_sched_start()"
#endif

/* The lowest scheduler priority, for DRM_QACCEL_PRIORITY_LOW queues. */
#ifdef QACCEL_HAVE_DRM_SCHED_PRIORITY_LOW
#define QACCEL_SCHED_PRIORITY_LOW	DRM_SCHED_PRIORITY_LOW
#else
#define QACCEL_SCHED_PRIORITY_LOW	DRM_SCHED_PRIORITY_MIN
#endif

/* What a timeout handler returns when it handled the timeout. */
#if defined(QACCEL_HAVE_DRM_GPU_SCHED_STAT_NOMINAL)
#define QACCEL_SCHED_STAT_OK		DRM_GPU_SCHED_STAT_NOMINAL
#elif defined(QACCEL_HAVE_DRM_GPU_SCHED_STAT_RESET)
#define QACCEL_SCHED_STAT_OK		DRM_GPU_SCHED_STAT_RESET
#else
#error "unknown enum drm_gpu_sched_stat"
#endif

/*
 * QACCEL_SCHED_HAS_CREDITS: the scheduler counts job credits (one per
 * descriptor here) against its limit; without, it counts whole jobs.
 */
#if defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID) || \
	defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CREDITS)
#define QACCEL_SCHED_HAS_CREDITS	1
#else
#define QACCEL_SCHED_HAS_CREDITS	0
#endif

/**
 * qaccel_compat_sched_init - initialise a scheduler, whatever the kernel's
 *	form of drm_sched_init()
 * @sched: the scheduler
 * @ops: its backend operations
 * @credits: how many credits (or jobs) may be on the hardware at once
 * @timeout: job timeout in jiffies
 * @name: its name, which must outlive it
 * @dev: the device, for messages
 *
 * One run queue per priority, the scheduler's own workqueues.
 *
 * Return: 0 or a negative errno.
 */
static inline int qaccel_compat_sched_init(struct drm_gpu_scheduler *sched,
					   const struct drm_sched_backend_ops *ops,
					   u32 credits, long timeout, const char *name,
					   struct device *dev)
{
#if defined(QACCEL_HAVE_DRM_SCHED_INIT_ARGS)
	const struct drm_sched_init_args args = {
		.ops = ops,
#ifdef QACCEL_HAVE_DRM_SCHED_INIT_ARGS_NUM_RQS
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
		.credit_limit = credits,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#elif defined(QACCEL_HAVE_DRM_SCHED_INIT_SUBMIT_WQ)
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT, credits, 0,
			      timeout, NULL, NULL, name, dev);
#else
	return drm_sched_init(sched, ops, credits, 0, timeout, NULL, NULL, name, dev);
#endif
}

/**
 * qaccel_sched_job_init - initialise a scheduler job
 * @job: the job
 * @entity: the entity it goes to
 * @credits: its size in credits (ignored by kernels that count jobs)
 * @owner: its owner, for the scheduler's bookkeeping
 * @client_id: the submitting client (ignored where unsupported)
 *
 * Return: 0 or a negative errno.
 */
static inline int qaccel_sched_job_init(struct drm_sched_job *job,
					struct drm_sched_entity *entity, u32 credits,
					void *owner, u64 client_id)
{
#if defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID)
	return drm_sched_job_init(job, entity, credits, owner, client_id);
#elif defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CREDITS)
	return drm_sched_job_init(job, entity, credits, owner);
#else
	return drm_sched_job_init(job, entity, owner);
#endif
}

/**
 * qaccel_sched_job_set_credits - size a job that grew after its init
 * @job: the job, not pushed yet
 * @credits: its size in credits (ignored by kernels that count jobs)
 */
static inline void qaccel_sched_job_set_credits(struct drm_sched_job *job, u32 credits)
{
#if QACCEL_SCHED_HAS_CREDITS
	job->credits = credits;
#endif
}

/**
 * qaccel_compat_sched_start - restart a scheduler stopped for a reset
 * @sched: the scheduler
 *
 * Jobs whose hardware fence is signalled complete with its error.
 */
static inline void qaccel_compat_sched_start(struct drm_gpu_scheduler *sched)
{
#if defined(QACCEL_HAVE_DRM_SCHED_START_ERRNO)
	drm_sched_start(sched, 0);
#elif defined(QACCEL_HAVE_DRM_SCHED_START_FULL_RECOVERY)
	drm_sched_start(sched, true);
#else
	drm_sched_start(sched);
#endif
}

/*
 * io_uring commands.
 *
 * QACCEL_URING_CANCELABLE: commands can be marked cancelable, and io_uring
 * calls ->uring_cmd() again with IO_URING_F_CANCEL when their ring or task
 * goes away; without it a ring's teardown waits for their completion.
 */
#ifdef QACCEL_HAVE_IO_URING_CMD_MARK_CANCELABLE
#define QACCEL_URING_CANCELABLE		1
#else
#define QACCEL_URING_CANCELABLE		0
#endif

/**
 * qaccel_uring_cmd_payload - the command area of a command's SQE
 * @cmd: the command, during its issue
 *
 * The area lies in memory userspace may still write: copy it once.
 *
 * Return: the area's first byte.
 */
static inline const void *qaccel_uring_cmd_payload(const struct io_uring_cmd *cmd)
{
#ifdef QACCEL_HAVE_IO_URING_SQE_CMD
	return io_uring_sqe_cmd(cmd->sqe);
#else
	return cmd->cmd;
#endif
}

/**
 * qaccel_uring_cmd_done - post a command's completion
 * @cmd: the command
 * @res: the CQE's res
 * @res2: the first extra word of a 32-byte CQE
 * @issue_flags: the flags io_uring passed to the caller
 */
static inline void qaccel_uring_cmd_done(struct io_uring_cmd *cmd, int res, u64 res2,
					 unsigned int issue_flags)
{
#ifdef QACCEL_HAVE_IO_URING_CMD_DONE_ISSUE_FLAGS
	io_uring_cmd_done(cmd, res, res2, issue_flags);
#else
	io_uring_cmd_done(cmd, res, res2);
#endif
}

#endif /* _QACCEL_COMPAT_H_ */
