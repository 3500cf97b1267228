#!/usr/bin/env bash
# tern run --report: a whole model's report (prefill and decode, one row per BitLinear,
# host ops counted) on the ref, verilator and fast backends and in timing-only mode;
# `--backend fast` is a checked run (the ref backend's tokens, fast-model cycles equal
# to the timing-only walk's), `--timing-only` refuses other backends; report.json has every
# documented key, energies are positive and add up, the ternary compute advantage is
# the one the per-event energies imply; host FLOPs of a checked run equal the
# timing-only formulas; the host model (rate, per-op work, time, energy of FLOPs and
# DRAM bytes, time to first token) is in report.json and summary.md and adds up; bad
# machine options exit 2 with one line.
source "$(dirname "$0")/../lib.sh"
T=$TERN
S=$TERN_SAN; [ -x "$S" ] || S=$T

# check_report DIR BACKEND PREFILL_TOKENS DECODE_TOKENS N_BLOCKS [MODE]: the report's invariants.
check_report() {
	python3 - "$@" <<'PY'
import json, os, sys
d, backend, npre, ndec, nblk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mode = sys.argv[6] if len(sys.argv) > 6 else "checked"
for f in ("report.json", "layers.csv", "summary.md"):
    assert os.path.getsize(os.path.join(d, f)) > 0, f
assert not os.path.exists(os.path.join(d, "host.json")), "host.json: the host model is in report.json"
r = json.load(open(os.path.join(d, "report.json")))
for k in ("model", "backend", "array", "clock_mhz", "dram_gbps", "prefill", "decode", "energy", "layers",
          "host_gflops", "host_note", "host_time_rule", "ttft_seconds"):
    assert k in r, k
assert r["host_gflops"] > 0 and r["host_note"] and "max(" in r["host_time_rule"], r["host_note"]
assert r["backend"] == backend, r["backend"]
assert r["mode"] == mode, r["mode"]
assert set(r["tern"]) == {"version", "git", "isa_hash"} and len(r["tern"]["isa_hash"]) == 64, r["tern"]
for ph, n in (("prefill", npre), ("decode", ndec)):
    p = r[ph]
    for k in ("tokens", "cycles", "seconds", "tokens_per_s", "host_seconds", "joules_per_token"):
        assert k in p, (ph, k)
    assert p["tokens"] == n, (ph, p["tokens"], n)
    assert p["cycles"] > 0 and p["seconds"] > 0 and p["tokens_per_s"] > 0 and p["host_seconds"] > 0, ph
    assert abs(p["seconds"] - p["cycles"] / (r["clock_mhz"] * 1e6)) <= 1e-8 * p["seconds"], ph
    # tokens/s counts accelerator and host time; J/token is the phase's energy per token
    assert abs(p["tokens_per_s"] - n / (p["seconds"] + p["host_seconds"])) <= 1e-6 * p["tokens_per_s"], ph
    assert abs(p["joules_per_token"] - p["energy_pj"] * 1e-12 / n) <= 1e-8 * p["joules_per_token"], ph
    # host work: totals are the sums of the ops; energy = FLOPs x pJ/FLOP + bytes x pJ/byte
    for k in ("host_flops", "host_bytes", "host_pj", "host_ops"):
        assert k in p, (ph, k)
    assert p["host_flops"] > 0 and p["host_bytes"] > 0 and p["host_pj"] > 0, ph
    ops = p["host_ops"]
    assert {"attention", "output", "rmsnorm"} <= set(ops), sorted(ops)
    for k, tot in (("flops", "host_flops"), ("bytes", "host_bytes"), ("seconds", "host_seconds")):
        s = sum(o[k] for o in ops.values())
        assert abs(s - p[tot]) <= 1e-9 * p[tot], (ph, k, s, p[tot])
    pe = r["energy"]["per_event_pj"]
    want = p["host_flops"] * pe["host_flop"] + p["host_bytes"] * pe["dram_byte"]
    assert abs(p["host_pj"] - want) <= 1e-8 * want, (ph, p["host_pj"], want)
    assert abs(p["ternary"]["host_pj"] - p["host_pj"]) <= 1e-8 * want and p["int8"]["host_pj"] == p["ternary"]["host_pj"], ph
    t = p["ternary"]
    assert abs(t["compute_pj"] + t["sram_pj"] + t["dram_pj"] + t["host_pj"] - t["total_pj"]) <= 1e-8 * t["total_pj"], ph
kind = {"ref": "lower_bound"}.get(backend, "measured")
assert r["prefill"]["cycles_kind"] == kind, r["prefill"]["cycles_kind"]
e = r["energy"]
for k in ("total_pj", "compute_pj", "sram_pj", "dram_pj", "host_pj", "baseline_int8_pj", "joules_per_token"):
    assert e[k] > 0, k
s = e["compute_pj"] + e["sram_pj"] + e["dram_pj"] + e["host_pj"]
assert abs(s - e["total_pj"]) <= 1e-8 * e["total_pj"], (s, e["total_pj"])
assert e["baseline_int8_pj"] > e["total_pj"]
pe = e["per_event_pj"]
# host energy of the run = both phases' FLOPs and DRAM bytes priced by the table
t = r["total"]
assert t["host_flops"] == r["prefill"]["host_flops"] + r["decode"]["host_flops"]
assert t["host_bytes"] == r["prefill"]["host_bytes"] + r["decode"]["host_bytes"]
want = t["host_flops"] * pe["host_flop"] + t["host_bytes"] * pe["dram_byte"]
assert abs(e["host_pj"] - want) <= 1e-8 * e["host_pj"], (e["host_pj"], want)
# time to first token = prefill accelerator + host time
assert r["ttft_seconds"] >= r["prefill"]["seconds"] and r["ttft_seconds"] > r["prefill"]["host_seconds"]
assert abs(r["ttft_seconds"] - r["prefill"]["seconds"] - r["prefill"]["host_seconds"]) <= 1e-8 * r["ttft_seconds"]
sm = open(os.path.join(d, "summary.md")).read()
for w in ("Time to first token", "Host work", "GFLOP/s", "attention"):
    assert w in sm, w
L = r["layers"]
# the head on the array (--head t2/t3, or a board's own array) is one more layer per phase
head = r.get("head", "float") not in ("float", "")
assert len(L) == 2 * 7 * nblk + 2 * head, len(L)
names = {(l["name"], l["phase"]) for l in L}
assert ("blk.0.attn_q", "prefill") in names and ("blk.%d.ffn_down" % (nblk - 1), "decode") in names
for l in L:
    for k in ("name", "shape", "cycles", "utilization", "dram_bytes", "energy_pj"):
        assert k in l, k
    assert l["cycles"] > 0 and 0 < l["utilization"] <= 1 and l["dram_bytes"] > 0 and l["energy_pj"] > 0, l["name"]
    assert l["calls"] == (1 if l["phase"] == "prefill" else ndec), (l["name"], l["calls"])
    assert l["shape"]["n"] == (npre if l["phase"] == "prefill" and l["name"] != "output" else 1), l["name"]
# layer energies (device only) plus host = total
ls = sum(l["energy_pj"] for l in L)
assert abs(ls + e["host_pj"] - e["total_pj"]) <= 1e-8 * e["total_pj"], (ls, e["total_pj"])
# ternary compute below INT8 by the factor the per-event energies imply
macs = sum(l["macs"] for l in L); z = sum(l["macs_zero"] for l in L)
tern = (macs - z) * pe["ternary_mac_nonzero"] + z * pe["ternary_mac_zero"] + macs / r["lanes"] * pe["row_accumulate_32b"]
want = macs * pe["int8_mac"] / tern
got = e["int8_over_ternary"]["compute"]
assert want > 1 and abs(got - want) <= 1e-6 * want, (got, want)
assert abs(e["int8"]["compute_pj"] / e["compute_pj"] - want) <= 1e-6 * want
# memory roof = min(board DRAM, port bytes/cycle x clock), computed here
port = r["buffers"]["bus_bytes"] * r["clock_mhz"] / 1000.0
assert abs(r["memory_roof_gbps"] - min(r["dram_gbps"], port)) <= 1e-9 * port, (r["memory_roof_gbps"], port)
# per-unit busy/stall: per layer = layers.csv; per phase = the sum over its layers
import csv
rows = {(w["name"], w["phase"]): w for w in csv.DictReader(open(os.path.join(d, "layers.csv")))}
keys = ["fetch_stall", "load_busy", "load_stall_dep", "load_stall_mem", "gemm_busy",
        "gemm_stall_dep", "store_busy", "store_stall_dep", "store_stall_mem"]
if backend == "ref":
    assert all(l["units"] is None for l in L) and r["decode"]["units"] is None
    assert all(rows[(l["name"], l["phase"])][k] == "" for l in L for k in keys)
else:
    for l in L:
        u = l["units"]
        assert sorted(u) == sorted(keys), sorted(u)
        assert {k: int(rows[(l["name"], l["phase"])][k]) for k in keys} == u, l["name"]
        # STALL_MEM is inside BUSY; busy + token waits fit in the layer's cycles
        assert u["load_stall_mem"] <= u["load_busy"] and u["store_stall_mem"] <= u["store_busy"]
        assert u["load_busy"] + u["load_stall_dep"] <= l["cycles"], l["name"]
    for ph in ("prefill", "decode"):
        for k in keys:
            assert r[ph]["units"][k] == sum(l["units"][k] for l in L if l["phase"] == ph), (ph, k)
    assert r["decode"]["units"]["load_busy"] > 0 and r["prefill"]["units"]["gemm_busy"] > 0
    assert "| decode | load | " in sm
import re
assert not re.search(r"[0-9]e[+-][0-9]", sm), re.search(r".{30}[0-9]e[+-][0-9].{10}", sm).group(0)
PY
}

# --- ref backend: cycles are the stated lower bound
R=$TMP/ref
if "$T" run --quiet --model zoo:tiny --backend ref --tokens 4 --report "$R" >"$TMP/out" 2>"$TMP/err"; then
	pass "tiny ref --report exits 0"
else fail "tiny ref --report exits 0" "$(head -c 300 "$TMP/err")"; fi
if check_report "$R" ref 4 4 2 2>"$TMP/py"; then pass "ref report: keys, energies, INT8 factor"
else fail "ref report: keys, energies, INT8 factor" "$(tail -2 "$TMP/py")"; fi
if grep -q "TTFT" "$TMP/out" && grep -q "J/token" "$TMP/out" && ! grep -qE '[0-9]e[+-][0-9]' "$TMP/out" &&
   grep -qE '^  decode    4 tokens: accelerator [0-9.]+ (n|µ|m)?s \+ host [0-9.]+ (n|µ|m)?s per token, [0-9.]+ tokens/s, [0-9.]+ (p|n|µ|m)?J/token$' "$TMP/out"; then pass "summary prints prefill and decode rates"
else fail "summary prints prefill and decode rates" "$(tail -3 "$TMP/out")"; fi
if command -v gnuplot >/dev/null; then
	ok=1
	for f in cycles roofline energy units; do head -c 8 "$R/$f.png" 2>/dev/null | grep -q PNG || ok=0; done
	if [ $ok = 1 ]; then pass "run report plots"; else fail "run report plots" "$(ls "$R")"; fi
fi
if [ "$(wc -l <"$R/layers.csv")" -eq 29 ]; then pass "layers.csv: 28 BitLinear rows"
else fail "layers.csv: 28 BitLinear rows" "$(wc -l <"$R/layers.csv")"; fi

# --- fast backend: a checked run, the ref backend's tokens, cycles from the fast model
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
"$T" run --quiet --json --model zoo:tiny --backend ref --tokens 4 >"$TMP/ref.json" 2>"$TMP/err"
if "$T" run --quiet --json --model zoo:tiny --backend fast --tokens 4 --report "$TMP/fchk" >"$TMP/fchk.json" 2>"$TMP/err"; then
	pass "tiny fast (checked) --report exits 0"
	a=$(json_get "$TMP/ref.json" '(j["tokens"], j["checks"])')
	b=$(json_get "$TMP/fchk.json" '(j["tokens"], j["checks"])')
	got=$(json_get "$TMP/fchk.json" '(j["mode"], j["backend"], len(j["tokens"]), j["checks"]["model"], j["prefill_cycles"] > 0, len(j["decode_cycles"]))')
	if [ "$a" = "$b" ] && [ "$got" = "('checked', 'fast', 4, 'passed', True, 4)" ]; then
		pass "fast json: checked, same tokens and checks as ref, cycles"
	else fail "fast json: checked, same tokens and checks as ref, cycles" "$got; $a vs $b"; fi
	if check_report "$TMP/fchk" fast 4 4 2 checked 2>"$TMP/py" &&
	   [ "$(json_get "$TMP/fchk/report.json" 'j["layers"][0]["cycles_source"]')" = fast ]; then
		pass "fast (checked) report: keys, energies, fast cycles"
	else fail "fast (checked) report: keys, energies, fast cycles" "$(tail -2 "$TMP/py")"; fi
else fail "tiny fast (checked) --report exits 0" "$(head -c 300 "$TMP/err")"; fi

# --- timing only: same host FLOPs as the checked run, no tokens, the same fast cycles
if "$T" run --quiet --json --model zoo:tiny --timing-only --tokens 4 --report "$TMP/fast" >"$TMP/fast.json" 2>"$TMP/err"; then
	pass "tiny --timing-only --report exits 0"
	got=$(json_get "$TMP/fast.json" '(j["mode"], j["backend"], j["tokens"], j["checks"]["model"], j["prefill_cycles"] > 0, len(j["decode_cycles"]), all(c > 0 for c in j["decode_cycles"]))')
	if [ "$got" = "('timing-only', 'fast', [], 'n/a', True, 4, True)" ]; then pass "timing-only json: no tokens, cycles"
	else fail "timing-only json: no tokens, cycles" "$got"; fi
	a=$(json_get "$TMP/ref.json" '(j["prefill_host_flops"], j["decode_host_flops"])')
	b=$(json_get "$TMP/fast.json" '(j["prefill_host_flops"], j["decode_host_flops"])')
	if [ "$a" = "$b" ]; then pass "host FLOPs: forward pass equals timing formulas"
	else fail "host FLOPs: forward pass equals timing formulas" "$a vs $b"; fi
	a=$(json_get "$TMP/fchk.json" '(j["prefill_cycles"], j["decode_cycles"])')
	b=$(json_get "$TMP/fast.json" '(j["prefill_cycles"], j["decode_cycles"])')
	if [ "$a" = "$b" ]; then pass "timing-only cycles equal the checked fast run's"
	else fail "timing-only cycles equal the checked fast run's" "$a vs $b"; fi
	if check_report "$TMP/fast" fast 4 4 2 timing-only 2>"$TMP/py" &&
	   [ "$(json_get "$TMP/fast/report.json" 'j["layers"][0]["cycles_source"]')" = fast ]; then
		pass "timing-only report: keys, energies, INT8 factor"
	else fail "timing-only report: keys, energies, INT8 factor" "$(tail -2 "$TMP/py")"; fi
else fail "tiny --timing-only --report exits 0" "$(head -c 300 "$TMP/err")"; fi
expect_usage_error "run: --timing-only with --backend ref" "$S" run --timing-only --backend ref --tokens 1
expect_usage_error "run: --timing-only with --backend verilator" "$S" run --backend verilator --timing-only --tokens 1
if "$S" run --quiet --json --timing-only --backend fast --tokens 1 >"$TMP/tf.json" 2>"$TMP/err" &&
   [ "$(json_get "$TMP/tf.json" 'j["mode"]')" = timing-only ]; then pass "run: --timing-only --backend fast accepted"
else fail "run: --timing-only --backend fast accepted" "$(head -c 300 "$TMP/err")"; fi

# 2B-4T timing only: a short prompt, seconds not minutes
start=$(date +%s)
if "$T" run --quiet --model zoo:bitnet-b1.58-2b-4t --timing-only --prompt-len 16 --tokens 8 \
	--board kv260 --report "$TMP/big" >"$TMP/out" 2>"$TMP/err" && check_report "$TMP/big" fast 16 8 30 timing-only 2>"$TMP/py"; then
	pass "2B-4T timing-only report ($(( $(date +%s) - start )) s)"
else fail "2B-4T timing-only report" "$(head -c 300 "$TMP/err") $(tail -1 "$TMP/py" 2>/dev/null)"; fi

# --- verilator backend: RTL cycles (skipped, with a note, only if it cannot open)
if "$T" gemm --m 8 --k 8 --n 1 --seed 1 --backend verilator --quiet >/dev/null 2>&1; then
	if "$T" run --quiet --model zoo:tiny --backend verilator --tokens 4 --report "$TMP/vl" >"$TMP/out" 2>"$TMP/err" &&
	   check_report "$TMP/vl" verilator 4 4 2 2>"$TMP/py" &&
	   [ "$(json_get "$TMP/vl/report.json" '(j["layers"][0]["cycles_source"], j["sim_dram_bytes_per_cycle"] > 0)')" = "('rtl', True)" ]; then
		pass "verilator report: RTL cycles, keys, energies"
	else fail "verilator report: RTL cycles, keys, energies" "$(head -c 300 "$TMP/err") $(tail -1 "$TMP/py" 2>/dev/null)"; fi
else
	echo "note: verilator backend cannot open (tern gemm --backend verilator fails); its report case skipped"
fi

# --- prompt length and bad inputs
if "$T" run --quiet --json --timing-only --prompt-len 9 --tokens 1 >"$TMP/pl.json" 2>"$TMP/err" &&
   [ "$(json_get "$TMP/pl.json" 'len(j["prompt_tokens"])')" = 9 ]; then pass "--prompt-len gives N ids"
else fail "--prompt-len gives N ids" "$(head -c 300 "$TMP/err")"; fi
touch "$TMP/afile"
expect_usage_error "run: bad --board" "$S" run --tokens 1 --board zcu104 --report "$TMP/x"
expect_usage_error "run: bad --clock-mhz" "$S" run --tokens 1 --clock-mhz fast
expect_usage_error "run: zero --clock-mhz" "$S" run --tokens 1 --clock-mhz 0
expect_usage_error "run: bad --dram-gbps" "$S" run --tokens 1 --dram-gbps -1
expect_usage_error "run: bad --host-gflops" "$S" run --tokens 1 --host-gflops x
expect_usage_error "run: --report under a file" "$S" run --tokens 1 --report "$TMP/afile/sub"
expect_usage_error "run: --report is a file" "$S" run --tokens 1 --report "$TMP/afile"
expect_usage_error "run: unknown --tech" "$S" run --tokens 1 --tech 3nm --report "$TMP/x"
expect_usage_error "run: --prompt-len 0" "$S" run --prompt-len 0
expect_usage_error "run: --prompt-len and --prompt-tokens" "$S" run --prompt-len 3 --prompt-tokens 1
expect_usage_error "run: --prompt-len beyond context" "$S" run --timing-only --prompt-len 4000 --tokens 1
