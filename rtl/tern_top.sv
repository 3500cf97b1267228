`default_nettype none
`include "tern_isa_macros.svh"
// tern_top: the tern accelerator (docs/rtl.md has the block diagram). Fetch reads and
// checks instructions and fills three queues; the load, compute (GEMM) and store units
// each run their own queue, ordered only by the four token counters, so DMA overlaps
// compute. Fetch and load share the AXI read channel through tern_rd_arb; store owns the
// write channel. WBUF and ABUF are written by load and read by compute; ACC is written by
// compute and read by both compute (read-modify-write) and store through one read port,
// shared round-robin here. tern_sched decides when a run is over and how; tern_perf counts
// the events every unit reports; tern_csr is the host's AXI4-Lite view of it all.
module tern_top #(
  parameter int unsigned Rows = 32, Lanes = 32, WbufDepth = 512, AbufDepth = 8192,
  parameter int unsigned AccDepth = 512, BusBytes = 32, QueueDepth = 16,
  // Performance counter width (17..64; CSRs stay 64-bit, bits above read 0, HW_COUNTER_BITS
  // tells the host): the ISA's 64 by default; a small FPGA may count in fewer bits and wrap
  // (its board's fpga.rtl_params in the definition; 32 bits: 179 s at 24 MHz).
  parameter int unsigned CounterBits = 64,
  // Fetch's instruction buffer in block RAM (1) or flip-flops (0: a part whose block RAM the
  // buffers already fill, the iCEBreaker's fpga.rtl_params). Same behaviour either way.
  parameter bit FetchRam = 1'b1,
  // 1: the ACC buffer asks for UltraRAM (tern_sram's Ultra; the kv260's fpga.rtl_params), so
  // WBUF and ABUF keep the block RAM. Only a synthesis attribute.
  parameter int unsigned AccUltra = 0
) (
  input  logic clk_i, input logic rst_ni,
  // AXI4-Lite CSR slave
  input  logic s_awvalid_i, output logic s_awready_o, input logic [11:0] s_awaddr_i,
  input  logic s_wvalid_i, output logic s_wready_o, input logic [31:0] s_wdata_i,
  input  logic [3:0] s_wstrb_i,
  output logic s_bvalid_o, input logic s_bready_i, output logic [1:0] s_bresp_o,
  input  logic s_arvalid_i, output logic s_arready_o, input logic [11:0] s_araddr_i,
  output logic s_rvalid_o, input logic s_rready_i, output logic [31:0] s_rdata_o,
  output logic [1:0] s_rresp_o,
  // memory master (AXI4 subset)
  output logic m_arvalid_o, input logic m_arready_i, output logic [31:0] m_araddr_o,
  output logic [7:0] m_arlen_o,
  input  logic m_rvalid_i, output logic m_rready_o, input logic [BusBytes*8-1:0] m_rdata_i,
  input  logic m_rlast_i,
  output logic m_awvalid_o, input logic m_awready_i, output logic [31:0] m_awaddr_o,
  output logic [7:0] m_awlen_o,
  output logic m_wvalid_o, input logic m_wready_i, output logic [BusBytes*8-1:0] m_wdata_o,
  output logic m_wlast_o,
  input  logic m_bvalid_i, output logic m_bready_o,
  output logic irq_o
);
  `include "tern_isa.svh"
  // The hardware config validity rule: an invalid parameter set stops elaboration.
  `include "tern_cfg_check.svh"

  localparam int unsigned NumCnt = TERN_CNT_COUNT;
  localparam int unsigned RL = Rows * Lanes;
  // Buffer write-enable columns for the load unit's slice writes (tern_gearbox): 2*BusBytes
  // bits of WBUF when a 2-bit entry spans beats (the common divisor of a 2-bit and a base-3
  // beat's bits), a beat of ABUF when an ABUF entry does, else the whole entry.
  localparam bit WSlices = tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b0, 1'b0),
                                             BusBytes) >= BusBytes;
  localparam bit ASlices = tern_entry_stride(Lanes, BusBytes) >= BusBytes;
  localparam int unsigned WColW = WSlices ? 2 * BusBytes : 2 * RL;
  localparam int unsigned AColW = ASlices ? 8 * BusBytes : 8 * Lanes;
  localparam int unsigned WCols = (2 * RL + WColW - 1) / WColW;
  localparam int unsigned ACols = (8 * Lanes + AColW - 1) / AColW;
  localparam int unsigned WAddrW = $clog2(WbufDepth);
  localparam int unsigned AAddrW = $clog2(AbufDepth);
  localparam int unsigned CAddrW = $clog2(AccDepth);

  // ------------------------------------------------------------------ control
  logic        csr_start, run_start, abort, busy, done, error, done_set;
  logic [7:0]  err_code;
  logic [31:0] err_insn, insn_base, insn_count, dma_base, dma_limit, watchdog;
  logic        cnt_rd;
  logic [4:0]  cnt_idx;
  logic [63:0] cnt_data;
  logic [16*NumCnt-1:0] inc;

  tern_csr #(.Rows(Rows), .Lanes(Lanes), .NumCnt(NumCnt), .CounterBits(CounterBits)) u_csr (
    .clk_i, .rst_ni,
    .s_awvalid_i, .s_awready_o, .s_awaddr_i, .s_wvalid_i, .s_wready_o, .s_wdata_i,
    .s_wstrb_i, .s_bvalid_o, .s_bready_i, .s_bresp_o, .s_arvalid_i, .s_arready_o,
    .s_araddr_i, .s_rvalid_o, .s_rready_i, .s_rdata_o, .s_rresp_o,
    .start_o(csr_start), .insn_base_o(insn_base), .insn_count_o(insn_count),
    .dma_base_o(dma_base), .dma_limit_o(dma_limit), .watchdog_o(watchdog),
    .busy_i(busy), .done_i(done), .error_i(error), .err_code_i(err_code),
    .err_insn_i(err_insn), .done_set_i(done_set), .cnt_rd_o(cnt_rd), .cnt_idx_o(cnt_idx),
    .cnt_data_i(cnt_data), .irq_o
  );

  logic       f_idle, f_blocked, f_ev_fetch, f_ev_end, f_ev_stall;
  logic [7:0] f_err;
  logic [31:0] f_idx;
  logic [2:0] u_busy, u_empty, u_wait;
  logic [95:0] u_idx;

  tern_sched u_sched (
    .clk_i, .rst_ni, .start_req_i(csr_start), .watchdog_i(watchdog),
    .fetch_idle_i(f_idle), .fetch_blocked_i(f_blocked), .fetch_err_i(f_err),
    .fetch_idx_i(f_idx), .unit_busy_i(u_busy), .unit_empty_i(u_empty),
    .unit_wait_i(u_wait), .unit_idx_i(u_idx),
    .busy_o(busy), .done_o(done), .error_o(error), .err_code_o(err_code),
    .err_insn_o(err_insn), .start_o(run_start), .abort_o(abort), .done_set_o(done_set)
  );

  // ------------------------------------------------------------------ fetch and queues
  logic        f_ar_valid, f_ar_ready, f_r_valid;
  logic [31:0] f_ar_addr;
  logic [2:0]  q_wr, q_push, q_full, q_pop;
  logic [TERN_QWORD_BITS-1:0] q_wdata;
  logic [TERN_QWORD_BITS-1:0] q_head [3];

  tern_fetch #(
    .Rows(Rows), .Lanes(Lanes), .WbufDepth(WbufDepth), .AbufDepth(AbufDepth),
    .AccDepth(AccDepth), .BusBytes(BusBytes), .QueueDepth(QueueDepth), .FetchRam(FetchRam)
  ) u_fetch (
    .clk_i, .rst_ni, .start_i(run_start), .abort_i(abort),
    .insn_base_i(insn_base), .insn_count_i(insn_count), .dma_base_i(dma_base),
    .dma_limit_i(dma_limit),
    .ar_valid_o(f_ar_valid), .ar_ready_i(f_ar_ready), .ar_addr_o(f_ar_addr),
    .r_valid_i(f_r_valid), .r_data_i(m_rdata_i),
    .q_wr_o(q_wr), .q_push_o(q_push), .q_data_o(q_wdata), .q_full_i(q_full),
    .idle_o(f_idle), .blocked_o(f_blocked), .err_o(f_err), .idx_o(f_idx),
    .ev_fetch_o(f_ev_fetch), .ev_end_o(f_ev_end), .ev_stall_o(f_ev_stall)
  );

  for (genvar q = 0; q < 3; q++) begin : g_queue
    tern_fifo #(.Width(TERN_QWORD_BITS), .Depth(QueueDepth), .EarlyWrite(1'b1)) u_q (
      .clk_i, .rst_ni, .clear_i(run_start), .wr_i(q_wr[q]),
      .push_i(q_push[q]), .data_i(q_wdata), .full_o(q_full[q]),
      .pop_i(q_pop[q]), .data_o(q_head[q]), .empty_o(u_empty[q])
    );
  end

  logic [3:0] tok_push, tok_pop, tok_avail;  // 0 l2c, 1 c2l, 2 c2s, 3 s2c
  tern_tokens u_tokens (
    .clk_i, .rst_ni, .clear_i(run_start), .push_i(tok_push), .pop_i(tok_pop),
    .avail_o(tok_avail)
  );

  // ------------------------------------------------------------------ load
  logic        l_ar_valid, l_ar_ready, l_r_valid, l_r_ready, wbuf_ev, abuf_ev;
  logic [WCols-1:0] wbuf_we;
  logic [ACols-1:0] abuf_we;
  logic [31:0] l_ar_addr;
  logic [7:0]  l_ar_len;
  // Addresses are 16-bit ISA fields (fetch checked them against the depths); each buffer
  // keeps the bits it needs.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [15:0] buf_waddr;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2*RL-1:0]    wbuf_wdata;
  logic [8*Lanes-1:0] abuf_wdata;
  logic        l_ev_start, l_ev_mem, l_ev_beat;

  tern_rd_arb u_rd_arb (
    .clk_i, .rst_ni,
    .f_ar_valid_i(f_ar_valid), .f_ar_ready_o(f_ar_ready), .f_ar_addr_i(f_ar_addr),
    .f_r_valid_o(f_r_valid),
    .l_ar_valid_i(l_ar_valid), .l_ar_ready_o(l_ar_ready), .l_ar_addr_i(l_ar_addr),
    .l_ar_len_i(l_ar_len), .l_r_valid_o(l_r_valid), .l_r_ready_i(l_r_ready),
    .m_arvalid_o, .m_arready_i, .m_araddr_o, .m_arlen_o, .m_rvalid_i, .m_rready_o,
    .m_rlast_i
  );

  tern_load #(.Rows(Rows), .Lanes(Lanes), .BusBytes(BusBytes), .WColW(WColW),
              .AColW(AColW), .MaxEntries((WbufDepth > AbufDepth) ? WbufDepth : AbufDepth)) u_load (
    .clk_i, .rst_ni, .clear_i(run_start), .abort_i(abort),
    .q_valid_i(!u_empty[0]), .q_data_i(q_head[0]), .q_pop_o(q_pop[0]),
    .tok_next_i(tok_avail[1]), .pop_next_o(tok_pop[1]), .push_next_o(tok_push[0]),
    .ar_valid_o(l_ar_valid), .ar_ready_i(l_ar_ready), .ar_addr_o(l_ar_addr),
    .ar_len_o(l_ar_len), .r_valid_i(l_r_valid), .r_data_i(m_rdata_i), .r_last_i(m_rlast_i),
    .r_ready_o(l_r_ready),
    .wbuf_we_o(wbuf_we), .abuf_we_o(abuf_we), .buf_waddr_o(buf_waddr),
    .wbuf_wdata_o(wbuf_wdata), .abuf_wdata_o(abuf_wdata),
    .wbuf_wr_ev_o(wbuf_ev), .abuf_wr_ev_o(abuf_ev),
    .busy_o(u_busy[0]), .wait_tok_o(u_wait[0]), .wait_idx_o(u_idx[31:0]),
    .ev_start_o(l_ev_start), .ev_stall_mem_o(l_ev_mem), .ev_beat_o(l_ev_beat)
  );

  // ------------------------------------------------------------------ buffers
  logic              wbuf_re, abuf_re, acc_re, acc_we;
  /* verilator lint_off UNUSEDSIGNAL */  // 16-bit ISA addresses, range-checked at fetch
  logic [15:0]       wbuf_raddr, abuf_raddr, acc_raddr, acc_waddr;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2*RL-1:0]   wbuf_rdata;
  logic [8*Lanes-1:0] abuf_rdata;
  logic [32*Rows-1:0] acc_rdata, acc_wdata;

  tern_sram #(.Width(2 * RL), .Depth(WbufDepth), .ColW(WColW)) u_wbuf (
    .clk_i, .we_i(wbuf_we), .waddr_i(buf_waddr[WAddrW-1:0]), .wdata_i(wbuf_wdata),
    .re_i(wbuf_re), .raddr_i(wbuf_raddr[WAddrW-1:0]), .rdata_o(wbuf_rdata)
  );
  tern_sram #(.Width(8 * Lanes), .Depth(AbufDepth), .ColW(AColW)) u_abuf (
    .clk_i, .we_i(abuf_we), .waddr_i(buf_waddr[AAddrW-1:0]), .wdata_i(abuf_wdata),
    .re_i(abuf_re), .raddr_i(abuf_raddr[AAddrW-1:0]), .rdata_o(abuf_rdata)
  );
  tern_sram #(.Width(32 * Rows), .Depth(AccDepth), .Ultra(AccUltra)) u_acc (
    .clk_i, .we_i(acc_we), .waddr_i(acc_waddr[CAddrW-1:0]), .wdata_i(acc_wdata),
    .re_i(acc_re), .raddr_i(acc_raddr[CAddrW-1:0]), .rdata_o(acc_rdata)
  );

  // ACC read port: compute and store alternate when both ask in the same cycle.
  logic        g_acc_req, s_acc_req, g_acc_gnt, s_acc_gnt, prio_store_q;
  logic [15:0] g_acc_raddr, s_acc_raddr;
  assign s_acc_gnt = s_acc_req && (!g_acc_req || prio_store_q);
  assign g_acc_gnt = g_acc_req && !s_acc_gnt;
  assign acc_re    = s_acc_gnt || g_acc_gnt;
  assign acc_raddr = s_acc_gnt ? s_acc_raddr : g_acc_raddr;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) prio_store_q <= 1'b0;
    else if (s_acc_req && g_acc_req) prio_store_q <= !prio_store_q;
  end

  // ------------------------------------------------------------------ compute
  logic        g_ev_start, g_ev_step, g_ev_acc_rd;
  logic [15:0] g_ev_zeros;

  tern_gemm #(.Rows(Rows), .Lanes(Lanes), .WbufDepth(WbufDepth), .AbufDepth(AbufDepth),
              .AccDepth(AccDepth)) u_gemm (
    .clk_i, .rst_ni, .clear_i(run_start), .abort_i(abort),
    .q_valid_i(!u_empty[1]), .q_data_i(q_head[1]), .q_pop_o(q_pop[1]),
    .tok_prev_i(tok_avail[0]), .tok_next_i(tok_avail[3]),
    .pop_prev_o(tok_pop[0]), .pop_next_o(tok_pop[3]),
    .push_prev_o(tok_push[1]), .push_next_o(tok_push[2]),
    .wbuf_re_o(wbuf_re), .wbuf_raddr_o(wbuf_raddr), .wbuf_rdata_i(wbuf_rdata),
    .abuf_re_o(abuf_re), .abuf_raddr_o(abuf_raddr), .abuf_rdata_i(abuf_rdata),
    .acc_req_o(g_acc_req), .acc_raddr_o(g_acc_raddr), .acc_gnt_i(g_acc_gnt),
    .acc_rdata_i(acc_rdata),
    .acc_we_o(acc_we), .acc_waddr_o(acc_waddr), .acc_wdata_o(acc_wdata),
    .busy_o(u_busy[1]), .wait_tok_o(u_wait[1]), .wait_idx_o(u_idx[63:32]),
    .ev_start_o(g_ev_start), .ev_step_o(g_ev_step), .ev_acc_rd_o(g_ev_acc_rd),
    .ev_zeros_o(g_ev_zeros)
  );

  // ------------------------------------------------------------------ store
  logic s_ev_start, s_ev_mem, s_ev_wbeat, s_ev_acc_rd;

  tern_store #(.Rows(Rows), .BusBytes(BusBytes)) u_store (
    .clk_i, .rst_ni, .clear_i(run_start), .abort_i(abort),
    .q_valid_i(!u_empty[2]), .q_data_i(q_head[2]), .q_pop_o(q_pop[2]),
    .tok_prev_i(tok_avail[2]), .pop_prev_o(tok_pop[2]), .push_prev_o(tok_push[3]),
    .acc_req_o(s_acc_req), .acc_raddr_o(s_acc_raddr), .acc_gnt_i(s_acc_gnt),
    .acc_rdata_i(acc_rdata),
    .m_awvalid_o, .m_awready_i, .m_awaddr_o, .m_awlen_o, .m_wvalid_o, .m_wready_i,
    .m_wdata_o, .m_wlast_o, .m_bvalid_i, .m_bready_o,
    .busy_o(u_busy[2]), .wait_tok_o(u_wait[2]), .wait_idx_o(u_idx[95:64]),
    .ev_start_o(s_ev_start), .ev_stall_mem_o(s_ev_mem), .ev_wbeat_o(s_ev_wbeat),
    .ev_acc_rd_o(s_ev_acc_rd)
  );

  // ------------------------------------------------------------------ counters
  // An event worth a power of two (a MAC step of RL, a beat of BusBytes, an instruction of
  // INSN_BYTES) is reported as 1 with the power as IncShift, so its pending register in
  // tern_perf counts events, not bytes (narrower); any other worth is reported as such.
  function automatic int sh_of(input int v);
    sh_of = ((v & (v - 1)) == 0) ? $clog2(v) : 0;
  endfunction
  localparam int unsigned MacSh = sh_of(RL), BusSh = sh_of(BusBytes);
  localparam int unsigned InsnSh = sh_of(TERN_INSN_BYTES);
  localparam int unsigned MacInc = RL >> MacSh, BusInc = BusBytes >> BusSh;
  localparam int unsigned InsnInc = TERN_INSN_BYTES >> InsnSh;

  always_comb begin
    inc = '0;
    inc[16*TERN_CNT_CYCLES +: 16]        = 16'd1;
    inc[16*TERN_CNT_INSNS +: 16]         = 16'(l_ev_start) + 16'(g_ev_start)
                                         + 16'(s_ev_start) + 16'(f_ev_end);
    inc[16*TERN_CNT_LOADS +: 16]         = 16'(l_ev_start);
    inc[16*TERN_CNT_GEMMS +: 16]         = 16'(g_ev_start);
    inc[16*TERN_CNT_STORES +: 16]        = 16'(s_ev_start);
    inc[16*TERN_CNT_MACS +: 16]          = g_ev_step ? 16'(MacInc) : 16'd0;
    inc[16*TERN_CNT_MACS_ZERO +: 16]     = g_ev_zeros;
    inc[16*TERN_CNT_DRAM_RD_BYTES +: 16] = l_ev_beat ? 16'(BusInc) : 16'd0;
    inc[16*TERN_CNT_DRAM_WR_BYTES +: 16] = s_ev_wbeat ? 16'(BusInc) : 16'd0;
    inc[16*TERN_CNT_FETCH_BYTES +: 16]   = f_ev_fetch ? 16'(InsnInc) : 16'd0;
    inc[16*TERN_CNT_WBUF_RD +: 16]       = 16'(g_ev_step);
    inc[16*TERN_CNT_WBUF_WR +: 16]       = 16'(wbuf_ev);
    inc[16*TERN_CNT_ABUF_WR +: 16]       = 16'(abuf_ev);
    inc[16*TERN_CNT_ACC_RD +: 16]        = 16'(g_ev_acc_rd) + 16'(s_ev_acc_rd);
    inc[16*TERN_CNT_ACC_WR +: 16]        = 16'(acc_we);
    inc[16*TERN_CNT_LOAD_BUSY +: 16]     = 16'(u_busy[0]);
    inc[16*TERN_CNT_LOAD_STALL_DEP +: 16] = 16'(u_wait[0]);
    inc[16*TERN_CNT_LOAD_STALL_MEM +: 16] = 16'(l_ev_mem);
    inc[16*TERN_CNT_GEMM_STALL_DEP +: 16] = 16'(u_wait[1]);
    inc[16*TERN_CNT_STORE_BUSY +: 16]    = 16'(u_busy[2]);
    inc[16*TERN_CNT_STORE_STALL_DEP +: 16] = 16'(u_wait[2]);
    inc[16*TERN_CNT_STORE_STALL_MEM +: 16] = 16'(s_ev_mem);
    inc[16*TERN_CNT_FETCH_STALL +: 16]   = 16'(f_ev_stall);
  end

  // The largest per-cycle increment of each counter (the inc terms above): tern_perf sizes
  // its pending registers from it. ABUF_RD and GEMM_BUSY count what WBUF_RD counts (a GEMM
  // step reads one WBUF and one ABUF entry), so they are copies of it there.
  function automatic logic [32*NumCnt-1:0] inc_max();
    logic [32*NumCnt-1:0] m;
    m = {NumCnt{32'd1}};
    m[32*TERN_CNT_INSNS +: 32]         = 32'd4;
    m[32*TERN_CNT_MACS +: 32]          = 32'(MacInc > 65535 ? 65535 : MacInc);
    m[32*TERN_CNT_MACS_ZERO +: 32]     = 32'(RL > 65535 ? 65535 : RL);
    m[32*TERN_CNT_DRAM_RD_BYTES +: 32] = 32'(BusInc);
    m[32*TERN_CNT_DRAM_WR_BYTES +: 32] = 32'(BusInc);
    m[32*TERN_CNT_FETCH_BYTES +: 32]   = 32'(InsnInc);
    m[32*TERN_CNT_ACC_RD +: 32]        = 32'd2;
    inc_max = m;
  endfunction
  function automatic logic [8*NumCnt-1:0] inc_shift();
    logic [8*NumCnt-1:0] m;
    m = '0;
    m[8*TERN_CNT_MACS +: 8]          = 8'(MacSh);
    m[8*TERN_CNT_DRAM_RD_BYTES +: 8] = 8'(BusSh);
    m[8*TERN_CNT_DRAM_WR_BYTES +: 8] = 8'(BusSh);
    m[8*TERN_CNT_FETCH_BYTES +: 8]   = 8'(InsnSh);
    inc_shift = m;
  endfunction
  function automatic logic [8*NumCnt-1:0] same();
    logic [8*NumCnt-1:0] m;
    m = {NumCnt{8'hff}};
    m[8*TERN_CNT_ABUF_RD +: 8]   = 8'(TERN_CNT_WBUF_RD);
    m[8*TERN_CNT_GEMM_BUSY +: 8] = 8'(TERN_CNT_WBUF_RD);
    same = m;
  endfunction

  tern_perf #(.NumCnt(NumCnt), .CntW(CounterBits), .IncMax(inc_max()),
              .IncShift(inc_shift()), .Same(same())) u_perf (
    .clk_i, .rst_ni, .clear_i(run_start), .en_i(busy), .inc_i(inc),
    .rd_i(cnt_rd), .rd_idx_i(cnt_idx), .rd_data_o(cnt_data)
  );
endmodule
