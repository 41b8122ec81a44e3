// SPDX-License-Identifier: MIT
/*
 * Buffers, the asynchronous job API and the CPU backend's worker pool.
 * Device contexts hand buffers and jobs to devjobs.c after the checks.
 *
 * Each CPU context owns `threads` workers. Jobs wait in a FIFO; the job at
 * the front becomes the current one and its tiles (rows x panels, see
 * qa_plan()) are handed out through an atomic counter to every worker that
 * is free, so one GEMM uses all threads. The worker that finishes the last
 * tile posts the completion and lets the next job start. A job record is
 * freed when it is complete and no worker still looks at it.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemm.h"

struct qa_job {
	struct qa_gemm_args ga;
	const struct qa_gemm_kernel *kern;
	uint32_t mt, pt;		/* micro tiles of rows / groups of nr panels, in all */
	uint32_t tiles_m, tiles_p, ntiles;
	atomic_uint next_tile;
	atomic_uint done_tiles;
	unsigned int workers;		/* under pool lock */
	bool complete;			/* under pool lock */
	uint64_t user_data;
	struct qa_sync *sync;		/* qaccel_run() waiter, or NULL */
	struct qaccel_buffer *bufs[3];
	struct qa_job *next;
};

/* ---- buffers ---- */

void qa_buffer_link(struct qaccel_ctx *ctx, struct qaccel_buffer *b)
{
	pthread_mutex_lock(&ctx->buf_lock);
	b->prev = NULL;
	b->next = ctx->buffers;
	if (b->next)
		b->next->prev = b;
	ctx->buffers = b;
	pthread_mutex_unlock(&ctx->buf_lock);
}

static int qa_buffer_new(struct qaccel_ctx *ctx, void *ptr, size_t size, unsigned int flags,
			 bool owned, struct qaccel_buffer **out)
{
	struct qaccel_buffer *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->ctx = ctx;
	b->ptr = ptr;
	b->size = size;
	b->flags = flags;
	b->owned = owned;
	atomic_init(&b->busy, 0);
	qa_buffer_link(ctx, b);
	*out = b;
	return 0;
}

QACCEL_API int qaccel_buffer_alloc(struct qaccel_ctx *ctx, size_t size, unsigned int flags,
				   struct qaccel_buffer **buf)
{
	void *p;
	int err;

	if (!ctx || !buf || !size || (flags & ~QACCEL_BUFFER_FLAGS) || size > (SIZE_MAX >> 1))
		return -EINVAL;
	if (ctx->kind == QACCEL_BACKEND_DEVICE)
		return qa_dev_buffer_alloc(ctx, size, flags, buf);
	if (posix_memalign(&p, 64, (size + 63) & ~(size_t)63))
		return -ENOMEM;
	memset(p, 0, size);
	err = qa_buffer_new(ctx, p, size, flags, true, buf);
	if (err)
		free(p);
	return err;
}

QACCEL_API int qaccel_buffer_wrap(struct qaccel_ctx *ctx, void *ptr, size_t size,
				  struct qaccel_buffer **buf)
{
	if (!ctx || !ptr || !buf || !size || (uintptr_t)ptr > UINTPTR_MAX - size)
		return -EINVAL;
	if (ctx->kind != QACCEL_BACKEND_CPU)
		return -EOPNOTSUPP;
	return qa_buffer_new(ctx, ptr, size, 0, false, buf);
}

QACCEL_API void *qaccel_buffer_ptr(const struct qaccel_buffer *buf)
{
	return buf ? buf->ptr : NULL;
}

QACCEL_API size_t qaccel_buffer_size(const struct qaccel_buffer *buf)
{
	return buf ? buf->size : 0;
}

QACCEL_API uint64_t qaccel_buffer_device_address(const struct qaccel_buffer *buf)
{
	return buf ? buf->va : 0;
}

static void qa_buffer_unlink_free(struct qaccel_buffer *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		b->ctx->buffers = b->next;
	if (b->next)
		b->next->prev = b->prev;
	if (b->handle)
		qa_dev_buffer_release(b);
	else if (b->owned)
		free(b->ptr);
	free(b);
}

QACCEL_API int qaccel_buffer_free(struct qaccel_buffer *buf)
{
	struct qaccel_ctx *ctx;

	if (!buf)
		return 0;
	if (atomic_load(&buf->busy) && buf->ctx->kind == QACCEL_BACKEND_DEVICE)
		qa_dev_poll(buf->ctx);
	if (atomic_load(&buf->busy))
		return -EBUSY;
	ctx = buf->ctx;
	pthread_mutex_lock(&ctx->buf_lock);
	qa_buffer_unlink_free(buf);
	pthread_mutex_unlock(&ctx->buf_lock);
	return 0;
}

void qa_buffers_release(struct qaccel_ctx *ctx)
{
	pthread_mutex_lock(&ctx->buf_lock);
	while (ctx->buffers)
		qa_buffer_unlink_free(ctx->buffers);
	pthread_mutex_unlock(&ctx->buf_lock);
}

/* ---- planning ---- */

static uint32_t qa_div_up(uint32_t a, uint32_t b)
{
	return (a + b - 1) / b;
}

/*
 * Tiles: about 48 rows (whole micro tiles; the tile's rows of A stay in L2)
 * by a run of panels whose weights fit in half of a typical L2 (1 MiB), so
 * that consecutive tiles reuse the run from L2. Tile edges are spread
 * evenly (in micro tiles), the tiles of one run of panels come one after
 * the other, and with several threads the tile count is a multiple of the
 * thread count where possible, so that no thread is left with a lone tail
 * tile. When the row tiles alone cannot keep every thread busy (small M, M
 * = 1 included), rows are cut down to 32 and then the panels are split too,
 * into about four tiles per thread. Tiny products stay one tile: waking
 * threads would cost more than it saves.
 */
#define QA_TILE_ROWS 48u
#define QA_TILE_MIN_ROWS 32u
#ifndef QA_TILE_WBYTES
#define QA_TILE_WBYTES (1u << 20)
#endif

static void qa_plan(struct qa_job *j, unsigned int threads)
{
	const struct qa1e_gemm *g = &j->ga.g;
	uint32_t panels = qa1e_n16(g->n) / 16u, nr = j->kern->nr, mr = j->kern->mr;
	uint32_t munits = qa_div_up(g->m, mr), punits = qa_div_up(panels, nr);
	uint64_t work = (uint64_t)g->m * g->n * g->k;
	uint64_t runbytes = (uint64_t)nr * j->ga.pstride;
	uint32_t want, tm, tp, maxrun;
	bool wsmall;

	want = work < (1u << 17) || threads <= 1 ? 1 : threads * 4u;

	/* rows */
	tm = qa_div_up(g->m, QA_TILE_ROWS);
	if (want > 1 && tm < want && g->m / QA_TILE_MIN_ROWS > tm)
		tm = g->m / QA_TILE_MIN_ROWS < want ? g->m / QA_TILE_MIN_ROWS : want;
	/*
	 * A multiple of the thread count; each row tile reads its panels'
	 * weights, so unless they all fit the budget, not below 32 rows.
	 */
	wsmall = (uint64_t)punits * runbytes <= QA_TILE_WBYTES;
	if (want > 1 && tm % threads &&
	    qa_div_up(tm, threads) * threads <= (wsmall ? munits : g->m / QA_TILE_MIN_ROWS))
		tm = qa_div_up(tm, threads) * threads;
	if (tm > munits)
		tm = munits;

	/* panels: runs that fit the weight budget, more when threads would idle */
	maxrun = runbytes ? (uint32_t)(QA_TILE_WBYTES / runbytes) : punits;
	if (maxrun < 1)
		maxrun = 1;
	tp = qa_div_up(punits, maxrun);
	if (tm * tp < want && qa_div_up(want, tm) > tp)
		tp = qa_div_up(want, tm);
	if (want > 1 && (tm * tp) % threads) {
		uint32_t t2 = tp + 1;

		while (t2 <= punits && (tm * t2) % threads)
			t2++;
		if (t2 <= punits)
			tp = t2;
	}
	if (tp > punits)
		tp = punits;

	j->tiles_m = tm;
	j->tiles_p = tp;
	j->mt = munits;
	j->pt = punits;
	j->ntiles = tm * tp;
}

/* Edge e of n parts over u units of size s, clipped to lim. */
static uint32_t qa_edge(uint32_t e, uint32_t n, uint32_t u, uint32_t s, uint32_t lim)
{
	uint64_t x = (uint64_t)e * u / n * s;

	return x < lim ? (uint32_t)x : lim;
}

static void qa_run_tile(struct qa_job *j, uint32_t t)
{
	uint32_t tp = t / j->tiles_m, tm = t % j->tiles_m;
	uint32_t panels = qa1e_n16(j->ga.g.n) / 16u;
	uint32_t mr = j->kern->mr, nr = j->kern->nr;
	uint32_t m0 = qa_edge(tm, j->tiles_m, j->mt, mr, j->ga.g.m);
	uint32_t m1 = qa_edge(tm + 1, j->tiles_m, j->mt, mr, j->ga.g.m);
	uint32_t p0 = qa_edge(tp, j->tiles_p, j->pt, nr, panels);
	uint32_t p1 = qa_edge(tp + 1, j->tiles_p, j->pt, nr, panels);

	if (m0 < m1 && p0 < p1)
		j->kern->tile(&j->ga, m0, m1, p0, p1);
}

/* ---- the pool ---- */

/* Under the lock: the job's last tile is done. */
static void qa_job_complete(struct qa_pool *pool, struct qa_job *j)
{
	int i;

	for (i = 0; i < 3; i++)
		if (j->bufs[i])
			atomic_fetch_sub(&j->bufs[i]->busy, 1);
	if (j->sync) {
		j->sync->remaining--;
	} else {
		unsigned int slot = (pool->cq_head + pool->cq_count) % QACCEL_QUEUE_DEPTH;

		pool->cq[slot].user_data = j->user_data;
		pool->cq[slot].result = 0;
		pool->cq[slot].reserved = 0;
		pool->cq_count++;
	}
	j->complete = true;
	pool->cur = NULL;
	pool->outstanding--;
	pthread_cond_broadcast(&pool->done);
	if (pool->head)
		pthread_cond_broadcast(&pool->work);
}

/*
 * Before sleeping, an idle worker polls for new work for a short while
 * (yielding the CPU between polls): waking a sleeping thread costs tens of
 * microseconds, as much as a small GEMM, and jobs often come back to back.
 */
#define QA_SPIN_NS 200000

static uint64_t qa_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called without the lock: is there (probably) something to do? */
static bool qa_spin_for_work(struct qa_pool *pool, unsigned int gen)
{
	uint64_t end = qa_now_ns() + QA_SPIN_NS;

	do {
		int i;

		if (atomic_load_explicit(&pool->gen, memory_order_acquire) != gen)
			return true;
		for (i = 0; i < 64; i++)
			qa_cpu_relax();
		sched_yield();
	} while (qa_now_ns() < end);
	return false;
}

static void *qa_worker(void *arg)
{
	struct qa_pool *pool = arg;
	bool spun = false;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct qa_job *j;
		bool last = false;
		uint32_t t;

		if (!pool->cur && pool->head) {
			pool->cur = pool->head;
			pool->head = pool->head->next;
			if (!pool->head)
				pool->tail = NULL;
			if (pool->cur->ntiles > 1) {
				atomic_fetch_add_explicit(&pool->gen, 1, memory_order_release);
				pthread_cond_broadcast(&pool->work);
			}
		}
		j = pool->cur;
		if (!j || atomic_load(&j->next_tile) >= j->ntiles) {
			unsigned int gen = atomic_load(&pool->gen);

			if (pool->stop && !pool->head && !pool->cur)
				break;
			if (!spun && !pool->stop) {
				pthread_mutex_unlock(&pool->lock);
				spun = true;
				qa_spin_for_work(pool, gen);
				pthread_mutex_lock(&pool->lock);
				continue;
			}
			pthread_cond_wait(&pool->work, &pool->lock);
			spun = false;
			continue;
		}
		spun = false;
		j->workers++;
		pthread_mutex_unlock(&pool->lock);

		while ((t = atomic_fetch_add(&j->next_tile, 1)) < j->ntiles) {
			qa_run_tile(j, t);
			if (atomic_fetch_add(&j->done_tiles, 1) + 1 == j->ntiles)
				last = true;
		}

		pthread_mutex_lock(&pool->lock);
		if (last)
			qa_job_complete(pool, j);
		if (--j->workers == 0 && j->complete)
			free(j);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

int qa_pool_create(struct qaccel_ctx *ctx)
{
	struct qa_pool *pool = calloc(1, sizeof(*pool));
	pthread_condattr_t ca;
	unsigned int i;
	int err = -ENOMEM;

	if (!pool)
		return -ENOMEM;
	pool->cq = calloc(QACCEL_QUEUE_DEPTH, sizeof(*pool->cq));
	pool->threads = calloc(ctx->threads, sizeof(*pool->threads));
	if (!pool->cq || !pool->threads)
		goto fail_mem;
	pthread_mutex_init(&pool->lock, NULL);
	atomic_init(&pool->gen, 0);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->done, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < ctx->threads; i++) {
		if (pthread_create(&pool->threads[i], NULL, qa_worker, pool)) {
			err = -EAGAIN;
			break;
		}
		pool->nthreads++;
	}
	ctx->pool = pool;
	if (pool->nthreads == ctx->threads)
		return 0;
	qa_pool_destroy(ctx);
	return err;

fail_mem:
	free(pool->cq);
	free(pool->threads);
	free(pool);
	return err;
}

void qa_pool_destroy(struct qaccel_ctx *ctx)
{
	struct qa_pool *pool = ctx->pool;
	unsigned int i;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	while (pool->outstanding)
		pthread_cond_wait(&pool->done, &pool->lock);
	pool->stop = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	for (i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_cond_destroy(&pool->work);
	pthread_cond_destroy(&pool->done);
	pthread_mutex_destroy(&pool->lock);
	free(pool->threads);
	free(pool->cq);
	free(pool);
	ctx->pool = NULL;
}

/* ---- submission ---- */

static bool qa_reserved_zero32(const uint32_t *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

/* Does [off, off + len) lie inside a buffer of size sz? */
static bool qa_in_buf(uint64_t off, uint64_t len, size_t sz)
{
	return off <= sz && len <= sz - off;
}

static bool qa_overlap(const uint8_t *a, uint64_t alen, const uint8_t *b, uint64_t blen)
{
	uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;

	return a0 < b0 + blen && b0 < a0 + alen;
}

/*
 * The checks of one job, in the order the tests rely on: structure, sizes,
 * types, the engine's own field rules, operand ranges, overlaps, then
 * what this backend can do (C writable by the device, data types).
 */
int qa_job_check(const struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jd,
		 struct qa1e_gemm *g)
{
	uint64_t abytes, cbytes, wbytes;
	uint32_t need;

	if (!jd->a || !jd->w || !jd->c || jd->a->ctx != ctx || jd->w->ctx != ctx ||
	    jd->c->ctx != ctx || jd->flags ||
	    !qa_reserved_zero32(jd->reserved, QA_ARRAY_SIZE(jd->reserved)))
		return -EINVAL;
	if (!jd->m || !jd->n || !jd->k)
		return -EINVAL;
	if (jd->m > ctx->info.max_m || jd->n > ctx->info.max_n || jd->k > ctx->info.max_k)
		return -E2BIG;
	if (jd->a_type != QACCEL_DTYPE_U8 && jd->a_type != QACCEL_DTYPE_S8)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	switch (jd->out_type) {
	case QACCEL_DTYPE_S8:
		g->out_type = QA1E_OUT_S8;
		need = QACCEL_CAP_OUT_S8;
		break;
	case QACCEL_DTYPE_U8:
		g->out_type = QA1E_OUT_U8;
		need = QACCEL_CAP_OUT_U8;
		break;
	case QACCEL_DTYPE_S32:
		g->out_type = QA1E_OUT_S32;
		need = QACCEL_CAP_OUT_S32;
		break;
	default:
		return -EINVAL;
	}
	need |= jd->a_type == QACCEL_DTYPE_S8 ? QACCEL_CAP_A_S8 : QACCEL_CAP_A_U8;
	g->m = jd->m;
	g->n = jd->n;
	g->k = jd->k;
	g->lda = jd->lda;
	g->ldc = jd->ldc;
	g->a_signed = jd->a_type == QACCEL_DTYPE_S8;
	g->a_zp = jd->a_zp;
	g->out_zp = jd->out_zp;
	g->act_min = jd->act_min;
	g->act_max = jd->act_max;
	if (qa1e_gemm_check(g))
		return -EINVAL;
	abytes = qa1e_a_bytes(g);
	cbytes = qa1e_c_bytes(g);
	wbytes = qa1e_packed_bytes(g->n, g->k);
	if (!qa_in_buf(jd->a_offset, abytes, jd->a->size) ||
	    !qa_in_buf(jd->w_offset, wbytes, jd->w->size) ||
	    !qa_in_buf(jd->c_offset, cbytes, jd->c->size))
		return -EINVAL;
	if (qa_overlap((uint8_t *)jd->c->ptr + jd->c_offset, cbytes,
		       (uint8_t *)jd->a->ptr + jd->a_offset, abytes) ||
	    qa_overlap((uint8_t *)jd->c->ptr + jd->c_offset, cbytes,
		       (uint8_t *)jd->w->ptr + jd->w_offset, wbytes))
		return -EINVAL;
	if (jd->c->flags & QACCEL_BUFFER_DEVICE_READONLY)
		return -EACCES;
	if ((ctx->info.caps & need) != need)
		return -EOPNOTSUPP;
	return 0;
}

static int qa_submit(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
		     unsigned int count, struct qa_sync *sync)
{
	const struct qa_gemm_kernel *kern;
	struct qa_job **js, *first = NULL, *last = NULL;
	struct qa_pool *pool;
	unsigned int i;
	int err = 0;

	if (!ctx || !jobs || !count || count > QACCEL_QUEUE_DEPTH)
		return -EINVAL;
	if (ctx->kind == QACCEL_BACKEND_DEVICE)
		return qa_dev_submit(ctx, jobs, count, sync);
	pool = ctx->pool;
	kern = qa_gemm_kernel_for(ctx->isa);
	js = calloc(count, sizeof(*js));
	if (!js)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const struct qaccel_gemm_job *jd = &jobs[i];
		struct qa1e_gemm g;
		struct qa_job *j;

		err = qa_job_check(ctx, jd, &g);
		if (err)
			goto fail;
		j = calloc(1, sizeof(*j));
		if (!j) {
			err = -ENOMEM;
			goto fail;
		}
		js[i] = j;
		qa_gemm_args_init(&j->ga, &g, (const uint8_t *)jd->a->ptr + jd->a_offset,
				  (const uint8_t *)jd->w->ptr + jd->w_offset,
				  (uint8_t *)jd->c->ptr + jd->c_offset);
		j->kern = kern;
		qa_plan(j, ctx->threads);
		atomic_init(&j->next_tile, 0);
		atomic_init(&j->done_tiles, 0);
		j->user_data = jd->user_data;
		j->sync = sync;
		j->bufs[0] = jd->a;
		j->bufs[1] = jd->w;
		j->bufs[2] = jd->c;
		if (i)
			js[i - 1]->next = j;
	}
	first = js[0];
	last = js[count - 1];

	pthread_mutex_lock(&pool->lock);
	if (!sync && pool->inflight + count > QACCEL_QUEUE_DEPTH) {
		pthread_mutex_unlock(&pool->lock);
		err = -EAGAIN;
		goto fail;
	}
	for (i = 0; i < count; i++) {
		atomic_fetch_add(&js[i]->bufs[0]->busy, 1);
		atomic_fetch_add(&js[i]->bufs[1]->busy, 1);
		atomic_fetch_add(&js[i]->bufs[2]->busy, 1);
	}
	if (pool->tail)
		pool->tail->next = first;
	else
		pool->head = first;
	pool->tail = last;
	pool->outstanding += count;
	if (!sync)
		pool->inflight += count;
	atomic_fetch_add_explicit(&pool->gen, 1, memory_order_release);
	pthread_cond_signal(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	free(js);
	return 0;

fail:
	for (i = 0; i < count; i++)
		free(js[i]);
	free(js);
	return err;
}

QACCEL_API int qaccel_submit(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
			     unsigned int count)
{
	return qa_submit(ctx, jobs, count, NULL);
}

QACCEL_API int qaccel_run(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
			  unsigned int count)
{
	struct qa_sync sync = { .remaining = count, .err = 0 };
	struct qa_pool *pool;
	int err;

	err = qa_submit(ctx, jobs, count, &sync);
	if (err)
		return err;
	if (ctx->kind == QACCEL_BACKEND_DEVICE)
		return qa_dev_run_wait(ctx, &sync);
	pool = ctx->pool;
	pthread_mutex_lock(&pool->lock);
	while (sync.remaining)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	return sync.err;
}

QACCEL_API int qaccel_reap(struct qaccel_ctx *ctx, struct qaccel_completion *out,
			   unsigned int max, unsigned int min_complete, int64_t timeout_ns)
{
	struct qa_pool *pool;
	struct timespec deadline;
	unsigned int n, i;

	if (!ctx || !out || !max || min_complete > max)
		return -EINVAL;
	if (ctx->kind == QACCEL_BACKEND_DEVICE)
		return qa_dev_reap(ctx, out, max, min_complete, timeout_ns);
	pool = ctx->pool;
	if (timeout_ns > 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += (time_t)(timeout_ns / 1000000000);
		deadline.tv_nsec += (long)(timeout_ns % 1000000000);
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&pool->lock);
	if (min_complete > pool->inflight) {
		pthread_mutex_unlock(&pool->lock);
		return -EINVAL;
	}
	while (pool->cq_count < min_complete) {
		if (timeout_ns == 0) {
			pthread_mutex_unlock(&pool->lock);
			return -ETIME;
		}
		if (timeout_ns < 0) {
			pthread_cond_wait(&pool->done, &pool->lock);
		} else if (pthread_cond_timedwait(&pool->done, &pool->lock, &deadline) &&
			   pool->cq_count < min_complete) {
			pthread_mutex_unlock(&pool->lock);
			return -ETIME;
		}
	}
	n = pool->cq_count < max ? pool->cq_count : max;
	for (i = 0; i < n; i++) {
		out[i] = pool->cq[pool->cq_head];
		pool->cq_head = (pool->cq_head + 1) % QACCEL_QUEUE_DEPTH;
	}
	pool->cq_count -= n;
	pool->inflight -= n;
	pthread_mutex_unlock(&pool->lock);
	return (int)n;
}

QACCEL_API int qaccel_inflight(struct qaccel_ctx *ctx)
{
	int n;

	if (!ctx)
		return -EINVAL;
	if (ctx->kind == QACCEL_BACKEND_DEVICE)
		return qa_dev_inflight(ctx);
	pthread_mutex_lock(&ctx->pool->lock);
	n = (int)ctx->pool->inflight;
	pthread_mutex_unlock(&ctx->pool->lock);
	return n;
}
