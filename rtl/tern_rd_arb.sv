`default_nettype none
// tern_rd_arb: fetch and load share the AXI read channel. A request is copied into one output
// register slot (so m_ar* stay stable while m_arvalid waits for m_arready, as AXI requires, even if
// the other requester wins the next arbitration) and its owner is pushed into a small owner list
// at the same time. Responses come back in request order (single ID), so the list's oldest entry
// names the owner of the beat on the R channel; it is dropped on the last beat of a burst. Fetch
// wins ties: it issues few one-beat reads and starving it would idle every unit. OwnDepth
// (TERN_RD_ARB_OWN_DEPTH) bounds the bursts in flight and must cover both requesters' own limits.
module tern_rd_arb (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  // fetch: one-beat reads
  input  logic                  f_ar_valid_i,
  output logic                  f_ar_ready_o,
  input  logic [31:0]           f_ar_addr_i,
  output logic                  f_r_valid_o,
  // load: bursts
  input  logic                  l_ar_valid_i,
  output logic                  l_ar_ready_o,
  input  logic [31:0]           l_ar_addr_i,
  input  logic [7:0]            l_ar_len_i,
  output logic                  l_r_valid_o,
  input  logic                  l_r_ready_i,
  // memory master
  output logic                  m_arvalid_o,
  input  logic                  m_arready_i,
  output logic [31:0]           m_araddr_o,
  output logic [7:0]            m_arlen_o,
  input  logic                  m_rvalid_i,
  output logic                  m_rready_o,
  input  logic                  m_rlast_i
);
  `include "tern_isa.svh"

  // Bursts in flight at most: a generated constant the fast model shares.
  localparam int unsigned OwnDepth = TERN_RD_ARB_OWN_DEPTH;

  logic       slot_free, own_full, own_empty, own_head, take_f, take_l, r_fire;

  assign slot_free    = !m_arvalid_o || m_arready_i;
  assign take_f       = slot_free && !own_full && f_ar_valid_i;
  assign take_l       = slot_free && !own_full && !f_ar_valid_i && l_ar_valid_i;
  assign f_ar_ready_o = take_f;
  assign l_ar_ready_o = take_l;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_arvalid_o <= 1'b0;
      m_araddr_o  <= '0;
      m_arlen_o   <= '0;
    end else if (take_f) begin
      m_arvalid_o <= 1'b1;
      m_araddr_o  <= f_ar_addr_i;
      m_arlen_o   <= '0;
    end else if (take_l) begin
      m_arvalid_o <= 1'b1;
      m_araddr_o  <= l_ar_addr_i;
      m_arlen_o   <= l_ar_len_i;
    end else if (m_arready_i) begin
      m_arvalid_o <= 1'b0;
    end
  end

  // The owner list: a shift register that shifts on every push (one enable for all its
  // flip-flops, no per-entry write decode, no write or read pointer) and an occupancy count;
  // the oldest entry, the head, is entry own_n - 1. Same behaviour as a FIFO of OwnDepth.
  localparam int unsigned OwnW = $clog2(OwnDepth + 1);
  logic [OwnDepth-1:0] own_q;   // own_q[0]: the newest owner
  logic [OwnW-1:0]     own_n_q;
  logic                own_push, own_pop;
  assign own_push  = take_f || take_l;          // (take_* imply !own_full)
  assign own_pop   = r_fire && m_rlast_i;       // (r_fire implies !own_empty)
  assign own_full  = (own_n_q == OwnW'(OwnDepth));
  assign own_empty = (own_n_q == '0);
  always_comb begin
    own_head = 1'b0;
    for (int k = 1; k <= OwnDepth; k++) begin
      if (own_n_q == OwnW'(k)) own_head = own_q[k-1];
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      own_n_q <= '0;
    end else if (own_push && !own_pop) begin
      own_n_q <= own_n_q + 1'b1;
    end else if (own_pop && !own_push) begin
      own_n_q <= own_n_q - 1'b1;
    end
  end
  // no reset: an entry is only read while it is below own_n_q, so after it was pushed
  always_ff @(posedge clk_i) begin
    if (own_push) own_q <= {own_q[OwnDepth-2:0], take_l};
  end

  // owner 0 = fetch (always ready: its buffer space was reserved), 1 = load
  assign m_rready_o  = !own_empty && (own_head ? l_r_ready_i : 1'b1);
  assign r_fire      = m_rvalid_i && m_rready_o;
  assign f_r_valid_o = m_rvalid_i && !own_empty && !own_head;
  assign l_r_valid_o = m_rvalid_i && !own_empty && own_head;
endmodule
