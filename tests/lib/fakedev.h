/* SPDX-License-Identifier: MIT */
/*
 * A qaccel device faked in the test process, for host runs of the device
 * backend's ioctl path: linked into a test binary, fakedev.c interposes
 * ioctl(), mmap() and close(), and every file descriptor of /dev/null
 * then behaves as an open qaccel node (QACCEL_DEVICE=/dev/null). It
 * implements GET_PARAM, BO_CREATE, SUBMIT, JOB_WAIT and GEM_CLOSE after
 * the uapi (validation included), runs the jobs in a thread with the
 * reference engine, and counts every request a correct library should
 * never make. io_uring goes to the real kernel, whose /dev/null accepts
 * every io_uring command with result 0 (it is there for benchmarks), so
 * the library's probe (an invalid command must fail with -EINVAL) finds no
 * usable qaccel io_uring command: a driver without it, as far as the
 * library can tell.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TESTS_FAKEDEV_H
#define QACCEL_TESTS_FAKEDEV_H

#include <stdint.h>

struct fakedev_cfg {
	uint32_t max_jobs;		/* DRM_QACCEL_PARAM_MAX_JOBS */
	uint32_t history;		/* DRM_QACCEL_PARAM_JOB_HISTORY (0: not answered) */
	uint32_t max_m, max_n, max_k;
	uint64_t max_bo_size;
	uint32_t delay_us;		/* engine time per job */
	uint32_t no_job_ioctls;		/* behave as a driver with GET_PARAM only */
	uint32_t fail_submit_call;	/* the Nth SUBMIT from now fails ... */
	int fail_submit_err;		/* ... with this errno (negative) */
	uint32_t fail_status_call;	/* the Nth SUBMIT from now completes ... */
	int fail_status;		/* ... with this status (e.g. -EIO) */
};

struct fakedev_stats {
	uint64_t submits;		/* accepted SUBMIT ioctls */
	uint64_t jobs;			/* jobs run */
	uint32_t max_batch;		/* most jobs in one SUBMIT */
	uint32_t live_bos;		/* BOs not closed yet, over all files */
	uint64_t violations;		/* requests a correct library never makes */
	uint64_t enodata;		/* JOB_WAIT answers -ENODATA */
	char last_violation[160];
};

/* The defaults: MAX_JOBS 5, JOB_HISTORY 4, the emulator's limits, no delay. */
void fakedev_defaults(struct fakedev_cfg *cfg);
void fakedev_configure(const struct fakedev_cfg *cfg);
void fakedev_get_stats(struct fakedev_stats *st);

#endif /* QACCEL_TESTS_FAKEDEV_H */
