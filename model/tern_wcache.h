/*
 * Private interface of the resident weights (tern_wcache.c) for the forward pass.
 */
#ifndef TERN_WCACHE_H
#define TERN_WCACHE_H

#include "tern_model.h"

/* BitLinear weights: fetched from the source on first use (then *fresh = 1 and w holds
 * them), else rebuilt into w from the planes when want_w. 0 or -1 with err. */
int tern_wcache_linear(struct tern_model *m, uint32_t layer, uint32_t which, int8_t *w,
		       int want_w, float *scale, int *fresh, char *err, size_t errlen);
/* out[i][v] = E[v] . h[i], i < nh, over the whole vocabulary, on the worker pool. */
int tern_wcache_logits(struct tern_model *m, const float *const *h, float *const *out,
		       uint32_t nh, char *err, size_t errlen);
/* Token tok's embedding row into dst (n_embd floats): the resident copy when loaded,
 * else the model's source. 0 or -1 with err. */
int tern_wcache_embd_row(struct tern_model *m, uint32_t tok, float *dst, char *err,
			 size_t errlen);

#endif /* TERN_WCACHE_H */
