/*
 * Host ops of the forward pass against values worked out by hand: round half to
 * even, the three activation quantizers, RMSNorm, NEOX RoPE at known angles, softmax
 * and a two-token GQA attention, the FFN gates, and sampling determinism.
 */
#include <criterion/criterion.h>
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "tern_model.h"
#include "tern_pool.h"

#define NEAR(a, b) cr_expect(fabs((double)(a) - (double)(b)) < 1e-5, "%s = %.9g, want %.9g", #a, (double)(a), (double)(b))

Test(hostops, round_half_even)
{
	static const float in[] = { 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, 2.6f, -2.6f,
				    3.0f, -63.5f, 84.5f, 1e9f };
	static const float want[] = { 0, 2, 2, 0, -2, -2, 2, 3, -3, 3, -64, 84, 1e9f };
	unsigned i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		cr_expect_eq(tern_round_half_even(in[i]), want[i], "round(%g) = %g, want %g",
			     in[i], tern_round_half_even(in[i]), want[i]);
}

/* Against the C library's rintf in round-to-nearest (ties to even), over random floats
 * of every magnitude the quantizers see and beyond, ties, and the edges. Bit for bit,
 * except the sign of a zero result: tern gives +0 for (-0.5, 0) (floor(x) + 1, what
 * it always gave, so earlier runs and trained models stay bit-identical), rintf -0;
 * the quantizers make 0 of both. */
static int same_rounding(float r, float want)
{
	return want == 0.0f ? r == 0.0f : !memcmp(&r, &want, sizeof(r));
}

Test(hostops, round_half_even_matches_rintf)
{
	static const float edge[] = { 0.0f, -0.0f, 0.49999997f, -0.49999997f, 8388607.5f,
				      -8388607.5f, 8388608.0f, 16777217.0f, 1e30f, -1e30f,
				      1.4e-45f, -1.4e-45f };
	uint64_t s = 12345;
	unsigned i;

	cr_assert_eq(fesetround(FE_TONEAREST), 0);
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		float r = tern_round_half_even(edge[i]), want = rintf(edge[i]);

		cr_expect(same_rounding(r, want), "round(%a) = %a, rintf %a", edge[i], r, want);
	}
	for (i = 0; i < 200000; i++) {
		float x, r, want;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		/* a quarter exact halves (ties), the rest any magnitude up to 2^25 */
		if (i % 4 == 0)
			x = (float)((int32_t)(s >> 40) - (1 << 23)) / 2.0f + 0.0f;
		else
			x = ldexpf((float)(int32_t)(s >> 32) / 2147483648.0f, (int)((s >> 8) % 26));
		r = tern_round_half_even(x);
		want = rintf(x);
		cr_expect(same_rounding(r, want), "round(%a) = %a, rintf %a", x, r, want);
		if (!same_rounding(r, want))
			break;
	}
}

/* The quantizers give the same int8 codes with the vector rounding as with the plain
 * loop, ties included: a scale of exactly 1 (max |x| = 127) and halves everywhere, a
 * length that leaves a scalar tail, and a4's clamp. */
Test(hostops, quant_vector_equals_plain)
{
	enum { N = 1003 };
	static float x[N];
	int8_t qp[N], qv[N];
	uint64_t s = 99;
	float sp, sv;
	unsigned i;

	for (i = 0; i < N; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = i % 3 ? (float)((int)(s >> 56) - 128) / 2.0f : (float)(int32_t)(s >> 32) / 2e7f;
	}
	x[7] = 127.0f;
	tern_kernel_set(TERN_KERNEL_PLAIN);
	sp = tern_quant_a8(x, N, qp);
	tern_kernel_set(TERN_KERNEL_AUTO);
	sv = tern_quant_a8(x, N, qv);
	cr_expect_eq(sp, 1.0f);
	cr_expect_eq(sp, sv);
	cr_expect(!memcmp(qp, qv, N), "a8 codes differ");
	cr_expect_eq(qp[1], (int8_t)tern_round_half_even(x[1]));
	tern_kernel_set(TERN_KERNEL_PLAIN);
	sp = tern_quant_a4(x, N, qp);
	tern_kernel_set(TERN_KERNEL_AUTO);
	sv = tern_quant_a4(x, N, qv);
	cr_expect_eq(sp, sv);
	cr_expect(!memcmp(qp, qv, N), "a4 codes differ");
	/* Non-finite activations: an inf makes the scale 0 and every product NaN or 0, a
	 * NaN stays NaN; both paths give the code 0 there, in the vector body and the tail. */
	x[3] = INFINITY;
	x[N - 1] = NAN;
	tern_kernel_set(TERN_KERNEL_PLAIN);
	tern_quant_a8(x, N, qp);
	tern_kernel_set(TERN_KERNEL_AUTO);
	tern_quant_a8(x, N, qv);
	cr_expect(!memcmp(qp, qv, N), "a8 codes differ with inf and NaN");
	cr_expect_eq(qv[3], 0);
	cr_expect_eq(qv[N - 1], 0);
	cr_expect_eq(qp[3], 0);
}

Test(hostops, quant_a8_per_token_absmax)
{
	const float x[4] = { 1.0f, -0.5f, 0.25f, 0.0f };
	int8_t q[4];
	float s = tern_quant_a8(x, 4, q);

	cr_expect_eq(s, 127.0f);
	/* -0.5 * 127 = -63.5 rounds to the even -64; 0.25 * 127 = 31.75 -> 32 */
	cr_expect_eq(q[0], 127);
	cr_expect_eq(q[1], -64);
	cr_expect_eq(q[2], 32);
	cr_expect_eq(q[3], 0);
}

Test(hostops, quant_a8_all_zero_is_finite)
{
	const float x[3] = { 0, 0, 0 };
	int8_t q[3] = { 1, 1, 1 };
	float s = tern_quant_a8(x, 3, q);

	cr_expect(isfinite(s) && s > 0);
	cr_expect(q[0] == 0 && q[1] == 0 && q[2] == 0);
}

Test(hostops, quant_a4_absmean_clips)
{
	const float a[4] = { 1, -1, 1, -1 }, b[4] = { 4, 0, 0, 0 }, c[4] = { -4, 0, 0, 0 };
	int8_t q[4];
	float s;

	s = tern_quant_a4(a, 4, q); /* beta 1: sqrt(7) = 2.6458 -> 3 */
	NEAR(s, sqrtf(7.0f));
	cr_expect(q[0] == 3 && q[1] == -3);
	tern_quant_a4(b, 4, q);     /* beta 1: 10.58 clips to 7 */
	cr_expect_eq(q[0], 7);
	tern_quant_a4(c, 4, q);     /* -10.58 clips to -8 */
	cr_expect_eq(q[0], -8);
}

Test(hostops, quant_top50_keeps_largest_half)
{
	const float x[4] = { 0.1f, -3.0f, 2.0f, 0.5f }, t[4] = { 1, 1, 1, 1 };
	float tmp[4];
	int8_t q[4];
	float s = tern_quant_a8_top50(x, 4, q, tmp);

	NEAR(s, 127.0f / 3.0f);
	cr_expect(q[0] == 0 && q[1] == -127 && q[2] == 85 && q[3] == 0,
		  "got %d %d %d %d", q[0], q[1], q[2], q[3]);
	tern_quant_a8_top50(t, 4, q, tmp); /* ties: the first two by index */
	cr_expect(q[0] == 127 && q[1] == 127 && q[2] == 0 && q[3] == 0);
}

Test(hostops, dequant)
{
	const int32_t acc[2] = { 254, -127 };
	float y[2];

	tern_dequant(acc, 2, 0.5f, 127.0f, y);
	NEAR(y[0], 1.0);
	NEAR(y[1], -0.5);
}

Test(hostops, rmsnorm)
{
	const float x[2] = { 3, 4 }, w[2] = { 1, 2 };
	float y[2];

	tern_rmsnorm(x, w, y, 2, 0.0f); /* rms = sqrt(12.5) */
	NEAR(y[0], 3 / sqrt(12.5));
	NEAR(y[1], 8 / sqrt(12.5));
}

Test(hostops, rope_neox_known_angles)
{
	/* head_dim 4: pairs (0,2) at theta^0 = 1 rad per position, (1,3) at theta^-1/2. */
	float v[8] = { 1, 1, 0, 0, 0, 2, 0, 0 };

	tern_rope_neox(v, 2, 4, 1, 10000.0f);
	NEAR(v[0], cos(1.0));
	NEAR(v[2], sin(1.0));
	NEAR(v[1], cos(0.01));
	NEAR(v[3], sin(0.01));
	NEAR(v[5], 2 * cos(0.01)); /* second head, same angles */
	NEAR(v[7], 2 * sin(0.01));
	float w[4] = { 0.3f, -1, 2, 5 };

	tern_rope_neox(w, 1, 4, 0, 500000.0f); /* position 0 is the identity */
	cr_expect(w[0] == 0.3f && w[1] == -1 && w[2] == 2 && w[3] == 5);
}

Test(hostops, softmax)
{
	float x[2] = { 0.0f, logf(3.0f) };

	tern_softmax(x, 2);
	NEAR(x[0], 0.25);
	NEAR(x[1], 0.75);
}

Test(hostops, attention_two_tokens_gqa)
{
	/* 2 query heads share 1 KV head of size 2; keys e0, e1; values (1,2), (3,4). */
	const float kc[4] = { 1, 0, 0, 1 }, vc[4] = { 1, 2, 3, 4 };
	const float q[4] = { logf(3.0f) * sqrtf(2.0f), 0, 0, 0 };
	float out[4], sc[2];

	tern_attention(q, kc, vc, 1, 2, 1, 2, out, sc);
	NEAR(out[0], 1.5); /* weights 3/4, 1/4 */
	NEAR(out[1], 2.5);
	NEAR(out[2], 2.0); /* equal scores: the mean */
	NEAR(out[3], 3.0);
	tern_attention(q, kc, vc, 0, 2, 1, 2, out, sc); /* causal: only position 0 */
	NEAR(out[0], 1.0);
	NEAR(out[1], 2.0);
}

Test(hostops, glu_relu2_and_silu)
{
	float g[3] = { -1, 2, 0 };
	const float u[3] = { 5, 3, 7 };
	float s[2] = { 0, 1 };
	const float su[2] = { 2, 2 };

	tern_glu(g, u, 3, TERN_ACT_RELU2);
	cr_expect(g[0] == 0 && g[1] == 12 && g[2] == 0);
	tern_glu(s, su, 2, TERN_ACT_SILU);
	NEAR(s[0], 0);
	NEAR(s[1], 2 / (1 + exp(-1.0)));
}

Test(hostops, sample_greedy_ties_low_id)
{
	const float l[5] = { 0, 3, 1, 3, -1 };
	uint64_t rng = 0;

	cr_expect_eq(tern_sample(l, 5, 0, &rng, NULL), 1);
	cr_expect_eq(tern_sample(l, 5, 1, &rng, NULL), 1);
}

Test(hostops, sample_topk_deterministic)
{
	float l[64];
	uint32_t idx[4], i, a[32], b[32], seen = 0;
	uint64_t r1 = 42, r2 = 42;

	for (i = 0; i < 64; i++)
		l[i] = (float)((i * 37) % 64) / 16.0f; /* top 4: ids with (37 i) % 64 in 60..63 */
	for (i = 0; i < 32; i++) {
		a[i] = tern_sample(l, 64, 4, &r1, idx);
		b[i] = tern_sample(l, 64, 4, &r2, idx);
		cr_expect_eq(a[i], b[i]);
		cr_expect_geq((a[i] * 37) % 64, 60, "token %u is not among the top 4", a[i]);
		seen |= 1u << ((a[i] * 37) % 64 - 60);
	}
	cr_expect_gt(__builtin_popcount(seen), 1, "32 draws all gave one token");
}
