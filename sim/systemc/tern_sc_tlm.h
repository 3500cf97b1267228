/*
 * tern_sc_tlm: a transaction-level model of tern, no RTL inside, with the sockets of
 * tern_sc_rtl (tern_sc_rtl.h) so a platform can swap one for the other:
 *
 *   csr   tlm target socket over the CSR map of docs/isa.md (loosely timed: a register
 *         access completes at once, no annotated delay);
 *   mem   tlm initiator socket: on START the model asks the memory for DMI and runs the
 *         whole program on it at once (exec: the reference model), then lets simulated
 *         time pass for the cycles the fast cycle model gives and raises irq (when
 *         CTRL.IRQ_EN was set) with STATUS.DONE, error code, index and counters in place;
 *   irq   sc_signal<bool>, cleared by writing IRQ_STATUS.
 *
 * The behaviour is a function pointer (tern_sctlm_exec_fn of tern_sctlm.h) so this header
 * depends on no tern C code; the driver's library passes the reference and fast models.
 */
#ifndef TERN_SC_TLM_H
#define TERN_SC_TLM_H

#include <cstdint>
#include <cstring>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include "tern_isa.h"
#include "tern_sctlm.h"
}

struct tern_sc_tlm : sc_core::sc_module {
	tlm_utils::simple_target_socket<tern_sc_tlm> csr;
	tlm_utils::simple_initiator_socket<tern_sc_tlm> mem;
	/* written by the worker (raise) and by CSR writes from any initiator (clear) */
	sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> irq;

	tern_sctlm_exec_fn exec = nullptr;
	void *exec_ctx = nullptr;
	uint32_t rows = 0, lanes = 0;
	bool exec_failed = false;

	SC_HAS_PROCESS(tern_sc_tlm);

	tern_sc_tlm(sc_core::sc_module_name n, sc_core::sc_time clk_period)
		: sc_module(n), csr("csr"), mem("mem"), irq("irq"), period(clk_period)
	{
		csr.register_b_transport(this, &tern_sc_tlm::csr_transport);
		SC_THREAD(worker);
	}

private:
	sc_core::sc_time period;
	sc_core::sc_event start;
	tern_vl_csrs regs = {};
	uint32_t status = 0, err = 0, err_insn = 0, irq_en = 0;
	uint64_t counters[64] = {};

	uint32_t read_reg(uint32_t a)
	{
		if (a >= TERN_CSR_COUNTER_BASE && a < TERN_CSR_COUNTER_BASE + 8 * TERN_CNT_COUNT) {
			uint64_t v = counters[(a - TERN_CSR_COUNTER_BASE) / 8];
			return (a - TERN_CSR_COUNTER_BASE) % 8 ? (uint32_t)(v >> 32) : (uint32_t)v;
		}
		switch (a) {
		case TERN_CSR_INSN_BASE: return regs.insn_base;
		case TERN_CSR_INSN_COUNT: return regs.insn_count;
		case TERN_CSR_DMA_BASE: return regs.dma_base;
		case TERN_CSR_DMA_LIMIT: return regs.dma_limit;
		case TERN_CSR_WATCHDOG: return (uint32_t)regs.watchdog;
		case TERN_CSR_STATUS: return status;
		case TERN_CSR_ERR_CODE: return err;
		case TERN_CSR_ERR_INSN: return err_insn;
		case TERN_CSR_IRQ_STATUS: return irq.read();
		case TERN_CSR_HW_ROWS: return rows;
		case TERN_CSR_HW_LANES: return lanes;
		case TERN_CSR_HW_COUNTER_BITS: return 64; /* the ISA's counters */
		default: return 0;
		}
	}

	void write_reg(uint32_t a, uint32_t x)
	{
		switch (a) {
		case TERN_CSR_INSN_BASE: regs.insn_base = x; break;
		case TERN_CSR_INSN_COUNT: regs.insn_count = x; break;
		case TERN_CSR_DMA_BASE: regs.dma_base = x; break;
		case TERN_CSR_DMA_LIMIT: regs.dma_limit = x; break;
		case TERN_CSR_WATCHDOG: regs.watchdog = x; break;
		case TERN_CSR_IRQ_STATUS: if (x & 1) irq.write(false); break;
		case TERN_CSR_CTRL:
			if (x & TERN_CTRL_START) {
				irq_en = x & TERN_CTRL_IRQ_EN;
				status = 0;
				start.notify(sc_core::SC_ZERO_TIME);
			}
			break;
		default: break;
		}
	}

	void csr_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &)
	{
		uint64_t a = p.get_address();
		uint32_t n = p.get_data_length();
		uint8_t *d = p.get_data_ptr();

		if (n % 4 || a % 4 || a + n > 4096 || p.get_byte_enable_ptr()) {
			p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
			return;
		}
		for (uint32_t i = 0; i < n; i += 4) {
			uint32_t x;
			if (p.is_write()) {
				std::memcpy(&x, d + i, 4);
				write_reg((uint32_t)(a + i), x);
			} else if (p.is_read()) {
				x = read_reg((uint32_t)(a + i));
				std::memcpy(d + i, &x, 4);
			}
		}
		p.set_response_status(tlm::TLM_OK_RESPONSE);
	}

	void worker()
	{
		for (;;) {
			sc_core::wait(start);
			tlm::tlm_generic_payload p;
			tlm::tlm_dmi dmi;
			p.set_address(0);
			p.set_command(tlm::TLM_READ_COMMAND);
			std::memset(counters, 0, sizeof(counters));
			err = err_insn = 0;
			exec_failed = !mem->get_direct_mem_ptr(p, dmi) || !dmi.is_read_write_allowed() ||
				      dmi.get_start_address() != 0 ||
				      exec(exec_ctx, dmi.get_dmi_ptr(), dmi.get_end_address() + 1, &regs,
					   &err, &err_insn, counters) != 0;
			if (exec_failed)
				continue; /* no DONE, no interrupt: the host's bound ends the wait */
			/* The device is busy for the modelled cycles; then DONE and the interrupt. */
			sc_core::wait((double)counters[TERN_CNT_CYCLES] * period);
			status = TERN_STATUS_DONE | (err ? TERN_STATUS_ERROR : 0);
			if (irq_en)
				irq.write(true);
		}
	}
};

#endif /* TERN_SC_TLM_H */
