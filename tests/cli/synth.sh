#!/usr/bin/env bash
# tern synth reads cached reports (written here by hand, with values the table must show)
# and judges them: ok -> exit 0, a failed run -> exit 1; bad options and broken reports
# exit 2 with one line. tern sweep's LUT column: measured where a report exists, a line
# fitted through the board's reports elsewhere, Pareto over three objectives.
source "$(dirname "$0")/../lib.sh"
T=$TERN_SAN
[ -x "$T" ] || T=$TERN
S=$TMP/synth
mkdir -p "$S/icebreaker/8x8" "$S/kv260/16x16" "$S/kv260/32x32" "$S/pynq-z2/8x8" "$S/kv260/12x12" \
	"$S/kv260/64x64-bus128"

cat >"$S/icebreaker/8x8/report.json" <<'J'
{"tern_synth": 1, "board": "icebreaker", "family": "ice40", "part": "iCE40UP5K-SG48",
 "array": "8x8", "config": {"ROWS": 8, "LANES": 8}, "lut_kind": "LUT4", "status": "ok",
 "capacity": {"luts": 5280, "lc": 5280, "spram": 4}, "fmax_mhz": 27.5, "timing": "nextpnr-ice40",
 "lc": 4224, "lut": 3900, "ff": 1320, "bram": 28, "spram": 4, "uram": 0, "dsp": 0,
 "bitstream": "tern_icebreaker_top.bin", "seconds": {"synth": 100.0, "total": 200.0},
 "tools": {"yosys": "Yosys 0.23", "nextpnr-ice40": "nextpnr-ice40 0.4"}, "list": [1, {"x": 2}],
 "pe_array": {"lut": 704, "lut_per_pe": 11.0, "est_lut_per_pe": 12.25, "share_of_tern_top": 0.18}}
J
if "$T" synth --board icebreaker --synth-dir "$S" >"$TMP/o" 2>"$TMP/e"; then
	pass "cached ok report: exit 0"
else
	fail "cached ok report: exit 0" "$(head -c 300 "$TMP/e")"
fi
# used / available and the percentage computed from them: 4224 / 5280 = 80.0%
if grep -qE '^  LC \(nextpnr\) +4224 +5280 +80\.0%' "$TMP/o" &&
	grep -qE '^  LUT4 +3900 +5280 +73\.9%' "$TMP/o" && grep -qE '^  DSP +0 +8 ' "$TMP/o" &&
	grep -qE '^  BRAM \(SB_RAM40_4K\) +28 +30 +93\.3%' "$TMP/o" &&
	grep -qE '^  Fmax +27\.5 MHz \(target 24 MHz' "$TMP/o" &&
	grep -qE 'PE array +11\.00 LUT4/PE \(adder-tree estimate 12\.25\), 18% of tern_top' "$TMP/o" &&
	grep -q 'cached report' "$TMP/o"; then
	pass "table shows used, available, percent, Fmax and the PE array"
else
	fail "table shows used, available, percent, Fmax and the PE array" "$(cat "$TMP/o")"
fi

sed -e 's/"status": "ok"/"status": "pnr failed (exit 1): ERROR: Unable to place cell"/' \
	"$S/icebreaker/8x8/report.json" >"$S/pynq-z2/8x8/report.json"
expect_exit 1 "failed run: exit 1" "$T" synth --board pynq-z2 --array 8x8 --synth-dir "$S"
if grep -q 'Unable to place' "$TMP/out"; then pass "failed run: status shown"; else fail "failed run: status shown" "$(cat "$TMP/out")"; fi

printf '{"tern_synth": 1, "status": "ok", "lut": 12' >"$S/kv260/12x12/report.json"
expect_usage_error "truncated report" "$T" synth --board kv260 --array 12x12 --synth-dir "$S"
if grep -q '12x12/report.json' "$TMP/err"; then pass "truncated report: names the file"; else fail "truncated report: names the file" "$(cat "$TMP/err")"; fi

# a split run (docs/fpga.md): the board's own array by name, the method line, the sum's use
cat >"$S/kv260/64x64-bus128/report.json" <<'J'
{"tern_synth": 1, "board": "kv260", "family": "xilinx", "part": "xck26-sfvc784-2LV-c",
 "array": "64x64-bus128", "hierarchy": "split", "status": "ok", "fmax_mhz": null,
 "method": "rest synthesized (tern_top with tern_pe_array as a black box) + PE array from a 2-row strip x 64 rows",
 "timing": "none: the open Xilinx flow (yosys only) does no placement and no timing closure",
 "lut": 93696, "ff": 11712, "bram": 288, "uram": 16, "dsp": 0, "lutram": 0, "carry": 0,
 "parts": {"rest": {"lut": 33216}}, "tools": {"yosys": "Yosys 0.23"}, "seconds": {"total": 50.0}}
J
if "$T" synth --board kv260 --array 64x64-bus128 --synth-dir "$S" >"$TMP/o" 2>"$TMP/e" &&
	grep -qE '^  LUT6 +93696 +117120 +80\.0%' "$TMP/o" && grep -qE '^  URAM +16 +64 +25\.0%' "$TMP/o" &&
	grep -qE '^  BRAM \(RAMB18\) +288 +288 +100\.0%' "$TMP/o" &&
	grep -qE '^  method +rest synthesized .* x 64 rows$' "$TMP/o"; then
	pass "split report: board array by name, method line"
else
	fail "split report: board array by name, method line" "$(cat "$TMP/o" "$TMP/e")"
fi
expect_usage_error "bad --array" "$T" synth --board kv260 --array 9x9x --synth-dir "$S"
expect_usage_error "missing --board" "$T" synth --synth-dir "$S"
expect_usage_error "unknown board" "$T" synth --board de10 --synth-dir "$S"
expect_usage_error "unknown option" "$T" synth --board kv260 --fast
expect_usage_error "stray argument" "$T" synth --board kv260 extra
expect_exit 0 "help" "$T" synth --help

# sweep: kv260 reports at 16x16 (256 PEs, 20000 LUT) and 32x32 (1024 PEs, 56000 LUT):
# 8x8 has no report, so it gets the line through them: 20000 + (64-256)*36000/768 = 11000.
for a in 16x16:16:20000 32x32:32:56000; do
	IFS=: read -r arr n lut <<<"$a"
	printf '{"tern_synth": 1, "board": "kv260", "status": "ok", "config": {"ROWS": %s, "LANES": %s}, "lut": %s}\n' \
		"$n" "$n" "$lut" >"$S/kv260/$arr/report.json"
done
if "$T" sweep --model zoo:tiny --arrays 8x8,16x16,32x32 --wfmt 2bit --prompt 4 --tokens 2 \
	--board kv260 --synth-dir "$S" --out "$TMP/sw" --quiet >"$TMP/o" 2>"$TMP/e"; then
	pass "sweep with reports runs"
else
	fail "sweep with reports runs" "$(head -c 300 "$TMP/e")"
fi
if awk -F, 'NR == 1 { ok = $26 == "luts" && $27 == "luts_source" }
	NR > 1 { v[$1] = $26 "/" $27 }
	END { exit !(ok && v["8x8"] == "11000/fit" && v["16x16"] == "20000/synth" && v["32x32"] == "56000/synth") }' \
	"$TMP/sw/sweep.csv"; then
	pass "sweep LUTs: synth where reported, fit elsewhere"
else
	fail "sweep LUTs: synth where reported, fit elsewhere" "$(cut -d, -f1,26,27 "$TMP/sw/sweep.csv" | tr '\n' ' ')"
fi
# Pareto over three objectives: recompute from the CSV (tokens/s col 14 up, J/token col 17
# down, LUTs col 26 down) and compare with the pareto column (25).
if awk -F, 'NR > 1 { n++; a[n] = $1; t[n] = $14; j[n] = $17; l[n] = $26; p[n] = $25 }
	END { for (i = 1; i <= n; i++) { d = 0
		for (k = 1; k <= n; k++) if (k != i && t[k] >= t[i] && j[k] <= j[i] && l[k] <= l[i] &&
			(t[k] > t[i] || j[k] < j[i] || l[k] < l[i])) d = 1
		if (p[i] != !d) bad = 1 }
	exit bad || n != 3 }' "$TMP/sw/sweep.csv"; then
	pass "pareto column = three-objective front"
else
	fail "pareto column = three-objective front" "$(cut -d, -f1,14,17,25,26 "$TMP/sw/sweep.csv" | tr '\n' ' ')"
fi
