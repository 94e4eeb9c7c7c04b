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
 * The user is built from the jsonb directly (a JsonbIterator walk feeding
 * the core's user builder): no JSON text is written or parsed.
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

/* Feed every token of a jsonb container to the builder. */
static void
ea_pg_user_walk_container(JsonbContainer *c, ea_user_builder *b)
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

static void
ea_pg_user_walk_value(JsonbValue *v, ea_user_builder *b)
{
	if (v->type == jbvBinary)
		ea_pg_user_walk_container(v->val.binary.data, b);
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

	/*
	 * Every number of a user is checked: most are far inside f64's range,
	 * which two numeric comparisons show without printing the number.
	 */
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
 * Could a member the spec does not read make the whole user invalid?
 * True when its value holds a number the builder refuses or nests deeper
 * than the builder allows below parent_depth open containers.  Such a
 * member is built anyway, so that the builder gives its own verdict and
 * error -- the same as for the whole user, in every function.
 */
static bool
ea_pg_member_must_build(const JsonbValue *v, int parent_depth)
{
	JsonbIterator *it;
	JsonbValue	x;
	JsonbIteratorToken tok;
	int			depth = parent_depth;

	if (v->type == jbvNumeric)
		return !ea_pg_numeric_ok(v->val.numeric);
	if (v->type != jbvBinary)
		return false;
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &x, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT || tok == WJB_BEGIN_ARRAY)
		{
			if (++depth > EA_USER_MAX_DEPTH)
				return true;
		}
		else if (tok == WJB_END_OBJECT || tok == WJB_END_ARRAY)
			depth--;
		else if ((tok == WJB_VALUE || tok == WJB_ELEM) && x.type == jbvNumeric &&
				 !ea_pg_numeric_ok(x.val.numeric))
			return true;
	}
	return false;
}

/*
 * Walk an object, building only the members the spec can read (and known
 * fields of the wrong type, and members that would make the user invalid);
 * the four user objects are walked the same way one level down.
 */
static void
ea_pg_user_walk_object(JsonbContainer *c, const char *object,
					   const ea_user_needs *needs, ea_user_builder *b)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	check_stack_depth();		/* recursive, one level per user object */
	memset(&k, 0, sizeof(k));
	ea_ub_begin(b, true);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *inner;

		if (tok == WJB_KEY)
			k = v;
		if (tok != WJB_VALUE)
			continue;
		inner = object == NULL
			? ea_user_object_name(k.val.string.val, k.val.string.len) : NULL;
		if (inner != NULL && v.type == jbvBinary && JsonContainerIsObject(v.val.binary.data))
		{
			ea_ub_key(b, k.val.string.val, k.val.string.len);
			ea_pg_user_walk_object(v.val.binary.data, inner, needs, b);
		}
		else if (ea_user_needs_member(needs, object, k.val.string.val, k.val.string.len,
									  ea_pg_member_type(&v)) ||
				 ea_pg_member_must_build(&v, object == NULL ? 1 : 2))
		{
			ea_ub_key(b, k.val.string.val, k.val.string.len);
			ea_pg_user_walk_value(&v, b);
		}
	}
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
		ea_pg_user_walk_object(&user->root, NULL, needs, b);
	else
		ea_pg_user_walk_container(&user->root, b);
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
