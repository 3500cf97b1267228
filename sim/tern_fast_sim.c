/*
 * The cycle model behind tern_fast_time: the units of rtl/ (fetch with its prefetch
 * buffer and its checker, the three queues, the token counters, the read arbiter,
 * the load unit's burst engine and gearbox, the GEMM pipeline, the store unit's
 * reader/AW/W/B engines and the ACC port round-robin) and the Verilator harness's DRAM
 * (latency, a bytes-per-cycle credit shared by reads and writes, TERN_DRAM_MAX_BURSTS
 * bursts in flight, in-order data), at the level of handshakes, with no data. Each cycle computes the
 * units' handshake signals from their registered state, counts events, then moves
 * every state to the next cycle, in the same order as the RTL and harness do, so the
 * cycle count follows the RTL's by construction rather than by fitted constants.
 *
 * Speed comes from skipping: when every unit is only waiting (for DRAM latency, a
 * write response, the checker's countdown, a token) or the GEMM is streaming steps
 * with nobody else touching the ACC port, nothing but counters and the DRAM credit
 * changes until the next such event, so the model jumps there in one go. Cycles are
 * simulated one by one only while beats move or instructions start and end.
 *
 * Every sizing constant of the RTL this model mirrors (queue and FIFO depths, counters
 * that must not wrap, checker latency, AXI burst limits, instruction size) comes from
 * the generated tern_isa.h, which the RTL reads too (tern_isa.svh): one definition.
 */
#include <stdlib.h>
#include <string.h>

#include "tern_fast_priv.h"

#define RING 64            /* >= bursts the harness or arbiter can hold */
#define DRAM_MAX_BURSTS TERN_DRAM_MAX_BURSTS /* harness: outstanding bursts per direction */
#define LOAD_MAX_BURSTS TERN_LOAD_MAX_BURSTS /* tern_load MaxBursts */
#define OWN_DEPTH TERN_RD_ARB_OWN_DEPTH      /* tern_rd_arb OwnDepth */
#define LF_DEPTH TERN_STORE_LEN_DEPTH        /* tern_store burst-length FIFO */
#define CHECK_CYCLES TERN_CHECK_CYCLES       /* tern_insn_check: start -> MUL steps -> FIN */
/*
 * tern_store counts write bursts awaiting B in a register that must not wrap and holds
 * back a new burst while TERN_STORE_BOUT_MAX are outstanding (1-beat entries at high
 * latency reach that).
 */
#define B_OUT_MAX ((uint32_t)TERN_STORE_BOUT_MAX)
#define SIM_LIMIT (1ull << 44)
/*
 * Steps in a row after which a simulation that has moved nothing is declared stuck.
 * Every wait of a working machine (DRAM latency, a long GEMM, the checker) is skipped
 * in one step, and a beat or an instruction changes the progress signature below, so a
 * healthy run never takes more than a few steps without progress; a machine the model
 * cannot describe spins here instead of for 2^44 cycles.
 */
#define STUCK_STEPS (1u << 16)

_Static_assert(RING >= DRAM_MAX_BURSTS && RING >= OWN_DEPTH, "RING must hold every burst");

enum { F_IDLE, F_NEXT, F_CHECK, F_DISP };
enum { U_IDLE, U_RUN, U_DRAIN };
enum { T_L2C, T_C2L, T_C2S, T_S2C };
enum { OWN_FETCH, OWN_LOAD };

struct rd_burst {
	uint32_t beats; /* beats still to send */
	uint64_t ready; /* first cycle a beat may be on R */
	int owner;
};

struct wr_burst {
	uint32_t beats;
	uint64_t due;   /* earliest B */
};

struct uq {
	uint32_t *idx;  /* instruction indices, ring of qd */
	uint32_t head, n;
};

struct sim {
	const struct tern_hw_config *c;
	const struct tern_insn *in;
	uint32_t count, qd, bus, lat, bw, cap;
	uint64_t t;
	uint64_t *cnt;
	/* harness DRAM: inputs of the current cycle and the state they come from */
	struct rd_burst rq[RING];
	uint32_t rq_h, rq_n;
	struct wr_burst wq[RING];
	uint32_t wq_h, wq_n;
	uint64_t bq[RING];
	uint32_t bq_h, bq_n;
	uint64_t credit;
	int r_pres, w_first, in_arready, in_awready, in_wready, in_bvalid;
	/* read arbiter: the AR slot register and the owner FIFO's occupancy */
	int m_arv, m_owner;
	uint32_t m_len, own_n;
	/* fetch */
	int fstate;
	uint32_t ipb, fvalid, fcredit, finfl;
	uint64_t pf_idx, cur_idx, chk_done;
	/* queues and tokens */
	struct uq q[3];
	uint32_t tok[4];
	/* load and its gearbox */
	int lstate, lpush, gact, gbv, gwr_v, gwr_last;
	uint32_t rows_left, row_beats, beats_left, ar_addr, row_addr, lstride, linfl;
	uint32_t ent, off, fill, x_size, x_left, y_left;
	/* gemm */
	int gstate, greset, gpp, gpn, s1_v;
	uint32_t gk;
	uint64_t gkn, gi;
	/* store */
	int srun, spush, rd_slot, wr_slot, pend, pend_slot, slot_v[2], prio_store;
	uint32_t rd_left, aw_left, aw_beats, aw_addr, ent_addr, sstride, w_cnt, w_eb, b_out;
	uint32_t ent_beats, lf[LF_DEPTH], lf_h, lf_n;
	int settle;
};

/* Handshake signals of one cycle, all functions of the state at its start. */
struct comb {
	int f_arv, chk_start, q_ok, qsel, take_f, take_l;
	int l_start, l_arv, gb_ready, complete, last_in_row, beat_done;
	uint32_t gb_n, l_blen, s_blen;
	int r_owner, r_last, f_rv, l_acc;
	int g_start, g_need, g_gnt, g_step, g_finish;
	int s_start, s_req, s_gnt, s_awv, aw_fire, s_wv, w_fire, wlast, s_done;
	int lwait, gwait, swait, quiet, halted;
};

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static int unit_of(const struct tern_insn *i)
{
	uint32_t op = tern_get_opcode(i);

	return op == TERN_OP_LOAD ? 0 : op == TERN_OP_GEMM ? 1 : 2;
}

static const struct tern_insn *qhead(const struct sim *s, int u)
{
	return &s->in[s->q[u].idx[s->q[u].head]];
}

static void qpop(struct sim *s, int u)
{
	s->q[u].head = (s->q[u].head + 1) % s->qd;
	s->q[u].n--;
}

static uint32_t to_4k(uint32_t addr, uint32_t bus)
{
	return (TERN_AXI_BOUNDARY - (addr & (TERN_AXI_BOUNDARY - 1))) / bus;
}

/*
 * DRAM stride of one buffer entry, pad(E), for the LOAD at the head of the load queue:
 * the gearbox steps through entries at this stride (whole beats, or a power-of-two share
 * of a beat), so its timing is a function of the stride alone.
 */
static uint32_t load_ent(const struct sim *s, const struct tern_insn *i)
{
	return tern_entry_stride(tern_entry_used(s->c->rows, s->c->lanes, tern_get_load_buf(i),
						 tern_get_load_wfmt(i)),
				 s->c->bus_bytes);
}

static void comb_fetch(const struct sim *s, struct comb *k)
{
	k->f_arv = s->fstate != F_IDLE && s->pf_idx < s->count && s->fcredit >= s->ipb &&
		   s->finfl != TERN_FETCH_INFLIGHT_MAX;
	k->chk_start = s->fstate == F_NEXT && s->cur_idx != s->count && s->fvalid != 0;
	k->qsel = unit_of(&s->in[s->cur_idx < s->count ? s->cur_idx : 0]);
	k->q_ok = s->q[k->qsel].n < s->qd;
}

static void comb_load(const struct sim *s, struct comb *k)
{
	uint32_t room, avail;

	k->l_start = 0;
	if (s->lstate == U_IDLE && s->q[0].n) {
		const struct tern_insn *h = qhead(s, 0);

		k->l_start = !tern_get_pop_next(h) || s->tok[T_C2L];
		k->lwait = !k->l_start;
	}
	k->l_arv = s->lstate == U_RUN && s->rows_left && s->linfl < LOAD_MAX_BURSTS;
	k->l_blen = min32(min32(s->beats_left, TERN_AXI_MAX_BEATS), to_4k(s->ar_addr, s->bus));
	k->beat_done = 0;
	if (s->gact && s->gbv) {
		room = s->ent - s->fill;
		avail = s->bus - s->off;
		k->gb_n = min32(room, avail);
		k->complete = room <= avail;
		k->last_in_row = s->x_left == 1;
		k->beat_done = !k->complete || k->last_in_row || k->gb_n == avail;
	}
	k->gb_ready = s->gact && (!s->gbv || k->beat_done);
}

static void comb_gemm_store(const struct sim *s, struct comb *k)
{
	k->g_start = 0;
	if (s->gstate == U_IDLE && s->q[1].n) {
		const struct tern_insn *h = qhead(s, 1);

		k->g_start = (!tern_get_pop_prev(h) || s->tok[T_L2C]) &&
			     (!tern_get_pop_next(h) || s->tok[T_S2C]);
		k->gwait = !k->g_start;
	}
	k->g_need = s->gstate == U_RUN && !s->greset && s->gi % s->gk == 0;
	k->s_start = 0;
	if (!s->srun && s->q[2].n) {
		k->s_start = !tern_get_pop_prev(qhead(s, 2)) || s->tok[T_C2S];
		k->swait = !k->s_start;
	}
	k->s_req = s->srun && s->rd_left && !s->slot_v[s->rd_slot] &&
		   !(s->pend && s->pend_slot == s->rd_slot);
	k->s_gnt = k->s_req && (!k->g_need || s->prio_store);
	k->g_gnt = k->g_need && !k->s_gnt;
	k->g_step = s->gstate == U_RUN && (!k->g_need || k->g_gnt);
	k->g_finish = s->gstate == U_DRAIN && !s->s1_v;
	k->s_blen = min32(to_4k(s->aw_addr, s->bus), s->aw_beats);
	k->s_awv = s->srun && s->aw_left && s->lf_n < LF_DEPTH && s->b_out < B_OUT_MAX;
	k->aw_fire = k->s_awv && s->in_awready;
	k->s_wv = s->lf_n && s->slot_v[s->wr_slot];
	k->w_fire = k->s_wv && s->in_wready;
	k->wlast = s->lf_n && s->w_cnt == s->lf[s->lf_h];
	k->s_done = s->srun && !s->aw_left && !s->lf_n && !s->pend && !s->b_out &&
		    !s->rd_left && !s->slot_v[0] && !s->slot_v[1];
}

static void comb_all(const struct sim *s, struct comb *k)
{
	int slot_free;

	memset(k, 0, sizeof(*k));
	comb_fetch(s, k);
	comb_load(s, k);
	comb_gemm_store(s, k);
	slot_free = !s->m_arv || s->in_arready;
	k->take_f = slot_free && s->own_n < OWN_DEPTH && k->f_arv;
	k->take_l = slot_free && s->own_n < OWN_DEPTH && !k->f_arv && k->l_arv;
	if (s->r_pres) {
		const struct rd_burst *b = &s->rq[s->rq_h];

		k->r_owner = b->owner;
		k->r_last = b->beats == 1;
		k->f_rv = b->owner == OWN_FETCH;
		k->l_acc = b->owner == OWN_LOAD && s->lstate == U_RUN && k->gb_ready;
	}
	k->quiet = s->lstate == U_IDLE && s->gstate == U_IDLE && !s->srun &&
		   (!s->q[0].n || k->lwait) && (!s->q[1].n || k->gwait) && (!s->q[2].n || k->swait);
	k->halted = (s->fstate == F_IDLE && !s->finfl) || (s->fstate == F_DISP && !k->q_ok);
}

/* Per-cycle busy and stall events; n identical cycles at once when skipping. */
static void count(struct sim *s, const struct comb *k, uint64_t n)
{
	uint64_t *c = s->cnt;

	c[TERN_CNT_CYCLES] += n;
	c[TERN_CNT_LOAD_BUSY] += s->lstate != U_IDLE ? n : 0;
	c[TERN_CNT_LOAD_STALL_DEP] += k->lwait ? n : 0;
	c[TERN_CNT_LOAD_STALL_MEM] += s->lstate == U_RUN && s->gact && !s->gbv ? n : 0;
	c[TERN_CNT_GEMM_BUSY] += k->g_step ? n : 0;
	c[TERN_CNT_GEMM_STALL_DEP] += k->gwait ? n : 0;
	c[TERN_CNT_STORE_BUSY] += s->srun ? n : 0;
	c[TERN_CNT_STORE_STALL_DEP] += k->swait ? n : 0;
	c[TERN_CNT_STORE_STALL_MEM] += (k->s_awv && !s->in_awready) ||
				       (k->s_wv && !s->in_wready) ? n : 0;
	c[TERN_CNT_FETCH_STALL] += s->fstate == F_DISP && !k->q_ok ? n : 0;
}

/* The harness samples this cycle's handshakes (before the clock edge). */
static void dram_sample(struct sim *s, const struct comb *k)
{
	if (s->m_arv && s->in_arready) {
		struct rd_burst *b = &s->rq[(s->rq_h + s->rq_n++) % RING];

		b->beats = s->m_len;
		b->ready = s->t + (s->lat ? s->lat : 1);
		b->owner = s->m_owner;
	}
	if (k->aw_fire) {
		struct wr_burst *b = &s->wq[(s->wq_h + s->wq_n++) % RING];

		b->beats = k->s_blen;
		b->due = s->t + s->lat;
	}
	if (k->w_fire) {
		struct wr_burst *b = &s->wq[s->wq_h];

		if (--b->beats == 0) {
			s->bq[(s->bq_h + s->bq_n++) % RING] = b->due > s->t ? b->due : s->t + 1;
			s->wq_h = (s->wq_h + 1) % RING;
			s->wq_n--;
		}
	}
	if (s->r_pres && (k->f_rv || k->l_acc)) {
		s->r_pres = 0;
		if (--s->rq[s->rq_h].beats == 0) {
			s->rq_h = (s->rq_h + 1) % RING;
			s->rq_n--;
		}
	}
	if (s->in_bvalid) {
		s->bq_h = (s->bq_h + 1) % RING;
		s->bq_n--;
	}
}

/* The harness decides the next cycle's inputs from its state and the RTL's outputs. */
static void dram_decide(struct sim *s)
{
	uint64_t now = s->t;
	int want_r = !s->r_pres && s->rq_n && now >= s->rq[s->rq_h].ready;
	int want_w = s->wq_n && s->lf_n && s->slot_v[s->wr_slot];

	if (s->bw) {
		s->credit += s->bw;
		if (s->credit > s->cap)
			s->credit = s->cap;
	}
	if (!s->bw) {
		s->r_pres |= want_r;
	} else if (want_r && want_w && s->credit < 2ull * s->bus) {
		if (s->credit >= s->bus) {
			s->credit -= s->bus;
			if (s->w_first)
				want_r = 0;
			else
				want_w = 0;
			s->w_first = !s->w_first;
			s->r_pres |= want_r;
		} else {
			want_w = 0;
		}
	} else {
		if (want_r && s->credit >= s->bus) {
			s->credit -= s->bus;
			s->r_pres = 1;
		}
		if (want_w) {
			if (s->credit >= s->bus)
				s->credit -= s->bus;
			else
				want_w = 0;
		}
	}
	s->in_wready = want_w;
	s->in_arready = s->rq_n < DRAM_MAX_BURSTS;
	s->in_awready = s->wq_n < DRAM_MAX_BURSTS;
	s->in_bvalid = s->bq_n && now >= s->bq[s->bq_h];
}

static void update_fetch(struct sim *s, const struct comb *k)
{
	if (k->take_f)
		s->pf_idx += s->ipb;
	s->finfl += (uint32_t)k->take_f - (uint32_t)k->f_rv;
	s->fvalid += (k->f_rv ? s->ipb : 0) - (uint32_t)k->chk_start;
	s->fcredit += (uint32_t)k->chk_start - (k->take_f ? s->ipb : 0);
	switch (s->fstate) {
	case F_NEXT:
		if (k->chk_start) {
			s->fstate = F_CHECK;
			s->chk_done = s->t + CHECK_CYCLES;
		}
		break;
	case F_CHECK:
		if (s->t == s->chk_done) {
			if (tern_get_opcode(&s->in[s->cur_idx]) == TERN_OP_END)
				s->fstate = F_IDLE;
			else
				s->fstate = F_DISP;
		}
		break;
	case F_DISP:
		if (k->q_ok) {
			struct uq *q = &s->q[k->qsel];

			q->idx[(q->head + q->n++) % s->qd] = (uint32_t)s->cur_idx++;
			s->fstate = F_NEXT;
		}
		break;
	default:
		break;
	}
}

static void start_load(struct sim *s)
{
	const struct tern_insn *h = qhead(s, 0);
	uint32_t x = tern_get_load_x_size(h), y = tern_get_load_y_size(h);
	uint64_t row_bytes;

	s->ent = load_ent(s, h);
	row_bytes = (uint64_t)x * s->ent;
	if (tern_get_pop_next(h))
		s->tok[T_C2L]--;
	s->lstate = U_RUN;
	s->lpush = tern_get_push_next(h);
	s->rows_left = y;
	s->row_addr = s->ar_addr = tern_get_load_dram_addr(h);
	s->lstride = tern_get_load_dram_stride(h);
	s->row_beats = s->beats_left = (uint32_t)((row_bytes + s->bus - 1) / s->bus);
	s->gact = 1;
	s->gbv = 0;
	s->off = s->fill = 0;
	s->x_size = s->x_left = x;
	s->y_left = y;
	qpop(s, 0);
}

static void update_gearbox(struct sim *s, const struct comb *k)
{
	s->gwr_v = 0;
	if (!s->gact)
		return;
	if (s->gbv) {
		if (k->complete) {
			s->gwr_v = 1;
			s->gwr_last = k->last_in_row && s->y_left == 1;
			s->fill = 0;
			s->off += k->gb_n;
			if (k->last_in_row) {
				s->x_left = s->x_size;
				if (s->y_left-- == 1)
					s->gact = 0;
			} else {
				s->x_left--;
			}
		} else {
			s->fill += k->gb_n;
		}
	}
	if (k->l_acc) {
		s->gbv = 1;
		s->off = 0;
	} else if (s->gbv && k->beat_done) {
		s->gbv = 0;
	}
}

static void update_load(struct sim *s, const struct comb *k)
{
	int done = s->gwr_v && s->gwr_last; /* gb_done, registered */
	int last = k->l_acc && k->r_last;

	if (k->take_l && !last)
		s->linfl++;
	else if (!k->take_l && last)
		s->linfl--;
	if (s->lstate == U_RUN) {
		if (k->take_l) {
			if (s->beats_left == k->l_blen) {
				s->rows_left--;
				s->row_addr += s->lstride;
				s->ar_addr = s->row_addr;
				s->beats_left = s->row_beats;
			} else {
				s->ar_addr += k->l_blen * s->bus;
				s->beats_left -= k->l_blen;
			}
		}
		update_gearbox(s, k);
		if (done) {
			s->lstate = U_IDLE;
			if (s->lpush)
				s->tok[T_L2C]++;
		}
	} else if (k->l_start) {
		start_load(s);
	}
}

static void update_gemm(struct sim *s, const struct comb *k)
{
	s->s1_v = k->g_step;
	if (s->gstate == U_IDLE && k->g_start) {
		const struct tern_insn *h = qhead(s, 1);

		if (tern_get_pop_prev(h))
			s->tok[T_L2C]--;
		if (tern_get_pop_next(h))
			s->tok[T_S2C]--;
		s->gstate = U_RUN;
		s->greset = tern_get_gemm_reset(h);
		s->gpp = tern_get_push_prev(h);
		s->gpn = tern_get_push_next(h);
		s->gk = tern_get_gemm_k_chunks(h);
		s->gkn = (uint64_t)s->gk * tern_get_gemm_n_tokens(h);
		s->gi = 0;
		qpop(s, 1);
	} else if (s->gstate == U_RUN && k->g_step) {
		if (++s->gi == s->gkn)
			s->gstate = U_DRAIN;
	} else if (k->g_finish) {
		s->gstate = U_IDLE;
		if (s->gpp)
			s->tok[T_C2L]++;
		if (s->gpn)
			s->tok[T_C2S]++;
	}
	if (k->g_need && k->s_req)
		s->prio_store = !s->prio_store;
}

static void start_store(struct sim *s)
{
	const struct tern_insn *h = qhead(s, 2);

	if (tern_get_pop_prev(h))
		s->tok[T_C2S]--;
	s->srun = 1;
	s->spush = tern_get_push_prev(h);
	s->rd_left = s->aw_left = tern_get_store_y_size(h);
	s->ent_addr = s->aw_addr = tern_get_store_dram_addr(h);
	s->sstride = tern_get_store_dram_stride(h);
	s->aw_beats = s->ent_beats;
	s->rd_slot = s->wr_slot = 0;
	s->slot_v[0] = s->slot_v[1] = 0;
	s->w_eb = 0;
	qpop(s, 2);
}

static void update_store(struct sim *s, const struct comb *k)
{
	int pend = s->pend, pslot = s->pend_slot;

	if (k->s_start)
		start_store(s);
	if (k->s_done) {
		s->srun = 0;
		if (s->spush)
			s->tok[T_S2C]++;
	}
	s->pend = k->s_gnt;
	if (k->s_gnt) {
		s->pend_slot = s->rd_slot;
		s->rd_slot = !s->rd_slot;
		s->rd_left--;
	}
	if (k->aw_fire) {
		if (s->aw_beats == k->s_blen) {
			s->aw_left--;
			s->ent_addr += s->sstride;
			s->aw_addr = s->ent_addr;
			s->aw_beats = s->ent_beats;
		} else {
			s->aw_addr += k->s_blen * s->bus;
			s->aw_beats -= k->s_blen;
		}
		s->lf[(s->lf_h + s->lf_n++) % LF_DEPTH] = k->s_blen - 1;
	}
	if (k->w_fire) {
		int eb_last = s->w_eb == s->ent_beats - 1;

		if (k->wlast) {
			s->lf_h = (s->lf_h + 1) % LF_DEPTH;
			s->lf_n--;
		}
		s->w_cnt = k->wlast ? 0 : s->w_cnt + 1;
		s->w_eb = eb_last ? 0 : s->w_eb + 1;
		if (eb_last) {
			s->slot_v[s->wr_slot] = 0;
			s->wr_slot = !s->wr_slot;
		}
	}
	if (pend)
		s->slot_v[pslot] = 1;
	s->b_out = s->b_out + (uint32_t)k->aw_fire - (uint32_t)s->in_bvalid;
}

/* One cycle: handshakes, events, harness sampling, every state to the next cycle. */
static int step(struct sim *s, int *finished)
{
	struct comb k;

	comb_all(s, &k);
	count(s, &k, 1);
	*finished = k.quiet && k.halted && s->settle;
	if (*finished)
		return (k.lwait || k.gwait || k.swait || s->fstate == F_DISP) ? -1 : 0;
	s->settle = k.quiet && k.halted;
	dram_sample(s, &k);
	if (k.take_f || k.take_l) {
		s->m_arv = 1;
		s->m_owner = k.take_f ? OWN_FETCH : OWN_LOAD;
		s->m_len = k.take_f ? 1 : k.l_blen;
		s->own_n++;
	} else if (s->in_arready) {
		s->m_arv = 0;
	}
	if ((k.f_rv || k.l_acc) && k.r_last)
		s->own_n--;
	update_fetch(s, &k);
	update_load(s, &k);
	update_gemm(s, &k);
	update_store(s, &k);
	s->t++;
	dram_decide(s);
	return 0;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * If every unit only waits (or the GEMM streams steps that nobody contends), jump to
 * one cycle before the earliest event: a beat or B response the harness will present,
 * the checker finishing, the GEMM's last step. Returns the cycles skipped.
 */
static uint64_t skip(struct sim *s)
{
	struct comb k;
	uint64_t until = UINT64_MAX, dt;

	if (s->m_arv || s->r_pres || s->wq_n || s->in_bvalid || s->in_wready)
		return 0;
	comb_all(s, &k);
	if (k.f_arv || k.take_l || k.l_start || k.g_start || k.s_start || (k.quiet && k.halted))
		return 0;
	if (s->fstate == F_CHECK)
		until = s->chk_done;
	else if (s->fstate == F_NEXT && (s->fvalid || s->cur_idx == s->count))
		return 0;
	else if (s->fstate == F_DISP && k.q_ok)
		return 0;
	if (s->lstate == U_RUN && (k.l_arv || !s->gact || s->gbv || s->gwr_v))
		return 0;
	if (s->gstate == U_DRAIN)
		return 0;
	if (s->gstate == U_RUN)
		until = min64(until, s->t + (s->gkn - s->gi) - 1);
	if (s->srun && (s->rd_left || s->slot_v[0] || s->slot_v[1] || s->pend || s->aw_left ||
			s->lf_n || !s->b_out))
		return 0;
	if (s->rq_n)
		until = min64(until, s->rq[s->rq_h].ready - 1);
	if (s->bq_n)
		until = min64(until, s->bq[s->bq_h] - 1);
	if (until == UINT64_MAX || until <= s->t + 1)
		return 0;
	dt = until - s->t;
	count(s, &k, dt);
	if (s->gstate == U_RUN) {
		s->gi += dt;
		s->s1_v = 1;
	}
	if (s->bw)
		s->credit = min64(s->cap, s->credit + (uint64_t)s->bw * dt);
	s->settle = 0;
	s->t = until;
	return dt;
}

static int sim_init(struct sim *s, const struct tern_hw_config *c, const struct tern_insn *in,
		    uint32_t count, const struct tern_fast_dram *d, uint64_t *cnt)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->in = in;
	s->count = count;
	s->qd = c->queue_depth;
	s->bus = c->bus_bytes;
	s->lat = d->latency;
	s->bw = d->bytes_per_cycle;
	/* B >= BUS: B. B < BUS: one beat plus what one more cycle brings, less a byte, so a
	 * rate that does not divide the bus (96 B/cycle on 128 B) keeps its remainder; for a
	 * B that divides BUS this is BUS exactly (credits are multiples of B). Same rule as
	 * the harness (tern_vl_harness.cpp) and the SystemC platform. */
	s->cap = s->bw >= s->bus ? s->bw : s->bus + s->bw - 1;
	s->cnt = cnt;
	s->credit = s->cap;  /* the CSR writes before START let it saturate */
	s->in_arready = s->in_awready = 1;
	s->fstate = F_NEXT;
	s->ipb = tern_fetch_insns_per_beat(s->bus);
	s->fcredit = tern_fetch_buf_entries(s->bus, s->qd);
	s->ent_beats = c->rows * 4 / s->bus;
	for (int u = 0; u < 3; u++) {
		s->q[u].idx = calloc(s->qd, sizeof(uint32_t));
		if (!s->q[u].idx)
			return -1;
	}
	return 0;
}

/*
 * What a working machine changes at least every few steps: the fetch and issue
 * positions, queue occupancies and unit states, DRAM requests and beats in flight,
 * the load unit's beats and rows left, the compute unit's position and the store
 * unit's entries and beats left. Cycle, busy and stall counts are left out: a stuck
 * machine keeps counting those.
 */
static uint64_t progress(const struct sim *s)
{
	const uint64_t v[] = {
		s->pf_idx, s->cur_idx, s->fvalid, s->finfl, s->fstate,
		s->q[0].n, s->q[1].n, s->q[2].n, s->tok[0], s->tok[1], s->tok[2], s->tok[3],
		s->rq_n, s->wq_n, s->bq_n, (uint64_t)s->r_pres, (uint64_t)s->m_arv, s->own_n,
		(uint64_t)s->lstate, s->rows_left, s->beats_left, s->fill, s->x_left, s->y_left,
		(uint64_t)s->gstate, s->gi, (uint64_t)s->srun, s->rd_left, s->aw_left, s->w_cnt,
		s->b_out, s->lf_n,
	};
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = (h ^ v[i]) * 1099511628211ull;
	return h;
}

int tern_fast_sim(const struct tern_hw_config *cfg, const struct tern_insn *insns,
		  uint32_t count, const struct tern_fast_dram *dram,
		  uint64_t counters[TERN_CNT_COUNT], uint64_t *stepped)
{
	struct sim *s = malloc(sizeof(*s));
	int rc = -1, fin = 0;
	uint64_t n = 0;

	if (!s)
		return -1;
	if (sim_init(s, cfg, insns, count, dram, counters) == 0) {
		uint64_t sig = 0, same = 0;

		rc = 0;
		while (!fin && !rc && s->t < SIM_LIMIT) {
			skip(s);
			rc = step(s, &fin);
			n++;
			uint64_t now = progress(s);
			same = now == sig ? same + 1 : 0;
			sig = now;
			if (same >= STUCK_STEPS) {
				rc = TERN_FAST_STUCK;
				break;
			}
		}
		if (!fin && !rc)
			rc = -1;
	}
	for (int u = 0; u < 3; u++)
		free(s->q[u].idx);
	free(s);
	if (stepped)
		*stepped = n;
	return rc;
}
