/*
 * Unit tests of the reference model's semantics (docs/isa.md "Semantics" and "Events
 * and counters"): weight decoding in both formats, 2-D loads with stride, GEMM with and
 * without reset, abuf_stride, several tokens, reserved code 3, int32 wrap, STORE
 * layout, exact counters, the write callback, and a token-synchronised double-buffered
 * program checked against tern_golden_matmul. Every expected value is computed in the
 * test, by hand or by a plain loop over the unpacked codes. Errors: test_ref_err.c.
 */
#include "ref_prog.h"

/* weight(code) as docs/isa.md's table says; written out, not taken from ref/. */
static int wt(uint8_t code)
{
	return code == 0 ? -1 : code == 2 ? 1 : 0;
}

/*
 * LOAD WBUF entry 0 from W, LOAD ABUF entry 0 from A, GEMM with reset, STORE to Y:
 * the smallest token-synchronised program. The load unit runs in order, so the token
 * pushed after the ABUF load also covers the WBUF load before it.
 */
static void one_tile(struct prog *p, unsigned wfmt, uint32_t w, uint32_t a, uint32_t y)
{
	emit(p, mk_load(0, wfmt, 0, 1, 1, w, 0, 0));
	emit(p, mk_load(1, 0, 0, 1, 1, a, 0, PUSH_NEXT));
	emit(p, mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV | PUSH_NEXT));
	emit(p, mk_store(0, 1, y, 0, POP_PREV));
	emit(p, mk_end());
}

Test(ref, load_wbuf_2bit_hand_packed)
{
	/* Row r of the 4x4 entry is byte r; codes listed lane 0 first. */
	static const uint8_t wbytes[4] = {
		0x1b, /* codes 3,2,1,0 -> weights 0, 1, 0,-1 */
		0xe4, /* codes 0,1,2,3 -> weights -1, 0, 1, 0 */
		0x26, /* codes 2,1,2,0 -> weights 1, 0, 1,-1 */
		0x9a, /* codes 2,2,1,2 -> weights 1, 1, 0, 1 */
	};
	static const int8_t act[4] = { 1, 10, 100, -128 };
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	memcpy(p.dram + 0x1000, wbytes, 4);
	memcpy(p.dram + 0x1100, act, 4);
	one_tile(&p, 0, 0x1000, 0x1100, 0x2000);
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	cr_assert_eq(rd32(&p, 0x2000), 10 + 128);
	cr_assert_eq(rd32(&p, 0x2004), -1 + 100);
	cr_assert_eq(rd32(&p, 0x2008), 1 + 100 + 128);
	cr_assert_eq(rd32(&p, 0x200c), 1 + 10 - 128);
	/* zero weights: 2 + 2 + 1 + 1 (codes 1 and 3) */
	cr_assert_eq(p.res.counters[TERN_CNT_MACS_ZERO], 6);
	prog_free(&p);
}

Test(ref, load_wbuf_base3_hand_packed)
{
	/*
	 * 16 codes in ceil(16/5) = 4 bytes. Byte 3 holds code 15 (t0 = 2) and four
	 * ignored digits, of which t1 = 1 is set: 2 + 3*1 = 5 must decode as code 2.
	 */
	static const uint8_t codes[16] = { 2, 0, 1, 2, 2, 0, 0, 1, 2, 1, 2, 2, 0, 1, 0, 2 };
	static const int8_t act[4] = { 3, -7, 50, 127 };
	uint8_t bytes[4];
	struct prog p;
	int r, l, want;

	bytes[0] = 2 + 3 * 0 + 9 * 1 + 27 * 2 + 81 * 2;
	bytes[1] = 0 + 3 * 0 + 9 * 1 + 27 * 2 + 81 * 1;
	bytes[2] = 2 + 3 * 2 + 9 * 0 + 27 * 1 + 81 * 0;
	bytes[3] = 2 + 3 * 1;
	prog_init(&p, &cfg4, 0x4000);
	memcpy(p.dram + 0x1000, bytes, 4);
	memcpy(p.dram + 0x1100, act, 4);
	one_tile(&p, 1, 0x1000, 0x1100, 0x2000);
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	for (r = 0; r < 4; r++) {
		for (want = 0, l = 0; l < 4; l++)
			want += wt(codes[4 * r + l]) * act[l];
		cr_assert_eq(rd32(&p, 0x2000 + 4 * r), want, "row %d", r);
	}
	cr_assert_eq(p.res.counters[TERN_CNT_MACS_ZERO], 4); /* four code-1 weights */
	prog_free(&p);
}

Test(ref, base3_bytes_above_242_give_reserved_last_digit)
{
	/* 250 = 1 + 3*2 + 9*0 + 27*0 + 81*3: codes 1,2,0,0 then 3 (reads as 0). */
	static const int8_t act[4] = { 1, 10, 100, 1000 % 128 };
	uint8_t bytes[4] = { 250, 250, 250, 250 };
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	memcpy(p.dram + 0x1000, bytes, 4);
	memcpy(p.dram + 0x1100, act, 4);
	one_tile(&p, 1, 0x1000, 0x1100, 0x2000);
	cr_assert_eq(prog_run(&p), 0);
	/* row 0 = codes 0..3 = 1,2,0,0 -> 0 + 10 - 100 - act[3] */
	cr_assert_eq(rd32(&p, 0x2000), 10 - 100 - act[3]);
	/* row 1 = codes 4..7 = 3,1,2,0 -> 0 + 0 + 100 - act[3] */
	cr_assert_eq(rd32(&p, 0x2004), 100 - act[3]);
	prog_free(&p);
}

/* One WBUF entry whose row r has +1 at lane r: GEMM then copies activations out. */
static void put_identity4(uint8_t *at)
{
	uint8_t codes[16];

	for (int i = 0; i < 16; i++)
		codes[i] = i / 4 == i % 4 ? 2 : 1;
	pack2(codes, 16, at);
}

Test(ref, load_abuf_2d_with_stride)
{
	struct prog p;
	int y, x, l;

	prog_init(&p, &cfg4, 0x4000);
	put_identity4(p.dram + 0x1000);
	/* 3 rows of 2 entries (8 bytes each row), rows 32 bytes apart, into entries 5..10 */
	for (y = 0; y < 3; y++)
		for (x = 0; x < 8; x++)
			p.dram[0x1100 + 32 * y + x] = (uint8_t)(16 * y + x - 20);
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_load(1, 0, 5, 2, 3, 0x1100, 32, PUSH_NEXT));
	emit(&p, mk_gemm(1, 0, 5, 0, 1, 6, 1, POP_PREV | PUSH_NEXT));
	emit(&p, mk_store(0, 6, 0x2000, 16, POP_PREV));
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	for (y = 0; y < 3; y++)
		for (x = 0; x < 2; x++)
			for (l = 0; l < 4; l++)
				cr_assert_eq(rd32(&p, 0x2000 + 16 * (2 * y + x) + 4 * l),
					     (int8_t)(16 * y + 4 * x + l - 20));
	/* each 8-byte row costs one 16-byte beat */
	cr_assert_eq(p.res.counters[TERN_CNT_DRAM_RD_BYTES], 16 + 3 * 16);
	cr_assert_eq(p.res.counters[TERN_CNT_ABUF_WR], 6);
	prog_free(&p);
}

/*
 * GEMM over k_chunks = 3 and n_tokens = 2 with abuf_stride 5, random codes including
 * the reserved code 3, then a second GEMM without reset into the same ACC entries and
 * one with reset elsewhere: ACC = 2x and 1x the plain sum.
 */
Test(ref, gemm_reset_accumulate_stride_tokens)
{
	uint8_t codes[3][16];
	int8_t act[16][4];
	uint32_t seed = 12345;
	struct prog p;
	int c, n, r, l, e;

	prog_init(&p, &cfg4, 0x8000);
	for (c = 0; c < 3; c++) {
		for (l = 0; l < 16; l++)
			codes[c][l] = rnd(&seed) & 3;
		pack2(codes[c], 16, p.dram + 0x1000 + 16 * c); /* beat-aligned entries */
	}
	for (e = 0; e < 16; e++)
		for (l = 0; l < 4; l++)
			act[e][l] = (int8_t)rnd(&seed);
	memcpy(p.dram + 0x1100, act, sizeof(act));
	emit(&p, mk_load(0, 0, 10, 1, 3, 0x1000, 16, 0));
	emit(&p, mk_load(1, 0, 0, 16, 1, 0x1100, 0, PUSH_NEXT));
	emit(&p, mk_gemm(1, 10, 2, 7, 3, 2, 5, POP_PREV));
	emit(&p, mk_gemm(0, 10, 2, 7, 3, 2, 5, 0));
	emit(&p, mk_gemm(1, 10, 2, 20, 3, 2, 5, PUSH_NEXT));
	emit(&p, mk_store(7, 2, 0x2000, 16, POP_PREV));
	emit(&p, mk_store(20, 2, 0x2100, 16, 0));
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	for (n = 0; n < 2; n++) {
		for (r = 0; r < 4; r++) {
			int32_t s = 0;

			for (c = 0; c < 3; c++)
				for (l = 0; l < 4; l++)
					s += wt(codes[c][4 * r + l]) * act[2 + 5 * n + c][l];
			cr_assert_eq(rd32(&p, 0x2000 + 16 * n + 4 * r), 2 * s);
			cr_assert_eq(rd32(&p, 0x2100 + 16 * n + 4 * r), s);
		}
	}
	cr_assert_eq(p.res.counters[TERN_CNT_ACC_RD], 2 + 2 + 2); /* GEMM w/o reset, STOREs */
	cr_assert_eq(p.res.counters[TERN_CNT_ACC_WR], 6);
	cr_assert_eq(p.res.counters[TERN_CNT_WBUF_RD], 3 * 6);
	cr_assert_eq(p.res.counters[TERN_CNT_MACS], 3 * 2 * 3 * 16);
	prog_free(&p);
}

/*
 * int32 wraps: a 4-row x 256-lane array (the widest the config rule allows at 4 rows),
 * every weight -1 and activation -128, k_chunks 4096 gives 2^27 per GEMM; 17 GEMMs (the
 * first with reset) sum to 17 * 2^27, which wraps to 17*2^27 - 2^32. Stride-0 loads fill
 * every entry from one DRAM row.
 */
Test(ref, gemm_int32_wraps)
{
	const struct tern_hw_config big = {
		.rows = 4, .lanes = 256, .wbuf_depth = 4096, .abuf_depth = 4096,
		.acc_depth = 4, .bus_bytes = 16, .queue_depth = 4,
	};
	const int64_t want = 17LL * (1 << 27) - (1LL << 32);
	struct prog p;
	int i;

	cr_assert(tern_ref_config_valid(&big));
	prog_init(&p, &big, 0x4000);
	memset(p.dram + 0x1000, 0x00, 256); /* codes 0 = weight -1 */
	memset(p.dram + 0x1400, 0x80, 256); /* -128 */
	emit(&p, mk_load(0, 0, 0, 1, 4096, 0x1000, 0, 0));
	emit(&p, mk_load(1, 0, 0, 1, 4096, 0x1400, 0, PUSH_NEXT));
	for (i = 0; i < 17; i++)
		emit(&p, mk_gemm(i == 0, 0, 0, 1, 4096, 1, 0, i == 0 ? POP_PREV : 0));
	emit(&p, mk_gemm(0, 0, 0, 1, 1, 1, 0, PUSH_NEXT)); /* + 256*128 more */
	emit(&p, mk_store(1, 1, 0x2000, 0, POP_PREV));
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	for (i = 0; i < 4; i++)
		cr_assert_eq(rd32(&p, 0x2000 + 4 * i), (int32_t)(want + 256 * 128));
	cr_assert_eq(p.res.counters[TERN_CNT_MACS_ZERO], 0);
	prog_free(&p);
}

Test(ref, store_layout_and_untouched_gaps)
{
	struct prog p;
	int n, r;

	prog_init(&p, &cfg4, 0x4000);
	put_identity4(p.dram + 0x1000);
	for (n = 0; n < 8; n++)
		p.dram[0x1100 + n] = (uint8_t)(n % 4 == 0 ? 0x80 : 0x11 * n);
	memset(p.dram + 0x2000, 0xa5, 0x100);
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_load(1, 0, 0, 2, 1, 0x1100, 0, PUSH_NEXT));
	emit(&p, mk_gemm(1, 0, 0, 3, 1, 2, 1, POP_PREV | PUSH_NEXT));
	emit(&p, mk_store(3, 2, 0x2010, 0x30, POP_PREV));
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	/* entry n at 0x2010 + 0x30*n, row r at byte 4r, int32 little-endian */
	for (n = 0; n < 2; n++)
		for (r = 0; r < 4; r++) {
			int8_t a = (int8_t)p.dram[0x1100 + 4 * n + r];
			uint32_t v = (uint32_t)(int32_t)a;
			const uint8_t *at = p.dram + 0x2010 + 0x30 * n + 4 * r;

			cr_assert_eq(at[0], v & 0xff);
			cr_assert_eq(at[1], (v >> 8) & 0xff);
			cr_assert_eq(at[2], (v >> 16) & 0xff);
			cr_assert_eq(at[3], v >> 24);
		}
	for (n = 0; n < 0x100; n++) {
		int in0 = n >= 0x10 && n < 0x20, in1 = n >= 0x40 && n < 0x50;

		if (!in0 && !in1)
			cr_assert_eq(p.dram[0x2000 + n], 0xa5, "byte %#x", n);
	}
	prog_free(&p);
}

Test(ref, end_only_program)
{
	struct prog p;
	int i;

	prog_init(&p, &cfg4, 0x1000);
	emit(&p, mk_end());
	p.args.insn_count = 10; /* END stops fetch before the rest is read */
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	for (i = 0; i < TERN_CNT_COUNT; i++)
		cr_assert_eq(p.res.counters[i],
			     i == TERN_CNT_INSNS ? 1 : i == TERN_CNT_FETCH_BYTES ? 16 : 0,
			     "counter %s", tern_counter_name(i));
	prog_free(&p);
}

/* Every counter of a small program, worked out by hand. */
Test(ref, exact_counters_small_program)
{
	static const uint64_t want[TERN_CNT_COUNT] = {
		[TERN_CNT_INSNS] = 7,
		[TERN_CNT_LOADS] = 2,
		[TERN_CNT_GEMMS] = 2,
		[TERN_CNT_STORES] = 2,
		/* GEMM 1: 2 chunks x 3 tokens, GEMM 2: 1 x 1; 16 MACs per step */
		[TERN_CNT_MACS] = (6 + 1) * 16,
		/* entry 0 all code 1 (16 zeros), entry 1 all code 2: 3*(16+0) + 16 */
		[TERN_CNT_MACS_ZERO] = 64,
		/* WBUF row: 2 entries = 8 bytes -> 16; ABUF rows of 3 entries (12 -> 16) x 2 */
		[TERN_CNT_DRAM_RD_BYTES] = 16 + 32,
		[TERN_CNT_DRAM_WR_BYTES] = (3 + 1) * 16,
		[TERN_CNT_FETCH_BYTES] = 7 * 16,
		[TERN_CNT_WBUF_RD] = 7,
		[TERN_CNT_WBUF_WR] = 2,
		[TERN_CNT_ABUF_RD] = 7,
		[TERN_CNT_ABUF_WR] = 6,
		/* GEMM 2 (no reset, 1 token) + STORE entries 3 + 1 */
		[TERN_CNT_ACC_RD] = 1 + 4,
		[TERN_CNT_ACC_WR] = 3 + 1,
	};
	struct prog p;
	int i;

	prog_init(&p, &cfg4, 0x4000);
	memset(p.dram + 0x1000, 0x55, 4);
	memset(p.dram + 0x1004, 0xaa, 4);
	emit(&p, mk_load(0, 0, 0, 2, 1, 0x1000, 0, 0));
	emit(&p, mk_load(1, 0, 0, 3, 2, 0x1100, 16, PUSH_NEXT));
	emit(&p, mk_gemm(1, 0, 0, 0, 2, 3, 2, POP_PREV));
	emit(&p, mk_gemm(0, 0, 0, 0, 1, 1, 0, PUSH_NEXT));
	emit(&p, mk_store(0, 3, 0x2000, 16, POP_PREV));
	emit(&p, mk_store(0, 1, 0x2100, 0, 0));
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	for (i = 0; i < TERN_CNT_COUNT; i++)
		cr_assert_eq(p.res.counters[i], want[i], "counter %s: %llu, want %llu",
			     tern_counter_name(i), (unsigned long long)p.res.counters[i],
			     (unsigned long long)want[i]);
	prog_free(&p);
}

/*
 * A layer Y = X . W^T (M = 32, K = 64, N = 3) on the 8x8 config as a compiler would
 * emit it: activations loaded once, weight tiles double-buffered in two WBUF halves
 * (alternating 2-bit and base-3), results double-buffered in two ACC halves, every
 * buffer reuse guarded by a c2l or s2c token. Checked against tern_golden_matmul.
 */
enum { DB_M = 32, DB_K = 64, DB_N = 3, DB_T = DB_M / 8, DB_X = 0x1000, DB_W = 0x2000,
       DB_Y = 0x4000 };

struct db_layer {
	int8_t w[DB_M][DB_K];
	int8_t x[DB_N][DB_K];
	int32_t y[DB_N][DB_M];
};

static void db_build(struct prog *p, struct db_layer *L)
{
	uint32_t seed = 777;
	uint8_t codes[64];
	int t, c, r, l, n, k;

	prog_init(p, &cfg8, 0x10000);
	for (n = 0; n < DB_M; n++)
		for (k = 0; k < DB_K; k++)
			L->w[n][k] = (int8_t)(rnd(&seed) % 3) - 1;
	for (n = 0; n < DB_N; n++)
		for (k = 0; k < DB_K; k++)
			L->x[n][k] = (int8_t)rnd(&seed);
	memcpy(p->dram + DB_X, L->x, sizeof(L->x));
	for (t = 0; t < DB_T; t++) {
		/*
		 * Entry stride 16 both ways: 2-bit 64/4 = 16 bytes; base-3 uses ceil(64/5) = 13
		 * and is padded to the next power of two, 16 (docs/isa.md, entry layout).
		 */
		uint32_t e = 16;

		for (c = 0; c < 8; c++) {
			for (r = 0; r < 8; r++)
				for (l = 0; l < 8; l++)
					codes[8 * r + l] = (uint8_t)(L->w[8 * t + r][8 * c + l] + 1);
			(t % 2 ? pack3 : pack2)(codes, 64, p->dram + DB_W + 0x100 * t + e * c);
		}
	}
	emit(p, mk_load(1, 0, 0, 8, DB_N, DB_X, DB_K, 0));
	for (t = 0; t < DB_T; t++) {
		unsigned late = t >= 2 ? 1 : 0, more = t + 2 < DB_T ? 1 : 0, h = t % 2;

		emit(p, mk_load(0, h, 8 * h, 8, 1, DB_W + 0x100 * t, 0,
				(late ? POP_NEXT : 0) | PUSH_NEXT));
		emit(p, mk_gemm(1, 8 * h, 0, DB_N * h, 8, DB_N, 8,
				POP_PREV | (more ? PUSH_PREV : 0) | (late ? POP_NEXT : 0) |
				PUSH_NEXT));
		emit(p, mk_store(DB_N * h, DB_N, DB_Y + 32 * t, 4 * DB_M,
				 POP_PREV | (more ? PUSH_PREV : 0)));
	}
	emit(p, mk_end());
	tern_golden_matmul(&L->w[0][0], &L->x[0][0], &L->y[0][0], DB_M, DB_K, DB_N);
}

Test(ref, double_buffered_layer_matches_golden)
{
	static struct db_layer L;
	struct prog p;
	int n, m;
	uint64_t zeros;

	db_build(&p, &L);
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK, "err %s at %u", tern_err_name(p.res.err),
		     p.res.err_insn);
	for (n = 0; n < DB_N; n++)
		for (m = 0; m < DB_M; m++)
			cr_assert_eq(rd32(&p, DB_Y + 4 * (DB_M * n + m)), L.y[n][m],
				     "y[%d][%d]", n, m);
	cr_assert_eq(p.res.counters[TERN_CNT_INSNS], 3 * DB_T + 2);
	cr_assert_eq(p.res.counters[TERN_CNT_MACS], (uint64_t)DB_M * DB_K * DB_N);
	for (zeros = 0, m = 0; m < DB_M; m++)
		for (n = 0; n < DB_K; n++)
			zeros += L.w[m][n] == 0;
	cr_assert_eq(p.res.counters[TERN_CNT_MACS_ZERO], zeros * DB_N);
	/* X rows of 64 bytes = 2 beats; a W tile is 8 entries at a stride of 16 = 128 bytes */
	cr_assert_eq(p.res.counters[TERN_CNT_DRAM_RD_BYTES], DB_N * 64 + DB_T * 128);
	cr_assert_eq(p.res.counters[TERN_CNT_DRAM_WR_BYTES], DB_N * DB_M * 4);
	prog_free(&p);
}

/* Golden matmul by hand on a 2x3 . 3x2 case, and its int32 wrap on a long row. */
Test(ref, golden_matmul_small_and_wrapping)
{
	static const int8_t w[2][3] = { { 1, 0, -1 }, { -1, 1, 1 } };
	static const int8_t x[2][3] = { { 5, 6, 7 }, { -128, 127, 0 } };
	int32_t y[2][2];
	const uint32_t k = 17u << 20;
	int8_t *wl = malloc(k), *xl = malloc(k);
	int32_t yl;

	tern_golden_matmul(&w[0][0], &x[0][0], &y[0][0], 2, 3, 2);
	cr_assert_eq(y[0][0], 5 - 7);
	cr_assert_eq(y[0][1], -5 + 6 + 7);
	cr_assert_eq(y[1][0], -128);
	cr_assert_eq(y[1][1], 128 + 127);
	cr_assert(wl && xl);
	memset(wl, 0xff, k); /* -1 */
	memset(xl, 0x80, k); /* -128 */
	tern_golden_matmul(wl, xl, &yl, 1, k, 1);
	cr_assert_eq(yl, (int32_t)(17LL * (1 << 27) - (1LL << 32)));
	free(wl);
	free(xl);
}

struct wrec {
	int calls, stop_at;
	uint32_t index[32];
	uint64_t addr[32];
	int32_t first[32];
	int same_as_image;
	const uint8_t *image;
};

static int on_write(void *ctx, uint32_t index, uint64_t addr, const uint8_t *data, uint32_t len)
{
	struct wrec *w = ctx;

	cr_assert_lt(w->calls, 32);
	cr_assert_eq(len, 8 * 4);
	w->index[w->calls] = index;
	w->addr[w->calls] = addr;
	w->first[w->calls] = get_le32(data);
	if (data != w->image + addr || memcmp(data, w->image + addr, len))
		w->same_as_image = 0;
	return ++w->calls == w->stop_at ? 7 : 0;
}

Test(ref, write_callback_order_and_contents)
{
	static struct db_layer L;
	struct wrec w = { .same_as_image = 1 };
	struct prog p;
	int t, n, i;

	db_build(&p, &L);
	w.image = p.dram;
	cr_assert_eq(tern_ref_run(&p.cfg, p.dram, p.size, &p.args, on_write, &w, &p.res), 0);
	cr_assert_eq(w.calls, DB_T * DB_N);
	cr_assert(w.same_as_image);
	for (t = 0; t < DB_T; t++)
		for (n = 0; n < DB_N; n++) {
			i = t * DB_N + n;
			cr_assert_eq(w.index[i], 3u * t + 3); /* LOAD X, then L W, G, S per tile */
			cr_assert_eq(w.addr[i], DB_Y + 32u * t + 4u * DB_M * n);
			cr_assert_eq(w.first[i], L.y[n][8 * t]);
		}
	prog_free(&p);
}

Test(ref, write_callback_nonzero_stops_the_run)
{
	static struct db_layer L;
	struct wrec w = { .stop_at = 5, .same_as_image = 1 };
	struct prog p;

	db_build(&p, &L);
	w.image = p.dram;
	cr_assert_eq(tern_ref_run(&p.cfg, p.dram, p.size, &p.args, on_write, &w, &p.res), 7);
	cr_assert_eq(w.calls, 5);
	/* entry 5 (tile 1, token 1) was written, entry 6 (tile 1, token 2) never */
	cr_assert_eq(rd32(&p, DB_Y + 32 + 4 * DB_M * 1), L.y[1][8]);
	cr_assert_eq(rd32(&p, DB_Y + 32 + 4 * DB_M * 2), 0);
	cr_assert_eq(rd32(&p, DB_Y + 64), 0);
	prog_free(&p);
}
