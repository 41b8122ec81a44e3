// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: devcoredumps.
 *
 * Every reset after a hang or a fault leaves one devcoredump
 * (/sys/class/devcoredump/devcdN/data, freed by writing to it or after the
 * devcoredump timeout): a text report with the reason, the engine's
 * registers as they were before the reset, the ring state, and the guilty
 * job with its descriptors.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/devcoredump.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/vmalloc.h>
#include <drm/drm_print.h>

#include "qaccel_coredump.h"
#include "qaccel_device.h"
#include "qaccel_gem.h"
#include "qaccel_job.h"
#include "qaccel_queue.h"
#include "qaccel_ring.h"
#include "qaccel_vm.h"

/* Enough for the registers and a job of QACCEL_MAX_JOBS descriptors. */
#define QACCEL_COREDUMP_SIZE	(32 * 1024)

/**
 * struct qaccel_coredump - a report being written
 * @text: the report; the devcoredump data is its first @len bytes
 * @len: bytes written to @text
 */
struct qaccel_coredump {
	char text[QACCEL_COREDUMP_SIZE];
	size_t len;
};

static __printf(2, 3) void qaccel_coredump_printf(struct qaccel_coredump *dump,
						  const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	dump->len += vscnprintf(dump->text + dump->len, sizeof(dump->text) - dump->len,
				fmt, args);
	va_end(args);
}

static const struct {
	u32 reg;
	const char *name;
} qaccel_coredump_regs[] = {
	{ QA1_REG_ID, "ID" },
	{ QA1_REG_VERSION, "VERSION" },
	{ QA1_REG_CAPS, "CAPS" },
	{ QA1_REG_CONTROL, "CONTROL" },
	{ QA1_REG_STATUS, "STATUS" },
	{ QA1_REG_IRQ_STATUS, "IRQ_STATUS" },
	{ QA1_REG_IRQ_MASK, "IRQ_MASK" },
	{ QA1_REG_RING_BASE_LO, "RING_BASE_LO" },
	{ QA1_REG_RING_BASE_HI, "RING_BASE_HI" },
	{ QA1_REG_RING_SIZE, "RING_SIZE" },
	{ QA1_REG_RING_HEAD, "RING_HEAD" },
	{ QA1_REG_RING_TAIL, "RING_TAIL" },
	{ QA1_REG_FENCE_ADDR_LO, "FENCE_ADDR_LO" },
	{ QA1_REG_FENCE_ADDR_HI, "FENCE_ADDR_HI" },
	{ QA1_REG_FENCE_SEQNO, "FENCE_SEQNO" },
	{ QA1_REG_FAULT_ADDR, "FAULT_ADDR" },
	{ QA1_REG_FAULT_CAUSE, "FAULT_CAUSE" },
	{ QA1_REG_PROGRESS, "PROGRESS" },
	{ QA1_REG_INJECT, "INJECT" },
	{ QA1_REG_INJECT_DELAY_US, "INJECT_DELAY_US" },
};

/**
 * qaccel_coredump_print_regs - print the engine's registers
 * @qdev: the device, powered
 * @p: where to print, one "NAME 0xVALUE" line per register
 */
void qaccel_coredump_print_regs(struct qaccel_device *qdev, struct drm_printer *p)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(qaccel_coredump_regs); i++)
		drm_printf(p, "%-16s 0x%08x\n", qaccel_coredump_regs[i].name,
			   qaccel_reg_read(qdev, qaccel_coredump_regs[i].reg));
}

/**
 * qaccel_coredump_capture - start a report before the engine is reset
 * @qdev: the device
 * @error: -ETIMEDOUT for a hang, -EIO for a fault
 *
 * Return: the report, or NULL when there is no memory for it.
 */
struct qaccel_coredump *qaccel_coredump_capture(struct qaccel_device *qdev, int error)
{
	struct qaccel_coredump *dump;
	struct timespec64 ts;
	unsigned int i;

	dump = vzalloc(sizeof(*dump));
	if (!dump)
		return NULL;

	ktime_get_real_ts64(&ts);
	qaccel_coredump_printf(dump, "qaccel devcoredump\n");
	qaccel_coredump_printf(dump, "device: %s\n", dev_name(qdev->drm.dev));
	qaccel_coredump_printf(dump, "time: %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	qaccel_coredump_printf(dump, "reason: %s\n",
			       error == -EIO ? "engine fault" : "engine hang (no progress)");
	qaccel_coredump_printf(dump, "job_timeout_ms: %u\n", qaccel_job_timeout_ms());
	qaccel_coredump_printf(dump, "\nregisters:\n");
	for (i = 0; i < ARRAY_SIZE(qaccel_coredump_regs); i++)
		qaccel_coredump_printf(dump, "%-16s 0x%08x\n", qaccel_coredump_regs[i].name,
				       qaccel_reg_read(qdev, qaccel_coredump_regs[i].reg));
	qaccel_coredump_printf(dump, "\nring: entries %u tail %u used %u\n",
			       qdev->ring.entries, qdev->ring.tail, qdev->ring.used);
	qaccel_coredump_printf(dump, "seqno: completed %llu next %llu\n",
			       qdev->ring.completed_seqno, qdev->ring.next_seqno);

	return dump;
}

/**
 * qaccel_coredump_add_job - describe the guilty job
 * @dump: the report, or NULL
 * @job: the guilty job, or NULL when the ring held none
 * @seqno: the descriptor the engine stopped on
 */
void qaccel_coredump_add_job(struct qaccel_coredump *dump, struct qaccel_job *job, u64 seqno)
{
	unsigned int i, w;

	if (!dump)
		return;
	if (!job) {
		qaccel_coredump_printf(dump, "\nguilty job: none\n");
		return;
	}

	qaccel_coredump_printf(dump, "\nguilty job:\n");
	qaccel_coredump_printf(dump, "queue: %u\n", job->queue->id);
	qaccel_coredump_printf(dump, "seqno: %llu-%llu\n", job->seq_first, job->seq_last);
	qaccel_coredump_printf(dump, "stopped at: %llu\n", seqno);
	qaccel_coredump_printf(dump, "pgd: %pad\n", &job->vm->l1.dma);
	qaccel_coredump_printf(dump, "buffers: %u\n", job->nbos);
	for (i = 0; i < job->nbos; i++)
		qaccel_coredump_printf(dump, "  va 0x%08llx size %zu %s\n",
				       qaccel_mapping_va(job->bos[i].map),
				       job->bos[i].map->bo->base.base.size,
				       job->bos[i].write ? "rw" : "r");
	qaccel_coredump_printf(dump, "descriptors: %u\n", job->ndesc);
	for (i = 0; i < job->ndesc; i++) {
		qaccel_coredump_printf(dump, "  [%u]", i);
		for (w = 0; w < QA1_DESC_WORDS; w++)
			qaccel_coredump_printf(dump, " %08x", w == QA1_DESC_SEQNO ?
					       lower_32_bits(job->seq_first + i) :
					       job->desc[i][w]);
		qaccel_coredump_printf(dump, "\n");
	}
}

/**
 * qaccel_coredump_emit - hand the report to the devcoredump framework
 * @qdev: the device
 * @dump: the report, or NULL; it is freed by the framework
 */
void qaccel_coredump_emit(struct qaccel_device *qdev, struct qaccel_coredump *dump)
{
	if (!dump)
		return;
	/* Takes ownership of the vmalloc'ed buffer, which starts with the text. */
	dev_coredumpv(qdev->drm.dev, dump, dump->len, GFP_KERNEL);
}
