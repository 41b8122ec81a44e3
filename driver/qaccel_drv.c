// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: DRM driver for the QA1 int8 matrix engine.
 *
 * This file holds the module entry points, the DRM driver with its ioctl
 * table, and the per-file private data. A QA1 is a compute accelerator node
 * (/dev/accel/accelN) on kernels with the DRM accel core and a render node
 * (/dev/dri/renderDN) otherwise; the ioctls are the same.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/qaccel_accel.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_drv.h"
#include "qaccel_gem.h"
#include "qaccel_ioctl.h"
#include "qaccel_job.h"
#include "qaccel_limits.h"
#include "qaccel_queue.h"
#include "qaccel_uring.h"
#include "qaccel_vm.h"

static unsigned int emulated;
module_param(emulated, uint, 0444);
MODULE_PARM_DESC(emulated,
		 "Number of emulated QA1 engines to create, each its own device (0-8, default 0)");

static int qaccel_open(struct drm_device *drm, struct drm_file *file)
{
	struct qaccel_device *qdev = to_qaccel_device(drm);
	struct qaccel_file *qfile;
	int ret;

	qfile = kzalloc(sizeof(*qfile), GFP_KERNEL);
	if (!qfile)
		return -ENOMEM;

	qfile->qdev = qdev;
	qfile->client_id = atomic64_inc_return(&qdev->next_client_id);

	qfile->vm = qaccel_vm_create(qdev);
	if (IS_ERR(qfile->vm)) {
		ret = PTR_ERR(qfile->vm);
		goto err_free_file;
	}

	ret = qaccel_queues_init(qfile);
	if (ret)
		goto err_put_vm;

	file->driver_priv = qfile;
	drm_dbg(drm, "client %llu opened\n", qfile->client_id);

	return 0;

err_put_vm:
	qaccel_vm_put(qfile->vm);
err_free_file:
	kfree(qfile);
	return ret;
}

/*
 * The file's handles are closed by now (their mappings dropped); jobs still
 * on the engine keep the address space and their BOs alive.
 */
static void qaccel_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct qaccel_file *qfile = to_qaccel_file(file);

	drm_dbg(drm, "client %llu closed\n", qfile->client_id);
	qaccel_queues_fini(qfile);
	qaccel_vm_put(qfile->vm);
	kfree(qfile);
}

static const struct drm_ioctl_desc qaccel_ioctls[] = {
	DRM_IOCTL_DEF_DRV(QACCEL_GET_PARAM, qaccel_ioctl_get_param, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_BO_CREATE, qaccel_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_BO_INFO, qaccel_ioctl_bo_info, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_BO_WAIT, qaccel_ioctl_bo_wait, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_QUEUE_CREATE, qaccel_ioctl_queue_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_QUEUE_DESTROY, qaccel_ioctl_queue_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_SUBMIT, qaccel_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(QACCEL_JOB_WAIT, qaccel_ioctl_job_wait, DRM_RENDER_ALLOW),
};

/*
 * The DRM core's file operations for the node kind, plus io_uring commands
 * (qaccel_uring.c).
 */
static const struct file_operations qaccel_fops = {
	.owner = THIS_MODULE,
	QACCEL_DRM_FOPS,
	.uring_cmd = qaccel_uring_cmd,
#ifdef QACCEL_HAVE_DRM_SHOW_FDINFO
	.show_fdinfo = drm_show_fdinfo,
#else
	.show_fdinfo = qaccel_fops_show_fdinfo,
#endif
};

static const struct drm_driver qaccel_drm_driver = {
	.driver_features = QACCEL_DRIVER_FEATURES,
	.open = qaccel_open,
	.postclose = qaccel_postclose,
	.ioctls = qaccel_ioctls,
	.num_ioctls = ARRAY_SIZE(qaccel_ioctls),
	.fops = &qaccel_fops,
	.gem_create_object = qaccel_gem_create_object,
	.gem_prime_import_sg_table = qaccel_gem_prime_import_sg_table,
#ifdef QACCEL_HAVE_DRM_DRIVER_PRIME_HANDLE_TO_FD
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
#endif
	.debugfs_init = qaccel_debugfs_init,
#ifdef QACCEL_HAVE_DRM_SHOW_FDINFO
	.show_fdinfo = qaccel_show_fdinfo,
#endif
	.name = QACCEL_NAME,
	.desc = QACCEL_DESC,
#ifdef QACCEL_HAVE_DRM_DRIVER_DATE
	.date = QACCEL_DATE,
#endif
	.major = QACCEL_MAJOR,
	.minor = QACCEL_MINOR,
	.patchlevel = QACCEL_PATCHLEVEL,
};

/**
 * qaccel_device_alloc - allocate a QA1 device for a bus device
 * @dev: the platform or PCI device; the allocation is device-managed
 *
 * Return: the new device, not yet registered, or an ERR_PTR().
 */
struct qaccel_device *qaccel_device_alloc(struct device *dev)
{
	return devm_drm_dev_alloc(dev, &qaccel_drm_driver, struct qaccel_device, drm);
}

static int __init qaccel_init(void)
{
	int ret;

	if (emulated > QACCEL_MAX_EMULATED) {
		pr_err("qaccel: emulated=%u is more than %u\n", emulated,
		       QACCEL_MAX_EMULATED);
		return -EINVAL;
	}

	ret = qaccel_job_module_init();
	if (ret)
		return ret;

	ret = qaccel_platform_register();
	if (ret)
		goto err_job_exit;

	ret = qaccel_pci_register();
	if (ret)
		goto err_unregister_platform;

	ret = qaccel_platform_create_emulated(emulated);
	if (ret)
		goto err_unregister_pci;

	return 0;

err_unregister_pci:
	qaccel_pci_unregister();
err_unregister_platform:
	qaccel_platform_unregister();
err_job_exit:
	qaccel_job_module_exit();
	return ret;
}

static void __exit qaccel_exit(void)
{
	qaccel_platform_destroy_emulated();
	qaccel_pci_unregister();
	qaccel_platform_unregister();
	/* Jobs released after their engine went away. */
	qaccel_job_module_exit();
}

module_init(qaccel_init);
module_exit(qaccel_exit);

MODULE_DESCRIPTION("DRM driver for the QA1 int8 matrix engine");
MODULE_AUTHOR("The qaccel authors");
MODULE_LICENSE("GPL");
