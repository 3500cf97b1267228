/*
 * The RTL-in-SystemC platform behind the driver's systemc backend: one shared library
 * per array config (built by sim/systemc/tern_sc_build.sh into the model cache), with the
 * very C interface of the Verilator harness, sim/tern_vl.h, so the driver loads, checks
 * and runs it with the verilator backend's code and lockstep (driver/tern_vl_backend.h).
 *
 * The platform is a clock, tern_sc_rtl (the Verilated RTL behind TLM sockets), the DRAM
 * target tern_sc_mem over the driver's device memory, and a host initiator thread that
 * drives a run the way a driver on a CPU model would: reset, CSR writes through the
 * TLM socket, START with IRQ_EN, then a wait on the interrupt (or a stop request from the
 * lockstep observer, or the hang bound) with no polling, then the CSR read-back.
 *
 * SystemC elaborates once per process and cannot build a second platform after
 * sc_start, so the platform is a process-wide singleton created by the first
 * tern_vl_open and kept (the library is loaded RTLD_NODELETE); open handles share it,
 * each run bringing its handle's device memory and DRAM settings. No FST (the backend
 * refuses it before loading). Runs are paused, not stopped (sc_pause), between calls.
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tern_sc_host.h"
#include "tern_sc_mem.h"
#include "tern_sc_rtl.h"
#include "verilated.h"

#define TERN_VL_API extern "C" __attribute__((visibility("default")))

namespace {

#define CLK TERN_SC_CLK

struct platform : sc_core::sc_module {
	sc_core::sc_clock clk;
	tern_sc_rtl rtl;
	tern_sc_mem mem;
	tlm_utils::simple_initiator_socket<platform> host;
	sc_core::sc_event go;
	tern_sc_job *j = nullptr;

	SC_HAS_PROCESS(platform);

	platform(sc_core::sc_module_name n, uint8_t *dram, uint64_t size)
		: sc_module(n), clk("clk", CLK), rtl("tern", CLK), mem("dram", dram, size, CLK),
		  host("host")
	{
		rtl.clk(clk);
		rtl.mem.bind(mem.socket);
		host.bind(rtl.csr);
		SC_THREAD(host_thread);
	}

	uint32_t rd(uint32_t a) { uint32_t x = 0; csr(tlm::TLM_READ_COMMAND, a, &x); return x; }
	bool wr(uint32_t a, uint32_t x) { return csr(tlm::TLM_WRITE_COMMAND, a, &x); }

	bool csr(tlm::tlm_command cmd, uint32_t a, uint32_t *x)
	{
		sc_core::sc_time d; /* the RTL target is cycle-timed: nothing to annotate */

		return tern_sc_csr(host, cmd, a, x, d);
	}

	void reset()
	{
		rtl.rst_n.write(0);
		for (int i = 0; i < 4; i++)
			sc_core::wait(clk.negedge_event());
		rtl.reset_port();
		rtl.rst_n.write(1);
		sc_core::wait(clk.negedge_event());
	}

	void run(tern_sc_job &jb)
	{
		tern_vl_result *r = jb.r;
		const tern_vl_csrs &c = jb.c;
		write_guard g(rtl);

		rtl.run_start = INT64_MAX / 2;
		rtl.dma_base = c.dma_base;
		rtl.dma_limit = c.dma_limit;
		reset();
		tern_sc_program(*this, c);
		rtl.on_write = g.fn;
		if (!wr(TERN_CSR_CTRL, TERN_CTRL_START | TERN_CTRL_IRQ_EN)) {
			jb.rc = 2;
			copy_flags(r);
			return;
		}
		/* The interrupt-driven wait: no simulated cycle is spent on polling. */
		uint64_t start_tick = (uint64_t)rtl.run_start;
		sc_core::sc_time limit = (double)(start_tick + jb.max_cycles) * CLK;
		if (!rtl.irq.read() && !rtl.stop)
			sc_core::wait(limit - sc_core::sc_time_stamp(),
				      rtl.irq.posedge_event() | rtl.stop_ev);
		uint64_t tick = rtl.tick_now();
		jb.rc = rtl.irq.read() ? 0 : rtl.stop ? 1 : 2;
		/* The harness sees irq_o (or a stop) after the edge that raised it: one more. */
		r->cycles = jb.rc == 2 ? jb.max_cycles : (uint64_t)rtl.run_cycle(tick) + 1;
		if (jb.rc == 2 && (rd(TERN_CSR_STATUS) & TERN_STATUS_DONE)) {
			rtl.flags |= TERN_SC_F_NO_IRQ; /* DONE without the interrupt */
			jb.rc = 0;
		}
		if (jb.rc != 2) {
			rtl.on_write = nullptr;
			tern_sc_read_back(*this, r);
			if (jb.rc == 0) {
				wr(TERN_CSR_IRQ_STATUS, 1);
				if (!(r->status & TERN_STATUS_DONE))
					jb.rc = 2;
			}
		}
		copy_flags(r);
	}

	void copy_flags(tern_vl_result *r)
	{
		r->flags = rtl.flags;
		r->bad_addr = rtl.bad_addr;
		r->bad_cycle = rtl.bad_cycle;
	}

	/* Clears the observer however run() leaves. */
	struct write_guard {
		tern_sc_rtl &t;
		tern_sc_rtl::write_fn fn;
		explicit write_guard(tern_sc_rtl &x) : t(x), fn(x.on_write) { t.on_write = nullptr; }
		~write_guard() { t.on_write = nullptr; }
	};

	void host_thread() { tern_sc_serve(*this); }
};

platform *the_platform; /* the process's one platform, never destroyed */

}  // namespace

/* libsystemc.so refers to sc_main (its own main calls it); we never run that main. */
__attribute__((visibility("default"))) int sc_main(int, char **) { return 1; }

struct tern_vl {
	tern_vl_opts o;
};

TERN_VL_API int tern_vl_abi(void)
{
	return TERN_VL_ABI;
}

TERN_VL_API void tern_vl_params(uint32_t *rows, uint32_t *lanes, uint32_t *wbuf_depth,
				uint32_t *abuf_depth, uint32_t *acc_depth, uint32_t *bus_bytes,
				uint32_t *queue_depth)
{
	*rows = TERN_VL_ROWS;
	*lanes = TERN_VL_LANES;
	*wbuf_depth = TERN_VL_WBUF_DEPTH;
	*abuf_depth = TERN_VL_ABUF_DEPTH;
	*acc_depth = TERN_VL_ACC_DEPTH;
	*bus_bytes = TERN_VL_BUS_BYTES;
	*queue_depth = TERN_VL_QUEUE_DEPTH;
}

TERN_VL_API int tern_vl_is_bug_variant(void)
{
#ifdef TERN_BUG_FLIP_LANE
	return 1;
#else
	return 0;
#endif
}

TERN_VL_API struct tern_vl *tern_vl_open(const struct tern_vl_opts *o)
{
	if (!o || !o->dram || o->fst_path || (o->max_bursts && o->max_bursts > 64))
		return nullptr;
	if (!the_platform) {
		tern_sc_quiet_kernel();
		Verilated::fatalOnError(false);
		the_platform = new platform("tern_platform", o->dram, o->dram_size);
	}
	tern_vl *v = new tern_vl();
	v->o = *o;
	return v;
}

TERN_VL_API void tern_vl_close(struct tern_vl *v)
{
	if (!v)
		return;
	delete v;
}

TERN_VL_API int tern_vl_run(struct tern_vl *v, const struct tern_vl_csrs *c,
			    tern_vl_write_fn on_write, void *ctx, uint64_t max_cycles,
			    struct tern_vl_result *r)
{
	platform &p = *the_platform;
	tern_sc_job jb = { *c, max_cycles, r, 0 };

	/* Handles share the platform (runs are sequential): each run brings its memory. */
	p.mem.data = v->o.dram;
	p.mem.size = v->o.dram_size;
	p.mem.latency = v->o.latency;
	p.mem.bytes_per_cycle = v->o.bytes_per_cycle;
	p.rtl.bytes_per_cycle = v->o.bytes_per_cycle;
	p.rtl.max_bursts = v->o.max_bursts ? v->o.max_bursts : TERN_DRAM_MAX_BURSTS;
	p.rtl.dram_size = v->o.dram_size;
	std::memset(r, 0, sizeof(*r));
	p.rtl.on_write = on_write;
	p.rtl.cb_ctx = ctx;
	p.j = &jb;
	p.go.notify(sc_core::SC_ZERO_TIME);
	sc_core::sc_start();
	return jb.rc;
}
