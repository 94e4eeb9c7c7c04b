/*-------------------------------------------------------------------------
 *
 * ea_pg.c
 *	  Module initialisation and settings (GUCs) of experiment_assign.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include <errno.h>
#include <stdlib.h>

#include "utils/guc.h"

#include "ea_pg_sync.h"

/* PostgreSQL 18 records the library's name and version (pg_get_loaded_modules) */
#ifdef PG_MODULE_MAGIC_EXT
PG_MODULE_MAGIC_EXT(.name = "experiment_assign", .version = EA_VERSION);
#else
PG_MODULE_MAGIC;
#endif

/* experiment_assign.environment_tier: the SDK's environment option */
char	   *ea_pg_environment_tier = NULL;

/* experiment_assign.evaluation_time_ms, parsed: 0 = the wall clock */
int64		ea_pg_evaluation_time_ms = 0;
static char *ea_pg_evaluation_time_text = NULL;

void		_PG_init(void);

/*
 * An environment tier is a short name such as "production"; refuse values
 * that cannot be one.
 */
static bool
ea_pg_check_environment_tier(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && strlen(*newval) > 255)
	{
		GUC_check_errdetail("The environment tier is longer than 255 bytes.");
		return false;
	}
	return true;
}

/* Parse an evaluation time: empty, or milliseconds since the Unix epoch. */
static bool
ea_pg_parse_time_ms(const char *text, int64 *out)
{
	char	   *end;
	long long	value;

	*out = 0;
	if (text == NULL || text[0] == '\0')
		return true;
	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || value < 0)
		return false;
	*out = (int64) value;
	return true;
}

static bool
ea_pg_check_evaluation_time(char **newval, void **extra, GucSource source)
{
	int64		parsed;

	if (!ea_pg_parse_time_ms(*newval, &parsed))
	{
		GUC_check_errdetail("The evaluation time must be empty or a non-negative number of milliseconds since 1970-01-01 00:00 UTC.");
		return false;
	}
	return true;
}

static void
ea_pg_assign_evaluation_time(const char *newval, void *extra)
{
	int64		parsed;

	if (ea_pg_parse_time_ms(newval, &parsed))
		ea_pg_evaluation_time_ms = parsed;
}

/*
 * Module load: define the settings and register the cache callbacks.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("experiment_assign.environment_tier",
							   "Statsig environment tier used by evaluations.",
							   "Matches the environment_tier conditions of the specs, "
							   "as the SDK option environment.tier does. Empty means none.",
							   &ea_pg_environment_tier,
							   "",
							   PGC_USERSET,
							   0,
							   ea_pg_check_environment_tier,
							   NULL,
							   NULL);

	DefineCustomStringVariable("experiment_assign.evaluation_time_ms",
							   "Evaluation time in milliseconds since the Unix epoch.",
							   "Used by time-based conditions instead of the clock, "
							   "for reproducible tests. Empty means the wall clock.",
							   &ea_pg_evaluation_time_text,
							   "",
							   PGC_USERSET,
							   0,
							   ea_pg_check_evaluation_time,
							   ea_pg_assign_evaluation_time,
							   NULL);

	ea_pg_sync_init();
	ea_pg_exposures_init();

	MarkGUCPrefixReserved("experiment_assign");

	ea_pg_cache_init();
	ea_pg_citus_init();
}
