/*
 * tern reference model: the bit-exact functional model of the ISA (docs/isa.md).
 *
 * It runs a program held in a DRAM image exactly as the hardware would: fetch with
 * the static checks in program order, three bounded instruction queues, the four
 * dependency-token counters, deadlock detection, and every event counter that the
 * ISA marks "in ref model". It knows nothing about cycles. Every DRAM write is
 * reported through a callback in store order, which is what lockstep checking
 * against the RTL compares with. The golden matmul used by the layer check lives
 * here too, as plain untiled loops that share no code with the tiled path.
 */
#ifndef TERN_REF_H
#define TERN_REF_H

#include <stddef.h>
#include <stdint.h>

#include "tern_isa.h"

/* What a run needs besides the DRAM image: the CSR values a driver would write. */
struct tern_ref_args {
	uint32_t insn_base;  /* INSN_BASE */
	uint32_t insn_count; /* INSN_COUNT */
	uint32_t dma_base;   /* DMA_BASE */
	uint32_t dma_limit;  /* DMA_LIMIT (exclusive) */
};

struct tern_ref_result {
	uint32_t err;      /* enum tern_err */
	uint32_t err_insn; /* faulting instruction index (valid when err != 0) */
	uint64_t counters[TERN_CNT_COUNT]; /* RTL-only counters stay 0 */
};

/*
 * Called once per STORE entry (ROWS*4 bytes) in the order the store unit writes them,
 * after the bytes are in the image. A non-zero return stops the run; tern_ref_run
 * then returns that value.
 */
typedef int (*tern_ref_write_fn)(void *ctx, uint32_t insn_index, uint64_t addr,
				 const uint8_t *data, uint32_t len);

/*
 * Run the program. dram/dram_size is the device memory image (device address =
 * offset). The window must lie inside the image, else -1 with nothing run.
 * Returns 0 when the run ended (res->err says how; a device error is data, not a
 * failure of this call), -1 on bad arguments or out of memory, or the callback's
 * non-zero value.
 */
int tern_ref_run(const struct tern_hw_config *cfg, uint8_t *dram, uint64_t dram_size,
		 const struct tern_ref_args *args, tern_ref_write_fn on_write, void *ctx,
		 struct tern_ref_result *res);

/*
 * Check one instruction statically, as fetch does (docs/isa.md "Checks and errors").
 * Returns TERN_ERR_OK or the first failing error code. args may be NULL, which skips
 * only the DMA_WINDOW check (e.g. for a compiler that does not know the window yet).
 */
uint32_t tern_ref_check_insn(const struct tern_hw_config *cfg, const struct tern_ref_args *args,
			     const struct tern_insn *insn);

/*
 * The reference model accepts a configuration exactly when the definition's validity
 * rule does (tern_hw_config_check, generated from isa/tern_isa.json; the driver, the
 * compiler and the RTL's elaboration checks use the same rule and messages).
 * tern_ref_config_check: 0, or -1 with the rule's one-line message in err.
 * tern_ref_config_valid: 1 if valid. tern_ref_run returns -1 for an invalid one.
 */
int tern_ref_config_check(const struct tern_hw_config *cfg, char *err, size_t errlen);
int tern_ref_config_valid(const struct tern_hw_config *cfg);

/*
 * DRAM layout of a LOAD row (entry_layout in isa/tern_isa.json); buf 0 = WBUF, 1 = ABUF,
 * wfmt as in LOAD. tern_entry_bytes: the stride from one entry to the next, pad(E), which
 * every DRAM address, row length and byte count uses. tern_entry_used_bytes: the E bytes
 * at the start of an entry that carry data (decoding); the rest up to the stride is
 * padding, ignored.
 */
uint32_t tern_entry_bytes(const struct tern_hw_config *cfg, unsigned buf, unsigned wfmt);
uint32_t tern_entry_used_bytes(const struct tern_hw_config *cfg, unsigned buf, unsigned wfmt);

/*
 * Golden matmul for the layer check: Y[n][m] = sum_k W[m][k] * X[n][k], int32,
 * plain loops. W: M x K int8 in {-1,0,1}; X: N x K int8; Y: N x M.
 */
void tern_golden_matmul(const int8_t *w, const int8_t *x, int32_t *y,
			uint32_t m, uint32_t k, uint32_t n);

/*
 * The same golden product from bit planes, for models whose weights stay resident:
 * per row of W, (K + 63) / 64 words with bit k set where W[m][k] = +1, then as many
 * where it is -1 (2 bits per weight, like the device's codes, but a different layout
 * and a different method: masked sums of activations, no codes, no tiling). Rows are
 * spread over the worker pool (tern_pool.h); each output is one thread's, summed in a
 * fixed order, so the result does not depend on the thread count or the kernel.
 */
size_t tern_golden_plane_words(uint32_t m, uint32_t k);
void tern_golden_planes(const int8_t *w, uint32_t m, uint32_t k, uint64_t *planes);
void tern_golden_matmul_planes(const uint64_t *planes, const int8_t *x, int32_t *y,
			       uint32_t m, uint32_t k, uint32_t n);

#endif /* TERN_REF_H */
