#!/usr/bin/env bash
# Differential fuzzer, short run (the long one is `make fuzz`, docs/verification.md).
# First the fuzzer's synchronisation analyzer on hand-made programs (races rejected). Then
# a few hundred random valid and near-valid programs per preset on the Verilated RTL with
# lockstep on must give no disagreement with the reference model, each ending the way the
# generator meant; the run must really exercise the device (valid and near-valid
# programs, GEMMs and STOREs executed, several error classes). Then the deliberately
# broken build (8x8-bug) must be caught, and its minimised reproducer must disagree when
# replayed on the broken build and agree on the good one (so the reproducer is real).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1

bin=build/tests/tern_fuzz
N=${TERN_FUZZ_N:-500}
make -s "$bin" build/vl/4x4/libtern_vl.so build/vl/8x8/libtern_vl.so build/vl/16x16/libtern_vl.so \
	build/vl/8x8-bug/libtern_vl.so >"$TMP/build.log" 2>&1 ||
	{ fail "fuzz: build" "$(tail -5 "$TMP/build.log" | tr '\n' ' ')"; exit 0; }

# The analyzer that keeps programs fair, on programs whose answer is known.
"$bin" --analyzer-selftest

# field NAME LINE: the number before NAME in the summary line ("1234 GEMMs")
field() { sed -n "s/.* \([0-9][0-9]*\) $1.*/\1/p" <<<"$2"; }

for preset in 4x4 8x8 16x16; do
	"$bin" --seed 11 --n "$N" --out "$TMP/out" "$preset" >"$TMP/log" 2>&1
	rc=$?
	line=$(grep "^fuzz $preset: [0-9]* programs" "$TMP/log")
	if [ "$rc" -ne 0 ] || ! grep -q " 0 disagreements" <<<"$line"; then
		fail "fuzz $preset: $N programs agree" "exit $rc: $(grep -v '^insn\|^#' "$TMP/log" | head -c 600)"
		continue
	fi
	pass "fuzz $preset: $N programs agree ($(sed 's/.*disagreements, //' <<<"$line" | cut -c1-60))"
	valid=$(sed -n 's/.*(\([0-9]*\) valid.*/\1/p' <<<"$line")
	near=$(sed -n 's/.* \([0-9]*\) near-valid.*/\1/p' <<<"$line")
	gemms=$(field GEMMs "$line")
	stores=$(field STOREs "$line")
	classes=$(sed 's/.*outcomes://' <<<"$line" | wc -w)
	if [ "$valid" -ge $((N / 3)) ] && [ "$near" -ge $((N / 4)) ] && [ "$gemms" -ge "$N" ] &&
		[ "$stores" -ge $((N / 2)) ] && [ "$classes" -ge 16 ]; then
		pass "fuzz $preset: coverage ($valid valid, $near near-valid, $gemms GEMMs, $stores STOREs, $((classes / 2)) outcomes)"
	else
		fail "fuzz $preset: coverage" "$valid valid, $near near-valid, $gemms GEMMs, $stores STOREs, $((classes / 2)) outcomes: $line"
	fi
done

# The broken build must be found, and the reproducer must be a real one.
"$bin" --seed 11 --n "$N" --expect-find --out "$TMP/bug" 8x8-bug >"$TMP/log" 2>&1
rc=$?
repro=$(ls "$TMP"/bug/repro-8x8-bug-*.txt 2>/dev/null | head -1)
if [ "$rc" -eq 0 ] && [ -n "$repro" ]; then
	pass "fuzz 8x8-bug: disagreement found ($(grep -c '^insn' "$repro") instructions after minimising)"
else
	fail "fuzz 8x8-bug: disagreement found" "exit $rc: $(grep -v '^insn\|^#' "$TMP/log" | head -c 400)"
	exit 0
fi
n=$(grep -c '^insn' "$repro")
if [ "$n" -le 6 ]; then pass "fuzz 8x8-bug: reproducer is short ($n instructions)"
else fail "fuzz 8x8-bug: reproducer is short" "$n instructions"; fi
"$bin" --replay "$repro" >"$TMP/replay" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q DISAGREE "$TMP/replay"; then pass "fuzz 8x8-bug: reproducer disagrees on replay"
else fail "fuzz 8x8-bug: reproducer disagrees on replay" "exit $rc: $(head -c 300 "$TMP/replay")"; fi
sed 's/^preset 8x8-bug$/preset 8x8/' "$repro" >"$TMP/good.txt"
"$bin" --replay "$TMP/good.txt" >"$TMP/replay" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q ': agree' "$TMP/replay"; then pass "fuzz 8x8: the same program agrees on the good build"
else fail "fuzz 8x8: the same program agrees on the good build" "exit $rc: $(head -c 300 "$TMP/replay")"; fi
