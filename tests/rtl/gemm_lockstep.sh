#!/usr/bin/env bash
# RTL end-to-end: random BitLinear shapes through `tern gemm --backend verilator` on several
# array presets and both weight formats. Each run is checked three ways at once: lockstep
# (every DRAM write of the RTL against the reference model), the device error code and
# counters against the reference model, and the layer output against the golden matmul.
# The Verilated models are built through make (cached under build/vl).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT" || exit 1

# build PRESET: make the model (once; later runs find it cached)
build() {
	if make -s "build/vl/$1/libtern_vl.so" >"$TMP/build.log" 2>&1; then return 0; fi
	fail "verilate $1" "$(tail -5 "$TMP/build.log" | tr '\n' ' ')"
	return 1
}

# gemm ARRAY WFMT M K N SEED [extra args]
gemm() {
	local array=$1 wfmt=$2 m=$3 k=$4 n=$5 seed=$6; shift 6
	local name="gemm $array $wfmt m$m k$k n$n seed$seed${*:+ $*}"
	"$TERN" gemm --backend verilator --array "$array" --wfmt "$wfmt" --m "$m" --k "$k" --n "$n" \
		--seed "$seed" --quiet "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -eq 0 ]; then pass "$name"
	else fail "$name" "exit $rc: $(head -c 400 "$TMP/err")"; fi
}

# Shapes: deterministic pseudo-random from the seed, plus edges (M, K not multiples of the
# array, one token, K longer than one WBUF fill).
shapes() { # PRESET COUNT MAXM MAXK MAXN
	"$PYTHON3" - "$@" <<'PY'
import random, sys
name, count, mm, mk, mn = sys.argv[1], *map(int, sys.argv[2:])
r = random.Random(name)
for i in range(count):
    print(r.randint(1, mm), r.randint(1, mk), r.randint(1, mn), r.randint(1, 10**6),
          "base3" if i % 2 else "2bit")
PY
}
PYTHON3=${PYTHON:-python3}

for preset in 4x4 8x8 16x16; do
	build "$preset" || continue
	while read -r m k n seed wfmt; do
		gemm "$preset" "$wfmt" "$m" "$k" "$n" "$seed"
	done < <(shapes "$preset" 6 70 150 9)
done
# edges on 8x8: one output, one input, exact multiples, long K (several WBUF fills)
if build 8x8; then
	gemm 8x8 2bit 1 1 1 7
	gemm 8x8 base3 8 8 8 8
	gemm 8x8 2bit 13 2000 2 9
	gemm 8x8 base3 40 700 17 10
fi
# 32x32, the default array, kept small
if build 32x32; then
	gemm 32x32 2bit 64 256 8 11
	gemm 32x32 base3 45 100 3 12
fi
