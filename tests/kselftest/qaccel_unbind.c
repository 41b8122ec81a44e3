// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: an emulated engine unbound from the driver while a file
 * is open, then bound again.
 *
 * The open file must survive the removal of its device (its ioctls fail
 * with ENODEV, closing it is clean) and binding the engine again must bring
 * back a working node, also when the file had BOs, CPU mappings, an
 * exported dma-buf and jobs in flight at the removal. Needs root and an
 * emulated engine; the VM tests load qaccel with emulated=2.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define DRIVER_DIR	"/sys/bus/platform/drivers/qaccel"
#define EMU_PREFIX	"qaccel-emu."

/* Name of the bus device behind a node ("qaccel-emu.1"), or -1. */
static int node_device_name(const struct qaccel_node *node, char *buf, size_t len)
{
	char link[128], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device",
		 major(node->rdev), minor(node->rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -1;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

static int write_sysfs(const char *path, const char *value)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

/* Find the node of the bus device called name: 0 and *node, or -1. */
static int find_node_of(const char *name, struct qaccel_node *node)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	char dev[64];
	int n, i;

	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	for (i = 0; i < n; i++) {
		if (node_device_name(&nodes[i], dev, sizeof(dev)) == 0 &&
		    strcmp(dev, name) == 0) {
			*node = nodes[i];
			return 0;
		}
	}
	return -1;
}

TEST(unbind_with_open_file)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES], node, again;
	struct drm_qaccel_get_param gp;
	char dev[64] = "";
	uint64_t value = 0;
	int n, i, fd, before;
	struct stat st;

	if (!qaccel_module_present())
		SKIP(return, "the qaccel module is not loaded");
	if (geteuid() != 0)
		SKIP(return, "unbinding a device needs root");

	/* The last emulated engine. */
	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	for (i = n - 1; i >= 0; i--) {
		if (node_device_name(&nodes[i], dev, sizeof(dev)) == 0 &&
		    strncmp(dev, EMU_PREFIX, strlen(EMU_PREFIX)) == 0)
			break;
	}
	if (i < 0)
		SKIP(return, "no emulated engine");
	node = nodes[i];
	before = n;
	TH_LOG("unbinding %s (%s)", dev, node.path);

	fd = open(node.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, qaccel_get_param(fd, DRM_QACCEL_PARAM_DEVICE_ID, &value));
	ASSERT_EQ(QA1_ID_MAGIC, value);

	ASSERT_EQ(0, write_sysfs(DRIVER_DIR "/unbind", dev));

	/* The open file is still a file, but its device is gone. */
	memset(&gp, 0, sizeof(gp));
	gp.param = DRM_QACCEL_PARAM_DEVICE_ID;
	gp.value = 0;
	EXPECT_EQ(-1, ioctl(fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, gp.value);
	EXPECT_FALSE(qaccel_fd_is_qaccel(fd));

	/* Its node is gone, and so is the device from the node list. */
	EXPECT_TRUE(stat(node.path, &st) != 0 || st.st_rdev != node.rdev);
	EXPECT_EQ(-1, find_node_of(dev, &again));
	EXPECT_EQ(before - 1, qaccel_find_nodes(nodes, QACCEL_MAX_NODES));

	EXPECT_EQ(0, close(fd));

	/* Bound again, the engine is a working device once more. */
	ASSERT_EQ(0, write_sysfs(DRIVER_DIR "/bind", dev));
	ASSERT_EQ(0, find_node_of(dev, &again));
	EXPECT_EQ(before, qaccel_find_nodes(nodes, QACCEL_MAX_NODES));
	fd = open(again.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	value = 0;
	EXPECT_EQ(0, qaccel_get_param(fd, DRM_QACCEL_PARAM_DEVICE_ID, &value));
	EXPECT_EQ(QA1_ID_MAGIC, value);
	EXPECT_EQ(0, qaccel_get_param(fd, DRM_QACCEL_PARAM_EMULATED, &value));
	EXPECT_EQ(1, value);
	close(fd);
}

/* Binding an engine that is already bound fails without side effects. */
TEST(bind_twice)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	char dev[64] = "";
	int n, i;

	if (!qaccel_module_present())
		SKIP(return, "the qaccel module is not loaded");
	if (geteuid() != 0)
		SKIP(return, "binding a device needs root");

	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	for (i = 0; i < n; i++) {
		if (node_device_name(&nodes[i], dev, sizeof(dev)) == 0 &&
		    strncmp(dev, EMU_PREFIX, strlen(EMU_PREFIX)) == 0)
			break;
	}
	if (i == n)
		SKIP(return, "no emulated engine");

	EXPECT_NE(0, write_sysfs(DRIVER_DIR "/bind", dev));
	EXPECT_EQ(n, qaccel_find_nodes(nodes, QACCEL_MAX_NODES));
}

/*
 * Unbinding an engine whose file has BOs, CPU mappings, an exported dma-buf
 * and (slowed-down) jobs queued and running: the removal completes, the
 * file's ioctls fail with ENODEV, everything can still be released, and the
 * engine bound again runs jobs exactly with no BO left over.
 */
TEST(unbind_with_jobs_in_flight)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES], again;
	struct qt_dev d;
	struct qt_placed p;
	struct qt_rng r;
	char dev[64] = "", why[160];
	int n, i, dmabuf, slowed = 0;
	long long live;
	uint64_t seqno;
	int32_t status;

	if (!qaccel_module_present())
		SKIP(return, "the qaccel module is not loaded");
	if (geteuid() != 0)
		SKIP(return, "unbinding a device needs root");
	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	for (i = n - 1; i >= 0; i--) {
		if (node_device_name(&nodes[i], dev, sizeof(dev)) == 0 &&
		    strncmp(dev, EMU_PREFIX, strlen(EMU_PREFIX)) == 0)
			break;
	}
	if (i < 0)
		SKIP(return, "no emulated engine");
	ASSERT_EQ(0, qt_dev_open(&d, i));
	if (!qt_have_ioctl(d.fd, QT_SUBMIT) || !qt_have_ioctl(d.fd, QT_BO_CREATE))
		SKIP(return, "SUBMIT not implemented");
	TH_LOG("unbinding %s (%s) with jobs in flight", dev, d.node.path);

	qt_rng_seed(&r, 42);
	ASSERT_EQ(0, qt_placed_new(d.fd, &p, 20, 16, 16, DRM_QACCEL_GEMM_OUT_S8, &r));
	if ((d.caps & DRM_QACCEL_CAP_FAULT_INJECT) && qt_inject(&d.node, "delay_us 20000") == 0)
		slowed = 1;
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, qt_placed_submit(d.fd, &p, 0, NULL, 0, 0, &seqno));
	}
	dmabuf = qt_prime_export(d.fd, p.c.handle);
	ASSERT_LE(0, dmabuf);

	ASSERT_EQ(0, write_sysfs(DRIVER_DIR "/unbind", dev));
	EXPECT_EQ(-ENODEV, qt_job_wait(d.fd, 0, seqno, 0, &status));
	EXPECT_EQ(-ENODEV, qt_placed_submit(d.fd, &p, 0, NULL, 0, 0, &seqno));
	EXPECT_EQ(-1, find_node_of(dev, &again));
	/* Release everything: mappings, handles, the dma-buf, the file. */
	qt_placed_free(d.fd, &p);
	close(dmabuf);
	qt_dev_close(&d);

	ASSERT_EQ(0, write_sysfs(DRIVER_DIR "/bind", dev));
	ASSERT_EQ(0, find_node_of(dev, &again));
	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	for (i = 0; i < n && nodes[i].rdev != again.rdev; i++)
		;
	ASSERT_GT(n, i);
	ASSERT_EQ(0, qt_dev_open(&d, i));
	if (slowed) {
		/* A new engine: no delay any more. */
		EXPECT_EQ(0, qt_inject(&d.node, "delay_us 0"));
	}
	ASSERT_EQ(0, qt_placed_new(d.fd, &p, 9, 33, 17, DRM_QACCEL_GEMM_OUT_U8, &r));
	ASSERT_EQ(0, qt_placed_run(d.fd, &p, 0, QT_JOB_TIMEOUT, why, sizeof(why))) {
		TH_LOG("GEMM on the engine bound again: %s", why);
	}
	qt_placed_free(d.fd, &p);
	qt_dev_close(&d);
	EXPECT_EQ(0, qt_live_bos_settle(&again, 0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos of the engine bound again is %lld", live);
	}
}

TEST_HARNESS_MAIN
