/*
 * test_gguf_codec: the float conversions and ternary block codecs of model/tern_ternary.c.
 *
 * Float conversions are checked against bit patterns worked out by hand; the codecs
 * against hand-computed bytes and against a one-weight-at-a-time layout probe that
 * pins which byte and bits hold every weight. Random data uses a fixed-seed xorshift
 * so failures reproduce. The file format itself is tested in test_gguf.c.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tern_gguf.h"
#include "tern_ternary.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void rnd_ternary(int8_t *w, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		w[i] = (int8_t)(rnd() % 3) - 1;
}


/* ---------------------------------------------------------------- fp16 / bf16 */

Test(f16, known_bits)
{
	cr_assert_eq(tern_f32_to_f16(1.0f), 0x3c00);
	cr_assert_eq(tern_f32_to_f16(-2.5f), 0xc100);
	cr_assert_eq(tern_f32_to_f16(0.5f), 0x3800);
	cr_assert_eq(tern_f32_to_f16(65504.0f), 0x7bff);
	cr_assert_eq(tern_f32_to_f16(65519.0f), 0x7bff);
	cr_assert_eq(tern_f32_to_f16(65520.0f), 0x7c00);
	cr_assert_eq(tern_f32_to_f16(0.1f), 0x2e66);
	cr_assert_eq(tern_f32_to_f16(1.0f / 3.0f), 0x3555);
	cr_assert_eq(tern_f32_to_f16(ldexpf(1, -14)), 0x0400);
	cr_assert_eq(tern_f32_to_f16(ldexpf(1, -24)), 0x0001);
	cr_assert_eq(tern_f32_to_f16(ldexpf(1023, -24)), 0x03ff);
	cr_assert_eq(tern_f32_to_f16(ldexpf(1, -25)), 0x0000);     /* tie to even */
	cr_assert_eq(tern_f32_to_f16(ldexpf(3, -26)), 0x0001);     /* above the tie */
	cr_assert_eq(tern_f32_to_f16(ldexpf(3, -25)), 0x0002);     /* 1.5 ulp: tie to even */
	cr_assert_eq(tern_f32_to_f16(1.0f + ldexpf(1, -11)), 0x3c00);
	cr_assert_eq(tern_f32_to_f16(1.0f + ldexpf(3, -11)), 0x3c02);
	cr_assert_eq(tern_f32_to_f16(-0.0f), 0x8000);
	cr_assert_eq(tern_f32_to_f16(INFINITY), 0x7c00);
	cr_assert_eq(tern_f32_to_f16(-INFINITY), 0xfc00);
	cr_assert_eq(tern_f32_to_f16(1e-30f), 0x0000);
	uint16_t h = tern_f32_to_f16(NAN);
	cr_assert((h & 0x7c00) == 0x7c00 && (h & 0x3ff));
}

Test(f16, decode_and_exhaustive_round_trip)
{
	cr_assert_eq(tern_f16_to_f32(0x3c00), 1.0f);
	cr_assert_eq(tern_f16_to_f32(0xc100), -2.5f);
	cr_assert_eq(tern_f16_to_f32(0x0001), ldexpf(1, -24));
	cr_assert_eq(tern_f16_to_f32(0x03ff), ldexpf(1023, -24));
	cr_assert_eq(tern_f16_to_f32(0x7bff), 65504.0f);
	cr_assert(isinf(tern_f16_to_f32(0x7c00)));
	cr_assert(isnan(tern_f16_to_f32(0x7e00)));
	cr_assert(signbit(tern_f16_to_f32(0x8000)));
	for (uint32_t i = 0; i < 0x10000; i++) {
		uint16_t x = (uint16_t)i;

		if ((x & 0x7c00) == 0x7c00 && (x & 0x3ff))
			continue;
		cr_assert_eq(tern_f32_to_f16(tern_f16_to_f32(x)), x, "0x%04x", x);
	}
}

Test(bf16, known_bits_and_round_trip)
{
	cr_assert_eq(tern_f32_to_bf16(1.0f), 0x3f80);
	cr_assert_eq(tern_f32_to_bf16(-2.5f), 0xc020);
	cr_assert_eq(tern_f32_to_bf16(0.1f), 0x3dcd);
	cr_assert_eq(tern_f32_to_bf16(INFINITY), 0x7f80);
	cr_assert_eq(tern_f32_to_bf16(3.4028234e38f), 0x7f80);     /* rounds up to inf */
	cr_assert_eq(tern_f32_to_bf16(1.0f + ldexpf(1, -8)), 0x3f80); /* tie to even */
	cr_assert_eq(tern_f32_to_bf16(ldexpf(1, -133)), 0x0001);   /* subnormal */
	cr_assert(isnan(tern_bf16_to_f32(tern_f32_to_bf16(NAN))));
	cr_assert_eq(tern_bf16_to_f32(0xc020), -2.5f);
	for (uint32_t i = 0; i < 0x10000; i++) {
		uint16_t x = (uint16_t)i;

		if ((x & 0x7f80) == 0x7f80 && (x & 0x7f))
			continue;
		cr_assert_eq(tern_f32_to_bf16(tern_bf16_to_f32(x)), x, "0x%04x", x);
	}
}

/* ---------------------------------------------------------------- codecs */

Test(tq1_0, known_bytes)
{
	int8_t w[256], back[256];
	uint8_t b[54];

	memset(w, 0, sizeof(w));
	tern_tq1_0_pack_block(w, 0x3c00, b);
	/* all codes 1: 11111 (base 3) = 121 -> ceil(121*256/243) = 128; qh: 1111 -> 40,
	 * shifted one trit -> 120 -> ceil(120*256/243) = 127 */
	for (int i = 0; i < 48; i++)
		cr_assert_eq(b[i], 128);
	for (int i = 48; i < 52; i++)
		cr_assert_eq(b[i], 127);
	cr_assert(b[52] == 0x00 && b[53] == 0x3c);
	memset(w, 1, sizeof(w));
	tern_tq1_0_pack_block(w, 0, b);
	cr_assert(b[0] == 255 && b[47] == 255 && b[48] == 253);
	tern_tq1_0_unpack_block(b, back);
	cr_assert_arr_eq(back, w, 256);
}

/* Which byte holds weight i, learned from ggml's TQ1_0 description (docs/gguf.md). */
static int tq1_byte_of(int i)
{
	return i < 160 ? i % 32 : i < 240 ? 32 + (i - 160) % 16 : 48 + (i - 240) % 4;
}

Test(tq1_0, layout_and_every_trit_combination)
{
	int8_t w[256], back[256];
	uint8_t zero[54], b[54];

	memset(w, 0, sizeof(w));
	tern_tq1_0_pack_block(w, 0, zero);
	for (int i = 0; i < 256; i++) {
		w[i] = 1;
		tern_tq1_0_pack_block(w, 0, b);
		for (int k = 0; k < 54; k++)
			cr_assert_eq(b[k] != zero[k], k == tq1_byte_of(i), "weight %d byte %d", i, k);
		w[i] = 0;
	}
	/* all 243 five-trit groups through byte 0's weights 0,32,64,96,128 */
	for (int q = 0; q < 243; q++) {
		for (int n = 0, r = q; n < 5; n++, r /= 3)
			w[32 * (4 - n)] = (int8_t)(r % 3 - 1);
		tern_tq1_0_pack_block(w, 0, b);
		tern_tq1_0_unpack_block(b, back);
		cr_assert_arr_eq(back, w, 256, "q=%d", q);
	}
	for (int r = 0; r < 200; r++) {
		rnd_ternary(w, 256);
		tern_tq1_0_pack_block(w, 0, b);
		tern_tq1_0_unpack_block(b, back);
		cr_assert_arr_eq(back, w, 256);
	}
}

Test(tq2_0, layout_bits)
{
	int8_t w[256], back[256];
	uint8_t b[66];

	memset(w, 0, sizeof(w));
	for (int i = 0; i < 256; i++) {
		int c = i / 128, l = i % 128 / 32, m = i % 32;

		w[i] = 1; /* code 2 replaces code 1 at bits 2l of byte 32c + m */
		tern_tq2_0_pack_block(w, 0x1234, b);
		for (int k = 0; k < 64; k++)
			cr_assert_eq(b[k], k == 32 * c + m ? 0x55 + (1 << (2 * l)) : 0x55);
		cr_assert(b[64] == 0x34 && b[65] == 0x12);
		w[i] = 0;
	}
	rnd_ternary(w, 256);
	tern_tq2_0_pack_block(w, 0, b);
	cr_assert_eq(tern_tq2_0_unpack_block(b, back), 0);
	cr_assert_arr_eq(back, w, 256);
	b[40] |= 0x30; /* weight 128 + 2*32 + 8 becomes code 3 */
	cr_assert_eq(tern_tq2_0_unpack_block(b, back), -1 - 200);
}

Test(i2s, layout_bits)
{
	int8_t w[256], back[256];
	uint8_t b[256 / 4 + 32];
	float s;

	memset(w, 0, sizeof(w));
	cr_assert_eq(tern_i2s_bytes(256), 96);
	for (int i = 0; i < 256; i++) {
		int g = i / 128, k = i % 128 / 32, j = i % 32;

		w[i] = -1; /* code 0 replaces code 1 at bits 6-2k of byte 32g + j */
		tern_i2s_pack(w, 256, 0.75f, b);
		for (int x = 0; x < 64; x++)
			cr_assert_eq(b[x], x == 32 * g + j ? 0x55 - (1 << (6 - 2 * k)) : 0x55);
		cr_assert_eq(tern_le32(b + 64), tern_f32_bits(0.75f));
		for (int x = 68; x < 96; x++)
			cr_assert_eq(b[x], 0);
		w[i] = 0;
	}
	rnd_ternary(w, 256);
	tern_i2s_pack(w, 256, 2.5f, b);
	cr_assert_eq(tern_i2s_unpack(b, 256, back, &s), 0);
	cr_assert_arr_eq(back, w, 256);
	cr_assert_eq(s, 2.5f);
	b[3] |= 0xc0;
	cr_assert_eq(tern_i2s_unpack(b, 256, back, &s), -1 - 3);
}
