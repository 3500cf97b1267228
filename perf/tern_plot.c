/*
 * Report plots, drawn by gnuplot from a script fed on a pipe with the data inline
 * (datablocks), so no data files are left behind: cycles.png (cycles and PE
 * utilization, one panel per phase, per layer or, for whole models, per block stacked
 * by layer kind), roofline.png (MACs per DRAM byte vs achieved MAC/s under the
 * compute roof and both memory roofs, board DRAM and the array's port), energy.png
 * (ternary vs INT8, stacked by compute, SRAM, DRAM, host) and units.png (per unit,
 * the share of cycles working, waiting on DRAM, waiting for a token, idle). Each PNG goes to a temporary name and is renamed when gnuplot
 * succeeded, so a reader never sees a half-written image. gnuplot is optional.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tern_board.h"
#include "tern_report.h"

static const char *const plots[] = { "cycles.png", "roofline.png", "energy.png", "units.png" };
#define NPLOTS 4

/* gnuplot from $GNUPLOT or the PATH; 0 when found. */
static int find_gnuplot(char *out, size_t outlen)
{
	const char *env = getenv("GNUPLOT"), *path = getenv("PATH");
	char *copy, *dir, *save;
	int found = 0;

	if (env && *env) {
		snprintf(out, outlen, "%s", env);
		return access(out, X_OK) ? -1 : 0;
	}
	if (!path || !(copy = strdup(path)))
		return -1;
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, outlen, "%s/gnuplot", *dir ? dir : ".");
		found = access(out, X_OK) == 0;
	}
	free(copy);
	return found ? 0 : -1;
}

/* Layer names go inside gnuplot double quotes: keep them printable and quote-free. */
static void put_label(FILE *g, const char *s)
{
	fputc('"', g);
	for (; *s; s++)
		fputc(*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ? '_' : *s, g);
	fputc('"', g);
}

/*
 * cycles.png: one panel per phase that ran layers. Up to PLOT_LAYERS layers a panel
 * has one bordered bar per layer, each labelled. Above that, bars would merge and
 * labels overlap, so layers named GROUP.KIND (blk.3.attn_q) are summed per group
 * (blk.3), one bar per group stacked by kind (attn_q, ..., ffn_down), with the
 * group's utilization; names that do not group that way (more than PLOT_KINDS kinds)
 * keep one borderless bar per layer with every n-th label.
 */
#define PLOT_LAYERS 40
#define PLOT_KINDS 12

static const char *const kind_rgb[PLOT_KINDS] = {
	"#4477aa", "#66ccee", "#228833", "#ccbb44", "#ee6677", "#aa3377",
	"#bbbbbb", "#332288", "#117733", "#999933", "#882255", "#44aa99",
};

struct cyc_group {
	char name[64];
	uint64_t cycles[PLOT_KINDS];
	uint64_t total, macs;
};

/* A phase's layers, grouped by name when that makes the panel readable. */
struct cyc_panel {
	enum tern_phase ph;
	size_t nlayers;
	char kinds[PLOT_KINDS][64];
	int nkinds;
	struct cyc_group *g;      /* NULL: one bar per layer */
	size_t ng;
};

/* Split "blk.3.attn_q" into group "blk.3" and kind "attn_q"; a dotless name is both. */
static void split_name(const char *name, char *grp, char *kind, size_t len)
{
	const char *dot = strrchr(name, '.');

	snprintf(grp, len, "%.*s", dot ? (int)(dot - name) : (int)strlen(name), name);
	snprintf(kind, len, "%s", dot ? dot + 1 : name);
}

static int kind_index(struct cyc_panel *p, const char *kind)
{
	int i;

	for (i = 0; i < p->nkinds; i++)
		if (!strcmp(p->kinds[i], kind))
			return i;
	if (p->nkinds == PLOT_KINDS)
		return -1;
	snprintf(p->kinds[p->nkinds], sizeof(p->kinds[0]), "%s", kind);
	return p->nkinds++;
}

static struct cyc_group *group_of(struct cyc_panel *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ng; i++)
		if (!strcmp(p->g[i].name, name))
			return &p->g[i];
	memset(&p->g[p->ng], 0, sizeof(p->g[0]));
	snprintf(p->g[p->ng].name, sizeof(p->g[0].name), "%s", name);
	return &p->g[p->ng++];
}

/* Group the phase's layers; p->g stays NULL when grouping does not help. */
static void group_layers(const struct tern_report *r, struct cyc_panel *p)
{
	char grp[64], kind[64];
	struct tern_layer_eval le;
	struct cyc_group *g;
	size_t i;
	int k;

	if (p->nlayers <= PLOT_LAYERS || !(p->g = calloc(p->nlayers, sizeof(*p->g))))
		return;
	for (i = 0; i < r->nlayers; i++) {
		if (r->layers[i].phase != p->ph)
			continue;
		split_name(r->layers[i].name, grp, kind, sizeof(grp));
		k = kind_index(p, kind);
		if (k < 0)
			break;
		tern_report_eval_layer(r, &r->layers[i], &le);
		g = group_of(p, grp);
		g->cycles[k] += le.cycles;
		g->total += le.cycles;
		g->macs += le.macs;
	}
	if (i < r->nlayers || p->ng == p->nlayers) {
		free(p->g);
		p->g = NULL;
	}
}

/* Cycles are printed divided by a power of 1000 that keeps the tick labels short. */
static double cycles_scale(uint64_t top, const char **unit)
{
	static const char *const units[] = { "cycles", "cycles (thousands)", "cycles (millions)",
					     "cycles (billions)" };
	double scale = 1;
	int u = 0;

	while (u < 3 && (double)top / scale >= 10000) {
		scale *= 1000;
		u++;
	}
	*unit = units[u];
	return scale;
}

static void panel_axes(FILE *g, size_t nbars, const char *xlabel, const char *ylabel)
{
	fprintf(g, "set style data histograms\nset boxwidth 0.8\nset yrange [0:*]\n"
		   "set y2range [0:105]\nset ytics nomirror\nset y2tics 0,20,100\nset grid ytics\n"
		   "set format y \"%%g\"\nset ylabel \"%s\"\n"
		   "set y2label \"PE utilization (%%)\"\nset xlabel \"%s\"\n"
		   "set xtics nomirror rotate by -40 noenhanced font \",%d\"\n"
		   "set key outside right top noenhanced\n",
		ylabel, xlabel, nbars > 20 ? 8 : 10);
}

static void panel_layers(FILE *g, const struct tern_report *r, const struct cyc_panel *p)
{
	size_t i, step = p->nlayers > PLOT_LAYERS ? (p->nlayers + PLOT_LAYERS - 1) / PLOT_LAYERS : 1;
	int many = p->nlayers > PLOT_LAYERS;
	struct tern_layer_eval le;
	const char *unit;
	uint64_t top = 0;
	double scale;

	for (i = 0; i < r->nlayers; i++) {
		tern_report_eval_layer(r, &r->layers[i], &le);
		if (r->layers[i].phase == p->ph && le.cycles > top)
			top = le.cycles;
	}
	scale = cycles_scale(top, &unit);
	panel_axes(g, p->nlayers, many ? "layer (every n-th labelled; all in layers.csv)" : "layer",
		   unit);
	fprintf(g, "set style histogram clustered gap 1\nset style fill solid %s\n",
		many ? "1.0 noborder" : "0.8 border -1");
	fprintf(g, "$c%d << EOD\n", p->ph);
	for (i = 0; i < r->nlayers; i++) {
		if (r->layers[i].phase != p->ph)
			continue;
		tern_report_eval_layer(r, &r->layers[i], &le);
		put_label(g, r->layers[i].name);
		fprintf(g, " %.6g %.4f\n", (double)le.cycles / scale, 100.0 * le.utilization);
	}
	fprintf(g, "EOD\n");
	fprintf(g, "plot $c%d using 2:xtic(int($0) %% %zu == 0 ? stringcolumn(1) : \"\") "
		   "title \"cycles\" lc rgb \"#4477aa\", "
		   "'' using 0:3 axes x1y2 with %s pt 7 ps %s lc rgb \"#cc3311\" "
		   "title \"PE utilization (%%)\"\n", p->ph, step,
		many ? "points" : "linespoints", many ? "0.5" : "1.2");
}

static void panel_groups(FILE *g, const struct cyc_panel *p, double pes)
{
	size_t i, step = p->ng > PLOT_LAYERS ? (p->ng + PLOT_LAYERS - 1) / PLOT_LAYERS : 1;
	const char *unit;
	uint64_t top = 0;
	double scale;
	int k;

	for (i = 0; i < p->ng; i++)
		top = p->g[i].total > top ? p->g[i].total : top;
	scale = cycles_scale(top, &unit);
	panel_axes(g, p->ng, "block (bars: cycles of its layers, stacked by layer kind)", unit);
	fprintf(g, "set style histogram rowstacked\nset style fill solid 0.9 noborder\n");
	fprintf(g, "$c%d << EOD\n", p->ph);
	for (i = 0; i < p->ng; i++) {
		put_label(g, p->g[i].name);
		for (k = 0; k < p->nkinds; k++)
			fprintf(g, " %.6g", (double)p->g[i].cycles[k] / scale);
		fprintf(g, " %.4f\n", p->g[i].total ?
			100.0 * (double)p->g[i].macs / ((double)p->g[i].total * pes) : 0);
	}
	fprintf(g, "EOD\nplot ");
	for (k = 0; k < p->nkinds; k++) {
		fprintf(g, "$c%d using %d", p->ph, k + 2);
		if (!k)
			fprintf(g, ":xtic(int($0) %% %zu == 0 ? stringcolumn(1) : \"\")", step);
		fprintf(g, " title ");
		put_label(g, p->kinds[k]);
		fprintf(g, " lc rgb \"%s\", ", kind_rgb[k]);
	}
	fprintf(g, "$c%d using 0:%d axes x1y2 with linespoints pt 7 ps 0.8 lc rgb \"#cc3311\" "
		   "title \"PE utilization (%%)\"\n", p->ph, p->nkinds + 2);
}

static void panel_title(FILE *g, const struct tern_report *r, const struct cyc_panel *p)
{
	uint64_t tokens = r->phase[p->ph].tokens;

	fprintf(g, "set title \"%s", p->ph == TERN_PHASE_DECODE ? "Decode" : "Prefill");
	if (tokens)
		fprintf(g, ", %llu tokens", (unsigned long long)tokens);
	fprintf(g, ": %zu layer%s%s%s\" noenhanced\n", p->nlayers, p->nlayers == 1 ? "" : "s",
		p->g ? " summed per block" : "",
		p->ph == TERN_PHASE_DECODE && tokens > 1 ? ", cycles of all steps" : "");
}

static const char *cycles_what(const struct tern_report *r, const struct tern_report_eval *ev)
{
	if (ev->total.bound)
		return "lower bound max(MACs / PEs, DRAM bytes / bytes per cycle)";
	if (!strcmp(r->cycles_source, "rtl"))
		return "measured on the RTL";
	if (!strcmp(r->cycles_source, "fast"))
		return "fast cycle model";
	return r->cycles_source;
}

static void plot_cycles(FILE *g, const char *dir, const char *tmp, const struct tern_report *r,
			const struct tern_report_eval *ev)
{
	double pes = (double)r->cfg.rows * r->cfg.lanes;
	struct cyc_panel pn[TERN_PHASE_COUNT];
	int ph, n = 0, i;
	size_t l;

	memset(pn, 0, sizeof(pn));
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		pn[n].ph = ph;
		for (l = 0; l < r->nlayers; l++)
			pn[n].nlayers += (int)r->layers[l].phase == ph;
		if (pn[n].nlayers)
			group_layers(r, &pn[n++]);
	}
	fprintf(g, "set terminal pngcairo size 1100,%d font \"sans,11\"\n", n > 1 ? 900 : 560);
	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	fprintf(g, "set multiplot layout %d,1 title \"Cycles and PE utilization per layer: %s, "
		   "%s array, %s backend, cycles: %s\" noenhanced\n", n ? n : 1, r->model, r->array,
		r->backend, cycles_what(r, ev));
	if (!n)
		fprintf(g, "set xlabel \"layer\"\nset ylabel \"cycles\"\nset yrange [0:1]\n"
			   "set title \"no layers\"\nplot 1/0 notitle\n");
	for (i = 0; i < n; i++) {
		panel_title(g, r, &pn[i]);
		if (pn[i].g)
			panel_groups(g, &pn[i], pes);
		else
			panel_layers(g, r, &pn[i]);
		free(pn[i].g);
	}
	fprintf(g, "unset multiplot\nset terminal pngcairo size 1000,600 font \"sans,11\"\n");
}
/*
 * The roofline has two memory roofs: the board's DRAM and the array's memory port
 * (BUS_BYTES x clock). The lower one is the roof the points live under (solid, with
 * the compute roof); the other is drawn dashed so the reader sees how far it is.
 */
static void plot_roofline(FILE *g, const char *dir, const char *tmp, const struct tern_report *r)
{
	double peak = (double)r->cfg.rows * r->cfg.lanes * r->clock_mhz * 1e6;
	double bd = r->dram_gbps * 1e9, bp = tern_report_port_gbps(r) * 1e9;
	double bw = tern_report_roof_gbps(r) * 1e9, lo = 1e30, hi = 0, ylo = peak;
	struct tern_layer_eval le;
	size_t i;
	int ph, port_low = bp < bd;
	char lab[48];

	for (i = 0; i < r->nlayers; i++) {
		tern_report_eval_layer(r, &r->layers[i], &le);
		if (!(le.macs_per_byte > 0 && le.macs_per_s > 0))
			continue;
		lo = le.macs_per_byte < lo ? le.macs_per_byte : lo;
		hi = le.macs_per_byte > hi ? le.macs_per_byte : hi;
		ylo = le.macs_per_s < ylo ? le.macs_per_s : ylo;
	}
	/* both ridge points (peak / bandwidth) are in view, and the data */
	lo = fmin(lo, peak / fmax(bd, bp));
	hi = fmax(hi, peak / fmin(bd, bp));
	lo /= 4;
	hi *= 4;
	ylo = fmin(ylo, lo * bw) / 2;
	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	fprintf(g, "set title \"Roofline: %s array at %.6g MHz; memory roof min(board DRAM %.4g GB/s, "
		   "port %u B x %.6g MHz = %.4g GB/s)\" noenhanced\n", r->array, r->clock_mhz,
		r->dram_gbps, r->cfg.bus_bytes, r->clock_mhz, bp / 1e9);
	fprintf(g, "set logscale xy\nset xlabel \"arithmetic intensity (MACs per DRAM byte)\"\n"
		   "set ylabel \"achieved MAC/s\"\nset grid\nset key bottom right opaque box\n"
		   "set format y \"10^{%%L}\"\nset format x \"%%g\"\n");
	fprintf(g, "P = %.9g\nBD = %.9g\nBP = %.9g\nB = %.9g\n", peak, bd, bp, bw);
	fprintf(g, "roof(x) = x * B < P ? x * B : P\n"
		   "other(x) = x * %s < P ? x * %s : 1/0\n", port_low ? "BD" : "BP",
		port_low ? "BD" : "BP");
	fprintf(g, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\nset samples 800\n",
		lo, hi, ylo, peak * 4);
	fprintf(g, "set label 1 \"compute roof %s (%u x %u PEs x %.6g MHz)\" "
		   "at graph 0.02, first P * 1.5 noenhanced\n", tern_fmt_si(lab, sizeof(lab), peak,
		   "MAC/s"), r->cfg.rows, r->cfg.lanes, r->clock_mhz);
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		fprintf(g, "$p%d << EOD\n", ph);
		for (i = 0; i < r->nlayers; i++) {
			if ((int)r->layers[i].phase != ph)
				continue;
			tern_report_eval_layer(r, &r->layers[i], &le);
			if (le.macs_per_byte > 0 && le.macs_per_s > 0)
				fprintf(g, "%.6g %.6g\n", le.macs_per_byte, le.macs_per_s);
		}
		/* a point far outside the range keeps an empty block plottable */
		fprintf(g, "1e-30 1e-30\nEOD\n");
	}
	fprintf(g, "plot roof(x) title \"roof: min(compute, intensity x %.3g GB/s %s)\" lw 2.5 "
		   "lc rgb \"#333333\", "
		   "other(x) title \"%s %.3g GB/s (%s)\" lw 2 dt 2 lc rgb \"#888888\", "
		   "$p0 using 1:2 with points pt 7 ps 1.5 lc rgb \"#4477aa\" title \"prefill layers\", "
		   "$p1 using 1:2 with points pt 9 ps 1.5 lc rgb \"#cc3311\" title \"decode layers\"\n",
		bw / 1e9, port_low ? "memory port" : "board DRAM",
		port_low ? "board DRAM" : "memory port", (port_low ? bd : bp) / 1e9,
		port_low ? "above the port: not reachable" : "above the DRAM: not reachable");
}

static void energy_row(FILE *g, const char *label, const struct tern_energy *e, double scale)
{
	fprintf(g, "\"%s\" %.6g %.6g %.6g %.6g\n", label, e->compute / scale, e->sram / scale,
		e->dram / scale, e->host / scale);
}

/* Activity-based energy summed per phase over its layers, when every layer has it. */
static void phase_activity(const struct tern_report *r, struct tern_energy *act, int *has)
{
	struct tern_layer_eval le;
	size_t i;
	int ph;

	memset(act, 0, TERN_PHASE_COUNT * sizeof(*act));
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++)
		has[ph] = 0;
	for (i = 0; i < r->nlayers; i++) {
		struct tern_energy *a = &act[r->layers[i].phase];

		tern_report_eval_layer(r, &r->layers[i], &le);
		has[r->layers[i].phase] = le.has_activity ? has[r->layers[i].phase] | 1 : 2;
		a->compute += le.act.compute;
		a->sram += le.act.sram;
		a->dram += le.act.dram;
		a->total += le.act.total;
	}
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++)
		has[ph] = has[ph] == 1;
}

static void plot_energy(FILE *g, const char *dir, const char *tmp, const struct tern_report *r,
			const struct tern_report_eval *ev)
{
	static const char *const unit[] = { "pJ", "nJ", "µJ", "mJ", "J" };
	struct tern_energy act[TERN_PHASE_COUNT];
	int has_act[TERN_PHASE_COUNT];
	double scale = 1, top = ev->total.fp32.total;
	char lab[64];
	int u = 0, ph;

	phase_activity(r, act, has_act);
	if (ev->total.base.total > top)
		top = ev->total.base.total;
	if (ev->total.e.total > top)
		top = ev->total.e.total;

	while (u < 4 && top / scale >= 1000) {
		scale *= 1000;
		u++;
	}
	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	fprintf(g, "set title \"Energy: ternary array vs INT8, FP16, FP32 MAC baselines (%s, %s)\"\n",
		r->tech.node, r->model);
	fprintf(g, "set style data histograms\nset style histogram rowstacked\n"
		   "set style fill solid 0.85 border -1\nset boxwidth 0.6\nset yrange [0:*]\n"
		   "set ylabel \"energy (%s)\"\nset xlabel \"phase and datapath\"\n"
		   "set key outside right top\nset grid ytics\nset xtics rotate by -35\n"
		   "set bmargin 7\n", unit[u]);
	fprintf(g, "$e << EOD\n");
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		if (!ev->ph[ph].macs && !ev->ph[ph].tokens)
			continue;
		snprintf(lab, sizeof(lab), "%s ternary", tern_phase_name(ph));
		energy_row(g, lab, &ev->ph[ph].e, scale);
		if (has_act[ph]) {
			/* layers carry no host work: the phase's host energy, as on every bar */
			act[ph].host = ev->ph[ph].e.host;
			snprintf(lab, sizeof(lab), "%s ternary, toggles", tern_phase_name(ph));
			energy_row(g, lab, &act[ph], scale);
		}
		snprintf(lab, sizeof(lab), "%s INT8", tern_phase_name(ph));
		energy_row(g, lab, &ev->ph[ph].base, scale);
		snprintf(lab, sizeof(lab), "%s FP16", tern_phase_name(ph));
		energy_row(g, lab, &ev->ph[ph].fp16, scale);
		snprintf(lab, sizeof(lab), "%s FP32", tern_phase_name(ph));
		energy_row(g, lab, &ev->ph[ph].fp32, scale);
	}
	fprintf(g, "EOD\n");
	fprintf(g, "plot $e using 2:xtic(1) title \"compute\" lc rgb \"#4477aa\", "
		   "'' using 3 title \"SRAM\" lc rgb \"#66ccee\", "
		   "'' using 4 title \"DRAM\" lc rgb \"#ee6677\", "
		   "'' using 5 title \"host\" lc rgb \"#ccbb44\"\n");
}

/*
 * units.png: for each unit (rows: fetch, load, gemm, store) and phase (columns), one
 * bar per layer -- or per block, grouped as cycles.png groups them -- stacked by the
 * share of its cycles the unit spent working, waiting on DRAM, waiting for a token
 * and idle. *_STALL_MEM is inside *_BUSY (the unit is executing), so working = BUSY -
 * STALL_MEM and idle = cycles - BUSY - STALL_DEP.
 */
struct unit_bar {
	char name[64];
	uint64_t cycles, c[TERN_CNT_COUNT + 1]; /* c[TERN_CNT_COUNT]: always 0 */
};

static const struct {
	const char *name;
	unsigned busy, mem, dep; /* TERN_CNT_COUNT: the unit has no such counter */
} unit_rows[4] = {
	{ "fetch unit", TERN_CNT_COUNT, TERN_CNT_COUNT,
	  TERN_CNT_FETCH_STALL },
	{ "load unit", TERN_CNT_LOAD_BUSY, TERN_CNT_LOAD_STALL_MEM, TERN_CNT_LOAD_STALL_DEP },
	{ "gemm unit", TERN_CNT_GEMM_BUSY, TERN_CNT_COUNT, TERN_CNT_GEMM_STALL_DEP },
	{ "store unit", TERN_CNT_STORE_BUSY, TERN_CNT_STORE_STALL_MEM, TERN_CNT_STORE_STALL_DEP },
};

/* The bars of phase ph: per layer, or per block when cycles.png groups them. */
static size_t unit_bars(const struct tern_report *r, int ph, struct unit_bar *b)
{
	struct cyc_panel p = { .ph = ph };
	char grp[64], kind[64];
	size_t i, j, n = 0;
	unsigned k;

	for (i = 0; i < r->nlayers; i++)
		p.nlayers += (int)r->layers[i].phase == ph;
	group_layers(r, &p);
	for (i = 0; i < r->nlayers; i++) {
		if ((int)r->layers[i].phase != ph)
			continue;
		split_name(r->layers[i].name, grp, kind, sizeof(grp));
		for (j = 0; p.g && j < n && strcmp(b[j].name, grp); j++)
			;
		if (!p.g || j == n) {
			j = n++;
			memset(&b[j], 0, sizeof(b[j]));
			snprintf(b[j].name, sizeof(b[j].name), "%s", p.g ? grp : r->layers[i].name);
		}
		b[j].cycles += r->layers[i].cnt[TERN_CNT_CYCLES];
		for (k = 0; k < TERN_CNT_COUNT; k++)
			b[j].c[k] += r->layers[i].cnt[k];
	}
	free(p.g);
	return n;
}

static void units_panel(FILE *g, const struct unit_bar *b, size_t n, int ph, int u, int key)
{
	size_t i, step = n > PLOT_LAYERS ? (n + PLOT_LAYERS - 1) / PLOT_LAYERS : 1;

	fprintf(g, "set title \"%s: %s\" noenhanced\n", ph == TERN_PHASE_DECODE ? "Decode" : "Prefill",
		unit_rows[u].name);
	fprintf(g, "set style data histograms\nset style histogram rowstacked\n"
		   "set style fill solid 0.9 noborder\nset boxwidth 0.8\nset yrange [0:100]\n"
		   "set ytics 0,25,100\nset grid ytics\nset ylabel \"%% of cycles\"\n"
		   "set xtics nomirror %s noenhanced font \",%d\"\n%s",
		n > 8 ? "rotate by -40" : "norotate", n > 20 ? 7 : 9, key ? "set key at screen 0.5, screen 0.94 center top horizontal "
		"width 1 noenhanced samplen 2\n" : "unset key\n");
	fprintf(g, "$u%d%d << EOD\n", ph, u);
	for (i = 0; i < n; i++) {
		double cyc = b[i].cycles ? (double)b[i].cycles : 1;
		double busy = (double)b[i].c[unit_rows[u].busy], mem = (double)b[i].c[unit_rows[u].mem];
		double dep = (double)b[i].c[unit_rows[u].dep], idle = cyc - busy - dep;

		put_label(g, b[i].name);
		fprintf(g, " %.4f %.4f %.4f %.4f\n", 100 * (busy > mem ? busy - mem : 0) / cyc,
			100 * mem / cyc, 100 * dep / cyc, 100 * (idle > 0 ? idle : 0) / cyc);
	}
	fprintf(g, "EOD\nplot $u%d%d using 2:xtic(int($0) %% %zu == 0 ? stringcolumn(1) : \"\") "
		   "title \"working\" lc rgb \"#228833\", '' using 3 title \"DRAM wait\" "
		   "lc rgb \"#ee6677\", '' using 4 title \"token wait\" "
		   "lc rgb \"#ccbb44\", '' using 5 title \"idle\" lc rgb \"#dddddd\"\n", ph, u, step);
}

static void plot_units(FILE *g, const char *dir, const char *tmp, const struct tern_report *r,
		       const struct tern_report_eval *ev)
{
	struct unit_bar *b[TERN_PHASE_COUNT] = { 0 };
	size_t n[TERN_PHASE_COUNT] = { 0 };
	int ph, u, cols = 0;

	for (ph = 0; ph < TERN_PHASE_COUNT; ph++)
		if (ev->ph[ph].macs && (b[ph] = calloc(r->nlayers, sizeof(*b[ph]))) &&
		    (n[ph] = unit_bars(r, ph, b[ph])))
			cols++;
	fprintf(g, "set terminal pngcairo size %d,%d font \"sans,10\"\n", cols > 1 ? 1400 : 900,
		cols && !ev->total.bound ? 1000 : 160);
	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	if (!cols || ev->total.bound) {
		fprintf(g, "set title \"Units busy/stall: not measured (the %s backend counts no "
			   "cycles; use --backend fast or verilator)\" noenhanced\nunset key\n"
			   "set xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
			   "plot 1/0 notitle\n", r->backend);
	} else {
		/* the key sits under the title, so no panel gives up its width to it */
		fprintf(g, "set multiplot layout 4,%d columnsfirst margins %s,0.98,0.05,0.875 "
			   "spacing 0.06,0.08 title \"Where each unit's cycles go, per %s: %s, %s "
			   "array, %s backend\\n(token wait: for a dependency token; for fetch: "
			   "a full instruction queue. DRAM wait is inside an instruction)\" "
			   "noenhanced\n", cols, cols > 1 ? "0.06" : "0.09",
			   n[TERN_PHASE_PREFILL] < r->nlayers / 2 ? "block" : "layer", r->model,
			   r->array, r->backend);
		for (ph = 0; ph < TERN_PHASE_COUNT; ph++)
			for (u = 0; n[ph] && u < 4; u++)
				units_panel(g, b[ph], n[ph], ph, u, u == 0 && ph == 0);
		fprintf(g, "unset multiplot\n");
	}
	fprintf(g, "set terminal pngcairo size 1000,600 font \"sans,11\"\n");
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++)
		free(b[ph]);
}

static int run_gnuplot(const char *gp, const char *dir, const struct tern_report *r,
		       char tmp[NPLOTS][256], char *err, size_t errlen)
{
	struct tern_report_eval ev;
	char cmd[1400];
	FILE *g;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' >/dev/null 2>'%s/.gnuplot.err'", gp, dir);
	g = popen(cmd, "w");
	if (!g) {
		snprintf(err, errlen, "cannot run gnuplot: %s", strerror(errno));
		return -1;
	}
	tern_report_eval(r, &ev);
	fprintf(g, "set terminal pngcairo size 1000,600 font \"sans,11\"\nset encoding utf8\n");
	plot_cycles(g, dir, tmp[0], r, &ev);
	plot_roofline(g, dir, tmp[1], r);
	plot_energy(g, dir, tmp[2], r, &ev);
	plot_units(g, dir, tmp[3], r, &ev);
	fprintf(g, "unset output\n");
	st = pclose(g);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(err, errlen, "gnuplot failed (messages in %s/.gnuplot.err)", dir);
		return -1;
	}
	return 0;
}

int tern_plot_write(const char *dir, const struct tern_report *r, char *err, size_t errlen)
{
	char gp[512], tmp[NPLOTS][256], from[1024], to[1024];
	struct stat sb;
	int i, rc;

	if (find_gnuplot(gp, sizeof(gp)))
		return 1;
	if (strpbrk(dir, "'\n") || strchr(gp, '\'')) {
		snprintf(err, errlen, "a quote or newline in '%s' cannot be passed to gnuplot", dir);
		return -1;
	}
	for (i = 0; i < NPLOTS; i++)
		snprintf(tmp[i], sizeof(tmp[i]), ".%s.tmp.%ld", plots[i], (long)getpid());
	rc = run_gnuplot(gp, dir, r, tmp, err, errlen);
	for (i = 0; i < NPLOTS; i++) {
		if ((size_t)snprintf(from, sizeof(from), "%s/%s", dir, tmp[i]) >= sizeof(from) ||
		    (size_t)snprintf(to, sizeof(to), "%s/%s", dir, plots[i]) >= sizeof(to)) {
			snprintf(err, errlen, "report directory name too long for gnuplot");
			rc = -1;
			continue;
		}
		if (!rc && (stat(from, &sb) || !sb.st_size)) {
			snprintf(err, errlen, "gnuplot wrote no %s", plots[i]);
			rc = -1;
		}
		if (!rc && rename(from, to)) {
			snprintf(err, errlen, "cannot write '%s': %s", to, strerror(errno));
			rc = -1;
		}
		unlink(from);
	}
	if (!rc) {
		snprintf(from, sizeof(from), "%s/.gnuplot.err", dir);
		unlink(from);
	}
	return rc;
}
