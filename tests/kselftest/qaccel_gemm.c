// SPDX-License-Identifier: MIT
/*
 * qaccel kselftest: GEMM jobs on the engine give exactly the bytes of the
 * reference engine (driver/qaccel_engine.c, linked into this binary) for
 * every A and output type, random shapes, the edge cases of the packed
 * layout (M = 1, K not a multiple of 4, N not a multiple of 16), extreme
 * zero points and requantization parameters, padded strides, unaligned
 * operands, operands sharing a BO, large non-contiguous BOs, the dimension
 * limits and multi-job submissions; plus the job accounting (seqnos,
 * counters, fdinfo).
 *
 * Copyright (c) 2026 The qaccel authors
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qaccel_hw.h"
#include "qaccel_test_util.h"
#include "qaccel_test_fixture.h"

#define A_U8	0
#define A_S8	DRM_QACCEL_GEMM_A_S8
#define OUT_S8	DRM_QACCEL_GEMM_OUT_S8
#define OUT_U8	DRM_QACCEL_GEMM_OUT_U8
#define OUT_S32	DRM_QACCEL_GEMM_OUT_S32

static const uint32_t type_combos[] = {
	A_U8 | OUT_S8, A_U8 | OUT_U8, A_U8 | OUT_S32,
	A_S8 | OUT_S8, A_S8 | OUT_U8, A_S8 | OUT_S32,
};

FIXTURE(gemm) {
	struct qt_base b;
	struct qt_rng r;
};

FIXTURE_SETUP(gemm)
{
	qt_base_setup(_metadata, &self->b, 0);
	qt_rng_seed(&self->r, 0x9a77);
}

FIXTURE_TEARDOWN(gemm)
{
	qt_base_teardown(_metadata, &self->b);
}

/*
 * Run the finished GEMM q (owned from now on) with operands at the given
 * offsets of their BOs and require status 0 and bit-exact output.
 */
static void run_exact(struct __test_metadata *_metadata, int fd, struct qt_gemm *q,
		      uint64_t a_off, uint64_t w_off, uint64_t c_off, const char *what)
{
	struct qt_placed p;
	char why[160] = "";
	int ret;

	memset(&p, 0, sizeof(p));
	p.q = *q;
	memset(q, 0, sizeof(*q));
	ret = qt_placed_from(fd, &p, a_off, w_off, c_off);
	ASSERT_EQ(0, ret) TH_LOG("%s: placing the operands: %s", what, strerror(-ret));
	ret = qt_placed_run(fd, &p, 0, QT_JOB_TIMEOUT, why, sizeof(why));
	EXPECT_EQ(0, ret) {
		TH_LOG("%s: M=%u N=%u K=%u lda=%u ldc=%u flags=%#x a_zp=%d out_zp=%d act=[%d,%d]: %s",
		       what, p.q.g.m, p.q.g.n, p.q.g.k, p.q.g.lda, p.q.g.ldc, p.q.flags,
		       p.q.g.a_zp, p.q.g.out_zp, p.q.g.act_min, p.q.g.act_max, why);
	}
	qt_placed_free(fd, &p);
}

/* Random GEMM of the given shape and flags, run and compared. */
static void run_random(struct __test_metadata *_metadata, FIXTURE_DATA(gemm) *self,
		       uint32_t m, uint32_t n, uint32_t k, uint32_t flags, uint32_t lda_pad,
		       uint32_t ldc_pad, const char *what)
{
	struct qt_gemm q;

	ASSERT_EQ(0, qt_gemm_init(&q, m, n, k, flags, lda_pad, ldc_pad, &self->r));
	qt_gemm_finish(&q);
	run_exact(_metadata, self->b.d.fd, &q, 0, 0, 0, what);
}

/*
 * The packer this suite builds weight blocks with puts every weight and
 * array entry where the QA1 specification's examples say (K = 6, N = 3 and
 * K = 6, N = 20), independently of the reference engine's helpers. Needs
 * no device.
 */
TEST(packer_matches_specification_examples)
{
	static const int pos3[6][3] = {
		{ 0, 4, 8 }, { 1, 5, 9 }, { 2, 6, 10 }, { 3, 7, 11 }, { 64, 68, 72 }, { 65, 69, 73 },
	};
	int8_t w[6 * 20];
	int32_t bias[20], wzp[20], mult[20], shift[20];
	uint8_t out[896];
	int k, n;

	for (k = 0; k < 6; k++)
		for (n = 0; n < 20; n++)
			w[k * 20 + n] = (int8_t)(1 + k * 20 + n);
	for (n = 0; n < 20; n++) {
		bias[n] = 1000 + n;
		wzp[n] = 2000 + n;
		mult[n] = 3000 + n;
		shift[n] = -n;
	}

	/* N = 3: one panel, arrays from byte 128, packed size 448. */
	{
		int8_t w3[6 * 3];

		for (k = 0; k < 6; k++)
			for (n = 0; n < 3; n++)
				w3[k * 3 + n] = w[k * 20 + n];
		ASSERT_EQ(448, qa1e_packed_bytes(3, 6));
		memset(out, 0xff, sizeof(out));
		qt_pack(3, 6, w3, bias, wzp, mult, shift, out);
		for (k = 0; k < 6; k++) {
			for (n = 0; n < 3; n++) {
				EXPECT_EQ((uint8_t)w3[k * 3 + n], out[pos3[k][n]]) {
					TH_LOG("w[%d][%d]", k, n);
				}
			}
		}
		EXPECT_EQ(0, out[12]);		/* padding: channels 3-15 */
		EXPECT_EQ(0, out[66]);		/* padding: k 6-7 */
		EXPECT_EQ(0, out[127]);
		EXPECT_EQ(1000, out[128] | out[129] << 8);		/* bias[0] */
		EXPECT_EQ(1002, out[136] | out[137] << 8);		/* bias[2] */
		EXPECT_EQ(0, out[140]);					/* bias[3]: padding */
		/* colsum[1] = sum of w[k][1] = sum (2 + 20k) = 12 + 300 */
		EXPECT_EQ(312, out[196] | out[197] << 8);
		EXPECT_EQ(2000, out[256] | out[257] << 8);		/* w_zp[0] */
		EXPECT_EQ(3001, out[324] | out[325] << 8);		/* mult[1] */
		EXPECT_EQ((uint8_t)-2, out[392]);			/* shift[2] */
		EXPECT_EQ(0xff, out[392 + 3]);				/* sign-extended */
	}

	/* N = 20: two panels; w[5][17] at byte 197; packed size 896. */
	ASSERT_EQ(896, qa1e_packed_bytes(20, 6));
	memset(out, 0xee, sizeof(out));
	qt_pack(20, 6, w, bias, wzp, mult, shift, out);
	EXPECT_EQ((uint8_t)w[5 * 20 + 17], out[197]);
	EXPECT_EQ((uint8_t)w[0 * 20 + 16], out[128]);		/* panel 1, k 0 */
	EXPECT_EQ(1019, out[256 + 76] | out[256 + 77] << 8);	/* bias[19] */
	EXPECT_EQ(0, out[256 + 80]);				/* bias[20]: padding */
}

/*
 * The worked example of the QA1 specification, checked against the value
 * the specification derives by hand (-97), not against the reference engine.
 */
TEST_F(gemm, spec_worked_example_gives_minus_97)
{
	static const uint8_t a[6] = { 130, 120, 128, 255, 0, 129 };
	static const int8_t w[6] = { 1, -2, 3, -4, 5, -6 };
	struct qt_gemm q;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_gemm_init(&q, 1, 1, 6, A_U8 | OUT_S8, 0, 0, &self->r));
	memcpy(q.a, a, 6);
	memcpy(q.w, w, 6);
	q.g.a_zp = 128;
	q.wzp[0] = 0;
	q.bias[0] = 100;
	q.mult[0] = 1518500250;
	q.shift[0] = -3;
	q.g.out_zp = -5;
	q.g.act_min = -128;
	q.g.act_max = 127;
	qt_gemm_finish(&q);
	ASSERT_EQ((uint8_t)-97, q.expect[0]);
	run_exact(_metadata, self->b.d.fd, &q, 0, 0, 0, "worked example");
}

TEST_F(gemm, every_a_and_output_type_is_bit_exact)
{
	size_t i;

	QT_NEED_JOBS(&self->b);

	for (i = 0; i < QT_ARRAY_SIZE(type_combos); i++)
		run_random(_metadata, self, 33, 40, 37, type_combos[i], 0, 0, "type combination");
}

/* Random shapes, types, strides and operand offsets. */
TEST_F_TIMEOUT(gemm, random_shapes_are_bit_exact, 120)
{
	struct qt_gemm q;
	int i;

	QT_NEED_JOBS(&self->b);

	qt_rng_seed(&self->r, 20260101);
	for (i = 0; i < 40; i++) {
		uint32_t m = (uint32_t)qt_rand_range(&self->r, 1, 48);
		uint32_t n = (uint32_t)qt_rand_range(&self->r, 1, 70);
		uint32_t k = (uint32_t)qt_rand_range(&self->r, 1, 160);
		uint32_t flags = type_combos[qt_rand(&self->r) % 6];
		uint32_t lda_pad = qt_rand(&self->r) % 2 ? (uint32_t)qt_rand_range(&self->r, 1, 70) : 0;
		uint32_t ldc_pad = qt_rand(&self->r) % 2 ? (uint32_t)qt_rand_range(&self->r, 1, 33) : 0;
		uint64_t a_off = qt_rand(&self->r) % 5000, w_off = qt_rand(&self->r) % 300;
		uint64_t c_off = qt_rand(&self->r) % 5000;

		ASSERT_EQ(0, qt_gemm_init(&q, m, n, k, flags, lda_pad, ldc_pad, &self->r));
		qt_gemm_finish(&q);
		run_exact(_metadata, self->b.d.fd, &q, a_off, w_off, c_off, "random shape");
	}
}

TEST_F(gemm, single_row_m1_is_bit_exact)
{
	static const uint32_t nk[][2] = { { 1, 1 }, { 16, 4 }, { 17, 5 }, { 1, 300 }, { 100, 1 } };
	size_t i, t;

	QT_NEED_JOBS(&self->b);

	for (i = 0; i < QT_ARRAY_SIZE(nk); i++)
		for (t = 0; t < QT_ARRAY_SIZE(type_combos); t += 2)
			run_random(_metadata, self, 1, nk[i][0], nk[i][1], type_combos[t], 0, 0,
				   "M=1");
}

/* K groups of 4 with a partial last group: the padding must not count. */
TEST_F(gemm, k_not_multiple_of_4_is_bit_exact)
{
	static const uint32_t ks[] = { 1, 2, 3, 5, 6, 7, 9, 13, 127, 257 };
	size_t i;

	QT_NEED_JOBS(&self->b);

	for (i = 0; i < QT_ARRAY_SIZE(ks); i++)
		run_random(_metadata, self, 7, 20, ks[i], type_combos[i % 6], 0, 0, "K % 4 != 0");
}

/* Output channel blocks of 16 with a partial last block. */
TEST_F(gemm, n_not_multiple_of_16_is_bit_exact)
{
	static const uint32_t ns[] = { 1, 2, 15, 17, 31, 33, 47, 100 };
	size_t i;

	QT_NEED_JOBS(&self->b);

	for (i = 0; i < QT_ARRAY_SIZE(ns); i++)
		run_random(_metadata, self, 5, ns[i], 24, type_combos[(i + 1) % 6], 0, 0,
			   "N % 16 != 0");
}

/*
 * Extreme zero points and parameters: A all at one end of its type with the
 * zero point at the other, weight zero points and biases at the int32 limits
 * (the accumulator wraps modulo 2^32), multipliers 0 / maximal / negative,
 * shifts at and beyond their limits (clamped), one-value clamp ranges.
 */
TEST_F(gemm, extreme_zero_points_and_parameters_are_bit_exact)
{
	static const int32_t wzps[] = { 0, 127, -128, INT32_MAX, INT32_MIN, 65537 };
	static const int32_t mults[] = { 0, INT32_MAX, 1 << 30, -1, INT32_MIN, 1 };
	static const int32_t shifts[] = { -31, 30, -40, 45, 0, -1 };
	size_t t, v;
	uint32_t j;
	size_t i;

	QT_NEED_JOBS(&self->b);

	for (t = 0; t < QT_ARRAY_SIZE(type_combos); t++) {
		for (v = 0; v < 4; v++) {
			uint32_t flags = type_combos[t];
			int a_signed = !!(flags & A_S8);
			struct qt_gemm q;

			ASSERT_EQ(0, qt_gemm_init(&q, 3, 21, 11, flags, 0, 0, &self->r));
			/* A at one extreme, a_zp at the other. */
			for (i = 0; i < q.a_bytes; i++)
				q.a[i] = v & 1 ? (a_signed ? 0x80 : 0x00) : (a_signed ? 0x7f : 0xff);
			if (v & 2)
				for (i = 0; i < q.a_bytes; i += 3)
					q.a[i] ^= 0xff;
			q.g.a_zp = v & 1 ? (a_signed ? 127 : 255) : (a_signed ? -128 : 0);
			for (i = 0; i < (size_t)q.g.k * q.g.n; i++)
				q.w[i] = (i + v) % 3 ? -128 : 127;
			for (j = 0; j < q.g.n; j++) {
				q.wzp[j] = wzps[(j + v) % QT_ARRAY_SIZE(wzps)];
				q.bias[j] = j % 2 ? INT32_MAX : INT32_MIN;
				q.mult[j] = mults[(j + v) % QT_ARRAY_SIZE(mults)];
				q.shift[j] = shifts[(j * 5 + v) % QT_ARRAY_SIZE(shifts)];
			}
			if (!(flags & OUT_S32)) {
				int32_t lo = flags & OUT_U8 ? 0 : -128, hi = flags & OUT_U8 ? 255 : 127;

				q.g.out_zp = v & 1 ? hi : lo;
				q.g.act_min = lo;
				q.g.act_max = hi;
				if (v == 2) {
					q.g.act_min = q.g.act_max = lo + 7;	/* one value */
				} else if (v == 3) {
					q.g.act_min = hi;
					q.g.act_max = hi;
				}
			}
			qt_gemm_finish(&q);
			run_exact(_metadata, self->b.d.fd, &q, 0, 0, 0, "extreme parameters");
		}
	}
}

/* The expanded form uses the column sums stored in the block, whatever they hold. */
TEST_F(gemm, stored_column_sums_are_used)
{
	struct qt_gemm q;
	size_t t;

	QT_NEED_JOBS(&self->b);

	for (t = 0; t < QT_ARRAY_SIZE(type_combos); t += 1) {
		ASSERT_EQ(0, qt_gemm_init(&q, 4, 19, 10, type_combos[t], 0, 0, &self->r));
		q.g.a_zp = q.g.a_signed ? -77 : 201;
		q.corrupt_colsum = 1;
		qt_gemm_finish(&q);
		run_exact(_metadata, self->b.d.fd, &q, 0, 0, 0, "stored colsum");
	}
}

/*
 * Padded strides: the bytes between rows of A are not read (they hold
 * random data) and the bytes between rows of C are not written.
 */
TEST_F(gemm, lda_ldc_padding_is_ignored_and_untouched)
{
	size_t t;

	QT_NEED_JOBS(&self->b);

	for (t = 0; t < QT_ARRAY_SIZE(type_combos); t++)
		run_random(_metadata, self, 9, 23, 13, type_combos[t], 61 + (uint32_t)t, 29 + (uint32_t)t,
			   "padded strides");
}

/* Operands need no alignment: odd offsets inside their BOs, across page ends. */
TEST_F(gemm, unaligned_operands_are_bit_exact)
{
	static const uint64_t offs[][3] = {
		{ 1, 3, 5 }, { 4095, 4093, 4091 }, { 4096 - 17, 64 + 1, 8192 - 3 },
	};
	struct qt_gemm q;
	size_t i;

	QT_NEED_JOBS(&self->b);

	for (i = 0; i < QT_ARRAY_SIZE(offs); i++) {
		ASSERT_EQ(0, qt_gemm_init(&q, 6, 35, 29, type_combos[i * 2 + 1], 3, 2, &self->r));
		qt_gemm_finish(&q);
		run_exact(_metadata, self->b.d.fd, &q, offs[i][0], offs[i][1], offs[i][2],
			  "unaligned operands");
	}
}

/* A, W and C in one BO named only in the write list (which the jobs may read). */
TEST_F(gemm, operands_sharing_one_written_bo)
{
	int fd = self->b.d.fd;
	uint64_t a_off = 100, w_off = 8192 + 64, c_off = 3 * 8192 + 7, seqno;
	char why[160];
	struct qt_gemm q;
	struct drm_qaccel_job job;
	struct qt_bo bo;
	int32_t status;
	size_t i;
	int ret;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_gemm_init(&q, 8, 24, 40, A_S8 | OUT_U8, 0, 0, &self->r));
	qt_gemm_finish(&q);
	ret = qt_bo_new(fd, 5 * 8192, 0, &bo);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	memset(bo.map, QT_C_FILL, bo.size);
	memcpy(bo.map + a_off, q.a, q.a_bytes);
	memcpy(bo.map + w_off, q.packed, q.packed_bytes);
	qt_job_fill(&job, &q, bo.va + a_off, bo.va + w_off, bo.va + c_off);
	ret = qt_submit(fd, 0, &job, 1, NULL, 0, &bo.handle, 1, NULL, 0, 0, &seqno);
	ASSERT_EQ(0, ret) TH_LOG("SUBMIT: %s", strerror(-ret));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, qt_compare(bo.map + c_off, q.expect, q.c_bytes, why, sizeof(why))) {
		TH_LOG("C: %s", why);
	}
	/* A and W are unchanged. */
	EXPECT_EQ(0, memcmp(bo.map + a_off, q.a, q.a_bytes));
	EXPECT_EQ(0, memcmp(bo.map + w_off, q.packed, q.packed_bytes));
	for (i = c_off + q.c_bytes; i < bo.size; i++) {
		if (bo.map[i] != QT_C_FILL) {
			EXPECT_EQ(QT_C_FILL, bo.map[i]) TH_LOG("byte %zu after C written", i);
			break;
		}
	}
	qt_bo_free(fd, &bo);
	qt_gemm_free(&q);
}

/*
 * Operands deep inside a BO larger than the biggest physically contiguous
 * allocation (4 MiB on kernels without CMA): the MMU maps it page by page.
 */
TEST_F_TIMEOUT(gemm, operands_in_large_noncontiguous_bo, 120)
{
	struct qt_gemm q;

	QT_NEED_JOBS(&self->b);

	ASSERT_EQ(0, qt_gemm_init(&q, 96, 48, 700, A_U8 | OUT_S32, 13, 8, &self->r));
	qt_gemm_finish(&q);
	run_exact(_metadata, self->b.d.fd, &q, (6u << 20) + 5, (5u << 20) + 3, (9u << 20) + 1,
		  "large BOs");
}

/* The limits themselves: M = MAX_M, N = MAX_N, K = MAX_K (in turn). */
TEST_F_TIMEOUT(gemm, dimension_limits_are_bit_exact, 120)
{
	struct qt_dev *d = &self->b.d;

	QT_NEED_JOBS(&self->b);

	run_random(_metadata, self, (uint32_t)d->max_m, 1, 1, A_U8 | OUT_U8, 0, 0, "M = MAX_M");
	run_random(_metadata, self, 1, (uint32_t)d->max_n, 4, A_S8 | OUT_S32, 0, 0, "N = MAX_N");
	run_random(_metadata, self, 2, 17, (uint32_t)d->max_k, A_U8 | OUT_S32, 0, 0, "K = MAX_K");
	run_random(_metadata, self, 1, 16, (uint32_t)d->max_k, A_S8 | OUT_S8, 0, 0,
		   "K = MAX_K, s8");
}

/*
 * One submission of several jobs that run one after another: each job reads
 * the previous job's output as its A, so any reordering or overlap changes
 * the bytes. Output types alternate u8 / s8 to feed u8 / s8 A.
 */
TEST_F(gemm, multi_job_submission_runs_jobs_in_order)
{
	enum { NJOBS = 6, M = 5 };
	uint32_t dims[NJOBS + 1] = { 19, 24, 7, 33, 16, 3, 20 };
	struct drm_qaccel_job jobs[NJOBS];
	struct qt_gemm q[NJOBS];
	struct qt_bo a0, w[NJOBS], c[NJOBS];
	uint32_t rd[NJOBS + 1], wr[NJOBS];
	int fd = self->b.d.fd;
	char why[160];
	uint64_t seqno;
	int32_t status;
	int i, ret;

	QT_NEED_JOBS(&self->b);

	for (i = 0; i < NJOBS; i++) {
		uint32_t in_signed = i > 0 && (i - 1) % 2;	/* previous output was s8 */
		uint32_t flags = (i == 0 ? A_U8 : (in_signed ? A_S8 : A_U8)) |
				 (i % 2 ? OUT_S8 : OUT_U8);

		ASSERT_EQ(0, qt_gemm_init(&q[i], M, dims[i + 1], dims[i], flags, 0, 0, &self->r));
		if (i > 0)
			memcpy(q[i].a, q[i - 1].expect, q[i].a_bytes);
		qt_gemm_finish(&q[i]);
	}

	ret = qt_bo_new(fd, q[0].a_bytes, 0, &a0);
	ASSERT_EQ(0, ret) TH_LOG("BO: %s", strerror(-ret));
	memcpy(a0.map, q[0].a, q[0].a_bytes);
	rd[0] = a0.handle;
	for (i = 0; i < NJOBS; i++) {
		ASSERT_EQ(0, qt_bo_new(fd, q[i].packed_bytes, DRM_QACCEL_BO_DEVICE_READONLY, &w[i]));
		ASSERT_EQ(0, qt_bo_new(fd, q[i].c_bytes, 0, &c[i]));
		memcpy(w[i].map, q[i].packed, q[i].packed_bytes);
		memset(c[i].map, QT_C_FILL, c[i].size);
		rd[i + 1] = w[i].handle;
		wr[i] = c[i].handle;
		qt_job_fill(&jobs[i], &q[i], i ? c[i - 1].va : a0.va, w[i].va, c[i].va);
	}
	ret = qt_submit(fd, 0, jobs, NJOBS, rd, NJOBS + 1, wr, NJOBS, NULL, 0, 0, &seqno);
	ASSERT_EQ(0, ret) TH_LOG("SUBMIT: %s", strerror(-ret));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	for (i = 0; i < NJOBS; i++) {
		EXPECT_EQ(0, qt_compare(c[i].map, q[i].expect, q[i].c_bytes, why, sizeof(why))) {
			TH_LOG("job %d of the chain: %s", i, why);
		}
	}
	for (i = 0; i < NJOBS; i++) {
		qt_bo_free(fd, &w[i]);
		qt_bo_free(fd, &c[i]);
		qt_gemm_free(&q[i]);
	}
	qt_bo_free(fd, &a0);
}

/* A submission of MAX_JOBS independent jobs sharing A and W. */
TEST_F(gemm, max_jobs_submission_is_bit_exact)
{
	struct drm_qaccel_job *jobs;
	int fd = self->b.d.fd;
	uint32_t n = (uint32_t)self->b.d.max_jobs, i;
	struct qt_gemm q[4];
	struct qt_bo a, w, c;
	uint64_t seqno, a_stride = 4096, w_stride = 4096, c_stride;
	uint32_t rd[2];
	char why[160];
	int32_t status;
	int ret;

	QT_NEED_JOBS(&self->b);

	/* Four different problems, job i runs problem i % 4 into its own slot. */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, qt_gemm_init(&q[i], 4, 18, 12, type_combos[i + 1], 0, 0, &self->r));
		qt_gemm_finish(&q[i]);
	}
	c_stride = 512;
	ASSERT_EQ(0, qt_bo_new(fd, 4 * a_stride, 0, &a));
	ASSERT_EQ(0, qt_bo_new(fd, 4 * w_stride, DRM_QACCEL_BO_DEVICE_READONLY, &w));
	ASSERT_EQ(0, qt_bo_new(fd, n * c_stride, 0, &c));
	memset(c.map, QT_C_FILL, c.size);
	jobs = calloc(n, sizeof(*jobs));
	ASSERT_NE(NULL, jobs);
	for (i = 0; i < 4; i++) {
		memcpy(a.map + i * a_stride, q[i].a, q[i].a_bytes);
		memcpy(w.map + i * w_stride, q[i].packed, q[i].packed_bytes);
	}
	for (i = 0; i < n; i++)
		qt_job_fill(&jobs[i], &q[i % 4], a.va + (i % 4) * a_stride,
			    w.va + (i % 4) * w_stride, c.va + i * c_stride);
	rd[0] = a.handle;
	rd[1] = w.handle;
	ret = qt_submit(fd, 0, jobs, n, rd, 2, &c.handle, 1, NULL, 0, 0, &seqno);
	ASSERT_EQ(0, ret) TH_LOG("SUBMIT of %u jobs: %s", n, strerror(-ret));
	ASSERT_EQ(0, qt_job_wait(fd, 0, seqno, QT_JOB_TIMEOUT, &status));
	EXPECT_EQ(0, status);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, qt_compare(c.map + i * c_stride, q[i % 4].expect, q[i % 4].c_bytes,
					why, sizeof(why))) {
			TH_LOG("job %u: %s", i, why);
		}
	}
	free(jobs);
	for (i = 0; i < 4; i++)
		qt_gemm_free(&q[i]);
	qt_bo_free(fd, &a);
	qt_bo_free(fd, &w);
	qt_bo_free(fd, &c);
}

/*
 * Seqnos of a queue start at 1 and count submissions; JOB_WAIT reports 0
 * for each; BO_WAIT returns once the BO's jobs are done.
 */
TEST_F(gemm, seqnos_count_submissions_from_1)
{
	struct qt_placed p;
	int fd = self->b.d.fd;
	uint64_t seqno;
	int32_t status;
	char why[160];
	int i, ret;

	QT_NEED_JOBS(&self->b);
	QT_NEED(&self->b, BO_WAIT);

	ret = qt_placed_new(fd, &p, 3, 5, 7, A_U8 | OUT_S8, &self->r);
	ASSERT_EQ(0, ret) TH_LOG("GEMM: %s", strerror(-ret));
	for (i = 1; i <= 5; i++) {
		qt_placed_reset_c(&p);
		ASSERT_EQ(0, qt_placed_submit(fd, &p, 0, NULL, 0, 0, &seqno));
		EXPECT_EQ((uint64_t)i, seqno);
		ASSERT_EQ(0, qt_bo_wait(fd, p.c.handle, QT_JOB_TIMEOUT));
		EXPECT_EQ(0, qt_placed_check(&p, why, sizeof(why))) TH_LOG("%s", why);
	}
	for (i = 1; i <= 5; i++) {
		status = 1;
		EXPECT_EQ(0, qt_job_wait(fd, 0, (uint64_t)i, 0, &status));
		EXPECT_EQ(0, status);
	}
	qt_placed_free(fd, &p);
}

/* Jobs are counted in sysfs (submitted, completed, busy time) and fdinfo. */
TEST_F(gemm, counters_and_fdinfo_account_jobs)
{
	long long sub0, done0, fail0, busy0, sub1, done1, fail1, busy1;
	unsigned long long eng0 = 0, eng1 = 0;
	const struct qaccel_node *node = &self->b.d.node;
	int fd = self->b.d.fd;
	struct qt_placed p;
	char text[128];
	int i, ret;

	QT_NEED_JOBS(&self->b);

	ret = qt_fdinfo(fd, "drm-driver", text, sizeof(text));
	EXPECT_EQ(0, ret);
	if (!ret) {
		EXPECT_STREQ("qaccel", text);
	}
	EXPECT_EQ(0, qt_fdinfo(fd, "drm-client-id", text, sizeof(text)));
	if (qt_fdinfo(fd, "drm-engine-qa1", text, sizeof(text)) == 0)
		eng0 = strtoull(text, NULL, 10);

	QT_COUNTER(node, "jobs_submitted", &sub0);
	QT_COUNTER(node, "jobs_completed", &done0);
	QT_COUNTER(node, "jobs_failed", &fail0);
	QT_COUNTER(node, "busy_ns", &busy0);
	ret = qt_placed_new(fd, &p, 16, 48, 64, A_S8 | OUT_S8, &self->r);
	ASSERT_EQ(0, ret);
	for (i = 0; i < 5; i++)
		QT_RUN_EXACT(fd, &p, 0);
	QT_COUNTER(node, "jobs_submitted", &sub1);
	QT_COUNTER(node, "jobs_completed", &done1);
	QT_COUNTER(node, "jobs_failed", &fail1);
	QT_COUNTER(node, "busy_ns", &busy1);
	EXPECT_EQ(sub0 + 5, sub1);
	EXPECT_EQ(done0 + 5, done1);
	EXPECT_EQ(fail0, fail1);
	EXPECT_LT(busy0, busy1);

	ret = qt_fdinfo(fd, "drm-engine-qa1", text, sizeof(text));
	EXPECT_EQ(0, ret) TH_LOG("fdinfo has no drm-engine-qa1 key");
	if (!ret) {
		eng1 = strtoull(text, NULL, 10);
		EXPECT_LT(eng0, eng1) TH_LOG("drm-engine-qa1 %llu before, %llu after 5 jobs",
					     eng0, eng1);
		EXPECT_NE(NULL, strstr(text, "ns"));
	}
	qt_placed_free(fd, &p);
}

/* Each engine runs jobs of its own files; the second engine is as exact. */
TEST_F(gemm, second_engine_is_bit_exact)
{
	struct qt_dev d2;
	struct qt_placed p;
	size_t t;
	int ret;

	QT_NEED_JOBS(&self->b);
	if (qt_node_count() < 2)
		SKIP(return, "needs two qaccel nodes");

	ret = qt_dev_open(&d2, 1);
	ASSERT_EQ(0, ret);
	for (t = 0; t < QT_ARRAY_SIZE(type_combos); t++) {
		ret = qt_placed_new(d2.fd, &p, 11, 29, 23, type_combos[t], &self->r);
		ASSERT_EQ(0, ret);
		QT_RUN_EXACT(d2.fd, &p, 0);
		qt_placed_free(d2.fd, &p);
	}
	qt_dev_close(&d2);
}

TEST_HARNESS_MAIN
