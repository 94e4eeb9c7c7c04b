/*-------------------------------------------------------------------------
 *
 * ea_sync.c
 *	  download_config_specs responses, the get_id_lists manifest and
 *	  incremental ID-list reads (see ea_sync.h).
 *
 *-------------------------------------------------------------------------
 */
#include "ea_sync.h"
#include "ea_util.h"

#include <json-c/json.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest list name (the ea_id_lists CHECK constraint). */
#define EA_SYNC_LIST_NAME_MAX	255

/* Deepest JSON nesting accepted in a response. */
#define EA_SYNC_JSON_DEPTH		256

struct ea_idlist_manifest
{
	ea_idlist_entry *entries;
	size_t		count;
	ea_arena	arena;
};

/* Tokenize a whole response body; NULL and an error when it is not JSON. */
static json_object *
ea_sync_tokenize(const char *body, size_t len, const char *what, ea_error *err)
{
	json_tokener *tok = json_tokener_new_ex(EA_SYNC_JSON_DEPTH);
	json_object *obj;
	enum json_tokener_error jerr;

	if (tok == NULL)
	{
		ea_fail_hint(err, EA_ERR_NOMEM, "out of memory", NULL, NULL);
		return NULL;
	}
	if (len > (size_t) INT32_MAX)
	{
		json_tokener_free(tok);
		ea_fail_hint(err, EA_ERR_LIMIT, "response too large", NULL,
					 "The %s response is larger than 2 GB.", what);
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, body, (int) len);
	jerr = json_tokener_get_error(tok);
	if (obj == NULL || jerr != json_tokener_success ||
		json_tokener_get_parse_end(tok) != len)
	{
		ea_fail_hint(err, EA_ERR_JSON, "response is not valid JSON",
					 "A truncated response is read again at the next attempt.",
					 "The %s response is not valid JSON: parsing stopped at byte %zu of %zu (%s).",
					 what, json_tokener_get_parse_end(tok), len,
					 jerr == json_tokener_continue ? "the body ends early"
					 : json_tokener_error_desc(jerr));
		json_object_put(obj);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* An integer, or a double with an integral value in int64 range. */
static bool
ea_sync_is_integer(json_object *v)
{
	double		d;

	if (v == NULL)
		return false;
	if (json_object_is_type(v, json_type_int))
		return true;
	if (!json_object_is_type(v, json_type_double))
		return false;
	d = json_object_get_double(v);
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
		(double) (int64_t) d == d;
}

ea_status
ea_sync_dcs_inspect(const char *body, size_t len, ea_dcs_info *out,
					ea_error *err)
{
	json_object *root;
	json_object *v;

	memset(out, 0, sizeof(*out));
	out->has_updates = true;
	if ((root = ea_sync_tokenize(body, len, "download_config_specs", err)) == NULL)
		return err ? err->code : EA_ERR_JSON;
	if (!json_object_is_type(root, json_type_object))
	{
		json_object_put(root);
		return ea_fail_hint(err, EA_ERR_SPEC, "invalid download_config_specs response", NULL,
							"The response is not a JSON object.");
	}
	v = json_object_object_get(root, "has_updates");
	if (v != NULL && json_object_is_type(v, json_type_boolean) &&
		!json_object_get_boolean(v))
	{
		out->has_updates = false;
		json_object_put(root);
		return EA_OK;
	}
	v = json_object_object_get(root, "time");
	if (v != NULL && !json_object_is_type(v, json_type_null))
	{
		if (!ea_sync_is_integer(v) || json_object_get_int64(v) < 0)
		{
			json_object_put(root);
			return ea_fail_hint(err, EA_ERR_SPEC, "invalid download_config_specs response", NULL,
								"\"time\" is not a non-negative integer.");
		}
		out->time = json_object_get_int64(v);
	}
	v = json_object_object_get(root, "checksum");
	if (v != NULL && json_object_is_type(v, json_type_string) &&
		json_object_get_string_len(v) <= EA_SYNC_CHECKSUM_MAX)
		snprintf(out->checksum, sizeof(out->checksum), "%s", json_object_get_string(v));
	json_object_put(root);
	return EA_OK;
}

ea_dcs_decision
ea_sync_dcs_decide(const ea_dcs_info *info, int64_t current_time,
				   const char *current_checksum)
{
	if (!info->has_updates)
		return EA_DCS_NO_UPDATES;
	if (current_time > 0 && info->time < current_time)
		return EA_DCS_OLDER;
	if (current_time > 0 && info->time == current_time)
	{
		if (info->checksum[0] == '\0' || current_checksum == NULL ||
			current_checksum[0] == '\0' ||
			strcmp(info->checksum, current_checksum) == 0)
			return EA_DCS_UNCHANGED;
	}
	return EA_DCS_NEWER;
}

/* ---- the manifest ---- */

static int
ea_sync_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const ea_idlist_entry *) a)->name,
				  ((const ea_idlist_entry *) b)->name);
}

/* Check one manifest entry and copy it into e; false with err set. */
static bool
ea_sync_manifest_entry(ea_idlist_manifest *m, const char *key, json_object *val,
					   ea_idlist_entry *e, ea_error *err)
{
	json_object *url;
	json_object *size;
	json_object *ctime;
	json_object *fid;
	const char *u;
	size_t		klen = strlen(key);

#define EA_BAD_ENTRY(...) \
	(ea_fail_hint(err, EA_ERR_SPEC, "invalid get_id_lists response", \
				  "The manifest is ignored; the lists in force stay as they are.", \
				  __VA_ARGS__), false)

	if (klen < 1 || klen > EA_SYNC_LIST_NAME_MAX)
		return EA_BAD_ENTRY("A list name is empty or longer than %d bytes.",
							EA_SYNC_LIST_NAME_MAX);
	if (!json_object_is_type(val, json_type_object))
		return EA_BAD_ENTRY("The entry of list \"%.64s\" is not an object.", key);
	url = json_object_object_get(val, "url");
	size = json_object_object_get(val, "size");
	ctime = json_object_object_get(val, "creationTime");
	fid = json_object_object_get(val, "fileID");
	if (url == NULL || !json_object_is_type(url, json_type_string))
		return EA_BAD_ENTRY("The entry of list \"%.64s\" has no \"url\" string.", key);
	u = json_object_get_string(url);
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return EA_BAD_ENTRY("The \"url\" of list \"%.64s\" is not an http(s) URL.", key);
	if (strpbrk(u, " \t\r\n") != NULL || strlen(u) > 2048)
		return EA_BAD_ENTRY("The \"url\" of list \"%.64s\" contains white space or is too long.", key);
	if (!ea_sync_is_integer(size) || json_object_get_int64(size) < 0)
		return EA_BAD_ENTRY("The \"size\" of list \"%.64s\" is not a non-negative integer.", key);
	if (ctime != NULL && !json_object_is_type(ctime, json_type_null) &&
		(!ea_sync_is_integer(ctime) || json_object_get_int64(ctime) < 0))
		return EA_BAD_ENTRY("The \"creationTime\" of list \"%.64s\" is not a non-negative integer.", key);
	if (fid != NULL && !json_object_is_type(fid, json_type_null) &&
		!json_object_is_type(fid, json_type_string))
		return EA_BAD_ENTRY("The \"fileID\" of list \"%.64s\" is not a string.", key);
#undef EA_BAD_ENTRY

	e->name = ea_arena_strdup(&m->arena, key);
	e->url = ea_arena_strdup(&m->arena, u);
	e->file_id = (fid && json_object_is_type(fid, json_type_string))
		? ea_arena_strdup(&m->arena, json_object_get_string(fid)) : NULL;
	e->size = json_object_get_int64(size);
	e->creation_time = (ctime && ea_sync_is_integer(ctime)) ? json_object_get_int64(ctime) : 0;
	if (e->name == NULL || e->url == NULL ||
		(fid && json_object_is_type(fid, json_type_string) && e->file_id == NULL))
	{
		ea_fail_hint(err, EA_ERR_NOMEM, "out of memory", NULL, NULL);
		return false;
	}
	return true;
}

ea_status
ea_idlist_manifest_parse(const char *body, size_t len, ea_idlist_manifest **out,
						 ea_error *err)
{
	json_object *root;
	ea_idlist_manifest *m;
	size_t		n;

	*out = NULL;
	if ((root = ea_sync_tokenize(body, len, "get_id_lists", err)) == NULL)
		return err ? err->code : EA_ERR_JSON;
	if (!json_object_is_type(root, json_type_object))
	{
		json_object_put(root);
		return ea_fail_hint(err, EA_ERR_SPEC, "invalid get_id_lists response",
							"The manifest is ignored; the lists in force stay as they are.",
							"The response is not a JSON object.");
	}
	m = calloc(1, sizeof(*m));
	n = (size_t) json_object_object_length(root);
	if (m == NULL || (m->entries = calloc(n > 0 ? n : 1, sizeof(ea_idlist_entry))) == NULL)
	{
		free(m);
		json_object_put(root);
		return ea_fail_hint(err, EA_ERR_NOMEM, "out of memory", NULL, NULL);
	}
	{
		json_object_object_foreach(root, key, val)
		{
			if (!ea_sync_manifest_entry(m, key, val, &m->entries[m->count], err))
			{
				json_object_put(root);
				ea_idlist_manifest_free(m);
				return err ? err->code : EA_ERR_SPEC;
			}
			m->count++;
		}
	}
	json_object_put(root);
	qsort(m->entries, m->count, sizeof(ea_idlist_entry), ea_sync_entry_cmp);
	*out = m;
	return EA_OK;
}

size_t
ea_idlist_manifest_count(const ea_idlist_manifest *m)
{
	return m ? m->count : 0;
}

const ea_idlist_entry *
ea_idlist_manifest_entry(const ea_idlist_manifest *m, size_t i)
{
	return (m && i < m->count) ? &m->entries[i] : NULL;
}

const ea_idlist_entry *
ea_idlist_manifest_find(const ea_idlist_manifest *m, const char *name)
{
	ea_idlist_entry key;

	if (m == NULL || m->count == 0)
		return NULL;
	key.name = name;
	return bsearch(&key, m->entries, m->count, sizeof(ea_idlist_entry),
				   ea_sync_entry_cmp);
}

void
ea_idlist_manifest_free(ea_idlist_manifest *m)
{
	if (m == NULL)
		return;
	ea_arena_free(&m->arena);
	free(m->entries);
	free(m);
}

/* ---- incremental reads ---- */

static bool
ea_sync_same_file(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

void
ea_idlist_plan_for(const ea_idlist_entry *entry, const ea_idlist_state *state,
				   ea_idlist_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	if (state == NULL)
	{
		/* never applied by the sync: whatever the list holds is replaced */
		plan->reset = true;
		plan->fetch = entry->size > 0;
		return;
	}
	if (!ea_sync_same_file(entry->file_id, state->file_id))
	{
		if (entry->creation_time < state->creation_time)
			return;				/* a stale manifest: keep the newer file */
		plan->reset = true;
		plan->fetch = entry->size > 0;
		return;
	}
	if (entry->size < state->size)
	{
		/* the same file got shorter: what was applied cannot be trusted */
		plan->reset = true;
		plan->fetch = entry->size > 0;
		return;
	}
	if (entry->size > state->size)
	{
		plan->fetch = true;
		plan->range_start = state->size;
	}
}

/* Parse "bytes START-END/TOTAL" (the total may be a star); the start. */
static bool
ea_sync_content_range_start(const char *header, int64_t *start)
{
	const char *p = header;
	char	   *end;
	long long	v;

	while (*p == ' ')
		p++;
	if (strncasecmp(p, "bytes", 5) != 0)
		return false;
	p += 5;
	while (*p == ' ')
		p++;
	v = strtoll(p, &end, 10);
	if (end == p || *end != '-' || v < 0)
		return false;
	*start = (int64_t) v;
	return true;
}

ea_status
ea_idlist_chunk_check(long status, const char *content_range,
					  const char *body, size_t len, const ea_idlist_plan *plan,
					  int64_t manifest_size, ea_idlist_chunk *out, ea_error *err)
{
	int64_t		start;
	const char *last_nl;

	memset(out, 0, sizeof(*out));
	if (status == 206)
	{
		if (content_range == NULL || !ea_sync_content_range_start(content_range, &start))
			return ea_fail_hint(err, EA_ERR_SPEC, "invalid ID list response",
								"The list is read again at the next attempt.",
								"A 206 response has no usable Content-Range header.");
		if (start != plan->range_start)
			return ea_fail_hint(err, EA_ERR_SPEC, "invalid ID list response",
								"The list is read again at the next attempt.",
								"The response starts at byte %" PRId64 ", not at the requested byte %" PRId64 ".",
								start, plan->range_start);
		out->reset = plan->reset;
	}
	else if (status == 200)
	{
		/* the whole file: the server ignored the Range (or none was sent) */
		start = 0;
		out->reset = true;
	}
	else
		return ea_fail_hint(err, EA_ERR_SPEC, "unexpected ID list response",
							"The list is read again at the next attempt.",
							"The server answered HTTP %ld to a byte-range read.", status);

	if (len == 0)
	{
		out->new_size = start;
		return EA_OK;
	}
	if (body[0] != '+' && body[0] != '-')
		return ea_fail_hint(err, EA_ERR_SPEC, "invalid ID list file",
							"The list stays as it is and is read again at the next attempt.",
							"The bytes read from offset %" PRId64 " do not start with \"+\" or \"-\".",
							start);
	if (start + (int64_t) len >= manifest_size)
		out->apply_len = len;
	else
	{
		last_nl = body + len;
		while (last_nl > body && last_nl[-1] != '\n')
			last_nl--;
		out->apply_len = (size_t) (last_nl - body);
	}
	out->new_size = start + (int64_t) out->apply_len;
	return EA_OK;
}
