#!/usr/bin/env bash
# The hardware config rule at RTL elaboration: Verilator (--lint-only, as the model build
# elaborates) must refuse tern_top with an invalid -G parameter set, printing exactly the
# message the C rule (tern_hw_config_check, via build/tests/config_why) gives, and accept
# valid non-preset sets at the limits. yosys's side is in yosys_nomul.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
VERILATOR=${VERILATOR:-verilator}
WHY=build/tests/config_why
make --no-print-directory gen "$WHY" >/dev/null || { fail "rtl_cfg_build"; exit 1; }
command -v "$VERILATOR" >/dev/null || { fail "rtl_cfg" "verilator not found"; exit 0; }

lint() { # lint ROWS LANES WBUF ABUF ACC BUS QUEUE -> verilator output in $TMP/v.log
	"$VERILATOR" --lint-only -Wall -Wno-fatal -Werror-USERERROR -Ibuild/gen --top-module tern_top \
		-GRows="$1" -GLanes="$2" -GWbufDepth="$3" -GAbufDepth="$4" -GAccDepth="$5" \
		-GBusBytes="$6" -GQueueDepth="$7" rtl/*.sv >"$TMP/v.log" 2>&1
}

# refused: each breaks one check of the rule. (ROWS or LANES 0 is refused too, but by a
# zero-width signal in a submodule before tern_top's check runs, so not with this message.)
for cfg in "8 8 512 8192 512 8 16" "8 8 512 8192 512 256 16" "12 8 512 8192 512 48 16" \
	   "4 8 512 8192 512 32 16" "8 8 1 8192 512 32 16" "8 8 512 8192 512 32 1" \
	   "256 256 512 512 512 128 16"; do
	name="rtl_cfg_refused_${cfg// /_}"
	want=$("$WHY" $cfg)
	if [ "$want" = valid ]; then fail "$name" "config_why calls it valid"; continue; fi
	if lint $cfg; then fail "$name" "verilator accepted it"; continue; fi
	if grep "USERERROR" "$TMP/v.log" | grep -qF ": $want"; then pass "$name"
	else fail "$name" "want '$want', got: $(grep -m1 -E 'Error|Warning' "$TMP/v.log")"; fi
done

# accepted: small, non-square and limit configs elaborate lint-clean
for cfg in "4 3 2 2 2 16 2" "12 20 100 300 50 16 2" "32 8 65535 65535 65535 128 256"; do
	name="rtl_cfg_accepted_${cfg// /_}"
	if [ "$("$WHY" $cfg)" != valid ]; then fail "$name" "config_why refuses it"; continue; fi
	if lint $cfg && [ ! -s "$TMP/v.log" ]; then pass "$name"
	else fail "$name" "$(head -3 "$TMP/v.log")"; fi
done
