/*
 * Vocabulary of a GGUF file: token ids to bytes, and a simple text encoder.
 *
 * Decoding follows the two vocabularies BitNet models ship with. "gpt2" (byte-level
 * BPE, Llama 3 and BitNet 2B-4T): every byte was mapped to a printable code point
 * (printable Latin-1 bytes to themselves, the other 68 bytes to U+0100.. in order), so
 * decoding maps each code point of the token back to its byte. "llama" (SentencePiece):
 * U+2581 is a space and <0xNN> tokens are raw bytes. Control tokens (token_type 3)
 * decode to nothing, as llama.cpp prints them without --special.
 *
 * Encoding is greedy longest match over the vocabulary, not the BPE merge order with a
 * pre-tokenizer regex: it always produces valid ids that decode to the text, but not
 * necessarily the ids llama.cpp would choose. --prompt-tokens gives exact ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_model.h"

struct tern_vocab {
	uint32_t n;
	int spm;             /* 1: SentencePiece ("llama"), 0: byte-level ("gpt2") */
	char **bytes;        /* decoded bytes of each token */
	uint32_t *len;
	uint8_t *control;    /* 1: control token, decodes to nothing */
	uint32_t *hash;      /* open addressing over decoded bytes: id + 1, 0 empty */
	uint32_t hash_size, max_len;
};

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

static int load_tokens(const struct tern_gguf *g, struct tern_vocab *v,
		       const struct tern_gguf_arr *toks, char *err, size_t errlen)
{
	const struct tern_gguf_arr *types = NULL;
	const char *s;
	uint64_t len;
	int64_t ty;
	uint32_t i;

	if (tern_gguf_get_arr(g, "tokenizer.ggml.token_type", &types) || types->n != v->n)
		types = NULL;
	for (i = 0; i < v->n; i++) {
		if (tern_gguf_arr_str(toks, i, &s, &len) || len > 1024)
			return snprintf(err, errlen, "tokenizer.ggml.tokens[%u] is not a string of "
					"at most 1024 bytes", i), -1;
		v->bytes[i] = malloc(4 * len + 1);
		if (!v->bytes[i])
			return snprintf(err, errlen, "out of memory"), -1;
		v->len[i] = decode_piece(v->spm, s, len, v->bytes[i]);
		if (v->len[i] > v->max_len)
			v->max_len = v->len[i];
		v->control[i] = types && !tern_gguf_arr_i64(types, i, &ty) && ty == 3;
		hash_insert(v, i);
	}
	return 0;
}

int tern_vocab_from_gguf(const struct tern_gguf *g, uint32_t n_vocab, struct tern_vocab **out,
			 char *err, size_t errlen)
{
	const struct tern_gguf_arr *toks;
	struct tern_vocab *v;
	const char *model = "gpt2";

	if (tern_gguf_get_arr(g, "tokenizer.ggml.tokens", &toks) || toks->type != TERN_GGUF_STR)
		return snprintf(err, errlen, "tokenizer.ggml.tokens is not a string array"), -1;
	if (toks->n != n_vocab)
		return snprintf(err, errlen, "tokenizer.ggml.tokens has %llu entries, token_embd "
				"has %u rows", (unsigned long long)toks->n, n_vocab), -1;
	tern_gguf_get_str(g, "tokenizer.ggml.model", &model, NULL);
	v = calloc(1, sizeof(*v));
	if (!v)
		return snprintf(err, errlen, "out of memory"), -1;
	v->n = n_vocab;
	v->spm = !strcmp(model, "llama");
	for (v->hash_size = 16; v->hash_size < 2 * n_vocab; v->hash_size *= 2)
		;
	v->bytes = calloc(n_vocab, sizeof(char *));
	v->len = calloc(n_vocab, sizeof(uint32_t));
	v->control = calloc(n_vocab, 1);
	v->hash = calloc(v->hash_size, sizeof(uint32_t));
	if (!v->bytes || !v->len || !v->control || !v->hash) {
		tern_vocab_free(v);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	if (load_tokens(g, v, toks, err, errlen)) {
		tern_vocab_free(v);
		return -1;
	}
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
	free(v->bytes);
	free(v->len);
	free(v->control);
	free(v->hash);
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

int64_t tern_vocab_encode(const struct tern_vocab *v, const char *text, uint32_t *ids,
			  uint64_t max, char *err, size_t errlen)
{
	uint64_t pos = 0, n = 0, len = strlen(text);
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
		if (n == max)
			return snprintf(err, errlen, "more than %llu tokens",
					(unsigned long long)max), -1;
		ids[n++] = (uint32_t)id;
		pos += l;
	}
	return (int64_t)n;
}
