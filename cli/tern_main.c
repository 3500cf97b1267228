/*
 * tern: the command-line entry point. Dispatches to one subcommand per file
 * (tern_cmd_*.c); every subcommand has --help. Exit codes: 0 checked and exact,
 * 1 a check failed, 2 bad usage or bad input, 128 + N interrupted by signal N
 * (SIGINT, SIGTERM, SIGHUP: tern_cli_signal.c). `tern --version` (or `tern version`)
 * prints the version, the git revision and the ISA definition's hash.
 */
#include <stdio.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_version.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
	{ "gemm", tern_cmd_gemm, "run one checked BitLinear layer (matrix product) on a device" },
	{ "report", tern_cmd_report, "print the summary of a report written with --report DIR" },
	{ "run", tern_cmd_run, "generate tokens with a whole model, every layer checked" },
	{ "export", tern_cmd_export, "write a zoo model to a GGUF file" },
	{ "sweep", tern_cmd_sweep, "time a model over array sizes and weight formats (fast model)" },
	{ "version", tern_cmd_version, "print the version, git revision and ISA definition hash" },
	{ "train", tern_cmd_train, "train a small byte-level ternary model on a text file" },
	{ "perplexity", tern_cmd_perplexity, "perplexity of a model on a text file (chunked)" },
	{ "tokenize", tern_cmd_tokenize, "tokenize text with a GGUF file's own tokenizer" },
	{ "shard", tern_cmd_shard, "split a checked run into jobs for Slurm or GNU parallel" },
	{ "synth", tern_cmd_synth, "FPGA synthesis report of a board (runs the flow if needed)" },
	{ "devsim", tern_cmd_devsim, "serve the simulated RTL as a Linux UIO device (uio backend)" },
};

/* The same three values report.json carries in its "tern" object. */
int tern_cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: tern version   (or tern --version)\n\n"
		       "Print the tern version, the git revision it was built from (\"unknown\"\n"
		       "outside a git checkout) and the SHA-256 of isa/tern_isa.json.\n");
		return TERN_EXIT_OK;
	}
	if (argc > 1)
		return tern_usage_err("version", "unexpected argument '%s'", argv[1]);
	printf("tern %s\ngit %s\nisa sha256 %s\n", tern_version(), tern_version_git(),
	       tern_version_isa_hash());
	return TERN_EXIT_OK;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tern COMMAND [OPTIONS]   (tern COMMAND --help for details)\n\n"
		   "tern: a co-design kit for ternary-weight LLM accelerators.\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n  --version  the same as tern version\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return TERN_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return TERN_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return tern_cmd_version(argc - 1, argv + 1);
	tern_sig_init();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			int rc = cmds[i].fn(argc - 1, argv + 1);

			/* An interrupted command has unwound and removed what it started; a
			 * command that finished before it saw the signal still reports it. */
			if (tern_sig_pending() && rc < 128)
				return tern_sig_exit(cmds[i].name);
			return rc;
		}
	}
	fprintf(stderr, "tern: unknown command '%s' (try tern --help)\n", argv[1]);
	return TERN_EXIT_USAGE;
}
