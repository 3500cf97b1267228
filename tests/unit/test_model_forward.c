/*
 * Model zoo and forward pass: zoo shapes and determinism, prefill == token-by-token
 * decode bit for bit (the KV cache and per-token quantization make them equal), the
 * device matmul equals the golden one, bad tokens and a stop request are clean.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gemm.h"
#include "tern_model.h"
#include "tern_ref.h"

static struct tern_model *zoo(const char *name)
{
	struct tern_model *m = NULL;
	char err[256];

	cr_assert_eq(tern_zoo_open(name, &m, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_config_check(&m->cfg, err, sizeof(err)), 0, "%s", err);
	return m;
}

Test(zoo, shapes_of_2b4t)
{
	struct tern_model *m = zoo("bitnet-b1.58-2b-4t");
	const struct tern_model_config *c = &m->cfg;
	uint64_t macs = tern_model_macs_per_token(c);

	cr_expect(c->n_embd == 2560 && c->n_layer == 30 && c->n_head == 20 && c->n_head_kv == 5);
	cr_expect(c->n_ff == 6912 && c->n_vocab == 128256 && c->act == TERN_ACT_RELU2);
	cr_expect(c->rope_theta == 500000.0f && c->norm_eps == 1e-5f);
	cr_expect(macs > 2000000000ull && macs < 2200000000ull, "%llu MACs", (unsigned long long)macs);
	tern_model_free(m);
}

Test(zoo, every_name_opens_and_unknown_fails)
{
	const char *const *n;
	struct tern_model *m = NULL;
	char err[256];

	for (n = tern_zoo_names(); *n; n++)
		tern_model_free(zoo(*n));
	cr_expect_neq(tern_zoo_open("nope", &m, err, sizeof(err)), 0);
	cr_expect(strstr(err, "nope") != NULL);
}

Test(zoo, weights_are_ternary_and_deterministic)
{
	struct tern_model *m = zoo("tiny");
	uint32_t rows, k, i, zeros = 0;
	int8_t *a, *b;
	float sa, sb;
	char err[128];

	tern_lin_shape(&m->cfg, TERN_LIN_UP, &rows, &k);
	a = malloc((size_t)rows * k);
	b = malloc((size_t)rows * k);
	cr_assert_eq(m->ops->linear(m, 1, TERN_LIN_UP, a, &sa, err, sizeof(err)), 0);
	cr_assert_eq(m->ops->linear(m, 1, TERN_LIN_UP, b, &sb, err, sizeof(err)), 0);
	cr_expect(!memcmp(a, b, (size_t)rows * k) && sa == sb);
	for (i = 0; i < rows * k; i++) {
		cr_assert(a[i] >= -1 && a[i] <= 1);
		zeros += !a[i];
	}
	cr_expect(zeros > rows * k / 4 && zeros < rows * k / 2.5, "%u zeros", zeros);
	cr_assert_eq(m->ops->linear(m, 0, TERN_LIN_UP, b, &sb, err, sizeof(err)), 0);
	cr_expect(memcmp(a, b, (size_t)rows * k), "layers 0 and 1 share weights");
	free(a);
	free(b);
	tern_model_free(m);
}

static struct tern_run *new_run(const struct tern_model *m, uint32_t quant, struct tern_mm mm)
{
	struct tern_run *r = NULL;

	cr_assert_eq(tern_run_new(&m->cfg, 16, 8, quant, mm, &r), 0);
	return r;
}

static void prefill_equals_decode(uint32_t quant)
{
	struct tern_model *m = zoo("tiny");
	struct tern_run *a = new_run(m, quant, tern_mm_golden), *b = new_run(m, quant, tern_mm_golden);
	const uint32_t tok[5] = { 7, 99, 5, 300, 511 };
	size_t bytes = m->cfg.n_vocab * sizeof(float);
	char err[256];
	uint32_t i;

	cr_assert_eq(tern_forward(m, &a, 1, tok, 5, NULL, err, sizeof(err)), 0, "%s", err);
	for (i = 0; i < 5; i++) {
		cr_assert_eq(tern_forward(m, &b, 1, tok + i, 1, NULL, err, sizeof(err)), 0, "%s", err);
		cr_expect(!memcmp(tern_run_logits(a, i), tern_run_logits(b, 0), bytes),
			  "position %u differs between prefill and decode", i);
	}
	cr_expect_eq(tern_run_pos(a), 5);
	tern_run_free(a);
	tern_run_free(b);
	tern_model_free(m);
}

Test(forward, prefill_equals_decode_a158)
{
	prefill_equals_decode(TERN_QUANT_A158);
}

Test(forward, prefill_equals_decode_a48)
{
	prefill_equals_decode(TERN_QUANT_A48);
}

/* The device (ref backend through tern_gemm_run) as a tern_mm. */
static int dev_fn(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		  int32_t *y, char *err, size_t errlen)
{
	struct tern_gemm_result r;

	if (tern_gemm_run(ctx, l, w, x, y, 1, &r, err, errlen))
		return -1;
	return tern_gemm_ok(&r) ? 0 : 1;
}

Test(forward, device_pass_equals_golden_pass)
{
	struct tern_model *m = zoo("tiny");
	struct tern_dev_opts o = { 0 };
	struct tern_dev *d = NULL;
	struct tern_run *runs[2];
	const uint32_t tok[3] = { 1, 2, 3 };
	char err[256];

	o.backend = "ref";
	o.mem_bytes = 16u << 20;
	cr_assert_eq(tern_parse_array("16x16", &o.cfg, err, sizeof(err)), 0);
	cr_assert_eq(tern_dev_open(&o, &d, err, sizeof(err)), 0, "%s", err);
	runs[0] = new_run(m, TERN_QUANT_A158, (struct tern_mm){ dev_fn, d, 0 });
	runs[1] = new_run(m, TERN_QUANT_A158, tern_mm_golden);
	cr_assert_eq(tern_forward(m, runs, 2, tok, 3, NULL, err, sizeof(err)), 0, "%s", err);
	cr_expect(!memcmp(tern_run_logits(runs[0], 0), tern_run_logits(runs[1], 0),
			  3 * m->cfg.n_vocab * sizeof(float)));
	tern_run_free(runs[0]);
	tern_run_free(runs[1]);
	tern_dev_close(d);
	tern_model_free(m);
}

Test(forward, bad_token_and_stop)
{
	struct tern_model *m = zoo("tiny");
	struct tern_run *r = new_run(m, TERN_QUANT_A158, tern_mm_golden);
	volatile sig_atomic_t stop = 1;
	struct tern_fwd_hooks h = { &stop, NULL, NULL, 0 };
	const uint32_t bad = 512, ok = 3;
	char err[256];

	cr_expect_eq(tern_forward(m, &r, 1, &bad, 1, NULL, err, sizeof(err)), TERN_FWD_ERR);
	cr_expect(strstr(err, "vocabulary") != NULL, "%s", err);
	cr_expect_eq(tern_forward(m, &r, 1, &ok, 1, &h, err, sizeof(err)), TERN_FWD_STOPPED);
	tern_run_free(r);
	tern_model_free(m);
}

/* A matmul whose check fails on the fourth BitLinear (blk.0.attn_output). */
static int failing_fn(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		      int32_t *y, char *err, size_t errlen)
{
	int *calls = ctx;

	tern_golden_matmul(w, x, y, l->m, l->k, l->n);
	if (++*calls < 4)
		return 0;
	snprintf(err, errlen, "layer check: injected");
	return 1;
}

Test(forward, check_failure_names_the_tensor)
{
	struct tern_model *m = zoo("tiny");
	int calls = 0;
	struct tern_run *r = new_run(m, TERN_QUANT_A158, (struct tern_mm){ failing_fn, &calls, 0 });
	const uint32_t tok[2] = { 1, 2 };
	char err[256];

	cr_expect_eq(tern_forward(m, &r, 1, tok, 2, NULL, err, sizeof(err)), TERN_FWD_CHECK);
	cr_expect(strstr(err, "blk.0.attn_output (M=256 K=256 N=2): layer check: injected") != NULL,
		  "%s", err);
	tern_run_free(r);
	tern_model_free(m);
}
