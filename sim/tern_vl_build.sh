#!/bin/sh
# tern_vl_build.sh: Verilate tern_top for one hardware config into a cache entry.
#
#   tern_vl_build.sh WORKDIR OUTDIR ROWS LANES WBUF_DEPTH ABUF_DEPTH ACC_DEPTH BUS_BYTES \
#                    QUEUE_DEPTH [bug|activity]
#
# The one build rule for Verilated models: sim/sim.mk runs it for the presets and the
# driver's verilator backend (driver/tern_vl_cache.c) for any valid config, in a source tree
# or an installed tree alike. It finds its inputs relative to itself: HOME/rtl, HOME/sim and
# the generated include in HOME/gen (installed) or HOME/build/gen (source tree), where HOME
# is the folder above this script's.
#
# Everything is built inside WORKDIR, private to the caller (the backend names it after its
# pid and removes it if it is interrupted). At the end the library is renamed into
# OUTDIR/libtern_vl.so and then OUTDIR/stamp, which records the POSIX cksum of the sources
# and of the library and the config, is renamed beside it: a reader trusts the library only
# when the stamp matches both (a truncated or half-written library never passes). Several
# builders of one entry do not collide: the renames are atomic and the contents identical.
# Variants: "bug" adds +define+TERN_BUG_FLIP_LANE (the checker test's broken RTL);
# "activity" adds sim/tern_vl_activity.vlt and -DTERN_VL_ACTIVITY: the harness then counts
# bit toggles of the PE array, the buffers' data ports and the memory port (--activity).
# Tools: VERILATOR (default verilator), VL_JOBS (2), VL_OPT (-Os, measured as fast as -O2
# on the 32x32 model and faster to compile).
set -eu
[ $# -ge 9 ] || { echo "usage: $0 WORKDIR OUTDIR ROWS LANES WBUF ABUF ACC BUS QUEUE [bug|activity]" >&2; exit 2; }
work=$1 out=$2
shift 2
rows=$1 lanes=$2 wbuf=$3 abuf=$4 acc=$5 bus=$6 queue=$7
bug=${8:-}
home=$(cd "$(dirname "$0")/.." && pwd)
gen=$home/gen
[ -f "$gen/tern_isa.svh" ] || gen=$home/build/gen
[ -f "$gen/tern_isa.svh" ] || { echo "tern_vl_build: no generated tern_isa.svh under $home" >&2; exit 1; }
VERILATOR=${VERILATOR:-verilator}

# The sources a model depends on, in the order the backend hashes them: the RTL files in
# byte order of their names, then the harness, this script and the generated includes.
rtl_names() { (cd "$home/rtl" && LC_ALL=C ls -1) | grep -E '\.(sv|svh|v)$'; }
srcs() {
	rtl_names | sed "s|^|$home/rtl/|"
	for f in "$home/sim/tern_vl_harness.cpp" "$home/sim/tern_vl.h" "$home/sim/tern_vl_build.sh" \
		 "$home/sim/tern_vl_activity.vlt" \
		 "$gen/tern_isa.svh" "$gen/tern_isa_macros.svh" "$gen/tern_cfg_check.svh" \
		 "$gen/tern_isa.h"; do echo "$f"; done
}

mkdir -p "$out" "$work"
work=$(cd "$work" && pwd)
log=$work/build.log
defs=""
case "$bug" in
bug) defs="+define+TERN_BUG_FLIP_LANE -CFLAGS -DTERN_BUG_FLIP_LANE" ;;
activity) defs="$home/sim/tern_vl_activity.vlt -CFLAGS -DTERN_VL_ACTIVITY" ;;
"") ;;
*) echo "tern_vl_build: unknown variant '$bug' (bug or activity)" >&2; exit 2 ;;
esac
set --
for kv in Rows:$rows Lanes:$lanes WbufDepth:$wbuf AbufDepth:$abuf AccDepth:$acc \
	  BusBytes:$bus QueueDepth:$queue; do
	set -- "$@" "-G${kv%%:*}=${kv#*:}"
done
# shellcheck disable=SC2046 # (paths with spaces are not supported)
if ! "$VERILATOR" --cc --build -j "${VL_JOBS:-2}" -O3 --x-assign fast --x-initial fast \
	--trace-fst -Wno-fatal -Werror-USERERROR -Wno-lint -Wno-style --top-module tern_top -I"$gen" -I"$home/rtl" \
	--exe -o "$work/libtern_vl.so" -Mdir "$work/obj" \
	-CFLAGS "-fPIC -fvisibility=hidden -I$gen -I$home/sim" \
	-CFLAGS "-DTERN_VL_ROWS=$rows -DTERN_VL_LANES=$lanes -DTERN_VL_WBUF_DEPTH=$wbuf" \
	-CFLAGS "-DTERN_VL_ABUF_DEPTH=$abuf -DTERN_VL_ACC_DEPTH=$acc -DTERN_VL_BUS_BYTES=$bus" \
	-CFLAGS "-DTERN_VL_QUEUE_DEPTH=$queue" \
	-MAKEFLAGS "OPT_FAST=${VL_OPT:--Os} OPT_GLOBAL=${VL_OPT:--Os}" \
	-LDFLAGS "-shared -Wl,--no-undefined" "$@" $defs \
	$(rtl_names | sed "s|^|$home/rtl/|") "$home/sim/tern_vl_harness.cpp" >"$log" 2>&1; then
	mv -f "$log" "$out/build.log"
	tail -30 "$out/build.log" >&2
	echo "tern_vl_build: Verilator build of ${rows}x${lanes} failed (log: $out/build.log)" >&2
	rm -rf "$work"
	exit 1
fi
{
	echo "src $(srcs | while IFS= read -r f; do cat "$f"; done | cksum)"
	echo "lib $(cksum <"$work/libtern_vl.so")"
	echo "cfg $rows $lanes $wbuf $abuf $acc $bus $queue ${bug:-plain}"
} >"$work/stamp"
mv -f "$work/libtern_vl.so" "$out/libtern_vl.so"
mv -f "$log" "$out/build.log"
mv -f "$work/stamp" "$out/stamp"
rm -rf "$work"
