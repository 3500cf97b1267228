/*
 * Energy model (see tern_energy.h and docs/energy.md): the technology table parser,
 * the derivation of energies per event from primitive operation energies, and the
 * pricing of a counter vector on the ternary array and on the INT8 baseline.
 * The parser is strict because a silently defaulted number would make every report
 * wrong without a trace: every key must appear exactly once and cite a source.
 */
#include <limits.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tern_driver.h" /* tern_home_dir: where the tables are installed */
#include "tern_energy.h"

struct tech_key {
	const char *name;
	size_t off;
};

#define K(f) { #f, offsetof(struct tern_tech, f) }
static const struct tech_key tech_keys[] = {
	K(add8_pj), K(add32_pj), K(mult8_pj), K(mult32_pj), K(fadd16_pj), K(fmult16_pj),
	K(fadd32_pj), K(fmult32_pj), K(sram_8kb_pj), K(sram_32kb_pj), K(sram_1mb_pj),
	K(sram_bank_bits), K(dram_pj_64b), K(gate_residual), K(toggle_activity),
};
#undef K
#define NKEYS (sizeof(tech_keys) / sizeof(tech_keys[0]))

static int tech_err(char *err, size_t errlen, const char *path, int line, const char *msg,
		    const char *arg)
{
	if (line)
		snprintf(err, errlen, "%s:%d: %s%s", path, line, msg, arg ? arg : "");
	else
		snprintf(err, errlen, "%s: %s%s", path, msg, arg ? arg : "");
	return -1;
}

/* Split "key value # source" in place; 1 for a value line, 0 blank/comment, -1 bad. */
static int split_line(char *s, char **key, char **val, int *cited)
{
	char *hash = strchr(s, '#'), *end;

	*cited = 0;
	if (hash) {
		*hash = '\0';
		*cited = strspn(hash + 1, " \t\r\n") != strlen(hash + 1);
	}
	*key = strtok_r(s, " \t\r\n", &end);
	if (!*key)
		return 0;
	*val = strtok_r(NULL, " \t\r\n", &end);
	if (!*val || strtok_r(NULL, " \t\r\n", &end))
		return -1;
	return 1;
}

static int set_key(struct tern_tech *t, const char *key, const char *val, unsigned *seen,
		   const char *path, int line, char *err, size_t errlen)
{
	unsigned i;
	char *end;
	double v;

	if (!strcmp(key, "node")) {
		if (*seen & (1u << NKEYS))
			return tech_err(err, errlen, path, line, "repeated key ", key);
		*seen |= 1u << NKEYS;
		snprintf(t->node, sizeof(t->node), "%s", val);
		return 0;
	}
	for (i = 0; i < NKEYS; i++)
		if (!strcmp(key, tech_keys[i].name))
			break;
	if (i == NKEYS)
		return tech_err(err, errlen, path, line, "unknown key ", key);
	if (*seen & (1u << i))
		return tech_err(err, errlen, path, line, "repeated key ", key);
	errno = 0;
	v = strtod(val, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return tech_err(err, errlen, path, line, "value must be a non-negative number, got ", val);
	*(double *)((char *)t + tech_keys[i].off) = v;
	*seen |= 1u << i;
	return 0;
}

static int check_tech(const struct tern_tech *t, unsigned seen, char *err, size_t errlen)
{
	unsigned i;

	if (!(seen & (1u << NKEYS)))
		return tech_err(err, errlen, t->path, 0, "missing key ", "node");
	for (i = 0; i < NKEYS; i++)
		if (!(seen & (1u << i)))
			return tech_err(err, errlen, t->path, 0, "missing key ", tech_keys[i].name);
	if (!(t->sram_8kb_pj > 0 && t->sram_8kb_pj < t->sram_32kb_pj && t->sram_32kb_pj < t->sram_1mb_pj))
		return tech_err(err, errlen, t->path, 0, "SRAM energies must grow with capacity", NULL);
	if (!(t->add8_pj > 0 && t->add8_pj < t->add32_pj))
		return tech_err(err, errlen, t->path, 0, "need 0 < add8_pj < add32_pj", NULL);
	if (t->sram_bank_bits < 1 || t->gate_residual > 1)
		return tech_err(err, errlen, t->path, 0, "need sram_bank_bits >= 1 and gate_residual <= 1", NULL);
	if (!(t->toggle_activity > 0 && t->toggle_activity <= 1))
		return tech_err(err, errlen, t->path, 0, "need 0 < toggle_activity <= 1", NULL);
	return 0;
}

int tern_tech_load(const char *path, struct tern_tech *t, char *err, size_t errlen)
{
	char buf[4096], *key, *val;
	unsigned seen = 0;
	int line = 0, rc = 0, cited, kind;
	FILE *f = fopen(path, "r");

	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	if (!f) {
		snprintf(err, errlen, "cannot open technology table '%s': %s", path, strerror(errno));
		return -1;
	}
	while (!rc && fgets(buf, sizeof(buf), f)) {
		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			rc = tech_err(err, errlen, path, line, "line too long", NULL);
			break;
		}
		kind = split_line(buf, &key, &val, &cited);
		if (kind < 0)
			rc = tech_err(err, errlen, path, line, "expected 'key value # source'", NULL);
		else if (kind > 0 && !cited)
			rc = tech_err(err, errlen, path, line, "no source cited after '#' for ", key);
		else if (kind > 0)
			rc = set_key(t, key, val, &seen, path, line, err, errlen);
	}
	fclose(f);
	/* Reports show the table's file: make it readable rather than exe-relative. */
	if (!rc && realpath(path, buf) && strlen(buf) < sizeof(t->path))
		memcpy(t->path, buf, strlen(buf) + 1);
	return rc ? rc : check_tech(t, seen, err, errlen);
}

static int try_path(char *path, size_t pathlen, const char *dir, const char *name)
{
	snprintf(path, pathlen, "%s/%s.tech", dir, name);
	return access(path, R_OK) == 0;
}

int tern_tech_find(const char *name, char *path, size_t pathlen, char *err, size_t errlen)
{
	const char *env = getenv("TERN_TECH_DIR");
	size_t n = strlen(name);
	char home[PATH_MAX], dir[PATH_MAX + 16];

	if (strchr(name, '/') || (n > 5 && !strcmp(name + n - 5, ".tech"))) {
		snprintf(path, pathlen, "%s", name);
		return 0;
	}
	if (!n || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-.") != n) {
		snprintf(err, errlen, "bad technology name '%s'", name);
		return -1;
	}
	if (env && *env && try_path(path, pathlen, env, name))
		return 0;
	/* the data directory: the source tree's perf/tech or an installed share/tern/tech */
	if (!tern_home_dir(NULL, home, sizeof(home)) &&
	    !tern_home_sub(home, "tech", dir, sizeof(dir)) && try_path(path, pathlen, dir, name))
		return 0;
	if (try_path(path, pathlen, "perf/tech", name))
		return 0;
	snprintf(err, errlen, "no technology table '%s.tech' (looked in $TERN_TECH_DIR, the tern data directory and perf/tech/)",
		 name);
	return -1;
}

/* ---- energies per event ---- */

double tern_add_pj(const struct tern_tech *t, double bits)
{
	double slope = (t->add32_pj - t->add8_pj) / 24.0;
	double e = t->add8_pj + slope * (bits - 8.0);

	return e > 0 ? e : 0;
}

/*
 * Horowitz gives three (capacity, energy) points; energy grows as a power of capacity
 * (wire length ~ sqrt(area)), so interpolate linearly in log(energy) vs log(capacity)
 * and extend the end segments beyond the points.
 */
double tern_sram_pj_per_bit(const struct tern_tech *t, double bytes)
{
	const double c[3] = { 8192.0, 32768.0, 1048576.0 };
	const double e[3] = { t->sram_8kb_pj, t->sram_32kb_pj, t->sram_1mb_pj };
	int s = bytes > c[1] ? 1 : 0;
	double alpha, e64;

	if (bytes < 1)
		bytes = 1;
	alpha = log(e[s + 1] / e[s]) / log(c[s + 1] / c[s]);
	e64 = e[s] * pow(bytes / c[s], alpha);
	return e64 / 64.0;
}

/*
 * The adders rtl/tern_pe_array.sv instantiates (one rtl/tern_pe_row.sv per row; docs/energy.md,
 * "Adders of the array"):
 * a row's tree pairs up the values left at level j-1 with adders of 8 + j bits, an odd
 * value passing up (LANES - 1 adders in all; negation rides on the carry-in, so the
 * leaves stay 8 bits), and each row has one 32-bit accumulator adder.
 */
uint64_t tern_tree_adder_bits(uint32_t lanes)
{
	uint64_t n = lanes, bits = 0;
	unsigned j;

	for (j = 1; n > 1; j++) {
		bits += (n / 2) * (8 + j);
		n = (n + 1) / 2;
	}
	return bits;
}

uint64_t tern_array_adder_bits(uint32_t rows, uint32_t lanes)
{
	return (uint64_t)rows * (tern_tree_adder_bits(lanes) + TERN_ACC_ADDER_BITS);
}

/* One lane's share of its row's tree: what an issued MAC costs on average. */
double tern_tree_bits(uint32_t lanes)
{
	return lanes ? (double)tern_tree_adder_bits(lanes) / lanes : 0.0;
}

/* SRAM per bit of a buffer: an entry of W bits is W / bank_bits banks read side by
 * side, each bank holding `depth` words of bank_bits. */
static double buf_bit_pj(const struct tern_tech *t, uint32_t depth)
{
	return tern_sram_pj_per_bit(t, (double)depth * t->sram_bank_bits / 8.0);
}

void tern_event_energies(const struct tern_tech *t, const struct tern_hw_config *c,
			 struct tern_event_pj *e)
{
	e->tree_bits = tern_tree_bits(c->lanes);
	/* LANES = 1 has no tree: the row's accumulator adder is the only one */
	e->mac_nz = e->tree_bits > 0 ? tern_add_pj(t, e->tree_bits) : 0.0;
	e->mac_zero = t->gate_residual * e->mac_nz;
	e->row_acc = t->add32_pj;
	e->int8_mac = t->mult8_pj + t->add32_pj;
	e->fp16_mac = t->fmult16_pj + t->fadd16_pj;
	e->fp32_mac = t->fmult32_pj + t->fadd32_pj;
	e->wbuf_bit = buf_bit_pj(t, c->wbuf_depth);
	e->abuf_bit = buf_bit_pj(t, c->abuf_depth);
	e->acc_bit = buf_bit_pj(t, c->acc_depth);
	e->dram_byte = t->dram_pj_64b / 8.0;
	e->flop = (t->fadd32_pj + t->fmult32_pj) / 2.0;
}

/* ---- pricing a run ---- */

/* DRAM bytes a WBUF entry occupies: the definition's stride pad(E), padding included. */
uint64_t tern_wbuf_entry_bytes(const struct tern_hw_config *c, unsigned wfmt)
{
	return tern_entry_stride(tern_entry_used(c->rows, c->lanes, 0, wfmt), c->bus_bytes);
}

static double d(const struct tern_events *ev, enum tern_counter i)
{
	return (double)ev->cnt[i];
}

/* SRAM bits moved, with weight entries of w_bits each. */
static double sram_pj(const struct tern_event_pj *e, const struct tern_events *ev, double w_bits)
{
	double a_bits = 8.0 * ev->cfg.lanes, acc_bits = 32.0 * ev->cfg.rows;

	return (d(ev, TERN_CNT_WBUF_RD) + d(ev, TERN_CNT_WBUF_WR)) * w_bits * e->wbuf_bit +
	       (d(ev, TERN_CNT_ABUF_RD) + d(ev, TERN_CNT_ABUF_WR)) * a_bits * e->abuf_bit +
	       (d(ev, TERN_CNT_ACC_RD) + d(ev, TERN_CNT_ACC_WR)) * acc_bits * e->acc_bit;
}

static void finish(struct tern_energy *o)
{
	o->total = o->compute + o->sram + o->dram + o->host;
}

void tern_energy_ternary(const struct tern_tech *t, const struct tern_events *ev,
			 struct tern_energy *o)
{
	struct tern_event_pj e;
	double macs = d(ev, TERN_CNT_MACS), zero = d(ev, TERN_CNT_MACS_ZERO);

	tern_event_energies(t, &ev->cfg, &e);
	if (zero > macs)
		zero = macs;
	o->compute = (macs - zero) * e.mac_nz + zero * e.mac_zero +
		     macs / ev->cfg.lanes * e.row_acc;
	o->sram = sram_pj(&e, ev, 2.0 * ev->cfg.rows * ev->cfg.lanes);
	o->dram = (d(ev, TERN_CNT_DRAM_RD_BYTES) + d(ev, TERN_CNT_DRAM_WR_BYTES) +
		   d(ev, TERN_CNT_FETCH_BYTES)) * e.dram_byte;
	o->host = ev->host_flops * e.flop;
	finish(o);
}

/* Bits per weight and per activation of each baseline, in SRAM and DRAM. */
static const unsigned base_bits[TERN_BASE_COUNT] = { 8, 16, 32 };

const char *tern_baseline_name(enum tern_baseline b)
{
	static const char *const n[TERN_BASE_COUNT] = { "int8", "fp16", "fp32" };

	return b < TERN_BASE_COUNT ? n[b] : "?";
}

double tern_baseline_dram_bytes(const struct tern_events *ev, enum tern_baseline b)
{
	double bytes = base_bits[b] / 8.0;
	double w_tern = d(ev, TERN_CNT_WBUF_WR) * (double)tern_wbuf_entry_bytes(&ev->cfg, ev->wfmt);
	double w_base = d(ev, TERN_CNT_WBUF_WR) * ev->cfg.rows * ev->cfg.lanes * bytes;
	/* int8 activations as counted; wider formats move (bytes - 1) more per element */
	double a_more = d(ev, TERN_CNT_ABUF_WR) * ev->cfg.lanes * (bytes - 1.0);
	double rd = d(ev, TERN_CNT_DRAM_RD_BYTES);

	/* Beat rounding can make the counted bytes smaller than the entry sum. */
	if (w_tern > rd)
		w_tern = rd;
	return rd - w_tern + w_base + a_more + d(ev, TERN_CNT_DRAM_WR_BYTES) +
	       d(ev, TERN_CNT_FETCH_BYTES);
}

double tern_int8_dram_bytes(const struct tern_events *ev)
{
	return tern_baseline_dram_bytes(ev, TERN_BASE_INT8);
}

void tern_energy_baseline(const struct tern_tech *t, const struct tern_events *ev,
			  enum tern_baseline b, struct tern_energy *o)
{
	struct tern_event_pj e;
	double bits = base_bits[b], a_bits = bits * ev->cfg.lanes, acc_bits = 32.0 * ev->cfg.rows;

	tern_event_energies(t, &ev->cfg, &e);
	o->compute = d(ev, TERN_CNT_MACS) *
		     (b == TERN_BASE_INT8 ? e.int8_mac : b == TERN_BASE_FP16 ? e.fp16_mac : e.fp32_mac);
	/* accumulators stay 32 bits wide (int32, or an fp32 partial sum) in every baseline */
	o->sram = (d(ev, TERN_CNT_WBUF_RD) + d(ev, TERN_CNT_WBUF_WR)) * bits * ev->cfg.rows *
			  ev->cfg.lanes * e.wbuf_bit +
		  (d(ev, TERN_CNT_ABUF_RD) + d(ev, TERN_CNT_ABUF_WR)) * a_bits * e.abuf_bit +
		  (d(ev, TERN_CNT_ACC_RD) + d(ev, TERN_CNT_ACC_WR)) * acc_bits * e.acc_bit;
	o->dram = tern_baseline_dram_bytes(ev, b) * e.dram_byte;
	o->host = ev->host_flops * e.flop;
	finish(o);
}

void tern_energy_int8(const struct tern_tech *t, const struct tern_events *ev,
		      struct tern_energy *o)
{
	tern_energy_baseline(t, ev, TERN_BASE_INT8, o);
}

void tern_arith_paper(const struct tern_tech *t, double weights, struct tern_arith_energy *o)
{
	o->ternary = weights * t->add8_pj;
	o->int8 = weights * (t->mult8_pj + t->add8_pj);
	o->fp16 = weights * (t->fmult16_pj + t->fadd16_pj);
	o->fp32 = weights * (t->fmult32_pj + t->fadd32_pj);
}

/* ---- activity-based energy ---- */

const char *tern_toggle_name(enum tern_toggle g)
{
	static const char *const n[TERN_TOG_COUNT] = {
		"tree_l0", "tree_l1", "tree_l2", "tree_l3", "tree_l4", "tree_l5", "tree_l6",
		"tree_l7", "tree_l8", "acc_reg", "wbuf_rd", "wbuf_wr", "abuf_rd", "abuf_wr",
		"acc_rd", "acc_wr", "mem_rd", "mem_wr",
	};

	return g < TERN_TOG_COUNT ? n[g] : "?";
}

/*
 * One bit-toggle costs the event model's energy per bit divided by the activity the
 * table's per-op figures assume (toggle_activity, 0.5 for random operands): on random
 * data the two estimates then agree by construction, and what the RTL really switches
 * (zero gating, correlated activations, slowly changing accumulator high bits) shows up
 * as the difference. An adder of w bits costs tern_add_pj(w) per operation, so
 * tern_add_pj(w) / w per output bit.
 */
void tern_energy_activity(const struct tern_tech *t, const struct tern_hw_config *c,
			  const uint64_t tog[TERN_TOG_COUNT], struct tern_energy *o)
{
	struct tern_event_pj e;
	double a = t->toggle_activity, tree = 0;
	unsigned j;

	tern_event_energies(t, c, &e);
	tree = (double)tog[TERN_TOG_TREE_L0] * t->gate_residual * tern_add_pj(t, 8) / 8.0;
	for (j = 1; j <= 8; j++)
		tree += (double)tog[TERN_TOG_TREE_L0 + j] * tern_add_pj(t, 8 + j) / (8.0 + j);
	o->compute = (tree + (double)tog[TERN_TOG_ACC_REG] * t->add32_pj / 32.0) / a;
	o->sram = ((double)(tog[TERN_TOG_WBUF_RD] + tog[TERN_TOG_WBUF_WR]) * e.wbuf_bit +
		   (double)(tog[TERN_TOG_ABUF_RD] + tog[TERN_TOG_ABUF_WR]) * e.abuf_bit +
		   (double)(tog[TERN_TOG_ACC_RD] + tog[TERN_TOG_ACC_WR]) * e.acc_bit) / a;
	o->dram = (double)(tog[TERN_TOG_MEM_RD] + tog[TERN_TOG_MEM_WR]) * e.dram_byte / 8.0 / a;
	o->host = 0;
	finish(o);
}
