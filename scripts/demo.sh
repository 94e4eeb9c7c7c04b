#!/bin/sh
# demo.sh - run examples/demo.sql; "make demo" runs it inside pg_virtualenv.
set -eu
cd "$(dirname "$0")/.."
exec psql -X -q -v ON_ERROR_STOP=1 -f examples/demo.sql
