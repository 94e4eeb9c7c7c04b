/*-------------------------------------------------------------------------
 *
 * ea_pg_eval.c
 *	  SQL functions that evaluate gates, configs, experiments and layers.
 *
 * All are STABLE, STRICT and PARALLEL SAFE, and write nothing: they read
 * the per-backend cache (loading it when stale) and call the core.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"

/*
 * This backend's cache of parsed user agents: made on first use, kept for
 * the life of the backend (it holds copies, nothing tied to the specs).
 */
static ea_ua_cache *
ea_pg_ua_cache(void)
{
	static ea_ua_cache *cache = NULL;

	if (cache == NULL)
		cache = ea_ua_cache_new();	/* NULL (out of memory): parse each time */
	return cache;
}

/*
 * This backend's scratch memory for evaluations (kept for the life of the
 * backend; NULL when out of memory: each evaluation allocates its own).
 */
static ea_scratch *
ea_pg_scratch(void)
{
	static ea_scratch *scratch = NULL;

	if (scratch == NULL)
		scratch = ea_scratch_new();
	return scratch;
}

/*
 * The evaluation options from the settings and the caches (also used by
 * ea_pg_persist.c).
 */
void
ea_pg_eval_opts(ea_eval_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	if (ea_pg_environment_tier != NULL && ea_pg_environment_tier[0] != '\0')
		opts->environment_tier = ea_pg_environment_tier;
	opts->now_ms = ea_pg_evaluation_time_ms;
	opts->idlist_contains = ea_pg_cache_idlist_contains;
	opts->idlist_arg = NULL;
	opts->ip_table = ea_pg_ip_table();
	opts->ua_cache = ea_pg_ua_cache();
	opts->scratch = ea_pg_scratch();
}

/*
 * What a call site keeps between rows (fn_extra): the spec name as a C
 * string, the user needs of that spec and the spec itself, valid while
 * the specs' generation is the same.  A query passes the same name on every row.
 */
typedef struct EaEvalCall
{
	char	   *name;			/* in fn_mcxt, or NULL */
	Size		namelen;
	ea_kind		kind;
	uint64		generation;		/* of the specs needs belongs to; 0 = none */
	const ea_user_needs *needs; /* NULL: the whole user */
	const struct ea_spec *spec; /* the spec of name, NULL if none */
} EaEvalCall;

static const char *
ea_pg_call_name(FunctionCallInfo fcinfo, text *name, ea_kind kind,
				const ea_specs *specs, const ea_user_needs **needs,
				const struct ea_spec **spec)
{
	EaEvalCall *call = fcinfo->flinfo->fn_extra;
	Size		len = VARSIZE_ANY_EXHDR(name);

	if (call == NULL)
	{
		call = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EaEvalCall));
		fcinfo->flinfo->fn_extra = call;
	}
	if (call->name == NULL || call->kind != kind || call->namelen != len ||
		memcmp(call->name, VARDATA_ANY(name), len) != 0)
	{
		char	   *copy = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);

		memcpy(copy, VARDATA_ANY(name), len);
		copy[len] = '\0';
		if (call->name != NULL)
			pfree(call->name);
		call->name = copy;
		call->namelen = len;
		call->kind = kind;
		call->generation = 0;
	}
	if (call->generation != ea_pg_cache_generation())
	{
		call->needs = ea_specs_user_needs(specs, kind, call->name);
		call->spec = ea_specs_find(specs, kind, call->name);
		call->generation = ea_pg_cache_generation();
	}
	*needs = call->needs;
	*spec = call->spec;
	return call->name;
}

/*
 * Evaluate spec "name" (argument 1) of the given kind for a user
 * (argument 0); the result is left in guard->result.  Errors (bad user,
 * core failure) are raised.
 */
static void
ea_pg_evaluate(FunctionCallInfo fcinfo, ea_kind kind, bool value_only,
			   EaCoreGuard *guard)
{
	Jsonb	   *user = PG_GETARG_JSONB_P(0);
	const ea_specs *specs;
	const ea_user *u;
	const char *spec_name;
	const ea_user_needs *needs;
	const struct ea_spec *spec;
	ea_eval_opts opts;
	ea_error	err;

	ea_pg_eval_opts(&opts);
	opts.value_only = value_only;
	specs = ea_pg_cache_specs(false);
	spec_name = ea_pg_call_name(fcinfo, PG_GETARG_TEXT_PP(1), kind, specs, &needs, &spec);
	/* only the parts of the user this spec can read */
	u = ea_pg_user_from_jsonb(user, needs);

	/* from here to the end, nothing may call back into PostgreSQL */
	if (ea_evaluate_found(specs, u, kind, spec_name, spec, &opts,
						  &guard->result, &err) != EA_OK)
		ea_pg_report(&err, NULL);
}

/*
 * Done with an evaluation: its result goes back to the scratch for the
 * next row to reuse, whatever else the guard holds is freed.
 */
static void
ea_pg_evaluation_done(EaCoreGuard *guard)
{
	ea_result  *r = guard->result;

	guard->result = NULL;
	ea_scratch_keep_result(ea_pg_scratch(), r);
	ea_pg_guard_release(guard);
}

/* Evaluate and return the result as jsonb. */
static Datum
ea_pg_evaluate_jsonb(FunctionCallInfo fcinfo, ea_kind kind)
{
	EaCoreGuard *guard = ea_pg_guard_create();
	Jsonb	   *result;

	ea_pg_evaluate(fcinfo, kind, false, guard);
	result = ea_pg_result_jsonb(guard->result);
	ea_pg_evaluation_done(guard);
	PG_RETURN_JSONB_P(result);
}

/*
 * check_gate(user jsonb, gate text) returns boolean
 *
 * Whether the feature gate passes for the StatsigUser; false for a gate
 * the document does not have.  STRICT; no side effects.
 */
PG_FUNCTION_INFO_V1(ea_pg_check_gate);
Datum
ea_pg_check_gate(PG_FUNCTION_ARGS)
{
	EaCoreGuard *guard = ea_pg_guard_create();
	bool		value;

	/* a boolean: the secondary exposures are never read */
	ea_pg_evaluate(fcinfo, EA_KIND_GATE, true, guard);
	value = ea_result_bool(guard->result);
	ea_pg_evaluation_done(guard);
	PG_RETURN_BOOL(value);
}

/*
 * get_feature_gate(user jsonb, gate text) returns jsonb
 *
 * The gate's evaluation (value, rule_id, reason, secondary exposures);
 * an unknown gate gives the core's "Unrecognized" result.  STRICT; no side
 * effects.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_feature_gate);
Datum
ea_pg_get_feature_gate(PG_FUNCTION_ARGS)
{
	return ea_pg_evaluate_jsonb(fcinfo, EA_KIND_GATE);
}

/*
 * get_dynamic_config(user jsonb, config text) returns jsonb
 *
 * The dynamic config's evaluation; an unknown config gives the core's
 * "Unrecognized" result.  STRICT; no side effects.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_dynamic_config);
Datum
ea_pg_get_dynamic_config(PG_FUNCTION_ARGS)
{
	return ea_pg_evaluate_jsonb(fcinfo, EA_KIND_CONFIG);
}

/*
 * get_experiment(user jsonb, experiment text) returns jsonb
 *
 * The experiment's assignment (group, value, exposures); an unknown
 * experiment gives the core's "Unrecognized" result.  STRICT; no side
 * effects.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_experiment);
Datum
ea_pg_get_experiment(PG_FUNCTION_ARGS)
{
	return ea_pg_evaluate_jsonb(fcinfo, EA_KIND_EXPERIMENT);
}

/*
 * get_layer(user jsonb, layer text) returns jsonb
 *
 * The layer's evaluation (value, allocated experiment, exposures); an
 * unknown layer gives the core's "Unrecognized" result.  STRICT; no side
 * effects.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_layer);
Datum
ea_pg_get_layer(PG_FUNCTION_ARGS)
{
	return ea_pg_evaluate_jsonb(fcinfo, EA_KIND_LAYER);
}
