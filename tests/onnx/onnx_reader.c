// SPDX-License-Identifier: MIT
/*
 * onnx_reader.c - TensorProto and ModelProto readers for the ONNX backend
 * node tests, on top of the protobuf-c code generated at build time from
 * the system's onnx.proto.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx.pb-c.h"
#include "onnx_reader.h"

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *const dtype_names[] = {
	[0] = "UNDEFINED", [1] = "FLOAT", [2] = "UINT8", [3] = "INT8", [4] = "UINT16",
	[5] = "INT16", [6] = "INT32", [7] = "INT64", [8] = "STRING", [9] = "BOOL",
	[10] = "FLOAT16", [11] = "DOUBLE", [12] = "UINT32", [13] = "UINT64",
	[14] = "COMPLEX64", [15] = "COMPLEX128", [16] = "BFLOAT16",
};

const char *onnx_dtype_name(int32_t dtype)
{
	if (dtype < 0 || (size_t)dtype >= sizeof(dtype_names) / sizeof(dtype_names[0]))
		return "unknown";
	return dtype_names[dtype];
}

size_t onnx_dtype_size(enum onnx_dtype dtype)
{
	switch (dtype) {
	case ONNX_FLOAT:
	case ONNX_INT32:
		return 4;
	case ONNX_UINT8:
	case ONNX_INT8:
		return 1;
	}
	return 0;
}

int onnx_read_file(const char *path, void **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	char *p;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return fail(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st)) {
		e = errno;
		close(fd);
		return fail(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, -EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > ONNX_MAX_FILE) {
		close(fd);
		return fail(err, errlen, -EFBIG, "%s: %lld bytes, more than the %u accepted",
			    path, (long long)st.st_size, ONNX_MAX_FILE);
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		close(fd);
		return fail(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, p + done, (size_t)st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : EIO;
			free(p);
			close(fd);
			return fail(err, errlen, -e, "%s: read: %s", path,
				    r < 0 ? strerror(e) : "file shrank while reading");
		}
		done += (size_t)r;
	}
	close(fd);
	*buf = p;
	*len = done;
	return 0;
}

/* "[2, 3, 4]" for messages. */
static void dims_str(const int64_t *dims, size_t n, char *s, size_t sz)
{
	size_t i, o = 0;

	o += (size_t)snprintf(s + o, sz - o, "[");
	for (i = 0; i < n && o < sz; i++)
		o += (size_t)snprintf(s + o, sz - o, "%s%" PRId64, i ? ", " : "", dims[i]);
	if (o < sz)
		snprintf(s + o, sz - o, "]");
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Decode a validated TensorProto into @t. */
static int tensor_decode(const Onnx__TensorProto *tp, struct onnx_tensor *t, char *err,
			 size_t errlen)
{
	char ds[160];
	size_t count = 1, esize, i, sources = 0;
	enum onnx_dtype dt;
	void *data;

	if (!tp->has_data_type || tp->data_type == 0)
		return fail(err, errlen, -EPROTO, "tensor has no data type");
	switch (tp->data_type) {
	case ONNX_FLOAT:
	case ONNX_UINT8:
	case ONNX_INT8:
	case ONNX_INT32:
		dt = (enum onnx_dtype)tp->data_type;
		break;
	default:
		if (tp->data_type < 0 || tp->data_type > 16)
			return fail(err, errlen, -EPROTO, "unknown data type %d",
				    (int)tp->data_type);
		return fail(err, errlen, -EOPNOTSUPP,
			    "data type %s (%d) not supported (FLOAT, UINT8, INT8, INT32 only)",
			    onnx_dtype_name(tp->data_type), (int)tp->data_type);
	}
	if (tp->segment)
		return fail(err, errlen, -EOPNOTSUPP, "segmented tensors are not supported");
	if ((tp->has_data_location &&
	     tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
	    tp->n_external_data)
		return fail(err, errlen, -EOPNOTSUPP, "external tensor data is not supported");
	if (tp->n_dims > ONNX_MAX_DIMS)
		return fail(err, errlen, -EOPNOTSUPP, "%zu dims, at most %d supported",
			    tp->n_dims, ONNX_MAX_DIMS);
	dims_str(tp->dims, tp->n_dims, ds, sizeof(ds));
	for (i = 0; i < tp->n_dims; i++) {
		if (tp->dims[i] < 0)
			return fail(err, errlen, -EPROTO, "negative dimension in dims %s", ds);
		if (tp->dims[i] > (int64_t)ONNX_MAX_ELEMS ||
		    (tp->dims[i] && count > ONNX_MAX_ELEMS / (size_t)tp->dims[i]))
			return fail(err, errlen, -EOVERFLOW,
				    "dims %s hold more than %u elements", ds, ONNX_MAX_ELEMS);
		count *= (size_t)tp->dims[i];
	}

	/* Exactly one place holds the data (or none for an empty tensor). */
	sources = (tp->has_raw_data ? 1 : 0) + (tp->n_float_data ? 1 : 0) +
		  (tp->n_int32_data ? 1 : 0) + (tp->n_int64_data ? 1 : 0) +
		  (tp->n_double_data ? 1 : 0) + (tp->n_uint64_data ? 1 : 0) +
		  (tp->n_string_data ? 1 : 0);
	if (sources > 1)
		return fail(err, errlen, -EPROTO, "tensor data given in %zu fields at once",
			    sources);
	if (tp->n_int64_data || tp->n_double_data || tp->n_uint64_data || tp->n_string_data ||
	    (tp->n_float_data && dt != ONNX_FLOAT) || (tp->n_int32_data && dt == ONNX_FLOAT))
		return fail(err, errlen, -EPROTO, "typed data field does not match data type %s",
			    onnx_dtype_name(dt));

	esize = onnx_dtype_size(dt);
	data = malloc(count * esize + 1);
	if (!data)
		return fail(err, errlen, -ENOMEM, "out of memory");

	if (tp->has_raw_data) {
		const uint8_t *raw = tp->raw_data.data;

		if (tp->raw_data.len != count * esize) {
			free(data);
			return fail(err, errlen, -EPROTO,
				    "raw_data holds %zu bytes but dims %s of %s need %zu",
				    tp->raw_data.len, ds, onnx_dtype_name(dt), count * esize);
		}
		/* raw_data is little-endian whatever the host */
		for (i = 0; i < count; i++) {
			if (esize == 4) {
				uint32_t v = le32(raw + 4 * i);

				memcpy((char *)data + 4 * i, &v, 4);
			} else {
				((uint8_t *)data)[i] = raw[i];
			}
		}
	} else if (dt == ONNX_FLOAT) {
		if (tp->n_float_data != count) {
			free(data);
			return fail(err, errlen, -EPROTO,
				    "float_data holds %zu values but dims %s need %zu",
				    tp->n_float_data, ds, count);
		}
		if (count)
			memcpy(data, tp->float_data, count * sizeof(float));
	} else {
		int32_t lo = dt == ONNX_UINT8 ? 0 : dt == ONNX_INT8 ? -128 : INT32_MIN;
		int32_t hi = dt == ONNX_UINT8 ? 255 : dt == ONNX_INT8 ? 127 : INT32_MAX;

		if (tp->n_int32_data != count) {
			free(data);
			return fail(err, errlen, -EPROTO,
				    "int32_data holds %zu values but dims %s need %zu",
				    tp->n_int32_data, ds, count);
		}
		for (i = 0; i < count; i++) {
			int32_t v = tp->int32_data[i];

			if (v < lo || v > hi) {
				free(data);
				return fail(err, errlen, -EPROTO,
					    "int32_data[%zu] = %d is out of range for %s", i,
					    (int)v, onnx_dtype_name(dt));
			}
			if (dt == ONNX_UINT8)
				((uint8_t *)data)[i] = (uint8_t)v;
			else if (dt == ONNX_INT8)
				((int8_t *)data)[i] = (int8_t)v;
			else
				((int32_t *)data)[i] = v;
		}
	}

	memset(t, 0, sizeof(*t));
	if (tp->name)
		snprintf(t->name, sizeof(t->name), "%s", tp->name);
	t->dtype = dt;
	t->ndim = (unsigned int)tp->n_dims;
	for (i = 0; i < tp->n_dims; i++)
		t->dims[i] = (size_t)tp->dims[i];
	t->count = count;
	t->data = data;
	return 0;
}

int onnx_tensor_parse(const void *buf, size_t len, struct onnx_tensor *t, char *err,
		      size_t errlen)
{
	Onnx__TensorProto *tp;
	int ret;

	if (!t || (!buf && len))
		return fail(err, errlen, -EINVAL, "invalid arguments");
	tp = onnx__tensor_proto__unpack(NULL, len, buf);
	if (!tp)
		return fail(err, errlen, -EBADMSG,
			    "not a valid TensorProto (%zu bytes): truncated or malformed protobuf",
			    len);
	ret = tensor_decode(tp, t, err, errlen);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return ret;
}

int onnx_tensor_load(const char *path, struct onnx_tensor *t, char *err, size_t errlen)
{
	char sub[ONNX_ERRLEN];
	size_t len;
	void *buf;
	int ret;

	ret = onnx_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = onnx_tensor_parse(buf, len, t, sub, sizeof(sub));
	free(buf);
	if (ret)
		return fail(err, errlen, ret, "%s: %s", path, sub);
	return 0;
}

void onnx_tensor_release(struct onnx_tensor *t)
{
	if (!t)
		return;
	free(t->data);
	t->data = NULL;
}

static bool default_domain(const char *d)
{
	return !d || !*d || !strcmp(d, "ai.onnx");
}

static int node_decode(const Onnx__ModelProto *mp, struct onnx_node *node, char *err,
		       size_t errlen)
{
	const Onnx__GraphProto *g = mp->graph;
	const Onnx__NodeProto *n;
	bool have_opset = false;
	size_t i, j;

	memset(node, 0, sizeof(*node));
	for (i = 0; i < mp->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = mp->opset_import[i];

		if (!default_domain(o->domain))
			continue;
		if (!o->has_version || o->version < 1)
			return fail(err, errlen, -EPROTO, "default operator set without a version");
		have_opset = true;
		node->opset = o->version;
	}
	if (!have_opset)
		return fail(err, errlen, -EPROTO, "model imports no default operator set");
	if (!g)
		return fail(err, errlen, -EPROTO, "model has no graph");
	if (g->n_node != 1)
		return fail(err, errlen, -EPROTO, "graph has %zu nodes, a node test has exactly 1",
			    g->n_node);
	if (g->n_initializer || g->n_sparse_initializer)
		return fail(err, errlen, -EOPNOTSUPP, "graph initializers are not supported");
	if (g->n_input > ONNX_MAX_IO || g->n_output > ONNX_MAX_IO)
		return fail(err, errlen, -EOPNOTSUPP, "graph with %zu inputs and %zu outputs",
			    g->n_input, g->n_output);
	for (i = 0; i < g->n_input; i++)
		if (!g->input[i]->name || !*g->input[i]->name)
			return fail(err, errlen, -EPROTO, "graph input %zu has no name", i);
	for (i = 0; i < g->n_output; i++)
		if (!g->output[i]->name || !*g->output[i]->name)
			return fail(err, errlen, -EPROTO, "graph output %zu has no name", i);

	n = g->node[0];
	if (!n->op_type || !*n->op_type)
		return fail(err, errlen, -EPROTO, "node has no op_type");
	if (!default_domain(n->domain))
		return fail(err, errlen, -EOPNOTSUPP, "node of domain '%s'", n->domain);
	if (strlen(n->op_type) >= sizeof(node->op_type))
		return fail(err, errlen, -EPROTO, "op_type too long");
	strcpy(node->op_type, n->op_type);
	if (n->n_input > ONNX_MAX_IO || n->n_output > ONNX_MAX_IO)
		return fail(err, errlen, -EOPNOTSUPP, "node with %zu inputs and %zu outputs",
			    n->n_input, n->n_output);
	node->n_inputs = (unsigned int)n->n_input;
	node->n_outputs = (unsigned int)n->n_output;
	node->n_graph_inputs = (unsigned int)g->n_input;
	node->n_graph_outputs = (unsigned int)g->n_output;

	for (i = 0; i < n->n_input; i++) {
		node->input_graph_idx[i] = -1;
		if (!n->input[i] || !*n->input[i])
			continue;	/* omitted optional input */
		for (j = 0; j < g->n_input; j++)
			if (!strcmp(g->input[j]->name, n->input[i]))
				node->input_graph_idx[i] = (int)j;
		if (node->input_graph_idx[i] < 0)
			return fail(err, errlen, -EPROTO, "node input '%s' is not a graph input",
				    n->input[i]);
	}
	for (i = 0; i < n->n_output; i++) {
		node->output_graph_idx[i] = -1;
		if (!n->output[i] || !*n->output[i])
			continue;
		for (j = 0; j < g->n_output; j++)
			if (!strcmp(g->output[j]->name, n->output[i]))
				node->output_graph_idx[i] = (int)j;
	}
	for (j = 0; j < g->n_output; j++) {
		bool produced = false;

		for (i = 0; i < n->n_output; i++)
			if (node->output_graph_idx[i] == (int)j)
				produced = true;
		if (!produced)
			return fail(err, errlen, -EPROTO,
				    "graph output '%s' is not produced by the node",
				    g->output[j]->name);
	}

	if (n->n_attribute > ONNX_MAX_ATTRS)
		return fail(err, errlen, -EOPNOTSUPP, "node with %zu attributes",
			    n->n_attribute);
	for (i = 0; i < n->n_attribute; i++) {
		const Onnx__AttributeProto *a = n->attribute[i];

		if (!a->name || !*a->name || strlen(a->name) >= sizeof(node->attr_name[0]))
			return fail(err, errlen, -EPROTO, "attribute %zu has no usable name", i);
		if (a->ref_attr_name && *a->ref_attr_name)
			return fail(err, errlen, -EOPNOTSUPP,
				    "attribute '%s' refers to a function attribute", a->name);
		if (!a->has_type || a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT ||
		    !a->has_i)
			return fail(err, errlen, -EOPNOTSUPP,
				    "attribute '%s' is not an integer (only integer attributes are handled)",
				    a->name);
		for (j = 0; j < i; j++)
			if (!strcmp(node->attr_name[j], a->name))
				return fail(err, errlen, -EPROTO, "attribute '%s' given twice",
					    a->name);
		strcpy(node->attr_name[i], a->name);
		node->attr_int[i] = a->i;
	}
	node->n_attrs = (unsigned int)n->n_attribute;
	return 0;
}

int onnx_model_parse(const void *buf, size_t len, struct onnx_node *node, char *err,
		     size_t errlen)
{
	Onnx__ModelProto *mp;
	struct onnx_node tmp;
	int ret;

	if (!node || (!buf && len))
		return fail(err, errlen, -EINVAL, "invalid arguments");
	mp = onnx__model_proto__unpack(NULL, len, buf);
	if (!mp)
		return fail(err, errlen, -EBADMSG,
			    "not a valid ModelProto (%zu bytes): truncated or malformed protobuf",
			    len);
	ret = node_decode(mp, &tmp, err, errlen);
	onnx__model_proto__free_unpacked(mp, NULL);
	if (!ret)
		*node = tmp;
	return ret;
}

int onnx_model_load(const char *path, struct onnx_node *node, char *err, size_t errlen)
{
	char sub[ONNX_ERRLEN];
	size_t len;
	void *buf;
	int ret;

	ret = onnx_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = onnx_model_parse(buf, len, node, sub, sizeof(sub));
	free(buf);
	if (ret)
		return fail(err, errlen, ret, "%s: %s", path, sub);
	return 0;
}

int64_t onnx_node_attr(const struct onnx_node *node, const char *name, int64_t def)
{
	unsigned int i;

	for (i = 0; i < node->n_attrs; i++)
		if (!strcmp(node->attr_name[i], name))
			return node->attr_int[i];
	return def;
}

bool onnx_node_has_input(const struct onnx_node *node, unsigned int i)
{
	return i < node->n_inputs && node->input_graph_idx[i] >= 0;
}
