/*
 * Machine and report options of the tern CLI (see tern_cli_board.h): one parser and
 * one resolution rule for --report/--board/--clock-mhz/--dram-gbps/--tech, used by
 * `tern gemm` and `tern run`, so both commands state the same machine the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_cli_board.h"

/* Simulated DRAM defaults of the driver (tern_driver.h: 0 means these). */
#define SIM_BPC_DEFAULT 16
#define SIM_BPC_MAX 4096

const char tern_machine_help[] =
	"report options:\n"
	"  --report DIR         write report.json, layers.csv, summary.md and plots to DIR\n"
	"  --board B            kv260 (default), pynq-z2, arty-a7, icebreaker: clock and DRAM;\n"
	"                       --board kv260 alone also runs kv260's array (64x64 with a\n"
	"                       128-byte port) unless --array or --config is given\n"
	"  --clock-mhz F        array clock in MHz (overrides the board's)\n"
	"  --dram-gbps F        DRAM bandwidth in GB/s (overrides the board's); with --board,\n"
	"                       --clock-mhz or --dram-gbps the simulated DRAM port (verilator,\n"
	"                       fast) is set to GB/s*1000/MHz bytes per cycle unless --dram-bw\n"
	"                       is given\n"
	"  --tech T             technology table: 45nm (default), 7nm, bitnet7nm or a .tech file\n"
	"  --activity           (verilator) count the RTL's bit toggles: activity-based energy\n"
	"                       per layer beside the event-based one (a separate, slower model)\n";

void tern_machine_init(struct tern_machine *m)
{
	memset(m, 0, sizeof(*m));
	m->board = tern_board_find(TERN_BOARD_DEFAULT);
	m->tech_name = "45nm";
}

int tern_parse_pos(const char *cmd, const char *opt, const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || !(v > 0) || v > max)
		return tern_usage_err(cmd, "%s expects a number in (0, %g], got '%s'", opt, max, s), -1;
	*out = v;
	return 0;
}

const char tern_config_help[] =
	"  --config FILE        hardware config from a JSON file: {\"ROWS\": 12, \"LANES\": 20,\n"
	"                       ...} with every parameter of isa/tern_isa.json, or \"base\":\n"
	"                       \"PRESET\" plus the ones that differ; optional \"name\"\n"
	"                       (docs/architecture.md); not together with --array\n";

void tern_device_cmd_help(const char *head, const char *mid, const char *tail)
{
	fputs(head, stdout);
	fputs(tern_config_help, stdout);
	fputs(mid, stdout);
	fputs(tern_machine_help, stdout);
	fputs(tail, stdout);
	exit(TERN_EXIT_OK);
}

/* Which of --array and --config this command line gave: each excludes the other. Only one
 * command runs per process, and tern_device_init resets them. */
static int array_given, config_given;
static char config_name[TERN_CONFIG_NAME_MAX];

int tern_config_opt(const char *cmd, const char *path, struct tern_hw_config *cfg, char *name)
{
	char err[600];
	const char *base;
	size_t n;

	if (tern_config_load(path, cfg, name, TERN_CONFIG_NAME_MAX, err, sizeof(err)))
		return tern_usage_err(cmd, "--config: %s", err), -1;
	if (name[0])
		return 0;
	/* No "name": the file's own name labels it, e.g. cfg/wide.json -> "wide". */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".json"))
		n -= 5;
	if (n > TERN_CONFIG_NAME_MAX - 1)
		n = TERN_CONFIG_NAME_MAX - 1;
	memcpy(name, base, n);
	name[n] = 0;
	if (!n)
		snprintf(name, TERN_CONFIG_NAME_MAX, "config");
	return 0;
}

void tern_device_init(struct tern_dev_opts *o, const char **array)
{
	array_given = config_given = 0;
	*array = TERN_PRESET_DEFAULT;
	tern_parse_array(TERN_PRESET_DEFAULT, &o->cfg, NULL, 0);
	o->backend = "ref";
}

int tern_device_opt(const char *cmd, struct tern_dev_opts *o, const char **array, int c,
		    const char *v)
{
	char err[200];

	switch (c) {
	case TERN_O_BACKEND:
		o->backend = v;
		if (tern_check_backend(v, err, sizeof(err)))
			return tern_usage_err(cmd, "%s", err), -1;
		return 1;
	case TERN_O_ARRAY:
	case TERN_O_CONFIG:
		if (c == TERN_O_CONFIG ? array_given : config_given)
			return tern_usage_err(cmd, "give either --array or --config, not both"), -1;
		if (c == TERN_O_CONFIG) {
			config_given = 1;
			*array = config_name;
			return tern_config_opt(cmd, v, &o->cfg, config_name) ? -1 : 1;
		}
		array_given = 1;
		*array = v;
		if (tern_parse_array(v, &o->cfg, err, sizeof(err)))
			return tern_usage_err(cmd, "--array: %s", err), -1;
		return 1;
	case TERN_O_DRAM_LAT:
		return tern_parse_u32(cmd, "--dram-latency", v, 1, 100000, &o->dram_latency) ? -1 : 1;
	case TERN_O_DRAM_BW:
		return tern_parse_u32(cmd, "--dram-bw", v, 1, 4096, &o->dram_bytes_per_cycle) ? -1 : 1;
	case TERN_O_QUIET:
		o->quiet = 1;
		return 1;
	case TERN_O_UIO_ROOT:
		o->uio_root = v;
		return 1;
	case TERN_O_PORT:
		o->port = v;
		return 1;
	case TERN_O_ACTIVITY:
		o->activity = 1;
		return 1;
	default:
		return 0;
	}
}

int tern_machine_opt(const char *cmd, struct tern_machine *m, int c, const char *v)
{
	switch (c) {
	case TERN_O_REPORT: m->report_dir = v; return 1;
	case TERN_O_TECH: m->tech_name = v; return 1;
	case TERN_O_BOARD:
		m->board = tern_board_find(v);
		m->machine_set = 1;
		m->board_given = 1;
		if (!m->board)
			return tern_usage_err(cmd, "unknown board '%s' (choose %s)", v, tern_board_names()), -1;
		return 1;
	case TERN_O_CLOCK:
		m->machine_set = 1;
		return tern_parse_pos(cmd, "--clock-mhz", v, 100000, &m->clock_mhz) ? -1 : 1;
	case TERN_O_GBPS:
		m->machine_set = 1;
		return tern_parse_pos(cmd, "--dram-gbps", v, 100000, &m->dram_gbps) ? -1 : 1;
	default:
		return 0;
	}
}

int tern_machine_resolve(const char *cmd, struct tern_machine *m, struct tern_dev_opts *o,
			 const char **array)
{
	double bpc;

	/* The board options belong to their backends; given elsewhere they are a mistake. */
	if (o->uio_root && strcmp(o->backend, "uio"))
		return tern_usage_err(cmd, "--uio-root needs --backend uio"), -1;
	if (o->port && strcmp(o->backend, "serial"))
		return tern_usage_err(cmd, "--port needs --backend serial"), -1;
	if (!o->port && !strcmp(o->backend, "serial"))
		return tern_usage_err(cmd, "--backend serial needs --port PATH (the board's serial port)"), -1;
	if (o->activity && strcmp(o->backend, "verilator"))
		return tern_usage_err(cmd, "--activity needs --backend verilator (the %s backend "
				      "simulates no RTL signals)", o->backend), -1;
	/* --board B alone runs B's own config (its port sized for its DRAM); an explicit
	 * --array or --config always wins. Without --board the default preset stays, so a
	 * bare `tern gemm` keeps meaning the default array. */
	if (m->board_given && !array_given && !config_given && m->board->array) {
		o->cfg = m->board->cfg;
		*array = m->board->array;
		m->array_from_board = 1;
	}

	if (!m->clock_mhz)
		m->clock_mhz = m->board->clock_mhz;
	if (!m->dram_gbps)
		m->dram_gbps = m->board->dram_gbps;
	bpc = tern_gbps_to_bpc(m->dram_gbps, m->clock_mhz);
	if (m->machine_set && !o->dram_bytes_per_cycle) {
		if (bpc > SIM_BPC_MAX)
			return tern_usage_err(cmd, "%g GB/s at %g MHz is %g bytes per cycle, more than "
					      "the simulated DRAM's %d", m->dram_gbps, m->clock_mhz, bpc,
					      SIM_BPC_MAX), -1;
		o->dram_bytes_per_cycle = bpc < 1 ? 1 : (uint32_t)lround(bpc);
	}
	return 0;
}

int tern_machine_prepare(const char *cmd, struct tern_machine *m)
{
	char path[512], err[600];

	/* The table is checked whether or not a report is asked for: a bad --tech is a
	 * mistake either way, never silently ignored. */
	if (tern_tech_find(m->tech_name, path, sizeof(path), err, sizeof(err)) ||
	    tern_tech_load(path, &m->tech, err, sizeof(err)))
		return tern_usage_err(cmd, "--tech: %s", err), -1;
	if (!m->report_dir)
		return 0;
	if (tern_report_prepare_dir(m->report_dir, err, sizeof(err)))
		return tern_usage_err(cmd, "--report: %s", err), -1;
	return 0;
}

void tern_machine_report(const struct tern_machine *m, const struct tern_dev_opts *o,
			 const char *array, struct tern_report *r)
{
	r->backend = o->backend;
	r->array = array;
	r->cfg = o->cfg;
	r->board = m->board->name;
	r->clock_mhz = m->clock_mhz;
	r->dram_gbps = m->dram_gbps;
	r->tech = m->tech;
	r->array_source = m->array_from_board ? m->board->array_why : NULL;
	if (!strcmp(o->backend, "verilator") || !strcmp(o->backend, "fast") ||
	    !strncmp(o->backend, "systemc", 7))
		r->sim_dram_bpc = o->dram_bytes_per_cycle ? o->dram_bytes_per_cycle : SIM_BPC_DEFAULT;
	if (!strcmp(o->backend, "fast") || !strcmp(o->backend, "systemc-tlm"))
		r->cycles_source = "fast";
}
