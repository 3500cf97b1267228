#!/usr/bin/env bash
# RTL error paths: tests/rtl/tern_vl_faults.c runs hand-built bad programs (illegal opcode,
# bad flags and fields, buffer ranges, DMA alignment and window (including 2-row LOADs and STOREs
# whose second row crosses DMA_LIMIT, and the same one beat lower), fetch range, missing END,
# deadlock, watchdog) on the Verilated RTL and the reference model and prints PASS/FAIL
# per case: same error code, same faulting instruction, writes before the fault in lockstep.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1

bin=build/tests/rtl/tern_vl_faults
make -s "$bin" build/vl/4x4/libtern_vl.so build/vl/8x8/libtern_vl.so >"$TMP/build.log" 2>&1 ||
	{ fail "faults: build" "$(tail -5 "$TMP/build.log" | tr '\n' ' ')"; exit 0; }
"$bin" 4x4 8x8
