/*
 * test_sync.c
 *	  Unit tests of the sync protocol code (ea_http.c, ea_sync.c): URLs,
 *	  headers, secrets, classification, back-off, download_config_specs
 *	  responses, the get_id_lists manifest and byte-range reads.
 *
 * Prints a line per failed check and a final "N passed, M failed".
 */
#include "ea_http.h"
#include "ea_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_test_check.h"

#define SECRET "secret-AbCdEf0123456789"

static void
test_secret(void)
{
	char		out[EA_HTTP_SECRET_MAX + 1];
	char		big[EA_HTTP_SECRET_MAX + 10];
	ea_error	err;

	CHECK(ea_http_secret_parse("  " SECRET "\n", strlen(SECRET) + 3, out, &err) == EA_OK &&
		  strcmp(out, SECRET) == 0, "secret trimmed: %s", out);
	CHECK(ea_http_secret_parse(" \n\t", 3, out, &err) != EA_OK, "blank secret refused");
	CHECK(ea_http_secret_parse("secret-a b", 10, out, &err) != EA_OK &&
		  strstr(err.message, "secret-a") == NULL && strstr(err.detail, "secret-a") == NULL,
		  "inner space refused without quoting: %s / %s", err.message, err.detail);
	CHECK(ea_http_secret_parse("secret-a\nb", 10, out, &err) != EA_OK, "two lines refused");
	memset(big, 'x', sizeof(big));
	CHECK(ea_http_secret_parse(big, sizeof(big), out, &err) == EA_ERR_LIMIT, "long secret refused");
}

static void
test_urls(void)
{
	char		url[EA_HTTP_URL_MAX];
	char		enc[64];
	ea_error	err;

	CHECK(ea_http_url_check("https://api.statsigcdn.com/v2/download_config_specs", &err) == EA_OK,
		  "default url ok");
	CHECK(ea_http_url_check("http://127.0.0.1:5000/v2/dcs/", &err) == EA_OK, "http ok");
	CHECK(ea_http_url_check("ftp://x/y", &err) != EA_OK, "ftp refused");
	CHECK(ea_http_url_check("https://", &err) != EA_OK, "no host refused");
	CHECK(ea_http_url_check("https://a/b?c=d", &err) != EA_OK, "query refused");
	CHECK(ea_http_url_check("https://a/b c", &err) != EA_OK, "space refused");
	CHECK(ea_http_url_check("", &err) != EA_OK, "empty refused");
	CHECK(ea_http_url_is_https("HTTPS://x") && !ea_http_url_is_https("http://x"), "is_https");

	CHECK(ea_http_encode("a b/+~", enc, sizeof(enc)) == 12 && strcmp(enc, "a%20b%2F%2B~") == 0,
		  "encode: %s", enc);
	CHECK(ea_http_encode("abcdef", enc, 4) == 6 && strlen(enc) == 3, "encode truncation reported");

	CHECK(ea_http_specs_url(url, "https://api.statsigcdn.com/v2/download_config_specs", SECRET,
							0, NULL, &err) == EA_OK &&
		  strcmp(url, "https://api.statsigcdn.com/v2/download_config_specs/" SECRET ".json") == 0,
		  "first request: %s", url);
	CHECK(ea_http_specs_url(url, "http://127.0.0.1:9/v2/download_config_specs//", SECRET,
							1767981029384, "8506699639233708000", &err) == EA_OK &&
		  strcmp(url, "http://127.0.0.1:9/v2/download_config_specs/" SECRET
				 ".json?sinceTime=1767981029384&checksum=8506699639233708000") == 0,
		  "since + checksum: %s", url);
	CHECK(ea_http_specs_url(url, "http://h/x", SECRET, 0, "a=b&c", &err) == EA_OK &&
		  strcmp(url, "http://h/x/" SECRET ".json?checksum=a%3Db%26c") == 0,
		  "checksum alone, encoded: %s", url);
	CHECK(ea_http_specs_url(url, "http://h/x", NULL, 5, NULL, &err) == EA_OK &&
		  strcmp(url, "http://h/x/%3Csecret%3E.json?sinceTime=5") != 0 &&
		  strstr(url, "<secret>.json?sinceTime=5") != NULL,
		  "loggable form hides the secret: %s", url);
	CHECK(ea_http_specs_url(url, "gopher://h", SECRET, 0, NULL, &err) != EA_OK &&
		  strstr(err.message, SECRET) == NULL && strstr(err.detail, SECRET) == NULL,
		  "bad base refused without the secret");
}

static void
test_headers(void)
{
	char		line[EA_HTTP_HEADER_MAX];
	char		uuid[37];
	uint8_t		rnd[16];
	ea_error	err;
	int			i;

	CHECK(ea_http_header(line, "statsig-api-key", SECRET, &err) == EA_OK &&
		  strcmp(line, "statsig-api-key: " SECRET) == 0, "header: %s", line);
	CHECK(ea_http_header(line, "x", "a\r\nInjected: 1", &err) != EA_OK, "CRLF refused");
	CHECK(ea_http_header(line, "bad name", "v", &err) != EA_OK, "bad name refused");
	ea_http_range_header(line, sizeof(line), 270);
	CHECK(strcmp(line, "bytes=270-") == 0, "range: %s", line);
	ea_http_range_header(line, sizeof(line), -3);
	CHECK(strcmp(line, "bytes=0-") == 0, "negative range: %s", line);
	for (i = 0; i < 16; i++)
		rnd[i] = (uint8_t) (0xff - i);
	ea_http_uuid(rnd, uuid);
	CHECK(strlen(uuid) == 36 && uuid[8] == '-' && uuid[14] == '4' &&
		  strchr("89ab", uuid[19]) != NULL, "uuid v4: %s", uuid);
}

static void
test_classify(void)
{
	char		msg[128];

	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 200) == EA_HTTP_SUCCESS, "200");
	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 206) == EA_HTTP_SUCCESS, "206");
	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 500) == EA_HTTP_RETRY, "500");
	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 503) == EA_HTTP_RETRY, "503");
	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 429) == EA_HTTP_RETRY, "429");
	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 401) == EA_HTTP_REFUSED, "401");
	CHECK(ea_http_classify(EA_HTTP_COMPLETED, 301) == EA_HTTP_REFUSED, "301");
	CHECK(ea_http_classify(EA_HTTP_TIMED_OUT, 0) == EA_HTTP_RETRY, "timeout");
	CHECK(ea_http_classify(EA_HTTP_CONNECT_FAILED, 0) == EA_HTTP_RETRY, "refused");
	CHECK(ea_http_classify(EA_HTTP_TOO_LARGE, 200) == EA_HTTP_REFUSED, "too large");
	CHECK(strcmp(ea_http_outcome_name(EA_HTTP_TIMED_OUT), "timed out") == 0, "outcome name");

	CHECK(ea_http_backoff_ms(0, 10000, 300000) == 10000, "no failure");
	CHECK(ea_http_backoff_ms(1, 10000, 300000) == 20000, "one failure");
	CHECK(ea_http_backoff_ms(3, 10000, 300000) == 80000, "three failures");
	CHECK(ea_http_backoff_ms(50, 10000, 300000) == 80000, "capped at 8x");
	CHECK(ea_http_backoff_ms(5, 100000, 300000) == 300000, "capped at cap");
	CHECK(ea_http_backoff_ms(5, 600000, 300000) == 600000, "interval above cap");

	snprintf(msg, sizeof(msg), "GET http://h/x/" SECRET ".json failed; key " SECRET);
	ea_http_redact(msg, SECRET);
	CHECK(strstr(msg, SECRET) == NULL && strcmp(msg, "GET http://h/x/<secret>.json failed; key <secret>") == 0,
		  "redact: %s", msg);
	snprintf(msg, sizeof(msg), "abcabc");
	ea_http_redact(msg, "abc");
	CHECK(strcmp(msg, "******") == 0, "short secret: %s", msg);
	ea_http_redact(msg, "");
	CHECK(strcmp(msg, "******") == 0, "empty secret changes nothing");
}

static void
test_dcs(void)
{
	ea_dcs_info info;
	ea_error	err;
	const char *noup = "{\"has_updates\":false}";
	const char *doc = "{\"has_updates\":true,\"time\":1767981029384,\"checksum\":\"85066\",\"feature_gates\":{}}";
	const char *v1 = "{\"time\":1719947031032,\"feature_gates\":[]}";

	CHECK(ea_sync_dcs_inspect(noup, strlen(noup), &info, &err) == EA_OK && !info.has_updates,
		  "no updates");
	CHECK(ea_sync_dcs_decide(&info, 5, "x") == EA_DCS_NO_UPDATES, "no updates decision");
	CHECK(ea_sync_dcs_inspect(doc, strlen(doc), &info, &err) == EA_OK && info.has_updates &&
		  info.time == 1767981029384LL && strcmp(info.checksum, "85066") == 0, "v2 doc");
	CHECK(ea_sync_dcs_decide(&info, 0, NULL) == EA_DCS_NEWER, "first document");
	CHECK(ea_sync_dcs_decide(&info, 1767981029383LL, "x") == EA_DCS_NEWER, "newer");
	CHECK(ea_sync_dcs_decide(&info, 1767981029385LL, "x") == EA_DCS_OLDER, "older");
	CHECK(ea_sync_dcs_decide(&info, 1767981029384LL, "85066") == EA_DCS_UNCHANGED, "same");
	CHECK(ea_sync_dcs_decide(&info, 1767981029384LL, "other") == EA_DCS_NEWER,
		  "same time, other checksum");
	CHECK(ea_sync_dcs_decide(&info, 1767981029384LL, NULL) == EA_DCS_UNCHANGED,
		  "same time, checksum unknown");
	CHECK(ea_sync_dcs_inspect(v1, strlen(v1), &info, &err) == EA_OK && info.has_updates &&
		  info.time == 1719947031032LL && info.checksum[0] == '\0', "v1 doc");
	CHECK(ea_sync_dcs_inspect(doc, strlen(doc) - 5, &info, &err) == EA_ERR_JSON &&
		  strstr(err.detail, "ends early") != NULL, "truncated: %s", err.detail);
	CHECK(ea_sync_dcs_inspect("<html>", 6, &info, &err) == EA_ERR_JSON, "html");
	CHECK(ea_sync_dcs_inspect("[1]", 3, &info, &err) == EA_ERR_SPEC, "array");
	CHECK(ea_sync_dcs_inspect("{\"time\":\"x\"}", 12, &info, &err) == EA_ERR_SPEC, "bad time");
	CHECK(ea_sync_dcs_inspect("{\"time\":-1}", 11, &info, &err) == EA_ERR_SPEC, "negative time");
	CHECK(ea_sync_dcs_inspect("{}", 2, &info, &err) == EA_OK && info.time == 0, "empty object");
	CHECK(ea_sync_dcs_inspect("{\"time\":1e300}", 14, &info, &err) == EA_ERR_SPEC, "huge time");
	CHECK(ea_sync_dcs_inspect("{\"time\":1.7e12}", 15, &info, &err) == EA_OK &&
		  info.time == 1700000000000LL, "integral double time");
}

static void
test_manifest(void)
{
	const char *body =
		"{\"b_list\":{\"name\":\"b_list\",\"size\":270,\"url\":\"http://127.0.0.1:1/b\","
		"\"creationTime\":1721417546000,\"fileID\":\"F1\"},"
		"\"a_list\":{\"name\":\"a_list\",\"size\":0,\"url\":\"https://x/a?sig=1\","
		"\"creationTime\":5,\"fileID\":null}}";
	ea_idlist_manifest *m;
	const ea_idlist_entry *e;
	ea_error	err;

	CHECK(ea_idlist_manifest_parse(body, strlen(body), &m, &err) == EA_OK &&
		  ea_idlist_manifest_count(m) == 2, "manifest parsed: %s", err.detail);
	if (m == NULL)
		return;
	e = ea_idlist_manifest_entry(m, 0);
	CHECK(e && strcmp(e->name, "a_list") == 0 && e->file_id == NULL && e->size == 0, "sorted, null fileID");
	e = ea_idlist_manifest_find(m, "b_list");
	CHECK(e && e->size == 270 && e->creation_time == 1721417546000LL &&
		  strcmp(e->file_id, "F1") == 0 && strcmp(e->url, "http://127.0.0.1:1/b") == 0, "find");
	CHECK(ea_idlist_manifest_find(m, "c_list") == NULL, "missing");
	ea_idlist_manifest_free(m);

	CHECK(ea_idlist_manifest_parse("{}", strlen("{}"), &m, &err) == EA_OK && ea_idlist_manifest_count(m) == 0,
		  "empty manifest");
	ea_idlist_manifest_free(m);
	CHECK(ea_idlist_manifest_parse("{\"a\":{\"url\":\"http://x/a\",\"size\":\"1\"}}", strlen("{\"a\":{\"url\":\"http://x/a\",\"size\":\"1\"}}"), &m, &err) == EA_ERR_SPEC &&
		  m == NULL && strstr(err.detail, "size") != NULL, "bad size: %s", err.detail);
	CHECK(ea_idlist_manifest_parse("{\"a\":{\"url\":\"file:///etc/passwd\",\"size\":1}}", strlen("{\"a\":{\"url\":\"file:///etc/passwd\",\"size\":1}}"), &m, &err) == EA_ERR_SPEC,
		  "non-http url refused");
	CHECK(ea_idlist_manifest_parse("{\"a\":{\"size\":1}}", strlen("{\"a\":{\"size\":1}}"), &m, &err) == EA_ERR_SPEC, "no url");
	CHECK(ea_idlist_manifest_parse("{\"a\":{\"url\":\"http://x\",\"size\":1,\"fileID\":3}}", strlen("{\"a\":{\"url\":\"http://x\",\"size\":1,\"fileID\":3}}"), &m, &err) == EA_ERR_SPEC,
		  "numeric fileID");
	CHECK(ea_idlist_manifest_parse("[]", strlen("[]"), &m, &err) == EA_ERR_SPEC, "array manifest");
	CHECK(ea_idlist_manifest_parse("{\"a\":", strlen("{\"a\":"), &m, &err) == EA_ERR_JSON, "truncated manifest");
	ea_idlist_manifest_free(NULL);
}

static void
test_plan(void)
{
	ea_idlist_entry e = {"l", "http://x/l", "F1", 100, 270};
	ea_idlist_state s = {"F1", 100, 0};
	ea_idlist_plan p;

	ea_idlist_plan_for(&e, NULL, &p);
	CHECK(p.fetch && p.reset && p.range_start == 0, "new list");
	s.size = 100;
	ea_idlist_plan_for(&e, &s, &p);
	CHECK(p.fetch && !p.reset && p.range_start == 100, "appended bytes");
	s.size = 270;
	ea_idlist_plan_for(&e, &s, &p);
	CHECK(!p.fetch && !p.reset, "unchanged");
	s.size = 300;
	ea_idlist_plan_for(&e, &s, &p);
	CHECK(p.fetch && p.reset && p.range_start == 0, "shrunk: reset");
	s.size = 270;
	s.file_id = "F0";
	s.creation_time = 50;
	ea_idlist_plan_for(&e, &s, &p);
	CHECK(p.fetch && p.reset && p.range_start == 0, "new file: reset");
	s.creation_time = 200;
	ea_idlist_plan_for(&e, &s, &p);
	CHECK(!p.fetch && !p.reset, "stale manifest entry ignored");
	e.size = 0;
	s.creation_time = 50;
	ea_idlist_plan_for(&e, &s, &p);
	CHECK(!p.fetch && p.reset, "new empty file: reset without a read");
}

static void
test_chunk(void)
{
	ea_idlist_plan p = {true, false, 9};
	ea_idlist_chunk c;
	ea_error	err;
	const char *more = "+0K9jH6PG\n-2Tv4fIVX\n";

	CHECK(ea_idlist_chunk_check(206, "bytes 9-28/29", more, 20, &p, 29, &c, &err) == EA_OK &&
		  !c.reset && c.apply_len == 20 && c.new_size == 29, "appended bytes: %s", err.detail);
	CHECK(ea_idlist_chunk_check(206, "bytes 10-28/29", more, 20, &p, 29, &c, &err) == EA_ERR_SPEC,
		  "wrong start refused");
	CHECK(ea_idlist_chunk_check(206, NULL, more, 20, &p, 29, &c, &err) == EA_ERR_SPEC,
		  "no Content-Range refused");
	CHECK(ea_idlist_chunk_check(200, NULL, more, 20, &p, 29, &c, &err) == EA_OK &&
		  c.reset && c.apply_len == 20 && c.new_size == 20, "range ignored: whole file, reset");
	CHECK(ea_idlist_chunk_check(206, "bytes 9-24/29", more, 15, &p, 29, &c, &err) == EA_OK &&
		  c.apply_len == 10 && c.new_size == 19, "cut inside a line: complete lines only");
	CHECK(ea_idlist_chunk_check(206, "bytes 9-16/17", "+0K9jH6P", 8, &p, 17, &c, &err) == EA_OK &&
		  c.apply_len == 8 && c.new_size == 17, "last line without newline ends the file");
	CHECK(ea_idlist_chunk_check(206, "bytes 9-14/29", "<html>", 6, &p, 29, &c, &err) == EA_ERR_SPEC &&
		  strstr(err.detail, "offset 9") != NULL, "not an ID list: %s", err.detail);
	CHECK(ea_idlist_chunk_check(500, NULL, "", 0, &p, 29, &c, &err) == EA_ERR_SPEC, "500 refused");
	CHECK(ea_idlist_chunk_check(206, "bytes 9-8/9", "", 0, &p, 29, &c, &err) == EA_OK &&
		  c.apply_len == 0 && c.new_size == 9, "empty body");
	p.reset = true;
	p.range_start = 0;
	CHECK(ea_idlist_chunk_check(206, "bytes 0-19/20", more, 20, &p, 20, &c, &err) == EA_OK &&
		  c.reset && c.new_size == 20, "reset carried");
}

int
main(void)
{
	test_secret();
	test_urls();
	test_headers();
	test_classify();
	test_dcs();
	test_manifest();
	test_plan();
	test_chunk();
	printf("sync: %d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
