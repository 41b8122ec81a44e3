// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: hang and fault recovery. With fault injection (debugfs
 * inject) a guilty job hangs or faults in the middle of other work: it alone
 * completes with -ETIMEDOUT / -EIO, every other job completes exactly once
 * with status 0 and bit-exact output, the resets counter goes up by one, a
 * devcoredump appears (read and freed). A slow job that keeps progressing
 * outlives job_timeout_ms without a reset. A process killed with jobs in
 * flight (or hung) leaves a working device and no BO behind.
 *
 * Innocent work is submitted as two-job rings (x -> y, then y -> x in one
 * submission): running either job again after the ring completed changes
 * y, so a job run twice shows in the data; the counters must add up too.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8

FIXTURE(rec) {
	struct qt_base b;
	struct qt_rng r;
	int fd2;
	long timeout_ms;
};

FIXTURE_SETUP(rec)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0x4ec);
	self->fd2 = -1;
	self->timeout_ms = qaccel_module_param("job_timeout_ms");
	if (self->b.d.fd >= 0) {
		self->fd2 = qt_dev_reopen(&self->b.d);
		ASSERT_LE(0, self->fd2);
	}
}

FIXTURE_TEARDOWN(rec)
{
	if (self->b.d.fd >= 0 && (self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT)) {
		qt_inject(&self->b.d.node, "none");
		qt_inject(&self->b.d.node, "delay_us 0");
	}
	qt_devcd_free_all();
	qt_base_teardown(_metadata, &self->b);
}

#define NEED_INJECT() do {						\
	QT_NEED_JOBS(&self->b);						\
	if (!(self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT))		\
		SKIP(return, "the engine has no fault injection");	\
	if (qt_inject(&self->b.d.node, "none"))				\
		SKIP(return, "no debugfs inject file");			\
} while (0)

/* Two-job ring on x and y (u8 M x K, K = N): x -> y, then y -> x. */
struct ring {
	struct qt_gemm q1, q2;
	struct qt_bo x, y, w1, w2;
	struct drm_qaccel_job jobs[2];
	int fd;
	uint32_t queue;
	uint64_t seqno;
};

static int ring_new(int fd, struct ring *g, uint32_t m, uint32_t k, struct qt_rng *r)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->fd = fd;
	ret = qt_gemm_init(&g->q1, m, k, k, OUT_U8, 0, 0, r);
	if (!ret)
		ret = qt_gemm_init(&g->q2, m, k, k, OUT_U8, 0, 0, r);
	if (ret)
		return ret;
	qt_gemm_finish(&g->q1);				/* y1 = f1(x0) */
	memcpy(g->q2.a, g->q1.expect, g->q2.a_bytes);
	qt_gemm_finish(&g->q2);				/* x1 = f2(y1) */
	ret = qt_bo_new(fd, g->q1.a_bytes, 0, &g->x);
	if (!ret)
		ret = qt_bo_new(fd, g->q1.c_bytes, 0, &g->y);
	if (!ret)
		ret = qt_bo_new(fd, g->q1.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &g->w1);
	if (!ret)
		ret = qt_bo_new(fd, g->q2.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &g->w2);
	if (ret)
		return ret;
	memcpy(g->x.map, g->q1.a, g->q1.a_bytes);
	memcpy(g->w1.map, g->q1.packed, g->q1.packed_bytes);
	memcpy(g->w2.map, g->q2.packed, g->q2.packed_bytes);
	qt_job_fill(&g->jobs[0], &g->q1, g->x.va, g->w1.va, g->y.va);
	qt_job_fill(&g->jobs[1], &g->q2, g->y.va, g->w2.va, g->x.va);
	return 0;
}

static int ring_submit(struct ring *g, uint32_t queue)
{
	uint32_t rd[2] = { g->w1.handle, g->w2.handle };
	uint32_t wr[2] = { g->x.handle, g->y.handle };

	g->queue = queue;
	return qt_submit(g->fd, queue, g->jobs, 2, rd, 2, wr, 2, NULL, 0, 0, &g->seqno);
}

/* 0 when x and y hold exactly one run of the ring, else 1 and why. */
static int ring_check(const struct ring *g, char *why, size_t len)
{
	if (qt_compare(g->y.map, g->q1.expect, g->q1.c_bytes, why, len))
		return 1;
	return qt_compare(g->x.map, g->q2.expect, g->q2.c_bytes, why, len);
}

static void ring_free(struct ring *g)
{
	qt_gemm_free(&g->q1);
	qt_gemm_free(&g->q2);
	qt_bo_free(g->fd, &g->x);
	qt_bo_free(g->fd, &g->y);
	qt_bo_free(g->fd, &g->w1);
	qt_bo_free(g->fd, &g->w2);
}

struct counters {
	long long submitted, completed, failed, resets;
};

static void read_counters(struct __test_metadata *_metadata, const struct qaccel_node *node,
			  struct counters *c)
{
	QT_COUNTER(node, "jobs_submitted", &c->submitted);
	QT_COUNTER(node, "jobs_completed", &c->completed);
	QT_COUNTER(node, "jobs_failed", &c->failed);
	QT_COUNTER(node, "resets", &c->resets);
}

/* Expect exactly one new devcoredump: read it (non-empty) and free it. */
static void expect_one_devcoredump(struct __test_metadata *_metadata)
{
	char names[QT_DEVCD_MAX][32];
	int n, i;
	long size;

	/* The dump is created by the reset path, possibly just after the fence. */
	for (i = 0; i < 50; i++) {
		n = qt_devcd_list(names, QT_DEVCD_MAX);
		if (n > 0)
			break;
		qt_sleep_ms(20);
	}
	ASSERT_LT(0, n) TH_LOG("no devcoredump in /sys/class/devcoredump after the reset");
	EXPECT_EQ(1, n);
	size = qt_devcd_read_free(names[0]);
	EXPECT_LT(0, size) TH_LOG("devcoredump %s: %ld", names[0], size);
	TH_LOG("devcoredump %s: %ld bytes", names[0], size);
	qt_sleep_ms(50);
	n = qt_devcd_list(names, QT_DEVCD_MAX);
	EXPECT_EQ(0, n) TH_LOG("the devcoredump was not freed by writing to data");
}

/*
 * A guilty job (injected hang or fault) in a batch: innocent rings before
 * it (completed), behind it on its own queue, on another queue of its file,
 * on another file and on the other engine; exact accounting afterwards.
 */
static void guilty_in_batch(struct __test_metadata *_metadata, FIXTURE_DATA(rec) *self,
			    const char *inject, int32_t guilty_status)
{
	enum { BEFORE = 2, AFTER = 6 };
	struct ring before[BEFORE], after[AFTER], other_engine[3];
	struct counters c0, c1, e0 = { 0 }, e1 = { 0 };
	int fd = self->b.d.fd, i, have2;
	struct qt_dev d2 = { .fd = -1 };
	struct qt_placed guilty;
	uint32_t q1, q2;
	uint64_t gseq;
	int32_t status;
	char why[160];
	int64_t t0;

	QT_NEED_QUEUES(&self->b);
	qt_devcd_free_all();
	have2 = qt_node_count() >= 2 && qt_dev_open(&d2, 1) == 0;

	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q1));
	ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_HIGH, &q2));
	ASSERT_EQ(0, qt_placed_new(fd, &guilty, 8, 32, 16, OUT_S8, &self->r));
	for (i = 0; i < BEFORE; i++) {
		ASSERT_EQ(0, ring_new(self->fd2, &before[i], 6, 20, &self->r));
	}
	for (i = 0; i < AFTER; i++) {
		ASSERT_EQ(0, ring_new(i < 4 ? fd : self->fd2, &after[i], 5, 24, &self->r));
	}
	if (have2) {
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, ring_new(d2.fd, &other_engine[i], 7, 16, &self->r));
		}
		read_counters(_metadata, &d2.node, &e0);
	}
	read_counters(_metadata, &self->b.d.node, &c0);

	/* Before: completed before anything goes wrong. */
	for (i = 0; i < BEFORE; i++) {
		ASSERT_EQ(0, ring_submit(&before[i], 0));
		ASSERT_EQ(0, qt_job_wait(self->fd2, 0, before[i].seqno, QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(0, status);
	}

	/* The engine is idle: the injection hits the next job it starts. */
	ASSERT_EQ(0, qt_inject(&self->b.d.node, inject));
	t0 = qt_now_ns();
	ASSERT_EQ(0, qt_placed_submit(fd, &guilty, q1, NULL, 0, 0, &gseq));
	/* After: behind it on its queue, on another queue, on another file. */
	ASSERT_EQ(0, ring_submit(&after[0], q1));
	ASSERT_EQ(0, ring_submit(&after[1], q1));
	ASSERT_EQ(0, ring_submit(&after[2], 0));
	ASSERT_EQ(0, ring_submit(&after[3], q2));
	ASSERT_EQ(0, ring_submit(&after[4], 0));
	ASSERT_EQ(0, ring_submit(&after[5], 0));
	if (have2) {
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, ring_submit(&other_engine[i], 0));
		}
	}

	ASSERT_EQ(0, qt_job_wait(fd, q1, gseq, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(guilty_status, status) {
		TH_LOG("guilty job (%s): status %d, expected %d", inject, status, guilty_status);
	}
	TH_LOG("%s: guilty job completed after %lld ms", inject,
	       (long long)((qt_now_ns() - t0) / QT_MS));
	for (i = 0; i < AFTER; i++) {
		ASSERT_EQ(0, qt_job_wait(after[i].fd, after[i].queue, after[i].seqno,
					 QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(0, status) TH_LOG("innocent ring %d", i);
		EXPECT_EQ(0, ring_check(&after[i], why, sizeof(why))) {
			TH_LOG("innocent ring %d: %s", i, why);
		}
	}
	for (i = 0; i < BEFORE; i++) {
		EXPECT_EQ(0, ring_check(&before[i], why, sizeof(why))) {
			TH_LOG("ring completed before the %s: %s", inject, why);
		}
	}
	if (have2) {
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, qt_job_wait(d2.fd, 0, other_engine[i].seqno, QT_JOB_TIMEOUT,
						 &status));
			EXPECT_EQ(0, status);
			EXPECT_EQ(0, ring_check(&other_engine[i], why, sizeof(why))) {
				TH_LOG("other engine's ring %d: %s", i, why);
			}
		}
		read_counters(_metadata, &d2.node, &e1);
		EXPECT_EQ(e0.resets, e1.resets) TH_LOG("the other engine was reset");
		EXPECT_EQ(e0.failed, e1.failed);
	}

	/* Every job counted once: 2 per ring, the guilty one failed. */
	read_counters(_metadata, &self->b.d.node, &c1);
	EXPECT_EQ(c0.resets + 1, c1.resets);
	EXPECT_EQ(c0.failed + 1, c1.failed);
	EXPECT_EQ(c0.completed + 2 * (BEFORE + AFTER), c1.completed) {
		TH_LOG("jobs_completed went from %lld to %lld for %d jobs", c0.completed,
		       c1.completed, 2 * (BEFORE + AFTER));
	}
	EXPECT_EQ(c0.submitted + 2 * (BEFORE + AFTER) + 1, c1.submitted);
	expect_one_devcoredump(_metadata);

	/* The device, and the guilty file and queue, still work. */
	qt_placed_reset_c(&guilty);
	QT_RUN_EXACT(fd, &guilty, q1);

	qt_placed_free(fd, &guilty);
	for (i = 0; i < BEFORE; i++)
		ring_free(&before[i]);
	for (i = 0; i < AFTER; i++)
		ring_free(&after[i]);
	if (have2) {
		for (i = 0; i < 3; i++)
			ring_free(&other_engine[i]);
		qt_dev_close(&d2);
	}
}

TEST_F_TIMEOUT(rec, hang_in_batch_fails_guilty_job_only, 60)
{
	NEED_INJECT();
	guilty_in_batch(_metadata, self, "hang", -ETIMEDOUT);
}

TEST_F_TIMEOUT(rec, fault_in_batch_fails_guilty_job_only, 60)
{
	NEED_INJECT();
	guilty_in_batch(_metadata, self, "fault", -EIO);
}

/* Several resets in a row each recover; each leaves its own devcoredump. */
TEST_F_TIMEOUT(rec, consecutive_faults_and_hang_each_recover, 60)
{
	static const struct {
		const char *inject;
		int32_t status;
	} seq[] = { { "fault", -EIO }, { "fault", -EIO }, { "hang", -ETIMEDOUT } };
	struct counters c0, c1;
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint64_t seqno;
	int32_t status;
	size_t i;

	NEED_INJECT();
	qt_devcd_free_all();
	ASSERT_EQ(0, qt_placed_new(fd, &p, 4, 16, 16, OUT_S8, &self->r));
	read_counters(_metadata, &self->b.d.node, &c0);
	for (i = 0; i < QT_ARRAY_SIZE(seq); i++) {
		ASSERT_EQ(0, qt_inject(&self->b.d.node, seq[i].inject));
		ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, NULL, 0, 0, &seqno));
		ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(seq[i].status, status) TH_LOG("%s #%zu", seq[i].inject, i);
		expect_one_devcoredump(_metadata);
		qt_placed_reset_c(&p);
		QT_RUN_EXACT(fd, &p, 0);
	}
	read_counters(_metadata, &self->b.d.node, &c1);
	EXPECT_EQ(c0.resets + 3, c1.resets);
	EXPECT_EQ(c0.failed + 3, c1.failed);
	qt_placed_free(fd, &p);
}

/* debugfs inject shows what is armed, and rejects what it does not know. */
TEST_F(rec, inject_file_shows_armed_state)
{
	char text[256];

	NEED_INJECT();

	ASSERT_EQ(0, qt_inject(&self->b.d.node, "hang"));
	ASSERT_LE(0, qt_debugfs_read(&self->b.d.node, "inject", text, sizeof(text)));
	EXPECT_NE(NULL, strstr(text, "hang")) TH_LOG("inject reads \"%s\" with hang armed", text);
	ASSERT_EQ(0, qt_inject(&self->b.d.node, "none"));
	ASSERT_LE(0, qt_debugfs_read(&self->b.d.node, "inject", text, sizeof(text)));
	EXPECT_EQ(NULL, strstr(text, "hang")) TH_LOG("inject reads \"%s\" after none", text);
	ASSERT_EQ(0, qt_inject(&self->b.d.node, "fault"));
	ASSERT_LE(0, qt_debugfs_read(&self->b.d.node, "inject", text, sizeof(text)));
	EXPECT_NE(NULL, strstr(text, "fault")) TH_LOG("inject reads \"%s\" with fault armed", text);
	ASSERT_EQ(0, qt_inject(&self->b.d.node, "fault 7"));
	ASSERT_LE(0, qt_debugfs_read(&self->b.d.node, "inject", text, sizeof(text)));
	EXPECT_NE(NULL, strstr(text, "fault 7")) TH_LOG("inject reads \"%s\" with fault 7", text);
	ASSERT_EQ(0, qt_inject(&self->b.d.node, "none"));
	EXPECT_NE(0, qt_inject(&self->b.d.node, "explode"));
	/* A count that is not 0 to 255, or junk after the word, arms nothing. */
	EXPECT_NE(0, qt_inject(&self->b.d.node, "fault 256"));
	EXPECT_NE(0, qt_inject(&self->b.d.node, "hang -1"));
	EXPECT_NE(0, qt_inject(&self->b.d.node, "faulty"));
	EXPECT_NE(0, qt_inject(&self->b.d.node, "hang 2x"));
	ASSERT_LE(0, qt_debugfs_read(&self->b.d.node, "inject", text, sizeof(text)));
	EXPECT_EQ(0, strncmp(text, "none", 4)) TH_LOG("inject reads \"%s\" after rejected words", text);
}

/*
 * A long job that keeps progressing (every work unit slowed down, each well
 * under job_timeout_ms) runs for more than twice the timeout and completes
 * normally: no reset, no failure, exact output.
 */
TEST_F_TIMEOUT(rec, slow_progressing_job_is_not_reset, 60)
{
	long timeout_ms = self->timeout_ms > 0 ? self->timeout_ms : 2000;
	struct counters c0, c1;
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint32_t unit_us, units;
	uint64_t seqno;
	int32_t status;
	char cmd[48], why[160];
	int64_t t0, ms;

	NEED_INJECT();
	if (self->timeout_ms <= 0)
		TH_LOG("module parameter job_timeout_ms unreadable: assuming 2000");
	if (timeout_ms > 3000)
		SKIP(return, "job_timeout_ms %ld would make this test too long", timeout_ms);

	/* 2.5 timeouts of work in units of an eighth of the timeout. */
	unit_us = (uint32_t)(timeout_ms * 1000 / 8);
	units = 20;
	ASSERT_EQ(0, qt_placed_new(fd, &p, units, 16, 8, OUT_S8, &self->r));	/* M units */
	read_counters(_metadata, &self->b.d.node, &c0);
	snprintf(cmd, sizeof(cmd), "delay_us %u", unit_us);
	ASSERT_EQ(0, qt_inject(&self->b.d.node, cmd));
	t0 = qt_now_ns();
	ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, NULL, 0, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	ms = (qt_now_ns() - t0) / QT_MS;
	ASSERT_EQ(0, qt_inject(&self->b.d.node, "delay_us 0"));
	TH_LOG("job of %u units of %u us took %lld ms (job_timeout_ms %ld)", units, unit_us,
	       (long long)ms, timeout_ms);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_LT(timeout_ms, ms) TH_LOG("the delay did not make the job outlast the timeout");
	read_counters(_metadata, &self->b.d.node, &c1);
	EXPECT_EQ(c0.resets, c1.resets) TH_LOG("a progressing job was reset");
	EXPECT_EQ(c0.failed, c1.failed);
	qt_placed_free(fd, &p);
}

/*
 * A child process submits a lot of (slowed-down) work on two queues and is
 * killed with it in flight. The device keeps working and every BO of the
 * child is freed.
 */
static void kill_child_with_jobs(struct __test_metadata *_metadata, FIXTURE_DATA(rec) *self,
				 int hang)
{
	const struct qaccel_node *node = &self->b.d.node;
	long long live0, live;
	int pipefd[2], status;
	struct qt_placed p;
	char c = 0;
	pid_t pid;

	QT_NEED_QUEUES(&self->b);
	QT_COUNTER(node, "live_bos", &live0);
	ASSERT_EQ(0, pipe(pipefd));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct qt_placed cp[4];
		struct qt_rng r;
		uint32_t q[2];
		int cfd, i, j;
		uint64_t s;

		close(pipefd[0]);
		cfd = qt_dev_reopen(&self->b.d);
		if (cfd < 0)
			_exit(1);
		qt_rng_seed(&r, 99);
		for (i = 0; i < 4; i++)
			if (qt_placed_new(cfd, &cp[i], 16, 16, 16, OUT_S8, &r))
				_exit(2);
		for (i = 0; i < 2; i++)
			if (qt_queue_create(cfd, DRM_QACCEL_PRIORITY_NORMAL, &q[i]))
				_exit(3);
		if (hang && qt_inject(node, "hang"))
			_exit(4);
		for (j = 0; j < 16; j++)
			for (i = 0; i < 4; i++)
				if (qt_placed_submit(cfd, &cp[i], q[i % 2], NULL, 0, 0, &s))
					_exit(5);
		if (write(pipefd[1], "s", 1) != 1)
			_exit(6);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1)) TH_LOG("the child failed before submitting");
	close(pipefd[0]);
	qt_sleep_ms(hang ? 300 : 100);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	/* Speed up whatever still has to drain. */
	qt_inject(node, "delay_us 0");

	EXPECT_EQ(0, qt_live_bos_settle(node, live0, 20000, &live)) {
		TH_LOG("live_bos %lld after the killed child, %lld before", live, live0);
	}
	ASSERT_EQ(0, qt_placed_new(self->fd2, &p, 9, 31, 27, OUT_U8, &self->r));
	QT_RUN_EXACT(self->fd2, &p, 0);
	qt_placed_free(self->fd2, &p);
	qt_devcd_free_all();
}

TEST_F_TIMEOUT(rec, killed_process_with_jobs_in_flight_leaves_no_trace, 90)
{
	QT_NEED_JOBS(&self->b);
	if ((self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT) &&
	    qt_inject(&self->b.d.node, "delay_us 2000") == 0)
		TH_LOG("jobs slowed down to 32 ms each");
	kill_child_with_jobs(_metadata, self, 0);
}

TEST_F_TIMEOUT(rec, killed_process_with_hung_job_leaves_no_trace, 90)
{
	NEED_INJECT();
	kill_child_with_jobs(_metadata, self, 1);
}

TEST_HARNESS_MAIN
