/* SPDX-License-Identifier: MIT */
/*
 * The qaccel model file layout (format version 1.0), shared by the library
 * (model.c) and the tests that build damaged files on purpose. All integers
 * and floats are little-endian; Documentation/model-format.rst is the prose
 * form of this header.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#ifndef QACCEL_MODEL_FORMAT_H
#define QACCEL_MODEL_FORMAT_H

/* 0x89 "QAM" CR LF 0x1a LF: binary, and damaged by text-mode transfers. */
#define QAM_MAGIC		"\x89QAM\r\n\x1a\n"
#define QAM_MAGIC_LEN		8

/* File header (QAM_HEADER_SIZE bytes at offset 0). */
#define QAM_HDR_MAGIC		0	/* u8[8] */
#define QAM_HDR_VERSION_MAJOR	8	/* u16 */
#define QAM_HDR_VERSION_MINOR	10	/* u16 */
#define QAM_HDR_HEADER_SIZE	12	/* u32, >= QAM_HEADER_SIZE */
#define QAM_HDR_FLAGS		16	/* u32, no flag defined: must be 0 */
#define QAM_HDR_LAYER_COUNT	20	/* u32, 1..QACCEL_MODEL_MAX_LAYERS */
#define QAM_HDR_FILE_SIZE	24	/* u64, the whole file, CRC included */
#define QAM_HDR_TABLE_OFFSET	32	/* u32, offset of the layer table */
#define QAM_HDR_ENTRY_SIZE	36	/* u32, >= QAM_ENTRY_SIZE, multiple of 8 */
#define QAM_HDR_IN_TYPE		40	/* u32, QACCEL_DTYPE_U8/S8 */
#define QAM_HDR_IN_SCALE	44	/* f32 */
#define QAM_HDR_IN_ZP		48	/* s32 */
#define QAM_HDR_INFO_OFFSET	52	/* u32 */
#define QAM_HDR_INFO_SIZE	56	/* u32, < QACCEL_MODEL_INFO_MAX */
#define QAM_HDR_RESERVED	60	/* u32, 0 */
#define QAM_HEADER_SIZE		64

/* Layer table entry (one per layer, QAM_HDR_ENTRY_SIZE bytes apart). */
#define QAM_L_IN_FEATURES	0	/* u32 K */
#define QAM_L_OUT_FEATURES	4	/* u32 N */
#define QAM_L_OUT_TYPE		8	/* u32 QACCEL_DTYPE_U8/S8/S32 */
#define QAM_L_ACTIVATION	12	/* u32 enum qaccel_activation */
#define QAM_L_OUT_SCALE		16	/* f32, 0 for s32 */
#define QAM_L_OUT_ZP		20	/* s32 */
#define QAM_L_ACT_MIN		24	/* s32 */
#define QAM_L_ACT_MAX		28	/* s32 */
#define QAM_L_OUT_MIN		32	/* f32 calibrated range (informational) */
#define QAM_L_OUT_MAX		36	/* f32 */
#define QAM_L_FLAGS		40	/* u32, 0 */
#define QAM_L_RESERVED0		44	/* u32, 0 */
#define QAM_L_SCALES_OFFSET	48	/* u64, N f32 weight scales */
#define QAM_L_SCALES_SIZE	56	/* u64, 4 * N */
#define QAM_L_PACKED_OFFSET	64	/* u64, 64-byte aligned */
#define QAM_L_PACKED_SIZE	72	/* u64, qaccel_packed_size(N, K) */
#define QAM_L_RESERVED1		80	/* 48 bytes of 0 */
#define QAM_ENTRY_SIZE		128

/* The last 4 bytes: CRC-32 (zlib's crc32()) of every byte before them. */
#define QAM_CRC_SIZE		4

#endif /* QACCEL_MODEL_FORMAT_H */
