// SPDX-License-Identifier: MIT
/*
 * Unit tests: version, error strings, ISA detection, backend enumeration,
 * qaccel_open() backend choice, environment overrides and bad input.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void clear_env(void)
{
	unsetenv("QACCEL_BACKEND");
	unsetenv("QACCEL_DEVICE");
	unsetenv("QACCEL_THREADS");
	unsetenv("QACCEL_CPU_ISA");
	unsetenv("QACCEL_SUBMIT");
}

/* Open with NULL opts; return the error and check ctx stays NULL on failure. */
static int open_env(struct qaccel_ctx **out)
{
	struct qaccel_ctx *ctx = (struct qaccel_ctx *)&ctx;	/* poison */
	int err = qaccel_open(&ctx, NULL);

	if (err && ctx != NULL) {
		tap_diag("qaccel_open failed but left ctx non-NULL");
		return 1000;
	}
	if (out)
		*out = ctx;
	else
		qaccel_close(ctx);
	return err;
}

/*
 * 1 when a usable qaccel device is listed. Otherwise *nodev_err is what
 * asking for the device backend fails with: the status of the first qaccel
 * device listed (e.g. -EOPNOTSUPP for a driver without the job ioctls), or
 * -ENODEV when there is none.
 */
static int have_device(int *nodev_err)
{
	struct qaccel_backend_info infos[16];
	unsigned int n = 0, i;

	*nodev_err = -ENODEV;
	if (qaccel_list_backends(infos, 16, &n))
		return 0;
	for (i = 1; i < n && i < 16; i++)
		if (!infos[i].status)
			return 1;
	if (n > 1)
		*nodev_err = infos[1].status;
	return 0;
}

static int nodev_err = -ENODEV;

static void test_version(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d.%d.%d", QACCEL_VERSION_MAJOR,
		 QACCEL_VERSION_MINOR, QACCEL_VERSION_PATCH);
	tap_ok(!strcmp(qaccel_version(), buf), "version string matches header (%s)",
	       qaccel_version());
	TAP_EQ(qaccel_version_code(), QACCEL_VERSION_MAJOR << 16 |
	       QACCEL_VERSION_MINOR << 8 | QACCEL_VERSION_PATCH, "version code");
}

static void test_strerror(void)
{
	tap_ok(!strcmp(qaccel_strerror(-EINVAL), qaccel_strerror(EINVAL)),
	       "strerror accepts negative and positive codes");
	tap_ok(strstr(qaccel_strerror(-ENODEV), "device") != NULL,
	       "strerror(-ENODEV) mentions the device");
	tap_ok(qaccel_strerror(-123456) && qaccel_strerror(-2147483647 - 1) &&
	       !strcmp(qaccel_strerror(0), "success"),
	       "strerror of unknown codes and INT_MIN is a string");
}

static void test_isa(void)
{
	unsigned int mask = qaccel_cpu_isa_mask(), i;
	enum qaccel_isa isa = QACCEL_ISA_SCALAR;
	int good = 1;

	tap_ok(mask & (1u << QACCEL_ISA_SCALAR), "scalar ISA always available");
	tap_ok(mask & (1u << qaccel_cpu_isa_best()), "best ISA is available (%s)",
	       qaccel_isa_name(qaccel_cpu_isa_best()));
	for (i = 0; i < QACCEL_ISA_COUNT; i++) {
		enum qaccel_isa back;

		if (qaccel_isa_from_name(qaccel_isa_name((enum qaccel_isa)i), &back) ||
		    back != (enum qaccel_isa)i)
			good = 0;
	}
	tap_ok(good, "ISA names round-trip");
	tap_ok(qaccel_isa_name(QACCEL_ISA_COUNT) == NULL &&
	       qaccel_isa_name((enum qaccel_isa)-1) == NULL, "isa_name rejects bad values");
	tap_ok(qaccel_isa_from_name("sse9", &isa) == -EINVAL && isa == QACCEL_ISA_SCALAR &&
	       qaccel_isa_from_name(NULL, &isa) == -EINVAL &&
	       qaccel_isa_from_name("avx2", NULL) == -EINVAL,
	       "isa_from_name rejects bad input and leaves output alone");
#if defined(__x86_64__)
	tap_ok(!(mask & (1u << QACCEL_ISA_NEON_DOTPROD)), "no NEON on x86");
#else
	tap_ok(!(mask & ((1u << QACCEL_ISA_AVX2) | (1u << QACCEL_ISA_AVX512_VNNI))),
	       "no x86 ISAs on this architecture");
#endif
}

static void test_list(void)
{
	struct qaccel_backend_info infos[8], guard;
	unsigned int n = 12345, n2 = 0;
	int i, devs_ok = 1;

	TAP_EQ(qaccel_list_backends(NULL, 0, NULL), -EINVAL, "list: NULL count");
	TAP_EQ(qaccel_list_backends(NULL, 3, &n), -EINVAL, "list: NULL array with max > 0");
	tap_ok(n == 12345, "list: count untouched on error");
	TAP_EQ(qaccel_list_backends(NULL, 0, &n), 0, "list: count only");
	tap_ok(n >= 1, "list: at least the CPU backend (%u)", n);
	memset(infos, 0xa5, sizeof(infos));
	memset(&guard, 0xa5, sizeof(guard));
	TAP_EQ(qaccel_list_backends(infos, 1, &n2), 0, "list: max 1");
	tap_ok(n2 == n && !memcmp(&infos[1], &guard, sizeof(guard)),
	       "list: total reported, nothing written past max");
	tap_ok(infos[0].kind == QACCEL_BACKEND_CPU && !infos[0].status &&
	       !strcmp(infos[0].name, "cpu") && infos[0].threads >= 1 &&
	       infos[0].isa == qaccel_cpu_isa_best() &&
	       infos[0].isa_mask == qaccel_cpu_isa_mask() &&
	       (infos[0].caps & 0x1f) == 0x1f && infos[0].max_k > 0,
	       "list: entry 0 is the CPU backend with its ISA and caps");
	qaccel_list_backends(infos, 8, &n2);
	for (i = 1; i < (int)n2 && i < 8; i++)
		if (infos[i].kind != QACCEL_BACKEND_DEVICE || strcmp(infos[i].name, "qaccel") ||
		    !infos[i].path[0])
			devs_ok = 0;
	tap_ok(devs_ok, "list: other entries are qaccel devices (%u found)", n2 - 1);

	setenv("QACCEL_THREADS", "3", 1);
	setenv("QACCEL_CPU_ISA", "scalar", 1);
	qaccel_list_backends(infos, 1, &n2);
	tap_ok(infos[0].threads == 3 && infos[0].isa == QACCEL_ISA_SCALAR,
	       "list: CPU entry honours QACCEL_THREADS and QACCEL_CPU_ISA");
	setenv("QACCEL_THREADS", "zero", 1);
	setenv("QACCEL_CPU_ISA", "bogus", 1);
	tap_ok(qaccel_list_backends(infos, 1, &n2) == 0 &&
	       infos[0].isa == qaccel_cpu_isa_best() && infos[0].threads >= 1,
	       "list: invalid environment values are ignored when listing");
	clear_env();
}

static void test_open_defaults(int device)
{
	struct qaccel_backend_info info;
	struct qaccel_ctx *ctx = NULL;
	int err;

	TAP_EQ(qaccel_open(NULL, NULL), -EINVAL, "open: NULL ctx pointer");
	err = open_env(&ctx);
	TAP_EQ(err, 0, "open: defaults succeed");
	tap_ok(qaccel_ctx_backend(ctx) == (device ? QACCEL_BACKEND_DEVICE : QACCEL_BACKEND_CPU),
	       "open: auto picks %s", device ? "the device" : "the CPU backend");
	tap_ok(qaccel_ctx_reason(ctx) && strstr(qaccel_ctx_reason(ctx), "auto"),
	       "open: reason explains the auto choice (%s)",
	       qaccel_ctx_reason(ctx) ? qaccel_ctx_reason(ctx) : "(null)");
	tap_ok(qaccel_ctx_info(ctx, &info) == 0 && info.kind == qaccel_ctx_backend(ctx),
	       "ctx_info matches ctx_backend");
	tap_ok(qaccel_ctx_info(NULL, &info) == -EINVAL && qaccel_ctx_info(ctx, NULL) == -EINVAL,
	       "ctx_info rejects NULL");
	tap_ok(qaccel_ctx_backend(NULL) == QACCEL_BACKEND_AUTO && !qaccel_ctx_reason(NULL) &&
	       qaccel_ctx_isa(NULL) == QACCEL_ISA_AUTO && qaccel_ctx_threads(NULL) == 0,
	       "ctx queries on NULL");
	qaccel_close(ctx);
	qaccel_close(NULL);
	tap_ok(1, "close(NULL) is a no-op");
}

static void test_open_env(int device)
{
	struct qaccel_ctx *ctx = NULL;
	int fds = count_fds(), err;

	setenv("QACCEL_BACKEND", "bogus", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_BACKEND=bogus");
	unsetenv("QACCEL_BACKEND");
	setenv("QACCEL_SUBMIT", "io_uring", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_SUBMIT=io_uring");
	unsetenv("QACCEL_SUBMIT");
	setenv("QACCEL_BACKEND", "cpu", 1);
	err = open_env(&ctx);
	tap_ok(!err && qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU &&
	       strstr(qaccel_ctx_reason(ctx), "QACCEL_BACKEND"),
	       "env: QACCEL_BACKEND=cpu gives the CPU backend and says why");
	qaccel_close(ctx);
	ctx = NULL;

	setenv("QACCEL_BACKEND", "device", 1);
	if (device) {
		err = open_env(&ctx);
		tap_ok(!err && qaccel_ctx_backend(ctx) == QACCEL_BACKEND_DEVICE,
		       "env: QACCEL_BACKEND=device opens the device");
		qaccel_close(ctx);
	} else {
		TAP_EQ(open_env(NULL), nodev_err,
		       "env: QACCEL_BACKEND=device without a usable device fails (no fallback)");
	}
	unsetenv("QACCEL_BACKEND");

	setenv("QACCEL_DEVICE", "/nonexistent/accel9", 1);
	TAP_EQ(open_env(NULL), qa_device_built() ? -ENOENT : -ENODEV,
	       "env: QACCEL_DEVICE naming a missing node");
	setenv("QACCEL_DEVICE", "/dev/null", 1);
	TAP_EQ(open_env(NULL), -ENODEV, "env: QACCEL_DEVICE naming a non-DRM node");
	setenv("QACCEL_DEVICE", "/proc/self/status", 1);
	TAP_EQ(open_env(NULL), -ENODEV, "env: QACCEL_DEVICE naming a regular file");
	setenv("QACCEL_BACKEND", "cpu", 1);
	err = open_env(&ctx);
	tap_ok(!err && qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU,
	       "env: QACCEL_BACKEND=cpu wins over QACCEL_DEVICE");
	qaccel_close(ctx);
	ctx = NULL;
	clear_env();

	setenv("QACCEL_BACKEND", "cpu", 1);
	setenv("QACCEL_THREADS", "0", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_THREADS=0");
	setenv("QACCEL_THREADS", "2x", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_THREADS=2x");
	setenv("QACCEL_THREADS", "-1", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_THREADS=-1");
	setenv("QACCEL_THREADS", "99999999999999999999", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_THREADS overflow");
	setenv("QACCEL_THREADS", "257", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_THREADS above the maximum");
	setenv("QACCEL_THREADS", "3", 1);
	err = open_env(&ctx);
	tap_ok(!err && qaccel_ctx_threads(ctx) == 3, "env: QACCEL_THREADS=3");
	qaccel_close(ctx);
	ctx = NULL;
	unsetenv("QACCEL_THREADS");

	setenv("QACCEL_CPU_ISA", "mmx", 1);
	TAP_EQ(open_env(NULL), -EINVAL, "env: QACCEL_CPU_ISA=mmx");
	setenv("QACCEL_CPU_ISA", "scalar", 1);
	err = open_env(&ctx);
	tap_ok(!err && qaccel_ctx_isa(ctx) == QACCEL_ISA_SCALAR, "env: QACCEL_CPU_ISA=scalar");
	qaccel_close(ctx);
	ctx = NULL;
#if defined(__x86_64__)
	setenv("QACCEL_CPU_ISA", "neon-dotprod", 1);
#else
	setenv("QACCEL_CPU_ISA", "avx2", 1);
#endif
	TAP_EQ(open_env(NULL), -EOPNOTSUPP, "env: QACCEL_CPU_ISA of another architecture");
	clear_env();
	TAP_EQ(count_fds(), fds, "no file descriptor leaked by failed opens");
}

static void test_open_opts(int device)
{
	struct qaccel_open_opts o;
	struct qaccel_ctx *ctx = NULL;
	char buf[200];
	int err;

#define RESET() do { memset(&o, 0, sizeof(o)); ctx = NULL; } while (0)
	RESET();
	o.backend = (enum qaccel_backend_kind)7;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: unknown backend");
	RESET();
	o.flags = 0x80;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: unknown flag");
	RESET();
	o.threads = QACCEL_MAX_THREADS + 1;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: too many threads");
	RESET();
	o.isa = QACCEL_ISA_COUNT;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: unknown ISA");
	RESET();
	o.reserved[3] = 1;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: non-zero reserved field");
	RESET();
	o.errbuf_size = 10;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: errbuf size without buffer");
	RESET();
	o.device = "";
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: empty device path");
	RESET();
	o.submit = (enum qaccel_submit_mode)3;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: unknown submission mode");
	RESET();
	o.pad = 1;
	tap_ok(qaccel_open(&ctx, &o) == -EINVAL && !ctx, "opts: non-zero pad");
	RESET();
	o.backend = QACCEL_BACKEND_CPU;
	o.submit = QACCEL_SUBMIT_URING;
	err = qaccel_open(&ctx, &o);
	tap_ok(!err && qaccel_ctx_submit_mode(ctx) == QACCEL_SUBMIT_AUTO &&
	       qaccel_ctx_submit_mode(NULL) == QACCEL_SUBMIT_AUTO &&
	       !strcmp(qaccel_submit_mode_name(QACCEL_SUBMIT_AUTO), "auto") &&
	       !qaccel_submit_mode_name((enum qaccel_submit_mode)-1),
	       "opts: a submission mode does not apply to CPU contexts");
	qaccel_close(ctx);

	RESET();
	o.backend = QACCEL_BACKEND_DEVICE;
	o.device = "/dev/null";
	o.errbuf = buf;
	o.errbuf_size = sizeof(buf);
	buf[0] = 0;
	err = qaccel_open(&ctx, &o);
	tap_ok(err == -ENODEV && !ctx && strstr(buf, "/dev/null"),
	       "opts: explicit non-qaccel device fails with a message (%s)", buf);
	RESET();
	o.errbuf = buf;
	o.errbuf_size = 8;
	o.backend = QACCEL_BACKEND_DEVICE;
	o.device = "/nonexistent";
	err = qaccel_open(&ctx, &o);
	tap_ok(err == (qa_device_built() ? -ENOENT : -ENODEV) && strlen(buf) == 7,
	       "opts: error message truncated to errbuf_size");

	setenv("QACCEL_BACKEND", "bogus", 1);
	setenv("QACCEL_THREADS", "x", 1);
	RESET();
	o.flags = QACCEL_OPEN_IGNORE_ENV;
	o.backend = QACCEL_BACKEND_CPU;
	err = qaccel_open(&ctx, &o);
	tap_ok(!err && qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU,
	       "opts: QACCEL_OPEN_IGNORE_ENV ignores the environment");
	qaccel_close(ctx);
	clear_env();

	setenv("QACCEL_BACKEND", "device", 1);
	setenv("QACCEL_CPU_ISA", "scalar", 1);
	RESET();
	o.backend = QACCEL_BACKEND_CPU;
	o.threads = 2;
	o.isa = QACCEL_ISA_SCALAR;
	err = qaccel_open(&ctx, &o);
	tap_ok(!err && qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU &&
	       qaccel_ctx_threads(ctx) == 2 && qaccel_ctx_isa(ctx) == QACCEL_ISA_SCALAR,
	       "opts: explicit fields win over the environment");
	qaccel_close(ctx);
	clear_env();

	RESET();
	o.backend = QACCEL_BACKEND_CPU;
	o.isa = qaccel_cpu_isa_best();
	err = qaccel_open(&ctx, &o);
	tap_ok(!err && qaccel_ctx_isa(ctx) == qaccel_cpu_isa_best(), "opts: forced best ISA");
	qaccel_close(ctx);

	RESET();
	o.backend = QACCEL_BACKEND_DEVICE;
	err = qaccel_open(&ctx, &o);
	if (device) {
		tap_ok(!err && qaccel_ctx_backend(ctx) == QACCEL_BACKEND_DEVICE,
		       "opts: device backend");
		qaccel_close(ctx);
	} else {
		tap_ok(err == nodev_err && !ctx,
		       "opts: device backend without a usable device fails (%s)",
		       qaccel_strerror(nodev_err));
	}
#undef RESET
}

int main(void)
{
	int device;

	clear_env();
	device = have_device(&nodev_err);
	tap_plan(64);
	test_version();
	test_strerror();
	test_isa();
	test_list();
	test_open_defaults(device);
	test_open_env(device);
	test_open_opts(device);
	return tap_done();
}
