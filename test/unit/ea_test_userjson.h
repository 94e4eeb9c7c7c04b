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

/*
 * May the walker skip a member without asking ea_user_needs_member()?  A
 * string or null (or, in customIDs, a number it need not build) whose
 * name's bit is not in the object's needs filter.
 */
static inline bool
ea_test_filtered_out(json_object *v, const char *k, size_t len, bool customids,
					 uint64_t filter)
{
	ea_member_type t = ea_test_member_type(v);

	return (t == EA_MT_STRING || t == EA_MT_NULL ||
			(customids && t == EA_MT_NUMBER && !ea_test_must_build(v, 2))) &&
		(filter & ea_user_needs_bit(k, len)) == 0;
}

/*
 * Must the walker enter a user object?  Not when no member name hits the
 * filter and no value would make the user invalid (in customIDs, any value
 * but a string, number or null).
 */
static inline bool
ea_test_object_must_walk(json_object *o, const char *inner, const ea_user_needs *needs)
{
	uint64_t	filter = ea_user_needs_filter(needs, inner);
	bool		customids = inner[0] == 'c' && inner[6] == 'I';

	json_object_object_foreach(o, k, v)
	{
		ea_member_type t = ea_test_member_type(v);

		if ((filter & ea_user_needs_bit(k, strlen(k))) != 0 ||
			(customids && t == EA_MT_OTHER) || ea_test_must_build(v, 2))
			return true;
	}
	return false;
}

/* The walker's filtered object walk (ea_pg_user_walk_object). */
static inline void
ea_test_walk_object(ea_user_builder *b, json_object *o, const char *object,
			const ea_user_needs *needs)
{
	bool		customids = object != NULL && object[0] == 'c' && object[6] == 'I';
	uint64_t	filter = object == NULL ? ea_user_needs_top_filter(needs)
		: ea_user_needs_filter(needs, object);

	ea_ub_begin(b, true);
	json_object_object_foreach(o, k, v)
	{
		size_t		len = strlen(k);
		const char *inner = object == NULL ? ea_user_object_name(k, len) : NULL;

		if (ea_test_filtered_out(v, k, len, customids, filter))
			continue;
		if (inner != NULL && json_object_is_type(v, json_type_object))
		{
			if (ea_test_object_must_walk(v, inner, needs))
			{
				ea_ub_key(b, k, len);
				ea_test_walk_object(b, v, inner, needs);
			}
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
