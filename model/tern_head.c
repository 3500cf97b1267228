/*
 * The output head on the add-only array: balanced-ternary digit planes.
 *
 * The tied output projection (n_vocab x n_embd, BF16 in BitNet 2B-4T) is the largest
 * tensor of a decode step; left on the host it streams 656 MB per token. Here each row
 * v is quantized to integers q in [-Q, Q], Q = (3^P - 1) / 2, with one float scale s_v
 * per row, and q is written in balanced ternary: q = t0 + 3 t1 (+ 9 t2), every digit t_p
 * in {-1, 0, +1}. Each digit plane is an ordinary ternary matrix, so the P planes,
 * stacked into one (P * n_vocab) x n_embd BitLinear, run on the unchanged array as one
 * GEMM; the host combines y_v = sum_p 3^p acc[p][v] by Horner's rule with shifts and
 * adds only (3y = (y << 1) + y), then logits_v = y_v * (s_v / act_scale), the same
 * scaling a BitLinear output gets. Integer results are exact (|y| <= Q * 127 * K fits
 * in int32 for K < 2^31 / 1651), so the head is bit-exact against an integer matvec of
 * q; only the quantization of the float weights (and of the input to int8) loses
 * information, which docs/model.md ("Output head") measures as KL against the float
 * head.
 *
 * Why balanced ternary rather than int4 bit planes: a {-1,0,+1} plane is exactly what
 * the array's 2-bit (and base-3) weight path already carries, and P ternary digits give
 * 3^P levels (9 for P = 2, 27 for P = 3) where P two's-complement bit planes give 2^P;
 * per level the DRAM bytes are lower (2 planes x 2 bits = 4 bits per weight for 9
 * levels, 3 planes = 6 bits for 27 levels).
 *
 * Per-row scale: the absmax scale max|w| / Q is refined over a few clipping ratios to
 * the one with the least squared error for that row (rows of an embedding have
 * outliers; clipping them gives the many small weights more levels).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_model.h"
#include "tern_ref.h"

/* Clipping ratios tried per row (1 = absmax); the least squared error wins. */
static const float clip_ratio[] = { 1.0f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f };
#define N_CLIP (sizeof(clip_ratio) / sizeof(clip_ratio[0]))

int32_t tern_head_levels(uint32_t planes)
{
	int32_t q = 0;
	uint32_t p;

	for (p = 0; p < planes; p++)
		q = 3 * q + 1; /* (3^P - 1) / 2 = 1 + 3 + ... + 3^(P-1) */
	return q;
}

static int32_t quant1(float w, float inv, int32_t qmax)
{
	float r = nearbyintf(w * inv);

	if (r > (float)qmax)
		return qmax;
	if (r < (float)-qmax)
		return -qmax;
	return (int32_t)r;
}

float tern_head_quant_row(const float *w, uint32_t k, uint32_t planes, int32_t *q)
{
	int32_t qmax = tern_head_levels(planes);
	float amax = 0.0f, best_s = 0.0f;
	double best_err = -1.0;
	uint32_t i, c;

	for (i = 0; i < k; i++)
		if (fabsf(w[i]) > amax)
			amax = fabsf(w[i]);
	if (!(amax > 0.0f)) {
		memset(q, 0, (size_t)k * sizeof(*q));
		return 0.0f;
	}
	for (c = 0; c < N_CLIP; c++) {
		float s = amax * clip_ratio[c] / (float)qmax, inv = 1.0f / s;
		double err = 0.0;

		for (i = 0; i < k; i++) {
			double d = (double)w[i] - (double)s * quant1(w[i], inv, qmax);

			err += d * d;
		}
		if (best_err < 0.0 || err < best_err) {
			best_err = err;
			best_s = s;
		}
	}
	for (i = 0; i < k; i++)
		q[i] = quant1(w[i], 1.0f / best_s, qmax);
	return best_s;
}

void tern_head_digits(const int32_t *q, uint32_t k, uint32_t planes, int8_t *t, size_t stride)
{
	uint32_t i, p;

	for (i = 0; i < k; i++) {
		int32_t v = q[i];

		for (p = 0; p < planes; p++) {
			int32_t d = ((v % 3) + 3) % 3; /* 0, 1, 2 */

			if (d == 2)
				d = -1;
			t[p * stride + i] = (int8_t)d;
			v = (v - d) / 3;
		}
	}
}

void tern_head_combine(const int32_t *acc, uint32_t planes, uint32_t n_vocab, int32_t *y)
{
	uint32_t v;
	int p;

	for (v = 0; v < n_vocab; v++) {
		uint32_t s = (uint32_t)acc[(size_t)(planes - 1) * n_vocab + v];

		/* Horner, high digit first: s = 3s + acc[p] = (s << 1) + s + acc[p]. Unsigned,
		 * so the shift of a negative sum is defined; the result fits int32. */
		for (p = (int)planes - 2; p >= 0; p--)
			s = (s << 1) + s + (uint32_t)acc[(size_t)p * n_vocab + v];
		y[v] = (int32_t)s;
	}
}

struct tern_head {
	uint32_t planes;
	int8_t *w;        /* (planes * n_vocab) x n_embd digits, plane-major */
	float *scale;     /* n_vocab */
	uint64_t *gold;   /* golden bit planes of w */
};

void tern_head_free(struct tern_head *h)
{
	if (!h)
		return;
	free(h->w);
	free(h->scale);
	free(h->gold);
	free(h);
}

/* Build the planes of m's tied embedding once (quantized row by row). */
static int head_build(struct tern_model *m, char *err, size_t errlen)
{
	const struct tern_model_config *c = &m->cfg;
	size_t rows = (size_t)c->head_planes * c->n_vocab, d = c->n_embd;
	struct tern_head *h = calloc(1, sizeof(*h));
	float *row = malloc(d * sizeof(float));
	int32_t *q = malloc(d * sizeof(int32_t));
	uint32_t v;

	if (h) {
		h->planes = c->head_planes;
		h->w = malloc(rows * d);
		h->scale = malloc((size_t)c->n_vocab * sizeof(float));
		h->gold = malloc(tern_golden_plane_words((uint32_t)rows, c->n_embd) *
				 sizeof(uint64_t));
	}
	if (!h || !row || !q || !h->w || !h->scale || !h->gold) {
		snprintf(err, errlen, "out of memory for the output head's digit planes");
		goto fail;
	}
	for (v = 0; v < c->n_vocab; v++) {
		if (m->ops->embd_row(m, v, row, err, errlen))
			goto fail;
		h->scale[v] = tern_head_quant_row(row, c->n_embd, h->planes, q);
		tern_head_digits(q, c->n_embd, h->planes, h->w + (size_t)v * d,
				 (size_t)c->n_vocab * d);
	}
	tern_golden_planes(h->w, (uint32_t)rows, c->n_embd, h->gold);
	free(row);
	free(q);
	m->head = h;
	return 0;
fail:
	free(row);
	free(q);
	tern_head_free(h);
	return -1;
}

int tern_head_get(struct tern_model *m, const int8_t **w, const float **scale,
		  const uint64_t **gold, int *fresh, char *err, size_t errlen)
{
	*fresh = 0;
	if (!m->head) {
		if (head_build(m, err, errlen))
			return -1;
		*fresh = 1;
	}
	*w = m->head->w;
	*scale = m->head->scale;
	*gold = m->head->gold;
	return 0;
}

const uint64_t *tern_head_planes(const struct tern_model *m)
{
	return m->head ? m->head->gold : NULL;
}

const char *tern_head_name(uint32_t planes)
{
	return planes == 0 ? "float" : planes == 2 ? "t2" : planes == 3 ? "t3" : "?";
}

int tern_head_parse(const char *s, uint32_t *planes)
{
	if (!strcmp(s, "float"))
		*planes = 0;
	else if (!strcmp(s, "t2"))
		*planes = 2;
	else if (!strcmp(s, "t3"))
		*planes = 3;
	else
		return -1;
	return 0;
}
