`default_nettype none
// tern_icebreaker_uart: 8N1 serial receiver and transmitter for the host bridge. Divisor
// is the clock over the baud rate (12 MHz / 115200 = 104); the receiver synchronises RX,
// waits half a bit after the start edge and then samples each bit in its middle, so a
// clock mismatch of a few percent between the ends is tolerated.
module tern_icebreaker_uart #(
  parameter int unsigned Div = 104
) (
  input  logic clk_i, input logic rst_ni,
  input  logic rx_i, output logic tx_o,
  output logic rx_valid_o, output logic [7:0] rx_data_o,
  input  logic tx_valid_i, input logic [7:0] tx_data_i, output logic tx_ready_o
);
  localparam int unsigned CW = $clog2(Div + 1);
  logic [2:0]    rx_sync_q;
  logic [CW-1:0] rx_cnt_q, tx_cnt_q;
  logic [3:0]    rx_bit_q, tx_bit_q;
  logic [8:0]    rx_sh_q;   // [0] is the start bit, shifted through; [8] then the stop bit
  logic [9:0]    tx_sh_q;
  logic          rx_busy_q;

  assign tx_ready_o = tx_bit_q == 4'd0;
  // the stop bit's sample shifts the byte down to [7:0], where it stays until the next
  // byte's start bit is sampled, well after rx_valid_o: no copy of it is needed
  assign rx_data_o = rx_sh_q[7:0];
  assign tx_o = tx_sh_q[0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_sync_q <= 3'b111; rx_cnt_q <= '0; rx_bit_q <= '0; rx_sh_q <= '0; rx_busy_q <= 1'b0;
      rx_valid_o <= 1'b0;
      tx_cnt_q <= '0; tx_bit_q <= '0; tx_sh_q <= 10'h3ff;
    end else begin
      rx_sync_q <= {rx_sync_q[1:0], rx_i};
      rx_valid_o <= 1'b0;
      if (!rx_busy_q) begin
        if (!rx_sync_q[2]) begin  // start bit: sample again half a bit later
          rx_busy_q <= 1'b1; rx_cnt_q <= CW'(Div / 2); rx_bit_q <= 4'd0;
        end
      end else if (rx_cnt_q != '0) begin
        rx_cnt_q <= rx_cnt_q - CW'(1);
      end else begin
        rx_cnt_q <= CW'(Div - 1);
        rx_sh_q <= {rx_sync_q[2], rx_sh_q[8:1]};
        rx_bit_q <= rx_bit_q + 4'd1;
        if (rx_bit_q == 4'd0 && rx_sync_q[2]) rx_busy_q <= 1'b0;  // a glitch, not a start
        if (rx_bit_q == 4'd9) begin
          rx_busy_q <= 1'b0;
          rx_valid_o <= rx_sync_q[2];                                // stop bit must be 1
        end
      end
      if (tx_bit_q == 4'd0) begin
        if (tx_valid_i) begin
          tx_sh_q <= {1'b1, tx_data_i, 1'b0}; tx_bit_q <= 4'd10; tx_cnt_q <= CW'(Div - 1);
        end
      end else if (tx_cnt_q != '0) begin
        tx_cnt_q <= tx_cnt_q - CW'(1);
      end else begin
        tx_cnt_q <= CW'(Div - 1);
        tx_sh_q <= {1'b1, tx_sh_q[9:1]};
        tx_bit_q <= tx_bit_q - 4'd1;
      end
    end
  end
endmodule
