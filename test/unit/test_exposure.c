/*
 * test_exposure.c
 *	  Unit tests of exposure events (src/core/ea_exposure.c): event shapes,
 *	  private attributes, layer parameters, deduplication keys, the gzip
 *	  log_event body and the dedup window.  No server.
 *
 * Usage: test_exposure FIXTURES_DIR (test/conformance/fixtures)
 * Prints a line per failed check and a final "N passed, M failed".
 */
#include "ea_core.h"
#include "ea_exposure.h"
#include "ea_test_util.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_test_check.h"

static ea_specs *specs;

static const ea_expo_context ctx = {1800000000000LL, 1700000000000LL, 1800000000001LL, "Bootstrap", NULL};

/* Evaluate and build the events of one call; the result is freed. */
static ea_status
build(ea_kind kind, const char *name, const char *user_json, const char *param,
	  const ea_expo_context *c, ea_expo_events *out)
{
	ea_user    *user = NULL;
	ea_result  *result = NULL;
	ea_eval_opts opts;
	ea_error	err;
	ea_status	st;

	memset(&opts, 0, sizeof(opts));
	if (ea_user_parse(user_json, strlen(user_json), &user, &err) != EA_OK)
		return err.code;
	st = ea_evaluate(specs, user, kind, name, &opts, &result, &err);
	if (st == EA_OK)
		st = ea_expo_build(result, user_json, strlen(user_json), param, c, NULL, out, &err);
	ea_result_free(result);
	ea_user_free(user);
	return st;
}

/* A string member at a dotted path of an event ("metadata.ruleID"). */
static const char *
str_at(json_object *ev, const char *a, const char *b)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(ev, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool
eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void
test_shapes(void)
{
	ea_expo_events ev;
	json_object *o;
	json_object *v;
	const char *u1 = "{\"userID\":\"u1\",\"email\":\"a@b.c\",\"privateAttributes\":{\"ssn\":\"1\"},"
		"\"customIDs\":{\"companyID\":\"c1\"},\"custom\":{\"n\":1},\"somethingElse\":2,\"ip\":null}";

	CHECK(build(EA_KIND_GATE, "targeting_statsig", u1, NULL, &ctx, &ev) == EA_OK && ev.n == 1,
		  "one gate exposure");
	o = json_tokener_parse(ev.items[0].json);
	CHECK(eq(str_at(o, "eventName", NULL), "statsig::gate_exposure"), "gate event name");
	CHECK(eq(str_at(o, "metadata", "gate"), "targeting_statsig"), "gate name");
	CHECK(eq(str_at(o, "metadata", "gateValue"), "false"), "gate value as a string");
	CHECK(eq(str_at(o, "metadata", "ruleID"), "default"), "rule id");
	CHECK(eq(str_at(o, "metadata", "reason"), "Bootstrap:Recognized"), "reason with source");
	CHECK(eq(str_at(o, "metadata", "lcut"), "1700000000000"), "lcut");
	CHECK(eq(str_at(o, "metadata", "receivedAt"), "1800000000001"), "receivedAt");
	CHECK(json_object_object_get_ex(o, "user", &v) &&
		  !json_object_object_get_ex(v, "privateAttributes", NULL) &&
		  !json_object_object_get_ex(v, "somethingElse", NULL) &&
		  !json_object_object_get_ex(v, "ip", NULL) &&
		  json_object_object_get_ex(v, "email", NULL) &&
		  json_object_object_get_ex(v, "custom", NULL), "user: private attributes, unknown keys and nulls removed: %s",
		  ev.items[0].json);
	CHECK(json_object_object_get_ex(o, "time", &v) && json_object_get_int64(v) == 1800000000000LL, "time");
	CHECK(json_object_object_get_ex(o, "value", &v) && v == NULL, "value is null");
	CHECK(eq(ev.items[0].unit_id, "u1") && eq(ev.items[0].id_type, "userID") &&
		  ev.items[0].experiment == NULL, "gate row columns");
	json_object_put(o);
	ea_expo_events_free(&ev);

	CHECK(build(EA_KIND_EXPERIMENT, "exp_company", u1, NULL, &ctx, &ev) == EA_OK && ev.n == 1,
		  "one config exposure");
	o = json_tokener_parse(ev.items[0].json);
	CHECK(eq(str_at(o, "eventName", NULL), "statsig::config_exposure"), "config event name");
	CHECK(eq(str_at(o, "metadata", "config"), "exp_company"), "config name");
	CHECK(str_at(o, "metadata", "rulePassed") != NULL, "rulePassed present");
	CHECK(eq(str_at(o, "metadata", "configVersion"), "1"), "configVersion");
	CHECK(eq(ev.items[0].unit_id, "c1") && eq(ev.items[0].id_type, "companyID") &&
		  eq(ev.items[0].experiment, "exp_company"), "unit id of the experiment's id type: %s",
		  ev.items[0].unit_id ? ev.items[0].unit_id : "(null)");
	json_object_put(o);
	ea_expo_events_free(&ev);

	/* an unknown config is logged, without a version */
	CHECK(build(EA_KIND_CONFIG, "no_such_config", u1, NULL, &ctx, &ev) == EA_OK && ev.n == 1,
		  "unknown config logged");
	o = json_tokener_parse(ev.items[0].json);
	CHECK(eq(str_at(o, "metadata", "reason"), "Bootstrap:Unrecognized") &&
		  str_at(o, "metadata", "configVersion") == NULL && eq(str_at(o, "metadata", "ruleID"), ""),
		  "unknown config: %s", ev.items[0].json);
	json_object_put(o);
	ea_expo_events_free(&ev);

	{
		/* a user as deep as a valid user may be (deeper than json-c's default 32) */
		char		deep[1024];
		int			k,
					len = 0;

		len += snprintf(deep + len, sizeof(deep) - len, "{\"userID\":\"deep\",\"custom\":");
		for (k = 0; k < 60; k++)
			len += snprintf(deep + len, sizeof(deep) - len, "{\"a\":");
		len += snprintf(deep + len, sizeof(deep) - len, "1");
		for (k = 0; k < 60; k++)
			len += snprintf(deep + len, sizeof(deep) - len, "}");
		snprintf(deep + len, sizeof(deep) - len, "}");
		CHECK(build(EA_KIND_GATE, "targeting_statsig", deep, NULL, &ctx, &ev) == EA_OK && ev.n == 1,
			  "a 62-deep user is logged");
		ea_expo_events_free(&ev);
	}

	/* the SDK environment is added unless the user has one */
	{
		ea_expo_context env = ctx;

		env.environment_tier = "staging";
		CHECK(build(EA_KIND_GATE, "targeting_statsig", "{\"userID\":\"x\"}", NULL, &env, &ev) == EA_OK &&
			  ev.n == 1 && strstr(ev.items[0].json, "\"statsigEnvironment\":{\"tier\":\"staging\"}"),
			  "environment added");
		ea_expo_events_free(&ev);
		CHECK(build(EA_KIND_GATE, "targeting_statsig",
					"{\"userID\":\"x\",\"statsigEnvironment\":{\"tier\":\"development\"}}", NULL, &env, &ev) == EA_OK &&
			  ev.n == 1 && strstr(ev.items[0].json, "development") && !strstr(ev.items[0].json, "staging"),
			  "the user's environment wins");
		ea_expo_events_free(&ev);
	}
}

static void
test_layers(void)
{
	ea_expo_events ev;
	size_t		i;
	int			explicit_n = 0;

	/* no parameter: one event per parameter of the value ({title, shade}) */
	CHECK(build(EA_KIND_LAYER, "layer_main", "{\"userID\":\"u1\"}", NULL, &ctx, &ev) == EA_OK &&
		  ev.n == 2, "layer_main for u1: title and shade, got %zu", ev.n);
	for (i = 0; i < ev.n; i++)
	{
		json_object *o = json_tokener_parse(ev.items[i].json);
		const char *is_explicit = str_at(o, "metadata", "isExplicitParameter");

		CHECK(eq(str_at(o, "eventName", NULL), "statsig::layer_exposure"), "layer event name");
		if (eq(is_explicit, "true"))
		{
			explicit_n++;
			CHECK(str_at(o, "metadata", "allocatedExperiment")[0] != '\0' && ev.items[i].experiment,
				  "explicit parameter names the allocated experiment");
		}
		else
			CHECK(eq(str_at(o, "metadata", "allocatedExperiment"), "") && ev.items[i].experiment == NULL,
				  "other parameters: allocatedExperiment empty");
		json_object_put(o);
	}
	CHECK(explicit_n >= 1, "some parameter is explicit");
	for (i = 1; i < ev.n; i++)
		CHECK(strcmp(ev.items[0].dedup_key, ev.items[i].dedup_key) != 0, "parameters have their own key");
	ea_expo_events_free(&ev);

	{
		/* keys first, then only the wanted candidates are built */
		ea_user    *user = NULL;
		ea_result  *result = NULL;
		ea_eval_opts opts;
		ea_error	err;
		ea_expo_events keys,
					built;
		bool		want[2] = {false, true};

		memset(&opts, 0, sizeof(opts));
		ea_user_parse("{\"userID\":\"u1\"}", 15, &user, &err);
		ea_evaluate(specs, user, EA_KIND_LAYER, "layer_main", &opts, &result, &err);
		CHECK(ea_expo_keys(result, "{\"userID\":\"u1\"}", 15, NULL, &keys, &err) == EA_OK &&
			  keys.n == 2 && keys.items[0].json == NULL && keys.items[1].dedup_key != NULL,
			  "keys only: %zu", keys.n);
		CHECK(ea_expo_build(result, "{\"userID\":\"u1\"}", 15, NULL, &ctx, want, &built, &err) == EA_OK &&
			  built.n == 1 && keys.n == 2 && strcmp(built.items[0].dedup_key, keys.items[1].dedup_key) == 0,
			  "the mask selects the second candidate");
		ea_expo_events_free(&keys);
		ea_expo_events_free(&built);
		ea_result_free(result);
		ea_user_free(user);
	}

	CHECK(build(EA_KIND_LAYER, "layer_main", "{\"userID\":\"u1\"}", "title", &ctx, &ev) == EA_OK &&
		  ev.n == 1 && strstr(ev.items[0].json, "\"parameterName\":\"title\""), "one named parameter");
	ea_expo_events_free(&ev);

	/* an unknown layer: the parameter read is logged, without exposures */
	CHECK(build(EA_KIND_LAYER, "no_such_layer", "{\"userID\":\"u1\"}", "p", &ctx, &ev) == EA_OK &&
		  ev.n == 1 && strstr(ev.items[0].json, "\"secondaryExposures\":null"), "unknown layer: %s",
		  ev.n ? ev.items[0].json : "none");
	ea_expo_events_free(&ev);
	CHECK(build(EA_KIND_LAYER, "no_such_layer", "{\"userID\":\"u1\"}", NULL, &ctx, &ev) == EA_OK &&
		  ev.n == 0, "unknown layer, no parameter: nothing to read");
	ea_expo_events_free(&ev);
}

static char *
key_of(ea_kind kind, const char *name, const char *user)
{
	ea_expo_events ev;
	char	   *key = NULL;

	if (build(kind, name, user, NULL, &ctx, &ev) == EA_OK && ev.n == 1)
		key = strdup(ev.items[0].dedup_key);
	ea_expo_events_free(&ev);
	return key;
}

static void
test_dedup_keys(void)
{
	char	   *a = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"u1\",\"email\":\"a\"}");
	char	   *b = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"u1\",\"email\":\"b\",\"privateAttributes\":{\"x\":1}}");
	char	   *c = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"u1\",\"customIDs\":{\"stableID\":\"s\"}}");
	char	   *d = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"u2\"}");
	char	   *e = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"u1\",\"customIDs\":{\"b\":\"2\",\"a\":\"1\"}}");
	char	   *f = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"u1\",\"customIDs\":{\"a\":\"1\",\"b\":\"2\"}}");
	char	   *g = key_of(EA_KIND_EXPERIMENT, "exp_targeted", "{\"userID\":\"u1\"}");
	char	   *h = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":7}");
	char	   *i = key_of(EA_KIND_EXPERIMENT, "exp_basic", "{\"userID\":\"7\"}");

	CHECK(a && b && strcmp(a, b) == 0, "email and private attributes are not part of the key");
	CHECK(a && c && strcmp(a, c) != 0, "custom ids are");
	CHECK(a && d && strcmp(a, d) != 0, "the user id is");
	CHECK(e && f && strcmp(e, f) == 0, "custom id order does not matter");
	CHECK(a && g && strcmp(a, g) != 0, "the spec is");
	CHECK(h && i && strcmp(h, i) == 0, "a numeric user id is its text");
	free(a), free(b), free(c), free(d), free(e), free(f), free(g), free(h), free(i);

	CHECK(!ea_expo_dedup_expired(1000, 0, 60000, 10), "inside the window");
	CHECK(ea_expo_dedup_expired(60001, 0, 60000, 10), "past the window");
	CHECK(ea_expo_dedup_expired(1000, 0, 60000, EA_EXPO_DEDUP_MAX_KEYS + 1), "too many keys");
}

static void
test_body(void)
{
	const char *events[2] = {"{\"eventName\":\"a\"}", " {\"eventName\":\"b\"}\n"};
	const char *bad[1] = {"[1]"};
	ea_expo_sdk sdk = {"experiment_assign", "0.2.0", "00000000-0000-4000-8000-000000000000"};
	unsigned char *gz = NULL;
	size_t		gzlen = 0,
				len = 0;
	char	   *text = NULL;
	ea_error	err;
	json_object *o,
			   *v;

	CHECK(ea_expo_batch_body(events, 2, &sdk, &gz, &gzlen, &err) == EA_OK && gz && gzlen > 18,
		  "body built");
	CHECK(gz && gz[0] == 0x1f && gz[1] == 0x8b, "gzip magic");
	CHECK(ea_expo_gunzip(gz, gzlen, &text, &len, &err) == EA_OK && text, "inflates");
	o = text ? json_tokener_parse(text) : NULL;
	CHECK(o && json_object_object_get_ex(o, "events", &v) && json_object_array_length(v) == 2,
		  "two events: %s", text ? text : "");
	CHECK(o && json_object_object_get_ex(o, "statsigMetadata", &v) &&
		  eq(str_at(o, "statsigMetadata", "sdkType"), "experiment_assign") &&
		  eq(str_at(o, "statsigMetadata", "sdkVersion"), "0.2.0") &&
		  eq(str_at(o, "statsigMetadata", "sessionID"), sdk.session_id), "statsigMetadata");
	json_object_put(o);
	free(text);
	free(gz);
	gz = NULL;
	CHECK(ea_expo_batch_body(bad, 1, &sdk, &gz, &gzlen, &err) == EA_ERR_JSON && gz == NULL &&
		  strstr(err.detail, "Event 1"), "a stored event that is not an object is refused");
	CHECK(ea_expo_gunzip((const unsigned char *) "nope", 4, &text, &len, &err) != EA_OK,
		  "invalid gzip refused");
	{
		/* a large batch round-trips (the inflater grows its buffer) */
		const char **many = malloc(sizeof(char *) * 5000);
		int			k;

		for (k = 0; k < 5000; k++)
			many[k] = "{\"eventName\":\"statsig::config_exposure\",\"metadata\":{\"config\":\"c\"}}";
		CHECK(ea_expo_batch_body(many, 5000, &sdk, &gz, &gzlen, &err) == EA_OK &&
			  ea_expo_gunzip(gz, gzlen, &text, &len, &err) == EA_OK &&
			  (o = json_tokener_parse(text)) != NULL &&
			  json_object_object_get_ex(o, "events", &v) && json_object_array_length(v) == 5000,
			  "5000 events round-trip");
		json_object_put(o);
		free(text);
		free(gz);
		free(many);
	}
}

int
main(int argc, char **argv)
{
	char		path[4096];
	char	   *doc;
	size_t		len;
	ea_error	err;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/experiments_layers.v2.json", argv[1]);
	doc = ea_test_read_file(path, &len);
	if (doc == NULL || ea_specs_parse(doc, len, &specs, &err) != EA_OK)
	{
		fprintf(stderr, "cannot load %s\n", path);
		return 2;
	}
	free(doc);
	test_shapes();
	test_layers();
	test_dedup_keys();
	test_body();
	ea_specs_free(specs);
	printf("exposures: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
