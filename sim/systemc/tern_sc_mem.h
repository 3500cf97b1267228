/*
 * tern_sc_mem: the device DRAM of a tern SystemC platform, a TLM-2.0 target with
 * configurable latency and bandwidth.
 *
 * Data: b_transport copies bytes to or from a host buffer the platform owns (the
 * driver's device memory, so the driver and the reference model see every byte the
 * device writes) and grants DMI, which the TLM-only model uses for whole-program runs.
 * An address outside the buffer answers TLM_ADDRESS_ERROR_RESPONSE.
 *
 * Timing: latency (cycles from a burst's acceptance to its first data beat or write
 * response) and bytes_per_cycle (bandwidth shared by reads and writes) are properties
 * of this target. b_transport annotates the latency on a burst's request (a
 * TLM_IGNORE_COMMAND transaction marked tern_sc_burst_start) and nothing on the data
 * beats, which move one transaction each in the cycle they cross the pins; the pin
 * bridge of the RTL module (tern_sc_rtl.h) spends that latency and meters beats by
 * bytes_per_cycle exactly as the Verilator harness does, which is what makes its cycle
 * counts equal the verilator backend's (docs/systemc.md "Timing").
 */
#ifndef TERN_SC_MEM_H
#define TERN_SC_MEM_H

#include <cstdint>
#include <cstring>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

/* Marks the first beat of a burst: the memory annotates its latency on it. */
struct tern_sc_burst_start : tlm::tlm_extension<tern_sc_burst_start> {
	tlm::tlm_extension_base *clone() const override { return new tern_sc_burst_start(*this); }
	void copy_from(const tlm::tlm_extension_base &) override {}
};

struct tern_sc_mem : sc_core::sc_module {
	tlm_utils::simple_target_socket<tern_sc_mem> socket;

	uint8_t *data;            /* owned by the platform */
	uint64_t size;
	uint32_t latency;         /* cycles */
	uint32_t bytes_per_cycle; /* 0 = unlimited */
	sc_core::sc_time period;  /* one device clock cycle, to turn latency into time */

	tern_sc_mem(sc_core::sc_module_name n, uint8_t *d, uint64_t sz, sc_core::sc_time clk)
		: sc_module(n), socket("socket"), data(d), size(sz), latency(0),
		  bytes_per_cycle(0), period(clk)
	{
		socket.register_b_transport(this, &tern_sc_mem::b_transport);
		socket.register_get_direct_mem_ptr(this, &tern_sc_mem::get_dmi);
		socket.register_transport_dbg(this, &tern_sc_mem::dbg);
	}

	void b_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &delay)
	{
		if (!access(p))
			return;
		tern_sc_burst_start *first = nullptr;
		p.get_extension(first);
		if (first)
			delay += latency * period;
		p.set_dmi_allowed(true);
	}

	unsigned int dbg(tlm::tlm_generic_payload &p)
	{
		return access(p) ? p.get_data_length() : 0;
	}

	bool get_dmi(tlm::tlm_generic_payload &, tlm::tlm_dmi &d)
	{
		d.set_dmi_ptr(data);
		d.set_start_address(0);
		d.set_end_address(size - 1);
		d.allow_read_write();
		d.set_read_latency(latency * period);
		d.set_write_latency(latency * period);
		return true;
	}

private:
	bool access(tlm::tlm_generic_payload &p)
	{
		uint64_t a = p.get_address(), n = p.get_data_length();

		if (p.get_byte_enable_ptr() || a > size || n > size - a) {
			p.set_response_status(a > size || n > size - a
						      ? tlm::TLM_ADDRESS_ERROR_RESPONSE
						      : tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
			return false;
		}
		if (p.is_read())
			std::memcpy(p.get_data_ptr(), data + a, n);
		else if (p.is_write())
			std::memcpy(data + a, p.get_data_ptr(), n);
		p.set_response_status(tlm::TLM_OK_RESPONSE);
		return true;
	}
};

#endif /* TERN_SC_MEM_H */
