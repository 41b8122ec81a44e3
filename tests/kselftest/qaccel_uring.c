// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: job submission through io_uring commands
 * (IORING_OP_URING_CMD with DRM_QACCEL_URING_CMD_GEMM, see "DOC: io_uring
 * commands" in uapi/drm/qaccel_accel.h).
 *
 * The rings are driven with the raw io_uring system calls (the guest has
 * no liburing). Checked: a CQE is posted when its job has completed, not
 * when it was queued, with the job's status and, on CQE32 rings, its
 * seqno; thousands of jobs through a small ring, in order per queue;
 * in-syncobj dependencies; queue selection; every rejection (the ring,
 * the command, every GEMM field with the same errno as SUBMIT, operands
 * outside the file's mappings) leaves nothing behind; faults and hangs;
 * a batch of commands issued in one io_uring_enter() run as one scheduler
 * job, each still with its own status, and split where a command waits
 * for a fence from elsewhere;
 * and what happens when the ring, the process or the device fd goes away
 * with commands in flight.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/io_uring.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8
#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define A_S8	DRM_QACCEL_GEMM_A_S8

/* Extra engine time per work unit (M x ceil(N / 16) units per GEMM). */
#define SLOW_US		40000
/* Rows of the gate job: GATE_ROWS * SLOW_US of engine time. */
#define GATE_ROWS	30

/* ---- a raw io_uring ---------------------------------------------------- */

struct ur {
	int fd;
	unsigned int flags;
	unsigned int sq_entries, cq_entries;
	size_t sqe_size, cqe_size;
	void *sq_ring, *cq_ring;
	size_t sq_ring_len, cq_ring_len;
	uint8_t *sqes;
	size_t sqes_len;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	uint8_t *cqes;
	unsigned int sq_local;		/* SQEs prepared */
	unsigned int sq_submitted;	/* SQEs the kernel took */
};

/* A completion, as read from the CQ ring. */
struct ucqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
	uint64_t big[2];	/* CQE32 rings only, else 0 */
};

static void ur_init(struct ur *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

static void ur_close(struct ur *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_ring && r->cq_ring != MAP_FAILED)
		munmap(r->cq_ring, r->cq_ring_len);
	if (r->sq_ring && r->sq_ring != MAP_FAILED)
		munmap(r->sq_ring, r->sq_ring_len);
	if (r->fd >= 0)
		close(r->fd);
	ur_init(r);
}

/* io_uring_setup() and the three mappings: 0 or -errno. */
static int ur_setup(struct ur *r, unsigned int entries, unsigned int flags)
{
	struct io_uring_params p;
	uint8_t *sq, *cq;

	ur_init(r);
	memset(&p, 0, sizeof(p));
	p.flags = flags;
	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0) {
		r->fd = -1;
		return -errno;
	}
	r->flags = flags;
	r->sq_entries = p.sq_entries;
	r->cq_entries = p.cq_entries;
	r->sqe_size = flags & IORING_SETUP_SQE128 ? 128 : 64;
	r->cqe_size = flags & IORING_SETUP_CQE32 ? 32 : 16;
	r->sq_ring_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_ring_len = p.cq_off.cqes + p.cq_entries * r->cqe_size;
	r->sqes_len = p.sq_entries * r->sqe_size;
	r->sq_ring = mmap(NULL, r->sq_ring_len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq_ring = mmap(NULL, r->cq_ring_len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq_ring == MAP_FAILED || r->cq_ring == MAP_FAILED || r->sqes == MAP_FAILED) {
		int err = -errno;

		ur_close(r);
		return err;
	}
	sq = r->sq_ring;
	cq = r->cq_ring;
	r->sq_head = (unsigned int *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = cq + p.cq_off.cqes;
	return 0;
}

/* The next free SQE, zeroed, or NULL when the SQ ring is full. */
static struct io_uring_sqe *ur_sqe(struct ur *r)
{
	unsigned int head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	struct io_uring_sqe *sqe;
	unsigned int idx;

	if (r->sq_local - head >= r->sq_entries)
		return NULL;
	idx = r->sq_local & *r->sq_mask;
	sqe = (struct io_uring_sqe *)(r->sqes + idx * r->sqe_size);
	memset(sqe, 0, r->sqe_size);
	r->sq_array[idx] = idx;
	r->sq_local++;
	return sqe;
}

/* Hand the prepared SQEs to the kernel in one io_uring_enter(): count or -errno. */
static int ur_submit(struct ur *r)
{
	unsigned int n = r->sq_local - r->sq_submitted;
	int ret;

	__atomic_store_n(r->sq_tail, r->sq_local, __ATOMIC_RELEASE);
	/* An SQPOLL ring's thread may sleep: wake it (it then takes all n). */
	ret = syscall(__NR_io_uring_enter, r->fd, n, 0,
		      r->flags & IORING_SETUP_SQPOLL ? IORING_ENTER_SQ_WAKEUP : 0, NULL, 0);
	if (ret < 0)
		return -errno;
	r->sq_submitted += ret;
	return ret;
}

/* CQEs ready in the CQ ring. */
static unsigned int ur_ready(struct ur *r)
{
	return __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - *r->cq_head;
}

/*
 * Enter the kernel once without waiting (runs pending task work, which is
 * where completions are posted), then report the CQEs ready.
 */
static unsigned int ur_poll(struct ur *r)
{
	syscall(__NR_io_uring_enter, r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
	return ur_ready(r);
}

/* Wait until nr CQEs are ready: 0, -ETIME, or -errno. */
static int ur_wait(struct ur *r, unsigned int nr, int64_t timeout_ns)
{
	int64_t end = qt_now_ns() + timeout_ns;

	while (ur_ready(r) < nr) {
		struct io_uring_getevents_arg arg;
		struct __kernel_timespec ts;
		int64_t left = end - qt_now_ns();
		int ret;

		if (left <= 0)
			return -ETIME;
		ts.tv_sec = left / QT_SEC;
		ts.tv_nsec = left % QT_SEC;
		memset(&arg, 0, sizeof(arg));
		arg.ts = (uintptr_t)&ts;
		ret = syscall(__NR_io_uring_enter, r->fd, 0, nr - ur_ready(r),
			      IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
		if (ret < 0 && errno != ETIME && errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

/* Take the oldest CQE: 0, or -EAGAIN when there is none. */
static int ur_pop(struct ur *r, struct ucqe *out)
{
	unsigned int head = *r->cq_head;
	const struct io_uring_cqe *cqe;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	cqe = (const struct io_uring_cqe *)(r->cqes + (head & *r->cq_mask) * r->cqe_size);
	memset(out, 0, sizeof(*out));
	out->user_data = cqe->user_data;
	out->res = cqe->res;
	out->flags = cqe->flags;
	if (r->flags & IORING_SETUP_CQE32) {
		out->big[0] = cqe->big_cqe[0];
		out->big[1] = cqe->big_cqe[1];
	}
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

/* The inline command of a job on queue, waiting for in (or 0). */
static void ug_fill(struct drm_qaccel_uring_gemm *u, const struct drm_qaccel_gemm *g,
		    uint32_t queue, uint32_t in)
{
	memset(u, 0, sizeof(*u));
	u->gemm = *g;
	u->queue_id = queue;
	u->in_syncobj = in;
}

/* Prepare one command SQE (not submitted): 0 or -EBUSY when the ring is full. */
static int ur_prep(struct ur *r, int fd, uint32_t cmd_op, const void *payload,
		   size_t len, uint64_t user_data)
{
	size_t room = r->sqe_size - offsetof(struct io_uring_sqe, cmd);
	struct io_uring_sqe *sqe = ur_sqe(r);

	if (!sqe)
		return -EBUSY;
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = cmd_op;
	sqe->user_data = user_data;
	memcpy(sqe->cmd, payload, len < room ? len : room);
	return 0;
}

static int ur_prep_gemm(struct ur *r, int fd, const struct drm_qaccel_uring_gemm *u,
			uint64_t user_data)
{
	return ur_prep(r, fd, DRM_QACCEL_URING_CMD_GEMM, u, sizeof(*u), user_data);
}

/* Submit one command and wait for its CQE: 0, or -errno of the ring calls. */
static int ur_run(struct ur *r, int fd, uint32_t cmd_op, const void *payload, size_t len,
		  struct ucqe *cqe)
{
	int ret;

	ret = ur_prep(r, fd, cmd_op, payload, len, 0x5eed);
	if (ret)
		return ret;
	ret = ur_submit(r);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = ur_wait(r, 1, QT_JOB_TIMEOUT);
	if (ret)
		return ret;
	return ur_pop(r, cqe);
}

/* 1 when the running kernel's io_uring can cancel commands (Linux 6.7+). */
static int kernel_cancels_commands(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 7);
}

/* ---- fixture ----------------------------------------------------------- */

/* A slow job on the second engine whose fence gates jobs of this file. */
struct gate {
	struct qt_dev d2;
	struct qt_placed job;
	uint32_t so2;
	uint64_t seqno;
	int armed;
};

FIXTURE(uring) {
	struct qt_base b;
	struct qt_rng r;
	int slowed;
	int injected;
	struct gate gate;
	struct ur ring;
};

FIXTURE_SETUP(uring)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0x1a1);
	self->gate.d2.fd = -1;
	ur_init(&self->ring);
}

FIXTURE_TEARDOWN(uring)
{
	/* A mapped ring keeps its commands, and so the device file, alive. */
	ur_close(&self->ring);
	if (self->slowed)
		EXPECT_EQ(0, qt_inject(&self->b.d.node, "delay_us 0"));
	if (self->injected) {
		qt_inject(&self->b.d.node, "none");
		qt_devcd_free_all();
	}
	if (self->gate.armed)
		EXPECT_EQ(0, qt_inject(&self->gate.d2.node, "delay_us 0"));
	qt_base_teardown(_metadata, &self->b);
}

/* Jobs, io_uring commands, and a ring of entries with flags. */
#define NEED_URING(entries, flags) do {					\
	uint64_t __v = 0;						\
	int __r;							\
	QT_NEED_JOBS(&self->b);						\
	if (qaccel_get_param(self->b.d.fd, DRM_QACCEL_PARAM_URING_CMD, &__v) || !__v) \
		SKIP(return, "the driver takes no io_uring commands");	\
	__r = ur_setup(&self->ring, (entries), (flags));		\
	if (__r == -ENOSYS || __r == -EPERM)				\
		SKIP(return, "no io_uring: %s", strerror(-__r));	\
	ASSERT_EQ(0, __r) TH_LOG("io_uring_setup: %s", strerror(-__r));	\
} while (0)

#define RING_FLAGS	(IORING_SETUP_SQE128 | IORING_SETUP_CQE32)

/* Slow this file's engine down; skip the test when it cannot be. */
#define NEED_SLOW() do {						\
	char __cmd[32];							\
	if (!(self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT))		\
		SKIP(return, "the engine has no delay injection");	\
	snprintf(__cmd, sizeof(__cmd), "delay_us %d", SLOW_US);		\
	if (qt_inject(&self->b.d.node, __cmd))				\
		SKIP(return, "no debugfs inject file");			\
	self->slowed = 1;						\
} while (0)

#define NEED_INJECT() do {						\
	if (!(self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT))		\
		SKIP(return, "the engine has no fault injection");	\
	if (qt_inject(&self->b.d.node, "none"))				\
		SKIP(return, "no debugfs inject file");			\
	self->injected = 1;						\
} while (0)

static void gate_open(struct __test_metadata *_metadata, FIXTURE_DATA(uring) *self,
		      uint32_t *h)
{
	struct gate *g = &self->gate;
	struct drm_syncobj_handle sh;
	char cmd[32];

	*h = 0;
	if (qt_node_count() < 2 || qt_dev_open(&g->d2, 1))
		return;
	snprintf(cmd, sizeof(cmd), "delay_us %d", SLOW_US);
	if (!(g->d2.caps & DRM_QACCEL_CAP_FAULT_INJECT) || qt_inject(&g->d2.node, cmd))
		return;
	g->armed = 1;
	ASSERT_EQ(0, qt_placed_new(g->d2.fd, &g->job, GATE_ROWS, 16, 8, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_syncobj_create(g->d2.fd, 0, &g->so2));
	ASSERT_EQ(0, qt_placed_submit(g->d2.fd, &g->job, 0, NULL, 0, g->so2, &g->seqno));
	memset(&sh, 0, sizeof(sh));
	sh.handle = g->so2;
	ASSERT_EQ(0, ioctl(g->d2.fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &sh));
	sh.handle = 0;
	ASSERT_EQ(0, ioctl(self->b.d.fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh));
	close(sh.fd);
	*h = sh.handle;
}

static int gate_done(FIXTURE_DATA(uring) *self)
{
	int32_t status = -1;

	return qt_job_wait(self->gate.d2.fd, 0, self->gate.seqno, 0, &status) == 0 &&
	       status == 0;
}

/* Counters that must not move when a command is rejected. */
struct trace {
	long long submitted, live;
};

static void trace_read(struct __test_metadata *_metadata, FIXTURE_DATA(uring) *self,
		       struct trace *t)
{
	QT_COUNTER(&self->b.d.node, "jobs_submitted", &t->submitted);
	QT_COUNTER(&self->b.d.node, "live_bos", &t->live);
}

/*
 * Run one command expected to be rejected with err: the CQE says so at
 * once, carries no seqno, and no job was queued nor BO kept. Returns the
 * CQE's res.
 */
static int reject(struct __test_metadata *_metadata, FIXTURE_DATA(uring) *self,
		   struct ur *r, uint32_t cmd_op, const struct drm_qaccel_uring_gemm *u,
		   int err, const char *what)
{
	struct trace t0, t1;
	struct ucqe cqe;
	int ret;

	trace_read(_metadata, self, &t0);
	ret = ur_run(r, self->b.d.fd, cmd_op, u, sizeof(*u), &cqe);
	EXPECT_EQ(0, ret) TH_LOG("%s: ring: %s", what, strerror(-ret));
	if (ret)
		return ret;
	EXPECT_EQ(-err, cqe.res) {
		TH_LOG("%s: expected %s, got %d (%s)", what, strerror(err), cqe.res,
		       cqe.res ? strerror(-cqe.res) : "success");
	}
	EXPECT_EQ(0, cqe.big[0]) TH_LOG("%s: a rejected command reported a seqno", what);
	EXPECT_EQ(0, cqe.big[1]) TH_LOG("%s", what);
	trace_read(_metadata, self, &t1);
	EXPECT_EQ(t0.submitted, t1.submitted) TH_LOG("%s: a job was queued", what);
	EXPECT_EQ(t0.live, t1.live) TH_LOG("%s: live_bos moved", what);
	return cqe.res;
}

/* Run one GEMM command expected to succeed with C bit-exact; its seqno. */
static uint64_t run_exact(struct __test_metadata *_metadata, struct ur *r, int fd,
			  struct qt_placed *p, uint32_t queue)
{
	struct drm_qaccel_uring_gemm u;
	struct ucqe cqe;
	char why[160];
	int ret;

	qt_placed_reset_c(p);
	ug_fill(&u, &p->job.gemm, queue, 0);
	ret = ur_run(r, fd, DRM_QACCEL_URING_CMD_GEMM, &u, sizeof(u), &cqe);
	EXPECT_EQ(0, ret) TH_LOG("ring: %s", strerror(-ret));
	if (ret)
		return 0;
	EXPECT_EQ(0, cqe.res) TH_LOG("job status %d (%s)", cqe.res, strerror(-cqe.res));
	EXPECT_EQ(0, qt_placed_check(p, why, sizeof(why))) TH_LOG("%s", why);
	return cqe.big[0];
}

/* ---- completion -------------------------------------------------------- */

/*
 * A slow job: the CQ stays empty while it runs (JOB_WAIT says it is still
 * running); its CQE then carries res 0, the user_data and, in big_cqe[0],
 * the seqno JOB_WAIT knows it by; C is bit-exact.
 */
TEST_F_TIMEOUT(uring, cqe_posted_when_job_completes, 60)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ucqe cqe;
	uint32_t q;
	int32_t status = 1;
	char why[160];

	NEED_URING(8, RING_FLAGS);
	NEED_SLOW();
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	/* 10 work units: 400 ms of engine time. */
	ASSERT_EQ(0, qt_placed_new(fd, &p, 10, 16, 8, OUT_S8, &self->r));
	ug_fill(&u, &p.job.gemm, q, 0);
	ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, 0xabcdef));
	ASSERT_EQ(1, ur_submit(&self->ring));

	EXPECT_EQ(-ETIME, qt_job_wait(fd, q, 1, 0, &status)) TH_LOG("the job is not running");
	EXPECT_EQ(0, ur_poll(&self->ring)) TH_LOG("CQE posted before the job completed");
	qt_sleep_ms(100);
	EXPECT_EQ(0, ur_poll(&self->ring)) TH_LOG("CQE posted before the job completed");

	ASSERT_EQ(0, ur_wait(&self->ring, 1, QT_JOB_TIMEOUT));
	ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
	EXPECT_EQ(0xabcdef, cqe.user_data);
	EXPECT_EQ(0, cqe.res) TH_LOG("res %d (%s)", cqe.res, strerror(-cqe.res));
	EXPECT_EQ(1, cqe.big[0]) TH_LOG("big_cqe[0] is %llu", (unsigned long long)cqe.big[0]);
	EXPECT_EQ(0, cqe.big[1]);
	ASSERT_EQ(0, qt_job_wait(fd, q, 1, 0, &status)) TH_LOG("JOB_WAIT after the CQE");
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(-EAGAIN, ur_pop(&self->ring, &cqe)) TH_LOG("a second CQE");
	qt_placed_free(fd, &p);
}

/*
 * The library's probe: flags = ~0 is rejected with -EINVAL; a 1x1x1 job
 * completes with res 0, a seqno > 0 and C written. Also on a ring without
 * CQE32, where only res is reported.
 */
TEST_F(uring, library_probe_and_plain_cqe_ring)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ucqe cqe;
	char why[160];
	struct ur plain;

	NEED_URING(4, RING_FLAGS);
	ASSERT_EQ(0, qt_placed_new(fd, &p, 1, 1, 1, OUT_S8, &self->r));
	ug_fill(&u, &p.job.gemm, 0, 0);
	u.flags = ~0u;
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL, "flags ~0");

	EXPECT_LT(0, run_exact(_metadata, &self->ring, fd, &p, 0));

	ASSERT_EQ(0, ur_setup(&plain, 4, IORING_SETUP_SQE128));
	qt_placed_reset_c(&p);
	ug_fill(&u, &p.job.gemm, 0, 0);
	ASSERT_EQ(0, ur_run(&plain, fd, DRM_QACCEL_URING_CMD_GEMM, &u, sizeof(u), &cqe));
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	ur_close(&plain);
	qt_placed_free(fd, &p);
}

#define MANY_JOBS	2048
#define BATCH		64

/*
 * 2048 jobs through a 64-entry ring, 64 per io_uring_enter(), alternating
 * between queue 0 and a created queue, each writing its own slot of C:
 * every result is bit-exact, every CQE has res 0, and per queue the CQEs
 * come in submission order with consecutive seqnos.
 */
TEST_F_TIMEOUT(uring, thousands_of_jobs_in_order_through_small_ring, 300)
{
	uint64_t next_seq[2] = { 1, 1 }, last_ud[2] = { 0, 0 };
	struct drm_qaccel_uring_gemm u;
	struct drm_qaccel_job job;
	int fd = self->b.d.fd;
	struct qt_bo a, w, c;
	size_t slot, i;
	struct qt_gemm q;
	uint32_t queue[2];
	unsigned int done;
	char why[160];

	NEED_URING(BATCH, RING_FLAGS);
	queue[0] = 0;
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &queue[1]));
	ASSERT_EQ(0, qt_gemm_init(&q, 2, 16, 16, OUT_S8, 0, 0, &self->r));
	qt_gemm_finish(&q);
	slot = (q.c_bytes + 63) & ~(size_t)63;
	ASSERT_EQ(0, qt_bo_new(fd, q.a_bytes, 0, &a));
	ASSERT_EQ(0, qt_bo_new(fd, q.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &w));
	ASSERT_EQ(0, qt_bo_new(fd, slot * BATCH, 0, &c));
	memcpy(a.map, q.a, q.a_bytes);
	memcpy(w.map, q.packed, q.packed_bytes);

	for (done = 0; done < MANY_JOBS; done += BATCH) {
		memset(c.map, QT_C_FILL, c.size);
		for (i = 0; i < BATCH; i++) {
			qt_job_fill(&job, &q, a.va, w.va, c.va + i * slot);
			ug_fill(&u, &job.gemm, queue[i % 2], 0);
			ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, done + i));
		}
		ASSERT_EQ(BATCH, ur_submit(&self->ring));
		ASSERT_EQ(0, ur_wait(&self->ring, BATCH, QT_JOB_TIMEOUT)) {
			TH_LOG("batch at %u: only %u CQEs", done, ur_ready(&self->ring));
		}
		for (i = 0; i < BATCH; i++) {
			struct ucqe cqe;
			unsigned int k;

			ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
			k = cqe.user_data % 2;
			ASSERT_EQ(0, cqe.res) TH_LOG("job %llu: res %d",
						     (unsigned long long)cqe.user_data, cqe.res);
			ASSERT_EQ(next_seq[k], cqe.big[0]) {
				TH_LOG("job %llu on queue %u: seqno %llu, expected %llu",
				       (unsigned long long)cqe.user_data, queue[k],
				       (unsigned long long)cqe.big[0],
				       (unsigned long long)next_seq[k]);
			}
			if (next_seq[k] > 1)
				ASSERT_LT(last_ud[k], cqe.user_data) TH_LOG("CQEs out of order");
			last_ud[k] = cqe.user_data;
			next_seq[k]++;
		}
		for (i = 0; i < BATCH; i++) {
			ASSERT_EQ(0, qt_compare(c.map + i * slot, q.expect, q.c_bytes, why,
						sizeof(why))) {
				TH_LOG("job %zu: %s", done + i, why);
			}
		}
	}
	EXPECT_EQ(1 + MANY_JOBS / 2, next_seq[0]);
	EXPECT_EQ(1 + MANY_JOBS / 2, next_seq[1]);
	qt_bo_free(fd, &a);
	qt_bo_free(fd, &w);
	qt_bo_free(fd, &c);
	qt_gemm_free(&q);
}

/* ---- a batch of commands as one job ----------------------------------- */

#define MERGE_JOBS	8

/*
 * Prepare one command per placed job, on queue 0, with user_data = index
 * (in = in-syncobj of the command at index in_at, 0 for none), and issue
 * them in one io_uring_enter(). Returns the jobs_merged counter before.
 */
static long long merge_issue(struct __test_metadata *_metadata, FIXTURE_DATA(uring) *self,
			     struct qt_placed *p, unsigned int n, unsigned int in_at,
			     uint32_t in)
{
	struct drm_qaccel_uring_gemm u;
	long long merged;
	unsigned int i;

	QT_COUNTER(&self->b.d.node, "jobs_merged", &merged);
	for (i = 0; i < n; i++) {
		qt_placed_reset_c(&p[i]);
		ug_fill(&u, &p[i].job.gemm, 0, i == in_at ? in : 0);
		EXPECT_EQ(0, ur_prep_gemm(&self->ring, self->b.d.fd, &u, i));
	}
	EXPECT_EQ((int)n, ur_submit(&self->ring));
	return merged;
}

/*
 * Pop n CQEs: in submission order, consecutive seqnos from first, status
 * res[i] (JOB_WAIT agrees); C bit-exact where res[i] is 0.
 */
static void merge_collect(struct __test_metadata *_metadata, FIXTURE_DATA(uring) *self,
			  struct qt_placed *p, unsigned int n, const int *res, uint64_t first)
{
	unsigned int i;
	struct ucqe cqe;
	int32_t status;
	char why[160];

	ASSERT_EQ(0, ur_wait(&self->ring, n, QT_JOB_TIMEOUT)) {
		TH_LOG("only %u of %u CQEs", ur_ready(&self->ring), n);
	}
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
		EXPECT_EQ(i, cqe.user_data) TH_LOG("CQEs out of order");
		EXPECT_EQ(res[i], cqe.res) {
			TH_LOG("command %u: res %d (%s), expected %d", i, cqe.res,
			       strerror(-cqe.res), res[i]);
		}
		EXPECT_EQ(first + i, cqe.big[0]) {
			TH_LOG("command %u: seqno %llu", i, (unsigned long long)cqe.big[0]);
		}
		ASSERT_EQ(0, qt_job_wait(self->b.d.fd, 0, cqe.big[0], 0, &status));
		EXPECT_EQ(res[i], status) TH_LOG("command %u: JOB_WAIT status %d", i, status);
		if (!res[i])
			EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) {
				TH_LOG("command %u: %s", i, why);
			}
	}
	EXPECT_EQ(-EAGAIN, ur_pop(&self->ring, &cqe)) TH_LOG("an extra CQE");
}

/*
 * Commands of one queue issued in one io_uring_enter() run as one
 * scheduler job (the jobs_merged counter counts the ones that joined the
 * first): each still completes on its own, in order, with its own seqno
 * and status, bit-exact, each with BOs of its own.
 */
TEST_F_TIMEOUT(uring, batch_of_commands_runs_as_one_job, 90)
{
	int res[MERGE_JOBS] = { 0 };
	struct qt_placed p[MERGE_JOBS];
	int fd = self->b.d.fd;
	long long before, after;
	unsigned int i, round;

	NEED_URING(MERGE_JOBS, RING_FLAGS);
	for (i = 0; i < MERGE_JOBS; i++)
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 1 + i, 16 + 8 * i, 8 + 24 * i, OUT_S8,
					   &self->r));
	for (round = 0; round < 3; round++) {
		before = merge_issue(_metadata, self, p, MERGE_JOBS, MERGE_JOBS, 0);
		merge_collect(_metadata, self, p, MERGE_JOBS, res, 1 + round * MERGE_JOBS);
		QT_COUNTER(&self->b.d.node, "jobs_merged", &after);
		/*
		 * All join unless the task slept part way (a blocking
		 * allocation or lock), which pushes the job early.
		 */
		EXPECT_LE(1, after - before) {
			TH_LOG("round %u: %lld of %d commands joined the first one's job",
			       round, after - before, MERGE_JOBS - 1);
		}
		EXPECT_GE(MERGE_JOBS - 1, after - before);
	}
	for (i = 0; i < MERGE_JOBS; i++)
		qt_placed_free(fd, &p[i]);
}

/* Read the (only) devcoredump into buf, waiting for it a little: size or -errno. */
static long devcd_read(char *buf, size_t len)
{
	char names[QT_DEVCD_MAX][32], path[128];
	long total = 0;
	ssize_t n = 0;
	int fd, i, count = 0;

	for (i = 0; i < 50 && count <= 0; i++) {
		count = qt_devcd_list(names, QT_DEVCD_MAX);
		if (count <= 0)
			qt_sleep_ms(20);
	}
	if (count <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/sys/class/devcoredump/%.32s/data", names[0]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total + 1 < len &&
	       (n = read(fd, buf + total, len - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return n < 0 ? -EIO : total;
}

/*
 * A fault or a hang on a command of a batch run as one job (the first, a
 * middle one, the last; the engine's INJECT.SKIP picks it) fails that
 * command alone (-EIO, -ETIMEDOUT); the engine is reset, the commands
 * before it stay completed, those after it run again, and all of them
 * complete bit-exact with status 0. The devcoredump names the descriptor
 * the engine stopped on.
 */
TEST_F_TIMEOUT(uring, fault_in_a_batch_fails_only_its_command, 150)
{
	static const struct {
		const char *inject;
		unsigned int at;
		int res;
	} seq[] = {
		{ "fault", 0, -EIO }, { "hang", 0, -ETIMEDOUT }, { "fault 2", 2, -EIO },
		{ "hang 1", 1, -ETIMEDOUT }, { "fault 3", 3, -EIO },
	};
	struct qt_placed p[4];
	int fd = self->b.d.fd;
	long long before, after, resets0, resets1;
	uint64_t first = 1;
	unsigned int i;
	size_t k;

	NEED_URING(8, RING_FLAGS);
	NEED_INJECT();
	qt_devcd_free_all();
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 2, 16, 16 * (i + 1), OUT_S8, &self->r));
	for (k = 0; k < QT_ARRAY_SIZE(seq); k++) {
		int res[4] = { 0 };
		unsigned long long seq0, seq1, stop;
		char dump[16384] = "", *guilty, *line;

		res[seq[k].at] = seq[k].res;
		QT_COUNTER(&self->b.d.node, "resets", &resets0);
		ASSERT_EQ(0, qt_inject(&self->b.d.node, seq[k].inject));
		before = merge_issue(_metadata, self, p, 4, 4, 0);
		merge_collect(_metadata, self, p, 4, res, first);
		QT_COUNTER(&self->b.d.node, "jobs_merged", &after);
		QT_COUNTER(&self->b.d.node, "resets", &resets1);
		EXPECT_LE(1, after - before) TH_LOG("%s: the batch was not one job", seq[k].inject);
		EXPECT_GE(3, after - before);
		EXPECT_EQ(resets0 + 1, resets1) TH_LOG("%s", seq[k].inject);
		/* The guilty job's ring seqnos, and the one the engine stopped on. */
		EXPECT_LT(0, devcd_read(dump, sizeof(dump))) TH_LOG("%s: no devcoredump", seq[k].inject);
		guilty = strstr(dump, "guilty job:");
		seq0 = seq1 = stop = 0;
		EXPECT_NE(NULL, guilty) TH_LOG("%s: no guilty job in the devcoredump", seq[k].inject);
		if (guilty) {
			line = strstr(guilty, "\nseqno: ");
			EXPECT_NE(NULL, line);
			if (line)
				sscanf(line, "\nseqno: %llu-%llu", &seq0, &seq1);
			line = strstr(guilty, "\nstopped at: ");
			EXPECT_NE(NULL, line);
			if (line)
				sscanf(line, "\nstopped at: %llu", &stop);
		}
		if (after - before == 3) {
			EXPECT_EQ(3, seq1 - seq0) TH_LOG("%s: guilty job %llu-%llu", seq[k].inject,
							 seq0, seq1);
			EXPECT_EQ(seq[k].at, stop - seq0) {
				TH_LOG("%s: stopped at %llu of %llu-%llu", seq[k].inject, stop,
				       seq0, seq1);
			}
		}
		first += 4;
		qt_devcd_free_all();
	}
	for (i = 0; i < 4; i++)
		qt_placed_free(fd, &p[i]);
}

/*
 * A command of a batch that waits for a fence from elsewhere (here its
 * in_syncobj: a slow job on the other engine) does not join the job of the
 * commands before it, which complete without waiting for that fence; the
 * commands after it join its job. All in order, bit-exact.
 */
TEST_F_TIMEOUT(uring, batch_splits_at_a_foreign_dependency, 60)
{
	struct qt_placed p[4];
	int fd = self->b.d.fd;
	long long before, after;
	struct ucqe cqe;
	uint32_t gate;
	unsigned int i;

	NEED_URING(8, RING_FLAGS);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 2, 16, 8, OUT_S8, &self->r));
	gate_open(_metadata, self, &gate);
	if (!gate)
		SKIP(return, "needs a second engine with delay injection");

	/* Commands 0 and 1 run at once; 2 waits for the gate, 3 after it. */
	before = merge_issue(_metadata, self, p, 4, 2, gate);
	ASSERT_EQ(0, ur_wait(&self->ring, 2, QT_JOB_TIMEOUT));
	if (!gate_done(self))
		EXPECT_EQ(2, ur_poll(&self->ring)) TH_LOG("a command ran before its gate");
	for (i = 0; i < 2; i++) {
		char why[160];
		int32_t status;

		ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
		EXPECT_EQ(1 + i, cqe.big[0]);
		ASSERT_EQ(0, qt_job_wait(fd, 0, cqe.big[0], 0, &status));
		EXPECT_EQ(0, status);
		EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) TH_LOG("%s", why);
	}
	ASSERT_EQ(0, ur_wait(&self->ring, 2, QT_JOB_TIMEOUT));
	EXPECT_TRUE(gate_done(self)) TH_LOG("a command completed before its gate");
	for (i = 2; i < 4; i++) {
		ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
		EXPECT_EQ(1 + i, cqe.big[0]);
	}
	for (i = 2; i < 4; i++) {
		char why[160];

		EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) TH_LOG("%u: %s", i, why);
	}
	QT_COUNTER(&self->b.d.node, "jobs_merged", &after);
	/* 1 joins 0's job and 3 joins 2's (unless the task slept in between). */
	EXPECT_LE(1, after - before) TH_LOG("%lld commands joined", after - before);
	EXPECT_GE(2, after - before) TH_LOG("a command joined across the dependency");
	for (i = 0; i < 4; i++)
		qt_placed_free(fd, &p[i]);
}

/*
 * A batch on rings whose commands are issued and completed elsewhere: an
 * SQPOLL ring (the SQ thread issues the batch and runs the task work), a
 * DEFER_TASKRUN ring (task work runs only while the task waits on it) and
 * commands forced to io_uring's workers (IOSQE_ASYNC: issued one by one,
 * outside any batch, in no particular order). Every command completes
 * with status 0 and C bit-exact, each seqno once, and the CQEs of the
 * queue in seqno order.
 */
TEST_F_TIMEOUT(uring, batch_on_sqpoll_defer_taskrun_and_async_rings, 120)
{
	static const struct {
		const char *name;
		unsigned int setup;
		unsigned int sqe_flags;
	} mode[] = {
		{ "sqpoll", IORING_SETUP_SQPOLL, 0 },
		{ "defer-taskrun", IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, 0 },
		{ "async", 0, IOSQE_ASYNC },
	};
	struct qt_placed p[MERGE_JOBS];
	int fd = self->b.d.fd;
	uint64_t next = 1;
	unsigned int i;
	size_t m;

	NEED_URING(MERGE_JOBS, RING_FLAGS);
	ur_close(&self->ring);
	for (i = 0; i < MERGE_JOBS; i++)
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 2, 16 + 16 * i, 8, OUT_S8, &self->r));
	for (m = 0; m < QT_ARRAY_SIZE(mode); m++) {
		struct drm_qaccel_uring_gemm u;
		unsigned int seen = 0;
		int ret;

		ret = ur_setup(&self->ring, MERGE_JOBS, RING_FLAGS | mode[m].setup);
		if (ret == -EINVAL || ret == -EPERM) {
			TH_LOG("%s: no such ring here (%s)", mode[m].name, strerror(-ret));
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s: io_uring_setup: %s", mode[m].name, strerror(-ret));
		for (i = 0; i < MERGE_JOBS; i++) {
			qt_placed_reset_c(&p[i]);
			ug_fill(&u, &p[i].job.gemm, 0, 0);
			ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, i));
			((struct io_uring_sqe *)(self->ring.sqes + i * self->ring.sqe_size))->flags =
				mode[m].sqe_flags;
		}
		ASSERT_EQ(MERGE_JOBS, ur_submit(&self->ring)) TH_LOG("%s", mode[m].name);
		ASSERT_EQ(0, ur_wait(&self->ring, MERGE_JOBS, QT_JOB_TIMEOUT)) {
			TH_LOG("%s: only %u CQEs", mode[m].name, ur_ready(&self->ring));
		}
		for (i = 0; i < MERGE_JOBS; i++) {
			struct ucqe cqe;

			ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
			EXPECT_EQ(0, cqe.res) TH_LOG("%s: res %d", mode[m].name, cqe.res);
			EXPECT_EQ(next + i, cqe.big[0]) {
				TH_LOG("%s: CQE %u has seqno %llu", mode[m].name, i,
				       (unsigned long long)cqe.big[0]);
			}
			ASSERT_LT(cqe.user_data, MERGE_JOBS);
			EXPECT_EQ(0, seen & 1u << cqe.user_data) TH_LOG("%s: twice", mode[m].name);
			seen |= 1u << cqe.user_data;
			/* The SQE order is the seqno order unless issued by workers. */
			if (!mode[m].sqe_flags)
				EXPECT_EQ(i, cqe.user_data) TH_LOG("%s: out of order", mode[m].name);
		}
		for (i = 0; i < MERGE_JOBS; i++) {
			char why[160];

			EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) {
				TH_LOG("%s: command %u: %s", mode[m].name, i, why);
			}
		}
		next += MERGE_JOBS;
		ur_close(&self->ring);
	}
	for (i = 0; i < MERGE_JOBS; i++)
		qt_placed_free(fd, &p[i]);
}

/* ---- dependencies and queues ------------------------------------------- */

/*
 * A job whose in_syncobj is the fence of a slow job on the other engine
 * does not complete before it; then it runs, bit-exact.
 */
TEST_F_TIMEOUT(uring, in_syncobj_holds_job_until_signalled, 60)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ucqe cqe;
	uint32_t gate;
	char why[160];

	NEED_URING(8, RING_FLAGS);
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 8, OUT_S8, &self->r));
	gate_open(_metadata, self, &gate);
	if (!gate)
		SKIP(return, "needs a second engine with delay injection");

	ug_fill(&u, &p.job.gemm, 0, gate);
	ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, 7));
	ASSERT_EQ(1, ur_submit(&self->ring));
	qt_sleep_ms(200);
	if (!gate_done(self))
		EXPECT_EQ(0, ur_poll(&self->ring)) TH_LOG("the job completed before its gate");
	ASSERT_EQ(0, ur_wait(&self->ring, 1, QT_JOB_TIMEOUT));
	EXPECT_TRUE(gate_done(self)) TH_LOG("the job completed before its gate");
	ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(1, cqe.big[0]);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	qt_placed_free(fd, &p);
}

/*
 * queue_id selects the queue, whose seqnos ioctl and io_uring submissions
 * share; an unknown or destroyed queue fails with -ENOENT.
 */
TEST_F(uring, queue_id_selects_queue)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint64_t seqno = 0;
	uint32_t q, q2;
	int32_t status = 1;

	NEED_URING(8, RING_FLAGS);
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 8, OUT_S8, &self->r));

	ASSERT_EQ(0, qt_placed_submit(fd, &p, q, NULL, 0, 0, &seqno));
	EXPECT_EQ(1, seqno);
	EXPECT_EQ(2, run_exact(_metadata, &self->ring, fd, &p, q));
	ASSERT_EQ(0, qt_placed_submit(fd, &p, q, NULL, 0, 0, &seqno));
	EXPECT_EQ(3, seqno);
	EXPECT_EQ(4, run_exact(_metadata, &self->ring, fd, &p, q));
	ASSERT_EQ(0, qt_job_wait(fd, q, 4, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	/* Queue 0 was not used: its first job gets seqno 1. */
	EXPECT_EQ(1, run_exact(_metadata, &self->ring, fd, &p, 0));

	ug_fill(&u, &p.job.gemm, q + 100, 0);
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, ENOENT,
	       "unknown queue");
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q2));
	ASSERT_EQ(0, qt_queue_destroy(fd, q2));
	ug_fill(&u, &p.job.gemm, q2, 0);
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, ENOENT,
	       "destroyed queue");
	/* Nothing consumed a seqno of q. */
	EXPECT_EQ(5, run_exact(_metadata, &self->ring, fd, &p, q));
	qt_placed_free(fd, &p);
}

/* ---- rejections -------------------------------------------------------- */

/*
 * The ring and the command: no SQE128, unknown cmd_op, non-zero flags or
 * pad, unknown or fence-less in_syncobj. Each is rejected at once with no
 * trace; the next good job gets seqno 1 and C was never written before.
 */
TEST_F(uring, rejects_bad_ring_and_command)
{
	static const uint32_t bad_ops[] = {
		0, DRM_QACCEL_URING_CMD_GEMM - 1, DRM_QACCEL_URING_CMD_GEMM + 1, 0xffffffffu,
	};
	static const uint32_t bad_words[] = { 1, 0x80000000u, 0xffffffffu };
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ur small;
	char what[64];
	uint32_t so;
	size_t i;

	NEED_URING(8, RING_FLAGS);
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 8, OUT_S8, &self->r));

	ASSERT_EQ(0, ur_setup(&small, 4, IORING_SETUP_CQE32));
	ug_fill(&u, &p.job.gemm, 0, 0);
	reject(_metadata, self, &small, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL,
	       "ring without SQE128");
	ur_close(&small);

	for (i = 0; i < QT_ARRAY_SIZE(bad_ops); i++) {
		snprintf(what, sizeof(what), "cmd_op %#x", bad_ops[i]);
		reject(_metadata, self, &self->ring, bad_ops[i], &u, EINVAL, what);
	}
	for (i = 0; i < QT_ARRAY_SIZE(bad_words); i++) {
		ug_fill(&u, &p.job.gemm, 0, 0);
		u.flags = bad_words[i];
		snprintf(what, sizeof(what), "flags %#x", bad_words[i]);
		reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL, what);
		ug_fill(&u, &p.job.gemm, 0, 0);
		u.pad = bad_words[i];
		snprintf(what, sizeof(what), "pad %#x", bad_words[i]);
		reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL, what);
	}

	ug_fill(&u, &p.job.gemm, 0, 0xfff0);
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, ENOENT,
	       "unknown in_syncobj");
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so));
	ug_fill(&u, &p.job.gemm, 0, so);
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL,
	       "in_syncobj without a fence");

	for (i = 0; i < p.c.size; i++)
		if (p.c.map[i] != QT_C_FILL)
			break;
	EXPECT_EQ(p.c.size, i) TH_LOG("a rejected job wrote C");
	EXPECT_EQ(1, run_exact(_metadata, &self->ring, fd, &p, 0));
	qt_placed_free(fd, &p);
}

enum field {
	F_M, F_N, F_K, F_LDA, F_LDC, F_FLAGS, F_AZP, F_OUTZP, F_ACTMIN, F_ACTMAX,
	F_AVA, F_WVA, F_CVA,
};

struct fcase {
	const char *name;
	enum field f;
	int64_t v;
	int err, err2;
};

static void set_field(struct drm_qaccel_gemm *g, enum field f, int64_t v)
{
	switch (f) {
	case F_M: g->m = (uint32_t)v; break;
	case F_N: g->n = (uint32_t)v; break;
	case F_K: g->k = (uint32_t)v; break;
	case F_LDA: g->lda = (uint32_t)v; break;
	case F_LDC: g->ldc = (uint32_t)v; break;
	case F_FLAGS: g->flags = (uint32_t)v; break;
	case F_AZP: g->a_zp = (int32_t)v; break;
	case F_OUTZP: g->out_zp = (int32_t)v; break;
	case F_ACTMIN: g->act_min = (int32_t)v; break;
	case F_ACTMAX: g->act_max = (int32_t)v; break;
	case F_AVA: g->a_va = (uint64_t)v; break;
	case F_WVA: g->w_va = (uint64_t)v; break;
	case F_CVA: g->c_va = (uint64_t)v; break;
	}
}

/*
 * Every bad GEMM field goes through SUBMIT (A and W listed for reading, C
 * for writing) and through the ring: both fail, with the same documented
 * errno, which shows the validation is one.
 */
TEST_F(uring, bad_gemm_fields_fail_as_with_submit)
{
	struct qt_dev *d = &self->b.d;
	struct drm_qaccel_uring_gemm u;
	struct drm_qaccel_submit s;
	struct drm_qaccel_job job;
	struct qt_placed p;
	uint32_t rd[2];
	char what[96];
	size_t i;

	NEED_URING(8, RING_FLAGS);
	/* M=4 N=16 K=8, u8 -> s8: lda 8, ldc 16. */
	ASSERT_EQ(0, qt_placed_new(d->fd, &p, 4, 16, 8, OUT_S8, &self->r));
	do {
		const struct fcase cases[] = {
			{ "no OUT flag", F_FLAGS, 0, EINVAL, 0 },
			{ "OUT_S8 | OUT_U8", F_FLAGS, OUT_S8 | OUT_U8, EINVAL, 0 },
			{ "A_S8 only", F_FLAGS, A_S8, EINVAL, 0 },
			{ "unknown gemm flag bit 4", F_FLAGS, OUT_S8 | (1u << 4), EINVAL, 0 },
			{ "unknown gemm flag bit 31", F_FLAGS, OUT_S8 | 0x80000000u, EINVAL, 0 },
			{ "m = 0", F_M, 0, EINVAL, 0 },
			{ "n = 0", F_N, 0, EINVAL, 0 },
			{ "k = 0", F_K, 0, EINVAL, 0 },
			{ "m = MAX_M + 1", F_M, (int64_t)d->max_m + 1, E2BIG, 0 },
			{ "n = MAX_N + 1", F_N, (int64_t)d->max_n + 1, E2BIG, EINVAL },
			{ "k = MAX_K + 1", F_K, (int64_t)d->max_k + 1, E2BIG, EINVAL },
			{ "m = 0xffffffff", F_M, 0xffffffffll, E2BIG, EINVAL },
			{ "lda = k - 1", F_LDA, 7, EINVAL, 0 },
			{ "lda = 0", F_LDA, 0, EINVAL, 0 },
			{ "ldc = n - 1", F_LDC, 15, EINVAL, 0 },
			{ "ldc = 0", F_LDC, 0, EINVAL, 0 },
			{ "a_zp -1", F_AZP, -1, EINVAL, 0 },
			{ "a_zp 256", F_AZP, 256, EINVAL, 0 },
			{ "out_zp -129", F_OUTZP, -129, EINVAL, 0 },
			{ "out_zp 128", F_OUTZP, 128, EINVAL, 0 },
			{ "act_min -129", F_ACTMIN, -129, EINVAL, 0 },
			{ "act_max 128", F_ACTMAX, 128, EINVAL, 0 },
			{ "act_max < act_min", F_ACTMAX, (int64_t)p.job.gemm.act_min - 1,
			  EINVAL, 0 },
			{ "a_va 0", F_AVA, 0, EINVAL, 0 },
			{ "a_va crossing A's BO end", F_AVA,
			  (int64_t)(p.a.va + p.a.size - p.q.a_bytes + 1), EINVAL, 0 },
			{ "a_va in the guard page", F_AVA, (int64_t)(p.a.va + p.a.size), EINVAL, 0 },
			{ "a_va near 2^64", F_AVA, (int64_t)0xffffffffffffff00ull, EINVAL, 0 },
			{ "w_va crossing W's BO end", F_WVA,
			  (int64_t)(p.w.va + p.w.size - p.q.packed_bytes + 1), EINVAL, 0 },
			{ "w_va at VA_END - 4096", F_WVA, (int64_t)(d->va_end - 4096), EINVAL, 0 },
			{ "c_va crossing C's BO end", F_CVA,
			  (int64_t)(p.c.va + p.c.size - p.q.c_bytes + 1), EINVAL, 0 },
			{ "c_va below VA_START", F_CVA, (int64_t)(d->va_start - 4096), EINVAL, 0 },
			{ "c_va in the read-only W BO", F_CVA, (int64_t)p.w.va, EACCES, 0 },
		};

		for (i = 0; i < QT_ARRAY_SIZE(cases); i++) {
			const struct fcase *c = &cases[i];
			int e_submit, e_uring;

			job = p.job;
			set_field(&job.gemm, c->f, c->v);
			memset(&s, 0, sizeof(s));
			rd[0] = p.a.handle;
			rd[1] = p.w.handle;
			s.jobs = (uintptr_t)&job;
			s.job_count = 1;
			s.job_size = sizeof(job);
			s.read_handles = (uintptr_t)rd;
			s.read_count = 2;
			s.write_handles = (uintptr_t)&p.c.handle;
			s.write_count = 1;
			e_submit = qt_submit_raw(d->fd, &s);

			ug_fill(&u, &job.gemm, 0, 0);
			snprintf(what, sizeof(what), "%s (uring)", c->name);
			e_uring = reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM,
					 &u, e_submit ? -e_submit : c->err, what);
			EXPECT_TRUE(e_submit == -c->err || (c->err2 && e_submit == -c->err2)) {
				TH_LOG("%s: SUBMIT gave %d, expected -%s", c->name, e_submit,
				       strerror(c->err));
			}
			EXPECT_EQ(e_submit, e_uring) {
				TH_LOG("%s: SUBMIT gave %d, the ring %d", c->name, e_submit,
				       e_uring);
			}
		}
	} while (0);
	EXPECT_EQ(1, run_exact(_metadata, &self->ring, d->fd, &p, 0));
	qt_placed_free(d->fd, &p);
}

/*
 * Operands are looked up in the submitter's own address space: a VA only
 * another process's file maps, with nothing of ours there, is rejected
 * for A, W and C; so is C in a DEVICE_READONLY BO (-EACCES).
 */
TEST_F(uring, rejects_operands_outside_own_mappings)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	int to_parent[2], to_child[2];
	struct qt_placed p;
	uint64_t theirs = 0;
	char byte = 0;
	pid_t pid;
	int status;

	NEED_URING(8, RING_FLAGS);
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 8, OUT_S8, &self->r));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct qt_bo big, bo;
		struct qt_dev d;
		uint64_t va = 0;

		/* A BO far above anything the parent maps. */
		if (!qt_dev_open(&d, 0) && !qt_bo_create(d.fd, 64 << 20, 0, &big) &&
		    !qt_bo_create(d.fd, 1 << 20, 0, &bo))
			va = bo.va + 4096;
		if (write(to_parent[1], &va, sizeof(va)) != sizeof(va))
			_exit(1);
		if (read(to_child[0], &byte, 1) < 0)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(sizeof(theirs), read(to_parent[0], &theirs, sizeof(theirs)));
	ASSERT_NE(0, theirs) TH_LOG("the child could not create its BOs");
	ASSERT_LT(p.c.va + p.c.size, theirs);
	ASSERT_LT(p.a.va + p.a.size, theirs);
	ASSERT_LT(p.w.va + p.w.size, theirs);

	ug_fill(&u, &p.job.gemm, 0, 0);
	u.gemm.a_va = theirs;
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL,
	       "A at another process's VA");
	ug_fill(&u, &p.job.gemm, 0, 0);
	u.gemm.w_va = theirs;
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL,
	       "W at another process's VA");
	ug_fill(&u, &p.job.gemm, 0, 0);
	u.gemm.c_va = theirs;
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL,
	       "C at another process's VA");

	ASSERT_EQ(1, write(to_child[1], &byte, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ug_fill(&u, &p.job.gemm, 0, 0);
	u.gemm.c_va = p.w.va;
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EACCES,
	       "C in a DEVICE_READONLY BO");
	EXPECT_EQ(1, run_exact(_metadata, &self->ring, fd, &p, 0));
	qt_placed_free(fd, &p);
}

/*
 * A BO whose last handle was closed is not the file's any more, even while
 * a running job still keeps its mapping: a command naming its VA is
 * rejected (-EINVAL, as an operand outside every BO), as SUBMIT rejects
 * the stale handle. The running job still completes bit-exact.
 */
TEST_F_TIMEOUT(uring, closed_bo_is_not_reachable_by_va_while_its_job_runs, 60)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ucqe cqe;
	char why[160];

	NEED_URING(8, RING_FLAGS);
	NEED_SLOW();
	/* 10 work units: 400 ms of engine time. */
	ASSERT_EQ(0, qt_placed_new(fd, &p, 10, 16, 8, OUT_S8, &self->r));
	ug_fill(&u, &p.job.gemm, 0, 0);
	ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, 1));
	ASSERT_EQ(1, ur_submit(&self->ring));

	/* A's mapping lives on in the running job; its handle is gone. */
	ASSERT_EQ(0, qt_gem_close(fd, p.a.handle));
	p.a.handle = 0;
	EXPECT_EQ(0, ur_poll(&self->ring)) TH_LOG("the first job ended too early to test");
	reject(_metadata, self, &self->ring, DRM_QACCEL_URING_CMD_GEMM, &u, EINVAL,
	       "A in a BO whose handle was closed");

	ASSERT_EQ(0, ur_wait(&self->ring, 1, QT_JOB_TIMEOUT));
	ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(0, cqe.res) TH_LOG("res %d (%s)", cqe.res, strerror(-cqe.res));
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	qt_placed_free(fd, &p);
}

/* ---- failing jobs ------------------------------------------------------ */

/*
 * An injected fault completes its command with -EIO, an injected hang
 * with -ETIMEDOUT (JOB_WAIT agrees); the next job runs bit-exact.
 */
TEST_F_TIMEOUT(uring, fault_and_hang_complete_with_eio_and_etimedout, 90)
{
	static const struct {
		const char *inject;
		int res;
	} seq[] = { { "fault", -EIO }, { "hang", -ETIMEDOUT } };
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ucqe cqe;
	int32_t status;
	uint64_t expect = 1;
	size_t i;

	NEED_URING(8, RING_FLAGS);
	NEED_INJECT();
	qt_devcd_free_all();
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 16, OUT_S8, &self->r));
	for (i = 0; i < QT_ARRAY_SIZE(seq); i++) {
		ASSERT_EQ(0, qt_inject(&self->b.d.node, seq[i].inject));
		ug_fill(&u, &p.job.gemm, 0, 0);
		ASSERT_EQ(0, ur_run(&self->ring, fd, DRM_QACCEL_URING_CMD_GEMM, &u, sizeof(u),
				    &cqe));
		EXPECT_EQ(seq[i].res, cqe.res) TH_LOG("%s: res %d", seq[i].inject, cqe.res);
		EXPECT_EQ(expect, cqe.big[0]);
		ASSERT_EQ(0, qt_job_wait(fd, 0, cqe.big[0], 0, &status));
		EXPECT_EQ(seq[i].res, status);
		expect++;
		EXPECT_EQ(expect, run_exact(_metadata, &self->ring, fd, &p, 0));
		expect++;
		qt_devcd_free_all();
	}
	qt_placed_free(fd, &p);
}

/* ---- going away with commands in flight -------------------------------- */

#define FLIGHT_JOBS	4
#define FLIGHT_ROWS	15	/* 600 ms of engine time per job */

/*
 * The submitting task calls exec with commands in flight on a ring another
 * process shares: io_uring cancels that task's requests. Where it can
 * cancel commands (6.7+), both CQEs arrive with -ECANCELED and their
 * seqnos while the jobs still run (JOB_WAIT says the second is running),
 * and the jobs then complete bit-exact with status 0. On 6.1 exec waits
 * for the jobs, and the CQEs carry their results (0). (A task that merely
 * exits while its ring lives on cancels nothing: io_uring waits at exit
 * only for requests on io_uring files.)
 */
TEST_F_TIMEOUT(uring, submitter_exec_cancels_or_waits_for_its_commands, 60)
{
	int cancels = kernel_cancels_commands();
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct ucqe cqe[2];
	struct qt_placed p;
	int32_t status = 1;
	char why[160];
	int i, wstatus;
	pid_t pid;

	NEED_URING(8, RING_FLAGS);
	NEED_SLOW();
	/* 10 work units: 400 ms of engine time each. */
	ASSERT_EQ(0, qt_placed_new(fd, &p, 10, 16, 8, OUT_S8, &self->r));
	ug_fill(&u, &p.job.gemm, 0, 0);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The ring's memory is shared: submit two, then exec at once. */
		if (ur_prep_gemm(&self->ring, fd, &u, 1) ||
		    ur_prep_gemm(&self->ring, fd, &u, 2) || ur_submit(&self->ring) != 2)
			_exit(1);
		execl("/bin/busybox", "true", (char *)NULL);
		execl("/bin/true", "true", (char *)NULL);
		_exit(3);
	}
	ASSERT_EQ(pid, waitpid(pid, &wstatus, 0));
	ASSERT_TRUE(WIFEXITED(wstatus)) TH_LOG("the child died");
	if (WEXITSTATUS(wstatus) == 3) {
		ASSERT_EQ(0, ur_wait(&self->ring, 2, QT_JOB_TIMEOUT));
		qt_placed_free(fd, &p);
		SKIP(return, "no /bin/busybox or /bin/true to exec");
	}
	ASSERT_EQ(0, WEXITSTATUS(wstatus)) TH_LOG("the child could not submit");

	ASSERT_EQ(0, ur_wait(&self->ring, 2, QT_JOB_TIMEOUT));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ur_pop(&self->ring, &cqe[i]));
	if (cancels) {
		EXPECT_EQ(-ETIME, qt_job_wait(fd, 0, 2, 0, &status)) {
			TH_LOG("the CQEs came after the jobs completed, not at cancellation");
		}
	}
	/*
	 * Completions keep the queue's order; cancellations come in the order
	 * io_uring walks its commands: match them by user_data.
	 */
	if (cancels) {
		EXPECT_NE(cqe[0].user_data, cqe[1].user_data);
	} else {
		EXPECT_EQ(1, cqe[0].user_data) TH_LOG("completions out of order");
	}
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(cqe[i].user_data == 1 || cqe[i].user_data == 2);
		EXPECT_EQ(cancels ? -ECANCELED : 0, cqe[i].res) {
			TH_LOG("command %llu: res %d (%s)", (unsigned long long)cqe[i].user_data,
			       cqe[i].res, strerror(-cqe[i].res));
		}
		EXPECT_EQ(cqe[i].user_data, cqe[i].big[0]) TH_LOG("seqno of a command");
	}
	/* Either way the jobs ran, and their statuses are known. */
	for (i = 1; i <= 2; i++) {
		ASSERT_EQ(0, qt_job_wait(fd, 0, i, QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(0, status);
	}
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(-EAGAIN, ur_pop(&self->ring, &cqe[0])) TH_LOG("a third CQE");
	qt_placed_free(fd, &p);
}

/*
 * Slow jobs in flight, then the device fd and the ring are closed. The
 * jobs run to completion either way (C bit-exact). Where io_uring cancels
 * commands (6.7+) the ring's teardown completes them at once and the
 * device file goes away while the jobs still run (a BO no job uses is
 * freed, the jobs' BOs are not); elsewhere the file stays open until the
 * jobs complete. Everything is released in the end.
 */
TEST_F_TIMEOUT(uring, ring_closed_with_jobs_in_flight, 90)
{
	int cancels = kernel_cancels_commands();
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	long long live0, seen = -1;
	struct drm_qaccel_bo_info info;
	struct qt_placed p;
	struct qt_bo spare;
	int64_t t0, freed_after = -1;
	int fd2, dmabuf, i;
	uint8_t *cmap;
	uint32_t c2;
	char why[160];

	NEED_URING(8, RING_FLAGS);
	NEED_SLOW();
	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, qt_placed_new(fd, &p, FLIGHT_ROWS, 16, 8, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_bo_create(fd, 4096, 0, &spare));
	/*
	 * A mapping of the device fd would keep its file open: C is read
	 * through another file of the device, which imports it.
	 */
	fd2 = qt_dev_reopen(&self->b.d);
	ASSERT_LE(0, fd2);
	dmabuf = qt_prime_export(fd, p.c.handle);
	ASSERT_LE(0, dmabuf);
	ASSERT_EQ(0, qt_prime_import(fd2, dmabuf, &c2));
	close(dmabuf);
	ASSERT_EQ(0, qt_bo_info(fd2, c2, &info));
	cmap = mmap(NULL, p.c.size, PROT_READ, MAP_SHARED, fd2, (off_t)info.mmap_offset);
	ASSERT_NE(MAP_FAILED, cmap);
	munmap(p.a.map, p.a.size);
	munmap(p.w.map, p.w.size);
	munmap(p.c.map, p.c.size);
	p.a.map = p.w.map = NULL;
	p.c.map = cmap;

	for (i = 0; i < FLIGHT_JOBS; i++) {
		ug_fill(&u, &p.job.gemm, 0, 0);
		ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, i));
	}
	ASSERT_EQ(FLIGHT_JOBS, ur_submit(&self->ring));
	qt_sleep_ms(100);
	close(fd);
	self->b.d.fd = -1;
	t0 = qt_now_ns();
	ur_close(&self->ring);
	EXPECT_GT(2 * QT_SEC, qt_now_ns() - t0) TH_LOG("closing the ring blocked");

	/* For 1.2 s (the jobs take 2.4 s): when does the unused BO go? */
	while (qt_now_ns() - t0 < 1200 * QT_MS) {
		ASSERT_EQ(0, qt_counter(&self->b.d.node, "live_bos", &seen));
		if (seen <= live0 + 3 && freed_after < 0) {
			freed_after = qt_now_ns() - t0;
			/* The jobs still hold A, W and C. */
			EXPECT_EQ(live0 + 3, seen) TH_LOG("the jobs' BOs were freed early");
		}
		qt_sleep_ms(20);
	}
	TH_LOG("commands %scancelable: the device file %s %lld ms after the ring closed",
	       cancels ? "" : "not ", freed_after < 0 ? "was still open" : "went away",
	       (long long)(freed_after < 0 ? qt_now_ns() - t0 : freed_after) / QT_MS);
	if (cancels) {
		EXPECT_LE(0, freed_after) {
			TH_LOG("the device file outlived the ring's teardown (live_bos %lld, %lld before)",
			       seen, live0);
		}
	} else {
		EXPECT_EQ(-1, freed_after) TH_LOG("the device file closed while commands were in flight");
		EXPECT_EQ(live0 + 4, seen);
	}
	/* All jobs done and released; C (imported into fd2) is the last BO. */
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0 + 1, 20000, &seen)) {
		TH_LOG("live_bos %lld, expected %lld", seen, live0 + 1);
	}
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	munmap(cmap, p.c.size);
	close(fd2);
	qt_gemm_free(&p.q);
}

/*
 * A child with slow jobs in flight is killed: it exits promptly, every BO
 * it had is released once its jobs are over, and the device still runs
 * jobs, through SUBMIT and through a ring.
 */
TEST_F_TIMEOUT(uring, killed_process_with_jobs_in_flight, 90)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	long long live0, seen = -1;
	int to_parent[2];
	int64_t t0;
	char byte = 0;
	pid_t pid;
	int status;

	NEED_URING(8, RING_FLAGS);
	NEED_SLOW();
	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct drm_qaccel_uring_gemm u;
		struct qt_placed cp;
		struct qt_rng r;
		struct qt_dev d;
		struct ur ring;
		int i;

		qt_rng_seed(&r, 7);
		if (qt_dev_open(&d, 0) || qt_placed_new(d.fd, &cp, FLIGHT_ROWS, 16, 8, OUT_S8, &r) ||
		    ur_setup(&ring, 8, RING_FLAGS))
			_exit(1);
		for (i = 0; i < FLIGHT_JOBS; i++) {
			ug_fill(&u, &cp.job.gemm, 0, 0);
			if (ur_prep_gemm(&ring, d.fd, &u, i))
				_exit(1);
		}
		if (ur_submit(&ring) != FLIGHT_JOBS)
			_exit(1);
		byte = 1;
		if (write(to_parent[1], &byte, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(to_parent[1]);
	ASSERT_EQ(1, read(to_parent[0], &byte, 1)) TH_LOG("the child failed to submit");
	qt_sleep_ms(100);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	t0 = qt_now_ns();
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_GT(5 * QT_SEC, qt_now_ns() - t0) TH_LOG("the killed child took long to exit");
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, 20000, &seen)) {
		TH_LOG("live_bos %lld after the child's jobs, %lld before", seen, live0);
	}

	EXPECT_EQ(0, qt_inject(&self->b.d.node, "delay_us 0"));
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 8, OUT_S8, &self->r));
	QT_RUN_EXACT(fd, &p, 0);
	EXPECT_EQ(2, run_exact(_metadata, &self->ring, fd, &p, 0));
	qt_placed_free(fd, &p);
}

/*
 * The device fd is closed with commands in flight: the ring keeps the
 * file open, and every CQE still arrives, in order, with res 0 and its
 * seqno; C is bit-exact.
 */
TEST_F_TIMEOUT(uring, device_fd_closed_with_commands_in_flight, 90)
{
	struct drm_qaccel_uring_gemm u;
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct ucqe cqe;
	char why[160];
	int i;

	NEED_URING(8, RING_FLAGS);
	NEED_SLOW();
	ASSERT_EQ(0, qt_placed_new(fd, &p, 10, 16, 8, OUT_S8, &self->r));
	for (i = 0; i < 3; i++) {
		ug_fill(&u, &p.job.gemm, 0, 0);
		ASSERT_EQ(0, ur_prep_gemm(&self->ring, fd, &u, 100 + i));
	}
	ASSERT_EQ(3, ur_submit(&self->ring));
	close(fd);
	self->b.d.fd = -1;
	ASSERT_EQ(0, ur_wait(&self->ring, 3, QT_JOB_TIMEOUT)) {
		TH_LOG("%u of 3 CQEs", ur_ready(&self->ring));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ur_pop(&self->ring, &cqe));
		EXPECT_EQ(100 + i, cqe.user_data);
		EXPECT_EQ(0, cqe.res) TH_LOG("job %d: res %d", i, cqe.res);
		EXPECT_EQ(i + 1, cqe.big[0]);
	}
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	munmap(p.a.map, p.a.size);
	munmap(p.w.map, p.w.size);
	munmap(p.c.map, p.c.size);
	qt_gemm_free(&p.q);
}

TEST_HARNESS_MAIN
