/*
 * examples/gemm.c: one BitLinear layer on a tern device, checked by hand.
 *
 *   gemm BACKEND CONFIG M K N [W.bin X.bin Y.bin]
 *
 * BACKEND is ref, fast or verilator; CONFIG a preset or "RxL" (default buffer depths) or
 * all seven parameters "ROWS,LANES,WBUF_DEPTH,ABUF_DEPTH,ACC_DEPTH,BUS_BYTES,QUEUE_DEPTH"
 * (the verilator backend builds a model for any valid config on first use). W (M x K int8
 * in {-1,0,1}) and X (N x K int8) are read from files when given, else made up; Y
 * (N x M int32, little-endian) is written when given. The program compiles and runs the
 * layer through the public API, compares every output with its own plain loop and prints
 * the cycles. Exit 0 when equal, 1 when not, 2 on bad input.
 *
 *   cc gemm.c $(pkg-config --cflags --libs tern) -o gemm && ./gemm ref 8x8 64 256 4
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/tern_gemm.h>

static int read_file(const char *path, void *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(buf, 1, n, f) : 0;

	if (f)
		fclose(f);
	return got == n ? 0 : -1;
}

static int parse_config(const char *s, struct tern_hw_config *c)
{
	char err[256];

	if (strchr(s, ',')) {
		char tail;
		if (sscanf(s, "%u,%u,%u,%u,%u,%u,%u%c", &c->rows, &c->lanes, &c->wbuf_depth,
			   &c->abuf_depth, &c->acc_depth, &c->bus_bytes, &c->queue_depth, &tail) != 7) {
			fprintf(stderr, "gemm: config '%s' is not seven comma-separated numbers\n", s);
			return -1;
		}
	} else if (tern_parse_array(s, c, err, sizeof(err))) {
		fprintf(stderr, "gemm: %s\n", err);
		return -1;
	}
	if (tern_check_config(c, err, sizeof(err))) {
		fprintf(stderr, "gemm: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tern_dev_opts o = { 0 };
	struct tern_layer l = { 0, 0, 0, TERN_WFMT_2BIT };
	struct tern_gemm_result r;
	struct tern_dev *d;
	char err[256];
	int8_t *w, *x;
	int32_t *y;
	uint64_t i, j, kk, bad = 0, seed = 12345;

	if (argc != 6 && argc != 9) {
		fprintf(stderr, "usage: gemm BACKEND CONFIG M K N [W.bin X.bin Y.bin]\n");
		return 2;
	}
	o.backend = argv[1];
	o.quiet = 1;
	if (parse_config(argv[2], &o.cfg))
		return 2;
	l.m = (uint32_t)strtoul(argv[3], NULL, 10);
	l.k = (uint32_t)strtoul(argv[4], NULL, 10);
	l.n = (uint32_t)strtoul(argv[5], NULL, 10);
	if (!l.m || !l.k || !l.n || l.m > 65536 || l.k > 65536 || l.n > 4096) {
		fprintf(stderr, "gemm: M, K, N must be 1..65536, 1..65536, 1..4096\n");
		return 2;
	}
	w = malloc((size_t)l.m * l.k);
	x = malloc((size_t)l.n * l.k);
	y = malloc((size_t)l.n * l.m * sizeof(*y));
	if (!w || !x || !y) {
		fprintf(stderr, "gemm: out of memory\n");
		return 2;
	}
	if (argc == 9) {
		if (read_file(argv[6], w, (size_t)l.m * l.k) || read_file(argv[7], x, (size_t)l.n * l.k)) {
			fprintf(stderr, "gemm: cannot read %zu and %zu bytes from %s and %s\n",
				(size_t)l.m * l.k, (size_t)l.n * l.k, argv[6], argv[7]);
			return 2;
		}
	} else {
		for (i = 0; i < (uint64_t)l.m * l.k; i++) { /* an LCG: any data will do */
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			w[i] = (int8_t)((seed >> 33) % 3) - 1;
		}
		for (i = 0; i < (uint64_t)l.n * l.k; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			x[i] = (int8_t)(seed >> 56);
		}
	}
	if (tern_dev_open(&o, &d, err, sizeof(err))) {
		fprintf(stderr, "gemm: %s\n", err);
		return 2;
	}
	if (tern_gemm_run(d, &l, w, x, y, 0, &r, err, sizeof(err))) {
		fprintf(stderr, "gemm: %s\n", err);
		tern_dev_close(d);
		return 2;
	}
	/* our own check: Y[n][m] = sum_k X[n][k] * W[m][k] */
	for (i = 0; i < l.n; i++)
		for (j = 0; j < l.m; j++) {
			int64_t s = 0;
			for (kk = 0; kk < l.k; kk++)
				s += (int64_t)x[i * l.k + kk] * w[j * l.k + kk];
			bad += s != y[i * l.m + j];
		}
	printf("gemm %ux%ux%u on %s %ux%u: %s, device %s, %llu of %llu outputs differ",
	       l.m, l.k, l.n, argv[1], o.cfg.rows, o.cfg.lanes, r.st.mismatch ? "lockstep MISMATCH" : "no mismatch",
	       r.st.err ? "FAULT" : "ok", (unsigned long long)bad, (unsigned long long)l.n * l.m);
	if (r.st.has_cycles)
		printf(", %llu cycles\n", (unsigned long long)r.st.counters[TERN_CNT_CYCLES]);
	else
		printf(" (this backend counts no cycles)\n");
	if (argc == 9) {
		FILE *f = fopen(argv[8], "wb");
		for (i = 0; f && i < (uint64_t)l.n * l.m; i++) {
			uint32_t v = (uint32_t)y[i];
			uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
			fwrite(b, 1, 4, f);
		}
		if (!f || fclose(f)) {
			fprintf(stderr, "gemm: cannot write %s\n", argv[8]);
			return 2;
		}
	}
	tern_dev_close(d);
	free(w);
	free(x);
	free(y);
	return bad || r.st.err || r.st.mismatch ? 1 : 0;
}
