/*-------------------------------------------------------------------------
 *
 * ea_http.c
 *	  URL and header building, secret handling, response classification
 *	  and back-off for the requests made to Statsig (see ea_http.h).
 *
 *-------------------------------------------------------------------------
 */
#include "ea_http.h"
#include "ea_util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Fill an ea_error; the message never includes caller data. */
static ea_status
ea_http_fail(ea_error *err, ea_status code, const char *message,
			 const char *detail, const char *hint)
{
	return ea_fail_hint(err, code, message, hint, detail ? "%s" : NULL, detail);
}

ea_status
ea_http_secret_parse(const char *text, size_t len, char *out, ea_error *err)
{
	size_t		start = 0;
	size_t		end = len;
	size_t		i;

	out[0] = '\0';
	while (start < end && isspace((unsigned char) text[start]))
		start++;
	while (end > start && isspace((unsigned char) text[end - 1]))
		end--;
	if (end == start)
		return ea_http_fail(err, EA_ERR_SPEC, "the server secret file is empty",
							"The file holds no characters other than white space.",
							"Write the Statsig server secret key (\"secret-...\") into the file.");
	if (end - start > EA_HTTP_SECRET_MAX)
		return ea_http_fail(err, EA_ERR_LIMIT, "the server secret is too long",
							"The secret in the file is longer than 512 bytes.",
							"The file must hold only the Statsig server secret key.");
	for (i = start; i < end; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (c <= 0x20 || c >= 0x7f)
			return ea_http_fail(err, EA_ERR_SPEC,
								"the server secret contains invalid characters",
								"A server secret is printable ASCII without spaces or line breaks.",
								"The file must hold only the Statsig server secret key, on one line.");
	}
	memcpy(out, text + start, end - start);
	out[end - start] = '\0';
	return EA_OK;
}

static bool
ea_http_prefix(const char *s, const char *prefix)
{
	size_t		n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0;
}

bool
ea_http_url_is_https(const char *url)
{
	return url != NULL && ea_http_prefix(url, "https://");
}

ea_status
ea_http_url_check(const char *url, ea_error *err)
{
	const char *host;
	const char *p;

	if (url == NULL || url[0] == '\0')
		return ea_http_fail(err, EA_ERR_SPEC, "the URL is empty",
							"An endpoint URL is required.", NULL);
	if (ea_http_prefix(url, "https://"))
		host = url + 8;
	else if (ea_http_prefix(url, "http://"))
		host = url + 7;
	else
		return ea_http_fail(err, EA_ERR_SPEC, "the URL must start with https:// or http://",
							"Only HTTP(S) endpoints are supported.", NULL);
	if (*host == '\0' || *host == '/')
		return ea_http_fail(err, EA_ERR_SPEC, "the URL has no host",
							"A host name must follow the scheme.", NULL);
	if (strlen(url) > EA_HTTP_URL_MAX / 2)
		return ea_http_fail(err, EA_ERR_LIMIT, "the URL is too long",
							"An endpoint URL may be at most 2048 bytes long.", NULL);
	for (p = url; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c <= 0x20 || c >= 0x7f)
			return ea_http_fail(err, EA_ERR_SPEC, "the URL contains spaces or control characters",
								"Percent-encode any such character.", NULL);
		if (c == '?' || c == '#')
			return ea_http_fail(err, EA_ERR_SPEC, "the URL must not have a query or fragment",
								"Give the endpoint's base URL; the query is added per request.", NULL);
	}
	return EA_OK;
}

size_t
ea_http_encode(const char *src, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		n = 0;

	for (; *src; src++)
	{
		unsigned char c = (unsigned char) *src;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
		{
			if (n + 1 < size)
				out[n] = (char) c;
			n++;
		}
		else
		{
			if (n + 3 < size)
			{
				out[n] = '%';
				out[n + 1] = hex[c >> 4];
				out[n + 2] = hex[c & 15];
			}
			n += 3;
		}
	}
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

ea_status
ea_http_specs_url(char *out, const char *base, const char *secret,
				  int64_t since_time, const char *checksum, ea_error *err)
{
	char		enc_secret[EA_HTTP_SECRET_MAX * 3 + 1];
	char		enc_checksum[512];
	size_t		base_len;
	int			n;
	ea_status	st;

	out[0] = '\0';
	if ((st = ea_http_url_check(base, err)) != EA_OK)
		return st;
	base_len = strlen(base);
	while (base_len > 0 && base[base_len - 1] == '/')
		base_len--;
	if (secret != NULL)
		ea_http_encode(secret, enc_secret, sizeof(enc_secret));
	else
		snprintf(enc_secret, sizeof(enc_secret), "<secret>");
	enc_checksum[0] = '\0';
	if (checksum != NULL && checksum[0] != '\0' &&
		ea_http_encode(checksum, enc_checksum, sizeof(enc_checksum)) >= sizeof(enc_checksum))
		enc_checksum[0] = '\0';	/* an absurd checksum: just do not send it */
	n = snprintf(out, EA_HTTP_URL_MAX, "%.*s/%s.json", (int) base_len, base, enc_secret);
	if (n > 0 && n < EA_HTTP_URL_MAX && since_time > 0)
		n += snprintf(out + n, EA_HTTP_URL_MAX - n, "?sinceTime=%" PRId64, since_time);
	if (n > 0 && n < EA_HTTP_URL_MAX && enc_checksum[0] != '\0')
		n += snprintf(out + n, EA_HTTP_URL_MAX - n, "%schecksum=%s",
					  since_time > 0 ? "&" : "?", enc_checksum);
	if (n <= 0 || n >= EA_HTTP_URL_MAX)
	{
		out[0] = '\0';
		return ea_http_fail(err, EA_ERR_LIMIT, "the request URL is too long",
							"The base URL, secret and query together exceed 4096 bytes.", NULL);
	}
	return EA_OK;
}

ea_status
ea_http_header(char *out, const char *name, const char *value, ea_error *err)
{
	const char *p;
	int			n;

	out[0] = '\0';
	if (name[0] == '\0')
		return ea_http_fail(err, EA_ERR_SPEC, "empty HTTP header name", NULL, NULL);
	for (p = name; *p; p++)
		if (!(isalnum((unsigned char) *p) || strchr("!#$%&'*+-.^_`|~", *p) != NULL))
			return ea_http_fail(err, EA_ERR_SPEC, "invalid HTTP header name",
								"A header name is a token: letters, digits and !#$%&'*+-.^_`|~.", NULL);
	for (p = value; *p; p++)
		if (*p == '\r' || *p == '\n')
			return ea_http_fail(err, EA_ERR_SPEC, "invalid HTTP header value",
								"A header value must not contain line breaks.", NULL);
	n = snprintf(out, EA_HTTP_HEADER_MAX, "%s: %s", name, value);
	if (n < 0 || n >= EA_HTTP_HEADER_MAX)
	{
		out[0] = '\0';
		return ea_http_fail(err, EA_ERR_LIMIT, "HTTP header too long",
							"A header line may be at most 1023 bytes long.", NULL);
	}
	return EA_OK;
}

void
ea_http_range_header(char *out, size_t size, int64_t from)
{
	snprintf(out, size, "bytes=%" PRId64 "-", from < 0 ? (int64_t) 0 : from);
}

void
ea_http_uuid(const uint8_t random[16], char *out)
{
	uint8_t		b[16];
	int			i;
	int			n = 0;

	memcpy(b, random, 16);
	b[6] = (uint8_t) ((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (uint8_t) ((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		n += snprintf(out + n, 37 - n, "%02x", b[i]);
	}
	out[36] = '\0';
}

ea_http_class
ea_http_classify(ea_http_outcome outcome, long status)
{
	if (outcome != EA_HTTP_COMPLETED)
		return outcome == EA_HTTP_TOO_LARGE ? EA_HTTP_REFUSED : EA_HTTP_RETRY;
	if (status >= 200 && status <= 299)
		return EA_HTTP_SUCCESS;
	if (status == 408 || status == 425 || status == 429 || status >= 500)
		return EA_HTTP_RETRY;
	return EA_HTTP_REFUSED;
}

const char *
ea_http_outcome_name(ea_http_outcome outcome)
{
	switch (outcome)
	{
		case EA_HTTP_COMPLETED:
			return "completed";
		case EA_HTTP_CONNECT_FAILED:
			return "could not connect";
		case EA_HTTP_TIMED_OUT:
			return "timed out";
		case EA_HTTP_TOO_LARGE:
			return "response too large";
		case EA_HTTP_TRANSFER_FAILED:
			return "transfer failed";
		case EA_HTTP_INTERRUPTED:
			return "interrupted";
	}
	return "unknown";
}

int64_t
ea_http_backoff_ms(int failures, int64_t interval_ms, int64_t cap_ms)
{
	int64_t		delay = interval_ms > 0 ? interval_ms : 1;
	int			i;

	if (failures <= 0)
		return delay;
	for (i = 0; i < failures && i < 3; i++)
	{
		if (delay > INT64_MAX / 2)
			return INT64_MAX;
		delay *= 2;
	}
	if (cap_ms > 0 && delay > cap_ms)
		delay = interval_ms > cap_ms ? interval_ms : cap_ms;
	return delay;
}

void
ea_http_redact(char *text, const char *secret)
{
	size_t		slen;
	const char *mask;
	size_t		mlen;
	char	   *hit;

	if (text == NULL || secret == NULL || secret[0] == '\0')
		return;
	slen = strlen(secret);
	mask = slen >= 8 ? "<secret>" : "********";
	mlen = slen >= 8 ? 8 : slen;
	while ((hit = strstr(text, secret)) != NULL)
	{
		memcpy(hit, mask, mlen);
		memmove(hit + mlen, hit + slen, strlen(hit + slen) + 1);
		text = hit + mlen;
	}
}
