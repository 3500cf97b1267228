/*
 * test_gguf: the GGUF reader and writer (codecs: test_gguf_codec.c).
 *
 * The writer and reader are checked by round trips of every metadata and tensor type.
 * Every validation rule has a hand-made byte-level file that breaks just that rule and
 * must give its error code and a message with the expected words. Random data uses a
 * fixed-seed xorshift so failures reproduce.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tern_gguf.h"
#include "tern_ternary.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void rnd_ternary(int8_t *w, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		w[i] = (int8_t)(rnd() % 3) - 1;
}


/* ---------------------------------------------------------------- helpers */

static struct tern_gguf *open_buf(const uint8_t *p, size_t n)
{
	struct tern_gguf *g;
	char err[256];
	int rc = tern_gguf_open_mem(p, n, &g, err, sizeof(err));

	cr_assert_eq(rc, 0, "open failed: %s", err);
	return g;
}

static struct tern_gguf *write_and_open(struct tern_gguf_writer *w)
{
	uint8_t *buf;
	size_t n;
	char err[256];
	struct tern_gguf *g;

	cr_assert_eq(tern_gguf_write_mem(w, &buf, &n, err, sizeof(err)), 0, "%s", err);
	g = open_buf(buf, n);
	free(buf);
	tern_gguf_writer_free(w);
	return g;
}

static void expect_fail(const uint8_t *p, size_t n, int code, const char *words)
{
	struct tern_gguf *g = NULL;
	char err[512] = "";
	int rc = tern_gguf_open_mem(p, n, &g, err, sizeof(err));

	cr_assert_eq(rc, code, "rc %d, want %d: %s", rc, code, err);
	cr_assert_null(g);
	cr_assert(strncmp(err, "gguf: ", 6) == 0, "message '%s'", err);
	cr_assert(strstr(err, words), "message '%s' lacks '%s'", err, words);
	cr_assert_null(strchr(err, '\n'));
}

/* ---------------------------------------------------------------- byte-level files */

struct bb {
	uint8_t p[16384];
	size_t n;
};

static void b_raw(struct bb *b, const void *s, size_t n)
{
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void b32(struct bb *b, uint32_t v)
{
	tern_put32(b->p + b->n, v);
	b->n += 4;
}

static void b64(struct bb *b, uint64_t v)
{
	tern_put64(b->p + b->n, v);
	b->n += 8;
}

static void bstr(struct bb *b, const char *s)
{
	b64(b, strlen(s));
	b_raw(b, s, strlen(s));
}

static void b_hdr(struct bb *b, uint32_t version, uint64_t n_t, uint64_t n_kv)
{
	b->n = 0;
	b_raw(b, "GGUF", 4);
	b32(b, version);
	b64(b, n_t);
	b64(b, n_kv);
}

static void b_kv_str(struct bb *b, const char *k, const char *v)
{
	bstr(b, k);
	b32(b, TERN_GGUF_STR);
	bstr(b, v);
}

static void b_kv_u32(struct bb *b, const char *k, uint32_t v)
{
	bstr(b, k);
	b32(b, TERN_GGUF_U32);
	b32(b, v);
}

struct tinfo {
	const char *name;
	uint32_t n_dims;
	uint64_t ne[4];
	uint32_t type;
	uint64_t off;
};

static void b_tinfo(struct bb *b, const struct tinfo *t)
{
	bstr(b, t->name);
	b32(b, t->n_dims);
	for (uint32_t d = 0; d < t->n_dims; d++)
		b64(b, d < 4 ? t->ne[d] : 1);
	b32(b, t->type);
	b64(b, t->off);
}

/* Pad to 32 and append data_bytes of 0x55 (code 1 = weight 0 for the 2-bit types). */
static void b_data(struct bb *b, size_t data_bytes)
{
	while (b->n % 32)
		b->p[b->n++] = 0;
	memset(b->p + b->n, 0x55, data_bytes);
	b->n += data_bytes;
}

/* One key (general.architecture) and the given tensors. */
static void b_file(struct bb *b, const char *arch, int n, const struct tinfo *t,
		   size_t data_bytes)
{
	b_hdr(b, 3, (uint64_t)n, 1);
	b_kv_str(b, "general.architecture", arch);
	for (int i = 0; i < n; i++)
		b_tinfo(b, &t[i]);
	b_data(b, data_bytes);
}

static const struct tinfo two_f32[2] = {
	{ "a", 1, { 8 }, TERN_GGML_F32, 0 },
	{ "b", 2, { 4, 2 }, TERN_GGML_F32, 32 },
};

Test(validate, tiny_valid_file_opens)
{
	struct bb b;
	struct tern_gguf *g;
	const struct tern_gguf_tensor *t;

	b_file(&b, "bitnet", 2, two_f32, 64);
	g = open_buf(b.p, b.n);
	cr_assert_eq(tern_gguf_version(g), 3);
	cr_assert_eq(tern_gguf_alignment(g), 32);
	cr_assert_eq(tern_gguf_data_offset(g) % 32, 0);
	cr_assert_eq(tern_gguf_n_tensors(g), 2);
	t = tern_gguf_find_tensor(g, "b");
	cr_assert(t && t->n_dims == 2 && t->ne[0] == 4 && t->ne[1] == 2 && t->ne[2] == 1);
	cr_assert(t->size == 32 && t->n_elem == 8 && t->offset == 32);
	cr_assert_null(tern_gguf_find_tensor(g, "c"));
	cr_assert_eq(tern_gguf_origin(g), TERN_GGUF_ORIGIN_UPSTREAM);
	tern_gguf_close(g);
}

Test(validate, bad_magic_and_versions)
{
	struct bb b;

	b_file(&b, "bitnet", 2, two_f32, 64);
	b.p[3] = 'X';
	expect_fail(b.p, b.n, TERN_GGUF_EMAGIC, "magic");
	expect_fail(b.p, 2, TERN_GGUF_EMAGIC, "magic");
	expect_fail(b.p, 0, TERN_GGUF_EMAGIC, "magic");
	b.p[3] = 'F';
	tern_put32(b.p + 4, 1);
	expect_fail(b.p, b.n, TERN_GGUF_EVERSION, "version 1");
	tern_put32(b.p + 4, 4);
	expect_fail(b.p, b.n, TERN_GGUF_EVERSION, "version 4");
	tern_put32(b.p + 4, 0x03000000);
	expect_fail(b.p, b.n, TERN_GGUF_EVERSION, "big-endian");
	tern_put32(b.p + 4, 2); /* v2 has the v3 layout */
	tern_gguf_close(open_buf(b.p, b.n));
}

Test(validate, truncated_at_every_offset)
{
	struct bb b;

	b_file(&b, "bitnet", 2, two_f32, 64);
	for (size_t n = 0; n < b.n; n++) {
		struct tern_gguf *g = NULL;
		char err[256] = "";
		int rc = tern_gguf_open_mem(b.p, n, &g, err, sizeof(err));

		cr_assert(rc < 0 && !g, "truncated at %zu opened", n);
		cr_assert(!strncmp(err, "gguf: ", 6), "at %zu: '%s'", n, err);
		if (n < 4)
			cr_assert_eq(rc, TERN_GGUF_EMAGIC);
		else
			cr_assert(rc == TERN_GGUF_ETRUNC || rc == TERN_GGUF_ELIMIT,
				  "at %zu rc %d: %s", n, rc, err);
	}
}

Test(validate, absurd_counts)
{
	struct bb b;

	b_file(&b, "bitnet", 2, two_f32, 64);
	tern_put64(b.p + 16, UINT64_MAX);
	expect_fail(b.p, b.n, TERN_GGUF_ELIMIT, "more than a");
	tern_put64(b.p + 16, 1);
	tern_put64(b.p + 8, 1ull << 40);
	expect_fail(b.p, b.n, TERN_GGUF_ELIMIT, "1099511627776 tensors");
}

Test(validate, lengths_past_end)
{
	struct bb b;

	b_file(&b, "bitnet", 2, two_f32, 64);
	tern_put64(b.p + 24, 1000); /* key length */
	expect_fail(b.p, b.n, TERN_GGUF_ETRUNC, "length 1000");
	b_file(&b, "bitnet", 2, two_f32, 64);
	tern_put64(b.p + 24 + 8 + 20 + 4, UINT64_MAX); /* string value length */
	expect_fail(b.p, b.n, TERN_GGUF_ETRUNC, "'general.architecture': string value length");

	b_hdr(&b, 3, 0, 1);
	bstr(&b, "k");
	b32(&b, TERN_GGUF_ARR);
	b32(&b, TERN_GGUF_U32);
	b64(&b, 1ull << 61);
	expect_fail(b.p, b.n, TERN_GGUF_ETRUNC, "array of 2305843009213693952 u32");
	b_hdr(&b, 3, 0, 1);
	bstr(&b, "k");
	b32(&b, TERN_GGUF_ARR);
	b32(&b, TERN_GGUF_STR);
	b64(&b, 1000);
	b64(&b, 0);
	expect_fail(b.p, b.n, TERN_GGUF_ELIMIT, "1000 strings");
	b_hdr(&b, 3, 0, 1);
	bstr(&b, "k");
	b32(&b, TERN_GGUF_ARR);
	b32(&b, TERN_GGUF_STR);
	b64(&b, 2);
	bstr(&b, "ok");
	b64(&b, 5);
	b_raw(&b, "abcdefghijklmnopq", 3);
	expect_fail(b.p, b.n, TERN_GGUF_ETRUNC, "string 1 of 2");
}

Test(validate, bad_values)
{
	struct bb b;

	b_hdr(&b, 3, 0, 1);
	bstr(&b, "k");
	b32(&b, 13);
	b32(&b, 0);
	expect_fail(b.p, b.n, TERN_GGUF_ETYPE, "unknown value type 13");
	b_hdr(&b, 3, 0, 1);
	bstr(&b, "nest");
	b32(&b, TERN_GGUF_ARR);
	b32(&b, TERN_GGUF_ARR);
	b64(&b, 0);
	b64(&b, 0);
	expect_fail(b.p, b.n, TERN_GGUF_EUNSUP, "nested arrays");
	b_hdr(&b, 3, 0, 1);
	bstr(&b, "flag");
	b32(&b, TERN_GGUF_BOOL);
	b.p[b.n++] = 2;
	b_raw(&b, "pad-pad-pad-pad", 14);
	expect_fail(b.p, b.n, TERN_GGUF_EINVAL, "bool value 2");
	b_hdr(&b, 3, 0, 1);
	bstr(&b, "");
	b32(&b, TERN_GGUF_U8);
	b_raw(&b, "pad-pad-pad-pad", 14);
	expect_fail(b.p, b.n, TERN_GGUF_EINVAL, "empty key");
	b_hdr(&b, 3, 0, 2);
	b_kv_u32(&b, "x.y", 1);
	b_kv_u32(&b, "x.y", 2);
	expect_fail(b.p, b.n, TERN_GGUF_EDUP, "duplicate key 'x.y'");
}

Test(validate, alignment_key)
{
	struct bb b;
	static const struct tinfo t64[2] = {
		{ "a", 1, { 8 }, TERN_GGML_F32, 0 },
		{ "b", 1, { 8 }, TERN_GGML_F32, 64 },
	};
	struct tern_gguf *g;

	b_hdr(&b, 3, 0, 1);
	b_kv_u32(&b, "general.alignment", 3);
	expect_fail(b.p, b.n, TERN_GGUF_EALIGN, "not a power of two");
	b_hdr(&b, 3, 0, 1);
	b_kv_str(&b, "general.alignment", "32");
	expect_fail(b.p, b.n, TERN_GGUF_EALIGN, "general.alignment");
	b_hdr(&b, 3, 2, 1);
	b_kv_u32(&b, "general.alignment", 64);
	b_tinfo(&b, &t64[0]);
	b_tinfo(&b, &t64[1]);
	while (b.n % 64)
		b.p[b.n++] = 0;
	b_data(&b, 96);
	g = open_buf(b.p, b.n);
	cr_assert_eq(tern_gguf_alignment(g), 64);
	cr_assert_eq(tern_gguf_data_offset(g) % 64, 0);
	tern_gguf_close(g);
}

static void tensor_case(const struct tinfo *t, int n, size_t data, const char *arch,
			int code, const char *words)
{
	struct bb b;

	b_file(&b, arch, n, t, data);
	expect_fail(b.p, b.n, code, words);
}

Test(validate, tensor_infos)
{
	struct tinfo t[2] = { two_f32[0], two_f32[1] };

	t[1].type = 200;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ETYPE, "tensor 'b' has unknown type 200");
	t[1] = two_f32[1];
	t[1].off = 4;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_EALIGN, "not a multiple of the alignment 32");
	t[1].off = 0;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_EOVERLAP, "overlap");
	t[0].ne[0] = 16; /* a covers [0, 64), b starts at 32 */
	t[1].off = 32;
	tensor_case(t, 2, 96, "bitnet", TERN_GGUF_EOVERLAP, "'a' [0, 64) and 'b' [32, 64)");
	t[0] = two_f32[0];
	t[1] = two_f32[1];
	t[1].ne[0] = 1ull << 32;
	t[1].ne[1] = 1ull << 32;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ESHAPE, "overflows");
	t[1].ne[0] = 0;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ESHAPE, "dim 0 is 0");
	t[1] = two_f32[1];
	t[1].n_dims = 5;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ESHAPE, "5 dims");
	t[1] = two_f32[1];
	t[1].name = "a";
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_EDUP, "duplicate tensor name 'a'");
	t[1].name = "0123456789012345678901234567890123456789012345678901234567890123";
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ELIMIT, "longer than 63");
	t[1] = two_f32[1];
	t[1].off = 1024;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ETRUNC,
		    "tensor 'b' data [1184, 1216) runs past end of file (size 224)");
	t[1].off = UINT64_MAX - 31;
	tensor_case(t, 2, 64, "bitnet", TERN_GGUF_ETRUNC, "runs past end of file");
}

Test(validate, block_rows_and_bitnet_types)
{
	struct tinfo t[1] = { { "blk.0.attn_q.weight", 2, { 100, 2 }, TERN_GGML_TQ2_0, 0 } };

	tensor_case(t, 1, 1024, "bitnet", TERN_GGUF_ESHAPE, "whole number of 256-element blocks");
	t[0].type = TERN_GGML_I2_S;
	t[0].ne[0] = 100;
	tensor_case(t, 1, 1024, "bitnet-b1.58", TERN_GGUF_ESHAPE, "not a multiple of 128");
	t[0].ne[0] = 256;
	tensor_case(t, 1, 1024, "bitnet", TERN_GGUF_EORIGIN, "no bitnet.cpp origin keys");
	t[0].type = 39;
	tensor_case(t, 1, 1024, "bitnet-b1.58", TERN_GGUF_EUNSUP, "(tl2)");
	t[0].type = 37;
	tensor_case(t, 1, 1024, "bitnet-b1.58", TERN_GGUF_EUNSUP, "(i8_s)");
	t[0].type = 36;
	tensor_case(t, 1, 1024, "bitnet", TERN_GGUF_EORIGIN, "I2_S");
	/* upstream reads 39 as mxfp4: 32-element blocks of 17 bytes */
	struct bb b;
	struct tern_gguf *g;

	t[0].type = 39;
	b_file(&b, "bitnet", 1, t, 256 * 2 / 32 * 17);
	g = open_buf(b.p, b.n);
	cr_assert_str_eq(tern_gguf_type_name(g, 39), "mxfp4");
	cr_assert_eq(tern_gguf_tensor_at(g, 0)->size, 272);
	tern_gguf_close(g);
}

Test(validate, files_on_disk)
{
	struct tern_gguf *g = NULL;
	char err[256];
	char path[] = "/tmp/tern_gguf_emptyXXXXXX";
	int fd = mkstemp(path);

	cr_assert_eq(tern_gguf_open("/nonexistent/x.gguf", &g, err, sizeof(err)), TERN_GGUF_EIO);
	cr_assert(strstr(err, "cannot read"));
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(tern_gguf_open(path, &g, err, sizeof(err)), TERN_GGUF_EIO);
	cr_assert(strstr(err, "empty file"), "%s", err);
	cr_assert_eq(tern_gguf_open("/tmp", &g, err, sizeof(err)), TERN_GGUF_EIO);
	unlink(path);
	cr_assert_null(g);
}

/* ---------------------------------------------------------------- round trips */

Test(roundtrip, every_metadata_type)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	static const uint8_t a_u8[3] = { 0, 7, 255 };
	static const int8_t a_i8[3] = { -128, 0, 127 };
	static const uint16_t a_u16[2] = { 0, 65535 };
	static const int16_t a_i16[2] = { -32768, 32767 };
	static const uint32_t a_u32[2] = { 1, 4294967295u };
	static const int32_t a_i32[2] = { INT32_MIN, INT32_MAX };
	static const uint64_t a_u64[2] = { 0, UINT64_MAX };
	static const int64_t a_i64[2] = { INT64_MIN, INT64_MAX };
	static const float a_f32[3] = { 1.5f, -0.0f, 1e-40f };
	static const double a_f64[2] = { 3.141592653589793, -1e300 };
	static const uint8_t a_bool[3] = { 1, 0, 1 };
	static const char *const a_str[4] = { "", "<s>", "h\xc3\xa9llo", "tok" };
	const struct tern_gguf_arr *a;
	struct tern_gguf *g;
	uint32_t u32;
	int32_t i32;
	uint64_t u64, len;
	int64_t i64;
	float f;
	double d;
	int bv;
	const char *s;

	tern_gguf_add_u8(w, "t.u8", 200);
	tern_gguf_add_i8(w, "t.i8", -100);
	tern_gguf_add_u16(w, "t.u16", 60000);
	tern_gguf_add_i16(w, "t.i16", -30000);
	tern_gguf_add_u32(w, "t.u32", 4000000000u);
	tern_gguf_add_i32(w, "t.i32", -5);
	tern_gguf_add_u64(w, "t.u64", UINT64_MAX);
	tern_gguf_add_i64(w, "t.i64", INT64_MIN);
	tern_gguf_add_f32(w, "t.f32", 500000.0f);
	tern_gguf_add_f64(w, "t.f64", 1e-5);
	tern_gguf_add_f64(w, "t.big", 1e300);
	tern_gguf_add_bool(w, "t.bool", 1);
	tern_gguf_add_str(w, "t.str", "bitnet-b1.58");
	tern_gguf_add_arr(w, "a.u8", TERN_GGUF_U8, 3, a_u8);
	tern_gguf_add_arr(w, "a.i8", TERN_GGUF_I8, 3, a_i8);
	tern_gguf_add_arr(w, "a.u16", TERN_GGUF_U16, 2, a_u16);
	tern_gguf_add_arr(w, "a.i16", TERN_GGUF_I16, 2, a_i16);
	tern_gguf_add_arr(w, "a.u32", TERN_GGUF_U32, 2, a_u32);
	tern_gguf_add_arr(w, "a.i32", TERN_GGUF_I32, 2, a_i32);
	tern_gguf_add_arr(w, "a.u64", TERN_GGUF_U64, 2, a_u64);
	tern_gguf_add_arr(w, "a.i64", TERN_GGUF_I64, 2, a_i64);
	tern_gguf_add_arr(w, "a.f32", TERN_GGUF_F32, 3, a_f32);
	tern_gguf_add_arr(w, "a.f64", TERN_GGUF_F64, 2, a_f64);
	tern_gguf_add_arr(w, "a.bool", TERN_GGUF_BOOL, 3, a_bool);
	tern_gguf_add_arr(w, "a.empty", TERN_GGUF_U32, 0, NULL);
	tern_gguf_add_arr_str(w, "a.str", 4, a_str);
	g = write_and_open(w);
	cr_assert_eq(tern_gguf_n_kv(g), 26);
	cr_assert_eq(tern_gguf_get_u32(g, "t.u8", &u32), 0);
	cr_assert_eq(u32, 200);
	cr_assert_eq(tern_gguf_get_i32(g, "t.i8", &i32), 0);
	cr_assert_eq(i32, -100);
	cr_assert(!tern_gguf_get_u32(g, "t.u16", &u32) && u32 == 60000);
	cr_assert(!tern_gguf_get_i64(g, "t.i16", &i64) && i64 == -30000);
	cr_assert(!tern_gguf_get_u32(g, "t.u32", &u32) && u32 == 4000000000u);
	cr_assert_eq(tern_gguf_get_i32(g, "t.u32", &i32), TERN_GGUF_ERANGE);
	cr_assert_eq(tern_gguf_get_u32(g, "t.i32", &u32), TERN_GGUF_ERANGE);
	cr_assert(!tern_gguf_get_i32(g, "t.i32", &i32) && i32 == -5);
	cr_assert(!tern_gguf_get_u64(g, "t.u64", &u64) && u64 == UINT64_MAX);
	cr_assert_eq(tern_gguf_get_u32(g, "t.u64", &u32), TERN_GGUF_ERANGE);
	cr_assert_eq(tern_gguf_get_i64(g, "t.u64", &i64), TERN_GGUF_ERANGE);
	cr_assert(!tern_gguf_get_i64(g, "t.i64", &i64) && i64 == INT64_MIN);
	cr_assert_eq(tern_gguf_get_u64(g, "t.i64", &u64), TERN_GGUF_ERANGE);
	cr_assert(!tern_gguf_get_f32(g, "t.f32", &f) && f == 500000.0f);
	cr_assert(!tern_gguf_get_f64(g, "t.f64", &d) && d == 1e-5);
	cr_assert(!tern_gguf_get_f32(g, "t.f64", &f) && f == 1e-5f);
	cr_assert_eq(tern_gguf_get_f32(g, "t.big", &f), TERN_GGUF_ERANGE);
	cr_assert_eq(tern_gguf_get_f32(g, "t.u32", &f), TERN_GGUF_ETYPE);
	cr_assert_eq(tern_gguf_get_u32(g, "t.f32", &u32), TERN_GGUF_ETYPE);
	cr_assert(!tern_gguf_get_bool(g, "t.bool", &bv) && bv == 1);
	cr_assert(!tern_gguf_get_str(g, "t.str", &s, &len) && len == 12);
	cr_assert_str_eq(s, "bitnet-b1.58");
	cr_assert_eq(tern_gguf_get_str(g, "t.u8", &s, &len), TERN_GGUF_ETYPE);
	cr_assert_eq(tern_gguf_get_u32(g, "missing", &u32), TERN_GGUF_ENOTFOUND);

	cr_assert(!tern_gguf_get_arr(g, "a.u8", &a) && a->type == TERN_GGUF_U8 && a->n == 3);
	for (int i = 0; i < 3; i++)
		cr_assert(!tern_gguf_arr_u64(a, i, &u64) && u64 == a_u8[i]);
	cr_assert_eq(tern_gguf_arr_u64(a, 3, &u64), TERN_GGUF_ERANGE);
	cr_assert(!tern_gguf_get_arr(g, "a.i8", &a));
	for (int i = 0; i < 3; i++)
		cr_assert(!tern_gguf_arr_i64(a, i, &i64) && i64 == a_i8[i]);
	cr_assert_eq(tern_gguf_arr_u64(a, 0, &u64), TERN_GGUF_ERANGE);
	cr_assert(!tern_gguf_get_arr(g, "a.u16", &a) && !tern_gguf_arr_u64(a, 1, &u64) &&
		  u64 == 65535);
	cr_assert(!tern_gguf_get_arr(g, "a.i16", &a) && !tern_gguf_arr_i64(a, 0, &i64) &&
		  i64 == -32768);
	cr_assert(!tern_gguf_get_arr(g, "a.u32", &a) && !tern_gguf_arr_u64(a, 1, &u64) &&
		  u64 == 4294967295u);
	cr_assert(!tern_gguf_get_arr(g, "a.i32", &a) && !tern_gguf_arr_i64(a, 0, &i64) &&
		  i64 == INT32_MIN);
	cr_assert(!tern_gguf_get_arr(g, "a.u64", &a) && !tern_gguf_arr_u64(a, 1, &u64) &&
		  u64 == UINT64_MAX);
	cr_assert_eq(tern_gguf_arr_i64(a, 1, &i64), TERN_GGUF_ERANGE);
	cr_assert(!tern_gguf_get_arr(g, "a.i64", &a) && !tern_gguf_arr_i64(a, 0, &i64) &&
		  i64 == INT64_MIN);
	cr_assert(!tern_gguf_get_arr(g, "a.f32", &a) && a->n == 3);
	for (int i = 0; i < 3; i++) {
		cr_assert(!tern_gguf_arr_f64(a, i, &d));
		cr_assert(d == a_f32[i] && !signbit(d) == !signbit(a_f32[i]));
	}
	cr_assert_eq(tern_gguf_arr_i64(a, 0, &i64), TERN_GGUF_ETYPE);
	cr_assert(!tern_gguf_get_arr(g, "a.f64", &a) && !tern_gguf_arr_f64(a, 1, &d) &&
		  d == -1e300);
	cr_assert(!tern_gguf_get_arr(g, "a.bool", &a) && a->type == TERN_GGUF_BOOL);
	for (int i = 0; i < 3; i++)
		cr_assert(!tern_gguf_arr_i64(a, i, &i64) && i64 == a_bool[i]);
	cr_assert(!tern_gguf_get_arr(g, "a.empty", &a) && a->n == 0);
	cr_assert(!tern_gguf_get_arr(g, "a.str", &a) && a->type == TERN_GGUF_STR && a->n == 4);
	for (int i = 0; i < 4; i++) {
		cr_assert(!tern_gguf_arr_str(a, i, &s, &len));
		cr_assert(len == strlen(a_str[i]) && !memcmp(s, a_str[i], len));
	}
	cr_assert_eq(tern_gguf_arr_f64(a, 0, &d), TERN_GGUF_ETYPE);
	cr_assert_eq(tern_gguf_get_arr(g, "t.u8", &a), TERN_GGUF_ETYPE);
	cr_assert_str_eq(tern_gguf_kv_at(g, 0)->key, "t.u8");
	tern_gguf_close(g);
}

static const uint64_t shape3[3] = { 512, 3, 2 };

Test(roundtrip, every_tensor_type)
{
	static const uint32_t tern_types[3] = { TERN_GGML_TQ1_0, TERN_GGML_TQ2_0, TERN_GGML_I2_S };
	static const char *const tern_names[3] = { "blk.0.ffn_up.weight", "blk.0.ffn_down.weight",
						   "blk.0.attn_q.weight" };
	enum { N = 512 * 3 * 2 };
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	int8_t *src[3], *back = malloc(N);
	float f[N], out[N], scale;
	const struct tern_gguf_tensor *t;
	struct tern_gguf *g;
	char err[256];

	for (int i = 0; i < N; i++) /* values exact in f16 and bf16 */
		f[i] = (float)((int)(rnd() % 512) - 256) / 64.0f;
	tern_gguf_add_str(w, "general.architecture", "bitnet-b1.58");
	tern_gguf_add_tensor_f32(w, "token_embd.weight", TERN_GGML_F32, 3, shape3, f);
	tern_gguf_add_tensor_f32(w, "output_norm.weight", TERN_GGML_F16, 3, shape3, f);
	tern_gguf_add_tensor_f32(w, "output.weight", TERN_GGML_BF16, 3, shape3, f);
	for (int k = 0; k < 3; k++) {
		src[k] = malloc(N);
		rnd_ternary(src[k], N);
		tern_gguf_add_tensor_ternary(w, tern_names[k], tern_types[k], 3, shape3, src[k],
					     0.25f * (float)(k + 1));
	}
	g = write_and_open(w);
	cr_assert_eq(tern_gguf_origin(g), TERN_GGUF_ORIGIN_BITNET_CPP);
	cr_assert_eq(tern_gguf_n_tensors(g), 6);
	for (int k = 0; k < 3; k++) {
		t = tern_gguf_tensor_at(g, (uint64_t)k);
		cr_assert_eq(t->n_elem, N);
		cr_assert_eq(tern_gguf_tensor_f32(g, t, out, err, sizeof(err)), 0, "%s", err);
		cr_assert_arr_eq(out, f, sizeof(f));
		cr_assert_eq(tern_gguf_tensor_ternary(g, t, back, &scale, err, sizeof(err)),
			     TERN_GGUF_ETYPE);
		cr_assert(strstr(err, "not a ternary type"));
	}
	for (int k = 0; k < 3; k++) {
		t = tern_gguf_find_tensor(g, tern_names[k]);
		cr_assert(t && t->type == tern_types[k]);
		cr_assert_eq((uintptr_t)(t->data - (const uint8_t *)tern_gguf_tensor_at(g, 0)->data)
			     % 32, 0);
		cr_assert_eq(tern_gguf_tensor_ternary(g, t, back, &scale, err, sizeof(err)), 0,
			     "%s", err);
		cr_assert_arr_eq(back, src[k], N);
		cr_assert_eq(scale, 0.25f * (float)(k + 1));
		cr_assert_eq(tern_gguf_tensor_f32(g, t, out, err, sizeof(err)), TERN_GGUF_ETYPE);
		free(src[k]);
	}
	cr_assert_eq(tern_gguf_find_tensor(g, tern_names[0])->size, N / 256 * 54);
	cr_assert_eq(tern_gguf_find_tensor(g, tern_names[1])->size, N / 256 * 66);
	cr_assert_eq(tern_gguf_find_tensor(g, tern_names[2])->size, N / 4 + 32);
	cr_assert_str_eq(tern_gguf_type_name(g, 36), "i2_s");
	free(back);
	tern_gguf_close(g);
}

Test(roundtrip, atomic_file_and_custom_alignment)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	char path[] = "/tmp/tern_gguf_rtXXXXXX";
	int fd = mkstemp(path);
	int8_t src[256], back[256];
	float scale;
	struct tern_gguf *g;
	char err[256];
	const uint64_t ne[1] = { 256 };

	cr_assert(fd >= 0);
	close(fd);
	rnd_ternary(src, 256);
	tern_gguf_writer_set_alignment(w, 128);
	tern_gguf_add_str(w, "general.architecture", "bitnet");
	tern_gguf_add_tensor_ternary(w, "a", TERN_GGML_TQ2_0, 1, ne, src, 1.0f);
	tern_gguf_add_tensor_ternary(w, "b", TERN_GGML_TQ1_0, 1, ne, src, 1.0f);
	cr_assert_eq(tern_gguf_write_file(w, path, err, sizeof(err)), 0, "%s", err);
	tern_gguf_writer_free(w);
	cr_assert_eq(tern_gguf_open(path, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_gguf_alignment(g), 128);
	cr_assert_eq(tern_gguf_data_offset(g) % 128, 0);
	cr_assert_eq(tern_gguf_find_tensor(g, "b")->offset, 128);
	cr_assert_eq(tern_gguf_tensor_ternary(g, tern_gguf_find_tensor(g, "b"), back, &scale,
					      err, sizeof(err)), 0);
	cr_assert_arr_eq(back, src, 256);
	tern_gguf_close(g);
	unlink(path);
	w = tern_gguf_writer_new();
	cr_assert_eq(tern_gguf_write_file(w, "/nonexistent-dir/x.gguf", err, sizeof(err)),
		     TERN_GGUF_EIO);
	tern_gguf_writer_free(w);
}

/* ---------------------------------------------------------------- scales, origin */

static uint8_t *tq_file(uint32_t type, const int8_t *src, size_t *n)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	const uint64_t ne[2] = { 256, 4 };
	uint8_t *buf;
	char err[256];

	tern_gguf_add_str(w, "general.architecture", "bitnet");
	tern_gguf_add_tensor_ternary(w, "blk.3.attn_q.weight", type, 2, ne, src, 0.5f);
	cr_assert_eq(tern_gguf_write_mem(w, &buf, n, err, sizeof(err)), 0);
	tern_gguf_writer_free(w);
	return buf;
}

Test(scales, differing_block_scales_refused)
{
	static const uint32_t types[2] = { TERN_GGML_TQ1_0, TERN_GGML_TQ2_0 };

	for (int k = 0; k < 2; k++) {
		unsigned int bb = k ? 66 : 54;
		int8_t src[1024], back[1024];
		size_t n;
		uint8_t *buf;
		struct tern_gguf *g;
		const struct tern_gguf_tensor *t;
		float scale;
		char err[512];

		rnd_ternary(src, 1024);
		memset(src + 512, 0, 256); /* block 2 is all zero */
		buf = tq_file(types[k], src, &n);
		g = open_buf(buf, n);
		t = tern_gguf_tensor_at(g, 0);
		/* an all-zero block may carry any d (ggml writes 0 there) */
		tern_put16(buf + tern_gguf_data_offset(g) + 2 * bb + bb - 2, 0x0000);
		tern_gguf_close(g);
		g = open_buf(buf, n);
		t = tern_gguf_tensor_at(g, 0);
		cr_assert_eq(tern_gguf_tensor_ternary(g, t, back, &scale, err, sizeof(err)), 0,
			     "%s", err);
		cr_assert_arr_eq(back, src, 1024);
		cr_assert_eq(scale, 0.5f);
		tern_gguf_close(g);
		/* block 1 (non-zero) gets a different d */
		g = open_buf(buf, n);
		buf[tern_gguf_data_offset(g) + 2 * bb - 2] ^= 1;
		tern_gguf_close(g);
		g = open_buf(buf, n);
		t = tern_gguf_tensor_at(g, 0);
		cr_assert_eq(tern_gguf_tensor_ternary(g, t, back, &scale, err, sizeof(err)),
			     TERN_GGUF_ESCALE);
		cr_assert(strstr(err, "'blk.3.attn_q.weight' block 1") &&
			  strstr(err, "one scale per tensor"), "%s", err);
		tern_gguf_close(g);
		free(buf);
	}
}

Test(scales, bad_codes_and_scales)
{
	int8_t src[1024], back[1024];
	size_t n;
	uint8_t *buf;
	struct tern_gguf *g;
	float scale;
	char err[512];
	uint64_t off;

	rnd_ternary(src, 1024);
	buf = tq_file(TERN_GGML_TQ2_0, src, &n);
	g = open_buf(buf, n);
	off = tern_gguf_data_offset(g);
	tern_gguf_close(g);
	buf[off + 66 + 5] = 0xff; /* block 1, byte 5: weight 256 + 5 has code 3 */
	g = open_buf(buf, n);
	cr_assert_eq(tern_gguf_tensor_ternary(g, tern_gguf_tensor_at(g, 0), back, &scale, err,
					      sizeof(err)), TERN_GGUF_EINVAL);
	cr_assert(strstr(err, "weight 261 has 2-bit code 3"), "%s", err);
	tern_gguf_close(g);
	free(buf);
	buf = tq_file(TERN_GGML_TQ1_0, src, &n);
	g = open_buf(buf, n);
	off = tern_gguf_data_offset(g);
	tern_gguf_close(g);
	for (int b = 0; b < 4; b++)
		tern_put16(buf + off + (size_t)b * 54 + 52, 0x7c00);
	g = open_buf(buf, n);
	cr_assert_eq(tern_gguf_tensor_ternary(g, tern_gguf_tensor_at(g, 0), back, &scale, err,
					      sizeof(err)), TERN_GGUF_ESCALE);
	cr_assert(strstr(err, "not finite"), "%s", err);
	tern_gguf_close(g);
	free(buf);
}

static int open_i2s(const char *arch, int file_type, int patch, char *err, size_t errlen,
		    struct tern_gguf **g)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	const uint64_t ne[2] = { 128, 3 };
	int8_t src[384];
	uint8_t *buf, *hit;
	size_t n;
	int rc;

	rnd_ternary(src, 384);
	tern_gguf_add_str(w, "general.architecture", arch);
	if (file_type >= 0)
		tern_gguf_add_u32(w, "general.file_type", (uint32_t)file_type);
	tern_gguf_add_tensor_ternary(w, "blk.0.ffn_gate.weight", TERN_GGML_I2_S, 2, ne, src,
				     0.125f);
	rc = tern_gguf_write_mem(w, &buf, &n, err, errlen);
	tern_gguf_writer_free(w);
	if (rc)
		return rc;
	/* patch "bitnet-b1.58" into a same-length name no loader knows */
	for (size_t i = 0; patch && i + 12 <= n; i++) {
		hit = buf + i;
		if (!memcmp(hit, "bitnet-b1.58", 12))
			hit[7] = 'x';
	}
	rc = tern_gguf_open_mem(buf, n, g, err, errlen);
	free(buf);
	return rc;
}

Test(origin, i2s_needs_bitnet_cpp_keys)
{
	struct tern_gguf *g;
	char err[512];
	int8_t back[384];
	float scale;

	cr_assert_eq(open_i2s("bitnet-b1.58", -1, 0, err, sizeof(err), &g), 0, "%s", err);
	cr_assert_eq(tern_gguf_origin(g), TERN_GGUF_ORIGIN_BITNET_CPP);
	cr_assert_str_eq(tern_gguf_origin_name(tern_gguf_origin(g)), "bitnet.cpp");
	cr_assert_eq(tern_gguf_tensor_ternary(g, tern_gguf_tensor_at(g, 0), back, &scale, err,
					      sizeof(err)), 0);
	cr_assert_eq(scale, 0.125f);
	tern_gguf_close(g);
	/* older bitnet.cpp conversions: arch "bitnet"/"llama", file type 40 + id 36 */
	cr_assert_eq(open_i2s("llama", 40, 0, err, sizeof(err), &g), 0, "%s", err);
	cr_assert_eq(tern_gguf_origin(g), TERN_GGUF_ORIGIN_BITNET_CPP);
	tern_gguf_close(g);
	/* the same bytes without the keys: id 36 alone proves nothing */
	cr_assert_eq(open_i2s("bitnet-b1.58", -1, 1, err, sizeof(err), &g), TERN_GGUF_EORIGIN);
	cr_assert(strstr(err, "no bitnet.cpp origin keys"), "%s", err);
	cr_assert_eq(open_i2s("bitnet", 7, 0, err, sizeof(err), &g), TERN_GGUF_EORIGIN);
	cr_assert(strstr(err, "i2_s"), "%s", err);
}

Test(origin, upstream_by_default)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	int8_t src[256] = { 0 };
	const uint64_t ne[1] = { 256 };
	struct tern_gguf *g;

	tern_gguf_add_str(w, "general.architecture", "bitnet");
	tern_gguf_add_u32(w, "general.file_type", 40); /* upstream Q1_0 reuses 40 */
	tern_gguf_add_tensor_ternary(w, "x", TERN_GGML_TQ2_0, 1, ne, src, 1.0f);
	g = write_and_open(w);
	cr_assert_eq(tern_gguf_origin(g), TERN_GGUF_ORIGIN_UPSTREAM);
	cr_assert_str_eq(tern_gguf_type_name(g, 36), "unknown");
	tern_gguf_close(g);
}

/* ---------------------------------------------------------------- writer errors */

Test(writer, refuses_bad_input_and_keeps_first_error)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	int8_t src[256] = { 0 };
	const uint64_t ne[1] = { 256 }, bad_ne[1] = { 100 };
	uint8_t *buf;
	size_t n;
	char err[256];

	src[17] = 2;
	cr_assert_eq(tern_gguf_add_tensor_ternary(w, "x", TERN_GGML_TQ2_0, 1, ne, src, 1.0f),
		     TERN_GGUF_EINVAL);
	cr_assert_eq(tern_gguf_add_u32(w, "k", 1), TERN_GGUF_EINVAL); /* sticky */
	cr_assert_eq(tern_gguf_write_mem(w, &buf, &n, err, sizeof(err)), TERN_GGUF_EINVAL);
	cr_assert(strstr(err, "weight 17 is 2"), "%s", err);
	tern_gguf_writer_free(w);

	w = tern_gguf_writer_new();
	tern_gguf_add_u32(w, "k", 1);
	cr_assert_eq(tern_gguf_add_u32(w, "k", 2), TERN_GGUF_EDUP);
	tern_gguf_writer_free(w);
	w = tern_gguf_writer_new();
	cr_assert_eq(tern_gguf_add_tensor_ternary(w, "x", TERN_GGML_TQ1_0, 1, bad_ne, src,
						  1.0f), TERN_GGUF_ESHAPE);
	tern_gguf_writer_free(w);
	w = tern_gguf_writer_new();
	src[17] = 1;
	cr_assert_eq(tern_gguf_add_tensor_ternary(w, "x", TERN_GGML_TQ1_0, 1, ne, src,
						  1e6f), TERN_GGUF_ESCALE);
	tern_gguf_writer_free(w);
	w = tern_gguf_writer_new();
	cr_assert_eq(tern_gguf_add_tensor(w, "x", TERN_GGML_F32, 1, ne, src, 10),
		     TERN_GGUF_ESHAPE);
	tern_gguf_writer_free(w);
	w = tern_gguf_writer_new();
	cr_assert_eq(tern_gguf_writer_set_alignment(w, 48), TERN_GGUF_EALIGN);
	tern_gguf_writer_free(w);
	w = tern_gguf_writer_new();
	cr_assert_eq(tern_gguf_add_arr(w, "k", TERN_GGUF_ARR, 0, NULL), TERN_GGUF_EINVAL);
	tern_gguf_writer_free(w);
}
