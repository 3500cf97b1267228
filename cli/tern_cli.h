/*
 * Shared helpers of the `tern` command line: strict number parsing, whole-file
 * reading with an exact size, atomic output files, a seeded generator and a small
 * JSON writer. Every user-facing error is one line on stderr prefixed "tern CMD:".
 */
#ifndef TERN_CLI_H
#define TERN_CLI_H

#include <signal.h>
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

/* ---- output files (tern_cli_out.c) */
/*
 * Write buf to path: a regular file or new path atomically (temporary file in the same
 * folder, then rename); a device, pipe or /dev/stdout written through in place. Error
 * printed (write errors such as ENOSPC included); -1 also when interrupted.
 */
int tern_write_atomic(const char *cmd, const char *path, const void *buf, uint64_t size);
/* 1 if a and b name the same existing regular file (for "--out is an input"). */
int tern_same_file(const char *a, const char *b);
struct tern_report;
/*
 * Write a report into DIR (created with its parents): into a private directory first,
 * then moved in with interrupts held, so DIR keeps its old report or gets the whole
 * new one. 0, or -1 with err ("interrupted" when a signal came first).
 */
int tern_cli_write_report(const char *dir, const struct tern_report *r, char *err,
			  size_t errlen);

/* ---- interrupts (tern_cli_signal.c): SIGINT, SIGTERM and SIGHUP set a flag */
void tern_sig_init(void);
/* The signal caught so far (0 = none). */
int tern_sig_pending(void);
/* The flag itself, for code that polls it (the forward pass's stop hook). */
volatile sig_atomic_t *tern_sig_flag(void);
/* Hold the three signals while a finished output is moved into place. */
void tern_sig_block(void);
void tern_sig_unblock(void);
/* Print "tern CMD: interrupted by SIG...; no output written"; returns 128 + signal. */
int tern_sig_exit(const char *cmd);

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
/* n bytes as a JSON string that is always valid: well-formed UTF-8 passes, control
 * bytes (0 included) are \u00XX, every byte of an ill-formed sequence is U+FFFD. */
void tern_json_strn(struct tern_json *j, const char *key, const char *v, size_t n);
/* Length of the well-formed UTF-8 sequence (2..4 bytes) at s, 0 if none. */
size_t tern_cli_utf8_len(const unsigned char *s, size_t n);
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
int tern_cmd_train(int argc, char **argv);
int tern_cmd_tokenize(int argc, char **argv);
/* n bytes of generated text as one printable UTF-8 line (tern_cli_text.c): quotes,
 * backslashes and newlines escaped, control and invalid bytes as \xNN. Returns the
 * length written to out (NUL-terminated, truncated at len). */
size_t tern_cli_escape_text(const char *in, size_t n, char *out, size_t len);
int tern_cmd_perplexity(int argc, char **argv);
int tern_cmd_shard(int argc, char **argv); /* tern_cmd_shard.c */
int tern_cmd_synth(int argc, char **argv);
int tern_cmd_devsim(int argc, char **argv);

#endif /* TERN_CLI_H */
