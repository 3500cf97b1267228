/*
 * Energy model and report tests: the pricing of a tiny event vector against numbers
 * worked out by hand in the comments (table with round values, 4x4 array, buffer
 * depths that land exactly on the Horowitz SRAM points), the interpolation rules,
 * the table parser's errors (each must name the file and, for a bad line, its line
 * number), the shipped 45 nm and 7 nm tables, the ternary/INT8 compute ratio the
 * table implies, and report accumulation and evaluation (parts add up to totals).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tern_board.h"
#include "tern_driver.h"
#include "tern_energy.h"
#include "tern_report.h"

#define EPS 1e-9

static const char good_table[] =
	"# test table\n"
	"node 45nm # test\n"
	"add8_pj 0.03 # H\n add32_pj 0.1 # H\nmult8_pj 0.2 # H\nmult32_pj 3.1 # H\n"
	"fadd16_pj 0.4 # H\nfmult16_pj 1.1 # H\nfadd32_pj 0.9 # H\nfmult32_pj 3.7 # H\n"
	"toggle_activity 0.5 # assumption\n"
	"sram_8kb_pj 10 # H\nsram_32kb_pj 20 # H\nsram_1mb_pj 100 # H\n"
	"sram_bank_bits 64 # H\ndram_pj_64b 1300 # H\ngate_residual 0.1 # est\n";

static char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/tern_test_tech.%ld.tech", (long)getpid());
	f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void load_text(const char *text, struct tern_tech *t, int want_rc, char *err, size_t n)
{
	char *p = write_tmp(text);
	int rc = tern_tech_load(p, t, err, n);

	unlink(p);
	cr_assert_eq(rc, want_rc, "rc %d, err '%s'", rc, err);
}

/* 4x4 array; depth 1024 x 64-bit bank = 8 KB, 4096 x 64-bit = 32 KB: exact points. */
static const struct tern_hw_config cfg4 = {
	.rows = 4, .lanes = 4, .wbuf_depth = 1024, .abuf_depth = 4096, .acc_depth = 1024,
	.bus_bytes = 16, .queue_depth = 8,
};

static void tiny_events(uint64_t *cnt, struct tern_events *ev)
{
	memset(cnt, 0, TERN_CNT_COUNT * sizeof(*cnt));
	cnt[TERN_CNT_MACS] = 1000;
	cnt[TERN_CNT_MACS_ZERO] = 300;
	cnt[TERN_CNT_WBUF_RD] = 10;
	cnt[TERN_CNT_WBUF_WR] = 5;
	cnt[TERN_CNT_ABUF_RD] = 10;
	cnt[TERN_CNT_ABUF_WR] = 6;
	cnt[TERN_CNT_ACC_RD] = 2;
	cnt[TERN_CNT_ACC_WR] = 3;
	cnt[TERN_CNT_DRAM_RD_BYTES] = 100;
	cnt[TERN_CNT_DRAM_WR_BYTES] = 50;
	cnt[TERN_CNT_FETCH_BYTES] = 32;
	ev->cnt = cnt;
	ev->cfg = cfg4;
	ev->wfmt = 0;
	ev->host_flops = 10;
}

Test(energy, tiny_vector_ternary_by_hand)
{
	struct tern_tech t;
	struct tern_events ev;
	struct tern_energy e;
	uint64_t cnt[TERN_CNT_COUNT];
	char err[300];

	load_text(good_table, &t, 0, err, sizeof(err));
	tiny_events(cnt, &ev);
	tern_energy_ternary(&t, &ev, &e);
	/* tree of 4: 2 x 9-bit + 1 x 10-bit = 28 bits / 4 lanes = 7 bits;
	 * E(7) = 0.03 + (0.1 - 0.03) / 24 * (7 - 8) = 0.0270833..;
	 * 700 x E(7) + 300 x 0.1 E(7) + 1000 / 4 row steps x 0.1 */
	double e7 = 0.03 - 0.07 / 24;
	cr_assert_float_eq(e.compute, 700 * e7 + 300 * 0.1 * e7 + 250 * 0.1, EPS);
	cr_assert_float_eq(e.compute, 44.77083333333, 1e-8);
	/* WBUF 15 entries x 32 bits x 10/64; ABUF 16 x 32 bits x 20/64; ACC 5 x 128 x 10/64 */
	cr_assert_float_eq(e.sram, 75.0 + 160.0 + 100.0, EPS);
	/* (100 + 50 + 32) bytes x 1300/8 pJ */
	cr_assert_float_eq(e.dram, 182 * 162.5, EPS);
	/* 10 FLOPs x (0.9 + 3.7) / 2 */
	cr_assert_float_eq(e.host, 23.0, EPS);
	cr_assert_float_eq(e.total, 44.77083333333 + 335 + 29575 + 23, 1e-8);
}

Test(energy, tiny_vector_int8_by_hand)
{
	struct tern_tech t;
	struct tern_events ev;
	struct tern_energy e;
	uint64_t cnt[TERN_CNT_COUNT];
	char err[300];

	load_text(good_table, &t, 0, err, sizeof(err));
	tiny_events(cnt, &ev);
	tern_energy_int8(&t, &ev, &e);
	cr_assert_float_eq(e.compute, 1000 * (0.2 + 0.1), EPS);
	/* WBUF entries of 16 int8 = 128 bits: 15 x 128 x 10/64 = 300 */
	cr_assert_float_eq(e.sram, 300.0 + 160.0 + 100.0, EPS);
	/* weight bytes 5 x 4 (2-bit) become 5 x 16: 100 - 20 + 80 + 50 + 32 = 242 */
	cr_assert_float_eq(tern_int8_dram_bytes(&ev), 242.0, EPS);
	cr_assert_float_eq(e.dram, 242 * 162.5, EPS);
	cr_assert_float_eq(e.host, 23.0, EPS);
	/* base-3 weights: 16 codes in ceil(16/5) = 4 bytes per entry, same here */
	ev.wfmt = 1;
	cr_assert_float_eq(tern_int8_dram_bytes(&ev), 242.0, EPS);
}

Test(energy, interpolation_rules)
{
	struct tern_tech t;
	char err[300];

	load_text(good_table, &t, 0, err, sizeof(err));
	cr_assert_float_eq(tern_add_pj(&t, 8), 0.03, EPS);
	cr_assert_float_eq(tern_add_pj(&t, 32), 0.1, EPS);
	cr_assert_float_eq(tern_add_pj(&t, 20), 0.065, EPS);
	cr_assert_float_eq(tern_sram_pj_per_bit(&t, 8192), 10.0 / 64, EPS);
	cr_assert_float_eq(tern_sram_pj_per_bit(&t, 32768), 20.0 / 64, EPS);
	cr_assert_float_eq(tern_sram_pj_per_bit(&t, 1048576), 100.0 / 64, EPS);
	/* log-log: 8 -> 32 KB doubles energy, so exponent 1/2 below 32 KB */
	cr_assert_float_eq(tern_sram_pj_per_bit(&t, 16384), 10.0 * sqrt(2.0) / 64, EPS);
	cr_assert_float_eq(tern_sram_pj_per_bit(&t, 2048), 5.0 / 64, EPS);
	/* 32 KB -> 1 MB: 5x over 32x */
	cr_assert_float_eq(tern_sram_pj_per_bit(&t, 65536), 20.0 * pow(2, log(5) / log(32)) / 64, EPS);
	cr_assert_float_eq(tern_tree_bits(32), 305.0 / 32, EPS);
	cr_assert_float_eq(tern_tree_bits(4), 7.0, EPS);
	cr_assert_float_eq(tern_tree_bits(5), (2 * 9 + 1 * 10 + 1 * 11) / 5.0, EPS);
	cr_assert_float_eq(tern_tree_bits(1), 0.0, EPS);
	/* what rtl/tern_pe_array.sv builds: 16x9 + 8x10 + 4x11 + 2x12 + 1x13 per row + 32 */
	cr_assert_eq(tern_array_adder_bits(32, 32), 32u * (305 + 32));
	cr_assert_eq(tern_array_adder_bits(5, 6), 5u * (3 * 9 + 10 + 11 + 32));
}

Test(energy, compute_ratio_matches_table)
{
	static const struct tern_hw_config c32 = {
		.rows = 32, .lanes = 32, .wbuf_depth = 512, .abuf_depth = 8192, .acc_depth = 512,
		.bus_bytes = 32, .queue_depth = 16,
	};
	const char *tables[] = { "perf/tech/45nm.tech", "perf/tech/7nm.tech" };
	uint64_t cnt[TERN_CNT_COUNT] = { 0 };
	struct tern_events ev = { .cnt = cnt, .cfg = c32 };
	struct tern_energy te, be;
	struct tern_tech t;
	char err[300];

	cnt[TERN_CNT_MACS] = 1024 * 3000;
	cnt[TERN_CNT_MACS_ZERO] = 1024 * 1000;
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(tern_tech_load(tables[i], &t, err, sizeof(err)), 0, "%s", err);
		tern_energy_ternary(&t, &ev, &te);
		tern_energy_int8(&t, &ev, &be);
		/* per issued MAC: 2/3 x E(9.53125) + 1/3 x residual x E + add32 / 32 */
		double e = t.add8_pj + (t.add32_pj - t.add8_pj) / 24 * (305.0 / 32 - 8);
		double tern = 2.0 / 3 * e + 1.0 / 3 * t.gate_residual * e + t.add32_pj / 32;
		double int8 = t.mult8_pj + t.add32_pj;

		cr_assert_float_eq(be.compute / te.compute, int8 / tern, 1e-9);
		cr_assert_gt(be.compute / te.compute, 10.0);
		cr_assert_lt(be.compute / te.compute, 12.0);
	}
}

Test(energy, shipped_tables_parse)
{
	struct tern_tech t;
	char err[300], path[512];

	cr_assert_eq(tern_tech_load("perf/tech/45nm.tech", &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(t.node, "45nm");
	cr_assert_float_eq(t.mult32_pj, 3.1, EPS);
	cr_assert_float_eq(t.dram_pj_64b, 1300, EPS);
	cr_assert_eq(tern_tech_load("perf/tech/7nm.tech", &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(t.node, "7nm");
	cr_assert_lt(t.add8_pj, 0.03);
	cr_assert_eq(tern_tech_find("7nm", path, sizeof(path), err, sizeof(err)), 0, "%s", err);
	cr_assert_neq(tern_tech_find("nosuch", path, sizeof(path), err, sizeof(err)), 0);
	cr_assert(strstr(err, "nosuch.tech"), "%s", err);
	cr_assert_neq(tern_tech_find("", path, sizeof(path), err, sizeof(err)), 0);
}

static void expect_err(const char *text, const char *want)
{
	struct tern_tech t;
	char err[300] = "";

	load_text(text, &t, -1, err, sizeof(err));
	cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
	cr_assert(strstr(err, "tern_test_tech"), "error '%s' does not name the file", err);
}

Test(energy, table_errors)
{
	struct tern_tech t;
	char err[300], buf[2048];

	cr_assert_eq(tern_tech_load("/nonexistent/x.tech", &t, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot open") && strstr(err, "/nonexistent/x.tech"), "%s", err);
	snprintf(buf, sizeof(buf), "%sadd8_pj 0.03 0.04 # x\n", good_table);
	expect_err(buf, ":18: expected 'key value # source'");
	snprintf(buf, sizeof(buf), "node 45nm # x\nadd8_pj 0.03\n");
	expect_err(buf, ":2: no source cited");
	snprintf(buf, sizeof(buf), "node 45nm # x\nadd8_pj 0.03 #   \n");
	expect_err(buf, ":2: no source cited");
	snprintf(buf, sizeof(buf), "%sbogus_pj 1 # x\n", good_table);
	expect_err(buf, ":18: unknown key bogus_pj");
	snprintf(buf, sizeof(buf), "%sadd8_pj 0.05 # x\n", good_table);
	expect_err(buf, ":18: repeated key add8_pj");
	snprintf(buf, sizeof(buf), "node 45nm # x\nadd8_pj -1 # x\n");
	expect_err(buf, ":2: value must be a non-negative number, got -1");
	snprintf(buf, sizeof(buf), "node 45nm # x\nadd8_pj 0.03pJ # x\n");
	expect_err(buf, "got 0.03pJ");
	/* drop the dram line: a missing key, named */
	snprintf(buf, sizeof(buf), "%s", good_table);
	*strstr(buf, "dram_pj_64b") = '#';
	expect_err(buf, "missing key dram_pj_64b");
	expect_err("add8_pj 0.03 # x\n", "missing key node");
}

Test(energy, boards_and_conversion)
{
	const struct tern_board *b = tern_board_find("kv260");

	cr_assert(b);
	cr_assert_float_eq(b->dram_gbps, 19.2, EPS);
	cr_assert_float_eq(tern_gbps_to_bpc(19.2, 200), 96.0, EPS);
	cr_assert_float_eq(tern_bpc_to_gbps(96.0, 200), 19.2, EPS);
	cr_assert(tern_board_find("pynq-z2") && tern_board_find("arty-a7") &&
		  tern_board_find("icebreaker"));
	cr_assert_null(tern_board_find("zcu104"));
}

static void status_with(struct tern_status *st, uint64_t macs, uint64_t dram, uint64_t cycles)
{
	memset(st, 0, sizeof(*st));
	st->counters[TERN_CNT_MACS] = macs;
	st->counters[TERN_CNT_MACS_ZERO] = macs / 3;
	st->counters[TERN_CNT_DRAM_RD_BYTES] = dram;
	st->counters[TERN_CNT_WBUF_RD] = macs / 16;
	st->counters[TERN_CNT_ABUF_RD] = macs / 16;
	st->counters[TERN_CNT_CYCLES] = cycles;
	st->has_cycles = cycles != 0;
}

Test(report, accumulate_and_evaluate)
{
	struct tern_report r;
	struct tern_report_eval ev;
	struct tern_layer_eval le;
	struct tern_status st;
	char err[300];

	tern_report_init(&r);
	r.cfg = cfg4;
	r.clock_mhz = 100;
	r.dram_gbps = 0.8; /* 8 bytes per cycle */
	cr_assert_eq(tern_tech_load("perf/tech/45nm.tech", &r.tech, err, sizeof(err)), 0);
	status_with(&st, 1600, 8000, 0); /* bound: max(1600/16, 8000/8) = 1000 */
	cr_assert_eq(tern_report_add(&r, TERN_PHASE_PREFILL, "q", 4, 4, 5, 0, st.counters, st.has_cycles, err,
				     sizeof(err)), 0);
	status_with(&st, 160, 40, 50);   /* measured, two decode calls of one layer */
	cr_assert_eq(tern_report_add(&r, TERN_PHASE_DECODE, "q", 4, 4, 1, 0, st.counters, st.has_cycles, err,
				     sizeof(err)), 0);
	cr_assert_eq(tern_report_add(&r, TERN_PHASE_DECODE, "q", 4, 4, 1, 0, st.counters, st.has_cycles, err,
				     sizeof(err)), 0);
	cr_assert_eq(tern_report_add(&r, TERN_PHASE_DECODE, "q", 8, 4, 1, 0, st.counters, st.has_cycles, err,
				     sizeof(err)), -1);
	cr_assert_eq(r.nlayers, 2);
	cr_assert_eq(r.layers[1].calls, 2);
	tern_report_eval_layer(&r, &r.layers[0], &le);
	cr_assert_eq(le.cycles, 1000);
	cr_assert_str_eq(le.cycles_source, "bound");
	cr_assert_float_eq(le.utilization, 0.1, EPS);
	tern_report_eval_layer(&r, &r.layers[1], &le);
	cr_assert_eq(le.cycles, 100);
	cr_assert_str_eq(le.cycles_source, "rtl");
	r.phase[TERN_PHASE_PREFILL].tokens = 5;
	r.phase[TERN_PHASE_DECODE].tokens = 2;
	r.phase[TERN_PHASE_DECODE].host_flops = 1000;
	tern_report_eval(&r, &ev);
	cr_assert_eq(ev.total.cycles, 1100);
	cr_assert_float_eq(ev.ph[TERN_PHASE_DECODE].seconds, 1e-6, EPS);
	cr_assert_float_eq(ev.ph[TERN_PHASE_DECODE].tokens_per_s, 2e6, 1e-3);
	cr_assert_float_eq(ev.ph[TERN_PHASE_DECODE].e.host, 2300.0, EPS);
	cr_assert_float_eq(ev.total.e.total,
			   ev.total.e.compute + ev.total.e.sram + ev.total.e.dram + ev.total.e.host, 1e-6);
	cr_assert_float_eq(ev.total.e.total,
			   ev.ph[0].e.total + ev.ph[1].e.total, 1e-6);
	cr_assert_float_eq(ev.total.joules_per_token, ev.total.e.total * 1e-12 / 7, 1e-18);
	cr_assert(ev.total.bound);
	tern_report_free(&r);
}
