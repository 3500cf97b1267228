#!/usr/bin/env bash
# tern run --prefill-chunks C (issue 17, must-show 4): the prompt runs as C chunks, and
# the tokens and every position's logits are the same bits as one prefill step (chunk
# sizes uneven: prompts not divisible by C); every check passes on each backend. The
# time to first token is scheduled from the executed per-stage cycles: never above
# the same stages one after the other, never below the array's or the host's total,
# equal to it with one chunk, and its array total is the prefill's executed cycles.
# Bad chunk counts fail with one line.
source "$(dirname "$0")/../lib.sh"
T=$TERN
GGUF=$ROOT/model/data/tern-kjv-byte.gguf

json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# same_as_one NAME ARGS...: C = 2, 3, 4 give the tokens and logits of the plain run
same_as_one() {
	local name=$1 c ok=1 why=""; shift
	"$T" run --quiet --json "$@" --logits "$TMP/l0.npy" >"$TMP/c0.json" 2>"$TMP/err" ||
		{ fail "$name: plain run" "$(head -c 300 "$TMP/err")"; return; }
	for c in 2 3 4; do
		if ! "$T" run --quiet --json "$@" --prefill-chunks $c --logits "$TMP/l$c.npy" \
			>"$TMP/c$c.json" 2>"$TMP/err"; then
			ok=0; why="C=$c: $(head -c 300 "$TMP/err")"; break
		fi
		if [ "$(json_get "$TMP/c0.json" 'j["tokens"]')" != "$(json_get "$TMP/c$c.json" 'j["tokens"]')" ]; then
			ok=0; why="C=$c: tokens differ"; break
		fi
		if ! cmp -s "$TMP/l0.npy" "$TMP/l$c.npy"; then ok=0; why="C=$c: logits differ"; break; fi
		if [ "$(json_get "$TMP/c$c.json" '(j["ok"], j["prefill_chunks"], j["logits"]["positions"] == len(j["prompt_tokens"]) + len(j["tokens"]))')" != "(True, $c, True)" ]; then
			ok=0; why="C=$c: $(json_get "$TMP/c$c.json" '(j["ok"], j["checks"])')"; break
		fi
	done
	if [ $ok = 1 ]; then pass "$name"; else fail "$name" "$why"; fi
}

same_as_one "chunks = one step: zoo:tiny fast, 11-token prompt" --model zoo:tiny --backend fast --prompt-len 11 --tokens 5
same_as_one "chunks = one step: zoo:tiny ref, a4.8, top-k" --model zoo:tiny --backend ref --prompt-len 10 --tokens 4 --quant a4.8 --top-k 5 --seed 3
same_as_one "chunks = one step: zoo:tiny kv260 head t2, --check none" --model zoo:tiny --backend fast --board kv260 --prompt-len 13 --tokens 4 --check none
same_as_one "chunks = one step: GGUF text prompt, fast" --model "$GGUF" --backend fast --prompt "In the beginning" --tokens 4

# The schedule from executed cycles (fast backend, cycles equal to the RTL's).
for c in 1 3; do
	"$T" run --quiet --json --model zoo:tiny --backend fast --board kv260 --prompt-len 11 --tokens 2 \
		--prefill-chunks $c --report "$TMP/r$c" >"$TMP/s$c.json" 2>"$TMP/err" ||
		fail "scheduled run C=$c" "$(head -c 300 "$TMP/err")"
done
if python3 - "$TMP/s1.json" "$TMP/s3.json" "$TMP/r3/report.json" <<'PY' 2>"$TMP/py"
import json, sys
one, three, rep = (json.load(open(f)) for f in sys.argv[1:])
hz = rep["clock_mhz"] * 1e6
for j in (one, three):
    t, a, h, u = (j[k] for k in ("ttft_pipelined_seconds", "prefill_array_seconds",
                                 "prefill_host_seconds", "ttft_unpipelined_seconds"))
    assert abs(u - (a + h)) <= 1e-12 + 1e-9 * u, (u, a, h)
    assert max(a, h) * (1 - 1e-9) <= t <= u * (1 + 1e-9), (t, a, h, u)
    # the array total is every prefill cycle the backend reported (head included)
    assert abs(a - j["prefill_cycles"] / hz) <= 1e-9 * a, (a, j["prefill_cycles"] / hz)
# one chunk: nothing to overlap
assert abs(one["ttft_pipelined_seconds"] - one["ttft_unpipelined_seconds"]) <= 1e-12, one
# three chunks overlap something; the report directory carries the same figure
assert three["ttft_pipelined_seconds"] < three["ttft_unpipelined_seconds"], three
assert rep["prefill_chunks"] == 3, rep["prefill_chunks"]
assert abs(rep["ttft_pipelined_seconds"] - three["ttft_pipelined_seconds"]) <= 1e-6 * three["ttft_pipelined_seconds"]
# the host model counts the same work however the prompt is split (output once)
assert one["prefill_host_flops"] == three["prefill_host_flops"], (one["prefill_host_flops"], three["prefill_host_flops"])
PY
then pass "executed schedule: max(array, host) <= TTFT <= array + host, 1 chunk = sum"
else fail "executed schedule" "$(tail -2 "$TMP/py")"; fi

# Timing-only schedules the same stages from the fast model: the same figure here.
"$T" run --quiet --json --model zoo:tiny --timing-only --board kv260 --prompt-len 11 --tokens 2 \
	--prefill-chunks 3 >"$TMP/t3.json" 2>"$TMP/err"
got=$(python3 -c "import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); print(abs(a['ttft_pipelined_seconds']-b['ttft_pipelined_seconds']) <= 0.01*b['ttft_pipelined_seconds'])" "$TMP/t3.json" "$TMP/s3.json" 2>&1)
if [ "$got" = "True" ]; then pass "timing-only schedule within 1% of the executed one"
else fail "timing-only schedule within 1% of the executed one" "$got"; fi

# No cycles on the ref backend: chunks run, the times are null.
"$T" run --quiet --json --model zoo:tiny --backend ref --prompt-len 5 --tokens 1 --prefill-chunks 2 \
	>"$TMP/ref.json" 2>"$TMP/err"
got=$(json_get "$TMP/ref.json" '(j["ok"], j["prefill_chunks"], j["ttft_pipelined_seconds"], j["ttft_unpipelined_seconds"])')
if [ "$got" = "(True, 2, None, None)" ]; then pass "ref backend: chunks run, TTFT null"
else fail "ref backend: chunks run, TTFT null" "$got"; fi

# Simulated RTL, lockstep on: 7 tokens in 3 chunks (2, 2, 3) as one step.
if "$T" gemm --m 8 --k 8 --n 1 --seed 1 --backend verilator --quiet >/dev/null 2>&1; then
	"$T" run --quiet --json --model zoo:tiny --backend verilator --prompt-len 7 --tokens 3 \
		>"$TMP/v0.json" 2>"$TMP/err"
	"$T" run --quiet --json --model zoo:tiny --backend verilator --prompt-len 7 --tokens 3 \
		--prefill-chunks 3 >"$TMP/v3.json" 2>>"$TMP/err"
	got=$(python3 -c "
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
print(a['tokens'] == b['tokens'], b['checks'], 0 < b['ttft_pipelined_seconds'] <= b['ttft_unpipelined_seconds'])" \
		"$TMP/v0.json" "$TMP/v3.json" 2>&1)
	if [ "$got" = "True {'lockstep': 'passed', 'layer': 'passed', 'model': 'passed'} True" ]; then
		pass "verilator: 3 chunks, same tokens, lockstep passed"
	else fail "verilator: 3 chunks, same tokens, lockstep passed" "$got $(head -c 200 "$TMP/err")"; fi
else
	skip "verilator: 3 chunks" "tern gemm --backend verilator cannot run"
fi

S=$TERN_SAN; [ -x "$S" ] || S=$T
expect_usage_error "run: --prefill-chunks 0" "$S" run --model zoo:tiny --prefill-chunks 0
expect_usage_error "run: --prefill-chunks 65" "$S" run --model zoo:tiny --prefill-chunks 65
expect_usage_error "run: more chunks than prompt tokens" "$S" run --model zoo:tiny --prompt-len 3 --prefill-chunks 4
expect_usage_error "run: more chunks than prompt tokens (timing-only)" "$S" run --model zoo:tiny --timing-only --prompt-tokens 1,2 --prefill-chunks 3
expect_usage_error "run: --prefill-chunks junk" "$S" run --model zoo:tiny --prefill-chunks 2x
