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
	"\"targetValue\":[\"production\"],\"idType\":\"userID\"}]}]}]}";

/* Does a value hold anything the builder would refuse below depth? */
static bool
walk_must_build(json_object *v, int depth)
{
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
	{
		const char *t = json_object_get_string(v);

		return !ea_user_number_ok(t, strlen(t));
	}
	if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
	{
		if (depth + 1 > EA_USER_MAX_DEPTH)
			return true;
		if (json_object_is_type(v, json_type_array))
		{
			size_t		i;

			for (i = 0; i < json_object_array_length(v); i++)
				if (walk_must_build(json_object_array_get_idx(v, i), depth + 1))
					return true;
		}
		else
		{
			json_object_object_foreach(v, k, m)
			{
				(void) k;
				if (walk_must_build(m, depth + 1))
					return true;
			}
		}
	}
	return false;
}

static void
walk_feed(ea_user_builder *b, json_object *v)
{
	const char *t;

	switch (json_object_get_type(v))
	{
		case json_type_null:
			ea_ub_null(b);
			break;
		case json_type_boolean:
			ea_ub_bool(b, json_object_get_boolean(v));
			break;
		case json_type_int:
		case json_type_double:
			t = json_object_get_string(v);
			ea_ub_number(b, t, strlen(t));
			break;
		case json_type_string:
			ea_ub_string(b, json_object_get_string(v), (size_t) json_object_get_string_len(v));
			break;
		case json_type_array:
			{
				size_t		i;

				ea_ub_begin(b, false);
				for (i = 0; i < json_object_array_length(v); i++)
					walk_feed(b, json_object_array_get_idx(v, i));
				ea_ub_end(b);
				break;
			}
		case json_type_object:
			ea_ub_begin(b, true);
			{
				json_object_object_foreach(v, k, m)
				{
					ea_ub_key(b, k, strlen(k));
					walk_feed(b, m);
				}
			}
			ea_ub_end(b);
			break;
	}
}

static ea_member_type
walk_type(json_object *v)
{
	switch (json_object_get_type(v))
	{
		case json_type_string:
			return EA_MT_STRING;
		case json_type_int:
		case json_type_double:
			return EA_MT_NUMBER;
		case json_type_null:
			return EA_MT_NULL;
		default:
			return EA_MT_OTHER;
	}
}

/* The walker's filtered object walk (ea_pg_user_walk_object). */
static void
walk_object(ea_user_builder *b, json_object *o, const char *object,
			const ea_user_needs *needs)
{
	ea_ub_begin(b, true);
	json_object_object_foreach(o, k, v)
	{
		size_t		len = strlen(k);
		const char *inner = object == NULL ? ea_user_object_name(k, len) : NULL;

		if (inner != NULL && json_object_is_type(v, json_type_object))
		{
			ea_ub_key(b, k, len);
			walk_object(b, v, inner, needs);
		}
		else if (ea_user_needs_member(needs, object, k, len, walk_type(v)) ||
				 walk_must_build(v, object == NULL ? 1 : 2))
		{
			ea_ub_key(b, k, len);
			walk_feed(b, v);
		}
	}
	ea_ub_end(b);
}

static ea_status
walk_build(json_object *root, const ea_user_needs *needs, ea_user **out)
{
	ea_user_builder *b = ea_user_builder_new();
	ea_error	err;

	if (b == NULL)
		abort();
	if (needs != NULL && json_object_is_type(root, json_type_object))
		walk_object(b, root, NULL, needs);
	else
		walk_feed(b, root);
	return ea_user_builder_finish(b, out, &err);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ea_specs *specs;
	json_tokener *tok;
	json_object *root;
	ea_user    *whole = NULL,
			   *part = NULL;
	ea_status	sw,
				sp;
	ea_error	err;
	const ea_user_needs *needs;

	if (specs == NULL && ea_specs_parse(walk_doc, strlen(walk_doc), &specs, &err) != EA_OK)
		abort();
	needs = ea_specs_user_needs(specs, EA_KIND_GATE, "g");
	if (needs == NULL)
		abort();
	tok = json_tokener_new_ex(2000);
	if (tok == NULL)
		return 0;
	root = json_tokener_parse_ex(tok, (const char *) data, (int) (size > 1000000 ? 1000000 : size));
	json_tokener_free(tok);
	if (root == NULL)
		return 0;
	sw = walk_build(root, NULL, &whole);
	sp = walk_build(root, needs, &part);
	if ((sw == EA_OK) != (sp == EA_OK))
	{
		fprintf(stderr, "verdicts differ: whole %d, filtered %d\n", sw, sp);
		abort();
	}
	if (sw == EA_OK)
	{
		ea_result  *r1,
				   *r2;
		char	   *j1 = NULL,
				   *j2 = NULL;

		if (ea_evaluate(specs, whole, EA_KIND_GATE, "g", NULL, &r1, &err) == EA_OK)
		{
			if (ea_evaluate(specs, part, EA_KIND_GATE, "g", NULL, &r2, &err) != EA_OK)
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
	json_object_put(root);
	return 0;
}
