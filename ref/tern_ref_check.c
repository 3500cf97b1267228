/*
 * Static instruction checks of the reference model (docs/isa.md "Checks and errors").
 *
 * The fetch unit runs these on every instruction it reads, in program order, before
 * dispatching it; the RTL implements the same list in the same order, so both report
 * the same error code at the same instruction. Every check depends only on the
 * instruction word, the hardware configuration and the CSRs, never on run-time state.
 * All address arithmetic is done in 64 bits (or saturating where a configuration could
 * make even that overflow), so no 32-bit wrap can hide an access outside the window.
 */
#include "tern_ref.h"

_Static_assert(TERN_LOAD_Y_SIZE_LSB == TERN_STORE_Y_SIZE_LSB &&
	       TERN_LOAD_DRAM_ADDR_LSB == TERN_STORE_DRAM_ADDR_LSB &&
	       TERN_LOAD_DRAM_STRIDE_LSB == TERN_STORE_DRAM_STRIDE_LSB,
	       "check_dma reads LOAD and STORE DMA fields with the LOAD accessors");

/* The reference model accepts exactly what the definition's one rule accepts. */
int tern_ref_config_check(const struct tern_hw_config *cfg, char *err, size_t errlen)
{
	return tern_hw_config_check(cfg, err, errlen);
}

int tern_ref_config_valid(const struct tern_hw_config *cfg)
{
	return tern_hw_config_why(cfg) == NULL;
}

/*
 * Used sizes round up, so a configuration whose ROWS*LANES is not a multiple of 4 (or 5)
 * still has whole bytes per entry. Both come from the definition's entry_layout (the
 * generated tern_entry_used / tern_entry_stride), as the RTL's do.
 */
uint32_t tern_entry_used_bytes(const struct tern_hw_config *cfg, unsigned buf, unsigned wfmt)
{
	return tern_entry_used(cfg->rows, cfg->lanes, buf, wfmt);
}

uint32_t tern_entry_bytes(const struct tern_hw_config *cfg, unsigned buf, unsigned wfmt)
{
	return tern_entry_stride(tern_entry_used_bytes(cfg, buf, wfmt), cfg->bus_bytes);
}

static uint32_t check_opcode(uint32_t op)
{
	return op >= TERN_OP_LOAD && op <= TERN_OP_END ? TERN_ERR_OK : TERN_ERR_OPCODE;
}

static uint32_t check_deps(uint32_t op, const struct tern_insn *in)
{
	static const uint32_t allowed[] = {
		[TERN_OP_LOAD] = TERN_LOAD_DEPS_ALLOWED,
		[TERN_OP_GEMM] = TERN_GEMM_DEPS_ALLOWED,
		[TERN_OP_STORE] = TERN_STORE_DEPS_ALLOWED,
		[TERN_OP_END] = TERN_END_DEPS_ALLOWED,
	};
	/* Bits 4..7 map onto the TERN_DEP_* set: pop_prev 1 .. push_next 8. */
	uint32_t deps = (uint32_t)(in->w[0] >> TERN_POP_PREV_LSB) & 0xf;

	return deps & ~allowed[op] ? TERN_ERR_DEP_FLAGS : TERN_ERR_OK;
}

static uint32_t check_field(uint32_t op, const struct tern_insn *in)
{
	static const uint64_t defined[][2] = {
		[TERN_OP_LOAD] = { TERN_LOAD_DEFINED_W0, TERN_LOAD_DEFINED_W1 },
		[TERN_OP_GEMM] = { TERN_GEMM_DEFINED_W0, TERN_GEMM_DEFINED_W1 },
		[TERN_OP_STORE] = { TERN_STORE_DEFINED_W0, TERN_STORE_DEFINED_W1 },
		[TERN_OP_END] = { TERN_END_DEFINED_W0, TERN_END_DEFINED_W1 },
	};

	if ((in->w[0] & ~defined[op][0]) || (in->w[1] & ~defined[op][1]))
		return TERN_ERR_FIELD;
	switch (op) {
	case TERN_OP_LOAD:
		if (!tern_get_load_x_size(in) || !tern_get_load_y_size(in))
			return TERN_ERR_FIELD;
		if (tern_get_load_buf(in) && tern_get_load_wfmt(in))
			return TERN_ERR_FIELD;
		break;
	case TERN_OP_GEMM:
		if (!tern_get_gemm_k_chunks(in) || !tern_get_gemm_n_tokens(in))
			return TERN_ERR_FIELD;
		break;
	case TERN_OP_STORE:
		if (!tern_get_store_y_size(in))
			return TERN_ERR_FIELD;
		break;
	}
	return TERN_ERR_OK;
}

/* Sizes are >= 1 here (check_field ran first), so the "- 1" terms cannot wrap. */
static uint32_t check_range(const struct tern_hw_config *cfg, uint32_t op,
			    const struct tern_insn *in)
{
	uint64_t end;

	switch (op) {
	case TERN_OP_LOAD:
		end = (uint64_t)tern_get_load_sram_base(in) +
		      (uint64_t)tern_get_load_x_size(in) * tern_get_load_y_size(in);
		if (tern_get_load_buf(in))
			return end > cfg->abuf_depth ? TERN_ERR_ABUF_RANGE : TERN_ERR_OK;
		return end > cfg->wbuf_depth ? TERN_ERR_WBUF_RANGE : TERN_ERR_OK;
	case TERN_OP_GEMM:
		end = (uint64_t)tern_get_gemm_wbuf_base(in) + tern_get_gemm_k_chunks(in);
		if (end > cfg->wbuf_depth)
			return TERN_ERR_WBUF_RANGE;
		end = (uint64_t)tern_get_gemm_abuf_base(in) +
		      (uint64_t)(tern_get_gemm_n_tokens(in) - 1) * tern_get_gemm_abuf_stride(in) +
		      tern_get_gemm_k_chunks(in);
		if (end > cfg->abuf_depth)
			return TERN_ERR_ABUF_RANGE;
		end = (uint64_t)tern_get_gemm_acc_base(in) + tern_get_gemm_n_tokens(in);
		return end > cfg->acc_depth ? TERN_ERR_ACC_RANGE : TERN_ERR_OK;
	case TERN_OP_STORE:
		end = (uint64_t)tern_get_store_acc_base(in) + tern_get_store_y_size(in);
		return end > cfg->acc_depth ? TERN_ERR_ACC_RANGE : TERN_ERR_OK;
	}
	return TERN_ERR_OK;
}

/* Bytes of DRAM one LOAD row or STORE entry touches; UINT64_MAX if absurdly large. */
static uint64_t dma_span(const struct tern_hw_config *cfg, uint32_t op, const struct tern_insn *in)
{
	uint64_t e, x, beats;

	if (op == TERN_OP_STORE)
		return (uint64_t)cfg->rows * 4;
	e = tern_entry_bytes(cfg, tern_get_load_buf(in), tern_get_load_wfmt(in));
	x = tern_get_load_x_size(in);
	if (e && x > UINT64_MAX / 2 / e)
		return UINT64_MAX;
	beats = (x * e + cfg->bus_bytes - 1) / cfg->bus_bytes;
	return beats * cfg->bus_bytes;
}

static uint32_t check_dma(const struct tern_hw_config *cfg, const struct tern_ref_args *args,
			  uint32_t op, const struct tern_insn *in)
{
	uint64_t addr, stride, y, last, span;

	if (op != TERN_OP_LOAD && op != TERN_OP_STORE)
		return TERN_ERR_OK;
	/* LOAD and STORE keep dram_addr, dram_stride and y_size at the same bits. */
	addr = tern_get_load_dram_addr(in);
	stride = tern_get_load_dram_stride(in);
	y = tern_get_load_y_size(in);
	if (addr % cfg->bus_bytes || stride % cfg->bus_bytes)
		return TERN_ERR_DMA_ALIGN;
	last = addr + (y - 1) * stride; /* < 2^49: 2^32 + 2^16 * 2^32 */
	span = dma_span(cfg, op, in);
	if (!args)
		return TERN_ERR_OK; /* no CSRs given: only the instruction's own checks */
	if (addr < args->dma_base || span > args->dma_limit || last > args->dma_limit - span)
		return TERN_ERR_DMA_WINDOW;
	return TERN_ERR_OK;
}

uint32_t tern_ref_check_insn(const struct tern_hw_config *cfg, const struct tern_ref_args *args,
			     const struct tern_insn *in)
{
	uint32_t op = tern_get_opcode(in);
	uint32_t err;

	err = check_opcode(op);
	if (!err)
		err = check_deps(op, in);
	if (!err)
		err = check_field(op, in);
	if (!err)
		err = check_range(cfg, op, in);
	if (!err)
		err = check_dma(cfg, args, op, in);
	return err;
}
