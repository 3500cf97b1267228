/*
 * The human-readable report: summary.md, a Markdown page that `tern report DIR`
 * prints again later. It states the machine and the assumptions first (board, clock,
 * DRAM bandwidth, technology table, where the cycles came from), then time, energy
 * beside the INT8 baseline, and the costliest layers. Every number comes from
 * tern_report_eval, the same evaluation report.json is written from.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_board.h"
#include "tern_report.h"

#define TOP_LAYERS 20

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void md_machine(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	const struct tern_hw_config *c = &r->cfg;

	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| model | %s |\n", r->model);
	fprintf(f, "| backend | %s |\n", r->backend);
	fprintf(f, "| array | %s: %u x %u PEs; WBUF %u, ABUF %u, ACC %u entries; bus %u B |\n",
		r->array, c->rows, c->lanes, c->wbuf_depth, c->abuf_depth, c->acc_depth, c->bus_bytes);
	fprintf(f, "| board | %s: %.6g MHz, DRAM %.6g GB/s = %.4g B/cycle |\n", r->board,
		r->clock_mhz, r->dram_gbps, tern_gbps_to_bpc(r->dram_gbps, r->clock_mhz));
	if (r->sim_dram_bpc > 0)
		fprintf(f, "| simulated DRAM | %.6g B/cycle (%.4g GB/s at the clock) |\n", r->sim_dram_bpc,
			tern_bpc_to_gbps(r->sim_dram_bpc, r->clock_mhz));
	fprintf(f, "| technology | %s (%s) |\n", r->tech.node, r->tech.path);
	if (r->host_gflops > 0)
		fprintf(f, "| host | %.6g GFLOP/s FP32 (%s), DRAM shared with the array; %s |\n",
			r->host_gflops, r->host_note ? r->host_note : "", r->host_rule ? r->host_rule : "");
	else
		fprintf(f, "| host | no host work modelled |\n");
	fprintf(f, "| cycles | %s |\n\n", ev->total.bound ?
		"**lower bound** max(MACs / PEs, DRAM bytes / bytes per cycle): this backend "
		"measures no cycles; use `--backend verilator` for RTL cycles" :
		r->cycles_source);
}

static void md_phase_row(FILE *f, const char *name, const struct tern_phase_eval *p)
{
	fprintf(f, "| %s | %llu | %llu | %.4g | %.4g | %.4g | %.4g | %.4g |\n", name,
		(unsigned long long)p->tokens, (unsigned long long)p->cycles, p->seconds,
		p->host_seconds, p->tokens_per_s, p->joules_per_token,
		p->tokens ? p->base.total * 1e-12 / (double)p->tokens : 0);
}

static void md_time(FILE *f, const struct tern_report_eval *ev)
{
	fprintf(f, "## Time and energy per token\n\n");
	fprintf(f, "| phase | tokens | cycles | accelerator s | host s | tokens/s | J/token | "
		   "J/token INT8 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	md_phase_row(f, "prefill", &ev->ph[TERN_PHASE_PREFILL]);
	md_phase_row(f, "decode", &ev->ph[TERN_PHASE_DECODE]);
	md_phase_row(f, "total", &ev->total);
	fprintf(f, "\naccelerator s = cycles / clock; tokens/s = tokens / (accelerator s + host s); "
		   "J/token includes the host's energy.\n");
	if (ev->total.host_seconds > 0)
		fprintf(f, "Time to first token: **%.4g s** (prefill accelerator %.4g s + host %.4g s).\n",
			ev->ttft_seconds, ev->ph[TERN_PHASE_PREFILL].seconds,
			ev->ph[TERN_PHASE_PREFILL].host_seconds);
	fprintf(f, "\n");
}

static void md_host_phase(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev,
			  enum tern_phase ph)
{
	const struct tern_report_phase *rp = &r->phase[ph];
	const struct tern_phase_eval *p = &ev->ph[ph];
	unsigned i;

	fprintf(f, "| **%s** | %.4g | %.4g | %.4g | %.4g |\n", tern_phase_name(ph), p->host_flops,
		p->host_bytes, p->host_seconds, p->e.host);
	for (i = 0; i < rp->nops; i++)
		if (rp->ops[i].flops > 0 || rp->ops[i].bytes > 0)
			fprintf(f, "| %s | %.4g | %.4g | %.4g | |\n", rp->ops[i].name,
				rp->ops[i].flops, rp->ops[i].bytes, rp->ops[i].seconds);
}

static void md_host(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	struct tern_event_pj e;

	if (!(r->host_gflops > 0) && !(ev->total.host_flops > 0) && !(ev->total.host_bytes > 0))
		return;
	tern_event_energies(&r->tech, &r->cfg, &e);
	fprintf(f, "## Host work (modelled, not measured)\n\n");
	fprintf(f, "| phase / op | FLOPs | DRAM bytes | seconds | energy (pJ) |\n"
		   "|---|---:|---:|---:|---:|\n");
	md_host_phase(f, r, ev, TERN_PHASE_PREFILL);
	md_host_phase(f, r, ev, TERN_PHASE_DECODE);
	fprintf(f, "\nHost rate %.6g GFLOP/s (%s); host DRAM %.6g GB/s (the board's). Host energy = "
		   "FLOPs x %.4g pJ + DRAM bytes x %.4g pJ (docs/energy.md).\n\n", r->host_gflops,
		r->host_note ? r->host_note : "not stated", r->dram_gbps, e.flop, e.dram_byte);
}

static void md_energy_row(FILE *f, const char *name, double t, double b)
{
	fprintf(f, "| %s | %.6g | %.6g | %.3g |\n", name, t, b, ratio(b, t));
}

static void md_energy(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	const struct tern_energy *t = &ev->total.e, *b = &ev->total.base;
	struct tern_event_pj e;

	tern_event_energies(&r->tech, &r->cfg, &e);
	fprintf(f, "## Energy: ternary array vs INT8 multiply-accumulate baseline\n\n");
	fprintf(f, "| | ternary (pJ) | INT8 (pJ) | INT8 / ternary |\n|---|---:|---:|---:|\n");
	md_energy_row(f, "compute", t->compute, b->compute);
	md_energy_row(f, "SRAM", t->sram, b->sram);
	md_energy_row(f, "DRAM", t->dram, b->dram);
	md_energy_row(f, "host", t->host, b->host);
	md_energy_row(f, "**total**", t->total, b->total);
	fprintf(f, "\nPer event at %s: ternary MAC with weight +-1 %.4g pJ (a %.2f-bit add in the "
		   "adder tree), weight 0 %.4g pJ (gated), 32-bit row accumulate %.4g pJ per step; "
		   "INT8 MAC %.4g pJ; SRAM per bit WBUF %.4g, ABUF %.4g, ACC %.4g pJ; DRAM %.4g pJ/B; "
		   "host %.4g pJ/FLOP + the DRAM energy per host byte. The INT8 baseline issues the same MACs with int8 weights "
		   "(4x the 2-bit weight bytes). Sources and assumptions: docs/energy.md.\n\n",
		r->tech.node, e.mac_nz, e.tree_bits, e.mac_zero, e.row_acc, e.int8_mac, e.wbuf_bit,
		e.abuf_bit, e.acc_bit, e.dram_byte, e.flop);
}

static const struct tern_report *sort_r;

/* Descending cycles, then by position, so the order is stable. */
static int by_cycles(const void *a, const void *b)
{
	struct tern_layer_eval ea, eb;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;

	tern_report_eval_layer(sort_r, &sort_r->layers[ia], &ea);
	tern_report_eval_layer(sort_r, &sort_r->layers[ib], &eb);
	if (ea.cycles != eb.cycles)
		return ea.cycles < eb.cycles ? 1 : -1;
	return ia < ib ? -1 : ia > ib;
}

static void md_layers(FILE *f, const struct tern_report *r)
{
	struct tern_layer_eval le;
	size_t i, n = r->nlayers < TOP_LAYERS ? r->nlayers : TOP_LAYERS;
	size_t *idx = malloc((r->nlayers ? r->nlayers : 1) * sizeof(*idx));

	if (!idx)
		return;
	for (i = 0; i < r->nlayers; i++)
		idx[i] = i;
	sort_r = r;
	qsort(idx, r->nlayers, sizeof(*idx), by_cycles);
	fprintf(f, "## Layers (%zu%s, by cycles; all in layers.csv)\n\n", r->nlayers,
		r->nlayers > n ? ", top 20" : "");
	fprintf(f, "| layer | phase | M x K x N | calls | cycles | utilization | MAC/DRAM byte | "
		   "DRAM bytes | energy (pJ) | INT8 (pJ) |\n"
		   "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct tern_report_layer *l = &r->layers[idx[i]];

		tern_report_eval_layer(r, l, &le);
		fprintf(f, "| %s | %s | %u x %u x %u | %llu | %llu | %.1f%% | %.3g | %llu | %.6g | %.6g |\n",
			l->name, tern_phase_name(l->phase), l->m, l->k, l->n_max,
			(unsigned long long)l->calls, (unsigned long long)le.cycles,
			100.0 * le.utilization, le.macs_per_byte, (unsigned long long)le.dram_bytes,
			le.e.total, le.base.total);
	}
	free(idx);
	fprintf(f, "\n");
}

void tern_report_summary(FILE *f, const struct tern_report *r)
{
	struct tern_report_eval ev;

	tern_report_eval(r, &ev);
	fprintf(f, "# tern report: %s\n\n", r->model);
	md_machine(f, r, &ev);
	md_time(f, &ev);
	md_host(f, r, &ev);
	md_energy(f, r, &ev);
	md_layers(f, r);
	fprintf(f, "## Plots\n\n![cycles and utilization per layer](cycles.png)\n"
		   "![roofline](roofline.png)\n![energy, ternary vs INT8](energy.png)\n\n"
		   "Machine-readable: report.json, layers.csv (fields in docs/reports.md).\n");
}
