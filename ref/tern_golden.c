/*
 * Golden matmul for the layer check (DESIGN.md "Checking", level 2): the final output
 * of every compiled layer must equal this plain, untiled product of the unpacked
 * weights and activations. It deliberately shares no code with the tiled path in
 * tern_ref_exec.c, so a tiling or buffer-layout bug cannot cancel out.
 *
 * Arithmetic is int32 wrapping modulo 2^32, as the hardware does; for K <= 2^24 (every
 * real layer) nothing wraps and the result is the exact integer sum. Rows of W and X
 * are contiguous in k, so k is the innermost loop; partial sums run in int32 over
 * blocks short enough never to overflow and are combined in uint32.
 */
#include <stddef.h>

#include "tern_ref.h"

/* |w*x| <= 128 over 2^22 terms stays below 2^31. */
#define GOLDEN_BLOCK ((size_t)1 << 22)
#define GOLDEN_LANES 8

/* sum_k w[k]*x[k] over one block; eight running sums let the compiler vectorise. */
static int32_t golden_block(const int8_t *w, const int8_t *x, size_t len)
{
	int32_t s[GOLDEN_LANES] = { 0 };
	int32_t t = 0;
	size_t k = 0, j;

	for (; k + GOLDEN_LANES <= len; k += GOLDEN_LANES)
		for (j = 0; j < GOLDEN_LANES; j++)
			s[j] += w[k + j] * x[k + j];
	for (; k < len; k++)
		t += w[k] * x[k];
	for (j = 0; j < GOLDEN_LANES; j++)
		t += s[j];
	return t;
}

void tern_golden_matmul(const int8_t *w, const int8_t *x, int32_t *y,
			uint32_t m, uint32_t k, uint32_t n)
{
	uint32_t i, j;
	size_t off, len;

	for (j = 0; j < n; j++) {
		const int8_t *xr = x + (size_t)j * k;

		for (i = 0; i < m; i++) {
			const int8_t *wr = w + (size_t)i * k;
			uint32_t acc = 0;

			for (off = 0; off < k; off += len) {
				len = k - off < GOLDEN_BLOCK ? k - off : GOLDEN_BLOCK;
				acc += (uint32_t)golden_block(wr + off, xr + off, len);
			}
			y[(size_t)j * m + i] = (int32_t)acc;
		}
	}
}

/* ---- bit planes (tern_ref.h) */

#include <stdlib.h>
#include <string.h>

#include "tern_pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define GOLDEN_X86 1
#endif

size_t tern_golden_plane_words(uint32_t m, uint32_t k)
{
	return (size_t)m * 2 * ((k + 63) / 64);
}

#ifdef GOLDEN_X86
/* 64 weights -> their +1 and -1 bit masks in two byte compares (the mask registers are
 * the plane words); n < 64 loads only the row's own bytes. */
__attribute__((target("avx512f,avx512bw")))
static void planes_word_avx512(const int8_t *w, uint32_t n, uint64_t *plus, uint64_t *minus)
{
	__m512i v = _mm512_maskz_loadu_epi8(n >= 64 ? ~0ull : (1ull << n) - 1, w);

	*plus = _mm512_cmpgt_epi8_mask(v, _mm512_setzero_si512());
	*minus = _mm512_cmplt_epi8_mask(v, _mm512_setzero_si512());
}
#endif

/* Built once per BitLinear when a model loads (0.52 GB of planes for 2B-4T), so a word
 * at a time: no read-modify-write per weight, and on AVX-512 one compare per sign. */
void tern_golden_planes(const int8_t *w, uint32_t m, uint32_t k, uint64_t *planes)
{
	size_t words = (k + 63) / 64, i, wd;
#ifdef GOLDEN_X86
	int vec = tern_kernel_avx512();
#endif

	for (i = 0; i < m; i++) {
		uint64_t *plus = planes + i * 2 * words, *minus = plus + words;
		const int8_t *row = w + i * k;

		for (wd = 0; wd < words; wd++) {
			uint32_t j0 = (uint32_t)(64 * wd), n = k - j0 < 64 ? k - j0 : 64, b;
			uint64_t p = 0, q = 0;

#ifdef GOLDEN_X86
			if (vec) {
				planes_word_avx512(row + j0, n, &plus[wd], &minus[wd]);
				continue;
			}
#endif
			for (b = 0; b < n; b++) {
				p |= (uint64_t)(row[j0 + b] > 0) << b;
				q |= (uint64_t)(row[j0 + b] < 0) << b;
			}
			plus[wd] = p;
			minus[wd] = q;
		}
	}
}

/* sum of x[j] for j in from..k-1 where plus has bit j, minus that where minus has it;
 * modulo 2^32. */
static uint32_t planes_tail(const uint64_t *plus, const uint64_t *minus, const int8_t *x,
			    uint32_t from, uint32_t k)
{
	uint32_t s = 0, j;

	for (j = from; j < k; j++) {
		uint64_t bit = 1ull << (j % 64);

		if (plus[j / 64] & bit)
			s += (uint32_t)x[j];
		if (minus[j / 64] & bit)
			s -= (uint32_t)x[j];
	}
	return s;
}

/* the same over all k activations */
static uint32_t planes_dot_plain(const uint64_t *plus, const uint64_t *minus, const int8_t *x,
				 uint32_t k)
{
	return planes_tail(plus, minus, x, 0, k);
}

struct planes_job {
	const uint64_t *planes;
	const int8_t *x;
	int32_t *y;
	uint32_t m, k, n;
	int vec;          /* 0 plain, 1 AVX2, 2 AVX-512 */
	const uint8_t *xb; /* AVX2: x ^ 0x80, n x k */
	int8_t *wbuf;      /* AVX2: two spread rows per part */
};

#ifdef GOLDEN_X86
/*
 * The same sums on AVX-512 VNNI. A plane word pair is already a pair of byte masks, so a
 * row's 64 weights become -1/0/+1 bytes in two masked moves, in registers, with no
 * buffer. The activations are biased to unsigned bytes x + 128 (x ^ 0x80) as they are
 * loaded, so one vpdpbusd multiplies 64 of them by 64 signed weights and adds straight
 * into int32 lanes (at most 4 * 255 per lane per word: no int16 step); the row's
 * 128 * sum(w) is taken off at the end. R rows by T inputs per pass: each activation
 * vector loaded serves R rows, each weight vector T inputs. Bits at or past k are 0 in
 * the planes, so the last word needs no tail loop, only a masked load. Integer sums
 * modulo 2^32: the order does not change a bit. The R x T loops are unrolled so the
 * accumulators stay in registers (without it GCC keeps them on the stack).
 */
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void planes_block_avx512(const uint64_t *const *pl, size_t words,
				       const int8_t *const *x, uint32_t k, const unsigned R,
				       const unsigned T, uint32_t (*out)[4])
{
	const __m512i one = _mm512_set1_epi8(1), neg = _mm512_set1_epi8(-1);
	const __m512i bias = _mm512_set1_epi8((char)0x80);
	__m512i acc[4][4], wv[4], xv[4];
	uint32_t sw[4] = { 0 };
	size_t w;
	unsigned r, t;

#pragma GCC unroll 4
	for (r = 0; r < R; r++)
#pragma GCC unroll 4
		for (t = 0; t < T; t++)
			acc[r][t] = _mm512_setzero_si512();
	for (w = 0; w < words; w++) {
		__mmask64 live = k - 64 * w >= 64 ? ~0ull : (1ull << (k - 64 * w)) - 1;

#pragma GCC unroll 4
		for (t = 0; t < T; t++)
			xv[t] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(live, x[t] + 64 * w), bias);
#pragma GCC unroll 4
		for (r = 0; r < R; r++) {
			__mmask64 mp = pl[r][w], mm = pl[r][words + w];

			wv[r] = _mm512_mask_mov_epi8(_mm512_maskz_mov_epi8(mp, one), mm, neg);
			sw[r] += (uint32_t)__builtin_popcountll(mp) - (uint32_t)__builtin_popcountll(mm);
#pragma GCC unroll 4
			for (t = 0; t < T; t++)
				acc[r][t] = _mm512_dpbusd_epi32(acc[r][t], xv[t], wv[r]);
		}
	}
#pragma GCC unroll 4
	for (r = 0; r < R; r++)
#pragma GCC unroll 4
		for (t = 0; t < T; t++)
			out[r][t] = (uint32_t)_mm512_reduce_add_epi32(acc[r][t]) - 128u * sw[r];
}

#define PLANES_BLOCK_AVX512(R, T)                                                           \
	__attribute__((target("avx512f,avx512bw,avx512vnni,popcnt")))                       \
	static void planes_block##R##x##T##_avx512(const uint64_t *const *pl, size_t words,  \
						   const int8_t *const *x, uint32_t k,       \
						   uint32_t (*out)[4])                       \
	{                                                                                   \
		planes_block_avx512(pl, words, x, k, R, T, out);                            \
	}
PLANES_BLOCK_AVX512(4, 4)
PLANES_BLOCK_AVX512(4, 1)
PLANES_BLOCK_AVX512(1, 4)
PLANES_BLOCK_AVX512(1, 1)

/* Rows i0..i1-1 in fours (then one at a time) by inputs in fours (then one at a time). */
static void planes_part_avx512(const struct planes_job *p, uint32_t i0, uint32_t i1)
{
	size_t words = (p->k + 63) / 64;
	uint32_t i, j, s[4][4];
	unsigned nr, nt, r, t;

	for (i = i0; i < i1; i += nr) {
		const uint64_t *pl[4];

		nr = i1 - i >= 4 ? 4 : 1;
		for (r = 0; r < nr; r++)
			pl[r] = p->planes + (size_t)(i + r) * 2 * words;
		for (j = 0; j < p->n; j += nt) {
			const int8_t *xr[4];

			nt = p->n - j >= 4 ? 4 : 1;
			for (t = 0; t < nt; t++)
				xr[t] = p->x + (size_t)(j + t) * p->k;
			if (nr == 4 && nt == 4)
				planes_block4x4_avx512(pl, words, xr, p->k, s);
			else if (nr == 4)
				planes_block4x1_avx512(pl, words, xr, p->k, s);
			else if (nt == 4)
				planes_block1x4_avx512(pl, words, xr, p->k, s);
			else
				planes_block1x1_avx512(pl, words, xr, p->k, s);
			for (r = 0; r < nr; r++)
				for (t = 0; t < nt; t++)
					p->y[(size_t)(j + t) * p->m + i + r] = (int32_t)s[r][t];
		}
	}
}

/*
 * The same sums on AVX2 (no mask registers, no VNNI). Each row's plane words are spread
 * once into a buffer of -1/0/+1 bytes (broadcast, vpshufb so byte i holds the word's
 * byte i / 8, keep bit i % 8, vpminub with 1: plus bytes minus minus bytes). The
 * activations are biased once per product to unsigned bytes x + 128 (x ^ 0x80), so
 * one vpmaddubsw multiplies 32 of them by 32 signed weights and adds pairs into int16;
 * the row's sum(w) * 128 is taken off at the end (popcounts of the planes). A pair
 * term is at most 2 * 255, a word adds at most 1020 per int16 lane, so GOLDEN16_WORDS
 * = 16 words stay exact before vpmaddwd widens them to int32. Two rows by four inputs
 * per pass: each activation vector loaded serves two rows, each weight vector four
 * inputs. A tail of k % 64 activations is summed bit by bit.
 */
#define GOLDEN16_WORDS 16u

__attribute__((target("avx2")))
static inline __m256i planes_bits_avx2(__m256i bc, __m256i idx, __m256i sel)
{
	return _mm256_min_epu8(_mm256_and_si256(_mm256_shuffle_epi8(bc, idx), sel),
			       _mm256_set1_epi8(1));
}

/* full words of one row's planes -> 64 * full bytes of -1/0/+1 */
__attribute__((target("avx2")))
static void planes_spread_avx2(const uint64_t *plus, const uint64_t *minus, uint32_t full,
			       int8_t *w)
{
	const __m256i idx0 = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
					      2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
	const __m256i idx1 = _mm256_add_epi8(idx0, _mm256_set1_epi8(4));
	const __m256i sel = _mm256_set1_epi64x((int64_t)0x8040201008040201ull);
	uint32_t i;

	for (i = 0; i < full; i++) {
		__m256i bp = _mm256_set1_epi64x((int64_t)plus[i]);
		__m256i bm = _mm256_set1_epi64x((int64_t)minus[i]);

		_mm256_storeu_si256((__m256i *)(w + 64 * (size_t)i),
				    _mm256_sub_epi8(planes_bits_avx2(bp, idx0, sel),
						    planes_bits_avx2(bm, idx0, sel)));
		_mm256_storeu_si256((__m256i *)(w + 64 * (size_t)i + 32),
				    _mm256_sub_epi8(planes_bits_avx2(bp, idx1, sel),
						    planes_bits_avx2(bm, idx1, sel)));
	}
}

/* Lane sums of the biased products, rows w[0..1] by inputs xb[0..T-1] over full words. */
__attribute__((target("avx2"), always_inline))
static inline void planes_rows_avx2(const int8_t *const *w, const uint8_t *const *xb,
				    uint32_t full, const unsigned T, uint32_t (*out)[4])
{
	const __m256i ones16 = _mm256_set1_epi16(1);
	__m256i acc[2][4], a16[2][4], v0, v1, w00, w01, w10, w11;
	uint32_t i, i1, r8[8], l;
	unsigned t, r;

	for (r = 0; r < 2; r++)
		for (t = 0; t < T; t++)
			acc[r][t] = _mm256_setzero_si256();
	for (i = 0; i < full; i = i1) {
		i1 = full - i > GOLDEN16_WORDS ? i + GOLDEN16_WORDS : full;
		for (r = 0; r < 2; r++)
			for (t = 0; t < T; t++)
				a16[r][t] = _mm256_setzero_si256();
		for (; i < i1; i++) {
			size_t o = 64 * (size_t)i;

			w00 = _mm256_loadu_si256((const __m256i *)(w[0] + o));
			w01 = _mm256_loadu_si256((const __m256i *)(w[0] + o + 32));
			w10 = _mm256_loadu_si256((const __m256i *)(w[1] + o));
			w11 = _mm256_loadu_si256((const __m256i *)(w[1] + o + 32));
			for (t = 0; t < T; t++) {
				v0 = _mm256_loadu_si256((const __m256i *)(xb[t] + o));
				v1 = _mm256_loadu_si256((const __m256i *)(xb[t] + o + 32));
				a16[0][t] = _mm256_add_epi16(a16[0][t], _mm256_add_epi16(
					_mm256_maddubs_epi16(v0, w00), _mm256_maddubs_epi16(v1, w01)));
				a16[1][t] = _mm256_add_epi16(a16[1][t], _mm256_add_epi16(
					_mm256_maddubs_epi16(v0, w10), _mm256_maddubs_epi16(v1, w11)));
			}
		}
		for (r = 0; r < 2; r++)
			for (t = 0; t < T; t++)
				acc[r][t] = _mm256_add_epi32(acc[r][t], _mm256_madd_epi16(a16[r][t], ones16));
	}
	for (r = 0; r < 2; r++)
		for (t = 0; t < T; t++) {
			out[r][t] = 0;
			_mm256_storeu_si256((__m256i *)r8, acc[r][t]);
			for (l = 0; l < 8; l++)
				out[r][t] += r8[l];
		}
}

__attribute__((target("avx2")))
static void planes_rows2x4_avx2(const int8_t *const *w, const uint8_t *const *xb, uint32_t full,
				uint32_t (*out)[4])
{
	planes_rows_avx2(w, xb, full, 4, out);
}

__attribute__((target("avx2")))
static void planes_rows2x1_avx2(const int8_t *const *w, const uint8_t *const *xb, uint32_t full,
				uint32_t (*out)[4])
{
	planes_rows_avx2(w, xb, full, 1, out);
}

/* One row by one input with the words spread in registers: fewer than four inputs
 * (decode) do not pay for storing and reloading the spread row. Lane sums as above. */
__attribute__((target("avx2")))
static uint32_t planes_row1_avx2(const uint64_t *plus, const uint64_t *minus, const uint8_t *xb,
				 uint32_t full)
{
	const __m256i idx0 = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
					      2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
	const __m256i idx1 = _mm256_add_epi8(idx0, _mm256_set1_epi8(4));
	const __m256i sel = _mm256_set1_epi64x((int64_t)0x8040201008040201ull);
	__m256i acc = _mm256_setzero_si256(), a16, w0, w1;
	uint32_t i, i1, r8[8], l, out = 0;

	for (i = 0; i < full; i = i1) {
		i1 = full - i > GOLDEN16_WORDS ? i + GOLDEN16_WORDS : full;
		a16 = _mm256_setzero_si256();
		for (; i < i1; i++) {
			__m256i bp = _mm256_set1_epi64x((int64_t)plus[i]);
			__m256i bm = _mm256_set1_epi64x((int64_t)minus[i]);

			w0 = _mm256_sub_epi8(planes_bits_avx2(bp, idx0, sel), planes_bits_avx2(bm, idx0, sel));
			w1 = _mm256_sub_epi8(planes_bits_avx2(bp, idx1, sel), planes_bits_avx2(bm, idx1, sel));
			a16 = _mm256_add_epi16(a16, _mm256_add_epi16(
				_mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(xb + 64 * (size_t)i)), w0),
				_mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(xb + 64 * (size_t)i + 32)), w1)));
		}
		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a16, _mm256_set1_epi16(1)));
	}
	_mm256_storeu_si256((__m256i *)r8, acc);
	for (l = 0; l < 8; l++)
		out += r8[l];
	return out;
}
#endif



#ifdef GOLDEN_X86
/* Rows i0..i1-1 in pairs, inputs in fours (then one at a time): see planes_rows_avx2;
 * fewer than four inputs: planes_row1_avx2 per row and input. */
__attribute__((target("avx2,popcnt"))) /* every AVX2 CPU has popcnt */
static void planes_part_avx2(const struct planes_job *p, uint32_t i0, uint32_t i1, int8_t *wbuf)
{
	uint32_t full = p->k / 64, i, j, sw[2], s[2][4], w;
	size_t words = (p->k + 63) / 64;
	unsigned nr, nt, r, t;

	for (i = i0; p->n < 4 && i < i1; i++) {
		const uint64_t *plus = p->planes + (size_t)i * 2 * words, *minus = plus + words;

		for (w = 0, sw[0] = 0; w < full; w++)
			sw[0] += (uint32_t)__builtin_popcountll(plus[w]) -
				 (uint32_t)__builtin_popcountll(minus[w]);
		for (j = 0; j < p->n; j++)
			p->y[(size_t)j * p->m + i] = (int32_t)(
				planes_row1_avx2(plus, minus, p->xb + (size_t)j * p->k, full) - 128u * sw[0] +
				planes_tail(plus, minus, p->x + (size_t)j * p->k, 64 * full, p->k));
	}
	for (i = i0; p->n >= 4 && i < i1; i += nr) {
		const uint64_t *pl[2];
		const int8_t *wr[2];

		nr = i1 - i < 2 ? 1 : 2;
		for (r = 0; r < 2; r++) {
			const uint64_t *plus = p->planes + (size_t)(i + (r < nr ? r : 0)) * 2 * words;

			pl[r] = plus;
			wr[r] = wbuf + (r < nr ? r : 0) * 64 * (size_t)full;
			if (r >= nr)
				continue;
			planes_spread_avx2(plus, plus + words, full, wbuf + r * 64 * (size_t)full);
			sw[r] = 0;
			for (w = 0; w < full; w++)
				sw[r] += (uint32_t)__builtin_popcountll(plus[w]) -
					 (uint32_t)__builtin_popcountll(plus[words + w]);
		}
		for (j = 0; j < p->n; j += nt) {
			const uint8_t *xr[4];

			nt = p->n - j >= 4 ? 4 : 1;
			for (t = 0; t < nt; t++)
				xr[t] = p->xb + (size_t)(j + t) * p->k;
			if (nt == 4)
				planes_rows2x4_avx2(wr, xr, full, s);
			else
				planes_rows2x1_avx2(wr, xr, full, s);
			for (r = 0; r < nr; r++)
				for (t = 0; t < nt; t++)
					p->y[(size_t)(j + t) * p->m + i + r] = (int32_t)(s[r][t] - 128u * sw[r] +
						planes_tail(pl[r], pl[r] + words,
							    p->x + (size_t)(j + t) * p->k, 64 * full, p->k));
		}
	}
}
#endif

static void planes_part(void *ctx, unsigned part, unsigned parts)
{
	const struct planes_job *p = ctx;
	uint32_t i0 = (uint32_t)((uint64_t)p->m * part / parts);
	uint32_t i1 = (uint32_t)((uint64_t)p->m * (part + 1) / parts), i, j;
	size_t words = (p->k + 63) / 64;

#ifdef GOLDEN_X86
	if (p->vec == 1) {
		planes_part_avx2(p, i0, i1, p->wbuf + (size_t)part * 2 * 64 * (p->k / 64));
		return;
	}
	if (p->vec == 2) {
		planes_part_avx512(p, i0, i1);
		return;
	}
#endif
	for (i = i0; i < i1; i++) {
		const uint64_t *plus = p->planes + i * 2 * words, *minus = plus + words;

		for (j = 0; j < p->n; j++)
			p->y[(size_t)j * p->m + i] =
				(int32_t)planes_dot_plain(plus, minus, p->x + (size_t)j * p->k, p->k);
	}
}

void tern_golden_matmul_planes(const uint64_t *planes, const int8_t *x, int32_t *y,
			       uint32_t m, uint32_t k, uint32_t n)
{
	struct planes_job p = { planes, x, y, m, k, n,
				tern_kernel_avx512() ? 2 : tern_kernel_avx2() ? 1 : 0, NULL, NULL };
	unsigned parts = tern_pool_threads();
	uint8_t *buf = NULL;

	if (parts > m)
		parts = m ? m : 1;
	if (p.vec == 1) {
		/* biased activations and each part's two spread rows; without memory the
		 * plain loop gives the same bits */
		size_t xbytes = (size_t)n * k, i;

		buf = malloc(xbytes + (size_t)parts * 2 * 64 * (k / 64) + 1);
		if (!buf) {
			p.vec = 0;
		} else {
			for (i = 0; i < xbytes; i++)
				buf[i] = (uint8_t)x[i] ^ 0x80;
			p.xb = buf;
			p.wbuf = (int8_t *)(buf + xbytes);
		}
	}
	tern_pool_run(planes_part, &p, parts);
	free(buf);
}
