/*
 * Where tern's run-time data lives: the data directory ("home": rtl/, sim/, the generated
 * includes, the technology tables) and the Verilated model cache (docs/api.md
 * "Environment").
 *
 * A home is any directory with sim/tern_vl_build.sh and rtl/: the source tree itself
 * (generated files in build/gen, tables in perf/tech) or an installed PREFIX/share/tern
 * (gen/, tech/). It is, first found wins: the caller's explicit directory, $TERN_HOME,
 * else found from where the code runs: walking up from the file that holds this library
 * (libtern.so, or the executable it is linked into) and from /proc/self/exe, each
 * ancestor A is tried as A and as A/share/tern. So build/tern finds the source tree,
 * PREFIX/bin/tern and PREFIX/lib/libtern.so find PREFIX/share/tern, and only a program
 * statically linked and kept outside both needs TERN_HOME.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern_driver.h"

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* 1 when dir/rel exists (file or directory). */
static int has(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	int k = snprintf(p, sizeof(p), "%s/%s", dir, rel);

	return k > 0 && (size_t)k < sizeof(p) && !access(p, F_OK);
}

static int is_home(const char *dir)
{
	return has(dir, "sim/tern_vl_build.sh") && has(dir, "rtl") && is_dir(dir);
}

static int put(char *out, size_t n, const char *s)
{
	if (strlen(s) >= n)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Walk up from the directory of file: A, then A/share/tern, for each ancestor A. */
static int walk_up(const char *file, char *out, size_t n)
{
	char p[PATH_MAX], q[PATH_MAX + 16];
	char *s;

	if (!file || !realpath(file, p))
		return -1;
	while ((s = strrchr(p, '/'))) {
		*s = 0;
		if (!*p)
			break;
		if (is_home(p))
			return put(out, n, p);
		snprintf(q, sizeof(q), "%s/share/tern", p);
		if (is_home(q))
			return put(out, n, q);
	}
	return -1;
}

int tern_home_dir(const char *home, char *out, size_t n)
{
	const char *env = getenv("TERN_HOME");
	char exe[PATH_MAX];
	Dl_info info;
	ssize_t len;

	if (home && *home)
		return is_home(home) ? put(out, n, home) : -1;
	if (env && *env)
		return is_home(env) ? put(out, n, env) : -1;
	if (dladdr((void *)tern_home_dir, &info) && info.dli_fname &&
	    !walk_up(info.dli_fname, out, n))
		return 0;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = 0;
		if (!walk_up(exe, out, n))
			return 0;
	}
	return -1;
}

int tern_home_sub(const char *home, const char *what, char *out, size_t n)
{
	/* installed name, source-tree name */
	static const char *const map[][3] = {
		{ "gen", "gen/tern_isa.svh", "build/gen" },
		{ "tech", "tech", "perf/tech" },
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i][0], what))
			continue;
		k = snprintf(out, n, "%s/%s", home, has(home, map[i][1]) ? map[i][0] : map[i][2]);
		return k < 0 || (size_t)k >= n ? -1 : 0;
	}
	k = snprintf(out, n, "%s/%s", home, what);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* mkdir -p; 0 when the directory exists afterwards. */
static int mkdirs(char *p)
{
	char *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
}

int tern_cache_dir(const char *cache, const char *home, char *out, size_t n)
{
	const char *env = getenv("TERN_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *user = getenv("HOME");
	int k;

	if (cache && *cache)
		k = snprintf(out, n, "%s", cache);
	else if (env && *env)
		k = snprintf(out, n, "%s", env);
	else if (home && has(home, "isa/tern_isa.json")) /* a source tree keeps its own */
		k = snprintf(out, n, "%s/build/vl", home);
	else if (xdg && *xdg)
		k = snprintf(out, n, "%s/tern/vl", xdg);
	else if (user && *user)
		k = snprintf(out, n, "%s/.cache/tern/vl", user);
	else
		return -1;
	if (k < 0 || (size_t)k >= n)
		return -1;
	return mkdirs(out);
}
