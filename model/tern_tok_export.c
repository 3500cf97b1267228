/*
 * Tokenizer keys on export (tern_model_export_gguf), so that llama.cpp, which refuses a
 * file without tokenizer.ggml.model, loads what tern writes.
 *
 * A model imported from GGUF carries its vocabulary through: every tokenizer.* key is
 * copied as it was (types and values; the reader keeps numeric data little-endian,
 * which is the host order tern builds for). A zoo model gets a real byte-level
 * vocabulary in the layout `tern train` uses (docs/tokenizer.md): 0 <unk>, 1 <s>,
 * 2 </s>, 3 + b the byte b as <0xBB> except the space as U+2581, and the ids above 258
 * as control tokens <ctrl_N> that decode to nothing. Its SentencePiece has no merges
 * (all scores 0), so text becomes one token per byte in tern and llama.cpp alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_model.h"

static int copy_str_arr(struct tern_gguf_writer *w, const struct tern_gguf_kv *kv)
{
	const struct tern_gguf_arr *a = &kv->arr;
	char **s = calloc(a->n ? a->n : 1, sizeof(char *));
	const char *p;
	uint64_t i, len;
	int rc = -1;

	if (!s)
		return -1;
	for (i = 0; i < a->n; i++) {
		if (tern_gguf_arr_str(a, i, &p, &len) || !(s[i] = malloc(len + 1)))
			goto out;
		memcpy(s[i], p, len);
		s[i][len] = 0;
	}
	rc = tern_gguf_add_arr_str(w, kv->key, a->n, (const char *const *)s) ? -1 : 0;
out:
	for (i = 0; i < a->n; i++)
		free(s[i]);
	free(s);
	return rc;
}

static int copy_scalar(struct tern_gguf_writer *w, const struct tern_gguf_kv *kv)
{
	union { uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32;
		float f32; uint64_t u64; int64_t i64; double f64; } v;
	static const uint8_t size[TERN_GGUF_NVTYPES] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

	memcpy(&v, kv->val, size[kv->type]);
	switch (kv->type) {
	case TERN_GGUF_U8: return tern_gguf_add_u8(w, kv->key, v.u8);
	case TERN_GGUF_I8: return tern_gguf_add_i8(w, kv->key, v.i8);
	case TERN_GGUF_U16: return tern_gguf_add_u16(w, kv->key, v.u16);
	case TERN_GGUF_I16: return tern_gguf_add_i16(w, kv->key, v.i16);
	case TERN_GGUF_U32: return tern_gguf_add_u32(w, kv->key, v.u32);
	case TERN_GGUF_I32: return tern_gguf_add_i32(w, kv->key, v.i32);
	case TERN_GGUF_F32: return tern_gguf_add_f32(w, kv->key, v.f32);
	case TERN_GGUF_BOOL: return tern_gguf_add_bool(w, kv->key, v.u8 != 0);
	case TERN_GGUF_U64: return tern_gguf_add_u64(w, kv->key, v.u64);
	case TERN_GGUF_I64: return tern_gguf_add_i64(w, kv->key, v.i64);
	case TERN_GGUF_F64: return tern_gguf_add_f64(w, kv->key, v.f64);
	default: return -1;
	}
}

int tern_vocab_copy_keys(const struct tern_gguf *g, struct tern_gguf_writer *w, char *err,
			 size_t errlen)
{
	uint64_t i, n = tern_gguf_n_kv(g);

	for (i = 0; i < n; i++) {
		const struct tern_gguf_kv *kv = tern_gguf_kv_at(g, i);
		int rc;

		if (strncmp(kv->key, "tokenizer.", 10))
			continue;
		if (kv->type == TERN_GGUF_STR)
			rc = tern_gguf_add_str(w, kv->key, kv->str);
		else if (kv->type == TERN_GGUF_ARR && kv->arr.type == TERN_GGUF_STR)
			rc = copy_str_arr(w, kv);
		else if (kv->type == TERN_GGUF_ARR)
			rc = tern_gguf_add_arr(w, kv->key, kv->arr.type, kv->arr.n, kv->arr.data);
		else
			rc = copy_scalar(w, kv);
		if (rc)
			return snprintf(err, errlen, "cannot copy key %s", kv->key), -1;
	}
	return 0;
}

int tern_vocab_add_bytes(uint32_t n_vocab, struct tern_gguf_writer *w, char *err, size_t errlen)
{
	char **toks = calloc(n_vocab, sizeof(char *));
	float *scores = calloc(n_vocab, sizeof(float));
	int32_t *types = calloc(n_vocab, sizeof(int32_t));
	uint32_t i;
	int rc = -1;

	if (n_vocab < 259)
		return snprintf(err, errlen, "a byte vocabulary needs 259 ids, the model has %u",
				n_vocab), -1;
	if (!toks || !scores || !types)
		goto out;
	for (i = 0; i < n_vocab; i++) {
		if (!(toks[i] = malloc(24)))
			goto out;
		if (i < 3)
			snprintf(toks[i], 24, "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
		else if (i < 259 && i - 3 == ' ')
			snprintf(toks[i], 24, "\xe2\x96\x81");
		else if (i < 259)
			snprintf(toks[i], 24, "<0x%02X>", i - 3);
		else
			snprintf(toks[i], 24, "<ctrl_%u>", i);
		types[i] = i == 0 ? 2 : i < 3 || i >= 259 ? 3 : i - 3 == ' ' ? 1 : 6;
	}
	if (tern_gguf_add_str(w, "tokenizer.ggml.model", "llama") ||
	    tern_gguf_add_arr_str(w, "tokenizer.ggml.tokens", n_vocab, (const char *const *)toks) ||
	    tern_gguf_add_arr(w, "tokenizer.ggml.scores", TERN_GGUF_F32, n_vocab, scores) ||
	    tern_gguf_add_arr(w, "tokenizer.ggml.token_type", TERN_GGUF_I32, n_vocab, types) ||
	    tern_gguf_add_u32(w, "tokenizer.ggml.unknown_token_id", 0) ||
	    tern_gguf_add_u32(w, "tokenizer.ggml.bos_token_id", 1) ||
	    tern_gguf_add_u32(w, "tokenizer.ggml.eos_token_id", 2) ||
	    tern_gguf_add_bool(w, "tokenizer.ggml.add_bos_token", 0) ||
	    tern_gguf_add_bool(w, "tokenizer.ggml.add_space_prefix", 0))
		goto out;
	rc = 0;
out:
	for (i = 0; toks && i < n_vocab; i++)
		free(toks[i]);
	free(toks);
	free(scores);
	free(types);
	if (rc)
		snprintf(err, errlen, "cannot add the byte vocabulary");
	return rc;
}
