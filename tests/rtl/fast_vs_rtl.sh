#!/usr/bin/env bash
# Fast cycle model vs RTL: small-to-medium layers (decode N=1 and prefill, both weight
# formats, odd shapes) on the 8x8, 16x16 and 32x32 presets and two small-queue configs (the
# iCEBreaker's own, QUEUE_DEPTH 2 on a 16-byte bus: a 2-entry fetch buffer; QUEUE_DEPTH 5:
# 4 entries, the power of two below it) at three DRAM settings run on
# the verilator backend (ground truth) and the fast backend; each case prints both cycle
# counts and passes only when they are EQUAL: the fast model reproduces the RTL's schedule
# exactly, so any tolerance would hide an RTL change of a cycle or two (a mutant that ends
# every program one cycle early passed a 2% bound; tests/mutate/mutants.txt). The
# Verilated builds are the ones the other RTL tests use (built on first use, cached under
# build/vl).
source "$(dirname "$0")/../lib.sh"
T=$TERN

cycles() { # cycles BACKEND ARRAY M K N WFMT BW LAT -> counters.cycles on stdout
	local nolock=
	[ "$1" = verilator ] && nolock=--no-lockstep  # cycles do not depend on it
	local hw=(--array "$2")
	[ -f "$TMP/$2.json" ] && hw=(--config "$TMP/$2.json")  # a config written below
	"$T" gemm --backend "$1" "${hw[@]}" --m "$3" --k "$4" --n "$5" --wfmt "$6" --seed 7 \
		--dram-bw "$7" --dram-latency "$8" --json --quiet $nolock 2>"$TMP/err" |
		sed -n 's/.*"counters":{"cycles":\([0-9]*\).*/\1/p'
}

check() { # check ARRAY M K N WFMT BW LAT
	local name="$1 ${2}x$3 N=$4 $5 bw=$6 lat=$7" rtl fast
	rtl=$(cycles verilator "$@")
	fast=$(cycles fast "$@")
	if [ -z "$rtl" ] || [ -z "$fast" ]; then
		fail "$name" "no cycle count: $(head -c 200 "$TMP/err")"
		return
	fi
	if [ "$rtl" -eq "$fast" ]; then
		pass "$name: rtl $rtl fast $fast"
	else
		fail "$name" "rtl $rtl cycles, fast model $fast: not equal"
	fi
}

check 8x8 64 64 1 2bit 16 40
check 8x8 100 72 1 base3 8 20
check 8x8 96 200 33 2bit 16 40
check 8x8 128 128 64 base3 32 100
check 8x8 40 24 7 2bit 32 100
check 16x16 256 256 1 2bit 16 40
check 16x16 200 300 1 base3 32 100
check 16x16 256 512 32 2bit 8 20
check 16x16 128 96 48 base3 16 40
check 16x16 17 33 5 2bit 8 20
check 32x32 256 512 1 2bit 16 40
check 32x32 512 512 1 base3 8 20
check 32x32 640 2560 1 2bit 32 100
check 32x32 256 256 32 2bit 16 40
check 32x32 512 1024 64 base3 32 100
check 32x32 100 70 3 2bit 8 20

# Small queues, so a small fetch buffer (tern_fetch_buf_entries): the iCEBreaker's config
# from the definition (the flow's own function) and one whose QUEUE_DEPTH is no power of two.
python3 -c 'import json, sys; sys.path.insert(0, sys.argv[1] + "/synth"); import tern_synth as t
d = t.tern_gen.load(sys.argv[1] + "/isa/tern_isa.json"); c = t.tern_gen.board_config(d, "icebreaker", "8x8")
print(json.dumps({k: c[k] for k in ("ROWS", "LANES", "WBUF_DEPTH", "ABUF_DEPTH", "ACC_DEPTH",
                                    "BUS_BYTES", "QUEUE_DEPTH")}))' "$ROOT" >"$TMP/ice.json" 2>"$TMP/err" ||
	fail "iCEBreaker config" "$(head -c 200 "$TMP/err")"
echo '{ "base": "16x16", "BUS_BYTES": 16, "QUEUE_DEPTH": 5 }' >"$TMP/q5.json"
check ice 64 64 1 2bit 16 40
check ice 100 72 1 base3 8 20
check ice 96 200 9 2bit 16 40
check ice 40 24 7 base3 32 100
check q5 128 96 1 2bit 16 40
check q5 100 70 9 base3 8 20
