/*
 * tern: the command-line entry point. Dispatches to one subcommand per file
 * (tern_cmd_*.c); every subcommand has --help. Exit codes: 0 checked and exact,
 * 1 a check failed, 2 bad usage or bad input, 128 + N interrupted by signal N
 * (SIGINT, SIGTERM, SIGHUP: tern_cli_signal.c).
 */
#include <stdio.h>
#include <string.h>

#include "tern_cli.h"

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
	{ "train", tern_cmd_train, "train a small byte-level ternary model on a text file" },
	{ "perplexity", tern_cmd_perplexity, "held-out perplexity per byte of a trained model" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tern COMMAND [OPTIONS]   (tern COMMAND --help for details)\n\n"
		   "tern: a co-design kit for ternary-weight LLM accelerators.\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
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
