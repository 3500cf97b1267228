`default_nettype none
// tern_perf: the 64-bit event counters of docs/isa.md, index i at bits 64i+63..64i. Each
// unit reports its events as per-cycle increments (inc_i, 16 bits per counter, index i at
// bits 16i+15..16i); the counters add them while a run is active and hold their values
// afterwards so the host can read them; START clears them. Which event drives which
// counter, and the rule that the "in ref model" counters are functions of the program
// alone, is the business of the units and tern_top; this block only counts. The counters
// are CntW bits (64 by default, the ISA's width); a smaller CntW saves a LUT and a
// flip-flop per bit and counter on a small FPGA, the counters then wrap at 2^CntW and
// read zero above it. Every counter bit costs the same (a carry-chain cell), so 1-bit
// event counters are not cheaper than the 16-bit-increment ones.
module tern_perf #(
  parameter int unsigned NumCnt = 25,
  parameter int unsigned CntW = 64
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clear_i,
  input  logic                 en_i,
  input  logic [16*NumCnt-1:0] inc_i,
  output logic [64*NumCnt-1:0] cnt_o
);
  if (CntW < 17 || CntW > 64) begin : g_bad_width
    $error("tern_perf: CounterBits must be 17..64");
  end

  logic [CntW-1:0] cnt_q [NumCnt];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < NumCnt; i++) cnt_q[i] <= '0;
    end else if (clear_i) begin
      for (int i = 0; i < NumCnt; i++) cnt_q[i] <= '0;
    end else if (en_i) begin
      for (int i = 0; i < NumCnt; i++) cnt_q[i] <= cnt_q[i] + CntW'(inc_i[16*i +: 16]);
    end
  end

  always_comb begin
    for (int i = 0; i < NumCnt; i++) cnt_o[64*i +: 64] = 64'(cnt_q[i]);
  end
endmodule
