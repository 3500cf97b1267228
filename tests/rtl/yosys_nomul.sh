#!/usr/bin/env bash
# The synthesized design must contain no multiplier or divider: elaborate tern_top with
# yosys for every preset listed in isa/tern_isa.json synth.nomul_check (the generator
# writes build/gen/yosys_nomul_PRESET.ys with that preset's parameters) and fail on any
# $mul, $div, $mod, $pow, $macc cell (also the floor variants). The check runs on the
# coarse netlist after proc/flatten/opt (before techmap, where a multiplier would dissolve
# into gates and become invisible). Also: an invalid parameter set stops yosys with the
# config rule's message (tern_cfg_check.svh).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
YOSYS=${YOSYS:-yosys}
make --no-print-directory gen >/dev/null || { fail "rtl_yosys_gen"; exit 1; }
command -v "$YOSYS" >/dev/null || { fail "rtl_yosys" "yosys not found"; exit 0; }
names=$(python3 -c 'import json; print(" ".join(json.load(open("isa/tern_isa.json"))["synth"]["nomul_check"]))')
[ -n "$names" ] || { fail "rtl_yosys_presets" "no synth.nomul_check presets"; exit 0; }
for name in $names; do
	ys=build/gen/yosys_nomul_$name.ys
	rows=$(python3 -c 'import json,sys; print([p for p in json.load(open("isa/tern_isa.json"))["config"]["presets"] if p["name"]==sys.argv[1]][0]["ROWS"])' "$name")
	if ! $YOSYS -q -l "$TMP/y.log" "$ys" >/dev/null 2>&1; then
		fail "rtl_yosys_read_$name" "$(grep -m3 -i error "$TMP/y.log")"
		continue
	fi
	if ! grep -q "Parameter .Rows = $rows\$" "$TMP/y.log"; then
		fail "rtl_yosys_read_$name" "parameters not applied"; continue
	fi
	pass "rtl_yosys_read_$name"
	cells=$(grep -E '^\s+\$(mul|div|mod|pow|macc|divfloor|modfloor)\s' "$TMP/y.log" | tr -s ' ')
	if [ -z "$cells" ] && grep -qE '^\s+\$add\s' "$TMP/y.log"; then pass "rtl_yosys_nomul_$name"
	else fail "rtl_yosys_nomul_$name" "${cells:-no stat output}"; fi
done

# An invalid config (BUS_BYTES 8 on the first preset) must stop elaboration with the
# same message tern_hw_config_check gives (tests/unit/test_config.c checks the C side).
first=${names%% *}
sed -E 's/-set BusBytes [0-9]+/-set BusBytes 8/' "build/gen/yosys_nomul_$first.ys" >"$TMP/bad.ys"
want="config: BUS_BYTES must be 16..128 (a beat carries whole instructions)"
if $YOSYS -q -l "$TMP/bad.log" "$TMP/bad.ys" >/dev/null 2>&1; then
	fail "rtl_yosys_bad_config" "yosys accepted BusBytes=8"
elif grep -qF "$want" "$TMP/bad.log"; then pass "rtl_yosys_bad_config"
else fail "rtl_yosys_bad_config" "$(grep -m2 -i error "$TMP/bad.log")"; fi
