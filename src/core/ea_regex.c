/*-------------------------------------------------------------------------
 *
 * ea_regex.c
 *	  str_matches: Server Core's regular expressions on PCRE2.
 *
 * Server Core (node-core 0.23.2) compiles str_matches targets with Rust's
 * fancy-regex: the regex crate's syntax and linear-time engine, plus
 * backtracking only for the "fancy" features (backreferences, lookaround,
 * atomic groups, possessive quantifiers, \K, \G).  A pattern it cannot
 * compile never matches.  The answers are checked against node-core on a
 * generated corpus (test/conformance/generator/regex.js).
 *
 * Matching:
 *	- a pattern without backreferences, atomic groups or possessive
 *	  quantifiers runs on pcre2_dfa_match, which follows every alternative
 *	  in parallel and never backtracks: time linear in the value for a
 *	  given pattern, so ^(a+)+$ against "aaaa...ab" is as fast as any other
 *	  value.  For "is there a match" it answers exactly as the backtracking
 *	  matcher would.  Its workspace grows on demand up to a fixed cap;
 *	- the other patterns need backtracking (as in Server Core) and run on
 *	  pcre2_match with match and depth limits;
 *	- a limit reached is reported (EA_REGEX_LIMIT), never a silent "no
 *	  match": the evaluation fails with 54000.
 *
 * Compiling:
 *	- syntax Server Core rejects but PCRE2 accepts is refused here
 *	  (ea_regex_refused), so such a pattern never matches, as in Server
 *	  Core;
 *	- syntax both accept with different meanings is rewritten ($ matches
 *	  only at the very end, \v is the vertical tab, \h a hex digit, ...)
 *	  or refused at load (ea_regex_unsupported: Rust class set operations
 *	  and nested classes), so nothing silently answers differently.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EA_DFA_WS_START 512		/* ints on the first attempt */
#define EA_DFA_WS_MAX (256 * 1024)	/* ints: 1 MB at most */
#define EA_DFA_MAX_SUBJECT 512	/* bytes the DFA fallback takes */
#define EA_BT_MATCH_LIMIT 1000000	/* fancy-regex's backtrack limit */
#define EA_BT_DEPTH_LIMIT 100000

/* A pattern rewritten for PCRE2, growing as it is written. */
typedef struct ea_rx_out
{
	char	   *buf;
	size_t		len;
	size_t		cap;
	bool		failed;
} ea_rx_out;

static void
ea_rx_put(ea_rx_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap)
	{
		size_t		cap = (o->cap ? o->cap * 2 : 64) + n;
		char	   *p = realloc(o->buf, cap);

		if (p == NULL)
		{
			o->failed = true;
			return;
		}
		o->buf = p;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static bool
ea_rx_is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}


/* Rust's \w: Alphabetic, marks, decimal digits, connector punctuation, joiners. */
#define EA_RX_WORD_ITEMS "\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}"

/* Rust's ASCII classes ([[:alpha:]]) stay ASCII; PCRE2's follow UCP. */
typedef struct ea_rx_posix
{
	const char *name;
	const char *ranges;			/* pairs of characters, inclusive */
} ea_rx_posix;

static const ea_rx_posix ea_rx_posix_classes[] = {
	{"alnum", "09AZaz"}, {"alpha", "AZaz"}, {"ascii", "\x01\x7f"},
	{"blank", "\t\t  "}, {"cntrl", "\x01\x1f\x7f\x7f"}, {"digit", "09"},
	{"graph", "!~"}, {"lower", "az"}, {"print", " ~"},
	{"punct", "!/:@[`{~"}, {"space", "\t\r  "}, {"upper", "AZ"},
	{"word", "09AZ__az"}, {"xdigit", "09AFaf"},
};

/* Emit an ASCII class (or its complement) as explicit ranges. */
static bool
ea_rx_put_posix(ea_rx_out *o, const char *name, size_t len, bool negated)
{
	bool		set[128];
	size_t		i;
	int			c;
	const ea_rx_posix *pc = NULL;
	char		buf[32];

	for (i = 0; i < sizeof(ea_rx_posix_classes) / sizeof(ea_rx_posix_classes[0]); i++)
		if (strlen(ea_rx_posix_classes[i].name) == len &&
			strncmp(ea_rx_posix_classes[i].name, name, len) == 0)
			pc = &ea_rx_posix_classes[i];
	if (pc == NULL)
		return false;
	memset(set, 0, sizeof(set));
	for (i = 0; pc->ranges[i] && pc->ranges[i + 1]; i += 2)
		for (c = (unsigned char) pc->ranges[i]; c <= (unsigned char) pc->ranges[i + 1]; c++)
			set[c] = true;
	if (strcmp(pc->name, "ascii") == 0)
		set[0] = true;
	for (c = 0; c < 128; c++)
	{
		int			start;

		if (set[c] == negated)
			continue;
		start = c;
		while (c + 1 < 128 && set[c + 1] != negated)
			c++;
		snprintf(buf, sizeof(buf), "\\x{%X}-\\x{%X}", start, c);
		ea_rx_put(o, buf, strlen(buf));
	}
	if (negated)
		ea_rx_put(o, "\\x{80}-\\x{10FFFF}", 17);
	return true;
}

/* General categories by their long names, as Rust accepts them. */
static const char *const ea_rx_gc_names[][2] = {
	{"letter", "L"}, {"casedletter", "LC"}, {"uppercaseletter", "Lu"},
	{"lowercaseletter", "Ll"}, {"titlecaseletter", "Lt"}, {"modifierletter", "Lm"},
	{"otherletter", "Lo"}, {"mark", "M"}, {"combiningmark", "M"},
	{"nonspacingmark", "Mn"}, {"spacingmark", "Mc"}, {"enclosingmark", "Me"},
	{"number", "N"}, {"decimalnumber", "Nd"}, {"digit", "Nd"}, {"letternumber", "Nl"},
	{"othernumber", "No"}, {"punctuation", "P"}, {"connectorpunctuation", "Pc"},
	{"dashpunctuation", "Pd"}, {"openpunctuation", "Ps"}, {"closepunctuation", "Pe"},
	{"initialpunctuation", "Pi"}, {"finalpunctuation", "Pf"}, {"otherpunctuation", "Po"},
	{"symbol", "S"}, {"mathsymbol", "Sm"}, {"currencysymbol", "Sc"},
	{"modifiersymbol", "Sk"}, {"othersymbol", "So"}, {"separator", "Z"},
	{"spaceseparator", "Zs"}, {"lineseparator", "Zl"}, {"paragraphseparator", "Zp"},
	{"other", "C"}, {"control", "Cc"}, {"format", "Cf"}, {"surrogate", "Cs"},
	{"privateuse", "Co"}, {"unassigned", "Cn"},
};

/*
 * \u and \U escapes at p (n bytes left): the braced form becomes \x{...}
 * (when braced_ok), otherwise exactly ndigits hex digits become
 * \x{digits}.  Returns the bytes read, 0 when the escape is refused.
 */
static size_t
ea_rx_put_hex_escape(ea_rx_out *o, const char *p, size_t n, size_t ndigits,
					 bool braced_ok)
{
	size_t		k;

	if (braced_ok && n > 2 && p[2] == '{')
	{
		ea_rx_put(o, "\\x", 2);
		return 2;
	}
	for (k = 0; k < ndigits && 2 + k < n && p[2 + k] &&
		 strchr("0123456789abcdefABCDEF", p[2 + k]); k++)
		;
	if (k != ndigits)
		return 0;
	ea_rx_put(o, "\\x{", 3);
	ea_rx_put(o, p + 2, ndigits);
	ea_rx_put(o, "}", 1);
	return 2 + ndigits;
}

/*
 * \p{...} / \P{...}: Rust's loose names (case, spaces, '_' and '-'
 * ignored; "gc=", "sc=", "Script=" prefixes) to PCRE2's.  PCRE2-only
 * special properties (Xan, Xwd, ...) are refused as Server Core refuses
 * them.  Returns the characters consumed, 0 to refuse.
 */
static size_t
ea_rx_put_property(ea_rx_out *o, const char *p, size_t n)
{
	char		norm[64];
	size_t		len = 0,
				i,
				end;
	const char *name;
	char		buf[96];

	if (n < 3)
		return 0;
	if (p[2] != '{')
	{
		/* one-letter form \pL */
		ea_rx_put(o, p, 3);
		return 3;
	}
	for (end = 3; end < n && p[end] != '}'; end++)
		;
	if (end >= n)
		return 0;
	for (i = 3; i < end && len + 1 < sizeof(norm); i++)
	{
		char		c = p[i];

		if (c == ' ' || c == '_' || c == '-')
			continue;
		norm[len++] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
	}
	norm[len] = '\0';
	name = norm;
	if (strncmp(name, "gc=", 3) == 0)
		name += 3;
	else if (strncmp(name, "generalcategory=", 16) == 0)
		name += 16;
	if (name[0] == 'x' && strchr(name, '=') == NULL && len <= 3)
		return 0;				/* Xan, Xps, Xsp, Xuc, Xwd */
	for (i = 0; i < sizeof(ea_rx_gc_names) / sizeof(ea_rx_gc_names[0]); i++)
		if (strcmp(ea_rx_gc_names[i][0], name) == 0)
		{
			snprintf(buf, sizeof(buf), "\\%c{%s}", p[1], ea_rx_gc_names[i][1]);
			ea_rx_put(o, buf, strlen(buf));
			return end + 1;
		}
	if (name != norm)
	{
		/* gc=Lu: the value is a short name */
		snprintf(buf, sizeof(buf), "\\%c{%.40s}", p[1], name);
		ea_rx_put(o, buf, strlen(buf));
		return end + 1;
	}
	ea_rx_put(o, p, end + 1);
	return end + 1;
}

/*
 * Rewrite one pattern from Server Core's dialect to PCRE2's.  Returns
 * EA_RX_OK with *out set, EA_RX_REFUSED for syntax Server Core does not
 * compile (never matches), EA_RX_UNSUPPORTED for syntax Server Core
 * accepts that PCRE2 would read differently (refused at load).
 */
typedef enum ea_rx_verdict
{
	EA_RX_OK,
	EA_RX_REFUSED,
	EA_RX_UNSUPPORTED,
	EA_RX_NOMEM
} ea_rx_verdict;

static ea_rx_verdict
ea_rx_translate(const char *p, ea_rx_out *o, bool *backtracks,
				const char **why)
{
	size_t		i = 0,
				n = strlen(p);
	int			class_depth = 0;	/* inside [...] */
	bool		at_class_start = false;

	*backtracks = false;
	*why = NULL;
	while (i < n)
	{
		char		c = p[i];

		if (c == '\\')
		{
			char		e = (i + 1 < n) ? p[i + 1] : '\0';

			if (e == '\0')
				return EA_RX_REFUSED;	/* trailing backslash */
			at_class_start = false;
			switch (e)
			{
				case 'v':		/* Rust: vertical tab; PCRE2: a class */
					ea_rx_put(o, "\\x0B", 4);
					i += 2;
					continue;
				case 'h':		/* fancy-regex: hex digit */
					ea_rx_put(o, class_depth ? "0-9A-Fa-f" : "[0-9A-Fa-f]",
							  class_depth ? 9 : 11);
					i += 2;
					continue;
				case 'H':
					if (class_depth)
						return EA_RX_UNSUPPORTED;
					ea_rx_put(o, "[^0-9A-Fa-f]", 12);
					i += 2;
					continue;
				case 'Z':		/* fancy-regex: end, or before a final \n */
				case 'G':
				case 'K':
					if (class_depth)
						return EA_RX_REFUSED;
					if (e != 'Z')
						*backtracks = true;
					break;
				case '<':		/* word start / end (regex 1.10) */
				case '>':
					if (class_depth)
						break;
					ea_rx_put(o, e == '<' ? "\\b(?=\\w)" : "\\b(?<=\\w)", e == '<' ? 8 : 9);
					i += 2;
					continue;
				case 'k':
					*backtracks = true;
					if (i + 2 < n && (p[i + 2] == '<' || p[i + 2] == '{' || p[i + 2] == '\''))
					{
						ea_rx_put(o, p + i, 3);
						ea_rx_put(o, "ea", 2);
						i += 3;
						continue;
					}
					break;
				case 'w':
					ea_rx_put(o, class_depth ? EA_RX_WORD_ITEMS : "[" EA_RX_WORD_ITEMS "]",
							  strlen(EA_RX_WORD_ITEMS) + (class_depth ? 0 : 2));
					i += 2;
					continue;
				case 'W':
					if (class_depth)
						break;	/* PCRE2's \W: close, not identical */
					ea_rx_put(o, "[^" EA_RX_WORD_ITEMS "]", strlen(EA_RX_WORD_ITEMS) + 3);
					i += 2;
					continue;
				case 'p':
				case 'P':
					{
						size_t		used = ea_rx_put_property(o, p + i, n - i);

						if (used == 0)
							return EA_RX_REFUSED;
						i += used;
						continue;
					}
				case 'u':		/* \uHHHH and \u{H...}: as \x{...} */
				case 'U':		/* \U0001F600 / \U{...}: the same, 8 digits */
					{
						size_t		used = ea_rx_put_hex_escape(o, p + i, n - i,
																p[i + 1] == 'u' ? 4 : 8,
																p[i + 1] == 'u' || class_depth == 0);

						if (used == 0)
							return EA_RX_REFUSED;
						i += used;
						continue;
					}
				case 'e':
				case 'a':
				case 'f':
				case 'n':
				case 'r':
				case 't':
				case 'd':
				case 'D':
				case 's':
				case 'S':
				case 'x':
				case 'A':
				case 'z':
					break;
				case 'b':
					if (class_depth)
						return EA_RX_REFUSED;	/* [\b] */
					if (i + 2 < n && p[i + 2] == '{')
					{
						const char *rest = p + i + 2;

						if (strncmp(rest, "{start}", 7) == 0)
						{
							ea_rx_put(o, "\\b(?=\\w)", 8);
							i += 9;
							continue;
						}
						if (strncmp(rest, "{end}", 5) == 0)
						{
							ea_rx_put(o, "\\b(?<=\\w)", 9);
							i += 7;
							continue;
						}
						return EA_RX_UNSUPPORTED;
					}
					break;
				case 'B':
					if (class_depth)
						return EA_RX_REFUSED;
					break;
				default:
					if (e >= '1' && e <= '9')
					{
						/* a backreference (fancy-regex), outside classes */
						if (class_depth)
							return EA_RX_REFUSED;
						*backtracks = true;
						break;
					}
					if (ea_rx_is_alnum(e) || (unsigned char) e >= 0x80)
						return EA_RX_REFUSED;	/* \0 \C \R \X \N \Q \o \c \g ... */
					/* escaped punctuation: literal */
					break;
			}
			ea_rx_put(o, p + i, 2);
			i += 2;
			continue;
		}
		if (class_depth)
		{
			if (c == '[')
			{
				if (i + 1 < n && p[i + 1] == ':')
				{
					const char *end = strstr(p + i + 2, ":]");
					const char *name = p + i + 2;
					bool		negated = (*name == '^');

					if (end == NULL)
						return EA_RX_REFUSED;
					if (negated)
						name++;
					if (!ea_rx_put_posix(o, name, (size_t) (end - name), negated))
						return EA_RX_REFUSED;
					i = (size_t) (end + 2 - p);
					at_class_start = false;
					continue;
				}
				*why = "nested character classes";
				return EA_RX_UNSUPPORTED;
			}
			if (c == ']' && !at_class_start)
				class_depth = 0;
			else if ((c == '&' || c == '~' || c == '-') && i + 1 < n && p[i + 1] == c &&
					 !(c == '-' && at_class_start))
			{
				*why = "character class set operations (&&, --, ~~)";
				return EA_RX_UNSUPPORTED;
			}
			at_class_start = false;
			ea_rx_put(o, p + i, 1);
			i++;
			continue;
		}
		switch (c)
		{
			case '[':
				class_depth = 1;
				at_class_start = true;
				ea_rx_put(o, "[", 1);
				i++;
				if (i < n && p[i] == '^')
				{
					ea_rx_put(o, "^", 1);
					i++;
				}
				continue;
			case '^':
			case '$':
				/* a quantified anchor (^*): PCRE2 wants it in a group */
				if (i + 1 < n && strchr("*+?{", p[i + 1]) != NULL &&
					!(p[i + 1] == '{' && (i + 2 >= n || !(p[i + 2] >= '0' && p[i + 2] <= '9'))))
				{
					ea_rx_put(o, "(?:", 3);
					ea_rx_put(o, p + i, 1);
					ea_rx_put(o, ")", 1);
					i++;
					continue;
				}
				break;
			case '{':
				/* {,n} is {0,n} in Server Core; PCRE2 10.42 reads it literally */
				if (i + 1 < n && p[i + 1] == ',' && i > 0)
				{
					size_t		j = i + 2;

					while (j < n && p[j] >= '0' && p[j] <= '9')
						j++;
					if (j > i + 2 && j < n && p[j] == '}')
					{
						ea_rx_put(o, "{0", 2);
						i++;
						continue;
					}
				}
				/* a quantifier after a quantifier (a{2}{3}): Server Core refuses */
				if (i > 0 && (p[i - 1] == '}' || p[i - 1] == '*' || p[i - 1] == '+') &&
					i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9' &&
					!(i > 1 && p[i - 2] == '\\'))
					return EA_RX_REFUSED;
				break;
			case '(':
				if (i + 1 < n && p[i + 1] == '*')
					return EA_RX_REFUSED;	/* (*VERB) */
				if (i + 1 < n && p[i + 1] == '?')
				{
					char		k = (i + 2 < n) ? p[i + 2] : '\0';

					if (k == '>' || k == '=' || k == '!' ||
						(k == '<' && i + 3 < n && (p[i + 3] == '=' || p[i + 3] == '!')))
					{
						if (k == '>')
							*backtracks = true;
						break;
					}
					if (k == '#')
						break;	/* comment: fancy-regex has it */
					if (k == 'P' && i + 3 < n && p[i + 3] == '=')
					{
						*backtracks = true;
						ea_rx_put(o, "(?P=ea", 6);
						i += 4;
						continue;
					}
					if (k == '|' || k == '(' || k == 'R' || k == 'C' || k == '&' ||
						(k >= '0' && k <= '9') || k == '+' ||
						(k == '-' && i + 3 < n && p[i + 3] >= '0' && p[i + 3] <= '9'))
						return EA_RX_REFUSED;	/* recursion, conditionals, callouts */
					if (k == '\'')
						return EA_RX_REFUSED;
					if (k == 'P' && i + 3 < n && p[i + 3] == '<')
					{
						/* (?P<name>: PCRE2 names may not start with a digit */
						ea_rx_put(o, "(?P<ea", 6);
						i += 4;
						continue;
					}
					if (k == '<')
					{
						ea_rx_put(o, "(?<ea", 5);
						i += 3;
						continue;
					}
					{
						/* inline flags: drop u (Unicode is always on); -u refused */
						size_t		j = i + 2;
						bool		neg = false;
						bool		flags = true;

						while (j < n && p[j] != ')' && p[j] != ':')
						{
							if (p[j] == '-')
								neg = true;
							else if (strchr("imsxUu", p[j]) == NULL)
								flags = false;
							else if (p[j] == 'u' && neg)
								return EA_RX_REFUSED;
							j++;
						}
						if (flags && j < n)
						{
							for (; i <= j; i++)
								if (p[i] != 'u')
									ea_rx_put(o, p + i, 1);
							continue;
						}
					}
				}
				break;
			case '+':
			case '*':
			case '?':
			case '}':
				/* a possessive quantifier: fancy-regex backtracks for it */
				if (i + 1 < n && p[i + 1] == '+' && i > 0)
					*backtracks = true;
				break;
			default:
				break;
		}
		ea_rx_put(o, p + i, 1);
		i++;
	}
	if (class_depth)
		return EA_RX_REFUSED;
	return o->failed ? EA_RX_NOMEM : EA_RX_OK;
}

/*
 * Compile a str_matches target.  Returns true with *code NULL when Server
 * Core would not compile it (the condition never matches), false with
 * *why set when the pattern uses syntax PCRE2 cannot express the same way
 * (the document is refused).
 */
bool
ea_regex_compile(const char *pattern, pcre2_code **code, bool *backtracks,
				 const char **why)
{
	ea_rx_out	o = {0};
	ea_rx_verdict v;
	pcre2_compile_context *cc;
	int			errcode;
	PCRE2_SIZE	erroffset;

	*code = NULL;
	*why = NULL;
	v = ea_rx_translate(pattern, &o, backtracks, why);
	if (v == EA_RX_UNSUPPORTED)
	{
		if (*why == NULL)
			*why = "syntax that PCRE2 reads differently from Server Core";
		free(o.buf);
		return false;
	}
	if (v != EA_RX_OK)
	{
		free(o.buf);
		return v != EA_RX_NOMEM;
	}
	cc = pcre2_compile_context_create(NULL);
	if (cc == NULL)
	{
		free(o.buf);
		return false;
	}
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	*code = pcre2_compile((PCRE2_SPTR) (o.buf ? o.buf : ""), PCRE2_ZERO_TERMINATED,
						  PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY |
						  PCRE2_NEVER_BACKSLASH_C | PCRE2_DUPNAMES | PCRE2_ALT_CIRCUMFLEX,
						  &errcode, &erroffset, cc);
	pcre2_compile_context_free(cc);
	free(o.buf);
	return true;
}

/*
 * Does subject match?  EA_REGEX_MATCH / EA_REGEX_NO_MATCH, or
 * EA_REGEX_LIMIT when no matcher could decide within its limits (out of
 * memory too): never a silent "no match".
 *
 * The backtracking matcher runs first, with fancy-regex's backtrack limit
 * (it decides nearly every pattern at once).  When it gives up on a
 * pattern without backreferences, atomic groups or possessive quantifiers,
 * pcre2_dfa_match decides it without backtracking -- in polynomial, not
 * exponential, time, so only for values up to EA_DFA_MAX_SUBJECT bytes.
 */
int
ea_regex_match(const pcre2_code *code, bool backtracks, const char *subject,
			   size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	int			rc;
	int			result = EA_REGEX_LIMIT;

	if (md == NULL || mc == NULL)
		goto out;
	pcre2_set_match_limit(mc, EA_BT_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, EA_BT_DEPTH_LIMIT);
	rc = pcre2_match(code, (PCRE2_SPTR) subject, len, 0, 0, md, mc);
	if ((rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		 rc == PCRE2_ERROR_HEAPLIMIT) && !backtracks && len <= EA_DFA_MAX_SUBJECT)
	{
		int			wsstack[EA_DFA_WS_START];
		int		   *ws = wsstack;
		size_t		wscount = EA_DFA_WS_START;

		for (;;)
		{
			rc = pcre2_dfa_match(code, (PCRE2_SPTR) subject, len, 0,
								 PCRE2_DFA_SHORTEST, md, NULL, ws, wscount);
			if (rc != PCRE2_ERROR_DFA_WSSIZE || wscount >= EA_DFA_WS_MAX)
				break;
			wscount *= 4;
			if (ws != wsstack)
				free(ws);
			if ((ws = malloc(wscount * sizeof(int))) == NULL)
			{
				rc = PCRE2_ERROR_NOMEMORY;
				break;
			}
		}
		if (ws != wsstack)
			free(ws);
	}
	if (rc >= 0)
		result = EA_REGEX_MATCH;
	else if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL ||
			 (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21))
		result = EA_REGEX_NO_MATCH;
	/* anything else (limits, workspace, memory) stays EA_REGEX_LIMIT */
out:
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return result;
}
