/*-------------------------------------------------------------------------
 *
 * ea_hash.h
 *	  SHA-256 (GNU Nettle's) and the evaluation hash.
 *
 * Internal to the core.  ea_idlist_hash() is public (ea_core.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_HASH_H
#define EA_HASH_H

#include "ea_core.h"

/* ---- hashing ---- */

extern void ea_sha256(const void *data, size_t len, uint8_t out[32]);
extern uint64_t ea_eval_hash(const char *s, size_t len);

#endif							/* EA_HASH_H */
