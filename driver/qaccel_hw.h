/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * QA1 hardware contract: register map, command descriptors and page-table
 * entries. Documentation/accel/qaccel/qa1.rst is the prose form of this file;
 * the two must agree.
 *
 * Outside the kernel this header needs no other header, so the library,
 * the tools and the tests include it as well as the driver.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_HW_H_
#define _QACCEL_HW_H_

#ifdef __KERNEL__
#include <linux/bits.h>
#else
#ifndef BIT
#define BIT(n)		(1u << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)	(1ull << (n))
#endif
#endif

/* Size of the MMIO register window. */
#define QA1_MMIO_SIZE			0x1000

/* Identification. */
#define QA1_REG_ID			0x000	/* RO: QA1_ID_MAGIC */
#define QA1_ID_MAGIC			0x51413100u	/* "QA1\0" */
#define QA1_REG_VERSION			0x004	/* RO: major[31:16] minor[15:8] patch[7:0] */
#define QA1_VERSION_MAJOR(v)		(((v) >> 16) & 0xffffu)
#define QA1_VERSION_MINOR(v)		(((v) >> 8) & 0xffu)
#define QA1_VERSION_PATCH(v)		((v) & 0xffu)
#define QA1_REG_CAPS			0x008	/* RO: QA1_CAP_* */
#define QA1_CAP_A_U8			BIT(0)
#define QA1_CAP_A_S8			BIT(1)
#define QA1_CAP_OUT_S8			BIT(2)
#define QA1_CAP_OUT_U8			BIT(3)
#define QA1_CAP_OUT_S32			BIT(4)
#define QA1_CAP_MMU			BIT(5)
#define QA1_CAP_PROGRESS		BIT(6)
#define QA1_CAP_FAULT_INJECT		BIT(7)
#define QA1_REG_MAX_M			0x00c	/* RO: largest M */
#define QA1_REG_MAX_N			0x010	/* RO: largest N */
#define QA1_REG_MAX_K			0x014	/* RO: largest K */
#define QA1_REG_VA_BITS			0x018	/* RO: device VA width (32) */
#define QA1_REG_RING_MAX		0x01c	/* RO: largest ring size, entries */

/* Control and status. */
#define QA1_REG_CONTROL			0x020	/* RW */
#define QA1_CONTROL_ENABLE		BIT(0)	/* consume the ring */
#define QA1_CONTROL_RESET		BIT(1)	/* self-clearing soft reset */
#define QA1_REG_STATUS			0x024	/* RO */
#define QA1_STATUS_BUSY			BIT(0)	/* a descriptor is executing */
#define QA1_STATUS_HALTED		BIT(1)	/* stopped on a fault */
#define QA1_STATUS_RESET_DONE		BIT(2)	/* idle after reset */

/* Interrupts: STATUS is raw, MASK enables, CLEAR acknowledges (W1C). */
#define QA1_REG_IRQ_STATUS		0x030	/* RO */
#define QA1_REG_IRQ_MASK		0x034	/* RW: 1 = enabled */
#define QA1_REG_IRQ_CLEAR		0x038	/* WO: write 1 to clear */
#define QA1_IRQ_DONE			BIT(0)	/* a descriptor completed */
#define QA1_IRQ_FAULT			BIT(1)	/* engine halted on a fault */
#define QA1_IRQ_ALL			(QA1_IRQ_DONE | QA1_IRQ_FAULT)

/*
 * Command ring. HEAD and TAIL are descriptor indices in [0, RING_SIZE); the
 * ring is empty when HEAD == TAIL, so at most RING_SIZE - 1 descriptors are
 * outstanding. RING_SIZE is a power of two from QA1_RING_MIN_SIZE to the
 * RING_MAX register.
 */
#define QA1_RING_MIN_SIZE		2
#define QA1_REG_RING_BASE_LO		0x040	/* RW: bus address, 64-byte aligned */
#define QA1_REG_RING_BASE_HI		0x044	/* RW */
#define QA1_REG_RING_SIZE		0x048	/* RW: entries, power of two */
#define QA1_REG_RING_HEAD		0x04c	/* RO: next descriptor to consume */
#define QA1_REG_RING_TAIL		0x050	/* RW: doorbell, one past last valid */

/* Completion fence. */
#define QA1_REG_FENCE_ADDR_LO		0x060	/* RW: bus address of a 4-byte aligned word */
#define QA1_REG_FENCE_ADDR_HI		0x064	/* RW */
#define QA1_REG_FENCE_SEQNO		0x068	/* RO: seqno of last completed descriptor */

/* Faults and progress. */
#define QA1_REG_FAULT_ADDR		0x070	/* RO: faulting device VA, 0 for non-MMU faults */
#define QA1_REG_FAULT_CAUSE		0x074	/* RO: QA1_FAULT_* */
#define QA1_FAULT_NONE			0
#define QA1_FAULT_UNMAPPED		1	/* no valid PTE at FAULT_ADDR */
#define QA1_FAULT_READ			2	/* read from a page without R */
#define QA1_FAULT_WRITE			3	/* write to a page without W */
#define QA1_FAULT_DESCRIPTOR		4	/* malformed descriptor */
#define QA1_FAULT_INJECTED		5	/* fault injection (debug) */
#define QA1_REG_PROGRESS		0x078	/* RO: counts work units; moves while busy */

/* MMU. */
#define QA1_REG_MMU_INVALIDATE		0x080	/* WO: write 1 to flush the TLB */

/* Fault injection (present when QA1_CAP_FAULT_INJECT). */
#define QA1_REG_INJECT			0x090	/* RW: QA1_INJECT_*, one-shot: next descriptor */
#define QA1_INJECT_HANG			BIT(0)	/* stop making progress */
#define QA1_INJECT_FAULT		BIT(1)	/* halt with QA1_FAULT_INJECTED */
#define QA1_INJECT_SKIP_SHIFT		8	/* descriptors to let pass first */
#define QA1_INJECT_SKIP_MASK		(0xffu << QA1_INJECT_SKIP_SHIFT)
#define QA1_REG_INJECT_DELAY_US		0x094	/* RW: extra time per work unit */

/* Command descriptor: 64 bytes, 16 little-endian 32-bit words. */
#define QA1_DESC_SIZE			64
#define QA1_DESC_CTRL			0	/* word indices */
#define QA1_DESC_SEQNO			1
#define QA1_DESC_PGD_LO			2	/* bus address of the level-1 table */
#define QA1_DESC_PGD_HI			3
#define QA1_DESC_A_ADDR			4	/* device VAs */
#define QA1_DESC_W_ADDR			5
#define QA1_DESC_C_ADDR			6
#define QA1_DESC_M			7
#define QA1_DESC_N			8
#define QA1_DESC_K			9
#define QA1_DESC_LDA			10
#define QA1_DESC_LDC			11
#define QA1_DESC_A_ZP			12	/* signed */
#define QA1_DESC_OUT_ZP			13	/* signed */
#define QA1_DESC_ACT_MIN		14	/* signed */
#define QA1_DESC_ACT_MAX		15	/* signed */
#define QA1_DESC_WORDS			16

/* CTRL word. */
#define QA1_CTRL_OP_MASK		0xffu
#define QA1_OP_NOP			0x00	/* only signals the fence */
#define QA1_OP_GEMM			0x01
#define QA1_CTRL_A_S8			BIT(8)	/* A is signed */
#define QA1_CTRL_OUT_SHIFT		9
#define QA1_CTRL_OUT_MASK		(3u << QA1_CTRL_OUT_SHIFT)
#define QA1_OUT_S8			0
#define QA1_OUT_U8			1
#define QA1_OUT_S32			2	/* 3 is reserved: descriptor fault */
#define QA1_CTRL_IRQ			BIT(16)	/* raise DONE when complete */
#define QA1_CTRL_RESERVED		(~(QA1_CTRL_OP_MASK | QA1_CTRL_A_S8 | \
					   QA1_CTRL_OUT_MASK | QA1_CTRL_IRQ))

/*
 * MMU: 32-bit device VA, 4 KiB pages, two levels of 1024 64-bit entries
 * (8 KiB tables, 8 KiB aligned). VA[31:22] indexes level 1, VA[21:12]
 * level 2, VA[11:0] is the byte in the page.
 */
#define QA1_PAGE_SHIFT			12
#define QA1_PAGE_SIZE			BIT(QA1_PAGE_SHIFT)
#define QA1_VA_BITS			32
#define QA1_PT_ENTRIES			1024
#define QA1_PT_SIZE			(QA1_PT_ENTRIES * 8)
#define QA1_L1_SHIFT			22
#define QA1_L2_SHIFT			12
#define QA1_PT_INDEX_MASK		0x3ffu
#define QA1_PTE_VALID			BIT_ULL(0)
#define QA1_PTE_READ			BIT_ULL(1)	/* level 2 only */
#define QA1_PTE_WRITE			BIT_ULL(2)	/* level 2 only */
#define QA1_PTE_ADDR_MASK		0x000ffffffffff000ull	/* bits 51:12 */
/* Level-1 entries point at 8 KiB aligned tables: their bit 12 must be 0. */
#define QA1_PTE_RESERVED_MASK		0xfff0000000000ff8ull	/* must be 0 */

#endif /* _QACCEL_HW_H_ */
