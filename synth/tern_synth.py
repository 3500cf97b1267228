#!/usr/bin/env python3
"""tern_synth: one open FPGA synthesis run -> build/synth/<board>/<array>/report.json.

`make synth BOARD=B ARRAY=RxL` and `tern synth` call this script. Every fact about a board
(family, part, package, capacity, target clock, the board top and pins, the buffer sizes
its memories hold) comes from the "fpga" object of the board in isa/tern_isa.json, read
through isa/tern_gen.py so the definition is checked the same way as for every other
output. The flows:
  ice40   yosys synth_ice40 -> nextpnr-ice40 (placement, routing, Fmax) -> icepack (.bin)
  xilinx  yosys synth_xilinx -nodsp: utilization only. The open flow has no Xilinx
          placer, so it does NO timing closure and gives no Fmax; synth/vivado/ has the
          Tcl for users with Vivado.
The report counts cells from yosys `stat -json` (per module when the hierarchy is kept,
--hier), takes LC and Fmax from nextpnr's own JSON report, records tool versions, run
times and a hash of every input, and is written atomically (temporary file, rename), also
when a step fails: then "status" says which step and why, and the exit code is 1.
Bad options: one line on stderr, exit 2. Python 3 standard library only.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "isa"))
import tern_gen  # noqa: E402  (the definition's loader and checks)

# Cell type -> (counter, weight). Xilinx LUT RAM and shift registers occupy LUTs, so they
# count toward "lut" with the number of LUTs each primitive uses (UG474/UG574 CLB guides).
ICE40 = {"SB_LUT4": ("lut", 1), "SB_CARRY": ("carry", 1), "SB_SPRAM256KA": ("spram", 1),
         "SB_MAC16": ("dsp", 1)}
XIL_LUTRAM = {"RAM16X1D": 2, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM32X1S": 1,
              "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4, "RAM32M": 4, "RAM64M": 4,
              "RAM32M16": 8, "RAM64M8": 8, "SRL16E": 1, "SRLC32E": 1}
XILINX = {"CARRY4": ("carry", 1), "CARRY8": ("carry", 1), "URAM288": ("uram", 1),
          "RAMB18E1": ("bram", 1), "RAMB36E1": ("bram", 2), "RAMB18E2": ("bram", 1),
          "RAMB36E2": ("bram", 2), "DSP48E1": ("dsp", 1), "DSP48E2": ("dsp", 1)}
COUNTS = ["lut", "lutram", "ff", "carry", "bram", "uram", "spram", "dsp"]
NO_TIMING = "none: the open Xilinx flow (yosys only) does no placement and no timing closure"


def classify(family, cell):
    """The counter a leaf cell adds to, and how much, or None for cells that cost nothing
    countable (MUXF7, IO buffers, GND/VCC)."""
    if family == "ice40":
        if cell.startswith("SB_DFF"):
            return ("ff", 1)
        if cell.startswith("SB_RAM40_4K"):
            return ("bram", 1)
        return ICE40.get(cell)
    if re.fullmatch(r"LUT[1-6]", cell):
        return ("lut", 1)
    if cell in XIL_LUTRAM:
        return ("lutram", XIL_LUTRAM[cell])
    if re.fullmatch(r"FD[RSCP]E(_1)?", cell):
        return ("ff", 1)
    return XILINX.get(cell)


def base_name(mod):
    """'\\tern_fifo', '$paramod\\tern_fifo\\Width=..', '$paramod$ab12\\tern_fifo' -> tern_fifo."""
    m = mod.lstrip("\\")
    if m.startswith("$paramod"):
        return m.split("\\")[1]
    return m


def hier_counts(family, stat, top):
    """Totals of the design and, per module name, over all its instances, counting each
    module with everything below it (inclusive), from yosys `stat -json` with the hierarchy
    kept. Returns (design totals, {module: {counts..., instances}})."""
    mods = {k.lstrip("\\"): v["num_cells_by_type"] for k, v in stat["modules"].items()}
    memo = {}

    def incl(m):
        if m not in memo:
            c = dict.fromkeys(COUNTS, 0)
            for cell, n in mods[m].items():
                cell = cell.lstrip("\\")
                if cell in mods:
                    for k, v in incl(cell).items():
                        c[k] += n * v
                else:
                    cls = classify(family, cell)
                    if cls:
                        c[cls[0]] += n * cls[1]
                        if cls[0] == "lutram":  # "lut" counts LUTs used as memory too
                            c["lut"] += n * cls[1]
            memo[m] = c
        return memo[m]

    top_key = [m for m in mods if base_name(m) == top]
    if len(top_key) != 1:
        raise RuntimeError("stat has no single module %s" % top)
    inst = {}

    def walk(m, k):
        inst[m] = inst.get(m, 0) + k
        for cell, n in mods[m].items():
            cell = cell.lstrip("\\")
            if cell in mods:
                walk(cell, k * n)

    walk(top_key[0], 1)
    per = {}
    for m, k in inst.items():
        b = per.setdefault(base_name(m), dict(dict.fromkeys(COUNTS, 0), instances=0))
        b["instances"] += k
        for key, v in incl(m).items():
            b[key] += k * v
    return incl(top_key[0]), per


def adder_tree_bits(lanes, act_bits=8, acc_bits=32):
    """Sum bits of one PE row built as the brief's width-aware adder tree: LANES int8 terms,
    pairs added level by level, each level one bit wider (an odd term passes up), then one
    acc_bits accumulator adder. At one LUT4 (with its carry) per sum bit this is the
    iCE40 estimate of a row; docs/fpga.md derives it."""
    bits, n, w = 0, lanes, act_bits
    while n > 1:
        w += 1
        bits += (n // 2) * w
        n = n // 2 + n % 2
    return bits + acc_bits


def est_lut_per_pe(lanes, lut_kind):
    """LUTs per PE of the adder-tree estimate: one LUT4 per sum bit, or half that for LUT6
    (a LUT6 with the carry chain adds three operands, so a tree needs half the levels'
    bits; the issue's 5-6 LUT6 anchor at 32 lanes)."""
    per = adder_tree_bits(lanes) / lanes
    return per if lut_kind == "LUT4" else per / 2


def blackbox_instances(stat, top, module):
    """Instances of a black-boxed module under top (black boxes have no stat entry of their
    own: they appear only as cell types of the modules that instantiate them)."""
    mods = {k.lstrip("\\"): v["num_cells_by_type"] for k, v in stat["modules"].items()}
    n = 0

    def walk(m, k):
        nonlocal n
        for cell, c in mods[m].items():
            cell = cell.lstrip("\\")
            if cell in mods:
                walk(cell, k * c)
            elif base_name(cell) == module:
                n += k * c

    for m in mods:
        if base_name(m) == top:
            walk(m, 1)
    return n


def load_stat(path):
    """yosys `stat -json`; lines of the hierarchy summary some versions print into it
    (indented "name  count" lines, not JSON) are dropped."""
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        keep = [ln for ln in text.splitlines() if not re.fullmatch(r"\s+[^\s\"]+\s+[0-9]+", ln)]
        return json.loads("\n".join(keep))


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        line = (out.stdout or out.stderr).strip().splitlines()
        return line[0] if line else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "missing"


def deb_version(pkg):
    return tool_version(["dpkg-query", "-W", "-f", "${Version}", pkg])


def sha_inputs(paths, key=""):
    """Hash of every input file and of the run's settings (key)."""
    h = hashlib.sha256(key.encode())
    for p in sorted(paths):
        with open(p, "rb") as f:
            h.update(p.encode() + b"\0" + f.read())
    return h.hexdigest()


def write_atomic(path, obj):
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def run_step(name, argv, log, rep, cwd):
    t0 = time.time()
    with open(log, "w") as lf:
        rc = subprocess.run(argv, stdout=lf, stderr=subprocess.STDOUT, cwd=cwd).returncode
    rep["seconds"][name] = round(time.time() - t0, 1)
    if rc != 0:
        last = ""
        with open(log, errors="replace") as lf:
            for line in lf:  # the first "ERROR:" line says why (later ones are summaries)
                if "ERROR:" in line and "ERROR:" not in last:
                    last = line.strip()[:240]
                elif not last and "error" in line.lower():
                    last = line.strip()[:240]
        rep["status"] = "%s failed (exit %d): %s" % (name, rc, last or "see " + os.path.basename(log))
    return rc == 0


def die(msg):
    print("tern_synth: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="tern_synth", description=__doc__.split("\n")[0])
    ap.add_argument("--board")
    ap.add_argument("--list", action="store_true", help="print the boards with a flow")
    ap.add_argument("--list-arrays", action="store_true", help="print the board's arrays")
    ap.add_argument("--array", help="preset name or RxL (default: the board's first array)")
    ap.add_argument("--out", help="output folder (default build/synth/BOARD/ARRAY)")
    ap.add_argument("--hier", action="store_true", help="keep the hierarchy: per-module counts")
    ap.add_argument("--no-pnr", action="store_true", help="ice40: stop after synthesis")
    ap.add_argument("--report-only", action="store_true",
                    help="run no tool: rebuild report.json from the logs of the last run")
    ap.add_argument("--top", help="synthesize this module instead (with --param, --file)")
    ap.add_argument("--file", action="append", default=[], help="extra Verilog source")
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE for --top")
    ap.add_argument("--pcf", help="ice40 pin file for --top")
    ap.add_argument("--split", action="store_true",
                    help="estimate tern_top as the rest (PE array black-boxed) + PE-array strips "
                    "scaled to ROWS (the default for the board's fpga.split arrays)")
    ap.add_argument("--full", action="store_true",
                    help="synthesize tern_top whole (flattened) also for the board's fpga.split arrays")
    ap.add_argument("--blackbox", help="keep this module as a black box: its instances are "
                    "cells whose contents are not synthesized or counted (split runs)")
    ap.add_argument("--isa", default=os.path.join(ROOT, "isa", "tern_isa.json"))
    ap.add_argument("--gen", default=os.path.join(ROOT, "build", "gen"))
    ap.add_argument("--yosys", default=os.environ.get("YOSYS", "yosys"))
    ap.add_argument("--nextpnr", default=os.environ.get("NEXTPNR_ICE40", "nextpnr-ice40"))
    ap.add_argument("--icepack", default=os.environ.get("ICEPACK", "icepack"))

    ap.error = lambda m: die(m)
    return ap.parse_args(argv)


def plan(a):
    """Check the options against the definition; everything a run needs, or None when
    --list/--list-arrays printed their answer. Bad input exits 2 with one line."""
    d = tern_gen.load(a.isa)
    boards = {b["name"]: b for b in d["boards"]["list"] if "fpga" in b}
    if a.list:
        print(" ".join(boards))
        return None
    if not a.board:
        die("--board is required (boards with an FPGA flow: %s)" % ", ".join(boards))
    if a.board not in boards:
        die("unknown board '%s' (boards with an FPGA flow: %s)" % (a.board, ", ".join(boards)))
    fpga = boards[a.board]["fpga"]
    if a.list_arrays:
        print(" ".join(fpga["arrays"]))
        return None
    fam = fpga["family"]
    array = a.array or fpga["arrays"][0]
    own = boards[a.board].get("array", {}).get("name")
    if not re.fullmatch(r"[0-9]+x[0-9]+", array) and array != own and \
            array not in [p["name"] for p in d["config"]["presets"]]:
        die("bad --array '%s' (a preset name, the board's array or RxL)" % array)
    cfg = tern_gen.board_config(d, a.board, array)
    why = tern_gen.config_why(d, cfg)
    if why:
        die("array %s on %s: %s" % (array, a.board, why))
    for p in a.param:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=-?[0-9]+", p):
            die("bad --param '%s' (NAME=INTEGER)" % p)
    if (a.param or a.file or a.pcf) and not a.top:
        die("--param, --file and --pcf go with --top")
    split_def = fpga.get("split", {})
    split = a.split or (array in split_def.get("arrays", []) and not (a.top or a.blackbox or a.hier or a.full))
    if a.split and a.full:
        die("--split and --full exclude each other")
    if split and (a.top or a.blackbox or a.hier):
        die("--split synthesizes tern_top in parts: no --top, --blackbox or --hier with it")
    if split and not split_def:
        die("board %s has no fpga.split (strip sizes) in the definition" % a.board)
    rtl = sorted(os.path.join(ROOT, "rtl", f) for f in os.listdir(os.path.join(ROOT, "rtl"))
                 if f.endswith(".sv"))
    files = list(rtl) + [os.path.abspath(f) for f in a.file]
    for f in a.file:
        if not os.path.isfile(f):
            die("no such file: %s" % f)
    if a.top:
        top, params = a.top, [p.split("=") for p in a.param]
        pcf = os.path.abspath(a.pcf) if a.pcf else None
        if top == "tern_top":  # the core alone (synth-sweep): its config is the parameters
            names = {tern_gen.camel(q["name"]): q["name"] for q in d["config"]["params"]}
            cfg = dict(cfg, **{names[k]: int(v) for k, v in params if k in names})
    else:
        params = [(tern_gen.camel(q["name"]), cfg[q["name"]]) for q in d["config"]["params"]]
        # board-only RTL options (a feature narrowed to fit: docs/fpga.md), e.g. CounterBits
        params += sorted(fpga.get("rtl_params", {}).items())
        if fam == "ice40":
            # the board top and its parts: every .sv in the top's folder
            tdir = os.path.dirname(os.path.join(ROOT, fpga["top"]))
            files += sorted(os.path.join(tdir, f) for f in os.listdir(tdir) if f.endswith(".sv"))
            top = os.path.splitext(os.path.basename(fpga["top"]))[0]
            pcf = os.path.join(ROOT, fpga["pcf"])
        else:
            top, pcf = "tern_top", None
    pnr = fam == "ice40" and not a.no_pnr
    if pnr and not pcf:
        die("an ice40 place-and-route run needs --pcf with --top (or --no-pnr)")
    out = os.path.abspath(a.out or os.path.join(ROOT, "build", "synth", a.board, array))
    here = os.path.dirname(os.path.abspath(__file__))
    inputs = files + [a.isa] + ([pcf] if pnr else [])
    # the yosys script (its text is part of the inputs hash)
    ys = ["# generated by synth/tern_synth.py for %s %s -- do not edit" % (a.board, array),
          "read_verilog -defer -sv -DSYNTHESIS -I%s -I%s %s" % (a.gen, here, " ".join(files))]
    if params:
        ys.append("chparam %s $abstract\\%s" % (" ".join("-set %s %s" % (k, v) for k, v in params), top))
    # No `hierarchy` here (but for a black box): synth_* first reads its cell library
    # (SB_SPRAM256KA, ...) and then elaborates the deferred modules with the parameters set
    # above. tern_top instantiates no primitive, so it can be elaborated before.
    if a.blackbox:
        # Elaborate with the parameters, then empty every specialisation of the module: it
        # stays an instance (its input cone is kept, its outputs are free) with no cells.
        ys += ["hierarchy -top %s" % top, "blackbox *\\%s" % a.blackbox]
    if fam == "ice40":
        # No -dsp: SB_MAC16 stays unused (the array has no multipliers; 0 DSP is checked).
        ys.append("synth_ice40 -top %s%s" % (top, " -noflatten" if a.hier else ""))
    else:
        # synth_args: the board's extra synth_xilinx options (kv260: -uram), with their why
        ys.append("synth_xilinx -family %s -top %s -nodsp%s%s" % (
            fpga["yosys_family"], top, "" if a.hier else " -flatten",
            " " + fpga["synth_args"] if fpga.get("synth_args") else ""))
    # stat -json without -top: yosys 0.23 prints the -top hierarchy summary into the JSON
    ys.append("tee -q -o stat.json stat -json")
    if pnr:
        ys += ["flatten", "write_json netlist.json"]

    key = json.dumps([ys, pnr, fpga], sort_keys=True)
    # What yosys itself reads: the script, the Verilog and the generated headers it includes
    # (not the whole definition: a split run reuses parts across edits of board text).
    gen_h = [os.path.join(a.gen, f) for f in sorted(os.listdir(a.gen))
             if f.endswith((".svh", ".vh"))] if os.path.isdir(a.gen) else []
    return dict(d=d, fpga=fpga, fam=fam, array=array, cfg=cfg, files=files, top=top,
                params=params, pcf=pcf, pnr=pnr, out=out, here=here, ys=ys, split=split,
                sha=sha_inputs(inputs, key),
                rtl_sha=sha_inputs(files + gen_h + ([pcf] if pnr else []), json.dumps([ys, pnr])))


def inputs_hash(argv):
    """The inputs_sha256 a run with these options would record (synth-sweep reuses runs)."""
    return plan(parse_args(argv))["sha"]


def yosys_cost(log):
    """CPU seconds and peak memory from the last line yosys writes into its log (also for a
    report rebuilt with --report-only, which has no wall times)."""
    cost = {}
    try:
        with open(log, errors="replace") as f:
            for line in f:
                m = re.match(r"End of script\..*CPU: user ([0-9.]+)s system ([0-9.]+)s, MEM: ([0-9.]+) MB peak", line)
                if m:
                    cost = {"yosys_cpu_seconds": round(float(m.group(1)) + float(m.group(2)), 1),
                            "yosys_peak_mb": round(float(m.group(3)))}
    except OSError:
        pass
    return cost


# ---- split runs: tern_top = the rest (tern_pe_array black-boxed) + the PE array from strips
SPLIT_BOX = "tern_pe_array"


def combine_split(rest, strips, rows):
    """The split estimate from part counts (dicts of COUNTS). strips: [(rows, counts)] of
    tern_pe_array at the real Lanes. One strip: scaled by rows / its rows. Two: a line
    through them, per row = the difference / the row difference and shared = what the strip
    has beyond its rows x per row (logic yosys shares between rows, e.g. of the common
    activations), so the array is shared + rows x per row. Returns (total, pe, per_row, shared)."""
    if not strips or len(strips) > 2 or len({n for n, _ in strips}) != len(strips) or \
            min(n for n, _ in strips) < 1:
        raise ValueError("one or two strips of distinct positive row counts")
    s = sorted(strips, key=lambda x: x[0])
    if len(s) == 1:
        n, c = s[0]
        per = {k: c[k] / n for k in COUNTS}
        shared = dict.fromkeys(COUNTS, 0.0)
    else:
        (n1, c1), (n2, c2) = s
        per = {k: (c2[k] - c1[k]) / (n2 - n1) for k in COUNTS}
        shared = {k: c1[k] - n1 * per[k] for k in COUNTS}
    pe = {k: int(round(shared[k] + rows * per[k])) for k in COUNTS}
    total = {k: rest[k] + pe[k] for k in COUNTS}
    return total, pe, per, shared


CAP_KEYS = (("lut", "luts"), ("ff", "ffs"), ("bram", "bram"), ("uram", "uram"), ("dsp", "dsp"))


def fit_table(counts, fpga):
    """Used, available and percent per resource; fits = all within the part and no DSP."""
    t = {}
    for k, c in CAP_KEYS:
        t[k] = {"used": counts[k], "available": fpga[c],
                "percent": round(100.0 * counts[k] / fpga[c], 1) if fpga[c] else None}
    over = [k for k in t if t[k]["used"] > t[k]["available"]]
    return t, over


def split_part(argv, report_only):
    """Run one part (or reuse it: an ok report whose yosys inputs are unchanged). Returns
    (report, how) or (None, why)."""
    sub = plan(parse_args(argv))
    path = os.path.join(sub["out"], "report.json")
    old = None
    if os.path.exists(path):
        try:
            with open(path) as f:
                old = json.load(f)
        except ValueError:
            old = None
    if old and old.get("status") == "ok" and old.get("rtl_sha256") == sub["rtl_sha"]:
        how = "reused"
    else:
        main(argv + (["--report-only"] if report_only else []))
        how = "rebuilt from its logs" if report_only else "run"
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        return None, "%s: %s" % (path, e)
    if r.get("status") != "ok":
        return None, "%s: %s" % (os.path.relpath(path), r.get("status"))
    return r, how


def run_split(a, p):
    d, fpga, array, cfg, out = (p[k] for k in ("d", "fpga", "array", "cfg", "out"))
    rows_list = fpga["split"]["strip_rows"]
    common = ["--board", a.board, "--array", array, "--isa", a.isa, "--gen", a.gen, "--yosys", a.yosys]
    parts = [("rest", common + ["--blackbox", SPLIT_BOX, "--out", os.path.join(out, "rest")])]
    for n in rows_list:
        parts.append(("strip%d" % n, common + ["--top", SPLIT_BOX, "--param", "Rows=%d" % n,
                                              "--param", "Lanes=%d" % cfg["LANES"],
                                              "--out", os.path.join(out, "strip%d" % n)]))
    pes = cfg["ROWS"] * cfg["LANES"]
    method = "rest synthesized (tern_top with tern_pe_array as a black box) + PE array from %s x %d rows" % (
        " and ".join("a %d-row strip" % n for n in rows_list), cfg["ROWS"])
    rep = {"tern_synth": 1, "board": a.board, "family": p["fam"], "part": fpga["part"],
           "array": array, "top": "tern_top",
           "config": {q["name"]: cfg[q["name"]] for q in d["config"]["params"]},
           "params": {k: int(v) for k, v in p["params"]}, "hierarchy": "split",
           "method": method, "method_why": fpga["split"]["why"],
           "lut_kind": fpga["lut_kind"], "status": "running",
           "capacity": {k: fpga[k] for k in ("luts", "ffs", "bram", "uram", "dsp")},
           "bram_kind": fpga["bram_kind"], "target_mhz": fpga["target_mhz"], "fmax_mhz": None,
           "timing": NO_TIMING, "lc": None, "bitstream": None, "blackbox": None, "seconds": {},
           "tools": {"yosys": tool_version([a.yosys, "-V"])}, "parts": {},
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report = os.path.join(out, "report.json")
    t0 = time.time()
    got = {}
    for name, argv in parts:
        r, how = split_part(argv, a.report_only)
        if r is None:
            rep["status"] = "part %s failed: %s" % (name, how)
            write_atomic(report, rep)
            print("tern_synth: %s %s: %s" % (a.board, array, rep["status"]), file=sys.stderr)
            return 1
        got[name] = r
        rep["parts"][name] = dict({k: r[k] for k in COUNTS}, report="%s/report.json" % name, how=how,
                                  seconds=r["seconds"].get("total"), top=r["top"],
                                  params=r["params"], rtl_sha256=r.get("rtl_sha256"),
                                  **{k: r[k] for k in ("yosys_cpu_seconds", "yosys_peak_mb") if k in r})
    if got["rest"]["blackbox"]["instances"] != 1:
        rep["status"] = "failed: the rest has %d PE arrays (want 1)" % got["rest"]["blackbox"]["instances"]
        write_atomic(report, rep)
        return 1
    strips = [(n, got["strip%d" % n]) for n in rows_list]
    total, pe, per, shared = combine_split(got["rest"], strips, cfg["ROWS"])
    rep.update(total)
    rep["pe_array"] = {"lut": pe["lut"], "ff": pe["ff"], "carry": pe["carry"],
                       "lut_per_pe": round(pe["lut"] / pes, 2),
                       "share_of_tern_top": round(pe["lut"] / total["lut"], 4) if total["lut"] else 0,
                       "est_lut_per_pe": round(est_lut_per_pe(cfg["LANES"], fpga["lut_kind"]), 2),
                       "est_doc": "width-aware adder tree, docs/fpga.md",
                       "per_row": {k: round(per[k], 2) for k in ("lut", "ff", "carry")},
                       "shared": {k: round(shared[k], 2) for k in ("lut", "ff", "carry")}}
    rep["fit"], over = fit_table(total, fpga)
    rep["fits"] = not over
    rep["inputs_sha256"] = hashlib.sha256("".join(got[n]["inputs_sha256"] for n, _ in parts).encode()).hexdigest()
    rep["seconds"] = {"parts": round(sum(got[n]["seconds"].get("total") or 0 for n, _ in parts), 1),
                      "total": round(time.time() - t0, 1)}
    if total["dsp"]:
        rep["status"] = "failed: %d DSP cells (the array must use none)" % total["dsp"]
    elif over:
        rep["status"] = "does not fit %s: %s" % (fpga["part"], ", ".join(
            "%s %d > %d" % (k, rep["fit"][k]["used"], rep["fit"][k]["available"]) for k in over))
    else:
        rep["status"] = "ok"
    write_atomic(report, rep)
    print("tern_synth: %s %s (split): %s, %d %s, %d FF, %d %s, %d URAM -> %s" % (
        a.board, array, rep["status"], total["lut"], fpga["lut_kind"], total["ff"], total["bram"],
        fpga["bram_kind"], total["uram"], os.path.relpath(report)))
    return 0 if rep["status"] == "ok" else 1


def main(argv):
    a = parse_args(argv)
    p = plan(a)
    if p is None:
        return 0
    d, fpga, fam, array, cfg, top, params, pcf, pnr, out, ys, sha = (
        p[k] for k in ("d", "fpga", "fam", "array", "cfg", "top", "params", "pcf",
                       "pnr", "out", "ys", "sha"))
    os.makedirs(out, exist_ok=True)
    if not lock(out):
        die("another run is writing %s (remove %s/.lock if it is stale)" % (out, out))
    try:
        if p["split"]:
            return run_split(a, p)
        return run(a, d, fpga, fam, array, cfg, top, params, pcf, pnr, out, ys, sha, p["rtl_sha"])
    finally:
        os.unlink(os.path.join(out, ".lock"))


def lock(out):
    """One run per output folder: .lock holds the runner's pid; a dead runner's lock is taken over."""
    path = os.path.join(out, ".lock")
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, b"%d\n" % os.getpid())
            os.close(fd)
            return True
        except FileExistsError:
            try:
                with open(path) as f:
                    pid = int(f.read().strip())
                if pid <= 0:
                    raise ValueError(pid)
                os.kill(pid, 0)
                return False
            except (ValueError, ProcessLookupError, OSError):
                os.unlink(path)
    return False


def run(a, d, fpga, fam, array, cfg, top, params, pcf, pnr, out, ys, sha, rtl_sha):
    rep = {"tern_synth": 1, "board": a.board, "family": fam, "part": fpga["part"],
           "array": array, "top": top,
           "config": {q["name"]: cfg[q["name"]] for q in d["config"]["params"]},
           "params": {k: int(v) for k, v in params}, "hierarchy": "kept" if a.hier else "flattened",
           "blackbox": None,
           "lut_kind": fpga["lut_kind"], "status": "running",
           "capacity": {k: fpga[k] for k in ("luts", "ffs", "bram", "uram", "dsp")},
           "bram_kind": fpga["bram_kind"], "target_mhz": fpga["target_mhz"], "fmax_mhz": None,
           "timing": "nextpnr-ice40" if pnr else (NO_TIMING if fam == "xilinx" else "none: --no-pnr"),
           "lc": None, "bitstream": None, "seconds": {},
           "tools": {"yosys": tool_version([a.yosys, "-V"])},
           "inputs_sha256": sha, "rtl_sha256": rtl_sha,
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if fam == "ice40":
        rep["capacity"]["spram"] = fpga.get("spram", 0)
    t_all = time.time()
    report = os.path.join(out, "report.json")
    if fam == "xilinx" and top == "tern_top":
        # The same run for Vivado users: the command with this part, clock and parameters.
        cmd = ("vivado -mode batch -source %s -tclargs %s %g %s %s '%s'\n" % (
            os.path.join(ROOT, "synth", "vivado", "tern_vivado.tcl"), fpga["part"],
            fpga["target_mhz"], out, a.gen, " ".join("%s=%s" % (k, v) for k, v in params)))
        with open(os.path.join(out, "vivado.sh"), "w") as f:
            f.write("#!/bin/sh\n# generated by synth/tern_synth.py -- Vivado place and route of this run\n" + cmd)
        rep["vivado"] = "vivado.sh"
        if a.board in ("kv260", "pynq-z2"):
            # And the whole board: Zynq PS + tern behind its AXI wrappers (docs/boards.md).
            bd = ("vivado -mode batch -source %s -tclargs %s %g %s %s '%s'\n" % (
                os.path.join(ROOT, "synth", "vivado", "tern_bd.tcl"), a.board, fpga["target_mhz"],
                out, a.gen, " ".join("%s=%s" % (k, v) for k, v in params)))
            with open(os.path.join(out, "vivado_bd.sh"), "w") as f:
                f.write("#!/bin/sh\n# generated by synth/tern_synth.py -- block design and bitstream\n" + bd)

    if not a.report_only:
        with open(os.path.join(out, "synth.ys"), "w") as f:
            f.write("\n".join(ys) + "\n")
    else:
        rep["report_only"] = "rebuilt from the logs of an earlier run; its run times are not known"
    ok = a.report_only or run_step("synth", [a.yosys, "-q", "-l", "yosys.log", "synth.ys"],
                                   os.path.join(out, "yosys.stdout"), rep, out)
    if ok:
        try:
            total, per = hier_counts(fam, load_stat(os.path.join(out, "stat.json")), top)
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            rep["status"] = "report failed: stat.json: %s" % e
            write_atomic(report, rep)
            print("tern_synth: %s %s: %s" % (a.board, array, rep["status"]), file=sys.stderr)
            return 1
        rep.update({k: total[k] for k in COUNTS})
        rep.update(yosys_cost(os.path.join(out, "yosys.log")))
        if a.blackbox:
            n = blackbox_instances(load_stat(os.path.join(out, "stat.json")), top, a.blackbox)
            rep["blackbox"] = {"module": a.blackbox, "instances": n,
                               "note": "its contents are not in these counts"}
            if not n:
                rep["status"] = "failed: no instance of black box %s under %s" % (a.blackbox, top)
                ok = False
        if a.hier:
            rep["modules"] = dict(sorted(per.items()))
            pe = per.get("tern_pe_array")
            core = per.get("tern_top")
            if pe and core and core["lut"]:
                pes = cfg["ROWS"] * cfg["LANES"]
                rep["pe_array"] = {
                    "lut": pe["lut"], "ff": pe["ff"], "lut_per_pe": round(pe["lut"] / pes, 2),
                    "share_of_tern_top": round(pe["lut"] / core["lut"], 4),
                    "est_lut_per_pe": round(est_lut_per_pe(cfg["LANES"], fpga["lut_kind"]), 2),
                    "est_doc": "width-aware adder tree, docs/fpga.md"}
        if rep["dsp"]:
            rep["status"] = "failed: %d DSP cells (the array must use none)" % rep["dsp"]
            ok = False
    # ---- place and route, bitstream (ice40)
    if ok and pnr:
        rep["tools"]["nextpnr-ice40"] = tool_version([a.nextpnr, "--version"])
        rep["tools"]["icestorm"] = deb_version("fpga-icestorm")
        ok = a.report_only or run_step("pnr", [a.nextpnr, "--" + fpga["device"], "--package", fpga["package"],
                              "--json", "netlist.json", "--pcf", pcf, "--freq",
                              str(fpga["target_mhz"]), "--asc", top + ".asc", "--report",
                              "nextpnr.json", "--timing-allow-fail", "-q", "-l", "nextpnr.log"],
                      os.path.join(out, "nextpnr.stdout"), rep, out)
        if ok:
            with open(os.path.join(out, "nextpnr.json")) as f:
                nr = json.load(f)
            util = nr.get("utilization", {})
            rep["lc"] = util.get("ICESTORM_LC", {}).get("used")
            rep["capacity"]["lc"] = util.get("ICESTORM_LC", {}).get("available")
            rep["bram"] = util.get("ICESTORM_RAM", {}).get("used", rep["bram"])
            rep["dsp"] = util.get("ICESTORM_DSP", {}).get("used", rep["dsp"])
            fm = [c.get("achieved") for c in nr.get("fmax", {}).values() if c.get("achieved")]
            rep["fmax_mhz"] = round(min(fm), 2) if fm else None
            ok = a.report_only or run_step("pack", [a.icepack, top + ".asc", top + ".bin"],
                          os.path.join(out, "icepack.log"), rep, out)
            if ok:
                rep["bitstream"] = top + ".bin"
    rep["seconds"]["total"] = round(time.time() - t_all, 1)
    if ok:
        rep["status"] = "ok"
        if pnr and rep["fmax_mhz"] is not None and rep["fmax_mhz"] < fpga["target_mhz"]:
            rep["status"] = "ok (Fmax %.1f MHz below the %.0f MHz target)" % (rep["fmax_mhz"], fpga["target_mhz"])
    write_atomic(report, rep)
    print("tern_synth: %s %s: %s -> %s" % (a.board, array, rep["status"], os.path.relpath(report)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
