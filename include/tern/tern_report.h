/*
 * tern_report: the performance and energy report of a run, from a single `tern gemm`
 * (one layer, prefill section only) to a whole model (many layers, prefill and decode
 * sections). A report is a list of layers, each holding the summed device counters of
 * every call made under its (phase, name); everything else -- cycles when the backend
 * measured none, seconds, utilization, energy on the ternary array and on the INT8
 * baseline, roofline points -- is derived from those counters, the hardware config,
 * the technology table and the board (clock, DRAM bandwidth) when the report is
 * evaluated. tern_report_write() puts report.json, layers.csv, summary.md and PNG
 * plots (gnuplot) in a directory; docs/reports.md describes every file and field.
 *
 * Usage (e.g. `tern run --report DIR`):
 *
 *	struct tern_report r;
 *	tern_report_init(&r);                  // defaults: 45 nm table not loaded yet
 *	r.model = "bitnet-2b4t"; r.backend = "verilator"; r.array = "32x32";
 *	r.cfg = *tern_dev_config(dev);   // a struct tern_hw_config
 *	r.clock_mhz = 200; r.dram_gbps = 19.2; r.board = "kv260";
 *	tern_tech_load(path_from_tern_tech_find, &r.tech, err, sizeof(err));
 *	for each BitLinear call (after tern_gemm_run):
 *		tern_report_add(&r, TERN_PHASE_DECODE, "blk.3.attn_q", m, k, n, wfmt,
 *				res.st.counters, res.st.has_cycles, err, sizeof(err));
 *	r.phase[TERN_PHASE_PREFILL].tokens = prompt_len;
 *	r.phase[TERN_PHASE_DECODE].tokens = generated;
 *	r.host_gflops = 21.3; r.host_note = "4x Cortex-A53 ..."; r.host_rule = "...";
 *	for each host op (RMSNorm, RoPE, attention, sampling, ...) of each phase:
 *		tern_report_host(&r, ph, "rmsnorm", flops, dram_bytes, seconds);
 *	tern_report_write(dir, &r, err, sizeof(err));   // 0 ok, -1 err (one line)
 *	tern_report_free(&r);
 *
 * Calls with the same (phase, name) are summed into one layer (so 30 decode steps of
 * blk.3.attn_q are one row), and must have the same m and k. Name layers so that a
 * row means something to the reader, e.g. "blk.N.ffn_up" or "output".
 *
 * Host work (everything not run on the array) is the caller's model: per phase its
 * FLOPs, its DRAM bytes and its time, optionally split by op (tern_report_host adds
 * one op and its share of the phase totals; a caller without an op split may set the
 * totals directly). The report prices it (FLOPs x the table's per-FLOP energy + bytes
 * x its DRAM per-byte energy), adds its time to tokens/s and to the time to first
 * token, and states the host rate and its source (host_gflops, host_note).
 *
 * Cycles: a backend that measures cycles (st->has_cycles: the RTL, later the fast
 * model, named by r.cycles_source) gives them per call. Otherwise (the ref backend)
 * the layer's cycles are a lower bound, max(MACs / (ROWS*LANES), DRAM bytes /
 * bytes-per-cycle at the board's bandwidth), labelled "bound" in every output.
 */
#ifndef TERN_REPORT_H
#define TERN_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tern_isa.h"
#include "tern_energy.h"

enum tern_phase { TERN_PHASE_PREFILL, TERN_PHASE_DECODE, TERN_PHASE_COUNT };

struct tern_report_layer {
	char name[64];
	enum tern_phase phase;
	uint32_t m, k;            /* outputs, inputs */
	uint32_t n_max;           /* largest token count of one call */
	unsigned wfmt;            /* 0 = 2-bit, 1 = base-3 weights in DRAM */
	uint64_t calls;           /* calls summed into this row */
	uint64_t tokens;          /* sum of n over the calls */
	uint64_t cnt[TERN_CNT_COUNT]; /* summed device counters */
	int has_cycles;           /* 1 when every call came with measured cycles */
	uint64_t tog[TERN_TOG_COUNT]; /* summed bit toggles (tern_report_add_toggles) */
	uint64_t tog_calls;       /* calls that came with toggles; activity valid if == calls */
};

#define TERN_REPORT_HOSTOPS 16

/* One host op of a phase, e.g. "attention": the sums over the phase's steps. */
struct tern_report_hostop {
	const char *name;         /* must outlive the report */
	double flops, bytes, seconds;
};

struct tern_report_phase {
	uint64_t tokens;          /* tokens of this phase (set by the caller) */
	double host_flops;        /* host FLOPs of this phase */
	double host_bytes;        /* host DRAM bytes of this phase (priced per byte) */
	double host_seconds;      /* host time to add to tokens/s; 0 = not modelled */
	struct tern_report_hostop ops[TERN_REPORT_HOSTOPS]; /* optional split, nops used */
	unsigned nops;
};

struct tern_report {
	/* inputs, set by the caller (strings must outlive the report) */
	const char *model;        /* "gemm" or the model's name */
	const char *backend;      /* "ref", "verilator", ... */
	const char *array;        /* "32x32" or a preset name */
	const char *head;         /* output head: "float" (host), "t2", "t3" (array); NULL
				   * when not a model run */
	const char *array_source; /* why the board chose this array (--board alone), or
				   * NULL: the user's --array/--config or the default preset */
	const char *board;        /* board preset, or "custom" */
	const char *cycles_source; /* what measured the cycles: "rtl" (default), "fast" */
	const char *mode;         /* "checked" (default: data computed and checked) or
				   * "timing-only" (no data; tern run --timing-only) */
	struct tern_hw_config cfg;
	double clock_mhz, dram_gbps;
	double sim_dram_bpc;      /* simulated DRAM bytes/cycle (verilator), 0 = n/a */
	double host_gflops;       /* host FP32 rate host_seconds assumes; 0 = no host model */
	const char *host_note;    /* where host_gflops comes from (board CPU, option) */
	const char *host_rule;    /* how host time follows from FLOPs and bytes */
	struct tern_tech tech;    /* tern_tech_load() */
	struct tern_report_phase phase[TERN_PHASE_COUNT];
	double ttft_pipelined_seconds; /* tern run --prefill-chunks: overlapped TTFT, 0 = none */
	unsigned prefill_chunks;
	/* filled by tern_report_add */
	struct tern_report_layer *layers;
	size_t nlayers, cap;
};

/* Derived numbers of one layer. */
struct tern_layer_eval {
	uint64_t cycles;
	const char *cycles_source; /* r->cycles_source or "bound" */
	double seconds, utilization;
	uint64_t macs;            /* issued */
	uint64_t dram_bytes;      /* read + written + instruction fetch */
	double macs_per_byte;     /* arithmetic intensity */
	double macs_per_s;        /* achieved at the clock */
	struct tern_energy e;     /* ternary array (host = 0) */
	struct tern_energy base;  /* INT8 baseline (host = 0) */
	struct tern_energy fp16, fp32; /* FP16 and FP32 MAC baselines (host = 0) */
	int has_activity;         /* 1 when every call counted toggles (--activity) */
	struct tern_energy act;   /* activity-based energy of the ternary array (host = 0) */
};

/* Derived numbers of one phase, or of the whole run. */
struct tern_phase_eval {
	uint64_t tokens, cycles, macs, dram_bytes;
	double seconds, host_seconds, tokens_per_s, joules_per_token;
	double host_flops, host_bytes;
	int bound;                /* 1 if any layer's cycles are a lower bound */
	struct tern_energy e, base, fp16, fp32;
};

struct tern_report_eval {
	struct tern_phase_eval ph[TERN_PHASE_COUNT];
	struct tern_phase_eval total;
	double ttft_seconds;      /* time to first token: prefill accelerator + host */
};

/* One per-token line of a phase (tern_report_tok.c): what, where it runs, seconds and
 * DRAM bytes per token of the phase. */
struct tern_token_line {
	const char *what;         /* "ternary layers", "output head", "embedding", ... */
	const char *where;        /* "array" or "host" */
	double seconds, bytes;
};
#define TERN_TOKEN_LINES 8
/* The lines of phase ph into out (TERN_TOKEN_LINES entries); returns how many. */
unsigned tern_report_token_lines(const struct tern_report *r, enum tern_phase ph,
				 struct tern_token_line *out);

void tern_report_init(struct tern_report *r);
void tern_report_free(struct tern_report *r);
const char *tern_phase_name(enum tern_phase p);

/* Add one device run of layer `name` (m x k weights, n tokens): its counters, and
 * has_cycles = 1 when the backend measured the cycle-level counters. 0, or -1 with err. */
int tern_report_add(struct tern_report *r, enum tern_phase ph, const char *name, uint32_t m,
		    uint32_t k, uint32_t n, unsigned wfmt, const uint64_t counters[TERN_CNT_COUNT],
		    int has_cycles, char *err, size_t errlen);

/* Add the bit toggles of the call just added to layer (ph, name) (the verilator
 * backend's --activity build). 0, or -1 with err when the layer does not exist. */
int tern_report_add_toggles(struct tern_report *r, enum tern_phase ph, const char *name,
			    const uint64_t tog[TERN_TOG_COUNT], char *err, size_t errlen);

/* Add one host op's work to phase ph (op row and phase totals). 0, or -1 with err. */
int tern_report_host(struct tern_report *r, enum tern_phase ph, const char *name, double flops,
		     double bytes, double seconds, char *err, size_t errlen);

void tern_report_eval_layer(const struct tern_report *r, const struct tern_report_layer *l,
			    struct tern_layer_eval *o);
void tern_report_eval(const struct tern_report *r, struct tern_report_eval *o);

/*
 * Write DIR/report.json, layers.csv, summary.md and the PNG plots, each atomically
 * (temporary file, then rename); DIR is created if missing (one level). Without
 * gnuplot the plots are skipped with a note on stderr. 0, or -1 with one line in err.
 */
int tern_report_write(const char *dir, const struct tern_report *r, char *err, size_t errlen);

/*
 * The memory roof: the array moves at most BUS_BYTES per cycle through its memory
 * port, whatever the board's DRAM could give, so the bandwidth it sees is
 * min(dram_gbps, port_gbps) with port_gbps = BUS_BYTES x clock. The roofline, the
 * lower-bound cycles of the ref backend and report.json all use this one number.
 */
double tern_report_port_gbps(const struct tern_report *r);
double tern_report_roof_gbps(const struct tern_report *r);

/*
 * Per-unit busy/stall cycles of a layer (summed counters), for report.json, layers.csv
 * and units.png. Only backends that measure cycles count them (verilator, fast); a
 * layer without measured cycles has none (the writers say "not measured").
 */
#define TERN_REPORT_UNIT_CNTS 9
extern const unsigned tern_report_unit_cnt[TERN_REPORT_UNIT_CNTS]; /* TERN_CNT_* indices */

/*
 * Human-readable numbers (tern_report_fmt.c) for summary.md and the CLI's report
 * lines: a unit prefix that keeps the value between 1 and 999 and three significant
 * digits in fixed notation, never exponents ("1.07 mJ", "12.3 µs", "6.40 GB/s").
 * Each writes into buf and returns it. tern_fmt_num: no unit, 3 significant digits.
 */
const char *tern_fmt_energy(char *buf, size_t len, double pj);
const char *tern_fmt_time(char *buf, size_t len, double seconds);
const char *tern_fmt_si(char *buf, size_t len, double v, const char *unit);
const char *tern_fmt_num(char *buf, size_t len, double v);

/* Create dir (and its parents) if missing; check it is a writable directory. 0 or -1. */
int tern_report_prepare_dir(const char *dir, char *err, size_t errlen);

/* Write the summary (Markdown) to f. */
void tern_report_summary(FILE *f, const struct tern_report *r);

/*
 * The plots (tern_plot.c): cycles.png (one panel per phase with layers; above
 * 40 layers a panel groups them per block, stacked by layer kind),
 * roofline.png (both memory roofs drawn), energy.png, units.png (busy/stall share
 * of each unit per layer or block). Returns 0, 1 when gnuplot is not installed
 * (nothing written), -1 with err on failure.
 */
int tern_plot_write(const char *dir, const struct tern_report *r, char *err, size_t errlen);

/* Atomic file helpers shared by the writers: open DIR/NAME.tmp.PID, then commit. */
FILE *tern_report_open(const char *dir, const char *name, char *tmp, size_t tmplen,
		       char *err, size_t errlen);
int tern_report_commit(FILE *f, const char *tmp, const char *dir, const char *name,
		       char *err, size_t errlen);

#endif /* TERN_REPORT_H */
