// SPDX-License-Identifier: GPL-2.0-only
/* platform_driver has the transitional void remove_new member. */
#include <linux/build_bug.h>
#include <linux/platform_device.h>

static_assert(__builtin_types_compatible_p(typeof(((struct platform_driver *)NULL)->remove_new),
					   void (*)(struct platform_device *)));
