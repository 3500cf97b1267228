/*
 * Independent oracle for CLI tests: generates data files with its own generator
 * (xorshift32, unrelated to tern's) and computes Y = X W^T with plain loops in int64,
 * sharing no code with tern. Usage:
 *   indep_matmul gen SEED M K N W.bin X.bin
 *   indep_matmul mul M K N W.bin X.bin Y.bin
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t xs = 2463534242u;

static uint32_t next(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 17;
	xs ^= xs << 5;
	return xs;
}

static int8_t *slurp(const char *p, size_t n)
{
	FILE *f = fopen(p, "rb");
	int8_t *b = malloc(n ? n : 1);

	if (!f || !b || fread(b, 1, n, f) != n) {
		fprintf(stderr, "indep_matmul: cannot read %s\n", p);
		exit(3);
	}
	fclose(f);
	return b;
}

static void spit(const char *p, const void *b, size_t n)
{
	FILE *f = fopen(p, "wb");

	if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "indep_matmul: cannot write %s\n", p);
		exit(3);
	}
}

int main(int argc, char **argv)
{
	size_t m, k, n, i, j, t;

	if (argc == 8 && argv[1][0] == 'g') {
		int8_t *w, *x;

		xs = (uint32_t)strtoul(argv[2], 0, 10) * 2654435761u + 1;
		m = strtoul(argv[3], 0, 10), k = strtoul(argv[4], 0, 10), n = strtoul(argv[5], 0, 10);
		w = malloc(m * k), x = malloc(n * k);
		for (i = 0; i < m * k; i++)
			w[i] = (int8_t)((int)(next() % 3) - 1);
		for (i = 0; i < n * k; i++)
			x[i] = (int8_t)(next() >> 24);
		spit(argv[6], w, m * k);
		spit(argv[7], x, n * k);
		return 0;
	}
	if (argc == 8 && argv[1][0] == 'm') {
		int8_t *w, *x;
		uint8_t *y;

		m = strtoul(argv[2], 0, 10), k = strtoul(argv[3], 0, 10), n = strtoul(argv[4], 0, 10);
		w = slurp(argv[5], m * k), x = slurp(argv[6], n * k);
		y = malloc(n * m * 4);
		for (t = 0; t < n; t++)
			for (i = 0; i < m; i++) {
				int64_t s = 0;

				for (j = 0; j < k; j++)
					s += (int64_t)w[i * k + j] * x[t * k + j];
				for (j = 0; j < 4; j++)
					y[(t * m + i) * 4 + j] = (uint8_t)((uint64_t)s >> (8 * j));
			}
		spit(argv[7], y, n * m * 4);
		return 0;
	}
	fprintf(stderr, "usage: indep_matmul gen SEED M K N W X | mul M K N W X Y\n");
	return 2;
}
