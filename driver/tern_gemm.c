/*
 * Layer runner: compile, place, run and check one BitLinear layer (see tern_gemm.h).
 * Device memory is taken with a mark/release pair so repeated layers reuse it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gemm.h"
#include "tern_ref.h"

static int fail(char *err, size_t errlen, const char *what, const char *why)
{
	snprintf(err, errlen, "%s: %s", what, why);
	return -1;
}

/* First (n, m) where y differs from the golden product; 1 if all equal. */
static int golden_compare(const struct tern_layer *l, const int8_t *w, const int8_t *x,
			  const int32_t *y, struct tern_gemm_result *r)
{
	uint64_t i, total = (uint64_t)l->n * l->m;
	int32_t *g = malloc(total * sizeof(*g));

	if (!g)
		return -1;
	tern_golden_matmul(w, x, g, l->m, l->k, l->n);
	r->golden_ok = 1;
	for (i = 0; i < total; i++) {
		if (g[i] != y[i]) {
			r->golden_ok = 0;
			r->bad_n = (uint32_t)(i / l->m);
			r->bad_m = (uint32_t)(i % l->m);
			r->expected = g[i];
			r->actual = y[i];
			break;
		}
	}
	r->golden_checked = 1;
	free(g);
	return 0;
}

struct placed {
	struct tern_addrs a;
	uint32_t insn_addr;
	uint8_t *wbuf, *xbuf, *ybuf;
	struct tern_program prog;
};

static int place_and_run(struct tern_dev *d, const struct tern_layer *l, const int8_t *w,
			 const int8_t *x, struct placed *p, struct tern_gemm_result *r,
			 char *err, size_t errlen)
{
	const struct tern_hw_config *cfg = tern_dev_config(d);
	const struct tern_layout *lo = &r->lo;
	char why[200];

	if (tern_compile(cfg, l, lo, &p->a, &p->prog, why, sizeof(why)))
		return fail(err, errlen, "compile", why);
	r->insns = p->prog.count;
	if (tern_dev_alloc(d, (uint64_t)p->prog.count * TERN_INSN_BYTES, &p->insn_addr))
		return fail(err, errlen, "device memory", tern_dev_errmsg(d));
	p->wbuf = calloc(1, lo->w_bytes ? lo->w_bytes : 1);
	p->xbuf = calloc(1, lo->x_bytes ? lo->x_bytes : 1);
	p->ybuf = calloc(1, lo->y_bytes ? lo->y_bytes : 1);
	if (!p->wbuf || !p->xbuf || !p->ybuf)
		return fail(err, errlen, "host memory", "out of memory");
	tern_pack_weights(cfg, l, lo, w, p->wbuf);
	tern_pack_acts(cfg, l, lo, x, p->xbuf);
	if (tern_dev_write(d, p->a.w, p->wbuf, lo->w_bytes) ||
	    tern_dev_write(d, p->a.x, p->xbuf, lo->x_bytes) ||
	    tern_dev_write(d, p->insn_addr, p->prog.insns,
			   (uint64_t)p->prog.count * TERN_INSN_BYTES))
		return fail(err, errlen, "device write", tern_dev_errmsg(d));
	/* Poison the output region so a missing STORE cannot pass as zeros. */
	memset(p->ybuf, 0xa5, lo->y_bytes);
	if (tern_dev_write(d, p->a.y, p->ybuf, lo->y_bytes))
		return fail(err, errlen, "device write", tern_dev_errmsg(d));
	if (tern_dev_run(d, p->insn_addr, p->prog.count, &r->st))
		return fail(err, errlen, "device run", tern_dev_errmsg(d));
	if (tern_dev_read(d, p->a.y, p->ybuf, lo->y_bytes))
		return fail(err, errlen, "device read", tern_dev_errmsg(d));
	return 0;
}

int tern_gemm_run(struct tern_dev *d, const struct tern_layer *l, const int8_t *w,
		  const int8_t *x, int32_t *y, int golden, struct tern_gemm_result *r,
		  char *err, size_t errlen)
{
	const struct tern_hw_config *cfg = tern_dev_config(d);
	uint64_t mark = tern_dev_mark(d);
	struct placed p;
	char why[200];
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	if (tern_layout_plan(cfg, l, &r->lo, why, sizeof(why)))
		return fail(err, errlen, "layer does not fit", why);
	if (tern_dev_alloc(d, r->lo.w_bytes, &p.a.w) || tern_dev_alloc(d, r->lo.x_bytes, &p.a.x) ||
	    tern_dev_alloc(d, r->lo.y_bytes, &p.a.y)) {
		fail(err, errlen, "device memory", tern_dev_errmsg(d));
		goto out;
	}
	if (place_and_run(d, l, w, x, &p, r, err, errlen))
		goto out;
	tern_unpack_outputs(cfg, l, &r->lo, p.ybuf, y);
	if (r->st.mismatch)
		snprintf(r->detail, sizeof(r->detail), "%s", tern_dev_errmsg(d));
	if (r->st.mismatch && r->st.mm.insn < p.prog.count)
		r->mm_tile = p.prog.tiles[r->st.mm.insn];
	else if (r->st.err && r->st.err_insn < p.prog.count)
		r->mm_tile = p.prog.tiles[r->st.err_insn];
	if (golden && golden_compare(l, w, x, y, r)) {
		fail(err, errlen, "host memory", "out of memory");
		goto out;
	}
	rc = 0;
out:
	tern_program_free(&p.prog);
	free(p.wbuf);
	free(p.xbuf);
	free(p.ybuf);
	tern_dev_release(d, mark);
	return rc;
}

int tern_gemm_ok(const struct tern_gemm_result *r)
{
	return !r->st.err && !r->st.mismatch && (!r->golden_checked || r->golden_ok);
}

/* ---- resident layers (tern_gemm.h) */

/* Programs kept per layer: the prefill's N (a chunked prefill has two, the prompt
 * over C rounded down and up) and decode N = 1; none is ever recompiled. */
#define PROGS 3

struct slot {
	int packed;
	uint32_t w_addr;
	struct tern_layout wlo;          /* the plan the weights were packed for */
	uint32_t n[PROGS], insn_addr[PROGS], next;
	struct tern_program prog[PROGS];
};

struct tern_gemm_cache {
	struct tern_dev *d;
	uint32_t n_ids;
	struct slot *slot;
	uint32_t x_addr, y_addr;
	uint64_t x_cap, y_cap;
	uint8_t *xbuf, *ybuf;            /* host staging of the two regions */
	int32_t *gold;                   /* last layer check's golden result */
	int8_t *gold_x;                  /* ... and its input */
	uint64_t gold_cap, gold_xcap;
	uint32_t gold_id, gold_m, gold_k, gold_n;
	int gold_valid;
};

uint64_t tern_gemm_weight_bytes(const struct tern_hw_config *cfg, const struct tern_layer *l)
{
	struct tern_layout lo;

	return tern_layout_plan(cfg, l, &lo, NULL, 0) ? 0 : lo.w_bytes;
}

int tern_gemm_cache_new(struct tern_dev *d, uint32_t n_ids, uint64_t x_cap, uint64_t y_cap,
			struct tern_gemm_cache **out, char *err, size_t errlen)
{
	struct tern_gemm_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return fail(err, errlen, "host memory", "out of memory");
	c->d = d;
	c->n_ids = n_ids;
	c->x_cap = x_cap ? x_cap : 1;
	c->y_cap = y_cap ? y_cap : 1;
	c->slot = calloc(n_ids ? n_ids : 1, sizeof(*c->slot));
	c->xbuf = calloc(1, c->x_cap);
	c->ybuf = calloc(1, c->y_cap);
	if (!c->slot || !c->xbuf || !c->ybuf) {
		tern_gemm_cache_free(c);
		return fail(err, errlen, "host memory", "out of memory");
	}
	/* Outputs first, then activations, then weights: see tern_gemm.h. */
	if (tern_dev_alloc(d, c->y_cap, &c->y_addr) || tern_dev_alloc(d, c->x_cap, &c->x_addr)) {
		fail(err, errlen, "device memory", tern_dev_errmsg(d));
		tern_gemm_cache_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void tern_gemm_cache_free(struct tern_gemm_cache *c)
{
	uint32_t i, j;

	if (!c)
		return;
	for (i = 0; c->slot && i < c->n_ids; i++)
		for (j = 0; j < PROGS; j++)
			tern_program_free(&c->slot[i].prog[j]);
	free(c->slot);
	free(c->xbuf);
	free(c->ybuf);
	free(c->gold);
	free(c->gold_x);
	free(c);
}

/* The weight part of a plan: what the packed bytes depend on. */
static int same_weights(const struct tern_layout *a, const struct tern_layout *b)
{
	return a->mt == b->mt && a->kt == b->kt && a->kcb == b->kcb && a->kb == b->kb &&
	       a->w_bytes == b->w_bytes && a->w_blk_stride == b->w_blk_stride &&
	       a->w_seg == b->w_seg && a->w_nseg == b->w_nseg && a->w_unit == b->w_unit &&
	       a->mg == b->mg;
}

static int pack_once(struct tern_gemm_cache *c, struct slot *s, const struct tern_layer *l,
		     const int8_t *w, char *err, size_t errlen)
{
	const struct tern_hw_config *cfg = tern_dev_config(c->d);
	uint8_t *buf;
	int rc;

	if (!w)
		return fail(err, errlen, "resident layer", "weights were never handed over");
	if (tern_dev_alloc(c->d, s->wlo.w_bytes, &s->w_addr))
		return fail(err, errlen, "device memory", tern_dev_errmsg(c->d));
	buf = calloc(1, s->wlo.w_bytes ? s->wlo.w_bytes : 1);
	if (!buf)
		return fail(err, errlen, "host memory", "out of memory");
	tern_pack_weights(cfg, l, &s->wlo, w, buf);
	rc = tern_dev_write(c->d, s->w_addr, buf, s->wlo.w_bytes);
	free(buf);
	if (rc)
		return fail(err, errlen, "device write", tern_dev_errmsg(c->d));
	s->packed = 1;
	return 0;
}

/* The program for N = l->n, compiled and written on first use. */
static int program_for(struct tern_gemm_cache *c, struct slot *s, const struct tern_layer *l,
		       const struct tern_layout *lo, uint32_t *pi, char *err, size_t errlen)
{
	const struct tern_hw_config *cfg = tern_dev_config(c->d);
	struct tern_addrs a = { s->w_addr, c->x_addr, c->y_addr };
	uint32_t i;
	char why[200];

	for (i = 0; i < PROGS; i++)
		if (s->prog[i].count && s->n[i] == l->n) {
			*pi = i;
			return 0;
		}
	i = s->next;
	s->next = (s->next + 1) % PROGS;
	tern_program_free(&s->prog[i]);
	if (tern_compile(cfg, l, lo, &a, &s->prog[i], why, sizeof(why)))
		return fail(err, errlen, "compile", why);
	if (tern_dev_alloc(c->d, (uint64_t)s->prog[i].count * TERN_INSN_BYTES, &s->insn_addr[i]) ||
	    tern_dev_write(c->d, s->insn_addr[i], s->prog[i].insns,
			   (uint64_t)s->prog[i].count * TERN_INSN_BYTES)) {
		tern_program_free(&s->prog[i]);
		return fail(err, errlen, "device memory", tern_dev_errmsg(c->d));
	}
	s->n[i] = l->n;
	*pi = i;
	return 0;
}

static int grow_gold(struct tern_gemm_cache *c, uint64_t outs, uint64_t ins)
{
	if (outs > c->gold_cap) {
		free(c->gold);
		c->gold = malloc(outs * sizeof(*c->gold));
		c->gold_cap = c->gold ? outs : 0;
	}
	if (ins > c->gold_xcap) {
		free(c->gold_x);
		c->gold_x = malloc(ins);
		c->gold_xcap = c->gold_x ? ins : 0;
	}
	return c->gold && c->gold_x ? 0 : -1;
}

void tern_gemm_golden(struct tern_gemm_cache *c, uint32_t id, const struct tern_layer *l,
		      const uint64_t *planes, const int8_t *x, int32_t *y)
{
	uint64_t outs = (uint64_t)l->n * l->m, ins = (uint64_t)l->n * l->k;

	if (c->gold_valid && c->gold_id == id && c->gold_m == l->m && c->gold_k == l->k &&
	    c->gold_n == l->n && !memcmp(c->gold_x, x, ins)) {
		memcpy(y, c->gold, outs * sizeof(*y));
		return;
	}
	tern_golden_matmul_planes(planes, x, y, l->m, l->k, l->n);
}

/* Layer check against the planes; remembers the result for tern_gemm_golden. */
static int check_planes(struct tern_gemm_cache *c, uint32_t id, const struct tern_layer *l,
			const uint64_t *planes, const int8_t *x, const int32_t *y,
			struct tern_gemm_result *r)
{
	uint64_t i, total = (uint64_t)l->n * l->m;

	c->gold_valid = 0;
	if (grow_gold(c, total, (uint64_t)l->n * l->k))
		return -1;
	tern_golden_matmul_planes(planes, x, c->gold, l->m, l->k, l->n);
	memcpy(c->gold_x, x, (uint64_t)l->n * l->k);
	c->gold_id = id;
	c->gold_m = l->m;
	c->gold_k = l->k;
	c->gold_n = l->n;
	c->gold_valid = 1;
	r->golden_ok = 1;
	r->golden_checked = 1;
	for (i = 0; i < total; i++)
		if (c->gold[i] != y[i]) {
			r->golden_ok = 0;
			r->bad_n = (uint32_t)(i / l->m);
			r->bad_m = (uint32_t)(i % l->m);
			r->expected = c->gold[i];
			r->actual = y[i];
			break;
		}
	return 0;
}

int tern_gemm_run_resident(struct tern_gemm_cache *c, uint32_t id, const struct tern_layer *l,
			   const int8_t *w, const uint64_t *planes, const int8_t *x, int32_t *y,
			   struct tern_gemm_result *r, char *err, size_t errlen)
{
	const struct tern_hw_config *cfg = tern_dev_config(c->d);
	struct tern_layout *lo = &r->lo;
	struct slot *s;
	uint32_t pi;
	char why[200];

	memset(r, 0, sizeof(*r));
	if (id >= c->n_ids)
		return fail(err, errlen, "resident layer", "layer id out of range");
	s = &c->slot[id];
	if (tern_layout_plan(cfg, l, lo, why, sizeof(why)))
		return fail(err, errlen, "layer does not fit", why);
	if (lo->x_bytes > c->x_cap || lo->y_bytes > c->y_cap)
		return fail(err, errlen, "resident layer", "activations larger than reserved");
	if (!s->packed) {
		s->wlo = *lo;
		if (pack_once(c, s, l, w, err, errlen))
			return -1;
	} else if (!same_weights(&s->wlo, lo)) {
		return fail(err, errlen, "resident layer", "weight layout depends on N");
	}
	if (program_for(c, s, l, lo, &pi, err, errlen))
		return -1;
	r->insns = s->prog[pi].count;
	tern_pack_acts(cfg, l, lo, x, c->xbuf);
	/* Poison the output region so a missing STORE cannot pass as zeros. */
	memset(c->ybuf, 0xa5, lo->y_bytes);
	if (tern_dev_write(c->d, c->x_addr, c->xbuf, lo->x_bytes) ||
	    tern_dev_write(c->d, c->y_addr, c->ybuf, lo->y_bytes))
		return fail(err, errlen, "device write", tern_dev_errmsg(c->d));
	if (tern_dev_run(c->d, s->insn_addr[pi], s->prog[pi].count, &r->st))
		return fail(err, errlen, "device run", tern_dev_errmsg(c->d));
	if (tern_dev_read(c->d, c->y_addr, c->ybuf, lo->y_bytes))
		return fail(err, errlen, "device read", tern_dev_errmsg(c->d));
	tern_unpack_outputs(cfg, l, lo, c->ybuf, y);
	if (r->st.mismatch)
		snprintf(r->detail, sizeof(r->detail), "%s", tern_dev_errmsg(c->d));
	if (r->st.mismatch && r->st.mm.insn < s->prog[pi].count)
		r->mm_tile = s->prog[pi].tiles[r->st.mm.insn];
	else if (r->st.err && r->st.err_insn < s->prog[pi].count)
		r->mm_tile = s->prog[pi].tiles[r->st.err_insn];
	if (planes && check_planes(c, id, l, planes, x, y, r))
		return fail(err, errlen, "host memory", "out of memory");
	return 0;
}
