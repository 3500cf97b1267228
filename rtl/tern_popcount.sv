`default_nettype none
// tern_popcount: the number of set bits of an N-bit vector, combinational, as a width-aware
// tree. Why not $countones: yosys 0.23 expands it into one nested sum whose elaboration
// grows with N squared (2,048 bits: 4.8 GB and minutes; the 4,096 zero flags of a 64x64
// array: past yosys's hash-table limit, so tern_top could not be synthesized at 64x64), and
// into a chain of wide adders. Here the bits go in groups of six to three full adders
// (plain logic: three LUT6 per group on Xilinx), then the 3-bit group counts are added in
// pairs level by level, each level one bit wider (groups past the last are zero).
module tern_popcount #(
  parameter int unsigned N = 8,
  parameter int unsigned Stride = 1,            // count bits_i[Stride*i], i < N
  localparam int unsigned W = $clog2(N + 1)
) (
  /* verilator lint_off UNUSEDSIGNAL */  // with Stride > 1 the bits between are not counted
  input  logic [Stride*N-1:0] bits_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [W-1:0]        count_o
);
  localparam int unsigned G = (N + 5) / 6;      // groups of six bits
  localparam int unsigned L = $clog2(G);        // adder levels above the groups
  localparam int unsigned P = 1 << L;           // groups, padded to a power of two

  // Every level in one vector: level l holds P >> l counts of 3 + l bits from lvl_off(l).
  function automatic int unsigned lvl_off(input int unsigned l);
    int unsigned o;
    o = 0;
    for (int j = 0; j < 32; j++) if (j < l) o = o + (P >> j) * (3 + j);
    lvl_off = o;
  endfunction

  // split_var: Verilator schedules each level apart (it is one vector only for indexing)
  /* verilator lint_off UNUSEDSIGNAL */  // the root's bits above W are always 0
  logic [lvl_off(L + 1)-1:0] t /* verilator split_var */;
  /* verilator lint_on UNUSEDSIGNAL */

  // Generate loops nest in blocks of 64 (Verilator unrolls at most 1,024 per loop, and a
  // config too big for the definition must reach its check, not stop here).
  for (genvar gb = 0; gb < (G + 63) / 64; gb++) begin : g_blk
  for (genvar gi = 0; gi < 64; gi++) begin : g_grp
  if (64 * gb + gi < G) begin : g_on
    localparam int unsigned Grp = 64 * gb + gi;
    logic [5:0] x;
    logic s1, c1, s2, c2, k;
    for (genvar m = 0; m < 6; m++) begin : g_bit
      if (6 * Grp + m < N) begin : g_in
        assign x[m] = bits_i[Stride * (6 * Grp + m)];
      end else begin : g_pad
        assign x[m] = 1'b0;
      end
    end
    // two full adders on bits 0-2 and 3-5, then one on the weight-2 terms
    assign s1 = x[0] ^ x[1] ^ x[2];
    assign c1 = (x[0] & x[1]) | (x[0] & x[2]) | (x[1] & x[2]);
    assign s2 = x[3] ^ x[4] ^ x[5];
    assign c2 = (x[3] & x[4]) | (x[3] & x[5]) | (x[4] & x[5]);
    assign k  = s1 & s2;
    assign t[3*Grp +: 3] = {(c1 & c2) | (c1 & k) | (c2 & k), c1 ^ c2 ^ k, s1 ^ s2};
  end
  end
  end
  if (P > G) begin : g_pad
    assign t[3*G +: 3*(P-G)] = '0;
  end
  for (genvar l = 1; l <= L; l++) begin : g_lvl
    localparam int unsigned O = lvl_off(l), I = lvl_off(l - 1);  // this level, the one below
    for (genvar kb = 0; kb < ((P >> l) + 63) / 64; kb++) begin : g_blk
    for (genvar ki = 0; ki < 64; ki++) begin : g_node
    if (64 * kb + ki < (P >> l)) begin : g_on
      localparam int unsigned Nd = 64 * kb + ki;
      assign t[O + Nd*(3+l) +: 3+l] = {1'b0, t[I + 2*Nd*(2+l) +: 2+l]}
                                    + {1'b0, t[I + (2*Nd+1)*(2+l) +: 2+l]};
    end
    end
    end
  end
  localparam int unsigned Root = lvl_off(L);
  assign count_o = t[Root +: W];
endmodule
