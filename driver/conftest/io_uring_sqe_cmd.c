// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct io_uring_cmd points at its SQE and io_uring_sqe_cmd() returns the
 * SQE's command area.
 */
#include <linux/build_bug.h>
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

static_assert(sizeof(io_uring_sqe_cmd(((struct io_uring_cmd *)NULL)->sqe)));
