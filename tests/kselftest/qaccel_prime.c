// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: dma-buf sharing. A BO exported with
 * PRIME_HANDLE_TO_FD and imported into a second file of the same device
 * gets a device VA there (BO_INFO) and shares its data both ways; jobs of
 * the importing file read and write it; a BO exported by one engine and
 * imported by the other, and a foreign dma-buf from udmabuf (memfd pages),
 * feed GEMMs with bit-exact results. The live-BO counter follows the
 * shared object's lifetime.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8
#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define OUT_S32	DRM_QACCEL_GEMM_OUT_S32
#define A_S8	DRM_QACCEL_GEMM_A_S8

FIXTURE(prime) {
	struct qt_base b;
	struct qt_rng r;
};

FIXTURE_SETUP(prime)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0xd3a);
}

FIXTURE_TEARDOWN(prime)
{
	qt_base_teardown(_metadata, &self->b);
}

/* Import dmabuf into fd: the handle, with its BO_INFO in *info. */
static uint32_t import(struct __test_metadata *_metadata, int fd, int dmabuf,
		       struct drm_qaccel_bo_info *info)
{
	uint32_t handle = 0;
	int ret;

	ret = qt_prime_import(fd, dmabuf, &handle);
	ASSERT_EQ(0, ret) TH_LOG("PRIME_FD_TO_HANDLE: %s", strerror(-ret));
	ret = qt_bo_info(fd, handle, info);
	ASSERT_EQ(0, ret) TH_LOG("BO_INFO of the imported BO: %s", strerror(-ret));
	return handle;
}

/*
 * Export to a second file: the import has a VA of its own address space,
 * the same size, and the CPU sees the same bytes through both files.
 */
TEST_F(prime, import_into_second_file_shares_data)
{
	struct drm_qaccel_bo_info info;
	struct qt_dev *d = &self->b.d;
	long long live0, live;
	struct qt_bo bo, imp;
	int fd2, dmabuf;
	size_t i, bad = 0;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);

	QT_COUNTER(&d->node, "live_bos", &live0);
	ASSERT_EQ(0, qt_bo_new(d->fd, 3 * 4096, 0, &bo));
	for (i = 0; i < bo.size; i++)
		bo.map[i] = (uint8_t)(i * 13 + 1);
	dmabuf = qt_prime_export(d->fd, bo.handle);
	ASSERT_LE(0, dmabuf) TH_LOG("PRIME_HANDLE_TO_FD: %s", strerror(-dmabuf));

	fd2 = qt_dev_reopen(d);
	ASSERT_LE(0, fd2);
	memset(&imp, 0, sizeof(imp));
	imp.handle = import(_metadata, fd2, dmabuf, &info);
	EXPECT_EQ(bo.size, info.size);
	EXPECT_EQ(0, info.flags);
	EXPECT_LE(d->va_start, info.va);
	EXPECT_GE(d->va_end, info.va + info.size);
	EXPECT_EQ(0, info.va % d->page_size);
	/* The same object: no new live BO. */
	QT_COUNTER(&d->node, "live_bos", &live);
	EXPECT_EQ(live0 + 1, live);

	imp.size = info.size;
	imp.va = info.va;
	imp.mmap_offset = info.mmap_offset;
	ASSERT_EQ(0, qt_bo_map(fd2, &imp));
	for (i = 0; i < imp.size; i++)
		bad += imp.map[i] != (uint8_t)(i * 13 + 1);
	EXPECT_EQ(0, bad);
	memset(imp.map + 4096, 0x42, 100);
	EXPECT_EQ(0x42, bo.map[4096 + 99]);

	/* The exporter lets go: the importer still has the data. */
	close(dmabuf);
	qt_bo_free(d->fd, &bo);
	EXPECT_EQ(0x42, imp.map[4096]);
	EXPECT_EQ((uint8_t)(13 * 5 + 1), imp.map[5]);
	QT_COUNTER(&d->node, "live_bos", &live);
	EXPECT_EQ(live0 + 1, live);
	qt_bo_free(fd2, &imp);
	close(fd2);
	EXPECT_EQ(0, qt_live_bos_settle(&d->node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld after both files let go, %lld before", live, live0);
	}
}

/* Importing into the exporting file gives back the same handle and VA. */
TEST_F(prime, self_import_returns_same_handle)
{
	struct drm_qaccel_bo_info info;
	int fd = self->b.d.fd, dmabuf;
	struct qt_bo bo;
	uint32_t h;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);

	ASSERT_EQ(0, qt_bo_create(fd, 8192, 0, &bo));
	dmabuf = qt_prime_export(fd, bo.handle);
	ASSERT_LE(0, dmabuf);
	h = import(_metadata, fd, dmabuf, &info);
	EXPECT_EQ(bo.handle, h);
	EXPECT_EQ(bo.va, info.va);
	close(dmabuf);
	qt_bo_free(fd, &bo);
}

/* An exported dma-buf keeps the BO alive after its last handle is closed. */
TEST_F(prime, dmabuf_fd_keeps_bo_alive)
{
	struct drm_qaccel_bo_info info;
	struct qt_dev *d = &self->b.d;
	long long live0, live;
	struct qt_bo bo;
	int dmabuf, fd2;
	uint32_t h;
	uint8_t *map;

	QT_NEED(&self->b, BO_CREATE);
	QT_NEED(&self->b, BO_INFO);

	QT_COUNTER(&d->node, "live_bos", &live0);
	ASSERT_EQ(0, qt_bo_new(d->fd, 4096, 0, &bo));
	memset(bo.map, 0x99, 4096);
	dmabuf = qt_prime_export(d->fd, bo.handle);
	ASSERT_LE(0, dmabuf);
	qt_bo_free(d->fd, &bo);
	QT_COUNTER(&d->node, "live_bos", &live);
	EXPECT_EQ(live0 + 1, live);

	/* Still importable, with its data. */
	fd2 = qt_dev_reopen(d);
	ASSERT_LE(0, fd2);
	h = import(_metadata, fd2, dmabuf, &info);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd2, (off_t)info.mmap_offset);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0x99, map[4095]);
	munmap(map, 4096);
	EXPECT_EQ(0, qt_gem_close(fd2, h));
	close(fd2);
	close(dmabuf);
	EXPECT_EQ(0, qt_live_bos_settle(&d->node, live0, QT_SETTLE_MS, &live));
}

/*
 * Jobs of the importing file use the imported BOs by their VAs there: A,
 * weights and C all shared; the exporter sees the result.
 */
TEST_F(prime, jobs_of_importing_file_use_imported_bos)
{
	struct drm_qaccel_bo_info ia, iw, ic;
	int fd = self->b.d.fd, fd2, da, dw, dc;
	struct drm_qaccel_job job;
	uint32_t ha, hw, hc, rd[2];
	struct qt_placed p;
	uint64_t seqno;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_placed_new(fd, &p, 13, 27, 31, A_S8 | OUT_S8, &self->r));
	da = qt_prime_export(fd, p.a.handle);
	dw = qt_prime_export(fd, p.w.handle);
	dc = qt_prime_export(fd, p.c.handle);
	ASSERT_LE(0, da);
	ASSERT_LE(0, dw);
	ASSERT_LE(0, dc);
	fd2 = qt_dev_reopen(&self->b.d);
	ASSERT_LE(0, fd2);
	ha = import(_metadata, fd2, da, &ia);
	hw = import(_metadata, fd2, dw, &iw);
	hc = import(_metadata, fd2, dc, &ic);

	qt_job_fill(&job, &p.q, ia.va, iw.va, ic.va);
	rd[0] = ha;
	rd[1] = hw;
	ASSERT_EQ(0, qt_submit(fd2, 0, &job, 1, rd, 2, &hc, 1, NULL, 0, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(fd2, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);

	/* And the exporter's own job on the same BOs. */
	QT_RUN_EXACT(fd, &p, 0);
	close(da);
	close(dw);
	close(dc);
	close(fd2);
	qt_placed_free(fd, &p);
}

/*
 * A BO of engine 0 imported by engine 1 (a foreign dma-buf for engine 1):
 * engine 1's job reads A from it and writes C into another such BO.
 */
TEST_F(prime, other_engine_computes_on_imported_bos)
{
	struct drm_qaccel_bo_info ia, ic;
	struct drm_qaccel_job job;
	struct qt_placed p;
	struct qt_dev d2;
	struct qt_bo w2;
	uint32_t ha, hc, rd[2];
	long long live0_2, live;
	int fd = self->b.d.fd, da, dc;
	uint64_t seqno;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	if (qt_node_count() < 2)
		SKIP(return, "needs two qaccel nodes");

	ASSERT_EQ(0, qt_dev_open(&d2, 1));
	QT_COUNTER(&d2.node, "live_bos", &live0_2);
	ASSERT_EQ(0, qt_placed_new(fd, &p, 10, 33, 45, OUT_U8, &self->r));
	da = qt_prime_export(fd, p.a.handle);
	dc = qt_prime_export(fd, p.c.handle);
	ASSERT_LE(0, da);
	ASSERT_LE(0, dc);
	ha = import(_metadata, d2.fd, da, &ia);
	hc = import(_metadata, d2.fd, dc, &ic);
	ASSERT_EQ(0, qt_bo_new(d2.fd, p.q.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &w2));
	memcpy(w2.map, p.q.packed, p.q.packed_bytes);

	qt_job_fill(&job, &p.q, ia.va, w2.va, ic.va);
	rd[0] = ha;
	rd[1] = w2.handle;
	ASSERT_EQ(0, qt_submit(d2.fd, 0, &job, 1, rd, 2, &hc, 1, NULL, 0, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(d2.fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);

	qt_bo_free(d2.fd, &w2);
	EXPECT_EQ(0, qt_gem_close(d2.fd, ha));
	EXPECT_EQ(0, qt_gem_close(d2.fd, hc));
	close(da);
	close(dc);
	qt_dev_close(&d2);
	qt_placed_free(fd, &p);
	EXPECT_EQ(0, qt_live_bos_settle(&d2.node, live0_2, QT_SETTLE_MS, &live)) {
		TH_LOG("engine 1: live_bos %lld, %lld before", live, live0_2);
	}
}

/* A udmabuf over a sealed memfd: its fd and a CPU mapping of the memfd. */
struct udma {
	int memfd, dmabuf;
	uint8_t *map;
	size_t size;
};

static int udma_new(struct udma *u, size_t size)
{
	struct udmabuf_create c;
	int dev, ret;

	memset(u, 0, sizeof(*u));
	u->memfd = u->dmabuf = -1;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	u->size = size;
	u->memfd = memfd_create("qaccel-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (u->memfd < 0 || ftruncate(u->memfd, (off_t)size) ||
	    fcntl(u->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		close(dev);
		return ret;
	}
	memset(&c, 0, sizeof(c));
	c.memfd = (uint32_t)u->memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.offset = 0;
	c.size = size;
	u->dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	ret = u->dmabuf < 0 ? -errno : 0;
	close(dev);
	if (ret)
		return ret;
	u->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, u->memfd, 0);
	return u->map == MAP_FAILED ? -errno : 0;
}

static void udma_free(struct udma *u)
{
	if (u->map && u->map != MAP_FAILED)
		munmap(u->map, u->size);
	if (u->dmabuf >= 0)
		close(u->dmabuf);
	if (u->memfd >= 0)
		close(u->memfd);
}

/*
 * A foreign dma-buf (udmabuf over memfd pages) imported as a BO: a GEMM
 * reads A from one and writes C into another, bit-exact.
 */
TEST_F(prime, udmabuf_import_feeds_gemm)
{
	struct drm_qaccel_bo_info ia, ic;
	struct drm_qaccel_job job;
	struct udma ua, uc;
	struct qt_gemm q;
	struct qt_bo w;
	int fd = self->b.d.fd, ret;
	uint32_t ha, hc, rd[2];
	long long live0, live;
	uint64_t seqno;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	if (access("/dev/udmabuf", F_OK))
		SKIP(return, "no /dev/udmabuf (CONFIG_UDMABUF)");

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, qt_gemm_init(&q, 20, 37, 100, A_S8 | OUT_S32, 5, 4, &self->r));
	qt_gemm_finish(&q);
	ret = udma_new(&ua, 3 * 4096);
	ASSERT_EQ(0, ret) TH_LOG("udmabuf: %s", strerror(-ret));
	ret = udma_new(&uc, 4 * 4096);
	ASSERT_EQ(0, ret) TH_LOG("udmabuf: %s", strerror(-ret));
	memcpy(ua.map + 4000, q.a, q.a_bytes);		/* across a page boundary */
	memset(uc.map, QT_C_FILL, uc.size);

	ha = import(_metadata, fd, ua.dmabuf, &ia);
	hc = import(_metadata, fd, uc.dmabuf, &ic);
	EXPECT_EQ(ua.size, ia.size);
	EXPECT_EQ(uc.size, ic.size);
	ASSERT_EQ(0, qt_bo_new(fd, q.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &w));
	memcpy(w.map, q.packed, q.packed_bytes);

	qt_job_fill(&job, &q, ia.va + 4000, w.va, ic.va + 7);
	rd[0] = ha;
	rd[1] = w.handle;
	ASSERT_EQ(0, qt_submit(fd, 0, &job, 1, rd, 2, &hc, 1, NULL, 0, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_compare(uc.map + 7, q.expect, q.c_bytes, why, sizeof(why))) {
		TH_LOG("C in the udmabuf: %s", why);
	}
	EXPECT_EQ(QT_C_FILL, uc.map[6]);
	EXPECT_EQ(QT_C_FILL, uc.map[7 + q.c_bytes]);

	EXPECT_EQ(0, qt_gem_close(fd, ha));
	EXPECT_EQ(0, qt_gem_close(fd, hc));
	qt_bo_free(fd, &w);
	udma_free(&ua);
	udma_free(&uc);
	qt_gemm_free(&q);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld after closing the imports, %lld before", live, live0);
	}
}

TEST_HARNESS_MAIN
