/*
 * ref backend: the device is the bit-exact reference model (ref/). Device DRAM is a
 * host array owned here; a run is one tern_ref_run call. No cycles are measured, so
 * RTL-only counters stay zero and st->has_cycles is 0.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_backend.h"
#include "tern_ref.h"

static int ref_open(struct tern_dev *d)
{
	return tern_dev_new_image(d);
}

static void ref_close(struct tern_dev *d)
{
	free(d->mem);
	d->mem = NULL;
}

static int ref_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		   uint32_t dma_limit, struct tern_status *st)
{
	struct tern_ref_args a = { insn_addr, count, dma_base, dma_limit };
	struct tern_ref_result r;

	if (tern_ref_run(&d->cfg, d->mem, d->mem_bytes, &a, NULL, NULL, &r))
		return tern_dev_set_err(d, "reference model could not run the program");
	st->err = r.err;
	st->err_insn = r.err_insn;
	memcpy(st->counters, r.counters, sizeof(st->counters));
	st->has_cycles = 0;
	return 0;
}

const struct tern_backend tern_backend_ref = {
	.name = "ref",
	.open = ref_open,
	.close = ref_close,
	.run = ref_run,
};
