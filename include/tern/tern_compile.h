/*
 * tern compiler: one BitLinear layer -> tiled, double-buffered instruction stream
 * plus the DRAM layout of its weights, activations and outputs.
 *
 * Two steps. tern_layout_plan() fixes the tiling and the sizes of the three data
 * regions from the hardware config and the layer shape; the weight layout depends
 * only on (M, K, wfmt, config), never on N, so a model packs its weights once and
 * reuses them for prefill and every decode step. tern_compile() then emits the
 * instructions for given device addresses. Tiling strategy: docs/compiler.md.
 */
#ifndef TERN_COMPILE_H
#define TERN_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "tern_isa.h"

enum tern_wfmt { TERN_WFMT_2BIT = 0, TERN_WFMT_BASE3 = 1 };

struct tern_layer {
	uint32_t m;    /* outputs (rows of W) */
	uint32_t k;    /* inputs */
	uint32_t n;    /* tokens */
	uint32_t wfmt; /* enum tern_wfmt */
};

struct tern_layout {
	uint32_t mt;    /* M-tiles of ROWS outputs */
	uint32_t kt;    /* K-chunks of LANES inputs */
	uint32_t kcb;   /* K-chunks per K-block (one WBUF load); KT in stream mode */
	uint32_t kb;    /* K-blocks; 1 in stream mode */
	uint32_t nb;    /* tokens per N-block */
	uint64_t w_bytes, x_bytes, y_bytes; /* sizes of the three DRAM regions */
	uint32_t y_row_stride; /* bytes between tokens in the output region */
	/* Derived by tern_layout_plan as well; the emitter and cost models read them. */
	uint32_t nblk;         /* N-blocks: ceil(N / nb) */
	uint32_t mg;           /* M-tiles per weight LOAD (1 unless kb == 1; 1 in stream mode) */
	uint32_t a_resident;   /* 1: a block's activations (all of K) stay in ABUF across
				* M-tiles; 0: streamed with each K-block (K too large) */
	uint32_t w_blk_stride; /* bytes between K-blocks (stream mode: segments) in the weight region */
	uint32_t x_row_stride; /* bytes between tokens in the activation region */
	/*
	 * Stream mode (a_resident): the weights are one stream of MT*KT entries, tile after
	 * tile, cut into w_nseg segments, one weight LOAD each; segment s holds the entries
	 * from tern_wseg_start(lo, s), a whole number of w_unit-entry units (w_unit = 1, or
	 * KT when segments hold whole tiles), at most w_seg entries. 0s in K-block mode.
	 */
	uint32_t w_seg, w_nseg, w_unit;
};

/* What a layout costs, computed from the layout alone (docs/compiler.md). */
struct tern_traffic {
	uint64_t rd_bytes;   /* DRAM bytes LOADs read, whole beats (DRAM_RD_BYTES) */
	uint64_t wr_bytes;   /* DRAM bytes STOREs write (DRAM_WR_BYTES) */
	uint64_t gemm_steps; /* (token, K-chunk) GEMM steps = compute cycles at full rate */
	uint64_t macs;       /* MACs issued, padding included (MACS) */
	uint64_t insns;      /* instructions of the program, END included */
};

/* Where the caller put the regions in device memory (each a multiple of BUS_BYTES). */
struct tern_addrs {
	uint32_t w, x, y;
};

/* Which part of the layer an instruction works on: for error and mismatch reports. */
struct tern_tile {
	uint32_t m0, m_len; /* output rows m0 .. m0+m_len-1 */
	uint32_t n0, n_len; /* tokens */
	uint32_t k0, k_len; /* inputs */
};

struct tern_program {
	struct tern_insn *insns; /* count instructions, END last */
	struct tern_tile *tiles; /* one per instruction */
	uint32_t count;
};

/* 0, or -1 with a one-line reason in err (shape too large for the buffers, etc.). */
int tern_layout_plan(const struct tern_hw_config *cfg, const struct tern_layer *l,
		     struct tern_layout *lo, char *err, size_t errlen);

/* Predicted counters of the program tern_compile emits for this layout. */
void tern_layout_traffic(const struct tern_hw_config *cfg, const struct tern_layer *l,
			 const struct tern_layout *lo, struct tern_traffic *t);

/* First stream entry of weight segment s (s = w_nseg: MT*KT); stream mode only. */
uint64_t tern_wseg_start(const struct tern_layout *lo, uint64_t s);

/*
 * DRAM stride of one WBUF entry for a weight format, and of one ABUF entry (a token's
 * K-chunk): the definition's pad(E) (docs/isa.md, "Entry layout"). Bytes past the used
 * ones are padding, written as zeros.
 */
uint32_t tern_wentry_bytes(const struct tern_hw_config *cfg, uint32_t wfmt);
uint32_t tern_aentry_bytes(const struct tern_hw_config *cfg);

/*
 * Pack W (M x K int8 in {-1,0,1}, row-major) into lo->w_bytes bytes at dst.
 * Padding rows and lanes get weight 0; a value outside {-1,0,1} is clamped to it.
 */
void tern_pack_weights(const struct tern_hw_config *cfg, const struct tern_layer *l,
		       const struct tern_layout *lo, const int8_t *w, uint8_t *dst);

/* Pack X (N x K int8, row-major) into lo->x_bytes bytes at dst. */
void tern_pack_acts(const struct tern_hw_config *cfg, const struct tern_layer *l,
		    const struct tern_layout *lo, const int8_t *x, uint8_t *dst);

/* Read Y (N x M int32, row-major) out of the lo->y_bytes output region at src. */
void tern_unpack_outputs(const struct tern_hw_config *cfg, const struct tern_layer *l,
			 const struct tern_layout *lo, const uint8_t *src, int32_t *y);

/* Emit the program. 0, or -1 with a reason in err. Free with tern_program_free. */
int tern_compile(const struct tern_hw_config *cfg, const struct tern_layer *l,
		 const struct tern_layout *lo, const struct tern_addrs *a,
		 struct tern_program *p, char *err, size_t errlen);

void tern_program_free(struct tern_program *p);

#endif /* TERN_COMPILE_H */
