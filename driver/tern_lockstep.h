/*
 * Lockstep checking (level 1 of DESIGN.md "Checking"): the reference model runs the
 * program first on a copy of the DRAM image and logs every write it makes, in store
 * order; then the RTL runs and each write beat it makes is compared with the log at
 * once, 32-bit word by word, so the first difference stops the simulation at the cycle
 * it happens. Both sides write in the same order because only the store unit writes
 * DRAM and it executes its queue in program order.
 *
 * This file knows nothing about Verilator: the verilator backend feeds it, and any
 * other simulated backend (systemc) can use it the same way.
 */
#ifndef TERN_LOCKSTEP_H
#define TERN_LOCKSTEP_H

#include <stddef.h>
#include <stdint.h>

#include "tern_driver.h"

struct tern_wlog_entry {
	uint32_t insn;   /* index of the STORE */
	uint32_t len;    /* bytes (ROWS*4) */
	uint64_t addr;
	size_t off;      /* into data */
};

struct tern_lockstep {
	/* the reference model's writes, in order */
	struct tern_wlog_entry *e;
	size_t n, cap;
	uint8_t *data;
	size_t data_len, data_cap;
	int oom;
	/* compare cursor: entry pos, byte off inside it */
	size_t pos;
	uint32_t off;
	/* the reference model's final image, for the expected word of a stray write */
	const uint8_t *ref_image;
	uint64_t ref_size;
	/* first difference */
	int mismatch;
	struct tern_mismatch mm;
	char msg[200];
};

/* Forget the log and the result; keeps the buffers for the next run. */
void tern_lockstep_reset(struct tern_lockstep *ls);
void tern_lockstep_free(struct tern_lockstep *ls);

/* tern_ref_write_fn: append one reference write to the log. Non-zero on out of memory. */
int tern_lockstep_log(void *ls, uint32_t insn, uint64_t addr, const uint8_t *data, uint32_t len);

/*
 * tern_vl_write_fn: compare one RTL write beat with the log. Returns 1 (stop the run)
 * on the first difference: data, address, or a write the reference never made.
 */
int tern_lockstep_check(void *ls, uint64_t cycle, uint64_t addr, const uint8_t *data,
			uint32_t len);

/*
 * After a complete RTL run: every logged write must have been made. mem is the RTL's
 * DRAM (for the actual word of a missing write). Returns 1 on a mismatch.
 */
int tern_lockstep_finish(struct tern_lockstep *ls, const uint8_t *mem, uint64_t mem_size,
			 uint64_t cycle);

/* Record a mismatch that is not a write (error code, counter, RTL misbehaviour). */
void tern_lockstep_fail(struct tern_lockstep *ls, uint32_t insn, uint32_t opcode, uint64_t addr,
			uint32_t expected, uint32_t actual, uint64_t cycle, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

#endif /* TERN_LOCKSTEP_H */
