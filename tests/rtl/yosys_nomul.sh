#!/usr/bin/env bash
# The synthesized design must contain no multiplier or divider: elaborate tern_top with
# yosys for the 4x4 and 8x8 presets and fail on any $mul, $div, $mod, $pow, $macc cell
# (also the floor variants). The check runs on the coarse netlist after proc/flatten/opt
# (before techmap, where a multiplier would dissolve into gates and become invisible);
# see synth/yosys_nomul.ys.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
YOSYS=${YOSYS:-yosys}
make --no-print-directory gen >/dev/null || { fail "rtl_yosys_gen"; exit 1; }
command -v "$YOSYS" >/dev/null || { fail "rtl_yosys" "yosys not found"; exit 0; }
for cfg in "4x4 4 4 256 1024 256 16 8" "8x8 8 8 64 128 64 32 16"; do
	set -- $cfg
	sed -E "s/^chparam .* ([^ ]+tern_top)\$/chparam -set Rows $2 -set Lanes $3 -set WbufDepth $4 -set AbufDepth $5 -set AccDepth $6 -set BusBytes $7 -set QueueDepth $8 \\1/" \
		synth/yosys_nomul.ys >"$TMP/nomul.ys"
	if ! $YOSYS -q -l "$TMP/y.log" "$TMP/nomul.ys" >/dev/null 2>&1; then
		fail "rtl_yosys_read_$1" "$(grep -m3 -i error "$TMP/y.log")"
		continue
	fi
	if ! grep -q "Parameter .Rows = $2\$" "$TMP/y.log"; then
		fail "rtl_yosys_read_$1" "parameters not applied"; continue
	fi
	pass "rtl_yosys_read_$1"
	cells=$(grep -E '^\s+\$(mul|div|mod|pow|macc|divfloor|modfloor)\s' "$TMP/y.log" | tr -s ' ')
	if [ -z "$cells" ] && grep -qE '^\s+\$add\s' "$TMP/y.log"; then pass "rtl_yosys_nomul_$1"
	else fail "rtl_yosys_nomul_$1" "${cells:-no stat output}"; fi
done
