// SPDX-License-Identifier: GPL-2.0-only
/* struct drm_driver still has the date member. */
#include <drm/drm_drv.h>

const struct drm_driver qaccel_conftest_driver = {
	.date = "20260101",
};
