/*-------------------------------------------------------------------------
 *
 * ea_result.c
 *	  Evaluation results as JSON objects, shaped like Server Core's
 *	  FeatureGate / DynamicConfig / Experiment / Layer evaluations.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_result.h"

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
ea_json_exposures(ea_buf *b, const char *key, const ea_result *r,
				  bool undelegated, size_t n)
{
	size_t		i;

	ea_json_key(b, key);
	ea_buf_puts(b, "[");
	for (i = 0; i < n; i++)
	{
		const char *gate,
				   *rule_id;
		bool		value;

		ea_result_get_exposure(r, undelegated, i, &gate, &value, &rule_id);
		ea_buf_puts(b, i ? ",{\"gate\":" : "{\"gate\":");
		ea_json_string(b, gate);
		ea_buf_puts(b, value ? ",\"gateValue\":\"true\",\"ruleID\":"
					: ",\"gateValue\":\"false\",\"ruleID\":");
		ea_json_string(b, rule_id);
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

void
ea_result_get_view(const ea_result *r, ea_result_view *v)
{
	bool		is_exp = r->entity == NULL || strcmp(r->entity, "experiment") == 0;
	bool		delegated = r->config_delegate && r->config_delegate[0];

	memset(v, 0, sizeof(*v));
	v->kind = r->kind;
	v->name = r->name ? r->name : "";
	v->bool_value = r->bool_value;
	v->value_json = (r->json_value && r->json_is_object) ? r->json_value : NULL;
	v->value_is_stable = r->owned_json == NULL && !r->persisted;
	v->rule_id = r->rule_id ? r->rule_id : "";
	v->group_name = r->group_name;
	v->id_type = r->id_type ? r->id_type : "";
	v->reason = ea_reason(r);
	v->is_experiment_group = -1;
	v->is_experiment_active = -1;
	if (r->kind == EA_KIND_EXPERIMENT && is_exp)
	{
		v->is_experiment_group = r->is_experiment_group;
		v->is_experiment_active = r->is_experiment_active;
	}
	if (r->kind == EA_KIND_LAYER && delegated)
	{
		v->is_experiment_group = r->is_experiment_group;
		v->is_experiment_active = r->is_experiment_active;
		v->allocated_experiment_name = r->config_delegate;
	}
	if (r->kind == EA_KIND_LAYER && r->explicit_set)
	{
		v->nexplicit = r->nexplicit;
		v->explicit_params = r->explicit_params;
	}
	v->nexposures = r->exposures.n;
	v->nundelegated = r->kind == EA_KIND_LAYER ? r->undelegated.n : 0;
	v->config_version = r->version;
}

void
ea_result_get_exposure(const ea_result *r, bool undelegated, size_t i,
					   const char **gate, bool *gate_value, const char **rule_id)
{
	const ea_exposure *e = undelegated ? &r->undelegated.items[i]
		: &r->exposures.items[i];

	*gate = e->gate;
	*gate_value = e->value;
	*rule_id = e->rule_id;
}

static void
ea_json_body(ea_buf *b, const ea_result *r)
{
	ea_result_view v;
	size_t		i;

	ea_result_get_view(r, &v);
	ea_buf_puts(b, "{\"name\":");
	ea_json_string(b, v.name);
	ea_json_key(b, "value");
	if (v.kind == EA_KIND_GATE)
		ea_buf_puts(b, v.bool_value ? "true" : "false");
	else
		ea_buf_puts(b, v.value_json ? v.value_json : "{}");
	ea_json_key(b, "rule_id");
	ea_json_string(b, v.rule_id);
	ea_json_opt_string(b, "group_name", v.group_name);
	ea_json_key(b, "id_type");
	ea_json_string(b, v.id_type);
	ea_json_key(b, "reason");
	ea_json_string(b, v.reason);
	ea_json_exposures(b, "secondary_exposures", r, false, v.nexposures);
	if (v.kind == EA_KIND_EXPERIMENT || v.kind == EA_KIND_LAYER)
	{
		ea_json_bool(b, "is_experiment_group", v.is_experiment_group);
		ea_json_bool(b, "is_experiment_active", v.is_experiment_active);
	}
	if (v.kind == EA_KIND_LAYER)
	{
		ea_json_opt_string(b, "allocated_experiment_name", v.allocated_experiment_name);
		ea_json_key(b, "explicit_parameters");
		ea_buf_puts(b, "[");
		for (i = 0; i < v.nexplicit; i++)
		{
			if (i)
				ea_buf_puts(b, ",");
			ea_json_string(b, v.explicit_params[i]);
		}
		ea_buf_puts(b, "]");
		ea_json_exposures(b, "undelegated_secondary_exposures", r, true, v.nundelegated);
	}
	if (v.config_version >= 0)
	{
		char		num[32];

		ea_json_key(b, "config_version");
		snprintf(num, sizeof(num), "%lld", (long long) v.config_version);
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
