/*
 * State shared by `tern run` (tern_cmd_run.c: options, generation loop, checks, the
 * timing-only walk) and its report (tern_run_report.c: summary or JSON, the report
 * directory, exit code). Private to the CLI.
 */
#ifndef TERN_RUN_PRIV_H
#define TERN_RUN_PRIV_H

#include <stdint.h>

#include "tern_cli_board.h"
#include "tern_driver.h"
#include "tern_gemm.h"
#include "tern_model.h"
#include "tern_report.h"

struct run_args {
	const char *model, *array, *prompt, *prompt_tokens;
	uint64_t tokens, seed, top_k, prompt_len;
	const char *logits;          /* --logits FILE.npy */
	uint64_t top_logprobs;       /* --top-logprobs K, 0 = off */
	int ignore_eos;
	uint32_t quant;
	uint32_t head_planes;        /* --head: 0 float, 2 t2, 3 t3 */
	int head_given;
	uint32_t wfmt;               /* --wfmt: TERN_WFMT_2BIT or TERN_WFMT_BASE3 */
	uint64_t prefill_chunks;     /* --prefill-chunks C, 0 = not asked (one step) */
	int json;
	int timing_only;             /* --timing-only: no data, cycles from the fast model */
	int backend_given;           /* --backend was on the command line */
	double host_gflops;          /* --host-gflops, 0 = the board's host */
	uint64_t threads;            /* --threads, 0 = the number of CPUs */
	int check;                   /* --check: CHECK_ALL, CHECK_LAYER or CHECK_NONE */
	int warmup;                  /* --warmup: one discarded pass prepares the weights */
	struct tern_dev_opts o;
	struct tern_machine mach;    /* --report, --board, --clock-mhz, --dram-gbps, --tech */
};

/* Cost of one step: step 0 is the prefill, step i > 0 decodes generated token i. */
struct run_step {
	uint32_t n;          /* tokens in the step */
	uint64_t cycles;     /* device cycles summed over the step's BitLinears */
	uint64_t macs;       /* MACs the device issued */
	double seconds;      /* wall time of the step (both passes and the checks) */
	double cpu_seconds;  /* CPU time of the process over the step, every thread */
	struct tern_host_cost host; /* host ops of the step, sampling included */
};

enum { CHECK_ALL = 0, CHECK_LAYER = 1, CHECK_NONE = 2 };

/* A layer's array stages in the prefill schedule: the BitLinears between host ops. */
enum tern_pipe_stage { TERN_PIPE_QKV, TERN_PIPE_O, TERN_PIPE_GATE_UP, TERN_PIPE_DOWN };

/*
 * The two-resource prefill schedule (tern_run_pipe.c). In: an n-token prompt in
 * `chunks` even chunks, the array's seconds per [chunk][block][stage] and for the head
 * on the array (0: host head). Out: the time to first token with each chunk's host
 * work overlapping the array's on another chunk, and the plain sums the same stages
 * give one after the other (array_s + host_s, the unpipelined time to first token).
 */
struct tern_pipe {
	uint32_t chunks, n;
	const double *stage_s;
	double head_s;
	double ttft, array_s, host_s;
};

struct run_state {
	struct tern_model *m;
	struct tern_gemm_cache *gc;  /* resident layers on the device */
	unsigned nruns;              /* 2 with the model check, else 1 */
	unsigned threads;            /* worker threads in effect */
	int check;                   /* a copy of run_args.check */
	int last_only;               /* runs make the last position's logits only */
	struct tern_dev_opts o;
	struct tern_dev *dev;
	struct tern_run *runs[2];    /* [0] device pass, [1] golden pass */
	uint32_t *prompt, n_prompt;
	uint32_t *gen, n_gen;        /* generated ids */
	uint32_t *idx;               /* top-k scratch */
	struct run_step *steps;      /* n_gen + 1 */
	uint32_t step;               /* current step */
	uint64_t step_cycles, step_macs, layers_run;
	int has_cycles, show_progress;
	int lockstep_failed, layer_failed, device_failed, model_failed;
	double t_start, t_setup, t_device, t_golden; /* t_setup: opening model and device */
	double t_warmup;             /* --warmup: its pass (within t_setup) */
	int reporting;               /* --report given: rep collects every BitLinear */
	uint32_t chunks;             /* prompt chunks of the prefill (1 without the option) */
	uint32_t chunk;              /* the chunk being run (during step 0) */
	uint32_t last_n;             /* tokens of the last forward call (its logits are kept) */
	/* Executed prefill cycles per [chunk][block][enum tern_pipe_stage] (device pass,
	 * backends with cycles) and the sampled position's head on the array. */
	uint64_t *stage_cycles, head_cycles;
	struct tern_pipe pipe;       /* --prefill-chunks: the schedule, pipe.ttft 0 = none */
	struct tern_report rep;
	char fail_msg[1024];
	int stopped_eos;             /* generation ended at EOS / EOT */
	float *logits;               /* --logits: every computed position, n_vocab each */
	uint64_t logits_rows, logits_cap;
	/* --top-logprobs: per generated token, its logprob then K (id, logprob) pairs */
	struct run_lp { uint32_t id; float lp; } *lp;
};

/* Output buffers for --logits / --top-logprobs (tern_run_out.c); 0 or -1 with err. */
int tern_run_alloc_out(const struct run_args *a, struct run_state *st, char *err, size_t errlen);
/* After a step of n positions: keep their logits (--logits). */
void tern_run_keep_logits(const struct run_args *a, struct run_state *st, uint32_t n);
/* After sampling tok from logits lg at step st->step (--top-logprobs). */
void tern_run_keep_logprobs(const struct run_args *a, struct run_state *st, const float *lg,
			    uint32_t tok);
/* Write the .npy file; 0 or -1 (message printed). */
int tern_run_write_logits(const struct run_args *a, const struct run_state *st);

/* Host time of one op at the run's host rate and DRAM bandwidth (roofline per op). */
double tern_run_op_seconds(const struct run_args *a, double flops, double bytes);

/* --prefill-chunks (tern_run_pipe.c), each 0 or -1 with err. The scheduler itself: */
int tern_run_schedule(const struct run_args *a, const struct tern_model_config *m,
		      struct tern_pipe *p, char *err, size_t errlen);
/* Timing-only: array stages from the fast cycle model at N = chunk tokens. */
struct tern_fast_dram tern_run_dram(const struct run_state *st);
int tern_run_pipeline(const struct run_args *a, struct run_state *st, uint32_t chunks,
		      struct tern_pipe *p, char *err, size_t errlen);
/* Executed: array stages from st->stage_cycles, the cycles the backend reported. */
int tern_run_pipeline_executed(const struct run_args *a, struct run_state *st,
			       struct tern_pipe *p, char *err, size_t errlen);

/*
 * A BitLinear hook for `tern shard` (tern_cmd_shard*.c); unset for a plain run. layer:
 * called in the device pass after every tern_gemm_run with the BitLinear's identity
 * (step, block, enum tern_lin), data and result; it may rewrite r (the merge puts the
 * replayed counters and check results there); non-zero stops the run. device: open this
 * backend instead of --backend, while the report keeps --backend's name.
 */
struct tern_run_hook {
	int (*layer)(void *ctx, uint32_t step, uint32_t layer, uint32_t which,
		     const struct tern_layer *l, const int8_t *w, const int8_t *x,
		     const int32_t *y, struct tern_gemm_result *r, char *err, size_t errlen);
	void *ctx;
	const char *device;
};
extern struct tern_run_hook tern_run_hook;

/* `tern run`'s option parser (exit code 2 cases print their line): 0 or -1. */
int tern_run_parse(struct run_args *a, int argc, char **argv);

/* Print the summary or JSON for a finished (or failed) generation, write the report
 * directory when asked; returns the exit code. */
int tern_run_report(const struct run_args *a, struct run_state *st, int fwd_rc);

#endif /* TERN_RUN_PRIV_H */
