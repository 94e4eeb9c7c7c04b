-- trigger_column_types.sql: the trigger stores only what its result column
-- accepts (type modifier, domain CHECK and NOT NULL), as an INSERT of the
-- value would, so a dump always restores; a rejected value is an error
-- naming trigger, table and column, and nothing is stored.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(20);

SELECT load_config_specs($${"time": 7, "feature_gates": [], "layer_configs": [],
 "dynamic_configs": [{"name": "exp", "type": "dynamic_config", "entity": "experiment",
  "salt": "s", "enabled": true, "defaultValue": {}, "idType": "userID", "isActive": true,
  "rules": [{"name": "one", "id": "exp_one", "groupName": "One page", "salt": "s",
   "passPercentage": 100, "returnValue": {"g": "c"}, "idType": "userID", "isExperimentGroup": true,
   "conditions": [{"type": "public", "idType": "userID"}]}]}]}$$);

CREATE DOMAIN control_only AS text CHECK (VALUE IN ('Control'));
CREATE DOMAIN any_group AS varchar(20) NOT NULL;
CREATE DOMAIN small_json AS jsonb CHECK (length(VALUE::text) < 10);

CREATE TABLE t_short (id int, u jsonb, g varchar(3));
CREATE TRIGGER a BEFORE INSERT ON t_short FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
CREATE TABLE t_domain (id int, u jsonb, g control_only);
CREATE TRIGGER a BEFORE INSERT ON t_domain FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
CREATE TABLE t_notnull (id int, u jsonb, g any_group);
CREATE TRIGGER a BEFORE INSERT ON t_notnull FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
CREATE TABLE t_wide (id int, u jsonb, g varchar(8));
CREATE TRIGGER a BEFORE INSERT ON t_wide FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
CREATE TABLE t_json (id int, u jsonb, g small_json);
CREATE TRIGGER a BEFORE INSERT ON t_json FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
CREATE TABLE t_char (id int, u text, g char(3));

-- the issue's reproductions
SELECT throws_ok($$INSERT INTO t_short VALUES (1, '{"userID": "u1"}')$$, '22001',
                 'value too long for type character varying(3)',
                 'varchar(3): "One page" is refused with 22001');
SELECT throws_ok($$INSERT INTO t_domain VALUES (1, '{"userID": "u1"}')$$, '23514', NULL,
                 'CHECK domain: "One page" is refused with 23514');
SELECT is((SELECT count(*)::int FROM ea_assignments), 0, 'and nothing was stored');

-- the detail names trigger, table and column; the hint says what to do
\ir lib/err_of.sql
SELECT matches((SELECT detail FROM pg_temp.err_of($$INSERT INTO t_short VALUES (1, '{"userID": "u1"}')$$)),
               'Trigger "a" on table "t_short" would set column "g" \(type character varying\(3\)\) to "One page"',
               'varchar(3): the detail names trigger, table, column, type and value');
SELECT matches((SELECT detail FROM pg_temp.err_of($$INSERT INTO t_domain VALUES (1, '{"userID": "u1"}')$$)),
               'Trigger "a" on table "t_domain" would set column "g" \(type control_only\)',
               'domain: the detail names the domain');
SELECT ok((SELECT hint FROM pg_temp.err_of($$INSERT INTO t_short VALUES (1, '{"userID": "u1"}')$$)) IS NOT NULL,
          'a hint is given');

-- accepted values still go through
SELECT lives_ok($$INSERT INTO t_wide VALUES (1, '{"userID": "u2"}')$$, 'varchar(8) takes "One page"');
SELECT is((SELECT g::text FROM t_wide WHERE id = 1), 'One page', 'and stores it');
SELECT lives_ok($$INSERT INTO t_notnull VALUES (1, '{"userID": "u3"}', 'x')$$, 'a NOT NULL varchar(20) domain takes it');
SELECT is((SELECT g::text FROM t_notnull WHERE id = 1), 'One page', 'and stores it');

-- NULL user: NULL result, which a NOT NULL domain refuses
SELECT throws_ok($$INSERT INTO t_notnull VALUES (2, NULL, 'x')$$, '23502', NULL,
                 'a NOT NULL domain refuses the NULL result of a NULL user');
SELECT lives_ok($$INSERT INTO t_domain VALUES (2, NULL)$$, 'a CHECK domain takes NULL for a NULL user');

-- json results through a domain
SELECT throws_ok($$INSERT INTO t_json VALUES (1, '{"userID": "u4"}')$$, '23514', NULL,
                 'a jsonb domain refuses a result its CHECK rejects');

-- the stored state: exactly the rows that were accepted
SELECT is((SELECT count(*)::int FROM ea_assignments), 2, 'only the two accepted rows stored an assignment');
SELECT is((SELECT array_agg(unit_id ORDER BY unit_id) FROM ea_assignments), ARRAY['u2', 'u3'],
          'u2 and u3');

-- an UPDATE trigger checks too
CREATE TABLE t_upd (id int, u jsonb, g varchar(4));
INSERT INTO t_upd VALUES (1, NULL, 'x');
CREATE TRIGGER b BEFORE UPDATE ON t_upd FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
SELECT throws_ok($$UPDATE t_upd SET u = '{"userID": "u5"}' WHERE id = 1$$, '22001', NULL,
                 'an UPDATE into a narrow column is refused');

-- character(n): not a result type the trigger takes (unchanged)
SELECT throws_ok($$CREATE TRIGGER c BEFORE INSERT ON t_char FOR EACH ROW
                   EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
                   INSERT INTO t_char VALUES (1, 'u6')$$, '39P01', NULL,
                 'a char(3) result column is refused as misuse');

-- a scalar user column of a domain type and a text result of a domain over varchar
CREATE DOMAIN uid AS text CHECK (VALUE <> '');
CREATE DOMAIN grp8 AS varchar(8);
CREATE TABLE t_scalar (id int, u uid, g grp8);
CREATE TRIGGER a BEFORE INSERT ON t_scalar FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'g');
SELECT lives_ok($$INSERT INTO t_scalar VALUES (1, 'u7')$$, 'a domain over varchar(8) takes "One page"');
SELECT is((SELECT g::text FROM t_scalar), 'One page', 'and stores it');
ALTER DOMAIN grp8 ADD CONSTRAINT short CHECK (length(VALUE) < 4) NOT VALID;
SELECT throws_ok($$INSERT INTO t_scalar VALUES (2, 'u8')$$, '23514', NULL,
                 'a constraint added to the domain later applies at the next firing');

SELECT * FROM finish();
ROLLBACK;
