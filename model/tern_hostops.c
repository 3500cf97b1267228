/*
 * Host ops: everything in a BitNet block that is not a BitLinear, in plain C floats.
 *
 * These run identically in the device pass and in the golden pass of a model run, so
 * the model-level check (bit-identical logits) compares only what the device computed.
 * Nothing here depends on the FPU rounding mode: round-half-to-even is written out,
 * and loops run in a fixed order (no reassociation), so results are reproducible on
 * any IEEE-754 host. The quantizers follow BitNet's reference code: scales are
 * computed per token, the clamp on max|x| (1e-5) avoids a division by zero.
 */
#include <math.h>
#include <string.h>

#include "tern_model.h"
#include "tern_pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#define SCALE_MIN 1e-5f

/*
 * Written out instead of rintf, whose result depends on the rounding mode, and without
 * libm calls. The integer steps are exact below 2^23, where floats still have a
 * fraction; from there on (and for inf and NaN) x is its own rounding. Zero keeps its
 * sign, and (-0.5, 0) gives +0, as floorf(x) + 1 does.
 */
static inline float round_half_even(float x)
{
	float f, d;

	if (!(fabsf(x) < 8388608.0f) || x == 0.0f)
		return x;
	f = (float)(int32_t)x; /* toward zero */
	if (f > x)
		f -= 1.0f; /* floor */
	d = x - f;     /* exact */
	if (d > 0.5f)
		return f + 1.0f;
	if (d < 0.5f)
		return f;
	return ((int32_t)f & 1) ? f + 1.0f : f;
}

float tern_round_half_even(float x)
{
	return round_half_even(x);
}

void tern_rmsnorm(const float *x, const float *w, float *y, uint32_t n, float eps)
{
	double ss = 0.0;
	float r;
	uint32_t i;

	for (i = 0; i < n; i++)
		ss += (double)x[i] * x[i];
	r = (float)(1.0 / sqrt(ss / n + eps));
	for (i = 0; i < n; i++)
		y[i] = x[i] * r * w[i];
}

void tern_rope_neox(float *v, uint32_t n_head, uint32_t head_dim, uint32_t pos, float theta)
{
	uint32_t h, i, half = head_dim / 2;

	for (i = 0; i < half; i++) {
		double ang = pos * pow(theta, -2.0 * i / head_dim);
		float c = (float)cos(ang), s = (float)sin(ang);

		for (h = 0; h < n_head; h++) {
			float *p = v + (size_t)h * head_dim;
			float a = p[i], b = p[i + half];

			p[i] = a * c - b * s;
			p[i + half] = a * s + b * c;
		}
	}
}

void tern_softmax(float *x, uint32_t n)
{
	float mx = x[0];
	double sum = 0.0;
	uint32_t i;

	for (i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	for (i = 0; i < n; i++) {
		x[i] = expf(x[i] - mx);
		sum += x[i];
	}
	for (i = 0; i < n; i++)
		x[i] = (float)(x[i] / sum);
}

void tern_attention_head(const float *q, const float *kc, const float *vc, uint32_t pos,
			 uint32_t h, uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim,
			 float *out, float *scores)
{
	uint32_t kv_dim = n_head_kv * head_dim, t, i;
	float scale = 1.0f / sqrtf((float)head_dim);
	const float *qh = q + (size_t)h * head_dim;
	size_t koff = (size_t)(h / (n_head / n_head_kv)) * head_dim;
	float *o = out + (size_t)h * head_dim;

	for (t = 0; t <= pos; t++) {
		const float *kh = kc + (size_t)t * kv_dim + koff;
		float s = 0.0f;

		for (i = 0; i < head_dim; i++)
			s += qh[i] * kh[i];
		scores[t] = s * scale;
	}
	tern_softmax(scores, pos + 1);
	memset(o, 0, head_dim * sizeof(*o));
	for (t = 0; t <= pos; t++) {
		const float *vh = vc + (size_t)t * kv_dim + koff;

		for (i = 0; i < head_dim; i++)
			o[i] += scores[t] * vh[i];
	}
}

void tern_attention(const float *q, const float *kc, const float *vc, uint32_t pos,
		    uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim, float *out,
		    float *scores)
{
	uint32_t h;

	for (h = 0; h < n_head; h++)
		tern_attention_head(q, kc, vc, pos, h, n_head, n_head_kv, head_dim, out, scores);
}

void tern_glu(float *gate, const float *up, uint32_t n, uint32_t act)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		float g = gate[i];

		if (act == TERN_ACT_RELU2)
			g = g > 0.0f ? g * g : 0.0f;
		else
			g = g / (1.0f + expf(-g));
		gate[i] = g * up[i];
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The same, eight at a time: the quantizers see every activation of every layer, and
 * the scalar rounding's data-dependent branches mispredict on half of them. vroundps
 * takes round-to-nearest-even from its immediate, not from MXCSR, so this too is
 * independent of the rounding mode; the product is the same IEEE single multiply, and
 * clamping before the conversion keeps every value in range. Only the sign of a zero
 * can differ from the scalar rounding, and both become the int8 0; NaN becomes 0 in both.
 */
__attribute__((target("avx2")))
static uint32_t quant_apply_avx2(const float *x, uint32_t n, float s, int lo, int hi, int8_t *q)
{
	const __m256 vs = _mm256_set1_ps(s), vlo = _mm256_set1_ps((float)lo);
	const __m256 vhi = _mm256_set1_ps((float)hi);
	int32_t t[8];
	uint32_t i, j;

	for (i = 0; i + 8 <= n; i += 8) {
		__m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs),
					   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);

		/* NaN (a NaN or infinite activation) -> 0, as in the scalar loop */
		r = _mm256_andnot_ps(_mm256_cmp_ps(r, r, _CMP_UNORD_Q), r);
		r = _mm256_min_ps(_mm256_max_ps(r, vlo), vhi);
		_mm256_storeu_si256((__m256i *)t, _mm256_cvttps_epi32(r));
		for (j = 0; j < 8; j++)
			q[i + j] = (int8_t)t[j];
	}
	return i;
}
#endif

/* q[i] = clamp(round_half_even(x[i] * s), lo, hi) */
static void quant_apply(const float *x, uint32_t n, float s, int lo, int hi, int8_t *q)
{
	uint32_t i = 0;

#if defined(__x86_64__) && defined(__GNUC__)
	if (tern_kernel_avx2())
		i = quant_apply_avx2(x, n, s, lo, hi, q);
#endif
	for (; i < n; i++) {
		float r = round_half_even(x[i] * s);

		/* NaN (from a NaN activation, or an infinite one with scale 0) gives 0: one
		 * defined code for both paths instead of an out-of-range conversion */
		q[i] = r != r ? 0 : (int8_t)(r < lo ? lo : r > hi ? hi : r);
	}
}

float tern_quant_a8(const float *x, uint32_t n, int8_t *q)
{
	float mx = 0.0f, s;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (fabsf(x[i]) > mx)
			mx = fabsf(x[i]);
	s = 127.0f / (mx > SCALE_MIN ? mx : SCALE_MIN);
	quant_apply(x, n, s, -128, 127, q);
	return s;
}

/* BitNet a4.8: beta = mean|x|, xq = RoundClip(sqrt(7) x / beta, -8, 7). */
float tern_quant_a4(const float *x, uint32_t n, int8_t *q)
{
	double sum = 0.0;
	float beta, s;
	uint32_t i;

	for (i = 0; i < n; i++)
		sum += fabsf(x[i]);
	beta = (float)(sum / n);
	s = sqrtf(7.0f) / (beta > SCALE_MIN ? beta : SCALE_MIN);
	quant_apply(x, n, s, -8, 7, q);
	return s;
}

static void sort_desc(float *a, uint32_t n)
{
	uint32_t gap, i, j;

	/* Shell sort: no allocation, no callback; n is at most a few thousand. */
	for (gap = n / 2; gap > 0; gap /= 2)
		for (i = gap; i < n; i++) {
			float v = a[i];

			for (j = i; j >= gap && a[j - gap] < v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
}

/*
 * Keep exactly keep = ceil(n/2) entries: every |x| above the keep-th largest, then
 * entries equal to it in index order, so ties are deterministic. The rest become 0
 * before the int8 absmax quantization (the max is among the kept values anyway).
 */
float tern_quant_a8_top50(const float *x, uint32_t n, int8_t *q, float *tmp)
{
	uint32_t keep = (n + 1) / 2, kept = 0, i;
	float thr, s;

	for (i = 0; i < n; i++)
		tmp[i] = fabsf(x[i]);
	sort_desc(tmp, n);
	thr = tmp[keep - 1];
	for (i = 0; i < n; i++)
		kept += fabsf(x[i]) > thr;
	for (i = 0; i < n; i++) {
		float a = fabsf(x[i]);

		if (a > thr || (a == thr && kept < keep)) {
			tmp[i] = x[i];
			kept += a == thr;
		} else {
			tmp[i] = 0.0f;
		}
	}
	s = tern_quant_a8(tmp, n, q);
	return s;
}

void tern_dequant(const int32_t *acc, uint32_t n, float wscale, float act_scale, float *y)
{
	float f = wscale / act_scale;
	uint32_t i;

	for (i = 0; i < n; i++)
		y[i] = (float)acc[i] * f;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* a ranks before b: larger logit, or equal logit and lower id. */
static int before(const float *l, uint32_t a, uint32_t b)
{
	return l[a] > l[b] || (l[a] == l[b] && a < b);
}

uint32_t tern_sample(const float *logits, uint32_t n, uint32_t top_k, uint64_t *rng,
		     uint32_t *idx)
{
	uint32_t i, j, cnt = 0, best = 0;
	double sum = 0.0, u, acc = 0.0;

	if (top_k <= 1) {
		for (i = 1; i < n; i++)
			if (before(logits, i, best))
				best = i;
		return best;
	}
	if (top_k > n)
		top_k = n;
	/* Insertion into a sorted top-k list: O(n k), fine for k in the tens. */
	for (i = 0; i < n; i++) {
		if (cnt == top_k && !before(logits, i, idx[cnt - 1]))
			continue;
		j = cnt < top_k ? cnt++ : cnt - 1;
		for (; j > 0 && before(logits, i, idx[j - 1]); j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	for (i = 0; i < cnt; i++)
		sum += exp((double)logits[idx[i]] - logits[idx[0]]);
	u = (double)(splitmix(rng) >> 11) * 0x1.0p-53 * sum;
	for (i = 0; i < cnt; i++) {
		acc += exp((double)logits[idx[i]] - logits[idx[0]]);
		if (u < acc)
			return idx[i];
	}
	return idx[cnt - 1];
}
