#!/usr/bin/env bash
# tern run on the tiny zoo model (ref backend): checks pass, output is deterministic,
# --json carries the documented fields, bad inputs exit 2 with one line, SIGINT is clean.
source "$(dirname "$0")/../lib.sh"
T=$TERN

# json_get FILE EXPR: evaluate a Python expression on the parsed object j.
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

run_json() { # run_json OUT ARGS...
	local out=$1; shift
	"$T" run --quiet --json "$@" >"$out" 2>"$TMP/err"
}

if run_json "$TMP/a.json" --model zoo:tiny --backend ref --tokens 8; then pass "tiny ref 8 tokens exits 0"
else fail "tiny ref 8 tokens exits 0" "$(head -c 300 "$TMP/err")"; fi
got=$(json_get "$TMP/a.json" '(len(j["tokens"]), j["checks"]["layer"], j["checks"]["model"], j["checks"]["lockstep"], j["ok"])')
if [ "$got" = "(8, 'passed', 'passed', 'n/a', True)" ]; then pass "tiny ref checks passed"; else fail "tiny ref checks passed" "$got"; fi
got=$(json_get "$TMP/a.json" '(j["prefill_cycles"], len(j["decode_cycles"]), all(c is None for c in j["decode_cycles"]), j["prefill_macs"] > 0, len(j["decode_macs"]), j["peak_rss_bytes"] > 0, j["seconds_per_token"] > 0, j["time"]["wall_seconds"] > 0)')
if [ "$got" = "(None, 8, True, True, 8, True, True, True)" ]; then pass "json cost fields"; else fail "json cost fields" "$got"; fi

run_json "$TMP/b.json" --model zoo:tiny --backend ref --tokens 8
if [ "$(json_get "$TMP/a.json" 'j["tokens"]')" = "$(json_get "$TMP/b.json" 'j["tokens"]')" ]; then pass "deterministic tokens"
else fail "deterministic tokens"; fi

# --check none builds no golden planes (only the embedding stays resident) and gives
# the same tokens; --check layer keeps the planes its check reads.
run_json "$TMP/n.json" --model zoo:tiny --backend ref --tokens 8 --check none
run_json "$TMP/l.json" --model zoo:tiny --backend ref --tokens 8 --check layer
got=$(python3 -c "import json,sys; a,n,l=(json.load(open(f)) for f in sys.argv[1:]); print((a['tokens']==n['tokens']==l['tokens'], 0 < n['resident_host_bytes'] < l['resident_host_bytes'], l['resident_host_bytes']==a['resident_host_bytes']))" "$TMP/a.json" "$TMP/n.json" "$TMP/l.json")
if [ "$got" = "(True, True, True)" ]; then pass "check none: same tokens, no planes kept"
else fail "check none: same tokens, no planes kept" "$got"; fi

run_json "$TMP/k1.json" --prompt-tokens 7,99,5 --top-k 8 --seed 11 --tokens 12
run_json "$TMP/k2.json" --prompt-tokens 7,99,5 --top-k 8 --seed 11 --tokens 12
run_json "$TMP/k3.json" --prompt-tokens 7,99,5 --top-k 8 --seed 12 --tokens 12
k1=$(json_get "$TMP/k1.json" 'j["tokens"]'); k2=$(json_get "$TMP/k2.json" 'j["tokens"]'); k3=$(json_get "$TMP/k3.json" 'j["tokens"]')
if [ "$k1" = "$k2" ]; then pass "top-k same seed same tokens"; else fail "top-k same seed same tokens" "$k1 vs $k2"; fi
if [ "$k1" != "$k3" ]; then pass "top-k other seed other tokens"; else fail "top-k other seed other tokens" "$k1"; fi

if run_json "$TMP/q.json" --quant a4.8 --prompt-tokens 3,1,4,1,5 --tokens 4 &&
   [ "$(json_get "$TMP/q.json" '(j["quant"], j["checks"]["model"])')" = "('a4.8', 'passed')" ]; then
	pass "a4.8 run passes its checks"
else fail "a4.8 run passes its checks" "$(head -c 300 "$TMP/err")"; fi
if run_json "$TMP/p.json" --prompt "Hi!" --tokens 2 &&
   [ "$(json_get "$TMP/p.json" 'j["prompt_tokens"]')" = "[72, 105, 33]" ]; then pass "text prompt without vocabulary is bytes"
else fail "text prompt without vocabulary is bytes"; fi
if "$T" run --tokens 3 --array 8x8 >"$TMP/out" 2>"$TMP/err" && grep -q "checks    lockstep n/a, layer passed, model passed -> PASS" "$TMP/out"; then
	pass "summary on another array"
else fail "summary on another array" "$(head -c 300 "$TMP/err")"; fi

S=$TERN_SAN; [ -x "$S" ] || S=$T
expect_usage_error "unknown zoo name" "$S" run --model zoo:nope
expect_usage_error "token outside vocabulary" "$S" run --prompt-tokens 1,512
expect_usage_error "token list junk" "$S" run --prompt-tokens 1,,2
expect_usage_error "unknown option" "$S" run --frobnicate
expect_usage_error "bad quant" "$S" run --quant a2
expect_usage_error "zero tokens" "$S" run --tokens 0
expect_usage_error "prompt and prompt tokens" "$S" run --prompt hi --prompt-tokens 1
expect_usage_error "context exceeded" "$S" run --tokens 300
expect_usage_error "unknown backend" "$S" run --backend gpu
expect_usage_error "missing model file" "$S" run --model "$TMP/none.gguf"
printf 'GGUF junk' >"$TMP/junk.gguf"
expect_usage_error "junk model file" "$S" run --model "$TMP/junk.gguf"
expect_exit 0 "tern run --help" "$T" run --help

# SIGINT between layers: exit 130, one line, nothing on stdout.
"$T" run --model zoo:bitnet-b1.58-large --tokens 4 >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && [ ! -s "$TMP/int.out" ] && grep -q "interrupted" "$TMP/int.err"; then pass "SIGINT stops cleanly"
else fail "SIGINT stops cleanly" "exit $rc, stdout $(wc -c <"$TMP/int.out") bytes, $(head -c 200 "$TMP/int.err")"; fi
