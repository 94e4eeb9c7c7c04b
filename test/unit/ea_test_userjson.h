/*
 * ea_test_userjson.h
 *	  A json-c value fed to the core's user builder the way the PostgreSQL
 *	  layer walks a jsonb user: whole, or filtered by a spec's user needs
 *	  (ea_pg_user_walk_object).  Shared by the golden test and the fuzzer.
 */
#ifndef EA_TEST_USERJSON_H
#define EA_TEST_USERJSON_H

#include "ea_core.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>

/* Does a value hold anything the builder would refuse below depth? */
static inline bool
ea_test_must_build(json_object *v, int depth)
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
				if (ea_test_must_build(json_object_array_get_idx(v, i), depth + 1))
					return true;
		}
		else
		{
			json_object_object_foreach(v, k, m)
			{
				(void) k;
				if (ea_test_must_build(m, depth + 1))
					return true;
			}
		}
	}
	return false;
}

/* Feed a json-c value to the user builder, as the PostgreSQL layer does. */
static inline void
ea_test_feed(ea_user_builder *b, json_object *v)
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
					ea_test_feed(b, json_object_array_get_idx(v, i));
				ea_ub_end(b);
				break;
			}
		case json_type_object:
			ea_ub_begin(b, true);
			{
				json_object_object_foreach(v, k, m)
				{
					ea_ub_key(b, k, strlen(k));
					ea_test_feed(b, m);
				}
			}
			ea_ub_end(b);
			break;
	}
}

/* The type of a member's value, for ea_user_needs_member(). */
static inline ea_member_type
ea_test_member_type(json_object *v)
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
static inline void
ea_test_walk_object(ea_user_builder *b, json_object *o, const char *object,
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
			ea_test_walk_object(b, v, inner, needs);
		}
		else if (ea_user_needs_member(needs, object, k, len, ea_test_member_type(v)) ||
				 ea_test_must_build(v, object == NULL ? 1 : 2))
		{
			ea_ub_key(b, k, len);
			ea_test_feed(b, v);
		}
	}
	ea_ub_end(b);
}

#endif							/* EA_TEST_USERJSON_H */
