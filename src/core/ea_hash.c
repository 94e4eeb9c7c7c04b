/*-------------------------------------------------------------------------
 *
 * ea_hash.c
 *	  SHA-256 and the two hashes Statsig derives from it: the evaluation
 *	  hash (first 8 digest bytes, big-endian) and the 8-character id-list
 *	  hash (base64 of the digest, truncated).
 *
 *-------------------------------------------------------------------------
 */
#include "ea_hash.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define EA_HAVE_SHA_NI 1
#endif

static const uint32_t ea_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
ea_sha256_block(uint32_t st[8], const uint8_t *p)
{
	uint32_t	w[64];
	uint32_t	a, b, c, d, e, f, g, h;
	int			i;

	for (i = 0; i < 16; i++)
		w[i] = ((uint32_t) p[4 * i] << 24) | ((uint32_t) p[4 * i + 1] << 16) |
			((uint32_t) p[4 * i + 2] << 8) | (uint32_t) p[4 * i + 3];
	for (i = 16; i < 64; i++)
	{
		uint32_t	s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t	s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = st[0]; b = st[1]; c = st[2]; d = st[3];
	e = st[4]; f = st[5]; g = st[6]; h = st[7];
	for (i = 0; i < 64; i++)
	{
		uint32_t	t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) +
			((e & f) ^ (~e & g)) + ea_sha256_k[i] + w[i];
		uint32_t	t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) +
			((a & b) ^ (a & c) ^ (b & c));

		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
	st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

#ifdef EA_HAVE_SHA_NI

/*
 * The same compression with the x86 SHA extensions.  The state lives in
 * two registers as (A,B,E,F) and (C,D,G,H), the layout sha256rnds2 wants;
 * each step of the loop does four rounds and extends the message
 * schedule by four words.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void
ea_sha256_blocks_ni(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i		abef,
				cdgh,
				t;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) &st[0]), 0xB1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) &st[4]), 0x1B);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);
	for (; nblocks > 0; nblocks--, p += 64)
	{
		__m128i		w[16];
		__m128i		abef0 = abef,
					cdgh0 = cdgh;
		int			i;

		for (i = 0; i < 16; i++)
		{
			__m128i		k;

			if (i < 4)
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * i)), bswap);
			else
				w[i] = _mm_sha256msg2_epu32(
											_mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
														  _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
											w[i - 1]);
			k = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *) &ea_sha256_k[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *) &st[0], _mm_blend_epi16(t, cdgh, 0xF0));
	_mm_storeu_si128((__m128i *) &st[4], _mm_alignr_epi8(cdgh, t, 8));
}

static int
ea_cpu_has_sha_ni(void)
{
	static int	cached = -1;
	unsigned int a,
				b,
				c,
				d;

	if (cached >= 0)
		return cached;
	cached = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3) &&
		__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
		cached = 1;
	return cached;
}
#endif

/* Compress nblocks 64-byte blocks; use_ni < 0 picks the fastest path. */
static void
ea_sha256_blocks(uint32_t st[8], const uint8_t *p, size_t nblocks, int use_ni)
{
#ifdef EA_HAVE_SHA_NI
	if (use_ni != 0 && ea_cpu_has_sha_ni())
	{
		ea_sha256_blocks_ni(st, p, nblocks);
		return;
	}
#else
	(void) use_ni;
#endif
	for (; nblocks > 0; nblocks--, p += 64)
		ea_sha256_block(st, p);
}

static void
ea_sha256_impl(const void *data, size_t len, uint8_t out[32], int use_ni)
{
	uint32_t	st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const uint8_t *p = data;
	uint8_t		tail[128];
	size_t		rest = len % 64;
	size_t		tlen = rest < 56 ? 64 : 128;
	uint64_t	bits = (uint64_t) len * 8;
	size_t		i;

	ea_sha256_blocks(st, p, len / 64, use_ni);
	i = len - rest;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + i, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[tlen - 1 - i] = (uint8_t) (bits >> (8 * i));
	ea_sha256_blocks(st, tail, tlen / 64, use_ni);
	for (i = 0; i < 8; i++)
	{
		out[4 * i] = (uint8_t) (st[i] >> 24);
		out[4 * i + 1] = (uint8_t) (st[i] >> 16);
		out[4 * i + 2] = (uint8_t) (st[i] >> 8);
		out[4 * i + 3] = (uint8_t) st[i];
	}
}

void
ea_sha256(const void *data, size_t len, uint8_t out[32])
{
	ea_sha256_impl(data, len, out, -1);
}

/* The portable path only: lets tests check the accelerated one. */
void
ea_sha256_portable(const void *data, size_t len, uint8_t out[32])
{
	ea_sha256_impl(data, len, out, 0);
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
