-- bench/persist.sql: figure 3, SQL side.  The persistence-aware evaluation
-- for every user in one statement while nobody is assigned yet, then again
-- when everybody is (the sticky path).  Each run is tallied by the result's
-- "reason" (how many were evaluated, how many came from storage).
-- Prints {"missing": true} when the extension does not have the functions.
--   psql -v experiment=E -f bench/persist.sql
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
-- exposure logging off, as in the SDKs this is compared with (its cost is
-- measured by bench/exposures.sh)
SET experiment_assign.log_exposures = off;
SELECT count(*) AS n FROM bench_users \gset
SELECT bench_has_function('get_user_persisted_values', 2)
	AND bench_has_function('get_experiment', 3) AS has_persist \gset
\if :has_persist
CREATE OR REPLACE FUNCTION pg_temp.bench_persist_pass(exp text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
	tally json;
BEGIN
	SELECT json_object_agg(k, c) INTO tally FROM (
		SELECT coalesce(r ->> 'reason', '(none)') AS k, count(*) AS c
		FROM (SELECT get_experiment(u, exp, get_user_persisted_values(u, 'userID')) AS r
			  FROM bench_users) s
		GROUP BY 1) t;
	RETURN json_build_object('seconds', extract(epoch FROM clock_timestamp() - t0), 'reasons', tally);
END $$;
SELECT pg_temp.bench_persist_pass(:'experiment') AS first_pass \gset
SELECT pg_temp.bench_persist_pass(:'experiment') AS sticky_pass \gset
SELECT json_build_object('impl', 'sql', 'kind', 'persist', 'name', :'experiment', 'n', :n,
	'first', :'first_pass'::json, 'sticky', :'sticky_pass'::json);
\else
SELECT json_build_object('impl', 'sql', 'kind', 'persist', 'missing', true);
\endif
