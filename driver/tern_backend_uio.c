/*
 * uio backend: tern on a board, through Linux UIO (driver/tern_uio.h has the layout and
 * docs/boards.md the device tree). open finds the uioN whose name is "tern" under
 * ROOT/sys/class/uio (ROOT is --uio-root, "" for the real /sys and /dev), maps the CSR
 * window (map0) and the DMA buffer (map1), and checks that the array is the config asked
 * for. Device addresses are physical: the arena is map1's [addr, addr + size), so the
 * driver's allocator hands out addresses the DMA engine can use directly, and read/write
 * copy through the mapping. A run is tern_csr_port_run with the wait a read() of
 * /dev/uioN (one interrupt).
 *
 * When ROOT/dev/uioN is a FIFO the tree is `tern devsim`'s: CSR accesses then go through
 * the doorbell page instead of loads and stores (the one difference, tern_uio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tern_backend.h"
#include "tern_csr_port.h"
#include "tern_uio.h"

struct uio_map {
	uint64_t addr, size;
	void *p;
};

struct uio_priv {
	struct tern_dev *d;
	char dev[PATH_MAX];          /* ROOT/dev/uioN */
	int fd;                      /* /dev/uioN: mmap (board) and interrupts (both) */
	int sim;                     /* 1: devsim's tree (FIFO + doorbell page) */
	struct uio_map csr, buf;
	volatile uint32_t *regs;     /* board: the CSR window */
	struct tern_uio_mbox *mbox;  /* simulated: the doorbell page */
};

static int read_num(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	char line[64], *e;
	int ok;

	if (!f)
		return -1;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	errno = 0;
	*v = strtoull(line, &e, 0);
	return errno || e == line ? -1 : 0;
}

static int read_map(struct tern_dev *d, const char *cls, int k, struct uio_map *m)
{
	char p[PATH_MAX];
	uint64_t off = 0;

	snprintf(p, sizeof(p), "%s/maps/map%d/addr", cls, k);
	if (read_num(p, &m->addr))
		return tern_dev_set_err(d, "uio: cannot read %s (the device tree node needs %s)", p,
					k ? "the DMA buffer as its second region" : "tern's CSR window as its first region");
	snprintf(p, sizeof(p), "%s/maps/map%d/size", cls, k);
	if (read_num(p, &m->size) || !m->size)
		return tern_dev_set_err(d, "uio: cannot read a size from %s", p);
	snprintf(p, sizeof(p), "%s/maps/map%d/offset", cls, k);
	if (!read_num(p, &off) && off)
		return tern_dev_set_err(d, "uio: %s is %llu: the region must start on a page", p,
					(unsigned long long)off);
	return 0;
}

/* ROOT/sys/class/uio/uioN with name "tern": its N, or -1 with the error set. */
static int find_uio(struct tern_dev *d, const char *root, char *cls, size_t n)
{
	char dir[PATH_MAX], p[PATH_MAX], name[64];
	struct dirent *e;
	DIR *dp;
	int found = -1;

	snprintf(dir, sizeof(dir), "%s/sys/class/uio", root);
	dp = opendir(dir);
	if (!dp)
		return tern_dev_set_err(d, "uio: no %s (is the uio_pdrv_genirq node loaded%s?)", dir,
					*root ? ", or tern devsim running on that --uio-root" : "");
	while (found < 0 && (e = readdir(dp))) {
		FILE *f;
		if (strncmp(e->d_name, "uio", 3))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s/name", dir, e->d_name) >= (int)sizeof(p))
			continue;
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, TERN_UIO_NAME, 4) &&
		    (name[4] == '\n' || !name[4])) {
			if (snprintf(cls, n, "%s/%s", dir, e->d_name) < (int)n)
				found = atoi(e->d_name + 3);
		}
		fclose(f);
	}
	closedir(dp);
	if (found < 0)
		return tern_dev_set_err(d, "uio: no device named '%s' under %s", TERN_UIO_NAME, dir);
	return found;
}

static void *map_file(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR);
	void *p;

	if (fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

/* ---------------------------------------------------------------- CSR access */

static int sim_access(struct uio_priv *u, uint32_t op, uint32_t addr, uint32_t *v)
{
	struct tern_uio_mbox *m = u->mbox;
	uint32_t req = m->req + 1;
	unsigned long spins = 0;

	m->op = op;
	m->addr = addr;
	m->data = op == TERN_UIO_OP_WRITE ? *v : 0;
	__atomic_store_n(&m->req, req, __ATOMIC_RELEASE);
	while (__atomic_load_n(&m->ack, __ATOMIC_ACQUIRE) != req) {
		if (++spins % 1024 == 0) {
			struct timespec ts = { 0, 50000 };
			if (kill((pid_t)m->pid, 0) && errno == ESRCH)
				return tern_dev_set_err(u->d, "uio: the device simulator (pid %u) is gone",
							m->pid);
			nanosleep(&ts, NULL);
		} else {
			sched_yield();
		}
	}
	if (m->status)
		return tern_dev_set_err(u->d, "uio: CSR 0x%03x got no AXI4-Lite response", addr);
	if (op == TERN_UIO_OP_READ)
		*v = m->data;
	return 0;
}

static int csr_rd(void *ctx, uint32_t addr, uint32_t *v)
{
	struct uio_priv *u = ctx;

	if (u->sim)
		return sim_access(u, TERN_UIO_OP_READ, addr, v);
	*v = u->regs[addr / 4];
	return 0;
}

static int csr_wr(void *ctx, uint32_t addr, uint32_t v)
{
	struct uio_priv *u = ctx;

	if (u->sim)
		return sim_access(u, TERN_UIO_OP_WRITE, addr, &v);
	u->regs[addr / 4] = v;
	__sync_synchronize();
	return 0;
}

/* One interrupt: read() of /dev/uioN returns the 32-bit event count. */
static int wait_irq(void *ctx)
{
	struct uio_priv *u = ctx;
	uint32_t one = 1, count, status = 0;

	for (;;) {
		ssize_t n;
		/* uio_pdrv_genirq masks a level interrupt in its handler: unmask it first. */
		if (!u->sim && write(u->fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			return tern_dev_set_err(u->d, "uio: cannot enable the interrupt on %s: %s",
						u->dev, strerror(errno));
		n = read(u->fd, &count, sizeof(count));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(count))
			return tern_dev_set_err(u->d, "uio: waiting for the interrupt on %s: %s", u->dev,
						n == 0 ? "the device simulator closed it" : strerror(errno));
		if (csr_rd(u, TERN_CSR_STATUS, &status))
			return -1;
		if (status & TERN_STATUS_DONE)
			return 0;
	}
}

/* ---------------------------------------------------------------- backend */

static void uio_close(struct tern_dev *d)
{
	struct uio_priv *u = d->priv;

	if (!u)
		return;
	if (u->csr.p && u->csr.p != MAP_FAILED)
		munmap(u->csr.p, u->sim ? sizeof(struct tern_uio_mbox) : u->csr.size);
	if (u->buf.p && u->buf.p != MAP_FAILED)
		munmap(u->buf.p, u->buf.size);
	if (u->fd >= 0)
		close(u->fd);
	free(u);
	d->priv = NULL;
}

static int uio_map_all(struct tern_dev *d, struct uio_priv *u)
{
	char p[PATH_MAX + 8];
	long pg = sysconf(_SC_PAGESIZE);

	if (u->sim) {
		snprintf(p, sizeof(p), "%s.map0", u->dev);
		u->csr.p = map_file(p, sizeof(struct tern_uio_mbox));
		snprintf(p, sizeof(p), "%s.map1", u->dev);
		if (u->csr.p != MAP_FAILED)
			u->buf.p = map_file(p, u->buf.size);
	} else {
		u->csr.p = mmap(NULL, u->csr.size, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd, 0);
		if (u->csr.p != MAP_FAILED)
			u->buf.p = mmap(NULL, u->buf.size, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
					pg);
	}
	if (u->csr.p == MAP_FAILED || u->buf.p == MAP_FAILED)
		return tern_dev_set_err(d, "uio: cannot map %s region %d: %s", u->dev,
					u->csr.p == MAP_FAILED ? 0 : 1, strerror(errno));
	u->regs = u->csr.p;
	u->mbox = u->csr.p;
	if (u->sim && u->mbox->magic != TERN_UIO_MAGIC)
		return tern_dev_set_err(d, "uio: %s.map0 is not a live device simulator's doorbell page",
					u->dev);
	return 0;
}

static int uio_open(struct tern_dev *d)
{
	const char *root = d->opts.uio_root ? d->opts.uio_root : "";
	char cls[PATH_MAX];
	struct tern_csr_port port;
	struct uio_priv *u;
	struct stat sb;
	uint32_t junk;
	int n;

	u = calloc(1, sizeof(*u));
	if (!u)
		return tern_dev_set_err(d, "out of memory");
	u->fd = -1;
	u->d = d;
	d->priv = u;
	if ((n = find_uio(d, root, cls, sizeof(cls))) < 0 || read_map(d, cls, 0, &u->csr) ||
	    read_map(d, cls, 1, &u->buf))
		goto fail;
	if (u->csr.size < TERN_UIO_CSR_BYTES) {
		tern_dev_set_err(d, "uio: map0 is %llu bytes, tern's CSR window is 4096",
				 (unsigned long long)u->csr.size);
		goto fail;
	}
	/* Device addresses are 32-bit: the buffer must lie below 4 GiB. */
	if (u->buf.addr < TERN_ARENA_BASE || u->buf.addr + u->buf.size > 0xfffff000ull) {
		tern_dev_set_err(d, "uio: the DMA buffer [0x%llx, +0x%llx) is not inside tern's 32-bit address space",
				 (unsigned long long)u->buf.addr, (unsigned long long)u->buf.size);
		goto fail;
	}
	snprintf(u->dev, sizeof(u->dev), "%s/dev/uio%d", root, n);
	if (stat(u->dev, &sb)) {
		tern_dev_set_err(d, "uio: %s: %s", u->dev, strerror(errno));
		goto fail;
	}
	u->sim = S_ISFIFO(sb.st_mode);
	u->fd = open(u->dev, u->sim ? O_RDONLY | O_NONBLOCK : O_RDWR | O_SYNC);
	if (u->fd < 0) {
		tern_dev_set_err(d, "uio: cannot open %s: %s", u->dev, strerror(errno));
		goto fail;
	}
	if (uio_map_all(d, u))
		goto fail;
	if (u->sim) {
		/* Drop events a previous host left unread, then block on read() from now on. */
		while (read(u->fd, &junk, sizeof(junk)) > 0)
			;
		fcntl(u->fd, F_SETFL, fcntl(u->fd, F_GETFL) & ~O_NONBLOCK);
	}
	port = (struct tern_csr_port){ u, csr_rd, csr_wr, wait_irq };
	if (tern_csr_port_check(d, &port))
		goto fail;
	d->arena_base = d->arena_top = (u->buf.addr + 63) & ~63ull;
	d->mem_bytes = u->buf.addr + u->buf.size;
	return 0;
fail:
	uio_close(d);
	return -1;
}

static int uio_rw(struct tern_dev *d, uint32_t addr, void *host, uint64_t n, int to_dev)
{
	struct uio_priv *u = d->priv;
	uint8_t *p;

	if (addr < u->buf.addr || addr - u->buf.addr + n > u->buf.size)
		return tern_dev_set_err(d, "device access [0x%x, +%llu) outside the DMA buffer", addr,
					(unsigned long long)n);
	p = (uint8_t *)u->buf.p + (addr - u->buf.addr);
	if (to_dev)
		memcpy(p, host, n);
	else
		memcpy(host, p, n);
	__sync_synchronize();
	return 0;
}

static int uio_write(struct tern_dev *d, uint32_t addr, const void *src, uint64_t n)
{
	return uio_rw(d, addr, (void *)src, n, 1);
}

static int uio_read(struct tern_dev *d, uint32_t addr, void *dst, uint64_t n)
{
	return uio_rw(d, addr, dst, n, 0);
}

static int uio_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		   uint32_t dma_limit, struct tern_status *st)
{
	struct tern_csr_port port = { d->priv, csr_rd, csr_wr, wait_irq };

	return tern_csr_port_run(d, &port, insn_addr, count, dma_base, dma_limit, st);
}

const struct tern_backend tern_backend_uio = {
	.name = "uio",
	.open = uio_open,
	.close = uio_close,
	.write = uio_write,
	.read = uio_read,
	.run = uio_run,
};
