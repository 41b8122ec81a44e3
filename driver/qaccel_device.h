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
#include <linux/mutex.h>
#include <linux/pm.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>

#include "qaccel_emu.h"
#include "qaccel_hw.h"
#include "qaccel_ring.h"

struct dentry;
struct drm_minor;
struct drm_printer;
struct qaccel_queue;
struct qaccel_vm;
struct seq_file;

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
 * struct qaccel_counters - device counters (sysfs group "qaccel", debugfs)
 * @jobs_submitted: GEMMs submitted
 * @jobs_completed: GEMMs of submissions that completed successfully
 * @jobs_failed: GEMMs of submissions that failed (hang, fault, cancelled)
 * @resets: engine resets after a hang or a fault
 * @busy_ns: time the engine spent on jobs
 * @live_bos: buffer objects that exist (created or imported)
 * @live_bo_bytes: their total size
 * @jobs_merged: GEMMs of io_uring commands that joined the scheduler job
 *	of an earlier command of the same queue and batch
 */
struct qaccel_counters {
	atomic64_t jobs_submitted;
	atomic64_t jobs_completed;
	atomic64_t jobs_failed;
	atomic64_t resets;
	atomic64_t busy_ns;
	atomic64_t live_bos;
	atomic64_t live_bo_bytes;
	atomic64_t jobs_merged;
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
 * @ring: the command ring and its hardware fences
 * @sched: the job scheduler feeding @ring; it lives as long as @drm
 * @sched_name: name of @sched
 * @hang_work: the hang check, scheduled while the engine has jobs
 * @counters: statistics
 * @jobs_alive: jobs allocated and not yet released
 * @jobs_wq: woken when @jobs_alive drops to zero
 * @queue_wq: woken when a job leaves its queue for the engine
 * @tlb_stale: page-table entries were removed since the engine's TLB was
 *	last invalidated
 * @inject_next: QA1_INJECT_* bits to hand to the engine with the next job
 * @inject_delay_us: INJECT_DELAY_US value, programmed whenever the engine is
 * @debugfs_link: debugfs link from the accel minor's number to the device's
 *	directory, where the DRM core does not make one
 */
struct qaccel_device {
	struct drm_device drm;
	void __iomem *regs;
	struct qaccel_emu *emu;
	int irq;
	struct qaccel_hw_info hw;
	u32 ring_entries;
	atomic64_t next_client_id;
	struct qaccel_ring ring;
	struct drm_gpu_scheduler sched;
	char sched_name[48];
	struct delayed_work hang_work;
	struct qaccel_counters counters;
	atomic_t jobs_alive;
	wait_queue_head_t jobs_wq;
	wait_queue_head_t queue_wq;
	atomic_t tlb_stale;
	atomic_t inject_next;
	u32 inject_delay_us;
	struct dentry *debugfs_link;
};

/**
 * struct qaccel_file - driver-private data of an open device file
 * @qdev: the device
 * @client_id: number of this file among the device's files (fdinfo)
 * @vm: the file's device address space
 * @queue0: the default queue
 * @queues_lock: protects @nr_queues and the insertion and removal of
 *	entries of @queues (lookups use the xarray's own lock)
 * @queues: queues created by ioctl, by id
 * @nr_queues: number of queues, queue 0 included
 * @next_queue_id: cursor of the cyclic id allocation
 */
struct qaccel_file {
	struct qaccel_device *qdev;
	u64 client_id;
	struct qaccel_vm *vm;
	struct qaccel_queue *queue0;
	/* Protects nr_queues and adding and removing queues. */
	struct mutex queues_lock;
	struct xarray queues;
	u32 nr_queues;
	u32 next_queue_id;
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
void qaccel_device_sync_irq(struct qaccel_device *qdev);
void qaccel_device_tlb_invalidate(struct qaccel_device *qdev);
void qaccel_device_tlb_flush_stale(struct qaccel_device *qdev);
irqreturn_t qaccel_device_irq(int irq, void *data);
void qaccel_device_emu_irq(void *data);

/* qaccel_sched.c */
unsigned int qaccel_job_timeout_ms(void);

/* qaccel_sysfs.c */
int qaccel_sysfs_init(struct qaccel_device *qdev);
void qaccel_counters_show(struct qaccel_device *qdev, struct seq_file *m);

/* qaccel_debugfs.c */
void qaccel_debugfs_init(struct drm_minor *minor);
void qaccel_debugfs_register(struct qaccel_device *qdev);
void qaccel_debugfs_unregister(struct qaccel_device *qdev);

/* qaccel_pm.c */
extern const struct dev_pm_ops qaccel_pm_ops;
int qaccel_pm_init(struct qaccel_device *qdev);
void qaccel_pm_allow_suspend(struct qaccel_device *qdev);

/* qaccel_fdinfo.c */
void qaccel_show_fdinfo(struct drm_printer *p, struct drm_file *file);
void qaccel_fops_show_fdinfo(struct seq_file *m, struct file *f);

#endif /* _QACCEL_DEVICE_H_ */
