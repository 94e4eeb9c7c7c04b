#!/bin/sh
# deps.sh - install the Debian packages that building and testing need
# ("make deps"; "make test" and "make demo" run it first).
#
# Idempotent: only packages that are missing are installed, and
# "apt-get update" runs once, only when something has to be installed.
# Needs root (or sudo) the first time on a fresh machine.  Building
# ("make", "make install") never runs it: a machine that already has these
# packages builds offline.
set -eu

PGVER="${PGVER:-15}"
# build: compiler, PGXS, json-c, PCRE2, libcurl and zlib (the sync worker
# and exposure sender); tests: the server, pgTAP, pg_prove; the Debian
# package test: debhelper, pg_buildext's dev-all, dpkg-dev, fakeroot
PKGS="make gcc pkg-config libjson-c-dev libpcre2-dev nettle-dev libcurl4-openssl-dev zlib1g-dev \
postgresql-${PGVER} \
postgresql-server-dev-${PGVER} postgresql-common postgresql-${PGVER}-pgtap \
libtap-parser-sourcehandler-pgtap-perl \
debhelper dpkg-dev fakeroot postgresql-server-dev-all \
jq curl"

# the test suites' helpers (Statsig mock, Node adapter, exposure oracle,
# free ports): Node.js with npm, and python3; a machine that already has
# them (from elsewhere than Debian) keeps its own
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
command -v python3 >/dev/null 2>&1 || PKGS="$PKGS python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
