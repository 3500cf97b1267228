/*
 * Golden matmul for the layer check (DESIGN.md "Checking", level 2): the final output
 * of every compiled layer must equal this plain, untiled product of the unpacked
 * weights and activations. It deliberately shares no code with the tiled path in
 * tern_ref_exec.c, so a tiling or buffer-layout bug cannot cancel out.
 *
 * Arithmetic is int32 wrapping modulo 2^32, as the hardware does; for K <= 2^24 (every
 * real layer) nothing wraps and the result is the exact integer sum. Rows of W and X
 * are contiguous in k, so k is the innermost loop; partial sums run in int32 over
 * blocks short enough never to overflow and are combined in uint32.
 */
#include <stddef.h>

#include "tern_ref.h"

/* |w*x| <= 128 over 2^22 terms stays below 2^31. */
#define GOLDEN_BLOCK ((size_t)1 << 22)
#define GOLDEN_LANES 8

/* sum_k w[k]*x[k] over one block; eight running sums let the compiler vectorise. */
static int32_t golden_block(const int8_t *w, const int8_t *x, size_t len)
{
	int32_t s[GOLDEN_LANES] = { 0 };
	int32_t t = 0;
	size_t k = 0, j;

	for (; k + GOLDEN_LANES <= len; k += GOLDEN_LANES)
		for (j = 0; j < GOLDEN_LANES; j++)
			s[j] += w[k + j] * x[k + j];
	for (; k < len; k++)
		t += w[k] * x[k];
	for (j = 0; j < GOLDEN_LANES; j++)
		t += s[j];
	return t;
}

void tern_golden_matmul(const int8_t *w, const int8_t *x, int32_t *y,
			uint32_t m, uint32_t k, uint32_t n)
{
	uint32_t i, j;
	size_t off, len;

	for (j = 0; j < n; j++) {
		const int8_t *xr = x + (size_t)j * k;

		for (i = 0; i < m; i++) {
			const int8_t *wr = w + (size_t)i * k;
			uint32_t acc = 0;

			for (off = 0; off < k; off += len) {
				len = k - off < GOLDEN_BLOCK ? k - off : GOLDEN_BLOCK;
				acc += (uint32_t)golden_block(wr + off, xr + off, len);
			}
			y[(size_t)j * m + i] = (int32_t)acc;
		}
	}
}
