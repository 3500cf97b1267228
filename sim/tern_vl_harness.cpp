/*
 * Verilator harness of tern_top: the C++ side of sim/tern_vl.h, built into one shared
 * library per array config (sim/sim.mk). It plays two parts around the Verilated RTL:
 *
 *  - the host: it touches the device only through the AXI4-Lite CSR port, exactly as
 *    a driver would (INSN_BASE/COUNT, DMA window, WATCHDOG, CTRL.START|IRQ_EN, wait for
 *    irq_o, then STATUS, ERR_CODE, ERR_INSN and every counter read back as LO/HI);
 *  - the DRAM: a model on the AXI4 memory master port with a fixed latency from AR/AW
 *    acceptance to the first data beat (reads) or to the write response (writes), a
 *    bandwidth in bytes per cycle shared by reads and writes (a credit accumulator, so
 *    16 B/cycle on a 32-byte bus is one beat every other cycle), up to max_bursts
 *    outstanding bursts per direction, data returned in order.
 *
 * Timing discipline (the Verilator examples' rule "inputs change off the sampling
 * edge"): a cycle is [sample handshakes with clk low] -> posedge eval -> [decide the
 * next inputs from the model state and the RTL's registered outputs] -> negedge eval.
 * Two evals per cycle, no allocation, and no host work in a cycle where the DRAM has
 * nothing to do beyond a few compares. Ready signals depend only on harness state and
 * the RTL's valid outputs of the same cycle, which AXI allows.
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "Vtern_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"
#ifdef TERN_VL_ACTIVITY
#include <vector>
#include "verilated_syms.h"
#endif

extern "C" {
#include "tern_isa.h"
#include "tern_vl.h"
}

#ifndef TERN_VL_ROWS
#error "build with -DTERN_VL_ROWS=... (sim/sim.mk passes the preset's parameters)"
#endif

#define TERN_VL_API extern "C" __attribute__((visibility("default")))

namespace {

constexpr uint32_t BB = TERN_VL_BUS_BYTES;  // bytes per memory beat
constexpr uint32_t RING = 64;               // ring size >= any max_bursts we accept
constexpr uint64_t CSR_TIMEOUT = 1000;      // cycles an AXI4-Lite access may take
constexpr uint64_t POLL_EVERY = 1u << 16;   // STATUS poll period (irq_o fallback)

struct rd_burst {
	uint64_t addr;     // next beat's address
	uint32_t beats;    // beats still to send
	uint64_t ready;    // first cycle the next beat may be sent
};

struct wr_burst {
	uint64_t addr;     // next beat's address
	uint32_t beats;    // beats still to accept
	uint64_t due;      // earliest cycle of the write response
};

#ifdef TERN_VL_ACTIVITY
// One signal whose bit toggles are counted (the activity build; sim/tern_vl_activity.vlt
// makes them public). cur points into the model; prev is the value at the last sample
// (for a write port: the last word written).
struct probe {
	const uint8_t *cur;
	const uint8_t *we;   // write port: its write enable, else nullptr
	uint32_t bytes;
	unsigned group;      // index into tern_vl_result.toggles (tern_vl.h)
	std::vector<uint8_t> prev;
};

enum { TG_ACC_REG = 9, TG_WBUF_RD, TG_WBUF_WR, TG_ABUF_RD, TG_ABUF_WR, TG_ACC_RD, TG_ACC_WR,
       TG_MEM_RD, TG_MEM_WR, TG_COUNT };
static_assert(TG_COUNT <= TERN_VL_TOGGLES, "toggle groups do not fit tern_vl_result");

inline uint64_t toggles_of(probe &p)
{
	uint64_t n = 0, a, b;
	uint32_t i = 0;

	for (; i + 8 <= p.bytes; i += 8) {
		std::memcpy(&a, p.cur + i, 8);
		std::memcpy(&b, p.prev.data() + i, 8);
		n += (uint64_t)__builtin_popcountll(a ^ b);
	}
	for (; i < p.bytes; i++)
		n += (uint64_t)__builtin_popcount((unsigned)(p.cur[i] ^ p.prev[i]));
	std::memcpy(p.prev.data(), p.cur, p.bytes);
	return n;
}
#endif

}  // namespace

struct tern_vl {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vtern_top> top;
	std::unique_ptr<VerilatedFstC> fst;
	tern_vl_opts o;
	std::string fst_path;
	uint32_t max_bursts;
	uint32_t credit_cap;
	uint64_t base;              // device address of dram[0]: 0, or tern_vl_live_reset's

	// Clock: tick counts every cycle since open (FST time); run_start is the tick of
	// run cycle 0. Run cycles before START are negative.
	uint64_t tick;
	int64_t run_start;
	int64_t fst_from, fst_to;

	// DRAM model state; only touched between evals. Guarded by nothing: one thread.
	rd_burst rq[RING];
	uint32_t rq_head, rq_n;
	wr_burst wq[RING];
	uint32_t wq_head, wq_n;
	uint64_t bq[RING];          // due cycles of pending write responses
	uint32_t bq_head, bq_n;
	uint64_t credit;            // bytes the DRAM may move now
	bool r_valid;               // a read beat is presented on R
	bool r_last;
	bool w_first;               // writes win the next bandwidth tie

#ifdef TERN_VL_ACTIVITY
	std::vector<probe> probes;
	uint64_t tog[TERN_VL_TOGGLES];
#endif

	// Per-run context.
	uint32_t dma_base, dma_limit;
	tern_vl_write_fn on_write;
	void *cb_ctx;
	bool stop;
	tern_vl_result *res;
};

namespace {

inline int64_t run_cycle(const tern_vl *v)
{
	return (int64_t)v->tick - v->run_start;
}

inline void dump(tern_vl *v, uint64_t t)
{
	int64_t rc = run_cycle(v);
	if (rc >= v->fst_from && rc <= v->fst_to)
		v->fst->dump(t);
}

void flag(tern_vl *v, uint32_t f, uint64_t addr)
{
	if (!v->res)
		return;
	if (!v->res->flags) {
		v->res->bad_addr = addr;
		v->res->bad_cycle = (uint64_t)run_cycle(v);
	}
	v->res->flags |= f;
}

// Writes must stay inside [DMA_BASE, DMA_LIMIT). Reads move whole beats, so a read may
// cover the rest of the beat that holds the window's first or last byte.
bool range_ok(const tern_vl *v, uint64_t addr, uint64_t bytes, bool read)
{
	uint64_t lo = v->dma_base, hi = v->dma_limit;

	if (read) {
		lo = lo / BB * BB;
		hi = (hi + BB - 1) / BB * BB;
	}
	return addr >= lo && addr + bytes <= hi && addr >= v->base &&
	       addr - v->base + bytes <= v->o.dram_size;
}

// Handshakes that fire at the coming posedge: read them with clk low, inputs settled.
void sample_mem(tern_vl *v)
{
	Vtern_top *t = v->top.get();

	if (t->m_arvalid_o && t->m_arready_i) {
		rd_burst &b = v->rq[(v->rq_head + v->rq_n++) % RING];
		b.addr = t->m_araddr_o;
		b.beats = (uint32_t)t->m_arlen_o + 1;
		b.ready = v->tick + (v->o.latency ? v->o.latency : 1);
		if (!range_ok(v, b.addr, (uint64_t)b.beats * BB, true))
			flag(v, TERN_VL_F_OUTSIDE, b.addr);
	}
	if (t->m_awvalid_o && t->m_awready_i) {
		wr_burst &b = v->wq[(v->wq_head + v->wq_n++) % RING];
		b.addr = t->m_awaddr_o;
		b.beats = (uint32_t)t->m_awlen_o + 1;
		b.due = v->tick + v->o.latency;
		if (!range_ok(v, b.addr, (uint64_t)b.beats * BB, false))
			flag(v, TERN_VL_F_OUTSIDE, b.addr);
	}
	if (t->m_wvalid_o && t->m_wready_i) {
		// wready is only given with an open burst (decide_mem), so wq_n > 0 here.
		wr_burst &b = v->wq[v->wq_head];
		uint64_t a = b.addr;
		bool last = --b.beats == 0;
		if (t->m_wlast_o != last)
			flag(v, TERN_VL_F_PROTOCOL, a);
		if (a >= v->base && a - v->base + BB <= v->o.dram_size) {
			uint8_t *p = v->o.dram + (a - v->base);
			std::memcpy(p, t->m_wdata_o.data(), BB);
			if (v->on_write && v->on_write(v->cb_ctx, (uint64_t)run_cycle(v), a, p, BB))
				v->stop = true;
		}
		b.addr += BB;
		if (last) {
			v->bq[(v->bq_head + v->bq_n++) % RING] = b.due > v->tick ? b.due : v->tick + 1;
			v->wq_head = (v->wq_head + 1) % RING;
			v->wq_n--;
		}
	}
	if (t->m_rvalid_i && t->m_rready_o) {
		v->r_valid = false;
		rd_burst &b = v->rq[v->rq_head];
		b.addr += BB;
		if (--b.beats == 0) {
			v->rq_head = (v->rq_head + 1) % RING;
			v->rq_n--;
		}
	}
	if (t->m_bvalid_i && t->m_bready_o) {
		v->bq_head = (v->bq_head + 1) % RING;
		v->bq_n--;
	}
}

void present_read(tern_vl *v)
{
	Vtern_top *t = v->top.get();
	const rd_burst &b = v->rq[v->rq_head];

	if (b.addr >= v->base && b.addr - v->base + BB <= v->o.dram_size)
		std::memcpy(t->m_rdata_i.data(), v->o.dram + (b.addr - v->base), BB);
	else
		std::memset(t->m_rdata_i.data(), 0, BB);
	v->r_valid = true;
	v->r_last = b.beats == 1;
	t->m_rlast_i = v->r_last;
}

// Next cycle's DRAM-side inputs, from the model state and the RTL's registered outputs.
void decide_mem(tern_vl *v)
{
	Vtern_top *t = v->top.get();
	uint64_t now = v->tick;

	if (v->o.bytes_per_cycle) {
		v->credit += v->o.bytes_per_cycle;
		if (v->credit > v->credit_cap)
			v->credit = v->credit_cap;
	}
	bool want_r = !v->r_valid && v->rq_n && now >= v->rq[v->rq_head].ready;
	bool want_w = v->wq_n && t->m_wvalid_o;
	if (!v->o.bytes_per_cycle) {
		if (want_r)
			present_read(v);
	} else if (want_r && want_w && v->credit < 2 * BB) {
		// One beat's worth of bandwidth, two takers: alternate.
		if (v->credit >= BB) {
			v->credit -= BB;
			if (v->w_first)
				want_r = false;
			else
				want_w = false;
			v->w_first = !v->w_first;
			if (want_r)
				present_read(v);
		} else {
			want_w = false;
		}
	} else {
		if (want_r && v->credit >= BB) {
			v->credit -= BB;
			present_read(v);
		}
		if (want_w) {
			if (v->credit >= BB)
				v->credit -= BB;  // wvalid is up, so the beat moves this cycle
			else
				want_w = false;
		}
	}
	t->m_rvalid_i = v->r_valid;
	t->m_wready_i = want_w;
	t->m_arready_i = v->rq_n < v->max_bursts;
	t->m_awready_i = v->wq_n < v->max_bursts;
	t->m_bvalid_i = v->bq_n && now >= v->bq[v->bq_head];
}

#ifdef TERN_VL_ACTIVITY
// Values as the coming edge sees them: combinational nodes settled, write data and enable
// as they will be captured.
inline void sample_toggles(tern_vl *v)
{
	for (probe &p : v->probes)
		if (!p.we || *p.we)
			v->tog[p.group] += toggles_of(p);
}

// Classify a public signal by its scope and name (tern_vl_activity.vlt lists them).
bool probe_kind(const std::string &scope, const std::string &var, unsigned *group, bool *wr)
{
	size_t at = scope.rfind(".g_lvl[");
	size_t dot = scope.rfind('.');
	std::string inst = dot == std::string::npos ? scope : scope.substr(dot + 1);

	*wr = false;
	if (var == "v" && at != std::string::npos) {
		*group = (unsigned)std::strtoul(scope.c_str() + at + 7, nullptr, 10);
		return *group <= 8;
	}
	if (var == "acc_o") {
		*group = TG_ACC_REG;
		return true;
	}
	unsigned base = inst == "u_wbuf" ? TG_WBUF_RD : inst == "u_abuf" ? TG_ABUF_RD :
			inst == "u_acc" ? TG_ACC_RD : 0;
	if (!base || (var != "rdata_o" && var != "wdata_i"))
		return false;
	*wr = var == "wdata_i";
	*group = base + (*wr ? 1 : 0);
	return true;
}

// Find every probe; false when a kind is missing (the RTL renamed a signal).
bool find_probes(tern_vl *v)
{
	const VerilatedScopeNameMap *m = v->ctx->scopeNameMap();
	uint32_t seen = 0;

	for (const auto &sc : *m) {
		VerilatedVarNameMap *vars = sc.second->varsp();
		if (!vars)
			continue;
		const auto we = vars->find("we_i");
		for (const auto &vv : *vars) {
			unsigned g;
			bool wr;
			if (!probe_kind(sc.first, vv.first, &g, &wr))
				continue;
			if (wr && we == vars->end())
				return false;
			probe p;
			p.cur = (const uint8_t *)vv.second.datap();
			p.we = wr ? (const uint8_t *)we->second.datap() : nullptr;
			p.bytes = (uint32_t)vv.second.totalSize();
			p.group = g;
			p.prev.assign(p.cur, p.cur + p.bytes);
			v->probes.push_back(std::move(p));
			seen |= 1u << g;
		}
	}
	Vtern_top *t = v->top.get();
	for (int i = 0; i < 2; i++) {
		probe p;
		p.cur = i ? (const uint8_t *)t->m_wdata_o.data() : (const uint8_t *)t->m_rdata_i.data();
		p.we = nullptr;
		p.bytes = BB;
		p.group = i ? TG_MEM_WR : TG_MEM_RD;
		p.prev.assign(p.cur, p.cur + p.bytes);
		v->probes.push_back(std::move(p));
	}
	// leaves, level 1 (when Lanes > 1), the accumulators and both ports of each buffer
	uint32_t want = 1u | (TERN_VL_LANES > 1 ? 2u : 0u) | 1u << TG_ACC_REG;
	for (unsigned g = TG_WBUF_RD; g <= TG_ACC_WR; g++)
		want |= 1u << g;
	if ((seen & want) != want) {
		std::fprintf(stderr, "tern_vl: activity build: probes missing (found mask 0x%x, "
			     "want 0x%x): an RTL signal of sim/tern_vl_activity.vlt was renamed\n",
			     seen, want);
		return false;
	}
	return true;
}
#endif

// One clock cycle; the caller has set this cycle's CSR inputs and evaluated.
inline void cycle(tern_vl *v)
{
	Vtern_top *t = v->top.get();

#ifdef TERN_VL_ACTIVITY
	sample_toggles(v);
#endif
	sample_mem(v);
	t->clk_i = 1;
	t->eval();
	if (v->fst)
		dump(v, v->tick * 10);
	v->tick++;
	decide_mem(v);
	t->clk_i = 0;
	t->eval();
	if (v->fst)
		dump(v, v->tick * 10 - 5);
}

void reset(tern_vl *v)
{
	Vtern_top *t = v->top.get();

	v->rq_head = v->rq_n = v->wq_head = v->wq_n = v->bq_head = v->bq_n = 0;
	v->credit = 0;
	v->r_valid = v->r_last = false;
	v->w_first = false;
	t->s_awvalid_i = t->s_wvalid_i = t->s_bready_i = t->s_arvalid_i = t->s_rready_i = 0;
	t->m_arready_i = t->m_rvalid_i = t->m_rlast_i = t->m_awready_i = t->m_wready_i = 0;
	t->m_bvalid_i = 0;
	t->rst_ni = 0;
	t->clk_i = 0;
	t->eval();
	for (int i = 0; i < 4; i++)
		cycle(v);
	t->rst_ni = 1;
	t->eval();
	cycle(v);
}

// AXI4-Lite write: AW and W together, then wait for B. false when the bus hangs.
bool csr_write(tern_vl *v, uint32_t addr, uint32_t data)
{
	Vtern_top *t = v->top.get();
	bool aw = false, w = false, b = false;

	t->s_awvalid_i = 1;
	t->s_awaddr_i = addr;
	t->s_wvalid_i = 1;
	t->s_wdata_i = data;
	t->s_wstrb_i = 0xf;
	t->s_bready_i = 1;
	t->eval();
	for (uint64_t n = 0; n < CSR_TIMEOUT && !b; n++) {
		bool awhs = t->s_awvalid_i && t->s_awready_o;
		bool whs = t->s_wvalid_i && t->s_wready_o;
		bool bhs = t->s_bvalid_o && t->s_bready_i;
		if (whs && addr == TERN_CSR_CTRL && (data & TERN_CTRL_START))
			v->run_start = (int64_t)v->tick + 1;  // the write lands at this edge
		cycle(v);
		aw |= awhs;
		w |= whs;
		b |= bhs;
		if (awhs)
			t->s_awvalid_i = 0;
		if (whs)
			t->s_wvalid_i = 0;
		if (bhs)
			t->s_bready_i = 0;
		t->eval();
	}
	if (!b)
		flag(v, TERN_VL_F_CSR_HANG, addr);
	return b;
}

bool csr_read(tern_vl *v, uint32_t addr, uint32_t *data)
{
	Vtern_top *t = v->top.get();
	bool r = false;

	t->s_arvalid_i = 1;
	t->s_araddr_i = addr;
	t->s_rready_i = 1;
	t->eval();
	for (uint64_t n = 0; n < CSR_TIMEOUT && !r; n++) {
		bool arhs = t->s_arvalid_i && t->s_arready_o;
		bool rhs = t->s_rvalid_o && t->s_rready_i;
		if (rhs)
			*data = t->s_rdata_o;
		cycle(v);
		r |= rhs;
		if (arhs)
			t->s_arvalid_i = 0;
		if (rhs)
			t->s_rready_i = 0;
		t->eval();
	}
	if (!r) {
		*data = 0;
		flag(v, TERN_VL_F_CSR_HANG, addr);
	}
	return r;
}

uint32_t csr_rd(tern_vl *v, uint32_t addr)
{
	uint32_t x = 0;
	csr_read(v, addr, &x);
	return x;
}

}  // namespace

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

TERN_VL_API int tern_vl_is_activity_variant(void)
{
#ifdef TERN_VL_ACTIVITY
	return 1;
#else
	return 0;
#endif
}

TERN_VL_API struct tern_vl *tern_vl_open(const struct tern_vl_opts *o)
{
	static_assert(sizeof(Vtern_top::m_rdata_i) == BB, "m_rdata_i is not BUS_BYTES wide");
	static_assert(sizeof(Vtern_top::m_wdata_o) == BB, "m_wdata_o is not BUS_BYTES wide");
	if (!o || !o->dram || (o->max_bursts && o->max_bursts > RING))
		return nullptr;
	std::unique_ptr<tern_vl> v(new tern_vl());
	v->o = *o;
	v->max_bursts = o->max_bursts ? o->max_bursts : TERN_DRAM_MAX_BURSTS;
	// B >= BUS: B; B < BUS: BUS + B - 1, so a rate that does not divide the bus (96 B per
	// cycle on a 128 B bus) keeps its remainder instead of losing it at the cap; for a B
	// that divides BUS nothing changes (credits stay multiples of B, at most BUS).
	v->credit_cap = o->bytes_per_cycle >= BB ? o->bytes_per_cycle : BB + o->bytes_per_cycle - 1;
	v->ctx.reset(new VerilatedContext);
	v->ctx->fatalOnError(false);  // an RTL $stop or assertion must not kill the host
	if (o->fst_path) {
		v->fst_path = o->fst_path;
		v->o.fst_path = v->fst_path.c_str();
		v->ctx->traceEverOn(true);
	}
	v->top.reset(new Vtern_top(v->ctx.get(), "tern_top"));
	if (o->fst_path) {
		v->fst.reset(new VerilatedFstC);
		v->top->trace(v->fst.get(), 99);
		v->fst->open(o->fst_path);
		if (!v->fst->isOpen())
			return nullptr;
	}
	v->fst_from = o->fst_from;
	v->fst_to = o->fst_to > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)o->fst_to;
	if (v->fst_from == 0)
		v->fst_from = INT64_MIN;  // from reset
#ifdef TERN_VL_ACTIVITY
	if (!find_probes(v.get()))
		return nullptr;
#endif
	v->run_start = 0;
	v->dma_base = 0;
	v->dma_limit = 0;
	reset(v.get());
	// The build's parameters must be what the RTL reports; the driver's counters are the
	// ISA's 64-bit ones (a narrowed CounterBits is for small FPGA builds only).
	if (csr_rd(v.get(), TERN_CSR_HW_ROWS) != TERN_VL_ROWS ||
	    csr_rd(v.get(), TERN_CSR_HW_LANES) != TERN_VL_LANES ||
	    csr_rd(v.get(), TERN_CSR_HW_COUNTER_BITS) != 64)
		return nullptr;
	return v.release();
}

TERN_VL_API void tern_vl_close(struct tern_vl *v)
{
	if (!v)
		return;
	if (v->fst)
		v->fst->close();
	v->top->final();
	delete v;
}

TERN_VL_API int tern_vl_run(struct tern_vl *v, const struct tern_vl_csrs *c,
			    tern_vl_write_fn on_write, void *ctx, uint64_t max_cycles,
			    struct tern_vl_result *r)
{
	Vtern_top *t = v->top.get();
	uint64_t wd = c->watchdog > 0xffffffffull ? 0xffffffffull : c->watchdog;
	int rc = 0;

	std::memset(r, 0, sizeof(*r));
	v->res = r;
	v->on_write = nullptr;  // nothing is written before START
	v->cb_ctx = ctx;
	v->stop = false;
	v->dma_base = c->dma_base;
	v->dma_limit = c->dma_limit;
	v->base = 0;
	v->run_start = INT64_MAX / 2;  // until START: far in the future (negative run cycles)
	reset(v);
	csr_write(v, TERN_CSR_INSN_BASE, c->insn_base);
	csr_write(v, TERN_CSR_INSN_COUNT, c->insn_count);
	csr_write(v, TERN_CSR_DMA_BASE, c->dma_base);
	csr_write(v, TERN_CSR_DMA_LIMIT, c->dma_limit);
	csr_write(v, TERN_CSR_WATCHDOG, (uint32_t)wd);
	v->on_write = on_write;
	if (!csr_write(v, TERN_CSR_CTRL, TERN_CTRL_START | TERN_CTRL_IRQ_EN)) {
		v->res = nullptr;
		return 2;
	}
#ifdef TERN_VL_ACTIVITY
	std::memset(v->tog, 0, sizeof(v->tog));  // count from START on
#endif
	// The hot loop: nothing but the clock, the DRAM model and three cheap checks.
	uint64_t poll = (uint64_t)v->run_start + POLL_EVERY;
	for (;;) {
		if (t->irq_o)
			break;
		if (v->stop) {
			rc = 1;
			break;
		}
		if ((uint64_t)run_cycle(v) >= max_cycles) {
			rc = 2;
			break;
		}
		if (v->ctx->gotFinish()) {
			flag(v, TERN_VL_F_ASSERT, 0);
			rc = 2;
			break;
		}
		if (v->tick >= poll) {
			poll = v->tick + POLL_EVERY;
			if (csr_rd(v, TERN_CSR_STATUS) & TERN_STATUS_DONE) {
				// DONE is visible: irq_o must follow within a few cycles.
				for (int i = 0; i < 8 && !t->irq_o; i++)
					cycle(v);
				if (!t->irq_o) {
					flag(v, TERN_VL_F_NO_IRQ, 0);
					break;
				}
			}
			continue;
		}
		cycle(v);
	}
	r->cycles = (uint64_t)run_cycle(v);
#ifdef TERN_VL_ACTIVITY
	std::memcpy(r->toggles, v->tog, sizeof(r->toggles));  // before the CSR read-back
	r->has_toggles = 1;
#endif
	if (rc != 2) {
		// Read back like a driver; the DRAM model keeps serving. After a stop the device is
		// still running: the counters are then a snapshot of how far it got.
		v->on_write = nullptr;
		r->status = csr_rd(v, TERN_CSR_STATUS);
		r->err_code = csr_rd(v, TERN_CSR_ERR_CODE);
		r->err_insn = csr_rd(v, TERN_CSR_ERR_INSN);
		for (unsigned i = 0; i < TERN_CNT_COUNT; i++) {
			uint32_t lo = csr_rd(v, TERN_CSR_COUNTER_BASE + 8 * i);
			uint32_t hi = csr_rd(v, TERN_CSR_COUNTER_BASE + 8 * i + 4);
			r->counters[i] = (uint64_t)hi << 32 | lo;
		}
		if (rc == 0) {
			csr_write(v, TERN_CSR_IRQ_STATUS, 1);
			if (!(r->status & TERN_STATUS_DONE))
				rc = 2;
		}
	}
	if (v->fst)
		v->fst->flush();
	v->on_write = nullptr;
	v->res = nullptr;
	return rc;
}

// ---------------------------------------------------------------- live mode (tern devsim)

TERN_VL_API int tern_vl_live_reset(struct tern_vl *v, uint64_t dram_base)
{
	v->res = nullptr;  // no run record: the harness flags nothing, the host judges
	v->on_write = nullptr;
	v->stop = false;
	v->base = dram_base;
	v->dma_base = 0;
	v->dma_limit = 0;
	v->run_start = 0;
	reset(v);
	return 0;
}

TERN_VL_API int tern_vl_live_csr(struct tern_vl *v, int write, uint32_t addr, uint32_t *data)
{
	bool ok = write ? csr_write(v, addr, *data) : csr_read(v, addr, data);
	return ok ? 0 : -1;
}

TERN_VL_API int tern_vl_live_step(struct tern_vl *v, uint32_t cycles)
{
	for (uint32_t i = 0; i < cycles && !v->top->irq_o; i++)
		cycle(v);
	if (v->fst)
		v->fst->flush();
	return v->top->irq_o ? 1 : 0;
}
