/*
 * verilator backend: the device is the Verilated RTL (sim/tern_vl.h), checked in
 * lockstep against the reference model while it runs.
 *
 * open gets a model of the device config from the model cache (tern_vl_cache.c: any
 * valid config, built on first use and checked against its stamp before it is loaded),
 * dlopen()s it and checks its ABI and parameters. TERN_VL_VARIANT=bug selects the
 * deliberately broken build the checker test uses; opts.activity the activity build,
 * which also counts bit toggles (st->toggles). Each is its own cache entry, so the plain
 * model never pays for the activity probes.
 *
 * run (docs/simulation.md "Lockstep"): copy the DMA window of the image, run the
 * reference model on the copy logging its writes, run the RTL comparing every write
 * beat with the log, then compare the error code and index and every counter the
 * reference model also counts. Any difference is a mismatch: st->mismatch = 1, st->mm
 * filled and a one-line description in tern_dev_errmsg(d); the call still returns 0.
 * The systemc backend (tern_backend_systemc.c) is this code with another model library
 * behind the same interface (driver/tern_vl_backend.h).
 * With fst_window, the run is repeated from the same initial image with tracing on for
 * the cycles just before the mismatch (the simulation is deterministic).
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_backend.h"
#include "tern_lockstep.h"
#include "tern_ref.h"
#include "tern_vl.h"
#include "tern_vl_backend.h"
#include "tern_vl_cache.h"

#define VL_HANG_MARGIN 100000ull /* cycles past the watchdog before the harness gives up */

struct vl_api {
	int (*abi)(void);
	void (*params)(uint32_t *, uint32_t *, uint32_t *, uint32_t *, uint32_t *, uint32_t *,
		       uint32_t *);
	int (*is_bug)(void);
	int (*is_act)(void); /* optional: NULL (libraries without it) = not the activity build */
	struct tern_vl *(*open)(const struct tern_vl_opts *);
	void (*close)(struct tern_vl *);
	int (*run)(struct tern_vl *, const struct tern_vl_csrs *, tern_vl_write_fn, void *,
		   uint64_t, struct tern_vl_result *);
};

struct vl_priv {
	void *dl;
	struct vl_api api;
	struct tern_vl *vl;
	struct tern_vl_opts vo;
	uint8_t *shadow;    /* reference model's image (window copied per run), lazily zero */
	uint8_t *initial;   /* the run's initial image, kept for the FST window re-run */
	struct tern_lockstep ls;
	char lib[PATH_MAX];
	const struct tern_model_kind *kind;
};

/* ---------------------------------------------------------------- loading the model */

static int load_api(struct tern_dev *d, struct vl_priv *p)
{
	struct { const char *name; void **slot; } syms[] = {
		{ "tern_vl_abi", (void **)&p->api.abi },
		{ "tern_vl_params", (void **)&p->api.params },
		{ "tern_vl_is_bug_variant", (void **)&p->api.is_bug },
		{ "tern_vl_open", (void **)&p->api.open },
		{ "tern_vl_close", (void **)&p->api.close },
		{ "tern_vl_run", (void **)&p->api.run },
	};
	size_t i;

	/* SystemC elaborates once per process: its platform outlives close (tern_sc_lib.cpp) */
	p->dl = dlopen(p->lib, RTLD_NOW | RTLD_LOCAL | (p->kind != &tern_vl_kind ? RTLD_NODELETE : 0));
	if (!p->dl)
		return tern_dev_set_err(d, "cannot load the Verilated model: %s", dlerror());
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(p->dl, syms[i].name);
		if (!*syms[i].slot)
			return tern_dev_set_err(d, "%s: no symbol %s (stale build? remove its cache entry)",
						p->lib, syms[i].name);
	}
	p->api.is_act = (int (*)(void))dlsym(p->dl, "tern_vl_is_activity_variant");
	if (p->api.abi() != TERN_VL_ABI)
		return tern_dev_set_err(d, "%s: ABI %d, the driver wants %d (rebuild: remove its cache entry)",
					p->lib, p->api.abi(), TERN_VL_ABI);
	return 0;
}

static int check_params(struct tern_dev *d, struct vl_priv *p, int bug)
{
	struct tern_hw_config c;

	p->api.params(&c.rows, &c.lanes, &c.wbuf_depth, &c.abuf_depth, &c.acc_depth,
		      &c.bus_bytes, &c.queue_depth);
	if (memcmp(&c, &d->cfg, sizeof(c)))
		return tern_dev_set_err(d, "%s was built for %ux%u (bus %u, depths %u/%u/%u), not the device's config",
					p->lib, c.rows, c.lanes, c.bus_bytes, c.wbuf_depth,
					c.abuf_depth, c.acc_depth);
	if (p->api.is_bug() != (bug == TERN_VL_BUG))
		return tern_dev_set_err(d, "%s: bug variant flag is %d, expected %d", p->lib,
					p->api.is_bug(), bug == TERN_VL_BUG);
	if ((p->api.is_act && p->api.is_act()) != (bug == TERN_VL_ACT))
		return tern_dev_set_err(d, "%s: activity variant flag is %d, expected %d", p->lib,
					p->api.is_act && p->api.is_act(), bug == TERN_VL_ACT);
	return 0;
}

void tern_vl_backend_close(struct tern_dev *d)
{
	struct vl_priv *p = d->priv;

	if (p) {
		if (p->vl)
			p->api.close(p->vl);
		if (p->dl)
			dlclose(p->dl);
		tern_lockstep_free(&p->ls);
		free(p->shadow);
		free(p->initial);
		free(p);
	}
	free(d->mem);
	d->mem = NULL;
	d->priv = NULL;
}

int tern_vl_backend_open(struct tern_dev *d, const struct tern_model_kind *kind)
{
	const char *variant = getenv("TERN_VL_VARIANT");
	struct vl_priv *p;
	int bug = 0;

	if (variant && *variant) {
		if (strcmp(variant, "bug"))
			return tern_dev_set_err(d, "TERN_VL_VARIANT=%s: the only variant is 'bug'", variant);
		bug = TERN_VL_BUG;
	}
	if (d->opts.activity) {
		if (bug || kind != &tern_vl_kind)
			return tern_dev_set_err(d, "activity counting needs the plain verilator backend (not TERN_VL_VARIANT=bug, not systemc)");
		bug = TERN_VL_ACT;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return tern_dev_set_err(d, "out of memory");
	if (tern_dev_new_image(d)) {
		free(p);
		return -1;
	}
	d->priv = p;
	p->kind = kind;
	if (tern_model_cache_get(d, kind, bug, p->lib, sizeof(p->lib)))
		goto fail;
	if (load_api(d, p) || check_params(d, p, bug))
		goto fail;
	p->vo.dram = d->mem;
	p->vo.dram_size = d->mem_bytes;
	p->vo.latency = d->opts.dram_latency ? d->opts.dram_latency : TERN_DRAM_LATENCY;
	p->vo.bytes_per_cycle = d->opts.dram_bytes_per_cycle ? d->opts.dram_bytes_per_cycle
							     : TERN_DRAM_BYTES_PER_CYCLE;
	if (d->opts.fst_path && !d->opts.fst_window) {
		p->vo.fst_path = d->opts.fst_path;
		p->vo.fst_from = 0;
		p->vo.fst_to = UINT64_MAX;
	}
	p->vl = p->api.open(&p->vo);
	if (!p->vl) {
		tern_dev_set_err(d, "%s: the model did not come up (FST file %s not writable, or HW_ROWS/HW_LANES wrong)",
				 p->lib, p->vo.fst_path ? p->vo.fst_path : "-");
		goto fail;
	}
	return 0;
fail:
	tern_vl_backend_close(d);
	return -1;
}

/* ---------------------------------------------------------------- running */

/*
 * Default watchdog: a generous bound from a static walk of the program (no reference
 * run needed): GEMM steps + DRAM bytes at the modelled bandwidth + a latency per
 * instruction, times a margin of 16, plus a constant.
 */
static uint64_t default_watchdog(const struct tern_dev *d, const struct vl_priv *p,
				 uint32_t insn_addr, uint32_t count)
{
	const struct tern_hw_config *c = &d->cfg;
	uint64_t bpc = p->vo.bytes_per_cycle < c->bus_bytes ? p->vo.bytes_per_cycle : c->bus_bytes;
	uint64_t steps = 0, bytes = 0, n = 0, est, i;

	/* i is 64-bit: with count = 0xffffffff a 32-bit index set to count wraps to 0 */
	for (i = 0; i < count &&
		    (uint64_t)insn_addr + (uint64_t)TERN_INSN_BYTES * (i + 1) <= d->mem_bytes; i++) {
		struct tern_insn in;
		memcpy(&in, d->mem + insn_addr + (uint64_t)TERN_INSN_BYTES * i, sizeof(in));
		n++;
		bytes += TERN_INSN_BYTES;
		switch (tern_get_opcode(&in)) {
		case TERN_OP_LOAD: {
			uint32_t e = tern_entry_bytes(c, tern_get_load_buf(&in), tern_get_load_wfmt(&in));
			uint64_t row = (uint64_t)tern_get_load_x_size(&in) * e;
			bytes += (uint64_t)tern_get_load_y_size(&in) *
				 ((row + c->bus_bytes - 1) / c->bus_bytes) * c->bus_bytes;
			break;
		}
		case TERN_OP_GEMM:
			steps += (uint64_t)tern_get_gemm_k_chunks(&in) * tern_get_gemm_n_tokens(&in);
			break;
		case TERN_OP_STORE:
			bytes += (uint64_t)tern_get_store_y_size(&in) * c->rows * 4;
			break;
		default:
			i = count; /* END or an illegal opcode: fetch stops here */
			break;
		}
	}
	est = steps + bytes / (bpc ? bpc : 1) + n * (2ull * p->vo.latency + 64);
	est = 16 * est + 200000;
	return est > 0xffffffffull ? 0xffffffffull : est;
}

static uint32_t insn_opcode(const struct tern_dev *d, uint32_t insn_addr, uint32_t idx)
{
	uint64_t a = (uint64_t)insn_addr + (uint64_t)TERN_INSN_BYTES * idx;
	struct tern_insn in;

	if (a + TERN_INSN_BYTES > d->mem_bytes)
		return 0;
	memcpy(&in, d->mem + a, sizeof(in));
	return tern_get_opcode(&in);
}

/* Harness flags are RTL bugs whatever the program: report the first as a mismatch. */
static void check_flags(struct tern_dev *d, struct vl_priv *p, const struct tern_vl_result *r)
{
	static const char *const what[] = {
		"a burst outside the DMA window or DRAM", "an AXI protocol violation",
		"DONE without irq_o", "an RTL assertion or $stop", "a CSR access without response",
	};
	unsigned b;

	(void)d;
	for (b = 0; b < 5; b++)
		if (r->flags & (1u << b))
			break;
	if (b == 5)
		return;
	tern_lockstep_fail(&p->ls, UINT32_MAX, 0, r->bad_addr, 0, 0, r->bad_cycle,
			   "RTL misbehaved: %s (address 0x%llx, cycle %llu)", what[b],
			   (unsigned long long)r->bad_addr, (unsigned long long)r->bad_cycle);
}

/* Error code and index, then the counters both sides count. */
static void compare_end(struct tern_dev *d, struct vl_priv *p, uint32_t insn_addr,
			const struct tern_ref_result *rr, const struct tern_vl_result *r)
{
	unsigned i;

	if (r->err_code != rr->err || (rr->err && r->err_insn != rr->err_insn)) {
		uint32_t idx = rr->err ? rr->err_insn : r->err_insn;
		tern_lockstep_fail(&p->ls, idx, insn_opcode(d, insn_addr, idx), 0, rr->err,
				   r->err_code, r->cycles,
				   "lockstep: RTL ended with %s at insn %u, the reference model with %s at insn %u",
				   tern_err_name(r->err_code), r->err_insn, tern_err_name(rr->err),
				   rr->err_insn);
		return;
	}
	if (tern_lockstep_finish(&p->ls, d->mem, d->mem_bytes, r->cycles))
		return;
	for (i = 0; i < TERN_CNT_COUNT; i++) {
		if (!tern_counter_in_ref(i) || r->counters[i] == rr->counters[i])
			continue;
		tern_lockstep_fail(&p->ls, UINT32_MAX, 0, i, (uint32_t)rr->counters[i],
				   (uint32_t)r->counters[i], r->cycles,
				   "lockstep: counter %s: RTL %llu, reference model %llu",
				   tern_counter_name(i), (unsigned long long)r->counters[i],
				   (unsigned long long)rr->counters[i]);
		return;
	}
}

/* Repeat the run from its initial image with tracing on just before the mismatch. */
static void fst_window_rerun(struct tern_dev *d, struct vl_priv *p, const struct tern_vl_csrs *c,
			     uint64_t cycle)
{
	struct tern_vl_opts o = p->vo;
	struct tern_vl_result r;
	struct tern_vl *v;
	uint64_t n = d->opts.fst_window;

	o.dram = p->initial;
	o.fst_path = d->opts.fst_path;
	o.fst_from = cycle > n ? cycle - n : 0; /* 0 = from reset */
	o.fst_to = cycle;
	v = p->api.open(&o);
	if (!v) {
		fprintf(stderr, "tern: cannot write the waveform %s\n", d->opts.fst_path);
		return;
	}
	p->api.run(v, c, NULL, NULL, cycle + 1, &r);
	p->api.close(v);
}

int tern_vl_backend_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count,
			uint32_t dma_base, uint32_t dma_limit, struct tern_status *st)
{
	struct vl_priv *p = d->priv;
	struct tern_ref_args a = { insn_addr, count, dma_base, dma_limit };
	struct tern_vl_csrs c = { insn_addr, count, dma_base, dma_limit, d->opts.watchdog };
	struct tern_ref_result rr;
	struct tern_vl_result r;
	int lockstep = !d->opts.no_lockstep;
	int window = d->opts.fst_path && d->opts.fst_window;
	uint64_t wlen = dma_limit > dma_base ? (uint64_t)dma_limit - dma_base : 0;
	int rc;

	if ((uint64_t)dma_limit > d->mem_bytes)
		return tern_dev_set_err(d, "DMA window ends at 0x%x, past device memory", dma_limit);
	if (!c.watchdog)
		c.watchdog = default_watchdog(d, p, insn_addr, count);
	tern_lockstep_reset(&p->ls);
	if (window) {
		if (!p->initial && !(p->initial = calloc(1, d->mem_bytes)))
			return tern_dev_set_err(d, "out of memory (FST window image)");
		memcpy(p->initial + dma_base, d->mem + dma_base, wlen);
	}
	if (lockstep) {
		if (!p->shadow && !(p->shadow = calloc(1, d->mem_bytes)))
			return tern_dev_set_err(d, "out of memory (lockstep image)");
		memcpy(p->shadow + dma_base, d->mem + dma_base, wlen);
		if (tern_ref_run(&d->cfg, p->shadow, d->mem_bytes, &a, tern_lockstep_log, &p->ls, &rr))
			return tern_dev_set_err(d, p->ls.oom ? "out of memory (lockstep write log)"
							      : "reference model could not run the program");
		p->ls.ref_image = p->shadow;
		p->ls.ref_size = d->mem_bytes;
	}
	rc = p->api.run(p->vl, &c, lockstep ? tern_lockstep_check : NULL, &p->ls,
			c.watchdog + VL_HANG_MARGIN, &r);
	st->err = r.err_code;
	st->err_insn = r.err_insn;
	memcpy(st->counters, r.counters, sizeof(st->counters));
	if (rc != 0) /* stopped early: the counters are a snapshot, the cycles ours */
		st->counters[TERN_CNT_CYCLES] = r.cycles;
	st->has_cycles = 1;
	/* the harness's groups are enum tern_toggle's, in the same order (sim/tern_vl.h) */
	_Static_assert(TERN_TOG_COUNT <= TERN_VL_TOGGLES, "toggle groups");
	st->has_toggles = r.has_toggles != 0;
	memcpy(st->toggles, r.toggles, sizeof(st->toggles));
	check_flags(d, p, &r);
	if (rc == 2)
		tern_lockstep_fail(&p->ls, UINT32_MAX, 0, 0, 0, 0, r.cycles,
				   "RTL hang: no DONE within %llu cycles although WATCHDOG was %llu",
				   (unsigned long long)r.cycles, (unsigned long long)c.watchdog);
	/*
	 * WATCHDOG exists only on the RTL. Under a caller's watchdog, stopping a program the
	 * reference model completes is the device's legitimate verdict: the writes made so
	 * far were checked, the end state cannot be. Under the default (generous) watchdog it
	 * means the RTL hung; any other reference outcome must be matched exactly.
	 */
	if (rc == 0 && lockstep) {
		if (r.err_code == TERN_ERR_WATCHDOG && rr.err == TERN_ERR_OK && !d->opts.watchdog)
			tern_lockstep_fail(&p->ls, r.err_insn, insn_opcode(d, insn_addr, r.err_insn), 0,
					   TERN_ERR_OK, TERN_ERR_WATCHDOG, r.cycles,
					   "lockstep: RTL hit the default watchdog (%llu cycles) at insn %u on a program the reference model completes: RTL hang?",
					   (unsigned long long)c.watchdog, r.err_insn);
		else if (!(r.err_code == TERN_ERR_WATCHDOG && rr.err == TERN_ERR_OK))
			compare_end(d, p, insn_addr, &rr, &r);
	}
	if (p->ls.mismatch) {
		st->mismatch = 1;
		st->mm = p->ls.mm;
		tern_dev_set_err(d, "%s", p->ls.msg);
		if (window)
			fst_window_rerun(d, p, &c, p->ls.mm.cycle);
	}
	return 0;
}

static int vl_open(struct tern_dev *d)
{
	return tern_vl_backend_open(d, &tern_vl_kind);
}

const struct tern_backend tern_backend_verilator = {
	.name = "verilator",
	.open = vl_open,
	.close = tern_vl_backend_close,
	.run = tern_vl_backend_run,
};
