/*
 * The human-readable report: summary.md, a Markdown page that `tern report DIR`
 * prints again later. It states the machine and the assumptions first (board, clock,
 * DRAM bandwidth, technology table, where the cycles came from), then time, energy
 * beside the INT8 baseline, the busy/stall share of each unit, and the costliest
 * layers. Every number comes from tern_report_eval, the same evaluation report.json
 * is written from, and is printed with a unit prefix and three significant digits
 * (tern_report_fmt.c), never as a raw exponent.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_board.h"
#include "tern_report.h"

#define TOP_LAYERS 20

/* Scratch strings for one printf: each F_* macro formats into its own slot. */
#define FB 12
#define FL 48
struct fb {
	char s[FB][FL];
};
#define F_E(b, i, pj) tern_fmt_energy((b)->s[i], FL, pj)
#define F_T(b, i, sec) tern_fmt_time((b)->s[i], FL, sec)
#define F_SI(b, i, v, u) tern_fmt_si((b)->s[i], FL, v, u)
#define F_N(b, i, v) tern_fmt_num((b)->s[i], FL, v)

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void md_machine(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	const struct tern_hw_config *c = &r->cfg;
	double port = tern_report_port_gbps(r);
	struct fb b;

	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| model | %s |\n", r->model);
	fprintf(f, "| backend | %s |\n", r->backend);
	fprintf(f, "| array | %s: %u x %u PEs; WBUF %u, ABUF %u, ACC %u entries; bus %u B |\n",
		r->array, c->rows, c->lanes, c->wbuf_depth, c->abuf_depth, c->acc_depth, c->bus_bytes);
	if (r->head)
		fprintf(f, "| output head | %s |\n", r->head);
	fprintf(f, "| array chosen by | %s%s |\n", r->array_source ? "the board: " : "--array / --config or the default preset",
		r->array_source ? r->array_source : "");
	fprintf(f, "| board | %s: %s, DRAM %s = %s B/cycle |\n", r->board,
		F_SI(&b, 0, r->clock_mhz * 1e6, "Hz"), F_SI(&b, 1, r->dram_gbps * 1e9, "B/s"),
		F_N(&b, 2, tern_gbps_to_bpc(r->dram_gbps, r->clock_mhz)));
	fprintf(f, "| memory roof | **%s** = min(board DRAM %s, memory port %u B/cycle x %s = %s): "
		   "the %s limits |\n", F_SI(&b, 0, tern_report_roof_gbps(r) * 1e9, "B/s"),
		F_SI(&b, 1, r->dram_gbps * 1e9, "B/s"), c->bus_bytes,
		F_SI(&b, 2, r->clock_mhz * 1e6, "Hz"), F_SI(&b, 3, port * 1e9, "B/s"),
		port < r->dram_gbps ? "port" : "DRAM");
	if (r->sim_dram_bpc > 0)
		fprintf(f, "| simulated DRAM | %s B/cycle (%s at the clock) |\n",
			F_N(&b, 0, r->sim_dram_bpc),
			F_SI(&b, 1, tern_bpc_to_gbps(r->sim_dram_bpc, r->clock_mhz) * 1e9, "B/s"));
	fprintf(f, "| technology | %s (%s) |\n", r->tech.node, r->tech.path);
	if (r->host_gflops > 0)
		fprintf(f, "| host | %s FP32 (%s), DRAM shared with the array; %s |\n",
			F_SI(&b, 0, r->host_gflops * 1e9, "FLOP/s"), r->host_note ? r->host_note : "", r->host_rule ? r->host_rule : "");
	else
		fprintf(f, "| host | no host work modelled |\n");
	fprintf(f, "| cycles | %s |\n\n", ev->total.bound ?
		"**lower bound** max(MACs / PEs, DRAM bytes / memory-roof bytes per cycle): this "
		"backend measures no cycles; use `--backend verilator` for RTL cycles" :
		r->cycles_source);
}

static void md_phase_row(FILE *f, const char *name, const struct tern_phase_eval *p)
{
	struct fb b;

	fprintf(f, "| %s | %llu | %llu | %s | %s | %s | %s | %s |\n", name,
		(unsigned long long)p->tokens, (unsigned long long)p->cycles,
		F_T(&b, 0, p->seconds), F_T(&b, 1, p->host_seconds), F_N(&b, 2, p->tokens_per_s),
		F_E(&b, 3, p->joules_per_token * 1e12),
		F_E(&b, 4, p->tokens ? p->base.total / (double)p->tokens : 0));
}

static void md_time(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	fprintf(f, "## Time and energy per token\n\n");
	struct fb b;

	fprintf(f, "| phase | tokens | cycles | accelerator time | host time | tokens/s | "
		   "energy/token | energy/token INT8 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	md_phase_row(f, "prefill", &ev->ph[TERN_PHASE_PREFILL]);
	md_phase_row(f, "decode", &ev->ph[TERN_PHASE_DECODE]);
	md_phase_row(f, "total", &ev->total);
	fprintf(f, "\naccelerator time = cycles / clock; tokens/s = tokens / (accelerator time + "
		   "host time); energy/token includes the host's energy.\n");
	if (ev->total.host_seconds > 0)
		fprintf(f, "Time to first token: **%s** (prefill accelerator %s + host %s).\n",
			F_T(&b, 0, ev->ttft_seconds), F_T(&b, 1, ev->ph[TERN_PHASE_PREFILL].seconds),
			F_T(&b, 2, ev->ph[TERN_PHASE_PREFILL].host_seconds));
	if (r->ttft_pipelined_seconds > 0)
		fprintf(f, "With the prompt in %u chunks and the host's work overlapping the array's "
			   "on another chunk (`--prefill-chunks`: the chunks' per-stage array cycles "
			   "and host-op times, the overlap scheduled): **%s**.\n", r->prefill_chunks,
			F_T(&b, 0, r->ttft_pipelined_seconds));
	fprintf(f, "\n");
}

static void md_host_phase(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev,
			  enum tern_phase ph)
{
	const struct tern_report_phase *rp = &r->phase[ph];
	const struct tern_phase_eval *p = &ev->ph[ph];
	unsigned i;
	struct fb b;

	fprintf(f, "| **%s** | %s | %s | %s | %s |\n", tern_phase_name(ph),
		F_SI(&b, 0, p->host_flops, "FLOP"), F_SI(&b, 1, p->host_bytes, "B"),
		F_T(&b, 2, p->host_seconds), F_E(&b, 3, p->e.host));
	for (i = 0; i < rp->nops; i++)
		if (rp->ops[i].flops > 0 || rp->ops[i].bytes > 0)
			fprintf(f, "| %s | %s | %s | %s | |\n", rp->ops[i].name,
				F_SI(&b, 0, rp->ops[i].flops, "FLOP"), F_SI(&b, 1, rp->ops[i].bytes, "B"),
				F_T(&b, 2, rp->ops[i].seconds));
}

static void md_host(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	struct tern_event_pj e;
	struct fb b;

	if (!(r->host_gflops > 0) && !(ev->total.host_flops > 0) && !(ev->total.host_bytes > 0))
		return;
	tern_event_energies(&r->tech, &r->cfg, &e);
	fprintf(f, "## Host work (modelled, not measured)\n\n");
	fprintf(f, "| phase / op | FLOPs | DRAM bytes | time | energy |\n"
		   "|---|---:|---:|---:|---:|\n");
	md_host_phase(f, r, ev, TERN_PHASE_PREFILL);
	md_host_phase(f, r, ev, TERN_PHASE_DECODE);
	fprintf(f, "\nHost rate %s (%s); host DRAM %s (the board's). Host energy = "
		   "FLOPs x %s + DRAM bytes x %s (docs/energy.md).\n\n",
		F_SI(&b, 0, r->host_gflops * 1e9, "FLOP/s"),
		r->host_note ? r->host_note : "not stated", F_SI(&b, 1, r->dram_gbps * 1e9, "B/s"),
		F_E(&b, 2, e.flop), F_E(&b, 3, e.dram_byte));
}

static void md_energy_row(FILE *f, const char *name, double t, double b, double h, double w)
{
	struct fb s;

	fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name, F_E(&s, 0, t), F_E(&s, 1, b),
		t > 0 ? F_N(&s, 2, ratio(b, t)) : "n/a", F_E(&s, 3, h),
		t > 0 ? F_N(&s, 4, ratio(h, t)) : "n/a", F_E(&s, 5, w),
		t > 0 ? F_N(&s, 6, ratio(w, t)) : "n/a");
}

/* Activity-based (RTL toggles) beside event-based energy, per layer that has it. */
static void md_activity(FILE *f, const struct tern_report *r)
{
	struct tern_layer_eval le;
	size_t i, shown = 0;
	struct fb s;

	for (i = 0; i < r->nlayers; i++) {
		tern_report_eval_layer(r, &r->layers[i], &le);
		if (!le.has_activity)
			continue;
		if (!shown++)
			fprintf(f, "### Activity-based energy (bit toggles of the RTL, --activity)\n\n"
				   "| layer | phase | compute: events | compute: toggles | toggles / "
				   "events | total: events | total: toggles | toggles / events |\n"
				   "|---|---|---:|---:|---:|---:|---:|---:|\n");
		if (shown > TOP_LAYERS)
			continue;
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r->layers[i].name,
			tern_phase_name(r->layers[i].phase), F_E(&s, 0, le.e.compute),
			F_E(&s, 1, le.act.compute), F_N(&s, 2, ratio(le.act.compute, le.e.compute)),
			F_E(&s, 3, le.e.total), F_E(&s, 4, le.act.total),
			F_N(&s, 5, ratio(le.act.total, le.e.total)));
	}
	if (shown)
		fprintf(f, "\n%zu layers with toggles%s (all in layers.csv and report.json). One "
			   "bit-toggle costs the event model's energy per bit / toggle_activity "
			   "(%.2g); docs/energy.md gives the agreement band and why they differ.\n\n",
			shown, shown > TOP_LAYERS ? ", first 20 shown" : "", r->tech.toggle_activity);
}

static void md_energy(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	const struct tern_energy *t = &ev->total.e, *b = &ev->total.base;
	struct tern_event_pj e;
	struct fb s;

	tern_event_energies(&r->tech, &r->cfg, &e);
	const struct tern_energy *h = &ev->total.fp16, *w = &ev->total.fp32;

	fprintf(f, "## Energy: ternary array vs INT8, FP16 and FP32 multiply-accumulate baselines\n\n");
	fprintf(f, "| | ternary | INT8 | INT8 / ternary | FP16 | FP16 / ternary | FP32 | "
		   "FP32 / ternary |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	md_energy_row(f, "compute", t->compute, b->compute, h->compute, w->compute);
	md_energy_row(f, "SRAM", t->sram, b->sram, h->sram, w->sram);
	md_energy_row(f, "DRAM", t->dram, b->dram, h->dram, w->dram);
	md_energy_row(f, "host", t->host, b->host, h->host, w->host);
	md_energy_row(f, "**total**", t->total, b->total, h->total, w->total);
	fprintf(f, "\nPer event at %s: ternary MAC with weight +-1 %s (a %.2f-bit add in the "
		   "adder tree), weight 0 %s (gated), 32-bit row accumulate %s per step; "
		   "INT8 MAC %s; SRAM per bit WBUF %s, ABUF %s, ACC %s; DRAM %s per byte; "
		   "host %s per FLOP + the DRAM energy per host byte. The INT8 baseline issues the "
		   "same MACs with int8 weights (4x the 2-bit weight bytes); FP16 (%s per MAC) and "
		   "FP32 (%s) keep weights and activations in their format, accumulators 32 bits. "
		   "Every figure carries the uncertainty of its technology table: compare tables "
		   "with --tech (docs/energy.md). Sources and assumptions: docs/energy.md.\n\n",
		r->tech.node, F_E(&s, 0, e.mac_nz), e.tree_bits, F_E(&s, 1, e.mac_zero),
		F_E(&s, 2, e.row_acc), F_E(&s, 3, e.int8_mac), F_E(&s, 4, e.wbuf_bit),
		F_E(&s, 5, e.abuf_bit), F_E(&s, 6, e.acc_bit), F_E(&s, 7, e.dram_byte),
		F_E(&s, 8, e.flop), F_E(&s, 9, e.fp16_mac), F_E(&s, 10, e.fp32_mac));
	md_activity(f, r);
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
	struct fb b;

	if (!idx)
		return;
	for (i = 0; i < r->nlayers; i++)
		idx[i] = i;
	sort_r = r;
	qsort(idx, r->nlayers, sizeof(*idx), by_cycles);
	fprintf(f, "## Layers (%zu%s, by cycles; all in layers.csv)\n\n", r->nlayers,
		r->nlayers > n ? ", top 20" : "");
	fprintf(f, "| layer | phase | M x K x N | calls | cycles | utilization | MAC/DRAM byte | "
		   "DRAM bytes | energy | INT8 |\n"
		   "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct tern_report_layer *l = &r->layers[idx[i]];

		tern_report_eval_layer(r, l, &le);
		fprintf(f, "| %s | %s | %u x %u x %u | %llu | %llu | %.1f%% | %s | %llu | %s | %s |\n",
			l->name, tern_phase_name(l->phase), l->m, l->k, l->n_max,
			(unsigned long long)l->calls, (unsigned long long)le.cycles,
			100.0 * le.utilization, F_N(&b, 0, le.macs_per_byte),
			(unsigned long long)le.dram_bytes, F_E(&b, 1, le.e.total),
			F_E(&b, 2, le.base.total));
	}
	free(idx);
	fprintf(f, "\n");
}

/*
 * Per phase, the share of the phase's cycles each unit spent working, waiting on
 * DRAM, or waiting for a dependency token; the rest it was idle (nothing queued). A
 * unit waiting on DRAM is executing an instruction, so *_STALL_MEM is counted inside
 * *_BUSY (RTL and fast model alike): working = BUSY - STALL_MEM, idle = cycles - BUSY -
 * STALL_DEP. Counters come only from backends that measure cycles.
 */
static void md_units(FILE *f, const struct tern_report *r, const struct tern_report_eval *ev)
{
	/* per unit: busy, dep and mem counters (TERN_CNT_COUNT = none) */
	static const struct { const char *name; unsigned busy, dep, mem; } u[] = {
		{ "fetch", TERN_CNT_COUNT, TERN_CNT_FETCH_STALL, TERN_CNT_COUNT },
		{ "load", TERN_CNT_LOAD_BUSY, TERN_CNT_LOAD_STALL_DEP, TERN_CNT_LOAD_STALL_MEM },
		{ "gemm", TERN_CNT_GEMM_BUSY, TERN_CNT_GEMM_STALL_DEP, TERN_CNT_COUNT },
		{ "store", TERN_CNT_STORE_BUSY, TERN_CNT_STORE_STALL_DEP, TERN_CNT_STORE_STALL_MEM },
	};
	uint64_t c[TERN_CNT_COUNT + 1];
	size_t l;
	unsigned i, k;
	int ph;

	fprintf(f, "## Units: busy and stalled, share of the phase's cycles\n\n");
	if (ev->total.bound || !ev->total.macs) {
		fprintf(f, "Not measured: this backend counts no cycles (use `--backend fast` or "
			   "`verilator`).\n\n");
		return;
	}
	fprintf(f, "| phase | unit | working | waiting on DRAM | waiting for a token | idle |\n"
		   "|---|---|---:|---:|---:|---:|\n");
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		double cyc = (double)ev->ph[ph].cycles;

		if (!ev->ph[ph].cycles)
			continue;
		memset(c, 0, sizeof(c));
		for (l = 0; l < r->nlayers; l++)
			for (k = 0; (int)r->layers[l].phase == ph && k < TERN_CNT_COUNT; k++)
				c[k] += r->layers[l].cnt[k];
		for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
			double busy = (double)c[u[i].busy], dep = (double)c[u[i].dep];
			double mem = (double)c[u[i].mem], idle = cyc - busy - dep;

			fprintf(f, "| %s | %s | ", tern_phase_name(ph), u[i].name);
			if (u[i].busy == TERN_CNT_COUNT)
				fprintf(f, "- | ");
			else
				fprintf(f, "%.1f%% | ", 100 * (busy > mem ? busy - mem : 0) / cyc);
			if (u[i].mem == TERN_CNT_COUNT)
				fprintf(f, "- | ");
			else
				fprintf(f, "%.1f%% | ", 100 * mem / cyc);
			fprintf(f, "%.1f%% | %.1f%% |\n", 100 * dep / cyc, 100 * (idle > 0 ? idle : 0) / cyc);
		}
	}
	fprintf(f, "\nworking = BUSY - STALL_MEM (a unit waiting on DRAM is inside an instruction); "
		   "idle = nothing queued. For fetch, \"waiting for a token\" is FETCH_STALL (a full "
		   "instruction queue) and \"idle\" includes its fetching. Per layer: report.json "
		   "`units`, layers.csv, units.png.\n\n");
}

/* Per token of each phase with host work: one line per part (tern_report_tok.c). */
static void md_per_token(FILE *f, const struct tern_report *r)
{
	struct tern_token_line tl[TERN_TOKEN_LINES];
	static const char *const names[] = { "prefill", "decode" };
	enum tern_phase ph;
	unsigned i, n;
	struct fb b;

	if (!(r->host_gflops > 0))
		return;
	fprintf(f, "## Per token%s\n\n", r->head ? "" : " (no model: no head)");
	if (r->head)
		fprintf(f, "Output head: **%s** (%s).\n\n", r->head,
			strcmp(r->head, "float") ? "balanced-ternary digit planes on the array, "
			"combined on the host with shifts and adds" : "float on the host");
	fprintf(f, "| phase | part | runs on | time per token | DRAM bytes per token |\n"
		   "|---|---|---|---:|---:|\n");
	for (ph = TERN_PHASE_PREFILL; ph <= TERN_PHASE_DECODE; ph++) {
		if (!r->phase[ph].tokens)
			continue;
		n = tern_report_token_lines(r, ph, tl);
		for (i = 0; i < n; i++)
			fprintf(f, "| %s | %s | %s | %s | %s |\n", names[ph], tl[i].what, tl[i].where,
				F_T(&b, 0, tl[i].seconds), F_SI(&b, 1, tl[i].bytes, "B"));
	}
	fprintf(f, "\nPer token of the phase (prefill: per prompt token). The KV cache line is "
		   "the attention op, whose DRAM bytes are the cache's reads and writes; other "
		   "host work is norms, RoPE, activations, quantization, residuals and sampling.\n\n");
}

void tern_report_summary(FILE *f, const struct tern_report *r)
{
	struct tern_report_eval ev;

	tern_report_eval(r, &ev);
	fprintf(f, "# tern report: %s\n\n", r->model);
	md_machine(f, r, &ev);
	md_time(f, r, &ev);
	md_per_token(f, r);
	md_host(f, r, &ev);
	md_energy(f, r, &ev);
	md_units(f, r, &ev);
	md_layers(f, r);
	fprintf(f, "## Plots\n\n![cycles and utilization per layer](cycles.png)\n"
		   "![roofline](roofline.png)\n![energy, ternary vs INT8](energy.png)\n"
		   "![busy and stall cycles per unit](units.png)\n\n"
		   "Machine-readable: report.json, layers.csv (fields in docs/reports.md).\n");
}
