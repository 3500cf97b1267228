/*
 * systemc and systemc-tlm backends: tern inside a SystemC/TLM-2.0 virtual platform
 * (docs/systemc.md).
 *
 * systemc: the Verilated RTL wrapped as a TLM module beside a DRAM target and a host
 * initiator (sim/systemc/tern_sc_lib.cpp). Its library has the interface of the Verilator
 * harness (sim/tern_vl.h), so open/run/close are the verilator backend's
 * (tern_vl_backend.h): the same model cache (entry "<config>-sc"), lockstep against the
 * reference model on every DRAM write, first-mismatch report and counters check. FST
 * waveforms are the verilator backend's business and are refused here.
 *
 * systemc-tlm: the transaction-level model (sim/systemc/tern_sc_tlm.h), one library for
 * every config (cache entry "tlm"). The platform runs a program through CSR writes, the
 * interrupt and CSR reads; what the device computes is the reference model and how long
 * it takes the fast cycle model, both handed to the library as exec below. The cycles
 * the host measured on the simulated clock between START and the interrupt must equal
 * the CYCLES counter, or the run fails: that checks the platform's timing plumbing.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tern_backend.h"
#include "tern_fast.h"
#include "tern_ref.h"
#include "systemc/tern_sctlm.h"
#include "tern_vl_backend.h"
#include "tern_vl_cache.h"

/* ---------------------------------------------------------------- systemc (RTL) */

static int sc_open(struct tern_dev *d)
{
	if (d->opts.fst_path)
		return tern_dev_set_err(d, "systemc backend: no FST waveforms (use --backend verilator for them)");
	return tern_vl_backend_open(d, &tern_sc_kind);
}

const struct tern_backend tern_backend_systemc = {
	.name = "systemc",
	.open = sc_open,
	.close = tern_vl_backend_close,
	.run = tern_vl_backend_run,
};

/* ---------------------------------------------------------------- systemc-tlm */

struct tlm_priv {
	void *dl;
	struct tern_sctlm *t;
	int (*abi)(void);
	struct tern_sctlm *(*open)(const struct tern_sctlm_opts *);
	void (*close)(struct tern_sctlm *);
	int (*run)(struct tern_sctlm *, const struct tern_vl_csrs *, uint64_t,
		   struct tern_vl_result *);
	struct tern_fast_dram dram;
	const struct tern_hw_config *cfg;
	int stuck; /* the fast model could not time the last program */
};

/* The device's behaviour, called by the TLM model on START with its DMI pointer. */
static int tlm_exec(void *ctx, uint8_t *dram, uint64_t size, const struct tern_vl_csrs *c,
		    uint32_t *err, uint32_t *err_insn, uint64_t counters[64])
{
	struct tlm_priv *p = ctx;
	struct tern_ref_args a = { c->insn_base, c->insn_count, c->dma_base, c->dma_limit };
	struct tern_ref_result r;
	uint64_t cnt[TERN_CNT_COUNT];
	unsigned i;

	if (tern_ref_run(p->cfg, dram, size, &a, NULL, NULL, &r))
		return -1;
	*err = r.err;
	*err_insn = r.err_insn;
	memcpy(counters, r.counters, sizeof(r.counters));
	if (r.err) /* a faulting program has no timing in the fast model: DONE at once */
		return 0;
	if ((uint64_t)c->insn_base + (uint64_t)c->insn_count * TERN_INSN_BYTES > size ||
	    tern_fast_time(p->cfg, (const struct tern_insn *)(dram + c->insn_base), c->insn_count,
			   &p->dram, cnt)) {
		p->stuck = 1;
		return -1;
	}
	for (i = 0; i < TERN_CNT_COUNT; i++)
		if (!tern_counter_in_ref(i))
			counters[i] = cnt[i];
	return 0;
}

static void tlm_close(struct tern_dev *d)
{
	struct tlm_priv *p = d->priv;

	if (p) {
		if (p->t)
			p->close(p->t);
		if (p->dl)
			dlclose(p->dl);
		free(p);
	}
	free(d->mem);
	d->mem = NULL;
	d->priv = NULL;
}

static int tlm_open(struct tern_dev *d)
{
	struct tlm_priv *p = calloc(1, sizeof(*p));
	struct tern_sctlm_opts o;
	char lib[PATH_MAX];

	if (!p)
		return tern_dev_set_err(d, "out of memory");
	if (tern_dev_new_image(d)) {
		free(p);
		return -1;
	}
	d->priv = p;
	if (d->opts.fst_path) {
		tern_dev_set_err(d, "systemc-tlm backend: no waveforms in a model without RTL");
		goto fail;
	}
	if (tern_model_cache_get(d, &tern_sctlm_kind, 0, lib, sizeof(lib)))
		goto fail;
	p->dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!p->dl) {
		tern_dev_set_err(d, "cannot load the SystemC TLM model: %s", dlerror());
		goto fail;
	}
	*(void **)&p->abi = dlsym(p->dl, "tern_sctlm_abi");
	*(void **)&p->open = dlsym(p->dl, "tern_sctlm_open");
	*(void **)&p->close = dlsym(p->dl, "tern_sctlm_close");
	*(void **)&p->run = dlsym(p->dl, "tern_sctlm_run");
	if (!p->abi || !p->open || !p->close || !p->run || p->abi() != TERN_SCTLM_ABI) {
		tern_dev_set_err(d, "%s: wrong ABI or missing symbols (remove its cache entry)", lib);
		goto fail;
	}
	p->cfg = &d->cfg;
	p->dram.latency = d->opts.dram_latency ? d->opts.dram_latency : TERN_DRAM_LATENCY;
	p->dram.bytes_per_cycle = d->opts.dram_bytes_per_cycle ? d->opts.dram_bytes_per_cycle
							       : TERN_DRAM_BYTES_PER_CYCLE;
	memset(&o, 0, sizeof(o));
	o.dram = d->mem;
	o.dram_size = d->mem_bytes;
	o.latency = p->dram.latency;
	o.bytes_per_cycle = p->dram.bytes_per_cycle;
	o.rows = d->cfg.rows;
	o.lanes = d->cfg.lanes;
	o.exec = tlm_exec;
	o.ctx = p;
	p->t = p->open(&o);
	if (!p->t) {
		tern_dev_set_err(d, "systemc-tlm backend: the TLM platform refused the options");
		goto fail;
	}
	return 0;
fail:
	tlm_close(d);
	return -1;
}

static int tlm_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		   uint32_t dma_limit, struct tern_status *st)
{
	struct tlm_priv *p = d->priv;
	struct tern_vl_csrs c = { insn_addr, count, dma_base, dma_limit, d->opts.watchdog };
	struct tern_vl_result r;
	int rc;

	if ((uint64_t)dma_limit > d->mem_bytes)
		return tern_dev_set_err(d, "DMA window ends at 0x%x, past device memory", dma_limit);
	p->stuck = 0;
	rc = p->run(p->t, &c, 1ull << 50, &r);
	if (rc == -1)
		return tern_dev_set_err(d, p->stuck ? "systemc-tlm: the fast model could not time the program"
						     : "systemc-tlm: the reference model could not run the program");
	if (rc)
		return tern_dev_set_err(d, "systemc-tlm: no interrupt from the TLM model");
	if (!r.err_code && r.cycles != r.counters[TERN_CNT_CYCLES])
		return tern_dev_set_err(d, "systemc-tlm: interrupt after %llu cycles of simulated time, CYCLES counter %llu",
					(unsigned long long)r.cycles,
					(unsigned long long)r.counters[TERN_CNT_CYCLES]);
	st->err = r.err_code;
	st->err_insn = r.err_insn;
	memcpy(st->counters, r.counters, sizeof(st->counters));
	st->has_cycles = !r.err_code;
	return 0;
}

const struct tern_backend tern_backend_systemc_tlm = {
	.name = "systemc-tlm",
	.open = tlm_open,
	.close = tlm_close,
	.run = tlm_run,
};
