/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: internals of the emulated QA1, shared by its register model
 * (qaccel_emu.c) and its execution engine (qaccel_emu_engine.c).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_EMU_PRIV_H_
#define _QACCEL_EMU_PRIV_H_

#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "qaccel_emu.h"
#include "qaccel_engine.h"
#include "qaccel_hw.h"

#define QACCEL_EMU_NREGS	(QA1_MMIO_SIZE / 4)

/* Translation cache of the emulated MMU: direct-mapped. */
#define QACCEL_EMU_TLB_ENTRIES	64

/**
 * struct qaccel_emu_tlb_entry - one cached translation
 * @pgd: bus address of the level-1 table it came from (the tag)
 * @vpn: device VA >> QA1_PAGE_SHIFT
 * @pte: the level-2 entry (VALID set)
 */
struct qaccel_emu_tlb_entry {
	u64 pgd;
	u32 vpn;
	u64 pte;
};

/**
 * struct qaccel_emu_scratch - buffers of the execution engine
 * @panel: one 16-channel weight panel, up to MAX_K / 4 * 64 bytes
 * @panel_size: size of @panel
 * @a_row: one row of A, up to MAX_K bytes
 * @bias: per-channel arrays of the current panel, host order
 * @colsum: see @bias
 * @wzp: see @bias
 * @mult: see @bias
 * @shift: see @bias
 * @acc: accumulators of one work unit
 * @out: output bytes of one work unit
 */
struct qaccel_emu_scratch {
	u8 *panel;
	size_t panel_size;
	u8 *a_row;
	s32 bias[16], colsum[16], wzp[16], mult[16], shift[16];
	s32 acc[16];
	u8 out[16 * 4];
};

/**
 * struct qaccel_emu - state of one emulated QA1
 * @lock: protects @regs and @epoch; taken with interrupts disabled (the
 *	driver's interrupt handler reads registers)
 * @regs: the register file, indexed by offset / 4
 * @epoch: incremented by every soft reset, under @lock; the engine abandons
 *	a descriptor when it changes
 * @tlb_gen: incremented by every MMU_INVALIDATE write and soft reset; the
 *	engine drops its cached translations when it changes
 * @exec_lock: held by the engine thread while it accesses memory (one work
 *	unit at a time); a soft reset takes it once to wait until the engine
 *	has left memory, so that the reset is complete when the register write
 *	returns
 * @tlb: cached translations, used by the engine thread only, under
 *	@exec_lock
 * @tlb_seen: value of @tlb_gen that @tlb belongs to (engine thread only)
 * @scratch: data buffers, engine thread only
 * @wq: the engine thread sleeps here for work, and during injected hangs
 *	and delays; register writes that may start work or end a wait wake it
 * @thread: the engine thread
 * @dev: the platform device: bus addresses are its DMA addresses
 * @irq_work: delivers the interrupt to @irq_handler in hard IRQ context
 * @irq_handler: the driver's interrupt handler
 * @irq_data: argument of @irq_handler
 */
struct qaccel_emu {
	/* Protects regs and epoch. */
	spinlock_t lock;
	u32 regs[QACCEL_EMU_NREGS];
	u32 epoch;
	atomic_t tlb_gen;
	/* Held by the engine thread while it accesses memory. */
	struct mutex exec_lock;
	struct qaccel_emu_tlb_entry tlb[QACCEL_EMU_TLB_ENTRIES];
	int tlb_seen;
	struct qaccel_emu_scratch scratch;
	wait_queue_head_t wq;
	struct task_struct *thread;
	struct device *dev;
	struct irq_work irq_work;
	qaccel_emu_irq_fn irq_handler;
	void *irq_data;
};

static inline u32 *qaccel_emu_reg(struct qaccel_emu *emu, u32 reg)
{
	return &emu->regs[reg / 4];
}

/* qaccel_emu.c */
void qaccel_emu_update_irq(struct qaccel_emu *emu);

/* qaccel_emu_engine.c */
int qaccel_emu_engine_thread(void *data);
bool qaccel_emu_has_work(struct qaccel_emu *emu);
int qaccel_emu_engine_init(struct qaccel_emu *emu);
void qaccel_emu_engine_fini(struct qaccel_emu *emu);

#endif /* _QACCEL_EMU_PRIV_H_ */
