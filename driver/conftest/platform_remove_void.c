// SPDX-License-Identifier: GPL-2.0-only
/* platform_driver.remove returns void. */
#include <linux/build_bug.h>
#include <linux/platform_device.h>

static_assert(__builtin_types_compatible_p(typeof(((struct platform_driver *)NULL)->remove),
					   void (*)(struct platform_device *)));
