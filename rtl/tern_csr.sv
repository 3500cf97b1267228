`default_nettype none
// tern_csr: the AXI4-Lite register file of docs/isa.md (offsets from tern_isa.svh). Write
// address and write data are accepted independently into one holding register each and
// the write is performed once both are held and no response is pending, so any AW/W order
// or timing a master uses works; a register read takes one cycle and the read data is
// formed inside the clocked block (no wide mux is evaluated on idle cycles). A counter read
// takes two: the counters live in tern_perf's RAM, which answers the cycle after it is
// asked (cnt_rd_o), so no NumCnt-way read mux exists here. CTRL.START is a write-1
// pulse; STATUS, ERR_* and the counters are read-only views of the run controller and
// tern_perf; IRQ_STATUS bit 0 is set when a run finishes and cleared by writing 1 (a set
// in the same cycle wins). Reading a counter's LO word latches its HI word, so a 64-bit
// value read LO-then-HI is consistent while the counter runs. Unknown offsets read 0 and
// ignore writes; every response is OKAY.
module tern_csr #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned NumCnt = 25,
  parameter int unsigned CounterBits = 64  // what HW_COUNTER_BITS reads (tern_perf's width)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 s_awvalid_i,
  output logic                 s_awready_o,
  /* verilator lint_off UNUSEDSIGNAL */  // registers are word-aligned: bits 1:0 ignored
  input  logic [11:0]          s_awaddr_i,
  input  logic                 s_wvalid_i,
  output logic                 s_wready_o,
  input  logic [31:0]          s_wdata_i,
  input  logic [3:0]           s_wstrb_i,
  output logic                 s_bvalid_o,
  input  logic                 s_bready_i,
  output logic [1:0]           s_bresp_o,
  input  logic                 s_arvalid_i,
  output logic                 s_arready_o,
  input  logic [11:0]          s_araddr_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic                 s_rvalid_o,
  input  logic                 s_rready_i,
  output logic [31:0]          s_rdata_o,
  output logic [1:0]           s_rresp_o,
  output logic                 start_o,
  output logic [31:0]          insn_base_o,
  output logic [31:0]          insn_count_o,
  output logic [31:0]          dma_base_o,
  output logic [31:0]          dma_limit_o,
  output logic [31:0]          watchdog_o,
  input  logic                 busy_i,
  input  logic                 done_i,
  input  logic                 error_i,
  input  logic [7:0]           err_code_i,
  input  logic [31:0]          err_insn_i,
  input  logic                 done_set_i,
  output logic                 cnt_rd_o,    // read counter cnt_idx_o from tern_perf
  output logic [4:0]           cnt_idx_o,
  /* verilator lint_off UNUSEDSIGNAL */  // bits CounterBits and up are 0 (see hi_q)
  input  logic [63:0]          cnt_data_i,  // its value, the cycle after cnt_rd_o
  /* verilator lint_on UNUSEDSIGNAL */
  output logic                 irq_o
);
  `include "tern_isa.svh"

  logic        aw_v_q, w_v_q, irq_en_q, irq_q, hi_v_q;
  logic [11:0] aw_addr_q;
  // cnt_data_i is tern_perf's count zero-extended: bits CounterBits and up read 0, so only
  // the HI bits a counter has are latched.
  localparam int unsigned HiW = (CounterBits > 32) ? CounterBits - 32 : 1;
  localparam int unsigned LoW = (CounterBits < 32) ? CounterBits : 32;
  logic [31:0] w_data_q;
  logic [HiW-1:0] hi_q;
  logic [31:0] hi_word, cnt_hi_word, cnt_lo_word;
  assign cnt_lo_word = 32'(cnt_data_i[LoW-1:0]);
  assign hi_word     = (CounterBits > 32) ? 32'(hi_q) : '0;
  assign cnt_hi_word = (CounterBits > 32) ? 32'(cnt_data_i[32 +: HiW]) : '0;
  logic [3:0]  w_strb_q;
  logic [4:0]  hi_idx_q;
  logic        do_write, ar_fire;

  assign s_awready_o = !aw_v_q;
  assign s_wready_o  = !w_v_q;
  assign do_write    = aw_v_q && w_v_q && !s_bvalid_o;
  assign s_bresp_o   = 2'b00;
  logic        cnt_pend_q, cnt_hi_q;
  assign s_arready_o = !s_rvalid_o && !cnt_pend_q;
  assign ar_fire     = s_arvalid_i && s_arready_o;
  assign s_rresp_o   = 2'b00;
  assign irq_o       = irq_en_q && irq_q;
  assign start_o     = do_write && aw_addr_q == TERN_CSR_CTRL && w_strb_q[0] && w_data_q[0];

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    logic [31:0] m;
    for (int b = 0; b < 4; b++) m[8*b +: 8] = strb[b] ? data[8*b +: 8] : old[8*b +: 8];
    merge = m;
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_v_q       <= 1'b0;
      w_v_q        <= 1'b0;
      aw_addr_q    <= '0;
      w_data_q     <= '0;
      w_strb_q     <= '0;
      s_bvalid_o   <= 1'b0;
      irq_en_q     <= 1'b0;
      irq_q        <= 1'b0;
      insn_base_o  <= '0;
      insn_count_o <= '0;
      dma_base_o   <= '0;
      dma_limit_o  <= '0;
      watchdog_o   <= '0;
    end else begin
      if (s_awvalid_i && s_awready_o) begin
        aw_v_q    <= 1'b1;
        aw_addr_q <= {s_awaddr_i[11:2], 2'b00};
      end
      if (s_wvalid_i && s_wready_o) begin
        w_v_q    <= 1'b1;
        w_data_q <= s_wdata_i;
        w_strb_q <= s_wstrb_i;
      end
      if (s_bvalid_o && s_bready_i) s_bvalid_o <= 1'b0;
      if (do_write) begin
        aw_v_q     <= 1'b0;
        w_v_q      <= 1'b0;
        s_bvalid_o <= 1'b1;
        unique case (aw_addr_q)
          TERN_CSR_CTRL:       if (w_strb_q[0]) irq_en_q <= w_data_q[1];
          TERN_CSR_INSN_BASE:  insn_base_o <= merge(insn_base_o, w_data_q, w_strb_q);
          TERN_CSR_INSN_COUNT: insn_count_o <= merge(insn_count_o, w_data_q, w_strb_q);
          TERN_CSR_DMA_BASE:   dma_base_o <= merge(dma_base_o, w_data_q, w_strb_q);
          TERN_CSR_DMA_LIMIT:  dma_limit_o <= merge(dma_limit_o, w_data_q, w_strb_q);
          TERN_CSR_WATCHDOG:   watchdog_o <= merge(watchdog_o, w_data_q, w_strb_q);
          default: ;
        endcase
      end
      if (done_set_i) irq_q <= 1'b1;
      else if (do_write && aw_addr_q == TERN_CSR_IRQ_STATUS && w_strb_q[0] && w_data_q[0]) begin
        irq_q <= 1'b0;
      end
    end
  end

  // read side: a counter's HI word read right after its LO word is the latched one;
  // every other counter word is read from tern_perf (cnt_pend_q: waiting for its data).
  logic [4:0]  cidx;
  logic        is_cnt;
  assign cidx      = s_araddr_i[7:3];
  assign is_cnt    = (s_araddr_i[11:8] == TERN_CSR_COUNTER_BASE[11:8]) && (32'(cidx) < NumCnt);
  assign cnt_rd_o  = ar_fire && is_cnt && !(s_araddr_i[2] && hi_v_q && hi_idx_q == cidx);
  assign cnt_idx_o = cidx;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s_rvalid_o <= 1'b0;
      s_rdata_o  <= '0;
      hi_v_q     <= 1'b0;
      hi_q       <= '0;
      hi_idx_q   <= '0;
      cnt_pend_q <= 1'b0;
      cnt_hi_q   <= 1'b0;
    end else begin
      if (s_rvalid_o && s_rready_i) s_rvalid_o <= 1'b0;
      if (cnt_pend_q) begin
        cnt_pend_q <= 1'b0;
        s_rvalid_o <= 1'b1;
        if (!cnt_hi_q) begin
          s_rdata_o <= cnt_lo_word;
          hi_q      <= cnt_data_i[32 +: HiW];
        end else begin
          s_rdata_o <= cnt_hi_word;
        end
      end
      if (cnt_rd_o) begin
        cnt_pend_q <= 1'b1;
        cnt_hi_q   <= s_araddr_i[2];
        // which LO word hi_q will hold: noted at the request, as no read can be accepted
        // before its data returns (s_arready_o is low while cnt_pend_q)
        if (!s_araddr_i[2]) begin
          hi_idx_q <= cidx;
          hi_v_q   <= 1'b1;
        end
      end else if (ar_fire) begin
        s_rvalid_o <= 1'b1;
        s_rdata_o  <= '0;
        if (is_cnt) begin  // the HI word of the counter whose LO word was just read
          s_rdata_o <= hi_word;
        end else begin
          unique case ({s_araddr_i[11:2], 2'b00})
            TERN_CSR_CTRL:       s_rdata_o <= {30'd0, irq_en_q, 1'b0};
            TERN_CSR_STATUS:     s_rdata_o <= {29'd0, error_i, done_i, busy_i};
            TERN_CSR_INSN_BASE:  s_rdata_o <= insn_base_o;
            TERN_CSR_INSN_COUNT: s_rdata_o <= insn_count_o;
            TERN_CSR_DMA_BASE:   s_rdata_o <= dma_base_o;
            TERN_CSR_DMA_LIMIT:  s_rdata_o <= dma_limit_o;
            TERN_CSR_ERR_CODE:   s_rdata_o <= {24'd0, err_code_i};
            TERN_CSR_ERR_INSN:   s_rdata_o <= err_insn_i;
            TERN_CSR_WATCHDOG:   s_rdata_o <= watchdog_o;
            TERN_CSR_IRQ_STATUS: s_rdata_o <= {31'd0, irq_q};
            TERN_CSR_HW_ROWS:    s_rdata_o <= 32'(Rows);
            TERN_CSR_HW_LANES:   s_rdata_o <= 32'(Lanes);
            TERN_CSR_HW_COUNTER_BITS: s_rdata_o <= 32'(CounterBits);
            default:             s_rdata_o <= '0;
          endcase
        end
      end
    end
  end
endmodule
