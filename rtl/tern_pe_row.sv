`default_nettype none
// tern_pe_row: one row of the ternary PE array (tern_pe_array) and its int32 accumulator.
// The row sums its Lanes selected activations in a width-aware adder tree, then adds the
// sum to its 32-bit accumulator (modulo 2^32, as the ISA says). The trick that keeps every
// tree level only one bit wider than the one below: a leaf is the 8-bit value a (weight
// +1), ~a (weight -1) or 0 (weight 0, the gated input) plus a pending carry bit (1 for
// weight -1), since -a = ~a + 1. Every tree node also carries exactly one pending carry:
// an adder adds its two inputs and the left input's carry (as carry-in) and passes the
// right input's carry up. A node over k leaves has then absorbed k - 1 carries, so its
// value lies in [-128k, 127k + k - 1] and fits 8 + ceil(log2 k) bits; the root's carry is
// the accumulator adder's carry-in. Level j (1..Levels) pairs up the values left at level
// j - 1 with adders of 8 + j bits; an odd value passes up unchanged. perf/tern_energy.c
// prices exactly this tree (tern_tree_adder_bits) and tests/rtl/yosys_adders.sh compares
// that count with yosys's $alu cells. No multiplier, no data-dependent branch.
// Flip (the TERN_BUG_FLIP_LANE self-test of the lockstep checker): lane 0 adds +a for -1.
module tern_pe_row #(
  parameter int unsigned Lanes = 32,
  parameter bit Flip = 1'b0
) (
  input  logic               clk_i,
  input  logic               en_i,     // a (token, K-chunk) step reaches the array
  input  logic               first_i,  // first K-chunk of a token
  input  logic               zero_i,   // with first_i: start from 0, not init_i
  input  logic [31:0]        init_i,
  input  logic [2*Lanes-1:0] w_i,
  input  logic [8*Lanes-1:0] a_i,
  output logic [31:0]        acc_o
);
  // values left after `lv` levels of pairing (an odd one passes up)
  function automatic int unsigned nodes_at(input int unsigned lv);
    int unsigned n;
    n = Lanes;
    for (int unsigned j = 0; j < lv; j++) n = (n + 1) / 2;
    nodes_at = n;
  endfunction

  localparam int unsigned Levels = (Lanes > 1) ? $clog2(Lanes) : 0;
  localparam int unsigned TW = 8 + Levels;  // root width

  // level j: nodes_at(j) nodes, each its own value v (8 + j bits, two's complement) and
  // pending carry p: one small signal per node, never a slice of a wide per-level vector.
  // An adder sign-extends its inputs without a sign-extension operator: with M the top bit,
  // sext(x) = zext(x ^ M) - M, and the two -M of a pair make -2M = the new top bit mod 2^W,
  // so v = (zext(a ^ M) + zext(b ^ M) + carry) ^ M'. Verilator cancels a child's ^ M' with
  // the parent's ^ M and is left with plain word additions (the sign-extension operators
  // made the 32x32 model ~1.7x slower); yosys sees one $alu of 8 + j bits per node (the
  // inversions sit between the adders, so alumacc never merges a tree into one $macc).
  for (genvar j = 0; j <= Levels; j++) begin : g_lvl
    localparam int unsigned N = nodes_at(j);
    localparam int unsigned W = 8 + j;
    for (genvar i = 0; i < N; i++) begin : g_n
      logic [W-1:0] v;
      logic         p;
      if (j == 0) begin : g_leaf
        logic [1:0] code;
        logic       flip;  // the deliberate bug: +a for -1
        assign code = w_i[2*i +: 2];
        assign flip = Flip && i == 0;
        // code 0: ~a with a pending carry (-a); code 2: +a; code 1 and the reserved 3
        // (code bit 0 set): 0. One XOR and one AND per bit, no mux chain.
        assign p = (code == 2'd0) && !flip;
        assign v = (a_i[8*i +: 8] ^ {8{p}}) & {8{!code[0]}};
      end else if (2 * i + 1 < nodes_at(j - 1)) begin : g_add
        localparam logic [W-2:0] MI = {1'b1, {(W - 2){1'b0}}};
        localparam logic [W-1:0] MO = {1'b1, {(W - 1){1'b0}}};
        logic [W-2:0] xa, xb;
        assign xa = g_lvl[j-1].g_n[2*i].v ^ MI;
        assign xb = g_lvl[j-1].g_n[2*i+1].v ^ MI;
        assign v  = (W'(xa) + W'(xb) + W'(g_lvl[j-1].g_n[2*i].p)) ^ MO;
        assign p = g_lvl[j-1].g_n[2*i+1].p;
      end else begin : g_pass  // an odd node passes up, sign-extended
        assign v = W'($signed(g_lvl[j-1].g_n[2*i].v));
        assign p = g_lvl[j-1].g_n[2*i].p;
      end
    end
  end
  // the root's carry is the accumulator adder's carry-in
  logic [TW-1:0] root;
  logic          root_c;
  assign root   = g_lvl[Levels].g_n[0].v;
  assign root_c = g_lvl[Levels].g_n[0].p;

  // The start value: the running sum, the ACC value or 0 (GEMM reset). One LUT4 per bit
  // (first, zero, init, acc) in front of the accumulator's adder; the 0 is not a mux on the
  // ACC read data outside the array, which would cost a second LUT per bit.
  logic [31:0] base;
  assign base = first_i ? (init_i & {32{!zero_i}}) : acc_o;
  always_ff @(posedge clk_i) begin
    if (en_i) acc_o <= base + 32'($signed(root)) + 32'(root_c);
  end
endmodule
