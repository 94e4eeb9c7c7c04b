/*-------------------------------------------------------------------------
 *
 * ea_pg_persist.c
 *	  Persistent assignment: the persistence-aware get_experiment and
 *	  get_layer, and get_user_persisted_values.
 *
 * The core decides (ea_evaluate_persisted: Server Core's order); this file
 * carries the decision out on ea_assignments.  A first assignment is an
 * INSERT ... ON CONFLICT DO NOTHING: when another call or session stored a
 * value first, the stored row is read back and evaluated as the caller's
 * persisted value, so every caller returns the winner's group.
 *
 * In a read-only transaction or on a hot standby nothing is written: the
 * evaluation is returned and a WARNING (once per statement) says that it
 * was not stored.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

/* How many times a first assignment is retried when the winner vanished. */
#define EA_PG_SAVE_ATTEMPTS 3

/* The statement that last got the read-only WARNING. */
static TimestampTz ea_persist_warned_statement = 0;

/*
 * The user needs of the last persistence-aware evaluation, and the spec
 * generation they belong to.  get_user_persisted_values() builds its user
 * with them when they include the unit id it reads: in the usual
 * get_experiment(u, e, get_user_persisted_values(u, t)) the user is then
 * built once, with only the parts the experiment reads, and found in the
 * user cache by the evaluation.
 */
static const ea_user_needs *ea_persist_needs = NULL;
static uint64 ea_persist_needs_generation = 0;

/*
 * The needs of a persistence-aware evaluation.  A layer re-evaluated for
 * enforce_targeting/enforce_overrides evaluates the stored delegate, which
 * its current rules may no longer reach: the whole user then.
 */
static const ea_user_needs *
ea_pg_persist_needs(const EaPersistCall *call)
{
	const ea_user_needs *needs;

	if (call->kind == EA_KIND_LAYER && (call->enforce_targeting || call->enforce_overrides))
		return NULL;
	needs = ea_specs_user_needs(ea_pg_cache_specs(false), call->kind, call->name);
	ea_persist_needs = needs;
	ea_persist_needs_generation = ea_pg_cache_generation();
	return needs;
}

/* The user to evaluate a persistence-aware call with (cached, not owned). */
const ea_user *
ea_pg_persist_user(Jsonb *user, const EaPersistCall *call)
{
	return ea_pg_user_from_jsonb(user, ea_pg_persist_needs(call));
}

/*
 * May this transaction write assignments?  If not, warn (once per
 * statement) that the evaluation is not stored.
 */
static bool
ea_pg_persist_writable(void)
{
	bool		standby = RecoveryInProgress();
	TimestampTz statement = GetCurrentStatementStartTimestamp();

	if (!standby && !XactReadOnly)
		return true;
	if (statement != ea_persist_warned_statement)
	{
		ea_persist_warned_statement = statement;
		ereport(WARNING,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("experiment assignment not stored: %s",
						standby ? "the server is a hot standby"
						: "the transaction is read-only"),
				 errdetail("The evaluation is returned, but a later evaluation may assign a different group."),
				 errhint("Assign in a read-write transaction on the primary server.")));
	}
	return false;
}

/* Evaluate with the core; the result and outcome are left in the guard. */
static void
ea_pg_persist_core(const EaPersistCall *call, const char *values_json,
				   EaCoreGuard *guard)
{
	const ea_specs *specs = ea_pg_cache_specs(false);
	ea_eval_opts opts;
	ea_error	err;

	ea_pg_eval_opts(&opts);
	if (guard->result != NULL)
		ea_result_free(guard->result);
	guard->result = NULL;
	ea_sticky_outcome_free(&guard->outcome);
	if (ea_evaluate_persisted(specs, guard->eval_user, call->kind, call->name, &opts,
							  values_json, values_json ? strlen(values_json) : 0,
							  call->enforce_targeting, call->enforce_overrides,
							  &guard->result, &guard->outcome, &err) != EA_OK)
		ea_pg_report(&err, NULL);
}

/* {"<name>": <sticky>}: one stored value as UserPersistedValues text. */
static char *
ea_pg_one_value(const char *name, const char *sticky)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	escape_json(&buf, name);
	appendStringInfoChar(&buf, ':');
	appendStringInfoString(&buf, sticky);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Store a first assignment.  When another writer stored one first, return
 * the winner's value as the result (re-evaluated as a persisted value).
 */
static void
ea_pg_persist_save(const EaPersistCall *call, EaCoreGuard *guard)
{
	char	   *unit_id = pstrdup(guard->outcome.unit_id);
	char	   *id_type = pstrdup(guard->outcome.id_type);
	char	   *sticky = pstrdup(guard->outcome.sticky_json);
	int			attempt;

	for (attempt = 0; attempt < EA_PG_SAVE_ATTEMPTS; attempt++)
	{
		char	   *stored;

		if (ea_pg_assignments_insert(unit_id, id_type, call->name, sticky))
			return;
		stored = ea_pg_assignments_read_one(unit_id, id_type, call->name);
		if (stored != NULL)
		{
			ea_pg_persist_core(call, ea_pg_one_value(call->name, stored), guard);
			return;
		}
		/* the winner's row was deleted meanwhile: try again */
	}
}

/* Carry out the core's decision on ea_assignments. */
static void
ea_pg_persist_apply(const EaPersistCall *call, EaCoreGuard *guard)
{
	const ea_sticky_outcome *o = &guard->outcome;

	if (o->unit_id == NULL || o->id_type == NULL || o->action == EA_STICKY_NONE)
		return;
	if (o->action == EA_STICKY_DELETE)
	{
		if (RecoveryInProgress() || XactReadOnly)
		{
			if (ea_pg_assignments_exists(o->unit_id, o->id_type, call->name))
				(void) ea_pg_persist_writable();
			return;
		}
		ea_pg_assignments_delete(o->unit_id, o->id_type, call->name);
		return;
	}
	if (!ea_pg_persist_writable())
		return;
	ea_pg_persist_save(call, guard);
}

/*
 * Server Core's persistent-assignment flow for the user in guard->eval_user:
 * evaluate with the caller's persisted values, store or delete as the core
 * says; the result to return is left in guard->result.
 */
void
ea_pg_persist_evaluate(const EaPersistCall *call, EaCoreGuard *guard)
{
	ea_pg_persist_core(call, call->values_json, guard);
	ea_pg_persist_apply(call, guard);
	ea_pg_exposures_persisted(call, guard);
}

/* The result in the guard as jsonb; releases the guard. */
static Datum
ea_pg_persist_result(EaCoreGuard *guard)
{
	Jsonb	   *result = ea_pg_result_jsonb(guard->result);

	ea_pg_guard_release(guard);
	return JsonbPGetDatum(result);
}

/* The fmgr body of the persistence-aware get_experiment and get_layer. */
static Datum
ea_pg_persisted_jsonb(FunctionCallInfo fcinfo, ea_kind kind)
{
	EaCoreGuard *guard;
	EaPersistCall call;
	Jsonb	   *user;
	Jsonb	   *values;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	user = PG_GETARG_JSONB_P(0);
	values = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	call.kind = kind;
	call.name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	call.values_json = values ? JsonbToCString(NULL, &values->root, VARSIZE(values)) : NULL;
	call.enforce_targeting = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	call.enforce_overrides = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	call.user_jsonb = user;
	call.user_json = NULL;

	guard = ea_pg_guard_create();
	guard->eval_user = ea_pg_persist_user(user, &call);
	ea_pg_persist_evaluate(&call, guard);
	return ea_pg_persist_result(guard);
}

/*
 * get_experiment(user jsonb, experiment text, user_persisted_values jsonb,
 *				  enforce_targeting boolean, enforce_overrides boolean)
 *	  returns jsonb
 *
 * The experiment's assignment with Statsig persistent assignment: a value
 * for the experiment in user_persisted_values is returned ("reason":
 * "Persisted"); otherwise a first assignment to an experiment group is
 * stored in ea_assignments.  NULL user_persisted_values deletes the stored
 * value.  NULL user or name: NULL.  NULL flags count as false.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_experiment_persisted);
Datum
ea_pg_get_experiment_persisted(PG_FUNCTION_ARGS)
{
	return ea_pg_persisted_jsonb(fcinfo, EA_KIND_EXPERIMENT);
}

/*
 * get_layer(user jsonb, layer text, user_persisted_values jsonb,
 *			 enforce_targeting boolean, enforce_overrides boolean)
 *	  returns jsonb
 *
 * As get_experiment above, for a layer: the value is stored under the
 * layer's name with the allocated experiment as config_delegate.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_layer_persisted);
Datum
ea_pg_get_layer_persisted(PG_FUNCTION_ARGS)
{
	return ea_pg_persisted_jsonb(fcinfo, EA_KIND_LAYER);
}

/*
 * get_user_persisted_values(user jsonb, id_type text) returns jsonb
 *
 * The stored values of the user's unit for id_type, as Statsig's
 * UserPersistedValues object ({config name: StickyValues}); {} when there
 * are none or the user has no unit id of that type.  Reads ea_assignments
 * with a fresh snapshot (VOLATILE), so it sees earlier writes of the same
 * statement.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_user_persisted_values);
Datum
ea_pg_get_user_persisted_values(PG_FUNCTION_ARGS)
{
	Jsonb	   *user = PG_GETARG_JSONB_P(0);
	char	   *id_type = text_to_cstring(PG_GETARG_TEXT_PP(1));
	EaCoreGuard *guard = ea_pg_guard_create();
	const ea_user_needs *needs = NULL;
	const char *unit;
	char	   *unit_id = NULL;
	Jsonb	   *values;

	if (ea_persist_needs != NULL &&
		ea_persist_needs_generation == ea_pg_cache_generation() &&
		ea_user_needs_unit(ea_persist_needs, id_type))
		needs = ea_persist_needs;
	guard->eval_user = ea_pg_user_from_jsonb(user, needs);
	unit = ea_user_unit_id(guard->eval_user, id_type);
	if (unit != NULL)
		unit_id = pstrdup(unit);
	ea_pg_guard_release(guard);

	values = unit_id ? ea_pg_assignments_values(unit_id, id_type) : NULL;
	if (values == NULL)
	{
		JsonbParseState *state = NULL;

		/* {} */
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		values = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	}
	PG_RETURN_JSONB_P(values);
}
