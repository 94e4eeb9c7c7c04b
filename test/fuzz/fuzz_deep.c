/*
 * fuzz_deep.c
 *	  libFuzzer target, structure-aware: the input bytes describe a
 *	  document of up to 4,096 (or, by a flag, 65,536) gates and configs whose rules pass through
 *	  each other (chains, loops, experiment_group, config mappings), far
 *	  deeper than an 8 kB text document can be.  It is generated, loaded,
 *	  asked for user needs and evaluated; nothing may crash (ASan/UBSan),
 *	  and a load that succeeds must evaluate every spec without crashing.
 */
#include "ea_core.h"
#include "../unit/ea_test_util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



/* The next input byte (0 once the input is used up). */
static uint8_t
deep_byte(const uint8_t *data, size_t size, size_t *pos)
{
	return *pos < size ? data[(*pos)++] : 0;
}

/* One condition; `to` is the spec it refers to (a gate or a config). */
static void
deep_condition(ea_test_buf *b, uint8_t kind, size_t to)
{
	switch (kind % 5)
	{
		case 0:
			ea_test_printf(b, "{\"type\":\"public\",\"idType\":\"userID\"}");
			break;
		case 1:
			ea_test_printf(b, "{\"type\":\"pass_gate\",\"targetValue\":\"g%zu\",\"idType\":\"userID\"}", to);
			break;
		case 2:
			ea_test_printf(b, "{\"type\":\"fail_gate\",\"targetValue\":\"g%zu\",\"idType\":\"userID\"}", to);
			break;
		case 3:
			ea_test_printf(b, "{\"type\":\"experiment_group\",\"field\":\"c%zu\",\"operator\":\"any\","
						"\"targetValue\":[\"A\"],\"idType\":\"userID\"}", to);
			break;
		default:
			ea_test_printf(b, "{\"type\":\"user_field\",\"field\":\"f%zu\",\"operator\":\"str_matches\","
						"\"targetValue\":\"^(a+)+$\",\"idType\":\"userID\"}", to % 7);
			break;
	}
}

static void
deep_rules(ea_test_buf *b, const uint8_t *data, size_t size, size_t *pos,
		   size_t i, size_t n, bool chain)
{
	uint8_t		nrules = (uint8_t) (deep_byte(data, size, pos) % 3 + 1);
	uint8_t		r;

	for (r = 0; r < nrules; r++)
	{
		uint8_t		kind = deep_byte(data, size, pos);
		uint8_t		jump = deep_byte(data, size, pos);
		/* mostly the next spec (long chains), sometimes anywhere (loops) */
		size_t		to = chain && jump < 200 ? (i + 1) % n : (i * 31 + jump) % n;

		ea_test_printf(b, "%s{\"name\":\"r\",\"id\":\"r%zu_%u\",\"salt\":\"r\",\"passPercentage\":%d,"
					"\"returnValue\":true,\"idType\":\"userID\",\"groupName\":\"A\",\"conditions\":[",
					r ? "," : "", i, r, jump % 2 ? 100 : 50);
		deep_condition(b, kind, to);
		if (kind & 0x80)
		{
			ea_test_printf(b, ",");
			deep_condition(b, (uint8_t) (kind >> 3), (to + 1) % n);
		}
		ea_test_printf(b, "]}");
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		pos = 0;
	size_t		n = (((size_t) deep_byte(data, size, &pos) << 8) | deep_byte(data, size, &pos)) + 1;
	uint8_t		shape = deep_byte(data, size, &pos);
	bool		chain = shape & 1;
	uint8_t		mappings = deep_byte(data, size, &pos);
	ea_test_buf	b = {0};
	ea_specs   *specs;
	ea_user    *user;
	ea_error	err;
	size_t		i;

	/* up to 4,096 specs (fast runs), all 65,536 when the shape byte says so */
	if (!(shape & 0x80))
		n = (n - 1) % 4096 + 1;
	ea_test_printf(&b, "{\"time\":1,\"layer_configs\":[],\"feature_gates\":[");
	for (i = 0; i < n; i++)
	{
		ea_test_printf(&b, "%s{\"name\":\"g%zu\",\"type\":\"feature_gate\",\"entity\":\"feature_gate\","
					"\"salt\":\"s\",\"enabled\":true,\"defaultValue\":false,\"idType\":\"userID\",\"rules\":[",
					i ? "," : "", i);
		deep_rules(&b, data, size, &pos, i, n, chain);
		ea_test_printf(&b, "]}");
	}
	ea_test_printf(&b, "],\"dynamic_configs\":[");
	for (i = 0; i < n && i < 256; i++)
	{
		ea_test_printf(&b, "%s{\"name\":\"c%zu\",\"type\":\"dynamic_config\",\"entity\":\"experiment\","
					"\"salt\":\"s\",\"enabled\":true,\"defaultValue\":{},\"idType\":\"userID\",\"rules\":[",
					i ? "," : "", i);
		deep_rules(&b, data, size, &pos, i, n < 256 ? n : 256, chain);
		ea_test_printf(&b, "]}");
	}
	ea_test_printf(&b, "]");
	if (mappings & 1)
	{
		/* config mappings, possibly mapping names onto each other */
		ea_test_printf(&b, ",\"override_rules\":{\"o\":{\"name\":\"o\",\"id\":\"o\",\"salt\":\"o\","
					"\"passPercentage\":100,\"returnValue\":true,\"idType\":\"userID\","
					"\"conditions\":[{\"type\":\"public\",\"idType\":\"userID\"}]}},\"overrides\":{");
		for (i = 0; i < 4 && i < n; i++)
			ea_test_printf(&b, "%s\"c%zu\":[{\"new_config_name\":\"c%zu\",\"rules\":[{\"rule_name\":\"o\","
						"\"start_time\":0}]}]", i ? "," : "", i, (i + (mappings >> 1)) % (n < 256 ? n : 256));
		ea_test_printf(&b, "}");
	}
	ea_test_printf(&b, "}");

	if (ea_specs_parse(b.data, b.len, &specs, &err) == EA_OK)
	{
		static const char deep_user[] =
			"{\"userID\":\"u\",\"custom\":{\"f1\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaab\"}}";

		if (ea_user_parse(deep_user, strlen(deep_user), &user, &err) != EA_OK)
			abort();
		for (i = 0; i < n && i < 16; i++)
		{
			char		name[32];
			ea_result  *r;

			snprintf(name, sizeof(name), "g%zu", i);
			(void) ea_specs_user_needs(specs, EA_KIND_GATE, name);
			if (ea_evaluate(specs, user, EA_KIND_GATE, name, NULL, &r, &err) == EA_OK)
				ea_result_free(r);
			snprintf(name, sizeof(name), "c%zu", i);
			(void) ea_specs_user_needs(specs, EA_KIND_EXPERIMENT, name);
			if (ea_evaluate(specs, user, EA_KIND_EXPERIMENT, name, NULL, &r, &err) == EA_OK)
				ea_result_free(r);
		}
		ea_user_free(user);
		ea_specs_free(specs);
	}
	free(b.data);
	return 0;
}
