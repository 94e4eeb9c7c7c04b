/*-------------------------------------------------------------------------
 *
 * ea_hash.c
 *	  SHA-256 and the two hashes Statsig derives from it: the evaluation
 *	  hash (first 8 digest bytes, big-endian) and the 8-character id-list
 *	  hash (base64 of the digest, truncated).
 *
 * SHA-256 itself is GNU Nettle's, which picks the CPU's SHA instructions
 * when it has them (its "fat" build, as Debian ships it).  Nettle is
 * already loaded in every PostgreSQL 15 backend of Debian's packages.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_hash.h"

#include <nettle/sha2.h>

void
ea_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* Statsig's bucketing hash: the digest's first 8 bytes, big-endian. */
uint64_t
ea_eval_hash(const char *s, size_t len)
{
	uint8_t		d[32];
	uint64_t	h = 0;
	int			i;

	ea_sha256(s, len, d);
	for (i = 0; i < 8; i++)
		h = (h << 8) | d[i];
	return h;
}

/* First 8 characters of the base64 encoding of SHA-256(unit_id). */
void
ea_idlist_hash(const char *unit_id, size_t len, char out[9])
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t		d[32];
	int			i;

	ea_sha256(unit_id, len, d);
	/* 8 base64 characters encode the first 6 bytes exactly */
	for (i = 0; i < 2; i++)
	{
		uint32_t	v = ((uint32_t) d[3 * i] << 16) |
			((uint32_t) d[3 * i + 1] << 8) | d[3 * i + 2];

		out[4 * i] = b64[(v >> 18) & 63];
		out[4 * i + 1] = b64[(v >> 12) & 63];
		out[4 * i + 2] = b64[(v >> 6) & 63];
		out[4 * i + 3] = b64[v & 63];
	}
	out[8] = '\0';
}
