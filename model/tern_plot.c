/*
 * Report plots, drawn by gnuplot from a script fed on a pipe with the data inline
 * (datablocks), so no data files are left behind: cycles.png (cycles per layer and
 * PE utilization), roofline.png (MACs per DRAM byte vs achieved MAC/s under the
 * compute and bandwidth roofs) and energy.png (ternary vs INT8, stacked by compute,
 * SRAM, DRAM, host). Each PNG goes to a temporary name and is renamed when gnuplot
 * succeeded, so a reader never sees a half-written image. gnuplot is optional.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tern_board.h"
#include "tern_report.h"

static const char *const plots[] = { "cycles.png", "roofline.png", "energy.png" };
#define NPLOTS 3

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

static void plot_cycles(FILE *g, const char *dir, const char *tmp, const struct tern_report *r,
			const struct tern_report_eval *ev)
{
	struct tern_layer_eval le;
	size_t i, step = r->nlayers > 40 ? (r->nlayers + 39) / 40 : 1;

	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	fprintf(g, "set title \"Cycles and PE utilization per layer (%s x %s array, cycles: %s)\"\n",
		r->array, r->backend, ev->total.bound ? "lower bound" : r->cycles_source);
	fprintf(g, "set style data histograms\nset style histogram clustered gap 1\n"
		   "set style fill solid 0.8 border -1\nset boxwidth 0.8\n"
		   "set xlabel \"layer\"\nset ylabel \"cycles\"\nset y2label \"PE utilization (%%)\"\n"
		   "set yrange [0:*]\nset y2range [0:105]\nset ytics nomirror\nset y2tics 0,20,100\n"
		   "set xtics rotate by -40 noenhanced font \",8\"\nset key top left opaque\n"
		   "set grid ytics\n");
	fprintf(g, "$d << EOD\n");
	for (i = 0; i < r->nlayers; i++) {
		tern_report_eval_layer(r, &r->layers[i], &le);
		put_label(g, r->layers[i].name);
		fprintf(g, " %llu %.4f\n", (unsigned long long)le.cycles, 100.0 * le.utilization);
	}
	fprintf(g, "EOD\n");
	fprintf(g, "plot $d using 2:xtic(int($0) %% %zu == 0 ? stringcolumn(1) : \"\") "
		   "title \"cycles\" lc rgb \"#4477aa\", "
		   "$d using 0:3 axes x1y2 with linespoints pt 7 ps 1.2 lc rgb \"#cc3311\" "
		   "title \"PE utilization (%%)\"\n", step);
}

static void plot_roofline(FILE *g, const char *dir, const char *tmp, const struct tern_report *r)
{
	double peak = (double)r->cfg.rows * r->cfg.lanes * r->clock_mhz * 1e6;
	double bw = r->dram_gbps * 1e9, lo = 1e30, hi = 0;
	struct tern_layer_eval le;
	size_t i;
	int ph;

	for (i = 0; i < r->nlayers; i++) {
		tern_report_eval_layer(r, &r->layers[i], &le);
		if (le.macs_per_byte > 0 && le.macs_per_byte < lo)
			lo = le.macs_per_byte;
		if (le.macs_per_byte > hi)
			hi = le.macs_per_byte;
	}
	if (hi < peak / bw)
		hi = peak / bw;
	if (lo > peak / bw)
		lo = peak / bw;
	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	fprintf(g, "set title \"Roofline: %s array at %.6g MHz, DRAM %.6g GB/s\"\n",
		r->array, r->clock_mhz, r->dram_gbps);
	fprintf(g, "set logscale xy\nset xlabel \"arithmetic intensity (MACs per DRAM byte)\"\n"
		   "set ylabel \"achieved MAC/s\"\nset grid\nset key bottom right opaque\n"
		   "set format y \"%%.0e\"\n");
	fprintf(g, "P = %.9g\nB = %.9g\nroof(x) = x * B < P ? x * B : P\n", peak, bw);
	/* two decades either side of the data and the ridge point */
	fprintf(g, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\nset samples 400\n",
		lo / 100, hi * 100, lo / 100 * bw / 2, peak * 3);
	fprintf(g, "set label 1 sprintf(\"compute roof %%.3g MAC/s\", P) at graph 0.02, first P * 1.4\n");
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
	fprintf(g, "plot roof(x) title \"roof: min(peak, intensity x bandwidth)\" lw 2 lc rgb \"#333333\", "
		   "$p0 using 1:2 with points pt 7 ps 1.5 lc rgb \"#4477aa\" title \"prefill layers\", "
		   "$p1 using 1:2 with points pt 9 ps 1.5 lc rgb \"#cc3311\" title \"decode layers\"\n");
}

static void energy_row(FILE *g, const char *label, const struct tern_energy *e, double scale)
{
	fprintf(g, "\"%s\" %.6g %.6g %.6g %.6g\n", label, e->compute / scale, e->sram / scale,
		e->dram / scale, e->host / scale);
}

static void plot_energy(FILE *g, const char *dir, const char *tmp, const struct tern_report *r,
			const struct tern_report_eval *ev)
{
	static const char *const unit[] = { "pJ", "nJ", "µJ", "mJ", "J" };
	double scale = 1, top = ev->total.base.total > ev->total.e.total ?
		       ev->total.base.total : ev->total.e.total;
	char lab[64];
	int u = 0, ph;

	while (u < 4 && top / scale >= 1000) {
		scale *= 1000;
		u++;
	}
	fprintf(g, "set output '%s/%s'\nreset\n", dir, tmp);
	fprintf(g, "set title \"Energy: ternary array vs INT8 MAC baseline (%s, %s)\"\n",
		r->tech.node, r->model);
	fprintf(g, "set style data histograms\nset style histogram rowstacked\n"
		   "set style fill solid 0.85 border -1\nset boxwidth 0.6\nset yrange [0:*]\n"
		   "set ylabel \"energy (%s)\"\nset xlabel \"phase and datapath\"\n"
		   "set key outside right top\nset grid ytics\n", unit[u]);
	fprintf(g, "$e << EOD\n");
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		if (!ev->ph[ph].macs && !ev->ph[ph].tokens)
			continue;
		snprintf(lab, sizeof(lab), "%s ternary", tern_phase_name(ph));
		energy_row(g, lab, &ev->ph[ph].e, scale);
		snprintf(lab, sizeof(lab), "%s INT8", tern_phase_name(ph));
		energy_row(g, lab, &ev->ph[ph].base, scale);
	}
	fprintf(g, "EOD\n");
	fprintf(g, "plot $e using 2:xtic(1) title \"compute\" lc rgb \"#4477aa\", "
		   "'' using 3 title \"SRAM\" lc rgb \"#66ccee\", "
		   "'' using 4 title \"DRAM\" lc rgb \"#ee6677\", "
		   "'' using 5 title \"host\" lc rgb \"#ccbb44\"\n");
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
		snprintf(from, sizeof(from), "%s/%s", dir, tmp[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, plots[i]);
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
