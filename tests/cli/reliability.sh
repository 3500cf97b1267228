#!/usr/bin/env bash
# reliability: what adversarial runs found, one case each (docs/reliability.md).
#  1. arrays with fewer than 4 rows on the fast backend: refused or reported, never a hang
#  2. --out to devices and symlinks is written through, never replaced; --out = input refused
#  3. an interrupted export leaves no temporary file and keeps the old output
#  4. SIGINT/SIGTERM/SIGHUP at random moments of a reported run: one line, 128+N, and the
#     report directory holds the previous complete report (no debris)
#  7. options that do not apply are refused, whatever the other options
. "$(dirname "$0")/../lib.sh"
cd "$TMP" || exit 1

# ---- 1: no hang on tiny arrays (each used to spin for hours)
for arr in 1x1 1x2 1x3 2x1 3x1; do
	expect_usage_error "fast gemm --array $arr: exit 2, one line" \
		"$TERN_SAN" gemm --m 6 --k 1 --n 1 --seed 1 --array $arr --backend fast
done
expect_usage_error "fast run --array 2x1: exit 2, one line" \
	"$TERN" run --model zoo:tiny --backend fast --array 2x1 --tokens 1
expect_usage_error "sweep --arrays 1x2: exit 2, one line" \
	"$TERN" sweep --model zoo:tiny --arrays 1x2 --out "$TMP/sw"

# ---- 2: special files and inputs
gemm() { "$TERN_SAN" gemm --m 16 --k 32 --n 3 --seed 7 --array 4x4 "$@"; }
gemm --out "$TMP/y.bin" >/dev/null 2>&1
expect_usage_error "--out /dev/full: exit 2 (ENOSPC), one line" gemm --out /dev/full
[ -c /dev/full ] && pass "/dev/full is still a character device" || fail "/dev/full replaced"
expect_exit 0 "--out /dev/null: exit 0" gemm --out /dev/null
[ -c /dev/null ] && pass "/dev/null is still a character device" || fail "/dev/null replaced"
gemm --out /dev/stdout 2>/dev/null | cat >"$TMP/y.stdout"   # stdout is a pipe here
python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read() not in open(sys.argv[2],"rb").read())' \
	"$TMP/y.bin" "$TMP/y.stdout" && pass "--out /dev/stdout: the product reaches stdout" ||
	fail "--out /dev/stdout: product not on stdout"
[ -L /dev/stdout ] && pass "/dev/stdout is still a symlink" || fail "/dev/stdout replaced"
mkfifo "$TMP/fifo"
(cat "$TMP/fifo" >"$TMP/y.fifo") &
gemm --out "$TMP/fifo" >/dev/null 2>&1
wait
cmp -s "$TMP/y.bin" "$TMP/y.fifo" && [ -p "$TMP/fifo" ] && pass "--out FIFO: written through" ||
	fail "--out FIFO"
head -c $((16 * 32)) /dev/zero >"$TMP/w.bin"
head -c $((3 * 32)) /dev/zero >"$TMP/x.bin"
sum=$(md5sum <"$TMP/w.bin")
expect_usage_error "gemm --out = --w: refused" "$TERN_SAN" gemm --m 16 --k 32 --n 3 \
	--w "$TMP/w.bin" --x "$TMP/x.bin" --out "$TMP/w.bin"
[ "$(md5sum <"$TMP/w.bin")" = "$sum" ] && pass "the input is unchanged" || fail "input replaced"
expect_usage_error "export --out /dev/full: exit 2" "$TERN_SAN" export --model zoo:tiny --out /dev/full
[ -c /dev/full ] && pass "/dev/full survives export" || fail "/dev/full replaced by export"
"$TERN" export --model zoo:tiny --out "$TMP/t.gguf" 2>/dev/null
sum=$(md5sum <"$TMP/t.gguf")
expect_usage_error "export --out = --model: refused" "$TERN_SAN" export --model "$TMP/t.gguf" --out "$TMP/t.gguf"
[ "$(md5sum <"$TMP/t.gguf")" = "$sum" ] && pass "the input model is unchanged" || fail "model replaced"

# ---- 3: interrupted export (a 0.7B model takes seconds to write)
echo "old" >"$TMP/big.gguf"
for sig in INT TERM HUP; do
	"$TERN" export --model zoo:bitnet-b1.58-large --out "$TMP/big.gguf" 2>"$TMP/exp.err" &
	pid=$!
	# wait until the temporary file exists, so the signal lands mid-write
	for _ in $(seq 200); do ls "$TMP"/big.gguf.tmp* >/dev/null 2>&1 && break; sleep 0.05; done
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	left=$(ls "$TMP"/big.gguf.tmp* 2>/dev/null | wc -l)
	if [ $rc -eq $want ] && [ "$left" -eq 0 ] && [ "$(cat "$TMP/big.gguf")" = old ] &&
	   [ "$(wc -l <"$TMP/exp.err")" -eq 1 ]; then
		pass "export SIG$sig: exit $want, one line, no temporary, old file kept"
	else fail "export SIG$sig" "exit $rc (want $want), $left temporaries, $(head -c 200 "$TMP/exp.err")"; fi
done

# ---- 4: signals at random moments of a reported run
complete() { # DIR holds a whole report and nothing else
	local d=$1 f
	for f in report.json layers.csv summary.md cycles.png energy.png roofline.png units.png; do
		[ -s "$d/$f" ] || return 1
	done
	[ "$(ls -A "$d" | wc -l)" -eq 7 ]
}
R="$TMP/rep/a/b"
"$TERN" run --model zoo:tiny --tokens 8 --report "$R" --quiet >/dev/null 2>&1
complete "$R" && pass "report into a new nested directory" || fail "first report incomplete"
bad=0; stopped=0
for i in $(seq 24); do
	sig=$(echo "INT TERM HUP" | cut -d' ' -f$((i % 3 + 1)))
	"$TERN" run --model zoo:tiny --tokens 8 --report "$R" --quiet >/dev/null 2>"$TMP/run.err" &
	pid=$!
	# from 0.1 s on: before that the process may still be in exec and the loader, before
	# main() has installed the handlers (the default action then kills it silently)
	sleep "0.$(printf '%02d' $(( 10 + (i * 37) % 60 )))"
	kill -$sig $pid 2>/dev/null
	wait $pid
	rc=$?
	if [ $rc -ne 0 ]; then
		stopped=$((stopped + 1))
		if [ $rc -ne $((128 + $(kill -l $sig))) ] || [ "$(wc -l <"$TMP/run.err")" -ne 1 ]; then
			bad=$((bad + 1)); echo "run $i SIG$sig: exit $rc: $(cat "$TMP/run.err")"
		fi
	fi
	complete "$R" || { bad=$((bad + 1)); echo "run $i SIG$sig: report dir: $(ls -A "$R" | tr '\n' ' ')"; }
done
[ $bad -eq 0 ] && pass "24 runs signalled at random times ($stopped stopped): one line, 128+N, report whole" ||
	fail "signalled runs" "$bad bad"

# ---- 7: options that do not apply
expect_usage_error "run --tech nope without --report" "$TERN_SAN" run --model zoo:tiny --tech nope --tokens 1
expect_usage_error "gemm --fst on ref" "$TERN_SAN" gemm --m 8 --k 8 --n 1 --seed 1 --fst "$TMP/w.fst"
expect_usage_error "gemm --fst on fast" "$TERN_SAN" gemm --m 8 --k 8 --n 1 --seed 1 --backend fast --fst "$TMP/w.fst"
expect_usage_error "gemm --no-lockstep on ref" "$TERN_SAN" gemm --m 8 --k 8 --n 1 --seed 1 --no-lockstep
[ ! -e "$TMP/w.fst" ] && pass "no waveform file written" || fail "waveform written"
for l in "8x8,,16x16" ",8x8" "8x8,"; do
	expect_usage_error "sweep --arrays '$l'" "$TERN_SAN" sweep --model zoo:tiny --arrays "$l" --out "$TMP/sw"
done
expect_usage_error "sweep --wfmt '2bit,'" "$TERN_SAN" sweep --model zoo:tiny --wfmt "2bit," --out "$TMP/sw"
