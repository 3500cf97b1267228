/*
 * Example virtual platform with tern inside (docs/systemc.md walks through it): copy this
 * file to start your own.
 *
 *   sc_main: a clock, a CPU-less driver thread (the initiator), a router, a DRAM target
 *   and tern (tern_sc_rtl: the Verilated RTL behind TLM sockets). Address map of the
 *   router, as the driver thread sees it:
 *       0x0000_0000 .. DRAM_BYTES-1    DRAM (tern's memory master reaches it here too)
 *       0x4000_0000 .. +4 KB           tern's CSRs (docs/isa.md, CSR map)
 *   tern's irq is an sc_signal<bool>; the driver thread sleeps on its rising edge.
 *
 * The driver thread compiles one BitLinear layer with tern's compiler (libtern), writes
 * the program, packed weights and activations into DRAM through the router, programs
 * the CSRs, starts the device, waits for the interrupt, reads the error code and the
 * CYCLES counter, reads the outputs back and compares them with a plain loop. It prints
 * the layer's cycles; exit 0 when every output matches, 1 when not.
 *
 *   tern_sc_example [M K N [2bit|base3]]      (default 64 256 4 2bit)
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "tern_sc_mem.h"
#include "tern_sc_rtl.h"

extern "C" {
#include "tern_compile.h"
#include "tern_isa.h"
}

static const uint64_t DRAM_BYTES = 16u << 20;
static const uint64_t CSR_BASE = 0x40000000u;

/* The interconnect: decodes the system address map onto DRAM and tern's CSRs. */
struct router : sc_core::sc_module {
	tlm_utils::multi_passthrough_target_socket<router> in;   /* any number of initiators */
	tlm_utils::simple_initiator_socket<router> to_dram, to_csr;

	router(sc_core::sc_module_name n) : sc_module(n), in("in"), to_dram("to_dram"), to_csr("to_csr")
	{
		in.register_b_transport(this, &router::b_transport);
	}

	void b_transport(int, tlm::tlm_generic_payload &p, sc_core::sc_time &d)
	{
		uint64_t a = p.get_address();

		if (a < DRAM_BYTES) {
			to_dram->b_transport(p, d);
		} else if (a >= CSR_BASE && a < CSR_BASE + 4096) {
			p.set_address(a - CSR_BASE);
			to_csr->b_transport(p, d);
			p.set_address(a);
		} else {
			p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
		}
	}
};

/* A CPU-less driver: everything a host program does to run one layer on tern. */
struct driver : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<driver> bus;
	sc_core::sc_in<bool> irq;
	sc_core::sc_in<bool> rst_n; /* tern ignores CSR writes while it is held in reset */
	struct tern_layer l;
	tern_hw_config cfg;
	int result = 1;

	SC_HAS_PROCESS(driver);

	driver(sc_core::sc_module_name n, const tern_layer &layer, const tern_hw_config &c)
		: sc_module(n), bus("bus"), irq("irq"), rst_n("rst_n"), l(layer), cfg(c)
	{
		SC_THREAD(main);
	}

	bool access(tlm::tlm_command cmd, uint64_t a, void *buf, uint32_t len)
	{
		tlm::tlm_generic_payload p;
		sc_core::sc_time d = sc_core::SC_ZERO_TIME;

		p.set_command(cmd);
		p.set_address(a);
		p.set_data_ptr(static_cast<unsigned char *>(buf));
		p.set_data_length(len);
		p.set_streaming_width(len);
		p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		bus->b_transport(p, d);
		sc_core::wait(d);
		return p.is_response_ok();
	}
	void copy_in(uint64_t a, const uint8_t *src, uint64_t n)
	{
		for (uint64_t i = 0; i < n; i += 4096)
			access(tlm::TLM_WRITE_COMMAND, a + i, const_cast<uint8_t *>(src + i),
			       (uint32_t)(n - i < 4096 ? n - i : 4096));
	}
	void copy_out(uint64_t a, uint8_t *dst, uint64_t n)
	{
		for (uint64_t i = 0; i < n; i += 4096)
			access(tlm::TLM_READ_COMMAND, a + i, dst + i, (uint32_t)(n - i < 4096 ? n - i : 4096));
	}
	void csr_wr(uint32_t off, uint32_t x) { access(tlm::TLM_WRITE_COMMAND, CSR_BASE + off, &x, 4); }
	uint32_t csr_rd(uint32_t off)
	{
		uint32_t x = 0;
		access(tlm::TLM_READ_COMMAND, CSR_BASE + off, &x, 4);
		return x;
	}

	void main()
	{
		char err[256];
		tern_layout lo;
		tern_program prog;
		uint32_t bb = cfg.bus_bytes;
		auto up = [bb](uint64_t x) { return (x + bb - 1) / bb * bb; };

		if (tern_layout_plan(&cfg, &l, &lo, err, sizeof(err))) {
			std::fprintf(stderr, "tern_sc_example: %s\n", err);
			sc_core::sc_stop();
			return;
		}
		/* Made-up layer data, the same on every run. */
		std::vector<int8_t> w((size_t)l.m * l.k), x((size_t)l.n * l.k);
		uint64_t s = 12345;
		for (auto &v : w) { s = s * 6364136223846793005ull + 1; v = (int8_t)((s >> 33) % 3) - 1; }
		for (auto &v : x) { s = s * 6364136223846793005ull + 1; v = (int8_t)(s >> 40); }
		/* Device memory layout: program at 4 KB, then weights, activations, outputs. */
		tern_addrs ad;
		uint64_t insn = 4096;
		ad.w = (uint32_t)up(insn + 64 * 1024);
		ad.x = (uint32_t)up(ad.w + lo.w_bytes);
		ad.y = (uint32_t)up(ad.x + lo.x_bytes);
		uint64_t end = up(ad.y + lo.y_bytes);
		if (end > DRAM_BYTES ||
		    tern_compile(&cfg, &l, &lo, &ad, &prog, err, sizeof(err)) ||
		    (uint64_t)prog.count * TERN_INSN_BYTES > 64 * 1024) {
			std::fprintf(stderr, "tern_sc_example: layer too large for this example's memory map\n");
			sc_core::sc_stop();
			return;
		}
		std::vector<uint8_t> wb(lo.w_bytes), xb(lo.x_bytes), yb(lo.y_bytes);
		tern_pack_weights(&cfg, &l, &lo, w.data(), wb.data());
		tern_pack_acts(&cfg, &l, &lo, x.data(), xb.data());
		copy_in(insn, reinterpret_cast<const uint8_t *>(prog.insns),
			(uint64_t)prog.count * TERN_INSN_BYTES);
		copy_in(ad.w, wb.data(), wb.size());
		copy_in(ad.x, xb.data(), xb.size());

		while (!rst_n.read())
			sc_core::wait(rst_n.posedge_event());
		csr_wr(TERN_CSR_INSN_BASE, (uint32_t)insn);
		csr_wr(TERN_CSR_INSN_COUNT, prog.count);
		csr_wr(TERN_CSR_DMA_BASE, (uint32_t)insn);
		csr_wr(TERN_CSR_DMA_LIMIT, (uint32_t)end);
		csr_wr(TERN_CSR_WATCHDOG, 0);
		sc_core::sc_time t0 = sc_core::sc_time_stamp();
		csr_wr(TERN_CSR_CTRL, TERN_CTRL_START | TERN_CTRL_IRQ_EN);
		sc_core::wait(irq.posedge_event()); /* sleep until tern interrupts */
		sc_core::sc_time t1 = sc_core::sc_time_stamp();
		uint32_t code = csr_rd(TERN_CSR_ERR_CODE);
		uint64_t cycles = csr_rd(TERN_CSR_COUNTER_BASE + 8 * TERN_CNT_CYCLES) |
				  (uint64_t)csr_rd(TERN_CSR_COUNTER_BASE + 8 * TERN_CNT_CYCLES + 4) << 32;
		csr_wr(TERN_CSR_IRQ_STATUS, 1);

		copy_out(ad.y, yb.data(), yb.size());
		std::vector<int32_t> y((size_t)l.n * l.m);
		tern_unpack_outputs(&cfg, &l, &lo, yb.data(), y.data());
		uint64_t bad = 0;
		for (uint32_t t = 0; t < l.n; t++)
			for (uint32_t m = 0; m < l.m; m++) {
				int32_t want = 0;
				for (uint32_t k = 0; k < l.k; k++)
					want += w[(size_t)m * l.k + k] * x[(size_t)t * l.k + k];
				bad += y[(size_t)t * l.m + m] != want;
			}
		std::printf("tern_sc_example: layer %ux%ux%u (%s) on %ux%u: %llu cycles "
			    "(%.0f ns of simulated time to the interrupt), error code %u, %llu of %llu outputs wrong\n",
			    l.m, l.k, l.n, l.wfmt ? "base3" : "2bit", cfg.rows, cfg.lanes,
			    (unsigned long long)cycles, (t1 - t0).to_seconds() * 1e9, code,
			    (unsigned long long)bad, (unsigned long long)y.size());
		result = code || bad ? 1 : 0;
		tern_program_free(&prog);
		sc_core::sc_stop();
	}
};

int sc_main(int argc, char **argv)
{
	tern_layer l = { 64, 256, 4, TERN_WFMT_2BIT };
	tern_hw_config cfg = { TERN_VL_ROWS, TERN_VL_LANES, TERN_VL_WBUF_DEPTH, TERN_VL_ABUF_DEPTH,
			       TERN_VL_ACC_DEPTH, TERN_VL_BUS_BYTES, TERN_VL_QUEUE_DEPTH };

	if (argc >= 4) {
		l.m = (uint32_t)std::strtoul(argv[1], nullptr, 10);
		l.k = (uint32_t)std::strtoul(argv[2], nullptr, 10);
		l.n = (uint32_t)std::strtoul(argv[3], nullptr, 10);
		if (argc >= 5)
			l.wfmt = !std::strcmp(argv[4], "base3") ? TERN_WFMT_BASE3 : TERN_WFMT_2BIT;
	}
	if (!l.m || !l.k || !l.n || l.m > 4096 || l.k > 4096 || l.n > 256) {
		std::fprintf(stderr, "usage: tern_sc_example [M K N [2bit|base3]] (M, K 1..4096, N 1..256)\n");
		return 2;
	}
	sc_core::sc_set_time_resolution(1, sc_core::SC_PS);   /* 1 ps, as in docs/systemc.md */
	sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
	sc_core::sc_time period(5, sc_core::SC_NS);           /* 200 MHz */
	std::vector<uint8_t> dram_bytes(DRAM_BYTES);

	sc_core::sc_clock clk("clk", period);
	tern_sc_rtl tern("tern", period);
	tern_sc_mem dram("dram", dram_bytes.data(), DRAM_BYTES, period);
	router bus("bus");
	driver host("host", l, cfg);

	dram.latency = TERN_DRAM_LATENCY;                   /* the definition's defaults */
	dram.bytes_per_cycle = TERN_DRAM_BYTES_PER_CYCLE;
	tern.bytes_per_cycle = dram.bytes_per_cycle;        /* tern's port meters beats by it */
	tern.dram_size = DRAM_BYTES;
	tern.dma_base = 0;
	tern.dma_limit = (uint32_t)DRAM_BYTES;
	tern.clk(clk);
	host.irq(tern.irq);
	host.rst_n(tern.rst_n);
	host.bus.bind(bus.in);   /* initiators: the driver and tern's memory master */
	tern.mem.bind(bus.in);
	bus.to_dram.bind(dram.socket);
	bus.to_csr.bind(tern.csr);

	tern.rst_n.write(false); /* held in reset for the first cycles */
	sc_core::sc_start(4 * period);
	tern.rst_n.write(true);
	sc_core::sc_start();
	return host.result;
}
