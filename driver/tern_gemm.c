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
