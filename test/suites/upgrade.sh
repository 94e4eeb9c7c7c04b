#!/bin/bash
# upgrade.sh - the upgrade path.  Installs 0.1.0 (with this tree's
# library), uses every kind of stored data (specs, ID lists, assignments,
# archived assignments, a trigger-assigned table), runs ALTER EXTENSION
# experiment_assign UPDATE and checks that
#   (a) every stored row survived and the stored groups are still served;
#   (b) the catalogue of the updated extension equals a fresh install of the
#       default version, object by object (test/sql-lib/ext_catalog.sql:
#       every member of the extension, functions with all attributes,
#       tables, columns, constraints, indexes, triggers, views, sequences,
#       types, ACLs, initial privileges, comments, config-dump registration);
#       a difference is printed as a unified diff;
# and that every installed version has an update path to the default one,
# the library's version is the default version, and a library feature that
# needs a newer extension version fails with a clear error and hint.
set -euo pipefail
cd "$EA_REPO"

n=0
ok() { n=$((n + 1)); echo "  ok: $*"; }
fail() { echo "  FAILED: $*"; exit 1; }
q() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

old=ea_upgrade_old
new=ea_upgrade_new
tmp=$(mktemp -d)
cleanup() {
	dropdb --if-exists "$old" >/dev/null 2>&1 || true
	dropdb --if-exists "$new" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"
createdb "$old"
createdb "$new"

default=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" experiment_assign.control)
first=0.1.0

# ---- every installed version has an update path to the default ----
missing=$(q "$old" -c "SELECT pg_catalog.string_agg(v.version, ', ')
	FROM pg_catalog.pg_available_extension_versions v
	WHERE v.name = 'experiment_assign' AND v.version <> '$default'
	  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension_update_paths('experiment_assign') p
					  WHERE p.source = v.version AND p.target = '$default' AND p.path IS NOT NULL)")
[ -z "$missing" ] || fail "no update path to $default from: $missing"
ok "every installed version updates to $default"

# ---- 0.1.0, with stored data, through this library ----
q "$old" -c "CREATE EXTENSION experiment_assign VERSION '$first'"
q "$old" >/dev/null <<SQL
SELECT load_config_specs(pg_read_file('$EA_REPO/examples/config_specs.json')::jsonb);
SELECT load_id_list('beta_users', ARRAY['user-2', 'user-4']);
SELECT load_id_list_file('company_id_list', pg_read_file('$EA_TEST_DATA/company_id_list'));
-- persistent assignments: 200 users in an experiment and a layer
SELECT count(get_experiment(u, 'checkout_flow', get_user_persisted_values(u, 'userID')))
FROM (SELECT jsonb_build_object('userID', 'user-' || i) AS u FROM generate_series(1, 200) i) s;
SELECT count(get_layer(u, 'pricing_layer', get_user_persisted_values(u, 'userID')))
FROM (SELECT jsonb_build_object('userID', 'user-' || i) AS u FROM generate_series(1, 50) i) s;
-- an archived experiment's assignments
SELECT count(get_experiment(u, 'pricing_test', get_user_persisted_values(u, 'userID')))
FROM (SELECT jsonb_build_object('userID', 'user-' || i) AS u FROM generate_series(1, 30) i) s;
SELECT archive_experiment_assignments('pricing_test');
-- assignment on insert
CREATE TABLE signups (id int PRIMARY KEY, u jsonb, grp text);
CREATE TRIGGER assign BEFORE INSERT ON signups FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('checkout_flow', 'u', 'grp');
INSERT INTO signups SELECT i, jsonb_build_object('userID', 'signup-' || i) FROM generate_series(1, 40) i;
SQL
counts=$(q "$old" -c "SELECT (SELECT count(*) FROM ea_config_specs) || ' ' || (SELECT count(*) FROM ea_id_lists)
	|| ' ' || (SELECT count(*) FROM ea_assignments) || ' ' || (SELECT count(*) FROM ea_assignments_archive)
	|| ' ' || (SELECT count(*) FROM signups WHERE grp IS NOT NULL)")
set -- $counts
[ "$1" = 1 ] && [ "$2" -gt 2 ] && [ "$3" -ge 290 ] && [ "$4" -gt 0 ] && [ "$5" = 40 ] ||
	fail "0.1.0 did not store the test data (specs, id hashes, assignments, archived, signups: $counts)"
ok "$first with the $default library: specs, ID lists, $3 assignments, $4 archived, trigger-assigned rows stored"

# every row of every table (and the state of every sequence) the extension
# registered for pg_dump, and of the test's own table, as text; the list is
# taken before the update and used again after it
q "$old" -c "SELECT c.oid::regclass::text || ' ' || c.relkind::text FROM pg_class c
	WHERE c.oid IN (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'experiment_assign')
	   OR c.oid = 'public.signups'::regclass ORDER BY 1" >"$tmp/tables"
snapshot() {
	while read -r t kind; do
		echo "== $t"
		if [ "$kind" = S ]; then
			q "$1" -c "SELECT last_value || ' ' || is_called FROM $t"
		else
			q "$1" -c "SELECT t::text FROM $t t ORDER BY 1"
		fi
	done <"$tmp/tables"
}
snapshot "$old" >"$tmp/rows.before"

# a feature that needs the default version fails clearly on an older one
# (the check every newer library feature makes: called here through the
# library's entry point, as the SQL of the newer version would)
if [ "$first" != "$default" ]; then
	out=$(q "$old" -c "CREATE FUNCTION pg_temp.require_version(text) RETURNS text
		LANGUAGE C STRICT AS '\$libdir/experiment_assign', 'ea_pg_require_version'" \
		-c "SELECT pg_temp.require_version('$default')" 2>&1 || true)
	echo "$out" | grep -q "needs extension \"experiment_assign\" $default or later" &&
		echo "$out" | grep -q "HINT:  Run ALTER EXTENSION experiment_assign UPDATE" ||
		{ echo "$out"; fail "no clear version error on $first"; }
	ok "a $default feature on $first: ERROR with the ALTER EXTENSION ... UPDATE hint"
fi

# ---- update ----
q "$old" -c "ALTER EXTENSION experiment_assign UPDATE"
[ "$(q "$old" -c "SELECT extversion FROM pg_extension WHERE extname = 'experiment_assign'")" = "$default" ] ||
	fail "ALTER EXTENSION ... UPDATE did not reach $default"
ok "ALTER EXTENSION experiment_assign UPDATE: $first -> $default"

# (a) the data survived, and is still what evaluations return
snapshot "$old" >"$tmp/rows.after"
if ! diff -u "$tmp/rows.before" "$tmp/rows.after" >"$tmp/rows.diff"; then
	head -40 "$tmp/rows.diff"
	fail "stored rows changed during the update"
fi
ok "every stored row survived ($(grep -vc '^==' "$tmp/rows.after") rows)"
changed=$(q "$old" -c "SELECT count(*) FROM ea_assignments a
	WHERE config_name = 'checkout_flow' AND unit_id LIKE 'user-%'
	  AND get_experiment(jsonb_build_object('userID', a.unit_id), 'checkout_flow',
						 get_user_persisted_values(jsonb_build_object('userID', a.unit_id), 'userID'))
		  ->> 'group_name' IS DISTINCT FROM a.group_name")
[ "$changed" = 0 ] || fail "$changed stored groups are no longer served"
q "$old" -c "INSERT INTO signups VALUES (1000, '{\"userID\": \"signup-1000\"}')"
[ "$(q "$old" -c "SELECT grp IS NOT NULL FROM signups WHERE id = 1000")" = t ] || fail "the trigger stopped assigning"
ok "stored groups are served, the trigger assigns, after the update"

# (b) the catalogue equals a fresh install
q "$new" -c "CREATE EXTENSION experiment_assign"
q "$old" -f test/sql-lib/ext_catalog.sql >"$tmp/catalog.updated"
q "$new" -f test/sql-lib/ext_catalog.sql >"$tmp/catalog.fresh"
[ "$(grep -c '^member|' "$tmp/catalog.fresh")" -gt 20 ] || fail "the catalogue query found too few members"
if ! diff -u --label "fresh $default install" --label "$first updated to $default" \
	"$tmp/catalog.fresh" "$tmp/catalog.updated" >"$tmp/catalog.diff"; then
	echo "  the updated extension differs from a fresh install (- fresh, + updated):"
	sed 's/^/    /' "$tmp/catalog.diff" | head -80
	fail "catalogue after ALTER EXTENSION ... UPDATE != fresh $default install: add what is missing to sql/experiment_assign--$first--$default.sql (your section)"
fi
ok "catalogue after the update == fresh install ($(wc -l <"$tmp/catalog.fresh") facts, $(grep -c '^member|' "$tmp/catalog.fresh") objects)"

# the comparison sees what an upgrade script could forget (negative controls)
q "$old" <<'SQL'
ALTER FUNCTION check_gate(jsonb, text) VOLATILE;
GRANT SELECT ON ea_assignments TO PUBLIC;
ALTER EXTENSION experiment_assign DROP VIEW ea_id_list_sizes;
COMMENT ON TABLE ea_id_lists IS 'changed';
ALTER TABLE ea_assignments ALTER COLUMN assigned_at DROP DEFAULT;
SQL
q "$old" -f test/sql-lib/ext_catalog.sql >"$tmp/catalog.broken"
diff "$tmp/catalog.fresh" "$tmp/catalog.broken" >"$tmp/broken.diff" || true
for want in 'function|public.check_gate(' 'acl|table public.ea_assignments' \
	'member|view public.ea_id_list_sizes' 'comment|table public.ea_id_lists' \
	'column|public.ea_assignments #006 assigned_at'; do
	grep -qF "$want" "$tmp/broken.diff" || { cat "$tmp/broken.diff"; fail "the comparison missed a change of $want"; }
done
ok "the comparison catches changed volatility, grants, membership, comments and defaults"

# the library and the default version agree
[ "$(q "$new" -c 'SELECT experiment_assign_library_version()')" = "$default" ] ||
	fail "the library is not version $default"
[ "$(q "$new" -c "SELECT experiment_assign_require_version('$first')")" = "$default" ] ||
	fail "experiment_assign_require_version('$first') on $default"
ok "library version $default; experiment_assign_require_version passes on $default"

echo "upgrade: $n passed, 0 failed"
