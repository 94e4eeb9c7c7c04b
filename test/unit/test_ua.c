/*-------------------------------------------------------------------------
 *
 * test_ua.c
 *	  Unit tests of the user-agent parser (src/core/ea_ua.c).
 *
 * usage: test_ua DATADIR
 *
 * DATADIR holds Server Core's test data:
 *	- ua_string_cases.json: {"<ua>": {"osName", "osVersion", "browserName",
 *	  "browserVersion"}}; all four fields must agree;
 *	- test_must_pass_user_agents.txt: '|'-separated, header line first,
 *	  "None" for a missing value.  Server Core's own test of this file
 *	  (statsig_uaparser/__tests__) checks the OS name and the browser name
 *	  ("Other" when None), so those must agree; version agreement is only
 *	  reported.
 * Built-in cases follow, their expected values taken from Server Core.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ea_ua.h"

typedef struct counts
{
	int			passed;
	int			failed;
} counts;

typedef struct ua_case
{
	const char *ua;
	const char *os_name;
	const char *os_version;
	const char *browser_name;
	const char *browser_version;
} ua_case;

static const ua_case builtin_cases[] = {
	{"Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like "
		"Gecko) Chrome/41.0.2226.0 Safari/537.36",
	"Windows", "8.1", "Chrome", "41.0.2226.0"},
	{"Mozilla/5.0 (Windows NT 6.2; Win64; x64) AppleWebKit/537.36 (KHTML, "
		"like Gecko) Chrome/41.0 Safari/537.36",
	"Windows", "0.0.0", "Chrome", "41.0"},
	{"Mozilla/5.0 (Windows NT 6.1) Gecko/20100101 Firefox/52.0",
	"Windows", "7", "Firefox", "52.0"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_10 like Mac OS X) "
		"AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
		"Mobile/15E148 Safari/604.1",
	"iOS", "16.7.10", "Mobile Safari", "16.6"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:139.0) "
		"Gecko/20100101 Firefox/139.0",
	"Mac OS X", "10.15", "Firefox", "139.0"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
		"(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"Mac OS X", "10.15.7", "Safari", "17.5"},
	{"Codex Desktop/0.93.0-alpha.13 (Mac OS 26.2.0; arm64) unknown",
	"Mac OS X", "26.2.0", "Other", "0.0.0"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/604.1 (KHTML, like Gecko) "
		"Version/11.0 Safari/604.1 Ubuntu/17.04 (3.24.1-0ubuntu1) "
		"Epiphany/3.24.1",
	"Ubuntu", "17.04", "Safari", "11.0"},
	{"Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, "
		"like Gecko) Chrome/98.0.4758.87 Mobile Safari/537.36",
	"Android", "12", "Chrome Mobile", "98.0.4758.87"},
	{"Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) "
		"AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
		"Chrome/98.0.4758.87 Mobile Safari/537.36",
	"Android", "12", "Chrome Mobile WebView", "98.0.4758.87"},
	{"Mozilla/5.0 (Linux; Android 13; SM-S908B) AppleWebKit/537.36 (KHTML, "
		"like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile "
		"Safari/537.36",
	"Android", "13", "Samsung Internet", "23.0"},
	{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, "
		"like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Chrome OS", "14541.0.0", "Chrome", "120.0.0.0"},
	{"Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.289 Version/12.02",
	"Windows", "7", "Opera", "9.80"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
		"like Gecko) Chrome/120.0.0.0 YaBrowser/24.1.2.3.4 Safari/537.36",
	"Windows", "10", "Yandex Browser", "24.1.2"},
	{"Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; "
		"IEMobile/10.0; ARM; Touch; NOKIA; Lumia 920)",
	"Windows Phone", "8.0", "IE Mobile", "10.0"},
	{"Mozilla/4.0 (compatible; MSIE  5.5; Windows NT 5.0)",
	"Windows", "0.0.0", "Other", "0.0.0"},
	{"Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
		"(KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 "
		"Safari/604.1",
	"iOS", "17.0", "Chrome Mobile iOS", "120.0.6099.119"},
	{"Whatnot v26.26.0 (42), iPadOS 26.5, iPad13,19",
	"iOS", "26.5", "Mobile Safari UI/WKWebView", "0.0.0"},
	{"NetworkingExtension/2 CFNetwork/1",
	"iOS", "0.0.0", "CFNetwork", "0.0.0"},
	{"Googlebot/2.1 CriOS/5 Slurpbot/3",
	"iOS", "0.0.0", "Chrome Mobile iOS", "5"},
	{"CriOS/5 crawler@example.com",
	"iOS", "0.0.0", "crawler@example.com", "0.0.0"},
	{"AdsBot-Google-Mobile Googlebot/2",
	"Other", "0.0.0", "AdsBot-Google", "0.0.0"},
	{"Mozilla/5.0 (Nintendo 3DS; U; ; en) Version/1.7412.EU",
	"Other", "0.0.0", "NetFront NX", "0.0.0"},
	{"Mozilla/5.0 (PlayStation Vita 3.74) AppleWebKit/537.73 (KHTML, like "
		"Gecko) Silk/3.2",
	"Other", "0.0.0", "NetFront NX", "0.0.0"},
	{"AppleTV11,1/11.1", "ATV OS X", "0.0.0", "Other", "0.0.0"},
	{"Windows\tNT 10.0", "Windows", "10", "Other", "0.0.0"},
	{"Foo/1..2", "Other", "0.0.0", "Other", "0.0.0"},
	{"x", "Other", "0.0.0", "Other", "0.0.0"},
	{"", "Other", "0.0.0", "Other", "0.0.0"},
};

static void
check_str(counts *c, const char *what, const char *ua, const char *got,
		  const char *want)
{
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
	{
		c->passed++;
		return;
	}
	c->failed++;
	printf("FAIL %s: got \"%s\", want \"%s\"\n  ua: %s\n", what,
		   got ? got : "(null)", want ? want : "(null)", ua);
}

static void
check_case(counts *c, const ua_case *tc)
{
	static ea_ua_info info;

	ea_ua_parse(tc->ua, strlen(tc->ua), &info);
	check_str(c, "os_name", tc->ua, info.os_name, tc->os_name);
	check_str(c, "os_version", tc->ua, info.os_version, tc->os_version);
	check_str(c, "browser_name", tc->ua, info.browser_name,
			  tc->browser_name);
	check_str(c, "browser_version", tc->ua, info.browser_version,
			  tc->browser_version);
}

static const char *
json_field(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
		!json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ua_string_cases.json: every field of every case must agree. */
static int
run_json_cases(const char *dir, counts *total)
{
	char		path[4096];
	json_object *root;
	counts		c = {0, 0};

	snprintf(path, sizeof(path), "%s/ua_string_cases.json", dir);
	root = json_object_from_file(path);
	if (root == NULL || !json_object_is_type(root, json_type_object))
	{
		printf("FAIL cannot read %s\n", path);
		total->failed++;
		return -1;
	}
	json_object_object_foreach(root, ua, expected)
	{
		ua_case		tc;

		tc.ua = ua;
		tc.os_name = json_field(expected, "osName");
		tc.os_version = json_field(expected, "osVersion");
		tc.browser_name = json_field(expected, "browserName");
		tc.browser_version = json_field(expected, "browserVersion");
		check_case(&c, &tc);
	}
	json_object_put(root);
	printf("ua_string_cases.json: %d of %d fields agree\n", c.passed,
		   c.passed + c.failed);
	total->passed += c.passed;
	total->failed += c.failed;
	return 0;
}

/* Split line at '|' in place; returns the number of fields. */
static int
split_fields(char *line, char **f, int max)
{
	int			n = 0;
	char	   *p = line;

	while (n < max)
	{
		f[n++] = p;
		p = strchr(p, '|');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static const char *
name_or_other(const char *s)
{
	return strcmp(s, "None") == 0 ? "Other" : s;
}

/* Server Core's create_version(): parts joined by '.', "0.0.0" if none. */
static void
expected_version(char **part, char *buf, size_t size)
{
	int			k;

	if (strcmp(part[0], "None") == 0)
	{
		snprintf(buf, size, "0.0.0");
		return;
	}
	snprintf(buf, size, "%s", part[0]);
	for (k = 1; k < 4 && strcmp(part[k], "None") != 0; k++)
	{
		strncat(buf, ".", size - strlen(buf) - 1);
		strncat(buf, part[k], size - strlen(buf) - 1);
	}
}

typedef struct mp_stats
{
	counts		names;
	int			versions_agree;
	int			versions_total;
} mp_stats;

static void
run_must_pass_line(char *line, mp_stats *st)
{
	static ea_ua_info info;
	char	   *f[12];
	char		want[1024];

	line[strcspn(line, "\r\n")] = '\0';
	if (split_fields(line, f, 12) != 11)
	{
		printf("FAIL malformed line: %s\n", line);
		st->names.failed++;
		return;
	}
	ea_ua_parse(f[0], strlen(f[0]), &info);
	check_str(&st->names, "os_name", f[0], info.os_name,
			  name_or_other(f[1]));
	check_str(&st->names, "browser_name", f[0], info.browser_name,
			  name_or_other(f[6]));
	expected_version(&f[2], want, sizeof(want));
	st->versions_agree += strcmp(info.os_version, want) == 0;
	expected_version(&f[7], want, sizeof(want));
	st->versions_agree += strcmp(info.browser_version, want) == 0;
	st->versions_total += 2;
}

static int
run_must_pass(const char *dir, counts *total)
{
	char		path[4096];
	char		line[8192];
	FILE	   *fp;
	mp_stats	st;

	memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "%s/test_must_pass_user_agents.txt", dir);
	fp = fopen(path, "r");
	if (fp == NULL || fgets(line, sizeof(line), fp) == NULL)
	{
		printf("FAIL cannot read %s\n", path);
		total->failed++;
		if (fp)
			fclose(fp);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL)
	{
		if (line[0] != '\n' && line[0] != '\0')
			run_must_pass_line(line, &st);
	}
	fclose(fp);
	printf("test_must_pass_user_agents.txt: %d of %d names agree "
		   "(versions, not checked by Server Core: %d of %d)\n",
		   st.names.passed, st.names.passed + st.names.failed,
		   st.versions_agree, st.versions_total);
	total->passed += st.names.passed;
	total->failed += st.names.failed;
	return 0;
}

static void
run_builtin(counts *total)
{
	counts		c = {0, 0};
	size_t		i;

	for (i = 0; i < sizeof(builtin_cases) / sizeof(builtin_cases[0]); i++)
		check_case(&c, &builtin_cases[i]);
	printf("built-in cases: %d of %d fields agree\n", c.passed,
		   c.passed + c.failed);
	total->passed += c.passed;
	total->failed += c.failed;
}

/* NULL input, the length limit, non-terminated input, field names. */
static void
run_api(counts *c)
{
	static ea_ua_info info;
	static char long_ua[EA_UA_MAX_LEN + 2];
	const char *ua = "Mozilla/5.0 (Windows NT 10.0) Chrome/5";

	ea_ua_parse(NULL, 0, &info);
	check_str(c, "NULL ua is not valid", "(null)",
			  info.valid ? "valid" : "invalid", "invalid");
	memset(long_ua, 'a', sizeof(long_ua) - 1);
	ea_ua_parse(long_ua, EA_UA_MAX_LEN, &info);
	check_str(c, "1000 bytes parse", "a*1000",
			  info.valid ? info.os_name : "invalid", "Other");
	ea_ua_parse(long_ua, EA_UA_MAX_LEN + 1, &info);
	check_str(c, "1001 bytes give no value", "a*1001",
			  ea_ua_field(&info, "os_name") ? "value" : "none", "none");
	ea_ua_parse(ua, strlen(ua) - 2, &info);	/* stops before "/5" */
	check_str(c, "length respected", ua, info.browser_version, "0.0.0");
	check_str(c, "osname", ua, ea_ua_field(&info, "osname"), "Windows");
	check_str(c, "os_version", ua, ea_ua_field(&info, "os_version"), "10");
	check_str(c, "browsername", ua, ea_ua_field(&info, "browsername"),
			  "Chrome");
	check_str(c, "unknown field", ua,
			  ea_ua_field(&info, "os") ? "value" : "none", "none");
}

int
main(int argc, char **argv)
{
	counts		total = {0, 0};
	counts		api = {0, 0};

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s DATADIR\n", argv[0]);
		return 2;
	}
	run_json_cases(argv[1], &total);
	run_must_pass(argv[1], &total);
	run_builtin(&total);
	run_api(&api);
	printf("api checks: %d of %d pass\n", api.passed,
		   api.passed + api.failed);
	total.passed += api.passed;
	total.failed += api.failed;
	printf("%d passed, %d failed\n", total.passed, total.failed);
	return total.failed == 0 ? 0 : 1;
}
