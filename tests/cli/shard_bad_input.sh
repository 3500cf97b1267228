#!/usr/bin/env bash
# tern shard: every bad input is one stderr line and exit 2 (under the sanitizers).
source "$(dirname "$0")/../lib.sh"
T=$TERN_SAN
[ -x "$T" ] || T=$TERN

expect_usage_error "shard without a subcommand" "$T" shard
expect_usage_error "unknown subcommand" "$T" shard frobnicate
expect_usage_error "plan without --shards" "$T" shard plan --out "$TMP/x"
expect_usage_error "plan without --out" "$T" shard plan --shards 2
expect_usage_error "plan --shards 0" "$T" shard plan --shards 0 --out "$TMP/x"
expect_usage_error "plan with a bad run option" "$T" shard plan --shards 2 --out "$TMP/x" --tokens 0
expect_usage_error "plan with --json (a merge option)" "$T" shard plan --shards 2 --out "$TMP/x" --json
expect_usage_error "plan with more shards than invocations" "$T" shard plan --tokens 1 --shards 5000 --out "$TMP/y" --backend ref
expect_usage_error "run on a directory without a plan" "$T" shard run "$TMP" --index 0
expect_usage_error "merge on a directory without a plan" "$T" shard merge "$TMP/none"
expect_usage_error "status on a directory without a plan" "$T" shard status "$TMP/none"
"$T" shard plan --tokens 2 --shards 2 --backend ref --out "$TMP/p" >/dev/null 2>&1 &&
	pass "plan with the ref replay backend" || fail "plan ref"
expect_usage_error "plan into a directory that has a plan" "$T" shard plan --tokens 2 --shards 2 --out "$TMP/p"
expect_usage_error "run without --index" "$T" shard run "$TMP/p"
expect_usage_error "run --index out of range" "$T" shard run "$TMP/p" --index 2
expect_usage_error "submit without --engine" "$T" shard submit "$TMP/p"
expect_usage_error "submit with an unknown engine" "$T" shard submit "$TMP/p" --engine pbs
expect_usage_error "submit with an unknown option" "$T" shard submit "$TMP/p" --engine slurm --nodes 3
TERN_SBATCH=/nonexistent/sbatch expect_usage_error "submit when sbatch cannot run" "$T" shard submit "$TMP/p" --engine slurm
sed -i 's/^shards 2$/shards 3/' "$TMP/p/plan.tsv"
expect_usage_error "edited plan is refused" "$T" shard status "$TMP/p"
grep -q checksum "$TMP/err" && pass "edited plan: checksum named" || fail "edited plan message" "$(cat "$TMP/err")"
"$T" shard --help | grep -q "tern shard plan" && pass "shard --help" || fail "shard --help"
