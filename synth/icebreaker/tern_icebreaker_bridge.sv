`default_nettype none
// tern_icebreaker_bridge: the host's way into the board over the USB serial port. The
// iCEBreaker has no CPU, so a PC plays the driver: it writes the program and data into
// device memory, programs the CSRs, starts a run and reads back results, one 32-bit word
// per command. Commands (bytes, little-endian words):
//   'w' A4 D4  CSR write    -> 'k'        'r' A4  CSR read    -> D4
//   'W' A4 D4  memory write -> 'k'        'R' A4  memory read -> D4
// Any other first byte is answered with '?' and dropped. CSR commands drive tern_top's
// AXI4-Lite slave (address and data channels offered together, each held until taken);
// memory commands go to tern_ice40_mem's host port.
module tern_icebreaker_bridge (
  input  logic clk_i, input logic rst_ni,
  input  logic rx_valid_i, input logic [7:0] rx_data_i,
  output logic tx_valid_o, output logic [7:0] tx_data_o, input logic tx_ready_i,
  output logic s_awvalid_o, input logic s_awready_i, output logic [11:0] s_awaddr_o,
  output logic s_wvalid_o, input logic s_wready_i, output logic [31:0] s_wdata_o,
  input  logic s_bvalid_i, output logic s_bready_o,
  output logic s_arvalid_o, input logic s_arready_i, output logic [11:0] s_araddr_o,
  input  logic s_rvalid_i, output logic s_rready_o, input logic [31:0] s_rdata_i,
  output logic h_req_o, output logic h_we_o, output logic [16:0] h_addr_o,
  output logic [31:0] h_wdata_o, input logic [31:0] h_rdata_i, input logic h_done_i
);
  typedef enum logic [2:0] {Collect, CsrWr, CsrB, CsrRd, CsrR, Mem, Reply} state_e;
  state_e      st_q;
  logic [7:0]  cmd_q;
  logic [16:0] addr_q;       // the address bits any target uses (the memory's 128 KB)
  logic [31:0] data_q;
  logic [3:0]  got_q;        // bytes of the command received so far
  logic [2:0]  send_q;       // reply bytes still to send
  logic        aw_done_q, w_done_q;
  logic        is_write, known;

  assign is_write = cmd_q == "w" || cmd_q == "W";
  assign known = rx_data_i == "w" || rx_data_i == "r" || rx_data_i == "W" || rx_data_i == "R";
  assign s_awaddr_o = addr_q[11:0];
  assign s_araddr_o = addr_q[11:0];
  assign s_wdata_o  = data_q;
  assign h_addr_o   = addr_q;
  assign h_wdata_o  = data_q;
  assign h_we_o     = cmd_q == "W";
  assign s_awvalid_o = st_q == CsrWr && !aw_done_q;
  assign s_wvalid_o  = st_q == CsrWr && !w_done_q;
  assign s_bready_o  = st_q == CsrB;
  assign s_arvalid_o = st_q == CsrRd;
  assign s_rready_o  = st_q == CsrR;
  assign h_req_o     = st_q == Mem;
  assign tx_valid_o  = st_q == Reply && tx_ready_i;
  assign tx_data_o   = is_write ? "k" : (cmd_q == "?" ? "?" : data_q[7:0]);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= Collect; cmd_q <= '0; addr_q <= '0; data_q <= '0; got_q <= '0; send_q <= '0;
      aw_done_q <= 1'b0; w_done_q <= 1'b0;
    end else begin
      unique case (st_q)
        Collect: if (rx_valid_i) begin
          got_q <= got_q + 4'd1;
          if (got_q == 4'd0) begin
            cmd_q <= known ? rx_data_i : "?";
            if (!known) begin st_q <= Reply; send_q <= 3'd1; got_q <= '0; end
          end else if (got_q == 4'd1) addr_q[7:0] <= rx_data_i;
          else if (got_q == 4'd2) addr_q[15:8] <= rx_data_i;
          else if (got_q == 4'd3) addr_q[16] <= rx_data_i[0];
          else if (got_q >= 4'd5) data_q <= {rx_data_i, data_q[31:8]};
          if ((got_q == 4'd4 && !is_write) || got_q == 4'd8) begin
            got_q <= '0; aw_done_q <= 1'b0; w_done_q <= 1'b0;
            st_q <= (cmd_q == "w") ? CsrWr : (cmd_q == "r") ? CsrRd : Mem;
          end
        end
        CsrWr: begin
          if (s_awready_i) aw_done_q <= 1'b1;
          if (s_wready_i) w_done_q <= 1'b1;
          if ((aw_done_q || s_awready_i) && (w_done_q || s_wready_i)) st_q <= CsrB;
        end
        CsrB: if (s_bvalid_i) begin st_q <= Reply; send_q <= 3'd1; end
        CsrRd: if (s_arready_i) st_q <= CsrR;
        CsrR: if (s_rvalid_i) begin data_q <= s_rdata_i; st_q <= Reply; send_q <= 3'd4; end
        Mem: if (h_done_i) begin
          if (!h_we_o) data_q <= h_rdata_i;
          st_q <= Reply; send_q <= is_write ? 3'd1 : 3'd4;
        end
        Reply: if (tx_ready_i) begin
          data_q <= {8'd0, data_q[31:8]};
          send_q <= send_q - 3'd1;
          if (send_q == 3'd1) st_q <= Collect;
        end
        default: st_q <= Collect;
      endcase
    end
  end
endmodule
