/*
 * tern_sc_rtl: the Verilated tern_top (verilator --sc) as a TLM-2.0 SystemC module.
 *
 *   csr       tlm target socket: 32-bit CSR reads and writes at the CSR offsets of
 *             docs/isa.md; each word becomes an AXI4-Lite access on the RTL's pins, so
 *             b_transport takes the simulated cycles the real handshake takes (it waits:
 *             call it from an SC_THREAD).
 *   mem       tlm initiator socket: every AXI4 burst the RTL issues on its memory master
 *             port becomes a request (TLM_IGNORE_COMMAND marked tern_sc_burst_start, whose
 *             annotated delay is the memory's latency) and one read or write transaction
 *             per beat, made in the cycle the beat moves on the pins.
 *   irq       sc_signal<bool> driven by the RTL's irq_o: wait on irq.posedge_event().
 *   rst_n     sc_signal<bool> reset input (active low), driven by the platform.
 *
 * The bridge is pin-accurate on the RTL side and loosely timed on the TLM side: the
 * burst latency comes from the target's annotation and beats are metered by a bandwidth
 * credit of bytes_per_cycle, with the same rules (and the same cycle numbering) as the
 * Verilator harness sim/tern_vl_harness.cpp, so a run takes exactly the cycles it takes
 * on the verilator backend. Inputs change at the falling edge, handshakes are sampled at
 * the rising edge before the RTL's outputs update (SystemC signal semantics), which is
 * the harness's "inputs change off the sampling edge".
 *
 * Cycle numbering: the clock's k-th rising edge (k = 0 at time 0) is tick k. An
 * observer (on_write) and flags use run cycles: tick minus the tick at which the
 * CTRL.START write is accepted.
 *
 * Build: TERN_VL_BUS_BYTES must be defined (the config's BUS_BYTES) and the model
 * Verilated with --sc --pins-bv 2 (every multi-bit port is an sc_bv).
 */
#ifndef TERN_SC_RTL_H
#define TERN_SC_RTL_H

#include <cstdint>
#include <cstring>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "Vtern_top.h"
#include "tern_sc_mem.h"

extern "C" {
#include "tern_isa.h"
}

#ifndef TERN_VL_BUS_BYTES
#error "define TERN_VL_BUS_BYTES (the config's BUS_BYTES)"
#endif

/* Harness observations that are RTL bugs (the TERN_VL_F_* values of sim/tern_vl.h). */
enum { TERN_SC_F_OUTSIDE = 1, TERN_SC_F_PROTOCOL = 2, TERN_SC_F_NO_IRQ = 4,
       TERN_SC_F_ASSERT = 8, TERN_SC_F_CSR_HANG = 16 };

struct tern_sc_rtl : sc_core::sc_module {
	static constexpr uint32_t BB = TERN_VL_BUS_BYTES;
	static constexpr uint32_t RING = 64;
	static constexpr int CSR_TIMEOUT = 1000;

	typedef int (*write_fn)(void *ctx, uint64_t cycle, uint64_t addr, const uint8_t *data,
				uint32_t len);

	sc_core::sc_in<bool> clk;
	tlm_utils::simple_target_socket<tern_sc_rtl> csr;
	tlm_utils::simple_initiator_socket<tern_sc_rtl> mem;
	sc_core::sc_signal<bool> irq;
	sc_core::sc_signal<bool> rst_n;

	/* DRAM port settings (the memory's bandwidth; latency comes from the memory). */
	uint32_t bytes_per_cycle = 0;
	uint32_t max_bursts = TERN_DRAM_MAX_BURSTS;
	uint64_t dram_size = 0;              /* beats past it read as zero, as in the harness */
	uint32_t dma_base = 0, dma_limit = 0; /* the run's window, for F_OUTSIDE */
	/* Observer of write beats, called after the bytes are in memory; non-zero = stop. */
	write_fn on_write = nullptr;
	void *cb_ctx = nullptr;
	bool stop = false;
	sc_core::sc_event stop_ev;
	int64_t run_start = INT64_MAX / 2;   /* tick of run cycle 0 */
	uint32_t flags = 0;
	uint64_t bad_addr = 0, bad_cycle = 0;

	SC_HAS_PROCESS(tern_sc_rtl);

	tern_sc_rtl(sc_core::sc_module_name n, sc_core::sc_time clk_period)
		: sc_module(n), clk("clk"), csr("csr"), mem("mem"), irq("irq"), rst_n("rst_n"),
		  period(clk_period), top("tern_top")
	{
		csr.register_b_transport(this, &tern_sc_rtl::csr_transport);
		top.clk_i(clk);
		top.rst_ni(rst_n);
		top.s_awvalid_i(s_awvalid); top.s_awready_o(s_awready); top.s_awaddr_i(s_awaddr);
		top.s_wvalid_i(s_wvalid); top.s_wready_o(s_wready); top.s_wdata_i(s_wdata);
		top.s_wstrb_i(s_wstrb); top.s_bvalid_o(s_bvalid); top.s_bready_i(s_bready);
		top.s_bresp_o(s_bresp); top.s_arvalid_i(s_arvalid); top.s_arready_o(s_arready);
		top.s_araddr_i(s_araddr); top.s_rvalid_o(s_rvalid); top.s_rready_i(s_rready);
		top.s_rdata_o(s_rdata); top.s_rresp_o(s_rresp);
		top.m_arvalid_o(m_arvalid); top.m_arready_i(m_arready); top.m_araddr_o(m_araddr);
		top.m_arlen_o(m_arlen); top.m_rvalid_i(m_rvalid); top.m_rready_o(m_rready);
		top.m_rdata_i(m_rdata); top.m_rlast_i(m_rlast);
		top.m_awvalid_o(m_awvalid); top.m_awready_i(m_awready); top.m_awaddr_o(m_awaddr);
		top.m_awlen_o(m_awlen); top.m_wvalid_o(m_wvalid); top.m_wready_i(m_wready);
		top.m_wdata_o(m_wdata); top.m_wlast_o(m_wlast); top.m_bvalid_i(m_bvalid);
		top.m_bready_o(m_bready);
		top.irq_o(irq);
		s_wstrb.write(0xf);
		SC_METHOD(on_rise);
		sensitive << clk.pos();
		dont_initialize();
		SC_METHOD(on_fall);
		sensitive << clk.neg();
		dont_initialize();
	}

	/* The tick of the current time (at a rising edge: that edge; at a falling edge: the next). */
	uint64_t tick_now() const
	{
		uint64_t t = sc_core::sc_time_stamp().value(), p = period.value();
		return (t + p - 1) / p;
	}
	int64_t run_cycle(uint64_t tick) const { return (int64_t)tick - run_start; }

	/* Empty the DRAM pipeline (with rst_n low: nothing is in flight on the RTL side). */
	void reset_port()
	{
		rq_head = rq_n = wq_head = wq_n = bq_head = bq_n = 0;
		credit = 0;
		r_valid = w_first = false;
		flags = 0;
		bad_addr = bad_cycle = 0;
		stop = false;
	}

	/* One 32-bit CSR access on the AXI4-Lite pins. false when the bus does not answer. */
	bool csr_access(bool write, uint32_t addr, uint32_t *data)
	{
		using sc_core::wait;
		bool a = false, d = false;

		wait(clk.negedge_event());
		if (write) {
			s_awaddr.write(addr);
			s_wdata.write(*data);
			s_awvalid.write(1);
			s_wvalid.write(1);
			s_bready.write(1);
		} else {
			s_araddr.write(addr);
			s_arvalid.write(1);
			s_rready.write(1);
		}
		for (int n = 0; n < CSR_TIMEOUT && !d; n++) {
			wait(clk.posedge_event()); /* values as the RTL samples them at this edge */
			bool ahs = write ? s_awvalid.read() && s_awready.read()
					 : s_arvalid.read() && s_arready.read();
			bool whs = write && s_wvalid.read() && s_wready.read();
			bool dhs = write ? s_bvalid.read() && s_bready.read()
					 : s_rvalid.read() && s_rready.read();
			if (whs && addr == TERN_CSR_CTRL && (*data & TERN_CTRL_START))
				run_start = (int64_t)tick_now() + 1;
			if (dhs && !write)
				*data = s_rdata.read().to_uint();
			wait(clk.negedge_event());
			if (ahs)
				(write ? s_awvalid : s_arvalid).write(0);
			if (whs)
				s_wvalid.write(0);
			if (dhs)
				(write ? s_bready : s_rready).write(0);
			a |= ahs;
			d |= dhs;
		}
		if (!d) {
			s_awvalid.write(0); s_wvalid.write(0); s_arvalid.write(0);
			s_bready.write(0); s_rready.write(0);
			flag(TERN_SC_F_CSR_HANG, addr, tick_now());
			if (!write)
				*data = 0;
		}
		return d;
	}

private:
	struct rd_burst { uint64_t addr; uint32_t beats; uint64_t ready; };
	struct wr_burst { uint64_t addr; uint32_t beats; uint64_t due; };

	sc_core::sc_time period;
	Vtern_top top;
	sc_core::sc_signal<bool> s_awvalid, s_awready, s_wvalid, s_wready, s_bvalid, s_bready;
	sc_core::sc_signal<bool> s_arvalid, s_arready, s_rvalid, s_rready;
	sc_core::sc_signal<sc_dt::sc_bv<12>> s_awaddr, s_araddr;
	sc_core::sc_signal<sc_dt::sc_bv<32>> s_wdata, s_rdata;
	sc_core::sc_signal<sc_dt::sc_bv<4>> s_wstrb;
	sc_core::sc_signal<sc_dt::sc_bv<2>> s_bresp, s_rresp;
	sc_core::sc_signal<bool> m_arvalid, m_arready, m_rvalid, m_rready, m_rlast;
	sc_core::sc_signal<bool> m_awvalid, m_awready, m_wvalid, m_wready, m_wlast;
	sc_core::sc_signal<bool> m_bvalid, m_bready;
	sc_core::sc_signal<sc_dt::sc_bv<32>> m_araddr, m_awaddr;
	sc_core::sc_signal<sc_dt::sc_bv<8>> m_arlen, m_awlen;
	sc_core::sc_signal<sc_dt::sc_bv<BB * 8>> m_rdata, m_wdata;

	/* DRAM pipeline state: touched only by on_rise/on_fall (one simulation thread). */
	rd_burst rq[RING];
	uint32_t rq_head = 0, rq_n = 0;
	wr_burst wq[RING];
	uint32_t wq_head = 0, wq_n = 0;
	uint64_t bq[RING];
	uint32_t bq_head = 0, bq_n = 0;
	uint64_t credit = 0;
	bool r_valid = false, w_first = false;

	void flag(uint32_t f, uint64_t addr, uint64_t tick)
	{
		if (!flags) {
			bad_addr = addr;
			bad_cycle = (uint64_t)run_cycle(tick);
		}
		flags |= f;
	}

	bool range_ok(uint64_t addr, uint64_t bytes, bool read) const
	{
		uint64_t lo = dma_base, hi = dma_limit;

		if (read) {
			lo = lo / BB * BB;
			hi = (hi + BB - 1) / BB * BB;
		}
		return addr >= lo && addr + bytes <= hi && addr + bytes <= dram_size;
	}

	/* A TLM transaction to the memory; returns the annotated delay in cycles. */
	uint64_t transact(tlm::tlm_command cmd, uint64_t addr, uint8_t *buf, uint32_t len,
			  bool first)
	{
		tlm::tlm_generic_payload p;
		tern_sc_burst_start mark;
		sc_core::sc_time delay = sc_core::SC_ZERO_TIME;

		p.set_command(cmd);
		p.set_address(addr);
		p.set_data_ptr(buf);
		p.set_data_length(len);
		p.set_streaming_width(len);
		p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
		if (first)
			p.set_extension(&mark);
		mem->b_transport(p, delay);
		if (first)
			p.clear_extension(&mark);
		if (cmd == tlm::TLM_READ_COMMAND && !p.is_response_ok())
			std::memset(buf, 0, len);
		return (uint64_t)(delay / period);
	}

	/* Rising edge: the handshakes the RTL sees at this edge (sample_mem of the harness). */
	void on_rise()
	{
		uint64_t tick = tick_now();

		if (m_arvalid.read() && m_arready.read()) {
			rd_burst &b = rq[(rq_head + rq_n++) % RING];
			b.addr = m_araddr.read().to_uint();
			b.beats = m_arlen.read().to_uint() + 1;
			uint64_t lat = transact(tlm::TLM_IGNORE_COMMAND, b.addr, nullptr, 0, true);
			b.ready = tick + (lat ? lat : 1);
			if (!range_ok(b.addr, (uint64_t)b.beats * BB, true))
				flag(TERN_SC_F_OUTSIDE, b.addr, tick);
		}
		if (m_awvalid.read() && m_awready.read()) {
			wr_burst &b = wq[(wq_head + wq_n++) % RING];
			b.addr = m_awaddr.read().to_uint();
			b.beats = m_awlen.read().to_uint() + 1;
			b.due = tick + transact(tlm::TLM_IGNORE_COMMAND, b.addr, nullptr, 0, true);
			if (!range_ok(b.addr, (uint64_t)b.beats * BB, false))
				flag(TERN_SC_F_OUTSIDE, b.addr, tick);
		}
		if (m_wvalid.read() && m_wready.read()) {
			wr_burst &b = wq[wq_head]; /* wready only with an open burst */
			uint64_t a = b.addr;
			bool last = --b.beats == 0;
			if (m_wlast.read() != last)
				flag(TERN_SC_F_PROTOCOL, a, tick);
			if (a + BB <= dram_size) {
				uint8_t buf[BB];
				const sc_dt::sc_bv<BB * 8> &w = m_wdata.read();
				for (uint32_t i = 0; i < BB / 4; i++) {
					uint32_t x = w.range(32 * i + 31, 32 * i).to_uint();
					std::memcpy(buf + 4 * i, &x, 4);
				}
				transact(tlm::TLM_WRITE_COMMAND, a, buf, BB, false);
				if (on_write && on_write(cb_ctx, (uint64_t)run_cycle(tick), a, buf, BB)) {
					stop = true;
					stop_ev.notify(sc_core::SC_ZERO_TIME);
				}
			}
			b.addr += BB;
			if (last) {
				bq[(bq_head + bq_n++) % RING] = b.due > tick ? b.due : tick + 1;
				wq_head = (wq_head + 1) % RING;
				wq_n--;
			}
		}
		if (m_rvalid.read() && m_rready.read()) {
			r_valid = false;
			rd_burst &b = rq[rq_head];
			b.addr += BB;
			if (--b.beats == 0) {
				rq_head = (rq_head + 1) % RING;
				rq_n--;
			}
		}
		if (m_bvalid.read() && m_bready.read()) {
			bq_head = (bq_head + 1) % RING;
			bq_n--;
		}
	}

	void present_read()
	{
		const rd_burst &b = rq[rq_head];
		uint8_t buf[BB];
		sc_dt::sc_bv<BB * 8> v;

		if (b.addr + BB <= dram_size)
			transact(tlm::TLM_READ_COMMAND, b.addr, buf, BB, false);
		else
			std::memset(buf, 0, BB);
		for (uint32_t i = 0; i < BB / 4; i++) {
			uint32_t x;
			std::memcpy(&x, buf + 4 * i, 4);
			v.range(32 * i + 31, 32 * i) = x;
		}
		m_rdata.write(v);
		r_valid = true;
		m_rlast.write(b.beats == 1);
	}

	/* Falling edge: next cycle's DRAM-side inputs (decide_mem of the harness). */
	void on_fall()
	{
		uint64_t now = tick_now();
		/* the harness's cap: B, or BUS + B - 1 below the bus width */
		uint64_t cap = bytes_per_cycle >= BB ? bytes_per_cycle : BB + bytes_per_cycle - 1;

		if (bytes_per_cycle) {
			credit += bytes_per_cycle;
			if (credit > cap)
				credit = cap;
		}
		bool want_r = !r_valid && rq_n && now >= rq[rq_head].ready;
		bool want_w = wq_n && m_wvalid.read();
		if (!bytes_per_cycle) {
			if (want_r)
				present_read();
		} else if (want_r && want_w && credit < 2 * BB) {
			if (credit >= BB) { /* one beat of bandwidth, two takers: alternate */
				credit -= BB;
				if (w_first)
					want_r = false;
				else
					want_w = false;
				w_first = !w_first;
				if (want_r)
					present_read();
			} else {
				want_w = false;
			}
		} else {
			if (want_r && credit >= BB) {
				credit -= BB;
				present_read();
			}
			if (want_w) {
				if (credit >= BB)
					credit -= BB;
				else
					want_w = false;
			}
		}
		m_rvalid.write(r_valid);
		m_wready.write(want_w);
		m_arready.write(rq_n < max_bursts);
		m_awready.write(wq_n < max_bursts);
		m_bvalid.write(bq_n && now >= bq[bq_head]);
	}

	void csr_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &delay)
	{
		uint64_t a = p.get_address();
		uint32_t n = p.get_data_length();
		uint8_t *d = p.get_data_ptr();

		sc_core::wait(delay); /* loosely-timed initiators may run ahead: catch up first */
		delay = sc_core::SC_ZERO_TIME;
		if (n % 4 || a % 4 || a + n > 4096 || p.get_byte_enable_ptr()) {
			p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
			return;
		}
		for (uint32_t i = 0; i < n; i += 4) {
			uint32_t x = 0;
			if (p.is_write())
				std::memcpy(&x, d + i, 4);
			if (!p.is_read() && !p.is_write())
				break;
			if (!csr_access(p.is_write(), (uint32_t)(a + i), &x)) {
				p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
				return;
			}
			if (p.is_read())
				std::memcpy(d + i, &x, 4);
		}
		p.set_response_status(tlm::TLM_OK_RESPONSE);
	}
};

#endif /* TERN_SC_RTL_H */
