/*
 * tern_ref_run: the reference model's fetch unit, instruction queues, dependency
 * tokens and scheduler (docs/isa.md "Machine model", "Checks and errors").
 *
 * The device is modelled as a Kahn process network: fetch and the three units are
 * processes, the queues bounded FIFOs and the token counters unbounded channels. Each
 * step either lets fetch take the next instruction (it reads it, checks it, and, if it
 * passed, waits for room in its unit's queue) or runs one unit's head instruction
 * whose pop tokens are available, start to finish, as one atomic action. Because each
 * process reads its inputs in a fixed order, the final state (DRAM image, counters,
 * error) of a correctly synchronised program does not depend on which runnable process
 * goes first. We still fix the choice (fetch as far as it can, then the runnable head
 * with the smallest instruction index) so that even a racy program gives one answer.
 *
 * Counters count exactly what happened: an instruction counts in INSNS (and LOADS,
 * GEMMS, STORES and their events) when it has executed, END when fetch accepts it;
 * FETCH_BYTES counts 16 bytes per instruction read from DRAM and checked, as the RTL
 * does: that includes the instruction that fails a check (its bytes did cross the bus).
 * The failing instruction, and instructions left waiting in a queue by a deadlock,
 * count nowhere else.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_pool.h"
#include "tern_ref_priv.h"

enum { UNIT_LOAD, UNIT_COMPUTE, UNIT_STORE, UNIT_COUNT };
enum { TOK_L2C, TOK_C2L, TOK_C2S, TOK_S2C, TOK_NONE };

/*
 * Token counter each dependency flag of each unit uses: [unit][pop_prev, pop_next,
 * push_prev, push_next]. TOK_NONE entries are flags the static checks reject.
 */
static const uint8_t unit_tok[UNIT_COUNT][4] = {
	[UNIT_LOAD] = { TOK_NONE, TOK_C2L, TOK_NONE, TOK_L2C },
	[UNIT_COMPUTE] = { TOK_L2C, TOK_S2C, TOK_C2L, TOK_C2S },
	[UNIT_STORE] = { TOK_C2S, TOK_NONE, TOK_S2C, TOK_NONE },
};

/* A bounded FIFO of checked instructions and their program indices. */
struct queue {
	struct tern_insn *insn;
	uint32_t *index;
	uint32_t head, count, cap;
};

struct run {
	struct tern_ref_state st;
	const struct tern_ref_args *args;
	struct queue q[UNIT_COUNT];
	uint64_t tok[4];       /* l2c, c2l, c2s, s2c; wide enough never to saturate */
	uint32_t pc;           /* index of the next instruction fetch reads */
	int fetch_stopped;     /* END accepted or a fetch-time error found */
	int end_seen;
	uint32_t err, err_insn; /* fetch-time error, if any */
	int have_pending;      /* insn at pc read and checked, waiting for queue room */
	struct tern_insn pending;
};

static int queue_init(struct queue *q, uint32_t cap)
{
	q->insn = calloc(cap, sizeof(*q->insn));
	q->index = calloc(cap, sizeof(*q->index));
	q->head = q->count = 0;
	q->cap = cap;
	return q->insn && q->index ? 0 : -1;
}

static void queue_free(struct queue *q)
{
	free(q->insn);
	free(q->index);
}

static void queue_push(struct queue *q, const struct tern_insn *in, uint32_t index)
{
	uint32_t tail = (q->head + q->count) % q->cap;

	q->insn[tail] = *in;
	q->index[tail] = index;
	q->count++;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void fetch_fail(struct run *r, uint32_t err)
{
	r->err = err;
	r->err_insn = r->pc;
	r->fetch_stopped = 1;
}

/*
 * Read and check the instruction at pc (once; it then waits in `pending`). Returns 1
 * if there is a checked instruction to dispatch, 0 if fetch has stopped.
 */
static int fetch_read(struct run *r)
{
	const struct tern_hw_config *cfg = r->st.cfg;
	const struct tern_ref_args *a = r->args;
	uint64_t addr = (uint64_t)a->insn_base + (uint64_t)TERN_INSN_BYTES * r->pc;
	uint32_t err;

	if (r->have_pending)
		return 1;
	if (r->pc == a->insn_count) {
		fetch_fail(r, TERN_ERR_NO_END);
		return 0;
	}
	if (a->insn_base % cfg->bus_bytes || addr < a->dma_base ||
	    addr + TERN_INSN_BYTES > a->dma_limit) {
		fetch_fail(r, TERN_ERR_FETCH_RANGE);
		return 0;
	}
	r->pending.w[0] = get_le64(r->st.dram + addr);
	r->pending.w[1] = get_le64(r->st.dram + addr + 8);
	r->st.cnt[TERN_CNT_FETCH_BYTES] += TERN_INSN_BYTES;
	err = tern_ref_check_insn(cfg, a, &r->pending);
	if (err) {
		fetch_fail(r, err);
		return 0;
	}
	r->have_pending = 1;
	return 1;
}

/* Let fetch run until it stops or its next instruction's queue is full. */
static void fetch_run(struct run *r)
{
	uint64_t *cnt = r->st.cnt;
	uint32_t op;
	struct queue *q;

	while (!r->fetch_stopped && fetch_read(r)) {
		op = tern_get_opcode(&r->pending);
		if (op == TERN_OP_END) {
			cnt[TERN_CNT_INSNS]++;
			r->end_seen = 1;
			r->fetch_stopped = 1;
			r->have_pending = 0;
			return;
		}
		/* Opcodes 1..3 are LOAD, GEMM, STORE: units 0..2. */
		q = &r->q[op - TERN_OP_LOAD];
		if (q->count == q->cap)
			return;
		queue_push(q, &r->pending, r->pc);
		r->have_pending = 0;
		r->pc++;
	}
}

/* The four flags of an instruction as bits 0..3: pop_prev, pop_next, push_prev, push_next. */
static unsigned insn_deps(const struct tern_insn *in)
{
	return (unsigned)(in->w[0] >> TERN_POP_PREV_LSB) & 0xf;
}

static int unit_can_start(const struct run *r, int u)
{
	const struct queue *q = &r->q[u];
	unsigned deps, f;

	if (!q->count)
		return 0;
	deps = insn_deps(&q->insn[q->head]);
	for (f = 0; f < 2; f++)
		if ((deps >> f & 1) && !r->tok[unit_tok[u][f]])
			return 0;
	return 1;
}

/* Runnable unit whose head instruction comes first in program order, or -1. */
static int pick_unit(const struct run *r)
{
	int u, best = -1;

	for (u = 0; u < UNIT_COUNT; u++)
		if (unit_can_start(r, u) &&
		    (best < 0 || r->q[u].index[r->q[u].head] < r->q[best].index[r->q[best].head]))
			best = u;
	return best;
}

/* Pop tokens, execute, push tokens: one instruction start to finish. */
static int unit_step(struct run *r, int u)
{
	struct queue *q = &r->q[u];
	struct tern_insn in = q->insn[q->head];
	uint32_t index = q->index[q->head];
	unsigned deps = insn_deps(&in), f;
	int rc = 0;

	q->head = (q->head + 1) % q->cap;
	q->count--;
	for (f = 0; f < 2; f++)
		if (deps >> f & 1)
			r->tok[unit_tok[u][f]]--;
	if (r->st.fast && u == UNIT_LOAD)
		tern_ref_fast_load(&r->st, &in);
	else if (r->st.fast && u == UNIT_COMPUTE)
		tern_ref_fast_gemm(&r->st, &in);
	else if (r->st.fast)
		tern_ref_fast_store(&r->st, &in);
	else if (u == UNIT_LOAD)
		tern_ref_exec_load(&r->st, &in);
	else if (u == UNIT_COMPUTE)
		tern_ref_exec_gemm(&r->st, &in);
	else
		rc = tern_ref_exec_store(&r->st, &in, index);
	if (rc)
		return rc;
	r->st.cnt[TERN_CNT_INSNS]++;
	for (f = 2; f < 4; f++)
		if (deps >> f & 1)
			r->tok[unit_tok[u][f]]++;
	return 0;
}

/*
 * Nothing can move. A fetch-time error wins (docs/isa.md: a static error is reported
 * instead of the deadlock it may cause); otherwise any instruction left in a queue is
 * waiting on a token, and the smallest such index is the deadlock's.
 */
static void finish(struct run *r, struct tern_ref_result *res)
{
	uint32_t first = UINT32_MAX;
	int u, stuck = 0;

	if (r->err) {
		res->err = r->err;
		res->err_insn = r->err_insn;
		return;
	}
	for (u = 0; u < UNIT_COUNT; u++) {
		if (!r->q[u].count)
			continue;
		stuck = 1;
		if (r->q[u].index[r->q[u].head] < first)
			first = r->q[u].index[r->q[u].head];
	}
	if (stuck || !r->end_seen) {
		res->err = TERN_ERR_DEADLOCK;
		res->err_insn = first;
	}
}

static int args_ok(const struct tern_hw_config *cfg, const uint8_t *dram, uint64_t dram_size,
		   const struct tern_ref_args *args, const struct tern_ref_result *res)
{
	if (!tern_ref_config_valid(cfg) || !args || !res || (!dram && dram_size))
		return 0;
	return args->dma_limit <= dram_size;
}

/* One pass over the program: all rows, or rows r0..r1-1 in fast mode. */
static int run_one(const struct tern_hw_config *cfg, uint8_t *dram, uint64_t dram_size,
		   const struct tern_ref_args *args, tern_ref_write_fn on_write, void *ctx,
		   struct tern_ref_result *res, int fast, uint32_t r0, uint32_t r1)
{
	struct run *r;
	int u, rc = 0;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	if (tern_ref_state_init(&r->st, cfg, fast))
		goto oom;
	r->st.r0 = r0;
	r->st.r1 = r1;
	r->st.dram = dram;
	r->st.dram_size = dram_size;
	r->st.cnt = res->counters;
	r->st.on_write = on_write;
	r->st.ctx = ctx;
	r->args = args;
	for (u = 0; u < UNIT_COUNT; u++)
		if (queue_init(&r->q[u], cfg->queue_depth))
			goto oom;
	for (;;) {
		fetch_run(r);
		u = pick_unit(r);
		if (u < 0)
			break;
		rc = unit_step(r, u);
		if (rc)
			goto out;
	}
	finish(r, res);
	goto out;
oom:
	rc = -1;
out:
	for (u = 0; u < UNIT_COUNT; u++)
		queue_free(&r->q[u]);
	tern_ref_state_free(&r->st);
	free(r);
	return rc;
}

/*
 * Row slices in fast mode: every slice runs the whole program (control is the same
 * in each, so errors and counters agree) and computes only its rows; slices are whole
 * groups of 8 rows when ROWS allows, so the vector kernel sees full groups.
 */
#define SLICE_MAX 64

struct sliced {
	const struct tern_hw_config *cfg;
	uint8_t *dram;
	uint64_t dram_size;
	const struct tern_ref_args *args;
	struct tern_ref_result res[SLICE_MAX];
	int rc[SLICE_MAX];
	uint32_t unit, units;
};

static void slice_part(void *ctx, unsigned part, unsigned parts)
{
	struct sliced *p = ctx;
	uint32_t u0 = (uint32_t)((uint64_t)p->units * part / parts);
	uint32_t u1 = (uint32_t)((uint64_t)p->units * (part + 1) / parts);

	p->rc[part] = run_one(p->cfg, p->dram, p->dram_size, p->args, NULL, NULL, &p->res[part],
			      1, u0 * p->unit, u1 * p->unit);
}

static int run_sliced(const struct tern_hw_config *cfg, uint8_t *dram, uint64_t dram_size,
		      const struct tern_ref_args *args, struct tern_ref_result *res)
{
	struct sliced *p = calloc(1, sizeof(*p));
	unsigned parts = tern_pool_threads(), i;
	int rc = 0;

	if (!p)
		return -1;
	p->cfg = cfg;
	p->dram = dram;
	p->dram_size = dram_size;
	p->args = args;
	p->unit = cfg->rows % 8 ? 1 : 8;
	p->units = cfg->rows / p->unit;
	if (parts > p->units)
		parts = p->units;
	if (parts > SLICE_MAX)
		parts = SLICE_MAX;
	if (parts < 1)
		parts = 1;
	tern_pool_run(slice_part, p, parts);
	*res = p->res[0];
	for (i = 0; i < parts; i++)
		if (p->rc[i])
			rc = p->rc[i];
	for (i = 1; i < parts; i++)
		res->counters[TERN_CNT_MACS_ZERO] += p->res[i].counters[TERN_CNT_MACS_ZERO];
	free(p);
	return rc;
}

int tern_ref_run(const struct tern_hw_config *cfg, uint8_t *dram, uint64_t dram_size,
		 const struct tern_ref_args *args, tern_ref_write_fn on_write, void *ctx,
		 struct tern_ref_result *res)
{
	if (res)
		memset(res, 0, sizeof(*res));
	if (!args_ok(cfg, dram, dram_size, args, res))
		return -1;
	/* A write callback (lockstep) needs the one-pass store order: no fast mode. */
	if (!on_write && tern_ref_fast_ok(cfg, dram, dram_size, args))
		return run_sliced(cfg, dram, dram_size, args, res);
	return run_one(cfg, dram, dram_size, args, on_write, ctx, res, 0, 0, cfg->rows);
}
