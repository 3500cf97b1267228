/*
 * tern driver core: device lifetime, the memory arena and the DMA window, config
 * parsing, and dispatch to a backend (tern_backend.h).
 *
 * The arena starts at TERN_ARENA_BASE (from the definition), not 0, so a stray zero
 * address in a program falls outside the DMA window and faults. The window of a run is
 * exactly the part of the arena handed out so far. Allocations are aligned to the
 * config's BUS_BYTES, the alignment every DMA address of the ISA needs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_backend.h"

#define TERN_DEFAULT_MEM (256ull << 20)
#define TERN_MAX_MEM 0xfffff000ull /* device addresses are 32-bit */

static const struct tern_backend *const backends[] = {
	&tern_backend_ref,
	&tern_backend_verilator,
	&tern_backend_fast,
	&tern_backend_systemc,
	&tern_backend_systemc_tlm,
	&tern_backend_uio,
	&tern_backend_serial,
};

int tern_dev_set_err(struct tern_dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return -1;
}

int tern_dev_new_image(struct tern_dev *d)
{
	d->mem = calloc(1, d->mem_bytes);
	if (!d->mem)
		return tern_dev_set_err(d, "cannot allocate %llu bytes of device memory",
					(unsigned long long)d->mem_bytes);
	return 0;
}

static int set_buf_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set_buf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The one validity rule lives in the definition (tern_hw_config_check, generated). */
int tern_check_config(const struct tern_hw_config *c, char *err, size_t errlen)
{
	return tern_hw_config_check(c, err, errlen);
}

/*
 * Widest power-of-two bus width <= 64 bytes (the policy for arrays given as ROWSxLANES
 * rather than a preset) that divides ROWS*4, kept within the definition's BUS_BYTES
 * limits; a ROWS with no valid width is then refused by the rule.
 */
static uint32_t bus_for_rows(uint32_t rows)
{
	uint32_t b = 64 < TERN_BUS_BYTES_MAX ? 64 : TERN_BUS_BYTES_MAX;

	while (b > TERN_BUS_BYTES_MIN && (rows * 4) % b)
		b >>= 1;
	return b;
}

static int parse_dim(const char *s, const char **end, uint32_t *v)
{
	char *e;
	unsigned long x;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoul(s, &e, 10);
	if (errno || x == 0 || x > 4096)
		return -1;
	*v = (uint32_t)x;
	*end = e;
	return 0;
}

int tern_parse_array(const char *spec, struct tern_hw_config *cfg, char *err, size_t errlen)
{
	const char *p;
	uint32_t r, l;
	int i;

	if (!spec || !*spec)
		return set_buf_err(err, errlen, "empty array spec (want ROWSxLANES, e.g. 32x32)");
	for (i = 0; i < TERN_PRESET_COUNT; i++) {
		if (!strcmp(spec, tern_hw_presets[i].name)) {
			*cfg = tern_hw_presets[i].cfg;
			return 0;
		}
	}
	if (parse_dim(spec, &p, &r) || (*p != 'x' && *p != 'X') || parse_dim(p + 1, &p, &l) || *p)
		return set_buf_err(err, errlen,
				   "bad array spec '%s' (want ROWSxLANES, e.g. 32x32)",
				   spec);
	/* Not a preset: keep the default preset's depths, fit the bus to ROWS. */
	for (i = 0; i < TERN_PRESET_COUNT; i++)
		if (!strcmp(TERN_PRESET_DEFAULT, tern_hw_presets[i].name))
			*cfg = tern_hw_presets[i].cfg;
	cfg->rows = r;
	cfg->lanes = l;
	cfg->bus_bytes = bus_for_rows(r);
	return tern_check_config(cfg, err, errlen);
}

static const struct tern_backend *find_backend(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

int tern_check_backend(const char *name, char *err, size_t errlen)
{
	if (find_backend(name))
		return 0;
	if (!strcmp(name, "systemc"))
		return set_buf_err(err, errlen, "backend '%s' is not available in this build", name);
	return set_buf_err(err, errlen, "unknown backend '%s' (choose ref, verilator, fast, systemc, systemc-tlm, uio or serial)", name);
}

int tern_dev_open(const struct tern_dev_opts *o, struct tern_dev **out, char *err, size_t errlen)
{
	const struct tern_backend *be;
	struct tern_dev *d;
	const char *name = o->backend ? o->backend : "ref";

	*out = NULL;
	if (tern_check_backend(name, err, errlen))
		return -1;
	be = find_backend(name);
	if (o->activity && strcmp(name, "verilator"))
		return set_buf_err(err, errlen, "activity counting needs the verilator backend, not %s", name);
	if (tern_check_config(&o->cfg, err, errlen))
		return -1;
	d = calloc(1, sizeof(*d));
	if (!d)
		return set_buf_err(err, errlen, "out of memory");
	d->be = be;
	d->opts = *o;
	d->cfg = o->cfg;
	d->mem_bytes = o->mem_bytes ? o->mem_bytes : TERN_DEFAULT_MEM;
	if (d->mem_bytes > TERN_MAX_MEM || d->mem_bytes <= TERN_ARENA_BASE) {
		free(d);
		return set_buf_err(err, errlen, "device memory size must be 4 KiB..4 GiB");
	}
	d->arena_base = TERN_ARENA_BASE;
	d->arena_top = TERN_ARENA_BASE;
	if (be->open(d)) {
		set_buf_err(err, errlen, "%s", d->err);
		free(d);
		return -1;
	}
	*out = d;
	return 0;
}

void tern_dev_close(struct tern_dev *d)
{
	if (!d)
		return;
	d->be->close(d);
	free(d);
}

const char *tern_dev_errmsg(const struct tern_dev *d)
{
	return d->err;
}

const struct tern_hw_config *tern_dev_config(const struct tern_dev *d)
{
	return &d->cfg;
}

const char *tern_dev_backend(const struct tern_dev *d)
{
	return d->be->name;
}

int tern_dev_alloc(struct tern_dev *d, uint64_t bytes, uint32_t *addr)
{
	uint64_t align = d->cfg.bus_bytes; /* a power of two: tern_hw_config_check */
	uint64_t a = (d->arena_top + align - 1) & ~(align - 1);

	if (bytes > d->mem_bytes || a + bytes > d->mem_bytes)
		return tern_dev_set_err(d, "device memory exhausted: need %llu more bytes, %llu of %llu in use",
					(unsigned long long)bytes, (unsigned long long)a,
					(unsigned long long)d->mem_bytes);
	*addr = (uint32_t)a;
	d->arena_top = a + (bytes ? bytes : 1);
	return 0;
}

void tern_dev_free_all(struct tern_dev *d)
{
	d->arena_top = d->arena_base;
}

static int range_ok(struct tern_dev *d, uint32_t addr, uint64_t n)
{
	if ((uint64_t)addr + n > d->mem_bytes)
		return tern_dev_set_err(d, "device access [0x%x, +%llu) outside memory of %llu bytes",
					addr, (unsigned long long)n, (unsigned long long)d->mem_bytes);
	return 0;
}

int tern_dev_write(struct tern_dev *d, uint32_t addr, const void *src, uint64_t n)
{
	if (range_ok(d, addr, n))
		return -1;
	if (d->be->write)
		return d->be->write(d, addr, src, n);
	memcpy(d->mem + addr, src, n);
	return 0;
}

int tern_dev_read(struct tern_dev *d, uint32_t addr, void *dst, uint64_t n)
{
	if (range_ok(d, addr, n))
		return -1;
	if (d->be->read)
		return d->be->read(d, addr, dst, n);
	memcpy(dst, d->mem + addr, n);
	return 0;
}

int tern_dev_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, struct tern_status *st)
{
	memset(st, 0, sizeof(*st));
	return d->be->run(d, insn_addr, count, (uint32_t)d->arena_base, (uint32_t)d->arena_top, st);
}

uint64_t tern_dev_mark(const struct tern_dev *d)
{
	return d->arena_top;
}

void tern_dev_release(struct tern_dev *d, uint64_t mark)
{
	if (mark >= d->arena_base && mark <= d->arena_top)
		d->arena_top = mark;
}
