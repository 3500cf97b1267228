/*
 * `tern devsim`: stand in for a board so the uio backend can be tested without one. It
 * serves the Verilated RTL of --array/--config behind a simulated UIO tree under
 * --uio-root DIR (driver/tern_devsim.h; the doorbell page is the one difference from a
 * real /dev/uioN, docs/boards.md) until SIGINT or SIGTERM. `tern gemm --backend uio
 * --uio-root DIR` and `tern run ... --backend uio --uio-root DIR` then drive it like a
 * KV260. It prints one line "devsim: ready ..." on stdout once the tree is in place.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_cli_board.h"
#include "tern_devsim.h"

#define CMD "devsim"
#define DEVSIM_PHYS 0x30000000ull /* where a reserved-memory buffer might sit on a Zynq */

static const char help[] =
	"usage: tern devsim --uio-root DIR [--array RxL | --config F.json] [--mem BYTES] [--quiet]\n"
	"\n"
	"Serve the simulated RTL as a Linux UIO device under DIR (DIR/sys/class/uio/uio0,\n"
	"DIR/dev/uio0 and its regions) until interrupted, for --backend uio --uio-root DIR.\n"
	"  --uio-root DIR       where to create the tree (created if missing)\n"
	"  --array RxL          PE array: a preset (4x4 8x8 16x16 32x32 64x64) or any RxL\n"
	"  --config F.json      a hardware config file instead of --array\n"
	"  --mem BYTES          size of the DMA buffer (map1), 64 KiB..1 GiB (default 64 MiB)\n"
	"  --quiet              no progress messages (building the model) on stderr\n"
	"exit: 2 bad usage, 128+N stopped by signal N (its normal end)\n";

enum { O_ROOT = 256, O_MEM, O_HELP, O_ARRAY, O_CONFIG, O_QUIET };

static const struct option longopts[] = {
	{ "uio-root", required_argument, 0, O_ROOT }, { "mem", required_argument, 0, O_MEM },
	{ "array", required_argument, 0, O_ARRAY },   { "config", required_argument, 0, O_CONFIG },
	{ "quiet", no_argument, 0, O_QUIET },	      { "help", no_argument, 0, O_HELP },
	{ 0, 0, 0, 0 }
};

static void ready(const struct tern_devsim_opts *o)
{
	printf("devsim: ready %ux%u at %s (uio0: buffer 0x%llx, %llu bytes)\n", o->cfg.rows,
	       o->cfg.lanes, o->root, (unsigned long long)o->buf_phys,
	       (unsigned long long)o->buf_bytes);
	fflush(stdout);
}

int tern_cmd_devsim(int argc, char **argv)
{
	struct tern_devsim_opts o;
	char err[600], name[TERN_CONFIG_NAME_MAX];
	int c, given = 0;

	memset(&o, 0, sizeof(o));
	tern_parse_array(TERN_PRESET_DEFAULT, &o.cfg, NULL, 0);
	o.buf_bytes = 64ull << 20;
	o.buf_phys = DEVSIM_PHYS;
	o.ready = ready;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_ROOT: o.root = optarg; break;
		case O_MEM:
			if (tern_parse_u64(CMD, "--mem", optarg, 64u << 10, 1u << 30, &o.buf_bytes))
				return TERN_EXIT_USAGE;
			break;
		case O_ARRAY:
		case O_CONFIG:
			if (given++)
				return tern_usage_err(CMD, "give one --array or --config");
			if (c == O_CONFIG ? tern_config_opt(CMD, optarg, &o.cfg, name)
					  : tern_parse_array(optarg, &o.cfg, err, sizeof(err)))
				return c == O_CONFIG ? TERN_EXIT_USAGE
						     : tern_usage_err(CMD, "--array: %s", err);
			break;
		case O_QUIET: o.quiet = 1; break;
		case O_HELP: fputs(help, stdout); return TERN_EXIT_OK;
		default: return tern_bad_option(CMD, argv);
		}
	}
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s' (see tern devsim --help)", argv[optind]);
	if (!o.root || !*o.root)
		return tern_usage_err(CMD, "--uio-root DIR is required (see tern devsim --help)");
	if (o.buf_bytes % 4096)
		return tern_usage_err(CMD, "--mem must be a multiple of 4096 (a page)");
	if (tern_devsim_serve(&o, tern_sig_flag(), err, sizeof(err)))
		return tern_usage_err(CMD, "%s", err);
	return TERN_EXIT_OK;
}
