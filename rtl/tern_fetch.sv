`default_nettype none
`include "tern_isa_macros.svh"
// tern_fetch: reads the instruction stream, checks it and dispatches it in program order.
// Two halves share a small instruction buffer of FetchBuf entries. The prefetcher reads whole beats
// (BusBytes/TERN_INSN_BYTES instructions each, one-beat bursts so no burst can cross 4 KiB) as long
// as it holds credits for their buffer space, so several beats are in flight and DRAM latency is
// hidden; it only reads a beat whose first instruction index is below INSN_COUNT and inside the DMA
// window, and since instruction addresses only grow, it stops at the first one that is not. The
// checker side walks indices i = 0, 1, ...: i == INSN_COUNT is NO_END, an address outside the
// window (or a misaligned INSN_BASE) is FETCH_RANGE, else it takes instruction i from the buffer,
// runs tern_insn_check and either stops (error or END) or pushes {index, word} into the unit queue,
// waiting while it is full. Stopped, the prefetcher issues nothing more and outstanding beats drain
// into the buffer; idle_o says fetch is stopped and has no read in flight.
// The buffer is a RAM (block RAM on an FPGA, not FetchBuf x 128 flip-flops and a FetchBuf-way
// read mux): Ipb banks, slot s in bank s % Ipb at row s / Ipb, so a beat writes one row of
// every bank. The checker takes an instruction (chk_start) only when it is in the buffer, so
// written at least a cycle before: the banks read the row of the read pointer in that cycle
// and their output registers hold the word for the checker and the dispatch until the next
// one (no copy elsewhere, no bypass; the check's first MUL cycle reads the fields itself).
module tern_fetch #(
  parameter int unsigned Rows = 32,
  parameter int unsigned Lanes = 32,
  parameter int unsigned WbufDepth = 512,
  parameter int unsigned AbufDepth = 8192,
  parameter int unsigned AccDepth = 512,
  parameter int unsigned BusBytes = 32,
  parameter int unsigned QueueDepth = 16,  // unit queue entries: sizes the buffer (below)
  parameter bit FetchRam = 1'b1  // buffer in block RAM (0: flip-flops, for a part without any)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,     // clear state and start at index 0
  input  logic                  abort_i,     // watchdog: stop now
  input  logic [31:0]           insn_base_i,
  input  logic [31:0]           insn_count_i,
  input  logic [31:0]           dma_base_i,
  input  logic [31:0]           dma_limit_i,
  // read requests (one beat each) and read data
  output logic                  ar_valid_o,
  input  logic                  ar_ready_i,
  output logic [31:0]           ar_addr_o,
  input  logic                  r_valid_i,
  input  logic [BusBytes*8-1:0] r_data_i,
  // dispatch: queue 0 load, 1 compute, 2 store; entry = {index, word}, written (q_wr_o)
  // while it is checked and in every cycle up to its push, so before the push (EarlyWrite)
  output logic [2:0]            q_wr_o,
  output logic [2:0]            q_push_o,
  output logic [`TERN_QWORD_W-1:0] q_data_o,
  input  logic [2:0]            q_full_i,
  // status and events
  output logic                  idle_o,      // stopped, nothing in flight
  output logic                  blocked_o,   // holding a checked insn for a full queue
  output logic [7:0]            err_o,       // static error found (0 = none)
  output logic [31:0]           idx_o,       // next index to fetch (faulting index on error)
  output logic                  ev_fetch_o,  // one instruction read and checked
  output logic                  ev_end_o,    // END reached
  output logic                  ev_stall_o   // waiting on a full queue
);
  `include "tern_isa.svh"

  // Instructions per beat and buffer entries: the generated functions, which the fast model
  // has in C (tern_isa.h), so both size the buffer alike. FetchBuf is FETCH_BUF_BEATS beats,
  // or up to FETCH_BUF_MIN when the queues are that deep: with 2-entry queues (iCEBreaker)
  // it is 2 entries, not 8 x 128 flip-flops. Always a power of two that Ipb divides.
  localparam int unsigned Ipb = tern_fetch_insns_per_beat(BusBytes);
  localparam int unsigned FetchBuf = tern_fetch_buf_entries(BusBytes, QueueDepth);
  localparam int unsigned InflW = $clog2(TERN_FETCH_INFLIGHT_MAX + 1);
  // Instruction addresses are kept in units of TERN_INSN_BYTES (every address fetch uses is
  // a multiple of it: INSN_BASE is a multiple of BusBytes or nothing is fetched), and an
  // instruction is only taken below 4 GiB, so an index or address/TERN_INSN_BYTES stays
  // below 2^(32 - InsnLog) + FetchBuf + 2: AW bits hold both exactly (no wrap, no sticky
  // bit), and the queue word's index and idx_o are these zero-extended.
  localparam int unsigned InsnLog = $clog2(TERN_INSN_BYTES);
  localparam int unsigned AW = 32 - InsnLog + 1;
  localparam int unsigned PtrW = $clog2(FetchBuf);
  localparam int unsigned CntW = $clog2(FetchBuf + 1);
  localparam int unsigned LogBus = $clog2(BusBytes);
  localparam logic [PtrW-1:0] LastPtr = PtrW'(FetchBuf - 1);
  localparam logic [CntW-1:0] IpbC = CntW'(Ipb);
  localparam int unsigned BufRows = FetchBuf / Ipb;  // rows of a bank (Ipb divides FetchBuf)
  localparam int unsigned RowW = $clog2(BufRows);
  localparam int unsigned BankW = (Ipb > 1) ? $clog2(Ipb) : 1;

  typedef enum logic [1:0] {F_IDLE, F_NEXT, F_CHECK, F_DISP} state_e;

  state_e       state_q;
  logic [PtrW-1:0] wptr_q, rptr_q;
  logic [TERN_INSN_BITS-1:0] head;    // the word read at the last chk_start
  logic [CntW-1:0] valid_q;   // instructions in the buffer
  logic [CntW-1:0] credit_q;  // free slots not yet promised to a read in flight
  logic [InflW-1:0] inflight_q;  // beats requested, not yet arrived
  logic [AW-1:0] cur_idx_q;   // index the checker works on
  logic [AW-1:0] cur_a_q;     // its address / TERN_INSN_BYTES (INSN_BASE's low bits dropped)
  // The next beat to read, pf_idx (index of its first instruction) and pf_a (its address
  // / TERN_INSN_BYTES), is cur + the instructions read or requested past cur: the one being
  // checked or dispatched, those in the buffer and those in flight, i.e. FetchBuf - credit.
  // It is derived rather than counted (it was a second pair of registers with the same
  // updates: +Ipb per request, and cur + 1 per dispatch against the credit the pop returns).
  logic [AW-2:0] pf_a;      // its address bits below 4 GiB (ar_addr_o)
  localparam int unsigned KW = $clog2(FetchBuf + 2);
  logic [KW-1:0] pf_ahead;  // pf - cur: at most FetchBuf + 1
  logic [TERN_INSN_BITS-1:0] chk_insn;  // the word being checked and dispatched (= head)
  logic [7:0]   err_q;
  logic         chk_start, chk_done;
  logic [7:0]   chk_err;
  logic         base_ok, pf_ok, cur_in_win, ar_fire, pop, q_ok;
  logic [1:0]   q_sel;
  logic [3:0]   insn_op;

  assign base_ok    = (insn_base_i[LogBus-1:0] == '0);
  logic [CntW-1:0] promised;   // slots read or requested: FetchBuf - credit
  assign promised   = CntW'(FetchBuf) - credit_q;
  assign pf_ahead   = KW'(promised) + KW'(state_q == F_CHECK || state_q == F_DISP);
  assign pf_a       = cur_a_q[AW-2:0] + (AW-1)'(pf_ahead);
  // cur and the next beat are checked against INSN_COUNT and the DMA window from one
  // difference each, taken at cur: the beat at cur + pf_ahead passes a bound "x < B" when
  // B - cur > pf_ahead, and "x >= B" when (cur - B) + pf_ahead >= 0 (one subtractor and a
  // KW-bit test, not a second comparator per bound). An instruction at a lies in the
  // window when base <= a and a + INSN_BYTES <= limit; for a multiple a of INSN_BYTES the
  // second is a/INSN_BYTES < limit/INSN_BYTES rounded down (a limit below INSN_BYTES
  // admits no address).
  logic [32:0] d_cnt;   // INSN_COUNT - cur_idx
  logic [AW:0] d_lim;   // limit/INSN_BYTES - cur_a
  // cur address - DMA_BASE; its low bits only feed the borrow into the ones above
  /* verilator lint_off UNUSEDSIGNAL */
  logic [33:0] d_base;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [33-InsnLog:0] d_base_u;  // the same in instructions, rounded down
  logic cur_at_end, pf_below_cnt, cur_below_lim, pf_below_lim, cur_above_base, pf_above_base;
  logic [KW:0] base_carry;
  assign d_cnt   = {1'b0, insn_count_i} - 33'(cur_idx_q);
  assign d_lim   = (AW+1)'(dma_limit_i[31:InsnLog]) - (AW+1)'(cur_a_q);
  assign d_base  = {1'b0, cur_a_q, InsnLog'(0)} - {2'b00, dma_base_i};
  assign d_base_u = d_base[33:InsnLog];
  // B - cur > k for a signed d = B - cur: d >= 0 and (its bits above KW or its low KW > k)
  assign cur_at_end    = (d_cnt == '0);
  assign pf_below_cnt  = !d_cnt[32] && ((|d_cnt[31:KW]) || (d_cnt[KW-1:0] > pf_ahead));
  assign cur_below_lim = !d_lim[AW] && (d_lim != '0);
  assign pf_below_lim  = !d_lim[AW] && ((|d_lim[AW-1:KW]) || (d_lim[KW-1:0] > pf_ahead));
  // (cur - B) + k >= 0: d >= 0, or d in [-2^KW, -1] (bits above KW all ones) and its low
  // KW bits + k carry out
  assign base_carry    = {1'b0, d_base_u[KW-1:0]} + {1'b0, pf_ahead};
  assign cur_above_base = !d_base[33];
  assign pf_above_base = !d_base_u[33-InsnLog]
                      || ((&d_base_u[33-InsnLog:KW]) && base_carry[KW]);
  assign pf_ok      = pf_below_cnt && pf_below_lim && pf_above_base;
  assign cur_in_win = cur_below_lim && cur_above_base;
  assign ar_valid_o = (state_q != F_IDLE) && base_ok && pf_ok && (credit_q >= IpbC)
                   && (inflight_q != InflW'(TERN_FETCH_INFLIGHT_MAX));
  assign ar_addr_o  = {pf_a, InsnLog'(0)};
  assign ar_fire    = ar_valid_o && ar_ready_i;
  assign chk_start  = (state_q == F_NEXT) && !cur_at_end && base_ok
                   && cur_in_win && (valid_q != '0);
  assign pop        = chk_start;

  assign insn_op = tern_opcode(chk_insn);
  always_comb begin
    q_sel = 2'd0;
    unique case (insn_op)
      TERN_OP_GEMM:  q_sel = 2'd1;
      TERN_OP_STORE: q_sel = 2'd2;
      default:       q_sel = 2'd0;
    endcase
  end
  assign q_ok     = !q_full_i[q_sel];
  assign q_data_o = tern_qword_pack(32'(cur_idx_q), chk_insn);
  always_comb begin
    q_wr_o   = '0;
    q_push_o = '0;
    if (state_q == F_CHECK || state_q == F_DISP) q_wr_o[q_sel] = 1'b1;
    if (state_q == F_DISP && q_ok) q_push_o[q_sel] = 1'b1;
  end

  tern_insn_check #(
    .Rows(Rows), .Lanes(Lanes), .WbufDepth(WbufDepth), .AbufDepth(AbufDepth),
    .AccDepth(AccDepth), .BusBytes(BusBytes)
  ) u_check (
    .clk_i, .rst_ni,
    .start_i(chk_start), .insn_i(head),
    .dma_base_i, .dma_limit_i,
    .done_o(chk_done), .err_o(chk_err)
  );
  assign chk_insn = head;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= F_IDLE;
      wptr_q     <= '0;
      rptr_q     <= '0;
      valid_q    <= '0;
      credit_q   <= CntW'(FetchBuf);
      inflight_q <= '0;
      cur_idx_q  <= '0;
      cur_a_q    <= '0;
      err_q      <= TERN_ERR_OK;
    end else if (start_i) begin
      state_q    <= F_NEXT;
      wptr_q     <= '0;
      rptr_q     <= '0;
      valid_q    <= '0;
      credit_q   <= CntW'(FetchBuf);
      inflight_q <= '0;
      cur_idx_q  <= '0;
      cur_a_q    <= AW'(insn_base_i[31:InsnLog]);
      err_q      <= TERN_ERR_OK;
    end else begin
      // prefetch side
      if (ar_fire && !r_valid_i) inflight_q <= inflight_q + 1'b1;
      else if (r_valid_i && !ar_fire) inflight_q <= inflight_q - 1'b1;
      if (r_valid_i) wptr_q <= PtrW'(wptr_q + PtrW'(Ipb));
      // buffer occupancy: +Ipb on arrival, -1 on pop; credits: -Ipb on request, +1 on pop
      valid_q  <= valid_q + (r_valid_i ? IpbC : '0) - (pop ? CntW'(1) : '0);
      credit_q <= credit_q - (ar_fire ? IpbC : '0) + (pop ? CntW'(1) : '0);
      if (pop) rptr_q <= (rptr_q == LastPtr) ? '0 : rptr_q + 1'b1;

      // checker side
      unique case (state_q)
        F_IDLE: ;
        F_NEXT: begin
          if (cur_at_end) begin
            err_q   <= TERN_ERR_NO_END;
            state_q <= F_IDLE;
          end else if (!base_ok || !cur_in_win) begin
            err_q   <= TERN_ERR_FETCH_RANGE;
            state_q <= F_IDLE;
          end else if (chk_start) begin
            state_q <= F_CHECK;
          end
        end
        F_CHECK: begin
          if (chk_done) begin
            if (chk_err != TERN_ERR_OK) begin
              err_q   <= chk_err;
              state_q <= F_IDLE;
            end else if (insn_op == TERN_OP_END) begin
              state_q <= F_IDLE;
            end else begin
              state_q <= F_DISP;
            end
          end
        end
        F_DISP: begin
          if (q_ok) begin
            cur_idx_q  <= cur_idx_q + 1'b1;
            cur_a_q    <= cur_a_q + 1'b1;
            state_q    <= F_NEXT;
          end
        end
        default: state_q <= F_IDLE;
      endcase
      if (abort_i) state_q <= F_IDLE;
    end
  end

  // The buffer. An arriving beat fills Ipb consecutive slots, row wptr/Ipb of every bank
  // (wptr is a multiple of Ipb); a row is written only when all its slots are free, so never
  // the row being read.
  logic [RowW-1:0] wrow, rrow;
  logic [TERN_INSN_BITS-1:0] bank_rd [Ipb];
  assign wrow = wptr_q[PtrW-1 -: RowW];
  assign rrow = rptr_q[PtrW-1 -: RowW];
  // ram_style: yosys keeps a memory of a few rows in flip-flops unless told otherwise.
  for (genvar k = 0; k < Ipb; k++) begin : g_bank
    logic [TERN_INSN_BITS-1:0] wdata, rd_q;
    assign wdata = r_data_i[TERN_INSN_BITS*k +: TERN_INSN_BITS];
    if (FetchRam) begin : g_bram
      (* no_rw_check, ram_style = "block" *) logic [TERN_INSN_BITS-1:0] mem_q [BufRows];
      always_ff @(posedge clk_i) begin
        if (r_valid_i) mem_q[wrow] <= wdata;
        if (chk_start) rd_q <= mem_q[rrow];
      end
    end else begin : g_ff
      (* ram_style = "logic" *) logic [TERN_INSN_BITS-1:0] mem_q [BufRows];
      always_ff @(posedge clk_i) begin
        if (r_valid_i) mem_q[wrow] <= wdata;
        if (chk_start) rd_q <= mem_q[rrow];
      end
    end
    assign bank_rd[k] = rd_q;
  end
  if (Ipb > 1) begin : g_sel
    logic [BankW-1:0] rbank_q;  // the read slot's bank
    always_ff @(posedge clk_i) if (chk_start) rbank_q <= rptr_q[BankW-1:0];
    assign head = bank_rd[rbank_q];
  end else begin : g_one
    assign head = bank_rd[0];
  end

  assign idle_o     = (state_q == F_IDLE) && (inflight_q == '0);
  assign blocked_o  = (state_q == F_DISP) && !q_ok;
  assign err_o      = err_q;
  assign idx_o      = 32'(cur_idx_q);
  assign ev_fetch_o = (state_q == F_CHECK) && chk_done;
  assign ev_end_o   = ev_fetch_o && (chk_err == TERN_ERR_OK) && (insn_op == TERN_OP_END);
  assign ev_stall_o = blocked_o;
endmodule
