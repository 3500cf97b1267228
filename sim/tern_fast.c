/*
 * tern fast cycle model, public side (tern_fast.h): checks a program the way fetch
 * would, derives every event counter that is a function of the instructions alone
 * (the same numbers the reference model counts), and hands the timing to the cycle
 * model in tern_fast_sim.c. tern_fast_layer compiles a layer without data, at the
 * addresses tern_gemm_run would use, and caches the result per (config, shape,
 * weight format, DRAM), because a model repeats a handful of shapes hundreds of times.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_fast_priv.h"
#include "tern_ref.h"


struct cache_key {
	struct tern_hw_config cfg;
	struct tern_layer l;
	struct tern_fast_dram d;
};

struct cache_ent {
	struct cache_key key;
	uint64_t cnt[TERN_CNT_COUNT];
	int used;
};

/* The layer cache: an open-addressing table. Guarded by cache_lock. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_ent *cache;
static size_t cache_cap, cache_n;
static uint64_t cache_hits, cache_misses;

/* The program must be what fetch would run to the end: valid words, END last only. */
static int check_program(const struct tern_hw_config *c, const struct tern_insn *in,
			 uint32_t count)
{
	if (!c || !in || !count || !tern_ref_config_valid(c))
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		int is_end = tern_get_opcode(&in[i]) == TERN_OP_END;

		if (is_end != (i == count - 1))
			return -1;
		if (tern_ref_check_insn(c, NULL, &in[i]) != TERN_ERR_OK)
			return -1;
	}
	return 0;
}

/* The "in ref model" counters: sums over the instructions (docs/isa.md). */
static void static_counters(const struct tern_hw_config *c, const struct tern_insn *in,
			    uint32_t count, uint64_t *k)
{
	uint64_t rl = (uint64_t)c->rows * c->lanes;

	k[TERN_CNT_INSNS] = count;
	k[TERN_CNT_FETCH_BYTES] = 16ull * count;
	for (uint32_t i = 0; i < count; i++) {
		const struct tern_insn *p = &in[i];
		uint64_t x, y, steps, n;

		switch (tern_get_opcode(p)) {
		case TERN_OP_LOAD: {
			unsigned buf = tern_get_load_buf(p);
			uint64_t row = (uint64_t)tern_get_load_x_size(p) *
				       tern_entry_bytes(c, buf, tern_get_load_wfmt(p));

			x = tern_get_load_x_size(p);
			y = tern_get_load_y_size(p);
			k[TERN_CNT_LOADS]++;
			k[TERN_CNT_DRAM_RD_BYTES] += y * ((row + c->bus_bytes - 1) / c->bus_bytes) *
						     c->bus_bytes;
			k[buf ? TERN_CNT_ABUF_WR : TERN_CNT_WBUF_WR] += x * y;
			break;
		}
		case TERN_OP_GEMM:
			n = tern_get_gemm_n_tokens(p);
			steps = n * tern_get_gemm_k_chunks(p);
			k[TERN_CNT_GEMMS]++;
			k[TERN_CNT_MACS] += steps * rl;
			k[TERN_CNT_WBUF_RD] += steps;
			k[TERN_CNT_ABUF_RD] += steps;
			k[TERN_CNT_ACC_WR] += n;
			if (!tern_get_gemm_reset(p))
				k[TERN_CNT_ACC_RD] += n;
			break;
		case TERN_OP_STORE:
			y = tern_get_store_y_size(p);
			k[TERN_CNT_STORES]++;
			k[TERN_CNT_DRAM_WR_BYTES] += y * c->rows * 4;
			k[TERN_CNT_ACC_RD] += y;
			break;
		default:
			break;
		}
	}
}

int tern_fast_time(const struct tern_hw_config *cfg, const struct tern_insn *insns,
		   uint32_t count, const struct tern_fast_dram *dram,
		   uint64_t counters[TERN_CNT_COUNT])
{
	memset(counters, 0, TERN_CNT_COUNT * sizeof(counters[0]));
	if (!dram || check_program(cfg, insns, count))
		return -1;
	static_counters(cfg, insns, count, counters);
	int rc = tern_fast_sim(cfg, insns, count, dram, counters, NULL);

	if (rc) {
		memset(counters, 0, TERN_CNT_COUNT * sizeof(counters[0]));
		return rc == TERN_FAST_STUCK ? rc : -1;
	}
	return 0;
}

static uint64_t hash_key(const struct cache_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static struct cache_ent *cache_find(const struct cache_key *k)
{
	size_t i;

	if (!cache_cap)
		return NULL;
	for (i = hash_key(k) & (cache_cap - 1); cache[i].used; i = (i + 1) & (cache_cap - 1))
		if (!memcmp(&cache[i].key, k, sizeof(*k)))
			return &cache[i];
	return &cache[i];
}

/* Insert (or keep, if full memory fails: the cache is only an accelerator). */
static void cache_put(const struct cache_key *k, const uint64_t *cnt)
{
	struct cache_ent *e;

	if (2 * (cache_n + 1) > cache_cap) {
		size_t ncap = cache_cap ? 2 * cache_cap : 64, ocap = cache_cap;
		struct cache_ent *old = cache, *nc = calloc(ncap, sizeof(*nc));

		if (!nc)
			return;
		cache = nc;
		cache_cap = ncap;
		cache_n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].used)
				cache_put(&old[i].key, old[i].cnt);
		free(old);
	}
	e = cache_find(k);
	if (!e->used) {
		e->used = 1;
		e->key = *k;
		memcpy(e->cnt, cnt, sizeof(e->cnt));
		cache_n++;
	}
}

/* The driver's allocator: addresses aligned to BUS_BYTES (a power of two). */
static uint64_t align_up(uint64_t a, uint32_t bus)
{
	return (a + bus - 1) & ~(uint64_t)(bus - 1);
}

/* Plan, compile at tern_gemm_run's addresses (w, x, y, then the program) and time. */
static int time_layer(const struct tern_hw_config *cfg, const struct tern_layer *l,
		      const struct tern_fast_dram *dram, uint64_t *cnt, char *err, size_t errlen)
{
	struct tern_layout lo;
	struct tern_program p;
	struct tern_addrs a;
	uint64_t end;
	int rc;

	if (tern_layout_plan(cfg, l, &lo, err, errlen))
		return -1;
	end = align_up(TERN_ARENA_BASE + lo.w_bytes, cfg->bus_bytes);
	end = align_up(end + lo.x_bytes, cfg->bus_bytes);
	end = align_up(end + lo.y_bytes, cfg->bus_bytes);
	if (end > 0xffffffffull) {
		snprintf(err, errlen, "layer %ux%u, N=%u does not fit a 32-bit device address space",
			 l->m, l->k, l->n);
		return -1;
	}
	a.w = TERN_ARENA_BASE;
	a.x = (uint32_t)align_up(a.w + lo.w_bytes, cfg->bus_bytes);
	a.y = (uint32_t)align_up(a.x + lo.x_bytes, cfg->bus_bytes);
	if (tern_compile(cfg, l, &lo, &a, &p, err, errlen))
		return -1;
	rc = tern_fast_time(cfg, p.insns, p.count, dram, cnt);
	tern_program_free(&p);
	if (rc)
		snprintf(err, errlen, "fast model could not time the %ux%u, N=%u program%s", l->m,
			 l->k, l->n, rc == TERN_FAST_STUCK ? ": the modelled machine made no progress" : "");
	return rc;
}

int tern_fast_layer(const struct tern_hw_config *cfg, const struct tern_layer *l,
		    const struct tern_fast_dram *dram, double zero_fraction,
		    uint64_t counters[TERN_CNT_COUNT], char *err, size_t errlen)
{
	struct cache_key key;
	struct cache_ent *e;
	int rc = 0;

	memset(&key, 0, sizeof(key)); /* padding too: the key is hashed bytewise */
	key.cfg = *cfg;
	key.l = *l;
	key.d = *dram;
	pthread_mutex_lock(&cache_lock);
	e = cache_find(&key);
	if (e && e->used) {
		memcpy(counters, e->cnt, TERN_CNT_COUNT * sizeof(counters[0]));
		cache_hits++;
	} else {
		cache_misses++;
		rc = time_layer(cfg, l, dram, counters, err, errlen);
		if (!rc)
			cache_put(&key, counters);
	}
	pthread_mutex_unlock(&cache_lock);
	if (rc)
		return -1;
	if (zero_fraction < 0)
		zero_fraction = 0;
	if (zero_fraction > 1)
		zero_fraction = 1;
	counters[TERN_CNT_MACS_ZERO] = (uint64_t)(counters[TERN_CNT_MACS] * zero_fraction + 0.5);
	return 0;
}

void tern_fast_cache_stats(uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&cache_lock);
	*hits = cache_hits;
	*misses = cache_misses;
	pthread_mutex_unlock(&cache_lock);
}

void tern_fast_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	free(cache);
	cache = NULL;
	cache_cap = cache_n = 0;
	cache_hits = cache_misses = 0;
	pthread_mutex_unlock(&cache_lock);
}
