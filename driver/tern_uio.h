/*
 * The Linux UIO view of a tern board, shared by the uio backend (tern_backend_uio.c) and
 * the device simulator that stands in for a board (tern_devsim.c, `tern devsim`).
 *
 * On a board (docs/boards.md): a device-tree node bound to uio_pdrv_genirq with two
 * regions, tern's 4 KiB CSR window (map0) and a physically contiguous reserved-memory
 * buffer tern reads and writes by DMA (map1), and tern's interrupt. The kernel lists them
 * as /sys/class/uio/uioN/{name, maps/mapK/{addr,size,offset}}; mmap of /dev/uioN at
 * offset K * page size maps region K; read() of /dev/uioN blocks until the next interrupt
 * and returns the 32-bit event count; write() of 1 re-enables the (level) interrupt.
 * Device addresses are physical addresses: the buffer's bytes live at map1's addr.
 *
 * Simulated (`tern devsim --uio-root DIR`): the same sysfs files under DIR/sys/class/uio,
 * and DIR/dev/uioN is a FIFO whose read() delivers the event counts the same way. The one
 * difference: a file cannot be an mmap-able register window whose loads and stores reach a
 * simulator, so the regions are ordinary files DIR/dev/uioN.mapK that both processes map,
 * map1 being the buffer itself and map0 a doorbell page (struct tern_uio_mbox) through
 * which the backend hands each 32-bit CSR access to the simulator and waits for its
 * answer. The backend knows it is talking to a simulator because DIR/dev/uioN is a FIFO.
 */
#ifndef TERN_UIO_H
#define TERN_UIO_H

#include <stdint.h>

#define TERN_UIO_NAME "tern"         /* the device-tree node name the backend looks for */
#define TERN_UIO_MAGIC 0x4e524554u   /* "TERN" little-endian: the doorbell page is live */
#define TERN_UIO_CSR_BYTES 4096u

enum { TERN_UIO_OP_READ = 1, TERN_UIO_OP_WRITE = 2 };

/*
 * The doorbell page (simulated tree only). One host at a time: the backend fills op,
 * addr and data, then publishes req (release); the simulator performs the AXI4-Lite
 * access on the RTL, stores data (reads) and status, then publishes ack = req (release).
 * The backend waits for ack == req (acquire). pid is the simulator's, so a backend can
 * tell a dead simulator from a slow one; magic is written last when the tree is ready.
 */
struct tern_uio_mbox {
	uint32_t magic;
	uint32_t pid;
	uint32_t req;
	uint32_t op;
	uint32_t addr;
	uint32_t data;
	uint32_t status;  /* 0 ok, 1 the access got no AXI response */
	uint32_t ack;
};

#endif /* TERN_UIO_H */
