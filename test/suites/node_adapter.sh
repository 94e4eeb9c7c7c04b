#!/bin/bash
# node_adapter.sh - the Node storage adapter (adapters/node) against the real
# SDK: node-core 0.23.2 and SQL share sticky groups call for call, concurrent
# first assignments give one group, errors and timeouts of the adapter.
# Installs the package's dependencies from its lockfile (npm ci), then runs
# adapters/node/test/shared_groups.js.  Needs EA_DB and EA_REPO
# (test/pg-suites.sh sets them) and a superuser in PGHOST/PGPORT/PGUSER.
set -eu
: "${EA_DB:?}" "${EA_REPO:?}"
PKG="$EA_REPO/adapters/node"
if [ ! -d "$PKG/node_modules/@statsig/statsig-node-core" ] || [ ! -d "$PKG/node_modules/pg" ] ||
	[ "$PKG/package-lock.json" -nt "$PKG/node_modules/.package-lock.json" ]; then
	(cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error)
fi
EA_DB="$EA_DB" EA_REPO="$EA_REPO" node "$PKG/test/shared_groups.js"
