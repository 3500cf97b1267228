/*
 * The TLM-only platform behind the driver's systemc-tlm backend (sim/systemc/tern_sctlm.h):
 * a host initiator thread, tern_sc_tlm (tern_sc_tlm.h) and the DRAM target tern_sc_mem
 * over the driver's device memory, at a 5 ns clock (200 MHz) with 1 ps resolution.
 *
 * A run is what a driver on a CPU model does: CSR writes through the TLM socket, START
 * with IRQ_EN, a wait on the interrupt (no polling), the read-back of STATUS, the error
 * and the counters, and IRQ_STATUS cleared. The cycles returned are measured on the
 * simulated clock between the START write and the interrupt, so the backend can check
 * them against the counter the model reported. One platform per process (SystemC
 * elaborates once) shared by every open handle, like the RTL platform (tern_sc_lib.cpp).
 */
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tern_sc_host.h"
#include "tern_sc_mem.h"
#include "tern_sc_tlm.h"

#define TERN_SCTLM_API extern "C" __attribute__((visibility("default")))

namespace {

#define CLK TERN_SC_CLK

struct platform : sc_core::sc_module {
	tern_sc_tlm dev;
	tern_sc_mem mem;
	tlm_utils::simple_initiator_socket<platform> host;
	sc_core::sc_event go;
	tern_sc_job *j = nullptr;

	SC_HAS_PROCESS(platform);

	platform(sc_core::sc_module_name n, uint8_t *dram, uint64_t size)
		: sc_module(n), dev("tern", CLK), mem("dram", dram, size, CLK), host("host")
	{
		dev.mem.bind(mem.socket);
		host.bind(dev.csr);
		SC_THREAD(host_thread);
	}

	uint32_t rd(uint32_t a) { uint32_t x = 0; csr(tlm::TLM_READ_COMMAND, a, &x); return x; }
	void wr(uint32_t a, uint32_t x) { csr(tlm::TLM_WRITE_COMMAND, a, &x); }

	void csr(tlm::tlm_command cmd, uint32_t a, uint32_t *x)
	{
		sc_core::sc_time d;

		tern_sc_csr(host, cmd, a, x, d);
		sc_core::wait(d); /* a loosely-timed initiator syncs on what the target annotates */
	}

	void run(tern_sc_job &jb)
	{
		const tern_vl_csrs &c = jb.c;
		tern_vl_result *r = jb.r;

		tern_sc_program(*this, c);
		sc_core::sc_time t0 = sc_core::sc_time_stamp();
		wr(TERN_CSR_CTRL, TERN_CTRL_START | TERN_CTRL_IRQ_EN);
		/* Interrupt-driven: the thread sleeps until irq rises or the bound passes. */
		sc_core::wait((double)jb.max_cycles * CLK, dev.irq.posedge_event());
		if (dev.exec_failed) {
			jb.rc = -1;
			return;
		}
		if (!dev.irq.read()) {
			jb.rc = 2;
			r->cycles = jb.max_cycles;
			return;
		}
		r->cycles = (uint64_t)((sc_core::sc_time_stamp() - t0) / CLK);
		tern_sc_read_back(*this, r);
		wr(TERN_CSR_IRQ_STATUS, 1);
		jb.rc = dev.irq.read() || !(r->status & TERN_STATUS_DONE) ? 2 : 0;
	}

	void host_thread() { tern_sc_serve(*this); }
};

platform *the_platform; /* the process's one platform, never destroyed */

}  // namespace

/* libsystemc.so refers to sc_main (its own main calls it); we never run that main. */
__attribute__((visibility("default"))) int sc_main(int, char **) { return 1; }

struct tern_sctlm {
	tern_sctlm_opts o;
};

TERN_SCTLM_API int tern_sctlm_abi(void)
{
	return TERN_SCTLM_ABI;
}

TERN_SCTLM_API struct tern_sctlm *tern_sctlm_open(const struct tern_sctlm_opts *o)
{
	if (!o || !o->dram || !o->exec)
		return nullptr;
	if (!the_platform) {
		tern_sc_quiet_kernel();
		the_platform = new platform("tern_tlm_platform", o->dram, o->dram_size);
	}
	tern_sctlm *t = new tern_sctlm();
	t->o = *o;
	return t;
}

TERN_SCTLM_API void tern_sctlm_close(struct tern_sctlm *t)
{
	if (!t)
		return;
	delete t;
}

TERN_SCTLM_API int tern_sctlm_run(struct tern_sctlm *t, const struct tern_vl_csrs *c,
				  uint64_t max_cycles, struct tern_vl_result *r)
{
	platform &p = *the_platform;
	tern_sc_job jb = { *c, max_cycles, r, 0 };

	/* Handles share the platform (runs are sequential): each run brings its settings. */
	p.mem.data = t->o.dram;
	p.mem.size = t->o.dram_size;
	p.mem.latency = t->o.latency;
	p.mem.bytes_per_cycle = t->o.bytes_per_cycle;
	p.dev.exec = t->o.exec;
	p.dev.exec_ctx = t->o.ctx;
	p.dev.rows = t->o.rows;
	p.dev.lanes = t->o.lanes;
	std::memset(r, 0, sizeof(*r));
	p.j = &jb;
	p.go.notify(sc_core::SC_ZERO_TIME);
	sc_core::sc_start();
	return jb.rc;
}
