/*
 * Execution of LOAD, GEMM and STORE in the reference model: what each instruction does
 * to the on-chip buffers, the DRAM image and the event counters (docs/isa.md
 * "Semantics" and "Events and counters"). tern_ref.c decides when an instruction runs;
 * this file only runs it, after tern_ref_check_insn has passed it, so every buffer
 * index and DRAM address here is already known to be in range.
 *
 * Speed is the point of the layout (see tern_ref_priv.h): weights are decoded to int8
 * once, at LOAD time, together with the count of zero weights per WBUF entry, so GEMM
 * is a plain int8 x int8 -> int32 dot product over k_chunks*LANES contiguous bytes per
 * output row, and MACS_ZERO is a sum of per-entry counts rather than a per-MAC test.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_ref_priv.h"

/* weight(code): code 3 is reserved and reads as 0 (docs/isa.md "Weight codes"). */
static const int8_t code_weight[4] = {
	TERN_WCODE_0_WEIGHT, TERN_WCODE_1_WEIGHT, TERN_WCODE_2_WEIGHT, TERN_WCODE_3_WEIGHT
};

/*
 * Byte -> weights for both formats. For base-3, digit k of byte v is (v / 3^k) % 3 for
 * k < 4 and v / 81 for k = 4: bytes 243..255 (never produced by a packer) give digit 4
 * the reserved code 3, so they read as weight 0 there; the RTL decodes the same way.
 */
static void build_luts(struct tern_ref_state *s)
{
	unsigned v, k, t;

	for (v = 0; v < 256; v++) {
		for (k = 0; k < 4; k++)
			s->lut2[v][k] = code_weight[(v >> (2 * k)) & 3];
		for (k = 0, t = v; k < 4; k++, t /= 3)
			s->lut3[v][k] = code_weight[t % 3];
		s->lut3[v][4] = code_weight[t];
		s->zero2[v] = s->zero3[v] = 0;
		for (k = 0; k < 4; k++)
			s->zero2[v] += s->lut2[v][k] == 0;
		for (k = 0; k < 5; k++)
			s->zero3[v] += s->lut3[v][k] == 0;
	}
}

/* a * b into *out unless it overflows size_t. */
static int mul_size(size_t a, size_t b, size_t *out)
{
	if (b && a > SIZE_MAX / b)
		return -1;
	*out = a * b;
	return 0;
}

/* calloc of a*b*c elements of sz bytes, at least one so a zero depth is not NULL. */
static void *alloc3(size_t a, size_t b, size_t c, size_t sz)
{
	size_t n;

	if (mul_size(a, b, &n) || mul_size(n, c, &n) || mul_size(n ? n : 1, sz, &n))
		return NULL;
	return calloc(1, n);
}

int tern_ref_state_init(struct tern_ref_state *s, const struct tern_hw_config *cfg, int fast)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->fast = fast;
	s->r1 = cfg->rows;
	/* Fast mode keeps pointers, not decoded weights; its scratch mirrors ABUF with
	 * each entry's activations permuted, and asum holds each entry's sum, both per
	 * 32-lane part of the entry (tern_ref_fast.c). */
	s->wbuf = fast ? calloc(1, 1) : alloc3(cfg->rows, cfg->lanes, cfg->wbuf_depth, 1);
	s->wptr = fast ? alloc3(cfg->wbuf_depth, 1, 1, sizeof(*s->wptr)) : calloc(1, 1);
	s->wzero = alloc3(cfg->wbuf_depth, 1, 1, sizeof(uint32_t));
	s->abuf = alloc3(cfg->lanes, cfg->abuf_depth, 1, 1);
	s->acc = alloc3(cfg->rows, cfg->acc_depth, 1, sizeof(uint32_t));
	s->scratch = fast ? alloc3(cfg->abuf_depth, cfg->lanes, 1, 1) :
			    alloc3(cfg->rows, cfg->lanes, 1, 1 + 8);
	s->asum = alloc3(fast ? cfg->abuf_depth : 1, fast ? (cfg->lanes + 31) / 32 : 1, 1,
			 sizeof(uint32_t));
	s->wunset = fast ? alloc3(cfg->rows, cfg->lanes / 4 + 1, 1, 1) : calloc(1, 1);
	if (fast && s->wptr && s->wunset) {
		uint32_t e;

		memset(s->wunset, 0x55, (size_t)cfg->rows * (cfg->lanes / 4 + 1));
		for (e = 0; e < cfg->wbuf_depth; e++)
			s->wptr[e] = s->wunset;
	}
	if (!s->wunset || !s->wptr || !s->wbuf || !s->wzero || !s->abuf || !s->acc || !s->scratch ||
	    !s->asum) {
		tern_ref_state_free(s);
		return -1;
	}
	build_luts(s);
	return 0;
}

void tern_ref_state_free(struct tern_ref_state *s)
{
	free(s->wbuf);
	free(s->wzero);
	free(s->abuf);
	free(s->acc);
	free(s->scratch);
	free(s->asum);
	free((void *)s->wptr);
	free(s->wunset);
	s->wptr = NULL;
	s->wunset = NULL;
	s->wbuf = s->abuf = s->scratch = NULL;
	s->wzero = s->acc = s->asum = NULL;
}

/*
 * Decode one WBUF entry flat into scratch (code i at scratch[i]); returns its zero
 * weights. Digits of the last byte past the entry's codes are ignored, so only whole
 * bytes use the per-byte zero counts.
 */
static uint32_t decode_flat(struct tern_ref_state *s, const uint8_t *src, unsigned wfmt)
{
	size_t codes = (size_t)s->cfg->rows * s->cfg->lanes, i;
	uint32_t nb = tern_entry_used_bytes(s->cfg, 0, wfmt), per = wfmt ? 5 : 4, b, zero = 0;
	const uint8_t *zc = wfmt ? s->zero3 : s->zero2;
	const int8_t(*lut3)[5] = s->lut3, (*lut2)[4] = s->lut2;
	int8_t *out = s->scratch;

	/* Locals, not s->...: int8 stores may alias anything and force reloads. */
	if (wfmt)
		for (b = 0; b < nb; b++)
			memcpy(out + 5 * (size_t)b, lut3[src[b]], 5);
	else
		for (b = 0; b < nb; b++)
			memcpy(out + 4 * (size_t)b, lut2[src[b]], 4);
	for (b = 0; b < codes / per; b++)
		zero += zc[src[b]];
	for (i = (size_t)b * per; i < codes; i++)
		zero += out[i] == 0;
	return zero;
}

/*
 * Zero weights among the 2-bit codes of n whole bytes: codes 1 and 3 are exactly the
 * codes with their low bit set, so this is a population count of the low bits, done
 * eight bytes at a time (SWAR; no popcount instruction is assumed).
 */
uint32_t tern_ref_zero_codes2(const uint8_t *src, size_t n)
{
	const uint64_t m1 = 0x5555555555555555ull, m2 = 0x3333333333333333ull;
	const uint64_t m4 = 0x0f0f0f0f0f0f0f0full, h01 = 0x0101010101010101ull;
	uint32_t zero = 0;
	uint64_t v;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, src + i, 8);
		v &= m1;                        /* one bit per code: 1 = zero weight */
		v = (v & m2) + ((v >> 2) & m2); /* 2-bit sums -> 4-bit */
		v = (v + (v >> 4)) & m4;        /* -> per-byte counts */
		zero += (uint32_t)((v * h01) >> 56);
	}
	for (; i < n; i++)
		zero += (src[i] & 1) + (src[i] >> 2 & 1) + (src[i] >> 4 & 1) + (src[i] >> 6 & 1);
	return zero;
}

/* Decode one WBUF entry from its DRAM bytes into entry e of every PE row. */
static void load_wentry(struct tern_ref_state *s, const uint8_t *src, unsigned wfmt, uint32_t e)
{
	const struct tern_hw_config *cfg = s->cfg;
	size_t wrow = (size_t)cfg->wbuf_depth * cfg->lanes;
	int8_t *dst = s->wbuf + (size_t)e * cfg->lanes;
	const int8_t(*lut)[4] = s->lut2;
	uint32_t r, j, zero = 0, rows = cfg->rows, nj = cfg->lanes / 4;

	if (!wfmt && cfg->lanes % 4 == 0) {
		/*
		 * Fast path: each byte's four codes lie in one row, decode in place. The
		 * bounds and table live in locals: int8 stores may alias anything.
		 */
		zero = tern_ref_zero_codes2(src, (size_t)rows * nj);
		for (r = 0; r < rows; r++, dst += wrow, src += nj)
			for (j = 0; j < nj; j++)
				memcpy(dst + 4 * j, lut[src[j]], 4);
	} else {
		zero = decode_flat(s, src, wfmt);
		for (r = 0; r < cfg->rows; r++, dst += wrow)
			memcpy(dst, s->scratch + (size_t)r * cfg->lanes, cfg->lanes);
	}
	s->wzero[e] = zero;
}

void tern_ref_exec_load(struct tern_ref_state *s, const struct tern_insn *in)
{
	const struct tern_hw_config *cfg = s->cfg;
	unsigned buf = tern_get_load_buf(in), wfmt = tern_get_load_wfmt(in);
	uint32_t base = tern_get_load_sram_base(in);
	uint32_t xs = tern_get_load_x_size(in), ys = tern_get_load_y_size(in);
	uint64_t addr = tern_get_load_dram_addr(in), stride = tern_get_load_dram_stride(in);
	uint64_t ebytes = tern_entry_bytes(cfg, buf, wfmt);
	uint64_t beats = (xs * ebytes + cfg->bus_bytes - 1) / cfg->bus_bytes;
	uint32_t x, y, e;

	for (y = 0; y < ys; y++) {
		const uint8_t *row = s->dram + addr + y * stride;

		for (x = 0; x < xs; x++) {
			e = base + y * xs + x;
			if (buf)
				memcpy(s->abuf + (size_t)e * cfg->lanes, row + x * ebytes,
				       cfg->lanes);
			else
				load_wentry(s, row + x * ebytes, wfmt, e);
		}
	}
	s->cnt[TERN_CNT_LOADS]++;
	s->cnt[buf ? TERN_CNT_ABUF_WR : TERN_CNT_WBUF_WR] += (uint64_t)xs * ys;
	s->cnt[TERN_CNT_DRAM_RD_BYTES] += ys * beats * cfg->bus_bytes;
}

/*
 * Sum of w[i]*a[i] modulo 2^32. Sixteen independent int32 partial sums over a fixed
 * inner trip count is the shape gcc -O2 vectorises (pmaddwd on x86, sdot on arm64).
 * Each partial sees at most SLICE/16 products of magnitude <= 128, 2^23 in all, so no
 * int32 overflows; slices are combined in uint32, which wraps as the hardware does.
 */
#define DOT_W 16
#define DOT_SLICE (1u << 20)

static int32_t dot_slice(const int8_t *w, const int8_t *a, size_t len)
{
	int32_t part[DOT_W] = { 0 };
	int32_t sum = 0;
	size_t i = 0, j;

	for (; i + DOT_W <= len; i += DOT_W)
		for (j = 0; j < DOT_W; j++)
			part[j] += w[i + j] * a[i + j];
	for (j = 0; j < DOT_W; j++)
		sum += part[j];
	for (; i < len; i++)
		sum += w[i] * a[i];
	return sum;
}

static uint32_t dot_i8(const int8_t *w, const int8_t *a, size_t len)
{
	uint32_t sum = 0;
	size_t n;

	for (; len; w += n, a += n, len -= n) {
		n = len < DOT_SLICE ? len : DOT_SLICE;
		sum += (uint32_t)dot_slice(w, a, n);
	}
	return sum;
}

void tern_ref_exec_gemm(struct tern_ref_state *s, const struct tern_insn *in)
{
	const struct tern_hw_config *cfg = s->cfg;
	uint32_t reset = tern_get_gemm_reset(in);
	uint32_t wb = tern_get_gemm_wbuf_base(in), ab = tern_get_gemm_abuf_base(in);
	uint32_t accb = tern_get_gemm_acc_base(in), k = tern_get_gemm_k_chunks(in);
	uint32_t nt = tern_get_gemm_n_tokens(in), astride = tern_get_gemm_abuf_stride(in);
	size_t wrow = (size_t)cfg->wbuf_depth * cfg->lanes, len = (size_t)k * cfg->lanes;
	const int8_t *w0 = s->wbuf + (size_t)wb * cfg->lanes;
	uint64_t zero = 0, steps = (uint64_t)nt * k;
	uint32_t n, r, c;

	for (n = 0; n < nt; n++) {
		const int8_t *a = s->abuf + ((size_t)ab + (size_t)n * astride) * cfg->lanes;
		uint32_t *acc = s->acc + ((size_t)accb + n) * cfg->rows;

		for (r = 0; r < cfg->rows; r++)
			acc[r] = (reset ? 0 : acc[r]) + dot_i8(w0 + r * wrow, a, len);
	}
	for (c = 0; c < k; c++)
		zero += s->wzero[wb + c];
	s->cnt[TERN_CNT_GEMMS]++;
	s->cnt[TERN_CNT_MACS] += steps * cfg->rows * cfg->lanes;
	s->cnt[TERN_CNT_MACS_ZERO] += zero * nt;
	s->cnt[TERN_CNT_WBUF_RD] += steps;
	s->cnt[TERN_CNT_ABUF_RD] += steps;
	s->cnt[TERN_CNT_ACC_RD] += reset ? 0 : nt;
	s->cnt[TERN_CNT_ACC_WR] += nt;
}

int tern_ref_exec_store(struct tern_ref_state *s, const struct tern_insn *in, uint32_t index)
{
	const struct tern_hw_config *cfg = s->cfg;
	uint32_t accb = tern_get_store_acc_base(in), ys = tern_get_store_y_size(in);
	uint64_t addr = tern_get_store_dram_addr(in), stride = tern_get_store_dram_stride(in);
	uint32_t len = cfg->rows * 4, y, r;
	int rc;

	s->cnt[TERN_CNT_STORES]++;
	for (y = 0; y < ys; y++) {
		uint8_t *dst = s->dram + addr + y * stride;
		const uint32_t *acc = s->acc + ((size_t)accb + y) * cfg->rows;

		for (r = 0; r < cfg->rows; r++) {
			dst[4 * r + 0] = (uint8_t)acc[r];
			dst[4 * r + 1] = (uint8_t)(acc[r] >> 8);
			dst[4 * r + 2] = (uint8_t)(acc[r] >> 16);
			dst[4 * r + 3] = (uint8_t)(acc[r] >> 24);
		}
		s->cnt[TERN_CNT_ACC_RD]++;
		s->cnt[TERN_CNT_DRAM_WR_BYTES] += len;
		if (s->on_write) {
			rc = s->on_write(s->ctx, index, addr + y * stride, dst, len);
			if (rc)
				return rc;
		}
	}
	return 0;
}
