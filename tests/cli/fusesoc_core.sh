#!/usr/bin/env bash
# tern.core (FuseSoC CAPI2, checked by hand against the format: FuseSoC is not in Debian):
# every file it lists exists (after make gen), no rtl/ source is missing from it, every
# parameter it declares or a target sets is a real parameter of tern_top with tern_top's
# default, the sim target's values are the 4x4 preset of isa/tern_isa.json, every target
# names defined filesets and hooks, and Verilator lints tern_top from exactly the core's
# rtl and gen filesets. The reader is a small line parser of the subset tern.core uses.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
make --no-print-directory gen >/dev/null || { fail "core_gen"; exit 1; }
python3 - >"$TMP/out" 2>&1 <<'PY'
import json, os, re, sys
lines = open("tern.core").read().splitlines()
ok = lambda c, name, why="": print(("PASS: " if c else "FAIL: ") + name + ("" if c else " (%s)" % why))
ok(lines[0] == "CAPI=2:", "core_capi2_header", lines[0])
name = [l for l in lines if l.startswith("name:")]
ok(len(name) == 1 and re.fullmatch(r"name: [\w.-]*:[\w.-]+:[\w.-]+:[\w.-]+", name[0]) is not None,
   "core_vlnv_name", name)
# top-level sections -> their indented bodies
sect, cur = {}, None
for l in lines[1:]:
    if not l.strip() or l.lstrip().startswith("#"): continue
    if not l.startswith(" "):
        cur = l.split(":")[0]; sect[cur] = []
    elif cur: sect[cur].append(l)
def children(body, indent):
    out, key = {}, None
    for l in body:
        n = len(l) - len(l.lstrip())
        if n == indent and l.strip().endswith(":"):
            key = l.strip()[:-1]; out[key] = []
        elif n > indent and key: out[key].append(l)
    return out
filesets = children(sect["filesets"], 2)
files = []
for fs, body in filesets.items():
    for l in body:
        m = re.match(r"\s+- ([^:{\s]+)", l)
        if m: files.append(m.group(1))
missing = [f for f in files if not os.path.isfile(f)]
ok(files and not missing, "core_files_exist", "missing: %s" % missing)
rtl = sorted("rtl/" + f for f in os.listdir("rtl") if f.endswith(".sv"))
ok(not [f for f in rtl if f not in files], "core_lists_every_rtl_file",
   [f for f in rtl if f not in files])
# tern_top's parameters and defaults, from its header
src = open("rtl/tern_top.sv").read()
hdr = src[src.index("module tern_top"):src.index(") (")]
top = dict(re.findall(r"(\w+)\s*=\s*(\d+)", hdr))
params = children(sect["parameters"], 2)
bad = []
for p, body in params.items():
    d = [l.split(":")[1].strip() for l in body if l.strip().startswith("default:")]
    if p not in top: bad.append(p + " is not a tern_top parameter")
    elif d != [top[p]]: bad.append("%s default %s, tern_top %s" % (p, d, top[p]))
    if not any("paramtype: vlogparam" in l for l in body): bad.append(p + " not a vlogparam")
ok(params and not bad, "core_parameters_are_tern_top_parameters", bad)
targets = children(sect["targets"], 2)
scripts = children(sect.get("scripts", []), 2)
preset = [p for p in json.load(open("isa/tern_isa.json"))["config"]["presets"] if p["name"] == "4x4"][0]
cmap = {"Rows": "ROWS", "Lanes": "LANES", "WbufDepth": "WBUF_DEPTH", "AbufDepth": "ABUF_DEPTH",
        "AccDepth": "ACC_DEPTH", "BusBytes": "BUS_BYTES", "QueueDepth": "QUEUE_DEPTH"}
bad = []
for t, body in targets.items():
    for l in body:
        s = l.strip()
        if s.startswith("filesets:"):
            bad += ["%s: fileset %s" % (t, f) for f in re.findall(r"\w+", s.split(":", 1)[1]) if f not in filesets]
        if s.startswith("pre_build:"):
            bad += ["%s: hook %s" % (t, f) for f in re.findall(r"\w+", s.split(":", 1)[1]) if f not in scripts]
        if s.startswith("parameters:"):
            for item in re.findall(r"[\w=]+", s.split(":", 1)[1]):
                k, _, v = item.partition("=")
                if k not in params: bad.append("%s: parameter %s undeclared" % (t, k))
                if v and t == "sim" and int(v) != preset[cmap[k]]:
                    bad.append("sim: %s=%s, the 4x4 preset has %d" % (k, v, preset[cmap[k]]))
    if not any(l.strip().startswith("filesets:") for l in body): bad.append(t + " has no filesets")
ok(not bad, "core_targets_consistent", bad)
PY
grep -E '^(PASS|FAIL):' "$TMP/out" || fail "core_reader" "$(tail -3 "$TMP/out")"
# Verilator elaborates tern_top from exactly the core's rtl fileset (plus the gen include dir).
core_rtl=$(sed -n '/^  rtl:/,/^  axi:/p' tern.core | sed -n 's/^      - \(rtl\/[^ ]*\.sv\)$/\1/p')
if ${VERILATOR:-verilator} --lint-only -Wall -Ibuild/gen --top-module tern_top $core_rtl >"$TMP/lint" 2>&1; then
	pass "core_rtl_fileset_lints"
else fail "core_rtl_fileset_lints" "$(grep -m2 -E '%(Warning|Error)' "$TMP/lint")"; fi
