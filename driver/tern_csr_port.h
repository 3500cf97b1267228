/*
 * A run driven through tern's CSRs alone, for the backends that reach real (or
 * board-like) hardware: uio (tern_backend_uio.c) and serial (tern_backend_serial.c). The
 * backend supplies 32-bit CSR reads and writes and a way to wait for the end of a run;
 * tern_csr_port_run programs the run the way docs/isa.md describes it and reads the
 * result back, so both backends drive the same registers in the same order as the
 * simulation harness does. Internal to the driver.
 */
#ifndef TERN_CSR_PORT_H
#define TERN_CSR_PORT_H

#include "tern_backend.h"

struct tern_csr_port {
	void *ctx;
	int (*rd)(void *ctx, uint32_t addr, uint32_t *v);  /* 0, or -1 with the dev error set */
	int (*wr)(void *ctx, uint32_t addr, uint32_t v);
	/* Block until the run started by CTRL.START|IRQ_EN ends (STATUS.DONE). 0 or -1. */
	int (*wait)(void *ctx);
};

/* Default watchdog on hardware: bounded, but long (2^32-1 cycles: 43 s at 100 MHz). */
#define TERN_HW_WATCHDOG 0xffffffffull

/* Check HW_ROWS/HW_LANES against d->cfg: the bitstream must be the config asked for. */
int tern_csr_port_check(struct tern_dev *d, const struct tern_csr_port *p);
int tern_csr_port_run(struct tern_dev *d, const struct tern_csr_port *p, uint32_t insn_addr,
		      uint32_t count, uint32_t dma_base, uint32_t dma_limit, struct tern_status *st);

#endif /* TERN_CSR_PORT_H */
