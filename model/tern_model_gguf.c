/*
 * Models from GGUF files, and zoo models written to GGUF, on top of tern_gguf.h.
 *
 * Two architectures: "bitnet" (llama.cpp: SiLU-gated FFN, tied output, optional
 * per-tensor blk.N.*.scale tensors that multiply the ternary scale) and bitnet.cpp's
 * "bitnet-b1.58" (and its earlier name "bitnet-25"), ReLU^2 as in 2B-4T. Both use
 * NEOX RoPE and sub-norms. The FFN activation comes from "<arch>.hidden_activation"
 * when present; without it tern infers it from the architecture as those engines do
 * (bitnet -> SiLU, bitnet-b1.58 -> ReLU^2), never a silent SiLU default for b1.58.
 *
 * Everything is validated at open (keys, every tensor's presence, type and shape), so
 * a bad file fails with one line before any layer runs. Tensors are decoded when the
 * forward pass asks for them: one layer's weights or one embedding row at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_model.h"
#include "tern_ternary.h"

struct gguf_priv {
	struct tern_gguf *g;
	const struct tern_gguf_tensor *embd;
};

static const struct tern_gguf_tensor *find(const struct tern_model *m, const char *base,
					   const char *suffix)
{
	const struct gguf_priv *p = m->priv;
	char name[96];

	snprintf(name, sizeof(name), "%s.%s", base, suffix);
	return tern_gguf_find_tensor(p->g, name);
}

static int gguf_linear(struct tern_model *m, uint32_t layer, uint32_t which, int8_t *w,
		       float *scale, char *err, size_t errlen)
{
	const struct gguf_priv *p = m->priv;
	const struct tern_gguf_tensor *t, *s;
	char base[64];
	float extra;

	tern_lin_name(layer, which, base, sizeof(base));
	t = find(m, base, "weight");
	if (!t || tern_gguf_tensor_ternary(p->g, t, w, scale, err, errlen))
		return -1;
	tern_gguf_release(p->g, t->data, t->size); /* the caller keeps its own forms */
	s = find(m, base, "scale");
	if (s) {
		if (tern_gguf_tensor_f32(p->g, s, &extra, err, errlen))
			return -1;
		*scale *= extra;
	}
	return 0;
}

static int gguf_norm(struct tern_model *m, uint32_t layer, uint32_t which, float *dst,
		     char *err, size_t errlen)
{
	const struct gguf_priv *p = m->priv;
	char base[64];
	const struct tern_gguf_tensor *t = find(m, tern_norm_name(layer, which, base, sizeof(base)),
						"weight");

	return t ? tern_gguf_tensor_f32(p->g, t, dst, err, errlen) : -1;
}

/* Every 256 rows, drop the mapped pages of the 256 rows read: the output projection's
 * full pass (tern_wcache.c) keeps its own copy, and single lookups map a row again when
 * they need it. The last row drops the whole table, for pages the kernel mapped around
 * a read (fault-around) after their own rows had been dropped. */
static void release_rows(struct tern_model *m, uint32_t tok)
{
	const struct gguf_priv *p = m->priv;

	if (tok % 256 == 255 || tok + 1 == m->cfg.n_vocab) {
		size_t rb = (size_t)m->cfg.n_embd * (p->embd->type == TERN_GGML_F32 ? 4 : 2);
		size_t first = tok + 1 == m->cfg.n_vocab ? 0 : tok / 256 * 256;

		tern_gguf_release(p->g, p->embd->data + first * rb, (tok + 1 - first) * rb);
	}
}

static int gguf_embd_row(struct tern_model *m, uint32_t tok, float *dst, char *err,
			 size_t errlen)
{
	const struct gguf_priv *p = m->priv;
	uint32_t i, d = m->cfg.n_embd;
	const uint8_t *row;

	(void)err;
	(void)errlen;
	switch (p->embd->type) {
	case TERN_GGML_F32:
		row = p->embd->data + (size_t)tok * d * 4;
		for (i = 0; i < d; i++)
			dst[i] = tern_f32_from_bits(tern_le32(row + 4 * i));
		break;
	case TERN_GGML_F16:
		row = p->embd->data + (size_t)tok * d * 2;
		for (i = 0; i < d; i++)
			dst[i] = tern_f16_to_f32(tern_le16(row + 2 * i));
		break;
	default:
		row = p->embd->data + (size_t)tok * d * 2;
		for (i = 0; i < d; i++)
			dst[i] = tern_bf16_to_f32(tern_le16(row + 2 * i));
		break;
	}
	release_rows(m, tok);
	return 0;
}

static int gguf_embd_row16(struct tern_model *m, uint32_t tok, uint16_t *dst, int *bf16)
{
	const struct gguf_priv *p = m->priv;
	const uint8_t *row = p->embd->data + (size_t)tok * m->cfg.n_embd * 2;
	uint32_t i;

	if (p->embd->type != TERN_GGML_F16 && p->embd->type != TERN_GGML_BF16)
		return -1;
	for (i = 0; i < m->cfg.n_embd; i++)
		dst[i] = tern_le16(row + 2 * i);
	*bf16 = p->embd->type == TERN_GGML_BF16;
	release_rows(m, tok);
	return 0;
}

static void gguf_free(struct tern_model *m)
{
	struct gguf_priv *p = m->priv;

	if (p)
		tern_gguf_close(p->g);
	free(p);
	free(m);
}

/* Export carries the file's own vocabulary through (tern_tok_export.c). */
static int gguf_meta(struct tern_model *m, struct tern_gguf_writer *w, char *err, size_t errlen)
{
	const struct gguf_priv *p = m->priv;

	return tern_vocab_copy_keys(p->g, w, err, errlen);
}

static const struct tern_model_ops gguf_ops = {
	.linear = gguf_linear,
	.norm = gguf_norm,
	.embd_row = gguf_embd_row,
	.free = gguf_free,
	.meta = gguf_meta,
	.embd_row16 = gguf_embd_row16,
};

static int is_float(uint32_t t)
{
	return t == TERN_GGML_F32 || t == TERN_GGML_F16 || t == TERN_GGML_BF16;
}

static int is_ternary(uint32_t t)
{
	return t == TERN_GGML_TQ1_0 || t == TERN_GGML_TQ2_0 || t == TERN_GGML_I2_S;
}

/* Required u32 "<arch>.<key>"; def used when missing and def != 0. */
static int key_u32(const struct tern_gguf *g, const char *arch, const char *key, uint32_t def,
		   uint32_t *v, char *err, size_t errlen)
{
	char k[128];
	int rc;

	snprintf(k, sizeof(k), "%s.%s", arch, key);
	rc = tern_gguf_get_u32(g, k, v);
	if (rc == TERN_GGUF_ENOTFOUND && def) {
		*v = def;
		return 0;
	}
	if (rc)
		snprintf(err, errlen, "key %s is %s", k, rc == TERN_GGUF_ENOTFOUND ? "missing" :
			 "not an unsigned 32-bit integer");
	return rc ? -1 : 0;
}

static int key_f32(const struct tern_gguf *g, const char *arch, const char *key, float def,
		   float *v, char *err, size_t errlen)
{
	char k[128];
	int rc;

	snprintf(k, sizeof(k), "%s.%s", arch, key);
	rc = tern_gguf_get_f32(g, k, v);
	if (rc == TERN_GGUF_ENOTFOUND && def > 0.0f) {
		*v = def;
		return 0;
	}
	if (rc)
		snprintf(err, errlen, "key %s is %s", k, rc == TERN_GGUF_ENOTFOUND ? "missing" :
			 "not a float");
	return rc ? -1 : 0;
}

static int read_act(const struct tern_gguf *g, struct tern_model_config *c, char *err,
		    size_t errlen)
{
	const char *s;
	char k[96];

	snprintf(k, sizeof(k), "%s.hidden_activation", c->arch);
	if (tern_gguf_get_str(g, k, &s, NULL)) {
		/* As llama.cpp (bitnet) and bitnet.cpp (bitnet-b1.58) hard-wire it. */
		c->act = strcmp(c->arch, "bitnet") ? TERN_ACT_RELU2 : TERN_ACT_SILU;
		return 0;
	}
	if (!strcmp(s, "relu2") || !strcmp(s, "relu_squared") || !strcmp(s, "relu_sqr"))
		c->act = TERN_ACT_RELU2;
	else if (!strcmp(s, "silu") || !strcmp(s, "swish"))
		c->act = TERN_ACT_SILU;
	else
		return snprintf(err, errlen, "key %s: unknown activation '%s'", k, s), -1;
	return 0;
}

static int read_config(const struct tern_gguf *g, const char *path, struct tern_model_config *c,
		       char *err, size_t errlen)
{
	const char *arch, *name;
	uint32_t rope_dim;

	if (tern_gguf_get_str(g, "general.architecture", &arch, NULL))
		return snprintf(err, errlen, "key general.architecture is missing"), -1;
	if (strcmp(arch, "bitnet") && strcmp(arch, "bitnet-b1.58") && strcmp(arch, "bitnet-25"))
		return snprintf(err, errlen, "unknown architecture '%.40s' (tern runs bitnet and "
				"bitnet-b1.58)", arch), -1;
	snprintf(c->arch, sizeof(c->arch), "%s", arch);
	if (!tern_gguf_get_str(g, "general.name", &name, NULL))
		snprintf(c->name, sizeof(c->name), "%s", name);
	else
		snprintf(c->name, sizeof(c->name), "%s", path);
	if (key_u32(g, arch, "embedding_length", 0, &c->n_embd, err, errlen) ||
	    key_u32(g, arch, "block_count", 0, &c->n_layer, err, errlen) ||
	    key_u32(g, arch, "feed_forward_length", 0, &c->n_ff, err, errlen) ||
	    key_u32(g, arch, "attention.head_count", 0, &c->n_head, err, errlen) ||
	    key_u32(g, arch, "attention.head_count_kv", c->n_head, &c->n_head_kv, err, errlen) ||
	    key_u32(g, arch, "context_length", 4096, &c->n_ctx, err, errlen) ||
	    key_f32(g, arch, "rope.freq_base", 10000.0f, &c->rope_theta, err, errlen) ||
	    key_f32(g, arch, "attention.layer_norm_rms_epsilon", 0.0f, &c->norm_eps, err, errlen) ||
	    read_act(g, c, err, errlen))
		return -1;
	c->head_dim = c->n_head ? c->n_embd / c->n_head : 0;
	if (!key_u32(g, arch, "rope.dimension_count", 0, &rope_dim, err, errlen) &&
	    rope_dim != c->head_dim)
		return snprintf(err, errlen, "partial RoPE (rope.dimension_count %u, head size %u) "
				"is not supported", rope_dim, c->head_dim), -1;
	return 0;
}

/* A tensor that must exist with exactly this shape and a type from the right family. */
static int want(const struct tern_model *m, const char *base, const char *suffix, int ternary,
		uint64_t ne0, uint64_t ne1, char *err, size_t errlen)
{
	const struct tern_gguf_tensor *t = find(m, base, suffix);

	if (!t)
		return snprintf(err, errlen, "tensor %s.%s is missing", base, suffix), -1;
	if (ternary ? !is_ternary(t->type) : !is_float(t->type))
		return snprintf(err, errlen, "tensor %s.%s has type %s, expected %s", base, suffix,
				tern_gguf_type_name(((struct gguf_priv *)m->priv)->g, t->type),
				ternary ? "tq1_0, tq2_0 or i2_s" : "f32, f16 or bf16"), -1;
	if (t->ne[0] != ne0 || t->ne[1] != ne1 || t->ne[2] != 1 || t->ne[3] != 1)
		return snprintf(err, errlen, "tensor %s.%s has shape %llux%llu, expected %llux%llu",
				base, suffix, (unsigned long long)t->ne[0],
				(unsigned long long)t->ne[1], (unsigned long long)ne0,
				(unsigned long long)ne1), -1;
	return 0;
}

static int check_tensors(struct tern_model *m, char *err, size_t errlen)
{
	const struct tern_model_config *c = &m->cfg;
	const struct tern_gguf_tensor *s;
	uint32_t l, i, rows, k;
	char base[64];

	if (find(m, "output", "weight"))
		return snprintf(err, errlen, "untied output.weight is not supported (BitNet ties "
				"the output to token_embd)"), -1;
	if (want(m, "output_norm", "weight", 0, c->n_embd, 1, err, errlen))
		return -1;
	for (l = 0; l < c->n_layer; l++) {
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			tern_lin_shape(c, i, &rows, &k);
			tern_lin_name(l, i, base, sizeof(base));
			if (want(m, base, "weight", 1, k, rows, err, errlen))
				return -1;
			s = find(m, base, "scale");
			if (s && (s->n_elem != 1 || s->type != TERN_GGML_F32))
				return snprintf(err, errlen, "tensor %s.scale must be one f32", base), -1;
		}
		for (i = 0; i < TERN_NORM_OUTPUT; i++)
			if (want(m, tern_norm_name(l, i, base, sizeof(base)), "weight", 0,
				 tern_norm_len(c, i), 1, err, errlen))
				return -1;
	}
	return 0;
}

static int open_model(struct tern_model *m, const char *path, char *err, size_t errlen)
{
	struct gguf_priv *p = m->priv;
	struct tern_model_config *c = &m->cfg;

	if (tern_gguf_open(path, &p->g, err, errlen) || read_config(p->g, path, c, err, errlen))
		return -1;
	p->embd = tern_gguf_find_tensor(p->g, "token_embd.weight");
	if (!p->embd)
		return snprintf(err, errlen, "tensor token_embd.weight is missing"), -1;
	if (!is_float(p->embd->type) || p->embd->ne[0] != c->n_embd || p->embd->n_dims != 2 ||
	    p->embd->ne[1] > (1u << 24))
		return snprintf(err, errlen, "tensor token_embd.weight must be f32/f16/bf16 of "
				"%u x vocab", c->n_embd), -1;
	c->n_vocab = (uint32_t)p->embd->ne[1];
	if (tern_config_check(c, err, errlen) || check_tensors(m, err, errlen))
		return -1;
	if (tern_gguf_find_key(p->g, "tokenizer.ggml.tokens") &&
	    tern_vocab_from_gguf(p->g, c->n_vocab, &m->vocab, err, errlen))
		return -1;
	return 0;
}

int tern_model_open_gguf(const char *path, struct tern_model **out, char *err, size_t errlen)
{
	struct tern_model *m = calloc(1, sizeof(*m));
	char why[400];

	if (!m || !(m->priv = calloc(1, sizeof(struct gguf_priv)))) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->ops = &gguf_ops;
	why[0] = 0;
	if (open_model(m, path, why, sizeof(why))) {
		/* The reader's messages already start with "gguf: ". */
		snprintf(err, errlen, "%s: %s", path, why);
		tern_model_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* ---- export */

static void add_config(struct tern_gguf_writer *w, const struct tern_model_config *c,
		       uint32_t wtype)
{
	const char *a = c->arch;
	char k[128];

#define KEY(s) (snprintf(k, sizeof(k), "%s.%s", a, s), k)
	tern_gguf_add_str(w, "general.architecture", a);
	tern_gguf_add_str(w, "general.name", c->name);
	/* llama.cpp file types: 36 TQ1_0, 37 TQ2_0; bitnet.cpp's I2_S files use 40. */
	tern_gguf_add_u32(w, "general.file_type", wtype == TERN_GGML_TQ1_0 ? 36 :
			  wtype == TERN_GGML_TQ2_0 ? 37 : 40);
	tern_gguf_add_u32(w, KEY("context_length"), c->n_ctx);
	tern_gguf_add_u32(w, KEY("embedding_length"), c->n_embd);
	tern_gguf_add_u32(w, KEY("block_count"), c->n_layer);
	tern_gguf_add_u32(w, KEY("feed_forward_length"), c->n_ff);
	tern_gguf_add_u32(w, KEY("attention.head_count"), c->n_head);
	tern_gguf_add_u32(w, KEY("attention.head_count_kv"), c->n_head_kv);
	tern_gguf_add_u32(w, KEY("rope.dimension_count"), c->head_dim);
	tern_gguf_add_u32(w, KEY("vocab_size"), c->n_vocab);
	tern_gguf_add_f32(w, KEY("rope.freq_base"), c->rope_theta);
	tern_gguf_add_f32(w, KEY("attention.layer_norm_rms_epsilon"), c->norm_eps);
	tern_gguf_add_str(w, KEY("hidden_activation"), c->act == TERN_ACT_RELU2 ? "relu2" : "silu");
#undef KEY
}

static int add_norm(struct tern_gguf_writer *w, struct tern_model *m, uint32_t layer,
		    uint32_t which, float *buf, char *err, size_t errlen)
{
	char name[80];
	uint64_t ne[1] = { tern_norm_len(&m->cfg, which) };

	if (m->ops->norm(m, layer, which, buf, err, errlen))
		return -1;
	tern_norm_name(layer, which, name, sizeof(name));
	strcat(name, ".weight");
	return tern_gguf_add_tensor_f32(w, name, TERN_GGML_F32, 1, ne, buf) ? -2 : 0;
}

static int add_layer(struct tern_gguf_writer *w, struct tern_model *m, uint32_t l,
		     uint32_t wtype, int8_t *wb, float *fb, char *err, size_t errlen)
{
	uint32_t i, rows, k;
	uint64_t ne[2];
	char name[80];
	float scale;
	int rc;

	for (i = 0; i < TERN_LIN_COUNT; i++) {
		tern_lin_shape(&m->cfg, i, &rows, &k);
		if (m->ops->linear(m, l, i, wb, &scale, err, errlen))
			return -1;
		tern_lin_name(l, i, name, sizeof(name));
		strcat(name, ".weight");
		ne[0] = k;
		ne[1] = rows;
		if (tern_gguf_add_tensor_ternary(w, name, wtype, 2, ne, wb, scale))
			return -2;
	}
	for (i = 0; i < TERN_NORM_OUTPUT; i++)
		if ((rc = add_norm(w, m, l, i, fb, err, errlen)))
			return rc;
	return 0;
}

static int add_embd(struct tern_gguf_writer *w, struct tern_model *m, char *err, size_t errlen)
{
	uint64_t ne[2] = { m->cfg.n_embd, m->cfg.n_vocab }, v;
	float *e = malloc(ne[0] * ne[1] * sizeof(float));
	int rc = 0;

	if (!e)
		return snprintf(err, errlen, "out of memory for the embedding table"), -1;
	for (v = 0; v < ne[1] && !rc; v++)
		rc = m->ops->embd_row(m, (uint32_t)v, e + v * ne[0], err, errlen);
	if (!rc && tern_gguf_add_tensor_f32(w, "token_embd.weight", TERN_GGML_F32, 2, ne, e))
		rc = -2;
	free(e);
	return rc;
}

int tern_model_export_gguf(struct tern_model *m, const char *path, uint32_t wtype,
			   char *err, size_t errlen)
{
	const struct tern_model_config *c = &m->cfg;
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	uint32_t i, rows, k, l;
	size_t wmax = 0;
	int8_t *wb = NULL;
	float *fb = NULL;
	int rc = -1;

	for (i = 0; i < TERN_LIN_COUNT; i++) {
		tern_lin_shape(c, i, &rows, &k);
		if ((size_t)rows * k > wmax)
			wmax = (size_t)rows * k;
	}
	wb = malloc(wmax);
	fb = malloc((size_t)(c->n_ff > c->n_embd ? c->n_ff : c->n_embd) * sizeof(float));
	if (!w || !wb || !fb) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	add_config(w, c, wtype);
	/* A tokenizer always: the model's own, else (zoo) a byte-level one. */
	if (m->ops->meta ? m->ops->meta(m, w, err, errlen) :
	    tern_vocab_add_bytes(c->n_vocab, w, err, errlen))
		goto out;
	/* Layers first: a shape the type cannot hold fails before the big embedding. */
	for (l = 0, rc = 0; l < c->n_layer && !rc; l++)
		rc = add_layer(w, m, l, wtype, wb, fb, err, errlen);
	if (!rc)
		rc = add_norm(w, m, 0, TERN_NORM_OUTPUT, fb, err, errlen);
	if (!rc)
		rc = add_embd(w, m, err, errlen);
	/* Writer errors are sticky and reported by the write call. */
	if (rc != -1)
		rc = tern_gguf_write_file(w, path, err, errlen) ? -1 : 0;
out:
	tern_gguf_writer_free(w);
	free(wb);
	free(fb);
	return rc;
}
