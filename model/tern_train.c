/*
 * The trainer's loop: parameters, data, AdamW with a cosine schedule, evaluation.
 *
 * Determinism: one splitmix64 stream (the seed) draws every sequence of every step
 * in order; each sequence's gradient goes to its own buffer and the buffers are summed
 * in sequence order, so the result depends on the seed only, not on the thread count
 * or on which thread ran what. Threads just split the sequences of a step.
 *
 * Data split: the text's lines are grouped in blocks of 100; every 20th block is
 * held out (5%), so held-out text comes from all over the corpus, never seen in
 * training. Windows start at a line start. Docs: docs/train.md.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tern_ternary.h"
#include "tern_train.h"

#define LINES_PER_BLOCK 100
#define HELD_EVERY 20

struct tern_tparams {
	struct tern_model_config c;
	float *data;
	size_t n;
	size_t embd, out_norm;
	size_t lin[64][TERN_LIN_COUNT], norm[64][TERN_NORM_OUTPUT];
};

void tern_train_defaults(struct tern_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->mc.name, sizeof(o->mc.name), "tern-kjv-byte");
	snprintf(o->mc.arch, sizeof(o->mc.arch), "bitnet");
	o->mc.n_embd = 256;
	o->mc.n_layer = 2;
	o->mc.n_head = 4;
	o->mc.n_head_kv = 2;
	o->mc.head_dim = 64;
	o->mc.n_ff = 512;
	o->mc.n_vocab = TERN_TRAIN_VOCAB;
	o->mc.n_ctx = 128;
	o->mc.rope_theta = 10000.0f;
	o->mc.norm_eps = 1e-5f;
	o->mc.act = TERN_ACT_SILU;
	o->batch = 8;
	o->steps = 2000;
	o->warmup = 20;
	o->threads = 2;
	o->eval_every = 40;
	o->eval_seqs = 32;
	o->quant = TERN_TQ_A8;
	o->lr = 4e-3f;
	o->lr_min = 4e-4f;
	o->wd = 0.05f;
	o->clip = 1.0f;
	o->seed = 19;
}

struct tern_tparams *tern_tparams_new(const struct tern_model_config *c)
{
	struct tern_tparams *p;
	uint32_t l, i, m, k;
	size_t off = 0;

	if (c->n_layer > 64 || !c->n_layer)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->c = *c;
	p->embd = off;
	off += (size_t)c->n_vocab * c->n_embd;
	for (l = 0; l < c->n_layer; l++) {
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			tern_lin_shape(c, i, &m, &k);
			p->lin[l][i] = off;
			off += (size_t)m * k;
		}
		for (i = 0; i < TERN_NORM_OUTPUT; i++) {
			p->norm[l][i] = off;
			off += tern_norm_len(c, i);
		}
	}
	p->out_norm = off;
	off += c->n_embd;
	p->n = off;
	p->data = calloc(off, sizeof(float));
	if (!p->data)
		return free(p), NULL;
	return p;
}

void tern_tparams_free(struct tern_tparams *p)
{
	if (p)
		free(p->data);
	free(p);
}

float *tern_tparams_data(struct tern_tparams *p, size_t *n)
{
	if (n)
		*n = p->n;
	return p->data;
}

float *tern_tparams_lin(struct tern_tparams *p, uint32_t layer, uint32_t which)
{
	return layer < p->c.n_layer && which < TERN_LIN_COUNT ? p->data + p->lin[layer][which]
							       : NULL;
}

float *tern_tparams_norm(struct tern_tparams *p, uint32_t layer, uint32_t which)
{
	if (which == TERN_NORM_OUTPUT)
		return p->data + p->out_norm;
	return layer < p->c.n_layer && which < TERN_NORM_OUTPUT ? p->data + p->norm[layer][which]
								 : NULL;
}

float *tern_tparams_embd(struct tern_tparams *p)
{
	return p->data + p->embd;
}

const struct tern_model_config *tern_tparams_cfg(const struct tern_tparams *p)
{
	return &p->c;
}

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [-a, a). */
static float unif(uint64_t *s, float a)
{
	return a * (2.0f * (float)(mix(s) >> 40) * 0x1.0p-24f - 1.0f);
}

void tern_tparams_init(struct tern_tparams *p, uint64_t seed)
{
	const struct tern_model_config *c = &p->c;
	uint64_t s = seed ^ 0x7465726e54524e31ull; /* "ternTRN1" */
	uint32_t l, i, m, k;
	size_t j, n;

	/* std 0.02 (uniform: a = 0.02 sqrt 3) for the embedding and every linear; norms 1. */
	n = (size_t)c->n_vocab * c->n_embd;
	for (j = 0; j < n; j++)
		p->data[p->embd + j] = unif(&s, 0.0346f);
	for (l = 0; l < c->n_layer; l++) {
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			tern_lin_shape(c, i, &m, &k);
			for (j = 0; j < (size_t)m * k; j++)
				p->data[p->lin[l][i] + j] = unif(&s, 0.0346f);
		}
		for (i = 0; i < TERN_NORM_OUTPUT; i++)
			for (j = 0; j < tern_norm_len(c, i); j++)
				p->data[p->norm[l][i] + j] = 1.0f;
	}
	for (j = 0; j < c->n_embd; j++)
		p->data[p->out_norm + j] = 1.0f;
}

float tern_train_ternarize(const float *w, size_t n, int8_t *codes)
{
	double sum = 0.0;
	float s, r;
	size_t i;

	for (i = 0; i < n; i++)
		sum += fabsf(w[i]);
	s = (float)(sum / (double)n);
	/* The scale TQ2_0 stores is fp16: train with exactly that value. */
	s = tern_f16_to_f32(tern_f32_to_f16(s > 1e-5f ? s : 1e-5f));
	for (i = 0; i < n; i++) {
		r = tern_round_half_even(w[i] / s);
		codes[i] = (int8_t)(r < -1.0f ? -1 : r > 1.0f ? 1 : r);
	}
	return s;
}

/* ---- corpus */

static int add_lines(const uint8_t *src, size_t len, uint8_t *dst, size_t *dn, size_t **lines,
		     size_t *nl)
{
	size_t *nlines = realloc(*lines, (*nl + LINES_PER_BLOCK + 1) * sizeof(size_t)), i;

	if (!nlines)
		return -1;
	*lines = nlines;
	(*lines)[(*nl)++] = *dn;
	for (i = 0; i < len; i++) {
		dst[(*dn)++] = src[i];
		if (src[i] == '\n' && i + 1 < len)
			(*lines)[(*nl)++] = *dn;
	}
	return 0;
}

int tern_corpus_load(const char *path, struct tern_corpus *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, got, pos, blk_start, lines, blk = 0;

	memset(c, 0, sizeof(*c));
	if (!f)
		return snprintf(err, errlen, "cannot open data file '%s'", path), -1;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 1 << 20);

			if (!nb)
				return fclose(f), free(buf), snprintf(err, errlen, "out of memory"), -1;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (!got)
			break;
	}
	if (ferror(f) || n < 4096) {
		fclose(f);
		free(buf);
		return snprintf(err, errlen, "data file '%s': %s", path,
				n < 4096 ? "shorter than 4096 bytes" : "read error"), -1;
	}
	fclose(f);
	c->train = malloc(n);
	c->held = malloc(n);
	if (!c->train || !c->held)
		goto oom;
	for (pos = 0; pos < n; blk++) {
		blk_start = pos;
		for (lines = 0; pos < n && lines < LINES_PER_BLOCK; pos++)
			lines += buf[pos] == '\n';
		if (blk % HELD_EVERY == HELD_EVERY - 1) {
			if (add_lines(buf + blk_start, pos - blk_start, c->held, &c->n_held,
				      &c->held_lines, &c->n_held_lines))
				goto oom;
		} else if (add_lines(buf + blk_start, pos - blk_start, c->train, &c->n_train,
				     &c->train_lines, &c->n_train_lines)) {
			goto oom;
		}
	}
	free(buf);
	if (!c->n_held_lines || c->n_held < 1024)
		return tern_corpus_free(c), snprintf(err, errlen, "data file '%s': too few lines "
						     "for a held-out part (need 2000 or more)", path), -1;
	return 0;
oom:
	free(buf);
	tern_corpus_free(c);
	return snprintf(err, errlen, "out of memory"), -1;
}

void tern_corpus_free(struct tern_corpus *c)
{
	free(c->train);
	free(c->held);
	free(c->train_lines);
	free(c->held_lines);
	memset(c, 0, sizeof(*c));
}

/* ---- work split over threads: items 0..n-1, item i run by thread i % nth */

struct par {
	void (*fn)(void *ctx, unsigned tid, uint32_t item);
	void *ctx;
	unsigned tid, nth;
	uint32_t n;
};

static void *par_main(void *arg)
{
	struct par *p = arg;
	uint32_t i;

	for (i = p->tid; i < p->n; i += p->nth)
		p->fn(p->ctx, p->tid, i);
	return NULL;
}

static void parallel(unsigned nth, uint32_t n, void (*fn)(void *, unsigned, uint32_t), void *ctx)
{
	pthread_t th[16];
	struct par ps[16];
	unsigned t, started = 0;

	if (nth > 16)
		nth = 16;
	for (t = 0; t < nth; t++)
		ps[t] = (struct par){ fn, ctx, t, nth, n };
	for (t = 1; t < nth; t++)
		if (!pthread_create(&th[t], NULL, par_main, &ps[t]))
			started |= 1u << t;
	/* A thread that could not start has its items run here: same result. */
	par_main(&ps[0]);
	for (t = 1; t < nth; t++) {
		if (started & (1u << t))
			pthread_join(th[t], NULL);
		else
			par_main(&ps[t]);
	}
}

/* ---- evaluation */

struct evalctx {
	struct tern_tparams *p;
	struct tern_tnet_ws **ws;
	const uint8_t *text;
	const size_t *starts;
	uint32_t *toks, T, quant;
	double *nll;
};

static void load_window(const uint8_t *text, size_t start, uint32_t n, uint32_t *tok)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		tok[i] = TERN_TRAIN_BYTE0 + text[start + i];
}

static void eval_item(void *ctx, unsigned tid, uint32_t i)
{
	struct evalctx *e = ctx;
	uint32_t *tok = e->toks + (size_t)tid * (e->T + 1);

	load_window(e->text, e->starts[i], e->T + 1, tok);
	e->nll[i] = tern_tnet_run(e->ws[tid], e->p, tok, e->T, e->quant, NULL) * e->T;
}

static void prep_item(void *ctx, unsigned tid, uint32_t i)
{
	struct evalctx *e = ctx;

	(void)tid;
	tern_tnet_prepare(e->ws[i], e->p, e->quant);
}

double tern_train_eval(struct tern_tparams *p, const struct tern_corpus *c, uint32_t quant,
		       uint32_t max_windows, uint32_t threads, uint64_t *bytes)
{
	uint32_t T = p->c.n_ctx, nw = 0, i;
	size_t *starts = malloc(c->n_held_lines * sizeof(size_t)), next = 0, j;
	struct evalctx e = { p, NULL, c->held, starts, NULL, T, quant, NULL };
	double sum = 0.0;

	threads = threads ? threads : 1;
	/* Windows at line starts, not overlapping: each byte is scored at most once. */
	for (j = 0; starts && j < c->n_held_lines && (!max_windows || nw < max_windows); j++)
		if (c->held_lines[j] >= next && c->held_lines[j] + T + 1 <= c->n_held) {
			starts[nw++] = c->held_lines[j];
			next = c->held_lines[j] + T;
		}
	e.ws = calloc(threads, sizeof(*e.ws));
	e.toks = malloc((size_t)threads * (T + 1) * sizeof(uint32_t));
	e.nll = calloc(nw ? nw : 1, sizeof(double));
	for (i = 0; e.ws && i < threads; i++)
		if (!(e.ws[i] = tern_tnet_ws_new(&p->c, T)))
			break;
	if (!starts || !e.ws || i < threads || !e.toks || !e.nll || !nw) {
		sum = NAN;
		goto out;
	}
	parallel(threads, threads, prep_item, &e);
	parallel(threads, nw, eval_item, &e);
	for (i = 0; i < nw; i++)
		sum += e.nll[i];
	sum /= (double)nw * T;
	if (bytes)
		*bytes = (uint64_t)nw * T;
out:
	for (i = 0; e.ws && i < threads; i++)
		tern_tnet_ws_free(e.ws[i]);
	free(e.ws);
	free(e.toks);
	free(e.nll);
	free(starts);
	return sum;
}

/* ---- training */

struct stepctx {
	struct tern_tparams *p;
	struct tern_tnet_ws **ws;
	uint32_t *toks;      /* batch x (T + 1) */
	float **g;           /* one gradient per sequence */
	double *loss;
	uint32_t T, quant;
};

static void step_item(void *ctx, unsigned tid, uint32_t i)
{
	struct stepctx *s = ctx;

	memset(s->g[i], 0, s->p->n * sizeof(float));
	s->loss[i] = tern_tnet_run(s->ws[tid], s->p, s->toks + (size_t)i * (s->T + 1), s->T,
				   s->quant, s->g[i]);
}

static void step_prep(void *ctx, unsigned tid, uint32_t i)
{
	struct stepctx *s = ctx;

	(void)tid;
	tern_tnet_prepare(s->ws[i], s->p, s->quant);
}

static float lr_at(const struct tern_train_opts *o, uint32_t step)
{
	double t;

	if (step < o->warmup)
		return o->lr * (float)(step + 1) / (float)o->warmup;
	t = (double)(step - o->warmup) / (double)(o->steps > o->warmup ? o->steps - o->warmup : 1);
	return (float)(o->lr_min + 0.5 * (o->lr - o->lr_min) * (1.0 + cos(M_PI * t)));
}

int tern_train_run(struct tern_tparams *p, const struct tern_corpus *c,
		   const struct tern_train_opts *o, FILE *log, FILE *curve,
		   volatile const sig_atomic_t *stop, char *err, size_t errlen)
{
	uint32_t T = p->c.n_ctx, B = o->batch, nth = o->threads ? o->threads : 1, i, step;
	struct stepctx s = { p, NULL, NULL, NULL, NULL, T, o->quant };
	float *gsum = calloc(p->n, sizeof(float)), *m1 = calloc(p->n, sizeof(float));
	float *m2 = calloc(p->n, sizeof(float));
	uint8_t *decay = calloc(p->n, 1);
	uint64_t rng = o->seed;
	size_t j, nstart = 0;
	int rc = -1;
	uint32_t l, w;

	s.ws = calloc(nth, sizeof(*s.ws));
	s.toks = malloc((size_t)B * (T + 1) * sizeof(uint32_t));
	s.g = calloc(B, sizeof(float *));
	s.loss = calloc(B, sizeof(double));
	if (!gsum || !m1 || !m2 || !decay || !s.ws || !s.toks || !s.g || !s.loss)
		goto oom;
	for (i = 0; i < nth; i++)
		if (!(s.ws[i] = tern_tnet_ws_new(&p->c, T)))
			goto oom;
	for (i = 0; i < B; i++)
		if (!(s.g[i] = malloc(p->n * sizeof(float))))
			goto oom;
	/* Weight decay on the BitLinear weights only (not norms, not the embedding). */
	for (l = 0; l < p->c.n_layer; l++)
		for (w = 0; w < TERN_LIN_COUNT; w++) {
			uint32_t mm, kk;

			tern_lin_shape(&p->c, w, &mm, &kk);
			memset(decay + p->lin[l][w], 1, (size_t)mm * kk);
		}
	while (nstart < c->n_train_lines && c->train_lines[nstart] + T + 1 <= c->n_train)
		nstart++;
	if (nstart < B) {
		snprintf(err, errlen, "training text too short for %u windows of %u bytes", B, T + 1);
		goto out;
	}
	for (step = 0; step < o->steps; step++) {
		float lr = lr_at(o, step);
		double loss = 0.0, norm2 = 0.0, scale, b1c, b2c;

		if (stop && *stop) {
			snprintf(err, errlen, "interrupted");
			goto out;
		}
		for (i = 0; i < B; i++)
			load_window(c->train, c->train_lines[mix(&rng) % nstart], T + 1,
				    s.toks + (size_t)i * (T + 1));
		parallel(nth, nth, step_prep, &s);
		parallel(nth, B, step_item, &s);
		/* Sum in sequence order: identical for any thread count. */
		memset(gsum, 0, p->n * sizeof(float));
		for (i = 0; i < B; i++) {
			loss += s.loss[i];
			for (j = 0; j < p->n; j++)
				gsum[j] += s.g[i][j];
		}
		loss /= B;
		for (j = 0; j < p->n; j++) {
			gsum[j] /= (float)B;
			norm2 += (double)gsum[j] * gsum[j];
		}
		scale = sqrt(norm2) > o->clip ? o->clip / sqrt(norm2) : 1.0;
		b1c = 1.0 - pow(0.9, step + 1);
		b2c = 1.0 - pow(0.95, step + 1);
		for (j = 0; j < p->n; j++) {
			float g = (float)(gsum[j] * scale), mh, vh;

			m1[j] = 0.9f * m1[j] + 0.1f * g;
			m2[j] = 0.95f * m2[j] + 0.05f * g * g;
			mh = (float)(m1[j] / b1c);
			vh = (float)(m2[j] / b2c);
			p->data[j] -= lr * (mh / (sqrtf(vh) + 1e-8f) + (decay[j] ? o->wd * p->data[j] : 0.0f));
		}
		if (log && (step % 10 == 0 || step + 1 == o->steps)) {
			fprintf(log, "step %u/%u loss %.4f (ppl %.3f) lr %.2e |g| %.3f\n", step + 1,
				o->steps, loss, exp(loss), lr, sqrt(norm2));
			fflush(log);
		}
		if (curve && o->eval_every && ((step + 1) % o->eval_every == 0 || step + 1 == o->steps)) {
			double h = tern_train_eval(p, c, o->quant, o->eval_seqs, nth, NULL);

			fprintf(curve, "%u %.5f %.4f %.3e\n", step + 1, loss, exp(h), lr);
			fflush(curve);
			if (log)
				fprintf(log, "step %u held-out ppl/byte %.3f (%u windows)\n", step + 1,
					exp(h), o->eval_seqs);
		}
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory for training buffers");
out:
	for (i = 0; s.ws && i < nth; i++)
		tern_tnet_ws_free(s.ws[i]);
	for (i = 0; s.g && i < B; i++)
		free(s.g[i]);
	free(s.ws);
	free(s.toks);
	free(s.g);
	free(s.loss);
	free(gsum);
	free(m1);
	free(m2);
	free(decay);
	return rc;
}

/* ---- checkpoint: "TERNTRN1", the config struct's fields, then n floats (LE host) */

int tern_tparams_save(const struct tern_tparams *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	uint64_t n = p->n;
	int ok;

	if (!f)
		return snprintf(err, errlen, "cannot create '%s'", path), -1;
	ok = fwrite("TERNTRN1", 8, 1, f) == 1 && fwrite(&p->c, sizeof(p->c), 1, f) == 1 &&
	     fwrite(&n, sizeof(n), 1, f) == 1 && fwrite(p->data, sizeof(float), p->n, f) == p->n;
	if (fclose(f) || !ok)
		return snprintf(err, errlen, "write error on '%s'", path), -1;
	return 0;
}

int tern_tparams_load(const char *path, struct tern_tparams **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct tern_model_config c;
	struct tern_tparams *p = NULL;
	char magic[8];
	uint64_t n;

	if (!f)
		return snprintf(err, errlen, "cannot open checkpoint '%s'", path), -1;
	if (fread(magic, 8, 1, f) != 1 || memcmp(magic, "TERNTRN1", 8) ||
	    fread(&c, sizeof(c), 1, f) != 1 || fread(&n, sizeof(n), 1, f) != 1 ||
	    tern_config_check(&c, err, errlen) || c.n_vocab != TERN_TRAIN_VOCAB ||
	    !(p = tern_tparams_new(&c)) || n != p->n ||
	    fread(p->data, sizeof(float), p->n, f) != p->n) {
		fclose(f);
		tern_tparams_free(p);
		return snprintf(err, errlen, "'%s' is not a tern train checkpoint", path), -1;
	}
	fclose(f);
	*out = p;
	return 0;
}
