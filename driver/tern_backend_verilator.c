/* verilator backend: placeholder until the Verilator harness lands (sim/). */
#include "tern_backend.h"

static int vl_open(struct tern_dev *d)
{
	return tern_dev_set_err(d, "backend 'verilator' is not built yet");
}

static void vl_close(struct tern_dev *d)
{
	(void)d;
}

static int vl_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		  uint32_t dma_limit, struct tern_status *st)
{
	(void)insn_addr; (void)count; (void)dma_base; (void)dma_limit; (void)st;
	return tern_dev_set_err(d, "backend 'verilator' is not built yet");
}

const struct tern_backend tern_backend_verilator = {
	.name = "verilator", .open = vl_open, .close = vl_close, .run = vl_run,
};
