/*
 * Trained parameters as a tern_model, and their GGUF export with a byte tokenizer.
 *
 * The model hands out what the trainer trained with: ternary codes and the fp16-exact
 * absmean scale of each BitLinear, float norms and embedding rows. Exported with
 * tern_model_export_gguf (TQ2_0), plus a tokenizer in the layout of Llama's
 * SentencePiece vocabulary, which both tern's tokenizer and llama.cpp read:
 *   0 <unk> (UNKNOWN), 1 <s> and 2 </s> (CONTROL), 3 + b the byte b as "<0xBB>" (BYTE),
 * except the space, which is the normal piece U+2581 ("▁"): llama.cpp's SentencePiece
 * path turns every space into U+2581 before lookup, so a vocabulary without that piece
 * would encode a space as the three bytes of U+2581. No BOS is added (add_bos_token
 * false) and no leading space (add_space_prefix false): the model was trained on raw
 * text windows starting at a line start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_train.h"

struct tmodel_priv {
	struct tern_tparams *p;
	int8_t *codes;
};

static int t_linear(struct tern_model *m, uint32_t layer, uint32_t which, int8_t *w,
		    float *scale, char *err, size_t errlen)
{
	struct tmodel_priv *pv = m->priv;
	uint32_t rows, k;

	(void)err;
	(void)errlen;
	tern_lin_shape(&m->cfg, which, &rows, &k);
	*scale = tern_train_ternarize(tern_tparams_lin(pv->p, layer, which), (size_t)rows * k, w);
	return 0;
}

static int t_norm(struct tern_model *m, uint32_t layer, uint32_t which, float *dst,
		  char *err, size_t errlen)
{
	struct tmodel_priv *pv = m->priv;

	(void)err;
	(void)errlen;
	memcpy(dst, tern_tparams_norm(pv->p, layer, which),
	       tern_norm_len(&m->cfg, which) * sizeof(float));
	return 0;
}

static int t_embd_row(struct tern_model *m, uint32_t tok, float *dst, char *err, size_t errlen)
{
	struct tmodel_priv *pv = m->priv;

	if (tok >= m->cfg.n_vocab)
		return snprintf(err, errlen, "token %u outside the vocabulary", tok), -1;
	memcpy(dst, tern_tparams_embd(pv->p) + (size_t)tok * m->cfg.n_embd,
	       m->cfg.n_embd * sizeof(float));
	return 0;
}

static void t_free(struct tern_model *m)
{
	free(m->priv);
	free(m);
}

static int t_meta(struct tern_model *m, struct tern_gguf_writer *w, char *err, size_t errlen)
{
	static char pieces[256][8];
	const char *toks[TERN_TRAIN_VOCAB];
	float scores[TERN_TRAIN_VOCAB];
	int32_t types[TERN_TRAIN_VOCAB];
	uint32_t i;

	(void)m;
	toks[0] = "<unk>";
	toks[1] = "<s>";
	toks[2] = "</s>";
	types[0] = 2;
	types[1] = types[2] = 3;
	for (i = 0; i < 256; i++) {
		snprintf(pieces[i], sizeof(pieces[i]), "<0x%02X>", i);
		toks[TERN_TRAIN_BYTE0 + i] = i == ' ' ? "\xe2\x96\x81" : pieces[i];
		types[TERN_TRAIN_BYTE0 + i] = i == ' ' ? 1 : 6;
	}
	for (i = 0; i < TERN_TRAIN_VOCAB; i++)
		scores[i] = 0.0f;
	if (tern_gguf_add_str(w, "tokenizer.ggml.model", "llama") ||
	    tern_gguf_add_arr_str(w, "tokenizer.ggml.tokens", TERN_TRAIN_VOCAB, toks) ||
	    tern_gguf_add_arr(w, "tokenizer.ggml.scores", TERN_GGUF_F32, TERN_TRAIN_VOCAB, scores) ||
	    tern_gguf_add_arr(w, "tokenizer.ggml.token_type", TERN_GGUF_I32, TERN_TRAIN_VOCAB,
			      types) ||
	    tern_gguf_add_u32(w, "tokenizer.ggml.unknown_token_id", 0) ||
	    tern_gguf_add_u32(w, "tokenizer.ggml.bos_token_id", 1) ||
	    tern_gguf_add_u32(w, "tokenizer.ggml.eos_token_id", 2) ||
	    tern_gguf_add_bool(w, "tokenizer.ggml.add_bos_token", 0) ||
	    tern_gguf_add_bool(w, "tokenizer.ggml.add_eos_token", 0) ||
	    tern_gguf_add_bool(w, "tokenizer.ggml.add_space_prefix", 0))
		return snprintf(err, errlen, "cannot add the tokenizer metadata"), -1;
	return 0;
}

static const struct tern_model_ops tmodel_ops = {
	.linear = t_linear,
	.norm = t_norm,
	.embd_row = t_embd_row,
	.free = t_free,
	.meta = t_meta,
};

int tern_train_model(struct tern_tparams *p, const char *name, struct tern_model **out,
		     char *err, size_t errlen)
{
	struct tern_model *m = calloc(1, sizeof(*m));
	struct tmodel_priv *pv = calloc(1, sizeof(*pv));

	if (!m || !pv) {
		free(m);
		free(pv);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	m->cfg = *tern_tparams_cfg(p);
	snprintf(m->cfg.name, sizeof(m->cfg.name), "%s", name);
	pv->p = p;
	m->priv = pv;
	m->ops = &tmodel_ops;
	*out = m;
	return 0;
}

int tern_train_export(struct tern_tparams *p, const char *name, const char *path,
		      char *err, size_t errlen)
{
	struct tern_model *m;
	int rc;

	if (tern_train_model(p, name, &m, err, errlen))
		return -1;
	rc = tern_model_export_gguf(m, path, TERN_GGML_TQ2_0, err, errlen);
	tern_model_free(m);
	return rc ? -1 : 0;
}
