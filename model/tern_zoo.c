/*
 * Model zoo: BitNet-family models in their real shapes with seeded random weights.
 *
 * Nothing is stored. Every tensor is generated when the forward pass asks for it,
 * from a splitmix64 stream seeded with (model seed, tensor name), and an embedding
 * row from (seed, "token_embd", row): the 2B-4T embedding alone would be 1.3 GB of
 * floats, but a run only ever holds one row. Regenerating costs about one cheap
 * random draw per four weights, far below the matmul itself.
 *
 * Scales are chosen so a BitLinear keeps unit variance (weight scale ~ 1/sqrt(2K/3)
 * for ternary weights with a third zeros) and logits come out with a spread of a few
 * units, so greedy and top-k decoding both do something visible.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_model.h"
#include "tern_ternary.h"

struct zoo_entry {
	const char *name;
	const char *arch;
	uint32_t d, layers, heads, kv_heads, ff, vocab, ctx;
	float theta, eps;
	uint32_t act;
};

/*
 * tiny: every block part at a size a Verilated array runs in seconds. d and n_ff are
 * multiples of 256 so the model exports to TQ1_0/TQ2_0 (whole 256-weight blocks per
 * row); n_ff = 3d is the nearest such size to BitNet's ~2.7d.
 */
static const struct zoo_entry zoo[] = {
	{ "tiny", "bitnet-b1.58", 256, 2, 4, 2, 768, 512, 256, 10000.0f, 1e-5f, TERN_ACT_RELU2 },
	/* tiny as llama.cpp's arch "bitnet" (SiLU): exports that upstream llama.cpp loads. */
	{ "tiny-silu", "bitnet", 256, 2, 4, 2, 768, 512, 256, 10000.0f, 1e-5f, TERN_ACT_SILU },
	{ "bitnet-b1.58-large", "bitnet", 1536, 24, 16, 16, 4096, 32002, 2048, 10000.0f, 1e-5f,
	  TERN_ACT_SILU },
	{ "bitnet-b1.58-2b-4t", "bitnet-b1.58", 2560, 30, 20, 5, 6912, 128256, 4096, 500000.0f,
	  1e-5f, TERN_ACT_RELU2 },
	{ "bitnet-b1.58-3b", "bitnet", 3200, 26, 32, 32, 8640, 32002, 2048, 10000.0f, 1e-5f,
	  TERN_ACT_SILU },
	{ "llama3-8b-1.58", "bitnet", 4096, 32, 32, 8, 14336, 128256, 8192, 500000.0f, 1e-5f,
	  TERN_ACT_SILU },
};

#define ZOO_COUNT (sizeof(zoo) / sizeof(zoo[0]))

static const char *const zoo_names[ZOO_COUNT + 1] = {
	"tiny", "tiny-silu", "bitnet-b1.58-large", "bitnet-b1.58-2b-4t", "bitnet-b1.58-3b", "llama3-8b-1.58",
	NULL,
};

const char *const *tern_zoo_names(void)
{
	return zoo_names;
}

struct zoo_priv {
	uint64_t seed;
};

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* FNV-1a of the name, folded into the model seed. */
static uint64_t tensor_seed(const struct tern_model *m, const char *name)
{
	const struct zoo_priv *p = m->priv;
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	h ^= p->seed;
	mix(&h);
	return h;
}

/* Uniform in [0, 1) with 24 bits. */
static float unit(uint64_t *s)
{
	return (float)(mix(s) >> 40) * 0x1.0p-24f;
}

static int zoo_linear(struct tern_model *m, uint32_t layer, uint32_t which, int8_t *w,
		      float *scale, char *err, size_t errlen)
{
	char name[64];
	uint32_t rows, k;
	uint64_t s, n, i, r = 0;

	(void)err;
	(void)errlen;
	tern_lin_shape(&m->cfg, which, &rows, &k);
	s = tensor_seed(m, tern_lin_name(layer, which, name, sizeof(name)));
	n = (uint64_t)rows * k;
	/* Four 16-bit draws per 64-bit word; (c * 3) >> 16 is uniform over {0,1,2}. */
	for (i = 0; i < n; i++) {
		if (!(i & 3))
			r = mix(&s);
		w[i] = (int8_t)((((r & 0xffff) * 3) >> 16) - 1);
		r >>= 16;
	}
	/* Rounded to fp16 so TQ1_0/TQ2_0 files (fp16 block scales) hold it exactly. */
	*scale = tern_f16_to_f32(tern_f32_to_f16((0.8f + 0.4f * unit(&s)) /
						 sqrtf(2.0f * k / 3.0f)));
	return 0;
}

static int zoo_norm(struct tern_model *m, uint32_t layer, uint32_t which, float *dst,
		    char *err, size_t errlen)
{
	char name[64];
	uint32_t i, n = tern_norm_len(&m->cfg, which);
	uint64_t s = tensor_seed(m, tern_norm_name(layer, which, name, sizeof(name)));

	(void)err;
	(void)errlen;
	for (i = 0; i < n; i++)
		dst[i] = 0.75f + 0.5f * unit(&s);
	return 0;
}

static int zoo_embd_row(struct tern_model *m, uint32_t tok, float *dst, char *err,
			size_t errlen)
{
	uint64_t s = tensor_seed(m, "token_embd") ^ ((uint64_t)tok * 0xd1b54a32d192ed03ull);
	uint32_t i, d = m->cfg.n_embd;
	float amp = 1.0f / sqrtf((float)d);

	(void)err;
	(void)errlen;
	for (i = 0; i < d; i++)
		dst[i] = amp * (2.0f * unit(&s) - 1.0f);
	return 0;
}

static void zoo_free(struct tern_model *m)
{
	free(m->priv);
	free(m);
}

static const struct tern_model_ops zoo_ops = {
	.linear = zoo_linear,
	.norm = zoo_norm,
	.embd_row = zoo_embd_row,
	.free = zoo_free,
};

int tern_zoo_open(const char *name, struct tern_model **out, char *err, size_t errlen)
{
	const struct zoo_entry *e = NULL;
	struct tern_model *m;
	struct zoo_priv *p;
	size_t i;

	for (i = 0; i < ZOO_COUNT; i++)
		if (!strcmp(name, zoo[i].name))
			e = &zoo[i];
	if (!e) {
		snprintf(err, errlen, "unknown zoo model '%s' (choose tiny, tiny-silu, bitnet-b1.58-large, "
			 "bitnet-b1.58-2b-4t, bitnet-b1.58-3b or llama3-8b-1.58)", name);
		return -1;
	}
	m = calloc(1, sizeof(*m));
	p = calloc(1, sizeof(*p));
	if (!m || !p) {
		free(m);
		free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(m->cfg.name, sizeof(m->cfg.name), "zoo:%s", e->name);
	snprintf(m->cfg.arch, sizeof(m->cfg.arch), "%s", e->arch);
	m->cfg.n_embd = e->d;
	m->cfg.n_layer = e->layers;
	m->cfg.n_head = e->heads;
	m->cfg.n_head_kv = e->kv_heads;
	m->cfg.head_dim = e->d / e->heads;
	m->cfg.n_ff = e->ff;
	m->cfg.n_vocab = e->vocab;
	m->cfg.n_ctx = e->ctx;
	m->cfg.rope_theta = e->theta;
	m->cfg.norm_eps = e->eps;
	m->cfg.act = e->act;
	/* The seed is fixed per model so zoo:NAME always means the same weights. */
	p->seed = 0x7465726e5a4f4f21ull; /* "ternZOO!" */
	p->seed = tensor_seed(&(struct tern_model){ .priv = p }, e->name);
	m->ops = &zoo_ops;
	m->priv = p;
	*out = m;
	return 0;
}
