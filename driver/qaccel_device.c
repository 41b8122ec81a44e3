// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: bring-up and removal of a QA1 engine, common to every bus.
 *
 * The bus glue (qaccel_platform.c, qaccel_pci.c) allocates the device with
 * qaccel_device_alloc(), provides the register window (MMIO or the emulated
 * register model) and the interrupt, then calls qaccel_device_init(), which
 * identifies the engine, resets it, leaves it idle with interrupts masked
 * and registers the DRM device. qaccel_device_fini() undoes it on removal.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/pm_runtime.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_limits.h"
#include "qaccel_ring.h"
#include "qaccel_sched.h"

/* How long a soft reset may take before the engine is declared dead. */
#define QACCEL_RESET_TIMEOUT_US	100000
#define QACCEL_RESET_POLL_US	10

/* The major version of the QA1 programming model this driver implements. */
#define QACCEL_HW_MAJOR		1

/**
 * qaccel_device_reset - soft-reset the engine and leave it idle
 * @qdev: the device
 *
 * Masks and acknowledges every interrupt, resets the engine and waits for
 * STATUS_RESET_DONE: from then on the engine touches no memory. The engine
 * is disabled afterwards. May sleep.
 *
 * Return: 0, or -ETIMEDOUT when the engine does not come out of reset.
 */
int qaccel_device_reset(struct qaccel_device *qdev)
{
	u32 status;
	int ret;

	qaccel_reg_write(qdev, QA1_REG_IRQ_MASK, 0);
	qaccel_reg_write(qdev, QA1_REG_CONTROL, QA1_CONTROL_RESET);
	ret = read_poll_timeout(qaccel_reg_read, status,
				status & QA1_STATUS_RESET_DONE,
				QACCEL_RESET_POLL_US, QACCEL_RESET_TIMEOUT_US,
				false, qdev, QA1_REG_STATUS);
	if (ret) {
		drm_err(&qdev->drm, "engine reset timed out (STATUS %#x)\n", status);
		return ret;
	}
	qaccel_reg_write(qdev, QA1_REG_IRQ_CLEAR, QA1_IRQ_ALL);

	return 0;
}

/**
 * qaccel_device_irq - interrupt handler of a QA1 engine
 * @irq: interrupt number (unused)
 * @data: the &struct qaccel_device
 *
 * Acknowledges the unmasked interrupts the engine raised, then signals the
 * fences of completed jobs; a fault goes to the scheduler's timeout handler.
 * Hard interrupt context.
 *
 * Return: IRQ_HANDLED, or IRQ_NONE when the interrupt was not this engine's.
 */
irqreturn_t qaccel_device_irq(int irq, void *data)
{
	struct qaccel_device *qdev = data;
	u32 pending;

	/* A shared line may fire while the engine is stopped or powered down. */
	if (!READ_ONCE(qdev->ring.running))
		return IRQ_NONE;

	pending = qaccel_reg_read(qdev, QA1_REG_IRQ_STATUS) &
		  qaccel_reg_read(qdev, QA1_REG_IRQ_MASK);
	if (!pending)
		return IRQ_NONE;

	qaccel_reg_write(qdev, QA1_REG_IRQ_CLEAR, pending);
	qaccel_ring_irq(qdev, pending);

	return IRQ_HANDLED;
}

/**
 * qaccel_device_emu_irq - interrupt handler of an emulated engine
 * @data: the &struct qaccel_device
 *
 * The emulated engine's interrupt line calls this in hard interrupt context.
 */
void qaccel_device_emu_irq(void *data)
{
	qaccel_device_irq(0, data);
}

/**
 * qaccel_device_sync_irq - wait for a running interrupt handler
 * @qdev: the device, whose interrupts are masked
 */
void qaccel_device_sync_irq(struct qaccel_device *qdev)
{
	if (qdev->emu)
		qaccel_emu_sync_irq(qdev->emu);
	else if (qdev->irq > 0)
		synchronize_irq(qdev->irq);
}

/**
 * qaccel_device_tlb_flush_stale - invalidate the engine's TLB if needed
 * @qdev: the device, powered
 *
 * Called before a job is handed to the engine: page-table entries removed
 * since the last invalidation must not be used from the engine's cache.
 * Any context.
 */
void qaccel_device_tlb_flush_stale(struct qaccel_device *qdev)
{
	if (!atomic_xchg(&qdev->tlb_stale, 0))
		return;
	qaccel_reg_write(qdev, QA1_REG_MMU_INVALIDATE, 1);
	/* A read after the write: the invalidation is complete. */
	qaccel_reg_read(qdev, QA1_REG_STATUS);
}

/**
 * qaccel_device_tlb_invalidate - page-table entries were removed
 * @qdev: the device
 *
 * Invalidates the engine's TLB now when it is running, and in any case
 * before the next job reaches it (a stopped engine is reset before it runs
 * again, which drops its TLB too).
 */
void qaccel_device_tlb_invalidate(struct qaccel_device *qdev)
{
	unsigned long flags;
	int idx;

	atomic_set(&qdev->tlb_stale, 1);
	if (!drm_dev_enter(&qdev->drm, &idx))
		return;
	spin_lock_irqsave(&qdev->ring.lock, flags);
	if (qdev->ring.running)
		qaccel_device_tlb_flush_stale(qdev);
	spin_unlock_irqrestore(&qdev->ring.lock, flags);
	drm_dev_exit(idx);
}

static int qaccel_device_identify(struct qaccel_device *qdev)
{
	struct qaccel_hw_info *hw = &qdev->hw;
	struct device *dev = qdev->drm.dev;

	hw->id = qaccel_reg_read(qdev, QA1_REG_ID);
	if (hw->id != QA1_ID_MAGIC) {
		dev_err(dev, "no QA1 engine here (ID register %#x)\n", hw->id);
		return -ENODEV;
	}

	hw->version = qaccel_reg_read(qdev, QA1_REG_VERSION);
	hw->caps = qaccel_reg_read(qdev, QA1_REG_CAPS);
	hw->max_m = qaccel_reg_read(qdev, QA1_REG_MAX_M);
	hw->max_n = qaccel_reg_read(qdev, QA1_REG_MAX_N);
	hw->max_k = qaccel_reg_read(qdev, QA1_REG_MAX_K);
	hw->va_bits = qaccel_reg_read(qdev, QA1_REG_VA_BITS);
	hw->ring_max = qaccel_reg_read(qdev, QA1_REG_RING_MAX);

	/* Minor versions only add features: a 1.x driver drives every 1.y. */
	if (QA1_VERSION_MAJOR(hw->version) != QACCEL_HW_MAJOR) {
		dev_err(dev, "unsupported QA1 version %u.%u.%u\n",
			QA1_VERSION_MAJOR(hw->version),
			QA1_VERSION_MINOR(hw->version),
			QA1_VERSION_PATCH(hw->version));
		return -ENODEV;
	}
	if (hw->va_bits != QA1_VA_BITS) {
		dev_err(dev, "unsupported device address width %u\n", hw->va_bits);
		return -ENODEV;
	}
	if (!(hw->caps & QA1_CAP_MMU)) {
		dev_err(dev, "engine without MMU is not supported\n");
		return -ENODEV;
	}
	if (!hw->max_m || !hw->max_n || !hw->max_k) {
		dev_err(dev, "engine reports a zero GEMM limit\n");
		return -ENODEV;
	}
	if (hw->ring_max < QA1_RING_MIN_SIZE) {
		dev_err(dev, "command ring of %u entries is too small\n", hw->ring_max);
		return -ENODEV;
	}
	qdev->ring_entries = rounddown_pow_of_two(min(hw->ring_max, QACCEL_RING_ENTRIES));

	return 0;
}

/**
 * qaccel_device_init - bring up an engine and register its DRM device
 * @qdev: the device, with its register window and interrupt set up, and the
 *	bus device's driver data pointing at it
 *
 * Return: 0 or a negative errno; on error nothing is registered, the engine
 * is left reset and the device-managed resources are released by the
 * caller's unbind.
 */
int qaccel_device_init(struct qaccel_device *qdev)
{
	struct device *dev = qdev->drm.dev;
	int ret;

	init_waitqueue_head(&qdev->jobs_wq);
	init_waitqueue_head(&qdev->queue_wq);

	ret = qaccel_device_identify(qdev);
	if (ret)
		return ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(QACCEL_DMA_BITS));
	if (ret) {
		dev_err(dev, "no usable DMA addressing: %d\n", ret);
		return ret;
	}

	ret = qaccel_ring_init(qdev);
	if (ret)
		return ret;

	ret = qaccel_sched_init(qdev);
	if (ret)
		return ret;

	ret = qaccel_device_reset(qdev);
	if (ret)
		return ret;

	if (qdev->irq > 0) {
		ret = devm_request_irq(dev, qdev->irq, qaccel_device_irq,
				       IRQF_SHARED, dev_name(dev), qdev);
		if (ret) {
			dev_err(dev, "cannot request IRQ %d: %d\n", qdev->irq, ret);
			return ret;
		}
	}

	qaccel_ring_hw_start(qdev);

	ret = qaccel_pm_init(qdev);
	if (ret)
		goto err_stop_engine;

	ret = qaccel_sysfs_init(qdev);
	if (ret)
		goto err_put_pm;

	ret = drm_dev_register(&qdev->drm, 0);
	if (ret)
		goto err_put_pm;

	qaccel_debugfs_register(qdev);
	qaccel_pm_allow_suspend(qdev);

	drm_info(&qdev->drm, "QA1 %u.%u.%u%s, caps %#x, %s node\n",
		 QA1_VERSION_MAJOR(qdev->hw.version),
		 QA1_VERSION_MINOR(qdev->hw.version),
		 QA1_VERSION_PATCH(qdev->hw.version),
		 qaccel_is_emulated(qdev) ? " (emulated)" : "",
		 qdev->hw.caps, QACCEL_NODE_KIND);

	return 0;

err_put_pm:
	pm_runtime_put_noidle(dev);
err_stop_engine:
	qaccel_ring_hw_stop(qdev);
	qaccel_device_reset(qdev);
	return ret;
}

/**
 * qaccel_device_fini - unregister the DRM device and stop the engine
 * @qdev: the device
 *
 * Open files stay valid but their ioctls fail with -ENODEV from now on; jobs
 * still on the engine get a bounded time to complete, then fail with
 * -ENODEV. The structure is freed with its last reference.
 */
void qaccel_device_fini(struct qaccel_device *qdev)
{
	struct device *dev = qdev->drm.dev;

	qaccel_debugfs_unregister(qdev);
	drm_dev_unplug(&qdev->drm);
	pm_runtime_get_sync(dev);
	qaccel_sched_quiesce(qdev);
	pm_runtime_put_noidle(dev);
}
