`default_nettype none
// tern_icebreaker_top: tern_top on the iCEBreaker (iCE40 UP5K), the board make synth
// BOARD=icebreaker builds. The board has no DRAM and no CPU: the four SPRAMs are the device
// memory (tern_ice40_mem, 128 KB), the FTDI serial port is the host (tern_icebreaker_bridge,
// 115200 baud), and the array's own buffers are block RAM inside tern_top (their sizes, set
// by isa/tern_isa.json's fpga.buffers for this board, are chosen to fit the 30 blocks).
// The 12 MHz oscillator clocks everything; nextpnr checks the design against the
// definition's target clock, so the report says how much faster a PLL could run it.
// Reset: a counter holds reset for 16 cycles after configuration, and button 1 resets.
// LEDs (active low): green is tern_top's interrupt line (a run is over, with interrupts
// enabled), red lights while the reset button is held.
module tern_icebreaker_top #(
  parameter int unsigned Rows = 8, Lanes = 8, WbufDepth = 256, AbufDepth = 256,
  parameter int unsigned AccDepth = 256, BusBytes = 16, QueueDepth = 2,
  parameter int unsigned CounterBits = 64,  // the board's fpga.rtl_params set 32 (the flow)
  parameter bit FetchRam = 1'b1,            // and 0 (no block RAM left for the buffer)
  parameter int unsigned UartDiv = 104   // clock / baud: 12 MHz / 115200 (a test runs it faster)
) (
  input  logic clk_i,       // 12 MHz
  input  logic btn_ni,      // user button, active low
  input  logic rx_i,
  output logic tx_o,
  output logic led_red_no,
  output logic led_green_no
);
  logic [4:0] por_q = '0;   // iCE40 flip-flops start at 0 after configuration
  logic       rst_n;
  always_ff @(posedge clk_i) if (!por_q[4]) por_q <= por_q + 5'd1;
  assign rst_n = por_q[4] && btn_ni;

  logic awv, awr, wv, wr, bv, br, arv, arr, rv, rr, irq;
  logic [11:0] awa, ara;
  logic [31:0] wd, rd;
  logic [3:0]  wstrb;
  logic [1:0]  bresp, rresp;
  logic m_arv, m_arr, m_rv, m_rr, m_rl, m_awv, m_awr, m_wv, m_wr, m_wl, m_bv, m_br;
  logic [31:0] m_ara, m_awa;
  logic [7:0]  m_arl, m_awl;
  logic [BusBytes*8-1:0] m_rd, m_wd;
  logic h_req, h_we, h_done, rx_v, tx_v, tx_r;
  logic [16:0] h_addr;
  logic [31:0] h_wd, h_rd;
  logic [7:0]  rx_d, tx_d;

  assign wstrb = 4'hf;
  tern_top #(
    .Rows(Rows), .Lanes(Lanes), .WbufDepth(WbufDepth), .AbufDepth(AbufDepth),
    .AccDepth(AccDepth), .BusBytes(BusBytes), .QueueDepth(QueueDepth),
    .CounterBits(CounterBits), .FetchRam(FetchRam)
  ) u_core (
    .clk_i, .rst_ni(rst_n),
    .s_awvalid_i(awv), .s_awready_o(awr), .s_awaddr_i(awa), .s_wvalid_i(wv),
    .s_wready_o(wr), .s_wdata_i(wd), .s_wstrb_i(wstrb), .s_bvalid_o(bv), .s_bready_i(br),
    .s_bresp_o(bresp), .s_arvalid_i(arv), .s_arready_o(arr), .s_araddr_i(ara),
    .s_rvalid_o(rv), .s_rready_i(rr), .s_rdata_o(rd), .s_rresp_o(rresp),
    .m_arvalid_o(m_arv), .m_arready_i(m_arr), .m_araddr_o(m_ara), .m_arlen_o(m_arl),
    .m_rvalid_i(m_rv), .m_rready_o(m_rr), .m_rdata_i(m_rd), .m_rlast_i(m_rl),
    .m_awvalid_o(m_awv), .m_awready_i(m_awr), .m_awaddr_o(m_awa), .m_awlen_o(m_awl),
    .m_wvalid_o(m_wv), .m_wready_i(m_wr), .m_wdata_o(m_wd), .m_wlast_o(m_wl),
    .m_bvalid_i(m_bv), .m_bready_o(m_br), .irq_o(irq)
  );

  tern_ice40_mem #(.BusBytes(BusBytes)) u_mem (
    .clk_i, .rst_ni(rst_n),
    .m_arvalid_i(m_arv), .m_arready_o(m_arr), .m_araddr_i(m_ara), .m_arlen_i(m_arl),
    .m_rvalid_o(m_rv), .m_rready_i(m_rr), .m_rdata_o(m_rd), .m_rlast_o(m_rl),
    .m_awvalid_i(m_awv), .m_awready_o(m_awr), .m_awaddr_i(m_awa), .m_awlen_i(m_awl),
    .m_wvalid_i(m_wv), .m_wready_o(m_wr), .m_wdata_i(m_wd), .m_wlast_i(m_wl),
    .m_bvalid_o(m_bv), .m_bready_i(m_br),
    .h_req_i(h_req), .h_we_i(h_we), .h_addr_i(h_addr), .h_wdata_i(h_wd), .h_rdata_o(h_rd),
    .h_done_o(h_done)
  );

  tern_icebreaker_uart #(.Div(UartDiv)) u_uart (
    .clk_i, .rst_ni(rst_n), .rx_i, .tx_o, .rx_valid_o(rx_v), .rx_data_o(rx_d),
    .tx_valid_i(tx_v), .tx_data_i(tx_d), .tx_ready_o(tx_r)
  );

  tern_icebreaker_bridge u_bridge (
    .clk_i, .rst_ni(rst_n), .rx_valid_i(rx_v), .rx_data_i(rx_d),
    .tx_valid_o(tx_v), .tx_data_o(tx_d), .tx_ready_i(tx_r),
    .s_awvalid_o(awv), .s_awready_i(awr), .s_awaddr_o(awa), .s_wvalid_o(wv),
    .s_wready_i(wr), .s_wdata_o(wd), .s_bvalid_i(bv), .s_bready_o(br),
    .s_arvalid_o(arv), .s_arready_i(arr), .s_araddr_o(ara), .s_rvalid_i(rv),
    .s_rready_o(rr), .s_rdata_i(rd),
    .h_req_o(h_req), .h_we_o(h_we), .h_addr_o(h_addr), .h_wdata_o(h_wd), .h_rdata_i(h_rd),
    .h_done_i(h_done)
  );

  // bresp/rresp: the bridge answers every write with 'k'; a CSR error shows in the
  // error-code CSR, which the host reads anyway.
  logic unused;
  assign unused = ^{bresp, rresp};
  assign led_green_no = !irq;
  assign led_red_no   = btn_ni;  // pressed (low) -> LED on (low)
endmodule
