// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: DRM fdinfo of a client (Documentation/gpu/drm-usage-stats.rst).
 *
 *   drm-driver:         qaccel
 *   drm-client-id:      a number unique among open files
 *   drm-engine-qa1:     engine time of the file's completed jobs, "N ns"
 *   drm-total-memory:   size of the BOs the file has handles on
 *   drm-shared-memory:  of which shared with other files or exported
 *   drm-active-memory:  of which in use by unfinished jobs
 *   drm-resident-memory: of which with pages allocated
 *
 * Where the DRM core prints fdinfo itself (drm_show_fdinfo()), it prints the
 * first two keys and its own memory keys; the driver adds the engine time.
 * Elsewhere the driver prints everything.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_drv.h"
#include "qaccel_gem.h"
#include "qaccel_vm.h"

static void qaccel_fdinfo_engine(struct drm_printer *p, struct drm_file *file)
{
	struct qaccel_file *qfile = to_qaccel_file(file);

	drm_printf(p, "drm-engine-qa1:\t%llu ns\n",
		   (u64)atomic64_read(&qfile->vm->engine_ns));
}

#ifdef QACCEL_HAVE_DRM_SHOW_FDINFO

/**
 * qaccel_show_fdinfo - &drm_driver.show_fdinfo
 * @p: where to print
 * @file: the client
 */
void qaccel_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	qaccel_fdinfo_engine(p, file);
	drm_show_memory_stats(p, file);
}

#else

/* "drm-<stat>-memory: N[ KiB| MiB]", in the largest unit that is exact. */
static void qaccel_fdinfo_size(struct drm_printer *p, const char *stat, u64 bytes)
{
	static const char * const units[] = { "", " KiB", " MiB" };
	unsigned int u = 0;

	while (u < ARRAY_SIZE(units) - 1 && bytes && !(bytes % SZ_1K)) {
		bytes /= SZ_1K;
		u++;
	}
	drm_printf(p, "drm-%s-memory:\t%llu%s\n", stat, bytes, units[u]);
}

static void qaccel_fdinfo_memory(struct drm_printer *p, struct drm_file *file)
{
	u64 total = 0, shared = 0, active = 0, resident = 0;
	struct drm_gem_object *obj;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		total += obj->size;
		if (obj->handle_count > 1 || obj->dma_buf || obj->import_attach)
			shared += obj->size;
		if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
			active += obj->size;
		if (qaccel_gem_is_qaccel_bo(obj) &&
		    (to_qaccel_bo(obj)->base.pages || obj->import_attach))
			resident += obj->size;
	}
	spin_unlock(&file->table_lock);

	qaccel_fdinfo_size(p, "total", total);
	qaccel_fdinfo_size(p, "shared", shared);
	qaccel_fdinfo_size(p, "active", active);
	qaccel_fdinfo_size(p, "resident", resident);
}

/**
 * qaccel_fops_show_fdinfo - &file_operations.show_fdinfo of a node
 * @m: the fdinfo file
 * @f: the open node
 */
void qaccel_fops_show_fdinfo(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	struct drm_printer p = drm_seq_file_printer(m);

	drm_printf(&p, "drm-driver:\t%s\n", QACCEL_NAME);
	drm_printf(&p, "drm-client-id:\t%llu\n", to_qaccel_file(file)->client_id);
	qaccel_fdinfo_engine(&p, file);
	qaccel_fdinfo_memory(&p, file);
}

#endif
