/*
 * Synthesis reports for the command line (tern_cli_synth.c): reading the report.json files
 * synth/tern_synth.py writes under build/synth/<board>/<array>/, and the area of a design
 * point for `tern sweep`, either measured (that board and array were synthesized) or from a
 * line fitted to the board's other reports, always labelled with where it came from.
 */
#ifndef TERN_CLI_SYNTH_H
#define TERN_CLI_SYNTH_H

#include <stddef.h>

#define TERN_SYNTH_KEYS 160

/* A report flattened to "path" -> scalar text ("pe_array.lut" -> "1544"; strings unquoted,
 * null as "null"). Only what the table and the sweep need; arrays are skipped. */
struct tern_synth_report {
	unsigned n;
	char key[TERN_SYNTH_KEYS][48];
	char val[TERN_SYNTH_KEYS][160];
};

/* 0 read; -1 with a one-line reason in err (missing file, not JSON, no "tern_synth" key). */
int tern_synth_read(const char *path, struct tern_synth_report *r, char *err, size_t errlen);
/* The value at path, or NULL. */
const char *tern_synth_get(const struct tern_synth_report *r, const char *path);
/* The value as a number; 0 when present and numeric. */
int tern_synth_num(const struct tern_synth_report *r, const char *path, double *out);

/* The synthesis folder: dir if given, else <tern home>/build/synth, else build/synth. */
void tern_synth_dir(const char *dir, char *out, size_t n);

/*
 * LUTs of tern_top for `array` (ROWS x LANES = pes) on board: "synth" when
 * <sdir>/<board>/<array>/report.json is an ok run; else "fit" from a least-squares line
 * LUT = a + b * PEs through every ok report of that board (board runs and synth-sweep
 * runs for it, at least two distinct PE counts); else -1 (no area known).
 */
int tern_synth_area(const char *sdir, const char *board, const char *array, unsigned pes,
		    double *luts, const char **source);

#endif /* TERN_CLI_SYNTH_H */
