#!/usr/bin/env bash
# The energy model prices the adders the RTL builds (issue 10 part 3, docs/energy.md
# "Adders of the array"): for two array sizes, yosys elaborates rtl/tern_pe_array.sv alone
# (with its rows, rtl/tern_pe_row.sv),
# maps its arithmetic to $alu cells (alumacc, after wreduce so no width is overstated) and
# `stat -width` lists them; the sum of $alu widths must equal the energy model's
# tern_array_adder_bits (tests/rtl/tern_adder_bits.c), and the width histogram must equal
# an independent derivation here (per row: LANES-1 tree adders, level j of 8+j bits for
# the floor(n/2) pairs of the n values left, plus one 32-bit accumulator). 5x6 has an odd
# level (6 -> 3 -> 2 -> 1), so the pass-through rule is exercised; no $mul/$macc allowed.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
YOSYS=${YOSYS:-yosys}
bin=build/tests/rtl/tern_adder_bits
make -s "$bin" >"$TMP/build.log" 2>&1 || { fail "yosys_adders_build" "$(tail -3 "$TMP/build.log")"; exit 0; }
command -v "$YOSYS" >/dev/null || { fail "yosys_adders" "yosys not found"; exit 0; }

expect_hist() { # ROWS LANES -> "width count" lines, sorted by width
	python3 - "$1" "$2" <<'PY'
import sys
rows, lanes = int(sys.argv[1]), int(sys.argv[2])
h = {32: rows}
n, j = lanes, 1
while n > 1:
    h[8 + j] = h.get(8 + j, 0) + rows * (n // 2)
    n, j = (n + 1) // 2, j + 1
for w in sorted(h): print(w, h[w])
PY
}

for size in 4x4 5x6; do
	rows=${size%x*} lanes=${size#*x}
	cat >"$TMP/a.ys" <<YS
read_verilog -sv rtl/tern_pe_row.sv rtl/tern_pe_array.sv
hierarchy -top tern_pe_array -chparam Rows $rows -chparam Lanes $lanes
proc; flatten; opt; wreduce; alumacc; opt; stat -width
YS
	if ! $YOSYS -q -l "$TMP/y.log" "$TMP/a.ys" >/dev/null 2>&1; then
		fail "yosys_adders_$size" "$(grep -m2 -i error "$TMP/y.log")"; continue
	fi
	got=$(grep -E '^\s+\$alu_[0-9]+\s+[0-9]+$' "$TMP/y.log" | sed -E 's/^\s+\$alu_([0-9]+)\s+([0-9]+)$/\1 \2/' | sort -n)
	want=$(expect_hist "$rows" "$lanes")
	ybits=$(echo "$got" | awk '{s += $1 * $2} END {print s + 0}')
	mbits=$("$bin" "$rows" "$lanes")
	other=$(grep -E '^\s+\$(add|sub|mul|macc|neg)(_[0-9]+)?\s' "$TMP/y.log" | tr -s ' ')
	if [ -z "$got" ]; then fail "yosys_adders_$size" "no \$alu cells in stat"
	elif [ -n "$other" ]; then fail "yosys_adders_$size" "unexpected cells: $other"
	elif [ "$got" != "$want" ]; then fail "yosys_adders_$size" "widths: yosys [$(echo $got)] derivation [$(echo $want)]"
	elif [ "$ybits" != "$mbits" ]; then fail "yosys_adders_$size" "yosys $ybits adder bits, energy model $mbits"
	else pass "yosys_adders_$size ($ybits adder bits)"; fi
done
