`default_nettype none
// tern_perf: the event counters of docs/isa.md, kept in one small RAM (block RAM on an FPGA)
// instead of NumCnt x CntW flip-flops with an adder and a read mux each. Units report
// events as per-cycle increments (inc_i, 16 bits per counter, index i at bits 16i+15..16i)
// that are added while a run is active (en_i); START (clear_i) zeroes every counter.
// How the RAM keeps up with NumCnt counters that may all count every cycle: each counter
// has a narrow pending register (pend) that sums its increments, and one read-modify-write
// pipeline folds one pending value per cycle into the RAM, counters in turn (slot pointer).
// A host read of counter i is a fold of slot i: it takes that cycle's slot, and the sum the
// pipeline writes back is the counter's value as of that cycle (rd_data_o, one cycle after
// rd_i), so a read is exact at any time, running or not. The pointer only stalls on a read
// cycle and the CSR side reads at most every other cycle, so a counter is folded at least
// every 2*NumCnt cycles; its pending register holds that many of its largest increment
// (IncMax, per counter: tern_top knows what each event can add in one cycle) and cannot
// overflow. clear_i cannot zero a RAM at once: it marks every slot stale (read as 0 by the
// next fold of that slot) and empties the pending registers. Two
// folds of one slot in a row (pointer, then a host read) take the value being written by
// the first through an explicit bypass, so the RAM needs no read-during-write behaviour.
// Counters are CntW bits (64, the ISA's width, by default; a small FPGA may count in fewer
// and wrap at 2^CntW): they read zero above bit CntW-1.
module tern_perf #(
  parameter int unsigned NumCnt = 25,
  parameter int unsigned CntW = 64,
  // the largest increment of counter i in one cycle, at bits 32i+31..32i
  parameter logic [32*NumCnt-1:0] IncMax = {NumCnt{32'd65535}}
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clear_i,
  input  logic                 en_i,
  input  logic [16*NumCnt-1:0] inc_i,
  input  logic                 rd_i,       // read counter rd_idx_i (not two cycles in a row)
  input  logic [4:0]           rd_idx_i,
  output logic [63:0]          rd_data_o   // its value, the cycle after rd_i
);
  if (CntW < 17 || CntW > 64) begin : g_bad_width
    $error("tern_perf: CounterBits must be 17..64");
  end
  if (NumCnt > 32) begin : g_bad_count
    $error("tern_perf: at most 32 counters (5-bit read index)");
  end

  // cycles between two folds of one counter, at most (see above; +2 for the pipeline)
  localparam int unsigned Interval = 2 * NumCnt + 2;
  localparam int unsigned PendMax = 16 + $clog2(Interval + 1);  // widest pending register
  localparam int unsigned SlotW = (NumCnt > 1) ? $clog2(NumCnt) : 1;
  localparam logic [SlotW-1:0] LastSlot = SlotW'(NumCnt - 1);

  logic [SlotW-1:0]   ptr_q, slot;
  logic [NumCnt-1:0]  stale_q;
  logic [PendMax-1:0] pend_ext [NumCnt];  // pending values, zero-extended (mux inputs)
  logic [PendMax-1:0] take_val;

  assign slot     = rd_i ? SlotW'(rd_idx_i) : ptr_q;
  assign take_val = pend_ext[slot];

  // pending registers: each its own width; the slot being folded restarts from this cycle's
  // increment, the others add it
  for (genvar i = 0; i < NumCnt; i++) begin : g_pend
    localparam int unsigned IM = IncMax[32*i +: 32];
    localparam int unsigned PW = (IM == 0) ? 1 : $clog2(Interval * IM + 1);
    logic [PW-1:0] pend_q, add;
    assign add         = en_i ? PW'(inc_i[16*i +: 16]) : '0;
    assign pend_ext[i] = PendMax'(pend_q);
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) pend_q <= '0;
      else if (clear_i) pend_q <= '0;
      else if (slot == SlotW'(i)) pend_q <= add;
      else pend_q <= pend_q + add;
    end
  end
  // fold pipeline, one fold every cycle: stage A (this cycle) reads the RAM at slot and
  // takes its pending value; stage B (next cycle) adds them and writes the sum back. A fold
  // in the cycle of clear_i still returns the old value to a read of that cycle (as flip-flop
  // counters would) and writes it back into a slot clear_i has just marked stale.
  (* no_rw_check *) logic [CntW-1:0] mem_q [NumCnt];
  logic               b_v_q, b_stale_q, byp_q;
  logic [SlotW-1:0]   b_slot_q;
  logic [PendMax-1:0] b_add_q;
  logic [CntW-1:0]    rdata_q, byp_val_q, sum;

  assign sum = (b_stale_q ? '0 : (byp_q ? byp_val_q : rdata_q)) + CntW'(b_add_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ptr_q     <= '0;
      stale_q   <= '1;
      b_v_q     <= 1'b0;
      b_stale_q <= 1'b1;
      b_slot_q  <= '0;
      b_add_q   <= '0;
      byp_q     <= 1'b0;
      byp_val_q <= '0;
    end else begin
      if (!rd_i) ptr_q <= (ptr_q == LastSlot) ? '0 : ptr_q + 1'b1;
      b_v_q     <= 1'b1;
      b_slot_q  <= slot;
      b_add_q   <= take_val;
      b_stale_q <= stale_q[slot];
      byp_q     <= b_v_q && (b_slot_q == slot);
      byp_val_q <= sum;
      if (clear_i) stale_q <= '1;
      else stale_q[slot] <= 1'b0;
    end
  end

  // the RAM: one read port (stage A), one write port (stage B); no reset (stale covers it)
  always_ff @(posedge clk_i) begin
    rdata_q <= mem_q[slot];
    if (b_v_q) mem_q[b_slot_q] <= sum;
  end

  assign rd_data_o = 64'(sum);
endmodule
