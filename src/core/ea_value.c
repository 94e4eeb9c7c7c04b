/*-------------------------------------------------------------------------
 *
 * ea_value.c
 *	  Value coercion: how Server Core turns JSON user values and condition
 *	  targets into strings, numbers and timestamps.
 *
 * This is where compatibility is won or lost.  The rules mirror Rust's
 * standard library as Server Core uses it: f64 parsing (no whitespace, no
 * hex, "1e3" and "inf" accepted), f64 display (shortest round-trip digits,
 * never an exponent), i64 parsing, Unicode lower-casing, and the two
 * timestamp formats Server Core 0.23 reads ("YYYY-MM-DDTHH:MM:SSZ" and
 * "YYYY-MM-DD HH:MM:SS").
 *
 *-------------------------------------------------------------------------
 */
#include "ea_value.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ea_dval ea_dval_empty = {0};

static bool
ea_ieq(const char *a, const char *b)
{
	while (*a && *b)
	{
		if (tolower((unsigned char) *a) != tolower((unsigned char) *b))
			return false;
		a++, b++;
	}
	return *a == *b;
}

/* Does s match Rust's f64 grammar?  (Checked before strtod.) */
static bool
ea_rust_float_syntax(const char *s)
{
	const char *p = s;
	bool		digits = false;

	if (*p == '+' || *p == '-')
		p++;
	if (ea_ieq(p, "inf") || ea_ieq(p, "infinity") || ea_ieq(p, "nan"))
		return true;
	while (isdigit((unsigned char) *p))
		p++, digits = true;
	if (*p == '.')
	{
		p++;
		while (isdigit((unsigned char) *p))
			p++, digits = true;
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char) *p))
			return false;
		while (isdigit((unsigned char) *p))
			p++;
	}
	return *p == '\0';
}

bool
ea_parse_rust_f64(const char *s, double *out)
{
	const char *p = s;
	bool		neg;

	if (!ea_rust_float_syntax(s))
		return false;
	neg = (*p == '-');
	if (*p == '+' || *p == '-')
		p++;
	if (ea_ieq(p, "inf") || ea_ieq(p, "infinity"))
		*out = neg ? -INFINITY : INFINITY;
	else if (ea_ieq(p, "nan"))
		*out = NAN;
	else
		*out = strtod(s, NULL);
	return true;
}

bool
ea_parse_rust_i64(const char *s, int64_t *out)
{
	const char *p = s;
	bool		neg = false;
	uint64_t	acc = 0;
	uint64_t	limit;

	if (*p == '+' || *p == '-')
		neg = (*p++ == '-');
	if (*p == '\0')
		return false;
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	for (; *p; p++)
	{
		if (!isdigit((unsigned char) *p))
			return false;
		if (acc > (limit - (uint64_t) (*p - '0')) / 10)
			return false;
		acc = acc * 10 + (uint64_t) (*p - '0');
	}
	*out = neg ? (int64_t) (0 - acc) : (int64_t) acc;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
ea_days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
ea_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Read exactly n digits. */
static bool
ea_digits(const char **pp, int n, int *out)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) (*pp)[i]))
			return false;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return true;
}

typedef struct ea_civil
{
	int			y,
				mo,
				d,
				h,
				mi,
				s;
} ea_civil;

/* "YYYY-MM-DD?HH:MM:SS" with the separator given; advances *pp. */
static bool
ea_parse_civil(const char **pp, ea_civil *c)
{
	const char *p = *pp;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (!ea_digits(&p, 4, &c->y) || *p++ != '-' ||
		!ea_digits(&p, 2, &c->mo) || *p++ != '-' ||
		!ea_digits(&p, 2, &c->d))
		return false;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	if (!ea_digits(&p, 2, &c->h) || *p++ != ':' ||
		!ea_digits(&p, 2, &c->mi) || *p++ != ':' ||
		!ea_digits(&p, 2, &c->s))
		return false;
	if (c->mo < 1 || c->mo > 12 || c->d < 1 || c->d > mdays[c->mo - 1] ||
		(c->mo == 2 && c->d == 29 && !ea_leap(c->y)) ||
		c->h > 23 || c->mi > 59 || c->s > 60)
		return false;
	*pp = p;
	return true;
}

static int64_t
ea_civil_ms(const ea_civil *c)
{
	int64_t		days = ea_days_from_civil(c->y, c->mo, c->d);
	int			sec = c->s > 59 ? 59 : c->s;

	return ((days * 24 + c->h) * 60 + c->mi) * 60000 + (int64_t) sec * 1000;
}

/*
 * RFC 3339 as Server Core 0.23 accepts it: at most 20 characters, so
 * exactly "YYYY-MM-DDTHH:MM:SSZ" (no fraction, no numeric offset).
 */
static bool
ea_parse_rfc3339(const char *s, int64_t *out)
{
	const char *p = s;
	ea_civil	c;

	if (strlen(s) != 20 || !ea_parse_civil(&p, &c) ||
		(*p != 'Z' && *p != 'z') || p[1] != '\0')
		return false;
	*out = ea_civil_ms(&c);
	return true;
}

/* Server Core's try_parse_timestamp: integer, RFC 3339, or naive UTC. */
bool
ea_parse_timestamp(const char *s, int64_t *out)
{
	const char *p = s;
	ea_civil	c;

	if (ea_parse_rust_i64(s, out))
		return true;
	if (ea_parse_rfc3339(s, out))
		return true;
	if (ea_parse_civil(&p, &c) && *p == '\0' && s[10] == ' ')
	{
		*out = ea_civil_ms(&c);
		return true;
	}
	return false;
}

/*
 * Shortest round-trip decimal digits of a finite v: digits into dig (no
 * dot), returns the decimal exponent e such that v = 0.DIGITS * 10^e.
 */
static int
ea_shortest_digits(double v, char *dig, size_t size)
{
	char		tmp[40];
	int			prec;
	int			exp10;
	char	   *e;
	size_t		n = 0;
	const char *p;

	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	e = strchr(tmp, 'e');
	exp10 = atoi(e + 1) + 1;
	for (p = tmp; p < e && n + 1 < size; p++)
		if (isdigit((unsigned char) *p))
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	return exp10;
}

/* Decimal text of an integer (no snprintf: this is on the hot path). */
void
ea_format_i64(int64_t v, char *buf, size_t size)
{
	char		tmp[24];
	int			n = 0;
	uint64_t	u = v < 0 ? 0 - (uint64_t) v : (uint64_t) v;
	size_t		o = 0;

	do
	{
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0 && o + 1 < size)
		buf[o++] = '-';
	while (n > 0 && o + 1 < size)
		buf[o++] = tmp[--n];
	buf[o] = '\0';
}

/* Rust's Display for f64: shortest digits, plain notation, never "e". */
void
ea_format_f64(double v, char *buf, size_t size)
{
	char		dig[32];
	int			e;
	int			n;
	ea_buf		b = {0};
	int			i;

	if (isnan(v))
	{
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(v))
	{
		snprintf(buf, size, v < 0 ? "-inf" : "inf");
		return;
	}
	if (v == 0)
	{
		snprintf(buf, size, signbit(v) ? "-0" : "0");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15)
	{
		/* integers: the common case, and exact without digit search */
		ea_format_i64((int64_t) v, buf, size);
		return;
	}
	e = ea_shortest_digits(fabs(v), dig, sizeof(dig));
	n = (int) strlen(dig);
	if (v < 0)
		ea_buf_puts(&b, "-");
	if (e <= 0)
	{
		ea_buf_puts(&b, "0.");
		for (i = 0; i < -e; i++)
			ea_buf_puts(&b, "0");
		ea_buf_puts(&b, dig);
	}
	else if (e >= n)
	{
		ea_buf_puts(&b, dig);
		for (i = n; i < e; i++)
			ea_buf_puts(&b, "0");
	}
	else
	{
		ea_buf_append(&b, dig, (size_t) e);
		ea_buf_puts(&b, ".");
		ea_buf_puts(&b, dig + e);
	}
	snprintf(buf, size, "%s", b.data ? b.data : "0");
	free(b.data);
}

/* serde_json's text for a float (ryu): "1.0", "1.5", "1e16", "1e-7". */
static void
ea_format_ryu(double v, char *buf, size_t size)
{
	char		dig[32];
	int			e;
	int			n;

	if (!isfinite(v))
	{
		snprintf(buf, size, "null");	/* serde writes non-finite as null */
		return;
	}
	if (v == 0)
	{
		snprintf(buf, size, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	e = ea_shortest_digits(fabs(v), dig, sizeof(dig));
	n = (int) strlen(dig);
	if (e > -5 && e <= 16)
	{
		char		plain[64];

		ea_format_f64(v, plain, sizeof(plain));
		snprintf(buf, size, "%s%s", plain, strchr(plain, '.') ? "" : ".0");
		return;
	}
	if (n == 1)
		snprintf(buf, size, "%s%ce%d", v < 0 ? "-" : "", dig[0], e - 1);
	else
		snprintf(buf, size, "%s%c.%se%d", v < 0 ? "-" : "", dig[0], dig + 1,
				 e - 1);
}

/* How serde_json writes a JSON number that was parsed from a document. */
void
ea_format_json_number(json_object *num, char *buf, size_t size)
{
	if (json_object_is_type(num, json_type_int))
	{
		if (json_object_get_int64(num) == INT64_MAX &&
			json_object_get_uint64(num) > (uint64_t) INT64_MAX)
			snprintf(buf, size, "%llu",
					 (unsigned long long) json_object_get_uint64(num));
		else
			snprintf(buf, size, "%lld",
					 (long long) json_object_get_int64(num));
		return;
	}
	ea_format_ryu(json_object_get_double(num), buf, size);
}

/* Lower-case mapping of one code point (the common alphabets). */
static uint32_t
ea_lower_cp(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 32 : c;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) ||	/* Latin-1 */
		(c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||	/* Greek */
		(c >= 0x410 && c <= 0x42F))	/* Cyrillic */
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	if (((c >= 0x100 && c <= 0x137 && c != 0x130) || (c >= 0x14A && c <= 0x177) ||
		 (c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF)) && (c % 2) == 0)
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && (c % 2) == 1)
		return c + 1;
	if (c == 0x178)
		return 0xFF;
	return c;
}

/* Decode one UTF-8 sequence; invalid bytes are taken as single units. */
static size_t
ea_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80)
		return (*cp = s[0]), 1;
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80)
		return (*cp = ((uint32_t) (s[0] & 0x1F) << 6) | (s[1] & 0x3F)), 2;
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80)
		return (*cp = ((uint32_t) (s[0] & 0x0F) << 12) |
				((uint32_t) (s[1] & 0x3F) << 6) | (s[2] & 0x3F)), 3;
	*cp = 0xFFFFFFFF;
	return 1;
}

static size_t
ea_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80)
		return (out[0] = (char) cp), 1;
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char) (0xE0 | (cp >> 12));
	out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char) (0x80 | (cp & 0x3F));
	return 3;
}

/*
 * Rust's str::to_lowercase for ASCII, Latin, Greek and Cyrillic text.
 * Text that is already lower case is returned as it is, not copied.
 */
char *
ea_lower_dup(ea_arena *arena, const char *s)
{
	size_t		len;
	char	   *p;
	size_t		i = 0,
				o = 0;
	const unsigned char *q;

	for (q = (const unsigned char *) s; *q; q++)
		if ((*q >= 'A' && *q <= 'Z') || *q >= 0x80)
			break;
	if (*q == '\0')
		return (char *) s;
	len = strlen(s);
	p = ea_arena_alloc(arena, len + 1);
	if (p == NULL)
		return NULL;
	while (i < len)
	{
		uint32_t	cp;
		size_t		n = ea_utf8_decode((const unsigned char *) s + i, &cp);
		uint32_t	lc = cp == 0xFFFFFFFF ? cp : ea_lower_cp(cp);

		/* every mapping above keeps the encoded length */
		if (lc == cp || lc == 0xFFFFFFFF)
			memcpy(p + o, s + i, n);
		else
			ea_utf8_encode(lc, p + o);
		i += n;
		o += n;
	}
	p[o] = '\0';
	return p;
}

/* A number's views: float, integer (when exact), string (Rust display). */
static void
ea_dval_number(ea_arena *arena, json_object *obj, ea_dval *out)
{
	char		text[64];

	out->type = EA_J_NUMBER;
	out->has_float = true;
	if (json_object_is_type(obj, json_type_int))
	{
		bool		is_u64 = json_object_get_int64(obj) == INT64_MAX &&
			json_object_get_uint64(obj) > (uint64_t) INT64_MAX;

		out->float_value = is_u64 ? (double) json_object_get_uint64(obj)
			: (double) json_object_get_int64(obj);
		out->has_int = !is_u64;
		out->int_value = json_object_get_int64(obj);
	}
	else
		out->float_value = json_object_get_double(obj);
	ea_format_f64(out->float_value, text, sizeof(text));
	out->str = ea_arena_strdup(arena, text);
	out->lower = out->str;
}

void
ea_dval_from_string(ea_arena *arena, const char *s, ea_dval *out)
{
	memset(out, 0, sizeof(*out));
	out->type = EA_J_STRING;
	out->str = s;
	out->arena = arena;			/* lower-cased on first use */
}

/* A string's timestamp, f64 and i64 views, as Server Core derives them. */
void
ea_dval_derive_slow(ea_dval *v)
{
	v->derived = true;
	if (v->str == NULL)
		return;
	v->has_ts = ea_parse_timestamp(v->str, &v->ts_value);
	v->has_float = ea_parse_rust_f64(v->str, &v->float_value);
	v->has_int = ea_parse_rust_i64(v->str, &v->int_value);
}

/*
 * A number token from a JSON text: its f64 view, its i64 view when the
 * token is an integer that fits, its Rust display string, and the text
 * serde_json would write back.
 */
void
ea_dval_number_text(ea_arena *arena, const char *text, bool is_int,
					ea_dval *out)
{
	char		buf[64];
	int64_t		i64;

	memset(out, 0, sizeof(*out));
	out->type = EA_J_NUMBER;
	out->has_float = true;
	if (is_int && ea_parse_rust_i64(text, &i64))
	{
		/* an integer that fits: no strtod, no digit search */
		out->float_value = (double) i64;
		out->has_int = true;
		out->int_value = i64;
		ea_format_i64(i64, buf, sizeof(buf));
		out->num_text = ea_arena_strdup(arena, buf);
	}
	else
	{
		out->float_value = strtod(text, NULL);
		if (is_int && text[0] != '-' && out->float_value < 18446744073709551616.0)
			out->num_text = ea_arena_strdup(arena, text);	/* fits u64 */
		else
		{
			ea_format_ryu(out->float_value, buf, sizeof(buf));
			out->num_text = ea_arena_strdup(arena, buf);
		}
	}
	if (out->has_int && out->int_value > -1000000000000000LL &&
		out->int_value < 1000000000000000LL)
		out->str = out->num_text;
	else
	{
		ea_format_f64(out->float_value, buf, sizeof(buf));
		out->str = ea_arena_strdup(arena, buf);
	}
	out->lower = out->str;
}

void
ea_dval_from_uint(ea_arena *arena, uint64_t v, ea_dval *out)
{
	char		text[32];

	memset(out, 0, sizeof(*out));
	out->type = EA_J_NUMBER;
	out->has_float = out->has_int = true;
	out->float_value = (double) v;
	out->int_value = (int64_t) v;
	/* an integer f64 below 2^53 displays as its digits: no float formatting */
	if (v < ((uint64_t) 1 << 53))
		ea_format_i64((int64_t) v, text, sizeof(text));
	else
		ea_format_f64(out->float_value, text, sizeof(text));
	out->str = ea_arena_strdup(arena, text);
	out->lower = out->str;
}

static bool
ea_dval_container(ea_arena *arena, json_object *obj, ea_dval *out)
{
	bool		is_array = json_object_is_type(obj, json_type_array);
	size_t		n = is_array ? json_object_array_length(obj)
		: (size_t) json_object_object_length(obj);
	size_t		i = 0;

	out->type = is_array ? EA_J_ARRAY : EA_J_OBJECT;
	out->nitems = n;
	out->items = ea_arena_alloc(arena, sizeof(ea_dval) * (n ? n : 1));
	if (out->items == NULL)
		return false;
	if (is_array)
	{
		const char *text = json_object_to_json_string_ext(obj,
														  JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

		out->str = ea_arena_strdup(arena, text);
		out->lower = out->str ? ea_lower_dup(arena, out->str) : NULL;
		for (i = 0; i < n; i++)
			if (!ea_dval_from_json(arena, json_object_array_get_idx(obj, i),
								   &out->items[i]))
				return false;
		return true;
	}
	out->keys = ea_arena_alloc(arena, sizeof(char *) * (n ? n : 1));
	if (out->keys == NULL)
		return false;
	{
		json_object_object_foreach(obj, key, val)
		{
			out->keys[i] = ea_arena_strdup(arena, key);
			if (!ea_dval_from_json(arena, val, &out->items[i++]))
				return false;
		}
	}
	return true;
}

/* Server Core's DynamicValue::from(serde_json::Value). */
bool
ea_dval_from_json(ea_arena *arena, json_object *obj, ea_dval *out)
{
	memset(out, 0, sizeof(*out));
	switch (json_object_get_type(obj))
	{
		case json_type_null:
			out->type = EA_J_NULL;
			return true;
		case json_type_boolean:
			out->type = EA_J_BOOL;
			out->has_bool = true;
			out->bool_value = json_object_get_boolean(obj);
			out->str = out->lower = out->bool_value ? "true" : "false";
			return true;
		case json_type_int:
		case json_type_double:
			ea_dval_number(arena, obj, out);
			return !arena->failed;
		case json_type_string:
			ea_dval_from_string(arena,
								ea_arena_strndup(arena, json_object_get_string(obj),
												 (size_t) json_object_get_string_len(obj)),
								out);
			return !arena->failed;
		case json_type_array:
		case json_type_object:
			return ea_dval_container(arena, obj, out);
	}
	return false;
}

/* The string a non-string JSON value becomes inside a target array. */
static const char *
ea_json_as_string(ea_arena *arena, json_object *obj)
{
	char		text[64];

	if (json_object_is_type(obj, json_type_string))
		return ea_arena_strndup(arena, json_object_get_string(obj),
								(size_t) json_object_get_string_len(obj));
	if (json_object_is_type(obj, json_type_int) ||
		json_object_is_type(obj, json_type_double))
	{
		ea_format_json_number(obj, text, sizeof(text));
		return ea_arena_strdup(arena, text);
	}
	if (obj == NULL)
		return "null";
	return ea_arena_strdup(arena, json_object_to_json_string_ext(obj,
																 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool
ea_tval_array(ea_arena *arena, json_object *obj, ea_tval *out)
{
	size_t		n = json_object_array_length(obj);
	size_t		i;

	out->elems = ea_arena_alloc(arena, sizeof(ea_telem) * (n ? n : 1));
	if (out->elems == NULL)
		return false;
	for (i = 0; i < n; i++)
	{
		const char *orig = ea_json_as_string(arena, json_object_array_get_idx(obj, i));
		const char *lower = orig ? ea_lower_dup(arena, orig) : NULL;
		ea_telem   *found;

		if (lower == NULL)
			return false;
		/* like a HashMap built from the array: a later duplicate wins */
		found = ea_map_get(&out->elem_index, lower);
		if (found == NULL)
		{
			found = &out->elems[out->nelems++];
			found->lower = lower;
			if (!ea_map_put(&out->elem_index, lower, found))
				return false;
		}
		found->orig = orig;
		found->index = i;
	}
	return true;
}

static bool
ea_tval_object(ea_arena *arena, json_object *obj, ea_tval *out)
{
	size_t		n = (size_t) json_object_object_length(obj);
	size_t		i = 0;

	out->member_keys = ea_arena_alloc(arena, sizeof(char *) * (n ? n : 1));
	out->member_strs = ea_arena_alloc(arena, sizeof(char *) * (n ? n : 1));
	if (out->member_keys == NULL || out->member_strs == NULL)
		return false;
	{
		json_object_object_foreach(obj, key, val)
		{
			out->member_keys[i] = ea_arena_strdup(arena, key);
			out->member_strs[i] = ea_json_as_string(arena, val);
			if (out->member_keys[i] == NULL || out->member_strs[i] == NULL ||
				!ea_map_put(&out->member_index, out->member_keys[i],
							(void *) out->member_strs[i]))
				return false;
			i++;
		}
	}
	out->nmembers = n;
	return true;
}

/* str_matches: Server Core's dialect on PCRE2 (ea_regex.c). */
static void
ea_tval_compile(ea_tval *out)
{
	const char *why;

	if (!ea_regex_compile(out->str, &out->regex, &out->regex_backtracks, &why))
		out->regex_unsupported = why ? why : "unsupported syntax";
}

/* Server Core's EvaluatorValue built from a condition's targetValue. */
bool
ea_tval_from_json(ea_arena *arena, json_object *obj, bool compile_regex,
				  ea_tval *out)
{
	memset(out, 0, sizeof(*out));
	switch (json_object_get_type(obj))
	{
		case json_type_null:
			out->type = EA_J_NULL;
			return true;
		case json_type_boolean:
			out->type = EA_J_BOOL;
			out->has_bool = true;
			out->bool_value = json_object_get_boolean(obj);
			return true;
		case json_type_int:
		case json_type_double:
			out->type = EA_J_NUMBER;
			out->has_float = true;
			out->float_value = json_object_get_double(obj);
			if (json_object_is_type(obj, json_type_int) &&
				json_object_get_int64(obj) == INT64_MAX &&
				json_object_get_uint64(obj) > (uint64_t) INT64_MAX)
				out->float_value = (double) json_object_get_uint64(obj);
			return true;
		case json_type_string:
			out->type = EA_J_STRING;
			out->str = ea_arena_strndup(arena, json_object_get_string(obj),
										(size_t) json_object_get_string_len(obj));
			if (out->str == NULL)
				return false;
			out->lower = ea_lower_dup(arena, out->str);
			out->has_ts = ea_parse_timestamp(out->str, &out->ts_value);
			out->has_float = ea_parse_rust_f64(out->str, &out->float_value);
			if (compile_regex)
				ea_tval_compile(out);
			return out->lower != NULL;
		case json_type_array:
			out->type = EA_J_ARRAY;
			return ea_tval_array(arena, obj, out);
		case json_type_object:
			out->type = EA_J_OBJECT;
			return ea_tval_object(arena, obj, out);
	}
	return false;
}

void
ea_tval_free_regex(ea_tval *tv)
{
	if (tv->regex != NULL)
		pcre2_code_free(tv->regex);
	tv->regex = NULL;
	ea_map_free(&tv->elem_index);
	ea_map_free(&tv->member_index);
}

json_object *
ea_json_parse_deep(const char *text)
{
	json_tokener *tok = json_tokener_new_ex(EA_MAX_JSON_DEPTH);
	json_object *obj;

	if (tok == NULL)
		return NULL;
	obj = json_tokener_parse_ex(tok, text, -1);
	if (json_tokener_get_error(tok) != json_tokener_success)
	{
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}
