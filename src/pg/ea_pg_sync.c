/*-------------------------------------------------------------------------
 *
 * ea_pg_sync.c
 *	  Keeping the config specs and ID lists current: the background worker
 *	  (one per database of experiment_assign.sync_database) and
 *	  sync_config_specs(), which run the same code.
 *
 * A sync of the specs:
 *	 1. reads the secret file and the state (document time in force, the
 *		checksum the sync stored with it);
 *	 2. requests {specs_url}/{secret}.json?sinceTime=..&checksum=.. with
 *		Server Core's headers, outside any transaction in the worker;
 *	 3. decides with the pure protocol code (ea_sync.c): no updates, the
 *		same document, an older one (refused, recorded as an error) or a
 *		newer one, which goes through load_config_specs() itself, so its
 *		validation, atomicity and cache invalidation are those of a manual
 *		load; the state row is written in the same transaction.
 * A sync of the ID lists posts to id_lists_url, diffs the manifest with
 * what was applied (ea_sync_state / ea_sync_id_lists), reads each changed
 * list from its last offset with a byte Range and applies the new lines
 * through load_id_list_file() in one transaction per list; lists gone from
 * the manifest are dropped.
 *
 * Every unit of work runs in its own transaction in the worker (a
 * subtransaction in a session); an error is caught per unit, recorded in
 * ea_sync_state and logged, and the worker goes on, backing off.  Network
 * waits go through ea_pg_http.c, which waits on the latch, so SIGTERM and
 * SIGHUP are served at once whatever the server does.
 *
 * The secret is read from a file at each attempt, is never put in a
 * message, a status row or a URL that is shown; the URLs shown say
 * "<secret>" instead.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include <fcntl.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"
#include "utils/wait_event.h"

#include "ea_pg_http.h"
#include "ea_pg_sync.h"
#include "ea_sync.h"

#ifndef EA_VERSION
#define EA_VERSION "unknown"
#endif

/* Largest download_config_specs response accepted. */
#define EA_SYNC_MAX_SPECS_BODY	((size_t) 512 * 1024 * 1024)
/* Largest ID-list read accepted in one response. */
#define EA_SYNC_MAX_LIST_BODY	((size_t) 256 * 1024 * 1024)
/* Longest wait between attempts after failures. */
#define EA_SYNC_MAX_BACKOFF_MS	300000
/* Most databases one server syncs. */
#define EA_SYNC_MAX_DATABASES	16
/* Serialises syncs of one database (worker and sessions). */
#define EA_SYNC_LOCK_KEY		INT64CONST(0x6561737963)

/* ---- settings ---- */

char	   *ea_pg_sync_database = NULL;
char	   *ea_pg_server_secret_file = NULL;
char	   *ea_pg_specs_url = NULL;
char	   *ea_pg_id_lists_url = NULL;
char	   *ea_pg_log_event_url = NULL;
int			ea_pg_specs_sync_interval = 10000;
int			ea_pg_id_lists_sync_interval = 60000;
int			ea_pg_sync_timeout = 30000;

PGDLLEXPORT void ea_pg_sync_main(Datum main_arg);

/* ---- a sync run: worker or session ---- */

typedef struct EaSyncRun
{
	bool		worker;			/* own transactions (else subtransactions) */
	MemoryContext cxt;			/* outlives the units of the run */
	char		secret[EA_HTTP_SECRET_MAX + 1];
} EaSyncRun;

/* What one sync did, for sync_config_specs() and the log. */
typedef struct EaSyncResult
{
	bool		ok;
	bool		changed;
	const char *outcome;		/* loaded, no updates, unchanged, ... */
	char	   *detail;
} EaSyncResult;

typedef void (*EaSyncUnitFn) (EaSyncRun *run, void *arg);

/* ---- kept plans ---- */

typedef enum EaSyncPlanId
{
	EA_SP_READ_SPECS_STATE,
	EA_SP_LOCK,
	EA_SP_LOAD_SPECS,
	EA_SP_RECORD,
	EA_SP_READ_LISTS,
	EA_SP_APPLY_LIST,
	EA_SP_SAVE_LIST,
	EA_SP_DROP_LIST,
	EA_SP_FORGET_LIST,
	EA_SP_COUNT
} EaSyncPlanId;

static char *
ea_sync_plan_sql(int id, const char *s, Oid *types, int *nargs)
{
	*nargs = 0;
	switch ((EaSyncPlanId) id)
	{
		case EA_SP_READ_SPECS_STATE:
			return psprintf("SELECT (SELECT c.document_time FROM %s.ea_config_specs c), "
							"s.checksum, s.checksum_time "
							"FROM (SELECT 1) AS one LEFT JOIN %s.ea_sync_state s "
							"ON s.kind = 'config_specs'", s, s);
		case EA_SP_LOCK:
			types[0] = INT8OID;
			*nargs = 1;
			return pstrdup("SELECT pg_catalog.pg_advisory_xact_lock($1)");
		case EA_SP_LOAD_SPECS:
			types[0] = TEXTOID;
			*nargs = 1;
			return psprintf("SELECT %s.load_config_specs($1::pg_catalog.jsonb)", s);
		case EA_SP_RECORD:
			types[0] = TEXTOID;
			types[1] = BOOLOID;
			types[2] = BOOLOID;
			types[3] = TEXTOID;
			types[4] = TEXTOID;
			types[5] = INT8OID;
			types[6] = BOOLOID;
			*nargs = 7;
			return psprintf("INSERT INTO %s.ea_sync_state AS t (kind, last_attempt, "
							"last_success, last_change, last_error, last_error_at, "
							"consecutive_failures, attempts, successes, failures, changes, "
							"checksum, checksum_time) "
							"VALUES ($1, pg_catalog.now(), "
							"CASE WHEN $2 THEN pg_catalog.now() END, "
							"CASE WHEN $3 THEN pg_catalog.now() END, $4, "
							"CASE WHEN $4 IS NOT NULL THEN pg_catalog.now() END, "
							"CASE WHEN $2 THEN 0 ELSE 1 END, 1, $2::integer, "
							"(NOT $2)::integer, $3::integer, "
							"CASE WHEN $7 THEN $5 END, CASE WHEN $7 THEN $6 END) "
							"ON CONFLICT (kind) DO UPDATE SET "
							"last_attempt = pg_catalog.now(), "
							"last_success = CASE WHEN $2 THEN pg_catalog.now() ELSE t.last_success END, "
							"last_change = CASE WHEN $3 THEN pg_catalog.now() ELSE t.last_change END, "
							"last_error = COALESCE($4, t.last_error), "
							"last_error_at = CASE WHEN $4 IS NOT NULL THEN pg_catalog.now() ELSE t.last_error_at END, "
							"consecutive_failures = CASE WHEN $2 THEN 0 ELSE t.consecutive_failures + 1 END, "
							"attempts = t.attempts + 1, "
							"successes = t.successes + $2::integer, "
							"failures = t.failures + (NOT $2)::integer, "
							"changes = t.changes + $3::integer, "
							"checksum = CASE WHEN $7 THEN $5 ELSE t.checksum END, "
							"checksum_time = CASE WHEN $7 THEN $6 ELSE t.checksum_time END",
							s);
		case EA_SP_READ_LISTS:
			return psprintf("SELECT list_name, file_id, creation_time, size "
							"FROM %s.ea_sync_id_lists", s);
		case EA_SP_APPLY_LIST:
			types[0] = TEXTOID;
			types[1] = TEXTOID;
			types[2] = BOOLOID;
			*nargs = 3;
			return psprintf("SELECT %s.load_id_list_file($1, $2, $3)", s);
		case EA_SP_SAVE_LIST:
			types[0] = TEXTOID;
			types[1] = TEXTOID;
			types[2] = INT8OID;
			types[3] = INT8OID;
			*nargs = 4;
			return psprintf("INSERT INTO %s.ea_sync_id_lists AS t "
							"(list_name, file_id, creation_time, size, updated_at) "
							"VALUES ($1, $2, $3, $4, pg_catalog.now()) "
							"ON CONFLICT (list_name) DO UPDATE SET file_id = $2, "
							"creation_time = $3, size = $4, updated_at = pg_catalog.now()", s);
		case EA_SP_DROP_LIST:
			types[0] = TEXTOID;
			*nargs = 1;
			return psprintf("SELECT %s.drop_id_list($1)", s);
		case EA_SP_FORGET_LIST:
			types[0] = TEXTOID;
			*nargs = 1;
			return psprintf("DELETE FROM %s.ea_sync_id_lists WHERE list_name = $1", s);
		case EA_SP_COUNT:
			break;
	}
	elog(ERROR, "unknown sync plan %d", id);
	return NULL;
}

static SPIPlanPtr ea_sync_plans[EA_SP_COUNT];
static EaPlanSet ea_sync_plan_set = {EA_SP_COUNT, ea_sync_plans, InvalidOid, ea_sync_plan_sql};

/* Run a kept plan (inside ea_pg_storage_enter/leave). */
static void
ea_sync_exec(Oid schema, EaSyncPlanId id, Datum *values, const char *nulls,
			 int expected)
{
	ea_pg_run_plan(ea_pg_kept_plan(&ea_sync_plan_set, schema, id), values, nulls,
				   false, expected);
}

static void
ea_sync_lock(Oid schema)
{
	Datum		key = Int64GetDatum(EA_SYNC_LOCK_KEY);

	ea_sync_exec(schema, EA_SP_LOCK, &key, NULL, SPI_OK_SELECT);
}

/* ---- the secret and the request headers ---- */

bool
ea_pg_read_server_secret(char *out, char *errbuf, size_t errsize)
{
	char		buf[EA_HTTP_SECRET_MAX + 64];
	ssize_t		n;
	int			fd;
	int			save_errno;
	ea_error	err;

	out[0] = '\0';
	if (ea_pg_server_secret_file == NULL || ea_pg_server_secret_file[0] == '\0')
	{
		snprintf(errbuf, errsize, "experiment_assign.server_secret_file is not set");
		return false;
	}
	fd = open(ea_pg_server_secret_file, O_RDONLY | PG_BINARY, 0);
	if (fd < 0)
	{
		save_errno = errno;
		snprintf(errbuf, errsize,
				 "could not open the file named by experiment_assign.server_secret_file: %s",
				 strerror(save_errno));
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	save_errno = errno;
	close(fd);
	if (n < 0)
	{
		snprintf(errbuf, errsize,
				 "could not read the file named by experiment_assign.server_secret_file: %s",
				 strerror(save_errno));
		return false;
	}
	if (ea_http_secret_parse(buf, (size_t) n, out, &err) != EA_OK)
	{
		snprintf(errbuf, errsize, "experiment_assign.server_secret_file: %s", err.message);
		explicit_bzero(buf, sizeof(buf));
		return false;
	}
	explicit_bzero(buf, sizeof(buf));
	return true;
}

static char ea_sync_session[37];

const char *
ea_pg_statsig_session_id(void)
{
	char	   *session = ea_sync_session;

	if (session[0] == '\0')
	{
		uint8		rnd[16];

		if (!pg_strong_random(rnd, sizeof(rnd)))
		{
			TimestampTz now = GetCurrentTimestamp();
			uint32		pid = (uint32) MyProcPid;

			memset(rnd, 0, sizeof(rnd));
			memcpy(rnd, &now, sizeof(now));
			memcpy(rnd + sizeof(now), &pid, sizeof(pid));
		}
		ea_http_uuid(rnd, session);
	}
	return session;
}

int
ea_pg_statsig_headers(const char *secret, char lines[][EA_HTTP_HEADER_MAX])
{
	const char *session = ea_pg_statsig_session_id();
	ea_error	err;

	if (ea_http_header(lines[0], "statsig-api-key", secret, &err) != EA_OK)
		lines[0][0] = '\0';		/* cannot happen: the secret was checked */
	ea_http_header(lines[1], "statsig-sdk-type", EA_HTTP_SDK_TYPE, &err);
	ea_http_header(lines[2], "statsig-sdk-version", EA_VERSION, &err);
	ea_http_header(lines[3], "statsig-server-session-id", session, &err);
	return EA_PG_STATSIG_HEADERS;
}

/* ---- units of work ---- */

/* A one-line message for the status from an error (message: detail). */
static char *
ea_sync_error_text(ErrorData *edata, const char *secret)
{
	char	   *text;

	if (edata->detail != NULL && edata->detail[0] != '\0')
		text = psprintf("%s: %s", edata->message, edata->detail);
	else
		text = pstrdup(edata->message ? edata->message : "unknown error");
	if (strlen(text) > 1000)
		strcpy(text + 996, "...");
	ea_http_redact(text, secret);
	return text;
}

/*
 * Run fn in a transaction of its own (worker) or a subtransaction
 * (session).  Returns false with *errout (in run->cxt) when it raised; the
 * error is logged and its transaction rolled back.
 */
static bool
ea_sync_unit(EaSyncRun *run, const char *what, EaSyncUnitFn fn, void *arg,
			 char **errout)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = false;

	*errout = NULL;
	if (run->worker)
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, what);
	}
	else
	{
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(caller);
	}

	PG_TRY();
	{
		fn(run, arg);
		if (run->worker)
		{
			PopActiveSnapshot();
			CommitTransactionCommand();
		}
		else
		{
			ReleaseCurrentSubTransaction();
			CurrentResourceOwner = owner;
		}
		MemoryContextSwitchTo(caller);
		ok = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(run->cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (run->worker)
			AbortCurrentTransaction();
		else
		{
			RollbackAndReleaseCurrentSubTransaction();
			CurrentResourceOwner = owner;
		}
		MemoryContextSwitchTo(run->cxt);
		*errout = ea_sync_error_text(edata, run->secret);
		/* the caller reports the outcome of the whole sync (LOG, status) */
		ereport(DEBUG1,
				(errmsg("experiment_assign sync: %s failed: %s", what, *errout)));
		FreeErrorData(edata);
		MemoryContextSwitchTo(caller);
	}
	PG_END_TRY();

	if (run->worker)
		pgstat_report_activity(STATE_IDLE, NULL);
	return ok;
}

/* ---- recording the outcome ---- */

typedef struct EaRecordArg
{
	const char *kind;
	bool		ok;
	bool		changed;
	const char *error;
	bool		set_checksum;
	const char *checksum;
	int64		checksum_time;
} EaRecordArg;

static void
ea_sync_record_in(Oid schema, const EaRecordArg *a)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = CStringGetTextDatum(a->kind);
	values[1] = BoolGetDatum(a->ok);
	values[2] = BoolGetDatum(a->changed);
	if (a->error != NULL)
		values[3] = CStringGetTextDatum(a->error);
	else
		nulls[3] = 'n';
	if (a->checksum != NULL && a->checksum[0] != '\0')
		values[4] = CStringGetTextDatum(a->checksum);
	else
		nulls[4] = 'n';
	values[5] = Int64GetDatum(a->checksum_time);
	values[6] = BoolGetDatum(a->set_checksum);
	ea_sync_exec(schema, EA_SP_RECORD, values, nulls, SPI_OK_INSERT);
}

static void
ea_sync_record_fn(EaSyncRun *run, void *arg)
{
	EaOwnerSwitch save;
	Oid			schema = ea_pg_storage_enter(&save);

	ea_sync_record_in(schema, (const EaRecordArg *) arg);
	ea_pg_storage_leave(&save);
}

/* Record the outcome of an attempt in a unit of its own. */
static void
ea_sync_record(EaSyncRun *run, const char *kind, EaSyncResult *res)
{
	EaRecordArg a;
	char	   *msg;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.ok = res->ok;
	a.changed = res->changed;
	a.error = res->ok ? NULL : res->detail;
	if (!ea_sync_unit(run, "record sync status", ea_sync_record_fn, &a, &msg))
		ereport(run->worker ? LOG : WARNING,
				(errmsg("experiment_assign sync: could not record the %s sync status: %s",
						kind, msg)));
}

static void
ea_sync_fail(EaSyncResult *res, const char *fmt,...) pg_attribute_printf(2, 3);

static void
ea_sync_fail(EaSyncResult *res, const char *fmt,...)
{
	va_list		ap;
	char		buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	res->ok = false;
	res->changed = false;
	res->outcome = "failed";
	res->detail = pstrdup(buf);
}

/* Describe a request that did not succeed. */
static void
ea_sync_http_fail(EaSyncResult *res, const char *name, const EaHttpResponse *resp)
{
	if (resp->outcome != EA_HTTP_COMPLETED)
		ea_sync_fail(res, "%s", resp->error);
	else
		ea_sync_fail(res, "%s: the server answered HTTP %ld", name, resp->status);
}

/* ---- specs ---- */

typedef struct EaSpecsState
{
	int64		time;			/* document in force, 0 when none */
	char	   *checksum;		/* what the sync stored for that time */
} EaSpecsState;

static void
ea_sync_read_specs_state_in(Oid schema, MemoryContext into, EaSpecsState *st)
{
	bool		isnull;
	Datum		d;
	int64		ck_time = 0;

	st->time = 0;
	st->checksum = NULL;
	ea_sync_exec(schema, EA_SP_READ_SPECS_STATE, NULL, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		st->time = DatumGetInt64(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	if (!isnull)
		ck_time = DatumGetInt64(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	/* a checksum only counts for the document it came with */
	if (!isnull && ck_time == st->time)
		st->checksum = MemoryContextStrdup(into, TextDatumGetCString(d));
}

static void
ea_sync_read_specs_state_fn(EaSyncRun *run, void *arg)
{
	EaOwnerSwitch save;
	Oid			schema = ea_pg_storage_enter(&save);

	ea_sync_read_specs_state_in(schema, run->cxt, (EaSpecsState *) arg);
	ea_pg_storage_leave(&save);
}

typedef struct EaSpecsApply
{
	const char *body;
	size_t		len;
	const ea_dcs_info *info;
	EaSyncResult *res;
} EaSpecsApply;

/*
 * Under the sync lock: decide again against what is in force now (a
 * session may have loaded meanwhile), load through load_config_specs()
 * and record the success with the document's checksum, all in one
 * transaction.
 */
static void
ea_sync_apply_specs_fn(EaSyncRun *run, void *arg)
{
	EaSpecsApply *a = (EaSpecsApply *) arg;
	EaOwnerSwitch save;
	Oid			schema = ea_pg_storage_enter(&save);
	EaSpecsState st;
	EaRecordArg rec;
	Datum		doc;

	ea_sync_lock(schema);
	ea_sync_read_specs_state_in(schema, CurrentMemoryContext, &st);
	memset(&rec, 0, sizeof(rec));
	rec.kind = "config_specs";
	rec.ok = true;
	switch (ea_sync_dcs_decide(a->info, st.time, st.checksum))
	{
		case EA_DCS_NO_UPDATES:
		case EA_DCS_UNCHANGED:
			a->res->outcome = "unchanged";
			a->res->detail = MemoryContextStrdup(run->cxt,
												 psprintf("document time %lld",
														  (long long) st.time));
			break;
		case EA_DCS_OLDER:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("download_config_specs returned an older document"),
					 errdetail("The response has time %lld; the document in force has time %lld and is kept.",
							   (long long) a->info->time, (long long) st.time)));
			break;
		case EA_DCS_NEWER:
			doc = PointerGetDatum(cstring_to_text_with_len(a->body, (int) a->len));
			ea_sync_exec(schema, EA_SP_LOAD_SPECS, &doc, NULL, SPI_OK_SELECT);
			rec.changed = true;
			a->res->changed = true;
			a->res->outcome = "loaded";
			a->res->detail = MemoryContextStrdup(run->cxt,
												 psprintf("document time %lld",
														  (long long) a->info->time));
			break;
	}
	rec.set_checksum = rec.changed;
	rec.checksum = a->info->checksum;
	rec.checksum_time = a->info->time;
	ea_sync_record_in(schema, &rec);
	ea_pg_storage_leave(&save);
}

static void
ea_sync_specs(EaSyncRun *run, EaSyncResult *res)
{
	char		errbuf[512];
	char		url[EA_HTTP_URL_MAX];
	char		log_url[EA_HTTP_URL_MAX];
	char		lines[EA_PG_STATSIG_HEADERS][EA_HTTP_HEADER_MAX];
	const char *headers[EA_PG_STATSIG_HEADERS];
	EaSpecsState st;
	EaHttpRequest req;
	EaHttpResponse resp;
	ea_dcs_info info;
	ea_error	err;
	char	   *msg;
	int			n;
	int			i;

	memset(res, 0, sizeof(*res));
	res->ok = true;
	if (!ea_pg_read_server_secret(run->secret, errbuf, sizeof(errbuf)))
	{
		ea_sync_fail(res, "%s", errbuf);
		goto record;
	}
	if (!ea_sync_unit(run, "read config specs state", ea_sync_read_specs_state_fn, &st, &msg))
	{
		ea_sync_fail(res, "%s", msg);
		goto record;
	}
	if (ea_http_specs_url(url, ea_pg_specs_url, run->secret, st.time, st.checksum, &err) != EA_OK ||
		ea_http_specs_url(log_url, ea_pg_specs_url, NULL, st.time, st.checksum, &err) != EA_OK)
	{
		ea_sync_fail(res, "experiment_assign.specs_url: %s", err.message);
		goto record;
	}
	n = ea_pg_statsig_headers(run->secret, lines);
	for (i = 0; i < n; i++)
		headers[i] = lines[i];

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.log_url = log_url;
	req.headers = headers;
	req.nheaders = n;
	req.timeout_ms = ea_pg_sync_timeout;
	req.max_body = EA_SYNC_MAX_SPECS_BODY;
	req.stop_on_reload = run->worker;
	req.redact = run->secret;
	ea_pg_http_request(&req, &resp);
	explicit_bzero(url, sizeof(url));
	explicit_bzero(lines, sizeof(lines));

	if (resp.outcome == EA_HTTP_INTERRUPTED)
	{
		/* a reload: not an attempt; the worker starts again at once */
		res->outcome = "interrupted";
		return;
	}
	if (ea_http_classify(resp.outcome, resp.status) != EA_HTTP_SUCCESS)
	{
		ea_sync_http_fail(res, "download_config_specs", &resp);
		goto record;
	}
	if (ea_sync_dcs_inspect(resp.body, resp.body_len, &info, &err) != EA_OK)
	{
		ea_sync_fail(res, "%s: %s", err.message, err.detail);
		goto record;
	}
	switch (ea_sync_dcs_decide(&info, st.time, st.checksum))
	{
		case EA_DCS_NO_UPDATES:
			res->outcome = "no updates";
			res->detail = psprintf("document time %lld", (long long) st.time);
			goto record;
		case EA_DCS_UNCHANGED:
			res->outcome = "unchanged";
			res->detail = psprintf("document time %lld", (long long) st.time);
			goto record;
		case EA_DCS_OLDER:
			ea_sync_fail(res, "download_config_specs returned an older document: "
						 "the response has time %lld; the document in force has time %lld and is kept",
						 (long long) info.time, (long long) st.time);
			goto record;
		case EA_DCS_NEWER:
			break;
	}
	{
		EaSpecsApply a = {resp.body, resp.body_len, &info, res};

		if (!ea_sync_unit(run, "load config specs", ea_sync_apply_specs_fn, &a, &msg))
		{
			ea_sync_fail(res, "%s", msg);
			goto record;
		}
	}
	pfree(resp.body);
	return;						/* recorded with the load */

record:
	ea_sync_record(run, "config_specs", res);
}

/* ---- ID lists ---- */

typedef struct EaListState
{
	char	   *name;
	ea_idlist_state state;
	bool		seen;			/* in the manifest */
} EaListState;

typedef struct EaListStates
{
	EaListState *items;
	int			count;
} EaListStates;

static void
ea_sync_read_lists_fn(EaSyncRun *run, void *arg)
{
	EaListStates *out = (EaListStates *) arg;
	EaOwnerSwitch save;
	Oid			schema = ea_pg_storage_enter(&save);
	uint64		i;

	ea_sync_exec(schema, EA_SP_READ_LISTS, NULL, NULL, SPI_OK_SELECT);
	out->count = (int) SPI_processed;
	out->items = MemoryContextAllocZero(run->cxt, sizeof(EaListState) * Max(out->count, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		EaListState *ls = &out->items[i];
		bool		isnull;
		Datum		d;

		d = SPI_getbinval(tup, desc, 1, &isnull);
		ls->name = MemoryContextStrdup(run->cxt, TextDatumGetCString(d));
		d = SPI_getbinval(tup, desc, 2, &isnull);
		ls->state.file_id = isnull ? NULL : MemoryContextStrdup(run->cxt, TextDatumGetCString(d));
		d = SPI_getbinval(tup, desc, 3, &isnull);
		ls->state.creation_time = isnull ? 0 : DatumGetInt64(d);
		d = SPI_getbinval(tup, desc, 4, &isnull);
		ls->state.size = isnull ? 0 : DatumGetInt64(d);
	}
	ea_pg_storage_leave(&save);
}

typedef struct EaListApply
{
	const ea_idlist_entry *entry;
	const char *body;
	size_t		len;
	bool		reset;
	int64		new_size;
} EaListApply;

static void
ea_sync_apply_list_fn(EaSyncRun *run, void *arg)
{
	EaListApply *a = (EaListApply *) arg;
	EaOwnerSwitch save;
	Oid			schema = ea_pg_storage_enter(&save);
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	ea_sync_lock(schema);
	values[0] = CStringGetTextDatum(a->entry->name);
	values[1] = PointerGetDatum(cstring_to_text_with_len(a->body ? a->body : "", (int) a->len));
	values[2] = BoolGetDatum(a->reset);
	ea_sync_exec(schema, EA_SP_APPLY_LIST, values, NULL, SPI_OK_SELECT);

	if (a->entry->file_id != NULL)
		values[1] = CStringGetTextDatum(a->entry->file_id);
	else
		nulls[1] = 'n';
	values[2] = Int64GetDatum(a->entry->creation_time);
	values[3] = Int64GetDatum(a->new_size);
	ea_sync_exec(schema, EA_SP_SAVE_LIST, values, nulls, SPI_OK_INSERT);
	ea_pg_storage_leave(&save);
}

static void
ea_sync_drop_list_fn(EaSyncRun *run, void *arg)
{
	EaOwnerSwitch save;
	Oid			schema = ea_pg_storage_enter(&save);
	Datum		name = CStringGetTextDatum((const char *) arg);

	ea_sync_lock(schema);
	ea_sync_exec(schema, EA_SP_DROP_LIST, &name, NULL, SPI_OK_SELECT);
	ea_sync_exec(schema, EA_SP_FORGET_LIST, &name, NULL, SPI_OK_DELETE);
	ea_pg_storage_leave(&save);
}

/* Read one list's new bytes and apply them; false with res filled. */
static bool
ea_sync_one_list(EaSyncRun *run, const ea_idlist_entry *e,
				 const ea_idlist_state *state, const char *const *headers,
				 int nheaders, bool *changed, char **error)
{
	ea_idlist_plan plan;
	ea_idlist_chunk chunk;
	EaListApply a;
	EaHttpRequest req;
	EaHttpResponse resp;
	char		range[64];
	char		range_line[EA_HTTP_HEADER_MAX];
	const char *hdrs[EA_PG_STATSIG_HEADERS + 1];
	char		log_url[300];
	ea_error	err;
	char	   *msg;
	int			i;

	ea_idlist_plan_for(e, state, &plan);
	if (!plan.fetch && !plan.reset)
		return true;

	memset(&a, 0, sizeof(a));
	a.entry = e;
	a.reset = plan.reset;
	a.new_size = 0;
	if (plan.fetch)
	{
		ea_http_range_header(range, sizeof(range), plan.range_start);
		ea_http_header(range_line, "Range", range, &err);
		for (i = 0; i < nheaders; i++)
			hdrs[i] = headers[i];
		hdrs[nheaders] = range_line;
		snprintf(log_url, sizeof(log_url), "ID list \"%.200s\"", e->name);

		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.url = e->url;
		req.log_url = log_url;
		req.headers = hdrs;
		req.nheaders = nheaders + 1;
		req.timeout_ms = ea_pg_sync_timeout;
		req.max_body = EA_SYNC_MAX_LIST_BODY;
		req.stop_on_reload = run->worker;
		req.redact = run->secret;
		ea_pg_http_request(&req, &resp);
		if (ea_http_classify(resp.outcome, resp.status) != EA_HTTP_SUCCESS)
		{
			*error = resp.outcome != EA_HTTP_COMPLETED ? pstrdup(resp.error)
				: psprintf("%s: the server answered HTTP %ld", log_url, resp.status);
			return false;
		}
		if (ea_idlist_chunk_check(resp.status, resp.content_range, resp.body,
								  resp.body_len, &plan, e->size, &chunk, &err) != EA_OK)
		{
			*error = psprintf("%s: %s: %s", log_url, err.message, err.detail);
			return false;
		}
		if (chunk.apply_len == 0 && !chunk.reset)
			return true;		/* nothing complete yet */
		a.body = resp.body;
		a.len = chunk.apply_len;
		a.reset = chunk.reset;
		a.new_size = chunk.new_size;
	}
	if (!ea_sync_unit(run, "apply ID list", ea_sync_apply_list_fn, &a, &msg))
	{
		*error = psprintf("ID list \"%.200s\": %s", e->name, msg);
		return false;
	}
	*changed = true;
	return true;
}

/* One pass over the manifest and the lists it no longer names. */
typedef struct EaListsPass
{
	EaListStates *states;
	const char *const *headers;
	int			nheaders;
	int			nfailed;
	int			napplied;
	int			ndropped;
	char	   *first_error;
} EaListsPass;

static void
ea_sync_lists_pass(EaSyncRun *run, const ea_idlist_manifest *manifest,
				   EaListsPass *p)
{
	EaListStates *states = p->states;
	char	   *msg;
	size_t		k;
	int			i;

	for (k = 0; k < ea_idlist_manifest_count(manifest); k++)
	{
		const ea_idlist_entry *e = ea_idlist_manifest_entry(manifest, k);
		const ea_idlist_state *state = NULL;
		bool		changed = false;
		char	   *error = NULL;

		for (i = 0; i < states->count; i++)
			if (strcmp(states->items[i].name, e->name) == 0)
			{
				states->items[i].seen = true;
				state = &states->items[i].state;
			}
		if (!ea_sync_one_list(run, e, state, p->headers, p->nheaders, &changed, &error))
		{
			p->nfailed++;
			if (p->first_error == NULL)
				p->first_error = error;
		}
		if (changed)
			p->napplied++;
	}
	for (i = 0; i < states->count; i++)
	{
		if (states->items[i].seen)
			continue;
		if (ea_sync_unit(run, "drop ID list", ea_sync_drop_list_fn,
						 states->items[i].name, &msg))
			p->ndropped++;
		else
		{
			p->nfailed++;
			if (p->first_error == NULL)
				p->first_error = psprintf("ID list \"%.200s\": %s",
										  states->items[i].name, msg);
		}
	}
}

/* The pass, freeing the malloc'd manifest if it raises (interrupts). */
static void
ea_sync_lists_pass_guarded(EaSyncRun *run, ea_idlist_manifest *manifest,
						   EaListsPass *p)
{
	PG_TRY();
	{
		ea_sync_lists_pass(run, manifest, p);
	}
	PG_CATCH();
	{
		ea_idlist_manifest_free(manifest);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

static void
ea_sync_id_lists(EaSyncRun *run, EaSyncResult *res)
{
	char		errbuf[512];
	char		lines[EA_PG_STATSIG_HEADERS + 1][EA_HTTP_HEADER_MAX];
	const char *headers[EA_PG_STATSIG_HEADERS + 1];
	EaListStates states;
	EaHttpRequest req;
	EaHttpResponse resp;
	ea_idlist_manifest *manifest = NULL;
	ea_error	err;
	char	   *msg;
	char	   *first_error = NULL;
	int			nfailed = 0;
	int			napplied = 0;
	int			ndropped = 0;
	int			n;
	int			i;

	memset(res, 0, sizeof(*res));
	res->ok = true;
	if (!ea_pg_read_server_secret(run->secret, errbuf, sizeof(errbuf)))
	{
		ea_sync_fail(res, "%s", errbuf);
		goto record;
	}
	if (ea_http_url_check(ea_pg_id_lists_url, &err) != EA_OK)
	{
		ea_sync_fail(res, "experiment_assign.id_lists_url: %s", err.message);
		goto record;
	}
	if (!ea_sync_unit(run, "read ID list state", ea_sync_read_lists_fn, &states, &msg))
	{
		ea_sync_fail(res, "%s", msg);
		goto record;
	}
	n = ea_pg_statsig_headers(run->secret, lines);
	ea_http_header(lines[n], "Content-Type", "application/json", &err);
	for (i = 0; i <= n; i++)
		headers[i] = lines[i];

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = ea_pg_id_lists_url;
	req.log_url = "get_id_lists";
	req.headers = headers;
	req.nheaders = n + 1;
	req.body = "{}";
	req.body_len = 2;
	req.timeout_ms = ea_pg_sync_timeout;
	req.max_body = EA_PG_HTTP_DEFAULT_MAX_BODY;
	req.stop_on_reload = run->worker;
	req.redact = run->secret;
	ea_pg_http_request(&req, &resp);
	if (resp.outcome == EA_HTTP_INTERRUPTED)
	{
		res->outcome = "interrupted";
		explicit_bzero(lines, sizeof(lines));
		return;
	}
	if (ea_http_classify(resp.outcome, resp.status) != EA_HTTP_SUCCESS)
	{
		ea_sync_http_fail(res, "get_id_lists", &resp);
		goto record;
	}
	if (ea_idlist_manifest_parse(resp.body, resp.body_len, &manifest,
								 &err) != EA_OK)
	{
		ea_sync_fail(res, "%s: %s", err.message, err.detail);
		goto record;
	}
	{
		EaListsPass pass = {0};

		pass.states = &states;
		pass.headers = headers;
		pass.nheaders = n;
		ea_sync_lists_pass_guarded(run, manifest, &pass);
		ea_idlist_manifest_free(manifest);
		nfailed = pass.nfailed;
		napplied = pass.napplied;
		ndropped = pass.ndropped;
		first_error = pass.first_error;
	}

	res->changed = (napplied + ndropped) > 0;
	if (nfailed > 0)
	{
		ea_sync_fail(res, "%d of the ID lists failed; first: %s", nfailed, first_error);
		res->changed = (napplied + ndropped) > 0;
	}
	else
	{
		res->outcome = res->changed ? "updated" : "unchanged";
		res->detail = psprintf("%d lists updated, %d dropped", napplied, ndropped);
	}

record:
	explicit_bzero(lines, sizeof(lines));
	ea_sync_record(run, "id_lists", res);
}

/* ---- where a sync may run ---- */

/*
 * Whether this database can sync now: the extension is installed at a
 * version with the sync tables, and this node is where loads happen (not
 * a Citus worker node: the coordinator syncs and its loads propagate).
 * Runs inside a transaction.
 */
static bool
ea_sync_here(const char **why, bool *exposures_here)
{
	Oid			ext = get_extension_oid("experiment_assign", true);
	Oid			schema;

	*exposures_here = false;

	if (!OidIsValid(ext))
	{
		*why = "the experiment_assign extension is not installed in this database";
		return false;
	}
	schema = ea_pg_extension_schema();
	if (!OidIsValid(get_relname_relid("ea_sync_state", schema)))
	{
		*why = "the experiment_assign extension is older than 0.2.0 (ALTER EXTENSION experiment_assign UPDATE)";
		return false;
	}

	/*
	 * Exposures are recorded where evaluations write: on a Citus worker node
	 * too (shard tasks of persistence-aware calls and triggers), into that
	 * node's own ea_exposures, so every writable node delivers its own.
	 */
	*exposures_here = !RecoveryInProgress();
	if (OidIsValid(get_extension_oid("citus", true)))
	{
		/*
		 * Citus gives every node added to a cluster a group id of its own;
		 * the coordinator, and a node that is not part of a cluster yet,
		 * have group 0 (citus_is_coordinator() is false for the latter).
		 */
		int			rc;
		bool		isnull = true;
		int32		group = 0;

		if ((rc = SPI_connect()) != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
		rc = SPI_execute("SELECT groupid FROM pg_catalog.pg_dist_local_group", true, 1);
		if (rc == SPI_OK_SELECT && SPI_processed == 1)
			group = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1, &isnull));
		SPI_finish();
		if (!isnull && group != 0)
		{
			*why = "this is a Citus worker node: the coordinator syncs";
			return false;
		}
	}
	return true;
}

typedef struct EaHereArg
{
	bool		ok;				/* specs and ID lists are synced here */
	bool		exposures;		/* exposures are delivered from here */
	const char *why;
} EaHereArg;

static void
ea_sync_here_fn(EaSyncRun *run, void *arg)
{
	EaHereArg  *h = (EaHereArg *) arg;

	h->ok = ea_sync_here(&h->why, &h->exposures);
}

/* ---- sync_config_specs() ---- */

static void
ea_sync_result_row(ReturnSetInfo *rsinfo, const char *kind, const EaSyncResult *res)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = CStringGetTextDatum(kind);
	values[1] = CStringGetTextDatum(res->outcome ? res->outcome : "failed");
	if (res->detail != NULL)
		values[2] = CStringGetTextDatum(res->detail);
	else
		nulls[2] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * sync_config_specs(id_lists boolean DEFAULT true)
 *		returns table (kind text, outcome text, detail text)
 *
 * One sync of the specs (and of the ID lists unless id_lists is false),
 * exactly as the worker does it, inside the caller's transaction; each
 * unit runs in a subtransaction, so a failure is recorded in
 * ea_sync_status and reported as a row with outcome "failed" rather than
 * raised.  Refused on a standby (the primary syncs) and where the worker
 * would not sync (see ea_sync_here).  Side effects: network requests;
 * writes ea_config_specs, ea_id_lists, ea_sync_state, ea_sync_id_lists.
 */
PG_FUNCTION_INFO_V1(ea_pg_sync_config_specs);
Datum
ea_pg_sync_config_specs(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		id_lists = PG_GETARG_BOOL(0);
	EaSyncRun	run;
	EaSyncResult res;
	const char *why = NULL;
	bool		exposures_here;

	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot sync config specs on a standby"),
				 errdetail("The server is in recovery; it receives the specs from its primary."),
				 errhint("Run sync_config_specs() on the primary.")));
	if (!ea_sync_here(&why, &exposures_here))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot sync config specs in this database"),
				 errdetail("The sync does not run here: %s.", why),
				 errhint("Run sync_config_specs() where load_config_specs() is used.")));

	InitMaterializedSRF(fcinfo, 0);
	memset(&run, 0, sizeof(run));
	run.worker = false;
	run.cxt = CurrentMemoryContext;

	ea_sync_specs(&run, &res);
	ea_sync_result_row(rsinfo, "config_specs", &res);
	if (id_lists)
	{
		ea_sync_id_lists(&run, &res);
		ea_sync_result_row(rsinfo, "id_lists", &res);
	}
	explicit_bzero(run.secret, sizeof(run.secret));
	PG_RETURN_NULL();
}

/* ---- the background worker ---- */

/* Milliseconds from now until t (0 when past), capped for a latch wait. */
static long
ea_sync_ms_until(TimestampTz t)
{
	long		ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), t);

	return Min(ms, 3600L * 1000L);
}

static TimestampTz
ea_sync_next(int failures, int interval_ms)
{
	int64		delay = ea_http_backoff_ms(failures, interval_ms, EA_SYNC_MAX_BACKOFF_MS);

	return TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay);
}

void
ea_pg_sync_main(Datum main_arg)
{
	char		dbname[NAMEDATALEN];
	MemoryContext poll_cxt;
	EaSyncRun	run;
	TimestampTz next_specs = 0;
	TimestampTz next_lists = 0;
	int			specs_failures = 0;
	int			lists_failures = 0;
	bool		was_ready = true;
	TimestampTz next_check = 0;
	char		waiting_for[256] = "";

	strlcpy(dbname, MyBgworkerEntry->bgw_extra, sizeof(dbname));

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(dbname, NULL, 0);
	pgstat_report_appname("experiment_assign sync");

	/*
	 * Commits need not wait for the WAL flush: a sync lost in a crash is
	 * made again at the next poll (the state read back decides what to
	 * request), and each unit stays atomic.
	 */
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

	poll_cxt = AllocSetContextCreate(TopMemoryContext, "experiment_assign sync",
									 ALLOCSET_DEFAULT_SIZES);
	memset(&run, 0, sizeof(run));
	run.worker = true;
	run.cxt = poll_cxt;

	ereport(LOG,
			(errmsg("experiment_assign sync started for database \"%s\"", dbname)));

	for (;;)
	{
		EaHereArg	here = {false, false, NULL};
		EaSyncResult res;
		char	   *msg;
		long		wait_ms;
		long		expo_wait = 3600L * 1000L;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* new URLs or secret: try them now */
			next_specs = next_lists = next_check = 0;
			specs_failures = lists_failures = 0;
		}

		MemoryContextReset(poll_cxt);
		MemoryContextSwitchTo(poll_cxt);

		/*
		 * Whether to sync here at all (the extension, its version, Citus):
		 * checked every minute, and at every poll after a failure or while
		 * the answer is no.
		 */
		if (GetCurrentTimestamp() >= next_check || !was_ready ||
			specs_failures > 0 || lists_failures > 0)
		{
			if (!ea_sync_unit(&run, "check database", ea_sync_here_fn, &here, &msg))
				here.why = msg;
			next_check = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 60000);
		}
		else
			here.ok = here.exposures = true;
		if (!here.ok)
		{
			const char *why = here.why ? here.why : "unknown reason";

			/* said once per reason, not at every check */
			if (was_ready || strcmp(why, waiting_for) != 0)
				ereport(LOG,
						(errmsg("experiment_assign sync for database \"%s\" is waiting: %s",
								dbname, why)));
			strlcpy(waiting_for, why, sizeof(waiting_for));
			was_ready = false;
			next_specs = next_lists = ea_sync_next(0, Max(ea_pg_specs_sync_interval, 1000));
			/* a Citus worker node still delivers the exposures it records */
			if (here.exposures)
				expo_wait = ea_pg_exposures_worker_flush();
		}
		else
		{
			was_ready = true;
			waiting_for[0] = '\0';
			if (GetCurrentTimestamp() >= next_specs)
			{
				ea_sync_specs(&run, &res);
				specs_failures = res.ok ? 0 : specs_failures + 1;
				if (!res.ok)
					ereport(LOG,
							(errmsg("experiment_assign sync: config specs: %s", res.detail)));
				next_specs = ea_sync_next(specs_failures, ea_pg_specs_sync_interval);
			}
			if (ea_pg_id_lists_sync_interval > 0 && GetCurrentTimestamp() >= next_lists &&
				!ConfigReloadPending)
			{
				ea_sync_id_lists(&run, &res);
				lists_failures = res.ok ? 0 : lists_failures + 1;
				if (!res.ok)
					ereport(LOG,
							(errmsg("experiment_assign sync: ID lists: %s", res.detail)));
				next_lists = ea_sync_next(lists_failures, ea_pg_id_lists_sync_interval);
			}
			else if (ea_pg_id_lists_sync_interval <= 0)
				next_lists = DT_NOEND;
			/* pending exposures to log_event (ea_pg_exposure.c) */
			expo_wait = ea_pg_exposures_worker_flush();
		}
		explicit_bzero(run.secret, sizeof(run.secret));
		MemoryContextSwitchTo(TopMemoryContext);

		wait_ms = Min(ea_sync_ms_until(Min(next_specs, next_lists)), expo_wait);
		if (wait_ms > 0 && !ConfigReloadPending)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 wait_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/* ---- settings and registration ---- */

static bool
ea_sync_check_url(char **newval, void **extra, GucSource source)
{
	ea_error	err;

	if (ea_http_url_check(*newval, &err) != EA_OK)
	{
		GUC_check_errdetail("%s.", err.message);
		return false;
	}
	return true;
}

/* log_event_url: a URL, or empty to turn exposure forwarding off. */
static bool
ea_sync_check_url_or_empty(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	return ea_sync_check_url(newval, extra, source);
}

static bool
ea_sync_check_databases(char **newval, void **extra, GucSource source)
{
	char	   *copy = pstrdup(*newval ? *newval : "");
	List	   *names = NIL;
	ListCell   *lc;

	if (!SplitGUCList(copy, ',', &names))
	{
		GUC_check_errdetail("The value must be a comma-separated list of database names.");
		return false;
	}
	if (list_length(names) > EA_SYNC_MAX_DATABASES)
	{
		GUC_check_errdetail("At most %d databases can be synced.", EA_SYNC_MAX_DATABASES);
		return false;
	}
	foreach(lc, names)
	{
		const char *name = (const char *) lfirst(lc);

		if (strlen(name) == 0 || strlen(name) >= NAMEDATALEN)
		{
			GUC_check_errdetail("A database name must be 1 to %d bytes long.", NAMEDATALEN - 1);
			return false;
		}
	}
	return true;
}

static void
ea_sync_register_workers(void)
{
	char	   *copy;
	List	   *names = NIL;
	ListCell   *lc;

	if (ea_pg_sync_database == NULL || ea_pg_sync_database[0] == '\0')
		return;
	copy = pstrdup(ea_pg_sync_database);
	if (!SplitGUCList(copy, ',', &names))
		return;					/* the check hook refused it already */
	foreach(lc, names)
	{
		BackgroundWorker worker;

		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = 5;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "experiment_assign");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "ea_pg_sync_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "experiment_assign sync for %s",
				 (const char *) lfirst(lc));
		snprintf(worker.bgw_type, BGW_MAXLEN, "experiment_assign sync");
		strlcpy(worker.bgw_extra, (const char *) lfirst(lc), BGW_EXTRALEN);
		worker.bgw_main_arg = (Datum) 0;
		worker.bgw_notify_pid = 0;
		RegisterBackgroundWorker(&worker);
	}
}

void
ea_pg_sync_init(void)
{
	/*
	 * sync_database only matters while the postmaster starts the workers;
	 * a library loaded later by a session cannot define a postmaster
	 * setting, and the value has no effect there, so it is defined as a
	 * reloadable one (shown, never used).
	 */
	DefineCustomStringVariable("experiment_assign.sync_database",
							   "Databases whose specs and ID lists the sync worker keeps current.",
							   "A comma-separated list; one background worker per database. "
							   "Empty (the default) starts no worker. Needs "
							   "shared_preload_libraries = 'experiment_assign'.",
							   &ea_pg_sync_database,
							   "",
							   process_shared_preload_libraries_in_progress
							   ? PGC_POSTMASTER : PGC_SIGHUP,
							   0,
							   ea_sync_check_databases, NULL, NULL);
	DefineCustomStringVariable("experiment_assign.server_secret_file",
							   "File holding the Statsig server secret key.",
							   "Read at every sync attempt; it should be readable by the "
							   "server's operating-system user only.",
							   &ea_pg_server_secret_file,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("experiment_assign.specs_url",
							   "Base URL of Statsig's download_config_specs endpoint (v2).",
							   "Requests go to {specs_url}/{secret}.json, as Server Core's specs_url option.",
							   &ea_pg_specs_url,
							   EA_HTTP_DEFAULT_SPECS_URL,
							   PGC_SIGHUP,
							   0,
							   ea_sync_check_url, NULL, NULL);
	DefineCustomStringVariable("experiment_assign.id_lists_url",
							   "URL of Statsig's get_id_lists manifest endpoint.",
							   "As Server Core's id_lists_url option.",
							   &ea_pg_id_lists_url,
							   EA_HTTP_DEFAULT_ID_LISTS_URL,
							   PGC_SIGHUP,
							   0,
							   ea_sync_check_url, NULL, NULL);
	DefineCustomStringVariable("experiment_assign.log_event_url",
							   "URL of Statsig's log_event endpoint (exposure logging).",
							   "As Server Core's log_event_url option; empty turns exposure forwarding off.",
							   &ea_pg_log_event_url,
							   EA_HTTP_DEFAULT_LOG_EVENT_URL,
							   PGC_SIGHUP,
							   0,
							   ea_sync_check_url_or_empty, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.specs_sync_interval",
							"Time between two download_config_specs polls of the sync worker.",
							"After failures the worker waits longer (doubling, up to 8 times "
							"this, at most 5 minutes).",
							&ea_pg_specs_sync_interval,
							10000, 10, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.id_lists_sync_interval",
							"Time between two ID-list syncs of the sync worker.",
							"0 turns the ID-list sync off.",
							&ea_pg_id_lists_sync_interval,
							60000, 0, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.sync_timeout",
							"Time limit of one request to Statsig.",
							"A slower response is abandoned and counts as a failure.",
							&ea_pg_sync_timeout,
							30000, 100, 3600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
		ea_sync_register_workers();
}
