/*
 * Device options shared by `tern gemm` and `tern run`: --backend, --array, --config,
 * --dram-latency, --dram-bw, --quiet, --activity (verilator), and the boards' --uio-root
 * (uio) and --port (serial) (TERN_DEVICE_LONGOPTS, tern_device_opt; tern_machine_resolve
 * checks that --activity, --uio-root and --port go with their backend).
 * --array and --config both choose the hardware config, so they exclude each other.
 *
 * Machine and report options shared by the same commands: --report DIR,
 * --board, --clock-mhz, --dram-gbps and --tech, with one meaning everywhere. A
 * command lists TERN_MACHINE_LONGOPTS in its getopt table, hands every option to
 * tern_machine_opt() first, then calls tern_machine_resolve() (board numbers, and
 * the simulated DRAM port set to match them) and tern_machine_prepare() (technology
 * table loaded, report directory checked before any simulation time is spent).
 */
#ifndef TERN_CLI_BOARD_H
#define TERN_CLI_BOARD_H

#include <getopt.h>

#include "tern_board.h"
#include "tern_driver.h"
#include "tern_report.h"

/* Option codes, above any command's own (those start at 256). */
enum { TERN_O_REPORT = 1000, TERN_O_BOARD, TERN_O_CLOCK, TERN_O_GBPS, TERN_O_TECH };
enum { TERN_O_BACKEND = 1100, TERN_O_ARRAY, TERN_O_DRAM_LAT, TERN_O_DRAM_BW, TERN_O_QUIET,
       TERN_O_CONFIG, TERN_O_UIO_ROOT, TERN_O_PORT, TERN_O_ACTIVITY };

#define TERN_DEVICE_LONGOPTS                                                         \
	{ "backend", required_argument, 0, TERN_O_BACKEND },                         \
	{ "array", required_argument, 0, TERN_O_ARRAY },                             \
	{ "config", required_argument, 0, TERN_O_CONFIG },                           \
	{ "dram-latency", required_argument, 0, TERN_O_DRAM_LAT },                   \
	{ "dram-bw", required_argument, 0, TERN_O_DRAM_BW },                         \
	{ "quiet", no_argument, 0, TERN_O_QUIET },                                   \
	{ "uio-root", required_argument, 0, TERN_O_UIO_ROOT },                       \
	{ "port", required_argument, 0, TERN_O_PORT },                               \
	{ "activity", no_argument, 0, TERN_O_ACTIVITY }

/* Defaults: the ref backend on the default preset; *array names it. */
void tern_device_init(struct tern_dev_opts *o, const char **array);

/*
 * 1 if c was a device option (stored in o / *array), 0 if not one, -1 on a bad value.
 * With --config, *array is the file's "name", else the file name without folder and
 * ".json" (at most TERN_CONFIG_NAME_MAX - 1 characters).
 */
int tern_device_opt(const char *cmd, struct tern_dev_opts *o, const char **array, int c,
		    const char *v);

/* Load --config FILE for cmd into cfg and name (size TERN_CONFIG_NAME_MAX); 0 or -1 (printed). */
int tern_config_opt(const char *cmd, const char *path, struct tern_hw_config *cfg, char *name);

/* The "  --config FILE ..." lines of a command's --help. */
extern const char tern_config_help[];

#define TERN_MACHINE_LONGOPTS                                                        \
	{ "report", required_argument, 0, TERN_O_REPORT },                           \
	{ "board", required_argument, 0, TERN_O_BOARD },                             \
	{ "clock-mhz", required_argument, 0, TERN_O_CLOCK },                         \
	{ "dram-gbps", required_argument, 0, TERN_O_GBPS },                          \
	{ "tech", required_argument, 0, TERN_O_TECH }

/* The "report options:" block of a command's --help. */
extern const char tern_machine_help[];
/* Print a device command's --help: head, the config options, mid, the machine options,
 * tail; then exit 0. */
_Noreturn void tern_device_cmd_help(const char *head, const char *mid, const char *tail);

struct tern_machine {
	const char *report_dir;         /* NULL: no report */
	const char *tech_name;          /* --tech (default 45nm) */
	const struct tern_board *board; /* preset (default kv260) */
	double clock_mhz, dram_gbps;    /* 0 until resolved: the board's */
	int machine_set;                /* the user gave --board, --clock-mhz or --dram-gbps */
	int board_given;                /* the user gave --board */
	int array_from_board;           /* resolve chose the board's own array config */
	struct tern_tech tech;          /* loaded by tern_machine_prepare when reporting */
};

void tern_machine_init(struct tern_machine *m);

/* 1 if c was a machine option (stored), 0 if not one, -1 on a bad value (printed). */
int tern_machine_opt(const char *cmd, struct tern_machine *m, int c, const char *v);

/* A positive decimal number in (0, max]; strict like tern_parse_u64. 0 or -1 (printed). */
int tern_parse_pos(const char *cmd, const char *opt, const char *s, double max, double *out);

/*
 * Fill in the board's clock and bandwidth, and when the user chose a machine set the
 * simulated DRAM port (o->dram_bytes_per_cycle, unless --dram-bw gave it) to
 * GB/s x 1000 / MHz, so cycles and the stated bandwidth describe one machine. With
 * --board and neither --array nor --config, a board that names its own array config
 * (isa/tern_isa.json boards[].array) sets o->cfg and *array to it.
 */
int tern_machine_resolve(const char *cmd, struct tern_machine *m, struct tern_dev_opts *o,
			 const char **array);

/* With --report: load the technology table and check the directory. 0 or -1 (printed). */
int tern_machine_prepare(const char *cmd, struct tern_machine *m);

/* Report header fields from the machine: board, clock, bandwidth, table, array, and
 * the simulated DRAM port when the backend simulates one (verilator, fast). */
void tern_machine_report(const struct tern_machine *m, const struct tern_dev_opts *o,
			 const char *array, struct tern_report *r);

#endif /* TERN_CLI_BOARD_H */
