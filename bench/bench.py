#!/usr/bin/env python3
"""tern benchmarks (`make bench`): long measurements that do not belong in tests.

Parts (all by default; --only picks some):
  rtl    per array preset: Verilator speed with lockstep on (simulated cycles/s and
         ternary MACs/s on one core), PE utilization and cycles for the BitNet b1.58
         2B-4T layer shapes at N = 1 and N = 128, against the DRAM-bandwidth bound.
  model  2B-4T: two tokens on the ref backend (time per token, peak memory) and one full
         decode token on the verilator backend (32x32, every BitLinear lockstep-checked).
  fast   fast cycle model vs RTL per-layer error (bench/fast_vs_rtl.py), and a 2B-4T
         prompt-128 + 128-token timing-only run (tern run --timing-only).
  kv260  issue 17: 2B-4T on the kv260 preset (its own array, 128-byte port) with the
         timing model: decode tokens/s and J/token per output head and weight format,
         time to first token for 128 tokens, beside the board's roofline bound and the
         published bitnet-kv260 and TeLLMe v2 figures (quoted, not reproduced).
  llama  side by side with llama.cpp (issue 13) on one seeded 2B-4T-shaped TQ2_0 GGUF
         (bench/bench_gguf.py): tern --backend ref with --check none, llama.cpp,
         tern with --check all, llama.cpp again, each right after the other, 2 threads:
         prefill of 128 tokens, decode s/token (median of 8), peak RSS, and the ratios
         of each tern run to the llama.cpp run next to it. llama.cpp is npm's
         node-llama-cpp, installed under build/npm by this part only
         (bench/llama_bench.mjs drives it).
Results go to bench/results.json (written atomically) and a table on stdout.
Python 3 standard library only.
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TERN = os.path.join(ROOT, "build", "tern")
SHAPES = [(2560, 2560), (6912, 2560), (2560, 6912)]  # (M outputs, K inputs) of 2B-4T
ARRAYS = ["8x8", "16x16", "32x32", "64x64"]


def run_json(args, timeout=None):
    """Run tern with --json; return (parsed object, wall seconds, exit code)."""
    t0 = time.monotonic()
    p = subprocess.run([TERN] + args + ["--json", "--quiet"], capture_output=True, text=True,
                       timeout=timeout)
    wall = time.monotonic() - t0
    try:
        obj = json.loads(p.stdout) if p.stdout.strip() else {}
    except json.JSONDecodeError:
        obj = {}
    if p.returncode != 0:
        print("  tern %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()[-300:]),
              file=sys.stderr)
    return obj, wall, p.returncode


def bench_rtl(bw, lat, arrays, quick):
    """Each shape at bw; prefill (N=128) also at 2*bw, where DRAM is not the bound."""
    rows = []
    for arr in arrays:
        # First use of a preset builds its Verilated model: do it before timing.
        run_json(["gemm", "--backend", "verilator", "--array", arr, "--m", "8", "--k", "8",
                  "--n", "1", "--seed", "1"])
        for (m, k) in SHAPES[:1] if quick else SHAPES:
            for (n, b) in ((1, bw), (128, bw), (128, 2 * bw)):
                args = ["gemm", "--backend", "verilator", "--array", arr, "--m", str(m), "--k",
                        str(k), "--n", str(n), "--seed", "1", "--dram-bw", str(b),
                        "--dram-latency", str(lat)]
                d, wall, rc = run_json(args)
                c = d.get("counters", {})
                cycles = d.get("cycles", 0)
                dram = c.get("dram_rd_bytes", 0) + c.get("dram_wr_bytes", 0) + c.get("fetch_bytes", 0)
                bound = dram / b
                row = {"array": arr, "m": m, "k": k, "n": n, "dram_bytes_per_cycle": b,
                       "ok": rc == 0 and d.get("ok", False),
                       "cycles": cycles, "macs": d.get("macs", 0),
                       "utilization": d.get("utilization", 0.0), "dram_bytes": dram,
                       "dram_bound_cycles": round(bound), "cycles_over_dram_bound":
                       (cycles / bound) if bound else None, "wall_seconds": round(wall, 3),
                       "sim_cycles_per_s": round(cycles / wall) if wall else None,
                       "sim_macs_per_s": round(d.get("macs", 0) / wall) if wall else None}
                rows.append(row)
                print("  %-6s %5dx%-5d N=%-4d bw %3d cycles %10d util %5.1f%% vs DRAM bound %5.2fx  "
                      "%7.2f s  %6.0f kcycles/s  %6.1f M MACs/s  %s" % (
                          arr, m, k, n, b, cycles, 100 * row["utilization"],
                          row["cycles_over_dram_bound"] or 0, wall,
                          (row["sim_cycles_per_s"] or 0) / 1e3, (row["sim_macs_per_s"] or 0) / 1e6,
                          "ok" if row["ok"] else "FAILED"), flush=True)
    return rows


def summarize_rtl(rows):
    out = {}
    for arr in sorted({r["array"] for r in rows}):
        rs = [r for r in rows if r["array"] == arr]
        pre = [r for r in rs if r["n"] >= 32]
        pre_fast = [r for r in pre if r["dram_bytes_per_cycle"] > min(x["dram_bytes_per_cycle"] for x in rs)]
        dec = [r for r in rs if r["n"] == 1]
        tot_c = sum(r["cycles"] for r in rs)
        tot_w = sum(r["wall_seconds"] for r in rs)
        out[arr] = {
            "sim_cycles_per_s": round(tot_c / tot_w) if tot_w else None,
            "sim_macs_per_s": round(sum(r["macs"] for r in rs) / tot_w) if tot_w else None,
            "prefill_min_utilization": min((r["utilization"] for r in pre), default=None),
            "prefill_min_utilization_2x_bw": min((r["utilization"] for r in pre_fast), default=None),
            "decode_max_cycles_over_dram_bound": max((r["cycles_over_dram_bound"] or 0 for r in dec),
                                                     default=None),
            "all_checks_passed": all(r["ok"] for r in rs),
        }
    return out


def bench_model():
    res = {}
    d, wall, rc = run_json(["run", "--model", "zoo:bitnet-b1.58-2b-4t", "--backend", "ref",
                            "--tokens", "2"])
    res["2b4t_ref_2_tokens"] = {"ok": rc == 0, "wall_seconds": round(wall, 2),
                                "seconds_per_token": d.get("seconds_per_token"),
                                "peak_rss_bytes": d.get("peak_rss_bytes"),
                                "checks": d.get("checks")}
    print("  2B-4T ref, 2 tokens: %.1f s wall, %.1f s/token, peak RSS %.0f MB" % (
        wall, d.get("seconds_per_token") or 0, (d.get("peak_rss_bytes") or 0) / 1e6), flush=True)
    d, wall, rc = run_json(["run", "--model", "zoo:bitnet-b1.58-2b-4t", "--backend", "verilator",
                            "--array", "32x32", "--prompt-tokens", "1", "--tokens", "1",
                            "--dram-bw", "16"])
    res["2b4t_verilator_decode_token"] = {
        "ok": rc == 0, "wall_seconds": round(wall, 2), "prefill_cycles": d.get("prefill_cycles"),
        "decode_cycles": d.get("decode_cycles"), "decode_seconds": d.get("decode_seconds"),
        "prefill_seconds": d.get("prefill_seconds"), "checks": d.get("checks"),
        "note": "prompt of 1 token (prefill N=1) then 1 decode token; every BitLinear lockstep-checked"}
    print("  2B-4T verilator 32x32: prefill %s cycles, decode %s cycles, %.0f s wall, checks %s" % (
        d.get("prefill_cycles"), d.get("decode_cycles"), wall, d.get("checks")), flush=True)
    return res


def bench_fast(tmp):
    res = {}
    script = os.path.join(ROOT, "bench", "fast_vs_rtl.py")
    if os.path.exists(script):
        out = os.path.join(tmp, "fast_vs_rtl.json")
        subprocess.run([sys.executable, script, out], check=False)
        if os.path.exists(out):
            with open(out) as f:
                res["fast_vs_rtl"] = json.load(f)
    d, wall, rc = run_json(["run", "--model", "zoo:bitnet-b1.58-2b-4t", "--timing-only",
                            "--prompt-len", "128", "--tokens", "128", "--board", "kv260",
                            "--report", os.path.join(tmp, "fast-2b4t")])
    res["2b4t_fast_128_128"] = {"ok": rc == 0, "wall_seconds": round(wall, 2),
                                "prefill_cycles": d.get("prefill_cycles"),
                                "report_dir": "build/bench/fast-2b4t"}
    rep = os.path.join(tmp, "fast-2b4t", "report.json")
    if os.path.exists(rep):
        with open(rep) as f:
            r = json.load(f)
        res["2b4t_fast_128_128"].update({k: r.get(k) for k in ("prefill", "decode", "energy")})
    print("  2B-4T timing-only, prompt 128 + 128 tokens: %.1f s wall (exit %d)" % (wall, rc), flush=True)
    return res


# Published decode figures for BitNet b1.58 2B-4T on the Kria KV260, quoted from the
# papers (not reproduced here): tokens/s, watts, joules per token.
PUBLISHED = [
    {"name": "bitnet-kv260", "tokens_per_s": 16.8, "watts": 6.2, "joules_per_token": 0.38,
     "source": "the bitnet-kv260 paper (BitNet b1.58 2B-4T on the Kria KV260), as quoted in tern issue 17"},
    {"name": "TeLLMe v2", "tokens_per_s": 25.0, "watts": 5.0, "joules_per_token": 0.2,
     "ttft_seconds": "0.45-0.96 for 64-128-token prompts",
     "source": "TeLLMe v2 (a ternary LLM accelerator on the Kria KV260), as quoted in tern issue 17"},
]


def bench_kv260(tmp):
    """Decode and prefill of 2B-4T on `--board kv260` (timing model), per head and
    weight format, with the roofline bound of the same bytes at the board's DRAM."""
    res = {"published": PUBLISHED, "runs": {}}
    for head in ("float", "t2", "t3"):
        for wfmt in ("2bit", "base3"):
            for plen in (4, 128):
                key = "%s_%s_prompt%d" % (head, wfmt, plen)
                rep = os.path.join(tmp, "kv260-" + key)
                d, wall, rc = run_json(["run", "--model", "zoo:bitnet-b1.58-2b-4t", "--timing-only",
                                        "--board", "kv260", "--head", head, "--wfmt", wfmt,
                                        "--prompt-len", str(plen), "--tokens", "64",
                                        "--prefill-chunks", "4", "--report", rep])
                path = os.path.join(rep, "report.json")
                if rc != 0 or not os.path.exists(path):
                    res["runs"][key] = {"ok": False}
                    continue
                with open(path) as f:
                    r = json.load(f)
                dec = r["decode"]
                bytes_tok = sum(l["dram_bytes"] for l in r["layers"] if l["phase"] == "decode") / dec["tokens"]
                host_bytes = dec["host_bytes"] / dec["tokens"]
                bound = r["dram_gbps"] * 1e9 / (bytes_tok + host_bytes)
                res["runs"][key] = {
                    "ok": True, "array": r["array"], "head": r["head"], "wfmt": wfmt,
                    "prompt": plen, "decode_tokens_per_s": dec["tokens_per_s"],
                    "decode_joules_per_token": dec["joules_per_token"],
                    "roofline_tokens_per_s": bound,
                    "dram_bytes_per_token": bytes_tok + host_bytes,
                    "ttft_seconds": r["ttft_seconds"],
                    "ttft_pipelined_4_chunks_seconds": r.get("ttft_pipelined_seconds"),
                    "per_token": dec["per_token"]}
                print("  kv260 %-5s %-5s prompt %3d: decode %.1f tokens/s (roofline %.1f), %.0f mJ/token, "
                      "TTFT %.3f s (%.3f s in 4 overlapped chunks)" % (
                          head, wfmt, plen, dec["tokens_per_s"], bound, dec["joules_per_token"] * 1e3,
                          r["ttft_seconds"], r.get("ttft_pipelined_seconds") or 0), flush=True)
    for p in PUBLISHED:
        print("  published (quoted): %-12s %.1f tokens/s, %.2f J/token" % (
            p["name"], p["tokens_per_s"], p["joules_per_token"]))
    return res


LLAMA_PKG = "node-llama-cpp@3.22.1"
NPM_PREFIX = os.path.join(ROOT, "build", "npm")


def ensure_llama():
    """node_modules path with node-llama-cpp, installing it under build/npm; None if not."""
    nm = os.path.join(NPM_PREFIX, "node_modules")
    if not os.path.exists(os.path.join(nm, "node-llama-cpp", "dist", "index.js")):
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", NPM_PREFIX,
                            LLAMA_PKG], capture_output=True, text=True)
        if p.returncode != 0:
            print("  npm install %s failed: %s" % (LLAMA_PKG, p.stderr.strip()[-300:]), file=sys.stderr)
            return None
    return nm


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def machine():
    """CPU model, core count and the vector extensions the kernels choose between (the
    ratios to llama.cpp depend on them: both sides pick AVX-512 or AVX2 at run time)."""
    m = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
         "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        name = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
        flags = re.search(r"^flags\s*:\s*(.+)$", info, re.M)
        if name:
            m["cpu_model"] = name.group(1).strip()
        if flags:
            have = set(flags.group(1).split())
            m["vector"] = [x for x in ("avx2", "f16c", "fma", "avx512f", "avx512bw",
                                       "avx512_vnni", "avx512_vpopcntdq") if x in have]
    except OSError:
        pass
    return m


def bench_llama(tmp, threads=2, decode_steps=8):
    gguf = os.path.join(tmp, "bench-2b4t.gguf")
    gen = os.path.join(ROOT, "bench", "bench_gguf.py")
    if not os.path.exists(gguf) or os.path.getmtime(gguf) < os.path.getmtime(gen):
        subprocess.run([sys.executable, gen, gguf, "--seed", "1"], check=True)
    nm = ensure_llama()
    res = {"file": os.path.relpath(gguf, ROOT), "file_bytes": os.path.getsize(gguf),
           "threads": threads, "decode_steps": decode_steps, "machine": machine(),
           "date": time.strftime("%Y-%m-%d %H:%M:%S"),
           "load_average_at_start": os.getloadavg()[0], "runs": []}

    def tern(check):
        d, wall, rc = run_json(["run", "--model", gguf, "--backend", "ref", "--warmup",
                                "--prompt-len", "128", "--tokens", str(decode_steps),
                                "--threads", str(threads), "--check", check])
        r = {"who": "tern", "check": check, "ok": rc == 0, "wall_seconds": round(wall, 2),
             "prefill_128_seconds": d.get("prefill_seconds"),
             "decode_seconds_per_token": median(d.get("decode_seconds") or [None]),
             "decode_seconds": d.get("decode_seconds"),
             "prefill_128_cpu_seconds": d.get("prefill_cpu_seconds"),
             "decode_cpu_seconds_per_token": median(d.get("decode_cpu_seconds") or [None]),
             "warmup_seconds":
             (d.get("time") or {}).get("warmup_seconds"), "peak_rss_bytes": d.get("peak_rss_bytes"),
             "resident_host_bytes": d.get("resident_host_bytes"), "checks": d.get("checks")}
        print("  tern --check %-4s prefill-128 %.2f s (CPU %.2f s), decode %.3f s/token (CPU %.3f s), "
              "peak RSS %.2f GB" % (
                  check, r["prefill_128_seconds"] or 0, r["prefill_128_cpu_seconds"] or 0,
                  r["decode_seconds_per_token"] or 0, r["decode_cpu_seconds_per_token"] or 0,
                  (r["peak_rss_bytes"] or 0) / 1e9), flush=True)
        return r, d.get("prompt_tokens") or []

    def llama(ids):
        if nm is None or not ids:
            return {"who": "llama.cpp", "ok": False, "note": "node-llama-cpp unavailable"}
        p = subprocess.run(["node", os.path.join(ROOT, "bench", "llama_bench.mjs"), nm, gguf,
                            str(threads), ",".join(map(str, ids)), str(decode_steps)],
                           capture_output=True, text=True)
        try:
            d = json.loads(p.stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            print("  llama.cpp failed: %s" % p.stderr.strip()[-300:], file=sys.stderr)
            return {"who": "llama.cpp", "ok": False}
        r = {"who": "llama.cpp", "ok": True, "prefill_128_seconds": d["prefill_seconds"],
             "decode_seconds_per_token": median(d["decode_seconds"]),
             "decode_seconds": d["decode_seconds"],
             "prefill_128_cpu_seconds": d["prefill_cpu_seconds"],
             "decode_cpu_seconds_per_token": median(d["decode_cpu_seconds"]),
             "peak_rss_bytes": d["peak_rss_bytes"],
             "threads": d["threads"]}
        print("  llama.cpp         prefill-128 %.2f s (CPU %.2f s), decode %.3f s/token (CPU %.3f s), "
              "peak RSS %.2f GB" % (
                  r["prefill_128_seconds"], r["prefill_128_cpu_seconds"], r["decode_seconds_per_token"],
                  r["decode_cpu_seconds_per_token"], (r["peak_rss_bytes"] or 0) / 1e9), flush=True)
        return r

    for check in ("none", "all"):
        t, ids = tern(check)
        l = llama(ids)
        pair = {"check": check, "tern": t, "llama.cpp": l}
        if t["ok"] and l["ok"]:
            pair["ratio_prefill_128"] = round(t["prefill_128_seconds"] / l["prefill_128_seconds"], 3)
            pair["ratio_decode"] = round(t["decode_seconds_per_token"] / l["decode_seconds_per_token"], 3)
            pair["target"] = 2.0 if check == "none" else 4.0
            pair["cpu_ratio_prefill_128"] = round(t["prefill_128_cpu_seconds"] / l["prefill_128_cpu_seconds"], 3)
            pair["cpu_ratio_decode"] = round(t["decode_cpu_seconds_per_token"] /
                                             l["decode_cpu_seconds_per_token"], 3)
            print("  ratio tern/llama.cpp (--check %s): prefill-128 %.2fx, decode %.2fx (target <= %gx); "
                  "CPU time: prefill-128 %.2fx, decode %.2fx" % (
                      check, pair["ratio_prefill_128"], pair["ratio_decode"], pair["target"],
                      pair["cpu_ratio_prefill_128"], pair["cpu_ratio_decode"]), flush=True)
        res["runs"].append(pair)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="rtl,model,fast,kv260,llama",
                    help="comma list of rtl,model,fast,kv260,llama")
    ap.add_argument("--arrays", default=",".join(ARRAYS))
    ap.add_argument("--dram-bw", type=int, default=16, help="DRAM bytes per cycle (default 16)")
    ap.add_argument("--dram-latency", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="one shape per array")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.json"))
    a = ap.parse_args()
    parts = set(a.only.split(","))
    tmp = os.path.join(ROOT, "build", "bench")
    os.makedirs(tmp, exist_ok=True)
    results = {"machine": machine(),
               "date": time.strftime("%Y-%m-%d %H:%M:%S"),
               "dram": {"bytes_per_cycle": a.dram_bw, "latency_cycles": a.dram_latency}}
    if os.path.exists(a.out):  # keep parts not re-run this time
        with open(a.out) as f:
            old = json.load(f)
        for k in ("rtl", "rtl_summary", "model", "fast", "kv260", "llama"):
            if k in old:
                results[k] = old[k]
    if "rtl" in parts:
        print("== RTL (verilator, lockstep on), DRAM %d B/cycle, latency %d" % (a.dram_bw, a.dram_latency))
        results["rtl"] = bench_rtl(a.dram_bw, a.dram_latency, a.arrays.split(","), a.quick)
        results["rtl_summary"] = summarize_rtl(results["rtl"])
        for arr, s in results["rtl_summary"].items():
            print("  %-6s sim %6.0f kcycles/s %7.1f M MACs/s; prefill util >= %.1f%% (%.1f%% at 2x bw); "
                  "decode <= %.3fx DRAM bound" % (
                      arr, (s["sim_cycles_per_s"] or 0) / 1e3, (s["sim_macs_per_s"] or 0) / 1e6,
                      100 * (s["prefill_min_utilization"] or 0),
                      100 * (s["prefill_min_utilization_2x_bw"] or 0),
                      s["decode_max_cycles_over_dram_bound"] or 0))
    if "model" in parts:
        print("== models")
        results["model"] = bench_model()
    if "fast" in parts:
        print("== fast cycle model")
        results["fast"] = bench_fast(tmp)
    if "kv260" in parts:
        print("== kv260: decode and prefill of 2B-4T beside published accelerators")
        results["kv260"] = bench_kv260(tmp)
    if "llama" in parts:
        print("== side by side with llama.cpp (same GGUF, one after the other)")
        results["llama"] = bench_llama(tmp)
    tmpf = a.out + ".tmp"
    with open(tmpf, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    os.replace(tmpf, a.out)
    print("wrote %s" % os.path.relpath(a.out, ROOT))


if __name__ == "__main__":
    main()
