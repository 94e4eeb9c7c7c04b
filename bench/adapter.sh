#!/bin/bash
# bench/adapter.sh - the Node storage adapter (adapters/node) against a plain
# hand-written pg adapter: cost per load/save/delete (BENCHMARKS.md, figure 7).
# Run by bench/run.sh inside its cluster (PGHOST/PGPORT/... set, the
# extension created); prints JSON lines.  BENCH_ADAPTER_OPS: calls per
# measurement (default 5000; 300 with --smoke).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PKG="$ROOT/adapters/node"
if [ ! -d "$PKG/node_modules/pg" ] || [ "$PKG/package-lock.json" -nt "$PKG/node_modules/.package-lock.json" ]; then
	(cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
exec node "$ROOT/bench/node/adapter_bench.js" --ops "${BENCH_ADAPTER_OPS:-$([ "${BENCH_SMOKE:-0}" = 1 ] && echo 300 || echo 5000)}"
