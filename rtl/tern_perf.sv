`default_nettype none
// tern_perf: the 64-bit event counters of docs/isa.md, index i at bits 64i+63..64i. Each
// unit reports its events as per-cycle increments (inc_i, 16 bits per counter, index i at
// bits 16i+15..16i); the counters add them while a run is active and hold their values
// afterwards so the host can read them; START clears them. Which event drives which
// counter, and the rule that the "in ref model" counters are functions of the program
// alone, is the business of the units and tern_top; this block only counts.
module tern_perf #(
  parameter int unsigned NumCnt = 25
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clear_i,
  input  logic                 en_i,
  input  logic [16*NumCnt-1:0] inc_i,
  output logic [64*NumCnt-1:0] cnt_o
);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_o <= '0;
    end else if (clear_i) begin
      cnt_o <= '0;
    end else if (en_i) begin
      for (int i = 0; i < NumCnt; i++) begin
        cnt_o[64*i +: 64] <= cnt_o[64*i +: 64] + {48'd0, inc_i[16*i +: 16]};
      end
    end
  end
endmodule
