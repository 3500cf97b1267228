/*
 * tern model: whole BitNet b1.58 models on top of the one-layer BitLinear runner.
 *
 * A model is a config plus a weight source. The source hands out one tensor at a
 * time (a BitLinear's ternary weights and scale, a norm vector, one embedding row),
 * so nothing bigger than one layer is ever held: zoo models generate each tensor
 * from (seed, tensor name) when asked, GGUF models decode it from the mapped file.
 * The forward pass (tern_forward.c) runs every BitLinear through a pluggable integer
 * matmul (the device, or the golden loops) and everything else on the host
 * (tern_hostops.c). Semantics and costs: docs/model.md.
 */
#ifndef TERN_MODEL_H
#define TERN_MODEL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tern_compile.h"

enum tern_act { TERN_ACT_RELU2 = 0, TERN_ACT_SILU = 1 };

/* Activation quantization: a1.58 = int8 absmax per token everywhere (BitNet b1.58);
 * a4.8 = BitNet a4.8 (int4 absmean into q/k/v and gate/up, int8 with top-50%
 * sparsification into o_proj, int8 into down_proj); float = no activation
 * quantization (ternary weights, float activations, host matmul: the reference that
 * perplexity's KL is measured against; never on a device). */
enum tern_quant { TERN_QUANT_A158 = 0, TERN_QUANT_A48 = 1, TERN_QUANT_FLOAT = 2 };

/* The seven BitLinears of a block, in execution order. */
enum tern_lin {
	TERN_LIN_Q, TERN_LIN_K, TERN_LIN_V, TERN_LIN_O,
	TERN_LIN_GATE, TERN_LIN_UP, TERN_LIN_DOWN,
	TERN_LIN_COUNT
};
/* The output head on the array (cfg.head_planes > 0), as a tern_mm sees it: layer 0,
 * which TERN_LIN_HEAD, named "output"; not one of a block's BitLinears. */
#define TERN_LIN_HEAD TERN_LIN_COUNT

/* Norm vectors of a block; TERN_NORM_OUTPUT is the final norm (layer ignored). */
enum tern_norm {
	TERN_NORM_ATTN, TERN_NORM_ATTN_SUB, TERN_NORM_FFN, TERN_NORM_FFN_SUB,
	TERN_NORM_OUTPUT,
	TERN_NORM_COUNT
};

struct tern_model_config {
	char name[64];       /* "zoo:tiny", or the GGUF's general.name / file name */
	char arch[32];       /* "bitnet-b1.58" (bitnet.cpp) or "bitnet" (llama.cpp) */
	uint32_t n_embd;     /* d */
	uint32_t n_layer;
	uint32_t n_head;
	uint32_t n_head_kv;  /* < n_head: grouped-query attention */
	uint32_t head_dim;   /* n_embd / n_head */
	uint32_t n_ff;
	uint32_t n_vocab;
	uint32_t n_ctx;      /* longest sequence the model accepts */
	float rope_theta;
	float norm_eps;
	uint32_t act;        /* enum tern_act */
	uint32_t head_planes; /* output head: 0 float on the host (default of a model as
			       * opened), 2 or 3 balanced-ternary digit planes on the array
			       * (tern_head.c); set by the caller before the first step */
	uint32_t wfmt;        /* weight format of every BitLinear (and the head) on the
			       * device: TERN_WFMT_2BIT (0, default) or TERN_WFMT_BASE3 */
};

struct tern_model;
struct tern_gguf_writer;

/* A weight source. Every call fills caller memory; 0 or -1 with a reason in err. */
struct tern_model_ops {
	/* Ternary W (M x K row-major, int8 in {-1,0,1}) and its per-tensor scale. */
	int (*linear)(struct tern_model *m, uint32_t layer, uint32_t which, int8_t *w,
		      float *scale, char *err, size_t errlen);
	int (*norm)(struct tern_model *m, uint32_t layer, uint32_t which, float *dst,
		    char *err, size_t errlen);
	/* Row `tok` of token_embd (n_embd floats); the output projection is tied to it. */
	int (*embd_row)(struct tern_model *m, uint32_t tok, float *dst, char *err,
			size_t errlen);
	void (*free)(struct tern_model *m);
	/* Optional: extra GGUF metadata on export (a tokenizer); 0 or -1 with err. */
	int (*meta)(struct tern_model *m, struct tern_gguf_writer *w, char *err, size_t errlen);
	/* Optional: row `tok` of token_embd as stored, when the source stores it as F16 or
	 * BF16: n_embd raw 16-bit values into dst and *bf16 set, 0; -1 when it is stored
	 * otherwise (embd_row then). Lets the resident copy skip two float conversions. */
	int (*embd_row16)(struct tern_model *m, uint32_t tok, uint16_t *dst, int *bf16);
};

/* Decoded vocabulary of a GGUF file (tern_tokenizer.c). */
struct tern_vocab;

struct tern_model {
	struct tern_model_config cfg;
	const struct tern_model_ops *ops;
	void *priv;               /* the source's own state */
	struct tern_vocab *vocab; /* NULL: no vocabulary, tokens print as ids only */
	struct tern_wcache *wc;   /* resident weights (tern_wcache.c), NULL until used */
	struct tern_head *head;   /* digit planes of the output head (tern_head.c), NULL
				   * until a step with cfg.head_planes > 0 builds them */
};

/* ---- output head on the array (tern_head.c): balanced-ternary digit planes */
struct tern_head;

/* Q = (3^planes - 1) / 2: the largest |q| of a row quantized to `planes` digits. */
int32_t tern_head_levels(uint32_t planes);
/* Row w (k floats) to integers q in [-Q, Q]; returns the row's scale s (w ~ s q). */
float tern_head_quant_row(const float *w, uint32_t k, uint32_t planes, int32_t *q);
/* q (k values) to balanced-ternary digits: t[p * stride + i] in {-1, 0, 1}, plane p of
 * weight 3^p, q[i] = sum_p 3^p t[p * stride + i]. */
void tern_head_digits(const int32_t *q, uint32_t k, uint32_t planes, int8_t *t, size_t stride);
/* y[v] = sum_p 3^p acc[p * n_vocab + v] with shifts and adds (Horner). */
void tern_head_combine(const int32_t *acc, uint32_t planes, uint32_t n_vocab, int32_t *y);
/* The head's stacked digit planes ((planes * n_vocab) x n_embd), row scales and golden
 * bit planes, built from the embedding on first use (*fresh = 1 then). 0 or -1. */
int tern_head_get(struct tern_model *m, const int8_t **w, const float **scale,
		  const uint64_t **gold, int *fresh, char *err, size_t errlen);
/* Golden bit planes of the head once built, else NULL. */
const uint64_t *tern_head_planes(const struct tern_model *m);
void tern_head_free(struct tern_head *h);
/* Name of a head setting: "float", "t2", "t3". */
const char *tern_head_name(uint32_t planes);
/* "float" -> 0, "t2" -> 2, "t3" -> 3; 0, or -1 for anything else. */
int tern_head_parse(const char *s, uint32_t *planes);

/* ---- resident weights (tern_wcache.c): each tensor is fetched from the source once */
struct tern_wcache;

/* The golden bit planes (ref/tern_ref.h) of a BitLinear, once the forward pass has
 * fetched it, else NULL. */
const uint64_t *tern_model_planes(const struct tern_model *m, uint32_t layer, uint32_t which);
/* keep = 0: build no golden planes (0.52 GB for 2B-4T) because nothing will check a
 * layer (tern run --check none); each BitLinear is then fetched from the source on
 * first use only for the device's own packed copy, and fetched again whenever a caller
 * wants its weights later. Default 1. Set before the first forward pass. */
void tern_model_keep_planes(struct tern_model *m, int keep);
/* Host bytes held by the resident weights and embedding so far. */
uint64_t tern_model_resident_bytes(const struct tern_model *m);
void tern_wcache_free(struct tern_wcache *wc);

/* ---- model zoo (tern_zoo.c): names without the "zoo:" prefix */
int tern_zoo_open(const char *name, struct tern_model **out, char *err, size_t errlen);
/* NULL-terminated list of zoo names, the default first. */
const char *const *tern_zoo_names(void);

/* ---- GGUF (tern_model_gguf.c) */
int tern_model_open_gguf(const char *path, struct tern_model **out, char *err, size_t errlen);
/* wtype: TERN_GGML_TQ2_0, TERN_GGML_TQ1_0 or TERN_GGML_I2_S (tern_gguf.h). */
int tern_model_export_gguf(struct tern_model *m, const char *path, uint32_t wtype,
			   char *err, size_t errlen);

/* "zoo:NAME" or a GGUF path. */
int tern_model_open(const char *spec, struct tern_model **out, char *err, size_t errlen);
void tern_model_free(struct tern_model *m);

/* Shape of BitLinear `which`: M outputs, K inputs. */
void tern_lin_shape(const struct tern_model_config *c, uint32_t which, uint32_t *m,
		    uint32_t *k);
uint32_t tern_norm_len(const struct tern_model_config *c, uint32_t which);
/* GGUF-style tensor name ("blk.3.attn_q", "output_norm", ...) into buf. */
const char *tern_lin_name(uint32_t layer, uint32_t which, char *buf, size_t len);
const char *tern_norm_name(uint32_t layer, uint32_t which, char *buf, size_t len);
/* 0, or -1 with the first inconsistency (head_dim * n_head != n_embd, ...). */
int tern_config_check(const struct tern_model_config *c, char *err, size_t errlen);
/* Ternary MACs of one token through every BitLinear. */
uint64_t tern_model_macs_per_token(const struct tern_model_config *c);

/* ---- tokenizer (tern_tokenizer.c) */
void tern_vocab_free(struct tern_vocab *v);
/* Append the bytes of token `tok` to buf (NUL-terminated, truncated at len). */
size_t tern_vocab_decode(const struct tern_vocab *v, uint32_t tok, char *buf, size_t len);
/* Encode text into at most max ids; returns the count, or -1 with a reason in err. */
int64_t tern_vocab_encode(const struct tern_vocab *v, const char *text, uint32_t *ids,
			  uint64_t max, char *err, size_t errlen);
/* The same for len bytes of text (0 bytes allowed inside), with the BOS the vocabulary
 * asks for (tokenizer.ggml.add_bos_token) when add_bos is set. SentencePiece and
 * byte-level BPE run as llama.cpp runs them (docs/tokenizer.md). */
int64_t tern_vocab_tokenize(const struct tern_vocab *v, const char *text, size_t len,
			    int add_bos, uint32_t *ids, uint64_t max, char *err, size_t errlen);
/* The vocabulary of a GGUF file's tokenizer.ggml.* keys; n_vocab 0: any size. */
struct tern_gguf;
int tern_vocab_from_gguf(const struct tern_gguf *g, uint32_t n_vocab, struct tern_vocab **out,
			 char *err, size_t errlen);
uint32_t tern_vocab_size(const struct tern_vocab *v);
/* Export (tern_tok_export.c): copy every tokenizer.* key of g, or write the byte-level
 * vocabulary zoo models get (n_vocab >= 259). 0 or -1 with err. */
struct tern_gguf_writer;
int tern_vocab_copy_keys(const struct tern_gguf *g, struct tern_gguf_writer *w, char *err,
			 size_t errlen);
int tern_vocab_add_bytes(uint32_t n_vocab, struct tern_gguf_writer *w, char *err,
			 size_t errlen);
int64_t tern_vocab_bos(const struct tern_vocab *v);   /* -1: none */
/* 1 if tok ends generation (EOS, or EOT such as Llama 3's <|eot_id|>). */
int tern_vocab_is_eog(const struct tern_vocab *v, uint32_t tok);
/* Bytes of token tok (not NUL-terminated; control tokens have none). */
const uint8_t *tern_vocab_bytes(const struct tern_vocab *v, uint32_t tok, size_t *len);
/* "gpt2 (byte-level BPE, pre-tokenizer llama-bpe)" and the like. */
void tern_vocab_describe(const struct tern_vocab *v, char *buf, size_t len);

/* ---- host ops (tern_hostops.c): plain C, deterministic, no allocation */
float tern_round_half_even(float x);
void tern_rmsnorm(const float *x, const float *w, float *y, uint32_t n, float eps);
/* NEOX rotation of each of n_head heads at position pos: pairs (i, i + head_dim/2). */
void tern_rope_neox(float *v, uint32_t n_head, uint32_t head_dim, uint32_t pos, float theta);
void tern_softmax(float *x, uint32_t n);
/* One query token at position pos over the cache rows 0..pos (causal, GQA):
 * q: n_head*head_dim; kc, vc: rows of n_head_kv*head_dim; out: n_head*head_dim;
 * scores: pos+1 floats of scratch. */
void tern_attention(const float *q, const float *kc, const float *vc, uint32_t pos,
		    uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim, float *out,
		    float *scores);
/* The same for head h only (out's head h rows); heads are independent, so callers may
 * compute them in any order or on any thread and get the same bits. */
void tern_attention_head(const float *q, const float *kc, const float *vc, uint32_t pos,
			 uint32_t h, uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim,
			 float *out, float *scores);
/* gate <- act(gate) * up */
void tern_glu(float *gate, const float *up, uint32_t n, uint32_t act);

/* Activation quantizers: fill q (n int8) and return act_scale, so x ~ q / act_scale. */
float tern_quant_a8(const float *x, uint32_t n, int8_t *q);
float tern_quant_a4(const float *x, uint32_t n, int8_t *q);
/* int8 after keeping the n/2 (rounded up) largest |x|; tmp: n floats of scratch. */
float tern_quant_a8_top50(const float *x, uint32_t n, int8_t *q, float *tmp);
/* y = acc * (wscale / act_scale), the BitLinear output scaling. */
void tern_dequant(const int32_t *acc, uint32_t n, float wscale, float act_scale, float *y);

/* Greedy (top_k <= 1) or top-k sampling at temperature 1 with a splitmix64 state.
 * Ties go to the lower token id. idx: top_k uint32 of scratch (may be NULL if <= 1). */
uint32_t tern_sample(const float *logits, uint32_t n, uint32_t top_k, uint64_t *rng,
		     uint32_t *idx);

/* ---- host-op cost accounting (tern_hostcost.c); formulas and units: docs/model.md */

/* Host ops, as reported. */
enum tern_hop {
	TERN_HOP_EMBED,     /* embedding row lookup */
	TERN_HOP_NORM,      /* RMSNorm (block norms, sub-norms, output norm) */
	TERN_HOP_ROPE,      /* rotary position embedding of q and k */
	TERN_HOP_ATTN,      /* scores, softmax, weighted V sum; KV cache reads and writes */
	TERN_HOP_ACT,       /* ReLU^2 / SiLU times up */
	TERN_HOP_QUANT,     /* activation quantization and BitLinear output scaling */
	TERN_HOP_RESID,     /* residual adds */
	TERN_HOP_OUTPUT,    /* float output projection (tied embedding), one position */
	TERN_HOP_SAMPLE,    /* greedy or top-k sampling */
	TERN_HOP_COUNT
};

/* FLOPs and host memory bytes per op; sums over whatever was added. */
struct tern_host_cost {
	double flops[TERN_HOP_COUNT];
	double bytes[TERN_HOP_COUNT];
};

const char *tern_hop_name(unsigned op);
double tern_host_flops(const struct tern_host_cost *c);
double tern_host_bytes(const struct tern_host_cost *c);
void tern_host_cost_add(struct tern_host_cost *dst, const struct tern_host_cost *src);
void tern_host_cost_sub(struct tern_host_cost *dst, const struct tern_host_cost *src);

/* Per-token costs of one op, added to c (the forward pass calls these at each op). */
void tern_cost_embed(const struct tern_model_config *m, struct tern_host_cost *c);
void tern_cost_norm(uint32_t len, struct tern_host_cost *c);
void tern_cost_rope(const struct tern_model_config *m, struct tern_host_cost *c);
/* Attention of one query token at position pos (it sees pos + 1 cached rows). */
void tern_cost_attn(const struct tern_model_config *m, uint32_t pos, struct tern_host_cost *c);
void tern_cost_act(const struct tern_model_config *m, struct tern_host_cost *c);
/* Quantization of a len-wide BitLinear input for `which` (enum tern_lin). */
void tern_cost_quant(uint32_t len, uint32_t which, uint32_t quant, struct tern_host_cost *c);
/* Scaling of the m int32 outputs of one BitLinear. */
void tern_cost_dequant(uint32_t m, struct tern_host_cost *c);
void tern_cost_resid(const struct tern_model_config *m, struct tern_host_cost *c);
/* Output norm and projection of the one position whose logits are sampled. */
void tern_cost_output(const struct tern_model_config *m, struct tern_host_cost *c);
void tern_cost_sample(const struct tern_model_config *m, uint32_t top_k,
		      struct tern_host_cost *c);

/* A whole step (n tokens at positions pos..pos+n-1), op by op as tern_forward does
 * it, sampling excluded. Added to c. */
void tern_cost_step(const struct tern_model_config *m, uint32_t quant, uint32_t pos,
		    uint32_t n, struct tern_host_cost *c);

/*
 * Timing-only walk of one step: every BitLinear of every block with N = n tokens,
 * in execution order, handed to fn with its name. fn returns 0 to go on, non-zero
 * to stop the walk (that value is returned). No weights are touched.
 */
typedef int (*tern_layer_fn)(void *ctx, uint32_t layer, uint32_t which, const char *name,
			     const struct tern_layer *l);
int tern_walk_step(const struct tern_model_config *m, uint32_t n, tern_layer_fn fn, void *ctx);

/* ---- forward pass (tern_forward.c) */

/* One BitLinear: y (N x M int32) = x (N x K int8) times W^T. Returns 0, 1 when a
 * check inside failed (message in err), -1 when it could not run. */
struct tern_mm {
	int (*fn)(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		  int32_t *y, char *err, size_t errlen);
	void *ctx;
	/* 0: w is always the layer's int8 weights. 1: the matmul keeps each layer's
	 * weights after its first call (w is NULL on later calls); it finds the layer
	 * with tern_run_current and its golden planes with tern_model_planes. */
	int resident;
};

/* The golden matmul as a tern_mm (ctx unused). */
extern const struct tern_mm tern_mm_golden;

/* One forward-pass instance: its own KV cache, scratch and last logits. */
struct tern_run;

int tern_run_new(const struct tern_model_config *c, uint32_t n_ctx, uint32_t n_max,
		 uint32_t quant, struct tern_mm mm, struct tern_run **out);
void tern_run_free(struct tern_run *r);
/* Logits of position i (0-based) of the last step; n_vocab floats. */
const float *tern_run_logits(const struct tern_run *r, uint32_t i);
/* The output-normed hidden state of position i of the last step (n_embd floats): the
 * whole input of the output projection, so two runs with byte-identical states here
 * have identical logits (the model check compares these where no logits were made). */
const float *tern_run_normed(const struct tern_run *r, uint32_t i);
/* on = 1: later steps compute the logits of their last position only (all a generator
 * samples from; a 128-token prefill then projects once instead of 128 times), and the
 * other positions' rows are left as they were. Default 0: every position. */
void tern_run_logits_last_only(struct tern_run *r, int on);
uint32_t tern_run_pos(const struct tern_run *r);

enum { TERN_FWD_OK = 0, TERN_FWD_CHECK = 1, TERN_FWD_STOPPED = 2, TERN_FWD_ERR = -1 };

struct tern_fwd_hooks {
	volatile sig_atomic_t *stop;  /* non-zero: stop before the next layer */
	void (*progress)(void *ctx, uint32_t layer, uint32_t n_layer);
	void *ctx;
	/* 1: the step is a prompt chunk with more prompt after it (chunked prefill), so no
	 * position of it is sampled: runs with logits_last_only compute no logits, the
	 * others compute theirs (the head on the array through the golden planes: the
	 * same integers, no device call), and the output projection is not counted as
	 * host work. 0: an ordinary step. */
	int prompt_part;
};

/* The BitLinear the run is executing (block and enum tern_lin), valid inside its
 * tern_mm call: lets a matmul name what it runs (e.g. report rows "blk.3.attn_q"). */
void tern_run_current(const struct tern_run *r, uint32_t *layer, uint32_t *which);

/* Host work counted so far by this run (every successful step adds its ops). */
const struct tern_host_cost *tern_run_host_cost(const struct tern_run *r);

/*
 * Feed n tokens (at positions pos..pos+n-1) through every run in runs[] and leave the
 * logits of each position in each run. The runs advance layer by layer together, so
 * each tensor is fetched once for all of them. Returns a TERN_FWD_* value; a check
 * failure or error names the layer and tensor in err.
 */
int tern_forward(struct tern_model *m, struct tern_run *const *runs, unsigned nruns,
		 const uint32_t *tok, uint32_t n, const struct tern_fwd_hooks *h,
		 char *err, size_t errlen);

#endif /* TERN_MODEL_H */
