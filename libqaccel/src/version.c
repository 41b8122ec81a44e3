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

/*
 * One text for every errno the library returns, its own or passed through
 * from open(), read(), mmap(), ioctl() and io_uring (tests/lib/test_core.c
 * checks that each code returned in libqaccel/src has one). Texts say what
 * the code means for a qaccel caller, not only the C library's words.
 */
static const struct {
	int err;
	const char *msg;
} qa_errors[] = {
	{ 0, "success" },
	{ EPERM, "operation not permitted" },
	{ ENOENT, "no such file, device node or kernel object" },
	{ EINTR, "interrupted by a signal" },
	{ EIO, "input/output error (the device faulted on the job)" },
	{ ENXIO, "device node has no device behind it (driver not loaded?)" },
	{ E2BIG, "too large for the backend's limits" },
	{ ENOEXEC, "not a qaccel model file (bad magic)" },
	{ EBADF, "bad file descriptor" },
	{ EAGAIN, "resource temporarily unavailable, try again (reap completed jobs first)" },
	{ ENOMEM, "out of memory" },
	{ EACCES, "permission denied (device node or read-only buffer)" },
	{ EFAULT, "bad address" },
	{ EBUSY, "object busy (jobs still use it)" },
	{ EEXIST, "already exists" },
	{ ENODEV, "no usable qaccel device" },
	{ ENOTDIR, "a path component is not a directory" },
	{ EISDIR, "is a directory, not a file" },
	{ EINVAL, "invalid argument" },
	{ ENFILE, "too many open files in the system" },
	{ EMFILE, "too many open files in this process" },
	{ ENOTTY, "not a qaccel device (the node does not know the ioctl)" },
	{ EFBIG, "file too large (larger than a model may be)" },
	{ ENOSPC, "no space left (output buffer too small, queue or device address space full)" },
	{ ERANGE, "value out of range" },
	{ EDOM, "value not representable (NaN or infinity)" },
	{ ENAMETOOLONG, "file name too long" },
	{ ENOSYS, "function not implemented (by this kernel)" },
	{ ELOOP, "too many levels of symbolic links" },
	{ ENODATA, "no data (observer has seen no values, or the file is truncated)" },
	{ ETIME, "timed out waiting for completions" },
	{ EPROTO, "protocol error (incompatible device interface, or inconsistent model contents)" },
	{ EBADMSG, "corrupt data (model file checksum does not match)" },
	{ EOVERFLOW, "value too large for the data type" },
	{ EPROTONOSUPPORT, "unsupported format version (model file newer than this library)" },
	{ EOPNOTSUPP, "operation not supported by this backend, driver or build" },
	{ ETIMEDOUT, "job timed out (engine hang)" },
	{ ECANCELED, "job cancelled before it ran" },
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
