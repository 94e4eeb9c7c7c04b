/*
 * test_harden.c
 *	  Hostile documents and users against the core: deep chains of nested
 *	  gates, loops through config mappings, deep and out-of-range users,
 *	  whichever path builds them.  Each case states the designed outcome;
 *	  none may crash (this file also runs under ASan in make fuzz builds).
 */
#include "ea_core.h"
#include "ea_test_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int	passed,
			failed;

static void
check(bool ok, const char *what, ...)
{
	va_list		ap;

	if (ok)
	{
		passed++;
		return;
	}
	failed++;
	va_start(ap, what);
	fprintf(stderr, "FAILED: ");
	vfprintf(stderr, what, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}



/*
 * n gates g0..g{n-1}.  mode 0: g_i's only rule passes through g_{i+1}
 * (every evaluation of g0 nests n-1 deep); mode 1: g_i's first rule is
 * public and its second passes through g_{i+1} (evaluation stops at the
 * first rule; only the "what can it read" walk goes n deep); mode 2: the
 * last gate passes through g0 (a loop).
 */
static char *
chain_doc(int n, int mode)
{
	ea_test_buf		b = {0};
	int			i;

	ea_test_printf(&b, "{\"time\":1,\"dynamic_configs\":[],\"layer_configs\":[],\"feature_gates\":[");
	for (i = 0; i < n; i++)
	{
		const char *pass = "{\"type\":\"public\",\"idType\":\"userID\"}";
		char		cond[96];

		if (i < n - 1 || mode == 2)
		{
			snprintf(cond, sizeof(cond),
					 "{\"type\":\"pass_gate\",\"targetValue\":\"g%d\",\"idType\":\"userID\"}",
					 (i + 1) % n);
			pass = cond;
		}
		ea_test_printf(&b, "%s{\"name\":\"g%d\",\"type\":\"feature_gate\",\"entity\":\"feature_gate\","
				  "\"salt\":\"s\",\"enabled\":true,\"defaultValue\":false,\"idType\":\"userID\",\"rules\":[",
				  i ? "," : "", i);
		if (mode == 1)
			ea_test_printf(&b, "{\"name\":\"p\",\"id\":\"p%d\",\"salt\":\"p\",\"passPercentage\":100,"
					  "\"returnValue\":true,\"idType\":\"userID\",\"conditions\":"
					  "[{\"type\":\"public\",\"idType\":\"userID\"}]},", i);
		ea_test_printf(&b, "{\"name\":\"r\",\"id\":\"r%d\",\"salt\":\"r\",\"passPercentage\":100,"
				  "\"returnValue\":true,\"idType\":\"userID\",\"conditions\":[%s]}]}", i, pass);
	}
	ea_test_printf(&b, "]}");
	return b.data;
}

static ea_status
load(const char *doc, ea_specs **specs, ea_error *err)
{
	memset(err, 0, sizeof(*err));
	return ea_specs_parse(doc, strlen(doc), specs, err);
}

static ea_status
eval_gate(const ea_specs *specs, const char *user_json, const char *gate,
		  bool *value, ea_error *err)
{
	ea_user    *user;
	ea_result  *r;
	ea_status	st;

	memset(err, 0, sizeof(*err));
	st = ea_user_parse(user_json, strlen(user_json), &user, err);
	if (st != EA_OK)
		return st;
	st = ea_evaluate(specs, user, EA_KIND_GATE, gate, NULL, &r, err);
	if (st == EA_OK)
	{
		*value = ea_result_bool(r);
		ea_result_free(r);
	}
	ea_user_free(user);
	return st;
}

static void
test_chains(void)
{
	ea_specs   *specs;
	ea_error	err;
	ea_status	st;
	bool		value = false;
	char	   *doc;
	const ea_user_needs *needs;

	/* the reproduction: 60,000 gates, each through the next */
	doc = chain_doc(60000, 0);
	st = load(doc, &specs, &err);
	check(st == EA_ERR_LIMIT && strstr(err.detail, "\"g59698\""),
		  "60,000-gate chain refused at load naming the first spec too deep (got %d: %s)",
		  st, err.detail);
	free(doc);

	/* 301 gates: g0 goes through 300 nested gates: the limit, accepted */
	doc = chain_doc(301, 0);
	st = load(doc, &specs, &err);
	check(st == EA_OK, "300 nested evaluations load");
	if (st == EA_OK)
	{
		st = eval_gate(specs, "{\"userID\":\"a\"}", "g0", &value, &err);
		check(st == EA_OK && value, "300 nested evaluations evaluate (got %d)", st);
		ea_specs_free(specs);
	}
	free(doc);

	/* 302 gates: g0 would nest 301 deep: refused, naming g0 */
	doc = chain_doc(302, 0);
	st = load(doc, &specs, &err);
	check(st == EA_ERR_LIMIT && strstr(err.detail, "\"g0\""),
		  "301 nested evaluations refused naming g0");
	free(doc);

	/* a loop through the first rules: refused */
	doc = chain_doc(5, 2);
	st = load(doc, &specs, &err);
	check(st == EA_ERR_LIMIT && strstr(err.detail, "again inside itself"),
		  "a pass_gate loop is refused at load");
	free(doc);

	/* a chain reachable only through later rules: loads and evaluates */
	doc = chain_doc(60000, 1);
	st = load(doc, &specs, &err);
	check(st == EA_OK, "60,000-gate chain behind a public rule loads");
	if (st == EA_OK)
	{
		needs = ea_specs_user_needs(specs, EA_KIND_GATE, "g0");
		check(needs != NULL, "needs of a 60,000-deep reachable chain are computed");
		st = eval_gate(specs, "{\"userID\":\"a\"}", "g0", &value, &err);
		check(st == EA_OK && value, "g0 evaluates by its first rule");
		ea_specs_free(specs);
	}
	free(doc);
}

/* Config mappings that map a name to a name mapped back: bounded, 54000. */
static void
test_mapping_loop(void)
{
	const char *doc =
		"{\"time\":1,\"layer_configs\":[],\"feature_gates\":[],\"dynamic_configs\":["
		"{\"name\":\"a\",\"type\":\"dynamic_config\",\"entity\":\"dynamic_config\",\"salt\":\"s\","
		"\"enabled\":true,\"defaultValue\":{},\"idType\":\"userID\",\"rules\":[]},"
		"{\"name\":\"b\",\"type\":\"dynamic_config\",\"entity\":\"dynamic_config\",\"salt\":\"s\","
		"\"enabled\":true,\"defaultValue\":{},\"idType\":\"userID\",\"rules\":[]}],"
		"\"override_rules\":{\"o\":{\"name\":\"o\",\"id\":\"o\",\"salt\":\"o\",\"passPercentage\":100,"
		"\"returnValue\":true,\"idType\":\"userID\",\"conditions\":[{\"type\":\"public\",\"idType\":\"userID\"}]}},"
		"\"overrides\":{\"a\":[{\"new_config_name\":\"b\",\"rules\":[{\"rule_name\":\"o\",\"start_time\":0}]}],"
		"\"b\":[{\"new_config_name\":\"a\",\"rules\":[{\"rule_name\":\"o\",\"start_time\":0}]}]}}";
	ea_specs   *specs;
	ea_user    *user;
	ea_result  *r = NULL;
	ea_error	err;
	ea_status	st;

	st = load(doc, &specs, &err);
	check(st == EA_OK, "mapping loop document loads (%s)", err.detail);
	if (st != EA_OK)
		return;
	st = ea_user_parse("{\"userID\":\"u\"}", 14, &user, &err);
	check(st == EA_OK, "user parses");
	memset(&err, 0, sizeof(err));
	st = ea_evaluate(specs, user, EA_KIND_CONFIG, "a", NULL, &r, &err);
	check(st == EA_ERR_LIMIT, "a config mapping loop ends in the nesting error (got %d)", st);
	if (r)
		ea_result_free(r);
	ea_user_free(user);
	ea_specs_free(specs);
}

/* Users nested far deeper than the 64 levels accepted: a clean error. */
static void
test_deep_users(void)
{
	ea_test_buf		b = {0};
	ea_user    *user = NULL;
	ea_error	err;
	ea_status	st;
	int			i;

	ea_test_printf(&b, "{\"userID\":\"a\",\"custom\":{\"x\":");
	for (i = 0; i < 100000; i++)
		ea_test_printf(&b, "[");
	for (i = 0; i < 100000; i++)
		ea_test_printf(&b, "]");
	ea_test_printf(&b, "}}");
	memset(&err, 0, sizeof(err));
	st = ea_user_parse(b.data, b.len, &user, &err);
	check(st == EA_ERR_USER || st == EA_ERR_LIMIT || st == EA_ERR_JSON,
		  "100,000 nested arrays in custom: an error, no crash (got %d)", st);
	if (st == EA_OK)
		ea_user_free(user);
	free(b.data);
}

/* Deep spec documents: json-c's depth limit turns them into an error. */
static void
test_deep_documents(void)
{
	ea_test_buf		b = {0};
	ea_specs   *specs;
	ea_error	err;
	ea_status	st;
	int			i;

	ea_test_printf(&b, "{\"time\":1,\"feature_gates\":[],\"dynamic_configs\":[{\"name\":\"c\","
			  "\"type\":\"dynamic_config\",\"entity\":\"dynamic_config\",\"salt\":\"s\",\"enabled\":true,"
			  "\"idType\":\"userID\",\"rules\":[],\"defaultValue\":");
	for (i = 0; i < 200000; i++)
		ea_test_printf(&b, "{\"a\":");
	ea_test_printf(&b, "1");
	for (i = 0; i < 200000; i++)
		ea_test_printf(&b, "}");
	ea_test_printf(&b, "}],\"layer_configs\":[]}");
	st = load(b.data, &specs, &err);
	check(st != EA_OK, "a 200,000-deep defaultValue is an error, no crash (got %d)", st);
	if (st == EA_OK)
		ea_specs_free(specs);
	free(b.data);
}

int
main(void)
{
	clock_t		t0 = clock();

	test_chains();
	test_mapping_loop();
	test_deep_users();
	test_deep_documents();
	printf("harden (%.1f s): %d passed, %d failed\n",
		   (double) (clock() - t0) / CLOCKS_PER_SEC, passed, failed);
	return failed ? 1 : 0;
}
