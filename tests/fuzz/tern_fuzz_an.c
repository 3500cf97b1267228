/*
 * The fuzzer's synchronisation analyzer: is a program's result independent of timing?
 *
 * The RTL's load, compute and store units run concurrently and order themselves only
 * through the dependency tokens; the reference model runs them in one fixed order. Where
 * the program leaves two accesses to one buffer entry unordered, both answers are
 * "right" and lockstep would report a difference that is not a bug. So before a program
 * is run (generated, or shrunk by the minimiser) it must pass this check:
 *
 *  - every unit completes its instructions in order, so "unit p's first k instructions
 *    are complete" is the only fact a token carries. A pop is the j-th pop of its counter
 *    and waits for the j-th push (counting semantics), so it proves that the j-th pushing
 *    instruction of the producer, and everything before it in that unit, has completed;
 *    front[u][p] accumulates these facts for unit u (its instructions start in order);
 *  - an instruction may only touch a buffer entry whose previous conflicting access by
 *    another unit (write before its read, read or write before its write) is so proven;
 *  - buffers are read only where written earlier in the program (the RTL's SRAMs are not
 *    cleared between runs), STOREs write only the store region and LOADs never read it
 *    (no DRAM race between store and load units, and no write over the program).
 *
 * An instruction whose pop waits for a push that never comes is stuck, and so is every
 * later instruction of its unit; their accesses never happen and are not checked. Which
 * pushes never come depends on which instructions are stuck, so tf_analyze iterates to a
 * fixed point. Fetch blocking on a full queue can only stop more instructions, so
 * treating them as running is conservative.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_fuzz.h"

static const int tok_prod[4] = { [TF_L2C] = TF_LOAD, [TF_C2L] = TF_COMPUTE,
				 [TF_C2S] = TF_COMPUTE, [TF_S2C] = TF_STORE };
static const int tok_cons[4] = { [TF_L2C] = TF_COMPUTE, [TF_C2L] = TF_LOAD,
				 [TF_C2S] = TF_STORE, [TF_S2C] = TF_COMPUTE };
static const char *const unit_name[3] = { "LOAD", "GEMM", "STORE" };

int tf_tok_prod(int tok) { return tok_prod[tok]; }
int tf_tok_cons(int tok) { return tok_cons[tok]; }

int tf_unit(const struct tern_insn *in)
{
	switch (tern_get_opcode(in)) {
	case TERN_OP_LOAD: return TF_LOAD;
	case TERN_OP_GEMM: return TF_COMPUTE;
	case TERN_OP_STORE: return TF_STORE;
	default: return -1;
	}
}

unsigned tf_pops(const struct tern_insn *in)
{
	switch (tf_unit(in)) {
	case TF_LOAD: return tern_get_pop_next(in) ? 1u << TF_C2L : 0;
	case TF_COMPUTE:
		return (tern_get_pop_prev(in) ? 1u << TF_L2C : 0) | (tern_get_pop_next(in) ? 1u << TF_S2C : 0);
	case TF_STORE: return tern_get_pop_prev(in) ? 1u << TF_C2S : 0;
	default: return 0;
	}
}

unsigned tf_pushes(const struct tern_insn *in)
{
	switch (tf_unit(in)) {
	case TF_LOAD: return tern_get_push_next(in) ? 1u << TF_L2C : 0;
	case TF_COMPUTE:
		return (tern_get_push_prev(in) ? 1u << TF_C2L : 0) | (tern_get_push_next(in) ? 1u << TF_C2S : 0);
	case TF_STORE: return tern_get_push_prev(in) ? 1u << TF_S2C : 0;
	default: return 0;
	}
}

int tf_an_init(struct tf_an *a, const struct tern_hw_config *c, const struct tf_prog *p)
{
	const uint32_t depth[3] = { c->wbuf_depth, c->abuf_depth, c->acc_depth };
	int b;

	memset(a, 0, sizeof(*a));
	a->c = c;
	a->args.insn_base = TF_BASE;
	a->args.insn_count = p->count;
	a->args.dma_base = TF_BASE;
	a->args.dma_limit = TF_BASE + p->window;
	a->st_lo = p->st_lo;
	a->st_hi = p->st_hi;
	for (b = 0; b < 3; b++) {
		a->lw[b] = malloc(depth[b] * sizeof(int32_t));
		a->lr[b] = malloc(depth[b] * sizeof(int32_t));
		if (!a->lw[b] || !a->lr[b]) {
			tf_an_free(a);
			return -1;
		}
		memset(a->lw[b], 0xff, depth[b] * sizeof(int32_t));
		memset(a->lr[b], 0xff, depth[b] * sizeof(int32_t));
	}
	for (b = 0; b < 3; b++)
		a->stuck_at[b] = UINT32_MAX;
	return 0;
}

void tf_an_free(struct tf_an *a)
{
	int b;

	for (b = 0; b < 3; b++) {
		free(a->lw[b]);
		free(a->lr[b]);
		a->lw[b] = a->lr[b] = NULL;
	}
}

static void raise_need(uint32_t need[3], int unit, int32_t last)
{
	if (last >= 0 && need[unit] < (uint32_t)last + 1)
		need[unit] = (uint32_t)last + 1;
}

/* Rows [addr + i*stride, + span) for i < y: any byte in [lo, hi)? (64-bit, no wrap) */
static int rows_touch(uint64_t addr, uint64_t stride, uint32_t y, uint64_t span, uint64_t lo,
		      uint64_t hi)
{
	uint32_t i;

	for (i = 0; i < y; i++) {
		uint64_t a = addr + i * stride;
		if (a < hi && a + span > lo)
			return 1;
		if (!stride)
			break;
	}
	return 0;
}

/* Rows all inside [lo, hi)? */
static int rows_inside(uint64_t addr, uint64_t stride, uint32_t y, uint64_t span, uint64_t lo,
		       uint64_t hi)
{
	uint64_t last = addr + (uint64_t)(y - 1) * stride;

	return addr >= lo && last + span <= hi;
}

/*
 * Walk the entries an instruction touches. commit 0: fill need[] and check that every
 * entry read was written; commit 1: record the instruction (unit index idx) as the last
 * writer / reader.
 */
static int walk(const struct tf_an *a, const struct tern_insn *in, uint32_t need[3], int commit,
		uint32_t idx, char *why, size_t n)
{
	const struct tern_hw_config *c = a->c;
	uint32_t e, t, k;

	switch (tf_unit(in)) {
	case TF_LOAD: {
		int b = tern_get_load_buf(in);
		uint32_t x = tern_get_load_x_size(in), y = tern_get_load_y_size(in);
		uint32_t s = tern_get_load_sram_base(in);
		uint64_t row = (uint64_t)x * tern_entry_bytes(c, b, tern_get_load_wfmt(in));
		uint64_t span = (row + c->bus_bytes - 1) / c->bus_bytes * c->bus_bytes;

		if (!commit && rows_touch(tern_get_load_dram_addr(in), tern_get_load_dram_stride(in), y,
					  span, a->st_lo, a->st_hi)) {
			snprintf(why, n, "LOAD reads the store region (a DRAM race with the store unit)");
			return -1;
		}
		for (e = s; e < s + x * y; e++) {
			if (commit)
				a->lw[b][e] = (int32_t)idx;
			else
				raise_need(need, TF_COMPUTE, a->lr[b][e]);
		}
		return 0;
	}
	case TF_COMPUTE: {
		uint32_t wb = tern_get_gemm_wbuf_base(in), ab = tern_get_gemm_abuf_base(in);
		uint32_t acc = tern_get_gemm_acc_base(in), kc = tern_get_gemm_k_chunks(in);
		uint32_t nt = tern_get_gemm_n_tokens(in), as = tern_get_gemm_abuf_stride(in);
		int reset = tern_get_gemm_reset(in);

		if ((uint64_t)nt * kc > (1u << 20)) {
			snprintf(why, n, "GEMM too large for the fuzzer (%u x %u steps)", nt, kc);
			return -1;
		}
		for (k = 0; k < kc; k++) {
			e = wb + k;
			if (commit) {
				a->lr[0][e] = (int32_t)idx;
			} else if (a->lw[0][e] < 0) {
				snprintf(why, n, "GEMM reads WBUF %u, never written", e);
				return -1;
			} else {
				raise_need(need, TF_LOAD, a->lw[0][e]);
			}
		}
		for (t = 0; t < nt; t++) {
			for (k = 0; k < kc; k++) {
				e = ab + t * as + k;
				if (commit) {
					a->lr[1][e] = (int32_t)idx;
				} else if (a->lw[1][e] < 0) {
					snprintf(why, n, "GEMM reads ABUF %u, never written", e);
					return -1;
				} else {
					raise_need(need, TF_LOAD, a->lw[1][e]);
				}
			}
			e = acc + t;
			if (commit) {
				a->lw[2][e] = (int32_t)idx;
			} else {
				if (!reset && a->lw[2][e] < 0) {
					snprintf(why, n, "GEMM accumulates onto ACC %u, never written", e);
					return -1;
				}
				raise_need(need, TF_STORE, a->lr[2][e]);
			}
		}
		return 0;
	}
	case TF_STORE: {
		uint32_t acc = tern_get_store_acc_base(in), y = tern_get_store_y_size(in);

		if (!commit && !rows_inside(tern_get_store_dram_addr(in), tern_get_store_dram_stride(in), y,
					    c->rows * 4, a->st_lo, a->st_hi)) {
			snprintf(why, n, "STORE writes outside the store region");
			return -1;
		}
		for (e = acc; e < acc + y; e++) {
			if (commit) {
				a->lr[2][e] = (int32_t)idx;
			} else if (a->lw[2][e] < 0) {
				snprintf(why, n, "STORE reads ACC %u, never written", e);
				return -1;
			} else {
				raise_need(need, TF_COMPUTE, a->lw[2][e]);
			}
		}
		return 0;
	}
	default:
		snprintf(why, n, "not a LOAD, GEMM or STORE");
		return -1;
	}
}

int tf_an_need(const struct tf_an *a, const struct tern_insn *in, uint32_t need[3], char *why,
	       size_t n)
{
	need[0] = need[1] = need[2] = 0;
	return walk(a, in, need, 0, 0, why, n);
}

int tf_an_step(struct tf_an *a, const struct tern_insn *in, uint32_t index, char *why, size_t n)
{
	int u = tf_unit(in), tok, p;
	unsigned pops = tf_pops(in), pushes = tf_pushes(in);
	uint32_t need[3];

	if (u < 0) {
		snprintf(why, n, "insn %u: not a LOAD, GEMM or STORE", index);
		return -1;
	}
	if (a->nu[u] >= a->stuck_at[u]) { /* its unit waits forever before it */
		a->nu[u]++;
		return 0;
	}
	for (tok = 0; tok < 4; tok++) {
		uint32_t k;
		if (!(pops & (1u << tok)))
			continue;
		k = a->npop[tok]++;
		if (k >= a->npush[tok] || a->push[tok][k] >= a->stuck_at[tok_prod[tok]]) {
			a->stuck_at[u] = a->nu[u]++;
			return 0;
		}
		if (a->front[u][tok_prod[tok]] < a->push[tok][k] + 1)
			a->front[u][tok_prod[tok]] = a->push[tok][k] + 1;
	}
	if (tf_an_need(a, in, need, why, n)) {
		char tmp[160];
		snprintf(tmp, sizeof(tmp), "insn %u (%s): %s", index, unit_name[u], why);
		snprintf(why, n, "%s", tmp);
		return -1;
	}
	for (p = 0; p < 3; p++) {
		if (need[p] > a->front[u][p]) {
			snprintf(why, n, "insn %u (%s) races with %s number %u of its unit (from 0): no token orders them",
				 index, unit_name[u], unit_name[p], need[p] - 1);
			return -1;
		}
	}
	walk(a, in, need, 1, a->nu[u], why, n);
	if (!a->prefilled)
		for (tok = 0; tok < 4; tok++)
			if (pushes & (1u << tok))
				a->push[tok][a->npush[tok]++] = a->nu[u];
	a->nu[u]++;
	return 0;
}

uint32_t tf_stop_index(const struct tern_hw_config *c, const struct tf_prog *p)
{
	struct tern_ref_args args = { TF_BASE, p->count, TF_BASE, TF_BASE + p->window };
	uint32_t i;

	for (i = 0; i < p->n && i < p->count; i++) {
		if (tern_ref_check_insn(c, &args, &p->in[i]) != TERN_ERR_OK ||
		    tern_get_opcode(&p->in[i]) == TERN_OP_END)
			return i;
	}
	return i;
}

int tf_analyze(const struct tern_hw_config *c, const struct tf_prog *p, char *why, size_t n)
{
	struct tf_an a;
	uint32_t stop, i, nu[3], stuck[3];
	int tok, iter, b, rc = 0;
	const uint32_t depth[3] = { c->wbuf_depth, c->abuf_depth, c->acc_depth };

	if (p->n > TF_MAX_INSNS) {
		snprintf(why, n, "more than %u instructions", TF_MAX_INSNS);
		return -1;
	}
	if (tf_an_init(&a, c, p)) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	stop = tf_stop_index(c, p);
	/* every push of the program, in each producer's order */
	memset(nu, 0, sizeof(nu));
	for (i = 0; i < stop; i++) {
		int u = tf_unit(&p->in[i]);
		unsigned pu = tf_pushes(&p->in[i]);
		for (tok = 0; tok < 4; tok++)
			if (pu & (1u << tok))
				a.push[tok][a.npush[tok]++] = nu[u];
		nu[u]++;
	}
	a.prefilled = 1;
	/* iterate until the set of stuck instructions is stable, then check for real */
	for (iter = 0; iter < 3 * TF_MAX_INSNS; iter++) {
		memcpy(stuck, a.stuck_at, sizeof(stuck));
		memset(a.nu, 0, sizeof(a.nu));
		memset(a.npop, 0, sizeof(a.npop));
		memset(a.front, 0, sizeof(a.front));
		for (b = 0; b < 3; b++) {
			memset(a.lw[b], 0xff, depth[b] * sizeof(int32_t));
			memset(a.lr[b], 0xff, depth[b] * sizeof(int32_t));
		}
		rc = 0;
		for (i = 0; i < stop && !rc; i++)
			rc = tf_an_step(&a, &p->in[i], i, why, n);
		if (!memcmp(stuck, a.stuck_at, sizeof(stuck)))
			break;
	}
	tf_an_free(&a);
	return rc;
}

void tf_disasm(const struct tern_insn *in, char *out, size_t n)
{
	unsigned op = tern_get_opcode(in);
	int k = 0;

	switch (op) {
	case TERN_OP_LOAD:
		k = snprintf(out, n, "LOAD buf=%u wfmt=%u sram=%u x=%u y=%u addr=0x%x stride=0x%x",
			     tern_get_load_buf(in), tern_get_load_wfmt(in), tern_get_load_sram_base(in),
			     tern_get_load_x_size(in), tern_get_load_y_size(in),
			     tern_get_load_dram_addr(in), tern_get_load_dram_stride(in));
		break;
	case TERN_OP_GEMM:
		k = snprintf(out, n, "GEMM reset=%u wbuf=%u abuf=%u acc=%u k=%u n=%u astride=%u",
			     tern_get_gemm_reset(in), tern_get_gemm_wbuf_base(in),
			     tern_get_gemm_abuf_base(in), tern_get_gemm_acc_base(in),
			     tern_get_gemm_k_chunks(in), tern_get_gemm_n_tokens(in),
			     tern_get_gemm_abuf_stride(in));
		break;
	case TERN_OP_STORE:
		k = snprintf(out, n, "STORE acc=%u y=%u addr=0x%x stride=0x%x", tern_get_store_acc_base(in),
			     tern_get_store_y_size(in), tern_get_store_dram_addr(in),
			     tern_get_store_dram_stride(in));
		break;
	case TERN_OP_END:
		k = snprintf(out, n, "END");
		break;
	default:
		k = snprintf(out, n, "opcode %u", op);
		break;
	}
	if (k >= 0 && (size_t)k < n)
		snprintf(out + k, n - k, "%s%s%s%s", tern_get_pop_prev(in) ? " pop_prev" : "",
			 tern_get_pop_next(in) ? " pop_next" : "", tern_get_push_prev(in) ? " push_prev" : "",
			 tern_get_push_next(in) ? " push_next" : "");
}
