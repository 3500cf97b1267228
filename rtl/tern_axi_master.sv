`default_nettype none
// tern_axi_master: tern_top's memory port as a full AXI4 master (AMBA AXI4, IHI 0022), so
// it connects to a Zynq HP port or any interconnect without an adapter. tern_top already
// keeps the rules that need state: INCR bursts of at most 256 beats that never cross a
// 4 KiB boundary, every valid held with a stable payload until ready, WLAST on the last
// beat, one write burst's data after its AW, reads and writes returned in order. What the
// native port leaves implicit is made explicit here, as constants: full-width beats
// (AxSIZE = log2 BusBytes), INCR bursts, all write strobes set (tern only writes whole
// beats), one ID per direction (tern_rd_arb steers read data by order, so every read must
// share one ID for the interconnect to keep them in order), normal non-secure data
// accesses, cacheable-bufferable memory type. RRESP/BRESP other than OKAY (tern makes no
// exclusive accesses, so EXOKAY is unexpected too) cannot be
// handed to tern_top, so they set a sticky err_o (the board top raises it as a second
// interrupt source the driver reads).
//
// Bug (test only, tests/rtl/axi.sh): 0 is the real wrapper. 1 withdraws ARVALID for a
// cycle after a cycle without ARREADY; 2 changes ARADDR while ARVALID waits; 3 drops WLAST
// on every other write burst. tern_axi_monitor must catch each one.
// Port count: the five AXI channels are the interface; splitting them would only hide it.
module tern_axi_master #(
  parameter int unsigned BusBytes = 32,
  parameter int unsigned IdBits = 4,
  parameter int unsigned ReadId = 0, WriteId = 0,
  parameter int unsigned Bug = 0
) (
  input  logic clk_i, input logic rst_ni,
  // tern_top's memory port
  input  logic t_arvalid_i, output logic t_arready_o, input logic [31:0] t_araddr_i,
  input  logic [7:0] t_arlen_i,
  output logic t_rvalid_o, input logic t_rready_i, output logic [BusBytes*8-1:0] t_rdata_o,
  output logic t_rlast_o,
  input  logic t_awvalid_i, output logic t_awready_o, input logic [31:0] t_awaddr_i,
  input  logic [7:0] t_awlen_i,
  input  logic t_wvalid_i, output logic t_wready_o, input logic [BusBytes*8-1:0] t_wdata_i,
  input  logic t_wlast_i,
  output logic t_bvalid_o, input logic t_bready_i,
  // AXI4 master
  output logic [IdBits-1:0] m_axi_awid, output logic [31:0] m_axi_awaddr,
  output logic [7:0] m_axi_awlen, output logic [2:0] m_axi_awsize,
  output logic [1:0] m_axi_awburst, output logic m_axi_awlock, output logic [3:0] m_axi_awcache,
  output logic [2:0] m_axi_awprot, output logic [3:0] m_axi_awqos,
  output logic m_axi_awvalid, input logic m_axi_awready,
  output logic [BusBytes*8-1:0] m_axi_wdata, output logic [BusBytes-1:0] m_axi_wstrb,
  output logic m_axi_wlast, output logic m_axi_wvalid, input logic m_axi_wready,
  /* verilator lint_off UNUSEDSIGNAL */  // one ID per direction: responses are in order
  input  logic [IdBits-1:0] m_axi_bid, input logic [IdBits-1:0] m_axi_rid,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [1:0] m_axi_bresp, input logic m_axi_bvalid, output logic m_axi_bready,
  output logic [IdBits-1:0] m_axi_arid, output logic [31:0] m_axi_araddr,
  output logic [7:0] m_axi_arlen, output logic [2:0] m_axi_arsize,
  output logic [1:0] m_axi_arburst, output logic m_axi_arlock, output logic [3:0] m_axi_arcache,
  output logic [2:0] m_axi_arprot, output logic [3:0] m_axi_arqos,
  output logic m_axi_arvalid, input logic m_axi_arready,
  input  logic [BusBytes*8-1:0] m_axi_rdata, input logic [1:0] m_axi_rresp,
  input  logic m_axi_rlast, input logic m_axi_rvalid, output logic m_axi_rready,
  output logic err_o
);
  localparam logic [2:0] Size = 3'($clog2(BusBytes));
  localparam logic [1:0] BurstIncr = 2'b01;
  localparam logic [3:0] CacheWbAlloc = 4'b1111;  // write-back, read and write allocate

  // ------------------------------------------------------------------ read address
  logic ar_wait_q, w_odd_q, err_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_wait_q <= 1'b0; w_odd_q <= 1'b0; err_q <= 1'b0;
    end else begin
      ar_wait_q <= m_axi_arvalid && !m_axi_arready;
      if (m_axi_wvalid && m_axi_wready && t_wlast_i) w_odd_q <= !w_odd_q;
      if ((m_axi_rvalid && m_axi_rready && m_axi_rresp != 2'b00) ||
          (m_axi_bvalid && m_axi_bready && m_axi_bresp != 2'b00)) err_q <= 1'b1;
    end
  end
  assign err_o = err_q;

  assign m_axi_arid    = IdBits'(ReadId);
  assign m_axi_arvalid = t_arvalid_i && !(Bug == 1 && ar_wait_q);
  assign m_axi_araddr  = (Bug == 2 && ar_wait_q) ? t_araddr_i + BusBytes : t_araddr_i;
  assign m_axi_arlen   = t_arlen_i;
  assign m_axi_arsize  = Size;
  assign m_axi_arburst = BurstIncr;
  assign m_axi_arlock  = 1'b0;
  assign m_axi_arcache = CacheWbAlloc;
  assign m_axi_arprot  = 3'b000;
  assign m_axi_arqos   = 4'd0;
  assign t_arready_o   = m_axi_arready && m_axi_arvalid;

  // ------------------------------------------------------------------ read data
  assign t_rvalid_o   = m_axi_rvalid;
  assign t_rdata_o    = m_axi_rdata;
  assign t_rlast_o    = m_axi_rlast;
  assign m_axi_rready = t_rready_i;

  // ------------------------------------------------------------------ write
  assign m_axi_awid    = IdBits'(WriteId);
  assign m_axi_awvalid = t_awvalid_i;
  assign m_axi_awaddr  = t_awaddr_i;
  assign m_axi_awlen   = t_awlen_i;
  assign m_axi_awsize  = Size;
  assign m_axi_awburst = BurstIncr;
  assign m_axi_awlock  = 1'b0;
  assign m_axi_awcache = CacheWbAlloc;
  assign m_axi_awprot  = 3'b000;
  assign m_axi_awqos   = 4'd0;
  assign t_awready_o   = m_axi_awready;

  assign m_axi_wvalid = t_wvalid_i;
  assign m_axi_wdata  = t_wdata_i;
  assign m_axi_wstrb  = '1;
  assign m_axi_wlast  = t_wlast_i && !(Bug == 3 && w_odd_q);
  assign t_wready_o   = m_axi_wready;

  assign t_bvalid_o   = m_axi_bvalid;
  assign m_axi_bready = t_bready_i;
endmodule
