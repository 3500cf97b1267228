#!/usr/bin/env bash
# The SystemC/TLM-2.0 platform (docs/systemc.md), on the 4x4 preset (quick to build):
#  - tern gemm --backend systemc writes exactly the independent product (random shapes from
#    a fixed seed, both weight formats), lockstep on;
#  - its counters (cycles included) equal the verilator backend's at two DRAM settings;
#  - every fault case of tests/rtl/tern_vl_faults.c on the systemc backend (illegal opcode
#    and the rest: same error code and index as the reference model);
#  - tern run zoo:tiny: same tokens as ref, all checks passed;
#  - the TLM-only model: cycles equal the fast backend's (gemm and a model run), and its
#    interrupt comes exactly CYCLES clock periods after START (the backend checks it);
#  - the example platform builds and runs from make: outputs right, cycles printed, the
#    interrupt a few cycles after the CYCLES counter stops.
# Skipped (no PASS/FAIL lines) without libsystemc-dev.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
T=$TERN
IND=$ROOT/build/tests/indep_matmul
if [ ! -f /usr/include/systemc.h ]; then
	echo "SKIP: libsystemc-dev not installed"
	exit 0
fi
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# -- exact products on files the tool has never seen
read -r -a shapes <<<"$(python3 -c 'import random; r=random.Random(11); print(" ".join("%d,%d,%d" % (r.randint(1,90), r.randint(1,300), r.randint(1,9)) for _ in range(4)))')"
i=0
for s in "${shapes[@]}"; do
	IFS=, read -r m k n <<<"$s"
	for fmt in 2bit base3; do
		i=$((i + 1))
		name="systemc gemm ${m}x${k}x${n} $fmt"
		"$IND" gen "$((40 + i))" "$m" "$k" "$n" "$TMP/w" "$TMP/x" && "$IND" mul "$m" "$k" "$n" "$TMP/w" "$TMP/x" "$TMP/want" || { fail "$name" "oracle"; continue; }
		rm -f "$TMP/y"
		if ! "$T" gemm --m "$m" --k "$k" --n "$n" --w "$TMP/w" --x "$TMP/x" --out "$TMP/y" --array 4x4 --wfmt "$fmt" --backend systemc --json >"$TMP/g.json" 2>"$TMP/log"; then
			fail "$name" "exit $?: $(tail -2 "$TMP/log")"
		elif ! cmp -s "$TMP/y" "$TMP/want"; then fail "$name" "output differs from the independent product"
		elif [ "$(json_get "$TMP/g.json" 'j["checks"]["lockstep"]')" != passed ]; then fail "$name" "lockstep not passed"
		else pass "$name"; fi
	done
done

# -- cycles and every counter equal the verilator backend's
for dram in "" "--dram-latency 7 --dram-bw 4"; do
	# shellcheck disable=SC2086
	"$T" gemm --m 50 --k 200 --n 5 --seed 3 --array 4x4 --wfmt base3 $dram --backend verilator --json >"$TMP/v.json" 2>"$TMP/err"
	# shellcheck disable=SC2086
	"$T" gemm --m 50 --k 200 --n 5 --seed 3 --array 4x4 --wfmt base3 $dram --backend systemc --json >"$TMP/s.json" 2>"$TMP/err"
	v=$(json_get "$TMP/v.json" 'j["counters"]' 2>&1) s=$(json_get "$TMP/s.json" 'j["counters"]' 2>&1)
	if [ "$v" = "$s" ] && [ "$(json_get "$TMP/s.json" 'j["cycles"] > 0')" = True ]; then
		pass "systemc counters equal verilator's (DRAM ${dram:-default})"
	else fail "systemc counters equal verilator's (DRAM ${dram:-default})" "verilator $v / systemc $s"; fi
done

# -- error paths: illegal opcode and the rest, same code and index as the reference model
make -s build/tests/rtl/tern_vl_faults >"$TMP/b.log" 2>&1 || fail "systemc faults build" "$(tail -3 "$TMP/b.log")"
TERN_FAULTS_BACKEND=systemc build/tests/rtl/tern_vl_faults 4x4 | sed 's/^\(PASS\|FAIL\): faults/\1: systemc faults/'

# -- a model: same tokens as ref, every check passed
"$T" run --quiet --json --model zoo:tiny --array 4x4 --tokens 3 --backend ref >"$TMP/ref.json" 2>"$TMP/err"
if "$T" run --quiet --json --model zoo:tiny --array 4x4 --tokens 3 --backend systemc >"$TMP/sc.json" 2>"$TMP/err" &&
   [ "$(json_get "$TMP/ref.json" 'j["tokens"]')" = "$(json_get "$TMP/sc.json" 'j["tokens"]')" ] &&
   [ "$(json_get "$TMP/sc.json" '(j["checks"]["lockstep"], j["checks"]["layer"], j["checks"]["model"])')" = "('passed', 'passed', 'passed')" ]; then
	pass "systemc tiny: tokens equal ref, lockstep/layer/model passed"
else fail "systemc tiny: tokens equal ref, lockstep/layer/model passed" "$(head -c 300 "$TMP/err")"; fi

# -- the TLM-only model: the fast model's cycles, reference results
for s in "70 300 4 2bit" "33 129 9 base3"; do
	read -r m k n fmt <<<"$s"
	"$T" gemm --m "$m" --k "$k" --n "$n" --seed 5 --wfmt "$fmt" --array 8x8 --backend fast --json >"$TMP/f.json" 2>"$TMP/err"
	if "$T" gemm --m "$m" --k "$k" --n "$n" --seed 5 --wfmt "$fmt" --array 8x8 --backend systemc-tlm --json >"$TMP/t.json" 2>"$TMP/err" &&
	   [ "$(json_get "$TMP/t.json" 'j["counters"]')" = "$(json_get "$TMP/f.json" 'j["counters"]')" ] &&
	   [ "$(json_get "$TMP/t.json" 'j["checks"]["golden"]')" = passed ]; then
		pass "systemc-tlm gemm $s: counters equal fast's, golden passed"
	else fail "systemc-tlm gemm $s: counters equal fast's, golden passed" "$(head -c 300 "$TMP/err")"; fi
done
"$T" run --quiet --json --model zoo:tiny --tokens 3 --backend fast >"$TMP/f.json" 2>"$TMP/err"
if "$T" run --quiet --json --model zoo:tiny --tokens 3 --backend systemc-tlm >"$TMP/t.json" 2>"$TMP/err" &&
   [ "$(json_get "$TMP/t.json" '(j["tokens"], j["prefill_cycles"], j["decode_cycles"])')" = "$(json_get "$TMP/f.json" '(j["tokens"], j["prefill_cycles"], j["decode_cycles"])')" ]; then
	pass "systemc-tlm tiny: tokens and cycles equal fast's"
else fail "systemc-tlm tiny: tokens and cycles equal fast's" "$(head -c 300 "$TMP/err")"; fi

# -- the example platform, from make
if make -s sc-example SC_ARRAY=4x4 SC_EX_ARGS="48 200 3 base3" >"$TMP/ex.log" 2>&1; then
	line=$(grep '^tern_sc_example:' "$TMP/ex.log")
	got=$(python3 -c '
import re,sys
m=re.search(r"(\d+) cycles \((\d+) ns of simulated time to the interrupt\), error code 0, 0 of 144 outputs wrong", sys.argv[1])
print(bool(m) and int(m[1]) > 0 and 5*int(m[1]) <= int(m[2]) <= 5*int(m[1]) + 50)' "$line")
	if [ "$got" = True ]; then pass "example platform: $line"; else fail "example platform" "$line"; fi
else fail "example platform builds and runs" "$(tail -3 "$TMP/ex.log")"; fi
