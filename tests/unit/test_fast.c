/*
 * Fast cycle model tests. Timing cases are small programs whose cycle counts follow
 * by hand from rtl/ and the harness (derivations in the comments, L = DRAM latency);
 * then the event counters against the reference model, the layer cache, the fast
 * backend against tern_fast_layer, and malformed programs (-1). The model's error
 * against the RTL itself is measured by tests/rtl/fast_vs_rtl.sh and make bench.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tern_driver.h"
#include "tern_fast.h"
#include "tern_fast_priv.h"
#include "tern_gemm.h"

static struct tern_hw_config preset(const char *name)
{
	struct tern_hw_config c;

	cr_assert_eq(tern_parse_array(name, &c, NULL, 0), 0);
	return c;
}

static struct tern_insn gemm(uint32_t k, uint32_t n)
{
	struct tern_insn i = { { 0, 0 } };

	tern_set_opcode(&i, TERN_OP_GEMM);
	tern_set_gemm_reset(&i, 1);
	tern_set_gemm_k_chunks(&i, k);
	tern_set_gemm_n_tokens(&i, n);
	tern_set_gemm_abuf_stride(&i, k);
	return i;
}

static struct tern_insn end(void)
{
	struct tern_insn i = { { 0, 0 } };

	tern_set_opcode(&i, TERN_OP_END);
	return i;
}

/*
 * GEMM + END on 32x32 (two instructions per 32-byte beat). Fetch requests the beat in
 * cycle 0, the arbiter's slot presents it to DRAM in cycle 1, so it arrives in cycle
 * L+1; the checker starts at L+2 and takes 6 cycles, the GEMM is dispatched at L+8 and
 * starts at L+9 (queue registered). It issues k*n steps in L+10 .. L+9+kn, drains two
 * cycles and is idle at L+12+kn; the scheduler needs two quiet cycles, so DONE is seen
 * in cycle L+13+kn and CYCLES = kn + L + 14 (when kn >= 3, so that END, checked by
 * L+15, is not the last thing).
 */
Test(fast, single_gemm_hand_timed)
{
	struct tern_hw_config c = preset("32x32");
	uint32_t k = 10, n = 7, lat = 40;
	struct tern_insn p[2] = { gemm(k, n), end() };
	struct tern_fast_dram d = { lat, 16 };
	uint64_t cnt[TERN_CNT_COUNT];

	cr_assert_eq(tern_fast_time(&c, p, 2, &d, cnt), 0);
	cr_expect_eq(cnt[TERN_CNT_CYCLES], (uint64_t)k * n + lat + 14);
	cr_expect_eq(cnt[TERN_CNT_GEMM_BUSY], (uint64_t)k * n);
	cr_expect_eq(cnt[TERN_CNT_MACS], (uint64_t)k * n * 32 * 32);
	cr_expect_eq(cnt[TERN_CNT_INSNS], 2);
	cr_expect_eq(cnt[TERN_CNT_ACC_WR], n);
	d.latency = 100;
	cr_assert_eq(tern_fast_time(&c, p, 2, &d, cnt), 0);
	cr_expect_eq(cnt[TERN_CNT_CYCLES], (uint64_t)k * n + 100 + 14);
}

/*
 * A DRAM-bound LOAD: 4 WBUF entries of 256 bytes (2-bit, 32x32) = 32 beats, one burst
 * from a 4 KiB-aligned address, at 8 B/cycle on a 32-byte bus: one beat per 4 cycles.
 * Dispatched at L+8 like the GEMM above, the load starts at L+9, requests in L+10, the
 * burst reaches DRAM at L+11 and its first beat is on R at 2L+11 (the credit refilled
 * long before); beat i at 2L+11+4i. The last entry is written 2 cycles after the last
 * beat, the unit is idle one cycle later, DONE two more: CYCLES = 2L+16+4*(beats-1).
 */
Test(fast, dram_bound_load_hand_timed)
{
	struct tern_hw_config c = preset("32x32");
	struct tern_insn p[2] = { { { 0, 0 } }, end() };
	struct tern_fast_dram d = { 40, 8 };
	uint64_t cnt[TERN_CNT_COUNT], beats = 32, last = 2 * 40 + 11 + 4 * (beats - 1);

	tern_set_opcode(&p[0], TERN_OP_LOAD);
	tern_set_load_x_size(&p[0], 4);
	tern_set_load_y_size(&p[0], 1);
	tern_set_load_dram_addr(&p[0], 8192);
	tern_set_load_dram_stride(&p[0], 1024);
	cr_assert_eq(tern_fast_time(&c, p, 2, &d, cnt), 0);
	cr_expect_eq(cnt[TERN_CNT_CYCLES], last + 5);
	cr_expect_eq(cnt[TERN_CNT_DRAM_RD_BYTES], beats * 32);
	cr_expect_eq(cnt[TERN_CNT_WBUF_WR], 4);
	cr_expect_eq(cnt[TERN_CNT_LOAD_BUSY], last + 3 - (40 + 10));
	/* Twice the bandwidth: one beat per 2 cycles. */
	d.bytes_per_cycle = 16;
	cr_assert_eq(tern_fast_time(&c, p, 2, &d, cnt), 0);
	cr_expect_eq(cnt[TERN_CNT_CYCLES], 2 * 40 + 11 + 2 * (beats - 1) + 5);
}

/* The counters the reference model also counts must be exactly its numbers. */
Test(fast, event_counters_equal_reference)
{
	const char *arrays[] = { "8x8", "16x16", "32x32" };
	struct tern_layer ls[] = { { 100, 72, 1, 1 }, { 96, 200, 33, 0 }, { 300, 40, 5, 1 } };

	for (unsigned a = 0; a < 3; a++) {
		for (unsigned i = 0; i < 3; i++) {
			struct tern_dev_opts o = { .backend = "ref", .quiet = 1 };
			struct tern_gemm_result r;
			struct tern_fast_dram d = { 40, 16 };
			uint64_t cnt[TERN_CNT_COUNT];
			uint32_t nw = ls[i].m * ls[i].k, nx = ls[i].n * ls[i].k;
			int8_t *w = calloc(nw, 1), *x = calloc(nx, 1);
			int32_t *y = calloc((size_t)ls[i].n * ls[i].m, 4);
			struct tern_dev *dev;
			char err[200];

			o.cfg = preset(arrays[a]);
			cr_assert_eq(tern_dev_open(&o, &dev, err, sizeof(err)), 0, "%s", err);
			cr_assert_eq(tern_gemm_run(dev, &ls[i], w, x, y, 0, &r, err, sizeof(err)), 0);
			cr_assert_eq(tern_fast_layer(&o.cfg, &ls[i], &d, 0, cnt, err, sizeof(err)), 0);
			for (unsigned k = 0; k < TERN_CNT_COUNT; k++)
				if (tern_counter_in_ref(k) && k != TERN_CNT_MACS_ZERO)
					cr_expect_eq(cnt[k], r.st.counters[k], "%s %s", arrays[a],
						     tern_counter_name(k));
			tern_dev_close(dev);
			free(w);
			free(x);
			free(y);
		}
	}
}

/* The fast backend times the very program tern_fast_layer compiles: same cycles. */
Test(fast, backend_matches_layer)
{
	struct tern_dev_opts o = { .backend = "fast", .quiet = 1, .dram_latency = 20,
				   .dram_bytes_per_cycle = 8 };
	struct tern_layer l = { 256, 512, 9, 0 };
	struct tern_fast_dram d = { 20, 8 };
	int8_t *w = calloc(256 * 512, 1), *x = calloc(9 * 512, 1);
	int32_t *y = calloc(9 * 256, 4);
	uint64_t cnt[TERN_CNT_COUNT];
	struct tern_gemm_result r;
	struct tern_dev *dev;
	char err[200];

	o.cfg = preset("16x16");
	cr_assert_eq(tern_dev_open(&o, &dev, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_gemm_run(dev, &l, w, x, y, 1, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect(r.golden_ok);
	cr_expect_eq(r.st.has_cycles, 1);
	cr_assert_eq(tern_fast_layer(&o.cfg, &l, &d, 0.5, cnt, err, sizeof(err)), 0);
	for (unsigned k = 0; k < TERN_CNT_COUNT; k++)
		if (!tern_counter_in_ref(k))
			cr_expect_eq(cnt[k], r.st.counters[k], "%s", tern_counter_name(k));
	cr_expect_eq(cnt[TERN_CNT_MACS_ZERO], cnt[TERN_CNT_MACS] / 2);
	tern_dev_close(dev);
	free(w);
	free(x);
	free(y);
}

Test(fast, layer_cache)
{
	struct tern_hw_config c = preset("32x32");
	struct tern_layer l = { 640, 2560, 1, 0 };
	struct tern_fast_dram d = { 40, 16 };
	uint64_t a[TERN_CNT_COUNT], b[TERN_CNT_COUNT], hits, misses;
	char err[200];

	tern_fast_cache_clear();
	cr_assert_eq(tern_fast_layer(&c, &l, &d, 0, a, err, sizeof(err)), 0);
	cr_assert_eq(tern_fast_layer(&c, &l, &d, 1, b, err, sizeof(err)), 0);
	tern_fast_cache_stats(&hits, &misses);
	cr_expect_eq(hits, 1);
	cr_expect_eq(misses, 1);
	cr_expect_eq(b[TERN_CNT_MACS_ZERO], b[TERN_CNT_MACS]);
	b[TERN_CNT_MACS_ZERO] = 0;
	cr_expect_arr_eq(a, b, sizeof(a));
	d.bytes_per_cycle = 32; /* another DRAM is another entry, and faster */
	cr_assert_eq(tern_fast_layer(&c, &l, &d, 0, b, err, sizeof(err)), 0);
	tern_fast_cache_stats(&hits, &misses);
	cr_expect_eq(misses, 2);
	cr_expect_lt(b[TERN_CNT_CYCLES], a[TERN_CNT_CYCLES]);
	for (uint32_t m = 8; m < 2000; m += 37) { /* growth keeps every entry */
		l.m = m;
		cr_assert_eq(tern_fast_layer(&c, &l, &d, 0, b, err, sizeof(err)), 0);
	}
	l.m = 640;
	d.bytes_per_cycle = 16;
	cr_assert_eq(tern_fast_layer(&c, &l, &d, 0, b, err, sizeof(err)), 0);
	cr_expect_arr_eq(a, b, sizeof(a));
	l.m = 0;
	cr_expect_eq(tern_fast_layer(&c, &l, &d, 0, b, err, sizeof(err)), -1);
	cr_expect_neq(err[0], 0);
}

Test(fast, malformed_programs)
{
	struct tern_hw_config c = preset("8x8");
	struct tern_fast_dram d = { 40, 16 };
	struct tern_insn p[3] = { gemm(2, 2), end(), end() };
	uint64_t cnt[TERN_CNT_COUNT];

	cr_expect_eq(tern_fast_time(&c, p, 1, &d, cnt), -1);     /* no END */
	cr_expect_eq(tern_fast_time(&c, p + 1, 2, &d, cnt), -1); /* END not last */
	cr_expect_eq(tern_fast_time(&c, p, 0, &d, cnt), -1);
	cr_expect_eq(tern_fast_time(&c, NULL, 2, &d, cnt), -1);
	cr_expect_eq(tern_fast_time(&c, p, 2, NULL, cnt), -1);
	p[0] = gemm(0, 2); /* FIELD */
	cr_expect_eq(tern_fast_time(&c, p, 2, &d, cnt), -1);
	p[0] = gemm(2, 2);
	tern_set_opcode(&p[0], 9); /* OPCODE */
	cr_expect_eq(tern_fast_time(&c, p, 2, &d, cnt), -1);
	p[0] = gemm(2, 2);
	tern_set_gemm_wbuf_base(&p[0], c.wbuf_depth); /* WBUF_RANGE */
	cr_expect_eq(tern_fast_time(&c, p, 2, &d, cnt), -1);
	p[0] = gemm(2, 2);
	tern_set_pop_prev(&p[0], 1); /* waits for a LOAD that never comes: deadlock */
	cr_expect_eq(tern_fast_time(&c, p, 2, &d, cnt), -1);
	cr_expect_eq(cnt[TERN_CNT_CYCLES], 0);
	p[0] = gemm(2, 2);
	cr_expect_eq(tern_fast_time(&c, p, 2, &d, cnt), 0);
}

/*
 * A machine the model cannot describe must stop with TERN_FAST_STUCK, not spin. The
 * program is a small layer whose first LOAD has y_size = 0 (a FIELD error that the checks
 * in front of the simulator refuse, so it is called directly): the load unit then waits
 * for rows that never come while its counters keep running. (Until entries had a padded
 * stride, a 1x1 array's 2-bit entry of 0 bytes made the same kind of machine; a 1-byte
 * entry now runs to the end.)
 */
Test(fast, stuck_machine_is_reported)
{
	static const struct tern_insn p[] = {
		{ { 0x0000000100000101ull, 0x0000000400002000ull } },
		{ { 0x0001000200000081ull, 0x0000000400001000ull } },
		{ { 0x0000000000000192ull, 0x0000000100010001ull } },
		{ { 0x0001000000000053ull, 0x0000001800003000ull } },
		{ { 0x0000000000000004ull, 0x0000000000000000ull } },
	};
	struct tern_hw_config c = preset("4x4");
	struct tern_fast_dram d = { 40, 16 };
	uint64_t cnt[TERN_CNT_COUNT] = { 0 }, stepped = 0;

	cr_assert_eq(tern_get_opcode(&p[0]), TERN_OP_LOAD);
	cr_assert_eq(tern_get_load_y_size(&p[0]), 0);
	cr_assert_eq(tern_fast_sim(&c, p, sizeof(p) / sizeof(p[0]), &d, cnt, &stepped),
		     TERN_FAST_STUCK);
	cr_assert_lt(stepped, 1u << 20, "gave up after %llu steps", (unsigned long long)stepped);
}
