/*
 * tern compiler, stage 1: tiling choice and DRAM layout of one BitLinear layer.
 *
 * Everything later stages need is decided here, from the hardware config and the
 * layer shape: M-tiles of ROWS outputs, K-chunks of LANES inputs grouped into
 * K-blocks of kcb chunks (one WBUF half each), and N-blocks of nb tokens (one ACC
 * half each, and half of ABUF when there is more than one block), with mg M-tiles
 * per weight LOAD when all of K is one K-block. kcb and the weight
 * layout are functions of (K, wfmt, config) only, never of N, so a model packs its
 * weights once for prefill and decode alike. tern_layout_traffic() predicts the
 * DRAM traffic of the program tern_compile() emits for the layout; the reasoning
 * behind every choice is in docs/compiler.md.
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
	uint32_t codes = cfg->rows * cfg->lanes;

	return wfmt == TERN_WFMT_BASE3 ? (codes + 4) / 5 : (codes + 3) / 4;
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
	if (!c->rows || !c->lanes || !c->bus_bytes)
		return "config: ROWS, LANES and BUS_BYTES must be non-zero";
	if ((uint64_t)c->rows * c->lanes > (1u << 24))
		return "config: ROWS*LANES too large";
	if ((c->rows * 4) % c->bus_bytes)
		return "config: BUS_BYTES must divide ROWS*4";
	if (c->wbuf_depth < 2 || c->abuf_depth < 2 || c->acc_depth < 2)
		return "config: WBUF, ABUF and ACC need >= 2 entries for double buffering";
	if (!l->m || !l->k || !l->n)
		return "layer: M, K and N must be >= 1";
	if (l->wfmt > TERN_WFMT_BASE3)
		return "layer: unknown weight format";
	return NULL;
}

/*
 * K-chunks per K-block. Resident activations (all of K for a token fit half of
 * ABUF) only need a block to fit half of WBUF. Streamed activations are loaded per
 * K-block, at a DRAM offset kcb*LANES that must stay BUS-aligned, and a block must
 * also fit half of ABUF.
 */
static uint32_t pick_kcb(const struct tern_hw_config *c, uint32_t kt, int resident)
{
	uint32_t whalf = min_u32(c->wbuf_depth, IDX_LIMIT) / 2;
	uint32_t ahalf = min_u32(c->abuf_depth, IDX_LIMIT) / 2;
	uint32_t q, kcb;

	if (resident)
		return min_u32(kt, whalf);
	q = c->bus_bytes / gcd_u32(c->lanes, c->bus_bytes);
	kcb = min_u32(whalf, ahalf);
	return kcb - kcb % q;
}

/*
 * M-tiles per weight LOAD. When all of K fits one K-block, several tiles' weights
 * fit half of WBUF and one 2-D LOAD brings them: fewer, longer DMA bursts (decode is
 * all weight streaming) and fewer instructions. At least four load groups per block
 * remain when M allows, so that double buffering still overlaps a small layer's
 * loads with its compute.
 */
static uint32_t pick_mg(const struct tern_hw_config *c, const struct tern_layout *lo)
{
	uint32_t whalf = min_u32(c->wbuf_depth, IDX_LIMIT) / 2;
	uint32_t mg = min_u32(whalf / lo->kt, (uint32_t)ceil_div(lo->mt, 4));

	return lo->kb == 1 && mg > 1 ? mg : 1;
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
	uint64_t w, x, y;

	memset(lo, 0, sizeof(*lo));
	if (why)
		return refuse(err, errlen, why);
	lo->mt = (uint32_t)ceil_div(l->m, cfg->rows);
	lo->kt = (uint32_t)ceil_div(l->k, cfg->lanes);
	lo->a_resident = lo->kt <= ahalf;
	lo->kcb = pick_kcb(cfg, lo->kt, lo->a_resident);
	if (!lo->kcb)
		return refuse(err, errlen,
			      "K too large: half of WBUF/ABUF holds fewer K-chunks than one BUS-aligned block");
	lo->kb = (uint32_t)ceil_div(lo->kt, lo->kcb);
	lo->mg = pick_mg(cfg, lo);
	pick_nb(cfg, l, lo);

	w = (uint64_t)lo->mt * lo->kb *
	    round_up((uint64_t)lo->kcb * tern_wentry_bytes(cfg, l->wfmt), cfg->bus_bytes);
	x = round_up((uint64_t)lo->kt * cfg->lanes, cfg->bus_bytes);
	y = (uint64_t)lo->mt * cfg->rows * 4;
	if (w > UINT32_MAX || x * l->n > UINT32_MAX || y * l->n > UINT32_MAX)
		return refuse(err, errlen, "layer too large: a DRAM region exceeds the 32-bit address space");
	lo->w_blk_stride = (uint32_t)(w / lo->mt / lo->kb);
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

/*
 * ABUF LOADs tern_emit.c issues: one per load group when streamed; when resident,
 * block 0 whole and each later block in up to S-1 slices (S = load groups per
 * block), or whole when S = 1.
 */
static uint64_t act_loads(const struct tern_layer *l, const struct tern_layout *lo)
{
	uint64_t steps = ceil_div(lo->mt, lo->mg) * lo->kb, n = 1;

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
	uint32_t e = tern_wentry_bytes(cfg, l->wfmt);
	uint32_t kc_last = lo->kt - (lo->kb - 1) * lo->kcb;
	uint64_t w_tile, a_tile;

	/* One pass over the weights per N-block; activations once per block or per GEMM. */
	w_tile = (lo->kb - 1) * beats(cfg, (uint64_t)lo->kcb * e) + beats(cfg, (uint64_t)kc_last * e);
	a_tile = (lo->kb - 1) * beats(cfg, (uint64_t)lo->kcb * cfg->lanes) +
		 beats(cfg, (uint64_t)kc_last * cfg->lanes);
	t->rd_bytes = (uint64_t)lo->nblk * lo->mt * w_tile;
	if (lo->a_resident)
		t->rd_bytes += (uint64_t)l->n * beats(cfg, (uint64_t)lo->kt * cfg->lanes);
	else
		t->rd_bytes += (uint64_t)l->n * lo->mt * a_tile;
	t->wr_bytes = (uint64_t)l->n * lo->mt * cfg->rows * 4;
	t->gemm_steps = (uint64_t)l->n * lo->mt * lo->kt;
	t->macs = t->gemm_steps * cfg->rows * cfg->lanes;
	/* Per block: a W LOAD per group, a GEMM per (tile, K-block), a STORE per tile. */
	t->insns = (uint64_t)lo->nblk * (ceil_div(lo->mt, lo->mg) * lo->kb +
					 lo->mt * (lo->kb + 1ull)) + 1 + act_loads(l, lo);
}
