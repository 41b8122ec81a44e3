// SPDX-License-Identifier: GPL-2.0-only
/* struct drm_driver has show_fdinfo and drm_show_memory_stats() exists. */
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

static void qaccel_conftest_show(struct drm_printer *p, struct drm_file *file)
{
	drm_show_memory_stats(p, file);
}

const struct drm_driver qaccel_conftest_driver = {
	.show_fdinfo = qaccel_conftest_show,
};
