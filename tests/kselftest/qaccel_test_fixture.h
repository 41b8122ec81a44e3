/* SPDX-License-Identifier: MIT */
/*
 * kselftest harness glue shared by the qaccel test binaries: include it
 * after kselftest_harness.h and qaccel_test_util.h.
 *
 * Every fixture embeds a struct qt_base: its setup opens a qaccel node and
 * records the device's live-BO counter; its teardown releases everything the
 * test process still holds on the device (every fd, every mapping of a
 * device node or dma-buf), then checks, with a bounded poll for deferred
 * frees, that live_bos is back at the recorded value.
 *
 * A test whose ioctl the driver does not implement yet skips with
 * "<IOCTL> not implemented" (QT_NEED); once the ioctl exists every
 * assertion applies.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TEST_FIXTURE_H
#define QACCEL_TEST_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "qaccel_test_util.h"

/* How long a test waits for a job that should complete (TCG is slow). */
#define QT_JOB_TIMEOUT		(30 * QT_SEC)
/* How long teardown polls live_bos for deferred frees. */
#define QT_SETTLE_MS		10000

struct qt_base {
	struct qt_dev d;
	int have_live;
	long long live_base;
};

/*
 * The 6.1 harness runs a test body even when its setup skipped, so every
 * body starts with one of these.
 */
#define QT_NEED_DEV(b) do {						\
	if ((b)->d.fd < 0)						\
		SKIP(return, "no qaccel node");				\
} while (0)

#define QT_NEED(b, IOC) do {						\
	QT_NEED_DEV(b);							\
	if (!qt_have_ioctl((b)->d.fd, QT_##IOC))			\
		SKIP(return, #IOC " not implemented");			\
} while (0)

/* The whole BO/job path: what nearly every test needs. */
#define QT_NEED_JOBS(b) do {						\
	QT_NEED(b, BO_CREATE);						\
	QT_NEED(b, BO_INFO);						\
	QT_NEED(b, SUBMIT);						\
	QT_NEED(b, JOB_WAIT);						\
} while (0)

#define QT_NEED_QUEUES(b) do {						\
	QT_NEED(b, QUEUE_CREATE);					\
	QT_NEED(b, QUEUE_DESTROY);					\
} while (0)

/* Open node index; skip when there is no such node. */
static inline void qt_base_setup(struct __test_metadata *_metadata, struct qt_base *b, int index)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->d.fd = -1;
	if (!qaccel_module_present())
		SKIP(return, "the qaccel module is not loaded");
	if (qt_node_count() <= index)
		SKIP(return, "needs %d qaccel nodes", index + 1);
	ret = qt_dev_open(&b->d, index);
	ASSERT_EQ(0, ret) {
		TH_LOG("opening qaccel node %d: %s", index, strerror(-ret));
	}
	b->have_live = qt_counter(&b->d.node, "live_bos", &b->live_base) == 0;
}

/* Unmap every mapping of a device node or dma-buf, close every fd > 2. */
static inline void qt_release_all(void)
{
	char line[512];
	FILE *f;
	int fd;

	f = fopen("/proc/self/maps", "r");
	if (f) {
		/* Collect first: unmapping while reading maps is fragile. */
		unsigned long lo[256], hi[256];
		int n = 0, i;

		while (n < 256 && fgets(line, sizeof(line), f)) {
			if (!strstr(line, "/dev/dri/") && !strstr(line, "/dev/accel/") &&
			    !strstr(line, "dmabuf") && !strstr(line, "/memfd:"))
				continue;
			if (sscanf(line, "%lx-%lx", &lo[n], &hi[n]) == 2)
				n++;
		}
		fclose(f);
		for (i = 0; i < n; i++)
			munmap((void *)lo[i], hi[i] - lo[i]);
	}
	for (fd = 3; fd < 1024; fd++)
		close(fd);
}

/*
 * Release everything, then check live_bos. Uses EXPECT only: an ASSERT in
 * a teardown would jump back into the harness's setjmp and run it again.
 */
static inline void qt_base_teardown(struct __test_metadata *_metadata, struct qt_base *b)
{
	long long seen = -1;
	int ret;

	b->d.fd = -1;
	qt_release_all();
	if (!b->have_live)
		return;
	ret = qt_live_bos_settle(&b->d.node, b->live_base, QT_SETTLE_MS, &seen);
	EXPECT_EQ(0, ret) {
		TH_LOG("live_bos is %lld after the test released everything, %lld before",
		       seen, b->live_base);
	}
}

/* Counter read that must work once the BO path exists. */
#define QT_COUNTER(node, name, ptr) do {				\
	int __r = qt_counter((node), (name), (ptr));			\
	ASSERT_EQ(0, __r) {						\
		TH_LOG("sysfs counter %s: %s", (name), strerror(-__r));	\
	}								\
} while (0)

/* Run a placed GEMM and require status 0 and bit-exact output. */
#define QT_RUN_EXACT(fd, p, queue) do {					\
	char __why[160] = "";						\
	int __r = qt_placed_run((fd), (p), (queue), QT_JOB_TIMEOUT,	\
				__why, sizeof(__why));			\
	ASSERT_EQ(0, __r) {						\
		TH_LOG("GEMM %ux%ux%u flags %#x: %s", (p)->q.g.m,	\
		       (p)->q.g.n, (p)->q.g.k, (p)->q.flags, __why);	\
	}								\
} while (0)

#endif /* QACCEL_TEST_FIXTURE_H */
