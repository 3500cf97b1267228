#!/usr/bin/env bash
# The uio backend against `tern devsim` (the Verilated RTL behind a simulated Linux UIO
# tree, docs/boards.md): tern gemm --backend uio writes exactly the product of an
# independent program (tests/tools/indep_matmul.c) for several shapes and both weight
# formats, with the verilator backend's cycle count (same RTL, same DRAM model); tern run
# --model zoo:tiny gives the ref backend's tokens; bad uses of the board options fail
# with one line and exit 2; a stopped simulator is reported, not waited for.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
IND=$ROOT/build/tests/indep_matmul
D=$TMP/uio
"$TERN" devsim --array 4x4 --uio-root "$D" >"$TMP/devsim.out" 2>"$TMP/devsim.err" &
SIM=$!
trap 'kill $SIM 2>/dev/null; wait $SIM 2>/dev/null; rm -rf "$TMP"' EXIT
# The first use may build the 4x4 model: wait for the ready line (or the simulator's end).
while kill -0 $SIM 2>/dev/null && ! grep -q '^devsim: ready' "$TMP/devsim.out"; do sleep 0.2; done
if grep -q '^devsim: ready 4x4' "$TMP/devsim.out" && [ -p "$D/dev/uio0" ] &&
	[ "$(cat "$D/sys/class/uio/uio0/name")" = tern ] &&
	[ "$(cat "$D/sys/class/uio/uio0/maps/map1/addr")" = 0x30000000 ]; then
	pass "devsim_tree"
else
	fail "devsim_tree" "$(tail -2 "$TMP/devsim.err")"; exit 0
fi

gemm_case() { # SEED M K N WFMT
	local name="uio_gemm_${2}x${3}x${4}_$5"
	"$IND" gen "$1" "$2" "$3" "$4" "$TMP/w" "$TMP/x" && "$IND" mul "$2" "$3" "$4" "$TMP/w" "$TMP/x" "$TMP/want" || { fail "$name" "oracle"; return; }
	rm -f "$TMP/y"
	if ! "$TERN" gemm --m "$2" --k "$3" --n "$4" --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" --array 4x4 \
		--wfmt "$5" --backend uio --uio-root "$D" --json >"$TMP/j" 2>"$TMP/log"; then
		fail "$name" "exit $?: $(tail -2 "$TMP/log")"; return
	fi
	cmp -s "$TMP/y" "$TMP/want" || { fail "$name" "output differs from the independent product"; return; }
	# The same RTL behind the verilator backend takes the same number of cycles.
	"$TERN" gemm --m "$2" --k "$3" --n "$4" --w "$TMP/w" --x "$TMP/x" --array 4x4 --wfmt "$5" \
		--backend verilator --json --quiet >"$TMP/jv" 2>&1
	local cu cv
	cu=$(grep -o '"cycles":[0-9]*' "$TMP/j" | head -1); cv=$(grep -o '"cycles":[0-9]*' "$TMP/jv" | head -1)
	if [ -n "$cu" ] && [ "$cu" = "$cv" ]; then pass "$name"
	else fail "$name" "uio $cu, verilator $cv"; fi
}
gemm_case 1 12 40 5 2bit
gemm_case 2 33 300 7 base3
gemm_case 3 64 64 16 2bit
gemm_case 4 1 1 1 base3

"$TERN" run --model zoo:tiny --array 4x4 --tokens 4 --backend ref --json >"$TMP/ref.json" 2>/dev/null
if "$TERN" run --model zoo:tiny --array 4x4 --tokens 4 --backend uio --uio-root "$D" --json \
	>"$TMP/uio.json" 2>"$TMP/log"; then
	a=$(grep -o '"tokens":\[[0-9,]*\]' "$TMP/ref.json"); b=$(grep -o '"tokens":\[[0-9,]*\]' "$TMP/uio.json")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "uio_run_tiny_tokens_equal_ref"
	else fail "uio_run_tiny_tokens_equal_ref" "ref $a, uio $b"; fi
else fail "uio_run_tiny_tokens_equal_ref" "exit $?: $(tail -2 "$TMP/log")"; fi

# Bad uses: one line, exit 2.
bad() { # NAME WANT ARGS...
	local name=$1 want=$2; shift 2
	"$TERN" "$@" >"$TMP/o" 2>"$TMP/e"; local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -q "$want" "$TMP/e" && [ ! -s "$TMP/o" ]; then pass "$name"
	else fail "$name" "exit $rc: $(head -2 "$TMP/e")"; fi
}
bad uio_wrong_array "is a 4x4 array, not the 8x8" gemm --m 4 --k 4 --n 1 --seed 1 --array 8x8 --backend uio --uio-root "$D"
bad uio_root_without_uio "needs --backend uio" gemm --m 4 --k 4 --n 1 --seed 1 --uio-root "$D"
bad uio_no_tree "no $TMP/none/sys/class/uio" gemm --m 4 --k 4 --n 1 --seed 1 --array 4x4 --backend uio --uio-root "$TMP/none"
bad devsim_no_root "uio-root DIR is required" devsim --array 4x4
bad serial_no_port "needs --port" gemm --m 4 --k 4 --n 1 --seed 1 --backend serial

# A simulator that is gone is reported, never waited for.
kill $SIM; wait $SIM 2>/dev/null
bad uio_devsim_gone "device simulator" gemm --m 4 --k 4 --n 1 --seed 1 --array 4x4 --backend uio --uio-root "$D"
