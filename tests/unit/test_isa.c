/*
 * Unit tests of the generated ISA header (build/gen/tern_isa.h) against docs/isa.md:
 * every field of every opcode round-trips through its setter and getter at the bit
 * positions the document draws, without touching any other bit; the DEFINED masks
 * cover exactly the documented fields; dependency rules, names, error and counter
 * numbering and the hardware presets are what the tables say. The field table below
 * is typed in from docs/isa.md, independently of isa/tern_isa.json.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "tern_isa.h"
#include "tern_ref.h"

typedef uint32_t (*get_fn)(const struct tern_insn *);
typedef void (*set_fn)(struct tern_insn *, uint32_t);

struct field {
	const char *name;
	unsigned lsb, width;
	get_fn get;
	set_fn set;
};

#define F(name, lsb, width, acc) { name, lsb, width, tern_get_##acc, tern_set_##acc }
#define END_OF_FIELDS { NULL, 0, 0, NULL, NULL }

static const struct field common_fields[] = {
	F("opcode", 0, 4, opcode),
	F("pop_prev", 4, 1, pop_prev),
	F("pop_next", 5, 1, pop_next),
	F("push_prev", 6, 1, push_prev),
	F("push_next", 7, 1, push_next),
	END_OF_FIELDS,
};

static const struct field load_fields[] = {
	F("buf", 8, 1, load_buf),
	F("wfmt", 9, 1, load_wfmt),
	F("sram_base", 16, 16, load_sram_base),
	F("x_size", 32, 16, load_x_size),
	F("y_size", 48, 16, load_y_size),
	F("dram_addr", 64, 32, load_dram_addr),
	F("dram_stride", 96, 32, load_dram_stride),
	END_OF_FIELDS,
};

static const struct field gemm_fields[] = {
	F("reset", 8, 1, gemm_reset),
	F("wbuf_base", 16, 16, gemm_wbuf_base),
	F("abuf_base", 32, 16, gemm_abuf_base),
	F("acc_base", 48, 16, gemm_acc_base),
	F("k_chunks", 64, 16, gemm_k_chunks),
	F("n_tokens", 80, 16, gemm_n_tokens),
	F("abuf_stride", 96, 16, gemm_abuf_stride),
	END_OF_FIELDS,
};

static const struct field store_fields[] = {
	F("acc_base", 16, 16, store_acc_base),
	F("y_size", 48, 16, store_y_size),
	F("dram_addr", 64, 32, store_dram_addr),
	F("dram_stride", 96, 32, store_dram_stride),
	END_OF_FIELDS,
};

static const struct field end_fields[] = { END_OF_FIELDS };

static const struct {
	unsigned op;
	const struct field *fields;
	uint64_t defined[2];
} formats[] = {
	{ TERN_OP_LOAD, load_fields, { TERN_LOAD_DEFINED_W0, TERN_LOAD_DEFINED_W1 } },
	{ TERN_OP_GEMM, gemm_fields, { TERN_GEMM_DEFINED_W0, TERN_GEMM_DEFINED_W1 } },
	{ TERN_OP_STORE, store_fields, { TERN_STORE_DEFINED_W0, TERN_STORE_DEFINED_W1 } },
	{ TERN_OP_END, end_fields, { TERN_END_DEFINED_W0, TERN_END_DEFINED_W1 } },
};

static uint64_t rnd64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The field's bits as a mask on word w (0 or 1); fields never straddle the words. */
static uint64_t field_mask(const struct field *f, int w)
{
	uint64_t m = f->width == 64 ? ~0ull : ((1ull << f->width) - 1);

	if ((int)(f->lsb / 64) != w)
		return 0;
	return m << (f->lsb % 64);
}

static void check_roundtrip(const struct field *f, uint64_t *seed)
{
	struct tern_insn in, before;
	uint32_t v = (uint32_t)rnd64(seed), max = (uint32_t)((1ull << f->width) - 1);
	int w;

	in.w[0] = rnd64(seed);
	in.w[1] = rnd64(seed);
	before = in;
	f->set(&in, v & max);
	cr_assert_eq(f->get(&in), v & max, "%s", f->name);
	for (w = 0; w < 2; w++) {
		uint64_t m = field_mask(f, w);

		cr_assert_eq(in.w[w] & ~m, before.w[w] & ~m, "%s touched other bits", f->name);
		if (m)
			cr_assert_eq((in.w[w] & m) >> (f->lsb % 64), v & max, "%s position",
				     f->name);
	}
	/* a value wider than the field is truncated, never spills */
	in = before;
	f->set(&in, v | ~max);
	cr_assert_eq(f->get(&in), (v | ~max) & max);
	for (w = 0; w < 2; w++)
		cr_assert_eq(in.w[w] & ~field_mask(f, w), before.w[w] & ~field_mask(f, w));
}

Test(isa, every_field_round_trips)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t o;
	int rep;
	const struct field *f;

	for (rep = 0; rep < 200; rep++) {
		for (f = common_fields; f->name; f++)
			check_roundtrip(f, &seed);
		for (o = 0; o < sizeof(formats) / sizeof(formats[0]); o++)
			for (f = formats[o].fields; f->name; f++)
				check_roundtrip(f, &seed);
	}
}

Test(isa, defined_masks_cover_exactly_the_documented_fields)
{
	size_t o;
	const struct field *f;

	for (o = 0; o < sizeof(formats) / sizeof(formats[0]); o++) {
		uint64_t m[2] = { 0, 0 };

		for (int w = 0; w < 2; w++) {
			for (f = common_fields; f->name; f++)
				m[w] |= field_mask(f, w);
			for (f = formats[o].fields; f->name; f++) {
				cr_assert_eq(m[w] & field_mask(f, w), 0, "%s overlaps", f->name);
				m[w] |= field_mask(f, w);
			}
			cr_assert_eq(formats[o].defined[w], m[w], "%s word %d: %#llx want %#llx",
				     tern_opcode_name(formats[o].op), w,
				     (unsigned long long)formats[o].defined[w],
				     (unsigned long long)m[w]);
		}
	}
}

Test(isa, field_macros_match_the_drawing)
{
	cr_assert_eq(TERN_INSN_BITS, 128);
	cr_assert_eq(TERN_INSN_BYTES, 16);
	cr_assert_eq(sizeof(struct tern_insn), 16);
	cr_assert_eq(TERN_LOAD_SRAM_BASE_LSB, 16);
	cr_assert_eq(TERN_LOAD_DRAM_STRIDE_LSB, 96);
	cr_assert_eq(TERN_LOAD_DRAM_STRIDE_WIDTH, 32);
	cr_assert_eq(TERN_GEMM_ABUF_STRIDE_LSB, 96);
	cr_assert_eq(TERN_GEMM_ABUF_STRIDE_WIDTH, 16);
	cr_assert_eq(TERN_GEMM_N_TOKENS_MAX, 0xffffu);
	cr_assert_eq(TERN_STORE_Y_SIZE_LSB, 48);
	cr_assert_eq(TERN_OPCODE_MAX, 0xfu);
}

Test(isa, dependency_rules_match_the_table)
{
	/* pop_prev 1, pop_next 2, push_prev 4, push_next 8 */
	cr_assert_eq(TERN_DEP_POP_PREV, 1 << (TERN_POP_PREV_LSB - 4));
	cr_assert_eq(TERN_DEP_POP_NEXT, 1 << (TERN_POP_NEXT_LSB - 4));
	cr_assert_eq(TERN_DEP_PUSH_PREV, 1 << (TERN_PUSH_PREV_LSB - 4));
	cr_assert_eq(TERN_DEP_PUSH_NEXT, 1 << (TERN_PUSH_NEXT_LSB - 4));
	cr_assert_eq(TERN_LOAD_DEPS_ALLOWED, TERN_DEP_POP_NEXT | TERN_DEP_PUSH_NEXT);
	cr_assert_eq(TERN_GEMM_DEPS_ALLOWED, 15);
	cr_assert_eq(TERN_STORE_DEPS_ALLOWED, TERN_DEP_POP_PREV | TERN_DEP_PUSH_PREV);
	cr_assert_eq(TERN_END_DEPS_ALLOWED, 0);
}

Test(isa, opcodes_and_names)
{
	static const char *const ops[] = { "ILLEGAL", "LOAD", "GEMM", "STORE", "END" };
	unsigned i;

	cr_assert_eq(TERN_OP_LOAD, 1);
	cr_assert_eq(TERN_OP_GEMM, 2);
	cr_assert_eq(TERN_OP_STORE, 3);
	cr_assert_eq(TERN_OP_END, 4);
	for (i = 0; i < 5; i++)
		cr_assert_str_eq(tern_opcode_name(i), ops[i]);
	for (i = 5; i < 16; i++)
		cr_assert_str_eq(tern_opcode_name(i), "ILLEGAL");
}

Test(isa, error_codes_and_names)
{
	static const char *const names[] = {
		"OK", "OPCODE", "DEP_FLAGS", "FIELD", "WBUF_RANGE", "ABUF_RANGE", "ACC_RANGE",
		"DMA_WINDOW", "DMA_ALIGN", "FETCH_RANGE", "NO_END", "DEADLOCK", "WATCHDOG",
	};
	unsigned i;

	cr_assert_eq(TERN_ERR_COUNT, 13);
	cr_assert_eq(TERN_ERR_DMA_WINDOW, 7);
	cr_assert_eq(TERN_ERR_DMA_ALIGN, 8);
	cr_assert_eq(TERN_ERR_DEADLOCK, 11);
	for (i = 0; i < TERN_ERR_COUNT; i++) {
		cr_assert_str_eq(tern_err_name(i), names[i]);
		cr_assert_str_neq(tern_err_doc(i), "unknown error code");
	}
	cr_assert_str_eq(tern_err_name(TERN_ERR_COUNT), "UNKNOWN");
}

Test(isa, counters_in_ref_model)
{
	unsigned i;

	cr_assert_eq(TERN_CNT_COUNT, 25);
	cr_assert_str_eq(tern_counter_name(TERN_CNT_MACS_ZERO), "macs_zero");
	for (i = 0; i < TERN_CNT_COUNT; i++)
		cr_assert_eq(tern_counter_in_ref(i), i >= TERN_CNT_INSNS && i <= TERN_CNT_ACC_WR,
			     "%s", tern_counter_name(i));
}

Test(isa, weight_codes)
{
	cr_assert_eq(TERN_WCODE_0_WEIGHT, -1);
	cr_assert_eq(TERN_WCODE_1_WEIGHT, 0);
	cr_assert_eq(TERN_WCODE_2_WEIGHT, 1);
	cr_assert_eq(TERN_WCODE_3_WEIGHT, 0);
}

Test(isa, presets_are_sane)
{
	int i, j, dflt = 0;

	for (i = 0; i < TERN_PRESET_COUNT; i++) {
		const struct tern_hw_config *c = &tern_hw_presets[i].cfg;

		cr_assert_gt(c->rows, 0);
		cr_assert_gt(c->lanes, 0);
		cr_assert_gt(c->bus_bytes, 0);
		cr_assert_eq((c->rows * 4) % c->bus_bytes, 0, "%s", tern_hw_presets[i].name);
		cr_assert_gt(c->wbuf_depth, 0);
		cr_assert_gt(c->abuf_depth, 0);
		cr_assert_gt(c->acc_depth, 0);
		cr_assert_gt(c->queue_depth, 0);
		cr_assert(tern_ref_config_valid(c), "%s", tern_hw_presets[i].name);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(tern_hw_presets[i].name, tern_hw_presets[j].name);
		if (!strcmp(tern_hw_presets[i].name, TERN_PRESET_DEFAULT)) {
			dflt = 1;
			cr_assert_eq(c->rows, TERN_DEFAULT_ROWS);
			cr_assert_eq(c->lanes, TERN_DEFAULT_LANES);
			cr_assert_eq(c->wbuf_depth, TERN_DEFAULT_WBUF_DEPTH);
			cr_assert_eq(c->bus_bytes, TERN_DEFAULT_BUS_BYTES);
			cr_assert_eq(c->queue_depth, TERN_DEFAULT_QUEUE_DEPTH);
		}
	}
	cr_assert(dflt);
}

/*
 * Fetch buffer entries (tern_fetch FetchBuf, the fast model's credits): 2 beats, and the
 * largest power of two <= min(FETCH_BUF_MIN, QUEUE_DEPTH) when that is more. Every preset
 * keeps FETCH_BUF_MIN; the iCEBreaker's QUEUE_DEPTH 2 gets 2.
 */
Test(isa, fetch_buf_entries)
{
	int i;

	cr_assert_eq(TERN_FETCH_BUF_MIN, 8);
	cr_assert_eq(TERN_FETCH_BUF_BEATS, 2);
	for (i = 0; i < TERN_PRESET_COUNT; i++) {
		const struct tern_hw_config *c = &tern_hw_presets[i].cfg;
		uint32_t ipb = tern_fetch_insns_per_beat(c->bus_bytes);
		uint32_t old = 2 * ipb > 8 ? 2 * ipb : 8; /* the rule before QUEUE_DEPTH counted */

		cr_assert_eq(tern_fetch_buf_entries(c->bus_bytes, c->queue_depth), old, "%s",
			     tern_hw_presets[i].name);
	}
	cr_assert_eq(tern_fetch_buf_entries(16, 2), 2);  /* iCEBreaker */
	cr_assert_eq(tern_fetch_buf_entries(16, 3), 2);
	cr_assert_eq(tern_fetch_buf_entries(16, 4), 4);
	cr_assert_eq(tern_fetch_buf_entries(16, 5), 4);
	cr_assert_eq(tern_fetch_buf_entries(16, 7), 4);
	cr_assert_eq(tern_fetch_buf_entries(16, 256), 8);
	cr_assert_eq(tern_fetch_buf_entries(32, 2), 4);  /* 2 beats of 2 */
	cr_assert_eq(tern_fetch_buf_entries(32, 6), 4);
	cr_assert_eq(tern_fetch_buf_entries(64, 2), 8);
	cr_assert_eq(tern_fetch_buf_entries(128, 16), 16);
	cr_assert_eq(tern_fetch_buf_entries(128, 2), 16);
}

Test(isa, entry_bytes)
{
	const struct tern_hw_config c32 = { 32, 32, 512, 8192, 512, 32, 16 };
	const struct tern_hw_config c4 = { 4, 4, 256, 1024, 256, 16, 8 };
	const struct tern_hw_config c8 = { 8, 8, 512, 8192, 512, 32, 16 };
	const struct tern_hw_config c16 = { 16, 16, 512, 8192, 512, 32, 16 };
	const struct tern_hw_config c64 = { 64, 64, 256, 4096, 512, 64, 16 };
	/* 12 lanes, 8 rows, 16-byte beats: nothing a power of two */
	const struct tern_hw_config c12 = { 8, 12, 64, 64, 64, 16, 8 };
	/* 48 lanes, 32-byte beats: an ABUF entry of 1.5 beats */
	const struct tern_hw_config c48 = { 8, 48, 64, 64, 64, 32, 8 };

	/* used bytes: ceil(R*L/4) 2-bit, ceil(R*L/5) base-3, LANES for ABUF */
	cr_assert_eq(tern_entry_used_bytes(&c32, 0, 0), 256);
	cr_assert_eq(tern_entry_used_bytes(&c32, 0, 1), 205);
	cr_assert_eq(tern_entry_used_bytes(&c32, 1, 0), 32);
	cr_assert_eq(tern_entry_used_bytes(&c8, 0, 1), 13);
	cr_assert_eq(tern_entry_used_bytes(&c12, 0, 1), 20);
	cr_assert_eq(tern_entry_used_bytes(&c12, 1, 0), 12);
	/* strides: >= a beat rounds up to whole beats, below a beat the next power of two */
	cr_assert_eq(tern_entry_bytes(&c32, 0, 0), 256);
	cr_assert_eq(tern_entry_bytes(&c32, 0, 1), 224); /* 205 -> 7 beats of 32 */
	cr_assert_eq(tern_entry_bytes(&c32, 1, 0), 32);
	cr_assert_eq(tern_entry_bytes(&c4, 0, 0), 4);
	cr_assert_eq(tern_entry_bytes(&c4, 0, 1), 4); /* ceil(16 / 5) = 4, a power of two */
	cr_assert_eq(tern_entry_bytes(&c4, 1, 0), 4);
	cr_assert_eq(tern_entry_bytes(&c8, 0, 0), 16);
	cr_assert_eq(tern_entry_bytes(&c8, 0, 1), 16); /* 13 -> 16 */
	cr_assert_eq(tern_entry_bytes(&c8, 1, 0), 8);
	cr_assert_eq(tern_entry_bytes(&c16, 0, 1), 64); /* 52 -> 2 beats of 32 */
	cr_assert_eq(tern_entry_bytes(&c64, 0, 0), 1024);
	cr_assert_eq(tern_entry_bytes(&c64, 0, 1), 832); /* 820 -> 13 beats of 64 */
	cr_assert_eq(tern_entry_bytes(&c12, 0, 0), 32);  /* 24 >= 16: 2 beats */
	cr_assert_eq(tern_entry_bytes(&c12, 0, 1), 32);  /* 20 >= 16: 2 beats */
	cr_assert_eq(tern_entry_bytes(&c12, 1, 0), 16);  /* 12 < 16: 16 */
	cr_assert_eq(tern_entry_bytes(&c48, 1, 0), 64);  /* 48 -> 2 beats of 32 */
	cr_assert_eq(tern_entry_bytes(&c48, 0, 1), 96);  /* 77 -> 3 beats of 32 */
}
