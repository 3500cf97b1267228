`default_nettype none
// tern_pe_array: the Rows x Lanes ternary PE array, one tern_pe_row (adder tree and int32
// accumulator) per row; the rows share the activations and each takes its own weight
// codes. Row r's code of lane l is WBUF entry code r*Lanes + l; row r's accumulator is
// bits 32r+31..32r of acc_o, the ACC entry and STORE layout (row r at byte 4r).
// TERN_BUG_FLIP_LANE: row 0, lane 0 adds +a for weight -1 (lockstep checker self-test).
module tern_pe_array #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32
) (
  input  logic                    clk_i,
  input  logic                    en_i,     // a (token, K-chunk) step reaches the array
  input  logic                    first_i,  // first K-chunk of a token
  input  logic                    zero_i,   // with first_i: start from 0 (GEMM reset)
  input  logic [32*Rows-1:0]      init_i,
  input  logic [2*Rows*Lanes-1:0] w_i,
  input  logic [8*Lanes-1:0]      a_i,
  output logic [32*Rows-1:0]      acc_o
);
`ifdef TERN_BUG_FLIP_LANE
  localparam bit FlipRow0 = 1'b1;
`else
  localparam bit FlipRow0 = 1'b0;
`endif

  for (genvar r = 0; r < Rows; r++) begin : g_row
    tern_pe_row #(.Lanes(Lanes), .Flip(FlipRow0 && r == 0)) u_row (
      .clk_i, .en_i, .first_i, .zero_i, .init_i(init_i[32*r +: 32]),
      .w_i(w_i[2*Lanes*r +: 2*Lanes]), .a_i, .acc_o(acc_o[32*r +: 32])
    );
  end
endmodule
