// SPDX-License-Identifier: MIT
/*
 * The asynchronous job API: buffers, batches, completions in order with
 * their user_data, polling and timeouts, queue depth, busy buffers,
 * all-or-nothing validation of every job field, qaccel_run() beside
 * asynchronous jobs, closing with jobs outstanding. Runs on the CPU
 * backend or, with QACCEL_TEST_BACKEND=device, on a device (testutil.h).
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <stdlib.h>

#include "qaccel_engine.h"
#include "tap.h"
#include "testutil.h"

static struct qaccel_ctx *ctx;
static struct qaccel_buffer *ab, *wb, *cb;

#define M 64
#define N 48
#define K 200

static void setup(void)
{
	struct rng r = { 1 };
	struct qaccel_pack_desc d;
	int8_t *w = malloc(N * K);
	size_t sz, i;

	if (open_test(&ctx, QACCEL_ISA_AUTO, 2))
		exit(1);
	qaccel_packed_size(N, K, &sz);
	qaccel_buffer_alloc(ctx, M * K, 0, &ab);
	qaccel_buffer_alloc(ctx, sz, QACCEL_BUFFER_DEVICE_READONLY, &wb);
	qaccel_buffer_alloc(ctx, 64 * M * N * 4, 0, &cb);
	for (i = 0; i < M * K; i++)
		((uint8_t *)qaccel_buffer_ptr(ab))[i] = (uint8_t)rng_u32(&r);
	for (i = 0; i < N * K; i++)
		w[i] = (int8_t)rng_u32(&r);
	memset(&d, 0, sizeof(d));
	d.n = N;
	d.k = K;
	d.layout = QACCEL_LAYOUT_KN;
	d.w_type = QACCEL_DTYPE_S8;
	d.weights = w;
	qaccel_pack_weights(&d, qaccel_buffer_ptr(wb), sz);
	free(w);
}

static struct qaccel_gemm_job base_job(unsigned int slot)
{
	struct qaccel_gemm_job j;

	memset(&j, 0, sizeof(j));
	j.a = ab;
	j.w = wb;
	j.c = cb;
	j.c_offset = (uint64_t)slot * M * N * 4;
	j.m = M;
	j.n = N;
	j.k = K;
	j.lda = K;
	j.ldc = N * 4;
	j.a_type = QACCEL_DTYPE_U8;
	j.out_type = QACCEL_DTYPE_S32;
	j.user_data = 1000 + slot;
	return j;
}

static void test_buffers(void)
{
	struct qaccel_backend_info info;
	struct qaccel_buffer *b = NULL, *b2 = NULL;
	char mem[100];
	uint64_t va, va2;
	bool dev = test_on_device();

	tap_ok(!qaccel_buffer_alloc(ctx, 100, 0, &b) && qaccel_buffer_size(b) == 100 &&
	       ((uintptr_t)qaccel_buffer_ptr(b) & 63) == 0 &&
	       ((uint8_t *)qaccel_buffer_ptr(b))[99] == 0, "buffer: alloc is 64-byte aligned and zeroed");
	qaccel_ctx_info(ctx, &info);
	qaccel_buffer_alloc(ctx, 5000, QACCEL_BUFFER_DEVICE_READONLY, &b2);
	va = qaccel_buffer_device_address(b);
	va2 = qaccel_buffer_device_address(b2);
	if (dev)
		tap_ok(va >= info.va_start && va + 100 <= info.va_end && va2 >= info.va_start &&
		       va2 + 5000 <= info.va_end && (va2 >= va + 100 || va >= va2 + 5000),
		       "buffer: device addresses inside [va_start, va_end), disjoint (0x%llx, 0x%llx)",
		       (unsigned long long)va, (unsigned long long)va2);
	else
		tap_ok(va == 0 && va2 == 0 && !qaccel_buffer_device_address(NULL),
		       "buffer: CPU buffers have no device address");
	tap_ok(!qaccel_buffer_free(b) && !qaccel_buffer_free(b2) && !qaccel_buffer_free(NULL),
	       "buffer: free");
	b = NULL;
	if (dev)
		tap_ok(qaccel_buffer_wrap(ctx, mem, sizeof(mem), &b) == -EOPNOTSUPP && !b,
		       "buffer: wrapping user memory is -EOPNOTSUPP on a device");
	else
		tap_ok(!qaccel_buffer_wrap(ctx, mem, sizeof(mem), &b) && qaccel_buffer_ptr(b) == mem,
		       "buffer: wrap user memory");
	qaccel_buffer_free(b);
	b = NULL;
	tap_ok(qaccel_buffer_alloc(NULL, 10, 0, &b) == -EINVAL &&
	       qaccel_buffer_alloc(ctx, 0, 0, &b) == -EINVAL &&
	       qaccel_buffer_alloc(ctx, 10, 0x10, &b) == -EINVAL &&
	       qaccel_buffer_alloc(ctx, 10, 0, NULL) == -EINVAL &&
	       qaccel_buffer_alloc(ctx, SIZE_MAX, 0, &b) == -EINVAL &&
	       qaccel_buffer_wrap(ctx, NULL, 10, &b) == -EINVAL &&
	       qaccel_buffer_wrap(ctx, mem, 0, &b) == -EINVAL && !b &&
	       !qaccel_buffer_ptr(NULL) && !qaccel_buffer_size(NULL),
	       "buffer: bad arguments rejected");
	if (dev && info.max_bo_size && info.max_bo_size < (SIZE_MAX >> 1))
		tap_ok(qaccel_buffer_alloc(ctx, info.max_bo_size + 1, 0, &b) == -E2BIG && !b,
		       "buffer: larger than the device's largest buffer is -E2BIG");
	else
		tap_skip("buffer: larger than the device's largest buffer",
			 "CPU buffers are limited by memory only");
}

static void test_async(void)
{
	struct qaccel_gemm_job jobs[16];
	struct qaccel_completion cpl[16];
	int32_t *ref = malloc(M * N * 4);
	int i, n, ok = 1;

	jobs[0] = base_job(0);
	tap_ok(!qaccel_run(ctx, jobs, 1), "run: one job");
	memcpy(ref, qaccel_buffer_ptr(cb), M * N * 4);
	memset(qaccel_buffer_ptr(cb), 0, M * N * 4);
	for (i = 0; i < 16; i++)
		jobs[i] = base_job((unsigned int)i);
	tap_ok(!qaccel_submit(ctx, jobs, 10) && !qaccel_submit(ctx, jobs + 10, 6),
	       "submit: two batches");
	tap_ok(qaccel_inflight(ctx) == 16, "inflight counts submitted, unreaped jobs");
	n = qaccel_reap(ctx, cpl, 16, 16, -1);
	tap_ok(n == 16, "reap: waited for all 16 (%d)", n);
	for (i = 0; i < 16 && n == 16; i++)
		if (cpl[i].user_data != 1000u + (unsigned int)i || cpl[i].result)
			ok = 0;
	tap_ok(ok, "completions in submission order with their user_data and result 0");
	ok = 1;
	for (i = 0; i < 16; i++)
		if (memcmp(ref, (uint8_t *)qaccel_buffer_ptr(cb) + (size_t)i * M * N * 4, M * N * 4))
			ok = 0;
	tap_ok(ok, "every job's output correct");
	tap_ok(qaccel_inflight(ctx) == 0 && qaccel_reap(ctx, cpl, 1, 0, 0) == 0,
	       "nothing left: poll returns 0");
	tap_ok(qaccel_reap(ctx, cpl, 1, 1, 0) == -EINVAL,
	       "reap: waiting for more than in flight is -EINVAL");

	qaccel_submit(ctx, jobs, 3);
	n = 0;
	while (n < 3) {
		int got = qaccel_reap(ctx, cpl + n, 1, 1, 1000000000);

		if (got < 0)
			break;
		n += got;
	}
	tap_ok(n == 3, "reap one at a time with a timeout");
	qaccel_submit(ctx, jobs, 2);
	tap_ok(!qaccel_run(ctx, jobs + 2, 1) && qaccel_inflight(ctx) == 2 &&
	       qaccel_reap(ctx, cpl, 16, 2, -1) == 2 && cpl[0].user_data == 1000 &&
	       cpl[1].user_data == 1001,
	       "run beside async jobs posts no completion of its own");
	free(ref);
}

static void test_depth_and_busy(void)
{
	struct qaccel_gemm_job *jobs = calloc(QACCEL_QUEUE_DEPTH + 1, sizeof(*jobs));
	struct qaccel_completion *cpl = calloc(QACCEL_QUEUE_DEPTH, sizeof(*cpl));
	struct qaccel_gemm_job big;
	int i, n = 0, got;

	for (i = 0; i <= QACCEL_QUEUE_DEPTH; i++) {
		jobs[i] = base_job(0);
		jobs[i].m = 1;
		jobs[i].user_data = (uint64_t)i;
	}
	tap_ok(qaccel_submit(ctx, jobs, QACCEL_QUEUE_DEPTH + 1) == -EINVAL,
	       "submit: more than QACCEL_QUEUE_DEPTH in one batch is -EINVAL");
	tap_ok(!qaccel_submit(ctx, jobs, QACCEL_QUEUE_DEPTH - 1) &&
	       qaccel_submit(ctx, jobs, 2) == -EAGAIN &&
	       qaccel_inflight(ctx) == QACCEL_QUEUE_DEPTH - 1,
	       "submit: -EAGAIN when the queue would exceed its depth, nothing queued");
	while (n < QACCEL_QUEUE_DEPTH - 1) {
		got = qaccel_reap(ctx, cpl + n, QACCEL_QUEUE_DEPTH, 1, -1);
		if (got <= 0)
			break;
		n += got;
	}
	tap_ok(n == QACCEL_QUEUE_DEPTH - 1 && cpl[n - 1].user_data == (uint64_t)n - 1,
	       "all %d reaped in order", n);

	{
		/*
		 * A job of about 4 G multiply-adds keeps its buffers busy for a
		 * while (on a device, whose engine may be emulated, 128 M: the
		 * library keeps a buffer busy until it has seen the completion).
		 */
		struct qaccel_buffer *a2, *w2, *c2;
		uint32_t bm = test_on_device() ? 256 : 1024, bk = test_on_device() ? 2048 : 4096;
		size_t sz;
		int err;

		qaccel_packed_size(bm, bk, &sz);
		qaccel_buffer_alloc(ctx, (size_t)bm * bk, 0, &a2);
		qaccel_buffer_alloc(ctx, sz, 0, &w2);
		qaccel_buffer_alloc(ctx, (size_t)bm * bm * 4, 0, &c2);
		big = base_job(0);
		big.a = a2;
		big.w = w2;
		big.c = c2;
		big.m = bm;
		big.n = bm;
		big.k = bk;
		big.lda = bk;
		big.ldc = bm * 4;
		qaccel_submit(ctx, &big, 1);
		err = qaccel_buffer_free(a2);
		tap_ok(err == -EBUSY, "buffer_free on a buffer in use is -EBUSY");
		tap_ok(qaccel_reap(ctx, cpl, 8, 1, -1) == 1 && (err == 0 || !qaccel_buffer_free(a2)),
		       "reaped, then the buffer can be freed");
		qaccel_buffer_free(w2);
		qaccel_buffer_free(c2);
	}
	free(jobs);
	free(cpl);
}

static void test_validation(void)
{
	struct qaccel_backend_info info;
	struct qaccel_ctx *other;
	struct qaccel_buffer *ob, *small, *ro;
	struct qaccel_gemm_job j, batch[3];
	int ok = 1;

	open_cpu(&other, QACCEL_ISA_SCALAR, 1);
	qaccel_buffer_alloc(other, 1 << 20, 0, &ob);
	qaccel_buffer_alloc(ctx, 100, 0, &small);
	qaccel_buffer_alloc(ctx, 64 * M * N * 4, QACCEL_BUFFER_DEVICE_READONLY, &ro);
	qaccel_ctx_info(ctx, &info);

#define BAD(err, what, stmt) do {						\
		j = base_job(0);						\
		stmt;								\
		if (qaccel_submit(ctx, &j, 1) != (err)) {			\
			tap_diag("job with %s not rejected", what);		\
			ok = 0;							\
		}								\
	} while (0)
	BAD(-EINVAL, "NULL A", j.a = NULL);
	BAD(-EINVAL, "NULL W", j.w = NULL);
	BAD(-EINVAL, "NULL C", j.c = NULL);
	BAD(-EINVAL, "another context's buffer", j.c = ob);
	BAD(-EINVAL, "m = 0", j.m = 0);
	BAD(-EINVAL, "n = 0", j.n = 0);
	BAD(-EINVAL, "k = 0", j.k = 0);
	BAD(-E2BIG, "m above the limit", j.m = (1u << 24) + 1);
	BAD(-EINVAL, "lda < k", j.lda = K - 1);
	BAD(-EINVAL, "ldc too small", j.ldc = N * 4 - 1);
	BAD(-EINVAL, "bad a_type", j.a_type = QACCEL_DTYPE_F32);
	BAD(-EINVAL, "bad out_type", j.out_type = (enum qaccel_dtype)0);
	BAD(-EINVAL, "a_zp out of u8", j.a_zp = 256);
	BAD(-EINVAL, "a_zp out of s8", j.a_type = QACCEL_DTYPE_S8; j.a_zp = 128);
	BAD(-EINVAL, "s32 with out_zp", j.out_zp = 1);
	BAD(-EINVAL, "s32 with act_max", j.act_max = 1);
	BAD(-EINVAL, "u8 out_zp 256", j.out_type = QACCEL_DTYPE_U8; j.ldc = N; j.out_zp = 256;
	    j.act_max = 255);
	BAD(-EINVAL, "s8 act_min > act_max", j.out_type = QACCEL_DTYPE_S8; j.ldc = N;
	    j.act_min = 5; j.act_max = 4);
	BAD(-EINVAL, "act_max out of s8", j.out_type = QACCEL_DTYPE_S8; j.ldc = N;
	    j.act_max = 128);
	BAD(-EINVAL, "flags", j.flags = 1);
	BAD(-EINVAL, "reserved", j.reserved[4] = 1);
	BAD(-EINVAL, "A past its buffer", j.a_offset = 1);
	BAD(-EINVAL, "A offset overflow", j.a_offset = UINT64_MAX);
	BAD(-EINVAL, "W too small", j.w = small);
	BAD(-EINVAL, "C past its buffer", j.c_offset = 64ull * M * N * 4 - 10);
	BAD(-EINVAL, "C overlapping A", j.c = ab; j.c_offset = 0; j.m = 1; j.ldc = N * 4);
	BAD(-EINVAL, "C overlapping W", j.c = wb; j.m = 1);
	BAD(-EACCES, "C in a device read-only buffer", j.c = ro; j.c_offset = 0);
	BAD(-E2BIG, "k above the backend's limit", j.k = info.max_k + 1; j.lda = j.k);
#undef BAD
	tap_ok(ok, "29 kinds of invalid job rejected with the documented errors");
	tap_ok(qaccel_inflight(ctx) == 0, "nothing queued by rejected jobs");
	batch[0] = base_job(0);
	batch[1] = base_job(1);
	batch[2] = base_job(2);
	batch[2].lda = 1;
	tap_ok(qaccel_submit(ctx, batch, 3) == -EINVAL && qaccel_inflight(ctx) == 0,
	       "a batch with one invalid job queues nothing");
	tap_ok(qaccel_submit(NULL, batch, 1) == -EINVAL && qaccel_submit(ctx, NULL, 1) == -EINVAL &&
	       qaccel_submit(ctx, batch, 0) == -EINVAL && qaccel_run(ctx, batch + 2, 1) == -EINVAL &&
	       qaccel_reap(NULL, NULL, 1, 0, 0) == -EINVAL && qaccel_inflight(NULL) == -EINVAL,
	       "NULL context / jobs / zero count rejected");
	qaccel_buffer_free(small);
	qaccel_buffer_free(ro);
	qaccel_close(other);
}

static void test_close_outstanding(void)
{
	struct qaccel_gemm_job jobs[4];
	int i;

	for (i = 0; i < 4; i++)
		jobs[i] = base_job((unsigned int)i);
	tap_ok(!qaccel_submit(ctx, jobs, 4), "submit and close without reaping");
	qaccel_close(ctx);	/* waits for the jobs, frees the buffers */
	tap_ok(1, "close with outstanding jobs and live buffers returns");
}

int main(void)
{
	test_backend_gate("test_jobs");
	tap_plan(6 + 10 + 5 + 4 + 2);
	setup();
	test_buffers();
	test_async();
	test_depth_and_busy();
	test_validation();
	test_close_outstanding();
	return tap_done();
}
