/*
 * test_goldens.c
 *	  Replays the committed golden files (answers of Statsig's official
 *	  SDKs, see test/conformance/README.md) through the pure C core.
 *
 * usage: test_goldens CONFORMANCE_DIR [SDK]
 *	 SDK is "node-core" (default; Server Core, must agree 100%) or
 *	 "statsig-node" (legacy; agreement is reported, not enforced).
 * Sticky scenarios (goldens/sticky_*.json) replay persistent assignment
 * against an in-memory store and compare every call and the store.
 */
#include "ea_value.h"
#include "ea_test_util.h"
#include "ea_test_userjson.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	npass,
			nfail,
			nshown;
static const char *dir;

static json_object *
load_json(const char *rel)
{
	char		path[1024];
	size_t		len;
	char	   *text;
	json_object *obj;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	text = ea_test_read_file(path, &len);
	if (text == NULL)
		return NULL;
	obj = json_tokener_parse(text);
	free(text);
	return obj;
}

static ea_specs *
load_specs(const char *rel)
{
	char		path[1024];
	size_t		len;
	char	   *text;
	ea_specs   *specs = NULL;
	ea_error	err;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	text = ea_test_read_file(path, &len);
	if (text == NULL || ea_specs_parse(text, len, &specs, &err) != EA_OK)
		printf("ERROR loading %s: %s %s\n", rel, text ? err.message : "unreadable",
			   text ? err.detail : "");
	free(text);
	return specs;
}

/* ID lists: {list: [raw ids]}, hashed as Statsig does. */
typedef struct idlists
{
	ea_map		map;			/* "list\x1fhash" -> non-NULL */
	ea_arena	arena;
} idlists;

static bool
idlist_contains(void *arg, const char *list, const char *hash)
{
	idlists    *l = arg;
	char		key[512];

	snprintf(key, sizeof(key), "%s\x1f%s", list, hash);
	return ea_map_get(&l->map, key) != NULL;
}

static void
load_idlists(idlists *l, json_object *spec)
{
	json_object_object_foreach(spec, list, ids)
	{
		size_t		i;

		for (i = 0; i < json_object_array_length(ids); i++)
		{
			const char *id = json_object_get_string(json_object_array_get_idx(ids, i));
			char		hash[9];
			char		key[512];

			ea_idlist_hash(id, strlen(id), hash);
			snprintf(key, sizeof(key), "%s\x1f%s", list, hash);
			ea_map_put(&l->map, ea_arena_strdup(&l->arena, key), (void *) 1);
		}
	}
}

static const char *const compared[] = {
	"value", "rule_id", "group_name", "id_type", "is_experiment_group",
	"secondary_exposures", "allocated_experiment_name",
	"undelegated_secondary_exposures", "explicit_parameters",
	"is_experiment_active", NULL
};

/* Compare every field the golden has; returns the number that differ. */
static int
compare_fields(const char *who, json_object *expected, json_object *got)
{
	int			bad = 0;
	int			i;

	for (i = 0; compared[i]; i++)
	{
		json_object *e;

		if (!json_object_object_get_ex(expected, compared[i], &e))
			continue;
		if (json_object_equal(e, json_object_object_get(got, compared[i])))
			continue;
		bad++;
		if (nshown++ < 100000)
			printf("MISMATCH %s %s: expected %s got %s\n", who, compared[i],
				   json_object_to_json_string(e),
				   json_object_to_json_string(json_object_object_get(got, compared[i])));
	}
	return bad;
}

static ea_kind
kind_of(const char *k)
{
	if (strcmp(k, "gate") == 0)
		return EA_KIND_GATE;
	if (strcmp(k, "layer") == 0)
		return EA_KIND_LAYER;
	if (strcmp(k, "experiment") == 0)
		return EA_KIND_EXPERIMENT;
	return EA_KIND_CONFIG;
}

static json_object *
result_json(ea_result *r)
{
	char	   *js;
	ea_error	err;
	json_object *o = NULL;

	if (ea_result_json(r, &js, NULL, &err) == EA_OK)
	{
		o = json_tokener_parse(js);
		free(js);
	}
	return o;
}

/* The same evaluation with the user built from events: identical JSON?
 * (Twice: the whole user, and only what the spec's needs say.) */
static bool
builder_agrees(const ea_specs *specs, const ea_eval_opts *opts, json_object *user,
			   ea_kind kind, const char *name, const char *expected_json)
{
	bool		same = true;
	int			pass;

	for (pass = 0; pass < 2 && same; pass++)
	{
		ea_user_builder *b = ea_user_builder_new();
		ea_user    *u;
		ea_result  *r;
		ea_error	err;
		char	   *js = NULL;

		if (pass == 0 || !json_object_is_type(user, json_type_object))
			ea_test_feed(b, user);
		else
			ea_test_walk_object(b, user, NULL, ea_specs_user_needs(specs, kind, name));
		if (ea_user_builder_finish(b, &u, &err) != EA_OK)
			return false;
		if (ea_evaluate(specs, u, kind, name, opts, &r, &err) == EA_OK)
		{
			ea_result_json(r, &js, NULL, &err);
			ea_result_free(r);
		}
		same = js && strcmp(js, expected_json) == 0;
		if (!same)
			printf("builder pass %d: %s\n", pass, js ? js : "(error)");
		free(js);
		ea_user_free(u);
	}
	return same;
}

static void
run_case(const ea_specs *specs, const ea_eval_opts *opts, json_object *c,
		 const char *file, size_t ix)
{
	const char *utext = json_object_to_json_string(json_object_object_get(c, "user"));
	const char *name = json_object_get_string(json_object_object_get(c, "name"));
	ea_kind		kind = kind_of(json_object_get_string(json_object_object_get(c, "kind")));
	ea_user    *user;
	ea_result  *r;
	ea_error	err;
	json_object *got;
	char		who[1200];

	snprintf(who, sizeof(who), "%s#%zu %s %s", file, ix,
			 json_object_get_string(json_object_object_get(c, "kind")), name);
	if (ea_user_parse(utext, strlen(utext), &user, &err) != EA_OK ||
		ea_evaluate(specs, user, kind, name, opts, &r, &err) != EA_OK)
	{
		nfail++;
		if (nshown++ < 100000)
			printf("ERROR %s: %s %s\n", who, err.message, err.detail);
		return;
	}
	got = result_json(r);
	{
		char	   *text;

		ea_result_json(r, &text, NULL, &err);
		if (!builder_agrees(specs, opts, json_object_object_get(c, "user"), kind, name, text))
		{
			printf("MISMATCH %s: the user builder gives another result\n", who);
			compare_fields(who, json_object_object_get(c, "expected"), NULL);
			nfail++;
			free(text);
			json_object_put(got);
			ea_result_free(r);
			ea_user_free(user);
			return;
		}
		free(text);
	}
	if (compare_fields(who, json_object_object_get(c, "expected"), got) == 0)
		npass++;
	else
		nfail++;
	json_object_put(got);
	ea_result_free(r);
	ea_user_free(user);
}

static void
run_golden(const char *file)
{
	json_object *g = load_json(file);
	json_object *cases = json_object_object_get(g, "cases");
	json_object *idl = json_object_object_get(g, "idlists");
	json_object *tier = json_object_object_get(g, "environment_tier");
	ea_specs   *specs = load_specs(json_object_get_string(json_object_object_get(g, "dcs")));
	idlists		lists = {0};
	ea_eval_opts opts = {0};
	json_object *lj = NULL;
	size_t		i;

	if (specs == NULL || cases == NULL)
	{
		nfail++;
		json_object_put(g);
		return;
	}
	if (idl && json_object_is_type(idl, json_type_string))
	{
		lj = load_json(json_object_get_string(idl));
		load_idlists(&lists, lj);
	}
	opts.idlist_contains = idlist_contains;
	opts.idlist_arg = &lists;
	opts.environment_tier = tier ? json_object_get_string(tier) : NULL;
	for (i = 0; i < json_object_array_length(cases); i++)
		run_case(specs, &opts, json_object_array_get_idx(cases, i), file, i);
	json_object_put(lj);
	ea_map_free(&lists.map);
	ea_arena_free(&lists.arena);
	ea_specs_free(specs);
	json_object_put(g);
}

/* ---- sticky scenarios: an in-memory storage adapter ---- */

static void
store_apply(json_object *store, const ea_sticky_outcome *o, const char *config)
{
	char		key[512];
	json_object *entry;

	if (o->action == EA_STICKY_NONE)
		return;
	snprintf(key, sizeof(key), "%s:%s", o->unit_id, o->id_type);
	entry = json_object_object_get(store, key);
	if (o->action == EA_STICKY_DELETE)
	{
		if (entry)
			json_object_object_del(entry, config);
		if (entry && json_object_object_length(entry) == 0)
			json_object_object_del(store, key);
		return;
	}
	if (entry == NULL)
	{
		entry = json_object_new_object();
		json_object_object_add(store, key, entry);
	}
	json_object_object_add(entry, config, json_tokener_parse(o->sticky_json));
}

/* The store as the golden shows it: no "time". */
static json_object *
store_view(json_object *store)
{
	json_object *copy = NULL;

	json_object_deep_copy(store, &copy, NULL);
	json_object_object_foreach(copy, k, entry)
	{
		(void) k;
		json_object_object_foreach(entry, cfg, sv)
		{
			(void) cfg;
			json_object_object_del(sv, "time");
		}
	}
	return copy;
}

static bool
sticky_step(json_object *store, json_object *step, const char *who)
{
	json_object *call = json_object_object_get(step, "call");
	const char *name = json_object_get_string(json_object_object_get(call, "name"));
	const char *utext = json_object_to_json_string(json_object_object_get(call, "user"));
	json_object *persisted = json_object_object_get(call, "persisted");
	const char *id_type = json_object_get_string(json_object_object_get(call, "id_type"));
	ea_specs   *specs = load_specs(json_object_get_string(json_object_object_get(step, "dcs")));
	ea_user    *user = NULL;
	ea_result  *r = NULL;
	ea_sticky_outcome o;
	ea_error	err;
	const char *pv = NULL;
	bool		ok = false;
	char		key[512];

	if (specs == NULL || ea_user_parse(utext, strlen(utext), &user, &err) != EA_OK)
		goto done;
	if (persisted && json_object_is_type(persisted, json_type_string))
	{
		json_object *entry;

		snprintf(key, sizeof(key), "%s:%s", ea_user_unit_id(user, id_type) ? ea_user_unit_id(user, id_type) : "", id_type);
		entry = json_object_object_get(store, key);
		pv = entry ? json_object_to_json_string(entry) : "{}";
	}
	if (ea_evaluate_persisted(specs, user, kind_of(json_object_get_string(json_object_object_get(call, "kind"))),
							  name, NULL, pv, pv ? strlen(pv) : 0,
							  json_object_get_boolean(json_object_object_get(call, "enforce_targeting")),
							  json_object_get_boolean(json_object_object_get(call, "enforce_overrides")),
							  &r, &o, &err) != EA_OK)
	{
		printf("ERROR %s: %s %s\n", who, err.message, err.detail);
		goto done;
	}
	{
		json_object *got = result_json(r);
		json_object *expected = json_object_object_get(step, "expected");
		const char *reason = json_object_get_string(json_object_object_get(expected, "reason"));
		bool		want_persisted = reason && strstr(reason, "Persisted") != NULL;
		json_object *view;

		ok = compare_fields(who, expected, got) == 0;
		if (want_persisted != o.persisted)
		{
			ok = false;
			printf("MISMATCH %s reason: expected %s\n", who, reason);
		}
		store_apply(store, &o, name);
		view = store_view(store);
		if (!json_object_equal(view, json_object_object_get(step, "stored_after")))
		{
			ok = false;
			printf("MISMATCH %s store: expected %s got %s\n", who,
				   json_object_to_json_string(json_object_object_get(step, "stored_after")),
				   json_object_to_json_string(view));
		}
		json_object_put(view);
		json_object_put(got);
	}
	ea_sticky_outcome_free(&o);
done:
	ea_result_free(r);
	ea_user_free(user);
	ea_specs_free(specs);
	return ok;
}

static void
run_sticky(const char *file)
{
	json_object *g = load_json(file);
	json_object *steps = json_object_object_get(g, "steps");
	json_object *store = json_object_new_object();
	size_t		i;

	for (i = 0; steps && i < json_object_array_length(steps); i++)
	{
		char		who[1200];

		snprintf(who, sizeof(who), "%s step %zu", file, i);
		if (sticky_step(store, json_object_array_get_idx(steps, i), who))
			npass++;
		else
			nfail++;
	}
	json_object_put(store);
	json_object_put(g);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int
main(int argc, char **argv)
{
	const char *sdk = argc > 2 ? argv[2] : "node-core";
	char		suffix[64];
	char		gdir[1024];
	char	   *names[256];
	size_t		n = 0,
				i;
	DIR		   *d;
	struct dirent *e;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s CONFORMANCE_DIR [node-core|statsig-node]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	snprintf(suffix, sizeof(suffix), ".%s.json", sdk);
	snprintf(gdir, sizeof(gdir), "%s/goldens", dir);
	if ((d = opendir(gdir)) == NULL)
	{
		fprintf(stderr, "cannot open %s\n", gdir);
		return 2;
	}
	while ((e = readdir(d)) != NULL && n < 256)
	{
		size_t		len = strlen(e->d_name);
		bool		sticky = strncmp(e->d_name, "sticky_", 7) == 0 && strcmp(sdk, "node-core") == 0;

		if (sticky || (len > strlen(suffix) && strcmp(e->d_name + len - strlen(suffix), suffix) == 0))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_names);
	for (i = 0; i < n; i++)
	{
		char		rel[512];
		int			before = nfail;

		snprintf(rel, sizeof(rel), "goldens/%s", names[i]);
		if (strncmp(names[i], "sticky_", 7) == 0)
			run_sticky(rel);
		else
			run_golden(rel);
		if (nfail > before)
			printf("-- %s: %d failed\n", names[i], nfail - before);
		free(names[i]);
	}
	printf("goldens (%s): %d passed, %d failed\n", sdk, npass, nfail);
	return (nfail && strcmp(sdk, "node-core") == 0) ? 1 : 0;
}
