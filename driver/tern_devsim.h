/*
 * tern_devsim_serve: a simulated board for the uio backend (`tern devsim`). It writes a
 * UIO tree under root (tern_uio.h), loads the Verilated model of cfg from the model cache
 * (the verilator backend's, tern_vl_cache.h) and serves it until *stop is set: every CSR
 * access the host rings on the doorbell page is performed on the RTL's AXI4-Lite port,
 * the clock runs while a started run is busy, the DRAM model reads and writes the shared
 * buffer file, and each rising edge of irq_o is one event on the FIFO root/dev/uio0.
 */
#ifndef TERN_DEVSIM_H
#define TERN_DEVSIM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tern_driver.h"

struct tern_devsim_opts {
	struct tern_hw_config cfg;
	const char *root;          /* the tree's prefix (created if missing) */
	uint64_t buf_phys;         /* the buffer's "physical" address (map1 addr) */
	uint64_t buf_bytes;        /* its size (map1 size) */
	const char *home, *cache;  /* as in tern_dev_opts */
	int quiet;
	/* called once the tree is ready (e.g. to print "ready"); may be NULL */
	void (*ready)(const struct tern_devsim_opts *o);
};

/* 0 after *stop, or -1 with one line in err (nothing served). */
int tern_devsim_serve(const struct tern_devsim_opts *o, volatile sig_atomic_t *stop, char *err,
		      size_t errlen);

#endif /* TERN_DEVSIM_H */
