/*
 * `tern shard`: one checked `tern run` split into independent jobs (docs/scale-out.md).
 *
 * plan   runs the forward pass once on the bit-exact ref backend through `tern run`
 *        itself (its options, its generation loop), with a hook that records every
 *        BitLinear's W, X and Y content-addressed; identical invocations are kept once.
 *        The distinct invocations are dealt to N shards, largest first onto the least
 *        loaded shard (MACs), so the jobs take about the same time.
 * run    replays one shard's invocations on the replay backend (verilator: full
 *        lockstep, the layer check, and Y compared with the recording) and writes its
 *        results atomically; a finished shard is not run again, a killed one is rerun
 *        from its start, and two copies of one index write the same bytes.
 * merge  runs `tern run` again on ref with a hook that puts each invocation's replayed
 *        counters and check results where the device's would be: since the reference is
 *        bit-exact, the tokens, per-layer cycles, checks and report are the ones a
 *        single-machine `tern run --backend verilator` gives, from the same code.
 * status done / running / failed / missing per shard, a progress bar and an ETA.
 * submit the jobs through Slurm or GNU parallel (tern_cmd_shard_submit.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tern_cli.h"
#include "tern_run_priv.h"
#include "tern_shard.h"

#define CMD "shard"

static const char help[] =
	"usage: tern shard plan [tern run options] --shards N --out DIR\n"
	"       tern shard run DIR --index I\n"
	"       tern shard merge DIR [--json] [--report RDIR] [--quiet]\n"
	"       tern shard status DIR\n"
	"       tern shard submit DIR --engine slurm|parallel [engine options]\n"
	"\n"
	"A checked `tern run` split into independent jobs. plan runs the model once on the\n"
	"bit-exact ref backend and records every BitLinear's inputs and outputs (identical\n"
	"invocations once) into DIR, dealt into N shards. Each job (run --index I) replays\n"
	"its shard on --backend (default verilator: lockstep, layer check, outputs compared\n"
	"with the recording). merge gathers the results and prints what `tern run` would:\n"
	"the same tokens, per-layer cycles, checks and report. DIR must be on a filesystem\n"
	"every job can reach. Engines: tern shard submit --help.\n"
	"exit: 0 all checks passed, 1 a check failed (merge: first mismatch; status: not all\n"
	"      done), 2 bad usage or input (merge: a missing or damaged shard),\n"
	"      128+N interrupted by signal N\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int mkdirs(const char *dir, char *err, size_t errlen)
{
	static const char *const sub[] = { "", "/blobs", "/results", "/running", "/logs" };
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, sub[i]);
		if (mkdir(path, 0755) && errno != EEXIST)
			return snprintf(err, errlen, "cannot create '%.900s': %s", path, strerror(errno)), -1;
	}
	return 0;
}

/* ---- plan ---- */

struct rec {
	const char *dir;
	struct tern_plan *p;
	uint64_t calls, bytes;
};

/* Store a blob unless it is there already; count only the bytes actually written. */
static int put(struct rec *rc, const char *hash, const void *p, size_t n, char *err,
	       size_t errlen)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/blobs/%s", rc->dir, hash);
	if (!stat(path, &sb) && (size_t)sb.st_size == n)
		return 0;
	rc->bytes += n;
	return tern_blob_put(rc->dir, hash, p, n, err, errlen);
}

static int rec_layer(void *ctx, uint32_t step, uint32_t layer, uint32_t which,
		     const struct tern_layer *l, const int8_t *w, const int8_t *x,
		     const int32_t *y, struct tern_gemm_result *r, char *err, size_t errlen)
{
	struct rec *rc = ctx;
	struct tern_plan *p = rc->p;
	size_t nw = (size_t)l->m * l->k, nx = (size_t)l->n * l->k, ny = (size_t)l->n * l->m;
	struct tern_inv v;
	uint8_t *packed;
	int bad;

	(void)step;
	if (!tern_gemm_ok(r))
		return 0; /* the run reports it and the plan fails */
	rc->calls++;
	memset(&v, 0, sizeof(v));
	v.l = *l;
	tern_w_hash(w, nw, v.w);
	tern_w_hash(x, nx, v.x);
	tern_inv_key(l, v.w, v.x, v.key);
	if (tern_plan_find(p, v.key) >= 0)
		return 0;
	tern_w_hash((const int8_t *)y, ny * 4, v.y);
	v.macs = (uint64_t)l->m * l->k * l->n;
	v.id = p->n_inv;
	tern_lin_name(layer, which, v.name, sizeof(v.name));
	if (p->n_inv == p->cap) {
		struct tern_inv *q = realloc(p->inv, (p->cap * 2 + 64) * sizeof(*q));

		if (!q)
			return snprintf(err, errlen, "out of memory"), -1;
		p->inv = q;
		p->cap = p->cap * 2 + 64;
	}
	if (!(packed = malloc((nw + 3) / 4)))
		return snprintf(err, errlen, "out of memory"), -1;
	tern_w_pack(w, nw, packed);
	bad = put(rc, v.w, packed, (nw + 3) / 4, err, errlen) || put(rc, v.x, x, nx, err, errlen) ||
	      put(rc, v.y, y, ny * 4, err, errlen);
	free(packed);
	if (bad)
		return -1;
	p->inv[p->n_inv++] = v;
	return 0;
}

/* Largest invocation first onto the least loaded shard. */
static void deal(struct tern_plan *p)
{
	uint64_t *load = calloc(p->shards, sizeof(uint64_t));
	uint32_t *ord = malloc(p->n_inv * sizeof(uint32_t) + 1);
	uint32_t i, j, s;

	if (!load || !ord) {
		for (i = 0; i < p->n_inv; i++)
			p->inv[i].shard = i % p->shards;
		free(load);
		free(ord);
		return;
	}
	for (i = 0; i < p->n_inv; i++)
		ord[i] = i;
	for (i = 1; i < p->n_inv; i++) /* insertion sort: stable, a few thousand at most */
		for (j = i; j > 0 && p->inv[ord[j - 1]].macs < p->inv[ord[j]].macs; j--) {
			uint32_t t = ord[j];

			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	for (i = 0; i < p->n_inv; i++) {
		for (s = 0, j = 1; j < p->shards; j++)
			if (load[j] < load[s])
				s = j;
		p->inv[ord[i]].shard = s;
		load[s] += p->inv[ord[i]].macs;
	}
	free(load);
	free(ord);
}

/* Run `tern run` with stdout into DIR/name (its summary is a log here, not the result). */
static int run_quietly(const char *dir, const char *name, int argc, char **argv)
{
	char path[4096];
	int fd, saved, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	saved = dup(STDOUT_FILENO);
	if (fd < 0 || saved < 0)
		return tern_usage_err(CMD, "cannot write '%s': %s", path, strerror(errno));
	dup2(fd, STDOUT_FILENO);
	close(fd);
	rc = tern_cmd_run(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return rc;
}

static int cmd_plan(int argc, char **argv)
{
	const char *out = NULL;
	uint64_t shards = 0;
	struct tern_plan p;
	struct run_args a;
	struct rec rc;
	char **args, err[1024], path[4096];
	int n = 1, i, r;

	memset(&p, 0, sizeof(p));
	args = calloc((size_t)argc + 4, sizeof(char *));
	if (!args)
		return tern_usage_err(CMD, "out of memory");
	args[0] = "run";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--shards") || !strcmp(argv[i], "--out")) {
			if (i + 1 == argc) {
				free(args);
				return tern_usage_err(CMD, "plan: %s needs a value", argv[i]);
			}
			if (argv[i][2] == 'o')
				out = argv[++i];
			else if (tern_parse_u64(CMD, "--shards", argv[++i], 1, TERN_SHARD_MAX, &shards))
				return free(args), TERN_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--json") || !strncmp(argv[i], "--report", 8) ||
			   !strcmp(argv[i], "--timing-only")) {
			free(args);
			return tern_usage_err(CMD, "plan: %s belongs to tern shard merge (the plan "
					      "only records)", argv[i]);
		} else {
			if (strchr(argv[i], '\n'))
				return free(args), tern_usage_err(CMD, "plan: an option holds a newline");
			args[n++] = argv[i];
		}
	}
	if (!out || !shards)
		return free(args), tern_usage_err(CMD, "plan: give --shards N and --out DIR");
	if (tern_run_parse(&a, n, args))
		return free(args), TERN_EXIT_USAGE; /* the parser printed the line */
	if (tern_check_backend(a.o.backend, err, sizeof(err)))
		return free(args), tern_usage_err(CMD, "plan: %s", err);
	snprintf(path, sizeof(path), "%s/plan.tsv", out);
	if (!access(path, F_OK))
		return free(args), tern_usage_err(CMD, "plan: '%s' already holds a plan (use a new "
						  "--out)", out);
	if (mkdirs(out, err, sizeof(err)))
		return free(args), tern_usage_err(CMD, "plan: %s", err);
	/* Without --backend the replay is the point of sharding: verilator, not run's ref. */
	snprintf(p.backend, sizeof(p.backend), "%s", a.backend_given ? a.o.backend : "verilator");
	args[n++] = "--backend";
	args[n++] = p.backend;
	memset(&rc, 0, sizeof(rc));
	rc.dir = out;
	rc.p = &p;
	tern_run_hook.layer = rec_layer;
	tern_run_hook.ctx = &rc;
	tern_run_hook.device = "ref";
	r = run_quietly(out, "plan.log", n, args);
	memset(&tern_run_hook, 0, sizeof(tern_run_hook));
	if (!r && p.n_inv < shards)
		r = tern_usage_err(CMD, "plan: --shards %llu is more than the %u distinct BitLinear "
				   "invocations", (unsigned long long)shards, p.n_inv);
	if (!r) {
		p.shards = (uint32_t)shards;
		p.args = args;
		p.n_args = (uint32_t)n;
		deal(&p);
		if (tern_plan_write(out, &p, err, sizeof(err)))
			r = tern_usage_err(CMD, "plan: %s", err);
	}
	if (!r)
		printf("tern shard plan: %llu BitLinear calls, %u distinct, %.1f MB recorded in %s; "
		       "%u shards for backend %s\n", (unsigned long long)rc.calls, p.n_inv,
		       rc.bytes / 1e6, out, p.shards, p.backend);
	free(p.inv);
	free(args);
	return r;
}

/* ---- run ---- */

static int open_device(const struct tern_plan *p, uint32_t idx, struct tern_dev **dev,
		       char *err, size_t errlen)
{
	struct run_args a;
	uint64_t need = 0;
	uint32_t i;

	if (tern_run_parse(&a, (int)p->n_args, p->args))
		return snprintf(err, errlen, "the plan's run options no longer parse"), -1;
	a.o.backend = p->backend;
	a.o.quiet = 1;
	for (i = 0; i < p->n_inv; i++) {
		struct tern_layout lo;
		struct tern_traffic tr;
		uint64_t b;

		if (p->inv[i].shard != idx || tern_layout_plan(&a.o.cfg, &p->inv[i].l, &lo, NULL, 0))
			continue;
		tern_layout_traffic(&a.o.cfg, &p->inv[i].l, &lo, &tr);
		b = lo.w_bytes + lo.x_bytes + lo.y_bytes + tr.insns * TERN_INSN_BYTES + 4 * 64;
		need = b > need ? b : need;
	}
	a.o.mem_bytes = need + (1u << 20);
	return tern_dev_open(&a.o, dev, err, errlen);
}

/* Replay one invocation; fills v. -1 when it could not run at all. */
static int replay(const char *dir, struct tern_dev *dev, const struct tern_inv *v,
		  struct tern_res *res, char *err, size_t errlen)
{
	size_t nw = (size_t)v->l.m * v->l.k, nx = (size_t)v->l.n * v->l.k;
	size_t ny = (size_t)v->l.n * v->l.m, i;
	uint8_t *pw = malloc((nw + 3) / 4);
	int8_t *w = malloc(nw), *x = malloc(nx);
	int32_t *want = malloc(ny * 4), *y = malloc(ny * 4);
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->id = v->id;
	if (!pw || !w || !x || !want || !y) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (tern_blob_get(dir, v->w, pw, (nw + 3) / 4, err, errlen) ||
	    tern_blob_get(dir, v->x, x, nx, err, errlen) ||
	    tern_blob_get(dir, v->y, want, ny * 4, err, errlen))
		goto out;
	tern_w_unpack(pw, nw, w);
	if (tern_gemm_run(dev, &v->l, w, x, y, 1, &res->r, err, errlen))
		goto out;
	tern_w_hash((const int8_t *)y, ny * 4, res->y);
	res->ok = tern_gemm_ok(&res->r);
	/* The recording is the bit-exact reference: a device that passed its own checks but
	 * differs from it failed the layer check against it. */
	for (i = 0; res->ok && i < ny; i++)
		if (y[i] != want[i]) {
			res->ok = 0;
			res->r.golden_checked = 1;
			res->r.golden_ok = 0;
			res->r.bad_n = (uint32_t)(i / v->l.m);
			res->r.bad_m = (uint32_t)(i % v->l.m);
			res->r.expected = want[i];
			res->r.actual = y[i];
		}
	rc = 0;
out:
	free(pw);
	free(w);
	free(x);
	free(want);
	free(y);
	return rc;
}

static int parse_dir_index(int argc, char **argv, const char *what, const char **dir,
			   uint64_t *idx)
{
	int i;

	*dir = NULL;
	for (i = 1; i < argc; i++) {
		if (idx && !strcmp(argv[i], "--index") && i + 1 < argc) {
			if (tern_parse_u64(CMD, "--index", argv[++i], 0, TERN_SHARD_MAX - 1, idx))
				return -1;
		} else if (argv[i][0] != '-' && !*dir) {
			*dir = argv[i];
		} else {
			return tern_usage_err(CMD, "%s: unexpected argument '%s' (see tern shard --help)",
					      what, argv[i]), -1;
		}
	}
	if (!*dir)
		return tern_usage_err(CMD, "%s: give the shard directory", what), -1;
	if (idx && *idx == UINT64_MAX)
		return tern_usage_err(CMD, "%s: give --index I", what), -1;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct tern_shard_result s;
	struct tern_plan p;
	struct tern_dev *dev = NULL;
	const char *dir;
	uint64_t idx = UINT64_MAX;
	char err[1024], marker[4200], host[64] = "host";
	uint32_t i, failed = 0;
	double t0 = now_s();
	int rc = TERN_EXIT_USAGE, fd;
	const char *pa = getenv("TERN_SHARD_TEST_PAUSE_AFTER");
	uint32_t pause_after = pa ? (uint32_t)atoi(pa) : 0;

	if (parse_dir_index(argc, argv, "run", &dir, &idx))
		return TERN_EXIT_USAGE;
	if (tern_plan_read(dir, &p, err, sizeof(err)))
		return tern_usage_err(CMD, "run: %s", err);
	if (idx >= p.shards) {
		tern_plan_free(&p);
		return tern_usage_err(CMD, "run: --index %llu is outside 0..%u", (unsigned long long)idx,
				      p.shards - 1);
	}
	if (!tern_result_read(dir, &p, (uint32_t)idx, &s, err, sizeof(err))) {
		/* Idempotent: a shard whose result is whole is not run again. */
		for (i = 0; i < s.n; i++)
			failed += !s.res[i].ok;
		fprintf(stderr, "tern shard run: shard %llu already done (%u of %u invocations "
			"failed)\n", (unsigned long long)idx, failed, s.n);
		tern_result_free(&s);
		tern_plan_free(&p);
		return failed ? TERN_EXIT_CHECK : TERN_EXIT_OK;
	}
	gethostname(host, sizeof(host) - 1);
	snprintf(marker, sizeof(marker), "%s/running/%llu.%s.%ld", dir, (unsigned long long)idx,
		 host, (long)getpid());
	fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	memset(&s, 0, sizeof(s));
	s.index = (uint32_t)idx;
	snprintf(s.backend, sizeof(s.backend), "%s", p.backend);
	s.res = calloc(p.n_inv, sizeof(*s.res));
	if (!s.res) {
		tern_usage_err(CMD, "run: out of memory");
		goto out;
	}
	if (open_device(&p, s.index, &dev, err, sizeof(err))) {
		tern_usage_err(CMD, "run: %s", err);
		goto out;
	}
	for (i = 0; i < p.n_inv; i++) {
		if (p.inv[i].shard != s.index)
			continue;
		if (tern_sig_pending()) {
			rc = tern_sig_exit(CMD);
			goto out;
		}
		if (replay(dir, dev, &p.inv[i], &s.res[s.n], err, sizeof(err))) {
			tern_usage_err(CMD, "run: shard %u, %s: %s", s.index, p.inv[i].name, err);
			goto out;
		}
		failed += !s.res[s.n++].ok;
		/* Test hook (tests/e2e/shard_parallel.sh): stop here, so a test can kill the job
		 * mid-shard from outside at a known point, as a node failure would. */
		if (pause_after && s.n == pause_after)
			raise(SIGSTOP);
	}
	s.seconds = now_s() - t0;
	if (tern_result_write(dir, &p, &s, err, sizeof(err))) {
		tern_usage_err(CMD, "run: %s", err);
		goto out;
	}
	fprintf(stderr, "tern shard run: shard %u: %u invocations on %s, %u failed, %.1f s\n",
		s.index, s.n, p.backend, failed, s.seconds);
	rc = failed ? TERN_EXIT_CHECK : TERN_EXIT_OK;
out:
	unlink(marker);
	tern_dev_close(dev);
	free(s.res);
	tern_plan_free(&p);
	return rc;
}

/* ---- merge ---- */

struct merge {
	struct tern_plan *p;
	struct tern_res **by_id;
};

static int merge_layer(void *ctx, uint32_t step, uint32_t layer, uint32_t which,
		       const struct tern_layer *l, const int8_t *w, const int8_t *x,
		       const int32_t *y, struct tern_gemm_result *r, char *err, size_t errlen)
{
	struct merge *m = ctx;
	char wh[33], xh[33], yh[33], key[33], name[64];
	const struct tern_res *v;
	int64_t id;

	(void)step;
	tern_w_hash(w, (size_t)l->m * l->k, wh);
	tern_w_hash(x, (size_t)l->n * l->k, xh);
	tern_inv_key(l, wh, xh, key);
	id = tern_plan_find(m->p, key);
	tern_lin_name(layer, which, name, sizeof(name));
	if (id < 0 || !m->by_id[id])
		return snprintf(err, errlen, "merge: %s was not recorded by the plan (was it made "
				"by another tern or model?)", name), -1;
	tern_w_hash((const int8_t *)y, (size_t)l->n * l->m * 4, yh);
	if (strcmp(yh, m->p->inv[id].y))
		return snprintf(err, errlen, "merge: %s: the reference gives another output than "
				"the recording", name), -1;
	v = m->by_id[id];
	r->st = v->r.st;
	r->golden_checked = v->r.golden_checked;
	r->golden_ok = v->r.golden_ok;
	r->bad_n = v->r.bad_n;
	r->bad_m = v->r.bad_m;
	r->expected = v->r.expected;
	r->actual = v->r.actual;
	r->mm_tile = v->r.mm_tile;
	if (!v->ok)
		fprintf(stderr, "tern shard merge: %s failed in shard %u (invocation %u)\n", name,
			m->p->inv[id].shard, (unsigned)id);
	return 0;
}

/* "1, 3, 7" into buf. */
static void add_index(char *buf, size_t len, uint32_t i)
{
	size_t u = strlen(buf);

	if (u + 16 < len)
		snprintf(buf + u, len - u, "%s%u", u ? ", " : "", i);
}

static int cmd_merge(int argc, char **argv)
{
	struct tern_shard_result *sr;
	struct tern_plan p;
	struct merge m;
	char err[1024], missing[512] = "", damaged[512] = "", failed[512] = "", why[1024] = "";
	char **args;
	uint32_t i, j, n, nf;
	int rc, nbad = 0;

	if (argc < 2 || argv[1][0] == '-')
		return tern_usage_err(CMD, "merge: give the shard directory");
	if (tern_plan_read(argv[1], &p, err, sizeof(err)))
		return tern_usage_err(CMD, "merge: %s", err);
	sr = calloc(p.shards, sizeof(*sr));
	m.p = &p;
	m.by_id = calloc(p.n_inv + 1, sizeof(*m.by_id));
	args = calloc(p.n_args + (size_t)argc + 1, sizeof(char *));
	if (!sr || !m.by_id || !args) {
		rc = tern_usage_err(CMD, "merge: out of memory");
		goto out;
	}
	for (i = 0; i < p.shards; i++) {
		int r = tern_result_read(argv[1], &p, i, &sr[i], err, sizeof(err));

		if (r) {
			nbad++;
			add_index(r > 0 ? missing : damaged, sizeof(missing), i);
			if (r < 0 && !why[0])
				snprintf(why, sizeof(why), "; %.1000s", err);
			continue;
		}
		for (j = 0, nf = 0; j < sr[i].n; j++) {
			m.by_id[sr[i].res[j].id] = &sr[i].res[j];
			nf += !sr[i].res[j].ok;
		}
		if (nf)
			add_index(failed, sizeof(failed), i);
	}
	if (nbad) {
		rc = tern_usage_err(CMD, "merge: %d of %u shards not usable:%s%s%s%s%s", nbad, p.shards,
				    missing[0] ? " missing " : "", missing,
				    damaged[0] ? " damaged " : "", damaged, why);
		goto out;
	}
	if (failed[0])
		fprintf(stderr, "tern shard merge: failed invocations in shard(s) %s\n", failed);
	for (n = 0; n < p.n_args; n++)
		args[n] = p.args[n];
	for (i = 2; i < (uint32_t)argc; i++)
		args[n++] = argv[i];
	tern_run_hook.layer = merge_layer;
	tern_run_hook.ctx = &m;
	tern_run_hook.device = "ref";
	rc = tern_cmd_run((int)n, args);
	memset(&tern_run_hook, 0, sizeof(tern_run_hook));
out:
	for (i = 0; sr && i < p.shards; i++)
		tern_result_free(&sr[i]);
	free(sr);
	free(m.by_id);
	free(args);
	tern_plan_free(&p);
	return rc;
}

/* ---- status ---- */

static int cmd_status(int argc, char **argv)
{
	struct tern_shard_result s;
	struct tern_plan p;
	const char *dir;
	char err[1024], lists[4][512];
	static const char *const names[4] = { "failed", "running", "missing", "damaged" };
	uint64_t *macs, total = 0, done_macs = 0, run_macs = 0;
	uint32_t i, j, cnt[5] = { 0 }, bar, nrun = 0;
	double secs = 0;
	int r;

	if (parse_dir_index(argc, argv, "status", &dir, NULL))
		return TERN_EXIT_USAGE;
	if (tern_plan_read(dir, &p, err, sizeof(err)))
		return tern_usage_err(CMD, "status: %s", err);
	if (!(macs = calloc(p.shards, sizeof(uint64_t))))
		return tern_plan_free(&p), tern_usage_err(CMD, "status: out of memory");
	memset(lists, 0, sizeof(lists));
	for (i = 0; i < p.n_inv; i++) {
		macs[p.inv[i].shard] += p.inv[i].macs;
		total += p.inv[i].macs;
	}
	for (i = 0; i < p.shards; i++) {
		int st; /* 0 failed 1 running 2 missing 3 damaged 4 done */
		uint32_t bad = 0;

		r = tern_result_read(dir, &p, i, &s, err, sizeof(err));
		if (!r) {
			for (j = 0; j < s.n; j++)
				bad += !s.res[j].ok;
			st = bad ? 0 : 4;
			secs += s.seconds;
			done_macs += macs[i];
			tern_result_free(&s);
		} else if (tern_shard_running(dir, i)) {
			st = 1;
			nrun++;
			run_macs += macs[i];
		} else {
			st = r > 0 ? 2 : 3;
		}
		cnt[st]++;
		if (st < 4)
			add_index(lists[st], sizeof(lists[st]), i);
	}
	bar = total ? (uint32_t)(40 * (done_macs + 0.0) / total) : 40;
	printf("tern shard status: %s (%u shards, backend %s)\n[", dir, p.shards, p.backend);
	for (i = 0; i < 40; i++)
		putchar(i < bar ? '#' : '.');
	printf("] %u/%u done, %.0f%% of MACs\n", cnt[4] + cnt[0], p.shards,
	       total ? 100.0 * done_macs / total : 100.0);
	printf("  done %u, failed %u, running %u, missing %u, damaged %u\n", cnt[4], cnt[0], cnt[1],
	       cnt[2], cnt[3]);
	for (i = 0; i < 4; i++)
		if (lists[i][0])
			printf("  %-8s %s\n", names[i], lists[i]);
	/* ETA from the finished jobs' seconds per MAC; the running jobs work in parallel. */
	if (done_macs && done_macs < total)
		printf("  eta      %.0f s of job time left (%.3g s per G MAC measured), %.0f s with "
		       "%u running in parallel\n", secs / done_macs * (total - done_macs),
		       secs / done_macs * 1e9, secs / done_macs * (total - done_macs) /
		       (nrun ? nrun : 1), nrun);
	else if (!done_macs)
		printf("  eta      unknown until a shard has finished\n");
	r = cnt[4] == p.shards ? TERN_EXIT_OK : TERN_EXIT_CHECK;
	(void)run_macs;
	free(macs);
	tern_plan_free(&p);
	return r;
}

int tern_cmd_shard(int argc, char **argv)
{
	if (argc < 2)
		return tern_usage_err(CMD, "give a subcommand: plan, run, merge, status or submit "
				      "(see tern shard --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (argc > 2 && strcmp(argv[1], "submit") && !strcmp(argv[2], "--help"))) {
		fputs(help, stdout);
		return TERN_EXIT_OK;
	}
	if (!strcmp(argv[1], "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "merge"))
		return cmd_merge(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(argv[1], "submit"))
		return argc > 2 ? tern_shard_submit(argv[2], argc - 2, argv + 2) :
				  tern_usage_err(CMD, "submit: give the shard directory");
	return tern_usage_err(CMD, "unknown subcommand '%s' (plan, run, merge, status, submit)",
			      argv[1]);
}
