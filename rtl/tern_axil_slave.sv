`default_nettype none
// tern_axil_slave: tern_top's CSR port as a standard AXI4-Lite slave with the signal set an
// interconnect or a Zynq HPM port expects (32-bit addresses, AxPROT, xRESP). The CSR file
// (tern_csr) already keeps the AXI4-Lite rules: AW and W accepted independently in any
// order, B and R held until taken, OKAY responses. The window is 4 KiB (the register map
// of docs/isa.md), so only address bits 11:0 select a register and the window repeats
// above it, as a 4 KiB aperture decoded by the interconnect should; AxPROT carries no
// meaning for a register file that has no secure or privileged state.
module tern_axil_slave (
  // AXI4-Lite slave
  /* verilator lint_off UNUSEDSIGNAL */  // decoded by the interconnect: see above
  input  logic [31:0] s_axi_awaddr, input logic [2:0] s_axi_awprot,
  input  logic [31:0] s_axi_araddr, input logic [2:0] s_axi_arprot,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic s_axi_awvalid, output logic s_axi_awready,
  input  logic [31:0] s_axi_wdata, input logic [3:0] s_axi_wstrb,
  input  logic s_axi_wvalid, output logic s_axi_wready,
  output logic [1:0] s_axi_bresp, output logic s_axi_bvalid, input logic s_axi_bready,
  input  logic s_axi_arvalid, output logic s_axi_arready,
  output logic [31:0] s_axi_rdata, output logic [1:0] s_axi_rresp,
  output logic s_axi_rvalid, input logic s_axi_rready,
  // tern_top's CSR port
  output logic t_awvalid_o, input logic t_awready_i, output logic [11:0] t_awaddr_o,
  output logic t_wvalid_o, input logic t_wready_i, output logic [31:0] t_wdata_o,
  output logic [3:0] t_wstrb_o,
  input  logic t_bvalid_i, output logic t_bready_o, input logic [1:0] t_bresp_i,
  output logic t_arvalid_o, input logic t_arready_i, output logic [11:0] t_araddr_o,
  input  logic t_rvalid_i, output logic t_rready_o, input logic [31:0] t_rdata_i,
  input  logic [1:0] t_rresp_i
);
  assign t_awvalid_o   = s_axi_awvalid;
  assign s_axi_awready = t_awready_i;
  assign t_awaddr_o    = s_axi_awaddr[11:0];
  assign t_wvalid_o    = s_axi_wvalid;
  assign s_axi_wready  = t_wready_i;
  assign t_wdata_o     = s_axi_wdata;
  assign t_wstrb_o     = s_axi_wstrb;
  assign s_axi_bvalid  = t_bvalid_i;
  assign t_bready_o    = s_axi_bready;
  assign s_axi_bresp   = t_bresp_i;
  assign t_arvalid_o   = s_axi_arvalid;
  assign s_axi_arready = t_arready_i;
  assign t_araddr_o    = s_axi_araddr[11:0];
  assign s_axi_rvalid  = t_rvalid_i;
  assign t_rready_o    = s_axi_rready;
  assign s_axi_rdata   = t_rdata_i;
  assign s_axi_rresp   = t_rresp_i;
endmodule
