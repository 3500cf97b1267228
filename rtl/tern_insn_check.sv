`default_nettype none
`include "tern_isa_macros.svh"
// tern_insn_check: the static checks of docs/isa.md "Checks and errors", in the documented order
// (OPCODE, DEP_FLAGS, FIELD, buffer range, DMA_ALIGN, DMA_WINDOW), reporting the first that fails.
// The checks need three products of instruction fields (x_size*y_size, (n_tokens-1)*abuf_stride,
// (y_size-1)*dram_stride); there is no multiplier, so they are formed by shift-and-add over the
// 16-bit count operand, TERN_CHECK_STEP_BITS bits per cycle (a generated constant the fast model
// shares): start_i, TERN_CHECK_COUNT_BITS / TERN_CHECK_STEP_BITS MUL cycles, then one cycle with
// done_o high and err_o valid. Every field is read through the generated tern_* accessor functions
// of tern_isa.svh. Row bytes x_size*E are a product with a constant E, built from shifted copies of
// x_size for the set bits of E. Every comparison is done in widths where no sum can overflow, so
// "computed without overflow" holds literally. The products saturate: product A is only compared
// with a buffer depth (< 2^16) after adding a 16-bit base, product B with the 32-bit DMA_LIMIT
// after adding a 32-bit address, so each is kept exactly below 2^16 (A) or 2^32 (B) and as a
// sticky "at least that" flag above, which decides the same comparisons with half-width adders.
// Saturating shift-and-add: the multiplicand m is kept modulo 2^W with a flag for the bits
// shifted out above (m << 4s >= 2^W); a step adds digit * m exactly when that flag is clear,
// and any term or partial sum reaching 2^W sets the product's flag (all terms are >= 0).
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
  // the word to check: valid from the cycle after start_i until the next start_i (fetch's
  // buffer RAM reads it at start_i and holds it), so the checker keeps no copy of its own
  input  logic [`TERN_INSN_W-1:0] insn_i,
  input  logic [31:0]  dma_base_i,
  input  logic [31:0]  dma_limit_i,
  output logic         done_o,
  output logic [7:0]   err_o
);
  `include "tern_isa.svh"

  localparam int unsigned LogBus = $clog2(BusBytes);
  // DRAM stride pad(E) of an entry (entry_layout of the definition): ABUF, WBUF 2-bit, base-3
  localparam int unsigned EntA = tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b1, 1'b0),
                                                   BusBytes);
  localparam int unsigned EntW2 = tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b0, 1'b0),
                                                    BusBytes);
  localparam int unsigned EntW3 = tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b0, 1'b1),
                                                    BusBytes);
  localparam logic [47:0] StoreSpan = 48'(Rows * 4);
  localparam int unsigned Step = TERN_CHECK_STEP_BITS;
  localparam int unsigned Steps = TERN_CHECK_COUNT_BITS / Step;
  localparam int unsigned StepW = (Steps > 1) ? $clog2(Steps) : 1;
  localparam logic [StepW-1:0] LastStep = StepW'(Steps - 1);

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
  logic [StepW-1:0] step_q;
  logic [TERN_INSN_BITS-1:0] insn;  // insn_i, the held word
  assign insn = insn_i;
  // Product A (<= 32 bits): x_size*y_size (LOAD) or (n_tokens-1)*abuf_stride (GEMM).
  // Product B (<= 48 bits): (y_size-1)*dram_stride (LOAD, STORE).
  logic [15:0] cnt_a_q, cnt_b_q;
  logic [15:0] mc_a_q, prod_a_q;
  logic [31:0] mc_b_q, prod_b_q;
  logic        mc_a_hi_q, mc_b_hi_q, prod_a_hi_q, prod_b_hi_q;  // >= 2^16 (A), >= 2^32 (B)

  logic [3:0]  deps;
  // The operands of this MUL cycle: on the first, the fields of the word (which arrives the
  // cycle after start_i); after it, the shifted registers.
  logic        first;
  logic [15:0] cnt_a, cnt_b, mc_a;
  logic [31:0] mc_b;
  logic [16+Step:0] add_a;  // digit * m: below 2^(W+Step)
  logic [32+Step:0] add_b;
  logic [17+Step:0] sum_a;  // partial product + add
  logic [33+Step:0] sum_b;
  assign first    = (state_q == S_MUL) && (step_q == '0);
  always_comb begin
    cnt_a = cnt_a_q;
    cnt_b = cnt_b_q;
    mc_a  = mc_a_q;
    mc_b  = mc_b_q;
    if (first) begin
      if (tern_opcode(insn) == TERN_OP_STORE) begin
        mc_b  = tern_store_dram_stride(insn);
        cnt_b = tern_store_y_size(insn) - 16'd1;
      end else begin
        mc_b  = tern_load_dram_stride(insn);
        cnt_b = tern_load_y_size(insn) - 16'd1;
      end
      if (tern_opcode(insn) == TERN_OP_GEMM) begin
        cnt_a = tern_gemm_n_tokens(insn) - 16'd1;
        mc_a  = tern_gemm_abuf_stride(insn);
      end else begin
        cnt_a = tern_load_y_size(insn);
        mc_a  = tern_load_x_size(insn);
      end
    end
  end
  // Dependency flags as the TERN_DEP_* set: pop_prev 1, pop_next 2, push_prev 4, push_next 8.
  assign deps     = {tern_push_next(insn), tern_push_prev(insn), tern_pop_next(insn),
                     tern_pop_prev(insn)};

  // One MUL cycle: the partial products of Step count bits (shift-and-add, no multiplier).
  always_comb begin
    add_a = '0;
    add_b = '0;
    for (int b = 0; b < Step; b++) begin
      if (cnt_a[b]) add_a = add_a + ((17 + Step)'(mc_a) << b);
      if (cnt_b[b]) add_b = add_b + ((33 + Step)'(mc_b) << b);
    end
  end
  assign sum_a = (18 + Step)'(prod_a_q) + (18 + Step)'(add_a);
  assign sum_b = (34 + Step)'(prod_b_q) + (34 + Step)'(add_b);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= S_IDLE;
      step_q   <= '0;
      cnt_a_q  <= '0;
      cnt_b_q  <= '0;
      mc_a_q   <= '0;
      mc_b_q   <= '0;
      prod_a_q <= '0;
      prod_b_q <= '0;
      mc_a_hi_q   <= 1'b0;
      mc_b_hi_q   <= 1'b0;
      prod_a_hi_q <= 1'b0;
      prod_b_hi_q <= 1'b0;
    end else begin
      unique case (state_q)
        S_IDLE: begin
          if (start_i) begin
            state_q  <= S_MUL;
            step_q   <= '0;
            prod_a_q <= '0;
            prod_b_q <= '0;
            mc_a_hi_q   <= 1'b0;
            mc_b_hi_q   <= 1'b0;
            prod_a_hi_q <= 1'b0;
            prod_b_hi_q <= 1'b0;
          end
        end
        S_MUL: begin
          prod_a_q <= sum_a[15:0];
          prod_b_q <= sum_b[31:0];
          if ((mc_a_hi_q && cnt_a[Step-1:0] != '0) || sum_a[17+Step:16] != '0) begin
            prod_a_hi_q <= 1'b1;
          end
          if ((mc_b_hi_q && cnt_b[Step-1:0] != '0) || sum_b[33+Step:32] != '0) begin
            prod_b_hi_q <= 1'b1;
          end
          if (mc_a[15 -: Step] != '0) mc_a_hi_q <= 1'b1;
          if (mc_b[31 -: Step] != '0) mc_b_hi_q <= 1'b1;
          cnt_a_q  <= cnt_a >> Step;
          cnt_b_q  <= cnt_b >> Step;
          mc_a_q   <= mc_a << Step;
          mc_b_q   <= mc_b << Step;
          step_q   <= step_q + 1'b1;
          if (step_q == LastStep) state_q <= S_FIN;
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
  logic [33:0] last_end;
  logic        is_load, is_gemm, is_store, is_end, abuf_ld;
  logic [TERN_INSN_BITS-1:0] undefined;
  logic [3:0]  deps_bad;
  logic        size_zero, align_bad, win_bad;
  logic [7:0]  range_err;
  logic [33:0] depth_ld;
  logic [31:0] d_addr, d_stride;

  assign op_q     = tern_opcode(insn);
  assign is_load  = (op_q == TERN_OP_LOAD);
  assign is_gemm  = (op_q == TERN_OP_GEMM);
  assign is_store = (op_q == TERN_OP_STORE);
  assign is_end   = (op_q == TERN_OP_END);
  assign abuf_ld  = tern_load_buf(insn);
  assign d_addr   = is_store ? tern_store_dram_addr(insn) : tern_load_dram_addr(insn);
  assign d_stride = is_store ? tern_store_dram_stride(insn) : tern_load_dram_stride(insn);

  always_comb begin
    undefined = '0;
    deps_bad  = '0;
    size_zero = 1'b0;
    range_err = TERN_ERR_OK;
    row_bytes = '0;
    depth_ld  = abuf_ld ? 34'(AbufDepth) : 34'(WbufDepth);
    if (is_load) begin
      undefined = insn & ~TERN_LOAD_DEFINED;
      deps_bad  = deps & ~TERN_LOAD_DEPS_ALLOWED;
      size_zero = (tern_load_x_size(insn) == '0) || (tern_load_y_size(insn) == '0)
               || (abuf_ld && tern_load_wfmt(insn) != '0);
      if (prod_a_hi_q || {18'd0, tern_load_sram_base(insn)} + 34'(prod_a_q) > depth_ld) begin
        range_err = abuf_ld ? TERN_ERR_ABUF_RANGE : TERN_ERR_WBUF_RANGE;
      end
      if (abuf_ld) row_bytes = mul_const(tern_load_x_size(insn), EntA);
      else if (tern_load_wfmt(insn) != '0) row_bytes = mul_const(tern_load_x_size(insn), EntW3);
      else row_bytes = mul_const(tern_load_x_size(insn), EntW2);
    end else if (is_gemm) begin
      undefined = insn & ~TERN_GEMM_DEFINED;
      deps_bad  = deps & ~TERN_GEMM_DEPS_ALLOWED;
      size_zero = (tern_gemm_k_chunks(insn) == '0) || (tern_gemm_n_tokens(insn) == '0);
      if ({1'b0, tern_gemm_wbuf_base(insn)} + {1'b0, tern_gemm_k_chunks(insn)}
          > 17'(WbufDepth)) begin
        range_err = TERN_ERR_WBUF_RANGE;
      end else if (prod_a_hi_q || {18'd0, tern_gemm_abuf_base(insn)} + 34'(prod_a_q)
                   + {18'd0, tern_gemm_k_chunks(insn)} > 34'(AbufDepth)) begin
        range_err = TERN_ERR_ABUF_RANGE;
      end else if ({1'b0, tern_gemm_acc_base(insn)} + {1'b0, tern_gemm_n_tokens(insn)}
                   > 17'(AccDepth)) begin
        range_err = TERN_ERR_ACC_RANGE;
      end
    end else if (is_store) begin
      undefined = insn & ~TERN_STORE_DEFINED;
      deps_bad  = deps & ~TERN_STORE_DEPS_ALLOWED;
      size_zero = (tern_store_y_size(insn) == '0);
      if ({1'b0, tern_store_acc_base(insn)} + {1'b0, tern_store_y_size(insn)}
          > 17'(AccDepth)) begin
        range_err = TERN_ERR_ACC_RANGE;
      end
    end else if (is_end) begin
      undefined = insn & ~TERN_END_DEFINED;
      deps_bad  = deps & ~TERN_END_DEPS_ALLOWED;
    end
  end

  // Whole beats of one row: ceil(row_bytes / BUS_BYTES) * BUS_BYTES (BUS_BYTES is 2^k).
  assign row_span  = ((row_bytes + 32'(BusBytes - 1)) >> LogBus) << LogBus;
  assign last_end  = {2'd0, d_addr} + {2'd0, prod_b_q}
                   + (is_store ? 34'(StoreSpan) : {2'd0, row_span});
  assign align_bad = ((d_addr | d_stride) & 32'(BusBytes - 1)) != '0;
  assign win_bad   = (d_addr < dma_base_i) || prod_b_hi_q || (last_end > {2'd0, dma_limit_i});

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
