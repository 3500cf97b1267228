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

for cfg in "4x4 4 4 256 1024 256 16 8" "8x8 8 8 512 8192 512 32 16" "32x32 32 32 512 8192 512 32 16"; do
	set -- $cfg
	if ! build "$@"; then fail "rtl_tb_build_$1" "$(tail -5 build/rtl-tb/$1/build.log)"; continue; fi
	pass "rtl_tb_build_$1"
	build/rtl-tb/$1/tb_top 1 | sed -E "s/^(PASS|FAIL): /\1: $1_/"
done

# The deliberate bug must be caught by the GEMM result checks.
if build bug4x4 4 4 256 1024 256 16 8 +define+TERN_BUG_FLIP_LANE; then
	if build/rtl-tb/bug4x4/tb_top 1 | grep -q '^FAIL: gemm_'; then pass "rtl_tb_bug_flip_lane_caught"
	else fail "rtl_tb_bug_flip_lane_caught" "bug variant passed the GEMM cases"; fi
else
	fail "rtl_tb_bug_build"
fi
