# Shared by tests/rtl/axi.sh and axi_bug.sh (sourced): the preset reader and the Verilator
# build of tests/rtl/tb_axi.cpp around tern_axi_top, linked with the compiler and the
# reference model of build/libtern.a.
VERILATOR=${VERILATOR:-verilator}
make --no-print-directory gen build/libtern.a >/dev/null || { fail "axi_prereq_build"; exit 1; }
axi_preset() {  # NAME ROWS LANES WBUF ABUF ACC BUS QUEUE of a preset, from the definition
	python3 -c 'import json, sys
p = [p for p in json.load(open("isa/tern_isa.json"))["config"]["presets"] if p["name"] == sys.argv[1]][0]
print(p["name"], *(p[k] for k in ("ROWS", "LANES", "WBUF_DEPTH", "ABUF_DEPTH", "ACC_DEPTH", "BUS_BYTES", "QUEUE_DEPTH")))' "$1"
}
axi_build() {  # axi_build NAME BUG: build/rtl-tb/axi-NAME/tb_axi at the 4x4 preset
	set -- "$1" "$2" $(axi_preset 4x4)
	local dir=build/rtl-tb/axi-$1 bug=$2; shift 3
	mkdir -p "$dir"
	nice $VERILATOR --cc --exe --build -j 2 -O1 --x-assign fast --x-initial fast -Wno-fatal \
		-Ibuild/gen --top-module tern_axi_top -Mdir "$dir" -GBug=$bug \
		-GRows=$1 -GLanes=$2 -GWbufDepth=$3 -GAbufDepth=$4 -GAccDepth=$5 -GBusBytes=$6 \
		-GQueueDepth=$7 \
		-CFLAGS "-O1 -I$ROOT/build/gen -I$ROOT/include/tern -I$ROOT/ref -I$ROOT/tests/rtl -DROWS=$1 -DLANES=$2 -DWBUF_DEPTH=$3 -DABUF_DEPTH=$4 -DACC_DEPTH=$5 -DBUS_BYTES=$6 -DQUEUE_DEPTH=$7" \
		-LDFLAGS "$ROOT/build/libtern.a -lm -ldl -lpthread" \
		rtl/*.sv "$ROOT/tests/rtl/tb_axi.cpp" -o tb_axi >"$dir/build.log" 2>&1
}
