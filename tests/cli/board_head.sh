#!/usr/bin/env bash
# Issue 17: a board preset chooses its array config (kv260: 64x64, 128-byte port),
# --array/--config override it; the output head on the array (--head t2|t3) adds one
# BitLinear of planes x vocabulary rows and takes the head off the host; the per-token
# report lines add up to the phase's time; bad --head values fail with one line.
# Numbers are checked against values computed here from the shapes, not read back.
source "$(dirname "$0")/../lib.sh"
M=zoo:bitnet-b1.58-2b-4t

# board kv260 alone: its own config and head (t2); with --array the user's, head float
"$TERN" run --model "$M" --timing-only --board kv260 --tokens 4 --report "$TMP/k" \
	>"$TMP/out" 2>"$TMP/err" || fail "kv260 timing run" "$(head -c 300 "$TMP/err")"
"$TERN" run --model "$M" --timing-only --board kv260 --array 32x32 --tokens 4 --report "$TMP/u" \
	>"$TMP/out2" 2>"$TMP/err" || fail "kv260 --array 32x32 timing run" "$(head -c 300 "$TMP/err")"
if python3 - "$TMP/k/report.json" "$TMP/u/report.json" <<'PY' 2>"$TMP/py"
import json, sys
k = json.load(open(sys.argv[1])); u = json.load(open(sys.argv[2]))
assert (k["array"], k["rows"], k["lanes"], k["buffers"]["bus_bytes"]) == ("64x64-bus128", 64, 64, 128), k["array"]
assert k["array_source"] == "board" and "25.6 GB/s" in k["array_why"]
# the port covers the board: 128 B x 200 MHz = 25.6 GB/s >= 19.2, so the DRAM is the roof
assert abs(k["port_gbps"] - 25.6) < 1e-9 and k["memory_roof_limit"] == "dram"
assert (u["array"], u["buffers"]["bus_bytes"], u["array_source"]) == ("32x32", 32, "user or default")
assert u["head"] == "float" and k["head"] == "t2"
# the head: one layer "output" of 2 x 128256 rows by 2560, once per decode token
out = [l for l in k["layers"] if l["name"] == "output" and l["phase"] == "decode"]
assert len(out) == 1 and (out[0]["shape"]["m"], out[0]["shape"]["k"]) == (2 * 128256, 2560)
assert out[0]["calls"] == 4 and out[0]["macs"] == 4 * 2 * 128256 * 2560
assert not any(l["name"] == "output" for l in u["layers"])
# host work: the float head streams 128256 x 2560 BF16 per token; t2 reads back 2 x 4 B per row
assert u["decode"]["host_ops"]["output"]["bytes"] == 4 * 128256 * 2560 * 2
assert k["decode"]["host_ops"]["output"]["bytes"] == 4 * 2 * 128256 * 4
# per-token lines add up to the phase's accelerator + host seconds per token
for r in (k, u):
    for ph in ("prefill", "decode"):
        p = r[ph]
        s = sum(x["seconds"] for x in p["per_token"])
        want = (p["seconds"] + p["host_seconds"]) / p["tokens"]
        assert abs(s - want) <= 1e-9 * want, (ph, s, want)
        names = [x["what"] for x in p["per_token"]]
        for n in ("ternary layers", "output head", "embedding", "KV cache (attention)", "other host work"):
            assert n in names, (n, names)
head = {x["what"]: x for x in k["decode"]["per_token"]}["output head"]
assert head["where"] == "array" and head["bytes"] > 2 * 128256 * 2560 / 4
assert {x["what"]: x for x in u["decode"]["per_token"]}["output head"]["where"] == "host"
# the ternary layers stream at >= 90% of the memory roof
lay = [l for l in k["layers"] if l["phase"] == "decode" and l["name"] != "output"]
gbps = sum(l["dram_bytes"] for l in lay) / sum(l["seconds"] for l in lay) / 1e9
assert gbps >= 0.9 * k["memory_roof_gbps"], gbps
assert k["decode"]["tokens_per_s"] >= 25, k["decode"]["tokens_per_s"]
PY
then pass "kv260 board array, head on the array, per-token lines"
else fail "kv260 board array, head on the array, per-token lines" "$(tail -3 "$TMP/py")"; fi
grep -q '| array chosen by | the board: ' "$TMP/k/summary.md" && grep -q '## Per token' "$TMP/k/summary.md" &&
	pass "summary.md names the board's array and has per-token lines" ||
	fail "summary.md names the board's array and has per-token lines"

# base-3 weights (1.6 bits) on the same board: fewer bytes per token, more tokens/s
"$TERN" run --model "$M" --timing-only --board kv260 --tokens 4 --wfmt base3 --json --quiet >"$TMP/b3.json" 2>"$TMP/err"
"$TERN" run --model "$M" --timing-only --board kv260 --tokens 4 --json --quiet >"$TMP/b2.json" 2>>"$TMP/err"
if python3 - "$TMP/b2.json" "$TMP/b3.json" <<'PY' 2>"$TMP/py"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
ka = [k for k in a if "decode" in k and "cycles" in k]
assert ka, sorted(a)
ca, cb = a[ka[0]], b[ka[0]]
ca = ca if isinstance(ca, (int, float)) else sum(ca)
cb = cb if isinstance(cb, (int, float)) else sum(cb)
# base-3 streams 1.6 of 2 bits: at least 10% fewer decode cycles on a DRAM-bound port
assert cb < 0.9 * ca, (ca, cb)
PY
then pass "run --wfmt base3: fewer decode cycles than 2bit on kv260"
else fail "run --wfmt base3: fewer decode cycles than 2bit on kv260" "$(tail -2 "$TMP/py") $(head -c 200 "$TMP/err")"; fi
expect_usage_error "run: bad --wfmt" "$TERN" run --model zoo:tiny --wfmt 3bit

# prefill overlap (--prefill-chunks): one chunk is the plain TTFT; four chunks hide most
# host work, but never beat the array's or the host's own total
for c in 1 4; do
	"$TERN" run --model "$M" --timing-only --board kv260 --prompt-len 128 --tokens 1 --prefill-chunks $c \
		--report "$TMP/pc$c" >/dev/null 2>"$TMP/err" || fail "prefill-chunks $c" "$(head -c 200 "$TMP/err")"
done
if python3 - "$TMP/pc1/report.json" "$TMP/pc4/report.json" <<'PY' 2>"$TMP/py"
import json, sys
one, four = (json.load(open(f)) for f in sys.argv[1:])
t1, t4 = one["ttft_pipelined_seconds"], four["ttft_pipelined_seconds"]
assert abs(t1 - one["ttft_seconds"]) <= 0.01 * one["ttft_seconds"], (t1, one["ttft_seconds"])
p = four["prefill"]
assert max(p["seconds"], p["host_seconds"]) <= t4 < t1, (t4, p["seconds"], p["host_seconds"], t1)
assert t4 <= 0.45, t4
PY
then pass "prefill-chunks: 1 chunk = plain TTFT, 4 chunks overlap (<= 0.45 s on kv260)"
else fail "prefill-chunks: 1 chunk = plain TTFT, 4 chunks overlap" "$(tail -2 "$TMP/py")"; fi
expect_usage_error "run: --prefill-chunks above the prompt length" "$TERN" run --model zoo:tiny --timing-only --prefill-chunks 5
expect_usage_error "run: --prefill-chunks 0" "$TERN" run --model zoo:tiny --timing-only --prefill-chunks 0

# the head setting is printed, and bad values are refused
"$TERN" run --model zoo:tiny --tokens 2 --head t3 >"$TMP/o3" 2>&1 && grep -q 'head=t3' "$TMP/o3" &&
	grep -q 'model passed' "$TMP/o3" && pass "run --head t3 checked" || fail "run --head t3 checked" "$(tail -2 "$TMP/o3")"
expect_usage_error "run: bad --head" "$TERN" run --model zoo:tiny --head t4
expect_usage_error "perplexity: bad --head" "$TERN" perplexity --model zoo:tiny --data /dev/null --head int4
