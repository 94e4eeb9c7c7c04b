#!/bin/bash
# node_adapter.sh - the Node storage adapter (adapters/node) against the real
# SDK: node-core 0.23.2 and SQL share sticky groups call for call, concurrent
# first assignments give one group, errors and timeouts of the adapter.
# Installs the package's dependencies from its lockfile (npm ci, from the
# npm registry or the npm cache), then runs adapters/node/test/shared_groups.js.
# Needs EA_DB and EA_REPO (test/pg-suites.sh sets them) and a superuser in
# PGHOST/PGPORT/PGUSER.  Exits 77 (skipped) only when npm or node is missing
# or the packages cannot be installed.
set -eu
: "${EA_DB:?}" "${EA_REPO:?}"
PKG="$EA_REPO/adapters/node"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "node_adapter: node/npm not installed: skipped"
	exit 77
fi
if [ ! -d "$PKG/node_modules/@statsig/statsig-node-core" ] || [ ! -d "$PKG/node_modules/pg" ] ||
	[ "$PKG/package-lock.json" -nt "$PKG/node_modules/.package-lock.json" ]; then
	if ! (cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error); then
		echo "node_adapter: npm ci failed (no registry, no cache): skipped"
		exit 77
	fi
fi
node "$PKG/test/shared_groups.js"
