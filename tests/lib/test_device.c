// SPDX-License-Identifier: MIT
/*
 * The device backend (QACCEL_TEST_BACKEND=device): submission mode choice
 * and its queries, batches split and reaped in order, jobs that depend on
 * earlier jobs of the same batch, several threads submitting and reaping
 * at once, read-only buffers. Linked with the fake device (fakedev.h) it
 * also checks what the library asks of the kernel: SUBMITs within
 * MAX_JOBS and batched, the JOB_WAIT history never overrun, no request a
 * driver would refuse, every BO closed; and how kernel failures come back:
 * a failing submission's status on each of its jobs, a refused first part
 * of a batch (nothing queued), a refused later part (its jobs complete with
 * the error), a driver without the job ioctls, io_uring asked of a driver
 * without it; and, in the sanitizer build (whose library has test hooks),
 * the io_uring plumbing against /dev/null, which completes every command
 * at once with 0: batches larger than the ring, order, several threads,
 * qaccel_run(), closing with jobs in flight. Without a device the program
 * is one skip.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fakedev.h"
#include "qaccel_engine.h"
#include "tap.h"
#include "testutil.h"

/* Present only when the fake device is linked in. */
extern void fakedev_defaults(struct fakedev_cfg *cfg) __attribute__((weak));
extern void fakedev_configure(const struct fakedev_cfg *cfg) __attribute__((weak));
extern void fakedev_get_stats(struct fakedev_stats *st) __attribute__((weak));

#define K 40
#define N 24
#define ROWS 64
#define SLOT (5 * N)		/* bytes of C per job: up to 5 rows of N s8 */

static bool have_fake(void)
{
	return fakedev_get_stats != NULL;
}

struct fixture {
	struct qaccel_ctx *ctx;
	struct qaccel_buffer *a, *w, *c;
	unsigned int slots;
};

/* A: ROWS x K u8; W: N x K s8 packed with requantization; C: slots. */
static int fixture_init(struct fixture *fx, struct qaccel_ctx *ctx, unsigned int slots)
{
	struct rng r = { 99 };
	struct qaccel_pack_desc d;
	int8_t w[K * N];
	int32_t mult[N], shift[N], bias[N];
	size_t sz;
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->ctx = ctx;
	fx->slots = slots;
	qaccel_packed_size(N, K, &sz);
	if (qaccel_buffer_alloc(ctx, ROWS * K, 0, &fx->a) ||
	    qaccel_buffer_alloc(ctx, sz, QACCEL_BUFFER_DEVICE_READONLY, &fx->w) ||
	    qaccel_buffer_alloc(ctx, (size_t)slots * SLOT, 0, &fx->c))
		return -1;
	for (i = 0; i < ROWS * K; i++)
		((uint8_t *)qaccel_buffer_ptr(fx->a))[i] = (uint8_t)rng_u32(&r);
	for (i = 0; i < K * N; i++)
		w[i] = (int8_t)rng_u32(&r);
	for (i = 0; i < N; i++) {
		qaccel_requant_params(0.0005 * (1 + i % 7), &mult[i], &shift[i]);
		bias[i] = (int32_t)rng_range(&r, -3000, 3000);
	}
	memset(&d, 0, sizeof(d));
	d.n = N;
	d.k = K;
	d.layout = QACCEL_LAYOUT_KN;
	d.w_type = QACCEL_DTYPE_S8;
	d.weights = w;
	d.bias_s32 = bias;
	d.mult = mult;
	d.shift = shift;
	return qaccel_pack_weights(&d, qaccel_buffer_ptr(fx->w), sz) ? -1 : 0;
}

static void fixture_fini(struct fixture *fx)
{
	qaccel_buffer_free(fx->a);
	qaccel_buffer_free(fx->w);
	qaccel_buffer_free(fx->c);
}

static struct qaccel_gemm_job fixture_job(const struct fixture *fx, unsigned int i,
					  unsigned int slot, uint64_t user_data)
{
	struct qaccel_gemm_job j;

	memset(&j, 0, sizeof(j));
	j.a = fx->a;
	j.a_offset = (uint64_t)(i % 13) * K;
	j.w = fx->w;
	j.c = fx->c;
	j.c_offset = (uint64_t)slot * SLOT;
	j.m = 1 + i % 5;
	j.n = N;
	j.k = K;
	j.lda = K;
	j.ldc = N;
	j.a_type = QACCEL_DTYPE_U8;
	j.out_type = QACCEL_DTYPE_S8;
	j.a_zp = 7;
	j.out_zp = -3;
	j.act_min = -100;
	j.act_max = 120;
	j.user_data = user_data;
	return j;
}

/* The reference engine on the job's operands: 0 when C matches. */
static int check_job(const struct qaccel_gemm_job *j)
{
	struct qa1e_gemm g;
	uint8_t ref[SLOT];

	memset(&g, 0, sizeof(g));
	g.m = j->m;
	g.n = j->n;
	g.k = j->k;
	g.lda = j->lda;
	g.ldc = j->ldc;
	g.out_type = QA1E_OUT_S8;
	g.a_zp = j->a_zp;
	g.out_zp = j->out_zp;
	g.act_min = j->act_min;
	g.act_max = j->act_max;
	qa1e_gemm(&g, (const uint8_t *)qaccel_buffer_ptr(j->a) + j->a_offset,
		  qaccel_buffer_ptr(j->w), ref);
	return memcmp(ref, (const uint8_t *)qaccel_buffer_ptr(j->c) + j->c_offset,
		      (size_t)j->m * N);
}

static int open_mode(struct qaccel_ctx **ctx, enum qaccel_submit_mode mode, char *errbuf,
		     size_t errbuf_size)
{
	struct qaccel_open_opts o;

	memset(&o, 0, sizeof(o));
	o.backend = QACCEL_BACKEND_DEVICE;
	o.submit = mode;
	o.errbuf = errbuf;
	o.errbuf_size = errbuf_size;
	return qaccel_open(ctx, &o);
}

/* 9 tests */
static void test_modes(struct qaccel_ctx *ctx)
{
	struct qaccel_backend_info info, list[16];
	struct qaccel_open_opts o;
	struct qaccel_ctx *c2 = NULL;
	unsigned int n = 0, i;
	bool uring = false, found = false;
	enum qaccel_submit_mode mode = qaccel_ctx_submit_mode(ctx);
	char buf[256] = "";
	int err;

	qaccel_ctx_info(ctx, &info);
	tap_ok(qaccel_ctx_backend(ctx) == QACCEL_BACKEND_DEVICE &&
	       (mode == QACCEL_SUBMIT_URING || mode == QACCEL_SUBMIT_IOCTL) &&
	       info.submit_mode == mode && (info.submit_modes & (1u << QACCEL_SUBMIT_IOCTL)) &&
	       (info.submit_modes & (1u << mode)) && strstr(qaccel_ctx_reason(ctx), "submission"),
	       "mode: the context says how it submits (%s, modes 0x%x)",
	       qaccel_submit_mode_name(mode), info.submit_modes);

	qaccel_list_backends(list, 16, &n);
	for (i = 1; i < n && i < 16; i++) {
		if (strcmp(list[i].path, info.path))
			continue;
		found = true;
		uring = list[i].submit_modes & (1u << QACCEL_SUBMIT_URING);
		tap_ok(!list[i].status && (list[i].submit_modes & (1u << QACCEL_SUBMIT_IOCTL)) &&
		       list[i].submit_mode == (uring ? QACCEL_SUBMIT_URING : QACCEL_SUBMIT_IOCTL),
		       "mode: listed with its modes (0x%x) and the one auto picks (%s)",
		       list[i].submit_modes, qaccel_submit_mode_name(list[i].submit_mode));
	}
	if (!found) {
		/* QACCEL_DEVICE names a node discovery does not walk (the fake) */
		struct qaccel_ctx *c3 = NULL;

		uring = !open_mode(&c3, QACCEL_SUBMIT_URING, NULL, 0);
		qaccel_close(c3);
		tap_skip("mode: listed with its modes", "the device is not among the listed nodes");
	}

	{
		/* What auto picks by itself: QACCEL_SUBMIT (set by the VM's
		 * ioctl and uring runs) would decide otherwise. */
		char *saved = getenv("QACCEL_SUBMIT") ? strdup(getenv("QACCEL_SUBMIT")) : NULL;

		unsetenv("QACCEL_SUBMIT");
		err = open_mode(&c2, QACCEL_SUBMIT_AUTO, NULL, 0);
		if (saved)
			setenv("QACCEL_SUBMIT", saved, 1);
		free(saved);
	}
	tap_ok(!err && qaccel_ctx_submit_mode(c2) == (uring ? QACCEL_SUBMIT_URING : QACCEL_SUBMIT_IOCTL),
	       "mode: auto picks %s", uring ? "io_uring" : "the ioctl");
	qaccel_close(c2);
	c2 = NULL;
	err = open_mode(&c2, QACCEL_SUBMIT_IOCTL, NULL, 0);
	tap_ok(!err && qaccel_ctx_submit_mode(c2) == QACCEL_SUBMIT_IOCTL &&
	       strstr(qaccel_ctx_reason(c2), "submission ioctl requested"),
	       "mode: the ioctl on request");
	qaccel_close(c2);
	c2 = NULL;
	err = open_mode(&c2, QACCEL_SUBMIT_URING, buf, sizeof(buf));
	if (uring)
		tap_ok(!err && qaccel_ctx_submit_mode(c2) == QACCEL_SUBMIT_URING,
		       "mode: io_uring on request");
	else
		tap_ok(err == -EOPNOTSUPP && !c2 && strstr(buf, "io_uring"),
		       "mode: io_uring requested from a driver without it fails (%s)", buf);
	qaccel_close(c2);
	c2 = NULL;

	memset(&o, 0, sizeof(o));
	o.backend = QACCEL_BACKEND_DEVICE;
	o.submit = (enum qaccel_submit_mode)7;
	err = qaccel_open(&c2, &o);
	o.submit = QACCEL_SUBMIT_AUTO;
	o.pad = 1;
	tap_ok(err == -EINVAL && qaccel_open(&c2, &o) == -EINVAL && !c2,
	       "mode: unknown mode or non-zero pad is -EINVAL");
	{
		char *saved = getenv("QACCEL_SUBMIT") ? strdup(getenv("QACCEL_SUBMIT")) : NULL;

		setenv("QACCEL_SUBMIT", "uring2", 1);
		err = open_mode(&c2, QACCEL_SUBMIT_AUTO, buf, sizeof(buf));
		tap_ok(err == -EINVAL && !c2 && strstr(buf, "QACCEL_SUBMIT"),
		       "mode: QACCEL_SUBMIT=uring2 is -EINVAL (%s)", buf);
		setenv("QACCEL_SUBMIT", "ioctl", 1);
		err = open_mode(&c2, QACCEL_SUBMIT_AUTO, NULL, 0);
		tap_ok(!err && qaccel_ctx_submit_mode(c2) == QACCEL_SUBMIT_IOCTL &&
		       strstr(qaccel_ctx_reason(c2), "QACCEL_SUBMIT"),
		       "mode: QACCEL_SUBMIT=ioctl is honoured and named");
		qaccel_close(c2);
		c2 = NULL;
		if (saved)
			setenv("QACCEL_SUBMIT", saved, 1);
		else
			unsetenv("QACCEL_SUBMIT");
		free(saved);
	}
	open_cpu(&c2, QACCEL_ISA_SCALAR, 1);
	tap_ok(qaccel_ctx_submit_mode(c2) == QACCEL_SUBMIT_AUTO &&
	       qaccel_ctx_submit_mode(NULL) == QACCEL_SUBMIT_AUTO &&
	       !strcmp(qaccel_submit_mode_name(QACCEL_SUBMIT_URING), "uring") &&
	       !strcmp(qaccel_submit_mode_name(QACCEL_SUBMIT_IOCTL), "ioctl") &&
	       !qaccel_submit_mode_name((enum qaccel_submit_mode)9),
	       "mode: CPU contexts and NULL answer auto; mode names");
	qaccel_close(c2);
}

/* 4 tests: 300 jobs in batches of 1, 7, 64 and 228, reaped as they come. */
static void test_batches(struct qaccel_ctx *ctx)
{
	static const unsigned int sizes[] = { 1, 7, 64, 228 };
	struct qaccel_gemm_job *jobs = calloc(300, sizeof(*jobs));
	struct qaccel_completion *cpl = calloc(300, sizeof(*cpl));
	struct fixture fx;
	unsigned int b, i, got = 0, bad = 0, order = 1, first = 0;
	int err = 0, n;

	if (fixture_init(&fx, ctx, 300)) {
		tap_ok(0, "batches: setup");
		tap_ok(0, "batches: completions");
		tap_ok(0, "batches: order");
		tap_ok(0, "batches: results");
		return;
	}
	memset(qaccel_buffer_ptr(fx.c), 0x5a, 300 * SLOT);
	for (i = 0; i < 300; i++)
		jobs[i] = fixture_job(&fx, i, i, 0x1000 + i);
	for (b = 0; b < 4 && !err; b++) {
		err = qaccel_submit(ctx, jobs + first, sizes[b]);
		first += sizes[b];
		n = qaccel_reap(ctx, cpl + got, 300 - got, 0, 0);
		if (n > 0)
			got += (unsigned int)n;
	}
	tap_ok(!err && first == 300, "batches: 300 jobs submitted in 4 batches");
	while (got < 300) {
		n = qaccel_reap(ctx, cpl + got, 300 - got, 1, 20ll * 1000000000);
		if (n <= 0)
			break;
		got += (unsigned int)n;
	}
	tap_ok(got == 300 && qaccel_inflight(ctx) == 0, "batches: 300 completions (%u)", got);
	for (i = 0; i < got; i++) {
		if (cpl[i].user_data != 0x1000u + i)
			order = 0;
		if (cpl[i].result)
			bad++;
	}
	tap_ok(order && !bad, "batches: completions in submission order, all successful");
	bad = 0;
	for (i = 0; i < 300; i++) {
		const uint8_t *c = (const uint8_t *)qaccel_buffer_ptr(fx.c) + (size_t)i * SLOT;
		unsigned int k;

		if (check_job(&jobs[i]))
			bad++;
		for (k = jobs[i].m * N; k < SLOT; k++)
			if (c[k] != 0x5a)
				bad++;
	}
	tap_ok(!bad, "batches: every result bit-exact, nothing written past C");
	fixture_fini(&fx);
	free(jobs);
	free(cpl);
}

/* 2 tests: job 2 of a chain reads job 1's output, all chains in one batch. */
static void test_chain(struct qaccel_ctx *ctx)
{
	enum { M = 4, K1 = 32, N1 = 48, N2 = 16, CHAINS = 10 };
	struct qaccel_buffer *a, *w1, *w2, *mid, *out;
	struct qaccel_gemm_job jobs[2 * CHAINS];
	struct qaccel_pack_desc d;
	struct rng r = { 5 };
	int8_t wt[N1 * N1];
	int32_t mult[N1], shift[N1];
	size_t s1, s2;
	int i, err, bad = 0;

	qaccel_packed_size(N1, K1, &s1);
	qaccel_packed_size(N2, N1, &s2);
	if (qaccel_buffer_alloc(ctx, CHAINS * M * K1, 0, &a) ||
	    qaccel_buffer_alloc(ctx, s1, QACCEL_BUFFER_DEVICE_READONLY, &w1) ||
	    qaccel_buffer_alloc(ctx, s2, QACCEL_BUFFER_DEVICE_READONLY, &w2) ||
	    qaccel_buffer_alloc(ctx, CHAINS * M * N1, 0, &mid) ||
	    qaccel_buffer_alloc(ctx, CHAINS * M * N2 * 4, 0, &out)) {
		tap_ok(0, "chain: setup");
		tap_ok(0, "chain: results");
		return;
	}
	for (i = 0; i < CHAINS * M * K1; i++)
		((uint8_t *)qaccel_buffer_ptr(a))[i] = (uint8_t)rng_u32(&r);
	for (i = 0; i < N1 * N1; i++)
		wt[i] = (int8_t)rng_u32(&r);
	for (i = 0; i < N1; i++)
		qaccel_requant_params(0.002, &mult[i], &shift[i]);
	memset(&d, 0, sizeof(d));
	d.layout = QACCEL_LAYOUT_KN;
	d.w_type = QACCEL_DTYPE_S8;
	d.weights = wt;
	d.n = N1;
	d.k = K1;
	d.mult = mult;
	d.shift = shift;
	qaccel_pack_weights(&d, qaccel_buffer_ptr(w1), s1);
	d.n = N2;
	d.k = N1;
	d.mult = NULL;
	d.shift = NULL;
	qaccel_pack_weights(&d, qaccel_buffer_ptr(w2), s2);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < CHAINS; i++) {
		struct qaccel_gemm_job *j1 = &jobs[2 * i], *j2 = &jobs[2 * i + 1];

		j1->a = a;
		j1->a_offset = (uint64_t)i * M * K1;
		j1->w = w1;
		j1->c = mid;
		j1->c_offset = (uint64_t)i * M * N1;
		j1->m = M;
		j1->n = N1;
		j1->k = K1;
		j1->lda = K1;
		j1->ldc = N1;
		j1->a_type = QACCEL_DTYPE_U8;
		j1->out_type = QACCEL_DTYPE_U8;
		j1->a_zp = 100;
		j1->out_zp = 128;
		j1->act_max = 255;
		j2->a = mid;
		j2->a_offset = j1->c_offset;
		j2->w = w2;
		j2->c = out;
		j2->c_offset = (uint64_t)i * M * N2 * 4;
		j2->m = M;
		j2->n = N2;
		j2->k = N1;
		j2->lda = N1;
		j2->ldc = N2 * 4;
		j2->a_type = QACCEL_DTYPE_U8;
		j2->out_type = QACCEL_DTYPE_S32;
		j2->a_zp = 128;
	}
	err = qaccel_run(ctx, jobs, 2 * CHAINS);
	tap_ok(!err, "chain: %d dependent jobs in one batch run", 2 * CHAINS);
	for (i = 0; i < CHAINS; i++) {
		struct qa1e_gemm g1, g2;
		uint8_t m1[M * N1];
		int32_t ref[M * N2];

		memset(&g1, 0, sizeof(g1));
		g1.m = M;
		g1.n = N1;
		g1.k = K1;
		g1.lda = K1;
		g1.ldc = N1;
		g1.out_type = QA1E_OUT_U8;
		g1.a_zp = 100;
		g1.out_zp = 128;
		g1.act_max = 255;
		g2 = g1;
		g2.n = N2;
		g2.k = N1;
		g2.lda = N1;
		g2.ldc = N2 * 4;
		g2.out_type = QA1E_OUT_S32;
		g2.a_zp = 128;
		g2.out_zp = 0;
		g2.act_max = 0;
		qa1e_gemm(&g1, (const uint8_t *)qaccel_buffer_ptr(a) + (size_t)i * M * K1,
			  qaccel_buffer_ptr(w1), m1);
		qa1e_gemm(&g2, m1, qaccel_buffer_ptr(w2), (uint8_t *)ref);
		if (memcmp(ref, (const uint8_t *)qaccel_buffer_ptr(out) + (size_t)i * M * N2 * 4,
			   sizeof(ref)))
			bad++;
	}
	tap_ok(!err && !bad, "chain: every second job saw its first job's output (%d bad)", bad);
	qaccel_buffer_free(a);
	qaccel_buffer_free(w1);
	qaccel_buffer_free(w2);
	qaccel_buffer_free(mid);
	qaccel_buffer_free(out);
}

/* ---- several threads on one context ---- */

#define THREADS 3
#define ROUNDS 20
#define PER 5

struct mt {
	struct qaccel_ctx *ctx;
	struct fixture *fx;
	pthread_mutex_t lock;
	uint64_t seen[THREADS * ROUNDS * PER + 16];
	unsigned int nseen;
	int errors;
};

struct mt_arg {
	struct mt *mt;
	unsigned int tid;
};

static void mt_record(struct mt *mt, const struct qaccel_completion *c, int n)
{
	int i;

	pthread_mutex_lock(&mt->lock);
	for (i = 0; i < n; i++) {
		if (c[i].result)
			mt->errors++;
		if (mt->nseen < sizeof(mt->seen) / sizeof(mt->seen[0]))
			mt->seen[mt->nseen] = c[i].user_data;
		mt->nseen++;
	}
	pthread_mutex_unlock(&mt->lock);
}

static void *mt_thread(void *p)
{
	struct mt_arg *arg = p;
	struct mt *mt = arg->mt;
	struct qaccel_completion c[8];
	unsigned int r, i;

	for (r = 0; r < ROUNDS; r++) {
		struct qaccel_gemm_job jobs[PER];
		int n;

		for (i = 0; i < PER; i++) {
			unsigned int id = (arg->tid * ROUNDS + r) * PER + i;

			jobs[i] = fixture_job(mt->fx, id, id, id);
		}
		if (qaccel_submit(mt->ctx, jobs, PER)) {
			pthread_mutex_lock(&mt->lock);
			mt->errors++;
			pthread_mutex_unlock(&mt->lock);
			continue;
		}
		if (arg->tid == 0) {
			struct qaccel_gemm_job sync = fixture_job(mt->fx, r, THREADS * ROUNDS * PER + (r % 4), UINT64_MAX);

			if (qaccel_run(mt->ctx, &sync, 1)) {
				pthread_mutex_lock(&mt->lock);
				mt->errors++;
				pthread_mutex_unlock(&mt->lock);
			}
		}
		/* Someone else may reap ours: a short timeout, never a hang. */
		n = qaccel_reap(mt->ctx, c, 8, 1, 100000000);
		if (n > 0)
			mt_record(mt, c, n);
	}
	return NULL;
}

/* 2 tests */
static void test_threads(struct qaccel_ctx *ctx)
{
	struct fixture fx;
	struct mt mt;
	struct mt_arg args[THREADS];
	pthread_t th[THREADS];
	struct qaccel_completion c[64];
	unsigned int i, dup = 0, bad = 0, total = THREADS * ROUNDS * PER;
	uint8_t *seen;
	int n;

	memset(&mt, 0, sizeof(mt));
	if (fixture_init(&fx, ctx, total + 4)) {
		tap_ok(0, "threads: setup");
		tap_ok(0, "threads: results");
		return;
	}
	pthread_mutex_init(&mt.lock, NULL);
	mt.ctx = ctx;
	mt.fx = &fx;
	for (i = 0; i < THREADS; i++) {
		args[i].mt = &mt;
		args[i].tid = i;
		pthread_create(&th[i], NULL, mt_thread, &args[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	while ((n = qaccel_inflight(ctx)) > 0) {
		n = qaccel_reap(ctx, c, 64, 1, 20ll * 1000000000);
		if (n <= 0)
			break;
		mt_record(&mt, c, n);
	}
	seen = calloc(total, 1);
	for (i = 0; i < mt.nseen && i < total + 16; i++) {
		if (mt.seen[i] >= total || seen[mt.seen[i]]++)
			dup++;
	}
	tap_ok(mt.nseen == total && !dup && !mt.errors,
	       "threads: %u threads submitting, running and reaping: %u completions, each once, no error",
	       THREADS, mt.nseen);
	for (i = 0; i < total; i++) {
		struct qaccel_gemm_job j = fixture_job(&fx, i, i, i);

		if (check_job(&j))
			bad++;
	}
	tap_ok(!bad, "threads: every result bit-exact (%u bad)", bad);
	free(seen);
	pthread_mutex_destroy(&mt.lock);
	fixture_fini(&fx);
}

/* ---- with the fake device only ---- */

static struct fakedev_cfg fake_cfg(void)
{
	struct fakedev_cfg c;

	fakedev_defaults(&c);
	return c;
}

/* 2 tests: what the library asked of the kernel so far. */
static void test_fake_requests(void)
{
	struct fakedev_stats st;

	fakedev_get_stats(&st);
	tap_ok(st.submits > 0 && st.max_batch > 1 && st.max_batch <= 5,
	       "fake: jobs batched, at most MAX_JOBS (5) per SUBMIT (%llu SUBMITs, largest %u)",
	       (unsigned long long)st.submits, st.max_batch);
	tap_ok(!st.violations && !st.enodata,
	       "fake: no request a driver refuses, JOB_WAIT history never overrun%s%s",
	       st.violations ? ": " : "", st.last_violation);
}

/* 6 tests */
static void test_fake_failures(void)
{
	struct fakedev_cfg cfg = fake_cfg();
	struct qaccel_completion c[16];
	struct qaccel_gemm_job jobs[12];
	struct qaccel_ctx *ctx = NULL;
	struct fixture fx;
	char buf[256] = "";
	unsigned int i;
	int err, n, ok;

	fakedev_configure(&cfg);
	if (open_mode(&ctx, QACCEL_SUBMIT_IOCTL, NULL, 0) || fixture_init(&fx, ctx, 12)) {
		for (i = 0; i < 4; i++)
			tap_ok(0, "fake: setup");
		qaccel_close(ctx);
		return;
	}
	for (i = 0; i < 12; i++)
		jobs[i] = fixture_job(&fx, i, i, 500 + i);

	cfg.fail_status_call = 1;
	cfg.fail_status = -EIO;
	fakedev_configure(&cfg);
	err = qaccel_submit(ctx, jobs, 3);
	n = qaccel_reap(ctx, c, 16, 3, 10ll * 1000000000);
	tap_ok(!err && n == 3 && c[0].result == -EIO && c[1].result == -EIO && c[2].result == -EIO &&
	       c[0].user_data == 500, "fake: a faulting submission's status on each of its jobs");

	cfg = fake_cfg();
	cfg.fail_submit_call = 1;
	cfg.fail_submit_err = -ENOMEM;
	fakedev_configure(&cfg);
	err = qaccel_submit(ctx, jobs, 12);
	tap_ok(err == -ENOMEM && qaccel_inflight(ctx) == 0 && qaccel_reap(ctx, c, 16, 0, 0) == 0,
	       "fake: the kernel refusing a batch's first part queues nothing (%d)", err);

	cfg = fake_cfg();
	cfg.fail_submit_call = 2;
	cfg.fail_submit_err = -ENOMEM;
	fakedev_configure(&cfg);
	err = qaccel_submit(ctx, jobs, 12);
	n = qaccel_reap(ctx, c, 16, 12, 10ll * 1000000000);
	ok = !err && n == 12;
	for (i = 0; ok && i < 12; i++)
		ok = c[i].user_data == 500 + i && c[i].result == (i < 5 ? 0 : -ENOMEM);
	tap_ok(ok, "fake: a refused later part: its jobs and the rest complete with the error, in order");
	cfg = fake_cfg();
	fakedev_configure(&cfg);
	fixture_fini(&fx);
	qaccel_close(ctx);
	ctx = NULL;

	cfg.no_job_ioctls = 1;
	fakedev_configure(&cfg);
	err = open_mode(&ctx, QACCEL_SUBMIT_AUTO, buf, sizeof(buf));
	tap_ok(err == -EOPNOTSUPP && !ctx && strstr(buf, "cannot run jobs"),
	       "fake: a driver without the job ioctls cannot be opened (%s)", buf);

	cfg = fake_cfg();
	cfg.history = 0;		/* not answered: the library assumes a small one */
	cfg.max_jobs = 2;
	fakedev_configure(&cfg);
	ok = !open_mode(&ctx, QACCEL_SUBMIT_AUTO, NULL, 0) && !fixture_init(&fx, ctx, 12);
	if (ok) {
		struct fakedev_stats st;

		for (i = 0; i < 12; i++)
			jobs[i] = fixture_job(&fx, i, i, 0);
		ok = !qaccel_run(ctx, jobs, 12);
		for (i = 0; ok && i < 12; i++) {
			struct qaccel_gemm_job j = fixture_job(&fx, i, i, 0);

			ok = !check_job(&j);
		}
		fixture_fini(&fx);
		fakedev_get_stats(&st);
		ok = ok && !st.enodata && !st.violations;
	}
	qaccel_close(ctx);
	ctx = NULL;
	tap_ok(ok, "fake: no JOB_HISTORY answer and MAX_JOBS 2: still exact, nothing lost");

	cfg = fake_cfg();
	fakedev_configure(&cfg);
	{
		struct fakedev_stats st;

		fakedev_get_stats(&st);
		tap_ok(st.live_bos == 0, "fake: every BO closed after the contexts closed (%u left)",
		       st.live_bos);
	}
}

struct ur_arg {
	struct qaccel_ctx *ctx;
	struct fixture *fx;
	unsigned int tid;
	pthread_mutex_t *lock;
	unsigned int *count;
	uint8_t *seen;
	int *errors;
};

static void *ur_thread(void *p)
{
	struct ur_arg *a = p;
	struct qaccel_completion c[16];
	struct qaccel_gemm_job jobs[10];
	unsigned int r, i;
	int n, j;

	for (r = 0; r < 20; r++) {
		for (i = 0; i < 10; i++)
			jobs[i] = fixture_job(a->fx, i, a->tid, a->tid * 200 + r * 10 + i);
		n = qaccel_submit(a->ctx, jobs, 10);
		if (!n && a->tid == 1)
			n = qaccel_run(a->ctx, jobs, 3);
		if (n) {
			pthread_mutex_lock(a->lock);
			(*a->errors)++;
			pthread_mutex_unlock(a->lock);
		}
		n = qaccel_reap(a->ctx, c, 16, 1, 50000000);
		pthread_mutex_lock(a->lock);
		for (j = 0; j < n; j++) {
			if (c[j].user_data >= 600 || a->seen[c[j].user_data]++ || c[j].result)
				(*a->errors)++;
			(*a->count)++;
		}
		pthread_mutex_unlock(a->lock);
	}
	return NULL;
}

/* 5 tests: the ring's plumbing, with a library that has the test hooks. */
static void test_fake_uring(void)
{
	struct qaccel_gemm_job *jobs = calloc(1024, sizeof(*jobs));
	struct qaccel_completion *c = calloc(1024, sizeof(*c));
	struct qaccel_ctx *ctx = NULL;
	struct fixture fx;
	unsigned int i, got = 0, sub = 0, count = 0;
	uint8_t seen[600];
	char buf[256] = "";
	int err, n, ok = 1, errors = 0;

	setenv("QACCEL_TEST_URING_ANY", "1", 1);
	err = open_mode(&ctx, QACCEL_SUBMIT_URING, buf, sizeof(buf));
	unsetenv("QACCEL_TEST_URING_ANY");
	if (err || fixture_init(&fx, ctx, 8)) {
		for (i = 0; i < 5; i++)
			tap_skip("fake: io_uring plumbing",
				 "the library has no test hooks (the sanitizer build has)");
		qaccel_close(ctx);
		free(jobs);
		free(c);
		return;
	}
	tap_ok(qaccel_ctx_submit_mode(ctx) == QACCEL_SUBMIT_URING,
	       "fake uring: the context submits through its ring");

	/* 3000 jobs, batches of up to 1000, reaped as they come. */
	while (got < 3000 && ok) {
		while (sub < 3000) {
			unsigned int cnt = 3000 - sub < 1000 ? 3000 - sub : 1000;

			for (i = 0; i < cnt; i++)
				jobs[i] = fixture_job(&fx, sub + i, (sub + i) % 8, sub + i);
			err = qaccel_submit(ctx, jobs, cnt);
			if (err == -EAGAIN)
				break;
			if (err) {
				ok = 0;
				break;
			}
			sub += cnt;
		}
		n = qaccel_reap(ctx, c, 1024, 1, 10ll * 1000000000);
		if (n <= 0) {
			ok = 0;
			break;
		}
		for (i = 0; i < (unsigned int)n; i++)
			if (c[i].user_data != got + i || c[i].result)
				ok = 0;
		got += (unsigned int)n;
	}
	tap_ok(ok && got == 3000 && qaccel_inflight(ctx) == 0,
	       "fake uring: 3000 jobs in batches of 1000, completions in order (%u)", got);

	for (i = 0; i < 1024; i++)
		jobs[i] = fixture_job(&fx, i, i % 8, i);
	tap_ok(!qaccel_run(ctx, jobs, 1024) && qaccel_inflight(ctx) == 0,
	       "fake uring: qaccel_run() of 1024 jobs, no completion posted");

	{
		pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
		struct ur_arg args[3];
		pthread_t th[3];

		memset(seen, 0, sizeof(seen));
		for (i = 0; i < 3; i++) {
			args[i] = (struct ur_arg){ ctx, &fx, i, &lock, &count, seen, &errors };
			pthread_create(&th[i], NULL, ur_thread, &args[i]);
		}
		for (i = 0; i < 3; i++)
			pthread_join(th[i], NULL);
		while (qaccel_inflight(ctx) > 0) {
			n = qaccel_reap(ctx, c, 64, 1, 10ll * 1000000000);
			if (n <= 0)
				break;
			for (i = 0; i < (unsigned int)n; i++)
				if (c[i].user_data >= 600 || seen[c[i].user_data]++ || c[i].result)
					errors++;
			count += (unsigned int)n;
		}
		tap_ok(count == 600 && !errors,
		       "fake uring: 3 threads submitting, running and reaping: %u completions, each once",
		       count);
	}
	for (i = 0; i < 100; i++)
		jobs[i] = fixture_job(&fx, i, i % 8, i);
	err = qaccel_submit(ctx, jobs, 100);
	qaccel_close(ctx);	/* with jobs in flight and live buffers */
	tap_ok(!err, "fake uring: close with 100 jobs in flight");
	free(jobs);
	free(c);
}

int main(void)
{
	struct qaccel_ctx *ctx = NULL;
	char why[256] = "";

	if (!test_on_device()) {
		tap_plan(1);
		tap_skip("device backend",
			 "needs QACCEL_TEST_BACKEND=device (the host runs it on the fake device, the VM on qaccel.ko)");
		return tap_done();
	}
	test_backend_gate("test_device");
	tap_plan(9 + 4 + 2 + 2 + 2 + 6 + 5);
	if (open_test_ex(&ctx, QACCEL_ISA_AUTO, 0, why, sizeof(why))) {
		tap_ok(0, "open: %s", why);
		return tap_done();
	}
	test_modes(ctx);
	test_batches(ctx);
	test_chain(ctx);
	test_threads(ctx);
	qaccel_close(ctx);
	if (have_fake()) {
		test_fake_requests();
		test_fake_failures();
		test_fake_uring();
	} else {
		int i;

		for (i = 0; i < 2 + 6 + 5; i++)
			tap_skip("fake device checks", "only with the fake device (host)");
	}
	return tap_done();
}
