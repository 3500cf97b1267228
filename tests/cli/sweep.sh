#!/usr/bin/env bash
# tern sweep: a tiny grid on the tiny zoo model writes sweep.csv with the documented
# columns, one row per point and positive numbers, a pareto.png when gnuplot exists,
# and leaves no temporary files; bad options exit 2 with one line on stderr.
source "$(dirname "$0")/../lib.sh"
T=$TERN_SAN
[ -x "$T" ] || T=$TERN
out=$TMP/sw

if "$T" sweep --model zoo:tiny --arrays 8x8,16x16 --wfmt 2bit,base3 --prompt 8 --tokens 4 \
	--dram-bw 16 --out "$out" --quiet >"$TMP/o" 2>"$TMP/e"; then
	pass "tiny grid runs"
else
	fail "tiny grid runs" "$(head -c 300 "$TMP/e")"
fi
cols="array,rows,lanes,wfmt,clock_mhz,dram_bytes_per_cycle,dram_latency,prompt,tokens,prefill_cycles,decode_cycles_per_token,total_cycles,seconds,tokens_per_s,prefill_tokens_per_s,decode_tokens_per_s,j_per_token,compute_j_per_token,sram_j_per_token,dram_j_per_token,host_j_per_token,macs,dram_bytes,utilization,pareto,luts,luts_source"
if [ "$(head -1 "$out/sweep.csv" 2>/dev/null)" = "$cols" ]; then pass "csv columns"; else fail "csv columns" "$(head -1 "$out/sweep.csv" 2>/dev/null)"; fi
if [ "$(tail -n +2 "$out/sweep.csv" 2>/dev/null | wc -l)" -eq 4 ]; then pass "one row per point"; else fail "one row per point"; fi
if awk -F, 'NR > 1 { for (i = 2; i <= 24; i++) if (i != 4 && !($i + 0 > 0)) bad = 1; n++ }
	NR > 1 && $25 == 1 { front++ } END { exit bad || !n || !front }' "$out/sweep.csv"; then
	pass "values positive, a Pareto point marked"
else
	fail "values positive, a Pareto point marked" "$(cat "$out/sweep.csv")"
fi
if awk -F, 'NR > 1 && $12 != $10 + $9 * $11 { bad = 1 } END { exit bad }' "$out/sweep.csv"; then
	pass "total cycles = prefill + tokens x decode"
else
	fail "total cycles = prefill + tokens x decode"
fi
if command -v gnuplot >/dev/null; then
	if [ -s "$out/pareto.png" ]; then pass "pareto.png written"; else fail "pareto.png written"; fi
fi
if [ -z "$(find "$out" -name '.*tmp*')" ]; then pass "no temporary files left"; else fail "no temporary files left"; fi
if "$T" sweep --help | grep -q "^usage: tern sweep"; then pass "--help"; else fail "--help"; fi

expect_usage_error "missing --model" "$T" sweep --out "$out"
expect_usage_error "unknown model" "$T" sweep --model zoo:nope --out "$out"
expect_usage_error "bad array" "$T" sweep --model zoo:tiny --arrays 8x8,0x3 --out "$out"
expect_usage_error "bad wfmt" "$T" sweep --model zoo:tiny --wfmt 3bit --out "$out"
expect_usage_error "wfmt twice" "$T" sweep --model zoo:tiny --wfmt 2bit,2bit --out "$out"
expect_usage_error "prompt zero" "$T" sweep --model zoo:tiny --prompt 0 --out "$out"
expect_usage_error "tokens junk" "$T" sweep --model zoo:tiny --tokens 5x --out "$out"
expect_usage_error "bw and board" "$T" sweep --model zoo:tiny --dram-bw 8 --board kv260 --out "$out"
expect_usage_error "unknown board" "$T" sweep --model zoo:tiny --board nope --out "$out"
expect_usage_error "clock zero" "$T" sweep --model zoo:tiny --clock-mhz 0 --out "$out"
expect_usage_error "zero fraction > 1" "$T" sweep --model zoo:tiny --zero-fraction 1.5 --out "$out"
expect_usage_error "unknown option" "$T" sweep --model zoo:tiny --frobnicate --out "$out"
expect_usage_error "stray argument" "$T" sweep --model zoo:tiny extra --out "$out"
expect_usage_error "out is a file" "$T" sweep --model zoo:tiny --out "$out/sweep.csv"
