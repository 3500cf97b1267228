/*
 * INSN_COUNT at its maximum (issue 15 item 9): the ISA allows any 32-bit INSN_COUNT and
 * the fetch unit stops at END, so `GEMM; END` and `END` run with INSN_COUNT = 0xffffffff
 * and no watchdog must come back, on the verilator backend (whose default watchdog walks
 * the program: its 32-bit index used to wrap and loop forever) with the same status as
 * the reference model, lockstep on. Prints PASS:/FAIL: lines.
 *
 * usage: tern_vl_count PRESET   (run by tests/rtl/vl_count.sh)
 */
#include <stdio.h>
#include <string.h>

#include "tern_driver.h"

static int run(const char *backend, const char *preset, int with_gemm, struct tern_status *st)
{
	struct tern_dev_opts o = { 0 };
	struct tern_insn in[2];
	struct tern_dev *d;
	char err[256];
	uint32_t a;
	int n = 0;

	o.backend = backend;
	o.quiet = 1;
	if (tern_parse_array(preset, &o.cfg, err, sizeof(err)) ||
	    tern_dev_open(&o, &d, err, sizeof(err))) {
		printf("FAIL: open %s %s (%s)\n", backend, preset, err);
		return -1;
	}
	memset(in, 0, sizeof(in));
	if (with_gemm) {
		tern_set_opcode(&in[n], TERN_OP_GEMM);
		tern_set_gemm_reset(&in[n], 1);
		tern_set_gemm_k_chunks(&in[n], 1);
		tern_set_gemm_n_tokens(&in[n], 1);
		n++;
	}
	tern_set_opcode(&in[n++], TERN_OP_END);
	if (tern_dev_alloc(d, sizeof(in), &a) || tern_dev_write(d, a, in, sizeof(in)) ||
	    tern_dev_run(d, a, 0xffffffffu, st)) {
		printf("FAIL: run %s (%s)\n", backend, tern_dev_errmsg(d));
		tern_dev_close(d);
		return -1;
	}
	tern_dev_close(d);
	return 0;
}

int main(int argc, char **argv)
{
	int g, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tern_vl_count PRESET\n");
		return 2;
	}
	for (g = 0; g < 2; g++) {
		struct tern_status r, v;
		const char *what = g ? "GEMM; END" : "END";
		if (run("ref", argv[1], g, &r) || run("verilator", argv[1], g, &v)) {
			bad++;
			continue;
		}
		if (v.mismatch || v.err != r.err || v.err_insn != r.err_insn) {
			printf("FAIL: INSN_COUNT=0xffffffff, %s: verilator %s at %u%s, ref %s at %u\n",
			       what, tern_err_name(v.err), v.err_insn, v.mismatch ? " (mismatch)" : "",
			       tern_err_name(r.err), r.err_insn);
			bad++;
		} else {
			printf("PASS: INSN_COUNT=0xffffffff, %s: returns, %s at insn %u as the reference model\n",
			       what, tern_err_name(v.err), v.err_insn);
		}
	}
	return bad ? 1 : 0;
}
