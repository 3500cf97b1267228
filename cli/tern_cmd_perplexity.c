/*
 * `tern perplexity`: perplexity of a GGUF model through the inference forward pass
 * (tern_forward with golden matmuls: the pass whose logits the device reproduces bit
 * for bit, so any backend gives these numbers).
 *
 * --text FILE: llama.cpp's perplexity method. The whole file is tokenized with the
 * model's tokenizer (BOS first when the vocabulary adds one) and cut into chunks of
 * --ctx tokens (the tail that does not fill a chunk is dropped); each chunk runs from
 * an empty KV cache, its first token replaced by BOS when the vocabulary adds one, and
 * only the second half is scored: the logits at positions ctx/2 .. ctx-2 predict tokens
 * ctx/2+1 .. ctx-1. Perplexity = exp(mean negative log-likelihood of those tokens).
 * --compare-quant runs the same chunks with float activations, a1.58 and a4.8 in one
 * pass (the runs advance layer by layer together) and adds each mode's mean KL
 * divergence from the float run over the scored positions.
 *
 * --backend B runs the a1.58 and a4.8 BitLinears on device B (ref, fast, verilator, ...)
 * with the layer check on every call (and lockstep on verilator), so the figures are
 * the golden ones or the command stops at the first difference; the float run has no
 * integer matmul and stays on the host. Each integer mode's cycles and energy per
 * evaluated token are printed: from the device's counters (cycles where it measures
 * them), or without --backend from the fast cycle model over the chunk's shape, priced
 * by the energy model (tern_ppl_cost.c), with a4.8's int4 lane mode modelled.
 *
 * --data TEXT: the held-out split of `tern train` (every 20th block of 100 lines),
 * windows of n_ctx bytes at line starts, every byte after the first scored; for the
 * byte-vocabulary models tern train makes.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tern_cli.h"
#include "tern_ppl.h"
#include "tern_train.h"

#define C "perplexity"
#define MAX_TEXT (64u << 20)

static const char help[] =
	"usage: tern perplexity --model MODEL.gguf --text FILE [--ctx N] [--chunks N]\n"
	"                       [--quant a1.58|a4.8|float | --compare-quant] [--head H]\n"
	"                       [--backend B] [--array RxL] [--board B] [--tech T] [--quiet]\n"
	"       tern perplexity --model MODEL.gguf --data TEXT [--quant Q] [--windows N]\n"
	"\n"
	"Perplexity through the inference forward pass (golden matmuls: every backend\n"
	"computes the same logits bit for bit).\n"
	"  --text FILE      llama.cpp's method: tokenize FILE (BOS first if the vocabulary\n"
	"                   adds one), chunks of --ctx tokens from an empty cache, each\n"
	"                   chunk's first token BOS (if added), the second half of each\n"
	"                   chunk scored (positions ctx/2 .. ctx-2 predict the next token)\n"
	"  --ctx N          chunk length in tokens (default: the model's context, at most 512)\n"
	"  --chunks N       at most N chunks (default: all)\n"
	"  --quant Q        activations: a1.58 (int8 per token, default), a4.8 (BitNet a4.8)\n"
	"                   or float (no activation quantization)\n"
	"  --head H         output head: float (default), t2 or t3 (digit planes, as tern run)\n"
	"  --compare-quant  float, a1.58 and a4.8 together: perplexity of each and the mean\n"
	"                   KL divergence of a1.58 and a4.8 from float\n"
	"  --backend B      run the integer BitLinears on device B (ref, fast, verilator,\n"
	"                   systemc...), every layer checked against the golden matmul;\n"
	"                   default: the golden matmul on the host\n"
	"  --array, --config, --dram-latency, --dram-bw, --board, --clock-mhz, --dram-gbps,\n"
	"  --tech           the machine the cycles and energy per token are for (tern run)\n"
	"  --data TEXT      held-out split of tern train (byte models): windows of n_ctx\n"
	"                   bytes at line starts; --windows N at most N (default 64, 0 = all)\n"
	"  --quiet          no progress on stderr\n"
	"Progress and an ETA go to stderr, one line per chunk. With --text, each integer\n"
	"mode also gets cycles and energy per evaluated token: the device's counters, or\n"
	"without --backend the fast cycle model; a4.8 also as a modelled int4 lane mode.\n"
	"exit: 0 done, 2 bad usage, unreadable input or a text shorter than one chunk\n";

struct ppl_args {
	const char *model, *text, *data, *array;
	uint32_t quant, ctx, chunks, windows, compare, quiet, backend_given;
	uint32_t head;  /* --head: 0 float, 2 or 3 digit planes (tern_head.c) */
	struct tern_dev_opts o;
	struct tern_machine mach;
};

static const char *qname(uint32_t q)
{
	return q == TERN_QUANT_A48 ? "a4.8" : q == TERN_QUANT_FLOAT ? "float" : "a1.58";
}

static int parse(struct ppl_args *a, int argc, char **argv)
{
	enum { O_MODEL = 256, O_TEXT, O_DATA, O_QUANT, O_CTX, O_CHUNKS, O_WINDOWS, O_CMP,
	       O_HELP, O_HEAD };
	static const struct option lo[] = {
		{ "model", required_argument, 0, O_MODEL }, { "text", required_argument, 0, O_TEXT },
		{ "data", required_argument, 0, O_DATA }, { "quant", required_argument, 0, O_QUANT },
		{ "ctx", required_argument, 0, O_CTX }, { "chunks", required_argument, 0, O_CHUNKS },
		{ "windows", required_argument, 0, O_WINDOWS },
		{ "compare-quant", no_argument, 0, O_CMP }, { "help", no_argument, 0, O_HELP },
		{ "head", required_argument, 0, O_HEAD },
		TERN_DEVICE_LONGOPTS, TERN_MACHINE_LONGOPTS, { 0, 0, 0, 0 }
	};
	int c, rc = 0;

	memset(a, 0, sizeof(*a));
	a->windows = 64;
	tern_device_init(&a->o, &a->array);
	tern_machine_init(&a->mach);
	opterr = 0;
	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == TERN_O_REPORT)
			return tern_usage_err(C, "--report is for tern run; perplexity prints its "
					      "cycles and energy"), -1;
		a->backend_given |= c == TERN_O_BACKEND;
		rc = tern_machine_opt(C, &a->mach, c, optarg);
		if (!rc)
			rc = tern_device_opt(C, &a->o, &a->array, c, optarg);
		if (rc) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		switch (c) {
		case O_MODEL: a->model = optarg; break;
		case O_TEXT: a->text = optarg; break;
		case O_DATA: a->data = optarg; break;
		case O_CMP: a->compare = 1; break;
		case O_CTX: rc = tern_parse_u32(C, "--ctx", optarg, 4, 1u << 16, &a->ctx); break;
		case O_CHUNKS: rc = tern_parse_u32(C, "--chunks", optarg, 1, 1u << 30, &a->chunks); break;
		case O_WINDOWS: rc = tern_parse_u32(C, "--windows", optarg, 0, 1000000, &a->windows); break;
		case O_QUANT:
			if (!strcmp(optarg, "a1.58"))
				a->quant = TERN_QUANT_A158;
			else if (!strcmp(optarg, "a4.8"))
				a->quant = TERN_QUANT_A48;
			else if (!strcmp(optarg, "float"))
				a->quant = TERN_QUANT_FLOAT;
			else
				rc = tern_usage_err(C, "--quant must be a1.58, a4.8 or float, got '%s'",
						    optarg);
			break;
		case O_HEAD:
			if (tern_head_parse(optarg, &a->head))
				rc = tern_usage_err(C, "--head must be float, t2 or t3, got '%s'", optarg);
			break;
		case O_HELP: fputs(help, stdout); return 1;
		default: return tern_bad_option(C, argv), -1;
		}
	}
	if (rc)
		return -1;
	if (optind < argc)
		return tern_usage_err(C, "unexpected argument '%s'", argv[optind]), -1;
	if (!a->model || !!a->text + !!a->data != 1)
		return tern_usage_err(C, "--model and one of --text and --data are required"), -1;
	if (a->data && (a->compare || a->ctx || a->chunks || a->backend_given))
		return tern_usage_err(C, "--compare-quant, --ctx, --chunks and --backend go with "
				      "--text"), -1;
	if (a->backend_given && !a->compare && a->quant == TERN_QUANT_FLOAT)
		return tern_usage_err(C, "--quant float has no integer matmul to run on "
				      "--backend %s", a->o.backend), -1;
	a->quiet = (uint32_t)a->o.quiet;
	if (tern_machine_resolve(C, &a->mach, &a->o, &a->array) || tern_machine_prepare(C, &a->mach))
		return -1;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* log-softmax of lg (n) into out, in double. */
static void log_softmax(const float *lg, uint32_t n, double *out)
{
	double mx = lg[0], z = 0.0;
	uint32_t v;

	for (v = 1; v < n; v++)
		mx = lg[v] > mx ? lg[v] : mx;
	for (v = 0; v < n; v++)
		z += exp((double)lg[v] - mx);
	for (v = 0; v < n; v++)
		out[v] = (double)lg[v] - mx - log(z);
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *b = malloc(cap);

	if (!f || !b) {
		free(b);
		if (f)
			fclose(f);
		return tern_usage_err(C, "cannot read '%s'", path), -1;
	}
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = cap >= MAX_TEXT ? NULL : realloc(b, cap * 2);

			if (!nb) {
				free(b);
				fclose(f);
				return tern_usage_err(C, "'%s' is larger than %u MiB", path,
						      MAX_TEXT >> 20), -1;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return tern_usage_err(C, "read error on '%s'", path), -1;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

/* Cycles and energy per evaluated token of one integer mode. */
static void print_cost(const struct ppl_args *a, uint32_t q, const struct tern_ppl_cost *c)
{
	const uint64_t *cnt[TERN_PPL_G_COUNT] = { c->cnt[0], c->cnt[1], c->cnt[2] };
	double tok = (double)c->tokens, cyc = 0;
	unsigned g;

	for (g = 0; g < TERN_PPL_G_COUNT; g++)
		cyc += (double)cnt[g][TERN_CNT_CYCLES];
	printf("         ");
	if (c->has_cycles)
		printf("cycles/token %.1f (%s), ", cyc / tok,
		       a->backend_given ? a->o.backend : "fast model");
	else
		printf("cycles/token n/a (the %s backend counts none), ", a->o.backend);
	printf("energy/token %.3f uJ (energy model, %s)",
	       tern_ppl_energy(&a->mach.tech, &a->o.cfg, c, 0) * 1e-6 / tok, a->mach.tech.node);
	if (q == TERN_QUANT_A48)
		printf("; with an int4 lane mode (modelled, not in the RTL) %.3f uJ",
		       tern_ppl_energy(&a->mach.tech, &a->o.cfg, c, 1) * 1e-6 / tok);
	putchar('\n');
}

/* --text: llama.cpp's chunked perplexity, one mode or the three of --compare-quant. */
static int text_ppl(const struct ppl_args *a, struct tern_model *m)
{
	static const uint32_t modes[3] = { TERN_QUANT_FLOAT, TERN_QUANT_A158, TERN_QUANT_A48 };
	uint32_t nr = a->compare ? 3 : 1, V = m->cfg.n_vocab, T, nchunk, ci, j, r;
	struct tern_run *runs[3] = { NULL, NULL, NULL };
	struct tern_ppl_cost *cost = NULL;
	struct tern_ppl_dev *dev = NULL;
	double nll[3] = { 0 }, kl[3] = { 0 }, *ls[3] = { NULL, NULL, NULL }, t0 = now_s();
	uint32_t *tok = NULL, *chunk = NULL;
	uint64_t scored = 0;
	int64_t ntok, bos = m->vocab ? tern_vocab_bos(m->vocab) : -1;
	char *text = NULL, err[512];
	size_t len;
	int rc = TERN_EXIT_USAGE;

	if (!m->vocab)
		return tern_usage_err(C, "%s has no vocabulary to tokenize --text with", a->model);
	T = a->ctx ? a->ctx : m->cfg.n_ctx < 512 ? m->cfg.n_ctx : 512;
	if (T > m->cfg.n_ctx)
		return tern_usage_err(C, "--ctx %u exceeds the model's context of %u", T, m->cfg.n_ctx);
	if (read_file(a->text, &text, &len))
		return TERN_EXIT_USAGE;
	cost = calloc(3, sizeof(*cost));
	tok = malloc((len + 2) * sizeof(uint32_t));
	chunk = malloc(T * sizeof(uint32_t));
	for (r = 0; r < nr; r++)
		ls[r] = malloc(V * sizeof(double));
	if (!tok || !chunk || !cost || !ls[0] || !ls[nr - 1] || (nr > 2 && !ls[1])) {
		tern_usage_err(C, "out of memory");
		goto out;
	}
	ntok = tern_vocab_tokenize(m->vocab, text, len, 1, tok, len + 2, err, sizeof(err));
	if (ntok < 0) {
		tern_usage_err(C, "%s: %s", a->text, err);
		goto out;
	}
	nchunk = (uint32_t)((uint64_t)ntok / T);
	if (a->chunks && nchunk > a->chunks)
		nchunk = a->chunks;
	if (!nchunk) {
		tern_usage_err(C, "%s: %lld tokens, fewer than one chunk of %u", a->text,
			       (long long)ntok, T);
		goto out;
	}
	if (a->backend_given && tern_ppl_dev_open(&a->o, m, T, &dev, err, sizeof(err))) {
		tern_usage_err(C, "--backend %s: %s", a->o.backend, err);
		goto out;
	}
	/* Only bos is replaced; add_bos says whether the vocabulary puts one first. */
	if (ntok && bos >= 0 && tok[0] != (uint32_t)bos)
		bos = -1;
	for (ci = 0; ci < nchunk; ci++) {
		memcpy(chunk, tok + (size_t)ci * T, T * sizeof(uint32_t));
		if (bos >= 0)
			chunk[0] = (uint32_t)bos;
		for (r = 0; r < nr; r++) {
			uint32_t q = a->compare ? modes[r] : a->quant;
			/* the integer modes take device slots 0 and 1 in order */
			unsigned slot = a->compare ? r - 1 : 0;
			struct tern_mm mm = dev && q != TERN_QUANT_FLOAT
						    ? tern_ppl_dev_mm(dev, slot, &cost[r])
						    : tern_mm_golden;

			tern_run_free(runs[r]);
			runs[r] = NULL;
			if (tern_run_new(&m->cfg, T, T, q, mm, &runs[r])) {
				tern_usage_err(C, "out of memory for %u positions", T);
				goto out;
			}
			if (dev && q != TERN_QUANT_FLOAT)
				tern_ppl_dev_set_run(dev, slot, runs[r]);
		}
		r = (uint32_t)tern_forward(m, runs, nr, chunk, T, NULL, err, sizeof(err));
		if (r != TERN_FWD_OK) {
			rc = r == TERN_FWD_CHECK ? TERN_EXIT_CHECK : TERN_EXIT_USAGE;
			fprintf(stderr, "tern %s: %s\n", C, err);
			goto out;
		}
		for (r = 0; r < nr; r++) {
			tern_host_cost_add(&cost[r].host, tern_run_host_cost(runs[r]));
			cost[r].tokens += T;
		}
		for (j = T / 2; j + 1 < T; j++) {
			for (r = 0; r < nr; r++) {
				log_softmax(tern_run_logits(runs[r], j), V, ls[r]);
				nll[r] -= ls[r][chunk[j + 1]];
			}
			for (r = 1; r < nr; r++) {
				uint32_t v;

				for (v = 0; v < V; v++)
					kl[r] += exp(ls[0][v]) * (ls[0][v] - ls[r][v]);
			}
			scored++;
		}
		if (tern_sig_pending()) {
			rc = tern_sig_exit(C);
			goto out;
		}
		if (!a->quiet) {
			double el = now_s() - t0;

			fprintf(stderr, "tern perplexity: chunk %u/%u, perplexity %.4f, %.1f s, ETA %.1f s\n",
				ci + 1, nchunk, exp(nll[nr > 1] / scored), el,
				el / (ci + 1) * (nchunk - ci - 1));
		}
	}
	for (r = 0; !dev && r < nr; r++)
		if ((a->compare ? modes[r] : a->quant) != TERN_QUANT_FLOAT &&
		    tern_ppl_fast(&m->cfg, &a->o, T, nchunk, &cost[r], err, sizeof(err))) {
			tern_usage_err(C, "fast model: %s", err);
			goto out;
		}
	printf("tern perplexity: %s ctx=%u: %u chunks, %llu tokens scored (the second half of "
	       "each chunk)\n", a->model, T, nchunk, (unsigned long long)scored);
	if (dev)
		printf("  device: --backend %s, array %s, %llu BitLinear runs, every one equal to "
		       "the golden matmul\n", a->o.backend, a->array,
		       (unsigned long long)tern_ppl_dev_calls(dev));
	printf("  machine: array %s, %.0f MHz, %s; per evaluated token (chunks of %u tokens "
	       "run as one prefill each)\n", a->array, a->mach.clock_mhz, a->mach.board->name, T);
	for (r = 0; r < nr; r++) {
		uint32_t q = a->compare ? modes[r] : a->quant;

		printf("  %-6s nll %.6f per token, perplexity %.4f", qname(q), nll[r] / scored,
		       exp(nll[r] / scored));
		if (a->compare && r)
			printf(", mean KL from float %.3e", kl[r] / scored);
		putchar('\n');
		if (q == TERN_QUANT_FLOAT)
			printf("         host only (float activations: no integer matmul, no "
			       "device cycles or energy)\n");
		else
			print_cost(a, q, &cost[r]);
	}
	rc = TERN_EXIT_OK;
out:
	for (r = 0; r < 3; r++) {
		tern_run_free(runs[r]);
		free(ls[r]);
	}
	tern_ppl_dev_close(dev);
	free(cost);
	free(tok);
	free(chunk);
	free(text);
	return rc;
}

static int is_byte_model(const struct tern_model *m)
{
	char buf[16];
	uint32_t b;

	if (!m->vocab || m->cfg.n_vocab != TERN_TRAIN_VOCAB)
		return 0;
	for (b = 0; b < 256; b++)
		if (tern_vocab_decode(m->vocab, TERN_TRAIN_BYTE0 + b, buf, sizeof(buf)) != 1 ||
		    (unsigned char)buf[0] != b)
			return 0;
	return 1;
}

/* --data: the held-out windows of tern train. */
static int heldout_ppl(const struct ppl_args *a, struct tern_model *m)
{
	uint32_t T = m->cfg.n_ctx, nw = 0, i, t;
	struct tern_run *r = NULL;
	struct tern_corpus c = { 0 };
	uint32_t *tok = NULL;
	double nll = 0.0, *ls = NULL;
	size_t j, next = 0;
	char err[512];
	int rc = TERN_EXIT_USAGE;

	if (!is_byte_model(m))
		return tern_usage_err(C, "%s: not a byte-vocabulary model (tern train makes those)",
				      a->model);
	if (tern_corpus_load(a->data, &c, err, sizeof(err)))
		return tern_usage_err(C, "%s", err);
	tok = malloc((T + 1) * sizeof(uint32_t));
	ls = malloc(m->cfg.n_vocab * sizeof(double));
	if (!tok || !ls) {
		tern_usage_err(C, "out of memory");
		goto out;
	}
	/* The windows of tern_train_eval: line starts, not overlapping. */
	for (j = 0; j < c.n_held_lines && (!a->windows || nw < a->windows); j++) {
		size_t s = c.held_lines[j];

		if (s < next || s + T + 1 > c.n_held)
			continue;
		next = s + T;
		for (i = 0; i <= T; i++)
			tok[i] = TERN_TRAIN_BYTE0 + c.held[s + i];
		tern_run_free(r);
		r = NULL;
		if (tern_run_new(&m->cfg, T, T, a->quant, tern_mm_golden, &r)) {
			tern_usage_err(C, "out of memory");
			goto out;
		}
		if (tern_forward(m, &r, 1, tok, T, NULL, err, sizeof(err)) != TERN_FWD_OK) {
			tern_usage_err(C, "%s", err);
			goto out;
		}
		for (t = 0; t < T; t++) {
			log_softmax(tern_run_logits(r, t), m->cfg.n_vocab, ls);
			nll -= ls[tok[t + 1]];
		}
		nw++;
		if (tern_sig_pending()) {
			rc = tern_sig_exit(C);
			goto out;
		}
	}
	if (!nw) {
		tern_usage_err(C, "%s: no held-out window of %u bytes", a->data, T + 1);
		goto out;
	}
	printf("tern perplexity: %s quant=%s%s%s: %u windows, %llu bytes, %.4f nats/byte, "
	       "perplexity %.3f (uniform 256)\n", a->model, qname(a->quant),
	       a->head ? " head=" : "", a->head ? tern_head_name(a->head) : "", nw,
	       (unsigned long long)nw * T, nll / ((double)nw * T), exp(nll / ((double)nw * T)));
	rc = TERN_EXIT_OK;
out:
	tern_run_free(r);
	free(tok);
	free(ls);
	tern_corpus_free(&c);
	return rc;
}

int tern_cmd_perplexity(int argc, char **argv)
{
	struct ppl_args a;
	struct tern_model *m = NULL;
	char err[512];
	int rc;

	if ((rc = parse(&a, argc, argv)))
		return rc > 0 ? TERN_EXIT_OK : TERN_EXIT_USAGE;
	if (tern_model_open(a.model, &m, err, sizeof(err)))
		return tern_usage_err(C, "%s", err);
	m->cfg.head_planes = a.head;
	rc = a.text ? text_ppl(&a, m) : heldout_ppl(&a, m);
	tern_model_free(m);
	return rc;
}
