#!/usr/bin/env bash
# rtl/tern_popcount.sv (the zero-weight count of tern_gemm) against independent counts:
# yosys proves it equal to $countones by SAT for widths that exercise every padding case
# (1 bit, a part group, whole groups, a group count that is not a power of two: wider
# popcount proofs are slow for SAT) and with Stride 2 (tern_gemm's bit 0 of each code),
# and evaluates (sat with every input set) the 4,096-bit instance of a 64x64 array on
# vectors whose counts Python computes.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
YOSYS=${YOSYS:-yosys}
command -v "$YOSYS" >/dev/null || { fail "popcount" "yosys not found"; exit 0; }

cat >"$TMP/ref.sv" <<'V'
module ref_count #(parameter int unsigned N = 8) (input logic [N-1:0] bits_i,
  output logic [$clog2(N + 1)-1:0] count_o);
  assign count_o = $bits(count_o)'($countones(bits_i));
endmodule
module ref_stride2 #(parameter int unsigned N = 8) (input logic [2*N-1:0] bits_i,
  output logic [$clog2(N + 1)-1:0] count_o);
  assign count_o = $bits(count_o)'($countones(bits_i & {N{2'b01}}));
endmodule
V
for n in 1 5 6 7 12 13 36; do
	cat >"$TMP/p.ys" <<YS
read_verilog -sv rtl/tern_popcount.sv $TMP/ref.sv
chparam -set N $n tern_popcount ref_count
proc; flatten; opt_clean
miter -equiv -flatten -make_assert ref_count tern_popcount miter
sat -verify -prove-asserts -show-ports miter
YS
	if $YOSYS -q -l "$TMP/p.log" "$TMP/p.ys" >/dev/null 2>&1 && grep -q 'SUCCESS!' "$TMP/p.log"; then
		pass "popcount_equiv_$n"
	else
		fail "popcount_equiv_$n" "$(grep -m2 -iE 'error|fail' "$TMP/p.log")"
	fi
done
for n in 7 13; do
	cat >"$TMP/s.ys" <<YS
read_verilog -sv rtl/tern_popcount.sv $TMP/ref.sv
chparam -set N $n -set Stride 2 tern_popcount
chparam -set N $n ref_stride2
proc; flatten; opt_clean
miter -equiv -flatten -make_assert ref_stride2 tern_popcount miter
sat -verify -prove-asserts -show-ports miter
YS
	if $YOSYS -q -l "$TMP/s.log" "$TMP/s.ys" >/dev/null 2>&1 && grep -q 'SUCCESS!' "$TMP/s.log"; then
		pass "popcount_stride2_equiv_$n"
	else
		fail "popcount_stride2_equiv_$n" "$(grep -m2 -iE 'error|fail' "$TMP/s.log")"
	fi
done

# 4,096 bits: all zero, all one, every third bit, and seeded random vectors
python3 - "$TMP" <<'PY'
import random, sys
random.seed(17)
n = 4096
vecs = [0, (1 << n) - 1, sum(1 << i for i in range(0, n, 3))]
vecs += [random.getrandbits(n) & random.getrandbits(n) for _ in range(3)]
with open(sys.argv[1] + "/e.ys", "w") as f, open(sys.argv[1] + "/want", "w") as w:
    f.write("read_verilog -sv rtl/tern_popcount.sv\nchparam -set N %d tern_popcount\n"
            "proc; flatten; opt_clean\n" % n)
    for v in vecs:
        f.write("sat -set bits_i %d'h%x -show count_o\n" % (n, v))
        w.write("%d\n" % bin(v).count("1"))
PY
if $YOSYS -q -l "$TMP/e.log" "$TMP/e.ys" >/dev/null 2>&1; then
	# sat with every input set prints "\count_o  DEC  HEX  BIN" per vector
	grep -E '^ *\\count_o +[0-9]' "$TMP/e.log" | awk '{ print $2 }' >"$TMP/got"
	if [ -s "$TMP/got" ] && cmp -s "$TMP/got" "$TMP/want"; then
		pass "popcount_4096_eval"
	else
		fail "popcount_4096_eval" "got $(tr '\n' ' ' <"$TMP/got") want $(tr '\n' ' ' <"$TMP/want")"
	fi
else
	fail "popcount_4096_eval" "$(grep -m2 -i error "$TMP/e.log")"
fi
