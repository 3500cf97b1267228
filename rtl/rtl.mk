# rtl/rtl.mk: RTL targets, included by the top-level Makefile.
#   make lint          verilator --lint-only -Wall on every file of rtl/ (top tern_top)
#   make yosys-check   yosys reads the RTL (4x4 preset) and reports its cells; the RTL test
#                      tests/rtl/yosys_nomul.sh fails if any multiplier/divider cell appears
# The yosys scripts, parameters included, are generated from isa/tern_isa.json
# (synth.nomul_check) into build/gen/yosys_nomul_PRESET.ys.
RTL_SRCS := $(sort $(wildcard rtl/*.sv))
YOSYS_NOMUL_YS := $(GEN)/yosys_nomul_4x4.ys

.PHONY: lint yosys-check

lint: $(GEN_OUT) ## verilator --lint-only -Wall on rtl/ (must be clean)
	$(VERILATOR) --lint-only -Wall -I$(GEN) --top-module tern_top $(RTL_SRCS)

yosys-check: $(GEN)/.stamp ## yosys: elaborate tern_top (4x4) and list cells; fails on any multiplier/divider cell
	@mkdir -p $(BUILD)/synth
	$(YOSYS) -q -l $(BUILD)/synth/yosys_nomul.log $(YOSYS_NOMUL_YS)
	@if grep -qE '^\s+\$$(mul|div|mod|pow|macc|divfloor|modfloor)\s' $(BUILD)/synth/yosys_nomul.log; \
	then echo "yosys-check: arithmetic cells found:"; \
	  grep -E '^\s+\$$(mul|div|mod|pow|macc|divfloor|modfloor)\s' $(BUILD)/synth/yosys_nomul.log; exit 1; \
	else echo "yosys-check: no multiplier/divider cells"; fi

# The energy model's adder-bit count for tests/rtl/yosys_adders.sh.
$(BUILD)/tests/rtl/tern_adder_bits: tests/rtl/tern_adder_bits.c $(BUILD)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libtern.a -o $@ $(LDLIBS)
TEST_EXTRA += $(BUILD)/tests/rtl/tern_adder_bits
