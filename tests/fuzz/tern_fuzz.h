/*
 * tern_fuzz: a random-program differential fuzzer of the RTL against the reference model.
 *
 * A program (struct tf_prog) is a list of instructions placed at DMA_BASE, the CSR values
 * of its run (INSN_COUNT, the DMA window) and what it needs to be replayed exactly: the
 * seed of its DRAM contents and the DRAM timing. The generator (tern_fuzz_gen.c) writes
 * valid programs and near-valid ones (one field at or one past a limit). The analyzer
 * (tern_fuzz_an.c) decides whether a program is *well synchronised*: the RTL runs its
 * units concurrently, the reference model in one fixed order, so a program whose result
 * depends on timing (a race between units, a read of a buffer entry never written) could
 * make the two differ without a bug. The generator only writes well-synchronised
 * programs, and the minimiser (tern_fuzz.c) only keeps candidates the analyzer accepts,
 * so every reported disagreement is an RTL (or reference model) bug, not a test artefact.
 */
#ifndef TERN_FUZZ_H
#define TERN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "tern_isa.h"
#include "tern_ref.h"

#define TF_MAX_INSNS 72
#define TF_BASE 4096u     /* DMA_BASE: the driver's arena starts here */
#define TF_INSN_BYTES 2048u /* the program area at DMA_BASE (TF_MAX_INSNS * 16, rounded up) */

/* Units, and the token counters between them (docs/isa.md "Machine model"). */
enum { TF_LOAD, TF_COMPUTE, TF_STORE };
enum { TF_L2C, TF_C2L, TF_C2S, TF_S2C };

struct tf_prog {
	struct tern_insn in[TF_MAX_INSNS];
	uint32_t n;          /* instructions written at DMA_BASE */
	uint32_t count;      /* INSN_COUNT of the run */
	uint32_t window;     /* DMA window bytes: DMA_LIMIT = TF_BASE + window */
	uint32_t st_lo, st_hi; /* the only DRAM STOREs may write; LOADs never read it */
	uint64_t data_seed;  /* DRAM contents of the window (instructions written over them) */
	uint32_t latency, bw; /* DRAM model: cycles to first beat, bytes per cycle */
	uint32_t want_err;   /* the outcome the generator meant (TERN_ERR_*) */
	char kind[40];       /* "valid" or the near-valid case, e.g. "dma_window_load_rows" */
};

/* Generate program number `seed` for this config (deterministic in its arguments). */
void tf_generate(const struct tern_hw_config *c, uint64_t seed, struct tf_prog *p);

/*
 * 0 when the program is well synchronised (see above) up to where fetch stops (END,
 * INSN_COUNT or the first instruction failing a static check); instructions stuck on a
 * token that never comes are allowed (that is a DEADLOCK the device must report).
 * Otherwise -1 and one line in why.
 */
int tf_analyze(const struct tern_hw_config *c, const struct tf_prog *p, char *why, size_t n);

/*
 * The analyzer's state, walked in program order; the generator drives it one instruction
 * at a time (tf_an_need, then tf_an_step) so that it can add the dependency tokens an
 * instruction needs before committing it.
 */
struct tf_an {
	const struct tern_hw_config *c;
	struct tern_ref_args args; /* INSN_BASE, INSN_COUNT and the DMA window of the run */
	uint32_t st_lo, st_hi;
	int32_t *lw[3], *lr[3];  /* WBUF, ABUF, ACC entry: last writer / reader (unit index), -1 none */
	uint32_t nu[3];          /* instructions of each unit so far */
	uint32_t front[3][3];    /* front[u][p]: unit p's first front[u][p] instructions are known
				  * complete when unit u's current instruction starts */
	uint32_t push[4][TF_MAX_INSNS]; /* per counter, the producer unit index of each push */
	uint32_t npush[4], npop[4];
	int prefilled;           /* 1: push[] holds every push of the program (tf_analyze) */
	uint32_t stuck_at[3];    /* unit index from which a unit waits forever (UINT32_MAX: never) */
};

int tf_an_init(struct tf_an *a, const struct tern_hw_config *c, const struct tf_prog *p);
void tf_an_free(struct tf_an *a);
/* Unit of an opcode (TF_LOAD..TF_STORE), -1 for END and illegal opcodes. */
int tf_unit(const struct tern_insn *in);
/* Token counters an instruction pops / pushes, as bit masks of 1 << TF_L2C etc. */
unsigned tf_pops(const struct tern_insn *in);
unsigned tf_pushes(const struct tern_insn *in);
/* Producer and consumer unit of a counter. */
int tf_tok_prod(int tok);
int tf_tok_cons(int tok);
/* What unit p must have completed before in starts (need[p] instructions); -1 when it
 * reads an entry never written or touches DRAM it must not. */
int tf_an_need(const struct tf_an *a, const struct tern_insn *in, uint32_t need[3], char *why,
	       size_t n);
/* Take in (a statically valid LOAD, GEMM or STORE) as the next instruction: -1 on a race. */
int tf_an_step(struct tf_an *a, const struct tern_insn *in, uint32_t index, char *why, size_t n);

/* Where fetch stops: END, INSN_COUNT or the first instruction failing a static check. */
uint32_t tf_stop_index(const struct tern_hw_config *c, const struct tf_prog *p);

/*
 * Give the instructions before the stop point the fewest dependency tokens that make
 * the program well synchronised (the minimiser's step after dropping instructions);
 * -1 when no tokens can (an entry read that nothing wrote).
 */
int tf_resync(const struct tern_hw_config *c, struct tf_prog *p);

/* One instruction as text: "LOAD buf=1 wfmt=0 sram=3 x=2 y=1 addr=0x1400 stride=0 deps=..." */
void tf_disasm(const struct tern_insn *in, char *out, size_t n);

/* splitmix64: the one random source (seeded, so every run is reproducible). */
static inline uint64_t tf_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in 0 .. n-1 (n >= 1). */
static inline uint32_t tf_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(tf_rand(s) % n) : 0;
}

#endif /* TERN_FUZZ_H */
