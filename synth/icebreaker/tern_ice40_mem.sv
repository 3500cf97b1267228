`default_nettype none
// tern_ice40_mem: the iCEBreaker's device memory. The board has no DRAM, so the four
// SPRAMs side by side (64-bit words, 128 KB) answer tern_top's memory master, and the host
// bridge reads and writes 32-bit words of the same memory between runs. One SPRAM access
// per cycle: a BusBytes beat is BusBytes/8 consecutive 64-bit words, gathered (reads) or
// scattered (writes) one per cycle, so the port moves 8 bytes per cycle, the figure the
// board preset's 0.096 GB/s at 12 MHz assumes. Byte addresses wrap at 128 KB: the DMA
// window the host programs keeps the device inside the memory it has. The device has
// priority; a host access waits while a burst is in flight. A read beat's last word is
// not copied: the SPRAMs keep reading its address until the beat is taken, so their
// output holds it (only the other words sit in flip-flops).
// Only address bits [16:3] (memory words) are used; the rest wrap, by design.
/* verilator lint_off UNUSEDSIGNAL */
module tern_ice40_mem #(
  parameter int unsigned BusBytes = 16
) (
  input  logic clk_i, input logic rst_ni,
  input  logic m_arvalid_i, output logic m_arready_o, input logic [31:0] m_araddr_i,
  input  logic [7:0] m_arlen_i,
  output logic m_rvalid_o, input logic m_rready_i, output logic [BusBytes*8-1:0] m_rdata_o,
  output logic m_rlast_o,
  input  logic m_awvalid_i, output logic m_awready_o, input logic [31:0] m_awaddr_i,
  input  logic [7:0] m_awlen_i,
  input  logic m_wvalid_i, output logic m_wready_o, input logic [BusBytes*8-1:0] m_wdata_i,
  input  logic m_wlast_i,
  output logic m_bvalid_o, input logic m_bready_i,
  // host port: one 32-bit word per request, done_o pulses when it is over
  input  logic h_req_i, input logic h_we_i, input logic [16:0] h_addr_i,
  input  logic [31:0] h_wdata_i, output logic [31:0] h_rdata_o, output logic h_done_o
);
  /* verilator lint_on UNUSEDSIGNAL */
  localparam int unsigned Words = BusBytes / 8;
  localparam int unsigned WW = (Words > 1) ? $clog2(Words) : 1;
  typedef enum logic [2:0] {Idle, Rd, RdTail, RdOut, Wr, WrResp, Host, HostRd} state_e;

  state_e st_q;
  logic [13:0] waddr_q;                  // 64-bit word address
  logic [7:0]  left_q;                   // beats after this one
  logic [WW-1:0] word_q;                 // word within the beat
  logic [BusBytes*8-1:0] beat;           // the read beat: flip-flops, then the last word
  logic        hi_q;                     // host word: upper half of the 64-bit word
  logic [13:0] addr;
  logic [63:0] wdata, rdata;
  logic [3:0]  we;
  logic        last_word;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [BusBytes*8-1:0] wbeat_shift;
  /* verilator lint_on UNUSEDSIGNAL */

  for (genvar i = 0; i < 4; i++) begin : g_spram
    tern_ice40_spram u_ram (
      .clk_i, .addr_i(addr), .wdata_i(wdata[16*i+:16]), .we_i(we[i]), .rdata_o(rdata[16*i+:16])
    );
  end

  assign last_word = word_q == WW'(Words - 1);
  assign wbeat_shift = m_wdata_i >> (64 * word_q);

  always_comb begin
    addr  = waddr_q;
    wdata = wbeat_shift[63:0];
    we    = '0;
    if (st_q == Wr && m_wvalid_i) we = 4'hf;
    if (st_q == Host || st_q == HostRd) begin  // HostRd: the output holds the word (below)
      addr  = h_addr_i[16:3];
      wdata = {h_wdata_i, h_wdata_i};
      if (h_we_i && st_q == Host) we = h_addr_i[2] ? 4'b1100 : 4'b0011;
    end
  end

  // a host read's word: read in Host, read again in HostRd (same address), so the SPRAM
  // output still holds it in the cycle of h_done_o, when the bridge takes it (no copy)
  assign h_rdata_o   = hi_q ? rdata[63:32] : rdata[31:0];
  assign m_arready_o = st_q == Idle;
  assign m_awready_o = st_q == Idle && !m_arvalid_i;
  assign m_rvalid_o  = st_q == RdOut;
  assign m_rdata_o   = beat;
  assign m_rlast_o   = left_q == 8'd0;
  assign m_wready_o  = st_q == Wr && last_word;
  assign m_bvalid_o  = st_q == WrResp;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= Idle; waddr_q <= '0; left_q <= '0; word_q <= '0; hi_q <= 1'b0; h_done_o <= 1'b0;
    end else begin
      h_done_o <= 1'b0;
      unique case (st_q)
        Idle: begin
          word_q <= '0;
          if (m_arvalid_i) begin
            st_q <= Rd; waddr_q <= m_araddr_i[16:3]; left_q <= m_arlen_i;
          end else if (m_awvalid_i) begin
            st_q <= Wr; waddr_q <= m_awaddr_i[16:3]; left_q <= m_awlen_i;
          end else if (h_req_i) begin
            st_q <= Host; hi_q <= h_addr_i[2];
          end
        end
        // one cycle behind the address: the word read in the previous cycle arrives
        // the address stays on the last word until the beat is taken (see beat)
        Rd: begin
          st_q <= RdTail;
          if (!last_word) begin
            st_q <= Rd; word_q <= word_q + WW'(1); waddr_q <= waddr_q + 14'd1;
          end
        end
        RdTail: st_q <= RdOut;
        RdOut: if (m_rready_i) begin
          word_q <= '0;
          waddr_q <= waddr_q + 14'd1;
          if (left_q == 8'd0) st_q <= Idle;
          else begin st_q <= Rd; left_q <= left_q - 8'd1; end
        end
        Wr: if (m_wvalid_i) begin
          waddr_q <= waddr_q + 14'd1;
          word_q <= last_word ? '0 : word_q + WW'(1);
          if (last_word && m_wlast_i) st_q <= WrResp;
        end
        WrResp: if (m_bready_i) st_q <= Idle;
        Host: if (h_we_i) begin st_q <= Idle; h_done_o <= 1'b1; end else st_q <= HostRd;
        HostRd: begin
          st_q <= Idle; h_done_o <= 1'b1;
        end
        default: st_q <= Idle;
      endcase
    end
  end

  // The beat register collects the read words but the last: word k of the beat is the
  // SPRAM output the cycle after its address, i.e. while the state machine is in Rd for
  // word k+1. The last word's address is held from its Rd through RdTail and RdOut (no
  // write can happen there), so the SPRAM output is that word until the beat is taken.
  if (Words > 1) begin : g_beat
    logic [64*(Words-1)-1:0] beat_q;
    logic [WW-1:0] rd_word_q;
    logic          rd_live_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rd_word_q <= '0; rd_live_q <= 1'b0; beat_q <= '0;
      end else begin
        rd_live_q <= st_q == Rd && !last_word;
        rd_word_q <= word_q;
        if (rd_live_q) beat_q[64*rd_word_q+:64] <= rdata;
      end
    end
    assign beat = {rdata, beat_q};
  end else begin : g_word
    assign beat = rdata;
  end
endmodule
