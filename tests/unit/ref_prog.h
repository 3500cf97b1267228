/*
 * Test helpers for the reference-model tests (test_ref*.c): build a small program and
 * its data in a DRAM image by hand, pack weights the way docs/isa.md describes (written
 * here independently of ref/, so a decoder bug cannot hide behind a shared packer), and
 * run it. Instructions live at address 0 (room for 256), data from PROG_DATA up.
 */
#ifndef TERN_REF_PROG_H
#define TERN_REF_PROG_H

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tern_ref.h"

#define PROG_DATA 0x1000u

/* Small configurations spelled out, so the tests do not move with the presets. */
static const struct tern_hw_config cfg4 = {
	.rows = 4, .lanes = 4, .wbuf_depth = 256, .abuf_depth = 1024, .acc_depth = 256,
	.bus_bytes = 16, .queue_depth = 8,
};
static const struct tern_hw_config cfg8 = {
	.rows = 8, .lanes = 8, .wbuf_depth = 64, .abuf_depth = 128, .acc_depth = 32,
	.bus_bytes = 32, .queue_depth = 4,
};

struct prog {
	struct tern_hw_config cfg;
	uint8_t *dram;
	uint64_t size;
	struct tern_ref_args args;
	struct tern_ref_result res;
};

/* Dependency flag sets, as TERN_DEP_* bits. */
#define POP_PREV TERN_DEP_POP_PREV
#define POP_NEXT TERN_DEP_POP_NEXT
#define PUSH_PREV TERN_DEP_PUSH_PREV
#define PUSH_NEXT TERN_DEP_PUSH_NEXT

static inline void prog_init(struct prog *p, const struct tern_hw_config *cfg, uint64_t size)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->size = size;
	p->dram = calloc(1, size);
	cr_assert_not_null(p->dram);
	p->args.dma_limit = (uint32_t)size;
}

static inline void prog_free(struct prog *p)
{
	free(p->dram);
}

static inline void set_deps(struct tern_insn *in, unsigned deps)
{
	tern_set_pop_prev(in, !!(deps & POP_PREV));
	tern_set_pop_next(in, !!(deps & POP_NEXT));
	tern_set_push_prev(in, !!(deps & PUSH_PREV));
	tern_set_push_next(in, !!(deps & PUSH_NEXT));
}

static inline struct tern_insn mk_load(unsigned buf, unsigned wfmt, uint32_t sram, uint32_t x,
				       uint32_t y, uint32_t addr, uint32_t stride, unsigned deps)
{
	struct tern_insn in = { { 0, 0 } };

	tern_set_opcode(&in, TERN_OP_LOAD);
	set_deps(&in, deps);
	tern_set_load_buf(&in, buf);
	tern_set_load_wfmt(&in, wfmt);
	tern_set_load_sram_base(&in, sram);
	tern_set_load_x_size(&in, x);
	tern_set_load_y_size(&in, y);
	tern_set_load_dram_addr(&in, addr);
	tern_set_load_dram_stride(&in, stride);
	return in;
}

static inline struct tern_insn mk_gemm(unsigned reset, uint32_t wb, uint32_t ab, uint32_t accb,
				       uint32_t k, uint32_t n, uint32_t astride, unsigned deps)
{
	struct tern_insn in = { { 0, 0 } };

	tern_set_opcode(&in, TERN_OP_GEMM);
	set_deps(&in, deps);
	tern_set_gemm_reset(&in, reset);
	tern_set_gemm_wbuf_base(&in, wb);
	tern_set_gemm_abuf_base(&in, ab);
	tern_set_gemm_acc_base(&in, accb);
	tern_set_gemm_k_chunks(&in, k);
	tern_set_gemm_n_tokens(&in, n);
	tern_set_gemm_abuf_stride(&in, astride);
	return in;
}

static inline struct tern_insn mk_store(uint32_t accb, uint32_t y, uint32_t addr, uint32_t stride,
					unsigned deps)
{
	struct tern_insn in = { { 0, 0 } };

	tern_set_opcode(&in, TERN_OP_STORE);
	set_deps(&in, deps);
	tern_set_store_acc_base(&in, accb);
	tern_set_store_y_size(&in, y);
	tern_set_store_dram_addr(&in, addr);
	tern_set_store_dram_stride(&in, stride);
	return in;
}

static inline struct tern_insn mk_end(void)
{
	struct tern_insn in = { { TERN_OP_END, 0 } };

	return in;
}

static inline void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline int32_t get_le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/* Append an instruction at insn_base + 16*insn_count (little-endian words). */
static inline uint32_t emit(struct prog *p, struct tern_insn in)
{
	uint8_t *at = p->dram + p->args.insn_base + 16u * p->args.insn_count;

	put_le(at, in.w[0], 8);
	put_le(at + 8, in.w[1], 8);
	return p->args.insn_count++;
}

static inline int prog_run(struct prog *p)
{
	return tern_ref_run(&p->cfg, p->dram, p->size, &p->args, NULL, NULL, &p->res);
}

static inline int32_t rd32(const struct prog *p, uint32_t addr)
{
	return get_le32(p->dram + addr);
}

/* 2-bit format: code i at byte i/4, bits 2*(i%4)+1..2*(i%4). */
static inline void pack2(const uint8_t *codes, size_t n, uint8_t *out)
{
	memset(out, 0, (n + 3) / 4);
	for (size_t i = 0; i < n; i++)
		out[i / 4] |= (uint8_t)(codes[i] << (2 * (i % 4)));
}

/* Base-3: byte j = t0 + 3*t1 + 9*t2 + 27*t3 + 81*t4 for codes 5j..5j+4. */
static inline void pack3(const uint8_t *codes, size_t n, uint8_t *out)
{
	static const unsigned pow3[5] = { 1, 3, 9, 27, 81 };

	memset(out, 0, (n + 4) / 5);
	for (size_t i = 0; i < n; i++)
		out[i / 5] = (uint8_t)(out[i / 5] + codes[i] * pow3[i % 5]);
}

/* Deterministic pseudo-random numbers for test data (xorshift32). */
static inline uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

#endif /* TERN_REF_PROG_H */
