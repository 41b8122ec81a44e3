/* SPDX-License-Identifier: MIT */
/*
 * libqaccel internal declarations. Nothing here is exported.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_INTERNAL_H
#define QACCEL_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qaccel.h"

#define QA_UNUSED __attribute__((unused))
#define QA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef QACCEL_DEFAULT_THREADS
#define QACCEL_DEFAULT_THREADS 0
#endif

/* Limits of one GEMM on the CPU backend. */
#define QA_CPU_MAX_DIM	(1u << 24)

/* isa.c */
unsigned int qa_isa_mask(void);
int qa_isa_resolve(enum qaccel_isa want, enum qaccel_isa *out);

/* env.c */
int qa_parse_backend(const char *s, enum qaccel_backend_kind *kind);
int qa_parse_submit_mode(const char *s, enum qaccel_submit_mode *mode);
int qa_parse_uint(const char *s, unsigned int min, unsigned int max,
		  unsigned int *out);
unsigned int qa_default_threads(void);
void qa_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* device.c */
bool qa_device_built(void);
/*
 * Probe one node: on success fill info and return 0 with *fdp holding the
 * open fd (when fdp is non-NULL, otherwise the fd is closed). On failure
 * return -errno and explain in why. A node whose driver lacks the job
 * ioctls fails with -EOPNOTSUPP. The io_uring command is probed unless
 * want is %QACCEL_SUBMIT_IOCTL; info->submit_modes tells the result and
 * uring_why (may be NULL) why io_uring cannot be used.
 */
int qa_device_probe(const char *path, struct qaccel_backend_info *info,
		    int *fdp, char *why, size_t why_size,
		    enum qaccel_submit_mode want, char *uring_why,
		    size_t uring_why_size);
/*
 * Walk the candidate nodes in order. cb returns non-zero to stop. The
 * candidates are the paths of accel nodes and qaccel render nodes.
 */
int qa_device_for_each(int (*cb)(const char *path, void *arg), void *arg);
void qa_device_close(int fd);

/* backend.c */
void qa_cpu_info(struct qaccel_backend_info *info, enum qaccel_isa isa,
		 unsigned int threads);

/* quant.c: per-ISA element kernels (x86_*.c, neon.c provide the SIMD ones). */
struct qa_quant_ops {
	/* y[i] = q(x[i]) with one scale and zero point. */
	void (*quant)(const float *x, uint8_t *y, size_t n, float scale, float zp,
		      float qmin, float qmax);
	/* y[i] = q(x[i]) with scale[i], zp[i] (zp may be NULL). */
	void (*quant_vec)(const float *x, uint8_t *y, size_t n, const float *scale,
			  const int32_t *zp, float qmin, float qmax);
	void (*dequant)(const uint8_t *x, float *y, size_t n, float scale, int32_t zp,
			bool is_signed);
	void (*dequant_vec)(const uint8_t *x, float *y, size_t n, const float *scale,
			    const int32_t *zp, bool is_signed);
	/* min and max of x; returns false when x holds NaN or an infinity. */
	bool (*minmax)(const float *x, size_t n, float *mn, float *mx);
};

extern const struct qa_quant_ops qa_quant_scalar;
extern const struct qa_quant_ops qa_quant_avx2;
extern const struct qa_quant_ops qa_quant_avx512;
extern const struct qa_quant_ops qa_quant_neon;
const struct qa_quant_ops *qa_quant_ops_for(enum qaccel_isa isa);

/* Mode-independent round half to even (the scalar reference). */
static inline float qa_round_even(float v)
{
	float f = __builtin_floorf(v);
	float d = v - f;

	if (d > 0.5f)
		return f + 1.0f;
	if (d < 0.5f)
		return f;
	return __builtin_fmodf(f, 2.0f) == 0.0f ? f : f + 1.0f;
}

static inline int32_t qa_quant1(float x, float scale, float zp, float qmin, float qmax)
{
	float v = x / scale, f;

	if (v != v)
		return (int32_t)zp;
	f = qa_round_even(v) + zp;
	if (f < qmin)
		f = qmin;
	if (f > qmax)
		f = qmax;
	return (int32_t)f;
}

#include <pthread.h>
#include <stdatomic.h>

/* A spin-wait hint for the CPU. */
static inline void qa_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("pause");
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

struct qaccel_buffer {
	struct qaccel_ctx *ctx;
	void *ptr;
	size_t size;
	unsigned int flags;
	bool owned;
	atomic_uint busy;		/* queued or running jobs using it */
	struct qaccel_buffer *prev, *next;	/* ctx->buffers, under ctx->buf_lock */
	/* device backend: the GEM object and its mappings */
	uint32_t handle;
	uint64_t va;			/* device virtual address */
	size_t map_size;		/* bytes of the BO and of the CPU mapping */
};

struct qa_job;
struct qa_dev;

/* A qaccel_run() waiter: the jobs it still waits for, the first error. */
struct qa_sync {
	unsigned int remaining;
	int err;
};

/* jobs.c: the CPU backend's worker pool and queues (all under lock). */
struct qa_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* workers wait for jobs */
	pthread_cond_t done;		/* reapers and drains wait for completions */
	pthread_t *threads;
	unsigned int nthreads;
	bool stop;
	struct qa_job *head, *tail;	/* queued, not started */
	struct qa_job *cur;		/* the job whose tiles are being handed out */
	atomic_uint gen;		/* bumped when work appears (idle workers poll it) */
	unsigned int outstanding;	/* queued or running */
	unsigned int inflight;		/* async jobs submitted, not reaped */
	struct qaccel_completion *cq;	/* QACCEL_QUEUE_DEPTH entries */
	unsigned int cq_head, cq_count;
};

struct qaccel_ctx {
	enum qaccel_backend_kind kind;
	enum qaccel_isa isa;
	unsigned int threads;
	int fd;
	struct qaccel_backend_info info;
	char reason[384];
	pthread_mutex_t buf_lock;
	struct qaccel_buffer *buffers;
	struct qa_pool *pool;		/* CPU backend */
	struct qa_dev *dev;		/* device backend */
};

int qa_pool_create(struct qaccel_ctx *ctx);
void qa_pool_destroy(struct qaccel_ctx *ctx);
void qa_buffers_release(struct qaccel_ctx *ctx);
/* Link a new buffer into ctx->buffers. */
void qa_buffer_link(struct qaccel_ctx *ctx, struct qaccel_buffer *b);

/*
 * jobs.c: validate one job against the context's limits and fill the
 * engine's description of it. 0, -EINVAL, -E2BIG, -EACCES or -EOPNOTSUPP.
 */
struct qa1e_gemm;
int qa_job_check(const struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jd,
		 struct qa1e_gemm *g);

/*
 * devjobs.c: the device backend's buffers, submission and completions.
 * qa_dev_create() takes the context's open fd and settles the submission
 * mode (mode is URING or IOCTL, already probed); qa_dev_destroy() waits
 * for every job, then frees the buffers and the ring (not the fd).
 */
int qa_dev_create(struct qaccel_ctx *ctx, enum qaccel_submit_mode mode,
		  char *why, size_t why_size);
void qa_dev_destroy(struct qaccel_ctx *ctx);
int qa_dev_buffer_alloc(struct qaccel_ctx *ctx, size_t size, unsigned int flags,
			struct qaccel_buffer **buf);
/* Release the BO of a buffer that no job uses (the struct is kept). */
void qa_dev_buffer_release(struct qaccel_buffer *b);
/* Collect completions the kernel already has, without waiting. */
void qa_dev_poll(struct qaccel_ctx *ctx);
int qa_dev_submit(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
		  unsigned int count, struct qa_sync *sync);
int qa_dev_run_wait(struct qaccel_ctx *ctx, struct qa_sync *sync);
int qa_dev_reap(struct qaccel_ctx *ctx, struct qaccel_completion *out, unsigned int max,
		unsigned int min_complete, int64_t timeout_ns);
int qa_dev_inflight(struct qaccel_ctx *ctx);
/*
 * Probe the device's job ioctls (0 or -EOPNOTSUPP) and its io_uring
 * command (0 when usable); both explain a failure in why.
 */
int qa_dev_probe_ioctls(int fd, char *why, size_t why_size);
int qa_dev_probe_uring(int fd, const struct qaccel_backend_info *info, char *why,
		       size_t why_size);

#endif /* QACCEL_INTERNAL_H */
