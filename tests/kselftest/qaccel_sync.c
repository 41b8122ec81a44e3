// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: queues, fences and syncobjs. Out-syncobjs signal when
 * the job is done; a job waits for its in-syncobjs (across queues and, with
 * an exported syncobj, across files); implicit fencing through the BOs'
 * reservation objects orders writers and readers on different queues;
 * queue priorities, the per-file queue limit, queue destruction, JOB_WAIT
 * and BO_WAIT timeouts, and the JOB_HISTORY window.
 *
 * Ordering needs a gate: one engine runs its ring in order, so a job
 * submitted first also runs first whether or not the driver honours a
 * dependency. The gate is a slow job on the second engine (debugfs inject
 * "delay_us" there), whose out-syncobj is exported and imported into this
 * file: the first job of a dependency waits for it, so a job that does not
 * wait for the first one (a lost dependency) runs, and completes, before it.
 * Without a second engine or delay injection the tests still run, but say
 * that a lost dependency would go unnoticed. No test asserts timing.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8
#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define OUT_S32	DRM_QACCEL_GEMM_OUT_S32
#define A_S8	DRM_QACCEL_GEMM_A_S8

/* Extra engine time per work unit (M x ceil(N / 16) units per GEMM). */
#define SLOW_US		40000
/* Rows of the gate job: GATE_ROWS * SLOW_US of engine time. */
#define GATE_ROWS	30

/* A slow job on the second engine whose fence gates jobs of this file. */
struct gate {
	struct qt_dev d2;
	struct qt_placed job;
	uint32_t so2;		/* its out-syncobj, in d2's file */
	uint64_t seqno;
	int armed;
};

FIXTURE(sync) {
	struct qt_base b;
	struct qt_rng r;
	int slowed;
	struct gate gate;
};

FIXTURE_SETUP(sync)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0x5c);
	self->gate.d2.fd = -1;
}

FIXTURE_TEARDOWN(sync)
{
	if (self->slowed) {
		EXPECT_EQ(0, qt_inject(&self->b.d.node, "delay_us 0"));
	}
	if (self->gate.armed) {
		EXPECT_EQ(0, qt_inject(&self->gate.d2.node, "delay_us 0"));
	}
	qt_base_teardown(_metadata, &self->b);
}

/* Slow this file's engine down when it can be; 1 when it was. */
static int slow_engine(FIXTURE_DATA(sync) *self)
{
	char cmd[32];

	if (!(self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT))
		return 0;
	snprintf(cmd, sizeof(cmd), "delay_us %d", SLOW_US);
	if (qt_inject(&self->b.d.node, cmd))
		return 0;
	self->slowed = 1;
	return 1;
}

/*
 * Start the gate and return its fence as a syncobj of this file in *h; 0
 * and *h = 0 when there is no gate (one engine, or no delay injection).
 */
static void gate_open_rows(struct __test_metadata *_metadata, FIXTURE_DATA(sync) *self,
			   uint32_t *h, uint32_t rows)
{
	struct gate *g = &self->gate;
	struct drm_syncobj_handle sh;
	char cmd[32];

	*h = 0;
	if (qt_node_count() < 2 || qt_dev_open(&g->d2, 1)) {
		TH_LOG("no second engine: a lost dependency would go unnoticed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "delay_us %d", SLOW_US);
	if (!(g->d2.caps & DRM_QACCEL_CAP_FAULT_INJECT) || qt_inject(&g->d2.node, cmd)) {
		TH_LOG("no delay injection: a lost dependency would go unnoticed");
		return;
	}
	g->armed = 1;
	ASSERT_EQ(0, qt_placed_new(g->d2.fd, &g->job, rows, 16, 8, OUT_S8, &self->r));
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

static void gate_open(struct __test_metadata *_metadata, FIXTURE_DATA(sync) *self, uint32_t *h)
{
	gate_open_rows(_metadata, self, h, GATE_ROWS);
}

/* The gate job has completed (or there is none). */
static int gate_done(FIXTURE_DATA(sync) *self)
{
	int32_t status = -1;

	if (!self->gate.armed)
		return 1;
	return qt_job_wait(self->gate.d2.fd, 0, self->gate.seqno, 0, &status) == 0 &&
	       status == 0;
}

/* 1 when the submission has completed with status 0 (polled). */
static int done_ok(int fd, uint32_t queue, uint64_t seqno)
{
	int32_t status = -1;

	return qt_job_wait(fd, queue, seqno, 0, &status) == 0 && status == 0;
}

/*
 * Two GEMMs where the second reads the first's output as its A:
 * first = A x W1 -> C1 (u8, M x N1), second = C1 x W2 -> C2.
 */
struct pair {
	struct qt_placed first;
	struct qt_gemm q2;
	struct qt_bo w2, c2;
	struct drm_qaccel_job job2;
};

static int pair_new(int fd, struct pair *p, uint32_t m, uint32_t n1, uint32_t n2,
		    uint32_t k, struct qt_rng *r)
{
	int ret;

	memset(p, 0, sizeof(*p));
	ret = qt_placed_new(fd, &p->first, m, n1, k, OUT_U8, r);
	if (ret)
		return ret;
	ret = qt_gemm_init(&p->q2, m, n2, n1, OUT_S32, 0, 0, r);
	if (ret)
		return ret;
	memcpy(p->q2.a, p->first.q.expect, p->q2.a_bytes);
	qt_gemm_finish(&p->q2);
	ret = qt_bo_new(fd, p->q2.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &p->w2);
	if (!ret)
		ret = qt_bo_new(fd, p->q2.c_bytes, 0, &p->c2);
	if (ret)
		return ret;
	memcpy(p->w2.map, p->q2.packed, p->q2.packed_bytes);
	memset(p->c2.map, QT_C_FILL, p->c2.size);
	qt_job_fill(&p->job2, &p->q2, p->first.c.va, p->w2.va, p->c2.va);
	return 0;
}

/* Submit the second job: it reads first.c and w2, writes c2. */
static int pair_submit2(int fd, struct pair *p, uint32_t queue, const uint32_t *in,
			uint32_t nin, uint64_t *seqno)
{
	uint32_t rd[2] = { p->first.c.handle, p->w2.handle };

	return qt_submit(fd, queue, &p->job2, 1, rd, 2, &p->c2.handle, 1, in, nin, 0, seqno);
}

static void pair_free(int fd, struct pair *p)
{
	qt_placed_free(fd, &p->first);
	qt_gemm_free(&p->q2);
	qt_bo_free(fd, &p->w2);
	qt_bo_free(fd, &p->c2);
}

TEST_F(sync, out_syncobj_signals_when_job_completes)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint32_t so, gate;
	uint64_t seqno;
	int32_t status;
	char why[160];
	int ret;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so));
	ret = qt_placed_new(fd, &p, 12, 40, 30, A_S8 | OUT_S8, &self->r);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, qt_syncobj_has_fence(fd, so));
	gate_open(_metadata, self, &gate);
	ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, &gate, gate ? 1 : 0, so, &seqno));
	EXPECT_EQ(1, qt_syncobj_has_fence(fd, so));
	if (gate) {
		/* Held back by the gate: not signalled yet. */
		EXPECT_EQ(-ETIME, qt_syncobj_wait(fd, &so, 1, 0, 0));
	}
	ASSERT_EQ(0, qt_syncobj_wait(fd, &so, 1, QT_JOB_TIMEOUT, 0));
	/* Signalled means done: the status is known without waiting. */
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, 0, &status));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(gate_done(self));
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	qt_placed_free(fd, &p);
	EXPECT_EQ(0, qt_syncobj_destroy(fd, so));
}

/*
 * A job on queue 2 that waits for the out-syncobj of a (gated) job on
 * queue 1 starts after it: it reads its output correctly and, once it is
 * done, the job on queue 1 is done too.
 */
TEST_F(sync, queue2_job_waits_for_out_syncobj_of_queue1)
{
	int fd = self->b.d.fd;
	uint32_t q1, q2, so, gate;
	uint64_t s1, s2;
	int32_t status;
	struct pair p;
	char why[160];
	int ret;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q1));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_HIGH, &q2));
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so));
	ret = pair_new(fd, &p, 24, 16, 16, 20, &self->r);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	gate_open(_metadata, self, &gate);

	ASSERT_EQ(0, qt_placed_submit(fd, &p.first, q1, &gate, gate ? 1 : 0, so, &s1));
	ASSERT_EQ(0, pair_submit2(fd, &p, q2, &so, 1, &s2));
	ASSERT_EQ(0, qt_job_wait(fd, q2, s2, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(done_ok(fd, q1, s1)) {
		TH_LOG("the job on queue 2 completed before the one it waits for");
	}
	EXPECT_TRUE(gate_done(self));
	EXPECT_EQ(0, qt_placed_check(&p.first, why, sizeof(why))) TH_LOG("first: %s", why);
	EXPECT_EQ(0, qt_compare(p.c2.map, p.q2.expect, p.q2.c_bytes, why, sizeof(why))) {
		TH_LOG("second: %s", why);
	}
	pair_free(fd, &p);
	EXPECT_EQ(0, qt_syncobj_destroy(fd, so));
	EXPECT_EQ(0, qt_queue_destroy(fd, q1));
	EXPECT_EQ(0, qt_queue_destroy(fd, q2));
}

/*
 * The explicit dependency alone orders jobs that share no BO: the job on
 * queue 2 touches other buffers, so only the syncobj holds it back.
 */
TEST_F(sync, in_syncobj_orders_jobs_sharing_no_bo)
{
	int fd = self->b.d.fd;
	struct qt_placed first, second;
	uint32_t q1, q2, so, gate;
	uint64_t s1, s2;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_LOW, &q1));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q2));
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so));
	ASSERT_EQ(0, qt_placed_new(fd, &first, 30, 16, 8, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_placed_new(fd, &second, 1, 16, 8, OUT_S8, &self->r));
	gate_open(_metadata, self, &gate);

	ASSERT_EQ(0, qt_placed_submit(fd, &first, q1, &gate, gate ? 1 : 0, so, &s1));
	ASSERT_EQ(0, qt_placed_submit(fd, &second, q2, &so, 1, 0, &s2));
	ASSERT_EQ(0, qt_job_wait(fd, q2, s2, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(done_ok(fd, q1, s1)) {
		TH_LOG("the waiting job completed before the job it waits for");
	}
	EXPECT_TRUE(gate_done(self)) TH_LOG("a job ran before the gate it waits for");
	EXPECT_EQ(0, qt_placed_check(&first, why, sizeof(why))) TH_LOG("first: %s", why);
	EXPECT_EQ(0, qt_placed_check(&second, why, sizeof(why))) TH_LOG("second: %s", why);
	qt_placed_free(fd, &first);
	qt_placed_free(fd, &second);
	EXPECT_EQ(0, qt_syncobj_destroy(fd, so));
}

/* A job with several in-syncobjs waits for all of them, the gated one too. */
TEST_F(sync, job_waits_for_every_in_syncobj)
{
	int fd = self->b.d.fd;
	struct qt_placed p[3];
	uint32_t q[3], so[2], gate;
	uint64_t s[3];
	int32_t status;
	char why[160];
	int i;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q[i]));
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 4 + 8 * i, 16, 8, OUT_U8, &self->r));
	}
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so[0]));
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so[1]));
	gate_open(_metadata, self, &gate);

	/* p[1] is gated, p[0] is not; p[2] waits for both (gated one second). */
	ASSERT_EQ(0, qt_placed_submit(fd, &p[0], q[0], NULL, 0, so[0], &s[0]));
	ASSERT_EQ(0, qt_placed_submit(fd, &p[1], q[1], &gate, gate ? 1 : 0, so[1], &s[1]));
	ASSERT_EQ(0, qt_placed_submit(fd, &p[2], q[2], so, 2, 0, &s[2]));
	ASSERT_EQ(0, qt_job_wait(fd, q[2], s[2], QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(done_ok(fd, q[i], s[i])) TH_LOG("dependency %d was not complete", i);
	}
	EXPECT_TRUE(gate_done(self)) TH_LOG("a job ran before the gate it waits for");
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) TH_LOG("%d: %s", i, why);
		qt_placed_free(fd, &p[i]);
	}
	EXPECT_EQ(0, qt_syncobj_destroy(fd, so[0]));
	EXPECT_EQ(0, qt_syncobj_destroy(fd, so[1]));
}

/* An in-syncobj created signalled does not hold the job back. */
TEST_F(sync, signalled_in_syncobj_lets_job_run)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint64_t seqno;
	int32_t status;
	char why[160];
	uint32_t so;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &so));
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 20, 9, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, &so, 1, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	qt_placed_free(fd, &p);
	EXPECT_EQ(0, qt_syncobj_destroy(fd, so));
}

/*
 * A dependency across files: file 1's out-syncobj, exported as an fd and
 * imported into file 2, orders file 2's job after file 1's (gated) job.
 */
TEST_F(sync, exported_syncobj_orders_jobs_of_two_files)
{
	struct drm_syncobj_handle h;
	struct qt_placed first, second;
	int fd = self->b.d.fd, fd2;
	uint32_t so, so2, gate;
	uint64_t s1, s2;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);

	fd2 = qt_dev_reopen(&self->b.d);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &so));
	ASSERT_EQ(0, qt_placed_new(fd, &first, 30, 16, 8, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_placed_new(fd2, &second, 1, 16, 8, OUT_S8, &self->r));
	gate_open(_metadata, self, &gate);

	ASSERT_EQ(0, qt_placed_submit(fd, &first, 0, &gate, gate ? 1 : 0, so, &s1));
	memset(&h, 0, sizeof(h));
	h.handle = so;
	ASSERT_EQ(0, ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h));
	h.handle = 0;
	ASSERT_EQ(0, ioctl(fd2, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h));
	so2 = h.handle;
	close(h.fd);
	ASSERT_EQ(0, qt_placed_submit(fd2, &second, 0, &so2, 1, 0, &s2));
	ASSERT_EQ(0, qt_job_wait(fd2, 0, s2, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(done_ok(fd, 0, s1)) {
		TH_LOG("file 2's job completed before file 1's job it waits for");
	}
	EXPECT_TRUE(gate_done(self)) TH_LOG("a job ran before the gate it waits for");
	EXPECT_EQ(0, qt_placed_check(&first, why, sizeof(why))) TH_LOG("file 1: %s", why);
	EXPECT_EQ(0, qt_placed_check(&second, why, sizeof(why))) TH_LOG("file 2: %s", why);
	qt_placed_free(fd, &first);
	qt_placed_free(fd2, &second);
	close(fd2);
}

/*
 * Implicit fencing, read after write: a job on queue 2 that reads the BO a
 * (gated) job on queue 1 writes, with no syncobj, sees the written data.
 */
TEST_F(sync, implicit_fence_orders_reader_after_writer)
{
	int fd = self->b.d.fd;
	uint32_t q1, q2, gate;
	uint64_t s1, s2;
	int32_t status;
	struct pair p;
	char why[160];

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q1));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q2));
	ASSERT_EQ(0, pair_new(fd, &p, 24, 16, 16, 20, &self->r));
	gate_open(_metadata, self, &gate);

	ASSERT_EQ(0, qt_placed_submit(fd, &p.first, q1, &gate, gate ? 1 : 0, 0, &s1));
	ASSERT_EQ(0, pair_submit2(fd, &p, q2, NULL, 0, &s2));
	ASSERT_EQ(0, qt_job_wait(fd, q2, s2, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(done_ok(fd, q1, s1)) {
		TH_LOG("the reader completed before the writer of its input");
	}
	EXPECT_TRUE(gate_done(self)) TH_LOG("a job ran before the gate it waits for");
	EXPECT_EQ(0, qt_compare(p.c2.map, p.q2.expect, p.q2.c_bytes, why, sizeof(why))) {
		TH_LOG("reader: %s", why);
	}
	pair_free(fd, &p);
}

/*
 * Implicit fencing, write after read: a job on queue 2 that overwrites the
 * A a (gated) job on queue 1 reads waits for that reader, which therefore
 * computes with the original A.
 */
TEST_F(sync, implicit_fence_orders_writer_after_reader)
{
	int fd = self->b.d.fd;
	struct qt_placed reader, writer;
	struct drm_qaccel_job job;
	uint32_t q1, q2, rd[2], gate;
	uint64_t s1, s2;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q1));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q2));
	/* reader: A (M=24 x K=16) -> C; writer: 1 x 16 u8 over the first row of reader's A. */
	ASSERT_EQ(0, qt_placed_new(fd, &reader, 24, 16, 16, OUT_S32, &self->r));
	ASSERT_EQ(0, qt_placed_new(fd, &writer, 1, 16, 8, OUT_U8, &self->r));
	qt_job_fill(&job, &writer.q, writer.a.va, writer.w.va, reader.a.va);
	gate_open(_metadata, self, &gate);

	ASSERT_EQ(0, qt_placed_submit(fd, &reader, q1, &gate, gate ? 1 : 0, 0, &s1));
	rd[0] = writer.a.handle;
	rd[1] = writer.w.handle;
	ASSERT_EQ(0, qt_submit(fd, q2, &job, 1, rd, 2, &reader.a.handle, 1, NULL, 0, 0, &s2));
	ASSERT_EQ(0, qt_job_wait(fd, q2, s2, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_TRUE(done_ok(fd, q1, s1)) {
		TH_LOG("the writer completed before the reader of the old data");
	}
	EXPECT_TRUE(gate_done(self)) TH_LOG("a job ran before the gate it waits for");
	ASSERT_EQ(0, qt_job_wait(fd, q1, s1, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, qt_placed_check(&reader, why, sizeof(why))) {
		TH_LOG("reader saw the writer's data: %s", why);
	}
	/* The writer's output landed in the first row of reader's A. */
	EXPECT_EQ(0, qt_compare(reader.a.map, writer.q.expect, writer.q.c_bytes, why,
				sizeof(why))) TH_LOG("writer: %s", why);
	qt_placed_free(fd, &reader);
	qt_placed_free(fd, &writer);
}

/* Queues of every priority run their jobs; HIGH work completes. */
TEST_F(sync, every_priority_queue_completes_jobs)
{
	static const uint32_t prios[] = {
		DRM_QACCEL_PRIORITY_LOW, DRM_QACCEL_PRIORITY_NORMAL, DRM_QACCEL_PRIORITY_HIGH,
	};
	struct qt_placed p[3];
	int fd = self->b.d.fd;
	uint32_t q[3];
	uint64_t s[3];
	int32_t status;
	char why[160];
	int i, round;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	for (i = 0; i < 3; i++) {
		int ret = qt_queue_create(fd, prios[i], &q[i]);

		ASSERT_EQ(0, ret) TH_LOG("priority %u: %s", prios[i], strerror(-ret));
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 8, 32, 24, OUT_S8 | (i ? A_S8 : 0),
					   &self->r));
	}
	/* Fill all three queues at once, several rounds. */
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, qt_placed_submit(fd, &p[i], q[i], NULL, 0, 0, &s[i]));
		}
		for (i = 2; i >= 0; i--) {
			ASSERT_EQ(0, qt_job_wait(fd, q[i], s[i], QT_JOB_TIMEOUT, &status));
			EXPECT_EQ(0, status) TH_LOG("priority %u", prios[i]);
			EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) {
				TH_LOG("priority %u: %s", prios[i], why);
			}
		}
	}
	for (i = 0; i < 3; i++) {
		qt_placed_free(fd, &p[i]);
		EXPECT_EQ(0, qt_queue_destroy(fd, q[i]));
	}
}

static int drop_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
	data[CAP_SYS_NICE / 32].permitted &= ~(1u << (CAP_SYS_NICE % 32));
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/* Without CAP_SYS_NICE, HIGH is refused with EPERM; LOW and NORMAL are not. */
TEST_F(sync, high_priority_needs_cap_sys_nice)
{
	int fd = self->b.d.fd;
	uint32_t q = 0xdead;
	int ret;

	QT_NEED(&self->b, QUEUE_CREATE);

	ret = drop_cap_sys_nice();
	if (ret)
		SKIP(return, "cannot drop CAP_SYS_NICE: %s", strerror(-ret));
	EXPECT_EQ(-EPERM, qt_queue_create(fd, DRM_QACCEL_PRIORITY_HIGH, &q));
	EXPECT_EQ(0xdead, q);
	EXPECT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_LOW, &q));
	EXPECT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
}

/*
 * Queue ids are non-zero and distinct; a file owns at most MAX_QUEUES
 * queues, queue 0 included, then QUEUE_CREATE fails with ENOSPC; destroying
 * one makes room for one.
 */
TEST_F(sync, queue_limit_per_file_is_enospc)
{
	struct qt_dev *d = &self->b.d;
	uint32_t ids[64], extra;
	int i, j, n = 0, ret = 0, fd2;

	QT_NEED_QUEUES(&self->b);
	ASSERT_GT(64, d->max_queues);

	for (i = 0; i < 64; i++) {
		ret = qt_queue_create(d->fd, i % 3, &ids[n]);
		if (ret)
			break;
		EXPECT_NE(0, ids[n]);
		for (j = 0; j < n; j++) {
			EXPECT_NE(ids[j], ids[n]);
		}
		n++;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ((int)d->max_queues - 1, n) {
		TH_LOG("created %d queues besides queue 0, MAX_QUEUES is %llu", n,
		       (unsigned long long)d->max_queues);
	}
	/* Another file has its own allowance. */
	fd2 = qt_dev_reopen(d);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, qt_queue_create(fd2, DRM_QACCEL_PRIORITY_NORMAL, &extra));
	close(fd2);

	ASSERT_LT(0, n);
	EXPECT_EQ(0, qt_queue_destroy(d->fd, ids[n - 1]));
	EXPECT_EQ(0, qt_queue_create(d->fd, DRM_QACCEL_PRIORITY_LOW, &extra));
	EXPECT_EQ(-ENOSPC, qt_queue_create(d->fd, DRM_QACCEL_PRIORITY_LOW, &extra));
}

/* Each queue numbers its own submissions from 1. */
TEST_F(sync, queues_number_submissions_independently)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint32_t q1, q2;
	uint64_t s;
	int32_t status;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	ASSERT_EQ(0, qt_placed_new(fd, &p, 2, 3, 4, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q1));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_LOW, &q2));
	ASSERT_EQ(0, qt_placed_submit(fd, &p, q1, NULL, 0, 0, &s));
	EXPECT_EQ(1, s);
	ASSERT_EQ(0, qt_placed_submit(fd, &p, q1, NULL, 0, 0, &s));
	EXPECT_EQ(2, s);
	ASSERT_EQ(0, qt_placed_submit(fd, &p, q2, NULL, 0, 0, &s));
	EXPECT_EQ(1, s);
	ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, NULL, 0, 0, &s));
	EXPECT_EQ(1, s);
	ASSERT_EQ(0, qt_job_wait(fd, q1, 2, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	ASSERT_EQ(0, qt_job_wait(fd, q2, 1, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	ASSERT_EQ(0, qt_job_wait(fd, 0, 1, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	/* Not handed out yet on q2. */
	EXPECT_EQ(-EINVAL, qt_job_wait(fd, q2, 2, 0, &status));
	qt_placed_free(fd, &p);
}

/*
 * Destroying a queue lets its queued (gated) jobs run to completion; the
 * queue id is gone for SUBMIT, JOB_WAIT and QUEUE_DESTROY.
 */
TEST_F(sync, destroyed_queue_still_completes_queued_jobs)
{
	int fd = self->b.d.fd;
	struct qt_placed p[4];
	uint32_t q, gate;
	uint64_t s;
	int32_t status;
	char why[160];
	int i;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);
	QT_NEED(&self->b, BO_WAIT);

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 6, 16, 12, OUT_U8, &self->r));
	}
	gate_open(_metadata, self, &gate);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, qt_placed_submit(fd, &p[i], q, &gate, gate ? 1 : 0, 0, &s));
	}
	/* Destroy the queue while its jobs wait (destroying may wait for them). */
	EXPECT_FALSE(gate_done(self)) TH_LOG("the gate was too short: the jobs already ran");
	ASSERT_EQ(0, qt_queue_destroy(fd, q));
	EXPECT_EQ(-ENOENT, qt_placed_submit(fd, &p[0], q, NULL, 0, 0, &s));
	EXPECT_EQ(-ENOENT, qt_job_wait(fd, q, 1, 0, &status));
	EXPECT_EQ(-ENOENT, qt_queue_destroy(fd, q));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, qt_bo_wait(fd, p[i].c.handle, QT_JOB_TIMEOUT));
		EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) TH_LOG("job %d: %s", i, why);
		qt_placed_free(fd, &p[i]);
	}
	EXPECT_TRUE(gate_done(self));
}

/*
 * "Jobs already queued still run to completion": also jobs whose
 * dependency takes longer than the hang timeout (a 3.5 s gate against the
 * default job_timeout_ms of 2000) run, and compute, once it signals.
 */
TEST_F_TIMEOUT(sync, destroyed_queue_runs_jobs_with_long_dependencies, 60)
{
	int fd = self->b.d.fd;
	struct qt_placed p[2];
	uint32_t q, gate;
	uint64_t s[2];
	int32_t status;
	char why[160];
	int i;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);
	QT_NEED(&self->b, BO_WAIT);

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 6, 16, 12, OUT_U8, &self->r));
	}
	gate_open_rows(_metadata, self, &gate, 3500000 / SLOW_US);
	if (!gate)
		SKIP(return, "needs a gate (second engine with delay injection)");
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, qt_placed_submit(fd, &p[i], q, &gate, 1, 0, &s[i]));
	}
	ASSERT_EQ(0, qt_queue_destroy(fd, q));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, qt_bo_wait(fd, p[i].c.handle, QT_JOB_TIMEOUT));
		EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) {
			TH_LOG("job %d of the destroyed queue did not run: %s", i, why);
		}
		qt_placed_free(fd, &p[i]);
	}
	(void)status;
}

/* JOB_WAIT and BO_WAIT report -ETIME for a job still running at the deadline. */
TEST_F(sync, waits_time_out_while_job_runs)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint64_t seqno;
	int32_t status = 12345;
	char why[160];

	QT_NEED_JOBS(&self->b);
	QT_NEED(&self->b, BO_WAIT);
	if (!slow_engine(self))
		SKIP(return, "needs delay injection (debugfs inject) to keep a job running");

	ASSERT_EQ(0, qt_placed_new(fd, &p, 40, 16, 8, OUT_S8, &self->r));	/* ~1.6 s */
	ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, NULL, 0, 0, &seqno));
	EXPECT_EQ(-ETIME, qt_job_wait(fd, 0, seqno, 0, &status));
	EXPECT_EQ(-ETIME, qt_job_wait(fd, 0, seqno, 20 * QT_MS, &status));
	EXPECT_EQ(-ETIME, qt_bo_wait(fd, p.c.handle, 0));
	EXPECT_EQ(-ETIME, qt_bo_wait(fd, p.a.handle, 10 * QT_MS));
	ASSERT_EQ(0, qt_bo_wait(fd, p.c.handle, QT_JOB_TIMEOUT));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, 0, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	qt_placed_free(fd, &p);
}

/*
 * Closing (and unmapping) every BO of a job right after submitting it,
 * while the job waits for its gate: the job keeps its BOs mapped until it
 * is done and computes on the original data, even though new BOs with
 * other data are created meanwhile; then the BOs are freed.
 */
TEST_F(sync, bos_closed_before_job_runs_stay_mapped_until_done)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	struct qt_bo fresh[3], out;
	long long live0, live;
	uint64_t seqno;
	int32_t status;
	uint32_t gate;
	char why[160];
	int i;

	QT_NEED_JOBS(&self->b);

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, qt_placed_new(fd, &p, 30, 16, 24, A_S8 | OUT_S32, &self->r));
	/* C stays readable through its CPU mapping after its handle is closed. */
	out = p.c;
	p.c.map = NULL;
	gate_open(_metadata, self, &gate);
	if (!gate)
		slow_engine(self);

	ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, &gate, gate ? 1 : 0, 0, &seqno));
	qt_bo_free(fd, &p.a);
	qt_bo_free(fd, &p.w);
	ASSERT_EQ(0, qt_gem_close(fd, out.handle));
	/* New BOs, possibly at the old addresses, with other data. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, qt_bo_new(fd, 4096, 0, &fresh[i]));
		memset(fresh[i].map, 0x3c + i, fresh[i].size);
	}
	EXPECT_FALSE(gate_done(self)) TH_LOG("the gate was too short: the job already ran");
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_compare(out.map, p.q.expect, p.q.c_bytes, why, sizeof(why))) {
		TH_LOG("C: %s", why);
	}
	munmap(out.map, out.size);
	for (i = 0; i < 3; i++)
		qt_bo_free(fd, &fresh[i]);
	qt_gemm_free(&p.q);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld after the job and the closes, %lld before", live, live0);
	}
}

/*
 * A file closed while its jobs wait for a gate (another engine's fence):
 * the jobs are cancelled or run, and either way every BO is freed once the
 * gate has passed; the device keeps working.
 */
TEST_F_TIMEOUT(sync, file_closed_with_gated_jobs_frees_everything, 60)
{
	const struct qaccel_node *node = &self->b.d.node;
	struct qt_placed p[3];
	long long live0, live;
	uint32_t gate, q;
	uint64_t s;
	int fd2, i;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	QT_COUNTER(node, "live_bos", &live0);
	fd2 = qt_dev_reopen(&self->b.d);
	ASSERT_LE(0, fd2);
	/* The gate is imported into this fixture's file; move it to fd2 via an fd. */
	gate_open(_metadata, self, &gate);
	if (!gate)
		SKIP(return, "needs a gate (second engine with delay injection)");
	{
		struct drm_syncobj_handle h;

		memset(&h, 0, sizeof(h));
		h.handle = gate;
		ASSERT_EQ(0, ioctl(self->b.d.fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h));
		h.handle = 0;
		ASSERT_EQ(0, ioctl(fd2, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h));
		close(h.fd);
		gate = h.handle;
	}
	ASSERT_EQ(0, qt_queue_create(fd2, DRM_QACCEL_PRIORITY_NORMAL, &q));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, qt_placed_new(fd2, &p[i], 8, 16, 8, OUT_S8, &self->r));
		ASSERT_EQ(0, qt_placed_submit(fd2, &p[i], i ? q : 0, &gate, 1, 0, &s));
	}
	for (i = 0; i < 3; i++)
		qt_placed_free(fd2, &p[i]);
	ASSERT_FALSE(gate_done(self)) TH_LOG("the gate was too short");
	close(fd2);
	EXPECT_EQ(0, qt_live_bos_settle(node, live0, 20000, &live)) {
		TH_LOG("live_bos %lld after closing the file, %lld before", live, live0);
	}
	EXPECT_EQ(0, qt_job_wait(self->gate.d2.fd, 0, self->gate.seqno, QT_JOB_TIMEOUT, NULL));
	ASSERT_EQ(0, qt_placed_new(self->b.d.fd, &p[0], 5, 20, 30, OUT_U8, &self->r));
	QT_RUN_EXACT(self->b.d.fd, &p[0], 0);
	qt_placed_free(self->b.d.fd, &p[0]);
}

/*
 * -ENODATA says a submission has completed and its status is forgotten: a
 * submission older than the last JOB_HISTORY ones that has not completed
 * yet (its queue waits for a gate) is not reported as -ENODATA; waiting for
 * it returns only once it has completed.
 */
TEST_F_TIMEOUT(sync, evicted_seqno_is_not_reported_done_before_it_completes, 60)
{
	struct qt_dev *d = &self->b.d;
	uint64_t history, i, seqno = 0;
	struct qt_placed p;
	int32_t status = 12345;
	uint32_t q, gate;
	int ret;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);
	ASSERT_LT(0, d->job_history) TH_LOG("GET_PARAM JOB_HISTORY is missing or 0");
	history = d->job_history;

	ASSERT_EQ(0, qt_queue_create(d->fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	ASSERT_EQ(0, qt_placed_new(d->fd, &p, 1, 1, 1, OUT_S8, &self->r));
	gate_open(_metadata, self, &gate);
	if (!gate)
		SKIP(return, "needs a gate (second engine with delay injection)");
	/* The first waits for the gate; the others queue behind it, in order. */
	for (i = 1; i <= history + 4; i++) {
		ASSERT_EQ(0, qt_placed_submit(d->fd, &p, q, i == 1 ? &gate : NULL, i == 1, 0,
					      &seqno));
	}
	ASSERT_FALSE(gate_done(self)) TH_LOG("the gate was too short");
	ret = qt_job_wait(d->fd, q, 1, 0, &status);
	EXPECT_EQ(-ETIME, ret) {
		TH_LOG("JOB_WAIT on submission 1 of %llu, all still waiting: %s, status %d",
		       (unsigned long long)seqno, ret ? strerror(-ret) : "0", status);
	}
	status = 12345;
	ret = qt_job_wait(d->fd, q, 1, QT_JOB_TIMEOUT, &status);
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(gate_done(self)) TH_LOG("JOB_WAIT returned before submission 1 ran");
	EXPECT_TRUE(status == 0 || status == -ENODATA) TH_LOG("status %d", status);
	ASSERT_EQ(0, qt_job_wait(d->fd, q, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	qt_placed_free(d->fd, &p);
}

/*
 * The statuses of the last JOB_HISTORY submissions of a queue stay known;
 * older completed ones report -ENODATA.
 */
TEST_F_TIMEOUT(sync, job_history_keeps_last_statuses, 120)
{
	struct qt_dev *d = &self->b.d;
	uint64_t history, total, i, seqno = 0;
	struct qt_placed p;
	int32_t status;

	QT_NEED_JOBS(&self->b);
	ASSERT_LT(0, d->job_history) TH_LOG("GET_PARAM JOB_HISTORY is missing or 0");

	history = d->job_history;
	total = history + 8;
	ASSERT_EQ(0, qt_placed_new(d->fd, &p, 1, 1, 1, OUT_S8, &self->r));
	for (i = 1; i <= total; i++) {
		ASSERT_EQ(0, qt_placed_submit(d->fd, &p, 0, NULL, 0, 0, &seqno));
		ASSERT_EQ(i, seqno);
		/* Keep the scheduler from piling up everything at once. */
		if (i % 64 == 0) {
			ASSERT_EQ(0, qt_job_wait(d->fd, 0, seqno, QT_JOB_TIMEOUT, &status));
		}
	}
	ASSERT_EQ(0, qt_job_wait(d->fd, 0, total, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	/* The oldest in the window, and the newest. */
	ASSERT_EQ(0, qt_job_wait(d->fd, 0, total - history + 1, 0, &status));
	EXPECT_EQ(0, status);
	/* Outside the window. */
	ASSERT_EQ(0, qt_job_wait(d->fd, 0, 1, 0, &status));
	EXPECT_EQ(-ENODATA, status);
	ASSERT_EQ(0, qt_job_wait(d->fd, 0, total - history, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(-ENODATA, status);
	/* Beyond the newest: never handed out. */
	EXPECT_EQ(-EINVAL, qt_job_wait(d->fd, 0, total + 1, 0, &status));
	qt_placed_free(d->fd, &p);
}

TEST_HARNESS_MAIN
