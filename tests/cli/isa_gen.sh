#!/usr/bin/env bash
# The ISA generator: deterministic output, docs/isa.md in sync with the definition,
# and a definition with overlapping fields refused.
source "$(dirname "$0")/../lib.sh"
GEN="python3 $ROOT/isa/tern_gen.py"
DEF=$ROOT/isa/tern_isa.json

$GEN "$DEF" "$TMP/a" && $GEN "$DEF" "$TMP/b" && $GEN "$DEF" "$TMP/a"
if diff -r "$TMP/a" "$TMP/b" >/dev/null; then pass "generator is deterministic"; else fail "generator is deterministic"; fi
if diff -r -x .stamp -x tern_build_info.h "$TMP/a" "$ROOT/build/gen" >/dev/null; then pass "build/gen matches the definition"; else fail "build/gen matches the definition" "run make gen"; fi
if $GEN "$DEF" --check-doc "$ROOT/docs/isa.md"; then pass "docs/isa.md matches the definition"; else fail "docs/isa.md matches the definition" "run make isa-doc"; fi
if grep -q 'do not edit' "$TMP/a/tern_isa.h" && grep -q 'do not edit' "$TMP/a/tern_isa.svh"; then pass "generated banner"; else fail "generated banner"; fi
python3 - "$DEF" "$TMP/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["formats"]["GEMM"][1]["lsb"] = 8
json.dump(d, open(sys.argv[2], "w"))
PY
if $GEN "$TMP/bad.json" "$TMP/c" 2>"$TMP/err"; then fail "overlapping fields refused"; elif grep -q overlaps "$TMP/err"; then pass "overlapping fields refused"; else fail "overlapping fields refused" "$(cat "$TMP/err")"; fi
cp "$ROOT/docs/isa.md" "$TMP/isa.md" && sed -i 's/| 4 | WBUF_RANGE |/| 4 | WBUF_OOPS |/' "$TMP/isa.md"
if $GEN "$DEF" --check-doc "$TMP/isa.md" 2>/dev/null; then fail "stale doc detected"; else pass "stale doc detected"; fi
