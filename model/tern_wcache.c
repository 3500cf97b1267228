/*
 * Resident weights of a model: every BitLinear is fetched from its source (generated
 * for the zoo, decoded from the GGUF) once, on first use, and kept as golden bit
 * planes (ref/tern_ref.h: 2 bits per weight, 0.52 GB for 2B-4T) with its scale; the
 * device keeps its own packed copy (driver/tern_gemm.c, resident layers), so the two
 * sides of the layer check never share a weight representation. Without a layer or
 * model check (tern_model_keep_planes(m, 0)) no planes are built at all. The tied embedding is
 * kept whole for the output projection, in the narrowest type that holds every value
 * exactly (BF16, else F16, else F32), so caching changes no logit: 0.66 GB for 2B-4T
 * from a 16-bit GGUF, 1.3 GB if the values need F32 (the zoo's do).
 *
 * The output projection (tern_wcache_logits) is the largest host cost: vocab x d
 * multiply-adds per position. Each logit is one fixed-order sum (16 partial sums,
 * combined in a fixed order, no fused multiply-add), computed by one thread: the
 * AVX-512, AVX2 (+F16C) and plain versions give the same bits, for any thread count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_model.h"
#include "tern_pool.h"
#include "tern_ref.h"
#include "tern_ternary.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define WC_X86 1
#endif

enum { E_BF16, E_F16, E_F32 };

struct tern_wcache {
	uint32_t n;            /* n_layer * TERN_LIN_COUNT */
	uint64_t **planes;
	uint8_t *fetched;      /* 1 once a BitLinear was fetched (planes or not) */
	int no_planes;         /* tern_model_keep_planes(m, 0) */
	float *scale;
	int etype;             /* E_* once embd is set */
	void *embd;            /* n_vocab x n_embd */
	uint64_t bytes;
};

void tern_wcache_free(struct tern_wcache *wc)
{
	uint32_t i;

	if (!wc)
		return;
	for (i = 0; wc->planes && i < wc->n; i++)
		free(wc->planes[i]);
	free(wc->planes);
	free(wc->fetched);
	free(wc->scale);
	free(wc->embd);
	free(wc);
}

static struct tern_wcache *get(struct tern_model *m)
{
	if (!m->wc) {
		struct tern_wcache *wc = calloc(1, sizeof(*wc));

		if (!wc)
			return NULL;
		wc->n = m->cfg.n_layer * TERN_LIN_COUNT;
		wc->planes = calloc(wc->n, sizeof(*wc->planes));
		wc->scale = calloc(wc->n, sizeof(*wc->scale));
		wc->fetched = calloc(wc->n, 1);
		if (!wc->planes || !wc->scale || !wc->fetched) {
			tern_wcache_free(wc);
			return NULL;
		}
		m->wc = wc;
	}
	return m->wc;
}

const uint64_t *tern_model_planes(const struct tern_model *m, uint32_t layer, uint32_t which)
{
	uint32_t id = layer * TERN_LIN_COUNT + which;

	return m->wc && id < m->wc->n ? m->wc->planes[id] : NULL;
}

void tern_model_keep_planes(struct tern_model *m, int keep)
{
	struct tern_wcache *wc = get(m);

	if (wc)
		wc->no_planes = !keep;
}

uint64_t tern_model_resident_bytes(const struct tern_model *m)
{
	return m->wc ? m->wc->bytes : 0;
}

/*
 * Weights of BitLinear (layer, which) into w (int8, when want_w) and its scale; the
 * first call fetches from the source and keeps the planes (unless no_planes). *fresh = 1
 * when w was filled by the first fetch.
 */
int tern_wcache_linear(struct tern_model *m, uint32_t layer, uint32_t which, int8_t *w,
		       int want_w, float *scale, int *fresh, char *err, size_t errlen)
{
	struct tern_wcache *wc = get(m);
	uint32_t id = layer * TERN_LIN_COUNT + which, mm, kk, i, j;
	size_t words;
	uint64_t *p;

	*fresh = 0;
	if (!wc)
		return snprintf(err, errlen, "out of memory for the resident weights"), -1;
	tern_lin_shape(&m->cfg, which, &mm, &kk);
	words = (kk + 63) / 64;
	if (wc->no_planes && (!wc->fetched[id] || want_w)) {
		/* No planes to rebuild w from: the source again (a non-resident caller). */
		if (m->ops->linear(m, layer, which, w, &wc->scale[id], err, errlen))
			return -1;
		*fresh = !wc->fetched[id];
		wc->fetched[id] = 1;
	} else if (!wc->planes[id] && !wc->no_planes) {
		if (m->ops->linear(m, layer, which, w, &wc->scale[id], err, errlen))
			return -1;
		p = malloc(tern_golden_plane_words(mm, kk) * sizeof(uint64_t));
		if (!p)
			return snprintf(err, errlen, "out of memory for the resident weights"), -1;
		tern_golden_planes(w, mm, kk, p);
		wc->planes[id] = p;
		wc->bytes += tern_golden_plane_words(mm, kk) * sizeof(uint64_t);
		wc->fetched[id] = 1;
		*fresh = 1;
	} else if (want_w) {
		p = wc->planes[id];
		for (i = 0; i < mm; i++, p += 2 * words)
			for (j = 0; j < kk; j++)
				w[(size_t)i * kk + j] = (int8_t)((p[j / 64] >> (j % 64) & 1) -
								 (p[words + j / 64] >> (j % 64) & 1));
	}
	*scale = wc->scale[id];
	return 0;
}

/* ---- embedding */

static int row_fits(const float *row, uint32_t d, int type)
{
	uint32_t i;

	for (i = 0; i < d; i++) {
		uint32_t b = tern_f32_bits(row[i]);

		if (type == E_BF16 && (b & 0xffff))
			return 0;
		if (type == E_F16 && tern_f32_bits(tern_f16_to_f32(tern_f32_to_f16(row[i]))) != b)
			return 0;
	}
	return 1;
}

static int load_embd(struct tern_model *m, struct tern_wcache *wc, char *err, size_t errlen)
{
	uint32_t d = m->cfg.n_embd, V = m->cfg.n_vocab, v, i;
	float *row = malloc(d * sizeof(float));
	size_t esz;
	int type, rc = -1;

	if (!row)
		return snprintf(err, errlen, "out of memory for the embedding"), -1;
	/* A source that stores 16-bit floats: its values fit that type by definition, so
	 * no probe, and the rows are copied as stored (each float the same value). */
	if (m->ops->embd_row16 && !m->ops->embd_row16(m, 0, (uint16_t *)row, &type)) {
		type = type ? E_BF16 : E_F16;
		if (!(wc->embd = malloc((size_t)V * d * 2))) {
			snprintf(err, errlen, "out of memory for the embedding (%zu bytes)", (size_t)V * d * 2);
			goto out;
		}
		for (v = 0; v < V; v++) {
			int bf16;

			if (m->ops->embd_row16(m, v, (uint16_t *)wc->embd + (size_t)v * d, &bf16)) {
				snprintf(err, errlen, "embedding row %u: not stored as 16-bit floats", v);
				goto out;
			}
		}
		esz = 2;
		goto done;
	}
	for (type = E_BF16; type <= E_F32; type++) {
		for (v = 0; v < V; v++) {
			if (m->ops->embd_row(m, v, row, err, errlen))
				goto out;
			if (!row_fits(row, d, type))
				break;
		}
		if (v == V)
			break;
	}
	esz = type == E_F32 ? 4 : 2;
	wc->embd = malloc((size_t)V * d * esz);
	if (!wc->embd) {
		snprintf(err, errlen, "out of memory for the embedding (%zu bytes)", (size_t)V * d * esz);
		goto out;
	}
	for (v = 0; v < V; v++) {
		if (m->ops->embd_row(m, v, row, err, errlen))
			goto out;
		for (i = 0; i < d; i++) {
			size_t at = (size_t)v * d + i;

			if (type == E_F32)
				((float *)wc->embd)[at] = row[i];
			else if (type == E_F16)
				((uint16_t *)wc->embd)[at] = tern_f32_to_f16(row[i]);
			else
				((uint16_t *)wc->embd)[at] = (uint16_t)(tern_f32_bits(row[i]) >> 16);
		}
	}
done:
	wc->etype = type;
	wc->bytes += (uint64_t)V * d * esz;
	rc = 0;
out:
	if (rc) {
		free(wc->embd);
		wc->embd = NULL;
	}
	free(row);
	return rc;
}

#define LANES 16

static float elem(const void *e, int type, size_t i)
{
	if (type == E_F32)
		return ((const float *)e)[i];
	if (type == E_F16)
		return tern_f16_to_f32(((const uint16_t *)e)[i]);
	return tern_f32_from_bits((uint32_t)((const uint16_t *)e)[i] << 16);
}

/* The fixed combination both kernels end with. */
static float combine(const float *s, float t)
{
	float a = 0.0f;
	int j;

	for (j = 0; j < LANES; j++)
		a += s[j];
	return a + t;
}

static float dot_plain(const float *h, const void *e, int type, uint32_t d)
{
	float s[LANES] = { 0 }, t = 0.0f;
	uint32_t k = 0, j;

	for (; k + LANES <= d; k += LANES)
		for (j = 0; j < LANES; j++)
			s[j] = s[j] + h[k + j] * elem(e, type, k + j);
	for (; k < d; k++)
		t = t + h[k] * elem(e, type, k);
	return combine(s, t);
}

#ifdef WC_X86
__attribute__((target("avx512f,avx512bw")))
static float dot_avx512(const float *h, const void *e, int type, uint32_t d)
{
	__m512 s = _mm512_setzero_ps(), ev;
	float sv[LANES], t = 0.0f;
	uint32_t k = 0;

	for (; k + LANES <= d; k += LANES) {
		if (type == E_F32)
			ev = _mm512_loadu_ps((const float *)e + k);
		else if (type == E_F16)
			ev = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)((const uint16_t *)e + k)));
		else
			ev = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(
				_mm256_loadu_si256((const __m256i *)((const uint16_t *)e + k))), 16));
		s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_loadu_ps(h + k), ev));
	}
	for (; k < d; k++)
		t = t + h[k] * elem(e, type, k);
	_mm512_storeu_ps(sv, s);
	return combine(sv, t);
}

/*
 * Four independent logits, out[j] = e[j] . h[j], each summed exactly as dot_avx512
 * sums it (so the same bits): four accumulators in flight hide the latency of the
 * add chain that bounds dot_avx512, several times its speed on the output projection.
 * Pairs share an embedding row (prefill: one row, four positions) or an input (decode:
 * four rows, one position).
 */
__attribute__((target("avx512f,avx512bw")))
static void dot4_avx512(const float *const *h, const void *const *e, int type, uint32_t d,
			float *const *out)
{
	__m512 s[4] = { _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
			_mm512_setzero_ps() }, ev;
	float sv[LANES];
	uint32_t k, j;

	for (k = 0; k + LANES <= d; k += LANES)
		for (j = 0; j < 4; j++) {
			if (type == E_F32)
				ev = _mm512_loadu_ps((const float *)e[j] + k);
			else if (type == E_F16)
				ev = _mm512_cvtph_ps(_mm256_loadu_si256(
					(const __m256i *)((const uint16_t *)e[j] + k)));
			else
				ev = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(
					_mm256_loadu_si256((const __m256i *)((const uint16_t *)e[j] + k))), 16));
			s[j] = _mm512_add_ps(s[j], _mm512_mul_ps(_mm512_loadu_ps(h[j] + k), ev));
		}
	for (j = 0; j < 4; j++) {
		float t = 0.0f;

		for (k = d / LANES * LANES; k < d; k++)
			t = t + h[j][k] * elem(e[j], type, k);
		_mm512_storeu_ps(sv, s[j]);
		*out[j] = combine(sv, t);
	}
}

/*
 * The AVX2 + F16C versions, for CPUs without AVX-512: the 16 partial sums of the plain
 * loop are two 8-float vectors, each lane the same multiply then add (no FMA: the
 * target does not enable it) in the same order, so the same bits again.
 */
__attribute__((target("avx2,f16c")))
static inline __m256 elem8_avx2(const void *e, int type, uint32_t k)
{
	if (type == E_F32)
		return _mm256_loadu_ps((const float *)e + k);
	if (type == E_F16)
		return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)e + k)));
	return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(
		_mm_loadu_si128((const __m128i *)((const uint16_t *)e + k))), 16));
}

__attribute__((target("avx2,f16c")))
static float dot_avx2(const float *h, const void *e, int type, uint32_t d)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	float sv[LANES], t = 0.0f;
	uint32_t k = 0;

	for (; k + LANES <= d; k += LANES) {
		s0 = _mm256_add_ps(s0, _mm256_mul_ps(_mm256_loadu_ps(h + k), elem8_avx2(e, type, k)));
		s1 = _mm256_add_ps(s1, _mm256_mul_ps(_mm256_loadu_ps(h + k + 8),
						     elem8_avx2(e, type, k + 8)));
	}
	for (; k < d; k++)
		t = t + h[k] * elem(e, type, k);
	_mm256_storeu_ps(sv, s0);
	_mm256_storeu_ps(sv + 8, s1);
	return combine(sv, t);
}

/* dot4_avx512's contract: four logits, eight add chains in flight. */
__attribute__((target("avx2,f16c")))
static void dot4_avx2(const float *const *h, const void *const *e, int type, uint32_t d,
		      float *const *out)
{
	__m256 s[4][2];
	float sv[LANES];
	uint32_t k, j;

	for (j = 0; j < 4; j++)
		s[j][0] = s[j][1] = _mm256_setzero_ps();
	for (k = 0; k + LANES <= d; k += LANES)
		for (j = 0; j < 4; j++) {
			s[j][0] = _mm256_add_ps(s[j][0], _mm256_mul_ps(_mm256_loadu_ps(h[j] + k),
								       elem8_avx2(e[j], type, k)));
			s[j][1] = _mm256_add_ps(s[j][1], _mm256_mul_ps(_mm256_loadu_ps(h[j] + k + 8),
								       elem8_avx2(e[j], type, k + 8)));
		}
	for (j = 0; j < 4; j++) {
		float t = 0.0f;

		for (k = d / LANES * LANES; k < d; k++)
			t = t + h[j][k] * elem(e[j], type, k);
		_mm256_storeu_ps(sv, s[j][0]);
		_mm256_storeu_ps(sv + 8, s[j][1]);
		*out[j] = combine(sv, t);
	}
}
#endif

struct logit_job {
	const struct tern_wcache *wc;
	const float *const *h;  /* nh input vectors */
	float *const *out;      /* nh logit rows */
	uint32_t nh, d, V;
	int vec; /* 0 plain, 1 AVX2, 2 AVX-512 */
};

static void logit_part(void *ctx, unsigned part, unsigned parts)
{
	const struct logit_job *p = ctx;
	uint32_t v0 = (uint32_t)((uint64_t)p->V * part / parts);
	uint32_t v1 = (uint32_t)((uint64_t)p->V * (part + 1) / parts), v, i;
	size_t esz = p->wc->etype == E_F32 ? 4 : 2;

#ifdef WC_X86
	const float *ph[4];
	const void *pe[4];
	float *po[4];
	unsigned np = 0;
#endif

	for (v = v0; v < v1; v++) {
		const void *e = (const char *)p->wc->embd + (size_t)v * p->d * esz;

		for (i = 0; i < p->nh; i++) {
#ifdef WC_X86
			if (p->vec) {
				ph[np] = p->h[i];
				pe[np] = e;
				po[np] = &p->out[i][v];
				if (++np == 4) {
					if (p->vec == 2)
						dot4_avx512(ph, pe, p->wc->etype, p->d, po);
					else
						dot4_avx2(ph, pe, p->wc->etype, p->d, po);
					np = 0;
				}
				continue;
			}
#endif
			p->out[i][v] = dot_plain(p->h[i], e, p->wc->etype, p->d);
		}
	}
#ifdef WC_X86
	for (i = 0; i < np; i++) /* the last pairs of the part */
		*po[i] = p->vec == 2 ? dot_avx512(ph[i], pe[i], p->wc->etype, p->d)
				     : dot_avx2(ph[i], pe[i], p->wc->etype, p->d);
#endif
}

/*
 * One token's embedding row for the forward pass: from the resident copy once the
 * output projection has loaded it (it holds every value exactly, so the row is the
 * same), else from the source. Reading a GGUF row maps the file's pages around it (a
 * page-cache folio can be far larger than the row), and those would stay in the
 * process's memory; the copy is already resident.
 */
int tern_wcache_embd_row(struct tern_model *m, uint32_t tok, float *dst, char *err,
			 size_t errlen)
{
	const struct tern_wcache *wc = m->wc;
	uint32_t d = m->cfg.n_embd, i;

	if (!wc || !wc->embd || tok >= m->cfg.n_vocab)
		return m->ops->embd_row(m, tok, dst, err, errlen);
	for (i = 0; i < d; i++)
		dst[i] = elem(wc->embd, wc->etype, (size_t)tok * d + i);
	return 0;
}

/* out[i][v] = E[v] . h[i] for every vocabulary row v; the embedding is kept on first use. */
int tern_wcache_logits(struct tern_model *m, const float *const *h, float *const *out,
		       uint32_t nh, char *err, size_t errlen)
{
	struct tern_wcache *wc = get(m);
	struct logit_job p;
	unsigned parts = tern_pool_threads() * 4;

	if (!wc)
		return snprintf(err, errlen, "out of memory for the resident weights"), -1;
	if (!wc->embd && load_embd(m, wc, err, errlen))
		return -1;
	p.wc = wc;
	p.h = h;
	p.out = out;
	p.nh = nh;
	p.d = m->cfg.n_embd;
	p.V = m->cfg.n_vocab;
	p.vec = tern_kernel_avx512() ? 2 : tern_kernel_avx2() ? 1 : 0;
	tern_pool_run(logit_part, &p, parts);
	return 0;
}
