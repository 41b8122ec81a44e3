// SPDX-License-Identifier: MIT
/*
 * Discovery and probing of qaccel kernel devices.
 *
 * On kernels with the DRM accel core the driver registers a compute node
 * /dev/accel/accelN, which libdrm 2.4.114 does not enumerate, so those are
 * scanned directly. On 6.1 it registers a render node that drmGetDevices2()
 * lists. A node is a qaccel device when drmGetVersion() names the driver
 * "qaccel". A qaccel node is usable when its driver speaks uapi version 1
 * or later, reports its GEMM limits and has the buffer and job ioctls; the
 * io_uring command is then probed separately (devjobs.c).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

#ifdef QACCEL_HAVE_DEVICE
#include <xf86drm.h>
#include "qaccel_accel.h"

#define QA_DRIVER_NAME "qaccel"

bool qa_device_built(void)
{
	return true;
}

void qa_device_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Identify a node we may not open through /sys/dev/char/MAJ:MIN/device/driver. */
static bool qa_sysfs_is_qaccel(const char *path)
{
	char link[PATH_MAX], target[PATH_MAX];
	struct stat st;
	const char *base;
	ssize_t len;

	if (stat(path, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device/driver",
		 major(st.st_rdev), minor(st.st_rdev));
	len = readlink(link, target, sizeof(target) - 1);
	if (len <= 0)
		return false;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	return !strcmp(base, QA_DRIVER_NAME);
}

static int qa_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_qaccel_get_param gp = { .param = param };

	if (drmIoctl(fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp))
		return -errno;
	*value = gp.value;
	return 0;
}

static uint32_t qa_param32(int fd, uint32_t param)
{
	uint64_t v = 0;

	if (qa_get_param(fd, param, &v))
		return 0;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint64_t qa_param64(int fd, uint32_t param)
{
	uint64_t v = 0;

	if (qa_get_param(fd, param, &v))
		return 0;
	return v;
}

static void qa_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int qa_device_probe(const char *path, struct qaccel_backend_info *info,
		    int *fdp, char *why, size_t why_size,
		    enum qaccel_submit_mode want, char *uring_why,
		    size_t uring_why_size)
{
	struct qaccel_backend_info tmp;
	char sub_why[160];
	drmVersionPtr ver;
	uint64_t uapi = 0;
	struct stat st;
	int fd, err;

	qa_fmt(uring_why, uring_why_size, "not probed");

	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = QACCEL_BACKEND_DEVICE;
	tmp.isa = QACCEL_ISA_AUTO;
	qa_copy(tmp.path, sizeof(tmp.path), path);

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		qa_fmt(why, why_size, "%s: cannot open: %s", path,
		       qaccel_strerror(err));
		if ((err == -EACCES || err == -EPERM) && qa_sysfs_is_qaccel(path)) {
			qa_copy(tmp.name, sizeof(tmp.name), QA_DRIVER_NAME);
			tmp.status = err;
			*info = tmp;
		}
		return err;
	}
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
		qa_fmt(why, why_size, "%s: not a character device", path);
		close(fd);
		return -ENODEV;
	}
	ver = drmGetVersion(fd);
	if (!ver) {
		qa_fmt(why, why_size, "%s: not a DRM device", path);
		close(fd);
		return -ENODEV;
	}
	if (!ver->name || strcmp(ver->name, QA_DRIVER_NAME)) {
		qa_fmt(why, why_size, "%s: driver is \"%s\", not \"" QA_DRIVER_NAME "\"",
		       path, ver->name ? ver->name : "");
		drmFreeVersion(ver);
		close(fd);
		return -ENODEV;
	}
	qa_copy(tmp.name, sizeof(tmp.name), ver->name);
	qa_copy(tmp.description, sizeof(tmp.description), ver->desc);
	tmp.drv_major = (uint32_t)ver->version_major;
	tmp.drv_minor = (uint32_t)ver->version_minor;
	tmp.drv_patch = (uint32_t)ver->version_patchlevel;
	drmFreeVersion(ver);

	err = qa_get_param(fd, DRM_QACCEL_PARAM_UAPI_VERSION, &uapi);
	if (err || uapi < 1 || uapi > UINT32_MAX) {
		qa_fmt(why, why_size, "%s: cannot read the uapi version: %s", path,
		       err ? qaccel_strerror(err) : "bad value");
		tmp.status = -EPROTO;
		*info = tmp;
		close(fd);
		return -EPROTO;
	}
	tmp.uapi_version = (uint32_t)uapi;
	tmp.device_id = qa_param32(fd, DRM_QACCEL_PARAM_DEVICE_ID);
	tmp.hw_version = qa_param32(fd, DRM_QACCEL_PARAM_HW_VERSION);
	tmp.caps = qa_param32(fd, DRM_QACCEL_PARAM_CAPABILITIES);
	tmp.max_m = qa_param32(fd, DRM_QACCEL_PARAM_MAX_M);
	tmp.max_n = qa_param32(fd, DRM_QACCEL_PARAM_MAX_N);
	tmp.max_k = qa_param32(fd, DRM_QACCEL_PARAM_MAX_K);
	tmp.va_bits = qa_param32(fd, DRM_QACCEL_PARAM_VA_BITS);
	tmp.va_start = qa_param64(fd, DRM_QACCEL_PARAM_VA_START);
	tmp.va_end = qa_param64(fd, DRM_QACCEL_PARAM_VA_END);
	tmp.page_size = qa_param32(fd, DRM_QACCEL_PARAM_PAGE_SIZE);
	tmp.ring_entries = qa_param32(fd, DRM_QACCEL_PARAM_RING_ENTRIES);
	tmp.max_jobs = qa_param32(fd, DRM_QACCEL_PARAM_MAX_JOBS);
	tmp.emulated = qa_param32(fd, DRM_QACCEL_PARAM_EMULATED);
	tmp.max_bo_size = qa_param64(fd, DRM_QACCEL_PARAM_MAX_BO_SIZE);
	tmp.max_queues = qa_param32(fd, DRM_QACCEL_PARAM_MAX_QUEUES);
	if (!tmp.max_m || !tmp.max_n || !tmp.max_k) {
		qa_fmt(why, why_size, "%s: the driver reports no GEMM size limits", path);
		tmp.status = -EPROTO;
		*info = tmp;
		close(fd);
		return -EPROTO;
	}
	err = qa_dev_probe_ioctls(fd, sub_why, sizeof(sub_why));
	if (err) {
		qa_fmt(why, why_size, "%s: %s", path, sub_why);
		tmp.status = err;
		*info = tmp;
		close(fd);
		return err;
	}
	tmp.submit_modes = 1u << QACCEL_SUBMIT_IOCTL;
	tmp.submit_mode = QACCEL_SUBMIT_IOCTL;
	if (want != QACCEL_SUBMIT_IOCTL) {
		if (!qa_dev_probe_uring(fd, &tmp, sub_why, sizeof(sub_why))) {
			tmp.submit_modes |= 1u << QACCEL_SUBMIT_URING;
			tmp.submit_mode = QACCEL_SUBMIT_URING;
			qa_fmt(uring_why, uring_why_size, "io_uring command works");
		} else {
			qa_fmt(uring_why, uring_why_size, "%s", sub_why);
		}
	}
	*info = tmp;
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return 0;
}

static int qa_accel_filter(const struct dirent *d)
{
	return !strncmp(d->d_name, "accel", 5);
}

int qa_device_for_each(int (*cb)(const char *path, void *arg), void *arg)
{
	drmDevicePtr *devs = NULL;
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int n, i, stop = 0;

	/* Accel nodes first (kernels with the accel core). */
	n = scandir("/dev/accel", &names, qa_accel_filter, versionsort);
	for (i = 0; i < n; i++) {
		if (!stop) {
			snprintf(path, sizeof(path), "/dev/accel/%s", names[i]->d_name);
			stop = cb(path, arg);
		}
		free(names[i]);
	}
	free(names);
	if (stop)
		return 0;

	/* Render nodes known to libdrm (6.1 kernels). */
	n = drmGetDevices2(0, NULL, 0);
	if (n <= 0)
		return 0;
	devs = calloc((size_t)n, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	n = drmGetDevices2(0, devs, n);
	for (i = 0; i < n && !stop; i++) {
		if (!(devs[i]->available_nodes & (1 << DRM_NODE_RENDER)))
			continue;
		stop = cb(devs[i]->nodes[DRM_NODE_RENDER], arg);
	}
	if (n > 0)
		drmFreeDevices(devs, n);
	free(devs);
	return 0;
}

#else /* !QACCEL_HAVE_DEVICE */

bool qa_device_built(void)
{
	return false;
}

void qa_device_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int qa_device_probe(const char *path, struct qaccel_backend_info *info,
		    int *fdp, char *why, size_t why_size,
		    enum qaccel_submit_mode want, char *uring_why,
		    size_t uring_why_size)
{
	(void)info;
	(void)fdp;
	(void)want;
	qa_fmt(uring_why, uring_why_size, "no device backend in this build");
	qa_fmt(why, why_size, "%s: this libqaccel was built without the device backend",
	       path);
	return -ENODEV;
}

int qa_device_for_each(int (*cb)(const char *path, void *arg), void *arg)
{
	(void)cb;
	(void)arg;
	return 0;
}

#endif /* QACCEL_HAVE_DEVICE */
