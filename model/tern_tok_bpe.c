/*
 * Byte-level BPE encoding ("gpt2" vocabularies), as llama.cpp's llm_tokenizer_bpe does it.
 *
 * 1. Pre-tokenizer: the text (as code points) is cut into words by the regex that
 *    tokenizer.ggml.pre names, written out by hand as llama.cpp does for the two
 *    supported here. Llama 3 ("llama-bpe", also BitNet 2B-4T):
 *      (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *      ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *    GPT-2 ("default"/"gpt2"): 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
 *      ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *    \p{L} and \p{N} come from tables generated from Unicode data (tern_unicode_gen.py);
 *    \s is the White_Space property.
 * 2. Each word's bytes become the printable code points of the byte-level alphabet.
 * 3. Llama 3 ignores merges for a word that is itself a token (llama.cpp's
 *    ignore_merges). Otherwise the word is split into characters and the adjacent pair
 *    with the lowest merge rank is merged until none is left, ties to the leftmost;
 *    stale heap entries (a side changed) are skipped.
 * 4. Every final piece is a token, or (never with a complete byte alphabet) its single
 *    bytes are looked up one by one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_tok_priv.h"

#define END 0xffffffffu    /* past the text: no flags, matches nothing */

static int is_space(uint32_t c)
{
	return (c >= 9 && c <= 13) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
	       c == 0x205f || c == 0x3000;
}

static int is_letter(uint32_t c)
{
	return c != END && tern_ucd_is_letter(c);
}

static int is_number(uint32_t c)
{
	return c != END && tern_ucd_is_number(c);
}

/* Neither \s, \p{L} nor \p{N}: punctuation, symbols, marks, controls. */
static int is_other(uint32_t c)
{
	return c != END && !is_space(c) && !is_letter(c) && !is_number(c);
}

static uint32_t lower(uint32_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Code points of UTF-8 text as llama.cpp decodes them: a bad sequence is U+FFFD for
 * one byte. off[i] is the byte offset of code point i (off[n] = len). */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp, size_t *off)
{
	size_t i = 0, n = 0, k, l;

	while (i < len) {
		uint32_t c = s[i];

		l = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		    (c & 0xf8) == 0xf0 ? 4 : 0;
		for (k = 1; k < l && i + k < len && (s[i + k] & 0xc0) == 0x80; k++)
			;
		if (!l || k < l) {
			off[n] = i;
			cp[n++] = 0xfffd;
			i++;
			continue;
		}
		c = l == 1 ? c : c & (0x7f >> l);
		for (k = 1; k < l; k++)
			c = c << 6 | (s[i + k] & 0x3f);
		off[n] = i;
		cp[n++] = c;
		i += l;
	}
	off[n] = len;
	return n;
}

/* Length in code points of the word at p (llama3 = 1: Llama 3's regex, else GPT-2's). */
static size_t word_len(const uint32_t *c, size_t n, size_t p, int llama3)
{
	uint32_t c0 = c[p];
	size_t q = p, ws = 0, last_nl = 0;
#define AT(i) ((i) < n ? c[i] : END)

	if (c0 == '\'' && p + 1 < n) {
		uint32_t a = llama3 ? lower(AT(p + 1)) : AT(p + 1), b = llama3 ? lower(AT(p + 2)) : AT(p + 2);

		if (a == 's' || a == 't' || a == 'm' || a == 'd')
			return 2;
		if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
			return 3;
	}
	if (llama3) {
		if (c0 != '\r' && c0 != '\n' && !is_number(c0) &&
		    (is_letter(c0) || is_letter(AT(p + 1)))) {
			for (q = p + 1; is_letter(AT(q)); q++)
				;
			return q - p;
		}
		if (is_number(c0)) {
			for (q = p; q < p + 3 && is_number(AT(q)); q++)
				;
			return q - p;
		}
	} else {
		q = p + (c0 == ' ');
		if (is_letter(AT(q)) || is_number(AT(q))) {
			int num = is_number(AT(q));

			while (num ? is_number(AT(q)) : is_letter(AT(q)))
				q++;
			return q - p;
		}
	}
	q = p + (c0 == ' ');
	if (is_other(AT(q))) {
		while (is_other(AT(q)))
			q++;
		while (llama3 && (AT(q) == '\r' || AT(q) == '\n'))
			q++;
		return q - p;
	}
	while (is_space(AT(p + ws))) {
		if (AT(p + ws) == '\r' || AT(p + ws) == '\n')
			last_nl = ws + 1;
		ws++;
	}
	if (llama3 && last_nl)
		return last_nl;                  /* \s*[\r\n]+ */
	if (ws > 1 && p + ws < n)
		return ws - 1;                   /* \s+(?!\S) */
	if (ws)
		return ws;                       /* \s+ */
	return 1;
#undef AT
}

/* Byte b as its code point in the byte-level alphabet, UTF-8 encoded into o. */
static size_t byte_char(unsigned char b, char *o)
{
	uint32_t cp = b, x;

	/* Printable Latin-1 stays; the k-th other byte (in order) is U+0100 + k. */
	if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) {
		cp = 256;
		for (x = 0; x < b; x++)
			cp += !((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174);
	}
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	o[0] = (char)(0xc0 | cp >> 6);
	o[1] = (char)(0x80 | (cp & 0x3f));
	return 2;
}

struct piece {
	uint32_t off, n;    /* bytes in the encoded word; n = 0: merged away */
	int64_t prev, next;
};

struct cand {
	int64_t rank;
	uint32_t left, right, size;
};

/* Min-heap on (rank, left). */
static int before(const struct cand *a, const struct cand *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->left < b->left);
}

struct bpe {
	const struct tern_vocab *v;
	char *w;              /* the encoded word */
	struct piece *s;
	struct cand *h;
	size_t nh, caph;
	uint32_t *ids;
	uint64_t *n, max;
	char *err;
	size_t errlen;
};

static int push(struct bpe *b, int64_t l, int64_t r)
{
	struct cand c;
	size_t i;

	if (l < 0 || r < 0)
		return 0;
	c.rank = tern_vocab_merge_rank(b->v, b->w + b->s[l].off, b->s[l].n, b->w + b->s[r].off,
				       b->s[r].n);
	if (c.rank < 0)
		return 0;
	c.left = (uint32_t)l;
	c.right = (uint32_t)r;
	c.size = b->s[l].n + b->s[r].n;
	if (b->nh == b->caph) {
		size_t cap = b->caph ? 2 * b->caph : 64;
		struct cand *a = realloc(b->h, cap * sizeof(*a));

		if (!a)
			return -1;
		b->h = a;
		b->caph = cap;
	}
	for (i = b->nh++; i && before(&c, &b->h[(i - 1) / 2]); i = (i - 1) / 2)
		b->h[i] = b->h[(i - 1) / 2];
	b->h[i] = c;
	return 0;
}

static struct cand pop(struct bpe *b)
{
	struct cand top = b->h[0], last = b->h[--b->nh];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < b->nh) {
		if (c + 1 < b->nh && before(&b->h[c + 1], &b->h[c]))
			c++;
		if (!before(&b->h[c], &last))
			break;
		b->h[i] = b->h[c];
		i = c;
	}
	if (b->nh)
		b->h[i] = last;
	return top;
}

static int emit(struct bpe *b, int64_t id)
{
	if (*b->n == b->max)
		return snprintf(b->err, b->errlen, "more than %llu tokens",
				(unsigned long long)b->max), -1;
	b->ids[(*b->n)++] = (uint32_t)id;
	return 0;
}

/* BPE over one encoded word of wl bytes in b->w. */
static int merge_word(struct bpe *b, size_t wl)
{
	size_t off = 0, ns = 0, k;
	int64_t i, id;

	if (b->v->pre == TERN_PRE_LLAMA3 && (id = tern_vocab_raw_id(b->v, b->w, wl)) >= 0)
		return emit(b, id);
	while (off < wl) {
		size_t l = tern_utf8_lead_len((unsigned char)b->w[off]);

		b->s[ns].off = (uint32_t)off;
		b->s[ns].n = (uint32_t)(l < wl - off ? l : wl - off);
		off += b->s[ns].n;
		b->s[ns].prev = (int64_t)ns - 1;
		b->s[ns].next = off == wl ? -1 : (int64_t)ns + 1;
		ns++;
	}
	b->nh = 0;
	for (k = 1; k < ns; k++)
		if (push(b, (int64_t)k - 1, (int64_t)k))
			return snprintf(b->err, b->errlen, "out of memory"), -1;
	while (b->nh) {
		struct cand c = pop(b);
		struct piece *l = &b->s[c.left], *r = &b->s[c.right];

		if (!l->n || !r->n || l->n + r->n != c.size || l->next != (int64_t)c.right)
			continue; /* stale */
		l->n += r->n;
		r->n = 0;
		l->next = r->next;
		if (r->next >= 0)
			b->s[r->next].prev = c.left;
		if (push(b, l->prev, c.left) || push(b, c.left, l->next))
			return snprintf(b->err, b->errlen, "out of memory"), -1;
	}
	for (i = ns ? 0 : -1; i >= 0; i = b->s[i].next) {
		const char *t = b->w + b->s[i].off;
		uint32_t j;

		if ((id = tern_vocab_raw_id(b->v, t, b->s[i].n)) >= 0) {
			if (emit(b, id))
				return -1;
			continue;
		}
		for (j = 0; j < b->s[i].n; j++)
			if ((id = tern_vocab_raw_id(b->v, t + j, 1)) >= 0 && emit(b, id))
				return -1;
	}
	return 0;
}

int tern_bpe_encode(const struct tern_vocab *v, const char *text, size_t len, uint32_t *ids,
		    uint64_t *n, uint64_t max, char *err, size_t errlen)
{
	struct bpe b = { v, NULL, NULL, NULL, 0, 0, ids, n, max, err, errlen };
	uint32_t *cp = malloc((len + 1) * sizeof(uint32_t));
	size_t *off = malloc((len + 1) * sizeof(size_t)), ncp, p = 0, k, wl;
	int rc = -1;

	if (v->pre == TERN_PRE_UNKNOWN) {
		snprintf(err, errlen, "pre-tokenizer \"%s\" (tokenizer.ggml.pre) is not supported: "
			 "tern knows llama-bpe (Llama 3) and gpt2; use --prompt-tokens", v->pre_name);
		goto out;
	}
	b.w = malloc(2 * len + 1);
	b.s = malloc((2 * len + 1) * sizeof(struct piece));
	if (!cp || !off || !b.w || !b.s) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ncp = decode((const unsigned char *)text, len, cp, off);
	while (p < ncp) {
		size_t q = p + word_len(cp, ncp, p, v->pre == TERN_PRE_LLAMA3);

		for (k = off[p], wl = 0; k < off[q]; k++)
			wl += byte_char((unsigned char)text[k], b.w + wl);
		if (merge_word(&b, wl))
			goto out;
		p = q;
	}
	rc = 0;
out:
	free(cp);
	free(off);
	free(b.w);
	free(b.s);
	free(b.h);
	return rc;
}
