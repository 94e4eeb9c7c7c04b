#!/bin/bash
# assignments_dump.sh - pg_dump keeps stored assignments: assign in EA_DB,
# dump it (custom format), restore into a second database of the same
# cluster with pg_restore, and check that the assignments, the archive and
# the config specs survive and stay sticky.  Needs EA_DB and EA_REPO.
set -eu
: "${EA_DB:?}" "${EA_REPO:?}"
COPY_DB="${EA_DB}_restored"
DUMP="$(mktemp)"
trap 'rm -f "$DUMP"; dropdb --if-exists "$COPY_DB" >/dev/null 2>&1' EXIT

psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_ -d "$EA_DB" <<SQL
CREATE EXTENSION experiment_assign;
\set base \`cat '$EA_REPO/test/conformance/fixtures/sticky_base.v2.json'\`
SELECT load_config_specs(:'base') IS NOT NULL AS loaded \g /dev/null
SELECT get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID')),
       get_layer(u, 'sticky_layer', get_user_persisted_values(u, 'userID'))
FROM (SELECT jsonb_build_object('userID', 'dump' || i, 'country', 'US') AS u
      FROM generate_series(1, 50) AS i) s \g /dev/null
SELECT archive_experiment_assignments('sticky_layer') \g /dev/null
SELECT get_layer(u, 'sticky_layer', get_user_persisted_values(u, 'userID'))
FROM (SELECT jsonb_build_object('userID', 'dump' || i, 'country', 'US') AS u
      FROM generate_series(1, 10) AS i) s \g /dev/null
SQL

snapshot() {					# snapshot DB: a digest of every stored row
	psql_ -At -d "$1" <<'SQL'
SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s', unit_id, id_type, config_name,
			  group_name, rule_id, assigned_at, sticky), E'\n' ORDER BY unit_id, id_type, config_name))
	   || ' ' || count(*) FROM ea_assignments;
SELECT md5(string_agg(format('%s|%s|%s|%s|%s', unit_id, config_name, group_name, assigned_at,
			  archived_at), E'\n' ORDER BY unit_id, config_name)) || ' ' || count(*)
FROM ea_assignments_archive;
SELECT document_time FROM config_specs_info();
SQL
}

before="$(snapshot "$EA_DB")"
pg_dump -Fc -d "$EA_DB" -f "$DUMP"
dropdb --if-exists "$COPY_DB" >/dev/null 2>&1
createdb "$COPY_DB"
pg_restore --exit-on-error -d "$COPY_DB" "$DUMP"
after="$(snapshot "$COPY_DB")"

echo "before: $(echo "$before" | tr '\n' ' ')"
echo "after:  $(echo "$after" | tr '\n' ' ')"
[ "$before" = "$after" ] || { echo "assignments differ after pg_dump/pg_restore"; exit 1; }

# still sticky in the restored database: every stored unit comes back Persisted
persisted="$(psql_ -At -d "$COPY_DB" <<'SQL'
SELECT count(*) FILTER (WHERE get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID')) ->> 'reason' = 'Persisted')
	   || '/' || count(*)
FROM (SELECT jsonb_build_object('userID', 'dump' || i, 'country', 'US') AS u
	  FROM generate_series(1, 50) AS i) s;
SQL
)"
echo "restored assignments returned as persisted: $persisted"
[ "$persisted" = "50/50" ]
