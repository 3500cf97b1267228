`default_nettype none
// tern_rd_arb: fetch and load share the AXI read channel. A request is copied into one output
// register slot (so m_ar* stay stable while m_arvalid waits for m_arready, as AXI requires, even if
// the other requester wins the next arbitration) and its owner is pushed into a small FIFO at the
// same time. Responses come back in request order (single ID), so the FIFO head names the owner of
// the beat on the R channel; it pops on the last beat of a burst. Fetch wins ties: it issues few
// one-beat reads and starving it would idle every unit. OwnDepth (TERN_RD_ARB_OWN_DEPTH) bounds the
// bursts in flight and must cover both requesters' own limits.
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

  tern_fifo #(.Width(1), .Depth(OwnDepth)) u_own (
    .clk_i, .rst_ni, .clear_i(1'b0), .wr_i(1'b0),
    .push_i(take_f || take_l), .data_i(take_l), .full_o(own_full),
    .pop_i(r_fire && m_rlast_i), .data_o(own_head), .empty_o(own_empty)
  );

  // owner 0 = fetch (always ready: its buffer space was reserved), 1 = load
  assign m_rready_o  = !own_empty && (own_head ? l_r_ready_i : 1'b1);
  assign r_fire      = m_rvalid_i && m_rready_o;
  assign f_r_valid_o = m_rvalid_i && !own_empty && !own_head;
  assign l_r_valid_o = m_rvalid_i && !own_empty && own_head;
endmodule
