-- bench/eval.sql: figure 1, SQL side.  One statement per kind over the whole
-- users table, on one core (no parallel workers), timed as the best of
-- three runs (bench_time_best), then the answers of the
-- first :ncheck users for the cross-implementation check.  Prints JSON lines.
--   psql -v gate=G -v experiment=E -v layer=L -v ncheck=N -f bench/eval.sql
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT count(*) AS n FROM bench_users \gset
-- the users were just written (table, WAL, the SDKs' users file): their
-- writeback must not run under the timed statements
SELECT bench_settle() \g /dev/null
-- warm the per-backend cache and the table
SELECT check_gate('{"userID": "warm-up"}', :'gate') \g /dev/null
SELECT count(u) FROM bench_users \g /dev/null

SELECT json_build_object('impl', 'sql-scan', 'kind', 'scan', 'n', :n,
	'ns_per_eval', 1e9 * bench_time_best('SELECT count(u) FROM bench_users') / :n);

SELECT json_build_object('impl', 'sql', 'kind', 'gate', 'name', :'gate', 'n', :n,
	'ns_per_eval', 1e9 * bench_time_best(format(
		'SELECT count(*) FILTER (WHERE check_gate(u, %L)) FROM bench_users', :'gate')) / :n,
	'check', (SELECT json_object_agg(k, c) FROM (
		SELECT coalesce(check_gate(u, :'gate')::text, '(none)') AS k, count(*) AS c
		FROM bench_users WHERE id <= :ncheck GROUP BY 1) s));

-- Figure 6's reference for the gate test_many_rules: PostgreSQL's own jsonb
-- operators only finding the eleven keys that gate reads (no value read, no
-- rule evaluated), scan included, timed like the call above.
SELECT :'gate' = 'test_many_rules' AS gate_keys_known \gset
\if :gate_keys_known
SELECT json_build_object('impl', 'sql-keys', 'kind', 'gate', 'keys', 11, 'n', :n,
	'ns_per_eval', 1e9 * bench_time_best($q$SELECT sum(num_nonnulls(
		u ? 'userID', u ? 'email', u ? 'ip', u ? 'userAgent', u ? 'appVersion',
		u ? 'locale', u ? 'country', u #> '{custom,Foo}', u #> '{custom,newUser}',
		u #> '{customIDs,companyID}', u #> '{statsigEnvironment,tier}'))
		FROM bench_users$q$) / :n);
\endif

SELECT json_build_object('impl', 'sql', 'kind', 'experiment', 'name', :'experiment', 'n', :n,
	'ns_per_eval', 1e9 * bench_time_best(format(
		'SELECT count(get_experiment(u, %L)) FROM bench_users', :'experiment')) / :n,
	'check', (SELECT json_object_agg(k, c) FROM (
		SELECT coalesce(get_experiment(u, :'experiment') ->> 'group_name', '(none)') AS k, count(*) AS c
		FROM bench_users WHERE id <= :ncheck GROUP BY 1) s));

SELECT json_build_object('impl', 'sql', 'kind', 'layer', 'name', :'layer', 'n', :n,
	'ns_per_eval', 1e9 * bench_time_best(format(
		'SELECT count(get_layer(u, %L)) FROM bench_users', :'layer')) / :n,
	'check', (SELECT json_object_agg(k, c) FROM (
		SELECT coalesce(get_layer(u, :'layer') ->> 'allocated_experiment_name', '(none)') AS k, count(*) AS c
		FROM bench_users WHERE id <= :ncheck GROUP BY 1) s));
