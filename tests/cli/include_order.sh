#!/usr/bin/env bash
# include_order: the library's folders depend on each other in one direction only.
# The order (lowest first) is the one docs/architecture.md states:
#   build/gen  ref  compiler  sim  driver  model  perf  cli
# A file may include headers of its own folder or of a folder before it. Every quoted
# #include of every .c/.h/.cpp in those folders is resolved to the folder that holds the
# header; an include that points later in the order, or a header found nowhere, fails.
# A second case checks that the test itself catches a bad include.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
ORDER="gen ref compiler sim driver model perf cli"

rank() { # folder name -> position in ORDER, or empty
	local i=0 f
	for f in $ORDER; do [ "$f" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done
}

# home HEADER: the folder of ORDER that holds it ("gen" for the generated headers).
home() {
	local f
	case "$1" in tern_isa.h|tern_isa.svh) echo gen; return;; esac
	[ -f "$ROOT/build/gen/$1" ] && { echo gen; return; }  # any other generated header
	for f in $ORDER; do [ "$f" != gen ] && [ -f "$f/$1" ] && { echo "$f"; return; }; done
}

# check ROOTDIR: prints one line per bad include found under ROOTDIR's folders.
check() {
	local base=$1 f dir hdr hd
	for dir in $ORDER; do
		[ "$dir" = gen ] && continue
		for f in "$base/$dir"/*.c "$base/$dir"/*.h "$base/$dir"/*.cpp; do
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
for d in $ORDER; do [ -d "$d" ] && cp -r "$d" "$TMP/t/"; done
printf '#include "tern_driver.h"\n' >"$TMP/t/ref/tern_planted.c"
if check "$TMP/t" | grep -q 'tern_planted.c: includes driver/tern_driver.h'; then
	pass "include order: a planted ref -> driver include is caught"
else fail "include order: planted include not caught"; fi
