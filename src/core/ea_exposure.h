/*-------------------------------------------------------------------------
 *
 * ea_exposure.h
 *	  Exposure events as Statsig's SDKs log them: event shaping, the
 *	  deduplication key and the log_event request body (pure C).
 *
 * Server Core (the engine behind @statsig/statsig-node-core) logs one
 * event per exposed evaluation:
 *	 statsig::gate_exposure    metadata gate, gateValue, ruleID, reason, ...
 *	 statsig::config_exposure  metadata config, ruleID, rulePassed, reason, ...
 *	 statsig::layer_exposure   one per layer parameter read: config, ruleID,
 *							   allocatedExperiment, parameterName,
 *							   isExplicitParameter, ...
 * each with the user (private attributes removed, the SDK environment
 * added), the time and the secondary exposures; a layer parameter that is
 * not explicit to the allocated experiment carries the undelegated ones.
 * Exposures are deduplicated by (spec, unit ids, rule, value/parameter)
 * and sent in batches as {"events": [...], "statsigMetadata": {...}}.
 *
 * No I/O and no PostgreSQL here: the PostgreSQL layer stores events,
 * keeps the deduplication set and sends the bodies built here.  Every
 * returned object has a matching *_free function.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_EXPOSURE_H
#define EA_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_core.h"

#define EA_EXPO_GATE_EVENT		"statsig::gate_exposure"
#define EA_EXPO_CONFIG_EVENT	"statsig::config_exposure"
#define EA_EXPO_LAYER_EVENT		"statsig::layer_exposure"

/* What the evaluation context adds to every event. */
typedef struct ea_expo_context
{
	int64_t		time_ms;		/* the exposure's "time" */
	int64_t		lcut;			/* the document's time ("lcut"); 0: omit */
	int64_t		received_at;	/* when the document arrived; 0: omit */
	const char *source;			/* reason prefix, e.g. "Bootstrap" */
	const char *environment_tier;	/* SDK environment; NULL/"": none */
} ea_expo_context;

/* One exposure event ready to be stored. */
typedef struct ea_expo_event
{
	const char *event_name;		/* one of the EA_EXPO_*_EVENT literals */
	char	   *json;			/* the event object (malloc'd) */
	char	   *dedup_key;		/* deduplication key (malloc'd) */
	char	   *unit_id;		/* the unit id for id_type; NULL: none */
	char	   *id_type;		/* the spec's idType (malloc'd) */
	char	   *config_name;	/* gate, config or layer name */
	char	   *rule_id;		/* the event's ruleID */
	char	   *group_name;		/* NULL when the result has none */
	char	   *experiment;		/* experiment of the exposure, or NULL */
} ea_expo_event;

typedef struct ea_expo_events
{
	size_t		n;
	ea_expo_event *items;
} ea_expo_events;

/*
 * The exposure events of one evaluation result for a user (the StatsigUser
 * JSON the result was evaluated for).  For a layer, parameter names the
 * parameter read; NULL logs one exposure per parameter of the layer's
 * value (as if each were read), none when the value is empty.  Unknown
 * names are logged too ("Unrecognized"), as Server Core does.  want, when
 * not NULL, says per candidate event (in the order ea_expo_keys() gives
 * them) whether to build it: deduplicated ones are skipped without the
 * cost of shaping them.  On error nothing is returned.
 */
extern ea_status ea_expo_build(const ea_result *result,
							   const char *user_json, size_t user_len,
							   const char *parameter,
							   const ea_expo_context *ctx,
							   const bool *want,
							   ea_expo_events *out, ea_error *err);

/*
 * The candidate events' deduplication keys only (every other member of
 * the returned events is NULL), in the order ea_expo_build() uses.
 */
extern ea_status ea_expo_keys(const ea_result *result,
							  const char *user_json, size_t user_len,
							  const char *parameter,
							  ea_expo_events *out, ea_error *err);
extern void ea_expo_events_free(ea_expo_events *events);

/* What the request body says about the sender (statsigMetadata). */
typedef struct ea_expo_sdk
{
	const char *sdk_type;		/* statsig-sdk-type */
	const char *sdk_version;	/* statsig-sdk-version */
	const char *session_id;		/* statsig-server-session-id */
} ea_expo_sdk;

/*
 * The log_event request body for n stored events (each a JSON object
 * text): {"events": [...], "statsigMetadata": {...}}, gzip-compressed
 * (RFC 1952) into a malloc'd buffer.  An event that is not a JSON object
 * is EA_ERR_JSON naming its position.
 */
extern ea_status ea_expo_batch_body(const char *const *events, size_t n,
									const ea_expo_sdk *sdk,
									unsigned char **body, size_t *body_len,
									ea_error *err);

/* Inflate a gzip body (tests and diagnostics); malloc'd, NUL-terminated. */
extern ea_status ea_expo_gunzip(const unsigned char *gz, size_t len,
								char **out, size_t *out_len, ea_error *err);

/*
 * Deduplication as Server Core does it: a set of keys that is emptied
 * when it is older than the window or holds more than max_keys keys.
 * The set itself lives in the caller (the PostgreSQL layer keeps it
 * transaction-aware); these decide when to empty it.
 */
#define EA_EXPO_DEDUP_MAX_KEYS	100000

extern bool ea_expo_dedup_expired(int64_t now_ms, int64_t last_reset_ms,
								  int64_t window_ms, size_t nkeys);

#endif							/* EA_EXPOSURE_H */
