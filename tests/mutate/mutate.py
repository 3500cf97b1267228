#!/usr/bin/env python3
"""Mutation test of the RTL: does the test set notice when the RTL is wrong?

`make mutate` (docs/verification.md). Each mutant of tests/mutate/mutants.txt is applied to
a temporary copy of the tree (Makefile, isa/, sim/, rtl/), Verilated there (its own
build/vl, never the real one; TERN_HOME and TERN_CACHE point the driver's verilator backend at it), and
run against a fixed set of checks, the first failing one catching it:

  8x8:   layers (tern gemm, lockstep + golden check) in both weight formats with partial
         bus beats, the fault cases (tern_vl_faults), the fuzzer's short run, and RTL cycle
         counts equal to the fast cycle model's;
  32x32: (only for a mutant the 8x8 checks did not catch) layers in both formats and
         exact cycle counts.

The checks first run on the unmutated RTL and must all pass there, so a mutant cannot be
"caught" by a broken check. The report gives caught/total; a mutant that survives must
be marked `equivalent: REASON` in the mutants file, and an equivalent one that is caught
is reported too (its reason is wrong). Exit 0 only when every non-equivalent mutant was
caught. Only the python3 standard library is used.

usage: mutate.py [--only NAME[,NAME...]] [--keep]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TERN = os.path.join(ROOT, "build", "tern")
FUZZ = os.path.join(ROOT, "build", "tests", "tern_fuzz")
FAULTS = os.path.join(ROOT, "build", "tests", "rtl", "tern_vl_faults")
LOGDIR = os.path.join(ROOT, "build", "mutate")

# gemm cases: array, M, K, N, weight format. On 8x8 (32-byte bus) a 2-bit WBUF entry is
# 16 bytes and a base-3 one 13, so rows end inside a beat; 32x32 base-3 entries are 205
# bytes (6.4 beats).
LAYERS = {
    "8x8": [(30, 50, 4, "2bit"), (17, 100, 3, "base3"), (8, 8, 1, "2bit"), (40, 700, 17, "base3"),
            (13, 2000, 2, "2bit")],
    "32x32": [(64, 256, 8, "2bit"), (45, 100, 3, "base3"), (33, 70, 2, "base3")],
}
# cycle cases: array, M, K, N, weight format, DRAM bytes/cycle, latency (from fast_vs_rtl.sh)
CYCLES = {
    "8x8": [(64, 64, 1, "2bit", 16, 40), (100, 72, 1, "base3", 8, 20), (96, 200, 33, "2bit", 16, 40),
            (40, 24, 7, "2bit", 32, 100)],
    "32x32": [(256, 512, 1, "2bit", 16, 40), (100, 70, 3, "2bit", 8, 20),
              (256, 256, 32, "2bit", 16, 40)],
}


def parse_mutants(path):
    mutants = []
    for block in open(path).read().split("\n\n"):
        m = {}
        for line in block.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, val = line.split(":", 1)
            m[key.strip()] = val.strip()
        if "name" in m:
            for key in ("file", "from", "to", "why"):
                if key not in m:
                    sys.exit("mutate: mutant %s has no '%s'" % (m["name"], key))
            mutants.append(m)
    return mutants


def run(cmd, env, log):
    """Run cmd; its output goes to log. Returns (exit code, last lines, whole output)."""
    log.write("$ %s\n" % " ".join(cmd))
    log.flush()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    log.write(p.stdout)
    log.flush()
    lines = [l for l in p.stdout.splitlines() if l and not l.startswith(("insn", "#"))]
    bad = [l for l in lines if l.startswith("FAIL") or "DISAGREES" in l or "did not end" in l]
    return p.returncode, (bad[0] if bad else " | ".join(lines[-2:]))[:300], p.stdout


def gemm_cycles(backend, array, m, k, n, wfmt, bw, lat, env, log):
    cmd = [TERN, "gemm", "--backend", backend, "--array", array, "--m", str(m), "--k", str(k),
           "--n", str(n), "--wfmt", wfmt, "--seed", "7", "--dram-bw", str(bw),
           "--dram-latency", str(lat), "--json", "--quiet"]
    if backend == "verilator":
        cmd.append("--no-lockstep")  # cycles do not depend on it
    rc, out, text = run(cmd, env, log)
    key = '"counters":{"cycles":'
    at = text.rfind(key)
    if rc != 0 or at < 0:
        return None, out
    digits = ""
    for ch in text[at + len(key):]:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits), out


def checks(array, env, log):
    """The checks of one array size, in order; yields (name, ok, detail)."""
    for (m, k, n, wfmt) in LAYERS[array]:
        rc, out, _ = run([TERN, "gemm", "--backend", "verilator", "--array", array, "--m", str(m),
                       "--k", str(k), "--n", str(n), "--wfmt", wfmt, "--seed", "3", "--quiet"],
                      env, log)
        yield "layer %s %dx%dx%d %s" % (array, m, k, n, wfmt), rc == 0, out
    if array == "8x8":
        rc, out, _ = run([FAULTS, array], env, log)
        yield "faults %s" % array, rc == 0, out
        rc, out, _ = run([FUZZ, "--seed", "11", "--n", "300", "--out",
                       os.path.join(LOGDIR, "repro"), array], env, log)
        yield "fuzz %s (300 programs)" % array, rc == 0, out
    for case in CYCLES[array]:
        rtl, out = gemm_cycles("verilator", array, *case, env=env, log=log)
        fast, _ = gemm_cycles("fast", array, *case, env=env, log=log)
        ok = rtl is not None and fast is not None and rtl == fast
        yield ("cycles %s %dx%dx%d %s bw%d lat%d" % ((array,) + case), ok,
               "rtl %s, fast model %s" % (rtl, fast))


def verilate(root, array, env, log):
    rc, out, _ = run(["nice", "make", "-s", "-C", root, "build/vl/%s/libtern_vl.so" % array], env, log)
    return rc == 0 and os.path.exists(os.path.join(root, "build", "vl", array, "libtern_vl.so")), out


def evaluate(root, env, log):
    """Verilate and check 8x8, then 32x32 if needed. Returns (caught by, detail) or None."""
    for array in ("8x8", "32x32"):
        ok, out = verilate(root, array, env, log)
        if not ok:
            return "verilation %s" % array, out
        for name, ok, detail in checks(array, env, log):
            if not ok:
                return name, detail
    return None


def copy_tree(dst):
    shutil.copy2(os.path.join(ROOT, "Makefile"), dst)
    for d in ("isa", "sim", "rtl"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(dst, d))
    # the generated includes the model build reads (sim/tern_vl_build.sh finds build/gen)
    shutil.copytree(os.path.join(ROOT, "build", "gen"), os.path.join(dst, "build", "gen"))


def tree_env(home):
    """The driver's verilator backend takes its sources from home and caches models there."""
    env = dict(os.environ, TERN_HOME=home, TERN_CACHE=os.path.join(home, "build", "vl"))
    env.pop("TERN_VL_VARIANT", None)
    return env


def main(argv):
    only, keep = None, False
    i = 1
    while i < len(argv):
        if argv[i] == "--only" and i + 1 < len(argv):
            only = set(argv[i + 1].split(","))
            i += 1
        elif argv[i] == "--keep":
            keep = True
        else:
            print("mutate: unknown argument %s (usage: mutate.py [--only NAME,...] [--keep])" % argv[i],
                  file=sys.stderr)
            return 2
        i += 1
    for tool in (TERN, FUZZ, FAULTS):
        if not os.access(tool, os.X_OK):
            print("mutate: %s missing (make mutate builds it)" % tool, file=sys.stderr)
            return 2
    mutants = parse_mutants(os.path.join(ROOT, "tests", "mutate", "mutants.txt"))
    if only:
        mutants = [m for m in mutants if m["name"] in only]
    os.makedirs(LOGDIR, exist_ok=True)
    t0 = time.time()

    # Baseline: the unmutated RTL (the real build/vl) must pass every check.
    env = tree_env(ROOT)
    with open(os.path.join(LOGDIR, "baseline.log"), "w") as log:
        res = evaluate(ROOT, env, log)
    if res:
        print("mutate: the unmutated RTL fails '%s' (%s): fix that first (log: build/mutate/baseline.log)"
              % res)
        return 1
    print("mutate: baseline passes every check (%.0f s)" % (time.time() - t0))

    caught, survivors, wrong_equiv, total = 0, [], [], 0
    for m in mutants:
        t1 = time.time()
        tmp = tempfile.mkdtemp(prefix="tern-mutant-")
        try:
            copy_tree(tmp)
            path = os.path.join(tmp, m["file"])
            src = open(path).read()
            if src.count(m["from"]) != 1:
                print("mutant %s: '%s' occurs %d times in %s (must be once)"
                      % (m["name"], m["from"], src.count(m["from"]), m["file"]))
                return 1
            with open(path, "w") as f:
                f.write(src.replace(m["from"], m["to"]))
            env = tree_env(tmp)
            with open(os.path.join(LOGDIR, m["name"] + ".log"), "w") as log:
                res = evaluate(tmp, env, log)
        finally:
            if keep:
                print("  (kept %s)" % tmp)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        equiv = m.get("equivalent")
        dt = time.time() - t1
        if res and res[0].startswith("verilation"):
            print("mutant %-28s DOES NOT BUILD (%s): fix the mutant" % (m["name"], res[1]))
            return 1
        if not equiv:
            total += 1
        if res and not equiv:
            caught += 1
            print("mutant %-28s caught by %s (%s) [%.0f s]" % (m["name"], res[0], res[1], dt))
        elif res:
            wrong_equiv.append(m["name"])
            print("mutant %-28s marked equivalent but caught by %s (%s) [%.0f s]"
                  % (m["name"], res[0], res[1], dt))
        elif equiv:
            print("mutant %-28s survives, equivalent: %s [%.0f s]" % (m["name"], equiv, dt))
        else:
            survivors.append(m["name"])
            print("mutant %-28s SURVIVED every check (%s) [%.0f s]" % (m["name"], m["why"], dt))
        sys.stdout.flush()
    neq = len(mutants) - total
    print("mutate: %d of %d non-equivalent mutants caught, %d equivalent, %.0f s"
          % (caught, total, neq, time.time() - t0))
    if survivors:
        print("mutate: survivors (add a test, or mark equivalent with the reason): %s"
              % ", ".join(survivors))
    if wrong_equiv:
        print("mutate: marked equivalent but caught (the reason is wrong): %s" % ", ".join(wrong_equiv))
    return 1 if survivors or wrong_equiv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
