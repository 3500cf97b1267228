/*
 * Numbers for people: the formatting every human-readable report output shares
 * (summary.md, the one-line report prints of `tern run` and `tern gemm`). A raw %g
 * prints "1.06502e+09 pJ", which nobody reads at a glance; here a value gets the unit
 * prefix that puts it between 1 and 999 (pJ -> nJ -> uJ -> mJ -> J, ns -> us -> ms -> s,
 * k/M/G/T for counts and rates) and three significant digits in fixed notation, so
 * the same quantity always reads the same way and exponents never appear. Machine
 * outputs (report.json, layers.csv) keep full precision and base units.
 */
#include <math.h>
#include <string.h>

#include "tern_report.h"

/*
 * v is in the unit pre[start]; step up while it reads 1000 or more, down while it
 * reads below 1 (never below pre[0] nor above pre[n-1]). Three significant digits:
 * 2 decimals under 10, 1 under 100, none above.
 */
static const char *scaled(char *buf, size_t len, double v, const char *const *pre, int n,
			  int start, const char *unit)
{
	int i = start, d;
	double a;

	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	if (v == 0) {
		snprintf(buf, len, "0 %s%s", pre[start], unit);
		return buf;
	}
	while (i < n - 1 && fabs(v) >= 999.5) {
		v /= 1000;
		i++;
	}
	while (i > 0 && fabs(v) < 0.9995) {
		v *= 1000;
		i--;
	}
	a = fabs(v);
	d = a < 9.995 ? 2 : a < 99.95 ? 1 : 0;
	snprintf(buf, len, "%.*f %s%s", d, v, pre[i], unit);
	return buf;
}

const char *tern_fmt_energy(char *buf, size_t len, double pj)
{
	static const char *const pre[] = { "f", "p", "n", "\xc2\xb5", "m", "" };

	return scaled(buf, len, pj, pre, 6, 1, "J");
}

const char *tern_fmt_time(char *buf, size_t len, double seconds)
{
	static const char *const pre[] = { "n", "\xc2\xb5", "m", "" };

	return scaled(buf, len, seconds, pre, 4, 3, "s");
}

const char *tern_fmt_si(char *buf, size_t len, double v, const char *unit)
{
	static const char *const pre[] = { "", "k", "M", "G", "T", "P" };

	return scaled(buf, len, v, pre, 6, 0, unit);
}

const char *tern_fmt_num(char *buf, size_t len, double v)
{
	double a = fabs(v);
	int d = a >= 99.95 ? 0 : a >= 9.995 ? 1 : a >= 0.9995 ? 2 : 3;

	if (!isfinite(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.*f", d, v);
	return buf;
}
