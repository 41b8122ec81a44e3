// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: every field of every ioctl with bad values fails with
 * the documented errno (uapi/drm/qaccel_accel.h and the driver contract)
 * and leaves no state behind: out fields untouched, no BO created or kept
 * (live_bos unchanged), no job queued (jobs_submitted unchanged), no fence
 * installed in the out-syncobj, no seqno consumed (the next good
 * submission gets the next number), no queue created or lost.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8
#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define OUT_S32	DRM_QACCEL_GEMM_OUT_S32
#define A_S8	DRM_QACCEL_GEMM_A_S8

#define SENT32	0x5a5a5a5au

FIXTURE(bad) {
	struct qt_base b;
	struct qt_rng r;
	struct qt_placed p;	/* a valid GEMM: M=4 N=16 K=8, u8 -> s8 */
	struct drm_qaccel_job job;
	uint32_t rd[2];
	uint32_t so;		/* out-syncobj that must stay fence-less */
	uint64_t next_seqno;	/* what the next good submission on queue 0 gets */
	int c_dirty;		/* a good job wrote p.c */
	uint8_t *guard;		/* a page followed by an inaccessible page */
	int ready;
};

FIXTURE_SETUP(bad)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0xbad);
	self->next_seqno = 1;
}

FIXTURE_TEARDOWN(bad)
{
	if (self->guard)
		munmap(self->guard, 8192);
	qt_base_teardown(_metadata, &self->b);
}

/* Build the valid baseline submission's objects (after QT_NEED_JOBS). */
static void ready(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self)
{
	int fd = self->b.d.fd, ret;

	ret = qt_placed_new(fd, &self->p, 4, 16, 8, OUT_S8, &self->r);
	ASSERT_EQ(0, ret) TH_LOG("baseline GEMM: %s", strerror(-ret));
	self->job = self->p.job;
	self->rd[0] = self->p.a.handle;
	self->rd[1] = self->p.w.handle;
	ASSERT_EQ(0, qt_syncobj_create(fd, 0, &self->so));
	self->guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->guard);
	ASSERT_EQ(0, mprotect(self->guard + 4096, 4096, PROT_NONE));
	self->ready = 1;
}

/* The valid submission of self->job (whatever it was changed to). */
static void base_submit(FIXTURE_DATA(bad) *self, struct drm_qaccel_submit *s)
{
	memset(s, 0, sizeof(*s));
	s->jobs = (uintptr_t)&self->job;
	s->job_count = 1;
	s->job_size = sizeof(self->job);
	s->read_handles = (uintptr_t)self->rd;
	s->read_count = 2;
	s->write_handles = (uintptr_t)&self->p.c.handle;
	s->write_count = 1;
	s->out_syncobj = self->so;
}

/*
 * Submit s expecting failure with err (or err2 when non-zero: either is
 * acceptable where two documented rules apply at once) and no trace.
 */
static void bad_submit(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self,
		       struct drm_qaccel_submit *s, int err, int err2, const char *what)
{
	const struct qaccel_node *node = &self->b.d.node;
	long long sub0 = 0, sub1 = 0, live0 = 0, live1 = 0;
	int ret, counted;

	counted = qt_counter(node, "jobs_submitted", &sub0) == 0 &&
		  qt_counter(node, "live_bos", &live0) == 0;
	s->seqno = QT_SENTINEL64;
	ret = qt_submit_raw(self->b.d.fd, s);
	if (ret == -err || (err2 && ret == -err2)) {
		EXPECT_EQ(QT_SENTINEL64, s->seqno) TH_LOG("%s: seqno written on failure", what);
	} else {
		EXPECT_EQ(-err, ret) {
			TH_LOG("%s: expected %s%s%s, got %s", what, strerror(err),
			       err2 ? " or " : "", err2 ? strerror(err2) : "",
			       ret ? strerror(-ret) : "success");
		}
		if (ret == 0) {
			/* Accepted: keep the bookkeeping of the following checks right. */
			int32_t status;

			self->next_seqno = s->seqno + 1;
			self->c_dirty = 1;
			qt_job_wait(self->b.d.fd, s->queue_id, s->seqno, QT_JOB_TIMEOUT, &status);
			return;
		}
	}
	if (s->out_syncobj == self->so) {
		EXPECT_EQ(0, qt_syncobj_has_fence(self->b.d.fd, self->so)) {
			TH_LOG("%s: a fence was installed in the out-syncobj", what);
		}
	}
	if (counted && qt_counter(node, "jobs_submitted", &sub1) == 0 &&
	    qt_counter(node, "live_bos", &live1) == 0) {
		EXPECT_EQ(sub0, sub1) TH_LOG("%s: jobs_submitted moved", what);
		EXPECT_EQ(live0, live1) TH_LOG("%s: live_bos moved", what);
	}
}

/* Submit s expecting success; wait for it. */
static void good_submit(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self,
			struct drm_qaccel_submit *s, const char *what)
{
	int32_t status = -1;
	int ret;

	s->seqno = QT_SENTINEL64;
	ret = qt_submit_raw(self->b.d.fd, s);
	ASSERT_EQ(0, ret) TH_LOG("%s: expected success, got %s", what, strerror(-ret));
	EXPECT_EQ(self->next_seqno, s->seqno) TH_LOG("%s", what);
	self->next_seqno = s->seqno + 1;
	if (s->write_count && s->write_handles == (uintptr_t)&self->p.c.handle)
		self->c_dirty = 1;
	ASSERT_EQ(0, qt_job_wait(self->b.d.fd, s->queue_id, s->seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status) TH_LOG("%s", what);
}

/*
 * After the bad cases: nothing ran into C, and the next good submission gets
 * the next seqno, signals the out-syncobj and computes the right result.
 */
static void check_clean(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self)
{
	struct drm_qaccel_submit s;
	char why[160];
	size_t i;

	if (!self->c_dirty) {
		for (i = 0; i < self->p.c.size; i++) {
			if (self->p.c.map[i] != QT_C_FILL) {
				EXPECT_EQ(QT_C_FILL, self->p.c.map[i]) {
					TH_LOG("a rejected job wrote C (byte %zu)", i);
				}
				break;
			}
		}
	}
	self->job = self->p.job;
	base_submit(self, &s);
	good_submit(_metadata, self, &s, "the good submission after the bad ones");
	EXPECT_EQ(1, qt_syncobj_has_fence(self->b.d.fd, self->so));
	EXPECT_EQ(0, qt_placed_check(&self->p, why, sizeof(why))) TH_LOG("%s", why);
}

#define NEED_SUBMIT() do {						\
	QT_NEED_JOBS(&self->b);						\
	ready(_metadata, self);						\
} while (0)

/* ---- SUBMIT: the submission ---------------------------------------------- */

TEST_F(bad, submit_rejects_flags_and_unknown_queue)
{
	struct drm_qaccel_submit s;

	NEED_SUBMIT();

	base_submit(self, &s);
	s.flags = 1;
	bad_submit(_metadata, self, &s, EINVAL, 0, "submit flags 1");
	base_submit(self, &s);
	s.flags = 0x80000000u;
	bad_submit(_metadata, self, &s, EINVAL, 0, "submit flags bit 31");
	base_submit(self, &s);
	s.queue_id = 12345;
	bad_submit(_metadata, self, &s, ENOENT, 0, "unknown queue");
	base_submit(self, &s);
	s.queue_id = 0xffffffffu;
	bad_submit(_metadata, self, &s, ENOENT, 0, "queue 0xffffffff");
	check_clean(_metadata, self);
}

TEST_F(bad, submit_rejects_bad_job_count)
{
	struct drm_qaccel_submit s;

	NEED_SUBMIT();

	base_submit(self, &s);
	s.job_count = 0;
	bad_submit(_metadata, self, &s, EINVAL, 0, "job_count 0");
	base_submit(self, &s);
	s.job_count = (uint32_t)self->b.d.max_jobs + 1;
	bad_submit(_metadata, self, &s, E2BIG, 0, "job_count MAX_JOBS + 1");
	base_submit(self, &s);
	s.job_count = 0xffffffffu;
	bad_submit(_metadata, self, &s, E2BIG, 0, "job_count 0xffffffff");
	check_clean(_metadata, self);
}

/*
 * job_size: below version 1 or not a multiple of 8 -> EINVAL; larger than
 * the kernel's structure with zero extra bytes -> accepted, with non-zero
 * extra bytes -> E2BIG; absurd sizes fail without reading past the buffer.
 */
TEST_F(bad, submit_checks_job_size)
{
	static const uint32_t small[] = { 0, 8, 64, 71, 73, 76, 79, 84 };
	struct drm_qaccel_submit s;
	uint8_t *buf;
	size_t i;

	NEED_SUBMIT();

	buf = calloc(2, 4096);
	ASSERT_NE(NULL, buf);
	memcpy(buf, &self->job, sizeof(self->job));
	for (i = 0; i < QT_ARRAY_SIZE(small); i++) {
		char what[64];

		base_submit(self, &s);
		s.jobs = (uintptr_t)buf;
		s.job_size = small[i];
		snprintf(what, sizeof(what), "job_size %u", small[i]);
		bad_submit(_metadata, self, &s, EINVAL, 0, what);
	}

	/* 80 and 4096 bytes with non-zero bytes past the known structure. */
	base_submit(self, &s);
	s.jobs = (uintptr_t)buf;
	s.job_size = 80;
	buf[72] = 1;
	bad_submit(_metadata, self, &s, E2BIG, 0, "job_size 80, byte 72 set");
	buf[72] = 0;
	buf[79] = 0x80;
	bad_submit(_metadata, self, &s, E2BIG, 0, "job_size 80, byte 79 set");
	buf[79] = 0;
	s.job_size = 4096;
	buf[4095] = 1;
	bad_submit(_metadata, self, &s, E2BIG, 0, "job_size 4096, last byte set");
	buf[4095] = 0;

	/* Absurd sizes: the jobs array would reach far beyond the buffer. */
	base_submit(self, &s);
	s.jobs = (uintptr_t)buf;
	s.job_size = 0x80000000u;
	bad_submit(_metadata, self, &s, EFAULT, E2BIG, "job_size 2^31");
	s.job_count = (uint32_t)self->b.d.max_jobs;
	s.job_size = 0x4000000u;	/* count * size = 2^32 for 64 jobs */
	bad_submit(_metadata, self, &s, EFAULT, E2BIG, "job_count * job_size = 2^32");

	/* Zero extra bytes are accepted, for one and for two jobs. */
	base_submit(self, &s);
	s.jobs = (uintptr_t)buf;
	s.job_size = 80;
	good_submit(_metadata, self, &s, "job_size 80, zero extra bytes");
	memcpy(buf + 4096, &self->job, sizeof(self->job));
	s.job_size = 4096;
	s.job_count = 2;
	good_submit(_metadata, self, &s, "2 jobs of job_size 4096, zero extra bytes");
	free(buf);
	check_clean(_metadata, self);
}

TEST_F(bad, submit_rejects_too_many_handles)
{
	struct drm_qaccel_submit s;
	uint32_t many[257], sync[257];
	int i;

	NEED_SUBMIT();

	for (i = 0; i < 257; i++)
		many[i] = self->rd[i % 2];
	for (i = 0; i < 257; i++) {
		ASSERT_EQ(0, qt_syncobj_create(self->b.d.fd, DRM_SYNCOBJ_CREATE_SIGNALED, &sync[i]));
	}

	base_submit(self, &s);
	s.read_handles = (uintptr_t)many;
	s.read_count = 257;
	bad_submit(_metadata, self, &s, E2BIG, 0, "read_count 257");
	base_submit(self, &s);
	s.write_handles = (uintptr_t)many;
	s.write_count = 257;
	bad_submit(_metadata, self, &s, E2BIG, 0, "write_count 257");
	base_submit(self, &s);
	s.in_syncobjs = (uintptr_t)sync;
	s.in_syncobj_count = 257;
	bad_submit(_metadata, self, &s, E2BIG, 0, "in_syncobj_count 257");
	base_submit(self, &s);
	s.read_count = 0xffffffffu;
	bad_submit(_metadata, self, &s, E2BIG, 0, "read_count 0xffffffff");
	/* 256 signalled in-syncobjs are fine. */
	base_submit(self, &s);
	s.in_syncobjs = (uintptr_t)sync;
	s.in_syncobj_count = 256;
	good_submit(_metadata, self, &s, "in_syncobj_count 256");
	check_clean(_metadata, self);
}

TEST_F(bad, submit_rejects_unreadable_pointers)
{
	struct drm_qaccel_submit s;
	uint8_t *edge;

	NEED_SUBMIT();
	edge = self->guard + 4096;

	base_submit(self, &s);
	s.jobs = 0;
	bad_submit(_metadata, self, &s, EFAULT, 0, "jobs NULL");
	s.jobs = (uintptr_t)edge;
	bad_submit(_metadata, self, &s, EFAULT, 0, "jobs in an inaccessible page");
	/* The second job runs into the inaccessible page. */
	memcpy(edge - sizeof(self->job), &self->job, sizeof(self->job));
	s.jobs = (uintptr_t)(edge - sizeof(self->job));
	s.job_count = 2;
	bad_submit(_metadata, self, &s, EFAULT, 0, "second job unreadable");
	/* The last 8 bytes of the only job are unreadable. */
	memcpy(edge - sizeof(self->job) + 8, &self->job, sizeof(self->job) - 8);
	s.jobs = (uintptr_t)(edge - sizeof(self->job) + 8);
	s.job_count = 1;
	bad_submit(_metadata, self, &s, EFAULT, 0, "job straddling an inaccessible page");
	s.jobs = (uintptr_t)0xffffffffffff0000ull;
	bad_submit(_metadata, self, &s, EFAULT, 0, "jobs at a kernel address");

	base_submit(self, &s);
	s.read_handles = 0;
	bad_submit(_metadata, self, &s, EFAULT, 0, "read_handles NULL");
	s.read_handles = (uintptr_t)(edge - 4);	/* the second handle is unreadable */
	memcpy(edge - 4, &self->rd[0], 4);
	bad_submit(_metadata, self, &s, EFAULT, 0, "read_handles[1] unreadable");
	base_submit(self, &s);
	s.write_handles = (uintptr_t)edge;
	bad_submit(_metadata, self, &s, EFAULT, 0, "write_handles unreadable");
	base_submit(self, &s);
	s.in_syncobjs = (uintptr_t)edge;
	s.in_syncobj_count = 1;
	bad_submit(_metadata, self, &s, EFAULT, 0, "in_syncobjs unreadable");

	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_SUBMIT, NULL));
	EXPECT_EQ(EFAULT, errno);
	check_clean(_metadata, self);
}

TEST_F(bad, submit_rejects_unknown_handles_and_syncobjs)
{
	struct drm_qaccel_submit s;
	uint32_t rd[3], wr[2], in;
	struct qt_bo gone;

	NEED_SUBMIT();

	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 4096, 0, &gone));
	ASSERT_EQ(0, qt_gem_close(self->b.d.fd, gone.handle));
	rd[0] = self->rd[0];
	rd[1] = self->rd[1];

	base_submit(self, &s);
	rd[2] = 0xdeadbeef;
	s.read_handles = (uintptr_t)rd;
	s.read_count = 3;
	bad_submit(_metadata, self, &s, ENOENT, 0, "unknown read handle");
	rd[2] = 0;
	bad_submit(_metadata, self, &s, ENOENT, 0, "read handle 0");
	rd[2] = gone.handle;
	bad_submit(_metadata, self, &s, ENOENT, 0, "closed read handle");

	base_submit(self, &s);
	wr[0] = self->p.c.handle;
	wr[1] = gone.handle;
	s.write_handles = (uintptr_t)wr;
	s.write_count = 2;
	bad_submit(_metadata, self, &s, ENOENT, 0, "closed write handle");
	wr[1] = 0x7fffffff;
	bad_submit(_metadata, self, &s, ENOENT, 0, "unknown write handle");

	base_submit(self, &s);
	in = 0xdeadbeef;
	s.in_syncobjs = (uintptr_t)&in;
	s.in_syncobj_count = 1;
	bad_submit(_metadata, self, &s, ENOENT, 0, "unknown in-syncobj");
	base_submit(self, &s);
	s.out_syncobj = 0xdeadbeef;
	bad_submit(_metadata, self, &s, ENOENT, 0, "unknown out-syncobj");
	check_clean(_metadata, self);
}

/* ---- SUBMIT: the job's fields --------------------------------------------- */

enum field {
	F_TYPE, F_JFLAGS, F_M, F_N, F_K, F_LDA, F_LDC, F_FLAGS, F_AZP, F_OUTZP, F_ACTMIN,
	F_ACTMAX,
};

static void set_field(struct drm_qaccel_job *job, enum field f, int64_t v)
{
	switch (f) {
	case F_TYPE: job->type = (uint32_t)v; break;
	case F_JFLAGS: job->flags = (uint32_t)v; break;
	case F_M: job->gemm.m = (uint32_t)v; break;
	case F_N: job->gemm.n = (uint32_t)v; break;
	case F_K: job->gemm.k = (uint32_t)v; break;
	case F_LDA: job->gemm.lda = (uint32_t)v; break;
	case F_LDC: job->gemm.ldc = (uint32_t)v; break;
	case F_FLAGS: job->gemm.flags = (uint32_t)v; break;
	case F_AZP: job->gemm.a_zp = (int32_t)v; break;
	case F_OUTZP: job->gemm.out_zp = (int32_t)v; break;
	case F_ACTMIN: job->gemm.act_min = (int32_t)v; break;
	case F_ACTMAX: job->gemm.act_max = (int32_t)v; break;
	}
}

struct jcase {
	const char *name;
	enum field f;
	int64_t v;
	int err;
};

static void run_cases(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self,
		      const struct drm_qaccel_job *base, const struct jcase *c, size_t n,
		      const char *variant)
{
	struct drm_qaccel_submit s;
	char what[128];
	size_t i;

	for (i = 0; i < n; i++) {
		self->job = *base;
		set_field(&self->job, c[i].f, c[i].v);
		base_submit(self, &s);
		snprintf(what, sizeof(what), "%s: %s", variant, c[i].name);
		bad_submit(_metadata, self, &s, c[i].err, 0, what);
	}
}

TEST_F(bad, submit_rejects_bad_job_type_and_flags)
{
	static const struct jcase cases[] = {
		{ "type 0", F_TYPE, 0, EINVAL },
		{ "type 2", F_TYPE, 2, EINVAL },
		{ "type 0xffffffff", F_TYPE, 0xffffffff, EINVAL },
		{ "job flags 1", F_JFLAGS, 1, EINVAL },
		{ "job flags bit 31", F_JFLAGS, 0x80000000u, EINVAL },
		{ "no OUT flag", F_FLAGS, 0, EINVAL },
		{ "A_S8 without OUT flag", F_FLAGS, A_S8, EINVAL },
		{ "OUT_S8 | OUT_U8", F_FLAGS, OUT_S8 | OUT_U8, EINVAL },
		{ "OUT_S8 | OUT_S32", F_FLAGS, OUT_S8 | OUT_S32, EINVAL },
		{ "OUT_U8 | OUT_S32", F_FLAGS, OUT_U8 | OUT_S32, EINVAL },
		{ "all OUT flags", F_FLAGS, OUT_S8 | OUT_U8 | OUT_S32, EINVAL },
		{ "unknown gemm flag bit 4", F_FLAGS, OUT_S8 | (1u << 4), EINVAL },
		{ "unknown gemm flag bit 31", F_FLAGS, OUT_S8 | 0x80000000u, EINVAL },
	};

	NEED_SUBMIT();
	run_cases(_metadata, self, &self->p.job, cases, QT_ARRAY_SIZE(cases), "u8->s8");
	check_clean(_metadata, self);
}

/*
 * Zero dimensions -> EINVAL; dimensions above the limits -> E2BIG. The BOs
 * are large enough for every operand at limit + 1, so only the limit is
 * violated.
 */
TEST_F(bad, submit_rejects_zero_and_huge_dimensions)
{
	struct qt_dev *d = &self->b.d;
	struct drm_qaccel_submit s;
	struct drm_qaccel_job base;
	struct qt_bo a, w, c;
	uint32_t rd[2];
	char what[64];

	NEED_SUBMIT();

	ASSERT_EQ(0, qt_bo_create(d->fd, 1 << 20, 0, &a));
	ASSERT_EQ(0, qt_bo_create(d->fd, 1 << 20, DRM_QACCEL_BO_DEVICE_READONLY, &w));
	ASSERT_EQ(0, qt_bo_create(d->fd, 2 << 20, 0, &c));
	rd[0] = a.handle;
	rd[1] = w.handle;
	base = self->p.job;
	base.gemm.a_va = a.va;
	base.gemm.w_va = w.va;
	base.gemm.c_va = c.va;

#define TRY(field, value, new_lda, new_ldc, err, err2) do {			\
		self->job = base;						\
		self->job.gemm.field = (value);					\
		if (new_lda)							\
			self->job.gemm.lda = (new_lda);				\
		if (new_ldc)							\
			self->job.gemm.ldc = (new_ldc);				\
		base_submit(self, &s);						\
		s.read_handles = (uintptr_t)rd;					\
		s.write_handles = (uintptr_t)&c.handle;				\
		snprintf(what, sizeof(what), "%s = %llu", #field,		\
			 (unsigned long long)(value));				\
		bad_submit(_metadata, self, &s, err, err2, what);		\
	} while (0)

	TRY(m, 0, 0, 0, EINVAL, 0);
	TRY(n, 0, 0, 0, EINVAL, 0);
	TRY(k, 0, 0, 0, EINVAL, 0);
	TRY(m, d->max_m + 1, 0, 0, E2BIG, 0);
	TRY(n, d->max_n + 1, 0, (uint32_t)d->max_n + 1, E2BIG, 0);
	TRY(k, d->max_k + 1, (uint32_t)d->max_k + 1, 0, E2BIG, 0);
	/* Far above: more than one rule applies, either errno is documented. */
	TRY(m, 0xffffffffu, 0, 0, E2BIG, EINVAL);
	TRY(n, 0xffffffffu, 0, 0xffffffffu, E2BIG, EINVAL);
	TRY(k, 0xffffffffu, 0xffffffffu, 0, E2BIG, EINVAL);
#undef TRY

	/* At the limits, with operands that fit, the same job is accepted. */
	self->job = base;
	self->job.gemm.m = (uint32_t)d->max_m;
	base_submit(self, &s);
	s.read_handles = (uintptr_t)rd;
	s.write_handles = (uintptr_t)&c.handle;
	s.out_syncobj = 0;
	good_submit(_metadata, self, &s, "m = MAX_M");

	qt_bo_free(d->fd, &a);
	qt_bo_free(d->fd, &w);
	qt_bo_free(d->fd, &c);
	check_clean(_metadata, self);
}

TEST_F(bad, submit_rejects_short_strides)
{
	struct drm_qaccel_job s32;
	static const struct jcase cases[] = {
		{ "lda = k - 1", F_LDA, 7, EINVAL },
		{ "lda = 0", F_LDA, 0, EINVAL },
		{ "ldc = n - 1", F_LDC, 15, EINVAL },
		{ "ldc = 0", F_LDC, 0, EINVAL },
	};
	static const struct jcase cases32[] = {
		{ "ldc = 4n - 1", F_LDC, 63, EINVAL },
		{ "ldc = n", F_LDC, 16, EINVAL },
	};

	NEED_SUBMIT();
	run_cases(_metadata, self, &self->p.job, cases, QT_ARRAY_SIZE(cases), "u8->s8");
	s32 = self->p.job;
	s32.gemm.flags = OUT_S32;
	s32.gemm.ldc = 64;
	s32.gemm.m = 1;		/* 64 bytes of C fit the BO */
	s32.gemm.out_zp = s32.gemm.act_min = s32.gemm.act_max = 0;
	run_cases(_metadata, self, &s32, cases32, QT_ARRAY_SIZE(cases32), "u8->s32");
	check_clean(_metadata, self);
}

/* Zero points and the clamp range must lie within their types. */
TEST_F(bad, submit_rejects_zero_points_and_ranges_outside_types)
{
	static const struct jcase u8_s8[] = {
		{ "a_zp -1", F_AZP, -1, EINVAL },
		{ "a_zp 256", F_AZP, 256, EINVAL },
		{ "a_zp INT32_MIN", F_AZP, INT32_MIN, EINVAL },
		{ "out_zp -129", F_OUTZP, -129, EINVAL },
		{ "out_zp 128", F_OUTZP, 128, EINVAL },
		{ "act_min -129", F_ACTMIN, -129, EINVAL },
		{ "act_max 128", F_ACTMAX, 128, EINVAL },
		{ "act_min 1 > act_max 0", F_ACTMIN, 1, EINVAL },
	};
	static const struct jcase s8_u8[] = {
		{ "a_zp -129", F_AZP, -129, EINVAL },
		{ "a_zp 128", F_AZP, 128, EINVAL },
		{ "out_zp -1", F_OUTZP, -1, EINVAL },
		{ "out_zp 256", F_OUTZP, 256, EINVAL },
		{ "act_min -1", F_ACTMIN, -1, EINVAL },
		{ "act_max 256", F_ACTMAX, 256, EINVAL },
		{ "act_max INT32_MAX", F_ACTMAX, INT32_MAX, EINVAL },
		{ "act_min 11 > act_max 10", F_ACTMIN, 11, EINVAL },
	};
	static const struct jcase u8_s32[] = {
		{ "out_zp 1", F_OUTZP, 1, EINVAL },
		{ "out_zp -1", F_OUTZP, -1, EINVAL },
		{ "act_min -1", F_ACTMIN, -1, EINVAL },
		{ "act_max 1", F_ACTMAX, 1, EINVAL },
		{ "a_zp 256", F_AZP, 256, EINVAL },
	};
	struct drm_qaccel_job base;

	NEED_SUBMIT();

	base = self->p.job;
	base.gemm.flags = OUT_S8;
	base.gemm.a_zp = 0;
	base.gemm.out_zp = 0;
	base.gemm.act_min = -128;
	base.gemm.act_max = 0;
	run_cases(_metadata, self, &base, u8_s8, QT_ARRAY_SIZE(u8_s8), "u8->s8");

	base.gemm.flags = A_S8 | OUT_U8;
	base.gemm.a_zp = 0;
	base.gemm.out_zp = 0;
	base.gemm.act_min = 0;
	base.gemm.act_max = 10;
	run_cases(_metadata, self, &base, s8_u8, QT_ARRAY_SIZE(s8_u8), "s8->u8");

	base.gemm.flags = OUT_S32;
	base.gemm.m = 1;
	base.gemm.ldc = 64;
	base.gemm.a_zp = 0;
	base.gemm.out_zp = base.gemm.act_min = base.gemm.act_max = 0;
	run_cases(_metadata, self, &base, u8_s32, QT_ARRAY_SIZE(u8_s32), "u8->s32");
	check_clean(_metadata, self);
}

/* Operand ranges that cross their BO's end (or start) by one byte. */
TEST_F(bad, submit_rejects_ranges_crossing_bo_end_by_one_byte)
{
	struct qt_placed *p = &self->p;
	uint64_t a_len, w_len, c_len;
	struct drm_qaccel_submit s;

	NEED_SUBMIT();
	a_len = p->q.a_bytes;
	w_len = p->q.packed_bytes;
	c_len = p->q.c_bytes;

	self->job = p->job;
	self->job.gemm.a_va = p->a.va + p->a.size - a_len + 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "A crosses its BO's end by 1");
	self->job = p->job;
	self->job.gemm.a_va = p->a.va - 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "A starts 1 before its BO");
	self->job = p->job;
	self->job.gemm.lda = (uint32_t)((p->a.size - p->q.g.k) / (p->q.g.m - 1) + 1);
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "lda makes A's last row cross the end");

	self->job = p->job;
	self->job.gemm.w_va = p->w.va + p->w.size - w_len + 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "W crosses its BO's end by 1");
	self->job = p->job;
	self->job.gemm.w_va = p->w.va - 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "W starts 1 before its BO");

	self->job = p->job;
	self->job.gemm.c_va = p->c.va + p->c.size - c_len + 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "C crosses its BO's end by 1");
	self->job = p->job;
	self->job.gemm.c_va = p->c.va - 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "C starts 1 before its BO");
	self->job = p->job;
	self->job.gemm.ldc = (uint32_t)((p->c.size - p->q.g.n) / (p->q.g.m - 1) + 1);
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "ldc makes C's last row cross the end");
	check_clean(_metadata, self);

	/* Exactly at the end: accepted. */
	self->job = p->job;
	self->job.gemm.a_va = p->a.va + p->a.size - a_len;
	self->job.gemm.w_va = p->w.va + p->w.size - w_len;
	self->job.gemm.c_va = p->c.va + p->c.size - c_len;
	base_submit(self, &s);
	good_submit(_metadata, self, &s, "every operand ending at its BO's last byte");
}

/*
 * Ranges whose size or end overflows: (M - 1) * lda (and ldc) wrapping
 * 2^32, addresses whose end wraps 2^64, and addresses that only match a BO
 * in their low 32 bits.
 */
TEST_F(bad, submit_rejects_overflowing_ranges)
{
	struct qt_placed *p = &self->p;
	struct drm_qaccel_submit s;
	struct qt_bo big_a, big_c;
	long long live0 = 0, seen = -1;
	uint32_t rd[2], m;

	NEED_SUBMIT();
	if (self->b.d.max_m < 65536)
		TH_LOG("MAX_M %llu: the 2^32 wrap cases cannot wrap",
		       (unsigned long long)self->b.d.max_m);

	/*
	 * M = 65536 rows: A (lda 8) and C (ldc 16) fit BOs of 1 and 2 MiB, so
	 * only the stride under test overflows: (65536 - 1) * 65537 + 8 is
	 * 2^32 + 7, which is 7 when computed in 32 bits.
	 */
	m = (uint32_t)(self->b.d.max_m < 65536 ? self->b.d.max_m : 65536);
	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 1 << 20, 0, &big_a));
	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 2 << 20, 0, &big_c));
	rd[0] = big_a.handle;
	rd[1] = p->w.handle;
	self->job = p->job;
	self->job.gemm.m = m;
	self->job.gemm.a_va = big_a.va;
	self->job.gemm.c_va = big_c.va;
	self->job.gemm.lda = 65537;
	base_submit(self, &s);
	s.read_handles = (uintptr_t)rd;
	s.write_handles = (uintptr_t)&big_c.handle;
	bad_submit(_metadata, self, &s, EINVAL, 0, "(m - 1) * lda + k wraps 2^32");
	self->job.gemm.lda = 8;
	self->job.gemm.ldc = 65537;
	bad_submit(_metadata, self, &s, EINVAL, 0, "(m - 1) * ldc + n wraps 2^32");
	/* The same job with strides that fit is accepted. */
	self->job.gemm.ldc = 16;
	s.out_syncobj = 0;
	good_submit(_metadata, self, &s, "M = 65536 with fitting strides");
	qt_bo_free(self->b.d.fd, &big_a);
	qt_bo_free(self->b.d.fd, &big_c);
	/*
	 * The job's release, which drops its last references to the two BOs,
	 * runs after its completion: let it happen before the next cases
	 * compare live_bos.
	 */
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &seen)) {
		TH_LOG("live_bos %lld after freeing the big BOs, %lld before", seen, live0);
	}

	self->job = p->job;
	self->job.gemm.m = 2;
	self->job.gemm.ldc = 0xffffffffu;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "ldc 0xffffffff");
	self->job = p->job;
	self->job.gemm.m = 2;
	self->job.gemm.lda = 0xfffffff9u;	/* lda + k = 2^32 + 1 */
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "lda + k wraps 2^32");

	self->job = p->job;
	self->job.gemm.a_va = 0xfffffffffffffff0ull;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "a_va + length wraps 2^64");
	self->job = p->job;
	self->job.gemm.w_va = ~0ull;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "w_va 2^64 - 1");
	self->job = p->job;
	self->job.gemm.c_va = 0 - (uint64_t)p->q.c_bytes + 1;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "c_va + length wraps to 1");

	self->job = p->job;
	self->job.gemm.a_va = p->a.va | (1ull << 32);
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "a_va + 2^32 (aliases A in 32 bits)");
	self->job = p->job;
	self->job.gemm.w_va = p->w.va + (1ull << 40);
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "w_va + 2^40");
	self->job = p->job;
	self->job.gemm.c_va = p->c.va | (1ull << 63);
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "c_va + 2^63");
	check_clean(_metadata, self);
}

/* An operand in a BO of the file that is not listed, or spanning two BOs. */
TEST_F(bad, submit_rejects_operands_outside_listed_bos)
{
	struct qt_placed *p = &self->p;
	struct drm_qaccel_submit s;
	struct qt_bo x, y;

	NEED_SUBMIT();

	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 4096, 0, &x));
	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 4096, 0, &y));
	self->job = p->job;
	self->job.gemm.a_va = x.va;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "A in a BO not listed");
	self->job = p->job;
	self->job.gemm.c_va = x.va;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "C in a BO not listed");
	self->job = p->job;
	self->job.gemm.a_va = 0;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "A at address 0");
	self->job = p->job;
	self->job.gemm.a_va = self->b.d.va_start - 4096;
	base_submit(self, &s);
	bad_submit(_metadata, self, &s, EINVAL, 0, "A below VA_START");

	/* Two listed BOs at adjacent addresses: a range across both is refused. */
	if (y.va == x.va + x.size || x.va == y.va + y.size) {
		struct qt_bo *lo = y.va > x.va ? &x : &y, *hi = y.va > x.va ? &y : &x;
		uint32_t rd4[4] = { p->a.handle, p->w.handle, lo->handle, hi->handle };

		/* 32 bytes of A: 8 at the end of lo, 24 at the start of hi. */
		self->job = p->job;
		self->job.gemm.a_va = hi->va - 8;
		base_submit(self, &s);
		s.read_handles = (uintptr_t)rd4;
		s.read_count = 4;
		bad_submit(_metadata, self, &s, EINVAL, 0, "A spans two adjacent listed BOs");
	} else {
		TH_LOG("BOs at %#llx and %#llx are not adjacent: spanning case not run",
		       (unsigned long long)x.va, (unsigned long long)y.va);
	}
	qt_bo_free(self->b.d.fd, &x);
	qt_bo_free(self->b.d.fd, &y);
	check_clean(_metadata, self);
}

/* C in a BO listed only for reading, or in a DEVICE_READONLY BO: EACCES. */
TEST_F(bad, submit_rejects_writes_to_read_only_targets)
{
	struct qt_placed *p = &self->p;
	struct drm_qaccel_submit s;
	uint32_t rd[3];
	struct qt_bo other;

	NEED_SUBMIT();

	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 4096, 0, &other));
	rd[0] = p->a.handle;
	rd[1] = p->w.handle;
	rd[2] = p->c.handle;

	self->job = p->job;
	base_submit(self, &s);
	s.read_handles = (uintptr_t)rd;
	s.read_count = 3;
	s.write_handles = 0;
	s.write_count = 0;
	bad_submit(_metadata, self, &s, EACCES, 0, "C in a BO only in the read list");
	s.write_handles = (uintptr_t)&other.handle;
	s.write_count = 1;
	bad_submit(_metadata, self, &s, EACCES, 0,
		   "C in a BO only in the read list, another BO written");

	/* C inside the DEVICE_READONLY weights BO, listed for writing. */
	self->job = p->job;
	self->job.gemm.c_va = p->w.va;
	base_submit(self, &s);
	s.read_handles = (uintptr_t)rd;
	s.read_count = 1;
	s.write_handles = (uintptr_t)&p->w.handle;
	s.write_count = 1;
	bad_submit(_metadata, self, &s, EACCES, 0, "C in a DEVICE_READONLY BO");
	EXPECT_EQ(0, memcmp(p->w.map, p->q.packed, p->q.packed_bytes));
	qt_bo_free(self->b.d.fd, &other);
	check_clean(_metadata, self);
}

/* One bad job refuses the whole submission: the good jobs before it do not run. */
TEST_F(bad, submit_with_one_bad_job_runs_nothing)
{
	struct drm_qaccel_job jobs[3];
	struct drm_qaccel_submit s;
	int i;

	NEED_SUBMIT();

	for (i = 0; i < 3; i++) {
		jobs[0] = self->p.job;
		jobs[1] = self->p.job;
		jobs[2] = self->p.job;
		if (i == 0)
			jobs[2].gemm.k = 0;
		else if (i == 1)
			jobs[1].gemm.c_va = self->p.c.va + self->p.c.size;
		else
			jobs[2].type = 7;
		base_submit(self, &s);
		s.jobs = (uintptr_t)jobs;
		s.job_count = 3;
		bad_submit(_metadata, self, &s, EINVAL, 0, "one bad job among three");
	}
	check_clean(_metadata, self);
}

/* ---- BO_CREATE, BO_INFO, BO_WAIT ------------------------------------------ */

TEST_F(bad, bo_create_rejects_bad_size_and_flags)
{
	static const struct {
		uint64_t size;
		uint32_t flags;
		int err;
		const char *what;
	} cases[] = {
		{ 0, 0, EINVAL, "size 0" },
		{ 0, DRM_QACCEL_BO_DEVICE_READONLY, EINVAL, "size 0, read-only" },
		{ 4096, 2, EINVAL, "flags bit 1" },
		{ 4096, 0x80000000u, EINVAL, "flags bit 31" },
		{ 4096, 0xffffffffu, EINVAL, "flags all ones" },
		{ (1ull << 30) + 1, 0, E2BIG, "MAX_BO_SIZE + 1" },
		{ 1ull << 32, 0, E2BIG, "4 GiB" },
		{ ~0ull, 0, E2BIG, "2^64 - 1 (rounding up wraps)" },
		{ ~0ull - 4094, 0, E2BIG, "2^64 - 4095" },
	};
	struct drm_qaccel_bo_create c;
	long long live0 = 0, live1 = 0;
	size_t i;

	QT_NEED(&self->b, BO_CREATE);
	QT_COUNTER(&self->b.d.node, "live_bos", &live0);

	for (i = 0; i < QT_ARRAY_SIZE(cases); i++) {
		uint64_t size = cases[i].size;

		if (cases[i].err == E2BIG && size == (1ull << 30) + 1)
			size = self->b.d.max_bo_size + 1;
		memset(&c, 0, sizeof(c));
		c.size = size;
		c.flags = cases[i].flags;
		c.handle = SENT32;
		c.va = QT_SENTINEL64;
		c.mmap_offset = QT_SENTINEL64;
		EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_CREATE, &c)) {
			TH_LOG("%s: accepted", cases[i].what);
			qt_gem_close(self->b.d.fd, c.handle);
		}
		EXPECT_EQ(cases[i].err, errno) {
			TH_LOG("%s: expected %s, got %s", cases[i].what, strerror(cases[i].err),
			       strerror(errno));
		}
		EXPECT_EQ(SENT32, c.handle) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(QT_SENTINEL64, c.va) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(QT_SENTINEL64, c.mmap_offset) TH_LOG("%s", cases[i].what);
	}
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	QT_COUNTER(&self->b.d.node, "live_bos", &live1);
	EXPECT_EQ(live0, live1);
}

TEST_F(bad, bo_info_and_bo_wait_reject_unknown_handles)
{
	static const uint32_t handles[] = { 0, 1, 4711, 0xffffffffu };
	struct drm_qaccel_bo_info info;
	struct drm_qaccel_bo_wait w;
	struct qt_bo gone;
	size_t i;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);
	QT_NEED(&self->b, BO_WAIT);

	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 4096, 0, &gone));
	ASSERT_EQ(0, qt_gem_close(self->b.d.fd, gone.handle));
	for (i = 0; i <= QT_ARRAY_SIZE(handles); i++) {
		uint32_t h = i < QT_ARRAY_SIZE(handles) ? handles[i] : gone.handle;

		memset(&info, 0x5a, sizeof(info));
		info.handle = h;
		EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_INFO, &info));
		EXPECT_EQ(ENOENT, errno) TH_LOG("BO_INFO handle %u", h);
		EXPECT_EQ(QT_SENTINEL64, info.size);
		EXPECT_EQ(QT_SENTINEL64, info.va);
		memset(&w, 0, sizeof(w));
		w.handle = h;
		EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, &w));
		EXPECT_EQ(ENOENT, errno) TH_LOG("BO_WAIT handle %u", h);
	}
}

TEST_F(bad, bo_wait_rejects_padding_and_negative_timeout)
{
	struct drm_qaccel_bo_wait w;
	struct qt_bo bo;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_WAIT);

	ASSERT_EQ(0, qt_bo_create(self->b.d.fd, 4096, 0, &bo));
	memset(&w, 0, sizeof(w));
	w.handle = bo.handle;
	w.pad = 1;
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.pad = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.pad = 0;
	w.timeout_ns = -1;
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.timeout_ns = INT64_MIN;
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.timeout_ns = INT64_MAX;	/* idle: returns at once */
	EXPECT_EQ(0, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, &w));
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_BO_WAIT, NULL));
	EXPECT_EQ(EFAULT, errno);
	qt_bo_free(self->b.d.fd, &bo);
}

/* ---- QUEUE_CREATE, QUEUE_DESTROY ------------------------------------------ */

/* Count the queues one more file of the node can still create. */
static int free_queue_slots(int fd)
{
	uint32_t id;
	int n = 0;

	while (n < 256 && qt_queue_create(fd, DRM_QACCEL_PRIORITY_NORMAL, &id) == 0)
		n++;
	return n;
}

TEST_F(bad, queue_create_rejects_bad_fields_and_keeps_no_queue)
{
	struct drm_qaccel_queue_create q;
	int fd2, fresh;
	int i;
	static const struct {
		uint32_t priority, flags, pad;
		const char *what;
	} cases[] = {
		{ 3, 0, 0, "priority 3" },
		{ 0xffffffffu, 0, 0, "priority 0xffffffff" },
		{ DRM_QACCEL_PRIORITY_NORMAL, 1, 0, "flags 1" },
		{ DRM_QACCEL_PRIORITY_NORMAL, 0x80000000u, 0, "flags bit 31" },
		{ DRM_QACCEL_PRIORITY_NORMAL, 0, 1, "pad 1" },
		{ DRM_QACCEL_PRIORITY_LOW, 0, 0xffffffffu, "pad all ones" },
	};

	QT_NEED_QUEUES(&self->b);

	for (i = 0; i < (int)QT_ARRAY_SIZE(cases); i++) {
		memset(&q, 0, sizeof(q));
		q.priority = cases[i].priority;
		q.flags = cases[i].flags;
		q.pad = cases[i].pad;
		q.queue_id = SENT32;
		EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_QUEUE_CREATE, &q)) {
			TH_LOG("%s: accepted", cases[i].what);
		}
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", cases[i].what, strerror(errno));
		EXPECT_EQ(SENT32, q.queue_id) TH_LOG("%s", cases[i].what);
	}
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_QUEUE_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* No queue was created by the failures: as many slots as a fresh file. */
	fd2 = qt_dev_reopen(&self->b.d);
	ASSERT_LE(0, fd2);
	fresh = free_queue_slots(fd2);
	close(fd2);
	EXPECT_EQ(fresh, free_queue_slots(self->b.d.fd));
	EXPECT_EQ((int)self->b.d.max_queues - 1, fresh);
}

TEST_F(bad, queue_destroy_rejects_queue0_unknown_and_padding)
{
	struct drm_qaccel_queue_destroy d;
	uint32_t q;

	QT_NEED_QUEUES(&self->b);

	ASSERT_EQ(0, qt_queue_create(self->b.d.fd, DRM_QACCEL_PRIORITY_NORMAL, &q));
	EXPECT_EQ(-EINVAL, qt_queue_destroy(self->b.d.fd, 0));
	EXPECT_EQ(-ENOENT, qt_queue_destroy(self->b.d.fd, q + 1000));
	EXPECT_EQ(-ENOENT, qt_queue_destroy(self->b.d.fd, 0xffffffffu));
	memset(&d, 0, sizeof(d));
	d.queue_id = q;
	d.pad = 1;
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_QUEUE_DESTROY, &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->b.d.fd, DRM_IOCTL_QACCEL_QUEUE_DESTROY, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* The failures left the queue alone; destroying it twice fails. */
	EXPECT_EQ(0, qt_queue_destroy(self->b.d.fd, q));
	EXPECT_EQ(-ENOENT, qt_queue_destroy(self->b.d.fd, q));
}

/* ---- JOB_WAIT -------------------------------------------------------------- */

TEST_F(bad, job_wait_rejects_bad_fields)
{
	struct drm_qaccel_job_wait w;
	struct drm_qaccel_submit s;
	int fd = self->b.d.fd;

	NEED_SUBMIT();

	base_submit(self, &s);
	good_submit(_metadata, self, &s, "one good submission");	/* seqno 1 */

#define WAIT_FAILS(err, what) do {						\
		w.status = (int32_t)SENT32;					\
		EXPECT_EQ(-1, ioctl(fd, DRM_IOCTL_QACCEL_JOB_WAIT, &w)) {	\
			TH_LOG("%s: accepted", what);				\
		}								\
		EXPECT_EQ(err, errno) TH_LOG("%s: %s", what, strerror(errno));	\
		EXPECT_EQ((int32_t)SENT32, w.status) TH_LOG("%s", what);	\
	} while (0)

	memset(&w, 0, sizeof(w));
	w.seqno = 1;
	w.flags = 1;
	WAIT_FAILS(EINVAL, "flags 1");
	w.flags = 0;
	w.pad = 1;
	WAIT_FAILS(EINVAL, "pad 1");
	w.pad = 0;
	w.seqno = 0;
	WAIT_FAILS(EINVAL, "seqno 0");
	w.seqno = 2;
	WAIT_FAILS(EINVAL, "seqno not handed out yet");
	w.seqno = ~0ull;
	WAIT_FAILS(EINVAL, "seqno 2^64 - 1");
	w.seqno = 1;
	w.timeout_ns = -1;
	WAIT_FAILS(EINVAL, "negative timeout (as for BO_WAIT)");
	w.timeout_ns = 0;
	w.queue_id = 4711;
	WAIT_FAILS(ENOENT, "unknown queue");
#undef WAIT_FAILS
	EXPECT_EQ(-1, ioctl(fd, DRM_IOCTL_QACCEL_JOB_WAIT, NULL));
	EXPECT_EQ(EFAULT, errno);

	memset(&w, 0, sizeof(w));
	w.seqno = 1;
	EXPECT_EQ(0, ioctl(fd, DRM_IOCTL_QACCEL_JOB_WAIT, &w));
	EXPECT_EQ(0, w.status);
	check_clean(_metadata, self);
}

TEST_HARNESS_MAIN
