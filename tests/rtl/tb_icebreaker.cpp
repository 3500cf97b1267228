// tb_icebreaker: the iCEBreaker board top (synth/icebreaker) under Verilator, driven only
// through its pins as a PC would over the serial port. It checks the UART bridge and the
// SPRAM device memory (words written and read back, both halves of a 64-bit SPRAM word),
// the CSR path (a read/write CSR and the build's ROWS), an unknown command ('?'), and then
// real runs of tern_top from device memory: a one-instruction END program finishes with
// no error, and an illegal opcode faults with TERN_ERR_OPCODE at index 0 -- so tern_top's
// fetch read the 16-byte instruction beat as the host wrote it (word order included);
// an END with a reserved bit in its beat's last word faults (the memory serves that word
// from the SPRAM output), and a LOAD/STORE/END program moves multi-beat bursts both ways
// (the counters say how many bytes).
// Prints PASS:/FAIL: lines; built and run by tests/rtl/icebreaker_top.sh.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "Vtern_icebreaker_top.h"
#include "tern_isa.h"
#include "verilated.h"

static const int kDiv = UART_DIV;

struct Board {
	std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
	std::unique_ptr<Vtern_icebreaker_top> top{new Vtern_icebreaker_top{ctx.get()}};
	std::vector<uint8_t> rx;  // bytes the board sent
	int tx_state = 0, tx_cnt = 0, tx_bit = 0;
	uint8_t tx_byte = 0;
	uint64_t cycles = 0;

	Board() { top->clk_i = 0; top->btn_ni = 1; top->rx_i = 1; top->eval(); }
	// One clock; the board's TX line is decoded here (mid-bit sampling, like its receiver).
	void tick() {
		top->clk_i = 1; top->eval(); top->clk_i = 0; top->eval(); cycles++;
		int line = top->tx_o;
		if (tx_state == 0) {
			if (!line) { tx_state = 1; tx_cnt = kDiv / 2; tx_bit = 0; tx_byte = 0; }
		} else if (--tx_cnt <= 0) {
			tx_cnt = kDiv;
			if (tx_bit >= 1 && tx_bit <= 8) tx_byte |= (uint8_t)(line << (tx_bit - 1));
			if (tx_bit == 9) { if (line) rx.push_back(tx_byte); tx_state = 0; }
			tx_bit++;
		}
	}
	void send(uint8_t b) {
		int bits[10] = {0};
		for (int i = 0; i < 8; i++) bits[i + 1] = (b >> i) & 1;
		bits[9] = 1;
		for (int i = 0; i < 10; i++) { top->rx_i = bits[i]; for (int k = 0; k < kDiv; k++) tick(); }
		top->rx_i = 1;
	}
	// Send a command, wait for n reply bytes (bounded by cycles, not wall clock).
	bool cmd(const std::vector<uint8_t>& c, size_t n, std::vector<uint8_t>* out) {
		rx.clear();
		for (uint8_t b : c) send(b);
		for (uint64_t i = 0; i < 200000 && rx.size() < n; i++) tick();
		for (int k = 0; k < 4 * kDiv * 10; k++) tick();  // nothing more may come
		if (out) *out = rx;
		return rx.size() == n;
	}
	static std::vector<uint8_t> word(uint8_t c, uint32_t a, const uint32_t* d) {
		std::vector<uint8_t> v{c};
		for (int i = 0; i < 4; i++) v.push_back((uint8_t)(a >> (8 * i)));
		if (d) for (int i = 0; i < 4; i++) v.push_back((uint8_t)(*d >> (8 * i)));
		return v;
	}
	bool write(char c, uint32_t a, uint32_t d) {
		std::vector<uint8_t> r;
		return cmd(word((uint8_t)c, a, &d), 1, &r) && r[0] == 'k';
	}
	bool read(char c, uint32_t a, uint32_t* d) {
		std::vector<uint8_t> r;
		if (!cmd(word((uint8_t)c, a, nullptr), 4, &r)) return false;
		*d = r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24;
		return true;
	}
};

static int fails = 0;
static void check(bool ok, const char* name, uint32_t got = 0, uint32_t want = 0) {
	if (ok) printf("PASS: %s\n", name);
	else { printf("FAIL: %s (got 0x%08x, want 0x%08x)\n", name, got, want); fails++; }
}

// Run a 1-instruction program at 0x1000 whose first word is w0; return STATUS, ERR_*.
static bool run(Board& b, uint32_t w0, uint32_t* status, uint32_t* code, uint32_t* idx) {
	bool ok = b.write('W', 0x1000, w0) && b.write('W', 0x1004, 0) && b.write('W', 0x1008, 0) &&
		  b.write('W', 0x100c, 0) && b.write('w', TERN_CSR_INSN_BASE, 0x1000) &&
		  b.write('w', TERN_CSR_INSN_COUNT, 1) && b.write('w', TERN_CSR_DMA_BASE, 0x1000) &&
		  b.write('w', TERN_CSR_DMA_LIMIT, 0x2000) && b.write('w', TERN_CSR_CTRL, TERN_CTRL_START);
	for (int i = 0; ok && i < 50; i++) {
		if (!b.read('r', TERN_CSR_STATUS, status)) return false;
		if (!(*status & TERN_STATUS_BUSY)) break;
	}
	return ok && b.read('r', TERN_CSR_ERR_CODE, code) && b.read('r', TERN_CSR_ERR_INSN, idx);
}

// Run the program in[0..n) from 0x1000 (window 0x1000..0x4000); return STATUS, ERR_*.
static bool run_prog(Board& b, const struct tern_insn* in, uint32_t n, uint32_t* status,
		     uint32_t* code, uint32_t* idx) {
	bool ok = true;
	for (uint32_t i = 0; ok && i < n; i++)
		for (uint32_t k = 0; ok && k < 4; k++)
			ok = b.write('W', 0x1000 + 16 * i + 4 * k,
				     (uint32_t)(in[i].w[k / 2] >> (32 * (k % 2))));
	ok = ok && b.write('w', TERN_CSR_INSN_BASE, 0x1000) && b.write('w', TERN_CSR_INSN_COUNT, n) &&
	     b.write('w', TERN_CSR_DMA_BASE, 0x1000) && b.write('w', TERN_CSR_DMA_LIMIT, 0x4000) &&
	     b.write('w', TERN_CSR_CTRL, TERN_CTRL_START);
	for (int i = 0; ok && i < 50; i++) {
		if (!b.read('r', TERN_CSR_STATUS, status)) return false;
		if (!(*status & TERN_STATUS_BUSY)) break;
	}
	return ok && b.read('r', TERN_CSR_ERR_CODE, code) && b.read('r', TERN_CSR_ERR_INSN, idx);
}

static uint32_t counter(Board& b, unsigned i) {
	uint32_t v = 0;
	return b.read('r', TERN_CSR_COUNTER_BASE + 8 * i, &v) ? v : 0xffffffffu;
}

int main(int argc, char** argv) {
	Board b;
	b.ctx->commandArgs(argc, argv);
	for (int i = 0; i < 64; i++) b.tick();  // power-on reset
	uint32_t v = 0, st = 0, code = 0, idx = 0;

	check(b.write('W', 0x100, 0xdeadbeef) && b.write('W', 0x104, 0x01234567) &&
	      b.write('W', 0x1fff8, 0x55aa0ff0), "mem writes acknowledged");
	check(b.read('R', 0x100, &v) && v == 0xdeadbeef, "mem read low half", v, 0xdeadbeef);
	check(b.read('R', 0x104, &v) && v == 0x01234567, "mem read high half", v, 0x01234567);
	check(b.read('R', 0x1fff8, &v) && v == 0x55aa0ff0, "mem read last SPRAM word", v, 0x55aa0ff0);
	check(b.write('w', TERN_CSR_WATCHDOG, 0x12345) && b.read('r', TERN_CSR_WATCHDOG, &v) &&
	      v == 0x12345, "csr write and read back", v, 0x12345);
	check(b.read('r', TERN_CSR_HW_ROWS, &v) && v == ROWS, "csr HW_ROWS", v, ROWS);
	check(b.read('r', TERN_CSR_HW_COUNTER_BITS, &v) && v == COUNTER_BITS, "csr HW_COUNTER_BITS",
	      v, COUNTER_BITS);
	std::vector<uint8_t> r;
	check(b.cmd({'x'}, 1, &r) && r[0] == '?', "unknown command answered '?'");
	check(b.write('w', TERN_CSR_WATCHDOG, 0), "watchdog off");

	bool ok = run(b, TERN_OP_END, &st, &code, &idx);
	check(ok && (st & TERN_STATUS_DONE) && !(st & TERN_STATUS_ERROR) && code == TERN_ERR_OK,
	      "END program runs from SPRAM", st, TERN_STATUS_DONE);
	ok = run(b, 0xf, &st, &code, &idx);
	check(ok && (st & TERN_STATUS_ERROR) && code == TERN_ERR_OPCODE && idx == 0,
	      "illegal opcode faults at index 0", code, TERN_ERR_OPCODE);
	// A reserved bit in the last 32-bit word of END's beat: fetch must see it (the memory
	// serves a beat's last 64-bit word straight from the SPRAM output).
	struct tern_insn in[3] = {};
	tern_set_opcode(&in[0], TERN_OP_END);
	in[0].w[1] = 1ull << 40;
	ok = run_prog(b, in, 1, &st, &code, &idx);
	check(ok && (st & TERN_STATUS_ERROR) && code == TERN_ERR_FIELD && idx == 0,
	      "END's last word read (reserved bit faults)", code, TERN_ERR_FIELD);
	// LOAD (4 ABUF entries, two beats), STORE (ACC entry 0, two beats), END: multi-beat
	// bursts both ways through the SPRAM memory; the counters tell what moved.
	memset(in, 0, sizeof(in));
	tern_set_opcode(&in[0], TERN_OP_LOAD);
	tern_set_load_buf(&in[0], 1);
	tern_set_load_x_size(&in[0], 4);
	tern_set_load_y_size(&in[0], 1);
	tern_set_load_dram_addr(&in[0], 0x2000);
	tern_set_opcode(&in[1], TERN_OP_STORE);
	tern_set_store_y_size(&in[1], 1);
	tern_set_store_dram_addr(&in[1], 0x3000);
	tern_set_opcode(&in[2], TERN_OP_END);
	ok = run_prog(b, in, 3, &st, &code, &idx);
	check(ok && (st & TERN_STATUS_DONE) && !(st & TERN_STATUS_ERROR) && code == TERN_ERR_OK,
	      "LOAD, STORE, END run from SPRAM", code, TERN_ERR_OK);
	check(counter(b, TERN_CNT_INSNS) == 3, "counter INSNS", counter(b, TERN_CNT_INSNS), 3);
	check(counter(b, TERN_CNT_FETCH_BYTES) == 48, "counter FETCH_BYTES",
	      counter(b, TERN_CNT_FETCH_BYTES), 48);
	check(counter(b, TERN_CNT_DRAM_RD_BYTES) == 32, "counter DRAM_RD_BYTES",
	      counter(b, TERN_CNT_DRAM_RD_BYTES), 32);
	check(counter(b, TERN_CNT_DRAM_WR_BYTES) == 4 * ROWS, "counter DRAM_WR_BYTES",
	      counter(b, TERN_CNT_DRAM_WR_BYTES), 4 * ROWS);
	printf("tb_icebreaker: %llu cycles\n", (unsigned long long)b.cycles);
	return fails ? 1 : 0;
}
