/*
 * The fast paths give the same bits whatever the thread count and kernel: a whole
 * zoo:tiny generation (prefill + decode, resident layers on the ref backend with the
 * layer check, plus a golden pass) has identical logits and tokens for 1 and 2
 * threads and for the AVX-512, AVX2 and plain C kernels; the reference model's fast mode
 * (row slices, WBUF as pointers) writes the same DRAM and counts the same events as
 * its one-pass mode; and the golden matmul from bit planes equals the int8 one.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tern_gemm.h"
#include "tern_model.h"
#include "tern_pool.h"
#include "tern_ref.h"

#define STEPS 4
#define NPROMPT 5

struct dev_ctx {
	struct tern_gemm_cache *gc;
	struct tern_model *m;
	struct tern_run *run;
};

static int dev_fn(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		  int32_t *y, char *err, size_t errlen)
{
	struct dev_ctx *c = ctx;
	struct tern_gemm_result r;
	uint32_t layer, which;

	tern_run_current(c->run, &layer, &which);
	if (tern_gemm_run_resident(c->gc, layer * TERN_LIN_COUNT + which, l, w,
				   tern_model_planes(c->m, layer, which), x, y, &r, err, errlen))
		return -1;
	return tern_gemm_ok(&r) ? 0 : 1;
}

/* Logits of every step's positions and the greedy tokens, for one configuration. */
static float *generate(unsigned threads, enum tern_kernel k, uint32_t *toks, size_t *nfloats)
{
	struct tern_model *m = NULL;
	struct tern_dev_opts o = { 0 };
	struct tern_dev *d = NULL;
	struct tern_run *runs[2];
	struct dev_ctx dc;
	uint32_t tok[NPROMPT] = { 7, 99, 5, 300, 1 }, s, i, n = NPROMPT, V;
	float *all, *at;
	char err[256];

	tern_pool_set_threads(threads);
	tern_kernel_set(k);
	cr_assert_eq(tern_zoo_open("tiny", &m, err, sizeof(err)), 0, "%s", err);
	V = m->cfg.n_vocab;
	o.backend = "ref";
	o.mem_bytes = 64u << 20;
	cr_assert_eq(tern_parse_array("32x32", &o.cfg, err, sizeof(err)), 0);
	cr_assert_eq(tern_dev_open(&o, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_gemm_cache_new(d, m->cfg.n_layer * TERN_LIN_COUNT, 1u << 20, 1u << 20,
					 &dc.gc, err, sizeof(err)), 0, "%s", err);
	dc.m = m;
	cr_assert_eq(tern_run_new(&m->cfg, 32, NPROMPT, TERN_QUANT_A158,
				  (struct tern_mm){ dev_fn, &dc, 1 }, &runs[0]), 0);
	cr_assert_eq(tern_run_new(&m->cfg, 32, NPROMPT, TERN_QUANT_A158, tern_mm_golden, &runs[1]), 0);
	dc.run = runs[0];
	*nfloats = (size_t)(NPROMPT + STEPS - 1) * V;
	all = at = malloc(*nfloats * sizeof(float));
	for (s = 0; s < STEPS; s++) {
		cr_assert_eq(tern_forward(m, runs, 2, tok, n, NULL, err, sizeof(err)), 0, "%s", err);
		for (i = 0; i < n; i++, at += V) {
			memcpy(at, tern_run_logits(runs[0], i), V * sizeof(float));
			cr_assert(!memcmp(at, tern_run_logits(runs[1], i), V * sizeof(float)),
				  "device and golden logits differ at step %u", s);
		}
		toks[s] = tern_sample(tern_run_logits(runs[0], n - 1), V, 0, NULL, NULL);
		tok[0] = toks[s];
		n = 1;
	}
	tern_run_free(runs[0]);
	tern_run_free(runs[1]);
	tern_gemm_cache_free(dc.gc);
	tern_dev_close(d);
	tern_model_free(m);
	return all;
}

Test(speed, threads_and_kernels_give_identical_logits)
{
	static const unsigned th[6] = { 1, 2, 1, 2, 1, 2 };
	static const enum tern_kernel kr[6] = { TERN_KERNEL_PLAIN, TERN_KERNEL_PLAIN,
						TERN_KERNEL_AUTO, TERN_KERNEL_AUTO,
						TERN_KERNEL_AVX2, TERN_KERNEL_AVX2 };
	uint32_t toks[6][STEPS];
	float *lg[6];
	size_t nf = 0, i, spread = 0;
	int c;

	for (c = 0; c < 6; c++)
		lg[c] = generate(th[c], kr[c], toks[c], &nf);
	/* Not trivially equal: finite logits that vary. */
	for (i = 1; i < nf; i++) {
		cr_assert(lg[0][i] == lg[0][i]);
		spread += lg[0][i] != lg[0][0];
	}
	cr_assert(spread > nf / 2);
	for (c = 1; c < 6; c++) {
		cr_expect(!memcmp(lg[0], lg[c], nf * sizeof(float)),
			  "logits of config %d (threads %u, kernel %d) differ", c, th[c], kr[c]);
		cr_expect(!memcmp(toks[0], toks[c], sizeof(toks[0])));
	}
	for (c = 0; c < 6; c++)
		free(lg[c]);
}

/* Fast mode (no write callback) vs one-pass mode (a callback forces it). */
static int count_writes(void *ctx, uint32_t insn, uint64_t addr, const uint8_t *data, uint32_t len)
{
	(void)insn;
	(void)addr;
	(void)data;
	(void)len;
	++*(unsigned *)ctx;
	return 0;
}

/*
 * junk: the packed weights are overwritten with random bytes, reserved code 3 included
 * (weight 0 in the ISA, which no packer writes), so only fast vs one-pass is compared.
 */
static void fast_equals_slow_w(const char *array, uint32_t m, uint32_t k, uint32_t n,
			       unsigned threads, enum tern_kernel kern, int junk)
{
	struct tern_hw_config cfg;
	struct tern_layer l = { m, k, n, TERN_WFMT_2BIT };
	struct tern_layout lo;
	struct tern_program p;
	struct tern_addrs a;
	struct tern_ref_result rf, rs;
	struct tern_ref_args args;
	uint64_t size, s = 12345;
	uint8_t *img, *img2;
	int8_t *w = malloc((size_t)m * k), *x = malloc((size_t)n * k);
	int32_t *yf = malloc((size_t)n * m * 4), *yg = malloc((size_t)n * m * 4);
	unsigned writes = 0;
	size_t i;
	char err[256];

	tern_pool_set_threads(threads);
	tern_kernel_set(kern);
	cr_assert_eq(tern_parse_array(array, &cfg, err, sizeof(err)), 0);
	for (i = 0; i < (size_t)m * k; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		w[i] = (int8_t)((s >> 33) % 3) - 1;
	}
	for (i = 0; i < (size_t)n * k; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = (int8_t)(s >> 40);
	}
	cr_assert_eq(tern_layout_plan(&cfg, &l, &lo, err, sizeof(err)), 0, "%s", err);
	a.y = 256;
	a.x = (uint32_t)(a.y + ((lo.y_bytes + 255) & ~255ull));
	a.w = (uint32_t)(a.x + ((lo.x_bytes + 255) & ~255ull));
	cr_assert_eq(tern_compile(&cfg, &l, &lo, &a, &p, err, sizeof(err)), 0, "%s", err);
	args.insn_base = (uint32_t)((a.w + lo.w_bytes + 255) & ~255ull);
	args.insn_count = p.count;
	args.dma_base = 0;
	size = args.insn_base + (uint64_t)p.count * TERN_INSN_BYTES;
	args.dma_limit = (uint32_t)size;
	img = calloc(1, size);
	tern_pack_weights(&cfg, &l, &lo, w, img + a.w);
	tern_pack_acts(&cfg, &l, &lo, x, img + a.x);
	for (i = 0; junk && i < lo.w_bytes; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		img[a.w + i] = (uint8_t)(s >> 40);
	}
	memcpy(img + args.insn_base, p.insns, (size_t)p.count * TERN_INSN_BYTES);
	img2 = malloc(size);
	memcpy(img2, img, size);
	cr_assert_eq(tern_ref_run(&cfg, img, size, &args, NULL, NULL, &rf), 0);
	cr_assert_eq(tern_ref_run(&cfg, img2, size, &args, count_writes, &writes, &rs), 0);
	cr_assert(writes > 0);
	cr_assert_eq(rf.err, 0);
	cr_expect(!memcmp(img, img2, size), "%s %ux%ux%u: images differ", array, m, k, n);
	cr_expect(!memcmp(rf.counters, rs.counters, sizeof(rf.counters)), "counters differ");
	if (junk) {
		cr_expect(rf.counters[TERN_CNT_MACS_ZERO] > rf.counters[TERN_CNT_MACS] / 3,
			  "junk codes: too few zero weights counted");
		goto out;
	}
	tern_unpack_outputs(&cfg, &l, &lo, img + a.y, yf);
	tern_golden_matmul(w, x, yg, m, k, n);
	cr_expect(!memcmp(yf, yg, (size_t)n * m * 4), "fast mode differs from the golden matmul");
	/* The planes form of the golden matmul gives the same product. */
	{
		uint64_t *pl = malloc(tern_golden_plane_words(m, k) * 8);

		tern_golden_planes(w, m, k, pl);
		tern_golden_matmul_planes(pl, x, yf, m, k, n);
		cr_expect(!memcmp(yf, yg, (size_t)n * m * 4), "planes golden differs");
		free(pl);
	}
out:
	tern_program_free(&p);
	free(img);
	free(img2);
	free(w);
	free(x);
	free(yf);
	free(yg);
}

static void fast_equals_slow(const char *array, uint32_t m, uint32_t k, uint32_t n, unsigned threads,
			     enum tern_kernel kern)
{
	fast_equals_slow_w(array, m, k, n, threads, kern, 0);
}

Test(speed, ref_fast_mode_equals_one_pass)
{
	fast_equals_slow("32x32", 200, 300, 3, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("32x32", 64, 2560, 1, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("32x32", 96, 130, 2, 1, TERN_KERNEL_PLAIN);
	fast_equals_slow("8x8", 77, 100, 4, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("4x4", 13, 21, 2, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("16x16", 50, 7000, 2, 2, TERN_KERNEL_AUTO);
	/* Prefill shapes: blocks of four tokens plus a remainder, any slice. */
	fast_equals_slow("32x32", 200, 300, 9, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("32x32", 70, 1000, 6, 1, TERN_KERNEL_AUTO);
	fast_equals_slow("32x32", 40, 260, 5, 2, TERN_KERNEL_PLAIN);
	/* The AVX2 kernels, also on CPUs where AUTO picks AVX-512. */
	fast_equals_slow("32x32", 200, 300, 3, 2, TERN_KERNEL_AVX2);
	fast_equals_slow("32x32", 200, 300, 9, 2, TERN_KERNEL_AVX2);
	fast_equals_slow("32x32", 70, 1000, 6, 1, TERN_KERNEL_AVX2);
	/* Golden planes on AVX2: an odd row count (a last single row), a k tail, inputs in
	 * fours plus single ones, k below one plane word. */
	fast_equals_slow("32x32", 201, 700, 7, 2, TERN_KERNEL_AVX2);
	fast_equals_slow("32x32", 33, 1100, 5, 1, TERN_KERNEL_AVX2);
	fast_equals_slow("8x8", 9, 40, 4, 2, TERN_KERNEL_AVX2);
	/* The same shapes with the automatic choice (AVX-512 rows in fours where the CPU
	 * has it): a row count that is no multiple of four, k tails, inputs in fours plus
	 * single ones, one thread and two. */
	fast_equals_slow("32x32", 201, 700, 7, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("32x32", 33, 1100, 5, 1, TERN_KERNEL_AUTO);
	fast_equals_slow("8x8", 9, 40, 4, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("32x32", 130, 2560, 9, 2, TERN_KERNEL_AUTO);
	/* Rows of 64, 128 and 256 lanes (two, four and eight 32-lane parts per row), with
	 * row groups that do not fill the array, tokens in fours plus single ones. */
	fast_equals_slow("64x64", 150, 700, 6, 2, TERN_KERNEL_AUTO);
	/* 12 rows: slices of one row mix vector row groups with a plain tail */
	fast_equals_slow("12x64", 30, 500, 6, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("12x64", 30, 500, 5, 1, TERN_KERNEL_AVX2);
	fast_equals_slow("64x64", 70, 2560, 1, 1, TERN_KERNEL_AUTO);
	fast_equals_slow("64x64", 150, 700, 6, 2, TERN_KERNEL_AVX2);
	fast_equals_slow("8x128", 21, 900, 5, 2, TERN_KERNEL_AUTO);
	fast_equals_slow("4x256", 9, 1100, 4, 1, TERN_KERNEL_AUTO);
	fast_equals_slow("16x256", 40, 600, 2, 2, TERN_KERNEL_AVX2);
}

/* Any byte in the weight region, code 3 included, reads the same in every mode. */
Test(speed, ref_fast_mode_reserved_codes)
{
	static const enum tern_kernel kr[3] = { TERN_KERNEL_PLAIN, TERN_KERNEL_AUTO,
						TERN_KERNEL_AVX2 };
	int i;

	for (i = 0; i < 3; i++) {
		fast_equals_slow_w("32x32", 200, 300, 1, 2, kr[i], 1);
		fast_equals_slow_w("32x32", 200, 300, 9, 2, kr[i], 1);
		fast_equals_slow_w("64x64", 150, 300, 5, 2, kr[i], 1);
	}
}

/* A run told to compute only the last position's logits gets exactly those. */
Test(speed, last_position_logits_only)
{
	struct tern_model *m = NULL;
	struct tern_run *r[2];
	uint32_t tok[NPROMPT] = { 7, 99, 5, 300, 1 }, V, i, nz = 0;
	char err[256];
	int k;

	cr_assert_eq(tern_zoo_open("tiny", &m, err, sizeof(err)), 0, "%s", err);
	V = m->cfg.n_vocab;
	for (k = 0; k < 2; k++) {
		cr_assert_eq(tern_run_new(&m->cfg, 32, NPROMPT, TERN_QUANT_A158, tern_mm_golden,
					  &r[k]), 0);
		tern_run_logits_last_only(r[k], k);
		cr_assert_eq(tern_forward(m, &r[k], 1, tok, NPROMPT, NULL, err, sizeof(err)),
			     TERN_FWD_OK, "%s", err);
	}
	cr_expect(!memcmp(tern_run_logits(r[0], NPROMPT - 1), tern_run_logits(r[1], NPROMPT - 1),
			  V * sizeof(float)), "last position's logits differ");
	for (i = 0; i < V; i++) {
		nz += tern_run_logits(r[0], NPROMPT - 1)[i] != 0.0f;
		cr_assert(tern_run_logits(r[1], 0)[i] == 0.0f, "position 0 was computed");
	}
	cr_assert(nz > V / 2);
	/* tern_run_normed is the projection's input (what the model check compares where no
	 * logits were made): both runs have the same states, and E[v] . state = logit. */
	{
		uint32_t d = m->cfg.n_embd, v, k;
		float *row = malloc(d * sizeof(float));

		for (i = 0; i < NPROMPT; i++)
			cr_assert(!memcmp(tern_run_normed(r[0], i), tern_run_normed(r[1], i),
					  d * sizeof(float)), "normed states differ at %u", i);
		for (v = 0; v < V; v += 37) {
			const float *h = tern_run_normed(r[0], 1);
			double dot = 0.0, lg = tern_run_logits(r[0], 1)[v];

			cr_assert_eq(m->ops->embd_row(m, v, row, err, sizeof(err)), 0, "%s", err);
			for (k = 0; k < d; k++)
				dot += (double)row[k] * h[k];
			cr_expect(dot - lg < 1e-3 * (1.0 + (lg < 0 ? -lg : lg)) &&
				  lg - dot < 1e-3 * (1.0 + (lg < 0 ? -lg : lg)),
				  "logit %u: %g, E . normed state %g", v, lg, dot);
		}
		free(row);
	}
	tern_run_free(r[0]);
	tern_run_free(r[1]);
	tern_model_free(m);
}
