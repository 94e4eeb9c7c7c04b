/*-------------------------------------------------------------------------
 *
 * ea_uacache.h
 *	  The evaluator's side of the parsed user-agent cache.
 *
 * Internal to the core.  Creating and freeing a cache is public
 * (ea_core.h); parsing is ea_ua.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_UACACHE_H
#define EA_UACACHE_H

#include "ea_core.h"

extern bool ea_ua_cache_fields(ea_ua_cache *cache, const char *ua, size_t len,
							   const char *fields[4], const char *lower[4]);

#endif							/* EA_UACACHE_H */
