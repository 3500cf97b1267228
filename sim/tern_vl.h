/*
 * C interface of one Verilated tern_top build (build/vl/RxL/libtern_vl.so).
 *
 * The driver's verilator backend dlopen()s the library of the requested array config
 * (building it first when missing) and talks to the RTL only through these calls. The
 * harness drives the device through its AXI4-Lite CSRs, as a real driver would, and
 * models DRAM (latency, bytes per cycle) on the device's memory port. Every write beat
 * the RTL makes is handed to on_write, which the driver uses for lockstep checking.
 *
 * Cycles: a "run cycle" counts clock cycles from the cycle the CTRL.START write is
 * accepted (cycle 0). Reset and CSR programming happen before it (negative run cycles),
 * the CSR read-back after DONE after it. on_write, fst_from/fst_to and result.cycles all
 * use run cycles. Every run starts from reset, so a run is a deterministic function of
 * the DRAM image, the CSRs and the DRAM model options (docs/simulation.md).
 */
#ifndef TERN_VL_H
#define TERN_VL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_VL_ABI 3

struct tern_vl;

struct tern_vl_opts {
	uint8_t *dram;          /* device memory, owned by the caller */
	uint64_t dram_size;
	uint32_t latency;       /* DRAM latency in cycles (AR/AW accepted -> first data / B) */
	uint32_t bytes_per_cycle; /* DRAM bandwidth shared by reads and writes; 0 = unlimited */
	uint32_t max_bursts;    /* outstanding read bursts (and write bursts); 0 = TERN_DRAM_MAX_BURSTS */
	const char *fst_path;   /* NULL: no waveform */
	uint64_t fst_from;      /* first run cycle traced (0 = from reset) */
	uint64_t fst_to;        /* last run cycle traced (UINT64_MAX = to the end) */
};

/*
 * Called for every write beat, after the bytes are in dram. Return non-zero to stop
 * the run at once (the run then returns 1).
 */
typedef int (*tern_vl_write_fn)(void *ctx, uint64_t cycle, uint64_t addr,
				const uint8_t *data, uint32_t len);

struct tern_vl_csrs {
	uint32_t insn_base, insn_count, dma_base, dma_limit;
	uint64_t watchdog; /* cycles, 0 = none (values above 2^32-1 saturate) */
};

/* Harness observations that are RTL bugs whatever the program (result.flags). */
#define TERN_VL_F_OUTSIDE   1u /* a burst touched memory outside the DMA window or DRAM */
#define TERN_VL_F_PROTOCOL  2u /* AXI rule broken (wlast on the wrong beat, len > 255, ...) */
#define TERN_VL_F_NO_IRQ    4u /* STATUS.DONE seen without irq_o (IRQ_EN was set) */
#define TERN_VL_F_ASSERT    8u /* an RTL assertion / $stop / $finish fired */
#define TERN_VL_F_CSR_HANG 16u /* an AXI4-Lite CSR access got no response */

/*
 * Bit toggles counted by the activity build (tern_vl_build.sh ... activity), from START
 * to DONE, in the order of enum tern_toggle (include/tern/tern_driver.h): 0..8 the PE
 * array's adder-tree levels (0 = the selected leaf inputs, j = outputs of level j's
 * adders), 9 the rows' accumulator registers, 10/11 WBUF read/write data, 12/13 ABUF,
 * 14/15 ACC, 16/17 the memory port's read and write data buses. A write port counts
 * the bits in which each written word differs from the one written before it; every
 * other probe counts changes of its value from one clock edge to the next.
 */
#define TERN_VL_TOGGLES 24

struct tern_vl_result {
	uint32_t status, err_code, err_insn;
	uint64_t counters[64]; /* TERN_CNT_COUNT of them are valid */
	uint64_t cycles;       /* harness-side count, START accepted .. irq seen */
	uint32_t flags;        /* TERN_VL_F_* */
	uint64_t bad_addr;     /* first offending address for F_OUTSIDE / F_PROTOCOL */
	uint64_t bad_cycle;    /* run cycle of the first flag */
	uint64_t toggles[TERN_VL_TOGGLES]; /* activity build only, else zeros */
	uint32_t has_toggles;  /* 1 when this library is the activity build */
};

/* ABI version and the parameters this library was built with. */
int tern_vl_abi(void);
void tern_vl_params(uint32_t *rows, uint32_t *lanes, uint32_t *wbuf_depth, uint32_t *abuf_depth,
		    uint32_t *acc_depth, uint32_t *bus_bytes, uint32_t *queue_depth);
/* 1 when built with +define+TERN_BUG_FLIP_LANE (the checker test's broken RTL). */
int tern_vl_is_bug_variant(void);
/* 1 for the activity build (counts bit toggles; slower). */
int tern_vl_is_activity_variant(void);

/* NULL on failure (bad options, FST file cannot be opened, HW_ROWS/HW_LANES disagree). */
struct tern_vl *tern_vl_open(const struct tern_vl_opts *o);
void tern_vl_close(struct tern_vl *v);
/*
 * Reset, program the CSRs, start, and run until DONE (or on_write asks to stop, or
 * max_cycles run cycles pass with no DONE: returns 2). 0 = DONE reached and the
 * CSRs read back into *r. On 1 the CSRs are read back too (a snapshot of a device that
 * is still running); on 2 only r->cycles and r->flags are filled.
 */
int tern_vl_run(struct tern_vl *v, const struct tern_vl_csrs *c, tern_vl_write_fn on_write,
		void *ctx, uint64_t max_cycles, struct tern_vl_result *r);

/*
 * Live mode, for `tern devsim` (driver/tern_devsim.c), which plays the device behind a
 * simulated UIO tree: the caller is the host and makes one CSR access at a time; the
 * clock runs only inside these calls (a CSR access takes the cycles its AXI4-Lite
 * handshakes take, the DRAM model serving the memory port meanwhile). live_reset resets
 * the RTL and the DRAM model and makes dram[0] the device address dram_base (a board's
 * buffer sits at a physical address, not at 0). live_csr: 0, or -1 if the access got no
 * response. live_step runs up to cycles cycles, stopping early when irq_o is high, and
 * returns irq_o. No lockstep and no flags in live mode: the host checks the results.
 */
int tern_vl_live_reset(struct tern_vl *v, uint64_t dram_base);
int tern_vl_live_csr(struct tern_vl *v, int write, uint32_t addr, uint32_t *data);
int tern_vl_live_step(struct tern_vl *v, uint32_t cycles);

#ifdef __cplusplus
}
#endif

#endif /* TERN_VL_H */
