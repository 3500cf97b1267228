/*
 * The one hardware-config validity rule (tern_hw_config_check, generated from
 * isa/tern_isa.json config.limits/rules). Accepted configs over a grid (small, non-square,
 * bus widths from the smallest allowed to 128, buffer and queue depths at their limits)
 * run a layer end to end through the driver on the ref and fast backends and give
 * exactly the product of plain int64 loops written here (no tern code). Refused configs
 * get the same one-line message from the driver, the reference model and the compiler.
 * (The CLI's --config option is another helper's work; this goes through the C API.)
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tern_compile.h"
#include "tern_driver.h"
#include "tern_gemm.h"
#include "tern_ref.h"

static uint32_t rng = 12345u;

static uint32_t next(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

/* Y[n][m] = sum_k W[m][k] * X[n][k] in int64, then checked to fit int32. */
static void plain_matmul(const int8_t *w, const int8_t *x, int64_t *y, uint32_t m, uint32_t k,
			 uint32_t n)
{
	for (uint32_t t = 0; t < n; t++)
		for (uint32_t o = 0; o < m; o++) {
			int64_t s = 0;

			for (uint32_t i = 0; i < k; i++)
				s += (int64_t)w[(size_t)o * k + i] * x[(size_t)t * k + i];
			y[(size_t)t * m + o] = s;
		}
}

static void run_layer(const char *backend, const struct tern_hw_config *c, uint32_t m, uint32_t k,
		      uint32_t n)
{
	struct tern_dev_opts o;
	struct tern_dev *d;
	struct tern_layer l = { m, k, n, 0 };
	struct tern_gemm_result r;
	char err[256];
	int8_t *w = malloc((size_t)m * k), *x = malloc((size_t)n * k);
	int32_t *y = calloc((size_t)m * n, sizeof(*y));
	int64_t *want = calloc((size_t)m * n, sizeof(*want));

	cr_assert(w && x && y && want);
	for (size_t i = 0; i < (size_t)m * k; i++)
		w[i] = (int8_t)((int)(next() % 3) - 1);
	for (size_t i = 0; i < (size_t)n * k; i++)
		x[i] = (int8_t)(next() & 0xff);
	plain_matmul(w, x, want, m, k, n);
	memset(&o, 0, sizeof(o));
	o.backend = backend;
	o.cfg = *c;
	o.quiet = 1;
	cr_assert_eq(tern_dev_open(&o, &d, err, sizeof(err)), 0, "%s %ux%u: %s", backend, c->rows,
		     c->lanes, err);
	cr_assert_eq(tern_gemm_run(d, &l, w, x, y, 0, &r, err, sizeof(err)), 0,
		     "%s %ux%u bus %u: %s", backend, c->rows, c->lanes, c->bus_bytes, err);
	cr_assert_eq(r.st.err, TERN_ERR_OK, "%s: device error %u", backend, r.st.err);
	for (size_t i = 0; i < (size_t)m * n; i++)
		cr_assert_eq((int64_t)y[i], want[i], "%s %ux%u bus %u: y[%zu] = %d, want %lld",
			     backend, c->rows, c->lanes, c->bus_bytes, i, y[i], (long long)want[i]);
	tern_dev_close(d);
	free(w);
	free(x);
	free(y);
	free(want);
}

/* rows, lanes, wbuf, abuf, acc, bus, queue */
static const struct tern_hw_config grid[] = {
	{ 4, 1, 2, 2, 2, 16, 2 },             /* smallest array, depths and queue */
	{ 4, 3, 16, 64, 8, 16, 2 },           /* non-square, smallest bus */
	{ 12, 20, 100, 300, 50, 16, 4 },      /* non-power-of-two array and depths */
	{ 8, 8, 64, 128, 32, 32, 256 },       /* largest queue */
	{ 20, 12, 64, 256, 64, 16, 8 },
	{ 32, 8, 65535, 65535, 65535, 128, 16 }, /* bus 128, largest depths */
	{ 64, 16, 512, 8192, 512, 128, 16 },  /* bus 128 */
	{ 16, 64, 256, 1024, 64, 64, 3 },
	{ 4, 256, 64, 256, 16, 16, 8 },       /* widest lanes */
	{ 256, 4, 64, 256, 16, 128, 8 },      /* most rows */
};

Test(config, grid_runs_exact_on_ref_and_fast, .timeout = 0)
{
	for (size_t i = 0; i < sizeof(grid) / sizeof(grid[0]); i++) {
		const struct tern_hw_config *c = &grid[i];
		uint32_t m = 2 * c->rows + 3, k = 3 * c->lanes + 5, n = 3;

		/*
		 * Depth-2 buffers hold one K-chunk per half: only K <= LANES fits (a longer K
		 * is refused as "layer does not fit", a property of the shape, not the config).
		 */
		if (c->wbuf_depth < 4 || c->abuf_depth < 4)
			k = c->lanes;

		cr_assert_eq(tern_hw_config_check(c, NULL, 0), 0, "grid %zu: %s", i,
			     tern_hw_config_why(c));
		run_layer("ref", c, m, k, n);
		run_layer("fast", c, m, k, n);
	}
}

/* Every preset of the definition is valid under the rule. */
Test(config, presets_valid)
{
	for (int i = 0; i < TERN_PRESET_COUNT; i++)
		cr_assert_null(tern_hw_config_why(&tern_hw_presets[i].cfg), "%s",
			       tern_hw_presets[i].name);
}

static void expect_same_refusal(struct tern_hw_config c, const char *part)
{
	struct tern_dev_opts o;
	struct tern_dev *d = NULL;
	struct tern_layer l = { 8, 8, 1, 0 };
	struct tern_layout lo;
	char e_drv[256] = "", e_ref[256] = "", e_cmp[256] = "";
	const char *why = tern_hw_config_why(&c);

	cr_assert_not_null(why, "expected refusal (%s)", part);
	cr_assert(strstr(why, part), "'%s' lacks '%s'", why, part);
	cr_assert(!strchr(why, '\n'));
	memset(&o, 0, sizeof(o));
	o.backend = "ref";
	o.cfg = c;
	cr_assert_eq(tern_dev_open(&o, &d, e_drv, sizeof(e_drv)), -1);
	cr_assert_null(d);
	cr_assert_eq(tern_ref_config_check(&c, e_ref, sizeof(e_ref)), -1);
	cr_assert_eq(tern_ref_config_valid(&c), 0);
	cr_assert_eq(tern_layout_plan(&c, &l, &lo, e_cmp, sizeof(e_cmp)), -1);
	cr_assert_str_eq(e_drv, why);
	cr_assert_str_eq(e_ref, why);
	cr_assert_str_eq(e_cmp, why);
	o.backend = "fast";
	cr_assert_eq(tern_dev_open(&o, &d, e_drv, sizeof(e_drv)), -1);
	cr_assert_str_eq(e_drv, why);
}

Test(config, refused_same_message_everywhere)
{
	const struct tern_hw_config ok = { 32, 32, 512, 8192, 512, 32, 16 };
	struct tern_hw_config c;

	cr_assert_null(tern_hw_config_why(&ok));
	c = ok; c.bus_bytes = TERN_BUS_BYTES_MAX * 2;   expect_same_refusal(c, "BUS_BYTES");
	c = ok; c.bus_bytes = TERN_BUS_BYTES_MIN / 2;   expect_same_refusal(c, "BUS_BYTES");
	c = ok; c.bus_bytes = 48;                       expect_same_refusal(c, "power of two");
	c = ok; c.rows = 4;                             expect_same_refusal(c, "divide ROWS*4");
	c = ok; c.rows = 0;                             expect_same_refusal(c, "ROWS");
	c = ok; c.lanes = TERN_LANES_MAX + 1;           expect_same_refusal(c, "LANES");
	c = ok; c.wbuf_depth = TERN_WBUF_DEPTH_MIN - 1; expect_same_refusal(c, "WBUF_DEPTH");
	c = ok; c.abuf_depth = TERN_ABUF_DEPTH_MAX + 1; expect_same_refusal(c, "ABUF_DEPTH");
	c = ok; c.acc_depth = 0;                        expect_same_refusal(c, "ACC_DEPTH");
	c = ok; c.queue_depth = TERN_QUEUE_DEPTH_MAX + 1; expect_same_refusal(c, "QUEUE_DEPTH");
	c = ok; c.rows = 256; c.lanes = 256; c.bus_bytes = 128;
	expect_same_refusal(c, "ROWS*LANES");
}

/* The driver's allocator aligns to the config's bus width (the ISA's DMA alignment). */
Test(config, alloc_aligned_to_bus)
{
	struct tern_dev_opts o;
	struct tern_dev *d;
	char err[256];
	uint32_t a, b;

	memset(&o, 0, sizeof(o));
	o.backend = "ref";
	o.cfg = (struct tern_hw_config){ 32, 8, 64, 64, 64, 128, 4 };
	cr_assert_eq(tern_dev_open(&o, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_dev_alloc(d, 1, &a), 0);
	cr_assert_eq(tern_dev_alloc(d, 3, &b), 0);
	cr_assert_eq(a % 128, 0);
	cr_assert_eq(b % 128, 0);
	cr_assert_eq(b, a + 128);
	tern_dev_close(d);
}
