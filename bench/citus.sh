#!/bin/bash
# bench/citus.sh - experiment_assign on a 3-node Citus cluster vs one node
# (issue 8; called by bench/run.sh, or on its own).
#
#   bench/citus.sh [--smoke]
#
# Starts a coordinator and two workers on loopback ports the operating system
# picks (test/suites/lib/citus_cluster.sh), and measures on the same machine,
# over the same users (BENCH_CITUS_USERS, default 100000; --smoke 2000) and
# the sticky conformance document:
#   - the first persistent assignment of every user in one statement
#     (get_experiment(u, e, get_user_persisted_values(u, 'userID'))), and the
#     second pass (every user stored: the sticky path);
#   - stateless evaluation (GROUP BY group of get_experiment(u, e)): the
#     first run (new worker connections, each loading the specs) and the
#     best of three more in the same session.
# "one node" is a database without Citus on the coordinator's server: the
# same server settings, plain PostgreSQL paths.  "cluster" is a table
# distributed by user id, co-located with ea_assignments.  Needs Citus
# installed (../shared/citus/install.sh).  Writes JSON lines and a table
# to $BENCH_WORK/citus.md (default build/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${BENCH_CITUS_USERS:-100000}
[ "${1:-}" = --smoke ] && N=${BENCH_CITUS_USERS:-2000}
W=${BENCH_WORK:-$ROOT/build/bench}
mkdir -p "$W"
if [ ! -f "$(pg_config --pkglibdir)/citus.so" ]; then
	echo "bench/citus.sh: Citus is not installed (../shared/citus/install.sh); skipped" >&2
	exit 0
fi

. test/suites/lib/citus_cluster.sh
trap citus_cluster_stop EXIT
citus_cluster_init
citus_node_start co
citus_node_start w1
citus_node_start w2
cq $PORT_co -c "SELECT citus_set_coordinator_host('127.0.0.1', $PORT_co)" \
	-c "SELECT citus_add_node('127.0.0.1', $PORT_w1)" \
	-c "SELECT citus_add_node('127.0.0.1', $PORT_w2)" >/dev/null
citus_as_owner "$CITUS_BIN/createdb" -h 127.0.0.1 -p "$PORT_co" -U postgres ea_single

DOC=$(cat test/conformance/fixtures/sticky_base.v2.json)
SETUP="CREATE EXTENSION IF NOT EXISTS experiment_assign;
SELECT load_config_specs(:'d');
CREATE TABLE users (id text PRIMARY KEY, u jsonb NOT NULL);
CREATE FUNCTION bench_seconds(q text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN EXECUTE q; RETURN extract(epoch FROM clock_timestamp() - t0); END \$\$;"
USERS="INSERT INTO users SELECT 'user-' || i, jsonb_build_object('userID', 'user-' || i, 'country', 'US') FROM generate_series(1, $N) i;
VACUUM ANALYZE users;"
echo "$SETUP" | CITUS_DB=ea_single cq $PORT_co -v d="$DOC" >/dev/null
echo "$USERS" | CITUS_DB=ea_single cq $PORT_co >/dev/null
echo "$SETUP" | cq $PORT_co -v d="$DOC" >/dev/null
cq $PORT_co -c "SELECT create_distributed_table('users', 'id', colocate_with => 'ea_assignments')" >/dev/null
echo "$USERS" | cq $PORT_co >/dev/null

PERSIST="SELECT count(*) FROM users WHERE get_experiment(u, ''sticky_exp'', get_user_persisted_values(u, ''userID'')) ->> ''group_name'' IS NOT NULL"
STATELESS="SELECT get_experiment(u, ''sticky_exp'') ->> ''group_name'', count(*) FROM users GROUP BY 1"
measure() {						# measure DB LABEL
	local db=$1 label=$2 first sticky cold stateless stored
	cold=$(CITUS_DB=$db cq $PORT_co -c "SELECT bench_seconds('$STATELESS')")
	# warm: the best of 3 in one session (worker connections and caches kept)
	stateless=$(CITUS_DB=$db cq $PORT_co -c "SELECT min(bench_seconds('$STATELESS')) FROM generate_series(1, 3)")
	first=$(CITUS_DB=$db cq $PORT_co -c "SELECT bench_seconds('$PERSIST')")
	sticky=$(CITUS_DB=$db cq $PORT_co -c "SELECT bench_seconds('$PERSIST')")
	stored=$(CITUS_DB=$db cq $PORT_co -c "SELECT count(*) FROM ea_assignments")
	printf '{"impl":"citus-bench","setup":"%s","n":%s,"stored":%s,"stateless_cold_s":%s,"stateless_s":%s,"first_s":%s,"sticky_s":%s}\n' \
		"$label" "$N" "$stored" "$cold" "$stateless" "$first" "$sticky"
}
{
	measure ea_single "one node"
	measure "$CITUS_DB" "3-node cluster"
} | tee "$W/citus.jsonl"

node_or_python=python3
$node_or_python - "$W/citus.jsonl" <<'PY' | tee "$W/citus.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
one, cl = rows[0], rows[1]
print("| %d users | one node (s) | 3-node Citus (s) | cluster / one node |" % one["n"])
print("|---|---:|---:|---:|")
for key, name in (("first_s", "first persistent assignment"), ("sticky_s", "second pass (all stored)"),
                  ("stateless_cold_s", "stateless GROUP BY, first run"),
                  ("stateless_s", "stateless GROUP BY, best of 3 (warm)")):
    print("| %s | %.2f | %.2f | %.2f |" % (name, one[key], cl[key], cl[key] / one[key]))
print()
print("stored rows: one node %d, cluster %d" % (one["stored"], cl["stored"]))
PY
