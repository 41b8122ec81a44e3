// SPDX-License-Identifier: GPL-2.0-only
/*
 * qaccel: PCI bus glue for QA1 engines on FPGA cards.
 *
 * BAR 0 is the QA1 register window (at least QA1_MMIO_SIZE bytes) and the
 * engine has one interrupt (MSI-X, MSI or INTx).
 *
 * qaccel owns no PCI vendor ID, so the driver claims no device by default:
 * whoever builds the FPGA bitstream programs its vendor/device ID pair into
 * the card's configuration space and names the same pair here, either with
 * the module parameters pci_vendor= and pci_device= or at run time through
 * /sys/bus/pci/drivers/qaccel/new_id. The probe then still checks the QA1
 * identification register before it takes the device.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <linux/err.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/pm.h>

#include "qaccel_device.h"
#include "qaccel_drv.h"
#include "qaccel_hw.h"

static ushort pci_vendor;
module_param(pci_vendor, ushort, 0444);
MODULE_PARM_DESC(pci_vendor, "PCI vendor ID of QA1 FPGA cards (default none)");

static ushort pci_device;
module_param(pci_device, ushort, 0444);
MODULE_PARM_DESC(pci_device, "PCI device ID of QA1 FPGA cards (default none)");

#define QACCEL_PCI_BAR_REGS	0

static int qaccel_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct qaccel_device *qdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	if (!(pci_resource_flags(pdev, QACCEL_PCI_BAR_REGS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, QACCEL_PCI_BAR_REGS) < QA1_MMIO_SIZE) {
		dev_err(dev, "BAR %d is not a QA1 register window\n", QACCEL_PCI_BAR_REGS);
		return -ENODEV;
	}

	qdev = qaccel_device_alloc(dev);
	if (IS_ERR(qdev))
		return PTR_ERR(qdev);
	pci_set_drvdata(pdev, qdev);

	qdev->regs = devm_ioremap_resource(dev, &pdev->resource[QACCEL_PCI_BAR_REGS]);
	if (IS_ERR(qdev->regs))
		return PTR_ERR(qdev->regs);

	pci_set_master(pdev);

	/* Managed device: the vectors are freed when the device unbinds. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;
	qdev->irq = pci_irq_vector(pdev, 0);

	return qaccel_device_init(qdev);
}

static void qaccel_pci_remove(struct pci_dev *pdev)
{
	qaccel_device_fini(pci_get_drvdata(pdev));
}

/* Empty on purpose: see the comment at the top of this file. */
static const struct pci_device_id qaccel_pci_ids[] = {
	{ }
};

static struct pci_driver qaccel_pci_driver = {
	.name = "qaccel",
	.id_table = qaccel_pci_ids,
	.probe = qaccel_pci_probe,
	.remove = qaccel_pci_remove,
	.driver.pm = pm_ptr(&qaccel_pm_ops),
};

int qaccel_pci_register(void)
{
	int ret;

	if (!pci_vendor != !pci_device) {
		pr_err("qaccel: pci_vendor and pci_device must be given together\n");
		return -EINVAL;
	}

	ret = pci_register_driver(&qaccel_pci_driver);
	if (ret)
		return ret;

	if (pci_vendor) {
		ret = pci_add_dynid(&qaccel_pci_driver, pci_vendor, pci_device,
				    PCI_ANY_ID, PCI_ANY_ID, 0, 0, 0);
		if (ret)
			goto err_unregister_driver;
	}

	return 0;

err_unregister_driver:
	pci_unregister_driver(&qaccel_pci_driver);
	return ret;
}

void qaccel_pci_unregister(void)
{
	pci_unregister_driver(&qaccel_pci_driver);
}
