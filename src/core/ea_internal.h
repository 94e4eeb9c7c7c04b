/*-------------------------------------------------------------------------
 *
 * ea_internal.h
 *	  Data model shared by the files of the evaluation core.
 *
 * Not for the PostgreSQL layer: this header names json-c and PCRE2 types.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_INTERNAL_H
#define EA_INTERNAL_H

#include "ea_core.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <json-c/json.h>

/* ---- arena: everything a spec document or a user owns ---- */

typedef struct ea_arena_block ea_arena_block;

typedef struct ea_arena
{
	ea_arena_block *head;
	bool		failed;			/* an allocation failed */
} ea_arena;

extern void *ea_arena_alloc(ea_arena *arena, size_t size);
extern char *ea_arena_strndup(ea_arena *arena, const char *s, size_t len);
extern char *ea_arena_strdup(ea_arena *arena, const char *s);
extern void ea_arena_reset(ea_arena *arena);
extern void ea_arena_free(ea_arena *arena);

/* ---- string -> pointer hash map (keys are not copied) ---- */

typedef struct ea_map_entry
{
	const char *key;
	void	   *value;
} ea_map_entry;

typedef struct ea_map
{
	ea_map_entry *slots;
	size_t		cap;			/* power of two, or 0 */
	size_t		count;
} ea_map;

extern bool ea_map_put(ea_map *map, const char *key, void *value);
extern void *ea_map_get(const ea_map *map, const char *key);
extern void *ea_map_get_n(const ea_map *map, const char *key, size_t len);
extern void ea_map_free(ea_map *map);

/* ---- growable byte buffer ---- */

typedef struct ea_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		failed;
} ea_buf;

extern void ea_buf_append(ea_buf *buf, const char *s, size_t len);
extern void ea_buf_puts(ea_buf *buf, const char *s);

/* ---- hashing ---- */

extern void ea_sha256(const void *data, size_t len, uint8_t out[32]);
extern void ea_sha256_portable(const void *data, size_t len, uint8_t out[32]);
extern uint64_t ea_eval_hash(const char *s, size_t len);

/* ---- values ---- */

typedef enum ea_jtype
{
	EA_J_NULL = 0,
	EA_J_BOOL,
	EA_J_NUMBER,
	EA_J_STRING,
	EA_J_ARRAY,
	EA_J_OBJECT
} ea_jtype;

/*
 * A user-side value, with every view Server Core derives from it
 * (its DynamicValue): string form, numeric forms, timestamp.
 */
typedef struct ea_dval ea_dval;
struct ea_dval
{
	ea_jtype	type;
	bool		has_bool;
	bool		has_int;
	bool		has_float;
	bool		has_ts;
	bool		bool_value;
	int64_t		int_value;
	double		float_value;
	int64_t		ts_value;
	bool		derived;		/* numeric/time views of a string computed */
	ea_arena   *arena;			/* where a string's lower-cased view goes */
	const char *num_text;		/* a number's JSON text as serde writes it */
	const char *str;			/* string view, or NULL */
	const char *lower;			/* lower-cased string view, or NULL */
	size_t		nitems;			/* array items / object members */
	ea_dval    *items;
	const char **keys;			/* object member names */
};

/* One element of a target array, keyed by its lower-cased string. */
typedef struct ea_telem
{
	const char *lower;
	const char *orig;
	size_t		index;
} ea_telem;

/* A condition's target value (Server Core's EvaluatorValue). */
typedef struct ea_tval
{
	ea_jtype	type;
	bool		has_bool;
	bool		has_float;
	bool		has_ts;
	bool		bool_value;
	double		float_value;
	int64_t		ts_value;
	const char *str;
	const char *lower;
	pcre2_code *regex;			/* str_matches only; NULL if invalid */
	size_t		nelems;			/* distinct array elements */
	ea_telem   *elems;
	ea_map		elem_index;		/* lower -> ea_telem */
	size_t		nmembers;		/* object members */
	const char **member_keys;
	const char **member_strs;
	ea_map		member_index;	/* key -> string value */
} ea_tval;

extern const ea_dval ea_dval_empty;
extern char *ea_lower_dup(ea_arena *arena, const char *s);

/*
 * A string's numeric and timestamp views are computed on first use (most
 * strings are only ever compared as strings).  This writes to the value:
 * one ea_user must not be evaluated by two threads at once.
 */
extern void ea_dval_derive_slow(ea_dval *v);

static inline const ea_dval *
ea_dval_derived(const ea_dval *v)
{
	if (v->type == EA_J_STRING && !v->derived)
		ea_dval_derive_slow((ea_dval *) v);
	return v;
}

/* A string's lower-cased view, made on first use (NULL only on OOM). */
static inline const char *
ea_dval_lower(const ea_dval *v)
{
	if (v->lower == NULL && v->str != NULL)
		((ea_dval *) v)->lower = v->arena ? ea_lower_dup(v->arena, v->str) : v->str;
	return v->lower;
}

extern bool ea_dval_from_json(ea_arena *arena, json_object *obj, ea_dval *out);
extern void ea_dval_number_text(ea_arena *arena, const char *text, bool is_int,
								ea_dval *out);
extern const char *ea_dval_array_text(ea_arena *arena, const ea_dval *v);
extern bool ea_json_parse(ea_arena *arena, const char *text, size_t len,
						  ea_dval *out, const char **err, size_t *err_at);
extern void ea_dval_from_string(ea_arena *arena, const char *s, ea_dval *out);
extern void ea_dval_from_uint(ea_arena *arena, uint64_t v, ea_dval *out);
extern bool ea_tval_from_json(ea_arena *arena, json_object *obj,
							  bool compile_regex, ea_tval *out);
extern void ea_tval_free_regex(ea_tval *tv);

extern bool ea_parse_rust_f64(const char *s, double *out);
extern bool ea_parse_rust_i64(const char *s, int64_t *out);
extern bool ea_parse_timestamp(const char *s, int64_t *out);
extern void ea_format_f64(double v, char *buf, size_t size);
extern void ea_format_i64(int64_t v, char *buf, size_t size);
extern void ea_format_json_number(json_object *num, char *buf, size_t size);

/* ---- user ---- */

/* An object's members, as parsed (a later duplicate key wins). */
typedef struct ea_kvlist
{
	size_t		n;
	const char **keys;
	const ea_dval *items;
	bool		present;
} ea_kvlist;

struct ea_user
{
	ea_arena	arena;
	ea_dval		user_id;
	ea_dval		email;
	ea_dval		ip;
	ea_dval		user_agent;
	ea_dval		country;
	ea_dval		locale;
	ea_dval		app_version;
	ea_kvlist	custom;
	ea_kvlist	custom_ids;
	ea_kvlist	private_attributes;
	ea_kvlist	environment;
};

extern const ea_dval *ea_kv_get(const ea_kvlist *list, const char *key);
extern ea_status ea_user_from_root(ea_user *user, const ea_dval *root,
								   ea_error *err);
extern const ea_dval *ea_user_value(const ea_user *user, const char *field,
									const char *lower_field);

/*
 * Where a field name points among the user's own fields: 0..6 for userid,
 * email, ip, country, locale, appversion, useragent; 10 plus that for the
 * aliases user_id, app_version, user_agent (looked up after custom); -1
 * for other names.  Computed once per condition when specs are parsed.
 */
extern int	ea_user_field_slot(const char *lower_field);
#define EA_SLOT_IP			2	/* ea_user_field_slot("ip") */
#define EA_SLOT_USERAGENT	6	/* ea_user_field_slot("useragent") */
extern int	ea_user_top_field(const char *key, size_t len, bool *allow_number);
extern int	ea_user_field_index(const char *key, size_t len);
extern bool ea_user_set_field(ea_user *user, int i, const ea_dval *v);
extern const char *ea_user_field_name(int i);
extern const ea_dval *ea_user_value_at(const ea_user *user, const char *field,
									   const char *lower_field, int slot);
extern const ea_dval *ea_user_unit_dval(const ea_user *user,
										const char *id_type,
										const char *lower_id_type);

extern bool ea_ua_cache_fields(ea_ua_cache *cache, const char *ua, size_t len,
							   const char *fields[4]);

/* ---- specs ---- */

/* Condition types and operators, resolved when specs are parsed. */
typedef enum ea_ctype
{
	EA_C_UNKNOWN = 0,
	EA_C_PUBLIC,
	EA_C_PASS_GATE,
	EA_C_FAIL_GATE,
	EA_C_USER_FIELD,
	EA_C_UNIT_ID,
	EA_C_ENVIRONMENT_FIELD,
	EA_C_CURRENT_TIME,
	EA_C_USER_BUCKET,
	EA_C_TARGET_APP,
	EA_C_UA_BASED,
	EA_C_IP_BASED,
	EA_C_EXPERIMENT_GROUP
} ea_ctype;

typedef enum ea_op
{
	EA_OP_UNKNOWN = 0,
	EA_OP_GT, EA_OP_GTE, EA_OP_LT, EA_OP_LTE,
	EA_OP_VERSION_GT, EA_OP_VERSION_GTE, EA_OP_VERSION_LT, EA_OP_VERSION_LTE,
	EA_OP_VERSION_EQ, EA_OP_VERSION_NEQ,
	EA_OP_ANY, EA_OP_NONE, EA_OP_STR_STARTS_WITH_ANY, EA_OP_STR_ENDS_WITH_ANY,
	EA_OP_STR_CONTAINS_ANY, EA_OP_STR_CONTAINS_NONE,
	EA_OP_ANY_CASE_SENSITIVE, EA_OP_NONE_CASE_SENSITIVE,
	EA_OP_STR_MATCHES, EA_OP_BEFORE, EA_OP_AFTER, EA_OP_ON, EA_OP_EQ, EA_OP_NEQ,
	EA_OP_IN_SEGMENT_LIST, EA_OP_NOT_IN_SEGMENT_LIST,
	EA_OP_ARRAY_CONTAINS_ANY, EA_OP_ARRAY_CONTAINS_NONE,
	EA_OP_ARRAY_CONTAINS_ALL, EA_OP_NOT_ARRAY_CONTAINS_ALL
} ea_op;

extern ea_ctype ea_ctype_from_name(const char *name);
extern ea_op ea_op_from_name(const char *name);

typedef struct ea_condition
{
	ea_ctype	ctype;
	ea_op		opk;			/* EA_OP_UNKNOWN also when op is NULL */
	const char *type;
	const char *op;				/* NULL when absent */
	const char *field;			/* NULL when absent */
	const char *lower_field;
	const char *id_type;
	const char *lower_id_type;
	const char *salt;			/* additionalValues.salt, or NULL */
	int			field_slot;		/* ea_user_field_slot(lower_field) */
	int			ua_index;		/* ua_based: which parsed field, or -1 */
	bool		has_target;
	ea_tval		target;
} ea_condition;

typedef struct ea_rule
{
	const char *id;
	const char *name;
	const char *salt;			/* NULL: fall back to id */
	double		pass_percentage;
	const char *return_json;	/* serialized returnValue */
	int			return_bool;	/* -1 not a boolean, else 0/1 */
	bool		return_is_object;
	const char *id_type;
	const char *lower_id_type;
	const char *group_name;
	const char *config_delegate;
	int			is_experiment_group;	/* -1 absent */
	size_t		ncond;
	ea_condition **conds;		/* NULL entry: condition missing (v2) */
} ea_rule;

typedef struct ea_spec
{
	const char *name;
	ea_kind		kind;
	const char *type;
	const char *entity;
	const char *salt;
	const char *id_type;
	bool		enabled;
	int			is_active;		/* -1 absent */
	int64_t		version;		/* -1 absent */
	const char *default_json;
	int			default_bool;
	bool		default_is_object;
	bool		use_new_layer_eval;
	size_t		nexplicit;
	const char **explicit_params;
	bool		has_explicit;
	const char *layer;
	size_t		nrules;
	ea_rule    *rules;
} ea_spec;

typedef struct ea_mapping_rule
{
	const char *rule_name;
	int64_t		start_time;
} ea_mapping_rule;

typedef struct ea_mapping
{
	const char *new_config_name;
	size_t		nrules;
	ea_mapping_rule *rules;
} ea_mapping;

typedef struct ea_mapping_list
{
	size_t		n;
	ea_mapping *items;
} ea_mapping_list;

struct ea_specs
{
	ea_arena	arena;
	int			format;
	int64_t		time;
	const char *default_environment;
	bool		has_app_id;
	ea_dval		app_id;
	ea_map		gates;
	ea_map		configs;
	ea_map		layers;
	ea_map		conditions;		/* v2 condition_map */
	ea_map		override_rules; /* name -> ea_rule */
	ea_map		overrides;		/* spec name -> ea_mapping_list */
	size_t		nspecs;
	ea_spec   **all;			/* every spec, in document order */
	size_t		ntvals;
	size_t		tval_cap;
	ea_tval   **tvals;			/* targets holding a compiled regex */
	ea_map		needs[4];		/* by kind: name -> ea_user_needs (memo) */
};

/* ---- errors ---- */

extern ea_status ea_fail(ea_error *err, ea_status code, const char *message,
						 const char *detail_fmt,...)
			__attribute__((format(printf, 4, 5)));
extern void ea_set_hint(ea_error *err, const char *hint);

/* ---- comparisons ---- */

extern bool ea_cmp_numbers(const ea_dval *v, const ea_tval *t, ea_op op);
extern bool ea_cmp_versions(const ea_dval *v, const ea_tval *t, ea_op op);
extern bool ea_cmp_strings(const ea_dval *v, const ea_tval *t, ea_op op,
						   bool ignore_case);
extern bool ea_cmp_regex(const ea_dval *v, const ea_tval *t);
extern bool ea_cmp_time(const ea_dval *v, const ea_tval *t, ea_op op);
extern bool ea_cmp_eq(const ea_tval *t, const ea_dval *v);
extern bool ea_cmp_arrays(const ea_dval *v, const ea_tval *t, ea_op op);

/* ---- results ---- */

typedef struct ea_exposure
{
	const char *gate;
	bool		value;
	const char *rule_id;
} ea_exposure;

typedef struct ea_expo_list
{
	size_t		n;
	size_t		cap;
	ea_exposure *items;
} ea_expo_list;

struct ea_result
{
	ea_kind		kind;
	const char *name;
	bool		recognized;
	bool		unsupported;
	bool		bool_value;
	const char *json_value;		/* NULL: none; serialized JSON */
	bool		json_is_object;
	char	   *owned_json;		/* json_value when built by a layer */
	const char *rule_id;
	const char *group_name;
	const char *id_type;
	const char *entity;
	bool		is_experiment_group;
	bool		is_experiment_active;
	bool		is_in_layer;
	const char *config_delegate;
	const ea_spec *explicit_spec;	/* explicit parameters from this spec */
	bool		explicit_set;
	const char *const *explicit_params;
	size_t		nexplicit;
	ea_expo_list exposures;
	bool		has_undelegated;
	ea_expo_list undelegated;
	const char *override_config_name;
	int64_t		version;
	bool		nomem;
	bool		persisted;		/* built from a stored sticky value */
	ea_arena	owned;			/* strings of a persisted result */
};

/* Re-evaluation restricted to some rules (enforce_targeting/overrides). */
typedef enum ea_rule_filter
{
	EA_FILTER_NONE = 0,
	EA_FILTER_TARGETING,
	EA_FILTER_OVERRIDES
} ea_rule_filter;

extern bool ea_reeval_filtered(const ea_specs *specs, const ea_user *user,
							   const ea_eval_opts *opts, const char *name,
							   ea_rule_filter filter);
extern void ea_expo_list_push(ea_result *r, ea_expo_list *l,
							  const ea_exposure *e);

#endif							/* EA_INTERNAL_H */
