// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: the emulated QA1's register model.
 *
 * An emulated QA1 is a platform device created by the module (the "emulated"
 * module parameter). The driver reaches its registers through
 * qaccel_reg_read()/qaccel_reg_write(), which land here instead of in MMIO;
 * this file gives them the semantics of the QA1 register map: read-only
 * identification, a self-clearing soft reset, write-one-to-clear interrupt
 * acknowledgment and an interrupt line raised through an irq_work, so the
 * driver's handler runs asynchronously in hard interrupt context exactly as
 * it does on hardware.
 *
 * The execution engine (qaccel_emu_engine.c) is a kernel thread that
 * consumes the command ring and updates this register file; the doorbell
 * (RING_TAIL) and CONTROL writes wake it. A soft reset is complete when the
 * CONTROL write returns: the engine has abandoned its descriptor and makes
 * no further memory access until it is enabled again. Such a write may
 * therefore sleep; every other register access may happen in any context.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/bug.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "qaccel_emu_priv.h"

/* Read-only identification registers, as after power-on. */
static void qaccel_emu_set_ident(struct qaccel_emu *emu)
{
	*qaccel_emu_reg(emu, QA1_REG_ID) = QA1_ID_MAGIC;
	*qaccel_emu_reg(emu, QA1_REG_VERSION) = QACCEL_EMU_VERSION;
	*qaccel_emu_reg(emu, QA1_REG_CAPS) = QACCEL_EMU_CAPS;
	*qaccel_emu_reg(emu, QA1_REG_MAX_M) = QACCEL_EMU_MAX_M;
	*qaccel_emu_reg(emu, QA1_REG_MAX_N) = QACCEL_EMU_MAX_N;
	*qaccel_emu_reg(emu, QA1_REG_MAX_K) = QACCEL_EMU_MAX_K;
	*qaccel_emu_reg(emu, QA1_REG_VA_BITS) = QA1_VA_BITS;
	*qaccel_emu_reg(emu, QA1_REG_RING_MAX) = QACCEL_EMU_RING_MAX;
}

/* The interrupt line is the pending interrupts that are not masked. */
static bool qaccel_emu_irq_line(struct qaccel_emu *emu)
{
	lockdep_assert_held(&emu->lock);
	return *qaccel_emu_reg(emu, QA1_REG_IRQ_STATUS) &
	       *qaccel_emu_reg(emu, QA1_REG_IRQ_MASK);
}

/**
 * qaccel_emu_update_irq - deliver the interrupt if the line is up
 * @emu: the engine, with its lock held
 */
void qaccel_emu_update_irq(struct qaccel_emu *emu)
{
	if (qaccel_emu_irq_line(emu))
		irq_work_queue(&emu->irq_work);
}

static void qaccel_emu_irq_work(struct irq_work *work)
{
	struct qaccel_emu *emu = container_of(work, struct qaccel_emu, irq_work);
	unsigned long flags;
	bool line;

	spin_lock_irqsave(&emu->lock, flags);
	line = qaccel_emu_irq_line(emu);
	spin_unlock_irqrestore(&emu->lock, flags);

	if (line)
		emu->irq_handler(emu->irq_data);
}

/*
 * Soft reset: every writable register and all engine state return to zero,
 * the identification registers keep their values, cached translations are
 * dropped, and STATUS reports RESET_DONE (idle after reset) until the engine
 * is enabled again. Returns once the engine has left memory.
 */
static void qaccel_emu_soft_reset(struct qaccel_emu *emu)
{
	unsigned long flags;

	might_sleep();

	spin_lock_irqsave(&emu->lock, flags);
	memset(emu->regs, 0, sizeof(emu->regs));
	qaccel_emu_set_ident(emu);
	*qaccel_emu_reg(emu, QA1_REG_STATUS) = QA1_STATUS_RESET_DONE;
	WRITE_ONCE(emu->epoch, emu->epoch + 1);
	atomic_inc(&emu->tlb_gen);
	spin_unlock_irqrestore(&emu->lock, flags);

	/* End an injected hang or delay, then wait for the current work unit. */
	wake_up_all(&emu->wq);
	mutex_lock(&emu->exec_lock);
	mutex_unlock(&emu->exec_lock);
}

static bool qaccel_emu_reg_valid(u32 reg)
{
	return reg < QA1_MMIO_SIZE && IS_ALIGNED(reg, 4);
}

/**
 * qaccel_emu_read - read a register of an emulated QA1
 * @emu: the engine
 * @reg: register offset (QA1_REG_*)
 *
 * Write-only and reserved registers read as zero. Any context.
 *
 * Return: the register's value.
 */
u32 qaccel_emu_read(struct qaccel_emu *emu, u32 reg)
{
	unsigned long flags;
	u32 val;

	if (!qaccel_emu_reg_valid(reg))
		return 0;

	switch (reg) {
	case QA1_REG_IRQ_CLEAR:
	case QA1_REG_MMU_INVALIDATE:
		return 0;
	}

	spin_lock_irqsave(&emu->lock, flags);
	val = *qaccel_emu_reg(emu, reg);
	spin_unlock_irqrestore(&emu->lock, flags);

	return val;
}

/**
 * qaccel_emu_write - write a register of an emulated QA1
 * @emu: the engine
 * @reg: register offset (QA1_REG_*)
 * @val: value
 *
 * Writes to read-only and reserved registers are ignored. Any context,
 * except a write of QA1_CONTROL_RESET to CONTROL, which may sleep.
 */
void qaccel_emu_write(struct qaccel_emu *emu, u32 reg, u32 val)
{
	unsigned long flags;
	bool wake = false;

	if (!qaccel_emu_reg_valid(reg))
		return;

	if (reg == QA1_REG_CONTROL && (val & QA1_CONTROL_RESET)) {
		qaccel_emu_soft_reset(emu);
		return;
	}

	spin_lock_irqsave(&emu->lock, flags);
	switch (reg) {
	case QA1_REG_CONTROL:
		*qaccel_emu_reg(emu, reg) = val & QA1_CONTROL_ENABLE;
		if (val & QA1_CONTROL_ENABLE)
			*qaccel_emu_reg(emu, QA1_REG_STATUS) &= ~QA1_STATUS_RESET_DONE;
		wake = true;
		break;
	case QA1_REG_IRQ_MASK:
		*qaccel_emu_reg(emu, reg) = val & QA1_IRQ_ALL;
		qaccel_emu_update_irq(emu);
		break;
	case QA1_REG_IRQ_CLEAR:
		*qaccel_emu_reg(emu, QA1_REG_IRQ_STATUS) &= ~val;
		break;
	case QA1_REG_RING_TAIL:
		*qaccel_emu_reg(emu, reg) = val;
		wake = true;
		break;
	case QA1_REG_RING_BASE_LO:
	case QA1_REG_RING_BASE_HI:
	case QA1_REG_RING_SIZE:
	case QA1_REG_FENCE_ADDR_LO:
	case QA1_REG_FENCE_ADDR_HI:
	case QA1_REG_INJECT_DELAY_US:
		*qaccel_emu_reg(emu, reg) = val;
		break;
	case QA1_REG_INJECT:
		*qaccel_emu_reg(emu, reg) = val & (QA1_INJECT_HANG | QA1_INJECT_FAULT |
						   QA1_INJECT_SKIP_MASK);
		break;
	case QA1_REG_MMU_INVALIDATE:
		if (val & 1)
			atomic_inc(&emu->tlb_gen);
		break;
	default:
		/* Read-only or reserved. */
		break;
	}
	spin_unlock_irqrestore(&emu->lock, flags);

	if (wake)
		wake_up(&emu->wq);
}

/**
 * qaccel_emu_sync_irq - wait until an interrupt on its way was delivered
 * @emu: the engine
 */
void qaccel_emu_sync_irq(struct qaccel_emu *emu)
{
	irq_work_sync(&emu->irq_work);
}

/**
 * qaccel_emu_suspend - power the engine down: park its thread
 * @emu: the engine, reset and idle
 */
void qaccel_emu_suspend(struct qaccel_emu *emu)
{
	kthread_park(emu->thread);
}

/**
 * qaccel_emu_resume - power the engine up again
 * @emu: the engine
 */
void qaccel_emu_resume(struct qaccel_emu *emu)
{
	kthread_unpark(emu->thread);
}

static void qaccel_emu_destroy(void *data)
{
	struct qaccel_emu *emu = data;
	unsigned long flags;

	/* Stop the engine, mask the line, wait for an interrupt on its way. */
	qaccel_emu_soft_reset(emu);
	kthread_stop(emu->thread);
	spin_lock_irqsave(&emu->lock, flags);
	*qaccel_emu_reg(emu, QA1_REG_IRQ_MASK) = 0;
	spin_unlock_irqrestore(&emu->lock, flags);
	irq_work_sync(&emu->irq_work);
	qaccel_emu_engine_fini(emu);
	mutex_destroy(&emu->exec_lock);
}

/**
 * qaccel_emu_create - create an emulated QA1, device-managed
 * @dev: the device the engine belongs to; the engine lives until it unbinds,
 *	and reaches memory through its DMA addresses
 * @irq_handler: called when the engine's interrupt line rises
 * @data: argument of @irq_handler
 *
 * The engine starts in its power-on state: identification registers set,
 * everything else zero (STATUS does not report RESET_DONE before the first
 * reset), and its thread waiting for work.
 *
 * Return: the engine or an ERR_PTR().
 */
struct qaccel_emu *qaccel_emu_create(struct device *dev,
				     qaccel_emu_irq_fn irq_handler, void *data)
{
	struct qaccel_emu *emu;
	int ret;

	emu = devm_kzalloc(dev, sizeof(*emu), GFP_KERNEL);
	if (!emu)
		return ERR_PTR(-ENOMEM);

	spin_lock_init(&emu->lock);
	mutex_init(&emu->exec_lock);
	init_waitqueue_head(&emu->wq);
	init_irq_work(&emu->irq_work, qaccel_emu_irq_work);
	emu->irq_handler = irq_handler;
	emu->irq_data = data;
	emu->dev = dev;
	qaccel_emu_set_ident(emu);

	ret = qaccel_emu_engine_init(emu);
	if (ret)
		goto err_destroy_mutex;

	emu->thread = kthread_run(qaccel_emu_engine_thread, emu, "qaccel-emu/%s",
				  dev_name(dev));
	if (IS_ERR(emu->thread)) {
		ret = PTR_ERR(emu->thread);
		goto err_engine_fini;
	}

	ret = devm_add_action_or_reset(dev, qaccel_emu_destroy, emu);
	if (ret)
		return ERR_PTR(ret);

	return emu;

err_engine_fini:
	qaccel_emu_engine_fini(emu);
err_destroy_mutex:
	mutex_destroy(&emu->exec_lock);
	return ERR_PTR(ret);
}
