-- ua_ip.sql: ua_based and ip_based conditions through SQL, with the
-- installed IP table and the built-in user-agent parser.  Every check
-- raises an error when it fails (the harness counts the file as one test).
SELECT load_config_specs($${
  "time": 1,
  "feature_gates": [
    {"name": "ios_users", "type": "feature_gate", "entity": "feature_gate", "salt": "s1",
     "enabled": true, "defaultValue": false, "idType": "userID", "rules": [
      {"id": "ios", "passPercentage": 100, "returnValue": true, "idType": "userID",
       "conditions": [{"type": "ua_based", "field": "os_name", "operator": "any",
                       "targetValue": ["iOS"], "idType": "userID"}]}]},
    {"name": "modern_chrome", "type": "feature_gate", "entity": "feature_gate", "salt": "s2",
     "enabled": true, "defaultValue": false, "idType": "userID", "rules": [
      {"id": "chrome", "passPercentage": 100, "returnValue": true, "idType": "userID",
       "conditions": [
         {"type": "ua_based", "field": "browser_name", "operator": "any",
          "targetValue": ["Chrome"], "idType": "userID"},
         {"type": "ua_based", "field": "browser_version", "operator": "version_gte",
          "targetValue": "100", "idType": "userID"}]}]},
    {"name": "us_only", "type": "feature_gate", "entity": "feature_gate", "salt": "s3",
     "enabled": true, "defaultValue": false, "idType": "userID", "rules": [
      {"id": "us", "passPercentage": 100, "returnValue": true, "idType": "userID",
       "conditions": [{"type": "ip_based", "field": "country", "operator": "any",
                       "targetValue": ["US"], "idType": "userID"}]}]}
  ],
  "dynamic_configs": [], "layer_configs": []}$$::jsonb);

CREATE FUNCTION pg_temp.expect(label text, got boolean, want boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF got IS DISTINCT FROM want THEN
		RAISE EXCEPTION 'ua_ip: % gave %, expected %', label, got, want;
	END IF;
END $$;

-- user agents, parsed as Server Core parses them
SELECT pg_temp.expect('iPhone UA', check_gate(
	'{"userID": "a", "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_1 like Mac OS X) AppleWebKit/603.1.30 (KHTML, like Gecko) Version/10.0 Mobile/14E304 Safari/602.1"}',
	'ios_users'), true);
SELECT pg_temp.expect('Windows Chrome 120', check_gate(
	'{"userID": "a", "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"}',
	'modern_chrome'), true);
SELECT pg_temp.expect('Windows Chrome 99', check_gate(
	'{"userID": "a", "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.51 Safari/537.36"}',
	'modern_chrome'), false);
SELECT pg_temp.expect('no user agent', check_gate('{"userID": "a"}', 'ios_users'), false);
SELECT pg_temp.expect('junk user agent', check_gate('{"userID": "a", "userAgent": "%%%"}', 'ios_users'), false);
-- the user's own field wins over the parsed user agent
SELECT pg_temp.expect('custom os_name', check_gate(
	'{"userID": "a", "userAgent": "Mozilla/5.0 (Windows NT 10.0)", "custom": {"os_name": "iOS"}}',
	'ios_users'), true);

-- IP addresses through Statsig's table (8.8.8.8 is in a US range)
SELECT pg_temp.expect('US address', check_gate('{"userID": "a", "ip": "8.8.8.8"}', 'us_only'), true);
SELECT pg_temp.expect('German address', check_gate('{"userID": "a", "ip": "5.6.7.8"}', 'us_only'), false);
SELECT pg_temp.expect('user country wins', check_gate('{"userID": "a", "ip": "8.8.8.8", "country": "NZ"}', 'us_only'), false);
-- malformed addresses: no country, no error
SELECT pg_temp.expect('malformed ' || ip, check_gate(jsonb_build_object('userID', 'a', 'ip', ip), 'us_only'), false)
FROM unnest(ARRAY['', 'not an ip', '1.2.3', '256.1.1.1', '::1', '8.8.8.8.8', '4294967296.0.0.0']) AS ip;

-- the result names the rule that matched
SELECT pg_temp.expect('rule id', get_feature_gate('{"userID": "a", "ip": "8.8.8.8"}', 'us_only') ->> 'rule_id' = 'us', true);
