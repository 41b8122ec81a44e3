// SPDX-License-Identifier: MIT
/*
 * qaccel-quant: float model (safetensors MLP) + calibration images ->
 * calibrated, per-channel quantized, packed qaccel model file.
 *
 *   qaccel-quant --model float.safetensors --calib FILE|DIR
 *                --observer minmax|ema|percentile|entropy|mse [--percentile P]
 *                --out model.qaccel [--histograms DIR] [options]
 *
 * Prints the scale/clip table and the SQNR of every layer (weights, and the
 * int8 network's output up to that layer against the float one), and can
 * draw each calibrated activation's histogram with its clip range as SVG.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qaccel.h"
#include "blas_env.h"
#include "idx.h"
#include "mlp.h"
#include "svg.h"
#include "util.h"

#define HIST_BINS	128

struct opts {
	const char *model, *calib, *out, *hist_dir;
	enum qaccel_observer_kind kind;
	double percentile;
	unsigned long count, batch, bins, eval;
	bool logits8, quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qaccel-quant --model FLOAT.safetensors --calib FILE|DIR\n"
		"                    --observer minmax|ema|percentile|entropy|mse\n"
		"                    --out MODEL.qaccel [options]\n"
		"Calibrate the activation ranges of a float MLP (fc1, fc2, ... with ReLU)\n"
		"on calibration images, quantize its weights per channel, pack them for\n"
		"QA1 and write a qaccel model file.\n\n"
		"  --model FILE        float model, safetensors\n"
		"  --calib FILE|DIR    calibration images: an idx3-ubyte file (.gz too), or a\n"
		"                      directory holding train-images-idx3-ubyte[.gz]\n"
		"  --observer NAME     calibration observer (see qaccel_observer_create(3))\n"
		"  --percentile P      percentile observer: P in (50, 100] (default 99.99)\n"
		"  --bins N            observer histogram bins, 128 to 65536 (default 2048)\n"
		"  --count N           use the first N calibration images (default all)\n"
		"  --batch N           images per observer update (default 100)\n"
		"  --logits s32|s8     output of the last layer (default s32: raw logits)\n"
		"  --eval N            images for the SQNR figures (default 1000)\n"
		"  --out FILE          the qaccel model file to write\n"
		"  --histograms DIR    write DIR/<layer>.svg: each activation's histogram\n"
		"                      with the chosen clip range\n"
		"  --quiet             print only errors\n"
		"  --help              this text\n\n"
		"Progress goes to standard output: a bar on a terminal, plain lines\n"
		"otherwise. Exit status: 0 done, 1 error, 2 bad usage.\n");
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "calib", required_argument, NULL, 'c' },
		{ "observer", required_argument, NULL, 'o' },
		{ "percentile", required_argument, NULL, 'p' },
		{ "bins", required_argument, NULL, 'B' },
		{ "count", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "logits", required_argument, NULL, 'L' },
		{ "eval", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'O' },
		{ "histograms", required_argument, NULL, 'H' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_obs = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->batch = 100;
	o->eval = 1000;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'c': o->calib = optarg; break;
		case 'O': o->out = optarg; break;
		case 'H': o->hist_dir = optarg; break;
		case 'q': o->quiet = true; break;
		case 'o':
			if (observer_from_name(optarg, &o->kind))
				die_status(2, "--observer: unknown observer '%s' (minmax, ema, "
					   "percentile, entropy, mse)", optarg);
			have_obs = true;
			break;
		case 'p':
			if (parse_double(optarg, 50.0, 100.0, &o->percentile) ||
			    o->percentile <= 50.0)
				die_status(2, "--percentile: '%s' is not a number in (50, 100]",
					   optarg);
			break;
		case 'B':
			if (parse_ulong(optarg, 128, 65536, &o->bins))
				die_status(2, "--bins: '%s' is not a count from 128 to 65536", optarg);
			break;
		case 'n':
			if (parse_ulong(optarg, 1, 100000000, &o->count))
				die_status(2, "--count: '%s' is not a positive count", optarg);
			break;
		case 'b':
			if (parse_ulong(optarg, 1, 65536, &o->batch))
				die_status(2, "--batch: '%s' is not a count from 1 to 65536", optarg);
			break;
		case 'e':
			if (parse_ulong(optarg, 1, 100000, &o->eval))
				die_status(2, "--eval: '%s' is not a count from 1 to 100000", optarg);
			break;
		case 'L':
			if (!strcmp(optarg, "s8"))
				o->logits8 = true;
			else if (strcmp(optarg, "s32"))
				die_status(2, "--logits: '%s' is not s8 or s32", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			err_msg("option '%s' needs an argument or is unknown", argv[optind - 1]);
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc)
		die_status(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->model || !o->calib || !o->out || !have_obs)
		die_status(2, "--model, --calib, --observer and --out are required (see --help)");
	if (o->percentile && o->kind != QACCEL_OBSERVER_PERCENTILE)
		die_status(2, "--percentile is for --observer percentile");
}

/* ---------------------------------------------------------------------- */
/* calibration */

struct quant_state {
	unsigned int nobs;		/* observed layers */
	struct qaccel_observer *obs[MLP_MAX_LAYERS];	/* the chosen observer */
	struct qaccel_observer *full[MLP_MAX_LAYERS];	/* min/max: histogram range */
	/* histogram pass */
	float lo[MLP_MAX_LAYERS], hi[MLP_MAX_LAYERS];
	uint64_t *hist[MLP_MAX_LAYERS];
	/* clipping statistics */
	float rmin[MLP_MAX_LAYERS], rmax[MLP_MAX_LAYERS];
	uint64_t clipped[MLP_MAX_LAYERS], seen[MLP_MAX_LAYERS];
	struct progress prog;
	bool show;
};

static int observe_cb(void *arg, unsigned int layer, const float *x, size_t n)
{
	struct quant_state *s = arg;
	int err;

	if (layer >= s->nobs)
		return 0;
	err = qaccel_observer_update(s->obs[layer], x, n);
	if (!err)
		err = qaccel_observer_update(s->full[layer], x, n);
	return err;
}

static int hist_cb(void *arg, unsigned int layer, const float *x, size_t n)
{
	struct quant_state *s = arg;
	float lo, hi;
	size_t i;

	if (layer >= s->nobs)
		return 0;
	lo = s->lo[layer];
	hi = s->hi[layer];
	for (i = 0; i < n; i++) {
		double t = (x[i] - lo) / (hi - lo) * HIST_BINS;
		long b = (long)t;

		if (b < 0)
			b = 0;
		if (b >= HIST_BINS)
			b = HIST_BINS - 1;
		s->hist[layer][b]++;
		if (x[i] < s->rmin[layer] || x[i] > s->rmax[layer])
			s->clipped[layer]++;
	}
	s->seen[layer] += n;
	return 0;
}

static void progress_cb(void *arg, uint64_t done)
{
	struct quant_state *s = arg;

	if (s->show)
		progress_update(&s->prog, done);
}

/* ---------------------------------------------------------------------- */
/* SQNR */

struct sqnr {
	double weight_db[MLP_MAX_LAYERS];
	double out_db[MLP_MAX_LAYERS];
};

static double db(double sig, double noise)
{
	if (noise <= 0.0)
		return INFINITY;
	if (sig <= 0.0)
		return -INFINITY;
	return 10.0 * log10(sig / noise);
}

static void weight_sqnr(const struct mlp *m, struct qaccel_model *qm, struct sqnr *r)
{
	struct qaccel_model_layer_info li;
	unsigned int l;
	size_t i, count;
	int err;

	for (l = 0; l < m->nlayers; l++) {
		double sig = 0, noise = 0;
		int8_t *q;
		float *w;

		qaccel_model_layer_info(qm, l, &li);
		count = (size_t)m->out[l] * m->in[l];
		q = malloc(count);
		w = malloc(sizeof(float) * count);
		if (!q || !w)
			die("out of memory");
		err = qaccel_quantize(NULL, m->w[l], q, 1, m->out[l], m->in[l], li.w_scales,
				      NULL, QACCEL_DTYPE_S8);
		if (!err)
			err = qaccel_dequantize(NULL, q, w, 1, m->out[l], m->in[l], li.w_scales,
						NULL, QACCEL_DTYPE_S8);
		if (err)
			die("weight SQNR of layer %u: %s", l + 1, qaccel_strerror(err));
		for (i = 0; i < count; i++) {
			double d = (double)m->w[l][i] - w[i];

			sig += (double)m->w[l][i] * m->w[l][i];
			noise += d * d;
		}
		r->weight_db[l] = db(sig, noise);
		free(q);
		free(w);
	}
}

static size_t dtype_size(enum qaccel_dtype t)
{
	return t == QACCEL_DTYPE_S32 ? 4 : 1;
}

/* Output SQNR of the int8 network up to each layer, over the first n images. */
static void output_sqnr(const struct mlp *m, struct qaccel_ctx *ctx, struct qaccel_model *qm,
			const uint8_t *pix, uint32_t n, struct sqnr *r)
{
	struct qaccel_gemm_job jobs[MLP_MAX_LAYERS];
	struct qaccel_buffer *act[MLP_MAX_LAYERS + 1] = { 0 };
	struct qaccel_model_layer_info li[MLP_MAX_LAYERS];
	float *x, *outs[MLP_MAX_LAYERS];
	unsigned int l;
	size_t i, j;
	int err;

	x = malloc(sizeof(float) * n * m->in[0]);
	if (!x)
		die("out of memory");
	for (l = 0; l < m->nlayers; l++) {
		outs[l] = malloc(sizeof(float) * n * m->out[l]);
		if (!outs[l])
			die("out of memory");
	}
	mlp_input(pix, (size_t)n * m->in[0], x);
	mlp_forward(m, x, n, outs);

	err = qaccel_buffer_alloc(ctx, (size_t)n * m->in[0], 0, &act[0]);
	for (l = 0; !err && l < m->nlayers; l++) {
		qaccel_model_layer_info(qm, l, &li[l]);
		err = qaccel_buffer_alloc(ctx, (size_t)n * m->out[l] * dtype_size(li[l].out_type),
					  0, &act[l + 1]);
	}
	if (err)
		die("allocating buffers: %s", qaccel_strerror(err));
	memcpy(qaccel_buffer_ptr(act[0]), pix, (size_t)n * m->in[0]);
	for (l = 0; l < m->nlayers; l++)
		qaccel_model_layer_job(qm, l, act[l], 0, n, act[l + 1], 0, &jobs[l]);
	err = qaccel_run(ctx, jobs, m->nlayers);
	if (err)
		die("running the int8 model: %s", qaccel_strerror(err));

	for (l = 0; l < m->nlayers; l++) {
		const uint8_t *q = qaccel_buffer_ptr(act[l + 1]);
		double sig = 0, noise = 0;

		for (i = 0; i < n; i++) {
			for (j = 0; j < m->out[l]; j++) {
				size_t idx = i * m->out[l] + j;
				double f = outs[l][idx], v;

				if (li[l].out_type == QACCEL_DTYPE_S32) {
					int32_t a;

					memcpy(&a, q + 4 * idx, 4);
					v = (double)a * li[l].in_scale * li[l].w_scales[j];
				} else if (li[l].out_type == QACCEL_DTYPE_S8) {
					v = ((int8_t)q[idx] - li[l].out_zero_point) *
					    (double)li[l].out_scale;
				} else {
					v = (q[idx] - li[l].out_zero_point) * (double)li[l].out_scale;
				}
				sig += f * f;
				noise += (f - v) * (f - v);
			}
		}
		r->out_db[l] = db(sig, noise);
	}
	for (l = 0; l <= m->nlayers; l++)
		qaccel_buffer_free(act[l]);
	for (l = 0; l < m->nlayers; l++)
		free(outs[l]);
	free(x);
}

/* ---------------------------------------------------------------------- */

static void load_calib(const char *arg, struct idx_images *img)
{
	char path[4096], why[256];
	struct stat st;
	int err;

	if (!stat(arg, &st) && S_ISDIR(st.st_mode)) {
		if (idx_find(arg, "train-images-idx3-ubyte", path, sizeof(path)))
			die("--calib %s: no train-images-idx3-ubyte[.gz] in this directory", arg);
	} else {
		snprintf(path, sizeof(path), "%s", arg);
	}
	err = idx_load_images(path, img, why, sizeof(why));
	if (err)
		die("%s: %s", path, err == -ENOENT ? "no such file" : why);
}

int main(int argc, char **argv)
{
	struct qaccel_model_layer_desc layers[MLP_MAX_LAYERS];
	struct qaccel_model_load_opts lo;
	struct qaccel_open_opts oo;
	struct qaccel_model_info info;
	struct qaccel_model_desc desc;
	struct qaccel_model *qm = NULL;
	struct qaccel_ctx *ctx = NULL;
	struct qaccel_observer_opts obo;
	struct quant_state s;
	struct idx_images img;
	struct sqnr sq;
	struct opts o;
	struct mlp m;
	char why[512], arch[128], text[512], b1[32], b2[32];
	float rmin[MLP_MAX_LAYERS], rmax[MLP_MAX_LAYERS];
	uint32_t count, eval;
	unsigned int l;
	double t0;
	int err;

	blas_env_setup(argv);
	prog = "qaccel-quant";
	parse_opts(argc, argv, &o);

	err = mlp_load(o.model, &m, why, sizeof(why));
	if (err)
		die("%s: %s", o.model, why);
	load_calib(o.calib, &img);
	if (img.rows * img.cols != m.in[0])
		die("%s: images of %ux%u pixels, the model takes %u inputs", o.calib, img.rows,
		    img.cols, m.in[0]);
	count = o.count && o.count < img.count ? (uint32_t)o.count : img.count;
	if (o.hist_dir) {
		struct stat st;

		if (mkdir(o.hist_dir, 0777) && errno != EEXIST)
			die("--histograms %s: %s", o.hist_dir, strerror(errno));
		if (stat(o.hist_dir, &st) || !S_ISDIR(st.st_mode))
			die("--histograms %s: not a directory", o.hist_dir);
	}

	memset(&oo, 0, sizeof(oo));
	oo.backend = QACCEL_BACKEND_CPU;
	oo.errbuf = why;
	oo.errbuf_size = sizeof(why);
	err = qaccel_open(&ctx, &oo);
	if (err)
		die("qaccel_open: %s", why);

	if (!o.quiet)
		printf("model:       %s: %s MLP (ReLU), %s float32\n"
		       "calibration: %s: %u images of %ux%u, observer %s, %lu per batch\n",
		       o.model, mlp_arch(&m, arch, sizeof(arch)),
		       fmt_bytes((double)m.param_bytes, b1, sizeof(b1)), o.calib, count,
		       img.rows, img.cols, observer_name(o.kind), o.batch);

	/* Pass 1: the observers. */
	memset(&s, 0, sizeof(s));
	s.nobs = o.logits8 ? m.nlayers : m.nlayers - 1;
	memset(&obo, 0, sizeof(obo));
	obo.kind = o.kind;
	obo.percentile = o.percentile;
	obo.bins = (uint32_t)o.bins;
	for (l = 0; l < s.nobs; l++) {
		struct qaccel_observer_opts mm = { .kind = QACCEL_OBSERVER_MINMAX };

		err = qaccel_observer_create(&obo, &s.obs[l]);
		if (!err)
			err = qaccel_observer_create(&mm, &s.full[l]);
		if (err)
			die("qaccel_observer_create: %s", qaccel_strerror(err));
	}
	s.show = !o.quiet;
	t0 = now_sec();
	if (s.show)
		progress_start(&s.prog, stdout, "calibrating", count);
	err = mlp_observe(&m, img.pixels, count, (uint32_t)o.batch, observe_cb, &s,
			  progress_cb, &s);
	if (err)
		die("calibration: %s", qaccel_strerror(err));
	if (s.show)
		progress_end(&s.prog);
	for (l = 0; l < m.nlayers; l++) {
		rmin[l] = rmax[l] = 0.0f;
		if (l < s.nobs) {
			err = qaccel_observer_range(s.obs[l], &rmin[l], &rmax[l]);
			if (err)
				die("observer of fc%u: %s", l + 1, qaccel_strerror(err));
		}
		s.rmin[l] = l + 1 < m.nlayers ? 0.0f : rmin[l];
		s.rmax[l] = rmax[l];
	}

	/* Pass 2: histograms over the full range seen, values outside the clip range. */
	for (l = 0; l < s.nobs; l++) {
		s.hist[l] = calloc(HIST_BINS, sizeof(uint64_t));
		if (!s.hist[l])
			die("out of memory");
		err = qaccel_observer_range(s.full[l], &s.lo[l], &s.hi[l]);
		if (err)
			die("min/max of fc%u: %s", l + 1, qaccel_strerror(err));
		if (!(s.hi[l] > s.lo[l]))
			s.hi[l] = s.lo[l] + 1.0f;
	}
	err = mlp_observe(&m, img.pixels, count, (uint32_t)o.batch, hist_cb, &s, NULL, NULL);
	if (err)
		die("histogram pass: %s", qaccel_strerror(err));

	/* Quantize, pack, write. */
	snprintf(text, sizeof(text), "qaccel-quant %s: model=%s observer=%s%s calibration=%s "
		 "images=%u", qaccel_version(), o.model, observer_name(o.kind),
		 o.kind == QACCEL_OBSERVER_PERCENTILE ? (o.percentile ? "" : "(99.99)") : "",
		 o.calib, count);
	if (o.kind == QACCEL_OBSERVER_PERCENTILE && o.percentile) {
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, " percentile=%g", o.percentile);
	}
	mlp_model_desc(&m, rmin, rmax, o.logits8, text, layers, &desc);
	err = qaccel_model_save(&desc, o.out);
	if (err)
		die("writing %s: %s", o.out, err == -EINVAL || err == -ERANGE ?
		    qaccel_strerror(err) : strerror(-err));

	/* Read it back as any user would, then measure. */
	memset(&lo, 0, sizeof(lo));
	lo.errbuf = why;
	lo.errbuf_size = sizeof(why);
	err = qaccel_model_load(ctx, o.out, &lo, &qm);
	if (err)
		die("reading back %s: %s", o.out, why);
	qaccel_model_info(qm, &info);
	eval = count < o.eval ? count : (uint32_t)o.eval;
	weight_sqnr(&m, qm, &sq);
	output_sqnr(&m, ctx, qm, img.pixels, eval, &sq);

	if (!o.quiet) {
		printf("\n%-6s %-10s %8s %8s  %-22s %10s %4s %9s\n", "layer", "K x N", "W SQNR",
		       "out SQNR", "activation range", "scale", "zp", "clipped");
		for (l = 0; l < m.nlayers; l++) {
			struct qaccel_model_layer_info li;
			char shape[32], range[48];

			qaccel_model_layer_info(qm, l, &li);
			snprintf(shape, sizeof(shape), "%ux%u", li.in_features, li.out_features);
			if (li.out_type == QACCEL_DTYPE_S32) {
				printf("fc%-4u %-10s %5.1f dB %5.1f dB  %-22s %10s %4s %9s\n", l + 1,
				       shape, sq.weight_db[l], sq.out_db[l], "s32 logits (no clip)",
				       "-", "-", "-");
				continue;
			}
			snprintf(range, sizeof(range), "[%.4g, %.4g] %s", (double)li.out_min,
				 (double)li.out_max, li.out_type == QACCEL_DTYPE_U8 ? "u8" : "s8");
			printf("fc%-4u %-10s %5.1f dB %5.1f dB  %-22s %10.4g %4d %8.4f%%\n", l + 1,
			       shape, sq.weight_db[l], sq.out_db[l], range, (double)li.out_scale,
			       li.out_zero_point,
			       s.seen[l] ? 100.0 * s.clipped[l] / s.seen[l] : 0.0);
		}
		printf("(SQNR over %u images: weights per channel; outputs of the int8 network "
		       "up to the layer against float; clipped: calibration values outside the "
		       "range)\n", eval);
	}

	if (o.hist_dir) {
		for (l = 0; l < s.nobs; l++) {
			struct qaccel_model_layer_info li;
			struct svg_hist h;
			char path[4096], title[64], sub[256];

			qaccel_model_layer_info(qm, l, &li);
			snprintf(path, sizeof(path), "%s/fc%u.svg", o.hist_dir, l + 1);
			snprintf(title, sizeof(title), "fc%u output (%u values)", l + 1,
				 li.out_features);
			snprintf(sub, sizeof(sub), "observer %s on %u images: clip [%.4g, %.4g], "
				 "%s scale %.4g zero point %d, %.4f%% clipped",
				 observer_name(o.kind), count, (double)li.out_min,
				 (double)li.out_max, li.out_type == QACCEL_DTYPE_U8 ? "u8" : "s8",
				 (double)li.out_scale, li.out_zero_point,
				 s.seen[l] ? 100.0 * s.clipped[l] / s.seen[l] : 0.0);
			h.title = title;
			h.subtitle = sub;
			h.lo = s.lo[l];
			h.hi = s.hi[l];
			h.counts = s.hist[l];
			h.bins = HIST_BINS;
			h.clip_lo = l + 1 < m.nlayers ? 0.0 : li.out_min;
			h.clip_hi = li.out_max;
			err = svg_write_histogram(path, &h);
			if (err)
				die("%s: %s", path, strerror(-err));
			if (!o.quiet)
				printf("histogram:   %s\n", path);
		}
	}
	if (!o.quiet)
		printf("wrote:       %s: %u layers, %s (packed weights %s), CRC-32 0x%08x, "
		       "%.1f s\n", o.out, info.layer_count,
		       fmt_bytes((double)info.file_size, b1, sizeof(b1)),
		       fmt_bytes((double)info.packed_bytes, b2, sizeof(b2)), info.crc32,
		       now_sec() - t0);

	for (l = 0; l < s.nobs; l++) {
		qaccel_observer_destroy(s.obs[l]);
		qaccel_observer_destroy(s.full[l]);
		free(s.hist[l]);
	}
	qaccel_model_destroy(qm);
	qaccel_close(ctx);
	idx_free_images(&img);
	mlp_free(&m);
	return 0;
}
