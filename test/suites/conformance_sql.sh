#!/bin/bash
# conformance_sql.sh - the conformance corpora through the SQL functions:
# every committed node-core golden, the v2 document from Server Core's
# repository (test/data/statsig), and a 50 MB document.  Fails below 100%
# agreement.  Statsig's e2e results: conformance_e2e.sh.
set -euo pipefail
cd "$EA_REPO"
run() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$EA_DB" "$@"; }

run -c 'CREATE EXTENSION IF NOT EXISTS experiment_assign'
EA_TEST_DATA="${EA_TEST_DATA:-$EA_REPO/test/data/statsig}"
pass=0
fail=0
tally() {					# tally "passed|failed" label
	local p="${1%%|*}" f="${1##*|}"
	echo "  $2: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

for g in test/conformance/goldens/*.node-core.json; do
	out=$(run -f test/sql-lib/conformance.sql \
		-c "SELECT passed || '|' || failed FROM pg_temp.run_golden('$EA_REPO/test/conformance', 'goldens/$(basename "$g")')" 2>&1 | tail -n 20)
	tally "$(echo "$out" | tail -n 1)" "$(basename "$g")"
	echo "$out" | grep MISMATCH | head -n 5 || true
done

# Server Core's v2 document loads, and every spec evaluates without error
out=$(run -c "SELECT load_config_specs(pg_read_file('$EA_TEST_DATA/eval_proj_dcs.json')::jsonb)" \
	-c "SELECT count(*) || '|0' FROM ea_specs s,
		  (VALUES ('{\"userID\": \"u1\", \"email\": \"a@statsig.com\"}'::jsonb),
				  ('{\"userID\": \"123\", \"customIDs\": {\"companyID\": \"c\"}}')) AS u(v)
		WHERE CASE s.kind WHEN 'gate' THEN get_feature_gate(u.v, s.name)
						  WHEN 'layer' THEN get_layer(u.v, s.name)
						  ELSE get_experiment(u.v, s.name) END IS NOT NULL" | tail -n 1)
tally "$out" "Server Core v2 document (spec evaluations)"

# A 50 MB document loads, evaluates, and a truncated one is a clean error.
out=$(run -c "WITH gates AS (
		SELECT jsonb_build_object('name', 'gate_' || i, 'type', 'feature_gate',
			'entity', 'feature_gate', 'salt', md5(i::text), 'enabled', true,
			'defaultValue', false, 'idType', 'userID',
			'rules', jsonb_build_array(jsonb_build_object('id', 'rule_' || i,
				'passPercentage', 50, 'returnValue', true, 'idType', 'userID',
				'conditions', jsonb_build_array(jsonb_build_object('type', 'user_field',
					'field', 'email', 'operator', 'str_ends_with_any', 'idType', 'userID',
					'targetValue', (SELECT jsonb_agg('@domain' || j || '.example.com')
									FROM generate_series(1, 8) j)))))) AS g
		FROM generate_series(1, 100000) i)
	SELECT load_config_specs(jsonb_build_object('time', 7, 'dynamic_configs', '[]'::jsonb,
		'layer_configs', '[]'::jsonb, 'feature_gates', (SELECT jsonb_agg(g) FROM gates)))" \
	-c "SELECT octet_length(document::text) > 50000000 FROM ea_config_specs" \
	-c "SELECT count(*) = 100000 AND bool_or(check_gate('{\"userID\": \"x\", \"email\": \"a@domain3.example.com\"}', name)) FROM ea_specs" 2>&1)
if [ "$(echo "$out" | tr '\n' ' ')" = "7 t t " ]; then
	tally "1|0" "50 MB document"
else
	echo "$out" | head -n 5
	tally "0|1" "50 MB document"
fi

echo "conformance through SQL: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
