#!/usr/bin/env bash
# The broken variants of tern_axi_master (parameter Bug, used only here) must be caught by
# the protocol monitor of tests/rtl/tb_axi.cpp, each by the rule it breaks: 1 withdraws
# ARVALID before ARREADY, 2 changes ARADDR while it waits, 3 drops WLAST on every other
# write burst. Bugs 1 and 3 leave every result exact (the memory model is lenient), so
# only the monitor can see them.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1
source "$ROOT/tests/rtl/axi_common.inc"
for case in "1:AR VALID dropped before READY" "2:AR payload changed while VALID waited" \
	"3:WLAST missing on the last beat"; do
	bug=${case%%:*} rule=${case#*:}
	if ! axi_build bug$bug $bug; then
		fail "axi_bug${bug}_builds" "$(tail -5 build/rtl-tb/axi-bug$bug/build.log)"; continue
	fi
	build/rtl-tb/axi-bug$bug/tb_axi 7 >"$TMP/out" 2>&1
	if grep -q "^VIOLATION: mem: $rule" "$TMP/out" && grep -q '^FAIL: axi_protocol_monitor_clean' "$TMP/out"; then
		pass "axi_bug${bug}_caught"
	else
		fail "axi_bug${bug}_caught" "$(grep -E '^(VIOLATION|FAIL)' "$TMP/out" | head -3)"
	fi
done
