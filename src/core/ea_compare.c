/*-------------------------------------------------------------------------
 *
 * ea_compare.c
 *	  Condition operators, with Server Core's coercions: numbers compare
 *	  as f64, versions split on '.' before any '-', strings compare by
 *	  their string view (lower-cased unless case sensitive), times in
 *	  milliseconds (seconds when below 1e12).
 *
 *-------------------------------------------------------------------------
 */
#include "ea_compare.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const ea_ctype_names[] = {
	[EA_C_PUBLIC] = "public", [EA_C_PASS_GATE] = "pass_gate",
	[EA_C_FAIL_GATE] = "fail_gate", [EA_C_USER_FIELD] = "user_field",
	[EA_C_UNIT_ID] = "unit_id", [EA_C_ENVIRONMENT_FIELD] = "environment_field",
	[EA_C_CURRENT_TIME] = "current_time", [EA_C_USER_BUCKET] = "user_bucket",
	[EA_C_TARGET_APP] = "target_app", [EA_C_UA_BASED] = "ua_based",
	[EA_C_IP_BASED] = "ip_based", [EA_C_EXPERIMENT_GROUP] = "experiment_group",
};

static const char *const ea_op_names[] = {
	[EA_OP_GT] = "gt", [EA_OP_GTE] = "gte", [EA_OP_LT] = "lt", [EA_OP_LTE] = "lte",
	[EA_OP_VERSION_GT] = "version_gt", [EA_OP_VERSION_GTE] = "version_gte",
	[EA_OP_VERSION_LT] = "version_lt", [EA_OP_VERSION_LTE] = "version_lte",
	[EA_OP_VERSION_EQ] = "version_eq", [EA_OP_VERSION_NEQ] = "version_neq",
	[EA_OP_ANY] = "any", [EA_OP_NONE] = "none",
	[EA_OP_STR_STARTS_WITH_ANY] = "str_starts_with_any",
	[EA_OP_STR_ENDS_WITH_ANY] = "str_ends_with_any",
	[EA_OP_STR_CONTAINS_ANY] = "str_contains_any",
	[EA_OP_STR_CONTAINS_NONE] = "str_contains_none",
	[EA_OP_ANY_CASE_SENSITIVE] = "any_case_sensitive",
	[EA_OP_NONE_CASE_SENSITIVE] = "none_case_sensitive",
	[EA_OP_STR_MATCHES] = "str_matches", [EA_OP_BEFORE] = "before",
	[EA_OP_AFTER] = "after", [EA_OP_ON] = "on", [EA_OP_EQ] = "eq", [EA_OP_NEQ] = "neq",
	[EA_OP_IN_SEGMENT_LIST] = "in_segment_list",
	[EA_OP_NOT_IN_SEGMENT_LIST] = "not_in_segment_list",
	[EA_OP_ARRAY_CONTAINS_ANY] = "array_contains_any",
	[EA_OP_ARRAY_CONTAINS_NONE] = "array_contains_none",
	[EA_OP_ARRAY_CONTAINS_ALL] = "array_contains_all",
	[EA_OP_NOT_ARRAY_CONTAINS_ALL] = "not_array_contains_all",
};

/* Names are case sensitive, as in Server Core ("ANY" is unsupported). */
ea_ctype
ea_ctype_from_name(const char *name)
{
	size_t		i;

	for (i = 1; name && i < sizeof(ea_ctype_names) / sizeof(ea_ctype_names[0]); i++)
		if (ea_ctype_names[i] && strcmp(name, ea_ctype_names[i]) == 0)
			return (ea_ctype) i;
	return EA_C_UNKNOWN;
}

ea_op
ea_op_from_name(const char *name)
{
	size_t		i;

	for (i = 1; name && i < sizeof(ea_op_names) / sizeof(ea_op_names[0]); i++)
		if (ea_op_names[i] && strcmp(name, ea_op_names[i]) == 0)
			return (ea_op) i;
	return EA_OP_UNKNOWN;
}

bool
ea_cmp_numbers(const ea_dval *v, const ea_tval *t, ea_op op)
{
	double		l,
				r;

	ea_dval_derived(v);
	if (!v->has_float || !t->has_float)
		return false;
	l = v->float_value;
	r = t->float_value;
	switch (op)
	{
		case EA_OP_GT:
			return l > r;
		case EA_OP_GTE:
			return l >= r;
		case EA_OP_LT:
			return l < r;
		default:
			return l <= r;
	}
}

/*
 * Versions compare part by part: the text before the first '-', split on
 * '.', each part trimmed and read as an unsigned integer; a missing part
 * counts as 0.  A part that is present but not a number ("v1", "",
 * "3+build") voids the comparison (every operator false) -- but only when
 * the comparison reaches it, as in Server Core 0.23.
 */
static bool
ea_version_part(const char *p, const char *end, uint64_t *out)
{
	uint64_t	v = 0;

	while (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
		p++;
	while (end > p && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
		end--;
	if (p < end && *p == '+')
		p++;
	if (p == end)
		return false;
	for (; p < end; p++)
	{
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t) (*p - '0');
	}
	*out = v;
	return true;
}

/* Next part of a version: false when exhausted. */
static bool
ea_version_next(const char **p, const char *end, const char **start,
				const char **stop)
{
	const char *dot;

	if (*p == NULL)
		return false;
	dot = memchr(*p, '.', (size_t) (end - *p));
	*start = *p;
	*stop = dot ? dot : end;
	*p = dot ? dot + 1 : NULL;
	return true;
}

/* -2 when the comparison is void. */
static int
ea_version_compare(const char *l, const char *r)
{
	const char *lend = strchr(l, '-') ? strchr(l, '-') : l + strlen(l);
	const char *rend = strchr(r, '-') ? strchr(r, '-') : r + strlen(r);
	const char *lp = l,
			   *rp = r;

	for (;;)
	{
		const char *ls,
				   *le,
				   *rs,
				   *re;
		bool		lhas = ea_version_next(&lp, lend, &ls, &le);
		bool		rhas = ea_version_next(&rp, rend, &rs, &re);
		uint64_t	a = 0,
					b = 0;

		if (!lhas && !rhas)
			return 0;
		if ((lhas && !ea_version_part(ls, le, &a)) ||
			(rhas && !ea_version_part(rs, re, &b)))
			return -2;
		if (a != b)
			return a < b ? -1 : 1;
	}
}

bool
ea_cmp_versions(const ea_dval *v, const ea_tval *t, ea_op op)
{
	int			c;

	if (v->str == NULL || t->str == NULL)
		return false;
	c = ea_version_compare(v->str, t->str);
	if (c == -2)
		return false;
	switch (op)
	{
		case EA_OP_VERSION_GT:
			return c > 0;
		case EA_OP_VERSION_GTE:
			return c >= 0;
		case EA_OP_VERSION_LT:
			return c < 0;
		case EA_OP_VERSION_LTE:
			return c <= 0;
		case EA_OP_VERSION_EQ:
			return c == 0;
		default:
			return c != 0;
	}
}

static bool
ea_str_op(ea_op op, const char *l, const char *r)
{
	size_t		ll,
				rl;

	switch (op)
	{
		case EA_OP_STR_STARTS_WITH_ANY:
			return strncmp(l, r, strlen(r)) == 0;
		case EA_OP_STR_ENDS_WITH_ANY:
			ll = strlen(l);
			rl = strlen(r);
			return ll >= rl && strcmp(l + ll - rl, r) == 0;
		case EA_OP_STR_CONTAINS_ANY:
		case EA_OP_STR_CONTAINS_NONE:
			return strstr(l, r) != NULL;
		default:				/* any, none and their case-sensitive forms */
			return strcmp(l, r) == 0;
	}
}

bool
ea_cmp_strings(const ea_dval *v, const ea_tval *t, ea_op op, bool ignore_case)
{
	const char *vs = v->str ? v->str : "";
	const char *vl = ea_dval_lower(v) ? ea_dval_lower(v) : vs;
	bool		any_none = op == EA_OP_ANY || op == EA_OP_NONE;
	bool		negated = op == EA_OP_NONE || op == EA_OP_NONE_CASE_SENSITIVE ||
		op == EA_OP_STR_CONTAINS_NONE;
	bool		found = false;
	size_t		i;

	if (t->type == EA_J_OBJECT && ignore_case && any_none)
	{
		found = ea_map_get(&t->member_index, vl) != NULL;
		return op == EA_OP_NONE ? !found : found;
	}
	if (t->type != EA_J_ARRAY)
		return false;
	if (ignore_case && any_none)
	{
		/* a few elements: comparing beats hashing the user's string */
		if (t->nelems <= 4)
			for (i = 0; i < t->nelems && !found; i++)
				found = vl[0] == t->elems[i].lower[0] && strcmp(vl, t->elems[i].lower) == 0;
		else
			found = ea_map_get(&t->elem_index, vl) != NULL;
		return op == EA_OP_NONE ? !found : found;
	}
	for (i = 0; i < t->nelems && !found; i++)
		found = ignore_case ? ea_str_op(op, vl, t->elems[i].lower)
			: ea_str_op(op, vs, t->elems[i].orig);
	return negated ? !found : found;
}

/* EA_REGEX_MATCH, EA_REGEX_NO_MATCH or EA_REGEX_LIMIT (no answer). */
int
ea_cmp_regex(const ea_dval *v, const ea_tval *t)
{
	if (v->str == NULL || t->regex == NULL)
		return EA_REGEX_NO_MATCH;
	return ea_regex_match(t->regex, t->regex_backtracks, v->str, strlen(v->str));
}

/* Whole days of a millisecond count, truncated toward zero (chrono). */
static int64_t
ea_days(int64_t ms)
{
	return ms / 86400000;
}

bool
ea_cmp_time(const ea_dval *v, const ea_tval *t, ea_op op)
{
	int64_t		l,
				r;

	ea_dval_derived(v);
	if (v->has_ts)
		l = v->ts_value;
	else if (v->has_int)
		l = v->int_value;
	else
		return false;
	/* values below 1e10 are taken as seconds (targets never are) */
	if (l < 10000000000LL)
		l *= 1000;
	if (t->has_ts)
		r = t->ts_value;
	else if (t->has_float)
		r = (int64_t) t->float_value;
	else
		return false;
	if (op == EA_OP_BEFORE)
		return l < r;
	if (op == EA_OP_AFTER)
		return l > r;
	return ea_days(l) == ea_days(r);
}

static bool
ea_eq_array(const ea_tval *t, const ea_dval *v)
{
	size_t		i;

	if (v->type != EA_J_ARRAY || t->nelems != v->nitems)
		return false;
	for (i = 0; i < t->nelems; i++)
	{
		size_t		idx = t->elems[i].index;

		if (idx >= v->nitems || v->items[idx].str == NULL ||
			strcmp(v->items[idx].str, t->elems[i].orig) != 0)
			return false;
	}
	return true;
}

static bool
ea_eq_object(const ea_tval *t, const ea_dval *v)
{
	size_t		i,
				j;

	if (v->type != EA_J_OBJECT || t->nmembers != v->nitems)
		return false;
	for (i = 0; i < t->nmembers; i++)
	{
		const ea_dval *other = NULL;

		for (j = 0; j < v->nitems && other == NULL; j++)
			if (strcmp(v->keys[j], t->member_keys[i]) == 0)
				other = &v->items[j];
		if (other == NULL || other->str == NULL ||
			strcmp(other->str, t->member_strs[i]) != 0)
			return false;
	}
	return true;
}

/* Server Core's is_equal_to_dynamic_value (target on the left). */
bool
ea_cmp_eq(const ea_tval *t, const ea_dval *v)
{
	ea_dval_derived(v);
	switch (t->type)
	{
		case EA_J_NULL:
			return v->type == EA_J_NULL;
		case EA_J_BOOL:
			return v->has_bool && v->bool_value == t->bool_value;
		case EA_J_NUMBER:
			return v->has_float && v->float_value == t->float_value;
		case EA_J_STRING:
			return v->str != NULL && strcmp(v->str, t->str) == 0;
		case EA_J_ARRAY:
			return ea_eq_array(t, v);
		case EA_J_OBJECT:
			return ea_eq_object(t, v);
	}
	return false;
}

static bool
ea_value_has(const ea_dval *v, const char *s)
{
	size_t		i;

	for (i = 0; i < v->nitems; i++)
		if (strcmp(v->items[i].str ? v->items[i].str : "", s) == 0)
			return true;
	return false;
}

bool
ea_cmp_arrays(const ea_dval *v, const ea_tval *t, ea_op op)
{
	bool		any = op == EA_OP_ARRAY_CONTAINS_ANY;
	bool		none = op == EA_OP_ARRAY_CONTAINS_NONE;
	bool		all = op == EA_OP_ARRAY_CONTAINS_ALL;
	size_t		i;

	if (t->type != EA_J_ARRAY || v->type != EA_J_ARRAY)
		return false;
	for (i = 0; i < t->nelems; i++)
	{
		bool		has = ea_value_has(v, t->elems[i].orig);

		if (all && !has)
			return false;
		if (any && has)
			return true;
		if (none && has)
			return false;
		if (!all && !any && !none && !has)
			return true;		/* not_array_contains_all */
	}
	return !(any || op == EA_OP_NOT_ARRAY_CONTAINS_ALL);
}
