`default_nettype none
// tern_gearbox: turns the beats of a LOAD into buffer writes, with no assembly register and no
// variable-offset shift. It relies on the DRAM layout of the definition (entry_layout): an
// entry's stride P = pad(E) is either whole beats (P >= BusBytes) or a power of two that
// divides a beat, and every row starts on a beat. So with P >= BusBytes beat k of an entry is
// slice k of it, written straight into the buffer under that slice's column write enables
// (bytes for ABUF and 2-bit WBUF; fixed-position base-3 decoders, as many as the entry can
// use, turn a beat into 5*BusBytes codes for base-3); with P < BusBytes a beat holds
// BusBytes/P entries, written one per cycle from the held beat at the constant offsets j*P,
// j from a counter (an AND-OR select, not a shifter). The pad(E) - E bytes after an entry
// decode past the entry's last code or byte and are cut off, so padding is ignored as the
// ISA says.
// The WBUF's columns are 2*BusBytes bits (the common divisor of a 2-bit slice, 8*BusBytes
// bits, and a base-3 slice, 10*BusBytes bits) when 2-bit entries span beats, else the whole
// entry; the ABUF's are a beat (8*BusBytes bits) or the whole entry. The caller builds its
// buffers with the same column widths (WColW, AColW).
// Timing is that of the former assembling gearbox on this layout, so the fast model did not
// change: a beat is taken into hold_q, then each cycle it is held makes one step (one slice,
// or one entry of a shared beat); the step writes the buffer at once, and the entry-written
// event (ent_wr_o, the WBUF_WR/ABUF_WR counters) and done_o follow one cycle after the step
// that completes an entry, where the old register wrote it.
// Area (iCE40 8x8, docs/fpga.md): when base-3 entries span beats, the beat is decoded on its
// way into the register (hold_q then keeps 10 bits per byte for it, raw bytes otherwise), so
// the buffers' data is hold_q itself where the 2-bit and base-3 layouts put the same register
// bit: the format choice is one LUT in front of each flip-flop (same logic cell) instead of a
// mux after it. Counters are as wide as their largest value: the step counter as the largest
// last_cnt, the entry counters as MaxEntries (the larger buffer: fetch's checks reject a LOAD
// with sram_base + x_size*y_size past its buffer, so x_size, y_size <= MaxEntries).
module tern_gearbox #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned BusBytes = 32,
  parameter int unsigned WColW = 64,    // WBUF write-enable column bits (see above)
  parameter int unsigned AColW = 256,   // ABUF write-enable column bits
  parameter int unsigned MaxEntries = 65535,  // entries of the larger buffer (counter widths)
  localparam int unsigned WW = 2 * Rows * Lanes,
  localparam int unsigned AW = 8 * Lanes,
  localparam int unsigned WCols = (WW + WColW - 1) / WColW,
  localparam int unsigned ACols = (AW + AColW - 1) / AColW,
  localparam int unsigned EW = $clog2(MaxEntries + 1),  // x_size, y_size <= MaxEntries
  localparam int unsigned AdW = $clog2(MaxEntries)      // buffer addresses < MaxEntries
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,     // configure for one LOAD
  input  logic                  abort_i,
  input  logic                  abuf_i,      // ABUF (else WBUF)
  input  logic                  base3_i,     // base-3 WBUF bytes
  input  logic [EW-1:0]         x_size_i,
  input  logic [EW-1:0]         y_size_i,
  input  logic [AdW-1:0]        sram_base_i,
  input  logic                  beat_valid_i,
  input  logic [BusBytes*8-1:0] beat_i,
  output logic                  beat_ready_o,
  output logic [WCols-1:0]      wbuf_we_o,   // column write enables, this cycle
  output logic [ACols-1:0]      abuf_we_o,
  output logic [15:0]           wr_addr_o,
  output logic [WW-1:0]         wbuf_wdata_o,
  output logic [AW-1:0]         abuf_wdata_o,
  output logic                  ent_wr_o,    // an entry was completed (the cycle after)
  output logic                  done_o,      // the last entry's event is this cycle
  output logic                  starved_o    // active, waiting for a beat
);
  `include "tern_isa.svh"

  localparam int unsigned BB = BusBytes;
  localparam int unsigned UA = tern_entry_used(Rows, Lanes, 1'b1, 1'b0);
  localparam int unsigned U2 = tern_entry_used(Rows, Lanes, 1'b0, 1'b0);
  localparam int unsigned U3 = tern_entry_used(Rows, Lanes, 1'b0, 1'b1);
  localparam int unsigned PA = tern_entry_stride(UA, BB);
  localparam int unsigned P2 = tern_entry_stride(U2, BB);
  localparam int unsigned P3 = tern_entry_stride(U3, BB);
  localparam bit WholeA = PA >= BB;
  localparam bit Whole2 = P2 >= BB;
  localparam bit Whole3 = P3 >= BB;
  // last value of the step counter: beats per entry - 1, or entries per beat - 1
  localparam int unsigned LastAI = WholeA ? PA / BB - 1 : BB / PA - 1;
  localparam int unsigned Last2I = Whole2 ? P2 / BB - 1 : BB / P2 - 1;
  localparam int unsigned Last3I = Whole3 ? P3 / BB - 1 : BB / P3 - 1;
  localparam int unsigned LastMax = (LastAI > Last2I)
                                    ? ((LastAI > Last3I) ? LastAI : Last3I)
                                    : ((Last2I > Last3I) ? Last2I : Last3I);
  localparam int unsigned CntW = (LastMax > 0) ? $clog2(LastMax + 1) : 1;
  localparam logic [CntW-1:0] LastA = CntW'(LastAI);
  localparam logic [CntW-1:0] Last2 = CntW'(Last2I);
  localparam logic [CntW-1:0] Last3 = CntW'(Last3I);
  // the held beat: 10 bits per byte of the first DecW / 10 bytes decoded if base-3 entries
  // span beats (only the first WW bits of a decoded beat reach the buffer), else raw bytes
  localparam int unsigned DecW = Whole3 ? ((WW < 10 * BB) ? WW : 10 * BB) : 0;
  localparam int unsigned NDec = (DecW + 9) / 10;
  localparam int unsigned HW = (DecW > 8 * BB) ? DecW : 8 * BB;

  if (WColW != (Whole2 ? 2 * BB : WW)) begin : g_bad_wcol
    $error("tern_gearbox: WColW: 2*BusBytes if 2-bit entries span beats, else 2*Rows*Lanes");
  end
  if (AColW != (WholeA ? 8 * BB : AW)) begin : g_bad_acol
    $error("tern_gearbox: AColW must be 8*BusBytes when ABUF entries span beats, else 8*Lanes");
  end

  logic                  active_q, beat_v_q, abuf_q, base3_q;
  logic [HW-1:0]         hold_d, hold_q;
  logic [CntW-1:0]       cnt_q;     // slice of the entry, or entry of the beat
  logic [EW-1:0]         x_size_q, x_left_q, y_left_q;
  logic [AdW-1:0]        addr_q;
  logic                  wr_v_q, wr_last_q;

  // This cycle's step (only meaningful while a beat is held).
  logic        whole, step, complete, last_in_row, beat_done, wrap;
  logic [CntW-1:0] last_cnt;
  always_comb begin
    whole = abuf_q ? WholeA : (base3_q ? Whole3 : Whole2);
    last_cnt = abuf_q ? LastA : (base3_q ? Last3 : Last2);
  end
  assign step        = active_q && beat_v_q;
  assign last_in_row = (x_left_q == EW'(1));
  assign complete    = !whole || (cnt_q == last_cnt);
  assign beat_done   = whole || last_in_row || (cnt_q == last_cnt);
  assign wrap        = whole ? complete : beat_done;

  assign beat_ready_o = active_q && (!beat_v_q || beat_done);
  assign starved_o    = active_q && !beat_v_q;
  assign wr_addr_o    = 16'(addr_q);
  assign ent_wr_o     = wr_v_q;
  assign done_o       = wr_v_q && wr_last_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q  <= 1'b0;
      beat_v_q  <= 1'b0;
      abuf_q    <= 1'b0;
      base3_q   <= 1'b0;
      cnt_q     <= '0;
      x_size_q  <= '0;
      x_left_q  <= '0;
      y_left_q  <= '0;
      addr_q    <= '0;
      wr_v_q    <= 1'b0;
      wr_last_q <= 1'b0;
    end else begin
      wr_v_q <= 1'b0;
      if (abort_i) begin
        active_q <= 1'b0;
        beat_v_q <= 1'b0;
      end else if (start_i) begin
        active_q <= 1'b1;
        beat_v_q <= 1'b0;
        abuf_q   <= abuf_i;
        base3_q  <= base3_i && !abuf_i;
        cnt_q    <= '0;
        x_size_q <= x_size_i;
        x_left_q <= x_size_i;
        y_left_q <= y_size_i;
        addr_q   <= sram_base_i;
      end else if (active_q) begin
        if (step) begin
          cnt_q <= wrap ? '0 : cnt_q + 1'b1;
          if (complete) begin
            wr_v_q    <= 1'b1;
            wr_last_q <= last_in_row && (y_left_q == EW'(1));
            addr_q    <= addr_q + 1'b1;
            if (last_in_row) begin
              x_left_q <= x_size_q;
              y_left_q <= y_left_q - 1'b1;
              if (y_left_q == EW'(1)) active_q <= 1'b0;
            end else begin
              x_left_q <= x_left_q - 1'b1;
            end
          end
        end
        if (beat_valid_i && beat_ready_o) begin
          beat_v_q <= 1'b1;
        end else if (beat_v_q && beat_done) begin
          beat_v_q <= 1'b0;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (beat_valid_i && beat_ready_o) hold_q <= hold_d;
  end

  // ---------------------------------------------------------------- the beat taken in
  if (DecW > 0) begin : g_in3
    // base-3 entries span beats: every byte the buffer can see decoded at its fixed position
    /* verilator lint_off UNUSEDSIGNAL */  // the last decoder's codes past WW
    logic [10*NDec-1:0] dec;
    /* verilator lint_on UNUSEDSIGNAL */
    for (genvar b = 0; b < NDec; b++) begin : g_dec
      tern_base3_decode u_dec (.byte_i(beat_i[8*b +: 8]), .codes_o(dec[10*b +: 10]));
    end
    for (genvar i = 0; i < HW; i++) begin : g_bit
      if (i >= 8 * BB) begin : g_d    // only a base-3 load reads these
        assign hold_d[i] = dec[i];
      end else if (i < DecW) begin : g_m
        assign hold_d[i] = base3_q ? dec[i] : beat_i[i];
      end else begin : g_r
        assign hold_d[i] = beat_i[i];
      end
    end
  end else begin : g_in
    assign hold_d = beat_i;
  end

  // ---------------------------------------------------------------- ABUF data and enables
  logic [AW-1:0] da;
  if (WholeA) begin : g_a_whole
    // column c is slice c: the beat, at every column (the last one cut to the entry)
    for (genvar c = 0; c < ACols; c++) begin : g_col
      localparam int unsigned Wd = (c == ACols - 1) ? AW - c * AColW : AColW;
      assign da[c * AColW +: Wd] = hold_q[0 +: Wd];
      assign abuf_we_o[c] = step && abuf_q && (cnt_q == CntW'(c));
    end
  end else begin : g_a_sub
    always_comb begin
      da = '0;
      for (int j = 0; j < BB / PA; j++) begin
        if (cnt_q == CntW'(j)) da = hold_q[j * 8 * PA +: AW];
      end
    end
    assign abuf_we_o = {ACols{step && abuf_q}};
  end
  assign abuf_wdata_o = da;

  // ---------------------------------------------------------------- WBUF, 2-bit codes
  logic [WW-1:0] d2, d3;
  if (Whole2) begin : g_w2_whole
    // entry bit i of slice k is beat bit i mod 8*BusBytes: the beat repeated
    for (genvar i = 0; i < WW; i += 8 * BB) begin : g_rep
      localparam int unsigned Wd = (WW - i < 8 * BB) ? WW - i : 8 * BB;
      assign d2[i +: Wd] = hold_q[0 +: Wd];
    end
  end else begin : g_w2_sub
    always_comb begin
      d2 = '0;
      for (int j = 0; j < BB / P2; j++) begin
        if (cnt_q == CntW'(j)) d2 = hold_q[j * 8 * P2 +: WW];
      end
    end
  end

  // ---------------------------------------------------------------- WBUF, base-3 bytes
  if (Whole3) begin : g_w3_whole
    // the beat was decoded on its way in (g_in3): its codes repeated per 10*BusBytes bits
    for (genvar i = 0; i < WW; i += 10 * BB) begin : g_rep
      localparam int unsigned Wd = (WW - i < 10 * BB) ? WW - i : 10 * BB;
      assign d3[i +: Wd] = hold_q[0 +: Wd];
    end
  end else begin : g_w3_sub
    // the counter picks the entry's U3 bytes, then U3 decoders
    logic [8*U3-1:0]  sel;
    /* verilator lint_off UNUSEDSIGNAL */  // digits past the entry's last code
    logic [10*U3-1:0] dec;
    /* verilator lint_on UNUSEDSIGNAL */
    always_comb begin
      sel = '0;
      for (int j = 0; j < BB / P3; j++) begin
        if (cnt_q == CntW'(j)) sel = hold_q[j * 8 * P3 +: 8 * U3];
      end
    end
    for (genvar b = 0; b < U3; b++) begin : g_dec
      tern_base3_decode u_dec (.byte_i(sel[8*b +: 8]), .codes_o(dec[10*b +: 10]));
    end
    assign d3 = dec[0 +: WW];
  end
  assign wbuf_wdata_o = base3_q ? d3 : d2;

  // Column c holds entry bits [c*WColW, ...): in slice c*WColW / (8*BusBytes) of a 2-bit
  // entry (c/4) and c*WColW / (10*BusBytes) of a base-3 one (c/5); a format whose entries
  // share beats writes every column at once.
  for (genvar c = 0; c < WCols; c++) begin : g_wcol
    localparam int unsigned S2 = c * WColW / (8 * BB);
    localparam int unsigned S3 = c * WColW / (10 * BB);
    logic hit;
    always_comb begin
      if (base3_q) hit = !Whole3 || (cnt_q == CntW'(S3));
      else hit = !Whole2 || (cnt_q == CntW'(S2));
    end
    assign wbuf_we_o[c] = step && !abuf_q && hit;
  end
endmodule
