/*
 * tern compiler, stage 1: tiling choice and DRAM layout of one BitLinear layer.
 *
 * Everything later stages need is decided here, from the hardware config and the
 * layer shape: M-tiles of ROWS outputs, K-chunks of LANES inputs, N-blocks of nb
 * tokens (one ACC half each, and half of ABUF when there is more than one block).
 * When a token's activations stay resident in ABUF (stream mode) the weights are one
 * stream of MT*KT entries cut into balanced segments, one LOAD into a WBUF half each:
 * whole tiles when all of K fits the half, else a WBUF half's worth, a tile split
 * where a segment ends inside it. Otherwise (streamed activations) K-chunks are
 * grouped into K-blocks of kcb chunks, one WBUF and ABUF half each. The weight layout
 * is a function of (M, K, wfmt, config) only, never of N, so a model packs its
 * weights once for prefill and decode alike. tern_layout_traffic() predicts the DRAM
 * traffic of the program tern_compile() emits for the layout; the reasoning behind
 * every choice is in docs/compiler.md.
 */
#include <stdio.h>
#include <string.h>

#include "tern_compile.h"

/* Buffer indices live in 16-bit instruction fields: deeper buffers are used up to this. */
#define IDX_LIMIT 65536u

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint64_t round_up(uint64_t a, uint64_t b)
{
	return ceil_div(a, b) * b;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t gcd_u32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint32_t tern_wentry_bytes(const struct tern_hw_config *cfg, uint32_t wfmt)
{
	return tern_entry_stride(tern_entry_used(cfg->rows, cfg->lanes, 0,
						 wfmt == TERN_WFMT_BASE3),
				 cfg->bus_bytes);
}

uint32_t tern_aentry_bytes(const struct tern_hw_config *cfg)
{
	return tern_entry_stride(tern_entry_used(cfg->rows, cfg->lanes, 1, 0), cfg->bus_bytes);
}

static int refuse(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The config and shape limits that no tiling can get around. */
static const char *check_inputs(const struct tern_hw_config *c, const struct tern_layer *l)
{
	const char *why = tern_hw_config_why(c); /* the definition's one rule */

	if (why)
		return why;
	if (!l->m || !l->k || !l->n)
		return "layer: M, K and N must be >= 1";
	if (l->wfmt > TERN_WFMT_BASE3)
		return "layer: unknown weight format";
	return NULL;
}

/*
 * K-chunks per K-block when activations are streamed (K too large to stay resident):
 * they are loaded per K-block, at a DRAM offset kcb*LANES that must stay BUS-aligned,
 * and a block must fit half of WBUF and half of ABUF.
 */
static uint32_t pick_kcb(const struct tern_hw_config *c)
{
	uint32_t whalf = min_u32(c->wbuf_depth, IDX_LIMIT) / 2;
	uint32_t ahalf = min_u32(c->abuf_depth, IDX_LIMIT) / 2;
	uint32_t q = c->bus_bytes / gcd_u32(tern_aentry_bytes(c), c->bus_bytes);
	uint32_t kcb = min_u32(whalf, ahalf);

	return kcb - kcb % q;
}

/*
 * Weight segments in stream mode. A segment fills at most half of WBUF, so that each
 * LOAD pays the DRAM latency for as many entries as double buffering allows. Its unit
 * is a whole tile when all of K fits the half (no GEMM is split, which compute-bound
 * prefill prefers), else one entry (a tile is split between segments, its GEMM with
 * it: a tile no longer needs a short LOAD for its last K-block). Segments differ by
 * at most one unit: a short LOAD would end before the compute of the long one before
 * it and leave the load unit waiting for its WBUF half (load and compute run at the
 * same rate in decode on small arrays and in DRAM-bound prefill). At least four
 * segments per pass when the layer is small, so that loads overlap compute.
 */
static void pick_segments(const struct tern_hw_config *c, struct tern_layout *lo)
{
	uint32_t whalf = min_u32(c->wbuf_depth, IDX_LIMIT) / 2;
	uint64_t units, nseg;

	lo->w_unit = 1;
	if (lo->kt <= whalf)
		lo->w_unit = lo->kt;
	units = (uint64_t)lo->mt * lo->kt / lo->w_unit;
	nseg = ceil_div(units, whalf / lo->w_unit);
	if (nseg < 4)
		nseg = units < 4 ? units : 4;
	lo->w_nseg = (uint32_t)nseg;
	lo->w_seg = (uint32_t)(ceil_div(units, nseg) * lo->w_unit);
}

uint64_t tern_wseg_start(const struct tern_layout *lo, uint64_t s)
{
	uint64_t units = (uint64_t)lo->mt * lo->kt / lo->w_unit;

	return (s * units + lo->w_nseg - 1) / lo->w_nseg * lo->w_unit;
}

/* Bytes of weight segment s in DRAM (whole beats): what its LOAD reads. */
static uint64_t seg_bytes(const struct tern_hw_config *c, const struct tern_layout *lo,
			  uint64_t e, uint64_t s)
{
	return round_up((tern_wseg_start(lo, s + 1) - tern_wseg_start(lo, s)) * e, c->bus_bytes);
}

/*
 * Tokens per N-block: as many as ABUF and one ACC half hold (each token more saves
 * a weight reload), balanced so that the last block is not a runt. A single block
 * may use the whole ABUF; several alternate between its halves.
 */
static void pick_nb(const struct tern_hw_config *c, const struct tern_layer *l,
		    struct tern_layout *lo)
{
	uint32_t ad = min_u32(c->abuf_depth, IDX_LIMIT);
	uint32_t chalf = min_u32(c->acc_depth, IDX_LIMIT) / 2;
	uint32_t per_tok = lo->a_resident ? lo->kt : lo->kcb;
	uint32_t cap = min_u32(ad / per_tok, chalf);
	uint32_t nblk;

	if (lo->a_resident && l->n <= cap) {
		lo->nb = l->n;
		lo->nblk = 1;
		return;
	}
	cap = min_u32(ad / 2 / per_tok, chalf);
	nblk = (uint32_t)ceil_div(l->n, cap);
	lo->nb = (uint32_t)ceil_div(l->n, nblk);
	lo->nblk = (uint32_t)ceil_div(l->n, lo->nb);
}

int tern_layout_plan(const struct tern_hw_config *cfg, const struct tern_layer *l,
		     struct tern_layout *lo, char *err, size_t errlen)
{
	const char *why = check_inputs(cfg, l);
	uint32_t ahalf = min_u32(cfg->abuf_depth, IDX_LIMIT) / 2;
	uint64_t w, x, y, blk, e;

	memset(lo, 0, sizeof(*lo));
	if (why)
		return refuse(err, errlen, why);
	e = tern_wentry_bytes(cfg, l->wfmt);
	lo->mt = (uint32_t)ceil_div(l->m, cfg->rows);
	lo->kt = (uint32_t)ceil_div(l->k, cfg->lanes);
	lo->a_resident = lo->kt <= ahalf;
	if (lo->a_resident) {
		lo->kcb = lo->kt;
		lo->kb = 1;
		lo->mg = 1;
		pick_segments(cfg, lo);
		blk = round_up((uint64_t)lo->w_seg * e, cfg->bus_bytes);
		w = (lo->w_nseg - 1ull) * blk + seg_bytes(cfg, lo, e, lo->w_nseg - 1);
	} else {
		lo->kcb = pick_kcb(cfg);
		if (!lo->kcb)
			return refuse(err, errlen,
				      "K too large: half of WBUF/ABUF holds fewer K-chunks than one BUS-aligned block");
		lo->kb = (uint32_t)ceil_div(lo->kt, lo->kcb); /* >= 2: KT > half of ABUF */
		lo->mg = 1;
		blk = round_up((uint64_t)lo->kcb * e, cfg->bus_bytes);
		w = (uint64_t)lo->mt * lo->kb * blk;
	}
	pick_nb(cfg, l, lo);

	x = round_up((uint64_t)lo->kt * tern_aentry_bytes(cfg), cfg->bus_bytes);
	y = (uint64_t)lo->mt * cfg->rows * 4;
	if (w > UINT32_MAX || x * l->n > UINT32_MAX || y * l->n > UINT32_MAX)
		return refuse(err, errlen, "layer too large: a DRAM region exceeds the 32-bit address space");
	lo->w_blk_stride = (uint32_t)blk;
	lo->x_row_stride = (uint32_t)x;
	lo->y_row_stride = (uint32_t)y;
	lo->w_bytes = w;
	lo->x_bytes = x * l->n;
	lo->y_bytes = y * l->n;
	return 0;
}

/* Bytes a LOAD row of `bytes` costs: whole BUS beats. */
static uint64_t beats(const struct tern_hw_config *c, uint64_t bytes)
{
	return round_up(bytes, c->bus_bytes);
}

/* Weight LOADs per pass over the weights (per N-block). */
static uint64_t w_loads(const struct tern_layout *lo)
{
	if (lo->w_seg)
		return lo->w_nseg;
	return ceil_div(lo->mt, lo->mg) * lo->kb;
}

/*
 * GEMMs per pass. K-block mode: one per (tile, K-block). Stream mode: one per tile,
 * plus one for every segment boundary that falls inside a tile.
 */
static uint64_t pass_gemms(const struct tern_layout *lo)
{
	uint64_t n = lo->mt;

	if (!lo->w_seg)
		return (uint64_t)lo->mt * lo->kb;
	for (uint64_t s = 1; s < lo->w_nseg; s++)
		n += tern_wseg_start(lo, s) % lo->kt != 0;
	return n;
}

/*
 * ABUF LOADs tern_emit.c issues: one per load group when streamed; when resident,
 * block 0 whole and each later block in up to S-1 slices (S = weight LOADs per
 * block), or whole when S = 1.
 */
static uint64_t act_loads(const struct tern_layer *l, const struct tern_layout *lo)
{
	uint64_t steps = w_loads(lo), n = 1;

	if (!lo->a_resident)
		return lo->nblk * steps;
	for (uint32_t b = 1; b < lo->nblk; b++) {
		uint64_t nl = b + 1 < lo->nblk ? lo->nb : l->n - (uint64_t)b * lo->nb;
		uint64_t per = steps == 1 ? nl : ceil_div(nl, steps - 1);

		n += ceil_div(nl, per);
	}
	return n;
}

void tern_layout_traffic(const struct tern_hw_config *cfg, const struct tern_layer *l,
			 const struct tern_layout *lo, struct tern_traffic *t)
{
	uint64_t e = tern_wentry_bytes(cfg, l->wfmt), ae = tern_aentry_bytes(cfg), w_pass;

	/* One pass over the weights per N-block; activations once per block or per GEMM. */
	if (lo->w_seg) {
		w_pass = 0;
		for (uint64_t s = 0; s < lo->w_nseg; s++)
			w_pass += seg_bytes(cfg, lo, e, s);
		t->rd_bytes = (uint64_t)l->n * beats(cfg, (uint64_t)lo->kt * ae);
	} else {
		uint64_t kc_last = lo->kt - (lo->kb - 1) * lo->kcb;
		uint64_t a_tile = (lo->kb - 1) * beats(cfg, (uint64_t)lo->kcb * ae) +
				  beats(cfg, kc_last * ae);

		w_pass = lo->mt * ((lo->kb - 1) * beats(cfg, lo->kcb * e) + beats(cfg, kc_last * e));
		t->rd_bytes = (uint64_t)l->n * lo->mt * a_tile;
	}
	t->rd_bytes += lo->nblk * w_pass;
	t->wr_bytes = (uint64_t)l->n * lo->mt * cfg->rows * 4;
	t->gemm_steps = (uint64_t)l->n * lo->mt * lo->kt;
	t->macs = t->gemm_steps * cfg->rows * cfg->lanes;
	/* Per block: the weight LOADs, the GEMMs, a STORE per tile. */
	t->insns = (uint64_t)lo->nblk * (w_loads(lo) + pass_gemms(lo) + lo->mt) + 1 +
		   act_loads(l, lo);
}
