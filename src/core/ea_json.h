/*-------------------------------------------------------------------------
 *
 * ea_json.h
 *	  The strict JSON reader that builds user values into an arena, and the
 *	  serde_json-style text of arrays.
 *
 * Internal to the core.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_JSON_H
#define EA_JSON_H

#include "ea_value.h"

/* ---- JSON text <-> user values ---- */

extern const char *ea_dval_array_text(ea_arena *arena, const ea_dval *v);
extern bool ea_json_parse(ea_arena *arena, const char *text, size_t len,
						  ea_dval *out, const char **err, size_t *err_at);

/* Members or elements collected while a container is open. */
typedef struct ea_jlist
{
	ea_dval    *items;
	const char **keys;
	size_t		n;
	size_t		cap;
} ea_jlist;

/* Append one value (key NULL for array elements); false when out of memory. */
extern bool ea_jlist_push(ea_arena *arena, ea_jlist *l, const char *key,
						  const ea_dval *v);

#endif							/* EA_JSON_H */
