/*
 * tern_fuzz: random programs on the Verilated RTL, every one checked against the
 * reference model (docs/verification.md).
 *
 *   tern_fuzz [--seed S] [--n N] [--from I] [--out DIR] [--expect-find] [--dump] PRESET...
 *   tern_fuzz --replay FILE
 *   tern_fuzz --analyzer-selftest
 *
 * For each preset (4x4, 8x8, ...; "8x8-bug" is the deliberately broken build selected
 * by TERN_VL_VARIANT=bug) programs I .. I+N-1 of seed S are generated (tern_fuzz_gen.c)
 * and run through the driver's verilator backend with lockstep on: every DRAM write, the
 * error code and index and every counter the reference model also counts must agree.
 * The program's DRAM contents and DRAM timing (latency, bytes per cycle) are random too.
 * A disagreement is minimised (instructions dropped, fields shrunk, tokens cleared or
 * recomputed by tf_resync, each candidate kept only while the analyzer calls it well
 * synchronised and the RTL still disagrees) and written as a reproducer to DIR (default build/fuzz), which --replay
 * runs again. Besides, each program must end the way its generator meant (OK for a
 * valid one, the intended error for a near-valid one): a check of the fuzzer itself.
 *
 * Exit: 0 when no preset disagreed (with --expect-find: when every preset did),
 * 1 otherwise, 2 on bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tern_driver.h"
#include "tern_fuzz.h"

#define MAX_DEVS 8
#define MIN_BUDGET 1500 /* RTL runs the minimiser may spend */

struct preset_run {
	const char *name;   /* as given, e.g. "8x8-bug" */
	struct tern_hw_config cfg;
	int bug;
	struct { uint32_t lat, bw; struct tern_dev *d; } dev[MAX_DEVS];
	int ndev;
	char err[256];
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int setup(struct preset_run *pr, const char *name)
{
	char base[64];
	size_t l = strlen(name);

	memset(pr, 0, sizeof(*pr));
	pr->name = name;
	snprintf(base, sizeof(base), "%s", name);
	if (l > 4 && !strcmp(name + l - 4, "-bug")) {
		pr->bug = 1;
		base[l - 4] = 0;
	}
	return tern_parse_array(base, &pr->cfg, pr->err, sizeof(pr->err));
}

/* The verilator device with this DRAM timing (opened on first use). */
static struct tern_dev *dev_for(struct preset_run *pr, uint32_t lat, uint32_t bw)
{
	struct tern_dev_opts o;
	int i;

	for (i = 0; i < pr->ndev; i++)
		if (pr->dev[i].lat == lat && pr->dev[i].bw == bw)
			return pr->dev[i].d;
	if (pr->ndev == MAX_DEVS) {
		snprintf(pr->err, sizeof(pr->err), "more than %d DRAM timings", MAX_DEVS);
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.backend = "verilator";
	o.cfg = pr->cfg;
	o.mem_bytes = 1u << 20;
	o.dram_latency = lat;
	o.dram_bytes_per_cycle = bw;
	o.quiet = 1;
	if (pr->bug)
		setenv("TERN_VL_VARIANT", "bug", 1);
	else
		unsetenv("TERN_VL_VARIANT");
	if (tern_dev_open(&o, &pr->dev[i].d, pr->err, sizeof(pr->err)))
		return NULL;
	pr->dev[i].lat = lat;
	pr->dev[i].bw = bw;
	pr->ndev++;
	return pr->dev[i].d;
}

static void close_devs(struct preset_run *pr)
{
	int i;

	for (i = 0; i < pr->ndev; i++)
		tern_dev_close(pr->dev[i].d);
	pr->ndev = 0;
}

/*
 * Lay the program out (random window bytes, instructions at DMA_BASE) and run it.
 * 1: the RTL disagrees with the reference model (msg says how); 0: they agree;
 * -1: the run could not be made (msg).
 */
static int run_prog(struct tern_dev *d, const struct tf_prog *p, struct tern_status *st,
		    char *msg, size_t n)
{
	static uint8_t img[1u << 20];
	uint64_t s = p->data_seed, r = 0;
	uint32_t a, i;

	tern_dev_free_all(d);
	if (p->window > sizeof(img) || tern_dev_alloc(d, p->window, &a) || a != TF_BASE) {
		snprintf(msg, n, "cannot place a window of %u bytes at 0x%x", p->window, TF_BASE);
		return -1;
	}
	for (i = 0; i < p->window; i++) {
		if (i % 8 == 0)
			r = tf_rand(&s);
		img[i] = (uint8_t)(r >> (8 * (i % 8)));
	}
	memcpy(img, p->in, p->n * sizeof(p->in[0]));
	if (tern_dev_write(d, TF_BASE, img, p->window) || tern_dev_run(d, TF_BASE, p->count, st)) {
		snprintf(msg, n, "run failed: %s", tern_dev_errmsg(d));
		return -1;
	}
	if (st->mismatch) {
		snprintf(msg, n, "%s", tern_dev_errmsg(d));
		return 1;
	}
	snprintf(msg, n, "agree: %s at insn %u", tern_err_name(st->err), st->err_insn);
	return 0;
}

/* ---------------------------------------------------------------- minimiser */

struct mini {
	struct tern_dev *d;
	const struct tern_hw_config *c;
	int runs;
	char msg[512]; /* the disagreement of the current program */
};

/* Does the candidate still show a disagreement (and stay well synchronised)? */
static int still_fails(struct mini *m, const struct tf_prog *cand)
{
	struct tern_status st;
	char why[256], msg[512];

	if (m->runs >= MIN_BUDGET || tf_analyze(m->c, cand, why, sizeof(why)))
		return 0;
	m->runs++;
	if (run_prog(m->d, cand, &st, msg, sizeof(msg)) == 0)
		return 0;
	memcpy(m->msg, msg, sizeof(msg));
	return 1;
}

static void drop(struct tf_prog *p, uint32_t at, uint32_t len)
{
	uint32_t below = at >= p->count ? 0 : (at + len <= p->count ? len : p->count - at);

	memmove(&p->in[at], &p->in[at + len], (p->n - at - len) * sizeof(p->in[0]));
	p->n -= len;
	p->count -= below;
}

/* Field shrinks of one instruction: (lsb, width, new value) candidates. */
struct shrink { unsigned lsb, width; uint32_t v; };

static int shrinks(const struct tern_insn *in, struct shrink *out)
{
	static const struct { unsigned op, lsb, width, size; } f[] = {
		{ TERN_OP_LOAD, 32, 16, 1 }, { TERN_OP_LOAD, 48, 16, 1 }, { TERN_OP_LOAD, 96, 32, 0 },
		{ TERN_OP_LOAD, 16, 16, 0 }, { TERN_OP_LOAD, 9, 1, 0 },
		{ TERN_OP_GEMM, 64, 16, 1 }, { TERN_OP_GEMM, 80, 16, 1 }, { TERN_OP_GEMM, 96, 16, 0 },
		{ TERN_OP_GEMM, 8, 1, 2 },
		{ TERN_OP_STORE, 48, 16, 1 }, { TERN_OP_STORE, 96, 32, 0 },
	};
	unsigned i, k = 0, b;
	unsigned op = tern_get_opcode(in);

	for (b = 4; b < 8; b++) /* clear each dependency flag */
		if (tern_insn_field(in, b, 1))
			out[k++] = (struct shrink){ b, 1, 0 };
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint32_t v = tern_insn_field(in, f[i].lsb, f[i].width);
		if (f[i].op != op)
			continue;
		if (f[i].size == 2) { /* GEMM reset: try 1 */
			if (!v)
				out[k++] = (struct shrink){ f[i].lsb, 1, 1 };
			continue;
		}
		if (v > f[i].size)
			out[k++] = (struct shrink){ f[i].lsb, f[i].width, f[i].size };
		if (v / 2 > f[i].size)
			out[k++] = (struct shrink){ f[i].lsb, f[i].width, v / 2 };
	}
	return (int)k;
}

static void minimise(struct mini *m, struct tf_prog *p)
{
	struct tf_prog cand;
	struct shrink sh[16];
	uint32_t chunk, i;
	int changed = 1, k, j;

	while (changed && m->runs < MIN_BUDGET) {
		changed = 0;
		for (chunk = p->n / 2 ? p->n / 2 : 1; chunk >= 1; chunk /= 2) {
			for (i = 0; i + chunk <= p->n;) {
				cand = *p;
				drop(&cand, i, chunk);
				if (cand.n && (still_fails(m, &cand) ||
					       (!tf_resync(m->c, &cand) && still_fails(m, &cand)))) {
					*p = cand;
					changed = 1;
				} else {
					i += chunk;
				}
			}
			if (chunk == 1)
				break;
		}
		for (i = 0; i < p->n; i++) {
			k = shrinks(&p->in[i], sh);
			for (j = 0; j < k; j++) {
				cand = *p;
				tern_insn_set_field(&cand.in[i], sh[j].lsb, sh[j].width, sh[j].v);
				if (still_fails(m, &cand) ||
				    (sh[j].lsb >= 8 && !tf_resync(m->c, &cand) && still_fails(m, &cand))) {
					*p = cand;
					changed = 1;
					k = shrinks(&p->in[i], sh), j = -1;
				}
			}
		}
	}
}

/* ---------------------------------------------------------------- reproducers */

static void write_repro(FILE *f, const char *preset, const struct tf_prog *p, const char *msg)
{
	uint32_t i;
	char d[200];

	fprintf(f, "# tern_fuzz reproducer: replay with build/tests/tern_fuzz --replay FILE\n");
	fprintf(f, "# %s\n", msg);
	fprintf(f, "preset %s\nlatency %u\nbw %u\ndata_seed 0x%llx\nwindow %u\nstore 0x%x 0x%x\ncount %u\nwant %s\n",
		preset, p->latency, p->bw, (unsigned long long)p->data_seed, p->window, p->st_lo,
		p->st_hi, p->count, tern_err_name(p->want_err));
	for (i = 0; i < p->n; i++) {
		tf_disasm(&p->in[i], d, sizeof(d));
		fprintf(f, "insn 0x%016llx 0x%016llx  # %u: %s\n", (unsigned long long)p->in[i].w[0],
			(unsigned long long)p->in[i].w[1], i, d);
	}
}

static int read_repro(const char *path, char *preset, size_t pn, struct tf_prog *p)
{
	FILE *f = fopen(path, "r");
	char line[512], word[64];
	unsigned long long a, b;
	int bad = 0;

	memset(p, 0, sizeof(*p));
	if (!f) {
		fprintf(stderr, "tern_fuzz: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(p->kind, sizeof(p->kind), "replay");
	while (fgets(line, sizeof(line), f) && !bad) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s", word) != 1)
			continue;
		if (!strcmp(word, "preset"))
			bad = sscanf(line, "preset %63s", word) != 1 || snprintf(preset, pn, "%s", word) < 0;
		else if (!strcmp(word, "latency"))
			bad = sscanf(line, "latency %u", &p->latency) != 1;
		else if (!strcmp(word, "bw"))
			bad = sscanf(line, "bw %u", &p->bw) != 1;
		else if (!strcmp(word, "data_seed"))
			bad = sscanf(line, "data_seed %llx", &a) != 1, p->data_seed = a;
		else if (!strcmp(word, "window"))
			bad = sscanf(line, "window %u", &p->window) != 1;
		else if (!strcmp(word, "store"))
			bad = sscanf(line, "store %x %x", &p->st_lo, &p->st_hi) != 2;
		else if (!strcmp(word, "count"))
			bad = sscanf(line, "count %u", &p->count) != 1;
		else if (!strcmp(word, "want"))
			continue;
		else if (!strcmp(word, "insn") && p->n < TF_MAX_INSNS)
			bad = sscanf(line, "insn %llx %llx", &a, &b) != 2,
			p->in[p->n].w[0] = a, p->in[p->n].w[1] = b, p->n++;
		else
			bad = 1;
	}
	fclose(f);
	if (bad || !*preset || !p->window || !p->bw) {
		fprintf(stderr, "tern_fuzz: %s: not a reproducer (bad line: %.60s)\n", path, line);
		return -1;
	}
	return 0;
}

static int replay(const char *path)
{
	struct preset_run pr;
	struct tf_prog p;
	struct tern_status st;
	struct tern_dev *d;
	char preset[64] = "", why[256], msg[512];
	int rc;

	if (read_repro(path, preset, sizeof(preset), &p))
		return 2;
	if (setup(&pr, preset)) {
		fprintf(stderr, "tern_fuzz: %s: %s\n", path, pr.err);
		return 2;
	}
	if (tf_analyze(&pr.cfg, &p, why, sizeof(why)))
		printf("note: the program is not well synchronised: %s\n", why);
	d = dev_for(&pr, p.latency, p.bw);
	if (!d) {
		fprintf(stderr, "tern_fuzz: %s\n", pr.err);
		return 2;
	}
	rc = run_prog(d, &p, &st, msg, sizeof(msg));
	printf("%s: %s: %s\n", path, rc == 1 ? "DISAGREE" : rc == 0 ? "agree" : "error", msg);
	close_devs(&pr);
	return rc == 0 ? 0 : 1;
}

/* ---------------------------------------------------------------- analyzer self-test */

/*
 * The analyzer decides which programs are fair tests, so it is checked on programs whose
 * answer is known by construction: a synchronised layer is accepted, and each race or
 * uninitialised read made by removing one token or one LOAD is rejected. Prints PASS/FAIL
 * lines; returns the number of failures.
 */
static int analyzer_selftest(const struct tern_hw_config *c)
{
	static const struct { const char *name; int drop_insn; unsigned clear_lsb; int want_ok; } cases[] = {
		{ "synchronised layer accepted", -1, 0, 1 },
		{ "GEMM without its l2c pop rejected (reads WBUF/ABUF before the LOADs end)", -1, 4, 0 },
		{ "STORE without its c2s pop rejected (reads ACC before the GEMM ends)", -1, 104, 0 },
		{ "LOAD over an entry the GEMM reads, without c2l, rejected", -1, 105, 0 },
		{ "GEMM reading a WBUF entry never loaded rejected", 0, 0, 0 },
		{ "a pop no push satisfies is a deadlock, not a race: accepted", -1, 200, 1 },
	};
	int fails = 0;
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tf_prog p;
		struct tern_insn *in = p.in;
		char why[256] = "";
		int ok;

		memset(&p, 0, sizeof(p));
		p.window = 8192;
		p.st_lo = TF_BASE + 4096;
		p.st_hi = TF_BASE + 8192;
		/* 0 LOAD W, 1 LOAD A (push l2c), 2 GEMM (pop l2c, push c2s, push c2l),
		 * 3 STORE (pop c2s), 4 LOAD W again (pop c2l), 5 END */
		tern_set_opcode(&in[0], TERN_OP_LOAD);
		tern_set_load_x_size(&in[0], 1), tern_set_load_y_size(&in[0], 1);
		tern_set_load_dram_addr(&in[0], TF_BASE + 2048);
		in[3] = in[1] = in[4] = in[0];
		tern_set_load_buf(&in[1], 1);
		tern_set_push_next(&in[1], 1);
		tern_set_opcode(&in[2], TERN_OP_GEMM);
		tern_set_gemm_k_chunks(&in[2], 1), tern_set_gemm_n_tokens(&in[2], 1);
		tern_set_gemm_reset(&in[2], 1);
		tern_set_pop_prev(&in[2], 1), tern_set_push_next(&in[2], 1), tern_set_push_prev(&in[2], 1);
		memset(&in[3], 0, sizeof(in[3]));
		tern_set_opcode(&in[3], TERN_OP_STORE);
		tern_set_store_y_size(&in[3], 1), tern_set_store_dram_addr(&in[3], p.st_lo);
		tern_set_pop_prev(&in[3], 1);
		tern_set_pop_next(&in[4], 1);
		tern_set_opcode(&in[5], TERN_OP_END);
		p.n = p.count = 6;
		if (cases[k].clear_lsb == 4)
			tern_set_pop_prev(&in[2], 0);
		else if (cases[k].clear_lsb == 104)
			tern_set_pop_prev(&in[3], 0);
		else if (cases[k].clear_lsb == 105)
			tern_set_pop_next(&in[4], 0);
		else if (cases[k].clear_lsb == 200)
			tern_set_pop_prev(&in[3], 1), tern_set_push_next(&in[2], 0);
		if (cases[k].drop_insn >= 0)
			drop(&p, (uint32_t)cases[k].drop_insn, 1);
		ok = !tf_analyze(c, &p, why, sizeof(why));
		if (ok == cases[k].want_ok) {
			printf("PASS: analyzer: %s%s%s\n", cases[k].name, why[0] ? ": " : "", why);
		} else {
			printf("FAIL: analyzer: %s (%s)\n", cases[k].name, ok ? "accepted" : why);
			fails++;
		}
	}
	return fails;
}

/* ---------------------------------------------------------------- main loop */

struct opts {
	uint64_t seed;
	uint32_t n, from;
	const char *out;
	int expect_find;
	int dump; /* print every program before running it */
};

static uint64_t prog_seed(uint64_t seed, const char *preset, uint32_t i)
{
	uint64_t h = 1469598103934665603ull, s;
	const char *c;

	for (c = preset; *c && strncmp(c, "-bug", 5); c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	s = seed ^ h ^ ((uint64_t)i << 20);
	return tf_rand(&s);
}

/* Fuzz one preset; returns the number of disagreements (0 or 1: it stops at the first). */
static int fuzz_preset(const struct opts *o, const char *name, int *gen_errors)
{
	struct preset_run pr;
	struct tf_prog p;
	struct tern_status st;
	uint64_t outcome[TERN_ERR_COUNT] = { 0 }, macs = 0, wr = 0, cycles = 0, ops[3] = { 0 };
	uint32_t i, valid = 0;
	char why[256], msg[512];
	double t0 = now();
	int found = 0;

	if (setup(&pr, name)) {
		printf("fuzz %s: %s\n", name, pr.err);
		return -1;
	}
	for (i = o->from; i < o->from + o->n && !found; i++) {
		struct tern_dev *d;
		int rc;

		tf_generate(&pr.cfg, prog_seed(o->seed, name, i), &p);
		if (tf_analyze(&pr.cfg, &p, why, sizeof(why))) {
			if ((*gen_errors)++ < 5)
				printf("fuzz %s: program %u (%s): generator wrote a racy program: %s\n", name, i,
				       p.kind, why);
			continue;
		}
		if (o->dump)
			write_repro(stdout, name, &p, p.kind);
		d = dev_for(&pr, p.latency, p.bw);
		if (!d) {
			printf("fuzz %s: cannot open the verilator backend: %s\n", name, pr.err);
			return -1;
		}
		rc = run_prog(d, &p, &st, msg, sizeof(msg));
		if (rc < 0) {
			printf("fuzz %s: program %u: %s\n", name, i, msg);
			(*gen_errors)++;
			continue;
		}
		valid += p.want_err == TERN_ERR_OK;
		if (rc == 1) {
			struct mini m = { d, &pr.cfg, 0, "" };
			char path[512];
			uint32_t n0 = p.n;
			FILE *f;

			found = 1;
			printf("fuzz %s: program %u (%s, %u insns) DISAGREES: %s\n", name, i, p.kind, p.n, msg);
			snprintf(m.msg, sizeof(m.msg), "%s", msg);
			minimise(&m, &p);
			printf("fuzz %s: minimised from %u to %u instructions in %d runs: %s\n", name, n0, p.n,
			       m.runs, m.msg);
			mkdir(o->out, 0777);
			snprintf(path, sizeof(path), "%s/repro-%s-%llu-%u.txt", o->out, name,
				 (unsigned long long)o->seed, i);
			write_repro(stdout, name, &p, m.msg);
			f = fopen(path, "w");
			if (f) {
				write_repro(f, name, &p, m.msg);
				fclose(f);
				printf("fuzz %s: reproducer written to %s\n", name, path);
			} else {
				printf("fuzz %s: cannot write %s: %s\n", name, path, strerror(errno));
			}
			break;
		}
		if (st.err != p.want_err) {
			if ((*gen_errors)++ < 5)
				printf("fuzz %s: program %u (%s): ended with %s at insn %u, the generator meant %s\n",
				       name, i, p.kind, tern_err_name(st.err), st.err_insn,
				       tern_err_name(p.want_err));
			continue;
		}
		outcome[st.err]++;
		macs += st.counters[TERN_CNT_MACS];
		wr += st.counters[TERN_CNT_DRAM_WR_BYTES];
		cycles += st.counters[TERN_CNT_CYCLES];
		ops[0] += st.counters[TERN_CNT_LOADS];
		ops[1] += st.counters[TERN_CNT_GEMMS];
		ops[2] += st.counters[TERN_CNT_STORES];
	}
	i += found; /* the disagreeing program ran too */
	printf("fuzz %s: %u programs (%u valid, %u near-valid), %d disagreement%s, %.1f s; "
	       "%llu LOADs, %llu GEMMs, %llu STOREs executed, %llu RTL cycles, %llu MACs, "
	       "%llu bytes stored; outcomes:",
	       name, i - o->from, valid, i - o->from - valid, found, found == 1 ? "" : "s",
	       now() - t0, (unsigned long long)ops[0], (unsigned long long)ops[1],
	       (unsigned long long)ops[2], (unsigned long long)cycles, (unsigned long long)macs,
	       (unsigned long long)wr);
	for (i = 0; i < TERN_ERR_COUNT; i++)
		if (outcome[i])
			printf(" %s %llu", tern_err_name(i), (unsigned long long)outcome[i]);
	printf("\n");
	fflush(stdout);
	close_devs(&pr);
	return found;
}

static int usage(const char *why)
{
	fprintf(stderr, "tern_fuzz: %s (usage: tern_fuzz [--seed S] [--n N] [--from I] [--out DIR] "
			"[--expect-find] [--dump] PRESET... | --replay FILE | --analyzer-selftest)\n", why);
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *e;

	errno = 0;
	*v = strtoull(s, &e, 0);
	return errno || !*s || *e || *s == '-';
}

int main(int argc, char **argv)
{
	struct opts o = { 1, 200, 0, "build/fuzz", 0, 0 };
	const char *presets[16];
	int np = 0, i, total = 0, gen_errors = 0, missed = 0;
	uint64_t v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--replay"))
			return i + 1 < argc ? replay(argv[i + 1]) : usage("--replay needs a file");
		if (!strcmp(a, "--analyzer-selftest"))
			return analyzer_selftest(&tern_hw_presets[0].cfg) ? 1 : 0;
		if (!strcmp(a, "--expect-find")) {
			o.expect_find = 1;
		} else if (!strcmp(a, "--dump")) {
			o.dump = 1;
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--n") || !strcmp(a, "--from") ||
			   !strcmp(a, "--out")) {
			if (i + 1 >= argc)
				return usage("missing value");
			if (!strcmp(a, "--out")) {
				o.out = argv[++i];
				continue;
			}
			if (parse_u64(argv[++i], &v) || (strcmp(a, "--seed") && v > 100000000))
				return usage("bad number");
			if (!strcmp(a, "--seed"))
				o.seed = v;
			else if (!strcmp(a, "--n"))
				o.n = (uint32_t)v;
			else
				o.from = (uint32_t)v;
		} else if (a[0] == '-') {
			return usage("unknown option");
		} else if (np < 16) {
			presets[np++] = a;
		} else {
			return usage("more than 16 presets");
		}
	}
	if (!np)
		return usage("no preset given");
	printf("tern_fuzz: seed %llu, programs %u..%u per preset\n", (unsigned long long)o.seed, o.from,
	       o.from + o.n - 1);
	for (i = 0; i < np; i++) {
		int f = fuzz_preset(&o, presets[i], &gen_errors);
		if (f < 0)
			return 1;
		total += f;
		missed += !f;
	}
	if (gen_errors)
		printf("tern_fuzz: %d programs did not end as generated (fuzzer bug)\n", gen_errors);
	if (o.expect_find) {
		printf("tern_fuzz: %s\n", missed ? "a broken build went undetected" : "every preset disagreed, as expected");
		return missed ? 1 : 0;
	}
	printf("tern_fuzz: %d disagreement%s\n", total, total == 1 ? "" : "s");
	return total || gen_errors ? 1 : 0;
}
