/*-------------------------------------------------------------------------
 *
 * ea_sticky.c
 *	  Persistent assignment: Server Core's sticky-value flow for
 *	  experiments and layers, and the StickyValues JSON format.
 *
 * The core decides; the caller stores.  ea_evaluate_persisted() returns
 * the result to show and an action (save / delete / nothing) that the
 * PostgreSQL layer carries out on its assignment table.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_eval.h"
#include "ea_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EA_PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static ea_status
ea_bad_sticky(ea_error *err, const char *config, const char *what)
{
	ea_fail(err, EA_ERR_PERSISTED, "invalid user persisted values",
			"Entry \"%.200s\": %s.", config, what);
	ea_set_hint(err, "Pass the object returned by get_user_persisted_values(), a {config_name: StickyValues} map, or NULL.");
	return EA_ERR_PERSISTED;
}

static bool
ea_is_opt(json_object *v, json_type t)
{
	return v == NULL || json_object_is_type(v, json_type_null) ||
		json_object_is_type(v, t);
}

static bool
ea_is_exposure_list(json_object *v)
{
	size_t		i;

	if (!json_object_is_type(v, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(v); i++)
	{
		json_object *e = json_object_array_get_idx(v, i);
		json_object *g = json_object_object_get(e, "gate");
		json_object *gv = json_object_object_get(e, "gateValue");
		json_object *rid = json_object_object_get(e, "ruleID");

		if (!json_object_is_type(e, json_type_object) ||
			!json_object_is_type(g, json_type_string) ||
			!json_object_is_type(gv, json_type_string) ||
			!json_object_is_type(rid, json_type_string))
			return false;
	}
	return true;
}

static bool
ea_is_string_list(json_object *v)
{
	size_t		i;

	if (!json_object_is_type(v, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(v); i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
			return false;
	return true;
}

static json_object *
ea_version_member(json_object *e)
{
	json_object *v = json_object_object_get(e, "config_version");

	return v ? v : json_object_object_get(e, "configVersion");
}

/* Check one StickyValues object, naming the bad field. */
static ea_status
ea_check_sticky(json_object *e, const char *config, ea_error *err)
{
	json_object *v;
	json_object *ver = ea_version_member(e);

	if (!json_object_is_type(e, json_type_object))
		return ea_bad_sticky(err, config, "the value is not a JSON object");
	if (!json_object_is_type(json_object_object_get(e, "value"), json_type_boolean))
		return ea_bad_sticky(err, config, "\"value\" must be a boolean");
	if (!ea_is_opt(json_object_object_get(e, "json_value"), json_type_object))
		return ea_bad_sticky(err, config, "\"json_value\" must be an object or null");
	if (!ea_is_opt(json_object_object_get(e, "rule_id"), json_type_string) ||
		!ea_is_opt(json_object_object_get(e, "group_name"), json_type_string) ||
		!ea_is_opt(json_object_object_get(e, "config_delegate"), json_type_string))
		return ea_bad_sticky(err, config, "\"rule_id\", \"group_name\" and \"config_delegate\" must be strings or null");
	if (!json_object_object_get_ex(e, "secondary_exposures", &v) || !ea_is_exposure_list(v))
		return ea_bad_sticky(err, config, "\"secondary_exposures\" must be an array of {gate, gateValue, ruleID}");
	v = json_object_object_get(e, "undelegated_secondary_exposures");
	if (v != NULL && !json_object_is_type(v, json_type_null) && !ea_is_exposure_list(v))
		return ea_bad_sticky(err, config, "\"undelegated_secondary_exposures\" must be an array of exposures or null");
	v = json_object_object_get(e, "explicit_parameters");
	if (v != NULL && !json_object_is_type(v, json_type_null) && !ea_is_string_list(v))
		return ea_bad_sticky(err, config, "\"explicit_parameters\" must be an array of strings or null");
	v = json_object_object_get(e, "time");
	if (!ea_is_opt(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return ea_bad_sticky(err, config, "\"time\" must be a number or null");
	if (!ea_is_opt(ver, json_type_int))
		return ea_bad_sticky(err, config, "\"config_version\" must be an integer or null");
	return EA_OK;
}

/* Parse and validate a whole UserPersistedValues object. */
static ea_status
ea_parse_persisted(const char *json, size_t len, json_object **out,
				   ea_error *err)
{
	json_tokener *tok;
	json_object *root;
	ea_status	st = EA_OK;

	*out = NULL;
	if (len == 2 && json[0] == '{' && json[1] == '}')
	{
		/* nothing stored yet (every first assignment): no parser needed */
		*out = json_object_new_object();
		return *out ? EA_OK : ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	tok = json_tokener_new_ex(64);
	if (tok == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	root = json_tokener_parse_ex(tok, json, (int) len);
	if (root == NULL || json_tokener_get_parse_end(tok) != len ||
		!json_object_is_type(root, json_type_object))
	{
		json_object_put(root);
		json_tokener_free(tok);
		ea_fail(err, EA_ERR_PERSISTED, "invalid user persisted values",
				"The value is not a JSON object.");
		ea_set_hint(err, "Pass the object returned by get_user_persisted_values(), or NULL.");
		return EA_ERR_PERSISTED;
	}
	json_tokener_free(tok);
	{
		json_object_object_foreach(root, name, entry)
		{
			if ((st = ea_check_sticky(entry, name, err)) != EA_OK)
				break;
		}
	}
	if (st != EA_OK)
		json_object_put(root);
	else
		*out = root;
	return st;
}

static void
ea_set_json_owned(ea_result *r, const char *json)
{
	r->json_value = ea_arena_strdup(&r->owned, json);
	r->json_is_object = true;
}

static const char *
ea_owned_str(ea_result *r, json_object *v)
{
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return ea_arena_strdup(&r->owned, json_object_get_string(v));
}

static void
ea_owned_exposures(ea_result *r, json_object *arr, ea_expo_list *dst)
{
	size_t		i;

	for (i = 0; arr && i < json_object_array_length(arr); i++)
	{
		json_object *e = json_object_array_get_idx(arr, i);
		ea_exposure x;

		x.gate = ea_owned_str(r, json_object_object_get(e, "gate"));
		x.value = strcmp(json_object_get_string(json_object_object_get(e, "gateValue")), "true") == 0;
		x.rule_id = ea_owned_str(r, json_object_object_get(e, "ruleID"));
		if (x.gate && x.rule_id)
			ea_expo_list_push(r, dst, &x);
	}
}

static void
ea_owned_explicit(ea_result *r, json_object *arr)
{
	const char **params;
	size_t		i,
				n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	params = ea_arena_alloc(&r->owned, sizeof(char *) * (n + 1));
	if (params == NULL)
		return;
	for (i = 0; i < n; i++)
		params[i] = ea_owned_str(r, json_object_array_get_idx(arr, i));
	r->explicit_set = true;
	r->explicit_params = params;
	r->nexplicit = n;
}

/* The result Server Core builds from a stored sticky value. */
static ea_result *
ea_result_from_sticky(const ea_result *cur, json_object *e)
{
	ea_result  *r = calloc(1, sizeof(ea_result));
	json_object *jv = json_object_object_get(e, "json_value");
	json_object *ver = ea_version_member(e);
	json_object *und;

	if (r == NULL)
		return NULL;
	r->kind = cur->kind;
	r->name = cur->name;
	r->id_type = cur->id_type;
	r->recognized = true;
	r->persisted = true;
	r->bool_value = json_object_get_boolean(json_object_object_get(e, "value"));
	if (jv && json_object_is_type(jv, json_type_object))
		ea_set_json_owned(r, json_object_to_json_string_ext(jv, EA_PLAIN));
	r->rule_id = ea_owned_str(r, json_object_object_get(e, "rule_id"));
	if (r->rule_id == NULL)
		r->rule_id = "";
	r->group_name = ea_owned_str(r, json_object_object_get(e, "group_name"));
	r->config_delegate = ea_owned_str(r, json_object_object_get(e, "config_delegate"));
	r->version = (ver && json_object_is_type(ver, json_type_int)) ? json_object_get_int64(ver) : -1;
	r->is_experiment_active = r->is_experiment_group = true;
	ea_owned_exposures(r, json_object_object_get(e, "secondary_exposures"), &r->exposures);
	und = json_object_object_get(e, "undelegated_secondary_exposures");
	r->has_undelegated = und && json_object_is_type(und, json_type_array);
	ea_owned_exposures(r, und, &r->undelegated);
	ea_owned_explicit(r, json_object_object_get(e, "explicit_parameters"));
	if (r->owned.failed || r->nomem)
	{
		ea_result_free(r);
		return NULL;
	}
	return r;
}

/* ---- the StickyValues text, written directly (a save per first assignment) ---- */

/* A JSON string: runs of plain bytes at once, escapes as json-c writes them. */
static void
ea_put_string(ea_buf *b, const char *s)
{
	const char *run = s;
	char		esc[8];

	ea_buf_append(b, "\"", 1);
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ea_buf_append(b, run, (size_t) (s - run));
		run = s + 1;
		switch (c)
		{
			case '"':
				ea_buf_append(b, "\\\"", 2);
				break;
			case '\\':
				ea_buf_append(b, "\\\\", 2);
				break;
			case '\n':
				ea_buf_append(b, "\\n", 2);
				break;
			case '\r':
				ea_buf_append(b, "\\r", 2);
				break;
			case '\t':
				ea_buf_append(b, "\\t", 2);
				break;
			case '\b':
				ea_buf_append(b, "\\b", 2);
				break;
			case '\f':
				ea_buf_append(b, "\\f", 2);
				break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				ea_buf_puts(b, esc);
				break;
		}
	}
	ea_buf_append(b, run, (size_t) (s - run));
	ea_buf_append(b, "\"", 1);
}

/* ,"key": */
static void
ea_put_key(ea_buf *b, const char *key)
{
	ea_buf_puts(b, ",\"");
	ea_buf_puts(b, key);
	ea_buf_puts(b, "\":");
}

static void
ea_put_opt_string(ea_buf *b, const char *key, const char *s)
{
	ea_put_key(b, key);
	if (s)
		ea_put_string(b, s);
	else
		ea_buf_puts(b, "null");
}

static void
ea_put_int64(ea_buf *b, const char *key, int64_t v, bool present)
{
	char		num[32];

	ea_put_key(b, key);
	if (!present)
	{
		ea_buf_puts(b, "null");
		return;
	}
	ea_format_i64(v, num, sizeof(num));
	ea_buf_puts(b, num);
}

static void
ea_put_exposures(ea_buf *b, const char *key, const ea_expo_list *l)
{
	size_t		i;

	ea_put_key(b, key);
	ea_buf_puts(b, "[");
	for (i = 0; i < l->n; i++)
	{
		ea_buf_puts(b, i ? ",{\"gate\":" : "{\"gate\":");
		ea_put_string(b, l->items[i].gate);
		ea_buf_puts(b, l->items[i].value ? ",\"gateValue\":\"true\",\"ruleID\":"
					: ",\"gateValue\":\"false\",\"ruleID\":");
		ea_put_string(b, l->items[i].rule_id);
		ea_buf_puts(b, "}");
	}
	ea_buf_puts(b, "]");
}

/*
 * Server Core's StickyValues made from an evaluation result, as compact
 * JSON text (malloc'd; NULL when out of memory).  json_value is the
 * result's own JSON text of an object, embedded as it is.
 */
static char *
ea_sticky_from_result(const ea_result *r, int64_t lcut)
{
	ea_buf		b = {0};
	size_t		i;

	ea_buf_puts(&b, r->bool_value ? "{\"value\":true" : "{\"value\":false");
	ea_put_key(&b, "json_value");
	ea_buf_puts(&b, r->json_value && r->json_is_object ? r->json_value : "null");
	ea_put_opt_string(&b, "rule_id", r->rule_id);
	ea_put_opt_string(&b, "group_name", r->group_name);
	ea_put_exposures(&b, "secondary_exposures", &r->exposures);
	if (r->has_undelegated)
		ea_put_exposures(&b, "undelegated_secondary_exposures", &r->undelegated);
	else
		ea_put_opt_string(&b, "undelegated_secondary_exposures", NULL);
	ea_put_opt_string(&b, "config_delegate", r->config_delegate);
	ea_put_key(&b, "explicit_parameters");
	if (r->explicit_set)
	{
		ea_buf_puts(&b, "[");
		for (i = 0; i < r->nexplicit; i++)
		{
			if (i)
				ea_buf_puts(&b, ",");
			ea_put_string(&b, r->explicit_params[i]);
		}
		ea_buf_puts(&b, "]");
	}
	else
		ea_buf_puts(&b, "null");
	ea_put_int64(&b, "time", lcut, lcut > 0);
	ea_put_int64(&b, "config_version", r->version, r->version >= 0);
	ea_buf_puts(&b, "}");
	if (b.failed)
	{
		free(b.data);
		return NULL;
	}
	return b.data;
}

/* Is the layer's experiment still active, judged by the stored delegate? */
static bool
ea_layer_active(const ea_specs *specs, bool fallback, json_object *sticky)
{
	json_object *d = sticky ? json_object_object_get(sticky, "config_delegate") : NULL;
	const ea_spec *del;

	if (d == NULL || !json_object_is_type(d, json_type_string))
		return fallback;
	del = ea_map_get(&specs->configs, json_object_get_string(d));
	if (del == NULL || del->is_active < 0)
		return fallback;
	return del->is_active == 1;
}

static bool
ea_keep_sticky(const ea_specs *specs, const ea_user *user,
			   const ea_eval_opts *opts, const char *spec_name,
			   bool enforce_targeting, bool enforce_overrides)
{
	if (spec_name == NULL)
		return true;
	if (enforce_targeting &&
		ea_reeval_filtered(specs, user, opts, spec_name, EA_FILTER_TARGETING))
		return false;
	if (enforce_overrides &&
		ea_reeval_filtered(specs, user, opts, spec_name, EA_FILTER_OVERRIDES))
		return false;
	return true;
}

typedef struct ea_sticky_call
{
	const ea_specs *specs;
	const ea_user *user;
	const ea_eval_opts *opts;
	bool		enforce_targeting;
	bool		enforce_overrides;
} ea_sticky_call;

/* Decide, given the live result and the caller's persisted values. */
static ea_status
ea_apply_sticky(const ea_sticky_call *c, ea_result **res, json_object *values,
				bool has_values, ea_sticky_outcome *o, ea_error *err)
{
	ea_result  *cur = *res;
	json_object *sticky = values ? json_object_object_get(values, cur->name) : NULL;
	bool		is_layer = cur->kind == EA_KIND_LAYER;
	bool		active = is_layer
		? ea_layer_active(c->specs, cur->is_experiment_active, sticky)
		: cur->is_experiment_active;

	if (!has_values || !active)
	{
		o->action = EA_STICKY_DELETE;
		return EA_OK;
	}
	if (sticky != NULL)
	{
		json_object *d = json_object_object_get(sticky, "config_delegate");
		const char *reeval = is_layer
			? (json_object_is_type(d, json_type_string) ? json_object_get_string(d) : NULL)
			: cur->name;

		if ((c->enforce_targeting || c->enforce_overrides) &&
			!ea_keep_sticky(c->specs, c->user, c->opts, reeval,
							c->enforce_targeting, c->enforce_overrides))
			return EA_OK;
		*res = ea_result_from_sticky(cur, sticky);
		if (*res == NULL)
		{
			*res = cur;
			return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
		}
		ea_result_free(cur);
		o->persisted = true;
		return EA_OK;
	}
	if (cur->is_experiment_active && cur->is_experiment_group)
	{
		o->action = EA_STICKY_SAVE;
		o->sticky_json = ea_sticky_from_result(cur, ea_specs_time(c->specs));
		if (o->sticky_json == NULL)
			return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	return EA_OK;
}

ea_status
ea_evaluate_persisted(const ea_specs *specs, const ea_user *user,
					  ea_kind kind, const char *name,
					  const ea_eval_opts *opts, const char *persisted_json,
					  size_t persisted_len, bool enforce_targeting,
					  bool enforce_overrides, ea_result **out,
					  ea_sticky_outcome *o, ea_error *err)
{
	ea_sticky_call c = {specs, user, opts, enforce_targeting, enforce_overrides};
	json_object *values = NULL;
	const ea_dval *unit;
	ea_status	st;
	char		lower[256];
	size_t		i;

	memset(o, 0, sizeof(*o));
	*out = NULL;
	if (persisted_json != NULL &&
		(st = ea_parse_persisted(persisted_json, persisted_len, &values, err)) != EA_OK)
		return st;
	st = ea_evaluate(specs, user, kind, name, opts, out, err);
	if (st != EA_OK || (*out)->id_type == NULL ||
		(kind != EA_KIND_EXPERIMENT && kind != EA_KIND_LAYER))
	{
		json_object_put(values);
		return st;
	}
	for (i = 0; (*out)->id_type[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char) (((*out)->id_type[i] >= 'A' && (*out)->id_type[i] <= 'Z')
						   ? (*out)->id_type[i] + 32 : (*out)->id_type[i]);
	lower[i] = '\0';
	unit = ea_user_unit_dval(user, (*out)->id_type, lower);
	if (unit == NULL)
	{
		json_object_put(values);
		return EA_OK;
	}
	o->unit_id = strdup(unit->str ? unit->str : "");
	o->id_type = strdup((*out)->id_type);
	st = (o->unit_id && o->id_type) ? ea_apply_sticky(&c, out, values, persisted_json != NULL, o, err)
		: ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	json_object_put(values);
	if (st != EA_OK)
	{
		ea_result_free(*out);
		*out = NULL;
		ea_sticky_outcome_free(o);
	}
	return st;
}

void
ea_sticky_outcome_free(ea_sticky_outcome *o)
{
	free(o->unit_id);
	free(o->id_type);
	free(o->sticky_json);
	memset(o, 0, sizeof(*o));
}

ea_status
ea_sticky_normalize(const char *config_name, const char *json, size_t len,
					char **normalized, ea_error *err)
{
	json_tokener *tok = json_tokener_new_ex(64);
	json_object *e;
	json_object *ver;
	ea_status	st;

	*normalized = NULL;
	if (tok == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	e = json_tokener_parse_ex(tok, json, (int) len);
	if (e == NULL || json_tokener_get_parse_end(tok) != len)
	{
		json_object_put(e);
		json_tokener_free(tok);
		return ea_bad_sticky(err, config_name, "the value is not valid JSON");
	}
	json_tokener_free(tok);
	if ((st = ea_check_sticky(e, config_name, err)) != EA_OK)
	{
		json_object_put(e);
		return st;
	}
	ver = ea_version_member(e);
	if (ver != NULL && !json_object_object_get(e, "config_version"))
	{
		json_object_object_add(e, "config_version", json_object_get(ver));
		json_object_object_del(e, "configVersion");
	}
	*normalized = strdup(json_object_to_json_string_ext(e, EA_PLAIN));
	json_object_put(e);
	return *normalized ? EA_OK : ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
}
