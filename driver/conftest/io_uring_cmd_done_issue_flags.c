// SPDX-License-Identifier: GPL-2.0-only
/* io_uring_cmd_done(cmd, ret, res2, issue_flags): four arguments. */
#include <linux/build_bug.h>
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

static_assert(sizeof((io_uring_cmd_done((struct io_uring_cmd *)NULL, 0, 0, 0), 0)));
