// SPDX-License-Identifier: MIT
/*
 * The fake qaccel device of fakedev.h. One state per open file (an fd of
 * /dev/null): its BOs with their device addresses, its queue 0 and the
 * statuses of its submissions. One engine thread runs the submissions of
 * every file in order. Everything is under one mutex.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "qaccel_accel.h"
#include "qaccel_engine.h"
#include "fakedev.h"

#define FK_MAX_FD	1024
#define FK_MAX_BO	512
#define FK_STATUS	4096		/* statuses remembered per file (>= history) */
#define FK_VA_START	(1ull << 20)
#define FK_VA_END	(1ull << 32)

struct fk_bo {
	uint32_t handle;
	int memfd;
	uint8_t *map;			/* the engine's mapping */
	uint64_t size, va;
	uint32_t flags;
	unsigned int pending;		/* queued jobs using it */
};

struct fk_file {
	bool open;
	uint64_t next_va;
	uint32_t next_handle;
	struct fk_bo *bo[FK_MAX_BO];
	uint64_t seq_assigned, seq_done;
	int32_t status[FK_STATUS];
};

struct fk_job {
	struct drm_qaccel_gemm g;
	struct fk_bo *bo[3];
};

struct fk_sub {
	int fd;
	uint64_t seqno;
	int status;			/* forced status, 0 otherwise */
	uint32_t count;
	struct fk_job *jobs;
	struct fk_sub *next;
};

static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fk_cond = PTHREAD_COND_INITIALIZER;	/* work or completions */
static struct fk_file *fk_files[FK_MAX_FD];
static struct fk_sub *fk_head, *fk_tail;
static bool fk_engine_started;
static struct fakedev_cfg fk_cfg;
static bool fk_cfg_set;
static struct fakedev_stats fk_stats;

void fakedev_defaults(struct fakedev_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_jobs = 5;
	cfg->history = 4;
	cfg->max_m = 65536;
	cfg->max_n = 8192;
	cfg->max_k = 8192;
	cfg->max_bo_size = 1ull << 28;
}

static void fk_cfg_init(void)
{
	if (!fk_cfg_set) {
		fakedev_defaults(&fk_cfg);
		fk_cfg_set = true;
	}
}

void fakedev_configure(const struct fakedev_cfg *cfg)
{
	pthread_mutex_lock(&fk_lock);
	fk_cfg = *cfg;
	fk_cfg_set = true;
	pthread_mutex_unlock(&fk_lock);
}

void fakedev_get_stats(struct fakedev_stats *st)
{
	pthread_mutex_lock(&fk_lock);
	*st = fk_stats;
	pthread_mutex_unlock(&fk_lock);
}

static void fk_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fk_violation(const char *fmt, ...)
{
	va_list ap;

	fk_stats.violations++;
	va_start(ap, fmt);
	vsnprintf(fk_stats.last_violation, sizeof(fk_stats.last_violation), fmt, ap);
	va_end(ap);
}

static bool fk_is_fake(int fd)
{
	struct stat st;

	return fd >= 0 && fd < FK_MAX_FD && !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

/* Under fk_lock. */
static struct fk_file *fk_file(int fd)
{
	struct fk_file *f = fk_files[fd];

	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			abort();
		f->open = true;
		f->next_va = FK_VA_START;
		f->next_handle = 1;
		fk_files[fd] = f;
	}
	return f;
}

static struct fk_bo *fk_bo(struct fk_file *f, uint32_t handle)
{
	return handle && handle < FK_MAX_BO ? f->bo[handle] : NULL;
}

static void fk_bo_free(struct fk_bo *b)
{
	syscall(SYS_munmap, b->map, b->size);
	syscall(SYS_close, b->memfd);
	free(b);
	fk_stats.live_bos--;
}

/* ---- the engine ---- */

static void *fk_engine(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fk_lock);
	for (;;) {
		struct fk_sub *s;
		uint32_t i, j;

		while (!fk_head)
			pthread_cond_wait(&fk_cond, &fk_lock);
		s = fk_head;
		pthread_mutex_unlock(&fk_lock);
		for (i = 0; i < s->count; i++) {
			struct fk_job *jb = &s->jobs[i];
			struct drm_qaccel_gemm *g = &jb->g;
			struct qa1e_gemm e;

			memset(&e, 0, sizeof(e));
			e.m = g->m;
			e.n = g->n;
			e.k = g->k;
			e.lda = g->lda;
			e.ldc = g->ldc;
			e.a_signed = !!(g->flags & DRM_QACCEL_GEMM_A_S8);
			e.out_type = g->flags & DRM_QACCEL_GEMM_OUT_S8 ? QA1E_OUT_S8 :
				     g->flags & DRM_QACCEL_GEMM_OUT_U8 ? QA1E_OUT_U8 : QA1E_OUT_S32;
			e.a_zp = g->a_zp;
			e.out_zp = g->out_zp;
			e.act_min = g->act_min;
			e.act_max = g->act_max;
			if (!s->status)
				qa1e_gemm(&e, jb->bo[0]->map + (g->a_va - jb->bo[0]->va),
					  jb->bo[1]->map + (g->w_va - jb->bo[1]->va),
					  jb->bo[2]->map + (g->c_va - jb->bo[2]->va));
			if (fk_cfg.delay_us)
				usleep(fk_cfg.delay_us);
		}
		pthread_mutex_lock(&fk_lock);
		for (i = 0; i < s->count; i++)
			for (j = 0; j < 3; j++)
				s->jobs[i].bo[j]->pending--;
		if (fk_files[s->fd]) {
			struct fk_file *f = fk_files[s->fd];

			f->status[s->seqno % FK_STATUS] = s->status;
			f->seq_done = s->seqno;
		}
		fk_stats.jobs += s->count;
		fk_head = s->next;
		if (!fk_head)
			fk_tail = NULL;
		free(s->jobs);
		free(s);
		pthread_cond_broadcast(&fk_cond);
	}
	return NULL;
}

/* ---- ioctls (under fk_lock) ---- */

static int fk_version(struct drm_version *v)
{
	static const char name[] = "qaccel", date[] = "20260101", desc[] = "fake QA1 (test)";

#define FK_PUT(field, str) do {							\
		size_t __n = v->field##_len < sizeof(str) - 1 ? v->field##_len : sizeof(str) - 1; \
		if (v->field && __n)						\
			memcpy(v->field, str, __n);				\
		v->field##_len = sizeof(str) - 1;				\
	} while (0)
	v->version_major = 1;
	v->version_minor = 0;
	v->version_patchlevel = 0;
	FK_PUT(name, name);
	FK_PUT(date, date);
	FK_PUT(desc, desc);
#undef FK_PUT
	return 0;
}

static int fk_get_param(struct drm_qaccel_get_param *gp)
{
	uint64_t v;

	if (gp->pad)
		return -EINVAL;
	switch (gp->param) {
	case DRM_QACCEL_PARAM_UAPI_VERSION: v = 1; break;
	case DRM_QACCEL_PARAM_DEVICE_ID: v = 0x51413100; break;
	case DRM_QACCEL_PARAM_HW_VERSION: v = 0x10000; break;
	case DRM_QACCEL_PARAM_CAPABILITIES: v = 0x7f; break;
	case DRM_QACCEL_PARAM_MAX_M: v = fk_cfg.max_m; break;
	case DRM_QACCEL_PARAM_MAX_N: v = fk_cfg.max_n; break;
	case DRM_QACCEL_PARAM_MAX_K: v = fk_cfg.max_k; break;
	case DRM_QACCEL_PARAM_VA_BITS: v = 32; break;
	case DRM_QACCEL_PARAM_VA_START: v = FK_VA_START; break;
	case DRM_QACCEL_PARAM_VA_END: v = FK_VA_END; break;
	case DRM_QACCEL_PARAM_PAGE_SIZE: v = 4096; break;
	case DRM_QACCEL_PARAM_RING_ENTRIES: v = 256; break;
	case DRM_QACCEL_PARAM_MAX_JOBS: v = fk_cfg.max_jobs; break;
	case DRM_QACCEL_PARAM_EMULATED: v = 1; break;
	case DRM_QACCEL_PARAM_MAX_BO_SIZE: v = fk_cfg.max_bo_size; break;
	case DRM_QACCEL_PARAM_MAX_QUEUES: v = 16; break;
	case DRM_QACCEL_PARAM_JOB_HISTORY:
		if (!fk_cfg.history)
			return -EINVAL;
		v = fk_cfg.history;
		break;
	default:
		return -EINVAL;
	}
	gp->value = v;
	return 0;
}

static int fk_bo_create(struct fk_file *f, struct drm_qaccel_bo_create *bc)
{
	struct fk_bo *b;
	uint32_t h;

	if (!bc->size || (bc->flags & ~DRM_QACCEL_BO_FLAGS))
		return -EINVAL;
	if (bc->size > fk_cfg.max_bo_size)
		return -E2BIG;
	if (bc->size & 4095)
		fk_violation("BO_CREATE size %llu is not page aligned",
			     (unsigned long long)bc->size);
	for (h = 1; h < FK_MAX_BO && f->bo[h]; h++)
		;
	if (h == FK_MAX_BO || f->next_va + bc->size > FK_VA_END)
		return -ENOSPC;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->size = (bc->size + 4095) & ~4095ull;
	b->memfd = (int)syscall(SYS_memfd_create, "fakebo", 0);
	if (b->memfd < 0 || ftruncate(b->memfd, (off_t)b->size)) {
		free(b);
		return -ENOMEM;
	}
	b->map = (uint8_t *)syscall(SYS_mmap, NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED,
				    b->memfd, 0);
	if (b->map == (uint8_t *)-1) {
		syscall(SYS_close, b->memfd);
		free(b);
		return -ENOMEM;
	}
	b->handle = h;
	b->flags = bc->flags;
	b->va = f->next_va;
	f->next_va += b->size + 4096;	/* a guard page between BOs */
	f->bo[h] = b;
	fk_stats.live_bos++;
	bc->handle = h;
	bc->va = b->va;
	bc->mmap_offset = (uint64_t)h << 32;
	return 0;
}

static int fk_gem_close(struct fk_file *f, struct drm_gem_close *gc)
{
	struct fk_bo *b = fk_bo(f, gc->handle);

	if (!b)
		return -EINVAL;
	if (b->pending) {
		fk_violation("GEM_CLOSE of BO %u while %u queued jobs use it", b->handle,
			     b->pending);
		return -EBUSY;
	}
	f->bo[gc->handle] = NULL;
	fk_bo_free(b);
	return 0;
}

/* The BO of list (handles, n) containing [va, va + len), or NULL. */
static struct fk_bo *fk_find(struct fk_file *f, const uint32_t *handles, uint32_t n,
			     uint64_t va, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct fk_bo *b = fk_bo(f, handles[i]);

		if (b && va >= b->va && len <= b->size && va - b->va <= b->size - len)
			return b;
	}
	return NULL;
}

static int fk_check_job(struct fk_file *f, const struct drm_qaccel_job *kj, const uint32_t *rh,
			uint32_t nr, const uint32_t *wh, uint32_t nw, struct fk_job *out)
{
	const struct drm_qaccel_gemm *g = &kj->gemm;
	uint32_t outs = g->flags & (DRM_QACCEL_GEMM_OUT_S8 | DRM_QACCEL_GEMM_OUT_U8 |
				    DRM_QACCEL_GEMM_OUT_S32);
	uint64_t esz = outs == DRM_QACCEL_GEMM_OUT_S32 ? 4 : 1, alen, wlen, clen;
	int lo, hi;

	if (kj->type != DRM_QACCEL_JOB_GEMM || kj->flags || (g->flags & ~DRM_QACCEL_GEMM_FLAGS) ||
	    (outs & (outs - 1)) || !outs)
		return -EINVAL;
	if (!g->m || !g->n || !g->k)
		return -EINVAL;
	if (g->m > fk_cfg.max_m || g->n > fk_cfg.max_n || g->k > fk_cfg.max_k)
		return -E2BIG;
	if (g->lda < g->k || g->ldc < g->n * esz)
		return -EINVAL;
	lo = g->flags & DRM_QACCEL_GEMM_A_S8 ? -128 : 0;
	if (g->a_zp < lo || g->a_zp > lo + 255)
		return -EINVAL;
	if (outs == DRM_QACCEL_GEMM_OUT_S32) {
		if (g->out_zp || g->act_min || g->act_max)
			return -EINVAL;
	} else {
		lo = outs == DRM_QACCEL_GEMM_OUT_S8 ? -128 : 0;
		hi = lo + 255;
		if (g->out_zp < lo || g->out_zp > hi || g->act_min < lo || g->act_max > hi ||
		    g->act_min > g->act_max)
			return -EINVAL;
	}
	alen = (uint64_t)(g->m - 1) * g->lda + g->k;
	wlen = qa1e_packed_bytes(g->n, g->k);
	clen = (uint64_t)(g->m - 1) * g->ldc + g->n * esz;
	out->g = *g;
	out->bo[0] = fk_find(f, rh, nr, g->a_va, alen);
	if (!out->bo[0])
		out->bo[0] = fk_find(f, wh, nw, g->a_va, alen);
	out->bo[1] = fk_find(f, rh, nr, g->w_va, wlen);
	if (!out->bo[1])
		out->bo[1] = fk_find(f, wh, nw, g->w_va, wlen);
	out->bo[2] = fk_find(f, wh, nw, g->c_va, clen);
	if (!out->bo[0] || !out->bo[1])
		return -EINVAL;
	if (!out->bo[2])
		return fk_find(f, rh, nr, g->c_va, clen) ? -EACCES : -EINVAL;
	if (out->bo[2]->flags & DRM_QACCEL_BO_DEVICE_READONLY)
		return -EACCES;
	return 0;
}

static int fk_submit(int fd, struct fk_file *f, struct drm_qaccel_submit *sb)
{
	const struct drm_qaccel_job *kj = (const void *)(uintptr_t)sb->jobs;
	const uint32_t *rh = (const void *)(uintptr_t)sb->read_handles;
	const uint32_t *wh = (const void *)(uintptr_t)sb->write_handles;
	struct fk_sub *s;
	uint32_t i, j;
	int err;

	if (fk_cfg.fail_submit_call && !--fk_cfg.fail_submit_call)
		return fk_cfg.fail_submit_err;
	if (sb->flags || sb->in_syncobj_count || sb->out_syncobj || sb->queue_id)
		return -EINVAL;
	if (!sb->job_count || sb->job_size < DRM_QACCEL_JOB_SIZE_V1 || sb->job_size % 8)
		return -EINVAL;
	if (sb->job_count > fk_cfg.max_jobs || sb->read_count > 256 || sb->write_count > 256)
		return -E2BIG;
	for (i = 0; i < sb->read_count; i++)
		for (j = 0; j < sb->write_count; j++)
			if (rh[i] == wh[j])
				fk_violation("handle %u in both the read and the write list", rh[i]);
	for (i = 0; i < sb->read_count + sb->write_count; i++) {
		uint32_t h = i < sb->read_count ? rh[i] : wh[i - sb->read_count];

		if (!fk_bo(f, h))
			return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->jobs = calloc(sb->job_count, sizeof(*s->jobs));
	if (!s->jobs) {
		free(s);
		return -ENOMEM;
	}
	for (i = 0; i < sb->job_count; i++) {
		err = fk_check_job(f, (const void *)((const uint8_t *)kj + (size_t)i * sb->job_size),
				   rh, sb->read_count, wh, sb->write_count, &s->jobs[i]);
		if (err) {
			fk_violation("SUBMIT job %u rejected: %d", i, err);
			free(s->jobs);
			free(s);
			return err;
		}
	}
	for (i = 0; i < sb->job_count; i++)
		for (j = 0; j < 3; j++)
			s->jobs[i].bo[j]->pending++;
	s->fd = fd;
	s->count = sb->job_count;
	s->seqno = ++f->seq_assigned;
	if (fk_cfg.fail_status_call && !--fk_cfg.fail_status_call)
		s->status = fk_cfg.fail_status;
	if (fk_tail)
		fk_tail->next = s;
	else
		fk_head = s;
	fk_tail = s;
	sb->seqno = s->seqno;
	fk_stats.submits++;
	if (sb->job_count > fk_stats.max_batch)
		fk_stats.max_batch = sb->job_count;
	if (!fk_engine_started) {
		pthread_t t;

		if (pthread_create(&t, NULL, fk_engine, NULL))
			abort();
		pthread_detach(t);
		fk_engine_started = true;
	}
	pthread_cond_broadcast(&fk_cond);
	return 0;
}

static int fk_job_wait(struct fk_file *f, struct drm_qaccel_job_wait *jw)
{
	struct timespec dl;

	if (jw->flags || jw->pad || jw->queue_id || jw->timeout_ns < 0)
		return -EINVAL;
	if (!jw->seqno || jw->seqno > f->seq_assigned)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += jw->timeout_ns / 1000000000;
	dl.tv_nsec += jw->timeout_ns % 1000000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	while (f->seq_done < jw->seqno) {
		if (!jw->timeout_ns || pthread_cond_timedwait(&fk_cond, &fk_lock, &dl))
			if (f->seq_done < jw->seqno)
				return -ETIME;
	}
	if (fk_cfg.history && jw->seqno + fk_cfg.history <= f->seq_assigned) {
		fk_stats.enodata++;
		jw->status = -ENODATA;
	} else {
		jw->status = f->status[jw->seqno % FK_STATUS];
	}
	return 0;
}

/* ---- the interposed calls ---- */

int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	struct fk_file *f;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fk_is_fake(fd))
		return (int)syscall(SYS_ioctl, fd, req, arg);

	pthread_mutex_lock(&fk_lock);
	fk_cfg_init();
	f = fk_file(fd);
	if (req == DRM_IOCTL_VERSION) {
		ret = arg ? fk_version(arg) : -EFAULT;
	} else if (req == DRM_IOCTL_GEM_CLOSE) {
		ret = arg ? fk_gem_close(f, arg) : -EFAULT;
	} else if (req == DRM_IOCTL_QACCEL_GET_PARAM) {
		ret = arg ? fk_get_param(arg) : -EFAULT;
	} else if (req == DRM_IOCTL_QACCEL_BO_CREATE || req == DRM_IOCTL_QACCEL_SUBMIT ||
		   req == DRM_IOCTL_QACCEL_JOB_WAIT || req == DRM_IOCTL_QACCEL_BO_INFO ||
		   req == DRM_IOCTL_QACCEL_BO_WAIT) {
		if (fk_cfg.no_job_ioctls)
			ret = -EINVAL;
		else if (!arg)
			ret = -EFAULT;
		else if (req == DRM_IOCTL_QACCEL_BO_CREATE)
			ret = fk_bo_create(f, arg);
		else if (req == DRM_IOCTL_QACCEL_SUBMIT)
			ret = fk_submit(fd, f, arg);
		else if (req == DRM_IOCTL_QACCEL_JOB_WAIT)
			ret = fk_job_wait(f, arg);
		else
			ret = -EINVAL;
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&fk_lock);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct fk_bo *b = NULL;
	long r;

	if (fk_is_fake(fd)) {
		pthread_mutex_lock(&fk_lock);
		if (fk_files[fd])
			b = fk_bo(fk_files[fd], (uint32_t)((uint64_t)off >> 32));
		if (!b || ((uint64_t)off & 0xffffffffu) || len > b->size) {
			if (b)
				fk_violation("mmap of BO %u: offset or length wrong", b->handle);
			pthread_mutex_unlock(&fk_lock);
			errno = EINVAL;
			return MAP_FAILED;
		}
		fd = b->memfd;
		off = 0;
		pthread_mutex_unlock(&fk_lock);
	}
	r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	return r == -1 ? MAP_FAILED : (void *)r;
}

int close(int fd);
int close(int fd)
{
	if (fd >= 0 && fd < FK_MAX_FD) {
		pthread_mutex_lock(&fk_lock);
		if (fk_files[fd]) {
			struct fk_file *f = fk_files[fd];
			struct fk_sub *s;
			int h;

			/* Jobs of the file still queued keep their BOs. */
			for (s = fk_head; s; s = s->next)
				if (s->fd == fd)
					fk_violation("file closed with queued jobs");
			for (h = 0; h < FK_MAX_BO; h++)
				if (f->bo[h]) {
					if (!f->bo[h]->pending)
						fk_bo_free(f->bo[h]);
				}
			free(f);
			fk_files[fd] = NULL;
		}
		pthread_mutex_unlock(&fk_lock);
	}
	return (int)syscall(SYS_close, fd);
}
