/*
 * test_gguf_fuzz: thousands of damaged GGUF files must fail cleanly, never crash.
 *
 * A few valid files come from the writer (every metadata type, every tensor type,
 * both origins, a custom alignment, a file without tensors). Each is mutated with
 * deterministic seeds: random byte flips, random truncation, and overwrites of the
 * header region with boundary values (0, 1, 2^31, 2^32 - 1, 2^63, 2^64 - 1, the file
 * size, ...), where length and count fields live. Every mutant is opened; a failure
 * must be a negative code with a one-line "gguf: " message, a success must survive
 * decoding every tensor and reading every metadata value. The sanitizer build of this
 * test turns any overread, leak or undefined behaviour into a failure.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_ternary.h"

#define ITERS_PER_FILE 10000

static uint64_t state;

static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static void ternary(int8_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w[i] = (int8_t)(rnd() % 3) - 1;
}

static uint8_t *finish(struct tern_gguf_writer *w, size_t *n)
{
	uint8_t *buf;
	char err[256];

	cr_assert_eq(tern_gguf_write_mem(w, &buf, n, err, sizeof(err)), 0, "%s", err);
	tern_gguf_writer_free(w);
	return buf;
}

/* Every metadata type and the upstream tensor types. */
static uint8_t *file_upstream(size_t *n)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	static const char *const toks[3] = { "<s>", "</s>", "hello" };
	static const float sc[3] = { 1, 2, 3 };
	static const int32_t ids[2] = { -1, 7 };
	const uint64_t ne2[2] = { 16, 2 }, ne1[1] = { 8 }, ne_t[2] = { 256, 2 };
	float f[32];
	int8_t q[512];

	for (int i = 0; i < 32; i++)
		f[i] = (float)i / 4.0f - 3.0f;
	ternary(q, 512);
	tern_gguf_add_str(w, "general.architecture", "bitnet");
	tern_gguf_add_u32(w, "bitnet.block_count", 1);
	tern_gguf_add_u8(w, "x.u8", 1);
	tern_gguf_add_i16(w, "x.i16", -3);
	tern_gguf_add_u64(w, "x.u64", 1ull << 40);
	tern_gguf_add_i64(w, "x.i64", -9);
	tern_gguf_add_f32(w, "bitnet.rope.freq_base", 500000.0f);
	tern_gguf_add_f64(w, "x.f64", 0.5);
	tern_gguf_add_bool(w, "x.bool", 1);
	tern_gguf_add_arr_str(w, "tokenizer.ggml.tokens", 3, toks);
	tern_gguf_add_arr(w, "tokenizer.ggml.scores", TERN_GGUF_F32, 3, sc);
	tern_gguf_add_arr(w, "x.ids", TERN_GGUF_I32, 2, ids);
	tern_gguf_add_tensor_f32(w, "token_embd.weight", TERN_GGML_F32, 2, ne2, f);
	tern_gguf_add_tensor_f32(w, "output_norm.weight", TERN_GGML_F16, 1, ne1, f);
	tern_gguf_add_tensor_f32(w, "blk.0.attn_norm.weight", TERN_GGML_BF16, 1, ne1, f);
	tern_gguf_add_tensor_ternary(w, "blk.0.attn_q.weight", TERN_GGML_TQ2_0, 2, ne_t, q, 0.5f);
	tern_gguf_add_tensor_ternary(w, "blk.0.attn_k.weight", TERN_GGML_TQ1_0, 1, ne_t, q, 0.5f);
	return finish(w, n);
}

static uint8_t *file_bitnet(size_t *n, int by_file_type)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	const uint64_t ne[2] = { 128, 2 }, ne1[1] = { 4 };
	const float f[4] = { 1, -1, 0.5f, 2 };
	int8_t q[256];

	ternary(q, 256);
	if (by_file_type) {
		tern_gguf_add_str(w, "general.architecture", "llama");
		tern_gguf_add_u32(w, "general.file_type", 40);
	} else {
		tern_gguf_add_str(w, "general.architecture", "bitnet-b1.58");
		tern_gguf_writer_set_alignment(w, 64);
	}
	tern_gguf_add_tensor_ternary(w, "blk.0.ffn_down.weight", TERN_GGML_I2_S, 2, ne, q, 0.25f);
	tern_gguf_add_tensor_f32(w, "blk.0.ffn_sub_norm.weight", TERN_GGML_F32, 1, ne1, f);
	tern_gguf_add_tensor_ternary(w, "blk.0.ffn_up.weight", TERN_GGML_I2_S, 1, ne, q, 0.25f);
	return finish(w, n);
}

static uint8_t *file_meta_only(size_t *n)
{
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	static const char *const merges[2] = { "a b", "c d" };

	tern_gguf_add_str(w, "general.name", "tiny");
	tern_gguf_add_arr_str(w, "tokenizer.ggml.merges", 2, merges);
	tern_gguf_add_i32(w, "x.i32", -2);
	return finish(w, n);
}

/* Use everything an opened file offers; nothing may crash. */
static void exercise(struct tern_gguf *g)
{
	char err[256];

	for (uint64_t i = 0; i < tern_gguf_n_kv(g); i++) {
		const struct tern_gguf_kv *kv = tern_gguf_kv_at(g, i);
		const struct tern_gguf_arr *a;
		const char *s;
		uint64_t len, u;
		int64_t v;
		double d;

		cr_assert_eq(tern_gguf_find_key(g, kv->key), kv);
		tern_gguf_get_u64(g, kv->key, &u);
		tern_gguf_get_i64(g, kv->key, &v);
		tern_gguf_get_f64(g, kv->key, &d);
		tern_gguf_get_str(g, kv->key, &s, &len);
		if (tern_gguf_get_arr(g, kv->key, &a))
			continue;
		for (uint64_t k = 0; k < a->n; k++) {
			tern_gguf_arr_i64(a, k, &v);
			tern_gguf_arr_f64(a, k, &d);
			if (!tern_gguf_arr_str(a, k, &s, &len) && len)
				cr_assert(s[0] || !s[0]); /* touch the first byte */
		}
	}
	for (uint64_t i = 0; i < tern_gguf_n_tensors(g); i++) {
		const struct tern_gguf_tensor *t = tern_gguf_tensor_at(g, i);
		int8_t *q = malloc(t->n_elem);
		float *f = malloc(t->n_elem * sizeof(*f)), scale;

		cr_assert(q && f);
		cr_assert_eq(tern_gguf_find_tensor(g, t->name), t);
		tern_gguf_tensor_ternary(g, t, q, &scale, err, sizeof(err));
		tern_gguf_tensor_f32(g, t, f, err, sizeof(err));
		free(q);
		free(f);
	}
}

static const uint64_t boundary[] = {
	0, 1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX,
	UINT64_MAX - 7,
};

static size_t mutate(uint8_t *b, size_t n, size_t header_end)
{
	size_t nb = sizeof(boundary) / sizeof(boundary[0]);
	unsigned int mode = (unsigned int)(rnd() % 5);
	size_t at = header_end ? (size_t)(rnd() % header_end) : 0;
	uint64_t v = boundary[rnd() % nb];

	if (rnd() % 4 == 0)
		v = rnd() % 8 == 0 ? n - at : rnd() % (2 * n);
	switch (mode) {
	case 0: /* byte flips anywhere */
		for (unsigned int k = 1 + rnd() % 4; k; k--)
			b[rnd() % n] ^= (uint8_t)(1 + rnd() % 255);
		return n;
	case 1: /* truncation */
		return (size_t)(rnd() % n);
	case 2: /* a 64-bit length/count/offset field */
		if (at + 8 <= n)
			tern_put64(b + at, v);
		return n;
	case 3: /* a 32-bit type/n_dims field */
		if (at + 4 <= n)
			tern_put32(b + at, (uint32_t)v);
		return n;
	default: /* flip inside the header, then maybe truncate */
		b[at] ^= (uint8_t)(1u << (rnd() % 8));
		return rnd() % 2 ? n : n - (size_t)(rnd() % (n - at));
	}
}

static void fuzz(const uint8_t *valid, size_t n, uint64_t seed, int *opened)
{
	struct tern_gguf *g;
	char err[512];
	size_t header_end;
	uint8_t *b = malloc(n);

	cr_assert_eq(tern_gguf_open_mem(valid, n, &g, err, sizeof(err)), 0, "%s", err);
	header_end = (size_t)tern_gguf_data_offset(g);
	exercise(g);
	tern_gguf_close(g);
	for (int it = 0; it < ITERS_PER_FILE; it++) {
		size_t m;
		int rc;

		state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)it * 0xbf58476d1ce4e5b9ull + 1;
		memcpy(b, valid, n);
		m = mutate(b, n, header_end);
		err[0] = 0;
		rc = tern_gguf_open_mem(b, m, &g, err, sizeof(err));
		if (rc == 0) {
			(*opened)++;
			exercise(g);
			tern_gguf_close(g);
			continue;
		}
		cr_assert(rc < 0 && !g, "seed %llu iter %d", (unsigned long long)seed, it);
		cr_assert(!strncmp(err, "gguf: ", 6) && !strchr(err, '\n'),
			  "seed %llu iter %d rc %d: '%s'", (unsigned long long)seed, it, rc, err);
	}
	free(b);
}

Test(fuzz, mutated_files_fail_cleanly)
{
	uint8_t *files[4];
	size_t sizes[4];
	int opened = 0;

	state = 12345;
	files[0] = file_upstream(&sizes[0]);
	files[1] = file_bitnet(&sizes[1], 0);
	files[2] = file_bitnet(&sizes[2], 1);
	files[3] = file_meta_only(&sizes[3]);
	for (int f = 0; f < 4; f++) {
		fuzz(files[f], sizes[f], (uint64_t)f + 1, &opened);
		free(files[f]);
	}
	/* byte flips in tensor data keep files valid: some mutants must open */
	cr_assert_gt(opened, 100, "only %d mutants opened", opened);
	cr_log_info("%d of %d mutants opened", opened, 4 * ITERS_PER_FILE);
}

Test(fuzz, every_truncation_and_single_byte_value)
{
	size_t n;
	uint8_t *valid, *b;
	struct tern_gguf *g;
	char err[512];

	state = 777;
	valid = file_bitnet(&n, 0);
	b = malloc(n);
	for (size_t m = 0; m < n; m++) {
		cr_assert_neq(tern_gguf_open_mem(valid, m, &g, err, sizeof(err)), 0, "len %zu", m);
		cr_assert(!strncmp(err, "gguf: ", 6));
	}
	/* every header byte set to 0x00, 0x80 and 0xff */
	cr_assert_eq(tern_gguf_open_mem(valid, n, &g, err, sizeof(err)), 0);
	size_t header_end = (size_t)tern_gguf_data_offset(g);

	tern_gguf_close(g);
	for (size_t at = 0; at < header_end; at++) {
		static const uint8_t vals[3] = { 0x00, 0x80, 0xff };

		for (int k = 0; k < 3; k++) {
			memcpy(b, valid, n);
			b[at] = vals[k];
			if (tern_gguf_open_mem(b, n, &g, err, sizeof(err)) == 0) {
				exercise(g);
				tern_gguf_close(g);
			} else {
				cr_assert(!strncmp(err, "gguf: ", 6), "at %zu: '%s'", at, err);
			}
		}
	}
	free(b);
	free(valid);
}
