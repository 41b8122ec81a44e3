/* SPDX-License-Identifier: MIT */
/*
 * blas_env_setup(): make OpenBLAS use its SkylakeX kernels on AVX-512 CPUs
 * it does not recognise (sets OPENBLAS_CORETYPE and re-executes the
 * program when the variable is unset). Call it first thing in main().
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TOOLS_BLAS_ENV_H
#define QACCEL_TOOLS_BLAS_ENV_H

void blas_env_setup(char **argv);

#endif /* QACCEL_TOOLS_BLAS_ENV_H */
