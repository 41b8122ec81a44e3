// SPDX-License-Identifier: MIT
/*
 * OpenBLAS core selection for the tools that run the float model.
 *
 * Debian 12's OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs and
 * falls back to its Haswell kernels. OpenBLAS reads OPENBLAS_CORETYPE once,
 * when the library is loaded, so a tool that finds it unset on a CPU with
 * AVX-512 sets it to SkylakeX and executes itself again, before anything
 * else happens.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <stdlib.h>
#include <unistd.h>

#include "blas_env.h"

void blas_env_setup(char **argv)
{
#if defined(__x86_64__) || defined(__i386__)
	if (getenv("OPENBLAS_CORETYPE") || getenv("QACCEL_BLAS_REEXEC"))
		return;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
	    !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("avx512dq"))
		return;
	if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) ||
	    setenv("QACCEL_BLAS_REEXEC", "1", 1))
		return;
	execv("/proc/self/exe", argv);
	/* Could not re-execute: carry on with OpenBLAS's own choice. */
	unsetenv("OPENBLAS_CORETYPE");
#else
	(void)argv;
#endif
}
