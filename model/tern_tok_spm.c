/*
 * SentencePiece encoding ("llama" vocabularies), as llama.cpp's llm_tokenizer_spm does it.
 *
 * The text gets a leading space when the vocabulary asks for one (add_space_prefix,
 * default on), every space becomes U+2581, and the text is split into UTF-8 characters
 * (a lead byte's length, no validation, as llama.cpp). Then the adjacent pair whose
 * concatenation is a token with the highest score is merged, again and again, ties to
 * the leftmost pair; a max-heap holds the candidate pairs and a popped pair whose sides
 * changed since it was pushed is stale and skipped. Each final piece that is a token
 * is emitted; one that is not (a character outside the vocabulary) falls back to its
 * bytes as <0xNN> tokens. Merged pieces are always tokens, so llama.cpp's re-split of
 * unknown merged pieces never applies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_tok_priv.h"

struct sym {
	uint32_t off, n;    /* bytes of the piece in the escaped text; n = 0: merged away */
	int64_t prev, next;
};

struct pair {
	float score;
	uint32_t left, right, size;
};

struct heap {
	struct pair *a;
	size_t n, cap;
};

/* a before b: higher score, then the leftmost. */
static int above(const struct pair *a, const struct pair *b)
{
	return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static int heap_push(struct heap *h, struct pair p)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct pair *a = realloc(h->a, cap * sizeof(*a));

		if (!a)
			return -1;
		h->a = a;
		h->cap = cap;
	}
	for (i = h->n++; i && above(&p, &h->a[(i - 1) / 2]); i = (i - 1) / 2)
		h->a[i] = h->a[(i - 1) / 2];
	h->a[i] = p;
	return 0;
}

static struct pair heap_pop(struct heap *h)
{
	struct pair top = h->a[0], last = h->a[--h->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && above(&h->a[c + 1], &h->a[c]))
			c++;
		if (!above(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

struct spm {
	const struct tern_vocab *v;
	const char *t;
	struct sym *s;
	struct heap h;
};

static int try_pair(struct spm *p, int64_t l, int64_t r)
{
	struct pair b;
	int64_t id;

	if (l < 0 || r < 0)
		return 0;
	b.size = p->s[l].n + p->s[r].n;
	id = tern_vocab_raw_id(p->v, p->t + p->s[l].off, b.size);
	if (id < 0)
		return 0;
	b.score = p->v->score[id];
	b.left = (uint32_t)l;
	b.right = (uint32_t)r;
	return heap_push(&p->h, b);
}

static int emit(uint32_t *ids, uint64_t *n, uint64_t max, int64_t id, char *err, size_t errlen)
{
	if (*n == max)
		return snprintf(err, errlen, "more than %llu tokens", (unsigned long long)max), -1;
	ids[(*n)++] = (uint32_t)id;
	return 0;
}

/* A piece outside the vocabulary: its bytes as <0xNN> tokens (or the byte itself). */
static int byte_fallback(const struct tern_vocab *v, const char *s, uint32_t n, uint32_t *ids,
			 uint64_t *cnt, uint64_t max, char *err, size_t errlen)
{
	uint32_t i;
	char hx[8];
	int64_t id;

	for (i = 0; i < n; i++) {
		snprintf(hx, sizeof(hx), "<0x%02X>", (unsigned char)s[i]);
		id = tern_vocab_raw_id(v, hx, 6);
		if (id < 0)
			id = tern_vocab_raw_id(v, s + i, 1);
		if (id < 0)
			return snprintf(err, errlen, "byte 0x%02x has no token (no <0x%02X> piece)",
					(unsigned char)s[i], (unsigned char)s[i]), -1;
		if (emit(ids, cnt, max, id, err, errlen))
			return -1;
	}
	return 0;
}

/* Text with the optional leading space and spaces as U+2581; *out_len its length. */
static char *escape(const struct tern_vocab *v, const char *text, size_t len, size_t *out_len)
{
	char *e = malloc(3 * (len + 1) + 1);
	size_t i, o = 0;

	if (!e)
		return NULL;
	for (i = 0; i < len + (size_t)!!v->add_space_prefix; i++) {
		char c = v->add_space_prefix ? (i ? text[i - 1] : ' ') : text[i];

		if (c == ' ') {
			memcpy(e + o, "\xe2\x96\x81", 3);
			o += 3;
		} else {
			e[o++] = c;
		}
	}
	*out_len = o;
	return e;
}

int tern_spm_encode(const struct tern_vocab *v, const char *text, size_t len, uint32_t *ids,
		    uint64_t *n, uint64_t max, char *err, size_t errlen)
{
	struct spm p = { v, NULL, NULL, { NULL, 0, 0 } };
	size_t elen, off = 0, ns = 0, k;
	int64_t i;
	int rc = -1;

	p.t = escape(v, text, len, &elen);
	p.s = p.t ? malloc((elen + 1) * sizeof(struct sym)) : NULL;
	if (!p.s || elen > UINT32_MAX) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while (off < elen) {
		size_t l = tern_utf8_lead_len((unsigned char)p.t[off]);

		p.s[ns].off = (uint32_t)off;
		p.s[ns].n = (uint32_t)(l < elen - off ? l : elen - off);
		off += p.s[ns].n;
		p.s[ns].prev = (int64_t)ns - 1;
		p.s[ns].next = off == elen ? -1 : (int64_t)ns + 1;
		ns++;
	}
	for (k = 1; k < ns; k++)
		if (try_pair(&p, (int64_t)k - 1, (int64_t)k))
			goto oom;
	while (p.h.n) {
		struct pair b = heap_pop(&p.h);
		struct sym *l = &p.s[b.left], *r = &p.s[b.right];

		if (!l->n || !r->n || l->n + r->n != b.size)
			continue; /* stale: a side merged since */
		l->n += r->n;
		r->n = 0;
		l->next = r->next;
		if (r->next >= 0)
			p.s[r->next].prev = b.left;
		if (try_pair(&p, l->prev, b.left) || try_pair(&p, b.left, l->next))
			goto oom;
	}
	for (i = ns ? 0 : -1; i >= 0; i = p.s[i].next) {
		int64_t id = tern_vocab_raw_id(v, p.t + p.s[i].off, p.s[i].n);

		if (id >= 0 ? emit(ids, n, max, id, err, errlen) :
		    byte_fallback(v, p.t + p.s[i].off, p.s[i].n, ids, n, max, err, errlen))
			goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free((char *)p.t);
	free(p.s);
	free(p.h.a);
	return rc;
}
