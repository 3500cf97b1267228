`default_nettype none
// tern_sched: the run controller. START (ignored while busy) clears every unit, queue,
// token counter and event counter and starts fetch. The run ends when nothing can happen
// any more: every unit idle with an empty queue or waiting on an empty token counter, and
// fetch stopped (END or a static error, no read in flight) or blocked on a full queue. The
// condition must hold two cycles in a row, which covers the one cycle a pushed token takes
// to become visible. Then: a static error found by fetch is reported (it outranks the
// deadlock it may cause); else a unit still waiting, or fetch still blocked, is DEADLOCK at
// the smallest waiting instruction index; else the run finished cleanly at END. The
// watchdog counts run cycles; at the limit it aborts every unit (bursts in flight are
// completed so the bus is left idle) and reports WATCHDOG at the next index to fetch.
module tern_sched (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_req_i,
  input  logic [31:0] watchdog_i,
  input  logic        fetch_idle_i,
  input  logic        fetch_blocked_i,
  input  logic [7:0]  fetch_err_i,
  input  logic [31:0] fetch_idx_i,
  input  logic [2:0]  unit_busy_i,   // 0 load, 1 compute, 2 store
  input  logic [2:0]  unit_empty_i,  // queue empty
  input  logic [2:0]  unit_wait_i,   // head waits on an empty token counter
  input  logic [95:0] unit_idx_i,    // head instruction index, unit u at bits 32u+31..32u
  output logic        busy_o,
  output logic        done_o,
  output logic        error_o,
  output logic [7:0]  err_code_o,
  output logic [31:0] err_insn_o,
  output logic        start_o,       // clear pulse to every block
  output logic        abort_o,
  output logic        done_set_o     // pulse: a run finished
);
  `include "tern_isa.svh"

  logic        settle_q;
  // ncyc_q: ~(run cycles so far + 1), kept inverted so the watchdog comparison is the carry of
  // ncyc_q + WATCHDOG with both operands raw: ~c + w >= 2^32 iff w > c (no inverter row).
  logic [31:0] ncyc_q, abort_idx_q;
  /* verilator lint_off UNUSEDSIGNAL */  // only the carry is the comparison
  logic [32:0] wd_sum;
  /* verilator lint_on UNUSEDSIGNAL */
  logic        quiet, halted, any_wait, finish;
  logic [7:0]  fin_code;
  logic [31:0] fin_idx, min_idx;

  assign start_o = start_req_i && !busy_o;
  assign wd_sum  = {1'b0, ncyc_q} + {1'b0, watchdog_i};

  always_comb begin
    quiet    = 1'b1;
    any_wait = 1'b0;
    min_idx  = '1;
    for (int u = 0; u < 3; u++) begin
      if (unit_busy_i[u] || !(unit_empty_i[u] || unit_wait_i[u])) quiet = 1'b0;
      if (unit_wait_i[u]) begin
        any_wait = 1'b1;
        // unit 0 against '1 needs no comparison: an index of '1 leaves min_idx '1 anyway
        if (u == 0 || unit_idx_i[32*u +: 32] < min_idx) min_idx = unit_idx_i[32*u +: 32];
      end
    end
  end
  assign halted = fetch_idle_i || fetch_blocked_i;

  always_comb begin
    finish   = 1'b0;
    fin_code = TERN_ERR_OK;
    fin_idx  = '0;
    if (abort_o) begin
      finish   = fetch_idle_i && (unit_busy_i == '0);
      fin_code = TERN_ERR_WATCHDOG;
      fin_idx  = abort_idx_q;
    end else if (quiet && halted && settle_q) begin
      finish = 1'b1;
      if (fetch_err_i != TERN_ERR_OK) begin
        fin_code = fetch_err_i;
        fin_idx  = fetch_idx_i;
      end else if (any_wait || fetch_blocked_i) begin
        fin_code = TERN_ERR_DEADLOCK;
        fin_idx  = min_idx;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_o      <= 1'b0;
      done_o      <= 1'b0;
      error_o     <= 1'b0;
      err_code_o  <= TERN_ERR_OK;
      err_insn_o  <= '0;
      abort_o     <= 1'b0;
      abort_idx_q <= '0;
      settle_q    <= 1'b0;
      ncyc_q      <= ~32'd1;
      done_set_o  <= 1'b0;
    end else begin
      done_set_o <= 1'b0;
      if (start_o) begin
        busy_o     <= 1'b1;
        done_o     <= 1'b0;
        error_o    <= 1'b0;
        err_code_o <= TERN_ERR_OK;
        err_insn_o <= '0;
        abort_o    <= 1'b0;
        settle_q   <= 1'b0;
        ncyc_q     <= ~32'd1;
      end else if (busy_o) begin
        ncyc_q   <= ncyc_q - 32'd1;
        settle_q <= quiet && halted;
        if (!abort_o && watchdog_i != '0 && !wd_sum[32]) begin  // cycles + 1 >= WATCHDOG
          abort_o     <= 1'b1;
          abort_idx_q <= fetch_idx_i;
        end
        if (finish) begin
          busy_o     <= 1'b0;
          done_o     <= 1'b1;
          error_o    <= (fin_code != TERN_ERR_OK);
          err_code_o <= fin_code;
          err_insn_o <= fin_idx;
          abort_o    <= 1'b0;
          done_set_o <= 1'b1;
        end
      end
    end
  end
endmodule
