#!/usr/bin/env bash
# tern --version / tern version: the Makefile's VERSION, the git revision the binary was
# built from (git describe --always --dirty, recomputed here; "unknown" outside git) and
# the SHA-256 of isa/tern_isa.json (computed here with sha256sum / python, not by tern).
# The same three values are in gemm's JSON and in report.json of gemm and run reports.
source "$(dirname "$0")/../lib.sh"
T=$TERN
S=$TERN_SAN; [ -x "$S" ] || S=$T

want_ver=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")
if command -v sha256sum >/dev/null; then want_isa=$(sha256sum "$ROOT/isa/tern_isa.json" | cut -d' ' -f1)
else want_isa=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$ROOT/isa/tern_isa.json"); fi
if [ -e "$ROOT/.git" ] && command -v git >/dev/null; then want_git=$(cd "$ROOT" && git describe --always --dirty)
else want_git=unknown; fi

"$S" --version >"$TMP/v1" 2>"$TMP/err"; rc=$?
printf 'tern %s\ngit %s\nisa sha256 %s\n' "$want_ver" "$want_git" "$want_isa" >"$TMP/want"
if [ $rc = 0 ] && [ -n "$want_ver" ] && cmp -s "$TMP/v1" "$TMP/want" && [ ! -s "$TMP/err" ]; then pass "tern --version: version, git, ISA hash"
else fail "tern --version: version, git, ISA hash" "exit $rc: $(cat "$TMP/v1") vs $(cat "$TMP/want")"; fi
"$S" version >"$TMP/v2" 2>&1
if cmp -s "$TMP/v1" "$TMP/v2"; then pass "tern version = tern --version"; else fail "tern version = tern --version"; fi
expect_usage_error "tern version: extra argument" "$S" version now
if "$S" version --help | grep -q SHA-256 && "$S" --help | grep -q -- --version; then pass "version in --help"
else fail "version in --help"; fi

tern_obj() { python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["tern"]; print(t["version"], t["git"], t["isa_hash"])' "$1"; }
want="$want_ver $want_git $want_isa"
"$T" gemm --m 16 --k 16 --n 2 --seed 3 --json --report "$TMP/g" >"$TMP/g.json" 2>"$TMP/err"
if [ "$(tern_obj "$TMP/g.json")" = "$want" ] && [ "$(tern_obj "$TMP/g/report.json")" = "$want" ]; then
	pass "gemm json and report.json carry the version"
else fail "gemm json and report.json carry the version" "$(head -c 200 "$TMP/err")"; fi
"$T" run --quiet --json --tokens 2 --report "$TMP/r" >"$TMP/r.json" 2>"$TMP/err"
if [ "$(tern_obj "$TMP/r.json")" = "$want" ] && [ "$(tern_obj "$TMP/r/report.json")" = "$want" ]; then
	pass "run json and report.json carry the version"
else fail "run json and report.json carry the version" "$(head -c 200 "$TMP/err")"; fi
