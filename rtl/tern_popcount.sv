`default_nettype none
// tern_popcount: the number of set bits of an N-bit vector, combinational, as a width-aware
// tree. Why not $countones: yosys 0.23 expands it into one nested sum whose elaboration
// grows with N squared (2,048 bits: 4.8 GB and minutes; the 4,096 zero flags of a 64x64
// array: past yosys's hash-table limit, so tern_top could not be synthesized at 64x64), and
// into a chain of wide adders.
// The tree is built for a LUT4 + carry chain (iCE40), where one adder bit costs one LUT
// and an adder's carry-in is free: every adder takes one input bit as its carry-in.
// Level 1 has G = ceil((N + 1) / 4) leaves, each the 2-bit count of three input bits (one
// full adder: two LUT3). Level l >= 2 adds the level l - 1 counts in pairs plus one input
// bit as carry-in, into l + 1 bits (a node over k leaves counts at most 3k + k - 1 =
// 2^(l+1) - 1 bits); an odd count passes up. The G - 1 adders and 3G leaf inputs take
// 4G - 1 >= N bits (the adders' carry-ins first, then the leaves; the rest are 0).
// Every count is kept with its top bit inverted (t holds count ^ MSB) and each adder undoes
// that on its inputs: the constant XORs between the adders keep yosys's alumacc from
// merging the tree into one $macc (which maccmap turns into LUT logic with almost no carry
// chain), so each adder stays one $alu whose carry-in is the spare input bit; the XOR
// pairs cancel in the LUT mapping. synth_ice40: 64 bits 79 LUT4 + 47 SB_CARRY, 256 bits
// 319 + 191, where six-bit groups of full adders (all one $macc) took 133 and 582 LUT4.
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
  localparam int unsigned G = (N + 4) / 4;      // leaves: ceil((N + 1) / 4)
  localparam int unsigned L = 1 + $clog2(G);    // levels: the root is level L

  // counts at level l (1..L): G at level 1, then halved rounding up, i.e.
  // ceil(G / 2^(l-1)) (a closed form: yosys evaluates constant functions slowly, and the
  // ones below call this per level)
  function automatic int unsigned n_at(input int unsigned l);
    n_at = (G + (1 << (l - 1)) - 1) >> (l - 1);
  endfunction
  // level l's counts (l + 1 bits each) start at bit lvl_off(l) of t
  function automatic int unsigned lvl_off(input int unsigned l);
    int unsigned o;
    o = 0;
    for (int j = 1; j < 40; j++) if (j < l) o = o + n_at(j) * (j + 1);
    lvl_off = o;
  endfunction
  // the first adder of level l: its carry-in is input bit add_base(l) (adders in order)
  function automatic int unsigned add_base(input int unsigned l);
    int unsigned a;
    a = 0;
    for (int j = 2; j < 40; j++) if (j < l) a = a + n_at(j - 1) / 2;
    add_base = a;
  endfunction
  // The counted bits, padded with 0 to the 4G - 1 the tree takes (a plain vector: a
  // function taking bits_i would copy all of it at every call in yosys's elaboration,
  // minutes at 4,096 bits).
  // Generate loops nest in blocks of 64 (Verilator unrolls at most 1,024 per loop, and a
  // config too big for the definition must reach its check, not stop here).
  logic [4*G-2:0] x;
  for (genvar kb = 0; kb < (N + 63) / 64; kb++) begin : g_in
    for (genvar ki = 0; ki < 64; ki++) begin : g_bit
      if (64 * kb + ki < N) begin : g_on
        assign x[64*kb + ki] = bits_i[Stride * (64*kb + ki)];
      end
    end
  end
  if (4 * G - 1 > N) begin : g_zero
    assign x[4*G-2:N] = '0;
  end

  // split_var: Verilator schedules each level apart (it is one vector only for indexing)
  logic [lvl_off(L + 1)-1:0] t /* verilator split_var */;

  for (genvar gb = 0; gb < (G + 63) / 64; gb++) begin : g_blk
  for (genvar gi = 0; gi < 64; gi++) begin : g_leaf
  if (64 * gb + gi < G) begin : g_on
    localparam int unsigned Lf = 64 * gb + gi;
    localparam int unsigned K = G - 1 + 3 * Lf;  // its first input bit
    logic p, q, r;
    assign {r, q, p} = x[K +: 3];
    assign t[2*Lf +: 2] = {!((p & q) | (p & r) | (q & r)), p ^ q ^ r};  // top bit flipped
  end
  end
  end
  for (genvar l = 2; l <= L; l++) begin : g_lvl
    localparam int unsigned O = lvl_off(l), I = lvl_off(l - 1);  // this level, the one below
    localparam int unsigned NB = n_at(l - 1), NL = n_at(l);      // counts below, here
    localparam int unsigned AB = add_base(l);                      // first carry-in bit
    for (genvar kb = 0; kb < (NL + 63) / 64; kb++) begin : g_blk
    for (genvar ki = 0; ki < 64; ki++) begin : g_node
    if (64 * kb + ki < NL) begin : g_on
      localparam int unsigned Nd = 64 * kb + ki;
      localparam logic [l-1:0] MI = {1'b1, {(l - 1){1'b0}}};  // a count's top bit
      localparam logic [l:0]   MO = {1'b1, {l{1'b0}}};
      if (2 * Nd + 1 < NB) begin : g_add
        assign t[O + Nd*(l+1) +: l+1] = ({1'b0, t[I + 2*Nd*l +: l] ^ MI}
                                      + {1'b0, t[I + (2*Nd+1)*l +: l] ^ MI}
                                      + (l+1)'(x[AB + Nd])) ^ MO;
      end else begin : g_pass  // the odd count passes up
        assign t[O + Nd*(l+1) +: l+1] = {1'b0, t[I + 2*Nd*l +: l] ^ MI} ^ MO;
      end
    end
    end
    end
  end
  localparam int unsigned Root = lvl_off(L);
  /* verilator lint_off UNUSEDSIGNAL */  // the root's bits above W are always 0
  logic [L:0] root;
  /* verilator lint_on UNUSEDSIGNAL */
  assign root    = t[Root +: L+1] ^ {1'b1, {L{1'b0}}};
  assign count_o = root[W-1:0];
endmodule
