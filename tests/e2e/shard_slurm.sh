#!/usr/bin/env bash
# tern shard through Slurm on zoo:tiny: the test starts its own one-node cluster (munged,
# slurmctld, slurmd; tests/tools/slurm_cluster.sh, all state in a temp dir, each daemon
# stopped by its PID whatever happens), submits the shards as one job array and checks
# that the merged result equals the single-machine `tern run --backend verilator`
# (tokens, per-step and per-layer cycles, checks). A cluster that cannot come up is a
# FAIL carrying the daemons' last log lines, never a silent pass.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/tools/shard_common.sh"
source "$ROOT/tests/tools/slurm_cluster.sh"
trap 'slurm_down; rm -rf "$TMP"' EXIT

for t in sbatch slurmctld slurmd munged; do
	if ! command -v "$t" >/dev/null && [ ! -x "/usr/sbin/$t" ]; then
		fail "Slurm installed" "no '$t' (make deps installs Debian's slurm-wlm and munge)"
		exit 0
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	fail "Slurm test runs as root" "slurmd must run jobs as any user: run make test as root"
	exit 0
fi
shard_reference "$TMP/single" || fail "single-machine verilator run" "$(tail -2 "$TMP/single.err")"
D=$TMP/sd
"$TERN" shard plan "${RUN_OPTS[@]}" --shards 4 --out "$D" >"$TMP/plan.out" 2>&1 ||
	fail "plan" "$(cat "$TMP/plan.out")"

if ! slurm_up "$TMP/slurm"; then
	fail "one-node Slurm cluster comes up" "$(slurm_logs | tail -40 | tr '\n' '|')"
	exit 0
fi
pass "one-node Slurm cluster comes up"
"$TERN" shard submit "$D" --engine slurm --partition tern --time 10 --wait >"$TMP/sub" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "slurm job [0-9]*, array 0-3: all tasks ended" "$TMP/sub"; then
	pass "sbatch --array=0-3 --wait: every task ended well"
else
	fail "slurm submit" "exit $rc: $(cat "$TMP/sub") $(slurm_logs | tail -20 | tr '\n' '|')"
fi
grep -q '^#SBATCH --array=0-3$' "$D/shard.sbatch" && grep -q '^#SBATCH --requeue$' "$D/shard.sbatch" &&
	pass "sbatch script: job array and requeue" || fail "sbatch script" "$(cat "$D/shard.sbatch")"
n=$(ls "$D"/logs/slurm-*_*.out 2>/dev/null | wc -l)
[ "$n" -eq 4 ] && pass "four array task logs" || fail "array task logs" "$n logs"
expect_exit 0 "status after Slurm: all done" "$TERN" shard status "$D"
"$TERN" shard merge "$D" --quiet --json --report "$TMP/merged" >"$TMP/merged.json" 2>"$TMP/merge.err" ||
	fail "merge" "$(cat "$TMP/merge.err")"
shard_same "slurm: merged run equals the single-machine verilator run" "$TMP/single" "$TMP/merged"
