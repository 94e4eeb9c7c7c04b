-- conformance.sql: replay conformance corpora through the SQL functions.
-- Loaded by test/suites/conformance_sql.sh into a scratch database; every
-- function returns (passed, failed) and prints the first disagreements.

-- The fields a golden case may pin; fields it does not have are skipped.
CREATE FUNCTION pg_temp.compare_fields(expected jsonb, got jsonb, who text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	k text;
	ok boolean := true;
BEGIN
	FOR k IN SELECT jsonb_object_keys(expected) LOOP
		CONTINUE WHEN k NOT IN ('value', 'rule_id', 'group_name', 'id_type',
			'is_experiment_group', 'secondary_exposures', 'allocated_experiment_name',
			'undelegated_secondary_exposures', 'explicit_parameters', 'is_experiment_active');
		IF got -> k IS DISTINCT FROM expected -> k THEN
			ok := false;
			RAISE NOTICE 'MISMATCH % %: expected % got %', who, k, expected -> k, got -> k;
		END IF;
	END LOOP;
	RETURN ok;
END $$;

CREATE FUNCTION pg_temp.evaluate(kind text, u jsonb, name text)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT CASE kind
		WHEN 'gate' THEN get_feature_gate(u, name)
		WHEN 'config' THEN get_dynamic_config(u, name)
		WHEN 'experiment' THEN get_experiment(u, name)
		ELSE get_layer(u, name) END
$$;

-- One golden file generated with the official SDK (test/conformance/README.md).
CREATE FUNCTION pg_temp.run_golden(dir text, file text, OUT passed int, OUT failed int)
LANGUAGE plpgsql AS $$
DECLARE
	g jsonb := pg_read_file(dir || '/' || file)::jsonb;
	c jsonb;
	lists jsonb;
	lname text;
	ids jsonb;
	got jsonb;
	i int := 0;
BEGIN
	passed := 0;
	failed := 0;
	PERFORM load_config_specs(pg_read_file(dir || '/' || (g ->> 'dcs'))::jsonb);
	IF g ->> 'idlists' IS NOT NULL THEN
		lists := pg_read_file(dir || '/' || (g ->> 'idlists'))::jsonb;
		FOR lname, ids IN SELECT * FROM jsonb_each(lists) LOOP
			PERFORM load_id_list(lname, ARRAY(SELECT jsonb_array_elements_text(ids)));
		END LOOP;
	END IF;
	PERFORM set_config('experiment_assign.environment_tier',
					   coalesce(g ->> 'environment_tier', ''), true);
	FOR c IN SELECT * FROM jsonb_array_elements(g -> 'cases') LOOP
		i := i + 1;
		got := pg_temp.evaluate(c ->> 'kind', c -> 'user', c ->> 'name');
		IF pg_temp.compare_fields(c -> 'expected', got, file || '#' || i || ' ' || (c ->> 'name'))
		   AND (c ->> 'kind' <> 'gate' OR
				check_gate(c -> 'user', c ->> 'name') = (c -> 'expected' ->> 'value')::boolean) THEN
			passed := passed + 1;
		ELSE
			failed := failed + 1;
		END IF;
	END LOOP;
	FOR lname IN SELECT list_name FROM ea_id_list_sizes LOOP
		PERFORM drop_id_list(lname);
	END LOOP;
END $$;

-- Client-initialize de-duplication of an exposure list (first one wins).
CREATE FUNCTION pg_temp.dedup(x jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT coalesce(jsonb_agg(e ORDER BY ord), '[]')
	FROM (SELECT DISTINCT ON (e) e, ord
		  FROM jsonb_array_elements(coalesce(x, '[]')) WITH ORDINALITY AS t(e, ord)
		  ORDER BY e, ord) s
$$;

-- Statsig's e2e project: results computed by Statsig's servers for 37 users
-- (e2e_dir: the corpus folder; id_list: the company_id_list file).
CREATE FUNCTION pg_temp.run_e2e(e2e_dir text, id_list text, OUT passed int, OUT failed int)
LANGUAGE plpgsql AS $$
DECLARE
	dcs jsonb := pg_read_file(e2e_dir || '/rulesets_e2e_config.json')::jsonb;
	data jsonb := pg_read_file(e2e_dir || '/rulesets_e2e_expected_results.json')::jsonb -> 'data';
	entry jsonb;
	section text;
	name text;
	expected jsonb;
	got jsonb;
	ok boolean;
BEGIN
	passed := 0;
	failed := 0;
	PERFORM load_config_specs(dcs);
	PERFORM load_id_list_file('company_id_list',
							  pg_read_file(id_list));
	-- the servers computed these at the document's time
	PERFORM set_config('experiment_assign.evaluation_time_ms', dcs ->> 'time', true);
	FOR entry IN SELECT * FROM jsonb_array_elements(data) LOOP
		FOREACH section IN ARRAY ARRAY['feature_gates_v2', 'dynamic_configs', 'layer_configs'] LOOP
			FOR name, expected IN SELECT * FROM jsonb_each(entry -> section) LOOP
				got := pg_temp.evaluate(CASE section WHEN 'feature_gates_v2' THEN 'gate'
										WHEN 'layer_configs' THEN 'layer' ELSE 'experiment' END,
										entry -> 'user', name);
				ok := got -> 'value' = expected -> 'value'
					AND got -> 'rule_id' = expected -> 'rule_id'
					AND (NOT expected ? 'group_name' OR got -> 'group_name' = expected -> 'group_name')
					AND (section <> 'layer_configs' OR NOT expected ? 'allocated_experiment_name'
						 OR got -> 'allocated_experiment_name' = expected -> 'allocated_experiment_name')
					AND pg_temp.dedup(got -> 'secondary_exposures') = pg_temp.dedup(expected -> 'secondary_exposures');
				IF ok THEN
					passed := passed + 1;
				ELSE
					failed := failed + 1;
					RAISE NOTICE 'MISMATCH e2e % %: expected % got %', section, name, expected, got;
				END IF;
			END LOOP;
		END LOOP;
	END LOOP;
END $$;
