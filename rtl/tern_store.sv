`default_nettype none
`include "tern_isa_macros.svh"
// tern_store: the STORE unit. Three small engines overlap so entries stream out at one
// beat per cycle: the reader copies ACC entries (ROWS int32, row r at byte 4r) into two
// ping-pong slots through the ACC read port it shares with compute; the address engine
// issues one AW per entry (split in two where an entry would cross 4 KiB), entry address
// as a running sum, and records each burst's length in a small FIFO; the data engine sends
// the slot's beats in order, ending each burst from the recorded length, so W never runs
// ahead of its AW and DRAM sees the writes in program order. A slot shifts down one beat
// as each beat is sent, so the beat to send is always a slot's lowest: W data is a 2:1 mux
// of the two slots' low beats instead of a beat mux over both whole slots (on an iCE40 the
// shift's 2:1 mux shares a logic cell with the slot flip-flop it feeds, so it is free).
// The instruction finishes, and pushes its token to compute, when every B response is
// back. On abort (watchdog) no new AW is issued; bursts already announced are completed
// (with whatever data) so the bus is left clean.
module tern_store #(
  parameter int unsigned Rows = 32,
  parameter int unsigned BusBytes = 32
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clear_i,
  input  logic                  abort_i,
  input  logic                  q_valid_i,
  input  logic [`TERN_QWORD_W-1:0] q_data_i,
  output logic                  q_pop_o,
  input  logic                  tok_prev_i,   // c2s available
  output logic                  pop_prev_o,
  output logic                  push_prev_o,  // s2c
  output logic                  acc_req_o,
  output logic [15:0]           acc_raddr_o,
  input  logic                  acc_gnt_i,
  input  logic [32*Rows-1:0]    acc_rdata_i,
  output logic                  m_awvalid_o,
  input  logic                  m_awready_i,
  output logic [31:0]           m_awaddr_o,
  output logic [7:0]            m_awlen_o,
  output logic                  m_wvalid_o,
  input  logic                  m_wready_i,
  output logic [BusBytes*8-1:0] m_wdata_o,
  output logic                  m_wlast_o,
  input  logic                  m_bvalid_i,
  output logic                  m_bready_o,
  output logic                  busy_o,
  output logic                  wait_tok_o,
  output logic [31:0]           wait_idx_o,
  output logic                  ev_start_o,
  output logic                  ev_stall_mem_o,
  output logic                  ev_wbeat_o,
  output logic                  ev_acc_rd_o
);
  `include "tern_isa.svh"

  // The instruction at the queue head; every field is read through its generated accessor.
  logic [TERN_INSN_BITS-1:0] h_insn;
  assign h_insn = tern_qword_insn(q_data_i);

  localparam int unsigned LogBus = $clog2(BusBytes);
  localparam int unsigned EntBeats = Rows * 4 / BusBytes;  // BUS_BYTES divides ROWS*4
  localparam int unsigned EbW = (EntBeats > 1) ? $clog2(EntBeats) : 1;
  localparam logic [8:0] EntBeatsC = 9'(EntBeats);
  localparam logic [EbW-1:0] LastEb = EbW'(EntBeats - 1);
  localparam int unsigned SlotBits = 32 * Rows;
  localparam int unsigned BusBits = 8 * BusBytes;
  localparam int unsigned BndW = $clog2(TERN_AXI_BOUNDARY);
  localparam int unsigned BoutW = $clog2(TERN_STORE_BOUT_MAX + 1);
  localparam logic [BoutW-1:0] BoutMax = BoutW'(TERN_STORE_BOUT_MAX);

  logic        run_q, abort_q, push_q;
  logic [15:0] rd_left_q, rd_addr_q, aw_left_q;
  logic        rd_slot_q, wr_slot_q, pend_q, pend_slot_q;
  logic [1:0]  slot_v_q;
  logic [SlotBits-1:0] slot0_q, slot1_q, slot0_sh, slot1_sh;
  logic [31:0] ent_addr_q, aw_addr_q, stride_q;
  logic [8:0]  aw_beats_q, blen;
  logic [BndW:0] to_4k;
  logic [7:0]  w_cnt_q;
  logic [EbW-1:0] w_eb_q;
  logic [BoutW-1:0] b_out_q;
  logic        start, aw_fire, w_fire, lf_full, lf_empty, done;
  logic [7:0]  lf_head;

  assign start       = !run_q && q_valid_i && (!tern_pop_prev(h_insn) || tok_prev_i)
                    && !abort_i;
  assign q_pop_o     = start;
  assign pop_prev_o  = start && tern_pop_prev(h_insn);
  assign wait_tok_o  = !run_q && q_valid_i && tern_pop_prev(h_insn) && !tok_prev_i;
  assign wait_idx_o  = tern_qword_index(q_data_i);
  assign busy_o      = run_q;
  assign ev_start_o  = start;

  // reader
  assign acc_req_o   = run_q && !abort_q && (rd_left_q != '0) && !slot_v_q[rd_slot_q]
                    && !(pend_q && pend_slot_q == rd_slot_q);
  assign acc_raddr_o = rd_addr_q;
  assign ev_acc_rd_o = acc_req_o && acc_gnt_i;

  // address engine
  assign to_4k       = ((BndW + 1)'(TERN_AXI_BOUNDARY) - {1'b0, aw_addr_q[BndW-1:0]}) >> LogBus;
  assign blen        = (24'(to_4k) < 24'(aw_beats_q)) ? 9'(to_4k) : aw_beats_q;
  // b_out_q counts write bursts awaiting their response; a new burst waits while it is
  // full so the count can never wrap (and the STORE never ends before its writes land).
  assign m_awvalid_o = run_q && (aw_left_q != '0) && !lf_full && (b_out_q != BoutMax);
  assign m_awaddr_o  = aw_addr_q;
  assign m_awlen_o   = 8'(blen - 9'd1);
  assign aw_fire     = m_awvalid_o && m_awready_i;

  // data engine
  assign m_wvalid_o  = !lf_empty && (slot_v_q[wr_slot_q] || abort_q);
  assign m_wdata_o   = wr_slot_q ? slot1_q[BusBits-1:0] : slot0_q[BusBits-1:0];
  assign m_wlast_o   = (w_cnt_q == lf_head);
  assign w_fire      = m_wvalid_o && m_wready_i;
  assign m_bready_o  = 1'b1;
  assign ev_wbeat_o  = w_fire;
  assign ev_stall_mem_o = (m_awvalid_o && !m_awready_i) || (m_wvalid_o && !m_wready_i);

  assign done = run_q && (aw_left_q == '0) && lf_empty && !pend_q && (b_out_q == '0)
             && (abort_q || (rd_left_q == '0 && slot_v_q == 2'b00));
  assign push_prev_o = done && push_q && !abort_q;

  // a slot one beat further on (its top beat stays: nothing reads it again before a load)
  if (EntBeats > 1) begin : g_shift
    assign slot0_sh = {slot0_q[SlotBits-1 -: BusBits], slot0_q[SlotBits-1:BusBits]};
    assign slot1_sh = {slot1_q[SlotBits-1 -: BusBits], slot1_q[SlotBits-1:BusBits]};
  end else begin : g_no_shift
    assign slot0_sh = slot0_q;
    assign slot1_sh = slot1_q;
  end

  tern_fifo #(.Width(8), .Depth(TERN_STORE_LEN_DEPTH)) u_len (
    .clk_i, .rst_ni, .clear_i, .wr_i(1'b0),
    .push_i(aw_fire), .data_i(m_awlen_o), .full_o(lf_full),
    .pop_i(w_fire && m_wlast_o), .data_o(lf_head), .empty_o(lf_empty)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q       <= 1'b0;
      abort_q     <= 1'b0;
      push_q      <= 1'b0;
      rd_left_q   <= '0;
      rd_addr_q   <= '0;
      aw_left_q   <= '0;
      rd_slot_q   <= 1'b0;
      wr_slot_q   <= 1'b0;
      pend_q      <= 1'b0;
      pend_slot_q <= 1'b0;
      slot_v_q    <= '0;
      ent_addr_q  <= '0;
      aw_addr_q   <= '0;
      stride_q    <= '0;
      aw_beats_q  <= '0;
      w_cnt_q     <= '0;
      w_eb_q      <= '0;
      b_out_q     <= '0;
    end else if (clear_i) begin
      run_q     <= 1'b0;
      abort_q   <= 1'b0;
      aw_left_q <= '0;
      pend_q    <= 1'b0;
      slot_v_q  <= '0;
      w_cnt_q   <= '0;
      w_eb_q    <= '0;
      b_out_q   <= '0;
    end else begin
      if (start) begin
        run_q      <= 1'b1;
        abort_q    <= 1'b0;
        push_q     <= tern_push_prev(h_insn);
        rd_left_q  <= tern_store_y_size(h_insn);
        aw_left_q  <= tern_store_y_size(h_insn);
        rd_addr_q  <= tern_store_acc_base(h_insn);
        ent_addr_q <= tern_store_dram_addr(h_insn);
        aw_addr_q  <= tern_store_dram_addr(h_insn);
        stride_q   <= tern_store_dram_stride(h_insn);
        aw_beats_q <= EntBeatsC;
        rd_slot_q  <= 1'b0;
        wr_slot_q  <= 1'b0;
        slot_v_q   <= '0;
        w_eb_q     <= '0;
      end
      if (done) run_q <= 1'b0;
      if (abort_i && run_q) abort_q <= 1'b1;
      if (abort_q && !m_awvalid_o) aw_left_q <= '0;

      // reader: the ACC read data arrives the cycle after the grant
      pend_q <= acc_req_o && acc_gnt_i;
      if (acc_req_o && acc_gnt_i) begin
        pend_slot_q <= rd_slot_q;
        rd_slot_q   <= !rd_slot_q;
        rd_left_q   <= rd_left_q - 16'd1;
        rd_addr_q   <= rd_addr_q + 16'd1;
      end
      // slots: loaded from the read data, shifted down a beat as each beat goes out (a slot
      // is loaded only while it holds no unsent beat, so the two never meet; under abort
      // the beats completing announced bursts carry whatever the slot holds)
      if (pend_q && pend_slot_q) slot1_q <= acc_rdata_i;
      else if (w_fire && wr_slot_q) slot1_q <= slot1_sh;
      if (pend_q && !pend_slot_q) slot0_q <= acc_rdata_i;
      else if (w_fire && !wr_slot_q) slot0_q <= slot0_sh;

      // address engine
      if (aw_fire) begin
        if (aw_beats_q == blen) begin
          aw_left_q  <= (abort_q ? 16'd1 : aw_left_q) - 16'd1;
          ent_addr_q <= ent_addr_q + stride_q;
          aw_addr_q  <= ent_addr_q + stride_q;
          aw_beats_q <= EntBeatsC;
        end else begin
          aw_addr_q  <= aw_addr_q + (32'(blen) << LogBus);
          aw_beats_q <= aw_beats_q - blen;
        end
      end

      // data engine
      if (w_fire) begin
        w_cnt_q <= m_wlast_o ? 8'd0 : w_cnt_q + 8'd1;
        w_eb_q  <= (w_eb_q == LastEb) ? '0 : w_eb_q + 1'b1;
        if (w_eb_q == LastEb) wr_slot_q <= !wr_slot_q;
      end

      // slot valid bits: set by the reader, cleared after an entry's last beat
      for (int s = 0; s < 2; s++) begin
        if (pend_q && pend_slot_q == 1'(s)) slot_v_q[s] <= 1'b1;
        else if (w_fire && w_eb_q == LastEb && wr_slot_q == 1'(s)) slot_v_q[s] <= 1'b0;
      end

      if (aw_fire && !m_bvalid_i) b_out_q <= b_out_q + 6'd1;
      else if (!aw_fire && m_bvalid_i) b_out_q <= b_out_q - 6'd1;
    end
  end
endmodule
