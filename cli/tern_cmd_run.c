/*
 * `tern run`: generate tokens with a whole model, every BitLinear on a device, all
 * three checks on. The device pass and a golden pass (same forward code, golden
 * matmul) advance together layer by layer; their logits must match bit for bit at
 * every position (level 3). Inside, tern_gemm_run checks each layer against the
 * golden matmul (level 2) and the verilator backend checks every DRAM write in
 * lockstep with the reference model (level 1). Prefill runs the whole prompt as one
 * N-token step, or with --prefill-chunks C as C consecutive steps of about N / C
 * tokens (the KV cache fills chunk by chunk; the logits are the same bits, which the
 * model check and the tests confirm), each chunk's BitLinears run and checked on the
 * device like any step; then one decode step per generated token. A chunked run also
 * schedules its executed per-stage cycles with the host-op times (tern_run_pipe.c).
 *
 * `--backend fast` is a checked run like ref (the driver's fast backend: reference
 * results, cycles from the fast cycle model). `--timing-only` computes nothing: no
 * weights, no data, no tokens, no device. It walks the same steps (prefill N = prompt
 * length, then N = 1 per token), asks the fast cycle model (sim/tern_fast.h, cached
 * per shape) for each BitLinear's cycles and events, and counts the host ops with the
 * same formulas the forward pass uses (tern_hostcost.c).
 * Every path can fill a report directory (--report): one row per BitLinear and phase.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tern_cli.h"
#include "tern_fast.h"
#include "tern_gemm.h"
#include "tern_model.h"
#include "tern_pool.h"
#include "tern_run_priv.h"

#define CMD "run"
#define MAX_TOKENS 4096u
#define MAX_PROMPT 4096u
/* Zero-weight share the fast model assumes: BitNet's absmean quantization leaves
 * about a third of the weights at 0, and zoo weights are uniform over {-1, 0, 1}. */
#define FAST_ZERO_FRACTION (1.0 / 3.0)
/* Seed of the --prompt-len ids, fixed so that a length always means the same prompt. */
#define PROMPT_LEN_SEED 0x7465726eull

static const char help[] =
	"usage: tern run [--model zoo:NAME|FILE.gguf] [--backend ref|verilator|fast|systemc|systemc-tlm|uio|serial]\n"
	"                [--array RxL | --config F.json] [--timing-only]\n"
	"                [--prompt-tokens 1,2,3 | --prompt TEXT | --prompt-len N]\n"
	"                [--tokens N] [--seed S] [--top-k K] [--quant a1.58|a4.8] [--json]\n"
	"                [--quiet] [report options] [--host-gflops G]\n"
	"                [--logits FILE.npy] [--top-logprobs K] [--ignore-eos]\n"
	"\n"
	"Generate tokens with a whole ternary model, every BitLinear on a device, checked at\n"
	"three levels: lockstep (verilator), each layer vs the golden matmul, and the logits\n"
	"of every position vs a forward pass that uses the golden matmul.\n"
	"  --model M            zoo:tiny (default), zoo:bitnet-b1.58-large,\n"
	"                       zoo:bitnet-b1.58-2b-4t, zoo:bitnet-b1.58-3b,\n"
	"                       zoo:llama3-8b-1.58, or a GGUF file\n"
	"  --backend B          ref (reference model, default), verilator (simulated RTL),\n"
	"                       fast (reference results, cycles from the fast cycle model),\n"
	"                       systemc (the RTL in a SystemC/TLM platform, lockstep) or\n"
	"                       systemc-tlm (TLM-only model: reference results, fast cycles),\n"
	"                       uio (a board through Linux UIO, --uio-root DIR for the tree of\n"
	"                       `tern devsim`) or serial (the iCEBreaker, --port PATH)\n"
	"  --timing-only        no data, no tokens, no checks, no device: each BitLinear is\n"
	"                       timed by the fast cycle model, host ops by their formulas\n"
	"                       (seconds for 2B-4T); implies --backend fast, refuses others\n"
	"  --array RxL          PE array: a preset (4x4 .. 64x64) or any RxL (default 32x32)\n";

/* After tern_config_help. */
static const char help_mid[] =
	"  --prompt-tokens L    comma-separated token ids (default 1,2,3,4)\n"
	"  --prompt TEXT        text, encoded with the GGUF vocabulary (zoo: one id per byte)\n"
	"  --prompt-len N       N deterministic pseudo-random token ids (1..4096)\n"
	"  --tokens N           tokens to generate, 1..4096 (default 8)\n"
	"  --seed S             sampling seed (default 0); weights do not depend on it\n"
	"  --top-k K            sample among the K most likely tokens (default 0: greedy)\n"
	"  --quant Q            a1.58 (int8 per token, default) or a4.8 (BitNet a4.8)\n"
	"  --head H             output head: float (on the host), t2 or t3 (2 or 3 balanced-\n"
	"                       ternary digit planes with a per-row scale, on the array as\n"
	"                       one BitLinear, combined with shifts and adds); default float,\n"
	"                       or the board's (kv260: t2) when --board chose the array\n"
	"  --wfmt F             weights in device DRAM: 2bit (default) or base3 (1.6 bits)\n"
	"  --prefill-chunks C   run the prompt as C chunks (1..64, at most the prompt's\n"
	"                       length; same tokens and logits as one step) and report the\n"
	"                       time to first token with each chunk's host work (attention,\n"
	"                       norms) scheduled to overlap the array's work on the next\n"
	"                       (executed per-stage cycles; --timing-only: fast model)\n"
	"  --check C            all (default): layer and model checks; layer: no golden\n"
	"                       pass; none: neither (lockstep still runs on verilator)\n"
	"  --threads N          worker threads for the reference model, the golden matmul\n"
	"                       and the output projection (default: every CPU); results\n"
	"                       are identical for any N\n"
	"  --warmup             before the timed steps, one discarded 1-token pass packs\n"
	"                       every layer's weights, so prefill_seconds excludes that\n"
	"                       one-time work (it is in setup_seconds, warmup_seconds)\n"
	"  --json               print one JSON object on stdout instead of the summary; its\n"
	"                       \"text\" is valid UTF-8 (bytes that are not: U+FFFD), the\n"
	"                       exact bytes are in \"text_hex\"\n"
	"  --logits FILE.npy    logits of every computed position (prompt and generated),\n"
	"                       float32 [positions, vocab] in NumPy .npy format\n"
	"  --top-logprobs K     with --json: each generated token's log-probability and the\n"
	"                       K most likely tokens at its position (1..100)\n"
	"  --ignore-eos         go on after EOS / EOT (default: stop, as llama.cpp)\n"
	"  --quiet              no progress on stderr\n"
	"  --dram-latency C     simulated DRAM latency in cycles (verilator, fast; default 40)\n"
	"  --dram-bw B          simulated DRAM bytes per cycle (verilator, fast; default 16)\n";

static const char help_tail[] =
	"  --host-gflops G      host FP32 rate for host-op time (default: the board's CPU)\n"
	"exit: 0 all checks passed, 1 a check failed, 2 bad usage or input,\n"
	"      128+N interrupted by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP)\n";

enum { O_MODEL = 256, O_PTOK, O_PROMPT, O_TOKENS, O_SEED, O_TOPK, O_QUANT, O_JSON, O_HELP,
       O_PLEN, O_HOSTG, O_TIMING, O_LOGITS, O_TOPLP, O_IGNEOS, O_THREADS, O_CHECK,
       O_WARMUP, O_HEAD, O_WFMT, O_CHUNKS };

static const struct option longopts[] = {
	{ "model", required_argument, 0, O_MODEL },     { "prompt-tokens", required_argument, 0, O_PTOK },
	{ "prompt", required_argument, 0, O_PROMPT },   { "tokens", required_argument, 0, O_TOKENS },
	{ "seed", required_argument, 0, O_SEED },       { "top-k", required_argument, 0, O_TOPK },
	{ "quant", required_argument, 0, O_QUANT },     { "json", no_argument, 0, O_JSON },
	{ "help", no_argument, 0, O_HELP },             { "prompt-len", required_argument, 0, O_PLEN },
	{ "host-gflops", required_argument, 0, O_HOSTG }, { "timing-only", no_argument, 0, O_TIMING },
	{ "logits", required_argument, 0, O_LOGITS },   { "top-logprobs", required_argument, 0, O_TOPLP },
	{ "ignore-eos", no_argument, 0, O_IGNEOS },
	{ "threads", required_argument, 0, O_THREADS }, { "check", required_argument, 0, O_CHECK },
	{ "warmup", no_argument, 0, O_WARMUP }, { "head", required_argument, 0, O_HEAD },
	{ "wfmt", required_argument, 0, O_WFMT },
	{ "prefill-chunks", required_argument, 0, O_CHUNKS },
	TERN_DEVICE_LONGOPTS,
	TERN_MACHINE_LONGOPTS,
	{ 0, 0, 0, 0 }
};

static int parse_one(struct run_args *a, int c, const char *v, char **argv)
{
	int rc = tern_machine_opt(CMD, &a->mach, c, v);

	if (c == TERN_O_BACKEND)
		a->backend_given = 1;
	if (!rc)
		rc = tern_device_opt(CMD, &a->o, &a->array, c, v);
	if (rc)
		return rc < 0 ? -1 : 0;
	switch (c) {
	case O_MODEL: a->model = v; return 0;
	case O_PTOK: a->prompt_tokens = v; return 0;
	case O_PROMPT: a->prompt = v; return 0;
	case O_PLEN: return tern_parse_u64(CMD, "--prompt-len", v, 1, MAX_PROMPT, &a->prompt_len);
	case O_HOSTG: return tern_parse_pos(CMD, "--host-gflops", v, 1e9, &a->host_gflops);
	case O_TOKENS: return tern_parse_u64(CMD, "--tokens", v, 1, MAX_TOKENS, &a->tokens);
	case O_SEED: return tern_parse_u64(CMD, "--seed", v, 0, UINT64_MAX, &a->seed);
	case O_TOPK: return tern_parse_u64(CMD, "--top-k", v, 0, 1u << 24, &a->top_k);
	case O_QUANT:
		if (!strcmp(v, "a1.58"))
			a->quant = TERN_QUANT_A158;
		else if (!strcmp(v, "a4.8"))
			a->quant = TERN_QUANT_A48;
		else
			return tern_usage_err(CMD, "--quant must be a1.58 or a4.8, got '%s'", v), -1;
		return 0;
	case O_THREADS: return tern_parse_u64(CMD, "--threads", v, 1, 64, &a->threads);
	case O_CHECK:
		if (!strcmp(v, "all"))
			a->check = CHECK_ALL;
		else if (!strcmp(v, "layer"))
			a->check = CHECK_LAYER;
		else if (!strcmp(v, "none"))
			a->check = CHECK_NONE;
		else
			return tern_usage_err(CMD, "--check must be all, layer or none, got '%s'", v), -1;
		return 0;
	case O_HEAD:
		if (tern_head_parse(v, &a->head_planes))
			return tern_usage_err(CMD, "--head must be float, t2 or t3, got '%s'", v), -1;
		a->head_given = 1;
		return 0;
	case O_WFMT:
		if (strcmp(v, "2bit") && strcmp(v, "base3"))
			return tern_usage_err(CMD, "--wfmt must be 2bit or base3, got '%s'", v), -1;
		a->wfmt = strcmp(v, "2bit") ? TERN_WFMT_BASE3 : TERN_WFMT_2BIT;
		return 0;
	case O_CHUNKS: return tern_parse_u64(CMD, "--prefill-chunks", v, 1, 64, &a->prefill_chunks);
	case O_JSON: a->json = 1; return 0;
	case O_WARMUP: a->warmup = 1; return 0;
	case O_TIMING: a->timing_only = 1; return 0;
	case O_LOGITS: a->logits = v; return 0;
	case O_TOPLP: return tern_parse_u64(CMD, "--top-logprobs", v, 1, 100, &a->top_logprobs);
	case O_IGNEOS: a->ignore_eos = 1; return 0;
	case O_HELP:
		tern_device_cmd_help(help, help_mid, help_tail);
	default:
		return tern_bad_option(CMD, argv);
	}
}

struct tern_run_hook tern_run_hook;

int tern_run_parse(struct run_args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->model = "zoo:tiny";
	tern_device_init(&a->o, &a->array);
	a->tokens = 8;
	tern_machine_init(&a->mach);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_one(a, c, optarg, argv))
			return -1;
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s' (see tern run --help)", argv[optind]), -1;
	if (!!a->prompt + !!a->prompt_tokens + !!a->prompt_len > 1)
		return tern_usage_err(CMD, "give one of --prompt, --prompt-tokens and --prompt-len"), -1;
	/* Timing-only opens no device: its cycles are the fast model's, so the run is labelled
	 * with that backend, and asking for another one would be asking for a contradiction. */
	if (a->timing_only && a->backend_given && strcmp(a->o.backend, "fast"))
		return tern_usage_err(CMD, "--timing-only times layers with the fast cycle model and "
				      "opens no device: drop --backend %s (or use --backend fast)",
				      a->o.backend), -1;
	if (a->timing_only && (a->logits || a->top_logprobs))
		return tern_usage_err(CMD, "--timing-only computes no logits: drop --logits and "
				      "--top-logprobs"), -1;
	if (a->top_logprobs && !a->json)
		return tern_usage_err(CMD, "--top-logprobs goes into the JSON: add --json"), -1;
	if (a->timing_only)
		a->o.backend = "fast";
	return tern_machine_resolve(CMD, &a->mach, &a->o, &a->array);
}

/* "1,2,3": strict decimal ids, each below the vocabulary size. */
static int parse_token_list(const char *s, uint32_t n_vocab, struct run_state *st)
{
	const char *p = s;

	st->n_prompt = 0;
	while (1) {
		char *end;
		unsigned long long v;

		if (*p < '0' || *p > '9')
			return tern_usage_err(CMD, "--prompt-tokens: expected a token id at '%s'", p), -1;
		v = strtoull(p, &end, 10);
		if (v >= n_vocab || end - p > 10)
			return tern_usage_err(CMD, "--prompt-tokens: token %.*s is outside the vocabulary "
					      "(0..%u)", (int)(end - p), p, n_vocab - 1), -1;
		if (st->n_prompt == MAX_PROMPT)
			return tern_usage_err(CMD, "--prompt-tokens: more than %u tokens", MAX_PROMPT), -1;
		st->prompt[st->n_prompt++] = (uint32_t)v;
		if (!*end)
			return 0;
		if (*end != ',')
			return tern_usage_err(CMD, "--prompt-tokens: unexpected '%c' after a token id", *end), -1;
		p = end + 1;
	}
}

static int build_prompt(const struct run_args *a, const struct tern_model *m, struct run_state *st)
{
	const char *text = a->prompt;
	uint32_t n_vocab = m->cfg.n_vocab;
	char err[256];
	int64_t n;
	size_t i;

	st->prompt = malloc(MAX_PROMPT * sizeof(uint32_t));
	if (!st->prompt)
		return tern_usage_err(CMD, "out of memory"), -1;
	if (a->prompt_len) {
		uint64_t s = PROMPT_LEN_SEED;

		for (i = 0; i < a->prompt_len; i++)
			st->prompt[i] = (uint32_t)(tern_rng_next(&s) % n_vocab);
		st->n_prompt = (uint32_t)a->prompt_len;
		return 0;
	}
	if (!text)
		return parse_token_list(a->prompt_tokens ? a->prompt_tokens : "1,2,3,4", n_vocab, st);
	if (m->vocab) {
		n = tern_vocab_tokenize(m->vocab, text, strlen(text), 1, st->prompt, MAX_PROMPT, err,
					sizeof(err));
		if (n < 0)
			return tern_usage_err(CMD, "--prompt: %s", err), -1;
		st->n_prompt = (uint32_t)n;
	} else {
		/* No vocabulary: byte-level ids, one per byte (every zoo vocab has >= 256). */
		if (strlen(text) > MAX_PROMPT)
			return tern_usage_err(CMD, "--prompt: longer than %u bytes", MAX_PROMPT), -1;
		if (n_vocab < 256)
			return tern_usage_err(CMD, "--prompt: model has no vocabulary; use --prompt-tokens"), -1;
		for (i = 0; text[i]; i++)
			st->prompt[i] = (unsigned char)text[i];
		st->n_prompt = (uint32_t)i;
	}
	if (!st->n_prompt)
		return tern_usage_err(CMD, "--prompt: empty prompt"), -1;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process (all threads): on a shared machine it shows the work
 * apart from the waiting for a core. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One BitLinear call into the report, under the current phase and the tensor's name. */
static int report_layer(struct run_state *st, const char *name, const struct tern_layer *l,
			const struct tern_status *s, char *err, size_t errlen)
{
	enum tern_phase ph = st->step ? TERN_PHASE_DECODE : TERN_PHASE_PREFILL;

	if (!st->reporting)
		return 0;
	if (tern_report_add(&st->rep, ph, name, l->m, l->k, l->n, l->wfmt, s->counters, s->has_cycles,
			    err, errlen))
		return -1;
	return s->has_toggles ? tern_report_add_toggles(&st->rep, ph, name, s->toggles, err, errlen) : 0;
}

/* Resident-layer id and golden planes of a BitLinear; the head comes after the blocks. */
static uint32_t lin_id(const struct run_state *st, uint32_t layer, uint32_t which)
{
	return which == TERN_LIN_HEAD ? st->m->cfg.n_layer * TERN_LIN_COUNT
				      : layer * TERN_LIN_COUNT + which;
}

static const uint64_t *lin_planes(const struct run_state *st, uint32_t layer, uint32_t which)
{
	return which == TERN_LIN_HEAD ? tern_head_planes(st->m) : tern_model_planes(st->m, layer, which);
}

/* A prefill BitLinear's executed cycles into its chunk's stage of the schedule. */
static void stage_add(struct run_state *st, uint32_t layer, uint32_t which, uint64_t cycles)
{
	static const uint8_t stage[TERN_LIN_COUNT] = {
		[TERN_LIN_Q] = TERN_PIPE_QKV, [TERN_LIN_K] = TERN_PIPE_QKV, [TERN_LIN_V] = TERN_PIPE_QKV,
		[TERN_LIN_O] = TERN_PIPE_O, [TERN_LIN_GATE] = TERN_PIPE_GATE_UP,
		[TERN_LIN_UP] = TERN_PIPE_GATE_UP, [TERN_LIN_DOWN] = TERN_PIPE_DOWN
	};

	if (which == TERN_LIN_HEAD)
		st->head_cycles += cycles; /* only the sampled (last) chunk runs it */
	else
		st->stage_cycles[((size_t)st->chunk * st->m->cfg.n_layer + layer) * 4 + stage[which]] +=
			cycles;
}

/* Level 2 (and level 1 inside the backend) on every BitLinear of the device pass. */
static int dev_mm(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		  int32_t *y, char *err, size_t errlen)
{
	struct run_state *st = ctx;
	struct tern_gemm_result r;
	double t0 = now_s();
	const struct tern_tile *t = &r.mm_tile;
	uint32_t layer, which;
	char name[64];

	tern_run_current(st->runs[0], &layer, &which);
	if (tern_gemm_run_resident(st->gc, lin_id(st, layer, which), l, w,
				   st->check == CHECK_NONE ? NULL : lin_planes(st, layer, which),
				   x, y, &r, err, errlen))
		return -1;
	tern_run_current(st->runs[0], &layer, &which);
	if (tern_run_hook.layer && tern_run_hook.layer(tern_run_hook.ctx, st->step, layer, which,
						       l, w, x, y, &r, err, errlen))
		return -1;
	st->t_device += now_s() - t0;
	if (st->step == 0 && st->stage_cycles)
		stage_add(st, layer, which, r.st.counters[TERN_CNT_CYCLES]);
	st->step_cycles += r.st.counters[TERN_CNT_CYCLES];
	st->step_macs += r.st.counters[TERN_CNT_MACS];
	st->has_cycles = r.st.has_cycles;
	st->layers_run++;
	if (tern_gemm_ok(&r)) {
		return report_layer(st, tern_lin_name(layer, which, name, sizeof(name)), l, &r.st,
				    err, errlen);
	}
	if (r.st.mismatch) {
		st->lockstep_failed = 1;
		snprintf(err, errlen, "lockstep mismatch at instruction %u (%s, tile m %u..%u n %u..%u "
			 "k %u..%u) address 0x%llx: expected 0x%08x, actual 0x%08x (cycle %llu)",
			 r.st.mm.insn, tern_opcode_name(r.st.mm.opcode), t->m0, t->m0 + t->m_len - 1,
			 t->n0, t->n0 + t->n_len - 1, t->k0, t->k0 + t->k_len - 1,
			 (unsigned long long)r.st.mm.addr, r.st.mm.expected, r.st.mm.actual,
			 (unsigned long long)r.st.mm.cycle);
	} else if (r.st.err) {
		st->device_failed = 1;
		snprintf(err, errlen, "device error %s at instruction %u: %s",
			 tern_err_name(r.st.err), r.st.err_insn, tern_err_doc(r.st.err));
	} else {
		st->layer_failed = 1;
		snprintf(err, errlen, "layer check: output n=%u m=%u is %d, golden matmul says %d",
			 r.bad_n, r.bad_m, r.actual, r.expected);
	}
	return 1;
}

static int gold_mm(void *ctx, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		   int32_t *y, char *err, size_t errlen)
{
	struct run_state *st = ctx;
	double t0 = now_s();
	uint32_t layer, which;

	(void)w;
	(void)err;
	(void)errlen;
	tern_run_current(st->runs[1], &layer, &which);
	tern_gemm_golden(st->gc, lin_id(st, layer, which), l, lin_planes(st, layer, which), x, y);
	st->t_golden += now_s() - t0;
	return 0;
}

static void progress(void *ctx, uint32_t layer, uint32_t n_layer)
{
	struct run_state *st = ctx;

	if (st->step == 0 && st->chunks > 1)
		fprintf(stderr, "\rtern run: prefill %u tokens, chunk %u/%u, layer %u/%u ",
			st->n_prompt, st->chunk + 1, st->chunks, layer, n_layer);
	else if (st->step == 0)
		fprintf(stderr, "\rtern run: prefill %u tokens, layer %u/%u ", st->n_prompt,
			layer, n_layer);
	else
		fprintf(stderr, "\rtern run: token %u/%u, layer %u/%u ", st->step, st->n_gen,
			layer, n_layer);
	fflush(stderr);
}

/*
 * Device memory for resident layers: every layer's packed weights, the activation and
 * output regions of the largest layer at the largest step (the largest prefill chunk),
 * and a program per layer and token count: the prefill chunks' (n_lo and n_hi tokens,
 * equal without chunks) and decode's (1); tern_gemm keeps up to three.
 */
static uint64_t device_bytes(const struct run_args *a, const struct tern_model_config *c,
			     uint32_t n_hi, uint32_t n_lo, uint64_t *x_cap, uint64_t *y_cap)
{
	uint64_t need = 0, ins = 0, head = 0;
	uint32_t i, j, ns[3] = { n_hi, n_lo, 1 };

	*x_cap = *y_cap = 0;
	for (i = 0; i < TERN_LIN_COUNT; i++) {
		for (j = 0; j < 3; j++) {
			struct tern_layer l = { 0, 0, ns[j], c->wfmt };
			struct tern_layout lo;
			struct tern_traffic tr;

			if (j && ns[j] == ns[j - 1])
				continue; /* the same program */
			tern_lin_shape(c, i, &l.m, &l.k);
			if (tern_layout_plan(&a->o.cfg, &l, &lo, NULL, 0))
				continue; /* reported when the layer runs */
			tern_layout_traffic(&a->o.cfg, &l, &lo, &tr);
			if (!j)
				need += lo.w_bytes + 256;
			ins += tr.insns * TERN_INSN_BYTES + 256;
			if (lo.x_bytes > *x_cap)
				*x_cap = lo.x_bytes;
			if (lo.y_bytes > *y_cap)
				*y_cap = lo.y_bytes;
		}
	}
	if (c->head_planes) {
		/* the head: one layer of planes x vocabulary rows, N = 1, two programs */
		struct tern_layer l = { c->head_planes * c->n_vocab, c->n_embd, 1, c->wfmt };
		struct tern_layout lo;
		struct tern_traffic tr;

		if (!tern_layout_plan(&a->o.cfg, &l, &lo, NULL, 0)) {
			tern_layout_traffic(&a->o.cfg, &l, &lo, &tr);
			head = lo.w_bytes + 2 * (tr.insns * TERN_INSN_BYTES + 256) + 512;
			if (lo.x_bytes > *x_cap)
				*x_cap = lo.x_bytes;
			if (lo.y_bytes > *y_cap)
				*y_cap = lo.y_bytes;
		}
	}
	return (need + ins) * c->n_layer + head + *x_cap + *y_cap + (1u << 20);
}

static int alloc_steps(const struct run_args *a, struct run_state *st, char *err, size_t errlen);

static int open_runs(const struct run_args *a, struct run_state *st, char *err, size_t errlen)
{
	const struct tern_model_config *c = &st->m->cfg;
	uint32_t n_ctx = st->n_prompt + st->n_gen + 1;
	/* Chunk sizes: the prompt over C, rounded up and down (tern_run_pipe.c's split). */
	uint32_t n_hi = (st->n_prompt + st->chunks - 1) / st->chunks, n_lo = st->n_prompt / st->chunks;
	/* A recording hook (tern shard) sees every call's weights: no resident shortcut. */
	struct tern_mm dm = { dev_mm, st, !tern_run_hook.layer }, gm = { gold_mm, st, 1 };
	uint64_t x_cap, y_cap;
	unsigned i;

	st->o = a->o;
	if (tern_run_hook.device)
		st->o.backend = tern_run_hook.device;
	st->o.mem_bytes = device_bytes(a, c, n_hi, n_lo, &x_cap, &y_cap);
	st->check = a->check;
	st->nruns = a->check == CHECK_ALL ? 2 : 1;
	/* No check reads golden planes: do not build them (0.52 GB for 2B-4T). */
	if (a->check == CHECK_NONE && dm.resident)
		tern_model_keep_planes(st->m, 0);
	if (tern_dev_open(&st->o, &st->dev, err, errlen) ||
	    tern_gemm_cache_new(st->dev, c->n_layer * TERN_LIN_COUNT + 1, x_cap, y_cap, &st->gc, err,
				errlen))
		return -1;
	if (tern_run_new(c, n_ctx, n_hi, a->quant, dm, &st->runs[0]) ||
	    (st->nruns > 1 && tern_run_new(c, n_ctx, n_hi, a->quant, gm, &st->runs[1]))) {
		snprintf(err, errlen, "out of memory for the KV caches (%u positions)", n_ctx);
		return -1;
	}
	if (a->prefill_chunks &&
	    !(st->stage_cycles = calloc((size_t)st->chunks * c->n_layer * 4, sizeof(uint64_t)))) {
		snprintf(err, errlen, "out of memory for the prefill schedule");
		return -1;
	}
	/* Nothing reads the logits of earlier prompt positions unless they are written out:
	 * the model check compares the normed states there (model_check). */
	st->last_only = !a->logits;
	for (i = 0; st->last_only && i < st->nruns; i++)
		tern_run_logits_last_only(st->runs[i], 1);
	return alloc_steps(a, st, err, errlen);
}

/*
 * --warmup: one 1-token pass (the first prompt token) through runs of their own, then
 * discarded. It leaves every layer packed on the device, its planes built and the N=1
 * programs compiled, and nothing else: the real runs' KV caches are untouched, and
 * the accounting it touched is zeroed again.
 */
static int warmup(const struct run_args *a, struct run_state *st, char *err, size_t errlen)
{
	const struct tern_model_config *c = &st->m->cfg;
	struct tern_run *keep[2] = { st->runs[0], st->runs[1] }, *w[2] = { NULL, NULL };
	/* A recording hook (tern shard) sees every call's weights: no resident shortcut. */
	struct tern_mm dm = { dev_mm, st, !tern_run_hook.layer }, gm = { gold_mm, st, 1 };
	struct tern_fwd_hooks h = { tern_sig_flag(), NULL, st, 0 };
	double t0 = now_s();
	int rc = -1;

	if (tern_run_new(c, 2, 1, a->quant, dm, &w[0]) ||
	    (st->nruns > 1 && tern_run_new(c, 2, 1, a->quant, gm, &w[1]))) {
		snprintf(err, errlen, "out of memory for the warm-up pass");
		goto out;
	}
	st->runs[0] = w[0];
	st->runs[1] = w[1];
	rc = tern_forward(st->m, st->runs, st->nruns, st->prompt, 1, &h, err, errlen);
	if (rc != TERN_FWD_OK)
		rc = -1;
out:
	st->runs[0] = keep[0];
	st->runs[1] = keep[1];
	tern_run_free(w[0]);
	tern_run_free(w[1]);
	st->t_device = st->t_golden = 0;
	st->step_cycles = st->step_macs = st->layers_run = 0;
	if (st->stage_cycles)
		memset(st->stage_cycles, 0, (size_t)st->chunks * c->n_layer * 4 * sizeof(uint64_t));
	st->head_cycles = 0;
	st->t_warmup = now_s() - t0;
	return rc;
}

/* Generated ids, per-step costs and the top-k scratch (every backend). */
static int alloc_steps(const struct run_args *a, struct run_state *st, char *err, size_t errlen)
{
	st->gen = calloc(st->n_gen, sizeof(uint32_t));
	st->steps = calloc(st->n_gen + 1, sizeof(struct run_step));
	st->idx = calloc(a->top_k > 1 ? a->top_k : 1, sizeof(uint32_t));
	if (!st->gen || !st->steps || !st->idx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * Level 3: device logits == golden logits, bit for bit, at every position of the step.
 * Where the runs made the last position's logits only (no --logits file), an earlier
 * position is checked on the output projection's whole input, the normed hidden state:
 * the projection is a pure, deterministic function of it, so identical states give
 * identical logits, and a state that differs fails the check even where the logits
 * might happen to agree. This saves a full projection per prompt position (the 656 MB
 * embedding, 127 times for a 128-token prompt) and the logits' memory.
 */
static int model_check(struct run_state *st, uint32_t n, int part)
{
	uint32_t V = st->m->cfg.n_vocab, d = st->m->cfg.n_embd, i, v;

	for (i = 0; i < n; i++) {
		/* A prompt chunk that is not sampled has no logits at all when last-only. */
		int hidden = st->last_only && (part || i + 1 < n);
		const float *a = hidden ? tern_run_normed(st->runs[0], i) : tern_run_logits(st->runs[0], i);
		const float *b = hidden ? tern_run_normed(st->runs[1], i) : tern_run_logits(st->runs[1], i);
		uint32_t len = hidden ? d : V;

		if (!memcmp(a, b, (size_t)len * sizeof(float)))
			continue;
		for (v = 0; v < len && !memcmp(&a[v], &b[v], sizeof(float)); v++)
			;
		st->model_failed = 1;
		snprintf(st->fail_msg, sizeof(st->fail_msg), "model check: %s differ at position %u, "
			 "%s %u: device %.9g, golden %.9g", hidden ? "normed hidden states" : "logits",
			 tern_run_pos(st->runs[0]) - n + i, hidden ? "element" : "token", v, a[v], b[v]);
		return -1;
	}
	return 0;
}

/*
 * One step: forward both passes, check, record costs. Returns a TERN_FWD_* value. The
 * prefill (step 0) runs as st->chunks consecutive forward calls, chunk c holding the
 * prompt's tokens n * c / C .. n * (c + 1) / C - 1; each chunk is checked as it
 * finishes and its logits kept, and only the last one is sampled.
 */
static int step(const struct run_args *a, struct run_state *st, const uint32_t *tok, uint32_t n)
{
	struct tern_fwd_hooks h = { tern_sig_flag(), st->show_progress ? progress : NULL, st, 0 };
	struct run_step *s = &st->steps[st->step];
	struct tern_host_cost before = *tern_run_host_cost(st->runs[0]);
	uint32_t parts = st->step ? 1 : st->chunks, c, p0 = 0, p1 = 0;
	double t0 = now_s(), c0 = cpu_s();
	int rc = TERN_FWD_OK;

	st->step_cycles = 0;
	st->step_macs = 0;
	for (c = 0; c < parts && rc == TERN_FWD_OK; c++) {
		p0 = (uint32_t)((uint64_t)n * c / parts);
		p1 = (uint32_t)((uint64_t)n * (c + 1) / parts);
		st->chunk = c;
		h.prompt_part = c + 1 < parts;
		rc = tern_forward(st->m, st->runs, st->nruns, tok + p0, p1 - p0, &h, st->fail_msg,
				  sizeof(st->fail_msg));
		if (rc == TERN_FWD_OK && st->nruns > 1 && model_check(st, p1 - p0, h.prompt_part))
			rc = TERN_FWD_CHECK;
		if (rc == TERN_FWD_OK && h.prompt_part)
			tern_run_keep_logits(a, st, p1 - p0);
	}
	st->last_n = p1 - p0;
	s->seconds = now_s() - t0;
	s->cpu_seconds = cpu_s() - c0;
	s->cycles = st->step_cycles;
	s->macs = st->step_macs;
	s->n = n;
	/* Host work as one deployment does it: the device pass's ops, plus sampling. */
	s->host = *tern_run_host_cost(st->runs[0]);
	tern_host_cost_sub(&s->host, &before);
	tern_cost_sample(&st->m->cfg, (uint32_t)a->top_k, &s->host);
	return rc;
}

/* --prefill-chunks on a backend with cycles: the executed prefill's schedule. */
static int schedule_prefill(const struct run_args *a, struct run_state *st)
{
	if (!a->prefill_chunks || !st->has_cycles)
		return TERN_FWD_OK;
	if (tern_run_pipeline_executed(a, st, &st->pipe, st->fail_msg, sizeof(st->fail_msg)))
		return TERN_FWD_ERR;
	if (st->reporting) {
		st->rep.ttft_pipelined_seconds = st->pipe.ttft;
		st->rep.prefill_chunks = st->chunks;
	}
	return TERN_FWD_OK;
}

static int generate(const struct run_args *a, struct run_state *st)
{
	uint64_t rng = a->seed;
	uint32_t last, n;
	int rc;

	rc = step(a, st, st->prompt, st->n_prompt);
	if (rc == TERN_FWD_OK)
		rc = schedule_prefill(a, st);
	while (rc == TERN_FWD_OK) {
		n = st->last_n;
		last = n - 1;
		tern_run_keep_logits(a, st, n);
		if (st->step < st->n_gen) {
			const float *lg = tern_run_logits(st->runs[0], last);

			st->gen[st->step] = tern_sample(lg, st->m->cfg.n_vocab, (uint32_t)a->top_k,
							&rng, st->idx);
			tern_run_keep_logprobs(a, st, lg, st->gen[st->step]);
			/* EOS ends the text as in llama.cpp: it is not fed back. */
			if (!a->ignore_eos && tern_vocab_is_eog(st->m->vocab, st->gen[st->step])) {
				st->n_gen = st->step + 1;
				st->stopped_eos = 1;
			}
		}
		/* Every generated token is decoded once, so each has its decode cost. */
		if (++st->step > st->n_gen || st->stopped_eos)
			break;
		rc = step(a, st, &st->gen[st->step - 1], 1);
	}
	if (st->show_progress)
		fputs("\r\033[K", stderr);
	return rc;
}

/* ---- timing-only (--timing-only) ---- */

struct fast_walk {
	struct run_state *st;
	enum tern_phase ph;
	struct tern_fast_dram dram;
};

static int fast_layer(void *ctx, uint32_t layer, uint32_t which, const char *name,
		      const struct tern_layer *l)
{
	struct fast_walk *w = ctx;
	struct run_state *st = w->st;
	struct tern_status s;
	char why[512];

	(void)layer;
	(void)which;
	memset(&s, 0, sizeof(s));
	s.has_cycles = 1; /* predicted: the report labels them "fast" */
	if (tern_fast_layer(&st->o.cfg, l, &w->dram, FAST_ZERO_FRACTION, s.counters, why,
			    sizeof(why)) ||
	    report_layer(st, name, l, &s, why, sizeof(why))) {
		snprintf(st->fail_msg, sizeof(st->fail_msg), "%s (M=%u K=%u N=%u): %s", name,
			 l->m, l->k, l->n, why);
		return -1;
	}
	st->step_cycles += s.counters[TERN_CNT_CYCLES];
	st->step_macs += s.counters[TERN_CNT_MACS];
	st->layers_run++;
	return 0;
}

/* One step of n tokens at positions pos..: device cycles and host ops, no data. */
static int fast_step(const struct run_args *a, struct run_state *st, uint32_t pos, uint32_t n)
{
	struct run_step *s = &st->steps[st->step];
	struct fast_walk w = { st, st->step ? TERN_PHASE_DECODE : TERN_PHASE_PREFILL,
			       tern_run_dram(st) };
	double t0 = now_s();

	st->step_cycles = 0;
	st->step_macs = 0;
	if (tern_walk_step(&st->m->cfg, n, fast_layer, &w))
		return TERN_FWD_ERR;
	s->seconds = now_s() - t0;
	s->cycles = st->step_cycles;
	s->macs = st->step_macs;
	s->n = n;
	tern_cost_step(&st->m->cfg, a->quant, pos, n, &s->host);
	tern_cost_sample(&st->m->cfg, (uint32_t)a->top_k, &s->host);
	return TERN_FWD_OK;
}

static int generate_timing(const struct run_args *a, struct run_state *st)
{
	int rc = TERN_FWD_OK;

	st->has_cycles = 1;
	for (st->step = 0; st->step <= st->n_gen && rc == TERN_FWD_OK; st->step++) {
		if (tern_sig_pending())
			return TERN_FWD_STOPPED;
		if (st->step == 0) {
			rc = fast_step(a, st, 0, st->n_prompt);
			if (rc == TERN_FWD_OK && a->prefill_chunks &&
			    tern_run_pipeline(a, st, st->chunks, &st->pipe, st->fail_msg,
					      sizeof(st->fail_msg)))
				rc = TERN_FWD_ERR;
			if (st->reporting) {
				st->rep.ttft_pipelined_seconds = st->pipe.ttft;
				st->rep.prefill_chunks = st->chunks;
			}
		} else
			rc = fast_step(a, st, st->n_prompt + st->step - 1, 1);
	}
	return rc;
}

static void free_state(struct run_state *st)
{
	tern_run_free(st->runs[0]);
	tern_run_free(st->runs[1]);
	tern_gemm_cache_free(st->gc);
	tern_dev_close(st->dev);
	tern_model_free(st->m);
	tern_report_free(&st->rep);
	free(st->prompt);
	free(st->gen);
	free(st->stage_cycles);
	free(st->steps);
	free(st->idx);
	free(st->logits);
	free(st->lp);
}

int tern_cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct run_state st;
	char err[512];
	int rc;

	memset(&st, 0, sizeof(st));
	if (tern_run_parse(&a, argc, argv) || tern_machine_prepare(CMD, &a.mach))
		return TERN_EXIT_USAGE;
	st.t_start = now_s();
	st.threads = tern_pool_set_threads((unsigned)a.threads);
	if (getenv("TERN_KERNEL") && !strcmp(getenv("TERN_KERNEL"), "plain"))
		tern_kernel_set(TERN_KERNEL_PLAIN);
	if (getenv("TERN_KERNEL") && !strcmp(getenv("TERN_KERNEL"), "avx2"))
		tern_kernel_set(TERN_KERNEL_AVX2);
	if (tern_model_open(a.model, &st.m, err, sizeof(err)) ||
	    tern_config_check(&st.m->cfg, err, sizeof(err))) {
		tern_usage_err(CMD, "%s", err);
		rc = TERN_EXIT_USAGE;
		goto out;
	}
	/* A board's own array comes with its head (isa/tern_isa.json boards[].array.head);
	 * --head always wins, and so does the float default with --array/--config. */
	if (!a.head_given && a.mach.array_from_board && a.mach.board->head)
		tern_head_parse(a.mach.board->head, &a.head_planes);
	st.m->cfg.head_planes = a.head_planes;
	st.m->cfg.wfmt = a.wfmt;
	st.n_gen = (uint32_t)a.tokens;
	rc = TERN_EXIT_USAGE;
	if (build_prompt(&a, st.m, &st))
		goto out;
	if (a.prefill_chunks > st.n_prompt) {
		tern_usage_err(CMD, "--prefill-chunks %llu is more chunks than the prompt's %u tokens",
			       (unsigned long long)a.prefill_chunks, st.n_prompt);
		goto out;
	}
	st.chunks = a.prefill_chunks ? (uint32_t)a.prefill_chunks : 1;
	if ((uint64_t)st.n_prompt + st.n_gen + 1 > st.m->cfg.n_ctx) {
		tern_usage_err(CMD, "%u prompt + %u generated tokens exceed the context of %u",
			       st.n_prompt, st.n_gen, st.m->cfg.n_ctx);
		goto out;
	}
	st.o = a.o;
	if (a.timing_only ? alloc_steps(&a, &st, err, sizeof(err)) :
	    open_runs(&a, &st, err, sizeof(err)) || tern_run_alloc_out(&a, &st, err, sizeof(err))) {
		tern_usage_err(CMD, "%s", err);
		goto out;
	}
	if (a.warmup && !a.timing_only && warmup(&a, &st, err, sizeof(err))) {
		fprintf(stderr, "tern run: warm-up pass failed: %s\n", err);
		rc = TERN_EXIT_CHECK;
		goto out;
	}
	if (a.mach.report_dir) {
		tern_report_init(&st.rep);
		st.rep.model = st.m->cfg.name;
		st.rep.mode = a.timing_only ? "timing-only" : "checked";
		st.rep.head = tern_head_name(st.m->cfg.head_planes);
		tern_machine_report(&a.mach, &a.o, a.array, &st.rep);
		st.reporting = 1;
	}
	st.t_setup = now_s() - st.t_start;
	st.show_progress = !a.o.quiet && isatty(STDERR_FILENO);
	rc = a.timing_only ? generate_timing(&a, &st) : generate(&a, &st);
	rc = tern_run_report(&a, &st, rc);
out:
	free_state(&st);
	return rc;
}
