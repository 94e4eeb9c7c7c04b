/*-------------------------------------------------------------------------
 *
 * core_bench.c
 *	  The pure C evaluation core alone, over the benchmark's users file
 *	  (figures 2 and 6 of bench/README.md).
 *
 * Built by bench/run.sh from every .c file of src/core (no PostgreSQL):
 *
 *	cc -std=c99 -D_GNU_SOURCE -O2 -Isrc/core bench/core_bench.c $CORE_SRCS \
 *		-Wl,--wrap=ea_eval_hash -Wl,--wrap=ea_idlist_hash \
 *		$(pkg-config --cflags --libs json-c libpcre2-8 zlib nettle) -lm
 *
 *	core_bench --dcs V1.json --users USERS.jsonl --n N --check N
 *			   --gate G --experiment E --layer L [--ip-table FILE]
 *			   [--sha-reps N]
 *
 * For each kind it prints one JSON line:
 *	 {"impl":"core", ...}		  per evaluation: ea_user_parse() of the
 *								  user's JSON text, ea_evaluate(), and (except
 *								  for gates) ea_result_json(): what the SQL
 *								  functions do around the jsonb conversions
 *	 {"impl":"core-eval-only",...} ea_evaluate() alone on pre-parsed users
 * with "check" (answers of the first --check users, as the other drivers),
 * "hashes_per_eval" (SHA-256 computations per evaluation, counted by
 * wrapping the two core functions that hash: ea_eval_hash for bucketing and
 * ea_idlist_hash for ID lists; ea_sha256 has no other caller) and
 * "sha_ns_per_hash": ns per ea_eval_hash() over the exact strings those
 * evaluations hashed (the first 8192 of them, --sha-reps times each).
 *
 *-------------------------------------------------------------------------
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ea_core.h"
#include "../test/unit/ea_test_util.h"
#include "ea_ip.h"

/* ---- hash counting (link-time wrappers) ---- */

#define SAMPLE_CAP	8192

extern uint64_t __real_ea_eval_hash(const char *s, size_t len);
extern void __real_ea_idlist_hash(const char *unit_id, size_t len, char out[9]);
uint64_t	__wrap_ea_eval_hash(const char *s, size_t len);
void		__wrap_ea_idlist_hash(const char *unit_id, size_t len, char out[9]);

static int	counting = 0;
static unsigned long hash_calls = 0;
static unsigned long hash_bytes = 0;
static char *samples[SAMPLE_CAP];
static size_t sample_len[SAMPLE_CAP];
static size_t nsamples = 0;

static void
note_hash(const char *s, size_t len)
{
	if (!counting)
		return;
	hash_calls++;
	hash_bytes += len;
	if (nsamples < SAMPLE_CAP)
	{
		samples[nsamples] = malloc(len + 1);
		memcpy(samples[nsamples], s, len);
		samples[nsamples][len] = '\0';
		sample_len[nsamples++] = len;
	}
}

uint64_t
__wrap_ea_eval_hash(const char *s, size_t len)
{
	note_hash(s, len);
	return __real_ea_eval_hash(s, len);
}

void
__wrap_ea_idlist_hash(const char *unit_id, size_t len, char out[9])
{
	note_hash(unit_id, len);
	__real_ea_idlist_hash(unit_id, len, out);
}

/* ---- helpers ---- */

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static void
die(const char *what, const ea_error *err)
{
	fprintf(stderr, "core_bench: %s%s%s\n", what, err ? ": " : "",
			err ? err->message : "");
	exit(2);
}

/* A small answer -> count table for the "check" tallies. */
typedef struct tally
{
	char	   *key[64];
	long		count[64];
	int			n;
} tally;

static void
tally_add(tally *t, const char *key)
{
	int			i;

	if (key == NULL)
		key = "(none)";
	for (i = 0; i < t->n; i++)
		if (strcmp(t->key[i], key) == 0)
		{
			t->count[i]++;
			return;
		}
	if (t->n < 64)
	{
		t->key[t->n] = strdup(key);
		t->count[t->n++] = 1;
	}
}

static void
tally_print(const tally *t)
{
	int			i;

	printf("{");
	for (i = 0; i < t->n; i++)
		printf("%s\"%s\":%ld", i ? "," : "", t->key[i], t->count[i]);
	printf("}");
}

/* The answer tallied for a result: gate value, group or allocated experiment. */
static const char *
answer_of(ea_kind kind, const ea_result *r, char **owned)
{
	char	   *json;
	size_t		len;
	ea_error	err;
	char	   *p;
	char	   *q;

	*owned = NULL;
	if (kind == EA_KIND_GATE)
		return ea_result_bool(r) ? "true" : "false";
	if (kind == EA_KIND_EXPERIMENT)
		return ea_result_group_name(r);
	/* layer: allocated_experiment_name, read from the result JSON */
	if (ea_result_json(r, &json, &len, &err) != EA_OK)
		die("ea_result_json", &err);
	p = strstr(json, "\"allocated_experiment_name\"");
	if (p == NULL || (p = strchr(p + 27, ':')) == NULL)
	{
		free(json);
		return NULL;
	}
	p++;
	while (*p == ' ')
		p++;
	if (*p != '"')
	{
		free(json);
		return NULL;
	}
	q = strchr(p + 1, '"');
	*owned = strndup(p + 1, (size_t) (q - p - 1));
	free(json);
	return *owned;
}

/* ---- the benchmark ---- */

typedef struct bench
{
	ea_specs   *specs;
	ea_eval_opts opts;
	char	  **lines;
	size_t	   *lens;
	size_t		n;
	size_t		ncheck;
} bench;

/* One evaluation the way the SQL functions do it; returns the result. */
static ea_result *
eval_text(const bench *b, size_t i, ea_kind kind, const char *name)
{
	ea_user    *user;
	ea_result  *r;
	ea_error	err;
	char	   *json;
	size_t		len;

	ea_eval_opts opts = b->opts;

	/* as check_gate: a gate's value alone, no secondary exposures */
	opts.value_only = kind == EA_KIND_GATE;
	if (ea_user_parse(b->lines[i], b->lens[i], &user, &err) != EA_OK)
		die("ea_user_parse", &err);
	if (ea_evaluate(b->specs, user, kind, name, &opts, &r, &err) != EA_OK)
		die("ea_evaluate", &err);
	if (kind != EA_KIND_GATE)
	{
		if (ea_result_json(r, &json, &len, &err) != EA_OK)
			die("ea_result_json", &err);
		free(json);
	}
	ea_user_free(user);
	return r;
}

static const char *
kind_name(ea_kind kind)
{
	return kind == EA_KIND_GATE ? "gate" :
		kind == EA_KIND_EXPERIMENT ? "experiment" : "layer";
}

/* ns per ea_eval_hash() over the strings the evaluations hashed. */
static double
sha_ns(long reps, double *avg_bytes)
{
	volatile uint64_t sink = 0;
	double		t0,
				ns;
	long		r;
	size_t		i,
				bytes = 0;

	*avg_bytes = 0;
	if (nsamples == 0)
		return 0;
	for (i = 0; i < nsamples; i++)
		bytes += sample_len[i];
	t0 = now_ns();
	for (r = 0; r < reps; r++)
		for (i = 0; i < nsamples; i++)
			sink ^= __real_ea_eval_hash(samples[i], sample_len[i]);
	ns = (now_ns() - t0) / ((double) reps * (double) nsamples);
	*avg_bytes = (double) bytes / (double) nsamples;
	for (i = 0; i < nsamples; i++)
		free(samples[i]);
	nsamples = 0;
	return ns;
}

static void
run_kind(const bench *b, ea_kind kind, const char *name, long sha_reps)
{
	tally		check = {{0}, {0}, 0};
	volatile int sink = 0;
	ea_user   **users;
	double		t0,
				ns_text,
				ns_eval,
				hashes,
				hash_ns,
				hash_bytes_avg;
	size_t		i;
	ea_error	err;

	/* untimed: answers of the first ncheck users, and the hash count */
	counting = 1;
	hash_calls = 0;
	for (i = 0; i < b->ncheck && i < b->n; i++)
	{
		ea_result  *r = eval_text(b, i, kind, name);
		char	   *owned;

		tally_add(&check, answer_of(kind, r, &owned));
		free(owned);
		ea_result_free(r);
	}
	counting = 0;
	hashes = i ? (double) hash_calls / (double) i : 0;
	hash_ns = sha_ns(sha_reps, &hash_bytes_avg);

	/* timed: user JSON text -> result, as the SQL path */
	t0 = now_ns();
	for (i = 0; i < b->n; i++)
	{
		ea_result  *r = eval_text(b, i, kind, name);

		sink += ea_result_bool(r);
		ea_result_free(r);
	}
	ns_text = (now_ns() - t0) / (double) b->n;

	/* timed: ea_evaluate() alone on users parsed beforehand */
	users = malloc(sizeof(ea_user *) * b->n);
	for (i = 0; i < b->n; i++)
		if (ea_user_parse(b->lines[i], b->lens[i], &users[i], &err) != EA_OK)
			die("ea_user_parse", &err);
	t0 = now_ns();
	for (i = 0; i < b->n; i++)
	{
		ea_result  *r;
		ea_eval_opts opts = b->opts;

		opts.value_only = kind == EA_KIND_GATE;
		if (ea_evaluate(b->specs, users[i], kind, name, &opts, &r, &err) != EA_OK)
			die("ea_evaluate", &err);
		sink += ea_result_bool(r);
		ea_result_free(r);
	}
	ns_eval = (now_ns() - t0) / (double) b->n;
	for (i = 0; i < b->n; i++)
		ea_user_free(users[i]);
	free(users);

	printf("{\"impl\":\"core\",\"kind\":\"%s\",\"name\":\"%s\",\"n\":%zu,"
		   "\"ns_per_eval\":%.1f,\"hashes_per_eval\":%.3f,"
		   "\"sha_ns_per_hash\":%.1f,\"sha_avg_input_bytes\":%.1f,\"check\":",
		   kind_name(kind), name, b->n, ns_text, hashes, hash_ns, hash_bytes_avg);
	tally_print(&check);
	printf("}\n");
	printf("{\"impl\":\"core-eval-only\",\"kind\":\"%s\",\"name\":\"%s\","
		   "\"n\":%zu,\"ns_per_eval\":%.1f,\"hashes_per_eval\":%.3f}\n",
		   kind_name(kind), name, b->n, ns_eval, hashes);
	fflush(stdout);
}

static const char *
arg(int argc, char **argv, const char *key, const char *dflt)
{
	int			i;

	for (i = 1; i + 1 < argc; i += 2)
		if (strcmp(argv[i] + 2, key) == 0 && strncmp(argv[i], "--", 2) == 0)
			return argv[i + 1];
	if (dflt == NULL)
	{
		fprintf(stderr, "core_bench: missing --%s\n", key);
		exit(2);
	}
	return dflt;
}

int
main(int argc, char **argv)
{
	bench		b;
	ea_error	err;
	size_t		len,
				cap = 1024;
	char	   *text,
			   *p;
	const char *ip_path = arg(argc, argv, "ip-table", "");
	size_t		limit = strtoul(arg(argc, argv, "n", NULL), NULL, 10);
	long		sha_reps;

	memset(&b, 0, sizeof(b));
	b.ncheck = strtoul(arg(argc, argv, "check", "10000"), NULL, 10);
	if ((text = ea_test_read_file(arg(argc, argv, "dcs", NULL), &len)) == NULL)
		die("cannot read --dcs", NULL);
	if (ea_specs_parse(text, len, &b.specs, &err) != EA_OK)
		die("ea_specs_parse", &err);
	free(text);
	if (ip_path[0] != '\0')
	{
		char		errbuf[256];
		ea_ip_table *t;

		if ((text = ea_test_read_file(ip_path, &len)) == NULL ||
			ea_ip_table_load(text, len, &t, errbuf, sizeof(errbuf)) != 0)
			die("cannot load --ip-table", NULL);
		free(text);
		b.opts.ip_table = t;
	}
	/* the user-agent cache and scratch memory the PostgreSQL layer uses, for a fair comparison */
	b.opts.ua_cache = ea_ua_cache_new();
	b.opts.scratch = ea_scratch_new();

	/* the users: one JSON object a line, kept in memory */
	if ((text = ea_test_read_file(arg(argc, argv, "users", NULL), &len)) == NULL)
		die("cannot read --users", NULL);
	b.lines = malloc(sizeof(char *) * cap);
	b.lens = malloc(sizeof(size_t) * cap);
	for (p = text; *p != '\0' && b.n < limit;)
	{
		char	   *nl = strchr(p, '\n');

		if (nl == NULL)
			nl = p + strlen(p);
		if (b.n == cap)
		{
			cap *= 2;
			b.lines = realloc(b.lines, sizeof(char *) * cap);
			b.lens = realloc(b.lens, sizeof(size_t) * cap);
		}
		b.lines[b.n] = p;
		b.lens[b.n++] = (size_t) (nl - p);
		if (*nl == '\0')
			break;
		*nl = '\0';
		p = nl + 1;
	}
	if (b.n == 0)
		die("no users", NULL);

	sha_reps = strtol(arg(argc, argv, "sha-reps", "200"), NULL, 10);
	run_kind(&b, EA_KIND_GATE, arg(argc, argv, "gate", NULL), sha_reps);
	run_kind(&b, EA_KIND_EXPERIMENT, arg(argc, argv, "experiment", NULL), sha_reps);
	run_kind(&b, EA_KIND_LAYER, arg(argc, argv, "layer", NULL), sha_reps);

	ea_specs_free(b.specs);
	free(text);
	return 0;
}
