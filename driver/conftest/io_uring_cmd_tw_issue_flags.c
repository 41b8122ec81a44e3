// SPDX-License-Identifier: GPL-2.0-only
/*
 * io_uring_cmd_complete_in_task() takes a callback of (cmd, issue_flags);
 * older kernels pass only the command.
 */
#include <linux/build_bug.h>
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

static_assert(__builtin_types_compatible_p(typeof(io_uring_cmd_complete_in_task),
					   void (struct io_uring_cmd *,
						 void (*)(struct io_uring_cmd *,
							  unsigned int))));
