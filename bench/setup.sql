-- bench/setup.sql: the extension, the helpers and the config specs document.
--   psql -v dcs=/abs/path/v1.json -f bench/setup.sql
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS experiment_assign;
\ir functions.sql
DROP TABLE IF EXISTS bench_doc;
CREATE TABLE bench_doc AS SELECT pg_read_file(:'dcs')::jsonb AS doc;
SELECT load_config_specs(doc) IS NOT NULL AS loaded FROM bench_doc \g /dev/null
