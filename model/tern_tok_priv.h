/*
 * The vocabulary shared by the tokenizer files (private to model/): tern_tokenizer.c
 * loads it from GGUF metadata and decodes ids, tern_tok_spm.c encodes with
 * SentencePiece ("llama"), tern_tok_bpe.c with byte-level BPE ("gpt2") after a
 * pre-tokenizer. Both encoders follow llama.cpp's algorithms (llama-vocab.cpp), the
 * reference tern's ids must agree with (tests/e2e/tokenizer.sh).
 */
#ifndef TERN_TOK_PRIV_H
#define TERN_TOK_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* Pre-tokenizers of "gpt2" vocabularies (tokenizer.ggml.pre). */
enum tern_pre { TERN_PRE_NONE, TERN_PRE_GPT2, TERN_PRE_LLAMA3, TERN_PRE_UNKNOWN };

/* Open-addressing string -> value map (value + 1 stored, 0 empty). */
struct tern_strmap {
	uint32_t *slot;
	uint32_t size;        /* power of two */
};

struct tern_vocab {
	uint32_t n;
	int spm;              /* 1: SentencePiece ("llama"), 0: byte-level ("gpt2") */
	char **raw;           /* token text as stored in the GGUF */
	uint32_t *raw_len;
	char **bytes;         /* decoded bytes of each token */
	uint32_t *len;
	float *score;         /* SentencePiece scores (0 without the key) */
	uint8_t *control;     /* 1: control token, decodes to nothing */
	uint32_t *hash;       /* open addressing over decoded bytes: id + 1, 0 empty */
	uint32_t hash_size, max_len;
	struct tern_strmap by_raw;   /* raw text -> id (the last id of a duplicate wins) */
	/* BPE merges: "left right" -> rank; merge_raw keeps the strings alive. */
	struct tern_strmap merges;
	char **merge_raw;
	uint32_t *merge_len, n_merges;
	int has_scores;
	enum tern_pre pre;
	char pre_name[32];
	int64_t bos, eos, eot; /* -1: none */
	int add_bos, add_space_prefix;
};

/* Token id of raw text s[0..n), or -1. */
int64_t tern_vocab_raw_id(const struct tern_vocab *v, const char *s, size_t n);
/* Rank of merging raw texts a and b, or -1. */
int64_t tern_vocab_merge_rank(const struct tern_vocab *v, const char *a, size_t na,
			      const char *b, size_t nb);

/* Ids go to ids[*n], bounded by max; 0 or -1 with err. */
int tern_spm_encode(const struct tern_vocab *v, const char *text, size_t len, uint32_t *ids,
		    uint64_t *n, uint64_t max, char *err, size_t errlen);
int tern_bpe_encode(const struct tern_vocab *v, const char *text, size_t len, uint32_t *ids,
		    uint64_t *n, uint64_t max, char *err, size_t errlen);

/* Byte length of the UTF-8 sequence led by byte c as llama.cpp counts it (no checks). */
static inline size_t tern_utf8_lead_len(unsigned char c)
{
	static const unsigned char lookup[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4 };

	return lookup[c >> 4];
}

/* Generated into build/gen/tern_unicode.c by model/tern_unicode_gen.py. */
int tern_ucd_is_letter(uint32_t cp);
int tern_ucd_is_number(uint32_t cp);
extern const char *const tern_ucd_version;

#endif /* TERN_TOK_PRIV_H */
