/*
 * Internals of the fast cycle model shared by its two files: tern_fast_sim.c (the
 * cycle model of rtl/ and of the Verilator harness's DRAM) and tern_fast.c (the public
 * API: checks, event counters that follow from the program, layer timing and cache).
 */
#ifndef TERN_FAST_PRIV_H
#define TERN_FAST_PRIV_H

#include <stdint.h>

#include "tern_fast.h"

/*
 * Simulate a checked program (every instruction valid, END last). Fills the cycle,
 * busy and stall counters of counters[] (others untouched). Returns 0, -1 when the
 * program cannot finish (deadlock) or runs past a sanity bound, or TERN_FAST_STUCK
 * when the modelled machine stops making progress. *stepped gets the
 * number of cycles simulated one by one (the rest were skipped), for tests.
 */
int tern_fast_sim(const struct tern_hw_config *cfg, const struct tern_insn *insns,
		  uint32_t count, const struct tern_fast_dram *dram,
		  uint64_t counters[TERN_CNT_COUNT], uint64_t *stepped);

#endif /* TERN_FAST_PRIV_H */
