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
 * The cached object is malloc'd by the core and owned by this file alone:
 * it is replaced only after a new user was built successfully, so an error
 * can never leave it dangling or leak it.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "utils/builtins.h"
#include "utils/numeric.h"

static ea_user *ea_cached_user = NULL;
static char *ea_cached_bytes = NULL;
static Size ea_cached_len = 0;

static bool
ea_pg_user_is_cached(Jsonb *user)
{
	return ea_cached_user != NULL && VARSIZE(user) == ea_cached_len &&
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

/* Feed every token of the jsonb value to the builder. */
static void
ea_pg_user_walk(Jsonb *user, ea_user_builder *b)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (JB_ROOT_IS_SCALAR(user))
	{
		JsonbExtractScalar(&user->root, &v);
		ea_pg_user_scalar(b, &v);
		return;
	}
	it = JsonbIteratorInit(&user->root);
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

/* Build the core's user from jsonb; the builder is freed on any error. */
static ea_user *
ea_pg_user_build(Jsonb *user)
{
	ea_user_builder *b = ea_user_builder_new();
	ea_user    *built;
	ea_error	err;

	if (b == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	PG_TRY();
	{
		ea_pg_user_walk(user, b);
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

const ea_user *
ea_pg_user_from_jsonb(Jsonb *user)
{
	ea_user    *parsed;
	char	   *bytes;

	if (ea_pg_user_is_cached(user))
		return ea_cached_user;
	parsed = ea_pg_user_build(user);
	bytes = malloc(VARSIZE(user));
	if (bytes == NULL)
	{
		ea_user_free(parsed);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	}
	memcpy(bytes, user, VARSIZE(user));
	ea_user_free(ea_cached_user);
	free(ea_cached_bytes);
	ea_cached_user = parsed;
	ea_cached_bytes = bytes;
	ea_cached_len = VARSIZE(user);
	return ea_cached_user;
}
