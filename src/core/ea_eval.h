/*-------------------------------------------------------------------------
 *
 * ea_eval.h
 *	  Internal entry points of the evaluator.
 *
 * Internal to the core (the sticky flow re-evaluates with a rule filter).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_EVAL_H
#define EA_EVAL_H

#include "ea_spec.h"
#include "ea_user.h"

/* ---- evaluation ---- */

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

#endif							/* EA_EVAL_H */
