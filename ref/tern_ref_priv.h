/*
 * Private interface between the parts of the reference model: tern_ref.c (fetch,
 * queues, tokens, scheduling) and tern_ref_exec.c (what LOAD, GEMM and STORE do to
 * the buffers, the image and the counters). Nothing outside ref/ includes this.
 *
 * The buffers are kept in a layout chosen for speed, not the hardware's: WBUF holds
 * decoded int8 weights (-1/0/1) stored row-major per PE row, so that the K-chunks a
 * GEMM reads for one row are one contiguous run, and the ABUF entries of one token
 * are contiguous as well. The GEMM inner loop is then a plain int8 dot product.
 */
#ifndef TERN_REF_PRIV_H
#define TERN_REF_PRIV_H

#include <stdint.h>

#include "tern_ref.h"

/* The state one run owns; allocated by tern_ref_run and freed before it returns. */
struct tern_ref_state {
	const struct tern_hw_config *cfg;
	uint8_t *dram;            /* the caller's image; accesses are window-checked */
	uint64_t dram_size;
	int8_t *wbuf;             /* [rows][wbuf_depth * lanes]: weight of entry e, row r,
				     lane l at r*wbuf_depth*lanes + e*lanes + l */
	uint32_t *wzero;          /* [wbuf_depth] zero weights in each WBUF entry */
	int8_t *abuf;             /* [abuf_depth * lanes] */
	uint32_t *acc;            /* [acc_depth * rows]; uint32 so sums wrap without UB */
	int8_t *scratch;          /* one WBUF entry decoded flat (rows*lanes + 8); in fast
				     mode the ABUF permuted per entry (tern_ref_fast.c) */
	uint32_t *asum;           /* fast mode: [parts][abuf_depth] sum of each ABUF entry part */
	int8_t lut2[256][4];      /* byte -> 4 weights, 2-bit format */
	int8_t lut3[256][5];      /* byte -> 5 weights, base-3 format */
	uint8_t zero2[256];       /* zero weights among a byte's 4 (2-bit) codes */
	uint8_t zero3[256];       /* ... and among its 5 base-3 codes */
	uint64_t *cnt;            /* the result's counters */
	/*
	 * Fast mode (tern_ref_fast.c): chosen by tern_ref_run for programs that never
	 * write what they read (so DRAM bytes a LOAD named stay valid), 2-bit weights
	 * and LANES % 4 == 0. WBUF entries are then pointers into the image (no copy, no
	 * decode) and this state computes only PE rows r0..r1-1; several states run
	 * the same program on threads, one row slice each, and MACS_ZERO is summed.
	 */
	int fast;
	uint32_t r0, r1;
	const uint8_t **wptr;     /* [wbuf_depth] DRAM bytes of each WBUF entry */
	uint8_t *wunset;          /* an entry of code 1 (weight 0): never-loaded entries
				     read as the zeros a reset WBUF holds */
	tern_ref_write_fn on_write;
	void *ctx;
};

/* fast: set up for fast mode (rows 0..ROWS-1 until the caller narrows r0/r1). */
int tern_ref_state_init(struct tern_ref_state *s, const struct tern_hw_config *cfg, int fast);
/* Zero weights among the 2-bit codes of n whole bytes. */
uint32_t tern_ref_zero_codes2(const uint8_t *src, size_t n);
void tern_ref_state_free(struct tern_ref_state *s);

/* Execute one instruction that passed tern_ref_check_insn; tokens are the caller's. */
void tern_ref_exec_load(struct tern_ref_state *s, const struct tern_insn *in);
void tern_ref_exec_gemm(struct tern_ref_state *s, const struct tern_insn *in);
/* Returns 0 or the write callback's non-zero value (the run stops). */
int tern_ref_exec_store(struct tern_ref_state *s, const struct tern_insn *in, uint32_t index);

/* The same three in fast mode (rows r0..r1-1 only). */
void tern_ref_fast_load(struct tern_ref_state *s, const struct tern_insn *in);
void tern_ref_fast_gemm(struct tern_ref_state *s, const struct tern_insn *in);
void tern_ref_fast_store(struct tern_ref_state *s, const struct tern_insn *in);
/* 1 when the program at args may run in fast mode (see above); reads only the image. */
int tern_ref_fast_ok(const struct tern_hw_config *cfg, const uint8_t *dram, uint64_t dram_size,
		     const struct tern_ref_args *args);

#endif /* TERN_REF_PRIV_H */
