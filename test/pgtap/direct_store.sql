-- direct_store.sql: the store of a first assignment.  Outside Citus it
-- writes ea_assignments directly (ea_pg_assignments_insert_direct) instead
-- of through its SPI statement INSERT ... ON CONFLICT DO NOTHING: these
-- checks hold for both, and the changes a DBA may make to the table (a
-- trigger, a column with a default, a CHECK or NOT NULL constraint) are
-- honoured as the statement would honour them.  Concurrency (a competitor
-- waited for, first writer wins, 40001 in REPEATABLE READ) is in the
-- isolation specs assign_concurrent and assign_trigger_concurrent.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(17);

-- an experiment that puts everybody in Control
\ir lib/everyone_control.sql
CREATE FUNCTION tap_assign(unit text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT get_experiment(u, 'exp', get_user_persisted_values(u, 'userID'))
	FROM (SELECT jsonb_build_object('userID', unit) AS u) s
$$;

-- a first assignment: one row, its columns, the default of assigned_at
SELECT is(tap_assign('d1') ->> 'reason', 'Recognized', 'a first assignment is evaluated');
SELECT results_eq(
	$$SELECT unit_id, id_type, config_name, group_name, rule_id, assigned_at = now(),
	         sticky ->> 'group_name'
	  FROM ea_assignments$$,
	$$VALUES ('d1', 'userID', 'exp', 'Control', 'exp_control', true, 'Control')$$,
	'it stores one row: key, group, rule, assigned_at = now(), the sticky value');
SELECT is(tap_assign('d1') ->> 'reason', 'Persisted', 'the next call reads it back');

-- a statement sees the rows its own earlier calls stored
SELECT is((SELECT array_agg(r ->> 'reason' ORDER BY n)
           FROM (SELECT n, tap_assign('d2') AS r FROM generate_series(1, 3) n) s),
          ARRAY['Recognized', 'Persisted', 'Persisted'],
          'within one statement, the second call sees the first call''s store');
SELECT is((SELECT count(*)::int FROM ea_assignments WHERE unit_id = 'd2'), 1,
          'and one row is stored');

-- a value already there: the store does nothing and says so
SELECT is(save_user_persisted_value('d9:userID', 'exp',
                                    get_user_persisted_values('d1:userID') -> 'exp'),
          true, 'an adapter save stores a first value');
SELECT is(save_user_persisted_value('d9:userID', 'exp',
                                    jsonb_set(get_user_persisted_values('d1:userID') -> 'exp',
                                              '{group_name}', '"Other"')),
          false, 'a second save of the same key stores nothing');
SELECT is((SELECT group_name FROM ea_assignments WHERE unit_id = 'd9'), 'Control',
          'the first value is kept');

-- a rolled-back store leaves nothing
SAVEPOINT before_rollback;
DO $$BEGIN PERFORM tap_assign('d3'); END $$;
ROLLBACK TO SAVEPOINT before_rollback;
SELECT is((SELECT count(*)::int FROM ea_assignments WHERE unit_id = 'd3'), 0,
          'a rolled-back first assignment stores nothing');
SELECT is(tap_assign('d3') ->> 'reason', 'Recognized', 'and the unit is new again');

-- a trigger on ea_assignments sees every store
CREATE TABLE tap_audit (unit_id text, group_name text);
CREATE FUNCTION tap_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tap_audit VALUES (NEW.unit_id, NEW.group_name);
	RETURN NEW;
END $$;
CREATE TRIGGER tap_audit AFTER INSERT ON ea_assignments
	FOR EACH ROW EXECUTE FUNCTION tap_audit();
DO $$BEGIN PERFORM tap_assign('d4'); END $$;
SELECT results_eq($$SELECT unit_id, group_name FROM tap_audit$$, $$VALUES ('d4', 'Control')$$,
                  'a trigger on ea_assignments fires for a store');
DROP TRIGGER tap_audit ON ea_assignments;

-- a column added with a default gets its default
ALTER TABLE ea_assignments ADD COLUMN tap_note text DEFAULT 'noted',
	ADD COLUMN tap_when timestamptz DEFAULT now() - interval '1 day';
DO $$BEGIN PERFORM tap_assign('d5'); END $$;
SELECT results_eq($$SELECT tap_note, tap_when = now() - interval '1 day' FROM ea_assignments WHERE unit_id = 'd5'$$,
                  $$VALUES ('noted', true)$$, 'a column added with defaults gets them');
-- and a dropped one is skipped
ALTER TABLE ea_assignments DROP COLUMN tap_note;
DO $$BEGIN PERFORM tap_assign('d6'); END $$;
SELECT is((SELECT group_name FROM ea_assignments WHERE unit_id = 'd6'), 'Control',
          'a store after a column was dropped');

-- constraints: a CHECK and a NOT NULL without default, as the statement raises them
ALTER TABLE ea_assignments ADD CONSTRAINT tap_check CHECK (unit_id <> 'forbidden');
SELECT throws_ok($$SELECT tap_assign('forbidden')$$, '23514', NULL,
                 'a CHECK constraint on ea_assignments is checked (23514)');
ALTER TABLE ea_assignments DROP CONSTRAINT tap_check,
	ADD COLUMN tap_required text NOT NULL DEFAULT 'x';
ALTER TABLE ea_assignments ALTER COLUMN tap_required DROP DEFAULT;
SELECT throws_ok($$SELECT tap_assign('d7')$$, '23502', NULL,
                 'a NOT NULL column without a default is checked (23502)');
SELECT is((SELECT count(*)::int FROM ea_assignments WHERE unit_id IN ('forbidden', 'd7')), 0,
          'and nothing is stored by a store that failed');

-- the stored rows are the ones the functions report
SELECT is((SELECT count(*)::int FROM ea_assignments), 7,
          'seven units stored in all (d1, d2, d9, d3, d4, d5, d6)');

SELECT * FROM finish();
ROLLBACK;
