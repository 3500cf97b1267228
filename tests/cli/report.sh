#!/usr/bin/env bash
# tern gemm --report and tern report: every report file is written, report.json
# parses and its energies add up, the plots exist (when gnuplot is installed), the
# summary prints again, and bad report options fail with exit 2 and one line.
source "$(dirname "$0")/../lib.sh"
R=$TMP/rep

if "$TERN" gemm --seed 1 --m 64 --k 128 --n 8 --report "$R" >"$TMP/out" 2>"$TMP/err"; then
	pass "gemm --report exits 0"
else
	fail "gemm --report exits 0" "$(head -c 300 "$TMP/err")"
fi
for f in report.json layers.csv summary.md; do
	if [ -s "$R/$f" ]; then pass "report writes $f"; else fail "report writes $f"; fi
done
if ls -a "$R" | grep -q '\.tmp\.'; then fail "no temporary files left" "$(ls -a "$R")"; else pass "no temporary files left"; fi

if python3 - "$R/report.json" <<'PY' 2>"$TMP/py"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["energy"]
for k in ("total_pj", "compute_pj", "sram_pj", "dram_pj", "baseline_int8_pj", "joules_per_token"):
    assert e[k] > 0, k
assert e["host_pj"] >= 0
s = e["compute_pj"] + e["sram_pj"] + e["dram_pj"] + e["host_pj"]
assert abs(s - e["total_pj"]) <= 1e-6 * e["total_pj"], (s, e["total_pj"])
b = e["int8"]
assert abs(b["compute_pj"] + b["sram_pj"] + b["dram_pj"] + b["host_pj"] - b["total_pj"]) <= 1e-6 * b["total_pj"]
assert e["baseline_int8_pj"] > e["total_pj"]
for k in ("model", "backend", "array", "clock_mhz", "dram_gbps", "prefill", "decode", "layers"):
    assert k in r, k
p = r["prefill"]
assert p["tokens"] == 8 and p["cycles"] > 0 and p["seconds"] > 0 and p["tokens_per_s"] > 0
assert abs(p["seconds"] - p["cycles"] / (r["clock_mhz"] * 1e6)) < 1e-12
assert len(r["layers"]) == 1
l = r["layers"][0]
assert l["shape"] == {"m": 64, "k": 128, "n": 8}
assert l["macs"] == 64 * 128 * 8 and 0 < l["utilization"] <= 1 and l["dram_bytes"] > 0
assert abs(l["energy_pj"] - e["total_pj"]) <= 1e-6 * e["total_pj"]
# a single gemm has no host work: no host rate, no host time or energy, TTFT = prefill
assert r["host_gflops"] == 0 and r["host_note"] == "no host work modelled", r["host_note"]
for k in ("host_flops", "host_bytes", "host_pj", "host_seconds"):
    assert p[k] == 0 and r["total"][k] == 0, k
assert p["host_ops"] == {} and e["host_pj"] == 0
assert r["ttft_seconds"] == p["seconds"]
PY
then pass "report.json parses, energies add up"; else fail "report.json parses, energies add up" "$(tail -2 "$TMP/py")"; fi
if grep -q '| host | no host work modelled |' "$R/summary.md" && ! grep -q 'Host work' "$R/summary.md"; then
	pass "summary states no host work"
else fail "summary states no host work" "$(grep -i host "$R/summary.md" | head -3)"; fi

if [ "$(wc -l <"$R/layers.csv")" -eq 2 ] && head -1 "$R/layers.csv" | grep -q '^name,phase,m,k,n,'; then
	pass "layers.csv header and one row"
else fail "layers.csv header and one row" "$(cat "$R/layers.csv")"; fi

if command -v gnuplot >/dev/null; then
	for f in cycles roofline energy units; do
		if [ -s "$R/$f.png" ] && head -c 8 "$R/$f.png" | grep -q PNG; then pass "plot $f.png"; else fail "plot $f.png"; fi
	done
else
	echo "note: gnuplot not installed, plot checks skipped"
fi

"$TERN" report "$R" >"$TMP/sum" 2>"$TMP/err"
if [ $? -eq 0 ] && cmp -s "$TMP/sum" "$R/summary.md" && grep -q 'INT8' "$TMP/sum"; then
	pass "tern report prints the summary"
else fail "tern report prints the summary"; fi

# Without gnuplot on the PATH: everything else is written, a note on stderr, exit 0.
R2=$TMP/rep2
if env PATH=/nonexistent "$TERN" gemm --seed 2 --m 8 --k 8 --n 1 --array 4x4 --report "$R2" >/dev/null 2>"$TMP/err" &&
   [ -s "$R2/summary.md" ] && [ ! -e "$R2/cycles.png" ] && grep -q gnuplot "$TMP/err"; then
	pass "no gnuplot: report without plots"
else fail "no gnuplot: report without plots" "$(head -c 300 "$TMP/err")"; fi

# Board, clock, bandwidth and table choices reach the report.
R3=$TMP/rep3
if "$TERN" gemm --seed 3 --m 32 --k 64 --n 2 --board pynq-z2 --clock-mhz 150 --tech 7nm --report "$R3" >/dev/null 2>"$TMP/err" &&
   python3 -c "
import json,sys; r=json.load(open('$R3/report.json'))
assert r['board']=='pynq-z2' and r['clock_mhz']==150 and r['dram_gbps']==2.133 and r['energy']['tech']=='7nm'" 2>/dev/null; then
	pass "board, clock and 7nm table in report"
else fail "board, clock and 7nm table in report" "$(head -c 300 "$TMP/err")"; fi

# The memory roof is min(board DRAM, port BUS_BYTES x clock), computed here from the
# report's own inputs; kv260 (19.2 GB/s) at 200 MHz with a 32-byte port is port-limited.
if python3 - "$R/report.json" "$R3/report.json" <<'PY' 2>"$TMP/py"
import json, sys
for path in sys.argv[1:]:
    r = json.load(open(path))
    port = r["buffers"]["bus_bytes"] * r["clock_mhz"] / 1000.0
    want = min(r["dram_gbps"], port)
    assert abs(r["port_gbps"] - port) <= 1e-9 * port, (r["port_gbps"], port)
    assert abs(r["memory_roof_gbps"] - want) <= 1e-9 * want, (r["memory_roof_gbps"], want)
    assert r["memory_roof_limit"] == ("port" if port < r["dram_gbps"] else "dram")
r = json.load(open(sys.argv[1]))
assert r["board"] == "kv260" and r["memory_roof_gbps"] == 6.4 and r["memory_roof_limit"] == "port", r["memory_roof_gbps"]
# ref backend: the lower bound uses that roof: max(MACs / PEs, DRAM bytes / roof bytes per cycle)
l = r["layers"][0]
bpc = r["memory_roof_gbps"] * 1000 / r["clock_mhz"]
import math
want = max(math.ceil(l["macs"] / (r["rows"] * r["lanes"])), math.ceil(l["dram_bytes"] / bpc))
assert l["cycles_source"] == "bound" and l["cycles"] == want, (l["cycles"], want)
assert l["units"] is None and r["prefill"]["units"] is None  # ref counts no busy/stall cycles
PY
then pass "memory roof = min(DRAM, port) and the bound uses it"; else fail "memory roof = min(DRAM, port) and the bound uses it" "$(tail -2 "$TMP/py")"; fi
if grep -q '| memory roof | \*\*6.40 GB/s\*\* = min(board DRAM 19.2 GB/s, memory port 32 B/cycle x 200 MHz = 6.40 GB/s)' "$R/summary.md"; then
	pass "summary states the memory roof"
else fail "summary states the memory roof" "$(grep -i roof "$R/summary.md")"; fi

# fast backend: the busy/stall fields of report.json and layers.csv equal the counters
# `tern gemm --json` prints for the same run.
R4=$TMP/rep4
if "$TERN" gemm --seed 4 --m 96 --k 160 --n 3 --backend fast --json --report "$R4" >"$TMP/g.json" 2>"$TMP/err" &&
   python3 - "$TMP/g.json" "$R4" <<'PY' 2>"$TMP/py"
import csv, json, sys
c = json.load(open(sys.argv[1]))["counters"]
r = json.load(open(sys.argv[2] + "/report.json"))
names = ["FETCH_STALL", "LOAD_BUSY", "LOAD_STALL_DEP", "LOAD_STALL_MEM", "GEMM_BUSY",
         "GEMM_STALL_DEP", "STORE_BUSY", "STORE_STALL_DEP", "STORE_STALL_MEM"]
want = {n.lower(): c[n.lower()] for n in names}
assert want["load_busy"] > 0 and want["gemm_busy"] > 0 and want["store_busy"] > 0, want
assert r["layers"][0]["units"] == want, (r["layers"][0]["units"], want)
assert r["prefill"]["units"] == want and r["total"]["units"] == want
row = list(csv.DictReader(open(sys.argv[2] + "/layers.csv")))[0]
assert {k: int(row[k]) for k in want} == want, row
PY
then pass "busy/stall in report.json and layers.csv equal the counters"
else fail "busy/stall in report.json and layers.csv equal the counters" "$(head -c 300 "$TMP/err") $(tail -2 "$TMP/py")"; fi
if grep -q '^| prefill | gemm | ' "$R4/summary.md"; then pass "summary has the unit table"
else fail "summary has the unit table" "$(grep -A3 Units "$R4/summary.md")"; fi

# Numbers for people: no exponent notation anywhere in summary.md or the report lines
# (printf %g always writes a sign after the e; paths from mktemp such as "0e6" carry none).
for f in "$R/summary.md" "$R3/summary.md" "$R4/summary.md" "$TMP/out"; do
	if grep -nE '[0-9]e[+-][0-9]' "$f" >"$TMP/eplus"; then fail "no e+ notation in $(basename "$f")" "$(head -2 "$TMP/eplus")"
	else pass "no e+ notation in $(basename "$f")"; fi
done
if grep -qE '^  report    .*: [0-9.]+ (n|µ|m)?s, [0-9.]+ (p|n|µ|m)?J ternary vs [0-9.]+ (p|n|µ|m)?J INT8' "$TMP/out"; then
	pass "gemm report line has units"
else fail "gemm report line has units" "$(grep report "$TMP/out")"; fi

touch "$TMP/afile"
# usage_says NAME WORD CMD...: exit 2 with one line that mentions WORD.
usage_says() {
	local name=$1 word=$2; shift 2
	local out
	out=$(expect_usage_error "$name" "$@")
	if [[ "$out" == PASS* ]] && ! grep -q -- "$word" "$TMP/err"; then
		fail "$name" "message lacks '$word': $(head -c 300 "$TMP/err")"
	else echo "$out"; fi
}
usage_says "bad --board" "unknown board" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --board zcu104 --report "$TMP/x"
usage_says "bad --clock-mhz" "--clock-mhz" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --clock-mhz fast
usage_says "zero --clock-mhz" "--clock-mhz" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --clock-mhz 0
usage_says "bad --dram-gbps" "--dram-gbps" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --dram-gbps -3
usage_says "--report under a file" "--report" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --report "$TMP/afile/sub"
usage_says "--report is a file" "--report" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --report "$TMP/afile"
usage_says "unknown --tech" "--tech" "$TERN_SAN" gemm --seed 1 --m 4 --k 4 --n 1 --tech 3nm --report "$TMP/x"
usage_says "report without a report" "no report" "$TERN_SAN" report "$TMP"
usage_says "report of a missing dir" "not a directory" "$TERN_SAN" report "$TMP/nope"
usage_says "report without argument" "expected one argument" "$TERN_SAN" report
