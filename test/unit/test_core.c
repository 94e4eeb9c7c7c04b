/*
 * test_core.c
 *	  Unit tests of the pure C core: hashing, value coercion, operators,
 *	  user and spec validation, evaluation of small hand-written documents.
 *
 * Prints a line per failed check and a final "N passed, M failed".
 */
#include "ea_compare.h"
#include "ea_hash.h"
#include "ea_user.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_test_check.h"

static void
test_sha256(void)
{
	uint8_t		d[32];
	char		hex[65];
	char		h8[9];
	int			i;

	ea_sha256("abc", 3, d);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
		  "sha256(abc) = %s", hex);
	ea_sha256("", 0, d);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
		  "sha256('') = %s", hex);
	/* a 64-byte and a 56-byte message exercise the padding paths */
	ea_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
		  "sha256(56 bytes) = %s", hex);
	CHECK(ea_eval_hash("abc", 3) == 0xba7816bf8f01cfeaULL, "eval hash big-endian");
	{
		/* a message of many blocks: 1,000,000 times "a" (FIPS 180-2) */
		static char million[1000000];

		memset(million, 'a', sizeof(million));
		ea_sha256(million, sizeof(million), d);
		for (i = 0; i < 32; i++)
			sprintf(hex + 2 * i, "%02x", d[i]);
		CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
			  "sha256(10^6 x a) = %s", hex);
	}
	ea_idlist_hash("abc", 3, h8);
	CHECK(strcmp(h8, "ungWv48B") == 0, "idlist hash = %s", h8);
}

static void
test_format_f64(void)
{
	static const struct
	{
		double		v;
		const char *s;
	}			cases[] = {
		{10, "10"}, {1.5, "1.5"}, {-2, "-2"}, {0.1 + 0.2, "0.30000000000000004"},
		{1e21, "1000000000000000000000"}, {1e-7, "0.0000001"}, {123456789012, "123456789012"},
		{0.5, "0.5"}, {100, "100"}, {3.14, "3.14"},
	};
	char		buf[64];
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		ea_format_f64(cases[i].v, buf, sizeof(buf));
		CHECK(strcmp(buf, cases[i].s) == 0, "format %.17g -> %s, want %s",
			  cases[i].v, buf, cases[i].s);
	}
	ea_format_f64(NAN, buf, sizeof(buf));
	CHECK(strcmp(buf, "NaN") == 0, "NaN -> %s", buf);
	ea_format_f64(-INFINITY, buf, sizeof(buf));
	CHECK(strcmp(buf, "-inf") == 0, "-inf -> %s", buf);
}

/* The evaluator reads ip and userAgent by fixed slot. */
static void
test_field_slots(void)
{
	CHECK(ea_user_field_slot("ip") == EA_SLOT_IP, "slot of ip");
	CHECK(ea_user_field_slot("useragent") == EA_SLOT_USERAGENT, "slot of useragent");
	CHECK(ea_user_field_slot("user_agent") == 10 + EA_SLOT_USERAGENT, "slot of user_agent");
	CHECK(ea_user_field_slot("custom_thing") == -1, "slot of a custom name");
}

static void
test_rust_parsing(void)
{
	static const char *good[] = {"10", "-1.5", "+2", "1e3", "1E-2", ".5", "5.", "inf", "-Infinity", "NaN", "0010"};
	static const char *bad[] = {"", " 10", "10 ", "0x10", "1e", "e3", ".", "abc", "1_000", "1,5", "+"};
	double		d;
	int64_t		i64;
	size_t		i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(ea_parse_rust_f64(good[i], &d), "f64 should parse '%s'", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!ea_parse_rust_f64(bad[i], &d), "f64 should reject '%s'", bad[i]);
	CHECK(ea_parse_rust_f64("1e3", &d) && d == 1000, "1e3 = 1000");
	CHECK(ea_parse_rust_i64("+42", &i64) && i64 == 42, "+42");
	CHECK(ea_parse_rust_i64("-9223372036854775808", &i64) && i64 == INT64_MIN, "i64 min");
	CHECK(!ea_parse_rust_i64("9223372036854775808", &i64), "i64 overflow");
	CHECK(!ea_parse_rust_i64("1.0", &i64), "1.0 is no i64");
	CHECK(!ea_parse_rust_i64(" 1", &i64), "' 1' is no i64");
}

static void
test_timestamps(void)
{
	int64_t		ts;

	CHECK(ea_parse_timestamp("2023-01-02T00:00:00Z", &ts) && ts == 1672617600000LL, "rfc3339 Z");
	CHECK(ea_parse_timestamp("2023-01-02 00:00:00Z", &ts) && ts == 1672617600000LL, "rfc3339 space");
	/* Server Core 0.23 reads at most 20 characters: no offsets, no fractions */
	CHECK(!ea_parse_timestamp("2023-01-02T01:00:00+01:00", &ts), "rfc3339 offset rejected");
	CHECK(!ea_parse_timestamp("2023-01-02T00:00:00.250Z", &ts), "fraction rejected");
	CHECK(ea_parse_timestamp("2023-01-02 00:00:00", &ts) && ts == 1672617600000LL, "naive");
	CHECK(ea_parse_timestamp("1672617600000", &ts) && ts == 1672617600000LL, "integer");
	CHECK(!ea_parse_timestamp("2023-02-30T00:00:00Z", &ts), "Feb 30 rejected");
	CHECK(!ea_parse_timestamp("2023-01-02", &ts), "date only rejected");
	CHECK(!ea_parse_timestamp("yesterday", &ts), "junk rejected");
	CHECK(ea_parse_timestamp("1969-12-31T23:59:59Z", &ts) && ts == -1000, "before epoch");
}

/* Build a target and a user value from JSON text and apply op. */
static int
op_result(const char *op, const char *target_json, const char *value_json)
{
	ea_arena	a = {0};
	json_object *t = json_tokener_parse(target_json);
	json_object *v = value_json ? json_tokener_parse(value_json) : NULL;
	ea_tval		tv;
	ea_dval		dv;
	int			res = -1;

	if (ea_tval_from_json(&a, t, strcmp(op, "str_matches") == 0, &tv) &&
		(value_json == NULL || ea_dval_from_json(&a, v, &dv)))
	{
		const ea_dval *pv = value_json ? &dv : &ea_dval_empty;
		ea_op		k = ea_op_from_name(op);

		if (k == EA_OP_EQ)
			res = ea_cmp_eq(&tv, pv);
		else if (k >= EA_OP_VERSION_GT && k <= EA_OP_VERSION_NEQ)
			res = ea_cmp_versions(pv, &tv, k);
		else if (k >= EA_OP_GT && k <= EA_OP_LTE)
			res = ea_cmp_numbers(pv, &tv, k);
		else if (k == EA_OP_STR_MATCHES)
			res = ea_cmp_regex(pv, &tv);
		else if (k == EA_OP_BEFORE || k == EA_OP_AFTER || k == EA_OP_ON)
			res = ea_cmp_time(pv, &tv, k);
		else if (k >= EA_OP_ARRAY_CONTAINS_ANY)
			res = ea_cmp_arrays(pv, &tv, k);
		else
			res = ea_cmp_strings(pv, &tv, k, strstr(op, "case_sensitive") == NULL);
	}
	ea_tval_free_regex(&tv);
	json_object_put(t);
	json_object_put(v);
	ea_arena_free(&a);
	return res;
}

static void
test_operators(void)
{
	static const struct
	{
		const char *op;
		const char *target;
		const char *value;
		int			want;
	}			cases[] = {
		{"gt", "10", "\"11\"", 1}, {"gt", "10", "\" 11\"", 0}, {"gte", "\"1e1\"", "10", 1},
		{"lt", "10", "\"abc\"", 0}, {"lte", "10", NULL, 0}, {"gt", "0", "true", 0},
		{"version_gt", "\"1.2.3\"", "\"1.2.4\"", 1}, {"version_eq", "\"1.2\"", "\"1.2.0\"", 1},
		{"version_eq", "\"1.2.3\"", "\"1.2.3-beta\"", 1}, {"version_lt", "\"1.10\"", "\"1.9\"", 1},
		{"version_gt", "\"1.0\"", "\"v2.0\"", 0}, {"version_neq", "\"1.0\"", "\"1.0.1\"", 1},
		{"version_neq", "\"1.2.3\"", "\"1.2.3+b\"", 0}, {"version_lt", "\"1.10\"", "\"1.2.3+b\"", 1},
		{"version_neq", "\"\"", "\"1.0\"", 0},
		{"version_gte", "\"1.0\"", "10", 1}, {"version_eq", "\"1. 2\"", "\"1.2\"", 1},
		{"any", "[\"Foo\",\"bar\"]", "\"foo\"", 1}, {"any", "[\"\u00c9LITE\"]", "\"\u00e9lite\"", 1}, {"any", "[\"a\"]", NULL, 0}, {"none", "[\"a\"]", NULL, 1},
		{"any", "[1,2]", "1", 1}, {"any", "[1.0]", "1", 0}, {"any", "[\"true\"]", "true", 1},
		{"any_case_sensitive", "[\"Foo\"]", "\"foo\"", 0}, {"none_case_sensitive", "[\"Foo\"]", "\"foo\"", 1},
		{"str_starts_with_any", "[\"dan\"]", "\"Daniel\"", 1}, {"str_ends_with_any", "[\"@x.io\"]", "\"a@X.IO\"", 1},
		{"str_contains_any", "[\"sig\"]", "\"statsig\"", 1}, {"str_contains_none", "[\"sig\"]", "\"statsig\"", 0},
		{"any", "{\"123\":true}", "123", 1}, {"any", "{\"12\":true}", "123", 0}, {"any", "\"abc\"", "\"abc\"", 0},
		{"str_matches", "\"^a.c$\"", "\"abc\"", 1}, {"str_matches", "\"\\\\d+\"", "\"x12\"", 1},
		{"str_matches", "\"(\"", "\"(\"", 0}, {"str_matches", "\"abc\"", NULL, 0}, {"str_matches", "\"1\"", "1", 1},
		{"eq", "null", NULL, 1}, {"eq", "null", "null", 1}, {"eq", "\"10\"", "10", 1}, {"eq", "10", "\"10\"", 1},
		{"eq", "true", "\"true\"", 0}, {"eq", "[\"a\",\"b\"]", "[\"a\",\"b\"]", 1}, {"eq", "[\"a\",\"b\"]", "[\"b\",\"a\"]", 0},
		{"eq", "\"A\"", "\"a\"", 0},
		{"before", "1700000000000", "1600000000", 1}, {"before", "946684800000", "946684799999", 1}, {"after", "\"2020-01-01T00:00:00Z\"", "\"2021-01-01 00:00:00\"", 1},
		{"on", "1672617600000", "1672660800000", 1}, {"on", "1672617600000", "1672531200000", 0},
		{"before", "1700000000000", "\"abc\"", 0}, {"after", "1", "1.5e12", 0},
		{"array_contains_any", "[\"a\",\"b\"]", "[\"b\",\"c\"]", 1}, {"array_contains_all", "[\"a\",\"b\"]", "[\"b\",\"a\"]", 1},
		{"array_contains_none", "[\"a\"]", "[\"b\"]", 1}, {"not_array_contains_all", "[\"a\",\"b\"]", "[\"a\"]", 1},
		{"array_contains_any", "[1]", "[1]", 1}, {"array_contains_any", "[\"a\"]", "\"a\"", 0},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int			got = op_result(cases[i].op, cases[i].target, cases[i].value);

		CHECK(got == cases[i].want, "%s target=%s value=%s: got %d want %d",
			  cases[i].op, cases[i].target, cases[i].value ? cases[i].value : "(missing)",
			  got, cases[i].want);
	}
}

static void
test_user_validation(void)
{
	static const char *bad[] = {
		"[]", "\"u\"", "{\"userID\": true}", "{\"email\": 5}", "{\"custom\": []}",
		"{\"customIDs\": {\"a\": {}}}", "{\"userID\": \"x\"", "{\"privateAttributes\": 1}",
		"{\"custom\": {\"n\": 1e999}}", "{\"custom\": {\"n\": 01}}", "{\"a\": \"\\ud800\"}",
		"{\"a\": 1,}", "{\"a\" 1}", "{} x", "{\"a\": \"\x01\"}",
	};
	static const char *good[] = {
		"{}", "{\"userID\": 5}", "{\"userID\": null, \"custom\": {\"a\": [1, {\"b\": null}]}}",
		"{\"customIDs\": {\"stableID\": \"s\", \"n\": 3}, \"unknownField\": [1]}",
	};
	ea_user    *u;
	ea_error	err;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		CHECK(ea_user_parse(bad[i], strlen(bad[i]), &u, &err) == EA_ERR_USER && u == NULL,
			  "user %s should be rejected", bad[i]);
		CHECK(err.detail[0] != '\0', "user error for %s has a detail", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		CHECK(ea_user_parse(good[i], strlen(good[i]), &u, &err) == EA_OK,
			  "user %s should parse: %s", good[i], err.detail);
		ea_user_free(u);
	}
	{
		const char *uj = "{\"userID\": 12.0, \"customIDs\": {\"companyID\": \"c1\"}}";

		ea_user_parse(uj, strlen(uj), &u, &err);
	}
	CHECK(u && ea_user_unit_id(u, "USERID") && strcmp(ea_user_unit_id(u, "USERID"), "12") == 0,
		  "numeric userID as string");
	/* Server Core lower-cases the idType, never the customIDs key */
	CHECK(u && ea_user_unit_id(u, "companyID") && strcmp(ea_user_unit_id(u, "companyID"), "c1") == 0,
		  "custom id lookup");
	CHECK(u && ea_user_unit_id(u, "CompanyID") == NULL, "custom id keys are case sensitive");
	CHECK(u && ea_user_unit_id(u, "stableID") == NULL, "missing custom id");
	ea_user_free(u);
}

#define GATE_DOC(rules) \
	"{\"time\": 5, \"feature_gates\": [{\"name\": \"g\", \"type\": \"feature_gate\", " \
	"\"salt\": \"s\", \"enabled\": true, \"defaultValue\": false, \"idType\": \"userID\", " \
	"\"entity\": \"feature_gate\", \"rules\": " rules "}], \"dynamic_configs\": [], \"layer_configs\": []}"

static void
test_spec_validation(void)
{
	static const struct
	{
		const char *doc;
		const char *detail_part;
	}			bad[] = {
		{"{", "truncated"},
		{"[]", "JSON object"},
		{"{\"time\": 1}", "feature_gates"},
		{"{\"feature_gates\": {}}", "condition_map"},
		{"{\"feature_gates\": 3}", "feature_gates"},
		{GATE_DOC("{}"), "\"rules\" must be an array"},
		{GATE_DOC("[{\"id\": \"r1\", \"passPercentage\": \"x\", \"conditions\": [], \"idType\": \"userID\", \"returnValue\": true}]"), "r1"},
		{GATE_DOC("[{\"id\": \"r1\", \"passPercentage\": 100, \"conditions\": [{\"type\": 5, \"idType\": \"userID\"}], \"idType\": \"userID\", \"returnValue\": true}]"), "conditions[0]"},
		{"{\"response_format\": \"dcs-v2\", \"feature_gates\": {}}", "condition_map"},
		{"{\"response_format\": \"dcs-v2\", \"condition_map\": {}, \"feature_gates\": {\"g\": {\"type\": \"feature_gate\", "
		 "\"salt\": \"s\", \"enabled\": true, \"defaultValue\": false, \"idType\": \"userID\", \"rules\": [{\"id\": \"r\", "
		 "\"passPercentage\": 100, \"returnValue\": true, \"idType\": \"userID\", \"conditions\": [\"nope\"]}]}}}",
		 "At feature_gates (\"g\").rules[0] (id \"r\").conditions[0]: condition id \"nope\" is not in condition_map."},
	};
	ea_specs   *s;
	ea_error	err;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		ea_status	st = ea_specs_parse(bad[i].doc, strlen(bad[i].doc), &s, &err);

		CHECK(st != EA_OK && s == NULL, "doc %zu should be rejected", i);
		CHECK(strstr(err.detail, bad[i].detail_part) != NULL,
			  "doc %zu detail '%s' should mention '%s'", i, err.detail, bad[i].detail_part);
	}
}

static char *
eval_json(const char *doc, const char *user, ea_kind kind, const char *name)
{
	ea_specs   *s;
	ea_user    *u;
	ea_result  *r;
	ea_error	err;
	char	   *js = NULL;

	if (ea_specs_parse(doc, strlen(doc), &s, &err) != EA_OK)
	{
		printf("parse error: %s\n", err.detail);
		return NULL;
	}
	if (ea_user_parse(user, strlen(user), &u, &err) == EA_OK)
	{
		if (ea_evaluate(s, u, kind, name, NULL, &r, &err) == EA_OK)
		{
			ea_result_json(r, &js, NULL, &err);
			ea_result_free(r);
		}
		ea_user_free(u);
	}
	ea_specs_free(s);
	return js;
}

static void
test_evaluation(void)
{
	char	   *js;

	js = eval_json(GATE_DOC("[{\"id\": \"r1\", \"passPercentage\": 100, \"conditions\": [{\"type\": \"user_field\", \"field\": \"Email\", \"operator\": \"str_ends_with_any\", \"targetValue\": [\"@x.io\"], \"idType\": \"userID\"}], \"idType\": \"userID\", \"returnValue\": true}]"),
				   "{\"userID\": \"u\", \"email\": \"A@X.io\"}", EA_KIND_GATE, "g");
	CHECK(js && strstr(js, "\"value\":true,\"rule_id\":\"r1\""), "gate passes: %s", js);
	free(js);
	js = eval_json(GATE_DOC("[{\"id\": \"r1\", \"passPercentage\": 100, \"conditions\": [{\"type\": \"mystery\", \"idType\": \"userID\"}], \"idType\": \"userID\", \"returnValue\": true}]"),
				   "{\"userID\": \"u\"}", EA_KIND_GATE, "g");
	CHECK(js && strstr(js, "\"reason\":\"Unsupported\"") && strstr(js, "\"value\":false"),
		  "unknown condition type is unsupported: %s", js);
	free(js);
	js = eval_json("{\"feature_gates\": [], \"layer_configs\": [], \"dynamic_configs\": [{\"name\": \"c\", "
				   "\"type\": \"dynamic_config\", \"salt\": \"s\", \"enabled\": true, \"idType\": \"userID\", \"rules\": [], "
				   "\"defaultValue\": {\"big\": 100000000000000000000000000000, \"neg\": -9223372036854775809, "
				   "\"u64\": 18446744073709551615, \"s\": \"12345678901234567890123\"}}]}",
				   "{\"userID\": \"u\"}", EA_KIND_CONFIG, "c");
	CHECK(js && strstr(js, "\"big\":100000000000000000000000000000.0") &&
		  strstr(js, "\"neg\":-9223372036854775809.0") && strstr(js, "\"u64\":18446744073709551615") &&
		  strstr(js, "\"s\":\"12345678901234567890123\""),
		  "integers beyond 64 bits keep their magnitude: %s", js);
	free(js);
	js = eval_json(GATE_DOC("[]"), "{\"userID\": \"u\"}", EA_KIND_GATE, "nope");
	CHECK(js && strstr(js, "\"reason\":\"Unrecognized\"") && strstr(js, "\"rule_id\":\"\""),
		  "unknown gate is unrecognized: %s", js);
	free(js);
	js = eval_json(GATE_DOC("[{\"id\": \"loop\", \"passPercentage\": 100, \"conditions\": [{\"type\": \"pass_gate\", \"targetValue\": \"g\", \"idType\": \"userID\"}], \"idType\": \"userID\", \"returnValue\": true}]"),
				   "{\"userID\": \"u\"}", EA_KIND_GATE, "g");
	CHECK(js == NULL, "a gate that passes through itself is an error, not a crash");
	free(js);
}

static void
test_user_builder(void)
{
	ea_user_builder *b;
	ea_user    *u = NULL;
	ea_error	err;

	/* {"userID": "u1", "custom": {"n": 5, "tags": ["a", true, null]}} */
	b = ea_user_builder_new();
	ea_ub_begin(b, true);
	ea_ub_key(b, "userID", 6);
	ea_ub_string(b, "u1xyz", 2);
	ea_ub_key(b, "custom", 6);
	ea_ub_begin(b, true);
	ea_ub_key(b, "n", 1);
	ea_ub_number(b, "5", 1);
	ea_ub_key(b, "tags", 4);
	ea_ub_begin(b, false);
	ea_ub_string(b, "a", 1);
	ea_ub_bool(b, true);
	ea_ub_null(b);
	ea_ub_end(b);
	ea_ub_end(b);
	ea_ub_end(b);
	CHECK(ea_user_builder_finish(b, &u, &err) == EA_OK && u &&
		  strcmp(ea_user_unit_id(u, "userID"), "u1") == 0, "builder makes a user");
	ea_user_free(u);

	/* a wrong-typed field is the same error as from text */
	b = ea_user_builder_new();
	ea_ub_begin(b, true);
	ea_ub_key(b, "email", 5);
	ea_ub_bool(b, true);
	ea_ub_end(b);
	CHECK(ea_user_builder_finish(b, &u, &err) == EA_ERR_USER && u == NULL &&
		  strstr(err.detail, "\"email\" is a boolean"), "builder validates: %s", err.detail);

	/* misuse: a value without a name, unbalanced events, two roots */
	b = ea_user_builder_new();
	ea_ub_begin(b, true);
	ea_ub_string(b, "x", 1);
	ea_ub_end(b);
	CHECK(ea_user_builder_finish(b, &u, &err) == EA_ERR_USER, "member without a name");
	b = ea_user_builder_new();
	ea_ub_begin(b, true);
	CHECK(ea_user_builder_finish(b, &u, &err) == EA_ERR_USER, "unfinished object");
	b = ea_user_builder_new();
	ea_ub_null(b);
	ea_ub_null(b);
	CHECK(ea_user_builder_finish(b, &u, &err) == EA_ERR_USER, "two values");
	b = ea_user_builder_new();
	ea_ub_begin(b, true);
	ea_user_builder_free(b);	/* abandoned: freed without leaks */
}

static void
test_sticky_normalize(void)
{
	const char *legacy = "{\"value\": true, \"json_value\": {\"a\": 1}, \"rule_id\": \"r\", "
		"\"group_name\": \"Control\", \"secondary_exposures\": [], \"configVersion\": 3}";
	const char *bad = "{\"value\": \"yes\", \"secondary_exposures\": []}";
	char	   *out = NULL;
	ea_error	err;

	CHECK(ea_sticky_normalize("exp", legacy, strlen(legacy), &out, &err) == EA_OK && out &&
		  strstr(out, "\"config_version\":3") && !strstr(out, "configVersion"),
		  "legacy configVersion is renamed: %s", out ? out : err.detail);
	free(out);
	CHECK(ea_sticky_normalize("exp", bad, strlen(bad), &out, &err) == EA_ERR_PERSISTED &&
		  strstr(err.detail, "\"value\" must be a boolean"), "bad value named: %s", err.detail);
	CHECK(ea_sticky_normalize("exp", "{", 1, &out, &err) == EA_ERR_PERSISTED, "truncated JSON rejected");
}

int
main(void)
{
	test_sha256();
	test_format_f64();
	test_field_slots();
	test_rust_parsing();
	test_timestamps();
	test_operators();
	test_user_validation();
	test_spec_validation();
	test_evaluation();
	test_sticky_normalize();
	test_user_builder();
	printf("core: %d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
