/* SPDX-License-Identifier: MIT */
/*
 * qaccel: userspace interface of the QA1 int8 matrix engine driver.
 *
 * Copyright (c) 2026 The qaccel authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
 * THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
 * OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE,
 * ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR
 * OTHER DEALINGS IN THE SOFTWARE.
 */
#ifndef _UAPI_QACCEL_ACCEL_H_
#define _UAPI_QACCEL_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: qaccel uAPI overview
 *
 * The QA1 engine computes int8 matrix products C = requant(A x W) on buffers
 * that live in a per-file device address space. Userspace creates buffer
 * objects (BOs), each of which is mapped into the device address space of the
 * file that created or imported it; the device virtual address (VA) is
 * returned at creation. Jobs name their operands by device VA.
 *
 * Jobs are submitted to a queue, either through %DRM_IOCTL_QACCEL_SUBMIT or
 * inline in an io_uring %IORING_OP_URING_CMD submission queue entry (see
 * &struct drm_qaccel_uring_gemm). Every field of every structure is validated
 * before anything is queued: unknown flags and non-zero padding are rejected
 * with -EINVAL.
 *
 * Ioctl numbers are only ever appended; structures grow only at their end.
 *
 * Error codes common to every ioctl: -EINVAL for a malformed request
 * (unknown flags, non-zero padding, a zero or inconsistent value, an address
 * range outside the buffers it must lie in), -E2BIG for a value above a
 * limit the driver reports (dimensions, counts, sizes), -ENOENT for a handle
 * or queue that does not exist in this file, -EACCES for a write to a buffer
 * the device may only read, -EFAULT for an unreadable or unwritable user
 * pointer, -ENOMEM / -ENOSPC when memory or device address space runs out.
 * A failing ioctl changes nothing.
 */

#define DRM_QACCEL_GET_PARAM		0x00
#define DRM_QACCEL_BO_CREATE		0x01
#define DRM_QACCEL_BO_INFO		0x02
#define DRM_QACCEL_BO_WAIT		0x03
#define DRM_QACCEL_QUEUE_CREATE		0x04
#define DRM_QACCEL_QUEUE_DESTROY	0x05
#define DRM_QACCEL_SUBMIT		0x06
#define DRM_QACCEL_JOB_WAIT		0x07

#define DRM_IOCTL_QACCEL_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_GET_PARAM, struct drm_qaccel_get_param)
#define DRM_IOCTL_QACCEL_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_BO_CREATE, struct drm_qaccel_bo_create)
#define DRM_IOCTL_QACCEL_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_BO_INFO, struct drm_qaccel_bo_info)
#define DRM_IOCTL_QACCEL_BO_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QACCEL_BO_WAIT, struct drm_qaccel_bo_wait)
#define DRM_IOCTL_QACCEL_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_QUEUE_CREATE, struct drm_qaccel_queue_create)
#define DRM_IOCTL_QACCEL_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_QACCEL_QUEUE_DESTROY, struct drm_qaccel_queue_destroy)
#define DRM_IOCTL_QACCEL_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_SUBMIT, struct drm_qaccel_submit)
#define DRM_IOCTL_QACCEL_JOB_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_JOB_WAIT, struct drm_qaccel_job_wait)

/**
 * DRM_QACCEL_UAPI_VERSION - version of this interface, see
 * %DRM_QACCEL_PARAM_UAPI_VERSION. Bumped whenever something is appended.
 */
#define DRM_QACCEL_UAPI_VERSION		2

/**
 * enum drm_qaccel_param - parameters answered by %DRM_IOCTL_QACCEL_GET_PARAM
 * @DRM_QACCEL_PARAM_UAPI_VERSION: version of this interface the driver
 *	implements (%DRM_QACCEL_UAPI_VERSION).
 * @DRM_QACCEL_PARAM_DEVICE_ID: the engine's identification register
 *	(%QA1_ID_MAGIC for every QA1).
 * @DRM_QACCEL_PARAM_HW_VERSION: the engine's version register: major in
 *	bits 31:16, minor in bits 15:8, patch in bits 7:0.
 * @DRM_QACCEL_PARAM_CAPABILITIES: bit mask of &enum drm_qaccel_cap.
 * @DRM_QACCEL_PARAM_MAX_M: largest M (rows of A and C) of one GEMM.
 * @DRM_QACCEL_PARAM_MAX_N: largest N (output channels) of one GEMM.
 * @DRM_QACCEL_PARAM_MAX_K: largest K (reduction length) of one GEMM.
 * @DRM_QACCEL_PARAM_VA_BITS: width of a device virtual address.
 * @DRM_QACCEL_PARAM_VA_START: lowest device VA the driver hands out.
 * @DRM_QACCEL_PARAM_VA_END: end (exclusive) of the device VA range.
 * @DRM_QACCEL_PARAM_PAGE_SIZE: device MMU page size in bytes.
 * @DRM_QACCEL_PARAM_RING_ENTRIES: number of descriptors in the command ring.
 * @DRM_QACCEL_PARAM_MAX_JOBS: largest &drm_qaccel_submit.job_count.
 * @DRM_QACCEL_PARAM_EMULATED: 1 when the engine is the driver's software
 *	emulation of a QA1, 0 for real hardware.
 * @DRM_QACCEL_PARAM_MAX_BO_SIZE: largest &drm_qaccel_bo_create.size.
 * @DRM_QACCEL_PARAM_MAX_QUEUES: largest number of queues one file may own.
 * @DRM_QACCEL_PARAM_JOB_HISTORY: number of most recent submissions per queue
 *	whose status %DRM_IOCTL_QACCEL_JOB_WAIT can still report.
 * @DRM_QACCEL_PARAM_URING_CMD: 1 when the device fd accepts io_uring
 *	commands (&enum drm_qaccel_uring_op), 0 when the kernel has no
 *	io_uring. Since version 2.
 */
enum drm_qaccel_param {
	DRM_QACCEL_PARAM_UAPI_VERSION = 0,
	DRM_QACCEL_PARAM_DEVICE_ID = 1,
	DRM_QACCEL_PARAM_HW_VERSION = 2,
	DRM_QACCEL_PARAM_CAPABILITIES = 3,
	DRM_QACCEL_PARAM_MAX_M = 4,
	DRM_QACCEL_PARAM_MAX_N = 5,
	DRM_QACCEL_PARAM_MAX_K = 6,
	DRM_QACCEL_PARAM_VA_BITS = 7,
	DRM_QACCEL_PARAM_VA_START = 8,
	DRM_QACCEL_PARAM_VA_END = 9,
	DRM_QACCEL_PARAM_PAGE_SIZE = 10,
	DRM_QACCEL_PARAM_RING_ENTRIES = 11,
	DRM_QACCEL_PARAM_MAX_JOBS = 12,
	DRM_QACCEL_PARAM_EMULATED = 13,
	DRM_QACCEL_PARAM_MAX_BO_SIZE = 14,
	DRM_QACCEL_PARAM_MAX_QUEUES = 15,
	DRM_QACCEL_PARAM_JOB_HISTORY = 16,
	DRM_QACCEL_PARAM_URING_CMD = 17,
};

/**
 * enum drm_qaccel_cap - capability bits of %DRM_QACCEL_PARAM_CAPABILITIES
 *
 * They are the engine's CAPS register, see the QA1 specification.
 *
 * @DRM_QACCEL_CAP_A_U8: activations may be unsigned 8-bit.
 * @DRM_QACCEL_CAP_A_S8: activations may be signed 8-bit.
 * @DRM_QACCEL_CAP_OUT_S8: requantized signed 8-bit output.
 * @DRM_QACCEL_CAP_OUT_U8: requantized unsigned 8-bit output.
 * @DRM_QACCEL_CAP_OUT_S32: raw 32-bit accumulator output.
 * @DRM_QACCEL_CAP_MMU: per-context page tables.
 * @DRM_QACCEL_CAP_PROGRESS: the PROGRESS register advances while a job runs.
 * @DRM_QACCEL_CAP_FAULT_INJECT: the engine can be told to hang or fault
 *	(emulated engines and debug bitstreams).
 */
enum drm_qaccel_cap {
	DRM_QACCEL_CAP_A_U8 = 1 << 0,
	DRM_QACCEL_CAP_A_S8 = 1 << 1,
	DRM_QACCEL_CAP_OUT_S8 = 1 << 2,
	DRM_QACCEL_CAP_OUT_U8 = 1 << 3,
	DRM_QACCEL_CAP_OUT_S32 = 1 << 4,
	DRM_QACCEL_CAP_MMU = 1 << 5,
	DRM_QACCEL_CAP_PROGRESS = 1 << 6,
	DRM_QACCEL_CAP_FAULT_INJECT = 1 << 7,
};

/**
 * struct drm_qaccel_get_param - query one device parameter
 * @param: in, one of &enum drm_qaccel_param; unknown values fail with
 *	-EINVAL.
 * @pad: must be zero.
 * @value: out, the parameter's value.
 */
struct drm_qaccel_get_param {
	__u32 param;
	__u32 pad;
	__u64 value;
};

/**
 * DRM_QACCEL_BO_DEVICE_READONLY - &drm_qaccel_bo_create.flags: map the BO
 * into the device address space without write permission. Jobs that name it
 * as output are rejected; an engine write to it raises an MMU fault. Use it
 * for packed weights.
 */
#define DRM_QACCEL_BO_DEVICE_READONLY	0x00000001u
/** DRM_QACCEL_BO_FLAGS - every valid &drm_qaccel_bo_create.flags bit */
#define DRM_QACCEL_BO_FLAGS		DRM_QACCEL_BO_DEVICE_READONLY

/**
 * struct drm_qaccel_bo_create - create a buffer object
 * @size: in, size in bytes; rounded up to the page size; zero fails with
 *	-EINVAL, more than %DRM_QACCEL_PARAM_MAX_BO_SIZE with -E2BIG.
 * @flags: in, %DRM_QACCEL_BO_FLAGS bits.
 * @handle: out, GEM handle of the new BO.
 * @va: out, device virtual address of the BO's first byte in this file's
 *	device address space.
 * @mmap_offset: out, offset to pass to mmap() on the device fd.
 *
 * The BO is zero-filled and stays mapped at @va until its last handle is
 * closed.
 */
struct drm_qaccel_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 va;
	__u64 mmap_offset;
};

/**
 * struct drm_qaccel_bo_info - describe a BO of this file
 * @handle: in, GEM handle (also one from PRIME import).
 * @flags: out, the BO's %DRM_QACCEL_BO_FLAGS.
 * @size: out, size in bytes.
 * @va: out, device virtual address in this file's address space.
 * @mmap_offset: out, offset to pass to mmap() on the device fd.
 */
struct drm_qaccel_bo_info {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u64 va;
	__u64 mmap_offset;
};

/**
 * struct drm_qaccel_bo_wait - wait until every job using a BO has completed
 * @handle: in, GEM handle.
 * @pad: must be zero.
 * @timeout_ns: in, relative timeout in nanoseconds; 0 polls. The ioctl
 *	fails with -ETIME when jobs are still running at the deadline.
 */
struct drm_qaccel_bo_wait {
	__u32 handle;
	__u32 pad;
	__s64 timeout_ns;
};

/**
 * enum drm_qaccel_priority - scheduling priority of a queue
 * @DRM_QACCEL_PRIORITY_LOW: background work.
 * @DRM_QACCEL_PRIORITY_NORMAL: the default.
 * @DRM_QACCEL_PRIORITY_HIGH: latency-sensitive work; needs CAP_SYS_NICE
 *	unless the device allows it to everyone.
 */
enum drm_qaccel_priority {
	DRM_QACCEL_PRIORITY_LOW = 0,
	DRM_QACCEL_PRIORITY_NORMAL = 1,
	DRM_QACCEL_PRIORITY_HIGH = 2,
};

/**
 * struct drm_qaccel_queue_create - create a job queue (scheduler entity)
 * @priority: in, &enum drm_qaccel_priority.
 * @flags: in, must be zero.
 * @queue_id: out, identifier for &drm_qaccel_submit.queue_id; never 0.
 * @pad: must be zero.
 *
 * Jobs of one queue run in submission order; queues of one file run
 * independently. Queue 0 always exists with normal priority.
 */
struct drm_qaccel_queue_create {
	__u32 priority;
	__u32 flags;
	__u32 queue_id;
	__u32 pad;
};

/**
 * struct drm_qaccel_queue_destroy - destroy a job queue
 * @queue_id: in, a queue created by this file; queue 0 cannot be destroyed.
 * @pad: must be zero.
 *
 * Jobs already queued still run to completion: the call returns once each
 * of them has had its dependencies met and been handed to the engine (a
 * fatal signal cuts the wait short and cancels the jobs still waiting).
 * Closing the file instead waits a bounded time only, and jobs still
 * waiting for dependencies then end with -ECANCELED.
 */
struct drm_qaccel_queue_destroy {
	__u32 queue_id;
	__u32 pad;
};

/**
 * enum drm_qaccel_gemm_flags - &drm_qaccel_gemm.flags
 * @DRM_QACCEL_GEMM_A_S8: activations are signed 8-bit (default unsigned).
 * @DRM_QACCEL_GEMM_OUT_S8: output is requantized signed 8-bit.
 * @DRM_QACCEL_GEMM_OUT_U8: output is requantized unsigned 8-bit.
 * @DRM_QACCEL_GEMM_OUT_S32: output is the raw int32 accumulator.
 *
 * Exactly one of the OUT bits must be set.
 */
enum drm_qaccel_gemm_flags {
	DRM_QACCEL_GEMM_A_S8 = 1 << 0,
	DRM_QACCEL_GEMM_OUT_S8 = 1 << 1,
	DRM_QACCEL_GEMM_OUT_U8 = 1 << 2,
	DRM_QACCEL_GEMM_OUT_S32 = 1 << 3,
};

/** DRM_QACCEL_GEMM_FLAGS - every valid &drm_qaccel_gemm.flags bit */
#define DRM_QACCEL_GEMM_FLAGS	(DRM_QACCEL_GEMM_A_S8 | DRM_QACCEL_GEMM_OUT_S8 | \
				 DRM_QACCEL_GEMM_OUT_U8 | DRM_QACCEL_GEMM_OUT_S32)

/**
 * struct drm_qaccel_gemm - one matrix product C = requant(A x W)
 * @a_va: device VA of A, M rows of K bytes, rows @lda bytes apart.
 * @w_va: device VA of the packed weight block for K x N (see the QA1
 *	specification: weights, then bias, column sums, weight zero points,
 *	multipliers and shifts, N rounded up to 16).
 * @c_va: device VA of C, M rows of N elements, rows @ldc bytes apart.
 * @m: rows of A and C, 1 to %DRM_QACCEL_PARAM_MAX_M.
 * @n: output channels, 1 to %DRM_QACCEL_PARAM_MAX_N.
 * @k: reduction length, 1 to %DRM_QACCEL_PARAM_MAX_K.
 * @lda: bytes between rows of A, at least @k.
 * @ldc: bytes between rows of C, at least @n times the output element size.
 * @flags: &enum drm_qaccel_gemm_flags.
 * @a_zp: zero point of A: 0 to 255 for u8, -128 to 127 for s8.
 * @out_zp: zero point of the output: 0 to 255 for u8, -128 to 127 for s8,
 *	0 for s32.
 * @act_min: lowest output value after requantization (a fused ReLU raises
 *	it); within the output type's range, 0 for s32.
 * @act_max: highest output value; at least @act_min; 0 for s32.
 *
 * The same 64 bytes travel in &drm_qaccel_job and in
 * &drm_qaccel_uring_gemm.
 */
struct drm_qaccel_gemm {
	__u64 a_va;
	__u64 w_va;
	__u64 c_va;
	__u32 m;
	__u32 n;
	__u32 k;
	__u32 lda;
	__u32 ldc;
	__u32 flags;
	__s32 a_zp;
	__s32 out_zp;
	__s32 act_min;
	__s32 act_max;
};

/**
 * enum drm_qaccel_job_type - &drm_qaccel_job.type
 * @DRM_QACCEL_JOB_GEMM: the job is the &drm_qaccel_job.gemm product.
 */
enum drm_qaccel_job_type {
	DRM_QACCEL_JOB_GEMM = 1,
};

/**
 * struct drm_qaccel_job - one element of &drm_qaccel_submit.jobs
 * @type: &enum drm_qaccel_job_type.
 * @flags: must be zero.
 * @gemm: the product, for %DRM_QACCEL_JOB_GEMM.
 *
 * Userspace passes the size of the structure it was built with in
 * &drm_qaccel_submit.job_size; the kernel reads that many bytes per job,
 * treats missing trailing fields as zero and rejects non-zero bytes in
 * fields it does not know.
 */
struct drm_qaccel_job {
	__u32 type;
	__u32 flags;
	struct drm_qaccel_gemm gemm;
};

/**
 * DRM_QACCEL_JOB_SIZE_V1 - the smallest &drm_qaccel_submit.job_size the
 * kernel accepts, sizeof(struct drm_qaccel_job) in version 1.
 */
#define DRM_QACCEL_JOB_SIZE_V1	72

/**
 * struct drm_qaccel_submit - queue jobs that run one after another
 * @jobs: in, user pointer to @job_count elements of @job_size bytes each.
 * @job_count: in, 1 to %DRM_QACCEL_PARAM_MAX_JOBS.
 * @job_size: in, size of one element of @jobs, at least
 *	%DRM_QACCEL_JOB_SIZE_V1 and a multiple of 8.
 * @read_handles: in, user pointer to @read_count __u32 GEM handles the jobs
 *	read (A and the packed weights).
 * @write_handles: in, user pointer to @write_count __u32 GEM handles the
 *	jobs write (C) and may also read.
 * @read_count: in, number of handles at @read_handles.
 * @write_count: in, number of handles at @write_handles.
 * @in_syncobjs: in, user pointer to @in_syncobj_count __u32 syncobj handles
 *	the jobs wait for before they start. A handle the file does not have
 *	fails with -ENOENT, a syncobj that holds no fence yet with -EINVAL.
 * @in_syncobj_count: in, number of handles at @in_syncobjs.
 * @out_syncobj: in, syncobj handle that receives the fence of the last job,
 *	or 0 for none.
 * @queue_id: in, queue from %DRM_IOCTL_QACCEL_QUEUE_CREATE, or 0.
 * @flags: in, must be zero.
 * @seqno: out, sequence number of the submission on its queue, for
 *	%DRM_IOCTL_QACCEL_JOB_WAIT; the first submission of a queue gets 1.
 *
 * Every address range a job touches must lie entirely inside one BO named
 * here: A and the packed weights inside a BO of either list, C inside a BO of
 * @write_handles that is not %DRM_QACCEL_BO_DEVICE_READONLY. The jobs also
 * wait for the fences in the listed BOs' reservation objects (implicit
 * synchronisation) and add theirs.
 */
struct drm_qaccel_submit {
	__u64 jobs;
	__u32 job_count;
	__u32 job_size;
	__u64 read_handles;
	__u64 write_handles;
	__u32 read_count;
	__u32 write_count;
	__u64 in_syncobjs;
	__u32 in_syncobj_count;
	__u32 out_syncobj;
	__u32 queue_id;
	__u32 flags;
	__u64 seqno;
};

/**
 * struct drm_qaccel_job_wait - wait for a submission and get its status
 * @queue_id: in, the queue the submission went to.
 * @flags: in, must be zero.
 * @seqno: in, &drm_qaccel_submit.seqno of the submission; a value the
 *	queue has not handed out yet fails with -EINVAL.
 * @timeout_ns: in, relative timeout in nanoseconds; 0 polls, a negative
 *	value fails with -EINVAL. Fails with -ETIME when the submission is
 *	still running at the deadline.
 * @status: out, 0 when every job of the submission completed, -ETIMEDOUT
 *	when one hung and the engine was reset, -EIO when one faulted, -ECANCELED
 *	when it never ran (its queue or file went away), or -ENODATA when the
 *	submission is older than the last %DRM_QACCEL_PARAM_JOB_HISTORY ones and
 *	its status is no longer known. Such a submission is waited for like
 *	any other: -ENODATA is only reported once it has completed.
 * @pad: must be zero.
 *
 * Syncobjs tell that a submission finished, not how; this ioctl tells how.
 */
struct drm_qaccel_job_wait {
	__u32 queue_id;
	__u32 flags;
	__u64 seqno;
	__s64 timeout_ns;
	__s32 status;
	__u32 pad;
};

/**
 * DOC: io_uring commands
 *
 * The device fd accepts %IORING_OP_URING_CMD (see
 * %DRM_QACCEL_PARAM_URING_CMD) on rings created with %IORING_SETUP_SQE128.
 * The command opcode (sqe->cmd_op) is one of &enum drm_qaccel_uring_op; the
 * 80-byte command area (sqe->cmd) holds the matching payload, which the
 * kernel reads once, while it handles the SQE. Other SQE fields follow
 * io_uring's rules for %IORING_OP_URING_CMD (sqe->user_data comes back in
 * the CQE; io_uring checks sqe->uring_cmd_flags).
 *
 * Each command runs one job. Its completion (CQE) is posted when the job
 * has *completed*, never when it is queued. cqe->res is:
 *
 * - 0: the job completed;
 * - -ETIMEDOUT: it hung and the engine was reset;
 * - -EIO: it faulted;
 * - -ECANCELED: it never ran (its queue or file went away, or a
 *   dependency failed), or the command was cancelled (see below);
 * - any other negative errno: the command was rejected before anything
 *   was queued, with the errno %DRM_IOCTL_QACCEL_SUBMIT returns for the
 *   same job (the same code validates both), and -EINVAL for a ring
 *   without %IORING_SETUP_SQE128, an unknown sqe->cmd_op or non-zero
 *   &drm_qaccel_uring_gemm.flags or .pad. A rejected command consumes no
 *   sequence number and leaves nothing queued or referenced. -EAGAIN is
 *   never returned (-EBUSY stands for it), nor -EINTR: submission does
 *   not sleep interruptibly.
 *
 * The statuses of queued jobs are those %DRM_IOCTL_QACCEL_JOB_WAIT reports.
 * On rings created with %IORING_SETUP_CQE32, cqe->big_cqe[0] carries the
 * job's sequence number on its queue (the &drm_qaccel_submit.seqno it
 * would have had; %DRM_IOCTL_QACCEL_JOB_WAIT knows the job by it), 0 for
 * a rejected command; cqe->big_cqe[1] is reserved and 0.
 *
 * Ordering: commands are handled in the order io_uring issues them (SQE
 * order, unless the SQEs ask for asynchronous execution); jobs of one queue
 * run, complete and post their CQEs in the order they were queued, ioctl
 * submissions included. CQEs of different queues may interleave.
 *
 * Dependencies: &drm_qaccel_uring_gemm.in_syncobj, and implicitly the
 * fences of the BOs the job uses (as with %DRM_IOCTL_QACCEL_SUBMIT, whose
 * jobs and inline ones order against each other through their BOs).
 *
 * Batches: commands of one queue issued by one io_uring_enter() may run on
 * the engine as one scheduler job, one after another, when all they depend
 * on is the queue's own work or already signalled. Each command keeps its
 * sequence number, CQE and status, and a fault or hang fails only the
 * command it hit (the later ones run again after the reset); but each
 * command's completion comes when its whole batch's job is over.
 *
 * The ring or the process going away with commands in flight: a queued
 * job always stays on its queue and runs (or is cancelled with its queue)
 * on its own references; its result in C and its status for
 * %DRM_IOCTL_QACCEL_JOB_WAIT are as usual. On kernels whose io_uring can
 * cancel commands (Linux 6.7 and later), the commands in flight complete at
 * once with -ECANCELED (and the sequence number in big_cqe[0]) when their
 * ring is torn down (its last reference closed, as at process exit) or
 * io_uring cancels the submitting task's requests (exec), so the teardown
 * does not wait for the jobs. On older kernels the teardown waits until
 * the jobs have completed: each job is bounded by the job timeout, their
 * number is not. While a command is in flight its ring holds a reference
 * to the device file: closing the fd does not close the file (nor cancel
 * its queues) until the commands' CQEs are posted, and the module cannot
 * be unloaded.
 *
 * The operands of an inline job are found through the submitter's device
 * address space: each range must lie inside one BO of the file (-EINVAL
 * otherwise, as for an operand outside every listed BO), C inside a BO
 * that is not %DRM_QACCEL_BO_DEVICE_READONLY (-EACCES otherwise). A, W and
 * C are used as the read list (A, W) and write list (C) of a
 * %DRM_IOCTL_QACCEL_SUBMIT would be.
 */

/**
 * enum drm_qaccel_uring_op - io_uring command opcodes (sqe->cmd_op)
 * @DRM_QACCEL_URING_CMD_GEMM: run the &drm_qaccel_uring_gemm in sqe->cmd.
 */
enum drm_qaccel_uring_op {
	DRM_QACCEL_URING_CMD_GEMM = 0x51410001,
};

/**
 * struct drm_qaccel_uring_gemm - inline GEMM job of an io_uring command
 * @gemm: the product.
 * @queue_id: queue from %DRM_IOCTL_QACCEL_QUEUE_CREATE, or 0; an unknown
 *	queue fails with -ENOENT.
 * @in_syncobj: syncobj handle to wait for before the job starts, or 0. A
 *	handle the file does not have fails with -ENOENT, a syncobj that holds
 *	no fence yet with -EINVAL.
 * @flags: must be zero.
 * @pad: must be zero.
 *
 * Exactly 80 bytes: the command area of a 128-byte submission queue entry.
 */
struct drm_qaccel_uring_gemm {
	struct drm_qaccel_gemm gemm;
	__u32 queue_id;
	__u32 in_syncobj;
	__u32 flags;
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_QACCEL_ACCEL_H_ */
