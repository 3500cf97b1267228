`default_nettype none
// tern_sram: one on-chip buffer (WBUF, ABUF or ACC) as a simple inferred memory with one
// write port and one registered read port, the shape every FPGA block RAM and SRAM compiler
// offers. The read is enabled so the (wide) read register only changes, and Verilator only
// copies the entry, when a unit actually reads. A read and a write of the same address in
// the same cycle return the old value; the units never do that (the dependency tokens order
// producers and consumers, and GEMM drains its pipeline between instructions), so the
// memory carries yosys's no_rw_check: without it yosys wraps every block RAM in a
// collision bypass (a register of the write data and address and a mux per read bit: at
// 8x8 about 450 LUT4 and 900 flip-flops over WBUF, ABUF and ACC, a third of an UP5K).
module tern_sram #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 16,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);
  (* no_rw_check *) logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= mem_q[raddr_i];
  end
endmodule
