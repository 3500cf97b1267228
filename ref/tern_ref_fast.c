/*
 * Fast mode of the reference model: the same LOAD, GEMM and STORE semantics as
 * tern_ref_exec.c, computed for one slice of PE rows, straight from the 2-bit codes
 * in the DRAM image. tern_ref_run picks it (tern_ref_fast_ok) when a program never
 * writes bytes it reads, the weights are 2-bit and every PE row's codes are whole
 * bytes; then a WBUF entry can be a pointer to its DRAM bytes, since nothing changes
 * them before the GEMMs that read it, and rows are independent in every instruction,
 * so threads can each run the whole program for their own rows (tern_ref.c).
 *
 * Why the GEMM is fast: code = weight + 1 for codes 0..2, so sum(w * a) =
 * sum(code * a) - sum(a), and code * a is an unsigned-by-signed byte product, which
 * one AVX-512 VNNI instruction (vpdpbusd) sums 64 at a time into int32. Code 3 is
 * reserved and reads as weight 0, so it is first turned into code 1. Without AVX-512
 * the AVX2 kernels below do the same with vpmaddubsw (x86 CPUs since 2013). The activations
 * of an ABUF entry are permuted once, when it is loaded, so that the j-th code of each
 * byte (bits 2j..2j+1) meets its own lane, and the entry's sum is kept beside it: a
 * GEMM reuses both for every row group (computing them per GEMM cost more than the
 * dot products themselves at decode, where a GEMM covers only ROWS rows). All sums wrap modulo 2^32 (vpdpbusd does not
 * saturate; the plain loop uses uint32), which is the ISA's arithmetic, so both
 * kernels give the same bits for any K. The plain kernel is the fallback and the
 * reference the tests hold the vector one to.
 *
 * The vector kernels take PE rows of 32 lanes (8 code bytes each, 8 rows per 64-byte
 * vector). A wider row (LANES = 32 * P, P = 2, 4 or 8: the kv260 preset's 64x64 array)
 * is P such parts side by side in the WBUF entry, so the same bytes are 8 "virtual
 * rows" of 32 lanes covering 8 / P real rows. The activations and sums are kept per
 * part (scratch and asum: P planes over the ABUF), and the kernel runs once per part
 * with that part's activations; virtual row i * P + p of pass p belongs to real row i,
 * and the other virtual rows of a pass are discarded. P times the dot products of an
 * ideal kernel, but vector speed instead of the plain loop.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_pool.h"
#include "tern_ref_priv.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

_Static_assert(TERN_WCODE_0_WEIGHT == -1 && TERN_WCODE_1_WEIGHT == 0 &&
	       TERN_WCODE_2_WEIGHT == 1 && TERN_WCODE_3_WEIGHT == 0,
	       "the fast kernels assume code = weight + 1 and code 3 = weight 0");

static const int8_t code_weight[4] = {
	TERN_WCODE_0_WEIGHT, TERN_WCODE_1_WEIGHT, TERN_WCODE_2_WEIGHT, TERN_WCODE_3_WEIGHT
};

/* LOAD/STORE span in DRAM: [lo, hi). */
static void span(uint64_t addr, uint64_t stride, uint32_t ys, uint64_t row, uint64_t *lo,
		 uint64_t *hi)
{
	uint64_t end = addr + (ys ? (uint64_t)(ys - 1) * stride : 0) + row;

	if (addr < *lo)
		*lo = addr;
	if (end > *hi)
		*hi = end;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * Conservative: every instruction up to the first END is scanned, whether or not fetch
 * would accept it. The LOAD spans and the STORE spans are each bounded by one interval;
 * the two intervals and the instruction stream must not meet.
 */
int tern_ref_fast_ok(const struct tern_hw_config *cfg, const uint8_t *dram, uint64_t dram_size,
		     const struct tern_ref_args *args)
{
	uint64_t ib = args->insn_base, ie = ib + (uint64_t)args->insn_count * TERN_INSN_BYTES;
	uint64_t llo = UINT64_MAX, lhi = 0, slo = UINT64_MAX, shi = 0;
	uint32_t i, op;

	if (cfg->lanes % 4 || ie > dram_size)
		return 0;
	for (i = 0; i < args->insn_count; i++) {
		struct tern_insn in;

		in.w[0] = rd64(dram + ib + (uint64_t)i * TERN_INSN_BYTES);
		in.w[1] = rd64(dram + ib + (uint64_t)i * TERN_INSN_BYTES + 8);
		op = tern_get_opcode(&in);
		if (op == TERN_OP_END)
			break;
		if (op == TERN_OP_LOAD) {
			unsigned buf = tern_get_load_buf(&in);

			if (!buf && tern_get_load_wfmt(&in))
				return 0;
			span(tern_get_load_dram_addr(&in), tern_get_load_dram_stride(&in),
			     tern_get_load_y_size(&in),
			     (uint64_t)tern_get_load_x_size(&in) *
				     tern_entry_bytes(cfg, buf, tern_get_load_wfmt(&in)),
			     &llo, &lhi);
		} else if (op == TERN_OP_STORE) {
			span(tern_get_store_dram_addr(&in), tern_get_store_dram_stride(&in),
			     tern_get_store_y_size(&in), (uint64_t)cfg->rows * 4, &slo, &shi);
		}
	}
	if (slo >= shi)
		return 1;
	return (shi <= llo || slo >= lhi) && (shi <= ib || slo >= ie);
}

void tern_ref_fast_load(struct tern_ref_state *s, const struct tern_insn *in)
{
	const struct tern_hw_config *cfg = s->cfg;
	unsigned buf = tern_get_load_buf(in);
	uint32_t base = tern_get_load_sram_base(in);
	uint32_t xs = tern_get_load_x_size(in), ys = tern_get_load_y_size(in);
	uint64_t addr = tern_get_load_dram_addr(in), stride = tern_get_load_dram_stride(in);
	uint64_t ebytes = tern_entry_bytes(cfg, buf, 0);
	uint64_t beats = (xs * ebytes + cfg->bus_bytes - 1) / cfg->bus_bytes;
	uint32_t x, y, e, p, parts = cfg->lanes / 32;

	for (y = 0; y < ys; y++) {
		const uint8_t *row = s->dram + addr + y * stride;

		for (x = 0; x < xs; x++) {
			e = base + y * xs + x;
			if (buf) {
				const int8_t *a = (const int8_t *)row + x * ebytes;

				memcpy(s->abuf + (size_t)e * cfg->lanes, a, cfg->lanes);
				/* only the vector kernels read these: 32-lane parts */
				for (p = 0; cfg->lanes % 32 == 0 && 8 % parts == 0 && p < parts; p++) {
					const int8_t *ap = a + 32 * p;
					int8_t *xp = s->scratch + ((size_t)p * cfg->abuf_depth + e) * 32;
					uint32_t sum = 0, b, j;

					for (b = 0; b < 8; b++)
						for (j = 0; j < 4; j++) {
							xp[8 * j + b] = ap[4 * b + j];
							sum += (uint32_t)ap[4 * b + j];
						}
					s->asum[(size_t)p * cfg->abuf_depth + e] = sum;
				}
			} else {
				s->wptr[e] = row + x * ebytes; /* zeros: counted by the GEMM */
			}
		}
	}
	s->cnt[TERN_CNT_LOADS]++;
	s->cnt[buf ? TERN_CNT_ABUF_WR : TERN_CNT_WBUF_WR] += (uint64_t)xs * ys;
	s->cnt[TERN_CNT_DRAM_RD_BYTES] += ys * beats * cfg->bus_bytes;
}

/* One PE row over k chunks, any LANES % 4 == 0: the plain loop. */
static uint32_t row_plain(const uint8_t *const *wp, uint32_t k, size_t off, uint32_t nj,
			  const int8_t *a)
{
	uint32_t sum = 0, c, b, j;

	for (c = 0; c < k; c++, a += 4 * nj) {
		const uint8_t *p = wp[c] + off;

		for (b = 0; b < nj; b++)
			for (j = 0; j < 4; j++)
				sum += (uint32_t)(code_weight[p[b] >> (2 * j) & 3] * a[4 * b + j]);
	}
	return sum;
}

#ifdef HAVE_X86
/*
 * Eight PE rows (LANES = 32: 8 bytes each, one 64-byte vector per chunk). xp holds each
 * chunk's activations permuted as [j][b] = a[4b + j]; asum is sum(a) over all chunks.
 * Returns the zero weights among the codes read (codes 1 and 3: low bit set), counted
 * here because the bytes are in a register anyway; a separate pass cost twice the GEMM.
 */
__attribute__((target("avx512f,avx512bw,avx512vnni,avx512vpopcntdq")))
static uint64_t rows8_avx512(const uint8_t *const *wp, uint32_t k, size_t off,
			     const int8_t *xp, uint32_t asum, uint32_t *out)
{
	const __m512i m55 = _mm512_set1_epi8(0x55), m03 = _mm512_set1_epi8(3);
	__m512i acc = _mm512_setzero_si512(), zacc = _mm512_setzero_si512(), v, t;
	uint32_t c, i, r8[8];
	int64_t x[4];

	for (c = 0; c < k; c++, xp += 32) {
		v = _mm512_loadu_si512((const void *)(wp[c] + off));
		zacc = _mm512_add_epi64(zacc, _mm512_popcnt_epi64(_mm512_and_si512(v, m55)));
		t = _mm512_and_si512(_mm512_and_si512(v, _mm512_srli_epi64(v, 1)), m55);
		v = _mm512_xor_si512(v, _mm512_slli_epi64(t, 1)); /* code 3 -> 1 */
		memcpy(x, xp, sizeof(x));
		acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(v, m03), _mm512_set1_epi64(x[0]));
		acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(_mm512_srli_epi64(v, 2), m03),
					  _mm512_set1_epi64(x[1]));
		acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(_mm512_srli_epi64(v, 4), m03),
					  _mm512_set1_epi64(x[2]));
		acc = _mm512_dpbusd_epi32(acc, _mm512_and_si512(_mm512_srli_epi64(v, 6), m03),
					  _mm512_set1_epi64(x[3]));
	}
	/* Each row owns one 64-bit lane: add its two dwords, keep the low one. */
	acc = _mm512_add_epi32(acc, _mm512_srli_epi64(acc, 32));
	_mm256_storeu_si256((__m256i *)r8, _mm512_cvtepi64_epi32(acc));
	for (i = 0; i < 8; i++)
		out[i] = r8[i] - asum;
	return (uint64_t)_mm512_reduce_add_epi64(zacc);
}

/*
 * rows8_avx512 for four tokens at once (prefill): the codes of a chunk are fixed and
 * split into their four lanes once and meet four tokens' activations, and four
 * accumulators are in flight. Each token's sums are the ones rows8_avx512 forms.
 */
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void rows8x4_avx512(const uint8_t *const *wp, uint32_t k, size_t off,
			   const int8_t *const *xp, const uint32_t *asum, uint32_t (*out)[8])
{
	const __m512i m55 = _mm512_set1_epi8(0x55), m03 = _mm512_set1_epi8(3);
	__m512i acc[4], v, t, c0, c1, c2, c3;
	uint32_t c, i, j, r8[8];
	int64_t x[4];

	for (j = 0; j < 4; j++)
		acc[j] = _mm512_setzero_si512();
	for (c = 0; c < k; c++) {
		v = _mm512_loadu_si512((const void *)(wp[c] + off));
		t = _mm512_and_si512(_mm512_and_si512(v, _mm512_srli_epi64(v, 1)), m55);
		v = _mm512_xor_si512(v, _mm512_slli_epi64(t, 1)); /* code 3 -> 1 */
		c0 = _mm512_and_si512(v, m03);
		c1 = _mm512_and_si512(_mm512_srli_epi64(v, 2), m03);
		c2 = _mm512_and_si512(_mm512_srli_epi64(v, 4), m03);
		c3 = _mm512_and_si512(_mm512_srli_epi64(v, 6), m03);
		for (j = 0; j < 4; j++) {
			memcpy(x, xp[j] + 32 * (size_t)c, sizeof(x));
			acc[j] = _mm512_dpbusd_epi32(acc[j], c0, _mm512_set1_epi64(x[0]));
			acc[j] = _mm512_dpbusd_epi32(acc[j], c1, _mm512_set1_epi64(x[1]));
			acc[j] = _mm512_dpbusd_epi32(acc[j], c2, _mm512_set1_epi64(x[2]));
			acc[j] = _mm512_dpbusd_epi32(acc[j], c3, _mm512_set1_epi64(x[3]));
		}
	}
	for (j = 0; j < 4; j++) {
		acc[j] = _mm512_add_epi32(acc[j], _mm512_srli_epi64(acc[j], 32));
		_mm256_storeu_si256((__m256i *)r8, _mm512_cvtepi64_epi32(acc[j]));
		for (i = 0; i < 8; i++)
			out[j][i] = r8[i] - asum[j];
	}
}

/*
 * The AVX2 kernels, for CPUs without AVX-512 VNNI: the same sums, 32 codes per byte
 * quadruple lane. Each nibble holds two codes, so a byte shuffle (vpshufb) on the low
 * and on the high nibbles of the codes looks up each lane's code with code 3 already
 * turned into 1 (t_lo, t_hi), and the zero weights (codes 1 and 3) in the same way
 * (t_z). vpmaddubsw multiplies the unsigned codes by the signed activations and adds
 * pairs into int16: |2 * 2 * -128| = 512, so nothing saturates and the int16 sums stay
 * exact (dot16_avx2); vpmaddwd by ones widens them to int32, which wraps modulo 2^32
 * like the plain loop.
 */
#define FIX3(c) ((c) == 3 ? 1 : (c))
#define NIB(f) f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(8), f(9), f(10), f(11), \
	f(12), f(13), f(14), f(15)
#define LO(n) FIX3((n) & 3)
#define HI(n) FIX3((n) >> 2)
#define ZC(n) (((n) & 1) + ((n) >> 2 & 1))

struct split2 {
	__m256i c[4]; /* lane j's code for each byte: bits 2j..2j+1, code 3 read as 1 */
	__m256i z;    /* zero weights per byte (0..4) */
};

__attribute__((target("avx2")))
static inline void split_avx2(__m256i v, struct split2 *o)
{
	const __m256i t_lo = _mm256_setr_epi8(NIB(LO), NIB(LO)), t_hi = _mm256_setr_epi8(NIB(HI), NIB(HI));
	const __m256i t_z = _mm256_setr_epi8(NIB(ZC), NIB(ZC)), m0f = _mm256_set1_epi8(0x0f);
	__m256i lo = _mm256_and_si256(v, m0f), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m0f);

	o->c[0] = _mm256_shuffle_epi8(t_lo, lo);
	o->c[1] = _mm256_shuffle_epi8(t_hi, lo);
	o->c[2] = _mm256_shuffle_epi8(t_lo, hi);
	o->c[3] = _mm256_shuffle_epi8(t_hi, hi);
	o->z = _mm256_add_epi8(_mm256_shuffle_epi8(t_z, lo), _mm256_shuffle_epi8(t_z, hi));
}

/*
 * sum over the four lanes of codes x activations, as int16 per byte pair: each of the
 * four vpmaddubsw terms lies in [-512, 508], so a chunk adds [-2048, 2032] and 16 chunks
 * still fit int16 exactly ([-32768, 32512]); the callers widen to int32 (vpmaddwd by
 * ones) every DOT16_CHUNKS chunks instead of every chunk.
 */
#define DOT16_CHUNKS 16u

__attribute__((target("avx2")))
static inline __m256i dot16_avx2(const struct split2 *s, const __m256i *xb)
{
	__m256i a = _mm256_add_epi16(_mm256_maddubs_epi16(s->c[0], xb[0]),
				     _mm256_maddubs_epi16(s->c[1], xb[1]));
	__m256i b = _mm256_add_epi16(_mm256_maddubs_epi16(s->c[2], xb[2]),
				     _mm256_maddubs_epi16(s->c[3], xb[3]));

	return _mm256_add_epi16(a, b);
}

__attribute__((target("avx2")))
static inline __m256i widen_avx2(__m256i acc32, __m256i acc16)
{
	return _mm256_add_epi32(acc32, _mm256_madd_epi16(acc16, _mm256_set1_epi16(1)));
}

/* Rows i (acc0: 0..3, acc1: 4..7) each own one 64-bit lane: add its two dwords. */
__attribute__((target("avx2")))
static inline void rows_out_avx2(__m256i acc0, __m256i acc1, uint32_t asum, uint32_t *out)
{
	uint32_t r[16], i;

	_mm256_storeu_si256((__m256i *)r, acc0);
	_mm256_storeu_si256((__m256i *)(r + 8), acc1);
	for (i = 0; i < 8; i++)
		out[i] = r[2 * i] + r[2 * i + 1] - asum;
}

/* rows8_avx512's contract on AVX2: eight rows (two vectors of four) for one token. */
__attribute__((target("avx2")))
static uint64_t rows8_avx2(const uint8_t *const *wp, uint32_t k, size_t off,
			   const int8_t *xp, uint32_t asum, uint32_t *out)
{
	__m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, zacc = acc0, xb[4], a0, a1;
	struct split2 s0, s1;
	uint64_t z[4];
	uint32_t c, j, c1;
	int64_t x[4];

	for (c = 0; c < k; c = c1) {
		c1 = k - c > DOT16_CHUNKS ? c + DOT16_CHUNKS : k;
		a0 = a1 = _mm256_setzero_si256();
		for (; c < c1; c++, xp += 32) {
			memcpy(x, xp, sizeof(x));
			for (j = 0; j < 4; j++)
				xb[j] = _mm256_set1_epi64x(x[j]);
			split_avx2(_mm256_loadu_si256((const __m256i *)(wp[c] + off)), &s0);
			split_avx2(_mm256_loadu_si256((const __m256i *)(wp[c] + off + 32)), &s1);
			a0 = _mm256_add_epi16(a0, dot16_avx2(&s0, xb));
			a1 = _mm256_add_epi16(a1, dot16_avx2(&s1, xb));
			zacc = _mm256_add_epi64(zacc, _mm256_sad_epu8(_mm256_add_epi8(s0.z, s1.z),
								      _mm256_setzero_si256()));
		}
		acc0 = widen_avx2(acc0, a0);
		acc1 = widen_avx2(acc1, a1);
	}
	rows_out_avx2(acc0, acc1, asum, out);
	_mm256_storeu_si256((__m256i *)z, zacc);
	return z[0] + z[1] + z[2] + z[3];
}

/* rows8x4_avx512's contract on AVX2: the codes split once for four tokens. */
__attribute__((target("avx2")))
static void rows8x4_avx2(const uint8_t *const *wp, uint32_t k, size_t off,
			 const int8_t *const *xp, const uint32_t *asum, uint32_t (*out)[8])
{
	__m256i acc[4][2], a16[4][2], xb[4];
	struct split2 s[2];
	uint32_t c, c1, j, t, h;
	int64_t x[4];

	for (t = 0; t < 4; t++)
		acc[t][0] = acc[t][1] = _mm256_setzero_si256();
	for (c = 0; c < k; c = c1) {
		c1 = k - c > DOT16_CHUNKS ? c + DOT16_CHUNKS : k;
		for (t = 0; t < 4; t++)
			a16[t][0] = a16[t][1] = _mm256_setzero_si256();
		for (; c < c1; c++) {
			split_avx2(_mm256_loadu_si256((const __m256i *)(wp[c] + off)), &s[0]);
			split_avx2(_mm256_loadu_si256((const __m256i *)(wp[c] + off + 32)), &s[1]);
			for (t = 0; t < 4; t++) {
				memcpy(x, xp[t] + 32 * (size_t)c, sizeof(x));
				for (j = 0; j < 4; j++)
					xb[j] = _mm256_set1_epi64x(x[j]);
				for (h = 0; h < 2; h++)
					a16[t][h] = _mm256_add_epi16(a16[t][h], dot16_avx2(&s[h], xb));
			}
		}
		for (t = 0; t < 4; t++)
			for (h = 0; h < 2; h++)
				acc[t][h] = widen_avx2(acc[t][h], a16[t][h]);
	}
	for (t = 0; t < 4; t++)
		rows_out_avx2(acc[t][0], acc[t][1], asum[t], out[t]);
}

/* Kernel levels for tern_ref_fast_gemm: 0 plain, 1 AVX2, 2 AVX-512. */
static uint64_t rows8(int vec, const uint8_t *const *wp, uint32_t k, size_t off,
		      const int8_t *xp, uint32_t asum, uint32_t *out)
{
	return vec == 2 ? rows8_avx512(wp, k, off, xp, asum, out)
			: rows8_avx2(wp, k, off, xp, asum, out);
}

static void rows8x4(int vec, const uint8_t *const *wp, uint32_t k, size_t off,
		    const int8_t *const *xp, const uint32_t *asum, uint32_t (*out)[8])
{
	if (vec == 2)
		rows8x4_avx512(wp, k, off, xp, asum, out);
	else
		rows8x4_avx2(wp, k, off, xp, asum, out);
}
#endif

void tern_ref_fast_gemm(struct tern_ref_state *s, const struct tern_insn *in)
{
	const struct tern_hw_config *cfg = s->cfg;
	uint32_t reset = tern_get_gemm_reset(in);
	uint32_t wb = tern_get_gemm_wbuf_base(in), ab = tern_get_gemm_abuf_base(in);
	uint32_t accb = tern_get_gemm_acc_base(in), k = tern_get_gemm_k_chunks(in);
	uint32_t nt = tern_get_gemm_n_tokens(in), astride = tern_get_gemm_abuf_stride(in);
	uint32_t nj = cfg->lanes / 4, n, r, c;
	const uint8_t *const *wp = s->wptr + wb;
	uint64_t zero = 0, steps = (uint64_t)nt * k;
#ifdef HAVE_X86
	/* P 32-lane parts per row, G = 8 / P real rows per 8 virtual rows (see the top) */
	uint32_t P = cfg->lanes / 32, G = 8, p, i;
	int vec;
	size_t depth = cfg->abuf_depth;

	vec = cfg->lanes % 32 || P > 8 || 8 % P ? 0 : tern_kernel_avx512() ? 2 : tern_kernel_avx2() ? 1 : 0;
	if (vec)
		G = 8 / P;
	/* Blocks of four tokens over the row groups; the rest as one token at a time
	 * below, which also counts the zero weights (token 0 only). */
	for (n = 0; vec && n + 4 <= nt && s->r0 + G <= s->r1; n += 4) {
		const int8_t *xp[8][4];
		uint32_t as[8][4], sum4[4][8], t;

		for (p = 0; p < P; p++)
			for (t = 0; t < 4; t++) {
				size_t e0 = p * depth + ab + (size_t)(n + t) * astride;

				xp[p][t] = s->scratch + e0 * 32;
				for (c = 0, as[p][t] = 0; c < k; c++)
					as[p][t] += s->asum[e0 + c];
			}
		for (r = s->r0; r + G <= s->r1; r += G) {
			uint32_t tot[4][8] = { { 0 } };

			for (p = 0; p < P; p++) {
				rows8x4(vec, wp, k, (size_t)r * nj, xp[p], as[p], sum4);
				for (t = 0; t < 4; t++)
					for (i = 0; i < G; i++)
						tot[t][i] += sum4[t][i * P + p];
			}
			for (t = 0; t < 4; t++) {
				uint32_t *acc = s->acc + ((size_t)accb + n + t) * cfg->rows;

				for (i = 0; i < G; i++)
					acc[r + i] = (reset ? 0 : acc[r + i]) + tot[t][i];
			}
		}
		for (t = 0; r < s->r1 && t < 4; t++) {
			const int8_t *a = s->abuf + ((size_t)ab + (size_t)(n + t) * astride) * cfg->lanes;
			uint32_t *acc = s->acc + ((size_t)accb + n + t) * cfg->rows;
			uint32_t rr;

			for (rr = r; rr < s->r1; rr++)
				acc[rr] = (reset ? 0 : acc[rr]) + row_plain(wp, k, (size_t)rr * nj, nj, a);
		}
	}
	if (n) { /* the zero weights of the rows, as token 0 would count them */
		for (r = s->r0; r + G <= s->r1; r += G)
			for (c = 0; c < k; c++)
				zero += tern_ref_zero_codes2(wp[c] + (size_t)r * nj, 64);
		for (c = 0; r < s->r1 && c < k; c++)
			zero += tern_ref_zero_codes2(wp[c] + (size_t)r * nj, (s->r1 - r) * nj);
	}
#else
	n = 0;
#endif
	for (; n < nt; n++) {
		const int8_t *a = s->abuf + ((size_t)ab + (size_t)n * astride) * cfg->lanes;
		uint32_t *acc = s->acc + ((size_t)accb + n) * cfg->rows;

		r = s->r0;
#ifdef HAVE_X86
		if (vec) {
			const int8_t *xp[8];
			uint32_t as[8], sum[8];

			for (p = 0; p < P; p++) {
				size_t e0 = p * depth + ab + (size_t)n * astride;

				xp[p] = s->scratch + e0 * 32;
				for (c = 0, as[p] = 0; c < k; c++)
					as[p] += s->asum[e0 + c];
			}
			for (; r + G <= s->r1; r += G) {
				uint32_t tot[8] = { 0 };

				for (p = 0; p < P; p++) {
					uint64_t z = rows8(vec, wp, k, (size_t)r * nj, xp[p], as[p], sum);

					zero += n || p ? 0 : z; /* the same codes for every token and part */
					for (i = 0; i < G; i++)
						tot[i] += sum[i * P + p];
				}
				for (i = 0; i < G; i++)
					acc[r + i] = (reset ? 0 : acc[r + i]) + tot[i];
			}
		}
#endif
		for (c = 0; !n && r < s->r1 && c < k; c++)
			zero += tern_ref_zero_codes2(wp[c] + (size_t)r * nj, (s->r1 - r) * nj);
		for (; r < s->r1; r++)
			acc[r] = (reset ? 0 : acc[r]) + row_plain(wp, k, (size_t)r * nj, nj, a);
	}
	s->cnt[TERN_CNT_GEMMS]++;
	s->cnt[TERN_CNT_MACS] += steps * cfg->rows * cfg->lanes;
	s->cnt[TERN_CNT_MACS_ZERO] += zero * nt; /* zero: the rows r0..r1-1 of one token */
	s->cnt[TERN_CNT_WBUF_RD] += steps;
	s->cnt[TERN_CNT_ABUF_RD] += steps;
	s->cnt[TERN_CNT_ACC_RD] += reset ? 0 : nt;
	s->cnt[TERN_CNT_ACC_WR] += nt;
}

/* Only this slice's rows are written; the other slices write the rest of each entry. */
void tern_ref_fast_store(struct tern_ref_state *s, const struct tern_insn *in)
{
	const struct tern_hw_config *cfg = s->cfg;
	uint32_t accb = tern_get_store_acc_base(in), ys = tern_get_store_y_size(in);
	uint64_t addr = tern_get_store_dram_addr(in), stride = tern_get_store_dram_stride(in);
	uint32_t y, r;

	s->cnt[TERN_CNT_STORES]++;
	for (y = 0; y < ys; y++) {
		uint8_t *dst = s->dram + addr + y * stride;
		const uint32_t *acc = s->acc + ((size_t)accb + y) * cfg->rows;

		for (r = s->r0; r < s->r1; r++) {
			dst[4 * r + 0] = (uint8_t)acc[r];
			dst[4 * r + 1] = (uint8_t)(acc[r] >> 8);
			dst[4 * r + 2] = (uint8_t)(acc[r] >> 16);
			dst[4 * r + 3] = (uint8_t)(acc[r] >> 24);
		}
		s->cnt[TERN_CNT_ACC_RD]++;
		s->cnt[TERN_CNT_DRAM_WR_BYTES] += cfg->rows * 4;
	}
}
