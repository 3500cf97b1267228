/*
 * The shard directory's files (layout in tern_shard.h): content hashes, blobs, the plan
 * and the per-shard results. Everything a job or the merge reads was written whole
 * (temporary name, fsync, rename) and carries a closing "sum" line, so a file cut short
 * by a killed job, a full disk or a stray edit is refused with its name, never half-used.
 * Blob names are content hashes: two writers of the same blob write the same bytes, and
 * an invocation that recurs (same shape, same W, same X) is stored and replayed once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern_shard.h"

#define P1 0x100000001b3ull          /* FNV-1a 64 prime */
#define P2 0x9e3779b97f4a7c15ull     /* golden-ratio odd constant: an independent lane */

void tern_hash_init(struct tern_hash *h)
{
	h->a = 0xcbf29ce484222325ull;
	h->b = 0x243f6a8885a308d3ull;
}

static uint64_t rotl(uint64_t v, int r)
{
	return (v << r) | (v >> (64 - r));
}

void tern_hash_add(struct tern_hash *h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;
	size_t i;

	/* Eight bytes per step (speed on 2B-4T's 17 MB weights), the tail byte by byte. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h->a = (h->a ^ w) * P1;
		h->a ^= h->a >> 29;
		h->b = rotl((h->b + w) * P2, 31);
	}
	for (; i < n; i++) {
		h->a = (h->a ^ s[i]) * P1;
		h->b = rotl((h->b + s[i] + 1) * P2, 27);
	}
	h->a ^= n;
	h->b += n;
}

void tern_hash_hex(const struct tern_hash *h, char out[33])
{
	uint64_t a = h->a, b = h->b;

	/* Final avalanche so that nearby states give unrelated names. */
	a ^= a >> 33; a *= 0xff51afd7ed558ccdull; a ^= a >> 33;
	b ^= b >> 31; b *= 0xc4ceb9fe1a85ec53ull; b ^= b >> 29;
	snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, a, b);
}

static void hash_buf(const void *p, size_t n, char out[33])
{
	struct tern_hash h;

	tern_hash_init(&h);
	tern_hash_add(&h, p, n);
	tern_hash_hex(&h, out);
}

void tern_inv_key(const struct tern_layer *l, const char *w, const char *x, char out[33])
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "%u %u %u %u %s %s", l->m, l->k, l->n, l->wfmt, w, x);

	hash_buf(buf, (size_t)n, out);
}

void tern_w_pack(const int8_t *w, size_t n, uint8_t *out)
{
	size_t i;

	memset(out, 0, (n + 3) / 4);
	for (i = 0; i < n; i++)
		out[i / 4] |= (uint8_t)((w[i] + 1) << (2 * (i % 4)));
}

void tern_w_unpack(const uint8_t *in, size_t n, int8_t *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		w[i] = (int8_t)(((in[i / 4] >> (2 * (i % 4))) & 3) - 1);
}

void tern_w_hash(const int8_t *w, size_t n, char out[33])
{
	hash_buf(w, n, out);
}

/* Write path whole or not at all; the temporary name is private to this process, so
 * two jobs writing the same file never mix their bytes. */
static int write_file(const char *path, const void *buf, size_t n, char *err, size_t errlen)
{
	char tmp[4200];
	char host[64] = "host";
	int fd;

	gethostname(host, sizeof(host) - 1);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%s.%ld", path, host, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto fail;
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
	unlink(tmp);
	return -1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

/* The text of a summed file without its "sum" line, or NULL with the reason. */
static char *read_summed(const char *path, char *err, size_t errlen, int *missing)
{
	size_t n;
	char *buf = read_file(path, &n), *s;
	char want[33];

	*missing = 0;
	if (!buf) {
		*missing = errno == ENOENT;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	s = n >= 2 ? buf + n - 2 : buf;
	while (s > buf && s[-1] != '\n')
		s--;
	hash_buf(buf, (size_t)(s - buf), want);
	if (strncmp(s, "sum ", 4) || strncmp(s + 4, want, 32) || s[36] != '\n' || s[37]) {
		snprintf(err, errlen, "'%s' is damaged (checksum does not match its content)", path);
		free(buf);
		return NULL;
	}
	*s = 0;
	return buf;
}

/* A growing text buffer whose last line is the sum of the rest. */
struct text {
	char *p;
	size_t n, cap;
};

static int addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int addf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->cap - t->n < 1024) {
		char *q = realloc(t->p, t->cap * 2 + 4096);

		if (!q)
			return -1;
		t->p = q;
		t->cap = t->cap * 2 + 4096;
	}
	va_start(ap, fmt);
	k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= t->cap - t->n)
		return -1;
	t->n += (size_t)k;
	return 0;
}

static int write_summed(const char *path, struct text *t, char *hash, char *err,
			size_t errlen)
{
	char h[33];
	int rc;

	hash_buf(t->p, t->n, h);
	if (hash)
		memcpy(hash, h, 33);
	rc = addf(t, "sum %s\n", h) ? -1 : write_file(path, t->p, t->n, err, errlen);
	if (rc && !err[0])
		snprintf(err, errlen, "out of memory");
	free(t->p);
	return rc;
}

int tern_blob_put(const char *dir, const char *hash, const void *p, size_t n, char *err,
		  size_t errlen)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/blobs/%s", dir, hash);
	if (!stat(path, &sb) && (size_t)sb.st_size == n)
		return 0; /* content-addressed: already there means the same bytes */
	return write_file(path, p, n, err, errlen);
}

int tern_blob_get(const char *dir, const char *hash, void *p, size_t n, char *err,
		  size_t errlen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/blobs/%s", dir, hash);
	f = fopen(path, "rb");
	if (!f || fread(p, 1, n, f) != n || fgetc(f) != EOF) {
		snprintf(err, errlen, "blob '%s' is missing or has the wrong size", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int tern_plan_write(const char *dir, struct tern_plan *p, char *err, size_t errlen)
{
	struct text t = { 0 };
	char path[4096];
	uint32_t i;
	int bad = 0;

	err[0] = 0;
	snprintf(path, sizeof(path), "%s/plan.args", dir);
	for (i = 1; i < p->n_args; i++)
		bad |= addf(&t, "%s\n", p->args[i]);
	if (bad || write_summed(path, &t, NULL, err, errlen))
		return -1;
	memset(&t, 0, sizeof(t));
	bad = addf(&t, "tern-shard-plan 1\nbackend %s\nshards %u\ninvocations %u\n", p->backend,
		   p->shards, p->n_inv);
	for (i = 0; i < p->n_inv && !bad; i++) {
		const struct tern_inv *v = &p->inv[i];

		bad = addf(&t, "inv %u %u %u %u %u %u %s %s %s %s %" PRIu64 " %s\n", v->id, v->shard,
			   v->l.m, v->l.k, v->l.n, v->l.wfmt, v->key, v->w, v->x, v->y, v->macs,
			   v->name);
	}
	snprintf(path, sizeof(path), "%s/plan.tsv", dir);
	if (bad) {
		free(t.p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return write_summed(path, &t, p->hash, err, errlen);
}

static int read_args(const char *dir, struct tern_plan *p, char *err, size_t errlen)
{
	char path[4096], *buf, *s, *nl;
	int missing;
	uint32_t n = 1;

	snprintf(path, sizeof(path), "%s/plan.args", dir);
	if (!(buf = read_summed(path, err, errlen, &missing)))
		return -1;
	for (s = buf; *s; s++)
		n += *s == '\n';
	p->args = calloc(n + 2, sizeof(char *));
	if (!p->args) {
		free(buf);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	p->args[p->n_args++] = strdup("run");
	for (s = buf; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		*nl = 0;
		p->args[p->n_args++] = strdup(s);
	}
	free(buf);
	return 0;
}

int tern_plan_read(const char *dir, struct tern_plan *p, char *err, size_t errlen)
{
	char path[4096], *buf, *line, *save = NULL;
	int missing, bad = 0;
	uint32_t i = 0;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "%s/plan.tsv", dir);
	if (!(buf = read_summed(path, err, errlen, &missing))) {
		if (missing)
			snprintf(err, errlen, "'%s' has no plan (run tern shard plan --out %s first)",
				 dir, dir);
		return -1;
	}
	hash_buf(buf, strlen(buf), p->hash);
	if (sscanf(buf, "tern-shard-plan 1\nbackend %15s\nshards %u\ninvocations %u\n", p->backend,
		   &p->shards, &p->n_inv) != 3 || !p->shards || p->shards > TERN_SHARD_MAX) {
		free(buf);
		return snprintf(err, errlen, "'%s' is not a tern shard plan", path), -1;
	}
	p->inv = calloc(p->n_inv ? p->n_inv : 1, sizeof(*p->inv));
	for (line = strtok_r(buf, "\n", &save); line && p->inv; line = strtok_r(NULL, "\n", &save)) {
		struct tern_inv *v = &p->inv[i];

		if (strncmp(line, "inv ", 4))
			continue;
		if (i == p->n_inv ||
		    sscanf(line, "inv %u %u %u %u %u %u %32s %32s %32s %32s %" SCNu64 " %63s", &v->id,
			   &v->shard, &v->l.m, &v->l.k, &v->l.n, &v->l.wfmt, v->key, v->w, v->x, v->y,
			   &v->macs, v->name) != 12 || v->id != i || v->shard >= p->shards) {
			bad = 1;
			break;
		}
		i++;
	}
	free(buf);
	if (!p->inv || bad || i != p->n_inv) {
		tern_plan_free(p);
		return snprintf(err, errlen, "'%s' is not a consistent tern shard plan", path), -1;
	}
	return read_args(dir, p, err, errlen);
}

void tern_plan_free(struct tern_plan *p)
{
	uint32_t i;

	for (i = 0; p->args && i < p->n_args; i++)
		free(p->args[i]);
	free(p->args);
	free(p->inv);
	memset(p, 0, sizeof(*p));
}

int64_t tern_plan_find(const struct tern_plan *p, const char *key)
{
	uint32_t i;

	for (i = 0; i < p->n_inv; i++)
		if (!strcmp(p->inv[i].key, key))
			return i;
	return -1;
}

void tern_result_path(const char *dir, uint32_t i, char *out, size_t len)
{
	snprintf(out, len, "%s/results/%u.res", dir, i);
}

int tern_result_write(const char *dir, const struct tern_plan *p,
		      const struct tern_shard_result *s, char *err, size_t errlen)
{
	struct text t = { 0 };
	char path[4096];
	uint32_t i, c;
	int bad;

	err[0] = 0;
	bad = addf(&t, "tern-shard-result 1\nplan %s\nindex %u\nbackend %s\nseconds %.6f\n",
		   p->hash, s->index, s->backend, s->seconds);
	for (i = 0; i < s->n && !bad; i++) {
		const struct tern_res *v = &s->res[i];
		const struct tern_gemm_result *r = &v->r;
		const struct tern_tile *tl = &r->mm_tile;

		bad |= addf(&t, "res %u %d %s %d %u %u %d %u %u %" PRIu64 " %u %u %" PRIu64
			    " %d %d %u %u %d %d %u %u %u %u %u %u", v->id, v->ok, v->y,
			    r->st.has_cycles, r->st.err, r->st.err_insn, r->st.mismatch, r->st.mm.insn,
			    r->st.mm.opcode, r->st.mm.addr, r->st.mm.expected, r->st.mm.actual,
			    r->st.mm.cycle, r->golden_checked, r->golden_ok, r->bad_n, r->bad_m,
			    r->expected, r->actual, tl->m0, tl->m_len, tl->n0, tl->n_len, tl->k0,
			    tl->k_len);
		for (c = 0; c < TERN_CNT_COUNT; c++)
			bad |= addf(&t, " %" PRIu64, r->st.counters[c]);
		bad |= addf(&t, "\n");
	}
	if (bad) {
		free(t.p);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	tern_result_path(dir, s->index, path, sizeof(path));
	return write_summed(path, &t, NULL, err, errlen);
}

static int parse_res(char *line, struct tern_res *v)
{
	struct tern_gemm_result *r = &v->r;
	struct tern_tile *tl = &r->mm_tile;
	int used = 0, k;
	uint32_t c;
	char *s;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "res %u %d %32s %d %u %u %d %u %u %" SCNu64 " %u %u %" SCNu64
		   " %d %d %u %u %d %d %u %u %u %u %u %u%n", &v->id, &v->ok, v->y,
		   &r->st.has_cycles, &r->st.err, &r->st.err_insn, &r->st.mismatch, &r->st.mm.insn,
		   &r->st.mm.opcode, &r->st.mm.addr, &r->st.mm.expected, &r->st.mm.actual,
		   &r->st.mm.cycle, &r->golden_checked, &r->golden_ok, &r->bad_n, &r->bad_m,
		   &r->expected, &r->actual, &tl->m0, &tl->m_len, &tl->n0, &tl->n_len, &tl->k0,
		   &tl->k_len, &used) != 25)
		return -1;
	s = line + used;
	for (c = 0; c < TERN_CNT_COUNT; c++) {
		if (sscanf(s, " %" SCNu64 "%n", &r->st.counters[c], &k) != 1)
			return -1;
		s += k;
	}
	return *s ? -1 : 0;
}

int tern_result_read(const char *dir, const struct tern_plan *p, uint32_t i,
		     struct tern_shard_result *s, char *err, size_t errlen)
{
	char path[4096], plan[33], *buf, *line, *save = NULL;
	uint32_t want = 0, j;
	int missing, bad = 0;

	memset(s, 0, sizeof(*s));
	tern_result_path(dir, i, path, sizeof(path));
	if (!(buf = read_summed(path, err, errlen, &missing)))
		return missing ? 1 : -1;
	for (j = 0; j < p->n_inv; j++)
		want += p->inv[j].shard == i;
	if (sscanf(buf, "tern-shard-result 1\nplan %32s\nindex %u\nbackend %15s\nseconds %lf\n",
		   plan, &s->index, s->backend, &s->seconds) != 4 || s->index != i) {
		free(buf);
		return snprintf(err, errlen, "'%s' is not a result of shard %u", path, i), -1;
	}
	if (strcmp(plan, p->hash)) {
		free(buf);
		return snprintf(err, errlen, "'%s' belongs to another plan", path), -1;
	}
	s->res = calloc(want ? want : 1, sizeof(*s->res));
	for (line = strtok_r(buf, "\n", &save); line && s->res; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "res ", 4))
			continue;
		if (s->n == want || parse_res(line, &s->res[s->n]) ||
		    s->res[s->n].id >= p->n_inv || p->inv[s->res[s->n].id].shard != i) {
			bad = 1;
			break;
		}
		s->n++;
	}
	free(buf);
	if (!s->res || bad || s->n != want) {
		tern_result_free(s);
		return snprintf(err, errlen, "'%s' does not hold the %u invocations of shard %u",
				path, want, i), -1;
	}
	return 0;
}

void tern_result_free(struct tern_shard_result *s)
{
	free(s->res);
	memset(s, 0, sizeof(*s));
}

int tern_shard_running(const char *dir, uint32_t i)
{
	char path[4096], pre[32], host[64] = "";
	struct dirent *e;
	DIR *d;
	int n = 0;

	gethostname(host, sizeof(host) - 1);
	snprintf(path, sizeof(path), "%s/running", dir);
	snprintf(pre, sizeof(pre), "%u.", i);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		const char *dot;
		size_t hl;

		if (strncmp(e->d_name, pre, strlen(pre)))
			continue;
		/* NAME = I.HOST.PID: on this host a dead PID is a killed job, not a running one;
		 * on another host we cannot tell and count it as running. */
		dot = strrchr(e->d_name, '.');
		hl = (size_t)(dot - e->d_name) - strlen(pre);
		if (dot && hl == strlen(host) && !strncmp(e->d_name + strlen(pre), host, hl) &&
		    kill((pid_t)atol(dot + 1), 0) && errno == ESRCH)
			continue;
		n++;
	}
	closedir(d);
	return n;
}
