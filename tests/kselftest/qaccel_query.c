// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: device nodes and DRM_IOCTL_QACCEL_GET_PARAM.
 *
 * Expects the qaccel module loaded with emulated engines (the VM tests load
 * it with emulated=2); skips when the module is not loaded at all. The
 * expected limits of the emulated QA1 and the driver constants are the ones
 * documented in Documentation/accel/qaccel/driver.rst.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"

/* The last parameter of uapi version 2. */
#define LAST_PARAM		DRM_QACCEL_PARAM_URING_CMD

/* Documented values of an emulated QA1 and of the driver. */
#define EMU_HW_VERSION		0x00010000ull
#define EMU_CAPS		0xffull		/* every capability of uapi v1 */
#define EMU_MAX_M		65536ull
#define EMU_MAX_N		8192ull
#define EMU_MAX_K		8192ull
#define DRV_VA_START		0x00100000ull
#define DRV_VA_END		0x100000000ull
#define DRV_PAGE_SIZE		4096ull
#define DRV_RING_ENTRIES	256ull
#define DRV_MAX_JOBS		64ull
#define DRV_MAX_BO_SIZE		(1ull << 30)
#define DRV_MAX_QUEUES		16ull
#define DRV_JOB_HISTORY		256ull

/* GET_PARAM with an ioctl size other than sizeof(struct drm_qaccel_get_param). */
#define GET_PARAM_NR		(DRM_COMMAND_BASE + DRM_QACCEL_GET_PARAM)
#define GET_PARAM_SIZED(dir, size) _IOC(dir, DRM_IOCTL_BASE, GET_PARAM_NR, size)

#define SENTINEL		0x5a5a5a5a5a5a5a5aull

/*
 * The 6.1 harness runs a test body even when its setup skipped, so every
 * body that needs the node starts with this.
 */
#define NEED_NODE() do {						\
	if (self->fd < 0)						\
		SKIP(return, "no qaccel node");				\
} while (0)

FIXTURE(node) {
	int fd;
	struct qaccel_node node;
};

FIXTURE_SETUP(node)
{
	self->fd = -1;
	if (!qaccel_module_present())
		SKIP(return, "the qaccel module is not loaded");
	self->fd = qaccel_open_first(&self->node);
	ASSERT_LE(0, self->fd) {
		TH_LOG("qaccel is loaded but no qaccel node opens: %s",
		       strerror(-self->fd));
	}
}

FIXTURE_TEARDOWN(node)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The node is a DRM device of the qaccel driver, version 1.x. */
TEST_F(node, version)
{
	char name[32], desc[128];
	struct drm_version v;

	NEED_NODE();

	memset(&v, 0, sizeof(v));
	memset(name, 0, sizeof(name));
	memset(desc, 0, sizeof(desc));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	v.desc = desc;
	v.desc_len = sizeof(desc) - 1;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VERSION, &v));
	EXPECT_STREQ("qaccel", name);
	EXPECT_EQ(1, v.version_major);
	EXPECT_LT(0, (int)strlen(desc));
	TH_LOG("%s: %s %d.%d.%d (%s)", self->node.path, name, v.version_major,
	       v.version_minor, v.version_patchlevel, desc);
}

/* Every parameter of uapi version 1 answers. */
TEST_F(node, every_param_answers)
{
	uint64_t value;
	uint32_t p;

	NEED_NODE();

	for (p = 0; p <= LAST_PARAM; p++) {
		value = SENTINEL;
		EXPECT_EQ(0, qaccel_get_param(self->fd, p, &value)) {
			TH_LOG("param %u failed", p);
		}
		EXPECT_NE(SENTINEL, value);
	}
}

TEST_F(node, uapi_version)
{
	uint64_t value = 0;

	NEED_NODE();

	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_UAPI_VERSION, &value));
	EXPECT_EQ(DRM_QACCEL_UAPI_VERSION, value);
	EXPECT_EQ(2, value);
}

TEST_F(node, device_id)
{
	uint64_t value = 0;

	NEED_NODE();

	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_DEVICE_ID, &value));
	EXPECT_EQ(QA1_ID_MAGIC, value);
}

/* An emulated QA1 reports the documented identification and limits. */
TEST_F(node, emulated_limits)
{
	static const struct {
		uint32_t param;
		uint64_t value;
		const char *name;
	} expect[] = {
		{ DRM_QACCEL_PARAM_EMULATED, 1, "EMULATED" },
		{ DRM_QACCEL_PARAM_HW_VERSION, EMU_HW_VERSION, "HW_VERSION" },
		{ DRM_QACCEL_PARAM_CAPABILITIES, EMU_CAPS, "CAPABILITIES" },
		{ DRM_QACCEL_PARAM_MAX_M, EMU_MAX_M, "MAX_M" },
		{ DRM_QACCEL_PARAM_MAX_N, EMU_MAX_N, "MAX_N" },
		{ DRM_QACCEL_PARAM_MAX_K, EMU_MAX_K, "MAX_K" },
		{ DRM_QACCEL_PARAM_VA_BITS, QA1_VA_BITS, "VA_BITS" },
		{ DRM_QACCEL_PARAM_VA_START, DRV_VA_START, "VA_START" },
		{ DRM_QACCEL_PARAM_VA_END, DRV_VA_END, "VA_END" },
		{ DRM_QACCEL_PARAM_PAGE_SIZE, DRV_PAGE_SIZE, "PAGE_SIZE" },
		{ DRM_QACCEL_PARAM_RING_ENTRIES, DRV_RING_ENTRIES, "RING_ENTRIES" },
		{ DRM_QACCEL_PARAM_MAX_JOBS, DRV_MAX_JOBS, "MAX_JOBS" },
		{ DRM_QACCEL_PARAM_MAX_BO_SIZE, DRV_MAX_BO_SIZE, "MAX_BO_SIZE" },
		{ DRM_QACCEL_PARAM_MAX_QUEUES, DRV_MAX_QUEUES, "MAX_QUEUES" },
		{ DRM_QACCEL_PARAM_JOB_HISTORY, DRV_JOB_HISTORY, "JOB_HISTORY" },
		{ DRM_QACCEL_PARAM_URING_CMD, 1, "URING_CMD" },
	};
	uint64_t value = 0;
	size_t i;

	NEED_NODE();

	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_EMULATED, &value));
	if (value != 1)
		SKIP(return, "%s is not an emulated QA1", self->node.path);

	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		value = SENTINEL;
		ASSERT_EQ(0, qaccel_get_param(self->fd, expect[i].param, &value));
		EXPECT_EQ(expect[i].value, value) {
			TH_LOG("%s is %#llx, expected %#llx", expect[i].name,
			       (unsigned long long)value,
			       (unsigned long long)expect[i].value);
		}
	}
	/* The capability bits are exactly the uapi's. */
	EXPECT_EQ(DRM_QACCEL_CAP_A_U8 | DRM_QACCEL_CAP_A_S8 | DRM_QACCEL_CAP_OUT_S8 |
		  DRM_QACCEL_CAP_OUT_U8 | DRM_QACCEL_CAP_OUT_S32 | DRM_QACCEL_CAP_MMU |
		  DRM_QACCEL_CAP_PROGRESS | DRM_QACCEL_CAP_FAULT_INJECT, EMU_CAPS);
}

/* Limits that hold on every QA1, emulated or not. */
TEST_F(node, limits_consistent)
{
	uint64_t start = 0, end = 0, page = 0, ring = 0, bo = 0;

	NEED_NODE();

	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_VA_START, &start));
	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_VA_END, &end));
	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_PAGE_SIZE, &page));
	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_RING_ENTRIES, &ring));
	ASSERT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_MAX_BO_SIZE, &bo));
	EXPECT_EQ(QA1_PAGE_SIZE, page);
	EXPECT_LT(0, start);
	EXPECT_LT(start, end);
	EXPECT_EQ(0, start % page);
	EXPECT_EQ(0, end % page);
	EXPECT_LE(bo, end - start);
	EXPECT_EQ(0, ring & (ring - 1));
	EXPECT_LE(QA1_RING_MIN_SIZE, ring);
}

/* Each emulated engine is its own device node. */
TEST(one_node_per_emulated_engine)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	long emulated;
	int n, i, j, fd, count = 0;
	uint64_t value = 0;

	if (!qaccel_module_present())
		SKIP(return, "the qaccel module is not loaded");
	emulated = qaccel_module_param("emulated");
	ASSERT_LE(0, emulated);

	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	for (i = 0; i < n; i++) {
		fd = open(nodes[i].path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, qaccel_get_param(fd, DRM_QACCEL_PARAM_DEVICE_ID, &value));
		EXPECT_EQ(QA1_ID_MAGIC, value);
		ASSERT_EQ(0, qaccel_get_param(fd, DRM_QACCEL_PARAM_EMULATED, &value));
		count += value == 1;
		close(fd);
		for (j = 0; j < i; j++)
			EXPECT_NE(nodes[j].rdev, nodes[i].rdev);
		TH_LOG("%s: %s QA1", nodes[i].path, value ? "emulated" : "hardware");
	}
	EXPECT_EQ(emulated, count);
	if (emulated == 0)
		SKIP(return, "no emulated engine (module parameter emulated=0)");
	EXPECT_LE(2, count) {
		TH_LOG("the VM tests load qaccel with emulated=2");
	}
}

TEST_F(node, unknown_param)
{
	static const uint32_t bad[] = { LAST_PARAM + 1, 9999, 0x80000000u, 0xffffffffu };
	struct drm_qaccel_get_param gp;
	size_t i;

	NEED_NODE();

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&gp, 0, sizeof(gp));
		gp.param = bad[i];
		gp.value = SENTINEL;
		EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(SENTINEL, gp.value);
	}
}

TEST_F(node, nonzero_pad)
{
	struct drm_qaccel_get_param gp;

	NEED_NODE();

	memset(&gp, 0, sizeof(gp));
	gp.param = DRM_QACCEL_PARAM_UAPI_VERSION;
	gp.pad = 1;
	gp.value = SENTINEL;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SENTINEL, gp.value);
	EXPECT_EQ(1, gp.pad);

	gp.pad = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SENTINEL, gp.value);
}

/* Driver ioctl numbers past the driver's table fail with EINVAL. */
TEST_F(node, ioctl_past_table)
{
	struct drm_qaccel_get_param gp;

	NEED_NODE();

	memset(&gp, 0, sizeof(gp));
	/* The first number after the last ioctl of uapi version 1. */
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_QACCEL_SUBMIT + 1,
					       struct drm_qaccel_get_param), &gp));
	EXPECT_EQ(EINVAL, errno);
	/* The last driver-private number. */
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOWR(DRM_COMMAND_END - 1,
					       struct drm_qaccel_get_param), &gp));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * DRM core copies in only the size encoded in the ioctl number and
 * zero-fills the rest of the kernel's structure, and copies out only that
 * size. A 4-byte GET_PARAM therefore runs with pad = 0 (whatever the caller
 * has there) and returns no value.
 */
TEST_F(node, short_size)
{
	struct drm_qaccel_get_param gp;

	NEED_NODE();

	memset(&gp, 0, sizeof(gp));
	gp.param = DRM_QACCEL_PARAM_UAPI_VERSION;
	gp.pad = 1;		/* not passed: the kernel sees zero */
	gp.value = SENTINEL;
	EXPECT_EQ(0, ioctl(self->fd, GET_PARAM_SIZED(_IOC_READ | _IOC_WRITE, 4), &gp));
	EXPECT_EQ(DRM_QACCEL_PARAM_UAPI_VERSION, gp.param);
	EXPECT_EQ(1, gp.pad);
	EXPECT_EQ(SENTINEL, gp.value);

	/* The parameter itself is still checked. */
	gp.param = 9999;
	EXPECT_EQ(-1, ioctl(self->fd, GET_PARAM_SIZED(_IOC_READ | _IOC_WRITE, 4), &gp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SENTINEL, gp.value);

	/* 8 bytes: param and pad, no value. */
	gp.param = DRM_QACCEL_PARAM_DEVICE_ID;
	gp.pad = 0;
	EXPECT_EQ(0, ioctl(self->fd, GET_PARAM_SIZED(_IOC_READ | _IOC_WRITE, 8), &gp));
	EXPECT_EQ(SENTINEL, gp.value);
	gp.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GET_PARAM_SIZED(_IOC_READ | _IOC_WRITE, 8), &gp));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * A larger size (a newer userspace's structure): the kernel handles the
 * fields it knows and hands the extra bytes back untouched.
 */
TEST_F(node, long_size)
{
	struct {
		struct drm_qaccel_get_param gp;
		uint64_t extra;
	} big;

	NEED_NODE();

	memset(&big, 0, sizeof(big));
	big.gp.param = DRM_QACCEL_PARAM_DEVICE_ID;
	big.gp.value = SENTINEL;
	big.extra = SENTINEL;
	EXPECT_EQ(0, ioctl(self->fd, GET_PARAM_SIZED(_IOC_READ | _IOC_WRITE, sizeof(big)),
			   &big));
	EXPECT_EQ(QA1_ID_MAGIC, big.gp.value);
	EXPECT_EQ(SENTINEL, big.extra);
}

/*
 * Direction bits missing from the ioctl number: without _IOC_WRITE nothing
 * is read (param is 0, UAPI_VERSION); without _IOC_READ nothing is returned.
 */
TEST_F(node, direction_bits)
{
	struct drm_qaccel_get_param gp;

	NEED_NODE();

	memset(&gp, 0, sizeof(gp));
	gp.param = 9999;
	gp.value = SENTINEL;
	EXPECT_EQ(0, ioctl(self->fd, GET_PARAM_SIZED(_IOC_READ, sizeof(gp)), &gp));
	EXPECT_EQ(0, gp.param);
	EXPECT_EQ(DRM_QACCEL_UAPI_VERSION, gp.value);

	gp.param = DRM_QACCEL_PARAM_DEVICE_ID;
	gp.value = SENTINEL;
	EXPECT_EQ(0, ioctl(self->fd, GET_PARAM_SIZED(_IOC_WRITE, sizeof(gp)), &gp));
	EXPECT_EQ(SENTINEL, gp.value);

	gp.param = 9999;
	EXPECT_EQ(-1, ioctl(self->fd, GET_PARAM_SIZED(_IOC_WRITE, sizeof(gp)), &gp));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * A mode-setting ioctl, which a compute device has no business answering:
 * a render node refuses it (EACCES, not allowed on render nodes), an accel
 * node has no mode setting (EOPNOTSUPP).
 */
TEST_F(node, modeset_ioctl_rejected)
{
	struct drm_mode_card_res res;

	NEED_NODE();

	memset(&res, 0, sizeof(res));
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_MODE_GETRESOURCES, &res));
	if (self->node.accel) {
		EXPECT_EQ(EOPNOTSUPP, errno);
	} else {
		EXPECT_EQ(EACCES, errno);
	}
	EXPECT_EQ(0, res.count_crtcs);
	EXPECT_EQ(0, res.count_connectors);
}

static int fdinfo_client_id(int fd, unsigned long long *id)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "drm-client-id: %llu", id) == 1)
			found = 1;
	fclose(f);
	return found;
}

/* Two opens of one node are two independent files. */
TEST_F(node, two_opens)
{
	unsigned long long id1, id2;
	struct stat st1, st2;
	uint64_t value = 0;
	int fd2;

	NEED_NODE();

	fd2 = open(self->node.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_NE(self->fd, fd2);
	ASSERT_EQ(0, fstat(self->fd, &st1));
	ASSERT_EQ(0, fstat(fd2, &st2));
	EXPECT_EQ(st1.st_rdev, st2.st_rdev);

	EXPECT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_DEVICE_ID, &value));
	EXPECT_EQ(0, qaccel_get_param(fd2, DRM_QACCEL_PARAM_DEVICE_ID, &value));

	if (fdinfo_client_id(self->fd, &id1) && fdinfo_client_id(fd2, &id2)) {
		EXPECT_NE(id1, id2);
	}

	/* Closing the first leaves the second working. */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	value = 0;
	EXPECT_EQ(0, qaccel_get_param(fd2, DRM_QACCEL_PARAM_DEVICE_ID, &value));
	EXPECT_EQ(QA1_ID_MAGIC, value);

	/* And a new open works too. */
	self->fd = open(self->node.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, qaccel_get_param(self->fd, DRM_QACCEL_PARAM_UAPI_VERSION, &value));
	EXPECT_EQ(DRM_QACCEL_UAPI_VERSION, value);
	close(fd2);
}

TEST_HARNESS_MAIN
