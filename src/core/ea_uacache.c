/*-------------------------------------------------------------------------
 *
 * ea_uacache.c
 *	  A small cache of parsed user agents.
 *
 * A population of users has few distinct user agents, and parsing one is
 * the costliest step of a ua_based condition.  The cache is direct-mapped
 * (a hash picks the slot; a newcomer replaces the old entry) and owned by
 * the caller through ea_eval_opts.ua_cache: one per backend in
 * PostgreSQL.  It is not thread-safe.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_uacache.h"
#include "ea_ua.h"
#include "ea_util.h"
#include "ea_value.h"

#include <stdlib.h>
#include <string.h>

#define EA_UA_SLOTS 256

typedef struct ea_ua_slot
{
	char	   *ua;				/* malloc'd copy of the key, or NULL */
	size_t		len;
	bool		valid;			/* the parse gave fields */
	char	   *fields[4];		/* point into one malloc'd block */
	char	   *block;
	const char *lower[4];		/* lower-cased fields: fields[i] or in lowers */
	ea_arena	lowers;
} ea_ua_slot;

struct ea_ua_cache
{
	ea_ua_slot	slots[EA_UA_SLOTS];
};

ea_ua_cache *
ea_ua_cache_new(void)
{
	return calloc(1, sizeof(ea_ua_cache));
}

static void
ea_ua_slot_clear(ea_ua_slot *s)
{
	free(s->ua);
	free(s->block);
	ea_arena_free(&s->lowers);
	memset(s, 0, sizeof(*s));
}

void
ea_ua_cache_free(ea_ua_cache *cache)
{
	size_t		i;

	if (cache == NULL)
		return;
	for (i = 0; i < EA_UA_SLOTS; i++)
		ea_ua_slot_clear(&cache->slots[i]);
	free(cache);
}

static size_t
ea_ua_hash(const char *s, size_t len)
{
	return (size_t) (ea_hash_bytes(s, len) % EA_UA_SLOTS);
}

/* Parse ua into slot s; false when out of memory (slot left empty). */
static bool
ea_ua_slot_fill(ea_ua_slot *s, const char *ua, size_t len)
{
	ea_ua_info *info = malloc(sizeof(ea_ua_info));
	const char *src[4];
	size_t		sizes[4],
				total = 0;
	int			i;

	if (info == NULL)
		return false;
	ea_ua_parse(ua, len, info);
	src[0] = info->os_name;
	src[1] = info->os_version;
	src[2] = info->browser_name;
	src[3] = info->browser_version;
	for (i = 0; i < 4; i++)
		total += (sizes[i] = strlen(src[i]) + 1);
	s->ua = malloc(len + 1);
	s->block = malloc(total);
	if (s->ua == NULL || s->block == NULL)
	{
		free(info);
		ea_ua_slot_clear(s);
		return false;
	}
	memcpy(s->ua, ua, len);
	s->ua[len] = '\0';
	s->len = len;
	s->valid = info->valid;
	for (i = 0, total = 0; i < 4; total += sizes[i], i++)
	{
		s->fields[i] = s->block + total;
		memcpy(s->fields[i], src[i], sizes[i]);
		/* conditions compare lower-cased: do it once per user agent */
		s->lower[i] = ea_lower_dup(&s->lowers, s->fields[i]);
	}
	free(info);
	if (s->lowers.failed)
	{
		ea_ua_slot_clear(s);
		return false;
	}
	return true;
}

/*
 * The four parsed fields of ua (os_name, os_version, browser_name,
 * browser_version) into fields[], lower-cased into lower[]; false when the user agent gives no
 * values (too long) or memory ran out.  The strings stay valid until the
 * next call with another user agent.
 */
bool
ea_ua_cache_fields(ea_ua_cache *cache, const char *ua, size_t len,
				   const char *fields[4], const char *lower[4])
{
	ea_ua_slot *s = &cache->slots[ea_ua_hash(ua, len)];
	int			i;

	if (s->ua == NULL || s->len != len || memcmp(s->ua, ua, len) != 0)
	{
		ea_ua_slot_clear(s);
		if (!ea_ua_slot_fill(s, ua, len))
			return false;
	}
	if (!s->valid)
		return false;
	for (i = 0; i < 4; i++)
	{
		fields[i] = s->fields[i];
		lower[i] = s->lower[i];
	}
	return true;
}
