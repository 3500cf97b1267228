/*
 * tern_ternary: scalar float conversions (fp16, bf16) and the three on-disk ternary
 * weight codecs tern reads and writes: ggml's TQ1_0 (base-3, 54 bytes per 256
 * weights), ggml's TQ2_0 (2-bit codes, 66 bytes per 256 weights) and bitnet.cpp's
 * I2_S (2-bit codes over the whole tensor, one float scale in a 32-byte tail).
 *
 * Weights are int8 values in {-1, 0, +1}; every codec stores the code w + 1. The exact
 * bit positions are drawn in docs/gguf.md together with the source files they were
 * learned from. Packers assume valid input (the GGUF writer checks it first); unpackers
 * refuse codes no encoder produces (2-bit code 3) instead of inventing a weight of 2.
 * Everything here is pure computation: no allocation, no I/O, host endianness free.
 */
#ifndef TERN_TERNARY_H
#define TERN_TERNARY_H

#include <stddef.h>
#include <stdint.h>

#define TERN_QK_K            256  /* weights per TQ1_0 / TQ2_0 block */
#define TERN_TQ1_0_BYTES     54   /* qs[48], qh[4], fp16 d */
#define TERN_TQ2_0_BYTES     66   /* qs[64], fp16 d */
#define TERN_I2S_GROUP       128  /* weights per 32-byte I2_S group (x86 layout) */
#define TERN_I2S_TAIL        32   /* bytes after the codes; the f32 scale is first */

/* IEEE binary16 and bfloat16, round to nearest even; NaN stays NaN (quiet), overflow
 * becomes infinity, binary16 subnormals are produced and read exactly. */
uint16_t tern_f32_to_f16(float f);
float tern_f16_to_f32(uint16_t h);
uint16_t tern_f32_to_bf16(float f);
float tern_bf16_to_f32(uint16_t h);

/* Little-endian field access that works on any alignment and any host. */
static inline uint16_t tern_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t tern_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t tern_le64(const uint8_t *p)
{
	return (uint64_t)tern_le32(p) | (uint64_t)tern_le32(p + 4) << 32;
}

static inline void tern_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void tern_put32(uint8_t *p, uint32_t v)
{
	tern_put16(p, (uint16_t)v);
	tern_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void tern_put64(uint8_t *p, uint64_t v)
{
	tern_put32(p, (uint32_t)v);
	tern_put32(p + 4, (uint32_t)(v >> 32));
}

float tern_f32_from_bits(uint32_t u);
uint32_t tern_f32_bits(float f);

/* One 256-weight block. d is the block's fp16 scale bits (stored at the block's end). */
void tern_tq1_0_pack_block(const int8_t *w, uint16_t d, uint8_t *blk);
void tern_tq1_0_unpack_block(const uint8_t *blk, int8_t *w);
void tern_tq2_0_pack_block(const int8_t *w, uint16_t d, uint8_t *blk);
/* Returns 0, or -1 - i when weight i holds the unused code 3. */
int tern_tq2_0_unpack_block(const uint8_t *blk, int8_t *w);

/* I2_S over a whole tensor of n weights (n a multiple of TERN_I2S_GROUP):
 * tern_i2s_bytes(n) = n / 4 + TERN_I2S_TAIL. */
uint64_t tern_i2s_bytes(uint64_t n);
void tern_i2s_pack(const int8_t *w, uint64_t n, float scale, uint8_t *dst);
/* Returns 0, or -1 - i when weight i holds code 3. */
int64_t tern_i2s_unpack(const uint8_t *src, uint64_t n, int8_t *w, float *scale);

#endif /* TERN_TERNARY_H */
