/*-------------------------------------------------------------------------
 *
 * ea_userbuild.c
 *	  A streaming StatsigUser builder: the values ea_json.c reads from
 *	  text, built from a stream of events instead (the PostgreSQL layer
 *	  walks a jsonb value), then validated by ea_user.c.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_json.h"
#include "ea_user.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define EA_UB_MAX_DEPTH EA_USER_MAX_DEPTH

typedef struct ea_ub_frame
{
	ea_jlist	list;
	bool		is_object;
	const char *key;			/* objects: the pending member name */
	int			field;			/* root object: the key's user field, or -1 */
} ea_ub_frame;

struct ea_user_builder
{
	ea_user    *user;			/* owns the arena the values live in */
	ea_arena   *arena;			/* &user->arena */
	const char *err;			/* the first error, or NULL */
	int			depth;
	ea_ub_frame frames[EA_UB_MAX_DEPTH];
	bool		have_root;
	ea_dval		root;
};

ea_user_builder *
ea_user_builder_new(void)
{
	return ea_user_builder_recycle(NULL);
}

ea_user_builder *
ea_user_builder_recycle(ea_user *spare)
{
	ea_user_builder *b;
	ea_arena	arena;

	/* the builder that made the spare is reused too (it is 3 kB) */
	if (spare != NULL && spare->spare_builder != NULL)
	{
		b = spare->spare_builder;
		spare->spare_builder = NULL;
	}
	else
		b = malloc(sizeof(ea_user_builder));
	if (b == NULL)
	{
		ea_user_free(spare);
		return NULL;
	}
	/* the frame stack is set up as frames open: zero only the header */
	memset(b, 0, offsetof(ea_user_builder, frames));
	b->have_root = false;
	if (spare != NULL)
	{
		/* keep the spare's first arena block; forget everything else */
		arena = spare->arena;
		ea_arena_reset(&arena);
		memset(spare, 0, sizeof(ea_user));
		spare->arena = arena;
		b->user = spare;
	}
	else
		b->user = calloc(1, sizeof(ea_user));
	if (b->user == NULL)
	{
		free(b);
		return NULL;
	}
	b->arena = &b->user->arena;
	return b;
}

void
ea_user_builder_free(ea_user_builder *b)
{
	if (b == NULL)
		return;
	ea_user_free(b->user);
	free(b);
}

/* Keep the first error; later events are ignored. */
static void
ea_ub_fail(ea_user_builder *b, const char *what)
{
	if (b->err == NULL)
		b->err = what;
}

/* Hand a finished value to the open container, or make it the root. */
static void
ea_ub_emit(ea_user_builder *b, const ea_dval *v)
{
	ea_ub_frame *f;

	if (b->err)
		return;
	if (b->depth == 0)
	{
		if (b->have_root)
			ea_ub_fail(b, "more than one JSON value");
		b->root = *v;
		b->have_root = true;
		return;
	}
	f = &b->frames[b->depth - 1];
	if (f->is_object && f->key == NULL)
	{
		ea_ub_fail(b, "object member without a name");
		return;
	}
	/*
	 * A top-level field of an accepted type goes straight into the user
	 * (every other member is checked by ea_user_from_root at the end; a
	 * later duplicate still wins, and a wrong type is still reported).
	 */
	if (f->field >= 0 && ea_user_set_field(b->user, f->field, v))
	{
		f->key = NULL;
		f->field = -1;
		return;
	}
	if (!ea_jlist_push(b->arena, &f->list, f->is_object ? f->key : NULL, v))
		ea_ub_fail(b, "out of memory");
	f->key = NULL;
	f->field = -1;
}

void
ea_ub_begin(ea_user_builder *b, bool is_object)
{
	if (b->err)
		return;
	if (b->depth == EA_UB_MAX_DEPTH)
	{
		ea_ub_fail(b, "nesting deeper than 64 levels");
		return;
	}
	memset(&b->frames[b->depth], 0, sizeof(ea_ub_frame));
	b->frames[b->depth].field = -1;
	b->frames[b->depth++].is_object = is_object;
}

void
ea_ub_end(ea_user_builder *b)
{
	ea_ub_frame *f;
	ea_dval		v;

	if (b->err)
		return;
	if (b->depth == 0)
	{
		ea_ub_fail(b, "unbalanced end of a container");
		return;
	}
	f = &b->frames[--b->depth];
	memset(&v, 0, sizeof(v));
	v.type = f->is_object ? EA_J_OBJECT : EA_J_ARRAY;
	v.nitems = f->list.n;
	v.items = f->list.items;
	v.keys = f->is_object ? f->list.keys : NULL;
	if (!f->is_object)
	{
		v.str = ea_dval_array_text(b->arena, &v);
		v.lower = v.str ? ea_lower_dup(b->arena, v.str) : NULL;
		if (v.lower == NULL)
		{
			ea_ub_fail(b, "out of memory");
			return;
		}
	}
	ea_ub_emit(b, &v);
}

void
ea_ub_key(ea_user_builder *b, const char *key, size_t len)
{
	if (b->err || b->depth == 0 || !b->frames[b->depth - 1].is_object)
	{
		ea_ub_fail(b, "member name outside an object");
		return;
	}
	if (b->depth == 1 && (b->frames[0].field = ea_user_field_index(key, len)) >= 0)
	{
		/* a user field of the root object: its name needs no copy */
		b->frames[0].key = ea_user_field_name(b->frames[0].field);
		return;
	}
	b->frames[b->depth - 1].key = ea_arena_strndup(b->arena, key, len);
	if (b->frames[b->depth - 1].key == NULL)
		ea_ub_fail(b, "out of memory");
}

void
ea_ub_string(ea_user_builder *b, const char *s, size_t len)
{
	ea_dval		v;
	const char *copy;

	if (b->err)
		return;
	copy = ea_arena_strndup(b->arena, s, len);
	if (copy == NULL)
	{
		ea_ub_fail(b, "out of memory");
		return;
	}
	ea_dval_from_string(b->arena, copy, &v);
	ea_ub_emit(b, &v);
}

void
ea_ub_number(ea_user_builder *b, const char *text, size_t len)
{
	ea_dval		v;
	char	   *copy;
	bool		is_int;

	if (b->err)
		return;
	copy = ea_arena_strndup(b->arena, text, len);
	if (copy == NULL)
	{
		ea_ub_fail(b, "out of memory");
		return;
	}
	is_int = strpbrk(copy, ".eE") == NULL;
	if (!isfinite(strtod(copy, NULL)))
	{
		ea_ub_fail(b, "number out of range");
		return;
	}
	ea_dval_number_text(b->arena, copy, is_int, &v);
	ea_ub_emit(b, &v);
}

void
ea_ub_bool(ea_user_builder *b, bool value)
{
	ea_dval		v;

	memset(&v, 0, sizeof(v));
	v.type = EA_J_BOOL;
	v.has_bool = true;
	v.bool_value = value;
	v.str = v.lower = value ? "true" : "false";
	ea_ub_emit(b, &v);
}

void
ea_ub_null(ea_user_builder *b)
{
	ea_dval		v;

	memset(&v, 0, sizeof(v));
	ea_ub_emit(b, &v);
}

ea_status
ea_user_builder_finish(ea_user_builder *b, ea_user **out, ea_error *err)
{
	ea_user    *user = b->user;
	ea_status	st;

	*out = NULL;
	if (b->err == NULL && (b->depth != 0 || !b->have_root))
		ea_ub_fail(b, "incomplete JSON value");
	if (b->err != NULL)
	{
		st = ea_fail(err, EA_ERR_USER, "invalid StatsigUser",
					 "The user is not a valid JSON value: %s.", b->err);
		ea_user_builder_free(b);
		return st;
	}
	b->user = NULL;
	st = ea_user_from_root(user, &b->root, err);
	if (st != EA_OK)
	{
		free(b);
		ea_user_free(user);
	}
	else
	{
		user->spare_builder = b;
		*out = user;
	}
	return st;
}
