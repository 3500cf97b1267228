/*
 * `tern train` and `tern perplexity`: the quantization-aware trainer (model/tern_train*.c)
 * on a text file, and held-out perplexity per byte of a byte-vocabulary GGUF model
 * through the inference forward pass (tern_forward with golden matmuls, the pass whose
 * logits the device must reproduce bit for bit).
 *
 * Both split the text the same way (every 20th block of 100 lines held out), so
 * `tern perplexity` on the training file measures text the model never saw.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_train.h"

static const char train_help[] =
	"usage: tern train --data TEXT --out MODEL.gguf [--steps N] [--batch N] [--threads N]\n"
	"                  [--seed N] [--layers N] [--ff N] [--ctx N] [--quant a1.58|a4.8|float]\n"
	"                  [--curve FILE] [--checkpoint FILE] [--eval-windows N] [--quiet]\n"
	"\n"
	"Train a byte-level BitNet b1.58 model (d=256, 4 heads, 2 KV heads, SiLU-gated FFN,\n"
	"tied output, arch \"bitnet\") on TEXT with ternary weights and int8 activations\n"
	"(straight-through estimator), AdamW and a cosine schedule, then write it as GGUF\n"
	"(TQ2_0) with its byte tokenizer. Every 20th block of 100 lines is held out.\n"
	"The result depends on --seed only, not on --threads.\n"
	"  --steps N        optimizer steps (default 240), --batch N sequences per step (8)\n"
	"  --ctx N          sequence length in bytes (default 128; the model's context)\n"
	"  --curve FILE     'step train_loss heldout_ppl lr' lines every 40 steps\n"
	"  --checkpoint F   also write the float weights (for --quant float evaluation)\n"
	"  --eval-windows N held-out windows for the final figures (default 128, 0 = all)\n"
	"exit: 0 written, 2 bad usage or unreadable data, 128+N interrupted\n";

static const char ppl_help[] =
	"usage: tern perplexity --model MODEL.gguf --data TEXT [--quant a1.58|a4.8]\n"
	"                       [--windows N]\n"
	"\n"
	"Held-out perplexity per byte of a byte-vocabulary model (one made by tern train):\n"
	"windows of n_ctx bytes starting at line starts of the held-out part of TEXT, run\n"
	"through the inference forward pass. Prints bytes scored, nats/byte and perplexity.\n"
	"  --windows N   at most N windows (default 64, 0 = all)\n"
	"exit: 0 done, 2 bad usage, unreadable data or a model without the byte vocabulary\n";

enum { O_DATA = 256, O_OUT, O_STEPS, O_BATCH, O_THREADS, O_SEED, O_LAYERS, O_FF, O_CTX,
       O_QUANT, O_CURVE, O_CKPT, O_EVALW, O_QUIET, O_MODEL, O_WINDOWS, O_HELP };

static int parse_quant(const char *cmd, const char *v, int allow_float, uint32_t *q)
{
	if (!strcmp(v, "a1.58"))
		*q = TERN_TQ_A8;
	else if (!strcmp(v, "a4.8"))
		*q = TERN_TQ_A48;
	else if (allow_float && !strcmp(v, "float"))
		*q = TERN_TQ_FLOAT;
	else
		return tern_usage_err(cmd, "--quant must be a1.58, a4.8%s, got '%s'",
				      allow_float ? " or float" : "", v), -1;
	return 0;
}

struct train_args {
	struct tern_train_opts o;
	const char *data, *out, *curve, *ckpt;
	uint32_t eval_windows, quiet;
};

static int train_parse(struct train_args *a, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "data", required_argument, 0, O_DATA }, { "out", required_argument, 0, O_OUT },
		{ "steps", required_argument, 0, O_STEPS }, { "batch", required_argument, 0, O_BATCH },
		{ "threads", required_argument, 0, O_THREADS }, { "seed", required_argument, 0, O_SEED },
		{ "layers", required_argument, 0, O_LAYERS }, { "ff", required_argument, 0, O_FF },
		{ "ctx", required_argument, 0, O_CTX }, { "quant", required_argument, 0, O_QUANT },
		{ "curve", required_argument, 0, O_CURVE }, { "checkpoint", required_argument, 0, O_CKPT },
		{ "eval-windows", required_argument, 0, O_EVALW }, { "quiet", no_argument, 0, O_QUIET },
		{ "help", no_argument, 0, O_HELP }, { 0, 0, 0, 0 }
	};
	const char *C = "train";
	uint64_t seed;
	int c, rc = 0;

	memset(a, 0, sizeof(*a));
	tern_train_defaults(&a->o);
	a->eval_windows = 128;
	opterr = 0;
	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case O_DATA: a->data = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_CURVE: a->curve = optarg; break;
		case O_CKPT: a->ckpt = optarg; break;
		case O_QUIET: a->quiet = 1; break;
		case O_STEPS: rc = tern_parse_u32(C, "--steps", optarg, 1, 1000000, &a->o.steps); break;
		case O_BATCH: rc = tern_parse_u32(C, "--batch", optarg, 1, 1024, &a->o.batch); break;
		case O_THREADS: rc = tern_parse_u32(C, "--threads", optarg, 1, 16, &a->o.threads); break;
		case O_LAYERS: rc = tern_parse_u32(C, "--layers", optarg, 1, 64, &a->o.mc.n_layer); break;
		case O_FF: rc = tern_parse_u32(C, "--ff", optarg, 256, 8192, &a->o.mc.n_ff); break;
		case O_CTX: rc = tern_parse_u32(C, "--ctx", optarg, 2, 4096, &a->o.mc.n_ctx); break;
		case O_EVALW: rc = tern_parse_u32(C, "--eval-windows", optarg, 0, 1000000,
						  &a->eval_windows); break;
		case O_SEED:
			rc = tern_parse_u64(C, "--seed", optarg, 0, UINT64_MAX, &seed);
			a->o.seed = seed;
			break;
		case O_QUANT: rc = parse_quant(C, optarg, 1, &a->o.quant); break;
		case O_HELP: fputs(train_help, stdout); return 1;
		default: return tern_bad_option(C, argv);
		}
	}
	if (rc)
		return -1;
	if (optind < argc)
		return tern_usage_err(C, "unexpected argument '%s'", argv[optind]), -1;
	if (!a->data || !a->out)
		return tern_usage_err(C, "--data and --out are required"), -1;
	if (a->o.mc.n_ff % 256)
		return tern_usage_err(C, "--ff must be a multiple of 256 (TQ2_0 rows), got %u",
				      a->o.mc.n_ff), -1;
	if (a->o.warmup >= a->o.steps)
		a->o.warmup = a->o.steps / 10;
	return 0;
}

static void final_figures(struct tern_tparams *p, const struct tern_corpus *c,
			  const struct train_args *a)
{
	static const char *const names[3] = { "float weights", "ternary + int8 (a1.58)",
					      "ternary + a4.8" };
	uint64_t bytes = 0;
	uint32_t q;

	for (q = 0; q < 3; q++) {
		double h = tern_train_eval(p, c, q, a->eval_windows, a->o.threads, &bytes);

		printf("tern train: held-out %-24s %.4f nats/byte, perplexity %.3f (%llu bytes)\n",
		       names[q], h, exp(h), (unsigned long long)bytes);
	}
	printf("tern train: uniform baseline perplexity 256 (the 256 byte values)\n");
}

int tern_cmd_train(int argc, char **argv)
{
	struct train_args a;
	struct tern_corpus c;
	struct tern_tparams *p = NULL;
	FILE *curve = NULL;
	char err[512];
	size_t n;
	int rc;

	if ((rc = train_parse(&a, argc, argv)))
		return rc > 0 ? TERN_EXIT_OK : TERN_EXIT_USAGE;
	if (tern_corpus_load(a.data, &c, err, sizeof(err)))
		return tern_usage_err("train", "%s", err);
	if (a.curve && !(curve = fopen(a.curve, "w"))) {
		tern_corpus_free(&c);
		return tern_usage_err("train", "cannot create curve file '%s'", a.curve);
	}
	rc = TERN_EXIT_USAGE;
	if (tern_config_check(&a.o.mc, err, sizeof(err)) || !(p = tern_tparams_new(&a.o.mc))) {
		tern_usage_err("train", "%s", p ? err : "bad model shape or out of memory");
		goto out;
	}
	tern_tparams_init(p, a.o.seed);
	tern_tparams_data(p, &n);
	if (!a.quiet)
		printf("tern train: %zu parameters, %zu training bytes, %zu held-out bytes, "
		       "%u steps x %u x %u bytes\n", n, c.n_train, c.n_held, a.o.steps, a.o.batch,
		       a.o.mc.n_ctx);
	if (tern_train_run(p, &c, &a.o, a.quiet ? NULL : stdout, curve,
			   tern_sig_flag(), err, sizeof(err))) {
		if (tern_sig_pending())
			rc = tern_sig_exit("train");
		else
			tern_usage_err("train", "%s", err);
		goto out;
	}
	if (curve && fclose(curve)) {
		curve = NULL;
		tern_usage_err("train", "write error on '%s'", a.curve);
		goto out;
	}
	curve = NULL;
	if (a.ckpt && tern_tparams_save(p, a.ckpt, err, sizeof(err))) {
		tern_usage_err("train", "%s", err);
		goto out;
	}
	if (tern_train_export(p, a.o.mc.name, a.out, err, sizeof(err))) {
		tern_usage_err("train", "%s", err);
		goto out;
	}
	final_figures(p, &c, &a);
	printf("tern train: wrote %s\n", a.out);
	rc = TERN_EXIT_OK;
out:
	if (curve)
		fclose(curve);
	tern_tparams_free(p);
	tern_corpus_free(&c);
	return rc;
}

/* ---- tern perplexity */

static int is_byte_model(const struct tern_model *m)
{
	char buf[16];
	uint32_t b;

	if (!m->vocab || m->cfg.n_vocab != TERN_TRAIN_VOCAB)
		return 0;
	for (b = 0; b < 256; b++)
		if (tern_vocab_decode(m->vocab, TERN_TRAIN_BYTE0 + b, buf, sizeof(buf)) != 1 ||
		    (unsigned char)buf[0] != b)
			return 0;
	return 1;
}

int tern_cmd_perplexity(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "model", required_argument, 0, O_MODEL }, { "data", required_argument, 0, O_DATA },
		{ "quant", required_argument, 0, O_QUANT }, { "windows", required_argument, 0, O_WINDOWS },
		{ "help", no_argument, 0, O_HELP }, { 0, 0, 0, 0 }
	};
	const char *C = "perplexity", *model = NULL, *data = NULL;
	uint32_t quant = TERN_TQ_A8, windows = 64, T, nw = 0, i, t, v;
	struct tern_model *m = NULL;
	struct tern_run *r = NULL;
	struct tern_corpus c = { 0 };
	uint32_t *tok = NULL;
	double nll = 0.0;
	size_t j, next = 0;
	char err[512];
	int opt, rc = TERN_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case O_MODEL: model = optarg; break;
		case O_DATA: data = optarg; break;
		case O_QUANT:
			if (parse_quant(C, optarg, 0, &quant))
				return TERN_EXIT_USAGE;
			break;
		case O_WINDOWS:
			if (tern_parse_u32(C, "--windows", optarg, 0, 1000000, &windows))
				return TERN_EXIT_USAGE;
			break;
		case O_HELP: fputs(ppl_help, stdout); return TERN_EXIT_OK;
		default: tern_bad_option(C, argv); return TERN_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return tern_usage_err(C, "unexpected argument '%s'", argv[optind]);
	if (!model || !data)
		return tern_usage_err(C, "--model and --data are required");
	if (tern_model_open(model, &m, err, sizeof(err)))
		return tern_usage_err(C, "%s", err);
	if (!is_byte_model(m)) {
		tern_usage_err(C, "%s: not a byte-vocabulary model (tern train makes those)", model);
		goto out;
	}
	if (tern_corpus_load(data, &c, err, sizeof(err))) {
		tern_usage_err(C, "%s", err);
		goto out;
	}
	T = m->cfg.n_ctx;
	tok = malloc((T + 1) * sizeof(uint32_t));
	if (!tok || tern_run_new(&m->cfg, T, T, quant == TERN_TQ_A48 ? TERN_QUANT_A48 :
				 TERN_QUANT_A158, tern_mm_golden, &r)) {
		tern_usage_err(C, "out of memory");
		goto out;
	}
	/* The windows of tern_train_eval: line starts, not overlapping. */
	for (j = 0; j < c.n_held_lines && (!windows || nw < windows); j++) {
		size_t s = c.held_lines[j];

		if (s < next || s + T + 1 > c.n_held)
			continue;
		next = s + T;
		for (i = 0; i <= T; i++)
			tok[i] = TERN_TRAIN_BYTE0 + c.held[s + i];
		tern_run_free(r);
		if (tern_run_new(&m->cfg, T, T, quant == TERN_TQ_A48 ? TERN_QUANT_A48 :
				 TERN_QUANT_A158, tern_mm_golden, &r)) {
			r = NULL;
			tern_usage_err(C, "out of memory");
			goto out;
		}
		if (tern_forward(m, &r, 1, tok, T, NULL, err, sizeof(err)) != TERN_FWD_OK) {
			tern_usage_err(C, "%s", err);
			goto out;
		}
		for (t = 0; t < T; t++) {
			const float *lg = tern_run_logits(r, t);
			float mx = lg[0];
			double z = 0.0;

			for (v = 1; v < m->cfg.n_vocab; v++)
				mx = lg[v] > mx ? lg[v] : mx;
			for (v = 0; v < m->cfg.n_vocab; v++)
				z += exp((double)lg[v] - mx);
			nll += log(z) + mx - lg[tok[t + 1]];
		}
		nw++;
		if (tern_sig_pending()) {
			rc = tern_sig_exit(C);
			goto out;
		}
	}
	if (!nw) {
		tern_usage_err(C, "%s: no held-out window of %u bytes", data, T + 1);
		goto out;
	}
	printf("tern perplexity: %s quant=%s: %u windows, %llu bytes, %.4f nats/byte, "
	       "perplexity %.3f (uniform 256)\n", model, quant == TERN_TQ_A48 ? "a4.8" : "a1.58",
	       nw, (unsigned long long)nw * T, nll / ((double)nw * T), exp(nll / ((double)nw * T)));
	rc = TERN_EXIT_OK;
out:
	tern_run_free(r);
	free(tok);
	tern_corpus_free(&c);
	tern_model_free(m);
	return rc;
}
