#!/usr/bin/env bash
# include_order: the library's folders depend on each other in one direction only.
# The order (lowest first) is the one docs/architecture.md states:
#   build/gen  ref  compiler  sim  driver  model  perf  cli
# A file may include headers of its own folder or of a folder before it. Every quoted
# #include of every .c/.h/.cpp in those folders is resolved to the folder that holds the
# header; an include that points later in the order, or a header found nowhere, fails.
# The public headers live in include/tern/ (installed as <tern/...>); each belongs to the
# layer of the table PUBLIC below, is checked as a file of that layer, and may include only
# other public headers or the generated tern_isa.h (installed beside them).
# A second case checks that the test itself catches a bad include.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
ORDER="gen ref compiler sim driver model perf cli"

PUBLIC="tern_compile.h:compiler tern_driver.h:driver tern_gemm.h:driver tern_model.h:model
tern_gguf.h:model tern_report.h:perf tern_energy.h:perf tern_board.h:perf"

public_layer() { # public header name -> its layer, or empty
	local e
	for e in $PUBLIC; do [ "${e%%:*}" = "$1" ] && { echo "${e#*:}"; return; }; done
}

rank() { # folder name -> position in ORDER, or empty
	local i=0 f
	for f in $ORDER; do [ "$f" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done
}

# home HEADER: the folder of ORDER that holds it ("gen" for the generated headers).
home() {
	local f
	case "$1" in tern_isa.h|tern_isa.svh) echo gen; return;; esac
	[ -f "$ROOT/build/gen/$1" ] && { echo gen; return; }  # any other generated header
	[ -f "include/tern/$1" ] && { public_layer "$1"; return; }
	for f in $ORDER; do [ "$f" != gen ] && [ -f "$f/$1" ] && { echo "$f"; return; }; done
}

# files_of ROOTDIR LAYER: the files that belong to LAYER (its folder and its public headers).
files_of() {
	local e
	ls "$1/$2"/*.c "$1/$2"/*.h "$1/$2"/*.cpp 2>/dev/null
	for e in $PUBLIC; do [ "${e#*:}" = "$2" ] && echo "$1/include/tern/${e%%:*}"; done
}

# check ROOTDIR: prints one line per bad include found under ROOTDIR's folders.
check() {
	local base=$1 f dir hdr hd
	for f in "$base"/include/tern/*.h; do
		[ -f "$f" ] || continue
		[ -n "$(public_layer "${f##*/}")" ] || echo "$f: public header missing from the layer table"
		while IFS= read -r hdr; do
			[ "$hdr" = tern_isa.h ] || [ -f "$base/include/tern/$hdr" ] ||
				echo "$f: includes \"$hdr\", which is not a public header"
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
	for dir in $ORDER; do
		[ "$dir" = gen ] && continue
		for f in $(files_of "$base" "$dir"); do
			[ -f "$f" ] || continue
			while IFS= read -r hdr; do
				case "$hdr" in V*|verilated*) continue;; esac  # Verilator's own output
				hd=$( (cd "$base" && home "$hdr") )
				if [ -z "$hd" ]; then echo "$f: \"$hdr\" found in no library folder"
				elif [ "$(rank "$hd")" -gt "$(rank "$dir")" ]; then
					echo "$f: includes $hd/$hdr, but $hd comes after $dir"
				fi
			done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
		done
	done
}

bad=$(check .)
if [ -z "$bad" ]; then pass "include order: no include points against the order"
else fail "include order" "$(echo "$bad" | head -5 | tr '\n' ';')"; fi

# The checker must see a violation: copy the tree's headers, plant ref -> driver.
mkdir -p "$TMP/t"
for d in $ORDER include; do [ -d "$d" ] && cp -r "$d" "$TMP/t/"; done
printf '#include "tern_driver.h"\n' >"$TMP/t/ref/tern_planted.c"
out=$(check "$TMP/t")
if echo "$out" | grep -q 'tern_planted.c: includes driver/tern_driver.h'; then
	pass "include order: a planted ref -> driver include is caught"
else fail "include order: planted include not caught"; fi
# ... and in a public header: compile (compiler layer) including the driver's header
printf '#include "tern_driver.h"\n' >>"$TMP/t/include/tern/tern_compile.h"
printf '#include "tern_backend.h"\n' >>"$TMP/t/include/tern/tern_gguf.h"
out=$(check "$TMP/t")
if echo "$out" | grep -q 'include/tern/tern_compile.h: includes driver/tern_driver.h' &&
   echo "$out" | grep -q 'tern_gguf.h: includes "tern_backend.h", which is not a public'; then
	pass "include order: planted includes in public headers are caught"
else fail "include order: planted public-header include not caught" "$out"; fi
