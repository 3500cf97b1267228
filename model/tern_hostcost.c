/*
 * Host-op cost accounting and the timing-only model walk.
 *
 * Everything in a BitNet block that is not a BitLinear runs on the host; its cost is
 * counted here as FLOPs and host memory bytes per op, one formula per op. The
 * forward pass (tern_forward.c) calls the per-op functions at each op it executes,
 * and tern_cost_step() replays the same ops for a step without executing anything,
 * so a timing-only run (`tern run --timing-only`) and a checked run count the same
 * numbers; tests/e2e/run_report.sh compares the two. Counts are integers (exact in
 * a double far beyond any model here), so the two sums agree bit for bit.
 *
 * Conventions (docs/model.md, "Host-op accounting"): an add, multiply, compare,
 * divide, square root or exp is one FLOP each; the sin/cos/pow of RoPE angles one
 * each. Bytes count only the big streams a real host cannot keep in cache: the KV
 * cache (FP32, as tern stores it), the output projection's and the embedding's rows
 * (2 bytes per weight, BF16 as BitNet 2B-4T ships them). Activation vectors are
 * assumed cache-resident. Only the sampled position's logits are counted: a checked
 * run computes every position's logits to compare them, which a deployment does not.
 */
#include <string.h>

#include "tern_model.h"

#define EMBD_BYTES 2.0  /* BF16 embedding / tied output weights */
#define KV_BYTES 4.0    /* FP32 KV cache entries */

static const char *const hop_names[TERN_HOP_COUNT] = {
	"embedding", "rmsnorm", "rope", "attention", "activation", "quantization",
	"residual", "output", "sampling",
};

const char *tern_hop_name(unsigned op)
{
	return op < TERN_HOP_COUNT ? hop_names[op] : "?";
}

double tern_host_flops(const struct tern_host_cost *c)
{
	double s = 0;
	unsigned i;

	for (i = 0; i < TERN_HOP_COUNT; i++)
		s += c->flops[i];
	return s;
}

double tern_host_bytes(const struct tern_host_cost *c)
{
	double s = 0;
	unsigned i;

	for (i = 0; i < TERN_HOP_COUNT; i++)
		s += c->bytes[i];
	return s;
}

void tern_host_cost_add(struct tern_host_cost *dst, const struct tern_host_cost *src)
{
	unsigned i;

	for (i = 0; i < TERN_HOP_COUNT; i++) {
		dst->flops[i] += src->flops[i];
		dst->bytes[i] += src->bytes[i];
	}
}

void tern_host_cost_sub(struct tern_host_cost *dst, const struct tern_host_cost *src)
{
	unsigned i;

	for (i = 0; i < TERN_HOP_COUNT; i++) {
		dst->flops[i] -= src->flops[i];
		dst->bytes[i] -= src->bytes[i];
	}
}

static uint32_t qdim(const struct tern_model_config *m)
{
	return m->n_head * m->head_dim;
}

static uint32_t kvdim(const struct tern_model_config *m)
{
	return m->n_head_kv * m->head_dim;
}

void tern_cost_embed(const struct tern_model_config *m, struct tern_host_cost *c)
{
	c->bytes[TERN_HOP_EMBED] += EMBD_BYTES * m->n_embd;
}

/* Sum of squares (2 per element), one divide and one square root, x * r * w (2). */
void tern_cost_norm(uint32_t len, struct tern_host_cost *c)
{
	c->flops[TERN_HOP_NORM] += 4.0 * len + 2;
}

/* 6 FLOPs per rotated pair of q and k; pow, multiply, cos, sin per angle, for q and k. */
void tern_cost_rope(const struct tern_model_config *m, struct tern_host_cost *c)
{
	c->flops[TERN_HOP_ROPE] += 3.0 * (qdim(m) + kvdim(m)) + 4.0 * m->head_dim;
}

/*
 * Per head and cached row: q.k (2 x head_dim), the scale, softmax's max, exp, sum and
 * divide (5), the weighted V sum (2 x head_dim). Bytes: each cached K and V row read
 * once per query token (a GQA group shares them) and the new row appended.
 */
void tern_cost_attn(const struct tern_model_config *m, uint32_t pos, struct tern_host_cost *c)
{
	double t = (double)pos + 1;

	c->flops[TERN_HOP_ATTN] += (double)m->n_head * t * (4.0 * m->head_dim + 5);
	c->bytes[TERN_HOP_ATTN] += KV_BYTES * 2 * kvdim(m) * (t + 1);
}

/* ReLU^2: square and the up multiply (the compare is free); SiLU: neg, exp, add,
 * divide, multiply. */
void tern_cost_act(const struct tern_model_config *m, struct tern_host_cost *c)
{
	c->flops[TERN_HOP_ACT] += (m->act == TERN_ACT_RELU2 ? 2.0 : 5.0) * m->n_ff;
}

static double ceil_log2(uint32_t n)
{
	double l = 0;

	while (n > 1) {
		n = (n + 1) / 2;
		l++;
	}
	return l;
}

/*
 * absmax int8: |x| compare, scale multiply, round (3 per element) and the scale
 * divide; absmean int4: |x| add instead of compare, plus a square root; a4.8's
 * top-50% o_proj input adds a sort (len x log2 len compares) and the select pass.
 */
void tern_cost_quant(uint32_t len, uint32_t which, uint32_t quant, struct tern_host_cost *c)
{
	double f = 3.0 * len + 1;

	if (quant == TERN_QUANT_A48 && which == TERN_LIN_O)
		f += (double)len * ceil_log2(len) + 4.0 * len;
	else if (quant == TERN_QUANT_A48 && which != TERN_LIN_DOWN)
		f += 1;
	c->flops[TERN_HOP_QUANT] += f;
}

/* y = acc x (wscale / act_scale): one divide, then a convert-multiply per output. */
void tern_cost_dequant(uint32_t m, struct tern_host_cost *c)
{
	c->flops[TERN_HOP_QUANT] += (double)m + 1;
}

void tern_cost_resid(const struct tern_model_config *m, struct tern_host_cost *c)
{
	c->flops[TERN_HOP_RESID] += m->n_embd;
}

void tern_cost_output(const struct tern_model_config *m, struct tern_host_cost *c)
{
	tern_cost_norm(m->n_embd, c);
	if (m->head_planes) {
		/* Head on the array (tern_head.c): the input's int8 quantization (absmax:
		 * a compare per element, a divide; a multiply and a round per element), the
		 * shift-add combine ((planes - 1) x 2 integer ops per row, counted as FLOPs)
		 * and one multiply and one divide per row for its scale; the array's int32
		 * products (planes x 4 bytes per row) read back from DRAM. */
		c->flops[TERN_HOP_OUTPUT] += 3.0 * m->n_embd + 1 +
			2.0 * (m->head_planes - 1) * m->n_vocab + 2.0 * m->n_vocab;
		c->bytes[TERN_HOP_OUTPUT] += 4.0 * m->head_planes * m->n_vocab;
		return;
	}
	c->flops[TERN_HOP_OUTPUT] += 2.0 * m->n_embd * m->n_vocab;
	c->bytes[TERN_HOP_OUTPUT] += EMBD_BYTES * m->n_embd * m->n_vocab;
}

/* Greedy: one compare per logit; top-k adds an exp and two adds per kept token. */
void tern_cost_sample(const struct tern_model_config *m, uint32_t top_k,
		      struct tern_host_cost *c)
{
	c->flops[TERN_HOP_SAMPLE] += m->n_vocab + (top_k > 1 ? 3.0 * top_k : 0);
}

/* One block for one token at position pos, in tern_forward's order. */
static void cost_block_token(const struct tern_model_config *m, uint32_t quant, uint32_t pos,
			     struct tern_host_cost *c)
{
	tern_cost_norm(m->n_embd, c);
	tern_cost_quant(m->n_embd, TERN_LIN_Q, quant, c);
	tern_cost_dequant(qdim(m), c);
	tern_cost_dequant(kvdim(m), c);
	tern_cost_dequant(kvdim(m), c);
	tern_cost_rope(m, c);
	tern_cost_attn(m, pos, c);
	tern_cost_norm(qdim(m), c);
	tern_cost_quant(qdim(m), TERN_LIN_O, quant, c);
	tern_cost_dequant(m->n_embd, c);
	tern_cost_resid(m, c);
	tern_cost_norm(m->n_embd, c);
	tern_cost_quant(m->n_embd, TERN_LIN_GATE, quant, c);
	tern_cost_dequant(m->n_ff, c);
	tern_cost_dequant(m->n_ff, c);
	tern_cost_act(m, c);
	tern_cost_norm(m->n_ff, c);
	tern_cost_quant(m->n_ff, TERN_LIN_DOWN, quant, c);
	tern_cost_dequant(m->n_embd, c);
	tern_cost_resid(m, c);
}

void tern_cost_step(const struct tern_model_config *m, uint32_t quant, uint32_t pos,
		    uint32_t n, struct tern_host_cost *c)
{
	uint32_t i, layer;

	for (i = 0; i < n; i++)
		tern_cost_embed(m, c);
	for (layer = 0; layer < m->n_layer; layer++)
		for (i = 0; i < n; i++)
			cost_block_token(m, quant, pos + i, c);
	tern_cost_output(m, c);
}

int tern_walk_step(const struct tern_model_config *m, uint32_t n, tern_layer_fn fn, void *ctx)
{
	struct tern_layer l = { 0, 0, n, m->wfmt };
	uint32_t layer, which;
	char name[64];
	int rc;

	for (layer = 0; layer < m->n_layer; layer++)
		for (which = 0; which < TERN_LIN_COUNT; which++) {
			tern_lin_shape(m, which, &l.m, &l.k);
			tern_lin_name(layer, which, name, sizeof(name));
			if ((rc = fn(ctx, layer, which, name, &l)))
				return rc;
		}
	if (m->head_planes) {
		/* the head on the array: its sampled position only, as in the forward pass */
		struct tern_layer h = { m->head_planes * m->n_vocab, m->n_embd, 1, m->wfmt };

		if ((rc = fn(ctx, 0, TERN_LIN_HEAD, "output", &h)))
			return rc;
	}
	return 0;
}
