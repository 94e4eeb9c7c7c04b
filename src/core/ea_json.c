/*-------------------------------------------------------------------------
 *
 * ea_json.c
 *	  A strict, allocation-light JSON reader that builds user values
 *	  (ea_dval) straight into an arena, and the serde_json-style writer
 *	  for the string view of arrays.
 *
 * Users are parsed once per evaluation, so this path is hot; json-c's
 * object model (a hash table per object, a malloc per value) costs more
 * than the whole evaluation.  Spec documents are parsed rarely and keep
 * using json-c.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_json.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ea_jp
{
	const char *start;
	const char *p;
	const char *end;
	ea_arena   *arena;
	int			depth;
	const char *err;			/* what went wrong, or NULL */
	size_t		err_at;
} ea_jp;

static bool ea_jp_value(ea_jp *jp, ea_dval *out);

static bool
ea_jp_fail(ea_jp *jp, const char *what)
{
	if (jp->err == NULL)
	{
		jp->err = what;
		jp->err_at = (size_t) (jp->p - jp->start);
	}
	return false;
}

static void
ea_jp_ws(ea_jp *jp)
{
	while (jp->p < jp->end &&
		   (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int
ea_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
ea_jp_u4(ea_jp *jp, uint32_t *out)
{
	int			i;

	*out = 0;
	if (jp->end - jp->p < 4)
		return ea_jp_fail(jp, "truncated \\u escape");
	for (i = 0; i < 4; i++)
	{
		int			h = ea_hex(jp->p[i]);

		if (h < 0)
			return ea_jp_fail(jp, "invalid \\u escape");
		*out = (*out << 4) | (uint32_t) h;
	}
	jp->p += 4;
	return true;
}

static size_t
ea_put_utf8(uint32_t cp, char *o)
{
	if (cp < 0x80)
		return (o[0] = (char) cp), 1;
	if (cp < 0x800)
		return (o[0] = (char) (0xC0 | (cp >> 6))), (o[1] = (char) (0x80 | (cp & 0x3F))), 2;
	if (cp < 0x10000)
	{
		o[0] = (char) (0xE0 | (cp >> 12));
		o[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char) (0xF0 | (cp >> 18));
	o[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* One escape after the backslash; writes UTF-8 to o, returns its length. */
static size_t
ea_jp_escape(ea_jp *jp, char *o)
{
	char		c = *jp->p++;
	uint32_t	cp,
				lo;

	switch (c)
	{
		case '"':
		case '\\':
		case '/':
			return (o[0] = c), 1;
		case 'b':
			return (o[0] = '\b'), 1;
		case 'f':
			return (o[0] = '\f'), 1;
		case 'n':
			return (o[0] = '\n'), 1;
		case 'r':
			return (o[0] = '\r'), 1;
		case 't':
			return (o[0] = '\t'), 1;
		case 'u':
			if (!ea_jp_u4(jp, &cp))
				return 0;
			if (cp >= 0xD800 && cp < 0xDC00 && jp->end - jp->p >= 6 &&
				jp->p[0] == '\\' && jp->p[1] == 'u')
			{
				jp->p += 2;
				if (!ea_jp_u4(jp, &lo))
					return 0;
				if (lo >= 0xDC00 && lo < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				else
					return ea_jp_fail(jp, "invalid surrogate pair"), 0;
			}
			else if (cp >= 0xD800 && cp < 0xE000)
				return ea_jp_fail(jp, "lone surrogate in \\u escape"), 0;
			if (cp == 0)
				return ea_jp_fail(jp, "\\u0000 is not allowed"), 0;
			return ea_put_utf8(cp, o);
		default:
			return ea_jp_fail(jp, "invalid escape"), 0;
	}
}

/* A string token (after the opening quote) into the arena. */
static bool
ea_jp_string(ea_jp *jp, const char **out)
{
	const char *s = jp->p;
	char	   *buf,
			   *o;

	while (jp->p < jp->end && *jp->p != '"' && *jp->p != '\\' &&
		   (unsigned char) *jp->p >= 0x20)
		jp->p++;
	if (jp->p < jp->end && *jp->p == '"')
	{
		*out = ea_arena_strndup(jp->arena, s, (size_t) (jp->p++ - s));
		return *out != NULL || ea_jp_fail(jp, "out of memory");
	}
	/* escapes: the decoded text is never longer than the source */
	jp->p = s;
	while (jp->p < jp->end && *jp->p != '"')
		jp->p += (*jp->p == '\\' && jp->p + 1 < jp->end) ? 2 : 1;
	buf = ea_arena_alloc(jp->arena, (size_t) (jp->p - s) + 1);
	if (buf == NULL)
		return ea_jp_fail(jp, "out of memory");
	jp->p = s;
	for (o = buf; jp->p < jp->end && *jp->p != '"';)
	{
		if ((unsigned char) *jp->p < 0x20)
			return ea_jp_fail(jp, "control character in string");
		if (*jp->p != '\\')
		{
			*o++ = *jp->p++;
			continue;
		}
		jp->p++;
		if (jp->p >= jp->end)
			break;
		{
			size_t		n = ea_jp_escape(jp, o);

			if (n == 0)
				return false;
			o += n;
		}
	}
	if (jp->p >= jp->end)
		return ea_jp_fail(jp, "unterminated string");
	jp->p++;
	*o = '\0';
	*out = buf;
	return true;
}

static bool
ea_jp_number(ea_jp *jp, ea_dval *out)
{
	const char *s = jp->p;
	bool		is_int = true;
	char		text[64];
	size_t		len;

	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
		return ea_jp_fail(jp, "invalid number");
	if (*jp->p == '0')
		jp->p++;
	else
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	if (jp->p < jp->end && *jp->p == '.')
	{
		is_int = false;
		if (++jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
			return ea_jp_fail(jp, "invalid number");
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E'))
	{
		is_int = false;
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
			return ea_jp_fail(jp, "invalid number");
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	len = (size_t) (jp->p - s);
	if (len >= sizeof(text))
	{
		/* keep the exponent: the magnitude matters more than digits */
		char	   *big = ea_arena_strndup(jp->arena, s, len);

		if (big == NULL)
			return ea_jp_fail(jp, "out of memory");
		if (!isfinite(strtod(big, NULL)))
			return ea_jp_fail(jp, "number out of range");
		ea_dval_number_text(jp->arena, big, is_int, out);
		return out->str != NULL || ea_jp_fail(jp, "out of memory");
	}
	memcpy(text, s, len);
	text[len] = '\0';
	/* serde_json rejects numbers beyond f64, and so does Server Core */
	if (!isfinite(strtod(text, NULL)))
		return ea_jp_fail(jp, "number out of range");
	ea_dval_number_text(jp->arena, text, is_int, out);
	return out->str != NULL || ea_jp_fail(jp, "out of memory");
}

static bool
ea_jp_literal(ea_jp *jp, const char *word, ea_dval *out)
{
	size_t		n = strlen(word);

	if ((size_t) (jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
		return ea_jp_fail(jp, "invalid literal");
	jp->p += n;
	memset(out, 0, sizeof(*out));
	if (word[0] == 'n')
		return true;
	out->type = EA_J_BOOL;
	out->has_bool = true;
	out->bool_value = (word[0] == 't');
	out->str = out->lower = out->bool_value ? "true" : "false";
	return true;
}

/* Members or elements into a temporary growable list, then the arena. */
bool
ea_jlist_push(ea_arena *arena, ea_jlist *l, const char *key, const ea_dval *v)
{
	if (l->n == l->cap)
	{
		size_t		cap = l->cap ? l->cap * 2 : 8;
		/* not zeroed: an item is written before it is counted */
		ea_dval    *items = ea_arena_alloc_raw(arena, cap * sizeof(ea_dval));
		const char **keys = ea_arena_alloc_raw(arena, cap * sizeof(char *));

		if (items == NULL || keys == NULL)
			return false;
		if (l->n)
		{
			memcpy(items, l->items, l->n * sizeof(ea_dval));
			memcpy(keys, l->keys, l->n * sizeof(char *));
		}
		l->items = items;
		l->keys = keys;
		l->cap = cap;
	}
	l->items[l->n] = *v;
	l->keys[l->n++] = key;
	return true;
}

static bool
ea_jp_container(ea_jp *jp, bool is_object, ea_dval *out)
{
	ea_jlist	l = {0};
	char		close = is_object ? '}' : ']';

	if (++jp->depth > 64)
		return ea_jp_fail(jp, "nesting deeper than 64 levels");
	jp->p++;
	ea_jp_ws(jp);
	if (jp->p < jp->end && *jp->p == close)
		jp->p++;
	else
		for (;;)
		{
			const char *key = NULL;
			ea_dval		v;

			ea_jp_ws(jp);
			if (is_object)
			{
				if (jp->p >= jp->end || *jp->p != '"')
					return ea_jp_fail(jp, "expected a member name");
				jp->p++;
				if (!ea_jp_string(jp, &key))
					return false;
				ea_jp_ws(jp);
				if (jp->p >= jp->end || *jp->p++ != ':')
					return ea_jp_fail(jp, "expected ':'");
			}
			if (!ea_jp_value(jp, &v))
				return false;
			if (!ea_jlist_push(jp->arena, &l, key, &v))
				return ea_jp_fail(jp, "out of memory");
			ea_jp_ws(jp);
			if (jp->p < jp->end && *jp->p == ',')
			{
				jp->p++;
				continue;
			}
			if (jp->p < jp->end && *jp->p == close)
			{
				jp->p++;
				break;
			}
			return ea_jp_fail(jp, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	jp->depth--;
	memset(out, 0, sizeof(*out));
	out->type = is_object ? EA_J_OBJECT : EA_J_ARRAY;
	out->nitems = l.n;
	out->items = l.items;
	out->keys = is_object ? l.keys : NULL;
	if (!is_object)
	{
		out->str = ea_dval_array_text(jp->arena, out);
		out->lower = out->str ? ea_lower_dup(jp->arena, out->str) : NULL;
		if (out->lower == NULL)
			return ea_jp_fail(jp, "out of memory");
	}
	return true;
}

static bool
ea_jp_value(ea_jp *jp, ea_dval *out)
{
	const char *s;

	ea_jp_ws(jp);
	if (jp->p >= jp->end)
		return ea_jp_fail(jp, "unexpected end of input");
	switch (*jp->p)
	{
		case '{':
			return ea_jp_container(jp, true, out);
		case '[':
			return ea_jp_container(jp, false, out);
		case '"':
			jp->p++;
			if (!ea_jp_string(jp, &s))
				return false;
			ea_dval_from_string(jp->arena, s, out);
			return true;
		case 't':
			return ea_jp_literal(jp, "true", out);
		case 'f':
			return ea_jp_literal(jp, "false", out);
		case 'n':
			return ea_jp_literal(jp, "null", out);
		default:
			return ea_jp_number(jp, out);
	}
}

/*
 * Parse a whole JSON text into a value.  On failure returns false with a
 * message and the byte offset where parsing stopped.
 */
bool
ea_json_parse(ea_arena *arena, const char *text, size_t len, ea_dval *out,
			  const char **err, size_t *err_at)
{
	ea_jp		jp = {text, text, text + len, arena, 0, NULL, 0};

	if (ea_jp_value(&jp, out))
	{
		ea_jp_ws(&jp);
		if (jp.p == jp.end)
			return true;
		ea_jp_fail(&jp, "unexpected text after the JSON value");
	}
	*err = jp.err ? jp.err : "invalid JSON";
	*err_at = jp.err_at;
	return false;
}

/* ---- serde_json's compact text, for the string view of arrays ---- */

static void
ea_text_string(ea_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	char		esc[8];

	ea_buf_puts(b, "\"");
	for (; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\r')
			snprintf(esc, sizeof(esc), "\\r");
		else if (*p == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (*p == '\b')
			snprintf(esc, sizeof(esc), "\\b");
		else if (*p == '\f')
			snprintf(esc, sizeof(esc), "\\f");
		else if (*p < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
		else
		{
			ea_buf_append(b, (const char *) p, 1);
			continue;
		}
		ea_buf_puts(b, esc);
	}
	ea_buf_puts(b, "\"");
}

static void
ea_text_value(ea_buf *b, const ea_dval *v)
{
	size_t		i;

	switch (v->type)
	{
		case EA_J_NULL:
			ea_buf_puts(b, "null");
			break;
		case EA_J_BOOL:
			ea_buf_puts(b, v->bool_value ? "true" : "false");
			break;
		case EA_J_NUMBER:
			ea_buf_puts(b, v->num_text ? v->num_text : v->str);
			break;
		case EA_J_STRING:
			ea_text_string(b, v->str);
			break;
		case EA_J_ARRAY:
		case EA_J_OBJECT:
			ea_buf_puts(b, v->type == EA_J_ARRAY ? "[" : "{");
			for (i = 0; i < v->nitems; i++)
			{
				if (i)
					ea_buf_puts(b, ",");
				if (v->type == EA_J_OBJECT)
				{
					ea_text_string(b, v->keys[i]);
					ea_buf_puts(b, ":");
				}
				ea_text_value(b, &v->items[i]);
			}
			ea_buf_puts(b, v->type == EA_J_ARRAY ? "]" : "}");
			break;
	}
}

const char *
ea_dval_array_text(ea_arena *arena, const ea_dval *v)
{
	ea_buf		b = {0};
	const char *text;

	ea_text_value(&b, v);
	text = b.failed ? NULL : ea_arena_strdup(arena, b.data ? b.data : "");
	free(b.data);
	return text;
}
