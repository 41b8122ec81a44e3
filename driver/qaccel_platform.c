// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: platform bus glue.
 *
 * Two kinds of platform device bind here: a QA1 described by the device tree
 * (compatible "qaccel,qa1": one MMIO window of registers and one interrupt)
 * and the emulated QA1 engines the module creates itself ("qaccel-emu"),
 * whose registers are the register model of qaccel_emu.c. Both go through
 * the same probe.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/err.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm.h>

#include "qaccel_compat.h"
#include "qaccel_device.h"
#include "qaccel_drv.h"
#include "qaccel_emu.h"
#include "qaccel_limits.h"

#define QACCEL_EMU_DEVICE_NAME	"qaccel-emu"

/* platform_device_id.driver_data */
enum qaccel_platform_kind {
	QACCEL_PLATFORM_HW,
	QACCEL_PLATFORM_EMU,
};

/*
 * The emulated engines created at module load. Only module init and exit
 * touch this array, which the module loader serialises.
 */
static struct platform_device *qaccel_emu_pdevs[QACCEL_MAX_EMULATED];

static int qaccel_platform_probe(struct platform_device *pdev)
{
	const struct platform_device_id *id = platform_get_device_id(pdev);
	struct device *dev = &pdev->dev;
	struct qaccel_device *qdev;

	qdev = qaccel_device_alloc(dev);
	if (IS_ERR(qdev))
		return PTR_ERR(qdev);
	platform_set_drvdata(pdev, qdev);

	if (id && id->driver_data == QACCEL_PLATFORM_EMU) {
		qdev->emu = qaccel_emu_create(dev, qaccel_device_emu_irq, qdev);
		if (IS_ERR(qdev->emu))
			return PTR_ERR(qdev->emu);
	} else {
		qdev->regs = devm_platform_ioremap_resource(pdev, 0);
		if (IS_ERR(qdev->regs))
			return PTR_ERR(qdev->regs);
		qdev->irq = platform_get_irq(pdev, 0);
		if (qdev->irq < 0)
			return qdev->irq;
	}

	return qaccel_device_init(qdev);
}

static void qaccel_platform_remove(struct platform_device *pdev)
{
	qaccel_device_fini(platform_get_drvdata(pdev));
}

static const struct platform_device_id qaccel_platform_ids[] = {
	{ .name = QACCEL_EMU_DEVICE_NAME, .driver_data = QACCEL_PLATFORM_EMU },
	{ }
};
MODULE_DEVICE_TABLE(platform, qaccel_platform_ids);

static const struct of_device_id qaccel_of_match[] = {
	{ .compatible = "qaccel,qa1" },
	{ }
};
MODULE_DEVICE_TABLE(of, qaccel_of_match);

static struct platform_driver qaccel_platform_driver = {
	.probe = qaccel_platform_probe,
	QACCEL_PLATFORM_REMOVE(qaccel_platform_remove),
	.id_table = qaccel_platform_ids,
	.driver = {
		.name = "qaccel",
		.of_match_table = qaccel_of_match,
		.pm = pm_ptr(&qaccel_pm_ops),
	},
};

int qaccel_platform_register(void)
{
	return platform_driver_register(&qaccel_platform_driver);
}

void qaccel_platform_unregister(void)
{
	platform_driver_unregister(&qaccel_platform_driver);
}

/**
 * qaccel_platform_create_emulated - create the emulated engines
 * @count: how many, at most QACCEL_MAX_EMULATED
 *
 * Each engine is a platform device "qaccel-emu.N" that binds to this driver
 * and becomes its own DRM device.
 *
 * Return: 0, or a negative errno after removing the engines already created.
 */
int qaccel_platform_create_emulated(unsigned int count)
{
	struct platform_device *pdev;
	unsigned int i;
	int ret;

	for (i = 0; i < count; i++) {
		pdev = platform_device_register_simple(QACCEL_EMU_DEVICE_NAME, i,
						       NULL, 0);
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			goto err_destroy;
		}
		qaccel_emu_pdevs[i] = pdev;

		/* The driver is registered, so the device bound synchronously. */
		if (!platform_get_drvdata(pdev)) {
			pr_err("qaccel: emulated engine %u failed to probe\n", i);
			ret = -ENODEV;
			goto err_destroy;
		}
	}

	return 0;

err_destroy:
	qaccel_platform_destroy_emulated();
	return ret;
}

/**
 * qaccel_platform_destroy_emulated - remove every emulated engine
 */
void qaccel_platform_destroy_emulated(void)
{
	unsigned int i;

	for (i = ARRAY_SIZE(qaccel_emu_pdevs); i-- > 0;) {
		if (!qaccel_emu_pdevs[i])
			continue;
		platform_device_unregister(qaccel_emu_pdevs[i]);
		qaccel_emu_pdevs[i] = NULL;
	}
}
