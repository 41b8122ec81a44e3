// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: load. Several processes, each with its own file and
 * queues, submit thousands of small GEMMs (M = N = K = 16) in batches of
 * MAX_JOBS jobs and one by one with a window of submissions in flight;
 * every status is checked and every output compared with the reference
 * engine. Other processes close their files with jobs still queued, or
 * create and free BOs while jobs run. The figures are printed as
 * "# stress: ..." lines.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define PROCS		4
#define BATCHES		128	/* per process, of MAX_JOBS jobs each */
#define SINGLES		1024	/* per process, one job per submission */
#define WINDOW		4	/* batches in flight per process */
#define SWINDOW		16	/* single submissions in flight */
#define NA		8	/* distinct A matrices per process */
#define DIM		16

static const uint32_t proc_flags[PROCS] = {
	DRM_QACCEL_GEMM_OUT_S8,
	DRM_QACCEL_GEMM_A_S8 | DRM_QACCEL_GEMM_OUT_U8,
	DRM_QACCEL_GEMM_OUT_S32,
	DRM_QACCEL_GEMM_A_S8 | DRM_QACCEL_GEMM_OUT_S8,
};

/* What each worker reports back through shared memory. */
struct report {
	long jobs, submissions, verified;
	long bad_status, bad_data, errors;
	int first_error;
	char what[96];
	int done;
};

FIXTURE(stress) {
	struct qt_base b;
	struct report *rep;	/* PROCS entries, shared with the workers */
};

FIXTURE_SETUP(stress)
{
	qt_base_setup(_metadata, &self->b, 0);
	self->rep = mmap(NULL, sizeof(struct report) * PROCS, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->rep);
	memset(self->rep, 0, sizeof(struct report) * PROCS);
}

FIXTURE_TEARDOWN(stress)
{
	munmap(self->rep, sizeof(struct report) * PROCS);
	qt_base_teardown(_metadata, &self->b);
}

static void fail(struct report *r, int err, const char *what)
{
	if (!r->errors++) {
		r->first_error = err;
		snprintf(r->what, sizeof(r->what), "%s", what);
	}
}

/*
 * One worker: its own file, two queues, NA A matrices and one weight block;
 * BATCHES submissions of max_jobs jobs (WINDOW in flight, each with its own
 * C buffer), then SINGLES one-job submissions (SWINDOW in flight).
 */
static void worker(const struct qt_dev *dev, int idx, struct report *r)
{
	uint32_t flags = proc_flags[idx], q[2], rd[2];
	uint32_t mj = (uint32_t)dev->max_jobs, slot_bytes, i, j;
	struct qt_gemm g[NA];
	struct qt_bo a, w, c[WINDOW], cs[SWINDOW];
	struct drm_qaccel_job *jobs;
	uint64_t seq[WINDOW], sseq[SWINDOW];
	uint32_t squeue[SWINDOW];
	struct qt_rng rng;
	int32_t status;
	int fd, ret;
	long b;

	fd = qt_dev_reopen(dev);
	if (fd < 0) {
		fail(r, fd, "open");
		return;
	}
	qt_rng_seed(&rng, 1000 + idx);
	for (i = 0; i < NA; i++) {
		if (qt_gemm_init(&g[i], DIM, DIM, DIM, flags, 0, 0, &rng)) {
			fail(r, -ENOMEM, "gemm");
			return;
		}
		if (i) {	/* one weight block: same W and parameters */
			memcpy(g[i].w, g[0].w, DIM * DIM);
			memcpy(g[i].bias, g[0].bias, DIM * 4);
			memcpy(g[i].wzp, g[0].wzp, DIM * 4);
			memcpy(g[i].mult, g[0].mult, DIM * 4);
			memcpy(g[i].shift, g[0].shift, DIM * 4);
			g[i].g.a_zp = g[0].g.a_zp;
			g[i].g.out_zp = g[0].g.out_zp;
			g[i].g.act_min = g[0].g.act_min;
			g[i].g.act_max = g[0].g.act_max;
		}
		qt_gemm_finish(&g[i]);
	}
	slot_bytes = (uint32_t)g[0].c_bytes;
	ret = qt_bo_new(fd, NA * 256, 0, &a);
	if (!ret)
		ret = qt_bo_new(fd, g[0].packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &w);
	for (i = 0; !ret && i < WINDOW; i++)
		ret = qt_bo_new(fd, (uint64_t)mj * slot_bytes, 0, &c[i]);
	for (i = 0; !ret && i < SWINDOW; i++)
		ret = qt_bo_new(fd, slot_bytes, 0, &cs[i]);
	if (!ret)
		ret = qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q[0]);
	if (!ret)
		ret = qt_queue_create(fd, idx % 2 ? DRM_QACCEL_PRIORITY_LOW : DRM_QACCEL_PRIORITY_HIGH,
				      &q[1]);
	jobs = calloc(mj, sizeof(*jobs));
	if (ret || !jobs) {
		fail(r, ret ? ret : -ENOMEM, "setup");
		return;
	}
	for (i = 0; i < NA; i++)
		memcpy(a.map + i * 256, g[i].a, g[i].a_bytes);
	memcpy(w.map, g[0].packed, g[0].packed_bytes);
	rd[0] = a.handle;
	rd[1] = w.handle;

	/* Batches: submission b uses C buffer b % WINDOW and queue b % 2. */
	for (b = 0; b < BATCHES + WINDOW; b++) {
		uint32_t s = (uint32_t)(b % WINDOW);

		if (b >= WINDOW) {	/* retire batch b - WINDOW */
			long old = b - WINDOW;

			ret = qt_job_wait(fd, q[old % 2], seq[s], QT_JOB_TIMEOUT, &status);
			if (ret) {
				fail(r, ret, "JOB_WAIT batch");
				break;
			}
			if (status)
				r->bad_status++;
			for (j = 0; j < mj; j++) {
				uint32_t ai = (uint32_t)((old * mj + j) % NA);

				if (memcmp(c[s].map + j * slot_bytes, g[ai].expect, slot_bytes))
					r->bad_data++;
				r->verified++;
			}
		}
		if (b >= BATCHES)
			continue;
		memset(c[s].map, QT_C_FILL, c[s].size);
		for (j = 0; j < mj; j++) {
			uint32_t ai = (uint32_t)((b * mj + j) % NA);

			qt_job_fill(&jobs[j], &g[ai], a.va + ai * 256, w.va,
				    c[s].va + j * slot_bytes);
		}
		ret = qt_submit(fd, q[b % 2], jobs, mj, rd, 2, &c[s].handle, 1, NULL, 0, 0,
				&seq[s]);
		if (ret) {
			fail(r, ret, "SUBMIT batch");
			break;
		}
		r->jobs += mj;
		r->submissions++;
	}

	/* Singles, round-robin over SWINDOW slots and the three queues. */
	for (b = 0; !r->errors && b < SINGLES + SWINDOW; b++) {
		uint32_t s = (uint32_t)(b % SWINDOW), ai;

		if (b >= SWINDOW) {
			long old = b - SWINDOW;

			ai = (uint32_t)(old % NA);
			ret = qt_job_wait(fd, squeue[s], sseq[s], QT_JOB_TIMEOUT, &status);
			if (ret) {
				fail(r, ret, "JOB_WAIT single");
				break;
			}
			if (status)
				r->bad_status++;
			if (memcmp(cs[s].map, g[ai].expect, slot_bytes))
				r->bad_data++;
			r->verified++;
		}
		if (b >= SINGLES)
			continue;
		ai = (uint32_t)(b % NA);
		memset(cs[s].map, QT_C_FILL, slot_bytes);
		qt_job_fill(&jobs[0], &g[ai], a.va + ai * 256, w.va, cs[s].va);
		squeue[s] = b % 3 == 2 ? 0 : q[b % 3];
		ret = qt_submit(fd, squeue[s], jobs, 1, rd, 2, &cs[s].handle, 1, NULL, 0, 0,
				&sseq[s]);
		if (ret) {
			fail(r, ret, "SUBMIT single");
			break;
		}
		r->jobs++;
		r->submissions++;
	}
	free(jobs);
	close(fd);	/* frees the BOs and queues */
	r->done = 1;
}

/* Fork PROCS workers and collect their reports. */
static void run_workers(struct __test_metadata *_metadata, FIXTURE_DATA(stress) *self,
			long *jobs, long *verified)
{
	pid_t pids[PROCS];
	int i, status;

	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			worker(&self->b.d, i, &self->rep[i]);
			_exit(0);
		}
	}
	*jobs = *verified = 0;
	for (i = 0; i < PROCS; i++) {
		struct report *r = &self->rep[i];

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		EXPECT_EQ(1, r->done) TH_LOG("worker %d did not finish", i);
		EXPECT_EQ(0, r->errors) {
			TH_LOG("worker %d: %ld errors, first: %s: %s", i, r->errors, r->what,
			       strerror(-r->first_error));
		}
		EXPECT_EQ(0, r->bad_status) TH_LOG("worker %d: %ld bad statuses", i, r->bad_status);
		EXPECT_EQ(0, r->bad_data) TH_LOG("worker %d: %ld wrong outputs", i, r->bad_data);
		EXPECT_EQ(r->jobs, r->verified);
		*jobs += r->jobs;
		*verified += r->verified;
	}
}

TEST_F_TIMEOUT(stress, processes_run_thousands_of_small_jobs, 240)
{
	long long done0, done1, fail0, fail1, resets0, resets1;
	const struct qaccel_node *node = &self->b.d.node;
	long jobs, verified, subs = 0;
	int64_t t0, ns;
	int i;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	QT_COUNTER(node, "jobs_completed", &done0);
	QT_COUNTER(node, "jobs_failed", &fail0);
	QT_COUNTER(node, "resets", &resets0);
	t0 = qt_now_ns();
	run_workers(_metadata, self, &jobs, &verified);
	ns = qt_now_ns() - t0;
	QT_COUNTER(node, "jobs_completed", &done1);
	QT_COUNTER(node, "jobs_failed", &fail1);
	QT_COUNTER(node, "resets", &resets1);
	for (i = 0; i < PROCS; i++)
		subs += self->rep[i].submissions;

	printf("# stress: %ld jobs (%dx%dx%d) in %ld submissions from %d processes, "
	       "%ld outputs verified, wall %.2f s, %.0f jobs/s, resets %lld, failed %lld\n",
	       jobs, DIM, DIM, DIM, subs, PROCS, verified, ns / 1e9, jobs / (ns / 1e9),
	       resets1 - resets0, fail1 - fail0);
	fflush(stdout);
	EXPECT_EQ((long)PROCS * (BATCHES * (long)self->b.d.max_jobs + SINGLES), jobs);
	EXPECT_EQ(done0 + jobs, done1);
	EXPECT_EQ(fail0, fail1);
	EXPECT_EQ(resets0, resets1);
}

/*
 * Processes that close their file (and exit) with submissions still queued:
 * the driver cancels or finishes them and frees everything; the device
 * keeps working.
 */
TEST_F_TIMEOUT(stress, files_closed_with_jobs_queued, 120)
{
	const struct qaccel_node *node = &self->b.d.node;
	long long live0, live;
	pid_t pids[PROCS];
	struct qt_placed p;
	struct qt_rng r;
	int i, status;
	int64_t t0;

	QT_NEED_JOBS(&self->b);
	QT_COUNTER(node, "live_bos", &live0);

	t0 = qt_now_ns();
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int round, j, fd, bad = 0;
			struct qt_placed cp;
			uint64_t s;

			qt_rng_seed(&r, 500 + i);
			for (round = 0; round < 12; round++) {
				fd = qt_dev_reopen(&self->b.d);
				if (fd < 0 || qt_placed_new(fd, &cp, 32, 32, 32, proc_flags[i], &r))
					_exit(1);
				for (j = 0; j < 8; j++)
					bad += qt_placed_submit(fd, &cp, 0, NULL, 0, 0, &s) != 0;
				/* Unmap and close with the jobs in flight. */
				qt_placed_free(fd, &cp);
				close(fd);
			}
			_exit(bad ? 2 : 0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("worker %d: status %#x", i, status);
		}
	}
	EXPECT_EQ(0, qt_live_bos_settle(node, live0, 30000, &live)) {
		TH_LOG("live_bos %lld, %lld before", live, live0);
	}
	printf("# stress: %d processes closed 12 files each with 8 submissions queued in %.2f s\n",
	       PROCS, (qt_now_ns() - t0) / 1e9);
	fflush(stdout);
	qt_rng_seed(&r, 1);
	ASSERT_EQ(0, qt_placed_new(self->b.d.fd, &p, 20, 40, 60, DRM_QACCEL_GEMM_OUT_S8, &r));
	QT_RUN_EXACT(self->b.d.fd, &p, 0);
	qt_placed_free(self->b.d.fd, &p);
}

/*
 * BOs created, mapped, written and closed by one process while others run
 * jobs: the jobs stay exact and the BO count comes back.
 */
TEST_F_TIMEOUT(stress, bo_churn_during_jobs, 120)
{
	const struct qaccel_node *node = &self->b.d.node;
	long long live0, live;
	struct qt_placed p[4];
	struct qt_rng r;
	int fd = self->b.d.fd, i, round, status;
	uint64_t s[4];
	int32_t st;
	char why[160];
	pid_t pid;

	QT_NEED_JOBS(&self->b);
	QT_COUNTER(node, "live_bos", &live0);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = qt_dev_reopen(&self->b.d), n, bad = 0;
		struct qt_bo bo[8];

		if (cfd < 0)
			_exit(1);
		for (n = 0; n < 400; n++) {
			struct qt_bo *x = &bo[n % 8];

			if (n >= 8)
				qt_bo_free(cfd, x);
			if (qt_bo_new(cfd, 4096 * (1 + n % 17), 0, x)) {
				bad++;
				memset(x, 0, sizeof(*x));
				continue;
			}
			memset(x->map, n, x->size);
		}
		for (n = 0; n < 8; n++)
			qt_bo_free(cfd, &bo[n]);
		close(cfd);
		_exit(bad ? 2 : 0);
	}
	qt_rng_seed(&r, 3);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, qt_placed_new(fd, &p[i], 24, 24, 24, proc_flags[i], &r));
	}
	for (round = 0; round < 25; round++) {
		for (i = 0; i < 4; i++) {
			qt_placed_reset_c(&p[i]);
			ASSERT_EQ(0, qt_placed_submit(fd, &p[i], 0, NULL, 0, 0, &s[i]));
		}
		for (i = 0; i < 4; i++) {
			ASSERT_EQ(0, qt_job_wait(fd, 0, s[i], QT_JOB_TIMEOUT, &st));
			EXPECT_EQ(0, st);
			EXPECT_EQ(0, qt_placed_check(&p[i], why, sizeof(why))) {
				TH_LOG("round %d job %d: %s", round, i, why);
			}
		}
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < 4; i++)
		qt_placed_free(fd, &p[i]);
	EXPECT_EQ(0, qt_live_bos_settle(node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld, %lld before", live, live0);
	}
}

TEST_HARNESS_MAIN
