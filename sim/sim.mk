# sim/sim.mk: Verilated tern_top models, one shared library per array preset.
#
#   make build/vl/32x32/libtern_vl.so       the 32x32 preset (any preset of isa/tern_isa.json)
#   make build/vl/32x32-bug/libtern_vl.so   same RTL with +define+TERN_BUG_FLIP_LANE (checker test)
#   make vl-all                              every preset
#
# The driver's verilator backend runs the first kind of command on demand, so a model is
# built on first use and cached under build/vl/ (any valid config, not only presets:
# docs/simulation.md). A library is rebuilt when any rtl/*.sv, the harness, the generated
# ISA include or this file changes. Preset parameters come from the one ISA definition,
# read by a python3 one-liner (no hand-written copy of the table).
VL_DIR     := $(BUILD)/vl
VL_RTL     := $(sort $(wildcard rtl/*.sv rtl/*.svh rtl/*.v))
VL_SIM     := sim/tern_vl_harness.cpp sim/tern_vl.h sim/tern_vl_build.sh sim/tern_vl_activity.vlt
VL_PRESETS := $(shell $(PYTHON) -c 'import json; print(" ".join(p["name"] for p in json.load(open("$(ISA_DEF)"))["config"]["presets"]))' 2>/dev/null)
# name -> its seven parameters in the definition's order (ROWS LANES WBUF ABUF ACC BUS QUEUE)
VL_PARAMS_PY := import json,sys; \
  ps=[p for p in json.load(open("$(ISA_DEF)"))["config"]["presets"] if p["name"]==sys.argv[1]]; \
  ps or sys.exit("sim.mk: no preset %s in $(ISA_DEF)" % sys.argv[1]); \
  print(" ".join(str(v) for k, v in ps[0].items() if k != "name"))

# The build itself is sim/tern_vl_build.sh, the same script the backend runs on demand for
# any config (it builds in a private directory and renames the library and its stamp into
# place, so concurrent builders do not collide). VERILATOR, VL_JOBS and VL_OPT pass through.
export VERILATOR VL_JOBS VL_OPT
$(VL_DIR)/%/libtern_vl.so: $(VL_RTL) $(VL_SIM) $(GEN_OUT) $(ISA_DEF) sim/sim.mk
	@test -n "$(VL_RTL)" || { echo "sim.mk: no RTL in rtl/ yet" >&2; exit 1; }
	@set -e; name='$*'; base=$${name%-bug}; bug=""; \
	if [ "$$name" != "$$base" ]; then bug=bug; fi; \
	params=$$($(PYTHON) -c '$(VL_PARAMS_PY)' "$$base"); \
	echo "VERILATE $$name -> $@"; \
	sh sim/tern_vl_build.sh $(@D)/tmp.$$$$ $(@D) $$params $$bug

.PHONY: vl-all
vl-all: $(foreach p,$(VL_PRESETS),$(VL_DIR)/$(p)/libtern_vl.so) ## Verilate every array preset

# The RTL tests' helper program (tests/rtl/tern_vl_faults.c): builds bad programs by hand and
# checks that the RTL reports the same error code and index as the reference model.
$(BUILD)/tests/rtl/tern_vl_faults: tests/rtl/tern_vl_faults.c $(BUILD)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libtern.a -o $@ $(LDLIBS)

TEST_EXTRA += $(BUILD)/tests/rtl/tern_vl_faults

# INSN_COUNT = 0xffffffff on the verilator backend (tests/rtl/vl_count.sh).
$(BUILD)/tests/rtl/tern_vl_count: tests/rtl/tern_vl_count.c $(BUILD)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libtern.a -o $@ $(LDLIBS)

TEST_EXTRA += $(BUILD)/tests/rtl/tern_vl_count
