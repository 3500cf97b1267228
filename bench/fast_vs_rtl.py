#!/usr/bin/env python3
"""Fast cycle model vs RTL: per-layer cycle error table.

Runs a benchmark set of BitLinear layers (decode N=1 and prefill N>=32, BitNet-like and
small odd shapes, the 2B-4T shapes on 32x32) on two backends of `tern gemm`: verilator
(the Verilated RTL: ground truth) and fast (the fast cycle model), at several DRAM
settings, and writes the per-layer error table as JSON (merged into bench/results.json
by `make bench`). Prints the table and max/mean error per (array, DRAM) group.
Standard library only.

usage: bench/fast_vs_rtl.py OUT.json [--tern build/tern] [--quick] [--jobs N]
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

DRAMS = [(16, 40), (8, 20), (32, 100)]  # (bytes per cycle, latency)

# (array, M, K, N, wfmt)
SHAPES = [
    ("8x8", 64, 64, 1, "2bit"), ("8x8", 100, 72, 1, "base3"), ("8x8", 256, 256, 1, "2bit"),
    ("8x8", 96, 200, 33, "2bit"), ("8x8", 128, 128, 64, "base3"), ("8x8", 40, 24, 7, "2bit"),
    ("8x8", 512, 256, 1, "base3"),
    ("16x16", 256, 256, 1, "2bit"), ("16x16", 200, 300, 1, "base3"),
    ("16x16", 256, 512, 32, "2bit"), ("16x16", 128, 96, 48, "base3"),
    ("16x16", 1024, 256, 1, "2bit"), ("16x16", 17, 33, 5, "2bit"),
    ("32x32", 256, 512, 1, "2bit"), ("32x32", 512, 512, 1, "base3"),
    ("32x32", 640, 2560, 1, "2bit"), ("32x32", 256, 256, 32, "2bit"),
    ("32x32", 512, 1024, 64, "base3"), ("32x32", 100, 70, 3, "2bit"),
    ("32x32", 1024, 4096, 1, "2bit"), ("32x32", 768, 768, 40, "2bit"),
]

BIG = [  # the 2B-4T shapes on the default preset
    ("32x32", 2560, 2560, 1, "2bit"), ("32x32", 6912, 2560, 1, "2bit"),
    ("32x32", 2560, 6912, 1, "2bit"), ("32x32", 2560, 2560, 128, "2bit"),
    ("32x32", 6912, 2560, 128, "2bit"), ("32x32", 2560, 6912, 128, "2bit"),
    ("32x32", 2560, 2560, 1, "base3"), ("32x32", 2560, 6912, 128, "base3"),
]

QUICK = SHAPES[:4] + SHAPES[7:10] + SHAPES[13:17]


def run(tern, backend, case, dram):
    arr, m, k, n, wfmt = case
    bw, lat = dram
    cmd = [tern, "gemm", "--backend", backend, "--array", arr, "--m", str(m), "--k", str(k),
           "--n", str(n), "--wfmt", wfmt, "--seed", "1", "--json", "--quiet",
           "--dram-bw", str(bw), "--dram-latency", str(lat)]
    if backend == "verilator":
        cmd.append("--no-lockstep")  # cycles do not depend on it; it only costs time
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)["counters"], dt


def one(tern, case, dram):
    rtl, t_rtl = run(tern, "verilator", case, dram)
    fast, t_fast = run(tern, "fast", case, dram)
    err = (fast["cycles"] - rtl["cycles"]) / rtl["cycles"]
    arr, m, k, n, wfmt = case
    return {"array": arr, "m": m, "k": k, "n": n, "wfmt": wfmt, "dram_bw": dram[0],
            "dram_latency": dram[1], "rtl_cycles": rtl["cycles"],
            "fast_cycles": fast["cycles"], "error": err,
            "counters_equal": rtl == fast, "rtl_seconds": round(t_rtl, 3),
            "fast_seconds": round(t_fast, 3)}


def summarize(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["array"], r["dram_bw"], r["dram_latency"]), []).append(r)
    out = []
    for (arr, bw, lat), rs in sorted(groups.items()):
        errs = [abs(r["error"]) for r in rs]
        out.append({"array": arr, "dram_bw": bw, "dram_latency": lat, "layers": len(rs),
                    "max_abs_error": max(errs), "mean_abs_error": sum(errs) / len(errs)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--tern", default="build/tern")
    ap.add_argument("--quick", action="store_true", help="small set, one DRAM setting")
    ap.add_argument("--no-big", action="store_true", help="skip the 2B-4T shapes")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    if a.quick:
        jobs = [(c, DRAMS[0]) for c in QUICK]
    else:
        jobs = [(c, d) for d in DRAMS for c in SHAPES]
        if not a.no_big:
            jobs += [(c, DRAMS[0]) for c in BIG]
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = [ex.submit(one, a.tern, c, d) for c, d in jobs]
        for f in futs:
            r = f.result()
            rows.append(r)
            print(f"{r['array']:>6} {r['m']:>5}x{r['k']:<5} N={r['n']:<4} {r['wfmt']:<5} "
                  f"bw={r['dram_bw']:<3} lat={r['dram_latency']:<4} rtl={r['rtl_cycles']:>9} "
                  f"fast={r['fast_cycles']:>9} err={100 * r['error']:+7.3f}%"
                  f"{'' if r['counters_equal'] else '  (other counters differ)'}",
                  flush=True)
    summary = summarize(rows)
    print("\narray   bw  lat  layers  max|err|  mean|err|")
    for s in summary:
        print(f"{s['array']:>6} {s['dram_bw']:>3} {s['dram_latency']:>4} {s['layers']:>7} "
              f"{100 * s['max_abs_error']:8.3f}% {100 * s['mean_abs_error']:8.3f}%")
    errs = [abs(r["error"]) for r in rows]
    total = {"layers": len(rows), "max_abs_error": max(errs),
             "mean_abs_error": sum(errs) / len(errs),
             "within_2_percent": sum(e <= 0.02 for e in errs)}
    print(f"\nall: {total['layers']} layers, max |err| {100 * total['max_abs_error']:.3f}%, "
          f"mean {100 * total['mean_abs_error']:.3f}%, "
          f"{total['within_2_percent']} within 2%")
    doc = {"fast_vs_rtl": {"layers": rows, "groups": summary, "all": total}}
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.out)
    return 0 if total["max_abs_error"] <= 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
