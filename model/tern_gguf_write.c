/*
 * tern_gguf_write: builds GGUF v3 files from metadata and tensors.
 *
 * Each metadata entry is serialised as soon as it is added (key, type, value bytes), so
 * writing is a concatenation: header, entries, tensor infos, padding to the alignment,
 * then every tensor's bytes, each starting at a multiple of the alignment. Tensors are
 * copied (or packed) when added, so the caller may free its arrays at once. The writer
 * refuses what the reader would refuse (duplicate names, bad shapes, non-ternary
 * input, an I2_S tensor in a file without bitnet.cpp origin keys), so every file it
 * produces opens. Errors are sticky: the first one is kept with its message and
 * returned again by the write call. Files appear atomically: the bytes go to a
 * temporary file in the target directory, which is fsync'd and renamed over the path.
 */
#include "tern_gguf.h"
#include "tern_ternary.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct wkv {
	char *key;
	uint32_t type;
	uint8_t *bytes;          /* key string + type + value, as in the file */
	size_t len;
	size_t val_off;          /* where the value starts within bytes */
};

struct wtensor {
	char *name;
	uint32_t type, n_dims;
	uint64_t ne[TERN_GGUF_MAX_DIMS];
	uint8_t *data;
	uint64_t size, offset;
};

struct tern_gguf_writer {
	struct wkv *kv;
	size_t n_kv, cap_kv;
	struct wtensor *t;
	size_t n_t, cap_t;
	uint32_t align;
	int err;                 /* first error, sticky */
	char msg[256];
};

/* Growable byte buffer; oom is sticky so callers check once at the end. */
struct buf {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 64;
		uint8_t *p;

		while (nc < b->len + n)
			nc *= 2;
		p = realloc(b->p, nc);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = nc;
	}
	if (n)
		memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4];

	tern_put32(x, v);
	put(b, x, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	uint8_t x[8];

	tern_put64(x, v);
	put(b, x, 8);
}

static void putstr(struct buf *b, const char *s, size_t n)
{
	put64(b, n);
	put(b, s, n);
}

static int werr(struct tern_gguf_writer *w, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->err)
		return code;
	w->err = code;
	n = snprintf(w->msg, sizeof(w->msg), "gguf: ");
	va_start(ap, fmt);
	vsnprintf(w->msg + n, sizeof(w->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

struct tern_gguf_writer *tern_gguf_writer_new(void)
{
	struct tern_gguf_writer *w = calloc(1, sizeof(*w));

	if (w)
		w->align = TERN_GGUF_DEFAULT_ALIGN;
	return w;
}

void tern_gguf_writer_free(struct tern_gguf_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_kv; i++) {
		free(w->kv[i].key);
		free(w->kv[i].bytes);
	}
	for (size_t i = 0; i < w->n_t; i++) {
		free(w->t[i].name);
		free(w->t[i].data);
	}
	free(w->kv);
	free(w->t);
	free(w);
}

static int grow(void **arr, size_t *cap, size_t n, size_t esz)
{
	size_t nc = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, nc * esz);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

static const struct wkv *find_kv(const struct tern_gguf_writer *w, const char *key)
{
	for (size_t i = 0; i < w->n_kv; i++)
		if (!strcmp(w->kv[i].key, key))
			return &w->kv[i];
	return NULL;
}

/* Start an entry: checks the key, serialises key and type into b. */
static int kv_begin(struct tern_gguf_writer *w, const char *key, uint32_t type, struct buf *b)
{
	size_t n = key ? strlen(key) : 0;

	if (w->err)
		return w->err;
	if (n == 0 || n > TERN_GGUF_MAX_KEY)
		return werr(w, TERN_GGUF_EINVAL, "key '%s' is empty or too long", key ? key : "");
	if (find_kv(w, key))
		return werr(w, TERN_GGUF_EDUP, "duplicate key '%s'", key);
	putstr(b, key, n);
	put32(b, type);
	return 0;
}

static int kv_end(struct tern_gguf_writer *w, const char *key, uint32_t type, struct buf *b)
{
	struct wkv *kv;

	if (b->oom || grow((void **)&w->kv, &w->cap_kv, w->n_kv, sizeof(*w->kv))) {
		free(b->p);
		return werr(w, TERN_GGUF_ENOMEM, "out of memory");
	}
	kv = &w->kv[w->n_kv];
	kv->key = strdup(key);
	if (!kv->key) {
		free(b->p);
		return werr(w, TERN_GGUF_ENOMEM, "out of memory");
	}
	kv->type = type;
	kv->bytes = b->p;
	kv->len = b->len;
	kv->val_off = 8 + strlen(key) + 4;
	w->n_kv++;
	return 0;
}

static int add_scalar(struct tern_gguf_writer *w, const char *key, uint32_t type,
		      uint64_t bits, unsigned int size)
{
	struct buf b = { 0 };
	uint8_t x[8];
	int rc = kv_begin(w, key, type, &b);

	if (rc) {
		free(b.p);
		return rc;
	}
	tern_put64(x, bits);
	put(&b, x, size);
	return kv_end(w, key, type, &b);
}

int tern_gguf_add_u8(struct tern_gguf_writer *w, const char *k, uint8_t v)
{ return add_scalar(w, k, TERN_GGUF_U8, v, 1); }
int tern_gguf_add_i8(struct tern_gguf_writer *w, const char *k, int8_t v)
{ return add_scalar(w, k, TERN_GGUF_I8, (uint8_t)v, 1); }
int tern_gguf_add_u16(struct tern_gguf_writer *w, const char *k, uint16_t v)
{ return add_scalar(w, k, TERN_GGUF_U16, v, 2); }
int tern_gguf_add_i16(struct tern_gguf_writer *w, const char *k, int16_t v)
{ return add_scalar(w, k, TERN_GGUF_I16, (uint16_t)v, 2); }
int tern_gguf_add_u32(struct tern_gguf_writer *w, const char *k, uint32_t v)
{ return add_scalar(w, k, TERN_GGUF_U32, v, 4); }
int tern_gguf_add_i32(struct tern_gguf_writer *w, const char *k, int32_t v)
{ return add_scalar(w, k, TERN_GGUF_I32, (uint32_t)v, 4); }
int tern_gguf_add_u64(struct tern_gguf_writer *w, const char *k, uint64_t v)
{ return add_scalar(w, k, TERN_GGUF_U64, v, 8); }
int tern_gguf_add_i64(struct tern_gguf_writer *w, const char *k, int64_t v)
{ return add_scalar(w, k, TERN_GGUF_I64, (uint64_t)v, 8); }
int tern_gguf_add_f32(struct tern_gguf_writer *w, const char *k, float v)
{ return add_scalar(w, k, TERN_GGUF_F32, tern_f32_bits(v), 4); }
int tern_gguf_add_bool(struct tern_gguf_writer *w, const char *k, int v)
{ return add_scalar(w, k, TERN_GGUF_BOOL, v != 0, 1); }

int tern_gguf_add_f64(struct tern_gguf_writer *w, const char *k, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return add_scalar(w, k, TERN_GGUF_F64, bits, 8);
}

int tern_gguf_writer_set_alignment(struct tern_gguf_writer *w, uint32_t align)
{
	if (align == 0 || (align & (align - 1)))
		return werr(w, TERN_GGUF_EALIGN, "alignment %u is not a power of two", align);
	return tern_gguf_add_u32(w, "general.alignment", align);
}

int tern_gguf_add_str(struct tern_gguf_writer *w, const char *key, const char *s)
{
	struct buf b = { 0 };
	int rc = kv_begin(w, key, TERN_GGUF_STR, &b);

	if (rc) {
		free(b.p);
		return rc;
	}
	putstr(&b, s, strlen(s));
	return kv_end(w, key, TERN_GGUF_STR, &b);
}

static const uint8_t vsize[TERN_GGUF_NVTYPES] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

int tern_gguf_add_arr(struct tern_gguf_writer *w, const char *key, uint32_t type,
		      uint64_t n, const void *data)
{
	const uint8_t *src = data;
	struct buf b = { 0 };
	int rc;

	if (type >= TERN_GGUF_NVTYPES || type == TERN_GGUF_STR || type == TERN_GGUF_ARR)
		return werr(w, TERN_GGUF_EINVAL, "key '%s': array type %u not numeric", key, type);
	rc = kv_begin(w, key, TERN_GGUF_ARR, &b);
	if (rc) {
		free(b.p);
		return rc;
	}
	put32(&b, type);
	put64(&b, n);
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = src + i * vsize[type];
		uint8_t x[8];
		uint64_t v = e[0];
		uint16_t h;
		uint32_t u;

		/* host order in, little-endian out */
		if (vsize[type] == 2) {
			memcpy(&h, e, 2);
			v = h;
		} else if (vsize[type] == 4) {
			memcpy(&u, e, 4);
			v = u;
		} else if (vsize[type] == 8) {
			memcpy(&v, e, 8);
		}
		if (type == TERN_GGUF_BOOL)
			v = v != 0;
		tern_put64(x, v);
		put(&b, x, vsize[type]);
	}
	return kv_end(w, key, TERN_GGUF_ARR, &b);
}

int tern_gguf_add_arr_str(struct tern_gguf_writer *w, const char *key, uint64_t n,
			  const char *const *s)
{
	struct buf b = { 0 };
	int rc = kv_begin(w, key, TERN_GGUF_ARR, &b);

	if (rc) {
		free(b.p);
		return rc;
	}
	put32(&b, TERN_GGUF_STR);
	put64(&b, n);
	for (uint64_t i = 0; i < n; i++)
		putstr(&b, s[i], strlen(s[i]));
	return kv_end(w, key, TERN_GGUF_ARR, &b);
}

/* Checks name, shape and type; returns the byte size the data must have, or 0 after
 * recording the error. */
static uint64_t check_tensor(struct tern_gguf_writer *w, const char *name, uint32_t type,
			     uint32_t n_dims, const uint64_t *ne, uint64_t *n_elem)
{
	size_t len = name ? strlen(name) : 0;
	uint32_t blck, bytes;
	const char *tname;
	uint64_t n = 1, size;
	int kind;

	if (w->err)
		return 0;
	if (len == 0 || len > TERN_GGUF_MAX_NAME)
		return werr(w, TERN_GGUF_EINVAL, "tensor name '%s' empty or longer than 63",
			    name ? name : ""), 0;
	for (size_t i = 0; i < w->n_t; i++)
		if (!strcmp(w->t[i].name, name))
			return werr(w, TERN_GGUF_EDUP, "duplicate tensor name '%s'", name), 0;
	if (n_dims == 0 || n_dims > TERN_GGUF_MAX_DIMS)
		return werr(w, TERN_GGUF_ESHAPE, "tensor '%s' has %u dims", name, n_dims), 0;
	for (uint32_t d = 0; d < n_dims; d++)
		if (ne[d] == 0 || __builtin_mul_overflow(n, ne[d], &n) || n > INT64_MAX)
			return werr(w, TERN_GGUF_ESHAPE, "tensor '%s' dim %u (%llu) is 0 or overflows",
				    name, d, (unsigned long long)ne[d]), 0;
	/* the writer knows I2_S; bitnet.cpp's other ids are refused, upstream ids sized */
	kind = tern_gguf_type_layout(type, type == TERN_GGML_I2_S ?
				     TERN_GGUF_ORIGIN_BITNET_CPP : TERN_GGUF_ORIGIN_UPSTREAM,
				     &blck, &bytes, &tname);
	if (kind <= 0)
		return werr(w, TERN_GGUF_ETYPE, "tensor '%s' has unknown type %u", name, type), 0;
	*n_elem = n;
	if (kind == 2) {
		if (n % TERN_I2S_GROUP)
			return werr(w, TERN_GGUF_ESHAPE,
				    "tensor '%s' (i2_s) has %llu elements, not a multiple of 128",
				    name, (unsigned long long)n), 0;
		return tern_i2s_bytes(n);
	}
	if (ne[0] % blck)
		return werr(w, TERN_GGUF_ESHAPE,
			    "tensor '%s' (%s) row of %llu is not a whole number of %u-element blocks",
			    name, tname, (unsigned long long)ne[0], blck), 0;
	if (__builtin_mul_overflow(n / blck, (uint64_t)bytes, &size))
		return werr(w, TERN_GGUF_ESHAPE, "tensor '%s' size overflows", name), 0;
	return size;
}

/* Takes ownership of data (size bytes, already checked). */
static int push_tensor(struct tern_gguf_writer *w, const char *name, uint32_t type,
		       uint32_t n_dims, const uint64_t *ne, uint8_t *data, uint64_t size)
{
	struct wtensor *t;

	if (grow((void **)&w->t, &w->cap_t, w->n_t, sizeof(*w->t)))
		goto oom;
	t = &w->t[w->n_t];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		goto oom;
	t->type = type;
	t->n_dims = n_dims;
	for (uint32_t d = 0; d < TERN_GGUF_MAX_DIMS; d++)
		t->ne[d] = d < n_dims ? ne[d] : 1;
	t->data = data;
	t->size = size;
	w->n_t++;
	return 0;
oom:
	free(data);
	return werr(w, TERN_GGUF_ENOMEM, "out of memory");
}

static uint8_t *alloc_data(struct tern_gguf_writer *w, uint64_t size)
{
	uint8_t *p = size <= SIZE_MAX ? malloc((size_t)size) : NULL;

	if (!p)
		werr(w, TERN_GGUF_ENOMEM, "out of memory for %llu tensor bytes",
		     (unsigned long long)size);
	return p;
}

int tern_gguf_add_tensor(struct tern_gguf_writer *w, const char *name, uint32_t type,
			 uint32_t n_dims, const uint64_t *ne, const void *data, uint64_t size)
{
	uint64_t n, want = check_tensor(w, name, type, n_dims, ne, &n);
	uint8_t *p;

	if (!want)
		return w->err;
	if (size != want)
		return werr(w, TERN_GGUF_ESHAPE, "tensor '%s' needs %llu bytes, got %llu",
			    name, (unsigned long long)want, (unsigned long long)size);
	p = alloc_data(w, size);
	if (!p)
		return w->err;
	memcpy(p, data, (size_t)size);
	return push_tensor(w, name, type, n_dims, ne, p, size);
}

int tern_gguf_add_tensor_f32(struct tern_gguf_writer *w, const char *name, uint32_t type,
			     uint32_t n_dims, const uint64_t *ne, const float *src)
{
	uint64_t n, size;
	uint8_t *p;

	if (type != TERN_GGML_F32 && type != TERN_GGML_F16 && type != TERN_GGML_BF16)
		return werr(w, TERN_GGUF_ETYPE, "tensor '%s': type %u is not f32, f16 or bf16",
			    name, type);
	size = check_tensor(w, name, type, n_dims, ne, &n);
	p = size ? alloc_data(w, size) : NULL;
	if (!p)
		return w->err;
	for (uint64_t i = 0; i < n; i++) {
		if (type == TERN_GGML_F32)
			tern_put32(p + 4 * i, tern_f32_bits(src[i]));
		else if (type == TERN_GGML_F16)
			tern_put16(p + 2 * i, tern_f32_to_f16(src[i]));
		else
			tern_put16(p + 2 * i, tern_f32_to_bf16(src[i]));
	}
	return push_tensor(w, name, type, n_dims, ne, p, size);
}

int tern_gguf_add_tensor_ternary(struct tern_gguf_writer *w, const char *name,
				 uint32_t type, uint32_t n_dims, const uint64_t *ne,
				 const int8_t *src, float scale)
{
	uint16_t d = tern_f32_to_f16(scale);
	uint64_t n, size;
	uint8_t *p;

	if (type != TERN_GGML_TQ1_0 && type != TERN_GGML_TQ2_0 && type != TERN_GGML_I2_S)
		return werr(w, TERN_GGUF_ETYPE, "tensor '%s': type %u is not tq1_0, tq2_0 or i2_s",
			    name, type);
	if (scale != scale || (type != TERN_GGML_I2_S && (d & 0x7c00) == 0x7c00) ||
	    scale - scale != 0)
		return werr(w, TERN_GGUF_ESCALE, "tensor '%s': scale %g not finite in %s",
			    name, (double)scale, type == TERN_GGML_I2_S ? "f32" : "fp16");
	size = check_tensor(w, name, type, n_dims, ne, &n);
	if (!size)
		return w->err;
	for (uint64_t i = 0; i < n; i++)
		if (src[i] < -1 || src[i] > 1)
			return werr(w, TERN_GGUF_EINVAL, "tensor '%s' weight %llu is %d, not -1, 0 or 1",
				    name, (unsigned long long)i, src[i]);
	p = alloc_data(w, size);
	if (!p)
		return w->err;
	if (type == TERN_GGML_I2_S)
		tern_i2s_pack(src, n, scale, p);
	for (uint64_t b = 0; type != TERN_GGML_I2_S && b < n / TERN_QK_K; b++) {
		if (type == TERN_GGML_TQ1_0)
			tern_tq1_0_pack_block(src + b * TERN_QK_K, d, p + b * TERN_TQ1_0_BYTES);
		else
			tern_tq2_0_pack_block(src + b * TERN_QK_K, d, p + b * TERN_TQ2_0_BYTES);
	}
	return push_tensor(w, name, type, n_dims, ne, p, size);
}

/* I2_S needs the origin keys the reader detects bitnet.cpp files by. */
static int check_origin(struct tern_gguf_writer *w)
{
	const struct wkv *arch = find_kv(w, "general.architecture");
	const struct wkv *ft = find_kv(w, "general.file_type");
	size_t i;

	for (i = 0; i < w->n_t && w->t[i].type != TERN_GGML_I2_S; i++)
		;
	if (i == w->n_t)
		return 0;
	if (arch && arch->type == TERN_GGUF_STR) {
		const uint8_t *v = arch->bytes + arch->val_off;
		uint64_t len = tern_le64(v);

		if ((len == 12 && !memcmp(v + 8, "bitnet-b1.58", 12)) ||
		    (len == 9 && !memcmp(v + 8, "bitnet-25", 9)))
			return 0;
	}
	if (ft && (ft->type == TERN_GGUF_U32 || ft->type == TERN_GGUF_I32) &&
	    tern_le32(ft->bytes + ft->val_off) == 40)
		return 0;
	return werr(w, TERN_GGUF_EORIGIN,
		    "tensor '%s' is i2_s but the file has no bitnet.cpp origin keys (general.architecture 'bitnet-b1.58' or general.file_type 40)",
		    w->t[i].name);
}

/* general.alignment, however it was added, decides the layout. */
static int layout_alignment(struct tern_gguf_writer *w)
{
	const struct wkv *kv = find_kv(w, "general.alignment");
	uint32_t a;

	w->align = TERN_GGUF_DEFAULT_ALIGN;
	if (!kv)
		return 0;
	a = kv->type == TERN_GGUF_U32 ? tern_le32(kv->bytes + kv->val_off) : 0;
	if (a == 0 || (a & (a - 1)))
		return werr(w, TERN_GGUF_EALIGN, "general.alignment must be a u32 power of two");
	w->align = a;
	return 0;
}

/* Output goes to a FILE or to a buffer. */
struct sink {
	FILE *f;
	struct buf b;
	int ioerr;
	int cancelled;
};

/*
 * Set once by the program before any write (tern_gguf_set_cancel) and only read here;
 * the flag it points to is written by a signal handler.
 */
static volatile const sig_atomic_t *cancel_flag;

void tern_gguf_set_cancel(volatile const sig_atomic_t *cancel)
{
	cancel_flag = cancel;
}

static void emit(struct sink *s, const void *p, size_t n)
{
	if (s->f) {
		if (!s->cancelled && cancel_flag && *cancel_flag)
			s->cancelled = 1;
		if (n && !s->ioerr && !s->cancelled && fwrite(p, 1, n, s->f) != n)
			s->ioerr = 1;
	} else {
		put(&s->b, p, n);
	}
}

static void emit_pad(struct sink *s, uint64_t pos, uint32_t align)
{
	static const uint8_t zero[64];
	uint64_t n = (align - pos % align) % align;

	while (n) {
		size_t k = n < sizeof(zero) ? (size_t)n : sizeof(zero);

		emit(s, zero, k);
		n -= k;
	}
}

static int emit_all(struct tern_gguf_writer *w, struct sink *s)
{
	struct buf h = { 0 };
	uint64_t off = 0;

	if (w->err || check_origin(w) || layout_alignment(w))
		return w->err;
	put(&h, "GGUF", 4);
	put32(&h, 3);
	put64(&h, w->n_t);
	put64(&h, w->n_kv);
	for (size_t i = 0; i < w->n_kv; i++)
		put(&h, w->kv[i].bytes, w->kv[i].len);
	for (size_t i = 0; i < w->n_t; i++) {
		struct wtensor *t = &w->t[i];

		off = (off + w->align - 1) / w->align * w->align;
		t->offset = off;
		off += t->size;
		putstr(&h, t->name, strlen(t->name));
		put32(&h, t->n_dims);
		for (uint32_t d = 0; d < t->n_dims; d++)
			put64(&h, t->ne[d]);
		put32(&h, t->type);
		put64(&h, t->offset);
	}
	if (h.oom) {
		free(h.p);
		return werr(w, TERN_GGUF_ENOMEM, "out of memory");
	}
	emit(s, h.p, h.len);
	emit_pad(s, h.len, w->align);
	free(h.p);
	for (size_t i = 0; i < w->n_t; i++) {
		emit(s, w->t[i].data, (size_t)w->t[i].size);
		if (i + 1 < w->n_t)
			emit_pad(s, w->t[i].offset + w->t[i].size, w->align);
	}
	if (s->b.oom)
		return werr(w, TERN_GGUF_ENOMEM, "out of memory");
	return 0;
}

int tern_gguf_write_mem(struct tern_gguf_writer *w, uint8_t **buf, size_t *len,
			char *err, size_t errlen)
{
	struct sink s = { 0 };
	int rc = emit_all(w, &s);

	*buf = NULL;
	*len = 0;
	if (rc) {
		free(s.b.p);
		snprintf(err, errlen, "%s", w->msg);
		return rc;
	}
	*buf = s.b.p ? s.b.p : malloc(1);
	*len = s.b.len;
	return 0;
}

/* Write through to a device or pipe: no temporary, no rename. */
static int write_through(struct tern_gguf_writer *w, const char *path, char *err,
			 size_t errlen)
{
	struct sink s = { 0 };
	int rc;

	s.f = fopen(path, "wb");
	if (!s.f) {
		snprintf(err, errlen, "gguf: cannot write '%s': %s", path, strerror(errno));
		return TERN_GGUF_EIO;
	}
	rc = emit_all(w, &s);
	if (!rc && (s.ioerr || fflush(s.f)))
		rc = TERN_GGUF_EIO;
	if (fclose(s.f) && !rc)
		rc = TERN_GGUF_EIO;
	if (!rc && s.cancelled)
		rc = TERN_GGUF_ECANCEL;
	if (rc == TERN_GGUF_EIO)
		snprintf(err, errlen, "gguf: cannot write '%s': %s", path, strerror(errno));
	else if (rc == TERN_GGUF_ECANCEL)
		snprintf(err, errlen, "gguf: writing '%s' cancelled", path);
	else if (rc)
		snprintf(err, errlen, "%s", w->msg);
	return rc;
}

int tern_gguf_write_file(struct tern_gguf_writer *w, const char *path,
			 char *err, size_t errlen)
{
	size_t n = strlen(path);
	char *tmp;
	struct sink s = { 0 };
	struct stat sb;
	int fd, rc;

	if (!stat(path, &sb) && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return write_through(w, path, err, errlen);
	tmp = malloc(n + 12);
	if (!tmp) {
		snprintf(err, errlen, "gguf: out of memory");
		return TERN_GGUF_ENOMEM;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmpXXXXXX", 11);
	fd = mkstemp(tmp);
	s.f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!s.f) {
		snprintf(err, errlen, "gguf: cannot create a temporary file next to '%s'", path);
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return TERN_GGUF_EIO;
	}
	rc = emit_all(w, &s);
	if (!rc && (s.ioerr || fflush(s.f) || fchmod(fd, 0644) || fsync(fd)))
		rc = TERN_GGUF_EIO;
	if (fclose(s.f) && !rc)
		rc = TERN_GGUF_EIO;
	if (!rc && (s.cancelled || (cancel_flag && *cancel_flag)))
		rc = TERN_GGUF_ECANCEL;
	if (!rc && rename(tmp, path))
		rc = TERN_GGUF_EIO;
	if (rc) {
		unlink(tmp);
		if (rc == TERN_GGUF_EIO)
			snprintf(err, errlen, "gguf: cannot write '%s'", path);
		else if (rc == TERN_GGUF_ECANCEL)
			snprintf(err, errlen, "gguf: writing '%s' cancelled", path);
		else
			snprintf(err, errlen, "%s", w->msg);
	}
	free(tmp);
	return rc;
}
