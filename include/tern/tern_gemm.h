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

#endif /* TERN_GEMM_H */
