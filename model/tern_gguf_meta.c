/*
 * tern_gguf_meta: typed access to GGUF metadata once tern_gguf_open has validated it.
 *
 * Everything here works through the public lookup (tern_gguf_find_key) and reads the
 * little-endian bytes the parser already bounds-checked, so no getter can fail on the
 * file itself, only on the caller's expectation: a missing key, a different kind of
 * value (ETYPE) or a value that does not fit the requested C type (ERANGE). Integer
 * getters are deliberately lenient about the stored width, since converters disagree
 * (u32 vs i32 vs u64 for the same count); floats are never turned into integers.
 */
#include "tern_gguf.h"
#include "tern_ternary.h"

#include <string.h>

static const uint8_t vsize[TERN_GGUF_NVTYPES] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

/* An integer scalar as (negative?, magnitude); ETYPE for anything else. */
static int int_of(const uint32_t type, const uint8_t *p, int64_t *sv, uint64_t *uv, int *neg)
{
	switch (type) {
	case TERN_GGUF_U8:  *uv = p[0]; *neg = 0; return 0;
	case TERN_GGUF_U16: *uv = tern_le16(p); *neg = 0; return 0;
	case TERN_GGUF_U32: *uv = tern_le32(p); *neg = 0; return 0;
	case TERN_GGUF_U64: *uv = tern_le64(p); *neg = 0; return 0;
	case TERN_GGUF_I8:  *sv = (int8_t)p[0]; break;
	case TERN_GGUF_I16: *sv = (int16_t)tern_le16(p); break;
	case TERN_GGUF_I32: *sv = (int32_t)tern_le32(p); break;
	case TERN_GGUF_I64: *sv = (int64_t)tern_le64(p); break;
	default: return TERN_GGUF_ETYPE;
	}
	*neg = *sv < 0;
	*uv = (uint64_t)*sv;
	return 0;
}

/* The integer at p as (sv, uv) if it lies within [lo, hi] (lo <= 0 <= hi). */
static int int_in(uint32_t type, const uint8_t *p, int64_t lo, uint64_t hi, int64_t *sv,
		  uint64_t *uv)
{
	int neg, rc = int_of(type, p, sv, uv, &neg);

	if (rc)
		return rc;
	if (neg ? *sv < lo : *uv > hi)
		return TERN_GGUF_ERANGE;
	*sv = (int64_t)*uv;
	return 0;
}

/* Fetch key as an integer within [lo, hi]. */
static int get_int(const struct tern_gguf *g, const char *key, int64_t lo, uint64_t hi,
		   int64_t *sv, uint64_t *uv)
{
	const struct tern_gguf_kv *kv = tern_gguf_find_key(g, key);

	if (!kv)
		return TERN_GGUF_ENOTFOUND;
	return int_in(kv->type, kv->val, lo, hi, sv, uv);
}

int tern_gguf_get_u32(const struct tern_gguf *g, const char *key, uint32_t *v)
{
	int64_t s;
	uint64_t u;
	int rc = get_int(g, key, 0, UINT32_MAX, &s, &u);

	if (!rc)
		*v = (uint32_t)u;
	return rc;
}

int tern_gguf_get_i32(const struct tern_gguf *g, const char *key, int32_t *v)
{
	int64_t s;
	uint64_t u;
	int rc = get_int(g, key, INT32_MIN, INT32_MAX, &s, &u);

	if (!rc)
		*v = (int32_t)s;
	return rc;
}

int tern_gguf_get_u64(const struct tern_gguf *g, const char *key, uint64_t *v)
{
	int64_t s;

	return get_int(g, key, 0, UINT64_MAX, &s, v);
}

int tern_gguf_get_i64(const struct tern_gguf *g, const char *key, int64_t *v)
{
	uint64_t u;

	return get_int(g, key, INT64_MIN, INT64_MAX, v, &u);
}

int tern_gguf_get_f64(const struct tern_gguf *g, const char *key, double *v)
{
	const struct tern_gguf_kv *kv = tern_gguf_find_key(g, key);
	uint64_t b;

	if (!kv)
		return TERN_GGUF_ENOTFOUND;
	if (kv->type == TERN_GGUF_F32) {
		*v = tern_f32_from_bits(tern_le32(kv->val));
		return 0;
	}
	if (kv->type != TERN_GGUF_F64)
		return TERN_GGUF_ETYPE;
	b = tern_le64(kv->val);
	memcpy(v, &b, sizeof(*v));
	return 0;
}

int tern_gguf_get_f32(const struct tern_gguf *g, const char *key, float *v)
{
	double d;
	int rc = tern_gguf_get_f64(g, key, &d);

	if (rc)
		return rc;
	if (d == d && (d > 3.4028234663852886e38 || d < -3.4028234663852886e38) &&
	    d - d == 0)
		return TERN_GGUF_ERANGE; /* finite f64 beyond the f32 range */
	*v = (float)d;
	return 0;
}

int tern_gguf_get_bool(const struct tern_gguf *g, const char *key, int *v)
{
	const struct tern_gguf_kv *kv = tern_gguf_find_key(g, key);

	if (!kv)
		return TERN_GGUF_ENOTFOUND;
	if (kv->type != TERN_GGUF_BOOL)
		return TERN_GGUF_ETYPE;
	*v = kv->val[0];
	return 0;
}

int tern_gguf_get_str(const struct tern_gguf *g, const char *key, const char **s,
		      uint64_t *len)
{
	const struct tern_gguf_kv *kv = tern_gguf_find_key(g, key);

	if (!kv)
		return TERN_GGUF_ENOTFOUND;
	if (kv->type != TERN_GGUF_STR)
		return TERN_GGUF_ETYPE;
	*s = kv->str;
	if (len)
		*len = kv->str_len;
	return 0;
}

int tern_gguf_get_arr(const struct tern_gguf *g, const char *key,
		      const struct tern_gguf_arr **a)
{
	const struct tern_gguf_kv *kv = tern_gguf_find_key(g, key);

	if (!kv)
		return TERN_GGUF_ENOTFOUND;
	if (kv->type != TERN_GGUF_ARR)
		return TERN_GGUF_ETYPE;
	*a = &kv->arr;
	return 0;
}

/* Element i of an integer (or bool) array within [lo, hi]. */
static int arr_int(const struct tern_gguf_arr *a, uint64_t i, int64_t lo, uint64_t hi,
		   int64_t *sv, uint64_t *uv)
{
	if (i >= a->n)
		return TERN_GGUF_ERANGE;
	if (a->type == TERN_GGUF_BOOL) {
		*sv = a->data[i];
		*uv = a->data[i];
		return 0;
	}
	return int_in(a->type, a->data + i * vsize[a->type], lo, hi, sv, uv);
}

int tern_gguf_arr_i64(const struct tern_gguf_arr *a, uint64_t i, int64_t *v)
{
	uint64_t u;

	return arr_int(a, i, INT64_MIN, INT64_MAX, v, &u);
}

int tern_gguf_arr_u64(const struct tern_gguf_arr *a, uint64_t i, uint64_t *v)
{
	int64_t s;

	return arr_int(a, i, 0, UINT64_MAX, &s, v);
}

int tern_gguf_arr_f64(const struct tern_gguf_arr *a, uint64_t i, double *v)
{
	uint64_t b;

	if (i >= a->n)
		return TERN_GGUF_ERANGE;
	if (a->type == TERN_GGUF_F32) {
		*v = tern_f32_from_bits(tern_le32(a->data + 4 * i));
		return 0;
	}
	if (a->type != TERN_GGUF_F64)
		return TERN_GGUF_ETYPE;
	b = tern_le64(a->data + 8 * i);
	memcpy(v, &b, sizeof(*v));
	return 0;
}

int tern_gguf_arr_str(const struct tern_gguf_arr *a, uint64_t i, const char **s,
		      uint64_t *len)
{
	const uint8_t *p;

	if (i >= a->n)
		return TERN_GGUF_ERANGE;
	if (a->type != TERN_GGUF_STR)
		return TERN_GGUF_ETYPE;
	p = a->data + a->str_off[i];
	*len = tern_le64(p);
	*s = (const char *)p + 8;
	return 0;
}
