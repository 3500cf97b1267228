# tests/mutate/mutate.mk: the mutation test of the RTL (docs/verification.md).
#
#   make mutate                          every mutant of tests/mutate/mutants.txt
#   make mutate MUTATE_ARGS="--only sched_end_early,dma_window_first_row"
#
# Each mutant is Verilated in a temporary copy of the tree (8x8, and 32x32 when the 8x8
# checks miss it), about a minute each on two cores; not part of `make test`. Logs go to
# build/mutate/.
.PHONY: mutate
MUTATE_DEPS := $(BUILD)/tern $(BUILD)/tests/tern_fuzz $(BUILD)/tests/rtl/tern_vl_faults \
	$(VL_DIR)/8x8/libtern_vl.so $(VL_DIR)/32x32/libtern_vl.so
mutate: $(MUTATE_DEPS) ## mutation test: every RTL mutant must be caught (slow; MUTATE_ARGS=--only ...)
	$(PYTHON) tests/mutate/mutate.py $(MUTATE_ARGS)
