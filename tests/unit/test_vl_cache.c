/*
 * Unit tests of the model cache's pure parts (driver/tern_vl_cache.c): the checksum is
 * POSIX cksum(1) (values from the command), and entry names are presets' names or all
 * seven parameters, so two configs never share an entry.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "tern_vl_cache.h"

Test(vl_cache, cksum_matches_posix_cksum)
{
	/* `printf 123456789 | cksum` -> 930766865 9; `printf '' | cksum` -> 4294967295 0 */
	cr_assert_eq(tern_cksum("123456789", 9), 930766865u);
	cr_assert_eq(tern_cksum("", 0), 4294967295u);
	/* the length is part of the sum: a zero byte more changes it */
	cr_assert_neq(tern_cksum("\0", 1), tern_cksum("", 0));
}

Test(vl_cache, entry_names)
{
	struct tern_hw_config c = tern_hw_presets[0].cfg;
	char a[128], b[128];

	tern_vl_entry_name(&c, 0, a, sizeof(a));
	cr_assert_str_eq(a, tern_hw_presets[0].name);
	tern_vl_entry_name(&c, 1, a, sizeof(a));
	cr_assert(!strncmp(a, tern_hw_presets[0].name, strlen(tern_hw_presets[0].name)) &&
		  !strcmp(a + strlen(tern_hw_presets[0].name), "-bug"), "%s", a);
	c = (struct tern_hw_config){ 12, 20, 64, 256, 128, 16, 4 };
	tern_vl_entry_name(&c, 0, a, sizeof(a));
	cr_assert_str_eq(a, "12x20-w64-a256-c128-b16-q4");
	c.queue_depth = 8; /* every parameter is in the name */
	tern_vl_entry_name(&c, 0, b, sizeof(b));
	cr_assert_str_neq(a, b);
}
