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
 * The cached object is malloc'd by the core and owned by this file alone:
 * it is replaced only after a new user parsed successfully, so an error
 * can never leave it dangling or leak it.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

static ea_user *ea_cached_user = NULL;
static char *ea_cached_bytes = NULL;
static Size ea_cached_len = 0;

static bool
ea_pg_user_is_cached(Jsonb *user)
{
	return ea_cached_user != NULL && VARSIZE(user) == ea_cached_len &&
		memcmp(user, ea_cached_bytes, ea_cached_len) == 0;
}

const ea_user *
ea_pg_user_from_jsonb(Jsonb *user)
{
	char	   *text;
	ea_user    *parsed;
	char	   *bytes;
	ea_error	err;

	if (ea_pg_user_is_cached(user))
		return ea_cached_user;
	text = JsonbToCString(NULL, &user->root, VARSIZE(user));
	if (ea_user_parse(text, strlen(text), &parsed, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	pfree(text);
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
