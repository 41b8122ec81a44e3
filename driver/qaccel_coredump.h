/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: devcoredumps of engine hangs and faults.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_COREDUMP_H_
#define _QACCEL_COREDUMP_H_

#include <linux/types.h>

struct drm_printer;
struct qaccel_coredump;
struct qaccel_device;
struct qaccel_job;

struct qaccel_coredump *qaccel_coredump_capture(struct qaccel_device *qdev, int error);
void qaccel_coredump_add_job(struct qaccel_coredump *dump, struct qaccel_job *job, u64 seqno);
void qaccel_coredump_emit(struct qaccel_device *qdev, struct qaccel_coredump *dump);
void qaccel_coredump_print_regs(struct qaccel_device *qdev, struct drm_printer *p);

#endif /* _QACCEL_COREDUMP_H_ */
