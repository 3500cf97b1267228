#!/usr/bin/env bash
# The AXI wrappers (rtl/tern_axi_master.sv, tern_axil_slave.sv, tern_axi_top.sv): lint at
# two presets, yosys reads them (synthesizable), and tests/rtl/tb_axi.cpp runs real layers
# through them at the 4x4 preset with random back-pressure and wait states on every
# channel, a protocol monitor on both interfaces and an exact comparison with the
# reference model. tests/rtl/axi_bug.sh runs the broken wrapper variants.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
source "$ROOT/tests/rtl/axi_common.inc"
for p in 4x4 32x32; do
	set -- $(axi_preset $p)
	if $VERILATOR --lint-only -Wall -Ibuild/gen --top-module tern_axi_top -GRows=$2 -GLanes=$3 \
		-GWbufDepth=$4 -GAbufDepth=$5 -GAccDepth=$6 -GBusBytes=$7 -GQueueDepth=$8 \
		rtl/*.sv >"$TMP/lint" 2>&1; then pass "axi_top_lint_$p"
	else fail "axi_top_lint_$p" "$(grep -m3 -E '%(Warning|Error)' "$TMP/lint")"; fi
done
if yosys -q -p "read_verilog -sv rtl/tern_axi_master.sv; chparam -set BusBytes 16 tern_axi_master; \
	hierarchy -check -top tern_axi_master; proc; check -assert" >"$TMP/yosys" 2>&1 &&
	yosys -q -p "read_verilog -sv rtl/tern_axil_slave.sv; hierarchy -check -top tern_axil_slave; \
	proc; check -assert" >>"$TMP/yosys" 2>&1; then
	pass "axi_wrappers_yosys"
else fail "axi_wrappers_yosys" "$(grep -m3 -i error "$TMP/yosys")"; fi
if axi_build good 0; then
	pass "axi_tb_builds"
	build/rtl-tb/axi-good/tb_axi 7 >"$TMP/out" 2>&1
	grep -E '^(PASS|FAIL):' "$TMP/out"
	grep -E '^(VIOLATION|tb_axi):' "$TMP/out" >&2
else fail "axi_tb_builds" "$(tail -5 build/rtl-tb/axi-good/build.log)"; fi
