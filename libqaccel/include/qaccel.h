/* SPDX-License-Identifier: MIT */
/*
 * qaccel.h - public interface of libqaccel, the userspace library of the
 * qaccel int8 accelerator stack.
 *
 * Copyright (c) 2026 The qaccel authors
 *
 * Conventions
 * -----------
 * - Every function that can fail returns 0 (or a non-negative count where
 *   stated) on success and a negative errno value on failure. Invalid
 *   arguments (NULL pointers, out-of-range values, non-zero reserved fields)
 *   fail with -EINVAL and leave every object and output untouched.
 * - Handles are opaque; they are created by a qaccel_*_open/create/alloc
 *   function and released by the matching close/destroy/free function, which
 *   accepts NULL.
 * - Thread safety is stated for each object below. Functions that take no
 *   object are thread safe.
 * - The only process-wide state is the cache of the CPU feature detection,
 *   filled once (thread safe) on first use.
 *
 * Environment variables (read when a context is opened, see qaccel_open()):
 *   QACCEL_BACKEND   auto | cpu | device    which backend runs the jobs
 *   QACCEL_DEVICE    /dev/accel/accelN or /dev/dri/renderDN: use this device
 *   QACCEL_SUBMIT    auto | uring | ioctl   how a device context submits
 *                    jobs (see &enum qaccel_submit_mode)
 *   QACCEL_THREADS   number of CPU backend worker threads (1..QACCEL_MAX_THREADS)
 *   QACCEL_CPU_ISA   scalar | avx2 | avx-vnni | avx512-vnni | neon-dotprod |
 *                    amx-int8: force the CPU backend's SIMD path (for tests
 *                    and benchmarks); an ISA the machine lacks is an error
 */
#ifndef QACCEL_H
#define QACCEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(QACCEL_BUILDING_LIBRARY)
#define QACCEL_API __attribute__((visibility("default")))
#else
#define QACCEL_API
#endif

/* ------------------------------------------------------------------------
 * Version and errors
 */

#define QACCEL_VERSION_MAJOR	1
#define QACCEL_VERSION_MINOR	0
#define QACCEL_VERSION_PATCH	0

/**
 * qaccel_version() - version of the library actually loaded
 *
 * Return: a static string "MAJOR.MINOR.PATCH".
 */
QACCEL_API const char *qaccel_version(void);

/**
 * qaccel_version_code() - numeric version: MAJOR << 16 | MINOR << 8 | PATCH
 */
QACCEL_API unsigned int qaccel_version_code(void);

/**
 * qaccel_strerror() - describe an error returned by this library
 * @err: a return value (negative errno) or a positive errno
 *
 * Return: a static string, never NULL; thread safe (unlike strerror()).
 */
QACCEL_API const char *qaccel_strerror(int err);

/* ------------------------------------------------------------------------
 * Backends and devices
 */

/**
 * enum qaccel_backend_kind - what executes a context's jobs
 * @QACCEL_BACKEND_AUTO: (only in &struct qaccel_open_opts) the first usable
 *	qaccel kernel device, otherwise the CPU backend.
 * @QACCEL_BACKEND_CPU: the in-process CPU backend (SIMD, bit-exact with the
 *	QA1 engine).
 * @QACCEL_BACKEND_DEVICE: a qaccel kernel device (QA1 hardware or the
 *	driver's emulated QA1).
 */
enum qaccel_backend_kind {
	QACCEL_BACKEND_AUTO = 0,
	QACCEL_BACKEND_CPU = 1,
	QACCEL_BACKEND_DEVICE = 2,
};

/**
 * enum qaccel_submit_mode - how a device context hands its jobs to the kernel
 * @QACCEL_SUBMIT_AUTO: (as a request) io_uring when the driver accepts the
 *	qaccel io_uring command, otherwise the SUBMIT ioctl. qaccel_ctx_submit_mode()
 *	answers it for CPU contexts, where no submission mode applies.
 * @QACCEL_SUBMIT_URING: one IORING_OP_URING_CMD entry per job on a ring of
 *	the context, many entries per io_uring_enter(); a job's completion is
 *	its completion queue entry, posted when the job has run.
 * @QACCEL_SUBMIT_IOCTL: DRM_IOCTL_QACCEL_SUBMIT, one kernel submission per
 *	batch (split at the driver's jobs-per-submission limit), completions
 *	and status through DRM_IOCTL_QACCEL_JOB_WAIT.
 *
 * Results are identical in every mode; only the cost per job differs.
 */
enum qaccel_submit_mode {
	QACCEL_SUBMIT_AUTO = 0,
	QACCEL_SUBMIT_URING = 1,
	QACCEL_SUBMIT_IOCTL = 2,
};

/**
 * qaccel_submit_mode_name() - "auto", "uring" or "ioctl"; NULL otherwise
 */
QACCEL_API const char *qaccel_submit_mode_name(enum qaccel_submit_mode mode);

/**
 * enum qaccel_isa - SIMD code path of the CPU backend
 * @QACCEL_ISA_AUTO: (only as a request) the best one the machine supports.
 * @QACCEL_ISA_SCALAR: portable C.
 * @QACCEL_ISA_AVX2: x86 AVX2, exact 16-bit widening products (VPMADDWD).
 * @QACCEL_ISA_AVX_VNNI: x86 AVX-VNNI (VEX-encoded VPDPBUSD on 256 bits).
 * @QACCEL_ISA_AVX512_VNNI: x86 AVX-512 F/BW/VL + VNNI (VPDPBUSD on 512 bits).
 * @QACCEL_ISA_NEON_DOTPROD: AArch64 Advanced SIMD with SDOT/UDOT.
 * @QACCEL_ISA_AMX_INT8: x86-64 Intel AMX-INT8 tiles (TDPBUSD/TDPBSSD) with
 *	the AVX-512 output stage; rows beyond a multiple of 16 use AVX-512.
 *
 * Quantization routines use the widest vector unit of the same family
 * (AVX-512 or AVX2 on x86, NEON on AArch64); every path gives identical
 * results.
 *
 * AMX needs a per-process permission on Linux: when the CPU has AMX-INT8,
 * the library's ISA detection (the first call that needs it, such as
 * qaccel_open() or qaccel_cpu_isa_mask()) asks the kernel for the tile
 * data state of the whole process (arch_prctl(ARCH_REQ_XCOMP_PERM,
 * XFEATURE_XTILEDATA)), which makes every thread's signal frames and
 * context switches larger once it uses AMX. If the kernel refuses,
 * %QACCEL_ISA_AMX_INT8 is simply not available. The request is made
 * whatever ISA is later chosen (QACCEL_CPU_ISA=avx512-vnni or lower only
 * keeps the library from using the tiles).
 */
enum qaccel_isa {
	QACCEL_ISA_AUTO = 0,
	QACCEL_ISA_SCALAR = 1,
	QACCEL_ISA_AVX2 = 2,
	QACCEL_ISA_AVX_VNNI = 3,
	QACCEL_ISA_AVX512_VNNI = 4,
	QACCEL_ISA_NEON_DOTPROD = 5,
	QACCEL_ISA_AMX_INT8 = 6,
	QACCEL_ISA_COUNT
};

/**
 * qaccel_isa_name() - short name of an ISA ("scalar", "avx2", "avx-vnni",
 * "avx512-vnni", "neon-dotprod", "amx-int8"; "auto" for %QACCEL_ISA_AUTO)
 *
 * Return: a static string, or NULL for a value outside the enum.
 */
QACCEL_API const char *qaccel_isa_name(enum qaccel_isa isa);

/**
 * qaccel_isa_from_name() - parse an ISA name as printed by qaccel_isa_name()
 * @name: the name
 * @isa: out
 *
 * Return: 0, or -EINVAL for NULL arguments or an unknown name.
 */
QACCEL_API int qaccel_isa_from_name(const char *name, enum qaccel_isa *isa);

/**
 * qaccel_cpu_isa_mask() - the ISAs the CPU backend can use on this machine
 *
 * Return: bit (1u << isa) is set for every &enum qaccel_isa value that is
 * both compiled into this build and supported by the CPU and the kernel
 * (XSAVE state enabled). %QACCEL_ISA_SCALAR is always set.
 */
QACCEL_API unsigned int qaccel_cpu_isa_mask(void);

/**
 * qaccel_cpu_isa_best() - the ISA %QACCEL_ISA_AUTO selects on this machine
 */
QACCEL_API enum qaccel_isa qaccel_cpu_isa_best(void);

/* QA1 capability bits (same values as the uapi's DRM_QACCEL_CAP_*). */
#define QACCEL_CAP_A_U8		(1u << 0)
#define QACCEL_CAP_A_S8		(1u << 1)
#define QACCEL_CAP_OUT_S8	(1u << 2)
#define QACCEL_CAP_OUT_U8	(1u << 3)
#define QACCEL_CAP_OUT_S32	(1u << 4)
#define QACCEL_CAP_MMU		(1u << 5)
#define QACCEL_CAP_PROGRESS	(1u << 6)
#define QACCEL_CAP_FAULT_INJECT	(1u << 7)

/* Largest thread count of the CPU backend. */
#define QACCEL_MAX_THREADS	256

/**
 * struct qaccel_backend_info - one backend as listed by qaccel_list_backends()
 * @kind: %QACCEL_BACKEND_CPU or %QACCEL_BACKEND_DEVICE.
 * @status: 0 when the backend can be opened, otherwise the negative errno
 *	that opening it would fail with (e.g. -EACCES for a device node
 *	without permission).
 * @name: "cpu", or the device's DRM driver name ("qaccel").
 * @path: device node ("/dev/accel/accel0", "/dev/dri/renderD128"); empty
 *	for the CPU backend.
 * @description: CPU: the ISA list; device: the driver's description.
 * @isa: CPU backend: the ISA it will use (best available, or forced with
 *	QACCEL_CPU_ISA when that is valid); device: %QACCEL_ISA_AUTO.
 * @isa_mask: CPU backend: qaccel_cpu_isa_mask(); device: 0.
 * @threads: CPU backend: default worker threads (QACCEL_THREADS, else the
 *	build default, else the online CPUs); device: 0.
 * @drv_major: device: DRM driver version major.
 * @drv_minor: device: DRM driver version minor.
 * @drv_patch: device: DRM driver version patch level.
 * @uapi_version: device: DRM_QACCEL_PARAM_UAPI_VERSION; CPU: the uapi
 *	version the library was built against.
 * @device_id: device: engine identification register; CPU: 0.
 * @hw_version: device: engine version register; CPU: 0.
 * @caps: QACCEL_CAP_* bits (the CPU backend has every data type bit).
 * @max_m: largest M of one GEMM.
 * @max_n: largest N of one GEMM.
 * @max_k: largest K of one GEMM.
 * @emulated: device: 1 when the driver emulates the engine in software.
 * @va_bits: device: device virtual address width.
 * @page_size: device: MMU page size.
 * @ring_entries: device: command ring entries.
 * @max_jobs: device: largest jobs per submission.
 * @max_queues: device: largest number of queues per file.
 * @va_start: device: lowest device VA handed out.
 * @va_end: device: end of the device VA range.
 * @max_bo_size: largest buffer; CPU: 0 (limited by memory only).
 * @submit_modes: device: bit (1u << mode) for each &enum qaccel_submit_mode
 *	the device accepts (%QACCEL_SUBMIT_IOCTL always when @status is 0,
 *	%QACCEL_SUBMIT_URING when the io_uring command works; a context
 *	opened with the ioctl requested does not probe io_uring); CPU: 0.
 * @submit_mode: device: the mode of the context (qaccel_ctx_info()), or
 *	the mode %QACCEL_SUBMIT_AUTO would choose (qaccel_list_backends());
 *	CPU: %QACCEL_SUBMIT_AUTO.
 * @reserved: zero.
 *
 * Parameters a device does not answer are reported as 0.
 */
struct qaccel_backend_info {
	enum qaccel_backend_kind kind;
	int status;
	char name[32];
	char path[64];
	char description[96];
	enum qaccel_isa isa;
	uint32_t isa_mask;
	uint32_t threads;
	uint32_t drv_major, drv_minor, drv_patch;
	uint32_t uapi_version;
	uint32_t device_id;
	uint32_t hw_version;
	uint32_t caps;
	uint32_t max_m, max_n, max_k;
	uint32_t emulated;
	uint32_t va_bits;
	uint32_t page_size;
	uint32_t ring_entries;
	uint32_t max_jobs;
	uint32_t max_queues;
	uint64_t va_start, va_end;
	uint64_t max_bo_size;
	uint32_t submit_modes;
	enum qaccel_submit_mode submit_mode;
	uint32_t reserved[14];
};

/**
 * qaccel_list_backends() - list the backends this build and machine offer
 * @infos: array of @max entries to fill, may be NULL when @max is 0
 * @max: entries available at @infos
 * @count: out, how many backends exist (may exceed @max; only the first
 *	@max are written)
 *
 * The CPU backend is always entry 0. Then every qaccel kernel device: the
 * accel nodes (/dev/accel/accel*) and the DRM render nodes whose driver is
 * "qaccel", in node order. Devices are opened briefly to read their
 * parameters and to probe their submission modes (which runs one 1 x 1 x 1
 * job through io_uring); a device that cannot be opened is listed with a
 * non-zero @status when it can be identified through sysfs, a driver
 * without the job ioctls with -EOPNOTSUPP. Environment variables
 * are not consulted except QACCEL_THREADS and QACCEL_CPU_ISA for the CPU
 * entry's @threads and @isa (ignored here when invalid).
 *
 * Return: 0, or -EINVAL (NULL @count, or NULL @infos with @max > 0).
 */
QACCEL_API int qaccel_list_backends(struct qaccel_backend_info *infos,
				    unsigned int max, unsigned int *count);

/**
 * qaccel_backend_kind_name() - "auto", "cpu" or "device"; NULL otherwise
 */
QACCEL_API const char *qaccel_backend_kind_name(enum qaccel_backend_kind kind);

/* ------------------------------------------------------------------------
 * Contexts
 */

/**
 * struct qaccel_ctx - a backend opened for use (opaque)
 *
 * Thread safety: the query functions (qaccel_ctx_*) may be called from any
 * thread concurrently. qaccel_close() must not race with any other use.
 */
struct qaccel_ctx;

/* &qaccel_open_opts.flags: do not read the QACCEL_* environment variables. */
#define QACCEL_OPEN_IGNORE_ENV	(1u << 0)
#define QACCEL_OPEN_FLAGS	QACCEL_OPEN_IGNORE_ENV

/**
 * struct qaccel_open_opts - how to open a context; zero-initialise it
 * @backend: %QACCEL_BACKEND_AUTO (default), %QACCEL_BACKEND_CPU or
 *	%QACCEL_BACKEND_DEVICE.
 * @device: device node to use, or NULL for the first usable one. Implies
 *	the device backend when @backend is AUTO.
 * @threads: CPU backend worker threads, 0 for the default.
 * @isa: CPU backend ISA, %QACCEL_ISA_AUTO for the best one.
 * @flags: QACCEL_OPEN_* bits.
 * @errbuf: optional buffer that receives a one-line explanation when
 *	qaccel_open() fails (NUL-terminated, truncated to @errbuf_size).
 * @errbuf_size: size of @errbuf.
 * @submit: device contexts: &enum qaccel_submit_mode, %QACCEL_SUBMIT_AUTO
 *	for io_uring when the driver supports it, else the ioctl. Ignored by
 *	CPU contexts.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * A field left at its default is taken from the environment (unless
 * %QACCEL_OPEN_IGNORE_ENV): @backend from QACCEL_BACKEND, @device from
 * QACCEL_DEVICE, @threads from QACCEL_THREADS, @isa from QACCEL_CPU_ISA,
 * @submit from QACCEL_SUBMIT. A field set explicitly wins over the
 * environment.
 */
struct qaccel_open_opts {
	enum qaccel_backend_kind backend;
	const char *device;
	unsigned int threads;
	enum qaccel_isa isa;
	unsigned int flags;
	char *errbuf;
	size_t errbuf_size;
	enum qaccel_submit_mode submit;
	uint32_t pad;
	uint64_t reserved[7];
};

/**
 * qaccel_open() - open a context on a backend
 * @ctx: out, the new context; set only on success (NULL on failure)
 * @opts: options, or NULL for the defaults (environment, then auto)
 *
 * Backend choice, never silently falling back:
 *  - device requested (QACCEL_BACKEND=device, @opts->backend, or a device
 *    path given by @opts->device or QACCEL_DEVICE): that device, or the
 *    first usable qaccel device. Failure is an error: -ENOENT (no such
 *    node), -EACCES/-EPERM (no permission), -ENODEV (no qaccel device, not a
 *    qaccel device, or the build has no device backend), -EPROTO (the
 *    device speaks an incompatible uapi), -EOPNOTSUPP (the driver lacks the
 *    buffer and job ioctls, or io_uring submission was requested and the
 *    driver, the kernel or the process cannot use it).
 *  - CPU requested: the CPU backend.
 *  - auto: the first usable qaccel device if there is one, otherwise the
 *    CPU backend; qaccel_ctx_reason() says what was found and why. An
 *    explicit io_uring request still fails when the device chosen cannot
 *    use it: it never turns into the ioctl or the CPU backend.
 *
 * The submission mode of a device context (@submit, QACCEL_SUBMIT) is
 * settled here: the io_uring command is probed once (a command with an
 * invalid field must come back as -EINVAL, then one 1 x 1 x 1 job must
 * complete with the right result); qaccel_ctx_submit_mode() tells the
 * outcome and qaccel_ctx_reason() why.
 *
 * Invalid values (unknown backend or submission mode, bad QACCEL_BACKEND/
 * QACCEL_SUBMIT/QACCEL_THREADS/QACCEL_CPU_ISA strings, threads >
 * %QACCEL_MAX_THREADS, unknown flags, non-zero pad or reserved fields) fail
 * with -EINVAL; an ISA the machine or the build does not support fails with
 * -EOPNOTSUPP.
 *
 * Return: 0 or a negative errno.
 */
QACCEL_API int qaccel_open(struct qaccel_ctx **ctx,
			   const struct qaccel_open_opts *opts);

/**
 * qaccel_close() - release a context (NULL is ignored)
 *
 * Waits for the context's outstanding jobs, stops its worker threads and
 * closes its device.
 */
QACCEL_API void qaccel_close(struct qaccel_ctx *ctx);

/**
 * qaccel_ctx_backend() - which backend runs this context's jobs
 *
 * Return: %QACCEL_BACKEND_CPU or %QACCEL_BACKEND_DEVICE (AUTO for NULL).
 */
QACCEL_API enum qaccel_backend_kind qaccel_ctx_backend(const struct qaccel_ctx *ctx);

/**
 * qaccel_ctx_info() - describe the context's backend
 * @ctx: the context
 * @info: out; for the CPU backend @isa and @threads are the context's own
 *
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_ctx_info(const struct qaccel_ctx *ctx,
			       struct qaccel_backend_info *info);

/**
 * qaccel_ctx_reason() - one line saying why this backend was chosen
 *
 * Return: a string owned by the context (valid until qaccel_close()), or
 * NULL for a NULL context.
 */
QACCEL_API const char *qaccel_ctx_reason(const struct qaccel_ctx *ctx);

/**
 * qaccel_ctx_isa() - the ISA the CPU backend of this context uses
 *
 * Return: the ISA; %QACCEL_ISA_AUTO for device contexts and NULL.
 */
QACCEL_API enum qaccel_isa qaccel_ctx_isa(const struct qaccel_ctx *ctx);

/**
 * qaccel_ctx_threads() - worker threads of the CPU backend of this context
 *
 * Return: the count (>= 1); 0 for device contexts and NULL.
 */
QACCEL_API unsigned int qaccel_ctx_threads(const struct qaccel_ctx *ctx);

/**
 * qaccel_ctx_submit_mode() - how this device context submits its jobs
 *
 * Return: %QACCEL_SUBMIT_URING or %QACCEL_SUBMIT_IOCTL for device contexts;
 * %QACCEL_SUBMIT_AUTO for CPU contexts and NULL.
 */
QACCEL_API enum qaccel_submit_mode qaccel_ctx_submit_mode(const struct qaccel_ctx *ctx);

/* ------------------------------------------------------------------------
 * Data types and requantization parameters
 */

/**
 * enum qaccel_dtype - element types
 * @QACCEL_DTYPE_U8: unsigned 8-bit integer.
 * @QACCEL_DTYPE_S8: signed 8-bit integer.
 * @QACCEL_DTYPE_S32: signed 32-bit integer (raw accumulators, bias).
 * @QACCEL_DTYPE_F32: IEEE-754 single precision.
 */
enum qaccel_dtype {
	QACCEL_DTYPE_U8 = 1,
	QACCEL_DTYPE_S8 = 2,
	QACCEL_DTYPE_S32 = 3,
	QACCEL_DTYPE_F32 = 4,
};

/**
 * qaccel_requant_params() - turn a real multiplier into the QA1 form
 * @multiplier: the real factor, for a GEMM output channel usually
 *	a_scale * w_scale / out_scale; finite and >= 0
 * @mult: out, Q31 multiplier in [2^30, 2^31 - 1], or 0
 * @shift: out, power of two in [-31, 30] (> 0 multiplies)
 *
 * Finds mult * 2^(shift - 31) == @multiplier as closely as Q31 allows
 * (mult = round(frac * 2^31) with frac in [0.5, 1), ties away from zero).
 * Edge cases: 0 and multipliers below 2^-32 (where even the largest
 * accumulator would round to zero) give mult = 0, shift = 0; a fraction
 * that rounds up to 2^31 becomes 2^30 with shift + 1; multipliers >= 1
 * use positive shifts; multipliers >= 2^30 cannot be represented.
 *
 * Return: 0; -EINVAL for NULL pointers, negative, NaN or infinite input;
 * -ERANGE when @multiplier >= 2^30. Outputs are untouched on error.
 */
QACCEL_API int qaccel_requant_params(double multiplier, int32_t *mult, int32_t *shift);

/**
 * qaccel_requant_apply() - the QA1 output stage on one value (reference)
 *
 * Return: clamp(out_zp + MBQM(acc, mult, shift), act_min, act_max), bit
 * for bit what the engine computes.
 */
QACCEL_API int32_t qaccel_requant_apply(int32_t acc, int32_t mult, int32_t shift,
					int32_t out_zp, int32_t act_min, int32_t act_max);

/* ------------------------------------------------------------------------
 * Quantization (ONNX QuantizeLinear / DequantizeLinear semantics)
 *
 * q = saturate(round_half_to_even(x / scale) + zero_point)
 * x = (q - zero_point) * scale
 *
 * The division is an IEEE single-precision division (not a multiplication
 * by the reciprocal), so results match ONNX bit for bit. NaN quantizes to
 * the zero point; infinities saturate. Every code path (scalar, AVX2,
 * AVX-512, NEON) gives identical output.
 *
 * Per-channel quantization: a tensor is seen as [outer][channels][inner]
 * with one (scale, zero point) per channel; qaccel_axis_split() computes
 * the three extents from a shape and an axis. Per-tensor is channels == 1.
 *
 * The ctx argument of the conversion functions may be NULL (the best ISA of
 * the machine); with a context, its ISA choice applies (QACCEL_CPU_ISA,
 * &qaccel_open_opts.isa): amx-int8 and avx512-vnni use AVX-512, avx-vnni
 * and avx2 use AVX2, neon-dotprod uses NEON, scalar uses portable C. The
 * context is only read, so any number of threads may convert concurrently.
 */

/* qaccel_qparams_from_range() flags. */
#define QACCEL_QPARAMS_SYMMETRIC	(1u << 0)	/* zero point 0 (s8) / 128 (u8) */
#define QACCEL_QPARAMS_NARROW		(1u << 1)	/* symmetric over [-127, 127] */
#define QACCEL_QPARAMS_FLAGS		(QACCEL_QPARAMS_SYMMETRIC | QACCEL_QPARAMS_NARROW)

/* Smallest scale qaccel_qparams_from_range() returns (FLT_EPSILON). */
#define QACCEL_MIN_SCALE		1.1920928955078125e-07f

/**
 * qaccel_qparams_from_range() - scale and zero point covering [min, max]
 * @min: smallest value to represent (finite)
 * @max: largest value to represent (finite, >= @min)
 * @type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8
 * @flags: QACCEL_QPARAMS_* bits
 * @scale: out
 * @zero_point: out
 *
 * The range is first widened to include 0, so that 0.0 is always exactly
 * representable. Asymmetric (default): scale = (max - min) / (qmax - qmin),
 * zero_point = clamp(qmin - round_half_even(min / scale), qmin, qmax).
 * Symmetric: amax = max(-min, max); scale = amax / ((qmax - qmin) / 2)
 * (127.5 for 8 bits), zero point 0 for s8 and 128 for u8. Narrow (implies
 * symmetric): scale = amax / 127, for weights whose code -128 stays unused.
 * The scale is computed in single precision and never below
 * %QACCEL_MIN_SCALE (so a zero range gives scale = QACCEL_MIN_SCALE).
 *
 * Return: 0, or -EINVAL (NULL outputs, NaN/infinite bounds, min > max,
 * bad type or flags).
 */
QACCEL_API int qaccel_qparams_from_range(float min, float max, enum qaccel_dtype type,
					 unsigned int flags, float *scale,
					 int32_t *zero_point);

/**
 * qaccel_axis_split() - view a shape as [outer][channels][inner]
 * @dims: extents, @ndim of them (each >= 1)
 * @ndim: 1 to 16
 * @axis: channel axis, -ndim to ndim - 1 (negative counts from the end,
 *	as in ONNX)
 * @outer: out, product of the extents before @axis
 * @channels: out, dims[axis]
 * @inner: out, product of the extents after @axis
 *
 * Return: 0, or -EINVAL (bad arguments) / -EOVERFLOW (product overflows).
 */
QACCEL_API int qaccel_axis_split(const size_t *dims, unsigned int ndim, int axis,
				 size_t *outer, size_t *channels, size_t *inner);

/**
 * qaccel_quantize() - float32 to u8/s8
 * @ctx: context whose ISA choice applies, or NULL
 * @x: input, outer * channels * inner floats
 * @y: output, the same number of bytes (uint8_t or int8_t per @type)
 * @outer: see qaccel_axis_split()
 * @channels: number of (scale, zero point) pairs
 * @inner: see qaccel_axis_split()
 * @scales: @channels positive finite scales
 * @zero_points: @channels zero points within @type, or NULL for all 0
 * @type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8
 *
 * Return: 0, or -EINVAL (NULL pointers, zero extents, non-positive or
 * non-finite scale, zero point out of range, bad type), -EOVERFLOW (size).
 * Nothing is written on error.
 */
QACCEL_API int qaccel_quantize(const struct qaccel_ctx *ctx, const float *x, void *y,
			       size_t outer, size_t channels, size_t inner,
			       const float *scales, const int32_t *zero_points,
			       enum qaccel_dtype type);

/**
 * qaccel_dequantize() - u8/s8 to float32: y = (x - zero_point) * scale
 *
 * Arguments and errors as qaccel_quantize(), with @x the integers and @y
 * the floats.
 */
QACCEL_API int qaccel_dequantize(const struct qaccel_ctx *ctx, const void *x, float *y,
				 size_t outer, size_t channels, size_t inner,
				 const float *scales, const int32_t *zero_points,
				 enum qaccel_dtype type);

/**
 * qaccel_dynamic_quantize() - ONNX DynamicQuantizeLinear
 * @ctx: context whose ISA choice applies, or NULL
 * @x: @count floats
 * @count: number of elements, >= 1
 * @y: out, @count bytes
 * @type: %QACCEL_DTYPE_U8 (the ONNX operator) or %QACCEL_DTYPE_S8 (same
 *	formulas with qmin = -128, qmax = 127)
 * @scale: out, y_scale
 * @zero_point: out, y_zero_point
 *
 * lo = min(0, min(x)), hi = max(0, max(x)); scale = (hi - lo) / 255 (or
 * 1.0 when hi == lo, as ONNX Runtime does); zero_point =
 * round_half_even(clamp(qmin - lo / scale, qmin, qmax)); then
 * qaccel_quantize() with those parameters. All in single precision.
 *
 * Return: 0, -EINVAL (bad arguments), or -EDOM when @x holds NaN or an
 * infinity (nothing is written then).
 */
QACCEL_API int qaccel_dynamic_quantize(const struct qaccel_ctx *ctx, const float *x,
				       size_t count, void *y, enum qaccel_dtype type,
				       float *scale, int32_t *zero_point);

/* ------------------------------------------------------------------------
 * Calibration observers
 *
 * An observer sees the activations of one tensor over any number of
 * batches and proposes the range to quantize it with. Memory is fixed at
 * creation (a histogram of &qaccel_observer_opts.bins counters at most),
 * whatever the number of batches; the result is a deterministic function of
 * the sequence of batches. NaN and infinities are rejected (-EDOM) and the
 * batch is then ignored entirely.
 *
 * Algorithms (the defaults in brackets):
 *  - %QACCEL_OBSERVER_MINMAX: the smallest and largest value seen.
 *  - %QACCEL_OBSERVER_MOVING_MINMAX: per batch, min += c * (batch_min - min)
 *    and the same for max (the first batch initialises), c =
 *    averaging_constant [0.01], as PyTorch's MovingAverageMinMaxObserver.
 *  - %QACCEL_OBSERVER_PERCENTILE: from a histogram of the values, the range
 *    between the (100 - p) and p percentiles, p = percentile [99.99],
 *    interpolated linearly inside a bin.
 *  - %QACCEL_OBSERVER_ENTROPY: TensorRT-style entropy calibration on a
 *    histogram of |x|: for every candidate threshold bin i from
 *    target_bins [128] to bins, the distribution P of bins [0, i) (the
 *    mass beyond folded into bin i - 1) is compared with Q, the same bins
 *    without that mass merged into target_bins groups and spread back over
 *    P's non-empty bins (a bin Q leaves empty counts as 1e-9); the i with
 *    the smallest KL(P || Q) gives the threshold t (upper edge of bin
 *    i - 1), and the range is [max(min, -t), min(max, t)].
 *  - %QACCEL_OBSERVER_MSE: PyTorch HistogramObserver-style search on a
 *    histogram of the values: the range [l, r) of bins is shrunk one bin at
 *    a time from the side holding fewer values (down to bins / 64), and the
 *    candidate with the smallest expected squared error of 8-bit uniform
 *    quantization (values uniform inside each bin; rounding error inside
 *    the range, clipping error outside, both integrated exactly) wins. Being
 *    an L2 criterion it keeps rare far outliers whenever clipping them costs
 *    more than the coarser step costs the rest (n_out * R^2 > N * step^2 /
 *    12).
 *
 * Histograms: bins [2048] equal bins over a range that grows as batches
 * arrive; growing merges whole bins (the width becomes an integer multiple
 * of the old one and the origin moves by whole old bins), so no count is
 * ever split or interpolated.
 *
 * Thread safety: an observer must not be used by two threads at once;
 * different observers are independent.
 */
enum qaccel_observer_kind {
	QACCEL_OBSERVER_MINMAX = 1,
	QACCEL_OBSERVER_MOVING_MINMAX = 2,
	QACCEL_OBSERVER_PERCENTILE = 3,
	QACCEL_OBSERVER_ENTROPY = 4,
	QACCEL_OBSERVER_MSE = 5,
};

/**
 * struct qaccel_observer_opts - observer settings; zero-initialise it
 * @kind: &enum qaccel_observer_kind.
 * @bins: histogram bins, 0 for 2048; 128 to 65536 (histogram kinds).
 * @target_bins: entropy: quantized levels compared, 0 for 128; 2 to @bins.
 * @averaging_constant: moving min/max: c in (0, 1], 0 for 0.01.
 * @percentile: percentile: p in (50, 100], 0 for 99.99.
 * @reserved: must be zero.
 */
struct qaccel_observer_opts {
	enum qaccel_observer_kind kind;
	uint32_t bins;
	uint32_t target_bins;
	float averaging_constant;
	double percentile;
	uint32_t reserved[8];
};

struct qaccel_observer;

/**
 * qaccel_observer_create() - make an observer
 * Return: 0, -EINVAL (bad options), -ENOMEM.
 */
QACCEL_API int qaccel_observer_create(const struct qaccel_observer_opts *opts,
				      struct qaccel_observer **obs);

/**
 * qaccel_observer_destroy() - free an observer (NULL is accepted)
 */
QACCEL_API void qaccel_observer_destroy(struct qaccel_observer *obs);

/**
 * qaccel_observer_update() - observe one batch
 * @obs: observer
 * @x: @count values
 * @count: number of values; 0 is accepted and changes nothing
 *
 * Return: 0, -EINVAL (NULL), -EDOM (a value is NaN or infinite: the batch
 * is ignored, the observer unchanged).
 */
QACCEL_API int qaccel_observer_update(struct qaccel_observer *obs, const float *x,
				      size_t count);

/**
 * qaccel_observer_range() - the calibrated range
 * @obs: observer
 * @min: out
 * @max: out
 *
 * Return: 0, -EINVAL, -ENODATA (no value observed yet), -ENOMEM (entropy).
 */
QACCEL_API int qaccel_observer_range(const struct qaccel_observer *obs, float *min,
				     float *max);

/**
 * qaccel_observer_qparams() - qaccel_qparams_from_range() of the range
 * Return: 0, -EINVAL, -ENODATA.
 */
QACCEL_API int qaccel_observer_qparams(const struct qaccel_observer *obs,
				       enum qaccel_dtype type, unsigned int flags,
				       float *scale, int32_t *zero_point);

/**
 * qaccel_observer_count() - number of values observed (0 for NULL)
 */
QACCEL_API uint64_t qaccel_observer_count(const struct qaccel_observer *obs);

/**
 * qaccel_observer_reset() - forget everything observed
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_observer_reset(struct qaccel_observer *obs);

/* ------------------------------------------------------------------------
 * Weight packing (the QA1 layout)
 *
 * A packed block for K x N holds the s8 weights in 64-byte blocks of
 * 16 output channels x 4 k (byte ((n/16) * ceil(K/4) + k/4) * 64 +
 * (n%16) * 4 + k%4), zero padded, followed by five little-endian s32
 * arrays of N16 = roundup(N, 16) entries: bias, column sums (sum over k of
 * the stored s8 weights), weight zero points, Q31 multipliers and shifts.
 * The packing functions only write memory; they need no context.
 */

/**
 * enum qaccel_weight_layout - how the source weights are stored
 * @QACCEL_LAYOUT_KN: K rows of N values (w[k][n] at k * N + n).
 * @QACCEL_LAYOUT_NK: N rows of K values (w[n][k] at n * K + k), the
 *	layout of a PyTorch Linear layer's weight [out_features][in_features].
 */
enum qaccel_weight_layout {
	QACCEL_LAYOUT_KN = 1,
	QACCEL_LAYOUT_NK = 2,
};

/**
 * qaccel_packed_size() - bytes of the packed block for K x N
 * @n: output channels (1 to 2^24)
 * @k: reduction length (1 to 2^24)
 * @size: out
 *
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_packed_size(uint32_t n, uint32_t k, size_t *size);

/* &qaccel_pack_desc.flags */
#define QACCEL_PACK_NARROW	(1u << 0)	/* float weights: scale = amax / 127 (default amax / 127.5) */
#define QACCEL_PACK_FLAGS	QACCEL_PACK_NARROW

/**
 * struct qaccel_pack_desc - what to pack; zero-initialise it
 * @n: output channels.
 * @k: reduction length.
 * @layout: &enum qaccel_weight_layout of @weights.
 * @w_type: %QACCEL_DTYPE_F32 (quantized here per output channel,
 *	symmetric s8, zero point 0), %QACCEL_DTYPE_S8 or %QACCEL_DTYPE_U8
 *	(taken as they are; u8 weights are stored as w - 128 with zero point
 *	w_zp - 128).
 * @weights: K * N values of @w_type.
 * @w_zero_points: integer weights: N zero points within @w_type, NULL for
 *	all 0. Must be NULL for float weights.
 * @w_scales: integer weights: N weight scales (needed for a float bias and
 *	for @out_scale); float weights: optional output, receives the N
 *	scales chosen.
 * @a_scale: activation scale s_a, needed for a float bias or @out_scale.
 * @out_scale: > 0: fill mult/shift from a_scale * w_scale[n] / out_scale
 *	(qaccel_requant_params()); 0: leave them 0 (s32 output) unless @mult
 *	and @shift give them.
 * @bias_f32: optional float bias, quantized as round_half_even(bias[n] /
 *	(a_scale * w_scale[n])) (the product in single precision, the
 *	division in double) saturated to s32.
 * @bias_s32: optional integer bias (not together with @bias_f32).
 * @mult: optional explicit Q31 multipliers (not together with @out_scale).
 * @shift: optional explicit shifts in [-31, 30], required with @mult.
 * @flags: QACCEL_PACK_* bits.
 * @reserved: must be zero.
 */
struct qaccel_pack_desc {
	uint32_t n, k;
	enum qaccel_weight_layout layout;
	enum qaccel_dtype w_type;
	const void *weights;
	const int32_t *w_zero_points;
	float *w_scales;
	float a_scale;
	float out_scale;
	const float *bias_f32;
	const int32_t *bias_s32;
	const int32_t *mult;
	const int32_t *shift;
	unsigned int flags;
	uint32_t reserved[7];
};

/**
 * qaccel_pack_weights() - pack weights, bias and requantization arrays
 * @desc: what to pack
 * @dst: output, at least qaccel_packed_size(n, k) bytes
 * @dst_size: bytes available at @dst
 *
 * Return: 0; -EINVAL for an inconsistent description (see &struct
 * qaccel_pack_desc), NaN/infinite float weights or bias, a non-positive
 * scale; -ENOSPC when @dst_size is too small; -ERANGE when a multiplier
 * cannot be represented. Nothing is written on error (except @w_scales
 * outputs, which are written only on success too).
 */
QACCEL_API int qaccel_pack_weights(const struct qaccel_pack_desc *desc, void *dst,
				   size_t dst_size);

/**
 * struct qaccel_unpacked - the parts of a packed block, for debugging
 * @weights: optional out, K * N s8 values in @layout order
 * @layout: layout of @weights
 * @bias: optional out, N values
 * @colsum: optional out, N values
 * @w_zero_points: optional out, N values
 * @mult: optional out, N values
 * @shift: optional out, N values
 * @reserved: must be zero
 */
struct qaccel_unpacked {
	int8_t *weights;
	enum qaccel_weight_layout layout;
	int32_t *bias;
	int32_t *colsum;
	int32_t *w_zero_points;
	int32_t *mult;
	int32_t *shift;
	uint32_t reserved[8];
};

/**
 * qaccel_unpack_weights() - read a packed block back
 * @packed: the block
 * @size: its size (at least qaccel_packed_size(n, k))
 * @n: output channels it was packed for
 * @k: reduction length it was packed for
 * @out: which parts to extract
 *
 * Return: 0, -EINVAL or -ENOSPC (size too small).
 */
QACCEL_API int qaccel_unpack_weights(const void *packed, size_t size, uint32_t n,
				     uint32_t k, const struct qaccel_unpacked *out);

/* ------------------------------------------------------------------------
 * Buffers
 *
 * Jobs name their operands as (buffer, byte offset). On the CPU backend a
 * buffer is 64-byte aligned host memory (or wrapped user memory). On the
 * device backend it is a GEM buffer object of the context's device file,
 * mapped into the device address space (qaccel_buffer_device_address())
 * and into the process (qaccel_buffer_ptr(), page aligned, read-write for
 * the CPU whatever the flags); its size is rounded up to whole pages for
 * the kernel while qaccel_buffer_size() keeps the size asked for.
 *
 * Thread safety: a buffer may be used by any thread; writing its memory
 * while a job that uses it runs is the caller's race.
 */
struct qaccel_buffer;

/* qaccel_buffer_alloc() flags */
#define QACCEL_BUFFER_DEVICE_READONLY	(1u << 0)	/* the device may only read it (weights) */
#define QACCEL_BUFFER_FLAGS		QACCEL_BUFFER_DEVICE_READONLY

/**
 * qaccel_buffer_alloc() - allocate a zero-filled buffer
 * @ctx: context
 * @size: bytes, >= 1
 * @flags: QACCEL_BUFFER_* bits
 * @buf: out
 *
 * On a device context %QACCEL_BUFFER_DEVICE_READONLY maps the buffer into
 * the device address space without write permission (jobs may not write
 * it); the CPU mapping stays writable so weights can be packed in place.
 *
 * Return: 0, -EINVAL, -ENOMEM; on a device context also -E2BIG (larger
 * than the device's largest buffer), -ENOSPC (device address space full)
 * or the errno of the buffer ioctl or mmap().
 */
QACCEL_API int qaccel_buffer_alloc(struct qaccel_ctx *ctx, size_t size, unsigned int flags,
				   struct qaccel_buffer **buf);

/**
 * qaccel_buffer_wrap() - use caller memory as a buffer (CPU backend only)
 * @ctx: context
 * @ptr: memory, which must stay valid until qaccel_buffer_free()
 * @size: bytes, >= 1
 * @buf: out
 *
 * Return: 0, -EINVAL, -ENOMEM, -EOPNOTSUPP on a device context (the
 * device can only reach buffer objects; allocate with qaccel_buffer_alloc()
 * and write through qaccel_buffer_ptr()).
 */
QACCEL_API int qaccel_buffer_wrap(struct qaccel_ctx *ctx, void *ptr, size_t size,
				  struct qaccel_buffer **buf);

/**
 * qaccel_buffer_ptr() - CPU address of the buffer's first byte (NULL for NULL)
 */
QACCEL_API void *qaccel_buffer_ptr(const struct qaccel_buffer *buf);

/**
 * qaccel_buffer_size() - size in bytes (0 for NULL)
 */
QACCEL_API size_t qaccel_buffer_size(const struct qaccel_buffer *buf);

/**
 * qaccel_buffer_device_address() - device virtual address of the first byte
 *
 * Return: the address in the device address space of the buffer's context
 * (device backend), 0 for CPU buffers and NULL.
 */
QACCEL_API uint64_t qaccel_buffer_device_address(const struct qaccel_buffer *buf);

/**
 * qaccel_buffer_free() - release a buffer (NULL is accepted)
 *
 * Return: 0, or -EBUSY (and nothing happens) while a submitted job that
 * uses it has not completed (device contexts first collect the
 * completions the kernel already has, without waiting).
 */
QACCEL_API int qaccel_buffer_free(struct qaccel_buffer *buf);

/* ------------------------------------------------------------------------
 * Jobs
 *
 * A GEMM job is C[M x N] = requant(A[M x K] x W[K x N]) exactly as the QA1
 * engine defines it (wrapping int32 accumulation, zero points expanded with
 * the packed column sums, MBQM double rounding). Jobs are submitted in
 * batches and complete asynchronously; each completion carries the job's
 * user_data and result (0 or -errno). Jobs of one context run in
 * submission order and complete in that order.
 *
 * Every job of a batch is validated before any is queued (all or nothing):
 * operands inside their buffers, W holding qaccel_packed_size(n, k) bytes,
 * C not overlapping A or W and not in a %QACCEL_BUFFER_DEVICE_READONLY
 * buffer, zero points and clamp bounds within their types, dimensions
 * within the backend's limits (the device's MAX_M/N/K).
 *
 * Thread safety: qaccel_submit(), qaccel_reap(), qaccel_run(),
 * qaccel_inflight() and the buffer functions may be called from several
 * threads on one context.
 *
 * CPU backend: a pool of worker threads per context (QACCEL_THREADS or
 * &qaccel_open_opts.threads) executes the jobs one after another, each
 * split into tiles of rows and output-channel panels (only panels when M is
 * small, so M = 1 uses every thread).
 *
 * Device backend: every context has its own open file of the device, hence
 * its own device address space and job queue (queue 0), in which the
 * kernel runs the jobs in submission order. io_uring mode: one ring per
 * context (128-byte entries, 32-byte completions), one entry per job, a
 * whole batch per io_uring_enter(). Ioctl mode: one DRM_IOCTL_QACCEL_SUBMIT
 * per batch (per driver MAX_JOBS jobs), with the batch's buffers as its
 * read and write lists; JOB_WAIT reports a status per kernel submission,
 * so a job failure is reported for every job of its kernel submission.
 * Completions are posted in submission order in both modes. Waiting for
 * the kernel is done by one thread at a time without holding the context's
 * lock, so other threads keep submitting meanwhile.
 */

/* Largest number of jobs submitted and not yet reaped per context. */
#define QACCEL_QUEUE_DEPTH	1024

/**
 * struct qaccel_gemm_job - one GEMM; zero-initialise it
 * @a: buffer holding A (M rows of K elements, @lda bytes apart).
 * @a_offset: byte offset of A in @a.
 * @w: buffer holding the packed weights (qaccel_pack_weights()).
 * @w_offset: byte offset of the packed block in @w.
 * @c: buffer receiving C (M rows of N elements, @ldc bytes apart).
 * @c_offset: byte offset of C in @c.
 * @m: rows.
 * @n: output channels.
 * @k: reduction length.
 * @lda: bytes between rows of A (>= k).
 * @ldc: bytes between rows of C (>= n * element size).
 * @a_type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8.
 * @out_type: %QACCEL_DTYPE_U8, %QACCEL_DTYPE_S8 or %QACCEL_DTYPE_S32.
 * @a_zp: zero point of A, within @a_type.
 * @out_zp: zero point of C, within @out_type (0 for s32).
 * @act_min: lowest output (0 for s32), within @out_type.
 * @act_max: highest output (0 for s32), >= @act_min.
 * @user_data: returned in the completion.
 * @flags: must be 0.
 * @reserved: must be 0.
 */
struct qaccel_gemm_job {
	struct qaccel_buffer *a;
	uint64_t a_offset;
	struct qaccel_buffer *w;
	uint64_t w_offset;
	struct qaccel_buffer *c;
	uint64_t c_offset;
	uint32_t m, n, k;
	uint32_t lda, ldc;
	enum qaccel_dtype a_type;
	enum qaccel_dtype out_type;
	int32_t a_zp, out_zp;
	int32_t act_min, act_max;
	uint64_t user_data;
	uint32_t flags;
	uint32_t reserved[5];
};

/**
 * struct qaccel_completion - a finished job
 * @user_data: the job's &qaccel_gemm_job.user_data.
 * @result: 0, or a negative errno (-EIO for a job the device faulted on,
 *	-ETIMEDOUT for a hung one, -ECANCELED for one that never ran; on a
 *	device context also the kernel's errno for a job it refused after
 *	part of the batch was queued).
 * @reserved: 0.
 */
struct qaccel_completion {
	uint64_t user_data;
	int32_t result;
	uint32_t reserved;
};

/**
 * qaccel_submit() - queue a batch of jobs
 * @ctx: context
 * @jobs: @count jobs
 * @count: 1 to %QACCEL_QUEUE_DEPTH
 *
 * Device contexts may wait inside this call while the kernel's resources
 * for jobs in flight (ring entries, the JOB_WAIT status history) are full.
 * When the kernel refuses a later part of a batch whose first part it
 * already queued, the jobs it did not take complete with its errno.
 *
 * Return: 0 (all queued); -EINVAL (a job is invalid: nothing queued);
 * -EACCES (C in a device read-only buffer); -E2BIG (a dimension exceeds
 * the backend's limits); -EOPNOTSUPP (a data type the device lacks);
 * -EAGAIN (the batch does not fit below %QACCEL_QUEUE_DEPTH unreaped jobs:
 * reap first); -ENOMEM; on a device context the kernel's errno when it
 * refused the first part of the batch (nothing queued).
 */
QACCEL_API int qaccel_submit(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
			     unsigned int count);

/**
 * qaccel_reap() - collect completions
 * @ctx: context
 * @out: room for @max completions
 * @max: >= 1
 * @min_complete: wait until at least this many completions are available
 *	(0 polls); must not exceed the jobs submitted and not yet reaped
 * @timeout_ns: longest wait in nanoseconds, < 0 for no limit
 *
 * Return: the number of completions written (>= @min_complete), -ETIME
 * when the timeout expired first (nothing reaped), -EINVAL.
 */
QACCEL_API int qaccel_reap(struct qaccel_ctx *ctx, struct qaccel_completion *out,
			   unsigned int max, unsigned int min_complete, int64_t timeout_ns);

/**
 * qaccel_run() - run a batch and wait for it
 * @ctx: context
 * @jobs: @count jobs
 * @count: 1 to %QACCEL_QUEUE_DEPTH
 *
 * Queues the jobs behind the jobs already submitted, waits for them, and
 * posts no completions (qaccel_reap() never sees them).
 *
 * Return: 0, the first failing job's error, or a qaccel_submit() error.
 */
QACCEL_API int qaccel_run(struct qaccel_ctx *ctx, const struct qaccel_gemm_job *jobs,
			  unsigned int count);

/**
 * qaccel_inflight() - jobs submitted (by qaccel_submit()) and not yet reaped
 *
 * Return: the count, or -EINVAL.
 */
QACCEL_API int qaccel_inflight(struct qaccel_ctx *ctx);

/* ------------------------------------------------------------------------
 * Layer helper: linear = GEMM + bias + requantization + activation
 */

/**
 * enum qaccel_activation - fused activation of a layer
 * @QACCEL_ACT_NONE: identity.
 * @QACCEL_ACT_RELU: max(x, 0).
 * @QACCEL_ACT_RELU6: min(max(x, 0), 6).
 */
enum qaccel_activation {
	QACCEL_ACT_NONE = 0,
	QACCEL_ACT_RELU = 1,
	QACCEL_ACT_RELU6 = 2,
};

/**
 * struct qaccel_linear_desc - a fully connected layer; zero-initialise it
 * @in_features: K.
 * @out_features: N.
 * @weight: float weights [out_features][in_features] (PyTorch layout),
 *	quantized per output channel (symmetric s8).
 * @bias: optional float bias [out_features].
 * @in_type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8.
 * @in_scale: input scale.
 * @in_zero_point: input zero point.
 * @out_type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8.
 * @out_scale: output scale.
 * @out_zero_point: output zero point.
 * @activation: &enum qaccel_activation.
 * @reserved: must be zero.
 */
struct qaccel_linear_desc {
	uint32_t in_features, out_features;
	const float *weight;
	const float *bias;
	enum qaccel_dtype in_type;
	float in_scale;
	int32_t in_zero_point;
	enum qaccel_dtype out_type;
	float out_scale;
	int32_t out_zero_point;
	enum qaccel_activation activation;
	uint32_t reserved[8];
};

/**
 * struct qaccel_linear - a packed layer bound to a context (opaque)
 *
 * Thread safety: immutable after creation; qaccel_linear_forward() and
 * qaccel_linear_job() may run concurrently.
 */
struct qaccel_linear;

/**
 * qaccel_linear_create() - quantize and pack a layer
 *
 * The packed weights go into a %QACCEL_BUFFER_DEVICE_READONLY buffer of
 * @ctx (a read-only buffer object on a device context).
 *
 * Return: 0, -EINVAL, -ENOMEM, -ERANGE (unrepresentable requantization),
 * or a qaccel_buffer_alloc() error.
 */
QACCEL_API int qaccel_linear_create(struct qaccel_ctx *ctx,
				    const struct qaccel_linear_desc *desc,
				    struct qaccel_linear **layer);

/**
 * qaccel_linear_job() - fill a GEMM job applying the layer to M rows
 * @layer: the layer
 * @in: buffer with M rows of in_features elements (contiguous)
 * @in_offset: byte offset in @in
 * @m: rows
 * @out: buffer receiving M rows of out_features elements (contiguous)
 * @out_offset: byte offset in @out
 * @job: out, ready for qaccel_submit() (user_data 0)
 *
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_linear_job(const struct qaccel_linear *layer, struct qaccel_buffer *in,
				 uint64_t in_offset, uint32_t m, struct qaccel_buffer *out,
				 uint64_t out_offset, struct qaccel_gemm_job *job);

/**
 * qaccel_linear_forward() - run the layer synchronously (qaccel_run())
 */
QACCEL_API int qaccel_linear_forward(struct qaccel_linear *layer, struct qaccel_buffer *in,
				     uint64_t in_offset, uint32_t m, struct qaccel_buffer *out,
				     uint64_t out_offset);

/**
 * qaccel_linear_weight_scales() - the per-channel weight scales chosen
 * Return: out_features floats owned by the layer, NULL for NULL.
 */
QACCEL_API const float *qaccel_linear_weight_scales(const struct qaccel_linear *layer);

/**
 * qaccel_linear_destroy() - free a layer (NULL is accepted)
 */
QACCEL_API void qaccel_linear_destroy(struct qaccel_linear *layer);

/* ------------------------------------------------------------------------
 * Model files
 *
 * A qaccel model file holds a quantized feed-forward network: a chain of
 * fully connected layers with their packed QA1 weights, requantization
 * arrays, per-channel weight scales and the activation quantization
 * parameters between the layers, behind a versioned header and a CRC-32 of
 * the whole file. Documentation/model-format.rst specifies the layout byte
 * for byte. qaccel-quant writes such files from a float model and
 * calibration data; qaccel_model_load() loads them into a context.
 *
 * Layer i reads the output of layer i - 1 (layer 0 reads the model input),
 * so its input type, scale and zero point are those of the previous
 * layer's output. Every layer but the last produces u8 or s8; the last may
 * produce raw s32 accumulators, which qaccel_model_dequantize() turns into
 * real values (acc * in_scale * w_scale[n]).
 *
 * Loading errors (the errbuf of &struct qaccel_model_load_opts says more):
 *   -ENOEXEC          not a qaccel model file (magic)
 *   -EPROTONOSUPPORT  a newer, incompatible format version or feature flag
 *   -ENODATA          truncated: shorter than its header says
 *   -EBADMSG          corrupt: the CRC-32 does not match
 *   -EPROTO           checksum fine but the contents are inconsistent, or
 *                     bytes after the end the header gives
 *   -EFBIG            larger than %QACCEL_MODEL_MAX_FILE
 *   -EOPNOTSUPP       the context cannot allocate buffers (a device context
 *                     whose driver lacks the buffer and job ioctls)
 *   and -EINVAL, -ENOMEM, or the errno of open()/read().
 *
 * Thread safety: a loaded model is immutable; qaccel_model_layer_job(),
 * the info functions and qaccel_model_dequantize() may run concurrently;
 * qaccel_model_run() calls on one model serialize on an internal lock.
 */

#define QACCEL_MODEL_VERSION_MAJOR	1
#define QACCEL_MODEL_VERSION_MINOR	0
#define QACCEL_MODEL_MAX_LAYERS		64
#define QACCEL_MODEL_INFO_MAX		1024		/* bytes of the info text, with its NUL */
#define QACCEL_MODEL_MAX_FILE		(1ull << 31)

/**
 * struct qaccel_model_layer_desc - one layer to write; zero-initialise it
 * @in_features: K (must equal the previous layer's @out_features).
 * @out_features: N.
 * @weight: float weights [out_features][in_features], quantized per output
 *	channel (symmetric s8, scale amax / 127.5, as qaccel_pack_weights()).
 * @bias: optional float bias [out_features].
 * @out_type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8; the last layer may use
 *	%QACCEL_DTYPE_S32 (raw accumulators, with %QACCEL_ACT_NONE).
 * @out_scale: output scale (8-bit outputs), > 0.
 * @out_zero_point: output zero point (8-bit outputs).
 * @activation: &enum qaccel_activation, fused through the clamp bounds.
 * @out_min: calibrated lower bound of the output (informational, stored).
 * @out_max: calibrated upper bound of the output (informational, stored).
 * @reserved: must be zero.
 */
struct qaccel_model_layer_desc {
	uint32_t in_features, out_features;
	const float *weight;
	const float *bias;
	enum qaccel_dtype out_type;
	float out_scale;
	int32_t out_zero_point;
	enum qaccel_activation activation;
	float out_min, out_max;
	uint32_t reserved[8];
};

/**
 * struct qaccel_model_desc - a network to write; zero-initialise it
 * @layer_count: 1 to %QACCEL_MODEL_MAX_LAYERS.
 * @layers: the layers, input first.
 * @in_type: %QACCEL_DTYPE_U8 or %QACCEL_DTYPE_S8, the model input's type.
 * @in_scale: the model input's scale, > 0.
 * @in_zero_point: the model input's zero point.
 * @info: optional NUL-terminated text stored in the file (provenance:
 *	source model, observer, calibration set), shorter than
 *	%QACCEL_MODEL_INFO_MAX and without control characters other than
 *	newline and tab.
 * @reserved: must be zero.
 */
struct qaccel_model_desc {
	uint32_t layer_count;
	const struct qaccel_model_layer_desc *layers;
	enum qaccel_dtype in_type;
	float in_scale;
	int32_t in_zero_point;
	const char *info;
	uint32_t reserved[8];
};

/**
 * qaccel_model_serialize() - quantize, pack and encode a model in memory
 * @desc: the network
 * @data: out, the file image, allocated with malloc() (release it with
 *	free())
 * @size: out, its size in bytes
 *
 * Return: 0; -EINVAL for an inconsistent description (chained sizes that
 * do not match, bad types, scales, zero points, NaN weights, reserved
 * fields); -ERANGE for an unrepresentable requantization multiplier;
 * -EFBIG; -ENOMEM. Outputs are set only on success.
 */
QACCEL_API int qaccel_model_serialize(const struct qaccel_model_desc *desc, void **data,
				      size_t *size);

/**
 * qaccel_model_save() - qaccel_model_serialize() into a file
 * @desc: the network
 * @path: file to create or replace; written to a temporary file in the
 *	same directory first and renamed, so readers never see half a file
 *
 * Return: 0, the errors of qaccel_model_serialize(), or the negative errno
 * of the file operations.
 */
QACCEL_API int qaccel_model_save(const struct qaccel_model_desc *desc, const char *path);

/**
 * struct qaccel_model - a model loaded into a context (opaque)
 */
struct qaccel_model;

/**
 * struct qaccel_model_load_opts - loading options; zero-initialise it
 * @flags: must be 0.
 * @errbuf: optional buffer receiving a one-line explanation of a failure
 *	(NUL-terminated, truncated to @errbuf_size).
 * @errbuf_size: size of @errbuf.
 * @reserved: must be zero.
 */
struct qaccel_model_load_opts {
	unsigned int flags;
	char *errbuf;
	size_t errbuf_size;
	uint64_t reserved[4];
};

/**
 * qaccel_model_load() - read, verify and load a model file
 * @ctx: the context whose jobs will run the model
 * @path: the file
 * @opts: options, or NULL
 * @model: out, set only on success
 *
 * Verifies the magic, the version, the size, the CRC-32 and every field
 * (sizes chain, offsets inside the file, types, zero points, clamp bounds,
 * scales, requantization arrays) before anything is allocated, then copies
 * each layer's packed block into a read-only buffer of @ctx.
 *
 * Return: 0 or a negative errno (see the list above).
 */
QACCEL_API int qaccel_model_load(struct qaccel_ctx *ctx, const char *path,
				 const struct qaccel_model_load_opts *opts,
				 struct qaccel_model **model);

/**
 * qaccel_model_load_mem() - qaccel_model_load() from a file image in memory
 * @ctx: context
 * @data: the image (not referenced after the call)
 * @size: its size
 * @opts: options, or NULL
 * @model: out
 *
 * Return: as qaccel_model_load().
 */
QACCEL_API int qaccel_model_load_mem(struct qaccel_ctx *ctx, const void *data, size_t size,
				     const struct qaccel_model_load_opts *opts,
				     struct qaccel_model **model);

/**
 * qaccel_model_destroy() - free a model and its buffers (NULL is accepted)
 *
 * No job of the model may be in flight.
 */
QACCEL_API void qaccel_model_destroy(struct qaccel_model *model);

/**
 * struct qaccel_model_info - a loaded model as a whole
 * @version_major: format version of the file.
 * @version_minor: format version of the file.
 * @layer_count: number of layers.
 * @in_features: input elements per row.
 * @out_features: output elements per row.
 * @in_type: input type (u8 or s8).
 * @out_type: output type of the last layer (u8, s8 or s32).
 * @in_scale: input scale.
 * @in_zero_point: input zero point.
 * @crc32: the file's CRC-32.
 * @file_size: bytes of the file.
 * @packed_bytes: bytes of packed weights and arrays over all layers.
 * @info: the provenance text (NUL-terminated, may be empty).
 * @reserved: zero.
 */
struct qaccel_model_info {
	uint32_t version_major, version_minor;
	uint32_t layer_count;
	uint32_t in_features, out_features;
	enum qaccel_dtype in_type, out_type;
	float in_scale;
	int32_t in_zero_point;
	uint32_t crc32;
	uint64_t file_size;
	uint64_t packed_bytes;
	char info[QACCEL_MODEL_INFO_MAX];
	uint32_t reserved[8];
};

/**
 * struct qaccel_model_layer_info - one layer of a loaded model
 * @in_features: K.
 * @out_features: N.
 * @in_type: input type.
 * @out_type: output type.
 * @in_scale: input scale.
 * @in_zero_point: input zero point.
 * @out_scale: output scale (0 for s32 outputs).
 * @out_zero_point: output zero point.
 * @activation: the fused activation.
 * @act_min: lowest output value (the engine's clamp).
 * @act_max: highest output value.
 * @out_min: calibrated output range as stored (informational).
 * @out_max: calibrated output range as stored (informational).
 * @w_scales: out_features per-channel weight scales, owned by the model.
 * @packed_size: bytes of the layer's packed block.
 * @reserved: zero.
 */
struct qaccel_model_layer_info {
	uint32_t in_features, out_features;
	enum qaccel_dtype in_type, out_type;
	float in_scale;
	int32_t in_zero_point;
	float out_scale;
	int32_t out_zero_point;
	enum qaccel_activation activation;
	int32_t act_min, act_max;
	float out_min, out_max;
	const float *w_scales;
	uint64_t packed_size;
	uint32_t reserved[8];
};

/**
 * qaccel_model_info() - describe a loaded model
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_model_info(const struct qaccel_model *model,
				 struct qaccel_model_info *info);

/**
 * qaccel_model_layer_info() - describe one layer
 * @model: the model
 * @layer: 0 to layer_count - 1
 * @info: out
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_model_layer_info(const struct qaccel_model *model, unsigned int layer,
				       struct qaccel_model_layer_info *info);

/**
 * qaccel_model_layer_job() - fill a GEMM job applying one layer to M rows
 * @model: the model
 * @layer: which layer
 * @in: buffer with M contiguous rows of in_features elements of the
 *	layer's input type
 * @in_offset: byte offset in @in
 * @m: rows, >= 1
 * @out: buffer receiving M contiguous rows of out_features elements
 * @out_offset: byte offset in @out
 * @job: out, ready for qaccel_submit() (user_data 0)
 *
 * Jobs of one context run in submission order, so the jobs of all layers
 * of a batch (each reading the previous one's output buffer) can be
 * submitted together.
 *
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_model_layer_job(const struct qaccel_model *model, unsigned int layer,
				      struct qaccel_buffer *in, uint64_t in_offset, uint32_t m,
				      struct qaccel_buffer *out, uint64_t out_offset,
				      struct qaccel_gemm_job *job);

/**
 * qaccel_model_run() - run the whole model on M rows and wait
 * @model: the model
 * @input: M rows of in_features elements of the input type
 * @m: rows, >= 1
 * @output: receives M rows of out_features elements of the output type
 *	(1 byte each for u8/s8, 4 for s32)
 *
 * Copies the rows in blocks through internal buffers and runs each block's
 * layer jobs as one batch (qaccel_run()).
 *
 * Return: 0, -EINVAL, -ENOMEM, or a job error.
 */
QACCEL_API int qaccel_model_run(struct qaccel_model *model, const void *input, uint32_t m,
				void *output);

/**
 * qaccel_model_dequantize() - real values of the model's output
 * @model: the model
 * @output: M rows as written by the last layer
 * @m: rows
 * @y: out, M * out_features floats: (q - out_zp) * out_scale for 8-bit
 *	outputs, acc * in_scale * w_scale[n] for s32 outputs
 *
 * Return: 0 or -EINVAL.
 */
QACCEL_API int qaccel_model_dequantize(const struct qaccel_model *model, const void *output,
				       uint32_t m, float *y);

#ifdef __cplusplus
}
#endif

#endif /* QACCEL_H */
