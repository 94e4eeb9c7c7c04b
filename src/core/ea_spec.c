/*-------------------------------------------------------------------------
 *
 * ea_spec.c
 *	  Parse and validate a download_config_specs document (v1 or v2) into
 *	  the immutable model the evaluator walks.
 *
 * v1: feature_gates / dynamic_configs / layer_configs are arrays of specs
 * with inline conditions; "layers" maps a layer to its experiments.
 * v2 ("dcs-v2"): the same lists are objects keyed by name, rules name
 * their conditions by id in "condition_map", and "experiment_to_layer"
 * maps experiments to layers.
 *
 * Validation is complete before anything is returned; the first problem
 * found is reported with a path naming the spec, rule and condition.
 * Unknown condition types and operators are not errors: Server Core
 * evaluates them as "unsupported", and so does the evaluator.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_spec.h"
#include "ea_user.h"
#include "ea_ua.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct ea_pctx
{
	ea_specs   *specs;
	ea_error   *err;
	char		path[512];		/* where we are, for error details */
} ea_pctx;

/* Details are sentences: "At <path>: <what>." or "<What>." */
static ea_status
ea_bad(ea_pctx *c, const char *what)
{
	if (c->path[0])
		ea_fail(c->err, EA_ERR_SPEC, "invalid config specs document",
				"At %s: %s.", c->path, what);
	else
		ea_fail(c->err, EA_ERR_SPEC, "invalid config specs document",
				"%c%s.", (what[0] >= 'a' && what[0] <= 'z') ? what[0] - 32 : what[0],
				what + 1);
	ea_set_hint(c->err, "Pass the download_config_specs response exactly as Statsig serves it (format v1 or dcs-v2).");
	return EA_ERR_SPEC;
}

static ea_status
ea_nomem(ea_pctx *c)
{
	return ea_fail(c->err, EA_ERR_NOMEM, "out of memory",
				   "Out of memory while parsing config specs.");
}

static char *
ea_pstr(ea_pctx *c, json_object *v)
{
	return ea_arena_strndup(&c->specs->arena, json_object_get_string(v),
							(size_t) json_object_get_string_len(v));
}

/*
 * Read an optional string member.  Returns false (with error set) if
 * present and neither a string nor null.
 */
static bool
ea_opt_string(ea_pctx *c, json_object *obj, const char *key, const char **out,
			  ea_status *st)
{
	json_object *v = json_object_object_get(obj, key);
	char		msg[160];

	*out = NULL;
	if (v == NULL)
		return true;
	if (!json_object_is_type(v, json_type_string))
	{
		snprintf(msg, sizeof(msg), "\"%s\" must be a string", key);
		*st = ea_bad(c, msg);
		return false;
	}
	*out = ea_pstr(c, v);
	if (*out == NULL)
	{
		*st = ea_nomem(c);
		return false;
	}
	return true;
}

static bool
ea_req_string(ea_pctx *c, json_object *obj, const char *key, const char **out,
			  ea_status *st)
{
	char		msg[160];

	if (!ea_opt_string(c, obj, key, out, st))
		return false;
	if (*out == NULL)
	{
		snprintf(msg, sizeof(msg), "required string \"%s\" is missing", key);
		*st = ea_bad(c, msg);
		return false;
	}
	return true;
}

/* Optional boolean: -1 when absent or null. */
static bool
ea_opt_bool(ea_pctx *c, json_object *obj, const char *key, int *out,
			ea_status *st)
{
	json_object *v = json_object_object_get(obj, key);
	char		msg[160];

	*out = -1;
	if (v == NULL)
		return true;
	if (!json_object_is_type(v, json_type_boolean))
	{
		snprintf(msg, sizeof(msg), "\"%s\" must be a boolean", key);
		*st = ea_bad(c, msg);
		return false;
	}
	*out = json_object_get_boolean(v) ? 1 : 0;
	return true;
}

static bool
ea_is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
		json_object_is_type(v, json_type_double);
}

static const char *
ea_serialize(ea_pctx *c, json_object *v)
{
	if (v == NULL)
		return "null";
	return ea_arena_strdup(&c->specs->arena,
						   json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool
ea_track_tval(ea_specs *specs, ea_tval *tv)
{
	if (tv->regex == NULL && tv->elem_index.cap == 0 &&
		tv->member_index.cap == 0)
		return true;
	if (specs->ntvals == specs->tval_cap)
	{
		size_t		cap = specs->tval_cap ? specs->tval_cap * 2 : 64;
		ea_tval   **p = realloc(specs->tvals, cap * sizeof(ea_tval *));

		if (p == NULL)
			return false;
		specs->tvals = p;
		specs->tval_cap = cap;
	}
	specs->tvals[specs->ntvals++] = tv;
	return true;
}

static ea_status
ea_parse_additional(ea_pctx *c, json_object *obj, ea_condition *cond)
{
	json_object *av = json_object_object_get(obj, "additionalValues");
	json_object *salt;

	if (av == NULL)
		return EA_OK;
	if (!json_object_is_type(av, json_type_object))
		return ea_bad(c, "\"additionalValues\" must be an object");
	salt = json_object_object_get(av, "salt");
	if (salt != NULL && json_object_is_type(salt, json_type_string))
	{
		cond->salt = ea_pstr(c, salt);
		if (cond->salt == NULL)
			return ea_nomem(c);
	}
	return EA_OK;
}

/*
 * The decimal a user_bucket value prints as (0..999, no sign, no leading
 * zero), or -1 for any other string.
 */
static int
ea_bucket_of_string(const char *s)
{
	int			v = 0;
	int			n;

	if (s == NULL || s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (n = 0; s[n] != '\0'; n++)
	{
		if (n >= 3 || s[n] < '0' || s[n] > '9')
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	return v;
}

/*
 * Fill cond->bucket_set for a user_bucket condition whose operator compares
 * the bucket's string with an array's elements for equality (any, none,
 * either case: a decimal has no case).  The bucket is 0..999 and prints as
 * its digits, so it equals exactly the elements whose string is that
 * decimal: a bit per bucket decides as the string comparison would.
 * False when out of memory.
 */
static bool
ea_bucket_set_build(ea_arena *a, ea_condition *cond)
{
	uint64_t   *set;
	size_t		i;

	if (cond->op == NULL || cond->target.type != EA_J_ARRAY ||
		(cond->opk != EA_OP_ANY && cond->opk != EA_OP_NONE &&
		 cond->opk != EA_OP_ANY_CASE_SENSITIVE && cond->opk != EA_OP_NONE_CASE_SENSITIVE))
		return true;
	set = ea_arena_alloc(a, 16 * sizeof(uint64_t));
	if (set == NULL)
		return false;
	for (i = 0; i < cond->target.nelems; i++)
	{
		const ea_telem *e = &cond->target.elems[i];
		int			b = ea_bucket_of_string(cond->opk == EA_OP_ANY || cond->opk == EA_OP_NONE
											? e->lower : e->orig);

		if (b >= 0)
			set[b >> 6] |= (uint64_t) 1 << (b & 63);
	}
	cond->bucket_set = set;
	return true;
}

/* One condition object (inline in v1, a condition_map entry in v2). */
static ea_status
ea_parse_condition(ea_pctx *c, json_object *obj, ea_condition **out)
{
	ea_arena   *a = &c->specs->arena;
	ea_condition *cond;
	json_object *tv;
	ea_status	st = EA_OK;
	bool		ok;

	if (!json_object_is_type(obj, json_type_object))
		return ea_bad(c, "a condition must be an object");
	cond = ea_arena_alloc(a, sizeof(ea_condition));
	if (cond == NULL)
		return ea_nomem(c);
	if (!ea_req_string(c, obj, "type", &cond->type, &st) ||
		!ea_opt_string(c, obj, "operator", &cond->op, &st) ||
		!ea_opt_string(c, obj, "field", &cond->field, &st) ||
		!ea_req_string(c, obj, "idType", &cond->id_type, &st))
		return st;
	cond->lower_id_type = ea_lower_dup(a, cond->id_type);
	cond->lower_field = cond->field ? ea_lower_dup(a, cond->field) : NULL;
	cond->ctype = ea_ctype_from_name(cond->type);
	cond->opk = ea_op_from_name(cond->op);
	cond->field_slot = ea_user_field_slot(cond->lower_field);
	cond->ua_index = ea_ua_field_index(cond->lower_field);
	if ((st = ea_parse_additional(c, obj, cond)) != EA_OK)
		return st;
	tv = json_object_object_get(obj, "targetValue");
	cond->has_target = (tv != NULL);
	ok = ea_tval_from_json(a, tv, cond->op && strcmp(cond->op, "str_matches") == 0,
						   &cond->target);
	/* track even a half-built target, so its maps are freed either way */
	if (!ea_track_tval(c->specs, &cond->target))
	{
		ea_tval_free_regex(&cond->target);
		return ea_nomem(c);
	}
	if (!ok || a->failed)
		return ea_nomem(c);
	if (cond->ctype == EA_C_USER_BUCKET && !ea_bucket_set_build(a, cond))
		return ea_nomem(c);
	if (cond->target.regex_unsupported != NULL)
	{
		char		msg[256];

		snprintf(msg, sizeof(msg),
				 "the str_matches pattern uses %s, which Server Core reads differently from PCRE2",
				 cond->target.regex_unsupported);
		return ea_bad(c, msg);
	}
	*out = cond;
	return EA_OK;
}

static ea_status
ea_parse_rule_conditions(ea_pctx *c, json_object *obj, ea_rule *rule)
{
	json_object *conds = json_object_object_get(obj, "conditions");
	size_t		plen = strlen(c->path);
	size_t		i;
	ea_status	st;

	if (conds == NULL || !json_object_is_type(conds, json_type_array))
		return ea_bad(c, "\"conditions\" must be an array");
	rule->ncond = json_object_array_length(conds);
	rule->conds = ea_arena_alloc(&c->specs->arena,
								 sizeof(ea_condition *) * (rule->ncond ? rule->ncond : 1));
	if (rule->conds == NULL)
		return ea_nomem(c);
	for (i = 0; i < rule->ncond; i++)
	{
		json_object *ce = json_object_array_get_idx(conds, i);

		snprintf(c->path + plen, sizeof(c->path) - plen, ".conditions[%zu]", i);
		if (c->specs->format == 2)
		{
			if (!json_object_is_type(ce, json_type_string))
				return ea_bad(c, "a v2 rule condition must be a condition_map id (string)");
			rule->conds[i] = ea_map_get(&c->specs->conditions,
										json_object_get_string(ce));
			if (rule->conds[i] == NULL)
			{
				char		msg[200];

				snprintf(msg, sizeof(msg), "condition id \"%.80s\" is not in condition_map",
						 json_object_get_string(ce));
				return ea_bad(c, msg);
			}
			continue;
		}
		if ((st = ea_parse_condition(c, ce, &rule->conds[i])) != EA_OK)
			return st;
	}
	c->path[plen] = '\0';
	return EA_OK;
}

static ea_status
ea_parse_rule_value(ea_pctx *c, json_object *obj, ea_rule *rule)
{
	json_object *rv = json_object_object_get(obj, "returnValue");
	json_object *pp = json_object_object_get(obj, "passPercentage");

	if (pp == NULL || !ea_is_number(pp))
		return ea_bad(c, "\"passPercentage\" must be a number");
	rule->pass_percentage = json_object_get_double(pp);
	rule->return_json = ea_serialize(c, rv);
	rule->return_bool = json_object_is_type(rv, json_type_boolean)
		? json_object_get_boolean(rv) : -1;
	rule->return_is_object = json_object_is_type(rv, json_type_object);
	return rule->return_json ? EA_OK : ea_nomem(c);
}

static ea_status
ea_parse_rule(ea_pctx *c, json_object *obj, ea_rule *rule)
{
	ea_status	st = EA_OK;
	size_t		plen = strlen(c->path);
	json_object *salt;

	if (!json_object_is_type(obj, json_type_object))
		return ea_bad(c, "a rule must be an object");
	if (!ea_req_string(c, obj, "id", &rule->id, &st))
		return st;
	snprintf(c->path + plen, sizeof(c->path) - plen, " (id \"%.60s\")", rule->id);
	salt = json_object_object_get(obj, "salt");
	if (salt != NULL && !json_object_is_type(salt, json_type_string))
		return ea_bad(c, "\"salt\" must be a string or null");
	if (!ea_opt_string(c, obj, "name", &rule->name, &st) ||
		!ea_opt_string(c, obj, "salt", &rule->salt, &st) ||
		!ea_req_string(c, obj, "idType", &rule->id_type, &st) ||
		!ea_opt_string(c, obj, "groupName", &rule->group_name, &st) ||
		!ea_opt_string(c, obj, "configDelegate", &rule->config_delegate, &st) ||
		!ea_opt_bool(c, obj, "isExperimentGroup", &rule->is_experiment_group, &st))
		return st;
	rule->lower_id_type = ea_lower_dup(&c->specs->arena, rule->id_type);
	if ((st = ea_parse_rule_value(c, obj, rule)) != EA_OK ||
		(st = ea_parse_rule_conditions(c, obj, rule)) != EA_OK)
		return st;
	c->path[plen] = '\0';
	return EA_OK;
}

static ea_status
ea_parse_rules(ea_pctx *c, json_object *obj, ea_spec *spec)
{
	json_object *rules = json_object_object_get(obj, "rules");
	size_t		plen = strlen(c->path);
	size_t		i;
	ea_status	st;

	if (rules == NULL || !json_object_is_type(rules, json_type_array))
		return ea_bad(c, "\"rules\" must be an array");
	spec->nrules = json_object_array_length(rules);
	spec->rules = ea_arena_alloc(&c->specs->arena,
								 sizeof(ea_rule) * (spec->nrules ? spec->nrules : 1));
	if (spec->rules == NULL)
		return ea_nomem(c);
	for (i = 0; i < spec->nrules; i++)
	{
		snprintf(c->path + plen, sizeof(c->path) - plen, ".rules[%zu]", i);
		st = ea_parse_rule(c, json_object_array_get_idx(rules, i),
						   &spec->rules[i]);
		if (st != EA_OK)
			return st;
	}
	c->path[plen] = '\0';
	return EA_OK;
}

static ea_status
ea_parse_explicit(ea_pctx *c, json_object *obj, ea_spec *spec)
{
	json_object *ep = json_object_object_get(obj, "explicitParameters");
	size_t		i;

	if (ep == NULL || json_object_is_type(ep, json_type_null))
		return EA_OK;
	if (!json_object_is_type(ep, json_type_array))
		return ea_bad(c, "\"explicitParameters\" must be an array of strings");
	spec->has_explicit = true;
	spec->nexplicit = json_object_array_length(ep);
	spec->explicit_params = ea_arena_alloc(&c->specs->arena,
										   sizeof(char *) * (spec->nexplicit + 1));
	if (spec->explicit_params == NULL)
		return ea_nomem(c);
	for (i = 0; i < spec->nexplicit; i++)
	{
		json_object *p = json_object_array_get_idx(ep, i);

		if (!json_object_is_type(p, json_type_string))
			return ea_bad(c, "\"explicitParameters\" must be an array of strings");
		if ((spec->explicit_params[i] = ea_pstr(c, p)) == NULL)
			return ea_nomem(c);
	}
	return EA_OK;
}

static ea_status
ea_parse_spec_fields(ea_pctx *c, json_object *obj, ea_spec *spec)
{
	ea_status	st = EA_OK;
	json_object *enabled = json_object_object_get(obj, "enabled");
	json_object *dv = json_object_object_get(obj, "defaultValue");
	json_object *ver = json_object_object_get(obj, "version");
	int			new_layer;

	if (!ea_req_string(c, obj, "salt", &spec->salt, &st) ||
		!ea_req_string(c, obj, "idType", &spec->id_type, &st) ||
		!ea_opt_string(c, obj, "type", &spec->type, &st) ||
		!ea_opt_string(c, obj, "entity", &spec->entity, &st) ||
		!ea_opt_bool(c, obj, "isActive", &spec->is_active, &st) ||
		!ea_opt_bool(c, obj, "useNewLayerEval", &new_layer, &st))
		return st;
	if (enabled == NULL || !json_object_is_type(enabled, json_type_boolean))
		return ea_bad(c, "\"enabled\" must be a boolean");
	if (dv == NULL)
		return ea_bad(c, "\"defaultValue\" is missing");
	if (ver != NULL && !json_object_is_type(ver, json_type_null) &&
		!json_object_is_type(ver, json_type_int))
		return ea_bad(c, "\"version\" must be an integer");
	spec->version = (ver && json_object_is_type(ver, json_type_int))
		? json_object_get_int64(ver) : -1;
	spec->enabled = json_object_get_boolean(enabled);
	spec->use_new_layer_eval = (new_layer == 1);
	spec->default_json = ea_serialize(c, dv);
	spec->default_bool = json_object_is_type(dv, json_type_boolean)
		? json_object_get_boolean(dv) : -1;
	spec->default_is_object = json_object_is_type(dv, json_type_object);
	if (spec->type == NULL)
		spec->type = spec->kind == EA_KIND_GATE ? "feature_gate" : "dynamic_config";
	if (spec->entity == NULL)
		spec->entity = spec->type;
	return spec->default_json ? EA_OK : ea_nomem(c);
}

static ea_status
ea_register_spec(ea_pctx *c, ea_spec *spec)
{
	ea_specs   *specs = c->specs;
	ea_map	   *map = spec->kind == EA_KIND_GATE ? &specs->gates
		: spec->kind == EA_KIND_LAYER ? &specs->layers : &specs->configs;

	if (ea_map_get(map, spec->name) != NULL)
		return ea_bad(c, "duplicate spec name");
	if (!ea_map_put(map, spec->name, spec))
		return ea_nomem(c);
	return EA_OK;
}

static ea_status
ea_parse_spec(ea_pctx *c, const char *key, json_object *obj, ea_kind kind,
			  ea_spec **out)
{
	ea_spec    *spec;
	ea_status	st = EA_OK;
	size_t		plen = strlen(c->path);

	if (!json_object_is_type(obj, json_type_object))
		return ea_bad(c, "a spec must be an object");
	spec = ea_arena_alloc(&c->specs->arena, sizeof(ea_spec));
	if (spec == NULL)
		return ea_nomem(c);
	spec->kind = kind;
	if (key != NULL)
		spec->name = ea_arena_strdup(&c->specs->arena, key);
	else if (!ea_req_string(c, obj, "name", &spec->name, &st))
		return st;
	if (spec->name == NULL)
		return ea_nomem(c);
	snprintf(c->path + plen, sizeof(c->path) - plen, " (\"%.80s\")", spec->name);
	if ((st = ea_parse_spec_fields(c, obj, spec)) != EA_OK ||
		(st = ea_parse_explicit(c, obj, spec)) != EA_OK ||
		(st = ea_parse_rules(c, obj, spec)) != EA_OK ||
		(st = ea_register_spec(c, spec)) != EA_OK)
		return st;
	c->path[plen] = '\0';
	*out = spec;
	return EA_OK;
}

static ea_status
ea_add_to_all(ea_pctx *c, ea_spec *spec, size_t *cap)
{
	ea_specs   *specs = c->specs;

	if (specs->nspecs == *cap)
	{
		size_t		ncap = *cap ? *cap * 2 : 64;
		ea_spec   **p = realloc(specs->all, ncap * sizeof(ea_spec *));

		if (p == NULL)
			return ea_nomem(c);
		specs->all = p;
		*cap = ncap;
	}
	specs->all[specs->nspecs++] = spec;
	return EA_OK;
}

/* One of feature_gates / dynamic_configs / layer_configs. */
static ea_status
ea_parse_spec_list(ea_pctx *c, json_object *root, const char *key,
				   ea_kind kind, size_t *cap)
{
	json_object *list = json_object_object_get(root, key);
	ea_spec    *spec;
	ea_status	st;
	size_t		i;

	if (list == NULL || json_object_is_type(list, json_type_null))
		return EA_OK;
	if (c->specs->format == 1 && json_object_is_type(list, json_type_array))
	{
		for (i = 0; i < json_object_array_length(list); i++)
		{
			snprintf(c->path, sizeof(c->path), "%s[%zu]", key, i);
			st = ea_parse_spec(c, NULL, json_object_array_get_idx(list, i),
							   kind, &spec);
			if (st != EA_OK || (st = ea_add_to_all(c, spec, cap)) != EA_OK)
				return st;
		}
		return EA_OK;
	}
	if (c->specs->format == 2 && json_object_is_type(list, json_type_object))
	{
		json_object_object_foreach(list, name, val)
		{
			snprintf(c->path, sizeof(c->path), "%s", key);
			st = ea_parse_spec(c, name, val, kind, &spec);
			if (st != EA_OK || (st = ea_add_to_all(c, spec, cap)) != EA_OK)
				return st;
		}
		return EA_OK;
	}
	snprintf(c->path, sizeof(c->path), "%s", key);
	return ea_bad(c, c->specs->format == 1 ? "must be an array in a v1 document"
				  : "must be an object keyed by spec name in a dcs-v2 document");
}

static ea_status
ea_parse_condition_map(ea_pctx *c, json_object *root)
{
	json_object *cm = json_object_object_get(root, "condition_map");
	ea_condition *cond;
	ea_status	st;

	if (cm == NULL)
		return ea_bad(c, "a dcs-v2 document needs \"condition_map\"");
	if (!json_object_is_type(cm, json_type_object))
		return ea_bad(c, "\"condition_map\" must be an object");
	{
		json_object_object_foreach(cm, id, val)
		{
			char	   *key;

			snprintf(c->path, sizeof(c->path), "condition_map[\"%.80s\"]", id);
			if ((st = ea_parse_condition(c, val, &cond)) != EA_OK)
				return st;
			key = ea_arena_strdup(&c->specs->arena, id);
			if (key == NULL || !ea_map_put(&c->specs->conditions, key, cond))
				return ea_nomem(c);
		}
	}
	c->path[0] = '\0';
	return EA_OK;
}

static ea_status
ea_set_layer(ea_pctx *c, const char *exp, const char *layer)
{
	ea_spec    *spec = ea_map_get(&c->specs->configs, exp);

	if (spec != NULL)
		spec->layer = ea_arena_strdup(&c->specs->arena, layer);
	return (spec == NULL || spec->layer != NULL) ? EA_OK : ea_nomem(c);
}

/* v1 "layers": {layer: [experiment, ...]}; v2 "experiment_to_layer". */
static ea_status
ea_parse_layer_map(ea_pctx *c, json_object *root)
{
	json_object *m = json_object_object_get(root, c->specs->format == 2
											? "experiment_to_layer" : "layers");
	ea_status	st;
	size_t		i;

	strcpy(c->path, c->specs->format == 2 ? "experiment_to_layer" : "layers");
	if (m == NULL || json_object_is_type(m, json_type_null))
		return EA_OK;
	if (!json_object_is_type(m, json_type_object))
		return ea_bad(c, "must be an object");
	{
		json_object_object_foreach(m, k, v)
		{
			if (c->specs->format == 2 && json_object_is_type(v, json_type_string))
			{
				if ((st = ea_set_layer(c, k, json_object_get_string(v))) != EA_OK)
					return st;
				continue;
			}
			if (c->specs->format == 2 || !json_object_is_type(v, json_type_array))
				return ea_bad(c, "unexpected value type");
			for (i = 0; i < json_object_array_length(v); i++)
			{
				json_object *e = json_object_array_get_idx(v, i);

				if (json_object_is_type(e, json_type_string) &&
					(st = ea_set_layer(c, json_object_get_string(e), k)) != EA_OK)
					return st;
			}
		}
	}
	c->path[0] = '\0';
	return EA_OK;
}

static ea_status
ea_parse_mapping(ea_pctx *c, json_object *m, ea_mapping *out)
{
	json_object *rules = json_object_object_get(m, "rules");
	ea_status	st = EA_OK;
	size_t		i;

	if (!json_object_is_type(m, json_type_object) ||
		!ea_req_string(c, m, "new_config_name", &out->new_config_name, &st))
		return st != EA_OK ? st : ea_bad(c, "a config mapping must be an object");
	if (rules == NULL || !json_object_is_type(rules, json_type_array))
		return ea_bad(c, "a config mapping needs a \"rules\" array");
	out->nrules = json_object_array_length(rules);
	out->rules = ea_arena_alloc(&c->specs->arena,
								sizeof(ea_mapping_rule) * (out->nrules ? out->nrules : 1));
	if (out->rules == NULL)
		return ea_nomem(c);
	for (i = 0; i < out->nrules; i++)
	{
		json_object *r = json_object_array_get_idx(rules, i);
		json_object *stt = json_object_object_get(r, "start_time");

		if (!ea_req_string(c, r, "rule_name", &out->rules[i].rule_name, &st))
			return st;
		out->rules[i].start_time = (stt && ea_is_number(stt))
			? json_object_get_int64(stt) : 0;
	}
	return EA_OK;
}

/* Config mappings: "overrides" and "override_rules" (Server Core). */
static ea_status
ea_parse_overrides(ea_pctx *c, json_object *root)
{
	json_object *rules = json_object_object_get(root, "override_rules");
	json_object *ovr = json_object_object_get(root, "overrides");
	ea_status	st;
	size_t		i;

	if (rules && json_object_is_type(rules, json_type_object))
	{
		json_object_object_foreach(rules, name, val)
		{
			ea_rule    *rule = ea_arena_alloc(&c->specs->arena, sizeof(ea_rule));

			snprintf(c->path, sizeof(c->path), "override_rules[\"%.80s\"]", name);
			if (rule == NULL)
				return ea_nomem(c);
			if ((st = ea_parse_rule(c, val, rule)) != EA_OK)
				return st;
			if (!ea_map_put(&c->specs->override_rules,
							ea_arena_strdup(&c->specs->arena, name), rule))
				return ea_nomem(c);
		}
	}
	if (ovr == NULL || !json_object_is_type(ovr, json_type_object))
		return EA_OK;
	{
		json_object_object_foreach(ovr, name, val)
		{
			ea_mapping_list *ml = ea_arena_alloc(&c->specs->arena, sizeof(ea_mapping_list));

			snprintf(c->path, sizeof(c->path), "overrides[\"%.80s\"]", name);
			if (ml == NULL)
				return ea_nomem(c);
			if (!json_object_is_type(val, json_type_array))
				return ea_bad(c, "must be an array of config mappings");
			ml->n = json_object_array_length(val);
			ml->items = ea_arena_alloc(&c->specs->arena, sizeof(ea_mapping) * (ml->n ? ml->n : 1));
			if (ml->items == NULL)
				return ea_nomem(c);
			for (i = 0; i < ml->n; i++)
				if ((st = ea_parse_mapping(c, json_object_array_get_idx(val, i),
										   &ml->items[i])) != EA_OK)
					return st;
			if (!ea_map_put(&c->specs->overrides,
							ea_arena_strdup(&c->specs->arena, name), ml))
				return ea_nomem(c);
		}
	}
	c->path[0] = '\0';
	return EA_OK;
}

static int
ea_detect_format(json_object *root)
{
	json_object *rf = json_object_object_get(root, "response_format");
	json_object *fg = json_object_object_get(root, "feature_gates");

	if (rf && json_object_is_type(rf, json_type_string) &&
		strcmp(json_object_get_string(rf), "dcs-v2") == 0)
		return 2;
	if (fg && json_object_is_type(fg, json_type_object))
		return 2;
	return 1;
}

static ea_status
ea_parse_top(ea_pctx *c, json_object *root)
{
	ea_specs   *specs = c->specs;
	json_object *t = json_object_object_get(root, "time");
	json_object *app = json_object_object_get(root, "app_id");
	ea_status	st = EA_OK;
	size_t		cap = 0;

	if (!json_object_is_type(root, json_type_object))
		return ea_bad(c, "the document must be a JSON object");
	if (!json_object_object_get(root, "feature_gates") &&
		!json_object_object_get(root, "dynamic_configs") &&
		!json_object_object_get(root, "layer_configs"))
		return ea_bad(c, "no \"feature_gates\", \"dynamic_configs\" or \"layer_configs\" found");
	if (t != NULL && !ea_is_number(t) && !json_object_is_type(t, json_type_null))
		return ea_bad(c, "\"time\" must be a number");
	specs->time = (t && ea_is_number(t)) ? json_object_get_int64(t) : 0;
	specs->format = ea_detect_format(root);
	if (!ea_opt_string(c, root, "default_environment",
					   &specs->default_environment, &st))
		return st;
	if (app != NULL && !json_object_is_type(app, json_type_null))
	{
		specs->has_app_id = true;
		if (!ea_dval_from_json(&specs->arena, app, &specs->app_id))
			return ea_nomem(c);
	}
	if (specs->format == 2 && (st = ea_parse_condition_map(c, root)) != EA_OK)
		return st;
	if ((st = ea_parse_spec_list(c, root, "feature_gates", EA_KIND_GATE, &cap)) != EA_OK ||
		(st = ea_parse_spec_list(c, root, "dynamic_configs", EA_KIND_CONFIG, &cap)) != EA_OK ||
		(st = ea_parse_spec_list(c, root, "layer_configs", EA_KIND_LAYER, &cap)) != EA_OK ||
		(st = ea_parse_layer_map(c, root)) != EA_OK)
		return st;
	return ea_parse_overrides(c, root);
}

/*
 * json-c clamps integers beyond 64 bits to the type's limit; Server Core
 * (serde_json) reads them as f64.  Integer tokens that json-c cannot hold
 * exactly are rewritten as "<digits>.0", which json-c keeps as a double
 * with its original text.  Returns a malloc'd copy, or NULL when the text
 * needs no change (the common case) or memory runs out (*oom set).
 */
static bool
ea_int_token_overflows(const char *p, size_t n)
{
	char		buf[32];
	bool		neg = (p[0] == '-');
	size_t		digits = n - (neg ? 1 : 0);

	if (digits < 19)
		return false;
	if (digits > 20)
		return true;
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	if (neg)
		(void) strtoll(buf, NULL, 10);
	else
		(void) strtoull(buf, NULL, 10);
	return errno == ERANGE;
}

/* Scan JSON text for number tokens; call back for each integer one. */
static char *
ea_widen_big_integers(const char *json, size_t len, size_t *newlen, bool *oom)
{
	ea_buf		b = {0};
	size_t		i = 0,
				copied = 0;
	bool		in_str = false;

	*oom = false;
	while (i < len)
	{
		char		ch = json[i];
		size_t		start = i;

		if (in_str)
		{
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
			i++;
			continue;
		}
		if (ch == '"')
		{
			in_str = true;
			i++;
			continue;
		}
		if (ch != '-' && (ch < '0' || ch > '9'))
		{
			i++;
			continue;
		}
		while (i < len && (json[i] == '-' || (json[i] >= '0' && json[i] <= '9')))
			i++;
		if (i < len && (json[i] == '.' || json[i] == 'e' || json[i] == 'E'))
		{
			while (i < len && strchr("0123456789.eE+-", json[i]))
				i++;
			continue;
		}
		if (!ea_int_token_overflows(json + start, i - start))
			continue;
		ea_buf_append(&b, json + copied, i - copied);
		ea_buf_puts(&b, ".0");
		copied = i;
	}
	if (b.data == NULL && !b.failed)
		return NULL;
	ea_buf_append(&b, json + copied, len - copied);
	if (b.failed)
	{
		free(b.data);
		*oom = true;
		return NULL;
	}
	*newlen = b.len;
	return b.data;
}

static ea_status
ea_tokenize(const char *json, size_t len, json_object **out, ea_error *err)
{
	json_tokener *tok = json_tokener_new_ex(EA_MAX_JSON_DEPTH);
	enum json_tokener_error jerr;

	*out = NULL;
	if (tok == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	*out = json_tokener_parse_ex(tok, json, (int) len);
	jerr = json_tokener_get_error(tok);
	if (*out == NULL || jerr != json_tokener_success ||
		json_tokener_get_parse_end(tok) != len)
	{
		ea_fail(err, EA_ERR_JSON, "config specs document is not valid JSON",
				"JSON parsing stopped at byte %zu: %s.",
				json_tokener_get_parse_end(tok),
				jerr == json_tokener_continue ? "the document is truncated"
				: json_tokener_error_desc(jerr));
		ea_set_hint(err, "Pass the complete download_config_specs response.");
		json_object_put(*out);
		*out = NULL;
		json_tokener_free(tok);
		return EA_ERR_JSON;
	}
	json_tokener_free(tok);
	return EA_OK;
}

/*
 * Point nested gate conditions and layer delegates at the specs they
 * name, so an evaluation follows a pointer instead of looking the name
 * up.  A name the document lacks stays NULL and is looked up (and not
 * found) at evaluation time, as before.
 */
static void
ea_resolve_rules(ea_specs *specs, ea_rule *rules, size_t nrules)
{
	size_t		i,
				j;

	for (i = 0; i < nrules; i++)
	{
		ea_rule    *rule = &rules[i];

		if (rule->config_delegate != NULL)
			rule->delegate_spec = ea_map_get(&specs->configs, rule->config_delegate);
		for (j = 0; j < rule->ncond; j++)
		{
			ea_condition *cond = rule->conds[j];

			if (cond != NULL &&
				(cond->ctype == EA_C_PASS_GATE || cond->ctype == EA_C_FAIL_GATE) &&
				cond->target.type == EA_J_STRING && cond->target.str != NULL)
				cond->gate_spec = ea_map_get(&specs->gates, cond->target.str);
		}
	}
}

static void
ea_resolve_names(ea_specs *specs)
{
	const ea_map *maps[3] = {&specs->gates, &specs->configs, &specs->layers};
	size_t		m,
				i;

	for (m = 0; m < 3; m++)
		for (i = 0; i < maps[m]->cap; i++)
		{
			ea_spec    *spec = maps[m]->slots[i].value;

			if (maps[m]->slots[i].key != NULL && spec != NULL)
				ea_resolve_rules(specs, spec->rules, spec->nrules);
		}
	for (i = 0; i < specs->override_rules.cap; i++)
		if (specs->override_rules.slots[i].key != NULL &&
			specs->override_rules.slots[i].value != NULL)
			ea_resolve_rules(specs, specs->override_rules.slots[i].value, 1);
}

ea_status
ea_specs_parse(const char *json, size_t len, ea_specs **out, ea_error *err)
{
	json_object *root;
	ea_specs   *specs;
	ea_pctx		c;
	ea_status	st;
	char	   *widened;
	size_t		wlen = 0;
	bool		oom;

	*out = NULL;
	if (len > (size_t) 0x7fffffff)
		return ea_fail(err, EA_ERR_LIMIT, "config specs document is too large",
					   "The document is %zu bytes; at most 2 GB is accepted.", len);
	widened = ea_widen_big_integers(json, len, &wlen, &oom);
	if (oom)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	st = widened ? ea_tokenize(widened, wlen, &root, err)
		: ea_tokenize(json, len, &root, err);
	free(widened);
	if (st != EA_OK)
		return st;
	specs = calloc(1, sizeof(ea_specs));
	if (specs == NULL)
	{
		json_object_put(root);
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	}
	memset(&c, 0, sizeof(c));
	c.specs = specs;
	c.err = err;
	st = ea_parse_top(&c, root);
	json_object_put(root);
	if (st == EA_OK && specs->arena.failed)
		st = ea_nomem(&c);
	if (st == EA_OK)
		st = ea_specs_check_nesting(specs, err);
	if (st != EA_OK)
	{
		ea_specs_free(specs);
		return st;
	}
	ea_resolve_names(specs);
	*out = specs;
	return EA_OK;
}

void
ea_specs_free(ea_specs *specs)
{
	size_t		i;

	if (specs == NULL)
		return;
	for (i = 0; i < specs->ntvals; i++)
		ea_tval_free_regex(specs->tvals[i]);
	free(specs->tvals);
	free(specs->all);
	ea_map_free(&specs->gates);
	ea_map_free(&specs->configs);
	ea_map_free(&specs->layers);
	ea_map_free(&specs->conditions);
	ea_map_free(&specs->override_rules);
	ea_map_free(&specs->overrides);
	for (i = 0; i < 4; i++)
	{
		size_t		j;

		for (j = 0; j < specs->needs[i].cap; j++)
			if (specs->needs[i].slots[j].key != NULL)
				ea_user_needs_free(specs->needs[i].slots[j].value);
		ea_map_free(&specs->needs[i]);
	}
	ea_arena_free(&specs->arena);
	free(specs);
}

int64_t
ea_specs_time(const ea_specs *specs)
{
	return specs->time;
}

int
ea_specs_format(const ea_specs *specs)
{
	return specs->format;
}

size_t
ea_specs_count(const ea_specs *specs)
{
	return specs->nspecs;
}

const char *
ea_specs_id_type(const ea_specs *specs, ea_kind kind, const char *name)
{
	const ea_map *map = kind == EA_KIND_GATE ? &specs->gates
		: kind == EA_KIND_LAYER ? &specs->layers : &specs->configs;
	const ea_spec *spec = ea_map_get(map, name);

	return spec ? spec->id_type : NULL;
}

void
ea_specs_info(const ea_specs *specs, size_t i, ea_spec_info *out)
{
	const ea_spec *s = specs->all[i];

	memset(out, 0, sizeof(*out));
	out->name = s->name;
	out->kind = s->kind;
	out->entity = s->entity;
	out->id_type = s->id_type;
	out->enabled = s->enabled;
	out->is_active = s->is_active;
	out->layer = s->layer;
	out->version = s->version;
	out->rule_count = (int) s->nrules;
}
