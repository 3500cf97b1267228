/*
 * Board presets (see tern_board.h). DRAM bandwidth is the peak of the memory
 * interface: transfers per second x bus bytes; no efficiency factor is applied (the
 * simulated DRAM's latency already costs cycles). The array clocks are assumptions
 * for a design of this kind, to be replaced by the synthesized Fmax (synth/).
 */
#include <string.h>

#include "tern_board.h"

static const struct tern_board boards[] = {
	/* Kria K26 SOM: 4 GB DDR4, 64-bit, 2400 MT/s -> 2400e6 * 8 B = 19.2 GB/s
	 * (AMD DS987 K26 data sheet). PL clock: 200 MHz assumed. */
	{ "kv260", 200.0, 19.2,
	  "Kria KV260: DDR4-2400 x64 = 19.2 GB/s peak; 200 MHz PL clock assumed" },
	/* PYNQ-Z2: 512 MB DDR3, 16-bit, 1066 MT/s -> 2.133 GB/s (TUL PYNQ-Z2
	 * reference manual); 100 MHz is the PYNQ default FCLK0. */
	{ "pynq-z2", 100.0, 2.133,
	  "PYNQ-Z2: DDR3-1066 x16 = 2.13 GB/s peak; 100 MHz (PYNQ default FCLK0)" },
	/* Arty A7: 256 MB DDR3L, 16-bit, 667 MT/s -> 1.334 GB/s (Digilent Arty A7
	 * reference manual); 100 MHz board oscillator. */
	{ "arty-a7", 100.0, 1.334,
	  "Arty A7: DDR3L-667 x16 = 1.33 GB/s peak; 100 MHz board oscillator" },
	/* iCEBreaker: iCE40 UP5K, 12 MHz oscillator, no DRAM at all. Assumed: data
	 * comes from the UP5K's four 16-bit SPRAM blocks (128 KB) at the array clock,
	 * 4 x 2 B x 12 MHz = 0.096 GB/s; only tiny layers fit. */
	{ "icebreaker", 12.0, 0.096,
	  "iCEBreaker: no DRAM; assumed 4x16-bit SPRAM at 12 MHz = 0.096 GB/s" },
};

const struct tern_board *tern_board_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
		if (!strcmp(name, boards[i].name))
			return &boards[i];
	return NULL;
}

const char *tern_board_names(void)
{
	return "kv260, pynq-z2, arty-a7, icebreaker";
}

/*
 * Host CPUs of the board presets (the array side is above). Rates are
 * FP32 peaks with no efficiency factor, like the boards' DRAM figures, so host time
 * is a lower bound; --host-gflops states another rate.
 */
static const struct tern_host hosts[] = {
	/* Zynq UltraScale+ ZU5EV (K26): 4 x Cortex-A53 at 1.333 GHz; NEON does one
	 * 4-lane FP32 FMA every 2 cycles = 4 FLOP/cycle/core (Arm A53 TRM timing). */
	{ "kv260", 21.3, "4x Cortex-A53 @ 1.333 GHz x 4 FP32 FLOP/cycle (NEON) = 21.3 GFLOP/s peak" },
	/* Zynq-7020: 2 x Cortex-A9 at 650 MHz; NEON one 2-lane FP32 multiply-accumulate
	 * per cycle = 4 FLOP/cycle/core. */
	{ "pynq-z2", 5.2, "2x Cortex-A9 @ 650 MHz x 4 FP32 FLOP/cycle (NEON) = 5.2 GFLOP/s peak" },
	/* Artix-7 has no hard CPU: a MicroBlaze with its FPU at the 100 MHz board clock,
	 * at best one FLOP per cycle. */
	{ "arty-a7", 0.1, "MicroBlaze soft CPU with FPU @ 100 MHz x 1 FLOP/cycle = 0.1 GFLOP/s peak" },
	/* iCE40 UP5K: a soft RV32I without FPU at 12 MHz, ~100 cycles per soft-float op. */
	{ "icebreaker", 0.00012,
	  "soft RV32I, no FPU, @ 12 MHz, ~100 cycles per soft-float op = 0.12 MFLOP/s" },
};

const struct tern_host *tern_host_find(const char *board)
{
	size_t i;

	for (i = 0; board && i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (!strcmp(board, hosts[i].board))
			return &hosts[i];
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
