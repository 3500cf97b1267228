/*
 * Test helper: prints the definition's verdict on one hardware config, as the C side
 * (tern_hw_config_why) gives it, so shell tests can compare Verilator's and yosys's
 * elaboration messages with it. Usage: config_why ROWS LANES WBUF ABUF ACC BUS QUEUE.
 * Prints the one-line message (exit 1) or "valid" (exit 0).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tern_isa.h"

int main(int argc, char **argv)
{
	struct tern_hw_config c;
	const char *why;

	if (argc != 8) {
		fprintf(stderr, "usage: config_why ROWS LANES WBUF ABUF ACC BUS QUEUE\n");
		return 2;
	}
	c.rows = (uint32_t)strtoul(argv[1], NULL, 10);
	c.lanes = (uint32_t)strtoul(argv[2], NULL, 10);
	c.wbuf_depth = (uint32_t)strtoul(argv[3], NULL, 10);
	c.abuf_depth = (uint32_t)strtoul(argv[4], NULL, 10);
	c.acc_depth = (uint32_t)strtoul(argv[5], NULL, 10);
	c.bus_bytes = (uint32_t)strtoul(argv[6], NULL, 10);
	c.queue_depth = (uint32_t)strtoul(argv[7], NULL, 10);
	why = tern_hw_config_why(&c);
	puts(why ? why : "valid");
	return why ? 1 : 0;
}
