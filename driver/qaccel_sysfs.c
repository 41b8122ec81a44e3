// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: the counters, in sysfs and debugfs.
 *
 * The bus device of each engine carries an attribute group "qaccel", one
 * decimal value per file (reached from a node as
 * /sys/dev/char/<major>:<minor>/device/qaccel/<name>); debugfs "counters"
 * prints the same values as "name value" lines.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/device.h>
#include <linux/seq_file.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>

#include "qaccel_device.h"

static const struct {
	const char *name;
	size_t offset;
} qaccel_counter_list[] = {
	{ "jobs_submitted", offsetof(struct qaccel_counters, jobs_submitted) },
	{ "jobs_completed", offsetof(struct qaccel_counters, jobs_completed) },
	{ "jobs_failed", offsetof(struct qaccel_counters, jobs_failed) },
	{ "resets", offsetof(struct qaccel_counters, resets) },
	{ "busy_ns", offsetof(struct qaccel_counters, busy_ns) },
	{ "live_bos", offsetof(struct qaccel_counters, live_bos) },
	{ "live_bo_bytes", offsetof(struct qaccel_counters, live_bo_bytes) },
	{ "jobs_merged", offsetof(struct qaccel_counters, jobs_merged) },
};

static s64 qaccel_counter_value(struct qaccel_device *qdev, unsigned int i)
{
	return atomic64_read((atomic64_t *)((char *)&qdev->counters +
					    qaccel_counter_list[i].offset));
}

/**
 * qaccel_counters_show - print every counter as a "name value" line
 * @qdev: the device
 * @m: the seq_file
 */
void qaccel_counters_show(struct qaccel_device *qdev, struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(qaccel_counter_list); i++)
		seq_printf(m, "%s %lld\n", qaccel_counter_list[i].name,
			   qaccel_counter_value(qdev, i));
}

static ssize_t qaccel_counter_attr_show(struct device *dev, struct device_attribute *attr,
					char *buf)
{
	struct qaccel_device *qdev = dev_get_drvdata(dev);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(qaccel_counter_list); i++)
		if (!strcmp(attr->attr.name, qaccel_counter_list[i].name))
			return sysfs_emit(buf, "%lld\n", qaccel_counter_value(qdev, i));

	return -ENOENT;
}

#define QACCEL_COUNTER_ATTR(_name) \
	struct device_attribute dev_attr_##_name = \
		__ATTR(_name, 0444, qaccel_counter_attr_show, NULL)

static QACCEL_COUNTER_ATTR(jobs_submitted);
static QACCEL_COUNTER_ATTR(jobs_completed);
static QACCEL_COUNTER_ATTR(jobs_failed);
static QACCEL_COUNTER_ATTR(resets);
static QACCEL_COUNTER_ATTR(busy_ns);
static QACCEL_COUNTER_ATTR(live_bos);
static QACCEL_COUNTER_ATTR(live_bo_bytes);
static QACCEL_COUNTER_ATTR(jobs_merged);

static struct attribute *qaccel_counter_attrs[] = {
	&dev_attr_jobs_submitted.attr,
	&dev_attr_jobs_completed.attr,
	&dev_attr_jobs_failed.attr,
	&dev_attr_resets.attr,
	&dev_attr_busy_ns.attr,
	&dev_attr_live_bos.attr,
	&dev_attr_live_bo_bytes.attr,
	&dev_attr_jobs_merged.attr,
	NULL
};

static const struct attribute_group qaccel_counter_group = {
	.name = "qaccel",
	.attrs = qaccel_counter_attrs,
};

/**
 * qaccel_sysfs_init - add the counters to the engine's bus device
 * @qdev: the device; its bus device's driver data points at it
 *
 * Device-managed: the group goes when the device unbinds.
 *
 * Return: 0 or a negative errno.
 */
int qaccel_sysfs_init(struct qaccel_device *qdev)
{
	return devm_device_add_group(qdev->drm.dev, &qaccel_counter_group);
}
