/*
 * `tern train`: the quantization-aware trainer (model/tern_train*.c) on a text file.
 * It holds out every 20th block of 100 lines; `tern perplexity --data` (in
 * tern_cmd_perplexity.c) splits the same way, so on the training file it measures text
 * the model never saw.
 */
#include <getopt.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_train.h"

static const char train_help[] =
	"usage: tern train --data TEXT --out MODEL.gguf [--steps N] [--batch N] [--threads N]\n"
	"                  [--seed N] [--layers N] [--ff N] [--ctx N] [--lr X]\n"
	"                  [--quant a1.58|a4.8|float]\n"
	"                  [--curve FILE] [--checkpoint FILE] [--eval-windows N] [--quiet]\n"
	"\n"
	"Train a byte-level BitNet b1.58 model (d=256, 4 heads, 2 KV heads, SiLU-gated FFN,\n"
	"tied output, arch \"bitnet\") on TEXT with ternary weights and int8 activations\n"
	"(straight-through estimator), AdamW and a cosine schedule, then write it as GGUF\n"
	"(TQ2_0) with its byte tokenizer. Every 20th block of 100 lines is held out.\n"
	"The result depends on --seed only, not on --threads.\n"
	"  --steps N        optimizer steps (default 2000), --batch N sequences per step (8)\n"
	"  --ctx N          sequence length in bytes (default 128; the model's context)\n"
	"  --lr X           peak learning rate (default 0.004); the cosine ends at X/10\n"
	"  --curve FILE     'step train_loss heldout_ppl lr' lines every 40 steps\n"
	"  --checkpoint F   also write the float weights (for --quant float evaluation)\n"
	"  --eval-windows N held-out windows for the final figures (default 128, 0 = all)\n"
	"exit: 0 written, 2 bad usage or unreadable data, 128+N interrupted\n";

enum { O_DATA = 256, O_OUT, O_STEPS, O_BATCH, O_THREADS, O_SEED, O_LAYERS, O_FF, O_CTX,
       O_QUANT, O_CURVE, O_CKPT, O_EVALW, O_QUIET, O_MODEL, O_WINDOWS, O_LR, O_HELP };

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

/* A learning rate: a finite number in (0, 1]. */
static int parse_lr(const char *cmd, const char *v, float *lr)
{
	char *end;
	double x = strtod(v, &end);

	if (end == v || *end || !(x > 0.0 && x <= 1.0))
		return tern_usage_err(cmd, "--lr must be a number in (0, 1], got '%s'", v), -1;
	*lr = (float)x;
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
		{ "lr", required_argument, 0, O_LR },
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
		case O_LR:
			rc = parse_lr(C, optarg, &a->o.lr);
			a->o.lr_min = a->o.lr / 10.0f;
			break;
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

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Wall and CPU time: on a shared machine the CPU seconds say what the work costs
 * (user + sys over the threads; an idle 2-core machine needs about half in wall). */
static void train_time(double t0)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("tern train: %.0f s wall, %.0f s user + %.0f s sys CPU\n", wall_s() - t0,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
}

int tern_cmd_train(int argc, char **argv)
{
	struct train_args a;
	struct tern_corpus c;
	struct tern_tparams *p = NULL;
	FILE *curve = NULL;
	char err[512];
	double t0 = wall_s();
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
	train_time(t0);
	printf("tern train: wrote %s\n", a.out);
	rc = TERN_EXIT_OK;
out:
	if (curve)
		fclose(curve);
	tern_tparams_free(p);
	tern_corpus_free(&c);
	return rc;
}
