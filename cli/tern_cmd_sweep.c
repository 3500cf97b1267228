/*
 * `tern sweep`: design-space sweep of a model over array sizes and weight formats with
 * the fast cycle model (sim/tern_fast.h). For every (array, weight format) point it
 * times each BitLinear of the model as `tern run` would issue it, prefill with N = the
 * prompt length and one decode step (N = 1) per generated token, prices the event
 * counts with the energy model (perf/tern_energy.h) and writes DIR/sweep.csv and
 * DIR/pareto.png (tokens/s against J/token, Pareto front marked), each atomically.
 * Area: each point carries tern_top's LUTs on the board from the synthesis reports
 * (tern_cli_synth.h): measured when that board and array were synthesized, else from a
 * line fitted to the board's reports, labelled "synth" or "fit" in the CSV; the Pareto
 * front is over all three (tokens/s up, J/token and LUTs down) where the area is known.
 * Time is accelerator time only (host ops are assumed to overlap or be negligible);
 * host energy is counted from the forward pass's FLOP and byte formulas (tern_cost_step),
 * priced as in run reports.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tern_board.h"
#include "tern_cli.h"
#include "tern_cli_board.h"
#include "tern_cli_synth.h"
#include "tern_driver.h"
#include "tern_energy.h"
#include "tern_fast.h"
#include "tern_model.h"
#include "tern_report.h"

#define CMD "sweep"
#define MAX_POINTS 64
#define MAX_CONFIGS 16
#define ZERO_FRACTION_DEFAULT (1.0 / 3.0)

static const char help[] =
	"usage: tern sweep --model zoo:NAME|FILE.gguf [--arrays LIST] [--config F.json ...]\n"
	"                  [--wfmt LIST]\n"
	"                  [--prompt N] [--tokens N] [--dram-bw B | --board NAME]\n"
	"                  [--clock-mhz F] [--dram-latency C] [--tech T] [--zero-fraction F]\n"
	"                  [--synth-dir DIR] [--out DIR] [--quiet]\n"
	"\n"
	"Time a whole model on every (array, weight format) point with the fast cycle model\n"
	"(its error against the RTL is in docs/fast_model.md) and write DIR/sweep.csv and\n"
	"DIR/pareto.png: generated tokens/s against J/token, Pareto front marked.\n"
	"  --model M          zoo:NAME (tern run --help lists them) or a GGUF file\n"
	"  --arrays LIST      comma-separated arrays (presets or RxL), default\n"
	"                     8x8,16x16,32x32,64x64 (none when only --config is given)\n"
	"  --config FILE      one more point: a hardware config from a JSON file (the format\n"
	"                     of tern gemm --help); repeat for more (up to 16)\n"
	"  --wfmt LIST        comma-separated weight formats: 2bit, base3 (default both)\n"
	"  --prompt N         prompt tokens, one prefill step with N = prompt (default 128)\n"
	"  --tokens N         generated tokens, one N = 1 step each (default 128)\n"
	"  --board NAME       kv260 (default), pynq-z2, arty-a7, icebreaker: clock and DRAM\n"
	"  --dram-bw B        DRAM bytes per cycle instead of the board's bandwidth\n"
	"  --clock-mhz F      array clock in MHz (default: the board's)\n"
	"  --dram-latency C   DRAM latency in cycles (default " TERN_DRAM_LATENCY_STR ")\n"
	"  --tech T           technology table: 45nm (default), 7nm, bitnet7nm or a .tech file\n"
	"  --zero-fraction F  share of zero weights for the gated-adder energy (default 1/3)\n"
	"  --synth-dir DIR    synthesis reports for the LUT column (default build/synth of\n"
	"                     the tern tree: make synth / make synth-sweep write them)\n"
	"  --out DIR          output folder (default sweep), created if missing\n"
	"  --quiet            no progress on stderr\n"
	"tokens/s = generated tokens / accelerator time of the whole run (prefill + decode);\n"
	"J/token = energy of the whole run (compute, SRAM, DRAM, host FLOPs and bytes) / generated tokens.\n"
	"luts = tern_top's LUTs on the board: luts_source synth (that board and array were\n"
	"synthesized), fit (a line through the board's reports), or none (empty).\n"
	"exit: 0 written, 2 bad usage or input, 128+N interrupted by signal N\n";

struct point {
	char array[32];
	struct tern_hw_config cfg;
	unsigned wfmt;
	uint64_t pre[TERN_CNT_COUNT], dec[TERN_CNT_COUNT], tot[TERN_CNT_COUNT];
	double seconds, tps, pre_tps, dec_tps, jpt, util;
	struct tern_energy e;
	double luts;         /* tern_top LUTs on the board; valid when lut_src */
	const char *lut_src; /* "synth", "fit" or NULL */
	int pareto;
};

struct sweep_config {
	char name[TERN_CONFIG_NAME_MAX];
	struct tern_hw_config cfg;
};

struct sweep_args {
	const char *model, *arrays, *wfmts, *out, *tech, *synth_dir;
	struct sweep_config cfgs[MAX_CONFIGS]; /* --config, in command-line order */
	unsigned ncfg;
	int arrays_given;
	uint64_t prompt, tokens, lat, bw;
	double clock_mhz, zero_fraction;
	const struct tern_board *board;
	int board_set, quiet;
};

enum { O_MODEL = 256, O_ARRAYS, O_WFMT, O_PROMPT, O_TOKENS, O_BW, O_BOARD, O_CLOCK, O_LAT,
       O_TECH, O_ZERO, O_OUT, O_QUIET, O_HELP, O_CONFIG, O_SYNTH };

static const struct option longopts[] = {
	{ "model", required_argument, 0, O_MODEL },   { "arrays", required_argument, 0, O_ARRAYS },
	{ "wfmt", required_argument, 0, O_WFMT },     { "prompt", required_argument, 0, O_PROMPT },
	{ "tokens", required_argument, 0, O_TOKENS }, { "dram-bw", required_argument, 0, O_BW },
	{ "board", required_argument, 0, O_BOARD },   { "clock-mhz", required_argument, 0, O_CLOCK },
	{ "dram-latency", required_argument, 0, O_LAT }, { "tech", required_argument, 0, O_TECH },
	{ "zero-fraction", required_argument, 0, O_ZERO }, { "out", required_argument, 0, O_OUT },
	{ "quiet", no_argument, 0, O_QUIET },	      { "help", no_argument, 0, O_HELP },
	{ "config", required_argument, 0, O_CONFIG }, { "synth-dir", required_argument, 0, O_SYNTH },
	{ 0, 0, 0, 0 }
};

/* A real number in [lo, hi], or (lo, hi] when open_lo. */
static int parse_real(const char *opt, const char *s, double lo, double hi, int open_lo,
		      double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !(v >= lo) || !(v <= hi) || (open_lo && v <= lo))
		return tern_usage_err(CMD, "%s expects a number in %s%g, %g], got '%s'", opt,
				      open_lo ? "(" : "[", lo, hi, s), -1;
	*out = v;
	return 0;
}

static int parse_one(struct sweep_args *a, int c, const char *v, char **argv)
{
	switch (c) {
	case O_MODEL: a->model = v; return 0;
	case O_ARRAYS: a->arrays = v; a->arrays_given = 1; return 0;
	case O_CONFIG:
		if (a->ncfg == MAX_CONFIGS)
			return tern_usage_err(CMD, "more than %d --config files", MAX_CONFIGS), -1;
		a->ncfg++;
		return tern_config_opt(CMD, v, &a->cfgs[a->ncfg - 1].cfg, a->cfgs[a->ncfg - 1].name);
	case O_WFMT: a->wfmts = v; return 0;
	case O_PROMPT: return tern_parse_u64(CMD, "--prompt", v, 1, 65535, &a->prompt);
	case O_TOKENS: return tern_parse_u64(CMD, "--tokens", v, 1, 1000000, &a->tokens);
	case O_BW: return tern_parse_u64(CMD, "--dram-bw", v, 1, 4096, &a->bw);
	case O_LAT: return tern_parse_u64(CMD, "--dram-latency", v, 1, 100000, &a->lat);
	case O_CLOCK: return parse_real("--clock-mhz", v, 0, 100000, 1, &a->clock_mhz);
	case O_ZERO: return parse_real("--zero-fraction", v, 0, 1, 0, &a->zero_fraction);
	case O_TECH: a->tech = v; return 0;
	case O_OUT: a->out = v; return 0;
	case O_SYNTH: a->synth_dir = v; return 0;
	case O_QUIET: a->quiet = 1; return 0;
	case O_BOARD:
		a->board_set = 1;
		a->board = tern_board_find(v);
		if (!a->board)
			return tern_usage_err(CMD, "unknown board '%s' (choose %s)", v, tern_board_names()), -1;
		return 0;
	case O_HELP: fputs(help, stdout); exit(TERN_EXIT_OK);
	default:
		return tern_bad_option(CMD, argv);
	}
}

static int parse_args(struct sweep_args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->arrays = "8x8,16x16,32x32,64x64";
	a->wfmts = "2bit,base3";
	a->out = "sweep";
	a->tech = "45nm";
	a->prompt = a->tokens = 128;
	a->lat = TERN_DRAM_LATENCY;
	a->zero_fraction = ZERO_FRACTION_DEFAULT;
	a->board = tern_board_find(TERN_BOARD_DEFAULT);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_one(a, c, optarg, argv))
			return -1;
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s' (see tern sweep --help)", argv[optind]), -1;
	if (!a->model)
		return tern_usage_err(CMD, "--model is required (see tern sweep --help)"), -1;
	if (a->board_set && a->bw)
		return tern_usage_err(CMD, "give either --dram-bw or --board, not both"), -1;
	if (!a->clock_mhz)
		a->clock_mhz = a->board->clock_mhz;
	if (!a->bw) {
		double bpc = tern_gbps_to_bpc(a->board->dram_gbps, a->clock_mhz);

		if (bpc > 4096)
			return tern_usage_err(CMD, "%g GB/s at %g MHz is more than 4096 bytes per cycle",
					      a->board->dram_gbps, a->clock_mhz), -1;
		a->bw = bpc < 1 ? 1 : (uint64_t)(bpc + 0.5);
	}
	return 0;
}

/* strtok_r skips empty items; a list like "8x8,,16x16" or ",8x8" is a typo to refuse. */
static int check_list(const char *opt, const char *v)
{
	size_t n = strlen(v);

	if (!n || v[0] == ',' || v[n - 1] == ',' || strstr(v, ",,"))
		return tern_usage_err(CMD, "%s '%s': empty item in the list", opt, v), -1;
	return 0;
}

/* One point per weight format for a config; 0 or -1 (printed). */
static int add_points(struct point *p, unsigned *np, const char *name,
		      const struct tern_hw_config *cfg, const unsigned *fm, unsigned nf)
{
	for (unsigned i = 0; i < nf; i++) {
		if (*np == MAX_POINTS)
			return tern_usage_err(CMD, "more than %d sweep points", MAX_POINTS), -1;
		memset(&p[*np], 0, sizeof(p[*np]));
		p[*np].cfg = *cfg;
		snprintf(p[*np].array, sizeof(p[*np].array), "%s", name);
		p[*np].wfmt = fm[i];
		(*np)++;
	}
	return 0;
}

/* Split the comma lists into the points' (arrays, then configs) x formats. */
static int make_points(const struct sweep_args *a, struct point *p, unsigned *np)
{
	char arrs[512], fmts[64], err[200], *s1, *s2, *x, *f;
	unsigned nf = 0, fm[2];
	struct tern_hw_config cfg;

	if (check_list("--wfmt", a->wfmts) || check_list("--arrays", a->arrays))
		return -1;
	snprintf(fmts, sizeof(fmts), "%s", a->wfmts);
	for (f = strtok_r(fmts, ",", &s2); f; f = strtok_r(NULL, ",", &s2)) {
		unsigned v = !strcmp(f, "2bit") ? 0 : !strcmp(f, "base3") ? 1 : 2;

		if (v == 2)
			return tern_usage_err(CMD, "--wfmt: '%s' is not 2bit or base3", f), -1;
		if (nf == 2 || (nf == 1 && fm[0] == v))
			return tern_usage_err(CMD, "--wfmt: '%s' given twice", f), -1;
		fm[nf++] = v;
	}
	if (!nf || strlen(a->arrays) >= sizeof(arrs))
		return tern_usage_err(CMD, "--wfmt and --arrays need at least one value each"), -1;
	*np = 0;
	/* The default array list is for a sweep without --config; configs replace it. */
	if (a->arrays_given || !a->ncfg) {
		snprintf(arrs, sizeof(arrs), "%s", a->arrays);
		for (x = strtok_r(arrs, ",", &s1); x; x = strtok_r(NULL, ",", &s1)) {
			if (tern_parse_array(x, &cfg, err, sizeof(err)))
				return tern_usage_err(CMD, "--arrays: %s", err), -1;
			if (add_points(p, np, x, &cfg, fm, nf))
				return -1;
		}
		if (!*np)
			return tern_usage_err(CMD, "--arrays needs at least one array"), -1;
	}
	for (unsigned i = 0; i < a->ncfg; i++)
		if (add_points(p, np, a->cfgs[i].name, &a->cfgs[i].cfg, fm, nf))
			return -1;
	return 0;
}

struct walk_ctx {
	const struct sweep_args *a;
	struct point *p;
	uint64_t *sum;
	char err[300];
};

/* One BitLinear of the walk: time it (cached) and add its counters. */
static int walk_one(void *vctx, uint32_t layer, uint32_t which, const char *name,
		    const struct tern_layer *l)
{
	struct walk_ctx *w = vctx;
	struct tern_fast_dram d = { (uint32_t)w->a->lat, (uint32_t)w->a->bw };
	struct tern_layer x = *l;
	uint64_t c[TERN_CNT_COUNT];
	char err[200];

	(void)layer;
	(void)which;
	x.wfmt = w->p->wfmt;
	if (tern_fast_layer(&w->p->cfg, &x, &d, w->a->zero_fraction, c, err, sizeof(err))) {
		snprintf(w->err, sizeof(w->err), "%s on %s: %s", name, w->p->array, err);
		return -1;
	}
	for (unsigned i = 0; i < TERN_CNT_COUNT; i++)
		w->sum[i] += c[i];
	return 0;
}

/* Time and price one point: prefill once, decode once (every decode step is alike). */
static int eval_point(const struct sweep_args *a, const struct tern_model_config *mc,
		      const struct tern_tech *tech, struct point *p, char *err, size_t errlen)
{
	struct walk_ctx w = { .a = a, .p = p };
	struct tern_host_cost hc;
	struct tern_events ev;
	double hz = a->clock_mhz * 1e6, peak;

	w.sum = p->pre;
	if (tern_walk_step(mc, (uint32_t)a->prompt, walk_one, &w))
		goto fail;
	w.sum = p->dec;
	if (tern_walk_step(mc, 1, walk_one, &w))
		goto fail;
	for (unsigned i = 0; i < TERN_CNT_COUNT; i++)
		p->tot[i] = p->pre[i] + a->tokens * p->dec[i];
	memset(&hc, 0, sizeof(hc));
	tern_cost_step(mc, 0, 0, (uint32_t)a->prompt, &hc);
	for (uint64_t t = 0; t < a->tokens; t++)
		tern_cost_step(mc, 0, (uint32_t)(a->prompt + t), 1, &hc);
	ev.cnt = p->tot;
	ev.cfg = p->cfg;
	ev.wfmt = p->wfmt;
	ev.host_flops = tern_host_flops(&hc);
	tern_energy_ternary(tech, &ev, &p->e);
	/* Host DRAM traffic is priced as in run reports (docs/energy.md). */
	p->e.host += tern_host_bytes(&hc) * tech->dram_pj_64b / 8.0;
	p->e.total += tern_host_bytes(&hc) * tech->dram_pj_64b / 8.0;
	p->seconds = p->tot[TERN_CNT_CYCLES] / hz;
	p->tps = a->tokens / p->seconds;
	p->pre_tps = a->prompt / (p->pre[TERN_CNT_CYCLES] / hz);
	p->dec_tps = hz / p->dec[TERN_CNT_CYCLES];
	p->jpt = p->e.total * 1e-12 / a->tokens;
	peak = (double)p->tot[TERN_CNT_CYCLES] * p->cfg.rows * p->cfg.lanes;
	p->util = peak > 0 ? p->tot[TERN_CNT_MACS] / peak : 0;
	return 0;
fail:
	snprintf(err, errlen, "%s", w.err);
	return -1;
}

/* j dominates i: no worse in every objective, better in one. LUTs count when both
 * points have an area (a point without one is judged on speed and energy). */
static int dominates(const struct point *j, const struct point *i)
{
	int area = j->lut_src && i->lut_src;

	if (j->tps < i->tps || j->jpt > i->jpt || (area && j->luts > i->luts))
		return 0;
	return j->tps > i->tps || j->jpt < i->jpt || (area && j->luts < i->luts);
}

static void mark_pareto(struct point *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		p[i].pareto = 1;
		for (unsigned j = 0; j < n && p[i].pareto; j++)
			if (j != i && dominates(&p[j], &p[i]))
				p[i].pareto = 0;
	}
}

static void add_area(const struct sweep_args *a, struct point *p, unsigned n)
{
	char sdir[1024];

	tern_synth_dir(a->synth_dir, sdir, sizeof(sdir));
	for (unsigned i = 0; i < n; i++)
		if (tern_synth_area(sdir, a->board->name, p[i].array, p[i].cfg.rows * p[i].cfg.lanes,
				    &p[i].luts, &p[i].lut_src))
			p[i].lut_src = NULL;
}

static int write_csv(const struct sweep_args *a, const struct point *p, unsigned n)
{
	char tmp[1024], err[1200];
	FILE *f = tern_report_open(a->out, "sweep.csv", tmp, sizeof(tmp), err, sizeof(err));

	if (!f)
		return tern_usage_err(CMD, "%s", err), -1;
	fprintf(f, "array,rows,lanes,wfmt,clock_mhz,dram_bytes_per_cycle,dram_latency,prompt,"
		   "tokens,prefill_cycles,decode_cycles_per_token,total_cycles,seconds,"
		   "tokens_per_s,prefill_tokens_per_s,decode_tokens_per_s,j_per_token,"
		   "compute_j_per_token,sram_j_per_token,dram_j_per_token,host_j_per_token,"
		   "macs,dram_bytes,utilization,pareto,luts,luts_source\n");
	for (unsigned i = 0; i < n; i++) {
		const struct point *q = &p[i];
		double s = 1e-12 / a->tokens;

		fprintf(f, "%s,%u,%u,%s,%g,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6g,%.6g,%.6g,"
			   "%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%llu,%llu,%.4f,%d,",
			q->array, q->cfg.rows, q->cfg.lanes, q->wfmt ? "base3" : "2bit", a->clock_mhz,
			(unsigned long long)a->bw, (unsigned long long)a->lat,
			(unsigned long long)a->prompt, (unsigned long long)a->tokens,
			(unsigned long long)q->pre[TERN_CNT_CYCLES],
			(unsigned long long)q->dec[TERN_CNT_CYCLES],
			(unsigned long long)q->tot[TERN_CNT_CYCLES], q->seconds, q->tps, q->pre_tps,
			q->dec_tps, q->jpt, q->e.compute * s, q->e.sram * s, q->e.dram * s,
			q->e.host * s, (unsigned long long)q->tot[TERN_CNT_MACS],
			(unsigned long long)(q->tot[TERN_CNT_DRAM_RD_BYTES] +
					     q->tot[TERN_CNT_DRAM_WR_BYTES]),
			q->util, q->pareto);
		if (q->lut_src)
			fprintf(f, "%.0f,%s\n", q->luts, q->lut_src);
		else
			fprintf(f, ",\n");
	}
	if (tern_report_commit(f, tmp, a->out, "sweep.csv", err, sizeof(err)))
		return tern_usage_err(CMD, "%s", err), -1;
	return 0;
}

/* gnuplot from $GNUPLOT or the PATH (gnuplot itself searches nothing). */
static int have_gnuplot(char *out, size_t len)
{
	const char *env = getenv("GNUPLOT");

	snprintf(out, len, "%s", env && *env ? env : "gnuplot");
	if (strchr(out, '\''))
		return 0;
	if (strchr(out, '/'))
		return access(out, X_OK) == 0;
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/*
 * Axis range that fits the points: log when they span more than 1.5 decades, else
 * linear (a log axis over a decade or so shows one tick label or none); a margin of 8%
 * of the span each side. Returns the map to 0..1 along the axis for label placement.
 */
struct axis {
	double lo, hi;
	int log;
};

static struct axis fit_axis(FILE *g, const char *ax, const struct point *p, unsigned n, int y)
{
	struct axis a = { 1e300, 0, 0 };
	double m;

	for (unsigned i = 0; i < n; i++) {
		double v = y ? p[i].tps : p[i].jpt * 1e3;

		a.lo = v < a.lo ? v : a.lo;
		a.hi = v > a.hi ? v : a.hi;
	}
	a.log = a.lo > 0 && a.hi / a.lo > 30;
	if (a.log) {
		m = pow(a.hi / a.lo, 0.08);
		a.lo /= m;
		a.hi *= m;
		fprintf(g, "set logscale %s\n", ax);
	} else {
		m = a.hi > a.lo ? 0.08 * (a.hi - a.lo) : 0.1 * fabs(a.hi) + 1e-9;
		a.lo = a.lo - m > 0 || a.lo <= 0 ? a.lo - m : a.lo / 2;
		a.hi += m;
	}
	fprintf(g, "set %srange [%.6g:%.6g]\n", ax, a.lo, a.hi);
	return a;
}

static double axis_pos(const struct axis *a, double v)
{
	return a->log ? log(v / a->lo) / log(a->hi / a->lo) : (v - a->lo) / (a->hi - a->lo);
}

struct box {
	double x0, x1, y0, y1;
};

static int box_free(const struct box *b, const struct box *used, unsigned nused)
{
	if (b->x0 < 0 || b->x1 > 1 || b->y0 < 0 || b->y1 > 1)
		return 0;
	for (unsigned i = 0; i < nused; i++)
		if (b->x0 < used[i].x1 && used[i].x0 < b->x1 && b->y0 < used[i].y1 &&
		    used[i].y0 < b->y1)
			return 0;
	return 1;
}

/*
 * One label per point, beside it where it hits neither another point nor a label
 * placed before: right, left, above, below (sizes in fractions of the plot area,
 * from the 1000x650 terminal and the 9-point label font).
 */
static void place_labels(FILE *g, const struct point *p, unsigned n, const struct axis *ax,
			 const struct axis *ay)
{
	static const char *const how[4] = { "left offset char 0.8,0", "right offset char -0.8,0",
					    "center offset char 0,1", "center offset char 0,-1" };
	struct box used[2 * MAX_POINTS], c[4];
	unsigned nused = 0;
	char text[48];

	for (unsigned i = 0; i < n; i++) {
		double u = axis_pos(ax, p[i].jpt * 1e3), v = axis_pos(ay, p[i].tps);

		used[nused++] = (struct box){ u - 0.008, u + 0.008, v - 0.012, v + 0.012 };
	}
	for (unsigned i = 0; i < n; i++) {
		double u = axis_pos(ax, p[i].jpt * 1e3), v = axis_pos(ay, p[i].tps);
		double w, h = 0.032;
		int k;

		snprintf(text, sizeof(text), "%.31s %s", p[i].array, p[i].wfmt ? "base3" : "2bit");
		w = (6.5 * (double)strlen(text) + 4) / 880;
		c[0] = (struct box){ u + 0.01, u + 0.01 + w, v - h / 2, v + h / 2 };
		c[1] = (struct box){ u - 0.01 - w, u - 0.01, v - h / 2, v + h / 2 };
		c[2] = (struct box){ u - w / 2, u + w / 2, v + 0.015, v + 0.015 + h };
		c[3] = (struct box){ u - w / 2, u + w / 2, v - 0.015 - h, v - 0.015 };
		for (k = 0; k < 4; k++) {
			/* the point's own square is not an obstacle */
			struct box self = used[i];

			used[i] = (struct box){ 2, 2, 2, 2 };
			int ok = box_free(&c[k], used, nused);

			used[i] = self;
			if (ok)
				break;
		}
		k = k == 4 ? 0 : k;
		used[nused++] = c[k];
		fprintf(g, "set label %u \"%s\" at %.6g,%.6g %s font \",9\" noenhanced\n", i + 1, text,
			p[i].jpt * 1e3, p[i].tps, how[k]);
	}
}

/* Points, then the front as a line through the Pareto points sorted by J/token. */
static void plot_script(FILE *g, const struct sweep_args *a, const struct point *p,
			unsigned n, const char *tmp)
{
	const struct point *front[MAX_POINTS];
	struct axis ax, ay;
	unsigned nf = 0, area = 0;

	for (unsigned i = 0; i < n; i++)
		area += p[i].lut_src != NULL;
	fprintf(g, "set terminal pngcairo size 1000,650 font \"sans,11\"\nset output '%s'\n", tmp);
	fprintf(g, "set title \"%s: prompt %llu + %llu tokens, %g MHz, %llu B/cycle DRAM\"\n",
		a->model, (unsigned long long)a->prompt, (unsigned long long)a->tokens,
		a->clock_mhz, (unsigned long long)a->bw);
	if (area)
		fprintf(g, "set cblabel \"tern\\_top LUTs on %s (synth or fit, sweep.csv)\"\n"
			   "set palette defined (0 \"#4477aa\", 1 \"#ccbb44\", 2 \"#ee6677\")\n",
			a->board->name);
	fprintf(g, "set xlabel \"energy per generated token (mJ/token)\"\n"
		   "set ylabel \"generated tokens per second (tokens/s)\"\n"
		   "set grid\nset key outside top center horizontal\n");
	ax = fit_axis(g, "x", p, n, 0);
	ay = fit_axis(g, "y", p, n, 1);
	place_labels(g, p, n, &ax, &ay);
	fprintf(g, "$d << EOD\n");
	for (unsigned i = 0; i < n; i++) {
		char luts[32] = "NaN"; /* gnuplot leaves a NaN colour out of the palette layer */

		if (p[i].lut_src)
			snprintf(luts, sizeof(luts), "%.0f", p[i].luts);
		fprintf(g, "%g %g \"%s %s\" %s\n", p[i].jpt * 1e3, p[i].tps, p[i].array,
			p[i].wfmt ? "base3" : "2bit", luts);
	}
	fprintf(g, "EOD\n$f << EOD\n");
	for (unsigned i = 0; i < n; i++)
		if (p[i].pareto)
			front[nf++] = &p[i];
	for (unsigned i = 1; i < nf; i++)
		for (unsigned j = i; j > 0 && front[j]->jpt < front[j - 1]->jpt; j--) {
			const struct point *t = front[j];

			front[j] = front[j - 1];
			front[j - 1] = t;
		}
	for (unsigned i = 0; i < nf; i++)
		fprintf(g, "%g %g\n", front[i]->jpt * 1e3, front[i]->tps);
	fprintf(g, "EOD\nplot $d using 1:2 with points pt 7 ps 1.2 lc rgb \"#4477aa\" "
		   "title \"design points\", ");
	if (area)
		fprintf(g, "$d using 1:2:4 with points pt 7 ps 1.6 lc palette "
			   "title \"colour: LUTs (Pareto over tokens/s, J/token, LUTs)\", ");
	fprintf(g,
		   "$f using 1:2 with linespoints pt 6 ps 2 lw 2 lc rgb \"#ee6677\" "
		   "title \"Pareto front\"\nunset output\n");
}

/* DIR/pareto.png, atomically. 0 written, 1 no gnuplot (noted), -1 failed. */
static int write_plot(const struct sweep_args *a, const struct point *p, unsigned n)
{
	char gp[512], cmd[1200], tmp[1024], path[1024];
	FILE *g;
	int st;

	if (!have_gnuplot(gp, sizeof(gp))) {
		fprintf(stderr, "tern sweep: gnuplot not found, pareto.png not written\n");
		return 1;
	}
	if (strpbrk(a->out, "'\n"))
		return tern_usage_err(CMD, "a quote or newline in '%s' cannot be passed to gnuplot",
				      a->out), -1;
	snprintf(tmp, sizeof(tmp), "%s/.pareto.png.tmp.%ld", a->out, (long)getpid());
	snprintf(path, sizeof(path), "%s/pareto.png", a->out);
	snprintf(cmd, sizeof(cmd), "'%s' >/dev/null 2>&1", gp);
	g = popen(cmd, "w");
	if (!g)
		return tern_usage_err(CMD, "cannot run gnuplot"), -1;
	plot_script(g, a, p, n, tmp);
	st = pclose(g);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) || access(tmp, F_OK) ||
	    rename(tmp, path)) {
		unlink(tmp);
		return tern_usage_err(CMD, "gnuplot could not write '%s'", path), -1;
	}
	return 0;
}

static int open_inputs(const struct sweep_args *a, struct tern_model_config *mc,
		       struct tern_tech *tech)
{
	struct tern_model *m;
	char err[600], path[512];

	if (tern_model_open(a->model, &m, err, sizeof(err)))
		return tern_usage_err(CMD, "--model: %s", err), -1;
	*mc = m->cfg;
	tern_model_free(m);
	if (tern_tech_find(a->tech, path, sizeof(path), err, sizeof(err)) ||
	    tern_tech_load(path, tech, err, sizeof(err)))
		return tern_usage_err(CMD, "--tech: %s", err), -1;
	if (tern_report_prepare_dir(a->out, err, sizeof(err)))
		return tern_usage_err(CMD, "--out: %s", err), -1;
	return 0;
}

int tern_cmd_sweep(int argc, char **argv)
{
	static struct point pts[MAX_POINTS];
	struct tern_model_config mc;
	struct sweep_args a;
	struct tern_tech tech;
	unsigned n, i;
	int tty = isatty(2);
	char err[400];

	if (parse_args(&a, argc, argv) || make_points(&a, pts, &n) || open_inputs(&a, &mc, &tech))
		return TERN_EXIT_USAGE;
	for (i = 0; i < n; i++) {
		if (tty && !a.quiet)
			fprintf(stderr, "\rtern sweep: %u/%u %s %s   ", i + 1, n, pts[i].array,
				pts[i].wfmt ? "base3" : "2bit");
		if (eval_point(&a, &mc, &tech, &pts[i], err, sizeof(err))) {
			if (tty && !a.quiet)
				fputc('\n', stderr);
			return tern_usage_err(CMD, "%s", err);
		}
	}
	if (tty && !a.quiet)
		fputc('\n', stderr);
	add_area(&a, pts, n);
	mark_pareto(pts, n);
	if (write_csv(&a, pts, n) || write_plot(&a, pts, n) < 0)
		return TERN_EXIT_USAGE;
	if (!a.quiet)
		for (i = 0; i < n; i++)
		{
			char luts[48] = "";

			if (pts[i].lut_src)
				snprintf(luts, sizeof(luts), " %9.0f LUT (%s)", pts[i].luts,
					 pts[i].lut_src);
			printf("%-8s %-5s %12.2f tokens/s %10.4f mJ/token%s%s\n", pts[i].array,
			       pts[i].wfmt ? "base3" : "2bit", pts[i].tps, pts[i].jpt * 1e3, luts,
			       pts[i].pareto ? "  pareto" : "");
		}
	return TERN_EXIT_OK;
}
