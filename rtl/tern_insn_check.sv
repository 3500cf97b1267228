`default_nettype none
// tern_insn_check: the static checks of docs/isa.md "Checks and errors", in the documented
// order (OPCODE, DEP_FLAGS, FIELD, buffer range, DMA_ALIGN, DMA_WINDOW), reporting the first
// that fails. The checks need three products of instruction fields (x_size*y_size,
// (n_tokens-1)*abuf_stride, (y_size-1)*dram_stride); there is no multiplier, so they are
// formed by shift-and-add over the 16-bit count operand, four bits per cycle: start_i, four
// MUL cycles, then one cycle with done_o high and err_o valid. Row bytes x_size*E are a
// product with a constant E, built from shifted copies of x_size for the set bits of E.
// Every comparison is done in widths where no sum can overflow, so "computed without
// overflow" holds literally.
module tern_insn_check #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned WbufDepth = 512,
  parameter int unsigned AbufDepth = 8192,
  parameter int unsigned AccDepth = 512,
  parameter int unsigned BusBytes = 32
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,
  input  logic [127:0] insn_i,
  input  logic [31:0]  dma_base_i,
  input  logic [31:0]  dma_limit_i,
  output logic         done_o,
  output logic [7:0]   err_o
);
  `include "tern_isa.svh"

  localparam int unsigned LogBus = $clog2(BusBytes);
  localparam int unsigned EntA = Lanes;                    // ABUF entry bytes
  localparam int unsigned EntW2 = Rows * Lanes / 4;        // WBUF, 2-bit codes
  localparam int unsigned EntW3 = (Rows * Lanes + 4) / 5;  // WBUF, base-3
  localparam logic [47:0] StoreSpan = 48'(Rows * 4);

  // x * c for a constant c: sum of x shifted by the set bits of c (adders only).
  function automatic logic [31:0] mul_const(input logic [15:0] x, input int unsigned c);
    logic [31:0] s;
    s = '0;
    for (int b = 0; b < 16; b++) begin
      if (((c >> b) & 1) == 1) s = s + ({16'd0, x} << b);
    end
    mul_const = s;
  endfunction

  typedef enum logic [1:0] {S_IDLE, S_MUL, S_FIN} state_e;
  state_e      state_q;
  logic [1:0]  step_q;
  logic [127:0] insn_q;
  // Product A (<= 32 bits): x_size*y_size (LOAD) or (n_tokens-1)*abuf_stride (GEMM).
  // Product B (<= 48 bits): (y_size-1)*dram_stride (LOAD, STORE).
  logic [15:0] cnt_a_q, cnt_b_q;
  logic [31:0] mc_a_q;
  logic [47:0] mc_b_q;
  logic [33:0] prod_a_q;
  logic [47:0] prod_b_q;

  logic [3:0]  op;
  logic [3:0]  deps;
  logic [15:0] f16_1, f16_2, f16_3, f16_4, f16_5;
  logic [31:0] d_addr;
  logic [LogBus-1:0] d_stride_lo;
  assign op       = insn_i[TERN_OPCODE_LSB +: 4];
  // Field slices of the latched word, named by position (meaning depends on the opcode).
  assign deps     = insn_q[7:4];
  assign f16_1    = insn_q[31:16];
  assign f16_2    = insn_q[47:32];
  assign f16_3    = insn_q[63:48];
  assign f16_4    = insn_q[79:64];
  assign f16_5    = insn_q[95:80];
  assign d_addr   = insn_q[95:64];
  assign d_stride_lo = insn_q[96 +: LogBus];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= S_IDLE;
      step_q   <= '0;
      insn_q   <= '0;
      cnt_a_q  <= '0;
      cnt_b_q  <= '0;
      mc_a_q   <= '0;
      mc_b_q   <= '0;
      prod_a_q <= '0;
      prod_b_q <= '0;
    end else begin
      unique case (state_q)
        S_IDLE: begin
          if (start_i) begin
            state_q  <= S_MUL;
            step_q   <= '0;
            insn_q   <= insn_i;
            prod_a_q <= '0;
            prod_b_q <= '0;
            mc_b_q   <= {16'd0, insn_i[127:96]};
            cnt_b_q  <= insn_i[63:48] - 16'd1;
            if (op == TERN_OP_GEMM) begin
              cnt_a_q <= insn_i[95:80] - 16'd1;
              mc_a_q  <= {16'd0, insn_i[111:96]};
            end else begin
              cnt_a_q <= insn_i[63:48];
              mc_a_q  <= {16'd0, insn_i[47:32]};
            end
          end
        end
        S_MUL: begin
          prod_a_q <= prod_a_q + (cnt_a_q[0] ? {2'd0, mc_a_q} : 34'd0)
                    + (cnt_a_q[1] ? {1'd0, mc_a_q, 1'd0} : 34'd0)
                    + (cnt_a_q[2] ? {mc_a_q, 2'd0} : 34'd0)
                    + (cnt_a_q[3] ? {mc_a_q[30:0], 3'd0} : 34'd0);
          prod_b_q <= prod_b_q + (cnt_b_q[0] ? mc_b_q : 48'd0)
                    + (cnt_b_q[1] ? {mc_b_q[46:0], 1'd0} : 48'd0)
                    + (cnt_b_q[2] ? {mc_b_q[45:0], 2'd0} : 48'd0)
                    + (cnt_b_q[3] ? {mc_b_q[44:0], 3'd0} : 48'd0);
          cnt_a_q  <= cnt_a_q >> 4;
          cnt_b_q  <= cnt_b_q >> 4;
          mc_a_q   <= mc_a_q << 4;
          mc_b_q   <= mc_b_q << 4;
          step_q   <= step_q + 2'd1;
          if (step_q == 2'd3) state_q <= S_FIN;
        end
        S_FIN: state_q <= S_IDLE;
        default: state_q <= S_IDLE;
      endcase
    end
  end

  assign done_o = (state_q == S_FIN);

  // The checks, evaluated on the latched word and the finished products.
  logic [3:0]  op_q;
  logic [31:0] row_bytes;
  logic [31:0] row_span;
  logic [49:0] last_end;
  logic        is_load, is_gemm, is_store, is_end, abuf_ld;
  logic [127:0] undefined;
  logic [3:0]  deps_bad;
  logic        size_zero, align_bad, win_bad;
  logic [7:0]  range_err;
  logic [33:0] depth_ld;

  assign op_q     = insn_q[3:0];
  assign is_load  = (op_q == TERN_OP_LOAD);
  assign is_gemm  = (op_q == TERN_OP_GEMM);
  assign is_store = (op_q == TERN_OP_STORE);
  assign is_end   = (op_q == TERN_OP_END);
  assign abuf_ld  = insn_q[TERN_LOAD_BUF_LSB];

  always_comb begin
    undefined = '0;
    deps_bad  = '0;
    size_zero = 1'b0;
    range_err = TERN_ERR_OK;
    row_bytes = '0;
    depth_ld  = abuf_ld ? 34'(AbufDepth) : 34'(WbufDepth);
    if (is_load) begin
      undefined = insn_q & ~TERN_LOAD_DEFINED;
      deps_bad  = deps & ~TERN_LOAD_DEPS_ALLOWED;
      size_zero = (f16_2 == '0) || (f16_3 == '0) || (abuf_ld && insn_q[TERN_LOAD_WFMT_LSB]);
      if ({18'd0, f16_1} + prod_a_q > depth_ld) begin
        range_err = abuf_ld ? TERN_ERR_ABUF_RANGE : TERN_ERR_WBUF_RANGE;
      end
      if (abuf_ld) row_bytes = mul_const(f16_2, EntA);
      else if (insn_q[TERN_LOAD_WFMT_LSB]) row_bytes = mul_const(f16_2, EntW3);
      else row_bytes = mul_const(f16_2, EntW2);
    end else if (is_gemm) begin
      undefined = insn_q & ~TERN_GEMM_DEFINED;
      deps_bad  = deps & ~TERN_GEMM_DEPS_ALLOWED;
      size_zero = (f16_4 == '0) || (f16_5 == '0);
      if ({1'b0, f16_1} + {1'b0, f16_4} > 17'(WbufDepth)) range_err = TERN_ERR_WBUF_RANGE;
      else if ({18'd0, f16_2} + prod_a_q + {18'd0, f16_4} > 34'(AbufDepth)) begin
        range_err = TERN_ERR_ABUF_RANGE;
      end else if ({1'b0, f16_3} + {1'b0, f16_5} > 17'(AccDepth)) begin
        range_err = TERN_ERR_ACC_RANGE;
      end
    end else if (is_store) begin
      undefined = insn_q & ~TERN_STORE_DEFINED;
      deps_bad  = deps & ~TERN_STORE_DEPS_ALLOWED;
      size_zero = (f16_3 == '0);
      if ({1'b0, f16_1} + {1'b0, f16_3} > 17'(AccDepth)) range_err = TERN_ERR_ACC_RANGE;
    end else if (is_end) begin
      undefined = insn_q & ~TERN_END_DEFINED;
      deps_bad  = deps & ~TERN_END_DEPS_ALLOWED;
    end
  end

  // Whole beats of one row: ceil(row_bytes / BUS_BYTES) * BUS_BYTES (BUS_BYTES is 2^k).
  assign row_span  = ((row_bytes + 32'(BusBytes - 1)) >> LogBus) << LogBus;
  assign last_end  = {18'd0, d_addr} + {2'd0, prod_b_q}
                   + (is_store ? {2'd0, StoreSpan} : {18'd0, row_span});
  assign align_bad = (d_addr[LogBus-1:0] != '0) || (d_stride_lo != '0);
  assign win_bad   = (d_addr < dma_base_i) || (last_end > {18'd0, dma_limit_i});

  always_comb begin
    err_o = TERN_ERR_OK;
    if (!(is_load || is_gemm || is_store || is_end)) err_o = TERN_ERR_OPCODE;
    else if (deps_bad != '0) err_o = TERN_ERR_DEP_FLAGS;
    else if (undefined != '0 || size_zero) err_o = TERN_ERR_FIELD;
    else if (range_err != TERN_ERR_OK) err_o = range_err;
    else if ((is_load || is_store) && align_bad) err_o = TERN_ERR_DMA_ALIGN;
    else if ((is_load || is_store) && win_bad) err_o = TERN_ERR_DMA_WINDOW;
  end
endmodule
