/*-------------------------------------------------------------------------
 *
 * ea_value.h
 *	  User values (ea_dval), condition targets (ea_tval) and Server Core's
 *	  number, string and time coercions.
 *
 * Internal to the core: names json-c and PCRE2 types.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_VALUE_H
#define EA_VALUE_H

#include "ea_util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <json-c/json.h>

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
	bool		regex_backtracks;	/* needs the backtracking matcher */
	const char *regex_unsupported;	/* why the pattern is refused at load */
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

/* ---- regular expressions (ea_regex.c) ---- */

#define EA_REGEX_NO_MATCH 0
#define EA_REGEX_MATCH 1
#define EA_REGEX_LIMIT (-2)		/* a matcher limit stopped it: no answer */

extern bool ea_regex_compile(const char *pattern, pcre2_code **code,
							 bool *backtracks, const char **why);
extern int	ea_regex_match(const pcre2_code *code, bool backtracks,
						   const char *subject, size_t len);

/*
 * JSON the core wrote or accepted (documents: 256 levels, users: 64) read
 * back with json-c: json_tokener_parse() stops at 32 levels, which would
 * make a deep value accepted at load fail later.  NULL when not JSON.
 */
#define EA_MAX_JSON_DEPTH 256
extern json_object *ea_json_parse_deep(const char *text);

#endif							/* EA_VALUE_H */
