/*
 * tern_pool: the worker threads and the kernel choice every fast path shares (the
 * reference model's row slices, the golden matmul, the host output projection).
 *
 * One process-wide pool, because the caller (tern run --threads N) decides the thread
 * count once and every layer after that reuses the same sleeping workers: creating
 * threads per layer would cost more than a decode-sized layer takes. Work is split
 * into `parts` fixed by the caller and never by timing, so which thread runs a part
 * cannot change a result: every kernel computes each output with the same arithmetic
 * in the same order whatever the thread count (tests/unit/test_speed.c checks it).
 *
 * The kernel choice (TERN_KERNEL_AUTO: vectorized code when the CPU has it, checked
 * at run time; TERN_KERNEL_PLAIN: the portable C loops; TERN_KERNEL_AVX2: AVX2 even
 * on an AVX-512 CPU) exists so the tests can run
 * both and show they agree bit for bit.
 */
#ifndef TERN_POOL_H
#define TERN_POOL_H

#include <stdint.h>

/* AVX2: the AVX2 kernels even where AVX-512 is there, so tests reach all three. */
enum tern_kernel { TERN_KERNEL_AUTO = 0, TERN_KERNEL_PLAIN = 1, TERN_KERNEL_AVX2 = 2 };

/* Threads the fast paths use (1 = none started). Set before work is submitted; 0 means
 * the number of online CPUs. Returns the count in effect. */
unsigned tern_pool_set_threads(unsigned n);
unsigned tern_pool_threads(void);

void tern_kernel_set(enum tern_kernel k);
enum tern_kernel tern_kernel_get(void);
/* 1 when AVX-512 (F, BW, VNNI) may be used: the CPU has it and the choice is AUTO. */
int tern_kernel_avx512(void);
/* 1 when AVX2 (with F16C and POPCNT) may be used: the fallback vector kernels for CPUs
 * without AVX-512 (most AMD parts before Zen 4), same bits as the plain loops. */
int tern_kernel_avx2(void);

/* Run fn(ctx, part, parts) for part = 0..parts-1, spread over the pool; returns when
 * all parts are done. Parts run concurrently: each must write only its own outputs. */
typedef void (*tern_pool_fn)(void *ctx, unsigned part, unsigned parts);
void tern_pool_run(tern_pool_fn fn, void *ctx, unsigned parts);

#endif /* TERN_POOL_H */
