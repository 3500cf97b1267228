/*
 * examples/model_run.c: a model generates a few tokens on a tern device, and every
 * BitLinear prints its cycles.
 *
 *   model_run BACKEND [MODEL [TOKENS [ARRAY]]]      (defaults: zoo:tiny 3 8x8)
 *
 * The forward pass (host side) calls back for each BitLinear; the callback runs it on the
 * device through the layer runner with the golden check on and prints one line per layer:
 * its name, shape and the device cycles (ref counts none; fast and verilator do). Tokens
 * are chosen greedily, starting from token 1. Exit 0 when every layer passed its checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/tern_gemm.h>
#include <tern/tern_model.h>

struct ctx {
	struct tern_dev *dev;
	struct tern_run *run;
	unsigned long long cycles; /* this token's device cycles */
};

static int device_mm(void *p, const struct tern_layer *l, const int8_t *w, const int8_t *x,
		     int32_t *y, char *err, size_t errlen)
{
	struct ctx *c = p;
	struct tern_gemm_result r;
	uint32_t layer, which;
	char name[64];

	if (tern_gemm_run(c->dev, l, w, x, y, 1, &r, err, errlen))
		return -1;
	tern_run_current(c->run, &layer, &which);
	tern_lin_name(layer, which, name, sizeof(name));
	if (r.st.has_cycles) {
		printf("  %-18s %5ux%-5u %8llu cycles\n", name, l->m, l->k,
		       (unsigned long long)r.st.counters[TERN_CNT_CYCLES]);
		c->cycles += r.st.counters[TERN_CNT_CYCLES];
	} else {
		printf("  %-18s %5ux%-5u        - cycles\n", name, l->m, l->k);
	}
	if (!tern_gemm_ok(&r)) {
		snprintf(err, errlen, "%s failed its checks", name);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tern_dev_opts o = { 0 };
	struct tern_model *m;
	struct ctx c = { 0 };
	struct tern_mm mm = { device_mm, &c, 0 };
	const char *model = argc > 2 ? argv[2] : "zoo:tiny";
	unsigned tokens = argc > 3 ? (unsigned)atoi(argv[3]) : 3, t;
	uint32_t tok = 1;
	char err[256];
	int rc;

	if (argc < 2 || argc > 5 || tokens < 1 || tokens > 64) {
		fprintf(stderr, "usage: model_run BACKEND [MODEL [TOKENS(1-64) [ARRAY]]]\n");
		return 2;
	}
	o.backend = argv[1];
	o.quiet = 1;
	if (tern_parse_array(argc > 4 ? argv[4] : "8x8", &o.cfg, err, sizeof(err)) ||
	    tern_model_open(model, &m, err, sizeof(err))) {
		fprintf(stderr, "model_run: %s\n", err);
		return 2;
	}
	if (tern_dev_open(&o, &c.dev, err, sizeof(err))) {
		fprintf(stderr, "model_run: %s\n", err);
		tern_model_free(m);
		return 2;
	}
	if (tern_run_new(&m->cfg, tokens + 1, 1, TERN_QUANT_A158, mm, &c.run)) {
		fprintf(stderr, "model_run: cannot set up the forward pass\n");
		return 2;
	}
	printf("%s on %s %ux%u, %u layers\n", m->cfg.name, o.backend, o.cfg.rows, o.cfg.lanes,
	       m->cfg.n_layer);
	for (t = 0; t < tokens; t++) {
		c.cycles = 0;
		printf("token %u (input %u):\n", t, tok);
		rc = tern_forward(m, &c.run, 1, &tok, 1, NULL, err, sizeof(err));
		if (rc != TERN_FWD_OK) {
			fprintf(stderr, "model_run: %s\n", err);
			return rc == TERN_FWD_CHECK ? 1 : 2;
		}
		tok = tern_sample(tern_run_logits(c.run, 0), m->cfg.n_vocab, 1, NULL, NULL);
		printf("  -> token %u, %llu device cycles\n", tok, c.cycles);
	}
	tern_run_free(c.run);
	tern_dev_close(c.dev);
	tern_model_free(m);
	return 0;
}
