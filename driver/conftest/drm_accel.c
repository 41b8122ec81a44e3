// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DRM compute accelerator core is built into this kernel: the header,
 * DRIVER_COMPUTE_ACCEL and DEFINE_DRM_ACCEL_FOPS exist and CONFIG_DRM_ACCEL
 * is enabled, so a driver can register /dev/accel/accelN.
 */
#include <linux/module.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#if !IS_ENABLED(CONFIG_DRM_ACCEL)
#error "CONFIG_DRM_ACCEL is disabled"
#endif

DEFINE_DRM_ACCEL_FOPS(qaccel_conftest_fops);

const struct drm_driver qaccel_conftest_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL,
	.fops = &qaccel_conftest_fops,
};
