// SPDX-License-Identifier: GPL-2.0-only
/* devm_drm_dev_alloc() allocates a structure embedding a drm_device. */
#include <linux/build_bug.h>
#include <drm/drm_drv.h>

struct qaccel_conftest_dev {
	struct drm_device drm;
};

static_assert(sizeof(devm_drm_dev_alloc((struct device *)NULL, (const struct drm_driver *)NULL,
					struct qaccel_conftest_dev, drm)));
