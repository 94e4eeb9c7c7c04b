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
#include "ea_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool
ea_cmp_numbers(const ea_dval *v, const ea_tval *t, const char *op)
{
	double		l,
				r;

	if (!v->has_float || !t->has_float)
		return false;
	l = v->float_value;
	r = t->float_value;
	if (strcmp(op, "gt") == 0)
		return l > r;
	if (strcmp(op, "gte") == 0)
		return l >= r;
	if (strcmp(op, "lt") == 0)
		return l < r;
	return l <= r;
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
ea_cmp_versions(const ea_dval *v, const ea_tval *t, const char *op)
{
	int			c;
	const char *o = op + 8;

	if (v->str == NULL || t->str == NULL)
		return false;
	c = ea_version_compare(v->str, t->str);
	if (c == -2)
		return false;
	if (strcmp(o, "gt") == 0)
		return c > 0;
	if (strcmp(o, "gte") == 0)
		return c >= 0;
	if (strcmp(o, "lt") == 0)
		return c < 0;
	if (strcmp(o, "lte") == 0)
		return c <= 0;
	if (strcmp(o, "eq") == 0)
		return c == 0;
	return c != 0;
}

static bool
ea_str_op(const char *op, const char *l, const char *r)
{
	size_t		ll,
				rl;

	if (!strcmp(op, "any") || !strcmp(op, "none") ||
		!strcmp(op, "any_case_sensitive") || !strcmp(op, "none_case_sensitive"))
		return strcmp(l, r) == 0;
	if (!strcmp(op, "str_starts_with_any"))
		return strncmp(l, r, strlen(r)) == 0;
	if (!strcmp(op, "str_ends_with_any"))
	{
		ll = strlen(l);
		rl = strlen(r);
		return ll >= rl && strcmp(l + ll - rl, r) == 0;
	}
	if (!strcmp(op, "str_contains_any") || !strcmp(op, "str_contains_none"))
		return strstr(l, r) != NULL;
	return false;
}

static bool
ea_is_negated(const char *op)
{
	return !strcmp(op, "none") || !strcmp(op, "none_case_sensitive") ||
		!strcmp(op, "str_contains_none");
}

bool
ea_cmp_strings(const ea_dval *v, const ea_tval *t, const char *op,
			   bool ignore_case)
{
	const char *vs = v->str ? v->str : "";
	const char *vl = v->lower ? v->lower : vs;
	bool		any_none = !strcmp(op, "any") || !strcmp(op, "none");
	bool		found = false;
	size_t		i;

	if (t->type == EA_J_OBJECT && ignore_case && any_none)
	{
		found = ea_map_get(&t->member_index, vl) != NULL;
		return !strcmp(op, "none") ? !found : found;
	}
	if (t->type != EA_J_ARRAY)
		return false;
	if (ignore_case && any_none)
	{
		found = ea_map_get(&t->elem_index, vl) != NULL;
		return !strcmp(op, "none") ? !found : found;
	}
	for (i = 0; i < t->nelems && !found; i++)
		found = ignore_case ? ea_str_op(op, vl, t->elems[i].lower)
			: ea_str_op(op, vs, t->elems[i].orig);
	return ea_is_negated(op) ? !found : found;
}

bool
ea_cmp_regex(const ea_dval *v, const ea_tval *t)
{
	pcre2_match_data *md;
	int			rc;

	if (v->str == NULL || t->regex == NULL)
		return false;
	md = pcre2_match_data_create_from_pattern(t->regex, NULL);
	if (md == NULL)
		return false;
	rc = pcre2_match(t->regex, (PCRE2_SPTR) v->str, strlen(v->str), 0, 0, md,
					 NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* Whole days of a millisecond count, truncated toward zero (chrono). */
static int64_t
ea_days(int64_t ms)
{
	return ms / 86400000;
}

bool
ea_cmp_time(const ea_dval *v, const ea_tval *t, const char *op)
{
	int64_t		l,
				r;

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
	if (strcmp(op, "before") == 0)
		return l < r;
	if (strcmp(op, "after") == 0)
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
ea_cmp_arrays(const ea_dval *v, const ea_tval *t, const char *op)
{
	bool		any = !strcmp(op, "array_contains_any");
	bool		none = !strcmp(op, "array_contains_none");
	bool		all = !strcmp(op, "array_contains_all");
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
	return !(any || !strcmp(op, "not_array_contains_all"));
}
