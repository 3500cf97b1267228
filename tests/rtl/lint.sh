#!/usr/bin/env bash
# verilator --lint-only -Wall on all of rtl/ for every hardware preset of isa/tern_isa.json:
# the RTL must be warning-free (targeted lint_off comments only, each with its reason).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
VERILATOR=${VERILATOR:-verilator}
make --no-print-directory gen >/dev/null || { fail "rtl_lint_gen"; exit 1; }
for cfg in "4x4 4 4 256 1024 256 16 8" "8x8 8 8 512 8192 512 32 16" \
	"16x16 16 16 512 8192 512 32 16" "32x32 32 32 512 8192 512 32 16" \
	"64x64 64 64 256 4096 512 64 16"; do
	set -- $cfg
	if $VERILATOR --lint-only -Wall -Ibuild/gen --top-module tern_top -GRows=$2 -GLanes=$3 \
		-GWbufDepth=$4 -GAbufDepth=$5 -GAccDepth=$6 -GBusBytes=$7 -GQueueDepth=$8 \
		rtl/*.sv >"$TMP/lint.log" 2>&1; then
		pass "rtl_lint_$1"
	else
		fail "rtl_lint_$1" "$(grep -m3 -E '%(Warning|Error)' "$TMP/lint.log")"
	fi
done
# The bug-hook variant must lint too.
if $VERILATOR --lint-only -Wall -Ibuild/gen --top-module tern_top +define+TERN_BUG_FLIP_LANE \
	rtl/*.sv >"$TMP/lint.log" 2>&1; then pass "rtl_lint_bug_variant"
else fail "rtl_lint_bug_variant" "$(grep -m3 -E '%(Warning|Error)' "$TMP/lint.log")"; fi
# House rules a linter does not check (multipliers are yosys_nomul.sh's job).
bad=""
for f in rtl/*.sv; do
	head -1 "$f" | grep -q '^`default_nettype none' || bad="$bad $f:nettype"
	grep -q "^module $(basename "$f" .sv)" "$f" || bad="$bad $f:name"
	awk 'length > 100 { exit 1 }' "$f" || bad="$bad $f:width"
done
if [ -z "$bad" ]; then pass "rtl_style"; else fail "rtl_style" "$bad"; fi
