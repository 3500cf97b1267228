#!/usr/bin/env bash
# tern train and tern perplexity: a short training run on generated text writes a GGUF
# with the byte tokenizer; tern perplexity (the inference forward pass) agrees with the
# trainer's own held-out figure; a second run with other thread counts writes the
# identical file; bad inputs fail with exit 2 and one line; the shipped model's text
# comes out of tern run readable. (The full run is `make train`, not run here.)
source "$(dirname "$0")/../lib.sh"
MODEL=$ROOT/model/data/tern-kjv-byte.gguf

python3 - "$TMP/text.txt" <<'PY'
import sys
words = "and the lord said unto them behold i will go up into the land of the people".split()
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        n = 5 + (i * 7) % 9
        f.write(" ".join(words[(i * 3 + j * j) % len(words)] for j in range(n)).capitalize() + ".\n")
PY

args=(--data "$TMP/text.txt" --steps 4 --batch 2 --layers 1 --ff 256 --ctx 16 --eval-windows 20)
if "$TERN" train "${args[@]}" --threads 1 --out "$TMP/a.gguf" >"$TMP/train1" 2>"$TMP/err"; then
	pass "train exits 0"
else
	fail "train exits 0" "$(head -c 300 "$TMP/err")"
fi
"$TERN" train "${args[@]}" --threads 3 --quiet --out "$TMP/b.gguf" >/dev/null 2>&1
if [ -s "$TMP/a.gguf" ] && cmp -s "$TMP/a.gguf" "$TMP/b.gguf"; then
	pass "same model for 1 and 3 threads"
else
	fail "same model for 1 and 3 threads"
fi
# The trainer's a1.58 held-out figure and tern perplexity's come from different code
# (trainer float path vs tern_forward's integer matmuls) over the same windows.
t=$(sed -n 's/.*a1.58) *\([0-9.]*\) nats.*/\1/p' "$TMP/train1")
if "$TERN" perplexity --model "$TMP/a.gguf" --data "$TMP/text.txt" --windows 20 >"$TMP/ppl" 2>"$TMP/err"; then
	p=$(sed -n 's/.*bytes, \([0-9.]*\) nats.*/\1/p' "$TMP/ppl")
	if python3 -c "import sys; a,b=float('$t'),float('$p'); sys.exit(not (0 < a < 5.6 and abs(a-b) < 1e-3*a))"; then
		pass "perplexity agrees with the trainer ($t vs $p nats/byte)"
	else
		fail "perplexity agrees with the trainer" "trainer '$t' perplexity '$p'"
	fi
else
	fail "perplexity exits 0" "$(head -c 300 "$TMP/err")"
fi

expect_usage_error "train without --out" "$TERN_SAN" train --data "$TMP/text.txt"
expect_usage_error "train missing data file" "$TERN_SAN" train --data "$TMP/nope.txt" --out "$TMP/x.gguf"
expect_usage_error "train --ff not a multiple of 256" "$TERN_SAN" train --data "$TMP/text.txt" --out "$TMP/x.gguf" --ff 300
expect_usage_error "train --quant bad" "$TERN_SAN" train --data "$TMP/text.txt" --out "$TMP/x.gguf" --quant a2
expect_usage_error "train --lr 0" "$TERN_SAN" train --data "$TMP/text.txt" --out "$TMP/x.gguf" --lr 0
expect_usage_error "train --lr not a number" "$TERN_SAN" train --data "$TMP/text.txt" --out "$TMP/x.gguf" --lr 4e-3x
head -c 3000 "$TMP/text.txt" >"$TMP/short.txt"
expect_usage_error "train on too little text" "$TERN_SAN" train --data "$TMP/short.txt" --out "$TMP/x.gguf"
expect_usage_error "perplexity on a zoo model" "$TERN_SAN" perplexity --model zoo:tiny --data "$TMP/text.txt"
expect_usage_error "perplexity without --data" "$TERN_SAN" perplexity --model "$TMP/a.gguf"
if [ -e "$TMP/x.gguf" ]; then fail "failed runs leave no output"; else pass "failed runs leave no output"; fi

# The model in the box: real text in, readable text out (reference backend here;
# make run does the same, same prompt and sampling, on the Verilated RTL). Readable,
# measured: of the complete words generated (the last, maybe cut, word dropped), at
# least 80% are words of the KJV (the bible program's text, the training source); a
# random byte string has almost none, a model that spells badly fails.
if [ ! -s "$MODEL" ]; then
	fail "shipped model present" "$MODEL missing"
elif ! "$TERN" run --model "$MODEL" --backend ref --prompt "And God said unto Moses, " --tokens 64 \
	--top-k 3 --seed 3 >"$TMP/run" 2>"$TMP/err"; then
	fail "shipped model runs" "$(head -c 300 "$TMP/err")"
elif ! command -v bible >/dev/null; then
	skip "shipped model writes KJV words" "no bible program (make deps installs bible-kjv)"
else
	txt=$(sed -n 's/^  text      "\(.*\)"$/\1/p' "$TMP/run")
	bible -f "gen1:1-rev22:21" | sed 's/^[^ ]* //' >"$TMP/kjv.txt"
	if python3 - "$TMP/kjv.txt" "$txt" <<'PY' >"$TMP/words" 2>&1; then
import re, sys
vocab = set(re.findall(r"[a-z]+", open(sys.argv[1]).read().lower()))
words = re.findall(r"[a-z]+", sys.argv[2].lower())[:-1]
good = [w for w in words if w in vocab]
print('%d of %d words are KJV words' % (len(good), len(words)))
sys.exit(0 if len(words) >= 8 and len(good) >= 0.8 * len(words) else 1)
PY
		pass "shipped model writes KJV words ($(cat "$TMP/words")): \"$txt\""
	else
		fail "shipped model writes KJV words" "$(cat "$TMP/words"): '$txt'"
	fi
fi
