/*
 * Shared helpers of the `tern` command line: strict number parsing, whole-file
 * reading with an exact size, atomic output files, a seeded generator and a small
 * JSON writer. Every user-facing error is one line on stderr prefixed "tern CMD:".
 */
#ifndef TERN_CLI_H
#define TERN_CLI_H

#include <stdint.h>
#include <stdio.h>

#define TERN_EXIT_OK 0
#define TERN_EXIT_CHECK 1 /* a result differs from its check, or the device faulted */
#define TERN_EXIT_USAGE 2 /* bad option, bad input file, shape that cannot run */

/* Print "tern CMD: message" on stderr (one line). Returns TERN_EXIT_USAGE. */
int tern_usage_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long found an option it does not know or one missing its value (opterr is 0):
 * print one line naming it. Returns -1.
 */
int tern_bad_option(const char *cmd, char **argv);

/* Decimal integer in [min, max]; 0 or -1 with an error printed naming opt. */
int tern_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
		   uint64_t *out);

/* The same for a 32-bit destination. */
int tern_parse_u32(const char *cmd, const char *opt, const char *s, uint32_t min, uint32_t max,
		   uint32_t *out);

/* Read exactly `size` bytes from path into a new buffer; error printed on failure. */
int tern_read_exact(const char *cmd, const char *what, const char *path, uint64_t size,
		    void **out);

/* Write buf to path atomically (temporary file in the same folder, then rename). */
int tern_write_atomic(const char *cmd, const char *path, const void *buf, uint64_t size);

/* splitmix64: deterministic across platforms. */
uint64_t tern_rng_next(uint64_t *state);

/* Minimal JSON object writer: keys are plain identifiers, strings get escaped. */
struct tern_json {
	FILE *f;
	int depth;
	int first[16];
};
void tern_json_begin(struct tern_json *j, FILE *f);
void tern_json_end(struct tern_json *j); /* closes the root object, adds a newline */
void tern_json_obj(struct tern_json *j, const char *key); /* key NULL inside arrays */
void tern_json_arr(struct tern_json *j, const char *key);
void tern_json_close(struct tern_json *j, char c); /* '}' or ']' */
void tern_json_str(struct tern_json *j, const char *key, const char *v);
void tern_json_u64(struct tern_json *j, const char *key, uint64_t v);
void tern_json_i64(struct tern_json *j, const char *key, int64_t v);
void tern_json_f64(struct tern_json *j, const char *key, double v);
void tern_json_bool(struct tern_json *j, const char *key, int v);
/* "tern": {"version", "git", "isa_hash"}, as in report.json (tern_version.h). */
void tern_json_version(struct tern_json *j);

/* Subcommands. */
int tern_cmd_gemm(int argc, char **argv);
int tern_cmd_report(int argc, char **argv);
int tern_cmd_run(int argc, char **argv);
int tern_cmd_export(int argc, char **argv);
int tern_cmd_sweep(int argc, char **argv);
int tern_cmd_version(int argc, char **argv);

#endif /* TERN_CLI_H */
