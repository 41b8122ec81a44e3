// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct drm_driver has the prime_handle_to_fd and prime_fd_to_handle hooks,
 * which a driver must set to the GEM helpers to offer PRIME at all; newer
 * kernels always use the helpers and have no such members.
 */
#include <drm/drm_drv.h>
#include <drm/drm_prime.h>

const struct drm_driver qaccel_conftest_driver = {
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
};
