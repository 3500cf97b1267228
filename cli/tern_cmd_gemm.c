/*
 * `tern gemm`: one BitLinear layer, Y[n][m] = sum_k W[m][k] * X[n][k], run on a device
 * and checked against the golden untiled matmul (and, on the verilator backend,
 * lockstep against the reference model). Data comes from files or a seed. With
 * --report DIR it also writes a one-layer performance and energy report
 * (perf/tern_report.h) at the board's clock and DRAM bandwidth.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_cli_board.h"
#include "tern_gemm.h"
#include "tern_report.h"

#define CMD "gemm"
#define MAX_DIM (1u << 20)
#define MAX_N 65535u
#define MAX_WEIGHTS (1ull << 30)

static const char help[] =
	"usage: tern gemm --m M --k K --n N [--w W.bin --x X.bin [--out Y.bin] | --seed S]\n"
	"                 [--backend ref|verilator|fast|systemc|systemc-tlm|uio|serial] [--array RxL | --config F.json]\n"
	"                 [--wfmt 2bit|base3] [--json] [--quiet] [report options]\n"
	"                 [verilator and fast options]\n"
	"\n"
	"Run one BitLinear layer on a device and check every output.\n"
	"  --m M, --k K, --n N  outputs, inputs, tokens (M, K 1..1048576; N 1..65535)\n"
	"  --w FILE             M*K int8 weights in {-1,0,1}, row-major (M rows of K)\n"
	"  --x FILE             N*K int8 activations, row-major (N tokens of K)\n"
	"  --out FILE           write Y: N*M int32 little-endian, row-major (only if exact)\n"
	"  --seed S             generate W (ternary, ~1/3 zeros) and X (uniform int8) from S\n"
	"  --backend B          ref (reference model, default), verilator (simulated RTL) or\n"
	"                       fast (reference results, cycles from the fast cycle model),\n"
	"                       uio (a board through Linux UIO; --uio-root DIR: the tree of\n"
	"                       `tern devsim`) or serial (the iCEBreaker; --port PATH)\n"
	"  --array RxL          PE array: a preset (4x4 8x8 16x16 32x32 64x64) or any RxL\n";

/* After tern_config_help. */
static const char help_mid[] =
	"  --wfmt F             weight format in DRAM: 2bit (default) or base3\n"
	"  --json               print one JSON object on stdout instead of the summary\n"
	"  --quiet              no progress messages on stderr\n";

static const char help_tail[] =
	"verilator and fast options:\n"
	"  --dram-latency C     DRAM latency in cycles (default " TERN_DRAM_LATENCY_STR ")\n"
	"  --dram-bw B          DRAM bytes per cycle (default " TERN_DRAM_BYTES_PER_CYCLE_STR ")\n"
	"  --no-lockstep        do not compare every DRAM write with the reference model\n"
	"  --fst FILE           write a waveform; with --fst-window N only the N cycles\n"
	"  --fst-window N       before the first lockstep mismatch\n"
	"exit: 0 exact, 1 a check failed (first mismatch printed), 2 bad usage or input,\n"
	"      128+N interrupted by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP)\n";

struct gemm_args {
	uint64_t m, k, n, seed;
	int have_seed, json;
	const char *w_path, *x_path, *out_path, *array;
	struct tern_layer l;
	struct tern_dev_opts o;
	struct tern_machine mach; /* --report, --board, --clock-mhz, --dram-gbps, --tech */
};

enum { O_M = 256, O_K, O_N, O_W, O_X, O_OUT, O_SEED, O_WFMT, O_JSON,
       O_NOLOCK, O_FST, O_FSTWIN, O_HELP };

static const struct option longopts[] = {
	{ "m", required_argument, 0, O_M },	      { "k", required_argument, 0, O_K },
	{ "n", required_argument, 0, O_N },	      { "w", required_argument, 0, O_W },
	{ "x", required_argument, 0, O_X },	      { "out", required_argument, 0, O_OUT },
	{ "seed", required_argument, 0, O_SEED },     { "wfmt", required_argument, 0, O_WFMT },
	{ "json", no_argument, 0, O_JSON },	      { "no-lockstep", no_argument, 0, O_NOLOCK },
	{ "fst", required_argument, 0, O_FST },	      { "fst-window", required_argument, 0, O_FSTWIN },
	{ "help", no_argument, 0, O_HELP },
	TERN_DEVICE_LONGOPTS,
	TERN_MACHINE_LONGOPTS,
	{ 0, 0, 0, 0 }
};

static int parse_one(struct gemm_args *a, int c, const char *v, char **argv)
{
	int rc = tern_machine_opt(CMD, &a->mach, c, v);

	if (!rc)
		rc = tern_device_opt(CMD, &a->o, &a->array, c, v);
	if (rc)
		return rc < 0 ? -1 : 0;
	switch (c) {
	case O_M: return tern_parse_u64(CMD, "--m", v, 1, MAX_DIM, &a->m);
	case O_K: return tern_parse_u64(CMD, "--k", v, 1, MAX_DIM, &a->k);
	case O_N: return tern_parse_u64(CMD, "--n", v, 1, MAX_N, &a->n);
	case O_W: a->w_path = v; return 0;
	case O_X: a->x_path = v; return 0;
	case O_OUT: a->out_path = v; return 0;
	case O_SEED: a->have_seed = 1; return tern_parse_u64(CMD, "--seed", v, 0, UINT64_MAX, &a->seed);
	case O_WFMT:
		if (!strcmp(v, "2bit"))
			a->l.wfmt = TERN_WFMT_2BIT;
		else if (!strcmp(v, "base3"))
			a->l.wfmt = TERN_WFMT_BASE3;
		else
			return tern_usage_err(CMD, "--wfmt must be 2bit or base3, got '%s'", v), -1;
		return 0;
	case O_JSON: a->json = 1; return 0;
	case O_NOLOCK: a->o.no_lockstep = 1; return 0;
	case O_FST: a->o.fst_path = v; return 0;
	case O_FSTWIN: return tern_parse_u64(CMD, "--fst-window", v, 1, UINT64_MAX, &a->o.fst_window);
	case O_HELP:
		tern_device_cmd_help(help, help_mid, help_tail);
	default:
		return tern_bad_option(CMD, argv);
	}
}

static int parse_args(struct gemm_args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	tern_device_init(&a->o, &a->array);
	tern_machine_init(&a->mach);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_one(a, c, optarg, argv))
			return -1;
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s' (see tern gemm --help)", argv[optind]), -1;
	if (!a->m || !a->k || !a->n)
		return tern_usage_err(CMD, "--m, --k and --n are required (see tern gemm --help)"), -1;
	if (a->out_path && (tern_same_file(a->out_path, a->w_path) ||
			    tern_same_file(a->out_path, a->x_path)))
		return tern_usage_err(CMD, "--out '%s' is an input file: refusing to replace it",
				      a->out_path), -1;
	if (a->have_seed && (a->w_path || a->x_path))
		return tern_usage_err(CMD, "give either --seed or --w and --x, not both"), -1;
	if (!a->have_seed && (!a->w_path || !a->x_path))
		return tern_usage_err(CMD, "give --w and --x data files, or --seed S"), -1;
	if (a->o.fst_window && !a->o.fst_path)
		return tern_usage_err(CMD, "--fst-window needs --fst FILE"), -1;
	if (a->o.fst_path && strcmp(a->o.backend, "verilator"))
		return tern_usage_err(CMD, "--fst needs --backend verilator (the %s backend has no "
				      "waveform)", a->o.backend), -1;
	if (a->o.no_lockstep && strcmp(a->o.backend, "verilator") && strcmp(a->o.backend, "systemc"))
		return tern_usage_err(CMD, "--no-lockstep needs --backend verilator or systemc (the %s backend "
				      "has no lockstep check)", a->o.backend), -1;
	if (a->m * a->k > MAX_WEIGHTS)
		return tern_usage_err(CMD, "M*K = %llu weights is more than the %llu supported",
				      (unsigned long long)(a->m * a->k), MAX_WEIGHTS), -1;
	a->l.m = (uint32_t)a->m;
	a->l.k = (uint32_t)a->k;
	a->l.n = (uint32_t)a->n;
	return tern_machine_resolve(CMD, &a->mach, &a->o, &a->array);
}

static int load_inputs(const struct gemm_args *a, int8_t **w, int8_t **x)
{
	uint64_t i, nw = a->m * a->k, nx = a->n * a->k, s = a->seed;

	if (a->have_seed) {
		*w = malloc(nw);
		*x = malloc(nx);
		if (!*w || !*x)
			return tern_usage_err(CMD, "out of memory for %llu weights", (unsigned long long)nw), -1;
		for (i = 0; i < nw; i++)
			(*w)[i] = (int8_t)(tern_rng_next(&s) % 3) - 1;
		for (i = 0; i < nx; i++)
			(*x)[i] = (int8_t)(tern_rng_next(&s) & 0xff);
		return 0;
	}
	if (tern_read_exact(CMD, "W", a->w_path, nw, (void **)w))
		return -1;
	for (i = 0; i < nw; i++)
		if ((*w)[i] < -1 || (*w)[i] > 1)
			return tern_usage_err(CMD, "W file '%s': value %d at row %llu, column %llu is not -1, 0 or 1",
					      a->w_path, (*w)[i], (unsigned long long)(i / a->k),
					      (unsigned long long)(i % a->k)), -1;
	return tern_read_exact(CMD, "X", a->x_path, nx, (void **)x);
}

static const char *lockstep_state(const struct gemm_args *a, const struct tern_gemm_result *r)
{
	if (strcmp(a->o.backend, "verilator") && strcmp(a->o.backend, "systemc"))
		return "n/a";
	if (a->o.no_lockstep)
		return "off";
	return r->st.mismatch ? "failed" : "passed";
}

static double zero_fraction(const int8_t *w, uint64_t n)
{
	uint64_t i, z = 0;

	for (i = 0; i < n; i++)
		z += w[i] == 0;
	return n ? (double)z / (double)n : 0.0;
}

static void print_json(const struct gemm_args *a, const struct tern_gemm_result *r, double zf)
{
	const struct tern_hw_config *c = &a->o.cfg;
	const uint64_t *cnt = r->st.counters;
	struct tern_json j;
	unsigned i;

	tern_json_begin(&j, stdout);
	tern_json_u64(&j, "m", a->m);
	tern_json_u64(&j, "k", a->k);
	tern_json_u64(&j, "n", a->n);
	tern_json_str(&j, "wfmt", a->l.wfmt ? "base3" : "2bit");
	tern_json_str(&j, "backend", a->o.backend);
	tern_json_str(&j, "array", a->array);
	tern_json_u64(&j, "rows", c->rows);
	tern_json_u64(&j, "lanes", c->lanes);
	tern_json_u64(&j, "wbuf_depth", c->wbuf_depth);
	tern_json_u64(&j, "abuf_depth", c->abuf_depth);
	tern_json_u64(&j, "acc_depth", c->acc_depth);
	tern_json_u64(&j, "bus_bytes", c->bus_bytes);
	tern_json_u64(&j, "queue_depth", c->queue_depth);
	tern_json_u64(&j, "insns", r->insns);
	tern_json_u64(&j, "macs", cnt[TERN_CNT_MACS]);
	tern_json_u64(&j, "macs_useful", a->m * a->k * a->n);
	tern_json_f64(&j, "zero_weight_fraction", zf);
	if (r->st.has_cycles) {
		tern_json_u64(&j, "cycles", cnt[TERN_CNT_CYCLES]);
		tern_json_f64(&j, "utilization", cnt[TERN_CNT_CYCLES] ?
			      (double)cnt[TERN_CNT_MACS] / ((double)cnt[TERN_CNT_CYCLES] * c->rows * c->lanes) : 0);
	}
	tern_json_obj(&j, "counters");
	for (i = 0; i < TERN_CNT_COUNT; i++)
		if (r->st.has_cycles || tern_counter_in_ref(i))
			tern_json_u64(&j, tern_counter_name(i), cnt[i]);
	tern_json_close(&j, '}');
	tern_json_obj(&j, "checks");
	tern_json_str(&j, "lockstep", lockstep_state(a, r));
	tern_json_str(&j, "golden", r->golden_ok ? "passed" : "failed");
	tern_json_str(&j, "device_error", tern_err_name(r->st.err));
	tern_json_close(&j, '}');
	tern_json_version(&j);
	tern_json_bool(&j, "ok", tern_gemm_ok(r));
	tern_json_end(&j);
}

static void print_summary(const struct gemm_args *a, const struct tern_gemm_result *r, double zf)
{
	const struct tern_hw_config *c = &a->o.cfg;
	const uint64_t *cnt = r->st.counters;

	printf("tern gemm: M=%llu K=%llu N=%llu wfmt=%s array=%s backend=%s\n",
	       (unsigned long long)a->m, (unsigned long long)a->k, (unsigned long long)a->n,
	       a->l.wfmt ? "base3" : "2bit", a->array, a->o.backend);
	printf("  tiling    %u M-tiles x %u K-chunks (K-blocks of %u), N-blocks of %u tokens\n",
	       r->lo.mt, r->lo.kt, r->lo.kcb, r->lo.nb);
	printf("  program   %u instructions (load %llu, gemm %llu, store %llu)\n", r->insns,
	       (unsigned long long)cnt[TERN_CNT_LOADS], (unsigned long long)cnt[TERN_CNT_GEMMS],
	       (unsigned long long)cnt[TERN_CNT_STORES]);
	printf("  work      %llu MACs issued, %llu useful; %.1f%% of weights zero (%.1f%% of issued MACs gated)\n",
	       (unsigned long long)cnt[TERN_CNT_MACS], (unsigned long long)(a->m * a->k * a->n),
	       100.0 * zf, cnt[TERN_CNT_MACS] ? 100.0 * cnt[TERN_CNT_MACS_ZERO] / cnt[TERN_CNT_MACS] : 0);
	printf("  dram      %llu bytes read, %llu written, %llu instruction bytes\n",
	       (unsigned long long)cnt[TERN_CNT_DRAM_RD_BYTES], (unsigned long long)cnt[TERN_CNT_DRAM_WR_BYTES],
	       (unsigned long long)cnt[TERN_CNT_FETCH_BYTES]);
	if (r->st.has_cycles)
		printf("  cycles    %llu (PE utilization %.1f%%)\n", (unsigned long long)cnt[TERN_CNT_CYCLES],
		       cnt[TERN_CNT_CYCLES] ? 100.0 * cnt[TERN_CNT_MACS] /
		       ((double)cnt[TERN_CNT_CYCLES] * c->rows * c->lanes) : 0);
	printf("  checks    lockstep %s, layer golden %s, device %s -> %s\n", lockstep_state(a, r),
	       r->golden_ok ? "passed" : "FAILED", r->st.err ? "FAULT" : "ok",
	       tern_gemm_ok(r) ? "PASS" : "FAIL");
}

/* One line on stderr saying what failed first. */
static void report_failure(const struct tern_gemm_result *r)
{
	const struct tern_tile *t = &r->mm_tile;

	if (r->st.mismatch && r->st.mm.opcode != TERN_OP_STORE)
		fprintf(stderr, "tern gemm: lockstep check failed: %s\n", r->detail);
	else if (r->st.mismatch)
		fprintf(stderr, "tern gemm: lockstep mismatch at instruction %u (%s, tile m %u..%u n %u..%u k %u..%u) "
			"address 0x%llx: expected 0x%08x, actual 0x%08x (cycle %llu)\n",
			r->st.mm.insn, tern_opcode_name(r->st.mm.opcode), t->m0, t->m0 + t->m_len - 1,
			t->n0, t->n0 + t->n_len - 1, t->k0, t->k0 + t->k_len - 1,
			(unsigned long long)r->st.mm.addr, r->st.mm.expected, r->st.mm.actual,
			(unsigned long long)r->st.mm.cycle);
	else if (r->st.err)
		fprintf(stderr, "tern gemm: device error %s at instruction %u: %s\n",
			tern_err_name(r->st.err), r->st.err_insn, tern_err_doc(r->st.err));
	else if (!r->golden_ok)
		fprintf(stderr, "tern gemm: output mismatch at n=%u m=%u: expected %d, actual %d\n",
			r->bad_n, r->bad_m, r->expected, r->actual);
}

/* Y.bin is little-endian whatever the host. */
static int write_y(const char *path, const int32_t *y, uint64_t count)
{
	uint8_t *b = malloc(count * 4 + 1);
	uint64_t i;
	int rc;

	if (!b)
		return tern_usage_err(CMD, "out of memory"), -1;
	for (i = 0; i < count; i++) {
		uint32_t v = (uint32_t)y[i];

		b[4 * i] = (uint8_t)v;
		b[4 * i + 1] = (uint8_t)(v >> 8);
		b[4 * i + 2] = (uint8_t)(v >> 16);
		b[4 * i + 3] = (uint8_t)(v >> 24);
	}
	rc = tern_write_atomic(CMD, path, b, count * 4);
	free(b);
	return rc;
}

static int write_report(const struct gemm_args *a, const struct tern_gemm_result *res)
{
	struct tern_report r;
	struct tern_report_eval ev;
	char err[600], name[64], fb[3][48];
	int rc = -1;

	tern_report_init(&r);
	r.model = "gemm";
	tern_machine_report(&a->mach, &a->o, a->array, &r);
	snprintf(name, sizeof(name), "gemm %llux%llu", (unsigned long long)a->m,
		 (unsigned long long)a->k);
	r.phase[TERN_PHASE_PREFILL].tokens = a->n;
	if (tern_report_add(&r, TERN_PHASE_PREFILL, name, a->l.m, a->l.k, a->l.n, a->l.wfmt,
			    res->st.counters, res->st.has_cycles, err, sizeof(err)) ||
	    (res->st.has_toggles && tern_report_add_toggles(&r, TERN_PHASE_PREFILL, name,
							     res->st.toggles, err, sizeof(err))) ||
	    tern_cli_write_report(a->mach.report_dir, &r, err, sizeof(err))) {
		if (!tern_sig_pending())
			tern_usage_err(CMD, "--report: %s", err);
		goto out;
	}
	tern_report_eval(&r, &ev);
	if (!a->json) /* units and three significant digits, never a raw exponent */
		printf("  report    %s: %s, %s ternary vs %s INT8 (%.2fx) at %s\n",
		       a->mach.report_dir, tern_fmt_time(fb[0], sizeof(fb[0]), ev.total.seconds),
		       tern_fmt_energy(fb[1], sizeof(fb[1]), ev.total.e.total),
		       tern_fmt_energy(fb[2], sizeof(fb[2]), ev.total.base.total),
		       ev.total.e.total > 0 ? ev.total.base.total / ev.total.e.total : 0, r.tech.node);
	rc = 0;
out:
	tern_report_free(&r);
	return rc;
}

int tern_cmd_gemm(int argc, char **argv)
{
	struct gemm_args a;
	struct tern_gemm_result r;
	struct tern_layout lo;
	struct tern_dev *d = NULL;
	int8_t *w = NULL, *x = NULL;
	int32_t *y = NULL;
	char err[256];
	int rc = TERN_EXIT_USAGE;

	if (parse_args(&a, argc, argv) || tern_machine_prepare(CMD, &a.mach))
		return TERN_EXIT_USAGE;
	if (tern_layout_plan(&a.o.cfg, &a.l, &lo, err, sizeof(err))) {
		tern_usage_err(CMD, "shape does not fit the %s array: %s", a.array, err);
		return TERN_EXIT_USAGE;
	}
	if (load_inputs(&a, &w, &x))
		goto out;
	a.o.mem_bytes = lo.w_bytes + lo.x_bytes + lo.y_bytes + (64ull << 20);
	y = malloc(a.n * a.m * sizeof(*y));
	if (!y) {
		tern_usage_err(CMD, "out of memory");
		goto out;
	}
	if (tern_dev_open(&a.o, &d, err, sizeof(err))) {
		tern_usage_err(CMD, "%s", err);
		goto out;
	}
	if (tern_gemm_run(d, &a.l, w, x, y, 1, &r, err, sizeof(err))) {
		tern_usage_err(CMD, "%s", err);
		goto out;
	}
	if (a.json)
		print_json(&a, &r, zero_fraction(w, a.m * a.k));
	else
		print_summary(&a, &r, zero_fraction(w, a.m * a.k));
	if (!tern_gemm_ok(&r)) {
		report_failure(&r);
		rc = TERN_EXIT_CHECK;
		goto out;
	}
	rc = TERN_EXIT_OK;
	if (a.out_path && write_y(a.out_path, y, a.n * a.m))
		rc = TERN_EXIT_USAGE;
	if (rc == TERN_EXIT_OK && a.mach.report_dir && write_report(&a, &r))
		rc = TERN_EXIT_USAGE;
out:
	tern_dev_close(d);
	free(w);
	free(x);
	free(y);
	return rc;
}
