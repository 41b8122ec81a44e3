// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: buffer object lifecycle. Creation (size rounding, the
 * device VA, flags), BO_INFO, CPU mmap, BO_WAIT on idle buffers, closing
 * (stale handles, the live-BO counters, VA space given back) and the sysfs
 * and debugfs counters.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

FIXTURE(bo) {
	struct qt_base b;
};

FIXTURE_SETUP(bo)
{
	qt_base_setup(_metadata, &self->b, 0);
}

FIXTURE_TEARDOWN(bo)
{
	qt_base_teardown(_metadata, &self->b);
}

/* Sizes round up to whole pages; the VA is page-aligned inside the VA range. */
TEST_F(bo, create_rounds_size_to_pages_and_maps_inside_va_range)
{
	static const uint64_t sizes[] = { 1, 4095, 4096, 4097, 3 * 4096 + 5, (1 << 20) + 1 };
	struct drm_qaccel_bo_create c;
	struct drm_qaccel_bo_info info;
	struct qt_dev *d = &self->b.d;
	size_t i;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);

	for (i = 0; i < QT_ARRAY_SIZE(sizes); i++) {
		uint64_t want = round_up(sizes[i], d->page_size);

		memset(&c, 0, sizeof(c));
		c.size = sizes[i];
		ASSERT_EQ(0, ioctl(d->fd, DRM_IOCTL_QACCEL_BO_CREATE, &c)) {
			TH_LOG("BO_CREATE size %llu: %s", (unsigned long long)sizes[i],
			       strerror(errno));
		}
		EXPECT_NE(0, c.handle);
		EXPECT_EQ(0, c.va % d->page_size);
		EXPECT_LE(d->va_start, c.va);
		EXPECT_GE(d->va_end, c.va + want);
		EXPECT_EQ(0, c.mmap_offset % 4096);
		EXPECT_NE(0, c.mmap_offset);

		ASSERT_EQ(0, qt_bo_info(d->fd, c.handle, &info));
		EXPECT_EQ(c.handle, info.handle);
		EXPECT_EQ(want, info.size) {
			TH_LOG("size %llu rounds to %llu, BO_INFO says %llu",
			       (unsigned long long)sizes[i], (unsigned long long)want,
			       (unsigned long long)info.size);
		}
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(c.va, info.va);
		EXPECT_EQ(c.mmap_offset, info.mmap_offset);
		EXPECT_EQ(0, qt_gem_close(d->fd, c.handle));
	}
}

TEST_F(bo, new_bo_is_zero_filled)
{
	struct qt_bo bo;
	size_t i, nonzero = 0;
	int ret;

	QT_NEED(&self->b, BO_CREATE);

	ret = qt_bo_new(self->b.d.fd, 256 * 1024, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	for (i = 0; i < bo.size; i++)
		nonzero += bo.map[i] != 0;
	EXPECT_EQ(0, nonzero);
	qt_bo_free(self->b.d.fd, &bo);
}

/* What the CPU writes through one mapping, another mapping reads back. */
TEST_F(bo, mmap_write_reads_back_through_second_mapping)
{
	int fd = self->b.d.fd;
	struct qt_bo bo;
	uint8_t *map2;
	size_t i, bad = 0;
	int ret;

	QT_NEED(&self->b, BO_CREATE);

	ret = qt_bo_new(fd, 5 * 4096 + 123, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	for (i = 0; i < bo.size; i++)
		bo.map[i] = (uint8_t)(i * 7 + (i >> 12));

	map2 = mmap(NULL, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)bo.mmap_offset);
	ASSERT_NE(MAP_FAILED, map2);
	for (i = 0; i < bo.size; i++)
		bad += map2[i] != (uint8_t)(i * 7 + (i >> 12));
	EXPECT_EQ(0, bad);

	/* Unmap the first, write through the second, map the first again. */
	munmap(bo.map, bo.size);
	memset(map2 + 4096, 0x3c, 4096);
	ASSERT_EQ(0, qt_bo_map(fd, &bo));
	for (i = 4096, bad = 0; i < 8192; i++)
		bad += bo.map[i] != 0x3c;
	EXPECT_EQ(0, bad);
	EXPECT_EQ((uint8_t)(8192 * 7 + 2), bo.map[8192]);
	munmap(map2, bo.size);
	qt_bo_free(fd, &bo);
}

/* DEVICE_READONLY is reported back and only concerns the device: the CPU writes. */
TEST_F(bo, readonly_flag_reported_and_cpu_still_writes)
{
	struct drm_qaccel_bo_info info;
	int fd = self->b.d.fd;
	struct qt_bo bo;
	int ret;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);

	ret = qt_bo_new(fd, 8192, DRM_QACCEL_BO_DEVICE_READONLY, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	ASSERT_EQ(0, qt_bo_info(fd, bo.handle, &info));
	EXPECT_EQ(DRM_QACCEL_BO_DEVICE_READONLY, info.flags);
	EXPECT_EQ(8192, info.size);
	memset(bo.map, 0x11, bo.size);
	munmap(bo.map, bo.size);
	bo.map = NULL;
	ASSERT_EQ(0, qt_bo_map(fd, &bo));
	EXPECT_EQ(0x11, bo.map[0]);
	EXPECT_EQ(0x11, bo.map[8191]);
	qt_bo_free(fd, &bo);
}

/* Closing the last handle frees the BO: counters drop, the handle is stale. */
TEST_F(bo, close_frees_bo_and_leaves_stale_handle)
{
	long long live0, bytes0, live1, bytes1, seen;
	struct drm_qaccel_bo_info info;
	int fd = self->b.d.fd;
	struct qt_bo bo;
	int ret;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);
	QT_NEED(&self->b, BO_WAIT);

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	QT_COUNTER(&self->b.d.node, "live_bo_bytes", &bytes0);
	ret = qt_bo_create(fd, 3 * 4096 + 1, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	QT_COUNTER(&self->b.d.node, "live_bos", &live1);
	QT_COUNTER(&self->b.d.node, "live_bo_bytes", &bytes1);
	EXPECT_EQ(live0 + 1, live1);
	EXPECT_EQ(bytes0 + 4 * 4096, bytes1);

	ASSERT_EQ(0, qt_gem_close(fd, bo.handle));
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &seen)) {
		TH_LOG("live_bos %lld after close, %lld before create", seen, live0);
	}
	QT_COUNTER(&self->b.d.node, "live_bo_bytes", &bytes1);
	EXPECT_EQ(bytes0, bytes1);
	EXPECT_EQ(-ENOENT, qt_bo_info(fd, bo.handle, &info));
	EXPECT_EQ(-ENOENT, qt_bo_wait(fd, bo.handle, 0));
}

/* A CPU mapping keeps the BO's memory alive after its handle is closed. */
TEST_F(bo, cpu_mapping_outlives_handle)
{
	long long live0, seen;
	int fd = self->b.d.fd;
	struct qt_bo bo;
	int ret;

	QT_NEED(&self->b, BO_CREATE);

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ret = qt_bo_new(fd, 4096, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	memset(bo.map, 0x77, 4096);
	ASSERT_EQ(0, qt_gem_close(fd, bo.handle));
	EXPECT_EQ(0x77, bo.map[100]);
	bo.map[101] = 0x78;
	EXPECT_EQ(0x78, bo.map[101]);
	munmap(bo.map, bo.size);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &seen)) {
		TH_LOG("live_bos %lld after close and munmap, %lld before", seen, live0);
	}
}

TEST_F(bo, bo_wait_on_idle_bo_returns_at_once)
{
	int fd = self->b.d.fd;
	struct qt_bo bo;
	int64_t t0;
	int ret;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_WAIT);

	ret = qt_bo_create(fd, 4096, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	EXPECT_EQ(0, qt_bo_wait(fd, bo.handle, 0));
	t0 = qt_now_ns();
	EXPECT_EQ(0, qt_bo_wait(fd, bo.handle, 10 * QT_SEC));
	EXPECT_GT(5 * QT_SEC, qt_now_ns() - t0);
	qt_bo_free(fd, &bo);
}

static int overlaps(const struct qt_bo *x, const struct qt_bo *y)
{
	return x->va < y->va + y->size && y->va < x->va + x->size;
}

/* Live BOs of one file never share device addresses, also after frees. */
TEST_F(bo, vas_of_live_bos_never_overlap)
{
	struct qt_dev *d = &self->b.d;
	struct qt_bo bos[48];
	struct qt_rng r;
	int i, j, round, ret;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);

	qt_rng_seed(&r, 11);
	memset(bos, 0, sizeof(bos));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 48; i++) {
			if (bos[i].handle)
				continue;
			ret = qt_bo_create(d->fd, (uint64_t)qt_rand_range(&r, 1, 300000), 0,
					   &bos[i]);
			ASSERT_EQ(0, ret) TH_LOG("BO %d: %s", i, strerror(-ret));
			EXPECT_LE(d->va_start, bos[i].va);
			EXPECT_GE(d->va_end, bos[i].va + bos[i].size);
		}
		for (i = 0; i < 48; i++) {
			for (j = i + 1; j < 48; j++) {
				EXPECT_FALSE(overlaps(&bos[i], &bos[j])) {
					TH_LOG("BO %d [%#llx+%#llx) overlaps BO %d [%#llx+%#llx)",
					       i, (unsigned long long)bos[i].va,
					       (unsigned long long)bos[i].size, j,
					       (unsigned long long)bos[j].va,
					       (unsigned long long)bos[j].size);
				}
			}
		}
		/* Free every other one (a different half each round). */
		for (i = round % 2; i < 48; i += 2)
			qt_bo_free(d->fd, &bos[i]);
	}
	for (i = 0; i < 48; i++)
		qt_bo_free(d->fd, &bos[i]);
}

/*
 * Closing a BO gives its device addresses back: creating and closing more
 * than the whole VA range in total never runs out of address space.
 */
TEST_F_TIMEOUT(bo, va_space_is_reclaimed_after_close, 120)
{
	struct qt_dev *d = &self->b.d;
	uint64_t size = 64ull << 20, total = 0;
	struct qt_bo bo;
	int i, ret;

	QT_NEED(&self->b, BO_CREATE);

	for (i = 0; total <= d->va_end - d->va_start; i++) {
		ret = qt_bo_create(d->fd, size, 0, &bo);
		ASSERT_EQ(0, ret) {
			TH_LOG("BO %d (%llu MiB created and closed before): %s", i,
			       (unsigned long long)(total >> 20), strerror(-ret));
		}
		total += size;
		ASSERT_EQ(0, qt_gem_close(d->fd, bo.handle));
	}
}

static long long mem_available_kib(void)
{
	char line[128];
	long long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * Filling the device address space with MAX_BO_SIZE BOs ends in -ENOSPC,
 * which creates nothing; the space left still takes a smaller BO. Only
 * where BOs take memory when first used, not at creation (else the VM
 * cannot hold 3 GiB of BOs).
 */
TEST_F(bo, va_space_exhaustion_is_enospc)
{
	struct qt_dev *d = &self->b.d;
	uint64_t span = d->va_end - d->va_start, left;
	long long avail0, avail, live0, live;
	struct qt_bo bos[16], extra;
	int n = 0, i, ret = 0;

	QT_NEED(&self->b, BO_CREATE);
	ASSERT_LT(0, d->max_bo_size);

	avail0 = mem_available_kib();
	QT_COUNTER(&d->node, "live_bos", &live0);
	for (i = 0; i < 16; i++) {
		ret = qt_bo_create(d->fd, d->max_bo_size, 0, &bos[n]);
		if (ret)
			break;
		n++;
		avail = mem_available_kib();
		if (avail0 > 0 && avail > 0 && avail0 - avail > 256 * 1024) {
			for (i = 0; i < n; i++)
				qt_bo_free(d->fd, &bos[i]);
			SKIP(return, "BOs take their memory at creation: exhausting %llu MiB of "
			     "VA needs more memory than there is", (unsigned long long)(span >> 20));
		}
	}
	EXPECT_EQ(-ENOSPC, ret) TH_LOG("BO %d of %llu bytes: %s", n,
				       (unsigned long long)d->max_bo_size, strerror(-ret));
	EXPECT_EQ((int)(span / d->max_bo_size), n);
	QT_COUNTER(&d->node, "live_bos", &live);
	EXPECT_EQ(live0 + n, live) TH_LOG("the failed BO_CREATE left a BO behind");

	/* What is left still takes a BO of (about) its size. */
	left = span - (uint64_t)n * d->max_bo_size;
	if (left >= 2 * d->page_size) {
		ret = qt_bo_create(d->fd, left / 2, 0, &extra);
		EXPECT_EQ(0, ret) TH_LOG("BO of %llu bytes in the %llu left: %s",
					 (unsigned long long)(left / 2), (unsigned long long)left,
					 strerror(-ret));
		if (!ret)
			qt_bo_free(d->fd, &extra);
	}
	/* Closing one makes room for one again. */
	ASSERT_LT(0, n);
	qt_bo_free(d->fd, &bos[n - 1]);
	ret = qt_bo_create(d->fd, d->max_bo_size, 0, &bos[n - 1]);
	EXPECT_EQ(0, ret) TH_LOG("after freeing one: %s", strerror(-ret));
	if (ret)
		memset(&bos[n - 1], 0, sizeof(bos[n - 1]));
	for (i = 0; i < n; i++)
		qt_bo_free(d->fd, &bos[i]);
}

/* A BO larger than the biggest contiguous allocation works page by page. */
TEST_F(bo, large_bo_beyond_contiguous_limit)
{
	int fd = self->b.d.fd;
	struct qt_bo bo;
	size_t i, bad = 0;
	int ret;

	QT_NEED(&self->b, BO_CREATE);

	ret = qt_bo_new(fd, 24ull << 20, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("24 MiB BO: %s", strerror(-ret));
	EXPECT_EQ(24ull << 20, bo.size);
	for (i = 0; i < bo.size; i += 4096)
		bo.map[i] = (uint8_t)(i >> 12);
	for (i = 0; i < bo.size; i += 4096)
		bad += bo.map[i] != (uint8_t)(i >> 12);
	EXPECT_EQ(0, bad);
	qt_bo_free(fd, &bo);
}

/* Counting BOs across many files and BOs: live_bos/live_bo_bytes follow. */
TEST_F(bo, live_counters_follow_creates_and_closes_of_several_files)
{
	long long live0, bytes0, v;
	struct qt_bo bos[2][5];
	int fds[2], f, i, ret;

	QT_NEED(&self->b, BO_CREATE);

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	QT_COUNTER(&self->b.d.node, "live_bo_bytes", &bytes0);
	for (f = 0; f < 2; f++) {
		fds[f] = qt_dev_reopen(&self->b.d);
		ASSERT_LE(0, fds[f]);
		for (i = 0; i < 5; i++) {
			ret = qt_bo_create(fds[f], (i + 1) * 4096, 0, &bos[f][i]);
			ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
		}
	}
	QT_COUNTER(&self->b.d.node, "live_bos", &v);
	EXPECT_EQ(live0 + 10, v);
	QT_COUNTER(&self->b.d.node, "live_bo_bytes", &v);
	EXPECT_EQ(bytes0 + 2 * 15 * 4096, v);

	/* Closing a file frees its BOs without GEM_CLOSE. */
	close(fds[0]);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0 + 5, QT_SETTLE_MS, &v)) {
		TH_LOG("live_bos %lld after closing a file with 5 BOs, expected %lld", v,
		       live0 + 5);
	}
	close(fds[1]);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &v));
	QT_COUNTER(&self->b.d.node, "live_bo_bytes", &v);
	EXPECT_EQ(bytes0, v);
}

/* Every documented sysfs counter reads as a decimal; debugfs counters agree. */
TEST_F(bo, sysfs_and_debugfs_counters_agree)
{
	static const char *const names[] = {
		"jobs_submitted", "jobs_completed", "jobs_failed", "resets",
		"busy_ns", "live_bos", "live_bo_bytes", "jobs_merged",
	};
	long long v[QT_ARRAY_SIZE(names)];
	char text[4096], *line, *save = NULL;
	size_t i, found = 0;
	int ret;

	/* The counters came with the BO work; before it, there is nothing to check. */
	QT_NEED(&self->b, BO_CREATE);

	for (i = 0; i < QT_ARRAY_SIZE(names); i++) {
		QT_COUNTER(&self->b.d.node, names[i], &v[i]);
		EXPECT_LE(0, v[i]);
	}
	ret = qt_debugfs_read(&self->b.d.node, "counters", text, sizeof(text));
	ASSERT_LE(0, ret) TH_LOG("debugfs counters: %s", strerror(-ret));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		long long value;

		if (sscanf(line, "%63s %lld", name, &value) != 2)
			continue;
		for (i = 0; i < QT_ARRAY_SIZE(names); i++) {
			if (strcmp(name, names[i]))
				continue;
			found++;
			/* busy_ns may only grow between the two reads. */
			if (strcmp(name, "busy_ns")) {
				EXPECT_EQ(v[i], value) {
					TH_LOG("%s: sysfs %lld, debugfs %lld", name, v[i], value);
				}
			} else {
				EXPECT_LE(v[i], value);
			}
		}
	}
	EXPECT_EQ(QT_ARRAY_SIZE(names), found) {
		TH_LOG("found %zu of the %zu counters in debugfs counters", found,
		       QT_ARRAY_SIZE(names));
	}
}

TEST_HARNESS_MAIN
