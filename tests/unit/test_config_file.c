/*
 * Config-file reader tests (driver/tern_config_file.c) through the C API: every
 * parameter lands in its own field (values chosen so a swapped field shows), "base"
 * starts from the preset and overrides only what the text gives, the result matches
 * what tern_check_config accepts, and each refusal names the label with the line and
 * column of the problem. The CLI side (files, exit codes) is tests/cli/config_file.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tern_driver.h"

static int parse(const char *text, struct tern_hw_config *c, char *name, char *err)
{
	return tern_config_parse(text, strlen(text), "t.json", c, name, TERN_CONFIG_NAME_MAX, err,
				 256);
}

Test(config_file, every_field_in_its_place)
{
	struct tern_hw_config c;
	char name[TERN_CONFIG_NAME_MAX], err[256] = "";

	cr_assert_eq(parse("{\"QUEUE_DEPTH\":7,\"BUS_BYTES\":16,\"ACC_DEPTH\":33,\"ABUF_DEPTH\":44,"
			   "\"WBUF_DEPTH\":55,\"LANES\":6,\"ROWS\":12,\"name\":\"x-1.b\"}", &c, name, err),
		     0, "%s", err);
	cr_assert_eq(c.rows, 12);
	cr_assert_eq(c.lanes, 6);
	cr_assert_eq(c.wbuf_depth, 55);
	cr_assert_eq(c.abuf_depth, 44);
	cr_assert_eq(c.acc_depth, 33);
	cr_assert_eq(c.bus_bytes, 16);
	cr_assert_eq(c.queue_depth, 7);
	cr_assert_str_eq(name, "x-1.b");
}

Test(config_file, base_then_overrides)
{
	struct tern_hw_config c, p;
	char name[TERN_CONFIG_NAME_MAX], err[256] = "";
	int i, found = 0;

	for (i = 0; i < TERN_PRESET_COUNT; i++)
		if (!strcmp(tern_hw_presets[i].name, "64x64")) {
			p = tern_hw_presets[i].cfg;
			found = 1;
		}
	cr_assert(found);
	cr_assert_eq(parse(" \n{ \"ACC_DEPTH\" : 99 ,\t\"base\": \"64x64\" }\r\n", &c, name, err), 0,
		     "%s", err);
	p.acc_depth = 99;
	cr_assert_eq(memcmp(&c, &p, sizeof(c)), 0);
	cr_assert_str_eq(name, "");
}

Test(config_file, agrees_with_the_validity_rule)
{
	/* Every bus width with a 12-row array: accepted exactly when tern_check_config says so. */
	static const unsigned bus[] = { 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256 };
	struct tern_hw_config c, want;
	char text[200], name[TERN_CONFIG_NAME_MAX], err[256], why[256];
	size_t i;

	for (i = 0; i < sizeof(bus) / sizeof(bus[0]); i++) {
		snprintf(text, sizeof(text), "{\"base\":\"32x32\",\"ROWS\":12,\"BUS_BYTES\":%u}", bus[i]);
		cr_assert_eq(parse("{\"base\":\"32x32\",\"ROWS\":12,\"BUS_BYTES\":16}", &want, name, err), 0, "%s", err);
		want.bus_bytes = bus[i];
		cr_assert_eq(parse(text, &c, name, err) == 0,
			     tern_check_config(&want, why, sizeof(why)) == 0, "bus %u", bus[i]);
	}
}

Test(config_file, refusals_name_the_place)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "t.json:1:1: expected '{'" },
		{ "{\"base\":\"8x8\",\n  \"ROWS\": 1.5}", "t.json:2:12: ROWS must be an integer" },
		{ "{\"base\":\"8x8\",\"LANES\":2,\"LANES\":3}", "t.json:1:25: duplicate key \"LANES\"" },
		{ "{\"base\":\"8x8\",\"Rows\":2}", "t.json:1:15: unknown key \"Rows\"" },
		{ "{\"base\":\"8x8\"}\n\n  }", "t.json:3:3: unexpected '}' after the closing" },
		{ "{\"base\":\"8x8\",\"ROWS\":99999999999}", "t.json:1:22: ROWS is out of range" },
		{ "{\"base\":\"8x8\",\"ROWS\":-1}", "t.json:1:22: ROWS must be a non-negative" },
		{ "{\"base\":\"8x8\",\"ROWS\":null}", "t.json:1:22: ROWS must be an integer" },
		{ "{\"base\":\"8x8\",\"ROWS\":1", "t.json:1:23: expected ',' or '}', found end of file" },
		{ "{\"ROWS\":4}", "t.json: missing \"LANES\"" },
		{ "{\"base\":\"8x8\",\"ROWS\":257}", "t.json: config: ROWS must be 1..256" },
	};
	struct tern_hw_config c;
	char name[TERN_CONFIG_NAME_MAX], err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		err[0] = 0;
		cr_assert_eq(parse(bad[i].text, &c, name, err), -1, "accepted: %s", bad[i].text);
		cr_assert(!strncmp(err, bad[i].msg, strlen(bad[i].msg)), "'%s': got '%s', want '%s...'",
			  bad[i].text, err, bad[i].msg);
		cr_assert(!strchr(err, '\n'), "one line: %s", err);
		cr_assert_eq(c.rows, 0x5a5a5a5au, "config untouched on error");
	}
}
