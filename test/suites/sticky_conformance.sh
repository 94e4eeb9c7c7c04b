#!/bin/bash
# sticky_conformance.sh - the sticky (persistent assignment) golden scenarios
# of test/conformance/goldens/sticky_*.json, replayed through SQL.
#
# For each step: load the step's document with load_config_specs, call
# get_experiment/get_layer with get_user_persisted_values(user, id_type)
# when the step's "persisted" is "stored" (NULL when it is null) and the
# step's enforce flags, then compare the result with the golden's
# "expected" (every field it has; "reason": Persisted or not), the values
# passed with "persisted_values_passed", and ea_assignments with
# "stored_after" (without "time").  Storage starts empty per scenario.
# Needs EA_DB and EA_REPO (test/pg-suites.sh sets them).
set -eu
: "${EA_DB:?}" "${EA_REPO:?}"
CONF="$EA_REPO/test/conformance"

psql_() { psql -X -q -v ON_ERROR_STOP=1 -d "$EA_DB" "$@"; }

{
	echo "CREATE EXTENSION IF NOT EXISTS experiment_assign;"
	echo "CREATE TABLE sticky_docs (path text PRIMARY KEY, doc jsonb NOT NULL);"
	echo "CREATE TABLE sticky_goldens (name text PRIMARY KEY, doc jsonb NOT NULL);"
	for f in "$CONF"/fixtures/sticky_*.json; do
		echo "\\set c \`cat '$f'\`"
		echo "INSERT INTO sticky_docs VALUES ('fixtures/$(basename "$f")', :'c');"
	done
	for f in "$CONF"/goldens/sticky_*.json; do
		echo "\\set c \`cat '$f'\`"
		echo "INSERT INTO sticky_goldens VALUES ('$(basename "$f" .json)', :'c');"
	done
} | psql_

psql_ <<'SQL'
-- ea_assignments as the goldens show the storage: {key: {config: sticky - time}}
CREATE FUNCTION sticky_store() RETURNS jsonb LANGUAGE sql AS $$
	SELECT COALESCE(jsonb_object_agg(k, v), '{}') FROM (
		SELECT unit_id || ':' || id_type AS k, jsonb_object_agg(config_name, sticky - 'time') AS v
		FROM ea_assignments GROUP BY unit_id, id_type) s
$$;

-- {config: sticky - time} of a UserPersistedValues object
CREATE FUNCTION sticky_untimed(v jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT COALESCE(jsonb_object_agg(key, value - 'time'), '{}') FROM jsonb_each(v)
$$;

-- Replay one step; returns the list of mismatches (empty when it agrees).
CREATE FUNCTION sticky_step(who text, step jsonb) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	c jsonb := step -> 'call';
	u jsonb := c -> 'user';
	pv jsonb;
	r jsonb;
	e record;
	bad text[] := '{}';
	want_persisted boolean := (step -> 'expected' ->> 'reason') LIKE '%Persisted%';
BEGIN
	PERFORM load_config_specs((SELECT doc FROM sticky_docs WHERE path = step ->> 'dcs'));
	IF jsonb_typeof(c -> 'persisted') = 'string' THEN
		pv := get_user_persisted_values(u, c ->> 'id_type');
	END IF;
	IF c ->> 'kind' = 'layer' THEN
		r := get_layer(u, c ->> 'name', pv, (c ->> 'enforce_targeting')::boolean,
					   (c ->> 'enforce_overrides')::boolean);
	ELSE
		r := get_experiment(u, c ->> 'name', pv, (c ->> 'enforce_targeting')::boolean,
							(c ->> 'enforce_overrides')::boolean);
	END IF;
	FOR e IN SELECT key, value FROM jsonb_each(step -> 'expected') WHERE key <> 'reason' LOOP
		IF r -> e.key IS DISTINCT FROM e.value THEN
			bad := bad || format('%s %s: expected %s got %s', who, e.key, e.value, r -> e.key);
		END IF;
	END LOOP;
	IF want_persisted IS DISTINCT FROM (r ->> 'reason' = 'Persisted') THEN
		bad := bad || format('%s reason: expected %s got %s', who,
							 step -> 'expected' ->> 'reason', r ->> 'reason');
	END IF;
	IF (CASE WHEN pv IS NULL THEN NULL ELSE sticky_untimed(pv) END)
		IS DISTINCT FROM (CASE WHEN jsonb_typeof(step -> 'persisted_values_passed') = 'null'
							   THEN NULL ELSE step -> 'persisted_values_passed' END) THEN
		bad := bad || format('%s persisted values passed: expected %s got %s', who,
							 step -> 'persisted_values_passed', pv);
	END IF;
	IF sticky_store() IS DISTINCT FROM step -> 'stored_after' THEN
		bad := bad || format('%s store: expected %s got %s', who, step -> 'stored_after',
							 sticky_store());
	END IF;
	RETURN bad;
END
$$;

CREATE TABLE sticky_results (golden text, step int, bad text[]);

-- each scenario starts with empty storage
DO $$
DECLARE
	g record;
	s record;
BEGIN
	FOR g IN SELECT name, doc FROM sticky_goldens ORDER BY name LOOP
		DELETE FROM ea_assignments;
		FOR s IN SELECT value, ordinality - 1 AS i
				 FROM jsonb_array_elements(g.doc -> 'steps') WITH ORDINALITY LOOP
			INSERT INTO sticky_results
			VALUES (g.name, s.i, sticky_step(format('%s step %s', g.name, s.i), s.value));
		END LOOP;
	END LOOP;
END
$$;

\pset format unaligned
\pset tuples_only on
SELECT unnest(bad) FROM sticky_results ORDER BY golden, step;
SELECT format('sticky conformance through SQL: %s/%s steps agree (%s scenarios)',
			  count(*) FILTER (WHERE cardinality(bad) = 0), count(*),
			  count(DISTINCT golden))
FROM sticky_results;
SELECT count(*) = 0 AS ok FROM sticky_results WHERE cardinality(bad) > 0 \gset
\if :ok
\else
\echo 'sticky conformance: mismatches (above)'
SELECT 1 / 0;
\endif
SQL
