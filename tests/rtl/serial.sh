#!/usr/bin/env bash
# The serial backend against the iCEBreaker board top (synth/icebreaker: UART bridge,
# SPRAM device memory, tern_top at the board's 8x8 config) under Verilator behind a pty
# (sim/tern_ice_pty.cpp), UART divisor 8 instead of 104 to keep it short: tern gemm
# --backend serial writes exactly the independent product (tests/tools/indep_matmul.c)
# in both weight formats, and a wrong array config is refused.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
VERILATOR=${VERILATOR:-verilator}
IND=$ROOT/build/tests/indep_matmul
make --no-print-directory gen >/dev/null || { fail "serial_gen"; exit 1; }
# The board's config, from the definition (the synthesis flow's own function).
python3 -c 'import sys, json; sys.path.insert(0, "synth"); import tern_synth as t
d = t.tern_gen.load("isa/tern_isa.json"); c = t.tern_gen.board_config(d, "icebreaker", "8x8")
json.dump({k: c[k] for k in ("ROWS", "LANES", "WBUF_DEPTH", "ABUF_DEPTH", "ACC_DEPTH", "BUS_BYTES", "QUEUE_DEPTH")} | {"name": "icebreaker"}, sys.stdout)' >"$TMP/ice.json"
G=$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))
n = {"ROWS": "Rows", "LANES": "Lanes", "WBUF_DEPTH": "WbufDepth", "ABUF_DEPTH": "AbufDepth", "ACC_DEPTH": "AccDepth", "BUS_BYTES": "BusBytes", "QUEUE_DEPTH": "QueueDepth"}
print(" ".join("-G%s=%d" % (n[k], c[k]) for k in n))' "$TMP/ice.json")
dir=build/rtl-tb/icebreaker-pty
mkdir -p "$dir"
if nice $VERILATOR --cc --exe --build -j 2 -O1 --x-assign fast --x-initial fast -Wno-fatal \
	-Ibuild/gen --top-module tern_icebreaker_top -Mdir "$dir" $G -GUartDiv=8 \
	-CFLAGS "-O1 -DUART_DIV=8" rtl/*.sv synth/icebreaker/*.sv "$ROOT/sim/tern_ice_pty.cpp" \
	-o tern_ice_pty >"$dir/build.log" 2>&1; then pass "serial_board_sim_builds"
else fail "serial_board_sim_builds" "$(tail -3 "$dir/build.log")"; exit 0; fi

"$dir/tern_ice_pty" "$TMP/tty" >"$TMP/pty.out" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; wait $SIM 2>/dev/null; rm -rf "$TMP"' EXIT
while kill -0 $SIM 2>/dev/null && ! grep -q '^ready' "$TMP/pty.out"; do sleep 0.1; done

case_() { # SEED M K N WFMT
	local name="serial_gemm_${2}x${3}x${4}_$5"
	"$IND" gen "$1" "$2" "$3" "$4" "$TMP/w" "$TMP/x" && "$IND" mul "$2" "$3" "$4" "$TMP/w" "$TMP/x" "$TMP/want" || { fail "$name" "oracle"; return; }
	rm -f "$TMP/y"
	if ! "$TERN" gemm --m "$2" --k "$3" --n "$4" --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" \
		--config "$TMP/ice.json" --wfmt "$5" --backend serial --port "$TMP/tty" >"$TMP/log" 2>&1; then
		fail "$name" "exit $?: $(tail -2 "$TMP/log")"
	elif cmp -s "$TMP/y" "$TMP/want"; then pass "$name"
	else fail "$name" "output differs from the independent product"; fi
}
case_ 1 8 16 2 2bit
case_ 2 13 40 3 base3
"$TERN" gemm --m 4 --k 4 --n 1 --seed 1 --array 4x4 --backend serial --port "$TMP/tty" >"$TMP/o" 2>"$TMP/e"
rc=$?
if [ $rc -eq 2 ] && grep -q "is a 8x8 array, not the 4x4" "$TMP/e" && [ "$(wc -l <"$TMP/e")" -eq 1 ]; then pass "serial_wrong_array"
else fail "serial_wrong_array" "exit $rc: $(head -2 "$TMP/e")"; fi
