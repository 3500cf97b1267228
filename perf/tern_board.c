/*
 * Board presets (see tern_board.h): lookups over the tables generated from the
 * "boards" section of isa/tern_isa.json (build/gen/tern_isa_tables.c), where every
 * number carries its source. DRAM bandwidth is the peak of the memory interface:
 * transfers per second x bus bytes; no efficiency factor is applied (the simulated
 * DRAM's latency already costs cycles). The array clocks are assumptions for a design
 * of this kind, to be replaced by the synthesized Fmax (synth/).
 */
#include <string.h>

#include "tern_board.h"

const struct tern_board *tern_board_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < TERN_BOARD_COUNT; i++)
		if (!strcmp(name, tern_boards[i].name))
			return &tern_boards[i];
	return NULL;
}

const char *tern_board_names(void)
{
	return TERN_BOARD_NAMES;
}

/*
 * Host CPUs of the board presets: FP32 peaks with no efficiency factor, like the
 * boards' DRAM figures, so host time is a lower bound; --host-gflops states another rate.
 */
const struct tern_host *tern_host_find(const char *board)
{
	size_t i;

	for (i = 0; board && i < TERN_BOARD_COUNT; i++)
		if (!strcmp(board, tern_hosts[i].board))
			return &tern_hosts[i];
	return NULL;
}

double tern_gbps_to_bpc(double gbps, double clock_mhz)
{
	return clock_mhz > 0 ? gbps * 1000.0 / clock_mhz : 0;
}

double tern_bpc_to_gbps(double bytes_per_cycle, double clock_mhz)
{
	return bytes_per_cycle * clock_mhz / 1000.0;
}
