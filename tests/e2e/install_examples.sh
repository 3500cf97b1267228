#!/usr/bin/env bash
# tern as a library, used from an INSTALLED tree (docs/api.md): `make install PREFIX=$TMP/p`,
# then from outside the source tree
#  - every public header compiles alone as <tern/NAME.h> with `pkg-config --cflags tern`;
#  - examples/gemm.c built with `pkg-config --cflags --libs tern` (the shared library, found
#    through the rpath tern.pc gives) runs a layer on the ref and fast backends and on the
#    verilator backend with a NON-preset config (12x20 lanes, other buffer depths, queue
#    depth 4, bus 16), whose model it Verilates from the installed sources into a cache in
#    $TMP; its output files equal the independent product (tests/tools/indep_matmul.c);
#  - the same program linked against libtern.a runs with TERN_HOME;
#  - examples/model_run.c prints per-layer cycles on the fast backend that equal
#    `tern gemm --backend fast` of the same shape (run by the installed tern);
#  - make uninstall removes every file.
source "$(dirname "$0")/../lib.sh"
IND=$ROOT/build/tests/indep_matmul
P=$TMP/p
if make -s -C "$ROOT" install PREFIX="$P" >"$TMP/install.log" 2>&1; then
	pass "install: make install PREFIX=\$TMP/p"
else fail "install" "$(tail -3 "$TMP/install.log")"; exit 0; fi
export PKG_CONFIG_PATH=$P/lib/pkgconfig TERN_CACHE=$TMP/cache
unset TERN_HOME
cd "$TMP" || exit 1 # outside the source tree from here on
CFLAGS_T=$(pkg-config --cflags tern)
LIBS_T=$(pkg-config --libs tern)

bad=""
for h in "$P"/include/tern/tern_*.h; do
	n=${h##*/}
	printf '#include <tern/%s>\nint main(void) { return 0; }\n' "$n" >"$TMP/h.c"
	cc -std=c11 -Wall -Wextra -Werror $CFLAGS_T -c "$TMP/h.c" -o "$TMP/h.o" 2>>"$TMP/h.log" || bad="$bad $n"
done
if [ -z "$bad" ] && [ -f "$P/include/tern/tern_isa.h" ]; then
	pass "install: every public header compiles alone as <tern/...>"
else fail "install: headers" "$bad: $(head -3 "$TMP/h.log")"; fi

ex() { # ex NAME OUT EXTRA_LINK...: build examples/NAME.c as OUT
	local name=$1 out=$2; shift 2
	cc -std=c11 -Wall -Wextra -Werror "$ROOT/examples/$name.c" $CFLAGS_T "$@" -o "$out" 2>"$TMP/cc.log"
}
if ex gemm "$TMP/gemm" $LIBS_T && ldd "$TMP/gemm" | grep -q "$P/lib/libtern.so"; then
	pass "install: examples/gemm.c builds with pkg-config --cflags --libs tern (shared)"
else fail "install: build gemm" "$(head -3 "$TMP/cc.log")"; exit 0; fi

case_() { # case_ NAME BINARY BACKEND CONFIG M K N SEED
	local name=$1 bin=$2 be=$3 cfg=$4 m=$5 k=$6 n=$7 s=$8
	"$IND" gen "$s" "$m" "$k" "$n" "$TMP/w" "$TMP/x" && "$IND" mul "$m" "$k" "$n" "$TMP/w" "$TMP/x" "$TMP/want"
	rm -f "$TMP/y"
	if ! "$bin" "$be" "$cfg" "$m" "$k" "$n" "$TMP/w" "$TMP/x" "$TMP/y" >"$TMP/out" 2>"$TMP/err"; then
		fail "$name" "exit $?: $(tail -2 "$TMP/err") $(cat "$TMP/out")"
	elif ! grep -q ' 0 of [0-9]* outputs differ' "$TMP/out"; then fail "$name" "$(cat "$TMP/out")"
	elif cmp -s "$TMP/y" "$TMP/want"; then pass "$name: $(cat "$TMP/out")"
	else fail "$name" "output differs from the independent product"; fi
}
case_ "install: gemm example, ref" "$TMP/gemm" ref 8x8 70 300 5 21
case_ "install: gemm example, fast" "$TMP/gemm" fast 16x16 70 300 5 22
case_ "install: gemm example, verilator, non-preset 12x20 (depths 64/256/128, bus 16, queue 4)" \
	"$TMP/gemm" verilator 12,20,64,256,128,16,4 100 700 9 23
if [ -f "$TMP/cache/12x20-w64-a256-c128-b16-q4/libtern_vl.so" ] &&
   [ -f "$TMP/cache/12x20-w64-a256-c128-b16-q4/stamp" ]; then
	pass "install: the model was built from the installed sources into \$TERN_CACHE"
else fail "install: model cache" "$(ls "$TMP/cache" 2>&1)"; fi

if ex gemm "$TMP/gemm_static" "$P/lib/libtern.a" -lm -ldl -lpthread && ! ldd "$TMP/gemm_static" | grep -q libtern; then
	case_ "install: gemm example, static, ref" "$TMP/gemm_static" ref 4x4 33 65 2 24
	TERN_HOME=$P/share/tern case_ "install: gemm example, static, TERN_HOME, verilator" \
		"$TMP/gemm_static" verilator 12,20,64,256,128,16,4 40 100 3 25
else fail "install: static link" "$(head -3 "$TMP/cc.log")"; fi

if ex model_run "$TMP/model_run" $LIBS_T && "$TMP/model_run" fast zoo:tiny 2 8x8 >"$TMP/mr" 2>"$TMP/err"; then
	# per-layer lines: "  blk.0.attn_q   256x256   1873 cycles"; two tokens, 2 layers x 7
	lines=$(grep -c '^  blk\.[0-9]*\.[a-z_]* .* [0-9]* cycles$' "$TMP/mr")
	q=$(awk '$1 == "blk.0.attn_q" { print $2 " " $3; exit }' "$TMP/mr")
	shape=${q% *}; cyc=${q#* }
	want=$("$P/bin/tern" gemm --m "${shape%x*}" --k "${shape#*x}" --n 1 --seed 1 --array 8x8 --backend fast --quiet |
		sed -n 's/^  cycles *\([0-9]*\).*/\1/p')
	if [ "$lines" -eq 28 ] && [ -n "$cyc" ] && [ "$cyc" = "$want" ] && grep -q -- '-> token' "$TMP/mr"; then
		pass "install: model_run example: 28 per-layer cycle lines; blk.0.attn_q $shape = $cyc cycles as tern gemm"
	else fail "install: model_run" "lines $lines, attn_q '$q' vs tern gemm '$want'"; fi
else fail "install: model_run" "$(head -3 "$TMP/cc.log" "$TMP/err")"; fi

make -s -C "$ROOT" uninstall PREFIX="$P" >"$TMP/un.log" 2>&1
left=$(find "$P" -type f -o -type l | head -3)
if [ -z "$left" ]; then pass "install: make uninstall removes every installed file"
else fail "install: uninstall" "left: $left"; fi
