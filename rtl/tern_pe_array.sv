`default_nettype none
// tern_pe_array: the Rows x Lanes ternary PE array and the per-row int32 accumulators.
// Each row sums its Lanes selected activations in a width-aware adder tree, then adds the
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
// Row r's code of lane l is WBUF entry code r*Lanes + l; row r's accumulator is bits
// 32r+31..32r of acc_o, the ACC entry and STORE layout (row r at byte 4r).
// TERN_BUG_FLIP_LANE: row 0, lane 0 adds +a for weight -1 (lockstep checker self-test).
module tern_pe_array #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32
) (
  input  logic                    clk_i,
  input  logic                    en_i,     // a (token, K-chunk) step reaches the array
  input  logic                    first_i,  // first K-chunk of a token
  input  logic [32*Rows-1:0]      init_i,
  input  logic [2*Rows*Lanes-1:0] w_i,
  input  logic [8*Lanes-1:0]      a_i,
  output logic [32*Rows-1:0]      acc_o
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

`ifdef TERN_BUG_FLIP_LANE
  localparam bit FlipRow0 = 1'b1;
`else
  localparam bit FlipRow0 = 1'b0;
`endif

  for (genvar r = 0; r < Rows; r++) begin : g_row
    // level j: nodes_at(j) values of 8 + j bits (v) and their pending carries (p); one
    // vector per level so no signal feeds itself (Verilator schedules each level once)
    for (genvar j = 0; j <= Levels; j++) begin : g_lvl
      localparam int unsigned N = nodes_at(j);
      localparam int unsigned W = 8 + j;
      logic [N*W-1:0] v;
      logic [N-1:0]   p;
      if (j == 0) begin : g_leaves
        for (genvar l = 0; l < Lanes; l++) begin : g_leaf
          logic [1:0] code;
          logic [7:0] a, x;
          logic       neg;
          assign code = w_i[2*(Lanes*r+l) +: 2];
          assign a    = a_i[8*l +: 8];
          always_comb begin
            x   = 8'd0;
            neg = 1'b0;
            unique case (code)
              2'd0: begin
                if (FlipRow0 && r == 0 && l == 0) x = a;  // the deliberate bug: +a for -1
                else begin
                  x   = ~a;
                  neg = 1'b1;
                end
              end
              2'd2:    x = a;
              default: x = 8'd0;  // weight 0 (code 1) and the reserved code 3
            endcase
          end
          assign v[8*l +: 8] = x;
          assign p[l]        = neg;
        end
      end else begin : g_nodes
        localparam int unsigned NIn = nodes_at(j - 1);
        for (genvar i = 0; i < N; i++) begin : g_node
          logic [W-2:0] in_a;
          assign in_a = g_lvl[j-1].v[(W-1)*(2*i) +: W-1];
          if (2 * i + 1 < NIn) begin : g_add
            logic [W-2:0] in_b;
            assign in_b = g_lvl[j-1].v[(W-1)*(2*i+1) +: W-1];
            assign v[W*i +: W] = {in_a[W-2], in_a} + {in_b[W-2], in_b}
                               + W'(g_lvl[j-1].p[2*i]);
            assign p[i] = g_lvl[j-1].p[2*i+1];
          end else begin : g_pass
            assign v[W*i +: W] = {in_a[W-2], in_a};
            assign p[i] = g_lvl[j-1].p[2*i];
          end
        end
      end
    end

    logic [TW-1:0] root;
    logic          root_c;
    assign root   = g_lvl[Levels].v;
    assign root_c = g_lvl[Levels].p[0];

    always_ff @(posedge clk_i) begin
      if (en_i) begin
        acc_o[32*r +: 32] <= (first_i ? init_i[32*r +: 32] : acc_o[32*r +: 32])
                           + 32'($signed(root)) + 32'(root_c);
      end
    end
  end
endmodule
