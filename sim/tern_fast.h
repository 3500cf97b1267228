/*
 * tern fast cycle model: predicts the RTL's cycle count (and per-unit busy/stall
 * cycles) of a program from its instruction stream alone, without running RTL or
 * touching data, fast enough for whole models and design sweeps. It models the same
 * machine as rtl/ (docs/rtl.md): fetch, three bounded queues, dependency tokens, the
 * load unit's bursts against a DRAM of given latency and bytes per cycle, the compute
 * pipeline and the store unit. Its error against RTL cycles is measured by tests and
 * reported by `make bench`, never assumed (docs/fast_model.md).
 */
#ifndef TERN_FAST_H
#define TERN_FAST_H

#include <stdint.h>

#include "tern_compile.h"
#include "tern_isa.h"

struct tern_fast_dram {
	uint32_t latency;         /* cycles from request to first beat (as the harness) */
	uint32_t bytes_per_cycle; /* DRAM bandwidth (as the harness) */
};

/*
 * Time a program (count instructions, END last). Fills counters[] with CYCLES and the
 * RTL-only busy/stall counters, plus every event counter that follows from the
 * instructions alone; MACS_ZERO is left 0 (it depends on the weight values).
 * Returns 0, -1 if the program is malformed (the caller should have checked it), or
 * TERN_FAST_STUCK if the modelled machine made no progress for many steps (a machine
 * the model cannot describe; never a valid config running a valid program).
 */
#define TERN_FAST_STUCK (-2)
int tern_fast_time(const struct tern_hw_config *cfg, const struct tern_insn *insns,
		   uint32_t count, const struct tern_fast_dram *dram,
		   uint64_t counters[TERN_CNT_COUNT]);

/*
 * Time one BitLinear layer without data: plan, compile with placeholder addresses and
 * time the program. zero_fraction estimates MACS_ZERO (issued MACs x fraction).
 * Results are cached per (config, shape, wfmt, dram), so a model's repeated layers cost
 * one lookup. Returns 0, or -1 with a reason in err.
 */
int tern_fast_layer(const struct tern_hw_config *cfg, const struct tern_layer *l,
		    const struct tern_fast_dram *dram, double zero_fraction,
		    uint64_t counters[TERN_CNT_COUNT], char *err, size_t errlen);

/* Layer-cache lookups answered from the cache and computed, since the last clear. */
void tern_fast_cache_stats(uint64_t *hits, uint64_t *misses);
/* Forget every cached layer (tests; a changed model of the machine). */
void tern_fast_cache_clear(void);

#endif /* TERN_FAST_H */
