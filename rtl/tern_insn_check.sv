`default_nettype none
`include "tern_isa_macros.svh"
// tern_insn_check: the static checks of docs/isa.md "Checks and errors", in the documented order
// (OPCODE, DEP_FLAGS, FIELD, buffer range, DMA_ALIGN, DMA_WINDOW), reporting the first that fails.
// The checks need two products of instruction fields with the same count c (n_tokens-1 for GEMM,
// y_size-1 for LOAD and STORE): A = c*abuf_stride (GEMM) or c*x_size (LOAD, whose x_size*y_size
// is A + x_size), and B = c*dram_stride (LOAD, STORE). There is no multiplier: they are formed by
// Horner's rule over the 16-bit c, most significant TERN_CHECK_STEP_BITS digit first, P = P*2^Step
// + digit*m, one digit per cycle (a generated constant the fast model shares): start_i,
// TERN_CHECK_COUNT_BITS / TERN_CHECK_STEP_BITS MUL cycles, then one cycle with done_o high and
// err_o valid. Horner keeps the multiplicands as the fields of the held word (no shifted copies
// in registers) and needs no count register either: the digit is picked out of c by step_q.
// Every field is read through the generated tern_* accessor functions of tern_isa.svh.
// Narrow on purpose, each where the comparison it feeds allows it ("computed without overflow"
// holds literally: every sum below is formed in a width where it cannot wrap):
// - product A and the buffer-range sums are only compared with buffer depths, so they are exact
//   below 2^AW (> every depth) and a sticky "at least 2^AW" flag above: all terms are >= 0, so a
//   partial value at or above the bound means the final one is too, and fails the same check;
// - the DMA_WINDOW check only decides the error when DMA_ALIGN passed, i.e. dram_addr and
//   dram_stride are whole beats; the row span is whole beats by construction and so is the
//   STORE span (config rule: BUS_BYTES divides ROWS*4). So every address of the window sum is
//   a multiple of BUS_BYTES and the comparisons are exact on the beat numbers (bits 31:LogBus):
//   n*BUS > LIMIT iff n > LIMIT/BUS (floor), and addr < BASE iff {beat, 0} < {BASE/BUS, BASE%BUS
//   != 0}. Product B is formed on the beat stride, exact below 2^(32-LogBus) with a sticky flag.
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
  /* verilator lint_off UNUSEDSIGNAL */  // only its beat number is compared (see above)
  input  logic [31:0]  dma_limit_i,
  /* verilator lint_on UNUSEDSIGNAL */
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
  localparam int unsigned StoreBeats = Rows * 4 / BusBytes;
  localparam int unsigned Step = TERN_CHECK_STEP_BITS;
  localparam int unsigned Steps = TERN_CHECK_COUNT_BITS / Step;
  localparam int unsigned StepW = (Steps > 1) ? $clog2(Steps) : 1;
  localparam logic [StepW-1:0] LastStep = StepW'(Steps - 1);
  // Exact widths: product A and the ABUF/WBUF sums (AW), WBUF (WW), ACC (CW), beat numbers (BW).
  localparam int unsigned MaxDepth = (AbufDepth > WbufDepth) ? AbufDepth : WbufDepth;
  localparam int unsigned AW = $clog2(MaxDepth + 1);
  localparam int unsigned WW = $clog2(WbufDepth + 1);
  localparam int unsigned CW = $clog2(AccDepth + 1);
  localparam int unsigned BW = 32 - LogBus;

  // x * c for a constant c: sum of x shifted by the set bits of c (adders only).
  function automatic logic [31:0] mul_const(input logic [15:0] x, input int unsigned c);
    logic [31:0] s;
    s = '0;
    for (int b = 0; b < 16; b++) begin
      if (((c >> b) & 1) == 1) s = s + ({16'd0, x} << b);
    end
    mul_const = s;
  endfunction
  // a + b > depth for 16-bit a, b, in W bits (2^W > depth): an operand at or above 2^W fails.
  function automatic logic sum_gt(input logic [15:0] a, input logic [15:0] b,
                                  input int unsigned w, input logic [16:0] depth);
    logic [16:0] lo;
    lo = {1'b0, a & 16'((32'd1 << w) - 1)} + {1'b0, b & 16'((32'd1 << w) - 1)};
    sum_gt = ((32'(a) >> w) != 0) || ((32'(b) >> w) != 0) || (lo > depth);
  endfunction

  typedef enum logic [1:0] {S_IDLE, S_MUL, S_FIN} state_e;
  state_e      state_q;
  logic [StepW-1:0] step_q;  // the digit of c this MUL cycle consumes (counts down)
  logic [TERN_INSN_BITS-1:0] insn;  // insn_i, the held word
  assign insn = insn_i;

  logic [3:0]  op;
  logic        is_load, is_gemm, is_store, is_end, abuf_ld;
  assign op       = tern_opcode(insn);
  assign is_load  = (op == TERN_OP_LOAD);
  assign is_gemm  = (op == TERN_OP_GEMM);
  assign is_store = (op == TERN_OP_STORE);
  assign is_end   = (op == TERN_OP_END);
  assign abuf_ld  = tern_load_buf(insn);
  logic [31:0] d_addr, d_stride;
  assign d_addr   = is_store ? tern_store_dram_addr(insn) : tern_load_dram_addr(insn);
  assign d_stride = is_store ? tern_store_dram_stride(insn) : tern_load_dram_stride(insn);

  // ---------------------------------------------------------------- Horner products
  logic [15:0]      cnt, mc_a_f;
  logic [Step-1:0]  dig;
  logic [AW-1:0]    mc_a, prod_a_q;
  logic [BW-1:0]    mc_b, prod_b_q;
  logic             mc_a_hi, prod_a_hi_q, prod_b_hi_q;  // >= 2^AW (A), >= 2^BW (B)
  logic [AW+Step-1:0] add_a, sh_a;  // digit * m; the partial product shifted by one digit
  logic [BW+Step-1:0] add_b, sh_b;
  logic [AW:0]      sum_a;
  logic [BW:0]      sum_b;
  logic             ovf_a, ovf_b;

  assign cnt    = (is_gemm ? tern_gemm_n_tokens(insn)
                  : is_store ? tern_store_y_size(insn) : tern_load_y_size(insn)) - 16'd1;
  assign mc_a_f = is_gemm ? tern_gemm_abuf_stride(insn) : tern_load_x_size(insn);
  assign mc_a   = mc_a_f[AW-1:0];
  assign mc_a_hi = (32'(mc_a_f) >> AW) != 0;
  assign mc_b   = d_stride[31:LogBus];
  always_comb begin
    dig = '0;
    for (int s = 0; s < Steps; s++) begin
      if (step_q == StepW'(s)) dig = cnt[s*Step +: Step];
    end
  end
  // digit * m by shift-and-add (no multiplier)
  always_comb begin
    add_a = '0;
    add_b = '0;
    for (int b = 0; b < Step; b++) begin
      if (dig[b]) add_a = add_a + ((AW + Step)'(mc_a) << b);
      if (dig[b]) add_b = add_b + ((BW + Step)'(mc_b) << b);
    end
  end
  // P*2^Step + digit*m, exact below 2^W; any part at or above it sets the sticky flag.
  assign sh_a  = {prod_a_q, {Step{1'b0}}};
  assign sh_b  = {prod_b_q, {Step{1'b0}}};
  assign sum_a = {1'b0, sh_a[AW-1:0]} + {1'b0, add_a[AW-1:0]};
  assign sum_b = {1'b0, sh_b[BW-1:0]} + {1'b0, add_b[BW-1:0]};
  assign ovf_a = (sh_a >> AW) != '0 || (add_a >> AW) != '0 || sum_a[AW] || (mc_a_hi && dig != '0);
  assign ovf_b = (sh_b >> BW) != '0 || (add_b >> BW) != '0 || sum_b[BW];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      step_q  <= '0;
    end else begin
      unique case (state_q)
        S_IDLE: begin
          if (start_i) begin
            state_q <= S_MUL;
            step_q  <= LastStep;
          end
        end
        S_MUL: begin
          step_q <= step_q - 1'b1;
          if (step_q == '0) state_q <= S_FIN;
        end
        S_FIN: state_q <= S_IDLE;
        default: state_q <= S_IDLE;
      endcase
    end
  end
  // The products are data (no reset): cleared in every cycle outside MUL, so each check
  // starts from 0, and read in FIN before the clear of that cycle takes effect.
  always_ff @(posedge clk_i) begin
    if (state_q != S_MUL) begin
      prod_a_q    <= '0;
      prod_b_q    <= '0;
      prod_a_hi_q <= 1'b0;
      prod_b_hi_q <= 1'b0;
    end else begin
      prod_a_q <= sum_a[AW-1:0];
      prod_b_q <= sum_b[BW-1:0];
      if (ovf_a) prod_a_hi_q <= 1'b1;
      if (ovf_b) prod_b_hi_q <= 1'b1;
    end
  end

  assign done_o = (state_q == S_FIN);

  // ---------------------------------------------------------------- the checks (FIN)
  logic [31:0] row_bytes;
  logic [BW+1:0] row_beats, last_beat;
  logic [3:0]  deps;
  logic        undefined;
  logic [3:0]  deps_bad;
  logic        size_zero, align_bad, win_bad, a_gt;
  logic [7:0]  range_err;
  logic [AW+1:0] a_sum;
  logic [15:0] a_base, a_ext;

  // Dependency flags as the TERN_DEP_* set: pop_prev 1, pop_next 2, push_prev 4, push_next 8.
  assign deps     = {tern_push_next(insn), tern_push_prev(insn), tern_pop_next(insn),
                     tern_pop_prev(insn)};
  // The product-A range sum: sram_base + x_size + c*x_size (LOAD), abuf_base + k_chunks +
  // c*abuf_stride (GEMM), against the depth of the buffer.
  assign a_base = is_gemm ? tern_gemm_abuf_base(insn) : tern_load_sram_base(insn);
  assign a_ext  = is_gemm ? tern_gemm_k_chunks(insn) : tern_load_x_size(insn);
  assign a_sum  = (AW + 2)'(a_base[AW-1:0]) + (AW + 2)'(a_ext[AW-1:0]) + (AW + 2)'(prod_a_q);
  assign a_gt   = prod_a_hi_q || (32'(a_base) >> AW) != 0 || (32'(a_ext) >> AW) != 0
               || a_sum > (AW + 2)'((is_gemm || abuf_ld) ? AbufDepth : WbufDepth);

  // Undefined bits per opcode: the word's bits are grouped by the set of opcodes that leave
  // them undefined (one OR per group, each bit in one group), then each opcode ORs its groups.
  function automatic logic [TERN_INSN_BITS-1:0] group_mask(input logic [3:0] g);
    for (int i = 0; i < TERN_INSN_BITS; i++) begin
      group_mask[i] = ({~TERN_END_DEFINED[i], ~TERN_STORE_DEFINED[i], ~TERN_GEMM_DEFINED[i],
                        ~TERN_LOAD_DEFINED[i]} == g);
    end
  endfunction
  logic [15:0] grp;
  logic [3:0]  undef;
  always_comb begin
    undef = '0;
    for (int g = 1; g < 16; g++) begin
      grp[g] = (insn & group_mask(4'(g))) != '0;
      for (int o = 0; o < 4; o++) if (((g >> o) & 1) == 1 && grp[g]) undef[o] = 1'b1;
    end
    grp[0] = 1'b0;
  end

  always_comb begin
    undefined = 1'b0;
    deps_bad  = '0;
    size_zero = 1'b0;
    range_err = TERN_ERR_OK;
    row_bytes = '0;
    if (is_load) begin
      undefined = undef[0];
      deps_bad  = deps & ~TERN_LOAD_DEPS_ALLOWED;
      size_zero = (tern_load_x_size(insn) == '0) || (tern_load_y_size(insn) == '0)
               || (abuf_ld && tern_load_wfmt(insn) != '0);
      if (a_gt) range_err = abuf_ld ? TERN_ERR_ABUF_RANGE : TERN_ERR_WBUF_RANGE;
      if (abuf_ld) row_bytes = mul_const(tern_load_x_size(insn), EntA);
      else if (tern_load_wfmt(insn) != '0) row_bytes = mul_const(tern_load_x_size(insn), EntW3);
      else row_bytes = mul_const(tern_load_x_size(insn), EntW2);
    end else if (is_gemm) begin
      undefined = undef[1];
      deps_bad  = deps & ~TERN_GEMM_DEPS_ALLOWED;
      size_zero = (tern_gemm_k_chunks(insn) == '0) || (tern_gemm_n_tokens(insn) == '0);
      if (sum_gt(tern_gemm_wbuf_base(insn), tern_gemm_k_chunks(insn), WW, 17'(WbufDepth))) begin
        range_err = TERN_ERR_WBUF_RANGE;
      end else if (a_gt) begin
        range_err = TERN_ERR_ABUF_RANGE;
      end else if (sum_gt(tern_gemm_acc_base(insn), tern_gemm_n_tokens(insn), CW,
                          17'(AccDepth))) begin
        range_err = TERN_ERR_ACC_RANGE;
      end
    end else if (is_store) begin
      undefined = undef[2];
      deps_bad  = deps & ~TERN_STORE_DEPS_ALLOWED;
      size_zero = (tern_store_y_size(insn) == '0);
      if (sum_gt(tern_store_acc_base(insn), tern_store_y_size(insn), CW, 17'(AccDepth))) begin
        range_err = TERN_ERR_ACC_RANGE;
      end
    end else if (is_end) begin
      undefined = undef[3];
      deps_bad  = deps & ~TERN_END_DEPS_ALLOWED;
    end
  end

  // Beat numbers: whole beats of one row ceil(row_bytes / BUS_BYTES), the beat after the last
  // one accessed, and the window bounds (see the top: exact once DMA_ALIGN passed).
  assign row_beats = (BW + 2)'((33'(row_bytes) + 33'(BusBytes - 1)) >> LogBus);
  assign last_beat = (BW + 2)'(d_addr[31:LogBus]) + (BW + 2)'(prod_b_q)
                   + (is_store ? (BW + 2)'(StoreBeats) : row_beats);
  assign align_bad = ((d_addr | d_stride) & 32'(BusBytes - 1)) != '0;
  assign win_bad   = ({d_addr[31:LogBus], 1'b0}
                      < {dma_base_i[31:LogBus], dma_base_i[LogBus-1:0] != '0})
                  || prod_b_hi_q || (last_beat > (BW + 2)'(dma_limit_i[31:LogBus]));

  always_comb begin
    err_o = TERN_ERR_OK;
    if (!(is_load || is_gemm || is_store || is_end)) err_o = TERN_ERR_OPCODE;
    else if (deps_bad != '0) err_o = TERN_ERR_DEP_FLAGS;
    else if (undefined || size_zero) err_o = TERN_ERR_FIELD;
    else if (range_err != TERN_ERR_OK) err_o = range_err;
    else if ((is_load || is_store) && align_bad) err_o = TERN_ERR_DMA_ALIGN;
    else if ((is_load || is_store) && win_bad) err_o = TERN_ERR_DMA_WINDOW;
  end
endmodule
