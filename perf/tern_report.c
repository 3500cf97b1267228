/*
 * Report accumulation, evaluation and the machine-readable writers (report.json,
 * layers.csv); see tern_report.h. The Markdown summary is in tern_report_md.c and
 * the plots in tern_plot.c. Nothing derived is stored: every writer evaluates the
 * report from its counters, so the three files can never disagree with each other.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern_board.h"
#include "tern_report.h"
#include "tern_version.h"

void tern_report_init(struct tern_report *r)
{
	const struct tern_board *b = tern_board_find(TERN_BOARD_DEFAULT);

	memset(r, 0, sizeof(*r));
	r->model = "gemm";
	r->backend = "ref";
	r->array = "32x32";
	r->board = b->name;
	r->cycles_source = "rtl";
	r->mode = "checked";
	r->clock_mhz = b->clock_mhz;
	r->dram_gbps = b->dram_gbps;
}

void tern_report_free(struct tern_report *r)
{
	free(r->layers);
	r->layers = NULL;
	r->nlayers = r->cap = 0;
}

const char *tern_phase_name(enum tern_phase p)
{
	return p == TERN_PHASE_DECODE ? "decode" : "prefill";
}

static struct tern_report_layer *find_or_add(struct tern_report *r, enum tern_phase ph,
					     const char *name)
{
	struct tern_report_layer *l;
	size_t i;

	for (i = 0; i < r->nlayers; i++)
		if (r->layers[i].phase == ph && !strcmp(r->layers[i].name, name))
			return &r->layers[i];
	if (r->nlayers == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		l = realloc(r->layers, cap * sizeof(*l));
		if (!l)
			return NULL;
		r->layers = l;
		r->cap = cap;
	}
	l = &r->layers[r->nlayers++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->phase = ph;
	l->has_cycles = 1;
	return l;
}

int tern_report_add(struct tern_report *r, enum tern_phase ph, const char *name, uint32_t m,
		    uint32_t k, uint32_t n, unsigned wfmt, const uint64_t counters[TERN_CNT_COUNT],
		    int has_cycles, char *err, size_t errlen)
{
	struct tern_report_layer *l;
	unsigned i;

	if (ph >= TERN_PHASE_COUNT || !name || strlen(name) >= sizeof(l->name)) {
		snprintf(err, errlen, "report: bad phase or layer name (at most %zu characters)",
			 sizeof(l->name) - 1);
		return -1;
	}
	l = find_or_add(r, ph, name);
	if (!l) {
		snprintf(err, errlen, "report: out of memory");
		return -1;
	}
	if (l->calls && (l->m != m || l->k != k || l->wfmt != wfmt)) {
		snprintf(err, errlen, "report: layer '%s' added with shape %ux%u, was %ux%u",
			 name, m, k, l->m, l->k);
		return -1;
	}
	l->m = m;
	l->k = k;
	l->wfmt = wfmt;
	if (n > l->n_max)
		l->n_max = n;
	l->calls++;
	l->tokens += n;
	for (i = 0; i < TERN_CNT_COUNT; i++)
		l->cnt[i] += counters[i];
	l->has_cycles = l->has_cycles && has_cycles;
	return 0;
}

int tern_report_add_toggles(struct tern_report *r, enum tern_phase ph, const char *name,
			    const uint64_t tog[TERN_TOG_COUNT], char *err, size_t errlen)
{
	size_t i;
	unsigned g;

	for (i = 0; i < r->nlayers; i++)
		if (r->layers[i].phase == ph && name && !strcmp(r->layers[i].name, name))
			break;
	if (i == r->nlayers || r->layers[i].tog_calls >= r->layers[i].calls) {
		snprintf(err, errlen, "report: toggles for layer '%s' without a call to add them to",
			 name ? name : "(null)");
		return -1;
	}
	for (g = 0; g < TERN_TOG_COUNT; g++)
		r->layers[i].tog[g] += tog[g];
	r->layers[i].tog_calls++;
	return 0;
}

int tern_report_host(struct tern_report *r, enum tern_phase ph, const char *name, double flops,
		     double bytes, double seconds, char *err, size_t errlen)
{
	struct tern_report_phase *p;

	if (ph >= TERN_PHASE_COUNT || !name || !(flops >= 0) || !(bytes >= 0) || !(seconds >= 0)) {
		snprintf(err, errlen, "report: bad host op (phase, name or negative work)");
		return -1;
	}
	p = &r->phase[ph];
	if (p->nops == TERN_REPORT_HOSTOPS) {
		snprintf(err, errlen, "report: more than %d host ops in a phase", TERN_REPORT_HOSTOPS);
		return -1;
	}
	p->ops[p->nops++] = (struct tern_report_hostop){ name, flops, bytes, seconds };
	p->host_flops += flops;
	p->host_bytes += bytes;
	p->host_seconds += seconds;
	return 0;
}

/* ---- evaluation ---- */

/* In the order the writers list them: fetch, then the three queues' units. */
const unsigned tern_report_unit_cnt[TERN_REPORT_UNIT_CNTS] = {
	TERN_CNT_FETCH_STALL,
	TERN_CNT_LOAD_BUSY, TERN_CNT_LOAD_STALL_DEP, TERN_CNT_LOAD_STALL_MEM,
	TERN_CNT_GEMM_BUSY, TERN_CNT_GEMM_STALL_DEP,
	TERN_CNT_STORE_BUSY, TERN_CNT_STORE_STALL_DEP, TERN_CNT_STORE_STALL_MEM,
};

double tern_report_port_gbps(const struct tern_report *r)
{
	return tern_bpc_to_gbps(r->cfg.bus_bytes, r->clock_mhz);
}

double tern_report_roof_gbps(const struct tern_report *r)
{
	double port = tern_report_port_gbps(r);

	return port > 0 && port < r->dram_gbps ? port : r->dram_gbps;
}

static uint64_t ceil_div(double a, double b)
{
	return b > 0 ? (uint64_t)ceil(a / b) : 0;
}

void tern_report_eval_layer(const struct tern_report *r, const struct tern_report_layer *l,
			    struct tern_layer_eval *o)
{
	double pes = (double)r->cfg.rows * r->cfg.lanes;
	struct tern_events ev = { .cnt = l->cnt, .cfg = r->cfg, .wfmt = l->wfmt };
	uint64_t c_mac, c_mem;

	memset(o, 0, sizeof(*o));
	o->macs = l->cnt[TERN_CNT_MACS];
	o->dram_bytes = l->cnt[TERN_CNT_DRAM_RD_BYTES] + l->cnt[TERN_CNT_DRAM_WR_BYTES] +
			l->cnt[TERN_CNT_FETCH_BYTES];
	if (l->has_cycles) {
		o->cycles = l->cnt[TERN_CNT_CYCLES];
		o->cycles_source = r->cycles_source;
	} else {
		c_mac = ceil_div((double)o->macs, pes);
		c_mem = ceil_div((double)o->dram_bytes,
				 tern_gbps_to_bpc(tern_report_roof_gbps(r), r->clock_mhz));
		o->cycles = c_mac > c_mem ? c_mac : c_mem;
		o->cycles_source = "bound";
	}
	o->seconds = r->clock_mhz > 0 ? (double)o->cycles / (r->clock_mhz * 1e6) : 0;
	o->utilization = o->cycles ? (double)o->macs / ((double)o->cycles * pes) : 0;
	o->macs_per_byte = o->dram_bytes ? (double)o->macs / (double)o->dram_bytes : 0;
	o->macs_per_s = o->seconds > 0 ? (double)o->macs / o->seconds : 0;
	tern_energy_ternary(&r->tech, &ev, &o->e);
	tern_energy_int8(&r->tech, &ev, &o->base);
	tern_energy_baseline(&r->tech, &ev, TERN_BASE_FP16, &o->fp16);
	tern_energy_baseline(&r->tech, &ev, TERN_BASE_FP32, &o->fp32);
	o->has_activity = l->calls && l->tog_calls == l->calls;
	if (o->has_activity)
		tern_energy_activity(&r->tech, &r->cfg, l->tog, &o->act);
}

static void add_energy(struct tern_energy *a, const struct tern_energy *b)
{
	a->compute += b->compute;
	a->sram += b->sram;
	a->dram += b->dram;
	a->host += b->host;
	a->total += b->total;
}

static void finish_phase(struct tern_phase_eval *p, double clock_mhz)
{
	p->seconds = clock_mhz > 0 ? (double)p->cycles / (clock_mhz * 1e6) : 0;
	p->tokens_per_s = p->seconds + p->host_seconds > 0 ?
			  (double)p->tokens / (p->seconds + p->host_seconds) : 0;
	p->joules_per_token = p->tokens ? p->e.total * 1e-12 / (double)p->tokens : 0;
}

void tern_report_eval(const struct tern_report *r, struct tern_report_eval *o)
{
	struct tern_event_pj pj;
	struct tern_layer_eval le;
	struct tern_phase_eval *p, *t = &o->total;
	size_t i;
	int ph;

	memset(o, 0, sizeof(*o));
	tern_event_energies(&r->tech, &r->cfg, &pj);
	for (i = 0; i < r->nlayers; i++) {
		p = &o->ph[r->layers[i].phase];
		tern_report_eval_layer(r, &r->layers[i], &le);
		p->cycles += le.cycles;
		p->macs += le.macs;
		p->dram_bytes += le.dram_bytes;
		p->bound |= !r->layers[i].has_cycles;
		add_energy(&p->e, &le.e);
		add_energy(&p->base, &le.base);
		add_energy(&p->fp16, &le.fp16);
		add_energy(&p->fp32, &le.fp32);
	}
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		p = &o->ph[ph];
		p->tokens = r->phase[ph].tokens;
		p->host_seconds = r->phase[ph].host_seconds;
		p->host_flops = r->phase[ph].host_flops;
		p->host_bytes = r->phase[ph].host_bytes;
		/* host DRAM traffic is priced like the array's: the board has one DRAM */
		p->e.host = p->host_flops * pj.flop + p->host_bytes * pj.dram_byte;
		p->base.host = p->fp16.host = p->fp32.host = p->e.host;
		p->e.total += p->e.host;
		p->base.total += p->base.host;
		p->fp16.total += p->fp16.host;
		p->fp32.total += p->fp32.host;
		finish_phase(p, r->clock_mhz);
		t->tokens += p->tokens;
		t->cycles += p->cycles;
		t->macs += p->macs;
		t->dram_bytes += p->dram_bytes;
		t->host_seconds += p->host_seconds;
		t->host_flops += p->host_flops;
		t->host_bytes += p->host_bytes;
		t->bound |= p->bound;
		add_energy(&t->e, &p->e);
		add_energy(&t->base, &p->base);
		add_energy(&t->fp16, &p->fp16);
		add_energy(&t->fp32, &p->fp32);
	}
	finish_phase(t, r->clock_mhz);
	p = &o->ph[TERN_PHASE_PREFILL];
	o->ttft_seconds = p->seconds + p->host_seconds;
}

/* ---- files ---- */

/* mkdir -p of every folder above path (path itself is left to the caller). */
static int make_parents(const char *path)
{
	char p[1024];
	size_t n = strlen(path);

	if (n >= sizeof(p))
		return errno = ENAMETOOLONG, -1;
	memcpy(p, path, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

int tern_report_prepare_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;

	if (!dir || !*dir) {
		snprintf(err, errlen, "empty report directory name");
		return -1;
	}
	if (make_parents(dir) || (mkdir(dir, 0777) && errno != EEXIST)) {
		snprintf(err, errlen, "cannot create report directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "report path '%s' is not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK)) {
		snprintf(err, errlen, "report directory '%s' is not writable", dir);
		return -1;
	}
	return 0;
}

FILE *tern_report_open(const char *dir, const char *name, char *tmp, size_t tmplen,
		       char *err, size_t errlen)
{
	FILE *f;

	snprintf(tmp, tmplen, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		snprintf(err, errlen, "cannot write '%s/%s': %s", dir, name, strerror(errno));
	return f;
}

int tern_report_commit(FILE *f, const char *tmp, const char *dir, const char *name,
		       char *err, size_t errlen)
{
	char path[1024];
	int bad = ferror(f);

	bad |= fclose(f) != 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bad || rename(tmp, path)) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A small JSON emitter: one value per call, commas handled by a per-level flag. */
struct jw {
	FILE *f;
	int depth;
	int more[8];
};

static void jkey(struct jw *j, const char *k)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = 1;
	if (k)
		fprintf(j->f, "\n%*s\"%s\": ", 2 * j->depth, "", k);
	else
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
}

static void jopen(struct jw *j, const char *k, char c)
{
	jkey(j, k);
	fputc(c, j->f);
	j->more[++j->depth] = 0;
}

static void jclose(struct jw *j, char c)
{
	j->depth--;
	fprintf(j->f, "\n%*s%c", 2 * j->depth, "", c);
}

static void jstr(struct jw *j, const char *k, const char *v)
{
	const unsigned char *p;

	jkey(j, k);
	fputc('"', j->f);
	for (p = (const unsigned char *)(v ? v : ""); *p; p++)
		if (*p == '"' || *p == '\\')
			fprintf(j->f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(j->f, "\\u%04x", *p);
		else
			fputc(*p, j->f);
	fputc('"', j->f);
}

static void ju64(struct jw *j, const char *k, uint64_t v)
{
	jkey(j, k);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

static void jraw(struct jw *j, const char *k, const char *v)
{
	jkey(j, k);
	fputs(v, j->f);
}

static void jnum(struct jw *j, const char *k, double v)
{
	jkey(j, k);
	if (isfinite(v))
		fprintf(j->f, "%.10g", v);
	else
		fputs("null", j->f);
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void json_energy(struct jw *j, const char *k, const struct tern_energy *e)
{
	jopen(j, k, '{');
	jnum(j, "compute_pj", e->compute);
	jnum(j, "sram_pj", e->sram);
	jnum(j, "dram_pj", e->dram);
	jnum(j, "host_pj", e->host);
	jnum(j, "total_pj", e->total);
	jclose(j, '}');
}

static void json_hostops(struct jw *j, const struct tern_report_phase *rp)
{
	unsigned i;

	jopen(j, "host_ops", '{');
	for (i = 0; rp && i < rp->nops; i++) {
		jopen(j, rp->ops[i].name, '{');
		jnum(j, "flops", rp->ops[i].flops);
		jnum(j, "bytes", rp->ops[i].bytes);
		jnum(j, "seconds", rp->ops[i].seconds);
		jclose(j, '}');
	}
	jclose(j, '}');
}

/* "load_busy" for TERN_CNT_LOAD_BUSY: the counter's name in lower case. */
static const char *unit_key(unsigned i, char *buf, size_t len)
{
	const char *n = tern_counter_name(tern_report_unit_cnt[i]);
	size_t k;

	for (k = 0; n[k] && k + 1 < len; k++)
		buf[k] = n[k] >= 'A' && n[k] <= 'Z' ? (char)(n[k] - 'A' + 'a') : n[k];
	buf[k] = 0;
	return buf;
}

/* "units": the summed busy/stall counters, or null when no cycles were measured. */
static void json_units(struct jw *j, const uint64_t *cnt, int measured)
{
	char key[40];
	unsigned i;

	if (!measured) {
		jraw(j, "units", "null");
		return;
	}
	jopen(j, "units", '{');
	for (i = 0; i < TERN_REPORT_UNIT_CNTS; i++)
		ju64(j, unit_key(i, key, sizeof(key)), cnt[tern_report_unit_cnt[i]]);
	jclose(j, '}');
}

/* Sum of the unit counters over the layers of phase ph (-1: all); 0 if any layer
 * lacks measured cycles. */
static int sum_units(const struct tern_report *r, int ph, uint64_t *cnt)
{
	size_t l;
	unsigned i;
	int measured = r->nlayers > 0;

	memset(cnt, 0, TERN_CNT_COUNT * sizeof(*cnt));
	for (l = 0; l < r->nlayers; l++) {
		if (ph >= 0 && (int)r->layers[l].phase != ph)
			continue;
		measured &= r->layers[l].has_cycles;
		for (i = 0; i < TERN_REPORT_UNIT_CNTS; i++)
			cnt[tern_report_unit_cnt[i]] += r->layers[l].cnt[tern_report_unit_cnt[i]];
	}
	return measured;
}

/* rp: the caller's phase (host op split), NULL for the total. */
static void json_phase(struct jw *j, const struct tern_report *r, const char *k, int ph,
		       const struct tern_phase_eval *p, const struct tern_report_phase *rp)
{
	uint64_t cnt[TERN_CNT_COUNT];
	int measured = sum_units(r, ph, cnt);

	jopen(j, k, '{');
	ju64(j, "tokens", p->tokens);
	ju64(j, "cycles", p->cycles);
	jstr(j, "cycles_kind", !p->macs ? "none" : p->bound ? "lower_bound" : "measured");
	jnum(j, "seconds", p->seconds);
	jnum(j, "host_seconds", p->host_seconds);
	jnum(j, "host_flops", p->host_flops);
	jnum(j, "host_bytes", p->host_bytes);
	jnum(j, "host_pj", p->e.host);
	if (rp)
		json_hostops(j, rp);
	if (rp && ph != TERN_PHASE_COUNT) {
		struct tern_token_line tl[TERN_TOKEN_LINES];
		unsigned i, nl = tern_report_token_lines(r, (enum tern_phase)ph, tl);

		jopen(j, "per_token", '[');
		for (i = 0; i < nl; i++) {
			jopen(j, NULL, '{');
			jstr(j, "what", tl[i].what);
			jstr(j, "where", tl[i].where);
			jnum(j, "seconds", tl[i].seconds);
			jnum(j, "bytes", tl[i].bytes);
			jclose(j, '}');
		}
		jclose(j, ']');
	}
	jnum(j, "tokens_per_s", p->tokens_per_s);
	ju64(j, "macs", p->macs);
	ju64(j, "dram_bytes", p->dram_bytes);
	jnum(j, "energy_pj", p->e.total);
	jnum(j, "baseline_int8_pj", p->base.total);
	jnum(j, "baseline_fp16_pj", p->fp16.total);
	jnum(j, "baseline_fp32_pj", p->fp32.total);
	jnum(j, "joules_per_token", p->joules_per_token);
	json_energy(j, "ternary", &p->e);
	json_energy(j, "int8", &p->base);
	json_energy(j, "fp16", &p->fp16);
	json_energy(j, "fp32", &p->fp32);
	json_units(j, cnt, measured && p->macs);
	jclose(j, '}');
}

static void json_per_event(struct jw *j, const struct tern_report *r)
{
	struct tern_event_pj e;

	tern_event_energies(&r->tech, &r->cfg, &e);
	jopen(j, "per_event_pj", '{');
	jnum(j, "adder_tree_bits_per_lane", e.tree_bits);
	jnum(j, "ternary_mac_nonzero", e.mac_nz);
	jnum(j, "ternary_mac_zero", e.mac_zero);
	jnum(j, "row_accumulate_32b", e.row_acc);
	jnum(j, "int8_mac", e.int8_mac);
	jnum(j, "fp16_mac", e.fp16_mac);
	jnum(j, "fp32_mac", e.fp32_mac);
	jnum(j, "toggle_activity", r->tech.toggle_activity);
	jnum(j, "wbuf_bit", e.wbuf_bit);
	jnum(j, "abuf_bit", e.abuf_bit);
	jnum(j, "acc_bit", e.acc_bit);
	jnum(j, "dram_byte", e.dram_byte);
	jnum(j, "host_flop", e.flop);
	jclose(j, '}');
}

static void json_ratio(struct jw *j, const char *k, const struct tern_energy *b,
		       const struct tern_energy *e)
{
	jopen(j, k, '{');
	jnum(j, "compute", ratio(b->compute, e->compute));
	jnum(j, "sram", ratio(b->sram, e->sram));
	jnum(j, "dram", ratio(b->dram, e->dram));
	jnum(j, "total", ratio(b->total, e->total));
	jclose(j, '}');
}

/* "activity": the summed activity-based energy of the layers that have it (null when
 * none), beside the event-based energy of the same layers. */
static void json_activity_total(struct jw *j, const struct tern_report *r)
{
	struct tern_energy act = { 0 }, ev = { 0 };
	struct tern_layer_eval le;
	size_t i, n = 0;

	for (i = 0; i < r->nlayers; i++) {
		tern_report_eval_layer(r, &r->layers[i], &le);
		if (!le.has_activity)
			continue;
		n++;
		add_energy(&act, &le.act);
		add_energy(&ev, &le.e);
	}
	if (!n) {
		jraw(j, "activity", "null");
		return;
	}
	jopen(j, "activity", '{');
	ju64(j, "layers", n);
	json_energy(j, "activity", &act);
	json_energy(j, "event", &ev);
	json_ratio(j, "activity_over_event", &act, &ev);
	jclose(j, '}');
}

static void json_energy_section(struct jw *j, const struct tern_report *r,
				const struct tern_phase_eval *t)
{
	jopen(j, "energy", '{');
	jstr(j, "tech", r->tech.node);
	jstr(j, "tech_file", r->tech.path);
	jnum(j, "total_pj", t->e.total);
	jnum(j, "compute_pj", t->e.compute);
	jnum(j, "sram_pj", t->e.sram);
	jnum(j, "dram_pj", t->e.dram);
	jnum(j, "host_pj", t->e.host);
	jnum(j, "baseline_int8_pj", t->base.total);
	jnum(j, "baseline_fp16_pj", t->fp16.total);
	jnum(j, "baseline_fp32_pj", t->fp32.total);
	jnum(j, "joules_per_token", t->joules_per_token);
	json_energy(j, "ternary", &t->e);
	json_energy(j, "int8", &t->base);
	json_energy(j, "fp16", &t->fp16);
	json_energy(j, "fp32", &t->fp32);
	json_ratio(j, "int8_over_ternary", &t->base, &t->e);
	json_ratio(j, "fp16_over_ternary", &t->fp16, &t->e);
	json_ratio(j, "fp32_over_ternary", &t->fp32, &t->e);
	json_activity_total(j, r);
	json_per_event(j, r);
	jclose(j, '}');
}

/* "activity": null without --activity, else the toggles and their energy beside the
 * event-based split of the same layer. */
static void json_layer_activity(struct jw *j, const struct tern_report_layer *l,
				const struct tern_layer_eval *le)
{
	unsigned g;

	if (!le->has_activity) {
		jraw(j, "activity", "null");
		return;
	}
	jopen(j, "activity", '{');
	jopen(j, "toggles", '{');
	for (g = 0; g < TERN_TOG_COUNT; g++)
		ju64(j, tern_toggle_name(g), l->tog[g]);
	jclose(j, '}');
	json_energy(j, "energy", &le->act);
	json_ratio(j, "activity_over_event", &le->act, &le->e);
	jclose(j, '}');
}

static void json_layer(struct jw *j, const struct tern_report *r, const struct tern_report_layer *l)
{
	struct tern_layer_eval le;

	tern_report_eval_layer(r, l, &le);
	jopen(j, NULL, '{');
	jstr(j, "name", l->name);
	jstr(j, "phase", tern_phase_name(l->phase));
	jopen(j, "shape", '{');
	ju64(j, "m", l->m);
	ju64(j, "k", l->k);
	ju64(j, "n", l->n_max);
	jclose(j, '}');
	ju64(j, "calls", l->calls);
	ju64(j, "tokens", l->tokens);
	ju64(j, "cycles", le.cycles);
	jstr(j, "cycles_source", le.cycles_source);
	jnum(j, "seconds", le.seconds);
	jnum(j, "utilization", le.utilization);
	ju64(j, "macs", le.macs);
	ju64(j, "macs_zero", l->cnt[TERN_CNT_MACS_ZERO]);
	ju64(j, "dram_bytes", le.dram_bytes);
	jnum(j, "macs_per_dram_byte", le.macs_per_byte);
	jnum(j, "macs_per_s", le.macs_per_s);
	jnum(j, "energy_pj", le.e.total);
	jnum(j, "compute_pj", le.e.compute);
	jnum(j, "sram_pj", le.e.sram);
	jnum(j, "dram_pj", le.e.dram);
	jnum(j, "baseline_int8_pj", le.base.total);
	jnum(j, "baseline_fp16_pj", le.fp16.total);
	jnum(j, "baseline_fp32_pj", le.fp32.total);
	json_layer_activity(j, l, &le);
	json_units(j, l->cnt, l->has_cycles);
	jclose(j, '}');
}

static void write_json(FILE *f, const struct tern_report *r)
{
	struct tern_report_eval ev;
	struct jw j = { .f = f };
	size_t i;

	tern_report_eval(r, &ev);
	fputc('{', f);
	jstr(&j, "schema", "tern-report-1");
	jopen(&j, "tern", '{');
	jstr(&j, "version", tern_version());
	jstr(&j, "git", tern_version_git());
	jstr(&j, "isa_hash", tern_version_isa_hash());
	jclose(&j, '}');
	jstr(&j, "model", r->model);
	jstr(&j, "backend", r->backend);
	jstr(&j, "mode", r->mode);
	jstr(&j, "array", r->array);
	jstr(&j, "head", r->head ? r->head : "");
	jstr(&j, "array_source", r->array_source ? "board" : "user or default");
	jstr(&j, "array_why", r->array_source ? r->array_source : "");
	ju64(&j, "rows", r->cfg.rows);
	ju64(&j, "lanes", r->cfg.lanes);
	jopen(&j, "buffers", '{');
	ju64(&j, "wbuf_depth", r->cfg.wbuf_depth);
	ju64(&j, "abuf_depth", r->cfg.abuf_depth);
	ju64(&j, "acc_depth", r->cfg.acc_depth);
	ju64(&j, "bus_bytes", r->cfg.bus_bytes);
	ju64(&j, "queue_depth", r->cfg.queue_depth);
	jclose(&j, '}');
	jstr(&j, "board", r->board);
	jnum(&j, "clock_mhz", r->clock_mhz);
	jnum(&j, "dram_gbps", r->dram_gbps);
	jnum(&j, "dram_bytes_per_cycle", tern_gbps_to_bpc(r->dram_gbps, r->clock_mhz));
	jnum(&j, "port_gbps", tern_report_port_gbps(r));
	jnum(&j, "memory_roof_gbps", tern_report_roof_gbps(r));
	jstr(&j, "memory_roof_limit", tern_report_port_gbps(r) < r->dram_gbps ? "port" : "dram");
	jnum(&j, "sim_dram_bytes_per_cycle", r->sim_dram_bpc);
	jnum(&j, "peak_macs_per_s", (double)r->cfg.rows * r->cfg.lanes * r->clock_mhz * 1e6);
	jnum(&j, "host_gflops", r->host_gflops);
	jstr(&j, "host_note", r->host_gflops > 0 ? r->host_note : "no host work modelled");
	jstr(&j, "host_time_rule", r->host_rule);
	jnum(&j, "ttft_seconds", ev.ttft_seconds);
	if (r->ttft_pipelined_seconds > 0) {
		ju64(&j, "prefill_chunks", r->prefill_chunks);
		jnum(&j, "ttft_pipelined_seconds", r->ttft_pipelined_seconds);
	}
	json_phase(&j, r, "prefill", TERN_PHASE_PREFILL, &ev.ph[TERN_PHASE_PREFILL],
		   &r->phase[TERN_PHASE_PREFILL]);
	json_phase(&j, r, "decode", TERN_PHASE_DECODE, &ev.ph[TERN_PHASE_DECODE],
		   &r->phase[TERN_PHASE_DECODE]);
	json_phase(&j, r, "total", -1, &ev.total, NULL);
	json_energy_section(&j, r, &ev.total);
	jopen(&j, "layers", '[');
	for (i = 0; i < r->nlayers; i++)
		json_layer(&j, r, &r->layers[i]);
	jclose(&j, ']');
	fputs("\n}\n", f);
}

/* Layer names are written as-is: tern_report_add keeps them short, and a CSV field
 * is quoted when it holds a comma or a quote. */
static void csv_name(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, const struct tern_report *r)
{
	struct tern_layer_eval le;
	char key[40];
	size_t i;
	unsigned u;

	fputs("name,phase,m,k,n,calls,tokens,cycles,cycles_source,seconds,utilization,macs,"
	      "macs_zero,dram_bytes,macs_per_dram_byte,energy_pj,compute_pj,sram_pj,dram_pj,"
	      "baseline_int8_pj", f);
	for (u = 0; u < TERN_REPORT_UNIT_CNTS; u++)
		fprintf(f, ",%s", unit_key(u, key, sizeof(key)));
	fputs(",baseline_fp16_pj,baseline_fp32_pj,act_energy_pj,act_compute_pj,act_sram_pj,"
	      "act_dram_pj", f);
	fputc('\n', f);
	for (i = 0; i < r->nlayers; i++) {
		const struct tern_report_layer *l = &r->layers[i];

		tern_report_eval_layer(r, l, &le);
		csv_name(f, l->name);
		fprintf(f, ",%s,%u,%u,%u,%llu,%llu,%llu,%s,%.9g,%.6f,%llu,%llu,%llu,%.6g,%.6f,%.6f,%.6f,%.6f,%.6f",
			tern_phase_name(l->phase), l->m, l->k, l->n_max,
			(unsigned long long)l->calls, (unsigned long long)l->tokens,
			(unsigned long long)le.cycles, le.cycles_source, le.seconds, le.utilization,
			(unsigned long long)le.macs, (unsigned long long)l->cnt[TERN_CNT_MACS_ZERO],
			(unsigned long long)le.dram_bytes, le.macs_per_byte, le.e.total,
			le.e.compute, le.e.sram, le.e.dram, le.base.total);
		/* empty fields, not zeros, where no cycles were measured */
		for (u = 0; u < TERN_REPORT_UNIT_CNTS; u++)
			if (l->has_cycles)
				fprintf(f, ",%llu", (unsigned long long)l->cnt[tern_report_unit_cnt[u]]);
			else
				fputc(',', f);
		fprintf(f, ",%.6f,%.6f", le.fp16.total, le.fp32.total);
		/* empty activity fields without --activity */
		if (le.has_activity)
			fprintf(f, ",%.6f,%.6f,%.6f,%.6f", le.act.total, le.act.compute, le.act.sram,
				le.act.dram);
		else
			fputs(",,,,", f);
		fputc('\n', f);
	}
}

static int write_one(const char *dir, const char *name, const struct tern_report *r,
		     void (*fn)(FILE *, const struct tern_report *), char *err, size_t errlen)
{
	char tmp[1024];
	FILE *f = tern_report_open(dir, name, tmp, sizeof(tmp), err, errlen);

	if (!f)
		return -1;
	fn(f, r);
	return tern_report_commit(f, tmp, dir, name, err, errlen);
}

int tern_report_write(const char *dir, const struct tern_report *r, char *err, size_t errlen)
{
	char why[512];
	int rc;

	if (!(r->clock_mhz > 0) || !(r->dram_gbps > 0) || !r->cfg.rows || !r->cfg.lanes ||
	    !r->tech.node[0]) {
		snprintf(err, errlen, "report: clock, DRAM bandwidth, array and technology table must be set");
		return -1;
	}
	if (tern_report_prepare_dir(dir, err, errlen) ||
	    write_one(dir, "report.json", r, write_json, err, errlen) ||
	    write_one(dir, "layers.csv", r, write_csv, err, errlen))
		return -1;
	rc = tern_plot_write(dir, r, why, sizeof(why));
	if (rc > 0)
		fprintf(stderr, "tern: gnuplot not found: plots skipped, other report files written\n");
	else if (rc < 0)
		fprintf(stderr, "tern: plots skipped: %s\n", why);
	/* summary.md last: `tern report DIR` takes its presence as "a report is here". */
	return write_one(dir, "summary.md", r, tern_report_summary, err, errlen);
}
