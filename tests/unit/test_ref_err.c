/*
 * Unit tests of the reference model's errors (docs/isa.md "Checks and errors"): every
 * error code with the index it must report, the documented check order when two
 * errors apply, instructions before a fault completing, deadlocks (a missing push, a
 * full queue) and the precedence of a static error over the deadlock it causes, and
 * bad arguments. Static cases go through tern_ref_run (the error and its index) and,
 * where the instruction alone decides, through tern_ref_check_insn as well.
 */
#include "ref_prog.h"

/*
 * Program: two valid instructions (a LOAD of one WBUF entry, a STORE of ACC entry 0 to
 * 0x2000), then `bad` at index 2, then END. The first two must complete.
 */
static void expect_at2(struct tern_insn bad, uint32_t err)
{
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	memset(p.dram + 0x2000, 0xee, 16);
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_store(0, 1, 0x2000, 0, 0));
	emit(&p, bad);
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, err, "got %s, want %s", tern_err_name(p.res.err),
		     tern_err_name(err));
	cr_assert_eq(p.res.err_insn, 2);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &bad), err);
	/*
	 * the STORE before the fault ran: ACC 0 (zeros) is in DRAM; the faulting
	 * instruction was read (FETCH_BYTES) but counts nowhere else
	 */
	cr_assert_eq(rd32(&p, 0x2000), 0);
	cr_assert_eq(p.res.counters[TERN_CNT_INSNS], 2);
	cr_assert_eq(p.res.counters[TERN_CNT_FETCH_BYTES], 48);
	prog_free(&p);
}

static struct tern_insn raw(uint64_t w0, uint64_t w1)
{
	struct tern_insn in = { { w0, w1 } };

	return in;
}

Test(ref_err, opcode)
{
	expect_at2(raw(0, 0), TERN_ERR_OPCODE);
	expect_at2(raw(5, 0), TERN_ERR_OPCODE);
	expect_at2(raw(15, 0), TERN_ERR_OPCODE);
	/* OPCODE wins over everything after it */
	expect_at2(raw(0xfffffffffffffff0ull, ~0ull), TERN_ERR_OPCODE);
}

Test(ref_err, dep_flags_per_unit)
{
	struct tern_insn in;

	expect_at2(mk_load(0, 0, 0, 1, 1, 0x1000, 0, POP_PREV), TERN_ERR_DEP_FLAGS);
	expect_at2(mk_load(0, 0, 0, 1, 1, 0x1000, 0, PUSH_PREV), TERN_ERR_DEP_FLAGS);
	expect_at2(mk_store(0, 1, 0x2000, 0, POP_NEXT), TERN_ERR_DEP_FLAGS);
	expect_at2(mk_store(0, 1, 0x2000, 0, PUSH_NEXT), TERN_ERR_DEP_FLAGS);
	for (unsigned f = 1; f < 16; f <<= 1) {
		in = mk_end();
		set_deps(&in, f);
		expect_at2(in, TERN_ERR_DEP_FLAGS);
	}
	/* DEP_FLAGS before FIELD: a bad flag and x_size = 0 */
	expect_at2(mk_load(0, 0, 0, 0, 1, 0x1000, 0, POP_PREV), TERN_ERR_DEP_FLAGS);
}

Test(ref_err, dep_flags_allowed_pass)
{
	struct prog p;
	struct tern_insn ok[] = {
		mk_load(0, 0, 0, 1, 1, 0x1000, 0, POP_NEXT | PUSH_NEXT),
		mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV | POP_NEXT | PUSH_PREV | PUSH_NEXT),
		mk_store(0, 1, 0x2000, 0, POP_PREV | PUSH_PREV),
		mk_end(),
	};

	prog_init(&p, &cfg4, 0x4000);
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &ok[i]), TERN_ERR_OK, "%u", i);
	prog_free(&p);
}

Test(ref_err, field_undefined_bits)
{
	struct tern_insn in;

	in = mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0);
	in.w[0] |= 1u << 10;
	expect_at2(in, TERN_ERR_FIELD);
	in = mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0);
	in.w[0] |= 1u << 15;
	expect_at2(in, TERN_ERR_FIELD);
	in = mk_gemm(1, 0, 0, 0, 1, 1, 0, 0);
	in.w[0] |= 1u << 9;
	expect_at2(in, TERN_ERR_FIELD);
	in = mk_gemm(1, 0, 0, 0, 1, 1, 0, 0);
	in.w[1] |= 1ull << 63;
	expect_at2(in, TERN_ERR_FIELD);
	in = mk_gemm(1, 0, 0, 0, 1, 1, 0, 0);
	in.w[1] |= 1ull << (112 - 64);
	expect_at2(in, TERN_ERR_FIELD);
	in = mk_store(0, 1, 0x2000, 0, 0);
	in.w[0] |= 1ull << 8; /* STORE has no bit 8 */
	expect_at2(in, TERN_ERR_FIELD);
	in = mk_store(0, 1, 0x2000, 0, 0);
	in.w[0] |= 1ull << 40; /* the unused x_size slot */
	expect_at2(in, TERN_ERR_FIELD);
	expect_at2(raw(TERN_OP_END | 1ull << 8, 0), TERN_ERR_FIELD);
	expect_at2(raw(TERN_OP_END, 1), TERN_ERR_FIELD);
}

Test(ref_err, field_zero_sizes_and_abuf_wfmt)
{
	expect_at2(mk_load(0, 0, 0, 0, 1, 0x1000, 0, 0), TERN_ERR_FIELD);
	expect_at2(mk_load(0, 0, 0, 1, 0, 0x1000, 0, 0), TERN_ERR_FIELD);
	expect_at2(mk_gemm(1, 0, 0, 0, 0, 1, 0, 0), TERN_ERR_FIELD);
	expect_at2(mk_gemm(1, 0, 0, 0, 1, 0, 0, 0), TERN_ERR_FIELD);
	expect_at2(mk_store(0, 0, 0x2000, 0, 0), TERN_ERR_FIELD);
	expect_at2(mk_load(1, 1, 0, 1, 1, 0x1000, 0, 0), TERN_ERR_FIELD);
	/* FIELD before RANGE: zero x_size with an out-of-range base */
	expect_at2(mk_load(0, 0, 300, 0, 1, 0x1000, 0, 0), TERN_ERR_FIELD);
}

Test(ref_err, ranges)
{
	/* cfg4: WBUF 256, ABUF 1024, ACC 256 entries */
	expect_at2(mk_load(0, 0, 251, 3, 2, 0x1000, 0, 0), TERN_ERR_WBUF_RANGE);
	expect_at2(mk_load(0, 1, 250, 3, 3, 0x1000, 0, 0), TERN_ERR_WBUF_RANGE);
	expect_at2(mk_load(1, 0, 1000, 5, 5, 0x1000, 0, 0), TERN_ERR_ABUF_RANGE);
	expect_at2(mk_load(1, 0, 0, 1025, 1, 0x1000, 0, 0), TERN_ERR_ABUF_RANGE);
	expect_at2(mk_gemm(1, 255, 0, 0, 2, 1, 0, 0), TERN_ERR_WBUF_RANGE);
	/* abuf_base + (n-1)*stride + k: 1000 + 2*10 + 5 = 1025 > 1024 */
	expect_at2(mk_gemm(1, 0, 1000, 0, 5, 3, 10, 0), TERN_ERR_ABUF_RANGE);
	expect_at2(mk_gemm(1, 0, 0, 250, 1, 7, 0, 0), TERN_ERR_ACC_RANGE);
	expect_at2(mk_store(250, 7, 0x2000, 0, 0), TERN_ERR_ACC_RANGE);
	expect_at2(mk_store(0xffff, 1, 0x2000, 0, 0), TERN_ERR_ACC_RANGE);
	/* GEMM order: WBUF, then ABUF, then ACC */
	expect_at2(mk_gemm(1, 256, 1024, 256, 1, 1, 0, 0), TERN_ERR_WBUF_RANGE);
	expect_at2(mk_gemm(1, 0, 1024, 256, 1, 1, 0, 0), TERN_ERR_ABUF_RANGE);
	/* RANGE before DMA_ALIGN */
	expect_at2(mk_load(0, 0, 256, 1, 1, 0x1001, 0, 0), TERN_ERR_WBUF_RANGE);
}

Test(ref_err, ranges_exact_fit_pass)
{
	struct prog p;
	struct tern_insn ok[] = {
		mk_load(0, 0, 250, 3, 2, 0x1000, 0, 0),
		mk_load(1, 0, 1000, 4, 6, 0x1000, 16, 0),
		mk_gemm(1, 254, 1000, 0, 2, 3, 11, 0), /* 1000 + 22 + 2 = 1024 */
		mk_gemm(0, 0, 0, 249, 1, 7, 0, 0),
		mk_store(249, 7, 0x2000, 16, 0),
	};

	prog_init(&p, &cfg4, 0x4000);
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &ok[i]), TERN_ERR_OK, "%u", i);
	prog_free(&p);
}

Test(ref_err, dma_align)
{
	expect_at2(mk_load(0, 0, 0, 1, 1, 0x1008, 0, 0), TERN_ERR_DMA_ALIGN);
	expect_at2(mk_load(0, 0, 0, 1, 2, 0x1000, 24, 0), TERN_ERR_DMA_ALIGN);
	expect_at2(mk_store(0, 1, 0x2004, 0, 0), TERN_ERR_DMA_ALIGN);
	expect_at2(mk_store(0, 1, 0x2000, 1, 0), TERN_ERR_DMA_ALIGN);
	/* ALIGN before WINDOW: misaligned and outside the image */
	expect_at2(mk_store(0, 1, 0xfffffff8, 0, 0), TERN_ERR_DMA_ALIGN);
}

Test(ref_err, dma_window_both_ends_and_overflow)
{
	/* window is [0, 0x4000); ACC/STORE span 16, a WBUF row of 1 entry (4 bytes) 16 */
	expect_at2(mk_store(0, 1, 0x4000, 0, 0), TERN_ERR_DMA_WINDOW);
	expect_at2(mk_store(0, 2, 0x3ff0, 16, 0), TERN_ERR_DMA_WINDOW);
	expect_at2(mk_load(0, 0, 0, 1, 3, 0x3fe0, 16, 0), TERN_ERR_DMA_WINDOW);
	/* 5 entries of 4 bytes = 20 bytes -> 2 beats = 32 bytes: 0x3ff0 + 32 > 0x4000 */
	expect_at2(mk_load(0, 0, 0, 5, 1, 0x3ff0, 0, 0), TERN_ERR_DMA_WINDOW);
	expect_at2(mk_store(0, 2, 0xfffff000, 0x1000, 0), TERN_ERR_DMA_WINDOW);
	expect_at2(mk_load(1, 0, 0, 1, 1000, 0xfffffff0, 0xfffffff0, 0),
		   TERN_ERR_DMA_WINDOW);
	/* last = 2^32 exactly: a 32-bit sum would wrap to 0 and pass */
	expect_at2(mk_store(0, 2, 0x10, 0xfffffff0, 0), TERN_ERR_DMA_WINDOW);
	/* (y-1)*stride = 4 * 2^30: a 32-bit product would wrap to 0 and pass */
	expect_at2(mk_load(0, 0, 0, 1, 5, 0x1000, 0x40000000, 0), TERN_ERR_DMA_WINDOW);
}

Test(ref_err, dma_window_low_end_and_exact_fit)
{
	struct prog p;
	struct tern_insn in;

	prog_init(&p, &cfg4, 0x4000);
	p.args.dma_base = 0x1000;
	p.args.dma_limit = 0x3008; /* not beat-aligned: a row's whole beats must fit */
	in = mk_store(0, 1, 0x0ff0, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_DMA_WINDOW);
	in = mk_store(0, 1, 0x1000, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_store(0, 2, 0x1000, 0x1ff0, 0); /* last = 0x2ff0, + 16 = 0x3000 */
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_load(0, 0, 0, 1, 1, 0x3000, 0, 0); /* 4 bytes used, 16-byte beat read */
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_DMA_WINDOW);
	in = mk_load(0, 0, 0, 1, 1, 0x2ff0, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	/* base-3 4x4 entry: 4 bytes; 8 entries = 32 bytes = 2 beats */
	in = mk_load(0, 1, 0, 8, 1, 0x2fe0, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_load(0, 1, 0, 9, 1, 0x2fe0, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_DMA_WINDOW);
	/* exact fits against a beat-aligned limit: last + span == DMA_LIMIT passes */
	p.args.dma_limit = 0x3000;
	in = mk_store(0, 2, 0x1000, 0x1ff0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_store(0, 1, 0x2ff0, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_load(0, 1, 0, 8, 1, 0x2fe0, 0, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_load(0, 0, 0, 1, 2, 0x2fe0, 0x10, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_OK);
	in = mk_load(0, 0, 0, 1, 2, 0x2ff0, 0x10, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, &p.args, &in), TERN_ERR_DMA_WINDOW);
	/* without CSRs only the window check is skipped */
	cr_assert_eq(tern_ref_check_insn(&p.cfg, NULL, &in), TERN_ERR_OK);
	in = mk_load(0, 0, 0, 1, 2, 0x2ff8, 0x10, 0);
	cr_assert_eq(tern_ref_check_insn(&p.cfg, NULL, &in), TERN_ERR_DMA_ALIGN);
	prog_free(&p);
}

Test(ref_err, fetch_range)
{
	struct prog p;

	/* INSN_BASE not a multiple of BUS_BYTES (16) */
	prog_init(&p, &cfg4, 0x4000);
	p.args.insn_base = 0x108;
	p.args.insn_count = 4;
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_FETCH_RANGE);
	cr_assert_eq(p.res.err_insn, 0);
	/* INSN_BASE below DMA_BASE */
	p.args.insn_base = 0;
	p.args.dma_base = 0x10;
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_FETCH_RANGE);
	cr_assert_eq(p.res.err_insn, 0);
	prog_free(&p);

	/* the program runs off the window's end: instructions 0..2 fit, 3 does not */
	prog_init(&p, &cfg4, 0x4000);
	p.args.insn_base = 0x3fd0;
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_load(0, 0, 1, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_load(0, 0, 2, 1, 1, 0x1000, 0, 0));
	p.args.insn_count = 10;
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_FETCH_RANGE);
	cr_assert_eq(p.res.err_insn, 3);
	cr_assert_eq(p.res.counters[TERN_CNT_LOADS], 3);
	prog_free(&p);
}

Test(ref_err, no_end_after_completing_everything)
{
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	memset(p.dram + 0x1000, 0xaa, 4);  /* weights +1 */
	memset(p.dram + 0x1100, 3, 4);     /* activations 3 */
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_load(1, 0, 0, 1, 1, 0x1100, 0, PUSH_NEXT));
	emit(&p, mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV | PUSH_NEXT));
	emit(&p, mk_store(0, 1, 0x2000, 0, POP_PREV));
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_NO_END);
	cr_assert_eq(p.res.err_insn, 4);
	cr_assert_eq(rd32(&p, 0x2000), 12);
	cr_assert_eq(rd32(&p, 0x200c), 12);
	cr_assert_eq(p.res.counters[TERN_CNT_INSNS], 4);
	/* an empty program is NO_END at 0, even with a bad INSN_BASE */
	p.args.insn_count = 0;
	p.args.insn_base = 8;
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_NO_END);
	cr_assert_eq(p.res.err_insn, 0);
	prog_free(&p);
}

Test(ref_err, deadlock_missing_push)
{
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0)); /* forgot PUSH_NEXT */
	emit(&p, mk_store(0, 1, 0x2000, 0, 0));
	emit(&p, mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV | PUSH_NEXT));
	emit(&p, mk_store(0, 1, 0x2010, 0, POP_PREV));
	emit(&p, mk_end());
	memset(p.dram + 0x2000, 0xee, 32);
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_DEADLOCK);
	cr_assert_eq(p.res.err_insn, 2); /* GEMM waits on l2c, STORE 3 behind it on c2s */
	cr_assert_eq(rd32(&p, 0x2000), 0);            /* independent STORE ran */
	cr_assert_eq(rd32(&p, 0x2010), (int32_t)0xeeeeeeee);
	cr_assert_eq(p.res.counters[TERN_CNT_INSNS], 3); /* LOAD, STORE, END */
	cr_assert_eq(p.res.counters[TERN_CNT_FETCH_BYTES], 5 * 16);
	prog_free(&p);
}

Test(ref_err, deadlock_store_waits_forever)
{
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	emit(&p, mk_store(0, 1, 0x2000, 0, POP_PREV | PUSH_PREV));
	emit(&p, mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_NEXT | PUSH_NEXT));
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_DEADLOCK);
	cr_assert_eq(p.res.err_insn, 0);
	prog_free(&p);
}

/* A static error found first is reported instead of the deadlock it leaves behind. */
Test(ref_err, static_error_wins_over_deadlock)
{
	struct prog p;

	prog_init(&p, &cfg4, 0x4000);
	emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, 0));
	emit(&p, mk_gemm(1, 0, 0, 0, 1, 1, 0, POP_PREV));
	emit(&p, mk_store(0, 1, 0x2000, 0, 0));
	emit(&p, mk_gemm(1, 0, 0, 0, 1, 1, 0, 0));
	p.dram[3 * 16 + 1] |= 0x02; /* GEMM bit 9: undefined */
	emit(&p, mk_end());
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_FIELD);
	cr_assert_eq(p.res.err_insn, 3);
	cr_assert_eq(p.res.counters[TERN_CNT_LOADS], 1);
	cr_assert_eq(p.res.counters[TERN_CNT_STORES], 1);
	cr_assert_eq(p.res.counters[TERN_CNT_GEMMS], 0);
	prog_free(&p);
}

/*
 * Queue depth matters: LOAD 0 waits for a c2l token that the GEMM after Q LOADs gives.
 * With Q = QUEUE_DEPTH the LOAD queue fills, fetch never reaches the GEMM: DEADLOCK at
 * 0. One deeper queue and the same program finishes.
 */
Test(ref_err, full_queue_deadlock)
{
	struct prog p;
	unsigned i, q;

	for (q = 8; q <= 9; q++) {
		prog_init(&p, &cfg4, 0x4000);
		p.cfg.queue_depth = q;
		emit(&p, mk_load(0, 0, 0, 1, 1, 0x1000, 0, POP_NEXT));
		for (i = 1; i < 9; i++)
			emit(&p, mk_load(0, 0, i, 1, 1, 0x1000, 0, 0));
		emit(&p, mk_gemm(1, 0, 0, 0, 1, 1, 0, PUSH_PREV));
		emit(&p, mk_end());
		cr_assert_eq(prog_run(&p), 0);
		if (q == 8) {
			cr_assert_eq(p.res.err, TERN_ERR_DEADLOCK);
			cr_assert_eq(p.res.err_insn, 0);
			cr_assert_eq(p.res.counters[TERN_CNT_INSNS], 0);
			/* 8 queued and the 9th read, checked and waiting for room */
			cr_assert_eq(p.res.counters[TERN_CNT_FETCH_BYTES], 9 * 16);
		} else {
			cr_assert_eq(p.res.err, TERN_ERR_OK);
			cr_assert_eq(p.res.counters[TERN_CNT_INSNS], 11);
		}
		prog_free(&p);
	}
}

Test(ref_err, bad_arguments)
{
	struct prog p;
	struct tern_hw_config bad;

	prog_init(&p, &cfg4, 0x4000);
	emit(&p, mk_end());
	p.args.dma_limit = 0x4001; /* window outside the image */
	cr_assert_eq(prog_run(&p), -1);
	p.args.dma_limit = 0x4000;
	cr_assert_eq(tern_ref_run(&p.cfg, p.dram, p.size, &p.args, NULL, NULL, NULL), -1);
	cr_assert_eq(tern_ref_run(&p.cfg, p.dram, p.size, NULL, NULL, NULL, &p.res), -1);
	cr_assert_eq(tern_ref_run(NULL, p.dram, p.size, &p.args, NULL, NULL, &p.res), -1);
	bad = cfg4;
	bad.bus_bytes = 24; /* does not divide ROWS*4 = 16 */
	cr_assert_eq(tern_ref_run(&bad, p.dram, p.size, &p.args, NULL, NULL, &p.res), -1);
	bad = cfg4;
	bad.queue_depth = 0;
	cr_assert_eq(tern_ref_run(&bad, p.dram, p.size, &p.args, NULL, NULL, &p.res), -1);
	bad = cfg4;
	bad.lanes = 0;
	cr_assert_eq(tern_ref_run(&bad, p.dram, p.size, &p.args, NULL, NULL, &p.res), -1);
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_OK);
	/* an empty window is a device error, not a bad argument */
	p.args.dma_base = 0x100;
	p.args.dma_limit = 0x80;
	cr_assert_eq(prog_run(&p), 0);
	cr_assert_eq(p.res.err, TERN_ERR_FETCH_RANGE);
	prog_free(&p);
}
