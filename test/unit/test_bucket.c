/*
 * test_bucket.c
 *	  user_bucket conditions with any/none (either case) over an array are
 *	  decided by a bit per bucket (ea_condition.bucket_set) instead of the
 *	  bucket printed and compared as a string.  For targets mixing decimals,
 *	  numbers, leading zeros, signs, fractions, spaces and out-of-range
 *	  values, every operator must give, for every user, what the string
 *	  comparison gives: the same documents are evaluated with the bit sets
 *	  and with them taken away.
 */
#include "ea_core.h"
#include "ea_spec.h"
#include "ea_util.h"
#include "ea_test_check.h"

#include <stdio.h>
#include <string.h>

#define NUSERS 3000

static const char *const ops[] = {"any", "none", "any_case_sensitive", "none_case_sensitive"};

/* targets: what a bucket's digits equal, and what they must not */
static const char *const targets[] = {
	"[0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987]",
	"[\"0\", \"007\", \"12\", \"12.0\", \" 13\", \"+14\", \"-15\", \"999\", \"1000\", \"16a\", \"\"]",
	"[12.0, 1e2, 3.5, -4, 998, 1024, true, null, \"017\", \"17\"]",
	"[\"1\", \"2\"]",
	"[]",
};

static int
eval_all(const ea_specs *specs, ea_user **users, bool *out)
{
	int			i;

	for (i = 0; i < NUSERS; i++)
	{
		ea_result  *r;
		ea_error	err;

		if (ea_evaluate(specs, users[i], EA_KIND_GATE, "g", NULL, &r, &err) != EA_OK)
			return -1;
		out[i] = ea_result_bool(r);
		ea_result_free(r);
	}
	return 0;
}

int
main(void)
{
	static ea_user *users[NUSERS];
	static bool with_set[NUSERS],
				without_set[NUSERS];
	size_t		o,
				t;
	int			i;

	for (i = 0; i < NUSERS; i++)
	{
		char		json[64];
		ea_error	err;

		snprintf(json, sizeof(json), "{\"userID\": \"user-%d\"}", i);
		if (ea_user_parse(json, strlen(json), &users[i], &err) != EA_OK)
		{
			printf("FAIL user %d\n", i);
			return 1;
		}
	}
	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
		for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		{
			char		doc[1024];
			ea_specs   *specs;
			ea_spec    *spec;
			ea_error	err;
			int			npassing = 0,
						same = 1;

			snprintf(doc, sizeof(doc),
					 "{\"time\": 1, \"dynamic_configs\": [], \"layer_configs\": [],"
					 " \"feature_gates\": [{\"name\": \"g\", \"type\": \"feature_gate\","
					 " \"salt\": \"gs\", \"enabled\": true, \"defaultValue\": false,"
					 " \"idType\": \"userID\", \"rules\": [{\"name\": \"r\", \"id\": \"r\","
					 " \"salt\": \"rs\", \"passPercentage\": 100, \"returnValue\": true,"
					 " \"idType\": \"userID\", \"conditions\": [{\"type\": \"user_bucket\","
					 " \"operator\": \"%s\", \"targetValue\": %s,"
					 " \"additionalValues\": {\"salt\": \"bs\"}, \"idType\": \"userID\"}]}]}]}",
					 ops[o], targets[t]);
			if (ea_specs_parse(doc, strlen(doc), &specs, &err) != EA_OK)
			{
				CHECK(0, "%s %s: document refused: %s", ops[o], targets[t], err.message);
				continue;
			}
			spec = (ea_spec *) ea_specs_find(specs, EA_KIND_GATE, "g");
			CHECK(spec != NULL && spec->nrules == 1 && spec->rules[0].conds[0]->bucket_set != NULL,
				  "%s %s: the condition has a bucket set", ops[o], targets[t]);
			if (spec == NULL || eval_all(specs, users, with_set) != 0)
			{
				ea_specs_free(specs);
				continue;
			}
			/* the same document, compared as strings */
			spec->rules[0].conds[0]->bucket_set = NULL;
			if (eval_all(specs, users, without_set) != 0)
				CHECK(0, "%s %s: evaluation failed", ops[o], targets[t]);
			for (i = 0; i < NUSERS; i++)
			{
				same &= with_set[i] == without_set[i];
				npassing += with_set[i];
			}
			CHECK(same, "%s %s: bit set and string comparison agree for %d users",
				  ops[o], targets[t], NUSERS);
			/* a target with a bucket in it splits the users; the empty one does not */
			CHECK(strcmp(targets[t], "[]") == 0 ? (npassing == 0 || npassing == NUSERS)
				  : (npassing > 0 && npassing < NUSERS),
				  "%s %s: %d of %d users pass", ops[o], targets[t], npassing, NUSERS);
			ea_specs_free(specs);
		}
	for (i = 0; i < NUSERS; i++)
		ea_user_free(users[i]);
	printf("user_bucket bit sets: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
