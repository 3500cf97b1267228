`default_nettype none
`include "tern_isa_macros.svh"
// tern_gemm: the compute unit. Once the tokens its head instruction pops are available it
// issues one (token n, K-chunk c) step per cycle through a three-stage pipeline:
//   S0 issue: read WBUF[wbuf_base+c] and ABUF[abuf_base+n*abuf_stride+c]; on c = 0 of a
//             token without reset also read ACC[acc_base+n] (shared port, granted by the
//             top; a refused grant stalls the issue for that cycle).
//   S1 array: the PE rows add the step's selected activations into their accumulators,
//             starting from 0 or the ACC value on c = 0.
//   S2 write: after a token's last chunk, the accumulators are written to ACC[acc_base+n].
// Addresses are running sums (the abuf row advances by abuf_stride per token), so there is
// no multiply. Between instructions the pipeline drains (the next GEMM may read what this
// one writes), and push tokens are given when the last ACC write happens. Zero-weight MACs
// are counted from the WBUF entry as it enters the array (weight 0 is code 1 or 3, bit 0
// set), one cycle later.
// Address widths: the checker (tern_insn_check) refuses a GEMM whose WBUF, ABUF or ACC
// entries reach past the buffer (wbuf_base + k_chunks <= WbufDepth, abuf_base +
// (n_tokens-1)*abuf_stride + k_chunks <= AbufDepth, acc_base + n_tokens <= AccDepth), so
// every address the unit issues fits $clog2(depth) bits and the counters keep only those
// (the 16-bit fields would cost a flip-flop and a LUT per bit each on iCE40). Sums past
// the last token (the row after it) wrap, but are never used as addresses.
module tern_gemm #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned WbufDepth = 512,
  parameter int unsigned AbufDepth = 8192,
  parameter int unsigned AccDepth = 512
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    clear_i,
  input  logic                    abort_i,
  input  logic                    q_valid_i,
  input  logic [`TERN_QWORD_W-1:0] q_data_i,
  output logic                    q_pop_o,
  input  logic                    tok_prev_i,   // l2c available
  input  logic                    tok_next_i,   // s2c available
  output logic                    pop_prev_o,
  output logic                    pop_next_o,
  output logic                    push_prev_o,  // c2l
  output logic                    push_next_o,  // c2s
  output logic                    wbuf_re_o,
  output logic [15:0]             wbuf_raddr_o,
  input  logic [2*Rows*Lanes-1:0] wbuf_rdata_i,
  output logic                    abuf_re_o,
  output logic [15:0]             abuf_raddr_o,
  input  logic [8*Lanes-1:0]      abuf_rdata_i,
  output logic                    acc_req_o,
  output logic [15:0]             acc_raddr_o,
  input  logic                    acc_gnt_i,
  input  logic [32*Rows-1:0]      acc_rdata_i,
  output logic                    acc_we_o,
  output logic [15:0]             acc_waddr_o,
  output logic [32*Rows-1:0]      acc_wdata_o,
  output logic                    busy_o,
  output logic                    wait_tok_o,
  output logic [31:0]             wait_idx_o,
  output logic                    ev_start_o,
  output logic                    ev_step_o,
  output logic                    ev_acc_rd_o,
  output logic [15:0]             ev_zeros_o
);
  `include "tern_isa.svh"

  // The instruction at the queue head; every field is read through its generated accessor.
  logic [TERN_INSN_BITS-1:0] h_insn;
  assign h_insn = tern_qword_insn(q_data_i);

  localparam int unsigned RL = Rows * Lanes;
  localparam int unsigned WAW = $clog2(WbufDepth);     // WBUF entry index bits
  localparam int unsigned AAW = $clog2(AbufDepth);     // ABUF entry index bits
  localparam int unsigned CAW = $clog2(AccDepth);      // ACC entry index bits
  localparam int unsigned NW  = $clog2(AccDepth + 1);  // tokens left: n_tokens <= AccDepth

  typedef enum logic [1:0] {G_IDLE, G_RUN, G_DRAIN} state_e;
  state_e      state_q;
  logic        reset_q, push_prev_q, push_next_q, first_q, abort_q;
  // wlast_q: the WBUF address of a token's last chunk (wbuf_base + k_chunks - 1, below
  // WBUF_DEPTH by the fetch check), so a token's chunks need no down-counter of their own
  logic [WAW-1:0] wlast_q, wbase_q, w_addr_q;
  logic [AAW-1:0] a_row_q, a_addr_q, stride_q;
  logic [NW-1:0]  n_left_q;
  logic [CAW-1:0] acc_addr_q, s1_addr_q, s2_addr_q;
  logic           s1_v_q, s1_first_q, s1_last_q, s1_reset_q, s2_v_q;

  logic h_pp, h_pn, start, need_acc, step, last_chunk, finish;
  assign h_pp       = tern_pop_prev(h_insn);
  assign h_pn       = tern_pop_next(h_insn);
  assign start      = (state_q == G_IDLE) && q_valid_i && (!h_pp || tok_prev_i)
                   && (!h_pn || tok_next_i) && !abort_i;
  assign q_pop_o    = start;
  assign pop_prev_o = start && h_pp;
  assign pop_next_o = start && h_pn;
  assign wait_tok_o = (state_q == G_IDLE) && q_valid_i
                   && ((h_pp && !tok_prev_i) || (h_pn && !tok_next_i));
  assign wait_idx_o = tern_qword_index(q_data_i);
  assign busy_o     = (state_q != G_IDLE);
  assign ev_start_o = start;

  assign need_acc   = first_q && !reset_q;
  assign acc_req_o  = (state_q == G_RUN) && need_acc;
  assign step       = (state_q == G_RUN) && (!need_acc || acc_gnt_i) && !abort_i;
  assign last_chunk = (w_addr_q == wlast_q);
  assign finish     = (state_q == G_DRAIN) && !s1_v_q;

  assign wbuf_re_o    = step;
  assign wbuf_raddr_o = 16'(w_addr_q);
  assign abuf_re_o    = step;
  assign abuf_raddr_o = 16'(a_addr_q);
  assign acc_raddr_o  = 16'(acc_addr_q);
  assign ev_step_o    = step;
  assign ev_acc_rd_o  = step && need_acc;
  assign push_prev_o  = finish && push_prev_q && !abort_q;
  assign push_next_o  = finish && push_next_q && !abort_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= G_IDLE;
      reset_q     <= 1'b0;
      push_prev_q <= 1'b0;
      push_next_q <= 1'b0;
      first_q     <= 1'b0;
      abort_q     <= 1'b0;
      wlast_q     <= '0;
      n_left_q    <= '0;
      wbase_q     <= '0;
      w_addr_q    <= '0;
      a_row_q     <= '0;
      a_addr_q    <= '0;
      stride_q    <= '0;
      acc_addr_q  <= '0;
      s1_v_q      <= 1'b0;
      s1_first_q  <= 1'b0;
      s1_last_q   <= 1'b0;
      s1_reset_q  <= 1'b0;
      s1_addr_q   <= '0;
      s2_v_q      <= 1'b0;
      s2_addr_q   <= '0;
    end else if (clear_i) begin
      state_q <= G_IDLE;
      abort_q <= 1'b0;
      s1_v_q  <= 1'b0;
      s2_v_q  <= 1'b0;
    end else begin
      // pipeline registers
      s1_v_q     <= step;
      s1_first_q <= first_q;
      s1_last_q  <= last_chunk;
      s1_reset_q <= reset_q;
      s1_addr_q  <= acc_addr_q;
      s2_v_q     <= s1_v_q && s1_last_q;
      s2_addr_q  <= s1_addr_q;
      unique case (state_q)
        G_IDLE: begin
          if (start) begin
            state_q     <= G_RUN;
            abort_q     <= 1'b0;
            reset_q     <= tern_gemm_reset(h_insn);
            push_prev_q <= tern_push_prev(h_insn);
            push_next_q <= tern_push_next(h_insn);
            first_q     <= 1'b1;
            wlast_q     <= WAW'(tern_gemm_wbuf_base(h_insn)) + WAW'(tern_gemm_k_chunks(h_insn))
                         - WAW'(1);
            n_left_q    <= NW'(tern_gemm_n_tokens(h_insn));
            wbase_q     <= WAW'(tern_gemm_wbuf_base(h_insn));
            w_addr_q    <= WAW'(tern_gemm_wbuf_base(h_insn));
            a_row_q     <= AAW'(tern_gemm_abuf_base(h_insn));
            a_addr_q    <= AAW'(tern_gemm_abuf_base(h_insn));
            stride_q    <= AAW'(tern_gemm_abuf_stride(h_insn));
            acc_addr_q  <= CAW'(tern_gemm_acc_base(h_insn));
          end
        end
        G_RUN: begin
          if (abort_i) begin
            state_q <= G_DRAIN;
            abort_q <= 1'b1;
          end else if (step) begin
            if (last_chunk) begin
              first_q    <= 1'b1;
              w_addr_q   <= wbase_q;
              a_row_q    <= a_row_q + stride_q;
              a_addr_q   <= a_row_q + stride_q;
              acc_addr_q <= acc_addr_q + CAW'(1);
              n_left_q   <= n_left_q - NW'(1);
              if (n_left_q == NW'(1)) state_q <= G_DRAIN;
            end else begin
              first_q  <= 1'b0;
              w_addr_q <= w_addr_q + WAW'(1);
              a_addr_q <= a_addr_q + AAW'(1);
            end
          end
        end
        G_DRAIN: begin
          if (finish) state_q <= G_IDLE;
        end
        default: state_q <= G_IDLE;
      endcase
    end
  end

  tern_pe_array #(.Rows(Rows), .Lanes(Lanes)) u_array (
    .clk_i,
    .en_i(s1_v_q),
    .first_i(s1_first_q),
    .zero_i(s1_reset_q),
    .init_i(acc_rdata_i),
    .w_i(wbuf_rdata_i),
    .a_i(abuf_rdata_i),
    .acc_o(acc_wdata_o)
  );

  assign acc_we_o    = s2_v_q;
  assign acc_waddr_o = 16'(s2_addr_q);
  // Zero-weight count off the array's critical path: the popcount is registered and
  // reaches the counter one cycle after its step (a run ends cycles after its last step).
  // Bit 0 of each 2-bit code flags a zero weight (code 1 or 3); tern_popcount counts them
  // (a tree yosys can elaborate at 64x64, where $countones could not: rtl/tern_popcount.sv).
  logic [$clog2(RL + 1)-1:0] zcount;
  tern_popcount #(.N(RL), .Stride(2)) u_zeros (.bits_i(wbuf_rdata_i), .count_o(zcount));
  logic [15:0] zeros_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) zeros_q <= '0;
    else zeros_q <= (s1_v_q && !clear_i) ? 16'(zcount) : 16'd0;
  end
  assign ev_zeros_o  = zeros_q;
endmodule
