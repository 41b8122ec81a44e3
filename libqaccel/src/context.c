// SPDX-License-Identifier: MIT
/*
 * Backend enumeration and context lifetime.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifdef QACCEL_HAVE_DEVICE
#include "qaccel_accel.h"
#define QA_UAPI_VERSION DRM_QACCEL_UAPI_VERSION
#else
#define QA_UAPI_VERSION 1
#endif

void qa_cpu_info(struct qaccel_backend_info *info, enum qaccel_isa isa,
		 unsigned int threads)
{
	unsigned int mask = qa_isa_mask(), i;
	size_t len = 0;

	memset(info, 0, sizeof(*info));
	info->kind = QACCEL_BACKEND_CPU;
	snprintf(info->name, sizeof(info->name), "cpu");
	for (i = QACCEL_ISA_SCALAR; i < QACCEL_ISA_COUNT; i++) {
		if (!(mask & (1u << i)) || len >= sizeof(info->description))
			continue;
		len += (size_t)snprintf(info->description + len,
					sizeof(info->description) - len, "%s%s",
					len ? " " : "", qaccel_isa_name((enum qaccel_isa)i));
	}
	info->isa = isa;
	info->isa_mask = mask;
	info->threads = threads;
	info->uapi_version = QA_UAPI_VERSION;
	info->caps = QACCEL_CAP_A_U8 | QACCEL_CAP_A_S8 | QACCEL_CAP_OUT_S8 |
		     QACCEL_CAP_OUT_U8 | QACCEL_CAP_OUT_S32;
	info->max_m = QA_CPU_MAX_DIM;
	info->max_n = QA_CPU_MAX_DIM;
	info->max_k = QA_CPU_MAX_DIM;
}

/* CPU settings from the environment, invalid values ignored. */
static void qa_cpu_env_defaults(enum qaccel_isa *isa, unsigned int *threads)
{
	const char *s;
	enum qaccel_isa want;

	*threads = qa_default_threads();
	s = getenv("QACCEL_THREADS");
	if (s && *s)
		qa_parse_uint(s, 1, QACCEL_MAX_THREADS, threads);
	*isa = qaccel_cpu_isa_best();
	s = getenv("QACCEL_CPU_ISA");
	if (s && *s && !qaccel_isa_from_name(s, &want))
		qa_isa_resolve(want, isa);
}

struct qa_list_state {
	struct qaccel_backend_info *infos;
	unsigned int count, cap;
	int err;
};

static int qa_list_cb(const char *path, void *arg)
{
	struct qa_list_state *st = arg;
	struct qaccel_backend_info info;
	void *p;
	int err;

	memset(&info, 0, sizeof(info));
	err = qa_device_probe(path, &info, NULL, NULL, 0, QACCEL_SUBMIT_AUTO, NULL, 0);
	if (err && strcmp(info.name, "qaccel"))
		return 0;	/* not ours */
	if (st->count == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 4;
		p = realloc(st->infos, st->cap * sizeof(*st->infos));
		if (!p) {
			st->err = -ENOMEM;
			return 1;
		}
		st->infos = p;
	}
	st->infos[st->count++] = info;
	return 0;
}

QACCEL_API int qaccel_list_backends(struct qaccel_backend_info *infos,
				    unsigned int max, unsigned int *count)
{
	struct qa_list_state st = { 0 };
	enum qaccel_isa isa;
	unsigned int threads, i;
	int err;

	if (!count || (!infos && max))
		return -EINVAL;
	qa_cpu_env_defaults(&isa, &threads);
	err = qa_device_for_each(qa_list_cb, &st);
	if (!err)
		err = st.err;
	if (err) {
		free(st.infos);
		return err;
	}
	if (max > 0)
		qa_cpu_info(&infos[0], isa, threads);
	for (i = 0; i < st.count && i + 1 < max; i++)
		infos[i + 1] = st.infos[i];
	*count = st.count + 1;
	free(st.infos);
	return 0;
}

struct qa_pick_state {
	struct qaccel_backend_info info;
	int fd;
	int first_err;		/* first failure of a qaccel device */
	char first_why[160];
	unsigned int seen;	/* qaccel devices seen */
	enum qaccel_submit_mode want;
	char uring_why[160];	/* the chosen device's io_uring probe */
};

static int qa_pick_cb(const char *path, void *arg)
{
	struct qa_pick_state *st = arg;
	struct qaccel_backend_info info;
	char why[160];
	int err, fd = -1;

	memset(&info, 0, sizeof(info));
	err = qa_device_probe(path, &info, &fd, why, sizeof(why), st->want, st->uring_why,
			      sizeof(st->uring_why));
	if (!err) {
		st->info = info;
		st->fd = fd;
		st->seen++;
		return 1;
	}
	if (!strcmp(info.name, "qaccel")) {
		if (!st->seen) {
			st->first_err = err;
			snprintf(st->first_why, sizeof(st->first_why), "%s", why);
		}
		st->seen++;
	}
	return 0;
}

static bool qa_reserved_zero(const uint64_t *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

static int qa_open_fail(const struct qaccel_open_opts *opts, int err,
			const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int qa_open_fail(const struct qaccel_open_opts *opts, int err,
			const char *fmt, ...)
{
	va_list ap;

	if (opts && opts->errbuf && opts->errbuf_size) {
		va_start(ap, fmt);
		vsnprintf(opts->errbuf, opts->errbuf_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

QACCEL_API int qaccel_open(struct qaccel_ctx **ctxp,
			   const struct qaccel_open_opts *opts)
{
	static const struct qaccel_open_opts defaults;
	enum qaccel_backend_kind kind;
	enum qaccel_submit_mode submit;
	enum qaccel_isa isa_req, isa;
	const char *device, *s, *kind_src, *submit_src;
	struct qa_pick_state pick;
	struct qaccel_ctx *ctx;
	unsigned int threads;
	bool use_env;
	int err;

	if (!ctxp)
		return qa_open_fail(opts, -EINVAL, "ctx pointer is NULL");
	*ctxp = NULL;
	if (!opts)
		opts = &defaults;
	if ((unsigned int)opts->backend > QACCEL_BACKEND_DEVICE)
		return qa_open_fail(opts, -EINVAL, "unknown backend %d", (int)opts->backend);
	if (opts->flags & ~QACCEL_OPEN_FLAGS)
		return qa_open_fail(opts, -EINVAL, "unknown flags 0x%x", opts->flags);
	if (opts->threads > QACCEL_MAX_THREADS)
		return qa_open_fail(opts, -EINVAL, "threads %u exceeds %u",
				    opts->threads, QACCEL_MAX_THREADS);
	if ((unsigned int)opts->isa >= QACCEL_ISA_COUNT)
		return qa_open_fail(opts, -EINVAL, "unknown ISA %d", (int)opts->isa);
	if (!opts->errbuf && opts->errbuf_size)
		return -EINVAL;
	if (opts->pad || !qa_reserved_zero(opts->reserved, QA_ARRAY_SIZE(opts->reserved)))
		return qa_open_fail(opts, -EINVAL, "reserved option fields must be zero");
	if ((unsigned int)opts->submit > QACCEL_SUBMIT_IOCTL)
		return qa_open_fail(opts, -EINVAL, "unknown submission mode %d", (int)opts->submit);
	use_env = !(opts->flags & QACCEL_OPEN_IGNORE_ENV);

	/* Which backend. */
	kind = opts->backend;
	kind_src = "the caller";
	if (kind == QACCEL_BACKEND_AUTO && use_env && (s = getenv("QACCEL_BACKEND")) && *s) {
		if (qa_parse_backend(s, &kind))
			return qa_open_fail(opts, -EINVAL,
					    "QACCEL_BACKEND=%s: expected auto, cpu or device", s);
		kind_src = "QACCEL_BACKEND";
	}
	device = opts->device;
	if (device && !*device)
		return qa_open_fail(opts, -EINVAL, "empty device path");
	if (!device && use_env && (s = getenv("QACCEL_DEVICE")) && *s)
		device = s;
	if (kind == QACCEL_BACKEND_AUTO && device) {
		kind = QACCEL_BACKEND_DEVICE;
		kind_src = opts->device ? "the caller's device path" : "QACCEL_DEVICE";
	}

	/* Submission mode of a device context. */
	submit = opts->submit;
	submit_src = "the caller";
	if (submit == QACCEL_SUBMIT_AUTO && use_env && (s = getenv("QACCEL_SUBMIT")) && *s) {
		if (qa_parse_submit_mode(s, &submit))
			return qa_open_fail(opts, -EINVAL,
					    "QACCEL_SUBMIT=%s: expected auto, uring or ioctl", s);
		submit_src = "QACCEL_SUBMIT";
	}

	/* CPU settings (also used by a device context for host-side work). */
	threads = opts->threads;
	if (!threads && use_env && (s = getenv("QACCEL_THREADS")) && *s) {
		if (qa_parse_uint(s, 1, QACCEL_MAX_THREADS, &threads))
			return qa_open_fail(opts, -EINVAL,
					    "QACCEL_THREADS=%s: expected 1 to %u", s,
					    QACCEL_MAX_THREADS);
	}
	if (!threads)
		threads = qa_default_threads();
	isa_req = opts->isa;
	if (isa_req == QACCEL_ISA_AUTO && use_env && (s = getenv("QACCEL_CPU_ISA")) && *s) {
		if (qaccel_isa_from_name(s, &isa_req))
			return qa_open_fail(opts, -EINVAL,
					    "QACCEL_CPU_ISA=%s: expected scalar, avx2, avx-vnni, avx512-vnni or neon-dotprod",
					    s);
	}
	err = qa_isa_resolve(isa_req, &isa);
	if (err)
		return qa_open_fail(opts, err, "CPU ISA %s is not supported by this machine or build",
				    qaccel_isa_name(isa_req));

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return qa_open_fail(opts, -ENOMEM, "out of memory");
	ctx->fd = -1;
	ctx->isa = isa;
	ctx->threads = threads;
	pthread_mutex_init(&ctx->buf_lock, NULL);

	memset(&pick, 0, sizeof(pick));
	pick.fd = -1;
	pick.want = submit;
	if (kind == QACCEL_BACKEND_DEVICE && device) {
		char why[160];

		err = qa_device_probe(device, &pick.info, &pick.fd, why, sizeof(why), submit,
				      pick.uring_why, sizeof(pick.uring_why));
		if (err) {
			pthread_mutex_destroy(&ctx->buf_lock);
			free(ctx);
			return qa_open_fail(opts, err, "device requested by %s: %s",
					    kind_src, why);
		}
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "device %s requested by %s", device, kind_src);
	} else if (kind != QACCEL_BACKEND_CPU) {
		err = qa_device_for_each(qa_pick_cb, &pick);
		if (err) {
			pthread_mutex_destroy(&ctx->buf_lock);
			free(ctx);
			return qa_open_fail(opts, err, "device discovery failed: %s",
					    qaccel_strerror(err));
		}
		if (pick.fd < 0 && kind == QACCEL_BACKEND_DEVICE) {
			pthread_mutex_destroy(&ctx->buf_lock);
			free(ctx);
			if (pick.seen)
				return qa_open_fail(opts, pick.first_err,
						    "device backend requested by %s: %s",
						    kind_src, pick.first_why);
			return qa_open_fail(opts, -ENODEV,
					    "device backend requested by %s: %s", kind_src,
					    qa_device_built() ?
					    "no qaccel device found in /dev/accel or the DRM render nodes" :
					    "this libqaccel was built without the device backend");
		}
		if (pick.fd >= 0)
			snprintf(ctx->reason, sizeof(ctx->reason), "%s: first usable qaccel device %s",
				 kind == QACCEL_BACKEND_DEVICE ? "device backend requested" :
				 "auto", pick.info.path);
		else if (pick.seen)
			snprintf(ctx->reason, sizeof(ctx->reason),
				 "auto: no usable qaccel device (%s); CPU backend",
				 pick.first_why);
		else
			snprintf(ctx->reason, sizeof(ctx->reason),
				 "auto: %s; CPU backend",
				 qa_device_built() ? "no qaccel device found" :
				 "built without the device backend");
	} else {
		snprintf(ctx->reason, sizeof(ctx->reason), "CPU backend requested by %s",
			 kind_src);
	}

	if (pick.fd >= 0) {
		enum qaccel_submit_mode mode;
		bool uring = pick.info.submit_modes & (1u << QACCEL_SUBMIT_URING);
		char why[160] = "";
		size_t len;

		if (submit == QACCEL_SUBMIT_URING && !uring) {
			qa_device_close(pick.fd);
			pthread_mutex_destroy(&ctx->buf_lock);
			free(ctx);
			return qa_open_fail(opts, -EOPNOTSUPP,
					    "io_uring submission requested by %s, unusable on %s: %s",
					    submit_src, pick.info.path, pick.uring_why);
		}
		mode = submit == QACCEL_SUBMIT_AUTO ?
		       (uring ? QACCEL_SUBMIT_URING : QACCEL_SUBMIT_IOCTL) : submit;
		ctx->kind = QACCEL_BACKEND_DEVICE;
		ctx->fd = pick.fd;
		ctx->info = pick.info;
		ctx->info.submit_mode = mode;
		err = qa_dev_create(ctx, mode, why, sizeof(why));
		if (err) {
			qa_device_close(pick.fd);
			pthread_mutex_destroy(&ctx->buf_lock);
			free(ctx);
			return qa_open_fail(opts, err, "%s: %s", pick.info.path, why);
		}
		len = strlen(ctx->reason);
		if (submit != QACCEL_SUBMIT_AUTO)
			snprintf(ctx->reason + len, sizeof(ctx->reason) - len,
				 "; submission %s requested by %s", qaccel_submit_mode_name(mode),
				 submit_src);
		else
			snprintf(ctx->reason + len, sizeof(ctx->reason) - len,
				 "; submission %s (auto: %s)", qaccel_submit_mode_name(mode),
				 pick.uring_why);
	} else {
		size_t len = strlen(ctx->reason);

		if (submit != QACCEL_SUBMIT_AUTO)
			snprintf(ctx->reason + len, sizeof(ctx->reason) - len,
				 " (submission %s requested by %s does not apply)",
				 qaccel_submit_mode_name(submit), submit_src);
		ctx->kind = QACCEL_BACKEND_CPU;
		qa_cpu_info(&ctx->info, isa, threads);
		err = qa_pool_create(ctx);
		if (err) {
			pthread_mutex_destroy(&ctx->buf_lock);
			free(ctx);
			return qa_open_fail(opts, err, "cannot start %u worker threads: %s",
					    threads, qaccel_strerror(err));
		}
	}
	*ctxp = ctx;
	return 0;
}

QACCEL_API void qaccel_close(struct qaccel_ctx *ctx)
{
	if (!ctx)
		return;
	qa_pool_destroy(ctx);
	qa_dev_destroy(ctx);
	qa_buffers_release(ctx);
	qa_device_close(ctx->fd);
	pthread_mutex_destroy(&ctx->buf_lock);
	free(ctx);
}

QACCEL_API enum qaccel_backend_kind qaccel_ctx_backend(const struct qaccel_ctx *ctx)
{
	return ctx ? ctx->kind : QACCEL_BACKEND_AUTO;
}

QACCEL_API int qaccel_ctx_info(const struct qaccel_ctx *ctx,
			       struct qaccel_backend_info *info)
{
	if (!ctx || !info)
		return -EINVAL;
	*info = ctx->info;
	return 0;
}

QACCEL_API const char *qaccel_ctx_reason(const struct qaccel_ctx *ctx)
{
	return ctx ? ctx->reason : NULL;
}

QACCEL_API enum qaccel_isa qaccel_ctx_isa(const struct qaccel_ctx *ctx)
{
	return ctx && ctx->kind == QACCEL_BACKEND_CPU ? ctx->isa : QACCEL_ISA_AUTO;
}

QACCEL_API unsigned int qaccel_ctx_threads(const struct qaccel_ctx *ctx)
{
	return ctx && ctx->kind == QACCEL_BACKEND_CPU ? ctx->threads : 0;
}

QACCEL_API enum qaccel_submit_mode qaccel_ctx_submit_mode(const struct qaccel_ctx *ctx)
{
	return ctx && ctx->kind == QACCEL_BACKEND_DEVICE ? ctx->info.submit_mode :
	       QACCEL_SUBMIT_AUTO;
}
