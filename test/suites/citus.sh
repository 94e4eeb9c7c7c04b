#!/bin/bash
# citus.sh - experiment_assign on a real Citus cluster (issue 8).
#
# Starts a coordinator and two workers on loopback ports the operating system
# picks (test/suites/lib/citus_cluster.sh), later a third worker, and checks
# with counts: the set-up done by CREATE EXTENSION alone; specs and ID lists
# on every node, reloads seen by open sessions, rollbacks; stateless
# evaluation over a distributed table equal to one node; persistent
# assignment pushed down to the shards (one stored row per unit
# cluster-wide, a split change moves nobody, direct calls on every worker
# agree, the assign-on-insert trigger on a distributed table, rollback,
# erasure, the error for a table that is not co-located); a join of
# distributed events with the assignments equal to one node; a node added
# later; the migration of a one-node database to a Citus coordinator.
#
# Citus is built from ../shared/citus when it is not installed yet; with no
# Citus source at all the suite reports itself skipped (exit 77).  Every
# node is stopped on exit, failure or not.
set -u
EA_REPO=${EA_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$EA_REPO" || exit 1

if [ ! -f "$(pg_config --pkglibdir)/citus.so" ]; then
	installer="$EA_REPO/../shared/citus/install.sh"
	if [ ! -x "$installer" ] && [ ! -f "$installer" ]; then
		echo "SKIPPED: Citus is not installed and $installer is absent"
		exit 77
	fi
	sh "$installer" || { echo "citus: could not install Citus"; exit 1; }
fi

. test/suites/lib/citus_cluster.sh
trap citus_cluster_stop EXIT

FIX=test/conformance/fixtures
BASE=$(cat $FIX/sticky_base.v2.json)
SPLIT=$(cat $FIX/sticky_split_all_test.v2.json)
GATES=$(cat $FIX/gates_structure.v2.json)
N=4000					# users

passed=0
failed=0
check() {						# check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
		echo "ok: $1 ($3)"
	else
		failed=$((failed + 1))
		echo "FAILED: $1: expected [$2], got [$3]"
	fi
}
val() {							# val PORT SQL: one value
	cq "$1" -c "$2" 2>&1 | tail -1
}
reload_file() {				# reload_file DOCUMENT: an SQL file that loads it
	local f="$CITUS_DIR/reload.$RANDOM.sql"
	printf 'SELECT load_config_specs($doc$%s$doc$::jsonb);\n' "$1" >"$f"
	chmod 644 "$f"
	echo "$f"
}
load() {						# load PORT DOCUMENT [BEGIN/ROLLBACK]: load_config_specs
	printf '%s\n' "${3:+BEGIN;}" "SELECT load_config_specs(:'d');" "${3:+ROLLBACK;}" |
		cq "$1" -v d="$2" >/dev/null
}

citus_cluster_init
citus_node_start co && citus_node_start w1 && citus_node_start w2 || exit 1
CO=$PORT_co
W1=$PORT_w1
W2=$PORT_w2
cq $CO -c "SELECT citus_set_coordinator_host('127.0.0.1', $CO)" \
	-c "SELECT citus_add_node('127.0.0.1', $W1)" \
	-c "SELECT citus_add_node('127.0.0.1', $W2)" >/dev/null || exit 1
echo "cluster: coordinator $CO, workers $W1 $W2"

# ---- set-up: CREATE EXTENSION on the coordinator, nothing else ----
cq $CO -c "CREATE EXTENSION experiment_assign" || exit 1
check "tables made Citus tables by CREATE EXTENSION" \
	"ea_assignments:h ea_assignments_archive:h ea_config_specs:n ea_id_lists:n" \
	"$(val $CO "SELECT string_agg(logicalrelid::text || ':' || partmethod::text, ' ' ORDER BY logicalrelid::text) FROM pg_dist_partition")"
check "assignments and archive co-located" 1 \
	"$(val $CO "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'")"
for p in $W1 $W2; do
	check "extension on worker $p" 0.2.0 "$(val $p "SELECT extversion FROM pg_extension WHERE extname = 'experiment_assign'")"
done
check "experiment_assign_distribute() is idempotent" "already distributed" \
	"$(val $CO "SELECT experiment_assign_distribute()")"
check "experiment_assign_distribute() on a worker: 55000" 55000 \
	"$(cq $W1 -v VERBOSITY=verbose -c "SELECT experiment_assign_distribute()" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"

# ---- specs and ID lists everywhere, atomically ----
load $CO "$BASE"
for p in $CO $W1 $W2; do
	check "specs in force on node $p" "1700000000000|6" "$(val $p "SELECT document_time || '|' || spec_count FROM config_specs_info()")"
done
# a rolled-back load changes nothing anywhere (stateless groups of N users)
groups_sql="SELECT count(*) FILTER (WHERE get_experiment(jsonb_build_object('userID', 'u' || i), 'sticky_exp') ->> 'group_name' = 'Test') FROM generate_series(1, $N) i"
base_test=$(val $CO "$groups_sql")
load $CO "$SPLIT" rollback
for p in $CO $W1 $W2; do
	check "rolled-back load: node $p unchanged" "$base_test" "$(val $p "$groups_sql")"
done
# an open session on a worker sees a coordinator's reload from its next statement
out=$(cq $W1 <<SQL
$groups_sql;
\! psql -X -q -At -h 127.0.0.1 -p $CO -U postgres -d $CITUS_DB -f $(reload_file "$SPLIT") >/dev/null
$groups_sql;
SQL
)
check "open worker session before/after a reload" "$base_test $N" "$(echo $out)"
# ... and the worker backends that run the coordinator's shard queries too
cq $CO -c "CREATE TABLE users (id text PRIMARY KEY, u jsonb NOT NULL)" \
	-c "SELECT create_distributed_table('users', 'id', colocate_with => 'ea_assignments')" \
	-c "INSERT INTO users SELECT 'u' || i, jsonb_build_object('userID', 'u' || i, 'country', 'US') FROM generate_series(1, $N) i" \
	-c "CREATE TABLE users_local AS SELECT * FROM users" >/dev/null
dist_sql="SELECT count(*) FILTER (WHERE get_experiment(u, 'sticky_exp') ->> 'group_name' = 'Test') FROM users"
out=$(cq $CO <<SQL
$dist_sql;
\! psql -X -q -At -h 127.0.0.1 -p $CO -U postgres -d $CITUS_DB -f $(reload_file "$BASE") >/dev/null
$dist_sql;
SQL
)
check "open session, pushed-down query before/after a reload" "$N $base_test" "$(echo $out)"
# ID lists: a load and a drop reach the caches of every node
load $CO "$GATES"
cq $CO -c "SELECT load_id_list('user_id_list', ARRAY['user_in_list_1', 'user_in_list_2'])" >/dev/null
inlist="SELECT count(*) FILTER (WHERE check_gate(jsonb_build_object('userID', x), 'segment:id_list_users')) FROM unnest(ARRAY['user_in_list_1', 'user_in_list_2', 'nobody']) x"
for p in $CO $W1 $W2; do
	check "ID list in force on node $p" 2 "$(val $p "$inlist")"
done
out=$(cq $W2 <<SQL
$inlist;
\! psql -X -q -At -h 127.0.0.1 -p $CO -U postgres -d $CITUS_DB -c "SELECT drop_id_list('user_id_list')" >/dev/null
$inlist;
SQL
)
check "open worker session sees an ID list dropped" "2 0" "$(echo $out)"
load $CO "$BASE"

# ---- stateless evaluation: a distributed GROUP BY equals one node ----
g_dist=$(val $CO "SELECT string_agg(g || '=' || n, ',' ORDER BY g) FROM (SELECT get_experiment(u, 'sticky_exp') ->> 'group_name' g, count(*) n FROM users GROUP BY 1) s")
g_local=$(val $CO "SELECT string_agg(g || '=' || n, ',' ORDER BY g) FROM (SELECT get_experiment(u, 'sticky_exp') ->> 'group_name' g, count(*) n FROM users_local GROUP BY 1) s")
check "distributed GROUP BY equals a one-node table" "$g_local" "$g_dist"
check "per-user groups equal (distributed vs one node)" 0 \
	"$(val $CO "SELECT count(*) FROM (SELECT id, get_experiment(u, 'sticky_exp') ->> 'group_name' FROM users EXCEPT SELECT id, get_experiment(u, 'sticky_exp') ->> 'group_name' FROM users_local) x")"

# ---- persistent assignment pushed down to the shards ----
persist="get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID'))"
# direct calls in a worker's own session (into a temporary table first: in a
# join with ea_assignments the call itself would be pushed down to shards)
direct_sql() {					# direct_sql FROM TO
	echo "CREATE TEMP TABLE r AS SELECT 'u' || i AS id, get_experiment(jsonb_build_object('userID', 'u' || i), 'sticky_exp', get_user_persisted_values(jsonb_build_object('userID', 'u' || i), 'userID')) r FROM generate_series($1, $2) i;
SELECT count(*) FILTER (WHERE r ->> 'reason' = 'Persisted') || '|' || count(*) FILTER (WHERE r ->> 'group_name' IS DISTINCT FROM a.group_name) FROM r x JOIN ea_assignments a ON a.unit_id = x.id"
}
check "first persistent assignment of $N users (pushed down)" $N \
	"$(val $CO "SELECT count($persist) FROM users")"
check "one stored row per unit, cluster-wide" "$N|$N" \
	"$(val $CO "SELECT count(*) || '|' || count(DISTINCT unit_id) FROM ea_assignments")"
check "rows per shard add up to $N (no row outside the shards)" $N \
	"$(val $CO "SELECT sum(result::bigint) FROM run_command_on_shards('ea_assignments', 'SELECT count(*) FROM %s')")"
check "every unit in the shard Citus assigns it (router reads find all)" $N \
	"$(val $CO "SELECT count(*) FILTER (WHERE $persist ->> 'reason' = 'Persisted') FROM users_local")"
check "stored groups equal the stateless groups of the first assignment" 0 \
	"$(val $CO "SELECT count(*) FROM users_local l JOIN ea_assignments a ON a.unit_id = l.id WHERE a.group_name IS DISTINCT FROM get_experiment(l.u, 'sticky_exp') ->> 'group_name'")"
stored_md5="SELECT md5(string_agg(unit_id || ':' || group_name, ',' ORDER BY unit_id)) FROM ea_assignments"
before=$(val $CO "$stored_md5")

# a split change moves nobody
load $CO "$SPLIT"
check "split change: stateless groups do move" 1 \
	"$(val $CO "SELECT (count(*) FILTER (WHERE get_experiment(u, 'sticky_exp') ->> 'group_name' <> 'Test') = 0)::int FROM users")"
check "split change: users whose group changes (pushed down)" 0 \
	"$(val $CO "SELECT count(*) FROM users u JOIN ea_assignments a ON a.unit_id = u.id WHERE a.group_name IS DISTINCT FROM $persist ->> 'group_name'")"
for p in $W1 $W2; do
	check "direct calls on worker $p: persisted and equal to the stored group" "$N|0" \
		"$(val $p "$(direct_sql 1 $N)")"
done
check "stored assignments unchanged after the split change" "$before" "$(val $CO "$stored_md5")"

# direct first assignments on the workers: stored once, in the right shard
for p in $W1 $W2; do
	val $p "SELECT count(get_experiment(jsonb_build_object('userID', 'direct' || i), 'sticky_exp', '{}'::jsonb)) FROM generate_series(1, 300) i" >/dev/null
done
check "direct calls on both workers for the same 300 new units: one row each" "300|300" \
	"$(val $CO "SELECT count(*) || '|' || count(DISTINCT unit_id) FROM ea_assignments WHERE unit_id LIKE 'direct%'")"

# ---- the assign-on-insert trigger on a distributed table ----
cq $CO -c "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY, customer text NOT NULL, grp text, PRIMARY KEY (customer, id))" \
	-c "SELECT create_distributed_table('orders', 'customer', colocate_with => 'ea_assignments')" \
	-c "SET citus.enable_unsafe_triggers = on" \
	-c "CREATE TRIGGER assign BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'customer', 'grp')" >/dev/null
cq $CO -c "INSERT INTO orders (customer) SELECT 'u' || (1 + i % ($N + 500)) FROM generate_series(1, 2 * ($N + 500)) i" >/dev/null
check "trigger: orders whose group differs from the stored one" 0 \
	"$(val $CO "SELECT count(*) FROM orders o LEFT JOIN ea_assignments a ON a.unit_id = o.customer WHERE o.grp IS DISTINCT FROM a.group_name")"
check "trigger: old customers kept their group" "$before" \
	"$(val $CO "SELECT md5(string_agg(unit_id || ':' || group_name, ',' ORDER BY unit_id)) FROM ea_assignments WHERE unit_id IN (SELECT id FROM users)")"
check "trigger: new customers stored once (split: all Test)" "500|500|500" \
	"$(val $CO "SELECT count(*) || '|' || count(DISTINCT unit_id) || '|' || count(*) FILTER (WHERE group_name = 'Test') FROM ea_assignments WHERE unit_id NOT IN (SELECT id FROM users) AND unit_id LIKE 'u%'")"

# the trigger on a Citus local table (coordinator): Citus's local executor
# runs it on the table's shard, which is not a distributed shard
cq $CO -c "CREATE TABLE signups (id text PRIMARY KEY, grp text)" \
	-c "SELECT citus_add_local_table_to_metadata('signups')" \
	-c "CREATE TRIGGER assign BEFORE INSERT ON signups FOR EACH ROW EXECUTE FUNCTION assign_experiment_trigger('sticky_exp', 'id', 'grp')" \
	-c "INSERT INTO signups (id) SELECT 'loc' || i FROM generate_series(1, 200) i" >/dev/null
check "trigger on a Citus local table: stored once, same group" "200|200" \
	"$(val $CO "SELECT count(*) || '|' || count(*) FILTER (WHERE s.grp = a.group_name) FROM signups s JOIN ea_assignments a ON a.unit_id = s.id")"

# ---- rollback stores nothing ----
cq $CO -c "BEGIN" -c "INSERT INTO users SELECT 'rb' || i, jsonb_build_object('userID', 'rb' || i) FROM generate_series(1, 1000) i" \
	-c "SELECT count($persist) FROM users WHERE id LIKE 'rb%'" \
	-c "INSERT INTO orders (customer) SELECT 'rb' || i FROM generate_series(1001, 1500) i" -c "ROLLBACK" >/dev/null
cq $W1 -c "BEGIN" -c "SELECT count(get_experiment(jsonb_build_object('userID', 'rb' || i), 'sticky_exp', '{}'::jsonb)) FROM generate_series(2001, 2500) i" -c "ROLLBACK" >/dev/null
check "rolled-back assignments (pushed down, trigger, direct on a worker)" 0 \
	"$(val $CO "SELECT count(*) FROM ea_assignments WHERE unit_id LIKE 'rb%'")"

# ---- a table that is not co-located: a clear error, nothing stored ----
cq $CO -c "CREATE TABLE visits (id bigint PRIMARY KEY, uid text)" -c "SELECT create_distributed_table('visits', 'id')" \
	-c "INSERT INTO visits SELECT i, 'nc' || i FROM generate_series(1, 200) i" >/dev/null
check "not co-located: SQLSTATE 0A000" 0A000 \
	"$(cq $CO -v VERBOSITY=verbose -c "SELECT count(get_experiment(jsonb_build_object('userID', uid), 'sticky_exp', '{}'::jsonb)) FROM visits" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"
check "not co-located: nothing stored" 0 "$(val $CO "SELECT count(*) FROM ea_assignments WHERE unit_id LIKE 'nc%'")"

# a statement over every shard, called per row inside a shard query: refused
check "every-shard statement per row inside a shard query: SQLSTATE 0A000" 0A000 \
	"$(cq $CO -v VERBOSITY=verbose -c "SELECT count(delete_experiment_assignments('no_such_' || id)) FROM users" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"

# ---- analytics: a join of distributed events with assignments ----
cq $CO -c "CREATE TABLE events (unit_id text NOT NULL, amount int NOT NULL)" \
	-c "SELECT create_distributed_table('events', 'unit_id', colocate_with => 'ea_assignments')" \
	-c "INSERT INTO events SELECT 'u' || (1 + (i * 7919) % $N), i % 13 FROM generate_series(1, 3 * $N) i" \
	-c "CREATE TABLE events_local AS SELECT * FROM events" \
	-c "CREATE TABLE assignments_local AS SELECT * FROM ea_assignment_source" >/dev/null
join_inner="SELECT a.group_name, count(*) n, sum(e.amount) s FROM %s e JOIN %s a USING (unit_id) WHERE a.experiment_id = 'sticky_exp' GROUP BY 1"
join_sql="SELECT string_agg(group_name || '=' || n || '/' || s, ',' ORDER BY group_name) FROM ($join_inner) x"
check "events x assignments: distributed equals one node" \
	"$(val $CO "$(printf "$join_sql" events_local assignments_local)")" \
	"$(val $CO "$(printf "$join_sql" events ea_assignment_source)")"
cq $CO -c "EXPLAIN $(printf "$join_inner" events ea_assignment_source)" >"$CITUS_DIR/explain.txt" 2>&1
grep -i "subplan\|repartition\|ERROR" "$CITUS_DIR/explain.txt"
check "events x assignments: one pushed-down job (no subplan, no repartition)" "1|0" \
	"$(grep -c 'Task Count: 32' "$CITUS_DIR/explain.txt")|$(grep -c -i 'subplan\|repartition\|ERROR' "$CITUS_DIR/explain.txt")"
check "ea_assignment_list covers every stored row" \
	"$(val $CO "SELECT count(*) FROM ea_assignments")" "$(val $CO "SELECT count(*) FROM ea_assignment_list WHERE entity IS NOT NULL")"

# ---- export/import, archive and erasure, cluster-wide from the coordinator ----
total=$(val $CO "SELECT count(*) FROM ea_assignments")
check "export: one key per stored unit" "$total" "$(val $CO "SELECT count(*) FROM export_user_persisted_values()")"
cq $CO -c "CREATE TABLE exported AS SELECT * FROM export_user_persisted_values()" >/dev/null
check "archive moves every row of the experiment" "$total|0|$total" \
	"$(val $CO "SELECT archive_experiment_assignments('sticky_exp')")|$(val $CO "SELECT count(*) FROM ea_assignments")|$(val $CO "SELECT count(*) FROM ea_assignments_archive")"
check "import restores every key" "$total" \
	"$(val $CO "SELECT sum(import_user_persisted_values(storage_key, user_persisted_values)) FROM exported")"
check "import: stored groups as before" "$before" "$(val $CO "SELECT md5(string_agg(unit_id || ':' || group_name, ',' ORDER BY unit_id)) FROM ea_assignments WHERE unit_id IN (SELECT id FROM users)")"
check "erasure of 100 units: rows deleted (current + archived)" 200 \
	"$(val $CO "SELECT sum(delete_unit_assignments('u' || i)) FROM generate_series(1, 100) i")"
check "erasure: rows of those units left on any shard" 0 \
	"$(($(val $CO "SELECT sum(result::bigint) FROM run_command_on_shards('ea_assignments', \$\$SELECT count(*) FROM %s WHERE unit_id IN (SELECT 'u' || i FROM generate_series(1, 100) i)\$\$)") + $(val $CO "SELECT sum(result::bigint) FROM run_command_on_shards('ea_assignments_archive', \$\$SELECT count(*) FROM %s WHERE unit_id IN (SELECT 'u' || i FROM generate_series(1, 100) i)\$\$)")))"

# ---- a node added later serves the same groups ----
citus_node_start w3 || exit 1
W3=$PORT_w3
cq $CO -c "SELECT citus_add_node('127.0.0.1', $W3)" \
	-c "SELECT rebalance_table_shards(shard_transfer_mode => 'block_writes')" \
	-c "SELECT replicate_reference_tables('block_writes')" >/dev/null 2>&1
check "new node: holds shards of ea_assignments" 1 \
	"$(val $CO "SELECT (count(*) > 0)::int FROM pg_dist_placement p JOIN pg_dist_shard s USING (shardid) JOIN pg_dist_node n USING (groupid) WHERE s.logicalrelid = 'ea_assignments'::regclass AND n.nodeport = $W3")"
check "new node: specs in force" "1700000000000|6" "$(val $W3 "SELECT document_time || '|' || spec_count FROM config_specs_info()")"
after_sql="SELECT md5(string_agg(unit_id || ':' || group_name, ',' ORDER BY unit_id)) FROM ea_assignments WHERE unit_id IN (SELECT id FROM users) AND unit_id NOT IN (SELECT 'u' || i FROM generate_series(1, 100) i)"
kept=$(val $CO "$after_sql")
check "new node: direct calls agree with the stored groups" "$((N - 100))|0" \
	"$(val $W3 "$(direct_sql 101 $N)")"
check "after rebalancing: pushed-down calls all persisted" "$((N - 100))" \
	"$(val $CO "SELECT count(*) FILTER (WHERE $persist ->> 'reason' = 'Persisted') FROM users WHERE id NOT IN (SELECT 'u' || i FROM generate_series(1, 100) i)")"
check "after rebalancing: stored groups unchanged" "$kept" "$(val $CO "$after_sql")"
check "after rebalancing: one row per unit" 1 "$(val $CO "SELECT (count(*) = count(DISTINCT unit_id))::int FROM ea_assignments")"

# ---- upgrade: 0.1.0 used on a Citus cluster (rows stored per node) ----
export CITUS_DB=ea_up
for p in $CO $W1 $W2; do
	citus_as_owner "$CITUS_BIN/createdb" -h 127.0.0.1 -p "$p" -U postgres ea_up && cq $p -c "CREATE EXTENSION citus" >/dev/null
done
cq $CO -c "SELECT citus_set_coordinator_host('127.0.0.1', $CO)" \
	-c "SELECT citus_add_node('127.0.0.1', $W1)" -c "SELECT citus_add_node('127.0.0.1', $W2)" \
	-c "CREATE EXTENSION experiment_assign VERSION '0.1.0'" >/dev/null
up_assign="SELECT count(get_experiment(jsonb_build_object('userID', 'p' || i), 'sticky_exp', get_user_persisted_values(jsonb_build_object('userID', 'p' || i), 'userID'))) FROM generate_series"
up_row="INSERT INTO ea_assignments (unit_id, id_type, config_name, group_name, rule_id, sticky, assigned_at) SELECT 'conflict', 'userID', 'sticky_exp', g, r, jsonb_set(sticky, '{group_name}', to_jsonb(g)), t FROM ea_assignments, (VALUES"
load $CO "$BASE"
load $W1 "$BASE"
load $W2 "$BASE"
# (the 0.1.0 schema has no exposure table: the 0.2.0 library must not record)
export PGOPTIONS="-c experiment_assign.log_exposures=off"
cq $CO -c "$up_assign(1, 500) i" >/dev/null
cq $W1 -c "$up_assign(401, 900) i" -c "$up_row ('Test', 'r1', now() - interval '1 day')) v(g, r, t) WHERE unit_id = 'p401'" >/dev/null
cq $W2 -c "$up_assign(801, 1200) i" -c "$up_row ('Control', 'r2', now())) v(g, r, t) WHERE unit_id = 'p801'" >/dev/null
check "0.1.0 on Citus: rows stored per node (coordinator, w1, w2)" "500|501|401" \
	"$(val $CO "SELECT count(*) FROM ea_assignments")|$(val $W1 "SELECT count(*) FROM ea_assignments")|$(val $W2 "SELECT count(*) FROM ea_assignments")"
cq $CO -c "ALTER EXTENSION experiment_assign UPDATE TO '0.2.0'" >/dev/null
unset PGOPTIONS
check "upgrade: tables made Citus tables" 4 "$(val $CO "SELECT count(*) FROM pg_dist_partition")"
check "upgrade: every unit of every node kept, once" "1201|1201" \
	"$(val $CO "SELECT count(*) || '|' || count(DISTINCT unit_id) FROM ea_assignments")"
check "upgrade: a unit stored on two nodes keeps the earliest group" "Test" \
	"$(val $CO "SELECT group_name FROM ea_assignments WHERE unit_id = 'conflict'")"
for p in $CO $W1 $W2; do
	check "upgrade: node $p, calls all persisted" 1200 \
		"$(val $p "SELECT count(*) FILTER (WHERE get_experiment(jsonb_build_object('userID', 'p' || i), 'sticky_exp', get_user_persisted_values(jsonb_build_object('userID', 'p' || i), 'userID')) ->> 'reason' = 'Persisted') FROM generate_series(1, 1200) i")"
done
check "upgrade: extension version on every node" "0.2.0|0.2.0|0.2.0" \
	"$(val $CO "SELECT extversion FROM pg_extension WHERE extname = 'experiment_assign'")|$(val $W1 "SELECT extversion FROM pg_extension WHERE extname = 'experiment_assign'")|$(val $W2 "SELECT extversion FROM pg_extension WHERE extname = 'experiment_assign'")"

# ---- migration: a one-node database that becomes a Citus coordinator ----
export CITUS_DB=ea_mig
for p in $W1 $W2; do
	citus_as_owner "$CITUS_BIN/createdb" -h 127.0.0.1 -p "$p" -U postgres ea_mig && cq $p -c "CREATE EXTENSION citus" >/dev/null
done
citus_as_owner "$CITUS_BIN/createdb" -h 127.0.0.1 -p "$CO" -U postgres ea_mig
cq $CO -c "CREATE EXTENSION experiment_assign" >/dev/null
load $CO "$BASE"
cq $CO \
	-c "CREATE TABLE users (id text PRIMARY KEY, u jsonb NOT NULL)" \
	-c "INSERT INTO users SELECT 'm' || i, jsonb_build_object('userID', 'm' || i) FROM generate_series(1, 2000) i" \
	-c "SELECT count($persist) FROM users" \
	-c "SELECT archive_experiment_assignments('sticky_exp')" -c "SELECT count($persist) FROM users" >/dev/null
check "one node: 2000 stored, 2000 archived, no Citus" "2000|2000|0" \
	"$(val $CO "SELECT (SELECT count(*) FROM ea_assignments) || '|' || (SELECT count(*) FROM ea_assignments_archive) || '|' || (SELECT count(*) FROM pg_extension WHERE extname = 'citus')")"
mig_md5="SELECT md5(string_agg(storage_key || user_persisted_values::text, ',' ORDER BY storage_key)) FROM export_user_persisted_values()"
mig_before=$(val $CO "$mig_md5")
cq $CO -c "CREATE EXTENSION citus" -c "SELECT citus_set_coordinator_host('127.0.0.1', $CO)" \
	-c "SELECT citus_add_node('127.0.0.1', $W1)" -c "SELECT citus_add_node('127.0.0.1', $W2)" >/dev/null
check "migration: experiment_assign_distribute()" \
	"distributed: ea_config_specs, ea_id_lists, ea_assignments, ea_assignments_archive" \
	"$(val $CO "SELECT experiment_assign_distribute()")"
check "migration: every stored assignment kept" "$mig_before" "$(val $CO "$mig_md5")"
check "migration: archive kept" 2000 "$(val $CO "SELECT count(*) FROM ea_assignments_archive")"
cq $CO -c "SET client_min_messages = warning" \
	-c "SELECT create_distributed_table('users', 'id', colocate_with => 'ea_assignments')" \
	-c "SELECT truncate_local_data_after_distributing_table('users')" >/dev/null
check "migration: pushed-down calls find every unit persisted" 2000 \
	"$(val $CO "SELECT count(*) FILTER (WHERE $persist ->> 'reason' = 'Persisted') FROM users")"
check "migration: specs in force on the workers" "1700000000000|1700000000000" \
	"$(val $W1 "SELECT document_time FROM config_specs_info()")|$(val $W2 "SELECT document_time FROM config_specs_info()")"
cq $CO -c "DROP TABLE users" -c "DROP EXTENSION experiment_assign" >/dev/null
check "DROP EXTENSION on the coordinator drops it everywhere" "0|0|0" \
	"$(val $CO "SELECT count(*) FROM pg_extension WHERE extname = 'experiment_assign'")|$(val $W1 "SELECT count(*) FROM pg_extension WHERE extname = 'experiment_assign'")|$(val $W2 "SELECT count(*) FROM pg_extension WHERE extname = 'experiment_assign'")"

echo "citus: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
