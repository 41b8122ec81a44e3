// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the qaccel kselftests (declared in qaccel_test_util.h):
 * ioctl presence probes, buffer objects, packed weights and expected results
 * from the reference engine, submissions, syncobjs, sysfs counters, debugfs
 * fault injection, devcoredumps and fdinfo.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "qaccel_test_util.h"

/* ---- ioctl presence ---------------------------------------------------- */

static const struct {
	const char *name;
	unsigned long cmd;
} qt_ioctls[QT_NR_IOCTLS] = {
	[QT_BO_CREATE] = { "BO_CREATE", DRM_IOCTL_QACCEL_BO_CREATE },
	[QT_BO_INFO] = { "BO_INFO", DRM_IOCTL_QACCEL_BO_INFO },
	[QT_BO_WAIT] = { "BO_WAIT", DRM_IOCTL_QACCEL_BO_WAIT },
	[QT_QUEUE_CREATE] = { "QUEUE_CREATE", DRM_IOCTL_QACCEL_QUEUE_CREATE },
	[QT_QUEUE_DESTROY] = { "QUEUE_DESTROY", DRM_IOCTL_QACCEL_QUEUE_DESTROY },
	[QT_SUBMIT] = { "SUBMIT", DRM_IOCTL_QACCEL_SUBMIT },
	[QT_JOB_WAIT] = { "JOB_WAIT", DRM_IOCTL_QACCEL_JOB_WAIT },
};

/* -1: not probed yet, else 0/1. One answer per process and its children. */
static int qt_present[QT_NR_IOCTLS] = { -1, -1, -1, -1, -1, -1, -1 };

const char *qt_ioctl_name(enum qt_ioctl which)
{
	return which < QT_NR_IOCTLS ? qt_ioctls[which].name : "?";
}

unsigned long qt_ioctl_cmd(enum qt_ioctl which)
{
	return which < QT_NR_IOCTLS ? qt_ioctls[which].cmd : 0;
}

static void qt_probe_all(int fd)
{
	int i;

	for (i = 0; i < QT_NR_IOCTLS; i++) {
		errno = 0;
		if (ioctl(fd, qt_ioctls[i].cmd, NULL) == 0)
			qt_present[i] = 1;	/* cannot happen: NULL is unreadable */
		else
			qt_present[i] = errno != EINVAL;
	}
}

int qt_have_ioctl(int fd, enum qt_ioctl which)
{
	if (which >= QT_NR_IOCTLS)
		return 0;
	if (qt_present[which] < 0)
		qt_probe_all(fd);
	return qt_present[which] > 0;
}

/* Probe once in the harness process, before it forks a child per test. */
__attribute__((constructor)) static void qt_probe_early(void)
{
	int fd;

	if (!qaccel_module_present())
		return;
	fd = qaccel_open_first(NULL);
	if (fd < 0)
		return;
	qt_probe_all(fd);
	close(fd);
}

/* ---- device ------------------------------------------------------------- */

int qt_node_count(void)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];

	return qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
}

int qt_dev_open(struct qt_dev *d, int index)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	static const struct {
		uint32_t param;
		size_t off;
	} params[] = {
		{ DRM_QACCEL_PARAM_CAPABILITIES, offsetof(struct qt_dev, caps) },
		{ DRM_QACCEL_PARAM_MAX_M, offsetof(struct qt_dev, max_m) },
		{ DRM_QACCEL_PARAM_MAX_N, offsetof(struct qt_dev, max_n) },
		{ DRM_QACCEL_PARAM_MAX_K, offsetof(struct qt_dev, max_k) },
		{ DRM_QACCEL_PARAM_VA_START, offsetof(struct qt_dev, va_start) },
		{ DRM_QACCEL_PARAM_VA_END, offsetof(struct qt_dev, va_end) },
		{ DRM_QACCEL_PARAM_PAGE_SIZE, offsetof(struct qt_dev, page_size) },
		{ DRM_QACCEL_PARAM_MAX_JOBS, offsetof(struct qt_dev, max_jobs) },
		{ DRM_QACCEL_PARAM_MAX_BO_SIZE, offsetof(struct qt_dev, max_bo_size) },
		{ DRM_QACCEL_PARAM_MAX_QUEUES, offsetof(struct qt_dev, max_queues) },
		{ DRM_QACCEL_PARAM_EMULATED, offsetof(struct qt_dev, emulated) },
	};
	uint64_t v = 0;
	size_t i;
	int n, ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	if (index >= n)
		return -ENODEV;
	d->node = nodes[index];
	d->fd = open(d->node.path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		ret = -errno;
		d->fd = -1;
		return ret;
	}
	for (i = 0; i < QT_ARRAY_SIZE(params); i++) {
		ret = qaccel_get_param(d->fd, params[i].param, &v);
		if (ret) {
			qt_dev_close(d);
			return ret;
		}
		*(uint64_t *)((char *)d + params[i].off) = v;
	}
	/* JOB_HISTORY is newer than the first GET_PARAM tests: optional. */
	if (qaccel_get_param(d->fd, DRM_QACCEL_PARAM_JOB_HISTORY, &v) == 0)
		d->job_history = v;
	return 0;
}

int qt_dev_reopen(const struct qt_dev *d)
{
	int fd = open(d->node.path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void qt_dev_close(struct qt_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* ---- buffer objects ----------------------------------------------------- */

static int qt_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

int qt_bo_create(int fd, uint64_t size, uint32_t flags, struct qt_bo *bo)
{
	struct drm_qaccel_bo_create c;
	int ret;

	memset(bo, 0, sizeof(*bo));
	memset(&c, 0, sizeof(c));
	c.size = size;
	c.flags = flags;
	ret = qt_ioctl(fd, DRM_IOCTL_QACCEL_BO_CREATE, &c);
	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->flags = flags;
	bo->size = c.size;
	bo->va = c.va;
	bo->mmap_offset = c.mmap_offset;
	/* The size out field is not documented as written back: ask. */
	{
		struct drm_qaccel_bo_info info;

		if (qt_bo_info(fd, c.handle, &info) == 0)
			bo->size = info.size;
	}
	return 0;
}

int qt_bo_map(int fd, struct qt_bo *bo)
{
	void *p;

	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)bo->mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	bo->map = p;
	return 0;
}

int qt_bo_new(int fd, uint64_t size, uint32_t flags, struct qt_bo *bo)
{
	int ret = qt_bo_create(fd, size, flags, bo);

	if (ret)
		return ret;
	ret = qt_bo_map(fd, bo);
	if (ret) {
		qt_gem_close(fd, bo->handle);
		memset(bo, 0, sizeof(*bo));
	}
	return ret;
}

int qt_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c;

	memset(&c, 0, sizeof(c));
	c.handle = handle;
	return qt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void qt_bo_free(int fd, struct qt_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		qt_gem_close(fd, bo->handle);
	memset(bo, 0, sizeof(*bo));
}

int qt_bo_info(int fd, uint32_t handle, struct drm_qaccel_bo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return qt_ioctl(fd, DRM_IOCTL_QACCEL_BO_INFO, info);
}

int qt_bo_wait(int fd, uint32_t handle, int64_t timeout_ns)
{
	struct drm_qaccel_bo_wait w;

	memset(&w, 0, sizeof(w));
	w.handle = handle;
	w.timeout_ns = timeout_ns;
	return qt_ioctl(fd, DRM_IOCTL_QACCEL_BO_WAIT, &w);
}

int qt_prime_export(int fd, uint32_t handle)
{
	struct drm_prime_handle p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.handle = handle;
	p.flags = DRM_CLOEXEC | DRM_RDWR;
	p.fd = -1;
	ret = qt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	return ret ? ret : p.fd;
}

int qt_prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.fd = dmabuf;
	ret = qt_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
	if (!ret)
		*handle = p.handle;
	return ret;
}

/* ---- queues, submissions ------------------------------------------------ */

int qt_queue_create(int fd, uint32_t priority, uint32_t *queue_id)
{
	struct drm_qaccel_queue_create q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.priority = priority;
	ret = qt_ioctl(fd, DRM_IOCTL_QACCEL_QUEUE_CREATE, &q);
	if (!ret)
		*queue_id = q.queue_id;
	return ret;
}

int qt_queue_destroy(int fd, uint32_t queue_id)
{
	struct drm_qaccel_queue_destroy q;

	memset(&q, 0, sizeof(q));
	q.queue_id = queue_id;
	return qt_ioctl(fd, DRM_IOCTL_QACCEL_QUEUE_DESTROY, &q);
}

int qt_submit_raw(int fd, struct drm_qaccel_submit *s)
{
	return qt_ioctl(fd, DRM_IOCTL_QACCEL_SUBMIT, s);
}

int qt_submit(int fd, uint32_t queue, const struct drm_qaccel_job *jobs, uint32_t count,
	      const uint32_t *rd, uint32_t nrd, const uint32_t *wr, uint32_t nwr,
	      const uint32_t *in, uint32_t nin, uint32_t out_syncobj, uint64_t *seqno)
{
	struct drm_qaccel_submit s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.jobs = (uintptr_t)jobs;
	s.job_count = count;
	s.job_size = sizeof(*jobs);
	s.read_handles = (uintptr_t)rd;
	s.read_count = nrd;
	s.write_handles = (uintptr_t)wr;
	s.write_count = nwr;
	s.in_syncobjs = (uintptr_t)in;
	s.in_syncobj_count = nin;
	s.out_syncobj = out_syncobj;
	s.queue_id = queue;
	ret = qt_submit_raw(fd, &s);
	if (!ret && seqno)
		*seqno = s.seqno;
	return ret;
}

int qt_job_wait(int fd, uint32_t queue, uint64_t seqno, int64_t timeout_ns, int32_t *status)
{
	struct drm_qaccel_job_wait w;
	int ret;

	memset(&w, 0, sizeof(w));
	w.queue_id = queue;
	w.seqno = seqno;
	w.timeout_ns = timeout_ns;
	w.status = 0x7eadbeef;
	ret = qt_ioctl(fd, DRM_IOCTL_QACCEL_JOB_WAIT, &w);
	if (!ret && status)
		*status = w.status;
	return ret;
}

/* ---- syncobjs ----------------------------------------------------------- */

int qt_syncobj_create(int fd, uint32_t flags, uint32_t *handle)
{
	struct drm_syncobj_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.flags = flags;
	ret = qt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
	if (!ret)
		*handle = c.handle;
	return ret;
}

int qt_syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d;

	memset(&d, 0, sizeof(d));
	d.handle = handle;
	return qt_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

int64_t qt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * QT_SEC + ts.tv_nsec;
}

void qt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int qt_syncobj_wait(int fd, const uint32_t *handles, uint32_t count, int64_t timeout_ns,
		    uint32_t flags)
{
	struct drm_syncobj_wait w;

	memset(&w, 0, sizeof(w));
	w.handles = (uintptr_t)handles;
	w.count_handles = count;
	w.flags = flags | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	/* Absolute CLOCK_MONOTONIC deadline; 0 polls. */
	w.timeout_nsec = timeout_ns > 0 ? qt_now_ns() + timeout_ns : 0;
	return qt_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

int qt_syncobj_has_fence(int fd, uint32_t handle)
{
	/* Without WAIT_FOR_SUBMIT the core fails a fence-less syncobj with -EINVAL. */
	int ret = qt_syncobj_wait(fd, &handle, 1, 0, 0);

	if (ret == -EINVAL)
		return 0;
	if (ret == 0 || ret == -ETIME)
		return 1;
	return ret;
}

/* ---- random numbers ----------------------------------------------------- */

void qt_rng_seed(struct qt_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!r->s)
		r->s = 1;
}

uint32_t qt_rand(struct qt_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32);
}

int64_t qt_rand_range(struct qt_rng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;
	uint64_t v = ((uint64_t)qt_rand(r) << 32) | qt_rand(r);

	return span ? lo + (int64_t)(v % span) : (int64_t)v;
}

/* ---- GEMM host side ----------------------------------------------------- */

uint32_t qt_out_elem(uint32_t flags)
{
	switch (flags & (DRM_QACCEL_GEMM_OUT_S8 | DRM_QACCEL_GEMM_OUT_U8 |
			 DRM_QACCEL_GEMM_OUT_S32)) {
	case DRM_QACCEL_GEMM_OUT_S8:
	case DRM_QACCEL_GEMM_OUT_U8:
		return 1;
	case DRM_QACCEL_GEMM_OUT_S32:
		return 4;
	default:
		return 0;
	}
}

static uint32_t qt_out_type(uint32_t flags)
{
	if (flags & DRM_QACCEL_GEMM_OUT_S32)
		return QA1E_OUT_S32;
	if (flags & DRM_QACCEL_GEMM_OUT_U8)
		return QA1E_OUT_U8;
	return QA1E_OUT_S8;
}

static void qt_put_le32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

void qt_pack(uint32_t n, uint32_t k, const int8_t *w, const int32_t *bias,
	     const int32_t *wzp, const int32_t *mult, const int32_t *shift, uint8_t *out)
{
	uint32_t kk, j;

	memset(out, 0, qa1e_packed_bytes(n, k));
	for (j = 0; j < n; j++) {
		uint32_t colsum = 0;

		for (kk = 0; kk < k; kk++) {
			int8_t v = w[(size_t)kk * n + j];

			out[qa1e_w_offset(k, kk, j)] = (uint8_t)v;
			colsum += (uint32_t)(int32_t)v;
		}
		qt_put_le32(out + qa1e_off_bias(n, k) + 4ull * j, bias[j]);
		qt_put_le32(out + qa1e_off_colsum(n, k) + 4ull * j, (int32_t)colsum);
		qt_put_le32(out + qa1e_off_wzp(n, k) + 4ull * j, wzp[j]);
		qt_put_le32(out + qa1e_off_mult(n, k) + 4ull * j, mult[j]);
		qt_put_le32(out + qa1e_off_shift(n, k) + 4ull * j, shift[j]);
	}
}

static uint32_t qt_isqrt(uint64_t v)
{
	uint64_t r = 0;

	while ((r + 1) * (r + 1) <= v)
		r++;
	return (uint32_t)r;
}

int qt_gemm_init(struct qt_gemm *q, uint32_t m, uint32_t n, uint32_t k, uint32_t flags,
		 uint32_t lda_pad, uint32_t ldc_pad, struct qt_rng *r)
{
	uint32_t elem = qt_out_elem(flags), j;
	uint64_t est;
	int base_shift;
	size_t i;

	memset(q, 0, sizeof(*q));
	q->flags = flags;
	q->g.m = m;
	q->g.n = n;
	q->g.k = k;
	q->g.lda = k + lda_pad;
	q->g.ldc = n * elem + ldc_pad;
	q->g.a_signed = !!(flags & DRM_QACCEL_GEMM_A_S8);
	q->g.out_type = qt_out_type(flags);
	q->a_bytes = qa1e_a_bytes(&q->g);
	q->c_bytes = qa1e_c_bytes(&q->g);
	q->packed_bytes = qa1e_packed_bytes(n, k);

	q->a = malloc(q->a_bytes);
	q->w = malloc((size_t)k * n);
	q->bias = calloc(n, sizeof(int32_t));
	q->wzp = calloc(n, sizeof(int32_t));
	q->mult = calloc(n, sizeof(int32_t));
	q->shift = calloc(n, sizeof(int32_t));
	q->packed = malloc(q->packed_bytes);
	q->expect = malloc(q->c_bytes);
	if (!q->a || !q->w || !q->bias || !q->wzp || !q->mult || !q->shift || !q->packed ||
	    !q->expect) {
		qt_gemm_free(q);
		return -ENOMEM;
	}

	/* Stride padding of A gets bytes the engine must ignore. */
	for (i = 0; i < q->a_bytes; i++)
		q->a[i] = (uint8_t)qt_rand(r);
	for (i = 0; i < (size_t)k * n; i++)
		q->w[i] = (int8_t)qt_rand(r);

	q->g.a_zp = q->g.a_signed ? (int32_t)qt_rand_range(r, -128, 127)
				  : (int32_t)qt_rand_range(r, 0, 255);

	/* Typical |acc|: 128 * 74 * sqrt(K); scale it to about 64. */
	est = 128ull * 74 * (qt_isqrt(k) + 1);
	base_shift = 0;
	while (base_shift > -31 && (est >> -base_shift) > 85)
		base_shift--;

	for (j = 0; j < n; j++) {
		q->bias[j] = (int32_t)qt_rand_range(r, -65536, 65536);
		q->wzp[j] = (qt_rand(r) % 4 == 0) ? (int32_t)qt_rand_range(r, -128, 127) : 0;
		q->mult[j] = (int32_t)qt_rand_range(r, 1 << 30, 0x7fffffff);
		q->shift[j] = base_shift + (int32_t)qt_rand_range(r, -1, 1);
		if (q->shift[j] < QA1E_SHIFT_MIN)
			q->shift[j] = QA1E_SHIFT_MIN;
	}

	switch (q->g.out_type) {
	case QA1E_OUT_S8:
		q->g.out_zp = (int32_t)qt_rand_range(r, -40, 40);
		q->g.act_min = -128;
		q->g.act_max = 127;
		break;
	case QA1E_OUT_U8:
		q->g.out_zp = (int32_t)qt_rand_range(r, 90, 170);
		q->g.act_min = 0;
		q->g.act_max = 255;
		break;
	default:
		q->g.out_zp = q->g.act_min = q->g.act_max = 0;
		break;
	}
	if (q->g.out_type != QA1E_OUT_S32 && qt_rand(r) % 4 == 0)
		q->g.act_min = q->g.out_zp;	/* a fused ReLU */
	return 0;
}

void qt_gemm_finish(struct qt_gemm *q)
{
	uint32_t j;

	q->g.a_signed = !!(q->flags & DRM_QACCEL_GEMM_A_S8);
	q->g.out_type = qt_out_type(q->flags);
	qt_pack(q->g.n, q->g.k, q->w, q->bias, q->wzp, q->mult, q->shift, q->packed);
	if (q->corrupt_colsum) {
		for (j = 0; j < q->g.n; j++) {
			uint8_t *p = q->packed + qa1e_off_colsum(q->g.n, q->g.k) + 4ull * j;

			p[0] ^= 0x5a;
			p[3] ^= 0x81;
		}
	}
	memset(q->expect, QT_C_FILL, q->c_bytes);
	if (qa1e_gemm_check(&q->g) == 0)
		qa1e_gemm(&q->g, q->a, q->packed, q->expect);
}

void qt_gemm_free(struct qt_gemm *q)
{
	free(q->a);
	free(q->w);
	free(q->bias);
	free(q->wzp);
	free(q->mult);
	free(q->shift);
	free(q->packed);
	free(q->expect);
	memset(q, 0, sizeof(*q));
}

void qt_job_fill(struct drm_qaccel_job *job, const struct qt_gemm *q, uint64_t a_va,
		 uint64_t w_va, uint64_t c_va)
{
	memset(job, 0, sizeof(*job));
	job->type = DRM_QACCEL_JOB_GEMM;
	job->gemm.a_va = a_va;
	job->gemm.w_va = w_va;
	job->gemm.c_va = c_va;
	job->gemm.m = q->g.m;
	job->gemm.n = q->g.n;
	job->gemm.k = q->g.k;
	job->gemm.lda = q->g.lda;
	job->gemm.ldc = q->g.ldc;
	job->gemm.flags = q->flags;
	job->gemm.a_zp = q->g.a_zp;
	job->gemm.out_zp = q->g.out_zp;
	job->gemm.act_min = q->g.act_min;
	job->gemm.act_max = q->g.act_max;
}

int qt_compare(const uint8_t *got, const uint8_t *expect, size_t len, char *why, size_t whylen)
{
	size_t i, bad = 0, first = 0;

	for (i = 0; i < len; i++) {
		if (got[i] != expect[i]) {
			if (!bad)
				first = i;
			bad++;
		}
	}
	if (!bad)
		return 0;
	if (why)
		snprintf(why, whylen, "%zu of %zu bytes differ, first at %zu: got 0x%02x expected 0x%02x",
			 bad, len, first, got[first], expect[first]);
	return 1;
}

/* ---- placed GEMMs ------------------------------------------------------- */

int qt_placed_new(int fd, struct qt_placed *p, uint32_t m, uint32_t n, uint32_t k,
		  uint32_t flags, struct qt_rng *r)
{
	int ret;

	memset(p, 0, sizeof(*p));
	ret = qt_gemm_init(&p->q, m, n, k, flags, 0, 0, r);
	if (ret)
		return ret;
	qt_gemm_finish(&p->q);
	return qt_placed_from(fd, p, 0, 0, 0);
}

int qt_placed_from(int fd, struct qt_placed *p, uint64_t a_off, uint64_t w_off, uint64_t c_off)
{
	int ret;

	memset(&p->a, 0, sizeof(p->a));
	memset(&p->w, 0, sizeof(p->w));
	memset(&p->c, 0, sizeof(p->c));
	p->a_off = a_off;
	p->w_off = w_off;
	p->c_off = c_off;
	ret = qt_bo_new(fd, a_off + p->q.a_bytes, 0, &p->a);
	if (!ret)
		ret = qt_bo_new(fd, w_off + p->q.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY,
				&p->w);
	if (!ret)
		ret = qt_bo_new(fd, c_off + p->q.c_bytes, 0, &p->c);
	if (ret) {
		qt_placed_free(fd, p);
		return ret;
	}
	memset(p->a.map, 0xee, p->a.size);
	memset(p->w.map, 0xee, p->w.size);
	memcpy(p->a.map + a_off, p->q.a, p->q.a_bytes);
	memcpy(p->w.map + w_off, p->q.packed, p->q.packed_bytes);
	qt_placed_reset_c(p);
	qt_job_fill(&p->job, &p->q, p->a.va + a_off, p->w.va + w_off, p->c.va + c_off);
	return 0;
}

void qt_placed_reset_c(struct qt_placed *p)
{
	memset(p->c.map, QT_C_FILL, p->c.size);
}

int qt_placed_submit(int fd, struct qt_placed *p, uint32_t queue, const uint32_t *in,
		     uint32_t nin, uint32_t out_syncobj, uint64_t *seqno)
{
	uint32_t rd[2] = { p->a.handle, p->w.handle };

	return qt_submit(fd, queue, &p->job, 1, rd, 2, &p->c.handle, 1, in, nin, out_syncobj,
			 seqno);
}

int qt_placed_check(const struct qt_placed *p, char *why, size_t whylen)
{
	uint64_t i, end = p->c_off + p->q.c_bytes;

	for (i = 0; i < p->c.size; i++) {
		if (i == p->c_off) {
			i = end - 1;
			continue;
		}
		if (p->c.map[i] != QT_C_FILL) {
			if (why)
				snprintf(why, whylen, "byte %llu of C's BO outside the output changed to 0x%02x",
					 (unsigned long long)i, p->c.map[i]);
			return 1;
		}
	}
	return qt_compare(p->c.map + p->c_off, p->q.expect, p->q.c_bytes, why, whylen);
}

void qt_placed_free(int fd, struct qt_placed *p)
{
	qt_bo_free(fd, &p->a);
	qt_bo_free(fd, &p->w);
	qt_bo_free(fd, &p->c);
	qt_gemm_free(&p->q);
}

int qt_placed_run(int fd, struct qt_placed *p, uint32_t queue, int64_t timeout_ns,
		  char *why, size_t whylen)
{
	uint64_t seqno = 0;
	int32_t status = 0;
	int ret;

	ret = qt_placed_submit(fd, p, queue, NULL, 0, 0, &seqno);
	if (ret) {
		snprintf(why, whylen, "SUBMIT failed: %s", strerror(-ret));
		return ret;
	}
	ret = qt_job_wait(fd, queue, seqno, timeout_ns, &status);
	if (ret) {
		snprintf(why, whylen, "JOB_WAIT(queue %u, seqno %llu) failed: %s", queue,
			 (unsigned long long)seqno, strerror(-ret));
		return ret;
	}
	if (status) {
		snprintf(why, whylen, "job status %d (%s)", status, strerror(-status));
		return 1;
	}
	return qt_placed_check(p, why, whylen);
}

/* ---- sysfs, debugfs ----------------------------------------------------- */

int qt_sysfs_path(const struct qaccel_node *node, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/sys/dev/char/%u:%u/device/qaccel/%s",
			 major(node->rdev), minor(node->rdev), name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int qt_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return (int)total;
}

static int qt_write_file(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == strlen(text) ? 0 : -EIO;
}

int qt_counter(const struct qaccel_node *node, const char *name, long long *value)
{
	char path[QACCEL_PATH_MAX], buf[64], *end;
	int ret;

	ret = qt_sysfs_path(node, name, path, sizeof(path));
	if (ret)
		return ret;
	ret = qt_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	*value = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int qt_counter_settle(const struct qaccel_node *node, const char *name, long long expect,
		      int timeout_ms, long long *seen)
{
	int64_t deadline = qt_now_ns() + (int64_t)timeout_ms * QT_MS;
	int ret;

	for (;;) {
		ret = qt_counter(node, name, seen);
		if (ret)
			return ret;
		if (*seen == expect)
			return 0;
		if (qt_now_ns() > deadline)
			return -ETIME;
		qt_sleep_ms(20);
	}
}

int qt_live_bos_settle(const struct qaccel_node *node, long long expect, int timeout_ms,
		       long long *seen)
{
	return qt_counter_settle(node, "live_bos", expect, timeout_ms, seen);
}

/* Name of the node's bus device ("qaccel-emu.0"): 0 or -errno. */
static int qt_bus_name(const struct qaccel_node *node, char *buf, size_t len)
{
	char link[96], target[512];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", major(node->rdev),
		 minor(node->rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/*
 * The DRM debugfs directory of a node: /sys/kernel/debug/dri/<minor>/ on
 * kernels without the accel core (the render minor; the primary minor's
 * directory is tried too), and on accel kernels the directory the DRM core
 * names after the device (/sys/kernel/debug/accel/<bus device>/ on 6.12),
 * or /sys/kernel/debug/accel/<minor>/ where the core uses the minor.
 */
int qt_debugfs_path(const struct qaccel_node *node, const char *name, char *buf, size_t len)
{
	char bus[64] = "";
	char dir[40];
	struct dirent *de;
	DIR *d;
	int n;

	n = snprintf(buf, len, "/sys/kernel/debug/%s/%u/%s", node->accel ? "accel" : "dri",
		     minor(node->rdev), name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (access(buf, F_OK) == 0)
		return 0;
	if (qt_bus_name(node, bus, sizeof(bus)))
		return -ENOENT;
	snprintf(buf, len, "/sys/kernel/debug/%s/%s/%s", node->accel ? "accel" : "dri", bus, name);
	if (access(buf, F_OK) == 0)
		return 0;
	/* Any DRM debugfs directory whose "name" names this device. */
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/%s", node->accel ? "accel" : "dri");
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		char path[QACCEL_PATH_MAX + 300], text[256];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/name", dir, de->d_name);
		if (qt_read_file(path, text, sizeof(text)) <= 0 || !strstr(text, bus))
			continue;
		if (snprintf(buf, len, "%s/%.64s/%s", dir, de->d_name, name) >= (int)len)
			continue;
		if (access(buf, F_OK) == 0) {
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -ENOENT;
}

int qt_inject(const struct qaccel_node *node, const char *cmd)
{
	char path[QACCEL_PATH_MAX];
	int ret = qt_debugfs_path(node, "inject", path, sizeof(path));

	return ret ? ret : qt_write_file(path, cmd);
}

int qt_debugfs_read(const struct qaccel_node *node, const char *name, char *buf, size_t len)
{
	char path[QACCEL_PATH_MAX];
	int ret = qt_debugfs_path(node, name, path, sizeof(path));

	return ret ? ret : qt_read_file(path, buf, len);
}

/* ---- devcoredump -------------------------------------------------------- */

#define QT_DEVCD_DIR	"/sys/class/devcoredump"

int qt_devcd_list(char names[][32], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(QT_DEVCD_DIR);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		if (strncmp(de->d_name, "devcd", 5) || strlen(de->d_name) >= 32)
			continue;
		strcpy(names[n++], de->d_name);
	}
	closedir(d);
	return n;
}

long qt_devcd_read_free(const char *name)
{
	char path[128], buf[4096];
	long total = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), QT_DEVCD_DIR "/%s/data", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		total = -errno;
	close(fd);
	qt_write_file(path, "1");
	return total;
}

int qt_devcd_free_all(void)
{
	char names[QT_DEVCD_MAX][32];
	char path[160];
	int n, i;

	n = qt_devcd_list(names, QT_DEVCD_MAX);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), QT_DEVCD_DIR "/%.32s/data", names[i]);
		qt_write_file(path, "1");
	}
	return n < 0 ? 0 : n;
}

/* ---- fdinfo ------------------------------------------------------------- */

int qt_fdinfo(int fd, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int found = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, len, "%s", v);
		found = 0;
		break;
	}
	fclose(f);
	return found;
}
