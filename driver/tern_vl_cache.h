/*
 * The verilator backend's model cache (tern_vl_cache.c): a valid Verilated model for the
 * device's config, built on demand. Internal to the driver.
 */
#ifndef TERN_VL_CACHE_H
#define TERN_VL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "tern_backend.h"

/*
 * What a cache entry holds: the Verilated model (tern_vl_kind) or a SystemC library of
 * sim/systemc (tern_sc_kind: the RTL in SystemC; tern_sctlm_kind: the TLM-only model, one
 * entry for every config). Each is built by its script from the sources it lists.
 */
struct tern_model_kind {
	const char *what;            /* for messages: "Verilated model" */
	const char *script;          /* build script, relative to the tern home */
	const char *lib;             /* library file name in the entry */
	const char *suffix;          /* entry name suffix ("", "-sc"); the whole name if no_cfg */
	const char *const *tail;     /* sources hashed after rtl/, before the generated files */
	const char *const *extra;    /* sources hashed after the generated files (or NULL) */
	int no_cfg;                  /* one entry for all configs (the script gets "tlm") */
};
extern const struct tern_model_kind tern_vl_kind, tern_sc_kind, tern_sctlm_kind;

/* Model variants (the `bug` argument below): the plain RTL, the checker test's broken
 * RTL, and the activity build that counts bit toggles (a separate, slower model). */
enum { TERN_VL_PLAIN = 0, TERN_VL_BUG = 1, TERN_VL_ACT = 2 };

/* tern_vl_cache_get for any kind of model library. */
int tern_model_cache_get(struct tern_dev *d, const struct tern_model_kind *k, int bug, char *lib,
			 size_t n);

/*
 * Make sure CACHE/<entry>/libtern_vl.so is a complete model of d->cfg (the bug variant
 * when bug) built from the current sources, building it when not; its path goes to lib.
 * 0, or -1 with tern_dev_set_err. A SIGINT/SIGTERM/SIGHUP during the build removes the
 * private build directory and is then re-raised.
 */
int tern_vl_cache_get(struct tern_dev *d, int bug, char *lib, size_t n);
/* The cache entry's directory name for a config: a preset's name or all seven values. */
void tern_vl_entry_name(const struct tern_hw_config *c, int bug, char *out, size_t n);
/* POSIX cksum(1) of a buffer (the stamp's checksum). */
uint32_t tern_cksum(const void *p, size_t n);

#endif /* TERN_VL_CACHE_H */
