/*
 * tern compiler, stage 3: instruction emission for a planned layer.
 *
 * Loop nest (docs/compiler.md): for each N-block, for each load group, the group's
 * loads (activations: streamed ones for this K-block, or a slice of the next
 * N-block's resident ones; then the weights, one LOAD), then one GEMM per M-tile part
 * in the group, and after a tile's last K-chunk one STORE of its ACC half. A group is
 * one weight segment in stream mode (resident activations: whole tiles, or a WBUF
 * half's worth of the weight stream, a tile's GEMM split where a segment ends inside
 * it) and one (tile, K-block) in K-block mode. Halves alternate: WBUF (and streamed
 * ABUF) by load group g, resident ABUF by N-block, ACC by tile u. Tokens, counted
 * globally:
 *   load group g     pops c2l if g >= 2 (group g-2 freed the half it refills),
 *                    its last LOAD pushes l2c;
 *   GEMMs of group g the first pops l2c, the last pushes c2l if a group g+2 exists;
 *                    the first of tile u pops s2c if u >= 2 (STORE u-2 drained its
 *                    ACC half), the last of tile u pushes c2s;
 *   STORE u          pops c2s, pushes s2c if a tile u+2 exists.
 * Every pop is matched by a push of an instruction earlier in program order, so the
 * program cannot deadlock whatever the queue depth; and pushes equal pops, so no
 * token is left over at END.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_compile.h"

struct emitter {
	const struct tern_hw_config *cfg;
	const struct tern_layer *l;
	const struct tern_layout *lo;
	const struct tern_addrs *a;
	struct tern_program *p;
	uint32_t g, ng;   /* load groups emitted, load groups in all */
	uint32_t steps;   /* load groups per N-block */
	uint32_t u, nu;   /* tiles (ACC uses) emitted, tiles in all */
	uint32_t b;       /* current N-block */
	uint32_t n0, nl;  /* its first token and token count */
	uint32_t abase;   /* resident ABUF half of the current N-block */
	uint32_t cap;     /* instructions allocated (tern_layout_traffic's count) */
	struct tern_insn spill; /* written instead when cap is exceeded (a bug) */
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The next instruction, zeroed. Past cap it counts on but writes nowhere real. */
static struct tern_insn *put(struct emitter *e, uint32_t op, const struct tern_tile *t)
{
	struct tern_insn *i = &e->spill;

	if (e->p->count < e->cap) {
		i = &e->p->insns[e->p->count];
		e->p->tiles[e->p->count] = *t;
	}
	e->p->count++;
	memset(i, 0, sizeof(*i));
	tern_set_opcode(i, op);
	return i;
}

static struct tern_insn *put_load(struct emitter *e, const struct tern_tile *t, uint32_t buf,
				  uint32_t sram, uint32_t xs, uint32_t ys, uint32_t addr,
				  uint32_t stride)
{
	struct tern_insn *i = put(e, TERN_OP_LOAD, t);

	tern_set_load_buf(i, buf);
	tern_set_load_wfmt(i, buf ? 0 : e->l->wfmt);
	tern_set_load_sram_base(i, sram);
	tern_set_load_x_size(i, xs);
	tern_set_load_y_size(i, ys);
	tern_set_load_dram_addr(i, addr);
	tern_set_load_dram_stride(i, stride);
	return i;
}

/* The tiles an instruction covers (M-tiles t0 .. t0+tl-1), clipped to the real layer. */
static struct tern_tile tile_of(const struct emitter *e, uint32_t t0, uint32_t tl, uint32_t c0,
				uint32_t kc)
{
	const struct tern_hw_config *c = e->cfg;
	struct tern_tile t = { 0 };
	uint64_t k0 = (uint64_t)c0 * c->lanes, k1 = (uint64_t)(c0 + kc) * c->lanes;
	uint64_t m1 = (uint64_t)(t0 + tl) * c->rows;

	t.m0 = t0 * c->rows;
	t.m_len = (uint32_t)((m1 < e->l->m ? m1 : e->l->m) - t.m0);
	t.n0 = e->n0;
	t.n_len = e->nl;
	t.k0 = (uint32_t)k0;
	t.k_len = (uint32_t)((k1 < e->l->k ? k1 : e->l->k) - k0);
	return t;
}

/* The ABUF LOAD of tokens [t0, t0+tl) of N-block b, all K-chunks (resident mode). */
static struct tern_insn *load_block_acts(struct emitter *e, uint32_t b, uint32_t t0, uint32_t tl)
{
	const struct tern_layout *lo = e->lo;
	uint32_t n0 = b * lo->nb + t0, ahalf = min_u32(e->cfg->abuf_depth, 65536) / 2;
	uint32_t base = (lo->nblk > 1 ? (b % 2) * ahalf : 0) + t0 * lo->kt;
	struct tern_tile ta = { .n0 = n0, .n_len = tl, .k0 = 0, .k_len = e->l->k };

	return put_load(e, &ta, 1, base, lo->kt, tl, e->a->x + n0 * lo->x_row_stride,
			lo->x_row_stride);
}

/*
 * Resident activations for load group s of the current block (S groups per block).
 * Block 0 is loaded up front. With S >= 2, the next block's tokens are split over
 * groups 1 .. S-1, so the prefetch hides behind this block's compute and never holds
 * up one weight load for long; group s >= 1 waits (its c2l pop) for the previous
 * block's last GEMM, which frees the other ABUF half. With S = 1 a block loads its
 * own activations in its only group, while the previous block computes.
 */
static struct tern_insn *resident_acts(struct emitter *e, uint32_t s, uint32_t steps)
{
	const struct tern_layout *lo = e->lo;
	uint32_t b = e->b + 1, nl, per;

	if (s == 0 && (e->b == 0 || steps == 1))
		return load_block_acts(e, e->b, 0, e->nl);
	if (steps == 1 || s == 0 || b >= lo->nblk)
		return NULL;
	nl = min_u32(lo->nb, e->l->n - b * lo->nb);
	per = (nl + steps - 2) / (steps - 1);
	if ((s - 1) * per >= nl)
		return NULL;
	return load_block_acts(e, b, (s - 1) * per, min_u32(per, nl - (s - 1) * per));
}

/*
 * The loads of load group g (the s-th of its N-block): activations if any (streamed
 * ones for this K-block, or a slice of the next N-block's resident ones), then the
 * weights, ys rows of xs entries from addr, into WBUF half g%2. The first LOAD pops
 * c2l when g >= 2, the last pushes l2c.
 */
static void emit_loads(struct emitter *e, uint32_t s, const struct tern_tile *t, uint32_t xs,
		       uint32_t ys, uint64_t addr, uint32_t stride)
{
	const struct tern_hw_config *c = e->cfg;
	const struct tern_layout *lo = e->lo;
	uint32_t half = e->g % 2;
	struct tern_insn *first, *ld;

	if (lo->a_resident) {
		first = resident_acts(e, s, e->steps);
	} else {
		struct tern_tile ta = *t;

		ta.m0 = ta.m_len = 0;
		first = put_load(e, &ta, 1, half * (min_u32(c->abuf_depth, 65536) / 2), xs, e->nl,
				 e->a->x + e->n0 * lo->x_row_stride +
					 (uint64_t)t->k0 / c->lanes * tern_aentry_bytes(c),
				 lo->x_row_stride);
	}
	ld = put_load(e, t, 0, half * (min_u32(c->wbuf_depth, 65536) / 2), xs, ys, (uint32_t)addr,
		      stride);
	tern_set_pop_next(first ? first : ld, e->g >= 2);
	tern_set_push_next(ld, 1);
}

/*
 * GEMM of M-tile t over K-chunks c0 .. c0+kc-1, whose weights are at entry wbase of
 * load group g's WBUF half. The group's first GEMM pops l2c, its last pushes c2l if a
 * group g+2 exists; the tile's first (c0 = 0) resets and pops s2c if u >= 2, its
 * last pushes c2s.
 */
static void emit_gemm(struct emitter *e, uint32_t t, uint32_t c0, uint32_t kc, uint32_t wbase,
		      int first, int last)
{
	const struct tern_hw_config *c = e->cfg;
	const struct tern_layout *lo = e->lo;
	struct tern_tile tt = tile_of(e, t, 1, c0, kc);
	struct tern_insn *gm = put(e, TERN_OP_GEMM, &tt);
	uint32_t ahalf = min_u32(c->abuf_depth, 65536) / 2;

	tern_set_gemm_reset(gm, c0 == 0);
	tern_set_gemm_wbuf_base(gm, (e->g % 2) * (min_u32(c->wbuf_depth, 65536) / 2) + wbase);
	tern_set_gemm_abuf_base(gm, lo->a_resident ? e->abase + c0 : (e->g % 2) * ahalf);
	tern_set_gemm_acc_base(gm, (e->u % 2) * (min_u32(c->acc_depth, 65536) / 2));
	tern_set_gemm_k_chunks(gm, kc);
	tern_set_gemm_n_tokens(gm, e->nl);
	tern_set_gemm_abuf_stride(gm, lo->a_resident ? lo->kt : kc);
	tern_set_pop_prev(gm, first);
	tern_set_push_prev(gm, last && e->g + 2 < e->ng);
	tern_set_pop_next(gm, c0 == 0 && e->u >= 2);
	tern_set_push_next(gm, c0 + kc == lo->kt);
}

/* STORE of M-tile t's ACC half once its last K-chunk is summed. */
static void emit_store(struct emitter *e, uint32_t t)
{
	const struct tern_hw_config *c = e->cfg;
	const struct tern_layout *lo = e->lo;
	struct tern_tile tt = tile_of(e, t, 1, 0, lo->kt);
	struct tern_insn *st = put(e, TERN_OP_STORE, &tt);

	tern_set_store_acc_base(st, (e->u % 2) * (min_u32(c->acc_depth, 65536) / 2));
	tern_set_store_y_size(st, e->nl);
	tern_set_store_dram_addr(st, e->a->y + e->n0 * lo->y_row_stride + t * c->rows * 4);
	tern_set_store_dram_stride(st, lo->y_row_stride);
	tern_set_pop_prev(st, 1);
	tern_set_push_prev(st, e->u + 2 < e->nu);
	e->u++;
}

/*
 * One N-block in stream mode: weight segment s (one load group) holds K-chunks of
 * consecutive M-tiles; each tile's part in it is one GEMM, and a tile whose last
 * K-chunk is in it is stored after that GEMM.
 */
static void emit_stream(struct emitter *e)
{
	const struct tern_layout *lo = e->lo;
	uint64_t kt = lo->kt, stop;
	uint32_t t = 0;

	for (uint32_t s = 0; s < e->steps; s++, e->g++) {
		uint64_t a = tern_wseg_start(lo, s), end = tern_wseg_start(lo, s + 1);
		uint32_t t0 = (uint32_t)(a / kt), t1 = (uint32_t)((end - 1) / kt);
		struct tern_tile tt = tile_of(e, t0, t1 - t0 + 1, t0 == t1 ? (uint32_t)(a % kt) : 0,
					      t0 == t1 ? (uint32_t)(end - a) : lo->kt);

		emit_loads(e, s, &tt, (uint32_t)(end - a), 1,
			   e->a->w + (uint64_t)s * lo->w_blk_stride, lo->w_blk_stride);
		for (uint64_t i = a; i < end; i = stop) {
			stop = (t + 1ull) * kt < end ? (t + 1ull) * kt : end;
			emit_gemm(e, t, (uint32_t)(i - t * kt), (uint32_t)(stop - i),
				  (uint32_t)(i - a), i == a, stop == end);
			if (stop == (t + 1ull) * kt)
				emit_store(e, t++);
		}
	}
}

/* One N-block in K-block mode (streamed activations): a load group per (tile, K-block). */
static void emit_kblocks(struct emitter *e)
{
	const struct tern_layout *lo = e->lo;
	uint32_t s = 0;

	for (uint32_t t = 0; t < lo->mt; t++) {
		for (uint32_t j = 0; j < lo->kb; j++, s++, e->g++) {
			uint32_t c0 = j * lo->kcb, kc = min_u32(lo->kcb, lo->kt - c0);
			struct tern_tile tt = tile_of(e, t, 1, c0, kc);

			emit_loads(e, s, &tt, kc, 1,
				   e->a->w + ((uint64_t)t * lo->kb + j) * lo->w_blk_stride,
				   lo->w_blk_stride);
			emit_gemm(e, t, c0, kc, 0, 1, 1);
			if (j == lo->kb - 1)
				emit_store(e, t);
		}
	}
}

static int refuse(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* Region placement: aligned, inside 32 bits, and no output overlapping an input. */
static const char *check_addrs(const struct tern_hw_config *c, const struct tern_layout *lo,
			       const struct tern_addrs *a)
{
	uint64_t wend = (uint64_t)a->w + lo->w_bytes, xend = (uint64_t)a->x + lo->x_bytes;
	uint64_t yend = (uint64_t)a->y + lo->y_bytes;

	if (a->w % c->bus_bytes || a->x % c->bus_bytes || a->y % c->bus_bytes)
		return "region address not a multiple of BUS_BYTES";
	if (wend > 1ull << 32 || xend > 1ull << 32 || yend > 1ull << 32)
		return "region extends past the 32-bit address space";
	if ((a->y < wend && a->w < yend) || (a->y < xend && a->x < yend))
		return "output region overlaps the weight or activation region";
	return NULL;
}

/* The layout must be the one tern_layout_plan gives for this layer and config. */
static int same_plan(const struct tern_hw_config *cfg, const struct tern_layer *l,
		     const struct tern_layout *lo)
{
	struct tern_layout p;

	if (tern_layout_plan(cfg, l, &p, NULL, 0))
		return 0;
	return p.mt == lo->mt && p.kt == lo->kt && p.kcb == lo->kcb && p.kb == lo->kb &&
	       p.nb == lo->nb && p.nblk == lo->nblk && p.mg == lo->mg &&
	       p.a_resident == lo->a_resident && p.w_seg == lo->w_seg &&
	       p.w_nseg == lo->w_nseg && p.w_unit == lo->w_unit && p.w_bytes == lo->w_bytes &&
	       p.x_bytes == lo->x_bytes && p.y_bytes == lo->y_bytes &&
	       p.w_blk_stride == lo->w_blk_stride && p.x_row_stride == lo->x_row_stride &&
	       p.y_row_stride == lo->y_row_stride;
}

int tern_compile(const struct tern_hw_config *cfg, const struct tern_layer *l,
		 const struct tern_layout *lo, const struct tern_addrs *a,
		 struct tern_program *p, char *err, size_t errlen)
{
	struct emitter e = { .cfg = cfg, .l = l, .lo = lo, .a = a, .p = p };
	struct tern_traffic tr;
	const char *why = check_addrs(cfg, lo, a);

	memset(p, 0, sizeof(*p));
	if (!same_plan(cfg, l, lo))
		return refuse(err, errlen, "layout was not planned for this layer and config");
	if (why)
		return refuse(err, errlen, why);
	tern_layout_traffic(cfg, l, lo, &tr);
	if (tr.insns > UINT32_MAX / 2)
		return refuse(err, errlen, "program too long: more than 2^31 instructions");
	p->insns = malloc(tr.insns * sizeof(*p->insns));
	p->tiles = malloc(tr.insns * sizeof(*p->tiles));
	if (!p->insns || !p->tiles) {
		tern_program_free(p);
		return refuse(err, errlen, "out of memory for the program");
	}
	e.cap = (uint32_t)tr.insns;
	e.steps = lo->w_seg ? lo->w_nseg : lo->mt * lo->kb;
	e.ng = lo->nblk * e.steps;
	e.nu = lo->nblk * lo->mt;
	for (uint32_t b = 0; b < lo->nblk; b++) {
		e.b = b;
		e.n0 = b * lo->nb;
		e.nl = min_u32(lo->nb, l->n - e.n0);
		e.abase = lo->nblk > 1 ? (b % 2) * (min_u32(cfg->abuf_depth, 65536) / 2) : 0;
		if (lo->w_seg)
			emit_stream(&e);
		else
			emit_kblocks(&e);
	}
	put(&e, TERN_OP_END, &(struct tern_tile){ 0 });
	if (p->count != e.cap) {
		tern_program_free(p);
		return refuse(err, errlen, "internal error: instruction count differs from the plan");
	}
	return 0;
}

void tern_program_free(struct tern_program *p)
{
	free(p->insns);
	free(p->tiles);
	p->insns = NULL;
	p->tiles = NULL;
	p->count = 0;
}
