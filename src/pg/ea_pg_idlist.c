/*-------------------------------------------------------------------------
 *
 * ea_pg_idlist.c
 *	  SQL functions that load the ID lists of in_segment_list conditions.
 *
 * A list is a set of 8-character Statsig id hashes (ea_idlist_hash of a
 * unit id).  Lists can be loaded from raw unit ids, from hashes, or from
 * Statsig's ID-list file format: one "+hash" (add) or "-hash" (remove) per
 * line, applied in order.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"

/* A change from an ID-list file: the last operation seen for a hash. */
typedef struct EaIdChange
{
	char		hash[EA_PG_ID_HASH_MAX + 1];	/* hash key */
	bool		add;
} EaIdChange;

/* Check a list name against the table's limits. */
static void
ea_pg_check_list_name(text *list_name)
{
	int			len = VARSIZE_ANY_EXHDR(list_name);

	if (len < 1 || len > EA_PG_LIST_NAME_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid ID list name"),
				 errdetail("An ID list name must be 1 to %d bytes long.",
						   EA_PG_LIST_NAME_MAX)));
}

/* Check one id hash; line is 0 for hashes that did not come from a file. */
static void
ea_pg_check_id_hash(const char *hash, size_t len, int line)
{
	if (len >= 1 && len <= EA_PG_ID_HASH_MAX && memchr(hash, ' ', len) == NULL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid ID list hash \"%.*s\"", (int) Min(len, 64), hash),
			 line > 0 ? errdetail("Line %d of the ID list file has a hash that is empty, longer than %d bytes or contains a space.",
								  line, EA_PG_ID_HASH_MAX) :
			 errdetail("An id hash must be 1 to %d bytes long without spaces.",
					   EA_PG_ID_HASH_MAX)));
}

/* The elements of a text[] as palloc'd C strings; NULL elements refused. */
static int
ea_pg_text_array(ArrayType *array, char ***out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	*out = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("ID list entries must not be null")));
		(*out)[i] = TextDatumGetCString(elems[i]);
	}
	return n;
}

/* A text[] of C strings. */
static ArrayType *
ea_pg_make_text_array(char **strings, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(strings[i]);
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/* Replace a list's contents with the given hashes; return its size. */
static int64
ea_pg_replace_list(text *list_name, char **hashes, int n)
{
	ea_pg_storage_id_list_delete(list_name);
	if (n > 0)
		ea_pg_storage_id_list_add(list_name, ea_pg_make_text_array(hashes, n));
	return ea_pg_storage_id_list_size(list_name);
}

/*
 * load_id_list(list_name text, unit_ids text[]) returns bigint
 *
 * Replaces the list with the Statsig hashes of the given unit ids and
 * returns the number of ids in it.  NULL elements are an error.  Side
 * effect: writes ea_id_lists.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_load_id_list);
Datum
ea_pg_load_id_list(PG_FUNCTION_ARGS)
{
	text	   *list_name = PG_GETARG_TEXT_PP(0);
	char	  **ids;
	int			n;
	int			i;

	ea_pg_check_list_name(list_name);
	n = ea_pg_text_array(PG_GETARG_ARRAYTYPE_P(1), &ids);
	for (i = 0; i < n; i++)
	{
		char	   *hash = palloc(9);

		ea_idlist_hash(ids[i], strlen(ids[i]), hash);
		ids[i] = hash;
	}
	PG_RETURN_INT64(ea_pg_replace_list(list_name, ids, n));
}

/*
 * load_id_list_hashes(list_name text, id_hashes text[]) returns bigint
 *
 * Replaces the list with the given, already hashed ids and returns the
 * number of ids in it.  NULL or malformed elements are an error.  Side
 * effect: writes ea_id_lists.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_load_id_list_hashes);
Datum
ea_pg_load_id_list_hashes(PG_FUNCTION_ARGS)
{
	text	   *list_name = PG_GETARG_TEXT_PP(0);
	char	  **hashes;
	int			n;
	int			i;

	ea_pg_check_list_name(list_name);
	n = ea_pg_text_array(PG_GETARG_ARRAYTYPE_P(1), &hashes);
	for (i = 0; i < n; i++)
		ea_pg_check_id_hash(hashes[i], strlen(hashes[i]), 0);
	PG_RETURN_INT64(ea_pg_replace_list(list_name, hashes, n));
}

/* Record one "+hash" / "-hash" line; the last one for a hash wins. */
static void
ea_pg_file_line(HTAB *changes, const char *line, size_t len, int lineno)
{
	char		key[EA_PG_ID_HASH_MAX + 1];
	EaIdChange *change;

	if (line[0] != '+' && line[0] != '-')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid ID list file"),
				 errdetail("Line %d does not start with \"+\" or \"-\".", lineno),
				 errhint("Each line of a Statsig ID list file is \"+\" or \"-\" followed by an id hash.")));
	ea_pg_check_id_hash(line + 1, len - 1, lineno);
	memcpy(key, line + 1, len - 1);
	key[len - 1] = '\0';
	change = hash_search(changes, key, HASH_ENTER, NULL);
	change->add = (line[0] == '+');
}

/* Parse an ID-list file into the net change per hash. */
static HTAB *
ea_pg_parse_file(const char *contents)
{
	HASHCTL		ctl;
	HTAB	   *changes;
	const char *p = contents;
	int			lineno = 0;

	ctl.keysize = sizeof(((EaIdChange *) NULL)->hash);
	ctl.entrysize = sizeof(EaIdChange);
	ctl.hcxt = CurrentMemoryContext;
	changes = hash_create("experiment_assign id list file", 1024, &ctl,
						  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	while (*p != '\0')
	{
		const char *end = strchr(p, '\n');
		size_t		len = end ? (size_t) (end - p) : strlen(p);
		size_t		trimmed = len;

		lineno++;
		while (trimmed > 0 && (p[trimmed - 1] == '\r' || p[trimmed - 1] == ' ' ||
							   p[trimmed - 1] == '\t'))
			trimmed--;
		if (trimmed > 0)
			ea_pg_file_line(changes, p, trimmed, lineno);
		p += len;
		if (*p == '\n')
			p++;
	}
	return changes;
}

/* Split the net changes into hashes to add and hashes to remove. */
static void
ea_pg_split_changes(HTAB *changes, char ***adds, int *nadds,
					char ***removes, int *nremoves)
{
	long		n = hash_get_num_entries(changes);
	HASH_SEQ_STATUS status;
	EaIdChange *change;

	*adds = palloc(sizeof(char *) * Max(n, 1));
	*removes = palloc(sizeof(char *) * Max(n, 1));
	*nadds = *nremoves = 0;
	hash_seq_init(&status, changes);
	while ((change = hash_seq_search(&status)) != NULL)
	{
		if (change->add)
			(*adds)[(*nadds)++] = change->hash;
		else
			(*removes)[(*nremoves)++] = change->hash;
	}
}

/*
 * load_id_list_file(list_name text, contents text, reset boolean = true)
 * returns bigint
 *
 * Applies a Statsig ID-list file (lines "+hash" / "-hash", in order) to
 * the list, emptied first when reset is true; returns the number of ids
 * in it.  A malformed line is an error and changes nothing.  Side effect:
 * writes ea_id_lists.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_load_id_list_file);
Datum
ea_pg_load_id_list_file(PG_FUNCTION_ARGS)
{
	text	   *list_name = PG_GETARG_TEXT_PP(0);
	char	   *contents = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		reset = PG_GETARG_BOOL(2);
	HTAB	   *changes;
	char	  **adds;
	char	  **removes;
	int			nadds;
	int			nremoves;

	ea_pg_check_list_name(list_name);
	changes = ea_pg_parse_file(contents);
	ea_pg_split_changes(changes, &adds, &nadds, &removes, &nremoves);
	if (reset)
		ea_pg_storage_id_list_delete(list_name);
	else if (nremoves > 0)
		ea_pg_storage_id_list_remove(list_name,
									 ea_pg_make_text_array(removes, nremoves));
	if (nadds > 0)
		ea_pg_storage_id_list_add(list_name, ea_pg_make_text_array(adds, nadds));
	PG_RETURN_INT64(ea_pg_storage_id_list_size(list_name));
}

/*
 * drop_id_list(list_name text) returns bigint
 *
 * Deletes every id of the list; returns how many there were (0 for an
 * unknown list).  Side effect: writes ea_id_lists.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_drop_id_list);
Datum
ea_pg_drop_id_list(PG_FUNCTION_ARGS)
{
	text	   *list_name = PG_GETARG_TEXT_PP(0);
	int64		size = ea_pg_storage_id_list_size(list_name);

	ea_pg_storage_id_list_delete(list_name);
	PG_RETURN_INT64(size);
}
