// axi_monitor.h: an AXI4 / AXI4-Lite protocol monitor for the Verilator benches
// (tests/rtl/tb_axi.cpp). It sees one interface as plain numbers, sampled each cycle just
// before the clock edge, and records every rule the AMBA AXI4 specification (IHI 0022)
// puts on what it watches:
//   - every channel: once VALID is high it stays high until READY, with the payload
//     unchanged (A3.2.1), and nothing moves while reset is asserted;
//   - AR/AW (full AXI4): INCR bursts of full-width beats (the size tern's port has),
//     address aligned to the beat, at most 256 beats, never across a 4 KiB boundary
//     (A3.4.1), write strobes all set for tern's whole-beat writes;
//   - W: WLAST exactly on beat AWLEN+1 of its burst, bursts taken in AW order;
//   - R/B: every response belongs to an outstanding request of its ID, and responses of
//     one ID come in request order (A5.3): RLAST exactly on the last beat of the oldest
//     read of that ID; a B only after all of that write's data.
// The first violation of each kind is kept with its cycle; violations() lists them. It
// never changes the bus: it is the judge, not a participant.
#ifndef TERN_AXI_MONITOR_H
#define TERN_AXI_MONITOR_H

#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

struct AxiBeat {            // one channel's signals this cycle
	bool valid = false, ready = false;
	std::vector<uint64_t> payload;  // everything that must stay stable while waiting
};

class AxiChannelCheck {
public:
	explicit AxiChannelCheck(const char *n) : name(n) {}
	// Returns an empty string, or the broken rule.
	std::string step(const AxiBeat &b) {
		std::string why;
		if (waiting && !b.valid)
			why = std::string(name) + " VALID dropped before READY";
		else if (waiting && b.payload != held)
			why = std::string(name) + " payload changed while VALID waited for READY";
		waiting = b.valid && !b.ready;
		held = b.payload;
		return why;
	}
	void reset() { waiting = false; }
private:
	const char *name;
	bool waiting = false;
	std::vector<uint64_t> held;
};

class AxiMonitor {
public:
	struct Addr { uint64_t id, addr, len, size, burst; };
	explicit AxiMonitor(const char *n, uint32_t bus_bytes, bool lite)
		: name(n), bb(bus_bytes), lite(lite) {}

	// Call once per cycle with the five channels (sampled before the edge). aw/ar payload
	// layout: {addr, len, size, burst, id}; w: {last, strb, data words...}; b: {id, resp};
	// r: {id, last, resp, data words...}. For AXI4-Lite the len/size/burst/id/last are 0.
	void step(uint64_t cycle, const AxiBeat &aw, const AxiBeat &w, const AxiBeat &b,
		  const AxiBeat &ar, const AxiBeat &r) {
		now = cycle;
		note(c_aw.step(aw)); note(c_w.step(w)); note(c_b.step(b));
		note(c_ar.step(ar)); note(c_r.step(r));
		if (ar.valid && ar.ready) on_ar(ar);
		if (aw.valid && aw.ready) on_aw(aw);
		if (w.valid && w.ready) on_w(w);
		if (r.valid && r.ready) on_r(r);
		if (b.valid && b.ready) on_b(b);
	}
	// Check one request as if it had been taken (the 4 KiB self-test of tb_axi).
	void check_request(const char *ch, const Addr &a) { check_burst(ch, a); }
	void finish() {  // the bus must be idle at the end
		bool open = !wr_addr.empty() || w_beats || !w_early.empty();
		for (const auto &q : rd) open |= !q.second.empty();
		if (open) note("bursts still open at the end");
	}
	const std::vector<std::string> &violations() const { return errs; }
	uint64_t reads = 0, writes = 0, rbeats = 0, wbeats = 0;

private:
	const char *name;
	uint32_t bb;
	bool lite;
	uint64_t now = 0;
	AxiChannelCheck c_aw{"AW"}, c_w{"W"}, c_b{"B"}, c_ar{"AR"}, c_r{"R"};
	std::map<uint64_t, std::deque<Addr>> rd;   // outstanding reads per ID, oldest first
	std::map<uint64_t, uint64_t> rd_beat;       // beats of the oldest read taken so far
	std::deque<Addr> wr_addr;                   // AWs whose data is still coming, in order
	std::map<uint64_t, int> wr_done;            // per ID: writes with all data, no B yet
	uint64_t w_beats = 0;                       // beats of the current W burst
	std::deque<uint64_t> w_early;               // beat counts of W bursts ahead of their AW
	std::vector<std::string> errs;
	std::map<std::string, bool> seen;

	void note(const std::string &why) {
		if (why.empty()) return;
		std::string k = why.substr(0, why.find(" ("));
		if (seen[k]) return;
		seen[k] = true;
		errs.push_back(std::string(name) + ": " + why + " (cycle " + std::to_string(now) + ")");
	}
	static Addr addr_of(const AxiBeat &x) {
		return Addr{x.payload[4], x.payload[0], x.payload[1], x.payload[2], x.payload[3]};
	}
	void check_burst(const char *ch, const Addr &a) {
		std::string c(ch);
		if (lite) {
			if (a.addr % 4) note(c + " address not word-aligned");
			return;
		}
		if (a.burst != 1) note(c + " burst type is not INCR");
		if ((1ull << a.size) != bb) note(c + " size is not the bus width");
		if (a.addr % bb) note(c + " address not aligned to the beat");
		if (a.len > 255) note(c + " more than 256 beats");
		if (a.addr / 4096 != (a.addr + (a.len + 1) * bb - 1) / 4096)
			note(c + " burst crosses a 4 KiB boundary");
	}
	void on_ar(const AxiBeat &x) {
		Addr a = addr_of(x);
		check_burst("AR", a);
		rd[a.id].push_back(a);
		reads++;
	}
	void on_aw(const AxiBeat &x) {
		Addr a = addr_of(x);
		check_burst("AW", a);
		writes++;
		if (!w_early.empty()) {  // its data came first (legal): judge it now
			if (w_early.front() != (lite ? 1 : a.len + 1))
				note("WLAST not on beat AWLEN+1 of a burst sent ahead of its AW");
			w_early.pop_front();
			wr_done[a.id]++;
			return;
		}
		wr_addr.push_back(a);
	}
	void on_w(const AxiBeat &x) {
		bool last = x.payload[0];
		uint64_t strb = x.payload[1];
		uint64_t all = bb >= 64 ? ~0ull : (1ull << (lite ? 4 : bb)) - 1;
		if (!lite && strb != all) note("W strobes not all set on a whole-beat write");
		wbeats++;
		w_beats++;
		if (wr_addr.empty()) {  // W before its AW is legal; judged when the AW comes
			if (last || lite) {
				w_early.push_back(w_beats);
				w_beats = 0;
			}
			return;
		}
		const Addr &a = wr_addr.front();
		bool want_last = lite || w_beats == a.len + 1;
		if (last != want_last)
			note(last ? "WLAST before the last beat" : "WLAST missing on the last beat");
		if (want_last) {
			wr_done[a.id]++;
			wr_addr.pop_front();
			w_beats = 0;
		}
	}
	void on_r(const AxiBeat &x) {
		uint64_t id = x.payload[0];
		bool last = x.payload[1];
		rbeats++;
		auto it = rd.find(id);
		if (it == rd.end() || it->second.empty()) {
			note("R beat with no outstanding read of its ID");
			return;
		}
		// Per-ID order: this beat belongs to the oldest read of that ID.
		const Addr &a = it->second.front();
		uint64_t n = ++rd_beat[id];
		bool want_last = lite || n == a.len + 1;
		if (last != want_last)
			note(last ? "RLAST before the last beat" : "RLAST missing on the last beat");
		if (want_last || n > a.len + 1) {
			it->second.pop_front();
			rd_beat[id] = 0;
		}
	}
	void on_b(const AxiBeat &x) {
		uint64_t id = x.payload[0];
		if (wr_done[id] <= 0) note("B response before all of its write data (or no write of its ID)");
		else wr_done[id]--;
	}
};

#endif  // TERN_AXI_MONITOR_H
