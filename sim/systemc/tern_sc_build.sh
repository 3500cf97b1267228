#!/bin/sh
# tern_sc_build.sh: build one SystemC model library into a model-cache entry.
#
#   tern_sc_build.sh WORKDIR OUTDIR ROWS LANES WBUF_DEPTH ABUF_DEPTH ACC_DEPTH BUS_BYTES \
#                    QUEUE_DEPTH [bug]        -> OUTDIR/libtern_sc.so, the RTL in SystemC
#   tern_sc_build.sh WORKDIR OUTDIR tlm       -> OUTDIR/libtern_sctlm.so, the TLM-only model
#
# The SystemC sibling of sim/tern_vl_build.sh, run by the same model cache
# (driver/tern_vl_cache.c) with the same contract: build privately in WORKDIR, then rename
# the library and then OUTDIR/stamp (POSIX cksums of the sources and the library, and the
# config) into place, so a reader trusts a library only when its stamp matches. The RTL is
# Verilated with --sc --pins-bv 2 and compiled with the platform (sim/systemc/*.h,
# tern_sc_lib.cpp) against Debian's libsystemc (C++17). Tools: VERILATOR, CXX, VL_JOBS,
# VL_OPT as for tern_vl_build.sh.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 WORKDIR OUTDIR (ROWS LANES WBUF ABUF ACC BUS QUEUE [bug] | tlm)" >&2; exit 2; }
work=$1 out=$2
shift 2
home=$(cd "$(dirname "$0")/../.." && pwd)
gen=$home/gen
[ -f "$gen/tern_isa.svh" ] || gen=$home/build/gen
[ -f "$gen/tern_isa.svh" ] || { echo "tern_sc_build: no generated tern_isa.svh under $home" >&2; exit 1; }
VERILATOR=${VERILATOR:-verilator}
CXX=${CXX:-g++}
sc=$home/sim/systemc

# The sources a model depends on, in the order the cache hashes them (tern_vl_cache.c).
rtl_names() { (cd "$home/rtl" && LC_ALL=C ls -1) | grep -E '\.(sv|svh|v)$'; }
srcs() {
	rtl_names | sed "s|^|$home/rtl/|"
	for f in "$sc/tern_sc_lib.cpp" "$home/sim/tern_vl.h" "$sc/tern_sc_build.sh" \
		 "$gen/tern_isa.svh" "$gen/tern_isa_macros.svh" "$gen/tern_cfg_check.svh" \
		 "$gen/tern_isa.h" "$sc/tern_sc_rtl.h" "$sc/tern_sc_mem.h" "$sc/tern_sc_tlm.h" \
		 "$sc/tern_sc_tlm_lib.cpp" "$sc/tern_sctlm.h" "$sc/tern_sc_host.h"; do echo "$f"; done
}

mkdir -p "$out" "$work"
work=$(cd "$work" && pwd)
log=$work/build.log
if [ "$1" = tlm ]; then
	lib=libtern_sctlm.so
	cfg="cfg 0 0 0 0 0 0 0 tlm"
	if ! "$CXX" -std=c++17 -O2 -fPIC -shared -fvisibility=hidden -Wl,--no-undefined \
		-I"$gen" -I"$sc" -I"$home/sim" "$sc/tern_sc_tlm_lib.cpp" -o "$work/$lib" \
		-lsystemc >"$log" 2>&1; then
		mv -f "$log" "$out/build.log"; tail -30 "$out/build.log" >&2
		echo "tern_sc_build: TLM-only model build failed (log: $out/build.log)" >&2
		rm -rf "$work"; exit 1
	fi
else
	[ $# -ge 7 ] || { echo "usage: $0 WORKDIR OUTDIR ROWS LANES WBUF ABUF ACC BUS QUEUE [bug]" >&2; exit 2; }
	rows=$1 lanes=$2 wbuf=$3 abuf=$4 acc=$5 bus=$6 queue=$7
	bug=${8:-}
	lib=libtern_sc.so
	cfg="cfg $rows $lanes $wbuf $abuf $acc $bus $queue ${bug:-plain}"
	defs=""
	[ "$bug" = bug ] && defs="+define+TERN_BUG_FLIP_LANE -CFLAGS -DTERN_BUG_FLIP_LANE"
	set -- -GRows="$rows" -GLanes="$lanes" -GWbufDepth="$wbuf" -GAbufDepth="$abuf" \
		-GAccDepth="$acc" -GBusBytes="$bus" -GQueueDepth="$queue"
	# shellcheck disable=SC2046,SC2086 # (paths with spaces are not supported)
	if ! SYSTEMC_INCLUDE=/usr/include SYSTEMC_LIBDIR=/usr/lib/x86_64-linux-gnu \
		"$VERILATOR" --sc --pins-bv 2 --build -j "${VL_JOBS:-2}" -O3 --x-assign fast \
		--x-initial fast -Wno-fatal -Werror-USERERROR -Wno-lint -Wno-style \
		--top-module tern_top -I"$gen" -I"$home/rtl" \
		--exe -o "$work/$lib" -Mdir "$work/obj" \
		-CFLAGS "-std=c++17 -fPIC -fvisibility=hidden -I$gen -I$home/sim -I$sc" \
		-CFLAGS "-DTERN_VL_ROWS=$rows -DTERN_VL_LANES=$lanes -DTERN_VL_WBUF_DEPTH=$wbuf" \
		-CFLAGS "-DTERN_VL_ABUF_DEPTH=$abuf -DTERN_VL_ACC_DEPTH=$acc -DTERN_VL_BUS_BYTES=$bus" \
		-CFLAGS "-DTERN_VL_QUEUE_DEPTH=$queue" \
		-MAKEFLAGS "OPT_FAST=${VL_OPT:--Os} OPT_GLOBAL=${VL_OPT:--Os}" \
		-LDFLAGS "-shared -Wl,--no-undefined -lsystemc" "$@" $defs \
		$(rtl_names | sed "s|^|$home/rtl/|") "$sc/tern_sc_lib.cpp" >"$log" 2>&1; then
		mv -f "$log" "$out/build.log"; tail -30 "$out/build.log" >&2
		echo "tern_sc_build: SystemC build of ${rows}x${lanes} failed (log: $out/build.log)" >&2
		rm -rf "$work"; exit 1
	fi
fi
{
	echo "src $(srcs | while IFS= read -r f; do cat "$f"; done | cksum)"
	echo "lib $(cksum <"$work/$lib")"
	echo "$cfg"
} >"$work/stamp"
mv -f "$work/$lib" "$out/$lib"
mv -f "$log" "$out/build.log"
mv -f "$work/stamp" "$out/stamp"
rm -rf "$work"
