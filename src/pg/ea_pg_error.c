/*-------------------------------------------------------------------------
 *
 * ea_pg_error.c
 *	  Turn core errors into ereports; free core objects on every path.
 *
 * Objects returned by the core are malloc'd and invisible to memory
 * contexts.  EaCoreGuard ties them to a memory context: when an ereport
 * unwinds, the aborted context is reset and its reset callback frees them.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include <stdlib.h>

#include "utils/memutils.h"

/* SQLSTATE for each core status. */
static int
ea_pg_sqlstate(ea_status code)
{
	switch (code)
	{
		case EA_ERR_JSON:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case EA_ERR_SPEC:
		case EA_ERR_USER:
		case EA_ERR_PERSISTED:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case EA_ERR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case EA_ERR_NOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case EA_OK:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

/*
 * Raise the core's error.  err must not live in memory that an error
 * frees (a stack variable is fine).  context, when not NULL, becomes the
 * error's context line.
 */
void
ea_pg_report(const ea_error *err, const char *context)
{
	const char *message = err->message[0] ? err->message : "evaluation core failed";

	ereport(ERROR,
			(errcode(ea_pg_sqlstate(err->code)),
			 errmsg("%s", message),
			 err->detail[0] ? errdetail("%s", err->detail) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0,
			 context ? errcontext("%s", context) : 0));
	pg_unreachable();
}

/* Free whatever the guard still owns; safe to call more than once. */
static void
ea_pg_guard_free(void *arg)
{
	EaCoreGuard *guard = (EaCoreGuard *) arg;

	if (guard->json)
		free(guard->json);
	if (guard->result)
		ea_result_free(guard->result);
	if (guard->user)
		ea_user_free(guard->user);
	if (guard->specs)
		ea_specs_free(guard->specs);
	ea_sticky_outcome_free(&guard->outcome);
	guard->json = NULL;
	guard->result = NULL;
	guard->user = NULL;
	guard->eval_user = NULL;
	guard->specs = NULL;
}

/*
 * A new, empty guard in the current memory context.  Create it before
 * calling the core, so that the allocation of the guard itself cannot
 * fail while a core object is live.
 */
EaCoreGuard *
ea_pg_guard_create(void)
{
	EaCoreGuard *guard = palloc0(sizeof(EaCoreGuard));

	guard->callback.func = ea_pg_guard_free;
	guard->callback.arg = guard;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &guard->callback);
	return guard;
}

/* Free the guarded objects now (the reset callback then does nothing). */
void
ea_pg_guard_release(EaCoreGuard *guard)
{
	ea_pg_guard_free(guard);
}
