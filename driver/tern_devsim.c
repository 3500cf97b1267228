/*
 * `tern devsim`: the Verilated RTL behind a simulated Linux UIO tree (tern_devsim.h,
 * tern_uio.h). One thread, one loop: take a rung CSR access and perform it on the RTL
 * (the clock runs during its AXI4-Lite handshakes); else, while a run is busy, clock the
 * RTL in slices and raise an event on the FIFO when irq_o rises; else wait a little
 * (nothing happens on an idle device). Busy is known without touching the RTL between
 * accesses: it begins with a CTRL write carrying START and ends with irq_o, or, when the
 * host did not enable the interrupt, when a STATUS read the loop makes itself shows
 * BUSY clear.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tern_backend.h"
#include "tern_devsim.h"
#include "tern_uio.h"
#include "tern_vl.h"
#include "tern_vl_cache.h"

#define SLICE 2048u /* cycles clocked between two looks at the doorbell */

struct live_api {
	struct tern_vl *(*open)(const struct tern_vl_opts *);
	void (*close)(struct tern_vl *);
	int (*reset)(struct tern_vl *, uint64_t);
	int (*csr)(struct tern_vl *, int, uint32_t, uint32_t *);
	int (*step)(struct tern_vl *, uint32_t);
};

static int errf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int mkdirs(const char *path)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static int put_file(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int put_file(const char *dir, const char *name, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	FILE *f;
	int rc;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return -1;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	rc = fclose(f);
	return rc;
}

/* A zeroed file of size bytes, mapped shared. MAP_FAILED on error. */
static void *map_new(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	void *p = MAP_FAILED;

	if (fd < 0)
		return MAP_FAILED;
	if (!ftruncate(fd, (off_t)size))
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

/* The sysfs side: sys/class/uio/uio0/{name,version,maps/map0,maps/map1}. */
static int write_sysfs(const struct tern_devsim_opts *o, char *err, size_t n)
{
	char cls[PATH_MAX], m[PATH_MAX + 16];
	uint64_t addr[2] = { 0xa0000000ull, o->buf_phys }, size[2] = { TERN_UIO_CSR_BYTES, o->buf_bytes };
	const char *names[2] = { "csr", "buf" };
	int k;

	snprintf(cls, sizeof(cls), "%s/sys/class/uio/uio0", o->root);
	if (mkdirs(cls) || put_file(cls, "name", "%s\n", TERN_UIO_NAME) ||
	    put_file(cls, "version", "devsim\n"))
		return errf(err, n, "cannot write %s: %s", cls, strerror(errno));
	for (k = 0; k < 2; k++) {
		if (snprintf(m, sizeof(m), "%s/maps/map%d", cls, k) >= (int)sizeof(m))
			return errf(err, n, "path too long: %s", cls);
		if (mkdirs(m) || put_file(m, "name", "%s\n", names[k]) ||
		    put_file(m, "addr", "0x%llx\n", (unsigned long long)addr[k]) ||
		    put_file(m, "size", "0x%llx\n", (unsigned long long)size[k]) ||
		    put_file(m, "offset", "0x0\n"))
			return errf(err, n, "cannot write %s: %s", m, strerror(errno));
	}
	return 0;
}

static int load_live(const struct tern_devsim_opts *o, void **dl, struct live_api *a, char *err,
		     size_t n)
{
	struct tern_dev d;
	char lib[PATH_MAX];
	struct { const char *name; void **slot; } syms[] = {
		{ "tern_vl_open", (void **)&a->open },	   { "tern_vl_close", (void **)&a->close },
		{ "tern_vl_live_reset", (void **)&a->reset }, { "tern_vl_live_csr", (void **)&a->csr },
		{ "tern_vl_live_step", (void **)&a->step },
	};
	size_t i;

	memset(&d, 0, sizeof(d));
	d.cfg = o->cfg;
	d.opts.cfg = o->cfg;
	d.opts.home = o->home;
	d.opts.cache = o->cache;
	d.opts.quiet = o->quiet;
	if (tern_vl_cache_get(&d, 0, lib, sizeof(lib)))
		return errf(err, n, "%s", d.err);
	*dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!*dl)
		return errf(err, n, "cannot load the Verilated model: %s", dlerror());
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (!(*syms[i].slot = dlsym(*dl, syms[i].name)))
			return errf(err, n, "%s: no symbol %s (stale build? remove its cache entry)", lib,
				    syms[i].name);
	return 0;
}

struct sim {
	const struct live_api *a;
	struct tern_vl *vl;
	struct tern_uio_mbox *mb;
	int fifo;
	uint32_t events;
	int busy, irq, irq_en;
};

static void event(struct sim *s)
{
	ssize_t w;

	s->events++;
	w = write(s->fifo, &s->events, sizeof(s->events));
	(void)w; /* a full FIFO (no reader for 16 K events) loses events, as a masked IRQ would */
}

static void serve_access(struct sim *s)
{
	struct tern_uio_mbox *m = s->mb;
	uint32_t v = m->data;
	int wr = m->op == TERN_UIO_OP_WRITE;
	int rc = s->a->csr(s->vl, wr, m->addr, &v);

	if (wr && m->addr == TERN_CSR_CTRL) {
		s->irq_en = !!(v & TERN_CTRL_IRQ_EN);
		if (v & TERN_CTRL_START)
			s->busy = 1;
	}
	m->data = wr ? m->data : v;
	m->status = rc ? 1 : 0;
}

static void run_slice(struct sim *s)
{
	int irq = s->a->step(s->vl, SLICE);
	uint32_t st = 0;

	if (irq && !s->irq)
		event(s);
	s->irq = irq;
	if (irq) {
		s->busy = 0;
	} else if (!s->irq_en && !s->a->csr(s->vl, 0, TERN_CSR_STATUS, &st) &&
		   !(st & TERN_STATUS_BUSY)) {
		s->busy = 0;
	}
}

static void serve(struct sim *s, volatile sig_atomic_t *stop)
{
	uint32_t seen = s->mb->req;
	unsigned idle = 0;

	while (!*stop) {
		uint32_t req = __atomic_load_n(&s->mb->req, __ATOMIC_ACQUIRE);
		if (req != seen) {
			serve_access(s);
			seen = req;
			__atomic_store_n(&s->mb->ack, req, __ATOMIC_RELEASE);
			/* irq_o falls when the host clears IRQ_STATUS: the next rise is a new event */
			s->irq = s->a->step(s->vl, 0);
			idle = 0;
		} else if (s->busy) {
			run_slice(s);
		} else {
			struct timespec ts = { 0, idle < 1000 ? 20000 : 1000000 };
			idle++;
			nanosleep(&ts, NULL);
		}
	}
}

int tern_devsim_serve(const struct tern_devsim_opts *o, volatile sig_atomic_t *stop, char *err,
		      size_t errlen)
{
	char dev[PATH_MAX], p[PATH_MAX + 16];
	struct live_api a;
	struct tern_vl_opts vo;
	struct sim s;
	uint8_t *buf = MAP_FAILED;
	void *dl = NULL;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	memset(&a, 0, sizeof(a));
	s.fifo = -1;
	s.mb = MAP_FAILED;
	if (load_live(o, &dl, &a, err, errlen))
		goto out;
	snprintf(dev, sizeof(dev), "%s/dev", o->root);
	if (mkdirs(dev) || write_sysfs(o, err, errlen)) {
		if (!*err)
			errf(err, errlen, "cannot create %s: %s", dev, strerror(errno));
		goto out;
	}
	snprintf(p, sizeof(p), "%s/uio0.map1", dev);
	buf = map_new(p, o->buf_bytes);
	snprintf(p, sizeof(p), "%s/uio0.map0", dev);
	s.mb = map_new(p, TERN_UIO_CSR_BYTES);
	if (buf == MAP_FAILED || s.mb == MAP_FAILED) {
		errf(err, errlen, "cannot create the shared regions in %s: %s", dev, strerror(errno));
		goto out;
	}
	snprintf(p, sizeof(p), "%s/uio0", dev);
	unlink(p);
	/* O_RDWR: the FIFO never lacks a reader, so writing an event never blocks or fails */
	if (mkfifo(p, 0644) || (s.fifo = open(p, O_RDWR | O_NONBLOCK)) < 0) {
		errf(err, errlen, "cannot create the interrupt FIFO %s: %s", p, strerror(errno));
		goto out;
	}
	memset(&vo, 0, sizeof(vo));
	vo.dram = buf;
	vo.dram_size = o->buf_bytes;
	vo.latency = TERN_DRAM_LATENCY;
	vo.bytes_per_cycle = TERN_DRAM_BYTES_PER_CYCLE;
	s.a = &a;
	s.vl = a.open(&vo);
	if (!s.vl) {
		errf(err, errlen, "the Verilated model did not come up");
		goto out;
	}
	a.reset(s.vl, o->buf_phys);
	s.mb->pid = (uint32_t)getpid();
	__atomic_store_n(&s.mb->magic, TERN_UIO_MAGIC, __ATOMIC_RELEASE);
	if (o->ready)
		o->ready(o);
	serve(&s, stop);
	s.mb->magic = 0;
	rc = 0;
out:
	if (s.vl)
		a.close(s.vl);
	if (s.fifo >= 0)
		close(s.fifo);
	if (s.mb != MAP_FAILED)
		munmap(s.mb, TERN_UIO_CSR_BYTES);
	if (buf != MAP_FAILED)
		munmap(buf, o->buf_bytes);
	if (dl)
		dlclose(dl);
	return rc;
}
