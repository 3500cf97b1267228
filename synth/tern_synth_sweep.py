#!/usr/bin/env python3
"""tern_synth_sweep: how tern_top's area scales with the array, `make synth-sweep`.

For every array of the definition's synth.sweep_arrays (4x4 .. 64x64) it synthesizes
tern_top alone (no board top: the presets' own buffer depths) with the hierarchy kept on
the technology of synth.sweep_board (iCE40 LUT4 by default: the per-PE anchor of the
brief is in LUT4), and collects from each report.json: LUTs, FFs, LUTs per PE, the PE
array's LUTs (tern_pe_array with everything below it) and its share of tern_top, and the
width-aware adder-tree estimate per PE (synth/tern_synth.py adder_tree_bits; derivation
in docs/fpga.md) with the measured/estimate ratio. Outputs, each written atomically after
every array so a long sweep leaves what finished: build/synth/sweep/<board>/sweep.csv,
sweep.png (gnuplot) and sweep.md (the table docs/fpga.md shows). A run whose report.json
has the same inputs hash and status ok is reused, so an interrupted sweep resumes.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tern_synth  # noqa: E402

tern_gen = tern_synth.tern_gen
COLS = ["array", "rows", "lanes", "pes", "lut", "ff", "bram", "dsp", "lut_per_pe", "pe_array_lut",
        "pe_lut_per_pe", "pe_share", "est_lut_per_pe", "ratio", "seconds", "status"]


def row_of(rep, arr, cfg, lut_kind):
    pes = cfg["ROWS"] * cfg["LANES"]
    est = tern_synth.est_lut_per_pe(cfg["LANES"], lut_kind)
    r = dict.fromkeys(COLS, "")
    r.update(array=arr, rows=cfg["ROWS"], lanes=cfg["LANES"], pes=pes, status=rep["status"],
             est_lut_per_pe="%.2f" % est, seconds=rep["seconds"].get("total", ""))
    if rep["status"] == "ok":
        pe = rep.get("pe_array", {})
        r.update(lut=rep["lut"], ff=rep["ff"], bram=rep["bram"], dsp=rep["dsp"],
                 lut_per_pe="%.2f" % (rep["lut"] / pes))
        if pe:
            r.update(pe_array_lut=pe["lut"], pe_lut_per_pe="%.2f" % pe["lut_per_pe"],
                     pe_share="%.3f" % pe["share_of_tern_top"],
                     ratio="%.2f" % (pe["lut_per_pe"] / est))
    return r


def write_text(path, text):
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_outputs(out, board, lut_kind, rows):
    write_text(os.path.join(out, "sweep.csv"),
               ",".join(COLS) + "\n" + "".join(",".join(str(r[c]) for c in COLS) + "\n" for r in rows))
    md = ["| array | PEs | %s | FF | %s/PE | PE array %s/PE | PE array share | adder-tree estimate %s/PE | measured/estimate |" % ((lut_kind,) * 4),
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["status"] != "ok":
            md.append("| %s | %s | %s | | | | | %s | |" % (r["array"], r["pes"], r["status"], r["est_lut_per_pe"]))
            continue
        md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["array"], r["pes"], r["lut"], r["ff"], r["lut_per_pe"], r["pe_lut_per_pe"],
            r["pe_share"] and "%.0f%%" % (100 * float(r["pe_share"])), r["est_lut_per_pe"], r["ratio"]))
    write_text(os.path.join(out, "sweep.md"), "\n".join(md) + "\n")
    ok = [r for r in rows if r["status"] == "ok"]
    gp = os.environ.get("GNUPLOT", "gnuplot")
    if len(ok) < 1:
        return
    data = "".join("%s %s %s %s %s\n" % (r["pes"], r["lut"], r["ff"], r["pe_array_lut"] or "NaN",
                                          float(r["est_lut_per_pe"]) * r["pes"]) for r in ok)
    png = os.path.join(out, "sweep.png")
    tmp = png + ".tmp%d.png" % os.getpid()
    script = ("set terminal pngcairo size 900,600 font 'sans,11'\nset output '%s'\n"
              "set title 'tern\\_top area on %s (%s), hierarchy kept'\nset logscale xy 2\n"
              "set xlabel 'PEs (ROWS x LANES)'\nset ylabel 'cells'\nset key top left\nset grid\n"
              "$d << EOD\n%sEOD\n"
              "plot $d u 1:2 w lp pt 7 t 'tern\\_top %s', $d u 1:3 w lp pt 5 t 'tern\\_top FF', "
              "$d u 1:4 w lp pt 9 t 'PE array %s', $d u 1:5 w l dt 2 t 'adder-tree estimate'\n"
              "unset output\n" % (tmp, board, lut_kind, data, lut_kind, lut_kind))
    try:
        rc = subprocess.run([gp], input=script, text=True, capture_output=True).returncode
    except OSError:
        rc = -1
    if rc == 0 and os.path.exists(tmp):
        os.replace(tmp, png)
    else:
        print("tern_synth_sweep: gnuplot failed, sweep.png not written", file=sys.stderr)


def main(argv):
    ap = argparse.ArgumentParser(prog="tern_synth_sweep")
    ap.add_argument("--board", help="technology (default: the definition's synth.sweep_board)")
    ap.add_argument("--arrays", help="comma-separated presets (default synth.sweep_arrays)")
    ap.add_argument("--out", help="default build/synth/sweep/BOARD")
    ap.add_argument("--isa", default=os.path.join(tern_synth.ROOT, "isa", "tern_isa.json"))
    ap.error = lambda m: tern_synth.die(m)
    a = ap.parse_args(argv)
    d = tern_gen.load(a.isa)
    board = a.board or d["synth"]["sweep_board"]
    fpgas = {b["name"]: b["fpga"] for b in d["boards"]["list"] if "fpga" in b}
    if board not in fpgas:
        tern_synth.die("unknown board '%s' (boards with an FPGA flow: %s)" % (board, ", ".join(fpgas)))
    arrays = a.arrays.split(",") if a.arrays else d["synth"]["sweep_arrays"]
    names = [p["name"] for p in d["config"]["presets"]]
    for arr in arrays:
        if arr not in names:
            tern_synth.die("bad array '%s' (sweep presets: %s)" % (arr, ", ".join(names)))
    out = os.path.abspath(a.out or os.path.join(tern_synth.ROOT, "build", "synth", "sweep", board))
    os.makedirs(out, exist_ok=True)
    rows = []
    for arr in arrays:
        cfg = tern_gen.preset(d, arr)
        args = ["--board", board, "--array", arr, "--hier", "--no-pnr", "--top", "tern_top",
                "--isa", a.isa, "--out", os.path.join(out, arr)]
        args += ["--param=%s=%d" % (tern_gen.camel(q["name"]), cfg[q["name"]]) for q in d["config"]["params"]]
        rp = os.path.join(out, arr, "report.json")
        reuse = False
        if os.path.exists(rp):
            with open(rp) as f:
                old = json.load(f)
            reuse = old.get("status") == "ok" and old.get("inputs_sha256") == tern_synth.inputs_hash(args)
        if not reuse:
            print("tern_synth_sweep: %s %s ..." % (board, arr), flush=True)
            tern_synth.main(args)
        with open(rp) as f:
            rep = json.load(f)
        rows.append(row_of(rep, arr, cfg, fpgas[board]["lut_kind"]))
        write_outputs(out, board, fpgas[board]["lut_kind"], rows)
    print("tern_synth_sweep: %s/sweep.csv, sweep.md, sweep.png" % os.path.relpath(out))
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
