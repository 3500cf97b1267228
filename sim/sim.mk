# sim/sim.mk: Verilated tern_top models, one shared library per array preset.
#
#   make build/vl/32x32/libtern_vl.so       the 32x32 preset (any preset of isa/tern_isa.json)
#   make build/vl/32x32-bug/libtern_vl.so   same RTL with +define+TERN_BUG_FLIP_LANE (checker test)
#   make vl-all                              every preset
#
# The driver's verilator backend runs the first kind of command on demand, so a model is
# built on first use and cached under build/vl/. A library is rebuilt when any rtl/*.sv,
# the harness, the generated ISA include or this file changes. Preset parameters come from
# the one ISA definition, read by a python3 one-liner (no hand-written copy of the table).
VL_DIR     := $(BUILD)/vl
VL_JOBS    ?= 2
VL_RTL     := $(sort $(wildcard rtl/*.sv rtl/*.svh rtl/*.v))
VL_SIM     := sim/tern_vl_harness.cpp sim/tern_vl.h
VL_PRESETS := $(shell $(PYTHON) -c 'import json; print(" ".join(p["name"] for p in json.load(open("$(ISA_DEF)"))["config"]["presets"]))' 2>/dev/null)
# Speed first: -O3 Verilator optimisations, no X randomisation, FST compiled in but only
# active when a waveform is asked for (tern_vl_opts.fst_path).
VL_FLAGS   := --cc --build -j $(VL_JOBS) -O3 --x-assign fast --x-initial fast --trace-fst \
              -Wno-fatal -Werror-USERERROR -Wno-lint -Wno-style --top-module tern_top -I$(GEN) -Irtl
# C++ optimisation of the model: -Os (Verilator's default) measured as fast as -O2 on the
# 32x32 model and compiles faster.
VL_OPT     ?= -Os
VL_CFLAGS  := -fPIC -fvisibility=hidden -I$(abspath $(GEN)) -I$(abspath sim)
# name -> "-GRows=32 ... -CFLAGS -DTERN_VL_ROWS=32 ..." from the preset of that name
VL_PARAMS_PY := import json,sys; \
  ps=[p for p in json.load(open("$(ISA_DEF)"))["config"]["presets"] if p["name"]==sys.argv[1]]; \
  ps or sys.exit("sim.mk: no preset %s in $(ISA_DEF)" % sys.argv[1]); \
  print(" ".join("-G%s=%d -CFLAGS -DTERN_VL_%s=%d" % ("".join(w.capitalize() for w in k.split("_")), v, k, v) for k, v in ps[0].items() if k != "name"))

# Several processes may ask for the same model at once (tests, the backend's on-demand
# build): each build uses its own obj.PID directory and the library appears by rename.
$(VL_DIR)/%/libtern_vl.so: $(VL_RTL) $(VL_SIM) $(GEN_OUT) $(ISA_DEF) sim/sim.mk
	@test -n "$(VL_RTL)" || { echo "sim.mk: no RTL in rtl/ yet" >&2; exit 1; }
	@set -e; name='$*'; base=$${name%-bug}; defs=""; \
	if [ "$$name" != "$$base" ]; then defs="+define+TERN_BUG_FLIP_LANE -CFLAGS -DTERN_BUG_FLIP_LANE"; fi; \
	params=$$($(PYTHON) -c '$(VL_PARAMS_PY)' "$$base"); \
	obj=$(@D)/obj.$$$$; log=$(@D)/build.$$$$.log; rm -rf $$obj; mkdir -p $$obj; \
	echo "VERILATE $$name -> $@"; \
	$(VERILATOR) $(VL_FLAGS) --exe -o $(abspath $(@D))/libtern_vl.so.$$$$ -Mdir $$obj \
	  -CFLAGS "$(VL_CFLAGS)" -MAKEFLAGS "OPT_FAST=$(VL_OPT) OPT_GLOBAL=$(VL_OPT)" -LDFLAGS "-shared -Wl,--no-undefined" $$params $$defs \
	  $(VL_RTL) $(abspath sim/tern_vl_harness.cpp) >$$log 2>&1 || \
	  { rm -rf $$obj; mv -f $$log $(@D)/build.log; tail -30 $(@D)/build.log >&2; \
	    echo "sim.mk: Verilator build of $$name failed (log: $(@D)/build.log)" >&2; exit 1; }; \
	mv -f $(@D)/libtern_vl.so.$$$$ $@; mv -f $$log $(@D)/build.log; rm -rf $$obj

.PHONY: vl-all
vl-all: $(foreach p,$(VL_PRESETS),$(VL_DIR)/$(p)/libtern_vl.so) ## Verilate every array preset

# The RTL tests' helper program (tests/rtl/tern_vl_faults.c): builds bad programs by hand and
# checks that the RTL reports the same error code and index as the reference model.
$(BUILD)/tests/rtl/tern_vl_faults: tests/rtl/tern_vl_faults.c $(BUILD)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libtern.a -o $@ $(LDLIBS)

TEST_EXTRA += $(BUILD)/tests/rtl/tern_vl_faults
