# sim/systemc/systemc.mk: the SystemC/TLM-2.0 platform (docs/systemc.md).
#
#   make sc-example          build and run the example virtual platform (one layer, cycles)
#   make sc-lib              the RTL-in-SystemC library of SC_ARRAY (a model-cache entry)
#
# The driver's systemc and systemc-tlm backends build their libraries on first use into the
# model cache (driver/tern_vl_cache.c runs sim/systemc/tern_sc_build.sh), as the verilator
# backend does; these targets are for users and tests. Needs Debian's libsystemc-dev
# (C++17). SC_ARRAY is a preset of the definition (default 4x4: quick to build).
SC_DIR     := $(BUILD)/systemc
SC_ARRAY   ?= 4x4
SC_SRC     := sim/systemc/tern_sc_rtl.h sim/systemc/tern_sc_mem.h
SC_EX      := $(SC_DIR)/example-$(SC_ARRAY)/tern_sc_example
SC_EX_ARGS ?= 64 256 4 2bit

# Verilated RTL + sc_main + libtern.a (the compiler) in one executable.
$(SC_EX): sim/systemc/example/sc_main.cpp $(SC_SRC) $(VL_RTL) $(GEN_OUT) $(BUILD)/libtern.a sim/systemc/systemc.mk
	@set -e; params=$$($(PYTHON) -c '$(VL_PARAMS_PY)' "$(SC_ARRAY)"); set -- $$params; \
	echo "VERILATE --sc $(SC_ARRAY) -> $@"; rm -rf $(@D)/obj; mkdir -p $(@D); \
	SYSTEMC_INCLUDE=/usr/include SYSTEMC_LIBDIR=/usr/lib/x86_64-linux-gnu \
	$(VERILATOR) --sc --pins-bv 2 --build -j $${VL_JOBS:-2} -O3 --x-assign fast --x-initial fast \
	  -Wno-fatal -Werror-USERERROR -Wno-lint -Wno-style --top-module tern_top \
	  -I$(GEN) -Irtl --exe -o $(abspath $@) -Mdir $(@D)/obj \
	  -GRows=$$1 -GLanes=$$2 -GWbufDepth=$$3 -GAbufDepth=$$4 -GAccDepth=$$5 -GBusBytes=$$6 -GQueueDepth=$$7 \
	  -CFLAGS "-std=c++17 -I$(abspath $(GEN)) -I$(abspath sim/systemc) -I$(abspath include/tern)" \
	  -CFLAGS "-DTERN_VL_ROWS=$$1 -DTERN_VL_LANES=$$2 -DTERN_VL_WBUF_DEPTH=$$3 -DTERN_VL_ABUF_DEPTH=$$4" \
	  -CFLAGS "-DTERN_VL_ACC_DEPTH=$$5 -DTERN_VL_BUS_BYTES=$$6 -DTERN_VL_QUEUE_DEPTH=$$7" \
	  -MAKEFLAGS "OPT_FAST=-Os OPT_GLOBAL=-Os" \
	  -LDFLAGS "$(abspath $(BUILD)/libtern.a) -lsystemc -lm" \
	  $(VL_RTL) $(abspath sim/systemc/example/sc_main.cpp) >$(@D)/build.log 2>&1 || \
	  { tail -30 $(@D)/build.log >&2; echo "systemc.mk: example build failed (log: $(@D)/build.log)" >&2; exit 1; }

.PHONY: sc-example sc-lib install-systemc
sc-example: $(SC_EX) ## build and run the SystemC example platform (SC_ARRAY=4x4, SC_EX_ARGS="M K N fmt")
	SC_COPYRIGHT_MESSAGE=DISABLE $(SC_EX) $(SC_EX_ARGS)

sc-lib: $(BUILD)/tern ## build the RTL-in-SystemC model of SC_ARRAY into the model cache
	$(BUILD)/tern gemm --m 1 --k 1 --n 1 --seed 1 --array $(SC_ARRAY) --backend systemc --quiet

# The backends build from the installed tree as they do from the source tree.
install: install-systemc
install-systemc:
	install -d $(I_DATA)/sim/systemc
	install -m 644 sim/systemc/*.h sim/systemc/*.cpp $(I_DATA)/sim/systemc/
	install -m 755 sim/systemc/tern_sc_build.sh $(I_DATA)/sim/systemc/
