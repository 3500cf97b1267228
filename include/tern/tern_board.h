/*
 * tern_board: board presets for turning cycles into seconds. A board gives the array
 * clock (MHz) and the DRAM bandwidth (GB/s, 1 GB = 1e9 bytes) the accelerator sees;
 * `tern gemm --board NAME` and `tern run --board NAME` start from a preset and
 * --clock-mhz / --dram-gbps override either number. Sources and assumptions for
 * every preset are in isa/tern_isa.json ("boards") and docs/energy.md.
 *
 * Conversion used everywhere: DRAM bytes per cycle = GB/s * 1000 / MHz, and seconds =
 * cycles / (MHz * 1e6). The verilator backend's simulated DRAM port is set to the
 * board's bytes per cycle (rounded to the nearest integer, at least 1) unless the user
 * gives --dram-bw, so the cycles and the stated bandwidth describe the same machine.
 */
#ifndef TERN_BOARD_H
#define TERN_BOARD_H

#include <stddef.h>

/* struct tern_board, struct tern_host, TERN_BOARD_DEFAULT and the tables themselves are
 * generated from isa/tern_isa.json. */
#include "tern_isa.h"

/* Preset by name, NULL if unknown. */
const struct tern_board *tern_board_find(const char *name);
/* "kv260, pynq-z2, ..." for messages (TERN_BOARD_NAMES, from the same table). */
const char *tern_board_names(void);
/* Host of a board preset; NULL if the board has none listed. */
const struct tern_host *tern_host_find(const char *board);

/* GB/s <-> bytes per cycle at clock_mhz. */
double tern_gbps_to_bpc(double gbps, double clock_mhz);
double tern_bpc_to_gbps(double bytes_per_cycle, double clock_mhz);

#endif /* TERN_BOARD_H */
