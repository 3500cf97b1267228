/*
 * tern_ternary: fp16/bf16 conversions, the TQ1_0, TQ2_0 and I2_S block codecs, the
 * ggml type table (block sizes for every type a GGUF file may hold) and the decoders
 * that turn a validated GGUF tensor into int8 weights + scale, or floats.
 *
 * The layouts follow ggml's TQ1_0/TQ2_0 (ggml-common.h, ggml-quants.c) and bitnet.cpp's
 * I2_S (ggml-bitnet-mad.cpp, x86 build with ACT_PARALLEL, and the Python converter
 * utils/convert-hf-to-gguf-bitnet.py); docs/gguf.md draws them. The code here is
 * written from those descriptions, not copied: plain loops that state, for every
 * weight, which byte and which bits hold it.
 */
#include "tern_ternary.h"
#include "tern_gguf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint32_t tern_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

float tern_f32_from_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* Round m >> shift to nearest, ties to even (shift in 1..31). */
static uint32_t rne_shift(uint32_t m, unsigned int shift)
{
	uint32_t r = m >> shift;
	uint32_t rem = m & ((1u << shift) - 1);
	uint32_t half = 1u << (shift - 1);

	if (rem > half || (rem == half && (r & 1)))
		r++;
	return r;
}

uint16_t tern_f32_to_f16(float f)
{
	uint32_t x = tern_f32_bits(f);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
	uint32_t ax = x & 0x7fffffff;

	if (ax > 0x7f800000) /* NaN: keep the top payload bits, force quiet */
		return sign | 0x7e00 | (uint16_t)((ax >> 13) & 0x3ff);
	if (ax >= 0x477ff000) /* >= 65520 rounds past 65504: infinity */
		return sign | 0x7c00;
	if (ax < 0x38800000) { /* below 2^-14: binary16 subnormal or zero */
		uint32_t e = ax >> 23;

		if (ax <= 0x33000000) /* <= 2^-25 ties to even: zero */
			return sign;
		/* value / 2^-24 = mant * 2^(e - 126), with e <= 112 */
		return sign | (uint16_t)rne_shift((ax & 0x7fffff) | 0x800000, 126 - e);
	}
	/* rebias the exponent 127 -> 15; a mantissa carry may step into the exponent */
	return sign | (uint16_t)rne_shift(ax - 0x38000000, 13);
}

float tern_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t e = (h >> 10) & 0x1f;
	uint32_t m = h & 0x3ff;

	if (e == 0x1f)
		return tern_f32_from_bits(sign | 0x7f800000 | m << 13);
	if (e == 0) {
		if (m == 0)
			return tern_f32_from_bits(sign);
		/* subnormal: normalise so the leading one becomes implicit */
		e = 113;
		while (!(m & 0x400)) {
			m <<= 1;
			e--;
		}
		return tern_f32_from_bits(sign | e << 23 | (m & 0x3ff) << 13);
	}
	return tern_f32_from_bits(sign | (e + 112) << 23 | m << 13);
}

uint16_t tern_f32_to_bf16(float f)
{
	uint32_t x = tern_f32_bits(f);

	if ((x & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((x >> 16) | 0x40);
	/* the carry of round-to-nearest-even may turn the largest finite into inf */
	return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

float tern_bf16_to_f32(uint16_t h)
{
	return tern_f32_from_bits((uint32_t)h << 16);
}

/*
 * TQ1_0. Five trits per byte as a fixed-point fraction: with q the base-3 number whose
 * most significant trit is the first weight, the byte is ceil(q * 256 / 243). Trit n
 * comes back as ((uint8_t)(byte * 3^n) * 3) >> 8: multiplying by 3^n modulo 256 drops
 * the n leading trits and the top trit of what remains is read off by * 3 >> 8.
 * qs[0..31] hold weights m + 32n, qs[32..47] weights 160 + m + 16n, qh[0..3] the last
 * sixteen as 240 + j + 4n with a fifth trit of zero.
 */
static const uint8_t pow3[6] = { 1, 3, 9, 27, 81, 243 };

static uint8_t tq1_byte(const int8_t *w, unsigned int stride, unsigned int ntrits)
{
	unsigned int q = 0;

	for (unsigned int n = 0; n < 5; n++)
		q = q * 3 + (n < ntrits ? (unsigned int)(w[n * stride] + 1) : 0);
	return (uint8_t)((q * 256 + 242) / 243);
}

static int8_t tq1_trit(uint8_t byte, unsigned int n)
{
	uint8_t q = (uint8_t)(byte * pow3[n]);

	return (int8_t)(((unsigned int)q * 3 >> 8) - 1);
}

void tern_tq1_0_pack_block(const int8_t *w, uint16_t d, uint8_t *blk)
{
	for (unsigned int m = 0; m < 32; m++)
		blk[m] = tq1_byte(w + m, 32, 5);
	for (unsigned int m = 0; m < 16; m++)
		blk[32 + m] = tq1_byte(w + 160 + m, 16, 5);
	for (unsigned int j = 0; j < 4; j++)
		blk[48 + j] = tq1_byte(w + 240 + j, 4, 4);
	tern_put16(blk + 52, d);
}

void tern_tq1_0_unpack_block(const uint8_t *blk, int8_t *w)
{
	for (unsigned int n = 0; n < 5; n++) {
		for (unsigned int m = 0; m < 32; m++)
			w[32 * n + m] = tq1_trit(blk[m], n);
		for (unsigned int m = 0; m < 16; m++)
			w[160 + 16 * n + m] = tq1_trit(blk[32 + m], n);
	}
	for (unsigned int n = 0; n < 4; n++)
		for (unsigned int j = 0; j < 4; j++)
			w[240 + 4 * n + j] = tq1_trit(blk[48 + j], n);
}

/*
 * TQ2_0: two 128-weight halves of 32 bytes; weight 128c + 32l + m sits in byte 32c + m
 * at bits 2l..2l+1 (least significant pair first).
 */
void tern_tq2_0_pack_block(const int8_t *w, uint16_t d, uint8_t *blk)
{
	for (unsigned int c = 0; c < 2; c++) {
		for (unsigned int m = 0; m < 32; m++) {
			unsigned int b = 0;

			for (unsigned int l = 0; l < 4; l++)
				b |= (unsigned int)(w[128 * c + 32 * l + m] + 1) << (2 * l);
			blk[32 * c + m] = (uint8_t)b;
		}
	}
	tern_put16(blk + 64, d);
}

int tern_tq2_0_unpack_block(const uint8_t *blk, int8_t *w)
{
	int bad = 0;

	for (unsigned int c = 0; c < 2; c++) {
		for (unsigned int l = 0; l < 4; l++) {
			for (unsigned int m = 0; m < 32; m++) {
				unsigned int code = blk[32 * c + m] >> (2 * l) & 3;
				unsigned int i = 128 * c + 32 * l + m;

				if (code == 3 && !bad)
					bad = -1 - (int)i;
				w[i] = (int8_t)code - 1;
			}
		}
	}
	return bad;
}

/*
 * I2_S: 128-weight groups of 32 bytes over the flattened tensor; weight 128g + 32k + j
 * sits in byte 32g + j at bits 6-2k..7-2k (most significant pair first). The f32 scale
 * follows the n/4 code bytes; the rest of the 32-byte tail is zero.
 */
uint64_t tern_i2s_bytes(uint64_t n)
{
	return n / 4 + TERN_I2S_TAIL;
}

void tern_i2s_pack(const int8_t *w, uint64_t n, float scale, uint8_t *dst)
{
	for (uint64_t g = 0; g < n / TERN_I2S_GROUP; g++) {
		const int8_t *src = w + g * TERN_I2S_GROUP;

		for (unsigned int j = 0; j < 32; j++) {
			unsigned int b = 0;

			for (unsigned int k = 0; k < 4; k++)
				b |= (unsigned int)(src[32 * k + j] + 1) << (6 - 2 * k);
			dst[g * 32 + j] = (uint8_t)b;
		}
	}
	memset(dst + n / 4, 0, TERN_I2S_TAIL);
	tern_put32(dst + n / 4, tern_f32_bits(scale));
}

int64_t tern_i2s_unpack(const uint8_t *src, uint64_t n, int8_t *w, float *scale)
{
	int64_t bad = 0;

	for (uint64_t g = 0; g < n / TERN_I2S_GROUP; g++) {
		for (unsigned int k = 0; k < 4; k++) {
			for (unsigned int j = 0; j < 32; j++) {
				unsigned int code = src[g * 32 + j] >> (6 - 2 * k) & 3;
				uint64_t i = g * TERN_I2S_GROUP + 32 * k + j;

				if (code == 3 && !bad)
					bad = -1 - (int64_t)i;
				w[i] = (int8_t)code - 1;
			}
		}
	}
	*scale = tern_f32_from_bits(tern_le32(src + n / 4));
	return bad;
}

/*
 * ggml type ids as upstream numbers them (ggml.h), with block size and bytes per block
 * (ggml-common.h). Ids 4, 5, 31-33 and 36-38 are retired upstream. bitnet.cpp's fork
 * reuses 36-39 for I2_S, I8_S, TL1 and TL2, so those depend on the file's origin.
 */
struct type_layout {
	const char *name;
	uint16_t blck;
	uint16_t bytes;
};

static const struct type_layout upstream_types[40] = {
	[0] = { "f32", 1, 4 },        [1] = { "f16", 1, 2 },
	[2] = { "q4_0", 32, 18 },     [3] = { "q4_1", 32, 20 },
	[6] = { "q5_0", 32, 22 },     [7] = { "q5_1", 32, 24 },
	[8] = { "q8_0", 32, 34 },     [9] = { "q8_1", 32, 36 },
	[10] = { "q2_K", 256, 84 },   [11] = { "q3_K", 256, 110 },
	[12] = { "q4_K", 256, 144 },  [13] = { "q5_K", 256, 176 },
	[14] = { "q6_K", 256, 210 },  [15] = { "q8_K", 256, 292 },
	[16] = { "iq2_xxs", 256, 66 }, [17] = { "iq2_xs", 256, 74 },
	[18] = { "iq3_xxs", 256, 98 }, [19] = { "iq1_s", 256, 50 },
	[20] = { "iq4_nl", 32, 18 },  [21] = { "iq3_s", 256, 110 },
	[22] = { "iq2_s", 256, 82 },  [23] = { "iq4_xs", 256, 136 },
	[24] = { "i8", 1, 1 },        [25] = { "i16", 1, 2 },
	[26] = { "i32", 1, 4 },       [27] = { "i64", 1, 8 },
	[28] = { "f64", 1, 8 },       [29] = { "iq1_m", 256, 56 },
	[30] = { "bf16", 1, 2 },
	[34] = { "tq1_0", TERN_QK_K, TERN_TQ1_0_BYTES },
	[35] = { "tq2_0", TERN_QK_K, TERN_TQ2_0_BYTES },
	[39] = { "mxfp4", 32, 17 },
};

/* 1: regular blocks (blck, bytes); 2: I2_S (sized by tern_i2s_bytes); 0: unknown;
 * -1: a bitnet.cpp type tern refuses (I8_S is an activation type, TL1/TL2 are tiled
 * for one kernel). */
int tern_gguf_type_layout(uint32_t type, enum tern_gguf_origin o, uint32_t *blck,
			  uint32_t *bytes, const char **name)
{
	static const char *const bitnet_names[4] = { "i2_s", "i8_s", "tl1", "tl2" };

	*blck = *bytes = 0;
	*name = "unknown";
	if (o == TERN_GGUF_ORIGIN_BITNET_CPP && type >= 36 && type <= 39) {
		*name = bitnet_names[type - 36];
		*blck = 1;
		return type == TERN_GGML_I2_S ? 2 : -1;
	}
	if (type >= 40 || !upstream_types[type].name)
		return 0;
	*name = upstream_types[type].name;
	*blck = upstream_types[type].blck;
	*bytes = upstream_types[type].bytes;
	return 1;
}

static int msg(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		for (char *p = err; *p; p++) /* file names stay on one line */
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return code;
}

static int block_nonzero(const int8_t *w)
{
	for (unsigned int i = 0; i < TERN_QK_K; i++)
		if (w[i])
			return 1;
	return 0;
}

/*
 * TQ blocks each carry a d; BitNet has one scale per tensor, so every block that holds
 * a non-zero weight must carry the same d bits. All-zero blocks are exempt: ggml's
 * quantizer writes d = max|w| = 0 for them, and their d multiplies nothing.
 */
static int decode_tq(const struct tern_gguf_tensor *t, int8_t *dst, float *scale,
		     char *err, size_t errlen)
{
	int tq1 = t->type == TERN_GGML_TQ1_0;
	unsigned int bb = tq1 ? TERN_TQ1_0_BYTES : TERN_TQ2_0_BYTES;
	uint64_t nb = t->n_elem / TERN_QK_K, ref = UINT64_MAX;
	uint16_t d0 = nb ? tern_le16(t->data + bb - 2) : 0;

	for (uint64_t b = 0; b < nb; b++) {
		const uint8_t *blk = t->data + b * bb;
		int8_t *w = dst + b * TERN_QK_K;
		uint16_t d = tern_le16(blk + bb - 2);
		int bad = 0;

		if (tq1)
			tern_tq1_0_unpack_block(blk, w);
		else
			bad = tern_tq2_0_unpack_block(blk, w);
		if (bad)
			return msg(err, errlen, TERN_GGUF_EINVAL,
				   "gguf: tensor '%s' weight %llu has 2-bit code 3 (not ternary)",
				   t->name, (unsigned long long)(b * TERN_QK_K - 1 - bad));
		if (!block_nonzero(w))
			continue;
		if (ref == UINT64_MAX) {
			ref = b;
			d0 = d;
		} else if (d != d0) {
			return msg(err, errlen, TERN_GGUF_ESCALE,
				   "gguf: tensor '%s' block %llu has scale d=0x%04x (%g) but block %llu has d=0x%04x (%g); tern needs one scale per tensor",
				   t->name, (unsigned long long)b, d, (double)tern_f16_to_f32(d),
				   (unsigned long long)ref, d0, (double)tern_f16_to_f32(d0));
		}
	}
	if ((d0 & 0x7c00) == 0x7c00)
		return msg(err, errlen, TERN_GGUF_ESCALE,
			   "gguf: tensor '%s' scale d=0x%04x is not finite", t->name, d0);
	*scale = tern_f16_to_f32(d0);
	return 0;
}

int tern_gguf_tensor_ternary(const struct tern_gguf *g, const struct tern_gguf_tensor *t,
			     int8_t *dst, float *scale, char *err, size_t errlen)
{
	int64_t bad;

	if (t->type == TERN_GGML_TQ1_0 || t->type == TERN_GGML_TQ2_0)
		return decode_tq(t, dst, scale, err, errlen);
	if (t->type != TERN_GGML_I2_S)
		return msg(err, errlen, TERN_GGUF_ETYPE,
			   "gguf: tensor '%s' has type %s, not a ternary type (tq1_0, tq2_0, i2_s)",
			   t->name, tern_gguf_type_name(g, t->type));
	bad = tern_i2s_unpack(t->data, t->n_elem, dst, scale);
	if (bad)
		return msg(err, errlen, TERN_GGUF_EINVAL,
			   "gguf: tensor '%s' weight %llu has 2-bit code 3 (not ternary)",
			   t->name, (unsigned long long)(-1 - bad));
	if ((tern_f32_bits(*scale) & 0x7f800000) == 0x7f800000)
		return msg(err, errlen, TERN_GGUF_ESCALE,
			   "gguf: tensor '%s' i2_s scale is not finite", t->name);
	return 0;
}

int tern_gguf_tensor_f32(const struct tern_gguf *g, const struct tern_gguf_tensor *t,
			 float *dst, char *err, size_t errlen)
{
	const uint8_t *p = t->data;

	switch (t->type) {
	case TERN_GGML_F32:
		for (uint64_t i = 0; i < t->n_elem; i++)
			dst[i] = tern_f32_from_bits(tern_le32(p + 4 * i));
		return 0;
	case TERN_GGML_F16:
		for (uint64_t i = 0; i < t->n_elem; i++)
			dst[i] = tern_f16_to_f32(tern_le16(p + 2 * i));
		return 0;
	case TERN_GGML_BF16:
		for (uint64_t i = 0; i < t->n_elem; i++)
			dst[i] = tern_bf16_to_f32(tern_le16(p + 2 * i));
		return 0;
	default:
		return msg(err, errlen, TERN_GGUF_ETYPE,
			   "gguf: tensor '%s' has type %s, not f32, f16 or bf16",
			   t->name, tern_gguf_type_name(g, t->type));
	}
}
