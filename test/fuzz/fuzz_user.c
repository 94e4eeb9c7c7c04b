/*
 * fuzz_user.c
 *	  libFuzzer target: arbitrary bytes as a StatsigUser, evaluated
 *	  against a fixed document that exercises every operator.
 */
#include "ea_core.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COND(type, field, op, target) \
	"{\"type\":\"" type "\",\"field\":" field ",\"operator\":\"" op "\",\"targetValue\":" target \
	",\"idType\":\"userID\",\"additionalValues\":{\"salt\":\"x\"}}"

static const char doc[] =
	"{\"feature_gates\":[{\"name\":\"g\",\"type\":\"feature_gate\",\"salt\":\"s\",\"enabled\":true,"
	"\"defaultValue\":false,\"idType\":\"userID\",\"entity\":\"feature_gate\",\"rules\":["
	"{\"id\":\"r\",\"passPercentage\":50,\"returnValue\":true,\"idType\":\"userID\",\"conditions\":["
	COND("user_field", "\"n\"", "gt", "3") ","
	COND("user_field", "\"appVersion\"", "version_gte", "\"1.2.3\"") ","
	COND("user_field", "\"email\"", "str_contains_any", "[\"@\",\"x\"]") ","
	COND("user_field", "\"email\"", "str_matches", "\"^[a-z]+@\"") ","
	COND("user_field", "\"t\"", "before", "1700000000000") ","
	COND("user_field", "\"t\"", "on", "\"2023-01-01T00:00:00Z\"") ","
	COND("user_field", "\"arr\"", "array_contains_all", "[\"a\",1]") ","
	COND("user_field", "\"o\"", "eq", "{\"a\":\"1\"}") ","
	COND("user_bucket", "null", "lt", "500") ","
	COND("unit_id", "null", "none_case_sensitive", "[\"x\"]") ","
	COND("ua_based", "\"os_name\"", "any", "[\"iOS\"]") ","
	COND("ua_based", "\"browser_version\"", "version_gt", "\"10\"") ","
	COND("ip_based", "\"country\"", "any", "[\"US\"]") ","
	COND("environment_field", "\"tier\"", "any", "[\"production\"]") ","
	COND("current_time", "null", "after", "0") ","
	COND("user_field", "\"locale\"", "in_segment_list", "\"list\"")
	"]}]}],\"dynamic_configs\":[],\"layer_configs\":[]}";

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ea_specs *specs;
	ea_user    *user;
	ea_result  *r;
	ea_error	err;
	char	   *json;

	if (specs == NULL && ea_specs_parse(doc, strlen(doc), &specs, &err) != EA_OK)
	{
		fprintf(stderr, "fixed document rejected: %s\n", err.detail);
		abort();
	}
	if (ea_user_parse((const char *) data, size, &user, &err) != EA_OK)
		return 0;
	if (ea_evaluate(specs, user, EA_KIND_GATE, "g", NULL, &r, &err) == EA_OK)
	{
		if (ea_result_json(r, &json, NULL, &err) == EA_OK)
			free(json);
		ea_result_free(r);
	}
	ea_user_free(user);
	return 0;
}
