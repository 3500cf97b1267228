/*
 * Vocabulary of a GGUF file: token ids to bytes and back, from the tokenizer.ggml.* keys.
 *
 * Decoding follows the two vocabularies BitNet models ship with. "gpt2" (byte-level
 * BPE, Llama 3 and BitNet 2B-4T): every byte was mapped to a printable code point
 * (printable Latin-1 bytes to themselves, the other 68 bytes to U+0100.. in order), so
 * decoding maps each code point of the token back to its byte. "llama" (SentencePiece):
 * U+2581 is a space and <0xNN> tokens are raw bytes. Control tokens (token_type 3)
 * decode to nothing, as llama.cpp prints them without --special.
 *
 * Encoding is the model's own tokenizer as llama.cpp runs it: SentencePiece by scores
 * with byte fallback (tern_tok_spm.c) or byte-level BPE by merge rank after the
 * pre-tokenizer tokenizer.ggml.pre names (tern_tok_bpe.c). Text is never matched
 * against special tokens (llama.cpp's parse_special off): "<|eot_id|>" in a prompt is
 * text. A vocabulary with neither scores nor merges (hand-made files) falls back to
 * greedy longest match, which always gives ids that decode to the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_model.h"
#include "tern_tok_priv.h"

/* Code point of the byte-level alphabet -> byte, or -1. */
static int gpt2_byte(uint32_t cp)
{
	int b, n = 0;

	if ((cp >= 33 && cp <= 126) || (cp >= 161 && cp <= 172) || (cp >= 174 && cp <= 255))
		return (int)cp;
	for (b = 0; b < 256; b++) {
		if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))
			continue;
		if (cp == 256u + n++)
			return b;
	}
	return -1;
}

/* Next UTF-8 code point of s[0..len); *adv bytes consumed (1 on a bad sequence). */
static uint32_t utf8_next(const unsigned char *s, uint64_t len, uint64_t *adv)
{
	uint32_t cp = s[0];
	uint64_t n = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4, i;

	if (n > len || (cp >= 0x80 && cp < 0xc0)) {
		*adv = 1;
		return 0xfffd;
	}
	cp = n == 1 ? cp : cp & (0x7f >> n);
	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	*adv = n;
	return cp;
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode one token string into out (at most 4*len bytes); returns the byte count. */
static uint32_t decode_piece(int spm, const char *s, uint64_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	uint64_t i = 0, adv;
	uint32_t n = 0, cp;

	if (spm && len == 6 && !memcmp(s, "<0x", 3) && s[5] == '>' && hex(s[3]) >= 0 &&
	    hex(s[4]) >= 0) {
		out[0] = (char)(hex(s[3]) * 16 + hex(s[4]));
		return 1;
	}
	while (i < len) {
		cp = utf8_next(u + i, len - i, &adv);
		if (spm && cp == 0x2581) {
			out[n++] = ' ';
		} else if (!spm && gpt2_byte(cp) >= 0) {
			out[n++] = (char)gpt2_byte(cp);
		} else {
			memcpy(out + n, u + i, adv);
			n += (uint32_t)adv;
		}
		i += adv;
	}
	return n;
}

static uint32_t hash_bytes(const char *s, uint32_t len)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void hash_insert(struct tern_vocab *v, uint32_t id)
{
	uint32_t h = hash_bytes(v->bytes[id], v->len[id]) & (v->hash_size - 1);

	while (v->hash[h])
		h = (h + 1) & (v->hash_size - 1);
	v->hash[h] = id + 1;
}

static int64_t hash_find(const struct tern_vocab *v, const char *s, uint32_t len)
{
	uint32_t h = hash_bytes(s, len) & (v->hash_size - 1), id;

	while ((id = v->hash[h])) {
		id--;
		if (v->len[id] == len && !v->control[id] && !memcmp(v->bytes[id], s, len))
			return id;
		h = (h + 1) & (v->hash_size - 1);
	}
	return -1;
}

/* ---- string maps (raw token text, merges) */

static int strmap_init(struct tern_strmap *m, uint64_t n)
{
	for (m->size = 16; m->size < 2 * n; m->size *= 2)
		;
	m->slot = calloc(m->size, sizeof(uint32_t));
	return m->slot ? 0 : -1;
}

/* keys[i] / lens[i] hold the strings; value v for key index v. The last insert of a
 * duplicate key wins, as in llama.cpp's token_to_id map. */
static void strmap_put(struct tern_strmap *m, char *const *keys, const uint32_t *lens,
		       uint32_t v)
{
	uint32_t h = hash_bytes(keys[v], lens[v]) & (m->size - 1), id;

	while ((id = m->slot[h])) {
		if (lens[id - 1] == lens[v] && !memcmp(keys[id - 1], keys[v], lens[v])) {
			m->slot[h] = v + 1;
			return;
		}
		h = (h + 1) & (m->size - 1);
	}
	m->slot[h] = v + 1;
}

static int64_t strmap_get(const struct tern_strmap *m, char *const *keys, const uint32_t *lens,
			  const char *s, size_t n)
{
	uint32_t h, id;

	if (!m->slot || n > UINT32_MAX)
		return -1;
	h = hash_bytes(s, (uint32_t)n) & (m->size - 1);
	while ((id = m->slot[h])) {
		if (lens[id - 1] == n && !memcmp(keys[id - 1], s, n))
			return id - 1;
		h = (h + 1) & (m->size - 1);
	}
	return -1;
}

int64_t tern_vocab_raw_id(const struct tern_vocab *v, const char *s, size_t n)
{
	return strmap_get(&v->by_raw, v->raw, v->raw_len, s, n);
}

int64_t tern_vocab_merge_rank(const struct tern_vocab *v, const char *a, size_t na,
			      const char *b, size_t nb)
{
	char buf[2100];

	if (!v->n_merges || na + nb + 1 > sizeof(buf))
		return -1;
	memcpy(buf, a, na);
	buf[na] = ' ';
	memcpy(buf + na + 1, b, nb);
	return strmap_get(&v->merges, v->merge_raw, v->merge_len, buf, na + nb + 1);
}

/* ---- loading */

static char *dup_bytes(const char *s, uint64_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

static int load_tokens(const struct tern_gguf *g, struct tern_vocab *v,
		       const struct tern_gguf_arr *toks, char *err, size_t errlen)
{
	const struct tern_gguf_arr *types = NULL, *scores = NULL;
	const char *s;
	uint64_t len;
	int64_t ty;
	double sc;
	uint32_t i;

	if (tern_gguf_get_arr(g, "tokenizer.ggml.token_type", &types) || types->n != v->n)
		types = NULL;
	if (tern_gguf_get_arr(g, "tokenizer.ggml.scores", &scores) || scores->n != v->n)
		scores = NULL;
	v->has_scores = scores != NULL;
	for (i = 0; i < v->n; i++) {
		if (tern_gguf_arr_str(toks, i, &s, &len) || len > 1024)
			return snprintf(err, errlen, "tokenizer.ggml.tokens[%u] is not a string of "
					"at most 1024 bytes", i), -1;
		v->bytes[i] = malloc(4 * len + 1);
		v->raw[i] = dup_bytes(s, len);
		if (!v->bytes[i] || !v->raw[i])
			return snprintf(err, errlen, "out of memory"), -1;
		v->raw_len[i] = (uint32_t)len;
		v->len[i] = decode_piece(v->spm, s, len, v->bytes[i]);
		if (v->len[i] > v->max_len)
			v->max_len = v->len[i];
		v->control[i] = types && !tern_gguf_arr_i64(types, i, &ty) && ty == 3;
		v->score[i] = scores && !tern_gguf_arr_f64(scores, i, &sc) ? (float)sc : 0.0f;
		hash_insert(v, i);
		strmap_put(&v->by_raw, v->raw, v->raw_len, i);
	}
	return 0;
}

static int load_merges(const struct tern_gguf *g, struct tern_vocab *v, char *err,
		       size_t errlen)
{
	const struct tern_gguf_arr *mg;
	const char *s;
	uint64_t len, i;

	if (tern_gguf_get_arr(g, "tokenizer.ggml.merges", &mg))
		return 0;
	if (mg->type != TERN_GGUF_STR || mg->n > (1u << 24))
		return snprintf(err, errlen, "tokenizer.ggml.merges is not a string array"), -1;
	v->merge_raw = calloc(mg->n ? mg->n : 1, sizeof(char *));
	v->merge_len = calloc(mg->n ? mg->n : 1, sizeof(uint32_t));
	if (!v->merge_raw || !v->merge_len || strmap_init(&v->merges, mg->n))
		return snprintf(err, errlen, "out of memory"), -1;
	for (i = 0; i < mg->n; i++) {
		if (tern_gguf_arr_str(mg, i, &s, &len) || len > 2048 || !memchr(s, ' ', len))
			return snprintf(err, errlen, "tokenizer.ggml.merges[%llu] is not \"left "
					"right\"", (unsigned long long)i), -1;
		if (!(v->merge_raw[i] = dup_bytes(s, len)))
			return snprintf(err, errlen, "out of memory"), -1;
		v->merge_len[i] = (uint32_t)len;
		v->n_merges = (uint32_t)i + 1;
		strmap_put(&v->merges, v->merge_raw, v->merge_len, (uint32_t)i);
	}
	return 0;
}

static int64_t get_id(const struct tern_gguf *g, const char *key, const struct tern_vocab *v)
{
	int64_t id;

	if (tern_gguf_get_i64(g, key, &id) || id < 0 || id >= v->n)
		return -1;
	return id;
}

/* Special ids, flags and the pre-tokenizer; defaults as llama.cpp's for each model. */
static void load_special(const struct tern_gguf *g, struct tern_vocab *v)
{
	const char *pre = NULL;
	int b;

	v->bos = get_id(g, "tokenizer.ggml.bos_token_id", v);
	v->eos = get_id(g, "tokenizer.ggml.eos_token_id", v);
	v->eot = get_id(g, "tokenizer.ggml.eot_token_id", v);
	if (v->eot < 0 && (v->eot = tern_vocab_raw_id(v, "<|eot_id|>", 10)) >= 0 &&
	    !v->control[v->eot])
		v->eot = -1;
	v->add_bos = v->spm;
	v->add_space_prefix = v->spm;
	if (!tern_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &b))
		v->add_bos = b;
	if (!tern_gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &b))
		v->add_space_prefix = b;
	v->pre = v->spm ? TERN_PRE_NONE : TERN_PRE_GPT2;
	if (!v->spm && !tern_gguf_get_str(g, "tokenizer.ggml.pre", &pre, NULL)) {
		snprintf(v->pre_name, sizeof(v->pre_name), "%s", pre);
		if (!strcmp(pre, "llama-bpe") || !strcmp(pre, "llama3") || !strcmp(pre, "dbrx") ||
		    !strcmp(pre, "smaug-bpe"))
			v->pre = TERN_PRE_LLAMA3;
		else if (strcmp(pre, "default") && strcmp(pre, "gpt2") && strcmp(pre, "gpt-2"))
			v->pre = TERN_PRE_UNKNOWN;
	}
}

int tern_vocab_from_gguf(const struct tern_gguf *g, uint32_t n_vocab, struct tern_vocab **out,
			 char *err, size_t errlen)
{
	const struct tern_gguf_arr *toks;
	struct tern_vocab *v;
	const char *model = "gpt2";

	if (tern_gguf_get_arr(g, "tokenizer.ggml.tokens", &toks) || toks->type != TERN_GGUF_STR)
		return snprintf(err, errlen, "tokenizer.ggml.tokens is not a string array"), -1;
	if (!n_vocab && toks->n > 0 && toks->n <= (1u << 24))
		n_vocab = (uint32_t)toks->n;
	if (toks->n != n_vocab)
		return snprintf(err, errlen, "tokenizer.ggml.tokens has %llu entries, token_embd "
				"has %u rows", (unsigned long long)toks->n, n_vocab), -1;
	tern_gguf_get_str(g, "tokenizer.ggml.model", &model, NULL);
	if (strcmp(model, "llama") && strcmp(model, "gpt2"))
		return snprintf(err, errlen, "tokenizer.ggml.model \"%s\" is not supported (tern "
				"reads \"llama\" and \"gpt2\")", model), -1;
	v = calloc(1, sizeof(*v));
	if (!v)
		return snprintf(err, errlen, "out of memory"), -1;
	v->n = n_vocab;
	v->spm = !strcmp(model, "llama");
	for (v->hash_size = 16; v->hash_size < 2 * n_vocab; v->hash_size *= 2)
		;
	v->bytes = calloc(n_vocab, sizeof(char *));
	v->raw = calloc(n_vocab, sizeof(char *));
	v->len = calloc(n_vocab, sizeof(uint32_t));
	v->raw_len = calloc(n_vocab, sizeof(uint32_t));
	v->score = calloc(n_vocab, sizeof(float));
	v->control = calloc(n_vocab, 1);
	v->hash = calloc(v->hash_size, sizeof(uint32_t));
	if (!v->bytes || !v->raw || !v->len || !v->raw_len || !v->score || !v->control ||
	    !v->hash || strmap_init(&v->by_raw, n_vocab)) {
		tern_vocab_free(v);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	if (load_tokens(g, v, toks, err, errlen) || load_merges(g, v, err, errlen)) {
		tern_vocab_free(v);
		return -1;
	}
	load_special(g, v);
	*out = v;
	return 0;
}

void tern_vocab_free(struct tern_vocab *v)
{
	uint32_t i;

	if (!v)
		return;
	for (i = 0; v->bytes && i < v->n; i++)
		free(v->bytes[i]);
	for (i = 0; v->raw && i < v->n; i++)
		free(v->raw[i]);
	for (i = 0; v->merge_raw && i < v->n_merges; i++)
		free(v->merge_raw[i]);
	free(v->bytes);
	free(v->raw);
	free(v->len);
	free(v->raw_len);
	free(v->score);
	free(v->control);
	free(v->hash);
	free(v->by_raw.slot);
	free(v->merges.slot);
	free(v->merge_raw);
	free(v->merge_len);
	free(v);
}

size_t tern_vocab_decode(const struct tern_vocab *v, uint32_t tok, char *buf, size_t len)
{
	size_t n;

	if (!len)
		return 0;
	if (!v || tok >= v->n) {
		n = (size_t)snprintf(buf, len, "<%u>", tok);
		return n < len ? n : len - 1;
	}
	n = v->control[tok] ? 0 : v->len[tok];
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, v->bytes[tok], n);
	buf[n] = 0;
	return n;
}

const uint8_t *tern_vocab_bytes(const struct tern_vocab *v, uint32_t tok, size_t *len)
{
	if (!v || tok >= v->n || v->control[tok]) {
		*len = 0;
		return (const uint8_t *)"";
	}
	*len = v->len[tok];
	return (const uint8_t *)v->bytes[tok];
}

/* Greedy longest match over decoded bytes: vocabularies without scores or merges. */
static int greedy_encode(const struct tern_vocab *v, const char *text, size_t len,
			 uint32_t *ids, uint64_t *n, uint64_t max, char *err, size_t errlen)
{
	uint64_t pos = 0;
	uint32_t l;
	int64_t id;

	while (pos < len) {
		l = (uint32_t)(len - pos < v->max_len ? len - pos : v->max_len);
		for (id = -1; l > 0 && (id = hash_find(v, text + pos, l)) < 0; l--)
			;
		if (id < 0)
			return snprintf(err, errlen, "byte 0x%02x at offset %llu has no token in the "
					"vocabulary", (unsigned char)text[pos],
					(unsigned long long)pos), -1;
		if (*n == max)
			return snprintf(err, errlen, "more than %llu tokens",
					(unsigned long long)max), -1;
		ids[(*n)++] = (uint32_t)id;
		pos += l;
	}
	return 0;
}

int64_t tern_vocab_tokenize(const struct tern_vocab *v, const char *text, size_t len,
			    int add_bos, uint32_t *ids, uint64_t max, char *err, size_t errlen)
{
	uint64_t n = 0;
	int rc;

	if (add_bos && v->add_bos && v->bos >= 0) {
		if (!max)
			return snprintf(err, errlen, "more than 0 tokens"), -1;
		ids[n++] = (uint32_t)v->bos;
	}
	if (!len)
		return (int64_t)n;
	if (v->spm && v->has_scores)
		rc = tern_spm_encode(v, text, len, ids, &n, max, err, errlen);
	else if (!v->spm && v->n_merges)
		rc = tern_bpe_encode(v, text, len, ids, &n, max, err, errlen);
	else
		rc = greedy_encode(v, text, len, ids, &n, max, err, errlen);
	return rc ? -1 : (int64_t)n;
}

int64_t tern_vocab_encode(const struct tern_vocab *v, const char *text, uint32_t *ids,
			  uint64_t max, char *err, size_t errlen)
{
	return tern_vocab_tokenize(v, text, strlen(text), 0, ids, max, err, errlen);
}

uint32_t tern_vocab_size(const struct tern_vocab *v)
{
	return v->n;
}

int64_t tern_vocab_bos(const struct tern_vocab *v)
{
	return v->bos;
}

int tern_vocab_is_eog(const struct tern_vocab *v, uint32_t tok)
{
	return v && ((v->eos >= 0 && tok == (uint64_t)v->eos) ||
		     (v->eot >= 0 && tok == (uint64_t)v->eot));
}

void tern_vocab_describe(const struct tern_vocab *v, char *buf, size_t len)
{
	if (v->spm)
		snprintf(buf, len, "llama (SentencePiece%s)", v->has_scores ? "" : ", no scores: "
			 "greedy longest match");
	else if (!v->n_merges)
		snprintf(buf, len, "gpt2 (no merges: greedy longest match)");
	else
		snprintf(buf, len, "gpt2 (byte-level BPE, pre-tokenizer %s)",
			 v->pre_name[0] ? v->pre_name : "default");
}
