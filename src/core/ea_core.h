/*-------------------------------------------------------------------------
 *
 * ea_core.h
 *	  Public interface of the experiment_assign evaluation core.
 *
 * The core is plain C99: it includes no PostgreSQL header, reports every
 * failure through its return value and an ea_error, and owns its memory
 * explicitly (every object it returns has a matching *_free function).
 * json-c is used inside the core only; no json-c type crosses this header.
 *
 * Objects are not immutable once built: they keep memos written on first
 * use.  A user caches the numeric, time and lower-cased views of its
 * strings while it is evaluated, and an ea_specs caches the user needs of
 * each spec asked for (ea_specs_user_needs()).  So no object may be used
 * by two threads at once; give each thread its own, or lock around every
 * call (the PostgreSQL layer is one thread per backend).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_CORE_H
#define EA_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ea_status
{
	EA_OK = 0,
	EA_ERR_JSON,				/* text is not valid JSON */
	EA_ERR_SPEC,				/* valid JSON, not a usable DCS document */
	EA_ERR_USER,				/* the StatsigUser object is malformed */
	EA_ERR_PERSISTED,			/* malformed user persisted values */
	EA_ERR_LIMIT,				/* nesting depth or size limit exceeded */
	EA_ERR_NOMEM				/* out of memory */
} ea_status;

/*
 * Error report.  message is lower case without a final period (an errmsg);
 * detail and hint are full sentences and may be empty.
 */
typedef struct ea_error
{
	ea_status	code;
	char		message[256];
	char		detail[1024];
	char		hint[512];
} ea_error;

typedef enum ea_kind
{
	EA_KIND_GATE = 0,
	EA_KIND_CONFIG,
	EA_KIND_EXPERIMENT,
	EA_KIND_LAYER
} ea_kind;

typedef struct ea_specs ea_specs;
typedef struct ea_user ea_user;
typedef struct ea_result ea_result;
typedef struct ea_ip_table ea_ip_table;

/* ---- config specs (download_config_specs, v1 or v2) ---- */

/* Parse and validate a whole DCS document; nothing is returned on error. */
extern ea_status ea_specs_parse(const char *json, size_t len,
								ea_specs **out, ea_error *err);
extern void ea_specs_free(ea_specs *specs);

/* The document's "time" (milliseconds since the epoch; 0 when absent). */
extern int64_t ea_specs_time(const ea_specs *specs);

/* 1 or 2: the DCS format the document was in. */
extern int	ea_specs_format(const ea_specs *specs);

/* Enumerate specs, for catalogue views. */
typedef struct ea_spec_info
{
	const char *name;
	ea_kind		kind;			/* GATE, CONFIG (incl. experiments), LAYER */
	const char *entity;			/* "feature_gate", "experiment", "segment", ... */
	const char *id_type;
	bool		enabled;
	int			is_active;		/* -1 when the spec has no isActive */
	const char *layer;			/* experiment's layer, or NULL */
	int64_t		version;		/* -1 when absent */
	int			rule_count;
} ea_spec_info;

extern size_t ea_specs_count(const ea_specs *specs);

/* One spec's idType by kind and name (O(1)); NULL when there is none. */
extern const char *ea_specs_id_type(const ea_specs *specs, ea_kind kind,
									const char *name);
extern void ea_specs_info(const ea_specs *specs, size_t i, ea_spec_info *out);

/*
 * Which parts of a user a spec can read (transitively: nested gates,
 * delegates, ...), so a caller building users from its own representation
 * can skip the rest.  NULL needs mean "everything".  Computed on first use
 * and kept in the specs (not thread-safe: see ea_needs.c).
 */
typedef struct ea_user_needs ea_user_needs;

extern const ea_user_needs *ea_specs_user_needs(const ea_specs *specs,
												ea_kind kind, const char *name);
/* What a member's value is, as far as the user's validation cares. */
typedef enum ea_member_type
{
	EA_MT_STRING,
	EA_MT_NUMBER,
	EA_MT_NULL,
	EA_MT_OTHER					/* boolean, array or object */
} ea_member_type;

/*
 * Must a member be built?  True when the spec can read it, or when its
 * type would make the whole user invalid (so that the error is the same
 * as for the whole user).  object is NULL for a top-level member, else the
 * name ea_user_object_name() gave for the object it sits in.
 */
extern bool ea_user_needs_member(const ea_user_needs *needs, const char *object,
								 const char *key, size_t len, ea_member_type type);

/*
 * Which members of a user object (object as above) the spec can read, as a
 * filter: ea_user_needs_member() is false for every member whose
 * ea_user_needs_bit() is not in it, except, in customIDs, one of a type
 * other than string, number or null.  So a caller may skip an object none
 * of whose names hits the filter, after checking just that (and
 * EA_USER_MAX_DEPTH and the number rule, below).  All ones for NULL needs.
 */
extern uint64_t ea_user_needs_filter(const ea_user_needs *needs, const char *object);

/*
 * The same for the top level: ea_user_needs_member() is false for a
 * top-level member whose value is a string or null and whose bit is not
 * in this filter.  All ones for NULL needs.
 */
extern uint64_t ea_user_needs_top_filter(const ea_user_needs *needs);

/* One bit per (length, first byte) of a member name. */
static inline uint64_t
ea_user_needs_bit(const char *key, size_t len)
{
	return UINT64_C(1) << ((len * 7 + (len > 0 ? (unsigned char) key[0] : 0)) & 63);
}

/*
 * A member the spec does not read can still make the user invalid, inside
 * its value: nesting deeper than EA_USER_MAX_DEPTH containers (counting
 * the user object itself) or a number beyond f64.  A caller that skips
 * members must build any such member anyway, so that every function gives
 * the same verdict for the same user; ea_user_number_ok() is the number
 * rule the builder applies.
 */
#define EA_USER_MAX_DEPTH 64
extern bool ea_user_number_ok(const char *text, size_t len);
extern void ea_user_needs_free(ea_user_needs *needs);

/*
 * Do the needs include the unit id of id_type (what ea_user_unit_id()
 * reads)?  True for NULL needs (everything).
 */
extern bool ea_user_needs_unit(const ea_user_needs *needs, const char *id_type);

/*
 * Is a top-level key one of the user's objects (custom,
 * privateAttributes, customIDs, statsigEnvironment)?  Its name, or NULL.
 */
extern const char *ea_user_object_name(const char *key, size_t len);

/* ---- StatsigUser ---- */

/* Parse a StatsigUser JSON object; wrong-typed fields are EA_ERR_USER. */
extern ea_status ea_user_parse(const char *json, size_t len,
							   ea_user **out, ea_error *err);
extern void ea_user_free(ea_user *user);

/*
 * Build a StatsigUser from a stream of JSON events instead of text (the
 * PostgreSQL layer walks a jsonb value).  Strings need not be
 * NUL-terminated; numbers are given as their JSON text.  The events must
 * form one JSON value; ea_user_builder_finish() validates it exactly as
 * ea_user_parse() does and consumes the builder either way.  Abandon an
 * unfinished builder with ea_user_builder_free().
 */
typedef struct ea_user_builder ea_user_builder;

extern ea_user_builder *ea_user_builder_new(void);

/*
 * As ea_user_builder_new(), reusing the memory of a user that is no longer
 * needed (taken over: freed on failure; NULL: a new one).
 */
extern ea_user_builder *ea_user_builder_recycle(ea_user *spare);
extern void ea_ub_begin(ea_user_builder *b, bool is_object);
extern void ea_ub_end(ea_user_builder *b);
extern void ea_ub_key(ea_user_builder *b, const char *key, size_t len);
extern void ea_ub_string(ea_user_builder *b, const char *s, size_t len);
extern void ea_ub_number(ea_user_builder *b, const char *text, size_t len);
extern void ea_ub_bool(ea_user_builder *b, bool value);
extern void ea_ub_null(ea_user_builder *b);
extern ea_status ea_user_builder_finish(ea_user_builder *b, ea_user **out,
										ea_error *err);
extern void ea_user_builder_free(ea_user_builder *b);

/*
 * The unit id Server Core uses for idType (userID, or a customIDs entry).
 * Returns NULL when the user has none.  Owned by the user object.
 */
extern const char *ea_user_unit_id(const ea_user *user, const char *id_type);

/* ---- evaluation ---- */

/*
 * ID-list membership: is the 8-character Statsig hash of a unit id in the
 * named list?  Supplied by the caller (the PostgreSQL layer keeps lists in
 * a table).  NULL callback: every list is empty.
 */
typedef bool (*ea_idlist_fn) (void *arg, const char *list_name,
							  const char *id_hash);

/*
 * An optional cache of parsed user agents (ua_based conditions), owned by
 * the caller and passed in ea_eval_opts; not thread-safe.
 */
typedef struct ea_ua_cache ea_ua_cache;

extern ea_ua_cache *ea_ua_cache_new(void);
extern void ea_ua_cache_free(ea_ua_cache *cache);

/*
 * Optional memory for the temporary values of evaluations (bucket numbers,
 * lower-cased strings, ...), owned by the caller and passed in
 * ea_eval_opts: kept from one evaluation to the next instead of allocated
 * and freed by each.  Not thread-safe.
 */
typedef struct ea_scratch ea_scratch;

extern ea_scratch *ea_scratch_new(void);
extern void ea_scratch_free(ea_scratch *scratch);

/*
 * Hand a result the caller no longer needs to the scratch (consumed either
 * way): the next evaluation with this scratch reuses its memory instead of
 * allocating a result and its exposure arrays.  NULL scratch: freed.
 */
extern void ea_scratch_keep_result(ea_scratch *scratch, ea_result *r);

typedef struct ea_eval_opts
{
	const char *environment_tier;	/* SDK environment option, or NULL */
	int64_t		now_ms;			/* evaluation time; 0 = wall clock */
	ea_idlist_fn idlist_contains;
	void	   *idlist_arg;
	const ea_ip_table *ip_table;	/* for ip_based; NULL = no country */
	ea_ua_cache *ua_cache;		/* parsed user agents; NULL = parse each */
	ea_scratch *scratch;		/* NULL = memory per evaluation */
	bool		value_only;		/* the caller reads only the value: no exposures */
} ea_eval_opts;

/*
 * Evaluate one spec for one user.  An unknown name is not an error: the
 * result is Server Core's "Unrecognized" result.
 */
extern ea_status ea_evaluate(const ea_specs *specs, const ea_user *user,
							 ea_kind kind, const char *name,
							 const ea_eval_opts *opts,
							 ea_result **out, ea_error *err);

/*
 * The same, for a caller that evaluates one name many times: the spec of
 * that name looked up once with ea_specs_find() (NULL when the document
 * lacks it; valid as long as specs) instead of by name on every call.
 */
struct ea_spec;
extern const struct ea_spec *ea_specs_find(const ea_specs *specs, ea_kind kind,
										   const char *name);
extern ea_status ea_evaluate_found(const ea_specs *specs, const ea_user *user,
								   ea_kind kind, const char *name,
								   const struct ea_spec *spec,
								   const ea_eval_opts *opts,
								   ea_result **out, ea_error *err);

/*
 * A result's fields, for callers that build their own output (the
 * PostgreSQL layer builds jsonb directly).  ea_result_json() writes exactly
 * these fields.  Strings are owned by the result or the specs.
 */
typedef struct ea_result_view
{
	ea_kind		kind;
	const char *name;
	bool		bool_value;		/* gates: the value */
	const char *value_json;		/* others: the value object; NULL means {} */
	bool		value_is_stable;	/* value_json lives as long as the specs */
	const char *rule_id;
	const char *group_name;		/* NULL: JSON null */
	const char *id_type;
	const char *reason;
	int			is_experiment_group;	/* experiments, layers: -1 is null */
	int			is_experiment_active;
	const char *allocated_experiment_name;	/* layers; NULL: JSON null */
	size_t		nexplicit;		/* layers */
	const char *const *explicit_params;
	size_t		nexposures;
	size_t		nundelegated;	/* layers */
	int64_t		config_version; /* -1: the key is absent */
} ea_result_view;

extern void ea_result_get_view(const ea_result *result, ea_result_view *view);
extern void ea_result_get_exposure(const ea_result *result, bool undelegated,
								   size_t i, const char **gate,
								   bool *gate_value, const char **rule_id);

/* A gate's boolean value (false for other kinds). */
extern bool ea_result_bool(const ea_result *result);

/*
 * The result as a JSON object (malloc'd, NUL-terminated; caller frees
 * with free()).  Keys: name, value, rule_id, group_name, id_type, reason,
 * secondary_exposures; experiments and layers add is_experiment_group and
 * is_experiment_active; layers add allocated_experiment_name,
 * undelegated_secondary_exposures and explicit_parameters.
 */
extern ea_status ea_result_json(const ea_result *result, char **json_out,
								size_t *len_out, ea_error *err);
extern void ea_result_free(ea_result *result);

/* ---- persistent assignment (sticky values) ---- */

typedef enum ea_sticky_action
{
	EA_STICKY_NONE = 0,			/* storage stays as it is */
	EA_STICKY_SAVE,				/* store sticky_json for (unit, id type, name) */
	EA_STICKY_DELETE			/* delete the stored value, if any */
} ea_sticky_action;

typedef struct ea_sticky_outcome
{
	ea_sticky_action action;
	char	   *unit_id;		/* NULL when the user has no unit id */
	char	   *id_type;		/* the spec's idType */
	char	   *sticky_json;	/* SAVE: Server Core StickyValues JSON */
	bool		persisted;		/* the result came from a stored value */
} ea_sticky_outcome;

/*
 * Server Core's persistent-assignment flow for experiments and layers.
 * persisted_json is the caller's UserPersistedValues object ({config:
 * StickyValues}), or NULL for the SDK's "None" (delete and evaluate).  A
 * malformed object is EA_ERR_PERSISTED naming the bad entry.  The outcome
 * says what the caller must do to its storage; free it with
 * ea_sticky_outcome_free().
 */
extern ea_status ea_evaluate_persisted(const ea_specs *specs,
									   const ea_user *user, ea_kind kind,
									   const char *name,
									   const ea_eval_opts *opts,
									   const char *persisted_json,
									   size_t persisted_len,
									   bool enforce_targeting,
									   bool enforce_overrides,
									   ea_result **out,
									   ea_sticky_outcome *outcome,
									   ea_error *err);
extern void ea_sticky_outcome_free(ea_sticky_outcome *outcome);

/*
 * Validate one StickyValues object (import path; errors name config_name)
 * and rewrite it in Server Core's field names (legacy "configVersion"
 * becomes "config_version").  The returned text is malloc'd.
 */
extern ea_status ea_sticky_normalize(const char *config_name,
									 const char *json, size_t len,
									 char **normalized, ea_error *err);

/* A result's group name and rule id (NULL when absent). */
extern const char *ea_result_group_name(const ea_result *result);
extern const char *ea_result_rule_id(const ea_result *result);

/* Statsig's 8-character id-list hash of a unit id (base64 of SHA-256). */
extern void ea_idlist_hash(const char *unit_id, size_t len, char out[9]);

/* A fast non-cryptographic hash for in-memory tables and caches. */
extern uint64_t ea_hash_bytes(const void *data, size_t len);

#endif							/* EA_CORE_H */
