/*
 * Forward and backward pass of the trainer's network over one sequence.
 *
 * The forward pass is tern_forward.c's block computed in float over a whole sequence
 * at once, keeping every intermediate the backward pass needs. BitLinears run on the
 * weights prepared for the step (ternary * fp16 scale, or float) and on activations
 * put through the inference pass's own quantizers (tern_quant_a8 and friends) and
 * scaled back, so the trained function is the one tern runs. The backward pass uses
 * the straight-through estimator: quantizers pass gradients unchanged, and the
 * gradient of a quantized weight is the gradient of its float master.
 *
 * The three matmul shapes are written as row updates (y_row += c * w_row) four rows at
 * a time: the compiler vectorizes them without reassociating any sum, so results are
 * the same on every run. Loss sums and norms use double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tern_train.h"

/* The matmul rows also get an AVX2 copy, picked at load time where the CPU has it:
 * 8 floats per instruction instead of 4. ISO C mode keeps -ffp-contract=off and the
 * avx2 target has no FMA, so each element is the same multiply-then-add in the same
 * order: the two copies give identical bits. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define TERN_MM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TERN_MM_CLONES
#endif

/* Per-layer activations kept for the backward pass (each T x width). */
struct tlayer {
	float *x0, *h1, *a1, *q, *k, *v, *p, *att, *h2, *a2;
	float *x1, *h3, *a3, *g, *u, *mm, *h4, *a4;
};

struct tern_tnet_ws {
	struct tern_model_config c;
	uint32_t T, Tmax;     /* tokens of the current run; capacity */
	struct tlayer *ly;
	float *xf, *hf, *logits;
	float *wq[64 * TERN_LIN_COUNT];  /* prepared weights M x K, per layer and linear */
	float *wt[64 * TERN_LIN_COUNT];  /* the same transposed, K x M */
	float *et;                       /* embedding transposed, d x V */
	int8_t *codes;
	/* backward scratch */
	float *dx, *dh, *da, *dq, *dk, *dv, *datt, *dg, *du, *dmm, *dp, *tmp;
};

static float *fa(size_t n)
{
	return calloc(n ? n : 1, sizeof(float));
}

static uint32_t wmax(const struct tern_model_config *c)
{
	uint32_t w = c->n_embd, q = c->n_head * c->head_dim;

	if (q > w)
		w = q;
	return c->n_ff > w ? c->n_ff : w;
}

/* Every buffer allocated (tern_tnet_ws_new checks before handing the workspace out). */
static int ws_complete(const struct tern_tnet_ws *ws)
{
	const float *f[] = { ws->xf, ws->hf, ws->logits, ws->et, ws->dx, ws->dh, ws->da,
			     ws->dq, ws->dk, ws->dv, ws->datt, ws->dg, ws->du, ws->dmm, ws->dp,
			     ws->tmp };
	uint32_t l, i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!f[i])
			return 0;
	for (l = 0; l < ws->c.n_layer; l++) {
		const struct tlayer *y = &ws->ly[l];
		const float *g[] = { y->x0, y->h1, y->a1, y->q, y->k, y->v, y->p, y->att, y->h2,
				     y->a2, y->x1, y->h3, y->a3, y->g, y->u, y->mm, y->h4, y->a4 };

		for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
			if (!g[i])
				return 0;
		for (i = 0; i < TERN_LIN_COUNT; i++)
			if (!ws->wq[l * TERN_LIN_COUNT + i] || !ws->wt[l * TERN_LIN_COUNT + i])
				return 0;
	}
	return ws->codes != NULL;
}

void tern_tnet_ws_free(struct tern_tnet_ws *ws);

struct tern_tnet_ws *tern_tnet_ws_new(const struct tern_model_config *c, uint32_t T)
{
	struct tern_tnet_ws *ws = calloc(1, sizeof(*ws));
	size_t d = c->n_embd, qd = (size_t)c->n_head * c->head_dim, ff = c->n_ff;
	size_t kv = (size_t)c->n_head_kv * c->head_dim, W = wmax(c), l, i;
	uint32_t m, k;

	if (!ws || c->n_layer > 64)
		return free(ws), NULL;
	ws->c = *c;
	ws->T = ws->Tmax = T;
	ws->ly = calloc(c->n_layer, sizeof(*ws->ly));
	if (!ws->ly)
		return free(ws), NULL;
	for (l = 0; l < c->n_layer; l++) {
		struct tlayer *y = &ws->ly[l];

		y->x0 = fa(T * d); y->h1 = fa(T * d); y->a1 = fa(T * d);
		y->q = fa(T * qd); y->k = fa(T * kv); y->v = fa(T * kv);
		y->p = fa((size_t)c->n_head * T * T); y->att = fa(T * qd);
		y->h2 = fa(T * qd); y->a2 = fa(T * qd); y->x1 = fa(T * d);
		y->h3 = fa(T * d); y->a3 = fa(T * d); y->g = fa(T * ff); y->u = fa(T * ff);
		y->mm = fa(T * ff); y->h4 = fa(T * ff); y->a4 = fa(T * ff);
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			tern_lin_shape(c, (uint32_t)i, &m, &k);
			ws->wq[l * TERN_LIN_COUNT + i] = fa((size_t)m * k);
			ws->wt[l * TERN_LIN_COUNT + i] = fa((size_t)m * k);
		}
	}
	ws->xf = fa(T * d); ws->hf = fa(T * d); ws->logits = fa((size_t)T * c->n_vocab);
	ws->et = fa(d * c->n_vocab);
	ws->codes = malloc(W * W);
	ws->dx = fa(T * d); ws->dh = fa(T * W); ws->da = fa(T * W);
	ws->dq = fa(T * qd); ws->dk = fa(T * kv); ws->dv = fa(T * kv); ws->datt = fa(T * qd);
	ws->dg = fa(T * ff); ws->du = fa(T * ff); ws->dmm = fa(T * ff);
	ws->dp = fa((size_t)T * c->n_vocab > T ? (size_t)T * c->n_vocab : T);
	ws->tmp = fa(W > T ? W : T);
	if (!ws_complete(ws)) {
		tern_tnet_ws_free(ws);
		return NULL;
	}
	return ws;
}

void tern_tnet_ws_free(struct tern_tnet_ws *ws)
{
	uint32_t l, i;

	if (!ws)
		return;
	for (l = 0; ws->ly && l < ws->c.n_layer; l++) {
		struct tlayer *y = &ws->ly[l];
		float **f[] = { &y->x0, &y->h1, &y->a1, &y->q, &y->k, &y->v, &y->p, &y->att,
				&y->h2, &y->a2, &y->x1, &y->h3, &y->a3, &y->g, &y->u, &y->mm,
				&y->h4, &y->a4 };

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			free(*f[i]);
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			free(ws->wq[l * TERN_LIN_COUNT + i]);
			free(ws->wt[l * TERN_LIN_COUNT + i]);
		}
	}
	free(ws->ly);
	free(ws->xf); free(ws->hf); free(ws->logits); free(ws->et); free(ws->codes);
	free(ws->dx); free(ws->dh); free(ws->da); free(ws->dq); free(ws->dk); free(ws->dv);
	free(ws->datt); free(ws->dg); free(ws->du); free(ws->dmm); free(ws->dp); free(ws->tmp);
	free(ws);
}

const float *tern_tnet_logits(const struct tern_tnet_ws *ws, uint32_t i)
{
	return ws->logits + (size_t)i * ws->c.n_vocab;
}

static void transpose(const float *a, uint32_t rows, uint32_t cols, float *t)
{
	uint32_t r, c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++)
			t[(size_t)c * rows + r] = a[(size_t)r * cols + c];
}

void tern_tnet_prepare(struct tern_tnet_ws *ws, struct tern_tparams *p, uint32_t quant)
{
	const struct tern_model_config *c = &ws->c;
	uint32_t l, i, m, k;
	size_t j, n;

	for (l = 0; l < c->n_layer; l++)
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			const float *w = tern_tparams_lin(p, l, i);
			float *q = ws->wq[l * TERN_LIN_COUNT + i], s;

			tern_lin_shape(c, i, &m, &k);
			n = (size_t)m * k;
			if (quant == TERN_TQ_FLOAT) {
				memcpy(q, w, n * sizeof(float));
			} else {
				s = tern_train_ternarize(w, n, ws->codes);
				for (j = 0; j < n; j++)
					q[j] = ws->codes[j] * s;
			}
			transpose(q, m, k, ws->wt[l * TERN_LIN_COUNT + i]);
		}
	transpose(tern_tparams_embd(p), c->n_vocab, c->n_embd, ws->et);
}

/* y[t][0..M) = sum_k x[t][k] * wt[k][0..M)   (x: T x K, wt: K x M) */
TERN_MM_CLONES static void mm_fwd(const float *x, uint32_t T, uint32_t K, const float *wt, uint32_t M,
		   float *y)
{
	uint32_t t = 0, k, m;

	for (; t + 4 <= T; t += 4) {
		float *y0 = y + (size_t)t * M, *y1 = y0 + M, *y2 = y1 + M, *y3 = y2 + M;
		const float *x0 = x + (size_t)t * K, *x1 = x0 + K, *x2 = x1 + K, *x3 = x2 + K;

		memset(y0, 0, 4 * (size_t)M * sizeof(float));
		for (k = 0; k < K; k++) {
			const float *w = wt + (size_t)k * M;
			float c0 = x0[k], c1 = x1[k], c2 = x2[k], c3 = x3[k];

			for (m = 0; m < M; m++) {
				y0[m] += c0 * w[m];
				y1[m] += c1 * w[m];
				y2[m] += c2 * w[m];
				y3[m] += c3 * w[m];
			}
		}
	}
	for (; t < T; t++) {
		float *y0 = y + (size_t)t * M;

		memset(y0, 0, (size_t)M * sizeof(float));
		for (k = 0; k < K; k++)
			for (m = 0; m < M; m++)
				y0[m] += x[(size_t)t * K + k] * wt[(size_t)k * M + m];
	}
}

/* dx[t][0..K) += sum_m dy[t][m] * w[m][0..K)   (w: M x K) */
TERN_MM_CLONES static void mm_bwd_x(const float *dy, uint32_t T, uint32_t M, const float *w, uint32_t K,
		     float *dx)
{
	uint32_t t = 0, k, m;

	for (; t + 4 <= T; t += 4) {
		float *d0 = dx + (size_t)t * K, *d1 = d0 + K, *d2 = d1 + K, *d3 = d2 + K;
		const float *g0 = dy + (size_t)t * M, *g1 = g0 + M, *g2 = g1 + M, *g3 = g2 + M;

		for (m = 0; m < M; m++) {
			const float *wr = w + (size_t)m * K;
			float c0 = g0[m], c1 = g1[m], c2 = g2[m], c3 = g3[m];

			for (k = 0; k < K; k++) {
				d0[k] += c0 * wr[k];
				d1[k] += c1 * wr[k];
				d2[k] += c2 * wr[k];
				d3[k] += c3 * wr[k];
			}
		}
	}
	for (; t < T; t++)
		for (m = 0; m < M; m++)
			for (k = 0; k < K; k++)
				dx[(size_t)t * K + k] += dy[(size_t)t * M + m] * w[(size_t)m * K + k];
}

/* dw[m][0..K) += sum_t dy[t][m] * x[t][0..K) */
TERN_MM_CLONES static void mm_bwd_w(const float *dy, uint32_t T, uint32_t M, const float *x, uint32_t K,
		     float *dw)
{
	uint32_t t, k, m;

	for (m = 0; m < M; m++) {
		float *d = dw + (size_t)m * K;

		for (t = 0; t + 4 <= T; t += 4) {
			const float *x0 = x + (size_t)t * K, *x1 = x0 + K, *x2 = x1 + K, *x3 = x2 + K;
			float c0 = dy[(size_t)t * M + m], c1 = dy[(size_t)(t + 1) * M + m];
			float c2 = dy[(size_t)(t + 2) * M + m], c3 = dy[(size_t)(t + 3) * M + m];

			for (k = 0; k < K; k++)
				d[k] += c0 * x0[k] + c1 * x1[k] + c2 * x2[k] + c3 * x3[k];
		}
		for (; t < T; t++)
			for (k = 0; k < K; k++)
				d[k] += dy[(size_t)t * M + m] * x[(size_t)t * K + k];
	}
}

/* The input activation of BitLinear `which` as the inference pass quantizes it. */
static void act_quant(const float *h, uint32_t T, uint32_t len, uint32_t which,
		      uint32_t quant, float *a, int8_t *q, float *tmp)
{
	uint32_t t, i;
	float s;

	if (quant == TERN_TQ_FLOAT) {
		memcpy(a, h, (size_t)T * len * sizeof(float));
		return;
	}
	for (t = 0; t < T; t++) {
		const float *x = h + (size_t)t * len;

		if (quant == TERN_TQ_A8 || which == TERN_LIN_DOWN)
			s = tern_quant_a8(x, len, q);
		else if (which == TERN_LIN_O)
			s = tern_quant_a8_top50(x, len, q, tmp);
		else
			s = tern_quant_a4(x, len, q);
		for (i = 0; i < len; i++)
			a[(size_t)t * len + i] = q[i] / s;
	}
}

static void norm_fwd(const float *x, const float *w, float *y, uint32_t T, uint32_t n, float eps)
{
	uint32_t t;

	for (t = 0; t < T; t++)
		tern_rmsnorm(x + (size_t)t * n, w, y + (size_t)t * n, n, eps);
}

/* y = x * r * w: dx += r*g - x * r^3 * (g . x) / n with g = dy * w; dw += dy * x * r. */
static void norm_bwd(const float *x, const float *w, const float *dy, uint32_t T, uint32_t n,
		     float eps, float *dx, float *dw)
{
	uint32_t t, i;

	for (t = 0; t < T; t++) {
		const float *xr = x + (size_t)t * n, *g = dy + (size_t)t * n;
		float *d = dx + (size_t)t * n;
		double ss = 0.0, dot = 0.0, r;

		for (i = 0; i < n; i++)
			ss += (double)xr[i] * xr[i];
		r = 1.0 / sqrt(ss / n + eps);
		for (i = 0; i < n; i++) {
			dot += (double)g[i] * w[i] * xr[i];
			if (dw)
				dw[i] += (float)(g[i] * xr[i] * r);
		}
		for (i = 0; i < n; i++)
			d[i] += (float)(r * g[i] * w[i] - xr[i] * r * r * r * dot / n);
	}
}

/* Inverse NEOX rotation (the gradient of tern_rope_neox) for n_head heads at pos. */
static void rope_bwd(float *v, uint32_t n_head, uint32_t hd, uint32_t pos, float theta)
{
	uint32_t h, i, half = hd / 2;

	for (i = 0; i < half; i++) {
		double ang = pos * pow(theta, -2.0 * i / hd);
		float c = (float)cos(ang), s = (float)sin(ang);

		for (h = 0; h < n_head; h++) {
			float *p = v + (size_t)h * hd, a = p[i], b = p[i + half];

			p[i] = a * c + b * s;
			p[i + half] = -a * s + b * c;
		}
	}
}

static void attn_fwd(const struct tern_model_config *c, uint32_t T, struct tlayer *y)
{
	uint32_t H = c->n_head, hd = c->head_dim, grp = H / c->n_head_kv;
	size_t qd = (size_t)H * hd, kvd = (size_t)c->n_head_kv * hd;
	float scale = 1.0f / sqrtf((float)hd);
	uint32_t h, i, j, e;

	for (h = 0; h < H; h++) {
		size_t ko = (size_t)(h / grp) * hd;

		for (i = 0; i < T; i++) {
			const float *qi = y->q + i * qd + (size_t)h * hd;
			float *pr = y->p + ((size_t)h * T + i) * T, *o = y->att + i * qd + (size_t)h * hd;

			for (j = 0; j <= i; j++) {
				const float *kj = y->k + j * kvd + ko;
				float s = 0.0f;

				for (e = 0; e < hd; e++)
					s += qi[e] * kj[e];
				pr[j] = s * scale;
			}
			tern_softmax(pr, i + 1);
			memset(o, 0, hd * sizeof(float));
			for (j = 0; j <= i; j++)
				for (e = 0; e < hd; e++)
					o[e] += pr[j] * y->v[j * kvd + ko + e];
		}
	}
}

/* From datt: dq (into ws->dq), dk, dv (zeroed first), before un-roping. */
static void attn_bwd(struct tern_tnet_ws *ws, struct tlayer *y)
{
	const struct tern_model_config *c = &ws->c;
	uint32_t T = ws->T, H = c->n_head, hd = c->head_dim, grp = H / c->n_head_kv;
	size_t qd = (size_t)H * hd, kvd = (size_t)c->n_head_kv * hd;
	float scale = 1.0f / sqrtf((float)hd), *dp = ws->tmp;
	uint32_t h, i, j, e;

	memset(ws->dq, 0, T * qd * sizeof(float));
	memset(ws->dk, 0, T * kvd * sizeof(float));
	memset(ws->dv, 0, T * kvd * sizeof(float));
	for (h = 0; h < H; h++) {
		size_t ko = (size_t)(h / grp) * hd, qo = (size_t)h * hd;

		for (i = 0; i < T; i++) {
			const float *pr = y->p + ((size_t)h * T + i) * T;
			const float *da = ws->datt + i * qd + qo, *qi = y->q + i * qd + qo;
			float *dqi = ws->dq + i * qd + qo;
			double sum = 0.0;

			for (j = 0; j <= i; j++) {
				const float *vj = y->v + j * kvd + ko;
				float *dvj = ws->dv + j * kvd + ko, s = 0.0f;

				for (e = 0; e < hd; e++) {
					s += da[e] * vj[e];
					dvj[e] += pr[j] * da[e];
				}
				dp[j] = s;
				sum += (double)pr[j] * s;
			}
			for (j = 0; j <= i; j++) {
				const float *kj = y->k + j * kvd + ko;
				float *dkj = ws->dk + j * kvd + ko;
				float ds = pr[j] * (dp[j] - (float)sum) * scale;

				for (e = 0; e < hd; e++) {
					dqi[e] += ds * kj[e];
					dkj[e] += ds * qi[e];
				}
			}
		}
	}
}

static float act_fn(float g, uint32_t act)
{
	return act == TERN_ACT_RELU2 ? (g > 0.0f ? g * g : 0.0f) : g / (1.0f + expf(-g));
}

static float act_grad(float g, uint32_t act)
{
	float s;

	if (act == TERN_ACT_RELU2)
		return g > 0.0f ? 2.0f * g : 0.0f;
	s = 1.0f / (1.0f + expf(-g));
	return s * (1.0f + g * (1.0f - s));
}

/* Forward through one layer: y->x0 holds the input, out receives the output. */
static void layer_fwd(struct tern_tnet_ws *ws, struct tern_tparams *p, uint32_t l,
		      uint32_t quant, float *out)
{
	const struct tern_model_config *c = &ws->c;
	struct tlayer *y = &ws->ly[l];
	uint32_t T = ws->T, d = c->n_embd, qd = c->n_head * c->head_dim;
	uint32_t kvd = c->n_head_kv * c->head_dim, ff = c->n_ff, t;
	float **wt = ws->wt + l * TERN_LIN_COUNT;
	size_t i;

	norm_fwd(y->x0, tern_tparams_norm(p, l, TERN_NORM_ATTN), y->h1, T, d, c->norm_eps);
	act_quant(y->h1, T, d, TERN_LIN_Q, quant, y->a1, ws->codes, ws->tmp);
	mm_fwd(y->a1, T, d, wt[TERN_LIN_Q], qd, y->q);
	mm_fwd(y->a1, T, d, wt[TERN_LIN_K], kvd, y->k);
	mm_fwd(y->a1, T, d, wt[TERN_LIN_V], kvd, y->v);
	for (t = 0; t < T; t++) {
		tern_rope_neox(y->q + (size_t)t * qd, c->n_head, c->head_dim, t, c->rope_theta);
		tern_rope_neox(y->k + (size_t)t * kvd, c->n_head_kv, c->head_dim, t, c->rope_theta);
	}
	attn_fwd(c, T, y);
	norm_fwd(y->att, tern_tparams_norm(p, l, TERN_NORM_ATTN_SUB), y->h2, T, qd, c->norm_eps);
	act_quant(y->h2, T, qd, TERN_LIN_O, quant, y->a2, ws->codes, ws->tmp);
	mm_fwd(y->a2, T, qd, wt[TERN_LIN_O], d, y->x1);
	for (i = 0; i < (size_t)T * d; i++)
		y->x1[i] += y->x0[i];
	norm_fwd(y->x1, tern_tparams_norm(p, l, TERN_NORM_FFN), y->h3, T, d, c->norm_eps);
	act_quant(y->h3, T, d, TERN_LIN_GATE, quant, y->a3, ws->codes, ws->tmp);
	mm_fwd(y->a3, T, d, wt[TERN_LIN_GATE], ff, y->g);
	mm_fwd(y->a3, T, d, wt[TERN_LIN_UP], ff, y->u);
	for (i = 0; i < (size_t)T * ff; i++)
		y->mm[i] = act_fn(y->g[i], c->act) * y->u[i];
	norm_fwd(y->mm, tern_tparams_norm(p, l, TERN_NORM_FFN_SUB), y->h4, T, ff, c->norm_eps);
	act_quant(y->h4, T, ff, TERN_LIN_DOWN, quant, y->a4, ws->codes, ws->tmp);
	mm_fwd(y->a4, T, ff, wt[TERN_LIN_DOWN], d, out);
	for (i = 0; i < (size_t)T * d; i++)
		out[i] += y->x1[i];
}

/* ws->dx holds dL/d(layer output) on entry and dL/d(layer input) on return. */
static void layer_bwd(struct tern_tnet_ws *ws, struct tern_tparams *p, float *grad,
		      float *pbase, uint32_t l)
{
	const struct tern_model_config *c = &ws->c;
	struct tlayer *y = &ws->ly[l];
	uint32_t T = ws->T, d = c->n_embd, qd = c->n_head * c->head_dim;
	uint32_t kvd = c->n_head_kv * c->head_dim, ff = c->n_ff, t;
	float **wq = ws->wq + l * TERN_LIN_COUNT;
	size_t i;
#define G(ptr) (grad + ((ptr) - pbase))
	float *nw;

	/* FFN: out = x1 + down(a4); a4 ~ norm4(mm); mm = act(g) * u. */
	memset(ws->dh, 0, (size_t)T * ff * sizeof(float));
	mm_bwd_x(ws->dx, T, d, wq[TERN_LIN_DOWN], ff, ws->dh);
	mm_bwd_w(ws->dx, T, d, y->a4, ff, G(tern_tparams_lin(p, l, TERN_LIN_DOWN)));
	memset(ws->dmm, 0, (size_t)T * ff * sizeof(float));
	nw = tern_tparams_norm(p, l, TERN_NORM_FFN_SUB);
	norm_bwd(y->mm, nw, ws->dh, T, ff, c->norm_eps, ws->dmm, G(nw));
	for (i = 0; i < (size_t)T * ff; i++) {
		ws->du[i] = ws->dmm[i] * act_fn(y->g[i], c->act);
		ws->dg[i] = ws->dmm[i] * y->u[i] * act_grad(y->g[i], c->act);
	}
	memset(ws->dh, 0, (size_t)T * d * sizeof(float));
	mm_bwd_x(ws->dg, T, ff, wq[TERN_LIN_GATE], d, ws->dh);
	mm_bwd_x(ws->du, T, ff, wq[TERN_LIN_UP], d, ws->dh);
	mm_bwd_w(ws->dg, T, ff, y->a3, d, G(tern_tparams_lin(p, l, TERN_LIN_GATE)));
	mm_bwd_w(ws->du, T, ff, y->a3, d, G(tern_tparams_lin(p, l, TERN_LIN_UP)));
	nw = tern_tparams_norm(p, l, TERN_NORM_FFN);
	norm_bwd(y->x1, nw, ws->dh, T, d, c->norm_eps, ws->dx, G(nw)); /* dx: d x1 */

	/* Attention: x1 = x0 + o(a2); a2 ~ norm2(att). */
	memset(ws->dh, 0, (size_t)T * qd * sizeof(float));
	mm_bwd_x(ws->dx, T, d, wq[TERN_LIN_O], qd, ws->dh);
	mm_bwd_w(ws->dx, T, d, y->a2, qd, G(tern_tparams_lin(p, l, TERN_LIN_O)));
	memset(ws->datt, 0, (size_t)T * qd * sizeof(float));
	nw = tern_tparams_norm(p, l, TERN_NORM_ATTN_SUB);
	norm_bwd(y->att, nw, ws->dh, T, qd, c->norm_eps, ws->datt, G(nw));
	attn_bwd(ws, y);
	for (t = 0; t < T; t++) {
		rope_bwd(ws->dq + (size_t)t * qd, c->n_head, c->head_dim, t, c->rope_theta);
		rope_bwd(ws->dk + (size_t)t * kvd, c->n_head_kv, c->head_dim, t, c->rope_theta);
	}
	memset(ws->dh, 0, (size_t)T * d * sizeof(float));
	mm_bwd_x(ws->dq, T, qd, wq[TERN_LIN_Q], d, ws->dh);
	mm_bwd_x(ws->dk, T, kvd, wq[TERN_LIN_K], d, ws->dh);
	mm_bwd_x(ws->dv, T, kvd, wq[TERN_LIN_V], d, ws->dh);
	mm_bwd_w(ws->dq, T, qd, y->a1, d, G(tern_tparams_lin(p, l, TERN_LIN_Q)));
	mm_bwd_w(ws->dk, T, kvd, y->a1, d, G(tern_tparams_lin(p, l, TERN_LIN_K)));
	mm_bwd_w(ws->dv, T, kvd, y->a1, d, G(tern_tparams_lin(p, l, TERN_LIN_V)));
	nw = tern_tparams_norm(p, l, TERN_NORM_ATTN);
	norm_bwd(y->x0, nw, ws->dh, T, d, c->norm_eps, ws->dx, G(nw)); /* dx: d x0 */
#undef G
}

double tern_tnet_run(struct tern_tnet_ws *ws, struct tern_tparams *p, const uint32_t *tok,
		     uint32_t n, uint32_t quant, float *grad)
{
	const struct tern_model_config *c = &ws->c;
	uint32_t d = c->n_embd, V = c->n_vocab, t, v, l;
	const float *E = tern_tparams_embd(p);
	float *pbase = tern_tparams_data(p, NULL), *onorm;
	double loss = 0.0;

	if (!n || n > ws->Tmax)
		return NAN;
	ws->T = n;
	for (t = 0; t < n; t++)
		memcpy(ws->ly[0].x0 + (size_t)t * d, E + (size_t)tok[t] * d, d * sizeof(float));
	for (l = 0; l < c->n_layer; l++)
		layer_fwd(ws, p, l, quant, l + 1 < c->n_layer ? ws->ly[l + 1].x0 : ws->xf);
	onorm = tern_tparams_norm(p, 0, TERN_NORM_OUTPUT);
	norm_fwd(ws->xf, onorm, ws->hf, n, d, c->norm_eps);
	mm_fwd(ws->hf, n, d, ws->et, V, ws->logits);
	for (t = 0; t < n; t++) {
		const float *lg = ws->logits + (size_t)t * V;
		float *dl = ws->dp + (size_t)t * V, mx = lg[0];
		double z = 0.0;

		for (v = 1; v < V; v++)
			mx = lg[v] > mx ? lg[v] : mx;
		for (v = 0; v < V; v++)
			z += exp((double)lg[v] - mx);
		loss += log(z) + mx - lg[tok[t + 1]];
		/* d(mean CE)/d logits = (softmax - onehot) / n */
		for (v = 0; v < V; v++)
			dl[v] = (float)(exp((double)lg[v] - mx) / z / n);
		dl[tok[t + 1]] -= 1.0f / n;
	}
	if (!grad)
		return loss / n;
	memset(ws->dh, 0, (size_t)n * d * sizeof(float));
	mm_bwd_x(ws->dp, n, V, E, d, ws->dh);
	mm_bwd_w(ws->dp, n, V, ws->hf, d, grad + (tern_tparams_embd(p) - pbase));
	memset(ws->dx, 0, (size_t)n * d * sizeof(float));
	norm_bwd(ws->xf, onorm, ws->dh, n, d, c->norm_eps, ws->dx, grad + (onorm - pbase));
	for (l = c->n_layer; l-- > 0;)
		layer_bwd(ws, p, grad, pbase, l);
	for (t = 0; t < n; t++) {
		float *ge = grad + (tern_tparams_embd(p) - pbase) + (size_t)tok[t] * d;
		uint32_t i;

		for (i = 0; i < d; i++)
			ge[i] += ws->dx[(size_t)t * d + i];
	}
	return loss / n;
}
