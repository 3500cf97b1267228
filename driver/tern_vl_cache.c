/*
 * The verilator backend's model cache: one Verilated tern_top per hardware config, built on
 * first use by sim/tern_vl_build.sh and kept in CACHE/<entry>/ (docs/simulation.md "Model
 * cache").
 *
 * An entry is named by the config's content: a preset keeps its readable name ("32x32"),
 * any other valid config is "RxL-wW-aA-cC-bB-qQ" over all seven parameters, and the bug
 * variant adds "-bug". Its stamp file records the POSIX cksum (CRC and length) of the
 * sources the model is built from, of the library itself, and the config; the library is
 * trusted only when all three match: sources edited since -> rebuild; a truncated or
 * damaged library (dlopen of a truncated file dies with SIGBUS) -> rebuild. The script
 * writes the stamp after the library, both by rename, so a reader never sees a stamp
 * for a half-written library.
 *
 * Builders of one entry serialise on CACHE/<entry>/.lock and re-check after taking it;
 * each builds in its own CACHE/<entry>/tmp.PID. The build is a child process group: on
 * SIGINT, SIGTERM or SIGHUP the parent stops the group, removes tmp.PID, then lets the
 * signal take its course (default action: the process dies of it, exit status 128+N).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "tern_backend.h"
#include "tern_vl_cache.h"

/* ---------------------------------------------------------------- POSIX cksum */

struct cksum {
	uint32_t crc;
	uint64_t len;
};

static uint32_t crc_tab[256];

static void crc_init(void)
{
	uint32_t i, c;
	int k;

	if (crc_tab[1])
		return;
	for (i = 0; i < 256; i++) {
		c = i << 24;
		for (k = 0; k < 8; k++)
			c = c & 0x80000000u ? (c << 1) ^ 0x04c11db7u : c << 1;
		crc_tab[i] = c;
	}
}

static void ck_add(struct cksum *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s->crc = (s->crc << 8) ^ crc_tab[((s->crc >> 24) ^ p[i]) & 0xff];
	s->len += n;
}

/* cksum(1) appends the length, least significant byte first, then complements. */
static uint32_t ck_final(const struct cksum *s)
{
	uint32_t crc = s->crc;
	uint64_t l;

	for (l = s->len; l; l >>= 8)
		crc = (crc << 8) ^ crc_tab[((crc >> 24) ^ (uint8_t)l) & 0xff];
	return ~crc;
}

static int ck_file(struct cksum *s, const char *path)
{
	uint8_t buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		ck_add(s, buf, n);
	n = ferror(f);
	fclose(f);
	return n ? -1 : 0;
}

uint32_t tern_cksum(const void *p, size_t n)
{
	struct cksum s = { 0, 0 };

	crc_init();
	ck_add(&s, p, n);
	return ck_final(&s);
}

/* ---------------------------------------------------------------- sources and stamps */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int rtl_file(const char *n)
{
	size_t l = strlen(n);

	return (l > 3 && !strcmp(n + l - 3, ".sv")) || (l > 4 && !strcmp(n + l - 4, ".svh")) ||
	       (l > 2 && !strcmp(n + l - 2, ".v"));
}

static const char *const vl_tail[] = { "sim/tern_vl_harness.cpp", "sim/tern_vl.h",
				       "sim/tern_vl_build.sh", "sim/tern_vl_activity.vlt", NULL };
static const char *const sc_tail[] = { "sim/systemc/tern_sc_lib.cpp", "sim/tern_vl.h",
				       "sim/systemc/tern_sc_build.sh", NULL };
static const char *const sc_extra[] = { "sim/systemc/tern_sc_rtl.h", "sim/systemc/tern_sc_mem.h",
					"sim/systemc/tern_sc_tlm.h",
					"sim/systemc/tern_sc_tlm_lib.cpp",
					"sim/systemc/tern_sctlm.h",
					"sim/systemc/tern_sc_host.h", NULL };

const struct tern_model_kind tern_vl_kind = {
	"Verilated model", "sim/tern_vl_build.sh", "libtern_vl.so", "", vl_tail, NULL, 0,
};
const struct tern_model_kind tern_sc_kind = {
	"SystemC model", "sim/systemc/tern_sc_build.sh", "libtern_sc.so", "-sc", sc_tail,
	sc_extra, 0,
};
const struct tern_model_kind tern_sctlm_kind = {
	"SystemC TLM-only model", "sim/systemc/tern_sc_build.sh", "libtern_sctlm.so", "tlm",
	sc_tail, sc_extra, 1,
};

static int sum_list(const char *home, const char *const *l, struct cksum *s)
{
	char p[PATH_MAX * 2 + 16];
	int rc = 0;

	for (; l && *l; l++) {
		snprintf(p, sizeof(p), "%s/%s", home, *l);
		rc |= ck_file(s, p);
	}
	return rc;
}

/* The same files in the same order as srcs() of the kind's build script. */
static int src_sum(const char *home, const struct tern_model_kind *k, struct cksum *s)
{
	char dir[PATH_MAX + 8], gen[PATH_MAX], p[PATH_MAX * 2 + 16];
	char *names[256];
	size_t n = 0, i;
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/rtl", home);
	if (tern_home_sub(home, "gen", gen, sizeof(gen)) || !(dp = opendir(dir)))
		return -1;
	while ((de = readdir(dp)) && n < 256)
		if (rtl_file(de->d_name) && (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(dp);
	qsort(names, n, sizeof(names[0]), cmp_str);
	crc_init();
	s->crc = 0;
	s->len = 0;
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		rc |= ck_file(s, p);
		free(names[i]);
	}
	rc |= sum_list(home, k->tail, s);
	/* the generated includes, in the order the build scripts list them */
	static const char *const gens[] = { "tern_isa.svh", "tern_isa_macros.svh",
					    "tern_cfg_check.svh", "tern_isa.h" };
	for (i = 0; i < (int)(sizeof(gens) / sizeof(gens[0])); i++) {
		snprintf(p, sizeof(p), "%s/%s", gen, gens[i]);
		rc |= ck_file(s, p);
	}
	return rc | sum_list(home, k->extra, s);
}

/* The variant's entry-name suffix and stamp word. */
static const char *const variant_suffix[] = { "", "-bug", "-act" };
static const char *const variant_word[] = { "plain", "bug", "activity" };

void tern_vl_entry_name(const struct tern_hw_config *c, int bug, char *out, size_t n)
{
	const char *sfx = variant_suffix[bug >= TERN_VL_PLAIN && bug <= TERN_VL_ACT ? bug : 0];
	int i;

	for (i = 0; i < TERN_PRESET_COUNT; i++)
		if (!memcmp(&tern_hw_presets[i].cfg, c, sizeof(*c))) {
			snprintf(out, n, "%s%s", tern_hw_presets[i].name, sfx);
			return;
		}
	snprintf(out, n, "%ux%u-w%u-a%u-c%u-b%u-q%u%s", c->rows, c->lanes, c->wbuf_depth,
		 c->abuf_depth, c->acc_depth, c->bus_bytes, c->queue_depth, sfx);
}

/* 1 when dir/stamp vouches for dir/<k->lib>, built from sources src, for config c. */
static int entry_ok(const struct tern_model_kind *k, const char *dir, const struct cksum *src,
		    const struct tern_hw_config *c, int bug)
{
	char p[PATH_MAX + 32], kind[16];
	unsigned long long slen, llen;
	unsigned scrc, lcrc, v[7];
	struct cksum l = { 0, 0 };
	struct stat st;
	FILE *f;
	int n;

	snprintf(p, sizeof(p), "%s/stamp", dir);
	if (!(f = fopen(p, "r")))
		return 0;
	n = fscanf(f, "src %u %llu lib %u %llu cfg %u %u %u %u %u %u %u %15s", &scrc, &slen,
		   &lcrc, &llen, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], kind);
	fclose(f);
	if (n != 12 || scrc != ck_final(src) || slen != src->len ||
	    strcmp(kind, k->no_cfg ? "tlm" : variant_word[bug]))
		return 0;
	if (!k->no_cfg && (v[0] != c->rows || v[1] != c->lanes || v[2] != c->wbuf_depth ||
	    v[3] != c->abuf_depth || v[4] != c->acc_depth || v[5] != c->bus_bytes ||
	    v[6] != c->queue_depth))
		return 0;
	snprintf(p, sizeof(p), "%s/%s", dir, k->lib);
	if (stat(p, &st) || (unsigned long long)st.st_size != llen) /* size first: cheap */
		return 0;
	return !ck_file(&l, p) && l.len == llen && ck_final(&l) == lcrc;
}

/* ---------------------------------------------------------------- building */

static volatile sig_atomic_t build_sig;   /* the signal that interrupted the build */
static volatile sig_atomic_t build_group; /* the build's process group, 0 when none */
static const int build_sigs[] = { SIGINT, SIGTERM, SIGHUP };

static void on_build_signal(int s)
{
	build_sig = s;
	if (build_group > 0)
		kill(-(pid_t)build_group, SIGTERM);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

/* Kill what is left of the group, wait (bounded) until it is gone, remove dir. */
static void reap_and_remove(pid_t group, const char *dir)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	kill(-group, SIGKILL);
	for (i = 0; i < 250 && !kill(-group, 0); i++) {
		while (waitpid(-group, NULL, WNOHANG) > 0)
			;
		nanosleep(&ts, NULL);
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* sh HOME/<k->script> WORK DIR params [bug] (or tlm), signals handled as said above. */
static int run_build(struct tern_dev *d, const struct tern_model_kind *k, const char *home,
		     const char *work, const char *dir, int bug)
{
	const struct tern_hw_config *c = &d->cfg;
	struct sigaction sa, old[3];
	sigset_t block, prev;
	char script[PATH_MAX + 32], a[7][16];
	int i, status = -1;
	pid_t pid;

	snprintf(script, sizeof(script), "%s/%s", home, k->script);
	snprintf(a[0], 16, "%u", c->rows);
	snprintf(a[1], 16, "%u", c->lanes);
	snprintf(a[2], 16, "%u", c->wbuf_depth);
	snprintf(a[3], 16, "%u", c->abuf_depth);
	snprintf(a[4], 16, "%u", c->acc_depth);
	snprintf(a[5], 16, "%u", c->bus_bytes);
	snprintf(a[6], 16, "%u", c->queue_depth);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_build_signal; /* no SA_RESTART: waitpid returns on a signal */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < 3; i++) {
		sigaction(build_sigs[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN) /* nohup stays nohup */
			sigaction(build_sigs[i], &sa, NULL);
		sigaddset(&block, build_sigs[i]);
	}
	build_sig = 0;
	sigprocmask(SIG_BLOCK, &block, &prev);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		setpgid(0, 0);
		for (i = 0; i < 3; i++)
			signal(build_sigs[i], old[i].sa_handler == SIG_IGN ? SIG_IGN : SIG_DFL);
		sigprocmask(SIG_SETMASK, &prev, NULL);
		if (null >= 0) {
			dup2(null, 0);
			/* progress to stderr (or nowhere when quiet), never to our stdout */
			dup2(d->opts.quiet ? null : 2, 1);
		}
		if (k->no_cfg)
			execl("/bin/sh", "sh", script, work, dir, "tlm", (char *)NULL);
		else
			execl("/bin/sh", "sh", script, work, dir, a[0], a[1], a[2], a[3], a[4],
			      a[5], a[6], bug ? variant_word[bug] : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		setpgid(pid, pid); /* also here: no window where a signal misses the group */
		build_group = pid;
	}
	sigprocmask(SIG_SETMASK, &prev, NULL);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid > 0)
		reap_and_remove(pid, work);
	build_group = 0;
	for (i = 0; i < 3; i++)
		sigaction(build_sigs[i], &old[i], NULL);
	if (build_sig) {
		int s = build_sig;
		raise(s); /* the caller's handler, or the default action: exit status 128+s */
		return tern_dev_set_err(d, "interrupted (%s) while building the %s; "
					"removed %s", strsignal(s), k->what, work);
	}
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return tern_dev_set_err(d, "building the %s failed%s (log: %s/build.log)",
					k->what, WIFEXITED(status) && WEXITSTATUS(status) == 127
						? " (cannot run /bin/sh)" : "", dir);
	return 0;
}

int tern_vl_cache_get(struct tern_dev *d, int bug, char *lib, size_t n)
{
	return tern_model_cache_get(d, &tern_vl_kind, bug, lib, n);
}

int tern_model_cache_get(struct tern_dev *d, const struct tern_model_kind *k, int bug, char *lib,
			 size_t n)
{
	char home[PATH_MAX], cache[PATH_MAX], name[128], dir[PATH_MAX * 2], p[PATH_MAX * 2 + 32];
	struct cksum src;
	int lock, ok, rc = 0;

	if (tern_home_dir(d->opts.home, home, sizeof(home)))
		return tern_dev_set_err(d, "verilator backend: no tern data directory %s%s (it holds rtl/ and sim/tern_vl_build.sh; set TERN_HOME or opts.home)",
					d->opts.home ? d->opts.home : getenv("TERN_HOME") ? getenv("TERN_HOME") : "found",
					d->opts.home || getenv("TERN_HOME") ? "" : " near the program or the library");
	if (src_sum(home, k, &src))
		return tern_dev_set_err(d, "verilator backend: cannot read the model sources under %s (generated files missing? run make gen)",
					home);
	if (tern_cache_dir(d->opts.cache, home, cache, sizeof(cache)))
		return tern_dev_set_err(d, "verilator backend: cannot create the model cache directory (set TERN_CACHE or opts.cache)");
	if (k->no_cfg) {
		snprintf(name, sizeof(name), "%s", k->suffix);
	} else {
		tern_vl_entry_name(&d->cfg, bug, name, sizeof(name));
		strncat(name, k->suffix, sizeof(name) - strlen(name) - 1);
	}
	snprintf(dir, sizeof(dir), "%s/%s", cache, name);
	if ((size_t)snprintf(lib, n, "%s/%s", dir, k->lib) >= n)
		return tern_dev_set_err(d, "verilator backend: path too long: %s", dir);
	if (entry_ok(k, dir, &src, &d->cfg, bug))
		return 0;
	if (mkdir(dir, 0777) && errno != EEXIST)
		return tern_dev_set_err(d, "verilator backend: cannot create %s: %s", dir, strerror(errno));
	snprintf(p, sizeof(p), "%s/.lock", dir);
	lock = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	ok = entry_ok(k, dir, &src, &d->cfg, bug); /* another process may have built it */
	if (!ok) {
		if (!d->opts.quiet)
			fprintf(stderr, "building %s %s (first use or sources changed; cached in %s)...\n",
				k->what, name, cache);
		snprintf(p, sizeof(p), "%s/tmp.%ld", dir, (long)getpid());
		rc = run_build(d, k, home, p, dir, bug);
		if (!rc && !entry_ok(k, dir, &src, &d->cfg, bug))
			rc = tern_dev_set_err(d, "%s backend: the model built in %s does not match its stamp (sources changed during the build?)",
					      k->no_cfg || *k->suffix ? "systemc" : "verilator", dir);
	}
	if (lock >= 0)
		close(lock);
	return rc;
}
