/*
 * fast backend: results from the reference model, cycles from the fast cycle model.
 * A run executes the program on the reference model (so every output is still real
 * and checked by the caller's golden comparison), then reads the same program back
 * from device memory and times it with tern_fast_time at the DRAM latency and
 * bandwidth of the device options (the verilator backend's defaults, so the two are
 * comparable). The event counters come from the reference model (MACS_ZERO included);
 * the cycle, busy and stall counters from the fast model, so st->has_cycles = 1. A
 * program that faults has no timing: the fast model only times runs that reach END.
 *
 * The timing is a pure function of the instruction words, the config and the DRAM
 * parameters (tern_fast_time reads nothing else), and a whole model runs the same
 * resident programs every token, so timings are memoized per program address and
 * reused only when the instruction words are byte-identical: decode ran ten times
 * slower than on the ref backend while each token re-timed 210 unchanged programs.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_backend.h"
#include "tern_fast.h"
#include "tern_ref.h"


/* One memoized timing: the program's words and the counters they gave. */
struct memo {
	uint32_t insn_addr, count;
	uint8_t *insns;           /* count * TERN_INSN_BYTES */
	uint64_t cnt[TERN_CNT_COUNT];
};

/* d->priv: the memo table (DRAM parameters are fixed for a device's lifetime). */
struct fast_priv {
	struct memo *m;
	size_t n, cap;
};

static int fast_open(struct tern_dev *d)
{
	if (tern_dev_new_image(d))
		return -1;
	d->priv = calloc(1, sizeof(struct fast_priv));
	if (!d->priv) {
		free(d->mem);
		d->mem = NULL;
		return tern_dev_set_err(d, "out of memory");
	}
	return 0;
}

static void fast_close(struct tern_dev *d)
{
	struct fast_priv *p = d->priv;

	for (size_t i = 0; p && i < p->n; i++)
		free(p->m[i].insns);
	if (p)
		free(p->m);
	free(p);
	free(d->mem);
	d->mem = NULL;
	d->priv = NULL;
}

/* The memo entry for this program address (NULL if none), hit or stale. */
static struct memo *memo_find(struct fast_priv *p, uint32_t insn_addr)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->m[i].insn_addr == insn_addr)
			return &p->m[i];
	return NULL;
}

/* Remember a timing; out of memory only means no memo. */
static void memo_put(struct fast_priv *p, struct memo *e, uint32_t insn_addr, uint32_t count,
		     const uint8_t *insns, const uint64_t *cnt)
{
	size_t bytes = (size_t)count * TERN_INSN_BYTES;
	uint8_t *copy = malloc(bytes ? bytes : 1);

	if (!copy)
		return;
	if (!e) {
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 64;
			struct memo *m = realloc(p->m, cap * sizeof(*m));

			if (!m) {
				free(copy);
				return;
			}
			p->m = m;
			p->cap = cap;
		}
		e = &p->m[p->n++];
	} else {
		free(e->insns);
	}
	memcpy(copy, insns, bytes);
	e->insn_addr = insn_addr;
	e->count = count;
	e->insns = copy;
	memcpy(e->cnt, cnt, sizeof(e->cnt));
}

/* Cycle, busy and stall counters: the ones the reference model does not count. */
static int fast_timing(struct tern_dev *d, uint32_t insn_addr, uint32_t count,
		       struct tern_status *st)
{
	struct tern_fast_dram dram = {
		d->opts.dram_latency ? d->opts.dram_latency : TERN_DRAM_LATENCY,
		d->opts.dram_bytes_per_cycle ? d->opts.dram_bytes_per_cycle : TERN_DRAM_BYTES_PER_CYCLE,
	};
	uint64_t cnt[TERN_CNT_COUNT];
	struct fast_priv *p = d->priv;
	struct memo *e;

	if ((uint64_t)insn_addr + (uint64_t)count * TERN_INSN_BYTES > d->mem_bytes)
		return tern_dev_set_err(d, "fast model: program outside device memory");
	e = memo_find(p, insn_addr);
	if (e && e->count == count &&
	    !memcmp(e->insns, d->mem + insn_addr, (size_t)count * TERN_INSN_BYTES)) {
		memcpy(cnt, e->cnt, sizeof(cnt));
	} else {
		/* Device memory holds the words little-endian, as struct tern_insn here. */
		int rc = tern_fast_time(&d->cfg, (const struct tern_insn *)(d->mem + insn_addr),
					count, &dram, cnt);

		if (rc)
			return tern_dev_set_err(d, "fast model could not time the program%s",
						rc == TERN_FAST_STUCK ?
						": the modelled machine made no progress" : "");
		memo_put(p, e, insn_addr, count, d->mem + insn_addr, cnt);
	}
	for (unsigned i = 0; i < TERN_CNT_COUNT; i++)
		if (!tern_counter_in_ref(i))
			st->counters[i] = cnt[i];
	st->has_cycles = 1;
	return 0;
}

static int fast_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		    uint32_t dma_limit, struct tern_status *st)
{
	struct tern_ref_args a = { insn_addr, count, dma_base, dma_limit };
	struct tern_ref_result r;

	if (insn_addr % 8)
		return tern_dev_set_err(d, "fast model: program address 0x%x not 8-byte aligned",
					insn_addr);
	if (tern_ref_run(&d->cfg, d->mem, d->mem_bytes, &a, NULL, NULL, &r))
		return tern_dev_set_err(d, "reference model could not run the program");
	st->err = r.err;
	st->err_insn = r.err_insn;
	memcpy(st->counters, r.counters, sizeof(st->counters));
	st->has_cycles = 0;
	if (r.err)
		return 0;
	return fast_timing(d, insn_addr, count, st);
}

const struct tern_backend tern_backend_fast = {
	.name = "fast",
	.open = fast_open,
	.close = fast_close,
	.run = fast_run,
};
