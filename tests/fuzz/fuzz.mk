# tests/fuzz/fuzz.mk: the random-program differential fuzzer (docs/verification.md).
#
#   make fuzz SEED=7 N=10000 PRESETS="4x4 8x8 16x16"   N programs per preset, lockstep on
#   make fuzz PRESETS=8x8-bug                           the broken build: must disagree (exit 1)
#
# build/tests/tern_fuzz is also what tests/rtl/fuzz.sh (the short run in `make test`) and
# `make mutate` run. Reproducers of disagreements go to build/fuzz/.
FUZZ_BIN  := $(BUILD)/tests/tern_fuzz
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/*.c))
SEED      ?= 1
N         ?= 1000
PRESETS   ?= 4x4 8x8 16x16

$(FUZZ_BIN): $(FUZZ_SRCS) tests/fuzz/tern_fuzz.h $(BUILD)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(INCLUDES) $(CFLAGS) -Itests/fuzz $(FUZZ_SRCS) $(BUILD)/libtern.a -o $@ $(LDLIBS)
TEST_EXTRA += $(FUZZ_BIN)

.PHONY: fuzz
fuzz: $(FUZZ_BIN) $(foreach p,$(PRESETS),$(VL_DIR)/$(p)/libtern_vl.so) ## random programs on the RTL vs the reference model (SEED= N= PRESETS=)
	$(FUZZ_BIN) --seed $(SEED) --n $(N) $(PRESETS)
