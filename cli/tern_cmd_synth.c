/*
 * `tern synth`: the FPGA flow of one board and array (synth/tern_synth.py, docs/fpga.md)
 * as a table. It reads the cached report.json of an earlier run (make synth or tern synth),
 * or runs the flow when there is none or --rerun asks, then prints used / available per
 * resource, Fmax where the flow gives one, the PE array's share when the hierarchy was
 * kept, the tools and the run time. The board list and capacities are the definition's
 * (tern_fpgas, generated from isa/tern_isa.json). Exit: 0 the report says ok, 1 the run
 * failed (no fit, place and route error, a DSP used), 2 bad usage or an unreadable report.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tern_cli.h"
#include "tern_cli_synth.h"
#include "tern_driver.h"

#define CMD "synth"

static const char help[] =
	"usage: tern synth --board B [--array RxL] [--rerun] [--synth-dir DIR]\n"
	"\n"
	"Print the FPGA synthesis report of a board and array: LUTs, FFs, block RAM, DSP\n"
	"(must be 0), Fmax where the flow gives one (nextpnr for iCE40; the open Xilinx flow\n"
	"does no timing closure), tools and run time. A cached report is read; without one,\n"
	"or with --rerun, the flow runs first (synth/tern_synth.py: minutes to an hour).\n"
	"  --board B       " TERN_FPGA_NAMES "\n"
	"  --array A       RxL or one of the board's arrays (default: the board's first)\n"
	"  --rerun         run the flow even when a report exists\n"
	"  --synth-dir D   reports under D/B/A (default build/synth of the tern tree)\n"
	"exit: 0 report ok, 1 the run failed, 2 bad usage or unreadable report,\n"
	"128+N interrupted by signal N\n";

static const struct tern_fpga *find_board(const char *name)
{
	for (unsigned i = 0; i < TERN_FPGA_COUNT; i++)
		if (!strcmp(tern_fpgas[i].board, name))
			return &tern_fpgas[i];
	return NULL;
}

/* RxL with digits only, or one of the board's listed arrays (a name such as kv260's
 * 64x64-bus128): what the flow accepts (it checks validity). */
static int array_ok(const struct tern_fpga *f, const char *a)
{
	const char *x = strchr(a, 'x'), *p;
	size_t n = strlen(a);

	for (p = f->arrays; n && *p; p += strspn(p, " ")) {
		size_t w = strcspn(p, " ");

		if (w == n && !strncmp(p, a, n))
			return 1;
		p += w;
	}
	if (!x || x == a || !x[1] || n > 15)
		return 0;
	return strspn(a, "0123456789") == (size_t)(x - a) && strspn(x + 1, "0123456789") == strlen(x + 1);
}

static int run_flow(const char *board, const char *array, const char *out)
{
	char home[PATH_MAX], script[PATH_MAX + 32];
	const char *py = getenv("PYTHON");
	pid_t pid;
	int st;

	if (tern_home_dir(NULL, home, sizeof(home)))
		return tern_usage_err(CMD, "no tern source tree found (set TERN_HOME); the flow needs synth/");
	snprintf(script, sizeof(script), "%s/synth/tern_synth.py", home);
	if (access(script, R_OK))
		return tern_usage_err(CMD, "no flow script %s (the flows run from the source tree)", script);
	fprintf(stderr, "tern synth: running the %s flow at %s (this takes minutes)\n", board, array);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return tern_usage_err(CMD, "cannot start the flow");
	if (!pid) {
		execlp(py && *py ? py : "python3", "python3", script, "--board", board, "--array", array,
		       "--out", out, (char *)NULL);
		fprintf(stderr, "tern synth: cannot run python3\n");
		_exit(2);
	}
	while (waitpid(pid, &st, 0) < 0)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		return TERN_EXIT_USAGE;
	return 0; /* 0 or 1: the report says which */
}

static void row(const struct tern_synth_report *r, const char *what, const char *key, double avail)
{
	double v;

	if (tern_synth_num(r, key, &v))
		return;
	if (avail > 0)
		printf("  %-22s %9.0f %10.0f %6.1f%%\n", what, v, avail, 100.0 * v / avail);
	else
		printf("  %-22s %9.0f %10s\n", what, v, "-");
}

static void print_report(const struct tern_synth_report *r, const struct tern_fpga *f,
			 const char *path, int cached)
{
	const char *s;
	double v, cap, est, share;
	char what[64];

	printf("tern synth: %s %s on %s (%s), %s %s\n", tern_synth_get(r, "board"),
	       tern_synth_get(r, "array"), tern_synth_get(r, "part"), tern_synth_get(r, "family"),
	       cached ? "cached report" : "report", path);
	printf("  %-22s %9s %10s %7s\n", "resource", "used", "available", "use");
	snprintf(what, sizeof(what), "%s", f->lut_kind);
	row(r, what, "lut", f->luts);
	if (!tern_synth_num(r, "lc", &v))
		row(r, "LC (nextpnr)", "lc", tern_synth_num(r, "capacity.lc", &cap) ? f->luts : cap);
	row(r, "FF", "ff", f->ffs);
	snprintf(what, sizeof(what), "BRAM (%s)", f->bram_kind);
	row(r, what, "bram", f->bram);
	if (!tern_synth_num(r, "capacity.spram", &cap))
		row(r, "SPRAM", "spram", cap);
	if (f->uram)
		row(r, "URAM", "uram", f->uram);
	row(r, "DSP", "dsp", f->dsp);
	if (f->counter_bits < 64) /* a feature narrowed to fit (fpga.rtl_params) */
		printf("  %-22s %u-bit, wrap at 2^%u (HW_COUNTER_BITS reads %u)\n", "counters",
		       f->counter_bits, f->counter_bits, f->counter_bits);
	if (!tern_synth_num(r, "fmax_mhz", &v))
		printf("  %-22s %9.1f MHz (target %g MHz, %s)\n", "Fmax", v, f->target_mhz,
		       tern_synth_get(r, "timing"));
	else
		printf("  %-22s %s\n", "timing", (s = tern_synth_get(r, "timing")) ? s : "-");
	if (!tern_synth_num(r, "pe_array.lut_per_pe", &v) &&
	    !tern_synth_num(r, "pe_array.est_lut_per_pe", &est) &&
	    !tern_synth_num(r, "pe_array.share_of_tern_top", &share))
		printf("  %-22s %9.2f %s/PE (adder-tree estimate %.2f), %.0f%% of tern_top\n",
		       "PE array", v, f->lut_kind, est, 100 * share);
	if ((s = tern_synth_get(r, "method"))) /* a split run (docs/fpga.md): how the sum was made */
		printf("  %-22s %s\n", "method", s);
	if ((s = tern_synth_get(r, "bitstream")) && strcmp(s, "null"))
		printf("  %-22s %s\n", "bitstream", s);
	printf("  %-22s %s\n", "yosys", (s = tern_synth_get(r, "tools.yosys")) ? s : "-");
	if ((s = tern_synth_get(r, "tools.nextpnr-ice40")))
		printf("  %-22s %s\n", "nextpnr-ice40", s);
	if (!tern_synth_num(r, "seconds.total", &v))
		printf("  %-22s %.0f s (%s)\n", "run time", v,
		       (s = tern_synth_get(r, "date")) ? s : "-");
	printf("  %-22s %s\n", "status", tern_synth_get(r, "status"));
}

int tern_cmd_synth(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "board", required_argument, 0, 'b' }, { "array", required_argument, 0, 'a' },
		{ "rerun", no_argument, 0, 'r' },	{ "synth-dir", required_argument, 0, 'd' },
		{ "help", no_argument, 0, 'h' },	{ 0, 0, 0, 0 }
	};
	static struct tern_synth_report r;
	const char *board = NULL, *array = NULL, *sdir_opt = NULL, *st;
	char sdir[PATH_MAX], out[PATH_MAX + 64], path[PATH_MAX + 80], err[PATH_MAX + 64], first[16];
	const struct tern_fpga *f;
	int c, rerun = 0, cached = 1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': board = optarg; break;
		case 'a': array = optarg; break;
		case 'r': rerun = 1; break;
		case 'd': sdir_opt = optarg; break;
		case 'h': fputs(help, stdout); return TERN_EXIT_OK;
		default: return tern_bad_option(CMD, argv), TERN_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s'", argv[optind]);
	if (!board)
		return tern_usage_err(CMD, "--board is required (" TERN_FPGA_NAMES ")");
	if (!(f = find_board(board)))
		return tern_usage_err(CMD, "unknown board '%s' (boards with an FPGA flow: " TERN_FPGA_NAMES ")",
				      board);
	if (!array) {
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(f->arrays, " "), f->arrays);
		array = first;
	}
	if (!array_ok(f, array))
		return tern_usage_err(CMD, "bad --array '%s' (RxL, e.g. 8x8, or one of: %s)", array, f->arrays);
	tern_synth_dir(sdir_opt, sdir, sizeof(sdir));
	snprintf(out, sizeof(out), "%s/%s/%s", sdir, board, array);
	snprintf(path, sizeof(path), "%s/report.json", out);
	if (rerun || access(path, F_OK)) {
		if (run_flow(board, array, out))
			return TERN_EXIT_USAGE;
		cached = 0;
	}
	if (tern_synth_read(path, &r, err, sizeof(err)))
		return tern_usage_err(CMD, "%s", err);
	print_report(&r, f, path, cached);
	st = tern_synth_get(&r, "status");
	return st && !strncmp(st, "ok", 2) ? TERN_EXIT_OK : TERN_EXIT_CHECK;
}
