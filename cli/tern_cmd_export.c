/*
 * `tern export`: write a model (usually a zoo model) to a GGUF file with ternary
 * weights packed as TQ2_0, TQ1_0 or bitnet.cpp's I2_S, so tests and users get real
 * files that `tern run --model FILE.gguf` (and llama.cpp / bitnet.cpp) can load.
 * The file is written atomically; on any error nothing is left behind.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_gguf.h"
#include "tern_model.h"

#define CMD "export"

static const char help[] =
	"usage: tern export --model zoo:NAME|FILE.gguf --out FILE.gguf [--wtype tq2_0|tq1_0|i2_s]\n"
	"\n"
	"Write a model to a GGUF file (v3). Ternary weights are packed as\n"
	"  tq2_0  ggml 2-bit codes, 66 bytes per 256 weights (default)\n"
	"  tq1_0  ggml base-3, 54 bytes per 256 weights\n"
	"  i2_s   bitnet.cpp 2-bit with one float scale per tensor (marks the file as\n"
	"         bitnet.cpp's, as that format requires)\n"
	"The tokenizer is the model's own (an imported file's tokenizer.* keys), or for zoo\n"
	"models a byte-level vocabulary (docs/tokenizer.md). SiLU models are arch \"bitnet\"\n"
	"(llama.cpp); ReLU^2 models \"bitnet-b1.58\" (bitnet.cpp only: a warning says so).\n"
	"Norms and the token embedding are written as F32. Rows of TQ types must be whole\n"
	"256-weight blocks (I2_S: 128), so not every zoo model exports to every type.\n"
	"exit: 0 written, 2 bad usage, unknown model or a shape the type cannot hold,\n"
	"      128+N interrupted by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP)\n";

enum { O_MODEL = 256, O_OUT, O_WTYPE, O_HELP };

static const struct option longopts[] = {
	{ "model", required_argument, 0, O_MODEL }, { "out", required_argument, 0, O_OUT },
	{ "wtype", required_argument, 0, O_WTYPE }, { "help", no_argument, 0, O_HELP },
	{ 0, 0, 0, 0 }
};

struct export_args {
	const char *model, *out;
	uint32_t wtype;
};

static int parse_wtype(const char *v, uint32_t *t)
{
	if (!strcmp(v, "tq2_0"))
		*t = TERN_GGML_TQ2_0;
	else if (!strcmp(v, "tq1_0"))
		*t = TERN_GGML_TQ1_0;
	else if (!strcmp(v, "i2_s"))
		*t = TERN_GGML_I2_S;
	else
		return tern_usage_err(CMD, "--wtype must be tq2_0, tq1_0 or i2_s, got '%s'", v), -1;
	return 0;
}

static int parse_args(struct export_args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->wtype = TERN_GGML_TQ2_0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_MODEL: a->model = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_WTYPE:
			if (parse_wtype(optarg, &a->wtype))
				return -1;
			break;
		case O_HELP: fputs(help, stdout); exit(TERN_EXIT_OK);
		default:
			return tern_bad_option(CMD, argv);
		}
	}
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s'", argv[optind]), -1;
	if (!a->model || !a->out)
		return tern_usage_err(CMD, "--model and --out are required (see tern export --help)"), -1;
	return 0;
}

int tern_cmd_export(int argc, char **argv)
{
	struct export_args a;
	struct tern_model *m = NULL;
	char err[512];
	int rc = TERN_EXIT_USAGE;

	if (parse_args(&a, argc, argv))
		return TERN_EXIT_USAGE;
	if (tern_same_file(a.model, a.out)) {
		tern_usage_err(CMD, "--out '%s' is the input model: refusing to replace it", a.out);
		return TERN_EXIT_USAGE;
	}
	tern_gguf_set_cancel(tern_sig_flag());
	if (tern_model_open(a.model, &m, err, sizeof(err)) ||
	    tern_model_export_gguf(m, a.out, a.wtype, err, sizeof(err))) {
		if (!tern_sig_pending()) /* interrupted: main says so, the file is untouched */
			tern_usage_err(CMD, "%s", err);
		goto out;
	}
	/* Upstream llama.cpp knows "bitnet" (SiLU) only; say so rather than let the user
	 * find out from a load error (docs/gguf.md lists the runtimes). */
	if (m->cfg.act == TERN_ACT_RELU2)
		fprintf(stderr, "tern export: warning: %s is a ReLU^2 model, written as arch \"%s\": "
			"bitnet.cpp loads it, upstream llama.cpp does not (docs/gguf.md)\n",
			m->cfg.name, m->cfg.arch);
	rc = TERN_EXIT_OK;
out:
	tern_model_free(m);
	return rc;
}
