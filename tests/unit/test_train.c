/*
 * Trainer tests: the backward pass against central finite differences (float mode,
 * where the loss is smooth), the quantized forward against tern_forward (the inference
 * pass that runs on the device), determinism across thread counts, and the GGUF export
 * with its byte tokenizer read back by tern's own loader.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tern_train.h"

static struct tern_model_config small_cfg(uint32_t d, uint32_t ff, uint32_t layers)
{
	struct tern_train_opts o;

	tern_train_defaults(&o);
	o.mc.n_embd = d;
	o.mc.n_head = 4;
	o.mc.n_head_kv = 2;
	o.mc.head_dim = d / 4;
	o.mc.n_ff = ff;
	o.mc.n_layer = layers;
	o.mc.n_ctx = 8;
	return o.mc;
}

static void random_tokens(uint32_t *tok, uint32_t n, uint64_t seed)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		tok[i] = TERN_TRAIN_BYTE0 + 'a' + (uint32_t)(seed >> 33) % 26;
	}
}

/* Perturb the params a little away from 1.0 norms so norm gradients are generic. */
static void jitter(struct tern_tparams *p, uint64_t seed)
{
	size_t n, i;
	float *d = tern_tparams_data(p, &n);

	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		d[i] += 0.05f * (((float)(seed >> 40) / 16777216.0f) - 0.5f);
	}
}

Test(train, gradient_matches_finite_differences)
{
	struct tern_model_config c = small_cfg(16, 24, 2);
	struct tern_tparams *p = tern_tparams_new(&c);
	struct tern_tnet_ws *ws = tern_tnet_ws_new(&c, 8);
	uint32_t tok[9], checked = 0, bad = 0;
	size_t n, i;
	float *g, *d;

	cr_assert(p && ws);
	tern_tparams_init(p, 5);
	jitter(p, 11);
	random_tokens(tok, 9, 3);
	d = tern_tparams_data(p, &n);
	g = calloc(n, sizeof(float));
	tern_tnet_prepare(ws, p, TERN_TQ_FLOAT);
	tern_tnet_run(ws, p, tok, 8, TERN_TQ_FLOAT, g);
	/* Every 7th parameter: embedding, every linear, every norm are all visited. */
	for (i = 0; i < n; i += 7) {
		float keep = d[i], h = 1e-2f;
		double lp, lm, fd;

		d[i] = keep + h;
		tern_tnet_prepare(ws, p, TERN_TQ_FLOAT);
		lp = tern_tnet_run(ws, p, tok, 8, TERN_TQ_FLOAT, NULL);
		d[i] = keep - h;
		tern_tnet_prepare(ws, p, TERN_TQ_FLOAT);
		lm = tern_tnet_run(ws, p, tok, 8, TERN_TQ_FLOAT, NULL);
		d[i] = keep;
		fd = (lp - lm) / (2.0 * h);
		checked++;
		if (fabs(fd - g[i]) > 2e-3 + 0.05 * fabs(fd)) {
			if (bad < 5)
				fprintf(stderr, "param %zu: backward %.6g, finite difference %.6g\n",
					i, g[i], fd);
			bad++;
		}
	}
	cr_assert_gt(checked, 300);
	cr_assert_eq(bad, 0, "%u of %u gradients differ from finite differences", bad, checked);
	free(g);
	tern_tnet_ws_free(ws);
	tern_tparams_free(p);
}

/* The gradient is not trivially zero and the loss at init is near ln(259). */
Test(train, loss_at_init_is_near_uniform)
{
	struct tern_model_config c = small_cfg(16, 24, 1);
	struct tern_tparams *p = tern_tparams_new(&c);
	struct tern_tnet_ws *ws = tern_tnet_ws_new(&c, 8);
	uint32_t tok[9];
	double l;

	tern_tparams_init(p, 1);
	random_tokens(tok, 9, 9);
	tern_tnet_prepare(ws, p, TERN_TQ_A8);
	l = tern_tnet_run(ws, p, tok, 8, TERN_TQ_A8, NULL);
	cr_assert(fabs(l - log(259.0)) < 0.05, "loss %g", l);
	tern_tnet_ws_free(ws);
	tern_tparams_free(p);
}

/* Trainer forward (ternary, int8) equals tern_forward with golden matmuls (what the
 * device runs) up to float rounding; a4.8 likewise. */
static void forward_agrees(uint32_t tq, uint32_t quant)
{
	struct tern_model_config c = small_cfg(256, 256, 2);
	struct tern_tparams *p = tern_tparams_new(&c);
	struct tern_tnet_ws *ws = tern_tnet_ws_new(&c, 8);
	struct tern_model *m;
	struct tern_run *r;
	uint32_t tok[9], i, v;
	char err[256];
	double maxd = 0.0, spread = 0.0;

	tern_tparams_init(p, 2);
	jitter(p, 4);
	random_tokens(tok, 9, 7);
	tern_tnet_prepare(ws, p, tq);
	tern_tnet_run(ws, p, tok, 8, tq, NULL);
	cr_assert_eq(tern_train_model(p, "t", &m, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_run_new(&m->cfg, 8, 8, quant, tern_mm_golden, &r), 0);
	cr_assert_eq(tern_forward(m, &r, 1, tok, 8, NULL, err, sizeof(err)), TERN_FWD_OK, "%s", err);
	for (i = 0; i < 8; i++)
		for (v = 0; v < c.n_vocab; v++) {
			double a = tern_tnet_logits(ws, i)[v], b = tern_run_logits(r, i)[v];

			maxd = fmax(maxd, fabs(a - b));
			spread = fmax(spread, fabs(b));
		}
	cr_assert_gt(spread, 0.05);
	cr_assert_lt(maxd, 1e-3 * spread + 1e-4, "max logit difference %g (spread %g)", maxd, spread);
	tern_run_free(r);
	tern_model_free(m);
	tern_tnet_ws_free(ws);
	tern_tparams_free(p);
}

Test(train, forward_matches_inference_a8) { forward_agrees(TERN_TQ_A8, TERN_QUANT_A158); }
Test(train, forward_matches_inference_a48) { forward_agrees(TERN_TQ_A48, TERN_QUANT_A48); }

static char *write_corpus(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/tern_train_corpusXXXXXX");
	fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	int i;

	cr_assert(f);
	for (i = 0; i < 4000; i++)
		fprintf(f, "Line %d: and the %s said unto them, %d.\n", i, i % 3 ? "man" : "woman",
			i * 7 % 13);
	fclose(f);
	return path;
}

static void train_once(unsigned threads, float *out, size_t n)
{
	struct tern_train_opts o;
	struct tern_corpus c;
	struct tern_tparams *p;
	char err[256];
	char *path = write_corpus();

	tern_train_defaults(&o);
	o.mc = small_cfg(16, 24, 1);
	o.mc.n_ctx = 16;
	o.steps = 3;
	o.batch = 3;
	o.warmup = 1;
	o.threads = threads;
	cr_assert_eq(tern_corpus_load(path, &c, err, sizeof(err)), 0, "%s", err);
	unlink(path);
	cr_assert_gt(c.n_held, 1000);
	cr_assert_gt(c.n_train, 15 * c.n_held);
	p = tern_tparams_new(&o.mc);
	tern_tparams_init(p, o.seed);
	cr_assert_eq(tern_train_run(p, &c, &o, NULL, NULL, NULL, err, sizeof(err)), 0, "%s", err);
	memcpy(out, tern_tparams_data(p, NULL), n * sizeof(float));
	tern_tparams_free(p);
	tern_corpus_free(&c);
}

Test(train, same_result_for_any_thread_count)
{
	struct tern_model_config c = small_cfg(16, 24, 1);
	struct tern_tparams *p = tern_tparams_new(&c);
	size_t n;
	float *a, *b, *init;

	tern_tparams_data(p, &n);
	tern_tparams_init(p, 19);
	init = malloc(n * sizeof(float));
	memcpy(init, tern_tparams_data(p, NULL), n * sizeof(float));
	a = malloc(n * sizeof(float));
	b = malloc(n * sizeof(float));
	train_once(1, a, n);
	train_once(3, b, n);
	cr_assert_eq(memcmp(a, b, n * sizeof(float)), 0);
	cr_assert_neq(memcmp(a, init, n * sizeof(float)), 0, "training changed nothing");
	free(a);
	free(b);
	free(init);
	tern_tparams_free(p);
}

Test(train, export_has_byte_tokenizer)
{
	struct tern_model_config c = small_cfg(256, 256, 1);
	struct tern_tparams *p = tern_tparams_new(&c);
	struct tern_model *m;
	char path[] = "/tmp/tern_train_ggufXXXXXX", err[256], buf[64];
	uint32_t ids[16], i;
	int64_t n;
	int fd = mkstemp(path);

	close(fd);
	tern_tparams_init(p, 3);
	cr_assert_eq(tern_train_export(p, "t", path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_model_open_gguf(path, &m, err, sizeof(err)), 0, "%s", err);
	unlink(path);
	cr_assert_eq(m->cfg.n_vocab, TERN_TRAIN_VOCAB);
	cr_assert_str_eq(m->cfg.arch, "bitnet");
	cr_assert(m->vocab);
	n = tern_vocab_encode(m->vocab, "In the\n", ids, 16, err, sizeof(err));
	cr_assert_eq(n, 7, "%s", err);
	for (i = 0; i < 7; i++)
		cr_assert_eq(ids[i], TERN_TRAIN_BYTE0 + (unsigned char)"In the\n"[i]);
	tern_vocab_decode(m->vocab, TERN_TRAIN_BYTE0 + ' ', buf, sizeof(buf));
	cr_assert_str_eq(buf, " ");
	tern_vocab_decode(m->vocab, TERN_TRAIN_BYTE0 + 0xe2, buf, sizeof(buf));
	cr_assert_eq((unsigned char)buf[0], 0xe2);
	tern_vocab_decode(m->vocab, 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	tern_model_free(m);
	tern_tparams_free(p);
}
