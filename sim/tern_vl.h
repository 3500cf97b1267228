/*
 * C interface of one Verilated tern_top build (build/vl/RxL/libtern_vl.so).
 *
 * The driver's verilator backend dlopen()s the library of the requested array config
 * (building it first when missing) and talks to the RTL only through these calls. The
 * harness drives the device through its AXI4-Lite CSRs, as a real driver would, and
 * models DRAM (latency, bytes per cycle) on the device's memory port. Every write beat
 * the RTL makes is handed to on_write, which the driver uses for lockstep checking.
 */
#ifndef TERN_VL_H
#define TERN_VL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_VL_ABI 1

struct tern_vl;

struct tern_vl_opts {
	uint8_t *dram;          /* device memory, owned by the caller */
	uint64_t dram_size;
	uint32_t latency;       /* DRAM latency in cycles */
	uint32_t bytes_per_cycle; /* DRAM bandwidth */
	const char *fst_path;   /* NULL: no waveform */
	uint64_t fst_from;      /* first cycle traced (0 = from reset) */
	uint64_t fst_to;        /* last cycle traced (UINT64_MAX = to the end) */
};

/*
 * Called for every write beat, after the bytes are in dram. Return non-zero to stop
 * the run at once (the run then returns 1).
 */
typedef int (*tern_vl_write_fn)(void *ctx, uint64_t cycle, uint64_t addr,
				const uint8_t *data, uint32_t len);

struct tern_vl_csrs {
	uint32_t insn_base, insn_count, dma_base, dma_limit;
	uint64_t watchdog; /* cycles, 0 = none (low 32 bits go to the CSR) */
};

struct tern_vl_result {
	uint32_t status, err_code, err_insn;
	uint64_t counters[64]; /* TERN_CNT_COUNT of them are valid */
	uint64_t cycles;       /* harness-side count, for cross-checking CYCLES */
};

/* ABI version and the parameters this library was built with. */
int tern_vl_abi(void);
void tern_vl_params(uint32_t *rows, uint32_t *lanes, uint32_t *wbuf_depth, uint32_t *abuf_depth,
		    uint32_t *acc_depth, uint32_t *bus_bytes, uint32_t *queue_depth);

struct tern_vl *tern_vl_open(const struct tern_vl_opts *o);
void tern_vl_close(struct tern_vl *v);
/*
 * Program the CSRs, start, and run until DONE (or on_write asks to stop, or
 * max_cycles pass with no DONE: returns 2). 0 = DONE reached.
 */
int tern_vl_run(struct tern_vl *v, const struct tern_vl_csrs *c, tern_vl_write_fn on_write,
		void *ctx, uint64_t max_cycles, struct tern_vl_result *r);

#ifdef __cplusplus
}
#endif

#endif /* TERN_VL_H */
