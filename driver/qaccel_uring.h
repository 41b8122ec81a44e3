/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: job submission through io_uring commands.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_URING_H_
#define _QACCEL_URING_H_

#include <linux/types.h>

struct io_uring_cmd;
struct qaccel_job;
struct qaccel_uring_order;

int qaccel_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
struct qaccel_uring_order *qaccel_uring_order_create(void);
void qaccel_uring_order_put(struct qaccel_uring_order *order);
void qaccel_uring_flush(struct qaccel_uring_order *order);
bool qaccel_uring_has_open(struct qaccel_uring_order *order);
struct qaccel_job *qaccel_uring_open_lock(struct qaccel_uring_order *order);
void qaccel_uring_open_unlock(struct qaccel_uring_order *order);
bool qaccel_uring_can_hold(void);
bool qaccel_uring_hold(struct qaccel_uring_order *order, struct qaccel_job *job);

#endif /* _QACCEL_URING_H_ */
