// SPDX-License-Identifier: MIT
/*
 * ONNX conformance of libqaccel: the backend node tests of the ONNX test
 * data (Debian's libonnx-testdata) for QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear, MatMulInteger and QLinearMatMul, run through the
 * library's public API on a CPU context of every ISA the machine has, the
 * matrix products as packed-weight GEMM jobs. Every output must match the
 * reference exactly (integers bit for bit, floats bit for bit). One KTAP
 * line per test data set; a missing test directory is a SKIP.
 *
 * Then the readers are fed bad input at every boundary: every strict
 * prefix of the real files, wrong and unknown data types, dims that
 * disagree with the data, out-of-range values, unsupported encodings,
 * random corruption, broken models, and operators given tensors of the
 * wrong type or shape.
 *
 * Usage: test_onnx [NODE_TEST_DIR]   (default: $ONNX_NODE_DATA, else
 *        /usr/share/libonnx-testdata/data/node)
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx.pb-c.h"
#include "onnx_ops.h"
#include "onnx_reader.h"
#include "qaccel.h"
#include "tap.h"

#define DEFAULT_NODE_DATA	"/usr/share/libonnx-testdata/data/node"
#define MAX_SETS		64

struct onnx_case {
	const char *dir;
	const char *op_type;
};

/* The node tests this suite runs. */
static const struct onnx_case cases[] = {
	{ "test_quantizelinear", "QuantizeLinear" },
	{ "test_quantizelinear_axis", "QuantizeLinear" },
	{ "test_dequantizelinear", "DequantizeLinear" },
	{ "test_dequantizelinear_axis", "DequantizeLinear" },
	{ "test_dynamicquantizelinear", "DynamicQuantizeLinear" },
	{ "test_dynamicquantizelinear_min_adjusted", "DynamicQuantizeLinear" },
	{ "test_dynamicquantizelinear_max_adjusted", "DynamicQuantizeLinear" },
	{ "test_matmulinteger", "MatMulInteger" },
	{ "test_qlinearmatmul_2D", "QLinearMatMul" },
	{ "test_qlinearmatmul_3D", "QLinearMatMul" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char *root;

/*
 * snprintf() for paths and messages built from the data directory: an
 * over-long result is cut (a path then simply does not exist, which is
 * reported as such).
 */
static void strfmt(char *buf, size_t sz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void strfmt(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

/* One CPU context per ISA the machine supports. */
static struct qaccel_ctx *ctxs[QACCEL_ISA_COUNT];
static enum qaccel_isa ctx_isa[QACCEL_ISA_COUNT];
static unsigned int nctx;

struct case_sets {
	int status;		/* 0, or -errno of the directory scan */
	unsigned int n;
	unsigned int set[MAX_SETS];
};
static struct case_sets sets[NCASES];

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The test_data_set_<n> directories of a test, in numeric order. */
static int scan_sets(const char *dir, struct case_sets *cs)
{
	struct dirent *de;
	DIR *d;

	cs->n = 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned int v;
		char tail;

		if (sscanf(de->d_name, "test_data_set_%u%c", &v, &tail) != 1)
			continue;
		if (cs->n == MAX_SETS) {
			closedir(d);
			return -E2BIG;
		}
		cs->set[cs->n++] = v;
	}
	closedir(d);
	qsort(cs->set, cs->n, sizeof(cs->set[0]), cmp_uint);
	return 0;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Print an element of a tensor for a diagnostic. */
static void elem_str(const struct onnx_tensor *t, size_t i, char *s, size_t sz)
{
	switch (t->dtype) {
	case ONNX_FLOAT: {
		float f = ((const float *)t->data)[i];
		uint32_t u;

		memcpy(&u, &f, 4);
		snprintf(s, sz, "%.9g (0x%08" PRIx32 ")", (double)f, u);
		break;
	}
	case ONNX_UINT8:
		snprintf(s, sz, "%u", ((const uint8_t *)t->data)[i]);
		break;
	case ONNX_INT8:
		snprintf(s, sz, "%d", ((const int8_t *)t->data)[i]);
		break;
	case ONNX_INT32:
		snprintf(s, sz, "%" PRId32, ((const int32_t *)t->data)[i]);
		break;
	}
}

static void shape_str(const struct onnx_tensor *t, char *s, size_t sz)
{
	size_t o = 0;
	unsigned int i;

	o += (size_t)snprintf(s, sz, "%s[", onnx_dtype_name(t->dtype));
	for (i = 0; i < t->ndim && o < sz; i++)
		o += (size_t)snprintf(s + o, sz - o, "%s%zu", i ? ", " : "", t->dims[i]);
	if (o < sz)
		snprintf(s + o, sz - o, "]");
}

/*
 * Exact comparison: same type, same shape, same bytes (floats included:
 * bit for bit). Returns the number of differing elements, or -1 when the
 * type or shape differs; reports the first few.
 */
static long compare(const char *what, const struct onnx_tensor *got,
		    const struct onnx_tensor *want, size_t *first_bad)
{
	char g[64], w[64];
	size_t i, es;
	long bad = 0;

	if (got->dtype != want->dtype || got->ndim != want->ndim ||
	    memcmp(got->dims, want->dims, got->ndim * sizeof(got->dims[0]))) {
		shape_str(got, g, sizeof(g));
		shape_str(want, w, sizeof(w));
		tap_diag("%s: got %s, expected %s", what, g, w);
		return -1;
	}
	es = onnx_dtype_size(got->dtype);
	for (i = 0; i < got->count; i++) {
		if (!memcmp((const char *)got->data + i * es, (const char *)want->data + i * es,
			    es))
			continue;
		if (!bad)
			*first_bad = i;
		if (bad < 6) {
			elem_str(got, i, g, sizeof(g));
			elem_str(want, i, w, sizeof(w));
			tap_diag("%s[%zu]: got %s, expected %s", what, i, g, w);
		}
		bad++;
	}
	return bad;
}

/* Explain a QLinearMatMul element: engine fixed point vs real arithmetic. */
static void explain_qmm(const struct onnx_tensor *const *in, size_t i)
{
	struct onnx_qmm_detail d;
	char err[ONNX_ERRLEN];

	if (onnx_qlinearmatmul_detail(in, i, &d, err, sizeof(err))) {
		tap_diag("  (no detail: %s)", err);
		return;
	}
	tap_diag("  element %zu: acc %" PRId32 ", multiplier %.17g = Q31 %" PRId32
		 " * 2^(%" PRId32 " - 31); acc * multiplier = %.17g; engine (MBQM) %" PRId32
		 ", round-half-even formula %" PRId32,
		 i, d.acc, d.multiplier, d.mult, d.shift, d.exact, d.engine, d.reference);
}

/* Run one data set on every context; true when every output matches. */
static bool run_set(const struct onnx_case *c, const struct onnx_node *node, const char *dir)
{
	struct onnx_tensor ins[ONNX_MAX_IO], want[ONNX_MAX_IO];
	const struct onnx_tensor *in[ONNX_MAX_IO];
	unsigned int nin = 0, nwant = 0, i, x;
	char path[4096], err[2 * ONNX_ERRLEN];
	bool ok = true;
	int ret;

	for (i = 0; i < node->n_graph_inputs; i++, nin++) {
		strfmt(path, sizeof(path), "%s/input_%u.pb", dir, i);
		ret = onnx_tensor_load(path, &ins[i], err, sizeof(err));
		if (ret) {
			tap_diag("%s", err);
			ok = false;
			goto out;
		}
	}
	strfmt(path, sizeof(path), "%s/input_%u.pb", dir, i);
	if (file_exists(path)) {
		tap_diag("%s: more input files than the graph has inputs (%u)", path, i);
		ok = false;
		goto out;
	}
	for (i = 0; i < node->n_graph_outputs; i++, nwant++) {
		strfmt(path, sizeof(path), "%s/output_%u.pb", dir, i);
		ret = onnx_tensor_load(path, &want[i], err, sizeof(err));
		if (ret) {
			tap_diag("%s", err);
			ok = false;
			goto out;
		}
	}
	strfmt(path, sizeof(path), "%s/output_%u.pb", dir, i);
	if (file_exists(path)) {
		tap_diag("%s: more output files than the graph has outputs (%u)", path, i);
		ok = false;
		goto out;
	}
	if (!nctx) {
		tap_diag("no CPU context to run on");
		ok = false;
		goto out;
	}
	for (i = 0; i < node->n_inputs; i++)
		in[i] = node->input_graph_idx[i] >= 0 ? &ins[node->input_graph_idx[i]] : NULL;

	for (x = 0; x < nctx; x++) {
		struct onnx_tensor out[ONNX_MAX_IO];

		memset(out, 0, sizeof(out));
		ret = onnx_run_node(ctxs[x], node, in, out, err, sizeof(err));
		if (ret) {
			tap_diag("%s on %s: %s (%s)", c->op_type, qaccel_isa_name(ctx_isa[x]), err,
				 qaccel_strerror(ret));
			ok = false;
			continue;
		}
		for (i = 0; i < node->n_outputs; i++) {
			int gi = node->output_graph_idx[i];
			char what[128];
			size_t first = 0;
			long bad;

			if (gi < 0)
				continue;
			snprintf(what, sizeof(what), "%s output %u (%s)",
				 qaccel_isa_name(ctx_isa[x]), (unsigned int)gi, want[gi].name);
			bad = compare(what, &out[i], &want[gi], &first);
			if (bad) {
				ok = false;
				if (bad > 0 && !strcmp(node->op_type, "QLinearMatMul"))
					explain_qmm(in, first);
			}
		}
		for (i = 0; i < node->n_outputs; i++)
			onnx_tensor_release(&out[i]);
	}
out:
	for (i = 0; i < nin; i++)
		onnx_tensor_release(&ins[i]);
	for (i = 0; i < nwant; i++)
		onnx_tensor_release(&want[i]);
	return ok;
}

/* The operator set that introduced each operator (its earliest version). */
static bool opset_ok(const struct onnx_node *node)
{
	if (!strcmp(node->op_type, "DynamicQuantizeLinear"))
		return node->opset >= 11;
	return node->opset >= 10;
}

static void run_case(unsigned int ci)
{
	const struct onnx_case *c = &cases[ci];
	struct onnx_node node;
	char dir[4096], path[4096], err[2 * ONNX_ERRLEN];
	unsigned int s;
	int ret;

	snprintf(dir, sizeof(dir), "%s/%s", root, c->dir);
	if (sets[ci].status) {
		char name[256], why[512];

		snprintf(name, sizeof(name), "onnx:%s", c->dir);
		strfmt(why, sizeof(why), "%s: %s (install libonnx-testdata)", dir,
			 strerror(-sets[ci].status));
		tap_skip(name, why);
		return;
	}
	if (!sets[ci].n) {
		tap_ok(0, "onnx:%s # %s holds no test_data_set_*", c->dir, dir);
		return;
	}
	strfmt(path, sizeof(path), "%s/model.onnx", dir);
	ret = onnx_model_load(path, &node, err, sizeof(err));
	if (!ret && strcmp(node.op_type, c->op_type)) {
		strfmt(err, sizeof(err), "%s: node is %s, expected %s", path, node.op_type,
			 c->op_type);
		ret = -EPROTO;
	}
	if (!ret && !opset_ok(&node)) {
		strfmt(err, sizeof(err), "%s: operator set %" PRId64 " predates %s", path,
			 node.opset, node.op_type);
		ret = -EPROTO;
	}
	for (s = 0; s < sets[ci].n; s++) {
		char set[64];

		snprintf(set, sizeof(set), "test_data_set_%u", sets[ci].set[s]);
		if (ret) {
			tap_diag("%s", err);
			tap_ok(0, "onnx:%s/%s", c->dir, set);
			continue;
		}
		strfmt(path, sizeof(path), "%s/%s", dir, set);
		tap_ok(run_set(c, &node, path), "onnx:%s/%s", c->dir, set);
	}
}

/* ------------------------------------------------------------------------
 * Bad input
 */

static uint64_t rng_state = 0x6f6e6e7831ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int parse_tp(const Onnx__TensorProto *tp, struct onnx_tensor *t, char *err,
		    size_t errlen)
{
	size_t len = onnx__tensor_proto__get_packed_size(tp);
	uint8_t *buf = malloc(len + 1);
	int ret;

	if (!buf)
		return -ENOMEM;
	onnx__tensor_proto__pack(tp, buf);
	ret = onnx_tensor_parse(buf, len, t, err, errlen);
	free(buf);
	return ret;
}

/* The reader must fail with @want and a message containing @msg. */
static bool expect_tp(const Onnx__TensorProto *tp, int want, const char *msg, const char *what)
{
	struct onnx_tensor t;
	char err[ONNX_ERRLEN] = "";
	int ret;

	memset(&t, 0x5a, sizeof(t));
	ret = parse_tp(tp, &t, err, sizeof(err));
	if (!ret)
		onnx_tensor_release(&t);
	if (ret == want && strstr(err, msg))
		return true;
	tap_diag("%s: got %d (%s) \"%s\", expected %d (%s) with \"%s\"", what, ret,
		 qaccel_strerror(ret), err, want, qaccel_strerror(want), msg);
	return false;
}

/* A well-formed FLOAT [2, 3] tensor to break in various ways. */
static int64_t dims23[] = { 2, 3 };
static float f6[6] = { 1.5f, -2.0f, 0.0f, 3.25f, -0.5f, 100.0f };
static int32_t i6[6] = { 0, 1, 2, 3, 4, 5 };
static uint8_t raw24[24];

static Onnx__TensorProto base_float(void)
{
	Onnx__TensorProto tp = ONNX__TENSOR_PROTO__INIT;
	unsigned int i;

	for (i = 0; i < 6; i++) {
		uint32_t u;

		memcpy(&u, &f6[i], 4);
		raw24[4 * i] = (uint8_t)u;
		raw24[4 * i + 1] = (uint8_t)(u >> 8);
		raw24[4 * i + 2] = (uint8_t)(u >> 16);
		raw24[4 * i + 3] = (uint8_t)(u >> 24);
	}
	tp.n_dims = 2;
	tp.dims = dims23;
	tp.has_data_type = 1;
	tp.data_type = ONNX_FLOAT;
	tp.name = "t";
	tp.has_raw_data = 1;
	tp.raw_data.data = raw24;
	tp.raw_data.len = sizeof(raw24);
	return tp;
}

static void test_good_encodings(void)
{
	Onnx__TensorProto tp = base_float();
	struct onnx_tensor t;
	char err[ONNX_ERRLEN];
	int32_t u8v[6] = { 0, 255, 7, 128, 1, 254 }, s8v[6] = { -128, 127, 0, -1, 1, 5 };
	int64_t dim0[1] = { 0 };
	bool ok = true;
	unsigned int i;

	/* raw little-endian floats */
	ok &= !parse_tp(&tp, &t, err, sizeof(err)) && t.dtype == ONNX_FLOAT && t.ndim == 2 &&
	      t.dims[0] == 2 && t.dims[1] == 3 && t.count == 6 && !memcmp(t.data, f6, 24) &&
	      !strcmp(t.name, "t");
	if (!ok)
		tap_diag("raw FLOAT: %s", err);
	onnx_tensor_release(&t);
	/* float_data */
	tp.has_raw_data = 0;
	tp.n_float_data = 6;
	tp.float_data = f6;
	ok &= !parse_tp(&tp, &t, err, sizeof(err)) && t.count == 6 && !memcmp(t.data, f6, 24);
	onnx_tensor_release(&t);
	/* int32_data for UINT8, INT8 and INT32 */
	tp.n_float_data = 0;
	tp.data_type = ONNX_UINT8;
	tp.n_int32_data = 6;
	tp.int32_data = u8v;
	if (!parse_tp(&tp, &t, err, sizeof(err))) {
		for (i = 0; i < 6; i++)
			ok &= ((uint8_t *)t.data)[i] == u8v[i];
		onnx_tensor_release(&t);
	} else {
		ok = false;
	}
	tp.data_type = ONNX_INT8;
	tp.int32_data = s8v;
	if (!parse_tp(&tp, &t, err, sizeof(err))) {
		for (i = 0; i < 6; i++)
			ok &= ((int8_t *)t.data)[i] == s8v[i];
		onnx_tensor_release(&t);
	} else {
		ok = false;
	}
	tp.data_type = ONNX_INT32;
	tp.int32_data = i6;
	ok &= !parse_tp(&tp, &t, err, sizeof(err)) && !memcmp(t.data, i6, 24);
	onnx_tensor_release(&t);
	/* a scalar: no dims, one element */
	tp.n_dims = 0;
	tp.n_int32_data = 1;
	ok &= !parse_tp(&tp, &t, err, sizeof(err)) && t.ndim == 0 && t.count == 1;
	onnx_tensor_release(&t);
	/* an empty tensor: dims [0], no data */
	tp.n_dims = 1;
	tp.dims = dim0;
	tp.n_int32_data = 0;
	ok &= !parse_tp(&tp, &t, err, sizeof(err)) && t.ndim == 1 && t.count == 0;
	onnx_tensor_release(&t);
	tap_ok(ok, "reader: raw and typed encodings of FLOAT, UINT8, INT8, INT32, scalar, empty");
}

static void test_bad_types(void)
{
	Onnx__TensorProto tp = base_float();
	bool ok = true;

	tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__STRING;
	ok &= expect_tp(&tp, -EOPNOTSUPP, "data type STRING (8) not supported", "STRING");
	tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	ok &= expect_tp(&tp, -EOPNOTSUPP, "data type INT64 (7) not supported", "INT64");
	tp.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
	ok &= expect_tp(&tp, -EOPNOTSUPP, "data type DOUBLE (11) not supported", "DOUBLE");
	tp.data_type = 99;
	ok &= expect_tp(&tp, -EPROTO, "unknown data type 99", "type 99");
	tp.data_type = -3;
	ok &= expect_tp(&tp, -EPROTO, "unknown data type -3", "type -3");
	tp.data_type = 0;
	ok &= expect_tp(&tp, -EPROTO, "no data type", "UNDEFINED");
	tp.has_data_type = 0;
	ok &= expect_tp(&tp, -EPROTO, "no data type", "data_type absent");
	tp = base_float();
	tp.has_raw_data = 0;
	tp.n_int32_data = 6;
	tp.int32_data = i6;
	ok &= expect_tp(&tp, -EPROTO, "does not match data type FLOAT", "int32_data for FLOAT");
	tp.n_int32_data = 0;
	tp.data_type = ONNX_UINT8;
	tp.n_float_data = 6;
	tp.float_data = f6;
	ok &= expect_tp(&tp, -EPROTO, "does not match data type UINT8", "float_data for UINT8");
	tap_ok(ok, "reader: wrong, unknown and missing data types are clear errors");
}

static void test_bad_lengths(void)
{
	Onnx__TensorProto tp = base_float();
	int32_t big[6] = { 0, 1, 300, 3, 4, 5 }, neg[6] = { 0, -129, 2, 3, 4, 5 };
	int32_t seven[7] = { 0 };
	int64_t dims5[] = { 2, 3, 1, 1, 1, 1, 1, 1, 1 }, ndim[] = { 2, -3 };
	int64_t huge[] = { 1ll << 40, 1ll << 40 }, wide[] = { 4096, 4096, 4096 };
	bool ok = true;

	tp.raw_data.len = 20;
	ok &= expect_tp(&tp, -EPROTO, "raw_data holds 20 bytes but dims [2, 3] of FLOAT need 24",
			"raw 20 bytes for [2, 3]");
	tp.raw_data.len = 0;
	ok &= expect_tp(&tp, -EPROTO, "raw_data holds 0 bytes", "raw 0 bytes for [2, 3]");
	tp = base_float();
	tp.data_type = ONNX_INT32;
	tp.raw_data.len = 23;
	ok &= expect_tp(&tp, -EPROTO, "need 24", "raw 23 bytes for INT32 [2, 3]");
	tp.data_type = ONNX_UINT8;
	tp.raw_data.len = 24;
	ok &= expect_tp(&tp, -EPROTO, "raw_data holds 24 bytes but dims [2, 3] of UINT8 need 6",
			"raw 24 bytes for UINT8 [2, 3]");
	tp = base_float();
	tp.has_raw_data = 0;
	tp.n_float_data = 5;
	tp.float_data = f6;
	ok &= expect_tp(&tp, -EPROTO, "float_data holds 5 values but dims [2, 3] need 6",
			"5 floats for [2, 3]");
	tp.n_float_data = 0;
	ok &= expect_tp(&tp, -EPROTO, "holds 0 values", "no data at all for [2, 3]");
	tp.data_type = ONNX_INT8;
	tp.n_int32_data = 7;
	tp.int32_data = seven;
	ok &= expect_tp(&tp, -EPROTO, "int32_data holds 7 values but dims [2, 3] need 6",
			"7 int32 for [2, 3]");
	tp.n_int32_data = 6;
	tp.int32_data = neg;
	ok &= expect_tp(&tp, -EPROTO, "int32_data[1] = -129 is out of range for INT8",
			"-129 as INT8");
	tp.data_type = ONNX_UINT8;
	tp.int32_data = big;
	ok &= expect_tp(&tp, -EPROTO, "int32_data[2] = 300 is out of range for UINT8",
			"300 as UINT8");
	tp = base_float();
	tp.dims = ndim;
	ok &= expect_tp(&tp, -EPROTO, "negative dimension in dims [2, -3]", "dims [2, -3]");
	tp.dims = huge;
	ok &= expect_tp(&tp, -EOVERFLOW, "hold more than", "dims [2^40, 2^40]");
	tp.n_dims = 3;
	tp.dims = wide;
	ok &= expect_tp(&tp, -EOVERFLOW, "hold more than", "dims [4096, 4096, 4096]");
	tp.n_dims = 9;
	tp.dims = dims5;
	ok &= expect_tp(&tp, -EOPNOTSUPP, "9 dims", "9 dims");
	tp = base_float();
	tp.n_float_data = 6;
	tp.float_data = f6;
	ok &= expect_tp(&tp, -EPROTO, "tensor data given in 2 fields", "raw_data and float_data");
	tap_ok(ok, "reader: dims/data length mismatches, out-of-range values, bad dims");
}

static void test_bad_encodings(void)
{
	Onnx__TensorProto tp = base_float();
	Onnx__TensorProto__Segment seg = ONNX__TENSOR_PROTO__SEGMENT__INIT;
	Onnx__StringStringEntryProto loc = ONNX__STRING_STRING_ENTRY_PROTO__INIT;
	Onnx__StringStringEntryProto *locs[1] = { &loc };
	int64_t i64[6] = { 0 };
	bool ok = true;

	tp.segment = &seg;
	ok &= expect_tp(&tp, -EOPNOTSUPP, "segmented", "segment");
	tp = base_float();
	tp.has_raw_data = 0;
	tp.has_data_location = 1;
	tp.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	loc.key = "location";
	loc.value = "weights.bin";
	tp.n_external_data = 1;
	tp.external_data = locs;
	ok &= expect_tp(&tp, -EOPNOTSUPP, "external tensor data", "external data");
	tp = base_float();
	tp.has_raw_data = 0;
	tp.n_int64_data = 6;
	tp.int64_data = i64;
	ok &= expect_tp(&tp, -EPROTO, "does not match data type FLOAT", "int64_data for FLOAT");
	tap_ok(ok, "reader: segments, external data and foreign data fields are refused");
}

/* Every .pb file of the data sets that exist. */
struct file_list {
	unsigned int n;
	char path[512][512];
};

static void list_pb_files(struct file_list *fl)
{
	unsigned int ci, s, i;

	fl->n = 0;
	for (ci = 0; ci < NCASES; ci++) {
		for (s = 0; !sets[ci].status && s < sets[ci].n; s++) {
			for (i = 0; i < 2 * ONNX_MAX_IO && fl->n < 512; i++) {
				char *p = fl->path[fl->n];

				snprintf(p, 512, "%s/%s/test_data_set_%u/%s_%u.pb", root,
					 cases[ci].dir, sets[ci].set[s],
					 i < ONNX_MAX_IO ? "input" : "output", i % ONNX_MAX_IO);
				if (file_exists(p))
					fl->n++;
			}
		}
	}
}

static bool same_tensor(const struct onnx_tensor *a, const struct onnx_tensor *b)
{
	return a->dtype == b->dtype && a->ndim == b->ndim && a->count == b->count &&
	       !memcmp(a->dims, b->dims, a->ndim * sizeof(a->dims[0])) &&
	       !memcmp(a->data, b->data, a->count * onnx_dtype_size(a->dtype)) &&
	       !strcmp(a->name, b->name);
}

static struct file_list files;

/*
 * Every strict prefix of every real tensor file: a truncation must be an
 * error (-EBADMSG inside a field, -EPROTO when it falls between fields and
 * leaves the data short), unless it only drops fields after the data and
 * the name (then the tensor must be the same).
 */
static void test_prefixes(void)
{
	unsigned long prefixes = 0, badmsg = 0, proto = 0, same = 0, wrong = 0;
	unsigned int f;
	size_t len, l;

	if (!files.n) {
		tap_skip("reader: every strict prefix of the test data files is rejected",
			 "no test data files");
		return;
	}
	for (f = 0; f < files.n; f++) {
		struct onnx_tensor full, t;
		char err[ONNX_ERRLEN];
		void *buf;
		int ret;

		if (onnx_read_file(files.path[f], &buf, &len, err, sizeof(err)) ||
		    onnx_tensor_parse(buf, len, &full, err, sizeof(err))) {
			tap_diag("%s", err);
			wrong++;
			continue;
		}
		for (l = 0; l < len; l++) {
			err[0] = 0;
			ret = onnx_tensor_parse(buf, l, &t, err, sizeof(err));
			prefixes++;
			if (ret == -EBADMSG && strstr(err, "truncated or malformed")) {
				badmsg++;
			} else if (ret == -EPROTO && err[0]) {
				proto++;
			} else if (!ret && same_tensor(&t, &full)) {
				same++;
				onnx_tensor_release(&t);
			} else {
				if (wrong++ < 5)
					tap_diag("%s: %zu of %zu bytes: %d \"%s\"", files.path[f], l,
						 len, ret, err);
				if (!ret)
					onnx_tensor_release(&t);
			}
		}
		onnx_tensor_release(&full);
		free(buf);
	}
	tap_diag("%lu prefixes of %u files: %lu -EBADMSG, %lu -EPROTO, %lu harmless", prefixes,
		 files.n, badmsg, proto, same);
	tap_ok(!wrong && prefixes, "reader: every strict prefix of %u test data files is rejected",
	       files.n);
}

/* A truncated file on disk: the error names the file and the cause. */
static void test_truncated_file(void)
{
	Onnx__TensorProto tp = base_float();
	char path[] = "/tmp/qaccel-onnx-XXXXXX", err[2 * ONNX_ERRLEN] = "";
	size_t len = onnx__tensor_proto__get_packed_size(&tp);
	struct onnx_tensor t;
	uint8_t buf[256];
	int fd, ret = 0;

	onnx__tensor_proto__pack(&tp, buf);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, buf, len - 7) != (ssize_t)(len - 7)) {
		tap_ok(0, "reader: a truncated file is -EBADMSG naming the file # %s",
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	ret = onnx_tensor_load(path, &t, err, sizeof(err));
	unlink(path);
	if (!ret)
		onnx_tensor_release(&t);
	if (ret != -EBADMSG || !strstr(err, path) || !strstr(err, "truncated"))
		tap_diag("got %d \"%s\"", ret, err);
	tap_ok(ret == -EBADMSG && strstr(err, path) && strstr(err, "truncated"),
	       "reader: a truncated file is -EBADMSG naming the file");

	err[0] = 0;
	ret = onnx_tensor_load("/nonexistent/input_0.pb", &t, err, sizeof(err));
	tap_ok(ret == -ENOENT && strstr(err, "/nonexistent/input_0.pb"),
	       "reader: a missing file is -ENOENT naming the file");
	err[0] = 0;
	ret = onnx_tensor_load("/tmp", &t, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "not a regular file"),
	       "reader: a directory is refused");
}

/*
 * Random corruption (byte changes, truncations, garbage) of real and
 * synthetic files: never a crash or an overread (the sanitizer build),
 * and every result either a clear error or a self-consistent tensor.
 */
static void test_fuzz(void)
{
	Onnx__TensorProto tp = base_float();
	unsigned long runs = 0, errors = 0, accepted = 0, bad = 0;
	uint8_t syn[256], *buf;
	unsigned int f, it;
	size_t len;

	len = onnx__tensor_proto__get_packed_size(&tp);
	onnx__tensor_proto__pack(&tp, syn);
	for (f = 0; f <= files.n; f++) {
		void *orig = syn;
		size_t olen = len;
		char err[ONNX_ERRLEN];

		if (f < files.n && onnx_read_file(files.path[f], &orig, &olen, err, sizeof(err)))
			continue;
		buf = malloc(olen + 64);
		for (it = 0; buf && it < 400; it++) {
			struct onnx_tensor t;
			size_t l = olen, k, n = 1 + rng() % 4;
			int ret;

			memcpy(buf, orig, olen);
			switch (it % 4) {
			case 0:	/* change a few bytes */
			case 1:
				for (k = 0; k < n && olen; k++)
					buf[rng() % olen] = (uint8_t)rng();
				break;
			case 2:	/* truncate and change */
				l = olen ? rng() % olen : 0;
				if (l)
					buf[rng() % l] ^= (uint8_t)(1u << (rng() % 8));
				break;
			default: /* append garbage */
				for (k = 0; k < n * 8; k++)
					buf[olen + k] = (uint8_t)rng();
				l = olen + n * 8;
				break;
			}
			err[0] = 0;
			ret = onnx_tensor_parse(buf, l, &t, err, sizeof(err));
			runs++;
			if (ret) {
				errors++;
				if (!err[0] || (ret != -EBADMSG && ret != -EPROTO &&
						ret != -EOPNOTSUPP && ret != -EOVERFLOW)) {
					if (bad++ < 5)
						tap_diag("fuzz: %d \"%s\"", ret, err);
				}
				continue;
			}
			accepted++;
			{
				size_t c = 1;
				unsigned int d;

				for (d = 0; d < t.ndim; d++)
					c *= t.dims[d];
				if (c != t.count || !onnx_dtype_size(t.dtype) || !t.data) {
					if (bad++ < 5)
						tap_diag("fuzz: inconsistent tensor accepted");
				}
			}
			onnx_tensor_release(&t);
		}
		free(buf);
		if (orig != syn)
			free(orig);
	}
	tap_diag("fuzz: %lu inputs, %lu rejected, %lu accepted (all consistent: %s)", runs,
		 errors, accepted, bad ? "no" : "yes");
	tap_ok(!bad && runs, "reader: random corruption gives clear errors or consistent tensors");
}

/* ModelProto: the node reader. */
static int parse_model(const Onnx__ModelProto *mp, struct onnx_node *node, char *err,
		       size_t errlen)
{
	size_t len = onnx__model_proto__get_packed_size(mp);
	uint8_t *buf = malloc(len + 1);
	int ret;

	if (!buf)
		return -ENOMEM;
	onnx__model_proto__pack(mp, buf);
	ret = onnx_model_parse(buf, len, node, err, errlen);
	free(buf);
	return ret;
}

static bool expect_model(const Onnx__ModelProto *mp, int want, const char *msg,
			 const char *what)
{
	struct onnx_node node;
	char err[ONNX_ERRLEN] = "";
	int ret = parse_model(mp, &node, err, sizeof(err));

	if (ret == want && strstr(err, msg))
		return true;
	tap_diag("%s: got %d \"%s\", expected %d with \"%s\"", what, ret, err, want, msg);
	return false;
}

static void test_models(void)
{
	Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
	Onnx__OperatorSetIdProto *opsets[1] = { &opset };
	Onnx__ValueInfoProto vx = ONNX__VALUE_INFO_PROTO__INIT, vs = ONNX__VALUE_INFO_PROTO__INIT;
	Onnx__ValueInfoProto vy = ONNX__VALUE_INFO_PROTO__INIT;
	Onnx__ValueInfoProto *gin[2] = { &vx, &vs }, *gout[1] = { &vy };
	Onnx__AttributeProto attr = ONNX__ATTRIBUTE_PROTO__INIT;
	Onnx__AttributeProto *attrs[1] = { &attr };
	Onnx__NodeProto nd = ONNX__NODE_PROTO__INIT;
	Onnx__NodeProto *nodes[2] = { &nd, &nd };
	Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
	Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
	char *ins[3] = { "x", "", "s" }, *outs[1] = { "y" };
	struct onnx_node node;
	char err[2 * ONNX_ERRLEN];
	bool ok = true;
	int ret;

	opset.domain = "";
	opset.has_version = 1;
	opset.version = 13;
	vx.name = "x";
	vs.name = "s";
	vy.name = "y";
	attr.name = "axis";
	attr.has_type = 1;
	attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	attr.has_i = 1;
	attr.i = -2;
	nd.op_type = "QuantizeLinear";
	nd.n_input = 3;
	nd.input = ins;
	nd.n_output = 1;
	nd.output = outs;
	nd.n_attribute = 1;
	nd.attribute = attrs;
	g.n_node = 1;
	g.node = nodes;
	g.n_input = 2;
	g.input = gin;
	g.n_output = 1;
	g.output = gout;
	m.has_ir_version = 1;
	m.ir_version = 7;
	m.n_opset_import = 1;
	m.opset_import = opsets;
	m.graph = &g;

	/* the well-formed one, with an omitted optional input in the middle */
	ret = parse_model(&m, &node, err, sizeof(err));
	ok &= !ret && !strcmp(node.op_type, "QuantizeLinear") && node.opset == 13 &&
	      node.n_inputs == 3 && node.input_graph_idx[0] == 0 &&
	      node.input_graph_idx[1] == -1 && node.input_graph_idx[2] == 1 &&
	      node.output_graph_idx[0] == 0 && onnx_node_attr(&node, "axis", 1) == -2 &&
	      onnx_node_attr(&node, "other", 7) == 7;
	if (!ok)
		tap_diag("well-formed model: %d %s", ret, err);

	m.n_opset_import = 0;
	ok &= expect_model(&m, -EPROTO, "imports no default operator set", "no opset");
	m.n_opset_import = 1;
	opset.domain = "com.example";
	ok &= expect_model(&m, -EPROTO, "imports no default operator set", "foreign opset");
	opset.domain = "ai.onnx";
	m.graph = NULL;
	ok &= expect_model(&m, -EPROTO, "no graph", "no graph");
	m.graph = &g;
	g.n_node = 2;
	ok &= expect_model(&m, -EPROTO, "graph has 2 nodes", "two nodes");
	g.n_node = 0;
	ok &= expect_model(&m, -EPROTO, "graph has 0 nodes", "no node");
	g.n_node = 1;
	ins[2] = "scale";
	ok &= expect_model(&m, -EPROTO, "node input 'scale' is not a graph input",
			   "dangling input");
	ins[2] = "s";
	outs[0] = "z";
	ok &= expect_model(&m, -EPROTO, "graph output 'y' is not produced by the node",
			   "unproduced output");
	outs[0] = "y";
	attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
	ok &= expect_model(&m, -EOPNOTSUPP, "attribute 'axis' is not an integer",
			   "string attribute");
	attr.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	nd.domain = "com.microsoft";
	ok &= expect_model(&m, -EOPNOTSUPP, "node of domain 'com.microsoft'", "foreign node");
	nd.domain = NULL;
	nd.op_type = "";
	ok &= expect_model(&m, -EPROTO, "node has no op_type", "no op_type");
	nd.op_type = "QuantizeLinear";
	err[0] = 0;
	ret = onnx_model_parse("\x3a\xff\xff\xff\x0f", 5, &node, err, sizeof(err));
	ok &= ret == -EBADMSG && strstr(err, "not a valid ModelProto");
	tap_ok(ok, "model reader: node, opset, inputs, attributes; broken models are clear errors");
}

/* Every strict prefix of the real models, and the multi-node expanded ones. */
static void test_model_files(void)
{
	unsigned long prefixes = 0, wrong = 0;
	unsigned int ci, checked = 0;
	char path[4096], err[2 * ONNX_ERRLEN];
	struct onnx_node node;
	size_t len, l;
	void *buf;
	int ret;

	for (ci = 0; ci < NCASES; ci++) {
		if (sets[ci].status)
			continue;
		snprintf(path, sizeof(path), "%s/%s/model.onnx", root, cases[ci].dir);
		if (onnx_read_file(path, &buf, &len, err, sizeof(err))) {
			tap_diag("%s", err);
			wrong++;
			continue;
		}
		checked++;
		for (l = 0; l < len; l++) {
			err[0] = 0;
			ret = onnx_model_parse(buf, l, &node, err, sizeof(err));
			prefixes++;
			if ((ret != -EBADMSG && ret != -EPROTO) || !err[0]) {
				if (wrong++ < 5)
					tap_diag("%s: prefix of %zu bytes: %d \"%s\"", path, l, ret,
						 err);
			}
		}
		free(buf);
	}
	if (!checked) {
		tap_skip("model reader: every strict prefix of the models is rejected",
			 "no test data");
	} else {
		tap_diag("%lu model prefixes of %u files", prefixes, checked);
		tap_ok(!wrong, "model reader: every strict prefix of %u models is rejected",
		       checked);
	}

	/* the _expanded variants hold a graph of primitive operators */
	snprintf(path, sizeof(path), "%s/test_dynamicquantizelinear_expanded/model.onnx", root);
	if (!file_exists(path)) {
		tap_skip("model reader: a multi-node graph is refused", "no expanded model");
		return;
	}
	err[0] = 0;
	ret = onnx_model_load(path, &node, err, sizeof(err));
	if (ret != -EPROTO || !strstr(err, "nodes, a node test has exactly 1"))
		tap_diag("got %d \"%s\"", ret, err);
	tap_ok(ret == -EPROTO && strstr(err, "nodes, a node test has exactly 1"),
	       "model reader: a multi-node graph (%s) is refused",
	       "test_dynamicquantizelinear_expanded");
}

/* ------------------------------------------------------------------------
 * Operators given bad tensors, and synthetic broadcast matmuls
 */

static struct onnx_tensor mk(enum onnx_dtype dt, unsigned int ndim, const size_t *dims,
			     const void *data)
{
	struct onnx_tensor t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.dtype = dt;
	t.ndim = ndim;
	t.count = 1;
	for (i = 0; i < ndim; i++) {
		t.dims[i] = dims[i];
		t.count *= dims[i];
	}
	t.data = (void *)data;
	return t;
}

static struct onnx_node mk_node(const char *op, unsigned int n_in, unsigned int n_out,
				int64_t opset)
{
	struct onnx_node n;
	unsigned int i;

	memset(&n, 0, sizeof(n));
	snprintf(n.op_type, sizeof(n.op_type), "%s", op);
	n.opset = opset;
	n.n_inputs = n.n_graph_inputs = n_in;
	n.n_outputs = n.n_graph_outputs = n_out;
	for (i = 0; i < n_in; i++)
		n.input_graph_idx[i] = (int)i;
	for (i = 0; i < n_out; i++)
		n.output_graph_idx[i] = (int)i;
	return n;
}

static bool expect_op(const struct onnx_node *node, const struct onnx_tensor *const *in,
		      int want, const char *msg, const char *what)
{
	struct onnx_tensor out[ONNX_MAX_IO];
	char err[ONNX_ERRLEN] = "";
	unsigned int i;
	bool clean = true;
	int ret;

	memset(out, 0, sizeof(out));
	ret = onnx_run_node(ctxs[0], node, in, out, err, sizeof(err));
	for (i = 0; i < ONNX_MAX_IO; i++) {
		if (out[i].data)
			clean = false;
		onnx_tensor_release(&out[i]);
	}
	if (ret == want && strstr(err, msg) && clean)
		return true;
	tap_diag("%s: got %d \"%s\"%s, expected %d with \"%s\"", what, ret, err,
		 clean ? "" : " and an output", want, msg);
	return false;
}

static void test_bad_operands(void)
{
	static const float xf[6] = { 1, 2, 3, 4, 5, 6 }, one = 1.0f, zero = 0.0f;
	static const float two[2] = { 1, 2 }, huge = 1e6f, tiny = 1e-6f;
	static const uint8_t u6[6] = { 1, 2, 3, 4, 5, 6 }, u1 = 3, u4[4] = { 1, 2, 3, 4 };
	static const int8_t s1 = 0;
	static const int32_t i6[6] = { 0 }, i1 = 1;
	size_t d23[2] = { 2, 3 }, d32[2] = { 3, 2 }, d2[1] = { 2 }, d4[1] = { 4 };
	size_t d22[2] = { 2, 2 };
	struct onnx_tensor x = mk(ONNX_FLOAT, 2, d23, xf), s = mk(ONNX_FLOAT, 0, NULL, &one);
	struct onnx_tensor zp = mk(ONNX_UINT8, 0, NULL, &u1), xu = mk(ONNX_UINT8, 2, d23, u6);
	struct onnx_tensor s2 = mk(ONNX_FLOAT, 1, d2, two), s0 = mk(ONNX_FLOAT, 0, NULL, &zero);
	struct onnx_tensor zs8 = mk(ONNX_INT8, 0, NULL, &s1), xi = mk(ONNX_INT32, 2, d23, i6);
	struct onnx_tensor bu = mk(ONNX_UINT8, 2, d23, u6), bu32 = mk(ONNX_UINT8, 2, d32, u6);
	struct onnx_tensor zrow = mk(ONNX_UINT8, 1, d2, u4), si = mk(ONNX_INT32, 0, NULL, &i1);
	struct onnx_tensor sh = mk(ONNX_FLOAT, 0, NULL, &huge), st = mk(ONNX_FLOAT, 0, NULL, &tiny);
	struct onnx_tensor a22 = mk(ONNX_UINT8, 2, d22, u4), b4 = mk(ONNX_UINT8, 1, d4, u4);
	struct onnx_tensor b2 = mk(ONNX_UINT8, 1, d2, u4);
	struct onnx_node q = mk_node("QuantizeLinear", 3, 1, 13);
	struct onnx_node dq = mk_node("DequantizeLinear", 3, 1, 13);
	struct onnx_node mmi = mk_node("MatMulInteger", 4, 1, 10);
	struct onnx_node qmm = mk_node("QLinearMatMul", 8, 1, 10);
	struct onnx_node odd = mk_node("Conv", 1, 1, 13);
	bool ok = true;

	{
		const struct onnx_tensor *in[3] = { &xu, &s, &zp };

		ok &= expect_op(&q, in, -EINVAL, "x of type UINT8", "QuantizeLinear x UINT8");
	}
	{
		const struct onnx_tensor *in[3] = { &x, &s, &si };

		ok &= expect_op(&q, in, -EINVAL, "zero point of type INT32",
				"QuantizeLinear zero point INT32");
	}
	{
		const struct onnx_tensor *in[3] = { &x, &s2, NULL };

		ok &= expect_op(&q, in, -EINVAL, "2 scales for axis 1 of extent 3",
				"QuantizeLinear 2 scales, axis extent 3");
		q.n_attrs = 1;
		strcpy(q.attr_name[0], "axis");
		q.attr_int[0] = 2;
		ok &= expect_op(&q, in, -EINVAL, "axis 2 out of range for rank 2",
				"QuantizeLinear axis 2");
		strcpy(q.attr_name[0], "block_size");
		ok &= expect_op(&q, in, -EOPNOTSUPP, "attribute 'block_size' not supported",
				"QuantizeLinear unknown attribute");
		q.n_attrs = 0;
		q.opset = 10;
		ok &= expect_op(&q, in, -EINVAL, "per-axis quantization needs operator set 13",
				"QuantizeLinear per-axis at opset 10");
		q.opset = 13;
	}
	{
		const struct onnx_tensor *in[3] = { &x, &s0, NULL };

		ok &= expect_op(&q, in, -EINVAL, "not a positive finite scale",
				"QuantizeLinear scale 0");
	}
	{
		const struct onnx_tensor *in[3] = { &xu, &s, &zs8 };

		ok &= expect_op(&dq, in, -EINVAL, "x_zero_point is INT8 but x is UINT8",
				"DequantizeLinear zero point type");
	}
	{
		const struct onnx_tensor *in[3] = { &xi, &s, NULL };

		ok &= expect_op(&dq, in, -EOPNOTSUPP, "x of type INT32",
				"DequantizeLinear INT32 x");
	}
	{
		const struct onnx_tensor *in[4] = { &xu, &bu, NULL, NULL };

		ok &= expect_op(&mmi, in, -EINVAL, "inner dimensions differ: A has K = 3, B 2",
				"MatMulInteger K mismatch");
	}
	{
		const struct onnx_tensor *in[4] = { &x, &bu32, NULL, NULL };

		ok &= expect_op(&mmi, in, -EINVAL, "A FLOAT", "MatMulInteger FLOAT A");
	}
	{
		const struct onnx_tensor *in[4] = { &xu, &bu32, &zrow, NULL };

		ok &= expect_op(&mmi, in, -EOPNOTSUPP, "per-row a_zero_point",
				"MatMulInteger per-row a_zero_point");
	}
	{
		const struct onnx_tensor *in[4] = { &xu, &bu32, NULL, &b4 };

		ok &= expect_op(&mmi, in, -EINVAL, "b_zero_point: 4 values for 2 columns",
				"MatMulInteger b_zero_point of 4 for 2 columns");
	}
	{
		const struct onnx_tensor *in[4] = { &a22, &b2, &zs8, NULL };

		ok &= expect_op(&mmi, in, -EINVAL, "a_zero_point is INT8 but A is UINT8",
				"MatMulInteger a_zero_point type");
	}
	{
		const struct onnx_tensor *in[8] = { &xu, &si, &zp, &bu32, &s, &zp, &s, &zp };

		ok &= expect_op(&qmm, in, -EINVAL, "a_scale must be FLOAT, got INT32",
				"QLinearMatMul a_scale INT32");
	}
	{
		const struct onnx_tensor *in[8] = { &xu, &s, &zp, &bu32, &s, &zp, &s, &si };

		ok &= expect_op(&qmm, in, -EINVAL, "y INT32", "QLinearMatMul y_zero_point INT32");
	}
	{
		const struct onnx_tensor *in[8] = { &xu, &s, &zp, &bu32, &s, &zp, &s, NULL };

		ok &= expect_op(&qmm, in, -EINVAL, "input y_zero_point missing",
				"QLinearMatMul without y_zero_point");
	}
	{
		const struct onnx_tensor *in[8] = { &xu, &sh, &zp, &bu32, &sh, &zp, &st, &zp };

		ok &= expect_op(&qmm, in, -ERANGE, "qaccel_requant_params",
				"QLinearMatMul multiplier 1e18");
	}
	{
		const struct onnx_tensor *in[1] = { &x };

		ok &= expect_op(&odd, in, -EOPNOTSUPP, "operator Conv not supported", "Conv");
	}
	tap_ok(ok, "operators: wrong types, shapes, scales, attributes are clear errors, no output");
}

/*
 * The matmul glue beyond the tiny ONNX cases: broadcast batches, 1-D
 * operands, per-column b_zero_point and b_scale, u8 and s8 mixes, checked
 * against a plain C dot product (MatMulInteger) and against that dot
 * product through qaccel_requant_apply() (QLinearMatMul), on every ISA.
 */
struct synth {
	unsigned int ndim_a, ndim_b;
	size_t da[4], db[4];
	enum onnx_dtype ta, tb, ty;
	bool per_col;
};

static void fill(struct onnx_tensor *t, enum onnx_dtype dt, unsigned int ndim,
		 const size_t *dims)
{
	size_t i;

	*t = mk(dt, ndim, dims, NULL);
	t->data = malloc(t->count + 1);
	for (i = 0; i < t->count; i++)
		((uint8_t *)t->data)[i] = (uint8_t)rng();
}

static bool synth_one(const struct synth *sy, bool qlinear)
{
	struct onnx_tensor a, b, azp, bzp, as, bs, ys, yzp, out;
	struct onnx_node node = qlinear ? mk_node("QLinearMatMul", 8, 1, 10) :
				mk_node("MatMulInteger", 4, 1, 10);
	size_t n = sy->ndim_b >= 2 ? sy->db[sy->ndim_b - 1] : 1;
	size_t d1[1] = { n }, i, bad = 0;
	float asv = 0.02f, ysv = 0.37f, bsv[64];
	char err[ONNX_ERRLEN];
	unsigned int x;
	bool ok = true;

	fill(&a, sy->ta, sy->ndim_a, sy->da);
	fill(&b, sy->tb, sy->ndim_b, sy->db);
	fill(&azp, sy->ta, 0, NULL);
	fill(&bzp, sy->tb, sy->per_col ? 1 : 0, d1);
	fill(&yzp, sy->ty, 0, NULL);
	for (i = 0; i < n && i < 64; i++)
		bsv[i] = (float)(0.001 + 0.0005 * (double)(rng() % 64));
	as = mk(ONNX_FLOAT, 0, NULL, &asv);
	bs = mk(ONNX_FLOAT, sy->per_col ? 1 : 0, d1, bsv);
	ys = mk(ONNX_FLOAT, 0, NULL, &ysv);

	for (x = 0; x < nctx; x++) {
		const struct onnx_tensor *in_mmi[4] = { &a, &b, &azp, &bzp };
		const struct onnx_tensor *in_qmm[8] = { &a, &as, &azp, &b, &bs, &bzp, &ys, &yzp };
		const struct onnx_tensor *const *in = qlinear ? in_qmm : in_mmi;
		int ret;

		memset(&out, 0, sizeof(out));
		ret = onnx_run_node(ctxs[x], &node, in, &out, err, sizeof(err));
		if (ret) {
			tap_diag("synthetic %s on %s: %s", node.op_type, qaccel_isa_name(ctx_isa[x]),
				 err);
			ok = false;
			continue;
		}
		for (i = 0; i < out.count; i++) {
			struct onnx_qmm_detail d;
			int32_t got;

			if (onnx_qlinearmatmul_detail(in_qmm, i, &d, err, sizeof(err))) {
				tap_diag("detail: %s", err);
				ok = false;
				break;
			}
			if (qlinear)
				got = sy->ty == ONNX_UINT8 ? ((uint8_t *)out.data)[i] :
							     ((int8_t *)out.data)[i];
			else
				got = ((int32_t *)out.data)[i];
			if (got != (qlinear ? d.engine : d.acc)) {
				if (bad++ < 3)
					tap_diag("synthetic %s on %s: element %zu = %d, expected %d",
						 node.op_type, qaccel_isa_name(ctx_isa[x]), i, got,
						 qlinear ? d.engine : d.acc);
				ok = false;
			}
		}
		onnx_tensor_release(&out);
	}
	free(a.data);
	free(b.data);
	free(azp.data);
	free(bzp.data);
	free(yzp.data);
	return ok;
}

static void test_synthetic_matmuls(void)
{
	static const struct synth cases_s[] = {
		{ 4, 3, { 2, 1, 5, 7 }, { 3, 7, 20 }, ONNX_UINT8, ONNX_INT8, ONNX_INT8, true },
		{ 3, 2, { 3, 9, 33 }, { 33, 40 }, ONNX_INT8, ONNX_UINT8, ONNX_UINT8, true },
		{ 2, 3, { 6, 70 }, { 2, 70, 17 }, ONNX_UINT8, ONNX_UINT8, ONNX_UINT8, false },
		{ 1, 2, { 19 }, { 19, 5 }, ONNX_INT8, ONNX_INT8, ONNX_INT8, true },
		{ 2, 1, { 7, 19 }, { 19 }, ONNX_UINT8, ONNX_INT8, ONNX_UINT8, false },
		{ 3, 3, { 1, 64, 300 }, { 1, 300, 48 }, ONNX_UINT8, ONNX_INT8, ONNX_INT8, true },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(cases_s) / sizeof(cases_s[0]); i++) {
		ok &= synth_one(&cases_s[i], false);
		ok &= synth_one(&cases_s[i], true);
	}
	tap_ok(ok && nctx,
	       "operators: broadcast and 1-D matmuls, per-column zero points and scales vs plain C");
}

/* ------------------------------------------------------------------------ */

static int open_contexts(void)
{
	unsigned int mask = qaccel_cpu_isa_mask(), isa, want = 0;
	char names[128] = "";
	bool ok = true;

	for (isa = QACCEL_ISA_SCALAR; isa < QACCEL_ISA_COUNT; isa++) {
		struct qaccel_open_opts o = {
			.backend = QACCEL_BACKEND_CPU,
			.isa = (enum qaccel_isa)isa,
			.flags = QACCEL_OPEN_IGNORE_ENV,
		};
		char err[128] = "";
		int ret;

		if (!(mask & (1u << isa)))
			continue;
		want++;
		o.errbuf = err;
		o.errbuf_size = sizeof(err);
		ret = qaccel_open(&ctxs[nctx], &o);
		if (ret || qaccel_ctx_backend(ctxs[nctx]) != QACCEL_BACKEND_CPU ||
		    qaccel_ctx_isa(ctxs[nctx]) != (enum qaccel_isa)isa) {
			tap_diag("qaccel_open(cpu, %s): %s %s", qaccel_isa_name((enum qaccel_isa)isa),
				 qaccel_strerror(ret), err);
			if (!ret)
				qaccel_close(ctxs[nctx]);
			ok = false;
			continue;
		}
		ctx_isa[nctx++] = (enum qaccel_isa)isa;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 nctx > 1 ? ", " : "", qaccel_isa_name((enum qaccel_isa)isa));
	}
	tap_ok(ok && nctx && nctx == want, "qaccel: CPU context on every ISA of this machine (%s)",
	       names);
	return nctx ? 0 : -ENODEV;
}

#define N_EXTRA_TESTS	14

int main(int argc, char **argv)
{
	unsigned int ci, plan = 1 + N_EXTRA_TESTS, x;
	char dir[4096];

	root = argc > 1 ? argv[1] : getenv("ONNX_NODE_DATA");
	if (!root || !*root)
		root = DEFAULT_NODE_DATA;
	for (ci = 0; ci < NCASES; ci++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, cases[ci].dir);
		sets[ci].status = scan_sets(dir, &sets[ci]);
		plan += sets[ci].status || !sets[ci].n ? 1 : sets[ci].n;
	}
	tap_plan((int)plan);
	tap_diag("libqaccel %s, ONNX node tests from %s", qaccel_version(), root);
	tap_diag("not run: the *_expanded variants of DynamicQuantizeLinear (same data, the "
		 "model is a graph of primitive operators)");

	if (open_contexts()) {
		/* without a context nothing can run: every data set fails */
		for (ci = 0; ci < plan - 1; ci++)
			tap_ok(0, "no CPU context");
		return tap_done();
	}
	for (ci = 0; ci < NCASES; ci++)
		run_case(ci);

	list_pb_files(&files);
	test_good_encodings();
	test_bad_types();
	test_bad_lengths();
	test_bad_encodings();
	test_prefixes();
	test_truncated_file();		/* 3 tests */
	test_fuzz();
	test_models();
	test_model_files();		/* 2 tests */
	test_bad_operands();
	test_synthetic_matmuls();

	for (x = 0; x < nctx; x++)
		qaccel_close(ctxs[x]);
	return tap_done();
}
