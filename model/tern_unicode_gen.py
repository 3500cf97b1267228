#!/usr/bin/env python3
"""Unicode letter / number ranges for the BPE pre-tokenizers (model/tern_tok_bpe.c).

Writes OUT.c with two sorted range tables, \\p{L} (general category L*) and \\p{N} (N*),
from Python's own unicodedata (standard library, so the build needs nothing else), and
tern_ucd_is_letter / tern_ucd_is_number that search them. Generated into build/gen,
never committed. Usage: tern_unicode_gen.py OUT.c
"""
import sys
import unicodedata


def ranges(prefix):
    out, start = [], None
    for cp in range(0x110000):
        hit = unicodedata.category(chr(cp)).startswith(prefix)
        if hit and start is None:
            start = cp
        if not hit and start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out


def table(name, rs):
    rows = ",\n".join("\t{ 0x%06x, 0x%06x }" % r for r in rs)
    return "static const uint32_t %s[%d][2] = {\n%s\n};\n" % (name, len(rs), rows)


def main():
    letters, numbers = ranges("L"), ranges("N")
    src = [
        "/* generated from Python unicodedata %s by model/tern_unicode_gen.py -- do not edit */"
        % unicodedata.unidata_version,
        "#include <stdint.h>",
        "",
        "const char *const tern_ucd_version = \"%s\";" % unicodedata.unidata_version,
        "",
        table("letters", letters),
        table("numbers", numbers),
        "static int find(const uint32_t (*r)[2], uint32_t n, uint32_t cp)",
        "{",
        "\tuint32_t lo = 0, hi = n;",
        "",
        "\twhile (lo < hi) {",
        "\t\tuint32_t mid = (lo + hi) / 2;",
        "",
        "\t\tif (cp < r[mid][0])",
        "\t\t\thi = mid;",
        "\t\telse if (cp > r[mid][1])",
        "\t\t\tlo = mid + 1;",
        "\t\telse",
        "\t\t\treturn 1;",
        "\t}",
        "\treturn 0;",
        "}",
        "",
        "int tern_ucd_is_letter(uint32_t cp);",
        "int tern_ucd_is_number(uint32_t cp);",
        "",
        "int tern_ucd_is_letter(uint32_t cp)",
        "{",
        "\treturn find(letters, %d, cp);" % len(letters),
        "}",
        "",
        "int tern_ucd_is_number(uint32_t cp)",
        "{",
        "\treturn find(numbers, %d, cp);" % len(numbers),
        "}",
        "",
    ]
    text = "\n".join(src)
    with open(sys.argv[1], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
