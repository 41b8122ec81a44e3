/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the qaccel kselftests: finding the qaccel device nodes
 * and asking them for parameters.
 *
 * A qaccel device is a compute accelerator node (/dev/accel/accelN) on
 * kernels with the DRM accel core and a render node (/dev/dri/renderDN)
 * otherwise; a node is qaccel's when DRM_IOCTL_VERSION names the driver
 * "qaccel".
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TEST_UTIL_H
#define QACCEL_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drm.h"
#include <drm/qaccel_accel.h>

#define QACCEL_DRIVER_NAME	"qaccel"
#define QACCEL_MAX_NODES	64
#define QACCEL_PATH_MAX		288

/* One qaccel device node. */
struct qaccel_node {
	char path[QACCEL_PATH_MAX];
	int accel;		/* 1: /dev/accel/accelN, 0: /dev/dri/renderDN */
	dev_t rdev;
};

/* Name the driver behind fd: 0 and the name in buf, or -errno. */
static inline int qaccel_driver_name(int fd, char *buf, size_t len)
{
	struct drm_version v;

	memset(&v, 0, sizeof(v));
	memset(buf, 0, len);
	v.name = buf;
	v.name_len = len - 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return -errno;
	return 0;
}

/* 1 when fd is a qaccel node, 0 otherwise. */
static inline int qaccel_fd_is_qaccel(int fd)
{
	char name[64];

	return qaccel_driver_name(fd, name, sizeof(name)) == 0 &&
	       strcmp(name, QACCEL_DRIVER_NAME) == 0;
}

static inline int qaccel_node_cmp(const void *a, const void *b)
{
	const struct qaccel_node *x = a, *y = b;

	if (x->accel != y->accel)
		return y->accel - x->accel;
	if (strlen(x->path) != strlen(y->path))
		return strlen(x->path) < strlen(y->path) ? -1 : 1;
	return strcmp(x->path, y->path);
}

static inline void qaccel_scan_dir(const char *dir, const char *prefix, int accel,
				   struct qaccel_node *nodes, int max, int *count)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && *count < max) {
		struct qaccel_node *n = &nodes[*count];

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(n->path, sizeof(n->path), "%s/%s", dir, de->d_name);
		fd = open(n->path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (qaccel_fd_is_qaccel(fd) && fstat(fd, &st) == 0) {
			n->accel = accel;
			n->rdev = st.st_rdev;
			(*count)++;
		}
		close(fd);
	}
	closedir(d);
}

/*
 * Find every qaccel node, accel nodes first, each group in number order.
 * Returns how many were stored in nodes (at most max).
 */
static inline int qaccel_find_nodes(struct qaccel_node *nodes, int max)
{
	int count = 0;

	qaccel_scan_dir("/dev/accel", "accel", 1, nodes, max, &count);
	qaccel_scan_dir("/dev/dri", "renderD", 0, nodes, max, &count);
	qsort(nodes, count, sizeof(*nodes), qaccel_node_cmp);
	return count;
}

/* Open the first qaccel node: an fd, or -ENODEV when there is none. */
static inline int qaccel_open_first(struct qaccel_node *node)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	int fd;

	if (qaccel_find_nodes(nodes, QACCEL_MAX_NODES) < 1)
		return -ENODEV;
	fd = open(nodes[0].path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (node)
		*node = nodes[0];
	return fd;
}

/* 1 when the qaccel module is loaded (or built in). */
static inline int qaccel_module_present(void)
{
	return access("/sys/module/qaccel", F_OK) == 0;
}

/* Value of a qaccel module parameter, or -1 when it cannot be read. */
static inline long qaccel_module_param(const char *name)
{
	char path[128];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/qaccel/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

/* DRM_IOCTL_QACCEL_GET_PARAM: 0 and *value, or -errno. */
static inline int qaccel_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_qaccel_get_param gp;

	memset(&gp, 0, sizeof(gp));
	gp.param = param;
	if (ioctl(fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp))
		return -errno;
	*value = gp.value;
	return 0;
}

#endif /* QACCEL_TEST_UTIL_H */
