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
 * The engine that consumes the command ring writes its results into the same
 * register file through the helpers below (qaccel_emu_raise_irq()) and is
 * woken by the doorbell (RING_TAIL) and CONTROL writes.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/bug.h>
#include <linux/device.h>
#include <linux/irq_work.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "qaccel_emu.h"

#define QACCEL_EMU_NREGS	(QA1_MMIO_SIZE / 4)

/**
 * struct qaccel_emu - state of one emulated QA1
 * @lock: see below
 * @regs: the register file, indexed by offset / 4.
 * @irq_work: delivers the interrupt to @irq_handler in hard IRQ context.
 * @irq_handler: the driver's interrupt handler.
 * @irq_data: argument of @irq_handler.
 */
struct qaccel_emu {
	/*
	 * Protects regs[]. Taken with interrupts disabled: the engine and the
	 * driver's interrupt handler access the registers too.
	 */
	spinlock_t lock;
	u32 regs[QACCEL_EMU_NREGS];
	struct irq_work irq_work;
	qaccel_emu_irq_fn irq_handler;
	void *irq_data;
};

static inline u32 *qaccel_emu_reg(struct qaccel_emu *emu, u32 reg)
{
	return &emu->regs[reg / 4];
}

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

static void qaccel_emu_update_irq(struct qaccel_emu *emu)
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
 * the identification registers keep their values, and STATUS reports
 * RESET_DONE (idle after reset) until the engine is enabled again.
 */
static void qaccel_emu_reset(struct qaccel_emu *emu)
{
	lockdep_assert_held(&emu->lock);
	memset(emu->regs, 0, sizeof(emu->regs));
	qaccel_emu_set_ident(emu);
	*qaccel_emu_reg(emu, QA1_REG_STATUS) = QA1_STATUS_RESET_DONE;
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
 * Write-only and reserved registers read as zero.
 *
 * Return: the register's value.
 */
u32 qaccel_emu_read(struct qaccel_emu *emu, u32 reg)
{
	unsigned long flags;
	u32 val;

	if (WARN_ON_ONCE(!qaccel_emu_reg_valid(reg)))
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
 * Writes to read-only and reserved registers are ignored.
 */
void qaccel_emu_write(struct qaccel_emu *emu, u32 reg, u32 val)
{
	unsigned long flags;

	if (WARN_ON_ONCE(!qaccel_emu_reg_valid(reg)))
		return;

	spin_lock_irqsave(&emu->lock, flags);
	switch (reg) {
	case QA1_REG_CONTROL:
		if (val & QA1_CONTROL_RESET) {
			qaccel_emu_reset(emu);
			break;
		}
		*qaccel_emu_reg(emu, reg) = val & QA1_CONTROL_ENABLE;
		if (val & QA1_CONTROL_ENABLE)
			*qaccel_emu_reg(emu, QA1_REG_STATUS) &= ~QA1_STATUS_RESET_DONE;
		break;
	case QA1_REG_IRQ_MASK:
		*qaccel_emu_reg(emu, reg) = val & QA1_IRQ_ALL;
		qaccel_emu_update_irq(emu);
		break;
	case QA1_REG_IRQ_CLEAR:
		*qaccel_emu_reg(emu, QA1_REG_IRQ_STATUS) &= ~val;
		break;
	case QA1_REG_RING_BASE_LO:
	case QA1_REG_RING_BASE_HI:
	case QA1_REG_RING_SIZE:
	case QA1_REG_RING_TAIL:
	case QA1_REG_FENCE_ADDR_LO:
	case QA1_REG_FENCE_ADDR_HI:
	case QA1_REG_INJECT:
	case QA1_REG_INJECT_DELAY_US:
		*qaccel_emu_reg(emu, reg) = val;
		break;
	case QA1_REG_MMU_INVALIDATE:
		/* No translation is cached while the engine is idle. */
		break;
	default:
		/* Read-only or reserved. */
		break;
	}
	spin_unlock_irqrestore(&emu->lock, flags);
}

/**
 * qaccel_emu_raise_irq - set interrupt status bits, as the engine does
 * @emu: the engine
 * @bits: QA1_IRQ_* bits to set in IRQ_STATUS
 *
 * The driver's interrupt handler runs if one of @bits is unmasked.
 */
void qaccel_emu_raise_irq(struct qaccel_emu *emu, u32 bits)
{
	unsigned long flags;

	spin_lock_irqsave(&emu->lock, flags);
	*qaccel_emu_reg(emu, QA1_REG_IRQ_STATUS) |= bits & QA1_IRQ_ALL;
	qaccel_emu_update_irq(emu);
	spin_unlock_irqrestore(&emu->lock, flags);
}

static void qaccel_emu_destroy(void *data)
{
	struct qaccel_emu *emu = data;
	unsigned long flags;

	/* Mask the line, then wait for an interrupt already on its way. */
	spin_lock_irqsave(&emu->lock, flags);
	*qaccel_emu_reg(emu, QA1_REG_IRQ_MASK) = 0;
	spin_unlock_irqrestore(&emu->lock, flags);
	irq_work_sync(&emu->irq_work);
}

/**
 * qaccel_emu_create - create an emulated QA1, device-managed
 * @dev: the device the engine belongs to; the engine lives until it unbinds
 * @irq_handler: called when the engine's interrupt line rises
 * @data: argument of @irq_handler
 *
 * The engine starts in its power-on state: identification registers set,
 * everything else zero (STATUS does not report RESET_DONE before the first
 * reset).
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
	init_irq_work(&emu->irq_work, qaccel_emu_irq_work);
	emu->irq_handler = irq_handler;
	emu->irq_data = data;
	qaccel_emu_set_ident(emu);

	ret = devm_add_action_or_reset(dev, qaccel_emu_destroy, emu);
	if (ret)
		return ERR_PTR(ret);

	return emu;
}
