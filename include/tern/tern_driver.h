/*
 * tern driver: the one C API every caller uses, whatever runs the program.
 *
 * A device is opened with a backend name and a hardware config. Device memory is a
 * flat byte-addressed DRAM; tern_dev_alloc hands out BUS-aligned regions from a bump
 * arena, and the DMA window of a run covers exactly the arena in use, so a program
 * that strays outside its buffers faults instead of corrupting memory. Backends
 * (ref, verilator, later systemc and uio) plug in behind struct tern_backend in
 * tern_backend.h; callers never see which one runs.
 *
 * Errors: functions return 0 or a negative value; tern_dev_errmsg() gives one line.
 * A device fault (illegal instruction, DMA outside the window, ...) is not a failed
 * call: tern_dev_run returns 0 and the status carries the error code and index.
 */
#ifndef TERN_DRIVER_H
#define TERN_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "tern_isa.h"

struct tern_dev;

struct tern_dev_opts {
	const char *backend;       /* ref, verilator, fast, systemc, systemc-tlm, uio, serial */
	struct tern_hw_config cfg;
	uint64_t mem_bytes;        /* device DRAM size; 0 = 256 MiB */
	/* simulated DRAM (verilator backend) */
	uint32_t dram_latency;     /* cycles from request to first beat; 0 = default TERN_DRAM_LATENCY */
	uint32_t dram_bytes_per_cycle; /* 0 = default TERN_DRAM_BYTES_PER_CYCLE */
	uint64_t watchdog;         /* cycle limit per run; 0 = default (scaled to the program) */
	int no_lockstep;           /* 1 turns lockstep checking off (it is on by default) */
	const char *fst_path;      /* write a waveform here (NULL: none) */
	uint64_t fst_window;       /* with fst_path: only this many cycles before a mismatch */
	int quiet;                 /* 1: no progress output (e.g. building a Verilated model) */
	int activity;              /* verilator: run the activity build, which counts bit toggles
				    * (a separate cached model, slower; st->toggles) */
	/* where the verilator backend finds its sources and keeps its models (docs/api.md) */
	const char *home;          /* data dir (rtl/, sim/, gen/); NULL: $TERN_HOME, else found */
	const char *cache;         /* model cache dir; NULL: $TERN_CACHE, else the default */
	/* boards (docs/boards.md) */
	const char *uio_root;      /* uio: prefix of sys/ and dev/ (`tern devsim`'s tree); NULL: / */
	const char *port;          /* serial: the iCEBreaker's serial device (e.g. /dev/ttyUSB1) */
};

/* First lockstep mismatch: the RTL wrote something the reference model did not. */
struct tern_mismatch {
	uint32_t insn;     /* index of the STORE that wrote it */
	uint32_t opcode;
	uint64_t addr;     /* byte address of the first differing 32-bit word */
	uint32_t expected; /* reference model's word */
	uint32_t actual;   /* RTL's word */
	uint64_t cycle;    /* RTL cycle of the write */
};

/*
 * Bit-toggle groups counted by the verilator backend's activity build (opts.activity;
 * sim/tern_vl.h says how each is sampled). The energy model prices them
 * (tern_energy_activity, include/tern/tern_energy.h).
 *   TREE_L0      adder-tree leaves: the selected +a / ~a / 0 inputs of level 1
 *   TREE_L1..L8  outputs of tree level j's adders (8 + j bits wide)
 *   ACC_REG      the rows' int32 accumulator registers
 *   WBUF/ABUF/ACC _RD, _WR  each buffer's read data port and its written words
 *   MEM_RD, MEM_WR  the memory port's read and write data buses
 */
enum tern_toggle {
	TERN_TOG_TREE_L0, TERN_TOG_TREE_L8 = 8, TERN_TOG_ACC_REG, TERN_TOG_WBUF_RD,
	TERN_TOG_WBUF_WR, TERN_TOG_ABUF_RD, TERN_TOG_ABUF_WR, TERN_TOG_ACC_RD,
	TERN_TOG_ACC_WR, TERN_TOG_MEM_RD, TERN_TOG_MEM_WR, TERN_TOG_COUNT
};

struct tern_status {
	uint32_t err;      /* enum tern_err, 0 = ok */
	uint32_t err_insn;
	int mismatch;      /* 1: lockstep found a difference, details in mm */
	struct tern_mismatch mm;
	uint64_t counters[TERN_CNT_COUNT];
	int has_cycles;    /* 1 when the backend measures cycles (RTL-only counters valid) */
	int has_toggles;   /* 1 when opts.activity counted bit toggles */
	uint64_t toggles[TERN_TOG_COUNT]; /* enum tern_toggle */
};

int tern_dev_open(const struct tern_dev_opts *o, struct tern_dev **out, char *err, size_t errlen);
void tern_dev_close(struct tern_dev *d);
const char *tern_dev_errmsg(const struct tern_dev *d);
const struct tern_hw_config *tern_dev_config(const struct tern_dev *d);
const char *tern_dev_backend(const struct tern_dev *d);

/* Bump allocation, aligned to 64 bytes (>= every BUS_BYTES). */
int tern_dev_alloc(struct tern_dev *d, uint64_t bytes, uint32_t *addr);
/* Forget every allocation (memory contents are kept). */
void tern_dev_free_all(struct tern_dev *d);
/* Stack-style release: everything allocated after tern_dev_mark() is forgotten. */
uint64_t tern_dev_mark(const struct tern_dev *d);
void tern_dev_release(struct tern_dev *d, uint64_t mark);

int tern_dev_write(struct tern_dev *d, uint32_t addr, const void *src, uint64_t n);
int tern_dev_read(struct tern_dev *d, uint32_t addr, void *dst, uint64_t n);

/* Run count instructions at insn_addr and wait for the end; fills *st. */
int tern_dev_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, struct tern_status *st);

/* 0 if a backend of that name exists in this build, else -1 with a one-line reason. */
int tern_check_backend(const char *name, char *err, size_t errlen);
/* Parse "RxL" or a preset name into a config (presets keep their buffer depths). */
int tern_parse_array(const char *spec, struct tern_hw_config *cfg, char *err, size_t errlen);
/* Check that a config is one the ISA allows (sizes, BUS_BYTES divides ROWS*4, ...). */
int tern_check_config(const struct tern_hw_config *cfg, char *err, size_t errlen);

/*
 * A hardware config from a JSON file (driver/tern_config_file.c): one object whose keys
 * are the definition's parameter names (ROWS, LANES, WBUF_DEPTH, ABUF_DEPTH, ACC_DEPTH,
 * BUS_BYTES, QUEUE_DEPTH), optionally "name" (a label, copied to name; "" if absent) and
 * "base" (a preset to start from; without it every parameter is required). Strict:
 * unknown or duplicate keys, non-integers and trailing bytes are refused, and the result
 * must pass tern_check_config. 0, or -1 with one line in err naming the file (label).
 */
#define TERN_CONFIG_NAME_MAX 32 /* name buffer size, terminator included */
int tern_config_load(const char *path, struct tern_hw_config *cfg, char *name, size_t namelen,
		     char *err, size_t errlen);
int tern_config_parse(const char *text, size_t len, const char *label,
		      struct tern_hw_config *cfg, char *name, size_t namelen, char *err,
		      size_t errlen);

/*
 * Run-time data (docs/api.md "Environment"). tern_home_dir: the data directory: home if
 * given, else $TERN_HOME, else the source tree or PREFIX/share/tern found above the
 * library or the executable. tern_home_sub: a part of it ("gen", "tech", "rtl", "sim") in
 * either layout. tern_cache_dir: the Verilated model cache (created): cache if given, else
 * $TERN_CACHE, else HOME/build/vl in a source tree, else $XDG_CACHE_HOME/tern/vl or
 * ~/.cache/tern/vl. Each returns 0, or -1 when there is none (or it does not fit in n).
 */
int tern_home_dir(const char *home, char *out, size_t n);
int tern_home_sub(const char *home, const char *what, char *out, size_t n);
int tern_cache_dir(const char *cache, const char *home, char *out, size_t n);

#endif /* TERN_DRIVER_H */
