#!/usr/bin/env bash
# Build tests/rtl/tb_top.cpp against rtl/tern_top with Verilator for the 4x4, 8x8 and
# 32x32 presets and run it: LOAD (both weight formats, contiguous and strided rows), GEMM
# (tiles, tokens, K split over reset/accumulate), STORE, tokens and double buffering, back-
# pressure, every static error, NO_END, FETCH_RANGE, DEADLOCK, WATCHDOG, the counters.
# Also builds the TERN_BUG_FLIP_LANE variant and expects it to FAIL the GEMM cases.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
VERILATOR=${VERILATOR:-verilator}
make --no-print-directory gen >/dev/null || { fail "rtl_tb_gen"; exit 1; }

build() {  # build NAME ROWS LANES WBUF ABUF ACC BUS QUEUE [extra verilator args]
	local name=$1 r=$2 l=$3 wd=$4 ad=$5 cd=$6 bb=$7 qd=$8; shift 8
	local dir=build/rtl-tb/$name
	mkdir -p "$dir"
	$VERILATOR --cc --exe --build -j 2 -O3 --x-assign fast --x-initial fast -Wno-fatal \
		-Ibuild/gen --top-module tern_top -Mdir "$dir" \
		-GRows=$r -GLanes=$l -GWbufDepth=$wd -GAbufDepth=$ad -GAccDepth=$cd -GBusBytes=$bb \
		-GQueueDepth=$qd "$@" \
		-CFLAGS "-O2 -I$ROOT/build/gen -DROWS=$r -DLANES=$l -DWBUF_DEPTH=$wd -DABUF_DEPTH=$ad -DACC_DEPTH=$cd -DBUS_BYTES=$bb -DQUEUE_DEPTH=$qd" \
		rtl/*.sv "$ROOT/tests/rtl/tb_top.cpp" -o tb_top >"$dir/build.log" 2>&1
}

# NAME ROWS LANES WBUF ABUF ACC BUS QUEUE of a preset, read from the one definition.
preset() {
	python3 -c 'import json, sys
p = [p for p in json.load(open("isa/tern_isa.json"))["config"]["presets"] if p["name"] == sys.argv[1]][0]
print(p["name"], *(p[k] for k in ("ROWS", "LANES", "WBUF_DEPTH", "ABUF_DEPTH", "ACC_DEPTH", "BUS_BYTES", "QUEUE_DEPTH")))' "$1"
}

for name in 4x4 8x8 32x32; do
	set -- $(preset $name)
	if ! build "$@"; then fail "rtl_tb_build_$1" "$(tail -5 build/rtl-tb/$1/build.log)"; continue; fi
	pass "rtl_tb_build_$1"
	build/rtl-tb/$1/tb_top 1 | sed -E "s/^(PASS|FAIL): /\1: $1_/"
done

# The deliberate bug must be caught by the GEMM result checks.
set -- $(preset 4x4); shift
if build bug4x4 "$@" +define+TERN_BUG_FLIP_LANE; then
	if build/rtl-tb/bug4x4/tb_top 1 | grep -q '^FAIL: gemm_'; then pass "rtl_tb_bug_flip_lane_caught"
	else fail "rtl_tb_bug_flip_lane_caught" "bug variant passed the GEMM cases"; fi
else
	fail "rtl_tb_bug_build"
fi
