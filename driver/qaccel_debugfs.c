// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: debugfs files of a node.
 *
 *   counters  the counters of the sysfs "qaccel" group, "name value" lines
 *   engine    the engine's registers and the driver's ring state
 *   inject    fault injection (engines with QA1_CAP_FAULT_INJECT): write
 *             "hang" or "fault" to make the next descriptor the engine
 *             starts hang or fault ("hang N", "fault N": the one N
 *             descriptors later), "none" to disarm, "delay_us N" to slow
 *             every work unit down by N microseconds (0: full speed);
 *             reading shows what is armed and the delay
 *
 * The files are in the node's debugfs directory:
 * /sys/kernel/debug/dri/<minor>/ for a render node and
 * /sys/kernel/debug/accel/<minor>/ for an accel node.
 *
 * An armed hang or fault goes with the next job submitted, and to the
 * engine's one-shot INJECT register when that job reaches the ring (on an
 * idle engine, it applies to that job's first descriptor, or N descriptors
 * later). The delay is
 * written to the engine at once when it is in use, and before any job
 * reaches it otherwise.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "qaccel_compat.h"
#include "qaccel_coredump.h"
#include "qaccel_device.h"
#include "qaccel_ring.h"

static int qaccel_debugfs_counters_show(struct seq_file *m, void *unused)
{
	qaccel_counters_show(m->private, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(qaccel_debugfs_counters);

static int qaccel_debugfs_engine_show(struct seq_file *m, void *unused)
{
	struct qaccel_device *qdev = m->private;
	struct drm_printer p = drm_seq_file_printer(m);
	struct qaccel_ring *ring = &qdev->ring;
	unsigned long flags;
	int ret, idx;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(qdev->drm.dev);
	if (ret)
		goto out_exit;

	qaccel_coredump_print_regs(qdev, &p);
	spin_lock_irqsave(&ring->lock, flags);
	drm_printf(&p, "ring_entries     %u\n", ring->entries);
	drm_printf(&p, "ring_tail        %u\n", ring->tail);
	drm_printf(&p, "ring_used        %u\n", ring->used);
	drm_printf(&p, "seqno_next       %llu\n", ring->next_seqno);
	drm_printf(&p, "seqno_completed  %llu\n", ring->completed_seqno);
	drm_printf(&p, "jobs_in_ring     %zu\n", list_count_nodes(&ring->inflight));
	spin_unlock_irqrestore(&ring->lock, flags);
	drm_printf(&p, "emulated         %d\n", qaccel_is_emulated(qdev));

	pm_runtime_mark_last_busy(qdev->drm.dev);
	pm_runtime_put_autosuspend(qdev->drm.dev);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(qaccel_debugfs_engine);

static int qaccel_debugfs_inject_show(struct seq_file *m, void *unused)
{
	struct qaccel_device *qdev = m->private;
	u32 armed = atomic_read(&qdev->inject_next);
	int idx;

	/* What was handed to the engine and not started yet counts too. */
	if (drm_dev_enter(&qdev->drm, &idx)) {
		armed |= qaccel_ring_inject(qdev, false);
		drm_dev_exit(idx);
	}

	if (armed & (QA1_INJECT_FAULT | QA1_INJECT_HANG)) {
		seq_puts(m, armed & QA1_INJECT_FAULT ? "fault" : "hang");
		if (armed & QA1_INJECT_SKIP_MASK)
			seq_printf(m, " %u",
				   (armed & QA1_INJECT_SKIP_MASK) >> QA1_INJECT_SKIP_SHIFT);
		seq_puts(m, "\n");
	} else {
		seq_puts(m, "none\n");
	}
	seq_printf(m, "delay_us %u\n", READ_ONCE(qdev->inject_delay_us));
	return 0;
}

static int qaccel_debugfs_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, qaccel_debugfs_inject_show, inode->i_private);
}

/* Program the engine now if it is running; else it is done when it starts. */
static void qaccel_debugfs_inject_update(struct qaccel_device *qdev, bool clear)
{
	int idx;

	if (!drm_dev_enter(&qdev->drm, &idx))
		return;
	qaccel_ring_inject(qdev, clear);
	drm_dev_exit(idx);
}

/*
 * "hang" or "fault", optionally followed by how many descriptors to let
 * pass first (0 to 255). Return: 0 with the INJECT value, or -EINVAL.
 */
static int qaccel_debugfs_parse_inject(const char *cmd, u32 *bits)
{
	const char *rest;
	u32 skip = 0;

	if (str_has_prefix(cmd, "hang")) {
		*bits = QA1_INJECT_HANG;
		rest = cmd + strlen("hang");
	} else if (str_has_prefix(cmd, "fault")) {
		*bits = QA1_INJECT_FAULT;
		rest = cmd + strlen("fault");
	} else {
		return -EINVAL;
	}
	if (*rest) {
		if (*rest != ' ' || kstrtou32(skip_spaces(rest), 0, &skip) ||
		    skip > QA1_INJECT_SKIP_MASK >> QA1_INJECT_SKIP_SHIFT)
			return -EINVAL;
	}
	*bits |= skip << QA1_INJECT_SKIP_SHIFT;
	return 0;
}

static ssize_t qaccel_debugfs_inject_write(struct file *file, const char __user *ubuf,
					   size_t len, loff_t *ppos)
{
	struct qaccel_device *qdev = file_inode(file)->i_private;
	char buf[32], *cmd;
	u32 delay, bits;

	if (!(qdev->hw.caps & QA1_CAP_FAULT_INJECT))
		return -EOPNOTSUPP;
	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);

	if (!qaccel_debugfs_parse_inject(cmd, &bits)) {
		atomic_set(&qdev->inject_next, bits);
	} else if (!strcmp(cmd, "none")) {
		atomic_set(&qdev->inject_next, 0);
		qaccel_debugfs_inject_update(qdev, true);
	} else if (str_has_prefix(cmd, "delay_us ")) {
		if (kstrtou32(skip_spaces(cmd + strlen("delay_us ")), 0, &delay))
			return -EINVAL;
		WRITE_ONCE(qdev->inject_delay_us, delay);
		qaccel_debugfs_inject_update(qdev, false);
	} else {
		return -EINVAL;
	}

	return len;
}

static const struct file_operations qaccel_debugfs_inject_fops = {
	.owner = THIS_MODULE,
	.open = qaccel_debugfs_inject_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = qaccel_debugfs_inject_write,
};

static void qaccel_debugfs_add_files(struct qaccel_device *qdev, struct dentry *root)
{
	debugfs_create_file("counters", 0444, root, qdev, &qaccel_debugfs_counters_fops);
	debugfs_create_file("engine", 0444, root, qdev, &qaccel_debugfs_engine_fops);
	if (qdev->hw.caps & QA1_CAP_FAULT_INJECT)
		debugfs_create_file("inject", 0644, root, qdev, &qaccel_debugfs_inject_fops);
}

/* Kernels where an accel node's debugfs directory belongs to the device. */
#if defined(QACCEL_HAVE_DRM_ACCEL) && defined(QACCEL_HAVE_DRM_DEVICE_DEBUGFS_ROOT)
#define QACCEL_DEBUGFS_DEVICE_DIR	1
#else
#define QACCEL_DEBUGFS_DEVICE_DIR	0
#endif

/**
 * qaccel_debugfs_init - &drm_driver.debugfs_init: the files of a node
 * @minor: the DRM minor whose debugfs directory gets the files
 */
void qaccel_debugfs_init(struct drm_minor *minor)
{
#if QACCEL_DEBUGFS_DEVICE_DIR
	/* qaccel_debugfs_register() takes care of accel nodes. */
	if (minor->type == DRM_MINOR_ACCEL)
		return;
#endif
	qaccel_debugfs_add_files(to_qaccel_device(minor->dev), minor->debugfs_root);
}

/**
 * qaccel_debugfs_register - files of an accel node in the device's directory
 * @qdev: the device, registered
 *
 * Where the DRM core gives an accel device its own debugfs directory
 * (/sys/kernel/debug/accel/<device name>/) and calls no debugfs_init hook
 * for accel minors, the files go there, and a symbolic link named after the
 * minor (/sys/kernel/debug/accel/<minor>) leads to it, as for DRI minors.
 * Elsewhere the debugfs_init hook did it all.
 */
void qaccel_debugfs_register(struct qaccel_device *qdev)
{
#if QACCEL_DEBUGFS_DEVICE_DIR
	struct dentry *dir = qdev->drm.debugfs_root;
	char name[16];

	if (IS_ERR_OR_NULL(dir) || !qdev->drm.accel)
		return;
	qaccel_debugfs_add_files(qdev, dir);
	snprintf(name, sizeof(name), "%d", qdev->drm.accel->index);
	qdev->debugfs_link = debugfs_create_symlink(name, dir->d_parent,
						    dir->d_name.name);
#endif
}

/**
 * qaccel_debugfs_unregister - remove what qaccel_debugfs_register() added
 *	outside the device's directory
 * @qdev: the device
 */
void qaccel_debugfs_unregister(struct qaccel_device *qdev)
{
	debugfs_remove(qdev->debugfs_link);
	qdev->debugfs_link = NULL;
}
