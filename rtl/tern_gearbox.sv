`default_nettype none
// tern_gearbox: turns the beats of a LOAD into buffer entries of E bytes, E smaller or
// larger than a beat and not necessarily a power of two (base-3 WBUF entries). Every row
// starts on a beat boundary (dram_addr and dram_stride are beat-aligned), so the gearbox
// only needs to know where it is inside the current beat (off) and the current entry
// (fill): each cycle it copies n = min(E - fill, BusBytes - off) bytes from the held beat
// into the entry being assembled. An entry that fills is written to its buffer the next
// cycle; the rest of a row's last beat (padding up to the beat) is dropped. Entries are
// assembled alternately in two banks of one register, so the bank being written out is
// stable while the next entry fills the other: one entry per cycle when E <= BusBytes,
// one beat per cycle when E >= BusBytes. Base-3 bytes are decoded on the way and stored
// as 10-bit slots (5 codes), so both formats land in the same code layout.
// No variable-offset write (the barrel shifters that made this block half of tern_top):
// beat byte off+t goes to entry byte fill+t, so with s = (off - fill) mod BusBytes, fixed
// for a whole entry, the beat rotated by s bytes (one BusBytes-wide rotator) holds entry
// byte i in lane i mod BusBytes. The entry is kept as BusBytes-byte chunks; the cycle's
// bytes [fill, fill+n) cover at most two consecutive chunks, so each chunk takes the
// rotated beat (or its decoded slots) at its fixed position under a lane mask. The base-3
// decoders sit after the rotator, one per lane.
// Work is done only inside always_ff under the beat-valid enable (simulation speed).
module tern_gearbox #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned BusBytes = 32,
  localparam int unsigned AsmW = (2 * Rows * Lanes > 10 * ((Rows * Lanes + 4) / 5))
                                 ? 2 * Rows * Lanes : 10 * ((Rows * Lanes + 4) / 5)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,     // configure for one LOAD
  input  logic                  abort_i,
  input  logic                  base3_i,     // base-3 WBUF bytes
  input  logic [11:0]           ent_bytes_i, // E (bytes per entry in DRAM)
  input  logic [15:0]           x_size_i,
  input  logic [15:0]           y_size_i,
  input  logic [15:0]           sram_base_i,
  input  logic                  beat_valid_i,
  input  logic [BusBytes*8-1:0] beat_i,
  output logic                  beat_ready_o,
  output logic                  wr_valid_o,
  output logic [15:0]           wr_addr_o,
  output logic [AsmW-1:0]       wr_data_o,
  output logic                  done_o,      // the last entry is written this cycle
  output logic                  starved_o    // active, waiting for a beat
);
  localparam int unsigned OffW = $clog2(BusBytes + 1);
  localparam logic [OffW-1:0] Bus = OffW'(BusBytes);
  localparam int unsigned LogBus = $clog2(BusBytes);
  localparam int unsigned BW8 = 8 * BusBytes;    // a chunk of bytes
  localparam int unsigned BW10 = 10 * BusBytes;  // a chunk of base-3 slots
  localparam int unsigned NC8 = (AsmW + BW8 - 1) / BW8;    // chunks per bank, bytes
  localparam int unsigned NC10 = (AsmW + BW10 - 1) / BW10; // chunks per bank, slots
  localparam int unsigned PadW = (NC8 * BW8 > NC10 * BW10) ? NC8 * BW8 : NC10 * BW10;

  logic                  active_q, beat_v_q, bank_q, base3_q;
  logic [BusBytes*8-1:0] beat_q;
  logic [OffW-1:0]       off_q;
  logic [11:0]           fill_q, ent_q;
  logic [15:0]           x_size_q, x_left_q, y_left_q, addr_q;
  logic [2*PadW-1:0]     asm_q;   // bank b at bits b*PadW.., entry bits AsmW-1..0 of it
  logic                  wr_v_q, wr_bank_q, wr_last_q;
  logic [15:0]           wr_addr_q;

  // the held beat rotated right by s bytes, and its lanes decoded
  logic [LogBus-1:0]     rot;
  logic [BW8-1:0]        rbeat;
  logic [BW10-1:0]       dec;
  assign rot = LogBus'(off_q) - LogBus'(fill_q);
  always_comb begin
    rbeat = beat_q;
    for (int k = 0; k < LogBus; k++) begin
      if (rot[k]) rbeat = BW8'({rbeat, rbeat} >> (8 << k));
    end
  end
  for (genvar b = 0; b < BusBytes; b++) begin : g_dec
    tern_base3_decode u_dec (.byte_i(rbeat[8*b +: 8]), .codes_o(dec[10*b +: 10]));
  end

  // This cycle's step.
  logic [11:0]     room, avail, n, last;
  logic            complete, last_in_row, beat_done, two;
  logic [11:0]     c_lo;                  // chunk of entry byte fill
  logic [BusBytes-1:0] m_lo, m_hi;        // lanes written in chunk c_lo, c_lo + 1
  assign room        = ent_q - fill_q;
  assign avail       = 12'(Bus) - 12'(off_q);
  assign n           = (room < avail) ? room : avail;
  assign complete    = (room <= avail);
  assign last_in_row = (x_left_q == 16'd1);
  assign beat_done   = !complete || last_in_row || (n == avail);
  assign last        = fill_q + n - 12'd1;  // last entry byte written (n >= 1)
  assign c_lo        = fill_q >> LogBus;
  assign two         = (last >> LogBus) != c_lo;
  always_comb begin
    for (int j = 0; j < BusBytes; j++) begin
      m_lo[j] = (LogBus'(j) >= LogBus'(fill_q)) && (two || LogBus'(j) <= LogBus'(last));
      m_hi[j] = two && (LogBus'(j) <= LogBus'(last));
    end
  end
  assign beat_ready_o = active_q && (!beat_v_q || beat_done);
  assign starved_o    = active_q && !beat_v_q;
  assign wr_valid_o   = wr_v_q;
  assign wr_addr_o    = wr_addr_q;
  assign wr_data_o    = wr_bank_q ? asm_q[PadW +: AsmW] : asm_q[0 +: AsmW];
  assign done_o       = wr_v_q && wr_last_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q  <= 1'b0;
      beat_v_q  <= 1'b0;
      bank_q    <= 1'b0;
      base3_q   <= 1'b0;
      off_q     <= '0;
      fill_q    <= '0;
      ent_q     <= '0;
      x_size_q  <= '0;
      x_left_q  <= '0;
      y_left_q  <= '0;
      addr_q    <= '0;
      wr_v_q    <= 1'b0;
      wr_bank_q <= 1'b0;
      wr_last_q <= 1'b0;
      wr_addr_q <= '0;
    end else begin
      wr_v_q <= 1'b0;
      if (abort_i) begin
        active_q <= 1'b0;
        beat_v_q <= 1'b0;
      end else if (start_i) begin
        active_q <= 1'b1;
        beat_v_q <= 1'b0;
        bank_q   <= 1'b0;
        base3_q  <= base3_i;
        off_q    <= '0;
        fill_q   <= '0;
        ent_q    <= ent_bytes_i;
        x_size_q <= x_size_i;
        x_left_q <= x_size_i;
        y_left_q <= y_size_i;
        addr_q   <= sram_base_i;
      end else if (active_q) begin
        if (beat_v_q) begin
          if (complete) begin
            wr_v_q    <= 1'b1;
            wr_bank_q <= bank_q;
            wr_addr_q <= addr_q;
            wr_last_q <= last_in_row && (y_left_q == 16'd1);
            addr_q    <= addr_q + 16'd1;
            bank_q    <= !bank_q;
            fill_q    <= '0;
            off_q     <= off_q + OffW'(n);
            if (last_in_row) begin
              x_left_q <= x_size_q;
              y_left_q <= y_left_q - 16'd1;
              if (y_left_q == 16'd1) active_q <= 1'b0;
            end else begin
              x_left_q <= x_left_q - 16'd1;
            end
          end else begin
            fill_q <= fill_q + n;
          end
        end
        if (beat_valid_i && beat_ready_o) begin
          beat_v_q <= 1'b1;
          off_q    <= '0;
        end else if (beat_v_q && beat_done) begin
          beat_v_q <= 1'b0;
        end
      end
    end
  end

  // Data path: the cycle's bytes (or decoded slots) into chunks c_lo and c_lo + 1 of the
  // bank being assembled, only while a beat is held.
  function automatic logic [BW8-1:0] bytes_mask(input logic [BusBytes-1:0] m);
    for (int j = 0; j < BusBytes; j++) bytes_mask[8*j +: 8] = {8{m[j]}};
  endfunction
  function automatic logic [BW10-1:0] slots_mask(input logic [BusBytes-1:0] m);
    for (int j = 0; j < BusBytes; j++) slots_mask[10*j +: 10] = {10{m[j]}};
  endfunction

  always_ff @(posedge clk_i) begin
    if (beat_valid_i && beat_ready_o) beat_q <= beat_i;
    if (active_q && beat_v_q) begin
      for (int b = 0; b < 2; b++) begin
        if (bank_q == b[0]) begin
          if (base3_q) begin
            for (int c = 0; c < NC10; c++) begin
              if (c_lo == 12'(c)) begin
                asm_q[b*PadW + c*BW10 +: BW10] <= (asm_q[b*PadW + c*BW10 +: BW10]
                    & ~slots_mask(m_lo)) | (dec & slots_mask(m_lo));
              end else if (c_lo + 12'd1 == 12'(c)) begin
                asm_q[b*PadW + c*BW10 +: BW10] <= (asm_q[b*PadW + c*BW10 +: BW10]
                    & ~slots_mask(m_hi)) | (dec & slots_mask(m_hi));
              end
            end
          end else begin
            for (int c = 0; c < NC8; c++) begin
              if (c_lo == 12'(c)) begin
                asm_q[b*PadW + c*BW8 +: BW8] <= (asm_q[b*PadW + c*BW8 +: BW8]
                    & ~bytes_mask(m_lo)) | (rbeat & bytes_mask(m_lo));
              end else if (c_lo + 12'd1 == 12'(c)) begin
                asm_q[b*PadW + c*BW8 +: BW8] <= (asm_q[b*PadW + c*BW8 +: BW8]
                    & ~bytes_mask(m_hi)) | (rbeat & bytes_mask(m_hi));
              end
            end
          end
        end
      end
    end
  end
endmodule
