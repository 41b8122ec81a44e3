// SPDX-License-Identifier: MIT
/*
 * qaccel-bench: throughput of libqaccel's backends.
 *
 *   qaccel-bench gemm --m M --n N --k K [--threads T] [--isa ISA]
 *                [--a-type u8|s8] [--out s32|s8|u8] [--time SEC] [--json]
 *                [--peer onednn] [--backend cpu|device|auto]
 *   qaccel-bench quant --n ELEMS [--channels C] [--type s8|u8] [--isa ISA]
 *                [--time SEC] [--json]
 *   qaccel-bench submit [--backend auto|cpu|device] [--via auto|uring|ioctl]
 *                [--batch B] [--jobs N] [--inflight W] [--m M --n N --k K]
 *                [--json]
 *
 * gemm: C = A x W with W packed once (qaccel_pack_weights()), timed over
 * repeated qaccel_run() calls; GOPS = 2 * M * N * K / time. With
 * --peer onednn, oneDNN's dnnl_gemm_u8s8s32() runs on the same data with the
 * same thread count in the same process (s32 output: the results are
 * compared) and the ratio ours / oneDNN is printed.
 * quant: per-channel s8 quantization of ELEMS floats ([C][ELEMS / C],
 * channel axis 0) in GB/s of float input, next to memcpy() of the same
 * bytes in the same run.
 * submit: the job path itself with small jobs (M = N = K = 16 unless
 * given): N jobs in batches of B (one qaccel_submit() each), at most W in
 * flight (default 4 B, at most 1024), completions reaped as they come;
 * jobs/s over the whole run, and the latency of each job from the
 * qaccel_submit() of its batch to the qaccel_reap() that returned it
 * (mean, median, 99th percentile). Every output is compared with the CPU
 * backend's (bit-exact). The backend and, on a device, the submission
 * mode are always printed.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qaccel.h"

#ifdef QACCEL_BENCH_ONEDNN
#include <oneapi/dnnl/dnnl.h>
void omp_set_num_threads(int n);
#endif

struct opts {
	unsigned long m, n, k, channels;
	unsigned int threads;
	enum qaccel_isa isa;
	enum qaccel_dtype a_type, out_type, q_type;
	double time;
	bool json;
	bool peer_onednn;
	enum qaccel_backend_kind backend;
	bool backend_set;
	enum qaccel_submit_mode via;
	unsigned long batch, jobs, inflight;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "qaccel-bench: %s: %s\n", what, qaccel_strerror(err));
	exit(1);
}

/* Best time of one call, repeated for at least `budget` seconds. */
#define TIME_BEST(budget, best, stmt) do {					\
		double __start = now(), __t0, __t;				\
		int __it = 0;							\
		(best) = 1e30;							\
		do {								\
			__t0 = now();						\
			stmt;							\
			__t = now() - __t0;					\
			if (__t < (best))					\
				(best) = __t;					\
			__it++;							\
		} while (now() - __start < (budget) || __it < 3);		\
	} while (0)

/*
 * The operands every GEMM bench uses: random A (m x k bytes) in ab, and
 * random s8 weights (k x n, KN order) packed into wb (wsz bytes), with the
 * requantization parameters of an 8-bit output when requant. Returns the
 * unpacked weights (the oneDNN peer uses them); the caller frees them.
 */
static int8_t *bench_operands(const struct opts *o, struct qaccel_buffer *ab,
			      struct qaccel_buffer *wb, size_t wsz, bool requant)
{
	struct qaccel_pack_desc pd;
	size_t i;
	int8_t *w;
	int err;

	for (i = 0; i < o->m * o->k; i++)
		((uint8_t *)qaccel_buffer_ptr(ab))[i] = (uint8_t)rnd();
	w = malloc(o->k * o->n);
	if (!w)
		die("weights", -ENOMEM);
	for (i = 0; i < o->k * o->n; i++)
		w[i] = (int8_t)rnd();
	memset(&pd, 0, sizeof(pd));
	pd.n = (uint32_t)o->n;
	pd.k = (uint32_t)o->k;
	pd.layout = QACCEL_LAYOUT_KN;
	pd.w_type = QACCEL_DTYPE_S8;
	pd.weights = w;
	if (requant) {
		pd.out_scale = 1.0f / 4096.0f;
		pd.a_scale = 1.0f / 64.0f;
		pd.w_scales = calloc(o->n, sizeof(float));
		if (!pd.w_scales)
			die("weight scales", -ENOMEM);
		for (i = 0; i < o->n; i++)
			pd.w_scales[i] = 1.0f / 256.0f;
	}
	err = qaccel_pack_weights(&pd, qaccel_buffer_ptr(wb), wsz);
	if (err)
		die("pack", err);
	free(pd.w_scales);
	return w;
}

static int bench_gemm(const struct opts *o)
{
	struct qaccel_open_opts oo;
	struct qaccel_ctx *ctx;
	struct qaccel_buffer *ab, *wb, *cb;
	struct qaccel_gemm_job job;
	size_t wsz, esize = o->out_type == QACCEL_DTYPE_S32 ? 4 : 1;
	int8_t *w;
	double t, gops, ops = 2.0 * (double)o->m * (double)o->n * (double)o->k;
	double peer_gops = 0.0;
	int peer_match = -1, err;
	char errbuf[200] = "";

	memset(&oo, 0, sizeof(oo));
	oo.backend = o->backend_set ? o->backend : QACCEL_BACKEND_CPU;
	oo.threads = o->threads;
	oo.isa = o->isa;
	oo.submit = o->via;
	oo.errbuf = errbuf;
	oo.errbuf_size = sizeof(errbuf);
	err = qaccel_open(&ctx, &oo);
	if (err) {
		fprintf(stderr, "qaccel-bench: open: %s\n", errbuf);
		return 1;
	}
	err = qaccel_packed_size((uint32_t)o->n, (uint32_t)o->k, &wsz);
	if (err)
		die("packed size", err);
	if ((err = qaccel_buffer_alloc(ctx, o->m * o->k, 0, &ab)) ||
	    (err = qaccel_buffer_alloc(ctx, wsz, QACCEL_BUFFER_DEVICE_READONLY, &wb)) ||
	    (err = qaccel_buffer_alloc(ctx, o->m * o->n * esize, 0, &cb)))
		die("buffer", err);
	w = bench_operands(o, ab, wb, wsz, o->out_type != QACCEL_DTYPE_S32);

	memset(&job, 0, sizeof(job));
	job.a = ab;
	job.w = wb;
	job.c = cb;
	job.m = (uint32_t)o->m;
	job.n = (uint32_t)o->n;
	job.k = (uint32_t)o->k;
	job.lda = (uint32_t)o->k;
	job.ldc = (uint32_t)(o->n * esize);
	job.a_type = o->a_type;
	job.out_type = o->out_type;
	if (o->out_type == QACCEL_DTYPE_U8) {
		job.act_max = 255;
	} else if (o->out_type == QACCEL_DTYPE_S8) {
		job.act_min = -128;
		job.act_max = 127;
	}
	err = qaccel_run(ctx, &job, 1);
	if (err)
		die("gemm", err);
	TIME_BEST(o->time, t, err = qaccel_run(ctx, &job, 1));
	gops = ops / t * 1e-9;

#ifdef QACCEL_BENCH_ONEDNN
	if (o->peer_onednn) {
		int32_t *c2 = malloc(o->m * o->n * sizeof(int32_t)), co = 0;
		double tp;
		dnnl_status_t st;

		omp_set_num_threads((int)qaccel_ctx_threads(ctx));
		st = dnnl_gemm_u8s8s32('N', 'N', 'F', (dnnl_dim_t)o->m, (dnnl_dim_t)o->n,
				       (dnnl_dim_t)o->k, 1.0f, qaccel_buffer_ptr(ab),
				       (dnnl_dim_t)o->k, 0, w, (dnnl_dim_t)o->n, 0, 0.0f, c2,
				       (dnnl_dim_t)o->n, &co);
		if (st != dnnl_success) {
			fprintf(stderr, "qaccel-bench: oneDNN gemm failed (%d)\n", (int)st);
			return 1;
		}
		if (o->out_type == QACCEL_DTYPE_S32 && o->a_type == QACCEL_DTYPE_U8)
			peer_match = !memcmp(c2, qaccel_buffer_ptr(cb), o->m * o->n * 4);
		TIME_BEST(o->time, tp,
			  dnnl_gemm_u8s8s32('N', 'N', 'F', (dnnl_dim_t)o->m, (dnnl_dim_t)o->n,
					    (dnnl_dim_t)o->k, 1.0f, qaccel_buffer_ptr(ab),
					    (dnnl_dim_t)o->k, 0, w, (dnnl_dim_t)o->n, 0, 0.0f,
					    c2, (dnnl_dim_t)o->n, &co));
		peer_gops = ops / tp * 1e-9;
		free(c2);
	}
#endif

	if (o->json) {
		printf("{\"bench\": \"gemm\", \"backend\": \"%s\", \"m\": %lu, \"n\": %lu, "
		       "\"k\": %lu, \"threads\": %u, "
		       "\"isa\": \"%s\", \"a_type\": \"%s\", \"out_type\": \"%s\", "
		       "\"seconds\": %.6g, \"gops\": %.2f",
		       qaccel_backend_kind_name(qaccel_ctx_backend(ctx)), o->m, o->n, o->k,
		       qaccel_ctx_threads(ctx),
		       qaccel_isa_name(qaccel_ctx_isa(ctx)),
		       o->a_type == QACCEL_DTYPE_S8 ? "s8" : "u8",
		       o->out_type == QACCEL_DTYPE_S32 ? "s32" :
		       o->out_type == QACCEL_DTYPE_S8 ? "s8" : "u8", t, gops);
		if (o->peer_onednn)
			printf(", \"peer\": \"onednn\", \"peer_gops\": %.2f, \"ratio\": %.3f, "
			       "\"peer_match\": %s", peer_gops, gops / peer_gops,
			       peer_match < 0 ? "null" : peer_match ? "true" : "false");
		printf("}\n");
	} else {
		printf("gemm M=%lu N=%lu K=%lu backend=%s threads=%u isa=%s: %.3f ms, %.1f GOPS\n",
		       o->m, o->n, o->k, qaccel_backend_kind_name(qaccel_ctx_backend(ctx)),
		       qaccel_ctx_threads(ctx), qaccel_isa_name(qaccel_ctx_isa(ctx)),
		       t * 1e3, gops);
		if (o->peer_onednn)
			printf("oneDNN dnnl_gemm_u8s8s32: %.1f GOPS, ratio qaccel/oneDNN %.2f%s\n",
			       peer_gops, gops / peer_gops,
			       peer_match < 0 ? "" : peer_match ? " (results identical)" :
			       " (RESULTS DIFFER)");
	}
	free(w);
	qaccel_close(ctx);
	return peer_match == 0 ? 1 : 0;
}

static int bench_quant(const struct opts *o)
{
	struct qaccel_open_opts oo;
	struct qaccel_ctx *ctx;
	size_t n = o->n, ch = o->channels, inner, i;
	float *x, *scales, *xcopy;
	uint8_t *y;
	double tq, tm, gq, gm;
	char errbuf[200] = "";
	int err;

	if (!ch || n % ch) {
		fprintf(stderr, "qaccel-bench: --n must be a multiple of --channels\n");
		return 2;
	}
	inner = n / ch;
	memset(&oo, 0, sizeof(oo));
	oo.backend = QACCEL_BACKEND_CPU;
	oo.threads = 1;
	oo.isa = o->isa;
	oo.errbuf = errbuf;
	oo.errbuf_size = sizeof(errbuf);
	err = qaccel_open(&ctx, &oo);
	if (err) {
		fprintf(stderr, "qaccel-bench: open: %s\n", errbuf);
		return 1;
	}
	x = aligned_alloc(64, (n * 4 + 63) & ~(size_t)63);
	xcopy = aligned_alloc(64, (n * 4 + 63) & ~(size_t)63);
	y = aligned_alloc(64, (n + 63) & ~(size_t)63);
	scales = malloc(ch * sizeof(float));
	if (!x || !xcopy || !y || !scales)
		die("alloc", -ENOMEM);
	for (i = 0; i < n; i++)
		x[i] = ((float)(rnd() & 0xffff) - 32768.0f) / 4096.0f;
	for (i = 0; i < ch; i++)
		scales[i] = 8.0f / 127.0f * (1.0f + (float)i / (float)ch);
	memset(xcopy, 0, n * 4);
	memset(y, 0, n);
	err = qaccel_quantize(ctx, x, y, 1, ch, inner, scales, NULL, o->q_type);
	if (err)
		die("quantize", err);
	TIME_BEST(o->time, tq, qaccel_quantize(ctx, x, y, 1, ch, inner, scales, NULL, o->q_type));
	TIME_BEST(o->time, tm, memcpy(xcopy, x, n * 4); __asm__ volatile("" ::: "memory"));
	gq = (double)n * 4 / tq * 1e-9;
	gm = (double)n * 4 / tm * 1e-9;
	if (o->json)
		printf("{\"bench\": \"quant\", \"n\": %zu, \"bytes\": %zu, \"channels\": %zu, "
		       "\"type\": \"%s\", \"isa\": \"%s\", \"quant_gbps\": %.2f, "
		       "\"memcpy_gbps\": %.2f, \"ratio\": %.3f}\n", n, n * 4, ch,
		       o->q_type == QACCEL_DTYPE_S8 ? "s8" : "u8",
		       qaccel_isa_name(qaccel_ctx_isa(ctx)), gq, gm, gq / gm);
	else
		printf("quant %zu floats (%.1f MiB) per channel (%zu channels) to %s, isa %s: "
		       "%.2f GB/s; memcpy of the same bytes: %.2f GB/s; ratio %.2f\n", n,
		       (double)n * 4 / 1048576.0, ch, o->q_type == QACCEL_DTYPE_S8 ? "s8" : "u8",
		       qaccel_isa_name(qaccel_ctx_isa(ctx)), gq, gm, gq / gm);
	free(x);
	free(xcopy);
	free(y);
	free(scales);
	qaccel_close(ctx);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Open a context for the bench; prints the library's reason on failure. */
static struct qaccel_ctx *bench_open(enum qaccel_backend_kind backend,
				     enum qaccel_submit_mode via, unsigned int threads)
{
	struct qaccel_open_opts oo;
	struct qaccel_ctx *ctx = NULL;
	char errbuf[256] = "";
	int err;

	memset(&oo, 0, sizeof(oo));
	oo.backend = backend;
	oo.submit = via;
	oo.threads = threads;
	oo.errbuf = errbuf;
	oo.errbuf_size = sizeof(errbuf);
	err = qaccel_open(&ctx, &oo);
	if (err) {
		fprintf(stderr, "qaccel-bench: cannot open the %s backend: %s (%s)\n",
			qaccel_backend_kind_name(backend), errbuf, qaccel_strerror(err));
		return NULL;
	}
	return ctx;
}

static int bench_submit(const struct opts *o)
{
	struct qaccel_ctx *ctx, *cpu;
	struct qaccel_backend_info info;
	struct qaccel_buffer *ab, *wb, *cb, *rb, *ra, *rw;
	struct qaccel_gemm_job *batch, job;
	struct qaccel_completion *cpl;
	unsigned long nj = o->jobs, b = o->batch, win = o->inflight ? o->inflight : 4 * o->batch;
	unsigned long submitted = 0, reaped = 0, i, mismatches = 0;
	size_t wsz, csz = o->m * o->n * 4;
	double *t_sub, *lat, t0, t1, mean = 0.0;
	int err, inflight = 0;

	if (win > 1024)
		win = 1024;
	if (win < b)
		win = b;
	ctx = bench_open(o->backend_set ? o->backend : QACCEL_BACKEND_AUTO, o->via, o->threads);
	if (!ctx)
		return 1;
	cpu = bench_open(QACCEL_BACKEND_CPU, QACCEL_SUBMIT_AUTO, 1);
	if (!cpu)
		return 1;
	qaccel_ctx_info(ctx, &info);
	qaccel_packed_size((uint32_t)o->n, (uint32_t)o->k, &wsz);
	if ((err = qaccel_buffer_alloc(ctx, o->m * o->k, 0, &ab)) ||
	    (err = qaccel_buffer_alloc(ctx, wsz, QACCEL_BUFFER_DEVICE_READONLY, &wb)) ||
	    (err = qaccel_buffer_alloc(ctx, win * csz, 0, &cb)) ||
	    (err = qaccel_buffer_alloc(cpu, o->m * o->k, 0, &ra)) ||
	    (err = qaccel_buffer_alloc(cpu, wsz, 0, &rw)) ||
	    (err = qaccel_buffer_alloc(cpu, csz, 0, &rb)))
		die("buffer", err);
	free(bench_operands(o, ab, wb, wsz, false));
	memcpy(qaccel_buffer_ptr(ra), qaccel_buffer_ptr(ab), o->m * o->k);
	memcpy(qaccel_buffer_ptr(rw), qaccel_buffer_ptr(wb), wsz);

	memset(&job, 0, sizeof(job));
	job.a = ab;
	job.w = wb;
	job.c = cb;
	job.m = (uint32_t)o->m;
	job.n = (uint32_t)o->n;
	job.k = (uint32_t)o->k;
	job.lda = (uint32_t)o->k;
	job.ldc = (uint32_t)(o->n * 4);
	job.a_type = QACCEL_DTYPE_U8;
	job.out_type = QACCEL_DTYPE_S32;
	job.a_zp = 3;

	/* The reference: the same job on the CPU backend. */
	{
		struct qaccel_gemm_job r = job;

		r.a = ra;
		r.w = rw;
		r.c = rb;
		err = qaccel_run(cpu, &r, 1);
		if (err)
			die("reference job", err);
	}
	/* Warm up: one batch through the whole path. */
	err = qaccel_run(ctx, &job, 1);
	if (err)
		die("first job", err);

	batch = calloc(b, sizeof(*batch));
	cpl = calloc(win, sizeof(*cpl));
	t_sub = calloc(nj, sizeof(double));
	lat = calloc(nj, sizeof(double));
	if (!batch || !cpl || !t_sub || !lat)
		die("alloc", -ENOMEM);
	t0 = now();
	while (reaped < nj) {
		int n;

		while (submitted < nj && (unsigned long)inflight + b <= win) {
			unsigned long cnt = nj - submitted < b ? nj - submitted : b;
			double ts = now();

			for (i = 0; i < cnt; i++) {
				batch[i] = job;
				batch[i].c_offset = ((submitted + i) % win) * csz;
				batch[i].user_data = submitted + i;
				t_sub[submitted + i] = ts;
			}
			err = qaccel_submit(ctx, batch, (unsigned int)cnt);
			if (err)
				die("submit", err);
			submitted += cnt;
			inflight += (int)cnt;
		}
		n = qaccel_reap(ctx, cpl, (unsigned int)win, 1, -1);
		if (n < 0)
			die("reap", n);
		t1 = now();
		for (i = 0; i < (unsigned long)n; i++) {
			uint64_t id = cpl[i].user_data;

			if (cpl[i].result)
				die("job", cpl[i].result);
			lat[id] = t1 - t_sub[id];
			if (memcmp(qaccel_buffer_ptr(rb),
				   (uint8_t *)qaccel_buffer_ptr(cb) + (id % win) * csz, csz))
				mismatches++;
		}
		reaped += (unsigned long)n;
		inflight -= n;
	}
	t1 = now() - t0;
	for (i = 0; i < nj; i++)
		mean += lat[i];
	mean /= (double)nj;
	qsort(lat, nj, sizeof(double), cmp_double);

	if (o->json) {
		printf("{\"bench\": \"submit\", \"backend\": \"%s\", \"via\": \"%s\", "
		       "\"device\": \"%s\", \"m\": %lu, \"n\": %lu, \"k\": %lu, \"batch\": %lu, "
		       "\"jobs\": %lu, \"inflight\": %lu, \"seconds\": %.6g, \"jobs_per_s\": %.1f, "
		       "\"lat_mean_us\": %.2f, \"lat_p50_us\": %.2f, \"lat_p99_us\": %.2f, "
		       "\"match\": %s}\n",
		       qaccel_backend_kind_name(qaccel_ctx_backend(ctx)),
		       qaccel_ctx_backend(ctx) == QACCEL_BACKEND_DEVICE ?
		       qaccel_submit_mode_name(qaccel_ctx_submit_mode(ctx)) : "cpu",
		       info.path, o->m, o->n, o->k, b, nj, win, t1, (double)nj / t1, mean * 1e6,
		       lat[nj / 2] * 1e6, lat[(nj * 99) / 100 < nj ? (nj * 99) / 100 : nj - 1] * 1e6,
		       mismatches ? "false" : "true");
	} else {
		printf("submit %lu jobs M=%lu N=%lu K=%lu, batch %lu, up to %lu in flight\n"
		       "backend %s%s%s%s%s: %.0f jobs/s; latency mean %.1f us, median %.1f us, "
		       "p99 %.1f us; results %s the CPU backend's\n",
		       nj, o->m, o->n, o->k, b, win,
		       qaccel_backend_kind_name(qaccel_ctx_backend(ctx)),
		       info.path[0] ? " " : "", info.path,
		       qaccel_ctx_backend(ctx) == QACCEL_BACKEND_DEVICE ? ", submission " : "",
		       qaccel_ctx_backend(ctx) == QACCEL_BACKEND_DEVICE ?
		       qaccel_submit_mode_name(qaccel_ctx_submit_mode(ctx)) : "",
		       (double)nj / t1, mean * 1e6, lat[nj / 2] * 1e6,
		       lat[(nj * 99) / 100 < nj ? (nj * 99) / 100 : nj - 1] * 1e6,
		       mismatches ? "DIFFER FROM" : "identical to");
	}
	free(batch);
	free(cpl);
	free(t_sub);
	free(lat);
	qaccel_close(ctx);
	qaccel_close(cpu);
	return mismatches ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qaccel-bench gemm --m M --n N --k K [--threads T] [--isa ISA]\n"
		"                         [--a-type u8|s8] [--out s32|s8|u8] [--time SEC]\n"
		"                         [--json] [--peer onednn]\n"
		"                         [--backend cpu|device|auto]\n"
		"       qaccel-bench quant --n ELEMS [--channels C] [--type s8|u8] [--isa ISA]\n"
		"                          [--time SEC] [--json]\n"
		"       qaccel-bench submit [--backend auto|cpu|device] [--via auto|uring|ioctl]\n"
		"                           [--batch B] [--jobs N] [--inflight W]\n"
		"                           [--m M] [--n N] [--k K] [--threads T] [--json]\n");
}

static unsigned long parse_ul(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v == 0) {
		fprintf(stderr, "qaccel-bench: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static enum qaccel_dtype parse_type(const char *s, bool allow32)
{
	if (!strcmp(s, "u8"))
		return QACCEL_DTYPE_U8;
	if (!strcmp(s, "s8"))
		return QACCEL_DTYPE_S8;
	if (allow32 && !strcmp(s, "s32"))
		return QACCEL_DTYPE_S32;
	fprintf(stderr, "qaccel-bench: bad type '%s'\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "m", required_argument, NULL, 'm' },
		{ "n", required_argument, NULL, 'n' },
		{ "k", required_argument, NULL, 'k' },
		{ "threads", required_argument, NULL, 't' },
		{ "isa", required_argument, NULL, 'i' },
		{ "a-type", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "type", required_argument, NULL, 'y' },
		{ "channels", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "peer", required_argument, NULL, 'p' },
		{ "backend", required_argument, NULL, 'b' },
		{ "via", required_argument, NULL, 'v' },
		{ "batch", required_argument, NULL, 'B' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "inflight", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.m = 0, .n = 0, .k = 0, .channels = 256, .threads = 0,
		.isa = QACCEL_ISA_AUTO, .a_type = QACCEL_DTYPE_U8,
		.out_type = QACCEL_DTYPE_S32, .q_type = QACCEL_DTYPE_S8, .time = 0.5,
		.batch = 16, .jobs = 10000,
	};
	const char *mode;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm': o.m = parse_ul(optarg, "--m"); break;
		case 'n': o.n = parse_ul(optarg, "--n"); break;
		case 'k': o.k = parse_ul(optarg, "--k"); break;
		case 't': o.threads = (unsigned int)parse_ul(optarg, "--threads"); break;
		case 'c': o.channels = parse_ul(optarg, "--channels"); break;
		case 'i':
			if (qaccel_isa_from_name(optarg, &o.isa)) {
				fprintf(stderr, "qaccel-bench: bad --isa '%s'\n", optarg);
				return 2;
			}
			break;
		case 'a': o.a_type = parse_type(optarg, false); break;
		case 'o': o.out_type = parse_type(optarg, true); break;
		case 'y': o.q_type = parse_type(optarg, false); break;
		case 'T':
			o.time = atof(optarg);
			if (!(o.time > 0.0) || o.time > 60.0) {
				fprintf(stderr, "qaccel-bench: bad --time\n");
				return 2;
			}
			break;
		case 'j': o.json = true; break;
		case 'p':
			if (strcmp(optarg, "onednn")) {
				fprintf(stderr, "qaccel-bench: unknown peer '%s'\n", optarg);
				return 2;
			}
#ifndef QACCEL_BENCH_ONEDNN
			fprintf(stderr, "qaccel-bench: built without oneDNN (libdnnl-dev)\n");
			return 2;
#endif
			o.peer_onednn = true;
			break;
		case 'b':
			if (!strcmp(optarg, "auto"))
				o.backend = QACCEL_BACKEND_AUTO;
			else if (!strcmp(optarg, "cpu"))
				o.backend = QACCEL_BACKEND_CPU;
			else if (!strcmp(optarg, "device"))
				o.backend = QACCEL_BACKEND_DEVICE;
			else {
				fprintf(stderr, "qaccel-bench: bad --backend '%s'\n", optarg);
				return 2;
			}
			o.backend_set = true;
			break;
		case 'v':
			if (!strcmp(optarg, "auto"))
				o.via = QACCEL_SUBMIT_AUTO;
			else if (!strcmp(optarg, "uring"))
				o.via = QACCEL_SUBMIT_URING;
			else if (!strcmp(optarg, "ioctl"))
				o.via = QACCEL_SUBMIT_IOCTL;
			else {
				fprintf(stderr, "qaccel-bench: bad --via '%s'\n", optarg);
				return 2;
			}
			break;
		case 'B': o.batch = parse_ul(optarg, "--batch"); break;
		case 'J': o.jobs = parse_ul(optarg, "--jobs"); break;
		case 'W': o.inflight = parse_ul(optarg, "--inflight"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(mode, "gemm")) {
		if (!o.m || !o.n || !o.k || o.m > (1u << 24) || o.n > (1u << 24) ||
		    o.k > (1u << 24)) {
			fprintf(stderr, "qaccel-bench: gemm needs --m, --n and --k (1 to 2^24)\n");
			return 2;
		}
		if (o.peer_onednn && o.backend_set && o.backend != QACCEL_BACKEND_CPU) {
			fprintf(stderr, "qaccel-bench: --peer onednn compares with the CPU backend only\n");
			return 2;
		}
		return bench_gemm(&o);
	}
	if (!strcmp(mode, "submit")) {
		o.m = o.m ? o.m : 16;
		o.n = o.n ? o.n : 16;
		o.k = o.k ? o.k : 16;
		if (o.m > 4096 || o.n > 4096 || o.k > 4096 || o.batch > 1024 ||
		    o.jobs > 100000000 || o.inflight > 1024) {
			fprintf(stderr, "qaccel-bench: submit: --m/--n/--k up to 4096, --batch and --inflight up to 1024\n");
			return 2;
		}
		return bench_submit(&o);
	}
	if (!strcmp(mode, "quant")) {
		if (!o.n) {
			fprintf(stderr, "qaccel-bench: quant needs --n\n");
			return 2;
		}
		return bench_quant(&o);
	}
	usage(stderr);
	return 2;
}
