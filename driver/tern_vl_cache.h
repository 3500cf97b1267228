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
