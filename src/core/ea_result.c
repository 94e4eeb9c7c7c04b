/*-------------------------------------------------------------------------
 *
 * ea_result.c
 *	  Evaluation results as JSON objects, shaped like Server Core's
 *	  FeatureGate / DynamicConfig / Experiment / Layer evaluations.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
ea_json_string(ea_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *run = p;
	char		esc[8];

	ea_buf_puts(b, "\"");
	for (; *p; p++)
	{
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		ea_buf_append(b, (const char *) run, (size_t) (p - run));
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
		ea_buf_puts(b, esc);
		run = p + 1;
	}
	ea_buf_append(b, (const char *) run, (size_t) (p - run));
	ea_buf_puts(b, "\"");
}

static void
ea_json_key(ea_buf *b, const char *key)
{
	ea_buf_puts(b, ",");
	ea_json_string(b, key);
	ea_buf_puts(b, ":");
}

static void
ea_json_opt_string(ea_buf *b, const char *key, const char *value)
{
	ea_json_key(b, key);
	if (value == NULL)
		ea_buf_puts(b, "null");
	else
		ea_json_string(b, value);
}

static void
ea_json_exposures(ea_buf *b, const char *key, const ea_expo_list *l)
{
	size_t		i;

	ea_json_key(b, key);
	ea_buf_puts(b, "[");
	for (i = 0; i < l->n; i++)
	{
		ea_buf_puts(b, i ? ",{\"gate\":" : "{\"gate\":");
		ea_json_string(b, l->items[i].gate);
		ea_buf_puts(b, l->items[i].value ? ",\"gateValue\":\"true\",\"ruleID\":"
					: ",\"gateValue\":\"false\",\"ruleID\":");
		ea_json_string(b, l->items[i].rule_id);
		ea_buf_puts(b, "}");
	}
	ea_buf_puts(b, "]");
}

static void
ea_json_bool(ea_buf *b, const char *key, int value)
{
	ea_json_key(b, key);
	ea_buf_puts(b, value < 0 ? "null" : value ? "true" : "false");
}

static const char *
ea_reason(const ea_result *r)
{
	if (r->persisted)
		return "Persisted";
	if (!r->recognized)
		return "Unrecognized";
	if (r->unsupported)
		return "Unsupported";
	return "Recognized";
}

static void
ea_json_layer_fields(ea_buf *b, const ea_result *r)
{
	bool		delegated = r->config_delegate && r->config_delegate[0];
	size_t		i;

	ea_json_bool(b, "is_experiment_group", delegated ? r->is_experiment_group : -1);
	ea_json_bool(b, "is_experiment_active", delegated ? r->is_experiment_active : -1);
	ea_json_opt_string(b, "allocated_experiment_name",
					   delegated ? r->config_delegate : NULL);
	ea_json_key(b, "explicit_parameters");
	ea_buf_puts(b, "[");
	for (i = 0; r->explicit_set && i < r->nexplicit; i++)
	{
		if (i)
			ea_buf_puts(b, ",");
		ea_json_string(b, r->explicit_params[i]);
	}
	ea_buf_puts(b, "]");
	ea_json_exposures(b, "undelegated_secondary_exposures", &r->undelegated);
}

static void
ea_json_body(ea_buf *b, const ea_result *r)
{
	bool		is_exp = r->entity == NULL || strcmp(r->entity, "experiment") == 0;

	ea_buf_puts(b, "{\"name\":");
	ea_json_string(b, r->name ? r->name : "");
	ea_json_key(b, "value");
	if (r->kind == EA_KIND_GATE)
		ea_buf_puts(b, r->bool_value ? "true" : "false");
	else
		ea_buf_puts(b, (r->json_value && r->json_is_object) ? r->json_value : "{}");
	ea_json_key(b, "rule_id");
	ea_json_string(b, r->rule_id ? r->rule_id : "");
	ea_json_opt_string(b, "group_name", r->group_name);
	ea_json_key(b, "id_type");
	ea_json_string(b, r->id_type ? r->id_type : "");
	ea_json_key(b, "reason");
	ea_json_string(b, ea_reason(r));
	ea_json_exposures(b, "secondary_exposures", &r->exposures);
	if (r->kind == EA_KIND_EXPERIMENT)
	{
		ea_json_bool(b, "is_experiment_group", is_exp ? r->is_experiment_group : -1);
		ea_json_bool(b, "is_experiment_active", is_exp ? r->is_experiment_active : -1);
	}
	if (r->kind == EA_KIND_LAYER)
		ea_json_layer_fields(b, r);
	if (r->version >= 0)
	{
		char		num[32];

		ea_json_key(b, "config_version");
		snprintf(num, sizeof(num), "%lld", (long long) r->version);
		ea_buf_puts(b, num);
	}
	ea_buf_puts(b, "}");
}

ea_status
ea_result_json(const ea_result *r, char **json_out, size_t *len_out,
			   ea_error *err)
{
	ea_buf		b = {0};

	*json_out = NULL;
	ea_json_body(&b, r);
	if (b.failed)
	{
		free(b.data);
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	*json_out = b.data;
	if (len_out)
		*len_out = b.len;
	return EA_OK;
}

bool
ea_result_bool(const ea_result *r)
{
	return r->kind == EA_KIND_GATE && r->bool_value;
}

void
ea_result_free(ea_result *r)
{
	if (r == NULL)
		return;
	free(r->exposures.items);
	free(r->undelegated.items);
	free(r->owned_json);
	ea_arena_free(&r->owned);
	free(r);
}

const char *
ea_result_group_name(const ea_result *r)
{
	return r->group_name;
}

const char *
ea_result_rule_id(const ea_result *r)
{
	return r->rule_id;
}
