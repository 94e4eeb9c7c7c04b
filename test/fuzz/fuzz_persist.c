/*
 * fuzz_persist.c
 *	  libFuzzer target: the persistence path.  The input is a user's
 *	  stored values (UserPersistedValues JSON, as read back from
 *	  ea_assignments or given by a caller) for an experiment and a layer
 *	  with targeting and overrides; the persisted decision (keep, drop,
 *	  save, re-evaluate) runs with every enforce flag, and the sticky-value
 *	  normaliser of the import path reads the same bytes.  Nothing may
 *	  crash or leak (ASan/UBSan); an outcome must be consistent.
 */
#include "ea_core.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char persist_doc[] =
	"{\"time\":1,\"feature_gates\":[{\"name\":\"tg\",\"type\":\"feature_gate\",\"entity\":\"feature_gate\","
	"\"salt\":\"s\",\"enabled\":true,\"defaultValue\":false,\"idType\":\"userID\",\"rules\":[{\"name\":\"r\","
	"\"id\":\"tg_r\",\"salt\":\"r\",\"passPercentage\":100,\"returnValue\":true,\"idType\":\"userID\","
	"\"conditions\":[{\"type\":\"user_field\",\"field\":\"email\",\"operator\":\"str_contains_any\","
	"\"targetValue\":[\"@\"],\"idType\":\"userID\"}]}]}],"
	"\"dynamic_configs\":[{\"name\":\"exp\",\"type\":\"dynamic_config\",\"entity\":\"experiment\",\"salt\":\"s\","
	"\"enabled\":true,\"isActive\":true,\"defaultValue\":{},\"idType\":\"userID\",\"hasSharedParams\":true,"
	"\"explicitParameters\":[\"p\"],\"rules\":["
	"{\"name\":\"targetingGate\",\"id\":\"targetingGate\",\"salt\":\"t\",\"passPercentage\":100,\"returnValue\":{},"
	"\"idType\":\"userID\",\"conditions\":[{\"type\":\"fail_gate\",\"targetValue\":\"tg\",\"idType\":\"userID\"}]},"
	"{\"name\":\"x override\",\"id\":\"1override\",\"salt\":\"o\",\"passPercentage\":100,\"returnValue\":{\"p\":9},"
	"\"idType\":\"userID\",\"groupName\":\"Test\",\"conditions\":[{\"type\":\"user_field\",\"field\":\"country\","
	"\"operator\":\"any\",\"targetValue\":[\"NZ\"],\"idType\":\"userID\"}]},"
	"{\"name\":\"c\",\"id\":\"exp_c\",\"salt\":\"c\",\"passPercentage\":50,\"returnValue\":{\"p\":1},"
	"\"idType\":\"userID\",\"groupName\":\"Control\",\"isExperimentGroup\":true,"
	"\"conditions\":[{\"type\":\"public\",\"idType\":\"userID\"}]},"
	"{\"name\":\"t\",\"id\":\"exp_t\",\"salt\":\"t\",\"passPercentage\":100,\"returnValue\":{\"p\":2},"
	"\"idType\":\"userID\",\"groupName\":\"Test\",\"isExperimentGroup\":true,"
	"\"conditions\":[{\"type\":\"public\",\"idType\":\"userID\"}]}]}],"
	"\"layer_configs\":[{\"name\":\"lay\",\"type\":\"dynamic_config\",\"entity\":\"layer\",\"salt\":\"l\","
	"\"enabled\":true,\"defaultValue\":{\"p\":0},\"idType\":\"userID\",\"rules\":[{\"name\":\"d\",\"id\":\"d\","
	"\"salt\":\"d\",\"passPercentage\":100,\"returnValue\":{},\"idType\":\"userID\",\"configDelegate\":\"exp\","
	"\"conditions\":[{\"type\":\"public\",\"idType\":\"userID\"}]}]}]}";

static const char *const persist_users[] = {
	"{\"userID\":\"u1\",\"email\":\"a@b.c\"}",
	"{\"userID\":\"u2\",\"country\":\"NZ\"}",
	"{\"customIDs\":{\"stableID\":\"s\"}}",
};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ea_specs *specs;
	ea_error	err;
	size_t		u;
	int			flags;
	char	   *normalized = NULL;

	if (specs == NULL && ea_specs_parse(persist_doc, strlen(persist_doc), &specs, &err) != EA_OK)
	{
		fprintf(stderr, "fixed document rejected: %s\n", err.detail);
		abort();
	}
	for (u = 0; u < sizeof(persist_users) / sizeof(persist_users[0]); u++)
	{
		ea_user    *user;

		if (ea_user_parse(persist_users[u], strlen(persist_users[u]), &user, &err) != EA_OK)
			abort();
		for (flags = 0; flags < 8; flags++)
		{
			ea_result  *r = NULL;
			ea_sticky_outcome outcome;
			ea_status	st;
			ea_kind		kind = (flags & 4) ? EA_KIND_LAYER : EA_KIND_EXPERIMENT;

			memset(&outcome, 0, sizeof(outcome));
			st = ea_evaluate_persisted(specs, user, kind, kind == EA_KIND_LAYER ? "lay" : "exp",
									   NULL, (const char *) data, size, flags & 1, flags & 2,
									   &r, &outcome, &err);
			if (st == EA_OK)
			{
				char	   *json;

				if (r == NULL)
					abort();	/* success always has a result */
				if (outcome.action == EA_STICKY_SAVE && outcome.sticky_json == NULL)
					abort();	/* a save needs something to save */
				if (ea_result_json(r, &json, NULL, &err) == EA_OK)
					free(json);
				ea_result_free(r);
			}
			ea_sticky_outcome_free(&outcome);
		}
		ea_user_free(user);
	}
	/* the import path reads one StickyValues object */
	if (ea_sticky_normalize("exp", (const char *) data, size, &normalized, &err) == EA_OK)
	{
		char	   *again = NULL;

		/* normalising is idempotent */
		if (ea_sticky_normalize("exp", normalized, strlen(normalized), &again, &err) != EA_OK ||
			strcmp(again, normalized) != 0)
			abort();
		free(again);
		free(normalized);
	}
	return 0;
}
