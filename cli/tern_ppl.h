/*
 * The cost side of `tern perplexity` (tern_ppl_cost.c): its BitLinears on a device
 * (--backend ref|fast|verilator|...) with every layer checked against the golden
 * matmul, and the cycles and energy per token of each activation mode, from the
 * device's counters or, without a device, from the fast cycle model walked over the
 * chunk's shape. Energy is the energy model's (perf/tern_energy.c) on those counters
 * plus the host work the forward pass counted.
 *
 * The a4.8 int4 lane mode is not in the RTL: its energy is modelled here from the same
 * counters (narrower adder trees and half the activation bits for q, k, v, gate and up;
 * half the o_proj adder inputs gated by zero activations) and labelled modelled.
 */
#ifndef TERN_PPL_H
#define TERN_PPL_H

#include "tern_cli_board.h"
#include "tern_driver.h"
#include "tern_energy.h"
#include "tern_model.h"

/* Layer groups a4.8 treats differently: int4 inputs, the sparse o_proj input, the rest. */
enum { TERN_PPL_G_INT4 = 0, TERN_PPL_G_O = 1, TERN_PPL_G_REST = 2, TERN_PPL_G_COUNT = 3 };

/* Counters of one activation mode's BitLinears, and its host work. */
struct tern_ppl_cost {
	uint64_t cnt[TERN_PPL_G_COUNT][TERN_CNT_COUNT];
	double act_bytes_int4;     /* int8 activation bytes entering the int4 group */
	struct tern_host_cost host;
	uint64_t tokens;           /* tokens evaluated (every position of every chunk) */
	int has_cycles;            /* the counters include cycles */
};

struct tern_ppl_dev;

/* One device for a model's BitLinears at up to n tokens per call. 0, or -1 with err. */
int tern_ppl_dev_open(const struct tern_dev_opts *o, struct tern_model *m, uint32_t n,
		      struct tern_ppl_dev **out, char *err, size_t errlen);
void tern_ppl_dev_close(struct tern_ppl_dev *d);

/* A device matmul for slot s (0 or 1): it runs the layer that run_of(s) is executing
 * and adds its counters to cost. Set the slot's run after each tern_run_new. */
struct tern_mm tern_ppl_dev_mm(struct tern_ppl_dev *d, unsigned s, struct tern_ppl_cost *cost);
void tern_ppl_dev_set_run(struct tern_ppl_dev *d, unsigned s, struct tern_run *r);
/* BitLinear calls run and checked so far (all slots). */
uint64_t tern_ppl_dev_calls(const struct tern_ppl_dev *d);

/* No device: the fast model's counters for `chunks` chunks of n tokens (one prefill
 * each) added to cost. 0, or -1 with err. */
int tern_ppl_fast(const struct tern_model_config *c, const struct tern_dev_opts *o,
		  uint32_t n, uint64_t chunks, struct tern_ppl_cost *cost, char *err,
		  size_t errlen);

/* Energy of cost in pJ: as the RTL runs it, and (int4 = 1) with the modelled int4 lane
 * mode and o_proj activation gating of a4.8. */
double tern_ppl_energy(const struct tern_tech *t, const struct tern_hw_config *cfg,
		       const struct tern_ppl_cost *cost, int int4);

#endif /* TERN_PPL_H */
