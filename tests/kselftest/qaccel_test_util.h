/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the qaccel kselftests: finding the qaccel device nodes
 * and asking them for parameters (the inline functions below), and the
 * helpers of qaccel_test_util.c, linked into every test binary: ioctl
 * presence probes, buffer objects, packed weights and reference results
 * from the reference engine (driver/qaccel_engine.c), submissions, syncobjs,
 * sysfs counters, debugfs fault injection and devcoredumps. None of them
 * uses the kselftest harness: they return 0 or -errno and the tests assert.
 *
 * A qaccel device is a compute accelerator node (/dev/accel/accelN) on
 * kernels with the DRM accel core and a render node (/dev/dri/renderDN)
 * otherwise; a node is qaccel's when DRM_IOCTL_VERSION names the driver
 * "qaccel".
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_TEST_UTIL_H
#define QACCEL_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drm.h"
#include <drm/qaccel_accel.h>

#define QACCEL_DRIVER_NAME	"qaccel"
#define QACCEL_MAX_NODES	64
#define QACCEL_PATH_MAX		288

/* One qaccel device node. */
struct qaccel_node {
	char path[QACCEL_PATH_MAX];
	int accel;		/* 1: /dev/accel/accelN, 0: /dev/dri/renderDN */
	dev_t rdev;
};

/* Name the driver behind fd: 0 and the name in buf, or -errno. */
static inline int qaccel_driver_name(int fd, char *buf, size_t len)
{
	struct drm_version v;

	memset(&v, 0, sizeof(v));
	memset(buf, 0, len);
	v.name = buf;
	v.name_len = len - 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return -errno;
	return 0;
}

/* 1 when fd is a qaccel node, 0 otherwise. */
static inline int qaccel_fd_is_qaccel(int fd)
{
	char name[64];

	return qaccel_driver_name(fd, name, sizeof(name)) == 0 &&
	       strcmp(name, QACCEL_DRIVER_NAME) == 0;
}

static inline int qaccel_node_cmp(const void *a, const void *b)
{
	const struct qaccel_node *x = a, *y = b;

	if (x->accel != y->accel)
		return y->accel - x->accel;
	if (strlen(x->path) != strlen(y->path))
		return strlen(x->path) < strlen(y->path) ? -1 : 1;
	return strcmp(x->path, y->path);
}

static inline void qaccel_scan_dir(const char *dir, const char *prefix, int accel,
				   struct qaccel_node *nodes, int max, int *count)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && *count < max) {
		struct qaccel_node *n = &nodes[*count];

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(n->path, sizeof(n->path), "%s/%s", dir, de->d_name);
		fd = open(n->path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (qaccel_fd_is_qaccel(fd) && fstat(fd, &st) == 0) {
			n->accel = accel;
			n->rdev = st.st_rdev;
			(*count)++;
		}
		close(fd);
	}
	closedir(d);
}

/*
 * Find every qaccel node, accel nodes first, each group in number order.
 * Returns how many were stored in nodes (at most max).
 */
static inline int qaccel_find_nodes(struct qaccel_node *nodes, int max)
{
	int count = 0;

	qaccel_scan_dir("/dev/accel", "accel", 1, nodes, max, &count);
	qaccel_scan_dir("/dev/dri", "renderD", 0, nodes, max, &count);
	qsort(nodes, count, sizeof(*nodes), qaccel_node_cmp);
	return count;
}

/* Open the first qaccel node: an fd, or -ENODEV when there is none. */
static inline int qaccel_open_first(struct qaccel_node *node)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	int fd;

	if (qaccel_find_nodes(nodes, QACCEL_MAX_NODES) < 1)
		return -ENODEV;
	fd = open(nodes[0].path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (node)
		*node = nodes[0];
	return fd;
}

/* 1 when the qaccel module is loaded (or built in). */
static inline int qaccel_module_present(void)
{
	return access("/sys/module/qaccel", F_OK) == 0;
}

/* Value of a qaccel module parameter, or -1 when it cannot be read. */
static inline long qaccel_module_param(const char *name)
{
	char path[128];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/qaccel/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

/* DRM_IOCTL_QACCEL_GET_PARAM: 0 and *value, or -errno. */
static inline int qaccel_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_qaccel_get_param gp;

	memset(&gp, 0, sizeof(gp));
	gp.param = param;
	if (ioctl(fd, DRM_IOCTL_QACCEL_GET_PARAM, &gp))
		return -errno;
	*value = gp.value;
	return 0;
}

/* ---- qaccel_test_util.c ---------------------------------------------- */

#include "qaccel_engine.h"

#define QT_MS		1000000ll		/* nanoseconds per millisecond */
#define QT_SEC		1000000000ll		/* nanoseconds per second */
#define QT_SENTINEL64	0x5a5a5a5a5a5a5a5aull
#define QT_C_FILL	0xa5			/* fill byte of output buffers */
#define QT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Driver ioctls beyond GET_PARAM. The DRM core answers a driver ioctl number
 * the driver has no handler for with -EINVAL before it touches the argument,
 * and one it has with -EFAULT when the argument cannot be read: probing
 * with a NULL argument tells the two apart without calling the handler.
 */
enum qt_ioctl {
	QT_BO_CREATE,
	QT_BO_INFO,
	QT_BO_WAIT,
	QT_QUEUE_CREATE,
	QT_QUEUE_DESTROY,
	QT_SUBMIT,
	QT_JOB_WAIT,
	QT_NR_IOCTLS
};

/* The ioctl's name ("BO_CREATE") and request number. */
const char *qt_ioctl_name(enum qt_ioctl which);
unsigned long qt_ioctl_cmd(enum qt_ioctl which);
/* 1 when the driver behind fd implements the ioctl, 0 when not (cached). */
int qt_have_ioctl(int fd, enum qt_ioctl which);

/* An open file of a qaccel node and the node's parameters. */
struct qt_dev {
	int fd;
	struct qaccel_node node;
	uint64_t caps, max_m, max_n, max_k, va_start, va_end, page_size;
	uint64_t max_jobs, max_bo_size, max_queues, job_history, emulated;
};

/* Open node number index (0 = first, accel nodes first): 0 or -errno. */
int qt_dev_open(struct qt_dev *d, int index);
/* Open another file of the same node as d: an fd or -errno. */
int qt_dev_reopen(const struct qt_dev *d);
void qt_dev_close(struct qt_dev *d);
/* Number of qaccel nodes. */
int qt_node_count(void);

/* A buffer object of one file, optionally mapped. */
struct qt_bo {
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	uint64_t va;
	uint64_t mmap_offset;
	uint8_t *map;		/* NULL when not mapped */
};

/* DRM_IOCTL_QACCEL_BO_CREATE into bo (not mapped): 0 or -errno. */
int qt_bo_create(int fd, uint64_t size, uint32_t flags, struct qt_bo *bo);
/* mmap() the whole BO read/write: 0 or -errno. */
int qt_bo_map(int fd, struct qt_bo *bo);
/* Create and map. */
int qt_bo_new(int fd, uint64_t size, uint32_t flags, struct qt_bo *bo);
/* Unmap and close the handle (nothing when handle is 0). */
void qt_bo_free(int fd, struct qt_bo *bo);
/* DRM_IOCTL_GEM_CLOSE: 0 or -errno. */
int qt_gem_close(int fd, uint32_t handle);
int qt_bo_info(int fd, uint32_t handle, struct drm_qaccel_bo_info *info);
int qt_bo_wait(int fd, uint32_t handle, int64_t timeout_ns);
/* PRIME export (DRM_CLOEXEC | DRM_RDWR): a dma-buf fd or -errno. */
int qt_prime_export(int fd, uint32_t handle);
/* PRIME import: 0 and *handle, or -errno. */
int qt_prime_import(int fd, int dmabuf, uint32_t *handle);

/* Queues. */
int qt_queue_create(int fd, uint32_t priority, uint32_t *queue_id);
int qt_queue_destroy(int fd, uint32_t queue_id);

/* DRM_IOCTL_QACCEL_SUBMIT as given: 0 or -errno. */
int qt_submit_raw(int fd, struct drm_qaccel_submit *s);
/*
 * Submit count jobs of sizeof(struct drm_qaccel_job) to queue: 0 and
 * *seqno (may be NULL), or -errno.
 */
int qt_submit(int fd, uint32_t queue, const struct drm_qaccel_job *jobs, uint32_t count,
	      const uint32_t *rd, uint32_t nrd, const uint32_t *wr, uint32_t nwr,
	      const uint32_t *in, uint32_t nin, uint32_t out_syncobj, uint64_t *seqno);
/* DRM_IOCTL_QACCEL_JOB_WAIT: 0 and *status, or -errno. */
int qt_job_wait(int fd, uint32_t queue, uint64_t seqno, int64_t timeout_ns, int32_t *status);

/* Syncobjs (DRM core). */
int qt_syncobj_create(int fd, uint32_t flags, uint32_t *handle);
int qt_syncobj_destroy(int fd, uint32_t handle);
/* Wait for all of them with a relative timeout: 0 or -errno (-ETIME). */
int qt_syncobj_wait(int fd, const uint32_t *handles, uint32_t count, int64_t timeout_ns,
		    uint32_t flags);
/* 1 when the syncobj holds a fence, 0 when not, or -errno. */
int qt_syncobj_has_fence(int fd, uint32_t handle);

/* Deterministic pseudo-random numbers (xorshift64*). */
struct qt_rng {
	uint64_t s;
};
void qt_rng_seed(struct qt_rng *r, uint64_t seed);
uint32_t qt_rand(struct qt_rng *r);
/* Uniform in [lo, hi] (inclusive). */
int64_t qt_rand_range(struct qt_rng *r, int64_t lo, int64_t hi);

/*
 * One GEMM with its host data: the plain matrices and per-channel arrays
 * (what a test chooses), the packed weight block and the expected output
 * (what qt_gemm_finish() derives with the reference engine).
 */
struct qt_gemm {
	struct qa1e_gemm g;	/* engine view of the parameters */
	uint32_t flags;		/* DRM_QACCEL_GEMM_* */
	uint8_t *a;		/* a_bytes: row m at m * lda */
	size_t a_bytes;
	int8_t *w;		/* K x N, row-major: w[k * n + j] */
	int32_t *bias, *wzp, *mult, *shift;	/* N entries each */
	uint8_t *packed;	/* packed_bytes */
	size_t packed_bytes;
	uint8_t *expect;	/* c_bytes: C as the engine leaves a buffer filled with QT_C_FILL */
	size_t c_bytes;
	int corrupt_colsum;	/* qt_gemm_finish() stores a wrong colsum */
};

/* Element size of a DRM_QACCEL_GEMM_OUT_* flag set (0 when invalid). */
uint32_t qt_out_elem(uint32_t flags);
/*
 * Allocate q for m x n x k with DRM_QACCEL_GEMM_* flags, lda = k + lda_pad,
 * ldc = n * elem + ldc_pad, and fill it with random data and parameters
 * drawn from r (zero points, clamp range and requantization scaled so that
 * outputs spread over the type). The caller may change any plain field,
 * then calls qt_gemm_finish(). 0 or -ENOMEM.
 */
int qt_gemm_init(struct qt_gemm *q, uint32_t m, uint32_t n, uint32_t k, uint32_t flags,
		 uint32_t lda_pad, uint32_t ldc_pad, struct qt_rng *r);
/* Pack the weights and compute the expected output with the reference engine. */
void qt_gemm_finish(struct qt_gemm *q);
void qt_gemm_free(struct qt_gemm *q);
/* Write the packed block of q's weights and arrays (qa1e layout) to out. */
void qt_pack(uint32_t n, uint32_t k, const int8_t *w, const int32_t *bias,
	     const int32_t *wzp, const int32_t *mult, const int32_t *shift, uint8_t *out);
/* The job running q with its operands at the given device VAs. */
void qt_job_fill(struct drm_qaccel_job *job, const struct qt_gemm *q, uint64_t a_va,
		 uint64_t w_va, uint64_t c_va);
/*
 * Compare len bytes: 0 when equal, else 1 and a description of the first
 * difference in why.
 */
int qt_compare(const uint8_t *got, const uint8_t *expect, size_t len, char *why, size_t whylen);

/*
 * A GEMM placed in three BOs of one file: A, the packed weights (a
 * DEVICE_READONLY BO) and C (filled with QT_C_FILL), with its job.
 */
struct qt_placed {
	struct qt_gemm q;
	struct qt_bo a, w, c;
	uint64_t a_off, w_off, c_off;	/* operand offsets inside their BOs */
	struct drm_qaccel_job job;
};

/* Random GEMM m x n x k in new BOs of fd: 0 or -errno. */
int qt_placed_new(int fd, struct qt_placed *p, uint32_t m, uint32_t n, uint32_t k,
		  uint32_t flags, struct qt_rng *r);
/*
 * Place p->q (initialised and finished by the caller; p owns it from now
 * on) in new BOs of fd, each operand at the given byte offset of its BO:
 * 0 or -errno.
 */
int qt_placed_from(int fd, struct qt_placed *p, uint64_t a_off, uint64_t w_off, uint64_t c_off);
/* Refill C's whole BO with QT_C_FILL. */
void qt_placed_reset_c(struct qt_placed *p);
/* Submit p's job (reads A and W, writes C): 0 or -errno. */
int qt_placed_submit(int fd, struct qt_placed *p, uint32_t queue, const uint32_t *in,
		     uint32_t nin, uint32_t out_syncobj, uint64_t *seqno);
/*
 * Compare C with the expected output and check that every byte of C's BO
 * outside the output (before c_off, after the last row) still holds
 * QT_C_FILL (see qt_compare()).
 */
int qt_placed_check(const struct qt_placed *p, char *why, size_t whylen);
void qt_placed_free(int fd, struct qt_placed *p);
/*
 * Submit p on queue, wait up to timeout_ns and compare: 0 when the job
 * completed with status 0 and C is bit-exact; -errno when an ioctl failed;
 * 1 with why filled otherwise (status or data).
 */
int qt_placed_run(int fd, struct qt_placed *p, uint32_t queue, int64_t timeout_ns,
		  char *why, size_t whylen);

/* sysfs attribute group "qaccel" of the node's bus device. */
int qt_sysfs_path(const struct qaccel_node *node, const char *name, char *buf, size_t len);
/* Read one decimal counter: 0 and *value, or -errno. */
int qt_counter(const struct qaccel_node *node, const char *name, long long *value);
/*
 * Poll counter name until it equals expect, for at most timeout_ms: 0 when
 * it did, -ETIME when not (*seen holds the last value), other -errno when
 * it cannot be read.
 */
int qt_counter_settle(const struct qaccel_node *node, const char *name, long long expect,
		      int timeout_ms, long long *seen);
/* qt_counter_settle() of live_bos. */
int qt_live_bos_settle(const struct qaccel_node *node, long long expect, int timeout_ms,
		       long long *seen);

/* The node's debugfs directory file: 0 and the path, or -errno. */
int qt_debugfs_path(const struct qaccel_node *node, const char *name, char *buf, size_t len);
/* Write cmd ("hang", "fault", "delay_us N", "none") to debugfs inject. */
int qt_inject(const struct qaccel_node *node, const char *cmd);
/* Read a debugfs file into buf (NUL-terminated): bytes read or -errno. */
int qt_debugfs_read(const struct qaccel_node *node, const char *name, char *buf, size_t len);

/* devcoredumps: names of /sys/class/devcoredump/devcd* (count or -errno). */
#define QT_DEVCD_MAX	16
int qt_devcd_list(char names[][32], int max);
/* Read the dump's data (returns its size, or -errno) and free it. */
long qt_devcd_read_free(const char *name);
/* Free every pending dump; returns how many. */
int qt_devcd_free_all(void);

/* Read /proc/self/fdinfo/<fd> key "key:" as text into buf: 0 or -ENOENT. */
int qt_fdinfo(int fd, const char *key, char *buf, size_t len);

/* Monotonic time in nanoseconds. */
int64_t qt_now_ns(void);
void qt_sleep_ms(int ms);

#endif /* QACCEL_TEST_UTIL_H */
