// tern_ice_pty: the iCEBreaker board top (synth/icebreaker) under Verilator behind a
// pseudo-terminal, so the serial backend can drive it exactly as it drives the board's
// USB serial port: `tern_ice_pty LINK` creates a pty, points the symlink LINK at its
// slave side, prints "ready LINK" and serves until SIGINT/SIGTERM; then
// `tern gemm --backend serial --port LINK` talks to the simulated board. Each byte from
// the host is shifted into the board's RX pin at its UART divisor (bit time = UART_DIV
// clocks, 8N1), and the TX pin is sampled mid-bit into bytes for the host. The device
// clock runs all the time the host is talking (a run is polled over the same line); after
// a long silence the loop sleeps between slices. The baud rate of the pty itself is
// meaningless: the divisor (a parameter, 104 on the board for 115200 at 12 MHz) sets how
// many clocks a byte takes here. Built by tests/rtl/serial.sh.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include "Vtern_icebreaker_top.h"
#include "verilated.h"

static volatile sig_atomic_t g_stop = 0;
static void on_sig(int) { g_stop = 1; }

int main(int argc, char **argv) {
	if (argc != 2) { fprintf(stderr, "usage: tern_ice_pty LINK\n"); return 2; }
	const int div = UART_DIV;
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m)) { perror("tern_ice_pty: pty"); return 1; }
	const char *slave = ptsname(m);
	struct termios t;
	tcgetattr(m, &t);
	cfmakeraw(&t);
	tcsetattr(m, TCSANOW, &t);
	// Hold the slave open: the master then never sees a hang-up between two host sessions.
	int keep = open(slave, O_RDWR | O_NOCTTY);
	unlink(argv[1]);
	if (keep < 0 || symlink(slave, argv[1])) { perror("tern_ice_pty: link"); return 1; }
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);

	std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
	std::unique_ptr<Vtern_icebreaker_top> top{new Vtern_icebreaker_top{ctx.get()}};
	top->clk_i = 0; top->btn_ni = 1; top->rx_i = 1; top->eval();
	std::deque<uint8_t> in;          // host bytes not yet shifted in
	int rx_bits = 0, rx_cnt = 0;     // bits of the current RX frame left, clocks of this bit
	uint16_t rx_frame = 0;
	int tx_state = 0, tx_cnt = 0, tx_bit = 0;
	uint8_t tx_byte = 0;
	uint64_t quiet = 0;
	printf("ready %s\n", argv[1]);
	fflush(stdout);
	while (!g_stop) {
		if (in.empty() || quiet > 4000000) {
			uint8_t b[256];
			if (quiet > 4000000) {  // long silence: wait for the host instead of spinning
				struct pollfd p = {m, POLLIN, 0};
				poll(&p, 1, 20);
			}
			ssize_t n = read(m, b, sizeof(b));
			for (ssize_t i = 0; i < n; i++) in.push_back(b[i]);
			if (n > 0) quiet = 0;
		}
		for (int k = 0; k < 256; k++) {
			if (!rx_bits && !in.empty()) {  // start bit, 8 data bits LSB first, stop bit
				rx_frame = (uint16_t)(in.front() << 1 | 1u << 9);
				in.pop_front();
				rx_bits = 10;
				rx_cnt = div;
			}
			top->rx_i = rx_bits ? (rx_frame >> (10 - rx_bits)) & 1 : 1;
			top->clk_i = 1; top->eval(); top->clk_i = 0; top->eval();
			if (rx_bits && --rx_cnt == 0) { rx_bits--; rx_cnt = div; }
			int line = top->tx_o;
			if (tx_state == 0) {
				if (!line) { tx_state = 1; tx_cnt = div / 2; tx_bit = 0; tx_byte = 0; }
			} else if (--tx_cnt <= 0) {
				tx_cnt = div;
				if (tx_bit >= 1 && tx_bit <= 8) tx_byte |= (uint8_t)(line << (tx_bit - 1));
				if (tx_bit == 9) {
					tx_state = 0;
					if (line && write(m, &tx_byte, 1) != 1) perror("tern_ice_pty: write");
				}
				tx_bit++;
			}
			quiet = (rx_bits || tx_state || !in.empty()) ? 0 : quiet + 1;
		}
	}
	unlink(argv[1]);
	top->final();
	return 0;
}
