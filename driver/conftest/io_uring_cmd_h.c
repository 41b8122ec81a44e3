// SPDX-License-Identifier: GPL-2.0-only
/* The io_uring command API lives in <linux/io_uring/cmd.h>. */
#include <linux/build_bug.h>
#include <linux/io_uring/cmd.h>

static_assert(sizeof((io_uring_cmd_done((struct io_uring_cmd *)NULL, 0, 0, 0), 0)));
