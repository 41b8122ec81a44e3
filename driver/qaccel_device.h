/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: one QA1 engine and its DRM device.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_DEVICE_H_
#define _QACCEL_DEVICE_H_

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/types.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>

#include "qaccel_emu.h"
#include "qaccel_hw.h"

/**
 * struct qaccel_hw_info - identification of an engine, read at probe
 * @id: ID register (QA1_ID_MAGIC)
 * @version: VERSION register
 * @caps: CAPS register (QA1_CAP_*)
 * @max_m: MAX_M register
 * @max_n: MAX_N register
 * @max_k: MAX_K register
 * @va_bits: VA_BITS register
 * @ring_max: RING_MAX register
 *
 * These registers are read-only and constant, so the driver reads them once
 * and answers queries from this copy.
 */
struct qaccel_hw_info {
	u32 id;
	u32 version;
	u32 caps;
	u32 max_m;
	u32 max_n;
	u32 max_k;
	u32 va_bits;
	u32 ring_max;
};

/**
 * struct qaccel_device - one QA1 engine
 * @drm: the DRM device; its lifetime is that of the whole structure
 * @regs: MMIO register window of a hardware engine, NULL when emulated
 * @emu: register model of an emulated engine, NULL for hardware
 * @irq: Linux interrupt number of a hardware engine, 0 when there is none
 * @hw: identification registers
 * @ring_entries: size of the command ring the driver uses
 * @next_client_id: source of &qaccel_file.client_id
 */
struct qaccel_device {
	struct drm_device drm;
	void __iomem *regs;
	struct qaccel_emu *emu;
	int irq;
	struct qaccel_hw_info hw;
	u32 ring_entries;
	atomic64_t next_client_id;
};

/**
 * struct qaccel_file - driver-private data of an open device file
 * @qdev: the device
 * @client_id: number of this file among the device's files, for messages
 *
 * Later: the file's device address space (page tables, VA allocator) and
 * its queues.
 */
struct qaccel_file {
	struct qaccel_device *qdev;
	u64 client_id;
};

static inline struct qaccel_device *to_qaccel_device(struct drm_device *drm)
{
	return container_of(drm, struct qaccel_device, drm);
}

static inline struct qaccel_file *to_qaccel_file(struct drm_file *file)
{
	return file->driver_priv;
}

static inline bool qaccel_is_emulated(const struct qaccel_device *qdev)
{
	return qdev->emu;
}

/**
 * qaccel_reg_read - read an engine register
 * @qdev: the device
 * @reg: register offset (QA1_REG_*)
 *
 * Return: the register's value.
 */
static inline u32 qaccel_reg_read(struct qaccel_device *qdev, u32 reg)
{
	if (qdev->emu)
		return qaccel_emu_read(qdev->emu, reg);
	return readl(qdev->regs + reg);
}

/**
 * qaccel_reg_write - write an engine register
 * @qdev: the device
 * @reg: register offset (QA1_REG_*)
 * @val: value
 */
static inline void qaccel_reg_write(struct qaccel_device *qdev, u32 reg, u32 val)
{
	if (qdev->emu)
		qaccel_emu_write(qdev->emu, reg, val);
	else
		writel(val, qdev->regs + reg);
}

/* qaccel_drv.c */
struct qaccel_device *qaccel_device_alloc(struct device *dev);

/* qaccel_device.c */
int qaccel_device_init(struct qaccel_device *qdev);
void qaccel_device_fini(struct qaccel_device *qdev);
int qaccel_device_reset(struct qaccel_device *qdev);
irqreturn_t qaccel_device_irq(int irq, void *data);
void qaccel_device_emu_irq(void *data);

#endif /* _QACCEL_DEVICE_H_ */
