/* generated from isa/tern_isa.json by isa/tern_gen.py -- do not edit */
#include "tern_isa.h"

const struct tern_hw_preset tern_hw_presets[TERN_PRESET_COUNT] = {
	{ "4x4", { 4, 4, 256, 1024, 256, 16, 8 } },
	{ "8x8", { 8, 8, 512, 8192, 512, 32, 16 } },
	{ "16x16", { 16, 16, 512, 8192, 512, 32, 16 } },
	{ "32x32", { 32, 32, 512, 8192, 512, 32, 16 } },
	{ "64x64", { 64, 64, 256, 4096, 512, 64, 16 } },
};

const char *tern_opcode_name(unsigned opcode)
{
	switch (opcode) {
	case 1: return "LOAD";
	case 2: return "GEMM";
	case 3: return "STORE";
	case 4: return "END";
	default: return "ILLEGAL";
	}
}

const char *tern_err_name(unsigned err)
{
	switch (err) {
	case 0: return "OK";
	case 1: return "OPCODE";
	case 2: return "DEP_FLAGS";
	case 3: return "FIELD";
	case 4: return "WBUF_RANGE";
	case 5: return "ABUF_RANGE";
	case 6: return "ACC_RANGE";
	case 7: return "DMA_WINDOW";
	case 8: return "DMA_ALIGN";
	case 9: return "FETCH_RANGE";
	case 10: return "NO_END";
	case 11: return "DEADLOCK";
	case 12: return "WATCHDOG";
	default: return "UNKNOWN";
	}
}

const char *tern_err_doc(unsigned err)
{
	switch (err) {
	case 0: return "no error";
	case 1: return "illegal opcode";
	case 2: return "dependency flag that the opcode's unit cannot use";
	case 3: return "a size field is zero, a reserved field is non-zero, or wfmt set on an ABUF load";
	case 4: return "WBUF entry index out of range";
	case 5: return "ABUF entry index out of range";
	case 6: return "ACC entry index out of range";
	case 7: return "DRAM access outside [dma_base, dma_limit)";
	case 8: return "dram_addr or dram_stride not a multiple of BUS_BYTES";
	case 9: return "instruction address outside the DMA window";
	case 10: return "insn_count instructions fetched without an END";
	case 11: return "every unit waits for a token that can never come";
	case 12: return "the run exceeded the watchdog cycle limit";
	default: return "unknown error code";
	}
}

static const char *const counter_names[TERN_CNT_COUNT] = {
	"cycles",
	"insns",
	"loads",
	"gemms",
	"stores",
	"macs",
	"macs_zero",
	"dram_rd_bytes",
	"dram_wr_bytes",
	"fetch_bytes",
	"wbuf_rd",
	"wbuf_wr",
	"abuf_rd",
	"abuf_wr",
	"acc_rd",
	"acc_wr",
	"load_busy",
	"load_stall_dep",
	"load_stall_mem",
	"gemm_busy",
	"gemm_stall_dep",
	"store_busy",
	"store_stall_dep",
	"store_stall_mem",
	"fetch_stall",
};

static const unsigned char counter_in_ref[TERN_CNT_COUNT] = {
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

const char *tern_counter_name(unsigned cnt)
{
	return cnt < TERN_CNT_COUNT ? counter_names[cnt] : "unknown";
}

int tern_counter_in_ref(unsigned cnt)
{
	return cnt < TERN_CNT_COUNT ? counter_in_ref[cnt] : 0;
}
