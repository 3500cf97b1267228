/*
 * Hardware configs from a file: a strict reader for one small JSON object,
 *
 *     { "name": "wide", "base": "32x32", "ROWS": 12, "LANES": 20, "WBUF_DEPTH": 300 }
 *
 * whose keys are the definition's config parameter names (the TERN_CONFIG_PARAMS
 * X-macro generated from isa/tern_isa.json, so a new parameter is known here without an
 * edit), plus an optional "name" (a label for reports) and an optional "base" (a preset
 * the file starts from; without it every parameter must be given). It is a reader for
 * exactly this shape, not a general JSON parser: no nesting, no string escapes, integers
 * only, and anything else (unknown or repeated keys, fractions, exponents, signs, values
 * past 32 bits, bytes after the closing brace) is refused with the line and column.
 * Range rules are not repeated here: the finished config goes through tern_check_config,
 * the one validity rule.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tern_driver.h"
#include "tern_isa_meta.h"

#define MAX_FILE_BYTES 65536 /* a config is a few hundred bytes; more is not a config */
#define MAX_KEY 64

struct param {
	const char *name;
	size_t off;
};

#define TERN_PARAM_ENTRY(NAME, field) { #NAME, offsetof(struct tern_hw_config, field) },
static const struct param params[] = { TERN_CONFIG_PARAMS(TERN_PARAM_ENTRY) };
#define NPARAMS (sizeof(params) / sizeof(params[0]))

/* Cursor over the text; every error goes through fail() with the current position. */
struct rd {
	const char *s, *end, *p;
	const char *label; /* file name in messages */
	char *err;
	size_t errlen;
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct rd *r, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	const char *q;
	va_list ap;
	int n;

	for (q = r->s; q < r->p; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (!r->err || !r->errlen)
		return -1;
	n = snprintf(r->err, r->errlen, "%s:%u:%u: ", r->label, line, col);
	if (n >= 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skip_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* What is at the cursor, for messages: a printable character or its code. */
static const char *here(const struct rd *r, char *buf, size_t n)
{
	unsigned char c;

	if (r->p >= r->end)
		return "end of file";
	c = (unsigned char)*r->p;
	if (c >= 0x21 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

static int expect(struct rd *r, char c, const char *what)
{
	char b[16];

	skip_ws(r);
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return 0;
	}
	return fail(r, "expected %s, found %s", what, here(r, b, sizeof(b)));
}

/* A string without escapes or control characters into out (at most n - 1 bytes). */
static int read_string(struct rd *r, char *out, size_t n, const char *what)
{
	const char *start;
	char b[16];

	skip_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return fail(r, "expected %s (a string in double quotes), found %s", what,
			    here(r, b, sizeof(b)));
	start = ++r->p;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p;

		if (c == '\\')
			return fail(r, "escape sequences are not allowed in %s", what);
		if (c < 0x20)
			return fail(r, "control character in %s", what);
		r->p++;
	}
	if (r->p >= r->end)
		return fail(r, "unterminated string in %s", what);
	if ((size_t)(r->p - start) >= n) {
		r->p = start;
		return fail(r, "%s is longer than %zu characters", what, n - 1);
	}
	memcpy(out, start, (size_t)(r->p - start));
	out[r->p - start] = 0;
	r->p++;
	return 0;
}

/* A JSON integer that fits 32 bits unsigned: digits, no sign, no leading zero. */
static int read_uint(struct rd *r, const char *key, uint32_t *v)
{
	const char *start;
	uint64_t x = 0;
	char b[16];

	skip_ws(r);
	start = r->p;
	if (r->p < r->end && *r->p == '-')
		return fail(r, "%s must be a non-negative integer", key);
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return fail(r, "%s must be an integer, found %s", key, here(r, b, sizeof(b)));
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		x = x * 10 + (uint64_t)(*r->p - '0');
		if (x > UINT32_MAX) {
			r->p = start;
			return fail(r, "%s is out of range (more than %u)", key, UINT32_MAX);
		}
		r->p++;
	}
	if (r->p - start > 1 && *start == '0') {
		r->p = start;
		return fail(r, "%s has a leading zero (JSON integers have none)", key);
	}
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
		return fail(r, "%s must be an integer, not a fraction or exponent", key);
	*v = (uint32_t)x;
	return 0;
}

/* "NAME", "name" or "base" -> its slot; -1 (printed) for anything else. */
static int key_index(struct rd *r, const char *k)
{
	char known[256];
	size_t i, n = 0;

	for (i = 0; i < NPARAMS; i++)
		if (!strcmp(k, params[i].name))
			return (int)i;
	if (!strcmp(k, "name"))
		return (int)NPARAMS;
	if (!strcmp(k, "base"))
		return (int)NPARAMS + 1;
	known[0] = 0;
	for (i = 0; i < NPARAMS && n < sizeof(known); i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s, ", params[i].name);
	return fail(r, "unknown key \"%s\" (known: %sname, base)", k, known);
}

/* Labels appear in reports and CSV files: keep them to a plain set. */
static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.' || *s == '+'))
			return 0;
	return 1;
}

static int find_preset(const char *name, struct tern_hw_config *cfg)
{
	int i;

	for (i = 0; i < TERN_PRESET_COUNT; i++) {
		if (!strcmp(name, tern_hw_presets[i].name)) {
			*cfg = tern_hw_presets[i].cfg;
			return 0;
		}
	}
	return -1;
}

static int parse_members(struct rd *r, uint32_t *val, int *seen, char *name, size_t namelen,
			 char *base)
{
	char key[MAX_KEY], b[16];
	const char *kpos;
	int i;

	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		kpos = r->p;
		if (read_string(r, key, sizeof(key), "a key"))
			return -1;
		r->p = kpos;
		i = key_index(r, key);
		if (i < 0)
			return -1;
		if (seen[i])
			return fail(r, "duplicate key \"%s\"", key);
		seen[i] = 1;
		read_string(r, key, sizeof(key), "a key");
		if (expect(r, ':', "':' after the key"))
			return -1;
		if (i < (int)NPARAMS) {
			if (read_uint(r, params[i].name, &val[i]))
				return -1;
		} else if (i == (int)NPARAMS) {
			const char *vpos = (skip_ws(r), r->p);

			if (read_string(r, name, namelen, "\"name\""))
				return -1;
			if (!name_ok(name)) {
				r->p = vpos;
				return fail(r, "\"name\" may only hold letters, digits and _ - . +");
			}
		} else {
			const char *vpos = (skip_ws(r), r->p);
			struct tern_hw_config unused;

			if (read_string(r, base, MAX_KEY, "\"base\""))
				return -1;
			if (find_preset(base, &unused)) {
				r->p = vpos;
				return fail(r, "\"base\" \"%s\" is not a preset (4x4 .. 64x64)", base);
			}
		}
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return fail(r, "expected ',' or '}', found %s", here(r, b, sizeof(b)));
	}
}

int tern_config_parse(const char *text, size_t len, const char *label,
		      struct tern_hw_config *cfg, char *name, size_t namelen, char *err,
		      size_t errlen)
{
	struct rd r = { text, text + len, text, label ? label : "config", err, errlen };
	uint32_t val[NPARAMS];
	int seen[NPARAMS + 2];
	char base[MAX_KEY], nm[TERN_CONFIG_NAME_MAX], b[16], why[200];
	struct tern_hw_config c;
	size_t i;

	memset(val, 0, sizeof(val));
	memset(seen, 0, sizeof(seen));
	nm[0] = base[0] = 0;
	if (expect(&r, '{', "'{' (a config file is one JSON object)") ||
	    parse_members(&r, val, seen, nm, sizeof(nm), base))
		return -1;
	skip_ws(&r);
	if (r.p < r.end)
		return fail(&r, "unexpected %s after the closing '}'", here(&r, b, sizeof(b)));
	memset(&c, 0, sizeof(c));
	if (seen[NPARAMS + 1]) {
		find_preset(base, &c);
	} else {
		for (i = 0; i < NPARAMS; i++)
			if (!seen[i])
				return snprintf(err, errlen, "%s: missing \"%s\" (give every parameter, or "
						"\"base\": a preset to start from)", r.label,
						params[i].name), -1;
	}
	for (i = 0; i < NPARAMS; i++)
		if (seen[i])
			*(uint32_t *)((char *)&c + params[i].off) = val[i];
	if (tern_check_config(&c, why, sizeof(why)))
		return snprintf(err, errlen, "%s: %s", r.label, why), -1;
	*cfg = c;
	if (name && namelen)
		snprintf(name, namelen, "%s", nm);
	return 0;
}

int tern_config_load(const char *path, struct tern_hw_config *cfg, char *name, size_t namelen,
		     char *err, size_t errlen)
{
	struct stat sb;
	char *buf;
	FILE *f;
	size_t n;
	int rc;

	if (stat(path, &sb))
		return snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno)), -1;
	if (!S_ISREG(sb.st_mode))
		return snprintf(err, errlen, "'%s' is not a regular file", path), -1;
	if (sb.st_size > MAX_FILE_BYTES)
		return snprintf(err, errlen, "%s: %lld bytes, more than a config file's %d", path,
				(long long)sb.st_size, MAX_FILE_BYTES), -1;
	f = fopen(path, "rb");
	if (!f)
		return snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno)), -1;
	buf = malloc((size_t)sb.st_size + 1);
	n = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
	fclose(f);
	if (!buf || n != (size_t)sb.st_size) {
		free(buf);
		return snprintf(err, errlen, "cannot read '%s'", path), -1;
	}
	rc = tern_config_parse(buf, n, path, cfg, name, namelen, err, errlen);
	free(buf);
	return rc;
}
