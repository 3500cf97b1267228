#!/usr/bin/env bash
# RTL + DRAM model: the same layer under very different DRAM latencies and bandwidths
# (including less than one beat per cycle, which exercises back-pressure on every channel)
# must stay bit-exact in lockstep, and the cycle count must react to the memory.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1

make -s build/vl/8x8/libtern_vl.so >"$TMP/build.log" 2>&1 ||
	{ fail "verilate 8x8" "$(tail -5 "$TMP/build.log" | tr '\n' ' ')"; exit 0; }

cycles() { # LATENCY BW -> cycles on stdout, or nothing
	"$TERN" gemm --backend verilator --array 8x8 --m 24 --k 96 --n 5 --seed 3 --quiet --json \
		--dram-latency "$1" --dram-bw "$2" 2>"$TMP/err" |
		sed -n 's/.*"cycles": *\([0-9][0-9]*\).*/\1/p'
}
fast=$(cycles 1 64)
slow=$(cycles 300 4)
mid=$(cycles 40 16)
for v in fast slow mid; do
	if [ -n "${!v}" ]; then pass "dram $v exact (${!v} cycles)"
	else fail "dram $v" "$(head -c 300 "$TMP/err")"; fi
done
if [ -n "$fast" ] && [ -n "$slow" ] && [ -n "$mid" ] && [ "$fast" -lt "$mid" ] && [ "$mid" -lt "$slow" ]; then
	pass "dram cycles grow with latency and shrink with bandwidth"
else
	fail "dram cycles grow with latency and shrink with bandwidth" "fast=$fast mid=$mid slow=$slow"
fi
