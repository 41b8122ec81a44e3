/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: the device's job scheduler and hang recovery.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_SCHED_H_
#define _QACCEL_SCHED_H_

struct qaccel_device;

int qaccel_sched_init(struct qaccel_device *qdev);
void qaccel_sched_quiesce(struct qaccel_device *qdev);
void qaccel_sched_hangcheck_arm(struct qaccel_device *qdev);

#endif /* _QACCEL_SCHED_H_ */
