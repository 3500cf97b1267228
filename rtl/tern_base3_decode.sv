`default_nettype none
// tern_base3_decode: one base-3 weight byte v = t0 + 3*t1 + 9*t2 + 27*t3 + 81*t4 into five
// 2-bit codes, without division and LUT-friendly. v = 16h + l: the base-3 digits of 16h
// (a 4-input table per digit bit) and of l (l < 16 has three digits) are added digit by
// digit with a carry, each digit sum s in 0..5 giving digit s mod 3 and carry s >= 3.
// The digit add is written as its 18-row truth table, not as s = a + b + cin and s >= 3:
// yosys maps + and >= onto SB_CARRY chains (10 per decoder, each pinning a logic cell),
// while the table leaves ABC a 5-input function per output bit: 31 LUT4 and no carry
// per decoder on iCE40 instead of 37 LUT4 and 10 carries (a whole 256-entry table, the
// other extreme, maps to 99 LUT4). Bytes the compiler never produces (243..255) carry out
// of the top digit and decode as t4 = 3 (the reserved code, weight 0) with the lower
// digits of v mod 81 = v - 243, as the reference model decodes them.
module tern_base3_decode (
  input  logic [7:0] byte_i,
  output logic [9:0] codes_o  // code d (digit t_d) at bits 2d+1..2d
);
  logic [9:0] hi;  // digits of 16*byte_i[7:4]
  logic [5:0] lo;  // digits of byte_i[3:0]
  logic [9:0] lo5; // the same as five digits (written so, not as k < 3 ? lo : 0 in the
                   // loop, ABC maps it to 31 LUT4 instead of 34)
  logic [5:0] c;   // carry into digit d (c[5]: v >= 243)
  logic [9:0] t;

  assign lo5 = {4'b0000, lo};

  always_comb begin
    unique case (byte_i[7:4])
      4'd0:  hi = 10'b0000000000;  //   0
      4'd1:  hi = 10'b0000011001;  //  16
      4'd2:  hi = 10'b0001000110;  //  32
      4'd3:  hi = 10'b0001100100;  //  48
      4'd4:  hi = 10'b0010010001;  //  64
      4'd5:  hi = 10'b0010101010;  //  80
      4'd6:  hi = 10'b0100011000;  //  96
      4'd7:  hi = 10'b0101000101;  // 112
      4'd8:  hi = 10'b0101100010;  // 128
      4'd9:  hi = 10'b0110010000;  // 144
      4'd10: hi = 10'b0110101001;  // 160
      4'd11: hi = 10'b1000010110;  // 176
      4'd12: hi = 10'b1001000100;  // 192
      4'd13: hi = 10'b1001100001;  // 208
      4'd14: hi = 10'b1010001010;  // 224
      4'd15: hi = 10'b1010101000;  // 240
      default: hi = '0;
    endcase
  end

  always_comb begin
    unique case (byte_i[3:0])
      4'd0:  lo = 6'b000000;  //  0
      4'd1:  lo = 6'b000001;  //  1
      4'd2:  lo = 6'b000010;  //  2
      4'd3:  lo = 6'b000100;  //  3
      4'd4:  lo = 6'b000101;  //  4
      4'd5:  lo = 6'b000110;  //  5
      4'd6:  lo = 6'b001000;  //  6
      4'd7:  lo = 6'b001001;  //  7
      4'd8:  lo = 6'b001010;  //  8
      4'd9:  lo = 6'b010000;  //  9
      4'd10: lo = 6'b010001;  // 10
      4'd11: lo = 6'b010010;  // 11
      4'd12: lo = 6'b010100;  // 12
      4'd13: lo = 6'b010101;  // 13
      4'd14: lo = 6'b010110;  // 14
      4'd15: lo = 6'b011000;  // 15
      default: lo = '0;
    endcase
  end

  // one base-3 digit add a + b + cin (a, b <= 2) -> {carry, digit}; rows with a or b = 3
  // never occur and give 0 (cheaper for ABC than x here)
  function automatic logic [2:0] dig_add(input logic [1:0] a, input logic [1:0] b,
                                         input logic cin);
    unique case ({a, b, cin})
      5'b00_00_0: dig_add = 3'b000;  // 0+0+0
      5'b00_00_1: dig_add = 3'b001;  // 0+0+1
      5'b00_01_0: dig_add = 3'b001;  // 0+1+0
      5'b00_01_1: dig_add = 3'b010;  // 0+1+1
      5'b00_10_0: dig_add = 3'b010;  // 0+2+0
      5'b00_10_1: dig_add = 3'b100;  // 0+2+1
      5'b01_00_0: dig_add = 3'b001;  // 1+0+0
      5'b01_00_1: dig_add = 3'b010;  // 1+0+1
      5'b01_01_0: dig_add = 3'b010;  // 1+1+0
      5'b01_01_1: dig_add = 3'b100;  // 1+1+1
      5'b01_10_0: dig_add = 3'b100;  // 1+2+0
      5'b01_10_1: dig_add = 3'b101;  // 1+2+1
      5'b10_00_0: dig_add = 3'b010;  // 2+0+0
      5'b10_00_1: dig_add = 3'b100;  // 2+0+1
      5'b10_01_0: dig_add = 3'b100;  // 2+1+0
      5'b10_01_1: dig_add = 3'b101;  // 2+1+1
      5'b10_10_0: dig_add = 3'b101;  // 2+2+0
      5'b10_10_1: dig_add = 3'b110;  // 2+2+1
      default: dig_add = 3'b000;
    endcase
  endfunction

  always_comb begin
    logic [2:0] r;
    c = '0;
    t = '0;
    for (int k = 0; k < 5; k++) begin
      r = dig_add(hi[2*k +: 2], lo5[2*k +: 2], c[k]);
      t[2*k +: 2] = r[1:0];
      c[k+1] = r[2];
    end
    if (c[5]) t[9:8] = 2'd3;  // v >= 243
  end

  assign codes_o = t;
endmodule
