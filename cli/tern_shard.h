/*
 * State shared by the `tern shard` commands (docs/scale-out.md): the shard directory's
 * content-addressed recording of every BitLinear invocation (tern_shard_store.c), the
 * plan that assigns each distinct invocation to one shard, and the per-shard result
 * files that the jobs write and the merge reads. Private to the CLI.
 *
 * DIR layout (all text files end with a "sum" line, a hash of everything above it, so a
 * truncated or edited file is refused rather than half-read):
 *   plan.args        the `tern run` options of the planned run, one per line
 *   plan.tsv         header, then one "inv" line per distinct invocation
 *   blobs/HASH       W (2-bit codes, 4 per byte), X (int8) or Y (int32 LE), stored once
 *   results/I.res    shard I's replay: one "res" line per invocation it owns
 *   running/I.HOST.PID  marker while a job for shard I runs (removed when it ends)
 */
#ifndef TERN_SHARD_H
#define TERN_SHARD_H

#include <stdint.h>
#include <stdio.h>

#include "tern_gemm.h"

#define TERN_SHARD_MAX 100000u

/* 128-bit content hash as 32 hex digits (two independent 64-bit lanes). */
struct tern_hash {
	uint64_t a, b;
};
void tern_hash_init(struct tern_hash *h);
void tern_hash_add(struct tern_hash *h, const void *p, size_t n);
void tern_hash_hex(const struct tern_hash *h, char out[33]);

/* One distinct BitLinear invocation: shape, content hashes of W, X and expected Y. */
struct tern_inv {
	uint32_t id, shard;
	struct tern_layer l;
	char key[33], w[33], x[33], y[33];
	uint64_t macs;
	char name[64];      /* first tensor that made this call ("blk.0.attn_q") */
};

struct tern_plan {
	uint32_t shards, n_inv, cap;
	struct tern_inv *inv;
	char backend[16];   /* replay backend */
	char hash[33];      /* of plan.tsv: results name the plan they belong to */
	char **args;        /* plan.args, NULL-terminated, args[0] = "run" */
	uint32_t n_args;
};

/* Replayed outcome of one invocation (the parts of tern_gemm_result the run reports). */
struct tern_res {
	uint32_t id;
	int ok;
	struct tern_gemm_result r;
	char y[33];         /* hash of the output the replay backend produced */
};

struct tern_shard_result {
	uint32_t index, n;
	double seconds;
	char backend[16];
	struct tern_res *res;
};

/* Key of an invocation from its shape and the hashes of W and X. */
void tern_inv_key(const struct tern_layer *l, const char *w, const char *x, char out[33]);

/* Blobs: 0 or -1 with err. W is packed to 2-bit codes on disk and unpacked on read. */
int tern_blob_put(const char *dir, const char *hash, const void *p, size_t n, char *err,
		  size_t errlen);
int tern_blob_get(const char *dir, const char *hash, void *p, size_t n, char *err,
		  size_t errlen);
void tern_w_pack(const int8_t *w, size_t n, uint8_t *out);
void tern_w_unpack(const uint8_t *in, size_t n, int8_t *w);
void tern_w_hash(const int8_t *w, size_t n, char out[33]);

int tern_plan_write(const char *dir, struct tern_plan *p, char *err, size_t errlen);
int tern_plan_read(const char *dir, struct tern_plan *p, char *err, size_t errlen);
void tern_plan_free(struct tern_plan *p);
/* Index of the invocation with this key, or -1. */
int64_t tern_plan_find(const struct tern_plan *p, const char *key);

/* Path of shard i's result file. */
void tern_result_path(const char *dir, uint32_t i, char *out, size_t len);
/* Atomic write (temporary file + rename), so a reader sees all of it or nothing. */
int tern_result_write(const char *dir, const struct tern_plan *p,
		      const struct tern_shard_result *s, char *err, size_t errlen);
/* 0 ok, 1 missing, -1 unusable (err says why: checksum, other plan, ...). */
int tern_result_read(const char *dir, const struct tern_plan *p, uint32_t i,
		     struct tern_shard_result *s, char *err, size_t errlen);
void tern_result_free(struct tern_shard_result *s);

/* Shard i's running markers that still look alive (this host: the PID exists). */
int tern_shard_running(const char *dir, uint32_t i);

int tern_shard_submit(const char *dir, int argc, char **argv);

#endif /* TERN_SHARD_H */
