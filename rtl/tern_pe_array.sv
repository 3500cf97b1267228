`default_nettype none
// tern_pe_array: the Rows x Lanes ternary PE array and the per-row int32 accumulators.
// The ABUF entry (Lanes int8 activations) is broadcast to every row, so the candidate
// terms of each lane are formed once per cycle and shared: a 4-entry table per lane,
// indexed by the 2-bit weight code, holding -a (code 0), 0 (code 1), +a (code 2) and 0
// (code 3, reserved). Each PE is then a 4:1 select of that table (the zero entries are the
// gated adder inputs) and each row an adder chain over its Lanes selected terms plus the
// accumulator, which starts from init_i on a token's first K-chunk (zero or the ACC value
// being read-modify-written). No multiplier, no data-dependent branch (which also keeps
// the simulator's code free of unpredictable branches), sums modulo 2^32 as the ISA says.
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
  localparam int unsigned IdxW = $clog2(4 * Lanes);

  logic [31:0] term [4*Lanes];  // term[4l + code]

  always_comb begin
    for (int l = 0; l < Lanes; l++) begin
      term[4*l+0] = -{{24{a_i[8*l+7]}}, a_i[8*l +: 8]};
      term[4*l+1] = '0;
      term[4*l+2] = {{24{a_i[8*l+7]}}, a_i[8*l +: 8]};
      term[4*l+3] = '0;
    end
  end

  function automatic logic [31:0] row_sum(input logic [2*Lanes-1:0] w, input logic flip);
    logic [31:0] s;
    s = '0;
    for (int l = 0; l < Lanes; l++) s = s + term[IdxW'(4 * l) | IdxW'(w[2*l +: 2])];
    // the deliberate bug: lane 0 with weight -1 gets +a (undo -a, add +a)
    if (flip && w[1:0] == 2'd0) s = s + term[2] + term[2];
    row_sum = s;
  endfunction

`ifdef TERN_BUG_FLIP_LANE
  localparam bit FlipRow0 = 1'b1;
`else
  localparam bit FlipRow0 = 1'b0;
`endif

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      for (int r = 0; r < Rows; r++) begin
        acc_o[32*r +: 32] <= (first_i ? init_i[32*r +: 32] : acc_o[32*r +: 32])
                  + row_sum(w_i[2*Lanes*r +: 2*Lanes], FlipRow0 && r == 0);
      end
    end
  end

endmodule
