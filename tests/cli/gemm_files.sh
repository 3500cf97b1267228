#!/usr/bin/env bash
# tern gemm on data files it has never seen: the output file must equal the product
# computed by an independent program (tests/tools/indep_matmul.c), for both weight
# formats and several array configs, including shapes that are not array multiples.
source "$(dirname "$0")/../lib.sh"
IND=$ROOT/build/tests/indep_matmul

case_() { # case_ SEED M K N ARRAY WFMT [BINARY [BACKEND]]
	local s=$1 m=$2 k=$3 n=$4 arr=$5 fmt=$6 bin=${7:-$TERN} be=${8:-ref}
	local name="gemm ${2}x${3}x${4} $5 $6 $be"
	"$IND" gen "$s" "$m" "$k" "$n" "$TMP/w" "$TMP/x" && "$IND" mul "$m" "$k" "$n" "$TMP/w" "$TMP/x" "$TMP/want" || { fail "$name" "oracle"; return; }
	rm -f "$TMP/y"
	if ! "$bin" gemm --m "$m" --k "$k" --n "$n" --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" --array "$arr" --wfmt "$fmt" --backend "$be" --quiet >"$TMP/log" 2>&1; then
		fail "$name" "exit $?: $(tail -2 "$TMP/log")"
	elif cmp -s "$TMP/y" "$TMP/want"; then pass "$name"
	else fail "$name" "output differs from the independent product"; fi
}

case_ 1 1 1 1 4x4 2bit
case_ 2 3 5 2 4x4 base3
case_ 3 200 700 16 8x8 2bit
case_ 4 200 700 16 8x8 base3
case_ 5 37 1000 64 16x16 base3
case_ 6 1000 333 7 16x16 2bit
case_ 7 2560 2560 1 32x32 2bit
case_ 8 2560 6912 3 32x32 base3
case_ 9 100 6912 64 64x64 2bit
case_ 10 513 129 33 12x5 2bit
case_ 11 65 65 65 64x64 base3
# the sanitizer build on a mid-sized case
case_ 12 130 260 9 8x8 base3 "$TERN_SAN"

# the simulated RTL (lockstep on) on files it has never seen
case_ 13 77 300 5 4x4 base3 "$TERN" verilator
case_ 14 300 1000 9 8x8 2bit "$TERN" verilator
case_ 15 130 513 33 16x16 base3 "$TERN" verilator
case_ 16 600 2560 1 32x32 2bit "$TERN" verilator
# a 64-byte memory port on the simulated RTL (issue 17: ports wider than 32 bytes), at a
# DRAM rate that does not divide the bus (48 B/cycle), both weight formats
echo '{ "base": "16x16", "BUS_BYTES": 64, "name": "16x16-bus64" }' >"$TMP/bus64.json"
for fmt in base3 2bit; do
	name="gemm 130x513x9 16x16-bus64 $fmt verilator"
	"$IND" gen 17 130 513 9 "$TMP/w" "$TMP/x" && "$IND" mul 130 513 9 "$TMP/w" "$TMP/x" "$TMP/want" || { fail "$name" "oracle"; continue; }
	rm -f "$TMP/y"
	if ! "$TERN" gemm --m 130 --k 513 --n 9 --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" --config "$TMP/bus64.json" \
		--wfmt "$fmt" --backend verilator --dram-bw 48 --quiet >"$TMP/log" 2>&1; then
		fail "$name" "exit $?: $(tail -2 "$TMP/log")"
	elif cmp -s "$TMP/y" "$TMP/want"; then pass "$name"
	else fail "$name" "output differs from the independent product"; fi
	# the fast cycle model predicts the RTL's cycles exactly on this port too
	"$TERN" gemm --m 130 --k 513 --n 9 --w "$TMP/w" --x "$TMP/x" --out "$TMP/yf" --config "$TMP/bus64.json" \
		--wfmt "$fmt" --backend fast --dram-bw 48 --json >"$TMP/jf" 2>&1
	"$TERN" gemm --m 130 --k 513 --n 9 --w "$TMP/w" --x "$TMP/x" --out "$TMP/yv" --config "$TMP/bus64.json" \
		--wfmt "$fmt" --backend verilator --dram-bw 48 --json --quiet >"$TMP/jv" 2>&1
	cf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cycles"])' "$TMP/jf" 2>/dev/null)
	cv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cycles"])' "$TMP/jv" 2>/dev/null)
	if [ -n "$cv" ] && [ "$cf" = "$cv" ]; then pass "fast == RTL cycles, 16x16-bus64 $fmt ($cv)"
	else fail "fast == RTL cycles, 16x16-bus64 $fmt" "fast $cf, RTL $cv"; fi
done

# --seed runs are deterministic and checked
"$TERN" gemm --m 64 --k 64 --n 4 --seed 9 --json >"$TMP/j1" 2>&1
"$TERN" gemm --m 64 --k 64 --n 4 --seed 9 --json >"$TMP/j2" 2>&1
if cmp -s "$TMP/j1" "$TMP/j2" && grep -q '"ok":true' "$TMP/j1"; then pass "seeded json deterministic"; else fail "seeded json deterministic" "$(head -c 300 "$TMP/j1")"; fi
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["macs"]==64*64*4 and d["checks"]["golden"]=="passed"' "$TMP/j1"; then pass "json fields"; else fail "json fields"; fi
