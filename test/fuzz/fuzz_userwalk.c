/*
 * fuzz_userwalk.c
 *	  libFuzzer target: the core side of the PostgreSQL layer's jsonb user
 *	  walker (ea_pg_user.c).  The input, read as JSON, is fed to the user
 *	  builder twice, the way the walker does it: whole, and filtered by a
 *	  spec's user needs -- skipping members the spec does not read unless
 *	  they could make the user invalid (ea_user_number_ok, nesting beyond
 *	  EA_USER_MAX_DEPTH).  Both must give the same verdict (one user, one
 *	  verdict), and the filtered user the same evaluation.
 */
#include "ea_core.h"
#include "../unit/ea_test_userjson.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char walk_doc[] =
	"{\"time\":1,\"layer_configs\":[],\"dynamic_configs\":[],\"feature_gates\":[{\"name\":\"g\","
	"\"type\":\"feature_gate\",\"entity\":\"feature_gate\",\"salt\":\"s\",\"enabled\":true,"
	"\"defaultValue\":false,\"idType\":\"userID\",\"rules\":[{\"name\":\"r\",\"id\":\"r\",\"salt\":\"r\","
	"\"passPercentage\":50,\"returnValue\":true,\"idType\":\"companyID\",\"conditions\":["
	"{\"type\":\"user_field\",\"field\":\"email\",\"operator\":\"str_contains_any\",\"targetValue\":[\"@\"],"
	"\"idType\":\"userID\"},{\"type\":\"user_field\",\"field\":\"n\",\"operator\":\"gt\",\"targetValue\":3,"
	"\"idType\":\"userID\"},{\"type\":\"environment_field\",\"field\":\"tier\",\"operator\":\"any\","
	"\"targetValue\":[\"production\"],\"idType\":\"userID\"}]}]},"
	/* h reads the userID alone: the walker skips the user objects whole */
	"{\"name\":\"h\",\"type\":\"feature_gate\",\"entity\":\"feature_gate\",\"salt\":\"s\","
	"\"enabled\":true,\"defaultValue\":false,\"idType\":\"userID\",\"rules\":[{\"name\":\"r\","
	"\"id\":\"r\",\"salt\":\"r\",\"passPercentage\":50,\"returnValue\":true,\"idType\":\"userID\","
	"\"conditions\":[{\"type\":\"user_field\",\"field\":\"userID\",\"operator\":\"none\","
	"\"targetValue\":[\"x\"],\"idType\":\"userID\"}]}]}]}";

static ea_status
walk_build(json_object *root, const ea_user_needs *needs, ea_user **out)
{
	ea_user_builder *b = ea_user_builder_new();
	ea_error	err;

	if (b == NULL)
		abort();
	if (needs != NULL && json_object_is_type(root, json_type_object))
		ea_test_walk_object(b, root, NULL, needs);
	else
		ea_test_feed(b, root);
	return ea_user_builder_finish(b, out, &err);
}

/* The whole user and the one filtered by gate name's needs agree. */
static void
check_gate_needs(ea_specs *specs, json_object *root, const char *name)
{
	const ea_user_needs *needs = ea_specs_user_needs(specs, EA_KIND_GATE, name);
	ea_user    *whole = NULL,
			   *part = NULL;
	ea_status	sw,
				sp;
	ea_error	err;

	if (needs == NULL)
		abort();
	sw = walk_build(root, NULL, &whole);
	sp = walk_build(root, needs, &part);
	if ((sw == EA_OK) != (sp == EA_OK))
	{
		fprintf(stderr, "gate %s: verdicts differ: whole %d, filtered %d\n", name, sw, sp);
		abort();
	}
	if (sw == EA_OK)
	{
		ea_result  *r1,
				   *r2;
		char	   *j1 = NULL,
				   *j2 = NULL;

		if (ea_evaluate(specs, whole, EA_KIND_GATE, name, NULL, &r1, &err) == EA_OK)
		{
			if (ea_evaluate(specs, part, EA_KIND_GATE, name, NULL, &r2, &err) != EA_OK)
				abort();
			ea_result_json(r1, &j1, NULL, &err);
			ea_result_json(r2, &j2, NULL, &err);
			if (j1 == NULL || j2 == NULL || strcmp(j1, j2) != 0)
				abort();		/* the filtered user evaluates the same */
			free(j1);
			free(j2);
			ea_result_free(r1);
			ea_result_free(r2);
		}
		ea_user_free(whole);
		ea_user_free(part);
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ea_specs *specs;
	json_tokener *tok;
	json_object *root;
	ea_error	err;

	if (specs == NULL && ea_specs_parse(walk_doc, strlen(walk_doc), &specs, &err) != EA_OK)
		abort();
	tok = json_tokener_new_ex(2000);
	if (tok == NULL)
		return 0;
	root = json_tokener_parse_ex(tok, (const char *) data, (int) (size > 1000000 ? 1000000 : size));
	json_tokener_free(tok);
	if (root == NULL)
		return 0;
	check_gate_needs(specs, root, "g");
	check_gate_needs(specs, root, "h");
	json_object_put(root);
	return 0;
}
