/*-------------------------------------------------------------------------
 *
 * ea_pg_version.c
 *	  The library's version, the extension's version in this database, and
 *	  the check that the two are compatible.
 *
 * One library serves every database of a cluster, and after a package
 * upgrade it is newer than the SQL objects of databases not yet updated
 * (ALTER EXTENSION experiment_assign UPDATE).  The library keeps every C
 * entry point of every earlier version, so the functions of an older
 * extension version keep working; code that needs objects of a newer
 * version calls ea_pg_require_extension_version() first and gets a clear
 * ERROR with a hint instead of a missing-relation error or worse.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include <stdlib.h>

#include "access/xact.h"
#include "commands/extension.h"
#include "storage/proc.h"
#include "utils/builtins.h"

#ifndef EA_VERSION
#error "EA_VERSION (the control file's default_version) must be defined by the Makefile"
#endif

/* The version of this library (the control file's default_version). */
const char *const ea_pg_library_version = EA_VERSION;

/* How many numeric parts a version may have ("1.2.3" has three). */
#define EA_VERSION_PARTS 4

/*
 * Parse a version such as "0.2.0" into parts (missing parts are 0).
 * False when it is not digits separated by single dots.
 */
static bool
ea_pg_parse_version(const char *s, long parts[EA_VERSION_PARTS])
{
	int			n = 0;

	memset(parts, 0, sizeof(long) * EA_VERSION_PARTS);
	for (;;)
	{
		char	   *end;

		if (n == EA_VERSION_PARTS || *s < '0' || *s > '9')
			return false;
		parts[n++] = strtol(s, &end, 10);
		if (*end == '\0')
			return true;
		if (*end != '.')
			return false;
		s = end + 1;
	}
}

/* Compare two parsed versions: <0, 0, >0. */
static int
ea_pg_compare_versions(const long a[EA_VERSION_PARTS], const long b[EA_VERSION_PARTS])
{
	int			i;

	for (i = 0; i < EA_VERSION_PARTS; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/*
 * The version of experiment_assign installed in this database
 * (pg_extension.extversion, palloc'd), or NULL when it is not installed.
 * Read from the catalogue on every call: an ALTER EXTENSION ... UPDATE in
 * this session is seen at once.
 */
char *
ea_pg_extension_version(void)
{
	char	   *version = NULL;

	(void) ea_pg_extension_row(NULL, &version);
	return version;
}

/*
 * Is experiment_assign installed in this database at version needed or
 * later?  For code that serves an older extension version by skipping
 * what it cannot do there (rather than failing).  Cached for the current
 * command of the current transaction, so it is cheap in per-row paths.
 */
bool
ea_pg_extension_at_least(const char *needed)
{
	static LocalTransactionId cached_lxid = InvalidLocalTransactionId;
	static CommandId cached_cid = InvalidCommandId;
	static char cached_needed[32] = "";
	static bool cached_result = false;
	CommandId	cid = GetCurrentCommandId(false);
	char	   *installed;
	long		have[EA_VERSION_PARTS];
	long		want[EA_VERSION_PARTS];

	if (cached_lxid == MyProc->lxid && cached_cid == cid &&
		strcmp(cached_needed, needed) == 0)
		return cached_result;
	installed = ea_pg_extension_version();
	cached_result = installed != NULL &&
		ea_pg_parse_version(installed, have) &&
		ea_pg_parse_version(needed, want) &&
		ea_pg_compare_versions(have, want) >= 0;
	cached_lxid = MyProc->lxid;
	cached_cid = cid;
	strlcpy(cached_needed, needed, sizeof(cached_needed));
	return cached_result;
}

/*
 * Raise an ERROR unless experiment_assign is installed in this database at
 * version needed or later; what names the feature that needs it (for the
 * message).  Returns the installed version (palloc'd).
 */
char *
ea_pg_require_extension_version(const char *needed, const char *what)
{
	char	   *installed = ea_pg_extension_version();
	long		have[EA_VERSION_PARTS];
	long		want[EA_VERSION_PARTS];
	long		library[EA_VERSION_PARTS];
	bool		library_has_it;

	if (!ea_pg_parse_version(needed, want))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid extension version \"%s\"", needed),
				 errdetail("A version is numbers separated by dots, such as \"0.2.0\".")));
	if (installed == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s needs extension \"experiment_assign\" %s, which is not installed in this database",
						what, needed),
				 errhint("Run CREATE EXTENSION experiment_assign.")));
	if (ea_pg_parse_version(installed, have) && ea_pg_compare_versions(have, want) >= 0)
		return installed;

	library_has_it = ea_pg_parse_version(ea_pg_library_version, library) &&
		ea_pg_compare_versions(library, want) >= 0;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s needs extension \"experiment_assign\" %s or later", what, needed),
			 errdetail("This database has version %s of the extension's SQL objects; the loaded library is version %s.",
					   installed, ea_pg_library_version),
			 library_has_it
			 ? errhint("Run ALTER EXTENSION experiment_assign UPDATE to bring the SQL objects to the library's version.")
			 : errhint("Install experiment_assign %s or later, then run ALTER EXTENSION experiment_assign UPDATE.",
					   needed)));
	pg_unreachable();
}

/*
 * experiment_assign_library_version() returns text
 *
 * The version of the loaded shared library, which may be newer than the
 * extension's SQL objects in this database (pg_extension.extversion) until
 * ALTER EXTENSION ... UPDATE has run.  No side effects.
 */
PG_FUNCTION_INFO_V1(ea_pg_library_version_sql);
Datum
ea_pg_library_version_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ea_pg_library_version));
}

/*
 * experiment_assign_require_version(version text) returns text
 *
 * Returns the installed extension version when it is version or later,
 * else raises an ERROR (SQLSTATE 55000) whose hint says how to update:
 * the check the library's own newer features make, for deployment scripts
 * that need a given version.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_require_version);
Datum
ea_pg_require_version(PG_FUNCTION_ARGS)
{
	char	   *needed = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(ea_pg_require_extension_version(needed,
																	 "this database")));
}
