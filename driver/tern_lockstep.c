/*
 * Lockstep write log and comparison (see tern_lockstep.h). The log is two growing
 * arrays (entries, bytes) reused from run to run, so a long model run allocates only
 * while its largest layer grows them. A beat never spans two entries: BUS_BYTES
 * divides ROWS*4 (docs/isa.md), and the comparison relies on it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_lockstep.h"

void tern_lockstep_reset(struct tern_lockstep *ls)
{
	ls->n = 0;
	ls->data_len = 0;
	ls->oom = 0;
	ls->pos = 0;
	ls->off = 0;
	ls->mismatch = 0;
	memset(&ls->mm, 0, sizeof(ls->mm));
	ls->msg[0] = 0;
}

void tern_lockstep_free(struct tern_lockstep *ls)
{
	free(ls->e);
	free(ls->data);
	memset(ls, 0, sizeof(*ls));
}

int tern_lockstep_log(void *ctx, uint32_t insn, uint64_t addr, const uint8_t *data, uint32_t len)
{
	struct tern_lockstep *ls = ctx;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 1024;
		void *p = realloc(ls->e, cap * sizeof(*ls->e));
		if (!p)
			return ls->oom = 1;
		ls->e = p;
		ls->cap = cap;
	}
	if (ls->data_len + len > ls->data_cap) {
		size_t cap = ls->data_cap ? 2 * ls->data_cap : 65536;
		while (cap < ls->data_len + len)
			cap *= 2;
		void *p = realloc(ls->data, cap);
		if (!p)
			return ls->oom = 1;
		ls->data = p;
		ls->data_cap = cap;
	}
	ls->e[ls->n++] = (struct tern_wlog_entry){ insn, len, addr, ls->data_len };
	memcpy(ls->data + ls->data_len, data, len);
	ls->data_len += len;
	return 0;
}

static uint32_t word_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void tern_lockstep_fail(struct tern_lockstep *ls, uint32_t insn, uint32_t opcode, uint64_t addr,
			uint32_t expected, uint32_t actual, uint64_t cycle, const char *fmt, ...)
{
	va_list ap;

	if (ls->mismatch)
		return; /* the first one is the one that counts */
	ls->mismatch = 1;
	ls->mm = (struct tern_mismatch){ insn, opcode, addr, expected, actual, cycle };
	va_start(ap, fmt);
	vsnprintf(ls->msg, sizeof(ls->msg), fmt, ap);
	va_end(ap);
}

/* The word the reference model left at addr (0 outside its image). */
static uint32_t ref_word(const struct tern_lockstep *ls, uint64_t addr)
{
	if (!ls->ref_image || addr + 4 > ls->ref_size)
		return 0;
	return word_at(ls->ref_image + addr);
}

int tern_lockstep_check(void *ctx, uint64_t cycle, uint64_t addr, const uint8_t *data,
			uint32_t len)
{
	struct tern_lockstep *ls = ctx;
	const struct tern_wlog_entry *e;
	const uint8_t *want;
	uint64_t eaddr;
	uint32_t i;

	if (ls->mismatch)
		return 1;
	if (ls->pos >= ls->n) {
		tern_lockstep_fail(ls, UINT32_MAX, TERN_OP_STORE, addr, ref_word(ls, addr),
				   word_at(data), cycle,
				   "lockstep: RTL wrote %u bytes at 0x%llx after the reference model's last write (cycle %llu)",
				   len, (unsigned long long)addr, (unsigned long long)cycle);
		return 1;
	}
	e = &ls->e[ls->pos];
	eaddr = e->addr + ls->off;
	if (addr != eaddr || ls->off + len > e->len) {
		tern_lockstep_fail(ls, e->insn, TERN_OP_STORE, addr, ref_word(ls, addr), word_at(data),
				   cycle,
				   "lockstep: insn %u (STORE) wrote to 0x%llx, the reference model to 0x%llx (cycle %llu)",
				   e->insn, (unsigned long long)addr, (unsigned long long)eaddr,
				   (unsigned long long)cycle);
		return 1;
	}
	want = ls->data + e->off + ls->off;
	if (memcmp(want, data, len)) {
		for (i = 0; i + 4 <= len && !memcmp(want + i, data + i, 4); i += 4)
			;
		tern_lockstep_fail(ls, e->insn, TERN_OP_STORE, addr + i, word_at(want + i),
				   word_at(data + i), cycle,
				   "lockstep: insn %u (STORE) at 0x%llx: expected 0x%08x, actual 0x%08x (cycle %llu)",
				   e->insn, (unsigned long long)(addr + i), word_at(want + i),
				   word_at(data + i), (unsigned long long)cycle);
		return 1;
	}
	ls->off += len;
	if (ls->off >= e->len) {
		ls->pos++;
		ls->off = 0;
	}
	return 0;
}

int tern_lockstep_finish(struct tern_lockstep *ls, const uint8_t *mem, uint64_t mem_size,
			 uint64_t cycle)
{
	const struct tern_wlog_entry *e;
	uint64_t a;
	uint32_t actual = 0;

	if (ls->mismatch)
		return 1;
	if (ls->pos >= ls->n)
		return 0;
	e = &ls->e[ls->pos];
	a = e->addr + ls->off;
	if (a + 4 <= mem_size)
		actual = word_at(mem + a);
	tern_lockstep_fail(ls, e->insn, TERN_OP_STORE, a, word_at(ls->data + e->off + ls->off), actual,
			   cycle,
			   "lockstep: RTL finished without writing 0x%llx of insn %u (STORE): %zu of %zu reference writes missing",
			   (unsigned long long)a, e->insn, ls->n - ls->pos, ls->n);
	return 1;
}
