/*
 * The output head on the array (model/tern_head.c): balanced-ternary digit planes run
 * as one ordinary ternary GEMM on a device, combined with shifts and adds, must equal
 * an integer matvec of the quantized head weights computed here with plain int64 loops
 * (no tern code), bit for bit; the digits must be in {-1, 0, 1} and recompose q; and
 * the quantized row must be within half a step of the float row where it is not clipped.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tern_driver.h"
#include "tern_gemm.h"
#include "tern_model.h"

static uint32_t rng = 777u;

static uint32_t next(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng >> 8;
}

/* A float in (-1, 1) with a heavier tail now and then, like an embedding row. */
static float randf(void)
{
	float u = (float)(next() % 20001) / 10000.0f - 1.0f;

	return next() % 16 == 0 ? 3.0f * u : u;
}

Test(head, digits_recompose)
{
	uint32_t planes;

	for (planes = 2; planes <= 3; planes++) {
		int32_t qmax = tern_head_levels(planes), q[64];
		int8_t t[3 * 64];
		uint32_t i, p;

		cr_assert_eq(qmax, planes == 2 ? 4 : 13);
		for (i = 0; i < 64; i++)
			q[i] = (int32_t)(i % (2 * qmax + 1)) - qmax;
		tern_head_digits(q, 64, planes, t, 64);
		for (i = 0; i < 64; i++) {
			int64_t v = 0, pw = 1;

			for (p = 0; p < planes; p++, pw *= 3) {
				cr_assert(t[p * 64 + i] >= -1 && t[p * 64 + i] <= 1);
				v += pw * t[p * 64 + i];
			}
			cr_assert_eq(v, q[i], "planes %u: q %d recomposes to %lld", planes, q[i],
				     (long long)v);
		}
	}
}

Test(head, quant_row_within_half_step)
{
	float w[300];
	int32_t q[300];
	uint32_t i, planes;

	for (i = 0; i < 300; i++)
		w[i] = randf();
	for (planes = 2; planes <= 3; planes++) {
		int32_t qmax = tern_head_levels(planes);
		float s = tern_head_quant_row(w, 300, planes, q);

		cr_assert(s > 0.0f);
		for (i = 0; i < 300; i++) {
			cr_assert(q[i] >= -qmax && q[i] <= qmax);
			if (q[i] > -qmax && q[i] < qmax) /* not clipped */
				cr_assert(fabs((double)w[i] - (double)s * q[i]) <= 0.5001 * s,
					  "w %g q %d s %g", w[i], q[i], s);
		}
	}
}

/* backend, config: the head of a V x K embedding on the array equals the int64 matvec. */
static void head_on_array(const char *backend, const char *array, uint32_t planes, uint32_t V,
			  uint32_t K, uint32_t N)
{
	struct tern_dev_opts o;
	struct tern_dev *d;
	struct tern_gemm_result r;
	struct tern_layer l = { planes * V, K, N, TERN_WFMT_2BIT };
	float *w = malloc((size_t)V * K * sizeof(float));
	int32_t *q = malloc((size_t)V * K * sizeof(int32_t));
	int8_t *t = malloc((size_t)planes * V * K), *x = malloc((size_t)N * K);
	int32_t *acc = malloc((size_t)N * planes * V * sizeof(int32_t));
	int32_t *tr = malloc((size_t)planes * V * sizeof(int32_t)), *y = malloc(V * sizeof(int32_t));
	char err[300];
	uint32_t v, k, n;

	cr_assert(w && q && t && x && acc && tr && y);
	for (size_t i = 0; i < (size_t)V * K; i++)
		w[i] = randf();
	for (size_t i = 0; i < (size_t)N * K; i++)
		x[i] = (int8_t)(next() & 0xff);
	/* independent of the row order: row v's digits go to rows p*V + v of the planes */
	for (v = 0; v < V; v++) {
		tern_head_quant_row(w + (size_t)v * K, K, planes, q + (size_t)v * K);
		tern_head_digits(q + (size_t)v * K, K, planes, t + (size_t)v * K, (size_t)V * K);
	}
	memset(&o, 0, sizeof(o));
	o.backend = backend;
	o.quiet = 1;
	cr_assert_eq(tern_parse_array(array, &o.cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_dev_open(&o, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tern_gemm_run(d, &l, t, x, acc, 1, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert(tern_gemm_ok(&r), "%s %s: device error %u or layer check failed", backend, array,
		  r.st.err);
	for (n = 0; n < N; n++) {
		/* token n's products are row n of acc (N x planes*V) */
		memcpy(tr, acc + (size_t)n * planes * V, (size_t)planes * V * sizeof(int32_t));
		tern_head_combine(tr, planes, V, y);
		for (v = 0; v < V; v++) {
			int64_t want = 0;

			for (k = 0; k < K; k++)
				want += (int64_t)q[(size_t)v * K + k] * x[(size_t)n * K + k];
			cr_assert_eq((int64_t)y[v], want, "%s %s t%u: token %u row %u: %d, want %lld",
				     backend, array, planes, n, v, y[v], (long long)want);
		}
	}
	tern_dev_close(d);
	free(w);
	free(q);
	free(t);
	free(x);
	free(acc);
	free(tr);
	free(y);
}

Test(head, t2_on_the_array_is_exact)
{
	head_on_array("ref", "8x8", 2, 70, 100, 1);
	head_on_array("fast", "16x16", 2, 53, 300, 3);
}

Test(head, t3_on_the_array_is_exact)
{
	head_on_array("ref", "32x32", 3, 97, 257, 2);
	head_on_array("fast", "4x4", 3, 9, 33, 1);
}
