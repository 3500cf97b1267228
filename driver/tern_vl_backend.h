/*
 * The verilator backend's open/run/close over any library with the sim/tern_vl.h
 * interface: the Verilated harness (verilator) or the RTL inside the SystemC platform
 * (systemc, sim/systemc/tern_sc_lib.cpp). Same model cache, loading checks, lockstep,
 * first-mismatch report and exit codes for both. Internal to the driver.
 */
#ifndef TERN_VL_BACKEND_H
#define TERN_VL_BACKEND_H

#include "tern_backend.h"
#include "tern_vl_cache.h"

int tern_vl_backend_open(struct tern_dev *d, const struct tern_model_kind *kind);
void tern_vl_backend_close(struct tern_dev *d);
int tern_vl_backend_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count,
			uint32_t dma_base, uint32_t dma_limit, struct tern_status *st);

#endif /* TERN_VL_BACKEND_H */
