/*
 * fuzz_specs.c
 *	  libFuzzer target: arbitrary bytes as a config specs document.  When
 *	  it parses, every spec is evaluated for a few users; nothing may
 *	  crash, leak or read out of bounds (run under ASan/UBSan).
 */
#include "ea_core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const users[] = {
	"{}",
	"{\"userID\":\"u1\",\"email\":\"a@b.c\",\"custom\":{\"n\":5,\"arr\":[1,\"x\"]}}",
	"{\"userID\":7,\"customIDs\":{\"stableID\":\"s\"},\"userAgent\":\"Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_1 like Mac OS X)\",\"ip\":\"1.2.3.4\"}",
};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ea_specs   *specs;
	ea_error	err;
	size_t		i,
				u;

	if (ea_specs_parse((const char *) data, size, &specs, &err) != EA_OK)
		return 0;
	for (i = 0; i < ea_specs_count(specs) && i < 64; i++)
	{
		ea_spec_info info;
		ea_kind		k;

		ea_specs_info(specs, i, &info);
		for (k = EA_KIND_GATE; k <= EA_KIND_LAYER; k++)
		{
			const ea_user_needs *needs = ea_specs_user_needs(specs, k, info.name);

			/* answers must be stable, whatever they are */
			if (ea_user_needs_member(needs, "custom", "n", 1, EA_MT_NUMBER) !=
				ea_user_needs_member(needs, "custom", "n", 1, EA_MT_NUMBER))
				abort();
			(void) ea_user_needs_member(needs, "customIDs", "stableID", 8, EA_MT_STRING);
			(void) ea_user_needs_member(needs, "privateAttributes", "x", 1, EA_MT_OTHER);
		}
	}
	for (u = 0; u < sizeof(users) / sizeof(users[0]); u++)
	{
		ea_user    *user;

		if (ea_user_parse(users[u], strlen(users[u]), &user, &err) != EA_OK)
			abort();
		for (i = 0; i < ea_specs_count(specs) && i < 64; i++)
		{
			ea_spec_info info;
			ea_result  *r;
			char	   *json;
			ea_kind		k;

			ea_specs_info(specs, i, &info);
			for (k = EA_KIND_GATE; k <= EA_KIND_LAYER; k++)
			{
				if (ea_evaluate(specs, user, k, info.name, NULL, &r, &err) != EA_OK)
					continue;
				if (ea_result_json(r, &json, NULL, &err) == EA_OK)
					free(json);
				ea_result_free(r);
			}
		}
		ea_user_free(user);
	}
	ea_specs_free(specs);
	return 0;
}
