`default_nettype none
// tern_fifo: a small synchronous FIFO (the three instruction queues and the store unit's
// burst list). Entries are addressed by wrapping pointers; an explicit
// occupancy count makes full/empty exact for any Depth (not only powers of two). The head
// is visible without a read request so a consumer can look at the next entry before it
// pops it (the units inspect the dependency flags of their head instruction); an entry
// pushed into an empty FIFO is the head from the next cycle on. Two storage styles, same
// cycle behaviour:
//  - Depth >= TERN_QUEUE_RAM_MIN_DEPTH: an inferred RAM with one registered read port
//    (block RAM on iCE40, LUT RAM on Xilinx). The read address is the head after this
//    cycle's pop (rptr or rptr + 1), so the registered output already holds the next
//    head; when that entry is the one being written in the same cycle, the written data is
//    taken instead (the usual write-to-read bypass, explicit here, so the memory carries
//    yosys's no_rw_check and yosys adds no collision logic of its own).
//  - shallower: a register array that shifts down on a pop, so the head is always entry 0
//    and there is no read mux (an entry's input is a 2:1 choice between data_i and the entry
//    above it, which packs with its flip-flop on a LUT4 part: a 2-entry queue costs 2 logic
//    cells a bit instead of 3). A write goes to entry cnt (cnt - 1 when this cycle pops), so
//    entries 0..cnt-1 hold what a pointer FIFO holds at rptr..rptr+cnt-1 (and entry cnt the
//    EarlyWrite one); only the free entries above may differ, and data_o only while empty.
// clear_i empties the FIFO synchronously (a new run starts with empty queues).
// EarlyWrite (the instruction queues): the producer also presents an entry with wr_i before
// it pushes it; wr_i writes data_i into the free slot at the write pointer (when there is
// one, or one is freed by this cycle's pop) without pushing, and the producer guarantees
// that every pushed entry was so written at least one cycle before its push. Then the RAM
// already holds an entry when it becomes the head, and the bypass (a Width-bit mux and the
// head register it feeds, which kept the RAM's own output register unused) is not built.
module tern_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4,
  parameter bit EarlyWrite = 1'b0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clear_i,
  input  logic             wr_i,     // EarlyWrite: write data_i into the free slot, no push
  input  logic             push_i,
  input  logic [Width-1:0] data_i,
  output logic             full_o,
  input  logic             pop_i,
  output logic [Width-1:0] data_o,
  output logic             empty_o
);
  `include "tern_isa.svh"

  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1;
  localparam int unsigned CntW = $clog2(Depth + 1);
  localparam logic [PtrW-1:0] LastPtr = PtrW'(Depth - 1);
  localparam logic [CntW-1:0] FullCnt = CntW'(Depth);
  localparam bit UseRam = (Depth >= TERN_QUEUE_RAM_MIN_DEPTH);

  logic [CntW-1:0]  cnt_q;
  logic             do_push, do_pop, do_wr;

  assign full_o  = (cnt_q == FullCnt);
  assign empty_o = (cnt_q == '0);
  assign do_push = push_i && !full_o;
  assign do_pop  = pop_i && !empty_o;
  assign do_wr   = do_push || (EarlyWrite && wr_i && (!full_o || do_pop));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= '0;
    end else if (clear_i) begin
      cnt_q <= '0;
    end else begin
      if (do_push && !do_pop) cnt_q <= cnt_q + 1'b1;
      else if (do_pop && !do_push) cnt_q <= cnt_q - 1'b1;
    end
  end

  // Storage has no reset: an entry is only read after it was written (the RAM style's
  // output register may hold a stale entry while the FIFO is empty; nobody looks then).
  if (UseRam) begin : g_ram
    (* no_rw_check *) logic [Width-1:0] mem_q [Depth];
    logic [PtrW-1:0]  wptr_q, rptr_q, rptr_d;
    logic [Width-1:0] head_q;
    assign rptr_d = do_pop ? ((rptr_q == LastPtr) ? '0 : rptr_q + 1'b1) : rptr_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wptr_q <= '0;
        rptr_q <= '0;
      end else if (clear_i) begin
        wptr_q <= '0;
        rptr_q <= '0;
      end else begin
        if (do_push) wptr_q <= (wptr_q == LastPtr) ? '0 : wptr_q + 1'b1;
        rptr_q <= rptr_d;
      end
    end
    always_ff @(posedge clk_i) begin
      if (do_wr) mem_q[wptr_q] <= data_i;
      if (!EarlyWrite && do_push && wptr_q == rptr_d) head_q <= data_i;
      else head_q <= mem_q[rptr_d];
    end
    assign data_o = head_q;
  end else begin : g_regs
    logic [Width-1:0] ent_q [Depth];  // ent_q[0] is the head
    logic [CntW-1:0]  wsel;           // the entry this cycle's write lands in
    assign wsel = cnt_q - (do_pop ? CntW'(1) : '0);
    for (genvar k = 0; k < Depth; k++) begin : g_ent
      logic wr_here;
      assign wr_here = do_wr && (wsel == CntW'(k));
      if (k + 1 < Depth) begin : g_shift
        always_ff @(posedge clk_i) begin
          if (wr_here) ent_q[k] <= data_i;
          else if (do_pop) ent_q[k] <= ent_q[k + 1];
        end
      end else begin : g_top  // a pop leaves the top entry free: it keeps its stale word
        always_ff @(posedge clk_i) if (wr_here) ent_q[k] <= data_i;
      end
    end
    assign data_o = ent_q[0];
  end
endmodule
