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

void tern_golden_planes(const int8_t *w, uint32_t m, uint32_t k, uint64_t *planes)
{
	size_t words = (k + 63) / 64, i, j;

	memset(planes, 0, tern_golden_plane_words(m, k) * sizeof(uint64_t));
	for (i = 0; i < m; i++) {
		uint64_t *plus = planes + i * 2 * words, *minus = plus + words;

		for (j = 0; j < k; j++) {
			if (w[i * k + j] > 0)
				plus[j / 64] |= 1ull << (j % 64);
			else if (w[i * k + j] < 0)
				minus[j / 64] |= 1ull << (j % 64);
		}
	}
}

/* sum of x[j] where plus has bit j, minus that where minus has it; modulo 2^32. */
static uint32_t planes_dot_plain(const uint64_t *plus, const uint64_t *minus, const int8_t *x,
				 uint32_t k)
{
	uint32_t s = 0, j;

	for (j = 0; j < k; j++) {
		uint64_t bit = 1ull << (j % 64);

		if (plus[j / 64] & bit)
			s += (uint32_t)x[j];
		if (minus[j / 64] & bit)
			s -= (uint32_t)x[j];
	}
	return s;
}

#ifdef GOLDEN_X86
/*
 * The same sums, 64 activations at a time: masked byte moves, then vpdpbusd by ones,
 * for up to four inputs against one row's planes (nx of them), each with its own
 * accumulators so four add chains are in flight. Integer sums modulo 2^32: the order
 * does not change a bit.
 */
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void planes_dot4_avx512(const uint64_t *plus, const uint64_t *minus,
			       const int8_t *const *x, unsigned nx, uint32_t k, uint32_t *out)
{
	const __m512i ones = _mm512_set1_epi8(1);
	__m512i sp[4], sm[4], v;
	uint32_t w, words = (k + 63) / 64;
	unsigned j;

	for (j = 0; j < 4; j++)
		sp[j] = sm[j] = _mm512_setzero_si512();
	for (w = 0; w < words; w++) {
		__mmask64 live = k - 64 * w >= 64 ? ~0ull : (1ull << (k - 64 * w)) - 1;
		__mmask64 mp = plus[w], mm = minus[w];

		for (j = 0; j < nx; j++) {
			v = _mm512_maskz_loadu_epi8(live, x[j] + 64 * (size_t)w);
			sp[j] = _mm512_dpbusd_epi32(sp[j], ones, _mm512_maskz_mov_epi8(mp, v));
			sm[j] = _mm512_dpbusd_epi32(sm[j], ones, _mm512_maskz_mov_epi8(mm, v));
		}
	}
	for (j = 0; j < nx; j++)
		out[j] = (uint32_t)_mm512_reduce_add_epi32(_mm512_sub_epi32(sp[j], sm[j]));
}

/*
 * The same sums on AVX2 (no mask registers): each 64-bit plane word is spread into
 * 0/1 bytes (broadcast, vpshufb so byte i holds the word's byte i / 8, keep bit i % 8,
 * vpminub with 1), once for up to four inputs; then vpmaddubsw of those 0/1 bytes with
 * the activations adds the selected ones in pairs into int16 (|x + x| <= 256, the plus
 * minus minus difference of both halves <= 1024 per word, so GOLDEN16_WORDS = 16 words
 * stay exact in int16 before vpmaddwd widens them). A tail of k % 64 activations is
 * summed bit by bit.
 */
#define GOLDEN16_WORDS 16u

__attribute__((target("avx2")))
static inline __m256i planes_bits_avx2(__m256i bc, __m256i idx, __m256i sel)
{
	return _mm256_min_epu8(_mm256_and_si256(_mm256_shuffle_epi8(bc, idx), sel),
			       _mm256_set1_epi8(1));
}

__attribute__((target("avx2")))
static void planes_dot4_avx2(const uint64_t *plus, const uint64_t *minus,
			     const int8_t *const *x, unsigned nx, uint32_t k, uint32_t *out)
{
	const __m256i idx0 = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
					      2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
	const __m256i idx1 = _mm256_add_epi8(idx0, _mm256_set1_epi8(4));
	const __m256i sel = _mm256_set1_epi64x((int64_t)0x8040201008040201ull);
	const __m256i ones16 = _mm256_set1_epi16(1);
	__m256i acc[4], a16[4], p0, p1, m0, m1, v0, v1, d;
	uint32_t w, w1, full = k / 64, r[8], i;
	unsigned j;

	for (j = 0; j < 4; j++)
		acc[j] = _mm256_setzero_si256();
	for (w = 0; w < full; w = w1) {
		w1 = full - w > GOLDEN16_WORDS ? w + GOLDEN16_WORDS : full;
		for (j = 0; j < 4; j++)
			a16[j] = _mm256_setzero_si256();
		for (; w < w1; w++) {
			__m256i bp = _mm256_set1_epi64x((int64_t)plus[w]);
			__m256i bm = _mm256_set1_epi64x((int64_t)minus[w]);

			p0 = planes_bits_avx2(bp, idx0, sel);
			p1 = planes_bits_avx2(bp, idx1, sel);
			m0 = planes_bits_avx2(bm, idx0, sel);
			m1 = planes_bits_avx2(bm, idx1, sel);
			for (j = 0; j < nx; j++) {
				v0 = _mm256_loadu_si256((const __m256i *)(x[j] + 64 * (size_t)w));
				v1 = _mm256_loadu_si256((const __m256i *)(x[j] + 64 * (size_t)w + 32));
				d = _mm256_sub_epi16(_mm256_maddubs_epi16(p0, v0),
						     _mm256_maddubs_epi16(m0, v0));
				d = _mm256_add_epi16(d, _mm256_sub_epi16(_mm256_maddubs_epi16(p1, v1),
									 _mm256_maddubs_epi16(m1, v1)));
				a16[j] = _mm256_add_epi16(a16[j], d);
			}
		}
		for (j = 0; j < nx; j++)
			acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(a16[j], ones16));
	}
	for (j = 0; j < nx; j++) {
		uint32_t t = 0;

		_mm256_storeu_si256((__m256i *)r, acc[j]);
		for (i = 0; i < 8; i++)
			t += r[i];
		for (i = 64 * full; i < k; i++) {
			uint64_t bit = 1ull << (i % 64);

			if (plus[i / 64] & bit)
				t += (uint32_t)x[j][i];
			if (minus[i / 64] & bit)
				t -= (uint32_t)x[j][i];
		}
		out[j] = t;
	}
}
#endif

struct planes_job {
	const uint64_t *planes;
	const int8_t *x;
	int32_t *y;
	uint32_t m, k, n;
	int vec; /* 0 plain, 1 AVX2, 2 AVX-512 */
};

static void planes_part(void *ctx, unsigned part, unsigned parts)
{
	const struct planes_job *p = ctx;
	uint32_t i0 = (uint32_t)((uint64_t)p->m * part / parts);
	uint32_t i1 = (uint32_t)((uint64_t)p->m * (part + 1) / parts), i, j;
	size_t words = (p->k + 63) / 64;

	for (i = i0; i < i1; i++) {
		const uint64_t *plus = p->planes + i * 2 * words, *minus = plus + words;

		for (j = 0; j < p->n; j++) {
#ifdef GOLDEN_X86
			if (p->vec) {
				const int8_t *xr[4];
				uint32_t s[4];
				unsigned nx = p->n - j < 4 ? p->n - j : 4, t;

				for (t = 0; t < nx; t++)
					xr[t] = p->x + (size_t)(j + t) * p->k;
				if (p->vec == 2)
					planes_dot4_avx512(plus, minus, xr, nx, p->k, s);
				else
					planes_dot4_avx2(plus, minus, xr, nx, p->k, s);
				for (t = 0; t < nx; t++)
					p->y[(size_t)(j + t) * p->m + i] = (int32_t)s[t];
				j += nx - 1;
				continue;
			}
#endif
			p->y[(size_t)j * p->m + i] =
				(int32_t)planes_dot_plain(plus, minus, p->x + (size_t)j * p->k, p->k);
		}
	}
}

void tern_golden_matmul_planes(const uint64_t *planes, const int8_t *x, int32_t *y,
			       uint32_t m, uint32_t k, uint32_t n)
{
	struct planes_job p = { planes, x, y, m, k, n,
				tern_kernel_avx512() ? 2 : tern_kernel_avx2() ? 1 : 0 };
	unsigned parts = tern_pool_threads();

	if (parts > m)
		parts = m ? m : 1;
	tern_pool_run(planes_part, &p, parts);
}
