/*
 * Helpers of the tern CLI (see tern_cli.h). Inputs are validated strictly: a number
 * with trailing characters, a sign, or an out-of-range value is refused rather than
 * silently clamped, and files must have exactly the size their shape implies.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern_cli.h"
#include "tern_version.h"

int tern_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	/* After SIGINT/SIGTERM/SIGHUP the failures that follow are the interrupt's doing;
	 * main prints the one line that says so. */
	if (tern_sig_pending())
		return TERN_EXIT_USAGE;
	fprintf(stderr, "tern %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return TERN_EXIT_USAGE;
}

int tern_bad_option(const char *cmd, char **argv)
{
	if (optopt && optopt < 256)
		tern_usage_err(cmd, "unknown option '-%c' (see tern %s --help)", optopt, cmd);
	else
		tern_usage_err(cmd, "unknown or incomplete option '%s' (see tern %s --help)",
			       argv[optind - 1], cmd);
	return -1;
}

int tern_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9') {
		tern_usage_err(cmd, "%s expects a non-negative integer, got '%s'", opt, s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end) {
		tern_usage_err(cmd, "%s expects an integer, got '%s'", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		tern_usage_err(cmd, "%s must be in %llu..%llu, got %llu", opt,
			       (unsigned long long)min, (unsigned long long)max, v);
		return -1;
	}
	*out = v;
	return 0;
}

int tern_parse_u32(const char *cmd, const char *opt, const char *s, uint32_t min, uint32_t max,
		   uint32_t *out)
{
	uint64_t v;

	if (tern_parse_u64(cmd, opt, s, min, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int tern_read_exact(const char *cmd, const char *what, const char *path, uint64_t size,
		    void **out)
{
	struct stat sb;
	uint8_t *buf;
	FILE *f;

	*out = NULL;
	if (stat(path, &sb)) {
		tern_usage_err(cmd, "cannot open %s file '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		tern_usage_err(cmd, "%s file '%s' is not a regular file", what, path);
		return -1;
	}
	if ((uint64_t)sb.st_size != size) {
		tern_usage_err(cmd, "%s file '%s' has %lld bytes, expected %llu", what, path,
			       (long long)sb.st_size, (unsigned long long)size);
		return -1;
	}
	f = fopen(path, "rb");
	if (!f) {
		tern_usage_err(cmd, "cannot open %s file '%s': %s", what, path, strerror(errno));
		return -1;
	}
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != size) {
		tern_usage_err(cmd, "cannot read %s file '%s'", what, path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	return 0;
}

uint64_t tern_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- JSON ---- */

static void key(struct tern_json *j, const char *k)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = 0;
	if (k)
		fprintf(j->f, "\"%s\":", k);
}

void tern_json_begin(struct tern_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = 1;
	fputc('{', f);
}

void tern_json_end(struct tern_json *j)
{
	fputs("}\n", j->f);
}

static void open_nested(struct tern_json *j, const char *k, char c)
{
	key(j, k);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = 1;
}

void tern_json_obj(struct tern_json *j, const char *k)
{
	open_nested(j, k, '{');
}

void tern_json_arr(struct tern_json *j, const char *k)
{
	open_nested(j, k, '[');
}

void tern_json_close(struct tern_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void tern_json_strn(struct tern_json *j, const char *k, const char *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t i = 0, u;

	key(j, k);
	fputc('"', j->f);
	while (i < n) {
		if (p[i] >= 0x80) {
			u = tern_cli_utf8_len(p + i, n - i);
			if (u)
				fwrite(p + i, 1, u, j->f);
			else
				fputs("\\ufffd", j->f);
			i += u ? u : 1;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\')
			fprintf(j->f, "\\%c", p[i]);
		else if (p[i] < 0x20)
			fprintf(j->f, "\\u%04x", p[i]);
		else
			fputc(p[i], j->f);
		i++;
	}
	fputc('"', j->f);
}

void tern_json_str(struct tern_json *j, const char *k, const char *v)
{
	tern_json_strn(j, k, v, strlen(v));
}

void tern_json_u64(struct tern_json *j, const char *k, uint64_t v)
{
	key(j, k);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void tern_json_i64(struct tern_json *j, const char *k, int64_t v)
{
	key(j, k);
	fprintf(j->f, "%lld", (long long)v);
}

void tern_json_f64(struct tern_json *j, const char *k, double v)
{
	key(j, k);
	if (isfinite(v))
		fprintf(j->f, "%.9g", v);
	else
		fputs("null", j->f);
}

void tern_json_bool(struct tern_json *j, const char *k, int v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->f);
}

void tern_json_version(struct tern_json *j)
{
	tern_json_obj(j, "tern");
	tern_json_str(j, "version", tern_version());
	tern_json_str(j, "git", tern_version_git());
	tern_json_str(j, "isa_hash", tern_version_isa_hash());
	tern_json_close(j, '}');
}
