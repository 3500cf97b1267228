// tern_ip: a plain-Verilog shell around rtl/tern_axi_top.sv for Vivado block designs.
// Vivado's module reference (create_bd_cell -type module -reference) does not accept a
// SystemVerilog file as the referenced top, so this file only renames nothing and passes
// everything through; Vivado infers the s_axi_ctrl (AXI4-Lite), m_axi_mem (AXI4) and
// interrupt interfaces from the port names and the X_INTERFACE attributes below. The
// parameters are tern_top's (synth/vivado/tern_bd.tcl sets them from the board preset).
`default_nettype none
module tern_ip #(
  parameter Rows = 16, Lanes = 16, WbufDepth = 512, AbufDepth = 8192, AccDepth = 512,
  parameter BusBytes = 16, QueueDepth = 16, CounterBits = 48
) (
  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axi_ctrl:m_axi_mem, ASSOCIATED_RESET aresetn" *)
  input  wire aclk,
  input  wire aresetn,
  input  wire [31:0] s_axi_ctrl_awaddr, input wire [2:0] s_axi_ctrl_awprot,
  input  wire s_axi_ctrl_awvalid, output wire s_axi_ctrl_awready,
  input  wire [31:0] s_axi_ctrl_wdata, input wire [3:0] s_axi_ctrl_wstrb,
  input  wire s_axi_ctrl_wvalid, output wire s_axi_ctrl_wready,
  output wire [1:0] s_axi_ctrl_bresp, output wire s_axi_ctrl_bvalid, input wire s_axi_ctrl_bready,
  input  wire [31:0] s_axi_ctrl_araddr, input wire [2:0] s_axi_ctrl_arprot,
  input  wire s_axi_ctrl_arvalid, output wire s_axi_ctrl_arready,
  output wire [31:0] s_axi_ctrl_rdata, output wire [1:0] s_axi_ctrl_rresp,
  output wire s_axi_ctrl_rvalid, input wire s_axi_ctrl_rready,
  output wire [3:0] m_axi_mem_awid, output wire [31:0] m_axi_mem_awaddr,
  output wire [7:0] m_axi_mem_awlen, output wire [2:0] m_axi_mem_awsize,
  output wire [1:0] m_axi_mem_awburst, output wire m_axi_mem_awlock,
  output wire [3:0] m_axi_mem_awcache, output wire [2:0] m_axi_mem_awprot,
  output wire [3:0] m_axi_mem_awqos, output wire m_axi_mem_awvalid, input wire m_axi_mem_awready,
  output wire [BusBytes*8-1:0] m_axi_mem_wdata, output wire [BusBytes-1:0] m_axi_mem_wstrb,
  output wire m_axi_mem_wlast, output wire m_axi_mem_wvalid, input wire m_axi_mem_wready,
  input  wire [3:0] m_axi_mem_bid, input wire [1:0] m_axi_mem_bresp,
  input  wire m_axi_mem_bvalid, output wire m_axi_mem_bready,
  output wire [3:0] m_axi_mem_arid, output wire [31:0] m_axi_mem_araddr,
  output wire [7:0] m_axi_mem_arlen, output wire [2:0] m_axi_mem_arsize,
  output wire [1:0] m_axi_mem_arburst, output wire m_axi_mem_arlock,
  output wire [3:0] m_axi_mem_arcache, output wire [2:0] m_axi_mem_arprot,
  output wire [3:0] m_axi_mem_arqos, output wire m_axi_mem_arvalid, input wire m_axi_mem_arready,
  input  wire [3:0] m_axi_mem_rid, input wire [BusBytes*8-1:0] m_axi_mem_rdata,
  input  wire [1:0] m_axi_mem_rresp, input wire m_axi_mem_rlast,
  input  wire m_axi_mem_rvalid, output wire m_axi_mem_rready,
  (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 irq INTERRUPT" *)
  (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)
  output wire irq,
  output wire bus_err
);
  tern_axi_top #(
    .Rows(Rows), .Lanes(Lanes), .WbufDepth(WbufDepth), .AbufDepth(AbufDepth),
    .AccDepth(AccDepth), .BusBytes(BusBytes), .QueueDepth(QueueDepth),
    .CounterBits(CounterBits), .IdBits(4)
  ) u_tern (
    .aclk(aclk), .aresetn(aresetn), .s_axi_ctrl_awaddr(s_axi_ctrl_awaddr),
    .s_axi_ctrl_awprot(s_axi_ctrl_awprot), .s_axi_ctrl_awvalid(s_axi_ctrl_awvalid),
    .s_axi_ctrl_awready(s_axi_ctrl_awready), .s_axi_ctrl_wdata(s_axi_ctrl_wdata),
    .s_axi_ctrl_wstrb(s_axi_ctrl_wstrb), .s_axi_ctrl_wvalid(s_axi_ctrl_wvalid),
    .s_axi_ctrl_wready(s_axi_ctrl_wready), .s_axi_ctrl_bresp(s_axi_ctrl_bresp),
    .s_axi_ctrl_bvalid(s_axi_ctrl_bvalid), .s_axi_ctrl_bready(s_axi_ctrl_bready),
    .s_axi_ctrl_araddr(s_axi_ctrl_araddr), .s_axi_ctrl_arprot(s_axi_ctrl_arprot),
    .s_axi_ctrl_arvalid(s_axi_ctrl_arvalid), .s_axi_ctrl_arready(s_axi_ctrl_arready),
    .s_axi_ctrl_rdata(s_axi_ctrl_rdata), .s_axi_ctrl_rresp(s_axi_ctrl_rresp),
    .s_axi_ctrl_rvalid(s_axi_ctrl_rvalid), .s_axi_ctrl_rready(s_axi_ctrl_rready),
    .m_axi_mem_awid(m_axi_mem_awid), .m_axi_mem_awaddr(m_axi_mem_awaddr),
    .m_axi_mem_awlen(m_axi_mem_awlen), .m_axi_mem_awsize(m_axi_mem_awsize),
    .m_axi_mem_awburst(m_axi_mem_awburst), .m_axi_mem_awlock(m_axi_mem_awlock),
    .m_axi_mem_awcache(m_axi_mem_awcache), .m_axi_mem_awprot(m_axi_mem_awprot),
    .m_axi_mem_awqos(m_axi_mem_awqos), .m_axi_mem_awvalid(m_axi_mem_awvalid),
    .m_axi_mem_awready(m_axi_mem_awready), .m_axi_mem_wdata(m_axi_mem_wdata),
    .m_axi_mem_wstrb(m_axi_mem_wstrb), .m_axi_mem_wlast(m_axi_mem_wlast),
    .m_axi_mem_wvalid(m_axi_mem_wvalid), .m_axi_mem_wready(m_axi_mem_wready),
    .m_axi_mem_bid(m_axi_mem_bid), .m_axi_mem_bresp(m_axi_mem_bresp),
    .m_axi_mem_bvalid(m_axi_mem_bvalid), .m_axi_mem_bready(m_axi_mem_bready),
    .m_axi_mem_arid(m_axi_mem_arid), .m_axi_mem_araddr(m_axi_mem_araddr),
    .m_axi_mem_arlen(m_axi_mem_arlen), .m_axi_mem_arsize(m_axi_mem_arsize),
    .m_axi_mem_arburst(m_axi_mem_arburst), .m_axi_mem_arlock(m_axi_mem_arlock),
    .m_axi_mem_arcache(m_axi_mem_arcache), .m_axi_mem_arprot(m_axi_mem_arprot),
    .m_axi_mem_arqos(m_axi_mem_arqos), .m_axi_mem_arvalid(m_axi_mem_arvalid),
    .m_axi_mem_arready(m_axi_mem_arready), .m_axi_mem_rid(m_axi_mem_rid),
    .m_axi_mem_rdata(m_axi_mem_rdata), .m_axi_mem_rresp(m_axi_mem_rresp),
    .m_axi_mem_rlast(m_axi_mem_rlast), .m_axi_mem_rvalid(m_axi_mem_rvalid),
    .m_axi_mem_rready(m_axi_mem_rready), .irq(irq), .bus_err(bus_err)
  );
endmodule
