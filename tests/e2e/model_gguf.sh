#!/usr/bin/env bash
# tern export + tern run --model FILE.gguf: the tiny zoo model written as TQ2_0, TQ1_0
# and I2_S generates exactly the tokens of the zoo model; bad files and options exit 2.
source "$(dirname "$0")/../lib.sh"
T=$TERN
S=$TERN_SAN; [ -x "$S" ] || S=$T

tokens() { # tokens MODEL ARGS...: the generated ids, or ERR
	local m=$1; shift
	"$T" run --quiet --json --model "$m" "$@" 2>"$TMP/err" |
		python3 -c "import json,sys; j=json.load(sys.stdin); print(j['tokens'] if j['ok'] else 'FAILED')" 2>/dev/null || echo ERR
}

args=(--prompt-tokens 7,99,5 --tokens 8)
want=$(tokens zoo:tiny "${args[@]}")
want_k=$(tokens zoo:tiny "${args[@]}" --top-k 5 --seed 3)
for t in tq2_0 tq1_0 i2_s; do
	f=$TMP/tiny_$t.gguf
	if "$T" export --model zoo:tiny --out "$f" --wtype "$t" 2>"$TMP/err" && [ -s "$f" ]; then pass "export $t"
	else fail "export $t" "$(head -c 300 "$TMP/err")"; continue; fi
	got=$(tokens "$f" "${args[@]}")
	if [ "$got" = "$want" ]; then pass "$t file generates the zoo tokens"; else fail "$t file generates the zoo tokens" "$got vs $want"; fi
	got=$(tokens "$f" "${args[@]}" --top-k 5 --seed 3)
	if [ "$got" = "$want_k" ]; then pass "$t file samples the zoo tokens"; else fail "$t file samples the zoo tokens" "$got vs $want_k"; fi
done

head -c 20000 "$TMP/tiny_tq2_0.gguf" >"$TMP/trunc.gguf"
expect_usage_error "truncated gguf" "$S" run --model "$TMP/trunc.gguf"
expect_usage_error "export unknown wtype" "$S" export --model zoo:tiny --out "$TMP/x.gguf" --wtype q4_0
expect_usage_error "export unknown model" "$S" export --model zoo:nope --out "$TMP/x.gguf"
expect_usage_error "export without --out" "$S" export --model zoo:tiny
expect_usage_error "export shape the type cannot hold" "$S" export --model zoo:bitnet-b1.58-3b --out "$TMP/x.gguf"
expect_usage_error "export unwritable" "$S" export --model zoo:tiny --out "$TMP/nodir/x.gguf"
if [ ! -e "$TMP/x.gguf" ]; then pass "failed exports leave no file"; else fail "failed exports leave no file"; fi
