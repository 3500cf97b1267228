# tern: top-level Makefile. Everything it builds goes under build/.
# `make help` lists the targets. Tools are overridable: make VERILATOR=/opt/v/bin/verilator
.DEFAULT_GOAL := all

CC        ?= cc
CXX       ?= g++
PYTHON    ?= python3
VERILATOR ?= verilator
YOSYS     ?= yosys
GNUPLOT   ?= gnuplot

BUILD := build
GEN   := $(BUILD)/gen
ASAN  := $(BUILD)/asan

INCLUDES   := -I$(GEN) -Iref -Icompiler -Isim -Idriver -Imodel -Iperf
WARN       := -Wall -Wextra -Werror
CSTD       := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS     ?= -O2 -g
ALL_CFLAGS := $(CSTD) $(WARN) $(INCLUDES) $(CFLAGS) -MMD -MP
SAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDLIBS     := -lm -ldl -lpthread

# Debian packages the project needs; `make deps` installs the missing ones.
DEB_PKGS := build-essential python3 verilator yosys libcriterion-dev gnuplot-nox pkg-config
APT_GET  ?= apt-get

# ---------------------------------------------------------------- generated ISA
ISA_DEF := isa/tern_isa.json
ISA_GEN := isa/tern_gen.py
GEN_OUT := $(GEN)/tern_isa.h $(GEN)/tern_isa_tables.c $(GEN)/tern_isa.svh $(GEN)/isa_tables.md

# The generator leaves unchanged outputs untouched (so nothing rebuilds for nothing); the
# stamp records that it ran.
$(GEN)/.stamp: $(ISA_DEF) $(ISA_GEN)
	@mkdir -p $(GEN)
	$(PYTHON) $(ISA_GEN) $(ISA_DEF) $(GEN)
	@touch $@
$(GEN_OUT): $(GEN)/.stamp ;

# ---------------------------------------------------------------- C library
# Every .c in these folders is library code; each folder may add rules in its .mk.
LIB_SRCS := $(GEN)/tern_isa_tables.c $(sort $(wildcard ref/*.c compiler/*.c sim/*.c driver/*.c model/*.c perf/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS:$(BUILD)/%=%))
SAN_OBJS := $(patsubst %.c,$(ASAN)/obj/%.o,$(LIB_SRCS:$(BUILD)/%=%))
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))
CLI_SAN_OBJS := $(patsubst %.c,$(ASAN)/obj/%.o,$(CLI_SRCS))

$(BUILD)/obj/gen/%.o: $(GEN)/%.c $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.c $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(ASAN)/obj/gen/%.o: $(GEN)/%.c $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(INCLUDES) $(SAN_FLAGS) -MMD -MP -c $< -o $@
$(ASAN)/obj/%.o: %.c $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(INCLUDES) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libtern.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(ASAN)/libtern.a: $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tern: $(CLI_OBJS) $(BUILD)/libtern.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)
$(ASAN)/tern: $(CLI_SAN_OBJS) $(ASAN)/libtern.a
	$(CC) $(SAN_FLAGS) $^ -o $@ $(LDLIBS)

# ---------------------------------------------------------------- unit tests
# tests/unit/test_NAME.c -> build/tests/test_NAME (and the sanitizer twin).
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_SAN_BINS := $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $< $(BUILD)/libtern.a -o $@ -lcriterion $(LDLIBS)
$(ASAN)/tests/%: tests/unit/%.c $(ASAN)/libtern.a $(GEN_OUT)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(INCLUDES) $(SAN_FLAGS) -Itests/unit $< $(ASAN)/libtern.a -o $@ -lcriterion $(LDLIBS)

# Independent oracle used by the CLI tests (shares no code with tern).
$(BUILD)/tests/indep_matmul: tests/tools/indep_matmul.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 $< -o $@
TEST_EXTRA += $(BUILD)/tests/indep_matmul

# Folder fragments (RTL, simulation, synthesis, benchmarks) add their own targets.
-include rtl/rtl.mk sim/sim.mk synth/synth.mk
# Verification beyond `make test`: the RTL fuzzer and the mutation test (docs/verification.md).
-include tests/fuzz/fuzz.mk tests/mutate/mutate.mk

# ---------------------------------------------------------------- top targets
.PHONY: all gen isa-doc deps test test-build run bench lint clean help

all: $(BUILD)/tern ## build the tern CLI and library

gen: $(GEN)/.stamp ## generate the C header, Verilog include and ISA tables

isa-doc: $(GEN_OUT) ## refresh the generated tables inside docs/isa.md
	$(PYTHON) $(ISA_GEN) $(ISA_DEF) --update-doc docs/isa.md

deps: ## install missing Debian packages (apt-get; needs root)
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(APT_GET) update -q && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -q --no-install-recommends $$missing; \
	else echo "make deps: all packages present"; fi

test-build: $(BUILD)/tern $(ASAN)/tern $(UNIT_BINS) $(UNIT_SAN_BINS) $(TEST_EXTRA)

test: deps ## run every test (unit, sanitizer, CLI, RTL); ends with "N passed, N failed"
	@$(MAKE) --no-print-directory -j2 test-build
	@bash tests/run_tests.sh

run: deps ## the demo: zoo:tiny generates tokens on the simulated RTL, all checks on, report
	@$(MAKE) --no-print-directory all $(VL_DIR)/32x32/libtern_vl.so
	$(BUILD)/tern run --model zoo:tiny --backend verilator --array 32x32 --prompt-tokens 7,99,5 \
	  --tokens 8 --report $(BUILD)/run-report $(RUN_ARGS)

bench: deps ## long measurements -> bench/results.json (BENCH_ARGS="--only rtl --quick")
	@$(MAKE) --no-print-directory all
	$(PYTHON) bench/bench.py $(BENCH_ARGS)

clean: ## remove build/
	rm -rf $(BUILD)

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort | awk -F'\t' '{printf "  %-12s %s\n", $$1, $$2}'

-include $(LIB_OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(CLI_SAN_OBJS:.o=.d)
