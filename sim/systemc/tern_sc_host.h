/*
 * The host side that both SystemC platforms share: the pin-level one around the Verilated
 * RTL (tern_sc_lib.cpp) and the TLM-only one (tern_sc_tlm_lib.cpp). Each platform's host
 * thread plays a driver on a CPU model; the parts that do not depend on what sits behind
 * the CSR socket live here so the two cannot drift apart: the job handed from the C
 * interface to the SystemC thread, the quiet kernel setup, a CSR access as a TLM
 * transaction, programming a run's CSRs, reading back status, error and counters, and the
 * loop that serves one job per sc_start.
 */
#ifndef TERN_SC_HOST_H
#define TERN_SC_HOST_H

#include <cstdint>
#include <cstdlib>

#include <systemc>
#include <tlm>

extern "C" {
#include "tern_isa.h"
#include "tern_vl.h"
}

/* 200 MHz, the KV260 preset's clock (isa/tern_isa.json boards); 1 ps resolution.
 * A macro, not a global: no sc_time may exist before the resolution is set. */
#define TERN_SC_CLK sc_core::sc_time(5000, sc_core::SC_PS)

/* One run, from the C call that starts it to the host thread that performs it. */
struct tern_sc_job {
	tern_vl_csrs c;
	uint64_t max_cycles;
	tern_vl_result *r;
	int rc;
};

/* Before SystemC prints anything: its banner and info lines would land on tern's stdout. */
inline void tern_sc_quiet_kernel()
{
	setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
	sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
	sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
	sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
}

/* A 4-byte CSR access through an initiator socket; d gets the target's annotated delay. */
template <class Socket>
bool tern_sc_csr(Socket &s, tlm::tlm_command cmd, uint32_t a, uint32_t *x, sc_core::sc_time &d)
{
	tlm::tlm_generic_payload p;

	d = sc_core::SC_ZERO_TIME;
	p.set_command(cmd);
	p.set_address(a);
	p.set_data_ptr(reinterpret_cast<unsigned char *>(x));
	p.set_data_length(4);
	p.set_streaming_width(4);
	p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
	s->b_transport(p, d);
	return p.is_response_ok();
}

/* The run's CSRs before START (the watchdog register is 32 bits: larger bounds saturate). */
template <class Host>
void tern_sc_program(Host &h, const tern_vl_csrs &c)
{
	h.wr(TERN_CSR_INSN_BASE, c.insn_base);
	h.wr(TERN_CSR_INSN_COUNT, c.insn_count);
	h.wr(TERN_CSR_DMA_BASE, c.dma_base);
	h.wr(TERN_CSR_DMA_LIMIT, c.dma_limit);
	h.wr(TERN_CSR_WATCHDOG, (uint32_t)(c.watchdog > 0xffffffffull ? 0xffffffffull : c.watchdog));
}

/* STATUS, the error and every counter (LO before HI: reading LO latches HI). */
template <class Host>
void tern_sc_read_back(Host &h, tern_vl_result *r)
{
	r->status = h.rd(TERN_CSR_STATUS);
	r->err_code = h.rd(TERN_CSR_ERR_CODE);
	r->err_insn = h.rd(TERN_CSR_ERR_INSN);
	for (unsigned i = 0; i < TERN_CNT_COUNT; i++) {
		uint32_t lo = h.rd(TERN_CSR_COUNTER_BASE + 8 * i);
		uint32_t hi = h.rd(TERN_CSR_COUNTER_BASE + 8 * i + 4);
		r->counters[i] = (uint64_t)hi << 32 | lo;
	}
}

/* The host thread's body: j is set before go is notified, so the first run needs no wait;
 * after each run the kernel pauses and sc_start returns to the C caller. */
template <class Host>
void tern_sc_serve(Host &h)
{
	for (;;) {
		while (!h.j)
			sc_core::wait(h.go);
		h.run(*h.j);
		h.j = nullptr;
		sc_core::sc_pause();
	}
}

#endif /* TERN_SC_HOST_H */
