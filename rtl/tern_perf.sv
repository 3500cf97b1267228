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
// every 2*NumPhys cycles; its pending register holds that many of its largest increment
// (IncMax, per counter: tern_top knows what each event can add in one cycle) and cannot
// overflow. Two things keep the pending registers few and narrow, both stated by tern_top:
// counters that count the very same events (Same) share one RAM word, so NumPhys (the RAM
// words) is below NumCnt; an event worth a power of two (a bus beat of BusBytes bytes) is
// reported as 1 and shifted into place by the fold (IncShift). clear_i cannot zero a RAM
// at once: it marks every slot stale (read as 0 by the next fold of that slot) and empties
// the pending registers. Two folds of one slot in a row (pointer, then a host read) take
// the value being written by the first through an explicit bypass, so the RAM needs no
// read-during-write behaviour.
// The pending registers have no asynchronous reset: an iCE40 flip-flop has one set/reset
// pin, and with rst_ni on it clear_i (with the restart of a pending register) costs a LUT4
// per bit; a synchronous clear takes the pin instead (about 120 LUT4 fewer at 8x8). Reset
// clears them through init_q, set by rst_ni and for the first cycle after it, when no run
// is active yet (every top holds rst_ni for clock cycles).
// Counters are CntW bits (64, the ISA's width, by default; a small FPGA may count in fewer
// and wrap at 2^CntW): they read zero above bit CntW-1.
module tern_perf #(
  parameter int unsigned NumCnt = 25,
  parameter int unsigned CntW = 64,
  // the largest increment of counter i in one cycle, at bits 32i+31..32i
  parameter logic [32*NumCnt-1:0] IncMax = {NumCnt{32'd65535}},
  // counter i adds inc << IncShift[8i+7:8i]: an event worth a power of two (a beat of
  // BusBytes bytes) is counted as 1 in its pending register, which is then narrower
  parameter logic [8*NumCnt-1:0] IncShift = '0,
  // Same[8i+7:8i] = j (j a counter of its own): counter i counts exactly the events of
  // counter j, so it has no pending register and no RAM word of its own and a read of it
  // reads j (its inc_i is ignored); 255: a counter of its own
  parameter logic [8*NumCnt-1:0] Same = {NumCnt{8'hff}}
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clear_i,
  input  logic                 en_i,
  /* verilator lint_off UNUSEDSIGNAL */  // a copy's increments (Same) are not read
  input  logic [16*NumCnt-1:0] inc_i,
  /* verilator lint_on UNUSEDSIGNAL */
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

  // Counters with a RAM word (own; the others are copies, see Same) are numbered in order:
  // Phys[8i+7:8i] is counter i's word (a copy's is its source's), NumPhys how many.
  function automatic logic [8*NumCnt-1:0] phys_tab();
    logic [8*NumCnt-1:0] t;
    logic [7:0] n;
    n = '0;
    for (int k = 0; k < NumCnt; k++) begin
      if (Same[8*k +: 8] == 8'hff) begin
        t[8*k +: 8] = n;
        n = n + 8'd1;
      end
    end
    for (int k = 0; k < NumCnt; k++) begin
      if (Same[8*k +: 8] != 8'hff) t[8*k +: 8] = t[8*Same[8*k +: 8] +: 8];
    end
    phys_tab = t;
  endfunction
  function automatic int num_phys();
    num_phys = 0;
    for (int k = 0; k < NumCnt; k++) if (Same[8*k +: 8] == 8'hff) num_phys = num_phys + 1;
  endfunction
  localparam logic [8*NumCnt-1:0] Phys = phys_tab();
  localparam int unsigned NumPhys = num_phys();
  // cycles between two folds of one counter, at most (see above; +2 for the pipeline)
  localparam int unsigned Interval = 2 * NumPhys + 2;
  // pending register width of counter i: Interval of its largest increments
  function automatic int pend_w(input int i);
    pend_w = (IncMax[32*i +: 32] == 0) ? 1 : $clog2(Interval * IncMax[32*i +: 32] + 1);
  endfunction
  // widest pending value, as added (shifted by IncShift)
  function automatic int pend_max();
    pend_max = 1;
    for (int k = 0; k < NumCnt; k++) begin
      if (Same[8*k +: 8] == 8'hff && pend_w(k) + 32'(IncShift[8*k +: 8]) > pend_max) begin
        pend_max = pend_w(k) + 32'(IncShift[8*k +: 8]);
      end
    end
  endfunction
  localparam int unsigned PendMax = pend_max();
  localparam int unsigned SlotW = (NumPhys > 1) ? $clog2(NumPhys) : 1;
  localparam logic [SlotW-1:0] LastSlot = SlotW'(NumPhys - 1);

  logic [SlotW-1:0]   ptr_q, slot, rd_slot;
  logic [NumPhys-1:0] stale_q;
  logic [PendMax-1:0] pend_ext [NumPhys];  // pending values as added (mux inputs)
  logic [PendMax-1:0] take_val;

  // a host read folds the word of the counter it asks for
  always_comb begin
    rd_slot = '0;
    for (int k = 0; k < NumCnt; k++) begin
      if (rd_idx_i == 5'(k)) rd_slot = SlotW'(Phys[8*k +: 8]);
    end
  end
  assign slot     = rd_i ? rd_slot : ptr_q;
  assign take_val = pend_ext[slot];

  logic init_q;  // in reset or its first cycle after: clears the pending registers
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) init_q <= 1'b1;
    else init_q <= 1'b0;
  end

  // pending registers: each its own width; the slot being folded restarts from this cycle's
  // increment, the others add it
  for (genvar i = 0; i < NumCnt; i++) begin : g_pend
    if (Same[8*i +: 8] == 8'hff) begin : g_own
      localparam int unsigned PW = pend_w(i);
      localparam logic [SlotW-1:0] P = SlotW'(Phys[8*i +: 8]);
      logic [PW-1:0] pend_q, add;
      assign add         = en_i ? PW'(inc_i[16*i +: 16]) : '0;
      assign pend_ext[P] = PendMax'(pend_q) << IncShift[8*i +: 8];
      always_ff @(posedge clk_i) begin
        if (init_q || clear_i) pend_q <= '0;
        else if (slot == P) pend_q <= add;
        else pend_q <= pend_q + add;
      end
    end
  end
  // fold pipeline, one fold every cycle: stage A (this cycle) reads the RAM at slot and
  // takes its pending value; stage B (next cycle) adds them and writes the sum back. A fold
  // in the cycle of clear_i still returns the old value to a read of that cycle (as flip-flop
  // counters would) and writes it back into a slot clear_i has just marked stale.
  (* no_rw_check *) logic [CntW-1:0] mem_q [NumPhys];
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
