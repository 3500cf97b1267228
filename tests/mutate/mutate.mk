# tests/mutate/mutate.mk: the mutation test of the RTL (docs/verification.md).
#
#   make mutate                          every mutant of tests/mutate/mutants.txt
#   make mutate MUTATE_ARGS="--only sched_end_early,dma_window_first_row"
#
# Each mutant is Verilated in a temporary copy of the tree (8x8, and 32x32 when the 8x8
# checks miss it), about a minute each on two cores; not part of `make test`. Logs go to
# build/mutate/.
.PHONY: mutate
mutate: $(BUILD)/tern $(BUILD)/tests/tern_fuzz $(BUILD)/tests/rtl/tern_vl_faults \
	$(VL_DIR)/8x8/libtern_vl.so $(VL_DIR)/32x32/libtern_vl.so ## mutation test: RTL mutants must be caught (slow)
	$(PYTHON) tests/mutate/mutate.py $(MUTATE_ARGS)
