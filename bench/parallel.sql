-- bench/parallel.sql: figure 7.  get_experiment over the whole users table
-- in one statement with no parallel worker, then with up to 2 (the
-- planner is told that parallelism is free, so the plan is a Gather over a
-- Parallel Seq Scan with the function evaluated in the workers).  Every
-- worker is a fresh backend: it loads the specs and its caches itself, and
-- that start-up is inside the timing.  Prints one JSON line.
--   psql -v experiment=E -v cores=N -f bench/parallel.sql
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
SET jit = off;
SELECT count(*) AS n FROM bench_users \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers = 8;
-- warm the table and this backend's cache
SET max_parallel_workers_per_gather = 0;
SELECT count(u) FROM bench_users \g /dev/null
SELECT get_experiment('{"userID": "warm-up"}', :'experiment') \g /dev/null

SELECT format('SELECT count(get_experiment(u, %L)) FROM bench_users', :'experiment') AS stmt \gset
SELECT bench_time(:'stmt') AS s0 \gset
SET max_parallel_workers_per_gather = 2;
SELECT bench_time(:'stmt') AS s2 \gset
-- the plan really was parallel: the workers one more run launched
SELECT bench_plan_workers(:'stmt') AS launched \gset
SELECT json_build_object('impl', 'sql', 'kind', 'parallel', 'name', :'experiment', 'n', :n,
	'seconds_0', :s0, 'seconds_2', :s2, 'workers_launched', :launched, 'cores', :cores);
