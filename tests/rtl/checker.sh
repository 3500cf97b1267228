#!/usr/bin/env bash
# The checker test: a deliberately broken RTL (+define+TERN_BUG_FLIP_LANE, selected with
# TERN_VL_VARIANT=bug) must be caught by lockstep. `tern gemm` must exit 1 and its report
# must name the instruction index, the address, the expected and the actual value; with
# --fst/--fst-window a waveform of the cycles before the mismatch must be written.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1

for lib in 8x8 8x8-bug; do
	make -s "build/vl/$lib/libtern_vl.so" >"$TMP/build.log" 2>&1 ||
		{ fail "verilate $lib" "$(tail -5 "$TMP/build.log" | tr '\n' ' ')"; exit 0; }
done
args=(gemm --backend verilator --array 8x8 --m 30 --k 50 --n 4 --seed 5 --quiet)

expect_exit 0 "checker: good RTL passes" "$TERN" "${args[@]}"

TERN_VL_VARIANT=bug "$TERN" "${args[@]}" >"$TMP/out" 2>"$TMP/err"
rc=$?
report=$(cat "$TMP/err")
if [ "$rc" -ne 1 ]; then
	fail "checker: bug variant exits 1" "exit $rc: $(head -c 300 "$TMP/err")"
else
	pass "checker: bug variant exits 1"
fi
if grep -qE 'instruction [0-9]+' <<<"$report" && grep -qiE 'address 0x[0-9a-f]+' <<<"$report" &&
	grep -qiE 'expected 0x[0-9a-f]+' <<<"$report" && grep -qiE 'actual 0x[0-9a-f]+' <<<"$report"; then
	pass "checker: report names instruction, address, expected, actual"
else
	fail "checker: report names instruction, address, expected, actual" "$(head -c 300 "$TMP/err")"
fi

TERN_VL_VARIANT=bug "$TERN" "${args[@]}" --fst "$TMP/mm.fst" --fst-window 200 >/dev/null 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && [ -s "$TMP/mm.fst" ]; then
	pass "checker: FST window written ($(stat -c %s "$TMP/mm.fst") bytes)"
else
	fail "checker: FST window written" "exit $rc, file $(ls -l "$TMP/mm.fst" 2>&1)"
fi

expect_exit 2 "checker: unknown variant is a usage error" env TERN_VL_VARIANT=nope "$TERN" "${args[@]}"
