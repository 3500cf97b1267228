/*
 * C interface of the TLM-only tern platform (build: CACHE/tlm/libtern_sctlm.so), loaded by
 * the driver's systemc-tlm backend. The library holds the SystemC side: the TLM model of
 * tern (sim/systemc/tern_sc_tlm.h) with its CSR target socket, memory initiator socket and
 * interrupt, the DRAM target and a host initiator thread. What the device computes and
 * how long it takes come from the caller through exec (the driver passes the reference
 * model and the fast cycle model), so the library carries no copy of either.
 * Results use the structs of sim/tern_vl.h.
 */
#ifndef TERN_SCTLM_H
#define TERN_SCTLM_H

#include <stdint.h>

#include "tern_vl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_SCTLM_ABI 1

/*
 * Run a program on dram (reached by DMI): fill err, err_insn and counters (CYCLES = the
 * run's cycles). 0, or -1 when the program cannot be run at all.
 */
typedef int (*tern_sctlm_exec_fn)(void *ctx, uint8_t *dram, uint64_t dram_size,
				  const struct tern_vl_csrs *c, uint32_t *err, uint32_t *err_insn,
				  uint64_t counters[64]);

struct tern_sctlm_opts {
	uint8_t *dram;
	uint64_t dram_size;
	uint32_t latency, bytes_per_cycle; /* the DRAM target's (DMI latencies) */
	uint32_t rows, lanes;              /* what HW_ROWS / HW_LANES read */
	tern_sctlm_exec_fn exec;
	void *ctx;
};

struct tern_sctlm;

int tern_sctlm_abi(void);
struct tern_sctlm *tern_sctlm_open(const struct tern_sctlm_opts *o); /* NULL: bad options */
void tern_sctlm_close(struct tern_sctlm *t);
/*
 * Program the CSRs through the TLM socket, START, wait for the interrupt, read back.
 * r->cycles is the simulated time from START to the interrupt in clock periods.
 * 0 = done, 2 = no interrupt within max_cycles, -1 = exec failed.
 */
int tern_sctlm_run(struct tern_sctlm *t, const struct tern_vl_csrs *c, uint64_t max_cycles,
		   struct tern_vl_result *r);

#ifdef __cplusplus
}
#endif

#endif /* TERN_SCTLM_H */
