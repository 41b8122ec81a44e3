// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: runtime power management.
 *
 * An engine is runtime-suspended when it has had no job for
 * QACCEL_AUTOSUSPEND_MS. Every job holds a runtime PM reference from its
 * submission until it is released, so the engine is powered whenever a job
 * exists; register accesses outside jobs (debugfs, TLB invalidation) take
 * their own reference or skip a suspended engine.
 *
 * Suspending resets the engine (an emulated engine also parks its thread);
 * resuming resets it again and programs the ring, the interrupt mask and
 * the injected delay. A reset drops the engine's TLB, so nothing else needs
 * restoring.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/device.h>
#include <linux/pm.h>
#include <linux/pm_runtime.h>

#include "qaccel_device.h"
#include "qaccel_ring.h"

/* Idle time before an engine is suspended. */
#define QACCEL_AUTOSUSPEND_MS	100

static int qaccel_pm_runtime_suspend(struct device *dev)
{
	struct qaccel_device *qdev = dev_get_drvdata(dev);
	int ret;

	if (!qaccel_ring_idle(qdev))
		return -EBUSY;

	qaccel_ring_hw_stop(qdev);
	ret = qaccel_device_reset(qdev);
	qaccel_device_sync_irq(qdev);
	if (qdev->emu)
		qaccel_emu_suspend(qdev->emu);

	return ret;
}

static int qaccel_pm_runtime_resume(struct device *dev)
{
	struct qaccel_device *qdev = dev_get_drvdata(dev);
	int ret;

	if (qdev->emu)
		qaccel_emu_resume(qdev->emu);
	ret = qaccel_device_reset(qdev);
	if (ret)
		return ret;
	qaccel_ring_hw_start(qdev);

	return 0;
}

/* Runtime PM, and system sleep through it. */
const struct dev_pm_ops qaccel_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(pm_runtime_force_suspend, pm_runtime_force_resume)
	RUNTIME_PM_OPS(qaccel_pm_runtime_suspend, qaccel_pm_runtime_resume, NULL)
};

/**
 * qaccel_pm_init - enable runtime PM of a powered, running engine
 * @qdev: the device
 *
 * Device-managed: runtime PM is disabled again when the device unbinds.
 * The engine stays powered until qaccel_pm_allow_suspend().
 *
 * Return: 0 or a negative errno.
 */
int qaccel_pm_init(struct qaccel_device *qdev)
{
	struct device *dev = qdev->drm.dev;
	int ret;

	pm_runtime_set_autosuspend_delay(dev, QACCEL_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_get_noresume(dev);
	ret = pm_runtime_set_active(dev);
	if (ret)
		goto err_put;
	ret = devm_pm_runtime_enable(dev);
	if (ret)
		goto err_put;

	return 0;

err_put:
	pm_runtime_put_noidle(dev);
	pm_runtime_dont_use_autosuspend(dev);
	return ret;
}

/**
 * qaccel_pm_allow_suspend - let an idle engine autosuspend from now on
 * @qdev: the device, registered
 */
void qaccel_pm_allow_suspend(struct qaccel_device *qdev)
{
	pm_runtime_mark_last_busy(qdev->drm.dev);
	pm_runtime_put_autosuspend(qdev->drm.dev);
}
