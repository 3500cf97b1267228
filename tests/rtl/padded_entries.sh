#!/usr/bin/env bash
# Padded entries on the RTL (docs/isa.md "Entry layout"): configurations where pad(E) != E,
# through `tern gemm --backend verilator`, whose exit status covers lockstep (every DRAM write
# of the RTL against the reference model), the counters against the reference model and the
# output against the golden matmul. Each covers a different way tern_gearbox writes:
#   8x8 (preset):  base-3 13 -> 16 bytes, two entries per 32-byte beat (constant offsets)
#   12x12, bus 16: ABUF 12 -> 16 (one beat, a short column), 2-bit 36 -> 48 (3 beats),
#                  base-3 29 -> 32 (2 beats)
#   8x12, bus 32:  ABUF 12 -> 16 (two per beat, non-power-of-two lanes), 2-bit 24 -> 32 and
#                  base-3 20 -> 32 (one beat each)
# Each case also checks that the DRAM bytes read equal the stride rule computed here, and
# that the fast model predicts the RTL's cycles exactly.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

echo '{ "base": "16x16", "ROWS": 12, "LANES": 12, "BUS_BYTES": 16, "name": "12x12-bus16" }' \
	>"$TMP/c12.json"
echo '{ "base": "16x16", "ROWS": 8, "LANES": 12, "BUS_BYTES": 32, "name": "8x12-bus32" }' \
	>"$TMP/c812.json"

# json FILE KEY -> counters.KEY (or the top-level "cycles")
counter() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["counters"][sys.argv[2]])' \
		"$1" "$2" 2>/dev/null
}

# run NAME M K N WFMT CONFIG-ARGS...
run() {
	local name=$1 m=$2 k=$3 n=$4 fmt=$5; shift 5
	local args=(gemm --m "$m" --k "$k" --n "$n" --wfmt "$fmt" --seed "$m" "$@")
	if ! "$TERN" "${args[@]}" --backend verilator --json --quiet >"$TMP/jv" 2>"$TMP/err"; then
		fail "$name: lockstep + golden" "$(head -c 300 "$TMP/err")"
		return
	fi
	pass "$name: lockstep + golden"
	"$TERN" "${args[@]}" --backend fast --json --quiet >"$TMP/jf" 2>"$TMP/err"
	local cv cf
	cv=$(counter "$TMP/jv" cycles)
	cf=$(counter "$TMP/jf" cycles)
	if [ -n "$cv" ] && [ "$cv" = "$cf" ]; then pass "$name: fast == RTL cycles ($cv)"
	else fail "$name: fast == RTL cycles" "rtl '$cv' fast '$cf'"; fi
}

# The stride rule, written out here: whole beats at or above a beat, else a power of two.
stride() { # stride USED BUS
	local e=$1 b=$2 p=1
	if [ "$e" -ge "$b" ]; then echo $(((e + b - 1) / b * b)); return; fi
	while [ "$p" -lt "$e" ]; do p=$((p * 2)); done
	echo "$p"
}
[ "$(stride 205 32)" = 224 ] && [ "$(stride 13 32)" = 16 ] && [ "$(stride 12 16)" = 16 ] &&
	[ "$(stride 36 16)" = 48 ] && pass "stride rule (205->224, 13->16, 12->16, 36->48)" ||
	fail "stride rule"

# One weight LOAD of a single tile (M = ROWS, K = LANES, N = 1): DRAM_RD_BYTES is the
# weight entry's stride plus the activation entry's stride, each in whole beats.
rd_bytes() { # rd_bytes NAME WANT WFMT CONFIG-ARGS...
	local name=$1 want=$2 fmt=$3; shift 3
	"$TERN" gemm --m "$M1" --k "$K1" --n 1 --wfmt "$fmt" --seed 3 "$@" --backend verilator \
		--json --quiet >"$TMP/j1" 2>"$TMP/err"
	local got
	got=$(counter "$TMP/j1" dram_rd_bytes)
	if [ "$got" = "$want" ]; then pass "$name: dram_rd_bytes $got"
	else fail "$name: dram_rd_bytes" "got '$got', want $want $(head -c 200 "$TMP/err")"; fi
}
beats() { echo $((($1 + $2 - 1) / $2 * $2)); }

# 8x8 preset (bus 32): base-3 entry 13 bytes
M1=8 K1=8
rd_bytes "8x8 base3 one tile" $(($(beats "$(stride 13 32)" 32) + $(beats 8 32))) base3 --array 8x8
run "8x8 base3 70x150 N=5" 70 150 5 base3 --array 8x8
run "8x8 base3 8x8 N=1" 8 8 1 base3 --array 8x8
# 12x12, bus 16: ABUF 12, 2-bit 36, base-3 29 bytes
M1=12 K1=12
rd_bytes "12x12-bus16 base3 one tile" $(($(beats "$(stride 29 16)" 16) + $(beats "$(stride 12 16)" 16))) \
	base3 --config "$TMP/c12.json"
rd_bytes "12x12-bus16 2bit one tile" $(($(beats "$(stride 36 16)" 16) + $(beats "$(stride 12 16)" 16))) \
	2bit --config "$TMP/c12.json"
run "12x12-bus16 base3 50x100 N=3" 50 100 3 base3 --config "$TMP/c12.json"
run "12x12-bus16 2bit 37x61 N=4" 37 61 4 2bit --config "$TMP/c12.json"
# 8x12, bus 32: ABUF 12 (two per beat), 2-bit 24, base-3 20 bytes
M1=8 K1=12
rd_bytes "8x12-bus32 base3 one tile" $(($(beats "$(stride 20 32)" 32) + $(beats "$(stride 12 32)" 32))) \
	base3 --config "$TMP/c812.json"
run "8x12-bus32 base3 30x100 N=6" 30 100 6 base3 --config "$TMP/c812.json"
run "8x12-bus32 2bit 17x50 N=2" 17 50 2 2bit --config "$TMP/c812.json"
