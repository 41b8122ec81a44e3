// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: the books balance after the whole suite.
 *
 * Runs last (the VM harness runs the tests in name order), when every
 * earlier test process has exited and closed its files. On every qaccel
 * node: no buffer object is left (live_bos and live_bo_bytes are back to
 * zero, allowing the deferred release of the last jobs' buffers to
 * finish), and every job the engine accepted was accounted for exactly
 * once (jobs_submitted == jobs_completed + jobs_failed). A leaked BO, a
 * job completed twice or one that never completed fails here even when
 * the test that caused it passed.
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "qaccel_test_util.h"

/* How long the last buffers may take to be released after their jobs. */
#define SETTLE_MS	5000

TEST(no_buffer_object_outlives_the_suite)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	long long seen;
	int i, n;

	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	if (n < 1)
		SKIP(return, "no qaccel node (module not loaded)");
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, qt_counter_settle(&nodes[i], "live_bos", 0, SETTLE_MS, &seen)) {
			TH_LOG("%s: live_bos is %lld after every test exited", nodes[i].path,
			       seen);
		}
		EXPECT_EQ(0, qt_counter_settle(&nodes[i], "live_bo_bytes", 0, SETTLE_MS, &seen)) {
			TH_LOG("%s: live_bo_bytes is %lld after every test exited",
			       nodes[i].path, seen);
		}
	}
}

TEST(every_accepted_job_ended_exactly_once)
{
	struct qaccel_node nodes[QACCEL_MAX_NODES];
	long long sub = 0, done = 0, failed = 0;
	int i, n, waited;

	n = qaccel_find_nodes(nodes, QACCEL_MAX_NODES);
	if (n < 1)
		SKIP(return, "no qaccel node (module not loaded)");
	for (i = 0; i < n; i++) {
		for (waited = 0;; waited += 20) {
			ASSERT_EQ(0, qt_counter(&nodes[i], "jobs_submitted", &sub));
			ASSERT_EQ(0, qt_counter(&nodes[i], "jobs_completed", &done));
			ASSERT_EQ(0, qt_counter(&nodes[i], "jobs_failed", &failed));
			if (sub == done + failed || waited >= SETTLE_MS)
				break;
			qt_sleep_ms(20);
		}
		EXPECT_EQ(sub, done + failed) {
			TH_LOG("%s: %lld jobs submitted, %lld completed, %lld failed",
			       nodes[i].path, sub, done, failed);
		}
		TH_LOG("%s: %lld jobs submitted, %lld completed, %lld failed", nodes[i].path,
		       sub, done, failed);
	}
}

TEST_HARNESS_MAIN
