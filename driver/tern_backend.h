/*
 * Backend interface of the tern driver: what a new target (ref, verilator, systemc,
 * uio) implements. The driver core (tern_driver.c) owns the config, the allocator and,
 * for simulated backends, the DRAM image; a backend only has to run a program.
 *
 * For simulated backends d->mem is host memory of d->mem_bytes bytes that is the
 * device DRAM (device address = offset); read/write may then be NULL and the core
 * copies directly. A real board (uio) sets read/write and leaves d->mem NULL.
 */
#ifndef TERN_BACKEND_H
#define TERN_BACKEND_H

#include "tern_driver.h"

struct tern_backend {
	const char *name;
	/* Set up d->priv (and d->mem for simulated backends). 0 or -1 with tern_dev_set_err. */
	int (*open)(struct tern_dev *d);
	void (*close)(struct tern_dev *d);
	int (*write)(struct tern_dev *d, uint32_t addr, const void *src, uint64_t n);
	int (*read)(struct tern_dev *d, uint32_t addr, void *dst, uint64_t n);
	/* Run to the end with CSRs insn_addr/count and the window; fill st. */
	int (*run)(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		   uint32_t dma_limit, struct tern_status *st);
};

struct tern_dev {
	const struct tern_backend *be;
	struct tern_dev_opts opts;  /* copy; string pointers belong to the caller */
	struct tern_hw_config cfg;
	uint8_t *mem;               /* simulated DRAM, or NULL */
	uint64_t mem_bytes;
	uint64_t arena_base;        /* first allocatable address */
	uint64_t arena_top;         /* next free address */
	void *priv;                 /* backend state */
	char err[256];              /* last error, one line */
};

/* For simulated backends: d->mem, a zeroed host image of the whole device memory
 * (mem_bytes). 0, or -1 with the error set. */
int tern_dev_new_image(struct tern_dev *d);

/* printf-style: record the last error of d. Returns -1 for `return tern_dev_set_err(...)`. */
int tern_dev_set_err(struct tern_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

extern const struct tern_backend tern_backend_ref;
extern const struct tern_backend tern_backend_verilator;
extern const struct tern_backend tern_backend_fast;
extern const struct tern_backend tern_backend_systemc;
extern const struct tern_backend tern_backend_systemc_tlm;
extern const struct tern_backend tern_backend_uio;
extern const struct tern_backend tern_backend_serial;

#endif /* TERN_BACKEND_H */
