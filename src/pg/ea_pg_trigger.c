/*-------------------------------------------------------------------------
 *
 * ea_pg_trigger.c
 *	  assign_experiment_trigger(): assign on insert (or update).
 *
 *	  CREATE TRIGGER t BEFORE INSERT ON signups FOR EACH ROW
 *	  EXECUTE FUNCTION assign_experiment_trigger('exp', 'user_col',
 *												 'result_col' [, 'idType']);
 *
 * The user column holds a StatsigUser (jsonb or json) or a scalar unit id
 * of any type, which becomes {"userID": x} or {"customIDs": {idType: x}}
 * (idType: the fourth argument, else the experiment's).  The result column
 * receives the group name (text, varchar) or the whole result (jsonb,
 * json).  Each row is assigned like the persistence-aware get_experiment
 * with the unit's stored values: read, evaluate, store a first assignment.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"

#define EA_TRIGGER_USAGE \
	"Use CREATE TRIGGER ... BEFORE INSERT OR UPDATE ... FOR EACH ROW EXECUTE FUNCTION " \
	"assign_experiment_trigger('experiment', 'user_column', 'result_column' [, 'id_type'])."

/* The trigger's validated arguments for one row. */
typedef struct EaTriggerArgs
{
	const char *experiment;
	int			user_attnum;
	Oid			user_type;
	int			result_attnum;
	Oid			result_type;	/* base type of the result column */
	Oid			result_typid;	/* its declared type (a domain, perhaps) */
	int32		result_typmod;	/* and type modifier: varchar(3) */
	const char *result_column;
	const char *id_type;		/* fourth argument, or NULL */
	Oid			tgoid;			/* the trigger these were checked for */
	Oid			relid;			/* on this table */
	const char *spec_id_type;	/* the experiment's idType, or NULL */
	uint64		spec_generation;	/* in this generation of the specs */
} EaTriggerArgs;

/* The trigger being fired, for error messages. */
static const char *ea_trigger_name = "";

/* Raise a misuse error for the trigger on rel. */
static void
ea_pg_trigger_misuse(Relation rel, const char *message, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("assign_experiment_trigger: %s", message),
			 errdetail("%s Trigger \"%s\" on table \"%s\".", detail,
					   ea_trigger_name, RelationGetRelationName(rel)),
			 errhint(EA_TRIGGER_USAGE)));
}

/*
 * The role firing the trigger must have been granted assignment access
 * (EXECUTE on the trigger function, as grant_assignment_access() gives).
 * Checked at every firing: CREATE TRIGGER checks it only once, for the
 * role that attached the trigger, and a grant can be revoked later.
 */
static void
ea_pg_trigger_check_access(TriggerData *td)
{
	Oid			role = GetUserId();
	const char *rolename;

	if (pg_proc_aclcheck(td->tg_trigger->tgfoid, role, ACL_EXECUTE) == ACLCHECK_OK)
		return;
	rolename = GetUserNameFromId(role, false);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to store experiment assignments"),
			 errdetail("Role \"%s\" fired trigger \"%s\" on table \"%s\" without EXECUTE on %s; "
					   "the trigger reads and stores assignments only for roles granted assignment access.",
					   rolename, td->tg_trigger->tgname,
					   RelationGetRelationName(td->tg_relation),
					   format_procedure(td->tg_trigger->tgfoid)),
			 errhint("The extension owner or a superuser can run: SELECT grant_assignment_access(%s);",
					 quote_literal_cstr(quote_identifier(rolename)))));
}

/* Check how the trigger was fired: BEFORE, FOR EACH ROW, INSERT or UPDATE. */
static void
ea_pg_trigger_check_event(TriggerData *td)
{
	if (!TRIGGER_FIRED_BEFORE(td->tg_event))
		ea_pg_trigger_misuse(td->tg_relation, "must be fired BEFORE",
							 "The trigger is an AFTER or INSTEAD OF trigger; only a BEFORE trigger can set the result column.");
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ea_pg_trigger_misuse(td->tg_relation, "must be fired FOR EACH ROW",
							 "The trigger is a statement-level trigger.");
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event) && !TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		ea_pg_trigger_misuse(td->tg_relation, "must be fired by INSERT or UPDATE",
							 "The trigger was fired by DELETE or TRUNCATE.");
}

/* The attribute number of a named column, or a misuse error. */
static int
ea_pg_trigger_column(Relation rel, const char *name, const char *role)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		ea_pg_trigger_misuse(rel, psprintf("%s column \"%s\" does not exist", role, name),
							 psprintf("The %s column is named by trigger argument %d.",
									  role, strcmp(role, "user") == 0 ? 2 : 3));
	return attnum;
}

/* Is typid a type the user column may have? (json, or any scalar) */
static bool
ea_pg_trigger_user_type_ok(Oid typid)
{
	char		typtype = get_typtype(typid);

	check_stack_depth();
	if (typtype == TYPTYPE_DOMAIN)
		return ea_pg_trigger_user_type_ok(getBaseType(typid));
	return typtype != TYPTYPE_COMPOSITE && typtype != TYPTYPE_PSEUDO &&
		!OidIsValid(get_element_type(typid));
}

/* Validate the trigger's arguments and columns. */
static void
ea_pg_trigger_args(TriggerData *td, EaTriggerArgs *args)
{
	Trigger    *trigger = td->tg_trigger;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);

	if (trigger->tgnargs < 3 || trigger->tgnargs > 4)
		ea_pg_trigger_misuse(rel, "wrong number of arguments",
							 psprintf("The trigger has %d arguments; it takes 3 or 4.", trigger->tgnargs));
	args->experiment = trigger->tgargs[0];
	args->user_attnum = ea_pg_trigger_column(rel, trigger->tgargs[1], "user");
	args->result_attnum = ea_pg_trigger_column(rel, trigger->tgargs[2], "result");
	args->id_type = trigger->tgnargs == 4 ? trigger->tgargs[3] : NULL;
	args->user_type = getBaseType(TupleDescAttr(desc, args->user_attnum - 1)->atttypid);
	args->result_type = getBaseType(TupleDescAttr(desc, args->result_attnum - 1)->atttypid);
	args->result_typid = TupleDescAttr(desc, args->result_attnum - 1)->atttypid;
	args->result_typmod = TupleDescAttr(desc, args->result_attnum - 1)->atttypmod;
	args->result_column = trigger->tgargs[2];

	if (args->user_attnum == args->result_attnum)
		ea_pg_trigger_misuse(rel, "the user and result columns are the same",
							 psprintf("Both are column \"%s\".", trigger->tgargs[1]));
	if (!ea_pg_trigger_user_type_ok(args->user_type))
		ea_pg_trigger_misuse(rel, psprintf("user column \"%s\" has type %s", trigger->tgargs[1],
										   format_type_be(args->user_type)),
							 "The user column must be jsonb or json (a StatsigUser) or a scalar unit id.");
	if (args->result_type != TEXTOID && args->result_type != VARCHAROID &&
		args->result_type != JSONBOID && args->result_type != JSONOID)
		ea_pg_trigger_misuse(rel, psprintf("result column \"%s\" has type %s", trigger->tgargs[2],
										   format_type_be(args->result_type)),
							 "The result column must be text or varchar (the group name) or jsonb or json (the whole result).");
	if (args->id_type != NULL && args->id_type[0] == '\0')
		ea_pg_trigger_misuse(rel, "the id type is empty",
							 "The fourth trigger argument names the id type of a scalar unit id, such as \"userID\" or \"companyID\".");
}

/* Parse a StatsigUser into guard->user; a bad user raises the core's error. */
static void
ea_pg_trigger_parse_user(const char *user_json, EaCoreGuard *guard)
{
	ea_error	err;

	if (ea_user_parse(user_json, strlen(user_json), &guard->user, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	guard->eval_user = guard->user;
}

/*
 * The idType of the experiment in the document in force ("userID" for a
 * name the document does not have).  Kept with the checked arguments (in
 * the function's call information, for the statement) until the specs
 * change.
 */
static const char *
ea_pg_trigger_spec_id_type(EaTriggerArgs *cached, MemoryContext mcxt)
{
	const ea_specs *specs = ea_pg_cache_specs(false);
	const char *id_type;

	if (cached->spec_id_type != NULL &&
		cached->spec_generation == ea_pg_cache_generation())
		return cached->spec_id_type;
	id_type = ea_specs_id_type(specs, EA_KIND_EXPERIMENT, cached->experiment);
	cached->spec_id_type = MemoryContextStrdup(mcxt, id_type ? id_type : "userID");
	cached->spec_generation = ea_pg_cache_generation();
	return cached->spec_id_type;
}

/* The StatsigUser JSON of a json or scalar user column's value. */
static char *
ea_pg_trigger_user_json(const EaTriggerArgs *args, Datum value, const char *id_type)
{
	StringInfoData buf;
	Oid			output;
	bool		varlena;

	if (args->user_type == JSONOID)
		return TextDatumGetCString(value);

	getTypeOutputInfo(args->user_type, &output, &varlena);
	initStringInfo(&buf);
	if (pg_strcasecmp(id_type, "userID") == 0)
		appendStringInfoString(&buf, "{\"userID\":");
	else
	{
		appendStringInfoString(&buf, "{\"customIDs\":{");
		escape_json(&buf, id_type);
		appendStringInfoChar(&buf, ':');
	}
	escape_json(&buf, OidOutputFunctionCall(output, value));
	appendStringInfoString(&buf, pg_strcasecmp(id_type, "userID") == 0 ? "}" : "}}");
	return buf.data;
}

/*
 * Does the result column take the value as it is built?  Only its base
 * type without a type modifier: a varchar(n), a domain (CHECK, NOT NULL)
 * or a typmod'ed column goes through the column type's input function.
 */
static bool
ea_pg_trigger_result_plain(const EaTriggerArgs *args)
{
	return args->result_typid == args->result_type && args->result_typmod < 0;
}

/*
 * Convert text to the result column's declared type with its type
 * modifier and domain constraints, as an INSERT of that text would; a
 * value the column rejects is an error naming trigger, table and column
 * (never stored: pg_restore would reject it).  NULL text checks the
 * domain's NOT NULL.
 */
static Datum
ea_pg_trigger_coerce(const EaTriggerArgs *args, Relation rel, char *text,
					 bool *isnull)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	Oid			typinput;
	Oid			typioparam;
	FmgrInfo	flinfo;
	Datum		d = (Datum) 0;

	getTypeInputInfo(args->result_typid, &typinput, &typioparam);
	fmgr_info(typinput, &flinfo);
	PG_TRY();
	{
		d = InputFunctionCall(&flinfo, text, typioparam, args->result_typmod);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		char	   *shown;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		shown = text == NULL ? "NULL"
			: strlen(text) > 200 ? psprintf("\"%.200s...\"", text) : psprintf("\"%s\"", text);
		edata->detail = psprintf("%s%sTrigger \"%s\" on table \"%s\" would set column \"%s\" "
								 "(type %s) to %s, which the column rejects; nothing was stored.",
								 edata->detail ? edata->detail : "",
								 edata->detail ? " " : "",
								 ea_trigger_name, RelationGetRelationName(rel),
								 args->result_column,
								 format_type_with_typemod(args->result_typid, args->result_typmod),
								 shown);
		if (edata->hint == NULL)
			edata->hint = pstrdup("Make the result column wide enough for every group name of the "
								  "experiment (text, or varchar without a limit), or relax its domain.");
		ReThrowError(edata);
	}
	PG_END_TRY();
	*isnull = (text == NULL);
	return d;
}

/*
 * The row's user, into guard->eval_user: a jsonb column is read by the
 * same jsonb walker as the SQL functions' user argument (no JSON text),
 * only the parts the experiment reads; json text and scalar unit ids are
 * parsed.
 */
static void
ea_pg_trigger_user(const EaTriggerArgs *args, Datum value, const char *id_type,
				   const EaPersistCall *call, EaCoreGuard *guard)
{
	if (args->user_type == JSONBOID)
		guard->eval_user = ea_pg_persist_user(DatumGetJsonbP(value), call);
	else
		ea_pg_trigger_parse_user(ea_pg_trigger_user_json(args, value, id_type), guard);
}

/* The value for the result column from the result in the guard. */
static Datum
ea_pg_trigger_result(const EaTriggerArgs *args, Relation rel,
					 EaCoreGuard *guard, bool *isnull)
{
	size_t		len;
	ea_error	err;
	Datum		d;
	char	   *text;

	*isnull = false;
	if (args->result_type == TEXTOID || args->result_type == VARCHAROID)
	{
		const char *group = ea_result_group_name(guard->result);

		text = group ? pstrdup(group) : NULL;
		ea_pg_guard_release(guard);
		if (!ea_pg_trigger_result_plain(args))
			return ea_pg_trigger_coerce(args, rel, text, isnull);
		*isnull = (text == NULL);
		return text ? CStringGetTextDatum(text) : (Datum) 0;
	}
	if (args->result_type == JSONBOID && ea_pg_trigger_result_plain(args))
		d = JsonbPGetDatum(ea_pg_result_jsonb(guard->result));
	else
	{
		if (ea_result_json(guard->result, &guard->json, &len, &err) != EA_OK)
			ea_pg_report(&err, NULL);
		text = pstrdup(guard->json);
		ea_pg_guard_release(guard);
		if (!ea_pg_trigger_result_plain(args))
			return ea_pg_trigger_coerce(args, rel, text, isnull);
		return CStringGetTextDatum(text);
	}
	ea_pg_guard_release(guard);
	return d;
}

/*
 * A NULL user sets the result column to NULL: through the column type's
 * input too, so a NOT NULL domain refuses it with the same detail.
 */
static Datum
ea_pg_trigger_null_result(const EaTriggerArgs *args, Relation rel, bool *isnull)
{
	*isnull = true;
	if (ea_pg_trigger_result_plain(args))
		return (Datum) 0;
	return ea_pg_trigger_coerce(args, rel, NULL, isnull);
}

/* Assign one row's user; returns the value for the result column. */
static Datum
ea_pg_trigger_assign(const EaTriggerArgs *args, Relation rel, Datum user,
					 bool *isnull)
{
	const char *spec_id_type = args->spec_id_type;
	const char *id_type = args->id_type ? args->id_type : spec_id_type;
	EaCoreGuard *guard = ea_pg_guard_create();
	EaPersistCall call = {EA_KIND_EXPERIMENT, args->experiment, "{}", false, false, NULL, NULL};
	const char *unit;

	ea_pg_trigger_user(args, user, id_type, &call, guard);
	/* the user of the exposure ea_pg_persist_evaluate() records */
	if (ea_pg_log_exposures && args->user_type == JSONBOID)
		call.user_jsonb = DatumGetJsonbP(user);
	else if (ea_pg_log_exposures)
		call.user_json = ea_pg_trigger_user_json(args, user, id_type);
	unit = ea_user_unit_id(guard->eval_user, spec_id_type);
	if (unit != NULL)
	{
		Jsonb	   *stored = ea_pg_assignments_values(pstrdup(unit), spec_id_type);

		if (stored != NULL)
			call.values_json = JsonbToCString(NULL, &stored->root, VARSIZE(stored));
	}
	ea_pg_persist_evaluate(&call, guard);
	return ea_pg_trigger_result(args, rel, guard, isnull);
}

/*
 * assign_experiment_trigger() returns trigger
 *
 * BEFORE INSERT OR UPDATE, FOR EACH ROW.  Arguments: experiment name, user
 * column, result column, optional id type (see the file header).  Assigns
 * the row's user to the experiment with persistent assignment (stores a
 * first assignment in ea_assignments) and sets the result column; a NULL
 * user sets it to NULL.  Misuse is an error naming the problem.
 */
PG_FUNCTION_INFO_V1(ea_pg_assign_experiment_trigger);
Datum
ea_pg_assign_experiment_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	EaTriggerArgs *cached = (EaTriggerArgs *) fcinfo->flinfo->fn_extra;
	EaTriggerArgs args;
	HeapTuple	tuple;
	Datum		user;
	bool		isnull;
	Datum		result = (Datum) 0;
	bool		result_null = true;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("assign_experiment_trigger() must be called as a trigger"),
				 errhint(EA_TRIGGER_USAGE)));
	ea_trigger_name = td->tg_trigger->tgname;
	ea_pg_trigger_check_access(td);
	ea_pg_trigger_check_event(td);
	/*
	 * The arguments and columns are checked once per statement and trigger:
	 * the checked copy is kept with the function's call information.
	 */
	if (cached != NULL && cached->tgoid == td->tg_trigger->tgoid &&
		cached->relid == RelationGetRelid(td->tg_relation))
		args = *cached;
	else
	{
		ea_pg_trigger_args(td, &args);
		args.tgoid = td->tg_trigger->tgoid;
		args.relid = RelationGetRelid(td->tg_relation);
		args.spec_id_type = NULL;
		args.spec_generation = 0;
		cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(EaTriggerArgs));
		*cached = args;
		cached->experiment = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, args.experiment);
		if (args.id_type != NULL)
			cached->id_type = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, args.id_type);
		fcinfo->flinfo->fn_extra = cached;
	}

	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	user = heap_getattr(tuple, args.user_attnum, RelationGetDescr(td->tg_relation), &isnull);
	if (!isnull)
	{
		args.spec_id_type = ea_pg_trigger_spec_id_type(cached, fcinfo->flinfo->fn_mcxt);
		result = ea_pg_trigger_assign(&args, td->tg_relation, user, &result_null);
	}
	else
		result = ea_pg_trigger_null_result(&args, td->tg_relation, &result_null);

	tuple = heap_modify_tuple_by_cols(tuple, RelationGetDescr(td->tg_relation), 1,
									  &args.result_attnum, &result, &result_null);
	return PointerGetDatum(tuple);
}
