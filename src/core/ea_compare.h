/*-------------------------------------------------------------------------
 *
 * ea_compare.h
 *	  Condition operators: Server Core's comparisons of a user value with a
 *	  target.
 *
 * Internal to the core.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_COMPARE_H
#define EA_COMPARE_H

#include "ea_spec.h"

/* ---- comparisons ---- */

extern bool ea_cmp_numbers(const ea_dval *v, const ea_tval *t, ea_op op);
extern bool ea_cmp_versions(const ea_dval *v, const ea_tval *t, ea_op op);
extern bool ea_cmp_strings(const ea_dval *v, const ea_tval *t, ea_op op,
						   bool ignore_case);
extern int	ea_cmp_regex(const ea_dval *v, const ea_tval *t);

extern bool ea_cmp_time(const ea_dval *v, const ea_tval *t, ea_op op);
extern bool ea_cmp_eq(const ea_tval *t, const ea_dval *v);
extern bool ea_cmp_arrays(const ea_dval *v, const ea_tval *t, ea_op op);

#endif							/* EA_COMPARE_H */
