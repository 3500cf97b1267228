#!/usr/bin/env bash
# tern gemm: every bad input gets exit 2, one line on stderr, no crash, no output file.
# Runs the ASan+UBSan build of the CLI so a crash or UB in an error path fails the case.
source "$(dirname "$0")/../lib.sh"
T=$TERN_SAN
[ -x "$T" ] || T=$TERN
out=$TMP/y.bin

printf '\x01\x00\xff\x01\x00\x00' >"$TMP/w23.bin"      # 2x3 ternary
printf '\x05\x06\x07' >"$TMP/x13.bin"                  # 1x3
printf '\x01\x00\x02\x01\x00\x00' >"$TMP/wbad.bin"     # a 2 in W
mkdir "$TMP/dir"

bad() { # bad NAME ARGS...: usage error and no output file
	local name=$1; shift
	rm -f "$out"
	expect_usage_error "$name" "$T" gemm "$@"
	if [ -e "$out" ]; then fail "$name: no output" "output file left behind"; fi
}

files=(--w "$TMP/w23.bin" --x "$TMP/x13.bin" --out "$out")
bad "W value outside {-1,0,1}" --m 2 --k 3 --n 1 --w "$TMP/wbad.bin" --x "$TMP/x13.bin" --out "$out"
bad "W size mismatch" --m 3 --k 3 --n 1 "${files[@]}"
bad "X size mismatch" --m 2 --k 3 --n 2 "${files[@]}"
bad "M zero" --m 0 --k 3 --n 1 "${files[@]}"
bad "K negative" --m 2 --k -3 --n 1 "${files[@]}"
bad "N non-numeric" --m 2 --k 3 --n abc "${files[@]}"
bad "N trailing junk" --m 2 --k 3 --n 1x "${files[@]}"
bad "M overflow" --m 99999999999999999999999 --k 3 --n 1 "${files[@]}"
bad "M too large" --m 2000000 --k 3 --n 1 "${files[@]}"
bad "N too large" --m 2 --k 3 --n 70000 "${files[@]}"
bad "M*K too large" --m 1048576 --k 1048576 --n 1 --seed 1
bad "missing W file" --m 2 --k 3 --n 1 --w "$TMP/nope.bin" --x "$TMP/x13.bin" --out "$out"
bad "W is a directory" --m 2 --k 3 --n 1 --w "$TMP/dir" --x "$TMP/x13.bin" --out "$out"
bad "missing --n" --m 2 --k 3 "${files[@]}"
bad "no data and no seed" --m 2 --k 3 --n 1
bad "seed and files" --m 2 --k 3 --n 1 --seed 3 "${files[@]}"
bad "unknown backend" --m 2 --k 3 --n 1 --backend gpu "${files[@]}"
bad "array spec no x" --m 2 --k 3 --n 1 --array 32 "${files[@]}"
bad "array spec zero" --m 2 --k 3 --n 1 --array 0x8 "${files[@]}"
bad "array spec too big" --m 2 --k 3 --n 1 --array 300x300 "${files[@]}"
bad "array spec junk" --m 2 --k 3 --n 1 --array 8x8y "${files[@]}"
bad "unknown wfmt" --m 2 --k 3 --n 1 --wfmt 3bit "${files[@]}"
bad "unknown option" --m 2 --k 3 --n 1 --frobnicate "${files[@]}"
bad "option missing value" --m 2 --k 3 --n 1 "${files[@]}" --seed
bad "stray argument" --m 2 --k 3 --n 1 "${files[@]}" extra
bad "fst-window without fst" --m 2 --k 3 --n 1 --fst-window 10 "${files[@]}"
bad "unwritable output" --m 2 --k 3 --n 1 --w "$TMP/w23.bin" --x "$TMP/x13.bin" --out "$TMP/nodir/y.bin"
expect_usage_error "unknown command" "$T" frob
expect_exit 0 "tern --help" "$T" --help
expect_exit 0 "tern gemm --help" "$T" gemm --help
if grep -q -- '--wfmt' "$TMP/out"; then pass "gemm help lists options"; else fail "gemm help lists options"; fi
