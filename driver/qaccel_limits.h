/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel driver constants: the limits the driver reports through
 * DRM_IOCTL_QACCEL_GET_PARAM that come from the driver rather than from the
 * engine's registers. Documentation/accel/qaccel/driver.rst lists them; the
 * two must agree.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_LIMITS_H_
#define _QACCEL_LIMITS_H_

#include <linux/bits.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include "qaccel_hw.h"

/*
 * Device address space of each file: [QACCEL_VA_START, QACCEL_VA_END). The
 * first MiB is never mapped, so that small bogus addresses (a forgotten
 * offset, a NULL-based pointer) fault instead of hitting a buffer.
 */
#define QACCEL_VA_START		((u64)SZ_1M)
#define QACCEL_VA_END		BIT_ULL(QA1_VA_BITS)

/* Command ring entries the driver uses (fewer if the engine's RING_MAX is). */
#define QACCEL_RING_ENTRIES	256u

/* Largest drm_qaccel_submit.job_count. */
#define QACCEL_MAX_JOBS		64u

/* Largest buffer object: 1 GiB, a quarter of the device address space. */
#define QACCEL_MAX_BO_SIZE	((u64)SZ_1G)

/* Largest number of queues one file may own (queue 0 included). */
#define QACCEL_MAX_QUEUES	16u

/* Submissions per queue whose status DRM_IOCTL_QACCEL_JOB_WAIT remembers. */
#define QACCEL_JOB_HISTORY	256u

/* Largest read, write and in-syncobj handle counts of one submission. */
#define QACCEL_MAX_HANDLES	256u

/* Default and smallest hang timeout (module parameter job_timeout_ms). */
#define QACCEL_JOB_TIMEOUT_MS		2000u
#define QACCEL_JOB_TIMEOUT_MIN_MS	10u

/* Largest value of the "emulated" module parameter. */
#define QACCEL_MAX_EMULATED	8u

/*
 * DMA addressing of the engine: page-table entries hold bits 51:12 of a bus
 * address (QA1_PTE_ADDR_MASK), so the engine reaches 52-bit bus addresses.
 */
#define QACCEL_DMA_BITS		52

#endif /* _QACCEL_LIMITS_H_ */
