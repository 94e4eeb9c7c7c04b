/*-------------------------------------------------------------------------
 *
 * ea_util.h
 *	  Core utilities: arenas, a string map, a byte buffer, error reports.
 *
 * Internal to the core (not for the PostgreSQL layer).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_UTIL_H
#define EA_UTIL_H

#include "ea_core.h"

/* ---- arena: everything a spec document or a user owns ---- */

typedef struct ea_arena_block ea_arena_block;

typedef struct ea_arena
{
	ea_arena_block *head;
	bool		failed;			/* an allocation failed */
} ea_arena;

extern void *ea_arena_alloc(ea_arena *arena, size_t size);
extern void *ea_arena_alloc_raw(ea_arena *arena, size_t size);
extern char *ea_arena_strndup(ea_arena *arena, const char *s, size_t len);
extern char *ea_arena_strdup(ea_arena *arena, const char *s);
extern void ea_arena_reset(ea_arena *arena);
extern void ea_arena_free(ea_arena *arena);

/* ---- string -> pointer hash map (keys are not copied) ---- */

typedef struct ea_map_entry
{
	const char *key;
	void	   *value;
} ea_map_entry;

typedef struct ea_map
{
	ea_map_entry *slots;
	size_t		cap;			/* power of two, or 0 */
	size_t		count;
} ea_map;

extern bool ea_map_put(ea_map *map, const char *key, void *value);
extern void *ea_map_get(const ea_map *map, const char *key);
extern void *ea_map_get_n(const ea_map *map, const char *key, size_t len);
extern void ea_map_free(ea_map *map);

/* ---- growable byte buffer ---- */

typedef struct ea_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		failed;
} ea_buf;

extern void ea_buf_append(ea_buf *buf, const char *s, size_t len);
extern void ea_buf_puts(ea_buf *buf, const char *s);

/* ---- errors ---- */

extern ea_status ea_fail(ea_error *err, ea_status code, const char *message,
						 const char *detail_fmt,...)
			__attribute__((format(printf, 4, 5)));
extern ea_status ea_fail_hint(ea_error *err, ea_status code, const char *message,
							  const char *hint, const char *detail_fmt,...)
			__attribute__((format(printf, 5, 6)));
extern void ea_set_hint(ea_error *err, const char *hint);

#endif							/* EA_UTIL_H */
