/*
 * One BitLinear layer on a device, checked: plan and compile (compiler/), pack and copy
 * the data, run, read back, and compare with the golden untiled matmul (ref/). This is
 * the level-2 "layer" check of DESIGN.md; level 1 (lockstep) happens inside the
 * verilator backend during the run. Used by `tern gemm` and by the model forward pass.
 */
#ifndef TERN_GEMM_H
#define TERN_GEMM_H

#include "tern_compile.h"
#include "tern_driver.h"

struct tern_gemm_result {
	struct tern_status st;   /* device status and counters */
	struct tern_layout lo;   /* tiling chosen */
	uint32_t insns;          /* instructions in the program */
	int golden_checked;      /* 1 when the golden comparison ran */
	int golden_ok;           /* 1 when every output equals the golden matmul */
	uint32_t bad_n, bad_m;   /* first differing output (golden_ok == 0) */
	int32_t expected, actual;
	struct tern_tile mm_tile; /* tile of the lockstep mismatch or device error */
	char detail[256];        /* backend's one-line description of a mismatch */
};

/*
 * Run Y = X W^T for layer l on d. y (N x M) receives the device's result even when it
 * is wrong. golden: 1 to run the layer check. Returns 0 when the run completed (look
 * at r->st.err, r->st.mismatch and r->golden_ok), -1 with a one-line reason in err when
 * it could not run (shape does not fit, device memory, backend failure).
 */
int tern_gemm_run(struct tern_dev *d, const struct tern_layer *l, const int8_t *w,
		  const int8_t *x, int32_t *y, int golden, struct tern_gemm_result *r,
		  char *err, size_t errlen);

/* 1 when the result passed every check that ran. */
int tern_gemm_ok(const struct tern_gemm_result *r);

/*
 * Resident layers (whole models): each layer's weights are packed into device memory
 * once, on its first run, and stay there; its program is compiled once per token
 * count N. Later runs only copy the activations in and the outputs out. Layer `id`
 * is the caller's (the forward pass uses layer * 7 + which). Device memory holds the
 * output and activation regions first (x_cap, y_cap bytes: the largest layer at the
 * largest N), then the weights and programs, so no STORE range ever lies between two
 * LOAD ranges and the reference model's fast mode applies (ref/tern_ref_fast.c).
 */
struct tern_gemm_cache;

int tern_gemm_cache_new(struct tern_dev *d, uint32_t n_ids, uint64_t x_cap, uint64_t y_cap,
			struct tern_gemm_cache **out, char *err, size_t errlen);
void tern_gemm_cache_free(struct tern_gemm_cache *c);

/*
 * As tern_gemm_run for layer `id`. w (M x K int8) is read only on the layer's first run
 * (NULL later is fine). planes: the layer's golden bit planes (tern_golden_planes) for
 * the layer check, or NULL for no check.
 */
int tern_gemm_run_resident(struct tern_gemm_cache *c, uint32_t id, const struct tern_layer *l,
			   const int8_t *w, const uint64_t *planes, const int8_t *x, int32_t *y,
			   struct tern_gemm_result *r, char *err, size_t errlen);

/*
 * The golden product of layer id for x (N x K): y = tern_golden_matmul_planes(planes, x).
 * When the last layer check of this cache was for the same id and byte-identical x, its
 * golden result is copied instead of recomputed (the golden matmul is a pure function
 * of planes and x, so the result is the same bits); a model check's golden pass then
 * costs no second golden product.
 */
void tern_gemm_golden(struct tern_gemm_cache *c, uint32_t id, const struct tern_layer *l,
		      const uint64_t *planes, const int8_t *x, int32_t *y);

/* Device bytes the weights of layer l take once packed (0 if it does not fit). */
uint64_t tern_gemm_weight_bytes(const struct tern_hw_config *cfg, const struct tern_layer *l);

#endif /* TERN_GEMM_H */
