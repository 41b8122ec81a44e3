// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: dma-buf sharing. A BO exported with
 * PRIME_HANDLE_TO_FD and imported into a second file of the same device
 * gets a device VA there (BO_INFO) and shares its data both ways; jobs of
 * the importing file read and write it; a BO exported by one engine and
 * imported by the other, and foreign dma-bufs from udmabuf (memfd pages)
 * and from vgem (shmem dumb buffers of another DRM driver), feed GEMMs
 * with bit-exact results. The live-BO counter follows the shared object's
 * lifetime.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdint.h>
#include <stdio.h>
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

/* A vgem dumb buffer: its handle on the vgem fd, dma-buf and CPU mapping. */
struct vgem_buf {
	int fd;
	uint32_t handle;
	int dmabuf;
	uint8_t *map;
	size_t size;
};

/*
 * Open the card node of the vgem driver (a DRM driver other than qaccel,
 * so its dma-bufs are foreign): an fd, or -ENODEV when there is none.
 */
static int vgem_open(void)
{
	struct drm_version v;
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

/*
 * A dumb buffer of at least size bytes on the vgem fd, exported as a
 * dma-buf and mapped through the vgem fd: 0 or -errno.
 */
static int vgem_new(int fd, struct vgem_buf *v, size_t size)
{
	struct drm_mode_create_dumb c;
	struct drm_mode_map_dumb m;
	int ret;

	memset(v, 0, sizeof(*v));
	v->fd = fd;
	v->dmabuf = -1;
	memset(&c, 0, sizeof(c));
	c.width = 1024;
	c.bpp = 32;				/* 4096-byte rows */
	c.height = (uint32_t)((size + 4095) / 4096);
	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return -errno;
	v->handle = c.handle;
	v->size = c.size;
	if (v->size < size)
		return -ENOSPC;
	memset(&m, 0, sizeof(m));
	m.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		return -errno;
	v->map = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (v->map == MAP_FAILED) {
		ret = -errno;
		v->map = NULL;
		return ret;
	}
	v->dmabuf = qt_prime_export(fd, v->handle);
	return v->dmabuf < 0 ? v->dmabuf : 0;
}

/* Drop the vgem side: mapping, dma-buf fd and handle (not the vgem fd). */
static void vgem_free(struct vgem_buf *v)
{
	struct drm_mode_destroy_dumb d;

	if (v->map)
		munmap(v->map, v->size);
	v->map = NULL;
	if (v->dmabuf >= 0)
		close(v->dmabuf);
	v->dmabuf = -1;
	if (v->handle) {
		memset(&d, 0, sizeof(d));
		d.handle = v->handle;
		ioctl(v->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	v->handle = 0;
}

/*
 * Foreign dma-bufs of another DRM driver (vgem dumb buffers, shmem pages)
 * imported as BOs: a GEMM reads A and the packed weights from two of them
 * and writes C into a third, bit-exact, nothing written around C.
 */
TEST_F(prime, vgem_import_feeds_gemm)
{
	struct drm_qaccel_bo_info ia, iw, ic;
	int fd = self->b.d.fd, vfd, ret;
	struct vgem_buf va, vw, vc;
	struct drm_qaccel_job job;
	uint32_t ha, hw, hc, rd[2];
	long long live0, live;
	struct qt_gemm q;
	uint64_t seqno;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	vfd = vgem_open();
	if (vfd < 0)
		SKIP(return, "no vgem device (CONFIG_DRM_VGEM)");

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, qt_gemm_init(&q, 20, 37, 100, A_S8 | OUT_S32, 5, 4, &self->r));
	qt_gemm_finish(&q);
	ret = vgem_new(vfd, &va, 4000 + q.a_bytes);
	ASSERT_EQ(0, ret) TH_LOG("vgem A: %s", strerror(-ret));
	ret = vgem_new(vfd, &vw, q.packed_bytes);
	ASSERT_EQ(0, ret) TH_LOG("vgem weights: %s", strerror(-ret));
	ret = vgem_new(vfd, &vc, 7 + q.c_bytes + 1);
	ASSERT_EQ(0, ret) TH_LOG("vgem C: %s", strerror(-ret));
	memcpy(va.map + 4000, q.a, q.a_bytes);		/* across a page boundary */
	memcpy(vw.map, q.packed, q.packed_bytes);
	memset(vc.map, QT_C_FILL, vc.size);

	ha = import(_metadata, fd, va.dmabuf, &ia);
	hw = import(_metadata, fd, vw.dmabuf, &iw);
	hc = import(_metadata, fd, vc.dmabuf, &ic);
	EXPECT_EQ(va.size, ia.size);
	EXPECT_EQ(vw.size, iw.size);
	EXPECT_EQ(vc.size, ic.size);
	EXPECT_EQ(0, ic.flags);
	EXPECT_EQ(0, ia.va % self->b.d.page_size);
	EXPECT_LE(self->b.d.va_start, ic.va);
	EXPECT_GE(self->b.d.va_end, ic.va + ic.size);
	QT_COUNTER(&self->b.d.node, "live_bos", &live);
	EXPECT_EQ(live0 + 3, live);

	qt_job_fill(&job, &q, ia.va + 4000, iw.va, ic.va + 7);
	rd[0] = ha;
	rd[1] = hw;
	ASSERT_EQ(0, qt_submit(fd, 0, &job, 1, rd, 2, &hc, 1, NULL, 0, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_compare(vc.map + 7, q.expect, q.c_bytes, why, sizeof(why))) {
		TH_LOG("C in the vgem buffer: %s", why);
	}
	EXPECT_EQ(QT_C_FILL, vc.map[6]);
	EXPECT_EQ(QT_C_FILL, vc.map[7 + q.c_bytes]);

	EXPECT_EQ(0, qt_gem_close(fd, ha));
	EXPECT_EQ(0, qt_gem_close(fd, hw));
	EXPECT_EQ(0, qt_gem_close(fd, hc));
	vgem_free(&va);
	vgem_free(&vw);
	vgem_free(&vc);
	close(vfd);
	qt_gemm_free(&q);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld after closing the imports, %lld before", live, live0);
	}
}

/*
 * Importing the same foreign dma-buf again into a file, by the same fd or
 * by a second export of the same vgem object, gives back the same handle
 * and VA: one BO, released by one GEM_CLOSE.
 */
TEST_F(prime, vgem_import_twice_same_bo)
{
	struct drm_qaccel_bo_info i1, i2, i3;
	int fd = self->b.d.fd, vfd, dmabuf2, ret;
	long long live0, live;
	uint32_t h1, h2, h3;
	struct vgem_buf v;

	QT_NEED(&self->b, BO_INFO);
	vfd = vgem_open();
	if (vfd < 0)
		SKIP(return, "no vgem device (CONFIG_DRM_VGEM)");

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ret = vgem_new(vfd, &v, 2 * 4096);
	ASSERT_EQ(0, ret) TH_LOG("vgem: %s", strerror(-ret));
	h1 = import(_metadata, fd, v.dmabuf, &i1);
	h2 = import(_metadata, fd, v.dmabuf, &i2);
	EXPECT_EQ(h1, h2);
	EXPECT_EQ(i1.va, i2.va);
	dmabuf2 = qt_prime_export(vfd, v.handle);
	ASSERT_LE(0, dmabuf2) TH_LOG("vgem PRIME_HANDLE_TO_FD: %s", strerror(-dmabuf2));
	h3 = import(_metadata, fd, dmabuf2, &i3);
	EXPECT_EQ(h1, h3);
	EXPECT_EQ(i1.va, i3.va);
	QT_COUNTER(&self->b.d.node, "live_bos", &live);
	EXPECT_EQ(live0 + 1, live);

	EXPECT_EQ(0, qt_gem_close(fd, h1));
	EXPECT_EQ(-EINVAL, qt_gem_close(fd, h2));
	close(dmabuf2);
	vgem_free(&v);
	close(vfd);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld after closing the import, %lld before", live, live0);
	}
}

/*
 * The exporter lets go first (vgem mapping, dma-buf fd, handle and file):
 * the imported BO keeps the pages and a GEMM still reads A from it; the BO
 * goes away with its qaccel handle.
 */
TEST_F(prime, vgem_import_outlives_exporter)
{
	struct drm_qaccel_bo_info ia;
	int fd = self->b.d.fd, vfd, ret;
	struct drm_qaccel_job job;
	long long live0, live;
	struct qt_bo w, c;
	struct vgem_buf va;
	uint32_t ha, rd[2];
	struct qt_gemm q;
	uint64_t seqno;
	int32_t status;
	char why[160];

	QT_NEED_JOBS(&self->b);
	vfd = vgem_open();
	if (vfd < 0)
		SKIP(return, "no vgem device (CONFIG_DRM_VGEM)");

	QT_COUNTER(&self->b.d.node, "live_bos", &live0);
	ASSERT_EQ(0, qt_gemm_init(&q, 17, 24, 64, A_S8 | OUT_S8, 3, 0, &self->r));
	qt_gemm_finish(&q);
	ret = vgem_new(vfd, &va, q.a_bytes);
	ASSERT_EQ(0, ret) TH_LOG("vgem A: %s", strerror(-ret));
	memcpy(va.map, q.a, q.a_bytes);
	ha = import(_metadata, fd, va.dmabuf, &ia);
	vgem_free(&va);
	close(vfd);
	QT_COUNTER(&self->b.d.node, "live_bos", &live);
	EXPECT_EQ(live0 + 1, live);

	ASSERT_EQ(0, qt_bo_new(fd, q.packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &w));
	memcpy(w.map, q.packed, q.packed_bytes);
	ASSERT_EQ(0, qt_bo_new(fd, q.c_bytes, 0, &c));
	memset(c.map, QT_C_FILL, c.size);
	qt_job_fill(&job, &q, ia.va, w.va, c.va);
	rd[0] = ha;
	rd[1] = w.handle;
	ASSERT_EQ(0, qt_submit(fd, 0, &job, 1, rd, 2, &c.handle, 1, NULL, 0, 0, &seqno));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_compare(c.map, q.expect, q.c_bytes, why, sizeof(why))) {
		TH_LOG("C from A in the orphaned import: %s", why);
	}

	/* W and C go once the finished job lets go of them; A stays. */
	qt_bo_free(fd, &w);
	qt_bo_free(fd, &c);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0 + 1, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld with only the import open, %lld before", live, live0);
	}
	EXPECT_EQ(0, qt_gem_close(fd, ha));
	qt_gemm_free(&q);
	EXPECT_EQ(0, qt_live_bos_settle(&self->b.d.node, live0, QT_SETTLE_MS, &live)) {
		TH_LOG("live_bos %lld after closing the import, %lld before", live, live0);
	}
}

TEST_HARNESS_MAIN
