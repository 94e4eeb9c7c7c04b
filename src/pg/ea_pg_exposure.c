/*-------------------------------------------------------------------------
 *
 * ea_pg_exposure.c
 *	  Exposure logging: exposures recorded as rows of ea_exposures, in the
 *	  recording transaction, and forwarded to Statsig's log_event endpoint
 *	  in gzip batches.
 *
 * Recording.  The persistence-aware get_experiment/get_layer and the
 * assignment trigger record the exposure of what they return (one call
 * from ea_pg_persist.c); log_exposure() evaluates and records for queries
 * that serve plain evaluations.  The events are shaped by the core
 * (src/core/ea_exposure.c) and inserted through kept SPI plans as the
 * table owner, so a rolled-back transaction logs nothing.
 *
 * Deduplication follows Server Core: a per-process set of exposure keys,
 * emptied when older than experiment_assign.exposure_dedup_window or when
 * it holds too many keys.  Keys are only added to it when the recording
 * transaction commits (a subtransaction's keys are dropped when it aborts),
 * so a rolled-back exposure is logged again the next time.
 *
 * Backlog.  The table never holds more than
 * experiment_assign.exposure_backlog_limit rows (plus one trimming step):
 * every 128th insert deletes the oldest rows beyond the limit and counts
 * them in ea_exposure_counters.dropped.  Rows being sent are skipped (they
 * go away when delivered).
 *
 * Forwarding.  ea_pg_exposures_send_batch() locks the oldest rows (SKIP
 * LOCKED, so several senders never send one row twice), POSTs them as one
 * log_event request and deletes them only when the endpoint accepted the
 * request, in the same transaction.  A crash between the acceptance and
 * the commit sends that batch again: delivery is at least once, with
 * duplicates limited to one batch per crash.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"
#include "ea_pg_http.h"
#include "ea_pg_sync.h"

#include "ea_exposure.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "utils/snapmgr.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#ifndef EA_VERSION
#error "EA_VERSION (the control file's default_version) must be defined by the Makefile"
#endif

/* Trim the backlog every this many inserted rows (by row id). */
#define EA_EXPO_TRIM_EVERY	128

/* ---- settings ---- */

bool		ea_pg_log_exposures = true;
int			ea_pg_exposure_dedup_window = 60000;
int			ea_pg_exposure_backlog_limit = 1000000;
int			ea_pg_exposure_batch_size = 1000;
int			ea_pg_exposure_flush_interval = 1000;
int			ea_pg_exposure_timeout = 10000;

/* ---- deduplication state (per process) ---- */

typedef struct EaExpoSeen
{
	uint64		key;
} EaExpoSeen;

typedef struct EaExpoPending
{
	uint64		key;
	SubTransactionId subid;
} EaExpoPending;

static HTAB *ea_expo_seen = NULL;	/* committed keys */
static HTAB *ea_expo_pending = NULL;	/* keys of the open transaction */
static int64 ea_expo_last_reset = 0;

/* When this process first saw the document in force ("receivedAt"). */
static uint64 ea_expo_generation = 0;
static int64 ea_expo_received_at = 0;

/* ---- SPI plans ---- */

typedef enum EaExpoPlanId
{
	EA_XPLAN_INSERT = 0,
	EA_XPLAN_TRIM,
	EA_XPLAN_LOCK_BATCH,
	EA_XPLAN_DELETE_BATCH,
	EA_XPLAN_FAILED,
	EA_XPLAN_MAX_ID,
	EA_XPLAN_COUNT
} EaExpoPlanId;

static SPIPlanPtr ea_xplans[EA_XPLAN_COUNT];

static char *
ea_pg_xplan_sql(int id, const char *s, Oid *types, int *nargs)
{
	int			i;

	switch ((EaExpoPlanId) id)
	{
		case EA_XPLAN_INSERT:
			*nargs = 8;
			for (i = 0; i < 8; i++)
				types[i] = TEXTOID;
			return psprintf("INSERT INTO %s.ea_exposures (event_name, config_name, unit_id, "
							"id_type, rule_id, experiment, group_name, event) "
							"VALUES ($1, $2, $3, $4, $5, $6, $7, $8::pg_catalog.jsonb) "
							"RETURNING id", s);
		case EA_XPLAN_TRIM:
			*nargs = 1;
			types[0] = INT8OID;
			return psprintf("WITH d AS (DELETE FROM %s.ea_exposures WHERE id IN "
							"(SELECT id FROM %s.ea_exposures "
							"WHERE id OPERATOR(pg_catalog.<=) $1 "
							"ORDER BY id FOR UPDATE SKIP LOCKED) RETURNING 1), "
							"n AS (SELECT pg_catalog.count(*) AS n FROM d), "
							"u AS (UPDATE %s.ea_exposure_counters "
							"SET dropped = dropped OPERATOR(pg_catalog.+) n.n "
							"FROM n WHERE n.n OPERATOR(pg_catalog.>) 0 RETURNING 1) "
							"SELECT n FROM n", s, s, s);
		case EA_XPLAN_LOCK_BATCH:
			*nargs = 1;
			types[0] = INT4OID;
			return psprintf("SELECT id, event::pg_catalog.text FROM %s.ea_exposures "
							"ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED", s);
		case EA_XPLAN_DELETE_BATCH:
			*nargs = 1;
			types[0] = INT8ARRAYOID;
			return psprintf("WITH d AS (DELETE FROM %s.ea_exposures "
							"WHERE id OPERATOR(pg_catalog.=) ANY ($1) RETURNING 1) "
							"UPDATE %s.ea_exposure_counters SET "
							"delivered = delivered OPERATOR(pg_catalog.+) "
							"(SELECT pg_catalog.count(*) FROM d), "
							"requests = requests OPERATOR(pg_catalog.+) 1, "
							"last_delivery = pg_catalog.now()", s, s);
		case EA_XPLAN_FAILED:
			*nargs = 1;
			types[0] = TEXTOID;
			return psprintf("UPDATE %s.ea_exposure_counters SET "
							"failures = failures OPERATOR(pg_catalog.+) 1, "
							"last_error = $1, last_error_at = pg_catalog.now()", s);
		case EA_XPLAN_MAX_ID:
			*nargs = 0;
			return psprintf("SELECT pg_catalog.max(id) FROM %s.ea_exposures", s);
		case EA_XPLAN_COUNT:
			break;
	}
	elog(ERROR, "unknown exposure plan %d", id);
	return NULL;
}

static EaPlanSet ea_expo_plans = {EA_XPLAN_COUNT, ea_xplans, InvalidOid, ea_pg_xplan_sql};

static void
ea_pg_xexec(Oid schema, EaExpoPlanId id, Datum *values, const char *nulls,
			int expected)
{
	ea_pg_run_plan(ea_pg_kept_plan(&ea_expo_plans, schema, id), values, nulls,
				   false, expected);
}

/* ---- time ---- */

static int64
ea_pg_now_ms(void)
{
	TimestampTz now = GetCurrentTimestamp();

	return (int64) (now / 1000) +
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
}

/* ---- deduplication ---- */

static HTAB *
ea_pg_expo_table(const char *name, Size entry)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = entry;
	ctl.hcxt = TopMemoryContext;
	return hash_create(name, 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * Has this exposure key been logged within the window?  If not, it is
 * remembered as pending for the current (sub)transaction.
 */
static bool
ea_pg_expo_seen_before(const char *dedup_key, int64 now_ms)
{
	uint64		key;
	bool		found;
	EaExpoPending *p;

	if (ea_pg_exposure_dedup_window <= 0)
		return false;
	if (ea_expo_seen == NULL)
	{
		ea_expo_seen = ea_pg_expo_table("experiment_assign exposure keys", sizeof(EaExpoSeen));
		ea_expo_last_reset = now_ms;
	}
	if (ea_expo_dedup_expired(now_ms, ea_expo_last_reset, ea_pg_exposure_dedup_window,
							  (size_t) hash_get_num_entries(ea_expo_seen)))
	{
		hash_destroy(ea_expo_seen);
		ea_expo_seen = ea_pg_expo_table("experiment_assign exposure keys", sizeof(EaExpoSeen));
		ea_expo_last_reset = now_ms;
	}
	key = hash_bytes_extended((const unsigned char *) dedup_key, strlen(dedup_key), 0);
	if (hash_search(ea_expo_seen, &key, HASH_FIND, NULL) != NULL)
		return true;
	if (ea_expo_pending == NULL)
		ea_expo_pending = ea_pg_expo_table("experiment_assign pending exposure keys",
										   sizeof(EaExpoPending));
	p = hash_search(ea_expo_pending, &key, HASH_ENTER, &found);
	if (found)
		return true;
	p->subid = GetCurrentSubTransactionId();
	return false;
}

static void
ea_pg_expo_xact(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS seq;
	EaExpoPending *p;

	if (ea_expo_pending == NULL)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			if (ea_expo_seen != NULL)
			{
				hash_seq_init(&seq, ea_expo_pending);
				while ((p = hash_seq_search(&seq)) != NULL)
					(void) hash_search(ea_expo_seen, &p->key, HASH_ENTER, NULL);
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			break;
		default:
			return;
	}
	hash_destroy(ea_expo_pending);
	ea_expo_pending = NULL;
}

static void
ea_pg_expo_subxact(SubXactEvent event, SubTransactionId mySubid,
				   SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS seq;
	EaExpoPending *p;

	if (ea_expo_pending == NULL)
		return;
	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	hash_seq_init(&seq, ea_expo_pending);
	while ((p = hash_seq_search(&seq)) != NULL)
	{
		if (p->subid != mySubid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			p->subid = parentSubid;
		else
			(void) hash_search(ea_expo_pending, &p->key, HASH_REMOVE, NULL);
	}
}

/* ---- recording ---- */

/* A palloc'd copy of one core event (the core's copy is malloc'd). */
typedef struct EaExpoRow
{
	char	   *values[8];		/* the INSERT parameters */
} EaExpoRow;

static char *
ea_pg_pstrdup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

/*
 * Which of a result's candidate events are new in the deduplication
 * window: a palloc'd mask, *n candidates; *nwanted of them are new (and
 * now pending in this transaction).
 */
static bool *
ea_pg_expo_want(const ea_result *result, const char *user_json,
				const char *parameter, int64 now_ms, int *n, int *nwanted)
{
	ea_expo_events keys;
	ea_error	err;
	char	  **volatile copies = NULL;
	bool	   *want;
	int			i;

	if (ea_expo_keys(result, user_json, strlen(user_json), parameter, &keys, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	PG_TRY();
	{
		copies = palloc(sizeof(char *) * (keys.n ? keys.n : 1));
		for (i = 0; i < (int) keys.n; i++)
			copies[i] = pstrdup(keys.items[i].dedup_key);
	}
	PG_FINALLY();
	{
		*n = (int) keys.n;
		ea_expo_events_free(&keys);
	}
	PG_END_TRY();
	want = palloc(sizeof(bool) * (*n ? *n : 1));
	*nwanted = 0;
	for (i = 0; i < *n; i++)
	{
		want[i] = !ea_pg_expo_seen_before(copies[i], now_ms);
		if (want[i])
			(*nwanted)++;
	}
	return want;
}

/*
 * The wanted events of a result as palloc'd rows; the core's malloc'd
 * copies are freed before anything can raise.
 */
static EaExpoRow *
ea_pg_expo_rows(const ea_result *result, const char *user_json,
				const char *parameter, int64 now_ms, const bool *want, int *nrows)
{
	const ea_specs *specs = ea_pg_cache_specs(false);
	ea_expo_context ctx;
	ea_expo_events events;
	ea_error	err;
	EaExpoRow  *volatile rows;
	size_t		i;

	if (ea_pg_cache_generation() != ea_expo_generation || ea_expo_received_at == 0)
	{
		ea_expo_generation = ea_pg_cache_generation();
		ea_expo_received_at = now_ms;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.time_ms = now_ms;
	ctx.lcut = ea_specs_time(specs);
	ctx.received_at = ea_expo_received_at;
	ctx.source = "Bootstrap";
	ctx.environment_tier = ea_pg_environment_tier;

	if (ea_expo_build(result, user_json, strlen(user_json), parameter, &ctx,
					  want, &events, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	rows = NULL;
	PG_TRY();
	{
		rows = palloc0(sizeof(EaExpoRow) * (events.n ? events.n : 1));
		for (i = 0; i < events.n; i++)
		{
			const ea_expo_event *e = &events.items[i];

			rows[i].values[0] = pstrdup(e->event_name);
			rows[i].values[1] = pstrdup(e->config_name);
			rows[i].values[2] = ea_pg_pstrdup_or_null(e->unit_id);
			rows[i].values[3] = pstrdup(e->id_type);
			rows[i].values[4] = pstrdup(e->rule_id);
			rows[i].values[5] = ea_pg_pstrdup_or_null(e->experiment);
			rows[i].values[6] = ea_pg_pstrdup_or_null(e->group_name);
			rows[i].values[7] = pstrdup(e->json);
		}
	}
	PG_FINALLY();
	{
		*nrows = (int) events.n;
		ea_expo_events_free(&events);
	}
	PG_END_TRY();
	return rows;
}

/* Delete the oldest rows beyond the backlog limit; count them. */
static void
ea_pg_expo_trim(Oid schema, int64 newest_id)
{
	Datum		values[1];

	if (newest_id <= ea_pg_exposure_backlog_limit)
		return;
	values[0] = Int64GetDatum(newest_id - ea_pg_exposure_backlog_limit);
	ea_pg_xexec(schema, EA_XPLAN_TRIM, values, NULL, SPI_OK_SELECT);
}

/*
 * Record the exposures of one result, evaluated for the user given as
 * StatsigUser JSON text (layers: of parameter, or of every parameter when
 * NULL).  Nothing is recorded when logging is off, in a read-only
 * transaction or on a standby.
 */
void
ea_pg_exposures_record(const ea_result *result, const char *user_json,
					   const char *parameter)
{
	int64		now_ms;
	EaExpoRow  *rows;
	bool	   *want;
	int			ncandidates,
				nwanted,
				nrows,
				i;
	EaOwnerSwitch save;
	Oid			schema;

	if (!ea_pg_log_exposures || result == NULL || user_json == NULL)
		return;
	if (RecoveryInProgress() || XactReadOnly)
		return;
	now_ms = ea_pg_now_ms();
	want = ea_pg_expo_want(result, user_json, parameter, now_ms, &ncandidates, &nwanted);
	if (nwanted == 0)
		return;
	rows = ea_pg_expo_rows(result, user_json, parameter, now_ms, want, &nrows);
	if (nrows == 0)
		return;
	schema = ea_pg_storage_enter(&save);
	for (i = 0; i < nrows; i++)
	{
		Datum		values[8];
		char		nulls[8];
		int			j;
		bool		isnull;
		int64		id;

		for (j = 0; j < 8; j++)
		{
			nulls[j] = rows[i].values[j] ? ' ' : 'n';
			values[j] = rows[i].values[j] ? CStringGetTextDatum(rows[i].values[j]) : (Datum) 0;
		}
		ea_pg_xexec(schema, EA_XPLAN_INSERT, values, nulls, SPI_OK_INSERT_RETURNING);
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (id % EA_EXPO_TRIM_EVERY == 0)
			ea_pg_expo_trim(schema, id);
	}
	ea_pg_storage_leave(&save);
}

/*
 * The exposure hook of the persistent-assignment flow (persistence-aware
 * get_experiment/get_layer and the trigger): the returned result's
 * exposures, for every layer parameter.
 */
void
ea_pg_exposures_persisted(const EaPersistCall *call, const EaCoreGuard *guard)
{
	const char *user_json = call->user_json;

	if (!ea_pg_log_exposures || guard->result == NULL)
		return;
	/* a database still at 0.1.0 has no exposure log: its functions work on */
	if (!ea_pg_extension_at_least("0.2.0"))
		return;
	if (user_json == NULL && call->user_jsonb != NULL)
		user_json = JsonbToCString(NULL, &call->user_jsonb->root,
								   VARSIZE(call->user_jsonb));
	ea_pg_exposures_record(guard->result, user_json, NULL);
}

/* ---- SQL: log_exposure ---- */

static ea_kind
ea_pg_expo_kind(const char *kind)
{
	if (strcmp(kind, "gate") == 0)
		return EA_KIND_GATE;
	if (strcmp(kind, "config") == 0)
		return EA_KIND_CONFIG;
	if (strcmp(kind, "experiment") == 0)
		return EA_KIND_EXPERIMENT;
	if (strcmp(kind, "layer") == 0)
		return EA_KIND_LAYER;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid spec kind \"%s\"", kind),
			 errdetail("The kind argument of log_exposure must be one of gate, config, experiment or layer."),
			 errhint("Pass the kind of function whose result the query serves, e.g. 'experiment' for get_experiment.")));
	return EA_KIND_GATE;		/* keep the compiler quiet */
}

/*
 * log_exposure(user jsonb, kind text, name text, parameter_name text)
 *	  returns jsonb
 *
 * Evaluates the spec as get_feature_gate / get_dynamic_config /
 * get_experiment / get_layer do, records its exposure (deduplicated) and
 * returns the result.  For a layer, parameter_name is the parameter the
 * caller reads; NULL records every parameter of the layer's value.  NULL
 * user, kind or name: NULL.  VOLATILE (it writes).
 */
PG_FUNCTION_INFO_V1(ea_pg_log_exposure);
Datum
ea_pg_log_exposure(PG_FUNCTION_ARGS)
{
	Jsonb	   *user;
	char	   *name;
	char	   *parameter;
	ea_kind		kind;
	const ea_specs *specs;
	const ea_user *u;
	EaCoreGuard *guard;
	ea_eval_opts opts;
	ea_error	err;
	Jsonb	   *result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	user = PG_GETARG_JSONB_P(0);
	kind = ea_pg_expo_kind(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	parameter = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));

	guard = ea_pg_guard_create();
	ea_pg_eval_opts(&opts);
	specs = ea_pg_cache_specs(false);
	u = ea_pg_user_from_jsonb(user, ea_specs_user_needs(specs, kind, name));
	if (ea_evaluate(specs, u, kind, name, &opts, &guard->result, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	result = ea_pg_result_jsonb(guard->result);
	ea_pg_exposures_record(guard->result,
						   JsonbToCString(NULL, &user->root, VARSIZE(user)),
						   kind == EA_KIND_LAYER ? parameter : NULL);
	ea_pg_guard_release(guard);
	PG_RETURN_JSONB_P(result);
}

/* ---- forwarding ---- */

static char *
ea_pg_expo_header(const char *name, const char *value)
{
	char	   *line = palloc(EA_HTTP_HEADER_MAX);
	ea_error	err;

	if (ea_http_header(line, name, value, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	return line;
}

/*
 * Send one batch: the oldest pending events (at most batch_size) as one
 * log_event request; delete them when the endpoint accepted it.  Runs in
 * the caller's transaction (rows stay locked until it ends).  Returns the
 * number of events delivered (0: nothing pending), or -1 when the request
 * failed; then error describes it (no secret in it).
 */
int64
ea_pg_exposures_send_batch(int retry_count, char *error, size_t errlen)
{
	const char *url = ea_pg_log_event_url;
	char		secret[EA_HTTP_SECRET_MAX + 1];
	char		common[EA_PG_STATSIG_HEADERS][EA_HTTP_HEADER_MAX];
	EaOwnerSwitch save;
	Oid			schema;
	Datum		values[1];
	int			n,
				i,
				nheaders;
	const char **events;
	Datum	   *ids;
	unsigned char *gz = NULL;
	size_t		gzlen = 0;
	char	   *body;
	ea_error	err;
	ea_status	st;
	EaHttpRequest req;
	EaHttpResponse resp;
	const char *headers[EA_PG_STATSIG_HEADERS + 5];
	char		num[32];
	ea_expo_sdk sdk;
	const char *session;

	error[0] = '\0';
	/* a database whose extension is not updated to 0.2.0 yet has no queue */
	if (!ea_pg_extension_at_least("0.2.0"))
		return 0;
	if (url == NULL || url[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("exposure forwarding is off"),
				 errdetail("Setting experiment_assign.log_event_url is empty."),
				 errhint("Set experiment_assign.log_event_url to Statsig's log_event endpoint.")));

	schema = ea_pg_storage_enter(&save);
	values[0] = Int32GetDatum(ea_pg_exposure_batch_size);
	ea_pg_xexec(schema, EA_XPLAN_LOCK_BATCH, values, NULL, SPI_OK_SELECT);
	n = (int) SPI_processed;
	if (n == 0)
	{
		ea_pg_storage_leave(&save);
		return 0;
	}
	if (!ea_pg_read_server_secret(secret, error, errlen))
	{
		values[0] = CStringGetTextDatum(error);
		ea_pg_xexec(schema, EA_XPLAN_FAILED, values, NULL, SPI_OK_UPDATE);
		ea_pg_storage_leave(&save);
		return -1;
	}
	events = palloc(sizeof(char *) * n);
	ids = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		ids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		events[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
	}

	/* statsig-api-key, -sdk-type, -sdk-version, -server-session-id */
	nheaders = ea_pg_statsig_headers(secret, common);
	for (i = 0; i < nheaders; i++)
		headers[i] = common[i];
	session = strchr(common[nheaders - 1], ':');
	session = session ? session + 2 : NULL;

	sdk.sdk_type = EA_HTTP_SDK_TYPE;
	sdk.sdk_version = EA_VERSION;
	sdk.session_id = session;
	st = ea_expo_batch_body(events, (size_t) n, &sdk, &gz, &gzlen, &err);
	if (st != EA_OK)
	{
		free(gz);
		explicit_bzero(secret, sizeof(secret));
		explicit_bzero(common, sizeof(common));
		ea_pg_report(&err, NULL);
	}
	body = palloc(gzlen ? gzlen : 1);
	memcpy(body, gz, gzlen);
	free(gz);

	headers[nheaders++] = ea_pg_expo_header("Content-Type", "application/json");
	headers[nheaders++] = ea_pg_expo_header("Content-Encoding", "gzip");
	snprintf(num, sizeof(num), "%d", n);
	headers[nheaders++] = ea_pg_expo_header("statsig-event-count", num);
	snprintf(num, sizeof(num), INT64_FORMAT, ea_pg_now_ms());
	headers[nheaders++] = ea_pg_expo_header("statsig-client-time", num);
	snprintf(num, sizeof(num), "%d", retry_count);
	headers[nheaders++] = ea_pg_expo_header("statsig-retry-count", num);

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.log_url = "log_event";
	req.headers = headers;
	req.nheaders = nheaders;
	req.body = body;
	req.body_len = gzlen;
	req.timeout_ms = ea_pg_exposure_timeout;
	req.redact = secret;
	PG_TRY();
	{
		ea_pg_http_request(&req, &resp);
	}
	PG_FINALLY();
	{
		explicit_bzero(secret, sizeof(secret));
		explicit_bzero(common, sizeof(common));
	}
	PG_END_TRY();

	if (ea_http_classify(resp.outcome, resp.status) == EA_HTTP_SUCCESS)
	{
		values[0] = PointerGetDatum(construct_array(ids, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		ea_pg_xexec(schema, EA_XPLAN_DELETE_BATCH, values, NULL, SPI_OK_UPDATE);
		ea_pg_storage_leave(&save);
		return n;
	}
	if (resp.outcome == EA_HTTP_COMPLETED)
		snprintf(error, errlen, "log_event answered HTTP %ld", resp.status);
	else
		snprintf(error, errlen, "%s", resp.error);
	values[0] = CStringGetTextDatum(error);
	ea_pg_xexec(schema, EA_XPLAN_FAILED, values, NULL, SPI_OK_UPDATE);
	ea_pg_storage_leave(&save);
	return -1;
}

/*
 * flush_exposures() returns bigint
 *
 * Sends every pending exposure now, batch after batch, through the same
 * path as the worker; returns how many were delivered.  A failed request
 * stops with a WARNING (the rows stay for the next attempt).  Deliveries
 * are committed with the calling transaction.  Privileged.
 */
PG_FUNCTION_INFO_V1(ea_pg_flush_exposures);
Datum
ea_pg_flush_exposures(PG_FUNCTION_ARGS)
{
	int64		total = 0;
	char		error[256];

	for (;;)
	{
		int64		n = ea_pg_exposures_send_batch(0, error, sizeof(error));

		if (n < 0)
		{
			ereport(WARNING,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("exposures not delivered: %s", error),
					 errdetail("%lld exposures were delivered before the failure; the others stay queued.",
							   (long long) total),
					 errhint("Check experiment_assign.log_event_url; the exposures are sent again by the next flush.")));
			break;
		}
		if (n == 0)
			break;
		total += n;
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_INT64(total);
}

/* ---- the worker's part ---- */

/* Longest wait between attempts after failures. */
#define EA_EXPO_MAX_BACKOFF_MS	60000

/* Most batches sent in one call, so the worker's other work is not starved. */
#define EA_EXPO_BATCHES_PER_CALL	20

static int	ea_expo_failures = 0;
static TimestampTz ea_expo_next = 0;

/* One batch in a transaction of its own; -1 (logged) when it failed. */
static int64
ea_pg_expo_worker_batch(void)
{
	MemoryContext caller = CurrentMemoryContext;
	volatile int64 n = -1;
	char		error[256];

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		n = ea_pg_exposures_send_batch(ea_expo_failures, error, sizeof(error));
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(caller);
		if (n < 0)
			ereport(LOG,
					(errmsg("experiment_assign exposures: delivery failed: %s", error),
					 errdetail("Attempt %d; the exposures stay queued.", ea_expo_failures + 1)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextSwitchTo(caller);
		ereport(LOG,
				(errmsg("experiment_assign exposures: delivery failed: %s", edata->message)));
		FreeErrorData(edata);
		n = -1;
	}
	PG_END_TRY();
	return n;
}

/*
 * The worker's exposure delivery, called from its loop outside any
 * transaction: when due, sends batches until the queue is empty (or a
 * bounded number per call), backing off after failures.  Returns the
 * milliseconds until it wants to be called again.
 */
long
ea_pg_exposures_worker_flush(void)
{
	TimestampTz now = GetCurrentTimestamp();
	int			i;
	int64		delay;
	const char *url = ea_pg_log_event_url;

	if (url == NULL || url[0] == '\0')
		return 3600L * 1000L;
	if (now < ea_expo_next)
		return (long) Min(TimestampDifferenceMilliseconds(now, ea_expo_next), 3600L * 1000L);
	for (i = 0; i < EA_EXPO_BATCHES_PER_CALL; i++)
	{
		int64		n = ea_pg_expo_worker_batch();

		if (n < 0)
		{
			ea_expo_failures++;
			break;
		}
		ea_expo_failures = 0;
		if (n < ea_pg_exposure_batch_size)
			break;
		CHECK_FOR_INTERRUPTS();
	}
	if (i == EA_EXPO_BATCHES_PER_CALL)
		return 0;				/* more is pending: come back at once */
	delay = ea_http_backoff_ms(ea_expo_failures, ea_pg_exposure_flush_interval,
							   EA_EXPO_MAX_BACKOFF_MS);
	ea_expo_next = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay);
	return (long) delay;
}

/* ---- settings ---- */

void
ea_pg_exposures_init(void)
{
	DefineCustomBoolVariable("experiment_assign.log_exposures",
							 "Record exposures of persistent assignments and log_exposure().",
							 "The persistence-aware get_experiment/get_layer and the assignment "
							 "trigger record the exposure of what they return; off records nothing "
							 "(log_exposure() then only evaluates).",
							 &ea_pg_log_exposures,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.exposure_dedup_window",
							"Window in which a repeated exposure is not logged again.",
							"Same unit ids, spec, rule and parameter, as Server Core deduplicates "
							"(60 s there). 0 logs every exposure.",
							&ea_pg_exposure_dedup_window,
							60000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.exposure_backlog_limit",
							"Most exposures kept waiting for delivery.",
							"Beyond it the oldest undelivered exposures are deleted and counted "
							"in ea_exposure_status.dropped.",
							&ea_pg_exposure_backlog_limit,
							1000000, 100, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.exposure_batch_size",
							"Most exposures sent in one log_event request.",
							NULL,
							&ea_pg_exposure_batch_size,
							1000, 1, 100000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.exposure_flush_interval",
							"How often the worker sends pending exposures.",
							"After a failure it waits longer, doubling up to 8 times this, at most 60 s.",
							&ea_pg_exposure_flush_interval,
							1000, 10, 3600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("experiment_assign.exposure_request_timeout",
							"Time limit of one log_event request.",
							NULL,
							&ea_pg_exposure_timeout,
							10000, 100, 600000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	RegisterXactCallback(ea_pg_expo_xact, NULL);
	RegisterSubXactCallback(ea_pg_expo_subxact, NULL);
}
