// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: the execution engine of the emulated QA1.
 *
 * A kernel thread plays the hardware: it consumes the command ring from
 * memory, walks the page tables of each descriptor, computes GEMMs with the
 * reference engine (qaccel_engine.c) one work unit (one row of A against
 * one 16-channel weight panel) at a time, writes the fence word, and raises
 * DONE or FAULT through the register model, exactly as
 * Documentation/accel/qaccel/qa1.rst specifies.
 *
 * Memory is reached by bus address, as a DMA master would: the emulated
 * platform device uses direct DMA mapping, so a bus address translates
 * back to a physical page. Nothing the engine reads is trusted: a garbage
 * descriptor, ring setup or page table makes the engine fault cleanly
 * (addresses that are not RAM included); it never crashes the kernel.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "qaccel_emu_priv.h"

/**
 * struct qaccel_emu_job - the descriptor being executed
 * @epoch: &qaccel_emu.epoch when the descriptor was started
 * @pgd: bus address of its level-1 page table
 * @desc: the descriptor words, host order
 * @g: its GEMM parameters
 * @fault: fault cause when the engine must halt (QA1_FAULT_*), else 0
 * @fault_addr: device VA of an MMU fault
 */
struct qaccel_emu_job {
	u32 epoch;
	u64 pgd;
	u32 desc[QA1_DESC_WORDS];
	struct qa1e_gemm g;
	u32 fault;
	u32 fault_addr;
};

/* Map the byte at bus address @bus; NULL when it is not RAM. */
static void *qaccel_emu_kmap(struct qaccel_emu *emu, u64 bus)
{
	phys_addr_t phys = dma_to_phys(emu->dev, bus);
	unsigned long pfn = PHYS_PFN(phys);

	if (!pfn_valid(pfn))
		return NULL;
	return kmap_local_page(pfn_to_page(pfn)) + offset_in_page(phys);
}

/* Read @len bytes at bus address @bus, within one QA1 page. */
static bool qaccel_emu_bus_read(struct qaccel_emu *emu, u64 bus, void *dst, size_t len)
{
	void *p = qaccel_emu_kmap(emu, bus);

	if (!p)
		return false;
	memcpy(dst, p, len);
	kunmap_local(p);
	return true;
}

static bool qaccel_emu_bus_write(struct qaccel_emu *emu, u64 bus, const void *src,
				 size_t len)
{
	void *p = qaccel_emu_kmap(emu, bus);

	if (!p)
		return false;
	memcpy(p, src, len);
	kunmap_local(p);
	return true;
}

static void qaccel_emu_tlb_check(struct qaccel_emu *emu)
{
	int gen = atomic_read(&emu->tlb_gen);

	if (gen != emu->tlb_seen) {
		memset(emu->tlb, 0, sizeof(emu->tlb));
		emu->tlb_seen = gen;
	}
}

/*
 * Translate a device VA for a read or a write. Returns 0 and the bus
 * address, or a QA1_FAULT_* cause.
 */
static u32 qaccel_emu_translate(struct qaccel_emu *emu, struct qaccel_emu_job *job,
				u32 va, bool write, u64 *bus)
{
	u32 vpn = va >> QA1_PAGE_SHIFT;
	struct qaccel_emu_tlb_entry *e = &emu->tlb[vpn % QACCEL_EMU_TLB_ENTRIES];
	__le64 raw;
	u64 l1, pte;

	qaccel_emu_tlb_check(emu);
	if (e->pte && e->pgd == job->pgd && e->vpn == vpn) {
		pte = e->pte;
	} else {
		if (!qaccel_emu_bus_read(emu, job->pgd + 8ull * ((va >> QA1_L1_SHIFT) &
								  QA1_PT_INDEX_MASK),
					 &raw, sizeof(raw)))
			return QA1_FAULT_UNMAPPED;
		l1 = le64_to_cpu(raw);
		if (!(l1 & QA1_PTE_VALID))
			return QA1_FAULT_UNMAPPED;
		if (!qaccel_emu_bus_read(emu, (l1 & QA1_PTE_ADDR_MASK) +
					 8ull * ((va >> QA1_L2_SHIFT) & QA1_PT_INDEX_MASK),
					 &raw, sizeof(raw)))
			return QA1_FAULT_UNMAPPED;
		pte = le64_to_cpu(raw);
		if (!(pte & QA1_PTE_VALID))
			return QA1_FAULT_UNMAPPED;
		/* Only valid entries are cached. */
		e->pgd = job->pgd;
		e->vpn = vpn;
		e->pte = pte;
	}

	if (write && !(pte & QA1_PTE_WRITE))
		return QA1_FAULT_WRITE;
	if (!write && !(pte & QA1_PTE_READ))
		return QA1_FAULT_READ;

	*bus = (pte & QA1_PTE_ADDR_MASK) | (va & (QA1_PAGE_SIZE - 1));
	return 0;
}

/*
 * Copy between a buffer and device VAs [va, va + len) of the job's address
 * space. On an MMU fault, records it in the job and returns false; nothing
 * past the faulting page is accessed.
 */
static bool qaccel_emu_access(struct qaccel_emu *emu, struct qaccel_emu_job *job,
			      u64 va, void *buf, size_t len, bool write)
{
	u8 *p = buf;

	while (len) {
		size_t chunk = min_t(size_t, len, QA1_PAGE_SIZE - (va & (QA1_PAGE_SIZE - 1)));
		u64 bus;
		u32 cause;
		bool ok;

		cause = qaccel_emu_translate(emu, job, (u32)va, write, &bus);
		if (!cause) {
			ok = write ? qaccel_emu_bus_write(emu, bus, p, chunk) :
				     qaccel_emu_bus_read(emu, bus, p, chunk);
			/* A page table pointing at no RAM: nothing is mapped there. */
			if (!ok)
				cause = QA1_FAULT_UNMAPPED;
		}
		if (cause) {
			job->fault = cause;
			job->fault_addr = (u32)va;
			return false;
		}
		va += chunk;
		p += chunk;
		len -= chunk;
	}

	return true;
}

static bool qaccel_emu_read_s32s(struct qaccel_emu *emu, struct qaccel_emu_job *job,
				 u64 va, s32 out[16])
{
	__le32 raw[16];
	int i;

	if (!qaccel_emu_access(emu, job, va, raw, sizeof(raw), false))
		return false;
	for (i = 0; i < 16; i++)
		out[i] = (s32)le32_to_cpu(raw[i]);
	return true;
}

/* Halt with a fault, unless a reset abandoned the descriptor meanwhile. */
static void qaccel_emu_halt(struct qaccel_emu *emu, struct qaccel_emu_job *job)
{
	unsigned long flags;

	spin_lock_irqsave(&emu->lock, flags);
	if (emu->epoch == job->epoch) {
		*qaccel_emu_reg(emu, QA1_REG_FAULT_CAUSE) = job->fault;
		*qaccel_emu_reg(emu, QA1_REG_FAULT_ADDR) =
			job->fault == QA1_FAULT_UNMAPPED || job->fault == QA1_FAULT_READ ||
			job->fault == QA1_FAULT_WRITE ? job->fault_addr : 0;
		*qaccel_emu_reg(emu, QA1_REG_STATUS) &= ~QA1_STATUS_BUSY;
		*qaccel_emu_reg(emu, QA1_REG_STATUS) |= QA1_STATUS_HALTED;
		*qaccel_emu_reg(emu, QA1_REG_IRQ_STATUS) |= QA1_IRQ_FAULT;
		qaccel_emu_update_irq(emu);
	}
	spin_unlock_irqrestore(&emu->lock, flags);
}

/* One work unit done: returns false when a reset abandoned the descriptor. */
static bool qaccel_emu_unit_done(struct qaccel_emu *emu, struct qaccel_emu_job *job)
{
	unsigned long flags;
	bool alive;

	spin_lock_irqsave(&emu->lock, flags);
	alive = emu->epoch == job->epoch;
	if (alive)
		(*qaccel_emu_reg(emu, QA1_REG_PROGRESS))++;
	spin_unlock_irqrestore(&emu->lock, flags);

	return alive;
}

static bool qaccel_emu_alive(struct qaccel_emu *emu, struct qaccel_emu_job *job)
{
	return READ_ONCE(emu->epoch) == job->epoch;
}

/*
 * Between work units: sleep the injected delay with memory released, then
 * take it back. Returns false when the descriptor was abandoned.
 */
static bool qaccel_emu_pace(struct qaccel_emu *emu, struct qaccel_emu_job *job)
{
	u32 delay = READ_ONCE(*qaccel_emu_reg(emu, QA1_REG_INJECT_DELAY_US));

	if (delay) {
		mutex_unlock(&emu->exec_lock);
		wait_event_interruptible_hrtimeout(emu->wq,
						   !qaccel_emu_alive(emu, job) ||
						   kthread_should_stop(),
						   ns_to_ktime((u64)delay * NSEC_PER_USEC));
		mutex_lock(&emu->exec_lock);
	} else if (need_resched()) {
		mutex_unlock(&emu->exec_lock);
		cond_resched();
		mutex_lock(&emu->exec_lock);
	}

	return qaccel_emu_alive(emu, job) && !kthread_should_stop();
}

/* Descriptor checks of the specification, "Descriptor" section. */
static u32 qaccel_emu_check(struct qaccel_emu *emu, struct qaccel_emu_job *job)
{
	const u32 *d = job->desc;
	u32 ctrl = d[QA1_DESC_CTRL];
	u32 caps = *qaccel_emu_reg(emu, QA1_REG_CAPS);
	struct qa1e_gemm *g = &job->g;
	u32 out;

	if (ctrl & QA1_CTRL_RESERVED)
		return QA1_FAULT_DESCRIPTOR;
	switch (ctrl & QA1_CTRL_OP_MASK) {
	case QA1_OP_NOP:
		return 0;
	case QA1_OP_GEMM:
		break;
	default:
		return QA1_FAULT_DESCRIPTOR;
	}

	out = (ctrl & QA1_CTRL_OUT_MASK) >> QA1_CTRL_OUT_SHIFT;
	g->m = d[QA1_DESC_M];
	g->n = d[QA1_DESC_N];
	g->k = d[QA1_DESC_K];
	g->lda = d[QA1_DESC_LDA];
	g->ldc = d[QA1_DESC_LDC];
	g->a_signed = !!(ctrl & QA1_CTRL_A_S8);
	g->out_type = out;
	g->a_zp = (s32)d[QA1_DESC_A_ZP];
	g->out_zp = (s32)d[QA1_DESC_OUT_ZP];
	g->act_min = (s32)d[QA1_DESC_ACT_MIN];
	g->act_max = (s32)d[QA1_DESC_ACT_MAX];

	if (!(caps & (g->a_signed ? QA1_CAP_A_S8 : QA1_CAP_A_U8)))
		return QA1_FAULT_DESCRIPTOR;
	if ((out == QA1_OUT_S8 && !(caps & QA1_CAP_OUT_S8)) ||
	    (out == QA1_OUT_U8 && !(caps & QA1_CAP_OUT_U8)) ||
	    (out == QA1_OUT_S32 && !(caps & QA1_CAP_OUT_S32)))
		return QA1_FAULT_DESCRIPTOR;
	if (g->m > *qaccel_emu_reg(emu, QA1_REG_MAX_M) ||
	    g->n > *qaccel_emu_reg(emu, QA1_REG_MAX_N) ||
	    g->k > *qaccel_emu_reg(emu, QA1_REG_MAX_K))
		return QA1_FAULT_DESCRIPTOR;
	/* Zero dimensions, types, zero points, clamp range and strides. */
	if (qa1e_gemm_check(g))
		return QA1_FAULT_DESCRIPTOR;

	/* Every operand below 2^32 (the checks above bound these sums). */
	if ((u64)d[QA1_DESC_A_ADDR] + qa1e_a_bytes(g) > BIT_ULL(QA1_VA_BITS) ||
	    (u64)d[QA1_DESC_W_ADDR] + qa1e_packed_bytes(g->n, g->k) > BIT_ULL(QA1_VA_BITS) ||
	    (u64)d[QA1_DESC_C_ADDR] + qa1e_c_bytes(g) > BIT_ULL(QA1_VA_BITS))
		return QA1_FAULT_DESCRIPTOR;
	if ((caps & QA1_CAP_MMU) && !IS_ALIGNED(job->pgd, QA1_PT_SIZE))
		return QA1_FAULT_DESCRIPTOR;

	return 0;
}

/*
 * Execute a GEMM descriptor: for each 16-channel panel, fetch the panel and
 * its per-channel arrays, then run every row of A against it, one work unit
 * per row. Returns false when the engine must stop (fault or abandon).
 */
static bool qaccel_emu_gemm(struct qaccel_emu *emu, struct qaccel_emu_job *job)
{
	struct qaccel_emu_scratch *s = &emu->scratch;
	const struct qa1e_gemm *g = &job->g;
	u64 a = job->desc[QA1_DESC_A_ADDR];
	u64 w = job->desc[QA1_DESC_W_ADDR];
	u64 c = job->desc[QA1_DESC_C_ADDR];
	u32 esize = qa1e_out_size(g->out_type);
	u32 nblk = qa1e_n16(g->n) / 16;
	u64 panel_bytes = (u64)qa1e_k4(g->k) * 64;
	u32 blk, row;

	for (blk = 0; blk < nblk; blk++) {
		u64 arr = (u64)blk * 64;
		u32 n0 = blk * 16;
		u32 count = min(g->n - n0, 16u);

		if (!qaccel_emu_access(emu, job, w + qa1e_panel_offset(g->k, blk),
				       s->panel, panel_bytes, false) ||
		    !qaccel_emu_read_s32s(emu, job, w + qa1e_off_bias(g->n, g->k) + arr,
					  s->bias) ||
		    !qaccel_emu_read_s32s(emu, job, w + qa1e_off_colsum(g->n, g->k) + arr,
					  s->colsum) ||
		    !qaccel_emu_read_s32s(emu, job, w + qa1e_off_wzp(g->n, g->k) + arr,
					  s->wzp))
			return false;
		if (g->out_type != QA1E_OUT_S32 &&
		    (!qaccel_emu_read_s32s(emu, job, w + qa1e_off_mult(g->n, g->k) + arr,
					   s->mult) ||
		     !qaccel_emu_read_s32s(emu, job, w + qa1e_off_shift(g->n, g->k) + arr,
					   s->shift)))
			return false;

		for (row = 0; row < g->m; row++) {
			if (!qaccel_emu_access(emu, job, a + (u64)row * g->lda, s->a_row,
					       g->k, false))
				return false;
			qa1e_panel_acc_pairs(g, s->a_row, qa1e_row_sum(g, s->a_row),
					     s->panel, s->colsum, s->wzp, s->bias, s->acc);
			qa1e_store_fast(g, s->acc, 0, count, s->mult, s->shift, s->out);
			if (!qaccel_emu_access(emu, job, c + (u64)row * g->ldc + (u64)n0 * esize,
					       s->out, (size_t)count * esize, true))
				return false;
			if (!qaccel_emu_unit_done(emu, job) || !qaccel_emu_pace(emu, job))
				return false;
		}
	}

	return true;
}

/* Completion, steps a to f of "Consumption". */
static void qaccel_emu_complete(struct qaccel_emu *emu, struct qaccel_emu_job *job,
				u64 fence_addr)
{
	__le32 seqno = cpu_to_le32(job->desc[QA1_DESC_SEQNO]);
	unsigned long flags;
	u32 size, head;

	/* Outputs before the fence word. */
	wmb();
	if (!IS_ALIGNED(fence_addr, 4) ||
	    !qaccel_emu_bus_write(emu, fence_addr, &seqno, sizeof(seqno))) {
		job->fault = QA1_FAULT_DESCRIPTOR;
		qaccel_emu_halt(emu, job);
		return;
	}

	spin_lock_irqsave(&emu->lock, flags);
	if (emu->epoch == job->epoch) {
		size = *qaccel_emu_reg(emu, QA1_REG_RING_SIZE);
		head = (*qaccel_emu_reg(emu, QA1_REG_RING_HEAD) + 1) & (size - 1);
		*qaccel_emu_reg(emu, QA1_REG_FENCE_SEQNO) = job->desc[QA1_DESC_SEQNO];
		*qaccel_emu_reg(emu, QA1_REG_RING_HEAD) = head;
		if (head == (*qaccel_emu_reg(emu, QA1_REG_RING_TAIL) & (size - 1)) ||
		    !(*qaccel_emu_reg(emu, QA1_REG_CONTROL) & QA1_CONTROL_ENABLE))
			*qaccel_emu_reg(emu, QA1_REG_STATUS) &= ~QA1_STATUS_BUSY;
		if (job->desc[QA1_DESC_CTRL] & QA1_CTRL_IRQ) {
			*qaccel_emu_reg(emu, QA1_REG_IRQ_STATUS) |= QA1_IRQ_DONE;
			qaccel_emu_update_irq(emu);
		}
	}
	spin_unlock_irqrestore(&emu->lock, flags);
}

static bool qaccel_emu_ring_size_ok(struct qaccel_emu *emu, u32 size)
{
	return is_power_of_2(size) && size >= QA1_RING_MIN_SIZE &&
	       size <= *qaccel_emu_reg(emu, QA1_REG_RING_MAX);
}

/**
 * qaccel_emu_has_work - tell whether the engine should start a descriptor
 * @emu: the engine
 *
 * Return: true when ENABLE is set, HALTED clear and the ring not empty.
 */
bool qaccel_emu_has_work(struct qaccel_emu *emu)
{
	unsigned long flags;
	u32 size, head, tail;
	bool work;

	spin_lock_irqsave(&emu->lock, flags);
	size = *qaccel_emu_reg(emu, QA1_REG_RING_SIZE);
	head = *qaccel_emu_reg(emu, QA1_REG_RING_HEAD);
	tail = *qaccel_emu_reg(emu, QA1_REG_RING_TAIL);
	/* With a bad ring size the engine tries, and faults. */
	if (qaccel_emu_ring_size_ok(emu, size))
		tail &= size - 1;
	work = (*qaccel_emu_reg(emu, QA1_REG_CONTROL) & QA1_CONTROL_ENABLE) &&
	       !(*qaccel_emu_reg(emu, QA1_REG_STATUS) & QA1_STATUS_HALTED) &&
	       head != tail;
	spin_unlock_irqrestore(&emu->lock, flags);

	return work;
}

/* Start, execute and complete (or fault on) the descriptor at RING_HEAD. */
static void qaccel_emu_step(struct qaccel_emu *emu)
{
	struct qaccel_emu_job job = { };
	u64 ring_base, fence_addr, desc_addr;
	__le32 raw[QA1_DESC_WORDS];
	unsigned long flags;
	u32 size, head, inject;
	int i;

	spin_lock_irqsave(&emu->lock, flags);
	job.epoch = emu->epoch;
	size = *qaccel_emu_reg(emu, QA1_REG_RING_SIZE);
	head = *qaccel_emu_reg(emu, QA1_REG_RING_HEAD);
	ring_base = (u64)*qaccel_emu_reg(emu, QA1_REG_RING_BASE_HI) << 32 |
		    *qaccel_emu_reg(emu, QA1_REG_RING_BASE_LO);
	fence_addr = (u64)*qaccel_emu_reg(emu, QA1_REG_FENCE_ADDR_HI) << 32 |
		     *qaccel_emu_reg(emu, QA1_REG_FENCE_ADDR_LO);
	inject = *qaccel_emu_reg(emu, QA1_REG_INJECT);
	if (inject & QA1_INJECT_SKIP_MASK) {
		/* Let this descriptor pass: one fewer to skip. */
		*qaccel_emu_reg(emu, QA1_REG_INJECT) = inject - BIT(QA1_INJECT_SKIP_SHIFT);
		inject = 0;
	} else {
		*qaccel_emu_reg(emu, QA1_REG_INJECT) = 0;
	}
	*qaccel_emu_reg(emu, QA1_REG_STATUS) |= QA1_STATUS_BUSY;
	spin_unlock_irqrestore(&emu->lock, flags);

	mutex_lock(&emu->exec_lock);
	if (!qaccel_emu_alive(emu, &job))
		goto out_unlock;

	if (!qaccel_emu_ring_size_ok(emu, size) || !IS_ALIGNED(ring_base, QA1_DESC_SIZE)) {
		job.fault = QA1_FAULT_DESCRIPTOR;
		goto out_halt;
	}
	if (inject & QA1_INJECT_FAULT) {
		job.fault = QA1_FAULT_INJECTED;
		goto out_halt;
	}
	if (inject & QA1_INJECT_HANG) {
		/* Busy forever: no progress, no completion, until a reset. */
		mutex_unlock(&emu->exec_lock);
		wait_event_interruptible(emu->wq, !qaccel_emu_alive(emu, &job) ||
					 kthread_should_stop());
		return;
	}

	desc_addr = ring_base + (u64)head * QA1_DESC_SIZE;
	if (!qaccel_emu_bus_read(emu, desc_addr, raw, sizeof(raw))) {
		job.fault = QA1_FAULT_DESCRIPTOR;
		goto out_halt;
	}
	for (i = 0; i < QA1_DESC_WORDS; i++)
		job.desc[i] = le32_to_cpu(raw[i]);
	job.pgd = (u64)job.desc[QA1_DESC_PGD_HI] << 32 | job.desc[QA1_DESC_PGD_LO];

	job.fault = qaccel_emu_check(emu, &job);
	if (job.fault)
		goto out_halt;

	if ((job.desc[QA1_DESC_CTRL] & QA1_CTRL_OP_MASK) == QA1_OP_GEMM) {
		if (!qaccel_emu_gemm(emu, &job)) {
			if (job.fault)
				goto out_halt;
			/* Abandoned by a reset. */
			goto out_unlock;
		}
	} else if (!qaccel_emu_unit_done(emu, &job)) {
		goto out_unlock;
	}

	qaccel_emu_complete(emu, &job, fence_addr);
	goto out_unlock;

out_halt:
	qaccel_emu_halt(emu, &job);
out_unlock:
	mutex_unlock(&emu->exec_lock);
}

/**
 * qaccel_emu_engine_thread - main loop of the engine thread
 * @data: the &struct qaccel_emu
 *
 * Return: 0 when stopped.
 */
int qaccel_emu_engine_thread(void *data)
{
	struct qaccel_emu *emu = data;

	while (!kthread_should_stop()) {
		if (kthread_should_park()) {
			kthread_parkme();
			continue;
		}
		wait_event_interruptible(emu->wq, kthread_should_stop() ||
					 kthread_should_park() ||
					 qaccel_emu_has_work(emu));
		if (kthread_should_stop() || kthread_should_park())
			continue;
		if (qaccel_emu_has_work(emu))
			qaccel_emu_step(emu);
		cond_resched();
	}

	return 0;
}

/**
 * qaccel_emu_engine_init - allocate the engine's buffers
 * @emu: the engine, with its identification registers set
 *
 * Return: 0 or -ENOMEM.
 */
int qaccel_emu_engine_init(struct qaccel_emu *emu)
{
	u32 max_k = *qaccel_emu_reg(emu, QA1_REG_MAX_K);

	emu->scratch.panel_size = (size_t)qa1e_k4(max_k) * 64;
	emu->scratch.panel = kvmalloc(emu->scratch.panel_size, GFP_KERNEL);
	emu->scratch.a_row = kvmalloc(max_k, GFP_KERNEL);
	if (!emu->scratch.panel || !emu->scratch.a_row) {
		qaccel_emu_engine_fini(emu);
		return -ENOMEM;
	}

	return 0;
}

/**
 * qaccel_emu_engine_fini - free the engine's buffers
 * @emu: the engine, whose thread has stopped
 */
void qaccel_emu_engine_fini(struct qaccel_emu *emu)
{
	kvfree(emu->scratch.panel);
	kvfree(emu->scratch.a_row);
	emu->scratch.panel = NULL;
	emu->scratch.a_row = NULL;
}
