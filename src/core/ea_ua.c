/*-------------------------------------------------------------------------
 *
 * ea_ua.c
 *	  Tokenizer-based user-agent parser, behaving like Server Core's
 *	  default ("first party") parser.
 *
 * The user agent is cut into words at every ';' and ' ' (empty words
 * included).  A window of four words slides over them; each step looks at
 * the current word and up to three following ones and records tokens
 * (tag + optional version), a "possible OS" token, a "possible browser"
 * token and a set of hints.  The OS and the browser are then chosen from
 * that record by fixed precedence rules.
 *
 * Everything lives on the stack: strings are slices of the input or of
 * string literals until they are copied into the caller's ea_ua_info.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_ua.h"

#include <stddef.h>
#include <string.h>

/*
 * A word never yields more than one token, and a token needs a non-empty
 * word plus a separator, so EA_UA_MAX_LEN bytes give at most 501 tokens.
 */
#define UA_MAX_TOKENS	512

/* A string slice; p == NULL means "no value" (not the same as ""). */
typedef struct ua_str
{
	const char *p;
	size_t		n;
} ua_str;

typedef struct ua_token
{
	ua_str		tag;
	ua_str		ver;
} ua_token;

/* Hints gathered while tokenizing. */
#define H_LINUX			0x001
#define H_IOS			0x002
#define H_MACOS			0x004
#define H_WINDOWS		0x008
#define H_MOBILE		0x010
#define H_SAFARI		0x020
#define H_PLAYSTATION	0x040
#define H_HUAWEI		0x080
#define H_CFNETWORK		0x100
#define H_CRAWLER		0x200

typedef struct ua_tokens
{
	ua_token	os;				/* possible OS token */
	bool		has_os;
	ua_token	br;				/* possible browser token */
	bool		has_br;
	bool		bot;			/* br holds a bot; later bots do not replace it */
	unsigned	hints;
	int			ntok;
	ua_token	tok[UA_MAX_TOKENS]; /* must stay last, see ua_tokenize */
} ua_tokens;

/* Sliding window of four words over the input. */
typedef struct ua_win
{
	const char *src;
	size_t		len;
	size_t		pos;			/* start of the next word to read */
	bool		exhausted;		/* no word left to read */
	ua_str		slot[4];
	int			count;
} ua_win;

/* Up to four version parts; absent parts have p == NULL. */
typedef struct ua_ver
{
	ua_str		part[4];
} ua_ver;

/* A parse result before it is copied out. */
typedef struct ua_res
{
	ua_str		name;
	ua_ver		ver;
} ua_res;

static const ua_str ua_none = {NULL, 0};

/* ---------------------------------------------------------------------
 * slice helpers
 * ---------------------------------------------------------------------
 */

static ua_str
ua_lit(const char *s)
{
	ua_str		r;

	r.p = s;
	r.n = strlen(s);
	return r;
}

static ua_str
ua_sub(const char *p, size_t n)
{
	ua_str		r;

	r.p = p;
	r.n = n;
	return r;
}

static bool
ua_eq(ua_str s, const char *lit)
{
	size_t		n = strlen(lit);

	return s.p != NULL && s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool
ua_starts(ua_str s, const char *lit)
{
	size_t		n = strlen(lit);

	return s.p != NULL && s.n >= n && memcmp(s.p, lit, n) == 0;
}

/* Offset of the first occurrence of lit in s, or -1. */
static long
ua_find(ua_str s, const char *lit)
{
	size_t		n = strlen(lit);
	size_t		i;

	if (s.p == NULL || s.n < n)
		return -1;
	for (i = 0; i + n <= s.n; i++)
	{
		if (memcmp(s.p + i, lit, n) == 0)
			return (long) i;
	}
	return -1;
}

static bool
ua_contains(ua_str s, const char *lit)
{
	return ua_find(s, lit) >= 0;
}

static bool
ua_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
ua_is_trimmed(char c)
{
	return c == '(' || c == ')' || c == ';' || c == ',' || c == '+' ||
		c == '_';
}

/* Strip "();,+_" from both ends; an empty result is no value. */
static ua_str
ua_trim(ua_str s)
{
	if (s.p == NULL)
		return ua_none;
	while (s.n > 0 && ua_is_trimmed(s.p[0]))
	{
		s.p++;
		s.n--;
	}
	while (s.n > 0 && ua_is_trimmed(s.p[s.n - 1]))
		s.n--;
	return s.n == 0 ? ua_none : s;
}

/* ---------------------------------------------------------------------
 * the word window
 * ---------------------------------------------------------------------
 */

/* Read the next word (possibly empty); false when none is left. */
static bool
ua_win_read(ua_win *w, ua_str *out)
{
	size_t		i;

	if (w->exhausted)
		return false;
	for (i = w->pos; i < w->len; i++)
	{
		if (w->src[i] == ';' || w->src[i] == ' ')
			break;
	}
	*out = ua_sub(w->src + w->pos, i - w->pos);
	if (i >= w->len)
		w->exhausted = true;
	else
		w->pos = i + 1;
	return true;
}

static void
ua_win_init(ua_win *w, const char *src, size_t len)
{
	w->src = src;
	w->len = len;
	w->pos = 0;
	w->exhausted = false;
	w->count = 0;
	while (w->count < 4 && ua_win_read(w, &w->slot[w->count]))
		w->count++;
}

static void
ua_win_slide(ua_win *w, int n)
{
	while (n-- > 0 && w->count > 0)
	{
		memmove(&w->slot[0], &w->slot[1], sizeof(ua_str) * 3);
		w->count--;
		if (ua_win_read(w, &w->slot[w->count]))
			w->count++;
	}
}

/* Trimmed word i of the window, or no value. */
static ua_str
ua_win_get(const ua_win *w, int i)
{
	return i < w->count ? ua_trim(w->slot[i]) : ua_none;
}

/* A word that starts with a digit is taken as a version: consume it. */
static ua_str
ua_consume_numeric(ua_win *w, ua_str s)
{
	if (s.p != NULL && s.n > 0 && ua_is_digit(s.p[0]))
	{
		ua_win_slide(w, 1);
		return s;
	}
	return ua_none;
}

/* ---------------------------------------------------------------------
 * recording tokens
 * ---------------------------------------------------------------------
 */

static void
ua_add_tag(ua_tokens *r, ua_str tag, ua_str ver)
{
	if (r->ntok >= UA_MAX_TOKENS)
		return;
	r->tok[r->ntok].tag = tag;
	r->tok[r->ntok].ver = ver;
	r->ntok++;
}

static void
ua_set_os(ua_tokens *r, ua_str tag, ua_str ver)
{
	r->os.tag = tag;
	r->os.ver = ver;
	r->has_os = true;
}

/* The first OS candidate that carries a version wins. */
static void
ua_possible_os(ua_tokens *r, const char *tag, ua_str ver)
{
	if (!r->has_os && ver.p != NULL)
		ua_set_os(r, ua_lit(tag), ver);
	ua_add_tag(r, ua_lit(tag), ver);
}

static bool
ua_looks_like_url(ua_str tag)
{
	return ua_contains(tag, ".com") || ua_contains(tag, ".net") ||
		ua_contains(tag, ".org") || ua_contains(tag, ".html") ||
		ua_contains(tag, "http://") || ua_contains(tag, "https://");
}

/* Later browser candidates replace earlier ones, URL-like ones do not. */
static void
ua_set_browser(ua_tokens *r, ua_str tag, ua_str ver)
{
	if (r->has_br && ua_looks_like_url(tag))
		return;
	r->br.tag = tag;
	r->br.ver = ver;
	r->has_br = true;
}

/* The first bot seen is the browser unless a real browser follows. */
static void
ua_bot(ua_tokens *r, ua_str tag, ua_str ver)
{
	if (r->bot)
		return;
	r->br.tag = tag;
	r->br.ver = ver;
	r->has_br = true;
	r->bot = true;
}

static void
ua_possible_browser(ua_tokens *r, ua_str tag, ua_str ver)
{
	if (ver.p != NULL)
		ua_set_browser(r, tag, ver);
	ua_add_tag(r, tag, ver);
}

/* ---------------------------------------------------------------------
 * tokenizer: words with a fixed meaning
 * ---------------------------------------------------------------------
 */

/* Product part of "iPad..." / "iPhone...": text up to the next repeat. */
static ua_str
ua_after_prefix(ua_str c, const char *prefix)
{
	ua_str		rest;
	long		next;

	rest = ua_sub(c.p + strlen(prefix), c.n - strlen(prefix));
	next = ua_find(rest, prefix);
	if (next >= 0)
		rest.n = (size_t) next;
	return ua_trim(rest);
}

static void
ua_tok_windows(ua_tokens *r, ua_win *w, ua_str n1, ua_str n2)
{
	ua_str		ver;

	r->hints |= H_WINDOWS;
	if (ua_eq(n1, "NT"))
	{
		ver = ua_consume_numeric(w, n2);
		if (ver.p != NULL)
			ua_win_slide(w, 1);
	}
	else if (ua_starts(n1, "XP"))
	{
		ua_win_slide(w, 1);
		ver = ua_lit("XP");
	}
	else
		ver = ua_consume_numeric(w, n1);
	ua_possible_os(r, "Windows", ver);
}

static void
ua_tok_cros(ua_tokens *r, ua_win *w, ua_str n1, ua_str n2)
{
	ua_str		ver = ua_consume_numeric(w, n1);

	if (ver.p == NULL)
	{
		ua_win_slide(w, 1);
		ver = ua_consume_numeric(w, n2);
	}
	ua_possible_os(r, "Chrome OS", ver);
}

/* Apple words.  Returns false when c is none of them. */
static bool
ua_tok_apple(ua_tokens *r, ua_win *w, ua_str c, const ua_str *nx)
{
	if (ua_starts(c, "AppleTV"))
	{
		ua_add_tag(r, ua_lit("ATV OS X"), ua_none);
		ua_win_slide(w, 1);
	}
	else if (ua_eq(c, "like") && ua_eq(nx[0], "Mac") && ua_eq(nx[1], "OS"))
		ua_win_slide(w, 3);
	else if (ua_eq(c, "Mac") && ua_eq(nx[0], "OS"))
	{
		/* "Mac OS X 10_15" and also "Mac OS 26.2" */
		r->hints |= H_MACOS;
		ua_possible_os(r, "Mac OS X",
					   ua_consume_numeric(w, ua_eq(nx[1], "X") ? nx[2] : nx[1]));
		ua_win_slide(w, 2);
	}
	else if (ua_eq(c, "iOS") || ua_eq(c, "iPadOS"))
	{
		ua_possible_os(r, "iOS", ua_consume_numeric(w, nx[0]));
		r->hints |= H_IOS;
		ua_win_slide(w, 1);
	}
	else if (ua_eq(c, "iPhone") && ua_eq(nx[0], "OS"))
	{
		ua_possible_os(r, "iOS", ua_consume_numeric(w, nx[1]));
		ua_win_slide(w, 1);
	}
	else
		return false;
	return true;
}

/* Apple device words.  Returns false when c is none of them. */
static bool
ua_tok_apple_device(ua_tokens *r, ua_win *w, ua_str c, const ua_str *nx)
{
	if (ua_starts(c, "iPad"))
	{
		r->hints |= H_IOS;
		ua_add_tag(r, ua_lit("iPad"), ua_after_prefix(c, "iPad"));
	}
	else if (ua_starts(c, "iPhone"))
	{
		r->hints |= H_IOS;
		ua_add_tag(r, ua_lit("iPhone"), ua_after_prefix(c, "iPhone"));
	}
	else if (ua_starts(c, "Apple-iPhone7C2"))
	{
		r->hints |= H_IOS;
		ua_add_tag(r, ua_lit("iPhone"), ua_none);
	}
	else if (ua_eq(c, "CPU") && ua_eq(nx[0], "OS"))
	{
		ua_add_tag(r, ua_lit("CPU OS"), ua_consume_numeric(w, nx[1]));
		ua_win_slide(w, 1);
	}
	else
		return false;
	return true;
}

/* Platform words.  Returns false when c is none of them. */
static bool
ua_tok_platform(ua_tokens *r, ua_win *w, ua_str c, const ua_str *nx)
{
	if (ua_eq(c, "CrOS"))
		ua_tok_cros(r, w, nx[0], nx[1]);
	else if (ua_eq(c, "CrKey"))
		ua_possible_os(r, "Chromecast", ua_none);
	else if (ua_eq(c, "PlayStation"))
	{
		r->hints |= H_PLAYSTATION;
		ua_add_tag(r, ua_lit("PlayStation"), ua_none);
	}
	else if (ua_eq(c, "Android"))
		ua_possible_os(r, "Android", ua_consume_numeric(w, nx[0]));
	else if (ua_eq(c, "Windows") && ua_eq(nx[0], "Phone"))
	{
		ua_possible_os(r, "Windows Phone", ua_consume_numeric(w, nx[1]));
		ua_win_slide(w, 1);
	}
	else if (ua_starts(c, "Windows"))
		ua_tok_windows(r, w, nx[0], nx[1]);
	else
		return false;
	return true;
}

/* Remaining fixed words.  Returns false when c is none of them. */
static bool
ua_tok_misc(ua_tokens *r, ua_win *w, ua_str c, const ua_str *nx)
{
	if (ua_eq(c, "Yahoo!") && ua_eq(nx[0], "Slurp"))
	{
		ua_add_tag(r, ua_lit("Yahoo! Slurp"), ua_none);
		ua_win_slide(w, 1);
	}
	else if (ua_eq(c, "Red") && ua_eq(nx[0], "Hat"))
	{
		ua_possible_os(r, "Red Hat", ua_none);
		ua_win_slide(w, 1);
	}
	else if (ua_eq(c, "Ubuntu"))
		ua_possible_os(r, "Ubuntu", ua_consume_numeric(w, nx[0]));
	else if (ua_eq(c, "Mobile"))
	{
		r->hints |= H_MOBILE;
		ua_add_tag(r, ua_lit("Mobile"), ua_none);
	}
	else if (ua_eq(c, "Linux") || ua_eq(c, "linux"))
	{
		r->hints |= H_LINUX;
		ua_add_tag(r, ua_lit("Linux"), ua_none);
	}
	else if (ua_eq(c, "Better") && ua_eq(nx[0], "Uptime") &&
			 ua_eq(nx[1], "Bot"))
	{
		ua_bot(r, ua_lit("Better Uptime Bot"), ua_none);
		ua_win_slide(w, 2);
	}
	else if (ua_eq(c, "AdsBot-Google-Mobile"))
		ua_bot(r, ua_lit("AdsBot-Google"), ua_none);
	else if (ua_eq(c, "MSIE"))
		ua_possible_browser(r, ua_lit("IE"), ua_consume_numeric(w, nx[0]));
	else if (ua_eq(c, "Nintendo") && ua_eq(nx[0], "3DS"))
	{
		ua_add_tag(r, ua_lit("NetFront NX"), ua_none);
		ua_win_slide(w, 1);
	}
	else
		return false;
	return true;
}

/* ---------------------------------------------------------------------
 * tokenizer: "product/version" words
 * ---------------------------------------------------------------------
 */

/* iOS browsers that may correct a "Mac OS X" guess to iOS. */
static void
ua_tok_ios_browser(ua_tokens *r, const char *name, ua_str ver)
{
	if (r->has_os && ua_eq(r->os.tag, "Mac OS X"))
		ua_set_os(r, ua_lit("iOS"), ua_none);
	ua_possible_browser(r, ua_lit(name), ver);
}

/* Products renamed to a browser.  Returns false when tag is none. */
static bool
ua_tok_named_browser(ua_tokens *r, ua_str tag, ua_str ver)
{
	static const char *const map[][2] = {
		{"FxiOS", "Firefox iOS"},
		{"GSA", "Google"},
		{"YisouSpider", "YisouSpider"},
		{"SamsungBrowser", "Samsung Internet"},
		{"ChatGPT-User", "ChatGPT-User"},
		{"OAI-SearchBot", "OAI-SearchBot"},
		{"NX", "NetFront NX"},
		{"Electron", "Electron"},
		{"IEMobile", "IE Mobile"},
	};
	size_t		i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
	{
		if (ua_eq(tag, map[i][0]))
		{
			ua_possible_browser(r, ua_lit(map[i][1]), ver);
			return true;
		}
	}
	return false;
}

/* Products with special handling.  Returns false when tag is none. */
static bool
ua_tok_product_special(ua_tokens *r, ua_str tag, ua_str ver)
{
	if (ua_eq(tag, "Kindle"))
	{
		if (!r->has_os && ver.p != NULL)
			ua_set_os(r, ua_lit("Kindle"), ver);
		ua_possible_browser(r, ua_lit("Kindle"), ver);
	}
	else if (ua_eq(tag, "EdgiOS"))
		ua_tok_ios_browser(r, "Edge Mobile", ver);
	else if (ua_eq(tag, "CriOS"))
	{
		r->hints |= H_IOS;
		ua_tok_ios_browser(r, "Chrome Mobile iOS", ver);
	}
	else if (ua_eq(tag, "Edg") || ua_eq(tag, "Edge"))
		ua_add_tag(r, ua_lit("Edge"), ver);
	else if (ua_eq(tag, "OPR"))
		ua_add_tag(r, ua_lit("Opera"), ver);
	else if (ua_eq(tag, "HuaweiBrowser"))
	{
		r->hints |= H_HUAWEI;
		ua_add_tag(r, ua_lit("HuaweiBrowser"), ver);
	}
	else
		return ua_tok_named_browser(r, tag, ver);
	return true;
}

static bool
ua_is_bot_tag(ua_str tag)
{
	return ua_contains(tag, "Bot") || ua_contains(tag, "bot") ||
		ua_contains(tag, "crawler") || ua_contains(tag, "Crawler");
}

static void
ua_tok_product_rest(ua_tokens *r, ua_str tag, ua_str ver)
{
	if (ua_is_bot_tag(tag))
		ua_bot(r, tag, ver);
	else if (ua_eq(tag, "Mobile"))
	{
		r->hints |= H_MOBILE;
		ua_add_tag(r, ua_lit("Mobile"), ver);
	}
	else if (ua_eq(tag, "Safari"))
	{
		r->hints |= H_SAFARI;
		ua_add_tag(r, ua_lit("Safari"), ver);
	}
	else if (ua_eq(tag, "CFNetwork"))
		r->hints |= H_CFNETWORK | H_IOS;
	else if (ua_contains(ver, "crawler"))
		r->hints |= H_CRAWLER;
	else if (ua_eq(tag, "OculusBrowser"))
		ua_set_os(r, ua_lit("Android"), ua_none);
	else
		ua_add_tag(r, tag, ver);
}

/* Any other word: "tag/version" (also split at ';' or ':'). */
static void
ua_tok_product(ua_tokens *r, ua_str c)
{
	ua_str		tag = c;
	ua_str		ver = ua_none;
	size_t		i;

	for (i = 0; i < c.n; i++)
	{
		if (c.p[i] == '/' || c.p[i] == ';' || c.p[i] == ':')
		{
			tag = ua_trim(ua_sub(c.p, i));
			if (tag.p == NULL)
				tag = c;
			ver = ua_trim(ua_sub(c.p + i + 1, c.n - i - 1));
			break;
		}
	}
	if (!ua_tok_product_special(r, tag, ver))
		ua_tok_product_rest(r, tag, ver);
}

static void
ua_tokenize(const char *ua, size_t len, ua_tokens *r)
{
	ua_win		w;
	ua_str		c;
	ua_str		nx[3];

	memset(r, 0, offsetof(ua_tokens, tok));
	ua_win_init(&w, ua, len);
	while (w.count > 0)
	{
		c = ua_win_get(&w, 0);
		nx[0] = ua_win_get(&w, 1);
		nx[1] = ua_win_get(&w, 2);
		nx[2] = ua_win_get(&w, 3);
		if (c.p != NULL &&
			!ua_tok_apple(r, &w, c, nx) &&
			!ua_tok_apple_device(r, &w, c, nx) &&
			!ua_tok_platform(r, &w, c, nx) &&
			!ua_tok_misc(r, &w, c, nx) &&
			!ua_eq(c, "like") && c.n > 2)
			ua_tok_product(r, c);
		ua_win_slide(&w, 1);
	}
}

/* ---------------------------------------------------------------------
 * versions
 * ---------------------------------------------------------------------
 */

/* Windows NT kernel versions as marketing names. */
static const char *
ua_windows_name(ua_str v)
{
	static const char *const map[][2] = {
		{"5.1", "XP"}, {"5.2", "XP"}, {"6.0", "Vista"},
		{"6.1", "7"}, {"6.3", "8.1"}, {"10.0", "10"},
	};
	size_t		i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
	{
		if (ua_eq(v, map[i][0]))
			return map[i][1];
	}
	return "0.0.0";
}

/*
 * Split s at '_', ',' and '.' into at most four parts; a trailing empty
 * part is not a part.
 */
static void
ua_split_version(ua_str s, ua_ver *v)
{
	size_t		start = 0;
	size_t		i;
	int			k = 0;

	for (i = 0; i < s.n && k < 4; i++)
	{
		if (s.p[i] == '_' || s.p[i] == ',' || s.p[i] == '.')
		{
			v->part[k++] = ua_sub(s.p + start, i - start);
			start = i + 1;
		}
	}
	if (k < 4 && start < s.n)
		v->part[k] = ua_sub(s.p + start, s.n - start);
}

static void
ua_token_version(const ua_token *t, ua_ver *v)
{
	size_t		i;

	memset(v, 0, sizeof(*v));
	if (t->ver.p == NULL)
	{
		v->part[0] = ua_lit("0.0.0");
		return;
	}
	if (ua_eq(t->tag, "Windows"))
	{
		v->part[0] = ua_lit(ua_windows_name(t->ver));
		return;
	}
	ua_split_version(t->ver, v);
	if (v->part[1].p != NULL)
	{
		for (i = 0; i < v->part[1].n && ua_is_digit(v->part[1].p[i]); i++)
			;
		v->part[1].n = i;
	}
	if (ua_eq(t->tag, "YaBrowser") || ua_eq(t->tag, "Opera") ||
		ua_eq(t->tag, "NetFront NX"))
		v->part[3] = ua_none;
}

/* ---------------------------------------------------------------------
 * choosing the OS and the browser
 * ---------------------------------------------------------------------
 */

/* Result name + the version of token t (no version when t is NULL). */
static bool
ua_res_str(ua_res *res, ua_str name, const ua_token *t)
{
	res->name = name;
	memset(&res->ver, 0, sizeof(res->ver));
	if (t != NULL)
		ua_token_version(t, &res->ver);
	return true;
}

static bool
ua_res_set(ua_res *res, const char *name, const ua_token *t)
{
	return ua_res_str(res, ua_lit(name), t);
}

/* OS decided by one token of the list; false when t decides nothing. */
static bool
ua_os_from_token(const ua_tokens *r, const ua_token *t, ua_res *res)
{
	bool		ios = (r->hints & H_IOS) != 0;

	if (ua_eq(t->tag, "ATV OS X"))
		return ua_res_set(res, "ATV OS X", NULL);
	if (ua_eq(t->tag, "iPhone OS") || ua_eq(t->tag, "iOS") ||
		(ua_eq(t->tag, "CPU OS") && ios) ||
		(ua_eq(t->tag, "Version") && ios && (r->hints & H_MACOS)))
		return ua_res_set(res, "iOS", t);
	if (ua_eq(t->tag, "CFNetwork"))
		return ua_res_set(res, "iOS", NULL);
	if (ua_eq(t->tag, "Android"))
		return ua_res_set(res, "Android", t);
	if (ua_starts(t->tag, "Android"))
		return ua_res_set(res, "Android", NULL);
	if (ua_eq(t->tag, "Chromecast") || ua_eq(t->tag, "Red Hat"))
		return ua_res_str(res, t->tag, NULL);
	if (ua_eq(t->tag, "Kindle") || ua_eq(t->tag, "Ubuntu"))
		return ua_res_str(res, t->tag, t);
	return false;
}

static void
ua_choose_os(const ua_tokens *r, ua_res *res)
{
	int			i;

	if (r->has_os)
	{
		ua_res_str(res, r->os.tag, &r->os);
		return;
	}
	for (i = 0; i < r->ntok; i++)
	{
		if (ua_os_from_token(r, &r->tok[i], res))
			return;
	}
	if (r->hints & H_IOS)
		ua_res_set(res, "iOS", NULL);
	else if (r->hints & H_MACOS)
		ua_res_set(res, "Mac OS X", NULL);
	else if (r->hints & H_WINDOWS)
		ua_res_set(res, "Windows", NULL);
	else if (r->hints & H_LINUX)
		ua_res_set(res, "Linux", NULL);
	else
		ua_res_set(res, "Other", NULL);
}

/* Browser decided by one token of the list; false when t decides nothing. */
static bool
ua_browser_from_token(const ua_tokens *r, const ua_token *t, ua_res *res)
{
	bool		mobile = (r->hints & H_MOBILE) != 0;

	if (ua_eq(t->tag, "Firefox"))
		return ua_res_set(res, mobile ? "Firefox Mobile" : "Firefox", t);
	if (ua_eq(t->tag, "Yahoo! Slurp"))
		return ua_res_set(res, "Yahoo! Slurp", NULL);
	if (ua_eq(t->tag, "Silk"))
	{
		if (r->hints & H_PLAYSTATION)
			return ua_res_set(res, "NetFront NX", NULL);
		return ua_res_set(res, "Amazon Silk", t);
	}
	if (ua_eq(t->tag, "NetFront NX") || ua_eq(t->tag, "axios") ||
		ua_eq(t->tag, "HeadlessChrome"))
		return ua_res_str(res, t->tag, t);
	if (ua_eq(t->tag, "YaBrowser"))
		return ua_res_set(res, "Yandex Browser", t);
	if (ua_eq(t->tag, "Edge"))
		return ua_res_set(res, mobile ? "Edge Mobile" : "Edge", t);
	if (ua_eq(t->tag, "Opera"))
		return ua_res_set(res, mobile ? "Opera Mobile" : "Opera", t);
	return false;
}

static void
ua_choose_chrome(const ua_tokens *r, const ua_token *chrome,
				 const ua_token *android, const ua_token *version,
				 ua_res *res)
{
	if (version != NULL)
		ua_res_set(res, "Chrome Mobile WebView", chrome);
	else if ((r->hints & H_MOBILE) && chrome->ver.p != NULL &&
			 !(r->hints & H_HUAWEI))
		ua_res_set(res, "Chrome Mobile", chrome);
	else if (chrome->ver.p == NULL && android != NULL)
		ua_res_set(res, "Android", android);
	else
		ua_res_set(res, "Chrome", chrome);
}

/* Fallbacks once no token decided the browser. */
static void
ua_choose_browser_hints(const ua_tokens *r, const ua_token *version,
						ua_res *res)
{
	if ((r->hints & H_CFNETWORK) && r->ntok > 0)
	{
		if (ua_eq(r->tok[0].tag, "NetworkingExtension"))
			ua_res_set(res, "CFNetwork", r->ntok > 1 ? &r->tok[1] : NULL);
		else
			ua_res_str(res, r->tok[0].tag, &r->tok[0]);
	}
	else if (r->hints & H_SAFARI)
	{
		ua_res_set(res, ((r->hints & H_MOBILE) && !(r->hints & H_MACOS)) ?
				   "Mobile Safari" : "Safari", version);
	}
	else if (r->hints & H_IOS)
		ua_res_set(res, "Mobile Safari UI/WKWebView", NULL);
	else if (r->hints & H_CRAWLER)
		ua_res_set(res, "crawler", NULL);
	else
		ua_res_set(res, "Other", NULL);
}

static void
ua_choose_browser(const ua_tokens *r, ua_res *res)
{
	const ua_token *android = NULL;
	const ua_token *chrome = NULL;
	const ua_token *version = NULL;
	int			i;

	if (r->has_br)
	{
		ua_res_str(res, r->br.tag, &r->br);
		return;
	}
	for (i = 0; i < r->ntok; i++)
	{
		const ua_token *t = &r->tok[i];

		if (ua_eq(t->tag, "Android"))
			android = t;
		else if (ua_eq(t->tag, "Version"))
			version = t;
		else if (ua_eq(t->tag, "Chrome"))
			chrome = t;
		else if (ua_browser_from_token(r, t, res))
			return;
	}
	if (chrome != NULL)
		ua_choose_chrome(r, chrome, android, version, res);
	else if (android != NULL)
		ua_res_set(res, "Android", android);
	else
		ua_choose_browser_hints(r, version, res);
}

/* ---------------------------------------------------------------------
 * output
 * ---------------------------------------------------------------------
 */

/* Append s to the NUL-terminated field dst of EA_UA_FIELD_SIZE bytes. */
static void
ua_append(char *dst, ua_str s)
{
	size_t		len = strlen(dst);
	size_t		room = EA_UA_FIELD_SIZE - 1 - len;
	size_t		n = s.n < room ? s.n : room;

	if (n > 0)
		memcpy(dst + len, s.p, n);
	dst[len + n] = '\0';
}

/* Parts joined with '.'; "0.0.0" when there is no major part. */
static void
ua_format_version(char *dst, const ua_ver *v)
{
	int			k;

	dst[0] = '\0';
	if (v->part[0].p == NULL)
	{
		ua_append(dst, ua_lit("0.0.0"));
		return;
	}
	for (k = 0; k < 4 && v->part[k].p != NULL; k++)
	{
		if (k > 0)
			ua_append(dst, ua_lit("."));
		ua_append(dst, v->part[k]);
	}
}

void
ea_ua_parse(const char *ua, size_t len, ea_ua_info *out)
{
	ua_tokens	r;
	ua_res		res;

	out->valid = false;
	out->os_name[0] = out->os_version[0] = '\0';
	out->browser_name[0] = out->browser_version[0] = '\0';
	if (ua == NULL || len > EA_UA_MAX_LEN)
		return;
	ua_tokenize(ua, len, &r);
	ua_choose_os(&r, &res);
	ua_append(out->os_name, res.name);
	ua_format_version(out->os_version, &res.ver);
	ua_choose_browser(&r, &res);
	ua_append(out->browser_name, res.name);
	ua_format_version(out->browser_version, &res.ver);
	out->valid = true;
}

int
ea_ua_field_index(const char *field)
{
	if (field == NULL)
		return -1;
	if (strcmp(field, "os_name") == 0 || strcmp(field, "osname") == 0)
		return 0;
	if (strcmp(field, "os_version") == 0 || strcmp(field, "osversion") == 0)
		return 1;
	if (strcmp(field, "browser_name") == 0 || strcmp(field, "browsername") == 0)
		return 2;
	if (strcmp(field, "browser_version") == 0 || strcmp(field, "browserversion") == 0)
		return 3;
	return -1;
}

const char *
ea_ua_field(const ea_ua_info *info, const char *field)
{
	if (info == NULL || !info->valid || field == NULL)
		return NULL;
	if (strcmp(field, "os_name") == 0 || strcmp(field, "osname") == 0)
		return info->os_name;
	if (strcmp(field, "os_version") == 0 || strcmp(field, "osversion") == 0)
		return info->os_version;
	if (strcmp(field, "browser_name") == 0 ||
		strcmp(field, "browsername") == 0)
		return info->browser_name;
	if (strcmp(field, "browser_version") == 0 ||
		strcmp(field, "browserversion") == 0)
		return info->browser_version;
	return NULL;
}
