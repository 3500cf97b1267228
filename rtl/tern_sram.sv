`default_nettype none
// tern_sram: one on-chip buffer (WBUF, ABUF or ACC) as a simple inferred memory with one
// write port and one registered read port, the shape every FPGA block RAM and SRAM compiler
// offers, with a write enable per column of ColW bits (byte or bit write masks in FPGA block
// RAM: the load unit writes an entry slice by slice, see tern_gearbox). The read is enabled
// so the (wide) read register only changes, and Verilator only copies the entry, when a unit
// actually reads. A read and a write of the same address in
// the same cycle return the old value; the units never do that (the dependency tokens order
// producers and consumers, and GEMM drains its pipeline between instructions), so the
// memory carries yosys's no_rw_check: without it yosys wraps every block RAM in a
// collision bypass (a register of the write data and address and a mux per read bit: at
// 8x8 about 450 LUT4 and 900 flip-flops over WBUF, ABUF and ACC, a third of an UP5K).
module tern_sram #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 16,
  parameter int unsigned ColW = Width,  // bits per write-enable column (the last may be short)
  // 1: ask for UltraRAM (Xilinx UltraScale+ URAM288, 4096 x 72; synth_xilinx -uram): a board
  // whose block RAM the buffers outgrow (kv260 at 64x64) moves one there. Only a synthesis
  // attribute: the behaviour is the same.
  parameter int unsigned Ultra = 0,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CW = (ColW < Width) ? ColW : Width,  // a column wider: one column
  localparam int unsigned Cols = (Width + CW - 1) / CW,
  localparam int unsigned LastW = Width - (Cols - 1) * CW,
  localparam int FullCols = Cols - 1  // signed: the loop below may run zero times
) (
  input  logic             clk_i,
  input  logic [Cols-1:0]  we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);
  // The two branches differ only in the attribute (attributes cannot take a parameter).
  if (Ultra != 0) begin : g_ultra
    (* no_rw_check, ram_style = "ultra" *) logic [Width-1:0] mem_q [Depth];

    always_ff @(posedge clk_i) begin
      for (int c = 0; c < FullCols; c++) begin
        if (we_i[c]) mem_q[waddr_i][c*CW +: CW] <= wdata_i[c*CW +: CW];
      end
      if (we_i[Cols-1]) mem_q[waddr_i][(Cols-1)*CW +: LastW] <= wdata_i[(Cols-1)*CW +: LastW];
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end else begin : g_any
    (* no_rw_check *) logic [Width-1:0] mem_q [Depth];

    always_ff @(posedge clk_i) begin
      for (int c = 0; c < FullCols; c++) begin
        if (we_i[c]) mem_q[waddr_i][c*CW +: CW] <= wdata_i[c*CW +: CW];
      end
      if (we_i[Cols-1]) mem_q[waddr_i][(Cols-1)*CW +: LastW] <= wdata_i[(Cols-1)*CW +: LastW];
      if (re_i) rdata_o <= mem_q[raddr_i];
    end
  end
endmodule
