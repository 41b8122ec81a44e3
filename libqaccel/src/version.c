// SPDX-License-Identifier: MIT
/*
 * Version query and error strings.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <limits.h>

#include "internal.h"

#define QA_STR2(x) #x
#define QA_STR(x) QA_STR2(x)

QACCEL_API const char *qaccel_version(void)
{
	return QA_STR(QACCEL_VERSION_MAJOR) "." QA_STR(QACCEL_VERSION_MINOR)
		"." QA_STR(QACCEL_VERSION_PATCH);
}

QACCEL_API unsigned int qaccel_version_code(void)
{
	return QACCEL_VERSION_MAJOR << 16 | QACCEL_VERSION_MINOR << 8 |
	       QACCEL_VERSION_PATCH;
}

static const struct {
	int err;
	const char *msg;
} qa_errors[] = {
	{ 0, "success" },
	{ EPERM, "operation not permitted" },
	{ ENOENT, "no such file or device node" },
	{ EINTR, "interrupted" },
	{ EIO, "input/output error (the job faulted)" },
	{ E2BIG, "too large for the backend's limits" },
	{ EBADF, "bad file descriptor" },
	{ EAGAIN, "resource temporarily unavailable, try again" },
	{ ENOMEM, "out of memory" },
	{ EACCES, "permission denied" },
	{ EFAULT, "bad address" },
	{ EBUSY, "object busy (jobs still use it)" },
	{ EEXIST, "already exists" },
	{ ENODEV, "no usable qaccel device" },
	{ EINVAL, "invalid argument" },
	{ ENOSPC, "no space left (queue full)" },
	{ ERANGE, "value out of range" },
	{ EDOM, "value not representable (NaN or infinity)" },
	{ ENOSYS, "function not implemented" },
	{ ENODATA, "no data (observer has seen no values)" },
	{ ETIME, "timed out waiting" },
	{ EPROTO, "device speaks an incompatible interface version" },
	{ EOVERFLOW, "value too large for the data type" },
	{ EOPNOTSUPP, "operation not supported by this backend or build" },
	{ ETIMEDOUT, "job timed out (engine hang)" },
	{ ECANCELED, "job cancelled" },
};

QACCEL_API const char *qaccel_strerror(int err)
{
	size_t i;

	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;
	for (i = 0; i < QA_ARRAY_SIZE(qa_errors); i++)
		if (qa_errors[i].err == err)
			return qa_errors[i].msg;
	return "unknown error";
}
