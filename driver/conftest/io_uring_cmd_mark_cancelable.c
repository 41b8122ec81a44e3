// SPDX-License-Identifier: GPL-2.0-only
/*
 * io_uring commands can be marked cancelable: io_uring then calls the
 * driver's ->uring_cmd() with IO_URING_F_CANCEL when the ring or its task
 * goes away.
 */
#include <linux/build_bug.h>
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

static_assert(sizeof((io_uring_cmd_mark_cancelable((struct io_uring_cmd *)NULL, 0), 0)));
static_assert(IO_URING_F_CANCEL != 0);
