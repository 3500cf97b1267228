#!/usr/bin/env python3
"""tern ISA generator: the one place that turns isa/tern_isa.json into code.

Outputs (all carry a "generated, do not edit" banner and are never committed):
  OUT/tern_isa.h        C: opcodes, field accessors, errors, CSRs, counters, presets
  OUT/tern_isa_tables.c C: name tables and the preset table
  OUT/tern_isa.svh      Verilog: localparams and field functions for the same facts
  OUT/tern_cfg_check.svh Verilog: the config validity rule as elaboration-time checks
  OUT/tern_isa_macros.svh Verilog: `define widths for port lists
  OUT/yosys_nomul_P.ys  yosys: elaborate tern_top at preset P (synth.nomul_check)
  OUT/isa_tables.md     Markdown tables, also kept verbatim in docs/isa.md
  OUT/tern_isa_meta.h   C: the definition's SHA-256 and the config field names

`--check-doc docs/isa.md` exits 1 if the generated block in the doc differs;
`--update-doc docs/isa.md` rewrites that block.  Output is deterministic, so
running the generator twice changes nothing.  Python 3 standard library only.
"""
import hashlib
import json
import os
import re
import sys

BANNER = "generated from isa/tern_isa.json by isa/tern_gen.py -- do not edit"
DOC_BEGIN = "<!-- BEGIN GENERATED: isa/tern_gen.py -->"
DOC_END = "<!-- END GENERATED -->"


def load(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    check(d)
    return d


def check(d):
    """Refuse a definition whose fields overlap or spill out of the word."""
    bits = d["insn_bits"]
    for op in d["opcodes"]:
        used = {}
        for f in d["common_fields"] + d["formats"][op["name"]]:
            for b in range(f["lsb"], f["lsb"] + f["width"]):
                if b >= bits:
                    sys.exit("tern_gen: %s.%s runs past bit %d" % (op["name"], f["name"], bits))
                if b in used:
                    sys.exit("tern_gen: %s.%s overlaps %s" % (op["name"], f["name"], used[b]))
                used[b] = f["name"]
            if f["lsb"] // 64 != (f["lsb"] + f["width"] - 1) // 64:
                sys.exit("tern_gen: %s.%s crosses a 64-bit word" % (op["name"], f["name"]))
    names = [p["name"] for p in d["config"]["params"]]
    if [lim["param"] for lim in d["config"]["limits"]] != names:
        sys.exit("tern_gen: config.limits must list every param once, in params order")
    for p in d["config"]["presets"]:
        why = config_why(d, p)
        if why:
            sys.exit("tern_gen: preset %s is invalid: %s" % (p["name"], why))
    for n in d["synth"]["nomul_check"] + [d["config"]["default"]]:
        preset(d, n)
    if d["boards"]["default"] not in [b["name"] for b in d["boards"]["list"]]:
        sys.exit("tern_gen: default board %s not in boards.list" % d["boards"]["default"])
    for b in d["boards"]["list"]:
        if "array" in b:
            cfg = board_array(d, b)
            why = config_why(d, cfg)
            if why:
                sys.exit("tern_gen: board %s array is invalid: %s" % (b["name"], why))
            for k in ("name", "why"):
                if not b["array"].get(k):
                    sys.exit("tern_gen: board %s array.%s missing" % (b["name"], k))
            if b["array"].get("head", "float") not in ("float", "t2", "t3"):
                sys.exit("tern_gen: board %s array.head must be float, t2 or t3" % b["name"])
    for m in d["microarch"]["params"]:
        if m["name"] in ("FETCH_BUF_MIN", "FETCH_BUF_BEATS") and m["value"] & (m["value"] - 1):
            sys.exit("tern_gen: %s must be a power of two (tern_fetch's pointers wrap by overflow)"
                     % m["name"])
    check_fpga(d)


def board_array(d, b):
    """The hardware config a board runs with when the user names no --array/--config:
    its "array" object, a preset ("base") with the parameters that differ."""
    a = b["array"]
    cfg = dict(preset(d, a["base"]))
    for q in d["config"]["params"]:
        if q["name"] in a:
            cfg[q["name"]] = a[q["name"]]
    return cfg


FPGA_KEYS = {"ice40": ["device", "package", "top", "pcf", "buffers"], "xilinx": ["yosys_family"]}
# tern_top options a board may set to fit (fpga.rtl_params): name -> allowed range. The
# default of each is the full feature (HW_COUNTER_BITS tells the host what a build has) or
# plain inference (FetchRam, AccUltra: memory styles only, the same behaviour).
RTL_PARAMS = {"CounterBits": (17, 64), "FetchRam": (0, 1), "AccUltra": (0, 1)}


def check_fpga(d):
    """Every board's fpga object names a known flow, valid arrays and a valid buffer set."""
    for b in d["boards"]["list"]:
        f = b.get("fpga")
        if f is None:
            continue
        fam = f.get("family")
        if fam not in FPGA_KEYS:
            sys.exit("tern_gen: board %s: fpga.family must be one of %s" % (b["name"], ", ".join(FPGA_KEYS)))
        for k in FPGA_KEYS[fam] + ["part", "lut_kind", "luts", "ffs", "bram", "uram", "dsp", "arrays",
                                   "target_mhz", "source"]:
            if k not in f:
                sys.exit("tern_gen: board %s: fpga.%s missing" % (b["name"], k))
        for k, v in f.get("rtl_params", {}).items():
            lo, hi = RTL_PARAMS.get(k, (None, None))
            if lo is None:
                sys.exit("tern_gen: board %s: fpga.rtl_params.%s is not a tern_top option (%s)" % (
                    b["name"], k, ", ".join(RTL_PARAMS)))
            if not isinstance(v, int) or not lo <= v <= hi:
                sys.exit("tern_gen: board %s: fpga.rtl_params.%s must be %d..%d" % (b["name"], k, lo, hi))
        if f.get("synth_args") is not None and (fam != "xilinx" or not f.get("synth_args_why") or
                                                not re.fullmatch(r"(-[a-z]+ ?)+", f["synth_args"])):
            sys.exit("tern_gen: board %s: fpga.synth_args: xilinx only, options like -uram, with synth_args_why"
                     % b["name"])
        sp = f.get("split")
        if sp is not None:
            rows = sp.get("strip_rows")
            if not (isinstance(rows, list) and 1 <= len(rows) <= 2 and len(set(rows)) == len(rows)
                    and all(isinstance(n, int) and n >= 1 for n in rows)):
                sys.exit("tern_gen: board %s: fpga.split.strip_rows must be one or two distinct row counts >= 1"
                         % b["name"])
            if not sp.get("why") or not set(sp.get("arrays", [])) <= set(f["arrays"]):
                sys.exit("tern_gen: board %s: fpga.split needs a why and arrays among fpga.arrays" % b["name"])
        for a in f["arrays"]:
            why = config_why(d, board_config(d, b["name"], a))
            if why:
                sys.exit("tern_gen: board %s array %s is invalid: %s" % (b["name"], a, why))
    names = [b["name"] for b in d["boards"]["list"] if "fpga" in b]
    if d["synth"].get("sweep_board") not in names:
        sys.exit("tern_gen: synth.sweep_board must be a board with an fpga object")
    for a in d["synth"].get("sweep_arrays", []):
        preset(d, a)


def board_config(d, board, array):
    """The hardware config a board's flow synthesizes for array RxL: the preset of that
    name or the board's own "array" (board_array), else RxL with the default preset's depths and, as `--array RxL` does, the widest
    bus up to 64 bytes that divides ROWS*4), with the board's fpga.buffers overriding the
    buffer sizes its on-chip memory can hold."""
    b = [x for x in d["boards"]["list"] if x["name"] == board][0]
    cfg = None
    for p in d["config"]["presets"]:
        if p["name"] == array:
            cfg = dict(p)
    if "array" in b and b["array"]["name"] == array:  # the board's own array (board_array)
        cfg = dict(board_array(d, b), name=array)
    if cfg is None:
        r, _, l = array.partition("x")
        if not (r.isdigit() and l.isdigit()):
            sys.exit("tern_gen: array %s is not RxL" % array)
        cfg = dict(preset(d, d["config"]["default"]), name=array, ROWS=int(r), LANES=int(l))
        bus = 64
        while bus > 16 and (cfg["ROWS"] * 4) % bus:
            bus //= 2
        cfg["BUS_BYTES"] = bus
    cfg.update(b.get("fpga", {}).get("buffers", {}))
    return cfg


def preset(d, name):
    for p in d["config"]["presets"]:
        if p["name"] == name:
            return p
    sys.exit("tern_gen: no preset %s" % name)


def camel(name):
    """ROWS -> Rows, WBUF_DEPTH -> WbufDepth: the RTL's parameter names."""
    return "".join(w.capitalize() for w in name.split("_"))


def config_checks(d):
    """(condition that must hold, message) in checking order; conditions use param names
    and only operators that mean the same in python, C and SystemVerilog."""
    out = []
    for lim in d["config"]["limits"]:
        n = lim["param"]
        out.append(("%s >= %d && %s <= %d" % (n, lim["min"], n, lim["max"]),
                    "config: %s must be %d..%d (%s)" % (n, lim["min"], lim["max"], lim["why"])))
    for r in d["config"]["rules"]:
        out.append((r["expr"], "config: " + r["msg"]))
    return out


def subst(expr, d, fmt):
    """Replace every param name in expr by fmt(name), longest names first."""
    for n in sorted((p["name"] for p in d["config"]["params"]), key=len, reverse=True):
        expr = expr.replace(n, "\0%s\0" % n)
    parts = expr.split("\0")
    names = {p["name"] for p in d["config"]["params"]}
    return "".join(fmt(x) if x in names else x for x in parts)


def config_why(d, p):
    """The first failing check's message for preset-like dict p, or None."""
    for cond, msg in config_checks(d):
        py = subst(cond, d, lambda n: "(%d)" % p[n]).replace("&&", " and ")
        if not eval(py, {"__builtins__": {}}):
            return msg
    return None


def ua(d, name):
    return [p for p in d["microarch"]["params"] if p["name"] == name][0]["value"]


def count_bits(d):
    """Width of the count operands of the checker's products (y_size, n_tokens)."""
    return max(f["width"] for op in ("LOAD", "GEMM") for f in d["formats"][op]
               if f["name"] in ("y_size", "n_tokens"))


def check_cycles(d):
    """tern_insn_check: start, count_bits/CHECK_STEP_BITS shift-and-add cycles, finish."""
    return count_bits(d) // ua(d, "CHECK_STEP_BITS") + 1


def defined_mask(d, op, word):
    m = 0
    for f in d["common_fields"] + d["formats"][op]:
        for b in range(f["lsb"], f["lsb"] + f["width"]):
            if b // 64 == word:
                m |= 1 << (b % 64)
    return m


DEP_BITS = {"pop_prev": 1, "pop_next": 2, "push_prev": 4, "push_next": 8}


def dep_mask(d, op):
    return sum(v for k, v in DEP_BITS.items() if d["dep_rules"][op][k])


def entry_used(d, key, fmt):
    """entry_layout.used_bytes[key] with ROWS/LANES replaced by fmt(name)."""
    return subst(d["entry_layout"]["used_bytes"][key], d, fmt)


def entry_stride(used, bus):
    """pad(E) of entry_layout, in python (the C and SV functions say the same)."""
    if used >= bus:
        return (used + bus - 1) // bus * bus
    p = 1
    while p < used:
        p <<= 1
    return p


def preset_entries(d, p):
    """[(name, used, stride)] of a preset's three entry kinds."""
    env = {"ROWS": p["ROWS"], "LANES": p["LANES"]}
    out = []
    for key in ("abuf", "wbuf_2bit", "wbuf_base3"):
        used = eval(entry_used(d, key, lambda n: "env[%r]" % n).replace("/", "//"))
        out.append((key, used, entry_stride(used, p["BUS_BYTES"])))
    return out


def gen_c_header(d):
    o = ["/* %s */" % BANNER,
         "#ifndef TERN_ISA_H", "#define TERN_ISA_H", "",
         "#include <stddef.h>", "#include <stdint.h>", "",
         "#define TERN_INSN_BITS %d" % d["insn_bits"],
         "#define TERN_INSN_BYTES %d" % (d["insn_bits"] // 8), "",
         "/* Unit queue entry: the instruction in the low bits, its program index above. */",
         "#define TERN_QWORD_INDEX_LSB %d" % d["insn_bits"],
         "#define TERN_QWORD_INDEX_BITS %d" % d["queue_word"]["index_bits"],
         "#define TERN_QWORD_BITS %d" % (d["insn_bits"] + d["queue_word"]["index_bits"]), "",
         "/* One instruction: w[0] holds bits 0..63, w[1] bits 64..127. */",
         "struct tern_insn {", "\tuint64_t w[2];", "};", "",
         "enum tern_opcode {"]
    for op in d["opcodes"]:
        o.append("\tTERN_OP_%s = %d, /* %s */" % (op["name"], op["value"], op["doc"]))
    o += ["};", "",
          "static inline uint32_t tern_insn_field(const struct tern_insn *i, unsigned lsb, unsigned width)",
          "{",
          "\treturn (uint32_t)((i->w[lsb / 64] >> (lsb % 64)) & ((1ull << width) - 1));",
          "}", "",
          "static inline void tern_insn_set_field(struct tern_insn *i, unsigned lsb, unsigned width, uint32_t v)",
          "{",
          "\tuint64_t m = ((1ull << width) - 1) << (lsb % 64);",
          "\ti->w[lsb / 64] = (i->w[lsb / 64] & ~m) | (((uint64_t)v << (lsb % 64)) & m);",
          "}", ""]
    fields = [("", f) for f in d["common_fields"]]
    for op in d["opcodes"]:
        fields += [(op["name"], f) for f in d["formats"][op["name"]]]
    for opn, f in fields:
        pre = "TERN_%s%s" % (opn + "_" if opn else "", f["name"].upper())
        fn = "%s%s" % (opn.lower() + "_" if opn else "", f["name"])
        o.append("/* %s */" % f["doc"])
        o.append("#define %s_LSB %d" % (pre, f["lsb"]))
        o.append("#define %s_WIDTH %d" % (pre, f["width"]))
        o.append("#define %s_MAX 0x%xu" % (pre, (1 << f["width"]) - 1))
        o.append("static inline uint32_t tern_get_%s(const struct tern_insn *i) "
                 "{ return tern_insn_field(i, %d, %d); }" % (fn, f["lsb"], f["width"]))
        o.append("static inline void tern_set_%s(struct tern_insn *i, uint32_t v) "
                 "{ tern_insn_set_field(i, %d, %d, v); }" % (fn, f["lsb"], f["width"]))
        o.append("")
    o.append("/* Bits an opcode defines; any other bit set is a FIELD error. */")
    for op in d["opcodes"]:
        for w in (0, 1):
            o.append("#define TERN_%s_DEFINED_W%d 0x%016xull" % (op["name"], w, defined_mask(d, op["name"], w)))
    o += ["", "/* Dependency flags as a 4-bit set: pop_prev 1, pop_next 2, push_prev 4, push_next 8. */"]
    for k, v in DEP_BITS.items():
        o.append("#define TERN_DEP_%s %d" % (k.upper(), v))
    for op in d["opcodes"]:
        o.append("#define TERN_%s_DEPS_ALLOWED %d" % (op["name"], dep_mask(d, op["name"])))
    o += ["", "/* Weight codes: code = weight + 1; code 3 is reserved and reads as 0. */"]
    for wc in d["weight_codes"]:
        o.append("#define TERN_WCODE_%d_WEIGHT (%d)" % (wc["code"], wc["weight"]))
    o += ["", "enum tern_err {"]
    for e in d["errors"]:
        o.append("\tTERN_ERR_%s = %d, /* %s */" % (e["name"], e["value"], e["doc"]))
    o += ["\tTERN_ERR_COUNT = %d" % (max(e["value"] for e in d["errors"]) + 1), "};", ""]
    for r in d["csrs"]["regs"]:
        o.append("#define TERN_CSR_%s 0x%03x /* %s: %s */" % (r["name"], r["offset"], r["access"], r["doc"]))
    o += ["#define TERN_CTRL_START 0x1u", "#define TERN_CTRL_IRQ_EN 0x2u",
          "#define TERN_STATUS_BUSY 0x1u", "#define TERN_STATUS_DONE 0x2u",
          "#define TERN_STATUS_ERROR 0x4u", "", "enum tern_counter {"]
    for i, c in enumerate(d["counters"]):
        o.append("\tTERN_CNT_%s = %d, /* %s%s */" % (c["name"], i, c["doc"], "" if c["ref"] else " (RTL only)"))
    o += ["\tTERN_CNT_COUNT = %d" % len(d["counters"]), "};", "",
          "/* Hardware configuration; presets come from the definition file. */",
          "struct tern_hw_config {"]
    for p in d["config"]["params"]:
        o.append("\tuint32_t %s; /* %s */" % (p["name"].lower(), p["doc"]))
    dflt = [p for p in d["config"]["presets"] if p["name"] == d["config"]["default"]][0]
    o += ["};", "", "#define TERN_PRESET_COUNT %d" % len(d["config"]["presets"]),
          "#define TERN_PRESET_DEFAULT \"%s\"" % dflt["name"]]
    for p in d["config"]["params"]:
        o.append("#define TERN_DEFAULT_%s %d" % (p["name"], dflt[p["name"]]))
    o += ["", "/* Validity limits of each parameter (tern_hw_config_check has the whole rule). */"]
    for lim in d["config"]["limits"]:
        o.append("#define TERN_%s_MIN %d" % (lim["param"], lim["min"]))
        o.append("#define TERN_%s_MAX %d" % (lim["param"], lim["max"]))
    o += ["", "/* Micro-architecture constants shared by the RTL and the fast cycle model. */"]
    for m in d["microarch"]["params"]:
        o.append("#define TERN_%s %d /* %s: %s */" % (m["name"], m["value"], m["where"], m["doc"]))
    o += ["/* tern_insn_check: cycles from start to the result (start, shift-and-add, finish). */",
          "#define TERN_CHECK_CYCLES %d" % check_cycles(d),
          "",
          "/*",
          " * Instructions per fetch beat and fetch buffer entries (tern_fetch Ipb, FetchBuf;",
          " * tern_isa.svh has the same functions): FETCH_BUF_BEATS beats, and at least the",
          " * largest power of two <= min(FETCH_BUF_MIN, queue_depth), so a config with small",
          " * queues gets a small buffer. A power of two: the RTL's pointers wrap by overflow",
          " * and a beat fills one row of every bank (Ipb divides it).",
          " */",
          "static inline uint32_t tern_fetch_insns_per_beat(uint32_t bus_bytes)",
          "{",
          "\treturn bus_bytes >= TERN_INSN_BYTES ? bus_bytes / TERN_INSN_BYTES : 1;",
          "}",
          "static inline uint32_t tern_fetch_buf_entries(uint32_t bus_bytes, uint32_t queue_depth)",
          "{",
          "\tuint32_t b = TERN_FETCH_BUF_BEATS * tern_fetch_insns_per_beat(bus_bytes);",
          "\tuint32_t m = queue_depth < TERN_FETCH_BUF_MIN ? queue_depth : TERN_FETCH_BUF_MIN;",
          "\tuint32_t p = 1;",
          "",
          "\twhile (p * 2 <= m)",
          "\t\tp *= 2;",
          "\treturn b > p ? b : p;",
          "}", "",
          "/*",
          " * DRAM layout of a LOAD row (entry_layout in the definition): the bytes an entry",
          " * uses, and the stride pad(E) at which entries follow each other (whole beats, or",
          " * a power of two that divides BUS_BYTES; the bytes in between are padding).",
          " */",
          "static inline uint32_t tern_entry_used(uint32_t rows, uint32_t lanes, unsigned buf,",
          "\t\t\t\t\t unsigned wfmt)",
          "{",
          "\tif (buf)",
          "\t\treturn %s;" % entry_used(d, "abuf", lambda n: n.lower()),
          "\treturn wfmt ? %s : %s;" % (entry_used(d, "wbuf_base3", lambda n: n.lower()),
                                        entry_used(d, "wbuf_2bit", lambda n: n.lower())),
          "}",
          "static inline uint32_t tern_entry_stride(uint32_t used, uint32_t bus_bytes)",
          "{",
          "\tuint32_t p = 1;",
          "",
          "\tif (used >= bus_bytes)",
          "\t\treturn (used + bus_bytes - 1) / bus_bytes * bus_bytes;",
          "\twhile (p < used)",
          "\t\tp <<= 1;",
          "\treturn p;",
          "}", "",
          "/* Simulated DRAM defaults (Verilator harness, fast model, CLI). */",
          "#define TERN_DRAM_LATENCY %d" % d["dram"]["latency_cycles"],
          "#define TERN_DRAM_BYTES_PER_CYCLE %d" % d["dram"]["bytes_per_cycle"],
          "#define TERN_DRAM_MAX_BURSTS %d" % d["dram"]["max_bursts"],
          "/* %s */" % d["dram"]["arena_base_doc"],
          "#define TERN_ARENA_BASE %du" % d["dram"]["arena_base"],
          "#define TERN_DRAM_LATENCY_STR \"%d\"" % d["dram"]["latency_cycles"],
          "#define TERN_DRAM_BYTES_PER_CYCLE_STR \"%d\"" % d["dram"]["bytes_per_cycle"],
          ""]
    boards = d["boards"]["list"]
    o += ["/* Board presets: array clock, DRAM bandwidth and host CPU (perf/tern_board.c). */",
          "struct tern_board {",
          "\tconst char *name;",
          "\tdouble clock_mhz;    /* array clock */",
          "\tdouble dram_gbps;    /* DRAM bandwidth, 1e9 bytes per second */",
          "\tconst char *note;    /* one line: where the numbers come from */",
          "\tconst char *array;   /* its hardware config's name; NULL: none of its own */",
          "\tstruct tern_hw_config cfg; /* used when the user names no --array/--config */",
          "\tconst char *array_why; /* one line: why that config (the port vs the DRAM) */",
          "\tconst char *head;    /* output head with that config: float, t2, t3 (tern run) */",
          "};",
          "struct tern_host {",
          "\tconst char *board;",
          "\tdouble gflops;       /* FP32 GFLOP/s, peak (no efficiency factor) */",
          "\tconst char *note;    /* one line: the CPU and how the rate follows */",
          "};",
          "#define TERN_BOARD_COUNT %d" % len(boards),
          "#define TERN_BOARD_DEFAULT \"%s\"" % d["boards"]["default"],
          "#define TERN_BOARD_NAMES \"%s\"" % ", ".join(b["name"] for b in boards),
          "extern const struct tern_board tern_boards[TERN_BOARD_COUNT];",
          "extern const struct tern_host tern_hosts[TERN_BOARD_COUNT];", ""]
    fpgas = [b for b in boards if "fpga" in b]
    o += ["/* Boards with an open FPGA flow (synth/, docs/fpga.md): the part and its capacity. */",
          "struct tern_fpga {",
          "\tconst char *board;",
          "\tconst char *family;   /* ice40: synth + place and route; xilinx: synthesis only */",
          "\tconst char *part;",
          "\tconst char *lut_kind; /* LUT4 or LUT6: what the LUT counts count */",
          "\tunsigned luts, ffs, bram, uram, dsp; /* capacity; bram in the part's bram_kind */",
          "\tconst char *bram_kind;",
          "\tdouble target_mhz;    /* the clock the flow asks the placer for (ice40) */",
          "\tconst char *arrays;   /* the arrays `make synth` builds by default, space-separated */",
          "\tunsigned counter_bits; /* performance counter width of the board build (64 = ISA) */",
          "};",
          "#define TERN_FPGA_COUNT %d" % len(fpgas),
          "#define TERN_FPGA_NAMES \"%s\"" % ", ".join(b["name"] for b in fpgas),
          "extern const struct tern_fpga tern_fpgas[TERN_FPGA_COUNT];", ""]
    o += ["", "struct tern_hw_preset {", "\tconst char *name;", "\tstruct tern_hw_config cfg;", "};", "",
          "extern const struct tern_hw_preset tern_hw_presets[TERN_PRESET_COUNT];",
          "/*",
          " * The one validity rule for a hardware configuration (config.limits and",
          " * config.rules of the definition, in order). Returns the first failing check's",
          " * one-line message, or NULL if the configuration is valid. The RTL checks the",
          " * same list at elaboration (tern_cfg_check.svh) with the same messages.",
          " */",
          "const char *tern_hw_config_why(const struct tern_hw_config *cfg);",
          "/* 0 if valid; else -1 with tern_hw_config_why's message in err (if err). */",
          "int tern_hw_config_check(const struct tern_hw_config *cfg, char *err, size_t errlen);",
          "const char *tern_opcode_name(unsigned opcode);",
          "const char *tern_err_name(unsigned err);",
          "const char *tern_err_doc(unsigned err);",
          "const char *tern_counter_name(unsigned cnt);",
          "/* 1 if the reference model counts this event too. */",
          "int tern_counter_in_ref(unsigned cnt);", "",
          "#endif /* TERN_ISA_H */", ""]
    return "\n".join(o)


def gen_c_tables(d):
    o = ["/* %s */" % BANNER, "#include <stdio.h>", "", '#include "tern_isa.h"', "",
         "const struct tern_board tern_boards[TERN_BOARD_COUNT] = {"]
    for b in d["boards"]["list"]:
        o.append("\t/* %s */" % b["source"])
        o.append('\t{ "%s", %r, %r,' % (b["name"], b["clock_mhz"], b["dram_gbps"]))
        if "array" in b:
            cfg = board_array(d, b)
            vals = ", ".join(str(cfg[q["name"]]) for q in d["config"]["params"])
            o.append('\t  "%s", "%s", { %s },' % (b["note"], b["array"]["name"], vals))
            o.append('\t  "%s", "%s" },' % (b["array"]["why"], b["array"].get("head", "float")))
        else:
            o.append('\t  "%s", NULL, { 0 }, NULL, NULL },' % b["note"])
    o += ["};", "", "const struct tern_host tern_hosts[TERN_BOARD_COUNT] = {"]
    for b in d["boards"]["list"]:
        o.append("\t/* %s */" % b["host_source"])
        o.append('\t{ "%s", %r,' % (b["name"], b["host_gflops"]))
        o.append('\t  "%s" },' % b["host_note"])
    o += ["};", "", "const struct tern_fpga tern_fpgas[TERN_FPGA_COUNT] = {"]
    for b in d["boards"]["list"]:
        f = b.get("fpga")
        if f is None:
            continue
        o.append("\t/* %s */" % f["source"])
        o.append('\t{ "%s", "%s", "%s", "%s", %d, %d, %d, %d, %d, "%s", %r, "%s", %d },' % (
            b["name"], f["family"], f["part"], f["lut_kind"], f["luts"], f["ffs"], f["bram"],
            f["uram"], f["dsp"], f["bram_kind"], f["target_mhz"], " ".join(f["arrays"]),
            f.get("rtl_params", {}).get("CounterBits", 64)))
    o += ["};", "", "const char *tern_hw_config_why(const struct tern_hw_config *c)", "{",
          "\tif (!c)", '\t\treturn "config: missing";']
    for cond, msg in config_checks(d):
        cexpr = subst(cond, d, lambda n: "c->%s" % n.lower())
        o.append("\tif (!(%s))" % cexpr)
        o.append('\t\treturn "%s";' % msg)
    o += ["\treturn NULL;", "}", "",
          "int tern_hw_config_check(const struct tern_hw_config *c, char *err, size_t errlen)", "{",
          "\tconst char *why = tern_hw_config_why(c);", "",
          "\tif (!why)", "\t\treturn 0;",
          "\tif (err && errlen)", '\t\tsnprintf(err, errlen, "%s", why);',
          "\treturn -1;", "}", "",
          "const struct tern_hw_preset tern_hw_presets[TERN_PRESET_COUNT] = {"]
    for p in d["config"]["presets"]:
        vals = ", ".join(str(p[q["name"]]) for q in d["config"]["params"])
        o.append('\t{ "%s", { %s } },' % (p["name"], vals))
    o += ["};", "", "const char *tern_opcode_name(unsigned opcode)", "{", "\tswitch (opcode) {"]
    for op in d["opcodes"]:
        o.append('\tcase %d: return "%s";' % (op["value"], op["name"]))
    o += ['\tdefault: return "ILLEGAL";', "\t}", "}", "",
          "const char *tern_err_name(unsigned err)", "{", "\tswitch (err) {"]
    for e in d["errors"]:
        o.append('\tcase %d: return "%s";' % (e["value"], e["name"]))
    o += ['\tdefault: return "UNKNOWN";', "\t}", "}", "",
          "const char *tern_err_doc(unsigned err)", "{", "\tswitch (err) {"]
    for e in d["errors"]:
        o.append('\tcase %d: return "%s";' % (e["value"], e["doc"]))
    o += ['\tdefault: return "unknown error code";', "\t}", "}", "",
          "static const char *const counter_names[TERN_CNT_COUNT] = {"]
    for c in d["counters"]:
        o.append('\t"%s",' % c["name"].lower())
    o += ["};", "", "static const unsigned char counter_in_ref[TERN_CNT_COUNT] = {"]
    o.append("\t" + ", ".join("1" if c["ref"] else "0" for c in d["counters"]))
    o += ["};", "", "const char *tern_counter_name(unsigned cnt)", "{",
          '\treturn cnt < TERN_CNT_COUNT ? counter_names[cnt] : "unknown";', "}", "",
          "int tern_counter_in_ref(unsigned cnt)", "{",
          "\treturn cnt < TERN_CNT_COUNT ? counter_in_ref[cnt] : 0;", "}", ""]
    return "\n".join(o)


def gen_svh(d):
    o = ["// %s" % BANNER,
         "// Included inside module bodies; unused localparams are expected.",
         "/* verilator lint_off UNUSEDPARAM */",
         "localparam int TERN_INSN_BITS = %d;" % d["insn_bits"],
         "localparam int TERN_INSN_BYTES = %d;" % (d["insn_bits"] // 8),
         "localparam int TERN_QWORD_INDEX_LSB = %d;" % d["insn_bits"],
         "localparam int TERN_QWORD_INDEX_BITS = %d;" % d["queue_word"]["index_bits"],
         "localparam int TERN_QWORD_BITS = %d;" % (d["insn_bits"] + d["queue_word"]["index_bits"])]
    for m in d["microarch"]["params"]:
        o.append("localparam int TERN_%s = %d;  // %s" % (m["name"], m["value"], m["where"]))
    o.append("localparam int TERN_CHECK_COUNT_BITS = %d;" % count_bits(d))
    o.append("localparam int TERN_CHECK_CYCLES = %d;" % check_cycles(d))
    for op in d["opcodes"]:
        o.append("localparam logic [3:0] TERN_OP_%s = 4'd%d;" % (op["name"], op["value"]))
    for f in d["common_fields"]:
        o.append("localparam int TERN_%s_LSB = %d;" % (f["name"].upper(), f["lsb"]))
        o.append("localparam int TERN_%s_WIDTH = %d;" % (f["name"].upper(), f["width"]))
    for op in d["opcodes"]:
        for f in d["formats"][op["name"]]:
            o.append("localparam int TERN_%s_%s_LSB = %d;" % (op["name"], f["name"].upper(), f["lsb"]))
            o.append("localparam int TERN_%s_%s_WIDTH = %d;" % (op["name"], f["name"].upper(), f["width"]))
    for op in d["opcodes"]:
        m = defined_mask(d, op["name"], 0) | (defined_mask(d, op["name"], 1) << 64)
        o.append("localparam logic [127:0] TERN_%s_DEFINED = 128'h%032x;" % (op["name"], m))
        o.append("localparam logic [3:0] TERN_%s_DEPS_ALLOWED = 4'd%d;" % (op["name"], dep_mask(d, op["name"])))
    for e in d["errors"]:
        o.append("localparam logic [7:0] TERN_ERR_%s = 8'd%d;" % (e["name"], e["value"]))
    for r in d["csrs"]["regs"]:
        o.append("localparam logic [11:0] TERN_CSR_%s = 12'h%03x;" % (r["name"], r["offset"]))
    for i, c in enumerate(d["counters"]):
        o.append("localparam int TERN_CNT_%s = %d;" % (c["name"], i))
    o.append("localparam int TERN_CNT_COUNT = %d;" % len(d["counters"]))
    dflt = [p for p in d["config"]["presets"] if p["name"] == d["config"]["default"]][0]
    for p in d["config"]["params"]:
        o.append("localparam int TERN_DEFAULT_%s = %d;" % (p["name"], dflt[p["name"]]))
    o += ["/* verilator lint_on UNUSEDPARAM */", "",
          "// Functions assign their name (yosys 0.23 has no `return`).",
          "// Queue word and instruction fields: every slice of an instruction is one of these.",
          "// Each reads a few bits of its argument, so the rest is unused by design.",
          "/* verilator lint_off UNUSEDSIGNAL */",
          "function automatic logic [TERN_INSN_BITS-1:0] tern_qword_insn(",
          "    input logic [TERN_QWORD_BITS-1:0] q);",
          "  tern_qword_insn = q[TERN_INSN_BITS-1:0];",
          "endfunction",
          "function automatic logic [TERN_QWORD_INDEX_BITS-1:0] tern_qword_index(",
          "    input logic [TERN_QWORD_BITS-1:0] q);",
          "  tern_qword_index = q[TERN_QWORD_INDEX_LSB +: TERN_QWORD_INDEX_BITS];",
          "endfunction",
          "function automatic logic [TERN_QWORD_BITS-1:0] tern_qword_pack(",
          "    input logic [TERN_QWORD_INDEX_BITS-1:0] index, input logic [TERN_INSN_BITS-1:0] insn);",
          "  tern_qword_pack = {index, insn};",
          "endfunction"]
    fields = [("", f) for f in d["common_fields"]]
    for op in d["opcodes"]:
        fields += [(op["name"], f) for f in d["formats"][op["name"]]]
    for opn, f in fields:
        fn = "tern_%s%s" % (opn.lower() + "_" if opn else "", f["name"])
        o += ["function automatic logic [%d:0] %s(input logic [TERN_INSN_BITS-1:0] insn);" % (f["width"] - 1, fn),
              "  %s = insn[%d +: %d];" % (fn, f["lsb"], f["width"]),
              "endfunction"]
    sv = lambda n: n.lower()
    o += ["// DRAM layout of a LOAD row (entry_layout): bytes an entry uses, and its stride",
          "// pad(E) (whole beats, or a power of two dividing BusBytes). Elaboration-time only.",
          "function automatic int unsigned tern_entry_used(input int unsigned rows,",
          "    input int unsigned lanes, input logic is_abuf, input logic wfmt);",
          "  if (is_abuf) tern_entry_used = %s;" % entry_used(d, "abuf", sv),
          "  else if (wfmt) tern_entry_used = %s;" % entry_used(d, "wbuf_base3", sv),
          "  else tern_entry_used = %s;" % entry_used(d, "wbuf_2bit", sv),
          "endfunction",
          "function automatic int unsigned tern_entry_stride(input int unsigned used,",
          "    input int unsigned bus);",
          "  int unsigned p;",
          "  p = 1;",
          "  for (int k = 0; k < 31; k++) if (p < used) p = p << 1;",
          "  tern_entry_stride = (used >= bus) ? (used + bus - 1) / bus * bus : p;",
          "endfunction",
          "// Fetch: instructions per beat and instruction buffer entries (tern_isa.h has the",
          "// same rule for the fast model): FETCH_BUF_BEATS beats, at least the largest power",
          "// of two <= min(FETCH_BUF_MIN, queue depth). Elaboration-time only.",
          "function automatic int unsigned tern_fetch_insns_per_beat(input int unsigned bus);",
          "  tern_fetch_insns_per_beat = (bus >= TERN_INSN_BYTES) ? bus / TERN_INSN_BYTES : 1;",
          "endfunction",
          "function automatic int unsigned tern_fetch_buf_entries(input int unsigned bus,",
          "    input int unsigned queue_depth);",
          "  int unsigned b, m, p;",
          "  b = TERN_FETCH_BUF_BEATS * tern_fetch_insns_per_beat(bus);",
          "  m = (queue_depth < TERN_FETCH_BUF_MIN) ? queue_depth : TERN_FETCH_BUF_MIN;",
          "  p = 1;",
          "  for (int k = 0; k < 31; k++) if (p * 2 <= m) p = p << 1;",
          "  tern_fetch_buf_entries = (b > p) ? b : p;",
          "endfunction"]
    o += ["/* verilator lint_on UNUSEDSIGNAL */", ""]
    return "\n".join(o)


def gen_macros_svh(d):
    """Widths that port lists need (they precede the body that includes tern_isa.svh)."""
    return "\n".join([
        "// %s" % BANNER,
        "// Included at the top of an RTL file, before the module header.",
        "`ifndef TERN_ISA_MACROS_SVH", "`define TERN_ISA_MACROS_SVH",
        "`define TERN_INSN_W %d" % d["insn_bits"],
        "`define TERN_QWORD_W %d" % (d["insn_bits"] + d["queue_word"]["index_bits"]),
        "`define TERN_QWORD_INDEX_W %d" % d["queue_word"]["index_bits"],
        "`endif", ""])


def gen_cfg_svh(d):
    """The validity rule as a generate-if chain: an invalid parameter set stops
    elaboration (Verilator: USERERROR, fatal with -Werror-USERERROR or without -Wno-fatal;
    yosys: ERROR) with the same message tern_hw_config_check gives."""
    o = ["// %s" % BANNER,
         "// Included once, in tern_top's body: the hardware config validity rule.",
         "// Conditions are checked in order; the first failing one stops elaboration."]
    first = True
    for cond, msg in config_checks(d):
        sv = subst(cond, d, camel)
        o.append("%sif (!(%s)) begin : g_cfg_invalid" % ("" if first else "else ", sv))
        o.append('  $error("%s");' % msg)
        o.append("end")
        first = False
    o.append("")
    return "\n".join(o)


def gen_yosys(d, name):
    p = preset(d, name)
    sets = " ".join("-set %s %d" % (camel(q["name"]), p[q["name"]]) for q in d["config"]["params"])
    return "\n".join([
        "# %s" % BANNER,
        "# Elaborate tern_top (preset %s) without technology mapping and list its cells." % name,
        "# Why not after `synth`: synth maps $mul to gates (techmap), after which a multiplier is",
        "# invisible in `stat`. After proc/flatten/opt and `memory -nomap` every arithmetic operator",
        "# in the RTL is still one coarse cell ($add, $sub, $mul, ...), so a `*`, `/` or `%` on a",
        "# signal (even by a constant, which opt does not turn into shifts unless a power of two)",
        "# shows up as $mul/$div/$mod here. Run from the repository root (make yosys-check).",
        "# -defer + chparam on the abstract module: elaborate once, with the preset's parameters.",
        "read_verilog -defer -sv -Ibuild/gen rtl/*.sv",
        "chparam %s $abstract\\tern_top" % sets,
        "hierarchy -check -top tern_top",
        "proc", "flatten", "opt", "memory -nomap", "opt", "stat", ""])


def gen_md(d):
    o = ["<!-- %s -->" % BANNER, "", "### Opcodes", "", "| opcode | value | unit | meaning |",
         "|---|---|---|---|"]
    for op in d["opcodes"]:
        o.append("| %s | %d | %s | %s |" % (op["name"], op["value"], op["unit"], op["doc"]))
    o += ["", "### Fields", "", "| opcode | field | bits | meaning |", "|---|---|---|---|"]
    for f in d["common_fields"]:
        o.append("| all | %s | %d..%d | %s |" % (f["name"], f["lsb"], f["lsb"] + f["width"] - 1, f["doc"]))
    for op in d["opcodes"]:
        for f in d["formats"][op["name"]]:
            o.append("| %s | %s | %d..%d | %s |" % (op["name"], f["name"], f["lsb"],
                                                   f["lsb"] + f["width"] - 1, f["doc"]))
    o += ["", "### Dependency flags allowed", "", "| opcode | pop_prev | pop_next | push_prev | push_next |",
          "|---|---|---|---|---|"]
    for op in d["opcodes"]:
        r = d["dep_rules"][op["name"]]
        o.append("| %s | %s |" % (op["name"], " | ".join("yes" if r[k] else "no" for k in DEP_BITS)))
    o += ["", "### Weight codes", "", "| code | weight | note |", "|---|---|---|"]
    for wc in d["weight_codes"]:
        o.append("| %d | %d | %s |" % (wc["code"], wc["weight"], wc.get("doc", "")))
    o += ["", "### Errors", "", "| code | name | meaning |", "|---|---|---|"]
    for e in d["errors"]:
        o.append("| %d | %s | %s |" % (e["value"], e["name"], e["doc"]))
    o += ["", "### CSRs", "", "| offset | name | access | meaning |", "|---|---|---|---|"]
    for r in d["csrs"]["regs"]:
        o.append("| 0x%03x | %s | %s | %s |" % (r["offset"], r["name"], r["access"], r["doc"]))
    o += ["", "### Performance counters", "", "| index | name | in ref model | meaning |", "|---|---|---|---|"]
    for i, c in enumerate(d["counters"]):
        o.append("| %d | %s | %s | %s |" % (i, c["name"].lower(), "yes" if c["ref"] else "no", c["doc"]))
    params = d["config"]["params"]
    o += ["", "### Hardware presets (default %s)" % d["config"]["default"], "",
          "| preset | " + " | ".join(p["name"] for p in params) + " |",
          "|---|" + "---|" * len(params)]
    for p in d["config"]["presets"]:
        o.append("| %s | %s |" % (p["name"], " | ".join(str(p[q["name"]]) for q in params)))
    o += ["", "### Config validity rule (checked in this order)", "",
          "| # | must hold | message |", "|---|---|---|"]
    for i, (cond, msg) in enumerate(config_checks(d)):
        o.append("| %d | `%s` | %s |" % (i + 1, cond, msg))
    o += ["", "### Entry layout in DRAM (E used bytes / stride pad(E), bytes)", "",
          d["entry_layout"]["_doc"], "",
          "| preset | ABUF | WBUF 2-bit | WBUF base-3 |", "|---|---|---|---|"]
    for p in d["config"]["presets"]:
        o.append("| %s | %s |" % (p["name"], " | ".join(
            "%d / %d" % (u, st) for _, u, st in preset_entries(d, p))))
    o += ["", "### Micro-architecture constants (RTL and fast model)", "",
          "| name | value | where | meaning |", "|---|---|---|---|"]
    for m in d["microarch"]["params"]:
        o.append("| %s | %d | %s | %s |" % (m["name"], m["value"], m["where"], m["doc"]))
    o += ["", "Queue word: %d bits, the instruction in bits 0..%d, its program index above. "
          "Simulated DRAM defaults: %d cycles latency, %d bytes/cycle, %d bursts in flight."
          % (d["insn_bits"] + d["queue_word"]["index_bits"], d["insn_bits"] - 1,
             d["dram"]["latency_cycles"], d["dram"]["bytes_per_cycle"], d["dram"]["max_bursts"]),
          "", "### Boards (default %s)" % d["boards"]["default"], "",
          "| board | clock MHz | DRAM GB/s | host GFLOP/s | array (without --array/--config) | note |",
          "|---|---|---|---|---|---|"]
    for b in d["boards"]["list"]:
        arr = "%s, head %s: %s" % (b["array"]["name"], b["array"].get("head", "float"),
                                    b["array"]["why"]) if "array" in b else \
            "the default preset %s" % d["config"]["default"]
        o.append("| %s | %g | %g | %g | %s | %s; host: %s |" % (
            b["name"], b["clock_mhz"], b["dram_gbps"], b["host_gflops"], arr, b["note"],
            b["host_note"]))
    o.append("")
    return "\n".join(o)


def gen_meta_h(d, def_path):
    """Facts about the definition itself, for `tern --version`, report.json and the
    config-file reader: the SHA-256 of the definition's bytes (sha256sum computes the
    same) and the config parameters as an X-macro, X(NAME, field of tern_hw_config)."""
    with open(def_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    o = ["/* %s */" % BANNER, "#ifndef TERN_ISA_META_H", "#define TERN_ISA_META_H", "",
         "/* SHA-256 of %s, hex. */" % os.path.basename(def_path),
         '#define TERN_ISA_SHA256 "%s"' % digest, "",
         "/* Every hardware config parameter: X(NAME as in the definition, struct field). */",
         "#define TERN_CONFIG_PARAMS(X) \\"]
    o += ["\tX(%s, %s) \\" % (p["name"], p["name"].lower()) for p in d["config"]["params"]]
    o += ["", "#endif /* TERN_ISA_META_H */", ""]
    return "\n".join(o)


def write_if_changed(path, text):
    """Keep timestamps stable so make does not rebuild for nothing."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def doc_block(d):
    return DOC_BEGIN + "\n" + gen_md(d) + DOC_END


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print("usage: tern_gen.py DEF.json OUTDIR | DEF.json --check-doc DOC.md | DEF.json --update-doc DOC.md")
        return 0 if len(argv) > 1 else 2
    d = load(argv[1])
    if argv[2] in ("--check-doc", "--update-doc"):
        with open(argv[3], encoding="utf-8") as f:
            doc = f.read()
        a, b = doc.find(DOC_BEGIN), doc.find(DOC_END)
        if a < 0 or b < 0:
            print("tern_gen: %s has no generated block" % argv[3], file=sys.stderr)
            return 1
        new = doc[:a] + doc_block(d) + doc[b + len(DOC_END):]
        if argv[2] == "--check-doc":
            if new != doc:
                print("tern_gen: %s is out of date; run make isa-doc" % argv[3], file=sys.stderr)
                return 1
            return 0
        write_if_changed(argv[3], new)
        return 0
    out = argv[2]
    os.makedirs(out, exist_ok=True)
    write_if_changed(os.path.join(out, "tern_isa.h"), gen_c_header(d))
    write_if_changed(os.path.join(out, "tern_isa_tables.c"), gen_c_tables(d))
    write_if_changed(os.path.join(out, "tern_isa.svh"), gen_svh(d))
    write_if_changed(os.path.join(out, "tern_cfg_check.svh"), gen_cfg_svh(d))
    write_if_changed(os.path.join(out, "tern_isa_macros.svh"), gen_macros_svh(d))
    for name in d["synth"]["nomul_check"]:
        write_if_changed(os.path.join(out, "yosys_nomul_%s.ys" % name), gen_yosys(d, name))
    write_if_changed(os.path.join(out, "isa_tables.md"), gen_md(d))
    write_if_changed(os.path.join(out, "tern_isa_meta.h"), gen_meta_h(d, argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
