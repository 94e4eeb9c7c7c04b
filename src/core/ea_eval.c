/*-------------------------------------------------------------------------
 *
 * ea_eval.c
 *	  The evaluator: Server Core's algorithm for gates, dynamic configs,
 *	  experiments and layers.
 *
 * One result record is threaded through an evaluation and its nested
 * evaluations (pass_gate / fail_gate, layer delegation), exactly as Server
 * Core threads its EvaluatorResult; that is what makes rule ids, group
 * names and secondary exposures come out the same, quirks included.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_eval.h"
#include "ea_compare.h"
#include "ea_hash.h"
#include "ea_result.h"
#include "ea_uacache.h"
#include "ea_ip.h"
#include "ea_ua.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EA_MEMO_MAX 64

typedef struct ea_memo
{
	const char *gate;
	const ea_spec *spec;		/* NULL for a gate the document lacks */
	bool		value;
	const char *rule_id;
} ea_memo;

typedef struct ea_ctx
{
	const ea_specs *specs;
	const ea_user *user;
	const ea_eval_opts *opts;
	ea_result  *r;
	int			nested_count;
	int		   *depth;			/* shared with experiment_group evaluations */
	bool		overflow;		/* stop: nesting too deep, or regex_limit */
	const ea_tval *regex_limit; /* a str_matches that gave no answer */
	int64_t		now_ms;			/* 0 until needed: see ea_ctx_now() */
	int64_t    *now;			/* the evaluation's time, shared with nested ones */
	ea_arena	scratch;		/* values made during this evaluation */
	ea_ua_info *ua;				/* parsed user agent, when needed */
	int			ua_state;		/* 0 not looked up, 1 fields set, -1 none */
	const char *ua_fields[4];	/* from the cache, for this evaluation */
	const char *ua_lower[4];	/* the same, lower-cased */
	ea_rule_filter filter;		/* restrict filter_spec's rules */
	const ea_spec *filter_spec;
	size_t		nmemo;
	unsigned	dv_built;		/* which of ua_dv[] / ip_dv are set */
	/* from here on not zeroed: nmemo and dv_built say what is set */
	ea_memo		memo[EA_MEMO_MAX];
	ea_dval		ua_dv[4];		/* user-agent fields as values */
	ea_dval		ip_dv;			/* the IP's country as a value */
} ea_ctx;

static bool ea_eval_spec(ea_ctx *ctx, const char *name, ea_kind kind);
static bool ea_eval_found(ea_ctx *ctx, const char *name, ea_kind kind,
						  const ea_spec *spec);
static int64_t ea_wall_clock_ms(void);
static void ea_scratch_take(ea_ctx *ctx);
static void ea_scratch_give_back(ea_ctx *ctx);

/* Start an evaluation into r; depth is shared with nested ones. */
static void
ea_ctx_init(ea_ctx *ctx, ea_result *r, const ea_specs *specs,
			const ea_user *user, const ea_eval_opts *opts, ea_kind kind,
			int *depth)
{
	static const ea_eval_opts no_opts = {0};

	memset(ctx, 0, offsetof(ea_ctx, memo));
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->version = -1;
	ctx->specs = specs;
	ctx->user = user;
	ctx->opts = opts ? opts : &no_opts;
	ctx->r = r;
	ctx->depth = depth;
	ctx->now_ms = ctx->opts->now_ms;
	ctx->now = &ctx->now_ms;
}

/*
 * The evaluation's time: the caller's, or the wall clock read once, when
 * a condition or a config mapping first needs it (most evaluations never
 * do).
 */
static int64_t
ea_ctx_now(ea_ctx *ctx)
{
	if (*ctx->now == 0)
		*ctx->now = ea_wall_clock_ms();
	return *ctx->now;
}

/* Free what an evaluation into a caller-owned result allocated. */
static void
ea_ctx_finish(ea_ctx *ctx, ea_result *r)
{
	free(r->exposures.items);
	free(r->undelegated.items);
	free(r->owned_json);
	r->exposures.items = r->undelegated.items = NULL;
	r->owned_json = NULL;
	ea_arena_free(&ctx->scratch);
}

/* ---- exposures ---- */

void
ea_expo_list_push(ea_result *r, ea_expo_list *l, const ea_exposure *e)
{
	if (l->n == l->cap)
	{
		size_t		cap = l->cap ? l->cap * 2 : 8;
		ea_exposure *p = realloc(l->items, cap * sizeof(ea_exposure));

		if (p == NULL)
		{
			r->nomem = true;
			return;
		}
		l->items = p;
		l->cap = cap;
	}
	l->items[l->n++] = *e;
}

static void
ea_expo_copy(ea_result *r, ea_expo_list *dst, const ea_expo_list *src)
{
	size_t		i;

	dst->n = 0;
	for (i = 0; i < src->n; i++)
		ea_expo_list_push(r, dst, &src->items[i]);
}

/* ---- result bookkeeping (Server Core's EvaluatorContext helpers) ---- */

static void
ea_reset_result(ea_ctx *ctx)
{
	ea_result  *r = ctx->r;
	ea_expo_list e = r->exposures;
	ea_expo_list u = r->undelegated;
	ea_kind		kind = r->kind;

	free(r->owned_json);
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->version = -1;
	e.n = u.n = 0;
	r->exposures = e;
	r->undelegated = u;
	ctx->nested_count = 0;
}

static bool
ea_prep_nested(ea_ctx *ctx)
{
	ctx->nested_count++;
	ctx->r->bool_value = false;
	ctx->r->json_value = NULL;
	ctx->r->json_is_object = false;
	if (ctx->nested_count > EA_MAX_NESTING || ++(*ctx->depth) > EA_MAX_NESTING)
	{
		ctx->overflow = true;
		return false;
	}
	return true;
}

static void
ea_finalize(ea_ctx *ctx)
{
	ea_result  *r = ctx->r;

	if (ctx->nested_count > 0)
	{
		ctx->nested_count--;
		return;
	}
	if (r->exposures.n == 0 || r->has_undelegated)
		return;
	r->has_undelegated = true;
	ea_expo_copy(r, &r->undelegated, &r->exposures);
}

static void
ea_set_json(ea_result *r, const char *json, bool is_object)
{
	r->json_value = json;
	r->json_is_object = is_object;
}

/* ---- unit ids and hashing ---- */

static const char *
ea_unit_id(ea_ctx *ctx, const char *id_type, const char *lower_id_type)
{
	const ea_dval *v = ea_user_unit_dval(ctx->user, id_type, lower_id_type);

	return (v != NULL && v->str != NULL) ? v->str : "";
}

static uint64_t
ea_hash3(const char *a, const char *b, const char *c)
{
	size_t		la = strlen(a),
				lb = strlen(b),
				lc = c ? strlen(c) : 0;
	char		stackbuf[512];
	char	   *buf = stackbuf;
	size_t		len = la + 1 + lb + (c ? 1 + lc : 0);
	uint64_t	h;

	if (len + 1 > sizeof(stackbuf) && (buf = malloc(len + 1)) == NULL)
		return 0;
	memcpy(buf, a, la);
	buf[la] = '.';
	memcpy(buf + la + 1, b, lb);
	if (c)
	{
		buf[la + 1 + lb] = '.';
		memcpy(buf + la + 2 + lb, c, lc);
	}
	h = ea_eval_hash(buf, len);
	if (buf != stackbuf)
		free(buf);
	return h;
}

static bool
ea_pass_percentage(ea_ctx *ctx, const ea_rule *rule, const char *spec_salt)
{
	const char *rule_salt;
	uint64_t	h;

	if (rule->pass_percentage == 100.0)
		return true;
	if (rule->pass_percentage == 0.0)
		return false;
	rule_salt = rule->salt ? rule->salt : rule->id;
	h = ea_hash3(spec_salt, rule_salt,
				 ea_unit_id(ctx, rule->id_type, rule->lower_id_type));
	return (double) (h % 10000) < rule->pass_percentage * 100.0;
}

/* ---- condition values ---- */

/* A user_bucket condition's bucket of the unit: 0..999. */
static uint64_t
ea_bucket(ea_ctx *ctx, const ea_condition *c)
{
	return ea_hash3(c->salt ? c->salt : "",
					ea_unit_id(ctx, c->id_type, c->lower_id_type), NULL) % 1000;
}

static const ea_dval *
ea_user_bucket(ea_ctx *ctx, const ea_condition *c)
{
	ea_dval    *v = ea_arena_alloc(&ctx->scratch, sizeof(ea_dval));

	if (v == NULL)
		return NULL;
	ea_dval_from_uint(&ctx->scratch, ea_bucket(ctx, c), v);
	return v;
}

static const ea_dval *
ea_string_value(ea_ctx *ctx, const char *s)
{
	ea_dval    *v;

	if (s == NULL)
		return NULL;
	v = ea_arena_alloc(&ctx->scratch, sizeof(ea_dval));
	if (v == NULL)
		return NULL;
	ea_dval_from_string(&ctx->scratch, ea_arena_strdup(&ctx->scratch, s), v);
	return ctx->scratch.failed ? NULL : v;
}

/*
 * environment_field: the user's own statsigEnvironment (exact field
 * name), then the SDK's environment -- the tier setting, or else the
 * document's default_environment -- by exact then lower-cased name.
 */
static const ea_dval *
ea_environment_value(ea_ctx *ctx, const ea_condition *c)
{
	const char *tier = ctx->opts->environment_tier;
	const ea_dval *v;

	if (c->field == NULL)
		return NULL;
	if ((v = ea_kv_get(&ctx->user->environment, c->field)) != NULL)
		return v;
	if (tier == NULL || tier[0] == '\0')
		tier = ctx->specs->default_environment;
	if (tier == NULL ||
		(strcmp(c->field, "tier") != 0 && strcmp(c->lower_field, "tier") != 0))
		return NULL;
	return ea_string_value(ctx, tier);
}

static const ea_dval *
ea_now_value(ea_ctx *ctx)
{
	ea_dval    *v = ea_arena_alloc(&ctx->scratch, sizeof(ea_dval));

	if (v == NULL)
		return NULL;
	v->type = EA_J_NUMBER;
	v->has_int = true;
	v->int_value = ea_ctx_now(ctx);
	return v;
}

/* The user agent a ua_based condition parses: an empty top-level one is skipped. */
static const ea_dval *
ea_user_agent(const ea_user *user)
{
	const ea_dval *v = ea_user_value_at(user, "userAgent", "useragent",
											EA_SLOT_USERAGENT);

	static const char *const keys[] = {"userAgent", "useragent"};
	int			i;

	if (v != &user->user_agent || v->str == NULL || v->str[0] != '\0')
		return v;
	for (i = 0; i < 2; i++)
		if ((v = ea_kv_get(&user->custom, keys[i])) != NULL)
			return v;
	for (i = 0; i < 2; i++)
		if ((v = ea_kv_get(&user->private_attributes, keys[i])) != NULL)
			return v;
	return NULL;
}

static const ea_dval *
ea_ua_value(ea_ctx *ctx, const ea_condition *c)
{
	const ea_dval *ua = ea_user_agent(ctx->user);

	if (c->field == NULL || c->ua_index < 0 || ua == NULL || ua->type != EA_J_STRING)
		return NULL;
	if (ctx->opts->ua_cache != NULL)
	{
		/* one cache lookup per evaluation: the fields stay valid till then */
		if (ctx->ua_state == 0)
			ctx->ua_state = ea_ua_cache_fields(ctx->opts->ua_cache, ua->str,
											   strlen(ua->str), ctx->ua_fields,
											   ctx->ua_lower) ? 1 : -1;
		if (ctx->ua_state < 0 || ctx->ua_fields[c->ua_index] == NULL)
			return NULL;
		/* the cache's string, valid for this evaluation: no copy */
		if (!(ctx->dv_built & (1u << c->ua_index)))
		{
			ea_dval_from_string(&ctx->scratch, ctx->ua_fields[c->ua_index],
								&ctx->ua_dv[c->ua_index]);
			ctx->ua_dv[c->ua_index].lower = ctx->ua_lower[c->ua_index];
			ctx->dv_built |= 1u << c->ua_index;
		}
		return &ctx->ua_dv[c->ua_index];
	}
	if (ctx->ua == NULL)
	{
		ctx->ua = ea_arena_alloc(&ctx->scratch, sizeof(ea_ua_info));
		if (ctx->ua == NULL)
			return NULL;
		ea_ua_parse(ua->str, strlen(ua->str), ctx->ua);
	}
	if (!ctx->ua->valid)
		return NULL;
	return ea_string_value(ctx, ea_ua_field(ctx->ua, c->lower_field));
}

static const ea_dval *
ea_ip_value(ea_ctx *ctx, const ea_condition *c)
{
	const ea_dval *ip;
	const char *country;

	if (c->field == NULL || strcmp(c->field, "country") != 0 ||
		ctx->opts->ip_table == NULL)
		return NULL;
	ip = ea_user_value_at(ctx->user, "ip", "ip", EA_SLOT_IP);
	if (ip == NULL || ip->str == NULL)
		return NULL;
	if (ctx->dv_built & (1u << 4))
		return &ctx->ip_dv;
	country = ea_ip_lookup(ctx->opts->ip_table, ip->str, strlen(ip->str));
	if (country == NULL)
		return NULL;
	/* the table's string, valid as long as the table: no copy */
	ea_dval_from_string(&ctx->scratch, country, &ctx->ip_dv);
	ctx->dv_built |= 1u << 4;
	return &ctx->ip_dv;
}

static const ea_dval *ea_experiment_group(ea_ctx *ctx, const ea_condition *c);

/*
 * The value a condition tests.  Sets *unsupported for an unknown type.
 */
static const ea_dval *
ea_condition_value(ea_ctx *ctx, const ea_condition *c, bool *unsupported)
{
	const ea_dval *v;

	switch (c->ctype)
	{
		case EA_C_USER_FIELD:
			return ea_user_value_at(ctx->user, c->field, c->lower_field, c->field_slot);
		case EA_C_UNIT_ID:
			return ea_user_unit_dval(ctx->user, c->id_type, c->lower_id_type);
		case EA_C_ENVIRONMENT_FIELD:
			return ea_environment_value(ctx, c);
		case EA_C_CURRENT_TIME:
			return ea_now_value(ctx);
		case EA_C_USER_BUCKET:
			return ea_user_bucket(ctx, c);
		case EA_C_TARGET_APP:
			return ctx->specs->has_app_id ? &ctx->specs->app_id : NULL;
		case EA_C_UA_BASED:
			v = ea_user_value_at(ctx->user, c->field, c->lower_field, c->field_slot);
			return v ? v : ea_ua_value(ctx, c);
		case EA_C_IP_BASED:
			v = ea_user_value_at(ctx->user, c->field, c->lower_field, c->field_slot);
			return v ? v : ea_ip_value(ctx, c);
		case EA_C_EXPERIMENT_GROUP:
			return ea_experiment_group(ctx, c);
		default:
			*unsupported = true;
			return NULL;
	}
}

/* ---- operators ---- */

static bool
ea_is_id_listed(ea_ctx *ctx, const ea_tval *t, const ea_dval *v)
{
	char		hash[9];

	if (t->str == NULL || v->str == NULL)
		return false;
	if (ctx->opts->idlist_contains == NULL)
		return false;
	ea_idlist_hash(v->str, strlen(v->str), hash);
	return ctx->opts->idlist_contains(ctx->opts->idlist_arg, t->str, hash);
}

/* Apply the operator; returns -1 for an unknown operator. */
static int
ea_apply_operator(ea_ctx *ctx, ea_op op, const ea_dval *v, const ea_tval *t)
{
	switch (op)
	{
		case EA_OP_GT:
		case EA_OP_GTE:
		case EA_OP_LT:
		case EA_OP_LTE:
			return ea_cmp_numbers(v, t, op);
		case EA_OP_VERSION_GT:
		case EA_OP_VERSION_GTE:
		case EA_OP_VERSION_LT:
		case EA_OP_VERSION_LTE:
		case EA_OP_VERSION_EQ:
		case EA_OP_VERSION_NEQ:
			return ea_cmp_versions(v, t, op);
		case EA_OP_ANY:
		case EA_OP_NONE:
		case EA_OP_STR_STARTS_WITH_ANY:
		case EA_OP_STR_ENDS_WITH_ANY:
		case EA_OP_STR_CONTAINS_ANY:
		case EA_OP_STR_CONTAINS_NONE:
			return ea_cmp_strings(v, t, op, true);
		case EA_OP_ANY_CASE_SENSITIVE:
		case EA_OP_NONE_CASE_SENSITIVE:
			return ea_cmp_strings(v, t, op, false);
		case EA_OP_STR_MATCHES:
			{
				int			m = ea_cmp_regex(v, t);

				if (m == EA_REGEX_LIMIT)
				{
					/* no silent "no match": the evaluation fails */
					ctx->regex_limit = t;
					ctx->overflow = true;
					return 0;
				}
				return m == EA_REGEX_MATCH;
			}
		case EA_OP_BEFORE:
		case EA_OP_AFTER:
		case EA_OP_ON:
			return ea_cmp_time(v, t, op);
		case EA_OP_EQ:
			return ea_cmp_eq(t, v);
		case EA_OP_NEQ:
			return !ea_cmp_eq(t, v);
		case EA_OP_IN_SEGMENT_LIST:
			return ea_is_id_listed(ctx, t, v);
		case EA_OP_NOT_IN_SEGMENT_LIST:
			return !ea_is_id_listed(ctx, t, v);
		case EA_OP_ARRAY_CONTAINS_ANY:
		case EA_OP_ARRAY_CONTAINS_NONE:
		case EA_OP_ARRAY_CONTAINS_ALL:
		case EA_OP_NOT_ARRAY_CONTAINS_ALL:
			return ea_cmp_arrays(v, t, op);
		default:
			return -1;
	}
}

/* ---- nested gates ---- */

/* A known gate is found by its spec, an unknown one by its name. */
static ea_memo *
ea_memo_find(ea_ctx *ctx, const char *gate, const ea_spec *spec)
{
	size_t		i;

	for (i = 0; i < ctx->nmemo; i++)
	{
		ea_memo    *m = &ctx->memo[i];

		if (spec != NULL ? m->spec == spec
			: m->spec == NULL && (m->gate == gate || strcmp(m->gate, gate) == 0))
			return m;
	}
	return NULL;
}

/*
 * pass_gate / fail_gate.  Server Core 0.23 adds the nested gate's
 * exposure once per evaluation (a memoised gate adds none) and none for a
 * gate it does not know; "segment:" gates never appear.
 */
static void
ea_nested_gate(ea_ctx *ctx, const ea_condition *c)
{
	ea_result  *r = ctx->r;
	const char *gate = (c->target.type == EA_J_STRING) ? c->target.str : "";
	const ea_spec *spec = c->gate_spec ? c->gate_spec
		: ea_map_get(&ctx->specs->gates, gate);
	ea_memo    *m = ea_memo_find(ctx, gate, spec);
	bool		expose = false;
	ea_exposure e;

	if (m != NULL)
	{
		r->bool_value = m->value;
		r->rule_id = m->rule_id;
	}
	else
	{
		if (!ea_prep_nested(ctx))
			return;
		expose = ea_eval_found(ctx, gate, EA_KIND_GATE, spec);
		(*ctx->depth)--;
		if (r->unsupported || ctx->overflow)
			return;
		if (gate[0] != '\0' && ctx->nmemo < EA_MEMO_MAX)
		{
			ctx->memo[ctx->nmemo].gate = gate;
			ctx->memo[ctx->nmemo].spec = spec;
			ctx->memo[ctx->nmemo].value = r->bool_value;
			ctx->memo[ctx->nmemo].rule_id = r->rule_id;
			ctx->nmemo++;
		}
	}
	if (expose && !ctx->opts->value_only &&
		(gate[0] != 's' || strncmp(gate, "segment:", 8) != 0))
	{
		e.gate = gate;
		e.value = r->bool_value;
		e.rule_id = r->rule_id ? r->rule_id : "";
		ea_expo_list_push(r, &r->exposures, &e);
	}
	if (c->ctype == EA_C_FAIL_GATE)
		r->bool_value = !r->bool_value;
}

static void
ea_eval_condition(ea_ctx *ctx, const ea_condition *c)
{
	ea_result  *r = ctx->r;
	bool		unsupported = false;
	const ea_dval *v;
	int			res;

	if (c->ctype == EA_C_PUBLIC)
	{
		r->bool_value = true;
		return;
	}
	if (c->ctype == EA_C_PASS_GATE || c->ctype == EA_C_FAIL_GATE)
	{
		ea_nested_gate(ctx, c);
		return;
	}
	if (c->bucket_set != NULL && !r->unsupported)
	{
		/* user_bucket any/none over an array: the bucket's bit (see ea_spec.h) */
		uint64_t	b = ea_bucket(ctx, c);
		bool		found = (c->bucket_set[b >> 6] >> (b & 63)) & 1;

		r->bool_value = (c->opk == EA_OP_NONE || c->opk == EA_OP_NONE_CASE_SENSITIVE)
			? !found : found;
		return;
	}
	v = ea_condition_value(ctx, c, &unsupported);
	if (unsupported || r->unsupported || c->op == NULL)
	{
		r->unsupported = true;
		return;
	}
	res = ea_apply_operator(ctx, c->opk, v ? v : &ea_dval_empty, &c->target);
	if (res < 0)
		r->unsupported = true;
	else
		r->bool_value = (res == 1);
}

/* All conditions are evaluated (no short circuit), as in Server Core. */
static void
ea_eval_rule(ea_ctx *ctx, const ea_rule *rule)
{
	bool		all = true;
	size_t		i;

	for (i = 0; i < rule->ncond; i++)
	{
		if (rule->conds[i] == NULL)
		{
			ctx->r->unsupported = true;
			return;
		}
		ea_eval_condition(ctx, rule->conds[i]);
		if (ctx->overflow)
			return;
		if (!ctx->r->bool_value)
			all = false;
	}
	ctx->r->bool_value = all;
}

/* ---- experiment_group condition ---- */

static const ea_dval *
ea_experiment_group(ea_ctx *ctx, const ea_condition *c)
{
	ea_result	sub;
	ea_ctx		sctx;
	const ea_dval *v = NULL;

	if (c->field == NULL)
		return NULL;
	ea_ctx_init(&sctx, &sub, ctx->specs, ctx->user, ctx->opts,
				EA_KIND_EXPERIMENT, ctx->depth);
	sctx.now = ctx->now;
	if (++(*ctx->depth) <= EA_MAX_NESTING)
		ea_eval_spec(&sctx, c->field, EA_KIND_EXPERIMENT);
	else
		sctx.overflow = true;
	(*ctx->depth)--;
	ctx->overflow |= sctx.overflow;
	if (sctx.regex_limit != NULL)
		ctx->regex_limit = sctx.regex_limit;
	if (sub.group_name != NULL)
		v = ea_string_value(ctx, sub.group_name);
	ea_ctx_finish(&sctx, &sub);
	return v;
}

/* ---- layers ---- */

static bool
ea_config_delegate(ea_ctx *ctx, const ea_rule *rule)
{
	ea_result  *r = ctx->r;
	const ea_spec *del;
	bool		rec;

	if (rule->config_delegate == NULL)
		return false;
	del = rule->delegate_spec ? rule->delegate_spec
		: ea_map_get(&ctx->specs->configs, rule->config_delegate);
	if (del == NULL)
		return false;
	r->has_undelegated = true;
	ea_expo_copy(r, &r->undelegated, &r->exposures);
	if (!ea_prep_nested(ctx))
		return false;
	rec = ea_eval_found(ctx, rule->config_delegate, EA_KIND_EXPERIMENT, del);
	(*ctx->depth)--;
	if (!rec)
	{
		r->has_undelegated = false;
		r->undelegated.n = 0;
		return false;
	}
	r->explicit_set = del->has_explicit;
	r->explicit_params = del->explicit_params;
	r->nexplicit = del->nexplicit;
	r->config_delegate = rule->config_delegate;
	return true;
}

/* Merge an object's members into acc where acc lacks them. */
static void
ea_merge_params(json_object *acc, const char *json, bool *reused)
{
	json_object *obj = ea_json_parse_deep(json);

	if (obj != NULL && json_object_is_type(obj, json_type_object))
	{
		json_object_object_foreach(obj, k, v)
		{
			if (json_object_object_get_ex(acc, k, NULL))
			{
				if (reused)
					*reused = true;
				continue;
			}
			if (reused == NULL)
				json_object_object_add(acc, k, json_object_get(v));
		}
	}
	json_object_put(obj);
}

static void
ea_add_params(json_object *acc, const char *json)
{
	ea_merge_params(acc, json, NULL);
}

/*
 * Server Core's new_layer_eval (useNewLayerEval layers): parameters merged
 * across passing rules, as node-core 0.23.2 does it:
 *	- every rule whose conditions and pass percentage pass contributes
 *	  the parameters it does not find already set;
 *	- a delegate rule allocates its experiment only if no earlier rule
 *	  passed (the delegate is evaluated either way, so its exposures
 *	  count), and its parameters must not overlap those already set;
 *	- the default value fills what is left;
 *	- the undelegated exposures come out empty (Server Core drains the
 *	  list before it would copy it).
 */
static bool
ea_new_layer_eval(ea_ctx *ctx, const ea_spec *spec)
{
	ea_result  *r = ctx->r;
	json_object *acc = json_object_new_object();
	ea_expo_list all = {0};
	bool		has_delegate = false,
				any_passed = false,
				passed = false,
				ieg = false;
	const char *rule_id = "default",
			   *delegate = NULL,
			   *group = NULL;
	const char *const *explicit_params = NULL;
	size_t		nexplicit = 0,
				i,
				j;
	bool		explicit_set = false;

	for (i = 0; i < spec->nrules && acc; i++)
	{
		const ea_rule *rule = &spec->rules[i];
		bool		earlier = any_passed;

		ea_eval_rule(ctx, rule);
		for (j = 0; j < r->exposures.n; j++)
			ea_expo_list_push(r, &all, &r->exposures.items[j]);
		r->exposures.n = 0;
		if (r->unsupported || ctx->overflow)
			goto out;
		if (!r->bool_value || !ea_pass_percentage(ctx, rule, spec->salt))
			continue;
		any_passed = true;
		if (ea_config_delegate(ctx, rule))
		{
			bool		reused = false;

			if (has_delegate || earlier || r->json_value == NULL || !r->json_is_object)
				continue;
			ea_merge_params(acc, r->json_value, &reused);
			if (reused)
				continue;
			ea_add_params(acc, r->json_value);
			for (j = 0; j < r->exposures.n; j++)
				ea_expo_list_push(r, &all, &r->exposures.items[j]);
			r->exposures.n = 0;
			has_delegate = true;
			passed = r->bool_value;
			delegate = r->config_delegate;
			group = r->group_name;
			rule_id = rule->id;
			ieg = rule->is_experiment_group == 1;
			explicit_set = r->explicit_set;
			explicit_params = r->explicit_params;
			nexplicit = r->nexplicit;
		}
		else
			ea_add_params(acc, rule->return_json);
	}
	ea_add_params(acc, spec->default_json);
	r->bool_value = passed;
	r->config_delegate = delegate;
	r->group_name = group;
	r->rule_id = rule_id;
	free(r->owned_json);
	r->owned_json = acc ? strdup(json_object_to_json_string_ext(acc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) : NULL;
	ea_set_json(r, r->owned_json, true);
	r->is_experiment_group = ieg;
	r->is_experiment_active = spec->is_active == 1;
	r->explicit_set = explicit_set;
	r->explicit_params = explicit_params;
	r->nexplicit = nexplicit;
	ea_expo_copy(r, &r->exposures, &all);
	r->has_undelegated = true;
	r->undelegated.n = 0;
	ea_finalize(ctx);
out:
	free(all.items);
	json_object_put(acc);
	return true;
}

/* ---- config mappings (DCS "overrides") ---- */

static bool
ea_config_mapping(ea_ctx *ctx, const char *name, ea_kind kind,
				  const ea_spec *spec)
{
	const ea_mapping_list *ml;
	size_t		i,
				j;
	bool		recognized;

	if (ctx->specs->override_rules.count == 0 ||
		(ml = ea_map_get(&ctx->specs->overrides, name)) == NULL)
		return false;
	for (i = 0; i < ml->n; i++)
	{
		const ea_mapping *m = &ml->items[i];

		for (j = 0; j < m->nrules; j++)
		{
			const ea_rule *rule;

			if (m->rules[j].start_time > ea_ctx_now(ctx))
				continue;
			rule = ea_map_get(&ctx->specs->override_rules, m->rules[j].rule_name);
			if (rule == NULL)
				continue;
			ea_eval_rule(ctx, rule);
			if (!ctx->r->bool_value || ctx->r->unsupported)
			{
				ea_reset_result(ctx);
				continue;
			}
			ea_reset_result(ctx);
			if (!ea_pass_percentage(ctx, rule, spec ? spec->salt : ""))
				continue;
			ctx->r->override_config_name = m->new_config_name;
			/* a mapping to a mapped name nests too: bound it */
			if (++(*ctx->depth) > EA_MAX_NESTING)
			{
				(*ctx->depth)--;
				ctx->overflow = true;
				return true;
			}
			recognized = ea_eval_spec(ctx, m->new_config_name, kind);
			(*ctx->depth)--;
			if (recognized || ctx->overflow)
				return true;
			ea_reset_result(ctx);
			break;
		}
	}
	return false;
}

/* ---- the main loop ---- */

static const ea_spec *
ea_find_spec(const ea_specs *specs, const char *name, ea_kind kind)
{
	const ea_map *map = kind == EA_KIND_GATE ? &specs->gates
		: kind == EA_KIND_LAYER ? &specs->layers : &specs->configs;

	return ea_map_get(map, name);
}

static void
ea_eval_header(ea_ctx *ctx, const ea_spec *spec, const char *name)
{
	ea_result  *r = ctx->r;

	if (r->name == NULL)
		r->name = name;
	if (r->id_type == NULL)
		r->id_type = spec->id_type;
	if (r->entity == NULL)
		r->entity = spec->entity;
	if (r->version < 0 && spec->version >= 0)
		r->version = spec->version;
	if (spec->is_active >= 0)
		r->is_experiment_active = spec->is_active == 1;
	if (spec->has_explicit)
	{
		r->explicit_set = true;
		r->explicit_params = spec->explicit_params;
		r->nexplicit = spec->nexplicit;
	}
}

static void
ea_rule_matched(ea_ctx *ctx, const ea_spec *spec, const ea_rule *rule)
{
	ea_result  *r = ctx->r;

	if (ea_pass_percentage(ctx, rule, spec->salt))
	{
		r->bool_value = rule->return_bool != 0;
		ea_set_json(r, rule->return_json, rule->return_is_object);
	}
	else
	{
		r->bool_value = spec->default_bool == 1;
		ea_set_json(r, spec->default_json, spec->default_is_object);
	}
	r->rule_id = rule->id;
	r->group_name = rule->group_name;
	r->is_experiment_group = rule->is_experiment_group == 1;
	r->is_experiment_active = spec->is_active == 1;
}

/* Targeting rules and console overrides, as the SDKs recognise them. */
static bool
ea_rule_in_filter(const ea_rule *rule, ea_rule_filter filter)
{
	size_t		len = strlen(rule->id);

	if (filter == EA_FILTER_TARGETING)
		return strcmp(rule->id, "targetingGate") == 0 ||
			strcmp(rule->id, "inlineTargetingRules") == 0;
	if (filter == EA_FILTER_OVERRIDES)
		return len >= 8 && strcmp(rule->id + len - 8, "override") == 0;
	return true;
}

/* Returns true when the spec was recognized. */
static bool
ea_eval_spec(ea_ctx *ctx, const char *name, ea_kind kind)
{
	return ea_eval_found(ctx, name, kind, ea_find_spec(ctx->specs, name, kind));
}

/* The same, for a spec already found by its name (NULL: the document lacks it). */
static bool
ea_eval_found(ea_ctx *ctx, const char *name, ea_kind kind, const ea_spec *spec)
{
	ea_result  *r = ctx->r;
	size_t		i;
	size_t		nrules;

	if (ea_config_mapping(ctx, name, kind, spec))
		return true;
	if (spec == NULL)
		return false;
	ea_eval_header(ctx, spec, name);
	if (spec->use_new_layer_eval && kind == EA_KIND_LAYER)
		return ea_new_layer_eval(ctx, spec);
	/* v1 keeps a disabled spec's rules; Statsig's servers strip them */
	nrules = (ctx->specs->format == 1 && !spec->enabled) ? 0 : spec->nrules;
	for (i = 0; i < nrules; i++)
	{
		const ea_rule *rule = &spec->rules[i];

		if (spec == ctx->filter_spec && !ea_rule_in_filter(rule, ctx->filter))
			continue;
		ea_eval_rule(ctx, rule);
		if (r->unsupported || ctx->overflow)
			return true;
		if (!r->bool_value)
			continue;
		if (ea_config_delegate(ctx, rule))
		{
			ea_finalize(ctx);
			return true;
		}
		if (ctx->overflow)
			return true;
		ea_rule_matched(ctx, spec, rule);
		ea_finalize(ctx);
		return true;
	}
	r->bool_value = spec->default_bool == 1;
	ea_set_json(r, spec->default_json, spec->default_is_object);
	r->rule_id = spec->enabled ? "default" : "disabled";
	ea_finalize(ctx);
	return true;
}

/*
 * Evaluate experiment name with only its targeting rules (or only its
 * override rules).  True means such a rule matched: the user is excluded
 * by targeting, or an override applies.  A spec without such rules never
 * matches (Server Core 0.23 keeps the stored value then; the legacy Java
 * SDK would drop it).
 */
bool
ea_reeval_filtered(const ea_specs *specs, const ea_user *user,
				   const ea_eval_opts *opts, const char *name,
				   ea_rule_filter filter)
{
	const ea_spec *spec = ea_map_get(&specs->configs, name);
	ea_result	r;
	ea_ctx		ctx;
	int			depth = 0;
	bool		any = false;
	bool		matched;
	size_t		i;

	if (spec == NULL || !spec->enabled)
		return false;
	for (i = 0; i < spec->nrules && !any; i++)
		any = ea_rule_in_filter(&spec->rules[i], filter);
	if (!any)
		return false;
	ea_ctx_init(&ctx, &r, specs, user, opts, EA_KIND_EXPERIMENT, &depth);
	ctx.filter = filter;
	ctx.filter_spec = spec;
	ea_eval_spec(&ctx, name, EA_KIND_EXPERIMENT);
	matched = r.bool_value && r.rule_id != NULL &&
		strcmp(r.rule_id, "default") != 0 && strcmp(r.rule_id, "disabled") != 0 &&
		!r.unsupported && !ctx.overflow;
	ea_ctx_finish(&ctx, &r);
	return matched;
}

/* ---- caller-owned scratch memory ---- */

struct ea_scratch
{
	ea_arena	arena;			/* empty while an evaluation holds it */
	ea_result  *spare;			/* a finished result to reuse, or NULL */
};

ea_scratch *
ea_scratch_new(void)
{
	return calloc(1, sizeof(ea_scratch));
}

void
ea_scratch_free(ea_scratch *scratch)
{
	if (scratch == NULL)
		return;
	ea_arena_free(&scratch->arena);
	ea_result_free(scratch->spare);
	free(scratch);
}

void
ea_scratch_keep_result(ea_scratch *scratch, ea_result *r)
{
	if (r == NULL)
		return;
	if (scratch == NULL || scratch->spare != NULL || r->owned.head != NULL)
	{
		ea_result_free(r);
		return;
	}
	/* only the exposure arrays are worth keeping */
	free(r->owned_json);
	r->owned_json = NULL;
	scratch->spare = r;
}

/*
 * A result for a top-level evaluation: the scratch's spare one or a new
 * one.  keep receives the spare's exposure arrays (emptied; zeroes for a
 * new result), to be put back once ea_ctx_init() has cleared the result.
 */
static ea_result *
ea_scratch_result(const ea_eval_opts *opts, ea_expo_list keep[2])
{
	ea_scratch *s = opts ? opts->scratch : NULL;
	ea_result  *r;

	memset(keep, 0, 2 * sizeof(ea_expo_list));
	if (s == NULL || s->spare == NULL)
		return malloc(sizeof(ea_result));
	r = s->spare;
	s->spare = NULL;
	keep[0].items = r->exposures.items;
	keep[0].cap = r->exposures.cap;
	keep[1].items = r->undelegated.items;
	keep[1].cap = r->undelegated.cap;
	return r;
}

/*
 * A top-level evaluation takes the caller's scratch arena (a nested
 * ea_evaluate, as from a callback, finds it empty and starts its own)...
 */
static void
ea_scratch_take(ea_ctx *ctx)
{
	ea_scratch *s = ctx->opts->scratch;

	if (s == NULL)
		return;
	ctx->scratch = s->arena;
	memset(&s->arena, 0, sizeof(s->arena));
}

/* ... and gives it back emptied, its first block kept for the next one. */
static void
ea_scratch_give_back(ea_ctx *ctx)
{
	ea_scratch *s = ctx->opts->scratch;

	if (s == NULL || s->arena.head != NULL)
	{
		ea_arena_free(&ctx->scratch);
		return;
	}
	ea_arena_reset(&ctx->scratch);
	s->arena = ctx->scratch;
	memset(&ctx->scratch, 0, sizeof(ctx->scratch));
}

static int64_t
ea_wall_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const ea_spec *
ea_specs_find(const ea_specs *specs, ea_kind kind, const char *name)
{
	return ea_find_spec(specs, name, kind);
}

ea_status
ea_evaluate(const ea_specs *specs, const ea_user *user, ea_kind kind,
			const char *name, const ea_eval_opts *opts, ea_result **out,
			ea_error *err)
{
	return ea_evaluate_found(specs, user, kind, name, ea_find_spec(specs, name, kind),
							 opts, out, err);
}

ea_status
ea_evaluate_found(const ea_specs *specs, const ea_user *user, ea_kind kind,
				  const char *name, const ea_spec *spec, const ea_eval_opts *opts,
				  ea_result **out, ea_error *err)
{
	ea_ctx		ctx;
	ea_result  *r;
	ea_expo_list keep[2];
	int			depth = 0;
	ea_status	st = EA_OK;

	*out = NULL;
	r = ea_scratch_result(opts, keep);
	if (r == NULL)
		return ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	ea_ctx_init(&ctx, r, specs, user, opts, kind, &depth);
	r->exposures = keep[0];
	r->undelegated = keep[1];
	ea_scratch_take(&ctx);
	r->recognized = ea_eval_found(&ctx, name, kind, spec);
	r->name = name;
	if (ctx.regex_limit != NULL)
	{
		st = ea_fail(err, EA_ERR_LIMIT, "regular expression match exceeded its limits",
					 "Evaluating \"%s\": str_matches pattern \"%.120s\" could not be decided "
					 "for the user's value within the matcher's limits.",
					 name, ctx.regex_limit->str ? ctx.regex_limit->str : "");
		ea_set_hint(err, "Simplify the pattern: backreferences and atomic groups backtrack; "
					"other patterns run in linear time.");
	}
	else if (ctx.overflow)
	{
		st = ea_fail(err, EA_ERR_LIMIT, "spec nesting is too deep",
					 "Evaluating \"%s\" nested more than %d gate or delegate evaluations.",
					 name, EA_MAX_NESTING);
		ea_set_hint(err, "Look for a gate that passes through itself (pass_gate/fail_gate cycle).");
	}
	else if (r->nomem || ctx.scratch.failed)
		st = ea_fail(err, EA_ERR_NOMEM, "out of memory", NULL);
	ea_scratch_give_back(&ctx);
	if (st != EA_OK)
		ea_result_free(r);
	else
		*out = r;
	return st;
}
