// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM harness self-test module.
 *
 * Loading it emits one WARNING, which the harness's kernel log check must
 * flag: tests/vm/selftest-harness.sh fails unless vm-test.sh reports
 * "not ok ... dmesg-clean" for it. The module also references one symbol
 * each from drm_shmem_helper and gpu-sched, so the run exercises the
 * same dependency resolution (drm, drm_shmem_helper, gpu-sched and what
 * they need) as the real driver.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include <drm/drm_gem_shmem_helper.h>
#include <drm/gpu_scheduler.h>

static bool warn = true;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "Emit a WARNING when loaded (default: true)");

static int __init vmtest_splat_init(void)
{
	pr_info("vmtest_splat: loaded, using %ps and %ps\n",
		drm_gem_shmem_free, drm_sched_job_cleanup);
	WARN(warn, "vmtest_splat: deliberate warning for the VM harness self-test\n");
	return 0;
}

static void __exit vmtest_splat_exit(void)
{
	pr_info("vmtest_splat: unloaded\n");
}

module_init(vmtest_splat_init);
module_exit(vmtest_splat_exit);

MODULE_DESCRIPTION("qaccel VM harness self-test: warns at load time");
MODULE_LICENSE("GPL");
