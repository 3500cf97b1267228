/*
 * The shared worker pool and kernel switch (tern_pool.h). Workers sleep on a condition
 * variable between jobs; a job is one function and a part count, and each part is
 * claimed once through a counter under the mutex, so the split of the work is fixed by
 * the caller and only the assignment of parts to threads varies.
 *
 * Shared state: everything in `pool` is guarded by pool.mu, except `threads` and the
 * kernel choice, which are written only by tern_pool_set_threads / tern_kernel_set
 * while no job runs (the CLI sets them before the first layer).
 */
#include <pthread.h>
#include <unistd.h>

#include "tern_pool.h"

#define POOL_MAX 64

static struct {
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned threads;      /* configured count (1 = caller only) */
	unsigned started;      /* workers created so far */
	uint64_t gen;          /* job generation; workers wait for a new one */
	tern_pool_fn fn;
	void *ctx;
	unsigned parts, next, left;
	pthread_t tid[POOL_MAX];
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	   1, 0, 0, 0, 0, 0, 0, 0, { 0 } };

static enum tern_kernel kernel_choice = TERN_KERNEL_AUTO;

unsigned tern_pool_set_threads(unsigned n)
{
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		n = c > 0 ? (unsigned)c : 1;
	}
	pool.threads = n > POOL_MAX ? POOL_MAX : n;
	return pool.threads;
}

unsigned tern_pool_threads(void)
{
	return pool.threads;
}

void tern_kernel_set(enum tern_kernel k)
{
	kernel_choice = k;
}

enum tern_kernel tern_kernel_get(void)
{
	return kernel_choice;
}

int tern_kernel_avx512(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	static int have = -1;

	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vnni") &&
		       __builtin_cpu_supports("avx512vpopcntdq");
	}
	return have && kernel_choice == TERN_KERNEL_AUTO;
#else
	return 0;
#endif
}

int tern_kernel_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	static int have = -1;

	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c") &&
		       __builtin_cpu_supports("popcnt");
	}
	return have && (kernel_choice == TERN_KERNEL_AUTO || kernel_choice == TERN_KERNEL_AVX2);
#else
	return 0;
#endif
}

/* Claim and run parts until none is left; called with pool.mu held, returns with it. */
static void drain(void)
{
	while (pool.next < pool.parts) {
		unsigned part = pool.next++;
		tern_pool_fn fn = pool.fn;
		void *ctx = pool.ctx;
		unsigned parts = pool.parts;

		pthread_mutex_unlock(&pool.mu);
		fn(ctx, part, parts);
		pthread_mutex_lock(&pool.mu);
		if (--pool.left == 0)
			pthread_cond_broadcast(&pool.done);
	}
}

static void *worker(void *arg)
{
	uint64_t seen = 0;

	(void)arg;
	pthread_mutex_lock(&pool.mu);
	for (;;) {
		while (pool.gen == seen)
			pthread_cond_wait(&pool.go, &pool.mu);
		seen = pool.gen;
		drain();
	}
	return NULL;
}

void tern_pool_run(tern_pool_fn fn, void *ctx, unsigned parts)
{
	unsigned i, want = pool.threads > 1 ? pool.threads - 1 : 0;

	if (parts <= 1 || !want) {
		for (i = 0; i < parts; i++)
			fn(ctx, i, parts);
		return;
	}
	pthread_mutex_lock(&pool.mu);
	while (pool.started < want) {
		if (pthread_create(&pool.tid[pool.started], NULL, worker, NULL))
			break; /* fewer workers: the caller drains the rest */
		pthread_detach(pool.tid[pool.started]);
		pool.started++;
	}
	pool.fn = fn;
	pool.ctx = ctx;
	pool.parts = parts;
	pool.next = 0;
	pool.left = parts;
	pool.gen++;
	pthread_cond_broadcast(&pool.go);
	drain();
	while (pool.left)
		pthread_cond_wait(&pool.done, &pool.mu);
	pthread_mutex_unlock(&pool.mu);
}
