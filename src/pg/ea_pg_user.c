/*-------------------------------------------------------------------------
 *
 * ea_pg_user.c
 *	  The StatsigUser of a jsonb argument, parsed once per distinct value.
 *
 * Queries evaluate the same user many times in a row: several specs per
 * row, or get_experiment(u, 'exp', get_user_persisted_values(u, ...)).
 * The last user parsed is kept (with a copy of its jsonb bytes); a call
 * with byte-identical jsonb reuses it.  The comparison is on content, so
 * a recycled pointer can never return a stale user.
 *
 * The user is built from the jsonb directly, reading its containers in
 * place and feeding the core's user builder: no JSON text is written or
 * parsed, and no JsonbIterator is allocated per container.
 *
 * The cached object is malloc'd by the core and owned by this file alone.
 * Its memory is recycled for the next user: it is forgotten (the cache is
 * empty) before the builder takes it over, and the builder frees it on
 * any error, so an error can never leave it dangling or leak it.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

static ea_user *ea_cached_user = NULL;
static char *ea_cached_bytes = NULL;
static Size ea_cached_len = 0;
static Size ea_cached_cap = 0;	/* allocated size of ea_cached_bytes */
static const ea_user_needs *ea_cached_needs = NULL;	/* NULL: whole user */
static uint64 ea_cached_generation = 0;	/* of the specs the needs belong to */

/*
 * A whole cached user serves any request; a partial one only requests
 * with the same needs of the same specs (needs pointers are compared,
 * never followed: the generation rules out a recycled address).
 */
static bool
ea_pg_user_is_cached(Jsonb *user, const ea_user_needs *needs)
{
	return ea_cached_user != NULL && VARSIZE(user) == ea_cached_len &&
		(ea_cached_needs == NULL ||
		 (ea_cached_needs == needs && ea_cached_generation == ea_pg_cache_generation())) &&
		memcmp(user, ea_cached_bytes, ea_cached_len) == 0;
}

static void
ea_pg_user_scalar(ea_user_builder *b, const JsonbValue *v)
{
	char	   *num;

	switch (v->type)
	{
		case jbvString:
			ea_ub_string(b, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			num = DatumGetCString(DirectFunctionCall1(numeric_out,
													  NumericGetDatum(v->val.numeric)));
			ea_ub_number(b, num, strlen(num));
			pfree(num);
			break;
		case jbvBool:
			ea_ub_bool(b, v->val.boolean);
			break;
		default:
			ea_ub_null(b);
			break;
	}
}

/*
 * Reading a jsonb container in place.  Its layout (utils/jsonb.h): a
 * header, one JEntry per child -- an object's keys, then its values -- and
 * then the children's data.  JBE_ADVANCE_OFFSET turns a child's start into
 * its end; numerics and nested containers begin at the next int-aligned
 * offset.  The same reading as JsonbIteratorNext, without its allocations.
 */
typedef struct EaJbCursor
{
	JsonbContainer *c;
	uint32		n;				/* pairs of an object, elements of an array */
	bool		is_object;
	const char *base;			/* start of the children's data */
	uint32		i;
	uint32		koff;			/* next key's offset (objects) */
	uint32		voff;			/* next value's or element's offset */
} EaJbCursor;

static void
ea_jb_open(EaJbCursor *cur, JsonbContainer *c)
{
	cur->c = c;
	cur->n = JsonContainerSize(c);
	cur->is_object = JsonContainerIsObject(c);
	cur->base = (const char *) &c->children[cur->is_object ? cur->n * 2 : cur->n];
	cur->i = 0;
	cur->koff = 0;
	cur->voff = cur->is_object ? getJsonbOffset(c, cur->n) : 0;
}

/* The next member (key and value) or element; false at the end. */
static inline bool
ea_jb_next(EaJbCursor *cur, const char **key, int *keylen, JsonbValue *v)
{
	uint32		i = cur->i;
	JEntry		e;
	uint32		start,
				end;

	if (i >= cur->n)
		return false;
	cur->i = i + 1;
	if (cur->is_object)
	{
		e = cur->c->children[i];
		end = cur->koff;
		JBE_ADVANCE_OFFSET(end, e);
		*key = cur->base + cur->koff;
		*keylen = (int) (end - cur->koff);
		cur->koff = end;
		i += cur->n;
	}
	e = cur->c->children[i];
	start = cur->voff;
	end = start;
	JBE_ADVANCE_OFFSET(end, e);
	cur->voff = end;
	switch (e & JENTRY_TYPEMASK)
	{
		case JENTRY_ISSTRING:
			v->type = jbvString;
			v->val.string.val = (char *) cur->base + start;
			v->val.string.len = (int) (end - start);
			break;
		case JENTRY_ISNUMERIC:
			v->type = jbvNumeric;
			v->val.numeric = (Numeric) (cur->base + INTALIGN(start));
			break;
		case JENTRY_ISBOOL_TRUE:
		case JENTRY_ISBOOL_FALSE:
			v->type = jbvBool;
			v->val.boolean = (e & JENTRY_TYPEMASK) == JENTRY_ISBOOL_TRUE;
			break;
		case JENTRY_ISNULL:
			v->type = jbvNull;
			break;
		default:
			v->type = jbvBinary;
			v->val.binary.data = (JsonbContainer *) (cur->base + INTALIGN(start));
			v->val.binary.len = (int) (end - INTALIGN(start));
			break;
	}
	return true;
}

/* Feed every token of a jsonb container to the builder (no recursion). */
static void
ea_pg_user_walk_iter(JsonbContainer *c, ea_user_builder *b)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT || tok == WJB_BEGIN_ARRAY)
			ea_ub_begin(b, tok == WJB_BEGIN_OBJECT);
		else if (tok == WJB_END_OBJECT || tok == WJB_END_ARRAY)
			ea_ub_end(b);
		else if (tok == WJB_KEY)
			ea_ub_key(b, v.val.string.val, v.val.string.len);
		else
			ea_pg_user_scalar(b, &v);
	}
}

/*
 * The same, reading in place; depth counts the open containers.  Past the
 * builder's depth limit the rest goes through the iterator, which needs no
 * stack, and the builder refuses it as before.
 */
static void
ea_pg_user_walk_container(JsonbContainer *c, ea_user_builder *b, int depth)
{
	EaJbCursor	cur;
	const char *key = NULL;
	int			keylen = 0;
	JsonbValue	v;

	if (depth > EA_USER_MAX_DEPTH)
	{
		ea_pg_user_walk_iter(c, b);
		return;
	}
	ea_jb_open(&cur, c);
	ea_ub_begin(b, cur.is_object);
	while (ea_jb_next(&cur, &key, &keylen, &v))
	{
		if (cur.is_object)
			ea_ub_key(b, key, keylen);
		if (v.type == jbvBinary)
			ea_pg_user_walk_container(v.val.binary.data, b, depth + 1);
		else
			ea_pg_user_scalar(b, &v);
	}
	ea_ub_end(b);
}

static void
ea_pg_user_walk_value(JsonbValue *v, ea_user_builder *b, int depth)
{
	if (v->type == jbvBinary)
		ea_pg_user_walk_container(v->val.binary.data, b, depth + 1);
	else
		ea_pg_user_scalar(b, v);
}

/* The type of a member's value, for ea_user_needs_member(). */
static ea_member_type
ea_pg_member_type(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return EA_MT_STRING;
		case jbvNumeric:
			return EA_MT_NUMBER;
		case jbvNull:
			return EA_MT_NULL;
		default:
			return EA_MT_OTHER;
	}
}

/* Is a numeric within what the user builder accepts? */
static bool
ea_pg_numeric_ok(Numeric n)
{
	static Numeric small_hi = NULL;
	static Numeric small_lo = NULL;
	char	   *num;
	bool		ok;
	uint16		header;

	/*
	 * Every number of a user is checked: most are far inside f64's range.
	 * numeric's on-disk format (numeric.c; fixed, as pg_upgrade keeps data
	 * files) starts with a 16-bit header whose two top bits are 10 for the
	 * short format, which holds weights of at most 63 base-10000 digits:
	 * such a number is below 1e256, so no comparison is needed.
	 */
	memcpy(&header, VARDATA_ANY(n), sizeof(header));
	if ((header & 0xC000) == 0x8000)
		return true;
	/* otherwise two numeric comparisons tell, without printing it */
	if (small_hi == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		small_lo = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum("-1e307"),
													   ObjectIdGetDatum(InvalidOid),
													   Int32GetDatum(-1)));
		small_hi = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum("1e307"),
													   ObjectIdGetDatum(InvalidOid),
													   Int32GetDatum(-1)));
		MemoryContextSwitchTo(old);
	}
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(small_hi))) < 0 &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(small_lo))) > 0)
		return true;
	num = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
	ok = ea_user_number_ok(num, strlen(num));
	pfree(num);
	return ok;
}

/*
 * The offset just past the keys of a container (0 for an array), or
 * PG_UINT32_MAX as soon as a key's ea_user_needs_bit() is in filter.
 */
static uint32
ea_pg_keys_end(JsonbContainer *c, uint64 filter)
{
	uint32		n = JsonContainerIsObject(c) ? JsonContainerSize(c) : 0;
	const char *base = (const char *) &c->children[n * 2];
	uint32		off = 0;
	uint32		i;

	for (i = 0; i < n; i++)
	{
		uint32		end = off;

		JBE_ADVANCE_OFFSET(end, c->children[i]);
		if (filter != 0 && (filter & ea_user_needs_bit(base + off, end - off)) != 0)
			return PG_UINT32_MAX;
		off = end;
	}
	return off;
}

/*
 * Must any value of a container be built although the spec reads none of
 * them?  True when a value holds a number beyond f64 or nests deeper than
 * EA_USER_MAX_DEPTH containers (and, in customIDs, for any value but a
 * string, number or null, as ea_user_needs_member() says), read from the
 * JEntries alone: only numbers and containers (and, in customIDs,
 * booleans) are looked at.  off is the offset of the first value's data
 * (the end of the keys, for an object); parent_depth counts the containers
 * open around the values.
 */
static bool
ea_pg_values_must_build(JsonbContainer *c, uint32 off, int parent_depth, bool customids)
{
	uint32		n = JsonContainerSize(c);
	uint32		first = JsonContainerIsObject(c) ? n : 0;
	const char *base = (const char *) &c->children[first + n];
	uint32		i;

	for (i = first; i < first + n; i++)
	{
		JEntry		e = c->children[i];
		uint32		start = off;

		JBE_ADVANCE_OFFSET(off, e);
		switch (e & JENTRY_TYPEMASK)
		{
			case JENTRY_ISSTRING:
			case JENTRY_ISNULL:
				break;
			case JENTRY_ISBOOL_TRUE:
			case JENTRY_ISBOOL_FALSE:
				if (customids)
					return true;
				break;
			case JENTRY_ISNUMERIC:
				if (!ea_pg_numeric_ok((Numeric) (base + INTALIGN(start))))
					return true;
				break;
			default:
				{
					JsonbContainer *inner = (JsonbContainer *) (base + INTALIGN(start));

					if (customids || parent_depth + 1 > EA_USER_MAX_DEPTH)
						return true;
					check_stack_depth();
					if (ea_pg_values_must_build(inner, ea_pg_keys_end(inner, 0), parent_depth + 1,
												false))
						return true;
				}
				break;
		}
	}
	return false;
}

/*
 * Could a member the spec does not read make the whole user invalid?
 * True when its value holds a number the builder refuses or nests deeper
 * than the builder allows below parent_depth open containers.  Such a
 * member is built anyway, so that the builder gives its own verdict and
 * error -- the same as for the whole user, in every function.
 */
static bool
ea_pg_member_must_build(const JsonbValue *v, int parent_depth)
{
	if (v->type == jbvNumeric)
		return !ea_pg_numeric_ok(v->val.numeric);
	if (v->type != jbvBinary)
		return false;
	if (parent_depth + 1 > EA_USER_MAX_DEPTH)
		return true;
	return ea_pg_values_must_build(v->val.binary.data, ea_pg_keys_end(v->val.binary.data, 0),
								   parent_depth + 1, false);
}

/*
 * Must a user object (inner names it) be walked?  When no member name
 * hits the needs' filter for it, the spec reads none of its members, and
 * the object is skipped unless a value would make the user invalid.
 */
static bool
ea_pg_user_object_must_walk(JsonbContainer *c, const char *inner, const ea_user_needs *needs)
{
	uint64		filter = ea_user_needs_filter(needs, inner);
	uint32		off;

	if (filter == ~UINT64CONST(0))
		return true;
	off = ea_pg_keys_end(c, filter);
	return off == PG_UINT32_MAX ||
		ea_pg_values_must_build(c, off, 2, inner[0] == 'c' && inner[6] == 'I');
}

/*
 * Walk an object, building only the members the spec can read (and known
 * fields of the wrong type, and members that would make the user invalid);
 * the four user objects are walked the same way one level down.  A user
 * object (object != NULL, named name) is handed to the builder only when
 * one of its members is: an object with nothing to build reads the same
 * as an absent one, and skipping it saves building an empty value.
 */
static void
ea_pg_user_walk_object(JsonbContainer *c, const char *object,
					   const char *name, int namelen,
					   const ea_user_needs *needs, ea_user_builder *b)
{
	EaJbCursor	cur;
	const char *key = NULL;
	int			keylen = 0;
	JsonbValue	v;
	int			depth = object == NULL ? 1 : 2;
	bool		begun = false;
	uint64		filter;
	bool		customids = object != NULL && object[0] == 'c' && object[6] == 'I';

	check_stack_depth();		/* recursive, one level per user object */
	ea_jb_open(&cur, c);
	if (object == NULL)
	{
		ea_ub_begin(b, true);
		begun = true;
	}
	filter = object == NULL ? ea_user_needs_top_filter(needs) : ea_user_needs_filter(needs, object);
	while (ea_jb_next(&cur, &key, &keylen, &v))
	{
		const char *inner;

		/*
		 * A string or null (or a number in customIDs) the filter rules out
		 * is neither read nor able to make the user invalid.
		 */
		if ((v.type == jbvString || v.type == jbvNull ||
			 (customids && v.type == jbvNumeric && ea_pg_numeric_ok(v.val.numeric))) &&
			(filter & ea_user_needs_bit(key, keylen)) == 0)
			continue;
		inner = object == NULL ? ea_user_object_name(key, keylen) : NULL;
		if (inner != NULL && v.type == jbvBinary && JsonContainerIsObject(v.val.binary.data))
		{
			/* an object the spec does not read is usually skipped whole */
			if (ea_pg_user_object_must_walk(v.val.binary.data, inner, needs))
				ea_pg_user_walk_object(v.val.binary.data, inner, key, keylen, needs, b);
		}
		else if (ea_user_needs_member(needs, object, key, keylen,
									  ea_pg_member_type(&v)) ||
				 ea_pg_member_must_build(&v, depth))
		{
			if (!begun)
			{
				ea_ub_key(b, name, namelen);
				ea_ub_begin(b, true);
				begun = true;
			}
			ea_ub_key(b, key, keylen);
			ea_pg_user_walk_value(&v, b, depth);
		}
	}
	if (begun)
		ea_ub_end(b);
}

/* Feed the user to the builder: all of it, or what needs say. */
static void
ea_pg_user_walk(Jsonb *user, const ea_user_needs *needs, ea_user_builder *b)
{
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(user))
	{
		JsonbExtractScalar(&user->root, &v);
		ea_pg_user_scalar(b, &v);
	}
	else if (needs != NULL && JB_ROOT_IS_OBJECT(user))
		ea_pg_user_walk_object(&user->root, NULL, NULL, 0, needs, b);
	else
		ea_pg_user_walk_container(&user->root, b, 1);
}

/* Build the core's user from jsonb; the builder is freed on any error. */
static ea_user *
ea_pg_user_build(Jsonb *user, const ea_user_needs *needs, ea_user *spare)
{
	ea_user_builder *b = ea_user_builder_recycle(spare);
	ea_user    *built;
	ea_error	err;

	if (b == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	PG_TRY();
	{
		ea_pg_user_walk(user, needs, b);
	}
	PG_CATCH();
	{
		ea_user_builder_free(b);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (ea_user_builder_finish(b, &built, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	return built;
}

/*
 * The user of a jsonb argument, with at least the parts needs name (NULL:
 * the whole user).  Owned by this file: valid until the next call.
 */
const ea_user *
ea_pg_user_from_jsonb(Jsonb *user, const ea_user_needs *needs)
{
	ea_user    *parsed;
	char	   *bytes;
	ea_user    *spare;

	if (ea_pg_user_is_cached(user, needs))
		return ea_cached_user;
	/* the cached user's memory is recycled: it is forgotten first */
	spare = ea_cached_user;
	ea_cached_user = NULL;
	parsed = ea_pg_user_build(user, needs, spare);
	if (VARSIZE(user) > ea_cached_cap)
	{
		bytes = malloc(VARSIZE(user));
		if (bytes == NULL)
		{
			ea_user_free(parsed);
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		}
		free(ea_cached_bytes);
		ea_cached_bytes = bytes;
		ea_cached_cap = VARSIZE(user);
	}
	memcpy(ea_cached_bytes, user, VARSIZE(user));
	ea_cached_user = parsed;
	ea_cached_len = VARSIZE(user);
	ea_cached_needs = needs;
	ea_cached_generation = ea_pg_cache_generation();
	return ea_cached_user;
}
