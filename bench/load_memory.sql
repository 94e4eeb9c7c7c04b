-- bench/load_memory.sql: figure 5.  load_config_specs() against plain jsonb
-- parsing of the same file, the first evaluation after a load (cache
-- rebuild), and this backend's memory before/after :evals evaluations and
-- after :reloads reloads (each committed and followed by an evaluation).
--   psql -v dcs=/abs/v1.json -v gate=G -v experiment=E -v evals=N -v reloads=N -f ...
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT count(*) AS n FROM bench_users \gset
SELECT (:evals + :n - 1) / :n AS rounds \gset

-- spec loading: 10 of each, averaged
SELECT pg_read_file(:'dcs')::jsonb IS NOT NULL \g /dev/null
SELECT json_build_object('impl', 'sql', 'kind', 'load',
	'parse_ms', 1e3 * (SELECT avg(bench_time(format('SELECT pg_read_file(%L)::jsonb IS NOT NULL', :'dcs')))
					   FROM generate_series(1, 10)),
	'load_ms', 1e3 * (SELECT avg(bench_time(format('SELECT load_config_specs(pg_read_file(%L)::jsonb)', :'dcs')))
					  FROM generate_series(1, 10)),
	'doc_bytes', (SELECT length(pg_read_file(:'dcs'))));
-- the first evaluation after a committed load rebuilds the cache
SELECT load_config_specs(doc) IS NOT NULL FROM bench_doc \g /dev/null
SELECT json_build_object('impl', 'sql', 'kind', 'first_eval',
	'ms', 1e3 * bench_time(format('SELECT check_gate(%L, %L)', '{"userID": "x"}', :'gate')),
	'next_ms', 1e3 * bench_time(format('SELECT check_gate(%L, %L)', '{"userID": "y"}', :'gate')));

-- memory: baseline after one evaluation
SELECT get_experiment(u, :'experiment') IS NOT NULL FROM bench_users WHERE id = 1 \g /dev/null
SELECT bench_status_kb('VmRSS') AS rss0, bench_status_kb('RssAnon') AS anon0,
	bench_context_bytes() AS ctx0 \gset
SELECT bench_time(format('SELECT count(get_experiment(u, %L)) FROM bench_users, generate_series(1, %s)',
					 :'experiment', :rounds)) AS eval_s \gset
SELECT bench_status_kb('VmRSS') AS rss1, bench_status_kb('RssAnon') AS anon1,
	bench_context_bytes() AS ctx1 \gset
\o /dev/null
SELECT s FROM generate_series(1, :reloads) AS i,
	LATERAL (VALUES (1, 'SELECT load_config_specs(doc) FROM bench_doc'),
					(2, format('SELECT get_experiment(%L, %L)', '{"userID": "r' || i || '"}', :'experiment'))) AS v(o, s)
ORDER BY i, o \gexec
\o
SELECT bench_status_kb('VmRSS') AS rss2, bench_status_kb('RssAnon') AS anon2,
	bench_context_bytes() AS ctx2 \gset
SELECT json_build_object('impl', 'sql', 'kind', 'memory', 'evals', :rounds::bigint * :n, 'eval_s', :eval_s,
	'reloads', :reloads, 'rss_kb', json_build_array(:rss0, :rss1, :rss2),
	'anon_kb', json_build_array(:anon0, :anon1, :anon2),
	'context_bytes', json_build_array(:ctx0, :ctx1, :ctx2));
