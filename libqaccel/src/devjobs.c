// SPDX-License-Identifier: MIT
/*
 * The device backend: buffer objects, job submission through io_uring or
 * the SUBMIT ioctl, and completions.
 *
 * Every job gets a ticket, its index in submission order. The record of a
 * job (user_data, buffers, result) lives in a ring of records indexed by
 * ticket; the kernel's answer marks a record done, and records are retired
 * strictly in ticket order: a retired job drops its buffers' busy counts
 * and either posts its completion (qaccel_submit()) or counts down its
 * qaccel_run() waiter. So completions come out in submission order however
 * the kernel reports them.
 *
 * io_uring mode: one 128-byte SQE per job carries &struct
 * drm_qaccel_uring_gemm, user_data = ticket; a batch is flushed with as few
 * io_uring_enter() calls as the submission queue allows (one for up to
 * QA_SQ_ENTRIES jobs). The CQE arrives when the job has run, res = 0 or
 * -errno.
 *
 * Ioctl mode: a batch becomes one DRM_IOCTL_QACCEL_SUBMIT per MAX_JOBS
 * jobs, with the batch's distinct buffers as read list (A, W) and write
 * list (C). The kernel answers per submission: DRM_IOCTL_QACCEL_JOB_WAIT
 * on its seqno gives one status for all its jobs. The kernel remembers the
 * status of the last JOB_HISTORY submissions only, so no more are ever in
 * flight at once.
 *
 * Locking: dev->lock protects everything here (records, submissions, the
 * completion queue, the ring's submission and completion sides). Waiting
 * for the kernel happens without it: one thread at a time takes the
 * waiter role (dev->waiting), sleeps in io_uring_enter() or JOB_WAIT, then
 * collects what arrived under the lock and wakes the others (dev->cond).
 * Other threads needing progress wait on dev->cond meanwhile. Buffer
 * busy counts are atomics read without the lock by qaccel_buffer_free().
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "qaccel_engine.h"

#ifdef QACCEL_HAVE_DEVICE
#include <liburing.h>
#include <sys/syscall.h>
#include <xf86drm.h>
#include "qaccel_accel.h"

/*
 * Ring sizes: a whole QACCEL_QUEUE_DEPTH batch fits the submission queue,
 * and the completion queue holds every job that can be in flight.
 */
#define QA_SQ_ENTRIES	QACCEL_QUEUE_DEPTH
#define QA_CQ_ENTRIES	(2 * QACCEL_QUEUE_DEPTH)
/* Job records: at most this many jobs in flight per context. */
#define QA_MAX_RECORDS	QA_CQ_ENTRIES
/* Handles per read or write list of one SUBMIT (the kernel's limit). */
#define QA_MAX_HANDLES	256u
/* JOB_WAIT history assumed when the driver does not report it. */
#define QA_DEFAULT_HISTORY 16u
/* Longest single JOB_WAIT sleep. */
#define QA_WAIT_SLICE_NS 1000000000ll
/* user_data of SQEs whose completion is to be ignored. */
#define QA_UD_IGNORE	UINT64_MAX

struct qa_djob {
	uint64_t user_data;
	struct qa_sync *sync;		/* qaccel_run() waiter, or NULL */
	struct qaccel_buffer *bufs[3];
	int32_t result;
	bool done;
};

struct qa_dsub {			/* ioctl mode: one kernel submission */
	uint64_t seqno;
	uint64_t first;			/* ticket of its first job */
	uint32_t count;
};

struct qa_dev {
	pthread_mutex_t submit_lock;	/* one batch at a time; taken before lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* progress made, or the waiter role is free */
	bool waiting;			/* a thread sleeps in the kernel for completions */
	enum qaccel_submit_mode mode;
	int fd;
	int dead;			/* fatal ring error: every later submit fails */

	struct qa_djob *rec;		/* QA_MAX_RECORDS, index ticket % QA_MAX_RECORDS */
	uint64_t head, tail;		/* tickets [head, tail) are not retired */

	struct qaccel_completion *cq;	/* QACCEL_QUEUE_DEPTH posted completions */
	unsigned int cq_head, cq_count;
	unsigned int inflight;		/* qaccel_submit() jobs not reaped */

	/* io_uring mode */
	struct io_uring ring;
	bool have_ring;

	/* ioctl mode */
	struct qa_dsub *subs;		/* QACCEL_QUEUE_DEPTH, index % QACCEL_QUEUE_DEPTH */
	uint32_t history;		/* the kernel's JOB_WAIT history */
	uint64_t sub_head, sub_tail;	/* submissions whose status is not known */
	uint32_t max_jobs;		/* jobs per SUBMIT */
	struct drm_qaccel_job *kjobs;	/* max_jobs, scratch of one SUBMIT */
	uint32_t rh[QA_MAX_HANDLES], wh[QA_MAX_HANDLES];
};

static uint64_t qa_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void qa_ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static int qa_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close gc = { .handle = handle };

	return drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gc) ? -errno : 0;
}

static size_t qa_page_round(size_t size, const struct qaccel_backend_info *info)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (info->page_size > page)
		page = info->page_size;
	return (size + page - 1) & ~(page - 1);
}

/* Create a BO of at least size bytes and map it: 0 or -errno. */
static int qa_bo_create(int fd, const struct qaccel_backend_info *info, size_t size,
			uint32_t flags, uint32_t *handle, uint64_t *va, void **ptr,
			size_t *map_size)
{
	struct drm_qaccel_bo_create bc;
	size_t len = qa_page_round(size, info);
	void *p;
	int err;

	memset(&bc, 0, sizeof(bc));
	bc.size = len;
	bc.flags = flags;
	if (drmIoctl(fd, DRM_IOCTL_QACCEL_BO_CREATE, &bc))
		return -errno;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)bc.mmap_offset);
	if (p == MAP_FAILED) {
		err = -errno;
		qa_gem_close(fd, bc.handle);
		return err;
	}
	*handle = bc.handle;
	*va = bc.va;
	*ptr = p;
	*map_size = len;
	return 0;
}

/* ---- probes ---- */

int qa_dev_probe_ioctls(int fd, char *why, size_t why_size)
{
	static const struct {
		unsigned long nr;
		const char *name;
	} need[] = {
		{ DRM_IOCTL_QACCEL_BO_CREATE, "BO_CREATE" },
		{ DRM_IOCTL_QACCEL_SUBMIT, "SUBMIT" },
		{ DRM_IOCTL_QACCEL_JOB_WAIT, "JOB_WAIT" },
	};
	size_t i;

	/*
	 * The DRM core answers a driver ioctl without a handler with -EINVAL
	 * before it reads the argument, and one with a handler with -EFAULT
	 * when the argument cannot be read: a NULL argument tells the two
	 * apart without running the handler.
	 */
	for (i = 0; i < QA_ARRAY_SIZE(need); i++) {
		if (ioctl(fd, need[i].nr, NULL) == 0 || errno != EFAULT) {
			qa_fmt(why, why_size,
			       "the driver cannot run jobs: it has no DRM_IOCTL_QACCEL_%s",
			       need[i].name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/*
 * Wait for one CQE until deadline_ns (CLOCK_MONOTONIC): 0 and a copy of it,
 * -ETIME, or another -errno of io_uring_enter().
 */
static int qa_ring_wait_one(struct io_uring *ring, uint64_t deadline_ns,
			    struct io_uring_cqe *out, uint64_t *big0)
{
	for (;;) {
		struct io_uring_getevents_arg arg;
		struct __kernel_timespec ts;
		struct io_uring_cqe *cqe = NULL;
		uint64_t now;
		long ret;

		if (!io_uring_peek_cqe(ring, &cqe) && cqe) {
			*out = *cqe;
			*big0 = cqe->big_cqe[0];
			io_uring_cqe_seen(ring, cqe);
			return 0;
		}
		now = qa_mono_ns();
		if (now >= deadline_ns)
			return -ETIME;
		memset(&arg, 0, sizeof(arg));
		ts.tv_sec = (long long)((deadline_ns - now) / 1000000000u);
		ts.tv_nsec = (long long)((deadline_ns - now) % 1000000000u);
		arg.ts = (uint64_t)(uintptr_t)&ts;
		ret = syscall(__NR_io_uring_enter, ring->ring_fd, 0, 1,
			      IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
		if (ret < 0 && errno != ETIME && errno != EINTR)
			return -errno;
	}
}

/* "-EINVAL" for -22: how a kernel answer is quoted in explanations. */
static const char *qa_errname(int err, char *buf, size_t size)
{
	const char *name = strerrorname_np(err < 0 ? -err : err);

	if (name)
		snprintf(buf, size, "%s%s", err < 0 ? "-" : "", name);
	else
		snprintf(buf, size, "%d", err);
	return buf;
}

static void qa_fill_uring_sqe(struct io_uring_sqe *sqe, int fd, uint64_t user_data,
			      const struct drm_qaccel_uring_gemm *ug)
{
	memset(sqe, 0, 128);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = DRM_QACCEL_URING_CMD_GEMM;
	sqe->user_data = user_data;
	memcpy(sqe->cmd, ug, sizeof(*ug));
}

/* One command through the ring, its CQE within 10 s: 0 or -errno. */
static int qa_probe_cmd(struct io_uring *ring, int fd, const struct drm_qaccel_uring_gemm *ug,
			int *res, uint64_t *big0, char *why, size_t why_size)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe cqe;
	int ret;

	if (!sqe) {
		qa_fmt(why, why_size, "io_uring probe: no submission queue entry");
		return -EIO;
	}
	qa_fill_uring_sqe(sqe, fd, 1, ug);
	ret = io_uring_submit(ring);
	if (ret != 1) {
		char e[32];

		qa_fmt(why, why_size, "io_uring_enter() failed: %s",
		       qa_errname(ret < 0 ? ret : -EIO, e, sizeof(e)));
		return ret < 0 ? ret : -EIO;
	}
	ret = qa_ring_wait_one(ring, qa_mono_ns() + 10000000000ull, &cqe, big0);
	if (ret) {
		char e[32];

		qa_fmt(why, why_size, "io_uring probe: no completion: %s",
		       qa_errname(ret, e, sizeof(e)));
		return ret;
	}
	*res = cqe.res;
	return 0;
}

int qa_dev_probe_uring(int fd, const struct qaccel_backend_info *info, char *why,
		       size_t why_size)
{
	struct io_uring_params p;
	struct drm_qaccel_uring_gemm ug;
	struct io_uring ring;
	uint32_t handle = 0;
	uint64_t va = 0, seqno = 0;
	size_t map_size = 0;
	uint8_t *mem = NULL;
	int32_t c = 0;
	int ret, res = 0;
	char e[32];

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	ret = io_uring_queue_init_params(4, &ring, &p);
	if (ret < 0) {
		qa_fmt(why, why_size, "cannot create an io_uring with 128-byte entries: %s",
		       qa_errname(ret, e, sizeof(e)));
		return ret;
	}
#ifdef QACCEL_TEST_HOOKS
	{
		/*
		 * Test builds only: accept whatever io_uring command the file
		 * takes. The fake device of the unit tests is /dev/null, which
		 * completes every command at once with 0: enough to drive the
		 * ring's plumbing (batches, ordering, threads) on a host.
		 */
		const char *s = getenv("QACCEL_TEST_URING_ANY");

		if (s && !strcmp(s, "1")) {
			io_uring_queue_exit(&ring);
			return 0;
		}
	}
#endif

	/*
	 * 1. A command with a non-zero reserved field: the driver must parse
	 * it and answer -EINVAL; a file without io_uring commands gets
	 * -EOPNOTSUPP from io_uring itself.
	 */
	memset(&ug, 0, sizeof(ug));
	ug.flags = ~0u;
	ret = qa_probe_cmd(&ring, fd, &ug, &res, &seqno, why, why_size);
	if (ret)
		goto out;
	if (res != -EINVAL) {
		if (res == -EOPNOTSUPP)
			qa_fmt(why, why_size,
			       "the driver has no io_uring command (IORING_OP_URING_CMD answered -EOPNOTSUPP)");
		else
			qa_fmt(why, why_size,
			       "io_uring command with invalid flags answered %s, not -EINVAL",
			       qa_errname(res, e, sizeof(e)));
		ret = -EOPNOTSUPP;
		goto out;
	}

	/*
	 * 2. A real 1 x 1 x 1 job, u8 3 times s8 5, s32 out: its CQE must say
	 * 0 with a sequence number, and C must hold 15.
	 */
	ret = qa_bo_create(fd, info, 4096, 0, &handle, &va, (void **)&mem, &map_size);
	if (ret) {
		qa_fmt(why, why_size, "io_uring probe: BO_CREATE: %s", qa_errname(ret, e, sizeof(e)));
		goto out;
	}
	mem[0] = 3;			/* A at 0 */
	mem[64] = 5;			/* packed W at 64: W[0][0] is its first byte */
	c = 0x5a5a5a5a;
	memcpy(mem + 1024, &c, 4);	/* C at 1024 */
	memset(&ug, 0, sizeof(ug));
	ug.gemm.a_va = va;
	ug.gemm.w_va = va + 64;
	ug.gemm.c_va = va + 1024;
	ug.gemm.m = ug.gemm.n = ug.gemm.k = 1;
	ug.gemm.lda = 1;
	ug.gemm.ldc = 4;
	ug.gemm.flags = DRM_QACCEL_GEMM_OUT_S32;
	ret = qa_probe_cmd(&ring, fd, &ug, &res, &seqno, why, why_size);
	if (ret)
		goto out;
	memcpy(&c, mem + 1024, 4);
	if (res || !seqno || c != 15) {
		qa_fmt(why, why_size,
		       "io_uring probe job: result %s, sequence number %llu, C = %d (expected 0, > 0, 15)",
		       qa_errname(res, e, sizeof(e)), (unsigned long long)seqno, c);
		ret = -EOPNOTSUPP;
		goto out;
	}
	ret = 0;
out:
	if (mem)
		munmap(mem, map_size);
	if (handle)
		qa_gem_close(fd, handle);
	io_uring_queue_exit(&ring);
	return ret;
}

/* ---- retirement (all under dev->lock) ---- */

static struct qa_djob *qa_rec(struct qa_dev *d, uint64_t ticket)
{
	return &d->rec[ticket % QA_MAX_RECORDS];
}

/* Retire done jobs from the head, in ticket order. */
static void qa_retire(struct qa_dev *d)
{
	bool any = false;

	while (d->head != d->tail && qa_rec(d, d->head)->done) {
		struct qa_djob *j = qa_rec(d, d->head);
		int i;

		for (i = 0; i < 3; i++)
			atomic_fetch_sub(&j->bufs[i]->busy, 1);
		if (j->sync) {
			if (j->result && !j->sync->err)
				j->sync->err = j->result;
			j->sync->remaining--;
		} else {
			unsigned int slot = (d->cq_head + d->cq_count) % QACCEL_QUEUE_DEPTH;

			d->cq[slot].user_data = j->user_data;
			d->cq[slot].result = j->result;
			d->cq[slot].reserved = 0;
			d->cq_count++;
		}
		memset(j, 0, sizeof(*j));
		d->head++;
		any = true;
	}
	if (any)
		pthread_cond_broadcast(&d->cond);
}

/* Mark tickets [first, first + count) done with result. */
static void qa_mark(struct qa_dev *d, uint64_t first, uint32_t count, int result)
{
	uint32_t i;

	for (i = 0; i < count; i++) {
		struct qa_djob *j = qa_rec(d, first + i);

		j->result = result;
		j->done = true;
	}
}

/* io_uring mode: take every CQE the ring holds. */
static void qa_harvest_ring(struct qa_dev *d)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(&d->ring, head, cqe) {
		uint64_t t = cqe->user_data;

		n++;
		if (t == QA_UD_IGNORE || t < d->head || t >= d->tail || qa_rec(d, t)->done)
			continue;
		qa_mark(d, t, 1, cqe->res);
	}
	io_uring_cq_advance(&d->ring, n);
}

/* Everything in flight failed with err (the ring or the file broke). */
static void qa_fail_all(struct qa_dev *d, int err)
{
	uint64_t t;

	if (!d->dead)
		d->dead = err;
	for (t = d->head; t != d->tail; t++)
		if (!qa_rec(d, t)->done)
			qa_mark(d, t, 1, err);
	d->sub_head = d->sub_tail;
}

/*
 * Make progress: with dev->lock held, wait until the kernel has completed
 * more jobs, at most until deadline_ns (UINT64_MAX: no limit; now or
 * earlier: only collect what is there). Returns 0 when the caller should
 * re-check its condition, -ETIME when the deadline passed.
 */
static int qa_progress(struct qa_dev *d, uint64_t deadline_ns)
{
	uint64_t now = qa_mono_ns(), seqno = 0, sub_first = 0;
	uint32_t sub_count = 0;
	int ret = 0, status = 0;

	if (d->waiting || d->head == d->tail) {
		/*
		 * Someone else waits for the kernel, or nothing is in flight:
		 * wait for them, or for a submission.
		 */
		struct timespec ts;

		if (deadline_ns == UINT64_MAX) {
			pthread_cond_wait(&d->cond, &d->lock);
			return 0;
		}
		if (now >= deadline_ns)
			return -ETIME;
		qa_ns_to_ts(deadline_ns, &ts);
		return pthread_cond_timedwait(&d->cond, &d->lock, &ts) ? -ETIME : 0;
	}

	if (d->mode == QACCEL_SUBMIT_IOCTL) {
		struct qa_dsub *s;

		if (d->sub_head == d->sub_tail) {
			/*
			 * Every job in flight belongs to a submission or is
			 * marked: this cannot happen; never spin on it.
			 */
			qa_retire(d);
			if (d->head != d->tail)
				qa_fail_all(d, -EIO);
			qa_retire(d);
			return 0;
		}
		s = &d->subs[d->sub_head % QACCEL_QUEUE_DEPTH];
		seqno = s->seqno;
		sub_first = s->first;
		sub_count = s->count;
	}
	d->waiting = true;
	pthread_mutex_unlock(&d->lock);

	if (d->mode == QACCEL_SUBMIT_URING) {
		struct io_uring_getevents_arg arg;
		struct __kernel_timespec ts;
		long r;

		memset(&arg, 0, sizeof(arg));
		if (deadline_ns != UINT64_MAX) {
			uint64_t left = deadline_ns > now ? deadline_ns - now : 0;

			ts.tv_sec = (long long)(left / 1000000000u);
			ts.tv_nsec = (long long)(left % 1000000000u);
			arg.ts = (uint64_t)(uintptr_t)&ts;
		}
		r = syscall(__NR_io_uring_enter, d->ring.ring_fd, 0, 1,
			    IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
		if (r < 0)
			ret = errno == ETIME ? -ETIME : errno == EINTR ? 0 : -errno;
	} else {
		struct drm_qaccel_job_wait jw;

		memset(&jw, 0, sizeof(jw));
		jw.queue_id = 0;
		jw.seqno = seqno;
		/*
		 * Sleep in slices: no timeout arithmetic near INT64_MAX in
		 * the kernel; an unlimited wait just comes round again.
		 */
		jw.timeout_ns = QA_WAIT_SLICE_NS;
		if (deadline_ns != UINT64_MAX) {
			uint64_t left = deadline_ns > now ? deadline_ns - now : 0;

			if (left < QA_WAIT_SLICE_NS)
				jw.timeout_ns = (int64_t)left;
		}
		if (drmIoctl(d->fd, DRM_IOCTL_QACCEL_JOB_WAIT, &jw))
			ret = -errno;
		else
			status = jw.status;
	}

	pthread_mutex_lock(&d->lock);
	d->waiting = false;
	if (d->mode == QACCEL_SUBMIT_URING) {
		qa_harvest_ring(d);
		if (ret && ret != -ETIME)
			qa_fail_all(d, ret);
	} else if (!ret) {
		qa_mark(d, sub_first, sub_count, status);
		d->sub_head++;
	} else if (ret != -ETIME) {
		/* The kernel cannot tell: fail this submission, not the others. */
		qa_mark(d, sub_first, sub_count, ret);
		d->sub_head++;
	}
	qa_retire(d);
	pthread_cond_broadcast(&d->cond);
	return ret == -ETIME && deadline_ns != UINT64_MAX ? -ETIME : 0;
}

/*
 * With dev->lock held: collect the completions the kernel already has,
 * without sleeping. Nothing when another thread waits for the kernel (it
 * will collect them).
 */
static void qa_collect(struct qa_dev *d)
{
	if (d->waiting || d->head == d->tail)
		return;
	if (d->mode == QACCEL_SUBMIT_URING) {
		uint64_t before = d->head;

		qa_harvest_ring(d);
		qa_retire(d);
		if (d->head != before || d->head == d->tail)
			return;
		/*
		 * Completions may still wait as task work of the submitting
		 * thread: one io_uring_enter() runs it.
		 */
		syscall(__NR_io_uring_enter, d->ring.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
		qa_harvest_ring(d);
		qa_retire(d);
		return;
	}
	while (d->sub_head != d->sub_tail && !d->waiting) {
		uint64_t before = d->sub_head;

		if (qa_progress(d, 0) || d->sub_head == before)
			break;
	}
}

/* ---- buffers ---- */

int qa_dev_buffer_alloc(struct qaccel_ctx *ctx, size_t size, unsigned int flags,
			struct qaccel_buffer **out)
{
	struct qaccel_buffer *b;
	int err;

	if (ctx->info.max_bo_size && size > ctx->info.max_bo_size)
		return -E2BIG;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	err = qa_bo_create(ctx->fd, &ctx->info, size,
			   flags & QACCEL_BUFFER_DEVICE_READONLY ? DRM_QACCEL_BO_DEVICE_READONLY : 0,
			   &b->handle, &b->va, &b->ptr, &b->map_size);
	if (err) {
		free(b);
		return err;
	}
	b->ctx = ctx;
	b->size = size;
	b->flags = flags;
	b->owned = true;
	atomic_init(&b->busy, 0);
	qa_buffer_link(ctx, b);
	*out = b;
	return 0;
}

void qa_dev_buffer_release(struct qaccel_buffer *b)
{
	munmap(b->ptr, b->map_size);
	qa_gem_close(b->ctx->fd, b->handle);
	b->handle = 0;
	b->ptr = NULL;
}

/* ---- context ---- */

int qa_dev_create(struct qaccel_ctx *ctx, enum qaccel_submit_mode mode, char *why,
		  size_t why_size)
{
	struct qa_dev *d = calloc(1, sizeof(*d));
	pthread_condattr_t ca;
	uint64_t hist = 0;
	int ret;

	if (!d)
		goto nomem;
	d->fd = ctx->fd;
	d->mode = mode;
	d->rec = calloc(QA_MAX_RECORDS, sizeof(*d->rec));
	d->cq = calloc(QACCEL_QUEUE_DEPTH, sizeof(*d->cq));
	if (!d->rec || !d->cq)
		goto nomem;
	if (mode == QACCEL_SUBMIT_URING) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32 | IORING_SETUP_CQSIZE |
			  IORING_SETUP_SUBMIT_ALL;
		p.cq_entries = QA_CQ_ENTRIES;
		ret = io_uring_queue_init_params(QA_SQ_ENTRIES, &d->ring, &p);
		if (ret < 0) {
			char e[32];

			qa_fmt(why, why_size, "cannot create the context's io_uring: %s",
			       qa_errname(ret, e, sizeof(e)));
			free(d->rec);
			free(d->cq);
			free(d);
			return ret;
		}
		d->have_ring = true;
	} else {
		struct drm_qaccel_get_param gp = { .param = DRM_QACCEL_PARAM_JOB_HISTORY };

		if (!drmIoctl(ctx->fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp))
			hist = gp.value;
		d->history = hist ? (hist > QACCEL_QUEUE_DEPTH ? QACCEL_QUEUE_DEPTH : (uint32_t)hist) :
			     QA_DEFAULT_HISTORY;
		d->max_jobs = ctx->info.max_jobs ? ctx->info.max_jobs : 1;
		if (d->max_jobs > QA_MAX_HANDLES / 3)
			d->max_jobs = QA_MAX_HANDLES / 3;	/* 3 buffers per job */
		d->subs = calloc(QACCEL_QUEUE_DEPTH, sizeof(*d->subs));
		d->kjobs = calloc(d->max_jobs, sizeof(*d->kjobs));
		if (!d->subs || !d->kjobs)
			goto nomem;
	}
	pthread_mutex_init(&d->submit_lock, NULL);
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cond, &ca);
	pthread_condattr_destroy(&ca);
	ctx->dev = d;
	return 0;

nomem:
	if (d) {
		free(d->rec);
		free(d->cq);
		free(d->subs);
		free(d->kjobs);
		free(d);
	}
	qa_fmt(why, why_size, "out of memory");
	return -ENOMEM;
}

void qa_dev_destroy(struct qaccel_ctx *ctx)
{
	struct qa_dev *d = ctx->dev;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	while (d->head != d->tail)
		qa_progress(d, UINT64_MAX);
	pthread_mutex_unlock(&d->lock);
	qa_buffers_release(ctx);
	if (d->have_ring)
		io_uring_queue_exit(&d->ring);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->submit_lock);
	free(d->rec);
	free(d->cq);
	free(d->subs);
	free(d->kjobs);
	free(d);
	ctx->dev = NULL;
}

void qa_dev_poll(struct qaccel_ctx *ctx)
{
	struct qa_dev *d = ctx->dev;

	pthread_mutex_lock(&d->lock);
	qa_collect(d);
	pthread_mutex_unlock(&d->lock);
}

/* ---- submission ---- */

static uint32_t qa_gemm_flags(const struct qa1e_gemm *g)
{
	uint32_t f = g->a_signed ? DRM_QACCEL_GEMM_A_S8 : 0;

	switch (g->out_type) {
	case QA1E_OUT_S8:
		return f | DRM_QACCEL_GEMM_OUT_S8;
	case QA1E_OUT_U8:
		return f | DRM_QACCEL_GEMM_OUT_U8;
	default:
		return f | DRM_QACCEL_GEMM_OUT_S32;
	}
}

static void qa_to_kernel(const struct qaccel_gemm_job *jd, const struct qa1e_gemm *g,
			 struct drm_qaccel_gemm *kg)
{
	memset(kg, 0, sizeof(*kg));
	kg->a_va = jd->a->va + jd->a_offset;
	kg->w_va = jd->w->va + jd->w_offset;
	kg->c_va = jd->c->va + jd->c_offset;
	kg->m = g->m;
	kg->n = g->n;
	kg->k = g->k;
	kg->lda = g->lda;
	kg->ldc = g->ldc;
	kg->flags = qa_gemm_flags(g);
	kg->a_zp = g->a_zp;
	kg->out_zp = g->out_zp;
	kg->act_min = g->act_min;
	kg->act_max = g->act_max;
}

/*
 * Replace the SQEs the kernel has not consumed by no-ops whose completion
 * is ignored, and return the smallest ticket among them (UINT64_MAX for
 * none): those jobs never reach the driver.
 */
static uint64_t qa_ring_neutralise(struct qa_dev *d)
{
	struct io_uring_sq *sq = &d->ring.sq;
	unsigned int head = io_uring_smp_load_acquire(sq->khead), i;
	uint64_t first = UINT64_MAX;

	for (i = head; i != sq->sqe_tail; i++) {
		struct io_uring_sqe *sqe = &sq->sqes[(i & sq->ring_mask) << 1];

		if (sqe->user_data != QA_UD_IGNORE && sqe->user_data < first)
			first = sqe->user_data;
		io_uring_prep_nop(sqe);
		sqe->user_data = QA_UD_IGNORE;
	}
	return first;
}

/*
 * Hand the SQEs prepared so far to the kernel. 0 when it took them all,
 * otherwise the errno that stopped it (the untaken ones are neutralised
 * and their tickets failed).
 */
static int qa_ring_flush(struct qa_dev *d)
{
	int tries = 0;

	while (io_uring_sq_ready(&d->ring)) {
		int ret = io_uring_submit(&d->ring);

		if (ret > 0)
			continue;
		if ((ret == -EINTR || ret == -EAGAIN || ret == -EBUSY || ret == 0) &&
		    ++tries < 1000) {
			/* Completion queue backlog or a signal: collect and retry. */
			qa_harvest_ring(d);
			if (ret != -EINTR)
				sched_yield();
			continue;
		}
		{
			uint64_t first = qa_ring_neutralise(d);

			if (first < d->tail)
				qa_mark(d, first, (uint32_t)(d->tail - first), ret ? ret : -EIO);
		}
		return ret ? ret : -EIO;
	}
	return 0;
}

static int qa_issue_uring(struct qa_dev *d, const struct drm_qaccel_gemm *kg, uint64_t t0,
			  unsigned int count)
{
	struct drm_qaccel_uring_gemm ug;
	unsigned int i;
	int ret;

	memset(&ug, 0, sizeof(ug));
	for (i = 0; i < count; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&d->ring);

		if (!sqe) {
			ret = qa_ring_flush(d);
			if (ret) {
				qa_mark(d, t0 + i, count - i, ret);
				return ret;
			}
			sqe = io_uring_get_sqe(&d->ring);
			if (!sqe) {
				qa_mark(d, t0 + i, count - i, -EIO);
				return -EIO;
			}
		}
		ug.gemm = kg[i];
		qa_fill_uring_sqe(sqe, d->fd, t0 + i, &ug);
	}
	return qa_ring_flush(d);
}

static uint32_t qa_add_handle(uint32_t *list, uint32_t n, uint32_t h)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (list[i] == h)
			return n;
	list[n] = h;
	return n + 1;
}

/* One SUBMIT for jobs [i0, i0 + n) of the batch. 0 or -errno. */
static int qa_issue_ioctl_one(struct qa_dev *d, const struct qaccel_gemm_job *jobs,
			      const struct drm_qaccel_gemm *kg, unsigned int i0, unsigned int n,
			      uint64_t first)
{
	struct drm_qaccel_submit sb;
	uint32_t nr = 0, nw = 0, i, k;

	for (i = 0; i < n; i++) {
		d->kjobs[i].type = DRM_QACCEL_JOB_GEMM;
		d->kjobs[i].flags = 0;
		d->kjobs[i].gemm = kg[i0 + i];
		nw = qa_add_handle(d->wh, nw, jobs[i0 + i].c->handle);
	}
	for (i = 0; i < n; i++) {
		uint32_t h[2] = { jobs[i0 + i].a->handle, jobs[i0 + i].w->handle };

		for (k = 0; k < 2; k++) {
			uint32_t j;
			bool in_w = false;

			for (j = 0; j < nw; j++)
				in_w |= d->wh[j] == h[k];
			if (!in_w)
				nr = qa_add_handle(d->rh, nr, h[k]);
		}
	}
	memset(&sb, 0, sizeof(sb));
	sb.jobs = (uint64_t)(uintptr_t)d->kjobs;
	sb.job_count = n;
	sb.job_size = sizeof(struct drm_qaccel_job);
	sb.read_handles = (uint64_t)(uintptr_t)d->rh;
	sb.write_handles = (uint64_t)(uintptr_t)d->wh;
	sb.read_count = nr;
	sb.write_count = nw;
	if (drmIoctl(d->fd, DRM_IOCTL_QACCEL_SUBMIT, &sb))
		return -errno;
	d->subs[d->sub_tail % QACCEL_QUEUE_DEPTH] = (struct qa_dsub){
		.seqno = sb.seqno, .first = first, .count = n,
	};
	d->sub_tail++;
	return 0;
}

/* Jobs [i0, i0 + n) of a batch may take tickets now: room for them. */
static bool qa_room(const struct qa_dev *d, unsigned int n)
{
	if (d->tail - d->head + n > QA_MAX_RECORDS)
		return false;
	return d->mode != QACCEL_SUBMIT_IOCTL || d->sub_tail - d->sub_head < d->history;
}

/* Give jobs [i0, i0 + n) of the batch the next tickets. */
static uint64_t qa_take_tickets(struct qa_dev *d, const struct qaccel_gemm_job *jobs,
				unsigned int i0, unsigned int n, struct qa_sync *sync)
{
	uint64_t t0 = d->tail;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct qaccel_gemm_job *jd = &jobs[i0 + i];
		struct qa_djob *j = qa_rec(d, t0 + i);

		memset(j, 0, sizeof(*j));
		j->user_data = jd->user_data;
		j->sync = sync;
		j->bufs[0] = jd->a;
		j->bufs[1] = jd->w;
		j->bufs[2] = jd->c;
		atomic_fetch_add(&jd->a->busy, 1);
		atomic_fetch_add(&jd->w->busy, 1);
		atomic_fetch_add(&jd->c->busy, 1);
	}
	d->tail = t0 + n;
	return t0;
}

/* Undo qa_take_tickets() of the last n tickets: nothing reached the kernel. */
static void qa_give_back(struct qa_dev *d, unsigned int n)
{
	while (n--) {
		struct qa_djob *j = qa_rec(d, --d->tail);
		int i;

		for (i = 0; i < 3; i++)
			atomic_fetch_sub(&j->bufs[i]->busy, 1);
		memset(j, 0, sizeof(*j));
	}
}

/*
 * Submission runs under submit_lock (one batch at a time, so a batch stays
 * contiguous in the kernel's queue even when it has to wait for room part
 * way) and dev->lock, which qa_progress() drops while it sleeps so that
 * completions keep being collected.
 */
int qa_dev_submit(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
		  unsigned int count, struct qa_sync *sync)
{
	struct qa_dev *d = ctx->dev;
	struct drm_qaccel_gemm *kg;
	unsigned int i, done = 0;
	int ret, fail = 0;

	kg = malloc(count * sizeof(*kg));
	if (!kg)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		struct qa1e_gemm g;

		ret = qa_job_check(ctx, &jobs[i], &g);
		if (ret) {
			free(kg);
			return ret;
		}
		qa_to_kernel(&jobs[i], &g, &kg[i]);
	}

	pthread_mutex_lock(&d->submit_lock);
	pthread_mutex_lock(&d->lock);
	ret = d->dead;
	if (!ret && !sync && d->inflight + count > QACCEL_QUEUE_DEPTH)
		ret = -EAGAIN;
	if (ret)
		goto out;
	if (!sync)
		d->inflight += count;
	while (done < count) {
		unsigned int n = count - done;
		uint64_t t0;

		if (d->mode == QACCEL_SUBMIT_IOCTL && n > d->max_jobs)
			n = d->max_jobs;
		if (n > QA_MAX_RECORDS / 2)
			n = QA_MAX_RECORDS / 2;
		while (!qa_room(d, n))
			qa_progress(d, UINT64_MAX);
		t0 = qa_take_tickets(d, jobs, done, n, sync);
		if (fail) {
			/* The kernel refused an earlier part: these never go. */
			qa_mark(d, t0, n, fail);
		} else if (d->mode == QACCEL_SUBMIT_URING) {
			fail = qa_issue_uring(d, kg + done, t0, n);
			if (fail && !done) {
				/* Did any of this first part reach the driver? */
				for (i = 0; i < n && qa_rec(d, t0 + i)->done; i++)
					;
				if (i == n) {
					qa_give_back(d, n);
					ret = fail;
					break;
				}
			}
		} else {
			fail = qa_issue_ioctl_one(d, jobs, kg, done, n, t0);
			if (fail && !done) {
				qa_give_back(d, n);
				ret = fail;
				break;
			}
			if (fail)
				qa_mark(d, t0, n, fail);
		}
		done += n;
		qa_retire(d);
		pthread_cond_broadcast(&d->cond);
	}
	if (ret && !sync)
		d->inflight -= count;
out:
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&d->submit_lock);
	free(kg);
	return ret;
}

int qa_dev_run_wait(struct qaccel_ctx *ctx, struct qa_sync *sync)
{
	struct qa_dev *d = ctx->dev;

	pthread_mutex_lock(&d->lock);
	while (sync->remaining)
		qa_progress(d, UINT64_MAX);
	pthread_mutex_unlock(&d->lock);
	return sync->err;
}

int qa_dev_reap(struct qaccel_ctx *ctx, struct qaccel_completion *out, unsigned int max,
		unsigned int min_complete, int64_t timeout_ns)
{
	struct qa_dev *d = ctx->dev;
	uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : qa_mono_ns() + (uint64_t)timeout_ns;
	unsigned int n, i;

	pthread_mutex_lock(&d->lock);
	if (min_complete > d->inflight) {
		pthread_mutex_unlock(&d->lock);
		return -EINVAL;
	}
	/* Collect what the kernel already has, then wait as needed. */
	if (d->cq_count < max)
		qa_collect(d);
	while (d->cq_count < min_complete) {
		if (qa_progress(d, deadline) == -ETIME && d->cq_count < min_complete) {
			pthread_mutex_unlock(&d->lock);
			return -ETIME;
		}
	}
	n = d->cq_count < max ? d->cq_count : max;
	for (i = 0; i < n; i++) {
		out[i] = d->cq[d->cq_head];
		d->cq_head = (d->cq_head + 1) % QACCEL_QUEUE_DEPTH;
	}
	d->cq_count -= n;
	d->inflight -= n;
	pthread_mutex_unlock(&d->lock);
	return (int)n;
}

int qa_dev_inflight(struct qaccel_ctx *ctx)
{
	struct qa_dev *d = ctx->dev;
	int n;

	pthread_mutex_lock(&d->lock);
	n = (int)d->inflight;
	pthread_mutex_unlock(&d->lock);
	return n;
}

#else /* !QACCEL_HAVE_DEVICE: no device context is ever created */

int qa_dev_probe_ioctls(int fd, char *why, size_t why_size)
{
	(void)fd;
	qa_fmt(why, why_size, "no device backend in this build");
	return -EOPNOTSUPP;
}

int qa_dev_probe_uring(int fd, const struct qaccel_backend_info *info, char *why,
		       size_t why_size)
{
	(void)fd;
	(void)info;
	qa_fmt(why, why_size, "no device backend in this build");
	return -EOPNOTSUPP;
}

int qa_dev_create(struct qaccel_ctx *ctx, enum qaccel_submit_mode mode, char *why,
		  size_t why_size)
{
	(void)ctx;
	(void)mode;
	qa_fmt(why, why_size, "no device backend in this build");
	return -ENODEV;
}

void qa_dev_destroy(struct qaccel_ctx *ctx)
{
	(void)ctx;
}

int qa_dev_buffer_alloc(struct qaccel_ctx *ctx, size_t size, unsigned int flags,
			struct qaccel_buffer **buf)
{
	(void)ctx;
	(void)size;
	(void)flags;
	(void)buf;
	return -EOPNOTSUPP;
}

void qa_dev_buffer_release(struct qaccel_buffer *b)
{
	(void)b;
}

void qa_dev_poll(struct qaccel_ctx *ctx)
{
	(void)ctx;
}

int qa_dev_submit(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
		  unsigned int count, struct qa_sync *sync)
{
	(void)ctx;
	(void)jobs;
	(void)count;
	(void)sync;
	return -EOPNOTSUPP;
}

int qa_dev_run_wait(struct qaccel_ctx *ctx, struct qa_sync *sync)
{
	(void)ctx;
	(void)sync;
	return -EOPNOTSUPP;
}

int qa_dev_reap(struct qaccel_ctx *ctx, struct qaccel_completion *out, unsigned int max,
		unsigned int min_complete, int64_t timeout_ns)
{
	(void)ctx;
	(void)out;
	(void)max;
	(void)min_complete;
	(void)timeout_ns;
	return -EOPNOTSUPP;
}

int qa_dev_inflight(struct qaccel_ctx *ctx)
{
	(void)ctx;
	return 0;
}

#endif /* QACCEL_HAVE_DEVICE */
