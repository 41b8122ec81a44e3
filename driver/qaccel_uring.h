/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: job submission through io_uring commands.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_URING_H_
#define _QACCEL_URING_H_

struct io_uring_cmd;
struct qaccel_uring_order;

int qaccel_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
struct qaccel_uring_order *qaccel_uring_order_create(void);
void qaccel_uring_order_put(struct qaccel_uring_order *order);

#endif /* _QACCEL_URING_H_ */
