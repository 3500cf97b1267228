/*
 * The BitNet papers' 7 nm headline reproduced through tern's API (issue 18, must-show
 * 1), the FP16/FP32 baselines of a report, and the pricing of RTL bit toggles.
 *
 * The ratio test walks the real 2B-4T BitLinear shapes from the zoo (q, k, v, o, gate,
 * up, down of every block: one use of every weight per token), prices them with the
 * paper's table (perf/tech/bitnet7nm.tech) through tern_arith_paper, and checks the
 * FP16 / ternary ratio against 71.4 within 1% and the INT8 ratio against
 * (0.07 + 0.007) / 0.007 written out here from the paper's numbers, not read back from
 * the table.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "tern_energy.h"
#include "tern_model.h"
#include "tern_report.h"

static void load(const char *path, struct tern_tech *t)
{
	char err[300];

	cr_assert_eq(tern_tech_load(path, t, err, sizeof(err)), 0, "%s", err);
}

Test(energy_paper, bitnet_2b4t_71x_at_7nm)
{
	struct tern_model *m = NULL;
	struct tern_arith_energy a;
	struct tern_tech t;
	double weights = 0;
	uint32_t l, w, mm, kk;
	char err[300];

	load("perf/tech/bitnet7nm.tech", &t);
	cr_assert_str_eq(t.node, "bitnet7nm");
	cr_assert_eq(tern_zoo_open("bitnet-b1.58-2b-4t", &m, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m->cfg.n_embd, 2560);
	for (l = 0; l < m->cfg.n_layer; l++)
		for (w = 0; w < TERN_LIN_COUNT; w++) {
			tern_lin_shape(&m->cfg, w, &mm, &kk);
			weights += (double)mm * kk;
		}
	/* d=2560, kv 640, ffn 6912: per block 2 x 2560^2 + 2 x 640 x 2560 + 3 x 6912 x 2560 */
	cr_assert_float_eq(weights, 30.0 * (2.0 * 2560 * 2560 + 2.0 * 640 * 2560 +
					     3.0 * 6912 * 2560), 0.5);
	cr_assert_gt(weights, 2.0e9); /* the brief's ~2.1 G MACs per token */
	cr_assert_lt(weights, 2.2e9);
	tern_model_free(m);

	tern_arith_paper(&t, weights, &a);
	/* the paper's numbers, typed here: FP16 mul 0.34 + add 0.16 vs INT8 add 0.007 */
	cr_assert_float_eq(a.ternary, weights * 0.007, 1e-6 * weights);
	cr_assert_float_eq(a.fp16 / a.ternary, 71.4, 0.714, "FP16/ternary %.3f", a.fp16 / a.ternary);
	cr_assert_float_eq(a.fp16 / a.ternary, (0.34 + 0.16) / 0.007, 1e-9);
	cr_assert_float_eq(a.int8 / a.ternary, (0.07 + 0.007) / 0.007, 1e-9);
	cr_assert_float_eq(a.int8 / a.ternary, 11.0, 0.11);
	cr_assert_float_eq(a.fp32 / a.ternary, (1.31 + 0.38) / 0.007, 1e-9);
}

/* tern's own accounting on the same table is not the paper's: the tree share of a
 * ternary MAC is a ~9.5-bit add (not 8), plus a 32-bit accumulate per row per step and
 * gated zeros. Its FP16 ratio is then computed here by hand and must match. */
Test(energy_paper, report_baselines_fp16_fp32)
{
	static const struct tern_hw_config c = {
		.rows = 32, .lanes = 32, .wbuf_depth = 512, .abuf_depth = 8192, .acc_depth = 512,
		.bus_bytes = 32, .queue_depth = 16,
	};
	uint64_t cnt[TERN_CNT_COUNT] = { 0 };
	struct tern_events ev = { .cnt = cnt, .cfg = c };
	struct tern_energy te, h, f, i8;
	struct tern_tech t;

	load("perf/tech/bitnet7nm.tech", &t);
	cnt[TERN_CNT_MACS] = 1024 * 3000;
	cnt[TERN_CNT_MACS_ZERO] = 1024 * 1000;
	cnt[TERN_CNT_WBUF_WR] = 10;
	cnt[TERN_CNT_ABUF_WR] = 20;
	cnt[TERN_CNT_DRAM_RD_BYTES] = 10 * 256 + 20 * 32;
	tern_energy_ternary(&t, &ev, &te);
	tern_energy_baseline(&t, &ev, TERN_BASE_FP16, &h);
	tern_energy_baseline(&t, &ev, TERN_BASE_FP32, &f);
	tern_energy_baseline(&t, &ev, TERN_BASE_INT8, &i8);
	double e = 0.007 + (0.023333 - 0.007) / 24 * (305.0 / 32 - 8);
	double tern = 2.0 / 3 * e + 1.0 / 3 * 0.1 * e + 0.023333 / 32;
	cr_assert_float_eq(h.compute / te.compute, 0.5 / tern, 1e-9);
	cr_assert_float_eq(f.compute / te.compute, 1.69 / tern, 1e-9);
	cr_assert_float_eq(i8.compute / te.compute, (0.07 + 0.023333) / tern, 1e-9);
	/* DRAM: 10 weight entries of 1024 weights at 1, 2, 4 bytes; activations 32 lanes x
	 * 20 entries at 1, 2, 4 bytes */
	cr_assert_float_eq(tern_baseline_dram_bytes(&ev, TERN_BASE_INT8), 10 * 1024 + 20 * 32, 1e-9);
	cr_assert_float_eq(tern_baseline_dram_bytes(&ev, TERN_BASE_FP16), 10 * 2048 + 20 * 64, 1e-9);
	cr_assert_float_eq(tern_baseline_dram_bytes(&ev, TERN_BASE_FP32), 10 * 4096 + 20 * 128, 1e-9);
	cr_assert_str_eq(tern_baseline_name(TERN_BASE_FP16), "fp16");
}

/* Toggle pricing: one toggle of each kind, against the formula of docs/energy.md. */
Test(energy_paper, activity_pricing_by_hand)
{
	static const struct tern_hw_config c = {
		.rows = 4, .lanes = 4, .wbuf_depth = 1024, .abuf_depth = 4096, .acc_depth = 1024,
		.bus_bytes = 16, .queue_depth = 8,
	};
	uint64_t tog[TERN_TOG_COUNT] = { 0 };
	struct tern_energy a;
	struct tern_tech t;

	load("perf/tech/45nm.tech", &t);
	tog[TERN_TOG_TREE_L0] = 8;  /* 8 leaf toggles: 8 x 0.1 x 0.03/8 / 0.5 */
	tog[1] = 9;                 /* 9 toggles of 9-bit adders: 9 x E(9)/9 / 0.5 */
	tog[2] = 10;
	tog[TERN_TOG_ACC_REG] = 32; /* 32 x 0.1/32 / 0.5 */
	tern_energy_activity(&t, &c, tog, &a);
	double e9 = 0.03 + 0.07 / 24, e10 = 0.03 + 2 * 0.07 / 24;
	cr_assert_float_eq(a.compute, (0.1 * 0.03 + e9 + e10 + 0.1) / 0.5, 1e-12);
	cr_assert_float_eq(a.sram, 0, 1e-12);
	memset(tog, 0, sizeof(tog));
	tog[TERN_TOG_WBUF_RD] = 64;   /* WBUF 1024 deep = 8 KB bank: 10 pJ / 64 per bit */
	tog[TERN_TOG_MEM_RD] = 8;     /* 8 bits = a byte: 162.5 pJ */
	tern_energy_activity(&t, &c, tog, &a);
	cr_assert_float_eq(a.sram, 10.0 / 0.5, 1e-9);
	cr_assert_float_eq(a.dram, 162.5 / 0.5, 1e-9);
	cr_assert_float_eq(a.total, a.compute + a.sram + a.dram, 1e-9);
	cr_assert_str_eq(tern_toggle_name(TERN_TOG_MEM_WR), "mem_wr");
}
