// SPDX-License-Identifier: MIT
/*
 * qaccel-demo: classify the 10,000 Fashion-MNIST test images with a small
 * MLP, in float32 (OpenBLAS) and in int8 through libqaccel, and compare
 * accuracy, size and speed.
 *
 * From a float model (safetensors) it calibrates the activation ranges on
 * training images with each libqaccel observer, quantizes and packs the
 * weights per channel (qaccel_model_serialize()), and runs the int8 model
 * built with the chosen observer. From a qaccel model file (written by
 * qaccel-quant) it runs that file as it is.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qaccel.h"
#include "blas_env.h"
#include "idx.h"
#include "mlp.h"
#include "util.h"

#define DEFAULT_DATA	"/usr/share/datasets/fashion-mnist"
#define DEMO_MODEL	"fashion_mnist_mlp.safetensors"
#define NUM_OBSERVERS	5
/* The target: int8 accuracy within this many points of float. */
#define TARGET_POINTS	0.5

static const enum qaccel_observer_kind all_kinds[NUM_OBSERVERS] = {
	QACCEL_OBSERVER_MINMAX, QACCEL_OBSERVER_MOVING_MINMAX, QACCEL_OBSERVER_PERCENTILE,
	QACCEL_OBSERVER_ENTROPY, QACCEL_OBSERVER_MSE,
};

struct opts {
	const char *model;
	const char *float_model;
	const char *data;
	enum qaccel_observer_kind kind;
	bool compare;
	double percentile;
	unsigned long calib;
	unsigned long calib_batch;
	unsigned long batch;
	unsigned long limit;
	double time;
	bool logits8;
	bool check;
};

struct dataset {
	struct idx_images train, test;
	struct idx_labels test_labels;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qaccel-demo [options]\n"
		"Classify the Fashion-MNIST test images with a float32 MLP (OpenBLAS) and\n"
		"its int8 version on libqaccel's default backend; print accuracy, size and\n"
		"images/s of both.\n\n"
		"  --model FILE        float model (.safetensors, calibrated here) or a\n"
		"                      qaccel model file from qaccel-quant (default: the\n"
		"                      demo model, " DEMO_MODEL ")\n"
		"  --float FILE        float model to compare a qaccel model file with\n"
		"                      (default: the demo model)\n"
		"  --data DIR          dataset directory (default " DEFAULT_DATA ")\n"
		"  --observer NAME     minmax | ema | percentile | entropy | mse (default\n"
		"                      mse), or 'all' to run each and keep the best\n"
		"  --percentile P      percentile observer: P in (50, 100] (default 99.99)\n"
		"  --no-compare        do not show the accuracy of the other observers\n"
		"  --calib N           calibration images from the training set (default 2000)\n"
		"  --calib-batch N     images per observer update (default 100)\n"
		"  --batch N           images per GEMM when timing (default 500)\n"
		"  --limit N           classify only the first N test images\n"
		"  --time SEC          seconds to time each path (default 0.5)\n"
		"  --logits s8|s32     output of the last int8 layer (default s32)\n"
		"  --check             exit with status 3 when int8 misses the target\n"
		"                      (within %.1f points of float)\n"
		"  --help              this text\n\n"
		"Environment: QACCEL_BACKEND, QACCEL_DEVICE, QACCEL_THREADS, QACCEL_CPU_ISA\n"
		"(see qaccel-info(1)); OPENBLAS_CORETYPE (set to SkylakeX on AVX-512 CPUs\n"
		"when unset).\n", TARGET_POINTS);
}

/* The demo model beside the executable: ../share/qaccel (installed) or ../../demo. */
static const char *default_model(char *buf, size_t size)
{
	static const char *const rel[] = { "../share/qaccel/", "../../demo/" };
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	size_t i;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	slash[1] = '\0';
	for (i = 0; i < ARRAY_SIZE(rel); i++) {
		if (snprintf(buf, size, "%s%s%s", exe, rel[i], DEMO_MODEL) >= (int)size)
			continue;
		if (!access(buf, R_OK))
			return buf;
	}
	return NULL;
}

static bool is_qaccel_model(const char *path)
{
	unsigned char magic[8];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(magic, 1, 8, f) == 8 && !memcmp(magic, "\x89QAM\r\n\x1a\n", 8);
	fclose(f);
	return yes;
}

static void load_data(const struct opts *o, struct dataset *ds, bool need_train)
{
	char path[4096], why[256];
	int err;

	if (idx_find(o->data, "t10k-images-idx3-ubyte", path, sizeof(path)))
		die("%s: not found (install dataset-fashion-mnist or give --data DIR)", path);
	err = idx_load_images(path, &ds->test, why, sizeof(why));
	if (err)
		die("%s: %s", path, why);
	if (idx_find(o->data, "t10k-labels-idx1-ubyte", path, sizeof(path)))
		die("%s: not found (install dataset-fashion-mnist or give --data DIR)", path);
	err = idx_load_labels(path, &ds->test_labels, why, sizeof(why));
	if (err)
		die("%s: %s", path, why);
	if (ds->test_labels.count != ds->test.count)
		die("%s: %u labels for %u test images", path, ds->test_labels.count,
		    ds->test.count);
	if (!need_train)
		return;
	if (idx_find(o->data, "train-images-idx3-ubyte", path, sizeof(path)))
		die("%s: not found (install dataset-fashion-mnist or give --data DIR)", path);
	err = idx_load_images(path, &ds->train, why, sizeof(why));
	if (err)
		die("%s: %s", path, why);
	if (ds->train.rows != ds->test.rows || ds->train.cols != ds->test.cols)
		die("%s: %ux%u images, the test set has %ux%u", path, ds->train.rows,
		    ds->train.cols, ds->test.rows, ds->test.cols);
}

static double accuracy(const uint8_t *pred, const uint8_t *labels, uint32_t n)
{
	uint32_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += pred[i] == labels[i];
	return 100.0 * ok / n;
}

/* ---------------------------------------------------------------------- */
/* float path */

struct float_run {
	float *x;			/* batch inputs */
	float *outs[MLP_MAX_LAYERS];	/* batch outputs */
	float *logits;			/* all images */
};

static void float_pass(const struct mlp *m, const struct idx_images *img, uint32_t count,
		       uint32_t batch, struct float_run *fr)
{
	uint32_t done, n, nout = m->out[m->nlayers - 1];

	for (done = 0; done < count; done += n) {
		n = count - done < batch ? count - done : batch;
		mlp_input(img->pixels + (size_t)done * m->in[0], (size_t)n * m->in[0], fr->x);
		mlp_forward(m, fr->x, n, fr->outs);
		memcpy(fr->logits + (size_t)done * nout, fr->outs[m->nlayers - 1],
		       sizeof(float) * n * nout);
	}
}

/* ---------------------------------------------------------------------- */
/* int8 path: every batch's layer jobs submitted together, then reaped */

struct int8_run {
	struct qaccel_ctx *ctx;
	struct qaccel_model *model;
	struct qaccel_model_info info;
	struct qaccel_buffer *act[QACCEL_MODEL_MAX_LAYERS + 1];
	size_t row_bytes[QACCEL_MODEL_MAX_LAYERS + 1];
	struct qaccel_gemm_job *jobs;
	struct qaccel_completion *comps;
	unsigned int njobs;
};

static void int8_free(struct int8_run *r)
{
	unsigned int l;

	for (l = 0; l <= QACCEL_MODEL_MAX_LAYERS; l++) {
		qaccel_buffer_free(r->act[l]);
		r->act[l] = NULL;
	}
	free(r->jobs);
	free(r->comps);
	r->jobs = NULL;
	r->comps = NULL;
	qaccel_model_destroy(r->model);
	r->model = NULL;
}

static size_t dtype_size(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_S32 || t == QACCEL_DTYPE_F32 ? 4 : 1;
}

static void int8_prepare(struct int8_run *r, const struct idx_images *img, uint32_t count,
			 uint32_t batch)
{
	struct qaccel_model_layer_info li;
	uint32_t nb = (count + batch - 1) / batch, b;
	unsigned int l, L;
	int err;

	qaccel_model_info(r->model, &r->info);
	L = r->info.layer_count;
	if ((uint64_t)nb * L > QACCEL_QUEUE_DEPTH)
		die("--batch %u: %u batches of %u jobs exceed the queue depth %u; use a larger "
		    "batch", batch, nb, L, QACCEL_QUEUE_DEPTH);
	if (r->info.in_features != img->rows * img->cols || r->info.in_type != QACCEL_DTYPE_U8)
		die("the int8 model takes %u %s inputs; the images have %u u8 pixels",
		    r->info.in_features, r->info.in_type == QACCEL_DTYPE_U8 ? "u8" : "s8",
		    img->rows * img->cols);
	r->row_bytes[0] = r->info.in_features;
	for (l = 0; l < L; l++) {
		qaccel_model_layer_info(r->model, l, &li);
		r->row_bytes[l + 1] = (size_t)li.out_features * dtype_size(li.out_type);
	}
	for (l = 0; l <= L; l++) {
		err = qaccel_buffer_alloc(r->ctx, r->row_bytes[l] * count, 0, &r->act[l]);
		if (err)
			die("allocating %zu bytes of activations: %s", r->row_bytes[l] * count,
			    qaccel_strerror(err));
	}
	memcpy(qaccel_buffer_ptr(r->act[0]), img->pixels, r->row_bytes[0] * count);
	r->njobs = nb * L;
	r->jobs = calloc(r->njobs, sizeof(*r->jobs));
	r->comps = calloc(r->njobs, sizeof(*r->comps));
	if (!r->jobs || !r->comps)
		die("out of memory");
	for (b = 0; b < nb; b++) {
		uint32_t first = b * batch, n = count - first < batch ? count - first : batch;

		for (l = 0; l < L; l++) {
			struct qaccel_gemm_job *j = &r->jobs[b * L + l];

			err = qaccel_model_layer_job(r->model, l, r->act[l],
						     r->row_bytes[l] * first, n, r->act[l + 1],
						     r->row_bytes[l + 1] * first, j);
			if (err)
				die("preparing the jobs: %s", qaccel_strerror(err));
			j->user_data = b * L + l;
		}
	}
}

static void int8_pass(struct int8_run *r)
{
	unsigned int got = 0, i;
	int err, n;

	err = qaccel_submit(r->ctx, r->jobs, r->njobs);
	if (err)
		die("qaccel_submit: %s", qaccel_strerror(err));
	while (got < r->njobs) {
		n = qaccel_reap(r->ctx, r->comps, r->njobs - got, 1, -1);
		if (n < 0)
			die("qaccel_reap: %s", qaccel_strerror(n));
		for (i = 0; i < (unsigned int)n; i++)
			if (r->comps[i].result)
				die("job %llu failed: %s",
				    (unsigned long long)r->comps[i].user_data,
				    qaccel_strerror(r->comps[i].result));
		got += (unsigned int)n;
	}
}

static void int8_predict(struct int8_run *r, uint32_t count, uint8_t *pred)
{
	float *y = malloc(sizeof(float) * count * r->info.out_features);
	int err;

	if (!y)
		die("out of memory");
	err = qaccel_model_dequantize(r->model, qaccel_buffer_ptr(r->act[r->info.layer_count]),
				      count, y);
	if (err)
		die("qaccel_model_dequantize: %s", qaccel_strerror(err));
	argmax_rows(y, count, r->info.out_features, pred);
	free(y);
}

/*
 * Images per second of one pass over the images: the best of the passes
 * run in `budget` seconds after one warm-up pass (the best pass is the one
 * least disturbed by other work on the machine).
 */
#define THROUGHPUT(budget, count, stmt) ({					\
		double __start, __t0, __t, __best = 1e30;			\
		stmt;								\
		__start = now_sec();						\
		do {								\
			__t0 = now_sec();					\
			stmt;							\
			__t = now_sec() - __t0;					\
			if (__t < __best)					\
				__best = __t;					\
		} while (now_sec() - __start < (budget));			\
		(double)(count) / __best;					\
	})

/* ---------------------------------------------------------------------- */
/* calibration with every observer in one pass over the training images */

struct calib {
	unsigned int nobs_layers;	/* layers whose output is observed */
	struct qaccel_observer *obs[NUM_OBSERVERS][MLP_MAX_LAYERS];
	int err;
};

static int calib_cb(void *arg, unsigned int layer, const float *x, size_t n)
{
	struct calib *c = arg;
	unsigned int k;
	int err;

	if (layer >= c->nobs_layers)
		return 0;
	for (k = 0; k < NUM_OBSERVERS; k++) {
		if (!c->obs[k][layer])
			continue;
		err = qaccel_observer_update(c->obs[k][layer], x, n);
		if (err)
			return err;
	}
	return 0;
}

/* Build the int8 model of one observer (its ranges) into r->model. */
static int build_int8(const struct mlp *m, struct calib *c, unsigned int k,
		      const struct opts *o, struct qaccel_ctx *ctx, struct qaccel_model **model,
		      float *rmin, float *rmax, size_t *file_size)
{
	struct qaccel_model_layer_desc layers[MLP_MAX_LAYERS];
	struct qaccel_model_load_opts lo;
	struct qaccel_model_desc desc;
	char info[256], errbuf[256];
	unsigned int l;
	size_t size;
	void *data;
	int err;

	for (l = 0; l < m->nlayers; l++) {
		rmin[l] = 0.0f;
		rmax[l] = 0.0f;
		if (l < c->nobs_layers) {
			err = qaccel_observer_range(c->obs[k][l], &rmin[l], &rmax[l]);
			if (err)
				die("observer %s, layer %u: %s", observer_name(all_kinds[k]), l + 1,
				    qaccel_strerror(err));
		}
	}
	snprintf(info, sizeof(info), "qaccel-demo: observer=%s calibration=%lu images",
		 observer_name(all_kinds[k]), o->calib);
	mlp_model_desc(m, rmin, rmax, o->logits8, info, layers, &desc);
	err = qaccel_model_serialize(&desc, &data, &size);
	if (err)
		die("quantizing the model (%s): %s", observer_name(all_kinds[k]),
		    qaccel_strerror(err));
	memset(&lo, 0, sizeof(lo));
	lo.errbuf = errbuf;
	lo.errbuf_size = sizeof(errbuf);
	err = qaccel_model_load_mem(ctx, data, size, &lo, model);
	free(data);
	if (err)
		die("loading the int8 model: %s", errbuf);
	*file_size = size;
	return 0;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "float", required_argument, NULL, 'f' },
		{ "data", required_argument, NULL, 'd' },
		{ "observer", required_argument, NULL, 'o' },
		{ "percentile", required_argument, NULL, 'p' },
		{ "no-compare", no_argument, NULL, 'n' },
		{ "calib", required_argument, NULL, 'c' },
		{ "calib-batch", required_argument, NULL, 'C' },
		{ "batch", required_argument, NULL, 'b' },
		{ "limit", required_argument, NULL, 'l' },
		{ "time", required_argument, NULL, 't' },
		{ "logits", required_argument, NULL, 'L' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->data = DEFAULT_DATA;
	o->kind = QACCEL_OBSERVER_MSE;
	o->compare = true;
	o->calib = 2000;
	o->calib_batch = 100;
	o->batch = 500;
	o->time = 0.5;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'f': o->float_model = optarg; break;
		case 'd': o->data = optarg; break;
		case 'o':
			if (!strcmp(optarg, "all"))
				all = true;
			else if (observer_from_name(optarg, &o->kind))
				die_status(2, "--observer: unknown observer '%s' (minmax, ema, "
					   "percentile, entropy, mse, all)", optarg);
			break;
		case 'p':
			if (parse_double(optarg, 50.0, 100.0, &o->percentile) ||
			    o->percentile <= 50.0)
				die_status(2, "--percentile: '%s' is not a number in (50, 100]",
					   optarg);
			break;
		case 'n': o->compare = false; break;
		case 'c':
			if (parse_ulong(optarg, 1, 1000000, &o->calib))
				die_status(2, "--calib: '%s' is not a count from 1 to 1000000",
					   optarg);
			break;
		case 'C':
			if (parse_ulong(optarg, 1, 65536, &o->calib_batch))
				die_status(2, "--calib-batch: '%s' is not a count from 1 to 65536",
					   optarg);
			break;
		case 'b':
			if (parse_ulong(optarg, 1, 65536, &o->batch))
				die_status(2, "--batch: '%s' is not a count from 1 to 65536", optarg);
			break;
		case 'l':
			if (parse_ulong(optarg, 1, 100000000, &o->limit))
				die_status(2, "--limit: '%s' is not a positive count", optarg);
			break;
		case 't':
			if (parse_double(optarg, 0.0, 3600.0, &o->time))
				die_status(2, "--time: '%s' is not a number of seconds (0 to 3600)",
					   optarg);
			break;
		case 'L':
			if (!strcmp(optarg, "s8"))
				o->logits8 = true;
			else if (strcmp(optarg, "s32"))
				die_status(2, "--logits: '%s' is not s8 or s32", optarg);
			break;
		case 'k': o->check = true; break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (optopt)
				err_msg("option '%s' needs an argument or is unknown",
					argv[optind - 1]);
			else
				err_msg("unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc)
		die_status(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (all)
		o->kind = 0;
}

int main(int argc, char **argv)
{
	struct qaccel_open_opts oo;
	struct dataset ds;
	struct opts o;
	struct mlp fm;
	struct float_run fr;
	struct int8_run ir;
	struct calib cal;
	char path[4096], fpath[4096], why[512], errbuf[256], arch[128], b1[32], b2[32];
	const char *model_path, *float_path = NULL;
	float rmin[MLP_MAX_LAYERS], rmax[MLP_MAX_LAYERS];
	double acc_f = 0, acc_q[NUM_OBSERVERS] = { 0 }, ips_f = 0, ips_q, t0;
	uint8_t *pred_f = NULL, *pred_q;
	size_t qsize[NUM_OBSERVERS] = { 0 };
	bool from_file, have_float;
	uint32_t count, calib, i;
	unsigned int k, l, chosen = 0, agree;
	int err;

	blas_env_setup(argv);
	prog = "qaccel-demo";
	parse_opts(argc, argv, &o);
	memset(&ds, 0, sizeof(ds));

	model_path = o.model ? o.model : default_model(path, sizeof(path));
	if (!model_path)
		die("the demo model " DEMO_MODEL " is not installed: give --model FILE");
	if (access(model_path, R_OK))
		die("%s: %s", model_path, strerror(errno));
	from_file = is_qaccel_model(model_path);
	if (from_file)
		float_path = o.float_model ? o.float_model : default_model(fpath, sizeof(fpath));
	else if (o.float_model)
		die_status(2, "--float is for comparing a qaccel model file; %s is the float "
			   "model", model_path);
	else
		float_path = model_path;

	memset(&fm, 0, sizeof(fm));
	have_float = false;
	if (float_path) {
		err = mlp_load(float_path, &fm, why, sizeof(why));
		if (err)
			die("%s: %s", float_path, why);
		have_float = true;
	}
	load_data(&o, &ds, !from_file);
	count = ds.test.count;
	if (o.limit && o.limit < count)
		count = (uint32_t)o.limit;
	if (have_float && fm.in[0] != ds.test.rows * ds.test.cols)
		die("%s: the model takes %u inputs, the images have %u pixels", float_path,
		    fm.in[0], ds.test.rows * ds.test.cols);

	/* The context: the default backend, never a silent fallback. */
	memset(&oo, 0, sizeof(oo));
	oo.errbuf = errbuf;
	oo.errbuf_size = sizeof(errbuf);
	memset(&ir, 0, sizeof(ir));
	err = qaccel_open(&ir.ctx, &oo);
	if (err)
		die("qaccel_open: %s", errbuf);

	printf("qaccel-demo: Fashion-MNIST, %u test images\n", count);
	if (qaccel_ctx_backend(ir.ctx) == QACCEL_BACKEND_CPU)
		printf("backend:     cpu, isa %s, %u threads (%s)\n",
		       qaccel_isa_name(qaccel_ctx_isa(ir.ctx)), qaccel_ctx_threads(ir.ctx),
		       qaccel_ctx_reason(ir.ctx));
	else
		printf("backend:     device (%s)\n", qaccel_ctx_reason(ir.ctx));
	if (have_float)
		printf("float model: %s: %s MLP, ReLU, float32\n", float_path,
		       mlp_arch(&fm, arch, sizeof(arch)));

	/* Float reference. */
	if (have_float) {
		memset(&fr, 0, sizeof(fr));
		fr.x = malloc(sizeof(float) * o.batch * fm.in[0]);
		fr.logits = malloc(sizeof(float) * count * fm.out[fm.nlayers - 1]);
		pred_f = malloc(count);
		for (l = 0; l < fm.nlayers; l++) {
			fr.outs[l] = malloc(sizeof(float) * o.batch * fm.out[l]);
			if (!fr.outs[l])
				die("out of memory");
		}
		if (!fr.x || !fr.logits || !pred_f)
			die("out of memory");
		ips_f = THROUGHPUT(o.time, count,
				   float_pass(&fm, &ds.test, count, (uint32_t)o.batch, &fr));
		argmax_rows(fr.logits, count, fm.out[fm.nlayers - 1], pred_f);
		acc_f = accuracy(pred_f, ds.test_labels.labels, count);
	}

	pred_q = malloc(count);
	if (!pred_q)
		die("out of memory");

	if (from_file) {
		struct qaccel_model_load_opts lo;

		memset(&lo, 0, sizeof(lo));
		lo.errbuf = why;
		lo.errbuf_size = sizeof(why);
		err = qaccel_model_load(ir.ctx, model_path, &lo, &ir.model);
		if (err)
			die("%s", why);
		qaccel_model_info(ir.model, &ir.info);
		if (have_float) {
			struct qaccel_model_layer_info li;
			char qarch[128];
			size_t len;
			bool same = ir.info.layer_count == fm.nlayers;

			snprintf(qarch, sizeof(qarch), "%u", ir.info.in_features);
			for (l = 0; l < ir.info.layer_count; l++) {
				qaccel_model_layer_info(ir.model, l, &li);
				len = strlen(qarch);
				snprintf(qarch + len, sizeof(qarch) - len, "-%u", li.out_features);
				if (l >= fm.nlayers || li.in_features != fm.in[l] ||
				    li.out_features != fm.out[l])
					same = false;
			}
			if (!same)
				die("%s (%s) and %s (%s) are not the same network", model_path,
				    qarch, float_path, mlp_arch(&fm, arch, sizeof(arch)));
		}
		printf("int8 model:  %s: %u layers, format %u.%u, %s%s%s\n", model_path,
		       ir.info.layer_count, ir.info.version_major, ir.info.version_minor,
		       ir.info.info[0] ? "\"" : "", ir.info.info[0] ? ir.info.info : "(no info)",
		       ir.info.info[0] ? "\"" : "");
		qsize[0] = ir.info.file_size;
	} else {
		/* Calibrate every observer on the same training images. */
		calib = o.calib < ds.train.count ? (uint32_t)o.calib : ds.train.count;
		memset(&cal, 0, sizeof(cal));
		cal.nobs_layers = o.logits8 ? fm.nlayers : fm.nlayers - 1;
		for (k = 0; k < NUM_OBSERVERS; k++) {
			struct qaccel_observer_opts obo;

			if (!o.compare && o.kind && all_kinds[k] != o.kind)
				continue;
			memset(&obo, 0, sizeof(obo));
			obo.kind = all_kinds[k];
			if (obo.kind == QACCEL_OBSERVER_PERCENTILE)
				obo.percentile = o.percentile;
			for (l = 0; l < cal.nobs_layers; l++) {
				err = qaccel_observer_create(&obo, &cal.obs[k][l]);
				if (err)
					die("qaccel_observer_create(%s): %s",
					    observer_name(all_kinds[k]), qaccel_strerror(err));
			}
		}
		t0 = now_sec();
		err = mlp_observe(&fm, ds.train.pixels, calib, (uint32_t)o.calib_batch,
				  calib_cb, &cal, NULL, NULL);
		if (err)
			die("calibration: %s", qaccel_strerror(err));
		printf("calibration: %u training images, %lu per batch, %.2f s\n", calib,
		       o.calib_batch, now_sec() - t0);

		/* Accuracy of each observer's int8 model. */
		if (o.compare || !o.kind)
			printf("\n  observer     int8 accuracy  vs float\n");
		for (k = 0; k < NUM_OBSERVERS; k++) {
			struct qaccel_model *qm;
			float *y;

			if (!cal.obs[k][0] && cal.nobs_layers)
				continue;
			build_int8(&fm, &cal, k, &o, ir.ctx, &qm, rmin, rmax, &qsize[k]);
			y = malloc(sizeof(float) * count * fm.out[fm.nlayers - 1]);
			if (!y)
				die("out of memory");
			ir.model = qm;
			qaccel_model_info(qm, &ir.info);
			{
				size_t osz = (size_t)count * ir.info.out_features *
					     dtype_size(ir.info.out_type);
				void *out = malloc(osz);

				if (!out)
					die("out of memory");
				err = qaccel_model_run(qm, ds.test.pixels, count, out);
				if (err)
					die("qaccel_model_run: %s", qaccel_strerror(err));
				qaccel_model_dequantize(qm, out, count, y);
				free(out);
			}
			argmax_rows(y, count, fm.out[fm.nlayers - 1], pred_q);
			free(y);
			acc_q[k] = accuracy(pred_q, ds.test_labels.labels, count);
			qaccel_model_destroy(qm);
			ir.model = NULL;
			if (o.compare || !o.kind)
				printf("  %-12s %6.2f%%        %+.2f\n", observer_name(all_kinds[k]),
				       acc_q[k], acc_q[k] - acc_f);
		}
		/* The observer asked for, or the best one with "all". */
		for (k = 0; k < NUM_OBSERVERS; k++) {
			if (o.kind && all_kinds[k] == o.kind)
				chosen = k;
			if (!o.kind && acc_q[k] > acc_q[chosen])
				chosen = k;
		}
		build_int8(&fm, &cal, chosen, &o, ir.ctx, &ir.model, rmin, rmax, &qsize[0]);
		for (k = 0; k < NUM_OBSERVERS; k++)
			for (l = 0; l < cal.nobs_layers; l++)
				qaccel_observer_destroy(cal.obs[k][l]);
		if (o.compare || !o.kind)
			printf("\n");
		printf("int8 model:  observer %s%s; s8 weights per channel, u8 activations, "
		       "%s logits\n", observer_name(all_kinds[chosen]),
		       o.kind ? "" : " (best of all)", o.logits8 ? "s8" : "s32");
	}

	/* int8 through the job API: every batch's layer jobs in one submission. */
	int8_prepare(&ir, &ds.test, count, (uint32_t)o.batch);
	ips_q = THROUGHPUT(o.time, count, int8_pass(&ir));
	int8_predict(&ir, count, pred_q);
	acc_q[chosen] = accuracy(pred_q, ds.test_labels.labels, count);

	printf("\n  %-36s %9s %11s %11s\n", "", "accuracy", "images/s", "size");
	if (have_float)
		printf("  %-36s %8.2f%% %11.0f %11s\n", "float32 (OpenBLAS sgemm)", acc_f, ips_f,
		       fmt_bytes((double)fm.param_bytes, b1, sizeof(b1)));
	snprintf(arch, sizeof(arch), "int8 (libqaccel %s%s%s)",
		 qaccel_backend_kind_name(qaccel_ctx_backend(ir.ctx)),
		 qaccel_ctx_backend(ir.ctx) == QACCEL_BACKEND_CPU ? " " : "",
		 qaccel_ctx_backend(ir.ctx) == QACCEL_BACKEND_CPU ?
		 qaccel_isa_name(qaccel_ctx_isa(ir.ctx)) : "");
	printf("  %-36s %8.2f%% %11.0f %11s\n", arch, acc_q[chosen], ips_q,
	       fmt_bytes((double)ir.info.packed_bytes, b2, sizeof(b2)));
	printf("  (batches of %lu images; size: float32 weights and biases, int8 packed\n"
	       "  weights with their per-channel arrays; the model file has %s)\n", o.batch,
	       fmt_bytes((double)ir.info.file_size, b1, sizeof(b1)));
	if (have_float) {
		for (i = 0, agree = 0; i < count; i++)
			agree += pred_f[i] == pred_q[i];
		printf("\nint8 vs float: %+.2f points (target: within %.1f: %s), %.1fx smaller, "
		       "%.1fx the speed; %.1f%% of the predictions identical\n",
		       acc_q[chosen] - acc_f, TARGET_POINTS,
		       acc_f - acc_q[chosen] <= TARGET_POINTS ? "met" : "MISSED",
		       (double)fm.param_bytes / (double)ir.info.packed_bytes, ips_q / ips_f,
		       100.0 * agree / count);
	}

	err = 0;
	if (o.check && have_float && acc_f - acc_q[chosen] > TARGET_POINTS)
		err = 3;
	int8_free(&ir);
	qaccel_close(ir.ctx);
	if (have_float) {
		free(fr.x);
		free(fr.logits);
		for (l = 0; l < fm.nlayers; l++)
			free(fr.outs[l]);
	}
	free(pred_f);
	free(pred_q);
	mlp_free(&fm);
	idx_free_images(&ds.test);
	idx_free_images(&ds.train);
	idx_free_labels(&ds.test_labels);
	(void)qsize;
	return err;
}
