/*
 * tern_csr_port_run: one run through the CSRs (tern_csr_port.h): window, program,
 * watchdog, IRQ_STATUS cleared, START with IRQ_EN, wait, then STATUS, ERR_CODE, ERR_INSN
 * and every counter (LO then HI: reading LO latches HI, docs/rtl.md), IRQ_STATUS cleared.
 */
#include <string.h>

#include "tern_csr_port.h"

int tern_csr_port_check(struct tern_dev *d, const struct tern_csr_port *p)
{
	uint32_t rows = 0, lanes = 0;

	if (p->rd(p->ctx, TERN_CSR_HW_ROWS, &rows) || p->rd(p->ctx, TERN_CSR_HW_LANES, &lanes))
		return -1;
	if (rows != d->cfg.rows || lanes != d->cfg.lanes)
		return tern_dev_set_err(d, "the device is a %ux%u array, not the %ux%u asked for (use its --array or --config)",
					rows, lanes, d->cfg.rows, d->cfg.lanes);
	return 0;
}

int tern_csr_port_run(struct tern_dev *d, const struct tern_csr_port *p, uint32_t insn_addr,
		      uint32_t count, uint32_t dma_base, uint32_t dma_limit, struct tern_status *st)
{
	uint64_t wd = d->opts.watchdog ? d->opts.watchdog : TERN_HW_WATCHDOG;
	uint32_t status = 0, lo, hi;
	unsigned i;

	if (wd > 0xffffffffull)
		wd = 0xffffffffull;
	if (p->wr(p->ctx, TERN_CSR_INSN_BASE, insn_addr) ||
	    p->wr(p->ctx, TERN_CSR_INSN_COUNT, count) ||
	    p->wr(p->ctx, TERN_CSR_DMA_BASE, dma_base) ||
	    p->wr(p->ctx, TERN_CSR_DMA_LIMIT, dma_limit) ||
	    p->wr(p->ctx, TERN_CSR_WATCHDOG, (uint32_t)wd) ||
	    p->wr(p->ctx, TERN_CSR_IRQ_STATUS, 1) ||
	    p->wr(p->ctx, TERN_CSR_CTRL, TERN_CTRL_START | TERN_CTRL_IRQ_EN) || p->wait(p->ctx))
		return -1;
	if (p->rd(p->ctx, TERN_CSR_STATUS, &status) || p->rd(p->ctx, TERN_CSR_ERR_CODE, &st->err) ||
	    p->rd(p->ctx, TERN_CSR_ERR_INSN, &st->err_insn))
		return -1;
	if (!(status & TERN_STATUS_DONE))
		return tern_dev_set_err(d, "the device signalled the end of the run without STATUS.DONE (0x%x)",
					status);
	for (i = 0; i < TERN_CNT_COUNT; i++) {
		if (p->rd(p->ctx, TERN_CSR_COUNTER_BASE + 8 * i, &lo) ||
		    p->rd(p->ctx, TERN_CSR_COUNTER_BASE + 8 * i + 4, &hi))
			return -1;
		st->counters[i] = (uint64_t)hi << 32 | lo;
	}
	st->has_cycles = 1;
	return p->wr(p->ctx, TERN_CSR_IRQ_STATUS, 1);
}
