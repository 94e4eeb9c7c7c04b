--
-- cache: the per-backend cache follows loads in the same session, through
-- commits, rollbacks and direct writes to the tables.  (Other sessions:
-- see the isolation spec cache_invalidation.)
--
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS v1_nz;

-- a document where nz_only is switched off
CREATE TEMP TABLE doc_off AS
	SELECT jsonb_set(doc, '{feature_gates,0,enabled}', 'false') || '{"time": 1700000000001}' AS doc
	FROM test_docs WHERE name = 'v1';

SELECT load_config_specs(doc) FROM doc_off;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS switched_off;

SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS back_on;

-- in a transaction: seen at once, gone after rollback
BEGIN;
SELECT load_config_specs(doc) FROM doc_off;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS in_transaction;
ROLLBACK;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS after_rollback;

-- a failed load in a transaction leaves the old document
BEGIN;
SELECT load_config_specs('{"feature_gates": 1}');
ROLLBACK;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS after_failed_load;

-- direct writes to the table invalidate the cache too (the trigger)
UPDATE ea_config_specs SET document = (SELECT doc FROM doc_off);
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS after_update;
DELETE FROM ea_config_specs;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS after_delete;
SELECT * FROM config_specs_info();

-- a stored document the core rejects is reported on use, with context
INSERT INTO ea_config_specs (document, document_time, format) VALUES ('{"feature_gates": 1}', 0, 1);
SELECT check_gate('{"userID": "u1"}', 'nz_only');
TRUNCATE ea_config_specs;
SELECT * FROM config_specs_info();

SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS reloaded;

-- DROP EXTENSION / CREATE EXTENSION in the same session: the cache follows
DROP EXTENSION experiment_assign;
CREATE EXTENSION experiment_assign;
SELECT check_gate('{"userID": "u1"}', 'nz_only');
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS recreated;
