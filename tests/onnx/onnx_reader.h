/* SPDX-License-Identifier: MIT */
/*
 * onnx_reader.h - just enough ONNX to run the backend node tests: a
 * TensorProto reader (dims, data type, raw or typed data) and a ModelProto
 * reader that extracts the single node of a node test with its attributes
 * and the mapping of the node's inputs and outputs to the graph's.
 *
 * Every function validates what it reads and explains a failure in one
 * line (errbuf); nothing is trusted from the file.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_ONNX_READER_H
#define QACCEL_ONNX_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TensorProto.DataType values this reader accepts. */
enum onnx_dtype {
	ONNX_FLOAT = 1,
	ONNX_UINT8 = 2,
	ONNX_INT8 = 3,
	ONNX_INT32 = 6,
};

#define ONNX_MAX_DIMS		8
#define ONNX_MAX_FILE		(64u << 20)	/* largest .pb / .onnx file read */
#define ONNX_MAX_ELEMS		(16u << 20)	/* largest tensor accepted */
#define ONNX_ERRLEN		256

/**
 * struct onnx_tensor - a decoded tensor
 * @name: TensorProto.name (may be empty).
 * @dtype: &enum onnx_dtype.
 * @ndim: number of dimensions (0 for a scalar).
 * @dims: the extents.
 * @count: number of elements (product of @dims, 1 for a scalar).
 * @data: @count elements in host order: float, uint8_t, int8_t or int32_t
 *	per @dtype (allocated, at least one byte even when @count is 0).
 */
struct onnx_tensor {
	char name[128];
	enum onnx_dtype dtype;
	unsigned int ndim;
	size_t dims[ONNX_MAX_DIMS];
	size_t count;
	void *data;
};

/*
 * Errors of the readers (negative errno):
 *   -EBADMSG     not a well-formed protobuf message (truncated, bad wire
 *                type, length beyond the end)
 *   -EPROTO      well formed but inconsistent: no or unknown data type,
 *                dims that disagree with the amount of data, negative
 *                dims, values out of range for the type, a graph without
 *                the expected node
 *   -EOPNOTSUPP  valid ONNX this reader does not handle (other data types,
 *                external data, segments, more than ONNX_MAX_DIMS dims)
 *   -EOVERFLOW   the element count overflows or exceeds ONNX_MAX_ELEMS
 *   -EFBIG       file larger than ONNX_MAX_FILE
 *   -ENOMEM, or the errno of open()/read()
 */

const char *onnx_dtype_name(int32_t dtype);
size_t onnx_dtype_size(enum onnx_dtype dtype);

int onnx_tensor_parse(const void *buf, size_t len, struct onnx_tensor *t, char *err,
		      size_t errlen);
int onnx_tensor_load(const char *path, struct onnx_tensor *t, char *err, size_t errlen);
void onnx_tensor_release(struct onnx_tensor *t);

#define ONNX_MAX_IO		16
#define ONNX_MAX_ATTRS		16

/**
 * struct onnx_node - the single node of a node test's graph
 * @op_type: NodeProto.op_type.
 * @opset: version of the default ("" or "ai.onnx") operator set imported.
 * @n_inputs: number of node inputs, trailing omitted ones included.
 * @input_graph_idx: for each node input, the index of the graph input
 *	(input_<idx>.pb) that feeds it, or -1 for an omitted optional input.
 * @n_outputs: number of node outputs.
 * @output_graph_idx: for each node output, the graph output index
 *	(output_<idx>.pb), or -1 when it is not a graph output.
 * @n_graph_inputs: graph inputs (files input_0.pb ... expected).
 * @n_graph_outputs: graph outputs.
 * @n_attrs: attributes.
 * @attr_name: their names.
 * @attr_int: their values (integer attributes only; others are refused).
 */
struct onnx_node {
	char op_type[64];
	int64_t opset;
	unsigned int n_inputs;
	int input_graph_idx[ONNX_MAX_IO];
	unsigned int n_outputs;
	int output_graph_idx[ONNX_MAX_IO];
	unsigned int n_graph_inputs, n_graph_outputs;
	unsigned int n_attrs;
	char attr_name[ONNX_MAX_ATTRS][64];
	int64_t attr_int[ONNX_MAX_ATTRS];
};

int onnx_model_parse(const void *buf, size_t len, struct onnx_node *node, char *err,
		     size_t errlen);
int onnx_model_load(const char *path, struct onnx_node *node, char *err, size_t errlen);

/* Integer attribute @name, or @def when absent. */
int64_t onnx_node_attr(const struct onnx_node *node, const char *name, int64_t def);
bool onnx_node_has_input(const struct onnx_node *node, unsigned int i);

/* Read a whole file (at most ONNX_MAX_FILE bytes) into a malloc()ed buffer. */
int onnx_read_file(const char *path, void **buf, size_t *len, char *err, size_t errlen);

#endif /* QACCEL_ONNX_READER_H */
