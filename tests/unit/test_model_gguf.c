/*
 * GGUF models: a zoo model exported as TQ2_0, TQ1_0 and I2_S loads back with the very
 * same tensors; files built by hand check the loader's decisions (activation inferred
 * from the architecture when the key is missing) and its one-line refusals.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tern_gguf.h"
#include "tern_model.h"
#include "tern_ternary.h"
#include "tern_wcache.h"

static struct tern_model *tiny(void)
{
	struct tern_model *m = NULL;
	char err[256];

	cr_assert_eq(tern_zoo_open("tiny", &m, err, sizeof(err)), 0, "%s", err);
	return m;
}

static void tmp_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/tern_test_model_%d_%s.gguf", (int)getpid(), tag);
}

static void same_tensors(struct tern_model *a, struct tern_model *b)
{
	const struct tern_model_config *c = &a->cfg;
	uint32_t l, i, rows, k;
	int8_t *wa = malloc(c->n_ff * c->n_embd), *wb = malloc(c->n_ff * c->n_embd);
	float sa, sb, *fa = malloc(c->n_ff * 4), *fb = malloc(c->n_ff * 4);
	char err[256];

	for (l = 0; l < c->n_layer; l++)
		for (i = 0; i < TERN_LIN_COUNT; i++) {
			tern_lin_shape(c, i, &rows, &k);
			cr_assert_eq(a->ops->linear(a, l, i, wa, &sa, err, sizeof(err)), 0);
			cr_assert_eq(b->ops->linear(b, l, i, wb, &sb, err, sizeof(err)), 0, "%s", err);
			cr_expect(!memcmp(wa, wb, (size_t)rows * k) && sa == sb,
				  "layer %u tensor %u differs (scale %g vs %g)", l, i, sa, sb);
		}
	cr_assert_eq(b->ops->norm(b, 0, TERN_NORM_FFN_SUB, fb, err, sizeof(err)), 0, "%s", err);
	a->ops->norm(a, 0, TERN_NORM_FFN_SUB, fa, err, sizeof(err));
	cr_expect(!memcmp(fa, fb, c->n_ff * 4));
	a->ops->embd_row(a, 511, fa, err, sizeof(err));
	b->ops->embd_row(b, 511, fb, err, sizeof(err));
	cr_expect(!memcmp(fa, fb, c->n_embd * 4));
	free(wa);
	free(wb);
	free(fa);
	free(fb);
}

static void roundtrip(uint32_t wtype, const char *tag)
{
	struct tern_model *z = tiny(), *g = NULL;
	char path[128], err[512];

	tmp_path(path, sizeof(path), tag);
	cr_assert_eq(tern_model_export_gguf(z, path, wtype, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_model_open_gguf(path, &g, err, sizeof(err)), 0, "%s", err);
	cr_expect(!memcmp(&z->cfg.n_embd, &g->cfg.n_embd,
			  sizeof(z->cfg) - offsetof(struct tern_model_config, n_embd)),
		  "config differs after the round trip");
	same_tensors(z, g);
	tern_model_free(g);
	tern_model_free(z);
	unlink(path);
}

Test(model_gguf, roundtrip_tq2_0) { roundtrip(TERN_GGML_TQ2_0, "tq2"); }
Test(model_gguf, roundtrip_tq1_0) { roundtrip(TERN_GGML_TQ1_0, "tq1"); }
Test(model_gguf, roundtrip_i2_s) { roundtrip(TERN_GGML_I2_S, "i2s"); }

/* A one-layer file by hand: arch, optional activation key, one tensor left out. */
/* Byte-level (gpt2) token text of byte b: printable bytes are themselves, the 68 others
 * U+0100 + their rank, as UTF-8. */
static void gpt2_piece(int b, char *out)
{
	int i, n = 0;

	if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) {
		if (b < 128) {
			out[0] = (char)b, out[1] = 0;
		} else {
			out[0] = (char)(0xc0 | b >> 6), out[1] = (char)(0x80 | (b & 0x3f)), out[2] = 0;
		}
		return;
	}
	for (i = 0; i < b; i++)
		n += !((i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174 && i <= 255));
	out[0] = (char)(0xc0 | (256 + n) >> 6);
	out[1] = (char)(0x80 | ((256 + n) & 0x3f));
	out[2] = 0;
}

static void add_vocab(struct tern_gguf_writer *w, uint32_t n)
{
	char **s = calloc(n, sizeof(char *));
	int32_t *ty = calloc(n, sizeof(int32_t));
	uint32_t i;

	for (i = 0; i < n; i++) {
		s[i] = calloc(1, 16);
		ty[i] = 1;
		if (i < 256)
			gpt2_piece((int)i, s[i]);
		else
			snprintf(s[i], 16, "tok%u", i);
	}
	snprintf(s[256], 16, "\xc4\xa0world"); /* U+0120 = byte-level space */
	snprintf(s[257], 16, "<|eot|>");
	ty[257] = 3;
	tern_gguf_add_str(w, "tokenizer.ggml.model", "gpt2");
	tern_gguf_add_arr_str(w, "tokenizer.ggml.tokens", n, (const char *const *)s);
	tern_gguf_add_arr(w, "tokenizer.ggml.token_type", TERN_GGUF_I32, n, ty);
	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
	free(ty);
}

static int with_vocab;
static uint32_t embd_type = TERN_GGML_F32; /* how write_custom stores token_embd */

static void write_custom(const char *path, const char *arch, const char *act, const char *skip)
{
	struct tern_model *z = tiny();
	const struct tern_model_config *c = &z->cfg;
	struct tern_gguf_writer *w = tern_gguf_writer_new();
	uint64_t ne[2];
	uint32_t i, rows, k;
	int8_t *wb = malloc(c->n_ff * c->n_embd);
	float s, *fb = malloc((size_t)c->n_vocab * c->n_embd * 4);
	char name[80], key[96], err[256];

#define KEY(x) (snprintf(key, sizeof(key), "%s.%s", arch, x), key)
	tern_gguf_add_str(w, "general.architecture", arch);
	tern_gguf_add_u32(w, KEY("embedding_length"), c->n_embd);
	tern_gguf_add_u32(w, KEY("block_count"), 1);
	tern_gguf_add_u32(w, KEY("feed_forward_length"), c->n_ff);
	tern_gguf_add_u32(w, KEY("attention.head_count"), c->n_head);
	tern_gguf_add_u32(w, KEY("attention.head_count_kv"), c->n_head_kv);
	tern_gguf_add_f32(w, KEY("attention.layer_norm_rms_epsilon"), 1e-5f);
	if (act)
		tern_gguf_add_str(w, KEY("hidden_activation"), act);
	if (with_vocab)
		add_vocab(w, c->n_vocab);
	for (i = 0; i < c->n_vocab; i++)
		z->ops->embd_row(z, i, fb + (size_t)i * c->n_embd, err, sizeof(err));
	ne[0] = c->n_embd;
	ne[1] = c->n_vocab;
	tern_gguf_add_tensor_f32(w, "token_embd.weight", embd_type, 2, ne, fb);
	for (i = 0; i < TERN_LIN_COUNT; i++) {
		tern_lin_shape(c, i, &rows, &k);
		z->ops->linear(z, 0, i, wb, &s, err, sizeof(err));
		snprintf(name, sizeof(name), "%s.weight", tern_lin_name(0, i, key, sizeof(key)));
		ne[0] = k;
		ne[1] = rows;
		if (strcmp(name, skip))
			tern_gguf_add_tensor_ternary(w, name, TERN_GGML_TQ2_0, 2, ne, wb, s);
	}
	for (i = 0; i < TERN_NORM_COUNT; i++) {
		ne[0] = tern_norm_len(c, i);
		snprintf(name, sizeof(name), "%s.weight", tern_norm_name(0, i, key, sizeof(key)));
		if (strcmp(name, skip))
			tern_gguf_add_tensor_f32(w, name, TERN_GGML_F32, 1, ne, fb);
	}
	cr_assert_eq(tern_gguf_write_file(w, path, err, sizeof(err)), 0, "%s", err);
	tern_gguf_writer_free(w);
	free(wb);
	free(fb);
	tern_model_free(z);
}

static int open_custom(const char *arch, const char *act, const char *skip,
		       struct tern_model **m, char *err, size_t errlen)
{
	char path[128];
	int rc;

	tmp_path(path, sizeof(path), "custom");
	write_custom(path, arch, act, skip);
	rc = tern_model_open_gguf(path, m, err, errlen);
	unlink(path);
	return rc;
}

Test(model_gguf, activation_inferred_from_arch)
{
	struct tern_model *m = NULL;
	char err[512];

	cr_assert_eq(open_custom("bitnet-b1.58", NULL, "", &m, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(m->cfg.act, TERN_ACT_RELU2, "b1.58 without the key must be ReLU^2");
	tern_model_free(m);
	cr_assert_eq(open_custom("bitnet", NULL, "", &m, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(m->cfg.act, TERN_ACT_SILU);
	tern_model_free(m);
	cr_assert_eq(open_custom("bitnet", "relu2", "", &m, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(m->cfg.act, TERN_ACT_RELU2, "an explicit key wins");
	tern_model_free(m);
}

/*
 * A 16-bit embedding (F16, BF16) is copied into the resident form as stored
 * (ops->embd_row16); the logits must be the bits of the generic path, which probes the
 * narrowest exact type from embd_row's floats. The same file through both: the second
 * model's ops lack embd_row16.
 */
static void embd16_same_logits(uint32_t type, int want_bf16)
{
	struct tern_model *a = NULL, *b = NULL;
	struct tern_model_ops ops;
	const struct tern_model_ops *orig;
	float *h, *la, *lb, *fa;
	const float *hp[1];
	float *oa[1], *ob[1];
	uint16_t *raw;
	uint32_t i, v;
	int bf16 = -1;
	char path[128], err[512];

	embd_type = type;
	tmp_path(path, sizeof(path), "embd16");
	write_custom(path, "bitnet-b1.58", NULL, "");
	embd_type = TERN_GGML_F32;
	cr_assert_eq(tern_model_open_gguf(path, &a, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_model_open_gguf(path, &b, err, sizeof(err)), 0, "%s", err);
	unlink(path);
	h = malloc(a->cfg.n_embd * sizeof(*h));
	hp[0] = h;
	orig = b->ops;
	ops = *orig;
	ops.embd_row16 = NULL;
	b->ops = &ops;
	/* the raw values are the floats embd_row decodes */
	raw = malloc(a->cfg.n_embd * sizeof(*raw));
	fa = malloc(a->cfg.n_embd * sizeof(*fa));
	for (v = 0; v < a->cfg.n_vocab; v += 97) {
		cr_assert_eq(a->ops->embd_row16(a, v, raw, &bf16), 0);
		cr_assert_eq(a->ops->embd_row(a, v, fa, err, sizeof(err)), 0);
		for (i = 0; i < a->cfg.n_embd; i++) {
			float f = bf16 ? tern_bf16_to_f32(raw[i]) : tern_f16_to_f32(raw[i]);

			cr_expect(!memcmp(&f, &fa[i], sizeof(f)), "row %u element %u", v, i);
		}
	}
	cr_expect_eq(bf16, want_bf16);
	for (i = 0; i < a->cfg.n_embd; i++)
		h[i] = (float)((int)(i * 37 % 19) - 9) / 7.0f;
	la = malloc((size_t)a->cfg.n_vocab * sizeof(float));
	lb = malloc((size_t)a->cfg.n_vocab * sizeof(float));
	oa[0] = la;
	ob[0] = lb;
	cr_assert_eq(tern_wcache_logits(a, hp, oa, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_wcache_logits(b, hp, ob, 1, err, sizeof(err)), 0, "%s", err);
	cr_expect(!memcmp(la, lb, (size_t)a->cfg.n_vocab * sizeof(float)),
		  "logits from the stored 16-bit rows differ from the probed copy");
	/* with the copy loaded, the forward pass's token rows come from it: the same floats */
	for (v = 0; v < a->cfg.n_vocab; v += 61) {
		float *fb = lb; /* n_vocab >= n_embd floats of scratch */

		cr_assert_eq(tern_wcache_embd_row(a, v, fb, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(a->ops->embd_row(a, v, fa, err, sizeof(err)), 0);
		cr_expect(!memcmp(fa, fb, a->cfg.n_embd * sizeof(float)), "row %u from the copy", v);
	}
	free(raw);
	free(fa);
	free(h);
	free(la);
	free(lb);
	tern_model_free(a);
	b->ops = orig;
	tern_model_free(b);
}

Test(model_gguf, embedding_f16_stored_copy) { embd16_same_logits(TERN_GGML_F16, 0); }
Test(model_gguf, embedding_bf16_stored_copy) { embd16_same_logits(TERN_GGML_BF16, 1); }

Test(model_gguf, refusals_name_the_problem)
{
	struct tern_model *m = NULL;
	char err[512];

	cr_expect_neq(open_custom("llama", NULL, "", &m, err, sizeof(err)), 0);
	cr_expect(strstr(err, "unknown architecture 'llama'") != NULL, "%s", err);
	cr_expect_neq(open_custom("bitnet", NULL, "blk.0.ffn_up.weight", &m, err, sizeof(err)), 0);
	cr_expect(strstr(err, "blk.0.ffn_up.weight is missing") != NULL, "%s", err);
	cr_expect_neq(open_custom("bitnet", NULL, "blk.0.attn_sub_norm.weight", &m, err,
				  sizeof(err)), 0);
	cr_expect(strstr(err, "attn_sub_norm") != NULL, "%s", err);
	cr_expect_neq(open_custom("bitnet", "gelu", "", &m, err, sizeof(err)), 0);
	cr_expect(strstr(err, "unknown activation 'gelu'") != NULL, "%s", err);
	cr_expect_neq(tern_model_open_gguf("/nonexistent/x.gguf", &m, err, sizeof(err)), 0);
	cr_expect(strchr(err, '\n') == NULL);
}

Test(model_gguf, byte_level_vocabulary)
{
	struct tern_model *m = NULL;
	char err[512], buf[64];
	uint32_t ids[8];

	with_vocab = 1;
	cr_assert_eq(open_custom("bitnet-b1.58", NULL, "", &m, err, sizeof(err)), 0, "%s", err);
	with_vocab = 0;
	cr_assert(m->vocab != NULL);
	tern_vocab_decode(m->vocab, 'a', buf, sizeof(buf));
	cr_expect_str_eq(buf, "a");
	tern_vocab_decode(m->vocab, 10, buf, sizeof(buf)); /* newline lives at U+010A */
	cr_expect_str_eq(buf, "\n");
	tern_vocab_decode(m->vocab, 0xe9, buf, sizeof(buf)); /* a raw Latin-1 byte */
	cr_expect(buf[0] == (char)0xe9 && buf[1] == 0);
	tern_vocab_decode(m->vocab, 256, buf, sizeof(buf));
	cr_expect_str_eq(buf, " world");
	tern_vocab_decode(m->vocab, 257, buf, sizeof(buf)); /* control: nothing */
	cr_expect_str_eq(buf, "");
	cr_assert_eq(tern_vocab_encode(m->vocab, "a world\n", ids, 8, err, sizeof(err)), 3, "%s", err);
	cr_expect(ids[0] == 'a' && ids[1] == 256 && ids[2] == 10);
	tern_model_free(m);
}
