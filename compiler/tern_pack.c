/*
 * tern compiler, stage 2: data layout. Host matrices <-> the DRAM regions that the
 * emitted program reads and writes, exactly as docs/isa.md decodes them.
 *
 * Weights, stream mode (resident activations): entry (M-tile t, K-chunk c) is entry
 * i = t*KT + c of one stream, cut into segments (one LOAD each, tern_wseg_start);
 * entry i of segment s, which starts at stream entry i0, is at s * w_blk_stride +
 * (i - i0) * E, E the entry stride pad(E) (zero padding after the used bytes of a
 * base-3 entry, docs/isa.md "Entry layout"). K-block mode: for M-tile t and K-block j the kc chunks of that block
 * are consecutive WBUF entries (one LOAD row), starting at (t*kb + j) * w_blk_stride.
 * Either way, in the entry of (t, c), code i = r*LANES + l holds
 * W[t*ROWS + r][c*LANES + l] + 1.
 * Activations: token-major, token n at n * x_row_stride, K-chunk c (ABUF entry c) at
 * byte c * pad(LANES), input k at byte k whenever LANES is its own stride (a power of
 * two or whole beats). Outputs: token-major, token n at
 * n * y_row_stride, output m at byte 4m (M-tile t is one STORE entry at 4*t*ROWS).
 * Padding rows and lanes carry weight 0 and activation 0, so they add nothing.
 */
#include <string.h>

#include "tern_compile.h"

/* Write one weight code: 2-bit fields, or base-3 digits (the byte starts at 0). */
static void put_code(uint8_t *entry, uint32_t wfmt, uint32_t i, unsigned code)
{
	static const uint8_t pow3[5] = { 1, 3, 9, 27, 81 };

	if (wfmt == TERN_WFMT_BASE3)
		entry[i / 5] += (uint8_t)(code * pow3[i % 5]);
	else
		entry[i / 4] |= (uint8_t)(code << (2 * (i % 4)));
}

static unsigned wcode(int8_t w)
{
	return (unsigned)(w > 0) + (unsigned)(w >= 0); /* -1 -> 0, 0 -> 1, +1 -> 2 */
}

/*
 * The common case, a whole 2-bit entry inside W with LANES a multiple of 4: each row's
 * codes are whole bytes, four per byte, so no per-code index arithmetic is needed.
 * Whole models pack every weight of every layer per step, so this matters.
 */
static void pack_full_2bit(const struct tern_hw_config *cfg, const struct tern_layer *l,
			   const int8_t *w, uint32_t m0, uint32_t k0, uint8_t *entry)
{
	for (uint32_t r = 0; r < cfg->rows; r++) {
		const int8_t *row = w + (uint64_t)(m0 + r) * l->k + k0;
		uint8_t *out = entry + r * (cfg->lanes / 4);

		for (uint32_t ln = 0; ln < cfg->lanes; ln += 4)
			out[ln / 4] = (uint8_t)(wcode(row[ln]) | wcode(row[ln + 1]) << 2 |
						wcode(row[ln + 2]) << 4 | wcode(row[ln + 3]) << 6);
	}
}

/* One WBUF entry: ROWS outputs from m0, LANES inputs from k0, zero outside W. */
static void pack_entry(const struct tern_hw_config *cfg, const struct tern_layer *l,
		       const int8_t *w, uint32_t m0, uint32_t k0, uint8_t *entry)
{
	if (l->wfmt == TERN_WFMT_2BIT && cfg->lanes % 4 == 0 && m0 + cfg->rows <= l->m &&
	    k0 + cfg->lanes <= l->k) {
		pack_full_2bit(cfg, l, w, m0, k0, entry);
		return;
	}
	for (uint32_t r = 0; r < cfg->rows; r++) {
		uint32_t m = m0 + r;

		for (uint32_t ln = 0; ln < cfg->lanes; ln++) {
			uint32_t k = k0 + ln;
			int8_t v = (m < l->m && k < l->k) ? w[(uint64_t)m * l->k + k] : 0;

			put_code(entry, l->wfmt, r * cfg->lanes + ln, wcode(v));
		}
	}
}

void tern_pack_weights(const struct tern_hw_config *cfg, const struct tern_layer *l,
		       const struct tern_layout *lo, const int8_t *w, uint8_t *dst)
{
	uint32_t e = tern_wentry_bytes(cfg, l->wfmt);

	/* Bytes past a block's last entry are never decoded; zero keeps images stable. */
	memset(dst, 0, lo->w_bytes);
	for (uint64_t s = 0; s < lo->w_nseg; s++) {
		uint64_t i0 = tern_wseg_start(lo, s), i1 = tern_wseg_start(lo, s + 1);

		for (uint64_t i = i0; i < i1; i++)
			pack_entry(cfg, l, w, (uint32_t)(i / lo->kt) * cfg->rows,
				   (uint32_t)(i % lo->kt) * cfg->lanes,
				   dst + s * lo->w_blk_stride + (i - i0) * e);
	}
	if (lo->w_seg)
		return;
	for (uint32_t t = 0; t < lo->mt; t++) {
		for (uint32_t j = 0; j < lo->kb; j++) {
			uint8_t *blk = dst + ((uint64_t)t * lo->kb + j) * lo->w_blk_stride;
			uint32_t c0 = j * lo->kcb;
			uint32_t kc = lo->kt - c0 < lo->kcb ? lo->kt - c0 : lo->kcb;

			for (uint32_t c = 0; c < kc; c++)
				pack_entry(cfg, l, w, t * cfg->rows, (c0 + c) * cfg->lanes,
					   blk + (uint64_t)c * e);
		}
	}
}

void tern_pack_acts(const struct tern_hw_config *cfg, const struct tern_layer *l,
		    const struct tern_layout *lo, const int8_t *x, uint8_t *dst)
{
	uint32_t ae = tern_aentry_bytes(cfg);

	memset(dst, 0, lo->x_bytes);
	for (uint32_t n = 0; n < l->n; n++) {
		uint8_t *row = dst + (uint64_t)n * lo->x_row_stride;
		const int8_t *src = x + (uint64_t)n * l->k;

		if (ae == cfg->lanes) {
			memcpy(row, src, l->k);
			continue;
		}
		/* K-chunk c at c * pad(LANES): the padding after each chunk stays zero */
		for (uint32_t k0 = 0; k0 < l->k; k0 += cfg->lanes)
			memcpy(row + (uint64_t)k0 / cfg->lanes * ae, src + k0,
			       l->k - k0 < cfg->lanes ? l->k - k0 : cfg->lanes);
	}
}

void tern_unpack_outputs(const struct tern_hw_config *cfg, const struct tern_layer *l,
			 const struct tern_layout *lo, const uint8_t *src, int32_t *y)
{
	(void)cfg;
	for (uint32_t n = 0; n < l->n; n++) {
		const uint8_t *row = src + (uint64_t)n * lo->y_row_stride;

		for (uint32_t m = 0; m < l->m; m++) {
			const uint8_t *b = row + 4 * (uint64_t)m;
			uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
				     (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;

			y[(uint64_t)n * l->m + m] = (int32_t)v;
		}
	}
}
