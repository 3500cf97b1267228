/*
 * tern_gguf_read: the GGUF parser and validator behind tern_gguf_open.
 *
 * The whole file is in memory (mmap for a path, a private copy for a buffer), and a
 * cursor walks it with bounds checks before every read: a field is read only after
 * need() proved its bytes exist, every count is compared with the bytes left before
 * anything is allocated for it, and tables grow as entries are actually parsed, so a
 * hostile header can never ask for more memory than a small multiple of the file.
 * Order of the checks: header, metadata (then duplicate keys, general.alignment),
 * tensor infos (then duplicate names), origin, tensor types and sizes, data placement.
 * Lookups binary-search index arrays sorted during those duplicate checks.
 */
#include "tern_gguf.h"
#include "tern_ternary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct tern_gguf {
	const uint8_t *base;   /* the file image; read-only, owned */
	size_t size;
	int mapped;            /* 1: munmap on close, 0: free */
	uint32_t version;
	uint32_t align;
	uint64_t data_off;
	enum tern_gguf_origin origin;
	struct tern_gguf_kv *kv;
	uint64_t n_kv, cap_kv;
	struct tern_gguf_tensor *t;
	uint64_t n_t, cap_t;
	uint64_t *kv_idx;      /* kv indices sorted by key */
	uint64_t *t_idx;       /* tensor indices sorted by name */
};

/* Parse state: the file, the position and where the message goes. */
struct cur {
	struct tern_gguf *g;
	size_t pos;
	char *err;
	size_t errlen;
};

static const uint8_t vsize[TERN_GGUF_NVTYPES] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };
static const char *const vname[TERN_GGUF_NVTYPES] = {
	"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "arr", "u64", "i64", "f64"
};

static int fail(struct cur *c, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return code;
	n = snprintf(c->err, c->errlen, "gguf: ");
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	/* names come from the file: keep the message on one printable line */
	for (char *p = c->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return code;
}

static size_t left(const struct cur *c)
{
	return c->g->size - c->pos;
}

static int need(struct cur *c, uint64_t n, const char *what)
{
	if (n > left(c))
		return fail(c, TERN_GGUF_ETRUNC,
			    "%s at offset %zu needs %llu bytes, past end of file (size %zu)",
			    what, c->pos, (unsigned long long)n, c->g->size);
	return 0;
}

static uint32_t take32(struct cur *c)
{
	uint32_t v = tern_le32(c->g->base + c->pos);

	c->pos += 4;
	return v;
}

static uint64_t take64(struct cur *c)
{
	uint64_t v = tern_le64(c->g->base + c->pos);

	c->pos += 8;
	return v;
}

static int rd32(struct cur *c, uint32_t *v, const char *what)
{
	int rc = need(c, 4, what);

	if (!rc)
		*v = take32(c);
	return rc;
}

static int rd64(struct cur *c, uint64_t *v, const char *what)
{
	int rc = need(c, 8, what);

	if (!rc)
		*v = take64(c);
	return rc;
}

/* A GGUF string: u64 length, then the bytes. *p points into the file. */
static int rdstr(struct cur *c, const uint8_t **p, uint64_t *len, const char *what)
{
	int rc = rd64(c, len, what);

	if (rc)
		return rc;
	if (*len > left(c))
		return fail(c, TERN_GGUF_ETRUNC,
			    "%s length %llu at offset %zu runs past end of file (size %zu)",
			    what, (unsigned long long)*len, c->pos - 8, c->g->size);
	*p = c->g->base + c->pos;
	c->pos += *len;
	return 0;
}

static char *dupstr(const uint8_t *p, uint64_t len)
{
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, p, len);
		s[len] = 0;
	}
	return s;
}

/* Grow a table by doubling; entries are only added after their bytes were parsed. */
static int grow(void **arr, uint64_t *cap, uint64_t n, size_t esz)
{
	uint64_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	p = realloc(*arr, nc * esz);
	if (!p)
		return TERN_GGUF_ENOMEM;
	memset((char *)p + *cap * esz, 0, (nc - *cap) * esz);
	*arr = p;
	*cap = nc;
	return 0;
}

static int parse_header(struct cur *c, uint64_t *n_t, uint64_t *n_kv)
{
	struct tern_gguf *g = c->g;
	uint32_t v;
	uint64_t room;

	if (g->size < 4 || memcmp(g->base, "GGUF", 4))
		return fail(c, TERN_GGUF_EMAGIC, "bad magic %s (not a GGUF file)",
			    g->size < 4 ? "(file shorter than 4 bytes)" : "bytes");
	c->pos = 4;
	if (rd32(c, &v, "version"))
		return TERN_GGUF_ETRUNC;
	if (v == 0x02000000 || v == 0x03000000)
		return fail(c, TERN_GGUF_EVERSION,
			    "big-endian GGUF (version bytes 0x%08x) is not supported", v);
	if (v == 1)
		return fail(c, TERN_GGUF_EVERSION,
			    "GGUF version 1 (32-bit counts) is not supported");
	if (v != 2 && v != 3)
		return fail(c, TERN_GGUF_EVERSION, "unsupported GGUF version %u", v);
	g->version = v;
	if (rd64(c, n_t, "tensor count") || rd64(c, n_kv, "metadata count"))
		return TERN_GGUF_ETRUNC;
	/* a key takes >= 14 bytes (length, 1 byte, type, 1-byte value), a tensor info
	 * >= 33 (length, 1 byte, n_dims, one dim, type, offset) */
	room = left(c);
	if (*n_kv > room / 14 || *n_t > room / 33 || *n_kv * 14 + *n_t * 33 > room)
		return fail(c, TERN_GGUF_ELIMIT,
			    "header claims %llu tensors and %llu keys, more than a %zu-byte file can hold",
			    (unsigned long long)*n_t, (unsigned long long)*n_kv, g->size);
	return 0;
}

static int parse_str_array(struct cur *c, struct tern_gguf_kv *kv)
{
	struct tern_gguf_arr *a = &kv->arr;
	uint64_t *off;

	if (a->n > left(c) / 8)
		return fail(c, TERN_GGUF_ELIMIT,
			    "key '%s': array of %llu strings cannot fit in the %zu bytes left",
			    kv->key, (unsigned long long)a->n, left(c));
	off = malloc((a->n ? a->n : 1) * sizeof(*off));
	if (!off)
		return TERN_GGUF_ENOMEM;
	a->str_off = off;
	a->data = c->g->base + c->pos;
	for (uint64_t i = 0; i < a->n; i++) {
		const uint8_t *p;
		uint64_t len;

		off[i] = (uint64_t)(c->g->base + c->pos - a->data);
		if (rdstr(c, &p, &len, "array string"))
			return fail(c, TERN_GGUF_ETRUNC,
				    "key '%s': string %llu of %llu runs past end of file (size %zu)",
				    kv->key, (unsigned long long)i, (unsigned long long)a->n,
				    c->g->size);
	}
	return 0;
}

static int check_bools(struct cur *c, const struct tern_gguf_kv *kv, const uint8_t *p,
		       uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] > 1)
			return fail(c, TERN_GGUF_EINVAL, "key '%s': bool value %u is not 0 or 1",
				    kv->key, p[i]);
	return 0;
}

static int parse_array(struct cur *c, struct tern_gguf_kv *kv)
{
	struct tern_gguf_arr *a = &kv->arr;
	uint32_t et;

	if (rd32(c, &et, "array type") || rd64(c, &a->n, "array length"))
		return TERN_GGUF_ETRUNC;
	if (et == TERN_GGUF_ARR)
		return fail(c, TERN_GGUF_EUNSUP, "key '%s': nested arrays are not supported",
			    kv->key);
	if (et >= TERN_GGUF_NVTYPES)
		return fail(c, TERN_GGUF_ETYPE, "key '%s': array of unknown value type %u",
			    kv->key, et);
	a->type = et;
	if (et == TERN_GGUF_STR)
		return parse_str_array(c, kv);
	if (a->n > left(c) / vsize[et])
		return fail(c, TERN_GGUF_ETRUNC,
			    "key '%s': array of %llu %s runs past end of file (size %zu)",
			    kv->key, (unsigned long long)a->n, vname[et], c->g->size);
	a->data = c->g->base + c->pos;
	c->pos += a->n * vsize[et];
	return et == TERN_GGUF_BOOL ? check_bools(c, kv, a->data, a->n) : 0;
}

static int parse_value(struct cur *c, struct tern_gguf_kv *kv)
{
	const uint8_t *p;

	if (kv->type == TERN_GGUF_ARR)
		return parse_array(c, kv);
	if (kv->type == TERN_GGUF_STR) {
		char what[96];

		snprintf(what, sizeof(what), "key '%.64s': string value", kv->key);
		if (rdstr(c, &p, &kv->str_len, what))
			return TERN_GGUF_ETRUNC;
		kv->str = dupstr(p, kv->str_len);
		return kv->str ? 0 : TERN_GGUF_ENOMEM;
	}
	if (need(c, vsize[kv->type], "value"))
		return fail(c, TERN_GGUF_ETRUNC, "key '%s': value runs past end of file (size %zu)",
			    kv->key, c->g->size);
	kv->val = c->g->base + c->pos;
	c->pos += vsize[kv->type];
	return kv->type == TERN_GGUF_BOOL ? check_bools(c, kv, kv->val, 1) : 0;
}

static int parse_kv(struct cur *c, uint64_t i)
{
	struct tern_gguf *g = c->g;
	struct tern_gguf_kv *kv;
	const uint8_t *p;
	uint64_t len;
	int rc;

	rc = grow((void **)&g->kv, &g->cap_kv, g->n_kv, sizeof(*g->kv));
	if (rc)
		return rc;
	if (rdstr(c, &p, &len, "key"))
		return TERN_GGUF_ETRUNC;
	if (len == 0 || len > TERN_GGUF_MAX_KEY || memchr(p, 0, len))
		return fail(c, TERN_GGUF_EINVAL, "key %llu: %s", (unsigned long long)i,
			    len == 0 ? "empty key" : len > TERN_GGUF_MAX_KEY ?
			    "key longer than 65535 bytes" : "key contains a NUL byte");
	kv = &g->kv[g->n_kv++];
	kv->key = dupstr(p, len);
	if (!kv->key)
		return TERN_GGUF_ENOMEM;
	if (rd32(c, &kv->type, "value type"))
		return fail(c, TERN_GGUF_ETRUNC, "key '%s': type runs past end of file (size %zu)",
			    kv->key, g->size);
	if (kv->type >= TERN_GGUF_NVTYPES)
		return fail(c, TERN_GGUF_ETYPE, "key '%s' has unknown value type %u",
			    kv->key, kv->type);
	return parse_value(c, kv);
}

static int parse_tensor_info(struct cur *c, uint64_t i)
{
	struct tern_gguf *g = c->g;
	struct tern_gguf_tensor *t;
	const uint8_t *p;
	uint64_t len, n = 1;
	int rc;

	rc = grow((void **)&g->t, &g->cap_t, g->n_t, sizeof(*g->t));
	if (rc)
		return rc;
	if (rdstr(c, &p, &len, "tensor name"))
		return TERN_GGUF_ETRUNC;
	if (len == 0 || len > TERN_GGUF_MAX_NAME || memchr(p, 0, len))
		return fail(c, len > TERN_GGUF_MAX_NAME ? TERN_GGUF_ELIMIT : TERN_GGUF_EINVAL,
			    "tensor %llu: name of %llu bytes %s", (unsigned long long)i,
			    (unsigned long long)len, len == 0 ? "is empty" :
			    len > TERN_GGUF_MAX_NAME ? "is longer than 63" : "contains a NUL");
	t = &g->t[g->n_t++];
	t->name = dupstr(p, len);
	if (!t->name)
		return TERN_GGUF_ENOMEM;
	if (rd32(c, &t->n_dims, "n_dims"))
		return fail(c, TERN_GGUF_ETRUNC, "tensor '%s' info runs past end of file (size %zu)",
			    t->name, g->size);
	if (t->n_dims == 0 || t->n_dims > TERN_GGUF_MAX_DIMS)
		return fail(c, TERN_GGUF_ESHAPE, "tensor '%s' has %u dims (1..4 allowed)",
			    t->name, t->n_dims);
	if (need(c, 8ull * t->n_dims + 12, "tensor info"))
		return fail(c, TERN_GGUF_ETRUNC, "tensor '%s' info runs past end of file (size %zu)",
			    t->name, g->size);
	for (uint32_t d = 0; d < TERN_GGUF_MAX_DIMS; d++) {
		t->ne[d] = d < t->n_dims ? take64(c) : 1;
		if (t->ne[d] == 0 || t->ne[d] > INT64_MAX)
			return fail(c, TERN_GGUF_ESHAPE, "tensor '%s' dim %u is %llu",
				    t->name, d, (unsigned long long)t->ne[d]);
		if (__builtin_mul_overflow(n, t->ne[d], &n) || n > INT64_MAX)
			return fail(c, TERN_GGUF_ESHAPE,
				    "tensor '%s' element count overflows at dim %u (%llu)",
				    t->name, d, (unsigned long long)t->ne[d]);
	}
	t->n_elem = n;
	t->type = take32(c);
	t->offset = take64(c);
	return 0;
}

/* qsort has no context argument, so (name, index) pairs are sorted, not indices. */
struct name_idx {
	const char *name;
	uint64_t idx;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name_idx *)a)->name, ((const struct name_idx *)b)->name);
}

/* Sort names, report the first duplicate, store the sorted index order in *idx. */
static int sort_names(struct cur *c, uint64_t n, const char *(*name_of)(struct tern_gguf *,
		      uint64_t), uint64_t **idx, const char *what)
{
	struct name_idx *v = malloc((n ? n : 1) * sizeof(*v));
	int rc = 0;

	*idx = malloc((n ? n : 1) * sizeof(**idx));
	if (!v || !*idx) {
		free(v);
		return TERN_GGUF_ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++)
		v[i] = (struct name_idx){ name_of(c->g, i), i };
	qsort(v, n, sizeof(*v), cmp_name);
	for (uint64_t i = 0; i < n; i++) {
		(*idx)[i] = v[i].idx;
		if (!rc && i && !strcmp(v[i - 1].name, v[i].name))
			rc = fail(c, TERN_GGUF_EDUP, "duplicate %s '%s'", what, v[i].name);
	}
	free(v);
	return rc;
}

static const char *kv_name(struct tern_gguf *g, uint64_t i)
{
	return g->kv[i].key;
}

static const char *t_name(struct tern_gguf *g, uint64_t i)
{
	return g->t[i].name;
}

static int parse_alignment(struct cur *c)
{
	uint32_t a;
	int rc = tern_gguf_get_u32(c->g, "general.alignment", &a);

	c->g->align = TERN_GGUF_DEFAULT_ALIGN;
	if (rc == TERN_GGUF_ENOTFOUND)
		return 0;
	if (rc)
		return fail(c, TERN_GGUF_EALIGN,
			    "general.alignment is not an unsigned 32-bit integer");
	if (a == 0 || (a & (a - 1)))
		return fail(c, TERN_GGUF_EALIGN, "general.alignment %u is not a power of two", a);
	c->g->align = a;
	return 0;
}

/* bitnet.cpp files: its own architecture names, or its I2_S file type together with
 * an id-36 tensor (upstream retired id 36 and never writes it). docs/gguf.md. */
static enum tern_gguf_origin detect_origin(struct tern_gguf *g)
{
	const char *arch;
	uint32_t ft;

	if (!tern_gguf_get_str(g, "general.architecture", &arch, NULL) &&
	    (!strcmp(arch, "bitnet-b1.58") || !strcmp(arch, "bitnet-25")))
		return TERN_GGUF_ORIGIN_BITNET_CPP;
	if (tern_gguf_get_u32(g, "general.file_type", &ft) || ft != 40)
		return TERN_GGUF_ORIGIN_UPSTREAM;
	for (uint64_t i = 0; i < g->n_t; i++)
		if (g->t[i].type == TERN_GGML_I2_S)
			return TERN_GGUF_ORIGIN_BITNET_CPP;
	return TERN_GGUF_ORIGIN_UPSTREAM;
}

static int size_tensor(struct cur *c, struct tern_gguf_tensor *t)
{
	uint32_t blck, bytes;
	const char *name;
	int kind = tern_gguf_type_layout(t->type, c->g->origin, &blck, &bytes, &name);

	if (kind < 0)
		return fail(c, TERN_GGUF_EUNSUP,
			    "tensor '%s' has bitnet.cpp type %u (%s), a kernel-specific layout tern does not read; convert to I2_S or TQ2_0",
			    t->name, t->type, name);
	if (kind == 0 && t->type == TERN_GGML_I2_S)
		return fail(c, TERN_GGUF_EORIGIN,
			    "tensor '%s' has type 36 (bitnet.cpp I2_S, retired upstream) but the file has no bitnet.cpp origin keys (general.architecture 'bitnet-b1.58' or general.file_type 40)",
			    t->name);
	if (kind == 0)
		return fail(c, TERN_GGUF_ETYPE, "tensor '%s' has unknown type %u", t->name, t->type);
	if (kind == 2) {
		if (t->n_elem % TERN_I2S_GROUP)
			return fail(c, TERN_GGUF_ESHAPE,
				    "tensor '%s' (i2_s) has %llu elements, not a multiple of 128",
				    t->name, (unsigned long long)t->n_elem);
		t->size = tern_i2s_bytes(t->n_elem);
		return 0;
	}
	if (t->ne[0] % blck)
		return fail(c, TERN_GGUF_ESHAPE,
			    "tensor '%s' (%s) row of %llu elements is not a whole number of %u-element blocks",
			    t->name, name, (unsigned long long)t->ne[0], blck);
	if (__builtin_mul_overflow(t->n_elem / blck, (uint64_t)bytes, &t->size))
		return fail(c, TERN_GGUF_ESHAPE, "tensor '%s' byte size overflows", t->name);
	return 0;
}

static int cmp_off(const void *a, const void *b)
{
	const struct tern_gguf_tensor *x = *(struct tern_gguf_tensor *const *)a;
	const struct tern_gguf_tensor *y = *(struct tern_gguf_tensor *const *)b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Offsets aligned, data inside the file, no two tensors sharing a byte. */
static int place_tensors(struct cur *c)
{
	struct tern_gguf *g = c->g;
	struct tern_gguf_tensor **v;
	uint64_t avail = g->size - g->data_off;
	int rc = 0;

	for (uint64_t i = 0; i < g->n_t; i++) {
		struct tern_gguf_tensor *t = &g->t[i];
		uint64_t a = sat_add(g->data_off, t->offset);

		if (t->offset % g->align)
			return fail(c, TERN_GGUF_EALIGN,
				    "tensor '%s' offset %llu is not a multiple of the alignment %u",
				    t->name, (unsigned long long)t->offset, g->align);
		if (t->offset > avail || t->size > avail - t->offset)
			return fail(c, TERN_GGUF_ETRUNC,
				    "tensor '%s' data [%llu, %llu) runs past end of file (size %zu)",
				    t->name, (unsigned long long)a,
				    (unsigned long long)sat_add(a, t->size), g->size);
		t->data = g->base + g->data_off + t->offset;
	}
	v = malloc((g->n_t ? g->n_t : 1) * sizeof(*v));
	if (!v)
		return TERN_GGUF_ENOMEM;
	for (uint64_t i = 0; i < g->n_t; i++)
		v[i] = &g->t[i];
	qsort(v, g->n_t, sizeof(*v), cmp_off);
	for (uint64_t i = 1; i < g->n_t && !rc; i++)
		if (v[i - 1]->offset + v[i - 1]->size > v[i]->offset)
			rc = fail(c, TERN_GGUF_EOVERLAP,
				  "tensors '%s' [%llu, %llu) and '%s' [%llu, %llu) overlap",
				  v[i - 1]->name, (unsigned long long)v[i - 1]->offset,
				  (unsigned long long)(v[i - 1]->offset + v[i - 1]->size),
				  v[i]->name, (unsigned long long)v[i]->offset,
				  (unsigned long long)(v[i]->offset + v[i]->size));
	free(v);
	return rc;
}

static int parse(struct cur *c)
{
	struct tern_gguf *g = c->g;
	uint64_t n_t, n_kv;
	int rc = parse_header(c, &n_t, &n_kv);

	for (uint64_t i = 0; !rc && i < n_kv; i++)
		rc = parse_kv(c, i);
	if (!rc)
		rc = sort_names(c, g->n_kv, kv_name, &g->kv_idx, "key");
	if (!rc)
		rc = parse_alignment(c);
	for (uint64_t i = 0; !rc && i < n_t; i++)
		rc = parse_tensor_info(c, i);
	if (!rc)
		rc = sort_names(c, g->n_t, t_name, &g->t_idx, "tensor name");
	if (rc)
		return rc;
	g->origin = detect_origin(g);
	for (uint64_t i = 0; !rc && i < g->n_t; i++)
		rc = size_tensor(c, &g->t[i]);
	if (rc)
		return rc;
	/* the data section starts at the next multiple of the alignment; a file without
	 * tensors may end before it */
	g->data_off = (c->pos + g->align - 1) / g->align * g->align;
	if (g->data_off > g->size) {
		if (g->n_t)
			return fail(c, TERN_GGUF_ETRUNC,
				    "data section at %llu starts past end of file (size %zu)",
				    (unsigned long long)g->data_off, g->size);
		g->data_off = g->size;
	}
	return place_tensors(c);
}

static int finish_open(struct tern_gguf *g, struct tern_gguf **out, char *err, size_t errlen)
{
	struct cur c = { g, 0, err, errlen };
	int rc = parse(&c);

	if (rc == TERN_GGUF_ENOMEM)
		fail(&c, rc, "out of memory");
	if (rc) {
		tern_gguf_close(g);
		return rc;
	}
	*out = g;
	return 0;
}

int tern_gguf_open_mem(const void *buf, size_t len, struct tern_gguf **out,
		       char *err, size_t errlen)
{
	struct tern_gguf *g = calloc(1, sizeof(*g));
	uint8_t *copy = malloc(len ? len : 1);

	*out = NULL;
	if (!g || !copy) {
		free(g);
		free(copy);
		snprintf(err, errlen, "gguf: out of memory");
		return TERN_GGUF_ENOMEM;
	}
	if (len)
		memcpy(copy, buf, len);
	g->base = copy;
	g->size = len;
	return finish_open(g, out, err, errlen);
}

int tern_gguf_open(const char *path, struct tern_gguf **out, char *err, size_t errlen)
{
	struct tern_gguf *g;
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "gguf: cannot read '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return TERN_GGUF_EIO;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(err, errlen, "gguf: cannot read '%s': %s", path,
			 S_ISREG(st.st_mode) ? "empty file" : "not a regular file");
		close(fd);
		return TERN_GGUF_EIO;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	g = calloc(1, sizeof(*g));
	if (p == MAP_FAILED || !g) {
		snprintf(err, errlen, "gguf: cannot map '%s'", path);
		if (p != MAP_FAILED)
			munmap(p, (size_t)st.st_size);
		free(g);
		return TERN_GGUF_EIO;
	}
	g->base = p;
	g->size = (size_t)st.st_size;
	g->mapped = 1;
	return finish_open(g, out, err, errlen);
}

void tern_gguf_close(struct tern_gguf *g)
{
	if (!g)
		return;
	for (uint64_t i = 0; i < g->n_kv; i++) {
		free((void *)g->kv[i].key);
		free((void *)g->kv[i].str);
		free((void *)g->kv[i].arr.str_off);
	}
	for (uint64_t i = 0; i < g->n_t; i++)
		free((void *)g->t[i].name);
	free(g->kv);
	free(g->t);
	free(g->kv_idx);
	free(g->t_idx);
	if (g->mapped)
		munmap((void *)g->base, g->size);
	else
		free((void *)g->base);
	free(g);
}

void tern_gguf_release(const struct tern_gguf *g, const void *p, size_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), lo, hi;
	uintptr_t b = (uintptr_t)g->base, e = b + g->size;

	if (!g->mapped || (uintptr_t)p < b || (uintptr_t)p + len > e)
		return;
	lo = (uintptr_t)p / pg * pg;
	hi = ((uintptr_t)p + len) / pg * pg;
	if (lo < b) /* the mapping starts on a page boundary; never below it */
		lo = b;
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

uint32_t tern_gguf_version(const struct tern_gguf *g) { return g->version; }
uint32_t tern_gguf_alignment(const struct tern_gguf *g) { return g->align; }
uint64_t tern_gguf_data_offset(const struct tern_gguf *g) { return g->data_off; }
enum tern_gguf_origin tern_gguf_origin(const struct tern_gguf *g) { return g->origin; }
uint64_t tern_gguf_n_kv(const struct tern_gguf *g) { return g->n_kv; }
uint64_t tern_gguf_n_tensors(const struct tern_gguf *g) { return g->n_t; }

const char *tern_gguf_origin_name(enum tern_gguf_origin o)
{
	return o == TERN_GGUF_ORIGIN_BITNET_CPP ? "bitnet.cpp" : "upstream";
}

const struct tern_gguf_kv *tern_gguf_kv_at(const struct tern_gguf *g, uint64_t i)
{
	return i < g->n_kv ? &g->kv[i] : NULL;
}

const struct tern_gguf_tensor *tern_gguf_tensor_at(const struct tern_gguf *g, uint64_t i)
{
	return i < g->n_t ? &g->t[i] : NULL;
}

/* Binary search over an index sorted by name. During parsing the key index may not
 * exist yet (alignment and origin are read right after the sort, so it does). */
static uint64_t bsearch_idx(const uint64_t *idx, uint64_t n, const char *name,
			    const char *(*name_of)(struct tern_gguf *, uint64_t),
			    struct tern_gguf *g)
{
	uint64_t lo = 0, hi = n;

	while (idx && lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int d = strcmp(name_of(g, idx[mid]), name);

		if (!d)
			return idx[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT64_MAX;
}

const struct tern_gguf_kv *tern_gguf_find_key(const struct tern_gguf *g, const char *key)
{
	uint64_t i = bsearch_idx(g->kv_idx, g->n_kv, key, kv_name, (struct tern_gguf *)g);

	return i == UINT64_MAX ? NULL : &g->kv[i];
}

const struct tern_gguf_tensor *tern_gguf_find_tensor(const struct tern_gguf *g,
						     const char *name)
{
	uint64_t i = bsearch_idx(g->t_idx, g->n_t, name, t_name, (struct tern_gguf *)g);

	return i == UINT64_MAX ? NULL : &g->t[i];
}

const char *tern_gguf_type_name(const struct tern_gguf *g, uint32_t type)
{
	uint32_t blck, bytes;
	const char *name;

	if (tern_gguf_type_layout(type, g->origin, &blck, &bytes, &name) == 0)
		return "unknown";
	return name;
}
