// SPDX-License-Identifier: MIT
/*
 * qaccel-info: list the backends libqaccel offers on this machine, their
 * capabilities and limits, and which one qaccel_open() picks and why.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "qaccel.h"

static const struct {
	unsigned int bit;
	const char *name;
} caps[] = {
	{ QACCEL_CAP_A_U8, "a_u8" },
	{ QACCEL_CAP_A_S8, "a_s8" },
	{ QACCEL_CAP_OUT_S8, "out_s8" },
	{ QACCEL_CAP_OUT_U8, "out_u8" },
	{ QACCEL_CAP_OUT_S32, "out_s32" },
	{ QACCEL_CAP_MMU, "mmu" },
	{ QACCEL_CAP_PROGRESS, "progress" },
	{ QACCEL_CAP_FAULT_INJECT, "fault_inject" },
};

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_caps_text(unsigned int v)
{
	size_t i;
	int first = 1;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (v & caps[i].bit) {
			printf("%s%s", first ? "" : " ", caps[i].name);
			first = 0;
		}
	}
	if (first)
		printf("none");
}

static void print_isas_text(unsigned int mask)
{
	int i, first = 1;

	for (i = QACCEL_ISA_SCALAR; i < QACCEL_ISA_COUNT; i++) {
		if (mask & (1u << i)) {
			printf("%s%s", first ? "" : " ", qaccel_isa_name((enum qaccel_isa)i));
			first = 0;
		}
	}
}

/*
 * The driver's counters of a device node: the sysfs group "qaccel" of the
 * node's bus device (Documentation/accel/qaccel/observability.rst).
 */
static const char *const counter_names[] = {
	"jobs_submitted", "jobs_completed", "jobs_failed", "resets", "busy_ns",
	"live_bos", "live_bo_bytes", "jobs_merged",
};
#define NR_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

/* Read every counter of the node at path: 0, or -errno when there are none. */
static int read_counters(const char *path, unsigned long long *val)
{
	char file[160];
	struct stat st;
	size_t i;

	if (stat(path, &st) || !S_ISCHR(st.st_mode))
		return -ENODEV;
	for (i = 0; i < NR_COUNTERS; i++) {
		FILE *f;
		int ok;

		snprintf(file, sizeof(file), "/sys/dev/char/%u:%u/device/qaccel/%s",
			 major(st.st_rdev), minor(st.st_rdev), counter_names[i]);
		f = fopen(file, "r");
		if (!f)
			return -errno;
		ok = fscanf(f, "%llu", &val[i]) == 1;
		fclose(f);
		if (!ok)
			return -EPROTO;
	}
	return 0;
}

static void print_text(const struct qaccel_backend_info *b, unsigned int idx)
{
	if (b->kind == QACCEL_BACKEND_CPU) {
		printf("[%u] cpu: CPU backend\n", idx);
		printf("    isa:      %s (available: ", qaccel_isa_name(b->isa));
		print_isas_text(b->isa_mask);
		printf(")\n    threads:  %u\n", b->threads);
	} else {
		printf("[%u] device: %s (%s)\n", idx, b->path, b->name);
		if (b->status) {
			printf("    status:   unusable: %s\n", qaccel_strerror(b->status));
			return;
		}
		printf("    driver:   %u.%u.%u \"%s\", uapi %u\n", b->drv_major,
		       b->drv_minor, b->drv_patch, b->description, b->uapi_version);
		printf("    engine:   id 0x%08x version %u.%u.%u%s\n", b->device_id,
		       b->hw_version >> 16, (b->hw_version >> 8) & 0xff,
		       b->hw_version & 0xff, b->emulated ? " (emulated)" : "");
		printf("    memory:   va %u bits [0x%llx, 0x%llx), page %u, max bo %llu\n",
		       b->va_bits, (unsigned long long)b->va_start,
		       (unsigned long long)b->va_end, b->page_size,
		       (unsigned long long)b->max_bo_size);
		printf("    queues:   ring %u entries, %u jobs per submit, %u queues\n",
		       b->ring_entries, b->max_jobs, b->max_queues);
		printf("    submit:   %s%s (auto picks %s)\n",
		       b->submit_modes & (1u << QACCEL_SUBMIT_URING) ? "uring " : "",
		       b->submit_modes & (1u << QACCEL_SUBMIT_IOCTL) ? "ioctl" : "",
		       qaccel_submit_mode_name(b->submit_mode));
		{
			unsigned long long v[NR_COUNTERS];
			int err = read_counters(b->path, v);

			if (err) {
				printf("    counters: unavailable: %s\n", qaccel_strerror(err));
			} else {
				printf("    counters: jobs %llu submitted, %llu completed, %llu failed; "
				       "%llu resets; busy %.3f s; %llu live BOs, %llu bytes\n",
				       v[0], v[1], v[2], v[3], v[4] / 1e9, v[5], v[6]);
			}
		}
	}
	printf("    caps:     ");
	print_caps_text(b->caps);
	printf("\n    limits:   M <= %u, N <= %u, K <= %u\n", b->max_m, b->max_n, b->max_k);
}

static void print_json(const struct qaccel_backend_info *b)
{
	size_t i;
	int first = 1;

	printf("    {\"kind\": ");
	json_str(qaccel_backend_kind_name(b->kind));
	printf(", \"status\": %d, \"usable\": %s, \"name\": ", b->status,
	       b->status ? "false" : "true");
	json_str(b->name);
	printf(", \"path\": ");
	json_str(b->path);
	printf(", \"description\": ");
	json_str(b->description);
	if (b->kind == QACCEL_BACKEND_CPU) {
		printf(", \"isa\": ");
		json_str(qaccel_isa_name(b->isa));
		printf(", \"isa_available\": [");
		for (i = QACCEL_ISA_SCALAR; i < QACCEL_ISA_COUNT; i++) {
			if (!(b->isa_mask & (1u << i)))
				continue;
			printf("%s", first ? "" : ", ");
			json_str(qaccel_isa_name((enum qaccel_isa)i));
			first = 0;
		}
		printf("], \"threads\": %u", b->threads);
	} else {
		printf(", \"driver_version\": \"%u.%u.%u\", \"device_id\": %u, "
		       "\"hw_version\": %u, \"emulated\": %s, \"va_bits\": %u, "
		       "\"va_start\": %llu, \"va_end\": %llu, \"page_size\": %u, "
		       "\"ring_entries\": %u, \"max_jobs\": %u, \"max_queues\": %u, "
		       "\"max_bo_size\": %llu",
		       b->drv_major, b->drv_minor, b->drv_patch, b->device_id,
		       b->hw_version, b->emulated ? "true" : "false", b->va_bits,
		       (unsigned long long)b->va_start, (unsigned long long)b->va_end,
		       b->page_size, b->ring_entries, b->max_jobs, b->max_queues,
		       (unsigned long long)b->max_bo_size);
		printf(", \"submit_modes\": [%s%s%s], \"submit_auto\": ",
		       b->submit_modes & (1u << QACCEL_SUBMIT_URING) ? "\"uring\"" : "",
		       (b->submit_modes & (1u << QACCEL_SUBMIT_URING)) &&
		       (b->submit_modes & (1u << QACCEL_SUBMIT_IOCTL)) ? ", " : "",
		       b->submit_modes & (1u << QACCEL_SUBMIT_IOCTL) ? "\"ioctl\"" : "");
		json_str(qaccel_submit_mode_name(b->submit_mode));
		{
			unsigned long long v[NR_COUNTERS];
			size_t k;

			if (!read_counters(b->path, v)) {
				printf(", \"counters\": {");
				for (k = 0; k < NR_COUNTERS; k++)
					printf("%s\"%s\": %llu", k ? ", " : "", counter_names[k], v[k]);
				printf("}");
			} else {
				printf(", \"counters\": null");
			}
		}
	}
	printf(", \"uapi_version\": %u, \"caps\": [", b->uapi_version);
	first = 1;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!(b->caps & caps[i].bit))
			continue;
		printf("%s", first ? "" : ", ");
		json_str(caps[i].name);
		first = 0;
	}
	printf("], \"max_m\": %u, \"max_n\": %u, \"max_k\": %u}", b->max_m, b->max_n,
	       b->max_k);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: qaccel-info [--json] [--help]\n"
		"List the qaccel backends (CPU and kernel devices), their capabilities\n"
		"and limits, and the backend qaccel_open() picks under the current\n"
		"environment (QACCEL_BACKEND, QACCEL_DEVICE, QACCEL_SUBMIT, QACCEL_THREADS,\n"
		"QACCEL_CPU_ISA), with the submission mode of a device (uring or ioctl)\n"
		"and the driver's counters of each device (jobs, resets, busy time, live\n"
		"buffer objects).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qaccel_backend_info *infos;
	struct qaccel_open_opts opts;
	struct qaccel_ctx *ctx = NULL;
	unsigned int count = 0, i;
	char errbuf[256] = "";
	int json = 0, c, err, open_err;

	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	err = qaccel_list_backends(NULL, 0, &count);
	if (err) {
		fprintf(stderr, "qaccel-info: listing backends: %s\n", qaccel_strerror(err));
		return 1;
	}
	infos = calloc(count, sizeof(*infos));
	if (!infos)
		return 1;
	err = qaccel_list_backends(infos, count, &count);
	if (err) {
		fprintf(stderr, "qaccel-info: listing backends: %s\n", qaccel_strerror(err));
		free(infos);
		return 1;
	}

	memset(&opts, 0, sizeof(opts));
	opts.errbuf = errbuf;
	opts.errbuf_size = sizeof(errbuf);
	open_err = qaccel_open(&ctx, &opts);

	if (json) {
		printf("{\n  \"library_version\": ");
		json_str(qaccel_version());
		printf(",\n  \"backends\": [\n");
		for (i = 0; i < count; i++) {
			print_json(&infos[i]);
			printf("%s\n", i + 1 < count ? "," : "");
		}
		printf("  ],\n  \"open\": {\"error\": %d", open_err);
		if (open_err) {
			printf(", \"message\": ");
			json_str(errbuf);
		} else {
			printf(", \"backend\": ");
			json_str(qaccel_backend_kind_name(qaccel_ctx_backend(ctx)));
			if (qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU) {
				printf(", \"isa\": ");
				json_str(qaccel_isa_name(qaccel_ctx_isa(ctx)));
				printf(", \"threads\": %u", qaccel_ctx_threads(ctx));
			} else {
				printf(", \"submission\": ");
				json_str(qaccel_submit_mode_name(qaccel_ctx_submit_mode(ctx)));
			}
			printf(", \"reason\": ");
			json_str(qaccel_ctx_reason(ctx));
		}
		printf("}\n}\n");
	} else {
		printf("libqaccel %s: %u backend%s\n", qaccel_version(), count,
		       count == 1 ? "" : "s");
		for (i = 0; i < count; i++)
			print_text(&infos[i], i);
		if (open_err)
			printf("qaccel_open(): fails: %s (%s)\n", errbuf,
			       qaccel_strerror(open_err));
		else
			printf("qaccel_open(): %s backend%s%s: %s\n",
			       qaccel_backend_kind_name(qaccel_ctx_backend(ctx)),
			       qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU ? ", isa " :
			       ", submission ",
			       qaccel_ctx_backend(ctx) == QACCEL_BACKEND_CPU ?
			       qaccel_isa_name(qaccel_ctx_isa(ctx)) :
			       qaccel_submit_mode_name(qaccel_ctx_submit_mode(ctx)),
			       qaccel_ctx_reason(ctx));
	}
	qaccel_close(ctx);
	free(infos);
	return count >= 1 && infos ? 0 : 1;
}
