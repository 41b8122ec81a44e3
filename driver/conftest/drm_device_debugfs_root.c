// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct drm_device has its own debugfs directory (debugfs_root), which is
 * where an accel node's files go: such kernels do not call the driver's
 * debugfs_init hook for accel minors.
 */
#include <linux/build_bug.h>
#include <drm/drm_device.h>

static_assert(sizeof(((struct drm_device *)NULL)->debugfs_root));
