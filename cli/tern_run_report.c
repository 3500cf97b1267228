/*
 * Report of `tern run`: a short human summary or one JSON object, the report
 * directory (--report), then the exit code. Cycles exist only on backends that
 * measure or predict them (has_cycles: verilator, fast); the ref backend reports
 * them as null / "n/a" and shows the MACs it issued instead. A failed check still
 * prints what ran, with the checks marked, and one line naming the failure on
 * stderr; an interrupted run prints nothing on stdout. A timing-only run
 * (--timing-only) has no tokens and no checks, and says so.
 *
 * Host time is modelled, not measured: per op, max(FLOPs / host rate, bytes / DRAM
 * bandwidth) -- a roofline on the host CPU, which shares the board's DRAM. The rate
 * is the board's CPU peak (tern_host_find) or --host-gflops. The report directory
 * gets the host model through the report API (tern_report_host): rate, rule, per-op
 * FLOPs, bytes and seconds per phase, and the time to first token.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tern_board.h"
#include "tern_cli.h"
#include "tern_model.h"
#include "tern_report.h"
#include "tern_run_priv.h"

#define CMD "run"

struct checks {
	const char *lockstep, *layer, *model;
	int ok;
};

static void get_checks(const struct run_args *a, const struct run_state *st, int fwd_rc,
		       struct checks *c)
{
	int ran = st->layers_run > 0;

	if (a->timing_only) {
		c->lockstep = c->layer = c->model = "n/a";
		c->ok = fwd_rc == TERN_FWD_OK;
		return;
	}
	if (strcmp(a->o.backend, "verilator") && strcmp(a->o.backend, "systemc"))
		c->lockstep = "n/a"; /* the two backends with RTL inside check in lockstep */
	else
		c->lockstep = st->lockstep_failed ? "failed" : ran ? "passed" : "n/a";
	if (st->layer_failed)
		c->layer = "failed";
	else if (st->lockstep_failed || st->device_failed || !ran)
		c->layer = "n/a";
	else
		c->layer = "passed";
	if (st->model_failed)
		c->model = "failed";
	else
		c->model = fwd_rc == TERN_FWD_OK ? "passed" : "n/a";
	c->ok = fwd_rc == TERN_FWD_OK;
}

static uint64_t peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports kilobytes */
}

static uint32_t steps_done(const struct run_state *st)
{
	uint32_t i;

	for (i = 0; i <= st->n_gen && st->steps[i].n; i++)
		;
	return i;
}

static double decode_mean(const struct run_state *st)
{
	uint32_t i, n = steps_done(st);
	double s = 0.0;

	for (i = 1; i < n; i++)
		s += st->steps[i].seconds;
	return n > 1 ? s / (n - 1) : NAN;
}

static void text_of(const struct run_state *st, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t i;

	buf[0] = 0;
	for (i = 0; i < st->n_gen && used + 1 < len; i++)
		used += tern_vocab_decode(st->m->vocab, st->gen[i], buf + used, len - used);
}

static void json_ids(struct tern_json *j, const char *key, const uint32_t *v, uint32_t n)
{
	uint32_t i;

	tern_json_arr(j, key);
	for (i = 0; i < n; i++)
		tern_json_u64(j, NULL, v[i]);
	tern_json_close(j, ']');
}

/* Host FP32 rate: --host-gflops, else the board's CPU. */
static double host_gflops(const struct run_args *a, const char **note)
{
	const struct tern_host *h = tern_host_find(a->mach.board->name);

	if (a->host_gflops > 0 || !h) {
		*note = "--host-gflops";
		return a->host_gflops > 0 ? a->host_gflops : 1.0;
	}
	*note = h->note;
	return h->gflops;
}

static double op_seconds(const struct run_args *a, double flops, double bytes)
{
	const char *note;
	double tf = flops / (host_gflops(a, &note) * 1e9);
	double tb = bytes / (a->mach.dram_gbps * 1e9);

	return tf > tb ? tf : tb;
}

static void json_costs(struct tern_json *j, const struct run_state *st)
{
	uint32_t i, n = steps_done(st);

	/* A NaN prints as null: the ref backend measures no cycles. */
	tern_json_f64(j, "prefill_cycles", st->has_cycles && n ? (double)st->steps[0].cycles : NAN);
	tern_json_arr(j, "decode_cycles");
	for (i = 1; i < n; i++)
		tern_json_f64(j, NULL, st->has_cycles ? (double)st->steps[i].cycles : NAN);
	tern_json_close(j, ']');
	tern_json_u64(j, "prefill_macs", n ? st->steps[0].macs : 0);
	tern_json_arr(j, "decode_macs");
	for (i = 1; i < n; i++)
		tern_json_u64(j, NULL, st->steps[i].macs);
	tern_json_close(j, ']');
	tern_json_u64(j, "macs_useful_per_token", tern_model_macs_per_token(&st->m->cfg));
	tern_json_f64(j, "prefill_seconds", n ? st->steps[0].seconds : NAN);
	tern_json_arr(j, "decode_seconds");
	for (i = 1; i < n; i++)
		tern_json_f64(j, NULL, st->steps[i].seconds);
	tern_json_close(j, ']');
	tern_json_f64(j, "seconds_per_token", decode_mean(st));
	tern_json_f64(j, "prefill_host_flops", n ? tern_host_flops(&st->steps[0].host) : NAN);
	tern_json_arr(j, "decode_host_flops");
	for (i = 1; i < n; i++)
		tern_json_f64(j, NULL, tern_host_flops(&st->steps[i].host));
	tern_json_close(j, ']');
}

static void print_json(const struct run_args *a, const struct run_state *st,
		       const struct checks *c, double wall)
{
	const struct tern_model_config *m = &st->m->cfg;
	struct tern_json j;
	char text[4096];

	tern_json_begin(&j, stdout);
	tern_json_str(&j, "model", m->name);
	tern_json_str(&j, "arch", m->arch);
	tern_json_str(&j, "backend", a->o.backend);
	tern_json_str(&j, "mode", a->timing_only ? "timing-only" : "checked");
	tern_json_str(&j, "array", a->array);
	tern_json_str(&j, "quant", a->quant == TERN_QUANT_A48 ? "a4.8" : "a1.58");
	tern_json_u64(&j, "seed", a->seed);
	tern_json_u64(&j, "top_k", a->top_k);
	json_ids(&j, "prompt_tokens", st->prompt, st->n_prompt);
	json_ids(&j, "tokens", st->gen, c->ok && !a->timing_only ? st->n_gen : 0);
	if (st->m->vocab && c->ok && !a->timing_only) {
		text_of(st, text, sizeof(text));
		tern_json_str(&j, "text", text);
	}
	json_costs(&j, st);
	tern_json_version(&j);
	tern_json_obj(&j, "time");
	tern_json_f64(&j, "wall_seconds", wall);
	tern_json_f64(&j, "setup_seconds", st->t_setup);
	tern_json_f64(&j, "device_seconds", st->t_device);
	tern_json_f64(&j, "golden_pass_seconds", st->t_golden);
	tern_json_f64(&j, "host_seconds", wall - st->t_setup - st->t_device - st->t_golden);
	tern_json_close(&j, '}');
	tern_json_u64(&j, "peak_rss_bytes", peak_rss());
	if (a->mach.report_dir)
		tern_json_str(&j, "report", a->mach.report_dir);
	tern_json_obj(&j, "checks");
	tern_json_str(&j, "lockstep", c->lockstep);
	tern_json_str(&j, "layer", c->layer);
	tern_json_str(&j, "model", c->model);
	tern_json_close(&j, '}');
	tern_json_bool(&j, "ok", c->ok);
	tern_json_end(&j);
}

static void print_ids(const char *what, const uint32_t *v, uint32_t n)
{
	uint32_t i;

	printf("  %-9s %u tokens:", what, n);
	for (i = 0; i < n && i < 64; i++)
		printf(" %u", v[i]);
	printf("%s\n", n > 64 ? " ..." : "");
}

static void print_costs(const struct run_args *a, const struct run_state *st)
{
	uint32_t i, n = steps_done(st);

	if (!n)
		return;
	if (a->timing_only) {
		printf("  prefill   %u tokens: %llu cycles (fast model), %llu MACs\n", st->steps[0].n,
		       (unsigned long long)st->steps[0].cycles, (unsigned long long)st->steps[0].macs);
		printf("  decode    cycles per token:");
		for (i = 1; i < n && i <= 16; i++)
			printf(" %llu", (unsigned long long)st->steps[i].cycles);
		printf("%s\n", n > 17 ? " ..." : "");
		return;
	}
	printf("  prefill   %u tokens: ", st->steps[0].n);
	if (st->has_cycles)
		printf("%llu cycles%s, ", (unsigned long long)st->steps[0].cycles,
		       strcmp(a->o.backend, "fast") ? "" : " (fast model)");
	else
		printf("cycles n/a (ref backend), ");
	printf("%llu MACs, %.3f s\n", (unsigned long long)st->steps[0].macs, st->steps[0].seconds);
	if (n < 2)
		return;
	printf("  decode    %s per token:", st->has_cycles ? "cycles" : "MACs (cycles n/a)");
	for (i = 1; i < n && i <= 16; i++)
		printf(" %llu", (unsigned long long)(st->has_cycles ? st->steps[i].cycles :
						     st->steps[i].macs));
	printf("%s; %.3f s per token\n", n > 17 ? " ..." : "", decode_mean(st));
}

static void print_summary(const struct run_args *a, const struct run_state *st,
			  const struct checks *c, double wall)
{
	const struct tern_model_config *m = &st->m->cfg;
	char text[4096], shown[4 * 4096];

	printf("tern run: %s (%s, d=%u, %u layers, %u/%u heads, ffn %u, vocab %u) backend=%s "
	       "array=%s quant=%s\n", m->name, m->arch, m->n_embd, m->n_layer, m->n_head,
	       m->n_head_kv, m->n_ff, m->n_vocab, a->o.backend, a->array,
	       a->quant == TERN_QUANT_A48 ? "a4.8" : "a1.58");
	print_ids("prompt", st->prompt, st->n_prompt);
	if (a->timing_only)
		printf("  generated n/a: timing only (fast cycle model), no data computed, %u decode "
		       "steps timed\n", st->n_gen);
	else if (c->ok) {
		print_ids("generated", st->gen, st->n_gen);
		if (st->m->vocab) {
			text_of(st, text, sizeof(text));
			tern_cli_escape_text(text, strlen(text), shown, sizeof(shown));
			printf("  text      \"%s\"\n", shown);
		}
	}
	print_costs(a, st);
	if (a->timing_only)
		printf("  time      %.3f s wall (timing only: fast cycle model and host-op formulas)\n",
		       wall);
	else
		printf("  time      %.3f s wall: setup %.3f s, device %.3f s (with layer checks), "
		       "golden pass %.3f s, host ops and weights %.3f s\n", wall, st->t_setup,
		       st->t_device, st->t_golden, wall - st->t_setup - st->t_device - st->t_golden);
	printf("  memory    peak RSS %.1f MiB\n", peak_rss() / 1048576.0);
	if (a->timing_only)
		printf("  checks    n/a (timing only)\n");
	else
		printf("  checks    lockstep %s, layer %s, model %s -> %s\n", c->lockstep, c->layer,
		       c->model, c->ok ? "PASS" : "FAIL");
}

/* ---- report directory ---- */

/* Host cost of a phase: step 0 is the prefill, the other steps the decode. */
static void phase_host(const struct run_state *st, enum tern_phase ph, struct tern_host_cost *c)
{
	uint32_t i, n = steps_done(st);

	memset(c, 0, sizeof(*c));
	for (i = ph == TERN_PHASE_PREFILL ? 0 : 1; i < (ph == TERN_PHASE_PREFILL ? 1 : n) && i < n; i++)
		tern_host_cost_add(c, &st->steps[i].host);
}

static void print_report_line(const struct run_args *a, const struct tern_report_eval *ev)
{
	const struct tern_phase_eval *p = &ev->ph[TERN_PHASE_PREFILL], *d = &ev->ph[TERN_PHASE_DECODE];

	printf("  report    %s (%s, %.6g MHz, %.6g GB/s, %s)\n", a->mach.report_dir,
	       a->mach.board->name, a->mach.clock_mhz, a->mach.dram_gbps, a->mach.tech.node);
	printf("  prefill   %llu tokens: accelerator %.4g s + host %.4g s = TTFT %.4g s, %.4g tokens/s, "
	       "%.4g J/token\n", (unsigned long long)p->tokens, p->seconds, p->host_seconds,
	       ev->ttft_seconds, p->tokens_per_s, p->joules_per_token);
	if (d->tokens)
		printf("  decode    %llu tokens: accelerator %.4g s + host %.4g s per token, %.4g tokens/s, "
		       "%.4g J/token\n", (unsigned long long)d->tokens, d->seconds / d->tokens,
		       d->host_seconds / d->tokens, d->tokens_per_s, d->joules_per_token);
}

/* The host model into the report: rate, rule, and per phase every op's work and time. */
static int report_host(const struct run_args *a, struct run_state *st, char *err, size_t errlen)
{
	struct tern_report *r = &st->rep;
	struct tern_host_cost c;
	unsigned i;
	int ph;

	r->host_gflops = host_gflops(a, &r->host_note);
	r->host_rule = "per op: max(FLOPs / host rate, bytes / DRAM bandwidth)";
	for (ph = 0; ph < TERN_PHASE_COUNT; ph++) {
		phase_host(st, ph, &c);
		for (i = 0; i < TERN_HOP_COUNT; i++)
			if (tern_report_host(r, ph, tern_hop_name(i), c.flops[i], c.bytes[i],
					     op_seconds(a, c.flops[i], c.bytes[i]), err, errlen))
				return -1;
	}
	return 0;
}

/* Fill the phases (tokens, host work) and write the report files. */
static int write_report(const struct run_args *a, struct run_state *st)
{
	struct tern_report *r = &st->rep;
	struct tern_report_eval ev;
	char err[600];

	r->phase[TERN_PHASE_PREFILL].tokens = steps_done(st) ? st->steps[0].n : 0;
	r->phase[TERN_PHASE_DECODE].tokens = steps_done(st) ? steps_done(st) - 1 : 0;
	if (report_host(a, st, err, sizeof(err)) ||
	    tern_cli_write_report(a->mach.report_dir, r, err, sizeof(err)))
		return tern_sig_pending() ? -1 : (tern_usage_err(CMD, "--report: %s", err), -1);
	tern_report_eval(r, &ev);
	if (!a->json)
		print_report_line(a, &ev);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int tern_run_report(const struct run_args *a, struct run_state *st, int fwd_rc)
{
	struct checks c;
	double wall = now_s() - st->t_start;

	if (fwd_rc == TERN_FWD_STOPPED || tern_sig_pending())
		return tern_sig_exit(CMD);
	if (fwd_rc == TERN_FWD_ERR) {
		tern_usage_err(CMD, "%s", st->fail_msg);
		return TERN_EXIT_USAGE;
	}
	get_checks(a, st, fwd_rc, &c);
	if (a->json)
		print_json(a, st, &c, wall);
	else
		print_summary(a, st, &c, wall);
	if (fwd_rc == TERN_FWD_OK && st->reporting && write_report(a, st)) {
		fflush(stdout);
		return TERN_EXIT_USAGE;
	}
	fflush(stdout);
	if (fwd_rc != TERN_FWD_OK) {
		fprintf(stderr, "tern run: %s\n", st->fail_msg);
		return TERN_EXIT_CHECK;
	}
	return TERN_EXIT_OK;
}
