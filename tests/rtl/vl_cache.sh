#!/usr/bin/env bash
# The verilator backend's model cache (driver/tern_vl_cache.c, docs/simulation.md):
#  - an entry built by `make` (sim/tern_vl_build.sh) is accepted by the backend as is:
#    the stamp's cksums, written by the shell, agree with the C side's;
#  - a truncated library (issue 15 item 5: dlopen died with SIGBUS) is refused before
#    dlopen and rebuilt, and the layer then equals the independent product;
#  - SIGINT / SIGTERM during that rebuild (issue 15 item 4) exit 130 / 143 with one line
#    and leave no private build directory or log behind.
source "$(dirname "$0")/../lib.sh"
IND=$ROOT/build/tests/indep_matmul
make -s -C "$ROOT" build/vl/4x4/libtern_vl.so build/tests/indep_matmul >"$TMP/build.log" 2>&1 ||
	{ fail "vl_cache: build" "$(tail -3 "$TMP/build.log")"; exit 0; }
C=$TMP/cache
E=$C/4x4
mkdir -p "$E"
cp "$ROOT/build/vl/4x4/libtern_vl.so" "$ROOT/build/vl/4x4/stamp" "$E/"
export TERN_CACHE=$C
"$IND" gen 7 45 130 3 "$TMP/w" "$TMP/x" && "$IND" mul 45 130 3 "$TMP/w" "$TMP/x" "$TMP/want"
# (exec: in the background, $! is then the tern process itself)
gemm() { exec "$TERN" gemm --m 45 --k 130 --n 3 --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" --array 4x4 --backend verilator "$@"; }

if [ "$(sed -n 's/^lib //p' "$E/stamp")" = "$(cksum <"$E/libtern_vl.so")" ]; then
	pass "vl_cache: the stamp records cksum(1) of the library"
else fail "vl_cache: stamp" "$(cat "$E/stamp")"; fi
rm -f "$TMP/y"
if (gemm) >"$TMP/out" 2>"$TMP/err" && cmp -s "$TMP/y" "$TMP/want" && ! grep -q building "$TMP/err"; then
	pass "vl_cache: an entry built by make is used without a rebuild"
else fail "vl_cache: cache hit" "$(tail -2 "$TMP/err")"; fi

truncate -s 1000 "$E/libtern_vl.so"
set -m # background jobs get SIGINT like a foreground command would (own process group)
for sig in INT TERM; do
	want=$([ $sig = INT ] && echo 130 || echo 143)
	rm -f "$TMP/y"
	gemm --quiet >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 600); do [ -d "$E/tmp.$pid" ] && break; sleep 0.1; done
	sleep 1
	kill -$sig $pid
	wait $pid
	rc=$?
	debris=$(cd "$E" && ls -d tmp.* obj.* build.*.log 2>/dev/null)
	if [ $rc -eq "$want" ] && [ -z "$debris" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	   grep -q "interrupted by SIG$sig" "$TMP/err" && [ ! -e "$TMP/y" ]; then
		pass "vl_cache: SIG$sig during the build: exit $want, one line, no debris"
	else fail "vl_cache: SIG$sig during the build" "exit $rc, debris '$debris', stderr: $(head -c 300 "$TMP/err")"; fi
done
set +m

rm -f "$TMP/y"
(gemm) >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'building Verilated model 4x4' "$TMP/err" && cmp -s "$TMP/y" "$TMP/want" &&
   [ "$(stat -c %s "$E/libtern_vl.so")" -gt 1000 ]; then
	pass "vl_cache: a truncated library is rebuilt, not loaded; the layer equals the independent product"
else fail "vl_cache: truncated library" "exit $rc: $(tail -2 "$TMP/err")"; fi
