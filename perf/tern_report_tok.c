/*
 * Per-token lines of a report phase: where one token's time and DRAM bytes go, one line
 * per part a user compares accelerators by: the ternary BitLinears on the array, the
 * output head (on the array as the layer named "output", or on the host as the host op
 * "output"), the embedding lookup, the KV-cache traffic (the host op "attention", whose
 * bytes are the cache's reads and writes, docs/model.md) and the rest of the host work.
 * Everything is derived from what the report already holds (layers and host ops), so
 * the lines sum to the phase's accelerator plus host time per token.
 */
#include <string.h>

#include "tern_report.h"

static const struct tern_report_hostop *hostop(const struct tern_report_phase *rp,
					       const char *name)
{
	unsigned i;

	for (i = 0; i < rp->nops; i++)
		if (rp->ops[i].name && !strcmp(rp->ops[i].name, name))
			return &rp->ops[i];
	return NULL;
}

unsigned tern_report_token_lines(const struct tern_report *r, enum tern_phase ph,
				 struct tern_token_line *out)
{
	const struct tern_report_phase *rp = &r->phase[ph];
	const struct tern_report_hostop *emb = hostop(rp, "embedding"), *att = hostop(rp, "attention");
	const struct tern_report_hostop *outp = hostop(rp, "output");
	double tok = rp->tokens ? (double)rp->tokens : 1.0, lay_s = 0, lay_b = 0, head_s = 0,
	       head_b = 0, rest_s = rp->host_seconds, rest_b = rp->host_bytes;
	int head_on_array = 0;
	unsigned n = 0;
	size_t i;

	for (i = 0; i < r->nlayers; i++) {
		const struct tern_report_layer *l = &r->layers[i];
		struct tern_layer_eval e;

		if (l->phase != ph)
			continue;
		tern_report_eval_layer(r, l, &e);
		if (!strcmp(l->name, "output")) {
			head_on_array = 1;
			head_s += e.seconds;
			head_b += (double)e.dram_bytes;
		} else {
			lay_s += e.seconds;
			lay_b += (double)e.dram_bytes;
		}
	}
	out[n++] = (struct tern_token_line){ "ternary layers", "array", lay_s / tok, lay_b / tok };
	if (head_on_array) {
		out[n++] = (struct tern_token_line){ "output head", "array", head_s / tok,
						     head_b / tok };
		if (outp) { /* its host part: input quantization, shift-add combine, scales */
			out[n++] = (struct tern_token_line){ "output head combine", "host",
							     outp->seconds / tok, outp->bytes / tok };
			rest_s -= outp->seconds;
			rest_b -= outp->bytes;
		}
	} else if (outp) {
		out[n++] = (struct tern_token_line){ "output head", "host", outp->seconds / tok,
						     outp->bytes / tok };
		rest_s -= outp->seconds;
		rest_b -= outp->bytes;
	}
	if (emb) {
		out[n++] = (struct tern_token_line){ "embedding", "host", emb->seconds / tok,
						     emb->bytes / tok };
		rest_s -= emb->seconds;
		rest_b -= emb->bytes;
	}
	if (att) {
		out[n++] = (struct tern_token_line){ "KV cache (attention)", "host",
						     att->seconds / tok, att->bytes / tok };
		rest_s -= att->seconds;
		rest_b -= att->bytes;
	}
	out[n++] = (struct tern_token_line){ "other host work", "host", rest_s / tok, rest_b / tok };
	return n;
}
