`default_nettype none
// tern_tokens: the four dependency-token counters of docs/isa.md, index 0 l2c (load ->
// compute), 1 c2l (compute -> load), 2 c2s (compute -> store), 3 s2c (store -> compute).
// Each counter has exactly one producer and one consumer unit, so next = q + push - pop
// needs no arbitration. A unit pops only when avail_o (q != 0) is seen, so a counter never
// goes below zero; a push in the same cycle is visible from the next cycle on. Counters are
// 16 bits: the ISA definition promises 65535 outstanding tokens and no more (config doc).
module tern_tokens (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       clear_i,
  input  logic [3:0] push_i,
  input  logic [3:0] pop_i,
  output logic [3:0] avail_o
);
  logic [15:0] cnt_q [4];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < 4; i++) cnt_q[i] <= '0;
    end else if (clear_i) begin
      for (int i = 0; i < 4; i++) cnt_q[i] <= '0;
    end else begin
      // one adder per counter: +1 on a push alone, +0xFFFF (-1) on a pop alone
      for (int i = 0; i < 4; i++) begin
        if (push_i[i] != pop_i[i]) cnt_q[i] <= cnt_q[i] + {{15{pop_i[i]}}, 1'b1};
      end
    end
  end

  always_comb begin
    for (int i = 0; i < 4; i++) avail_o[i] = (cnt_q[i] != '0);
  end
endmodule
