/*
 * `tern perplexity` on a device, and what each activation mode costs (tern_ppl.h).
 *
 * Device runs keep every layer resident (tern_gemm_run_resident) and run the level-2
 * layer check on every call, so a perplexity computed with --backend is the golden
 * one or the command stops with the first difference. Counters are summed per layer
 * group because a4.8 treats the groups differently: int4 inputs (q, k, v, gate, up),
 * the top-50% sparse input of o_proj, int8 for down_proj.
 *
 * The modelled int4 lane mode (not in the RTL): an adder tree fed 4-bit terms has
 * levels 4 bits narrower (LANES - 1 adders in all), so its adder energy is the energy
 * model's adder at the narrower mean width; ABUF entries and the activation DMA carry
 * half the bits. o_proj's input is half zeros: with activation-zero gating like the
 * weight-zero gating the PEs have, half its non-zero-weight MACs cost a gated input.
 * Cycles are not changed: one int4 activation still takes one lane.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_fast.h"
#include "tern_gemm.h"
#include "tern_ppl.h"

struct slot {
	struct tern_ppl_dev *d;
	struct tern_run *run;
	struct tern_ppl_cost *cost;
};

struct tern_ppl_dev {
	struct tern_dev *dev;
	struct tern_gemm_cache *gc;
	struct tern_model *m;
	struct slot s[2];
	uint64_t calls;
};

static unsigned group(uint32_t which)
{
	if (which == TERN_LIN_O)
		return TERN_PPL_G_O;
	return which == TERN_LIN_DOWN ? TERN_PPL_G_REST : TERN_PPL_G_INT4;
}

static void add_layer(struct tern_ppl_cost *c, uint32_t which, const struct tern_layer *l,
		      const uint64_t *cnt, uint64_t times)
{
	unsigned g = group(which), i;

	for (i = 0; i < TERN_CNT_COUNT; i++)
		c->cnt[g][i] += cnt[i] * times;
	if (g == TERN_PPL_G_INT4)
		c->act_bytes_int4 += (double)l->n * l->k * times;
}

/* Device memory: every layer's packed weights and programs, the largest regions. */
static uint64_t device_bytes(const struct tern_hw_config *cfg, const struct tern_model_config *c,
			     uint32_t n, uint64_t *x_cap, uint64_t *y_cap)
{
	uint64_t need = 0;
	uint32_t i;

	*x_cap = *y_cap = 0;
	for (i = 0; i < TERN_LIN_COUNT; i++) {
		struct tern_layer l = { 0, 0, n, TERN_WFMT_2BIT };
		struct tern_layout lo;
		struct tern_traffic tr;

		tern_lin_shape(c, i, &l.m, &l.k);
		if (tern_layout_plan(cfg, &l, &lo, NULL, 0))
			continue; /* reported when the layer runs */
		tern_layout_traffic(cfg, &l, &lo, &tr);
		need += lo.w_bytes + tr.insns * TERN_INSN_BYTES + 512;
		*x_cap = lo.x_bytes > *x_cap ? lo.x_bytes : *x_cap;
		*y_cap = lo.y_bytes > *y_cap ? lo.y_bytes : *y_cap;
	}
	return need * c->n_layer + *x_cap + *y_cap + (1u << 20);
}

int tern_ppl_dev_open(const struct tern_dev_opts *o, struct tern_model *m, uint32_t n,
		      struct tern_ppl_dev **out, char *err, size_t errlen)
{
	struct tern_ppl_dev *d = calloc(1, sizeof(*d));
	struct tern_dev_opts oo = *o;
	uint64_t x_cap, y_cap;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->m = m;
	oo.mem_bytes = device_bytes(&o->cfg, &m->cfg, n, &x_cap, &y_cap);
	if (tern_dev_open(&oo, &d->dev, err, errlen) ||
	    tern_gemm_cache_new(d->dev, m->cfg.n_layer * TERN_LIN_COUNT, x_cap, y_cap, &d->gc,
				err, errlen)) {
		tern_ppl_dev_close(d);
		return -1;
	}
	*out = d;
	return 0;
}

void tern_ppl_dev_close(struct tern_ppl_dev *d)
{
	if (!d)
		return;
	tern_gemm_cache_free(d->gc);
	tern_dev_close(d->dev);
	free(d);
}

/* One BitLinear on the device, checked; the messages of `tern run`'s device pass. */
static int dev_mm(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		  int32_t *y, char *err, size_t errlen)
{
	struct slot *s = ctx;
	struct tern_gemm_result r;
	const struct tern_tile *t = &r.mm_tile;
	uint32_t layer, which;

	tern_run_current(s->run, &layer, &which);
	if (tern_gemm_run_resident(s->d->gc, layer * TERN_LIN_COUNT + which, l, w,
				   tern_model_planes(s->d->m, layer, which), x, y, &r, err, errlen))
		return -1;
	s->d->calls++;
	if (tern_gemm_ok(&r)) {
		add_layer(s->cost, which, l, r.st.counters, 1);
		s->cost->has_cycles = r.st.has_cycles;
		return 0;
	}
	if (r.st.mismatch)
		snprintf(err, errlen, "lockstep mismatch at instruction %u (%s, tile m %u..%u n %u..%u "
			 "k %u..%u) address 0x%llx: expected 0x%08x, actual 0x%08x", r.st.mm.insn,
			 tern_opcode_name(r.st.mm.opcode), t->m0, t->m0 + t->m_len - 1, t->n0,
			 t->n0 + t->n_len - 1, t->k0, t->k0 + t->k_len - 1,
			 (unsigned long long)r.st.mm.addr, r.st.mm.expected, r.st.mm.actual);
	else if (r.st.err)
		snprintf(err, errlen, "device error %s at instruction %u: %s", tern_err_name(r.st.err),
			 r.st.err_insn, tern_err_doc(r.st.err));
	else
		snprintf(err, errlen, "layer check: output n=%u m=%u is %d, golden matmul says %d",
			 r.bad_n, r.bad_m, r.actual, r.expected);
	return 1;
}

struct tern_mm tern_ppl_dev_mm(struct tern_ppl_dev *d, unsigned s, struct tern_ppl_cost *cost)
{
	struct tern_mm mm = { dev_mm, &d->s[s], 1 };

	d->s[s].d = d;
	d->s[s].cost = cost;
	return mm;
}

void tern_ppl_dev_set_run(struct tern_ppl_dev *d, unsigned s, struct tern_run *r)
{
	d->s[s].run = r;
}

uint64_t tern_ppl_dev_calls(const struct tern_ppl_dev *d)
{
	return d->calls;
}

struct fast_walk {
	const struct tern_dev_opts *o;
	struct tern_fast_dram dram;
	struct tern_ppl_cost *cost;
	uint64_t chunks;
	char *err;
	size_t errlen;
};

static int fast_one(void *ctx, uint32_t layer, uint32_t which, const char *name,
		    const struct tern_layer *l)
{
	struct fast_walk *w = ctx;
	uint64_t cnt[TERN_CNT_COUNT] = { 0 };
	char why[300];

	(void)layer;
	/* A third of a trained ternary matrix is zero (absmean rounding); the run's
	 * timing-only mode assumes the same. */
	if (tern_fast_layer(&w->o->cfg, l, &w->dram, 1.0 / 3.0, cnt, why, sizeof(why))) {
		snprintf(w->err, w->errlen, "%s (M=%u K=%u N=%u): %s", name, l->m, l->k, l->n, why);
		return -1;
	}
	add_layer(w->cost, which, l, cnt, w->chunks);
	return 0;
}

int tern_ppl_fast(const struct tern_model_config *c, const struct tern_dev_opts *o,
		  uint32_t n, uint64_t chunks, struct tern_ppl_cost *cost, char *err,
		  size_t errlen)
{
	struct fast_walk w = { o, { o->dram_latency ? o->dram_latency : TERN_DRAM_LATENCY,
				    o->dram_bytes_per_cycle ? o->dram_bytes_per_cycle
							    : TERN_DRAM_BYTES_PER_CYCLE },
			       cost, chunks, err, errlen };

	cost->has_cycles = 1;
	return tern_walk_step(c, n, fast_one, &w) ? -1 : 0;
}

double tern_ppl_energy(const struct tern_tech *t, const struct tern_hw_config *cfg,
		       const struct tern_ppl_cost *cost, int int4)
{
	uint64_t all[TERN_CNT_COUNT] = { 0 };
	struct tern_events ev = { all, *cfg, 0, tern_host_flops(&cost->host) };
	struct tern_event_pj e;
	struct tern_energy out;
	const uint64_t *c4 = cost->cnt[TERN_PPL_G_INT4], *co = cost->cnt[TERN_PPL_G_O];
	double pj, nz, bits4, lanes = cfg->lanes;
	unsigned g, i;

	for (g = 0; g < TERN_PPL_G_COUNT; g++)
		for (i = 0; i < TERN_CNT_COUNT; i++)
			all[i] += cost->cnt[g][i];
	tern_energy_ternary(t, &ev, &out);
	tern_event_energies(t, cfg, &e);
	/* host memory traffic priced like the array's, as run reports do */
	pj = out.total + tern_host_bytes(&cost->host) * e.dram_byte;
	if (!int4 || lanes < 2)
		return pj;
	/* int4 terms: every tree adder 4 bits narrower (LANES - 1 adders per tree) */
	bits4 = e.tree_bits - 4.0 * (lanes - 1) / lanes;
	nz = (double)(c4[TERN_CNT_MACS] - c4[TERN_CNT_MACS_ZERO]);
	pj -= (nz * e.mac_nz + (double)c4[TERN_CNT_MACS_ZERO] * e.mac_zero) *
	      (1.0 - tern_add_pj(t, bits4) / tern_add_pj(t, e.tree_bits));
	pj -= (double)(c4[TERN_CNT_ABUF_RD] + c4[TERN_CNT_ABUF_WR]) * 4.0 * lanes * e.abuf_bit;
	pj -= cost->act_bytes_int4 / 2.0 * e.dram_byte;
	/* o_proj: half its inputs zero, so half its non-zero-weight MACs gated */
	nz = (double)(co[TERN_CNT_MACS] - co[TERN_CNT_MACS_ZERO]);
	pj -= nz / 2.0 * (e.mac_nz - e.mac_zero);
	return pj;
}
