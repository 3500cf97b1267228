`default_nettype none
// tern_base3_decode: one base-3 weight byte v = t0 + 3*t1 + 9*t2 + 27*t3 + 81*t4 into five
// 2-bit codes, without division. Each digit, most significant first, is found by comparing
// the remainder with 2*3^k and 3^k and subtracting the matching constant, so the remainder
// stays below 3^k for the next digit: only comparators and constant subtractors. Bytes the
// compiler never produces (243..255) decode like v/81 with t4 = 3, the reserved code that
// reads as weight 0; the lower digits are the exact base-3 digits of v mod 81.
module tern_base3_decode (
  input  logic [7:0] byte_i,
  output logic [9:0] codes_o  // code d (digit t_d) at bits 2d+1..2d
);
  logic [7:0] r4, r3, r2;
  logic [1:0] r1;  // r2 < 9, so the last remainder is below 3
  logic [1:0] t4, t3, t2, t1, t0;

  always_comb begin
    if (byte_i >= 8'd243) begin
      t4 = 2'd3; r4 = byte_i - 8'd243;
    end else if (byte_i >= 8'd162) begin
      t4 = 2'd2; r4 = byte_i - 8'd162;
    end else if (byte_i >= 8'd81) begin
      t4 = 2'd1; r4 = byte_i - 8'd81;
    end else begin
      t4 = 2'd0; r4 = byte_i;
    end
    if (r4 >= 8'd54) begin
      t3 = 2'd2; r3 = r4 - 8'd54;
    end else if (r4 >= 8'd27) begin
      t3 = 2'd1; r3 = r4 - 8'd27;
    end else begin
      t3 = 2'd0; r3 = r4;
    end
    if (r3 >= 8'd18) begin
      t2 = 2'd2; r2 = r3 - 8'd18;
    end else if (r3 >= 8'd9) begin
      t2 = 2'd1; r2 = r3 - 8'd9;
    end else begin
      t2 = 2'd0; r2 = r3;
    end
    if (r2 >= 8'd6) begin
      t1 = 2'd2; r1 = 2'(r2 - 8'd6);
    end else if (r2 >= 8'd3) begin
      t1 = 2'd1; r1 = 2'(r2 - 8'd3);
    end else begin
      t1 = 2'd0; r1 = r2[1:0];
    end
    t0 = r1;
  end

  assign codes_o = {t4, t3, t2, t1, t0};
endmodule
