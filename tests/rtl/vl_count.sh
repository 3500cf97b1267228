#!/usr/bin/env bash
# INSN_COUNT = 0xffffffff with no watchdog returns on the verilator backend, with the
# reference model's status (tests/rtl/tern_vl_count.c; issue 15 item 9).
source "$(dirname "$0")/../lib.sh"
bin=$ROOT/build/tests/rtl/tern_vl_count
make -s -C "$ROOT" "${bin#"$ROOT"/}" build/vl/4x4/libtern_vl.so >"$TMP/build.log" 2>&1 ||
	{ fail "vl_count: build" "$(tail -3 "$TMP/build.log")"; exit 0; }
"$bin" 4x4
