/*
 * Unit tests of the lockstep comparator (driver/tern_lockstep.c), without any RTL: a
 * hand-made reference write log is fed RTL-like beats (half an entry each, as a 16-byte
 * bus on a 4-row array writes) and every kind of difference must be caught with the
 * right instruction, address, expected and actual word.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tern_lockstep.h"

/* Two STORE entries of 32 bytes (8 rows) from insns 3 and 5; words are i + 100*entry. */
static void setup_log(struct tern_lockstep *ls, uint8_t e0[32], uint8_t e1[32])
{
	uint32_t i;

	memset(ls, 0, sizeof(*ls));
	tern_lockstep_reset(ls);
	for (i = 0; i < 8; i++) {
		uint32_t a = i, b = 100 + i;
		memcpy(e0 + 4 * i, &a, 4);
		memcpy(e1 + 4 * i, &b, 4);
	}
	cr_assert_eq(tern_lockstep_log(ls, 3, 0x1000, e0, 32), 0);
	cr_assert_eq(tern_lockstep_log(ls, 5, 0x2000, e1, 32), 0);
}

Test(lockstep, matching_beats_pass_and_finish_clean)
{
	struct tern_lockstep ls;
	uint8_t e0[32], e1[32];

	setup_log(&ls, e0, e1);
	cr_assert_eq(tern_lockstep_check(&ls, 10, 0x1000, e0, 16), 0);
	cr_assert_eq(tern_lockstep_check(&ls, 11, 0x1010, e0 + 16, 16), 0);
	cr_assert_eq(tern_lockstep_check(&ls, 12, 0x2000, e1, 16), 0);
	cr_assert_eq(tern_lockstep_check(&ls, 13, 0x2010, e1 + 16, 16), 0);
	cr_assert_eq(tern_lockstep_finish(&ls, NULL, 0, 20), 0);
	cr_assert_eq(ls.mismatch, 0);
	tern_lockstep_free(&ls);
}

Test(lockstep, data_difference_names_the_word)
{
	struct tern_lockstep ls;
	uint8_t e0[32], e1[32], bad[16];

	setup_log(&ls, e0, e1);
	cr_assert_eq(tern_lockstep_check(&ls, 10, 0x1000, e0, 16), 0);
	memcpy(bad, e0 + 16, 16);
	bad[9] ^= 0x80; /* word 2 of the beat = word 6 of the entry */
	cr_assert_eq(tern_lockstep_check(&ls, 11, 0x1010, bad, 16), 1);
	cr_assert_eq(ls.mismatch, 1);
	cr_assert_eq(ls.mm.insn, 3);
	cr_assert_eq(ls.mm.opcode, TERN_OP_STORE);
	cr_assert_eq(ls.mm.addr, 0x1018);
	cr_assert_eq(ls.mm.expected, 6);
	cr_assert_eq(ls.mm.actual, 6u ^ 0x8000u);
	cr_assert_eq(ls.mm.cycle, 11);
	cr_assert(strstr(ls.msg, "0x1018") != NULL, "%s", ls.msg);
	/* later beats do not overwrite the first mismatch */
	cr_assert_eq(tern_lockstep_check(&ls, 12, 0x2000, e1, 16), 1);
	cr_assert_eq(ls.mm.addr, 0x1018);
	tern_lockstep_free(&ls);
}

Test(lockstep, wrong_address_is_a_mismatch)
{
	struct tern_lockstep ls;
	uint8_t e0[32], e1[32];

	setup_log(&ls, e0, e1);
	cr_assert_eq(tern_lockstep_check(&ls, 7, 0x1020, e0, 16), 1);
	cr_assert_eq(ls.mm.insn, 3);
	cr_assert_eq(ls.mm.addr, 0x1020);
	cr_assert(strstr(ls.msg, "0x1000") != NULL, "%s", ls.msg);
	tern_lockstep_free(&ls);
}

Test(lockstep, extra_and_missing_writes)
{
	struct tern_lockstep ls;
	uint8_t e0[32], e1[32], mem[0x3000];

	setup_log(&ls, e0, e1);
	cr_assert_eq(tern_lockstep_check(&ls, 1, 0x1000, e0, 32), 0);
	memset(mem, 0xab, sizeof(mem));
	cr_assert_eq(tern_lockstep_finish(&ls, mem, sizeof(mem), 99), 1);
	cr_assert_eq(ls.mm.insn, 5);
	cr_assert_eq(ls.mm.addr, 0x2000);
	cr_assert_eq(ls.mm.expected, 100);
	cr_assert_eq(ls.mm.actual, 0xabababab);

	tern_lockstep_reset(&ls);
	cr_assert_eq(tern_lockstep_check(&ls, 4, 0x1000, e0, 16), 1);
	cr_assert(strstr(ls.msg, "after the reference") != NULL, "%s", ls.msg);
	tern_lockstep_free(&ls);
}

Test(lockstep, fail_keeps_the_first)
{
	struct tern_lockstep ls;

	memset(&ls, 0, sizeof(ls));
	tern_lockstep_fail(&ls, 9, TERN_OP_GEMM, 5, 1, 2, 77, "counter %s", "macs");
	tern_lockstep_fail(&ls, 1, TERN_OP_LOAD, 0, 0, 0, 0, "second");
	cr_assert_eq(ls.mm.insn, 9);
	cr_assert_str_eq(ls.msg, "counter macs");
	tern_lockstep_free(&ls);
}
