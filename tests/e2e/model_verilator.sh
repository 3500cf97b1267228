#!/usr/bin/env bash
# tern run on simulated RTL: zoo:tiny on the verilator backend generates the same tokens
# as on the ref backend, with lockstep, layer and model checks passed and cycles counted.
# Skipped (no PASS/FAIL lines) while `tern gemm --backend verilator` cannot run.
source "$(dirname "$0")/../lib.sh"
T=$TERN

if ! "$T" gemm --m 8 --k 8 --n 1 --seed 1 --backend verilator --quiet >/dev/null 2>&1; then
	echo "SKIP: verilator backend not available (tern gemm --backend verilator fails)"
	exit 0
fi
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$T" run --quiet --json --model zoo:tiny --backend ref --tokens 8 >"$TMP/ref.json" 2>"$TMP/err"
if "$T" run --quiet --json --model zoo:tiny --backend verilator --tokens 8 >"$TMP/vl.json" 2>"$TMP/err"; then
	pass "tiny on verilator exits 0"
else fail "tiny on verilator exits 0" "$(head -c 300 "$TMP/err")"; exit 0; fi
if [ "$(json_get "$TMP/ref.json" 'j["tokens"]')" = "$(json_get "$TMP/vl.json" 'j["tokens"]')" ]; then
	pass "verilator tokens equal ref tokens"
else fail "verilator tokens equal ref tokens"; fi
got=$(json_get "$TMP/vl.json" '(j["checks"]["lockstep"], j["checks"]["layer"], j["checks"]["model"])')
if [ "$got" = "('passed', 'passed', 'passed')" ]; then pass "verilator checks passed"; else fail "verilator checks passed" "$got"; fi
got=$(json_get "$TMP/vl.json" '(j["prefill_cycles"] > 0, len(j["decode_cycles"]), all(c > 0 for c in j["decode_cycles"]))')
if [ "$got" = "(True, 8, True)" ]; then pass "verilator cycles reported"; else fail "verilator cycles reported" "$got"; fi

args=(--prompt-tokens 7,99,5 --tokens 6 --quant a4.8 --top-k 5 --seed 3)
"$T" run --quiet --json "${args[@]}" --backend ref >"$TMP/ref48.json" 2>"$TMP/err"
if "$T" run --quiet --json "${args[@]}" --backend verilator >"$TMP/vl48.json" 2>"$TMP/err" &&
   [ "$(json_get "$TMP/ref48.json" 'j["tokens"]')" = "$(json_get "$TMP/vl48.json" 'j["tokens"]')" ]; then
	pass "verilator a4.8 top-k tokens equal ref"
else fail "verilator a4.8 top-k tokens equal ref" "$(head -c 300 "$TMP/err")"; fi
