/*
 * Forward pass of a BitNet b1.58 block stack, one step (prefill of N tokens or one
 * decode token) at a time.
 *
 * Every BitLinear goes through a struct tern_mm, so the same code runs on the device
 * (tern_gemm_run, with its layer check) or on the golden loops; the model check runs
 * both and compares logits bit for bit. Several runs advance together layer by
 * layer: each tensor is fetched (generated or decoded) once per step and handed to
 * every run, which halves the weight-generation cost of a checked run and keeps one
 * layer's weights as the only large buffer. Each run owns its KV cache and scratch,
 * so the runs never share mutable state.
 *
 * A prompt may also come as consecutive chunks (steps of n tokens at pos; chunked
 * prefill): every op is per token (norms, activation quantization, RoPE, residuals)
 * or causal (attention reads the cache rows up to its own position), so the chunks
 * give the same bits as one step. Only the sampled chunk projects to logits when no
 * caller asks for the others (tern_fwd_hooks.prompt_part).
 *
 * Host work is counted op by op (tern_hostcost.c formulas) into the step's cost, once
 * per step whatever the number of runs, and added to every run when the step
 * succeeds: tern_run_host_cost() is what one deployment of the model would do.
 *
 * Block (BitNet b1.58 2B-4T): x += o(subnorm(attn(rope(q(n(x))), rope(k(n(x))), v)));
 * x += down(subnorm(act(gate(n(x))) * up(n(x)))); logits = E . norm(x) (tied output,
 * full precision on the host as in BitNet, where the lm_head is not a BitLinear).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_model.h"
#include "tern_pool.h"
#include "tern_ref.h"
#include "tern_wcache.h"

struct tern_run {
	struct tern_model_config c;
	uint32_t quant, n_ctx, n_max, pos, n_last;
	struct tern_mm mm;
	float *kc, *vc;      /* [layer][n_ctx][kv_dim] */
	float *x;            /* residual stream, n_max x d */
	float *h;            /* normed input of the next BitLinear, n_max x wide */
	float *q, *k, *v;    /* n_max x q_dim / kv_dim */
	float *att;          /* attention output, n_max x q_dim */
	float *gate, *up;    /* n_max x n_ff */
	float *out;          /* o_proj / down_proj output, n_max x d */
	float *tmp;          /* wide floats (top-50% scratch) */
	float *scores;       /* n_ctx */
	int8_t *xq;          /* quantized BitLinear input, n_max x wide */
	float *as;           /* act_scale per token */
	int32_t *acc;        /* int32 BitLinear output, n_max x wide */
	float *logits;       /* n_max x n_vocab */
	int32_t *hacc, *hy;  /* head on the array: planes x n_vocab, n_vocab (lazy) */
	int last_only;       /* logits of each step's last position only */
	struct tern_host_cost host; /* host work of every successful step */
	uint32_t cur_layer, cur_which; /* BitLinear being run (tern_run_current) */
};

/* Shared state of one tern_forward call. */
struct fwd {
	struct tern_model *m;
	struct tern_run *const *runs;
	unsigned nruns;
	uint32_t n;
	int8_t *w;     /* one BitLinear's weights, the largest M x K */
	float *vec;    /* one norm vector or embedding row */
	char *err;
	size_t errlen;
	struct tern_host_cost cost; /* host work of this step so far */
	int part;      /* tern_fwd_hooks.prompt_part: nothing of this step is sampled */
};

static int golden_fn(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		     int32_t *y, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	tern_golden_matmul(w, x, y, l->m, l->k, l->n);
	return 0;
}

const struct tern_mm tern_mm_golden = { golden_fn, NULL, 0 };

static uint32_t wide(const struct tern_model_config *c)
{
	uint32_t q = c->n_head * c->head_dim, w = c->n_embd;

	if (q > w)
		w = q;
	return c->n_ff > w ? c->n_ff : w;
}

int tern_run_new(const struct tern_model_config *c, uint32_t n_ctx, uint32_t n_max,
		 uint32_t quant, struct tern_mm mm, struct tern_run **out)
{
	struct tern_run *r = calloc(1, sizeof(*r));
	size_t kv = (size_t)c->n_head_kv * c->head_dim, qd = (size_t)c->n_head * c->head_dim;
	size_t wd = wide(c), cache = (size_t)c->n_layer * n_ctx * kv;

	if (!r)
		return -1;
	r->c = *c;
	r->quant = quant;
	r->n_ctx = n_ctx;
	r->n_max = n_max;
	r->mm = mm;
	r->kc = calloc(cache, sizeof(float));
	r->vc = calloc(cache, sizeof(float));
	r->x = calloc((size_t)n_max * c->n_embd, sizeof(float));
	r->h = calloc((size_t)n_max * wd, sizeof(float));
	r->q = calloc((size_t)n_max * qd, sizeof(float));
	r->k = calloc((size_t)n_max * kv, sizeof(float));
	r->v = calloc((size_t)n_max * kv, sizeof(float));
	r->att = calloc((size_t)n_max * qd, sizeof(float));
	r->gate = calloc((size_t)n_max * c->n_ff, sizeof(float));
	r->up = calloc((size_t)n_max * c->n_ff, sizeof(float));
	r->out = calloc((size_t)n_max * c->n_embd, sizeof(float));
	r->tmp = calloc(wd, sizeof(float));
	r->scores = calloc(n_ctx, sizeof(float));
	r->xq = calloc((size_t)n_max * wd, 1);
	r->as = calloc(n_max, sizeof(float));
	r->acc = calloc((size_t)n_max * wd, sizeof(int32_t));
	r->logits = calloc((size_t)n_max * c->n_vocab, sizeof(float));
	if (!r->kc || !r->vc || !r->x || !r->h || !r->q || !r->k || !r->v || !r->att ||
	    !r->gate || !r->up || !r->out || !r->tmp || !r->scores || !r->xq || !r->as ||
	    !r->acc || !r->logits) {
		tern_run_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void tern_run_free(struct tern_run *r)
{
	if (!r)
		return;
	free(r->kc);
	free(r->vc);
	free(r->x);
	free(r->h);
	free(r->q);
	free(r->k);
	free(r->v);
	free(r->att);
	free(r->gate);
	free(r->up);
	free(r->out);
	free(r->tmp);
	free(r->scores);
	free(r->xq);
	free(r->as);
	free(r->acc);
	free(r->logits);
	free(r->hacc);
	free(r->hy);
	free(r);
}

const float *tern_run_logits(const struct tern_run *r, uint32_t i)
{
	return r->logits + (size_t)i * r->c.n_vocab;
}

const float *tern_run_normed(const struct tern_run *r, uint32_t i)
{
	return r->h + (size_t)i * r->c.n_embd; /* the output norm is the step's last writer */
}

void tern_run_logits_last_only(struct tern_run *r, int on)
{
	r->last_only = on;
}

uint32_t tern_run_pos(const struct tern_run *r)
{
	return r->pos;
}

void tern_run_current(const struct tern_run *r, uint32_t *layer, uint32_t *which)
{
	*layer = r->cur_layer;
	*which = r->cur_which;
}

const struct tern_host_cost *tern_run_host_cost(const struct tern_run *r)
{
	return &r->host;
}

/* h[i] = norm(src[i]) * weights, for every run and token; the norm is fetched once. */
static int norm_all(struct fwd *f, uint32_t layer, uint32_t which, size_t src_off)
{
	const struct tern_model_config *c = &f->m->cfg;
	uint32_t len = tern_norm_len(c, which), i;
	unsigned ri;

	if (f->m->ops->norm(f->m, layer, which, f->vec, f->err, f->errlen))
		return TERN_FWD_ERR;
	/* The output norm is counted with the output projection, for one position. */
	for (i = 0; i < f->n && which != TERN_NORM_OUTPUT; i++)
		tern_cost_norm(len, &f->cost);
	for (ri = 0; ri < f->nruns; ri++) {
		struct tern_run *r = f->runs[ri];
		const float *src = src_off == 0 ? r->x : src_off == 1 ? r->att : r->gate;

		for (i = 0; i < f->n; i++)
			tern_rmsnorm(src + (size_t)i * len, f->vec, r->h + (size_t)i * len, len,
				     c->norm_eps);
	}
	return 0;
}

/* Quantize every run's h (n x len) for the input of BitLinear `which`. */
static void quantize_all(struct fwd *f, uint32_t which, uint32_t len)
{
	unsigned ri;
	uint32_t i;

	for (i = 0; i < f->n; i++)
		tern_cost_quant(len, which, f->runs[0]->quant, &f->cost);
	for (ri = 0; ri < f->nruns; ri++) {
		struct tern_run *r = f->runs[ri];

		if (r->quant == TERN_QUANT_FLOAT)
			continue; /* bitlinear reads h itself */
		for (i = 0; i < f->n; i++) {
			const float *h = r->h + (size_t)i * len;
			int8_t *q = r->xq + (size_t)i * len;

			if (r->quant != TERN_QUANT_A48 || which == TERN_LIN_DOWN)
				r->as[i] = tern_quant_a8(h, len, q);
			else if (which == TERN_LIN_O)
				r->as[i] = tern_quant_a8_top50(h, len, q, r->tmp);
			else
				r->as[i] = tern_quant_a4(h, len, q);
		}
	}
}

static float *lin_dst(struct tern_run *r, uint32_t which)
{
	switch (which) {
	case TERN_LIN_Q: return r->q;
	case TERN_LIN_K: return r->k;
	case TERN_LIN_V: return r->v;
	case TERN_LIN_GATE: return r->gate;
	case TERN_LIN_UP: return r->up;
	default: return r->out;
	}
}

/* The float-activation reference (TERN_QUANT_FLOAT): dst = ws * W h, no activation
 * quantization, on the host (never a device: the array takes integers). */
static void float_lin(const struct tern_run *r, const struct tern_layer *l, const int8_t *w,
		      float ws, float *dst)
{
	uint32_t i, m, k;

	for (i = 0; i < l->n; i++) {
		const float *h = r->h + (size_t)i * l->k;

		for (m = 0; m < l->m; m++) {
			const int8_t *row = w + (size_t)m * l->k;
			float acc = 0.0f;

			for (k = 0; k < l->k; k++)
				acc += row[k] * h[k];
			dst[(size_t)i * l->m + m] = acc * ws;
		}
	}
}

/*
 * One BitLinear for every run: W comes from the resident weights (fetched from the
 * source on first use); a resident matmul gets it only then, the others every time.
 */
static int bitlinear(struct fwd *f, uint32_t layer, uint32_t which)
{
	struct tern_layer l = { 0 };
	char name[64], why[400];
	float ws;
	unsigned ri;
	uint32_t i;
	int rc, fresh, want = 0;

	tern_lin_shape(&f->m->cfg, which, &l.m, &l.k);
	l.n = f->n;
	l.wfmt = f->m->cfg.wfmt;
	tern_lin_name(layer, which, name, sizeof(name));
	for (i = 0; i < f->n; i++)
		tern_cost_dequant(l.m, &f->cost);
	for (ri = 0; ri < f->nruns; ri++) /* the float reference reads W itself */
		want |= !f->runs[ri]->mm.resident || f->runs[ri]->quant == TERN_QUANT_FLOAT;
	if (tern_wcache_linear(f->m, layer, which, f->w, want, &ws, &fresh, f->err, f->errlen))
		return TERN_FWD_ERR;
	for (ri = 0; ri < f->nruns; ri++) {
		struct tern_run *r = f->runs[ri];
		float *dst = lin_dst(r, which);
		const int8_t *w = fresh || !r->mm.resident ? f->w : NULL;

		if (r->quant == TERN_QUANT_FLOAT) {
			float_lin(r, &l, f->w, ws, dst);
			continue;
		}
		why[0] = 0;
		r->cur_layer = layer;
		r->cur_which = which;
		rc = r->mm.fn(r->mm.ctx, &l, w, r->xq, r->acc, why, sizeof(why));
		if (rc) {
			snprintf(f->err, f->errlen, "%s (M=%u K=%u N=%u): %s", name, l.m, l.k,
				 l.n, why);
			return rc > 0 ? TERN_FWD_CHECK : TERN_FWD_ERR;
		}
		for (i = 0; i < f->n; i++)
			tern_dequant(r->acc + (size_t)i * l.m, l.m, ws, r->as[i],
				     dst + (size_t)i * l.m);
	}
	return 0;
}

/* Causal attention of a run's n tokens, (token, head) pairs dealt out over the worker
 * pool in turn; each pair is computed whole by one thread, so the bits do not depend
 * on the thread count. */
struct attn_job {
	const struct tern_model_config *c;
	struct tern_run *r;
	const float *kc, *vc;
	uint32_t n;
	float *scores; /* parts x n_ctx */
};

static void attn_part(void *ctx, unsigned part, unsigned parts)
{
	const struct attn_job *j = ctx;
	const struct tern_model_config *c = j->c;
	size_t qd = (size_t)c->n_head * c->head_dim;
	uint32_t items = j->n * c->n_head, it;

	for (it = part; it < items; it += parts) {
		uint32_t i = it / c->n_head;

		tern_attention_head(j->r->q + i * qd, j->kc, j->vc, j->r->pos + i, it % c->n_head,
				    c->n_head, c->n_head_kv, c->head_dim, j->r->att + i * qd,
				    j->scores + (size_t)part * j->r->n_ctx);
	}
}

static void attend_tokens(const struct tern_model_config *c, struct tern_run *r, const float *kc,
			  const float *vc, uint32_t n)
{
	struct attn_job j = { c, r, kc, vc, n, NULL };
	unsigned parts = tern_pool_threads();

	if (parts > n * c->n_head)
		parts = n * c->n_head;
	if (parts > 1)
		j.scores = malloc((size_t)parts * r->n_ctx * sizeof(float));
	if (!j.scores) { /* one part in the run's own scratch: the same bits */
		parts = 1;
		j.scores = r->scores;
	}
	tern_pool_run(attn_part, &j, parts);
	if (j.scores != r->scores)
		free(j.scores);
}

/* RoPE, KV cache append and causal GQA attention for every run and token. */
static void attend_all(struct fwd *f, uint32_t layer)
{
	const struct tern_model_config *c = &f->m->cfg;
	size_t kv = (size_t)c->n_head_kv * c->head_dim, qd = (size_t)c->n_head * c->head_dim;
	unsigned ri;
	uint32_t i;

	for (i = 0; i < f->n; i++) {
		tern_cost_rope(c, &f->cost);
		tern_cost_attn(c, f->runs[0]->pos + i, &f->cost);
	}
	for (ri = 0; ri < f->nruns; ri++) {
		struct tern_run *r = f->runs[ri];
		float *kc = r->kc + (size_t)layer * r->n_ctx * kv;
		float *vc = r->vc + (size_t)layer * r->n_ctx * kv;

		for (i = 0; i < f->n; i++) {
			uint32_t p = r->pos + i;

			tern_rope_neox(r->q + i * qd, c->n_head, c->head_dim, p, c->rope_theta);
			tern_rope_neox(r->k + i * kv, c->n_head_kv, c->head_dim, p, c->rope_theta);
			memcpy(kc + p * kv, r->k + i * kv, kv * sizeof(float));
			memcpy(vc + p * kv, r->v + i * kv, kv * sizeof(float));
		}
		/* Token i sees positions 0..pos+i: its own and earlier ones only. */
		attend_tokens(c, r, kc, vc, f->n);
	}
}

static void residual_all(struct fwd *f)
{
	size_t i, len = (size_t)f->n * f->m->cfg.n_embd;
	unsigned ri;

	for (i = 0; i < f->n; i++)
		tern_cost_resid(&f->m->cfg, &f->cost);
	for (ri = 0; ri < f->nruns; ri++)
		for (i = 0; i < len; i++)
			f->runs[ri]->x[i] += f->runs[ri]->out[i];
}

static void ffn_act_all(struct fwd *f)
{
	unsigned ri;
	uint32_t i;

	for (i = 0; i < f->n; i++)
		tern_cost_act(&f->m->cfg, &f->cost);
	for (ri = 0; ri < f->nruns; ri++)
		tern_glu(f->runs[ri]->gate, f->runs[ri]->up, f->n * f->m->cfg.n_ff,
			 f->m->cfg.act);
}

static int block(struct fwd *f, uint32_t layer)
{
	const struct tern_model_config *c = &f->m->cfg;
	uint32_t qd = c->n_head * c->head_dim, w;
	int rc;

	if ((rc = norm_all(f, layer, TERN_NORM_ATTN, 0)))
		return rc;
	quantize_all(f, TERN_LIN_Q, c->n_embd);
	for (w = TERN_LIN_Q; w <= TERN_LIN_V; w++)
		if ((rc = bitlinear(f, layer, w)))
			return rc;
	attend_all(f, layer);
	if ((rc = norm_all(f, layer, TERN_NORM_ATTN_SUB, 1)))
		return rc;
	quantize_all(f, TERN_LIN_O, qd);
	if ((rc = bitlinear(f, layer, TERN_LIN_O)))
		return rc;
	residual_all(f);
	if ((rc = norm_all(f, layer, TERN_NORM_FFN, 0)))
		return rc;
	quantize_all(f, TERN_LIN_GATE, c->n_embd);
	if ((rc = bitlinear(f, layer, TERN_LIN_GATE)) || (rc = bitlinear(f, layer, TERN_LIN_UP)))
		return rc;
	ffn_act_all(f);
	if ((rc = norm_all(f, layer, TERN_NORM_FFN_SUB, 2)))
		return rc;
	quantize_all(f, TERN_LIN_DOWN, c->n_ff);
	if ((rc = bitlinear(f, layer, TERN_LIN_DOWN)))
		return rc;
	residual_all(f);
	return 0;
}

/* The first position whose logits run r computes this step: every one, the last
 * one, or none (a last-only run on a prompt chunk that is not sampled). */
static uint32_t first_logit(const struct fwd *f, const struct tern_run *r)
{
	return !r->last_only ? 0 : f->part ? f->n : f->n - 1;
}

/* The first run before ri that computes position i from a byte-identical normed input,
 * or ri when there is none. */
static unsigned same_input_run(const struct fwd *f, unsigned ri, uint32_t i, uint32_t d)
{
	const float *hi = f->runs[ri]->h + (size_t)i * d;
	unsigned rj;

	for (rj = 0; rj < ri; rj++)
		if (i >= first_logit(f, f->runs[rj]) &&
		    !memcmp(hi, f->runs[rj]->h + (size_t)i * d, d * sizeof(float)))
			break;
	return rj;
}

/*
 * logits[i][v] = E[v] . h[i] from the resident embedding. A run whose normed input is
 * byte-identical to an earlier run's at the same position copies that run's logits:
 * the projection is a pure function of h, so this is the same result for half the
 * cost of a checked run's largest host op.
 */
static int output_all(struct fwd *f)
{
	const struct tern_model_config *c = &f->m->cfg;
	uint32_t i, d = c->n_embd, nh = 0, cap = f->nruns * f->n;
	const float **h = calloc(cap, sizeof(*h));
	float **out = calloc(cap, sizeof(*out));
	unsigned ri, rj;
	int rc;

	if (!h || !out) {
		free(h);
		free(out);
		snprintf(f->err, f->errlen, "out of memory");
		return TERN_FWD_ERR;
	}
	if ((rc = norm_all(f, 0, TERN_NORM_OUTPUT, 0)))
		goto out;
	if (!f->part)
		tern_cost_output(c, &f->cost);
	for (ri = 0; ri < f->nruns; ri++)
		for (i = first_logit(f, f->runs[ri]); i < f->n; i++) {
			if (same_input_run(f, ri, i, d) < ri)
				continue; /* an earlier run computes it; copied below */
			h[nh] = f->runs[ri]->h + (size_t)i * d;
			out[nh++] = f->runs[ri]->logits + (size_t)i * c->n_vocab;
		}
	rc = TERN_FWD_ERR;
	if (nh && tern_wcache_logits(f->m, h, out, nh, f->err, f->errlen))
		goto out;
	for (ri = 1; ri < f->nruns; ri++)
		for (i = first_logit(f, f->runs[ri]); i < f->n; i++) {
			rj = same_input_run(f, ri, i, d);
			if (rj < ri)
				memcpy(f->runs[ri]->logits + (size_t)i * c->n_vocab,
				       f->runs[rj]->logits + (size_t)i * c->n_vocab,
				       c->n_vocab * sizeof(float));
		}
	rc = 0;
out:
	free(h);
	free(out);
	return rc;
}

/* logits of position i of run r from its head products r->hacc (int32, planes x V). */
static void head_logits(struct tern_run *r, const float *scale, uint32_t i)
{
	const struct tern_model_config *c = &r->c;
	float *dst = r->logits + (size_t)i * c->n_vocab;
	uint32_t v;

	tern_head_combine(r->hacc, c->head_planes, c->n_vocab, r->hy);
	for (v = 0; v < c->n_vocab; v++)
		dst[v] = (float)r->hy[v] * (scale[v] / r->as[i]);
}

/*
 * The output head on the array (cfg.head_planes > 0, tern_head.c): the normed input
 * quantized to int8 like a BitLinear's, the stacked digit planes as one BitLinear
 * through the run's matmul for the last position (the one a deployment samples, so
 * its cycles are what a timing-only walk counts; none on a prompt chunk that is not
 * sampled), the other positions (kept for the model check and --logits) by the golden
 * matmul of the same planes: the same integers. Then the shift-add combine and the per-row scale on the host.
 */
static int head_all(struct fwd *f)
{
	const struct tern_model_config *c = &f->m->cfg;
	struct tern_layer l = { c->head_planes * c->n_vocab, c->n_embd, 1, c->wfmt };
	const int8_t *w;
	const float *scale;
	const uint64_t *gold;
	char why[400];
	unsigned ri;
	uint32_t i, d = c->n_embd;
	int rc, fresh;

	if ((rc = norm_all(f, 0, TERN_NORM_OUTPUT, 0)))
		return rc;
	if (!f->part)
		tern_cost_output(c, &f->cost);
	if (tern_head_get(f->m, &w, &scale, &gold, &fresh, f->err, f->errlen))
		return TERN_FWD_ERR;
	for (ri = 0; ri < f->nruns; ri++) {
		struct tern_run *r = f->runs[ri];

		if (!r->hacc)
			r->hacc = malloc((size_t)l.m * sizeof(int32_t));
		if (!r->hy)
			r->hy = malloc((size_t)c->n_vocab * sizeof(int32_t));
		if (!r->hacc || !r->hy) {
			snprintf(f->err, f->errlen, "out of memory for the output head");
			return TERN_FWD_ERR;
		}
		for (i = first_logit(f, r); i < f->n; i++) {
			int8_t *xq = r->xq + (size_t)i * d;

			r->as[i] = tern_quant_a8(r->h + (size_t)i * d, d, xq);
			if (i + 1 < f->n || f->part) {
				tern_golden_matmul_planes(gold, xq, r->hacc, l.m, l.k, 1);
				head_logits(r, scale, i);
				continue;
			}
			why[0] = 0;
			r->cur_layer = 0;
			r->cur_which = TERN_LIN_HEAD;
			rc = r->mm.fn(r->mm.ctx, &l, w, xq, r->hacc, why, sizeof(why));
			if (rc) {
				snprintf(f->err, f->errlen, "output head (M=%u K=%u N=1): %s", l.m,
					 l.k, why);
				return rc > 0 ? TERN_FWD_CHECK : TERN_FWD_ERR;
			}
			head_logits(r, scale, i);
		}
	}
	return 0;
}

static int embed_all(struct fwd *f, const uint32_t *tok)
{
	uint32_t i, d = f->m->cfg.n_embd;
	unsigned ri;

	for (i = 0; i < f->n; i++) {
		tern_cost_embed(&f->m->cfg, &f->cost);
		if (tern_wcache_embd_row(f->m, tok[i], f->vec, f->err, f->errlen))
			return TERN_FWD_ERR;
		for (ri = 0; ri < f->nruns; ri++)
			memcpy(f->runs[ri]->x + (size_t)i * d, f->vec, d * sizeof(float));
	}
	return 0;
}

static int check_step(struct fwd *f, const uint32_t *tok)
{
	const struct tern_model_config *c = &f->m->cfg;
	unsigned ri;
	uint32_t i;

	for (i = 0; i < f->n; i++)
		if (tok[i] >= c->n_vocab) {
			snprintf(f->err, f->errlen, "token %u is outside the vocabulary (0..%u)",
				 tok[i], c->n_vocab - 1);
			return TERN_FWD_ERR;
		}
	for (ri = 0; ri < f->nruns; ri++) {
		const struct tern_run *r = f->runs[ri];

		if (f->n > r->n_max || r->pos + f->n > r->n_ctx || r->pos != f->runs[0]->pos) {
			snprintf(f->err, f->errlen, "step of %u tokens at position %u does not fit "
				 "the run (context %u)", f->n, r->pos, r->n_ctx);
			return TERN_FWD_ERR;
		}
	}
	return 0;
}

int tern_forward(struct tern_model *m, struct tern_run *const *runs, unsigned nruns,
		 const uint32_t *tok, uint32_t n, const struct tern_fwd_hooks *h,
		 char *err, size_t errlen)
{
	const struct tern_model_config *c = &m->cfg;
	struct fwd f = { m, runs, nruns, n, NULL, NULL, err, errlen, { { 0 }, { 0 } }, 0 };
	uint32_t layer, mm, kk, i;
	size_t wmax = 0;
	int rc;

	if (!nruns || !n) {
		snprintf(err, errlen, "empty step");
		return TERN_FWD_ERR;
	}
	if ((rc = check_step(&f, tok)))
		return rc;
	f.part = h && h->prompt_part;
	for (i = 0; i < TERN_LIN_COUNT; i++) {
		tern_lin_shape(c, i, &mm, &kk);
		if ((size_t)mm * kk > wmax)
			wmax = (size_t)mm * kk;
	}
	f.w = malloc(wmax);
	f.vec = malloc(wide(c) * sizeof(float));
	rc = TERN_FWD_ERR;
	if (!f.w || !f.vec) {
		snprintf(err, errlen, "out of memory for one layer's weights");
		goto out;
	}
	if ((rc = embed_all(&f, tok)))
		goto out;
	for (layer = 0; layer < c->n_layer; layer++) {
		if (h && h->stop && *h->stop) {
			rc = TERN_FWD_STOPPED;
			goto out;
		}
		if (h && h->progress)
			h->progress(h->ctx, layer, c->n_layer);
		if ((rc = block(&f, layer)))
			goto out;
	}
	if (h && h->stop && *h->stop) {
		rc = TERN_FWD_STOPPED;
		goto out;
	}
	if (h && h->progress)
		h->progress(h->ctx, c->n_layer, c->n_layer);
	if ((rc = c->head_planes ? head_all(&f) : output_all(&f)))
		goto out;
	for (i = 0; i < nruns; i++) {
		runs[i]->pos += n;
		runs[i]->n_last = n;
		tern_host_cost_add(&runs[i]->host, &f.cost);
	}
out:
	free(f.w);
	free(f.vec);
	return rc;
}
