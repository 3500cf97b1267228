/*
 * Model-level helpers shared by the zoo, the GGUF loader and the forward pass: tensor
 * shapes and names (llama.cpp's GGUF names), config validation, and opening a model
 * from a "zoo:NAME" or file spec. The shapes here are the single source of truth: the
 * GGUF loader checks a file's tensors against them, the exporter writes them.
 */
#include <stdio.h>
#include <string.h>

#include "tern_model.h"

static const char *const lin_names[TERN_LIN_COUNT] = {
	"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down",
};

static const char *const norm_names[TERN_NORM_COUNT] = {
	"attn_norm", "attn_sub_norm", "ffn_norm", "ffn_sub_norm", "output_norm",
};

void tern_lin_shape(const struct tern_model_config *c, uint32_t which, uint32_t *m,
		    uint32_t *k)
{
	uint32_t q = c->n_head * c->head_dim, kv = c->n_head_kv * c->head_dim;

	switch (which) {
	case TERN_LIN_Q: *m = q; *k = c->n_embd; break;
	case TERN_LIN_K:
	case TERN_LIN_V: *m = kv; *k = c->n_embd; break;
	case TERN_LIN_O: *m = c->n_embd; *k = q; break;
	case TERN_LIN_GATE:
	case TERN_LIN_UP: *m = c->n_ff; *k = c->n_embd; break;
	default: *m = c->n_embd; *k = c->n_ff; break;
	}
}

uint32_t tern_norm_len(const struct tern_model_config *c, uint32_t which)
{
	if (which == TERN_NORM_ATTN_SUB)
		return c->n_head * c->head_dim;
	if (which == TERN_NORM_FFN_SUB)
		return c->n_ff;
	return c->n_embd;
}

const char *tern_lin_name(uint32_t layer, uint32_t which, char *buf, size_t len)
{
	if (which == TERN_LIN_HEAD)
		snprintf(buf, len, "output");
	else
		snprintf(buf, len, "blk.%u.%s", layer, lin_names[which % TERN_LIN_COUNT]);
	return buf;
}

const char *tern_norm_name(uint32_t layer, uint32_t which, char *buf, size_t len)
{
	if (which == TERN_NORM_OUTPUT)
		snprintf(buf, len, "output_norm");
	else
		snprintf(buf, len, "blk.%u.%s", layer, norm_names[which % TERN_NORM_COUNT]);
	return buf;
}

int tern_config_check(const struct tern_model_config *c, char *err, size_t errlen)
{
	const char *why = NULL;

	if (!c->n_embd || !c->n_layer || !c->n_head || !c->n_head_kv || !c->n_ff ||
	    !c->n_vocab || !c->n_ctx)
		why = "a dimension is zero";
	else if (c->n_embd > (1u << 16) || c->n_ff > (1u << 18) || c->n_layer > 1024 ||
		 c->n_vocab > (1u << 24) || c->n_ctx > (1u << 20))
		why = "a dimension is implausibly large";
	else if (c->n_head * c->head_dim != c->n_embd)
		why = "n_embd is not n_head * head_dim";
	else if (c->head_dim % 2)
		why = "head_dim is odd (RoPE rotates pairs)";
	else if (c->n_head % c->n_head_kv)
		why = "n_head is not a multiple of n_head_kv";
	else if (!(c->rope_theta > 0.0f) || !(c->norm_eps > 0.0f) || c->norm_eps > 1.0f)
		why = "rope_theta or norm_eps out of range";
	else if (c->act != TERN_ACT_RELU2 && c->act != TERN_ACT_SILU)
		why = "unknown FFN activation";
	if (why)
		snprintf(err, errlen, "model '%s': %s", c->name, why);
	return why ? -1 : 0;
}

uint64_t tern_model_macs_per_token(const struct tern_model_config *c)
{
	uint64_t sum = 0;
	uint32_t i, m, k;

	for (i = 0; i < TERN_LIN_COUNT; i++) {
		tern_lin_shape(c, i, &m, &k);
		sum += (uint64_t)m * k;
	}
	return sum * c->n_layer;
}

int tern_model_open(const char *spec, struct tern_model **out, char *err, size_t errlen)
{
	if (!strncmp(spec, "zoo:", 4))
		return tern_zoo_open(spec + 4, out, err, errlen);
	return tern_model_open_gguf(spec, out, err, errlen);
}

void tern_model_free(struct tern_model *m)
{
	if (!m)
		return;
	tern_vocab_free(m->vocab);
	tern_wcache_free(m->wc);
	m->wc = NULL;
	tern_head_free(m->head);
	m->head = NULL;
	if (m->ops && m->ops->free)
		m->ops->free(m);
}
