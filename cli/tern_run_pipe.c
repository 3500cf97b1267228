/*
 * `tern run --prefill-chunks C`: time to first token when the prompt is split into C
 * chunks whose host work overlaps the array's work on another chunk.
 *
 * Unpipelined, a prefill alternates: the array runs a layer's BitLinears, then the
 * host runs RoPE, attention, norms and quantization, then the array again; the two add
 * up (docs/model.md: TTFT = accelerator + host). With chunks, the host can do chunk c's
 * attention while the array runs chunk c + 1's projections: a chunk's stages keep
 * their order, and chunk c's attention at layer l waits for chunk c - 1's (its keys and
 * values are in the cache by then). tern_run_schedule lists every stage and schedules
 * them greedily on two resources, the array and the host, the earliest-startable stage
 * first (ties to the earlier chunk). Host stages are the host-op formulas of
 * tern_hostcost.c for the chunk's tokens (each op at max(FLOPs / rate, bytes /
 * bandwidth)); array stages come from one of two sources, through the same scheduler:
 *   - timing-only (tern_run_pipeline): the fast cycle model's seconds for the chunk's
 *     BitLinears at N = chunk tokens, the same for every layer;
 *   - executed (tern_run_pipeline_executed): the cycles the backend reported for each
 *     chunk's BitLinear programs as they ran (the chunked prefill of tern_cmd_run.c).
 * Either way the times are per stage and the overlap is scheduled, not simulated: the
 * driver runs one program per BitLinear and the host between them, so the overlap needs
 * a runtime that issues chunk c + 1's layer while the host works on chunk c
 * (docs/performance.md says so where it quotes it).
 */
#include <stdlib.h>
#include <string.h>

#include "tern_fast.h"
#include "tern_run_priv.h"

#define FAST_ZERO_FRACTION (1.0 / 3.0)
#define STAGES 9 /* per layer: host, array qkv, host, array o, host, array gate/up, host, array down, host */
#define ASTAGES 4 /* array stages per layer: TERN_PIPE_QKV .. TERN_PIPE_DOWN */

struct stage_ctx {
	const struct run_args *a;
	struct run_state *st;
	struct tern_fast_dram dram;
	double clock_hz;
};

/* Seconds of the array for BitLinears `which[0..n)` at N tokens. */
static int array_s(struct stage_ctx *x, const uint32_t *which, unsigned n, uint32_t tokens,
		   double *s, char *err, size_t errlen)
{
	uint64_t cnt[TERN_CNT_COUNT];
	unsigned i;

	*s = 0;
	for (i = 0; i < n; i++) {
		struct tern_layer l = { 0, 0, tokens, x->st->m->cfg.wfmt };

		tern_lin_shape(&x->st->m->cfg, which[i], &l.m, &l.k);
		if (tern_fast_layer(&x->st->o.cfg, &l, &x->dram, FAST_ZERO_FRACTION, cnt, err, errlen))
			return -1;
		*s += (double)cnt[TERN_CNT_CYCLES] / x->clock_hz;
	}
	return 0;
}

static double host_s(const struct run_args *a, const struct tern_host_cost *c)
{
	double s = 0;
	unsigned op;

	for (op = 0; op < TERN_HOP_COUNT; op++)
		s += tern_run_op_seconds(a, c->flops[op], c->bytes[op]);
	return s;
}

/* Host stage k (0, 2, 4, 6, 8) of one layer for tokens at positions p0..p1-1. */
static double host_stage(const struct run_args *a, const struct tern_model_config *m,
			 unsigned k, uint32_t layer, uint32_t p0, uint32_t p1)
{
	uint32_t qd = m->n_head * m->head_dim, kv = m->n_head_kv * m->head_dim, p;
	struct tern_host_cost c;

	memset(&c, 0, sizeof(c));
	for (p = p0; p < p1; p++)
		switch (k) {
		case 0:
			if (!layer)
				tern_cost_embed(m, &c);
			tern_cost_norm(m->n_embd, &c);
			tern_cost_quant(m->n_embd, TERN_LIN_Q, a->quant, &c);
			break;
		case 2:
			tern_cost_dequant(qd, &c);
			tern_cost_dequant(kv, &c);
			tern_cost_dequant(kv, &c);
			tern_cost_rope(m, &c);
			tern_cost_attn(m, p, &c);
			tern_cost_norm(qd, &c);
			tern_cost_quant(qd, TERN_LIN_O, a->quant, &c);
			break;
		case 4:
			tern_cost_dequant(m->n_embd, &c);
			tern_cost_resid(m, &c);
			tern_cost_norm(m->n_embd, &c);
			tern_cost_quant(m->n_embd, TERN_LIN_GATE, a->quant, &c);
			break;
		case 6:
			tern_cost_dequant(m->n_ff, &c);
			tern_cost_dequant(m->n_ff, &c);
			tern_cost_act(m, &c);
			tern_cost_norm(m->n_ff, &c);
			tern_cost_quant(m->n_ff, TERN_LIN_DOWN, a->quant, &c);
			break;
		default:
			tern_cost_dequant(m->n_embd, &c);
			tern_cost_resid(m, &c);
			break;
		}
	return host_s(a, &c);
}

/* First token of chunk c of an n-token prompt in `chunks` even chunks. */
static uint32_t chunk_start(uint32_t n, uint32_t chunks, uint32_t c)
{
	return (uint32_t)((uint64_t)n * c / chunks);
}

int tern_run_schedule(const struct run_args *a, const struct tern_model_config *m,
		      struct tern_pipe *p, char *err, size_t errlen)
{
	uint32_t chunks = p->chunks, n = p->n, L = m->n_layer, c, total = L * STAGES;
	double *done = NULL, res_free[2] = { 0, 0 }, end = 0;
	uint32_t *next = NULL;
	struct tern_host_cost hc;

	p->array_s = p->host_s = p->ttft = 0;
	done = calloc((size_t)chunks * total, sizeof(double)); /* finish time per stage */
	next = calloc(chunks, sizeof(uint32_t));
	if (!done || !next) {
		free(done);
		free(next);
		snprintf(err, errlen, "out of memory for the prefill schedule");
		return -1;
	}
	for (;;) {
		double best = -1, start = 0;
		uint32_t bc = 0;

		for (c = 0; c < chunks; c++) {
			uint32_t s = next[c], k = s % STAGES;
			double t;

			if (s == total)
				continue;
			t = s ? done[(size_t)c * total + s - 1] : 0;
			if (k == 2 && c) { /* attention waits for the earlier chunk's cache entries */
				if (next[c - 1] <= s)
					continue;
				if (done[(size_t)(c - 1) * total + s] > t)
					t = done[(size_t)(c - 1) * total + s];
			}
			if (res_free[k & 1] > t)
				t = res_free[k & 1];
			if (best < 0 || t < start) {
				best = 1;
				start = t;
				bc = c;
			}
		}
		if (best < 0)
			break;
		{
			uint32_t s = next[bc], k = s % STAGES, layer = s / STAGES;
			double d = k & 1 ? p->stage_s[((size_t)bc * L + layer) * ASTAGES + k / 2]
					 : host_stage(a, m, k, layer, chunk_start(n, chunks, bc),
						      chunk_start(n, chunks, bc + 1));

			if (k & 1)
				p->array_s += d;
			else
				p->host_s += d;
			done[(size_t)bc * total + s] = start + d;
			res_free[k & 1] = start + d;
			if (start + d > end)
				end = start + d;
			next[bc]++;
		}
	}
	free(done);
	free(next);
	/* After the last chunk: the output norm and head of the sampled position (host op
	 * "output", and the head's layer on the array when it runs there), and sampling;
	 * nothing overlaps them. */
	memset(&hc, 0, sizeof(hc));
	tern_cost_output(m, &hc);
	tern_cost_sample(m, (uint32_t)a->top_k, &hc);
	p->host_s += host_s(a, &hc);
	p->array_s += p->head_s;
	p->ttft = end + host_s(a, &hc) + p->head_s;
	return 0;
}

/* The DRAM the fast cycle model times against: the run's options or the defaults. */
struct tern_fast_dram tern_run_dram(const struct run_state *st)
{
	struct tern_fast_dram d = { st->o.dram_latency ? st->o.dram_latency : TERN_DRAM_LATENCY,
				    st->o.dram_bytes_per_cycle ? st->o.dram_bytes_per_cycle
							       : TERN_DRAM_BYTES_PER_CYCLE };

	return d;
}

int tern_run_pipeline(const struct run_args *a, struct run_state *st, uint32_t chunks,
		      struct tern_pipe *p, char *err, size_t errlen)
{
	static const uint32_t qkv[] = { TERN_LIN_Q, TERN_LIN_K, TERN_LIN_V }, o[] = { TERN_LIN_O },
			      gu[] = { TERN_LIN_GATE, TERN_LIN_UP }, dn[] = { TERN_LIN_DOWN };
	const struct tern_model_config *m = &st->m->cfg;
	struct stage_ctx x = { a, st, tern_run_dram(st), a->mach.clock_mhz * 1e6 };
	uint32_t n = st->n_prompt, L = m->n_layer, c, l;
	double *dur;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	p->chunks = chunks;
	p->n = n;
	dur = calloc((size_t)chunks * L * ASTAGES, sizeof(double));
	if (!dur) {
		snprintf(err, errlen, "out of memory for the prefill schedule");
		return -1;
	}
	/* Array stages depend on the chunk's size only: the same in every layer. */
	for (c = 0; c < chunks; c++) {
		uint32_t t = chunk_start(n, chunks, c + 1) - chunk_start(n, chunks, c);
		double *d = &dur[(size_t)c * L * ASTAGES];

		if (array_s(&x, qkv, 3, t, &d[TERN_PIPE_QKV], err, errlen) ||
		    array_s(&x, o, 1, t, &d[TERN_PIPE_O], err, errlen) ||
		    array_s(&x, gu, 2, t, &d[TERN_PIPE_GATE_UP], err, errlen) ||
		    array_s(&x, dn, 1, t, &d[TERN_PIPE_DOWN], err, errlen))
			goto out;
		for (l = 1; l < L; l++)
			memcpy(&d[l * ASTAGES], d, ASTAGES * sizeof(double));
	}
	if (m->head_planes) {
		struct tern_layer h = { m->head_planes * m->n_vocab, m->n_embd, 1, m->wfmt };
		uint64_t cnt[TERN_CNT_COUNT];

		if (tern_fast_layer(&st->o.cfg, &h, &x.dram, FAST_ZERO_FRACTION, cnt, err, errlen))
			goto out;
		p->head_s = (double)cnt[TERN_CNT_CYCLES] / x.clock_hz;
	}
	p->stage_s = dur;
	rc = tern_run_schedule(a, m, p, err, errlen);
out:
	p->stage_s = NULL;
	free(dur);
	return rc;
}

int tern_run_pipeline_executed(const struct run_args *a, struct run_state *st,
			       struct tern_pipe *p, char *err, size_t errlen)
{
	const struct tern_model_config *m = &st->m->cfg;
	size_t i, cnt = (size_t)st->chunks * m->n_layer * ASTAGES;
	double hz = a->mach.clock_mhz * 1e6, *dur = calloc(cnt, sizeof(double));
	int rc;

	memset(p, 0, sizeof(*p));
	p->chunks = st->chunks;
	p->n = st->n_prompt;
	if (!dur) {
		snprintf(err, errlen, "out of memory for the prefill schedule");
		return -1;
	}
	for (i = 0; i < cnt; i++)
		dur[i] = (double)st->stage_cycles[i] / hz;
	p->head_s = (double)st->head_cycles / hz;
	p->stage_s = dur;
	rc = tern_run_schedule(a, m, p, err, errlen);
	p->stage_s = NULL;
	free(dur);
	return rc;
}
