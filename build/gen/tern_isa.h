/* generated from isa/tern_isa.json by isa/tern_gen.py -- do not edit */
#ifndef TERN_ISA_H
#define TERN_ISA_H

#include <stdint.h>

#define TERN_INSN_BITS 128
#define TERN_INSN_BYTES 16

/* One instruction: w[0] holds bits 0..63, w[1] bits 64..127. */
struct tern_insn {
	uint64_t w[2];
};

enum tern_opcode {
	TERN_OP_LOAD = 1, /* DRAM -> WBUF or ABUF, 2-D (y_size rows of x_size entries), weights decoded on the way in */
	TERN_OP_GEMM = 2, /* acc[acc_base+n] (+)= sum over c<k_chunks of W[wbuf_base+c] . A[abuf_base+n*abuf_stride+c], n<n_tokens */
	TERN_OP_STORE = 3, /* ACC -> DRAM as int32, y_size entries, one row of ROWS words per entry */
	TERN_OP_END = 4, /* end of program: fetch stops, the device finishes when every unit has drained */
};

static inline uint32_t tern_insn_field(const struct tern_insn *i, unsigned lsb, unsigned width)
{
	return (uint32_t)((i->w[lsb / 64] >> (lsb % 64)) & ((1ull << width) - 1));
}

static inline void tern_insn_set_field(struct tern_insn *i, unsigned lsb, unsigned width, uint32_t v)
{
	uint64_t m = ((1ull << width) - 1) << (lsb % 64);
	i->w[lsb / 64] = (i->w[lsb / 64] & ~m) | (((uint64_t)v << (lsb % 64)) & m);
}

/* operation; 0 and values not listed are illegal */
#define TERN_OPCODE_LSB 0
#define TERN_OPCODE_WIDTH 4
#define TERN_OPCODE_MAX 0xfu
static inline uint32_t tern_get_opcode(const struct tern_insn *i) { return tern_insn_field(i, 0, 4); }
static inline void tern_set_opcode(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 0, 4, v); }

/* wait for and consume a token from the previous unit */
#define TERN_POP_PREV_LSB 4
#define TERN_POP_PREV_WIDTH 1
#define TERN_POP_PREV_MAX 0x1u
static inline uint32_t tern_get_pop_prev(const struct tern_insn *i) { return tern_insn_field(i, 4, 1); }
static inline void tern_set_pop_prev(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 4, 1, v); }

/* wait for and consume a token from the next unit */
#define TERN_POP_NEXT_LSB 5
#define TERN_POP_NEXT_WIDTH 1
#define TERN_POP_NEXT_MAX 0x1u
static inline uint32_t tern_get_pop_next(const struct tern_insn *i) { return tern_insn_field(i, 5, 1); }
static inline void tern_set_pop_next(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 5, 1, v); }

/* give a token to the previous unit when done */
#define TERN_PUSH_PREV_LSB 6
#define TERN_PUSH_PREV_WIDTH 1
#define TERN_PUSH_PREV_MAX 0x1u
static inline uint32_t tern_get_push_prev(const struct tern_insn *i) { return tern_insn_field(i, 6, 1); }
static inline void tern_set_push_prev(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 6, 1, v); }

/* give a token to the next unit when done */
#define TERN_PUSH_NEXT_LSB 7
#define TERN_PUSH_NEXT_WIDTH 1
#define TERN_PUSH_NEXT_MAX 0x1u
static inline uint32_t tern_get_push_next(const struct tern_insn *i) { return tern_insn_field(i, 7, 1); }
static inline void tern_set_push_next(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 7, 1, v); }

/* 0 = WBUF, 1 = ABUF */
#define TERN_LOAD_BUF_LSB 8
#define TERN_LOAD_BUF_WIDTH 1
#define TERN_LOAD_BUF_MAX 0x1u
static inline uint32_t tern_get_load_buf(const struct tern_insn *i) { return tern_insn_field(i, 8, 1); }
static inline void tern_set_load_buf(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 8, 1, v); }

/* weight format for WBUF: 0 = 2-bit codes, 1 = base-3 (5 trits per byte); must be 0 for ABUF */
#define TERN_LOAD_WFMT_LSB 9
#define TERN_LOAD_WFMT_WIDTH 1
#define TERN_LOAD_WFMT_MAX 0x1u
static inline uint32_t tern_get_load_wfmt(const struct tern_insn *i) { return tern_insn_field(i, 9, 1); }
static inline void tern_set_load_wfmt(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 9, 1, v); }

/* first buffer entry written */
#define TERN_LOAD_SRAM_BASE_LSB 16
#define TERN_LOAD_SRAM_BASE_WIDTH 16
#define TERN_LOAD_SRAM_BASE_MAX 0xffffu
static inline uint32_t tern_get_load_sram_base(const struct tern_insn *i) { return tern_insn_field(i, 16, 16); }
static inline void tern_set_load_sram_base(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 16, 16, v); }

/* entries per row (>= 1); a row is contiguous in DRAM */
#define TERN_LOAD_X_SIZE_LSB 32
#define TERN_LOAD_X_SIZE_WIDTH 16
#define TERN_LOAD_X_SIZE_MAX 0xffffu
static inline uint32_t tern_get_load_x_size(const struct tern_insn *i) { return tern_insn_field(i, 32, 16); }
static inline void tern_set_load_x_size(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 32, 16, v); }

/* rows (>= 1); row y fills entries sram_base + y*x_size .. */
#define TERN_LOAD_Y_SIZE_LSB 48
#define TERN_LOAD_Y_SIZE_WIDTH 16
#define TERN_LOAD_Y_SIZE_MAX 0xffffu
static inline uint32_t tern_get_load_y_size(const struct tern_insn *i) { return tern_insn_field(i, 48, 16); }
static inline void tern_set_load_y_size(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 48, 16, v); }

/* byte address of row 0, multiple of BUS_BYTES */
#define TERN_LOAD_DRAM_ADDR_LSB 64
#define TERN_LOAD_DRAM_ADDR_WIDTH 32
#define TERN_LOAD_DRAM_ADDR_MAX 0xffffffffu
static inline uint32_t tern_get_load_dram_addr(const struct tern_insn *i) { return tern_insn_field(i, 64, 32); }
static inline void tern_set_load_dram_addr(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 64, 32, v); }

/* bytes between rows, multiple of BUS_BYTES */
#define TERN_LOAD_DRAM_STRIDE_LSB 96
#define TERN_LOAD_DRAM_STRIDE_WIDTH 32
#define TERN_LOAD_DRAM_STRIDE_MAX 0xffffffffu
static inline uint32_t tern_get_load_dram_stride(const struct tern_insn *i) { return tern_insn_field(i, 96, 32); }
static inline void tern_set_load_dram_stride(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 96, 32, v); }

/* 1: start from zero instead of the accumulator's value */
#define TERN_GEMM_RESET_LSB 8
#define TERN_GEMM_RESET_WIDTH 1
#define TERN_GEMM_RESET_MAX 0x1u
static inline uint32_t tern_get_gemm_reset(const struct tern_insn *i) { return tern_insn_field(i, 8, 1); }
static inline void tern_set_gemm_reset(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 8, 1, v); }

/* WBUF entry of K-chunk 0 */
#define TERN_GEMM_WBUF_BASE_LSB 16
#define TERN_GEMM_WBUF_BASE_WIDTH 16
#define TERN_GEMM_WBUF_BASE_MAX 0xffffu
static inline uint32_t tern_get_gemm_wbuf_base(const struct tern_insn *i) { return tern_insn_field(i, 16, 16); }
static inline void tern_set_gemm_wbuf_base(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 16, 16, v); }

/* ABUF entry of token 0, K-chunk 0 */
#define TERN_GEMM_ABUF_BASE_LSB 32
#define TERN_GEMM_ABUF_BASE_WIDTH 16
#define TERN_GEMM_ABUF_BASE_MAX 0xffffu
static inline uint32_t tern_get_gemm_abuf_base(const struct tern_insn *i) { return tern_insn_field(i, 32, 16); }
static inline void tern_set_gemm_abuf_base(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 32, 16, v); }

/* ACC entry of token 0 */
#define TERN_GEMM_ACC_BASE_LSB 48
#define TERN_GEMM_ACC_BASE_WIDTH 16
#define TERN_GEMM_ACC_BASE_MAX 0xffffu
static inline uint32_t tern_get_gemm_acc_base(const struct tern_insn *i) { return tern_insn_field(i, 48, 16); }
static inline void tern_set_gemm_acc_base(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 48, 16, v); }

/* K-chunks of LANES inputs to sum (>= 1) */
#define TERN_GEMM_K_CHUNKS_LSB 64
#define TERN_GEMM_K_CHUNKS_WIDTH 16
#define TERN_GEMM_K_CHUNKS_MAX 0xffffu
static inline uint32_t tern_get_gemm_k_chunks(const struct tern_insn *i) { return tern_insn_field(i, 64, 16); }
static inline void tern_set_gemm_k_chunks(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 64, 16, v); }

/* tokens (>= 1), one ACC entry each */
#define TERN_GEMM_N_TOKENS_LSB 80
#define TERN_GEMM_N_TOKENS_WIDTH 16
#define TERN_GEMM_N_TOKENS_MAX 0xffffu
static inline uint32_t tern_get_gemm_n_tokens(const struct tern_insn *i) { return tern_insn_field(i, 80, 16); }
static inline void tern_set_gemm_n_tokens(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 80, 16, v); }

/* ABUF entries between consecutive tokens */
#define TERN_GEMM_ABUF_STRIDE_LSB 96
#define TERN_GEMM_ABUF_STRIDE_WIDTH 16
#define TERN_GEMM_ABUF_STRIDE_MAX 0xffffu
static inline uint32_t tern_get_gemm_abuf_stride(const struct tern_insn *i) { return tern_insn_field(i, 96, 16); }
static inline void tern_set_gemm_abuf_stride(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 96, 16, v); }

/* first ACC entry read */
#define TERN_STORE_ACC_BASE_LSB 16
#define TERN_STORE_ACC_BASE_WIDTH 16
#define TERN_STORE_ACC_BASE_MAX 0xffffu
static inline uint32_t tern_get_store_acc_base(const struct tern_insn *i) { return tern_insn_field(i, 16, 16); }
static inline void tern_set_store_acc_base(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 16, 16, v); }

/* entries (>= 1); entry y goes to dram_addr + y*dram_stride */
#define TERN_STORE_Y_SIZE_LSB 48
#define TERN_STORE_Y_SIZE_WIDTH 16
#define TERN_STORE_Y_SIZE_MAX 0xffffu
static inline uint32_t tern_get_store_y_size(const struct tern_insn *i) { return tern_insn_field(i, 48, 16); }
static inline void tern_set_store_y_size(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 48, 16, v); }

/* byte address of entry 0, multiple of BUS_BYTES */
#define TERN_STORE_DRAM_ADDR_LSB 64
#define TERN_STORE_DRAM_ADDR_WIDTH 32
#define TERN_STORE_DRAM_ADDR_MAX 0xffffffffu
static inline uint32_t tern_get_store_dram_addr(const struct tern_insn *i) { return tern_insn_field(i, 64, 32); }
static inline void tern_set_store_dram_addr(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 64, 32, v); }

/* bytes between entries, multiple of BUS_BYTES */
#define TERN_STORE_DRAM_STRIDE_LSB 96
#define TERN_STORE_DRAM_STRIDE_WIDTH 32
#define TERN_STORE_DRAM_STRIDE_MAX 0xffffffffu
static inline uint32_t tern_get_store_dram_stride(const struct tern_insn *i) { return tern_insn_field(i, 96, 32); }
static inline void tern_set_store_dram_stride(struct tern_insn *i, uint32_t v) { tern_insn_set_field(i, 96, 32, v); }

/* Bits an opcode defines; any other bit set is a FIELD error. */
#define TERN_LOAD_DEFINED_W0 0xffffffffffff03ffull
#define TERN_LOAD_DEFINED_W1 0xffffffffffffffffull
#define TERN_GEMM_DEFINED_W0 0xffffffffffff01ffull
#define TERN_GEMM_DEFINED_W1 0x0000ffffffffffffull
#define TERN_STORE_DEFINED_W0 0xffff0000ffff00ffull
#define TERN_STORE_DEFINED_W1 0xffffffffffffffffull
#define TERN_END_DEFINED_W0 0x00000000000000ffull
#define TERN_END_DEFINED_W1 0x0000000000000000ull

/* Dependency flags as a 4-bit set: pop_prev 1, pop_next 2, push_prev 4, push_next 8. */
#define TERN_DEP_POP_PREV 1
#define TERN_DEP_POP_NEXT 2
#define TERN_DEP_PUSH_PREV 4
#define TERN_DEP_PUSH_NEXT 8
#define TERN_LOAD_DEPS_ALLOWED 10
#define TERN_GEMM_DEPS_ALLOWED 15
#define TERN_STORE_DEPS_ALLOWED 5
#define TERN_END_DEPS_ALLOWED 0

/* Weight codes: code = weight + 1; code 3 is reserved and reads as 0. */
#define TERN_WCODE_0_WEIGHT (-1)
#define TERN_WCODE_1_WEIGHT (0)
#define TERN_WCODE_2_WEIGHT (1)
#define TERN_WCODE_3_WEIGHT (0)

enum tern_err {
	TERN_ERR_OK = 0, /* no error */
	TERN_ERR_OPCODE = 1, /* illegal opcode */
	TERN_ERR_DEP_FLAGS = 2, /* dependency flag that the opcode's unit cannot use */
	TERN_ERR_FIELD = 3, /* a size field is zero, a reserved field is non-zero, or wfmt set on an ABUF load */
	TERN_ERR_WBUF_RANGE = 4, /* WBUF entry index out of range */
	TERN_ERR_ABUF_RANGE = 5, /* ABUF entry index out of range */
	TERN_ERR_ACC_RANGE = 6, /* ACC entry index out of range */
	TERN_ERR_DMA_WINDOW = 7, /* DRAM access outside [dma_base, dma_limit) */
	TERN_ERR_DMA_ALIGN = 8, /* dram_addr or dram_stride not a multiple of BUS_BYTES */
	TERN_ERR_FETCH_RANGE = 9, /* instruction address outside the DMA window */
	TERN_ERR_NO_END = 10, /* insn_count instructions fetched without an END */
	TERN_ERR_DEADLOCK = 11, /* every unit waits for a token that can never come */
	TERN_ERR_WATCHDOG = 12, /* the run exceeded the watchdog cycle limit */
	TERN_ERR_COUNT = 13
};

#define TERN_CSR_CTRL 0x000 /* rw: bit0 START (write 1: start a run; reads 0), bit1 IRQ_EN */
#define TERN_CSR_STATUS 0x004 /* r: bit0 BUSY, bit1 DONE (sticky until next START), bit2 ERROR */
#define TERN_CSR_INSN_BASE 0x008 /* rw: byte address of instruction 0 (multiple of 16) */
#define TERN_CSR_INSN_COUNT 0x00c /* rw: number of instructions available */
#define TERN_CSR_DMA_BASE 0x010 /* rw: lowest DRAM byte address the device may touch */
#define TERN_CSR_DMA_LIMIT 0x014 /* rw: one past the highest DRAM byte address the device may touch */
#define TERN_CSR_ERR_CODE 0x018 /* r: error code of the last run (0 = none) */
#define TERN_CSR_ERR_INSN 0x01c /* r: index of the faulting instruction */
#define TERN_CSR_WATCHDOG 0x020 /* rw: cycle limit of a run, 0 = no limit */
#define TERN_CSR_IRQ_STATUS 0x024 /* rw1c: bit0 DONE interrupt pending; write 1 to clear */
#define TERN_CSR_HW_ROWS 0x028 /* r: ROWS parameter of this build */
#define TERN_CSR_HW_LANES 0x02c /* r: LANES parameter of this build */
#define TERN_CSR_COUNTER_BASE 0x100 /* r: counter i at COUNTER_BASE + 8*i (LO) and + 8*i + 4 (HI) */
#define TERN_CTRL_START 0x1u
#define TERN_CTRL_IRQ_EN 0x2u
#define TERN_STATUS_BUSY 0x1u
#define TERN_STATUS_DONE 0x2u
#define TERN_STATUS_ERROR 0x4u

enum tern_counter {
	TERN_CNT_CYCLES = 0, /* cycles from START to DONE (RTL only) */
	TERN_CNT_INSNS = 1, /* instructions fetched and executed, END included */
	TERN_CNT_LOADS = 2, /* LOAD instructions executed */
	TERN_CNT_GEMMS = 3, /* GEMM instructions executed */
	TERN_CNT_STORES = 4, /* STORE instructions executed */
	TERN_CNT_MACS = 5, /* ternary MACs issued: n_tokens*k_chunks*ROWS*LANES per GEMM */
	TERN_CNT_MACS_ZERO = 6, /* issued MACs whose weight is zero (adder input gated) */
	TERN_CNT_DRAM_RD_BYTES = 7, /* bytes read by LOAD: whole BUS_BYTES beats, ceil(row bytes / BUS_BYTES) per row */
	TERN_CNT_DRAM_WR_BYTES = 8, /* bytes written by STORE */
	TERN_CNT_FETCH_BYTES = 9, /* instruction bytes fetched (16 per instruction, END included) */
	TERN_CNT_WBUF_RD = 10, /* WBUF entry reads (one per GEMM cycle) */
	TERN_CNT_WBUF_WR = 11, /* WBUF entry writes */
	TERN_CNT_ABUF_RD = 12, /* ABUF entry reads (one per GEMM cycle) */
	TERN_CNT_ABUF_WR = 13, /* ABUF entry writes */
	TERN_CNT_ACC_RD = 14, /* ACC entry reads: GEMM without reset (one per token), STORE (one per entry) */
	TERN_CNT_ACC_WR = 15, /* ACC entry writes (one per GEMM token) */
	TERN_CNT_LOAD_BUSY = 16, /* cycles the load unit executes an instruction (RTL only) */
	TERN_CNT_LOAD_STALL_DEP = 17, /* cycles the load unit waits for a token (RTL only) */
	TERN_CNT_LOAD_STALL_MEM = 18, /* cycles the load unit waits for DRAM data (RTL only) */
	TERN_CNT_GEMM_BUSY = 19, /* cycles the compute unit issues a MAC row (RTL only) */
	TERN_CNT_GEMM_STALL_DEP = 20, /* cycles the compute unit waits for a token (RTL only) */
	TERN_CNT_STORE_BUSY = 21, /* cycles the store unit executes an instruction (RTL only) */
	TERN_CNT_STORE_STALL_DEP = 22, /* cycles the store unit waits for a token (RTL only) */
	TERN_CNT_STORE_STALL_MEM = 23, /* cycles the store unit waits for the DRAM write port (RTL only) */
	TERN_CNT_FETCH_STALL = 24, /* cycles the fetch unit waits on a full instruction queue (RTL only) */
	TERN_CNT_COUNT = 25
};

/* Hardware configuration; presets come from the definition file. */
struct tern_hw_config {
	uint32_t rows; /* PE rows = outputs per tile */
	uint32_t lanes; /* lanes = inputs per K-chunk */
	uint32_t wbuf_depth; /* WBUF entries (ROWS*LANES 2-bit codes each) */
	uint32_t abuf_depth; /* ABUF entries (LANES int8 each) */
	uint32_t acc_depth; /* ACC entries (ROWS int32 each) */
	uint32_t bus_bytes; /* memory port bytes per beat */
	uint32_t queue_depth; /* instruction queue entries per unit */
};

#define TERN_PRESET_COUNT 5
#define TERN_PRESET_DEFAULT "32x32"
#define TERN_DEFAULT_ROWS 32
#define TERN_DEFAULT_LANES 32
#define TERN_DEFAULT_WBUF_DEPTH 512
#define TERN_DEFAULT_ABUF_DEPTH 8192
#define TERN_DEFAULT_ACC_DEPTH 512
#define TERN_DEFAULT_BUS_BYTES 32
#define TERN_DEFAULT_QUEUE_DEPTH 16

struct tern_hw_preset {
	const char *name;
	struct tern_hw_config cfg;
};

extern const struct tern_hw_preset tern_hw_presets[TERN_PRESET_COUNT];
const char *tern_opcode_name(unsigned opcode);
const char *tern_err_name(unsigned err);
const char *tern_err_doc(unsigned err);
const char *tern_counter_name(unsigned cnt);
/* 1 if the reference model counts this event too. */
int tern_counter_in_ref(unsigned cnt);

#endif /* TERN_ISA_H */
