/*
 * Reading synth/tern_synth.py's report.json (one flat-ish JSON object per run) into a
 * table of dotted paths and scalar texts, and the area of a sweep point from the reports
 * present. The reader is a small recursive descent over the JSON grammar; it keeps
 * scalars of objects up to two levels deep and skips arrays, which is all that the
 * report's consumers here read. The report is machine-written, but a hand-edited or
 * truncated one is refused with a reason, never half-read.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli_synth.h"
#include "tern_driver.h"

struct rd {
	const char *s;
	size_t i, n;
	struct tern_synth_report *r;
	int bad;
};

static void ws(struct rd *p)
{
	while (p->i < p->n && isspace((unsigned char)p->s[p->i]))
		p->i++;
}

/* A JSON string into out (escapes kept as the character after the backslash, \uXXXX as '?'). */
static int str(struct rd *p, char *out, size_t n)
{
	size_t k = 0;

	if (p->i >= p->n || p->s[p->i] != '"')
		return -1;
	for (p->i++; p->i < p->n && p->s[p->i] != '"'; p->i++) {
		char c = p->s[p->i];

		if (c == '\\') {
			if (++p->i >= p->n)
				return -1;
			c = p->s[p->i];
			if (c == 'u') {
				if (p->i + 4 >= p->n)
					return -1;
				p->i += 4;
				c = '?';
			} else if (c == 'n' || c == 't' || c == 'r') {
				c = ' ';
			}
		}
		if (k + 1 < n)
			out[k++] = c;
	}
	if (p->i >= p->n)
		return -1;
	p->i++;
	out[k] = 0;
	return 0;
}

static void put(struct rd *p, const char *key, const char *val)
{
	struct tern_synth_report *r = p->r;

	if (r->n >= TERN_SYNTH_KEYS || strlen(key) >= sizeof(r->key[0]))
		return;
	snprintf(r->key[r->n], sizeof(r->key[0]), "%s", key);
	snprintf(r->val[r->n], sizeof(r->val[0]), "%s", val);
	r->n++;
}

static int value(struct rd *p, const char *path, int depth);

static int object(struct rd *p, const char *path, int depth)
{
	char key[64], sub[128];

	p->i++; /* '{' */
	ws(p);
	if (p->i < p->n && p->s[p->i] == '}')
		return p->i++, 0;
	for (;;) {
		ws(p);
		if (str(p, key, sizeof(key)))
			return -1;
		ws(p);
		if (p->i >= p->n || p->s[p->i++] != ':')
			return -1;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		if (value(p, sub, depth + 1))
			return -1;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '}')
			return p->i++, 0;
		return -1;
	}
}

static int array(struct rd *p, int depth)
{
	p->i++; /* '[' */
	ws(p);
	if (p->i < p->n && p->s[p->i] == ']')
		return p->i++, 0;
	for (;;) {
		if (value(p, "", depth + 3)) /* kept nowhere: deeper than any kept level */
			return -1;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == ']')
			return p->i++, 0;
		return -1;
	}
}

static int value(struct rd *p, const char *path, int depth)
{
	char v[160];
	size_t k = 0;

	if (depth > 32)
		return -1;
	ws(p);
	if (p->i >= p->n)
		return -1;
	if (p->s[p->i] == '{')
		return object(p, path, depth);
	if (p->s[p->i] == '[')
		return array(p, depth);
	if (p->s[p->i] == '"') {
		if (str(p, v, sizeof(v)))
			return -1;
	} else {
		while (p->i < p->n && (isalnum((unsigned char)p->s[p->i]) || strchr("+-.", p->s[p->i])))
			if (k + 1 < sizeof(v))
				v[k++] = p->s[p->i++];
			else
				p->i++;
		v[k] = 0;
		if (!k)
			return -1;
		if (strcmp(v, "null") && strcmp(v, "true") && strcmp(v, "false")) {
			char *end;

			strtod(v, &end);
			if (*end)
				return -1;
		}
	}
	if (depth <= 3)
		put(p, path, v);
	return 0;
}

int tern_synth_read(const char *path, struct tern_synth_report *r, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;
	struct rd p;

	memset(r, 0, sizeof(*r));
	if (!f)
		return snprintf(err, errlen, "no report %s", path), -1;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > (1 << 24) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return snprintf(err, errlen, "cannot read %s", path), -1;
	}
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return snprintf(err, errlen, "cannot read %s", path), -1;
	}
	fclose(f);
	p = (struct rd){ buf, 0, (size_t)len, r, 0 };
	ws(&p);
	if (p.i >= p.n || buf[p.i] != '{' || object(&p, "", 0) || (ws(&p), p.i != p.n)) {
		free(buf);
		return snprintf(err, errlen, "%s is not valid JSON (near byte %zu)", path, p.i), -1;
	}
	free(buf);
	if (!tern_synth_get(r, "tern_synth") || !tern_synth_get(r, "status"))
		return snprintf(err, errlen, "%s is not a tern synth report", path), -1;
	return 0;
}

const char *tern_synth_get(const struct tern_synth_report *r, const char *path)
{
	for (unsigned i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], path))
			return r->val[i];
	return NULL;
}

int tern_synth_num(const struct tern_synth_report *r, const char *path, double *out)
{
	const char *v = tern_synth_get(r, path);
	char *end;

	if (!v || !*v || !strcmp(v, "null"))
		return -1;
	*out = strtod(v, &end);
	return *end ? -1 : 0;
}

void tern_synth_dir(const char *dir, char *out, size_t n)
{
	char home[PATH_MAX];

	if (dir && *dir)
		snprintf(out, n, "%s", dir);
	else if (!tern_home_dir(NULL, home, sizeof(home)))
		snprintf(out, n, "%s/build/synth", home);
	else
		snprintf(out, n, "build/synth");
}

/* An ok report's (PEs, LUTs) for the fit. 0 when usable. */
static int point_of(const char *path, const char *board, double *pes, double *luts)
{
	static struct tern_synth_report r; /* large; one at a time */
	char err[256];
	double rows, lanes;
	const char *b, *st;

	if (tern_synth_read(path, &r, err, sizeof(err)))
		return -1;
	b = tern_synth_get(&r, "board");
	st = tern_synth_get(&r, "status");
	if (!b || strcmp(b, board) || !st || strncmp(st, "ok", 2) ||
	    tern_synth_num(&r, "config.ROWS", &rows) || tern_synth_num(&r, "config.LANES", &lanes) ||
	    tern_synth_num(&r, "lut", luts))
		return -1;
	*pes = rows * lanes;
	return 0;
}

/* Every <dir>/<x>/report.json of the board into the sums of the least-squares fit. */
static void collect(const char *dir, const char *board, double s[5], unsigned *n, double *pmin,
		    double *pmax)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	double x, y;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/report.json", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (point_of(path, board, &x, &y))
			continue;
		s[0] += x, s[1] += y, s[2] += x * x, s[3] += x * y, (*n)++;
		*pmin = x < *pmin ? x : *pmin;
		*pmax = x > *pmax ? x : *pmax;
	}
	closedir(d);
}

int tern_synth_area(const char *sdir, const char *board, const char *array, unsigned pes,
		    double *luts, const char **source)
{
	char path[PATH_MAX];
	double s[5] = { 0 }, x, pmin = 1e300, pmax = -1, den;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/%s/%s/report.json", sdir, board, array);
	if (!point_of(path, board, &x, luts) && x == pes) {
		*source = "synth";
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", sdir, board);
	collect(path, board, s, &n, &pmin, &pmax);
	snprintf(path, sizeof(path), "%s/sweep/%s", sdir, board);
	collect(path, board, s, &n, &pmin, &pmax);
	den = n * s[2] - s[0] * s[0];
	if (n < 2 || pmax <= pmin || den == 0)
		return -1;
	{
		double b = (n * s[3] - s[0] * s[1]) / den, a = (s[1] - b * s[0]) / n;

		*luts = a + b * pes;
		*source = "fit";
		return *luts > 0 ? 0 : -1;
	}
}
