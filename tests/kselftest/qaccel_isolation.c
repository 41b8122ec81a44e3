// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: isolation between files and processes. Another file's
 * (or another process's) BO handles, syncobjs and queues do not exist in
 * this file (-ENOENT); device addresses valid only in another file's
 * address space are not inside any listed BO (-EINVAL); each file has its
 * own address space; a job that would fault is refused before it reaches
 * the engine, and a job that does fault (injected) fails alone while
 * another file's jobs keep completing with correct results.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8
#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define OUT_S32	DRM_QACCEL_GEMM_OUT_S32
#define A_S8	DRM_QACCEL_GEMM_A_S8

FIXTURE(iso) {
	struct qt_base b;
	struct qt_rng r;
	int fd2;		/* a second file of the same node */
	int injected;
};

FIXTURE_SETUP(iso)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0x150);
	self->fd2 = -1;
	if (self->b.d.fd >= 0) {
		self->fd2 = qt_dev_reopen(&self->b.d);
		ASSERT_LE(0, self->fd2);
	}
}

FIXTURE_TEARDOWN(iso)
{
	if (self->injected) {
		EXPECT_EQ(0, qt_inject(&self->b.d.node, "none"));
		qt_devcd_free_all();
	}
	qt_base_teardown(_metadata, &self->b);
}

/* Give file fd BOs until its newest handle is at least min: the last handle. */
static uint32_t bos_up_to(struct __test_metadata *_metadata, int fd, uint32_t min,
			  struct qt_bo *bos, int max)
{
	int i;

	for (i = 0; i < max; i++) {
		ASSERT_EQ(0, qt_bo_create(fd, 4096, 0, &bos[i]));
		if (bos[i].handle >= min)
			return bos[i].handle;
	}
	return 0;
}

/* Another file's BO handles do not exist here: BO_INFO, BO_WAIT, SUBMIT lists. */
TEST_F(iso, other_files_bo_handles_are_enoent)
{
	struct drm_qaccel_bo_info info;
	struct qt_bo own[16];
	struct qt_placed p;
	uint32_t foreign, rd[3], wr[2];
	int fd = self->b.d.fd;
	uint64_t seqno = QT_SENTINEL64;
	void *map;

	QT_NEED_JOBS(&self->b);
	QT_NEED(&self->b, BO_WAIT);

	/* fd2 owns the GEMM's BOs (handles 1..3); fd owns handle >= 8. */
	ASSERT_EQ(0, qt_placed_new(self->fd2, &p, 2, 16, 4, OUT_S8, &self->r));
	foreign = bos_up_to(_metadata, fd, 8, own, 16);
	ASSERT_LE(8, foreign);
	ASSERT_GT(foreign, p.c.handle);

	EXPECT_EQ(-ENOENT, qt_bo_info(self->fd2, foreign, &info));
	EXPECT_EQ(-ENOENT, qt_bo_wait(self->fd2, foreign, 0));

	rd[0] = p.a.handle;
	rd[1] = p.w.handle;
	rd[2] = foreign;
	EXPECT_EQ(-ENOENT, qt_submit(self->fd2, 0, &p.job, 1, rd, 3, &p.c.handle, 1, NULL, 0, 0,
				     &seqno));
	wr[0] = p.c.handle;
	wr[1] = foreign;
	EXPECT_EQ(-ENOENT, qt_submit(self->fd2, 0, &p.job, 1, rd, 2, wr, 2, NULL, 0, 0, &seqno));
	EXPECT_EQ(QT_SENTINEL64, seqno);

	/* Nor can the other file map it through its own fd. */
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd2, (off_t)own[0].mmap_offset);
	EXPECT_EQ(MAP_FAILED, map);
	if (map != MAP_FAILED)
		munmap(map, 4096);

	/* The legitimate submission still works and is the queue's first. */
	QT_RUN_EXACT(self->fd2, &p, 0);
	ASSERT_EQ(0, qt_job_wait(self->fd2, 0, 1, 0, NULL));
	qt_placed_free(self->fd2, &p);
}

/*
 * A device address inside another file's BO, but inside none of this
 * file's listed BOs, is refused with -EINVAL for each operand.
 */
TEST_F(iso, other_files_va_is_einval)
{
	struct drm_qaccel_job job;
	struct qt_placed p;
	struct qt_bo big;
	uint64_t addr, seqno = QT_SENTINEL64;
	uint32_t rd[2];
	int fd = self->b.d.fd;
	int tries;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_bo_create(fd, 8 << 20, 0, &big));
	ASSERT_EQ(0, qt_placed_new(self->fd2, &p, 2, 16, 4, OUT_S8, &self->r));
	/* An address in fd's BO that is in none of fd2's BOs. */
	addr = big.va + (4 << 20);
	for (tries = 0; tries < 3; tries++) {
		const struct qt_bo *own[3] = { &p.a, &p.w, &p.c };
		int i, clash = 0;

		for (i = 0; i < 3; i++)
			clash |= addr + 8192 > own[i]->va && addr < own[i]->va + own[i]->size;
		if (!clash)
			break;
		addr += 1 << 20;
	}
	ASSERT_GT(3, tries);
	TH_LOG("fd's BO at %#llx, fd2's A at %#llx, probing %#llx",
	       (unsigned long long)big.va, (unsigned long long)p.a.va,
	       (unsigned long long)addr);

	rd[0] = p.a.handle;
	rd[1] = p.w.handle;
	job = p.job;
	job.gemm.a_va = addr;
	EXPECT_EQ(-EINVAL, qt_submit(self->fd2, 0, &job, 1, rd, 2, &p.c.handle, 1, NULL, 0, 0,
				     &seqno));
	job = p.job;
	job.gemm.w_va = addr;
	EXPECT_EQ(-EINVAL, qt_submit(self->fd2, 0, &job, 1, rd, 2, &p.c.handle, 1, NULL, 0, 0,
				     &seqno));
	job = p.job;
	job.gemm.c_va = addr;
	EXPECT_EQ(-EINVAL, qt_submit(self->fd2, 0, &job, 1, rd, 2, &p.c.handle, 1, NULL, 0, 0,
				     &seqno));
	EXPECT_EQ(QT_SENTINEL64, seqno);
	qt_placed_free(self->fd2, &p);
	qt_bo_free(fd, &big);
}

/* Another file's syncobjs and queues do not exist here. */
TEST_F(iso, other_files_syncobjs_and_queues_are_enoent)
{
	int fd = self->b.d.fd;
	struct qt_placed p;
	uint32_t so[6], q = 0, i;
	uint64_t seqno = QT_SENTINEL64;
	int32_t status;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, qt_syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &so[i]));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	}
	ASSERT_EQ(0, qt_placed_new(self->fd2, &p, 2, 16, 4, OUT_S8, &self->r));

	EXPECT_EQ(-ENOENT, qt_placed_submit(self->fd2, &p, 0, &so[5], 1, 0, &seqno));
	EXPECT_EQ(-ENOENT, qt_placed_submit(self->fd2, &p, 0, NULL, 0, so[5], &seqno));
	EXPECT_EQ(-ENOENT, qt_placed_submit(self->fd2, &p, q, NULL, 0, 0, &seqno));
	EXPECT_EQ(QT_SENTINEL64, seqno);
	EXPECT_EQ(-ENOENT, qt_job_wait(self->fd2, q, 1, 0, &status));
	EXPECT_EQ(-ENOENT, qt_queue_destroy(self->fd2, q));
	/* The owner still has its queue. */
	EXPECT_EQ(0, qt_queue_destroy(fd, q));
	QT_RUN_EXACT(self->fd2, &p, 0);
	qt_placed_free(self->fd2, &p);
}

/*
 * Another process (a forked child with its own open file) gets -ENOENT for
 * the parent's handles, syncobjs and queues and -EINVAL for its addresses.
 */
TEST_F(iso, other_process_cannot_use_parents_objects)
{
	int fd = self->b.d.fd;
	struct qt_bo pbos[12];
	uint32_t psync[4], pq = 0, phandle, i;
	uint64_t pva;
	int status;
	pid_t pid;

	QT_NEED_JOBS(&self->b);
	QT_NEED_QUEUES(&self->b);

	phandle = bos_up_to(_metadata, fd, 10, pbos, 12);
	ASSERT_LE(10, phandle);
	pva = pbos[9].va;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, qt_syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &psync[i]));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &pq));
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct drm_qaccel_bo_info info;
		struct qt_placed p;
		struct qt_rng r;
		struct drm_qaccel_job job;
		uint32_t rd[3];
		int cfd, bad = 0, ret;
		uint64_t seqno;

#define CHILD_EXPECT(cond, ...) do {						\
		if (!(cond)) {							\
			fprintf(stderr, "# child: " __VA_ARGS__);		\
			fprintf(stderr, "\n");					\
			bad++;							\
		}								\
	} while (0)

		cfd = qt_dev_reopen(&self->b.d);
		if (cfd < 0)
			_exit(100);
		qt_rng_seed(&r, 77);
		if (qt_placed_new(cfd, &p, 2, 16, 4, OUT_S8, &r))
			_exit(101);
		ret = qt_bo_info(cfd, phandle, &info);
		CHILD_EXPECT(ret == -ENOENT, "BO_INFO(parent's handle %u) = %d", phandle, ret);
		rd[0] = p.a.handle;
		rd[1] = p.w.handle;
		rd[2] = phandle;
		ret = qt_submit(cfd, 0, &p.job, 1, rd, 3, &p.c.handle, 1, NULL, 0, 0, &seqno);
		CHILD_EXPECT(ret == -ENOENT, "SUBMIT naming parent's handle = %d", ret);
		ret = qt_placed_submit(cfd, &p, 0, &psync[3], 1, 0, &seqno);
		CHILD_EXPECT(ret == -ENOENT, "SUBMIT waiting on parent's syncobj = %d", ret);
		ret = qt_placed_submit(cfd, &p, pq, NULL, 0, 0, &seqno);
		CHILD_EXPECT(ret == -ENOENT, "SUBMIT to parent's queue %u = %d", pq, ret);
		ret = qt_queue_destroy(cfd, pq);
		CHILD_EXPECT(ret == -ENOENT, "QUEUE_DESTROY(parent's queue) = %d", ret);
		job = p.job;
		job.gemm.a_va = pva + 100;
		if (!(pva + 4096 > p.a.va && pva < p.a.va + p.a.size) &&
		    !(pva + 4096 > p.w.va && pva < p.w.va + p.w.size) &&
		    !(pva + 4096 > p.c.va && pva < p.c.va + p.c.size)) {
			ret = qt_submit(cfd, 0, &job, 1, rd, 2, &p.c.handle, 1, NULL, 0, 0,
					&seqno);
			CHILD_EXPECT(ret == -EINVAL, "SUBMIT reading parent's VA = %d", ret);
		}
		/* The child's own work runs. */
		ret = qt_placed_run(cfd, &p, 0, QT_JOB_TIMEOUT, NULL, 0);
		CHILD_EXPECT(ret == 0, "child's own GEMM = %d", ret);
		qt_placed_free(cfd, &p);
		close(cfd);
		_exit(bad);
#undef CHILD_EXPECT
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child saw %d violations", WEXITSTATUS(status));
	/* The parent's objects are intact. */
	EXPECT_EQ(0, qt_queue_destroy(fd, pq));
	EXPECT_EQ(0, qt_syncobj_destroy(fd, psync[3]));
}

/*
 * Two files use the same device addresses for different buffers: each job
 * runs in its own address space and computes on its own data.
 */
TEST_F(iso, files_have_separate_address_spaces)
{
	struct qt_placed p1, p2;
	uint64_t s1, s2;
	int32_t status;
	char why[160];
	int fd = self->b.d.fd, round;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_placed_new(fd, &p1, 9, 30, 17, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_placed_new(self->fd2, &p2, 9, 30, 17, A_S8 | OUT_S8, &self->r));
	TH_LOG("A at %#llx in file 1 and %#llx in file 2%s", (unsigned long long)p1.a.va,
	       (unsigned long long)p2.a.va, p1.a.va == p2.a.va ? " (the same address)" : "");
	for (round = 0; round < 3; round++) {
		qt_placed_reset_c(&p1);
		qt_placed_reset_c(&p2);
		ASSERT_EQ(0, qt_placed_submit(fd, &p1, 0, NULL, 0, 0, &s1));
		ASSERT_EQ(0, qt_placed_submit(self->fd2, &p2, 0, NULL, 0, 0, &s2));
		ASSERT_EQ(0, qt_job_wait(fd, 0, s1, QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(0, status);
		ASSERT_EQ(0, qt_job_wait(self->fd2, 0, s2, QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(0, status);
		EXPECT_EQ(0, qt_placed_check(&p1, why, sizeof(why))) TH_LOG("file 1: %s", why);
		EXPECT_EQ(0, qt_placed_check(&p2, why, sizeof(why))) TH_LOG("file 2: %s", why);
	}
	qt_placed_free(fd, &p1);
	qt_placed_free(self->fd2, &p2);
}

/*
 * A job whose output would run one page past its BO (an MMU fault if it ran)
 * is refused at submission: nothing is queued, nothing resets, and another
 * file's work is unaffected.
 */
TEST_F(iso, job_that_would_fault_is_refused_before_the_engine)
{
	long long sub0, sub1, resets0, resets1;
	struct drm_qaccel_job job;
	struct qt_placed p1, p2;
	int fd = self->b.d.fd;
	uint32_t rd[2];
	uint64_t seqno = QT_SENTINEL64;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_placed_new(fd, &p1, 4, 16, 16, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_placed_new(self->fd2, &p2, 8, 40, 33, OUT_U8, &self->r));
	QT_COUNTER(&self->b.d.node, "jobs_submitted", &sub0);
	QT_COUNTER(&self->b.d.node, "resets", &resets0);
	rd[0] = p1.a.handle;
	rd[1] = p1.w.handle;
	/* Row 1 of C starts right past the end of C's BO. */
	job = p1.job;
	job.gemm.ldc = (uint32_t)p1.c.size;
	EXPECT_EQ(-EINVAL, qt_submit(fd, 0, &job, 1, rd, 2, &p1.c.handle, 1, NULL, 0, 0, &seqno));
	/* The one row of C crosses the BO's end by 8 bytes. */
	job = p1.job;
	job.gemm.m = 1;
	job.gemm.c_va = p1.c.va + p1.c.size - 8;
	EXPECT_EQ(-EINVAL, qt_submit(fd, 0, &job, 1, rd, 2, &p1.c.handle, 1, NULL, 0, 0, &seqno));
	EXPECT_EQ(QT_SENTINEL64, seqno);
	QT_COUNTER(&self->b.d.node, "jobs_submitted", &sub1);
	QT_COUNTER(&self->b.d.node, "resets", &resets1);
	EXPECT_EQ(sub0, sub1);
	EXPECT_EQ(resets0, resets1);
	QT_RUN_EXACT(self->fd2, &p2, 0);
	QT_RUN_EXACT(fd, &p1, 0);
	qt_placed_free(fd, &p1);
	qt_placed_free(self->fd2, &p2);
}

/* A closed BO's handle is stale (-ENOENT) and its addresses are gone (-EINVAL). */
TEST_F(iso, closed_bo_handle_and_addresses_are_gone)
{
	struct drm_qaccel_job job;
	struct qt_placed p;
	struct qt_bo gone;
	int fd = self->b.d.fd;
	uint32_t rd[3];
	uint64_t seqno = QT_SENTINEL64;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_placed_new(fd, &p, 2, 16, 4, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_bo_create(fd, 65536, 0, &gone));
	ASSERT_EQ(0, qt_gem_close(fd, gone.handle));
	rd[0] = p.a.handle;
	rd[1] = p.w.handle;
	rd[2] = gone.handle;
	EXPECT_EQ(-ENOENT, qt_submit(fd, 0, &p.job, 1, rd, 3, &p.c.handle, 1, NULL, 0, 0, &seqno));
	job = p.job;
	job.gemm.a_va = gone.va + 4096;
	EXPECT_EQ(-EINVAL, qt_submit(fd, 0, &job, 1, rd, 2, &p.c.handle, 1, NULL, 0, 0, &seqno));
	EXPECT_EQ(QT_SENTINEL64, seqno);
	QT_RUN_EXACT(fd, &p, 0);
	qt_placed_free(fd, &p);
}

/* Engine time in fdinfo is per file: another file's jobs do not count. */
TEST_F(iso, fdinfo_engine_time_is_per_file)
{
	unsigned long long t1a = 0, t1b = 0, t2a = 0, t2b = 0;
	struct qt_placed p;
	char text[128];
	int fd = self->b.d.fd, i;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_placed_new(fd, &p, 32, 64, 64, OUT_S8, &self->r));
	ASSERT_EQ(0, qt_fdinfo(fd, "drm-engine-qa1", text, sizeof(text)));
	t1a = strtoull(text, NULL, 10);
	ASSERT_EQ(0, qt_fdinfo(self->fd2, "drm-engine-qa1", text, sizeof(text)));
	t2a = strtoull(text, NULL, 10);
	for (i = 0; i < 4; i++)
		QT_RUN_EXACT(fd, &p, 0);
	ASSERT_EQ(0, qt_fdinfo(fd, "drm-engine-qa1", text, sizeof(text)));
	t1b = strtoull(text, NULL, 10);
	ASSERT_EQ(0, qt_fdinfo(self->fd2, "drm-engine-qa1", text, sizeof(text)));
	t2b = strtoull(text, NULL, 10);
	EXPECT_LT(t1a, t1b);
	EXPECT_EQ(t2a, t2b) TH_LOG("file 2 was charged %llu ns for file 1's jobs", t2b - t2a);
	qt_placed_free(fd, &p);
}

/*
 * A faulting job (injected fault) fails alone with -EIO: another file's
 * jobs, queued before and after it, complete with correct results, and the
 * faulting file keeps working.
 */
TEST_F_TIMEOUT(iso, faulting_job_fails_alone, 90)
{
	enum { NB = 6 };
	struct qt_placed guilty, other[NB];
	long long resets0, resets1;
	int fd = self->b.d.fd, i;
	uint64_t gs, os[NB];
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	if (!(self->b.d.caps & DRM_QACCEL_CAP_FAULT_INJECT))
		SKIP(return, "the engine has no fault injection");
	if (qt_inject(&self->b.d.node, "none"))
		SKIP(return, "no debugfs inject file");
	qt_devcd_free_all();
	self->injected = 1;

	ASSERT_EQ(0, qt_placed_new(fd, &guilty, 4, 16, 8, OUT_S8, &self->r));
	for (i = 0; i < NB; i++) {
		ASSERT_EQ(0, qt_placed_new(self->fd2, &other[i], 6, 24, 20, OUT_U8 | A_S8, &self->r));
	}
	QT_COUNTER(&self->b.d.node, "resets", &resets0);

	/* Before: the other file's work completes. */
	for (i = 0; i < NB / 2; i++)
		QT_RUN_EXACT(self->fd2, &other[i], 0);
	/* The engine is idle: the fault hits the next job it starts, the guilty one. */
	ASSERT_EQ(0, qt_inject(&self->b.d.node, "fault"));
	ASSERT_EQ(0, qt_placed_submit(fd, &guilty, 0, NULL, 0, 0, &gs));
	for (i = 0; i < NB; i++) {
		qt_placed_reset_c(&other[i]);
		ASSERT_EQ(0, qt_placed_submit(self->fd2, &other[i], 0, NULL, 0, 0, &os[i]));
	}
	ASSERT_EQ(0, qt_job_wait(fd, 0, gs, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(-EIO, status);
	for (i = 0; i < NB; i++) {
		ASSERT_EQ(0, qt_job_wait(self->fd2, 0, os[i], QT_JOB_TIMEOUT, &status));
		EXPECT_EQ(0, status) TH_LOG("other file's job %d", i);
		EXPECT_EQ(0, qt_placed_check(&other[i], why, sizeof(why))) {
			TH_LOG("other file's job %d: %s", i, why);
		}
	}
	QT_COUNTER(&self->b.d.node, "resets", &resets1);
	EXPECT_EQ(resets0 + 1, resets1);
	/* The file whose job faulted still runs jobs. */
	qt_placed_reset_c(&guilty);
	QT_RUN_EXACT(fd, &guilty, 0);
	qt_placed_free(fd, &guilty);
	for (i = 0; i < NB; i++)
		qt_placed_free(self->fd2, &other[i]);
}

TEST_HARNESS_MAIN
