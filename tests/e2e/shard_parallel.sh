#!/usr/bin/env bash
# tern shard through GNU parallel on zoo:tiny: the merged result equals the single-machine
# `tern run --backend verilator` (tokens, per-step and per-layer cycles, checks); a job
# killed mid-shard leaves no result and is rerun; two copies of one index are harmless;
# a damaged or missing result is named by merge and status; a replay that disagrees with
# the recording makes merge exit 1 with the first-mismatch report.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/tools/shard_common.sh"

if ! command -v parallel >/dev/null; then
	fail "GNU parallel installed" "no 'parallel' on PATH (make deps installs Debian's parallel)"
	exit 0
fi
shard_reference "$TMP/single" || fail "single-machine verilator run" "$(tail -2 "$TMP/single.err")"

D=$TMP/sd
"$TERN" shard plan "${RUN_OPTS[@]}" --shards 3 --out "$D" >"$TMP/plan.out" 2>&1 &&
	grep -q "3 shards for backend verilator" "$TMP/plan.out" &&
	pass "plan records zoo:tiny into 3 shards" || fail "plan" "$(cat "$TMP/plan.out")"
expect_exit 1 "status before any job: not done" "$TERN" shard status "$D"
grep -q "missing 3" "$TMP/out" && pass "status names 3 missing shards" || fail "status missing" "$(cat "$TMP/out")"
expect_usage_error "merge before any job names the missing shards" "$TERN" shard merge "$D"
grep -q "missing 0, 1, 2" "$TMP/err" && pass "merge lists shards 0, 1, 2" || fail "merge list" "$(cat "$TMP/err")"

# Shard 1 killed from outside after its first invocation (the test hook stops it there).
TERN_SHARD_TEST_PAUSE_AFTER=1 "$TERN" shard run "$D" --index 1 2>/dev/null &
pid=$!
for _ in $(seq 600); do [ "$(ps -o stat= -p $pid 2>/dev/null | cut -c1)" = T ] && break; sleep 0.1; done
ls "$D"/running/1.* >/dev/null 2>&1 && pass "a running job leaves its marker" || fail "running marker"
"$TERN" shard status "$D" >"$TMP/st" 2>&1
grep -q "running 1" "$TMP/st" && pass "status shows the stopped job as running" || fail "status running" "$(cat "$TMP/st")"
kill -9 $pid; wait $pid 2>/dev/null
[ ! -e "$D/results/1.res" ] && pass "killed job wrote no result" || fail "killed job result exists"
"$TERN" shard status "$D" >"$TMP/st" 2>&1
grep -q "missing 3" "$TMP/st" && pass "status: the killed job's shard is missing again" || fail "status after kill" "$(cat "$TMP/st")"

"$TERN" shard submit "$D" --engine parallel --jobs 2 >"$TMP/sub" 2>&1 &&
	pass "parallel runs the 3 jobs" || fail "parallel submit" "$(tail -3 "$TMP/sub")"
expect_exit 0 "status after the jobs: all done" "$TERN" shard status "$D"
grep -q "3/3 done" "$TMP/out" && pass "status bar 3/3" || fail "status bar" "$(cat "$TMP/out")"
"$TERN" shard merge "$D" --quiet --json --report "$TMP/merged" >"$TMP/merged.json" 2>"$TMP/merge.err" ||
	fail "merge after the rerun" "$(cat "$TMP/merge.err")"
shard_same "parallel: merged run equals the single-machine verilator run" "$TMP/single" "$TMP/merged"

# Idempotent: a finished shard is not run again; two copies of one index agree.
cp "$D/results/0.res" "$TMP/r0"
expect_exit 0 "rerunning a finished shard" "$TERN" shard run "$D" --index 0
grep -q "already done" "$TMP/err" && cmp -s "$D/results/0.res" "$TMP/r0" &&
	pass "finished shard untouched" || fail "finished shard rerun" "$(cat "$TMP/err")"
rm "$D/results/2.res"
"$TERN" shard run "$D" --index 2 2>/dev/null & a=$!
"$TERN" shard run "$D" --index 2 2>/dev/null & b=$!
wait $a; ra=$?; wait $b; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && "$TERN" shard merge "$D" --quiet --json --report "$TMP/m2" >"$TMP/m2.json" 2>/dev/null &&
	pass "two copies of one index: both succeed, merge works" || fail "two copies" "exit $ra $rb"
ls "$D"/results/*.tmp.* >/dev/null 2>&1 && fail "temporary files left" || pass "no temporary files left"

# A damaged result (one counter digit changed) is refused and named.
cp "$D/results/1.res" "$TMP/r1"
sed -i '0,/^res /s/^\(res [0-9]* [0-9]* [0-9a-f]* [0-9]*\) /\1 /; 0,/^res /{/^res /s/ \([0-9]\)\([0-9]*\)$/ 9\2/}' "$D/results/1.res"
if cmp -s "$D/results/1.res" "$TMP/r1"; then fail "damage a result" "sed changed nothing"; fi
expect_usage_error "merge refuses a damaged result" "$TERN" shard merge "$D"
grep -q "damaged 1" "$TMP/err" && grep -q "checksum" "$TMP/err" &&
	pass "merge names damaged shard 1 (checksum)" || fail "merge damaged" "$(cat "$TMP/err")"
"$TERN" shard status "$D" >"$TMP/st" 2>&1
grep -q "damaged  1" "$TMP/st" && pass "status names damaged shard 1" || fail "status damaged" "$(cat "$TMP/st")"
head -c 200 "$TMP/r1" >"$D/results/1.res"
expect_usage_error "merge refuses a truncated result" "$TERN" shard merge "$D"
cp "$TMP/r1" "$D/results/1.res"

# A replay that disagrees with the recording: one word of a recorded output changed.
E=$TMP/bad
"$TERN" shard plan "${RUN_OPTS[@]}" --shards 2 --out "$E" >/dev/null 2>&1
y=$(awk '$1 == "inv" && $2 == 5 { print $11 }' "$E/plan.tsv")
printf '\x01\x02\x03\x04' | dd of="$E/blobs/$y" bs=1 seek=8 conv=notrunc status=none
s=$(awk '$1 == "inv" && $2 == 5 { print $3 }' "$E/plan.tsv")
expect_exit 1 "the shard holding the changed output fails" "$TERN" shard run "$E" --index "$s"
"$TERN" shard run "$E" --index $((1 - s)) 2>/dev/null
expect_exit 1 "merge exits 1 on a failed shard" "$TERN" shard merge "$E" --quiet
grep -q "failed in shard $s" "$TMP/err" && grep -q "layer check" "$TMP/err" &&
	pass "merge names the shard and the first mismatch" || fail "merge mismatch report" "$(cat "$TMP/err")"
