// tb_axi: tern_axi_top (tern_top behind tern_axil_slave and tern_axi_master) under
// Verilator with an AXI4 memory slave and an AXI4-Lite host that both play the protocol's
// freedoms at random: READY on every channel drawn per cycle, read and write latencies
// drawn per burst, gaps between R beats, B responses delayed, AW and W of a CSR write
// offered with independent delays, BREADY/RREADY withheld. Two tern_axi_monitor
// instances (tests/rtl/axi_monitor.h) judge both interfaces, the bench's own side
// included. Each case compiles a real BitLinear layer (compiler/), runs it, and demands:
// no protocol violation, no error, the whole DMA window byte-identical to the reference
// model's image after the same program (lockstep exact), every counter the reference
// model counts equal, and Y equal to a plain C++ matmul of W and X. The buffers are
// placed so LOAD bursts meet 4 KiB boundaries. Built by tests/rtl/axi.sh, also with
// -GBug=1..3 (broken wrappers): then it must report the monitor's violation.
// Usage: tb_axi SEED ; prints PASS:/FAIL: lines and "VIOLATION: ..." for each rule broken.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vtern_axi_top.h"
#include "verilated.h"
#include "axi_monitor.h"

extern "C" {
#include "tern_compile.h"
#include "tern_isa.h"
#include "tern_ref.h"
}

#ifndef BUS_BYTES
#error "build through tests/rtl/axi.sh"
#endif

static const uint32_t DRAM = 1u << 20;
static int fails = 0;

static void check(bool ok, const std::string &name, const std::string &why = "") {
	if (ok) printf("PASS: %s\n", name.c_str());
	else { printf("FAIL: %s (%s)\n", name.c_str(), why.c_str()); fails++; }
}

struct RdBurst { uint64_t id, addr, left, ready; };
struct WrBurst { uint64_t id, addr, left; };
struct BResp { uint64_t id, due; };

struct Bench {
	std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
	std::unique_ptr<Vtern_axi_top> t;
	std::mt19937_64 rng;
	std::vector<uint8_t> dram = std::vector<uint8_t>(DRAM);
	AxiMonitor mem{"mem", BUS_BYTES, false}, ctl{"ctrl", 4, true};
	uint64_t cyc = 0;
	// memory slave state
	std::deque<RdBurst> rq;     // accepted reads, in AR order
	int r_cur = -1;             // index in rq of the burst on R, -1 none
	std::deque<WrBurst> wq;
	std::deque<BResp> bq;
	bool b_on = false;
	bool hang = false;

	explicit Bench(uint64_t seed) : rng(seed) {
		t.reset(new Vtern_axi_top{ctx.get()});
		t->aclk = 0; t->aresetn = 0;
		t->eval();
		for (int i = 0; i < 5; i++) cycle();
		t->aresetn = 1;
		t->eval();
		for (int i = 0; i < 2; i++) cycle();
	}
	bool coin(unsigned pct) { return rng() % 100 < pct; }

	AxiBeat beat_addr(bool v, bool r, uint64_t a, uint64_t len, uint64_t size, uint64_t burst,
			  uint64_t id) {
		AxiBeat b; b.valid = v; b.ready = r; b.payload = {a, len, size, burst, id}; return b;
	}
	template <class W> static void words(std::vector<uint64_t> &p, const W &w) {
		for (size_t i = 0; i < sizeof(w) / 4; i++) p.push_back(((const uint32_t *)&w)[i]);
	}
	void monitor() {
		Vtern_axi_top *x = t.get();
		AxiBeat w, b, r;
		w.valid = x->m_axi_mem_wvalid; w.ready = x->m_axi_mem_wready;
		w.payload = {x->m_axi_mem_wlast, x->m_axi_mem_wstrb};
		words(w.payload, x->m_axi_mem_wdata);
		b.valid = x->m_axi_mem_bvalid; b.ready = x->m_axi_mem_bready;
		b.payload = {x->m_axi_mem_bid, x->m_axi_mem_bresp};
		r.valid = x->m_axi_mem_rvalid; r.ready = x->m_axi_mem_rready;
		r.payload = {x->m_axi_mem_rid, x->m_axi_mem_rlast, x->m_axi_mem_rresp};
		words(r.payload, x->m_axi_mem_rdata);
		mem.step(cyc,
			 beat_addr(x->m_axi_mem_awvalid, x->m_axi_mem_awready, x->m_axi_mem_awaddr,
				   x->m_axi_mem_awlen, x->m_axi_mem_awsize, x->m_axi_mem_awburst,
				   x->m_axi_mem_awid), w, b,
			 beat_addr(x->m_axi_mem_arvalid, x->m_axi_mem_arready, x->m_axi_mem_araddr,
				   x->m_axi_mem_arlen, x->m_axi_mem_arsize, x->m_axi_mem_arburst,
				   x->m_axi_mem_arid), r);
		AxiBeat cw, cb, cr;
		cw.valid = x->s_axi_ctrl_wvalid; cw.ready = x->s_axi_ctrl_wready;
		cw.payload = {1, x->s_axi_ctrl_wstrb, x->s_axi_ctrl_wdata};
		cb.valid = x->s_axi_ctrl_bvalid; cb.ready = x->s_axi_ctrl_bready;
		cb.payload = {0, x->s_axi_ctrl_bresp};
		cr.valid = x->s_axi_ctrl_rvalid; cr.ready = x->s_axi_ctrl_rready;
		cr.payload = {0, 1, x->s_axi_ctrl_rresp, x->s_axi_ctrl_rdata};
		ctl.step(cyc, beat_addr(x->s_axi_ctrl_awvalid, x->s_axi_ctrl_awready,
					x->s_axi_ctrl_awaddr, 0, 0, 0, 0), cw, cb,
			 beat_addr(x->s_axi_ctrl_arvalid, x->s_axi_ctrl_arready,
				   x->s_axi_ctrl_araddr, 0, 0, 0, 0), cr);
	}
	// The memory slave: take this cycle's handshakes, then choose next cycle's outputs.
	void mem_after_edge(bool ar, bool aw, bool w, bool r, bool b, uint64_t araddr, uint64_t arlen,
			    uint64_t arid, uint64_t awaddr, uint64_t awlen, uint64_t awid,
			    const uint8_t *wdata, uint64_t wstrb) {
		Vtern_axi_top *x = t.get();
		if (ar) rq.push_back({arid, araddr, arlen + 1, cyc + 1 + rng() % 24});
		if (aw) wq.push_back({awid, awaddr, awlen + 1});
		if (w) {
			WrBurst &q = wq.front();
			for (uint32_t i = 0; i < BUS_BYTES; i++)
				if ((wstrb >> i & 1) && q.addr + i < DRAM) dram[q.addr + i] = wdata[i];
			q.addr += BUS_BYTES;
			if (--q.left == 0) { bq.push_back({q.id, cyc + 1 + rng() % 12}); wq.pop_front(); }
		}
		if (r) {
			RdBurst &q = rq[r_cur];
			q.addr += BUS_BYTES;
			if (--q.left == 0) rq.erase(rq.begin() + r_cur);
			r_cur = -1;
		}
		if (b) { bq.pop_front(); b_on = false; }
		// R: once shown, a beat stays until taken (the slave keeps the rules too). Pick the
		// oldest burst of any ID that is ready: bursts of different IDs may interleave.
		if (r_cur < 0 && coin(70)) {
			for (size_t i = 0; i < rq.size(); i++) {
				bool older_same_id = false;
				for (size_t j = 0; j < i; j++) older_same_id |= rq[j].id == rq[i].id;
				if (!older_same_id && rq[i].ready <= cyc) { r_cur = (int)i; break; }
			}
		}
		x->m_axi_mem_rvalid = r_cur >= 0;
		if (r_cur >= 0) {
			const RdBurst &q = rq[r_cur];
			uint8_t *d = (uint8_t *)&x->m_axi_mem_rdata;
			for (uint32_t i = 0; i < BUS_BYTES; i++) d[i] = q.addr + i < DRAM ? dram[q.addr + i] : 0;
			x->m_axi_mem_rlast = q.left == 1;
			x->m_axi_mem_rid = q.id;
			x->m_axi_mem_rresp = 0;
		}
		if (!b_on && !bq.empty() && bq.front().due <= cyc && coin(60)) b_on = true;
		x->m_axi_mem_bvalid = b_on;
		x->m_axi_mem_bid = b_on ? bq.front().id : 0;
		x->m_axi_mem_bresp = 0;
		x->m_axi_mem_arready = rq.size() < 8 && coin(50);
		x->m_axi_mem_awready = wq.size() < 8 && coin(50);
		x->m_axi_mem_wready = !wq.empty() && coin(60);
	}
	void cycle() {
		Vtern_axi_top *x = t.get();
		x->eval();
		if (x->aresetn) monitor();
		bool ar = x->m_axi_mem_arvalid && x->m_axi_mem_arready;
		bool aw = x->m_axi_mem_awvalid && x->m_axi_mem_awready;
		bool w = x->m_axi_mem_wvalid && x->m_axi_mem_wready;
		bool r = x->m_axi_mem_rvalid && x->m_axi_mem_rready;
		bool b = x->m_axi_mem_bvalid && x->m_axi_mem_bready;
		uint64_t araddr = x->m_axi_mem_araddr, arlen = x->m_axi_mem_arlen, arid = x->m_axi_mem_arid;
		uint64_t awaddr = x->m_axi_mem_awaddr, awlen = x->m_axi_mem_awlen, awid = x->m_axi_mem_awid;
		uint8_t wd[BUS_BYTES];
		std::memcpy(wd, &x->m_axi_mem_wdata, BUS_BYTES);
		uint64_t wstrb = x->m_axi_mem_wstrb;
		x->aclk = 1;
		x->eval();
		cyc++;
		mem_after_edge(ar, aw, w, r, b, araddr, arlen, arid, awaddr, awlen, awid, wd, wstrb);
		x->aclk = 0;
		x->eval();
	}
	// AXI4-Lite host with random timing; false if the slave never answers.
	bool csr_write(uint32_t a, uint32_t d) {
		Vtern_axi_top *x = t.get();
		int aw_delay = rng() % 4, w_delay = rng() % 4;
		bool aw_done = false, w_done = false;
		x->s_axi_ctrl_awaddr = a; x->s_axi_ctrl_awprot = 0;
		x->s_axi_ctrl_wdata = d; x->s_axi_ctrl_wstrb = 0xf;
		for (int n = 0; n < 2000; n++) {
			x->s_axi_ctrl_awvalid = !aw_done && aw_delay-- <= 0;
			x->s_axi_ctrl_wvalid = !w_done && w_delay-- <= 0;
			x->s_axi_ctrl_bready = coin(50);
			x->eval();
			bool awh = x->s_axi_ctrl_awvalid && x->s_axi_ctrl_awready;
			bool wh = x->s_axi_ctrl_wvalid && x->s_axi_ctrl_wready;
			bool bh = x->s_axi_ctrl_bvalid && x->s_axi_ctrl_bready;
			cycle();
			aw_done |= awh; w_done |= wh;
			// An offered channel stays offered until taken (valid held).
			if (!awh && x->s_axi_ctrl_awvalid) aw_delay = 0;
			if (!wh && x->s_axi_ctrl_wvalid) w_delay = 0;
			if (bh) { x->s_axi_ctrl_awvalid = x->s_axi_ctrl_wvalid = x->s_axi_ctrl_bready = 0; return true; }
		}
		hang = true;
		return false;
	}
	bool csr_read(uint32_t a, uint32_t *d) {
		Vtern_axi_top *x = t.get();
		int delay = rng() % 4;
		bool ar_done = false;
		x->s_axi_ctrl_araddr = a; x->s_axi_ctrl_arprot = 0;
		for (int n = 0; n < 2000; n++) {
			x->s_axi_ctrl_arvalid = !ar_done && delay-- <= 0;
			x->s_axi_ctrl_rready = coin(50);
			x->eval();
			bool arh = x->s_axi_ctrl_arvalid && x->s_axi_ctrl_arready;
			bool rh = x->s_axi_ctrl_rvalid && x->s_axi_ctrl_rready;
			if (rh) *d = x->s_axi_ctrl_rdata;
			if (!arh && x->s_axi_ctrl_arvalid) delay = 0;
			cycle();
			ar_done |= arh;
			if (rh) { x->s_axi_ctrl_arvalid = x->s_axi_ctrl_rready = 0; return true; }
		}
		hang = true;
		return false;
	}
};

static void print_violations(const Bench &b) {
	for (const auto &v : b.mem.violations()) printf("VIOLATION: %s\n", v.c_str());
	for (const auto &v : b.ctl.violations()) printf("VIOLATION: %s\n", v.c_str());
}

// One layer: compile, place (W starts 3 beats before a 4 KiB boundary), run on the RTL
// and on the reference model from the same image, compare.
static void run_case(Bench &b, const tern_hw_config &cfg, uint32_t m, uint32_t k, uint32_t n,
		     uint32_t wfmt, uint64_t seed) {
	char name[96], err[200];
	snprintf(name, sizeof(name), "axi_gemm_%ux%ux%u_%s", m, k, n, wfmt ? "base3" : "2bit");
	tern_layer l{m, k, n, wfmt};
	tern_layout lo;
	if (tern_layout_plan(&cfg, &l, &lo, err, sizeof(err))) { check(false, name, err); return; }
	std::mt19937_64 r(seed);
	std::vector<int8_t> w((size_t)m * k), x((size_t)n * k);
	for (auto &v : w) v = (int8_t)(r() % 3) - 1;
	for (auto &v : x) v = (int8_t)(r() & 0xff);
	auto up = [](uint64_t v) { return (uint32_t)((v + 63) / 64 * 64); };
	tern_addrs a;
	a.w = 0x3000 - 3 * BUS_BYTES;
	a.x = up(a.w + lo.w_bytes) + 0x1000 - 2 * BUS_BYTES;
	a.y = up(a.x + lo.x_bytes);
	uint32_t ins = up(a.y + lo.y_bytes) + 0x100;
	tern_program p;
	if (tern_compile(&cfg, &l, &lo, &a, &p, err, sizeof(err))) { check(false, name, err); return; }
	uint32_t limit = up(ins + p.count * TERN_INSN_BYTES);
	std::fill(b.dram.begin(), b.dram.end(), 0);
	tern_pack_weights(&cfg, &l, &lo, w.data(), &b.dram[a.w]);
	tern_pack_acts(&cfg, &l, &lo, x.data(), &b.dram[a.x]);
	std::memset(&b.dram[a.y], 0xa5, lo.y_bytes);
	std::memcpy(&b.dram[ins], p.insns, (size_t)p.count * TERN_INSN_BYTES);
	std::vector<uint8_t> ref(b.dram);
	tern_ref_args ra{ins, p.count, 0x1000, limit};
	tern_ref_result rr;
	tern_ref_run(&cfg, ref.data(), DRAM, &ra, nullptr, nullptr, &rr);
	tern_program_free(&p);

	bool ok = b.csr_write(TERN_CSR_INSN_BASE, ins) && b.csr_write(TERN_CSR_INSN_COUNT, ra.insn_count) &&
		  b.csr_write(TERN_CSR_DMA_BASE, 0x1000) && b.csr_write(TERN_CSR_DMA_LIMIT, limit) &&
		  b.csr_write(TERN_CSR_WATCHDOG, 0) &&
		  b.csr_write(TERN_CSR_CTRL, TERN_CTRL_START | TERN_CTRL_IRQ_EN);
	uint64_t t0 = b.cyc;
	while (ok && !b.t->irq && b.cyc - t0 < 4000000) b.cycle();
	uint32_t st = 0, code = 0, idx = 0;
	ok = ok && b.t->irq && b.csr_read(TERN_CSR_STATUS, &st) && b.csr_read(TERN_CSR_ERR_CODE, &code) &&
	     b.csr_read(TERN_CSR_ERR_INSN, &idx);
	std::string why;
	if (!ok) why = "no completion (irq or CSR hang)";
	else if (code != rr.err || idx != rr.err_insn)
		why = "error " + std::to_string(code) + "@" + std::to_string(idx) + ", ref " +
		      std::to_string(rr.err) + "@" + std::to_string(rr.err_insn);
	for (unsigned c = 0; ok && why.empty() && c < TERN_CNT_COUNT; c++) {
		if (!tern_counter_in_ref(c)) continue;
		uint32_t lo32 = 0, hi32 = 0;
		b.csr_read(TERN_CSR_COUNTER_BASE + 8 * c, &lo32);
		b.csr_read(TERN_CSR_COUNTER_BASE + 8 * c + 4, &hi32);
		uint64_t v = (uint64_t)hi32 << 32 | lo32;
		if (v != rr.counters[c])
			why = "counter " + std::to_string(c) + " = " + std::to_string(v) + ", ref " +
			      std::to_string(rr.counters[c]);
	}
	if (ok && why.empty() && std::memcmp(&b.dram[0x1000], &ref[0x1000], limit - 0x1000)) {
		uint32_t i = 0x1000;
		while (b.dram[i] == ref[i]) i++;
		char s[80];
		snprintf(s, sizeof(s), "image differs from the reference model at 0x%x", i);
		why = s;
	}
	if (ok && why.empty()) {  // and the product itself, from the plain definition
		std::vector<int32_t> y((size_t)n * m);
		tern_unpack_outputs(&cfg, &l, &lo, &b.dram[a.y], y.data());
		for (uint32_t t = 0; t < n && why.empty(); t++)
			for (uint32_t i = 0; i < m && why.empty(); i++) {
				int32_t s = 0;
				for (uint32_t j = 0; j < k; j++) s += w[(size_t)i * k + j] * x[(size_t)t * k + j];
				if (y[(size_t)t * m + i] != s) why = "Y differs from the plain matmul";
			}
	}
	if (ok) b.csr_write(TERN_CSR_IRQ_STATUS, 1);
	check(ok && why.empty(), name, why);
}

int main(int argc, char **argv) {
	uint64_t seed = argc > 1 ? strtoull(argv[1], nullptr, 0) : 1;
	tern_hw_config cfg{ROWS, LANES, WBUF_DEPTH, ABUF_DEPTH, ACC_DEPTH, BUS_BYTES, QUEUE_DEPTH};
	// The monitor itself must see a 4 KiB crossing (tern_top never makes one to show it).
	{
		AxiMonitor m("selftest", BUS_BYTES, false);
		m.check_request("AR", {0, 0x2000 - BUS_BYTES, 1, (uint64_t)__builtin_ctz(BUS_BYTES), 1, });
		bool crossing = !m.violations().empty();
		AxiMonitor ok("selftest", BUS_BYTES, false);
		ok.check_request("AR", {0, 0x2000 - 2 * BUS_BYTES, 1, (uint64_t)__builtin_ctz(BUS_BYTES), 1});
		check(crossing && ok.violations().empty(), "axi_monitor_4k_rule");
	}
	Bench b(seed);
	uint32_t v = 0;
	check(b.csr_read(TERN_CSR_HW_ROWS, &v) && v == ROWS, "axi_lite_hw_rows");
	check(b.csr_write(TERN_CSR_WATCHDOG, 0x1234567) && b.csr_read(TERN_CSR_WATCHDOG, &v) &&
	      v == 0x1234567, "axi_lite_write_read");
	run_case(b, cfg, 12, 40, 5, TERN_WFMT_2BIT, seed + 1);
	run_case(b, cfg, 9, 70, 3, TERN_WFMT_BASE3, seed + 2);
	run_case(b, cfg, 33, 300, 7, TERN_WFMT_2BIT, seed + 3);
	for (int i = 0; i < 200; i++) b.cycle();
	b.mem.finish();
	print_violations(b);
	check(b.mem.violations().empty() && b.ctl.violations().empty(), "axi_protocol_monitor_clean",
	      std::to_string(b.mem.violations().size() + b.ctl.violations().size()) + " violations");
	check(b.mem.reads > 20 && b.mem.writes > 3 && b.ctl.writes > 10, "axi_traffic_seen",
	      std::to_string(b.mem.reads) + " reads");
	printf("tb_axi: %llu cycles, %llu read bursts (%llu beats), %llu write bursts (%llu beats)\n",
	       (unsigned long long)b.cyc, (unsigned long long)b.mem.reads,
	       (unsigned long long)b.mem.rbeats, (unsigned long long)b.mem.writes,
	       (unsigned long long)b.mem.wbeats);
	return fails ? 1 : 0;
}
