#!/usr/bin/env bash
# The iCEBreaker board top (synth/icebreaker: UART host bridge, SPRAM device memory,
# tern_top) under Verilator at the board's own 8x8 config, driven through its pins by
# tests/rtl/tb_icebreaker.cpp; the serial divisor is 8 instead of 104 so the test stays
# short (the divisor is a parameter; the logic is the same). Also lints the board files.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
VERILATOR=${VERILATOR:-verilator}
make --no-print-directory gen >/dev/null || { fail "icebreaker_gen"; exit 1; }
# the board's config, from the definition (the flow's own function)
# and its fpga.rtl_params (CounterBits, FetchRam)
read -r R L WD AD CD BB QD CB FR < <(python3 -c 'import sys; sys.path.insert(0, "synth"); import tern_synth as t
d = t.tern_gen.load("isa/tern_isa.json"); c = t.tern_gen.board_config(d, "icebreaker", "8x8")
f = [b for b in d["boards"]["list"] if b["name"] == "icebreaker"][0]["fpga"]
print(*(c[k] for k in ("ROWS", "LANES", "WBUF_DEPTH", "ABUF_DEPTH", "ACC_DEPTH", "BUS_BYTES", "QUEUE_DEPTH")),
      f.get("rtl_params", {}).get("CounterBits", 64), f.get("rtl_params", {}).get("FetchRam", 1))')
G="-GRows=$R -GLanes=$L -GWbufDepth=$WD -GAbufDepth=$AD -GAccDepth=$CD -GBusBytes=$BB -GQueueDepth=$QD -GCounterBits=$CB -GFetchRam=$FR"

if $VERILATOR --lint-only -Wall -Ibuild/gen --top-module tern_icebreaker_top $G rtl/*.sv synth/icebreaker/*.sv \
	>"$TMP/lint" 2>&1; then pass "board top lint clean"; else fail "board top lint clean" "$(head -c 400 "$TMP/lint")"; fi

dir=build/rtl-tb/icebreaker
mkdir -p "$dir"
if nice $VERILATOR --cc --exe --build -j 2 -O2 --x-assign fast --x-initial fast -Wno-fatal \
	-Ibuild/gen --top-module tern_icebreaker_top -Mdir "$dir" $G -GUartDiv=8 \
	-CFLAGS "-O1 -I$ROOT/build/gen -DUART_DIV=8 -DROWS=$R -DCOUNTER_BITS=$CB" \
	rtl/*.sv synth/icebreaker/*.sv "$ROOT/tests/rtl/tb_icebreaker.cpp" -o tb_icebreaker \
	>"$dir/build.log" 2>&1; then
	pass "board top builds"
	"$dir/tb_icebreaker" | grep -E '^(PASS|FAIL):'
else
	fail "board top builds" "$(tail -5 "$dir/build.log")"
fi
