/*-------------------------------------------------------------------------
 *
 * ea_ua.h
 *	  User-agent parsing for ua_based conditions.
 *
 * This is the tokenizer-based "first party" parser that Server Core uses
 * by default (StatsigOptions.use_third_party_ua_parser unset or false);
 * its opt-in regex-based third-party parser is out of scope.  The parser
 * never fails, never allocates and keeps no state between calls.
 *
 * What the evaluator must do for a ua_based condition (Server Core
 * semantics):
 *
 *	1. Look the condition's field up on the user first, exactly like a
 *	   user_field condition (top-level fields, custom, global custom
 *	   fields, privateAttributes).  If that gives a value, it is used and
 *	   the user agent is not parsed at all.
 *	2. Otherwise take the user value "userAgent" by the same lookup rules
 *	   (a top-level userAgent that is the empty string is skipped, so the
 *	   lookup falls through to custom.userAgent etc.).  If there is none,
 *	   or it is not a string, the condition's value is missing (null).
 *	3. Call ea_ua_parse() on it.  If info.valid is false (the string is
 *	   longer than EA_UA_MAX_LEN bytes) the value is missing (null).
 *	4. Map the condition's field, lower-cased, with ea_ua_field():
 *	   "os_name"/"osname", "os_version"/"osversion",
 *	   "browser_name"/"browsername", "browser_version"/"browserversion".
 *	   Any other field gives a missing (null) value.
 *
 * The value is then an ordinary string compared by the condition's
 * operator (any, none, str_..., version_...).  Every field of a valid parse
 * is a non-NULL string:
 *	- names are Server Core's family strings, e.g. "Mac OS X" (not
 *	  "macOS"), "iOS", "Windows", "Android", "Chrome", "Chrome Mobile",
 *	  "Mobile Safari", "Edge", "Firefox", and "Other" when unknown;
 *	- versions are the parts found joined with '.', between one and four
 *	  parts ("10", "8.1", "10.15.7", "140.0.0.0"); Windows NT versions are
 *	  mapped to marketing names ("XP", "Vista", "7", "8.1", "10"); when no
 *	  version is known the string is "0.0.0" (never empty for ordinary
 *	  input).  version_* operators compare these strings as versions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_UA_H
#define EA_UA_H

#include <stdbool.h>
#include <stddef.h>

/* Longer user agents give no value in Server Core (checked in bytes). */
#define EA_UA_MAX_LEN		1000

/* Enough for any field of a user agent of EA_UA_MAX_LEN bytes. */
#define EA_UA_FIELD_SIZE	(EA_UA_MAX_LEN + 8)

typedef struct ea_ua_info
{
	bool		valid;			/* false: NULL input or too long; fields "" */
	char		os_name[EA_UA_FIELD_SIZE];
	char		os_version[EA_UA_FIELD_SIZE];
	char		browser_name[EA_UA_FIELD_SIZE];
	char		browser_version[EA_UA_FIELD_SIZE];
} ea_ua_info;

/*
 * Parse len bytes of ua (need not be NUL-terminated; NULL allowed).  An
 * empty string is parsed (it gives "Other" and "0.0.0"); whether an empty
 * userAgent counts as absent is the evaluator's business (see above).
 */
extern void ea_ua_parse(const char *ua, size_t len, ea_ua_info *out);

/*
 * The parsed value for a lower-cased condition field name, or NULL when
 * the field is not one of the eight accepted names or info is not valid.
 */
extern const char *ea_ua_field(const ea_ua_info *info, const char *field);

/* 0..3 for os_name, os_version, browser_name, browser_version (and their
 * unseparated spellings), -1 otherwise; field lower-cased. */
extern int	ea_ua_field_index(const char *field);

#endif							/* EA_UA_H */
