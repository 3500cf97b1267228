/*
 * tern train: a small BitNet b1.58 quantization-aware trainer, byte-level.
 *
 * The model is the block of tern_forward.c (RMSNorm, q/k/v BitLinears, NEOX RoPE,
 * causal GQA attention, sub-norm, o_proj, SiLU- or ReLU^2-gated FFN with sub-norm,
 * tied output), trained in float with the BitNet recipe: every BitLinear sees ternary
 * weights (absmean, RoundClip to -1..1, per-tensor scale rounded to fp16 as TQ2_0
 * stores it) and int8 absmax activations per token (or a4.8), with the straight-through
 * estimator for both. The activation quantizers are the host ops of the inference
 * pass, so what was trained is what tern runs. AdamW with a cosine schedule; results
 * depend only on the seed (each sequence's gradient has its own buffer and they are
 * summed in sequence order, so the thread count changes nothing).
 *
 * Data is bytes: the vocabulary is <unk>, BOS, EOS and the 256 bytes (TERN_TRAIN_BYTE0
 * + b), the layout of Llama's SentencePiece vocabulary. Sequences start at a line start
 * without BOS (tern run adds none). Files: tern_train.c (loop, optimizer, data),
 * tern_train_net.c (forward and backward), tern_train_gguf.c (export with tokenizer).
 */
#ifndef TERN_TRAIN_H
#define TERN_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tern_model.h"

#define TERN_TRAIN_BYTE0 3u   /* token id of byte 0x00 */
#define TERN_TRAIN_VOCAB 259u

/* How BitLinears compute, in training and in evaluation. */
enum tern_tq {
	TERN_TQ_FLOAT = 0,    /* float weights and activations (no quantization) */
	TERN_TQ_A8 = 1,       /* ternary weights, int8 activations (BitNet b1.58) */
	TERN_TQ_A48 = 2,      /* ternary weights, a4.8 activations */
};

struct tern_train_opts {
	struct tern_model_config mc; /* n_vocab = TERN_TRAIN_VOCAB, n_ctx = sequence length */
	uint32_t batch;        /* sequences per step */
	uint32_t steps;
	uint32_t warmup;       /* linear warm-up steps before the cosine decay */
	uint32_t threads;
	uint32_t eval_every;   /* steps between held-out evaluations (0: only at the end) */
	uint32_t eval_seqs;    /* held-out windows per curve point */
	uint32_t quant;        /* enum tern_tq used in training */
	float lr, lr_min, wd, clip;
	uint64_t seed;
};

/* Defaults of `tern train` (the model in the box). */
void tern_train_defaults(struct tern_train_opts *o);

/* Parameters: one float array, tensor offsets derived from the config. */
struct tern_tparams;
struct tern_tparams *tern_tparams_new(const struct tern_model_config *c);
void tern_tparams_free(struct tern_tparams *p);
void tern_tparams_init(struct tern_tparams *p, uint64_t seed);
float *tern_tparams_data(struct tern_tparams *p, size_t *n);
/* The float tensors of the model (NULL for an unknown name). */
float *tern_tparams_lin(struct tern_tparams *p, uint32_t layer, uint32_t which);
float *tern_tparams_norm(struct tern_tparams *p, uint32_t layer, uint32_t which);
float *tern_tparams_embd(struct tern_tparams *p);
const struct tern_model_config *tern_tparams_cfg(const struct tern_tparams *p);

/* Ternary codes and fp16-exact scale of a float BitLinear weight (n values). */
float tern_train_ternarize(const float *w, size_t n, int8_t *codes);

/*
 * One sequence through the net (tern_train_net.c): tok[0..n] holds n + 1 ids, the
 * loss is the mean cross-entropy of predicting tok[1..n] from tok[0..n-1]. With grad
 * non-NULL the gradient of that mean is added into grad (same layout as the params).
 * Returns the mean loss (nats). ws: a workspace from tern_tnet_ws_new for this n.
 */
struct tern_tnet_ws;
struct tern_tnet_ws *tern_tnet_ws_new(const struct tern_model_config *c, uint32_t n);
void tern_tnet_ws_free(struct tern_tnet_ws *ws);
/* Quantize the weights for this step (call after every parameter update). */
void tern_tnet_prepare(struct tern_tnet_ws *ws, struct tern_tparams *p, uint32_t quant);
double tern_tnet_run(struct tern_tnet_ws *ws, struct tern_tparams *p, const uint32_t *tok,
		     uint32_t n, uint32_t quant, float *grad);
/* Logits of the last run at position i (n_vocab floats). */
const float *tern_tnet_logits(const struct tern_tnet_ws *ws, uint32_t i);

/* Text split into training and held-out parts (tern_train.c). */
struct tern_corpus {
	uint8_t *train, *held;
	size_t n_train, n_held;
	size_t *train_lines, *held_lines; /* offsets of line starts */
	size_t n_train_lines, n_held_lines;
};
int tern_corpus_load(const char *path, struct tern_corpus *c, char *err, size_t errlen);
void tern_corpus_free(struct tern_corpus *c);

/* Held-out evaluation: windows of n_ctx bytes, each starting at a line start, every
 * byte after the first predicted; at most max_windows (0: all). Mean nats per byte. */
double tern_train_eval(struct tern_tparams *p, const struct tern_corpus *c, uint32_t quant,
		       uint32_t max_windows, uint32_t threads, uint64_t *bytes);

/* Train; one progress line per evaluation to log (curve: "step loss held_ppl lr").
 * Returns 0, or -1 with err. stop: non-NULL flag polled between steps. */
int tern_train_run(struct tern_tparams *p, const struct tern_corpus *c,
		   const struct tern_train_opts *o, FILE *log, FILE *curve,
		   volatile const sig_atomic_t *stop, char *err, size_t errlen);

/* A tern_model over trained parameters (ternary weights), with the byte vocabulary:
 * what tern_model_export_gguf writes, and what tern_forward runs. */
int tern_train_model(struct tern_tparams *p, const char *name, struct tern_model **out,
		     char *err, size_t errlen);
/* Export as GGUF (TQ2_0) with the byte tokenizer (SentencePiece "llama" layout). */
int tern_train_export(struct tern_tparams *p, const char *name, const char *path,
		      char *err, size_t errlen);

/* Float checkpoint: raw little-endian floats with a small header. */
int tern_tparams_save(const struct tern_tparams *p, const char *path, char *err, size_t errlen);
int tern_tparams_load(const char *path, struct tern_tparams **out, char *err, size_t errlen);

#endif /* TERN_TRAIN_H */
