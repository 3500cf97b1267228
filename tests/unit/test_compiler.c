/*
 * Compiler tests: plan -> pack -> compile -> run -> unpack, compared with the plain
 * golden matmul of ref/ (never with the compiler's own idea of the answer).
 *
 * Each layer runs twice. Once on the reference model, which also checks every
 * instruction, the DMA window, deadlock and the event counters. Once on a small
 * functional simulator kept here (sim_run) that schedules the units adversarially
 * (random order, or producers as far ahead as the tokens let them), because the
 * reference model runs the earliest runnable instruction first and so would hide a
 * missing token; a race shows up there as a wrong output. The simulator decodes the
 * weight bytes with its own reading of docs/isa.md, which checks the packing too.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_compile.h"
#include "tern_ref.h"

/* ------------------------------------------------------------ helpers */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t rng_in(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rng_next(s) % (hi - lo + 1));
}

static struct tern_hw_config preset(const char *name)
{
	for (int i = 0; i < TERN_PRESET_COUNT; i++)
		if (!strcmp(tern_hw_presets[i].name, name))
			return tern_hw_presets[i].cfg;
	cr_assert_fail("no preset %s", name);
	return tern_hw_presets[0].cfg;
}

static uint64_t align64(uint64_t a)
{
	return (a + 63) & ~63ull;
}

/* Region alignment: 64 and BUS_BYTES (which need not be a power of two). */
static uint64_t align_reg(const struct tern_hw_config *cfg, uint64_t a)
{
	uint64_t q = cfg->bus_bytes % 64 == 0 ? cfg->bus_bytes : 64ull * cfg->bus_bytes;

	return (a + q - 1) / q * q;
}

/* A DRAM image holding one compiled layer: weights, acts, outputs, then program. */
struct image {
	uint8_t *dram;
	uint64_t size;
	struct tern_addrs a;
	struct tern_ref_args args;
};

static void image_build(const struct tern_hw_config *cfg, const struct tern_layer *l,
			const struct tern_layout *lo, const int8_t *w, const int8_t *x,
			struct tern_program *p, struct image *im)
{
	char err[160] = "";
	uint64_t insn;

	im->a.w = (uint32_t)align_reg(cfg, 1); /* a non-zero DMA base */
	im->a.x = (uint32_t)align_reg(cfg, im->a.w + lo->w_bytes);
	im->a.y = (uint32_t)align_reg(cfg, im->a.x + lo->x_bytes);
	cr_assert_eq(tern_compile(cfg, l, lo, &im->a, p, err, sizeof(err)), 0, "compile: %s", err);
	insn = align_reg(cfg, im->a.y + lo->y_bytes);
	im->size = insn + 16ull * p->count;
	im->dram = malloc(im->size);
	cr_assert(im->dram);
	memset(im->dram, 0xee, im->size);
	tern_pack_weights(cfg, l, lo, w, im->dram + im->a.w);
	tern_pack_acts(cfg, l, lo, x, im->dram + im->a.x);
	memset(im->dram + im->a.y, 0xa5, lo->y_bytes); /* a missed STORE shows */
	for (uint32_t i = 0; i < p->count; i++)
		for (int b = 0; b < 16; b++)
			im->dram[insn + 16 * i + b] = (uint8_t)(p->insns[i].w[b / 8] >> (8 * (b % 8)));
	im->args = (struct tern_ref_args){ .insn_base = (uint32_t)insn, .insn_count = p->count,
					   .dma_base = im->a.w, .dma_limit = (uint32_t)im->size };
}

/* STOREs may only write the output region. */
struct wr_ctx {
	uint64_t lo, hi;
	int bad;
};

static int on_write(void *ctx, uint32_t insn_index, uint64_t addr, const uint8_t *data,
		    uint32_t len)
{
	struct wr_ctx *c = ctx;

	(void)insn_index;
	(void)data;
	if (addr < c->lo || addr + len > c->hi)
		c->bad = 1;
	return 0;
}

/* ------------------------------------------------------------ adversarial simulator */

/*
 * Policies: 0 random (fetch included); 1..3 fetch as far as the queues allow, then
 * the first runnable unit in the order load>store>compute (loads run ahead: catches a
 * load overwriting a half still in use), compute>load>store (compute eager, stores
 * late: catches a GEMM before its data or over an undrained ACC half), and
 * store>compute>load.
 */
static const int sim_order[4][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 2, 1, 0 } };

struct sim {
	const struct tern_hw_config *c;
	const struct tern_program *p;
	uint8_t *dram;
	int8_t *wbuf, *abuf; /* WBUF decoded: entry e, code i at e*R*L + i */
	uint32_t *acc;       /* entry e, row r at e*R + r */
	uint32_t *q[3], head[3], cnt[3];
	uint32_t pc, tok[4];
	int ended;
	const char *what;
};

/* Token counter of [unit][pop_prev, pop_next, push_prev, push_next]: l2c c2l c2s s2c. */
static const int sim_tok[3][4] = { { -1, 1, -1, 0 }, { 0, 3, 1, 2 }, { 2, -1, 3, -1 } };

static int8_t sim_weight(const uint8_t *entry, uint32_t wfmt, uint32_t i)
{
	static const int p3[5] = { 1, 3, 9, 27, 81 };
	int code = wfmt ? entry[i / 5] / p3[i % 5] % 3 : entry[i / 4] >> (2 * (i % 4)) & 3;

	return code == 0 ? -1 : code == 2 ? 1 : 0;
}

/* docs/isa.md's entry stride, written out here independently of the library: pad(E). */
static uint32_t sim_stride(uint32_t used, uint32_t bus)
{
	uint32_t p = 1;

	if (used >= bus)
		return (used + bus - 1) / bus * bus;
	while (p < used)
		p *= 2;
	return p;
}

static void sim_load(struct sim *s, const struct tern_insn *in)
{
	uint32_t rl = s->c->rows * s->c->lanes, buf = tern_get_load_buf(in);
	uint32_t wfmt = tern_get_load_wfmt(in), xs = tern_get_load_x_size(in);
	uint32_t e = sim_stride(buf ? s->c->lanes : wfmt ? (rl + 4) / 5 : (rl + 3) / 4,
			       s->c->bus_bytes);
	uint32_t depth = buf ? s->c->abuf_depth : s->c->wbuf_depth;

	for (uint32_t y = 0; y < tern_get_load_y_size(in); y++) {
		for (uint32_t x = 0; x < xs; x++) {
			uint32_t ent = tern_get_load_sram_base(in) + y * xs + x;
			const uint8_t *src = s->dram + tern_get_load_dram_addr(in) +
					     (uint64_t)y * tern_get_load_dram_stride(in) + (uint64_t)x * e;

			cr_assert_lt(ent, depth, "%s", s->what);
			if (buf)
				memcpy(s->abuf + (size_t)ent * s->c->lanes, src, s->c->lanes);
			else
				for (uint32_t i = 0; i < rl; i++)
					s->wbuf[(size_t)ent * rl + i] = sim_weight(src, wfmt, i);
		}
	}
}

static void sim_gemm(struct sim *s, const struct tern_insn *in)
{
	uint32_t R = s->c->rows, L = s->c->lanes;

	for (uint32_t n = 0; n < tern_get_gemm_n_tokens(in); n++) {
		uint32_t ae = tern_get_gemm_acc_base(in) + n;
		uint32_t ab = tern_get_gemm_abuf_base(in) + n * tern_get_gemm_abuf_stride(in);

		cr_assert_lt(ae, s->c->acc_depth, "%s", s->what);
		for (uint32_t r = 0; r < R; r++) {
			uint32_t sum = tern_get_gemm_reset(in) ? 0 : s->acc[(size_t)ae * R + r];

			for (uint32_t c = 0; c < tern_get_gemm_k_chunks(in); c++) {
				const int8_t *w = s->wbuf + (size_t)(tern_get_gemm_wbuf_base(in) + c) * R * L +
						  (size_t)r * L;
				const int8_t *a = s->abuf + (size_t)(ab + c) * L;

				for (uint32_t l = 0; l < L; l++)
					sum += (uint32_t)(w[l] * a[l]);
			}
			s->acc[(size_t)ae * R + r] = sum;
		}
	}
}

static void sim_store(struct sim *s, const struct tern_insn *in)
{
	for (uint32_t y = 0; y < tern_get_store_y_size(in); y++) {
		uint8_t *dst = s->dram + tern_get_store_dram_addr(in) +
			       (uint64_t)y * tern_get_store_dram_stride(in);
		const uint32_t *src = s->acc + (size_t)(tern_get_store_acc_base(in) + y) * s->c->rows;

		for (uint32_t r = 0; r < s->c->rows; r++)
			for (int b = 0; b < 4; b++)
				dst[4 * r + b] = (uint8_t)(src[r] >> (8 * b));
	}
}

static int sim_can_fetch(const struct sim *s)
{
	uint32_t op;

	if (s->ended)
		return 0;
	op = tern_get_opcode(&s->p->insns[s->pc]);
	return op == TERN_OP_END || s->cnt[op - 1] < s->c->queue_depth;
}

static void sim_fetch(struct sim *s)
{
	uint32_t op = tern_get_opcode(&s->p->insns[s->pc]);

	if (op == TERN_OP_END) {
		s->ended = 1;
		return;
	}
	s->q[op - 1][(s->head[op - 1] + s->cnt[op - 1]++) % s->c->queue_depth] = s->pc++;
}

static int sim_can_run(const struct sim *s, int u)
{
	const struct tern_insn *in;

	if (!s->cnt[u])
		return 0;
	in = &s->p->insns[s->q[u][s->head[u]]];
	if (tern_get_pop_prev(in) && !s->tok[sim_tok[u][0]])
		return 0;
	return !(tern_get_pop_next(in) && !s->tok[sim_tok[u][1]]);
}

static void sim_step(struct sim *s, int u)
{
	const struct tern_insn *in = &s->p->insns[s->q[u][s->head[u]]];

	s->head[u] = (s->head[u] + 1) % s->c->queue_depth;
	s->cnt[u]--;
	if (tern_get_pop_prev(in))
		s->tok[sim_tok[u][0]]--;
	if (tern_get_pop_next(in))
		s->tok[sim_tok[u][1]]--;
	if (u == 0)
		sim_load(s, in);
	else if (u == 1)
		sim_gemm(s, in);
	else
		sim_store(s, in);
	if (tern_get_push_prev(in))
		s->tok[sim_tok[u][2]]++;
	if (tern_get_push_next(in))
		s->tok[sim_tok[u][3]]++;
}

/* Next action: 0..2 run that unit, 3 fetch, -1 nothing possible. */
static int sim_pick(struct sim *s, unsigned policy, uint64_t *rs)
{
	int cand[4], nc = 0;

	if (policy % 4 == 0) {
		for (int u = 0; u < 3; u++)
			if (sim_can_run(s, u))
				cand[nc++] = u;
		if (sim_can_fetch(s))
			cand[nc++] = 3;
		return nc ? cand[rng_next(rs) % nc] : -1;
	}
	if (sim_can_fetch(s))
		return 3;
	for (int i = 0; i < 3; i++)
		if (sim_can_run(s, sim_order[policy % 4][i]))
			return sim_order[policy % 4][i];
	return -1;
}

static void sim_run(const struct tern_hw_config *c, const struct tern_program *p, uint8_t *dram,
		    unsigned policy, uint64_t seed, const char *what)
{
	struct sim s = { .c = c, .p = p, .dram = dram, .what = what };
	uint64_t rs = seed | 1;
	int a;

	s.wbuf = calloc((size_t)c->wbuf_depth * c->rows * c->lanes, 1);
	s.abuf = calloc((size_t)c->abuf_depth * c->lanes, 1);
	s.acc = calloc((size_t)c->acc_depth * c->rows, 4);
	for (int u = 0; u < 3; u++)
		s.q[u] = calloc(c->queue_depth, 4);
	while ((a = sim_pick(&s, policy, &rs)) >= 0) {
		if (a == 3)
			sim_fetch(&s);
		else
			sim_step(&s, a);
	}
	cr_assert(s.ended && !s.cnt[0] && !s.cnt[1] && !s.cnt[2],
		  "%s: policy %u: deadlock at pc %u", what, policy, s.pc);
	cr_assert(!s.tok[0] && !s.tok[1] && !s.tok[2] && !s.tok[3],
		  "%s: tokens left over at END", what);
	free(s.wbuf);
	free(s.abuf);
	free(s.acc);
	for (int u = 0; u < 3; u++)
		free(s.q[u]);
}

/* ------------------------------------------------------------ one layer */

static void random_layer(uint64_t *s, uint32_t m, uint32_t k, uint32_t n, int8_t **w, int8_t **x)
{
	uint32_t zero_pct = rng_in(s, 0, 90);

	*w = malloc((size_t)m * k);
	*x = malloc((size_t)n * k);
	cr_assert(*w && *x);
	for (size_t i = 0; i < (size_t)m * k; i++)
		(*w)[i] = rng_in(s, 0, 99) < zero_pct ? 0 : (rng_next(s) & 1 ? 1 : -1);
	for (size_t i = 0; i < (size_t)n * k; i++)
		(*x)[i] = (int8_t)(rng_next(s) & 0xff);
}

/*
 * Compile, run and check one layer; policy < 0 skips the adversarial simulator.
 * Returns the layout so callers can check its shape.
 */
static struct tern_layout check_layer(const struct tern_hw_config *cfg, uint32_t m, uint32_t k,
				      uint32_t n, uint32_t wfmt, uint64_t seed, int policy)
{
	struct tern_layer l = { .m = m, .k = k, .n = n, .wfmt = wfmt };
	struct tern_layout lo;
	struct tern_traffic tr;
	struct tern_program p;
	struct tern_ref_result res;
	struct image im;
	char err[160] = "", what[160];
	int8_t *w, *x;
	int32_t *want, *got;
	uint64_t s = seed * 2654435761u + 1;

	snprintf(what, sizeof(what), "%ux%u array, M=%u K=%u N=%u wfmt=%u seed=%llu", cfg->rows,
		 cfg->lanes, m, k, n, wfmt, (unsigned long long)seed);
	cr_assert_eq(tern_layout_plan(cfg, &l, &lo, err, sizeof(err)), 0, "%s: plan: %s", what, err);
	random_layer(&s, m, k, n, &w, &x);
	want = malloc((size_t)n * m * 4);
	got = malloc((size_t)n * m * 4);
	tern_golden_matmul(w, x, want, m, k, n);
	image_build(cfg, &l, &lo, w, x, &p, &im);

	tern_layout_traffic(cfg, &l, &lo, &tr);
	cr_assert_eq(p.count, tr.insns, "%s: insn count", what);
	cr_assert_eq(tern_get_opcode(&p.insns[p.count - 1]), TERN_OP_END, "%s", what);
	for (uint32_t i = 0; i < p.count; i++)
		cr_assert_eq(tern_ref_check_insn(cfg, &im.args, &p.insns[i]), TERN_ERR_OK,
			     "%s: insn %u fails its check", what, i);

	struct wr_ctx wc = { im.a.y, im.a.y + lo.y_bytes, 0 };
	cr_assert_eq(tern_ref_run(cfg, im.dram, im.size, &im.args, on_write, &wc, &res), 0, "%s", what);
	cr_assert_eq(res.err, TERN_ERR_OK, "%s: device error %s at insn %u", what,
		     tern_err_name(res.err), res.err_insn);
	cr_assert_not(wc.bad, "%s: STORE outside the output region", what);
	tern_unpack_outputs(cfg, &l, &lo, im.dram + im.a.y, got);
	for (size_t i = 0; i < (size_t)n * m; i++)
		cr_assert_eq(got[i], want[i], "%s: Y[%zu][%zu] = %d, want %d", what, i / m, i % m,
			     got[i], want[i]);

	/* Counters: every padded MAC once, one (token, chunk) step per GEMM cycle. */
	cr_assert_eq(res.counters[TERN_CNT_MACS],
		     (uint64_t)n * lo.mt * cfg->rows * lo.kt * cfg->lanes, "%s: MACS", what);
	cr_assert_eq(res.counters[TERN_CNT_WBUF_RD], (uint64_t)lo.mt * n * lo.kt, "%s", what);
	cr_assert_eq(res.counters[TERN_CNT_DRAM_RD_BYTES], tr.rd_bytes, "%s: rd bytes", what);
	cr_assert_eq(res.counters[TERN_CNT_DRAM_WR_BYTES], tr.wr_bytes, "%s: wr bytes", what);
	cr_assert_eq(res.counters[TERN_CNT_INSNS], p.count, "%s: insns", what);

	if (policy >= 0) {
		memset(im.dram + im.a.y, 0xa5, lo.y_bytes);
		sim_run(cfg, &p, im.dram, (unsigned)policy, seed, what);
		tern_unpack_outputs(cfg, &l, &lo, im.dram + im.a.y, got);
		for (size_t i = 0; i < (size_t)n * m; i++)
			cr_assert_eq(got[i], want[i], "%s: policy %d: Y[%zu][%zu] = %d, want %d",
				     what, policy, i / m, i % m, got[i], want[i]);
	}
	tern_program_free(&p);
	free(im.dram);
	free(w);
	free(x);
	free(want);
	free(got);
	return lo;
}

/* ------------------------------------------------------------ tests */

/* Random shapes around and below the array size, both formats, every preset. */
Test(compiler, random_shapes_all_presets)
{
	uint64_t s = 12345;
	int runs = 0;

	for (int pi = 0; pi < TERN_PRESET_COUNT; pi++) {
		struct tern_hw_config cfg = tern_hw_presets[pi].cfg;
		uint32_t r = cfg.rows, ln = cfg.lanes, big = r >= 32;

		for (int i = 0; i < 44; i++) {
			uint32_t m = rng_in(&s, 1, big ? 2 * r + 3 : 5 * r + 3);
			uint32_t k = rng_in(&s, 1, big ? 3 * ln + 5 : 12 * ln + 5);
			uint32_t n = i % 5 == 0 ? 1 : rng_in(&s, 1, big ? 12 : 40);

			check_layer(&cfg, m, k, n, i & 1, s, i % 4);
			runs++;
		}
	}
	cr_assert_geq(runs, 200);
}

/* The edges the brief names: M=1, K=1, N=1, N=512, K=6912. */
Test(compiler, edge_shapes)
{
	static const char *const names[] = { "4x4", "8x8", "16x16", "32x32", "64x64" };

	for (int pi = 0; pi < 5; pi++) {
		struct tern_hw_config cfg = preset(names[pi]);

		for (uint32_t f = 0; f < 2; f++) {
			check_layer(&cfg, 1, 1, 1, f, 1, 0);
			check_layer(&cfg, 1, 7, 3, f, 2, 1);
			check_layer(&cfg, 5, 1, 2, f, 3, 2);
			check_layer(&cfg, cfg.rows, cfg.lanes, 1, f, 4, 3);
			check_layer(&cfg, cfg.rows + 1, cfg.lanes + 1, 2, f, 5, 0);
			check_layer(&cfg, 3, 6912, 2, f, 6, f ? 1 : -1);
			check_layer(&cfg, 2, 5, 512, f, 7, f ? 2 : -1);
		}
	}
}

/* Real shapes: a full BitNet 2B-4T decode step, a prefill slice, N = 65535. */
Test(compiler, bitnet_shapes_and_long_n)
{
	struct tern_hw_config c32 = preset("32x32"), c4 = preset("4x4"), c64 = preset("64x64");

	check_layer(&c32, 2560, 2560, 1, 0, 21, 0);
	check_layer(&c32, 2560, 6912, 1, 1, 22, -1);
	check_layer(&c32, 96, 2560, 128, 1, 23, 1);
	check_layer(&c32, 40, 6912, 40, 0, 24, -1);
	check_layer(&c64, 130, 2560, 20, 0, 25, 2);
	check_layer(&c4, 3, 5, 65535, 1, 26, 3);
	check_layer(&c32, 33, 40, 65535, 0, 27, -1);
}

/* Many N-blocks (ABUF halves alternate) and many K-blocks on the small preset. */
Test(compiler, blocks_small_preset)
{
	struct tern_hw_config cfg = preset("4x4");
	struct tern_layout lo;

	lo = check_layer(&cfg, 9, 900, 7, 0, 11, 1); /* K > half of WBUF: tiles split */
	cr_assert(lo.a_resident && lo.w_unit == 1 && lo.kt > lo.w_seg);
	lo = check_layer(&cfg, 6, 2100, 5, 1, 12, 0); /* streamed activations */
	cr_assert(!lo.a_resident && lo.kb > 1);
	lo = check_layer(&cfg, 7, 30, 700, 1, 13, 2); /* many N-blocks */
	cr_assert(lo.nblk > 2);
	lo = check_layer(&cfg, 5, 600, 300, 0, 14, 3); /* all three */
	cr_assert(lo.nblk > 1 && lo.w_unit == 1);
	lo = check_layer(&cfg, 9, 2100, 300, 0, 15, 1); /* streamed, K-blocks, N-blocks */
	cr_assert(!lo.a_resident && lo.nblk > 1 && lo.kb > 1);
}

/* Tiny, odd configs: queue depth 2, buffers a few entries deep, non-power-of-2 array. */
Test(compiler, odd_configs_and_shallow_queues)
{
	static const struct tern_hw_config cfgs[] = {
		{ 4, 4, 6, 12, 4, 8, 2 },
		{ 3, 5, 10, 40, 8, 12, 2 },
		{ 8, 2, 4, 64, 6, 32, 3 },
		{ 2, 3, 2, 2, 2, 1, 2 },
		{ 4, 4, 256, 1024, 256, 16, 1 },
	};
	uint64_t s = 99;

	for (size_t c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		for (int i = 0; i < 12; i++) {
			struct tern_hw_config cfg = cfgs[c];
			struct tern_layer l = { rng_in(&s, 1, 20), rng_in(&s, 1, 60),
						rng_in(&s, 1, 30), (uint32_t)i & 1 };
			struct tern_layout lo;
			char err[160];

			if (tern_layout_plan(&cfg, &l, &lo, err, sizeof(err)))
				continue; /* refusals are checked below */
			check_layer(&cfg, l.m, l.k, l.n, l.wfmt, s, i % 4);
		}
	}
	/* Every preset with queue depth 2 and 3. */
	for (int pi = 0; pi < TERN_PRESET_COUNT; pi++) {
		struct tern_hw_config cfg = tern_hw_presets[pi].cfg;

		for (uint32_t q = 2; q <= 3; q++) {
			cfg.queue_depth = q;
			check_layer(&cfg, 2 * cfg.rows + 1, 3 * cfg.lanes - 1, 3, q & 1, q, 1);
		}
	}
}

/* The weight layout is a function of (M, K, wfmt, config) only. */
Test(compiler, weight_layout_independent_of_n)
{
	for (int pi = 0; pi < TERN_PRESET_COUNT; pi++) {
		struct tern_hw_config cfg = tern_hw_presets[pi].cfg;
		static const uint32_t ks[] = { 1, 100, 2560, 6912 };

		for (size_t ki = 0; ki < 4; ki++) {
			struct tern_layer l = { 70, ks[ki], 1, ki & 1 };
			struct tern_layout a, b;
			int8_t *w = calloc((size_t)l.m * l.k, 1);
			uint8_t *pa, *pb;

			for (size_t i = 0; i < (size_t)l.m * l.k; i++)
				w[i] = (int8_t)(i * 7 % 3) - 1;
			cr_assert_eq(tern_layout_plan(&cfg, &l, &a, NULL, 0), 0);
			static const uint32_t ns[] = { 2, 7, 128, 257, 512, 4097, 40000, 65535 };

			for (size_t ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++) {
				l.n = ns[ni];
				cr_assert_eq(tern_layout_plan(&cfg, &l, &b, NULL, 0), 0, "N=%u", l.n);
				cr_assert_eq(a.w_bytes, b.w_bytes);
				cr_assert(a.kcb == b.kcb && a.kb == b.kb && a.mt == b.mt);
				cr_assert(a.w_seg == b.w_seg && a.w_nseg == b.w_nseg &&
					  a.w_unit == b.w_unit && a.w_blk_stride == b.w_blk_stride);
			}
			pa = malloc(a.w_bytes);
			pb = malloc(b.w_bytes);
			tern_pack_weights(&cfg, &l, &a, w, pa);
			tern_pack_weights(&cfg, &l, &b, w, pb);
			cr_assert_eq(memcmp(pa, pb, a.w_bytes), 0);
			free(pa);
			free(pb);
			free(w);
		}
	}
}

/* N up to the 16-bit limits and beyond: planning works, every insn passes its check. */
Test(compiler, large_n_plans_and_checks)
{
	struct tern_hw_config cfg = preset("32x32");
	struct tern_layer l = { 64, 64, 65535, 0 };
	struct tern_layout lo;
	struct tern_program p;
	struct tern_addrs a = { 0, 0, 0 };
	struct tern_ref_args args = { 0, 1, 0, UINT32_MAX };
	char err[160];

	cr_assert_eq(tern_layout_plan(&cfg, &l, &lo, err, sizeof(err)), 0, "%s", err);
	a.x = (uint32_t)align64(lo.w_bytes);
	a.y = (uint32_t)align64(a.x + lo.x_bytes);
	cr_assert_eq(tern_compile(&cfg, &l, &lo, &a, &p, err, sizeof(err)), 0, "%s", err);
	for (uint32_t i = 0; i < p.count; i++)
		cr_assert_eq(tern_ref_check_insn(&cfg, &args, &p.insns[i]), TERN_ERR_OK, "insn %u", i);
	tern_program_free(&p);
}

static void expect_refusal(const struct tern_hw_config *cfg, struct tern_layer l, const char *part)
{
	struct tern_layout lo;
	char err[160] = "";

	cr_assert_eq(tern_layout_plan(cfg, &l, &lo, err, sizeof(err)), -1, "no refusal for %s", part);
	cr_assert(strstr(err, part), "message '%s' lacks '%s'", err, part);
	cr_assert(!strchr(err, '\n'));
}

Test(compiler, plan_refuses_impossible)
{
	struct tern_hw_config cfg = preset("32x32"), bad;
	struct tern_layer ok = { 64, 64, 4, 0 };

	bad = cfg;
	bad.bus_bytes = 48;
	expect_refusal(&bad, ok, "BUS_BYTES");
	bad = cfg;
	bad.wbuf_depth = 1;
	expect_refusal(&bad, ok, "double buffering");
	bad = cfg;
	bad.rows = 0;
	expect_refusal(&bad, ok, "config: ROWS must be 1..");
	expect_refusal(&cfg, (struct tern_layer){ 0, 64, 4, 0 }, ">= 1");
	expect_refusal(&cfg, (struct tern_layer){ 64, 64, 0, 0 }, ">= 1");
	expect_refusal(&cfg, (struct tern_layer){ 64, 64, 4, 2 }, "weight format");
	expect_refusal(&cfg, (struct tern_layer){ 64, 100000, 65535, 0 }, "32-bit");
	/* Streamed K-blocks must be BUS-aligned: 4 lanes, 64-byte bus, 2-entry halves. */
	bad = (struct tern_hw_config){ 16, 4, 4, 4, 4, 64, 4 };
	expect_refusal(&bad, (struct tern_layer){ 16, 100, 1, 0 }, "K too large");
}

Test(compiler, compile_refuses_bad_addresses)
{
	struct tern_hw_config cfg = preset("32x32");
	struct tern_layer l = { 64, 64, 4, 0 };
	struct tern_layout lo;
	struct tern_program p;
	char err[160];

	cr_assert_eq(tern_layout_plan(&cfg, &l, &lo, NULL, 0), 0);
	cr_assert_eq(tern_compile(&cfg, &l, &lo, &(struct tern_addrs){ 0, 4096, 8200 }, &p, err,
				  sizeof(err)), -1);
	cr_assert(strstr(err, "BUS_BYTES"), "%s", err);
	cr_assert_eq(tern_compile(&cfg, &l, &lo, &(struct tern_addrs){ 0, 4096, 0 }, &p, err,
				  sizeof(err)), -1);
	cr_assert(strstr(err, "overlaps"), "%s", err);
	cr_assert_eq(tern_compile(&cfg, &l, &lo, &(struct tern_addrs){ 0, 4096, UINT32_MAX - 63 },
				  &p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "32-bit"), "%s", err);
	l.n = 5; /* a layout planned for another N */
	cr_assert_eq(tern_compile(&cfg, &l, &lo, &(struct tern_addrs){ 0, 4096, 8192 }, &p, err,
				  sizeof(err)), -1);
	cr_assert(strstr(err, "not planned"), "%s", err);
}

/* The BitNet 2B-4T shapes on 32x32: the tiling docs/compiler.md quotes. */
Test(compiler, bitnet_2b_tiling)
{
	struct tern_hw_config cfg = preset("32x32");
	static const uint32_t mk[3][2] = { { 2560, 2560 }, { 6912, 2560 }, { 2560, 6912 } };

	for (int i = 0; i < 3; i++) {
		for (uint32_t n = 1; n <= 128; n += 127) {
			struct tern_layer l = { mk[i][0], mk[i][1], n, 0 };
			struct tern_layout lo;

			cr_assert_eq(tern_layout_plan(&cfg, &l, &lo, NULL, 0), 0);
			cr_assert_eq(lo.kb, 1, "one K-block: all of K fits half of WBUF");
			cr_assert(lo.a_resident);
			cr_assert_eq(lo.w_unit, lo.kt, "segments of whole tiles");
			cr_assert_eq(lo.w_seg, 256 / lo.kt * lo.kt,
				     "as many tiles per LOAD as half of WBUF holds");
			cr_assert_eq(lo.w_nseg, (lo.mt + 256 / lo.kt - 1) / (256 / lo.kt));
			cr_log_info("M=%u K=%u N=%u: mt=%u kt=%u kcb=%u nb=%u nblk=%u", l.m, l.k, n,
				    lo.mt, lo.kt, lo.kcb, lo.nb, lo.nblk);
		}
	}
}

/*
 * Decode on the 8x8 preset: K = 2560 is 320 K-chunks, more than half of WBUF, so the
 * weights stream in segments of a whole WBUF half (tiles split between segments),
 * balanced so that no LOAD is much shorter than the one before it; every GEMM of a
 * segment fits it, and the program is race-free and correct.
 */
Test(compiler, stream_segments_8x8)
{
	struct tern_hw_config cfg = preset("8x8");
	struct tern_layer l = { 2560, 2560, 1, 0 };
	struct tern_layout lo;
	uint64_t prev = 0;

	cr_assert_eq(tern_layout_plan(&cfg, &l, &lo, NULL, 0), 0);
	cr_assert(lo.a_resident && lo.w_unit == 1 && lo.w_seg == 256 && lo.w_nseg == 400);
	cr_assert_eq(tern_wseg_start(&lo, lo.w_nseg), (uint64_t)lo.mt * lo.kt);
	for (uint32_t s = 1; s <= lo.w_nseg; s++) {
		uint64_t len = tern_wseg_start(&lo, s) - prev;

		cr_assert(len == lo.w_seg || len == lo.w_seg - 1, "segment %u: %llu", s - 1,
			  (unsigned long long)len);
		prev = tern_wseg_start(&lo, s);
	}
	/* K = 6912: 864 K-chunks, each tile spans four or five segments. */
	l = (struct tern_layer){ 2560, 6912, 1, 1 };
	cr_assert_eq(tern_layout_plan(&cfg, &l, &lo, NULL, 0), 0);
	cr_assert(lo.w_unit == 1 && lo.kt > lo.w_seg);
	check_layer(&cfg, 64, 2560, 1, 0, 31, 0);
	check_layer(&cfg, 40, 2560, 1, 1, 32, 1);
	check_layer(&cfg, 72, 6912, 3, 0, 33, 2);
	check_layer(&cfg, 24, 2600, 40, 1, 34, 3);
}
