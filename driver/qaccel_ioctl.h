/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: ioctl handlers, one per DRM_IOCTL_QACCEL_* (see qaccel_drv.c for
 * the table).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_IOCTL_H_
#define _QACCEL_IOCTL_H_

struct drm_device;
struct drm_file;

/* qaccel_param.c */
int qaccel_ioctl_get_param(struct drm_device *drm, void *data,
			   struct drm_file *file);

#endif /* _QACCEL_IOCTL_H_ */
