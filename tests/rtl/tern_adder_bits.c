/*
 * tern_adder_bits ROWS LANES: prints the energy model's count of adder bits in the PE
 * array (tern_array_adder_bits, perf/tern_energy.c), so tests/rtl/yosys_adders.sh can
 * compare what the energy model prices with the $alu cells yosys finds in
 * rtl/tern_pe_array.sv. Bad arguments: one line on stderr, exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>

#include "tern_energy.h"

static int arg(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (*s < '1' || *s > '9' || *end || x > 256)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t rows, lanes;

	if (argc != 3 || arg(argv[1], &rows) || arg(argv[2], &lanes)) {
		fprintf(stderr, "usage: tern_adder_bits ROWS LANES (1..256 each)\n");
		return 2;
	}
	printf("%" PRIu64 "\n", tern_array_adder_bits(rows, lanes));
	return 0;
}
