/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: ioctl handlers, one per DRM_IOCTL_QACCEL_* (see qaccel_drv.c for
 * the table).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_IOCTL_H_
#define _QACCEL_IOCTL_H_

#include <linux/types.h>

struct drm_device;
struct drm_file;

/* qaccel_param.c */
int qaccel_ioctl_get_param(struct drm_device *drm, void *data,
			   struct drm_file *file);

/* qaccel_gem.c */
int qaccel_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int qaccel_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file);
int qaccel_ioctl_bo_wait(struct drm_device *drm, void *data, struct drm_file *file);
long qaccel_timeout_to_jiffies(s64 timeout_ns);

/* qaccel_queue.c */
int qaccel_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file);
int qaccel_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int qaccel_ioctl_job_wait(struct drm_device *drm, void *data, struct drm_file *file);

/* qaccel_job.c */
int qaccel_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* _QACCEL_IOCTL_H_ */
