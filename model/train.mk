# model/train.mk: the trained model in the box (included from the top-level Makefile).
# `make train` rebuilds model/data/tern-kjv-byte.gguf from the King James Bible text of
# Debian's bible-kjv-text package (public domain; read with its `bible` program from
# bible-kjv). Docs: docs/train.md.

# The trainer's matmul rows vectorize at -O3 (about 3x faster); the order of every sum
# is fixed in the source, so results do not depend on it.
$(BUILD)/obj/model/tern_train_net.o $(BUILD)/obj/model/tern_train.o: ALL_CFLAGS += -O3

DEB_PKGS    += bible-kjv bible-kjv-text
BIBLE       ?= bible
TRAIN_DIR   := $(BUILD)/train
TRAIN_TEXT  := $(TRAIN_DIR)/kjv.txt
TRAIN_MODEL ?= model/data/tern-kjv-byte.gguf
# A second run (e.g. another seed) can keep its own curve and checkpoint:
# make train TRAIN_MODEL=build/train/b.gguf TRAIN_RUN=build/train/b TRAIN_ARGS="--seed 20"
TRAIN_RUN   ?= $(TRAIN_DIR)/kjv
TRAIN_ARGS  ?=

# One verse per line, the "Ge1:1 " reference removed: plain prose.
$(TRAIN_TEXT):
	@mkdir -p $(TRAIN_DIR)
	$(BIBLE) -f "gen1:1-rev22:21" | sed 's/^[^ ]* //' > $@.tmp
	mv $@.tmp $@

.PHONY: train train-data
train-data: $(TRAIN_TEXT)

train: deps ## retrain the model in the box (model/data/tern-kjv-byte.gguf, ~9 min on an idle 2-core machine)
	@$(MAKE) --no-print-directory all $(TRAIN_TEXT)
	$(BUILD)/tern train --data $(TRAIN_TEXT) --out $(TRAIN_MODEL) --curve $(TRAIN_RUN).curve \
	  --checkpoint $(TRAIN_RUN).ckpt $(TRAIN_ARGS)

# Training curve (held-out perplexity per byte against step) for docs/train.md.
$(TRAIN_DIR)/curve.png: $(TRAIN_RUN).curve model/train_curve.gp
	$(GNUPLOT) -e "in='$<'; out='$@'" model/train_curve.gp
train-plot: $(TRAIN_DIR)/curve.png ## plot the last make train's curve -> build/train/curve.png
.PHONY: train-plot
