// SPDX-License-Identifier: MIT
/*
 * CPU feature detection. The result is computed once per process and
 * cached: the only process-wide state of the library, together with the
 * AMX tile permission Linux grants per process (asked for here when the
 * CPU has AMX-INT8).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <pthread.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(QACCEL_X86_AMX) && defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#define QA_ARCH_GET_XCOMP_PERM 0x1022
#define QA_ARCH_REQ_XCOMP_PERM 0x1023
#define QA_XFEATURE_XTILEDATA 18
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#endif

static pthread_once_t qa_isa_once = PTHREAD_ONCE_INIT;
static unsigned int qa_isa_cached;

#if (defined(__x86_64__) || defined(__i386__)) && defined(QACCEL_X86_SIMD)
static uint64_t qa_xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

#if defined(QACCEL_X86_AMX) && defined(__linux__)
/*
 * Linux enables the AMX tile data state (XCR0 bits 17-18) but hands it to a
 * process only on request: ask for it once; when the kernel refuses (or
 * predates the request, before 5.16), AMX is not available.
 */
static bool qa_amx_permit(void)
{
	unsigned long features = 0;

	if (syscall(SYS_arch_prctl, QA_ARCH_REQ_XCOMP_PERM, QA_XFEATURE_XTILEDATA))
		return false;
	if (syscall(SYS_arch_prctl, QA_ARCH_GET_XCOMP_PERM, &features))
		return false;
	return (features & (1ul << QA_XFEATURE_XTILEDATA)) != 0;
}
#endif

static unsigned int qa_detect_x86(void)
{
	unsigned int a, b, c, d, mask = 0;
	unsigned int b7, c7, d7, a71 = 0;
	uint64_t xcr0;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	/* OSXSAVE and AVX */
	if (!(c & (1u << 27)) || !(c & (1u << 28)))
		return 0;
	xcr0 = qa_xgetbv0();
	if ((xcr0 & 0x6) != 0x6)	/* SSE and AVX state */
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b7, c7, d7);
	if (a >= 1) {
		__cpuid_count(7, 1, a71, b, c, d);
	}
	if (b7 & (1u << 5)) {			/* AVX2 */
		mask |= 1u << QACCEL_ISA_AVX2;
		if (a71 & (1u << 4))		/* AVX-VNNI */
			mask |= 1u << QACCEL_ISA_AVX_VNNI;
	}
	/* AVX-512: F (b16), DQ (b17), BW (b30), VL (b31), VNNI (c11); opmask+ZMM state */
	if ((b7 & (1u << 16)) && (b7 & (1u << 17)) && (b7 & (1u << 30)) && (b7 & (1u << 31)) &&
	    (c7 & (1u << 11)) && (xcr0 & 0xe0) == 0xe0 && (mask & (1u << QACCEL_ISA_AVX2)))
		mask |= 1u << QACCEL_ISA_AVX512_VNNI;
#if defined(QACCEL_X86_AMX) && defined(__linux__)
	/*
	 * AMX-TILE (d24) and AMX-INT8 (d25) with XTILECFG/XTILEDATA state
	 * (XCR0 bits 17-18); the kernel uses the AVX-512 output stage. The
	 * permission is process-wide and only asked for when the CPU has it.
	 */
	if ((d7 & (1u << 24)) && (d7 & (1u << 25)) && (xcr0 & 0x60000) == 0x60000 &&
	    (mask & (1u << QACCEL_ISA_AVX512_VNNI)) && qa_amx_permit())
		mask |= 1u << QACCEL_ISA_AMX_INT8;
#endif
	return mask;
}
#endif

static void qa_isa_detect(void)
{
	unsigned int mask = 1u << QACCEL_ISA_SCALAR;

#if (defined(__x86_64__) || defined(__i386__)) && defined(QACCEL_X86_SIMD)
	mask |= qa_detect_x86();
#endif
#if defined(__aarch64__) && defined(QACCEL_NEON)
	if (getauxval(AT_HWCAP) & HWCAP_ASIMDDP)
		mask |= 1u << QACCEL_ISA_NEON_DOTPROD;
#endif
	qa_isa_cached = mask;
}

unsigned int qa_isa_mask(void)
{
	pthread_once(&qa_isa_once, qa_isa_detect);
	return qa_isa_cached;
}

QACCEL_API unsigned int qaccel_cpu_isa_mask(void)
{
	return qa_isa_mask();
}

QACCEL_API enum qaccel_isa qaccel_cpu_isa_best(void)
{
	static const enum qaccel_isa order[] = {
		QACCEL_ISA_AMX_INT8, QACCEL_ISA_AVX512_VNNI, QACCEL_ISA_AVX_VNNI, QACCEL_ISA_AVX2,
		QACCEL_ISA_NEON_DOTPROD,
	};
	unsigned int mask = qa_isa_mask();
	size_t i;

	for (i = 0; i < QA_ARRAY_SIZE(order); i++)
		if (mask & (1u << order[i]))
			return order[i];
	return QACCEL_ISA_SCALAR;
}

int qa_isa_resolve(enum qaccel_isa want, enum qaccel_isa *out)
{
	if ((unsigned int)want >= QACCEL_ISA_COUNT)
		return -EINVAL;
	if (want == QACCEL_ISA_AUTO) {
		*out = qaccel_cpu_isa_best();
		return 0;
	}
	if (!(qa_isa_mask() & (1u << want)))
		return -EOPNOTSUPP;
	*out = want;
	return 0;
}

static const char *const qa_isa_names[QACCEL_ISA_COUNT] = {
	[QACCEL_ISA_AUTO] = "auto",
	[QACCEL_ISA_SCALAR] = "scalar",
	[QACCEL_ISA_AVX2] = "avx2",
	[QACCEL_ISA_AVX_VNNI] = "avx-vnni",
	[QACCEL_ISA_AVX512_VNNI] = "avx512-vnni",
	[QACCEL_ISA_NEON_DOTPROD] = "neon-dotprod",
	[QACCEL_ISA_AMX_INT8] = "amx-int8",
};

QACCEL_API const char *qaccel_isa_name(enum qaccel_isa isa)
{
	if ((unsigned int)isa >= QACCEL_ISA_COUNT)
		return NULL;
	return qa_isa_names[isa];
}

QACCEL_API int qaccel_isa_from_name(const char *name, enum qaccel_isa *isa)
{
	unsigned int i;

	if (!name || !isa)
		return -EINVAL;
	for (i = 0; i < QACCEL_ISA_COUNT; i++) {
		if (!strcmp(name, qa_isa_names[i])) {
			*isa = (enum qaccel_isa)i;
			return 0;
		}
	}
	return -EINVAL;
}
