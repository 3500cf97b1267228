# synth/synth.mk: the open FPGA flows (docs/fpga.md), included by the top-level Makefile.
#   make synth BOARD=B [ARRAY=RxL]  one board run -> build/synth/B/ARRAY/report.json
#                                   (no ARRAY: every array the board lists in the definition)
#   make synth-all                  every board with an FPGA flow at its listed arrays: the
#                                   must-show runs of docs/fpga.md in one command
#   make synth-sweep                LUT/FF scaling 4x4..64x64, hierarchy kept, on the
#                                   definition's synth.sweep_board -> build/synth/sweep/
# Boards, parts, arrays and pins come from isa/tern_isa.json (boards[].fpga). Tools are
# overridable like the others: make synth YOSYS=... NEXTPNR_ICE40=... ICEPACK=...
NEXTPNR_ICE40 ?= nextpnr-ice40
ICEPACK       ?= icepack
SYNTH_PY      := synth/tern_synth.py
SYNTH_ENV     := YOSYS=$(YOSYS) NEXTPNR_ICE40=$(NEXTPNR_ICE40) ICEPACK=$(ICEPACK)
BOARD         ?=
ARRAY         ?=
SWEEP_ARGS    ?=

.PHONY: synth synth-all synth-sweep

synth: $(GEN)/.stamp ## FPGA flow: make synth BOARD=icebreaker|kv260|pynq-z2|arty-a7 [ARRAY=RxL]
	@if [ -z "$(BOARD)" ]; then echo "make synth: set BOARD (boards: $$($(PYTHON) $(SYNTH_PY) --list))" >&2; exit 2; fi
	@arrays="$(ARRAY)"; [ -n "$$arrays" ] || arrays=$$($(PYTHON) $(SYNTH_PY) --board $(BOARD) --list-arrays) || exit 2; \
	rc=0; for a in $$arrays; do $(SYNTH_ENV) $(PYTHON) $(SYNTH_PY) --board $(BOARD) --array $$a || rc=1; done; exit $$rc

synth-all: $(GEN)/.stamp ## every FPGA board at its listed arrays (the docs/fpga.md must-shows)
	@rc=0; for b in $$($(PYTHON) $(SYNTH_PY) --list); do \
	  for a in $$($(PYTHON) $(SYNTH_PY) --board $$b --list-arrays); do \
	    $(SYNTH_ENV) $(PYTHON) $(SYNTH_PY) --board $$b --array $$a || rc=1; done; done; exit $$rc

synth-sweep: $(GEN)/.stamp ## LUT/FF scaling 4x4..64x64 -> build/synth/sweep/{sweep.csv,sweep.png}
	$(SYNTH_ENV) GNUPLOT=$(GNUPLOT) $(PYTHON) synth/tern_synth_sweep.py $(SWEEP_ARGS)
