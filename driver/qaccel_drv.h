/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qaccel: module-wide definitions.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef _QACCEL_DRV_H_
#define _QACCEL_DRV_H_

#define QACCEL_NAME		"qaccel"
#define QACCEL_DESC		"QA1 int8 matrix engine"
#define QACCEL_DATE		"20261122"
#define QACCEL_MAJOR		1
#define QACCEL_MINOR		0
#define QACCEL_PATCHLEVEL	0

/* qaccel_platform.c */
int qaccel_platform_register(void);
void qaccel_platform_unregister(void);
int qaccel_platform_create_emulated(unsigned int count);
void qaccel_platform_destroy_emulated(void);

/* qaccel_pci.c */
#if IS_ENABLED(CONFIG_PCI)
int qaccel_pci_register(void);
void qaccel_pci_unregister(void);
#else
static inline int qaccel_pci_register(void)
{
	return 0;
}

static inline void qaccel_pci_unregister(void)
{
}
#endif

#endif /* _QACCEL_DRV_H_ */
