/*
 * What `tern run` hands out besides tokens: --logits (every computed position's logits,
 * the device pass's, which the model check proved equal to the golden pass's) as a
 * NumPy .npy file, and --top-logprobs (each generated token's log-probability and the K
 * most likely tokens where it was sampled) for the JSON.
 *
 * Positions are in the order they are computed: the prompt's (prefill), then one per
 * fed-back generated token. The logits after the last generated token are not computed
 * (nothing is sampled from them), so a run with P prompt and G generated tokens has
 * P + G rows, computed as the run feeds every generated token back (P + G - 1 when
 * EOS stopped it: EOS is not fed back).
 * Log-probabilities are log-softmax in double precision at temperature 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_run_priv.h"

#define CMD "run"

int tern_run_alloc_out(const struct run_args *a, struct run_state *st, char *err, size_t errlen)
{
	if (a->top_logprobs) {
		st->lp = calloc((size_t)st->n_gen * (a->top_logprobs + 1), sizeof(*st->lp));
		if (!st->lp)
			return snprintf(err, errlen, "out of memory for --top-logprobs"), -1;
	}
	return 0;
}

void tern_run_keep_logits(const struct run_args *a, struct run_state *st, uint32_t n)
{
	uint32_t V = st->m->cfg.n_vocab, i;

	if (!a->logits || st->logits_rows == UINT64_MAX)
		return;
	if (st->logits_rows + n > st->logits_cap) {
		uint64_t cap = (st->logits_rows + n) * 2;
		float *p = realloc(st->logits, cap * V * sizeof(float));

		if (!p) {
			st->logits_rows = UINT64_MAX; /* reported when writing */
			return;
		}
		st->logits = p;
		st->logits_cap = cap;
	}
	for (i = 0; i < n; i++)
		memcpy(st->logits + (st->logits_rows + i) * V, tern_run_logits(st->runs[0], i),
		       V * sizeof(float));
	st->logits_rows += n;
}

void tern_run_keep_logprobs(const struct run_args *a, struct run_state *st, const float *lg,
			    uint32_t tok)
{
	uint32_t V = st->m->cfg.n_vocab, K = (uint32_t)a->top_logprobs, v, i, n = 0;
	struct run_lp *out;
	double mx = lg[0], z = 0.0, lse;

	if (!K || st->step >= st->n_gen)
		return;
	out = st->lp + (size_t)st->step * (K + 1);
	for (v = 1; v < V; v++)
		mx = lg[v] > mx ? lg[v] : mx;
	for (v = 0; v < V; v++)
		z += exp((double)lg[v] - mx);
	lse = mx + log(z);
	out[0].id = tok;
	out[0].lp = (float)(lg[tok] - lse);
	/* Top K by insertion into t[0..n), sorted by logit; ties keep the lower id first. */
	for (v = 0; v < V; v++) {
		struct run_lp e = { v, (float)(lg[v] - lse) }, *t = out + 1;

		if (n == K && !(lg[v] > lg[t[K - 1].id]))
			continue;
		for (i = n < K ? n++ : K - 1; i > 0 && lg[t[i - 1].id] < lg[v]; i--)
			t[i] = t[i - 1];
		t[i] = e;
	}
}

int tern_run_write_logits(const struct run_args *a, const struct run_state *st)
{
	uint32_t V = st->m->cfg.n_vocab;
	char hdr[128];
	size_t hl, data;
	char *buf;
	int rc;

	if (!a->logits)
		return 0;
	if (st->logits_rows == UINT64_MAX)
		return tern_usage_err(CMD, "--logits: out of memory keeping the logits"), -1;
	/* NPY 1.0: magic, version, header length, a dict padded so data starts at 64n. */
	hl = (size_t)snprintf(hdr, sizeof(hdr), "{'descr': '<f4', 'fortran_order': False, "
			      "'shape': (%llu, %u), }", (unsigned long long)st->logits_rows, V);
	while ((10 + hl + 1) % 64)
		hdr[hl++] = ' ';
	hdr[hl++] = '\n';
	data = (size_t)st->logits_rows * V * sizeof(float);
	buf = malloc(10 + hl + data);
	if (!buf)
		return tern_usage_err(CMD, "--logits: out of memory"), -1;
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (char)(hl & 0xff);
	buf[9] = (char)(hl >> 8);
	memcpy(buf + 10, hdr, hl);
	if (data)
		memcpy(buf + 10 + hl, st->logits, data);
	rc = tern_write_atomic(CMD, a->logits, buf, 10 + hl + data);
	free(buf);
	return rc ? -1 : 0;
}
