/*-------------------------------------------------------------------------
 *
 * ea_result.h
 *	  An evaluation result and its exposures.
 *
 * Internal to the core.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_RESULT_H
#define EA_RESULT_H

#include "ea_spec.h"

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

/* Append an exposure (sets r->nomem when out of memory). */
extern void ea_expo_list_push(ea_result *r, ea_expo_list *l,
							  const ea_exposure *e);

#endif							/* EA_RESULT_H */
