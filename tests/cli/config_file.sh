#!/usr/bin/env bash
# --config FILE.json: hardware configs from a file (driver/tern_config_file.c).
# Bad files (syntax, unknown or repeated keys, non-integers, values the validity rule
# refuses, trailing bytes) exit 2 with one line naming the file, under the ASan build,
# on gemm, run and sweep. Good files on non-preset configs: tern gemm on the ref and
# fast backends writes exactly the product an independent program computes, the
# config's values reach the device (JSON echo, report.json) and change the cycles, a
# file equal to a preset times exactly like the preset, and run and sweep use it.
source "$(dirname "$0")/../lib.sh"
S=$TERN_SAN; [ -x "$S" ] || S=$TERN
T=$TERN
IND=$ROOT/build/tests/indep_matmul
C=$TMP/cfg; mkdir -p "$C"
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

FULL='"ROWS": 12, "LANES": 20, "WBUF_DEPTH": 300, "ABUF_DEPTH": 3000, "ACC_DEPTH": 200, "BUS_BYTES": 16, "QUEUE_DEPTH": 5'

# bad NAME 'TEXT' [PATTERN]: usage error naming the file (and PATTERN when given)
bad() {
	local name=$1 text=$2 pat=${3:-} f=$C/bad.json
	printf '%s' "$text" >"$f"
	expect_usage_error "config: $name" "$S" gemm --m 4 --k 4 --n 1 --seed 1 --config "$f"
	if ! grep -q -F "$f" "$TMP/err"; then fail "config: $name names the file" "$(cat "$TMP/err")"
	elif [ -n "$pat" ] && ! grep -q -E "$pat" "$TMP/err"; then fail "config: $name says why" "$(cat "$TMP/err")"
	else pass "config: $name names the file"; fi
}

bad "empty file" '' 'expected .\{'
bad "not an object" '[12, 20]' 'expected .\{'
bad "unknown key" "{ $FULL, \"ROWZ\": 4 }" 'unknown key "ROWZ"'
bad "lower-case key" '{ "rows": 12 }' 'unknown key "rows"'
bad "duplicate key" "{ $FULL, \"LANES\": 8 }" 'duplicate key "LANES"'
bad "fraction" '{ "base": "8x8", "ROWS": 8.0 }' 'ROWS must be an integer'
bad "exponent" '{ "base": "8x8", "LANES": 1e1 }' 'LANES must be an integer'
bad "negative" '{ "base": "8x8", "ROWS": -8 }' 'non-negative'
bad "string for a number" '{ "base": "8x8", "ROWS": "8" }' 'ROWS must be an integer'
bad "boolean for a number" '{ "base": "8x8", "QUEUE_DEPTH": true }' 'QUEUE_DEPTH must be an integer'
bad "past 32 bits" '{ "base": "8x8", "WBUF_DEPTH": 4294967296 }' 'out of range'
bad "leading zero" '{ "base": "8x8", "ROWS": 08 }' 'leading zero'
bad "trailing garbage" "{ $FULL } x" "after the closing"
bad "two objects" "{ $FULL } {}" "after the closing"
bad "trailing comma" "{ $FULL, }" 'expected a key'
bad "missing comma" '{ "base": "8x8" "ROWS": 8 }' "expected ',' or"
bad "unterminated" '{ "base": "8x8", "ROWS": 8' "expected ',' or"
bad "nested object" '{ "base": { "name": "8x8" } }' 'base'
bad "escape in a key" '{ "RO\u0057S": 8 }' 'escape'
bad "missing field, no base" '{ "ROWS": 12, "LANES": 20 }' 'missing "WBUF_DEPTH"'
bad "unknown base" '{ "base": "33x33" }' 'not a preset'
bad "bad name" '{ "base": "8x8", "name": "a b" }' 'name'
bad "ROWS 0 (validity rule)" '{ "base": "8x8", "ROWS": 0 }' 'ROWS must be 1\.\.256'
bad "LANES 300 (validity rule)" '{ "base": "8x8", "LANES": 300 }' 'LANES must be 1\.\.256'
bad "bus narrower than an instruction" '{ "base": "8x8", "BUS_BYTES": 12 }' 'BUS_BYTES must be 16\.\.128'
bad "bus not a power of two" '{ "base": "8x8", "ROWS": 24, "BUS_BYTES": 48 }' 'BUS_BYTES must be a power of two'
bad "bus does not divide ROWS*4" "{ \"base\": \"8x8\", \"ROWS\": 12, \"BUS_BYTES\": 32 }" 'BUS_BYTES must divide ROWS\*4'
bad "queue depth 1" '{ "base": "8x8", "QUEUE_DEPTH": 1 }' 'QUEUE_DEPTH must be 2\.\.256'
bad "buffer depth 1" '{ "base": "8x8", "ACC_DEPTH": 1 }' 'ACC_DEPTH must be 2\.\.65535'
# the position of the problem: line 3, column 11 is the 'x'
printf '{\n  "base": "8x8",\n  "ROWS": x\n}\n' >"$C/pos.json"
expect_usage_error "config: bad value on line 3" "$S" gemm --m 4 --k 4 --n 1 --seed 1 --config "$C/pos.json"
if grep -q -F "$C/pos.json:3:11:" "$TMP/err"; then pass "config: line and column"; else fail "config: line and column" "$(cat "$TMP/err")"; fi
expect_usage_error "config: missing file" "$S" gemm --m 4 --k 4 --n 1 --seed 1 --config "$C/nope.json"
expect_usage_error "config: a directory" "$S" gemm --m 4 --k 4 --n 1 --seed 1 --config "$C"
echo "{ $FULL }" >"$C/wide.json"
expect_usage_error "config: with --array" "$S" gemm --m 4 --k 4 --n 1 --seed 1 --config "$C/wide.json" --array 8x8
expect_usage_error "config: --array then --config" "$S" gemm --m 4 --k 4 --n 1 --seed 1 --array 8x8 --config "$C/wide.json"
printf '{ "base": "8x8", "ROWS": 0 }' >"$C/zero.json"
expect_usage_error "config: run refuses a bad file" "$S" run --tokens 1 --config "$C/zero.json"
expect_usage_error "config: sweep refuses a bad file" "$S" sweep --model zoo:tiny --config "$C/zero.json" --out "$TMP/sw0"
if [ ! -e "$TMP/sw0" ]; then pass "config: sweep wrote nothing"; else fail "config: sweep wrote nothing"; fi

# --- good files: the independent product, on ref and fast
echo '{ "name": "deep-12x20", '"$FULL"' }' >"$C/wide.json"
echo '{ "base": "8x8", "LANES": 12, "ACC_DEPTH": 64, "QUEUE_DEPTH": 4, "name": "narrow" }' >"$C/based.json"
echo '{ "ROWS": 4, "LANES": 9, "WBUF_DEPTH": 2, "ABUF_DEPTH": 40, "ACC_DEPTH": 3, "BUS_BYTES": 16, "QUEUE_DEPTH": 2 }' >"$C/tiny-bufs.json"
gemm_case() { # gemm_case SEED M K N CONFIG WFMT BACKEND [BINARY]
	local s=$1 m=$2 k=$3 n=$4 cf=$5 fmt=$6 be=$7 bin=${8:-$T}
	local name="config gemm ${m}x${k}x${n} $(basename "$cf") $fmt $be"
	"$IND" gen "$s" "$m" "$k" "$n" "$TMP/w" "$TMP/x" && "$IND" mul "$m" "$k" "$n" "$TMP/w" "$TMP/x" "$TMP/want" || { fail "$name" "oracle"; return; }
	rm -f "$TMP/y"
	if ! "$bin" gemm --m "$m" --k "$k" --n "$n" --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" --config "$cf" \
		--wfmt "$fmt" --backend "$be" --quiet --json >"$TMP/g.json" 2>"$TMP/log"; then
		fail "$name" "exit $?: $(tail -2 "$TMP/log")"
	elif cmp -s "$TMP/y" "$TMP/want"; then pass "$name"
	else fail "$name" "output differs from the independent product"; fi
}
for be in ref fast; do
	gemm_case 21 300 1000 9 "$C/wide.json" 2bit $be
	gemm_case 22 130 513 33 "$C/wide.json" base3 $be
	gemm_case 23 77 300 5 "$C/based.json" 2bit $be
	gemm_case 24 50 70 4 "$C/tiny-bufs.json" base3 $be
done
gemm_case 25 100 260 6 "$C/wide.json" base3 fast "$S"
# a non-preset config on the simulated RTL (Verilated for this config on first use, cached
# by content), every write lockstep-checked, both weight formats
gemm_case 27 300 1000 9 "$C/wide.json" 2bit verilator
gemm_case 28 130 513 33 "$C/wide.json" base3 verilator

# the file's values are the device's config
gemm_case 26 64 128 2 "$C/wide.json" 2bit fast
got=$(json_get "$TMP/g.json" '(j["array"], j["rows"], j["lanes"], j["wbuf_depth"], j["abuf_depth"], j["acc_depth"], j["bus_bytes"], j["queue_depth"], j["ok"])')
if [ "$got" = "('deep-12x20', 12, 20, 300, 3000, 200, 16, 5, True)" ]; then pass "config values reach the device"
else fail "config values reach the device" "$got"; fi
gemm_case 27 64 128 2 "$C/based.json" 2bit fast
got=$(json_get "$TMP/g.json" '(j["array"], j["rows"], j["lanes"], j["wbuf_depth"], j["abuf_depth"], j["acc_depth"], j["bus_bytes"], j["queue_depth"])')
if [ "$got" = "('narrow', 8, 12, 512, 8192, 64, 32, 4)" ]; then pass "base preset plus overrides"
else fail "base preset plus overrides" "$got"; fi

# a file equal to a preset times exactly like the preset; other depths time differently
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=[p for p in d["config"]["presets"] if p["name"]=="16x16"][0]; print(json.dumps({k:v for k,v in p.items() if k!="name"}))' \
	"$ROOT/isa/tern_isa.json" >"$C/p16.json"
echo '{ "base": "16x16", "QUEUE_DEPTH": 2, "ACC_DEPTH": 8 }' >"$C/q2.json"
cyc() { "$T" gemm --m 256 --k 512 --n 16 --seed 5 --backend fast --json "$@" 2>/dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["cycles"] if j["ok"] else "fail")'; }
a=$(cyc --array 16x16); b=$(cyc --config "$C/p16.json"); c=$(cyc --config "$C/q2.json")
if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "config equal to 16x16 gives its cycles ($a)"; else fail "config equal to 16x16 gives its cycles" "$a vs $b"; fi
if [ -n "$c" ] && [ "$c" != fail ] && [ "$c" != "$a" ]; then pass "queue and ACC depth change the cycles ($a -> $c)"; else fail "queue and ACC depth change the cycles" "$a vs $c"; fi

# run: a checked model run on a non-preset config, its report carries the config
if "$T" run --quiet --json --model zoo:tiny --backend fast --config "$C/wide.json" --tokens 2 \
	--report "$TMP/rr" >"$TMP/r.json" 2>"$TMP/err"; then
	got=$(json_get "$TMP/r.json" '(j["array"], j["ok"], j["checks"]["model"])')
	rep=$(json_get "$TMP/rr/report.json" '(j["array"], j["rows"], j["lanes"], j["buffers"])')
	if [ "$got" = "('deep-12x20', True, 'passed')" ] &&
	   [ "$rep" = "('deep-12x20', 12, 20, {'wbuf_depth': 300, 'abuf_depth': 3000, 'acc_depth': 200, 'bus_bytes': 16, 'queue_depth': 5})" ]; then
		pass "run --config: checked, report has the config"
	else fail "run --config: checked, report has the config" "$got $rep"; fi
else fail "run --config" "$(head -c 300 "$TMP/err")"; fi

# sweep: configs are points of their own; without --arrays only they are swept
if "$T" sweep --model zoo:tiny --prompt 4 --tokens 2 --config "$C/wide.json" --config "$C/based.json" \
	--wfmt 2bit --out "$TMP/sw" --quiet >/dev/null 2>"$TMP/err"; then
	got=$(python3 -c 'import csv,sys; print([(r["array"], r["rows"], r["lanes"]) for r in csv.DictReader(open(sys.argv[1]))])' "$TMP/sw/sweep.csv")
	if [ "$got" = "[('deep-12x20', '12', '20'), ('narrow', '8', '12')]" ]; then pass "sweep --config points"
	else fail "sweep --config points" "$got"; fi
else fail "sweep --config" "$(head -c 300 "$TMP/err")"; fi

