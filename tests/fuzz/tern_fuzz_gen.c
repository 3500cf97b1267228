/*
 * The fuzzer's program generator: random valid programs and near-valid ones.
 *
 * Valid programs mix LOADs (both buffers, both weight formats, 2-D with strides including
 * 0 and overlapping rows), GEMMs (random tiles, ABUF strides including 0, reset or
 * accumulate) and STOREs over a small working set of buffer entries (so GEMMs find loaded
 * data) plus the last entries of each buffer, with fields biased to the limits that are
 * still legal: a LOAD or GEMM ending exactly at a buffer's end, a LOAD reading from
 * DMA_BASE (over the program itself) or ending on the last whole beat under DMA_LIMIT, a
 * STORE ending there. Dependency tokens are chosen as the program is written: before an
 * instruction is committed the analyzer (tern_fuzz_an.c) says which earlier instructions
 * of the other units it must follow; the generator pops the counter that proves it, and
 * when no unconsumed push exists (or only one from too early an instruction, which it
 * then takes back: no pop relies on it yet) it adds the push to the latest producer
 * instruction (earlier in program order, so the program cannot deadlock). Random extra pushes and
 * pops (of tokens already pushed) vary the synchronisation further.
 *
 * A near-valid program is a valid prefix followed by one instruction with a field exactly
 * one past a limit (buffer ends, 16-bit size overflows, DMA window edges, multi-row
 * transfers whose later row crosses DMA_LIMIT, 32-bit address wrap), an illegal opcode,
 * flags or field, a missing END, or a pop no push will ever satisfy (DEADLOCK, sometimes
 * with fetch blocked behind a full queue). The DRAM layout and timing are random too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_fuzz.h"

#define WORK 40  /* working set of buffer entries near 0 */
#define NREC 8   /* recently written buffer ranges remembered per buffer */

struct range { uint32_t lo, hi; };

struct gen {
	const struct tern_hw_config *c;
	struct tf_prog *p;
	struct tf_an an;
	uint64_t r;
	uint32_t limit, bus;
	struct range ld[2]; /* DRAM LOADs may read */
	int nld;
	int loads_top;      /* 1: ld[1] ends at DMA_LIMIT, else the store region does */
	uint32_t prog_of[3][TF_MAX_INSNS]; /* program index of each instruction of a unit */
	struct range rec[3][NREC];         /* recently written WBUF, ABUF, ACC ranges */
	uint32_t nrec[3];
	int minimal;        /* 1: only the tokens the analyzer asks for (tf_resync) */
};

static const struct { uint32_t lat, bw; } timings[] = {
	{ 40, 16 }, { 1, 128 }, { 3, 32 }, { 17, 7 }, { 100, 4 }, { 60, 2 },
};

static uint32_t rnd(struct gen *g, uint32_t n) { return tf_below(&g->r, n); }
static int chance(struct gen *g, uint32_t pct) { return rnd(g, 100) < pct; }
static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t depth_of(const struct tern_hw_config *c, int b)
{
	return b == 0 ? c->wbuf_depth : b == 1 ? c->abuf_depth : c->acc_depth;
}

static struct tern_insn *add(struct gen *g, unsigned op)
{
	struct tern_insn *in = &g->p->in[g->p->n++];

	memset(in, 0, sizeof(*in));
	tern_set_opcode(in, op);
	return in;
}

/* A buffer base for `len` entries: the working set, the very end, or anywhere. */
static uint32_t pick_base(struct gen *g, int b, uint32_t len)
{
	uint32_t d = depth_of(g->c, b), r = rnd(g, 100);

	if (len > d)
		return 0;
	if (r < 15)
		return d - len;
	if (r < 22)
		return rnd(g, d - len + 1);
	return rnd(g, min32(WORK, d - len) + 1);
}

/* The last whole-beat boundary of a range (its start is always aligned). */
static uint32_t top_of(const struct gen *g, const struct range *r)
{
	return r->hi / g->bus * g->bus;
}

static uint32_t row_span(const struct tern_hw_config *c, uint32_t x, int buf, int wfmt)
{
	uint64_t row = (uint64_t)x * tern_entry_bytes(c, buf, wfmt);

	return (uint32_t)((row + c->bus_bytes - 1) / c->bus_bytes * c->bus_bytes);
}

/* Fields of a valid LOAD (no tokens). */
static void load_fields(struct gen *g, struct tern_insn *in)
{
	int buf = rnd(g, 2), wfmt = buf ? 0 : rnd(g, 2), i;
	uint32_t d = depth_of(g->c, buf);
	uint32_t x = 1 + rnd(g, chance(g, 25) ? 12 : 4), y = 1 + rnd(g, chance(g, 25) ? 5 : 2);
	uint32_t span, stride, ext, addr = 0;
	const struct range *rg = NULL;

	while (x * y > d)
		x = y = 1;
	span = row_span(g->c, x, buf, wfmt);
	for (i = 0; i < 3 && !rg; i++) {
		uint32_t r = rnd(g, 100), k;
		stride = r < 20 ? 0 : r < 55 ? span : r < 75 ? span + g->bus * rnd(g, 4)
						     : g->bus * rnd(g, span / g->bus + 1);
		if (i == 2)
			y = 1, stride = 0;
		ext = (y - 1) * stride + span;
		k = rnd(g, g->nld);
		if (top_of(g, &g->ld[k]) - g->ld[k].lo >= ext)
			rg = &g->ld[k];
		else if (top_of(g, &g->ld[0]) - g->ld[0].lo >= ext)
			rg = &g->ld[0];
	}
	if (!rg) { /* one beat always fits the program area */
		x = 1, y = 1, stride = 0, buf = 1, wfmt = 0;
		span = row_span(g->c, 1, 1, 0);
		ext = span;
		rg = &g->ld[0];
	}
	if (rg == &g->ld[g->nld - 1] && g->loads_top && chance(g, 20)) /* last beat under the limit */
		addr = top_of(g, rg) - ext;
	else if (rg == &g->ld[0] && chance(g, 10)) /* from DMA_BASE, over the program */
		addr = rg->lo;
	else
		addr = rg->lo + g->bus * rnd(g, (top_of(g, rg) - ext - rg->lo) / g->bus + 1);
	tern_set_load_buf(in, buf);
	tern_set_load_wfmt(in, wfmt);
	tern_set_load_sram_base(in, pick_base(g, buf, x * y));
	tern_set_load_x_size(in, x);
	tern_set_load_y_size(in, y);
	tern_set_load_dram_addr(in, addr);
	tern_set_load_dram_stride(in, stride);
}

static int written(const struct gen *g, int b, uint32_t e)
{
	return e < depth_of(g->c, b) && g->an.lw[b][e] >= 0;
}

/* Fields of a GEMM that reads only loaded entries; -1 when none was found. */
static int gemm_fields(struct gen *g, struct tern_insn *in)
{
	int tries, all;
	uint32_t k, n, s, wb, ab, acc, t, c, e;

	if (!g->nrec[0] || !g->nrec[1])
		return -1;
	for (tries = 0; tries < 8; tries++) {
		const struct range *rw = &g->rec[0][rnd(g, g->nrec[0])];
		const struct range *ra = &g->rec[1][rnd(g, g->nrec[1])];
		uint32_t r = rnd(g, 4);

		k = 1 + rnd(g, chance(g, 20) ? 10 : 3);
		n = 1 + rnd(g, chance(g, 20) ? 6 : 3);
		s = r == 0 ? 0 : r == 1 ? 1 : r == 2 ? k : rnd(g, k + 3);
		wb = rw->lo + rnd(g, rw->hi - rw->lo);
		while (k > 0 && !written(g, 0, wb + k - 1))
			k--;
		for (c = 0; c < k; c++) /* entries between may have been overwritten: still loaded */
			if (!written(g, 0, wb + c))
				k = c;
		if (!k)
			continue;
		ab = ra->lo + rnd(g, ra->hi - ra->lo);
		for (all = 0; !all;) {
			all = 1;
			for (t = 0; t < n && all; t++)
				for (c = 0; c < k && all; c++)
					all = written(g, 1, ab + t * s + c);
			if (!all && n > 1 && s) {
				s = 0;
			} else if (!all && n > 1) {
				n = 1;
			} else if (!all && k > 1) {
				k--;
			} else {
				break;
			}
		}
		if (!all)
			continue;
		r = rnd(g, 100);
		if (r < 50 && g->nrec[2]) {
			const struct range *rc = &g->rec[2][rnd(g, g->nrec[2])];
			acc = rc->lo;
			if (acc + n > g->c->acc_depth)
				acc = g->c->acc_depth - n;
		} else {
			acc = pick_base(g, 2, n);
		}
		for (all = 1, e = acc; e < acc + n; e++)
			all &= written(g, 2, e);
		tern_set_gemm_reset(in, all ? rnd(g, 2) : 1);
		tern_set_gemm_wbuf_base(in, wb);
		tern_set_gemm_abuf_base(in, ab);
		tern_set_gemm_acc_base(in, acc);
		tern_set_gemm_k_chunks(in, k);
		tern_set_gemm_n_tokens(in, n);
		tern_set_gemm_abuf_stride(in, s);
		return 0;
	}
	return -1;
}

/* Fields of a STORE of written ACC entries into the store region; -1 when none. */
static int store_fields(struct gen *g, struct tern_insn *in)
{
	const struct range *rc;
	uint32_t acc, y, span = g->c->rows * 4, stride, ext, top, r, e;

	if (!g->nrec[2])
		return -1;
	rc = &g->rec[2][rnd(g, g->nrec[2])];
	acc = rc->lo + rnd(g, rc->hi - rc->lo);
	y = 1 + rnd(g, 4);
	for (e = acc; e < acc + y; e++)
		if (!written(g, 2, e))
			y = e - acc;
	if (!y)
		return -1;
	r = rnd(g, 100);
	stride = r < 20 ? 0 : r < 60 ? span : r < 80 ? span + g->bus * rnd(g, 3)
					     : g->bus * rnd(g, span / g->bus + 1);
	top = g->p->st_hi / g->bus * g->bus;
	ext = (y - 1) * stride + span;
	if (ext > top - g->p->st_lo)
		y = 1, stride = 0, ext = span;
	tern_set_store_acc_base(in, acc);
	tern_set_store_y_size(in, y);
	tern_set_store_dram_addr(in, !g->loads_top && chance(g, 20) ? top - ext
				  : g->p->st_lo + g->bus * rnd(g, (top - ext - g->p->st_lo) / g->bus + 1));
	tern_set_store_dram_stride(in, stride);
	return 0;
}

static void set_pop(struct tern_insn *in, int tok)
{
	if (tok == TF_L2C || tok == TF_C2S)
		tern_set_pop_prev(in, 1);
	else
		tern_set_pop_next(in, 1);
}

static void set_push(struct tern_insn *in, int tok)
{
	if (tok == TF_L2C || tok == TF_C2S)
		tern_set_push_next(in, 1);
	else
		tern_set_push_prev(in, 1);
}

static void clear_push(struct tern_insn *in, int tok)
{
	if (tok == TF_L2C || tok == TF_C2S)
		tern_set_push_next(in, 0);
	else
		tern_set_push_prev(in, 0);
}

static void remember(struct gen *g, int b, uint32_t lo, uint32_t hi)
{
	uint32_t i = g->nrec[b] < NREC ? g->nrec[b]++ : rnd(g, NREC);

	g->rec[b][i].lo = lo;
	g->rec[b][i].hi = hi;
}

/*
 * Give the candidate the tokens it needs and append it; -1 (nothing appended) when it
 * reads an entry never written or touches DRAM it must not.
 */
static int commit(struct gen *g, struct tern_insn *cand)
{
	struct tf_an *a = &g->an;
	int u = tf_unit(cand), tok;
	uint32_t need[3];
	char why[200];
	struct tern_insn in = *cand;

	if (tf_an_need(a, &in, need, why, sizeof(why)))
		return -1;
	for (tok = 0; tok < 4; tok++) {
		int p = tf_tok_prod(tok);
		int avail = a->npush[tok] > a->npop[tok];
		if (tf_tok_cons(tok) != u)
			continue;
		if (need[p] > a->front[u][p]) {
			if (avail && a->push[tok][a->npop[tok]] + 1 < need[p]) {
				/*
				 * The next token comes from too early an instruction. No pop
				 * relies on the unconsumed pushes yet: take them back.
				 */
				while (a->npush[tok] > a->npop[tok]) {
					uint32_t q = a->push[tok][--a->npush[tok]];
					clear_push(&g->p->in[g->prog_of[p][q]], tok);
				}
				avail = 0;
			}
			if (!avail) { /* the latest instruction of p gives the token */
				uint32_t q = a->nu[p] - 1;
				set_push(&g->p->in[g->prog_of[p][q]], tok);
				a->push[tok][a->npush[tok]++] = q;
			}
			set_pop(&in, tok);
		} else if (avail && !g->minimal && chance(g, 50)) {
			set_pop(&in, tok);
		}
	}
	for (tok = 0; tok < 4; tok++)
		if (tf_tok_prod(tok) == u && !g->minimal && chance(g, 20))
			set_push(&in, tok);
	if (tf_an_step(a, &in, g->p->n, why, sizeof(why))) {
		fprintf(stderr, "tern_fuzz: generator bug: %s\n", why);
		abort();
	}
	g->prog_of[u][a->nu[u] - 1] = g->p->n;
	g->p->in[g->p->n++] = in;
	if (u == TF_LOAD)
		remember(g, tern_get_load_buf(&in), tern_get_load_sram_base(&in),
			 tern_get_load_sram_base(&in) + tern_get_load_x_size(&in) * tern_get_load_y_size(&in));
	else if (u == TF_COMPUTE)
		remember(g, 2, tern_get_gemm_acc_base(&in),
			 tern_get_gemm_acc_base(&in) + tern_get_gemm_n_tokens(&in));
	return 0;
}

/* Append one random valid LOAD, GEMM or STORE; -1 when nothing fitted. */
static int valid_step(struct gen *g)
{
	struct tern_insn in;
	int tries;

	for (tries = 0; tries < 12; tries++) {
		uint32_t r = rnd(g, 100);
		memset(&in, 0, sizeof(in));
		if (r < 40 || (r < 75 && g->nrec[0] == 0)) {
			tern_set_opcode(&in, TERN_OP_LOAD);
			load_fields(g, &in);
		} else if (r < 75) {
			tern_set_opcode(&in, TERN_OP_GEMM);
			if (gemm_fields(g, &in))
				continue;
		} else {
			tern_set_opcode(&in, TERN_OP_STORE);
			if (store_fields(g, &in))
				continue;
		}
		if (!commit(g, &in))
			return 0;
	}
	return -1;
}

/* The DMA window and where loads and stores may go; DMA_LIMIT is sometimes not aligned. */
static void layout(struct gen *g)
{
	struct tf_prog *p = g->p;
	uint32_t lr = 1024 + 64 * rnd(g, 200), sr = (2 + rnd(g, 24)) * g->c->rows * 4;
	uint32_t odd = chance(g, 30) ? 1 + rnd(g, g->bus - 1) : 0;

	sr = (sr + 63) / 64 * 64;
	g->loads_top = rnd(g, 2);
	if (!g->loads_top) { /* [program + load data | store region ) */
		p->st_lo = TF_BASE + TF_INSN_BYTES + lr;
		p->st_hi = p->st_lo + sr + odd;
		g->ld[0] = (struct range){ TF_BASE, p->st_lo };
		g->nld = 1;
		g->limit = p->st_hi;
	} else { /* [program | store region | load data ) */
		p->st_lo = TF_BASE + TF_INSN_BYTES;
		p->st_hi = p->st_lo + sr;
		g->ld[0] = (struct range){ TF_BASE, TF_BASE + TF_INSN_BYTES };
		g->ld[1] = (struct range){ p->st_hi, p->st_hi + lr + odd };
		g->nld = 2;
		g->limit = g->ld[1].hi;
	}
	p->window = g->limit - TF_BASE;
}

/* ---------------------------------------------------------------- near-valid */

/* A LOAD that passes every check before DMA_ALIGN: x = 1, the given rows and stride. */
static void dma_load(struct gen *g, struct tern_insn *in, uint32_t y, uint32_t addr, uint32_t stride)
{
	int buf = rnd(g, 2);

	tern_set_opcode(in, TERN_OP_LOAD);
	tern_set_load_buf(in, buf);
	tern_set_load_wfmt(in, buf ? 0 : rnd(g, 2));
	tern_set_load_x_size(in, 1);
	tern_set_load_y_size(in, y);
	tern_set_load_dram_addr(in, addr);
	tern_set_load_dram_stride(in, stride);
}

static void dma_store(struct gen *g, struct tern_insn *in, uint32_t y, uint32_t addr, uint32_t stride)
{
	(void)g;
	tern_set_opcode(in, TERN_OP_STORE);
	tern_set_store_y_size(in, y);
	tern_set_store_dram_addr(in, addr);
	tern_set_store_dram_stride(in, stride);
}

/* Rows y and stride so that row 0 is inside and the last ends one beat past the limit. */
static void crossing(struct gen *g, uint32_t span, uint32_t y, uint32_t *addr, uint32_t *stride)
{
	uint32_t past = g->limit / g->bus * g->bus + g->bus; /* smallest illegal row end */
	uint32_t s = g->bus * (1 + rnd(g, 8));

	if (y > 1 && span + (y - 1) * s + TF_BASE <= past) {
		*stride = s;
		*addr = past - span - (y - 1) * s;
	} else {
		*stride = 0;
		*addr = past - span;
	}
}

/* Append a statically valid instruction of tok's consumer unit that pops tok. */
static struct tern_insn *stuck_insn(struct gen *g, int tok)
{
	struct tern_insn *in = add(g, TERN_OP_END);
	int u = tf_tok_cons(tok);

	if (u == TF_LOAD) {
		tern_set_opcode(in, TERN_OP_LOAD), load_fields(g, in);
	} else if (u == TF_COMPUTE) {
		tern_set_opcode(in, TERN_OP_GEMM), tern_set_gemm_k_chunks(in, 1);
		tern_set_gemm_n_tokens(in, 1), tern_set_gemm_reset(in, 1);
	} else {
		dma_store(g, in, 1, g->p->st_lo, 0);
	}
	set_pop(in, tok);
	return in;
}

static void bad_insn(struct gen *g)
{
	const struct tern_hw_config *c = g->c;
	struct tf_prog *p = g->p;
	struct tern_insn *in;
	uint32_t kind = rnd(g, 18), k, n, y, addr, stride, ld_span = row_span(c, 1, 1, 0);
	uint32_t st_span = c->rows * 4;
	int tok;

	in = add(g, TERN_OP_END);
	tern_set_opcode(in, 0);
	switch (kind) {
	case 0: /* LOAD one entry past the buffer's end */
		tern_set_opcode(in, TERN_OP_LOAD);
		load_fields(g, in);
		k = tern_get_load_x_size(in) * tern_get_load_y_size(in);
		tern_set_load_sram_base(in, depth_of(c, tern_get_load_buf(in)) - k + 1);
		p->want_err = tern_get_load_buf(in) ? TERN_ERR_ABUF_RANGE : TERN_ERR_WBUF_RANGE;
		snprintf(p->kind, sizeof(p->kind), "load_range_end");
		break;
	case 1: /* sram_base + x*y past 16 bits */
		tern_set_opcode(in, TERN_OP_LOAD);
		load_fields(g, in);
		if (rnd(g, 2)) {
			tern_set_load_sram_base(in, 0xffff);
		} else {
			tern_set_load_x_size(in, 0x100);
			tern_set_load_y_size(in, 0x100);
			tern_set_load_dram_stride(in, 0);
		}
		p->want_err = tern_get_load_buf(in) ? TERN_ERR_ABUF_RANGE : TERN_ERR_WBUF_RANGE;
		snprintf(p->kind, sizeof(p->kind), "load_range_16bit");
		break;
	case 2: case 3: case 4: { /* GEMM: WBUF, ABUF or ACC one past the end */
		uint32_t wb = 0, ab = 0, acc = 0, s = rnd(g, 3);
		k = 1 + rnd(g, 4), n = 1 + rnd(g, 4);
		tern_set_opcode(in, TERN_OP_GEMM);
		if (kind == 2) {
			wb = c->wbuf_depth - k + 1, p->want_err = TERN_ERR_WBUF_RANGE;
		} else if (kind == 3 && rnd(g, 2)) {
			ab = c->abuf_depth - (n - 1) * s - k + 1, p->want_err = TERN_ERR_ABUF_RANGE;
		} else if (kind == 3) { /* (n-1)*stride past 16 bits */
			n = 0x8001, s = 2, p->want_err = TERN_ERR_ABUF_RANGE;
		} else {
			acc = c->acc_depth - n + 1, p->want_err = TERN_ERR_ACC_RANGE;
		}
		tern_set_gemm_reset(in, 1);
		tern_set_gemm_wbuf_base(in, wb);
		tern_set_gemm_abuf_base(in, ab);
		tern_set_gemm_acc_base(in, acc);
		tern_set_gemm_k_chunks(in, k);
		tern_set_gemm_n_tokens(in, n);
		tern_set_gemm_abuf_stride(in, s);
		snprintf(p->kind, sizeof(p->kind), "gemm_%s_end", kind == 2 ? "wbuf" : kind == 3 ? "abuf" : "acc");
		break;
	}
	case 5: /* STORE one ACC entry past the end */
		y = 1 + rnd(g, 4);
		dma_store(g, in, y, p->st_lo, st_span);
		tern_set_store_acc_base(in, c->acc_depth - y + 1);
		p->want_err = TERN_ERR_ACC_RANGE;
		snprintf(p->kind, sizeof(p->kind), "store_acc_end");
		break;
	case 6: /* misaligned address or stride */
		k = rnd(g, 2) ? g->bus / 2 : 4;
		if (rnd(g, 2))
			dma_load(g, in, 2, g->ld[0].lo + (rnd(g, 2) ? k : 0), rnd(g, 2) ? k : g->bus);
		else
			dma_store(g, in, 2, p->st_lo + (rnd(g, 2) ? k : 0), rnd(g, 2) ? k : st_span);
		if (!((tern_get_load_dram_addr(in) | tern_get_load_dram_stride(in)) % g->bus))
			tern_set_load_dram_addr(in, tern_get_load_dram_addr(in) + k); /* same bits for STORE */
		p->want_err = TERN_ERR_DMA_ALIGN;
		snprintf(p->kind, sizeof(p->kind), "dma_align");
		break;
	case 7: case 8: /* the last row one beat past DMA_LIMIT (one row, or a later row of several) */
		y = kind == 7 ? 1 : 2 + rnd(g, 3);
		if (rnd(g, 2)) {
			crossing(g, ld_span, y, &addr, &stride);
			dma_load(g, in, y, addr, stride);
			tern_set_load_x_size(in, 1);
			tern_set_load_buf(in, 1), tern_set_load_wfmt(in, 0);
		} else {
			crossing(g, st_span, y, &addr, &stride);
			dma_store(g, in, y, addr, stride);
		}
		p->want_err = TERN_ERR_DMA_WINDOW;
		snprintf(p->kind, sizeof(p->kind), "dma_window_%s_%s",
			 tf_unit(in) == TF_LOAD ? "load" : "store", y > 1 ? "rows" : "end");
		break;
	case 9: /* below DMA_BASE, or a stride that wraps 32 bits */
		addr = rnd(g, 2) ? TF_BASE - g->bus : TF_BASE;
		stride = addr == TF_BASE ? 0u - g->bus * (1 + rnd(g, 4)) : 0;
		if (rnd(g, 2))
			dma_load(g, in, addr == TF_BASE ? 2 : 1, addr, stride), tern_set_load_buf(in, 1),
				tern_set_load_wfmt(in, 0);
		else
			dma_store(g, in, addr == TF_BASE ? 2 : 1, addr, stride);
		p->want_err = TERN_ERR_DMA_WINDOW;
		snprintf(p->kind, sizeof(p->kind), addr == TF_BASE ? "dma_window_wrap" : "dma_window_below");
		break;
	case 10: /* illegal opcode */
		k = rnd(g, 12);
		tern_set_opcode(in, k ? 4 + k : 0);
		in->w[1] = tf_rand(&g->r);
		p->want_err = TERN_ERR_OPCODE;
		snprintf(p->kind, sizeof(p->kind), "opcode");
		break;
	case 11: /* a dependency flag the opcode may not use */
		k = rnd(g, 3);
		if (k == 0)
			load_fields(g, in), tern_set_opcode(in, TERN_OP_LOAD),
				rnd(g, 2) ? tern_set_pop_prev(in, 1) : tern_set_push_prev(in, 1);
		else if (k == 1)
			dma_store(g, in, 1, p->st_lo, 0), rnd(g, 2) ? tern_set_pop_next(in, 1)
								    : tern_set_push_next(in, 1);
		else
			tern_set_opcode(in, TERN_OP_END), in->w[0] |= 0x10u << rnd(g, 4);
		if (k == 0)
			tern_set_opcode(in, TERN_OP_LOAD);
		p->want_err = TERN_ERR_DEP_FLAGS;
		snprintf(p->kind, sizeof(p->kind), "dep_flags");
		break;
	case 12: case 13: /* a zero size, a reserved bit, or wfmt on an ABUF load */
		k = rnd(g, 4);
		if (k == 0) {
			tern_set_opcode(in, TERN_OP_LOAD);
			load_fields(g, in);
			rnd(g, 2) ? tern_set_load_x_size(in, 0) : tern_set_load_y_size(in, 0);
		} else if (k == 1) {
			tern_set_opcode(in, TERN_OP_GEMM);
			tern_set_gemm_k_chunks(in, rnd(g, 2));
			tern_set_gemm_n_tokens(in, !tern_get_gemm_k_chunks(in));
		} else if (k == 2) {
			dma_load(g, in, 1, g->ld[0].lo, 0);
			tern_set_load_buf(in, 1);
			tern_set_load_wfmt(in, 1);
		} else {
			static const unsigned ops[] = { TERN_OP_LOAD, TERN_OP_GEMM, TERN_OP_STORE, TERN_OP_END };
			static const uint64_t def[4][2] = {
				{ TERN_LOAD_DEFINED_W0, TERN_LOAD_DEFINED_W1 },
				{ TERN_GEMM_DEFINED_W0, TERN_GEMM_DEFINED_W1 },
				{ TERN_STORE_DEFINED_W0, TERN_STORE_DEFINED_W1 },
				{ TERN_END_DEFINED_W0, TERN_END_DEFINED_W1 } };
			uint32_t o = rnd(g, 4), bit;
			do
				bit = rnd(g, 128);
			while (def[o][bit / 64] >> (bit % 64) & 1);
			if (o == 0)
				dma_load(g, in, 1, g->ld[0].lo, 0);
			else if (o == 1)
				tern_set_opcode(in, TERN_OP_GEMM), tern_set_gemm_k_chunks(in, 1),
					tern_set_gemm_n_tokens(in, 1);
			else if (o == 2)
				dma_store(g, in, 1, p->st_lo, 0);
			tern_set_opcode(in, ops[o]);
			in->w[bit / 64] |= 1ull << (bit % 64);
		}
		p->want_err = TERN_ERR_FIELD;
		snprintf(p->kind, sizeof(p->kind), "field");
		break;
	case 14: /* no END within INSN_COUNT */
		p->n--;
		while (p->n < 2 && !valid_step(g))
			;
		p->count = p->n;
		if (rnd(g, 2)) {
			add(g, TERN_OP_END);
			p->count = p->n - 1; /* the END lies just past INSN_COUNT */
		}
		p->want_err = TERN_ERR_NO_END;
		snprintf(p->kind, sizeof(p->kind), "no_end");
		return;
	default: { /* a pop no push will ever satisfy: DEADLOCK */
		struct tern_insn first;
		int tok2;

		p->n--;
		for (tok = 0; tok < 4 && g->an.npush[tok] > g->an.npop[tok]; tok++)
			;
		if (tok == 4)
			tok = TF_C2L, p->n = 0; /* every counter has a token left: start over, empty */
		first = *stuck_insn(g, tok);
		/*
		 * Sometimes a second unit waits too, on another empty counter: DEADLOCK must name
		 * the smaller index whichever unit holds it.
		 */
		for (tok2 = 0; tok2 < 4; tok2++)
			if (tf_tok_cons(tok2) != tf_tok_cons(tok) && g->an.npush[tok2] == g->an.npop[tok2])
				break;
		if (tok2 < 4 && rnd(g, 2))
			stuck_insn(g, tok2);
		if (rnd(g, 2)) /* more of the first unit behind it: its queue fills, fetch blocks */
			for (k = c->queue_depth + 1 + rnd(g, 3); k > 0; k--)
				p->in[p->n++] = first;
		p->want_err = TERN_ERR_DEADLOCK;
		snprintf(p->kind, sizeof(p->kind), "deadlock_%s", tok == TF_L2C ? "l2c" : tok == TF_C2L ? "c2l" : tok == TF_C2S ? "c2s" : "s2c");
		add(g, TERN_OP_END);
		p->count = p->n;
		return;
	}
	}
	/* a tail fetch never reaches: earlier instructions again, then END */
	for (n = rnd(g, 3); n > 0 && p->n > 1; n--) {
		k = rnd(g, p->n - 1);
		p->in[p->n] = p->in[k];
		p->n++;
	}
	add(g, TERN_OP_END);
	p->count = p->n;
}

int tf_resync(const struct tern_hw_config *c, struct tf_prog *p)
{
	struct tern_insn old[TF_MAX_INSNS];
	uint32_t n = p->n, stop = tf_stop_index(c, p), i;
	struct gen g;
	int rc = 0;

	memset(&g, 0, sizeof(g));
	g.c = c;
	g.p = p;
	g.bus = c->bus_bytes;
	g.minimal = 1;
	if (tf_an_init(&g.an, c, p))
		return -1;
	memcpy(old, p->in, sizeof(old));
	p->n = 0;
	for (i = 0; i < stop && !rc; i++) {
		struct tern_insn in = old[i];
		in.w[0] &= ~0xf0ull; /* the four dependency flags */
		rc = commit(&g, &in);
	}
	p->n = n;
	if (!rc)
		memcpy(&p->in[stop], &old[stop], (n - stop) * sizeof(old[0]));
	tf_an_free(&g.an);
	return rc;
}

void tf_generate(const struct tern_hw_config *c, uint64_t seed, struct tf_prog *p)
{
	struct gen g;
	uint32_t len, t;

	memset(&g, 0, sizeof(g));
	memset(p, 0, sizeof(*p));
	g.c = c;
	g.p = p;
	g.r = seed;
	g.bus = c->bus_bytes;
	tf_rand(&g.r);
	layout(&g);
	t = rnd(&g, sizeof(timings) / sizeof(timings[0]));
	p->latency = timings[t].lat;
	p->bw = timings[t].bw;
	p->data_seed = tf_rand(&g.r);
	if (tf_an_init(&g.an, c, p)) {
		fprintf(stderr, "tern_fuzz: out of memory\n");
		abort();
	}
	if (chance(&g, 45)) { /* near-valid: a short valid prefix, then one bad instruction */
		len = rnd(&g, 14);
		while (p->n < len && !valid_step(&g))
			;
		bad_insn(&g);
	} else {
		len = 2 + rnd(&g, chance(&g, 25) ? 60 : 24);
		while (p->n < len && !valid_step(&g))
			;
		add(&g, TERN_OP_END);
		p->count = p->n;
		p->want_err = TERN_ERR_OK;
		snprintf(p->kind, sizeof(p->kind), "valid");
	}
	tf_an_free(&g.an);
}
