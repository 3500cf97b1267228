#!/usr/bin/env bash
# The model's own tokenizer against llama.cpp's on real vocabularies (issue 14).
# Two GGUFs carry vocabularies that npm packages ship (tests/tools/vocab_gguf.mjs):
# LLaMA's SentencePiece (llama-tokenizer-js) and Llama 3's byte-level BPE
# (llama3-tokenizer-js). A seeded corpus of 2,000 varied strings is tokenized by
# llama.cpp (node-llama-cpp, vocabOnly) and by `tern tokenize`; at least 99.9% of the
# strings must give identical ids, and every difference is printed. Without npm or
# the registry the comparison prints SKIP lines, never PASS.
. "$(dirname "$0")/../lib.sh"
N=2000
PEERS=(node-llama-cpp llama-tokenizer-js llama3-tokenizer-js)

expect_usage_error "tokenize: no --model" "$TERN_SAN" tokenize --text hi
expect_usage_error "tokenize: missing file" "$TERN_SAN" tokenize --model "$TMP/none.gguf" --text hi
expect_usage_error "tokenize: both --text and --lines-hex" "$TERN_SAN" tokenize --model \
	"$ROOT/model/data/tern-kjv-byte.gguf" --text hi --lines-hex /dev/null

if ! npm_peers "${PEERS[@]}"; then
	for v in llama llama3; do skip "tokenizer $v vs llama.cpp" "npm peers unavailable: $(tail -1 "$TMP/npm.log" 2>/dev/null)"; done
	exit 0
fi
NM=$NPM_PREFIX/node_modules
for v in llama llama3; do
	node "$ROOT/tests/tools/vocab_gguf.mjs" "$NM" $v "$TMP/$v.gguf" || fail "vocab gguf $v"
done
printf '6869\n7a7a' > "$TMP/odd.hex"; printf '6\n' >> "$TMP/odd.hex"
expect_usage_error "tokenize: odd hex line" "$TERN_SAN" tokenize --model "$TMP/llama.gguf" --lines-hex "$TMP/odd.hex"

# Ids that the official Llama 3 library gives (llama3-tokenizer-js's own test case):
# independent of both implementations under test.
out=$("$TERN" tokenize --model "$TMP/llama3.gguf" --text "This is a test sentence." --bos)
[ "$out" = "128000,2028,374,264,1296,11914,13" ] && pass "llama3: the official example" ||
	fail "llama3: the official example" "got $out"

if ! node "$ROOT/tests/tools/tok_compare.mjs" "$NM" $N "$TMP/corpus.hex" "$TMP/llama.gguf" \
	"$TMP/llama.ids" "$TMP/llama3.gguf" "$TMP/llama3.ids" >"$TMP/node.log" 2>&1; then
	for v in llama llama3; do skip "tokenizer $v vs llama.cpp" "node-llama-cpp did not run: $(grep -v '^\[node-llama-cpp\]' "$TMP/node.log" | tail -1)"; done
	exit 0
fi
for v in llama llama3; do
	"$TERN" tokenize --model "$TMP/$v.gguf" --lines-hex "$TMP/corpus.hex" >"$TMP/$v.tern" ||
		{ fail "tokenizer $v vs llama.cpp" "tern tokenize failed"; continue; }
	lines=$(wc -l <"$TMP/$v.tern"); ref=$(wc -l <"$TMP/$v.ids")
	toks=$(cat "$TMP/$v.ids" | wc -w)
	paste -d'|' "$TMP/corpus.hex" "$TMP/$v.ids" "$TMP/$v.tern" | awk -F'|' '$2 != $3' >"$TMP/$v.diff"
	nd=$(wc -l <"$TMP/$v.diff")
	echo "tokenizer $v: $N strings, $toks llama.cpp tokens, $nd strings differ"
	while IFS='|' read -r hex a b; do
		echo "  differs: $(echo "$hex" | xxd -r -p | head -c 80 | od -c | head -2 | tr -s ' ' | tr '\n' ' ')"
		echo "    llama.cpp: $a"; echo "    tern:      $b"
	done <"$TMP/$v.diff"
	if [ "$lines" -ne $N ] || [ "$ref" -ne $N ] || [ "$toks" -lt $((2 * N)) ]; then
		fail "tokenizer $v vs llama.cpp" "$lines/$ref lines, $toks tokens"
	elif [ $((nd * 1000)) -le $N ]; then
		pass "tokenizer $v vs llama.cpp: $((N - nd))/$N strings identical"
	else
		fail "tokenizer $v vs llama.cpp" "$nd/$N strings differ (more than 0.1%)"
	fi
done
