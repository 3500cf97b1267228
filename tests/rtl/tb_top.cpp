// tb_top: self-checking Verilator bench for rtl/tern_top (tests/rtl/tb_top.sh builds and
// runs it). It models DRAM behind the AXI master port (latency, random back-pressure, a
// 4 KiB / alignment / window check on every burst) and drives the CSRs over AXI4-Lite.
// Each case builds a small program, runs it and compares the DRAM result with a plain
// C++ matmul and the "in ref model" counters with values computed from the program;
// error cases compare ERR_CODE / ERR_INSN and that instructions before a fault completed.
// Usage: tb_top [seed] [--speed] ; prints "PASS: name" / "FAIL: name (why)" per case.
// The mk_* encoders below write instruction words by hand from docs/isa.md on purpose: they
// are an independent check of the generated field layout that the RTL decodes, in the way
// tests/tools/indep_matmul.c is an independent check of the product.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>
#include <chrono>

#include "Vtern_top.h"
#include "verilated.h"
#include "tern_isa.h"

// The array config comes from tb_top.sh, which reads it from isa/tern_isa.json.
#ifndef ROWS
#error "build tb_top through tests/rtl/tb_top.sh: it passes the preset's parameters"
#endif

static const uint32_t DRAM_SIZE = 4u << 20;
static int g_fail = 0;

struct Insn { uint64_t w[2]; };

static Insn mk_load(int buf, int wfmt, uint32_t sram, uint32_t x, uint32_t y, uint32_t addr,
                    uint32_t stride, int flags) {
  Insn i;
  i.w[0] = 1 | (uint64_t)flags << 4 | (uint64_t)buf << 8 | (uint64_t)wfmt << 9 |
           (uint64_t)sram << 16 | (uint64_t)x << 32 | (uint64_t)y << 48;
  i.w[1] = addr | (uint64_t)stride << 32;
  return i;
}
static Insn mk_gemm(int reset, uint32_t wb, uint32_t ab, uint32_t acc, uint32_t k, uint32_t n,
                    uint32_t astr, int flags) {
  Insn i;
  i.w[0] = 2 | (uint64_t)flags << 4 | (uint64_t)reset << 8 | (uint64_t)wb << 16 |
           (uint64_t)ab << 32 | (uint64_t)acc << 48;
  i.w[1] = k | (uint64_t)n << 16 | (uint64_t)astr << 32;
  return i;
}
static Insn mk_store(uint32_t acc, uint32_t y, uint32_t addr, uint32_t stride, int flags) {
  Insn i;
  i.w[0] = 3 | (uint64_t)flags << 4 | (uint64_t)acc << 16 | (uint64_t)y << 48;
  i.w[1] = addr | (uint64_t)stride << 32;
  return i;
}
static Insn mk_end() { Insn i; i.w[0] = 4; i.w[1] = 0; return i; }
enum { POP_PREV = 1, POP_NEXT = 2, PUSH_PREV = 4, PUSH_NEXT = 8 };

struct Bench {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vtern_top> top;
  std::vector<uint8_t> dram;
  std::mt19937 rng;
  uint64_t cycle = 0;
  uint32_t latency = 40;  // the bench's own choice of DRAM latency, varied by the cases
  int stall_pct = 0;  // random back-pressure
  uint32_t dma_base = 0, dma_limit = DRAM_SIZE;
  // read model
  struct Rd { uint32_t addr, beats, due; };
  std::deque<Rd> rq;
  uint32_t rbeat = 0;
  // write model
  std::deque<std::pair<uint32_t, uint32_t>> awq;  // addr, beats
  uint32_t wbeat = 0;
  std::deque<uint64_t> bq;                        // due cycles
  std::string proto_err;
  uint64_t wr_beats = 0;

  Bench(uint32_t seed) : ctx(new VerilatedContext), dram(DRAM_SIZE), rng(seed) {
    top.reset(new Vtern_top(ctx.get()));
    top->clk_i = 0;
    top->rst_ni = 0;
    idle_inputs();
    top->eval();
    for (int i = 0; i < 4; i++) tick();
    top->rst_ni = 1;
    tick();
  }
  void idle_inputs() {
    top->s_awvalid_i = 0; top->s_wvalid_i = 0; top->s_bready_i = 1; top->s_arvalid_i = 0;
    top->s_rready_i = 1; top->s_wstrb_i = 0xf;
    top->m_arready_i = 0; top->m_rvalid_i = 0; top->m_rlast_i = 0;
    top->m_awready_i = 0; top->m_wready_i = 0; top->m_bvalid_i = 0;
  }
  bool coin() { return stall_pct == 0 || (int)(rng() % 100) >= stall_pct; }
  void set_rdata(uint32_t addr) {
#if BUS_BYTES <= 8
    uint64_t v = 0; memcpy(&v, &dram[addr], BUS_BYTES); top->m_rdata_i = v;
#else
    memcpy(&top->m_rdata_i[0], &dram[addr], BUS_BYTES);
#endif
  }
  void get_wdata(uint8_t *out) {
#if BUS_BYTES <= 8
    uint64_t v = top->m_wdata_o; memcpy(out, &v, BUS_BYTES);
#else
    memcpy(out, &top->m_wdata_o[0], BUS_BYTES);
#endif
  }
  // One clock cycle: drive memory-side inputs, sample handshakes, posedge.
  void tick() {
    // memory side inputs for this cycle
    top->m_arready_i = coin();
    bool rv = !rq.empty() && rq.front().due <= cycle && coin();
    top->m_rvalid_i = rv;
    if (rv) {
      set_rdata(rq.front().addr + rbeat * BUS_BYTES);
      top->m_rlast_i = (rbeat + 1 == rq.front().beats);
    } else {
      top->m_rlast_i = 0;
    }
    top->m_awready_i = coin();
    top->m_wready_i = !awq.empty() && coin();
    top->m_bvalid_i = !bq.empty() && bq.front() <= cycle;
    top->eval();
    // sample
    bool ar = top->m_arvalid_o && top->m_arready_i;
    uint32_t araddr = top->m_araddr_o, arlen = top->m_arlen_o;
    bool r = top->m_rvalid_i && top->m_rready_o;
    bool aw = top->m_awvalid_o && top->m_awready_i;
    uint32_t awaddr = top->m_awaddr_o, awlen = top->m_awlen_o;
    bool w = top->m_wvalid_o && top->m_wready_i;
    bool wlast = top->m_wlast_o;
    uint8_t wd[BUS_BYTES];
    if (w) get_wdata(wd);
    bool b = top->m_bvalid_i && top->m_bready_o;
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
    cycle++;
    // update the memory model
    if (ar) {
      uint32_t beats = arlen + 1, bytes = beats * BUS_BYTES;
      if (araddr % BUS_BYTES) proto_err = "unaligned read";
      if ((araddr & 4095) + bytes > 4096) proto_err = "read crosses 4 KiB";
      if ((uint64_t)araddr + bytes > DRAM_SIZE) proto_err = "read outside DRAM";
      else rq.push_back({araddr, beats, (uint32_t)(cycle + latency)});
    }
    if (r) {
      if (++rbeat == rq.front().beats) { rq.pop_front(); rbeat = 0; }
    }
    if (aw) {
      uint32_t beats = awlen + 1, bytes = beats * BUS_BYTES;
      if (awaddr % BUS_BYTES) proto_err = "unaligned write";
      if ((awaddr & 4095) + bytes > 4096) proto_err = "write crosses 4 KiB";
      if (awaddr < dma_base || (uint64_t)awaddr + bytes > dma_limit) proto_err = "write outside window";
      awq.push_back({awaddr, beats});
    }
    if (w) {
      if (awq.empty()) { proto_err = "W before AW"; }
      else {
        uint32_t a = awq.front().first + wbeat * BUS_BYTES;
        if (a + BUS_BYTES <= DRAM_SIZE) memcpy(&dram[a], wd, BUS_BYTES);
        wr_beats++;
        bool last = (++wbeat == awq.front().second);
        if (last != wlast) proto_err = "wlast mismatch";
        if (last) { awq.pop_front(); wbeat = 0; bq.push_back(cycle + 3); }
      }
    }
    if (b) bq.pop_front();
  }
  void csr_write(uint32_t addr, uint32_t data) {
    top->s_awvalid_i = 1; top->s_awaddr_i = addr; top->s_wvalid_i = 1; top->s_wdata_i = data;
    bool aw_done = false, w_done = false;
    for (int i = 0; i < 100 && !(aw_done && w_done); i++) {
      top->eval();
      bool a = top->s_awvalid_i && top->s_awready_o, d = top->s_wvalid_i && top->s_wready_o;
      tick();
      if (a) { aw_done = true; top->s_awvalid_i = 0; }
      if (d) { w_done = true; top->s_wvalid_i = 0; }
    }
    for (int i = 0; i < 100; i++) {
      top->eval();
      bool bdone = top->s_bvalid_o;
      tick();
      if (bdone) break;
    }
  }
  uint32_t csr_read(uint32_t addr) {
    top->s_arvalid_i = 1; top->s_araddr_i = addr;
    for (int i = 0; i < 100; i++) {
      top->eval();
      bool a = top->s_arready_o;
      tick();
      if (a) break;
    }
    top->s_arvalid_i = 0;
    uint32_t v = 0;
    for (int i = 0; i < 100; i++) {
      top->eval();
      if (top->s_rvalid_o) { v = top->s_rdata_o; tick(); break; }
      tick();
    }
    return v;
  }
  uint64_t counter(int i) {
    uint64_t lo = csr_read(TERN_CSR_COUNTER_BASE + 8 * i);
    uint64_t hi = csr_read(TERN_CSR_COUNTER_BASE + 8 * i + 4);
    return lo | hi << 32;
  }
  // Run a program at insn_base; returns STATUS at the end (0 on timeout).
  uint32_t run(uint32_t insn_base, uint32_t count, uint32_t watchdog = 0,
               uint64_t max_cycles = 20000000) {
    csr_write(TERN_CSR_INSN_BASE, insn_base);
    csr_write(TERN_CSR_INSN_COUNT, count);
    csr_write(TERN_CSR_DMA_BASE, dma_base);
    csr_write(TERN_CSR_DMA_LIMIT, dma_limit);
    csr_write(TERN_CSR_WATCHDOG, watchdog);
    csr_write(TERN_CSR_CTRL, 3);
    uint64_t t0 = cycle;
    while (cycle - t0 < max_cycles) {
      for (int i = 0; i < 64; i++) tick();
      if (top->irq_o) break;
    }
    if (!top->irq_o) return 0;
    uint32_t st = csr_read(TERN_CSR_STATUS);
    csr_write(TERN_CSR_IRQ_STATUS, 1);
    if (top->irq_o) proto_err = "irq not cleared";
    return st;
  }
  void put_prog(uint32_t base, const std::vector<Insn> &p) {
    for (size_t i = 0; i < p.size(); i++) memcpy(&dram[base + 16 * i], p[i].w, 16);
  }
};

static void check(bool ok, const std::string &name, const std::string &why = "") {
  if (ok) printf("PASS: %s\n", name.c_str());
  else { printf("FAIL: %s (%s)\n", name.c_str(), why.c_str()); g_fail++; }
}

static uint32_t round_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }
static uint32_t ent_bytes(int buf, int wfmt) {  // bytes an entry uses
  return buf ? LANES : wfmt ? (ROWS * LANES + 4) / 5 : ROWS * LANES / 4;
}
// DRAM stride of an entry, docs/isa.md "Entry layout" written out here: whole beats at or
// above a beat, else the next power of two (base-3 13 -> 16 on 8x8, 205 -> 224 on 32x32)
static uint32_t ent_stride(uint32_t e) {
  uint32_t p = 1;
  if (e >= BUS_BYTES) return round_up(e, BUS_BYTES);
  while (p < e) p *= 2;
  return p;
}

// A tiled matmul: Y[n][m] = sum_k W[m][k] X[n][k], T = M/ROWS tiles double-buffered in
// WBUF and ACC with tokens, each tile's K split over two GEMMs (reset, then accumulate).
struct GemmCase {
  uint32_t mt, kc, n; int wfmt; bool rows_layout; int stall; uint32_t latency;
};

static void run_gemm_case(uint32_t seed, const GemmCase &gc, const std::string &name,
                          bool speed = false) {
  Bench b(seed);
  b.stall_pct = gc.stall;
  b.latency = gc.latency;
  std::mt19937 rng(seed * 7 + 1);
  const uint32_t M = gc.mt * ROWS, K = gc.kc * LANES, N = gc.n, kc = gc.kc;
  std::vector<int8_t> W(M * K), X(N * K);
  for (auto &w : W) w = (int8_t)((int)(rng() % 3) - 1);
  for (auto &x : X) x = (int8_t)(rng() & 0xff);
  const uint32_t E = ent_bytes(0, gc.wfmt), P = ent_stride(E);
  const uint32_t prog = 0x1000, xaddr = 0x10000, waddr = 0x100000, yaddr = 0x300000;
  const uint32_t xstride = round_up(K, BUS_BYTES);
  for (uint32_t n = 0; n < N; n++) memcpy(&b.dram[xaddr + n * xstride], &X[n * K], K);
  // weights: tile t, chunk c entry at wt_addr(t) + c * estride (rows layout) or contiguous
  const uint32_t estride = round_up(P, BUS_BYTES) + BUS_BYTES;
  const uint32_t tstride = round_up(kc * estride + kc * P, 4096);
  uint64_t zeros = 0;
  for (uint32_t t = 0; t < gc.mt; t++) {
    for (uint32_t c = 0; c < kc; c++) {
      uint32_t ea = waddr + t * tstride + (gc.rows_layout ? c * estride : c * P);
      std::vector<uint8_t> codes(ROWS * LANES);
      for (uint32_t r = 0; r < ROWS; r++)
        for (uint32_t l = 0; l < LANES; l++) {
          int w = W[(t * ROWS + r) * K + c * LANES + l];
          codes[r * LANES + l] = (uint8_t)(w + 1);
          zeros += (w == 0) * N;
        }
      for (uint32_t j = 0; j < E; j++) {
        uint32_t v = 0;
        if (gc.wfmt) {
          for (int d = 4; d >= 0; d--) {
            uint32_t i = 5 * j + d;
            v = v * 3 + (i < ROWS * LANES ? codes[i] : 0);
          }
        } else {
          for (int d = 0; d < 4; d++) v |= codes[4 * j + d] << (2 * d);
        }
        b.dram[ea + j] = (uint8_t)v;
      }
      // padding up to the stride: not zero, so a load unit that used it would be caught
      for (uint32_t j = E; j < P; j++) b.dram[ea + j] = (uint8_t)(0xa5 + j);
    }
  }
  // program
  std::vector<Insn> p;
  uint64_t rd_bytes = 0;
  p.push_back(mk_load(1, 0, 0, kc, N, xaddr, xstride, 0));
  rd_bytes += (uint64_t)N * round_up(kc * LANES, BUS_BYTES);
  const uint32_t h = kc / 2;
  uint64_t acc_rd = 0;
  for (uint32_t t = 0; t < gc.mt; t++) {
    uint32_t wb = (t % 2) * kc, ab = (t % 2) * N;
    int lf = PUSH_NEXT | (t >= 2 ? POP_NEXT : 0);
    if (gc.rows_layout) {
      p.push_back(mk_load(0, gc.wfmt, wb, 1, kc, waddr + t * tstride, estride, lf));
      rd_bytes += (uint64_t)kc * round_up(P, BUS_BYTES);
    } else {
      p.push_back(mk_load(0, gc.wfmt, wb, kc, 1, waddr + t * tstride, 0, lf));
      rd_bytes += round_up(kc * P, BUS_BYTES);
    }
    int pops = POP_PREV | (t >= 2 ? POP_NEXT : 0), pushes = PUSH_PREV | PUSH_NEXT;
    if (h > 0) {
      p.push_back(mk_gemm(1, wb, 0, ab, h, N, kc, pops));
      p.push_back(mk_gemm(0, wb + h, h, ab, kc - h, N, kc, pushes));
      acc_rd += N;
    } else {
      p.push_back(mk_gemm(1, wb, 0, ab, kc, N, kc, pops | pushes));
    }
    p.push_back(mk_store(ab, N, yaddr + t * ROWS * 4, M * 4, POP_PREV | PUSH_PREV));
    acc_rd += N;
  }
  p.push_back(mk_end());
  b.put_prog(prog, p);
  if ((gc.mt > 1 ? 2 : 1) * kc > WBUF_DEPTH || 2 * N > ACC_DEPTH ||
      N * kc > ABUF_DEPTH) {
    check(true, name + " (skipped: does not fit)");
    return;
  }
  auto t0 = std::chrono::steady_clock::now();
  uint64_t c0 = b.cycle;
  uint32_t st = b.run(prog, (uint32_t)p.size());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t cyc = b.cycle - c0;
  if (st != 2) { check(false, name, "status " + std::to_string(st) + " err " +
                       std::to_string(b.csr_read(TERN_CSR_ERR_CODE)) + " at " +
                       std::to_string(b.csr_read(TERN_CSR_ERR_INSN))); return; }
  // compare results
  int bad = 0; std::string why;
  for (uint32_t n = 0; n < N && bad < 3; n++)
    for (uint32_t m = 0; m < M && bad < 3; m++) {
      int32_t s = 0;
      for (uint32_t k = 0; k < K; k++) s += W[m * K + k] * X[n * K + k];
      int32_t got; memcpy(&got, &b.dram[yaddr + (n * M + m) * 4], 4);
      if (got != s) { bad++; why += "Y[" + std::to_string(n) + "][" + std::to_string(m) +
                      "]=" + std::to_string(got) + " want " + std::to_string(s) + "; "; }
    }
  if (!b.proto_err.empty()) { bad++; why += b.proto_err; }
  // counters
  struct { int i; uint64_t want; } cs[] = {
    {TERN_CNT_INSNS, p.size()}, {TERN_CNT_LOADS, 1 + gc.mt},
    {TERN_CNT_GEMMS, gc.mt * (h > 0 ? 2u : 1u)}, {TERN_CNT_STORES, gc.mt},
    {TERN_CNT_MACS, (uint64_t)M * K * N}, {TERN_CNT_MACS_ZERO, zeros},
    {TERN_CNT_DRAM_RD_BYTES, rd_bytes}, {TERN_CNT_DRAM_WR_BYTES, (uint64_t)gc.mt * N * ROWS * 4},
    {TERN_CNT_FETCH_BYTES, 16 * p.size()}, {TERN_CNT_WBUF_RD, (uint64_t)gc.mt * kc * N},
    {TERN_CNT_ABUF_RD, (uint64_t)gc.mt * kc * N}, {TERN_CNT_WBUF_WR, (uint64_t)gc.mt * kc},
    {TERN_CNT_ABUF_WR, (uint64_t)N * kc}, {TERN_CNT_ACC_RD, acc_rd},
    {TERN_CNT_ACC_WR, (uint64_t)gc.mt * N * (h > 0 ? 2 : 1)},
  };
  for (auto &c : cs) {
    uint64_t got = b.counter(c.i);
    if (got != c.want) { bad++; why += "counter " + std::to_string(c.i) + "=" +
                         std::to_string(got) + " want " + std::to_string(c.want) + "; "; }
  }
  uint64_t ccyc = b.counter(TERN_CNT_CYCLES);
  check(bad == 0, name, why);
  if (speed) {
    double macs = (double)M * K * N;
    printf("SPEED: %ux%u M=%u K=%u N=%u: %llu cycles (counter %llu), %.3f s, %.0f cycles/s, "
           "%.1f M MACs/s, array utilisation %.1f%%\n", ROWS, LANES, M, K, N,
           (unsigned long long)cyc, (unsigned long long)ccyc, secs, cyc / secs,
           macs / secs / 1e6, 100.0 * macs / ((double)ROWS * LANES * ccyc));
  }
}

// Error cases: a valid LOAD/GEMM/STORE prefix, then the faulting instruction.
static void run_err_case(const std::string &name, Insn bad, uint32_t want_err,
                         bool prefix = true, uint32_t dma_limit = DRAM_SIZE) {
  Bench b(5);
  b.latency = 20;
  const uint32_t prog = 0x1000, xaddr = 0x10000, yaddr = 0x20000;
  for (uint32_t i = 0; i < LANES; i++) b.dram[xaddr + i] = (uint8_t)(i + 1);
  for (uint32_t i = 0; i < ROWS * LANES / 4; i++) b.dram[xaddr + 0x1000 + i] = 0xaa;  // +1
  std::vector<Insn> p;
  if (prefix) {
    p.push_back(mk_load(1, 0, 0, 1, 1, xaddr, 0, 0));
    p.push_back(mk_load(0, 0, 0, 1, 1, xaddr + 0x1000, 0, PUSH_NEXT));
    p.push_back(mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV | PUSH_NEXT));
    p.push_back(mk_store(0, 1, yaddr, 0, POP_PREV));
  }
  uint32_t idx = (uint32_t)p.size();
  p.push_back(bad);
  p.push_back(mk_end());
  b.put_prog(prog, p);
  b.dma_limit = dma_limit;
  uint32_t st = b.run(prog, (uint32_t)p.size());
  uint32_t code = b.csr_read(TERN_CSR_ERR_CODE), at = b.csr_read(TERN_CSR_ERR_INSN);
  bool ok = (st == 6) && code == want_err && at == idx;
  std::string why = "status " + std::to_string(st) + " err " + std::to_string(code) + " at " +
                    std::to_string(at) + " want " + std::to_string(want_err) + " at " +
                    std::to_string(idx);
  if (prefix) {
    int32_t s = 0;
    for (uint32_t i = 0; i < LANES; i++) s += i + 1;
    int32_t got; memcpy(&got, &b.dram[yaddr], 4);
    if (got != s) { ok = false; why += "; prefix STORE result " + std::to_string(got); }
    if (b.counter(TERN_CNT_INSNS) != 4) { ok = false; why += "; insns counter"; }
  }
  if (!b.proto_err.empty()) { ok = false; why += "; " + b.proto_err; }
  check(ok, name, why);
}

static void run_misc_cases() {
  // NO_END, FETCH_RANGE, DEADLOCK, WATCHDOG, CSR identity
  {
    Bench b(1);
    std::vector<Insn> p = {mk_load(1, 0, 0, 1, 1, 0x10000, 0, 0)};
    b.put_prog(0x1000, p);
    uint32_t st = b.run(0x1000, 1);
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_NO_END &&
          b.csr_read(TERN_CSR_ERR_INSN) == 1, "err_no_end");
  }
  {
    Bench b(1);
    std::vector<Insn> p = {mk_load(1, 0, 0, 1, 1, 0, 0, 0), mk_end()};
    b.put_prog(0x1000, p);
    b.dma_limit = 0x1010 + 8;  // insn 1 only partly inside
    uint32_t st = b.run(0x1000, 2);
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_FETCH_RANGE &&
          b.csr_read(TERN_CSR_ERR_INSN) == 1, "err_fetch_range");
  }
  {
    Bench b(1);
    std::vector<Insn> p = {mk_end()};
    b.put_prog(0x1008, p);
    uint32_t st = b.run(0x1008, 1);
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_FETCH_RANGE &&
          b.csr_read(TERN_CSR_ERR_INSN) == 0, "err_fetch_misaligned");
  }
  {
    Bench b(1);
    std::vector<Insn> p = {mk_load(1, 0, 0, 1, 1, 0x10000, 0, 0),
                           mk_store(0, 1, 0x20000, 0, 0),
                           mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV), mk_end()};
    b.put_prog(0x1000, p);
    uint32_t st = b.run(0x1000, 4);
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_DEADLOCK &&
          b.csr_read(TERN_CSR_ERR_INSN) == 2 && b.counter(TERN_CNT_INSNS) == 3, "err_deadlock",
          "code " + std::to_string(b.csr_read(TERN_CSR_ERR_CODE)));
  }
  {
    // deadlock while fetch is blocked on a full queue
    Bench b(1);
    std::vector<Insn> p;
    p.push_back(mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV));
    for (int i = 0; i < QUEUE_DEPTH + 2; i++) p.push_back(mk_gemm(1, 0, 0, 0, 1, 1, 0, 0));
    p.push_back(mk_end());
    b.put_prog(0x1000, p);
    uint32_t st = b.run(0x1000, (uint32_t)p.size());
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_DEADLOCK &&
          b.csr_read(TERN_CSR_ERR_INSN) == 0, "err_deadlock_full_queue");
  }
  {
    // a static error outranks the deadlock it causes
    Bench b(1);
    std::vector<Insn> p = {mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV), Insn{{0xf, 0}}, mk_end()};
    b.put_prog(0x1000, p);
    uint32_t st = b.run(0x1000, 3);
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_OPCODE &&
          b.csr_read(TERN_CSR_ERR_INSN) == 1, "err_static_beats_deadlock");
  }
  {
    Bench b(1);
    std::vector<Insn> p = {mk_gemm(1, 0, 0, 0, 64, 200, 0, 0), mk_end()};
    b.put_prog(0x1000, p);
    uint32_t st = b.run(0x1000, 2, 5000);
    check(st == 6 && b.csr_read(TERN_CSR_ERR_CODE) == TERN_ERR_WATCHDOG, "err_watchdog");
    // and the device runs again afterwards
    std::vector<Insn> q = {mk_end()};
    b.put_prog(0x2000, q);
    st = b.run(0x2000, 1);
    check(st == 2 && b.counter(TERN_CNT_INSNS) == 1 && b.counter(TERN_CNT_FETCH_BYTES) == 16,
          "rerun_after_watchdog");
  }
  {
    Bench b(1);
    check(b.csr_read(TERN_CSR_HW_ROWS) == ROWS && b.csr_read(TERN_CSR_HW_LANES) == LANES &&
          b.csr_read(TERN_CSR_HW_COUNTER_BITS) == 64 && b.csr_read(TERN_CSR_STATUS) == 0,
          "csr_identity");
    b.csr_write(TERN_CSR_DMA_BASE, 0x12345678);
    check(b.csr_read(TERN_CSR_DMA_BASE) == 0x12345678, "csr_rw");
  }
}

int main(int argc, char **argv) {
  uint32_t seed = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
  bool speed = argc > 2 && !strcmp(argv[2], "--speed");
  if (speed) {
    // long GEMM: weights/activations loaded once, many tokens and chunks
    // optional: tb_top SEED --speed TILES KCHUNKS TOKENS
    uint32_t mt = argc > 3 ? atoi(argv[3]) : 2, kc = argc > 4 ? atoi(argv[4]) : 32;
    uint32_t n = argc > 5 ? atoi(argv[5]) : 64;
    run_gemm_case(seed, {mt, kc, n, 0, false, 0, 40}, "speed_gemm", true);
    return g_fail ? 1 : 0;
  }
  run_gemm_case(seed, {1, 1, 1, 0, false, 0, 40}, "gemm_1x1x1_2bit");
  run_gemm_case(seed, {1, 1, 1, 1, false, 0, 40}, "gemm_1x1x1_base3");
  run_gemm_case(seed, {3, 5, 7, 0, false, 0, 40}, "gemm_tiles_2bit_contig");
  run_gemm_case(seed, {3, 5, 7, 1, false, 0, 40}, "gemm_tiles_base3_contig");
  run_gemm_case(seed, {4, 6, 3, 0, true, 0, 40}, "gemm_tiles_2bit_rows");
  run_gemm_case(seed, {4, 6, 3, 1, true, 0, 40}, "gemm_tiles_base3_rows");
  run_gemm_case(seed + 1, {5, 7, 9, 1, true, 30, 25}, "gemm_base3_backpressure");
  run_gemm_case(seed + 2, {5, 3, 17, 0, false, 30, 60}, "gemm_2bit_backpressure");
  run_gemm_case(seed + 3, {2, 40, 2, 0, false, 0, 40}, "gemm_long_k");
  // static errors, each after a valid prefix whose STORE must have reached DRAM
  run_err_case("err_opcode", Insn{{0x5, 0}}, TERN_ERR_OPCODE);
  run_err_case("err_dep_flags", mk_load(1, 0, 0, 1, 1, 0x10000, 0, POP_PREV), TERN_ERR_DEP_FLAGS);
  run_err_case("err_field_zero", mk_gemm(1, 0, 0, 0, 0, 1, 0, 0), TERN_ERR_FIELD);
  run_err_case("err_field_undef", Insn{{0x4 | (1u << 12), 0}}, TERN_ERR_FIELD);
  run_err_case("err_field_wfmt_abuf", mk_load(1, 1, 0, 1, 1, 0x10000, 0, 0), TERN_ERR_FIELD);
  run_err_case("err_wbuf_range", mk_load(0, 0, WBUF_DEPTH - 2, 3, 1, 0x10000, 0, 0),
               TERN_ERR_WBUF_RANGE);
  run_err_case("err_abuf_range", mk_gemm(1, 0, 0, 0, 2, 3, ABUF_DEPTH / 2, 0), TERN_ERR_ABUF_RANGE);
  run_err_case("err_acc_range", mk_store(ACC_DEPTH - 1, 2, 0x20000, 0, 0), TERN_ERR_ACC_RANGE);
  run_err_case("err_dma_align", mk_store(0, 1, 0x20000 + 4, 0, 0), TERN_ERR_DMA_ALIGN);
  run_err_case("err_dma_window", mk_load(1, 0, 0, 1, 2, 0x30000 - BUS_BYTES, BUS_BYTES, 0),
               TERN_ERR_DMA_WINDOW, true, 0x30000);
  run_misc_cases();
  return g_fail ? 1 : 0;
}
