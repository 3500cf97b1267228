/*
 * serial backend: the iCEBreaker board top (synth/icebreaker) through its UART bridge,
 * a PC playing the driver (tern_icebreaker_bridge.sv has the protocol: 'W'/'R' a device
 * memory word, 'w'/'r' a CSR, little-endian 32-bit address and data, 'k' acknowledges a
 * write). The port is opened raw at 115200 baud, 8N1, the bridge's rate; a pty (the
 * simulated board, sim/tern_ice_pty.cpp) takes the same settings. The bridge handles one
 * command at a time, so each waits for its reply. There is no interrupt line over the
 * UART: the end of a run is STATUS.DONE, polled. Device memory is the board's 128 KiB of
 * SPRAM at address 0, the arena from TERN_ARENA_BASE as on the simulated backends; partial
 * words at the ends of a transfer are read, merged and written back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tern_backend.h"
#include "tern_csr_port.h"

#define SERIAL_MEM (128u << 10)   /* four SB_SPRAM256KA */
#define SERIAL_REPLY_MS 10000     /* a board that says nothing for 10 s is not there */

struct serial_priv {
	struct tern_dev *d;
	int fd;
};

static int put(struct serial_priv *s, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = write(s->fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return tern_dev_set_err(s->d, "serial: write to %s: %s", s->d->opts.port,
						strerror(errno));
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int get(struct serial_priv *s, uint8_t *b, size_t n)
{
	while (n) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		int r = poll(&p, 1, SERIAL_REPLY_MS);
		ssize_t k;
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return tern_dev_set_err(s->d, "serial: no reply from the board on %s in %d s",
						s->d->opts.port, SERIAL_REPLY_MS / 1000);
		k = read(s->fd, b, n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return tern_dev_set_err(s->d, "serial: read from %s: %s", s->d->opts.port,
						k ? strerror(errno) : "end of file");
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int cmd(struct serial_priv *s, char c, uint32_t addr, const uint32_t *data, uint32_t *out)
{
	uint8_t b[9], r[4];
	size_t n = 5;
	int i;

	b[0] = (uint8_t)c;
	for (i = 0; i < 4; i++)
		b[1 + i] = (uint8_t)(addr >> (8 * i));
	if (data) {
		for (i = 0; i < 4; i++)
			b[5 + i] = (uint8_t)(*data >> (8 * i));
		n = 9;
	}
	if (put(s, b, n) || get(s, r, data ? 1 : 4))
		return -1;
	if (data) {
		if (r[0] != 'k')
			return tern_dev_set_err(s->d, "serial: the board answered 0x%02x to '%c', not 'k'",
						r[0], c);
		return 0;
	}
	*out = r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24;
	return 0;
}

static int csr_rd(void *ctx, uint32_t addr, uint32_t *v)
{
	return cmd(ctx, 'r', addr, NULL, v);
}

static int csr_wr(void *ctx, uint32_t addr, uint32_t v)
{
	return cmd(ctx, 'w', addr, &v, NULL);
}

static int wait_done(void *ctx)
{
	uint32_t st = 0;

	do {
		if (csr_rd(ctx, TERN_CSR_STATUS, &st))
			return -1;
	} while (!(st & TERN_STATUS_DONE));
	return 0;
}

static void serial_close(struct tern_dev *d)
{
	struct serial_priv *s = d->priv;

	if (s) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
	}
	d->priv = NULL;
}

static int serial_open(struct tern_dev *d)
{
	struct serial_priv *s;
	struct termios t;
	struct tern_csr_port port;

	if (!d->opts.port)
		return tern_dev_set_err(d, "serial: give the board's serial port (--port PATH)");
	if (d->mem_bytes > SERIAL_MEM)
		d->mem_bytes = SERIAL_MEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		return tern_dev_set_err(d, "out of memory");
	s->d = d;
	d->priv = s;
	s->fd = open(d->opts.port, O_RDWR | O_NOCTTY);
	if (s->fd < 0) {
		tern_dev_set_err(d, "serial: cannot open %s: %s", d->opts.port, strerror(errno));
		goto fail;
	}
	if (tcgetattr(s->fd, &t)) {
		tern_dev_set_err(d, "serial: %s is not a serial port: %s", d->opts.port, strerror(errno));
		goto fail;
	}
	cfmakeraw(&t);
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(CSTOPB | PARENB);
	if (tcsetattr(s->fd, TCSANOW, &t)) {
		tern_dev_set_err(d, "serial: cannot set 115200 8N1 on %s: %s", d->opts.port, strerror(errno));
		goto fail;
	}
	tcflush(s->fd, TCIOFLUSH);
	port = (struct tern_csr_port){ s, csr_rd, csr_wr, wait_done };
	if (tern_csr_port_check(d, &port))
		goto fail;
	return 0;
fail:
	serial_close(d);
	return -1;
}

static int serial_write(struct tern_dev *d, uint32_t addr, const void *src, uint64_t n)
{
	const uint8_t *p = src;
	uint32_t a = addr & ~3u;

	for (; a < addr + n; a += 4) {
		uint32_t w = 0;
		unsigned i;
		/* A word only partly covered keeps its other bytes. */
		if ((a < addr || a + 4 > addr + n) && cmd(d->priv, 'R', a, NULL, &w))
			return -1;
		for (i = 0; i < 4; i++)
			if (a + i >= addr && a + i < addr + n)
				w = (w & ~(0xffu << (8 * i))) | (uint32_t)p[a + i - addr] << (8 * i);
		if (cmd(d->priv, 'W', a, &w, NULL))
			return -1;
	}
	return 0;
}

static int serial_read(struct tern_dev *d, uint32_t addr, void *dst, uint64_t n)
{
	uint8_t *p = dst;
	uint32_t a = addr & ~3u;

	for (; a < addr + n; a += 4) {
		uint32_t w;
		unsigned i;
		if (cmd(d->priv, 'R', a, NULL, &w))
			return -1;
		for (i = 0; i < 4; i++)
			if (a + i >= addr && a + i < addr + n)
				p[a + i - addr] = (uint8_t)(w >> (8 * i));
	}
	return 0;
}

static int serial_run(struct tern_dev *d, uint32_t insn_addr, uint32_t count, uint32_t dma_base,
		      uint32_t dma_limit, struct tern_status *st)
{
	struct tern_csr_port port = { d->priv, csr_rd, csr_wr, wait_done };

	return tern_csr_port_run(d, &port, insn_addr, count, dma_base, dma_limit, st);
}

const struct tern_backend tern_backend_serial = {
	.name = "serial",
	.open = serial_open,
	.close = serial_close,
	.write = serial_write,
	.read = serial_read,
	.run = serial_run,
};
