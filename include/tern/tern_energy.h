/*
 * tern_energy: energy = sum over counted events x energy per event. The energies per
 * event are derived from a technology table (perf/tech/NODE.tech, a text file in
 * which every number cites its source) and the hardware config: an adder's energy is
 * interpolated by bit width, an SRAM bit's by the capacity of one 64-bit bank, DRAM
 * is priced per byte, host work per FLOP. docs/energy.md states every assumption.
 *
 * The same events are priced on the ternary array (adds only, zero weights gated) and
 * on multiply-accumulate baselines of the same throughput: INT8 x INT8 (an 8-bit
 * multiply and a 32-bit add per issued MAC, int8 weights: 4x the weight bytes of the
 * 2-bit format in SRAM and DRAM), FP16 and FP32 (a multiply and an add in the format,
 * weights and activations in the format). tern_arith_paper() is the BitNet papers'
 * narrower count (arithmetic only, one op pair per weight), for their 71.4x. All
 * energies are in picojoules.
 */
#ifndef TERN_ENERGY_H
#define TERN_ENERGY_H

#include <stddef.h>
#include <stdint.h>

#include "tern_isa.h"
#include "tern_driver.h" /* enum tern_toggle */

/* One technology table; the _pj values are per operation or per 64-bit access. */
struct tern_tech {
	char node[32];          /* e.g. "45nm" */
	char path[256];         /* file it was read from */
	double add8_pj, add32_pj;       /* integer add, 8 and 32 bits */
	double mult8_pj, mult32_pj;     /* integer multiply */
	double fadd16_pj, fmult16_pj;   /* IEEE binary16 */
	double fadd32_pj, fmult32_pj;   /* IEEE binary32 */
	double sram_8kb_pj, sram_32kb_pj, sram_1mb_pj; /* one 64-bit read */
	double sram_bank_bits;  /* width of one SRAM bank (the tables' 64) */
	double dram_pj_64b;     /* one 64-bit DRAM access */
	double gate_residual;   /* energy of a gated (zero-weight) adder input / active one */
	double toggle_activity; /* fraction of bits that toggle per op for the per-op values
				 * (0.5: random operands); one bit-toggle = E per bit / this */
};

/* Energies per event for one (table, hardware config) pair. */
struct tern_event_pj {
	double tree_bits;   /* mean adder-tree bits per lane input */
	double mac_nz;      /* ternary MAC with weight +-1: its share of the adder tree */
	double mac_zero;    /* ternary MAC with weight 0 (gated input) */
	double row_acc;     /* 32-bit accumulate of one row in one GEMM step */
	double int8_mac;    /* baseline MAC: 8-bit multiply + 32-bit add */
	double fp16_mac;    /* baseline MAC: binary16 multiply + binary16 add */
	double fp32_mac;    /* baseline MAC: binary32 multiply + binary32 add */
	double wbuf_bit, abuf_bit, acc_bit; /* SRAM, per bit read or written */
	double dram_byte;   /* per DRAM byte read or written */
	double flop;        /* host, per floating-point operation */
};

/* Events of a run: device counters (enum tern_counter) plus host work. */
struct tern_events {
	const uint64_t *cnt;        /* TERN_CNT_COUNT counters */
	struct tern_hw_config cfg;
	unsigned wfmt;              /* weight format in DRAM: 0 = 2-bit, 1 = base-3 */
	double host_flops;          /* counted by the caller (model forward pass) */
};

/* Energy split of one workload, picojoules; total = compute + sram + dram + host. */
struct tern_energy {
	double compute, sram, dram, host, total;
};

/*
 * Parse a table file. Every value line is "key value # source"; a line without a
 * cited source, an unknown or repeated key, a bad number or a missing key is an
 * error with the file name and line number in err. Returns 0 or -1.
 */
int tern_tech_load(const char *path, struct tern_tech *t, char *err, size_t errlen);

/*
 * Find a table: a name containing '/' or ending in ".tech" is a path; otherwise
 * NAME.tech in $TERN_TECH_DIR, then in perf/tech/ next to the tern binary's tree
 * (exe/../perf/tech, exe/../../perf/tech), then ./perf/tech. Returns 0 or -1.
 */
int tern_tech_find(const char *name, char *path, size_t pathlen, char *err, size_t errlen);

/* Integer adder energy at `bits` width: linear in width through the 8- and 32-bit points. */
double tern_add_pj(const struct tern_tech *t, double bits);
/* SRAM energy per bit of a bank holding `bytes` (log-log between the table points). */
double tern_sram_pj_per_bit(const struct tern_tech *t, double bytes);
/* Width of each row's accumulator adder (int32, modulo 2^32 as the ISA says). */
#define TERN_ACC_ADDER_BITS 32
/* Total adder bits of one row's LANES-input tree, exactly as rtl/tern_pe_array.sv builds
 * it: level j has floor(n/2) adders of 8 + j bits for the n values left (0 for LANES 1). */
uint64_t tern_tree_adder_bits(uint32_t lanes);
/* All adder bits of the array: ROWS x (tree + accumulator). */
uint64_t tern_array_adder_bits(uint32_t rows, uint32_t lanes);
/* Mean adder-tree width per input: tern_tree_adder_bits / LANES. */
double tern_tree_bits(uint32_t lanes);

void tern_event_energies(const struct tern_tech *t, const struct tern_hw_config *c,
			 struct tern_event_pj *e);

/* Bytes of one WBUF entry in DRAM for weight format wfmt. */
uint64_t tern_wbuf_entry_bytes(const struct tern_hw_config *c, unsigned wfmt);

void tern_energy_ternary(const struct tern_tech *t, const struct tern_events *ev,
			 struct tern_energy *out);
void tern_energy_int8(const struct tern_tech *t, const struct tern_events *ev,
		      struct tern_energy *out);
/* DRAM bytes the INT8 baseline moves for the same events (int8 weights). */
double tern_int8_dram_bytes(const struct tern_events *ev);

/* The multiply-accumulate baselines; INT8 is tern_energy_int8. */
enum tern_baseline { TERN_BASE_INT8, TERN_BASE_FP16, TERN_BASE_FP32, TERN_BASE_COUNT };
const char *tern_baseline_name(enum tern_baseline b); /* "int8", "fp16", "fp32" */
void tern_energy_baseline(const struct tern_tech *t, const struct tern_events *ev,
			  enum tern_baseline b, struct tern_energy *out);
/* DRAM bytes baseline b moves: weights and activations in its format, outputs equal. */
double tern_baseline_dram_bytes(const struct tern_events *ev, enum tern_baseline b);

/*
 * The BitNet papers' count of matmul arithmetic energy for `weights` weight uses (one
 * per weight per token): ternary = one INT8 add per weight (add8_pj); INT8 = mult8 +
 * add8; FP16 = fmult16 + fadd16; FP32 = fmult32 + fadd32. No accumulation width, no
 * zero gating, no memory: the assumptions behind their 71.4x (docs/energy.md).
 */
struct tern_arith_energy {
	double ternary, int8, fp16, fp32;
};
void tern_arith_paper(const struct tern_tech *t, double weights, struct tern_arith_energy *o);

/*
 * Activity-based energy (tern gemm/run --activity): bit toggles counted by the
 * Verilated RTL's activity build (enum tern_toggle, tern_driver.h), priced per
 * bit-toggle at (energy per bit of the event model) / toggle_activity: tree level j's
 * outputs at tern_add_pj(8 + j) / (8 + j), leaves at gate_residual x an 8-bit adder's
 * bit, accumulators at add32 / 32, buffer ports at their SRAM bit, the memory port at
 * the DRAM energy per bit.
 */
const char *tern_toggle_name(enum tern_toggle g); /* "tree_l0", ..., "mem_wr" */
/* Energy of counted toggles; compute = tree + accumulators, sram = buffer ports, dram =
 * memory port, host = 0. */
void tern_energy_activity(const struct tern_tech *t, const struct tern_hw_config *c,
			  const uint64_t tog[TERN_TOG_COUNT], struct tern_energy *out);

#endif /* TERN_ENERGY_H */
