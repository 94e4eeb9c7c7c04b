-- bench/users.sql: the benchmark's users, generated deterministically.
--
--   psql -v n=1000000 -f bench/users.sql
--
-- One StatsigUser per row in bench_users(id, u): userID, email (missing for
-- one user in ten), country, locale, appVersion, one of eight real
-- browser/app user agents, an IPv4 address, customIDs (stableID, companyID)
-- and typed custom fields.  Every value is a deterministic function of the
-- row number, so every run (and every implementation) sees the same users.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS bench_users;
CREATE TABLE bench_users AS
SELECT i AS id,
	   jsonb_strip_nulls(jsonb_build_object(
		   'userID', 'user-' || i,
		   'email', CASE WHEN i % 10 <> 0 THEN
				'user' || i || '@' || (ARRAY['gmail.com', 'yahoo.com', 'statsig.com',
											 'example.org', 'outlook.com', 'company.io'])[1 + i % 6]
			END,
		   'country', (ARRAY['US', 'CA', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'NZ', 'AU',
							 'MX', 'ES', 'US', 'US', 'IN', 'GB'])[1 + (i * 7) % 16],
		   'locale', (ARRAY['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'pt_BR', 'es_ES'])[1 + (i * 3) % 7],
		   'appVersion', (1 + i % 3) || '.' || ((i * 13) % 20) || '.' || ((i * 31) % 10),
		   'userAgent', (ARRAY[
				'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
				'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
				'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
				'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36',
				'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
				'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61',
				'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko',
				'MyApp/4.2.1 (iPad; iOS 16.6; Scale/2.00)'])[1 + (i * 5) % 8],
		   'ip', (1 + (i::bigint * 2654435761) % 223) || '.' || ((i::bigint * 40503) % 256) || '.' ||
				 ((i * 97) % 256) || '.' || (1 + i % 254),
		   'customIDs', jsonb_build_object(
				'stableID', md5('stable-' || i),
				'companyID', 'company-' || (i % 5000)),
		   'custom', jsonb_build_object(
				'plan', (ARRAY['free', 'pro', 'team', 'enterprise'])[1 + (i * 11) % 4],
				'age', 18 + (i * 17) % 60,
				'level', (i * 23) % 100,
				'is_beta', i % 20 = 0,
				'signup_ms', 1600000000000 + i::bigint * 37000,
				'tags', jsonb_build_array('t' || (i % 7), 't' || (i % 11))))
	   ) AS u
FROM generate_series(1, :n) AS i;
ALTER TABLE bench_users ADD PRIMARY KEY (id);
VACUUM (ANALYZE, FREEZE) bench_users;
