`default_nettype none
// tern_axi_top: tern as an IP block for a Zynq (KV260, PYNQ-Z2) or any AXI system: tern_top
// behind an AXI4-Lite slave for its CSRs (s_axi_ctrl_*, on an HPM port) and a full AXI4
// master for its memory port (m_axi_mem_*, on an HP port), one level-high interrupt. The
// port names follow Vivado's interface inference (prefix_channelsignal, aclk, aresetn), so
// synth/vivado/tern_bd.tcl can drop it into a block design as a module reference and let
// the connection automation wire the clocks and the address map. irq is tern's done
// interrupt; bus_err is sticky once the memory system answered SLVERR/DECERR (tern cannot
// see the response itself, docs/boards.md). The parameters are tern_top's.
module tern_axi_top #(
  parameter int unsigned Rows = 32, Lanes = 32, WbufDepth = 512, AbufDepth = 8192,
  parameter int unsigned AccDepth = 512, BusBytes = 32, QueueDepth = 16,
  parameter int unsigned CounterBits = 64,
  parameter int unsigned IdBits = 4,
  parameter int unsigned Bug = 0  // tests/rtl/axi.sh only: see tern_axi_master
) (
  input  logic aclk, input logic aresetn,
  input  logic [31:0] s_axi_ctrl_awaddr, input logic [2:0] s_axi_ctrl_awprot,
  input  logic s_axi_ctrl_awvalid, output logic s_axi_ctrl_awready,
  input  logic [31:0] s_axi_ctrl_wdata, input logic [3:0] s_axi_ctrl_wstrb,
  input  logic s_axi_ctrl_wvalid, output logic s_axi_ctrl_wready,
  output logic [1:0] s_axi_ctrl_bresp, output logic s_axi_ctrl_bvalid,
  input  logic s_axi_ctrl_bready,
  input  logic [31:0] s_axi_ctrl_araddr, input logic [2:0] s_axi_ctrl_arprot,
  input  logic s_axi_ctrl_arvalid, output logic s_axi_ctrl_arready,
  output logic [31:0] s_axi_ctrl_rdata, output logic [1:0] s_axi_ctrl_rresp,
  output logic s_axi_ctrl_rvalid, input logic s_axi_ctrl_rready,
  output logic [IdBits-1:0] m_axi_mem_awid, output logic [31:0] m_axi_mem_awaddr,
  output logic [7:0] m_axi_mem_awlen, output logic [2:0] m_axi_mem_awsize,
  output logic [1:0] m_axi_mem_awburst, output logic m_axi_mem_awlock,
  output logic [3:0] m_axi_mem_awcache, output logic [2:0] m_axi_mem_awprot,
  output logic [3:0] m_axi_mem_awqos,
  output logic m_axi_mem_awvalid, input logic m_axi_mem_awready,
  output logic [BusBytes*8-1:0] m_axi_mem_wdata, output logic [BusBytes-1:0] m_axi_mem_wstrb,
  output logic m_axi_mem_wlast, output logic m_axi_mem_wvalid, input logic m_axi_mem_wready,
  input  logic [IdBits-1:0] m_axi_mem_bid, input logic [1:0] m_axi_mem_bresp,
  input  logic m_axi_mem_bvalid, output logic m_axi_mem_bready,
  output logic [IdBits-1:0] m_axi_mem_arid, output logic [31:0] m_axi_mem_araddr,
  output logic [7:0] m_axi_mem_arlen, output logic [2:0] m_axi_mem_arsize,
  output logic [1:0] m_axi_mem_arburst, output logic m_axi_mem_arlock,
  output logic [3:0] m_axi_mem_arcache, output logic [2:0] m_axi_mem_arprot,
  output logic [3:0] m_axi_mem_arqos,
  output logic m_axi_mem_arvalid, input logic m_axi_mem_arready,
  input  logic [IdBits-1:0] m_axi_mem_rid, input logic [BusBytes*8-1:0] m_axi_mem_rdata,
  input  logic [1:0] m_axi_mem_rresp, input logic m_axi_mem_rlast,
  input  logic m_axi_mem_rvalid, output logic m_axi_mem_rready,
  output logic irq, output logic bus_err
);
  localparam int unsigned W = BusBytes * 8;

  logic        c_awvalid, c_awready, c_wvalid, c_wready, c_bvalid, c_bready;
  logic        c_arvalid, c_arready, c_rvalid, c_rready;
  logic [11:0] c_awaddr, c_araddr;
  logic [31:0] c_wdata, c_rdata;
  logic [3:0]  c_wstrb;
  logic [1:0]  c_bresp, c_rresp;

  logic         t_arvalid, t_arready, t_rvalid, t_rready, t_rlast;
  logic         t_awvalid, t_awready, t_wvalid, t_wready, t_wlast, t_bvalid, t_bready;
  logic [31:0]  t_araddr, t_awaddr;
  logic [7:0]   t_arlen, t_awlen;
  logic [W-1:0] t_rdata, t_wdata;

  tern_axil_slave u_ctrl (
    .s_axi_awaddr(s_axi_ctrl_awaddr), .s_axi_awprot(s_axi_ctrl_awprot),
    .s_axi_araddr(s_axi_ctrl_araddr), .s_axi_arprot(s_axi_ctrl_arprot),
    .s_axi_awvalid(s_axi_ctrl_awvalid), .s_axi_awready(s_axi_ctrl_awready),
    .s_axi_wdata(s_axi_ctrl_wdata), .s_axi_wstrb(s_axi_ctrl_wstrb),
    .s_axi_wvalid(s_axi_ctrl_wvalid), .s_axi_wready(s_axi_ctrl_wready),
    .s_axi_bresp(s_axi_ctrl_bresp), .s_axi_bvalid(s_axi_ctrl_bvalid),
    .s_axi_bready(s_axi_ctrl_bready),
    .s_axi_arvalid(s_axi_ctrl_arvalid), .s_axi_arready(s_axi_ctrl_arready),
    .s_axi_rdata(s_axi_ctrl_rdata), .s_axi_rresp(s_axi_ctrl_rresp),
    .s_axi_rvalid(s_axi_ctrl_rvalid), .s_axi_rready(s_axi_ctrl_rready),
    .t_awvalid_o(c_awvalid), .t_awready_i(c_awready), .t_awaddr_o(c_awaddr),
    .t_wvalid_o(c_wvalid), .t_wready_i(c_wready), .t_wdata_o(c_wdata), .t_wstrb_o(c_wstrb),
    .t_bvalid_i(c_bvalid), .t_bready_o(c_bready), .t_bresp_i(c_bresp),
    .t_arvalid_o(c_arvalid), .t_arready_i(c_arready), .t_araddr_o(c_araddr),
    .t_rvalid_i(c_rvalid), .t_rready_o(c_rready), .t_rdata_i(c_rdata), .t_rresp_i(c_rresp)
  );

  tern_top #(
    .Rows(Rows), .Lanes(Lanes), .WbufDepth(WbufDepth), .AbufDepth(AbufDepth),
    .AccDepth(AccDepth), .BusBytes(BusBytes), .QueueDepth(QueueDepth),
    .CounterBits(CounterBits)
  ) u_tern (
    .clk_i(aclk), .rst_ni(aresetn),
    .s_awvalid_i(c_awvalid), .s_awready_o(c_awready), .s_awaddr_i(c_awaddr),
    .s_wvalid_i(c_wvalid), .s_wready_o(c_wready), .s_wdata_i(c_wdata), .s_wstrb_i(c_wstrb),
    .s_bvalid_o(c_bvalid), .s_bready_i(c_bready), .s_bresp_o(c_bresp),
    .s_arvalid_i(c_arvalid), .s_arready_o(c_arready), .s_araddr_i(c_araddr),
    .s_rvalid_o(c_rvalid), .s_rready_i(c_rready), .s_rdata_o(c_rdata), .s_rresp_o(c_rresp),
    .m_arvalid_o(t_arvalid), .m_arready_i(t_arready), .m_araddr_o(t_araddr),
    .m_arlen_o(t_arlen), .m_rvalid_i(t_rvalid), .m_rready_o(t_rready), .m_rdata_i(t_rdata),
    .m_rlast_i(t_rlast),
    .m_awvalid_o(t_awvalid), .m_awready_i(t_awready), .m_awaddr_o(t_awaddr),
    .m_awlen_o(t_awlen), .m_wvalid_o(t_wvalid), .m_wready_i(t_wready), .m_wdata_o(t_wdata),
    .m_wlast_o(t_wlast), .m_bvalid_i(t_bvalid), .m_bready_o(t_bready),
    .irq_o(irq)
  );

  tern_axi_master #(.BusBytes(BusBytes), .IdBits(IdBits), .Bug(Bug)) u_mem (
    .clk_i(aclk), .rst_ni(aresetn),
    .t_arvalid_i(t_arvalid), .t_arready_o(t_arready), .t_araddr_i(t_araddr),
    .t_arlen_i(t_arlen), .t_rvalid_o(t_rvalid), .t_rready_i(t_rready), .t_rdata_o(t_rdata),
    .t_rlast_o(t_rlast),
    .t_awvalid_i(t_awvalid), .t_awready_o(t_awready), .t_awaddr_i(t_awaddr),
    .t_awlen_i(t_awlen), .t_wvalid_i(t_wvalid), .t_wready_o(t_wready), .t_wdata_i(t_wdata),
    .t_wlast_i(t_wlast), .t_bvalid_o(t_bvalid), .t_bready_i(t_bready),
    .m_axi_awid(m_axi_mem_awid), .m_axi_awaddr(m_axi_mem_awaddr),
    .m_axi_awlen(m_axi_mem_awlen), .m_axi_awsize(m_axi_mem_awsize),
    .m_axi_awburst(m_axi_mem_awburst), .m_axi_awlock(m_axi_mem_awlock),
    .m_axi_awcache(m_axi_mem_awcache), .m_axi_awprot(m_axi_mem_awprot),
    .m_axi_awqos(m_axi_mem_awqos), .m_axi_awvalid(m_axi_mem_awvalid),
    .m_axi_awready(m_axi_mem_awready),
    .m_axi_wdata(m_axi_mem_wdata), .m_axi_wstrb(m_axi_mem_wstrb),
    .m_axi_wlast(m_axi_mem_wlast), .m_axi_wvalid(m_axi_mem_wvalid),
    .m_axi_wready(m_axi_mem_wready),
    .m_axi_bid(m_axi_mem_bid), .m_axi_rid(m_axi_mem_rid),
    .m_axi_bresp(m_axi_mem_bresp), .m_axi_bvalid(m_axi_mem_bvalid),
    .m_axi_bready(m_axi_mem_bready),
    .m_axi_arid(m_axi_mem_arid), .m_axi_araddr(m_axi_mem_araddr),
    .m_axi_arlen(m_axi_mem_arlen), .m_axi_arsize(m_axi_mem_arsize),
    .m_axi_arburst(m_axi_mem_arburst), .m_axi_arlock(m_axi_mem_arlock),
    .m_axi_arcache(m_axi_mem_arcache), .m_axi_arprot(m_axi_mem_arprot),
    .m_axi_arqos(m_axi_mem_arqos), .m_axi_arvalid(m_axi_mem_arvalid),
    .m_axi_arready(m_axi_mem_arready),
    .m_axi_rdata(m_axi_mem_rdata), .m_axi_rresp(m_axi_mem_rresp),
    .m_axi_rlast(m_axi_mem_rlast), .m_axi_rvalid(m_axi_mem_rvalid),
    .m_axi_rready(m_axi_mem_rready),
    .err_o(bus_err)
  );
endmodule
