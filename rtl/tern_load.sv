`default_nettype none
`include "tern_isa_macros.svh"
// tern_load: the LOAD unit. It takes the head of its queue once its token (pop_next, from
// compute) is available, then runs two engines at once: the request engine walks the rows
// (row address kept as a running sum, never y*stride) and issues bursts of up to 256 beats
// that never cross 4 KiB, with up to MaxBursts in flight so a row streams at full bandwidth
// despite DRAM latency; the tern_gearbox turns the returning beats into buffer entries
// written at sram_base, sram_base+1, ... (the ISA's sram_base + y*x_size + x is exactly
// that sequence). Row length in beats is x_size*E/BUS_BYTES rounded up, with x_size*E a
// product by a constant formed from shifted adds, E the entry's DRAM stride pad(E). The
// gearbox writes the buffers itself, slice by slice (column write enables); the instruction
// finishes, and pushes its token to compute, in the cycle after its last write (the
// entry-written event). On abort (watchdog) it stops requesting and swallows the beats still
// in flight.
// Widths are those of the values a checked LOAD can have (fetch's checks reject the others
// before they reach the queue): y_size <= MaxEntries (the larger buffer's entries), so a row
// has at most MaxEntries*pad(E)/BUS_BYTES beats; DRAM addresses and strides are multiples of
// BUS_BYTES, so their low log2(BUS_BYTES) bits, always 0, are not kept; a burst is at most
// TERN_AXI_MAX_BEATS beats.
module tern_load #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned BusBytes = 32,
  parameter int unsigned WColW = 64,    // buffer write-enable columns (tern_gearbox)
  parameter int unsigned AColW = 256,
  parameter int unsigned MaxEntries = 65535,  // entries of the larger buffer (WBUF, ABUF)
  localparam int unsigned WW = 2 * Rows * Lanes,
  localparam int unsigned AW = 8 * Lanes,
  localparam int unsigned WCols = (WW + WColW - 1) / WColW,
  localparam int unsigned ACols = (AW + AColW - 1) / AColW
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clear_i,
  input  logic                  abort_i,
  // queue head
  input  logic                  q_valid_i,
  input  logic [`TERN_QWORD_W-1:0] q_data_i,
  output logic                  q_pop_o,
  // tokens
  input  logic                  tok_next_i,   // c2l available
  output logic                  pop_next_o,
  output logic                  push_next_o,  // l2c
  // read requests and data
  output logic                  ar_valid_o,
  input  logic                  ar_ready_i,
  output logic [31:0]           ar_addr_o,
  output logic [7:0]            ar_len_o,
  input  logic                  r_valid_i,
  input  logic [BusBytes*8-1:0] r_data_i,
  input  logic                  r_last_i,
  output logic                  r_ready_o,
  // buffer writes: column write enables, one address, data per buffer
  output logic [WCols-1:0]      wbuf_we_o,
  output logic [ACols-1:0]      abuf_we_o,
  output logic [15:0]           buf_waddr_o,
  output logic [WW-1:0]         wbuf_wdata_o,
  output logic [AW-1:0]         abuf_wdata_o,
  output logic                  wbuf_wr_ev_o, // an entry completed (WBUF_WR / ABUF_WR)
  output logic                  abuf_wr_ev_o,
  // status and events
  output logic                  busy_o,
  output logic                  wait_tok_o,
  output logic [31:0]           wait_idx_o,
  output logic                  ev_start_o,
  output logic                  ev_stall_mem_o,
  output logic                  ev_beat_o
);
  `include "tern_isa.svh"

  // The instruction at the queue head; every field is read through its generated accessor.
  logic [TERN_INSN_BITS-1:0] h_insn;
  assign h_insn = tern_qword_insn(q_data_i);

  localparam int unsigned LogBus = $clog2(BusBytes);
  localparam int unsigned MaxBursts = TERN_LOAD_MAX_BURSTS;
  localparam int unsigned BndW = $clog2(TERN_AXI_BOUNDARY);
  // DRAM stride pad(E) of an entry (entry_layout of the definition): ABUF, WBUF 2-bit, base-3
  localparam logic [11:0] EntA = 12'(tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b1, 1'b0),
                                                       BusBytes));
  localparam logic [11:0] EntW2 = 12'(tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b0, 1'b0),
                                                        BusBytes));
  localparam logic [11:0] EntW3 = 12'(tern_entry_stride(tern_entry_used(Rows, Lanes, 1'b0, 1'b1),
                                                        BusBytes));

  localparam logic [11:0] EntMax = (EntA > EntW2) ? ((EntA > EntW3) ? EntA : EntW3)
                                                  : ((EntW2 > EntW3) ? EntW2 : EntW3);
  localparam int unsigned EW = $clog2(MaxEntries + 1);            // x_size, y_size
  localparam int unsigned AdW = $clog2(MaxEntries);               // buffer addresses
  localparam int unsigned RBytesW = $clog2(MaxEntries * EntMax + 1);  // row bytes
  localparam int unsigned RBeatsW = $clog2((MaxEntries * EntMax + BusBytes - 1) / BusBytes + 1);
  localparam int unsigned BlenW = $clog2(TERN_AXI_MAX_BEATS + 1);
  localparam int unsigned DaW = 32 - LogBus;                      // DRAM address / BUS_BYTES

  function automatic logic [RBytesW-1:0] mul_const(input logic [EW-1:0] x,
                                                   input logic [11:0] c);
    logic [RBytesW-1:0] s;
    s = '0;
    for (int b = 0; b < 12; b++) begin
      if (c[b]) s = s + (RBytesW'(x) << b);
    end
    mul_const = s;
  endfunction

  typedef enum logic [1:0] {L_IDLE, L_RUN, L_DRAIN} state_e;
  state_e      state_q;
  logic        buf_q, push_q;
  logic [EW-1:0]      rows_left_q;
  logic [DaW-1:0]     row_addr_q, stride_q;
  logic [RBeatsW-1:0] row_beats_q, off_q, h_row_beats;
  logic [3:0]         inflight_q;
  logic        start, r_fire, ar_fire, gb_ready, gb_done, gb_starved, gb_ev;

  // head fields
  logic        h_pop_next, h_buf, h_wfmt;
  logic [RBytesW-1:0] h_row_bytes;
  logic [EW-1:0] h_x_size;
  assign h_pop_next  = tern_pop_next(h_insn);
  assign h_buf       = tern_load_buf(h_insn);
  assign h_wfmt      = tern_load_wfmt(h_insn);
  // three products by constants (shifted adds), then the format picks one: a product by the
  // picked constant would add x_size for every bit any of the three has set
  assign h_x_size    = EW'(tern_load_x_size(h_insn));
  assign h_row_bytes = h_buf ? mul_const(h_x_size, EntA)
                     : (h_wfmt ? mul_const(h_x_size, EntW3) : mul_const(h_x_size, EntW2));
  assign h_row_beats = RBeatsW'(({1'b0, h_row_bytes} + (RBytesW + 1)'(BusBytes - 1)) >> LogBus);

  assign start       = (state_q == L_IDLE) && q_valid_i && (!h_pop_next || tok_next_i)
                    && !abort_i;
  assign q_pop_o     = start;
  assign pop_next_o  = start && h_pop_next;
  assign wait_tok_o  = (state_q == L_IDLE) && q_valid_i && h_pop_next && !tok_next_i;
  assign wait_idx_o  = tern_qword_index(q_data_i);
  assign ev_start_o  = start;
  assign busy_o      = (state_q != L_IDLE);

  // burst length: beats left in the row, at most TERN_AXI_MAX_BEATS, at most up to the
  // TERN_AXI_BOUNDARY (4 KiB) boundary. The request address is row start + off_q (the beats
  // of the row already requested), an adder rather than a register of its own: the register
  // needed a three-way choice (LOAD start, next row, next burst) behind its own adder.
  // With BUS_BYTES >= 16 no burst up to a 4 KiB boundary exceeds 256 beats, so that clamp
  // is only built for narrower buses.
  localparam int unsigned T4W = BndW - LogBus + 1;  // beats to the boundary: 1..2^(T4W-1)
  localparam bit ClampMax = (TERN_AXI_BOUNDARY / BusBytes) > TERN_AXI_MAX_BEATS;
  localparam int unsigned CmpW = (RBeatsW > T4W) ? RBeatsW : T4W;
  logic [DaW-1:0]     ar_beat;     // the request's address / BUS_BYTES
  logic [RBeatsW-1:0] beats_left;
  logic [T4W-1:0]     to_4k, room; // beats to the boundary; beats a burst may take from here
  logic               row_end;     // this request is the row's last
  logic [BlenW-1:0]   blen;
  assign beats_left = row_beats_q - off_q;
  assign ar_beat    = row_addr_q + DaW'(off_q);
  assign to_4k      = T4W'(TERN_AXI_BOUNDARY >> LogBus) - {1'b0, ar_beat[BndW-LogBus-1:0]};
  if (ClampMax) begin : g_clamp
    assign room = (to_4k > T4W'(TERN_AXI_MAX_BEATS)) ? T4W'(TERN_AXI_MAX_BEATS) : to_4k;
  end else begin : g_noclamp
    assign room = to_4k;
  end
  assign row_end    = CmpW'(beats_left) <= CmpW'(room);
  assign blen       = row_end ? BlenW'(beats_left) : BlenW'(room);
  assign ar_valid_o = (state_q == L_RUN) && (rows_left_q != '0)
                   && (inflight_q < $bits(inflight_q)'(MaxBursts));
  assign ar_addr_o  = {ar_beat, LogBus'(0)};
  assign ar_len_o   = 8'(blen - 1'b1);
  assign ar_fire    = ar_valid_o && ar_ready_i;

  assign r_ready_o  = (state_q == L_DRAIN) ? 1'b1 : gb_ready;
  assign r_fire     = r_valid_i && r_ready_o;
  assign ev_beat_o  = r_fire;
  assign ev_stall_mem_o = (state_q == L_RUN) && gb_starved;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= L_IDLE;
      buf_q        <= 1'b0;
      push_q       <= 1'b0;
      rows_left_q  <= '0;
      row_addr_q   <= '0;
      stride_q     <= '0;
      row_beats_q  <= '0;
      off_q        <= '0;
      inflight_q   <= '0;
    end else if (clear_i) begin
      state_q      <= L_IDLE;
      inflight_q   <= '0;
    end else begin
      if (ar_fire && !(r_fire && r_last_i)) inflight_q <= inflight_q + 4'd1;
      else if (!ar_fire && r_fire && r_last_i) inflight_q <= inflight_q - 4'd1;
      unique case (state_q)
        L_IDLE: begin
          if (start) begin
            state_q      <= L_RUN;
            buf_q        <= h_buf;
            push_q       <= tern_push_next(h_insn);
            rows_left_q  <= EW'(tern_load_y_size(h_insn));
            row_addr_q   <= DaW'(tern_load_dram_addr(h_insn) >> LogBus);
            stride_q     <= DaW'(tern_load_dram_stride(h_insn) >> LogBus);
            row_beats_q  <= h_row_beats;
            off_q        <= '0;
          end
        end
        L_RUN: begin
          if (ar_fire) begin
            if (row_end) begin
              rows_left_q  <= rows_left_q - 1'b1;
              row_addr_q   <= row_addr_q + stride_q;
              off_q        <= '0;
            end else begin
              off_q        <= off_q + RBeatsW'(blen);
            end
          end
          if (gb_done) state_q <= L_IDLE;
          if (abort_i) state_q <= L_DRAIN;
        end
        L_DRAIN: begin
          if (inflight_q == '0 || (inflight_q == 4'd1 && r_fire && r_last_i)) state_q <= L_IDLE;
        end
        default: state_q <= L_IDLE;
      endcase
    end
  end

  assign push_next_o = (state_q == L_RUN) && gb_done && push_q;

  tern_gearbox #(.Rows(Rows), .Lanes(Lanes), .BusBytes(BusBytes), .WColW(WColW),
                 .AColW(AColW), .MaxEntries(MaxEntries)) u_gearbox (
    .clk_i, .rst_ni,
    .start_i(start), .abort_i(abort_i || clear_i),
    .abuf_i(h_buf), .base3_i(!h_buf && h_wfmt),
    .x_size_i(h_x_size),
    .y_size_i(EW'(tern_load_y_size(h_insn))),
    .sram_base_i(AdW'(tern_load_sram_base(h_insn))),
    .beat_valid_i(r_valid_i && (state_q == L_RUN)), .beat_i(r_data_i),
    .beat_ready_o(gb_ready),
    .wbuf_we_o, .abuf_we_o, .wr_addr_o(buf_waddr_o), .wbuf_wdata_o, .abuf_wdata_o,
    .ent_wr_o(gb_ev), .done_o(gb_done), .starved_o(gb_starved)
  );

  assign wbuf_wr_ev_o = gb_ev && !buf_q;
  assign abuf_wr_ev_o = gb_ev && buf_q;
endmodule
