# Shared by the tern shard tests (sourced after tests/lib.sh; not a test itself).
#
#   shard_reference DIR   the single-machine run: tern run --backend verilator on zoo:tiny
#                         (RUN_OPTS), JSON in DIR.json, report in DIR
#   shard_same NAME A B   PASS when merged run B equals single run A: tokens, per-step
#                         cycles and MACs, checks, and every per-layer row of layers.csv
RUN_OPTS=(--model zoo:tiny --tokens 3 --prompt-tokens 5,6,7)

shard_reference() {
	"$TERN" run --backend verilator "${RUN_OPTS[@]}" --quiet --json --report "$1" >"$1.json" 2>"$1.err"
}

shard_same() {
	local name=$1 a=$2 b=$3 why
	why=$(python3 - "$a.json" "$b.json" <<-'PY'
	import json, sys
	a, b = (json.load(open(f)) for f in sys.argv[1:3])
	keys = ["backend", "prompt_tokens", "tokens", "prefill_cycles", "decode_cycles",
	        "prefill_macs", "decode_macs", "checks", "ok"]
	bad = [k for k in keys if a.get(k) != b.get(k)]
	if not a.get("ok") or a.get("prefill_cycles") is None or len(a.get("tokens", [])) != 3:
	    bad.append("reference run incomplete")
	print(", ".join("%s: %s vs %s" % (k, a.get(k), b.get(k)) for k in bad))
	PY
	)
	if [ -n "$why" ]; then fail "$name" "$why"
	elif ! cmp -s "$a/layers.csv" "$b/layers.csv"; then
		fail "$name" "layers.csv differs: $(diff "$a/layers.csv" "$b/layers.csv" | head -3)"
	elif [ "$(wc -l <"$a/layers.csv")" -lt 10 ]; then fail "$name" "layers.csv has too few rows"
	else pass "$name"; fi
}
