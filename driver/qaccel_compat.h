/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: kernel API differences between the supported kernels, decided by
 * the feature probes in conftest/ (QACCEL_HAVE_* in qaccel_conftest.h),
 * never by version numbers.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_COMPAT_H_
#define _QACCEL_COMPAT_H_

#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

#include "qaccel_conftest.h"

#ifdef QACCEL_HAVE_DRM_ACCEL
#include <drm/drm_accel.h>

/* A compute accelerator node: /dev/accel/accelN. */
#define QACCEL_DRIVER_FEATURES	(DRIVER_COMPUTE_ACCEL | DRIVER_GEM)
#define QACCEL_DRM_FOPS		DRM_ACCEL_FOPS
#define QACCEL_NODE_KIND	"accel"
#else
/* No accel core: a render node, /dev/dri/renderDN. */
#define QACCEL_DRIVER_FEATURES	(DRIVER_RENDER | DRIVER_GEM)
#define QACCEL_DRM_FOPS		DRM_GEM_FOPS
#define QACCEL_NODE_KIND	"render"
#endif

#ifndef QACCEL_HAVE_DEVM_DRM_DEV_ALLOC
#error "qaccel needs devm_drm_dev_alloc()"
#endif

/*
 * QACCEL_PLATFORM_REMOVE(fn) - initialise the void remove callback of a
 * struct platform_driver with fn.
 */
#if defined(QACCEL_HAVE_PLATFORM_REMOVE_VOID)
#define QACCEL_PLATFORM_REMOVE(fn)	.remove = (fn)
#elif defined(QACCEL_HAVE_PLATFORM_REMOVE_NEW)
#define QACCEL_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#else
#error "qaccel needs a platform_driver remove callback returning void"
#endif

/*
 * QACCEL_MODULE_IMPORT_NS(ns) - import symbol namespace ns, given as a bare
 * token (QACCEL_MODULE_IMPORT_NS(DMA_BUF)) whatever form the kernel takes.
 */
#ifdef QACCEL_HAVE_MODULE_IMPORT_NS_TOKEN
#define QACCEL_MODULE_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#else
#define QACCEL_MODULE_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#endif

/*
 * drm_sched: exactly one form of each function must have been detected; a
 * kernel with yet another form needs a new probe in conftest/.
 */
#if !defined(QACCEL_HAVE_DRM_SCHED_INIT_ARGS) && \
	!defined(QACCEL_HAVE_DRM_SCHED_INIT_SUBMIT_WQ) && \
	!defined(QACCEL_HAVE_DRM_SCHED_INIT_HW_SUBMISSION)
#error "unknown form of drm_sched_init()"
#endif
#if !defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID) && \
	!defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_CREDITS) && \
	!defined(QACCEL_HAVE_DRM_SCHED_JOB_INIT_OWNER)
#error "unknown form of drm_sched_job_init()"
#endif
#if !defined(QACCEL_HAVE_DRM_SCHED_START_ERRNO) && \
	!defined(QACCEL_HAVE_DRM_SCHED_START_FULL_RECOVERY) && \
	!defined(QACCEL_HAVE_DRM_SCHED_START_ONE_ARG)
#error "unknown form of drm_sched_start()"
#endif

#endif /* _QACCEL_COMPAT_H_ */
