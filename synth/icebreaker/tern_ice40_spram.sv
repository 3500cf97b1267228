`default_nettype none
// tern_ice40_spram: one 16K x 16 single-port RAM of the iCE40 UltraPlus (SB_SPRAM256KA).
// Under yosys (SYNTHESIS) it is the hard block itself, so placement uses one of the four
// SPRAMs and no logic; elsewhere (Verilator lint, simulation) an equivalent array with the
// block's timing: one access per cycle, read data valid the cycle after the address.
module tern_ice40_spram (
  input  logic        clk_i,
  input  logic [13:0] addr_i,
  input  logic [15:0] wdata_i,
  input  logic        we_i,
  output logic [15:0] rdata_o
);
`ifdef SYNTHESIS
  SB_SPRAM256KA u_spram (
    .ADDRESS(addr_i), .DATAIN(wdata_i), .MASKWREN(4'hf), .WREN(we_i), .CHIPSELECT(1'b1),
    .CLOCK(clk_i), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(rdata_o)
  );
`else
  logic [15:0] mem_q [16384];
  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[addr_i] <= wdata_i;
    rdata_o <= mem_q[addr_i];
  end
`endif
endmodule
