#!/usr/bin/env python3
"""tern ISA generator: the one place that turns isa/tern_isa.json into code.

Outputs (all carry a "generated, do not edit" banner and are never committed):
  OUT/tern_isa.h        C: opcodes, field accessors, errors, CSRs, counters, presets
  OUT/tern_isa_tables.c C: name tables and the preset table
  OUT/tern_isa.svh      Verilog: localparams for the same facts
  OUT/isa_tables.md     Markdown tables, also kept verbatim in docs/isa.md
  OUT/tern_isa_meta.h   C: the definition's SHA-256 and the config field names

`--check-doc docs/isa.md` exits 1 if the generated block in the doc differs;
`--update-doc docs/isa.md` rewrites that block.  Output is deterministic, so
running the generator twice changes nothing.  Python 3 standard library only.
"""
import hashlib
import json
import os
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


def gen_c_header(d):
    o = ["/* %s */" % BANNER,
         "#ifndef TERN_ISA_H", "#define TERN_ISA_H", "",
         "#include <stdint.h>", "",
         "#define TERN_INSN_BITS %d" % d["insn_bits"],
         "#define TERN_INSN_BYTES %d" % (d["insn_bits"] // 8), "",
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
    o += ["", "struct tern_hw_preset {", "\tconst char *name;", "\tstruct tern_hw_config cfg;", "};", "",
          "extern const struct tern_hw_preset tern_hw_presets[TERN_PRESET_COUNT];",
          "const char *tern_opcode_name(unsigned opcode);",
          "const char *tern_err_name(unsigned err);",
          "const char *tern_err_doc(unsigned err);",
          "const char *tern_counter_name(unsigned cnt);",
          "/* 1 if the reference model counts this event too. */",
          "int tern_counter_in_ref(unsigned cnt);", "",
          "#endif /* TERN_ISA_H */", ""]
    return "\n".join(o)


def gen_c_tables(d):
    o = ["/* %s */" % BANNER, '#include "tern_isa.h"', "",
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
         "localparam int TERN_INSN_BITS = %d;" % d["insn_bits"]]
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
    o += ["/* verilator lint_on UNUSEDPARAM */", ""]
    return "\n".join(o)


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
    write_if_changed(os.path.join(out, "isa_tables.md"), gen_md(d))
    write_if_changed(os.path.join(out, "tern_isa_meta.h"), gen_meta_h(d, argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
