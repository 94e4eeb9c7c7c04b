/*-------------------------------------------------------------------------
 *
 * ea_spec.h
 *	  The compiled spec model: conditions, rules, specs, config mappings.
 *
 * Internal to the core.  Built once by ea_specs_parse(); afterwards only
 * the per-spec user-needs memo (ea_needs.c) is written.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_SPEC_H
#define EA_SPEC_H

#include "ea_value.h"

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
	const struct ea_spec *gate_spec;	/* pass_gate/fail_gate: the gate, if known */
	/*
	 * user_bucket with any/none (either case) over an array: bit b set when
	 * an element's string is the decimal b (0..999), the only strings bucket
	 * b's equals; NULL otherwise.
	 */
	const uint64_t *bucket_set;
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
	const struct ea_spec *delegate_spec;	/* the delegate's config, if known */
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

/*
 * Nested evaluations (pass_gate/fail_gate, delegates, experiment_group,
 * config mappings) an evaluation may go through; deeper is 54000.
 */
#define EA_MAX_NESTING 300

/* Refuse a document with a spec that can never evaluate (ea_nesting.c). */
extern ea_status ea_specs_check_nesting(const ea_specs *specs, ea_error *err);

#endif							/* EA_SPEC_H */
