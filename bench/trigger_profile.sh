#!/bin/bash
# bench/trigger_profile.sh - figure 4's profile: where the time of the
# trigger's statement goes, by whose code is running.
#
# Runs inside bench/run.sh's cluster (PGHOST/PGPORT set, the users and specs
# loaded, after bench/trigger.sql).  Repeats the trigger's INSERT ... SELECT
# of every user (every user a first assignment again: the experiment's
# stored rows deleted, ea_assignments vacuumed, a checkpoint) while
# `perf record --call-graph dwarf` samples the backend, then sorts every
# sample by the code it was in:
#
#   ours        the extension's own code (experiment_assign.so), with what it
#               calls in libc and in the libraries it links (json-c, PCRE2,
#               zlib, libcurl, Nettle), and the kernel work those ask for
#   sha         SHA-256 (Nettle's, through ea_sha256: the bucketing hash
#               Statsig defines)
#   probe       PostgreSQL reading the unit's stored values for the trigger
#               (the primary-key index scan of ea_assignments)
#   store       PostgreSQL storing a first assignment for the trigger (the
#               INSERT ... ON CONFLICT DO NOTHING: executor, heap, indexes, WAL)
#               (probe_setup and store_setup: the parts of these two outside
#               the index descent and the heap, index and WAL writes -- the
#               per-call start-up and shut-down of the scan and the executor)
#   pg_trigger  other PostgreSQL work the trigger asks for (forming the
#               modified row, the spec cache's first read, ...)
#   statement   PostgreSQL's own work for the statement: the scan, the insert
#               of the wider row, its index, WAL, the trigger manager
#
# A sample is the code's whose frame is nearest the leaf, past libc, the
# kernel and the libraries above (a sample of ours with a SHA-256 frame is
# SHA-256's).  Prints one JSON line
# {"impl": "sql", "kind": "trigger_profile", ...}; without perf (or when
# perf cannot sample the backend) the line says {"missing": "..."}.
#
#   BENCH_PROFILE_HZ   sampling frequency (default 499)
set -euo pipefail
cd "$(dirname "$0")/.."
W="${BENCH_WORK:-$(pwd)/build/bench}"
EXPERIMENT="${BENCH_EXPERIMENT:-targeted_exp_in_layer_with_holdout}"
HZ="${BENCH_PROFILE_HZ:-499}"
DATA="$W/perf.trigger.data"
PERF_PID="$W/perf.trigger.pid"
mkdir -p "$W"

missing() {
	printf '{"impl":"sql","kind":"trigger_profile","missing":"%s"}\n' "$1"
	exit 0
}
command -v perf >/dev/null 2>&1 || missing "perf is not installed (apt-get install linux-perf)"
# can perf sample at all here? (perf_event_paranoid, containers)
perf record -q -F "$HZ" -o "$W/perf.probe.data" -- true >/dev/null 2>&1 ||
	missing "perf record fails here (see /proc/sys/kernel/perf_event_paranoid)"
rm -f "$W/perf.probe.data" "$DATA" "$PERF_PID"

# the statement, profiled; the same session runs it start to end
psql -X -q -v ON_ERROR_STOP=1 -v experiment="$EXPERIMENT" -v data="$DATA" \
	-v hz="$HZ" -v perfpid="$PERF_PID" <<'SQL' >"$W/trigger_profile.psql.out"
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET experiment_assign.log_exposures = off;
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_signup_prof;
CREATE TABLE bench_signup_prof (id bigint PRIMARY KEY, u jsonb NOT NULL,
								assignment jsonb, group_name text);
SELECT set_config('bench.experiment', :'experiment', false) \g /dev/null
DO $$
BEGIN
	EXECUTE format('CREATE TRIGGER bench_assign BEFORE INSERT ON bench_signup_prof '
				   'FOR EACH ROW EXECUTE FUNCTION assign_experiment_trigger(%L, %L, %L)',
				   current_setting('bench.experiment'), 'u', 'assignment');
END $$;
SELECT format('%I.ea_assignments', n.nspname) AS ea_table FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'experiment_assign' \gset
SELECT delete_experiment_assignments(:'experiment') \g /dev/null
VACUUM :ea_table;
-- the specs and caches of this backend, warmed as in the timed run
SELECT count(get_experiment(u, :'experiment')) FROM bench_users WHERE id <= 1000 \g /dev/null
SELECT bench_settle() \g /dev/null
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
\setenv BENCH_DATA :data
\setenv BENCH_HZ :hz
\setenv BENCH_PERF_PID :perfpid
\! perf record -q -F "$BENCH_HZ" --call-graph dwarf,16384 -p "$BENCH_PID" -o "$BENCH_DATA" >/dev/null 2>&1 & echo $! >"$BENCH_PERF_PID"
SELECT pg_sleep(0.5) \g /dev/null
SELECT bench_time('INSERT INTO bench_signup_prof (id, u) SELECT id, u FROM bench_users') AS prof_s \gset
\! kill -INT "$(cat "$BENCH_PERF_PID")"; while kill -0 "$(cat "$BENCH_PERF_PID")" 2>/dev/null; do sleep 0.2; done
\echo prof_s :prof_s
DROP TABLE bench_signup_prof;
SQL
[ -s "$DATA" ] || missing "perf wrote no samples"
PROF_S="$(awk '$1 == "prof_s" {print $2}' "$W/trigger_profile.psql.out")"

# perf script: one block of frames per sample, leaf first, blank line between.
# An inlined frame carries no library; it belongs to the next frame's.
perf script -i "$DATA" -F ip,sym,dso 2>/dev/null | awk -v prof_s="$PROF_S" -v hz="$HZ" '
function lib(d) {
	if (d ~ /experiment_assign\.so/) return "ours";
	if (d ~ /libjson-c|libpcre2|libz\.so|libcurl|libnettle/) return "ourlib";
	if (d ~ /kernel|libc\.so|libc-|ld-linux|libm\.so|\[vdso\]|\[unknown\]/) return "sys";
	return "pg";
}
function flush(   i, j, d, owner, sha, intrig, what) {
	if (n == 0) return;
	# libraries of the inlined frames
	for (i = n; i >= 1; i--) {
		if (dso[i] == "" && i < n) dso[i] = dso[i + 1];
	}
	owner = ""; sha = 0;
	for (i = 1; i <= n; i++) {
		d = lib(dso[i]);
		if (d == "sys") continue;
		if (d == "ourlib") { owner = "ours"; break; }
		owner = d;
		break;
	}
	# SHA-256 calls nothing of ours: a sample with its frame is in it
	for (j = 1; j <= n && owner == "ours"; j++) if (sym[j] ~ /^(ea_sha256|ea_eval_hash|ea_idlist_hash|_?nettle_sha256)/) { sha = 1; break; }
	intrig = 0;
	for (j = 1; j <= n; j++) if (sym[j] == "ea_pg_assign_experiment_trigger") { intrig = 1; break; }
	if (owner == "ours") what = sha ? "sha" : "ours";
	else if (intrig) {
		what = "pg_trigger";
		for (j = 1; j <= n; j++) {
			if (sym[j] == "ea_pg_assignments_values") { what = "probe"; break; }
			if (sym[j] == "ea_pg_assignments_insert") { what = "store"; break; }
		}
		# the part of each that is the same per call whatever the data
		essential = 0;
		for (j = 1; j <= n; j++)
			if ((what == "probe" && sym[j] ~ /^(index_getnext_slot|index_fetch_heap)$/) ||
				(what == "store" && sym[j] ~ /^(heap_insert|ExecInsertIndexTuples|ExecCheckIndexConstraints|XLogInsert|XLogFlush)$/))
				essential = 1;
		if ((what == "probe" || what == "store") && !essential) count[what "_setup"]++;
	}
	else what = "statement";
	count[what]++; total++;
	n = 0;
}
/^[ \t]*$/ { flush(); next }
{
	# "ADDR SYMBOL (DSO)" or "ADDR SYMBOL (inlined)"
	line = $0; sub(/^[ \t]+/, "", line);
	d = ""; s = line;
	if (match(line, /\([^()]*\)$/)) {
		d = substr(line, RSTART + 1, RLENGTH - 2);
		s = substr(line, 1, RSTART - 1);
	}
	if (d == "inlined") d = "";
	sub(/^[0-9a-f]+ /, "", s); sub(/[ \t]+$/, "", s); sub(/\+0x[0-9a-f]+$/, "", s);
	n++; sym[n] = s; dso[n] = d;
}
END {
	flush();
	if (total == 0) { print "{\"impl\":\"sql\",\"kind\":\"trigger_profile\",\"missing\":\"no samples\"}"; exit }
	printf "{\"impl\":\"sql\",\"kind\":\"trigger_profile\",\"samples\":%d,\"hz\":%d,\"profiled_s\":%s", total, hz, prof_s;
	split("ours sha probe probe_setup store store_setup pg_trigger statement", k, " ");
	for (i = 1; i <= 8; i++) printf ",\"%s\":%.4f", k[i], count[k[i]] / total;
	print "}";
}'
