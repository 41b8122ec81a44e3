/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: the emulated QA1's register model.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_EMU_H_
#define _QACCEL_EMU_H_

#include <linux/types.h>

#include "qaccel_hw.h"

struct device;
struct qaccel_emu;

/*
 * Identification of the emulated QA1: version 1.0.0 with every capability
 * and these limits (Documentation/accel/qaccel/driver.rst).
 */
#define QACCEL_EMU_VERSION	0x00010000u
#define QACCEL_EMU_CAPS		(QA1_CAP_A_U8 | QA1_CAP_A_S8 | QA1_CAP_OUT_S8 | \
				 QA1_CAP_OUT_U8 | QA1_CAP_OUT_S32 | QA1_CAP_MMU | \
				 QA1_CAP_PROGRESS | QA1_CAP_FAULT_INJECT)
#define QACCEL_EMU_MAX_M	65536u
#define QACCEL_EMU_MAX_N	8192u
#define QACCEL_EMU_MAX_K	8192u
#define QACCEL_EMU_RING_MAX	4096u

/**
 * typedef qaccel_emu_irq_fn - interrupt handler of an emulated engine
 * @data: the pointer given to qaccel_emu_create()
 *
 * Called in hard interrupt context (from an irq_work) when the engine's
 * interrupt line (IRQ_STATUS & IRQ_MASK) rises, like a real interrupt.
 */
typedef void (*qaccel_emu_irq_fn)(void *data);

struct qaccel_emu *qaccel_emu_create(struct device *dev,
				     qaccel_emu_irq_fn irq_handler, void *data);
u32 qaccel_emu_read(struct qaccel_emu *emu, u32 reg);
void qaccel_emu_write(struct qaccel_emu *emu, u32 reg, u32 val);
void qaccel_emu_sync_irq(struct qaccel_emu *emu);
void qaccel_emu_suspend(struct qaccel_emu *emu);
void qaccel_emu_resume(struct qaccel_emu *emu);

#endif /* _QACCEL_EMU_H_ */
